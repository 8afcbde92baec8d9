# SPDX-License-Identifier: GPL-2.0
#
# mmiosplit: accesses that cross a page boundary from RAM into MMIO or
# from one MMIO page into another, and MMIO far beyond RAM.  Each must
# reach the host as exactly the bytes outside RAM, at their own GPA,
# one exit per page; the RAM bytes are read and written in place.  The
# host's list of expected exits is in tests/vm/hv-mmio-test.c (split[]);
# keep the two in the same order.  RAM is 2 MiB (0 - RAM_END).
#
# The guest maps a 4 KiB window of its own at WIN so that neighbouring
# linear pages land on unrelated GPAs:
#   WIN + 0x0000  the last page of RAM (RAM_END - 0x1000)
#   WIN + 0x1000  MMIO_A
#   WIN + 0x2000  MMIO_B
#   WIN + 0x3000  MMIO_C
# and FAR (60 GiB) with one 2 MiB page of its own.
	.include "guest.inc"
	.set	RAM_END,	0x200000
	.set	MMIO_A,		0xd0000000
	.set	MMIO_B,		0xd0005000
	.set	MMIO_C,		0xe0000000
	.set	FAR,		0xf00000000
	.set	WIN,		0x40000000
	.set	PT_WIN,		0x40000		# page table for WIN
	.set	PD_FAR,		0x41000		# page directory for FAR
	.set	PDPT,		0x11000		# libhv's (SCRATCH_GPA + 0x1000)
	.set	PD1,		0x13000		# libhv's PD for 1 - 2 GiB
	.set	HC_SPLIT1,	HC_USER_BASE + 0x30
	.set	HC_SPLIT2,	HC_USER_BASE + 0x31
	.set	HC_SPLIT3,	HC_USER_BASE + 0x32
	.globl	_start
_start:
	ENTRY64
	# A: 8-byte load, 3 bytes RAM (host-written a1 a2 a3), 5 at RAM_END
	mov	$RAM_END - 3, %ebx
	mov	(%rbx), %rbx
	# B: 8-byte store, 6 bytes RAM, 2 at RAM_END
	mov	$0x1122334455667788, %rax
	mov	$RAM_END - 6, %edi
	mov	%rax, (%rdi)
	mov	(%rdi), %ecx			# 0x55667788 from RAM
	movzwl	4(%rdi), %edx			# 0x3344 from RAM
	mov	$HC_SPLIT1, %eax
	call	hypercall

	# The window: four 4 KiB pages at unrelated GPAs
	mov	$PT_WIN, %edi
	mov	$(RAM_END - 0x1000) | 3, %eax
	mov	%rax, 0(%rdi)
	mov	$MMIO_A | 3, %eax
	mov	%rax, 8(%rdi)
	mov	$MMIO_B | 3, %eax
	mov	%rax, 16(%rdi)
	mov	$MMIO_C | 3, %eax
	mov	%rax, 24(%rdi)
	mov	$PT_WIN | 3, %eax
	mov	%rax, PD1			# PD1[0]: WIN, 4 KiB pages
	movabs	$FAR | 0x83, %rax		# 2 MiB page, present, writable
	mov	%rax, PD_FAR
	mov	$PD_FAR | 3, %eax
	mov	%rax, PDPT + (FAR >> 30) * 8
	mov	%cr3, %rax
	mov	%rax, %cr3

	# C: 8-byte load at WIN + 0xffc: 4 bytes RAM (0x1ffffc), 4 at MMIO_A
	mov	$WIN + 0xffc, %esi
	mov	(%rsi), %rbx
	# C2: 8-byte store at WIN + 0xffe: 2 bytes RAM (0x1ffffe), 6 at MMIO_A
	mov	$0x0102030405060708, %rax
	mov	%rax, 2(%rsi)
	movzwl	RAM_END - 2, %ecx		# 0x0708 from RAM
	# D: 4-byte load over two unrelated MMIO pages: 2 at MMIO_B + 0xffe,
	# 2 at MMIO_C
	mov	$WIN + 0x2ffe, %edi
	mov	(%rdi), %edx
	# D2: 4-byte store over two neighbouring MMIO pages
	mov	$0xaabbccdd, %eax
	mov	$MMIO_A + 0xffe, %edi
	mov	%eax, (%rdi)
	# E: far beyond RAM
	movabs	$FAR + 0x120, %rdi
	mov	(%rdi), %rsi
	movq	$0x5a, 8(%rdi)
	mov	$HC_SPLIT2, %eax
	call	hypercall

	# G: through FS (its base from MSR_FS_BASE): 4-byte load at
	# 0x100000 + 0xffffe, 2 bytes RAM (0x1ffffe, 08 07 from C2), 2 at RAM_END
	mov	$0xc0000100, %ecx		# MSR_FS_BASE
	mov	$0x100000, %eax
	xor	%edx, %edx
	wrmsr
	mov	$0xffffe, %edi
	mov	%fs:(%rdi), %ebx
	mov	$HC_SPLIT3, %eax
	call	hypercall

	# F: string moves into MMIO, one element per exit: MOVSB from RAM,
	# then REP STOSW of two words (RIP stays on it until RCX is 0)
	lea	1f(%rip), %r12
	lea	2f(%rip), %r14
	mov	$MMIO_A, %edi
	mov	$TABLE_IN, %esi
1:	movsb
	mov	$0x1234, %eax
	mov	$2, %ecx
2:	rep stosw
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
