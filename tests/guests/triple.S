# SPDX-License-Identifier: GPL-2.0
#
# triple: an IDT of limit 0, then a divide error: #DE cannot be delivered
# (#GP), nor can that (#DF), so the CPU shuts down: HV_EXIT_SHUTDOWN.
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
	lea	msg(%rip), %rsi
	call	puts
	lidt	null_idtr(%rip)
	xor	%ecx, %ecx
	div	%ecx
	REPORT	$RES_NOFAULT
	hlt

msg:	.asciz	"triple fault ahead\n"
	.balign 8
null_idtr:
	.word	0
	.quad	0
	.include "lib64.inc"
