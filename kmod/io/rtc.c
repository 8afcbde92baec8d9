// SPDX-License-Identifier: GPL-2.0
/*
 * The CMOS clock (Motorola MC146818A datasheet; the model is QEMU's
 * mc146818rtc.c) at 0x70 (index, bit 7 the NMI mask, dropped) and 0x71
 * (data): the time of day from the host's CLOCK_REALTIME plus the
 * guest's offset, registers A-D, the interrupts on IRQ 8 and the NVRAM.
 *
 * The clock registers are computed when read, in BCD or binary (B DM)
 * and 12 or 24 hours (B 24/12) as register B says then; while B SET is
 * 1 they hold what the guest wrote, and clearing SET sets the clock.
 * A UIP reads 1 for the 244 us before each second (datasheet, "Update
 * cycle"), never while SET is 1.  The divider bits of A (DV2-0) are
 * stored; releasing a divider reset starts the second half-way, as the
 * datasheet's first update "500 ms later" (Linux sets the time so).
 * IRQ 8 is high while C IRQF is, and reading C lowers it.  Periodic,
 * update-ended and alarm interrupts run on one hrtimer, armed only
 * while PIE, UIE or AIE asks for it.
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"

#include <linux/bcd.h>
#include <linux/sizes.h>
#include <linux/math64.h>
#include <linux/time64.h>

#define RTC_SEC			0x00
#define RTC_SEC_ALARM		0x01
#define RTC_MIN			0x02
#define RTC_MIN_ALARM		0x03
#define RTC_HOUR		0x04
#define RTC_HOUR_ALARM		0x05
#define RTC_WDAY		0x06
#define RTC_MDAY		0x07
#define RTC_MON			0x08
#define RTC_YEAR		0x09
#define RTC_REG_A		0x0a
#define RTC_REG_B		0x0b
#define RTC_REG_C		0x0c
#define RTC_REG_D		0x0d
#define RTC_CENTURY		0x32	/* IBM PC/AT BIOS convention */

#define REG_A_UIP		0x80
#define REG_A_DV		0x70
#define REG_A_RS		0x0f
#define REG_B_SET		0x80
#define REG_B_PIE		0x40
#define REG_B_AIE		0x20
#define REG_B_UIE		0x10
#define REG_B_DM		0x04	/* 1: binary */
#define REG_B_24H		0x02
#define REG_C_IRQF		0x80
#define REG_C_PF		0x40
#define REG_C_AF		0x20
#define REG_C_UF		0x10
#define REG_D_VRT		0x80

#define RTC_UIP_NS		244141	/* 8 cycles of 32.768 kHz */

static bool rtc_running(const struct hv_rtc *rtc)
{
	return !(rtc->cmos[RTC_REG_B] & REG_B_SET);
}

/* The guest's time of day: whole seconds since 1970 and the rest */
static s64 rtc_guest_sec(const struct hv_rtc *rtc, u32 *rem)
{
	s64 ns = ktime_get_real_ns() + rtc->offset_ns;
	s32 r;
	s64 sec = div_s64_rem(ns, NSEC_PER_SEC, &r);

	if (r < 0) {
		sec--;
		r += NSEC_PER_SEC;
	}
	if (rem)
		*rem = r;
	return sec;
}

static u8 rtc_to_reg(const struct hv_rtc *rtc, unsigned int v)
{
	return rtc->cmos[RTC_REG_B] & REG_B_DM ? v : bin2bcd(v);
}

static unsigned int rtc_from_reg(const struct hv_rtc *rtc, u8 v)
{
	return rtc->cmos[RTC_REG_B] & REG_B_DM ? v : bcd2bin(v);
}

static u8 rtc_hour_reg(const struct hv_rtc *rtc, unsigned int hour)
{
	unsigned int h;

	if (rtc->cmos[RTC_REG_B] & REG_B_24H)
		return rtc_to_reg(rtc, hour);
	/* 12-hour mode: 1-12, bit 7 PM */
	h = hour % 12 ? hour % 12 : 12;
	return rtc_to_reg(rtc, h) | (hour >= 12 ? 0x80 : 0);
}

