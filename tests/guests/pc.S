# SPDX-License-Identifier: GPL-2.0
#
# pc: the PC platform's interrupts, timers and devices seen from a guest
# (issue 13).  RSI selects the sub-test (PC_* below; bit 8: managed, so
# results go to RAM only, never to port 0xf4 before the end).  Host side,
# what each result must be, and why: tests/vm/hv-pc-test.c.  Every
# result goes to `report`: a list in RAM at TABLE_OUT (u32 count, then
# u64 values from +8) and, run attached, also port PORT_RESULT.
#
# The host writes TABLE_IN before the start: +0 TSC ticks per ms, +8 APIC
# timer ticks per ms (divide by 1).  Attached, OUT to PORT_SYNC asks the
# host for a line change (SYNC_LINE: bits 8-15 GSI, bit 16 level) or an
# MSI (SYNC_MSI: bits 8-15 vector, to APIC 0); PORT_STR is a userspace
# port for string I/O; MMIO_U a userspace MMIO page (host-emulated RAM).
	.include "guest.inc"

	.set	PC_TIMER,	1
	.set	PC_IPI,		2
	.set	PC_EOI,		3
	.set	PC_IOAPIC,	4
	.set	PC_PIC,		5
	.set	PC_PIT2,	6
	.set	PC_RTC,		7
	.set	PC_UART,	8
	.set	PC_STI,		9
	.set	PC_HLT,		10
	.set	PC_STRING,	11
	.set	PC_STEP,	12
	.set	PC_SNAP,	13
	.set	PC_PM,		14
	.set	PC_MANAGED,	0x100
	.set	PM_OP_SHIFT,	9	# pc-pm, managed: 1 reset at 0xcf9, 2 S5

	.set	PORT_SYNC,	0x510
	.set	PORT_STR,	0x520
	.set	SYNC_NOP,	0
	.set	SYNC_LINE,	1
	.set	SYNC_MSI,	2
	.set	MMIO_U,		0xd0000000

	# The xAPIC page (SDM Vol 3A, Table 10-1) and the IOAPIC at their
	# sign-extended addresses: 0xfee00000 and 0xfec00000 (pc_setup)
	.set	APIC,		-0x1200000
	.set	A_ID,		APIC + 0x20
	.set	A_TPR,		APIC + 0x80
	.set	A_PPR,		APIC + 0xa0
	.set	A_EOI,		APIC + 0xb0
	.set	A_LDR,		APIC + 0xd0
	.set	A_DFR,		APIC + 0xe0
	.set	A_SVR,		APIC + 0xf0
	.set	A_ISR,		APIC + 0x100
	.set	A_IRR,		APIC + 0x200
	.set	A_ICRLO,	APIC + 0x300
	.set	A_ICRHI,	APIC + 0x310
	.set	A_LVTT,		APIC + 0x320
	.set	A_LINT0,	APIC + 0x350
	.set	A_TICR,		APIC + 0x380
	.set	A_TCCR,		APIC + 0x390
	.set	A_TDCR,		APIC + 0x3e0
	.set	IOAPIC,		-0x1400000	# 82093AA: IOREGSEL, IOWIN at +0x10
	.set	MSR_TSC_DEADLINE, 0x6e0

	.set	IDT,		0x22000		# 256 gates
	.set	CNT,		0x23000		# u32 per vector, all CPUs
	.set	PCNT,		0x24000		# u32 per (APIC ID < 4, vector)
	.set	TICKS,		0x25000		# u64 TSC per tick (hook_tick)
	.set	STAMPS,		0x25800		# u64 TSC per vector & 15 (hook_stamp)
	.set	SNAP_TICKS,	0x21800		# pc-snap: ticks, loops (u64 each)
	.set	AP_STACKS,	0x70000
	.set	HI_PDPT,	0x26000		# see pc_setup
	.set	PML4,		0x10000		# libhv's (SCRATCH_GPA)
	.set	HI_PD,		0x15000		# libhv's PD for 3-4 GiB		# AP n: AP_STACKS - n * 0x1000

	.set	V_TIMER,	0x40
	.set	V_ONESHOT,	0x41
	.set	V_DEADLINE,	0x42
	.set	V_SELF,		0x44
	.set	V_SPUR,		0xff

.macro REPORT_DONE
	mov	$RES_DONE, %eax
	call	report
	testl	$PC_MANAGED, test_arg(%rip)
	jz	1f
	mov	$RES_DONE, %eax
	out	%eax, $PORT_RESULT		# managed: the debug exit ends it
1:
.endm

# A 1 ms one-shot (TABLE_IN + 8) armed, then `sti; INSN; cli` rounds until
# it came or 200 ms (TABLE_IN: TSC ticks per ms) passed; reports how many
# came (1).  CNT and LIM are the registers it may use; PRE, if any, runs
# before each round's STI.
.macro ONESHOT_ROUNDS cnt:req, lim:req, insn:req, pre:vararg
	mov	CNT + 4 * V_ONESHOT, \cnt
	mov	TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	call	tsc
	mov	TABLE_IN, \lim
	imul	$200, \lim, \lim
	add	%rax, \lim
1:	\pre
	sti
	\insn
	cli
	cmp	CNT + 4 * V_ONESHOT, \cnt
	jne	2f
	call	tsc
	cmp	\lim, %rax
	jb	1b
2:	mov	CNT + 4 * V_ONESHOT, %eax
	sub	\cnt, %eax
	call	report				# 1
.endm

	.globl	_start
_start:
	ENTRY64
	mov	%esi, test_arg(%rip)
	movl	$0, TABLE_OUT
	call	pc_setup
	cld
	mov	test_arg(%rip), %eax
	and	$0xff, %eax
	cmp	$PC_PM, %eax
	ja	bad_test
	lea	tests(%rip), %rbx
	call	*(%rbx,%rax,8)
	# every sub-test returns here with its results reported
	cli
	call	timer_off
finish:
	REPORT_DONE
	cli
	hlt
	jmp	finish

bad_test:
	mov	$0xbad, %eax
	call	report
	jmp	finish

	.balign 8
tests:	.quad	bad_test, t_timer, t_ipi, t_eoi, t_ioapic, t_pic, t_pit2
	.quad	t_rtc, t_uart, t_sti, t_hlt, t_string, t_step, t_snap
	.quad	t_pm

# ------------------------------------------------------------ helpers

# report EAX (zero-extended; RAX with report64): to RAM, and attached to
# PORT_RESULT.  Clobbers nothing.
report:
	mov	%eax, %eax
report64:
	push	%rcx
	mov	TABLE_OUT, %ecx
	mov	%rax, TABLE_OUT + 8(,%rcx,8)
	inc	%ecx
	mov	%ecx, TABLE_OUT
	pop	%rcx
	testl	$PC_MANAGED, test_arg(%rip)
	jnz	1f
	out	%eax, $PORT_RESULT
1:	ret

# sync EAX: ask the host (attached) for a line change or an MSI.
sync:
	push	%rdx
	mov	$PORT_SYNC, %dx
	out	%eax, %dx
	pop	%rdx
	ret

# delay EAX milliseconds of TSC (TABLE_IN +0); clobbers nothing.
delay_ms:
	push	%rax
	push	%rcx
	push	%rdx
	mov	%eax, %ecx
	mov	TABLE_IN, %rax
	imul	%rcx, %rax
	mov	%rax, %rcx
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	add	%rax, %rcx
1:	pause
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	%rcx, %rax
	jb	1b
	pop	%rdx
	pop	%rcx
	pop	%rax
	ret

# RAX = TSC
tsc:
	push	%rdx
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	pop	%rdx
	ret

apic_on:
	movl	$1, apic_used(%rip)
	movl	$0x100 | V_SPUR, A_SVR		# SDM 10.9: APIC software enable
	movl	$0, A_TPR
	movl	$0x10700, A_LINT0		# PIC off unless a test wants it
	ret

timer_off:
	cmpl	$0, apic_used(%rip)		# the APIC untouched: leave it
	je	1f
	movl	$0x10000, A_LVTT		# masked
	movl	$0, A_TICR
	push	%rcx
	push	%rax
	push	%rdx
	mov	$MSR_TSC_DEADLINE, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	pop	%rdx
	pop	%rax
	pop	%rcx
1:	ret

# self IPI, vector EAX (ICR shorthand "self", fixed: SDM Figure 10-12)
self_ipi:
	or	$0x44000, %eax
	mov	%eax, A_ICRLO
	ret

