/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int svm_vmrun(u64 vmcb_pa, u64 host_save_pa, struct hv_regs *regs)
 *
 * Called with interrupts off and GIF clear (CLGI).  Loads the guest's
 * general registers (RAX and RSP live in the VMCB), runs the guest, and
 * stores them back.  VMRUN itself saves and restores only part of the host
 * state (APM Vol 2, 15.5.1); FS, GS, TR, LDTR, KernelGSBase and the
 * SYSCALL/SYSENTER MSRs travel with VMLOAD/VMSAVE (15.5.2), so the host's
 * copies are reloaded here, before anything can touch per-CPU data via GS.
 * Returns 0, or -EIO if an SVM instruction faulted (SVM was switched off
 * under us, e.g. by an emergency reboot).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>

/* struct hv_regs offsets (include/uapi/hv.h) */
#define REG_RBX		8
#define REG_RCX		16
#define REG_RDX		24
#define REG_RSI		32
#define REG_RDI		40
#define REG_RBP		56
#define REG_R8		64
#define REG_R9		72
#define REG_R10		80
#define REG_R11		88
#define REG_R12		96
#define REG_R13		104
#define REG_R14		112
#define REG_R15		120

	.section .noinstr.text, "ax"

SYM_FUNC_START(svm_vmrun)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rsi			/* host save area */
	push %rdx			/* regs */
	push %rdi			/* guest VMCB */

	/* Guest GPRs in; RAX keeps the VMCB address for VMLOAD/VMRUN. */
	mov  %rdi, %rax
	mov  REG_RBX(%rdx), %rbx
	mov  REG_RCX(%rdx), %rcx
	mov  REG_RSI(%rdx), %rsi
	mov  REG_RDI(%rdx), %rdi
	mov  REG_RBP(%rdx), %rbp
	mov  REG_R8(%rdx),  %r8
	mov  REG_R9(%rdx),  %r9
	mov  REG_R10(%rdx), %r10
	mov  REG_R11(%rdx), %r11
	mov  REG_R12(%rdx), %r12
	mov  REG_R13(%rdx), %r13
	mov  REG_R14(%rdx), %r14
	mov  REG_R15(%rdx), %r15
	mov  REG_RDX(%rdx), %rdx

1:	vmload %rax
	/*
	 * IF=1 with GIF=0: nothing reaches the host yet, but VMRUN records
	 * IF=1 as the host's, so physical interrupts in the guest exit
	 * (APM Vol 2, 15.21.1 V_INTR_MASKING).
	 */
	sti
2:	vmrun %rax
	cli

	/* RAX is the host's again (the VMCB address); RSP too. */
	mov  8(%rsp), %rax		/* regs */
	mov  %rbx, REG_RBX(%rax)
	mov  %rcx, REG_RCX(%rax)
	mov  %rdx, REG_RDX(%rax)
	mov  %rsi, REG_RSI(%rax)
	mov  %rdi, REG_RDI(%rax)
	mov  %rbp, REG_RBP(%rax)
	mov  %r8,  REG_R8(%rax)
	mov  %r9,  REG_R9(%rax)
	mov  %r10, REG_R10(%rax)
	mov  %r11, REG_R11(%rax)
	mov  %r12, REG_R12(%rax)
	mov  %r13, REG_R13(%rax)
	mov  %r14, REG_R14(%rax)
	mov  %r15, REG_R15(%rax)

	pop  %rax			/* guest VMCB */
3:	vmsave %rax
	pop  %rax			/* regs, done with */
	pop  %rax			/* host save area */
4:	vmload %rax

	/* Spectre v2: overwrite guest-filled RSB entries before any RET */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	xor  %eax, %eax

5:
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
	 * hold the guest's value, so unwind by RSP: each site knows how
	 * many of its three scratch slots are still on the stack.
	 */
10:	cli
	add  $24, %rsp
	jmp  13f
11:	add  $16, %rsp
	jmp  13f
12:
13:	mov  $-5, %eax			/* -EIO */
	jmp  5b

	_ASM_EXTABLE(1b, 10b)
	_ASM_EXTABLE(2b, 10b)
	_ASM_EXTABLE(3b, 11b)
	_ASM_EXTABLE(4b, 12b)
SYM_FUNC_END(svm_vmrun)
