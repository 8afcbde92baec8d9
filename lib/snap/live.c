// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: the instant of a live snapshot.  hv_vm_snapshot_live() (in
 * lib/snap/snapshot.c, beside the writer it shares with
 * hv_vm_snapshot()) calls snap_freeze() to turn "now" into a VM that
 * stays still while the file is written: a copy-on-write clone
 * (HV_VM_CLONE, kmod/state/clone.c), made while the VM is paused.  The
 * clone costs no copy of RAM: both VMs map the same pages read-only, and
 * the first write to a page copies it for the VM that writes.  The
 * clone never runs, so its pages are the instant of the pause for as
 * long as it lives; the VM runs on, paying one page copy per page it
 * writes first.  docs/snapshot-format.md, "Live snapshots", says more.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "libhv.h"
#include "snapio.h"

#define seterr snap_seterr

/* NAME.snap-PID, then NAME.snap-PID-2 .. -SNAP_CLONE_TRIES if taken. */
#define SNAP_CLONE_TRIES	9

/*
 * The clone's name for try @attempt (1, 2, ...): the VM's name, cut so
 * that the suffix fits in HV_NAME_LEN, then ".snap-PID" and, after the
 * first try, "-N".  Names are [A-Za-z0-9][A-Za-z0-9_.-]* (kmod/hv_vm.c,
 * hv_name_valid): the VM's name starts this one, so it is valid too.
 * `hvctl list` shows whose snapshot it is and which process writes it.
 */
static void clone_name(char name[HV_NAME_LEN], const char *vm_name,
		       int attempt)
{
	char suffix[24];	/* ".snap-" + pid (<= 2^22) + "-N" */
	size_t len, keep;

	if (attempt > 1)
		snprintf(suffix, sizeof(suffix), ".snap-%d-%d",
			 (int)getpid(), attempt);
	else
		snprintf(suffix, sizeof(suffix), ".snap-%d", (int)getpid());
	len = strlen(suffix);
	keep = strnlen(vm_name, HV_NAME_LEN - 1);
	if (keep > HV_NAME_LEN - 1 - len)
		keep = HV_NAME_LEN - 1 - len;
	memcpy(name, vm_name, keep);
	memcpy(name + keep, suffix, len + 1);
}

static const char *clone_error(int err)
{
	switch (err) {
	case -EBUSY:
		return "VM is busy (run attached by a program)";
	case -ENOMEM:
		return "out of memory (the clone is charged as much RAM as "
		       "the VM until the file is written)";
	}
	return hv_strerror(err);
}

/* Make fz->clone under the first free name; 0 or an errno, err set. */
static int make_clone(struct hv_vm *vm, const char *vm_name, uint32_t how,
		      struct snap_frozen *fz, const char *label, char *err,
		      size_t errlen)
{
	char first[HV_NAME_LEN];
	int attempt, ret = -EEXIST;

	/*
	 * HV_VM_DESTROY_ON_CLOSE: if this process dies before it destroys
	 * the clone, closing its fds does (the RAM it holds goes back).
	 */
	for (attempt = 1; attempt <= SNAP_CLONE_TRIES && ret == -EEXIST;
	     attempt++) {
		clone_name(fz->name, vm_name, attempt);
		if (attempt == 1)
			memcpy(first, fz->name, HV_NAME_LEN);
		ret = hv_vm_clone_how(vm, fz->name, HV_VM_DESTROY_ON_CLOSE,
				      how, &fz->clone);
	}
	if (ret == -EEXIST)
		return seterr(err, errlen, ret, "%s: cannot clone the VM: "
			      "%s to %s are all taken", label, first,
			      fz->name);
	if (ret)
		return seterr(err, errlen, ret, "%s: cannot clone the VM: %s",
			      label, clone_error(ret));
	return 0;
}

/*
 * The VM-wide counters "clone.holds" and "clone.hold_ns" (API 8): how
 * often and how long the kernel held @vm still for a clone's instant.
 * false if the module has none (or the fake of the unit tests).  The
 * names are asked once per handle (hv_stats_names() caches them).
 */
