// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl stat NAME [--vcpu N] [--all] [--json]: a VM's counters, once
 * (docs/stats.md lists them).
 *
 * Text: one "NAME VALUE" line per counter that is not zero (every one
 * with --all), in the module's order: exit.* and exit_ns.* by reason,
 * then the rest.  JSON: one object on one line,
 *
 *   {"name":"web","vcpu":"all","stats":{"exit.none":0,...}}
 *
 * ("vcpu": N with --vcpu), with every counter the module has, zero or
 * not, so that a script finds each key it knows.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"
#include "json.h"

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_VCPU, OPT_ALL, OPT_JSON };

int hvctl_stat_print(FILE *out, const char *name, uint32_t vcpu,
		     const struct hv_stat_desc *d, const uint64_t *v,
		     size_t n, bool all, bool json)
{
	struct json j;
	char nm[HV_STAT_NAME_LEN + 1];
	size_t i;

	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_string(&j, "name", name);
		if (vcpu == HV_STATS_VM)
			json_string(&j, "vcpu", "all");
		else
			json_uint(&j, "vcpu", vcpu);
		json_object_begin(&j, "stats");
		for (i = 0; i < n; i++) {
			/* the module NUL-terminates; never trust it blindly */
			memcpy(nm, d[i].name, HV_STAT_NAME_LEN);
			nm[HV_STAT_NAME_LEN] = '\0';
			json_uint(&j, nm, v[i]);
		}
		json_object_end(&j);
		json_object_end(&j);
		return json_finish(&j);
	}
	for (i = 0; i < n; i++) {
		if (!v[i] && !all)
			continue;
		memcpy(nm, d[i].name, HV_STAT_NAME_LEN);
		nm[HV_STAT_NAME_LEN] = '\0';
		fprintf(out, "%-24s %" PRIu64 "\n", nm, v[i]);
	}
	return ferror(out) ? -EIO : 0;
}

int hvctl_cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "vcpu", required_argument, NULL, OPT_VCPU },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const struct hv_stat_desc *d;
	char ctx[HVCTL_CTX_LEN];
	uint32_t vcpu = HV_STATS_VM;
	bool all = false, json = false;
	const char *ref;
	struct hv_vm *vm;
	struct hv *hv;
	uint64_t *v, id;
	size_t n;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_VCPU:
			/* any id the ABI carries: the module knows which exist */
			if (hvctl_parse_uint(optarg, 0, HV_STATS_VM - 1, &id))
				return hvctl_usage_error(argv[0],
					"--vcpu %s: not a vCPU id", optarg);
			vcpu = (uint32_t)id;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	ret = hvctl_parse_ref(argc, argv, &ref);
	if (ret >= 0)
		return ret;
	hvctl_ctx(ctx, sizeof(ctx), argv[0], ref);
	ret = hvctl_vm_get(ctx, ref, &hv, &vm);
	if (ret)
		return ret;

	r = hv_stats_names(hv, &d, &n);
	if (r) {
		ret = r == -ENOTTY ? hvctl_fail(ctx, "the module has no "
						"statistics (API < 6)")
				   : hvctl_fail_errno(ctx, "cannot read the "
						      "counters' names", r);
		goto out;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		ret = hvctl_fail_errno(ctx, "cannot read statistics", -ENOMEM);
		goto out;
	}
	r = hv_vm_stats(vm, vcpu, v, n);
	if (r == -ENOENT)
		ret = hvctl_fail(ctx, "no such vCPU: %" PRIu32, vcpu);
	else if (r < 0)
		ret = hvctl_vm_fail(ctx, hv, ref, r);
	else
		/* Write errors are reported once, by hvctl_main(). */
		hvctl_stat_print(hvctl_out, hv_vm_name(vm), vcpu, d, v,
				 (size_t)r < n ? (size_t)r : n, all, json);
	free(v);
out:
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}
