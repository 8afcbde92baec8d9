// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts, NMIs, INIT/SIPI, HLT and kicks: what the runner does
 * before each entry and when the guest halts (declared in hv.h; KVM's
 * kvm_vcpu_kick, inject_pending_event and kvm_vcpu_halt, bhyve's
 * vm_inject_* and vm_handle_hlt).
 *
 * Who does what:
 *
 *   any thread, hrtimer callbacks	hvk_vcpu_request(): set a bit in
 *	vcpu->requests (HV_REQ_EVENT after an IRR or nmi_pending change,
 *	HV_REQ_INIT, HV_REQ_SIPI) and kick: wake the runner if it sleeps,
 *	IPI its CPU if it is in the guest.
 *   the runner, before each entry	hv_events_before_entry(): INIT and
 *	SIPI, sleep while the vCPU cannot run (wait-for-SIPI, HLT), then
 *	inject what the guest can take now and open a window (an exit as
 *	soon as it can) for what it cannot.
 *   the entry bracket (hv.h)	mode IN_GUEST, then a last look at the
 *	requests with interrupts off: one that came late cancels the entry,
 *	so nothing waits in the guest for its next exit.
 *
 * mp_state is the runner's (under run_lock); other vCPUs only read it,
 * with READ_ONCE, to decide whether a managed VM is idle for good.
 */
#include "hv.h"
#include "io/platform.h"
#include "hv_trace.h"

#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

#define X86_VEC_DB	1	/* SDM Vol 3A, Table 6-1 */

void hv_event_init_vcpu(struct hvk_vcpu *vcpu)
{
	init_waitqueue_head(&vcpu->wq);
	/* SDM Vol 3A, 9.4: the BSP runs, the APs wait for a start-up IPI */
	vcpu->mp_state = vcpu->id ? HV_MP_WAIT_SIPI : HV_MP_RUNNABLE;
}

/*
 * Any context (hard interrupts included): wake the runner if it sleeps;
 * if it is in the guest on another CPU, an IPI makes that guest exit,
 * and the runner sees its requests before it enters again.  Nothing to
 * do when it is in the guest here: then we are its own exit's interrupt
 * handler (the bracket has set OUTSIDE already).
 */
void hvk_vcpu_kick(struct hvk_vcpu *vcpu)
{
	int cpu, me;

	wake_up(&vcpu->wq);
	me = get_cpu();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == HV_VCPU_IN_GUEST && cpu != me)
		smp_send_reschedule(cpu);
	put_cpu();
}

void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
	/* Pairs with the smp_mb() in hv_guest_enter_irqoff() */
	smp_mb__after_atomic();
	hvk_vcpu_kick(vcpu);
}

/*
 * SDM Vol 3A, 6.7.1: while an NMI handler runs, one more NMI can be held
 * pending; more are lost.  So at most two wait here (KVM's process_nmi).
 */
