/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for kmod/hv.h and the kernel headers, just enough for the
 * PC platform's devices (kmod/io/pic.c, ioapic.c, pit.c, rtc.c, pm.c,
 * platform.c) to compile and run in the unit tests (test_chipset.c):
 * one thread, spinlocks that check they are held, a clock the test
 * moves (kshim_now, kshim_real) and hrtimers that only remember their
 * expiry (the test calls the callback).  The functions the devices call
 * outside kmod/io (hvk_vcpu_request, hv_apic_deliver, hv_lapic_mmio)
 * are the test's.
 */
#ifndef HV_KSHIM_HV_H
#define HV_KSHIM_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "x86/types.h"
#include "uapi/hv.h"

typedef s64 ktime_t;
typedef s64 time64_t;

#define NSEC_PER_SEC		1000000000LL
#define SZ_1M			0x100000ULL
#define SZ_16M			0x1000000ULL
#define SZ_4G			0x100000000ULL

#define READ_ONCE(x)		(x)
#define WRITE_ONCE(x, v)	((x) = (v))
#define min_t(t, a, b)		((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)		((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define container_of(p, t, m)	((t *)((char *)(p) - offsetof(t, m)))

/* Spinlocks: one thread; taking a held lock is a deadlock, so abort */
typedef struct { int held; } spinlock_t;
#define spin_lock_init(l)	((l)->held = 0)
#define spin_lock_irqsave(l, f) \
	do { (f) = 0; if ((l)->held) abort(); (l)->held = 1; } while (0)
#define spin_unlock_irqrestore(l, f) \
	do { (void)(f); (l)->held = 0; } while (0)
#define lockdep_assert_held(l)	do { if (!(l)->held) abort(); } while (0)

struct mutex { int unused; };
#define mutex_lock(m)		((void)(m))
#define mutex_unlock(m)		((void)(m))

/* The clocks: CLOCK_MONOTONIC is kshim_now, CLOCK_REALTIME adds kshim_real */
extern s64 kshim_now, kshim_real;
static inline ktime_t ktime_get(void) { return kshim_now; }
static inline u64 ktime_get_ns(void) { return kshim_now; }
static inline u64 ktime_get_real_ns(void) { return kshim_real + kshim_now; }
#define ktime_add_ns(k, n)	((k) + (s64)(n))
#define ktime_sub_ns(k, n)	((k) - (s64)(n))
#define ktime_sub(a, b)		((a) - (b))
#define ktime_to_ns(k)		(k)
#define ns_to_ktime(n)		((s64)(n))

static inline u64 div64_u64(u64 a, u64 b) { return a / b; }
static inline u64 div_u64(u64 a, u32 b) { return a / b; }
static inline u64 div64_u64_rem(u64 a, u64 b, u64 *r)
{
	*r = a % b;
	return a / b;
}
static inline u64 div_u64_rem(u64 a, u32 b, u32 *r)
{
	*r = a % b;
	return a / b;
}
static inline s64 div_s64_rem(s64 a, s32 b, s32 *r)
{
	*r = a % b;
	return a / b;
}
static inline u64 mul_u64_u32_div(u64 a, u32 m, u32 d)
{
	return (u64)(((unsigned __int128)a * m) / d);
}
#define do_div(n, b) ({ u32 __r = (n) % (b); (n) /= (b); __r; })

static inline u8 bin2bcd(unsigned int v) { return (v / 10) << 4 | v % 10; }
static inline unsigned int bcd2bin(u8 v) { return (v >> 4) * 10 + (v & 15); }
static inline void time64_to_tm(time64_t t, int off, struct tm *tm)
{
	time_t x = t + off;

	gmtime_r(&x, tm);
}
static inline time64_t mktime64(unsigned int y, unsigned int mo,
				unsigned int d, unsigned int h,
				unsigned int mi, unsigned int s)
{
	struct tm tm = {
		.tm_year = (int)y - 1900, .tm_mon = (int)mo - 1,
		.tm_mday = (int)d, .tm_hour = (int)h, .tm_min = (int)mi,
		.tm_sec = (int)s,
	};

	return timegm(&tm);
}

enum hrtimer_restart { HRTIMER_NORESTART, HRTIMER_RESTART };
#define HRTIMER_MODE_ABS	0
#define CLOCK_MONOTONIC		1
struct hrtimer {
	enum hrtimer_restart (*function)(struct hrtimer *);
	s64 expires;
	bool queued;
};
static inline void hrtimer_init(struct hrtimer *t, int clock, int mode)
{
	t->queued = false;
}
static inline void hrtimer_start(struct hrtimer *t, s64 when, int mode)
{
	t->expires = when;
	t->queued = true;
}
static inline int hrtimer_try_to_cancel(struct hrtimer *t)
{
	int r = t->queued;

	t->queued = false;
	return r;
}
static inline int hrtimer_cancel(struct hrtimer *t)
{
	return hrtimer_try_to_cancel(t);
}
static inline bool hrtimer_is_queued(struct hrtimer *t) { return t->queued; }
static inline void hrtimer_set_expires(struct hrtimer *t, s64 when)
{
	t->expires = when;
}
static inline u64 hrtimer_forward_now(struct hrtimer *t, s64 period)
{
	u64 n = 0;

	for (; t->expires <= kshim_now; n++)
		t->expires += period;
	return n;
}

#define GFP_KERNEL_ACCOUNT	0
#define kzalloc(size, gfp)	calloc(1, size)
#define kfree(p)		free(p)
static inline bool hv_fail_alloc(void) { return false; }

static inline const void *memchr_inv(const void *p, int c, size_t n)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != c)
			return b + i;
	return NULL;
}
#define hv_reserved_zero(field)	(!memchr_inv(&(field), 0, sizeof(field)))

/* The little of the VM and vCPU that the platform reads */
struct hv_region { u64 gpa, size; };
struct hv_platform;
struct hvk_vm;
struct hvk_vcpu {
	u32 id;
	struct hvk_vm *vm;
};
struct hvk_vm {
	struct mutex lock;
	struct hv_region regions[HV_MAX_REGIONS];
	unsigned int nr_regions;
	struct hvk_vcpu *vcpus[HV_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct hv_platform *pf;
};

#define HV_REQ_EVENT		0
void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int req);

/* io/pm.c's clock: the guest's TSC and its rate (test_pm.c's) */
extern unsigned int tsc_khz;
u64 hv_guest_tsc(struct hvk_vcpu *vcpu);

#endif /* HV_KSHIM_HV_H */