# wait until CNT[EDI] >= ESI or EAX ms of TSC passed, polling with IF=0
# and opening the window at one boundary a round; returns the count in
# EAX (and IF=1).
wait_count:
	push	%rcx
	push	%rdx
	mov	%eax, %ecx
	mov	TABLE_IN, %rax
	imul	%rcx, %rax
	mov	%rax, %rcx
	call	tsc
	add	%rax, %rcx
1:	mov	CNT(,%rdi,4), %eax
	cmp	%esi, %eax
	jae	2f
	call	tsc
	cmp	%rcx, %rax
	jae	2f
	sti
	nop		# not PAUSE: pc-sti checks `sti; pause; cli` on its own
	cli
	jmp	1b
2:	mov	CNT(,%rdi,4), %eax
	sti
	pop	%rdx
	pop	%rcx
	ret

# ------------------------------------------------------------ interrupts
#
# 256 gates to 16-byte stubs; each pushes an error code (0 when the CPU
# pushes none) and the vector, and goes to int_common, which counts the
# vector in CNT, logs it (vlog), calls hooks[vector] if set, and, for
# vectors >= 32 with auto_eoi set, writes the APIC's EOI.  Exceptions
# without a hook report 0xe000 + vector, error code, RIP and stop.

# The page at 0xfee00000 and its neighbours are also mapped at their
# sign-extended addresses (PML4[511] -> PDPT[511] -> libhv's page
# directory for 3-4 GiB), so that `mov A_ID, %eax` (a 32-bit
# displacement, sign-extended) reaches GPA 0xfee00020.
pc_setup:
	movq	$HI_PD | 3, HI_PDPT + 511 * 8
	movq	$HI_PDPT | 3, PML4 + 511 * 8
	mov	%cr3, %rax
	mov	%rax, %cr3
	mov	$IDT, %edi
	lea	stubs(%rip), %rsi
	mov	$256, %ecx
1:	mov	%rsi, %rax
	mov	%ax, (%rdi)
	movw	$0x08, 2(%rdi)
	movw	$0x8e00, 4(%rdi)		# 64-bit interrupt gate, DPL 0
	shr	$16, %rax
	mov	%ax, 6(%rdi)
	shr	$16, %rax
	mov	%eax, 8(%rdi)
	movl	$0, 12(%rdi)
	add	$16, %rdi
	add	$16, %rsi
	loop	1b
	lidt	pc_idtr(%rip)
	ret

	.balign 8
pc_idtr: .word	256 * 16 - 1
	.quad	IDT

	.balign 16
stubs:
	.set	n, 0
	.rept	256
	.balign 16
	.if (n == 8) || (n >= 10 && n <= 14) || (n == 17) || (n == 21) || (n == 29) || (n == 30)
	.else
	pushq	$0
	.endif
	pushq	$n
	jmp	int_common
	.set	n, n + 1
	.endr

# Frame after the pushes below: 72(%rsp) vector, 80 error, 88 RIP,
# 96 CS, 104 RFLAGS.  R12-R15, RBX, RBP are never touched here.
int_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	72(%rsp), %edi
	lock incl CNT(,%rdi,4)
	mov	vlog_n(%rip), %eax
	cmp	$64, %eax
	jae	1f
	lea	vlog(%rip), %rcx
	mov	%dil, (%rcx,%rax)
	incl	vlog_n(%rip)
1:	lea	hooks(%rip), %rax
	mov	(%rax,%rdi,8), %rax
	test	%rax, %rax
	jz	2f
	mov	%rsp, %rsi			# the frame, for the hook
	push	%rdi
	call	*%rax
	pop	%rdi
	jmp	3f
2:	cmp	$32, %edi
	jb	exc_fatal
3:	cmp	$32, %edi
	jb	4f
	cmp	$V_SPUR, %edi
	je	4f
	cmpl	$0, auto_eoi(%rip)
	je	4f
	movl	$0, A_EOI
4:	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq

exc_fatal:
	mov	%edi, %eax
	or	$0xe000, %eax
	call	report
	mov	80(%rsp), %eax
	call	report
	mov	88(%rsp), %rax
	call	report64
	jmp	finish

# Hooks get EDI = vector, RSI = the frame (as int_common's offsets).
# hook_tick: the TSC of each interrupt of the vector into TICKS.
hook_tick:
	push	%rdx
	push	%rcx
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	ticks_n(%rip), %ecx
	cmp	$64, %ecx
	jae	1f
	mov	%rax, TICKS(,%rcx,8)
	incl	ticks_n(%rip)
1:	pop	%rcx
	pop	%rdx
	ret

# hook_stamp: the TSC of the vector's interrupt at STAMPS + 8 * (vector
# & 15) (the one-shot and deadline timers: one interrupt each)
hook_stamp:
	push	%rdx
	push	%rcx
	mov	%edi, %ecx
	and	$15, %ecx
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, STAMPS(,%rcx,8)
	pop	%rcx
	pop	%rdx
	ret

# hook_pcnt: count (APIC ID, vector) in PCNT; ID from the xAPIC page.
hook_pcnt:
	mov	A_ID, %eax
	shr	$24, %eax
	and	$3, %eax
	shl	$8, %eax
	add	%edi, %eax
	lock incl PCNT(,%rax,4)
	ret

# set hook EDI = vector, RAX = function
set_hook:
	push	%rcx
	lea	hooks(%rip), %rcx
	mov	%rax, (%rcx,%rdi,8)
	pop	%rcx
	ret

# ------------------------------------------------------------ pc-timer
#
# Results: periodic 5 ms: ticks measured (>= 10), then 9 TSC deltas
# between them; the current count read while running (<= initial); the
# counter's rate (counts and TSC between two reads);
# one-shot: the TSC from arming to the interrupt, the count of one-shot
# interrupts 3 periods later (1), the current count then (0);
# TSC-deadline: CPUID.1:ECX[24], deadline interrupt count (1),
# interrupt TSC - deadline (>= 0, signed 64), the MSR afterwards (0); a
# deadline in the past fires at once (count 1).
t_timer:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$V_TIMER, %edi
	lea	hook_tick(%rip), %rax
	call	set_hook
	mov	$V_ONESHOT, %edi
	lea	hook_stamp(%rip), %rax
	call	set_hook
	mov	$V_DEADLINE, %edi
	call	set_hook

	# periodic, 5 ms (SDM 10.5.4): 3 ticks to warm up (an emulator
	# translating new code is slow at first), then 10 measured; 5 ms so
	# that the emulators' delivery latency is small against it
	movl	$0xb, A_TDCR			# divide by 1
	movl	$0x20000 | V_TIMER, A_LVTT	# periodic
	imul	$5, TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	mov	A_TCCR, %eax
	mov	%eax, %r14d
	mov	$V_TIMER, %edi
	mov	$3, %esi
	mov	$2000, %eax			# at most 2 s
	call	wait_count
	cli
	movl	$0, ticks_n(%rip)
	mov	CNT + 4 * V_TIMER, %esi
	add	$10, %esi
	mov	$V_TIMER, %edi
	mov	$2000, %eax
	call	wait_count
	cli
	movl	$0x10000 | V_TIMER, A_LVTT	# mask
	movl	$0, A_TICR
	mov	ticks_n(%rip), %eax
	call	report				# >= 10
	mov	$1, %ecx
