// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform's devices (kmod/io/pic.c, ioapic.c, pit.c, rtc.c,
 * platform.c), compiled as they are over tests/unit/kshim: a guest's
 * port and MMIO accesses, the lines and the timers, with a clock the
 * test moves.  The LAPIC is a recorder of hv_apic_deliver()'s messages.
 */
#include "hv.h"			/* tests/unit/kshim/hv.h */
#include "io/platform.h"
#include "io/chipset.h"
#include "unit.h"

s64 kshim_now, kshim_real;

static unsigned int kicks, delivered;
static struct hv_apic_irq last;
static struct hvk_vm vm;
static struct hvk_vcpu bsp = { .id = 0, .vm = &vm };

void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int req)
{
	ck_assert_ptr_eq(vcpu, &bsp);
	ck_assert_uint_eq(req, HV_REQ_EVENT);
	kicks++;
}

int hv_apic_deliver(struct hvk_vm *v, const struct hv_apic_irq *irq)
{
	delivered++;
	last = *irq;
	return 0;
}

bool hv_lapic_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		   unsigned int len)
{
	return false;
}

/* 2025-12-04 13:45:30 UTC, a Thursday */
#define REAL_BASE	((1764806400LL + 13 * 3600 + 45 * 60 + 30) * \
			 NSEC_PER_SEC)

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.vcpus[0] = &bsp;
	vm.nr_vcpus = 1;
	vm.regions[0].size = 256 << 20;		/* 256 MiB at 0 */
	vm.nr_regions = 1;
	kshim_now = NSEC_PER_SEC;
	kshim_real = REAL_BASE - kshim_now;
	kicks = delivered = 0;
	ck_assert_int_eq(hv_platform_create(&vm), 0);
}

static void teardown(void)
{
	hv_platform_free(&vm);
	ck_assert_ptr_null(vm.pf);
}

static void out(u16 port, u8 v)
{
	u32 x = v;

	ck_assert(hv_platform_pio(&bsp, port, 1, false, &x));
}

static u8 in(u16 port)
{
	u32 x = 0;

	ck_assert(hv_platform_pio(&bsp, port, 1, true, &x));
	ck_assert_uint_eq(x >> 8, 0);
	return x;
}

static u8 cmos(u8 idx)
{
	out(0x70, idx);
	return in(0x71);
}

static void cmos_set(u8 idx, u8 v)
{
	out(0x70, idx);
	out(0x71, v);
}

/* Linux's init_8259A(): vectors 0x30 and 0x38, cascade on IR2 */
static void pic_init(u8 icw4)
{
	out(0x21, 0xff);
	out(0xa1, 0xff);
	out(0x20, 0x11);
	out(0x21, 0x30);
	out(0x21, 0x04);
	out(0x21, icw4);
	out(0xa0, 0x11);
	out(0xa1, 0x38);
	out(0xa1, 0x02);
	out(0xa1, icw4);
	out(0x21, 0x00);
	out(0xa1, 0x00);
}

static void pulse(unsigned int irq)
{
	hv_isa_irq(&vm, irq, 1);
	hv_isa_irq(&vm, irq, 0);
}

START_TEST(pic_priority_eoi)
{
	setup();
	pic_init(0x01);
	ck_assert(!hv_pic_intr(&vm));
	pulse(0);
	ck_assert(hv_pic_intr(&vm));
	ck_assert_uint_eq(kicks, 1);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x30);
	ck_assert(!hv_pic_intr(&vm));
	out(0x20, 0x0b);			/* OCW3: read ISR */
	ck_assert_uint_eq(in(0x20), 0x01);
	out(0x20, 0x0a);			/* read IRR */
	ck_assert_uint_eq(in(0x20), 0x00);
	/* IRQ 3 waits behind IRQ 0 in service */
	hv_isa_irq(&vm, 3, 1);
	ck_assert(!hv_pic_intr(&vm));
	ck_assert_uint_eq(in(0x20), 0x08);
	out(0x20, 0x20);			/* non-specific EOI */
	ck_assert(hv_pic_intr(&vm));
	ck_assert_uint_eq(kicks, 2);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x33);
	out(0x20, 0x63);			/* specific EOI, IR3 */
	hv_isa_irq(&vm, 3, 0);
	/* Nothing left: the spurious IR7, ISR untouched */
	ck_assert_int_eq(hv_pic_ack(&vm), 0x37);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x00);
	/* The mask, and a request waiting behind it */
	out(0x21, 0x10);
	ck_assert_uint_eq(in(0x21), 0x10);
	hv_isa_irq(&vm, 4, 1);
	ck_assert(!hv_pic_intr(&vm));
	out(0x21, 0x00);
	ck_assert(hv_pic_intr(&vm));
	ck_assert_int_eq(hv_pic_ack(&vm), 0x34);
	out(0x20, 0x20);
	/* Userspace lowering GSI 4 does not lower the kernel's IRQ 4 */
	hv_gsi_set(&vm, 4, 1);
	hv_gsi_set(&vm, 4, 0);
	ck_assert_uint_eq(vm.pf->pic.line[HV_SRC_KERNEL], 0x10);
	hv_isa_irq(&vm, 4, 0);
	/* Rotation: priority 7 to IR3, so IR4 outranks IR2 */
	out(0x20, 0xc3);
	pulse(1);
	pulse(5);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x35);
	out(0x20, 0x20);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x31);
	out(0x20, 0x20);
	teardown();
}
END_TEST

