// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, one per vCPU (io/platform.h; docs/interrupts.md):
 * xAPIC (the MMIO page at IA32_APIC_BASE) and x2APIC (MSRs 0x800-0x8ff),
 * the interrupt acceptance and priority logic (IRR, ISR, TMR, TPR, PPR,
 * EOI), interprocessor and device messages (hv_apic_deliver), the local
 * vector table and the timer on a host hrtimer.  SDM Vol 3A, chapter 10
 * throughout; KVM's arch/x86/kvm/lapic.c and bhyve's vmm/io/vlapic.c do
 * the same things with more options.
 *
 * Locking (lapic.h): everything of an APIC is under its spinlock, taken
 * irqsave because the hrtimer callback runs in hard interrupt context.
 * Work that reaches another APIC (an IPI written to the ICR) or another
 * device (the IOAPIC's EOI) is done after the lock is dropped, and the
 * vCPU is kicked (hvk_vcpu_request) after it too.  The APIC ID is the
 * vCPU id and never changes, so matching destinations needs no lock.
 */
#include "../hv.h"
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <asm/tsc.h>
#include <asm/unaligned.h>

#include "platform.h"
#include "lapic.h"
#include "hv_trace.h"

#define REG(a, off)	((a)->reg[(off) >> 4])

/* What a register write leaves to do once the lock is dropped. */
struct apic_after {
	bool kick;		/* HV_REQ_EVENT to this vCPU */
	bool send_icr;		/* the ICR was written: send the IPI */
	int eoi_vector;		/* level-triggered EOI for the IOAPIC, or -1 */
};

static bool apic_hw_enabled(const struct hv_lapic *a)
{
	return a->base & LAPIC_BASE_EN;
}

static bool apic_x2(const struct hv_lapic *a)
{
	return a->base & LAPIC_BASE_EXTD;
}

/* Both enables: IA32_APIC_BASE.EN (10.4.3) and SVR bit 8 (10.4.7.2) */
static bool apic_enabled(const struct hv_lapic *a)
{
	return apic_hw_enabled(a) && (REG(a, LAPIC_REG_SVR) & LAPIC_SVR_ENABLE);
}

/* SDM Vol 3A, 10.12.10.2: logical x2APIC ID from the x2APIC ID */
static u32 apic_x2_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* IRR, ISR, TMR: eight 32-bit registers 16 bytes apart (10.8.4) */
static u32 *apic_vec_reg(struct hv_lapic *a, unsigned int off, u8 vec)
{
	return &a->reg[(off >> 4) + (vec >> 5)];
}

static void apic_set_vec(struct hv_lapic *a, unsigned int off, u8 vec)
{
	*apic_vec_reg(a, off, vec) |= 1u << (vec & 31);
}

static void apic_clear_vec(struct hv_lapic *a, unsigned int off, u8 vec)
{
	*apic_vec_reg(a, off, vec) &= ~(1u << (vec & 31));
}

static bool apic_test_vec(struct hv_lapic *a, unsigned int off, u8 vec)
{
	return *apic_vec_reg(a, off, vec) & (1u << (vec & 31));
}

/* The highest vector set in IRR, ISR or TMR, or -1 */
static int apic_highest(const struct hv_lapic *a, unsigned int off)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 v = a->reg[(off >> 4) + i];

		if (v)
			return i * 32 + fls(v) - 1;
	}
	return -1;
}

/* SDM Vol 3A, 10.8.3.1: PPR from TPR and the highest in-service class */
static u32 apic_compute_ppr(const struct hv_lapic *a)
{
	u32 tpr = REG(a, LAPIC_REG_TPR) & 0xff;
	int isr = apic_highest(a, LAPIC_REG_ISR);
	u32 isrv = isr < 0 ? 0 : isr;

	if ((tpr & 0xf0) >= (isrv & 0xf0))
		return tpr;
	return isrv & 0xf0;
}

/* Keeps REG(PPR) current; true if it fell and IRR holds something */
static bool apic_update_ppr(struct hv_lapic *a)
{
	u32 old = REG(a, LAPIC_REG_PPR), ppr = apic_compute_ppr(a);

	REG(a, LAPIC_REG_PPR) = ppr;
	return ppr < old && apic_highest(a, LAPIC_REG_IRR) >= 0;
}

static void apic_accept_fixed(struct hv_lapic *a, u8 vector, bool level);

/*
 * SDM Vol 3A, 10.5.3: an error is latched in the internal error status
 * and, through the LVT error entry, raises an interrupt.
 */
