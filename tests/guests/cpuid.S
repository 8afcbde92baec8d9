# SPDX-License-Identifier: GPL-2.0
#
# cpuid: run CPUID for each (leaf, subleaf) the host put at TABLE_IN
# (u32 count, pad, then count x {u32 leaf, u32 subleaf}) and store EAX,
# EBX, ECX, EDX at TABLE_OUT, 16 bytes each.  CPUID overwrites RAX-RDX, so
# the loop state lives in R8-R11.
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
	mov	$TABLE_IN, %r8d
	mov	(%r8), %r9d
	lea	8(%r8), %r10
	mov	$TABLE_OUT, %r11d
1:	test	%r9d, %r9d
	jz	2f
	mov	(%r10), %eax
	mov	4(%r10), %ecx
	cpuid
	mov	%eax, 0(%r11)
	mov	%ebx, 4(%r11)
	mov	%ecx, 8(%r11)
	mov	%edx, 12(%r11)
	add	$8, %r10
	add	$16, %r11
	dec	%r9d
	jmp	1b
2:	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
