# SPDX-License-Identifier: GPL-2.0
#
# reboot: a PC that counts its boots (tests/vm/cases-managed.sh,
# mg-reboot).  Real mode from 0000:1000.  Each boot adds one to CMOS
# NVRAM byte 0x42, which a reset keeps, prints "reboot: boot N" on COM1,
# and resets the machine through port 0xcf9 (RST_CPU|SYS_RST); the third
# boot powers off instead (PM1a_CNT SLP_EN, SLP_TYP 0: the DSDT's \_S5).
	.include "guest.inc"
	.set	COM1,		0x3f8
	.set	CMOS_INDEX,	0x70
	.set	CMOS_DATA,	0x71
	.set	NVRAM_BOOTS,	0x42
	.set	RESET_CONTROL,	0xcf9
	.set	PM1A_CNT,	0x604
	.set	SLP_EN,		0x2000
	.code16
	.globl	_start
_start:
	mov	$NVRAM_BOOTS, %al
	out	%al, $CMOS_INDEX
	in	$CMOS_DATA, %al
	inc	%al
	mov	%al, %bl
	mov	$NVRAM_BOOTS, %al
	out	%al, $CMOS_INDEX
	mov	%bl, %al
	out	%al, $CMOS_DATA
	mov	$msg, %si
	call	puts
	mov	%bl, %al
	add	$'0', %al
	call	putc
	mov	$'\n', %al
	call	putc
	cmp	$3, %bl
	jae	off
	mov	$RESET_CONTROL, %dx
	mov	$0x06, %al
	out	%al, %dx
1:	hlt
	jmp	1b
off:
	mov	$PM1A_CNT, %dx
	mov	$SLP_EN, %ax
	out	%ax, %dx
2:	hlt
	jmp	2b

puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

putc:
	mov	$COM1, %dx
	out	%al, %dx
	ret

msg:	.asciz	"reboot: boot "