1:	mov	TICKS(,%rcx,8), %rax
	sub	TICKS - 8(,%rcx,8), %rax
	call	report64
	inc	%ecx
	cmp	$10, %ecx
	jb	1b
	mov	%r14d, %eax
	call	report

	# the counter's rate against the TSC: a masked one-shot from
	# 0xffffffff, its current count read 5 ms apart
	movl	$0x10000 | V_ONESHOT, A_LVTT
	movl	$0xffffffff, A_TICR
	call	tsc
	mov	%rax, %r15
	mov	A_TCCR, %ebx
	mov	$5, %eax
	call	delay_ms
	call	tsc
	mov	%rax, %r14
	mov	A_TCCR, %ecx
	movl	$0, A_TICR
	sub	%ecx, %ebx
	mov	%ebx, %eax
	call	report				# counts in between
	mov	%r14, %rax
	sub	%r15, %rax
	call	report64			# TSC in between

	# one-shot, 1 ms
	movl	$V_ONESHOT, A_LVTT		# one-shot
	call	tsc
	mov	%rax, %r15
	mov	TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	mov	$V_ONESHOT, %edi
	mov	$1, %esi
	mov	$2000, %eax
	call	wait_count
	mov	$3, %eax
	call	delay_ms			# (IF=1: a second one would count)
	cli
	mov	STAMPS + 8 * (V_ONESHOT & 15), %rax
	sub	%r15, %rax
	call	report64
	mov	CNT + 4 * V_ONESHOT, %eax
	call	report
	mov	A_TCCR, %eax
	call	report

	# TSC-deadline (SDM 10.5.4.1)
	mov	$1, %eax
	cpuid
	mov	%ecx, %eax
	shr	$24, %eax
	and	$1, %eax
	call	report
	movl	$0x40000 | V_DEADLINE, A_LVTT	# TSC-deadline mode
	mfence
	call	tsc
	add	TABLE_IN, %rax			# +1 ms
	mov	%rax, %r15
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_TSC_DEADLINE, %ecx
	wrmsr
	mov	$V_DEADLINE, %edi
	mov	$1, %esi
	mov	$2000, %eax
	call	wait_count
	cli
	call	report
	mov	STAMPS + 8 * (V_DEADLINE & 15), %rax
	sub	%r15, %rax
	call	report64
	mov	$MSR_TSC_DEADLINE, %ecx
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	call	report64
	# a deadline already passed fires at once
	call	tsc
	sub	$1000, %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_TSC_DEADLINE, %ecx
	wrmsr
	mov	$V_DEADLINE, %edi
	mov	$2, %esi
	mov	$100, %eax
	call	wait_count
	cli
	call	report
	ret

# ------------------------------------------------------------ pc-eoi
#
# Two self IPIs while IF=0, 0x35 (class 3) and 0x62 (class 6); TPR 0x40
# blocks the lower (SDM 10.8.3.1).  Results: IRR words 1 and 3 while
# both pending; first delivery 0x62 with ISR word 3 and PPR (0x60)
# read inside; after EOI: PPR (0x40, the TPR), IRR word 1 (0x35 still
# pending), nothing more delivered with IF=1 (log length 1); TPR 0:
# 0x35 delivered, PPR inside (0x30); then both again with TPR 0: order
# 0x62, 0x35 (higher first); the log.
t_eoi:
	call	apic_on
	movl	$0, auto_eoi(%rip)
	mov	$0x35, %edi
	lea	hook_eoi(%rip), %rax
	call	set_hook
	mov	$0x62, %edi
	call	set_hook
	cli
	movl	$0, eoi_now(%rip)
	mov	$0x35, %eax
	call	self_ipi
	mov	$0x62, %eax
	call	self_ipi
	mov	A_IRR + 0x10, %eax
	call	report				# bit 21 (0x35)
	mov	A_IRR + 0x30, %eax
	call	report				# bit 2 (0x62)
	movl	$0x40, A_TPR
	sti
	nop
	nop
	mov	$1, %eax
	call	delay_ms
	cli
	mov	vlog_n(%rip), %eax
	call	report				# 1
	movzbl	vlog(%rip), %eax
	call	report				# 0x62
	mov	eoi_isr(%rip), %eax
	call	report				# bit 2 of ISR word 3
	mov	eoi_ppr(%rip), %eax
	call	report				# 0x60
	movl	$0, A_EOI
	mov	A_PPR, %eax
	call	report				# 0x40
	mov	A_ISR + 0x30, %eax
	call	report				# 0
	mov	A_IRR + 0x10, %eax
	call	report				# bit 21
	sti
	mov	$1, %eax
	call	delay_ms
	cli
	mov	vlog_n(%rip), %eax
	call	report				# still 1
	movl	$0, A_TPR
	movl	$1, eoi_now(%rip)		# the hook EOIs from now on
	sti
	nop
	cli
	mov	vlog_n(%rip), %eax
	call	report				# 2
	movzbl	vlog + 1(%rip), %eax
	call	report				# 0x35
	mov	eoi_ppr(%rip), %eax
	call	report				# 0x30
	# both pending, TPR 0: the higher first
	mov	$0x35, %eax
	call	self_ipi
	mov	$0x62, %eax
	call	self_ipi
	sti
	nop
	nop
	mov	$1, %eax
	call	delay_ms
	cli
	mov	vlog_n(%rip), %eax
	call	report				# 4
	movzbl	vlog + 2(%rip), %eax
	call	report				# 0x62
	movzbl	vlog + 3(%rip), %eax
	call	report				# 0x35
	mov	A_PPR, %eax
	call	report				# 0
	ret

hook_eoi:
	mov	%edi, %ecx
	shr	$5, %ecx
	shl	$4, %ecx
	mov	A_ISR(%rcx), %eax
	mov	%eax, eoi_isr(%rip)
	mov	A_PPR, %eax
	mov	%eax, eoi_ppr(%rip)
	cmpl	$0, eoi_now(%rip)
	je	1f
	movl	$0, A_EOI
1:	ret

# ------------------------------------------------------------ pc-sti
#
# A self IPI sent with IF=0 is not delivered (count 0), then `sti; inc
# %r12`: the interrupt comes after the INC (SDM Vol 3A 6.8.3: STI's
# shadow), so the hook sees R12 = 1 and the frame's RIP at sti_after.
# The same with the timer: a one-shot expired (its IRR bit seen) while
# IF=0.  Results: count before STI, R12 seen, RIP == sti_after (1);
# for the timer: IRR bit seen (1), R12 seen, RIP == sti_after2.
t_sti:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$V_SELF, %edi
	lea	hook_sti(%rip), %rax
	call	set_hook
	mov	$V_ONESHOT, %edi
	call	set_hook
	cli
	mov	$V_SELF, %eax
	call	self_ipi
	mov	$1, %eax
	call	delay_ms
	mov	CNT + 4 * V_SELF, %eax
	call	report				# 0
	xor	%r12d, %r12d
	lea	sti_after(%rip), %rax
	mov	%rax, sti_want(%rip)
	sti
	inc	%r12
sti_after:
	nop
	cli
	mov	sti_r12(%rip), %eax
	call	report				# 1
	mov	sti_ripok(%rip), %eax
	call	report				# 1

	# the timer: one-shot 0.1 ms, wait for its IRR bit with IF=0
	movl	$0xb, A_TDCR
	movl	$V_ONESHOT, A_LVTT
	mov	TABLE_IN + 8, %eax
	xor	%edx, %edx
	mov	$10, %ecx
	div	%ecx
	mov	%eax, A_TICR
	call	tsc
	mov	TABLE_IN, %rcx
	shl	$8, %rcx			# give up after 256 ms
	add	%rax, %rcx
	xor	%ebx, %ebx
1:	mov	A_IRR + 0x20, %eax		# vectors 0x40-0x5f
	bt	$V_ONESHOT - 0x40, %eax
	jc	2f
	call	tsc
	cmp	%rcx, %rax
	jb	1b
	jmp	3f
2:	mov	$1, %ebx
3:	mov	%ebx, %eax
	call	report				# 1
	xor	%r12d, %r12d
	movl	$0, sti_r12(%rip)
	movl	$0, sti_ripok(%rip)
	lea	sti_after2(%rip), %rax
	mov	%rax, sti_want(%rip)
	sti
	inc	%r12
sti_after2:
	nop
	cli
	mov	sti_r12(%rip), %eax
	call	report				# 1
	mov	sti_ripok(%rip), %eax
	call	report				# 1

	# A one-shot (1 ms) expiring while the guest spins without exits:
	# with IF=1 (a kick must bring it), then in `sti; nop; cli` rounds
	# (IF=1 at one instruction boundary a round: the interrupt window).
	# Results: interrupts within 200 ms, each (1).
	mov	CNT + 4 * V_ONESHOT, %ebx
	mov	TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	call	tsc
	mov	TABLE_IN, %rcx
	imul	$200, %rcx, %rcx
	add	%rax, %rcx
	sti
1:	cmp	CNT + 4 * V_ONESHOT, %ebx
	jne	2f
	call	tsc
	cmp	%rcx, %rax
	jb	1b
2:	cli
	mov	CNT + 4 * V_ONESHOT, %eax
	sub	%ebx, %eax
	call	report				# 1
	ONESHOT_ROUNDS %ebx, %rcx, nop
	# ...and in `sti; cpuid; cli` rounds: CPUID always exits and hv
	# completes it; the shadow must end with it (SDM Vol 3A 6.8.3: one
	# instruction), so the window opens before the CLI
	ONESHOT_ROUNDS %r8d, %r9, cpuid, xor %eax, %eax
	# ...and in `sti; pause; cli` rounds (wait_count's loop)
	ONESHOT_ROUNDS %r8d, %r9, pause
	ret

