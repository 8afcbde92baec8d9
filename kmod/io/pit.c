// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 PIT (Intel 82C54 datasheet, 23244-006; the model is KVM's
 * i8254.c) at 0x40-0x43, and port 0x61 (NMI status and control, PIIX4
 * datasheet 12.7.1) with channel 2's gate and output.
 *
 * The counters run at 1.193182 MHz, computed from ktime when read.
 * Channel 0 drives ISA IRQ 0 from a host hrtimer: periodic in modes 2
 * and 3, one-shot in mode 0.  Channel 2 has no timer: Linux reads its
 * output (0x61 bit 5) and its count to calibrate the TSC.  Channel 1
 * (DRAM refresh on old PCs) counts but drives nothing.  Modes 1 and 5
 * (hardware-triggered) and mode 4 are stored and counted but raise no
 * IRQ on channel 0; the BCD bit is stored and read back, the count is
 * always binary.
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"

#include <linux/math64.h>

#define PIT_FREQ		1193182ULL	/* Hz (14.31818 MHz / 12) */
#define PIT_MIN_PERIOD_NS	200000ULL	/* as KVM: at most 5 kHz */

/* 82C54 control word RW bits: access states */
#define RW_LSB			1
#define RW_MSB			2
#define RW_WORD0		3
#define RW_WORD1		4

static u64 pit_ticks_to_ns(u64 ticks)
{
	return div64_u64(ticks * NSEC_PER_SEC, PIT_FREQ);
}

static bool pit_gate_pauses(const struct hv_pit_channel *c)
{
	/* 82C54 Table 3: gate low disables counting in modes 0, 2, 3, 4 */
	return !c->s.gate && c->s.mode != 1 && c->s.mode != 5;
}

/* Time the counter has counted since the count was loaded */
static u64 pit_elapsed(const struct hv_pit_channel *c)
{
	if (pit_gate_pauses(c))
		return c->frozen_ns;
	return ktime_to_ns(ktime_sub(ktime_get(), c->load));
}

static u64 pit_elapsed_ticks(const struct hv_pit_channel *c)
{
	return mul_u64_u32_div(pit_elapsed(c), PIT_FREQ, NSEC_PER_SEC);
}

static u32 pit_count(const struct hv_pit_channel *c)
{
	u64 d = pit_elapsed_ticks(c);
	u32 n = c->s.count;

	switch (c->s.mode) {
	case 2:		/* rate generator: N down to 1, reload */
		return n - do_div(d, n);
	case 3:		/* square wave: by 2, twice a period */
		d *= 2;
		return n - do_div(d, n);
	default:	/* 0, 1, 4, 5: down to 0 and wrapping */
		return (n - d) & 0xffff;
	}
}

static int pit_out(const struct hv_pit_channel *c)
{
	u64 d = pit_elapsed_ticks(c);
	u32 n = c->s.count;

	switch (c->s.mode) {
	case 0:		/* 82C54 Mode 0: high at terminal count */
		return d >= n;
	case 1:		/* Mode 1: low from trigger to terminal count */
		return d >= n;
	case 2:		/* Mode 2: low for one clock when the count is 1 */
		if (!c->s.gate)
			return 1;
		return do_div(d, n) != n - 1;
	case 3:		/* Mode 3: high for the first half (N+1)/2 */
		if (!c->s.gate)
			return 1;
		return do_div(d, n) < (n + 1) / 2;
	default:	/* Modes 4, 5: low for one clock at terminal count */
		return d != n;
	}
}

