// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, one per vCPU (io/platform.h).
 *
 * STUB (issue 13 interface commit): no APIC yet.
 */
#include "../hv.h"
#include "platform.h"

int hv_lapic_create(struct hvk_vcpu *vcpu)
{
	return 0;
}

void hv_lapic_free(struct hvk_vcpu *vcpu)
{
}

void hv_lapic_reset(struct hvk_vcpu *vcpu, bool init)
{
}

int hv_lapic_pending(struct hvk_vcpu *vcpu)
{
	return -1;
}

void hv_lapic_ack(struct hvk_vcpu *vcpu, u8 vector)
{
}

bool hv_lapic_accepts_pic(struct hvk_vcpu *vcpu)
{
	return false;
}

bool hv_lapic_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		   unsigned int len)
{
	return false;
}

int hv_lapic_rdmsr(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	return -ENOENT;
}

int hv_lapic_wrmsr(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	return -ENOENT;
}

int hv_apic_deliver(struct hvk_vm *vm, const struct hv_apic_irq *irq)
{
	return 0;
}

int hv_apic_msi(struct hvk_vm *vm, u64 addr, u32 data)
{
	return 0;
}

void hv_lapic_lint(struct hvk_vcpu *vcpu, int pin, bool level)
{
}

void hv_lapic_get_state(struct hvk_vcpu *vcpu, struct hv_lapic_state *st)
{
}

int hv_lapic_set_state(struct hvk_vcpu *vcpu, const struct hv_lapic_state *st)
{
	return 0;
}
