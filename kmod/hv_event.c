// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts, NMIs, INIT/SIPI, HLT and kicks: what the runner does
 * before each entry and when the guest halts (declared in hv.h).
 *
 * STUB (issue 13 interface commit): behaves as hv did before the PC
 * platform - no injection, HLT returns to the driver.
 */
#include "hv.h"
#include "io/platform.h"

void hv_event_init_vcpu(struct hvk_vcpu *vcpu)
{
	init_waitqueue_head(&vcpu->wq);
	vcpu->mp_state = vcpu->id ? HV_MP_WAIT_SIPI : HV_MP_RUNNABLE;
}

void hvk_vcpu_kick(struct hvk_vcpu *vcpu)
{
}

void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
	hvk_vcpu_kick(vcpu);
}

void hvk_vcpu_nmi(struct hvk_vcpu *vcpu)
{
	atomic_inc(&vcpu->nmi_pending);
	hvk_vcpu_request(vcpu, HV_REQ_EVENT);
}

void hvk_vcpu_init_signal(struct hvk_vcpu *vcpu)
{
	hvk_vcpu_request(vcpu, HV_REQ_INIT);
}

void hvk_vcpu_sipi(struct hvk_vcpu *vcpu, u8 vector)
{
	WRITE_ONCE(vcpu->sipi_vector, vector);
	hvk_vcpu_request(vcpu, HV_REQ_SIPI);
}

int hv_events_before_entry(struct hvk_vcpu *vcpu)
{
	return 1;
}

int hv_handle_hlt(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	vcpu->regs.rip = exit->next_rip;
	vcpu->run->exit_reason = HV_EXIT_HLT;
	return 0;
}

void hv_skip_insn(struct hvk_vcpu *vcpu, u64 next_rip)
{
	vcpu->regs.rip = next_rip;
}

u64 hv_guest_tsc(struct hvk_vcpu *vcpu)
{
	return rdtsc() + vcpu->tsc_offset;
}