/* Arm or stop channel 0's timer for its mode and count. */
static void pit_arm(struct hv_pit *pit, u64 elapsed_ns)
{
	struct hv_pit_channel *c = &pit->ch[0];
	u64 period = pit_ticks_to_ns(c->s.count), first, rem;

	lockdep_assert_held(&pit->lock);
	/* Not waiting for it: the callback checks @armed under the lock */
	hrtimer_try_to_cancel(&pit->timer);
	pit->armed = false;
	switch (c->s.mode) {
	case 0:
		pit->periodic = false;
		if (elapsed_ns >= period)
			return;		/* terminal count already reached */
		first = period - elapsed_ns;
		break;
	case 2:
	case 3:
		pit->periodic = true;
		/* Host timers are not throttled: bound the rate (KVM) */
		period = max(period, PIT_MIN_PERIOD_NS);
		div64_u64_rem(elapsed_ns, period, &rem);
		first = period - rem;
		break;
	default:
		return;
	}
	pit->period_ns = period;
	pit->armed = true;
	hrtimer_start(&pit->timer, ktime_add_ns(ktime_get(), first),
		      HRTIMER_MODE_ABS);
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *t)
{
	struct hv_pit *pit = container_of(t, struct hv_pit, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool fire = false;

	spin_lock_irqsave(&pit->lock, flags);
	/* Re-armed meanwhile (queued again) or stopped: not this tick's */
	if (pit->armed && !hrtimer_is_queued(t)) {
		fire = true;
		if (pit->periodic) {
			/* Missed ticks are dropped, not made up (no reinject) */
			hrtimer_forward_now(t, ns_to_ktime(pit->period_ns));
			ret = HRTIMER_RESTART;
		} else {
			pit->armed = false;
		}
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	if (fire) {
		/* OUT0's rising edge is an edge on IRQ 0 */
		hv_isa_irq(pit->vm, 0, 1);
		hv_isa_irq(pit->vm, 0, 0);
	}
	return ret;
}

void hv_pit_init(struct hv_pit *pit, struct hvk_vm *vm)
{
	int i;

	spin_lock_init(&pit->lock);
	pit->vm = vm;
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	pit->timer.function = pit_timer_fn;
	for (i = 0; i < 3; i++) {
		struct hv_pit_channel *c = &pit->ch[i];

		/*
		 * Power-on: count 0x10000, LSB/MSB, mode 0, gates 0/1 high,
		 * and the count long run out (OUT high, no IRQ 0 pending):
		 * the datasheet leaves it undefined until programmed.
		 */
		c->s.count = 0x10000;
		c->s.rw_mode = RW_WORD0;
		c->s.read_state = RW_WORD0;
		c->s.write_state = RW_WORD0;
		c->s.gate = i != 2;
		c->load = ktime_sub_ns(ktime_get(), NSEC_PER_SEC);
		c->frozen_ns = NSEC_PER_SEC;
	}
}

void hv_pit_stop(struct hv_pit *pit)
{
	hrtimer_cancel(&pit->timer);
}

static void pit_load_count(struct hv_pit *pit, int ch, u32 val)
{
	struct hv_pit_channel *c = &pit->ch[ch];

	/* 82C54: an initial count of 0 is 2^16 in binary mode */
	c->s.count = val ? val : 0x10000;
	c->load = ktime_get();
	c->frozen_ns = 0;
	if (ch == 0)
		pit_arm(pit, 0);
}

static void pit_latch_count(struct hv_pit_channel *c)
{
	/* 82C54 "Counter Latch Command": a second latch is ignored */
	if (!c->s.count_latched) {
		c->s.latched_count = pit_count(c);
		c->s.count_latched = c->s.rw_mode;
	}
}

static void pit_latch_status(struct hv_pit_channel *c)
{
	/* 82C54 "Status byte": OUT, null count (0), RW, mode, BCD */
	if (!c->s.status_latched) {
		c->s.status = (pit_out(c) << 7) | (c->s.rw_mode << 4) |
			      (c->s.mode << 1) | c->s.bcd;
		c->s.status_latched = 1;
	}
}

static void pit_write_control(struct hv_pit *pit, u8 val)
{
	int ch = val >> 6, rw = (val >> 4) & 3, i;
	struct hv_pit_channel *c;

	if (ch == 3) {
		/* Read-back command: bit 5 COUNT#, bit 4 STATUS# */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				pit_latch_count(&pit->ch[i]);
			if (!(val & 0x10))
				pit_latch_status(&pit->ch[i]);
		}
		return;
	}
	c = &pit->ch[ch];
	if (!rw) {
		pit_latch_count(c);
		return;
	}
	c->s.rw_mode = rw;
	c->s.read_state = rw;
	c->s.write_state = rw;
	c->s.mode = (val >> 1) & 7;
	if (c->s.mode > 5)	/* 6 and 7 are modes 2 and 3 */
		c->s.mode -= 4;
	c->s.bcd = val & 1;
	/* A new mode stops channel 0's interrupts until a count comes */
	if (ch == 0) {
		hrtimer_try_to_cancel(&pit->timer);
		pit->armed = false;
	}
}

static void pit_write_count(struct hv_pit *pit, int ch, u8 val)
{
	struct hv_pit_channel *c = &pit->ch[ch];

	switch (c->s.write_state) {
	case RW_LSB:
		pit_load_count(pit, ch, val);
		break;
	case RW_MSB:
		pit_load_count(pit, ch, val << 8);
		break;
	case RW_WORD0:
		c->s.write_latch = val;
		c->s.write_state = RW_WORD1;
		break;
	default:
		pit_load_count(pit, ch, c->s.write_latch | (val << 8));
		c->s.write_state = RW_WORD0;
		break;
	}
}

static u8 pit_read_count(struct hv_pit_channel *c)
{
	u32 count;
	u8 v;

	if (c->s.status_latched) {
		c->s.status_latched = 0;
		return c->s.status;
	}
	if (c->s.count_latched) {
		switch (c->s.count_latched) {
		case RW_MSB:
			v = c->s.latched_count >> 8;
			c->s.count_latched = 0;
			break;
		case RW_WORD0:
			v = c->s.latched_count;
			c->s.count_latched = RW_MSB;
			break;
		default:
			v = c->s.latched_count;
			c->s.count_latched = 0;
			break;
		}
		return v;
	}
	count = pit_count(c);
	switch (c->s.read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->s.read_state = RW_WORD1;
		return count;
	case RW_WORD1:
		c->s.read_state = RW_WORD0;
		return count >> 8;
	default:
		return count;
	}
}

/* Channel 2's gate follows port 0x61 bit 0 */
static void pit_set_gate2(struct hv_pit *pit, u8 gate)
{
	struct hv_pit_channel *c = &pit->ch[2];

	if (gate == c->s.gate)
		return;
	if (!gate) {
		c->frozen_ns = pit_elapsed(c);
	} else if (c->s.mode == 0 || c->s.mode == 4) {
		/* Modes 0, 4: counting resumes where it stopped */
		c->load = ktime_sub_ns(ktime_get(), c->frozen_ns);
	} else {
		/* Modes 1, 2, 3, 5: a rising gate restarts the count */
		c->load = ktime_get();
	}
	c->s.gate = gate;
}

u8 hv_pit_read(struct hv_pit *pit, u16 port)
{
	unsigned long flags;
	u8 v;

	spin_lock_irqsave(&pit->lock, flags);
	if (port == 0x61) {
		/*
		 * PIIX4 12.7.1: bit 5 OUT2, bit 4 refresh toggle (every
		 * ~15 us; here 16.4 us), bits 3:0 as written.
		 */
		v = (pit->port61 & 0x0f) |
		    (pit_out(&pit->ch[2]) << 5) |
		    (((u64)ktime_get_ns() >> 14) & 1) << 4;
	} else if (port == 0x43) {
		v = 0xff;	/* the control word is write-only */
	} else {
		v = pit_read_count(&pit->ch[port - 0x40]);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
	return v;
}

void hv_pit_write(struct hv_pit *pit, u16 port, u8 val)
{
	unsigned long flags;

	spin_lock_irqsave(&pit->lock, flags);
	if (port == 0x61) {
		pit->port61 = val & 0x0f;
		pit_set_gate2(pit, val & 1);
	} else if (port == 0x43) {
		pit_write_control(pit, val);
	} else {
		pit_write_count(pit, port - 0x40, val);
	}
	spin_unlock_irqrestore(&pit->lock, flags);
}

void hv_pit_get(struct hv_pit *pit, struct hv_pit_state *st)
{
	unsigned long flags;
	int i;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < 3; i++) {
		st->ch[i] = pit->ch[i].s;
		memset(st->ch[i].pad, 0, sizeof(st->ch[i].pad));
		st->ch[i].elapsed_ns = pit_elapsed(&pit->ch[i]);
	}
	st->port61 = pit->port61;
	spin_unlock_irqrestore(&pit->lock, flags);
}

int hv_pit_check(const struct hv_pit_state *st)
{
	int i;

	if (st->port61 & ~0x0f || !hv_reserved_zero(st->pad) ||
	    !hv_reserved_zero(st->reserved))
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		const struct hv_pit_channel_state *c = &st->ch[i];

		if (!c->count || c->count > 0x10000 || c->mode > 5 ||
		    c->bcd > 1 || c->gate > 1 || c->rw_mode < RW_LSB ||
		    c->rw_mode > RW_WORD0 || c->read_state < RW_LSB ||
		    c->read_state > RW_WORD1 || c->write_state < RW_LSB ||
		    c->write_state > RW_WORD1 ||
		    c->count_latched > RW_WORD0 || c->status_latched > 1 ||
		    !hv_reserved_zero(c->pad))
			return -EINVAL;
		/* Channels 0 and 1 have their gates tied high; 2's is 0x61 */
		if (c->gate != (i == 2 ? (st->port61 & 1) : 1))
			return -EINVAL;
	}
	return 0;
}

/* The counts go on from @elapsed_ns, and channel 0's timer from now */
void hv_pit_set(struct hv_pit *pit, const struct hv_pit_state *st)
{
	unsigned long flags;
	ktime_t now = ktime_get();
	int i;

	spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < 3; i++) {
		struct hv_pit_channel *c = &pit->ch[i];

		c->s = st->ch[i];
		c->s.elapsed_ns = 0;
		c->frozen_ns = st->ch[i].elapsed_ns;
		c->load = ktime_sub_ns(now, st->ch[i].elapsed_ns);
	}
	pit->port61 = st->port61;
	pit_arm(pit, st->ch[0].elapsed_ns);
	spin_unlock_irqrestore(&pit->lock, flags);
}
