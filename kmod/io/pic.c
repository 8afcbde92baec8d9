// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair of a PC (Intel 8259A datasheet, 231468-003; the model is
 * QEMU's and KVM's i8259.c): master at 0x20/0x21 with the slave cascaded
 * on its IR2, slave at 0xa0/0xa1, and the edge/level control registers
 * ELCR1/ELCR2 at 0x4d0/0x4d1 (Intel 82371AB PIIX4 datasheet, 12.1.8).
 *
 * The master's INTR goes to the BSP (vCPU 0): the core asks
 * hv_pic_intr() before each entry, and hv_pic_ack() is the INTA cycle.
 * A rising INTR sends vCPU 0 an HV_REQ_EVENT.
 *
 * Not modelled: single mode (ICW1 SNGL: the pair is always cascaded, as
 * in every PC), ICW1 LTIM (level mode comes from the ELCR, as on the
 * PIIX), buffered mode, 8080 call addresses (ICW1 ADI).  The poll
 * command reads the chip it is sent to.
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"
#include "hv_trace.h"

#define PIC_ELCR_MASK_MASTER	0xf8	/* IRQ 0, 1, 2 are always edge */
#define PIC_ELCR_MASK_SLAVE	0xde	/* IRQ 8, 13 are always edge */

static u16 hv_pic_lines(const struct hv_pic *pic)
{
	return pic->line[HV_SRC_KERNEL] | pic->line[HV_SRC_USER];
}

/* One IR input changes: edge (last_irr) or level (ELCR) detection */
static void pic_set_irq1(struct hv_pic_chip_state *s, int irq, bool level)
{
	u8 mask = 1 << irq;

	if (s->elcr & mask) {
		/* 8259A datasheet, "Level triggered mode": IRR follows IR */
		if (level) {
			s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->irr &= ~mask;
			s->last_irr &= ~mask;
		}
	} else {
		/* Edge triggered: a low-to-high transition sets IRR */
		if (level) {
			if (!(s->last_irr & mask))
				s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->last_irr &= ~mask;
		}
	}
}

/* Priority of the highest bit of @mask, 0 highest, 8 none (rotation) */
static int pic_priority(const struct hv_pic_chip_state *s, u8 mask)
{
	int p = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((p + s->priority_add) & 7))))
		p++;
	return p;
}

/* The IR this chip would request now, or -1 */
static int pic_get_irq(const struct hv_pic_chip_state *s, bool master)
{
	int p, cur;
	u8 isr = s->isr;

	p = pic_priority(s, s->irr & ~s->imr);
	if (p == 8)
		return -1;
	/* OCW3 special mask mode: masked levels do not inhibit others */
	if (s->special_mask)
		isr &= ~s->imr;
	/* ICW4 SFNM: the slave's in-service IR2 does not block the slave */
	if (s->special_fully_nested_mode && master)
		isr &= ~(1 << 2);
	cur = pic_priority(s, isr);
	return p < cur ? (p + s->priority_add) & 7 : -1;
}

/*
 * Recompute the cascade and INTR; true if INTR rose (the caller kicks
 * vCPU 0 once the lock is dropped).
 */
static bool pic_update(struct hv_pic *pic)
{
	bool was = pic->output;

	lockdep_assert_held(&pic->lock);
	/* The slave's INT drives the master's IR2 (8259A, "Cascade") */
	if (pic_get_irq(&pic->chip[1], false) >= 0) {
		pic_set_irq1(&pic->chip[0], 2, true);
		pic_set_irq1(&pic->chip[0], 2, false);
	}
	WRITE_ONCE(pic->output, pic_get_irq(&pic->chip[0], true) >= 0);
	return pic->output && !was;
}

/*
 * INTR goes to the BSP, vCPU id 0: not always vcpus[0], which is the
 * first vCPU created.  vcpus[] only grows and its entries stay until
 * the VM goes (after the platform: hvk_vm_release).
 */
static void pic_kick(struct hv_pic *pic, bool rose)
{
	struct hvk_vm *vm = pic->vm;
	unsigned int i, n;

	if (!rose)
		return;
	n = min_t(unsigned int, READ_ONCE(vm->nr_vcpus), HV_MAX_VCPUS);
	for (i = 0; i < n; i++) {
		struct hvk_vcpu *v = READ_ONCE(vm->vcpus[i]);

		if (v && v->id == 0) {
			hvk_vcpu_request(v, HV_REQ_EVENT);
			return;
		}
	}
}

static void pic_clear_isr(struct hv_pic_chip_state *s, int irq)
{
	s->isr &= ~(1 << irq);
}

