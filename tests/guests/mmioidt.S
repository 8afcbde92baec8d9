# SPDX-License-Identifier: GPL-2.0
#
# mmioidt: events whose delivery exits.  RSI selects:
#   0  the IDT is moved to MMIO (IDT_MMIO), then a MOV with a
#      non-canonical address raises #GP: fetching the IDT entry exits in
#      the middle of delivering the #GP.  hv must stop with the
#      "MMIO during event delivery" internal error, RIP still on the MOV
#      (R12), not hand the IDT read out as the MOV's data access.  R14
#      holds the RAM IDT's base, for the host to put back; then the #GP
#      is delivered after all and its handler resumes at R13.
#   1  the IDT stays in RAM; the guest halts (HLT) so that the host can
#      write-protect the stack (dirty log) and queue an exception;
#      pushing its frame exits on the stack page, and the exception must
#      be delivered again after that exit, not lost.
# Host side: tests/vm/hv-mmio-test.c.
	.include "guest.inc"
	.set	IDT_MMIO,	0xd0010000
	.globl	_start
_start:
	ENTRY64
	mov	%rsi, %r15
	call	idt_setup
	lea	idt(%rip), %r14
	lea	2f(%rip), %r13			# handlers resume here
	test	%r15, %r15
	jnz	1f
	lidt	mmio_idtr(%rip)
	movabs	$0x8000000000000000, %rbx
	lea	3f(%rip), %r12
3:	mov	(%rbx), %rax			# #GP: not canonical
	REPORT	$RES_NOFAULT
	hlt
1:	hlt					# host queues an exception
2:	REPORT	$RES_DONE
	hlt

	.balign 8
mmio_idtr:
	.word	32 * 16 - 1
	.quad	IDT_MMIO
	.include "lib64.inc"