hook_sti:
	mov	%r12d, sti_r12(%rip)
	mov	88(%rsi), %rax
	cmp	sti_want(%rip), %rax
	sete	%al
	movzbl	%al, %eax
	mov	%eax, sti_ripok(%rip)
	ret

# ------------------------------------------------------------ pc-hlt
#
# `sti; hlt` with a one-shot timer of 20 ms armed wakes on its interrupt
# (count 1, the time past arming >= 0.5 of its period, reported raw).
# 20 ms, not 1: the HLT must find the interrupt not yet pending, so that
# it sleeps (tr-fields traces that sleep and its wake-up); a host busy
# enough to hold the vCPU for 1 ms between arming and HLT made it find
# the interrupt pending, which ends a HLT without a sleep.  `sti; hlt`
# with a self IPI already pending wakes at once (count 1); at the end a
# periodic timer runs while `cli; hlt`: that HLT must still end the run
# (HV_EXIT_HLT, attached), nothing can wake it.
t_hlt:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	movl	$0xb, A_TDCR
	movl	$V_ONESHOT, A_LVTT
	call	tsc
	mov	%rax, %r15
	imul	$20, TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	sti
	hlt
	cli
	call	tsc
	sub	%r15, %rax
	mov	%rax, %rbx
	mov	CNT + 4 * V_ONESHOT, %eax
	call	report				# 1
	mov	%rbx, %rax
	call	report64			# ~20 ms of TSC
	mov	$V_SELF, %eax
	call	self_ipi
	sti
	hlt
	cli
	mov	CNT + 4 * V_SELF, %eax
	call	report				# 1
	# periodic timer left running, then cli; hlt
	movl	$0x20000 | V_TIMER, A_LVTT
	mov	TABLE_IN + 8, %eax
	mov	%eax, A_TICR
	mov	$RES_DONE, %eax
	call	report
	cli
	hlt
	mov	$0xdead, %eax			# woken with IF=0
	call	report
	jmp	finish

# ------------------------------------------------------------ pc-ioapic
#
# Pin 10 level (vector 0x50): held high, the interrupt comes again after
# each EOI (SDM 10.8.5, 82093AA remote IRR); the hook sees remote IRR 1
# each time, and lowers the line on the 3rd.  Pin 11 edge (0x51): one
# interrupt per raise, none while held.  Pin 12 level (0x52) masked: no
# interrupt until unmasked.  An MSI (0x53).  Results: level count (3),
# remote IRR seen in the hook (1), remote IRR after (0); edge count
# after raise+lower (1), after a second raise held (2); masked count (0),
# count after unmask (1); MSI count (1).
t_ioapic:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$0x50, %edi
	lea	hook_level(%rip), %rax
	call	set_hook
	mov	$0x52, %edi
	call	set_hook
	cli
	mov	$10, %edi
	mov	$0x8050, %eax			# level, fixed, physical, APIC 0
	call	ioapic_route
	mov	$11, %edi
	mov	$0x0051, %eax			# edge
	call	ioapic_route
	mov	$12, %edi
	mov	$0x18052, %eax			# level, masked
	call	ioapic_route

	sti
	mov	$SYNC_LINE | (10 << 8) | (1 << 16), %eax
	call	sync
	mov	$1, %eax
	call	delay_ms
	cli
	mov	CNT + 4 * 0x50, %eax
	call	report				# 3
	mov	level_rirr(%rip), %eax
	call	report				# 1
	mov	$0x10 + 2 * 10, %eax
	call	ioapic_read
	shr	$14, %eax
	and	$1, %eax
	call	report				# 0

	sti
	mov	$SYNC_LINE | (11 << 8) | (1 << 16), %eax
	call	sync
	mov	$SYNC_LINE | (11 << 8), %eax
	call	sync
	mov	$1, %eax
	call	delay_ms
	mov	CNT + 4 * 0x51, %eax
	call	report				# 1
	mov	$SYNC_LINE | (11 << 8) | (1 << 16), %eax
	call	sync
	mov	$1, %eax
	call	delay_ms
	mov	CNT + 4 * 0x51, %eax
	call	report				# 2
	mov	$SYNC_LINE | (11 << 8), %eax
	call	sync

	movl	$0, level_n(%rip)
	mov	$SYNC_LINE | (12 << 8) | (1 << 16), %eax
	call	sync
	mov	$1, %eax
	call	delay_ms
	mov	CNT + 4 * 0x52, %eax
	call	report				# 0
	movl	$2, level_n(%rip)		# lower it at the first
	mov	$12, %edi
	mov	$0x8052, %eax			# unmasked
	call	ioapic_route
	mov	$1, %eax
	call	delay_ms
	mov	CNT + 4 * 0x52, %eax
	call	report				# 1

	mov	$SYNC_MSI | (0x53 << 8), %eax
	call	sync
	mov	$1, %eax
	call	delay_ms
	cli
	mov	CNT + 4 * 0x53, %eax
	call	report				# 1
	ret

# redirection entry of pin EDI = EAX (low), destination APIC 0
ioapic_route:
	push	%rax
	lea	0x11(,%rdi,2), %eax
	mov	%eax, IOAPIC
	movl	$0, IOAPIC + 0x10
	lea	0x10(,%rdi,2), %eax
	mov	%eax, IOAPIC
	pop	%rax
	mov	%eax, IOAPIC + 0x10
	ret

ioapic_read:
	mov	%eax, IOAPIC
	mov	IOAPIC + 0x10, %eax
	ret

# level pins: remote IRR seen; on the 3rd interrupt lower the line
hook_level:
	mov	%edi, %eax
	sub	$0x50, %eax
	lea	0x10 + 20(,%rax,2), %eax	# 0x50 -> pin 10, 0x52 -> pin 12
	call	ioapic_read
	shr	$14, %eax
	and	$1, %eax
	mov	%eax, level_rirr(%rip)
	incl	level_n(%rip)
	cmpl	$3, level_n(%rip)
	jb	1f
	mov	%edi, %eax
	sub	$0x50, %eax
	add	$10, %eax
	shl	$8, %eax
	or	$SYNC_LINE, %eax		# level 0
	call	sync
1:	ret

# ------------------------------------------------------------ pc-pic
#
# The 8259 pair initialised as a PC BIOS does (ICW1-4, vectors 0x20 and
# 0x28), LINT0 ExtINT (SDM 10.5.1), PIT channel 0 mode 2 at 5 ms on IRQ 0.
# Results: ticks (>= 10), 9 TSC deltas; then IRQ 0 masked, the host pulses
# GSI 5: count of vector 0x25 (1), the ISR read by OCW3 inside (0x20),
# the ISR after EOI (0), IRQ 0 count unchanged while masked (1: yes).
t_pic:
	call	apic_on
	movl	$0, auto_eoi(%rip)
	mov	$0x20, %edi
	lea	hook_pic(%rip), %rax
	call	set_hook
	mov	$0x25, %edi
	call	set_hook
	cli
	mov	$0x11, %al			# ICW1: edge, cascade, ICW4
	out	%al, $0x20
	out	%al, $0xa0
	mov	$0x20, %al			# ICW2: vector base
	out	%al, $0x21
	mov	$0x28, %al
	out	%al, $0xa1
	mov	$0x04, %al			# ICW3: slave on IRQ 2
	out	%al, $0x21
	mov	$0x02, %al
	out	%al, $0xa1
	mov	$0x01, %al			# ICW4: 8086 mode
	out	%al, $0x21
	out	%al, $0xa1
	mov	$0xfe, %al			# OCW1: IRQ 0 only
	out	%al, $0x21
	mov	$0xff, %al
	out	%al, $0xa1
	movl	$0x700, A_LINT0			# ExtINT, unmasked
	mov	$0x34, %al			# PIT ch 0, lo/hi, mode 2
	out	%al, $0x43
	mov	$5966 & 0xff, %al		# 5 ms at 1.193182 MHz
	out	%al, $0x40
	mov	$5966 >> 8, %al
	out	%al, $0x40
	mov	$0x20, %edi
	mov	$3, %esi			# warm up
	mov	$2000, %eax
	call	wait_count
	cli
	movl	$0, ticks_n(%rip)
	mov	CNT + 4 * 0x20, %esi
	add	$10, %esi
	mov	$0x20, %edi
	mov	$2000, %eax
	call	wait_count
	cli
	mov	$0xff, %al			# mask IRQ 0
	out	%al, $0x21
	mov	ticks_n(%rip), %eax
	call	report				# >= 10
	mov	$1, %ecx
