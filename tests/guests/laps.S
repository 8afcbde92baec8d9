# SPDX-License-Identifier: GPL-2.0
#
# laps: laps its RAM for ever, for the live snapshot case (sn-live in
# tests/vm/cases-snapshot.sh, checked by `hv-dump NAME --laps`).  A flat
# binary, so `hvctl create --image laps.bin` enters it in real mode at
# 0000:1000; it goes to flat 32-bit protected mode (no paging), reads
# the RAM size from the CMOS bytes a PC BIOS leaves (hv's RTC sets them:
# 0x30/0x31 KiB above 1 MiB, 0x34/0x35 64 KiB units above 16 MiB), then
# writes lap after lap over the N pages from LAPS_BASE to the end of RAM,
# in order.  Lap L (1, 2, ...) writes into page i (0 .. N-1) its first
# qword (L, i) and its last qword (L, i), as dwords: the index first,
# then the lap to the first qword (S1), then to the last one (S2).
#
# One register makes the whole RAM a function of one number: EDI = T,
# the pages written in all, incremented (S3) right after a page's two
# lap stores.  With q = T / N and k = T % N, pages [0, k) hold lap q + 1
# and pages [k, N) lap q (lap 0: never written), except page k while
# the vCPU is between its stores: at RIP = S2 its first qword holds
# q + 1 and its last q, at RIP = S3 both hold q + 1.  ESI is the lap
# being written (q + 1, or q right after the last page of lap q).  Once
# it laps, it writes nothing else but the state block (no stack), so a
# snapshot of any instant must show exactly that cut.  (With dirty
# logging on, as a live snapshot turns it on, each page's first store
# exits, so a pause mostly lands there; QEMU's TCG takes interrupts
# only at the start of a translated block.)  The state block, dwords at
# LAPS_STATE: magic "LAPS", N, T, the lap (copies of EDI and ESI, for a
# host that reads a running VM), and the addresses of S2 and S3.
	.include "guest.inc"

	.set LAPS_STATE,	0x8000
	.set LAPS_BASE,		0x10000
	.set LAPS_MAGIC,	0x5350414c	# "LAPS"
	.set ST_MAGIC,		LAPS_STATE + 0
	.set ST_N,		LAPS_STATE + 4
	.set ST_T,		LAPS_STATE + 8
	.set ST_LAP,		LAPS_STATE + 12
	.set ST_S2,		LAPS_STATE + 16
	.set ST_S3,		LAPS_STATE + 20

	.code16
	.globl	_start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$GUEST_BASE, %sp
	lgdtl	gdtr
	mov	%cr0, %eax
	or	$1, %eax			# PE
	mov	%eax, %cr0
	ljmpl	$0x08, $prot

	.code32
prot:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$GUEST_BASE, %esp

	# The end of RAM, from the CMOS (IBM AT BIOS layout)
	mov	$0x35, %al
	call	cmos_read
	movzbl	%al, %ecx
	shl	$8, %ecx
	mov	$0x34, %al
	call	cmos_read
	mov	%al, %cl
	test	%ecx, %ecx
	jz	1f
	shl	$16, %ecx			# 64 KiB units above 16 MiB
	add	$0x1000000, %ecx
	jmp	2f
1:	mov	$0x31, %al
	call	cmos_read
	movzbl	%al, %ecx
	shl	$8, %ecx
	mov	$0x30, %al
	call	cmos_read
	mov	%al, %cl
	shl	$10, %ecx			# KiB above 1 MiB
	add	$0x100000, %ecx
2:	mov	%ecx, %ebp			# the end of the last page
	sub	$LAPS_BASE, %ecx
	shr	$12, %ecx
	mov	%ecx, ST_N
	movl	$s2, ST_S2
	movl	$s3, ST_S3
	movl	$0, ST_T
	movl	$LAPS_MAGIC, ST_MAGIC

	xor	%edi, %edi			# T
	mov	$1, %esi			# the lap
lap:
	mov	%esi, ST_LAP
	mov	$LAPS_BASE, %ebx		# the page
	xor	%ecx, %ecx			# its index
page:
	mov	%ecx, 4(%ebx)
	mov	%ecx, 4092(%ebx)
	mov	%esi, (%ebx)			# S1
s2:	mov	%esi, 4088(%ebx)
s3:	inc	%edi
	mov	%edi, ST_T
	inc	%ecx
	add	$4096, %ebx
	cmp	%ebp, %ebx
	jb	page
	inc	%esi
	jmp	lap

# cmos_read: CMOS byte AL into AL.
cmos_read:
	out	%al, $0x70
	in	$0x71, %al
	ret

	.balign 8
gdt:	.quad	0
	.quad	0x00cf9a000000ffff		# 0x08: code, flat, 32-bit
	.quad	0x00cf92000000ffff		# 0x10: data, flat
gdtr:	.word	3 * 8 - 1
	.long	gdt