START_TEST(pic_cascade_level_poll)
{
	u32 x;

	setup();
	pic_init(0x01);
	hv_isa_irq(&vm, 8, 1);
	ck_assert(hv_pic_intr(&vm));
	ck_assert_int_eq(hv_pic_ack(&vm), 0x38);
	out(0xa0, 0x0b);
	ck_assert_uint_eq(in(0xa0), 0x01);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x04);	/* IR2 in service */
	hv_isa_irq(&vm, 8, 0);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert_uint_eq(in(0xa0), 0x00);
	ck_assert_uint_eq(in(0x20), 0x00);
	/* ELCR: masked as the PIIX4's, both bytes by one outw */
	out(0x4d0, 0xff);
	out(0x4d1, 0xff);
	ck_assert(hv_platform_pio(&bsp, 0x4d0, 2, true, &x));
	ck_assert_uint_eq(x, 0xdef8);
	x = 0x0400;				/* IRQ 10 level */
	ck_assert(hv_platform_pio(&bsp, 0x4d0, 2, false, &x));
	ck_assert_uint_eq(in(0x4d0), 0x00);
	ck_assert_uint_eq(in(0x4d1), 0x04);
	hv_gsi_set(&vm, 10, 1);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x3a);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert(hv_pic_intr(&vm));		/* still high: again */
	ck_assert_int_eq(hv_pic_ack(&vm), 0x3a);
	hv_gsi_set(&vm, 10, 0);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert(!hv_pic_intr(&vm));
	/* A slave with nothing left at INTA: spurious IR15 */
	hv_isa_irq(&vm, 9, 1);
	hv_gsi_set(&vm, 9, 0);
	hv_isa_irq(&vm, 9, 0);
	/* (edge: the request stays in IRR) */
	ck_assert_int_eq(hv_pic_ack(&vm), 0x39);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	/* Poll: the read is the INTA */
	pulse(5);
	out(0x20, 0x0c);
	ck_assert_uint_eq(in(0x20), 0x85);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x20);
	out(0x20, 0x20);
	out(0x20, 0x0c);
	ck_assert_uint_eq(in(0x20), 0x00);
	ck_assert(!hv_pic_intr(&vm));
	/* Auto-EOI (ICW4 bit 1): nothing stays in service */
	pic_init(0x03);
	pulse(6);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x36);
	out(0x20, 0x0b);
	ck_assert_uint_eq(in(0x20), 0x00);
	teardown();
}
END_TEST

static void ioapic_write(u32 reg, u32 v)
{
	ck_assert(hv_platform_mmio(&bsp, HV_IOAPIC_BASE, true, &reg, 4));
	ck_assert(hv_platform_mmio(&bsp, HV_IOAPIC_BASE + 0x10, true, &v, 4));
}

static u32 ioapic_read(u32 reg)
{
	u32 v;

	ck_assert(hv_platform_mmio(&bsp, HV_IOAPIC_BASE, true, &reg, 4));
	ck_assert(hv_platform_mmio(&bsp, HV_IOAPIC_BASE + 0x10, false, &v, 4));
	return v;
}