/* The clock registers from the guest's time of day */
static void rtc_fill_time(struct hv_rtc *rtc)
{
	struct tm tm;
	long year;

	time64_to_tm(rtc_guest_sec(rtc, NULL), 0, &tm);
	year = tm.tm_year + 1900;
	rtc->cmos[RTC_SEC] = rtc_to_reg(rtc, tm.tm_sec);
	rtc->cmos[RTC_MIN] = rtc_to_reg(rtc, tm.tm_min);
	rtc->cmos[RTC_HOUR] = rtc_hour_reg(rtc, tm.tm_hour);
	rtc->cmos[RTC_WDAY] = rtc_to_reg(rtc, tm.tm_wday + 1);	/* 1: Sun */
	rtc->cmos[RTC_MDAY] = rtc_to_reg(rtc, tm.tm_mday);
	rtc->cmos[RTC_MON] = rtc_to_reg(rtc, tm.tm_mon + 1);
	rtc->cmos[RTC_YEAR] = rtc_to_reg(rtc, year % 100);
	rtc->cmos[RTC_CENTURY] = rtc_to_reg(rtc, (year / 100) % 100);
}

/* Set the guest's clock from its registers, at @subsec_ns in the second */
static void rtc_set_time(struct hv_rtc *rtc, u64 subsec_ns)
{
	unsigned int hour, year;
	u8 h = rtc->cmos[RTC_HOUR];
	time64_t t;

	hour = rtc_from_reg(rtc, h & 0x7f);
	if (!(rtc->cmos[RTC_REG_B] & REG_B_24H))
		hour = hour % 12 + (h & 0x80 ? 12 : 0);
	year = rtc_from_reg(rtc, rtc->cmos[RTC_CENTURY]) * 100 +
	       rtc_from_reg(rtc, rtc->cmos[RTC_YEAR]);
	/* Nanoseconds in an s64 reach 1677-2262: keep well inside */
	year = clamp(year, 1900U, 2199U);
	t = mktime64(year, rtc_from_reg(rtc, rtc->cmos[RTC_MON]),
		     rtc_from_reg(rtc, rtc->cmos[RTC_MDAY]), hour,
		     rtc_from_reg(rtc, rtc->cmos[RTC_MIN]),
		     rtc_from_reg(rtc, rtc->cmos[RTC_SEC]));
	rtc->offset_ns = t * NSEC_PER_SEC + subsec_ns - ktime_get_real_ns();
	rtc->last_sec = rtc_guest_sec(rtc, NULL);
}

/* Drive IRQ 8 from IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet, reg C) */
static void rtc_update_irq(struct hv_rtc *rtc)
{
	u8 *c = &rtc->cmos[RTC_REG_C];
	bool irq;

	lockdep_assert_held(&rtc->lock);
	if (*c & rtc->cmos[RTC_REG_B] & (REG_C_PF | REG_C_AF | REG_C_UF))
		*c |= REG_C_IRQF;
	irq = *c & REG_C_IRQF;
	if (irq != rtc->irq) {
		rtc->irq = irq;
		hv_isa_irq(rtc->vm, 8, irq);
	}
}

static bool rtc_alarm_match(const struct hv_rtc *rtc)
{
	static const u8 regs[3][2] = {
		{ RTC_SEC_ALARM, RTC_SEC }, { RTC_MIN_ALARM, RTC_MIN },
		{ RTC_HOUR_ALARM, RTC_HOUR },
	};
	int i;

	for (i = 0; i < 3; i++) {
		u8 a = rtc->cmos[regs[i][0]];

		/* 11xxxxxx is "don't care" */
		if ((a & 0xc0) != 0xc0 && a != rtc->cmos[regs[i][1]])
			return false;
	}
	return true;
}

/* A second ended since the last look: UF, and AF on a match */
static void rtc_check_update(struct hv_rtc *rtc)
{
	s64 sec;

	if (!rtc_running(rtc))
		return;
	sec = rtc_guest_sec(rtc, NULL);
	if (sec == rtc->last_sec)
		return;
	rtc->last_sec = sec;
	rtc->cmos[RTC_REG_C] |= REG_C_UF;
	rtc_fill_time(rtc);
	if (rtc_alarm_match(rtc))
		rtc->cmos[RTC_REG_C] |= REG_C_AF;
}

