# SPDX-License-Identifier: GPL-2.0
#
# hostile: guests that try to hurt the host, for tests/vm/hv-hostile-test.c.
# RSI picks the act (HOSTILE_* below, the same numbers as the host's);
# RDX is a count or a size where an act needs one.  Results go to
# PORT_RESULT (attached runs) or to TABLE_OUT (managed runs, where nobody
# reads the port).  The IDT of lib64.inc reports each exception's vector
# and resumes at R13.
	.include "guest.inc"

	.set HOSTILE_HOSTINSN,	0	# INVD, WBINVD, MONITOR, MWAIT, RDPMC, RDPRU
	.set HOSTILE_UDSTORM,	1	# RDX #UDs with its own handler, then none
	.set HOSTILE_VIRTJUNK,	2	# VMRUN, VMXON... with garbage; VMCALL junk
	.set HOSTILE_STRINGIO,	3	# REP OUTSB, REP INSB, STD; REP OUTSB
	.set HOSTILE_RAMTOUCH,	4	# write and check every page below RDX
	.set HOSTILE_PORTFLOOD,	5	# RDX OUTs to unclaimed ports, then spin
	.set HOSTILE_CLILOOP,	6	# cli; jmp .
	.set HOSTILE_SPIN,	7	# jmp .
	.set HOSTILE_HLT,	8	# hlt
	.set HOSTILE_EXITS,	9	# RDX CPUIDs, then hlt
	.set HOSTILE_CRGAMES,	10	# illegal CR0 values #GP; TS by MOV/CLTS/LMSW
					# (register and memory forms)

	.set RAM_FIRST,		0x100000	# ramtouch: above image and stack
	.set RAM_MAGIC,		0x5a5a5a5a5a5a5a5a
	.set FLOOD_PORT,	0x2000		# 0x2000-0x2fff: nothing there
	.set FLOOD_DONE,	0xf100d		# TABLE_OUT[0] when flooded

	.globl	_start
_start:
	ENTRY64
	cmp	$HOSTILE_CRGAMES, %rsi
	ja	bad_act
	lea	acts(%rip), %rax
	jmp	*(%rax, %rsi, 8)
bad_act:
	REPORT	$RES_NOFAULT
	hlt

	.balign 8
acts:	.quad	hostinsn, udstorm, virtjunk, stringio, ramtouch
	.quad	portflood, cliloop, spin, halt, exits, crgames

# Report a mark, run one instruction that must fault, resume after it.
.macro EXPECT_FAULT idx, insn:vararg
	push	%rax
	REPORT	$(RES_MARK + \idx)
	pop	%rax
	lea	.Lresume\@(%rip), %r13
	\insn
	REPORT	$(RES_NOFAULT + \idx)
.Lresume\@:
.endm

# ---- CR0: each illegal value raises #GP and leaves CR0 as it was, on
# both vendors (SDM Vol 2B, MOV CR: AMD-V intercepts every CR0 write and
# hv checks it, VT-x checks the bits it does not hand to hv); then legal
# writes take effect: TS set by MOV, cleared by CLTS, set by LMSW from a
# register and from memory; LMSW from memory never clears PE.
.macro CR0_TS
	mov	%cr0, %rax
	shr	$3, %eax
	and	$1, %eax
	REPORT	%eax
.endm

crgames:
	call	idt_setup
	mov	%cr0, %rbx
	mov	%rbx, %rcx
	btr	$30, %rcx			# CD = 0
	bts	$29, %rcx			# NW = 1 without CD
	EXPECT_FAULT 0, mov %rcx, %cr0
	mov	%rbx, %rcx
	bts	$32, %rcx			# a reserved bit
	EXPECT_FAULT 1, mov %rcx, %cr0
	mov	%rbx, %rcx
	btr	$0, %rcx			# PG without PE
	EXPECT_FAULT 2, mov %rcx, %cr0
	mov	%cr0, %rax
	cmp	%rax, %rbx
	setne	%al
	movzbl	%al, %eax
	REPORT	%eax				# 0: CR0 unchanged
	mov	%rbx, %rcx
	bts	$3, %rcx
	mov	%rcx, %cr0
	CR0_TS					# 1
	clts
	CR0_TS					# 0
	mov	%ebx, %eax
	or	$8, %eax
	lmsw	%ax
	CR0_TS					# 1
	clts
	# LMSW m16 (0F 01 /6, mod != 3): TS from a word in memory, RIP-
	# relative; then a word with PE clear, through (%rsp): PE stays set
	# (SDM Vol 2A, LMSW), TS is set
	mov	%ebx, %eax
	or	$8, %eax
	mov	%ax, lmsw_word(%rip)
	lmsw	lmsw_word(%rip)
	CR0_TS					# 1
	clts
	CR0_TS					# 0
	mov	%ebx, %eax
	and	$~1, %eax
	or	$8, %eax
	push	%rax
	lmsw	(%rsp)
	pop	%rax
	mov	%cr0, %rax
	and	$9, %eax
	REPORT	%eax				# 9: PE kept, TS set
	clts
	REPORT	$RES_DONE
	hlt
