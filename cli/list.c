// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl list and hvctl info NAME: what the module knows about VMs
 * (struct hv_vm_info).
 *
 * `hvctl list` prints one line per VM under a header:
 *
 *   NAME  STATE    VCPUS  MEMORY  UPTIME   EXITS
 *   web   running      1    512M  5m12s    48210
 *
 * MEMORY is in the largest binary unit that divides it (what --mem
 * takes); UPTIME is since the last start, "-" when not running.
 *
 * `--json` prints one document on one line: for list an array of VM
 * objects (empty: []), for info one object.  The keys are an interface:
 * they are only ever added, never renamed or removed.
 *   name              the VM's name
 *   state             "created", "running", "paused", "stopped",
 *                     "destroyed" (hv_vm_state_name())
 *   vcpus             number of vCPUs
 *   mem_bytes         bytes of guest RAM
 *   owner_uid         the creator's uid
 *   flags             HV_VM_* given at create, a number
 *   destroy_on_close  true if HV_VM_DESTROY_ON_CLOSE (VMs of `hvctl run`)
 *   stop_reason       why the last managed run stopped: "none", "halted",
 *                     "debug-exit", "triple-fault", "entry-failure",
 *                     "stopped" (on request), "destroyed", "power-off",
 *                     "internal-error", "reboot", "lazy-failed"
 *                     (hv_stop_reason_name())
 *   exit_status       with "debug-exit": (v << 1) | 1 for `out 0xf4, v`;
 *                     with "lazy-failed": EIO (a corrupt chunk) or EPIPE
 *                     (the filling process exited)
 *   uptime_ns         since the last start; 0 unless running or paused
 *   exits             VM exits, all vCPUs, all kinds
 *   io_unclaimed      port accesses no device answered (managed runs)
 *   mmio_unclaimed    MMIO accesses to no RAM (managed runs)
 *   console_bytes     bytes the guest has written to its UART
 *   id                unique among all VMs since hv.ko was loaded
 *   dirty_epoch       dirty-log clears so far (snapshots use it)
 *   cow_copies        pages copied on a write to a page shared with a
 *                     clone
 *   shared_pages      pages still shared copy-on-write
 * All are numbers, strings or booleans; counters stay far below 2^53, so
 * they are plain JSON numbers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"
#include "json.h"

/* A NUL-terminated copy of the fixed-size name field. */
static void vm_name(const struct hv_vm_info *v, char name[HV_NAME_LEN])
{
	memcpy(name, v->name, HV_NAME_LEN);
	name[HV_NAME_LEN - 1] = '\0';
}

static void vm_json(struct json *j, const struct hv_vm_info *v)
{
	char name[HV_NAME_LEN];

	vm_name(v, name);
	json_object_begin(j, NULL);
	json_string(j, "name", name);
	json_string(j, "state", hv_vm_state_name(v->state));
	json_uint(j, "vcpus", v->nr_vcpus);
	json_uint(j, "mem_bytes", v->mem_size);
	json_uint(j, "owner_uid", v->owner_uid);
	json_uint(j, "flags", v->flags);
	json_bool(j, "destroy_on_close", v->flags & HV_VM_DESTROY_ON_CLOSE);
	json_string(j, "stop_reason", hv_stop_reason_name(v->stop_reason));
	json_uint(j, "exit_status", v->exit_status);
	json_uint(j, "uptime_ns", v->uptime_ns);
	json_uint(j, "exits", v->exits);
	json_uint(j, "io_unclaimed", v->io_unclaimed);
	json_uint(j, "mmio_unclaimed", v->mmio_unclaimed);
	json_uint(j, "console_bytes", v->console_bytes);
	json_uint(j, "id", v->id);
	json_uint(j, "dirty_epoch", v->dirty_epoch);
	json_uint(j, "cow_copies", v->cow_copies);
	json_uint(j, "shared_pages", v->shared_pages);
	json_object_end(j);
}

int hvctl_list_print(FILE *out, const struct hv_vm_info *vms, size_t n,
		     bool json)
{
	char name[HV_NAME_LEN], mem[24], up[24];
	int w = 4;	/* strlen("NAME") */
	struct json j;
	size_t i;

	if (json) {
		json_init(&j, out);
		json_array_begin(&j, NULL);
		for (i = 0; i < n; i++)
			vm_json(&j, &vms[i]);
		json_array_end(&j);
		return json_finish(&j);
	}

	for (i = 0; i < n; i++) {
		vm_name(&vms[i], name);
		if ((int)strlen(name) > w)
			w = (int)strlen(name);
	}
	fprintf(out, "%-*s  %-9s  %5s  %6s  %8s  %s\n", w, "NAME", "STATE",
		"VCPUS", "MEMORY", "UPTIME", "EXITS");
	for (i = 0; i < n; i++) {
		const struct hv_vm_info *v = &vms[i];

		vm_name(v, name);
		fprintf(out, "%-*s  %-9s  %5u  %6s  %8s  %" PRIu64 "\n", w,
			name, hv_vm_state_name(v->state), v->nr_vcpus,
			hvctl_format_size(v->mem_size, mem, sizeof(mem)),
			hvctl_format_uptime(v->uptime_ns, up, sizeof(up)),
			(uint64_t)v->exits);
	}
	return ferror(out) ? -EIO : 0;
}