/* The next expiry the enabled interrupts need, or 0 for none */
static ktime_t rtc_next_event(struct hv_rtc *rtc)
{
	u8 b = rtc->cmos[RTC_REG_B];
	ktime_t next = 0;

	if ((b & REG_B_PIE) && rtc->period_ns)
		next = rtc->next_periodic;
	if ((b & (REG_B_UIE | REG_B_AIE)) && rtc_running(rtc)) {
		u32 rem;
		ktime_t sec;

		rtc_guest_sec(rtc, &rem);
		/* Just past the boundary, whatever the clocks' drift */
		sec = ktime_add_ns(ktime_get(), NSEC_PER_SEC - rem + 1000);
		if (!next || sec < next)
			next = sec;
	}
	return next;
}

static void rtc_arm(struct hv_rtc *rtc)
{
	ktime_t next;

	lockdep_assert_held(&rtc->lock);
	hrtimer_try_to_cancel(&rtc->timer);
	next = rtc_next_event(rtc);
	if (next)
		hrtimer_start(&rtc->timer, next, HRTIMER_MODE_ABS);
}

/* Register A's rate select (datasheet, Table 3): 0 none */
static void rtc_set_period(struct hv_rtc *rtc)
{
	unsigned int rs = rtc->cmos[RTC_REG_A] & REG_A_RS;
	u64 ticks;

	if (!rs) {
		rtc->period_ns = 0;
		return;
	}
	/* RS 1, 2 repeat 256 Hz and 128 Hz; 3-15 are 32768 >> (RS - 1) */
	ticks = rs <= 2 ? 1ULL << (rs + 6) : 1ULL << (rs - 1);
	rtc->period_ns = div_u64(ticks * NSEC_PER_SEC, 32768);
	rtc->next_periodic = ktime_add_ns(ktime_get(), rtc->period_ns);
}

