/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC's private types (io/lapic.c); the API is io/platform.h.
 * Register offsets are the xAPIC page's (SDM Vol 3A, Table 10-1); the
 * x2APIC MSR of a register is 0x800 + (offset >> 4) (SDM Vol 3A,
 * 10.12.1.2, Table 10-6).
 */
#ifndef HV_IO_LAPIC_H
#define HV_IO_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define LAPIC_REG_ID		0x020
#define LAPIC_REG_VER		0x030
#define LAPIC_REG_TPR		0x080
#define LAPIC_REG_APR		0x090
#define LAPIC_REG_PPR		0x0a0
#define LAPIC_REG_EOI		0x0b0
#define LAPIC_REG_RRD		0x0c0
#define LAPIC_REG_LDR		0x0d0
#define LAPIC_REG_DFR		0x0e0
#define LAPIC_REG_SVR		0x0f0
#define LAPIC_REG_ISR		0x100	/* 8 registers, 0x100-0x170 */
#define LAPIC_REG_TMR		0x180	/* 8 registers, 0x180-0x1f0 */
#define LAPIC_REG_IRR		0x200	/* 8 registers, 0x200-0x270 */
#define LAPIC_REG_ESR		0x280
#define LAPIC_REG_ICR_LO		0x300
#define LAPIC_REG_ICR_HI		0x310
#define LAPIC_REG_LVT_TIMER	0x320
#define LAPIC_REG_LVT_THERMAL	0x330
#define LAPIC_REG_LVT_PERF	0x340
#define LAPIC_REG_LVT_LINT0	0x350
#define LAPIC_REG_LVT_LINT1	0x360
#define LAPIC_REG_LVT_ERROR	0x370
#define LAPIC_REG_TMICT		0x380
#define LAPIC_REG_TMCCT		0x390
#define LAPIC_REG_DCR		0x3e0
#define LAPIC_REG_SELF_IPI	0x3f0	/* x2APIC only (10.12.11) */
#define LAPIC_NR_REGS		64	/* 0x000-0x3f0, one per 16 bytes */

/*
 * Version register (SDM Vol 3A, 10.4.8, Figure 10-7): version 0x14
 * (an integrated APIC), Max LVT Entry 5 = six LVT entries (timer,
 * thermal, performance, LINT0, LINT1, error; no CMCI), bit 24 clear: no
 * EOI-broadcast suppression.  The value KVM gives without CMCI.
 */
#define LAPIC_VERSION		(0x14 | (5 << 16))

/* IA32_APIC_BASE (SDM Vol 3A, 10.4.4, Figure 10-5; 10.12.1) */
#define LAPIC_BASE_BSP		(1ULL << 8)
#define LAPIC_BASE_EXTD		(1ULL << 10)
#define LAPIC_BASE_EN		(1ULL << 11)

#define LAPIC_SVR_ENABLE		(1u << 8)	/* 10.9, Figure 10-23 */
#define LAPIC_SVR_MASK		0x3ffu		/* vector, enable, focus */

/* LVT (SDM Vol 3A, 10.5.1, Figure 10-8) */
#define LAPIC_LVT_MASKED		(1u << 16)
#define LAPIC_LVT_LEVEL		(1u << 15)
#define LAPIC_LVT_REMOTE_IRR	(1u << 14)
#define LAPIC_LVT_DM(v)		(((v) >> 8) & 7)
#define LAPIC_LVT_TIMER_MODE(v)	(((v) >> 17) & 3)
#define LAPIC_TIMER_ONESHOT	0
#define LAPIC_TIMER_PERIODIC	1
#define LAPIC_TIMER_TSC_DEADLINE	2

/* ESR (SDM Vol 3A, 10.5.3, Figure 10-9) */
#define LAPIC_ESR_SEND_ILLEGAL	(1u << 5)
#define LAPIC_ESR_RECV_ILLEGAL	(1u << 6)
#define LAPIC_ESR_ILLEGAL_REG	(1u << 7)

/* ICR (SDM Vol 3A, 10.6.1, Figure 10-12; x2APIC 10.12.9) */
#define LAPIC_ICR_LOGICAL	(1u << 11)
#define LAPIC_ICR_BUSY		(1u << 12)
#define LAPIC_ICR_ASSERT		(1u << 14)
#define LAPIC_ICR_LEVEL		(1u << 15)
#define LAPIC_ICR_SHORTHAND(v)	(((v) >> 18) & 3)
#define LAPIC_ICR_X2_VALID	0x000cdfffu	/* 31:20, 17:16, 13 reserved */

#define LAPIC_MSR_APIC_BASE		0x1b
#define LAPIC_MSR_TSC_DEADLINE	0x6e0
#define LAPIC_MSR_X2APIC_FIRST	0x800
#define LAPIC_MSR_X2APIC_LAST		0x8ff
#define LAPIC_MSR_X2APIC_ICR		0x830

/*
 * Timer bus frequency: 1 GHz, so one count before the divider is one
 * nanosecond (as KVM).  The guest learns it by calibrating against the
 * PIT or the TSC; nothing architectural names it.  A periodic timer
 * never fires faster than every HV_APIC_MIN_PERIOD_NS, so that a guest
 * cannot make the host take an interrupt storm (KVM: 200 us).
 */
#define HV_APIC_MIN_PERIOD_NS	100000ULL

/*
 * The timer fires in hard interrupt context, as KVM's, where the lock
 * below is a real spinlock; on PREEMPT_RT spinlocks sleep, so there it
 * fires in softirq context instead.
 */
#define LAPIC_HRTIMER_MODE	(IS_ENABLED(CONFIG_PREEMPT_RT) ? \
				 HRTIMER_MODE_ABS_SOFT : HRTIMER_MODE_ABS_HARD)

/*
 * One local APIC.  [c] set at create; [l] under @lock, which other
 * vCPUs' threads (IPIs), devices and the hrtimer callback take too
 * (irqsave).  Never hold two APICs' locks.
 */
struct hv_lapic {
	spinlock_t lock;
	struct hvk_vcpu *vcpu;		/* [c] */
	u64 base;			/* [l] IA32_APIC_BASE */
	u32 reg[LAPIC_NR_REGS];		/* [l] the xAPIC page, low dwords */
	u32 esr_pending;		/* [l] errors since the last ESR write */
	bool lint[2];			/* [l] LINT0/LINT1 pin levels */
	/* The timer: one-shot, periodic or TSC-deadline (10.5.4) */
	struct hrtimer timer;		/* [c] LAPIC_HRTIMER_MODE */
	bool timer_armed;		/* [l] the callback should fire */
	ktime_t timer_expire;		/* [l] count reaches 0 / deadline */
	u64 timer_period;		/* [l] ns of one full count */
	u32 timer_div;			/* [l] divider the count runs with */
	u64 tsc_deadline;		/* [l] IA32_TSC_DEADLINE, guest TSC */
};

#endif /* HV_IO_LAPIC_H */
