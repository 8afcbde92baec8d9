# SPDX-License-Identifier: GPL-2.0
#
# twovm: RSI = this VM's id.  ITERS times: fill [1 MiB, 2 MiB) with
# addr ^ id << 56 ^ iteration << 48, print one character (an exit, so the
# two VMs' runs interleave), and read it all back, counting qwords that
# are not ours.  Then hypercall HC_TWOVM with RBX = mismatches, RCX = id,
# RDX = iterations, and halt.
	.include "guest.inc"
	.set	ITERS, 16
	.globl	_start
_start:
	ENTRY64
	mov	%rsi, %r15			# id
	shl	$56, %r15
	xor	%r12d, %r12d			# mismatches
	xor	%r14d, %r14d			# iteration
1:	mov	%r14, %r10
	shl	$48, %r10
	xor	%r15, %r10			# this round's key
	mov	$0x100000, %eax
2:	mov	%rax, %rdx
	xor	%r10, %rdx
	mov	%rdx, (%rax)
	add	$8, %rax
	cmp	$0x200000, %rax
	jb	2b
	lea	'0'(%rsi), %eax
	out	%al, $PORT_TEXT
	mov	$0x100000, %eax
3:	mov	%rax, %rdx
	xor	%r10, %rdx
	cmp	%rdx, (%rax)
	je	4f
	inc	%r12
4:	add	$8, %rax
	cmp	$0x200000, %rax
	jb	3b
	inc	%r14
	cmp	$ITERS, %r14
	jb	1b

	mov	%rsi, %rcx
	mov	%r12, %rbx
	mov	%r14, %rdx
	mov	$HC_TWOVM, %eax
	call	hypercall
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