START_TEST(ioapic_level_remote_irr)
{
	u8 b;

	setup();
	ck_assert_uint_eq(ioapic_read(0x01), 0x170011);
	ck_assert_uint_eq(ioapic_read(0x10), 0x10000);	/* masked */
	ioapic_write(0x00, 0x0a000000);
	ck_assert_uint_eq(ioapic_read(0x00), 0x0a000000);
	ck_assert_uint_eq(ioapic_read(0x02), 0x0a000000);
	/* Byte read of the version's max-redirection field */
	ioapic_read(0x01);
	ck_assert(hv_platform_mmio(&bsp, HV_IOAPIC_BASE + 0x12, false, &b, 1));
	ck_assert_uint_eq(b, 0x17);
	ck_assert(!hv_platform_mmio(&bsp, HV_IOAPIC_BASE + 0x100, false, &b,
				    1));

	/* Pin 9: level, vector 0x49, logical destination 3 */
	ioapic_write(0x10 + 2 * 9, 0x8849);
	ioapic_write(0x11 + 2 * 9, 0x03000000);
	hv_gsi_set(&vm, 9, 1);
	ck_assert_uint_eq(delivered, 1);
	ck_assert_uint_eq(last.vector, 0x49);
	ck_assert(last.level_trig && last.dest_logical);
	ck_assert_uint_eq(last.dest, 3);
	ck_assert_uint_eq(last.delivery_mode, HV_APIC_DM_FIXED);
	ck_assert_uint_eq(ioapic_read(0x10 + 2 * 9), 0xc849);	/* remote IRR */
	hv_gsi_set(&vm, 9, 1);
	ck_assert_uint_eq(delivered, 1);
	/* EOI with the line still high: delivered again */
	hv_ioapic_eoi(&vm, 0x49);
	ck_assert_uint_eq(delivered, 2);
	hv_gsi_set(&vm, 9, 0);
	hv_ioapic_eoi(&vm, 0x49);
	ck_assert_uint_eq(delivered, 2);
	ck_assert_uint_eq(ioapic_read(0x10 + 2 * 9), 0x8849);
	/* Masked while high, then unmasked: sent then */
	ioapic_write(0x10 + 2 * 9, 0x18849);
	hv_gsi_set(&vm, 9, 1);
	ck_assert_uint_eq(delivered, 2);
	ioapic_write(0x10 + 2 * 9, 0x8849);
	ck_assert_uint_eq(delivered, 3);
	/* Remote IRR is read-only, and cleared by a switch to edge */
	ioapic_write(0x10 + 2 * 9, 0x0849);
	ck_assert_uint_eq(ioapic_read(0x10 + 2 * 9), 0x0849);

	/* ISA IRQ 0 is pin 2, edge: one message per rising edge */
	ioapic_write(0x10 + 2 * 2, 0x30);
	pulse(0);
	ck_assert_uint_eq(delivered, 4);
	ck_assert_uint_eq(last.vector, 0x30);
	ck_assert(!last.level_trig);
	hv_isa_irq(&vm, 0, 1);
	hv_isa_irq(&vm, 0, 1);
	ck_assert_uint_eq(delivered, 5);
	ck_assert_int_eq(hv_gsi_set(&vm, HV_NR_GSIS, 1), -EINVAL);
	teardown();
}
END_TEST

static unsigned int pit_read16(u16 port)
{
	u8 lo = in(port);

	return lo | in(port) << 8;
}

static void fire(struct hrtimer *t, enum hrtimer_restart expect)
{
	ck_assert(t->queued);
	kshim_now = t->expires;
	t->queued = false;			/* the callback runs */
	ck_assert_int_eq(t->function(t), expect);
}

