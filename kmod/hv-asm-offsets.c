// SPDX-License-Identifier: GPL-2.0
/*
 * Constants for the entry stubs (vmx/vmx_vmenter.S, svm/svm_vmrun.S),
 * taken from the C declarations so that no table in assembly can drift
 * from them.  Kbuild compiles this file to hv-asm-offsets.s only (it is
 * never linked) and turns each DEFINE/OFFSET line into a #define in the
 * generated hv-asm-offsets.h (the rule is in kmod/Kbuild), as the
 * kernel's asm-offsets.c, KVM's kvm-asm-offsets.c and bhyve's
 * vmx_genassym.c do.
 */
#define COMPILE_OFFSETS

#include "hv.h"		/* first: it sets pr_fmt */
#include <linux/kbuild.h>
#include <asm/vmx.h>

static void __used common(void)
{
	COMMENT("struct hv_regs (include/uapi/hv.h): the guest's GPRs");
	OFFSET(HV_REGS_RAX, hv_regs, rax);
	OFFSET(HV_REGS_RBX, hv_regs, rbx);
	OFFSET(HV_REGS_RCX, hv_regs, rcx);
	OFFSET(HV_REGS_RDX, hv_regs, rdx);
	OFFSET(HV_REGS_RSI, hv_regs, rsi);
	OFFSET(HV_REGS_RDI, hv_regs, rdi);
	OFFSET(HV_REGS_RBP, hv_regs, rbp);
	OFFSET(HV_REGS_R8, hv_regs, r8);
	OFFSET(HV_REGS_R9, hv_regs, r9);
	OFFSET(HV_REGS_R10, hv_regs, r10);
	OFFSET(HV_REGS_R11, hv_regs, r11);
	OFFSET(HV_REGS_R12, hv_regs, r12);
	OFFSET(HV_REGS_R13, hv_regs, r13);
	OFFSET(HV_REGS_R14, hv_regs, r14);
	OFFSET(HV_REGS_R15, hv_regs, r15);
	BLANK();

	COMMENT("What the entry stubs return (kmod/hv.h)");
	DEFINE(HV_ENTER_EXIT, HV_ENTER_EXIT);
	DEFINE(HV_ENTER_VMFAIL, HV_ENTER_VMFAIL);
	DEFINE(HV_ENTER_FAULT, HV_ENTER_FAULT);
	BLANK();

	COMMENT("VMCS field encodings (<asm/vmx.h>; SDM Vol 3D, Appendix B)");
	DEFINE(VMCS_HOST_RSP, HOST_RSP);
}