static void apic_error(struct hv_lapic *a, u32 err)
{
	u32 lvt = REG(a, LAPIC_REG_LVT_ERROR);

	a->esr_pending |= err;
	if (!(lvt & LAPIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		apic_accept_fixed(a, lvt & 0xff, false);
}

/*
 * SDM Vol 3A, 10.8.4: a fixed interrupt accepted into IRR; TMR set for a
 * level-triggered one and cleared for an edge-triggered one.  A disabled
 * APIC takes none (10.4.7.2), vectors 0-15 are illegal (10.5.2).
 * Locked; the caller kicks the vCPU.
 */
static void apic_accept_fixed(struct hv_lapic *a, u8 vector, bool level)
{
	if (!apic_enabled(a))
		return;
	if (vector < 16) {
		apic_error(a, LAPIC_ESR_RECV_ILLEGAL);
		return;
	}
	apic_set_vec(a, LAPIC_REG_IRR, vector);
	if (level)
		apic_set_vec(a, LAPIC_REG_TMR, vector);
	else
		apic_clear_vec(a, LAPIC_REG_TMR, vector);
}

/* ---- the timer (SDM Vol 3A, 10.5.4) --------------------------------- */

/* SDM Vol 3A, 10.5.4, Figure 10-10: bits 0, 1 and 3 of the DCR */
static u32 apic_timer_divide(u32 dcr)
{
	u32 v = (dcr & 3) | ((dcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

static u32 apic_timer_mode(const struct hv_lapic *a)
{
	return LAPIC_LVT_TIMER_MODE(REG(a, LAPIC_REG_LVT_TIMER));
}

/* Locked.  A callback already running sees !timer_armed and does nothing. */
static void apic_timer_stop(struct hv_lapic *a)
{
	a->timer_armed = false;
	hrtimer_try_to_cancel(&a->timer);
}

static void apic_timer_arm(struct hv_lapic *a, ktime_t expire)
{
	u32 lvt = REG(a, LAPIC_REG_LVT_TIMER);

	a->timer_expire = expire;
	a->timer_armed = true;
	/*
	 * A one-shot count or a TSC deadline already due when armed (a
	 * count of a few ticks, a deadline in the past): it expires here
	 * and now, as in apic_timer_fire(), instead of through a host timer
	 * interrupt and one more exit (KVM's start_sw_period() too).  The
	 * runner injects it before its next entry; another thread arming
	 * the timer (a state being loaded) leaves the request.
	 */
	if (apic_timer_mode(a) != LAPIC_TIMER_PERIODIC &&
	    ktime_compare(expire, ktime_get()) <= 0) {
		if (!(lvt & LAPIC_LVT_MASKED))
			apic_accept_fixed(a, lvt & 0xff, false);
		if (apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
			a->tsc_deadline = 0;	/* 10.5.4.1: fired, disarmed */
		a->timer_armed = false;
		set_bit(HV_REQ_EVENT, &a->vcpu->requests);
		return;
	}
	hrtimer_start(&a->timer, expire, LAPIC_HRTIMER_MODE);
}

/*
 * One-shot or periodic count from the initial count register, @left_ns
 * before it reaches zero (the full count when starting).  Locked.
 */
static void apic_timer_start_count(struct hv_lapic *a, u64 left_ns)
{
	u32 count = REG(a, LAPIC_REG_TMICT);

	apic_timer_stop(a);
	if (!count || apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
		return;
	a->timer_div = apic_timer_divide(REG(a, LAPIC_REG_DCR));
	a->timer_period = (u64)count * a->timer_div;	/* 1 ns a tick */
	if (apic_timer_mode(a) == LAPIC_TIMER_PERIODIC)
		a->timer_period = max(a->timer_period, HV_APIC_MIN_PERIOD_NS);
	if (!left_ns || left_ns > a->timer_period)
		left_ns = a->timer_period;
	apic_timer_arm(a, ktime_add_ns(ktime_get(), left_ns));
}

/* SDM Vol 3A, 10.5.4.1: arm for IA32_TSC_DEADLINE (guest TSC).  Locked. */
static void apic_timer_start_deadline(struct hv_lapic *a)
{
	u64 tsc = hv_guest_tsc(a->vcpu), ns = 0;

	apic_timer_stop(a);
	if (!a->tsc_deadline)
		return;
	/* a deadline already past fires at once */
	if (a->tsc_deadline > tsc && tsc_khz)
		ns = mul_u64_u32_div(a->tsc_deadline - tsc, 1000000,
				      tsc_khz) + 1;	/* never early */
	apic_timer_arm(a, ktime_add_ns(ktime_get(), ns));
}

/* Nanoseconds until the count reaches zero, 0 when not counting. */
static u64 apic_timer_left_ns(const struct hv_lapic *a)
{
	s64 left;

	if (!a->timer_armed || apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	left = ktime_to_ns(ktime_sub(a->timer_expire, ktime_get()));
	/*
	 * Armed and due, its callback not run yet: still counting (1 ns
	 * left), or a state taken now would stop the timer for good.
	 */
	return left > 0 ? left : 1;
}

/* SDM Vol 3A, 10.5.4: the current count, from the time left */
static u32 apic_timer_current(const struct hv_lapic *a)
{
	u64 count;

	if (!a->timer_div)
		return 0;
	count = div_u64(apic_timer_left_ns(a), a->timer_div);
	return min_t(u64, count, REG(a, LAPIC_REG_TMICT));
}

static enum hrtimer_restart apic_timer_fire(struct hrtimer *t)
{
	struct hv_lapic *a = container_of(t, struct hv_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool kick = false;
	u32 lvt;

	spin_lock_irqsave(&a->lock, flags);
	/* re-armed (queued again) or stopped while this callback waited */
	if (hrtimer_is_queued(t) || !a->timer_armed)
		goto out;
	/* SDM Vol 3A, 10.5.4: count reached zero: interrupt unless masked */
	lvt = REG(a, LAPIC_REG_LVT_TIMER);
	if (!(lvt & LAPIC_LVT_MASKED)) {
		apic_accept_fixed(a, lvt & 0xff, false);
		kick = true;
	}
	switch (apic_timer_mode(a)) {
	case LAPIC_TIMER_PERIODIC:	/* 10.5.4: reloads from initial count */
		hrtimer_forward_now(t, ns_to_ktime(max(a->timer_period,
						       HV_APIC_MIN_PERIOD_NS)));
		a->timer_expire = hrtimer_get_expires(t);
		ret = HRTIMER_RESTART;
		break;
	case LAPIC_TIMER_TSC_DEADLINE:	/* 10.5.4.1: fired, then disarmed */
		a->tsc_deadline = 0;
		fallthrough;
	default:
		a->timer_armed = false;
	}
out:
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		hvk_vcpu_request(a->vcpu, HV_REQ_EVENT);
	return ret;
}

/* ---- reset ---------------------------------------------------------- */

/*
 * Registers as after power-up or INIT (SDM Vol 3A, 10.4.7.1 and
 * 10.4.7.3; 10.12.5.1 for x2APIC mode): everything zero but the ID, the
 * version, DFR all ones, SVR 0xff and every LVT masked.  Locked.
 */
static void apic_reset_regs(struct hv_lapic *a)
{
	u32 id = a->vcpu->id;
	unsigned int off;

	apic_timer_stop(a);
	memset(a->reg, 0, sizeof(a->reg));
	REG(a, LAPIC_REG_ID) = apic_x2(a) ? id : id << 24;	/* 10.4.6 */
	REG(a, LAPIC_REG_VER) = LAPIC_VERSION;
	if (apic_x2(a))
		REG(a, LAPIC_REG_LDR) = apic_x2_ldr(id);
	REG(a, LAPIC_REG_DFR) = 0xffffffff;
	REG(a, LAPIC_REG_SVR) = 0xff;
	for (off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR; off += 0x10)
		REG(a, off) = LAPIC_LVT_MASKED;
	a->esr_pending = 0;
	a->tsc_deadline = 0;
	a->timer_div = 0;
	a->timer_period = 0;
}

void hv_lapic_reset(struct hvk_vcpu *vcpu, bool init)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	/* 10.4.7.3 / 10.12.5.1: INIT keeps the base, EN and EXTD */
	if (!init)
		a->base = HV_APIC_DEFAULT_BASE | LAPIC_BASE_EN |
			  (vcpu->id == 0 ? LAPIC_BASE_BSP : 0);	/* 10.4.4 */
	apic_reset_regs(a);
	spin_unlock_irqrestore(&a->lock, flags);
}

int hv_lapic_create(struct hvk_vcpu *vcpu)
{
	struct hv_lapic *a;

	if (hv_fail_alloc())
		return -ENOMEM;
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	spin_lock_init(&a->lock);
	a->vcpu = vcpu;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, LAPIC_HRTIMER_MODE);
	a->timer.function = apic_timer_fire;
	vcpu->apic = a;
	hv_lapic_reset(vcpu, false);
	return 0;
}

void hv_lapic_free(struct hvk_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->apic;

	if (!a)
		return;
	hrtimer_cancel(&a->timer);	/* waits for a running callback */
	vcpu->apic = NULL;
	kfree(a);
}

/* ---- interrupts the runner takes ------------------------------------ */

int hv_lapic_pending(struct hvk_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	int irr;

	spin_lock_irqsave(&a->lock, flags);
	irr = apic_hw_enabled(a) ? apic_highest(a, LAPIC_REG_IRR) : -1;
	/* SDM Vol 3A, 10.8.3.1: only a class above the PPR's is delivered */
	if (irr >= 0 && (irr & 0xf0) <= (apic_compute_ppr(a) & 0xf0))
		irr = -1;
	spin_unlock_irqrestore(&a->lock, flags);
	return irr;
}

void hv_lapic_ack(struct hvk_vcpu *vcpu, u8 vector)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;

	spin_lock_irqsave(&a->lock, flags);
	/* SDM Vol 3A, 10.8.4: the processor takes it: IRR bit to ISR */
	apic_clear_vec(a, LAPIC_REG_IRR, vector);
	apic_set_vec(a, LAPIC_REG_ISR, vector);
	apic_update_ppr(a);
	spin_unlock_irqrestore(&a->lock, flags);
}

u8 hv_lapic_get_cr8(struct hvk_vcpu *vcpu)
{
	if (!vcpu->apic)	/* the backend's reset, before the APIC */
		return 0;
	/* SDM Vol 3A, 10.8.6.1: CR8[3:0] is TPR[7:4] */
	return (READ_ONCE(REG(vcpu->apic, LAPIC_REG_TPR)) >> 4) & 0xf;
}

void hv_lapic_set_cr8(struct hvk_vcpu *vcpu, u8 cr8)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool kick;

	if (!a)
		return;
	spin_lock_irqsave(&a->lock, flags);
	/* SDM Vol 3A, 10.8.6.1: a CR8 write sets TPR[7:4], TPR[3:0] = 0 */
	REG(a, LAPIC_REG_TPR) = (cr8 & 0xf) << 4;
	kick = apic_update_ppr(a);
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
}

bool hv_lapic_accepts_pic(struct hvk_vcpu *vcpu)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool r;
	u32 lvt;

	spin_lock_irqsave(&a->lock, flags);
	lvt = REG(a, LAPIC_REG_LVT_LINT0);
	/* 10.4.3: without the APIC, LINT0 is the INTR pin; 10.5.1: ExtINT */
	r = !apic_hw_enabled(a) ||
	    (!(lvt & LAPIC_LVT_MASKED) &&
	     LAPIC_LVT_DM(lvt) == HV_APIC_DM_EXTINT);
	spin_unlock_irqrestore(&a->lock, flags);
	return r;
}

/* SDM Vol 3A, 10.8.5: EOI retires the highest in-service vector. Locked. */
static void apic_eoi(struct hv_lapic *a, struct apic_after *after)
{
	int vec = apic_highest(a, LAPIC_REG_ISR);

	if (vec < 0)
		return;
	apic_clear_vec(a, LAPIC_REG_ISR, vec);
	/*
	 * 10.8.5: a level-triggered vector's EOI goes on to the I/O APIC.
	 * hv offers no EOI-broadcast suppression (version bit 24 clear).
	 */
	if (apic_test_vec(a, LAPIC_REG_TMR, vec))
		after->eoi_vector = vec;
	apic_update_ppr(a);
	if (apic_highest(a, LAPIC_REG_IRR) >= 0)
		after->kick = true;
}

/* ---- registers ------------------------------------------------------ */

/* Writable bits of each LVT entry (10.5.1, Figure 10-8) */
static u32 apic_lvt_mask(unsigned int off)
{
	switch (off) {
	case LAPIC_REG_LVT_TIMER:	/* vector, mask, mode (bit 18: TSC) */
		return 0x700ff;
	case LAPIC_REG_LVT_THERMAL:
	case LAPIC_REG_LVT_PERF:		/* vector, delivery mode, mask */
		return 0x107ff;
	case LAPIC_REG_LVT_LINT0:
	case LAPIC_REG_LVT_LINT1:	/* + polarity, trigger mode */
		return 0x1a7ff;
	default:			/* error: vector, mask */
		return 0x100ff;
	}
}

static bool apic_is_lvt(unsigned int off)
{
	return off >= LAPIC_REG_LVT_TIMER && off <= LAPIC_REG_LVT_ERROR;
}

/*
 * Read the register at @off (xAPIC offset).  Locked.  False if there is
 * no such register in the current mode (SDM Vol 3A, Table 10-1; x2APIC
 * Table 10-6).
 */
static bool apic_read(struct hv_lapic *a, unsigned int off, u32 *val)
{
	bool x2 = apic_x2(a);

	switch (off) {
	case LAPIC_REG_ID:
	case LAPIC_REG_VER:
	case LAPIC_REG_TPR:
	case LAPIC_REG_LDR:
	case LAPIC_REG_SVR:
	case LAPIC_REG_ESR:
	case LAPIC_REG_ICR_LO:
	case LAPIC_REG_TMICT:
	case LAPIC_REG_DCR:
	case LAPIC_REG_ISR ... LAPIC_REG_IRR + 0x70:
	case LAPIC_REG_LVT_TIMER ... LAPIC_REG_LVT_ERROR:
		*val = REG(a, off);
		return true;
	case LAPIC_REG_PPR:
		*val = apic_compute_ppr(a);
		return true;
	case LAPIC_REG_TMCCT:
		*val = apic_timer_current(a);
		return true;
	case LAPIC_REG_APR:		/* arbitration priority: 10.8.3.1 */
	case LAPIC_REG_EOI:		/* write-only */
	case LAPIC_REG_RRD:
		if (x2)
			return false;
		*val = 0;
		return true;
	case LAPIC_REG_DFR:
	case LAPIC_REG_ICR_HI:		/* x2APIC: ICR is one 64-bit MSR */
		if (x2)
			return false;
		*val = REG(a, off);
		return true;
	}
	return false;
}

/*
 * Write @val to the register at @off.  Locked.  -EINVAL where x2APIC
 * mode raises #GP (10.12.1.2: read-only registers, reserved bits, a
 * non-zero EOI or ESR); xAPIC ignores such writes.
 */
static int apic_write(struct hv_lapic *a, unsigned int off, u32 val,
		      struct apic_after *after)
{
	bool x2 = apic_x2(a);
	u32 mask;

	switch (off) {
	case LAPIC_REG_TPR:		/* 10.8.3.1 */
		if (x2 && (val & ~0xffu))
			return -EINVAL;
		REG(a, off) = val & 0xff;
		if (apic_update_ppr(a))
			after->kick = true;
		return 0;
	case LAPIC_REG_EOI:		/* 10.8.5; x2APIC: 0 only (10.12.1.2) */
		if (x2 && val)
			return -EINVAL;
		apic_eoi(a, after);
		return 0;
	case LAPIC_REG_LDR:		/* 10.6.2.2; x2APIC: read-only */
		if (x2)
			return -EINVAL;
		REG(a, off) = val & 0xff000000;
		return 0;
	case LAPIC_REG_DFR:		/* 10.6.2.2: model in 31:28 */
		if (x2)
			return -EINVAL;
		REG(a, off) = val | 0x0fffffff;
		return 0;
	case LAPIC_REG_SVR:		/* 10.9 */
		if (x2 && (val & ~LAPIC_SVR_MASK))
			return -EINVAL;
		REG(a, off) = val & LAPIC_SVR_MASK;
		/* 10.4.7.2: software-disabled, every LVT entry is masked */
		if (!(val & LAPIC_SVR_ENABLE))
			for (off = LAPIC_REG_LVT_TIMER; off <= LAPIC_REG_LVT_ERROR;
			     off += 0x10)
				REG(a, off) |= LAPIC_LVT_MASKED;
		return 0;
	case LAPIC_REG_ESR:		/* 10.5.3: a write latches the errors */
		if (x2 && val)
			return -EINVAL;
		REG(a, off) = a->esr_pending;
		a->esr_pending = 0;
		return 0;
	case LAPIC_REG_ICR_LO:		/* 10.6.1: writing it sends */
		REG(a, off) = val & ~LAPIC_ICR_BUSY;
		after->send_icr = true;
		return 0;
	case LAPIC_REG_ICR_HI:
		if (x2)
			return -EINVAL;
		REG(a, off) = val & 0xff000000;
		return 0;
	case LAPIC_REG_LVT_TIMER ... LAPIC_REG_LVT_ERROR:
		mask = apic_lvt_mask(off);
		if (x2 && (val & ~(mask | LAPIC_LVT_REMOTE_IRR | LAPIC_ICR_BUSY)))
			return -EINVAL;
		val &= mask;
		if (!(REG(a, LAPIC_REG_SVR) & LAPIC_SVR_ENABLE))
			val |= LAPIC_LVT_MASKED;		/* 10.4.7.2 */
		if (off == LAPIC_REG_LVT_TIMER) {
			u32 old = apic_timer_mode(a), mode;

			if (LAPIC_LVT_TIMER_MODE(val) == 3)	/* reserved */
				val = (val & ~0x60000) | (old << 17);
			mode = LAPIC_LVT_TIMER_MODE(val);
			/* 10.5.4.1: entering or leaving TSC-deadline disarms */
			if (old != mode && (old == LAPIC_TIMER_TSC_DEADLINE ||
					    mode == LAPIC_TIMER_TSC_DEADLINE)) {
				apic_timer_stop(a);
				a->tsc_deadline = 0;
				REG(a, LAPIC_REG_TMICT) = 0;
			}
		}
		REG(a, off) = val;
		return 0;
	case LAPIC_REG_TMICT:		/* 10.5.4: writing starts the count */
		/* 10.5.4.1: ignored in TSC-deadline mode */
		if (apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE)
			return 0;
		REG(a, off) = val;
		apic_timer_start_count(a, 0);
		return 0;
	case LAPIC_REG_DCR:		/* 10.5.4, Figure 10-10 */
		if (x2 && (val & ~0xbu))
			return -EINVAL;
		REG(a, off) = val & 0xb;
		return 0;
	case LAPIC_REG_SELF_IPI:		/* 10.12.11: x2APIC only */
		if (!x2 || (val & ~0xffu))
			break;
		apic_accept_fixed(a, val & 0xff, false);
		after->kick = true;
		return 0;
	case LAPIC_REG_ID:		/* 10.4.6: hv keeps the ID fixed */
	case LAPIC_REG_VER:
	case LAPIC_REG_APR:
	case LAPIC_REG_PPR:
	case LAPIC_REG_RRD:
	case LAPIC_REG_ISR ... LAPIC_REG_IRR + 0x70:
	case LAPIC_REG_TMCCT:
		if (x2)
			return -EINVAL;
		return 0;
	}
	if (x2)
		return -EINVAL;
	apic_error(a, LAPIC_ESR_ILLEGAL_REG);	/* 10.5.3 */
	after->kick = true;
	return 0;
}

/* SDM Vol 3A, 10.6.1 (xAPIC) and 10.12.9 (x2APIC): send what ICR holds */
static void apic_send_icr(struct hvk_vcpu *vcpu, u32 lo, u32 hi, bool x2)
{
	struct hv_lapic *a = vcpu->apic;
	struct hv_apic_irq irq = {
		.vector = lo & 0xff,
		.delivery_mode = LAPIC_LVT_DM(lo),
		.dest_logical = lo & LAPIC_ICR_LOGICAL,
		.level_trig = lo & LAPIC_ICR_LEVEL,
		.shorthand = LAPIC_ICR_SHORTHAND(lo),
		.src = vcpu,
	};
	unsigned long flags;

	irq.dest = x2 ? hi : hi >> 24;
	irq.broadcast_x2apic = x2 && hi == 0xffffffff;
	/* 10.6.1: INIT level de-assert only syncs arbitration IDs: nothing */
	if (irq.delivery_mode == HV_APIC_DM_INIT && irq.level_trig &&
	    !(lo & LAPIC_ICR_ASSERT))
		return;
	/* 10.5.3: a fixed or lowest-priority IPI with vector 0-15 */
	if ((irq.delivery_mode == HV_APIC_DM_FIXED ||
	     irq.delivery_mode == HV_APIC_DM_LOWEST) && irq.vector < 16) {
		spin_lock_irqsave(&a->lock, flags);
		apic_error(a, LAPIC_ESR_SEND_ILLEGAL);
		spin_unlock_irqrestore(&a->lock, flags);
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
		return;
	}
	/* 10.6.1: the trigger mode only matters for INIT de-assert */
	irq.level_trig = false;
	hv_apic_deliver(vcpu->vm, &irq);
}

/* Everything a register write left to do, the lock dropped. */
static void apic_after_write(struct hvk_vcpu *vcpu,
			     const struct apic_after *after,
			     u32 icr_lo, u32 icr_hi, bool x2)
{
	if (after->send_icr)
		apic_send_icr(vcpu, icr_lo, icr_hi, x2);
	if (after->eoi_vector >= 0)
		hv_ioapic_eoi(vcpu->vm, after->eoi_vector);
	if (after->kick)
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
}

bool hv_lapic_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		   unsigned int len)
{
	struct hv_lapic *a = vcpu->apic;
	struct apic_after after = { .eoi_vector = -1 };
	unsigned long flags;
	unsigned int off, i;
	u32 icr_lo = 0, icr_hi = 0;
	u64 page;

	if (!a || len == 0 || len > 8)
		return false;
	spin_lock_irqsave(&a->lock, flags);
	page = a->base & PAGE_MASK & ~(LAPIC_BASE_EN | LAPIC_BASE_EXTD);
	/* 10.4.1 / 10.12.1.2: the page is there in xAPIC mode only */
	if (!apic_hw_enabled(a) || apic_x2(a) || gpa < page ||
	    gpa + len > page + PAGE_SIZE) {
		spin_unlock_irqrestore(&a->lock, flags);
		return false;
	}
	off = gpa - page;
	if (!write) {
		unsigned int cur = ~0u;
		u8 *p = val;
		u32 r = 0;

		/* 10.4.1: registers are the low 4 bytes of each 16 */
		for (i = 0; i < len; i++) {
			unsigned int o = off + i;

			if ((o & 0xf) >= 4) {
				p[i] = 0;
				continue;
			}
			if ((o & ~0xfu) != cur) {
				cur = o & ~0xfu;
				if (!apic_read(a, cur, &r)) {
					/* 10.5.3: illegal register address */
					apic_error(a, LAPIC_ESR_ILLEGAL_REG);
					after.kick = true;
					r = 0;
				}
			}
			p[i] = r >> (8 * (o & 3));
		}
	} else if (len == 4 && !(off & 0xf)) {
		/* 10.4.1: only aligned 32-bit stores are defined */
		apic_write(a, off, get_unaligned((u32 *)val), &after);
		icr_lo = REG(a, LAPIC_REG_ICR_LO);
		icr_hi = REG(a, LAPIC_REG_ICR_HI);
	}
	spin_unlock_irqrestore(&a->lock, flags);
	apic_after_write(vcpu, &after, icr_lo, icr_hi, false);
	return true;
}

/* ---- MSRs ----------------------------------------------------------- */

static u64 apic_base_reserved(struct hvk_vcpu *vcpu)
{
	u32 out[4];
	u64 rsvd;
	u32 phys;

	/* SDM Vol 3A, 10.4.4, Figure 10-5: bits 0-7, 9, MAXPHYADDR and up */
	hv_cpuid_lookup(&vcpu->cpuid, 0x80000008, 0, out);
	phys = out[0] & 0xff;
	if (phys < 36 || phys > 52)
		phys = 36;
	rsvd = ~0ULL << phys | 0x2ff;
	/* 10.12.1: EXTD only where CPUID.01H:ECX[21] offers x2APIC */
	hv_cpuid_lookup(&vcpu->cpuid, 1, 0, out);
	hv_cpuid_vcpu(vcpu, 1, 0, out);
	if (!(out[2] & (1u << 21)))
		rsvd |= LAPIC_BASE_EXTD;
	return rsvd;
}

/* SDM Vol 3A, 10.12.5.1: the legal EN/EXTD transitions */
static int apic_base_check(u64 rsvd, u64 old, u64 val)
{
	u64 mode = val & (LAPIC_BASE_EN | LAPIC_BASE_EXTD);
	u64 cur = old & (LAPIC_BASE_EN | LAPIC_BASE_EXTD);

	if (val & rsvd & ~LAPIC_BASE_BSP)
		return -EINVAL;
	if (mode == LAPIC_BASE_EXTD)			/* invalid state */
		return -EINVAL;
	if (cur == (LAPIC_BASE_EN | LAPIC_BASE_EXTD) && mode == LAPIC_BASE_EN)
		return -EINVAL;				/* x2APIC -> xAPIC */
	if (!cur && mode == (LAPIC_BASE_EN | LAPIC_BASE_EXTD))
		return -EINVAL;				/* off -> x2APIC */
	return 0;
}

/* Locked; @val already checked. */
static void apic_set_base(struct hv_lapic *a, u64 val, struct apic_after *after)
{
	u64 old = a->base;
	u32 id = a->vcpu->id;

	/* the BSP flag is the platform's, not the guest's (10.4.4) */
	a->base = (val & ~LAPIC_BASE_BSP) | (old & LAPIC_BASE_BSP);
	if (!(val & LAPIC_BASE_EN)) {
		/*
		 * 10.4.3 / 10.12.5.1: disabled, the APIC keeps only its ID
		 * (hv: as after INIT, registers re-derived on enabling).
		 */
		if (old & LAPIC_BASE_EN)
			apic_reset_regs(a);
	} else if (!(old & LAPIC_BASE_EN)) {
		REG(a, LAPIC_REG_ID) = id << 24;		/* off -> xAPIC */
	} else if ((val & LAPIC_BASE_EXTD) && !(old & LAPIC_BASE_EXTD)) {
		/* 10.12.5.1: xAPIC -> x2APIC: 32-bit ID, LDR derived */
		REG(a, LAPIC_REG_ID) = id;
		REG(a, LAPIC_REG_LDR) = apic_x2_ldr(id);
	}
	if ((old ^ a->base) & LAPIC_BASE_EN)
		after->kick = true;	/* LINT0 and the PIC: hv_lapic_accepts_pic */
}

static int apic_x2_rdmsr(struct hv_lapic *a, u32 index, u64 *val)
{
	unsigned int off = (index - LAPIC_MSR_X2APIC_FIRST) << 4;
	u32 v;

	if (off == LAPIC_REG_ICR_LO) {		/* 10.12.9: one 64-bit ICR */
		*val = (u64)REG(a, LAPIC_REG_ICR_HI) << 32 |
		       REG(a, LAPIC_REG_ICR_LO);
		return 0;
	}
	/* 10.12.1.2: no such register, or write-only (EOI, SELF IPI) */
	if (!apic_read(a, off, &v))
		return -EINVAL;
	*val = v;
	return 0;
}

int hv_lapic_rdmsr(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	int r = 0;

	if (index != LAPIC_MSR_APIC_BASE && index != LAPIC_MSR_TSC_DEADLINE &&
	    (index < LAPIC_MSR_X2APIC_FIRST || index > LAPIC_MSR_X2APIC_LAST))
		return -ENOENT;
	spin_lock_irqsave(&a->lock, flags);
	if (index == LAPIC_MSR_APIC_BASE)
		*val = a->base;
	else if (index == LAPIC_MSR_TSC_DEADLINE)	/* 10.5.4.1: 0 in other modes */
		*val = apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE ?
		       a->tsc_deadline : 0;
	else if (!apic_x2(a))			/* 10.12.1.2: #GP */
		r = -EINVAL;
	else
		r = apic_x2_rdmsr(a, index, val);
	spin_unlock_irqrestore(&a->lock, flags);
	return r;
}

static int apic_x2_wrmsr(struct hv_lapic *a, u32 index, u64 val,
			 struct apic_after *after)
{
	unsigned int off = (index - LAPIC_MSR_X2APIC_FIRST) << 4;

	if (off == LAPIC_REG_ICR_LO) {		/* 10.12.9 */
		if ((u32)val & ~LAPIC_ICR_X2_VALID)
			return -EINVAL;
		REG(a, LAPIC_REG_ICR_HI) = val >> 32;
		/* the busy bit is reserved; AMD wants 0, Intel ignores it */
		REG(a, LAPIC_REG_ICR_LO) = (u32)val & ~LAPIC_ICR_BUSY;
		after->send_icr = true;
		return 0;
	}
	if (val >> 32)				/* 10.12.1.2: reserved */
		return -EINVAL;
	return apic_write(a, off, val, after);
}

int hv_lapic_wrmsr(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	struct hv_lapic *a = vcpu->apic;
	struct apic_after after = { .eoi_vector = -1 };
	unsigned long flags;
	u32 icr_lo, icr_hi;
	u64 rsvd = 0;
	int r = 0;

	if (index != LAPIC_MSR_APIC_BASE && index != LAPIC_MSR_TSC_DEADLINE &&
	    (index < LAPIC_MSR_X2APIC_FIRST || index > LAPIC_MSR_X2APIC_LAST))
		return -ENOENT;
	if (index == LAPIC_MSR_APIC_BASE)	/* CPUID look-ups: not under the lock */
		rsvd = apic_base_reserved(vcpu);
	spin_lock_irqsave(&a->lock, flags);
	if (index == LAPIC_MSR_APIC_BASE) {
		r = apic_base_check(rsvd, a->base, val);
		if (!r)
			apic_set_base(a, val, &after);
	} else if (index == LAPIC_MSR_TSC_DEADLINE) {
		/* 10.5.4.1: ignored outside TSC-deadline mode; 0 disarms */
		if (apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE) {
			a->tsc_deadline = val;
			apic_timer_start_deadline(a);
		}
	} else if (!apic_x2(a)) {
		r = -EINVAL;			/* 10.12.1.2 */
	} else {
		r = apic_x2_wrmsr(a, index, val, &after);
	}
	icr_lo = REG(a, LAPIC_REG_ICR_LO);
	icr_hi = REG(a, LAPIC_REG_ICR_HI);
	spin_unlock_irqrestore(&a->lock, flags);
	apic_after_write(vcpu, &after, icr_lo, icr_hi, true);
	return r;
}

/* ---- delivery ------------------------------------------------------- */

/*
 * Does @a's APIC take a message for @irq->dest?  SDM Vol 3A, 10.6.2.1
 * (physical), 10.6.2.2 (logical flat and cluster), 10.6.2.3 (broadcast),
 * 10.12.10 (x2APIC logical).  A message from a device or an xAPIC is
 * 8-bit (0xff broadcasts); one from an x2APIC's ICR is 32-bit.
 */
static bool apic_match_dest(struct hv_lapic *a, const struct hv_apic_irq *irq,
			    bool msg32)
{
	u32 dest = irq->dest, id = a->vcpu->id, ldr;

	if (irq->broadcast_x2apic || (!msg32 && dest == 0xff))
		return true;
	if (!irq->dest_logical)
		return dest == id;
	ldr = READ_ONCE(REG(a, LAPIC_REG_LDR));
	if (apic_x2(a))		/* 10.12.10.1: cluster 31:16, bitmap 15:0 */
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	ldr >>= 24;
	if ((READ_ONCE(REG(a, LAPIC_REG_DFR)) >> 28) == 0xf)	/* flat */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster */
}

/* One message into one APIC. */
static void apic_deliver_one(struct hvk_vcpu *vcpu,
			     const struct hv_apic_irq *irq)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;

	switch (irq->delivery_mode) {
	case HV_APIC_DM_FIXED:
	case HV_APIC_DM_LOWEST:
		spin_lock_irqsave(&a->lock, flags);
		apic_accept_fixed(a, irq->vector, irq->level_trig);
		spin_unlock_irqrestore(&a->lock, flags);
		trace_hv_irq(vcpu->vm, vcpu->id, HV_TRACE_IRQ_LAPIC, -1,
			     irq->vector);
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
		break;
	case HV_APIC_DM_NMI:		/* 10.6.1: vector ignored */
		hvk_vcpu_nmi(vcpu);
		break;
	case HV_APIC_DM_INIT:		/* 10.4.7.3 */
		hvk_vcpu_init_signal(vcpu);
		break;
	case HV_APIC_DM_SIPI:		/* 10.4.4.1; SDM Vol 3A, 9.4.4 */
		hvk_vcpu_sipi(vcpu, irq->vector);
		break;
	case HV_APIC_DM_EXTINT:		/* 10.6.1: the vector is the PIC's */
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
		break;
	default:			/* SMI: hv has no SMM */
		break;
	}
}

int hv_apic_deliver(struct hvk_vm *vm, const struct hv_apic_irq *irq)
{
	struct hvk_vcpu *src = irq->src, *best = NULL;
	unsigned int i, n = READ_ONCE(vm->nr_vcpus);
	bool msg32 = src && src->apic && apic_x2(src->apic);
	u32 best_tpr = 0;

	if (irq->delivery_mode == 3 || irq->delivery_mode > 7 ||
	    irq->shorthand > 3 ||
	    (irq->shorthand && !src))
		return -EINVAL;
	for (i = 0; i < n && i < HV_MAX_VCPUS; i++) {
		struct hvk_vcpu *v = READ_ONCE(vm->vcpus[i]);
		struct hv_lapic *a = v ? v->apic : NULL;
		u32 tpr;

		if (!a || !apic_hw_enabled(a))	/* 10.4.3: no APIC there */
			continue;
		switch (irq->shorthand) {	/* 10.6.1, ICR[19:18] */
		case 0:
			if (!apic_match_dest(a, irq, msg32))
				continue;
			break;
		case 1:
			if (v != src)
				continue;
			break;
		case 3:
			if (v == src)
				continue;
			break;
		}
		if (irq->delivery_mode != HV_APIC_DM_LOWEST) {
			apic_deliver_one(v, irq);
			continue;
		}
		/*
		 * 10.6.2.4: lowest priority goes to the APIC with the lowest
		 * TPR that is software-enabled; ties to the lowest vCPU id
		 * (hv does not model the arbitration ID or focus).
		 */
		tpr = READ_ONCE(REG(a, LAPIC_REG_TPR));
		if (!(READ_ONCE(REG(a, LAPIC_REG_SVR)) & LAPIC_SVR_ENABLE))
			continue;
		if (!best || tpr < best_tpr ||
		    (tpr == best_tpr && v->id < best->id)) {
			best = v;
			best_tpr = tpr;
		}
	}
	if (best)
		apic_deliver_one(best, irq);
	return 0;
}

int hv_apic_msi(struct hvk_vm *vm, u64 addr, u32 data)
{
	struct hv_apic_irq irq = {
		.dest = (addr >> 12) & 0xff,		/* 10.11.1 */
		.dest_logical = addr & (1 << 2),	/* DM */
		.vector = data & 0xff,			/* 10.11.2 */
		.delivery_mode = (data >> 8) & 7,
		.level_trig = data & (1 << 15),
	};

	if ((addr >> 20) != 0xfee)		/* 10.11.1: 0FEEH in 31:20 */
		return -EINVAL;
	/* 10.11.2: a level-triggered message with level 0 de-asserts */
	if (irq.level_trig && !(data & (1 << 14)))
		return 0;
	/* 10.11.1: RH=1 redirects to the lowest-priority destination */
	if ((addr & (1 << 3)) && irq.delivery_mode == HV_APIC_DM_FIXED)
		irq.delivery_mode = HV_APIC_DM_LOWEST;
	return hv_apic_deliver(vm, &irq);
}

void hv_lapic_lint(struct hvk_vcpu *vcpu, int pin, bool level)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	bool rising, kick = false, nmi = false, init = false;
	u32 lvt;

	if (pin < 0 || pin > 1)
		return;
	spin_lock_irqsave(&a->lock, flags);
	rising = level && !a->lint[pin];
	a->lint[pin] = level;
	if (!apic_hw_enabled(a)) {
		/* 10.4.3: without the APIC the pins are INTR and NMI */
		kick = pin == 0 && level;
		nmi = pin == 1 && rising;
		goto out;
	}
	lvt = REG(a, LAPIC_REG_LVT_LINT0 + pin * 0x10);
	if (lvt & LAPIC_LVT_MASKED)
		goto out;
	switch (LAPIC_LVT_DM(lvt)) {		/* 10.5.1 */
	case HV_APIC_DM_FIXED:
		if (rising) {
			apic_accept_fixed(a, lvt & 0xff, false);
			kick = true;
		}
		break;
	case HV_APIC_DM_NMI:			/* always edge (10.5.1) */
		nmi = rising;
		break;
	case HV_APIC_DM_EXTINT:			/* level: the PIC's INTR */
		kick = level;
		break;
	case HV_APIC_DM_INIT:
		init = rising;
		break;
	}
out:
	spin_unlock_irqrestore(&a->lock, flags);
	if (nmi)
		hvk_vcpu_nmi(vcpu);
	if (init)
		hvk_vcpu_init_signal(vcpu);
	if (kick)
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
}

/* ---- state ---------------------------------------------------------- */

void hv_lapic_get_state(struct hvk_vcpu *vcpu, struct hv_lapic_state *st)
{
	struct hv_lapic *a = vcpu->apic;
	unsigned long flags;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&a->lock, flags);
	st->apic_base = a->base;
	st->tsc_deadline = a->tsc_deadline;
	st->timer_ns = apic_timer_left_ns(a);
	for (i = 0; i < LAPIC_NR_REGS; i++)
		put_unaligned_le32(a->reg[i], &st->regs[i * 16]);
	put_unaligned_le32(apic_compute_ppr(a), &st->regs[LAPIC_REG_PPR]);
	put_unaligned_le32(apic_timer_current(a), &st->regs[LAPIC_REG_TMCCT]);
	spin_unlock_irqrestore(&a->lock, flags);
}