START_TEST(pit_channel0_irq0)
{
	struct hv_pit *pit;

	setup();
	pit = &vm.pf->pit;
	pic_init(0x01);
	/* Mode 2 at 1 kHz, as Linux's PIT clockevent */
	out(0x43, 0x34);
	out(0x40, 1193 & 0xff);
	out(0x40, 1193 >> 8);
	ck_assert(pit->armed && pit->periodic);
	ck_assert_uint_eq(pit->period_ns, 999847);
	kshim_now += 500000;
	out(0x43, 0x00);			/* latch */
	ck_assert_uint_eq(pit_read16(0x40), 1193 - 596);
	fire(&pit->timer, HRTIMER_RESTART);
	ck_assert(pit->timer.expires > kshim_now);
	ck_assert(hv_pic_intr(&vm));
	ck_assert_int_eq(hv_pic_ack(&vm), 0x30);
	out(0x20, 0x20);
	/* Mode 0: one interrupt at terminal count */
	out(0x43, 0x30);
	ck_assert(!pit->armed);
	out(0x40, 0x00);
	out(0x40, 0x10);
	ck_assert(pit->armed && !pit->periodic);
	fire(&pit->timer, HRTIMER_NORESTART);
	ck_assert(!pit->armed);
	ck_assert_int_eq(hv_pic_ack(&vm), 0x30);
	out(0x20, 0x20);
	/* Re-armed while the callback waited for the lock: it stands down */
	out(0x43, 0x34);
	out(0x40, 0x00);
	out(0x40, 0x10);
	ck_assert_int_eq(pit->timer.function(&pit->timer), HRTIMER_NORESTART);
	ck_assert(!hv_pic_intr(&vm));
	/* Bounded rate: a count of 2 is not 600 kHz of host timers */
	out(0x43, 0x34);
	out(0x40, 2);
	out(0x40, 0);
	ck_assert_uint_eq(pit->period_ns, 200000);
	teardown();
}
END_TEST

START_TEST(pit_channel2_calibration)
{
	unsigned int c1;
	u8 a;

	setup();
	/* Linux's pit_calibrate_tsc(): gate high, speaker off, mode 0 */
	out(0x61, (in(0x61) & ~0x02) | 0x01);
	out(0x43, 0xb0);
	out(0x42, 0xff);
	out(0x42, 0xff);
	ck_assert(!(in(0x61) & 0x20));
	kshim_now += 10000000;			/* 11931.82 ticks */
	ck_assert_uint_eq(pit_read16(0x42), 0xffff - 11931);
	kshim_now += 45000000;
	ck_assert(in(0x61) & 0x20);		/* OUT2 at terminal count */
	/* Gate low stops counting in mode 0, and it goes on after */
	out(0x43, 0xb0);
	out(0x42, 0x00);
	out(0x42, 0x10);
	kshim_now += 1000000;
	out(0x61, 0x00);
	c1 = pit_read16(0x42);
	ck_assert_uint_eq(c1, 0x1000 - 1193);
	kshim_now += 1000000;
	ck_assert_uint_eq(pit_read16(0x42), c1);
	out(0x61, 0x01);
	kshim_now += 1000000;
	ck_assert_uint_eq(pit_read16(0x42), c1 - 1193);
	/* Read-back: status of channel 2 (OUT low, LSB/MSB, mode 0) */
	out(0x43, 0xe8);
	ck_assert_uint_eq(in(0x42), 0x30);
	/* Read-back of count and status: status first */
	out(0x43, 0xc8);
	ck_assert_uint_eq(in(0x42), 0x30);
	ck_assert_uint_eq(pit_read16(0x42), c1 - 1193);
	/* Mode 3 square wave on channel 2: OUT high, then low */
	out(0x43, 0xb6);
	out(0x42, 100);
	out(0x42, 0);
	ck_assert(in(0x61) & 0x20);
	kshim_now += 60 * 838;
	ck_assert(!(in(0x61) & 0x20));
	/* Speaker bit stored, refresh bit toggles */
	out(0x61, 0x03);
	ck_assert_uint_eq(in(0x61) & 0x0f, 0x03);
	a = in(0x61) & 0x10;
	kshim_now += 16384;
	ck_assert_uint_ne(in(0x61) & 0x10, a);
	teardown();
}
END_TEST

