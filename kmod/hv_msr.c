// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR exits: which MSRs a guest may use and which values it may
 * write, one set of rules for both vendors; the backends only store.
 */
#include "hv.h"

#include <asm/msr-index.h>

#define X86_VEC_GP	13	/* SDM Vol 3A, Table 6-1 */

/* The MSRs a guest may use; everything else raises #GP. */
bool hv_msr_allowed(u32 index)
{
	switch (index) {
	case MSR_EFER:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_CR_PAT:
		return true;
	default:
		return false;
	}
}

/* SDM Vol 3A, 13.12.2 / APM Vol 2, 7.8.1: each PAT entry a valid type */
static bool hv_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/*
 * The architectural rules for a WRMSR value, the same on both vendors;
 * a value breaking them raises #GP.  The backend only stores.
 */
bool hv_msr_value_ok(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	struct hv_sregs s;
	u64 efer;

	switch (index) {
	case MSR_EFER:
		/* LMA is the CPU's to set; LME may not change under paging */
		if (hv_ops->get_msr(vcpu, MSR_EFER, &efer))
			return false;
		hv_ops->get_sregs(vcpu, &s);
		return !(val & ~HV_EFER_ALLOWED) &&
		       (val & EFER_LMA) == (efer & EFER_LMA) &&
		       !((val ^ efer) & EFER_LME && s.cr0 & X86_CR0_PG);
	case MSR_IA32_CR_PAT:
		return hv_pat_valid(val);
	case MSR_STAR:
	case MSR_SYSCALL_MASK:
	case MSR_IA32_SYSENTER_CS:
		return true;
	default:
		/* The rest hold addresses: non-canonical ones #GP */
		return (u64)(((s64)val << 16) >> 16) == val;
	}
}

int hv_handle_msr(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	u32 index = exit->msr.index;
	u64 val;
	int r = -EINVAL;

	if (exit->code == HV_X_RDMSR) {
		if (hv_msr_allowed(index))
			r = hv_ops->get_msr(vcpu, index, &val);
		if (!r) {
			/* SDM Vol 2B, RDMSR: EDX:EAX, upper halves cleared */
			vcpu->regs.rax = (u32)val;
			vcpu->regs.rdx = val >> 32;
		}
	} else {
		val = (vcpu->regs.rdx << 32) | (u32)vcpu->regs.rax;
		if (hv_msr_allowed(index) &&
		    hv_msr_value_ok(vcpu, index, val))
			r = hv_ops->set_msr(vcpu, index, val);
	}
	if (r) {
		hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	vcpu->regs.rip = exit->next_rip;
	return 1;
}
