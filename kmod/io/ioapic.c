// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC (Intel 82093AA datasheet, 290566-001; the model is KVM's
 * ioapic.c and bhyve's vioapic.c): 24 pins, each with a 64-bit
 * redirection entry, reached through IOREGSEL (base + 0x00) and IOWIN
 * (base + 0x10) at 0xfec00000.
 *
 * Lines are logical: 1 is "asserted" whatever the polarity bit (13)
 * says, which is stored and read back only (ACPI declares the ISA IRQs
 * active high; a level-triggered GSI from userspace is asserted by
 * HV_VM_IRQ_LINE 1).  Version 0x11 has no EOI register: the EOI
 * comes from the LAPICs (hv_ioapic_eoi).  No interrupt-storm throttle:
 * a line stuck high is delivered once per guest EOI.
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"
#include "hv_trace.h"

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDIR	0x10
#define IOAPIC_VERSION		0x00170011	/* 82093AA 3.2.2: 24 pins, 0x11 */

/* 82093AA 3.2.4: the redirection entry's fields */
#define RTE_VECTOR		0xffULL
#define RTE_DM_SHIFT		8
#define RTE_DEST_LOGICAL	(1ULL << 11)
#define RTE_DELIVS		(1ULL << 12)	/* read-only, always 0 here */
#define RTE_POLARITY		(1ULL << 13)
#define RTE_REMOTE_IRR		(1ULL << 14)	/* read-only */
#define RTE_LEVEL		(1ULL << 15)
#define RTE_MASKED		(1ULL << 16)
#define RTE_DEST_SHIFT		56
#define RTE_WRITABLE		(0xffULL << 56 | RTE_MASKED | RTE_LEVEL | \
				 RTE_POLARITY | RTE_DEST_LOGICAL | 0x7ffULL)

void hv_ioapic_init(struct hv_ioapic *io, struct hvk_vm *vm)
{
	int i;

	spin_lock_init(&io->lock);
	io->vm = vm;
	/* 82093AA 3.2.4: every pin masked at reset */
	for (i = 0; i < HV_NR_GSIS; i++)
		io->redir[i] = RTE_MASKED;
}

/* Send pin @pin's message if it may go now (KVM's ioapic_service) */
static void ioapic_service(struct hv_ioapic *io, unsigned int pin)
{
	u64 e = io->redir[pin];
	struct hv_apic_irq irq = {};

	lockdep_assert_held(&io->lock);
	if ((e & RTE_MASKED) || ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR)))
		return;
	irq.dest = e >> RTE_DEST_SHIFT;
	irq.vector = e & RTE_VECTOR;
	irq.delivery_mode = (e >> RTE_DM_SHIFT) & 7;
	irq.dest_logical = e & RTE_DEST_LOGICAL;
	irq.level_trig = e & RTE_LEVEL;
	trace_hv_irq(io->vm, HV_TRACE_NO_VCPU, HV_TRACE_IRQ_IOAPIC, pin,
		     irq.vector);
	/*
	 * 82093AA 3.2.4: remote IRR is set when a LAPIC accepts a
	 * level-triggered interrupt, cleared by its EOI.  Delivery under
	 * io->lock: the LAPIC never calls into the IOAPIC under its own
	 * lock (chipset.h).
	 */
	if (!hv_apic_deliver(io->vm, &irq) && irq.level_trig)
		io->redir[pin] |= RTE_REMOTE_IRR;
}

void hv_ioapic_set_irq(struct hv_ioapic *io, unsigned int pin,
		       enum hv_irq_src src, bool level)
{
	unsigned long flags;
	u32 mask = 1U << pin, old;

	if (pin >= HV_NR_GSIS)
		return;
	spin_lock_irqsave(&io->lock, flags);
	if (level)
		io->line[src] |= mask;
	else
		io->line[src] &= ~mask;
	old = io->irr;
	io->irr = io->line[HV_SRC_KERNEL] | io->line[HV_SRC_USER];
	/*
	 * Edge: a rising line sends one message.  Level: a high line is
	 * sent whenever remote IRR is clear (ioapic_service checks).
	 */
	if ((io->irr & mask) &&
	    ((io->redir[pin] & RTE_LEVEL) || !(old & mask)))
		ioapic_service(io, pin);
	spin_unlock_irqrestore(&io->lock, flags);
}