lmsw_word:
	.word	0

# ---- INVD and friends: 1000 INVD, 1000 WBINVD and a WBNOINVD must each
# complete (a no-op, with an exit each), then MONITOR #UD, MWAIT #UD,
# RDPMC #GP, RDPRU #UD (hv_run.c, hv_handle_host_insn).
hostinsn:
	call	idt_setup
	REPORT	$(RES_MARK + 0x100)		# the host counts exits from here
	mov	$1000, %r12d
1:	invd
	dec	%r12d
	jnz	1b
	mov	$1000, %r12d
2:	wbinvd
	dec	%r12d
	jnz	2b
	.byte	0xf3, 0x0f, 0x09		# WBNOINVD (WBINVD where absent)
	REPORT	$(RES_MARK + 0x101)		# ... to here: >= 2001 exits
	mov	$SPARE_PAGE, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	EXPECT_FAULT 0, monitor
	xor	%eax, %eax
	xor	%ecx, %ecx
	EXPECT_FAULT 1, mwait
	xor	%ecx, %ecx
	EXPECT_FAULT 2, rdpmc
	xor	%ecx, %ecx
	EXPECT_FAULT 3, .byte 0x0f, 0x01, 0xfd	# RDPRU
	REPORT	$RES_DONE
	hlt

# ---- #UD storm: RDX times UD2 with the guest's own #UD handler, which
# counts and steps over it; report the count; then the same without an
# IDT: #UD, #DF and the shutdown (triple fault) must end the run.
udstorm:
	call	idt_setup
	lea	ud_handler(%rip), %rax		# IDT entry 6: our handler
	lea	idt(%rip), %rdi
	mov	%ax, 6 * 16(%rdi)
	shr	$16, %rax
	mov	%ax, 6 * 16 + 6(%rdi)
	shr	$16, %rax
	mov	%eax, 6 * 16 + 8(%rdi)
	xor	%r14d, %r14d			# #UDs seen
	mov	%rdx, %r12
1:	ud2
	dec	%r12
	jnz	1b
	REPORT	%r14d
	REPORT	$RES_DONE
	lidt	null_idtr(%rip)
	ud2
	REPORT	$RES_NOFAULT
	hlt

ud_handler:
	inc	%r14
	addq	$2, (%rsp)			# past the UD2
	iretq

# ---- virtualization instructions with garbage operands: each #UD; then
# VMCALL and VMMCALL with junk in every argument register.
virtjunk:
	call	idt_setup
	mov	$-1, %rax
	EXPECT_FAULT 0, vmrun
	mov	$0x123, %eax			# unaligned
	EXPECT_FAULT 1, vmload
	mov	$0x7ffffffff000, %rax		# far beyond RAM
	EXPECT_FAULT 2, vmsave
	mov	$0x8000000000000123, %rbx	# non-canonical
	EXPECT_FAULT 3, vmxon (%rbx)
	EXPECT_FAULT 4, vmptrld (%rbx)
	mov	$-1, %rcx
	EXPECT_FAULT 5, vmread %rcx, %rax
	EXPECT_FAULT 6, invlpga
	EXPECT_FAULT 7, skinit
	# hypercalls: an unknown kernel number, then a huge user number
	mov	$-1, %rbx
	mov	$0x8000000000000000, %rcx
	mov	$0xdeadbeefdeadbeef, %rdx
	mov	$-1, %rsi
	mov	$HC_UNKNOWN, %eax
	vmcall
	REPORT	%eax				# HV_HC_ENOSYS
	mov	$HC_UNKNOWN, %eax
	vmmcall
	REPORT	%eax
	mov	$0x7fffffffffffffff, %rax
	vmcall					# exits: the host answers
	REPORT	%eax
	mov	$0x7fffffffffffffff, %rax
	vmmcall
	REPORT	%eax
	REPORT	$RES_DONE
	hlt

