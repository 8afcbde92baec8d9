# SPDX-License-Identifier: GPL-2.0
#
# mmio: accesses to GPAs without RAM (MMIO_BASE), each of which must exit
# to the host with the right GPA, size, direction and data.  Writes of
# immediates and of registers of every size (with and without REX, AH),
# then reads into registers of every size (the host supplies the values),
# whose results go back out by hypercall and stay in registers for the
# final check.  The host's table of expectations is in hv-guest-test.c
# (mmio_writes[], mmio_reads[]); keep the two in the same order.
	.include "guest.inc"
	.set	MMIO_BASE, 0xd0000000
	.globl	_start
_start:
	ENTRY64
	mov	$MMIO_BASE, %r8d		# zero-extended: 0xd0000000

	# immediates: C6, C7 (16 and 32 bit), REX.W C7 (sign-extended)
	movb	$0x11, 0x00(%r8)
	movw	$0x2233, 0x02(%r8)
	movl	$0x44556677, 0x04(%r8)
	movq	$-0x12345678, 0x08(%r8)		# 0xffffffffedcba988

	# registers: 88, 89 (16, 32, 64 bit), A3 (moffs)
	mov	$0x8899aabbccddeeff, %rax
	mov	%al, 0x10(%r8)
	mov	%ax, 0x12(%r8)
	mov	%eax, 0x14(%r8)
	mov	%rax, 0x18(%r8)
	mov	%r8, %rdi
	mov	%ah, 0x20(%rdi)			# legacy high byte (no REX): 0xee
	mov	$0x0123456789abcdef, %r9
	mov	%r9b, 0x21(%r8)
	mov	%r9w, 0x22(%r8)
	mov	%r9d, 0x24(%r8)
	mov	%r9, 0x28(%r8)
	mov	$0x5a, %esi
	mov	%sil, 0x30(%r8)			# needs an empty REX prefix
	mov	$0x600dd00d, %eax
	movabs	%eax, MMIO_BASE + 0x60		# A3: 64-bit absolute moffs

	# reads: 0F B6, 0F B7, 8B (32, 64), 8A, 66 8B, REX.W 0F B7, REX.W 0F BE
	mov	$-1, %rcx
	movzbl	0x40(%r8), %ecx			# 0xa5, upper half cleared
	mov	$-1, %rdx
	movzwl	0x42(%r8), %edx			# 0xbeef
	mov	$-1, %r12
	mov	0x44(%r8), %r12d		# 0xcafef00d, upper half cleared
	mov	$-1, %r13
	mov	0x48(%r8), %r13			# 0xfedcba9876543210
	mov	$0x1111111111111111, %r14
	mov	0x50(%r8), %r14b		# 0x111111111111115a
	mov	$0x2222222222222222, %r15
	mov	0x52(%r8), %r15w		# 0x2222222222227e57
	mov	$0x3333333333333333, %rbp
	movzwq	0x54(%r8), %rbp			# 0x8001
	mov	$0x4444444444444444, %r11
	movsbq	0x56(%r8), %r11			# 0x80: 0xffffffffffffff80

	mov	%r12, %rbx
	mov	%r13, %rsi
	mov	$HC_MMIO1, %eax			# rbx, rcx, rdx, rsi
	call	hypercall
	mov	%r14, %rbx
	mov	%r15, %rcx
	mov	%rbp, %rdx
	mov	%r11, %rsi
	mov	$HC_MMIO2, %eax
	call	hypercall
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