1:	mov	TICKS(,%rcx,8), %rax
	sub	TICKS - 8(,%rcx,8), %rax
	call	report64
	inc	%ecx
	cmp	$10, %ecx
	jb	1b

	mov	CNT + 4 * 0x20, %ebx
	mov	$0xdf, %al			# IRQ 5 only
	out	%al, $0x21
	sti
	mov	$SYNC_LINE | (5 << 8) | (1 << 16), %eax
	call	sync
	mov	$1, %eax			# high until acknowledged (8259A)
	call	delay_ms
	mov	$SYNC_LINE | (5 << 8), %eax
	call	sync
	mov	$2, %eax
	call	delay_ms
	cli
	mov	CNT + 4 * 0x25, %eax
	call	report				# 1
	mov	pic_isr(%rip), %eax
	call	report				# 0x20
	mov	$0x0b, %al			# OCW3: read ISR
	out	%al, $0x20
	in	$0x20, %al
	movzbl	%al, %eax
	call	report				# 0
	cmp	CNT + 4 * 0x20, %ebx
	sete	%al
	movzbl	%al, %eax
	call	report				# 1
	mov	$0xff, %al
	out	%al, $0x21
	movl	$0x10700, A_LINT0
	ret

hook_pic:
	cmp	$0x20, %edi
	jne	1f
	call	hook_tick
	jmp	2f
1:	mov	$0x0b, %al			# OCW3: read ISR
	out	%al, $0x20
	in	$0x20, %al
	movzbl	%al, %eax
	mov	%eax, pic_isr(%rip)
2:	mov	$0x20, %al			# OCW2: non-specific EOI
	out	%al, $0x20
	ret

# ------------------------------------------------------------ pc-pit2
#
# Linux's PIT calibration (arch/x86/kernel/tsc.c, pit_calibrate_tsc):
# gate on (port 0x61 bit 0), speaker off, channel 2 mode 0, poll OUT2
# (bit 5).  Results: 0 OUT2 right after programming (0); 1 polls until
# it rose (> 0); 2 TSC from programming to OUT2 high (2386 counts,
# 2 ms); 3 speaker data bit as written (0); 4 gate bit read back (1).
# The gate (8254 datasheet, mode 0: GATE = 0 disables counting): 5 OUT2
# 3 ms after programming with the gate low (0); 6 TSC from gate on to
# OUT2 high (2 ms again).  7-8 the counter's rate: counts between two
# latched reads, and the TSC between them.
t_pit2:
	in	$0x61, %al
	and	$0xfd, %al
	or	$0x01, %al			# gate high, speaker off
	out	%al, $0x61
	call	pit2_start
	call	tsc
	mov	%rax, %r15
	in	$0x61, %al
	shr	$5, %al
	and	$1, %eax
	call	report				# 0
	call	pit2_poll
	call	report				# polls
	mov	%r14, %rax
	sub	%r15, %rax
	call	report64			# ~2 ms of TSC
	in	$0x61, %al
	mov	%al, %bl
	shr	$1, %al
	and	$1, %eax
	call	report				# 0
	movzbl	%bl, %eax
	and	$1, %eax
	call	report				# 1

	in	$0x61, %al
	and	$0xfc, %al			# gate low
	out	%al, $0x61
	call	pit2_start
	mov	$3, %eax
	call	delay_ms
	in	$0x61, %al
	shr	$5, %al
	and	$1, %eax
	call	report				# 0
	in	$0x61, %al
	or	$0x01, %al			# gate high
	out	%al, $0x61
	call	tsc
	mov	%rax, %r15
	call	pit2_poll
	mov	%r14, %rax
	sub	%r15, %rax
	call	report64			# ~2 ms of TSC

	# the counter's rate against the TSC: mode 0 from 0xffff, gate on,
	# latched (counter latch command) 5 ms apart
	mov	$0xb0, %al
	out	%al, $0x43
	mov	$0xff, %al
	out	%al, $0x42
	out	%al, $0x42
	call	tsc
	mov	%rax, %r15
	call	pit2_latch
	mov	%eax, %ebx
	mov	$5, %eax
	call	delay_ms
	call	tsc
	mov	%rax, %r14
	call	pit2_latch
	sub	%eax, %ebx
	mov	%ebx, %eax
	call	report				# counts in between
	mov	%r14, %rax
	sub	%r15, %rax
	call	report64			# TSC in between
	in	$0x61, %al
	and	$0xfc, %al
	out	%al, $0x61
	ret

# channel 2: mode 0, 2386 counts (2 ms)
pit2_start:
	mov	$0xb0, %al			# ch 2, lo/hi, mode 0, binary
	out	%al, $0x43
	mov	$2386 & 0xff, %al
	out	%al, $0x42
	mov	$2386 >> 8, %al
	out	%al, $0x42
	ret

# poll port 0x61 until OUT2 is high (at most ~1 s): EAX = polls (0 if
# it never rose), R14 = the TSC then
pit2_poll:
	push	%rbx
	push	%rcx
	xor	%ebx, %ebx
	call	tsc
	mov	TABLE_IN, %rcx
	shl	$10, %rcx
	add	%rax, %rcx
1:	inc	%ebx
	in	$0x61, %al
	test	$0x20, %al
	jnz	2f
	call	tsc
	cmp	%rcx, %rax
	jb	1b
	xor	%ebx, %ebx
2:	call	tsc
	mov	%rax, %r14
	mov	%ebx, %eax
	pop	%rcx
	pop	%rbx
	ret

# EAX = channel 2's count (8254: counter latch command, then LSB, MSB)
pit2_latch:
	mov	$0x80, %al
	out	%al, $0x43
	in	$0x42, %al
	mov	%al, %dl
	in	$0x42, %al
	mov	%al, %ah
	mov	%dl, %al
	movzwl	%ax, %eax
	ret

# ------------------------------------------------------------ pc-rtc
#
# MC146818A: wait for UIP (register A bit 7) to rise and fall (at most
# 3 s: three updates, each with a 244 us UIP window, which a guest whose
# emulator loses the host CPU for a while can miss), then read the time
# as Linux's mc146818_get_time does.  Results:
# UIP seen high (1), seen low again (1); register B, register D (bit 7:
# valid RAM and time); seconds, minutes, hours, day, month, year as read
# (BCD unless B bit 2); NVRAM 0x40 = 0x5a and 0x41 = 0xa5 read back.
t_rtc:
	xor	%ebx, %ebx
	call	tsc
	mov	TABLE_IN, %rcx
	imul	$3000, %rcx, %rcx
	add	%rax, %rcx
1:	mov	$0x0a, %al
	out	%al, $0x70
	in	$0x71, %al
	test	$0x80, %al
	jnz	2f
	call	tsc
	cmp	%rcx, %rax
	jb	1b
	jmp	4f
2:	mov	$1, %ebx
3:	mov	$0x8a, %al			# index with NMI-disable set
	out	%al, $0x70
	in	$0x71, %al
	test	$0x80, %al
	jz	5f
	call	tsc
	cmp	%rcx, %rax
	jb	3b
4:	mov	%ebx, %eax
	call	report
	xor	%eax, %eax
	call	report
	jmp	6f
5:	mov	%ebx, %eax
	call	report				# 1
	mov	$1, %eax
	call	report				# 1
6:	mov	$0x00, %dl			# seconds first: sampled now
	call	cmos_read
	mov	%eax, %r8d
	mov	$0x02, %dl
	call	cmos_read
	mov	%eax, %r9d
	mov	$0x04, %dl
	call	cmos_read
	mov	%eax, %r10d
	mov	$0x0b, %dl
	call	cmos_read
	call	report				# register B
	mov	$0x0d, %dl
	call	cmos_read
	call	report				# register D
	mov	%r8d, %eax
	call	report
	mov	%r9d, %eax
	call	report
	mov	%r10d, %eax
	call	report
	mov	$0x07, %dl
	call	cmos_read
	call	report				# day of month
	mov	$0x08, %dl
	call	cmos_read
	call	report				# month
	mov	$0x09, %dl
	call	cmos_read
	call	report				# year
	mov	$0x40, %al
	out	%al, $0x70
	mov	$0x5a, %al
	out	%al, $0x71
	mov	$0x41, %al
	out	%al, $0x70
	mov	$0xa5, %al
	out	%al, $0x71
	mov	$0x40, %dl
	call	cmos_read
	call	report				# 0x5a
	mov	$0x41, %dl
	call	cmos_read
	call	report				# 0xa5
	ret