/* INTA on one chip (8259A, "Interrupt sequence"): IRR -> ISR */
static void pic_intack(struct hv_pic_chip_state *s, int irq)
{
	s->isr |= 1 << irq;
	/* A level-triggered request stays in IRR while its line is high */
	if (!(s->elcr & (1 << irq)))
		s->irr &= ~(1 << irq);
	/* ICW4 AEOI: the EOI is automatic, at the end of INTA */
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
		pic_clear_isr(s, irq);
	}
}

void hv_pic_init(struct hv_pic *pic, struct hvk_vm *vm)
{
	spin_lock_init(&pic->lock);
	pic->vm = vm;
	pic->chip[0].elcr_mask = PIC_ELCR_MASK_MASTER;
	pic->chip[1].elcr_mask = PIC_ELCR_MASK_SLAVE;
}

void hv_pic_set_irq(struct hv_pic *pic, unsigned int pin,
		    enum hv_irq_src src, bool level)
{
	unsigned long flags;
	bool rose;

	if (pin >= 16)
		return;
	spin_lock_irqsave(&pic->lock, flags);
	if (level)
		pic->line[src] |= 1 << pin;
	else
		pic->line[src] &= ~(1 << pin);
	pic_set_irq1(&pic->chip[pin >> 3], pin & 7,
		     hv_pic_lines(pic) & (1 << pin));
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, rose);
}

bool hv_pic_intr(struct hvk_vm *vm)
{
	struct hv_pic *pic = &vm->pf->pic;

	return READ_ONCE(pic->output);
}

int hv_pic_ack(struct hvk_vm *vm)
{
	struct hv_pic *pic = &vm->pf->pic;
	unsigned long flags;
	int irq, irq2, vec, line;
	bool rose;

	spin_lock_irqsave(&pic->lock, flags);
	irq = pic_get_irq(&pic->chip[0], true);
	if (irq >= 0) {
		pic_intack(&pic->chip[0], irq);
		if (irq == 2) {
			irq2 = pic_get_irq(&pic->chip[1], false);
			if (irq2 >= 0)
				pic_intack(&pic->chip[1], irq2);
			else
				irq2 = 7;	/* spurious IRQ 15 */
			vec = pic->chip[1].irq_base + irq2;
			line = 8 + irq2;
		} else {
			vec = pic->chip[0].irq_base + irq;
			line = irq;
		}
	} else {
		/* 8259A: no request left at INTA is the spurious IR7 */
		vec = pic->chip[0].irq_base + 7;
		line = 7;
	}
	/* INTA drops INTR; a request still waiting raises it again */
	WRITE_ONCE(pic->output, false);
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, rose);
	/* the BSP takes the PIC's interrupts (hv_inject_pending) */
	trace_hv_irq(vm, 0, HV_TRACE_IRQ_PIC, line, vec);
	return vec;
}

/* The poll command (OCW3 P): this read is an INTA of this chip */
static u8 pic_poll_read(struct hv_pic_chip_state *s, bool master)
{
	int irq = pic_get_irq(s, master);

	if (irq < 0)
		return 0;
	pic_intack(s, irq);
	return 0x80 | irq;
}

static void pic_write_cmd(struct hv_pic_chip_state *s, u8 val)
{
	int irq, p;

	if (val & 0x10) {
		/* ICW1 (8259A, "Initialization command words") */
		s->init4 = val & 1;
		/* The edge sense latch resets: an edge must come again */
		s->last_irr = 0;
		s->irr &= s->elcr;
		s->imr = 0;
		s->isr = 0;
		s->priority_add = 0;
		s->special_mask = 0;
		s->read_reg_select = 0;
		s->poll = 0;
		if (!s->init4) {
			/* IC4 = 0: the ICW4 functions are all zero */
			s->special_fully_nested_mode = 0;
			s->auto_eoi = 0;
		}
		s->init_state = 1;
	} else if (val & 0x08) {
		/* OCW3: poll, read register, special mask */
		if (val & 0x04)
			s->poll = 1;
		if (val & 0x02)
			s->read_reg_select = val & 1;
		if (val & 0x40)
			s->special_mask = (val >> 5) & 1;
	} else {
		/* OCW2: R, SL, EOI (8259A, Table "OCW2") */
		switch (val >> 5) {
		case 0:		/* rotate in AEOI mode: clear */
		case 4:		/* rotate in AEOI mode: set */
			s->rotate_on_auto_eoi = val >> 7;
			break;
		case 1:		/* non-specific EOI */
		case 5:		/* rotate on non-specific EOI */
			p = pic_priority(s, s->isr);
			if (p == 8)
				break;
			irq = (p + s->priority_add) & 7;
			if (val >> 5 == 5)
				s->priority_add = (irq + 1) & 7;
			pic_clear_isr(s, irq);
			break;
		case 3:		/* specific EOI */
			pic_clear_isr(s, val & 7);
			break;
		case 6:		/* set priority: IR L lowest */
			s->priority_add = (val + 1) & 7;
			break;
		case 7:		/* rotate on specific EOI */
			irq = val & 7;
			s->priority_add = (irq + 1) & 7;
			pic_clear_isr(s, irq);
			break;
		default:	/* 2: no operation */
			break;
		}
	}
}

