# SPDX-License-Identifier: GPL-2.0
#
# state: for hv-state-test (HV_VM_GET/SET_VCPU_STATE).  Loads distinctive
# values into GPRs, XMM0/XMM15, x87 (pi, then 1), MXCSR, DR0-3 (DR7 left
# at 400h: no breakpoint armed) and the syscall/sysenter MSRs, then HLTs:
# the host takes the state here and loads it into a second VM, which goes
# on from the HLT: it stores what it finds at TABLE_OUT and HLTs again
# after RES_DONE.  Layout at TABLE_OUT (the host checks it):
#   0  xmm0   16  xmm15   32  st(0) (10 bytes)   48  mxcsr
#   56 dr0 dr1 dr2 dr3 dr7   96  the 8 MSRs below, in this order
#  160 rbx rbp r8 r9 r10 r11 r12 r14 r15
# After that, vector 13's handler (installed over lib64's) reports 13
# and the error code on PORT_RESULT and halts: the host queues a #GP
# through the state and checks what the guest saw.
	.include "guest.inc"
	.set	MSR_STAR, 0xc0000081
	.set	MSR_LSTAR, 0xc0000082
	.set	MSR_CSTAR, 0xc0000083
	.set	MSR_SFMASK, 0xc0000084
	.set	MSR_KGS, 0xc0000102
	.set	MSR_SYSENTER_CS, 0x174
	.set	MSR_SYSENTER_ESP, 0x175
	.set	MSR_SYSENTER_EIP, 0x176
	.globl	_start
_start:
	ENTRY64
	call	idt_setup
	# vector 13 -> gp_handler (64-bit interrupt gate, as idt_setup makes)
	lea	idt+13*16(%rip), %rdi
	lea	gp_handler(%rip), %rax
	mov	%ax, (%rdi)
	shr	$16, %rax
	mov	%ax, 6(%rdi)
	shr	$16, %rax
	mov	%eax, 8(%rdi)

	# SSE needs CR4.OSFXSR (and OSXMMEXCPT), or it raises #UD
	mov	%cr4, %rax
	or	$0x600, %rax
	mov	%rax, %cr4
	movdqu	xmm0v(%rip), %xmm0
	movdqu	xmm15v(%rip), %xmm15
	fninit
	fld1
	fldpi
	ldmxcsr	mxcsrv(%rip)
	mov	$0x1111000, %rax
	mov	%rax, %dr0
	mov	$0x2222000, %rax
	mov	%rax, %dr1
	mov	$0x3333000, %rax
	mov	%rax, %dr2
	mov	$0x4444000, %rax
	mov	%rax, %dr3

	lea	msrvals(%rip), %rsi
	lea	msrs(%rip), %rdi
	mov	$8, %r9d
1:	mov	(%rdi), %ecx
	mov	(%rsi), %eax
	mov	4(%rsi), %edx
	wrmsr
	add	$4, %rdi
	add	$8, %rsi
	dec	%r9d
	jnz	1b

	mov	$0xb0b0b0b0b0b0b0b0, %rbx
	mov	$0xbebebebebebebebe, %rbp
	mov	$0x0808080808080808, %r8
	mov	$0x0909090909090909, %r9
	mov	$0x1010101010101010, %r10
	mov	$0x1111111111111111, %r11
	mov	$0x1212121212121212, %r12
	mov	$0x1414141414141414, %r14
	mov	$0x1515151515151515, %r15
	hlt			# the host takes the state here

	mov	$TABLE_OUT, %edi
	movdqu	%xmm0, 0(%rdi)
	movdqu	%xmm15, 16(%rdi)
	fstpt	32(%rdi)
	stmxcsr	48(%rdi)
	mov	%dr0, %rax
	mov	%rax, 56(%rdi)
	mov	%dr1, %rax
	mov	%rax, 64(%rdi)
	mov	%dr2, %rax
	mov	%rax, 72(%rdi)
	mov	%dr3, %rax
	mov	%rax, 80(%rdi)
	mov	%dr7, %rax
	mov	%rax, 88(%rdi)
	mov	%rbx, 160(%rdi)
	mov	%rbp, 168(%rdi)
	mov	%r8, 176(%rdi)
	mov	%r9, 184(%rdi)
	mov	%r10, 192(%rdi)
	mov	%r11, 200(%rdi)
	mov	%r12, 208(%rdi)
	mov	%r14, 216(%rdi)
	mov	%r15, 224(%rdi)
	lea	msrs(%rip), %rsi
	lea	96(%rdi), %r8
	mov	$8, %r9d
2:	mov	(%rsi), %ecx
	rdmsr
	mov	%eax, (%r8)
	mov	%edx, 4(%r8)
	add	$4, %rsi
	add	$8, %r8
	dec	%r9d
	jnz	2b
	REPORT	$RES_DONE
	hlt
3:	hlt
	jmp	3b

gp_handler:
	REPORT	$13
	pop	%rax			# the error code
	out	%eax, $PORT_RESULT
4:	hlt
	jmp	4b

	.balign 16
xmm0v:	.quad	0x0123456789abcdef, 0xfedcba9876543210
xmm15v:	.quad	0x5555aaaa5555aaaa, 0x0f0f0f0ff0f0f0f0
mxcsrv:	.long	0x3f80			# all masked, round down
msrs:	.long	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KGS
	.long	MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP
	.balign 8
msrvals:
	.quad	0x0023001000000000, 0xffffffff81234560, 0xffffffff81abcde0
	.quad	0x47700, 0x00007f1234567000, 0x10, 0xffff888012340000
	.quad	0xffffffff81555550
	.include "lib64.inc"