cmos_read:
	mov	%dl, %al
	out	%al, $0x70
	in	$0x71, %al
	movzbl	%al, %eax
	ret

# ------------------------------------------------------------ pc-uart
#
# Managed, with console input: the UART's receive interrupt (IER bit 0)
# on IOAPIC pin 4 (vector 0x54).  Prints "ready\n", then only the
# interrupt handler reads the receiver: it echoes every byte and stops
# at '\n'.  Results: interrupts taken (>= 1), IIR seen in the first
# (0x?4: receive data available), bytes received.
t_uart:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$0x54, %edi
	lea	hook_uart(%rip), %rax
	call	set_hook
	cli
	mov	$4, %edi
	mov	$0x0054, %eax			# edge, fixed, APIC 0
	call	ioapic_route
	mov	$0x08, %al			# MCR: OUT2 (the PC's IRQ gate)
	mov	$0x3fc, %dx
	out	%al, %dx
	mov	$0x01, %al			# IER: receive data available
	mov	$0x3f9, %dx
	out	%al, %dx
	lea	msg_ready(%rip), %rsi
	call	uart_puts
	movl	$0xffffffff, uart_iir(%rip)
1:	cmpl	$0, uart_eol(%rip)
	jne	2f
	sti
	hlt
	cli
	jmp	1b
2:	mov	CNT + 4 * 0x54, %eax
	call	report
	mov	uart_iir(%rip), %eax
	call	report
	mov	uart_n(%rip), %eax
	call	report
	ret

hook_uart:
	mov	$0x3fa, %dx
	in	%dx, %al
	movzbl	%al, %eax
	cmpl	$0xffffffff, uart_iir(%rip)
	jne	1f
	mov	%eax, uart_iir(%rip)
1:	mov	$0x3fd, %dx			# LSR: data ready?
	in	%dx, %al
	test	$1, %al
	jz	2f
	mov	$0x3f8, %dx
	in	%dx, %al
	incl	uart_n(%rip)
	cmp	$'\n', %al
	jne	3f
	movl	$1, uart_eol(%rip)
3:	call	uart_putc
	jmp	1b
2:	ret

uart_putc:
	push	%rdx
	push	%rax
	mov	$0x3fd, %dx
1:	in	%dx, %al
	test	$0x20, %al
	jz	1b
	pop	%rax
	mov	$0x3f8, %dx
	out	%al, %dx
	pop	%rdx
	ret

uart_puts:
	lodsb
	test	%al, %al
	jz	1f
	call	uart_putc
	jmp	uart_puts
1:	ret

msg_ready: .asciz "ready\n"

# ------------------------------------------------------------ pc-string
#
# String port I/O (SDM Vol 2, INS/OUTS) and ALU instructions on MMIO.
# The host checks what reached PORT_STR and MMIO_U; results:
#  1 RDI advanced by REP INSB (6), 2-3 the bytes read (0x13121110,
#  0x1514), 4 RCX after (0), 5 PIC IMR written by OUTSB (0xa5), 6 CMOS
#  byte 0x42 written by OUTSB, read by INSB (0x77);
#  APIC TPR: 7 or (0x30), 8 add (0x40), 9 its flags & 0x8d5 (0),
#  10 and (0), 11 flags & 0x8c5 (0x44: ZF PF), 12 xchg old (0),
#  13 TPR (0x50), 14 bt CF (1), 15 movzbl (0x50);
#  MMIO_U: 16 or flags (0x84: SF PF), 17 add flags (0x55), 18 sub flags
#  (0x95), 19 and flags (0x04), 20 xchg old (0x1122334455667788),
#  21 bt CF (1), 22 bts CF (0), 23 btr CF (1), 24 movsbq
#  (0xffffffffffffff80), 25 movzwl (0x8180), 26 test flags (0x44),
#  27 cmp flags (0x44: equal), 28-29 MOVS from MMIO to RAM
#  ("ABCD", "EFGH"), 30 final dword at MMIO_U (0x0f0ff01e).
t_string:
	# REP OUTSB forward, and backward (DF=1)
	lea	str_out(%rip), %rsi
	mov	$8, %ecx
	mov	$PORT_STR, %dx
	rep outsb
	lea	str_out + 7(%rip), %rsi
	mov	$3, %ecx
	std
	rep outsb
	cld
	lea	str_w(%rip), %rsi
	mov	$2, %ecx
	rep outsw
	# REP INSB
	lea	str_in(%rip), %rdi
	mov	%rdi, %rbx
	mov	$6, %ecx
	rep insb
	mov	%rdi, %rax
	sub	%rbx, %rax
	call	report				# 6
	mov	str_in(%rip), %eax
	call	report
	movzwl	str_in + 4(%rip), %eax
	call	report
	mov	%ecx, %eax
	call	report				# 0
	# OUTS to in-kernel devices: PIC IMR, CMOS
	lea	str_imr(%rip), %rsi
	mov	$0x21, %dx
	outsb
	in	$0x21, %al
	movzbl	%al, %eax
	call	report				# 0xa5
	mov	$0xff, %al
	out	%al, $0x21
	lea	str_cmos(%rip), %rsi
	mov	$0x70, %dx
	outsb					# index 0x42
	mov	$0x71, %dx
	outsb					# 0x77
	mov	$0x42, %al
	out	%al, $0x70
	lea	str_in + 8(%rip), %rdi
	mov	$0x71, %dx
	insb
	movzbl	str_in + 8(%rip), %eax
	call	report				# 0x77

	# ALU on the APIC's TPR
	call	apic_on
	orl	$0x30, A_TPR
	mov	A_TPR, %eax
	call	report				# 0x30
	addl	$0x10, A_TPR
	pushf
	mov	A_TPR, %eax
	call	report				# 0x40
	pop	%rax
	and	$0x8d5, %eax
	call	report				# 0
	andl	$0x0f, A_TPR
	pushf
	mov	A_TPR, %eax
	call	report				# 0
	pop	%rax
	and	$0x8c5, %eax
	call	report				# 0x44
	mov	$0x50, %eax
	xchg	%eax, A_TPR
	call	report				# 0
	mov	A_TPR, %eax
	call	report				# 0x50
	btl	$6, A_TPR
	setc	%al
	movzbl	%al, %eax
	call	report				# 1
	movzbl	A_TPR, %eax
	call	report				# 0x50
	movl	$0, A_TPR

	# ALU on userspace MMIO (the host's bytes)
	mov	$MMIO_U, %ebx
	movl	$0x12345678, (%rbx)
	orl	$0x80000001, (%rbx)		# 0x92345679
	call	flags8c5			# 0x80: SF
	addl	$0x6dcba987, (%rbx)		# 0: CF ZF AF PF
	call	flags8d5			# 0x55
	subl	$1, (%rbx)			# 0xffffffff: CF SF AF PF
	call	flags8d5			# 0x95
	andl	$0x0f0f0f0f, (%rbx)		# 0x0f0f0f0f: PF
	pushf
	pop	%rax
	and	$0x8c5, %eax
	call	report				# 0x04
	xorb	$0xff, 1(%rbx)			# 0x0f0ff00f
	mov	$0xaabbccdd00112233, %rax
	xchg	%rax, 8(%rbx)
	call	report64			# 0x1122334455667788
	btl	$1, (%rbx)
	setc	%al
	movzbl	%al, %eax
	call	report				# 1
	btsl	$4, (%rbx)			# 0x0f0ff01f
	setc	%al
	movzbl	%al, %eax
	call	report				# 0
	btrl	$0, (%rbx)			# 0x0f0ff01e
	setc	%al
	movzbl	%al, %eax
	call	report				# 1
	movsbq	16(%rbx), %rax			# host byte 0x80
	call	report64
	movzwl	16(%rbx), %eax			# host bytes 80 81
	call	report
	testl	$0x100, (%rbx)			# bit 8 of 0x0f0ff01e: 0
	pushf
	pop	%rax
	and	$0x8c5, %eax
	call	report				# 0x44
	cmpl	$0x0f0ff01e, (%rbx)
	pushf
	pop	%rax
	and	$0x8d5, %eax
	call	report				# 0x44
	# MOVS RAM -> MMIO, MMIO -> RAM; STOS into MMIO
	lea	str_out(%rip), %rsi
	lea	0x100(%rbx), %rdi
	mov	$8, %ecx
	rep movsb
	lea	0x100(%rbx), %rsi
	lea	str_in + 16(%rip), %rdi
	mov	$2, %ecx
	rep movsl
	mov	str_in + 16(%rip), %eax
	call	report				# "ABCD"
	mov	str_in + 20(%rip), %eax
	call	report				# "EFGH"
	lea	0x200(%rbx), %rdi
	mov	$0xcafef00d, %eax
	mov	$3, %ecx
	rep stosl
	mov	$0x0123456789abcdef, %rax
	stosq
	mov	(%rbx), %eax
	call	report				# 0x0f0ff01e
	ret