static enum hrtimer_restart rtc_timer_fn(struct hrtimer *t)
{
	struct hv_rtc *rtc = container_of(t, struct hv_rtc, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	ktime_t now, next;

	spin_lock_irqsave(&rtc->lock, flags);
	/* Re-armed by a register write meanwhile: that one counts */
	if (hrtimer_is_queued(t))
		goto out;
	now = ktime_get();
	if ((rtc->cmos[RTC_REG_B] & REG_B_PIE) && rtc->period_ns &&
	    now >= rtc->next_periodic) {
		rtc->cmos[RTC_REG_C] |= REG_C_PF;
		rtc->next_periodic = ktime_add_ns(rtc->next_periodic,
						  rtc->period_ns);
		/* Fell behind (host busy): lost ticks are not made up */
		if (rtc->next_periodic <= now)
			rtc->next_periodic = ktime_add_ns(now, rtc->period_ns);
	}
	rtc_check_update(rtc);
	rtc_update_irq(rtc);
	next = rtc_next_event(rtc);
	if (next) {
		hrtimer_set_expires(t, next);
		ret = HRTIMER_RESTART;
	}
out:
	spin_unlock_irqrestore(&rtc->lock, flags);
	return ret;
}

void hv_rtc_init(struct hv_rtc *rtc, struct hvk_vm *vm)
{
	spin_lock_init(&rtc->lock);
	rtc->vm = vm;
	hrtimer_init(&rtc->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	rtc->timer.function = rtc_timer_fn;
	/* As a PC BIOS leaves it: 32.768 kHz, 1024 Hz rate, 24h BCD */
	rtc->cmos[RTC_REG_A] = 0x26;
	rtc->cmos[RTC_REG_B] = REG_B_24H;
	rtc->cmos[RTC_REG_D] = REG_D_VRT;
	rtc_set_period(rtc);
	rtc->last_sec = rtc_guest_sec(rtc, NULL);
	rtc_fill_time(rtc);
}

void hv_rtc_stop(struct hv_rtc *rtc)
{
	hrtimer_cancel(&rtc->timer);
}

static void rtc_put16(struct hv_rtc *rtc, int idx, u64 v)
{
	v = min_t(u64, v, 0xffff);
	rtc->cmos[idx] = v;
	rtc->cmos[idx + 1] = v >> 8;
}

/*
 * The memory-size bytes a PC BIOS sets (IBM AT BIOS; SeaBIOS and QEMU
 * add 0x5b-0x5d): base KiB, KiB above 1 MiB, 64 KiB above 16 MiB and
 * above 4 GiB.
 */
void hv_rtc_set_mem(struct hv_rtc *rtc, u64 below_4g, u64 above_4g)
{
	unsigned long flags;
	u64 high;

	spin_lock_irqsave(&rtc->lock, flags);
	if (!rtc->mem_set) {
		rtc->mem_set = true;
		rtc_put16(rtc, 0x15, min_t(u64, below_4g, 640 << 10) >> 10);
		rtc_put16(rtc, 0x17, below_4g > SZ_1M ?
			  (below_4g - SZ_1M) >> 10 : 0);
		rtc_put16(rtc, 0x30, below_4g > SZ_1M ?
			  (below_4g - SZ_1M) >> 10 : 0);
		rtc_put16(rtc, 0x34, below_4g > SZ_16M ?
			  (below_4g - SZ_16M) >> 16 : 0);
		high = min_t(u64, above_4g >> 16, 0xffffff);
		rtc->cmos[0x5b] = high;
		rtc->cmos[0x5c] = high >> 8;
		rtc->cmos[0x5d] = high >> 16;
	}
	spin_unlock_irqrestore(&rtc->lock, flags);
}

static u8 rtc_read_data(struct hv_rtc *rtc)
{
	u8 idx = rtc->index, v;
	u32 rem;

	switch (idx) {
	case RTC_SEC:
	case RTC_MIN:
	case RTC_HOUR:
	case RTC_WDAY:
	case RTC_MDAY:
	case RTC_MON:
	case RTC_YEAR:
	case RTC_CENTURY:
		if (rtc_running(rtc))
			rtc_fill_time(rtc);
		return rtc->cmos[idx];
	case RTC_REG_A:
		v = rtc->cmos[RTC_REG_A] & ~REG_A_UIP;
		if (rtc_running(rtc)) {
			rtc_guest_sec(rtc, &rem);
			if (rem >= NSEC_PER_SEC - RTC_UIP_NS)
				v |= REG_A_UIP;
		}
		return v;
	case RTC_REG_C:
		/* Reading C clears its flags and IRQF, which lowers IRQ 8 */
		rtc_check_update(rtc);
		v = rtc->cmos[RTC_REG_C];
		if (v & rtc->cmos[RTC_REG_B] & 0x70)
			v |= REG_C_IRQF;
		rtc->cmos[RTC_REG_C] = 0;
		rtc_update_irq(rtc);
		return v;
	case RTC_REG_D:
		return REG_D_VRT;	/* the battery is fine */
	default:
		return rtc->cmos[idx];
	}
}

static void rtc_write_data(struct hv_rtc *rtc, u8 val)
{
	u8 idx = rtc->index, old;
	u32 rem;

	switch (idx) {
	case RTC_SEC:
	case RTC_MIN:
	case RTC_HOUR:
	case RTC_WDAY:
	case RTC_MDAY:
	case RTC_MON:
	case RTC_YEAR:
	case RTC_CENTURY:
		if (!rtc_running(rtc)) {
			rtc->cmos[idx] = val;
			break;
		}
		/* A running clock takes the new field at once (as QEMU) */
		rtc_guest_sec(rtc, &rem);
		rtc_fill_time(rtc);
		rtc->cmos[idx] = val;
		rtc_set_time(rtc, rem);
		rtc_arm(rtc);
		break;
	case RTC_REG_A:
		old = rtc->cmos[RTC_REG_A];
		rtc->cmos[RTC_REG_A] = val & ~REG_A_UIP;
		/* DV 11x -> 010: the first update comes 500 ms later */
		if ((old & 0x60) == 0x60 && (val & REG_A_DV) == 0x20 &&
		    rtc_running(rtc)) {
			rtc_fill_time(rtc);
			rtc_set_time(rtc, NSEC_PER_SEC / 2);
		}
		if ((old ^ val) & REG_A_RS)
			rtc_set_period(rtc);
		rtc_arm(rtc);
		break;
	case RTC_REG_B:
		old = rtc->cmos[RTC_REG_B];
		if ((val & REG_B_SET) && !(old & REG_B_SET)) {
			/* Updates stop; the registers hold the time */
			rtc_fill_time(rtc);
			val &= ~REG_B_UIE;	/* datasheet: SET clears UIE */
		}
		if ((val & REG_B_PIE) && !(old & REG_B_PIE))
			rtc_set_period(rtc);
		rtc->cmos[RTC_REG_B] = val;
		if (!(val & REG_B_SET) && (old & REG_B_SET)) {
			u64 sub = (rtc->cmos[RTC_REG_A] & 0x60) == 0x60 ?
				  NSEC_PER_SEC / 2 : 0;

			rtc_set_time(rtc, sub);
		}
		rtc_update_irq(rtc);
		rtc_arm(rtc);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;			/* read-only */
	case RTC_SEC_ALARM:
	case RTC_MIN_ALARM:
	case RTC_HOUR_ALARM:
	default:
		rtc->cmos[idx] = val;	/* alarms and NVRAM */
		break;
	}
}

u8 hv_rtc_read(struct hv_rtc *rtc, u16 port)
{
	unsigned long flags;
	u8 v;

	if (port == 0x70)
		return 0xff;		/* the index is write-only */
	spin_lock_irqsave(&rtc->lock, flags);
	v = rtc_read_data(rtc);
	spin_unlock_irqrestore(&rtc->lock, flags);
	return v;
}

void hv_rtc_write(struct hv_rtc *rtc, u16 port, u8 val)
{
	unsigned long flags;

	spin_lock_irqsave(&rtc->lock, flags);
	if (port == 0x70)
		rtc->index = val & 0x7f;	/* bit 7: the NMI mask */
	else
		rtc_write_data(rtc, val);
	spin_unlock_irqrestore(&rtc->lock, flags);
}

void hv_rtc_get(struct hv_rtc *rtc, struct hv_rtc_state *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&rtc->lock, flags);
	rtc_check_update(rtc);
	if (rtc_running(rtc))
		rtc_fill_time(rtc);
	memcpy(st->cmos, rtc->cmos, sizeof(st->cmos));
	st->cmos[RTC_REG_D] = REG_D_VRT;
	st->index = rtc->index;
	st->offset_ns = rtc->offset_ns;
	spin_unlock_irqrestore(&rtc->lock, flags);
}

int hv_rtc_check(const struct hv_rtc_state *st)
{
	if (st->index > 0x7f || st->cmos[RTC_REG_A] & REG_A_UIP ||
	    st->cmos[RTC_REG_C] & 0x0f || st->cmos[RTC_REG_D] != REG_D_VRT ||
	    !hv_reserved_zero(st->pad) || !hv_reserved_zero(st->reserved))
		return -EINVAL;
	return 0;
}

/* The clock keeps its offset; the timer is re-armed from now */
void hv_rtc_set(struct hv_rtc *rtc, const struct hv_rtc_state *st)
{
	unsigned long flags;

	spin_lock_irqsave(&rtc->lock, flags);
	memcpy(rtc->cmos, st->cmos, sizeof(rtc->cmos));
	rtc->index = st->index;
	rtc->offset_ns = st->offset_ns;
	rtc->mem_set = true;
	rtc->last_sec = rtc_guest_sec(rtc, NULL);
	rtc_set_period(rtc);
	/* IRQ 8's level came back with the PIC and IOAPIC (platform.c) */
	rtc->irq = rtc->cmos[RTC_REG_C] & REG_C_IRQF;
	rtc_update_irq(rtc);
	rtc_arm(rtc);
	spin_unlock_irqrestore(&rtc->lock, flags);
}