/* Does the page hold only what this APIC could hold?  No lock needed. */
static int apic_check_regs(struct hvk_vcpu *vcpu, u64 base, const u8 *regs)
{
	bool x2 = base & LAPIC_BASE_EXTD;
	unsigned int off, i;

	for (off = 0; off < LAPIC_NR_REGS * 16; off += 16) {
		u32 v = get_unaligned_le32(&regs[off]), ok;

		for (i = 4; i < 16; i++)	/* above the low dword */
			if (regs[off + i])
				return -EINVAL;
		switch (off) {
		case LAPIC_REG_ID:
			if (v != (x2 ? vcpu->id : vcpu->id << 24))
				return -EINVAL;
			continue;
		case LAPIC_REG_VER:
			if (v != LAPIC_VERSION)
				return -EINVAL;
			continue;
		case LAPIC_REG_LDR:
			if (x2 ? v != apic_x2_ldr(vcpu->id) : v & 0x00ffffff)
				return -EINVAL;
			continue;
		case LAPIC_REG_DFR:
			ok = 0xffffffff;
			if ((v | 0xf0000000) != ok)
				return -EINVAL;
			continue;
		case LAPIC_REG_TPR:
			ok = 0xff;
			break;
		case LAPIC_REG_SVR:
			ok = LAPIC_SVR_MASK;
			break;
		case LAPIC_REG_DCR:
			ok = 0xb;
			break;
		case LAPIC_REG_ICR_HI:
			ok = x2 ? ~0u : 0xff000000;
			break;
		case LAPIC_REG_ICR_LO:
			ok = 0x000fffff;
			break;
		case LAPIC_REG_PPR:	/* computed */
		case LAPIC_REG_TMCCT:	/* from timer_ns */
		case LAPIC_REG_ESR:
		case LAPIC_REG_TMICT:
		case LAPIC_REG_ISR ... LAPIC_REG_IRR + 0x70:
			continue;
		default:
			if (apic_is_lvt(off)) {
				ok = apic_lvt_mask(off) | LAPIC_LVT_REMOTE_IRR;
				if (off == LAPIC_REG_LVT_TIMER &&
				    LAPIC_LVT_TIMER_MODE(v) == 3)
					return -EINVAL;
				break;
			}
			ok = 0;		/* nothing there */
		}
		if (v & ~ok)
			return -EINVAL;
	}
	return 0;
}