flags8d5:
	pushf
	pop	%rax
	and	$0x8d5, %eax
	jmp	report

# the flags AND, OR, TEST define (AF is undefined after them)
flags8c5:
	pushf
	pop	%rax
	and	$0x8c5, %eax
	jmp	report

str_out:  .ascii "ABCDEFGH"
str_w:	  .word	0x1234, 0xabcd
str_imr:  .byte	0xa5
str_cmos: .byte	0x42, 0x77
	.balign 8
str_in:	  .fill	32, 1, 0

# ------------------------------------------------------------ pc-step
#
# RFLAGS.TF over instructions hv emulates or forwards: CPUID, IN (PIT,
# in the kernel), OUT (CMOS index), OUT to userspace (PORT_SYNC), RDMSR,
# WRMSR (TSC_DEADLINE, 0).  Each must end in a #DB trap (SDM Vol 3A
# 17.3.1.4) with DR6.BS and RIP after the instruction.  Results: #DBs
# taken (7), then per trap: RIP == expected (1), DR6 & 0x400f (0x4000).
t_step:
	mov	$1, %edi
	lea	hook_db(%rip), %rax
	call	set_hook
	xor	%eax, %eax
	mov	%rax, %dr6
	pushf
	orl	$0x100, (%rsp)
	popf
	mov	$0, %eax			# traps after it: TF was set
s0:	cpuid
s1:	in	$0x61, %al
s2:	out	%al, $0x70
s3:	mov	$PORT_SYNC, %dx
s4:	mov	$SYNC_NOP, %eax
s5:	out	%eax, %dx
s6:	mov	$0x1b, %ecx
s7:	rdmsr
s8:	mov	$MSR_TSC_DEADLINE, %ecx
s9:	xor	%eax, %eax
s10:	xor	%edx, %edx
s11:	wrmsr
s12:	nop
step_end:
	mov	step_n(%rip), %eax
	call	report				# 12
	xor	%ecx, %ecx
1:	mov	step_got(,%rcx,8), %rax
	lea	step_want(%rip), %rdx
	cmp	(%rdx,%rcx,8), %rax
	sete	%al
	movzbl	%al, %eax
	call	report
	lea	step_dr6(%rip), %rdx
	mov	(%rdx,%rcx,8), %rax
	and	$0x400f, %eax
	call	report
	inc	%ecx
	cmp	step_n(%rip), %ecx
	jb	1b
	ret

	.set	step_got, TICKS			# RIPs of the traps
step_want:
	.quad	s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12
	.quad	step_end
step_dr6:
	.fill	16, 8, 0

hook_db:
	mov	step_n(%rip), %ecx
	cmp	$16, %ecx
	jae	2f
	mov	88(%rsi), %rax
	mov	%rax, step_got(,%rcx,8)
	mov	%dr6, %rax
	lea	step_dr6(%rip), %rdx
	mov	%rax, (%rdx,%rcx,8)
	incl	step_n(%rip)
	xor	%eax, %eax
	mov	%rax, %dr6
	lea	step_end(%rip), %rax
	cmp	88(%rsi), %rax
	jne	1f
2:	andl	$~0x100, 104(%rsi)		# stop stepping
1:	ret

# ------------------------------------------------------------ pc-snap
#
# Managed, never ends: a periodic 1 ms timer counts ticks at SNAP_TICKS;
# each round waits with IF=0 until the tick is pending in the IRR, holds
# it there 2 ms (so a snapshot is likely to catch it pending), then takes
# it with STI.  SNAP_TICKS + 8 counts the rounds, + 16 the rounds whose
# tick never came within 100 ms (0 if the timer goes on).
t_snap:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$V_TIMER, %edi
	lea	hook_snap(%rip), %rax
	call	set_hook
	cli
	movl	$0xb, A_TDCR
	movl	$0x20000 | V_TIMER, A_LVTT
	mov	TABLE_IN + 8, %eax
	mov	%eax, A_TICR
1:	call	tsc
	mov	TABLE_IN, %rcx
	imul	$100, %rcx, %rcx
	add	%rax, %rcx
2:	mov	A_IRR + 0x20, %eax
	bt	$V_TIMER - 0x40, %eax
	jc	3f
	call	tsc
	cmp	%rcx, %rax
	jb	2b
	incq	SNAP_TICKS + 16
	jmp	4f
3:	mov	$2, %eax
	call	delay_ms
	mov	SNAP_TICKS, %rbx
	sti
	nop
	cli
	cmp	SNAP_TICKS, %rbx
	jne	4f
	incq	SNAP_TICKS + 16			# pending, yet not taken
4:	incq	SNAP_TICKS + 8
	jmp	1b

hook_snap:
	incq	SNAP_TICKS
	ret

# ------------------------------------------------------------ pc-pm
#
# The ACPI PM1 block of hv's FADT and the reset ports (issue 14,
# kmod/io/pm.c; ACPI 6.4, 4.8.3).  Results: PM1_CNT (SCI_EN: 1), the PM
# timer's counts over about 5 ms and the TSC ticks they took, 0xcf9 and
# the 8042 status at 0x64 (0 both).  Attached, then: 0x02 to 0xcf9 (no
# reset: 0xcf9 reads 0x02), 0x06 to 0xcf9, 0xfe to 0x64, SLP_EN with
# SLP_TYP 0 to PM1_CNT - three HV_EXIT_SYSTEM_EVENTs the host answers by
# running on - then 0xcf9 again (0x02, RST_CPU cleared) and 1.  Managed,
# the operation in test_arg bits 9-10 stops the VM (reboot, power-off);
# should it not, the debug exit with RES_DONE follows.
t_pm:
	mov	$0x604, %dx
	in	%dx, %ax
	movzwl	%ax, %eax
	call	report				# PM1_CNT: 1
	mov	$0x608, %dx
	in	%dx, %eax
	mov	%eax, %ebx
	call	tsc
	mov	%rax, %rcx
	mov	$5, %eax
	call	delay_ms
	in	%dx, %eax
	sub	%ebx, %eax
	call	report				# PM timer counts
	call	tsc
	sub	%rcx, %rax
	call	report64			# ... in these TSC ticks
	mov	$0xcf9, %dx
	in	%dx, %al
	movzbl	%al, %eax
	call	report				# 0xcf9: 0
	in	$0x64, %al
	movzbl	%al, %eax
	call	report				# 0x64: 0
	mov	test_arg(%rip), %eax
	shr	$PM_OP_SHIFT, %eax
	and	$3, %eax
	cmp	$1, %eax
	je	pm_reset
	cmp	$2, %eax
	je	pm_s5
	mov	$0xcf9, %dx
	mov	$0x02, %al
	out	%al, %dx			# SYS_RST alone: nothing
	in	%dx, %al
	movzbl	%al, %eax
	call	report				# 0x02
	mov	$0x06, %al
	out	%al, %dx			# event: reboot, 0x06
	mov	$0xfe, %al
	out	%al, $0x64			# event: reboot, 0xfe
	call	pm_s5				# event: poweroff, 0x2000
	mov	$0xcf9, %dx
	in	%dx, %al
	movzbl	%al, %eax
	call	report				# 0x02
	mov	$1, %eax
	jmp	report				# ran on after the events
pm_reset:
	mov	$0xcf9, %dx
	mov	$0x06, %al
	out	%al, %dx
	ret
