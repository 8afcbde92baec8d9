# SPDX-License-Identifier: GPL-2.0
#
# pattern: fill [1 MiB, 2 MiB) with addr ^ 0x5a5a5a5a5a5a5a5a, sum the
# qwords the host wrote at [2 MiB, 3 MiB), pass the sum out with hypercall
# HC_SUM (RBX), report what the host answered, halt.
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
	mov	$0x100000, %eax
	mov	$0x5a5a5a5a5a5a5a5a, %rcx
1:	mov	%rax, %rdx
	xor	%rcx, %rdx
	mov	%rdx, (%rax)
	add	$8, %rax
	cmp	$0x200000, %rax
	jb	1b

	xor	%ebx, %ebx
	mov	$0x200000, %eax
2:	add	(%rax), %rbx
	add	$8, %rax
	cmp	$0x300000, %rax
	jb	2b

	mov	$HC_SUM, %eax
	call	hypercall
	out	%eax, $PORT_RESULT	# the host's answer
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