void hvk_vcpu_nmi(struct hvk_vcpu *vcpu)
{
	atomic_add_unless(&vcpu->nmi_pending, 1, 2);
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

/*
 * An external interrupt waits that this vCPU would take, RFLAGS.IF
 * permitting: the PIC's INTR on the BSP's LINT0 (ExtINT), or its LAPIC's
 * highest pending vector above the processor priority.
 */
static bool hv_irq_pending(struct hvk_vcpu *vcpu)
{
	if (vcpu->id == 0 && hv_pic_intr(vcpu->vm) &&
	    hv_lapic_accepts_pic(vcpu))
		return true;
	return hv_lapic_pending(vcpu) >= 0;
}

/* SDM Vol 3A, 8.10.2 (HLT): an NMI, or an interrupt with IF=1, resumes */
static bool hv_halt_wakes(struct hvk_vcpu *vcpu)
{
	if (atomic_read(&vcpu->nmi_pending))
		return true;
	return (vcpu->regs.rflags & X86_EFLAGS_IF) && hv_irq_pending(vcpu);
}

static void hv_set_mp_state(struct hvk_vcpu *vcpu, u32 state)
{
	WRITE_ONCE(vcpu->halted_if0, false);
	WRITE_ONCE(vcpu->mp_state, state);
}

/* The state an INIT leaves (SDM Vol 3A, 9.1.1, Table 9-1), APIC aside. */
static void hv_vcpu_init(struct hvk_vcpu *vcpu)
{
	struct hv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct hv_vcpu_events ev = { };
	struct hv_sregs s;
	u32 sig[4];
	u64 cr0;

	hv_ops->get_sregs(vcpu, &s);
	/* Table 9-1, note 2: INIT leaves CR0.CD and NW as they were */
	cr0 = (s.cr0 & (X86_CR0_CD | X86_CR0_NW)) | X86_CR0_ET;
	memset(&s, 0, sizeof(s));
	/* CS F000, base FFFF0000: the first fetch is at FFFFFFF0 */
	s.cs = (struct hv_segment){ .selector = 0xf000, .base = 0xffff0000,
				    .limit = 0xffff, .type = 0xb, .s = 1,
				    .present = 1 };
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.ldt = (struct hv_segment){ .limit = 0xffff, .type = 2,
				     .present = 1 };
	s.tr = (struct hv_segment){ .limit = 0xffff, .type = 0xb,
				    .present = 1 };
	s.gdt.limit = 0xffff;
	s.idt.limit = 0xffff;
	s.cr0 = cr0;		/* CR2, CR3, CR4, CR8, EFER: 0 */
	if (hv_ops->set_sregs(vcpu, &s))
		pr_warn_ratelimited("vCPU %u: INIT state refused\n", vcpu->id);

	memset(&vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs.rip = 0xfff0;
	vcpu->regs.rflags = X86_EFLAGS_FIXED;
	/* EDX: the processor signature, CPUID leaf 1 EAX as the guest sees it */
	hv_cpuid_lookup(&vcpu->cpuid, 1, 0, sig);
	vcpu->regs.rdx = sig[0];
	vcpu->pending = HV_PENDING_NONE;

	/* Nothing queued, no shadow, no NMI blocking or pending (KVM too) */
	hv_ops->set_events(vcpu, &ev);
	atomic_set(&vcpu->nmi_pending, 0);

	/* DR0-3 0, DR6 FFFF0FF0, DR7 400 */
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->db_live = false;
	hv_ops->set_dr67(vcpu, DR6_RESERVED, 0x400);
	hv_lapic_reset(vcpu, true);
	/* 9.4: the BSP starts over at the reset vector, an AP waits for SIPI */
	hv_set_mp_state(vcpu, vcpu->id ? HV_MP_WAIT_SIPI : HV_MP_RUNNABLE);
}

/*
 * A start-up IPI (SDM Vol 3A, 10.6.1; 9.4.4): real mode at 000VV000h,
 * CS selector VV00, base VV000, IP 0.  Everything else is as INIT left it.
 */
static void hv_vcpu_start(struct hvk_vcpu *vcpu, u8 vector)
{
	struct hv_sregs s;

	hv_ops->get_sregs(vcpu, &s);
	s.cs.selector = (u16)vector << 8;
	s.cs.base = (u64)vector << 12;
	if (hv_ops->set_sregs(vcpu, &s))
		pr_warn_ratelimited("vCPU %u: SIPI state refused\n", vcpu->id);
	vcpu->regs.rip = 0;
	hv_set_mp_state(vcpu, HV_MP_RUNNABLE);
}

/*
 * INIT and SIPI requests.  The bits go only after the state they lead to
 * is visible, so that hv_vm_idle() on another vCPU never sees a vCPU
 * that waits for a SIPI with the SIPI already gone.
 */
static void hv_handle_init_sipi(struct hvk_vcpu *vcpu)
{
	if (test_bit(HV_REQ_INIT, &vcpu->requests)) {
		hv_vcpu_init(vcpu);
		smp_mb__before_atomic();
		clear_bit(HV_REQ_INIT, &vcpu->requests);
	}
	if (test_bit(HV_REQ_SIPI, &vcpu->requests)) {
		/* 10.6.1: a SIPI to a vCPU not waiting for one is ignored */
		if (vcpu->mp_state == HV_MP_WAIT_SIPI)
			hv_vcpu_start(vcpu, READ_ONCE(vcpu->sipi_vector));
		smp_mb__before_atomic();
		clear_bit(HV_REQ_SIPI, &vcpu->requests);
	}
}

/*
 * Inject what the guest can take at this entry, in priority order (SDM
 * Vol 3A, 6.9: NMI before maskable interrupts), and ask for an exit as
 * soon as it can take what it cannot now.  The backend says no to both
 * while an event is already queued for this entry (an exception, an
 * interrupted delivery being redone); the window brings us back.
 */
static void hv_inject_pending(struct hvk_vcpu *vcpu)
{
	const struct hv_vendor_ops *ops = hv_ops;
	struct hvk_vm *vm = vcpu->vm;
	int vec;

	if (atomic_read(&vcpu->nmi_pending)) {
		if (ops->nmi_allowed(vcpu)) {
			atomic_dec(&vcpu->nmi_pending);
			ops->inject_nmi(vcpu);
			trace_hv_inject(vcpu, 2, HV_TRACE_INJ_NMI, false, 0);
			hv_stat_inc(vcpu, HV_STAT_NMI_INJECTED);
		} else {
			ops->enable_nmi_window(vcpu);
		}
	}

	/* The PIC through the BSP's LINT0 (ExtINT): its INTA gives the vector */
	if (vcpu->id == 0 && hv_pic_intr(vm) && hv_lapic_accepts_pic(vcpu)) {
		if (!ops->interrupt_allowed(vcpu)) {
			ops->enable_irq_window(vcpu);
			return;
		}
		vec = hv_pic_ack(vm);
		if (vec >= 0) {
			ops->inject_irq(vcpu, vec);
			trace_hv_inject(vcpu, vec, HV_TRACE_INJ_IRQ, false, 0);
			hv_stat_inc(vcpu, HV_STAT_IRQ_INJECTED);
			return;
		}
	}

	vec = hv_lapic_pending(vcpu);
	if (vec < 0)
		return;
	if (!ops->interrupt_allowed(vcpu)) {
		ops->enable_irq_window(vcpu);
		return;
	}
	/* SDM Vol 3A, 10.8.4: the accepted vector moves from IRR to ISR */
	hv_lapic_ack(vcpu, vec);
	ops->inject_irq(vcpu, vec);
	trace_hv_inject(vcpu, vec, HV_TRACE_INJ_IRQ, false, 0);
	hv_stat_inc(vcpu, HV_STAT_IRQ_INJECTED);
}

int hv_events_before_entry(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;

	for (;;) {
		if (READ_ONCE(vcpu->requests) &
		    (BIT(HV_REQ_INIT) | BIT(HV_REQ_SIPI)))
			hv_handle_init_sipi(vcpu);
		/* Whatever set it, everything is looked at below */
		clear_bit(HV_REQ_EVENT, &vcpu->requests);

		if (vcpu->mp_state == HV_MP_RUNNABLE)
			break;
		if (vcpu->mp_state == HV_MP_HALTED && hv_halt_wakes(vcpu)) {
			hv_set_mp_state(vcpu, HV_MP_RUNNABLE);
			trace_hv_wake(vcpu);
			hv_stat_inc(vcpu, HV_STAT_HALT_WAKEUP);
			break;
		}
		/*
		 * Waiting for a SIPI, or halted: sleep in the host until a
		 * request comes (every wake-up source sets one), or a
		 * signal, stop or pause (managed.c wakes vcpu->wq for those).
		 */
		if (signal_pending(current) || READ_ONCE(vm->stop_req) ||
		    READ_ONCE(vm->pause_req)) {
			vcpu->run->exit_reason = HV_EXIT_INTR;
			return -EINTR;
		}
		wait_event_interruptible(vcpu->wq, READ_ONCE(vcpu->requests) ||
					 READ_ONCE(vm->stop_req) ||
					 READ_ONCE(vm->pause_req));
	}
	hv_inject_pending(vcpu);
	return 1;
}

/*
 * A managed VM is idle for good when every vCPU waits for a SIPI, or is
 * halted with interrupts off, and none has an INIT, SIPI or NMI on its
 * way: nothing inside the VM can wake any of them.  (A device could
 * still send an NMI or INIT through the IOAPIC, which no PC firmware or
 * OS programs; KVM never stops such a VM, hv records it as halted.)
 * Each vCPU publishes its own state before it looks at the others'
 * (smp_mb), so of two vCPUs halting at once at least one sees both.
 */
static bool hv_vm_idle(struct hvk_vm *vm)
{
	unsigned int i;

	smp_mb();
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct hvk_vcpu *v = vm->vcpus[i];
		u32 st = READ_ONCE(v->mp_state);

		if (test_bit(HV_REQ_INIT, &v->requests) ||
		    test_bit(HV_REQ_SIPI, &v->requests) ||
		    atomic_read(&v->nmi_pending))
			return false;
		if (st == HV_MP_WAIT_SIPI)
			continue;
		if (st == HV_MP_HALTED && READ_ONCE(v->halted_if0))
			continue;
		return false;
	}
	return true;
}

int hv_handle_hlt(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hvk_vm *vm = vcpu->vm;

	hv_skip_insn(vcpu, exit->next_rip);
	if (hv_halt_wakes(vcpu))
		return 1;	/* something is deliverable already */

	if (vcpu->regs.rflags & X86_EFLAGS_IF) {
		/* Sleep in hv_events_before_entry() until it can run */
		hv_set_mp_state(vcpu, HV_MP_HALTED);
		trace_hv_halt(vcpu, true);
		hv_stat_inc(vcpu, HV_STAT_HALT);
		return 1;
	}

	/*
	 * Interrupts off.  Attached mode: the program decides (it may raise
	 * an NMI, or just stop); the vCPU continues after the HLT at its
	 * next run, as it always did.
	 */
	if (!READ_ONCE(vm->managed)) {
		vcpu->run->exit_reason = HV_EXIT_HLT;
		return 0;
	}
	/* Managed: sleep until an NMI or INIT, unless nothing can send one */
	trace_hv_halt(vcpu, false);
	hv_stat_inc(vcpu, HV_STAT_HALT);
	WRITE_ONCE(vcpu->mp_state, HV_MP_HALTED);
	WRITE_ONCE(vcpu->halted_if0, true);
	if (!hv_vm_idle(vm))
		return 1;
	/* The whole VM halted (HV_STOP_HALTED); a new start resumes here */
	hv_set_mp_state(vcpu, HV_MP_RUNNABLE);
	vcpu->run->exit_reason = HV_EXIT_HLT;
	return 0;
}

/*
 * Complete an instruction hv emulated.  SDM Vol 3A, 17.3.1.4: with
 * RFLAGS.TF set at its start, a single-step trap follows it - #DB with
 * DR6.BS - which the hardware never raises for an instruction that
 * exited; so the core does.
 */
void hv_skip_insn(struct hvk_vcpu *vcpu, u64 next_rip)
{
	u64 dr6, dr7;

	vcpu->regs.rip = next_rip;
	/* A debugger's step: this instruction was it (hv_debug.c) */
	if (unlikely(vcpu->dbg_flags & HV_GUESTDBG_SINGLESTEP))
		vcpu->dbg_step_done = true;
	if (likely(!(vcpu->regs.rflags & X86_EFLAGS_TF)))
		return;
	hv_ops->get_dr67(vcpu, &dr6, &dr7);
	hv_ops->set_dr67(vcpu, dr6 | DR_STEP, dr7);
	hv_ops->inject_exception(vcpu, X86_VEC_DB, false, 0);
}

u64 hv_guest_tsc(struct hvk_vcpu *vcpu)
{
	return rdtsc() + vcpu->tsc_offset;
}
