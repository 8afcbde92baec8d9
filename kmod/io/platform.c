// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform of a VM: the 8259A pair, the IOAPIC, the 8254 PIT and
 * the CMOS/RTC (io/chipset.h), the lines between them and the ports and
 * MMIO they claim (io/platform.h).  Every VM has them, attached or
 * managed: their ports never reach userspace.
 *
 *   0x20, 0x21, 0xa0, 0xa1   PIC master, slave        (io/pic.c)
 *   0x4d0, 0x4d1             ELCR1, ELCR2             (io/pic.c)
 *   0x40-0x43, 0x61          PIT, NMI status/control  (io/pit.c)
 *   0x70, 0x71               CMOS index, data         (io/rtc.c)
 *   0x600-0x60b, 0xcf9, 0x64 ACPI PM1 block, resets   (io/pm.c)
 *   0xfec00000 + 0x100       IOAPIC                   (io/ioapic.c)
 *
 * Routing (uapi HV_VM_IRQ_LINE; the MP table's and ACPI MADT's usual
 * PC): GSI n is IOAPIC pin n; GSIs 0-15 but 2 are also PIC pin n.  ISA
 * IRQ n is PIC pin n and IOAPIC pin n, but IRQ 0 (the PIT) is pin 2
 * (the interrupt source override every PC firmware declares).
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"

#include <linux/sizes.h>
#include <linux/slab.h>

int hv_platform_create(struct hvk_vm *vm)
{
	struct hv_platform *pf;

	pf = hv_fail_alloc() ? NULL : kzalloc(sizeof(*pf), GFP_KERNEL_ACCOUNT);
	if (!pf)
		return -ENOMEM;
	hv_pic_init(&pf->pic, vm);
	hv_ioapic_init(&pf->ioapic, vm);
	hv_pit_init(&pf->pit, vm);
	hv_rtc_init(&pf->rtc, vm);
	hv_pm_init(&pf->pm);
	vm->pf = pf;
	return 0;
}

void hv_platform_free(struct hvk_vm *vm)
{
	struct hv_platform *pf = vm->pf;

	if (!pf)
		return;
	/* The timers first: their callbacks raise lines into @pf */
	hv_pit_stop(&pf->pit);
	hv_rtc_stop(&pf->rtc);
	kfree(pf);
	vm->pf = NULL;
}

/* RAM below and above 4 GiB, for the CMOS memory-size bytes */
static void hv_platform_ram(struct hvk_vm *vm, u64 *below, u64 *above)
{
	unsigned int i;

	*below = *above = 0;
	/* run_lock -> vm->lock is the order (docs/locking.md) */
	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_regions; i++) {
		u64 start = vm->regions[i].gpa;
		u64 end = start + vm->regions[i].size;

		if (start < SZ_4G)
			*below += min_t(u64, end, SZ_4G) - start;
		if (end > SZ_4G)
			*above += end - max_t(u64, start, SZ_4G);
	}
	mutex_unlock(&vm->lock);
}

/* One byte port; false if the platform has no such port */
static bool hv_platform_port(struct hvk_vm *vm, u16 port, bool in, u8 *v)
{
	struct hv_platform *pf = vm->pf;

	switch (port) {
	case 0x20:
	case 0x21:
	case 0xa0:
	case 0xa1:
	case 0x4d0:
	case 0x4d1:
		if (in)
			*v = hv_pic_read(&pf->pic, port);
		else
			hv_pic_write(&pf->pic, port, *v);
		return true;
	case 0x40 ... 0x43:
	case 0x61:
		if (in)
			*v = hv_pit_read(&pf->pit, port);
		else
			hv_pit_write(&pf->pit, port, *v);
		return true;
	case 0x70:
	case 0x71:
		if (!READ_ONCE(pf->rtc.mem_set)) {
			u64 below, above;

			hv_platform_ram(vm, &below, &above);
			hv_rtc_set_mem(&pf->rtc, below, above);
		}
		if (in)
			*v = hv_rtc_read(&pf->rtc, port);
		else
			hv_rtc_write(&pf->rtc, port, *v);
		return true;
	}
	return false;
}

bool hv_platform_pio(struct hvk_vcpu *vcpu, u16 port, u8 size, bool in,
		     u32 *val)
{
	u32 out = 0;
	unsigned int i;
	u8 v;

	/* ACPI registers are 16 and 32 bits wide: pm.c takes them whole */
	if (hv_pm_pio(&vcpu->vm->pf->pm, vcpu, port, size, in, val))
		return true;
	/*
	 * Byte registers: the ISA bus splits a wider access into byte
	 * cycles, port by port (an outw to 0x4d0 sets both ELCRs); a byte
	 * no device answers reads as all-ones.  Claimed by the first port.
	 */
	v = in ? 0xff : *val;
	if (!hv_platform_port(vcpu->vm, port, in, &v))
		return false;
	out = v;
	for (i = 1; i < size && i < 4; i++) {
		v = in ? 0xff : *val >> (8 * i);
		hv_platform_port(vcpu->vm, port + i, in, &v);
		out |= (u32)v << (8 * i);
	}
	if (in)
		*val = out;
	return true;
}

