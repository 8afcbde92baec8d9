/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int svm_vmrun(struct hv_regs *regs, u64 vmcb_pa, u64 host_save_pa)
 *
 * Enter the guest once on AMD-V.  Called with interrupts off and GIF
 * clear (CLGI); the guest's RAX, RSP, RIP and RFLAGS live in the VMCB,
 * the other general registers in @regs.  VMRUN itself saves and restores
 * only part of the host state (APM Vol 2, 15.5.1); FS, GS, TR, LDTR,
 * KernelGSBase and the SYSCALL/SYSENTER MSRs travel with VMLOAD/VMSAVE
 * (15.5.2), so the host's copies are reloaded here, before anything can
 * touch per-CPU data via GS.  The steps:
 *
 *   1. Save the host's callee-saved registers; keep the host save area,
 *      the guest VMCB and @regs on the stack.
 *   2. Load the guest's general registers from @regs (vmx_vmenter.S
 *      does the same, in the same order, from the same base register);
 *      RAX holds the VMCB address for VMLOAD and VMRUN.
 *   3. VMLOAD the guest's hidden state, VMRUN (15.5.1); a failed
 *      consistency check is a #VMEXIT too (VMEXIT_INVALID).
 *   4. After the #VMEXIT, RAX and RSP are the host's again: store the
 *      guest's general registers in @regs.
 *   5. VMSAVE the guest's hidden state, VMLOAD the host's (15.5.2).
 *   6. Overwrite the return stack buffer, clear every caller-saved
 *      register of guest values, restore the host's registers.
 *
 * Returns (kmod/hv.h, the same convention as vmx_vmenter):
 *   HV_ENTER_EXIT	after the #VMEXIT, including VMEXIT_INVALID; @regs
 *			holds the guest's.
 *   HV_ENTER_FAULT	an SVM instruction faulted (SVM switched off under
 *			us, e.g. by an emergency reboot).
 * VMRUN has no VMfail: HV_ENTER_VMFAIL never comes back from here.
 * Offsets and constants come from hv-asm-offsets.h, which kbuild
 * generates from hv-asm-offsets.c.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>
#include "hv-asm-offsets.h"

	.section .noinstr.text, "ax"

SYM_FUNC_START(svm_vmrun)
	/* 1. Host registers the C caller expects back */
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdx			/* host save area */
	push %rsi			/* guest VMCB */
	push %rdi			/* regs */

	/* 2. Guest GPRs in; RDI, the base, last. */
	mov  %rsi, %rax
	mov  HV_REGS_RBX(%rdi), %rbx
	mov  HV_REGS_RCX(%rdi), %rcx
	mov  HV_REGS_RDX(%rdi), %rdx
	mov  HV_REGS_RSI(%rdi), %rsi
	mov  HV_REGS_RBP(%rdi), %rbp
	mov  HV_REGS_R8(%rdi),  %r8
	mov  HV_REGS_R9(%rdi),  %r9
	mov  HV_REGS_R10(%rdi), %r10
	mov  HV_REGS_R11(%rdi), %r11
	mov  HV_REGS_R12(%rdi), %r12
	mov  HV_REGS_R13(%rdi), %r13
	mov  HV_REGS_R14(%rdi), %r14
	mov  HV_REGS_R15(%rdi), %r15
	mov  HV_REGS_RDI(%rdi), %rdi

	/* 3. */
1:	vmload %rax
	/*
	 * IF=1 with GIF=0: nothing reaches the host yet, but VMRUN records
	 * IF=1 as the host's, so physical interrupts in the guest exit
	 * (APM Vol 2, 15.21.1 V_INTR_MASKING).
	 */
	sti
2:	vmrun %rax
	cli

	/* 4. Guest GPRs out; RAX, the base, from the stack. */
	mov  (%rsp), %rax		/* regs */
	mov  %rbx, HV_REGS_RBX(%rax)
	mov  %rcx, HV_REGS_RCX(%rax)
	mov  %rdx, HV_REGS_RDX(%rax)
	mov  %rsi, HV_REGS_RSI(%rax)
	mov  %rdi, HV_REGS_RDI(%rax)
	mov  %rbp, HV_REGS_RBP(%rax)
	mov  %r8,  HV_REGS_R8(%rax)
	mov  %r9,  HV_REGS_R9(%rax)
	mov  %r10, HV_REGS_R10(%rax)
	mov  %r11, HV_REGS_R11(%rax)
	mov  %r12, HV_REGS_R12(%rax)
	mov  %r13, HV_REGS_R13(%rax)
	mov  %r14, HV_REGS_R14(%rax)
	mov  %r15, HV_REGS_R15(%rax)

	/* 5. */
	pop  %rax			/* regs, done with */
	pop  %rax			/* guest VMCB */
3:	vmsave %rax
	pop  %rax			/* host save area */
4:	vmload %rax

	/* 6. Spectre v2: overwrite guest-filled RSB entries before any RET */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	mov  $HV_ENTER_EXIT, %eax

.Lout:
	/* Leave no guest value in a register the compiler may not expect. */
	xor  %ecx, %ecx
	xor  %edx, %edx
	xor  %esi, %esi
	xor  %edi, %edi
	xor  %r8d, %r8d
	xor  %r9d, %r9d
	xor  %r10d, %r10d
	xor  %r11d, %r11d
	pop  %rbx
	pop  %r12
	pop  %r13
	pop  %r14
	pop  %r15
	pop  %rbp
	RET

	/*
	 * An SVM instruction faulted (SVM switched off under us).  RBP may
	 * hold the guest's value, so unwind by RSP: each site drops the
	 * stack slots it still has (three at 1 and 2, one at 3, none at 4).
	 */
10:	cli				/* 2: after STI */
	add  $16, %rsp
11:	add  $8, %rsp
12:	mov  $HV_ENTER_FAULT, %eax
	jmp  .Lout

	_ASM_EXTABLE(1b, 10b)
	_ASM_EXTABLE(2b, 10b)
	_ASM_EXTABLE(3b, 11b)
	_ASM_EXTABLE(4b, 12b)
SYM_FUNC_END(svm_vmrun)
