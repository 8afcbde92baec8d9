# SPDX-License-Identifier: GPL-2.0
#
# stcount: known numbers of exits for the statistics (issue 15; the case
# st-counts in tests/vm/cases-stats.sh reads them with `hvctl stat`).
# A flat binary, so `hvctl create --image stcount.bin` enters it in real
# mode at 0000:1000 with SP 0x1000.  It makes exactly ST_CPUID CPUID exits,
# ST_OUT port writes to ST_PORT (a port nothing in the kernel claims: a
# managed VM counts it unclaimed), ST_RDMSR reads of IA32_MISC_ENABLE (an
# MSR hv emulates: every MSR access exits on both vendors), and one HLT
# with interrupts off, which stops the managed VM as halted.  Nothing else
# in it exits but the host's own interrupts.  The loop counters live in
# SI: CPUID overwrites EAX-EDX, RDMSR EAX and EDX.
	.include "guest.inc"

	.set ST_CPUID,		1000
	.set ST_OUT,		500
	.set ST_RDMSR,		100
	.set ST_PORT,		0x5f0
	.set MSR_MISC_ENABLE,	0x1a0	# SDM Vol 4, Table 2-2

	.code16
	.globl	_start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$GUEST_BASE, %sp

	mov	$ST_CPUID, %si
1:	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	dec	%si
	jnz	1b

	mov	$ST_OUT, %si
	mov	$ST_PORT, %dx
2:	out	%al, %dx
	dec	%si
	jnz	2b

	mov	$ST_RDMSR, %si
3:	mov	$MSR_MISC_ENABLE, %ecx
	rdmsr
	dec	%si
	jnz	3b

	hlt				# IF=0: the managed VM stops, halted
	jmp	.
