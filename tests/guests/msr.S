# SPDX-License-Identifier: GPL-2.0
#
# msr: for each entry the host put at TABLE_IN (u32 count, pad, then count
# x {u32 msr, u32 flags, u64 value}): report RES_MARK + i, WRMSR the value
# if flags bit 0 is set, then RDMSR and store EDX:EAX at TABLE_OUT + 8 * i.
# A refused MSR must raise #GP: the IDT's handler reports 13 and resumes
# after the instruction.
	.include "guest.inc"
	.set	MSR_WRITE, 1
	.globl	_start
_start:
	ENTRY64
	call	idt_setup
	mov	$TABLE_IN, %r8d
	mov	(%r8), %r9d
	lea	8(%r8), %r10
	mov	$TABLE_OUT, %r11d
	xor	%r12d, %r12d			# index
1:	cmp	%r9d, %r12d
	je	3f
	lea	RES_MARK(%r12), %eax
	out	%eax, $PORT_RESULT
	mov	(%r10), %ecx
	testl	$MSR_WRITE, 4(%r10)
	jz	2f
	mov	8(%r10), %eax
	mov	12(%r10), %edx
	lea	2f(%rip), %r13			# resume point if #GP
	wrmsr
	xor	%r13d, %r13d
2:	mov	(%r10), %ecx
	mov	$0xdead0000, %eax		# what a faulting RDMSR leaves
	mov	$0xdead0000, %edx
	lea	4f(%rip), %r13
	rdmsr
4:	xor	%r13d, %r13d
	mov	%eax, 0(%r11)
	mov	%edx, 4(%r11)
	add	$16, %r10
	add	$8, %r11
	inc	%r12d
	jmp	1b
3:	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
