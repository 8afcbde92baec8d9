/* SPDX-License-Identifier: GPL-2.0 */
/*
 * int vmx_vmenter(struct hv_regs *regs, bool launched)
 *
 * Called with interrupts off and the vCPU's VMCS current.  Loads the
 * guest's general registers (RSP, RIP and RFLAGS live in the VMCS), then
 * VMLAUNCH (first time) or VMRESUME.  A VM exit resumes at vmx_vmexit
 * (the VMCS's HOST_RIP) on the stack recorded in HOST_RSP, with RSP the
 * only general register restored (SDM Vol 3C, 28.5.1) - the same shape
 * as KVM's vmenter.S, which keeps objtool able to follow it.
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME failed (VMfail: read
 * VM_INSTRUCTION_ERROR), 2 if it faulted (VMX off under us).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>

/* struct hv_regs offsets (include/uapi/hv.h) */
#define REG_RAX		0
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

#define VMCS_HOST_RSP	0x00006c14	/* SDM Vol 3C, Appendix B.4.4 */

	.section .noinstr.text, "ax"

/*
 * vmx_do_enter: HOST_RSP = RSP (pointing at our return address), guest
 * GPRs in, then VMLAUNCH/VMRESUME.  Three ways back, all via that return
 * address: a VM exit (HOST_RIP = vmx_vmexit, which returns; RFLAGS = 2),
 * VMfail (falls through; CF or ZF set, EAX = 1), or a fault (EAX = 2, CF).
 * RDI = regs, SIL = launched.
 */
SYM_FUNC_START_LOCAL(vmx_do_enter)
	mov  $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax

	/* Flags survive the MOVs below; they choose LAUNCH or RESUME. */
	test %sil, %sil

	mov  REG_RAX(%rdi), %rax
	mov  REG_RBX(%rdi), %rbx
	mov  REG_RCX(%rdi), %rcx
	mov  REG_RDX(%rdi), %rdx
	mov  REG_RSI(%rdi), %rsi
	mov  REG_RBP(%rdi), %rbp
	mov  REG_R8(%rdi),  %r8
	mov  REG_R9(%rdi),  %r9
	mov  REG_R10(%rdi), %r10
	mov  REG_R11(%rdi), %r11
	mov  REG_R12(%rdi), %r12
	mov  REG_R13(%rdi), %r13
	mov  REG_R14(%rdi), %r14
	mov  REG_R15(%rdi), %r15
	mov  REG_RDI(%rdi), %rdi

	jnz  2f
1:	vmlaunch
	mov  $1, %eax			/* MOV keeps VMfail's CF/ZF */
	RET
2:	vmresume
	mov  $1, %eax
	RET
3:	mov  $2, %eax
	stc
	RET

	_ASM_EXTABLE(1b, 3b)
	_ASM_EXTABLE(2b, 3b)
SYM_FUNC_END(vmx_do_enter)

/* HOST_RIP: RSP = HOST_RSP, so this returns to vmx_do_enter's caller. */
SYM_FUNC_START(vmx_vmexit)
	RET
SYM_FUNC_END(vmx_vmexit)

SYM_FUNC_START(vmx_vmenter)
	push %rbp
	mov  %rsp, %rbp
	push %r15
	push %r14
	push %r13
	push %r12
	push %rbx
	push %rdi			/* regs */

	call vmx_do_enter
	jbe  .Lfailed			/* VMfail or fault: no guest ran */

	/* VM exit: RSP is ours again; the regs slot is on top. */
	push %rax			/* guest RAX */
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
	pop  %rbx			/* guest RAX */
	mov  %rbx, REG_RAX(%rax)

	/*
	 * Spectre v2: the guest may have filled the return stack buffer;
	 * overwrite it before the first host RET (as KVM's vmenter.S).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	xor  %eax, %eax

.Lfailed:
	pop  %rdi			/* regs slot */
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
