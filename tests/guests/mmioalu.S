# SPDX-License-Identifier: GPL-2.0
#
# mmioalu: read-modify-write and other non-MOV instructions on MMIO
# (issue 13), for tests/vm/hv-mmio-test.c (case alu).  Each instruction
# below exits once to read (the host answers) and, if it writes, once
# more with the computed value; after each, the status flags (CF PF AF
# ZF SF OF) go out as a result, then registers where one was written.
# Keep the host's alu_exits[] and alu_results[] in the same order.
	.include "guest.inc"
	.set	MMIO_A, 0xd0000000
	.set	FLAGS, 0x8d5

.macro FLAGS_OUT
	pushf
	pop	%rax
	and	$FLAGS, %eax
	REPORT	%eax
.endm

# All status flags clear (and so defined) before each instruction
.macro CLEARF
	push	$2
	popf
.endm

	.globl	_start
_start:
	ENTRY64
	mov	$MMIO_A, %r8d

	CLEARF
	orl	$0x100, 0x10(%r8)		# 0x80000001 -> 0x80000101
	FLAGS_OUT
	CLEARF
	lock andl $-2, 0x10(%r8)		# 3 -> 2
	FLAGS_OUT
	mov	$1, %ecx
	CLEARF
	addb	%cl, 0x20(%r8)			# 0xff -> 0
	FLAGS_OUT
	mov	$5, %eax
	CLEARF
	cmpl	%eax, 0x24(%r8)			# 5: no write
	FLAGS_OUT
	CLEARF
	testb	$0x40, 0x28(%r8)		# 0x40: no write
	FLAGS_OUT
	CLEARF
	stc
	incw	0x2a(%r8)			# 0x7fff -> 0x8000, CF kept
	FLAGS_OUT
	CLEARF
	negl	0x2c(%r8)			# 1 -> 0xffffffff
	FLAGS_OUT
	mov	$0x1122334455667788, %rdx
	CLEARF
	xchg	%rdx, 0x30(%r8)			# 0xaabbccddeeff0011
	REPORT	%edx
	shr	$32, %rdx
	REPORT	%edx
	CLEARF
	btsl	$5, 0x38(%r8)			# 1 -> 0x21
	FLAGS_OUT
	mov	$35, %ecx
	CLEARF
	btl	%ecx, 0x38(%r8)			# the dword at 0x3c: 8, bit 3
	FLAGS_OUT
	mov	$10, %ebx
	CLEARF
	subl	0x40(%r8), %ebx			# 10 - 3
	FLAGS_OUT
	REPORT	%ebx
	CLEARF
	movslq	0x44(%r8), %rsi			# 0x80000000
	REPORT	%esi
	shr	$32, %rsi
	REPORT	%esi
	push	$(FLAGS | 2)
	popf
	notb	0x48(%r8)			# 0x0f -> 0xf0, flags kept
	FLAGS_OUT
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
