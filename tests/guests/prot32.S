# SPDX-License-Identifier: GPL-2.0
#
# prot32: 32-bit protected mode, flat segments.  Reloads DS and CS from
# the GDT the mode setup wrote (so its descriptors must match the loaded
# state), prints a line, sets registers the host checks, halts.  EDI holds
# the address after the HLT.
	.include "guest.inc"
	.code32
	.globl	_start
_start:
	mov	$0x10, %ax		# HV_MODE_SEL_DATA
	mov	%ax, %ds
	mov	%ax, %es
	ljmp	$0x18, $1f		# HV_MODE_SEL_CODE32
1:	mov	$msg, %esi
	call	puts32
	mov	$0xdeadbeef, %ebx
	mov	$0xc0de, %ecx
	mov	$after, %edi
	mov	$RES_DONE, %eax
	out	%eax, $PORT_RESULT
	hlt
after:
	jmp	after

puts32:
	lodsb
	test	%al, %al
	jz	1f
	out	%al, $PORT_TEXT
	jmp	puts32
1:	ret

msg:	.asciz	"hello from protected mode\n"
