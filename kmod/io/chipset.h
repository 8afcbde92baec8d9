/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the per-VM platform (io/platform.c, pic.c, ioapic.c, pit.c,
 * rtc.c): the devices' structures and the calls between them.  Nothing
 * outside kmod/io includes this; the rest of hv uses io/platform.h.
 *
 * Locks (docs/locking.md, "platform"): one spinlock per device, always
 * taken with interrupts off (the PIT's and RTC's hrtimer callbacks raise
 * lines).  Order, outermost first:
 *
 *	dev.lock (the UART), rtc.lock -> pic.lock, ioapic.lock
 *	pic.lock:	leaf (the vCPU 0 kick is sent after it is dropped)
 *	ioapic.lock -> the LAPICs' locks (hv_apic_deliver) -> the kick
 *	pit.lock:	leaf (dropped before the PIT raises IRQ 0)
 *	pm.lock:	leaf
 *
 * The LAPIC calls hv_ioapic_eoi() with none of its own locks held, so
 * the IOAPIC may deliver with its lock held (KVM's ioapic does the same).
 */
#ifndef HV_IO_CHIPSET_H
#define HV_IO_CHIPSET_H

#include <linux/hrtimer.h>
#include <linux/spinlock.h>
#include "uapi/hv.h"

struct hvk_vm;
struct hvk_vcpu;

/*
 * Who drives a line (KVM's irq_states, in two): the in-kernel devices
 * through hv_isa_irq(), and userspace through HV_VM_IRQ_LINE.  A pin's
 * level is the OR of both, so a userspace device sharing an ISA IRQ
 * with the UART does not lower the UART's request, nor the reverse.
 */
enum hv_irq_src {
	HV_SRC_KERNEL,
	HV_SRC_USER,
	HV_NR_SRCS,
};

/* ---- pic.c: the 8259A pair (master 0x20/0x21, slave 0xa0/0xa1) ---- */
struct hv_pic {
	spinlock_t lock;
	struct hv_pic_chip_state chip[2];	/* master, slave */
	u16 line[HV_NR_SRCS];	/* per source: pins 0-15 raised */
	bool output;		/* the master's INTR */
	struct hvk_vm *vm;
};

void hv_pic_init(struct hv_pic *pic, struct hvk_vm *vm);
/* @pin 0-15 (8-15 the slave's) */
void hv_pic_set_irq(struct hv_pic *pic, unsigned int pin,
		    enum hv_irq_src src, bool level);
u8 hv_pic_read(struct hv_pic *pic, u16 port);
void hv_pic_write(struct hv_pic *pic, u16 port, u8 val);
void hv_pic_get(struct hv_pic *pic, struct hv_pic_chip_state st[2]);
int hv_pic_check(const struct hv_pic_chip_state st[2]);
void hv_pic_set(struct hv_pic *pic, const struct hv_pic_chip_state st[2]);

/* ---- ioapic.c: the 82093AA ---------------------------------------- */
#define HV_IOAPIC_MMIO_LEN	0x100	/* decoded window, as KVM's */

struct hv_ioapic {
	spinlock_t lock;
	u32 ioregsel;
	u32 id;			/* 4 bits: ID register 27:24 */
	u32 irr;		/* pins whose line is high */
	u32 line[HV_NR_SRCS];	/* per source: pins raised */
	u64 redir[HV_NR_GSIS];
	struct hvk_vm *vm;
};

void hv_ioapic_init(struct hv_ioapic *io, struct hvk_vm *vm);
void hv_ioapic_set_irq(struct hv_ioapic *io, unsigned int pin,
		       enum hv_irq_src src, bool level);
/* @off within the window; accesses of 1, 2, 4 (or 8) bytes */
void hv_ioapic_mmio(struct hv_ioapic *io, u64 off, bool write, void *val,
		    unsigned int len);
void hv_ioapic_get(struct hv_ioapic *io, struct hv_ioapic_state *st);
int hv_ioapic_check(const struct hv_ioapic_state *st);
void hv_ioapic_set(struct hv_ioapic *io, const struct hv_ioapic_state *st);

/* ---- pit.c: the 8254 and port 0x61 --------------------------------- */
struct hv_pit_channel {
	struct hv_pit_channel_state s;	/* elapsed_ns unused: @load */
	ktime_t load;		/* when the count started (gate opened) */
	u64 frozen_ns;		/* gate low in mode 0/4: elapsed then */
};

struct hv_pit {
	spinlock_t lock;
	struct hv_pit_channel ch[3];
	u8 port61;		/* bits 3:0 as written (gate 2, speaker) */
	bool armed;		/* @timer drives IRQ 0 (channel 0) */
	bool periodic;
	u64 period_ns;
	struct hrtimer timer;
	struct hvk_vm *vm;
};

void hv_pit_init(struct hv_pit *pit, struct hvk_vm *vm);
void hv_pit_stop(struct hv_pit *pit);
u8 hv_pit_read(struct hv_pit *pit, u16 port);
void hv_pit_write(struct hv_pit *pit, u16 port, u8 val);
void hv_pit_get(struct hv_pit *pit, struct hv_pit_state *st);
int hv_pit_check(const struct hv_pit_state *st);
void hv_pit_set(struct hv_pit *pit, const struct hv_pit_state *st);

/* ---- rtc.c: the MC146818A at 0x70/0x71 ----------------------------- */
struct hv_rtc {
	spinlock_t lock;
	u8 cmos[128];
	u8 index;
	bool mem_set;		/* the memory-size bytes were filled in */
	bool irq;		/* IRQ 8 as last driven (IRQF) */
	s64 last_sec;		/* guest second of the last update (UF) */
	u64 period_ns;		/* periodic interrupt (PIE, register A RS) */
	s64 offset_ns;		/* guest time of day - CLOCK_REALTIME */
	ktime_t next_periodic;	/* the periodic interrupt's next tick */
	struct hrtimer timer;
	struct hvk_vm *vm;
};

void hv_rtc_init(struct hv_rtc *rtc, struct hvk_vm *vm);
void hv_rtc_stop(struct hv_rtc *rtc);
/* The BIOS's memory-size bytes from the VM's RAM (runner, no lock held) */
void hv_rtc_set_mem(struct hv_rtc *rtc, u64 below_4g, u64 above_4g);
u8 hv_rtc_read(struct hv_rtc *rtc, u16 port);
void hv_rtc_write(struct hv_rtc *rtc, u16 port, u8 val);
void hv_rtc_get(struct hv_rtc *rtc, struct hv_rtc_state *st);
int hv_rtc_check(const struct hv_rtc_state *st);
void hv_rtc_set(struct hv_rtc *rtc, const struct hv_rtc_state *st);

/* ---- platform.c ----------------------------------------------------- */
/* ---- pm.c: ACPI PM1 block 0x600-0x60b, reset 0xcf9, 0x64 ----------- */

struct hv_pm {
	spinlock_t lock;	/* leaf */
	u16 sts;		/* PM1_STS: write 1 to clear */
	u16 en;			/* PM1_EN */
	u16 cnt;		/* PM1_CNT's read/write bits */
	u8 reset_ctl;		/* port 0xcf9 as last written */
};

void hv_pm_init(struct hv_pm *pm);
/* A port access of @vcpu: true if claimed (hv_platform_pio's rule) */
bool hv_pm_pio(struct hv_pm *pm, struct hvk_vcpu *vcpu, u16 port, u8 size,
	       bool in, u32 *val);
void hv_pm_get(struct hv_pm *pm, struct hv_pm_state *st);
int hv_pm_check(const struct hv_pm_state *st);
void hv_pm_set(struct hv_pm *pm, const struct hv_pm_state *st);
/*
 * The guest asked to power off or reset (HV_SYSTEM_*): the core ends
 * the port exit with HV_EXIT_SYSTEM_EVENT (hv_pio.c).
 */
void hv_system_event(struct hvk_vcpu *vcpu, u32 type, u64 data);

struct hv_platform {
	struct hv_pic pic;
	struct hv_ioapic ioapic;
	struct hv_pit pit;
	struct hv_rtc rtc;
	struct hv_pm pm;
};

#endif /* HV_IO_CHIPSET_H */