START_TEST(rtc_time_and_set)
{
	setup();
	ck_assert_uint_eq(cmos(0x0b), 0x02);		/* 24h, BCD */
	ck_assert_uint_eq(cmos(0x0d), 0x80);
	ck_assert_uint_eq(in(0x70), 0xff);
	/* The BIOS's memory sizes for 256 MiB */
	ck_assert_uint_eq(cmos(0x15) | cmos(0x16) << 8, 640);
	ck_assert_uint_eq(cmos(0x17) | cmos(0x18) << 8, 0xffff);
	ck_assert_uint_eq(cmos(0x30) | cmos(0x31) << 8, 0xffff);
	ck_assert_uint_eq(cmos(0x34) | cmos(0x35) << 8, 240 * 16);
	/* Index bit 7 is the NMI mask, not part of the index */
	ck_assert_uint_eq(cmos(0x80 | 0x04), 0x13);
	ck_assert_uint_eq(cmos(0x02), 0x45);
	ck_assert_uint_eq(cmos(0x00), 0x30);
	ck_assert_uint_eq(cmos(0x06), 0x05);		/* Thursday */
	ck_assert_uint_eq(cmos(0x07), 0x04);
	ck_assert_uint_eq(cmos(0x08), 0x12);
	ck_assert_uint_eq(cmos(0x09), 0x25);
	ck_assert_uint_eq(cmos(0x32), 0x20);
	/* UIP in the last 244 us before a second, never all-ones */
	ck_assert_uint_eq(cmos(0x0a), 0x26);
	kshim_now += 999800000;
	ck_assert_uint_eq(cmos(0x0a), 0xa6);
	kshim_now += 300000;
	ck_assert_uint_eq(cmos(0x0a), 0x26);
	ck_assert_uint_eq(cmos(0x00), 0x31);
	/* Binary, 12-hour: 1 PM */
	cmos_set(0x0b, 0x04);
	ck_assert_uint_eq(cmos(0x04), 0x81);
	ck_assert_uint_eq(cmos(0x00), 31);
	cmos_set(0x0b, 0x02);
	/* Linux's mc146818_set_time(): SET, divider reset, fields */
	cmos_set(0x0b, 0x82);
	cmos_set(0x0a, 0x76);
	cmos_set(0x04, 0x08);
	cmos_set(0x02, 0x00);
	cmos_set(0x00, 0x00);
	ck_assert_uint_eq(cmos(0x0a), 0x76);		/* no UIP while SET */
	kshim_now += 3 * NSEC_PER_SEC;			/* frozen meanwhile */
	ck_assert_uint_eq(cmos(0x04), 0x08);
	ck_assert_uint_eq(cmos(0x00), 0x00);
	cmos_set(0x0b, 0x02);
	cmos_set(0x0a, 0x26);
	kshim_now += 2 * NSEC_PER_SEC;		/* 2 s: the first half-second */
	ck_assert_uint_eq(cmos(0x00), 0x02);
	ck_assert_uint_eq(cmos(0x02), 0x00);
	ck_assert_uint_eq(cmos(0x04), 0x08);
	/* NVRAM */
	cmos_set(0x40, 0x5a);
	ck_assert_uint_eq(cmos(0x40), 0x5a);
	cmos_set(0x0d, 0x00);				/* read-only */
	ck_assert_uint_eq(cmos(0x0d), 0x80);
	teardown();
}
END_TEST

START_TEST(rtc_interrupts)
{
	struct hv_rtc *rtc;

	setup();
	rtc = &vm.pf->rtc;
	pic_init(0x01);
	cmos(0x0c);
	ck_assert(!rtc->timer.queued);
	/* Periodic at 1024 Hz (A RS = 6) */
	cmos_set(0x0b, 0x42);
	ck_assert(rtc->timer.queued);
	ck_assert_uint_eq(rtc->period_ns, 976562);
	fire(&rtc->timer, HRTIMER_RESTART);
	ck_assert(rtc->irq);
	ck_assert(hv_pic_intr(&vm));
	ck_assert_int_eq(hv_pic_ack(&vm), 0x38);
	out(0xa0, 0x20);
	out(0x20, 0x20);
	ck_assert_uint_eq(cmos(0x0c), 0xc0);		/* IRQF, PF; cleared */
	ck_assert(!rtc->irq);
	ck_assert_uint_eq(cmos(0x0c), 0x00);
	/* Update-ended */
	cmos_set(0x0b, 0x12);
	fire(&rtc->timer, HRTIMER_RESTART);
	ck_assert(rtc->irq);
	ck_assert_uint_eq(cmos(0x0c), 0x90);
	/* Alarm, every second (don't-care fields) */
	cmos_set(0x0b, 0x22);
	cmos_set(0x01, 0xc0);
	cmos_set(0x03, 0xc0);
	cmos_set(0x05, 0xc0);
	fire(&rtc->timer, HRTIMER_RESTART);
	ck_assert_uint_eq(cmos(0x0c), 0xb0);		/* IRQF, AF, UF */
	/* SET clears UIE */
	cmos_set(0x0b, 0x92);
	ck_assert_uint_eq(cmos(0x0b), 0x82);
	cmos_set(0x0b, 0x02);
	ck_assert(!rtc->timer.queued);
	teardown();
}
END_TEST