static bool hold_stats(struct hv *hv, struct hv_vm *vm, uint64_t *holds,
		       uint64_t *ns)
{
	const struct hv_stat_desc *d;
	int ih = -1, in = -1;
	uint64_t *v;
	size_t n, i;
	bool ok;

	if (hv_stats_names(hv, &d, &n))
		return false;
	for (i = 0; i < n; i++) {
		if (!strcmp(d[i].name, "clone.holds"))
			ih = (int)i;
		else if (!strcmp(d[i].name, "clone.hold_ns"))
			in = (int)i;
	}
	if (ih < 0 || in < 0)
		return false;
	v = calloc(n, sizeof(*v));
	ok = v && hv_vm_stats(vm, HV_STATS_VM, v, n) == (int)n;
	if (ok) {
		*holds = v[ih];
		*ns = v[in];
	}
	free(v);
	return ok;
}

/*
 * The kernel pauses a running VM for the instant itself (HV_CLONE_HOLD):
 * after it took a reference on every page and made the clone's vCPUs,
 * and it resumes it before it builds the clone's NPT/EPT, so the pause
 * no longer grows with RAM.  -EINVAL from a module before API 8: the
 * caller pauses and clones the old way.
 */
static int freeze_held(struct hv_vm *vm, const struct hv_vm_info *info,
		       struct snap_frozen *fz, const char *label, char *err,
		       size_t errlen)
{
	uint64_t holds0, ns0, holds1, ns1, start;
	struct hv *hv = NULL;
	bool counted;
	int ret;

	counted = !hv_open(&hv) && hold_stats(hv, vm, &holds0, &ns0);
	start = hv_monotonic_ns();
	ret = make_clone(vm, info->name, HV_CLONE_HOLD, fz, label, err,
			 errlen);
	fz->resumed_ns = hv_monotonic_ns();
	if (!ret) {
		fz->cloned = true;
		if (counted && hold_stats(hv, vm, &holds1, &ns1)) {
			fz->paused = holds1 != holds0;
			fz->pause_ns = ns1 - ns0;
		} else {
			/* No counters: the whole call, an upper bound */
			fz->paused = true;
			fz->pause_ns = fz->resumed_ns - start;
		}
	}
	hv_close(hv);
	return ret;
}

int snap_freeze(struct hv_vm *vm, struct snap_frozen *fz,
		int (*at_instant)(void *arg), void *arg, bool hold,
		const char *label, char *err, size_t errlen)
{
	struct hv_vm_info info;
	uint64_t start = 0;
	int ret, r;

	memset(fz, 0, sizeof(*fz));
	ret = hv_vm_info(vm, &info);
	if (ret)
		return seterr(err, errlen, ret, "%s: cannot read the VM: %s",
			      label, hv_strerror(ret));
	if (hold && info.state == HV_VM_STATE_RUNNING) {
		ret = freeze_held(vm, &info, fz, label, err, errlen);
		if (ret != -EINVAL || fz->cloned) {
			if (!ret && at_instant)
				ret = at_instant(arg);
			if (ret)
				snap_frozen_drop(fz);
			return ret;
		}
		memset(fz, 0, sizeof(*fz));
		if (err && errlen)
			err[0] = '\0';
	}

	/*
	 * A managed VM runs on kernel threads until it is paused; the
	 * clone needs it quiet.  EINVAL: it is not managed (run attached,
	 * which HV_VM_CLONE itself holds still, or refuses with EBUSY
	 * while a run is in progress), or it stopped meanwhile.
	 */
	if (info.state == HV_VM_STATE_RUNNING) {
		start = hv_monotonic_ns();
		ret = hv_vm_pause(vm);
		if (!ret)
			fz->paused = true;
		else if (ret != -EINVAL)
			return seterr(err, errlen, ret, "%s: cannot pause the "
				      "VM: %s", label, hv_strerror(ret));
	}

	ret = make_clone(vm, info.name, 0, fz, label, err, errlen);
	fz->cloned = !ret;
	if (!ret && at_instant)
		ret = at_instant(arg);

	/* On failure too: leave the VM running as we found it. */
	if (fz->paused) {
		r = hv_vm_resume(vm);
		if (r && !ret)
			ret = seterr(err, errlen, r, "%s: cannot resume the "
				     "VM: %s", label, hv_strerror(r));
	}
	fz->resumed_ns = hv_monotonic_ns();
	if (fz->paused)
		fz->pause_ns = fz->resumed_ns - start;
	if (ret)
		snap_frozen_drop(fz);
	return ret;
}

void snap_frozen_drop(struct snap_frozen *fz)
{
	/*
	 * An error here (-ENOENT: someone destroyed the clone already)
	 * changes nothing: the handle is closed all the same, and with it,
	 * HV_VM_DESTROY_ON_CLOSE, the clone.
	 */
	if (fz->clone)
		hv_vm_destroy(fz->clone);
	fz->clone = NULL;
}
