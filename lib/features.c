// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: names for vendors and HV_FEAT_* bits, shared by hvctl and by any
 * program that wants to explain a missing feature.  The keys appear in
 * `hvctl info --json`: never rename one, only add.
 */
#include <stddef.h>

#include "libhv.h"

#define INTEL(bit, key, desc)	{ HV_FEAT_##bit, HV_VENDOR_INTEL, key, desc }
#define AMD(bit, key, desc)	{ HV_FEAT_##bit, HV_VENDOR_AMD, key, desc }

static const struct hv_feature hv_features[] = {
	/* SDM Vol 3, Appendix A (VMX capability MSRs) */
	INTEL(VMX,		"vmx",		"VMX instructions (VT-x)"),
	INTEL(VMX_FC_LOCKED,	"feature_control_locked",
				"IA32_FEATURE_CONTROL locked by firmware"),
	INTEL(VMX_FC_ENABLED,	"vmxon_enabled",
				"VMXON allowed outside SMX"),
	INTEL(EPT,		"ept",		"EPT (extended page tables)"),
	INTEL(VPID,		"vpid",
				"VPID (TLB tags per virtual processor)"),
	INTEL(UNRESTRICTED,	"unrestricted_guest",
				"unrestricted guest (real mode, no paging)"),
	INTEL(EPT_2M,		"ept_2m",	"2 MiB EPT pages"),
	INTEL(EPT_1G,		"ept_1g",	"1 GiB EPT pages"),
	INTEL(EPT_AD,		"ept_ad",	"EPT accessed and dirty bits"),
	INTEL(EPT_WB,		"ept_wb",
				"write-back EPT paging structures"),
	INTEL(EPT_4LEVEL,	"ept_4level",	"4-level EPT page walk"),
	INTEL(INVEPT,		"invept",	"INVEPT instruction"),
	INTEL(INVVPID,		"invvpid",	"INVVPID instruction"),
	INTEL(VMX_TRUE_CTLS,	"vmx_true_ctls",
				"IA32_VMX_TRUE_*_CTLS capability MSRs"),
	/* APM Vol 2, ch. 15 (SVM); CPUID Fn8000_000A_EDX */
	AMD(SVM,		"svm",		"SVM instructions (AMD-V)"),
	AMD(SVM_LOCKED,		"svm_lock",
				"VM_CR locked by firmware (SVM_LOCK)"),
	AMD(SVM_DISABLED,	"svm_disabled",
				"SVM disabled by firmware (VM_CR.SVMDIS)"),
	AMD(NPT,		"npt",		"NPT (nested page tables)"),
	AMD(NRIPS,		"nrip_save",	"next-RIP save on #VMEXIT"),
	AMD(DECODE_ASSISTS,	"decode_assists",
				"decode assists (exit info for MMIO, CRx)"),
	AMD(FLUSH_BY_ASID,	"flush_by_asid", "TLB flush by ASID"),
	AMD(VMCB_CLEAN,		"vmcb_clean",	"VMCB clean bits"),
	AMD(LBR_VIRT,		"lbr_virt",	"LBR virtualization"),
};

const struct hv_feature *hv_feature_table(size_t *n)
{
	if (n)
		*n = sizeof(hv_features) / sizeof(hv_features[0]);
	return hv_features;
}

const char *hv_vendor_name(uint32_t vendor)
{
	switch (vendor) {
	case HV_VENDOR_INTEL:
		return "intel";
	case HV_VENDOR_AMD:
		return "amd";
	default:
		return "none";
	}
}