# ---- string I/O at port 0x1234: REP OUTSB of 16 bytes from SPARE_PAGE,
# REP INSB of 4 bytes to SPARE_PAGE + 0x100, then, with DF set, REP
# OUTSB of 2 bytes from SPARE_PAGE + 15 down, then REP OUTSB from an
# unmapped page: #PF (vector, CR2 in two halves, RCX reported).  R14/R15 hold the
# addresses of the first two, so the host can check where the guest is.
stringio:
	mov	$0x1234, %dx
	mov	$SPARE_PAGE, %esi
	mov	$SPARE_PAGE + 0x100, %edi
	mov	$16, %ecx
	lea	1f(%rip), %r14
	lea	2f(%rip), %r15
1:	rep outsb
	mov	$4, %ecx
2:	rep insb
	std
	mov	$SPARE_PAGE + 15, %esi
	mov	$2, %ecx
	rep outsb
	cld
	# REP OUTSB from an unmapped page (PML4 entry 1 is not present):
	# #PF, CR2 the source, nothing done; the host sees no I/O exit
	call	idt_setup
	lea	3f(%rip), %r13
	movabs	$0x8000000010, %rsi
	mov	$3, %ecx
	rep outsb
3:	mov	%cr2, %rdx
	REPORT	%edx				# 0x10
	shr	$32, %rdx
	REPORT	%edx				# 0x80
	REPORT	%ecx				# 3: untouched
	REPORT	$RES_DONE
	hlt

# ---- touch every page from RAM_FIRST to RDX: a qword at each end,
# then read them all back; report the mismatches, then the page count.
ramtouch:
	mov	$RAM_FIRST, %r8
	movabs	$RAM_MAGIC, %r9
1:	cmp	%rdx, %r8
	jae	2f
	mov	%r8, %rax
	xor	%r9, %rax
	mov	%rax, (%r8)
	not	%rax
	mov	%rax, 4088(%r8)
	add	$4096, %r8
	jmp	1b
2:	mov	$RAM_FIRST, %r8
	xor	%r10d, %r10d			# mismatches
	xor	%r11d, %r11d			# pages
3:	cmp	%rdx, %r8
	jae	5f
	mov	%r8, %rax
	xor	%r9, %rax
	cmp	%rax, (%r8)
	je	4f
	inc	%r10d
4:	not	%rax
	cmp	%rax, 4088(%r8)
	je	6f
	inc	%r10d
6:	inc	%r11d
	add	$4096, %r8
	jmp	3b
5:	REPORT	%r10d
	REPORT	%r11d
	REPORT	$RES_DONE
	hlt

# ---- port flood (managed): RDX OUTs to unclaimed ports, three INs from
# one (all-ones expected) into TABLE_OUT + 8..+24, FLOOD_DONE at
# TABLE_OUT; then spin: the VM must keep running until stopped.
portflood:
	mov	%rdx, %r15			# the count
	xor	%r12d, %r12d
1:	cmp	%r15, %r12
	jae	2f
	mov	%r12d, %edx
	and	$0xfff, %edx
	add	$FLOOD_PORT, %edx		# DX = 0x2000 + (i & 0xfff)
	mov	%r12d, %eax
	out	%al, %dx
	inc	%r12
	jmp	1b
2:	mov	$FLOOD_PORT + 0x345, %dx
	xor	%eax, %eax
	in	%dx, %al
	mov	%rax, (TABLE_OUT + 8)
	xor	%eax, %eax
	in	%dx, %ax
	mov	%rax, (TABLE_OUT + 16)
	xor	%eax, %eax
	in	%dx, %eax
	mov	%rax, (TABLE_OUT + 24)
	movq	$FLOOD_DONE, (TABLE_OUT)
	jmp	spin

cliloop:
	cli
1:	jmp	1b

spin:
	jmp	spin

halt:
	hlt
	jmp	halt

# ---- RDX CPUID exits, then HLT (for the ioperm check: a guest that ran)
exits:
	mov	%rdx, %r12
1:	xor	%eax, %eax
	cpuid
	dec	%r12
	jnz	1b
	REPORT	$RES_DONE
	hlt

	.balign 8
null_idtr:
	.word	0
	.quad	0
	.include "lib64.inc"
