// SPDX-License-Identifier: GPL-2.0
/*
 * The PC platform of a VM: PIC pair, IOAPIC, PIT, RTC, and the lines
 * between them (io/platform.h).
 *
 * STUB (issue 13 interface commit): claims nothing yet.
 */
#include "../hv.h"
#include "platform.h"

int hv_platform_create(struct hvk_vm *vm)
{
	return 0;
}

void hv_platform_free(struct hvk_vm *vm)
{
}

bool hv_platform_pio(struct hvk_vcpu *vcpu, u16 port, u8 size, bool in,
		     u32 *val)
{
	return false;
}

bool hv_platform_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		      unsigned int len)
{
	return false;
}

void hv_isa_irq(struct hvk_vm *vm, unsigned int irq, bool level)
{
}

int hv_gsi_set(struct hvk_vm *vm, u32 gsi, bool level)
{
	return gsi < HV_NR_GSIS ? 0 : -EINVAL;
}

bool hv_pic_intr(struct hvk_vm *vm)
{
	return false;
}

int hv_pic_ack(struct hvk_vm *vm)
{
	return 0x0f;
}

void hv_ioapic_eoi(struct hvk_vm *vm, u8 vector)
{
}

void hv_platform_get_state(struct hvk_vm *vm, struct hv_device_state *st)
{
}

int hv_platform_set_state(struct hvk_vm *vm, const struct hv_device_state *st)
{
	return 0;
}
