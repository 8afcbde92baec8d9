// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl info: what the CPU offers and what the module is doing.
 * (`hvctl info NAME`, about one VM, is in cli/list.c.)
 *
 * `hvctl info --json` prints one object on one line.  Its keys are an
 * interface: they are only ever added, never renamed or removed.
 *   vendor            "intel", "amd" or "none"
 *   api_version       the module's HV_API_VERSION
 *   nr_cpus           CPUs online when the module loaded
 *   cpus_online       CPUs online now
 *   cpus_enabled      CPUs with VMX/SVM switched on now
 *   virt_users        holders of hardware virtualization (VMs, test holds)
 * intel only:
 *   vmcs_revision     IA32_VMX_BASIC[30:0], number
 *   vmx_basic         IA32_VMX_BASIC, "0x..." string
 *   vmx_ept_vpid_cap  IA32_VMX_EPT_VPID_CAP, "0x..." string
 * amd only:
 *   nr_asids          CPUID 8000_000Ah:EBX, number
 *   svm_revision      CPUID 8000_000Ah:EAX[7:0], number
 *   svm_features      CPUID 8000_000Ah:EDX, "0x..." string
 * all:
 *   feature_msr       IA32_FEATURE_CONTROL or VM_CR, "0x..." string
 *   features_raw      struct hv_caps.features, "0x..." string
 *   features          { KEY: true|false } for every libhv feature key of
 *                     the vendor (hv_feature_table()); {} for "none"
 * 64-bit values are strings because JSON numbers are doubles.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>

#include "hvctl.h"
#include "json.h"

static const char *vendor_title(uint32_t vendor)
{
	switch (vendor) {
	case HV_VENDOR_INTEL:
		return "Intel VT-x";
	case HV_VENDOR_AMD:
		return "AMD-V";
	default:
		return "none (no VT-x or AMD-V found)";
	}
}

/* What is switched on per CPU: VMXON / EFER.SVME. */
static const char *vendor_mode(uint32_t vendor)
{
	switch (vendor) {
	case HV_VENDOR_INTEL:
		return "VMX";
	case HV_VENDOR_AMD:
		return "SVM";
	default:
		return "VMX/SVM";
	}
}

static void info_json(FILE *out, const struct hv_caps *c,
		      const struct hv_status *s)
{
	const struct hv_feature *tab;
	struct json j;
	size_t i, n;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "vendor", hv_vendor_name(c->vendor));
	json_uint(&j, "api_version", c->api_version);
	json_uint(&j, "nr_cpus", c->nr_cpus);
	json_uint(&j, "cpus_online", s->cpus_online);
	json_uint(&j, "cpus_enabled", s->cpus_enabled);
	json_uint(&j, "virt_users", s->virt_users);
	if (c->vendor == HV_VENDOR_INTEL) {
		json_uint(&j, "vmcs_revision", c->vmcs_revision);
		json_hex(&j, "vmx_basic", c->vmx_basic);
		json_hex(&j, "vmx_ept_vpid_cap", c->vmx_ept_vpid_cap);
	} else if (c->vendor == HV_VENDOR_AMD) {
		json_uint(&j, "nr_asids", c->nr_asids);
		json_uint(&j, "svm_revision", c->svm_revision);
		json_hex(&j, "svm_features", c->svm_features);
	}
	json_hex(&j, "feature_msr", c->feature_msr);
	json_hex(&j, "features_raw", c->features);

	json_object_begin(&j, "features");
	tab = hv_feature_table(&n);
	for (i = 0; i < n; i++)
		if (tab[i].vendor == c->vendor)
			json_bool(&j, tab[i].key, c->features & tab[i].bit);
	json_object_end(&j);

	json_object_end(&j);
	json_finish(&j);
}

#define LABEL	"%-18s"

