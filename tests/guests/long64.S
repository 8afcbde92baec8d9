# SPDX-License-Identifier: GPL-2.0
#
# long64: 64-bit mode.  Reloads DS and CS (far return) from the GDT the
# mode setup wrote, writes and reads memory above 1 MiB through the
# identity paging, prints a line, sets registers the host checks, halts.
# RDI holds the address after the HLT.
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
	mov	$0x10, %ax		# HV_MODE_SEL_DATA
	mov	%ax, %ds
	mov	%ax, %ss
	pushq	$0x08			# HV_MODE_SEL_CODE64
	lea	1f(%rip), %rax
	push	%rax
	lretq
1:	mov	$0x1ff000, %eax
	movq	$0x600dcafe, (%rax)
	mov	(%rax), %rdx		# 0x600dcafe
	lea	msg(%rip), %rsi
	call	puts
	mov	$0x0123456789abcdef, %r15
	mov	$0xfeedfacecafebeef, %rbx
	lea	after(%rip), %rdi
	REPORT	$RES_DONE
	hlt
after:
	jmp	after

msg:	.asciz	"hello from long mode\n"
	.include "lib64.inc"