START_TEST(state_round_trip)
{
	static struct hv_device_state st, st2;

	setup();
	pic_init(0x01);
	out(0x43, 0x34);
	out(0x40, 0x9c);
	out(0x40, 0x2e);
	ioapic_write(0x10 + 2 * 5, 0x8855);
	hv_gsi_set(&vm, 5, 1);
	cmos_set(0x0b, 0x42);
	cmos_set(0x50, 0x77);
	kshim_now += 123456;
	hv_platform_get_state(&vm, &st);
	ck_assert_uint_eq(st.ioapic.base, HV_IOAPIC_BASE);
	ck_assert_uint_eq(st.ioapic.irr, 1 << 5);
	ck_assert_uint_eq(st.pit.ch[0].elapsed_ns, 123456);
	ck_assert_int_eq(hv_platform_set_state(&vm, &st), 0);
	ck_assert(vm.pf->pit.armed);
	/* The period goes on where it was: 10 ms, 123456 ns into it */
	ck_assert_uint_eq(vm.pf->pit.period_ns, 10000150);
	ck_assert_int_eq(vm.pf->pit.timer.expires,
			 kshim_now + 10000150 - 123456);
	ck_assert(vm.pf->rtc.timer.queued);
	hv_platform_get_state(&vm, &st2);
	ck_assert_int_eq(memcmp(st.pic, st2.pic, sizeof(st.pic)), 0);
	ck_assert_int_eq(memcmp(&st.ioapic, &st2.ioapic, sizeof(st.ioapic)),
			 0);
	ck_assert_int_eq(memcmp(&st.pit, &st2.pit, sizeof(st.pit)), 0);
	ck_assert_int_eq(memcmp(&st.rtc, &st2.rtc, sizeof(st.rtc)), 0);
	/* The line userspace raised is userspace's after the restore */
	ck_assert_uint_eq(vm.pf->ioapic.line[HV_SRC_USER], 1 << 5);

	/* Values no guest can produce are refused, and nothing changes */
	st2 = st;
	st2.pit.ch[0].mode = 6;
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	st2 = st;
	st2.ioapic.redir[0] = 1ULL << 14;		/* remote IRR on edge */
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	st2 = st;
	st2.pic[0].elcr = 0x01;
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	st2 = st;
	st2.rtc.index = 0x80;
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	st2 = st;
	st2.pit.ch[2].gate = !(st.pit.port61 & 1);
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	st2 = st;
	st2.reserved2[3] = 1;
	ck_assert_int_eq(hv_platform_check_state(&st2), -EINVAL);
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), -EINVAL);
	ck_assert_int_eq(hv_platform_check_state(&st), 0);
	hv_platform_get_state(&vm, &st2);
	ck_assert_int_eq(memcmp(st.pic, st2.pic, sizeof(st.pic)), 0);

	/* An all-zero platform part (API 3) is the power-on state */
	memset(&st2, 0, sizeof(st2));
	ck_assert_int_eq(hv_platform_set_state(&vm, &st2), 0);
	ck_assert(!vm.pf->pit.armed);
	ck_assert(!vm.pf->rtc.timer.queued);
	ck_assert_uint_eq(ioapic_read(0x10 + 2 * 5), 0x10000);
	ck_assert_uint_eq(in(0x4d0), 0x00);
	out(0x4d0, 0xff);
	ck_assert_uint_eq(in(0x4d0), 0xf8);
	ck_assert_uint_eq(cmos(0x0b), 0x02);
	ck_assert_uint_eq(cmos(0x15) | cmos(0x16) << 8, 640);
	ck_assert_uint_eq(cmos(0x50), 0x00);
	teardown();
}
END_TEST

Suite *chipset_suite(void)
{
	Suite *s = suite_create("chipset");
	TCase *tc = tcase_create("platform");

	tcase_add_test(tc, pic_priority_eoi);
	tcase_add_test(tc, pic_cascade_level_poll);
	tcase_add_test(tc, ioapic_level_remote_irr);
	tcase_add_test(tc, pit_channel0_irq0);
	tcase_add_test(tc, pit_channel2_calibration);
	tcase_add_test(tc, rtc_time_and_set);
	tcase_add_test(tc, rtc_interrupts);
	tcase_add_test(tc, state_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
