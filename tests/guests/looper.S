# SPDX-License-Identifier: GPL-2.0
#
# looper: for the managed-mode pause/resume tests (tests/vm/cases-managed.sh).
# A flat binary, so `hvctl create --image looper.bin` enters it in real
# mode at 0000:1000 with SP 0x1000.  Prints "looper: N" lines on the
# managed UART (0x3f8, polling LSR.THRE at 0x3fd), N = 0, 1, 2, ... for
# ever, with a busy delay between lines: no exit, no HLT, so it only stops
# when it is stopped.  The delay (LOOPER_DELAY iterations, a few tens of
# thousands of lines a minute under QEMU TCG, several a second under Bochs)
# keeps the 64 KiB console ring from filling in a few seconds.
	.include "guest.inc"

	.set UART_THR,		0x3f8
	.set UART_LSR,		0x3fd
	.set UART_LSR_THRE,	1 << 5
	.set LOOPER_DELAY,	1000000

	.code16
	.globl	_start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$GUEST_BASE, %sp
	cld
	xor	%ebx, %ebx			# the line number
line:
	mov	$msg, %si
	call	puts
	mov	%ebx, %eax
	call	put_dec
	mov	$'\n', %al
	call	putc
	inc	%ebx
	mov	$LOOPER_DELAY, %ecx
1:	dec	%ecx
	jnz	1b
	jmp	line

# putc: AL on the UART, once its transmitter holding register is empty.
putc:
	push	%ax
	push	%dx
	mov	%al, %ah
	mov	$UART_LSR, %dx
1:	in	%dx, %al
	test	$UART_LSR_THRE, %al
	jz	1b
	mov	%ah, %al
	mov	$UART_THR, %dx
	out	%al, %dx
	pop	%dx
	pop	%ax
	ret

# puts: the NUL-terminated string at DS:SI.
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

# put_dec: EAX in decimal (clobbers EAX, ECX, EDX, EDI).
put_dec:
	mov	$10, %edi
	xor	%cx, %cx
1:	xor	%edx, %edx
	div	%edi
	push	%dx
	inc	%cx
	test	%eax, %eax
	jnz	1b
2:	pop	%ax
	add	$'0', %al
	call	putc
	dec	%cx
	jnz	2b
	ret

msg:	.asciz	"looper: "