static void pic_write_data(struct hv_pic_chip_state *s, u8 val)
{
	switch (s->init_state) {
	case 0:		/* OCW1: the mask */
		s->imr = val;
		break;
	case 1:		/* ICW2: vector base, T7-T3 */
		s->irq_base = val & 0xf8;
		s->init_state = 2;
		break;
	case 2:		/* ICW3: cascade (the pair is fixed) */
		s->init_state = s->init4 ? 3 : 0;
		break;
	case 3:		/* ICW4: SFNM, AEOI; uPM and BUF are ignored */
		s->special_fully_nested_mode = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

u8 hv_pic_read(struct hv_pic *pic, u16 port)
{
	struct hv_pic_chip_state *s;
	unsigned long flags;
	bool rose = false;
	u8 v;

	if (port == 0x4d0 || port == 0x4d1)
		return READ_ONCE(pic->chip[port & 1].elcr);
	s = &pic->chip[port >= 0xa0];
	spin_lock_irqsave(&pic->lock, flags);
	if (s->poll) {
		s->poll = 0;
		v = pic_poll_read(s, s == &pic->chip[0]);
		rose = pic_update(pic);
	} else if (!(port & 1)) {
		/* OCW3 RR/RIS chose IRR or ISR */
		v = s->read_reg_select ? s->isr : s->irr;
	} else {
		v = s->imr;
	}
	spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, rose);
	return v;
}

void hv_pic_write(struct hv_pic *pic, u16 port, u8 val)
{
	struct hv_pic_chip_state *s;
	unsigned long flags;
	bool rose;

	spin_lock_irqsave(&pic->lock, flags);
	if (port == 0x4d0 || port == 0x4d1) {
		/* PIIX4 12.1.8: ELCR bits set the IRQ level-sensitive */
		s = &pic->chip[port & 1];
		s->elcr = val & s->elcr_mask;
	} else {
		s = &pic->chip[port >= 0xa0];
		if (port & 1)
			pic_write_data(s, val);
		else
			pic_write_cmd(s, val);
	}
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, rose);
}

void hv_pic_get(struct hv_pic *pic, struct hv_pic_chip_state st[2])
{
	unsigned long flags;

	spin_lock_irqsave(&pic->lock, flags);
	memcpy(st, pic->chip, sizeof(pic->chip));
	spin_unlock_irqrestore(&pic->lock, flags);
	st[0].reserved = 0;
	st[1].reserved = 0;
}

int hv_pic_check(const struct hv_pic_chip_state st[2])
{
	static const u8 elcr_mask[2] = {
		PIC_ELCR_MASK_MASTER, PIC_ELCR_MASK_SLAVE
	};
	int i;

	for (i = 0; i < 2; i++) {
		const struct hv_pic_chip_state *s = &st[i];

		if (s->reserved || s->elcr_mask != elcr_mask[i] ||
		    s->elcr & ~s->elcr_mask || s->irq_base & 7 ||
		    s->priority_add > 7 || s->init_state > 3 ||
		    s->read_reg_select > 1 || s->poll > 1 ||
		    s->special_mask > 1 || s->auto_eoi > 1 ||
		    s->rotate_on_auto_eoi > 1 ||
		    s->special_fully_nested_mode > 1 || s->init4 > 1)
			return -EINVAL;
	}
	return 0;
}

/*
 * The lines driven by in-kernel devices and userspace are not part of
 * the state: last_irr (the edge detector) holds what is known of them,
 * and is taken as userspace's but for the in-kernel devices' IRQs 0, 4
 * and 8, which they drive again (hv_platform_set_state).
 */
void hv_pic_set(struct hv_pic *pic, const struct hv_pic_chip_state st[2])
{
	unsigned long flags;
	u16 lines;
	bool rose;

	spin_lock_irqsave(&pic->lock, flags);
	memcpy(pic->chip, st, sizeof(pic->chip));
	WRITE_ONCE(pic->output, false);
	lines = st[0].last_irr | (st[1].last_irr << 8);
	lines &= ~(1 << 2);		/* the cascade is no ISA line */
	pic->line[HV_SRC_KERNEL] = lines & ((1 << 0) | (1 << 4) | (1 << 8));
	pic->line[HV_SRC_USER] = lines & ~pic->line[HV_SRC_KERNEL];
	rose = pic_update(pic);
	spin_unlock_irqrestore(&pic->lock, flags);
	pic_kick(pic, rose);
}