bool hv_platform_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		      unsigned int len)
{
	struct hvk_vm *vm = vcpu->vm;

	if (hv_lapic_mmio(vcpu, gpa, write, val, len))
		return true;
	if (gpa >= HV_IOAPIC_BASE && gpa < HV_IOAPIC_BASE + HV_IOAPIC_MMIO_LEN) {
		hv_ioapic_mmio(&vm->pf->ioapic, gpa - HV_IOAPIC_BASE, write,
			       val, len);
		return true;
	}
	return false;
}

void hv_isa_irq(struct hvk_vm *vm, unsigned int irq, bool level)
{
	struct hv_platform *pf = vm->pf;

	if (irq >= 16)
		return;
	if (irq != 2)		/* PIC IR2 is the cascade */
		hv_pic_set_irq(&pf->pic, irq, HV_SRC_KERNEL, level);
	hv_ioapic_set_irq(&pf->ioapic, irq ? irq : 2, HV_SRC_KERNEL, level);
}

int hv_gsi_set(struct hvk_vm *vm, u32 gsi, bool level)
{
	struct hv_platform *pf = vm->pf;

	if (gsi >= HV_NR_GSIS)
		return -EINVAL;
	if (gsi < 16 && gsi != 2)
		hv_pic_set_irq(&pf->pic, gsi, HV_SRC_USER, level);
	hv_ioapic_set_irq(&pf->ioapic, gsi, HV_SRC_USER, level);
	return 0;
}

void hv_platform_get_state(struct hvk_vm *vm, struct hv_device_state *st)
{
	struct hv_platform *pf = vm->pf;

	hv_pic_get(&pf->pic, st->pic);
	hv_ioapic_get(&pf->ioapic, &st->ioapic);
	hv_pit_get(&pf->pit, &st->pit);
	hv_rtc_get(&pf->rtc, &st->rtc);
	hv_pm_get(&pf->pm, &st->pm);
}

static void hv_platform_set(struct hv_platform *pf,
			    const struct hv_device_state *st)
{
	hv_pit_set(&pf->pit, &st->pit);
	hv_ioapic_set(&pf->ioapic, &st->ioapic);
	hv_pic_set(&pf->pic, st->pic);
	hv_rtc_set(&pf->rtc, &st->rtc);
}

/*
 * The devices as at power-on: the state of a new platform, set.  For a
 * state whose platform part is all zeroes (an API 3 snapshot, or a
 * caller that only restores the UART), which no device can be in.
 */
static int hv_platform_reset(struct hvk_vm *vm)
{
	struct hv_device_state *st;
	struct hv_platform *tmp;
	int r = -ENOMEM;

	st = hv_fail_alloc() ? NULL : kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	tmp = hv_fail_alloc() ? NULL : kzalloc(sizeof(*tmp),
					       GFP_KERNEL_ACCOUNT);
	if (st && tmp) {
		/* Its timers are never started, nor its lines raised */
		hv_pic_init(&tmp->pic, vm);
		hv_ioapic_init(&tmp->ioapic, vm);
		hv_pit_init(&tmp->pit, vm);
		hv_rtc_init(&tmp->rtc, vm);
		hv_pic_get(&tmp->pic, st->pic);
		hv_ioapic_get(&tmp->ioapic, &st->ioapic);
		hv_pit_get(&tmp->pit, &st->pit);
		hv_rtc_get(&tmp->rtc, &st->rtc);
		hv_platform_set(vm->pf, st);
		/* The memory-size bytes come again from the RAM */
		WRITE_ONCE(vm->pf->rtc.mem_set, false);
		r = 0;
	}
	kfree(tmp);
	kfree(st);
	return r;
}

static bool hv_platform_state_zero(const struct hv_device_state *st)
{
	return hv_reserved_zero(st->pic) && hv_reserved_zero(st->ioapic) &&
	       hv_reserved_zero(st->pit) && hv_reserved_zero(st->rtc);
}

int hv_platform_check_state(const struct hv_device_state *st)
{
	if (!hv_reserved_zero(st->reserved2) || hv_pm_check(&st->pm))
		return -EINVAL;
	if (hv_platform_state_zero(st))
		return 0;
	if (hv_pic_check(st->pic) || hv_ioapic_check(&st->ioapic) ||
	    hv_pit_check(&st->pit) || hv_rtc_check(&st->rtc))
		return -EINVAL;
	return 0;
}

int hv_platform_set_state(struct hvk_vm *vm, const struct hv_device_state *st)
{
	int r = hv_platform_check_state(st);

	if (r)
		return r;
	/* API 5: all zero (an API 4 state) is the PM block at power-on */
	if (hv_platform_state_zero(st))
		r = hv_platform_reset(vm);
	else
		hv_platform_set(vm->pf, st);
	if (!r)
		hv_pm_set(&vm->pf->pm, &st->pm);
	return r;
}