#define LABEL	"%-17s"

int hvctl_vm_info_print(FILE *out, const struct hv_vm_info *v, bool json)
{
	char name[HV_NAME_LEN], mem[24], up[24];
	struct json j;

	if (json) {
		json_init(&j, out);
		vm_json(&j, v);
		return json_finish(&j);
	}

	vm_name(v, name);
	fprintf(out, LABEL "%s\n", "name:", name);
	fprintf(out, LABEL "%s\n", "state:", hv_vm_state_name(v->state));
	fprintf(out, LABEL "%s", "stop reason:",
		hv_stop_reason_name(v->stop_reason));
	if (v->stop_reason == HV_STOP_DEBUG_EXIT)
		fprintf(out, " (status %u: the guest wrote %u to port 0xf4)",
			v->exit_status, v->exit_status >> 1);
	else if (v->stop_reason == HV_STOP_LAZY_FAILED)
		fprintf(out, ": %s", hvctl_lazy_failed_text(v->exit_status));
	fputc('\n', out);
	fprintf(out, LABEL "%u\n", "exit status:", v->exit_status);
	fprintf(out, LABEL "%u\n", "vcpus:", v->nr_vcpus);
	fprintf(out, LABEL "%s (%" PRIu64 " bytes)\n", "memory:",
		hvctl_format_size(v->mem_size, mem, sizeof(mem)),
		(uint64_t)v->mem_size);
	fprintf(out, LABEL "%u\n", "owner uid:", v->owner_uid);
	fprintf(out, LABEL "%s\n", "flags:",
		v->flags & HV_VM_DESTROY_ON_CLOSE ? "destroy-on-close"
						  : "none");
	fprintf(out, LABEL "%s\n", "uptime:",
		hvctl_format_uptime(v->uptime_ns, up, sizeof(up)));
	fprintf(out, LABEL "%" PRIu64 "\n", "exits:", (uint64_t)v->exits);
	fprintf(out, LABEL "%" PRIu64 "\n", "io unclaimed:",
		(uint64_t)v->io_unclaimed);
	fprintf(out, LABEL "%" PRIu64 "\n", "mmio unclaimed:",
		(uint64_t)v->mmio_unclaimed);
	fprintf(out, LABEL "%" PRIu64 "\n", "console bytes:",
		(uint64_t)v->console_bytes);
	return ferror(out) ? -EIO : 0;
}

int hvctl_cmd_list(int argc, char **argv)
{
	struct hv_vm_info *vms;
	struct hv *hv;
	size_t n;
	bool json;
	int ret, err;

	ret = hvctl_parse_json_opt(argc, argv, &json);
	if (ret >= 0)
		return ret;
	ret = hvctl_open(argv[0], &hv);
	if (ret)
		return ret;
	err = hv_list_vms(hv, &vms, &n);
	hv_close(hv);
	if (err)
		return hvctl_fail_errno(argv[0], "cannot list VMs", err);
	/* Write errors are reported once, by hvctl_main(). */
	hvctl_list_print(hvctl_out, vms, n, json);
	free(vms);
	return HVCTL_EXIT_OK;
}

/*
 * From the list rather than the VM fd, so that it reads the same as
 * `list`.  The list holds the caller's VMs (every VM for root); REF is
 * NAME or UID:NAME, resolved as HV_OPEN_VM does: the caller's own VM
 * first, then (root) the one other user's VM so named.
 */
int hvctl_vm_info_cmd(const char *cmd, const char *ref, bool json)
{
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm_info *vms;
	const char *name;
	size_t i, n, found = (size_t)-1, others = 0;
	long long uid;
	struct hv *hv;
	int ret, err;

	ret = hvctl_check_ref(cmd, ref);
	if (ret)
		return ret;
	hvctl_split_ref(ref, &uid, &name);
	hvctl_ctx(ctx, sizeof(ctx), cmd, ref);
	ret = hvctl_open(ctx, &hv);
	if (ret)
		return ret;
	err = hv_list_vms(hv, &vms, &n);
	hv_close(hv);
	if (err)
		return hvctl_fail_errno(ctx, "cannot list VMs", err);
	for (i = 0; i < n; i++) {
		if (strncmp(vms[i].name, name, HV_NAME_LEN))
			continue;
		if (uid >= 0 ? vms[i].owner_uid == (unsigned long long)uid :
		    vms[i].owner_uid == (unsigned int)geteuid()) {
			found = i;
			others = 0;
			break;
		}
		if (uid < 0) {
			found = i;
			others++;
		}
	}
	if (found == (size_t)-1)
		ret = hvctl_fail(ctx, "no such VM");
	else if (others > 1)
		ret = hvctl_vm_fail(ctx, NULL, NULL, -ENOTUNIQ);
	else
		hvctl_vm_info_print(hvctl_out, &vms[found], json);
	free(vms);
	return ret;
}
