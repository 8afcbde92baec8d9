/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int vmx_vmenter(struct hv_regs *regs, bool launched)
 *
 * Enter the guest once on VT-x.  Called with interrupts off and the
 * vCPU's VMCS current; the guest's RSP, RIP and RFLAGS live in the VMCS,
 * the other general registers in @regs.  The steps:
 *
 *   1. Save the host's callee-saved registers; keep @regs and a status
 *      slot (HV_ENTER_EXIT) on the stack.
 *   2. Write RSP to HOST_RSP (SDM Vol 3C, 25.5): a VM exit loads it.
 *   3. Load the guest's general registers from @regs.
 *   4. VMLAUNCH the first time, VMRESUME after (SDM Vol 3C, 27.1).
 *   5. A VM exit resumes at vmx_vmexit (the VMCS's HOST_RIP) with RSP
 *      the only general register restored (SDM Vol 3C, 28.5.1), and
 *      returns from vmx_do_enter - the same shape as KVM's vmenter.S
 *      before 5.19, which keeps objtool able to follow it.
 *   6. Store the guest's general registers in @regs (svm_vmrun.S does
 *      the same, in the same order, from the same base register).
 *   7. Overwrite the return stack buffer, clear every caller-saved
 *      register of guest values, restore the host's registers.
 *
 * Returns (kmod/hv.h, the same convention as svm_vmrun):
 *   HV_ENTER_EXIT	after a VM exit, including a failed guest-state
 *			check (exit reason bit 31); @regs holds the guest's.
 *   HV_ENTER_VMFAIL	VMLAUNCH/VMRESUME failed as an instruction (read
 *			VM_INSTRUCTION_ERROR); @regs untouched.
 *   HV_ENTER_FAULT	VMWRITE/VMLAUNCH/VMRESUME faulted (VMX off under
 *			us); @regs untouched.
 * Offsets and constants come from hv-asm-offsets.h, which kbuild
 * generates from hv-asm-offsets.c.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include "hv-asm-offsets.h"

	.section .noinstr.text, "ax"

/*
 * vmx_do_enter: steps 2-4.  Called with the status slot at 16(%rsp) and
 * @regs at 8(%rsp).  Three ways back, all through our return address:
 * a VM exit (HOST_RIP = vmx_vmexit, which returns), VMfail (falls
 * through) or a fault (the exception table); the last two write their
 * HV_ENTER_* in the status slot.  The caller tests the slot, not flags,
 * so that nothing depends on RET keeping RFLAGS (a return thunk may not).
 * RDI = regs, SIL = launched.
 */
SYM_FUNC_START_LOCAL(vmx_do_enter)
	/* 2. HOST_RSP = RSP, pointing at our return address */
	mov  $VMCS_HOST_RSP, %rax
0:	vmwrite %rsp, %rax

	/* Flags survive the MOVs below; they choose LAUNCH or RESUME. */
	test %sil, %sil

	/* 3. Guest GPRs in; RDI, the base, last. */
	mov  HV_REGS_RAX(%rdi), %rax
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

	/* 4. SDM Vol 3C, 31.2: VMfail sets CF or ZF and falls through */
	jnz  2f
1:	vmlaunch
	movq $HV_ENTER_VMFAIL, 16(%rsp)
	RET
2:	vmresume
	movq $HV_ENTER_VMFAIL, 16(%rsp)
	RET
3:	movq $HV_ENTER_FAULT, 16(%rsp)
	RET

	_ASM_EXTABLE(0b, 3b)
	_ASM_EXTABLE(1b, 3b)
	_ASM_EXTABLE(2b, 3b)
SYM_FUNC_END(vmx_do_enter)

/* 5. HOST_RIP: RSP = HOST_RSP, so this returns to vmx_do_enter's caller. */
SYM_FUNC_START(vmx_vmexit)
	RET
SYM_FUNC_END(vmx_vmexit)

SYM_FUNC_START(vmx_vmenter)
	/* 1. Host registers the C caller expects back */
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push $HV_ENTER_EXIT		/* status */
	push %rdi			/* regs */

	call vmx_do_enter
	cmpq $HV_ENTER_EXIT, 8(%rsp)
	jne  .Lout			/* VMfail or fault: no guest ran */

	/* 6. Guest GPRs out; RAX, the base, from the stack. */
	push %rax			/* guest RAX */
	mov  8(%rsp), %rax		/* regs */
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
	pop  HV_REGS_RAX(%rax)

	/*
	 * 7. Spectre v2: the guest may have filled the return stack buffer;
	 * overwrite it before the first host RET (as KVM's vmenter.S).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT

.Lout:
	pop  %rdi			/* regs */
	pop  %rax			/* status: the return value */
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
SYM_FUNC_END(vmx_vmenter)

/*
 * void vmx_do_interrupt_irqoff(unsigned long entry)
 *
 * The VM exit acknowledged an external interrupt for us (SDM Vol 3C,
 * 25.7.1, "acknowledge interrupt on exit"), so nothing will deliver it:
 * call the host's handler from its IDT gate as the CPU would, on an
 * interrupt frame (SS, RSP, RFLAGS, CS; the CALL pushes RIP) - the same
 * trampoline as KVM's vmx_do_interrupt_nmi_irqoff.  The handler's IRET
 * returns here with interrupts still off.
 */
SYM_FUNC_START(vmx_do_interrupt_irqoff)
	push %rbp
	mov  %rsp, %rbp
	and  $-16, %rsp			/* as the CPU aligns on delivery */
	push $__KERNEL_DS
	push %rbp
	pushf
	push $__KERNEL_CS
	CALL_NOSPEC rdi
	leave
	RET
SYM_FUNC_END(vmx_do_interrupt_irqoff)