pm_s5:	# Linux's acpi_hw_legacy_sleep: SLP_TYP, then SLP_EN with it
	mov	$0x604, %dx
	in	%dx, %ax
	and	$~0x3c00, %ax
	out	%ax, %dx
	or	$0x2000, %ax
	out	%ax, %dx
	ret

# ------------------------------------------------------------ pc-ipi
#
# Managed, 4 vCPUs.  The BSP starts APs 1-3 with INIT, SIPI, SIPI each
# (SDM Vol 3A 9.4.4.1) at ap_tramp (real mode, below 1 MiB); each AP
# goes to long mode on the BSP's page tables and GDT, enables its APIC,
# sets its flat logical ID (1 << APIC ID), counts itself in ap_started
# and waits in `sti; hlt`.  Every interrupt is counted per (APIC ID,
# vector) in PCNT (hook_pcnt), NMIs too; the host reads PCNT.  Sent:
# fixed 0x61-0x63 to APs 1-3 (physical), twice each; NMI to AP 2;
# fixed 0x70 to all excluding self; NMI to all excluding self; fixed 0x71
# to all including self; fixed 0x72 to logical 0x0a (APs 1 and 3).
# Results: APs started (3), again 1 ms later (3), then one per step
# (the fixed round twice): 1 if its counts were reached within 2 s.
t_ipi:
	call	apic_on
	movl	$1, auto_eoi(%rip)
	mov	$0x100, %ecx
	lea	hook_pcnt(%rip), %rax
1:	lea	-1(%rcx), %edi
	cmp	$32, %edi
	jb	2f
	call	set_hook
2:	loop	1b
	mov	$2, %edi
	call	set_hook
	movl	$0x01000000, A_LDR		# logical ID: bit 0 (flat)
	movl	$0xffffffff, A_DFR
	sgdt	tr_gdtr(%rip)
	mov	%cr3, %rax
	mov	%eax, tr_cr3(%rip)
	mov	$1, %ebx
3:	mov	%ebx, %eax
	shl	$24, %eax
	mov	%eax, A_ICRHI
	movl	$0x4500, A_ICRLO		# INIT, assert
	call	icr_idle
	mov	$1, %eax
	call	delay_ms
	mov	$2, %r12d
4:	mov	%ebx, %eax
	shl	$24, %eax
	mov	%eax, A_ICRHI
	mov	$ap_tramp, %eax
	shr	$12, %eax
	or	$0x4600, %eax			# start-up
	mov	%eax, A_ICRLO
	call	icr_idle
	dec	%r12d
	jnz	4b
	inc	%ebx
	cmp	$4, %ebx
	jb	3b
	# wait for the three
	call	tsc
	mov	TABLE_IN, %rcx
	imul	$2000, %rcx, %rcx
	add	%rax, %rcx
5:	cmpl	$3, ap_started(%rip)
	jae	6f
	call	tsc
	cmp	%rcx, %rax
	jb	5b
6:	mov	ap_started(%rip), %eax
	call	report
	mov	$1, %eax
	call	delay_ms			# a second SIPI would restart one
	mov	ap_started(%rip), %eax
	call	report				# still 3

	# fixed, physical, to each AP; a second round once the first came
	# (an IPI for a vector still pending in the IRR merges with it)
	mov	$2, %r12d
7:	mov	$1, %ebx
8:	mov	%ebx, %eax
	shl	$24, %eax
	mov	%eax, A_ICRHI
	lea	0x4060(%rbx), %eax
	mov	%eax, A_ICRLO
	call	icr_idle
	inc	%ebx
	cmp	$4, %ebx
	jb	8b
	lea	want_fixed1(%rip), %rsi
	cmp	$1, %r12d
	jne	9f
	lea	want_fixed(%rip), %rsi
9:	call	wait_pcnt
	dec	%r12d
	jnz	7b
	# NMI to AP 2
	movl	$2 << 24, A_ICRHI
	movl	$0x4400, A_ICRLO
	call	icr_idle
	lea	want_nmi2(%rip), %rsi
	call	wait_pcnt
	# fixed to all excluding self
	movl	$0xc4070, A_ICRLO
	call	icr_idle
	lea	want_allx(%rip), %rsi
	call	wait_pcnt
	# NMI to all excluding self
	movl	$0xc4400, A_ICRLO
	call	icr_idle
	lea	want_nmiall(%rip), %rsi
	call	wait_pcnt
	# fixed to all including self (the BSP takes it too)
	sti
	movl	$0x84071, A_ICRLO
	call	icr_idle
	lea	want_alli(%rip), %rsi
	call	wait_pcnt
	# logical, flat: APs 1 and 3
	movl	$0x0a000000, A_ICRHI
	movl	$0x4872, A_ICRLO
	call	icr_idle
	lea	want_logical(%rip), %rsi
	call	wait_pcnt
	mov	$2, %eax
	call	delay_ms
	cli
	ret

# wait until ICR delivery status (bit 12) is idle
icr_idle:
	pause
	testl	$0x1000, A_ICRLO
	jnz	icr_idle
	ret

# RSI: list of (APIC ID << 8 | vector, count) u32 pairs, ended by 0, 0.
# Waits (IF as it is) at most 2 s for all to hold; reports 1 or 0.
wait_pcnt:
	call	tsc
	mov	TABLE_IN, %rcx
	imul	$2000, %rcx, %rcx
	add	%rax, %rcx
1:	mov	%rsi, %rdi
2:	mov	(%rdi), %eax
	mov	4(%rdi), %edx
	test	%edx, %edx
	jz	3f
	cmp	PCNT(,%rax,4), %edx
	ja	4f
	add	$8, %rdi
	jmp	2b
3:	mov	$1, %eax
	jmp	report
4:	call	tsc
	cmp	%rcx, %rax
	jb	1b
	xor	%eax, %eax
	jmp	report

	.balign 4
want_fixed1:	.long	0x161, 1, 0x262, 1, 0x363, 1, 0, 0
want_fixed:	.long	0x161, 2, 0x262, 2, 0x363, 2, 0, 0
want_nmi2:	.long	0x202, 1, 0, 0
want_allx:	.long	0x170, 1, 0x270, 1, 0x370, 1, 0, 0
want_nmiall:	.long	0x102, 1, 0x202, 2, 0x302, 1, 0, 0
want_alli:	.long	0x071, 1, 0x171, 1, 0x271, 1, 0x371, 1, 0, 0
want_logical:	.long	0x172, 1, 0x372, 1, 0, 0

# The AP's way to long mode: real mode at CS = ap_tramp >> 4, IP 0.
	.code16
	.balign 4096
ap_tramp:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	tr_gdtr
	mov	%cr4, %eax
	or	$0x20, %eax			# PAE
	mov	%eax, %cr4
	movl	tr_cr3, %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		# EFER.LME
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	%cr0, %eax
	and	$0x9fffffff, %eax		# caches on (CD, NW clear)
	or	$0x80000001, %eax		# PG, PE
	mov	%eax, %cr0
	ljmpl	$0x08, $ap_long
	.code64
ap_long:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	A_ID, %eax
	shr	$24, %eax
	and	$3, %eax
	mov	%eax, %ebx
	shl	$12, %eax
	mov	$AP_STACKS, %esp
	sub	%eax, %esp
	lidt	pc_idtr(%rip)
	movl	$0x100 | V_SPUR, A_SVR
	mov	%ebx, %ecx
	mov	$1, %eax
	shl	%cl, %eax
	shl	$24, %eax
	mov	%eax, A_LDR			# flat logical ID 1 << APIC ID
	movl	$0xffffffff, A_DFR
	movl	$0, A_TPR
	lock incl ap_started(%rip)
1:	sti
	hlt
	jmp	1b

	.balign 8
tr_gdtr:	.word	0
		.quad	0
tr_cr3:		.long	0
ap_started:	.long	0

# ------------------------------------------------------------ data
	.balign 8
test_arg:	.long	0
apic_used:	.long	0
auto_eoi:	.long	0
vlog_n:		.long	0
ticks_n:	.long	0
eoi_now:	.long	0
eoi_isr:	.long	0
eoi_ppr:	.long	0
sti_r12:	.long	0
sti_ripok:	.long	0
level_rirr:	.long	0
level_n:	.long	0
pic_isr:	.long	0
uart_iir:	.long	0
uart_n:		.long	0
uart_eol:	.long	0
step_n:		.long	0
	.balign 8
sti_want:	.quad	0
vlog:		.fill	64, 1, 0
	.balign 8
hooks:		.fill	256, 8, 0

	.include "lib64.inc"