int hv_lapic_set_state(struct hvk_vcpu *vcpu, const struct hv_lapic_state *st)
{
	struct hv_lapic *a = vcpu->apic;
	u64 base = st->apic_base;
	unsigned long flags;
	unsigned int i;
	bool kick;

	if (st->flags || st->pad ||
	    memchr_inv(st->reserved, 0, sizeof(st->reserved)))
		return -EINVAL;
	/* IA32_APIC_BASE as WRMSR would take it, from any legal state */
	if ((base & apic_base_reserved(vcpu) & ~LAPIC_BASE_BSP) ||
	    (base & (LAPIC_BASE_EN | LAPIC_BASE_EXTD)) == LAPIC_BASE_EXTD)
		return -EINVAL;
	if (apic_check_regs(vcpu, base, st->regs))
		return -EINVAL;

	spin_lock_irqsave(&a->lock, flags);
	apic_timer_stop(a);
	a->base = (base & ~LAPIC_BASE_BSP) | (vcpu->id ? 0 : LAPIC_BASE_BSP);
	for (i = 0; i < LAPIC_NR_REGS; i++)
		a->reg[i] = get_unaligned_le32(&st->regs[i * 16]);
	REG(a, LAPIC_REG_TMCCT) = 0;
	REG(a, LAPIC_REG_PPR) = apic_compute_ppr(a);
	a->esr_pending = 0;
	a->timer_div = 0;
	a->tsc_deadline = 0;
	/* the timer goes on where it stopped, relative to now */
	if (apic_timer_mode(a) == LAPIC_TIMER_TSC_DEADLINE) {
		a->tsc_deadline = st->tsc_deadline;
		apic_timer_start_deadline(a);
	} else if (st->timer_ns) {
		apic_timer_start_count(a, st->timer_ns);
	}
	kick = apic_highest(a, LAPIC_REG_IRR) >= 0;
	spin_unlock_irqrestore(&a->lock, flags);
	if (kick)
		hvk_vcpu_request(vcpu, HV_REQ_EVENT);
	return 0;
}
