# SPDX-License-Identifier: GPL-2.0
#
# real16: 16-bit real mode.  Prints a line, reads through a segment
# register other than 0 (linear = segment * 16 + offset), loads TS with
# LMSW from memory through that segment, sets registers the host checks,
# and halts.  DI holds the address after the HLT, where
# the host expects RIP.  Started at 0000:1000 with SP = 0x8000.
	.include "guest.inc"
	.code16
	.globl	_start
_start:
	mov	$msg, %si
	call	puts16
	mov	$(GUEST_BASE >> 4), %ax
	mov	%ax, %es
	mov	%es:(magic - GUEST_BASE), %cx	# 0xbeef, via ES base 0x1000
	# LMSW m16 through ES (AMD-V intercepts it, hv reads the word at
	# ES base + offset): sets TS; DX gets the MSW's TS bit (8)
	smsw	%ax
	or	$8, %ax
	mov	%ax, %es:(msw - GUEST_BASE)
	lmsw	%es:(msw - GUEST_BASE)
	smsw	%dx
	and	$8, %dx
	clts
	xor	%ax, %ax
	mov	%ax, %es
	mov	$0x1234, %bx
	mov	$0x5678, %si
	mov	$after, %di
	mov	$RES_DONE, %eax
	out	%eax, $PORT_RESULT
	hlt
after:
	jmp	after

puts16:
	lodsb
	test	%al, %al
	jz	1f
	out	%al, $PORT_TEXT
	jmp	puts16
1:	ret

magic:	.word	0xbeef
msw:	.word	0
msg:	.asciz	"hello from real mode\n"
