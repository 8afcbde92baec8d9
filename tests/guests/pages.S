# SPDX-License-Identifier: GPL-2.0
#
# pages: for each GPA in the table at TABLE_IN (qword 0: how many, then
# one page GPA per qword), fill that 4 KiB page with addr ^ RSI, one
# qword at a time; report RES_DONE on PORT_RESULT; halt.  It writes
# nothing else (no stack, no variables), so the host can count exactly
# which pages a run dirtied (hv-mem-test: dirty log, copy-on-write).
	.include "guest.inc"
	.globl	_start
_start:
	.code64
	mov	$TABLE_IN, %ebx
	mov	(%rbx), %rcx		# how many pages
	add	$8, %rbx
1:	test	%rcx, %rcx
	jz	3f
	mov	(%rbx), %rax		# the page
	lea	4096(%rax), %rdx
2:	mov	%rax, %rdi
	xor	%rsi, %rdi
	mov	%rdi, (%rax)
	add	$8, %rax
	cmp	%rdx, %rax
	jb	2b
	add	$8, %rbx
	dec	%rcx
	jmp	1b
3:	REPORT	$RES_DONE
	hlt