void hv_ioapic_eoi(struct hvk_vm *vm, u8 vector)
{
	struct hv_ioapic *io = &vm->pf->ioapic;
	unsigned long flags;
	unsigned int pin;

	spin_lock_irqsave(&io->lock, flags);
	for (pin = 0; pin < HV_NR_GSIS; pin++) {
		u64 e = io->redir[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_LEVEL))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		/* Still asserted: the device wants service again */
		if (io->irr & (1U << pin))
			ioapic_service(io, pin);
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

static u32 ioapic_read_reg(struct hv_ioapic *io)
{
	u32 sel = io->ioregsel, pin;

	switch (sel) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:	/* 3.2.3: arbitration ID = APIC ID */
		return io->id << 24;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION;
	}
	pin = (sel - IOAPIC_REG_REDIR) >> 1;
	if (sel < IOAPIC_REG_REDIR || pin >= HV_NR_GSIS)
		return 0;
	return sel & 1 ? io->redir[pin] >> 32 : (u32)io->redir[pin];
}

static void ioapic_write_reg(struct hv_ioapic *io, u32 val)
{
	u32 sel = io->ioregsel, pin;
	u64 e;

	switch (sel) {
	case IOAPIC_REG_ID:
		io->id = (val >> 24) & 0xf;	/* 3.2.1: bits 27:24 */
		return;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		return;				/* read-only */
	}
	pin = (sel - IOAPIC_REG_REDIR) >> 1;
	if (sel < IOAPIC_REG_REDIR || pin >= HV_NR_GSIS)
		return;
	e = io->redir[pin];
	if (sel & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | val;
	/* Delivery status and remote IRR are read-only */
	e = (e & RTE_WRITABLE) | (io->redir[pin] & RTE_REMOTE_IRR);
	/*
	 * Linux and Xen switch a pin to edge and back to clear a stuck
	 * remote IRR (an IOAPIC without EOI register): KVM clears it too.
	 */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->redir[pin] = e;
	/* Unmasked with the line high and level-triggered: send it now */
	if ((e & RTE_LEVEL) && (io->irr & (1U << pin)))
		ioapic_service(io, pin);
}

void hv_ioapic_mmio(struct hv_ioapic *io, u64 off, bool write, void *val,
		    unsigned int len)
{
	unsigned int shift = (off & 3) * 8;
	unsigned long flags;
	u32 reg, v = 0;

	if (len > 4 || (off & 3) + len > 4) {
		/* 82093AA 3.1: 32-bit registers; wider reads as zero */
		if (!write)
			memset(val, 0, len);
		return;
	}
	spin_lock_irqsave(&io->lock, flags);
	switch (off & ~3ULL) {
	case 0x00:
		reg = io->ioregsel;
		break;
	case 0x10:
		reg = ioapic_read_reg(io);
		break;
	default:
		reg = 0;
		break;
	}
	if (!write) {
		reg >>= shift;
		memcpy(val, &reg, len);
	} else {
		u32 m = (len == 4 ? ~0U : (1U << (len * 8)) - 1) << shift;

		memcpy(&v, val, len);
		reg = (reg & ~m) | ((v << shift) & m);
		if ((off & ~3ULL) == 0x00)
			io->ioregsel = reg & 0xff;	/* 3.1.1: 8 bits */
		else if ((off & ~3ULL) == 0x10)
			ioapic_write_reg(io, reg);
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

void hv_ioapic_get(struct hv_ioapic *io, struct hv_ioapic_state *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	st->base = HV_IOAPIC_BASE;
	spin_lock_irqsave(&io->lock, flags);
	st->ioregsel = io->ioregsel;
	st->id = io->id;
	st->irr = io->irr;
	memcpy(st->redir, io->redir, sizeof(st->redir));
	spin_unlock_irqrestore(&io->lock, flags);
}

int hv_ioapic_check(const struct hv_ioapic_state *st)
{
	int i;

	if (st->base != HV_IOAPIC_BASE || st->ioregsel > 0xff ||
	    st->id > 0xf || st->irr >> HV_NR_GSIS || st->pad ||
	    !hv_reserved_zero(st->reserved))
		return -EINVAL;
	for (i = 0; i < HV_NR_GSIS; i++) {
		u64 e = st->redir[i];

		if (e & ~(RTE_WRITABLE | RTE_REMOTE_IRR) ||
		    ((e & RTE_REMOTE_IRR) && !(e & RTE_LEVEL)))
			return -EINVAL;
	}
	return 0;
}

/* The lines' owners: as hv_pic_set says (ISA 0, 4, 8: pins 2, 4, 8) */
void hv_ioapic_set(struct hv_ioapic *io, const struct hv_ioapic_state *st)
{
	const u32 kernel = (1U << 2) | (1U << 4) | (1U << 8);
	unsigned long flags;

	spin_lock_irqsave(&io->lock, flags);
	io->ioregsel = st->ioregsel;
	io->id = st->id;
	io->irr = st->irr;
	io->line[HV_SRC_KERNEL] = st->irr & kernel;
	io->line[HV_SRC_USER] = st->irr & ~kernel;
	memcpy(io->redir, st->redir, sizeof(io->redir));
	spin_unlock_irqrestore(&io->lock, flags);
}