static void info_text(FILE *out, const struct hv_caps *c,
		      const struct hv_status *s)
{
	const struct hv_feature *tab;
	size_t i, n;

	fprintf(out, LABEL "%s\n", "vendor:", vendor_title(c->vendor));
	fprintf(out, LABEL "%u\n", "api version:", c->api_version);
	fprintf(out, LABEL "%u (%u at module load)\n", "cpus online:",
		s->cpus_online, c->nr_cpus);
	fprintf(out, LABEL "%u (%s on now)\n", "cpus enabled:",
		s->cpus_enabled, vendor_mode(c->vendor));
	fprintf(out, LABEL "%u (VMs and test holds)\n", "virt users:",
		s->virt_users);

	if (c->vendor == HV_VENDOR_INTEL) {
		fprintf(out, LABEL "0x%x\n", "vmcs revision:",
			c->vmcs_revision);
		fprintf(out, LABEL "0x%" PRIx64 "\n", "vmx basic:",
			(uint64_t)c->vmx_basic);
		fprintf(out, LABEL "0x%" PRIx64 "\n", "ept/vpid cap:",
			(uint64_t)c->vmx_ept_vpid_cap);
		fprintf(out, LABEL "0x%" PRIx64 " (IA32_FEATURE_CONTROL)\n",
			"feature msr:", (uint64_t)c->feature_msr);
	} else if (c->vendor == HV_VENDOR_AMD) {
		fprintf(out, LABEL "0x%x\n", "svm revision:", c->svm_revision);
		fprintf(out, LABEL "%u\n", "asids:", c->nr_asids);
		fprintf(out, LABEL "0x%x (CPUID 8000_000Ah:EDX)\n",
			"svm features:", c->svm_features);
		fprintf(out, LABEL "0x%" PRIx64 " (VM_CR)\n", "feature msr:",
			(uint64_t)c->feature_msr);
	}
	fprintf(out, LABEL "0x%" PRIx64 "\n", "feature bits:",
		(uint64_t)c->features);

	if (c->vendor != HV_VENDOR_INTEL && c->vendor != HV_VENDOR_AMD)
		return;
	fputs("features:\n", out);
	tab = hv_feature_table(&n);
	for (i = 0; i < n; i++)
		if (tab[i].vendor == c->vendor)
			fprintf(out, "  %-22s  %-3s  %s\n", tab[i].key,
				c->features & tab[i].bit ? "yes" : "no",
				tab[i].desc);
}

int hvctl_info_print(FILE *out, const struct hv_caps *caps,
		     const struct hv_status *status, bool json)
{
	if (json)
		info_json(out, caps, status);
	else
		info_text(out, caps, status);
	return ferror(out) ? -EIO : 0;
}

#define MIB	(1ULL << 20)

/* What the caller holds and may hold (HV_GET_USAGE); nothing if unknown. */
static void info_usage(FILE *out, struct hv *hv)
{
	struct hv_usage u;

	if (hv_usage(hv, &u))
		return;
	if (u.flags & HV_USAGE_EXEMPT)
		fprintf(out, LABEL "uid %u: %llu MiB, %u VMs (no per-user "
			"limits)\n", "guest usage:", u.uid,
			(unsigned long long)(u.mem_used / MIB), u.vms);
	else
		fprintf(out, LABEL "uid %u: %llu MiB of %llu MiB, %u of %u "
			"VMs\n", "guest usage:", u.uid,
			(unsigned long long)(u.mem_used / MIB),
			(unsigned long long)(u.mem_max / MIB), u.vms,
			u.vms_max);
	fprintf(out, LABEL "%llu MiB available, %llu MiB kept back "
		"(hv.mem_reserve)\n", "host memory:",
		(unsigned long long)(u.host_available / MIB),
		(unsigned long long)(u.host_reserve / MIB));
}

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_JSON };

/*
 * `info [--json]` is the module's; `info NAME [--json]` a VM's
 * (cli/list.c).  Options may come before or after NAME.
 */
int hvctl_cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct hv_caps caps;
	struct hv_status status;
	struct hv *hv;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	if (optind + 1 < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind + 1]);
	if (optind < argc)
		return hvctl_vm_info_cmd(argv[0], argv[optind], json);

	ret = hvctl_open(argv[0], &hv);
	if (ret)
		return ret;

	ret = hv_caps(hv, &caps);
	if (ret) {
		ret = hvctl_fail_errno(argv[0], "cannot read capabilities",
				       ret);
		goto out;
	}
	ret = hv_status(hv, &status);
	if (ret) {
		ret = hvctl_fail_errno(argv[0], "cannot read status", ret);
		goto out;
	}
	/* Write errors are reported once, by hvctl_main(). */
	hvctl_info_print(hvctl_out, &caps, &status, json);
	if (!json)
		info_usage(hvctl_out, hv);
out:
	hv_close(hv);
	return ret;
}
