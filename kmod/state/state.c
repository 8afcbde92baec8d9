// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU and device state, vendor-neutral: everything needed to stop a
 * vCPU and resume it exactly, here or in another VM, on either vendor
 * (HV_VM_GET/SET_VCPU_STATE, HV_VM_GET/SET_DEVICE_STATE; the clone code
 * calls the same functions).
 *
 * A setter checks every field before it changes anything, with the rules
 * the hardware or the guest's own instructions would apply: sregs as
 * HV_VCPU_SET_SREGS, MSRs as WRMSR (hv_run.c), XCR0 as XSETBV and the
 * XSAVE image as XRSTOR (hv_xsave.c: a reserved MXCSR bit would #GP in
 * the host), the queued event
 * as VM entry (SDM Vol 3C, 27.2.1.3) and VMRUN (APM Vol 2, 15.20).
 *
 * API 4 adds the PC platform: the vCPU's activity (mp_state), its TSC,
 * its local APIC and a pending NMI, and the VM's PIC, IOAPIC, PIT and
 * RTC.  The TSC and the APIC timer travel as guest time (the TSC value,
 * the time left), so a state loaded later or on the other vendor goes
 * on where it stopped.
 */
#include "hv.h"
#include "io/platform.h"
#include "hv_trace.h"

#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <linux/slab.h>

/* The MSRs of struct hv_vcpu_state: hv_run.c's allow-list but EFER. */
static const u32 hv_state_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_CR_PAT,
};

/* SDM Vol 3A, 18.2.3-4: DR6/DR7 bits that read as fixed values */
#define HV_DR6_FIXED1		0xfffe07f0ULL	/* 4-10, 17-31 */
#define HV_DR6_FIXED0		(~0xffffffffULL | BIT(12))
#define HV_DR7_FIXED1		BIT(10)
#define HV_DR7_FIXED0		(~0xffffffffULL | BIT(11) | BIT(12) | \
				 BIT(14) | BIT(15))

/* ---- quiet ---- */

/* mgmt_lock held: 0, or -EBUSY (and mgmt_lock dropped) while it runs */
static int hv_vm_quiet_check(struct hvk_vm *vm)
{
	bool busy;

	lockdep_assert_held(&vm->mgmt_lock);
	spin_lock(&vm->state_lock);
	/* Paused: every thread is parked outside the guest (hvk_vm_pause) */
	busy = vm->managed && vm->state == HV_VM_STATE_RUNNING;
	spin_unlock(&vm->state_lock);
	if (busy) {
		mutex_unlock(&vm->mgmt_lock);
		return -EBUSY;
	}
	trace_hv_snapshot(vm, HV_TRACE_NO_VCPU, HV_TRACE_QUIET_BEGIN, 0);
	return 0;
}

int hvk_vm_quiet_begin(struct hvk_vm *vm)
{
	mutex_lock(&vm->mgmt_lock);
	return hv_vm_quiet_check(vm);
}

/*
 * As hvk_vm_quiet_begin, but a managed VM that runs is paused first
 * (HV_CLONE_HOLD): *held says this call paused it, and then
 * hvk_vm_hold_end resumes it.  One paused by a debug stop meanwhile, or
 * stopped by itself, is quiet already and stays as it is.
 */
int hvk_vm_hold_begin(struct hvk_vm *vm, bool *held)
{
	mutex_lock(&vm->mgmt_lock);
	*held = hvk_vm_pause_locked(vm) == 0;
	/* Paused by us or by a debug stop, or not running: never EBUSY */
	return hv_vm_quiet_check(vm);
}

void hvk_vm_hold_end(struct hvk_vm *vm, bool held)
{
	if (held)
		hvk_vm_resume_locked(vm);
	hvk_vm_quiet_end(vm);
}

void hvk_vm_quiet_end(struct hvk_vm *vm)
{
	trace_hv_snapshot(vm, HV_TRACE_NO_VCPU, HV_TRACE_QUIET_END, 0);
	mutex_unlock(&vm->mgmt_lock);
}

/*
 * A run holds run_lock for as long as the guest runs - an attached
 * HV_VCPU_RUN or a managed VM's thread, for ever if the guest spins in
 * `jmp .` - so nobody ever waits for it: while another holds the vCPU,
 * this fails with -EBUSY at once (include/uapi/hv.h).  So it does on a
 * managed VM that is running: its thread lets go of run_lock between
 * exits, but the registers stay the guest's until it pauses or stops.
 * The trylock is that policy, not a way around the lock order
 * (docs/locking.md): nobody takes mgmt_lock while holding a run_lock.
 */
int hvk_vcpu_quiet_begin(struct hvk_vcpu *vcpu)
{
	if (!mutex_trylock(&vcpu->run_lock))
		return -EBUSY;
	if (hvk_vm_managed_running(vcpu->vm)) {
		mutex_unlock(&vcpu->run_lock);
		return -EBUSY;
	}
	return 0;
}

void hvk_vcpu_quiet_end(struct hvk_vcpu *vcpu)
{
	mutex_unlock(&vcpu->run_lock);
}

struct hvk_vcpu *hvk_vcpu_by_id(struct hvk_vm *vm, u32 id)
{
	struct hvk_vcpu *vcpu = NULL;
	unsigned int i;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			vcpu = vm->vcpus[i];
	mutex_unlock(&vm->lock);
	return vcpu;	/* vCPUs live as long as their VM */
}

/* ---- checks ---- */

static bool hv_state_msr_listed(u32 index)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_state_msrs); i++)
		if (hv_state_msrs[i] == index)
			return true;
	return false;
}

/* SDM Vol 3A, Table 6-1: the vectors that push an error code */
static bool hv_vector_has_error(u8 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/*
 * A queued exception as VM entry checks it (SDM Vol 3C, 27.2.1.3): a
 * hardware exception (not NMI, not reserved), an error code exactly when
 * the vector has one in protected mode, bits 31:16 of it zero.
 */
static int hv_events_check(const struct hv_vcpu_events *ev,
			   const struct hv_sregs *s)
{
	u32 known = HV_EV_EXCEPTION | HV_EV_EXCEPTION_ERROR | HV_EV_SHADOW |
		    HV_EV_NMI_MASKED | HV_EV_NMI_PENDING | HV_EV_INTERRUPT;
	u8 v = ev->exception_vector;
	bool err;

	if (ev->flags & ~known || !hv_reserved_zero(ev->pad) ||
	    !hv_reserved_zero(ev->pad2) || !hv_reserved_zero(ev->reserved))
		return -EINVAL;
	/*
	 * One event is queued for an entry at most (SDM Vol 3C, 26.6; APM
	 * Vol 2, 15.20: one EVENTINJ); an interrupt's vector is not one of
	 * the exceptions' 0-15 (SDM Vol 3A, 10.5.2: illegal for an APIC).
	 */
	if (ev->flags & HV_EV_INTERRUPT) {
		if (ev->flags & HV_EV_EXCEPTION || ev->interrupt_vector < 16)
			return -EINVAL;
	} else if (ev->interrupt_vector) {
		return -EINVAL;
	}
	if (!(ev->flags & HV_EV_EXCEPTION))
		return ev->flags & HV_EV_EXCEPTION_ERROR || v ||
		       ev->exception_error ? -EINVAL : 0;
	/* Not NMI, not reserved; not #CP, which no hv guest has (no CET) */
	if (v >= 21 || v == 2 || v == 9 || v == 15)
		return -EINVAL;
	err = ev->flags & HV_EV_EXCEPTION_ERROR;
	if (err != (hv_vector_has_error(v) && (s->cr0 & X86_CR0_PE)))
		return -EINVAL;
	if (!err && ev->exception_error)
		return -EINVAL;
	return ev->exception_error >> 16 ? -EINVAL : 0;
}

/* SDM Vol 3A, 18.2: DR4/5 alias DR6/7; DR6/7 high halves #GP on MOV */
static int hv_debugregs_check(const u64 dr[8])
{
	if (dr[4] || dr[5])
		return -EINVAL;
	if ((dr[6] & HV_DR6_FIXED0) || (dr[6] & HV_DR6_FIXED1) != HV_DR6_FIXED1)
		return -EINVAL;
	if ((dr[7] & HV_DR7_FIXED0) || !(dr[7] & HV_DR7_FIXED1))
		return -EINVAL;
	return 0;
}

static int hv_state_check(struct hvk_vcpu *vcpu,
			  const struct hv_vcpu_state *st)
{
	unsigned int i;
	int r;

	if (st->flags || !hv_reserved_zero(st->pad) ||
	    st->nr_msrs > HV_STATE_MAX_MSRS || !hv_reserved_zero(st->reserved))
		return -EINVAL;
	/* API 4; the LAPIC's own fields are io/lapic.c's to check */
	if (st->mp_state > HV_MP_WAIT_SIPI || st->pad3 ||
	    !hv_reserved_zero(st->reserved2))
		return -EINVAL;
	if (!hv_rflags_valid(st->regs.rflags) ||
	    !hv_reserved_zero(st->sregs.reserved))
		return -EINVAL;
	r = hv_sregs_check(&st->sregs);
	if (r)
		return r;
	for (i = 0; i < st->nr_msrs; i++) {
		const struct hv_msr_entry *m = &st->msrs[i];

		if (!hv_reserved_zero(m->pad) || !hv_state_msr_listed(m->index) ||
		    !hv_msr_allowed(m->index) ||
		    !hv_msr_value_ok(vcpu, m->index, m->value))
			return -EINVAL;
	}
	r = hv_cpuid_check(&st->cpuid);
	if (r)
		return r;
	r = hv_debugregs_check(st->dr);
	if (r)
		return r;
	r = hv_events_check(&st->events, &st->sregs);
	if (r)
		return r;
	return hv_xsave_state_check(st);	/* xcr0, xsave, CR4.OSXSAVE */
}

/* ---- the vCPU ---- */

/* DR0-3 are the core's (hv_run.c), DR6 and DR7 the backend's */
static void hv_get_debugregs(struct hvk_vcpu *vcpu, u64 dr[8])
{
	memcpy(dr, vcpu->db, sizeof(vcpu->db));
	dr[4] = dr[5] = 0;
	hv_ops->get_dr67(vcpu, &dr[6], &dr[7]);
}

static void hv_set_debugregs(struct hvk_vcpu *vcpu, const u64 dr[8])
{
	memcpy(vcpu->db, dr, sizeof(vcpu->db));
	hv_ops->set_dr67(vcpu, dr[6], dr[7]);
	/* Breakpoints enabled: DR0-3 must be in the hardware from entry */
	vcpu->db_live = dr[7] & 0xff;
}

/* The vCPU quiet (hvk_vcpu_quiet_begin); fills all of @st but vcpu_id. */
int hvk_vcpu_get_state(struct hvk_vcpu *vcpu, struct hv_vcpu_state *st)
{
	unsigned int i;
	u32 id = st->vcpu_id;
	int r;

	lockdep_assert_held(&vcpu->run_lock);
	/*
	 * A managed VM's devices have answered its last exit already:
	 * finish it as the next entry would, so that it is in regs.
	 */
	if (vcpu->vm->managed)
		hv_complete_userspace_exit(vcpu);
	if (vcpu->pending != HV_PENDING_NONE)
		return -EBUSY;		/* an exit still awaits its answer */
	memset(st, 0, sizeof(*st));
	st->vcpu_id = id;
	st->regs = vcpu->regs;
	hv_ops->get_sregs(vcpu, &st->sregs);
	hv_get_debugregs(vcpu, st->dr);
	hv_ops->get_events(vcpu, &st->events);
	if (atomic_read(&vcpu->nmi_pending))
		st->events.flags |= HV_EV_NMI_PENDING;
	st->mp_state = vcpu->mp_state;
	/* The TSC first: the APIC's deadline is in the same guest time */
	st->tsc = hv_guest_tsc(vcpu);
	hv_lapic_get_state(vcpu, &st->lapic);
	for (i = 0; i < ARRAY_SIZE(hv_state_msrs); i++) {
		st->msrs[i].index = hv_state_msrs[i];
		r = hv_ops->get_msr(vcpu, hv_state_msrs[i], &st->msrs[i].value);
		if (r)
			return r;
	}
	st->nr_msrs = i;
	st->cpuid = vcpu->cpuid;
	hv_xsave_get_state(vcpu, st);
	return 0;
}

/*
 * The vCPU quiet, or not yet reachable by anyone (a clone's, before it
 * is published); -EINVAL (nothing changed) for any bad field.
 */
int hvk_vcpu_set_state(struct hvk_vcpu *vcpu, const struct hv_vcpu_state *st)
{
	struct hv_vcpu_events ev = st->events;
	struct hv_sregs old_sregs;
	struct hv_cpuid *old_cpuid;
	s64 old_offset = vcpu->tsc_offset;
	unsigned int i;
	int r;

	r = hv_state_check(vcpu, st);
	if (r)
		return r;
	/*
	 * Two setters can still refuse: the backend's sregs (VMX PDPTEs)
	 * and the LAPIC (io/lapic.c checks its own state).  sregs first;
	 * if the LAPIC then refuses, the old sregs go back, which loaded a
	 * moment ago.  The TSC goes before the LAPIC, whose TSC deadline
	 * is armed against it, and so does the CPUID table, whose x2APIC
	 * bit decides whether the LAPIC may be in x2APIC mode.
	 */
	old_cpuid = kmemdup(&vcpu->cpuid, sizeof(vcpu->cpuid),
			    GFP_KERNEL_ACCOUNT);
	if (!old_cpuid)
		return -ENOMEM;
	hv_ops->get_sregs(vcpu, &old_sregs);
	r = hv_ops->set_sregs(vcpu, &st->sregs);
	if (r) {
		kfree(old_cpuid);
		return r;
	}
	/* SDM Vol 3B, 17.17: the guest's TSC goes on from @st->tsc */
	hv_ops->set_tsc_offset(vcpu, st->tsc - rdtsc());
	vcpu->cpuid = st->cpuid;
	r = hv_lapic_set_state(vcpu, &st->lapic);
	if (r) {
		vcpu->cpuid = *old_cpuid;
		kfree(old_cpuid);
		hv_ops->set_tsc_offset(vcpu, old_offset);
		WARN_ON_ONCE(hv_ops->set_sregs(vcpu, &old_sregs));
		return r;
	}
	kfree(old_cpuid);
	vcpu->mp_state = st->mp_state;
	/* At most one NMI waits: a second one while pending is lost anyway */
	atomic_set(&vcpu->nmi_pending, !!(ev.flags & HV_EV_NMI_PENDING));
	ev.flags &= ~HV_EV_NMI_PENDING;		/* the core's, not the backend's */
	/* The old state's INIT or SIPI is gone; let the runner look again */
	clear_bit(HV_REQ_INIT, &vcpu->requests);
	clear_bit(HV_REQ_SIPI, &vcpu->requests);
	set_bit(HV_REQ_EVENT, &vcpu->requests);
	vcpu->regs = st->regs;
	for (i = 0; i < st->nr_msrs; i++)
		hv_ops->set_msr(vcpu, st->msrs[i].index, st->msrs[i].value);
	hv_xsave_cpuid_changed(vcpu);
	hv_set_debugregs(vcpu, st->dr);
	hv_ops->set_events(vcpu, &ev);
	if (st->events.flags & HV_EV_EXCEPTION)
		hv_ops->inject_exception(vcpu, st->events.exception_vector,
					 st->events.flags & HV_EV_EXCEPTION_ERROR,
					 st->events.exception_error);
	/* Acknowledged by its APIC or PIC already: only the entry delivers it */
	if (st->events.flags & HV_EV_INTERRUPT)
		hv_ops->inject_irq(vcpu, st->events.interrupt_vector);
	hv_xsave_set_state(vcpu, st);
	/* A full state replaces whatever the last exit left to finish */
	vcpu->pending = HV_PENDING_NONE;
	return 0;
}

/*
 * ---- the ioctls on the VM fd ----
 * The dispatcher has found the vCPU (HV_IOCTL_BY_ID), made the VM and
 * it quiet (HV_IOCTL_QUIET, HV_IOCTL_VCPU) and copies @data back.
 */

long hvk_vm_ioctl_get_vcpu_state(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	int r = hvk_vcpu_get_state(vcpu, data);

	if (!r)
		trace_hv_snapshot(vcpu->vm, vcpu->id, HV_TRACE_VCPU_GET, 0);
	return r;
}

long hvk_vm_ioctl_set_vcpu_state(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	int r = hvk_vcpu_set_state(vcpu, data);

	if (!r)
		trace_hv_snapshot(vcpu->vm, vcpu->id, HV_TRACE_VCPU_SET, 0);
	return r;
}

/*
 * The device state is two parts: the UART and the power-off ports
 * (io/devices.c), the PC platform (io/platform.c).  The clone code
 * calls these two as well (state/clone.c).
 */
long hvk_vm_ioctl_get_device_state(void *obj, void *data, unsigned long arg)
{
	struct hv_device_state *st = data;

	hv_devices_get_state(obj, st);		/* zeroes all of @st first */
	hv_platform_get_state(obj, st);
	return 0;
}

/* -EINVAL (nothing changed) for any bad field. */
long hvk_vm_ioctl_set_device_state(void *obj, void *data, unsigned long arg)
{
	const struct hv_device_state *st = data;
	struct hv_device_state *old;
	struct hvk_vm *vm = obj;
	int r;

	if (!hv_reserved_zero(st->reserved2))
		return -EINVAL;
	/*
	 * Each part checks its own fields before it changes anything; if
	 * the platform refuses, the devices' part goes back as it was
	 * (a state hv_devices_get_state gave is always accepted).
	 */
	old = kmalloc(sizeof(*old), GFP_KERNEL_ACCOUNT);
	if (!old)
		return -ENOMEM;
	hv_devices_get_state(vm, old);
	r = hv_devices_set_state(vm, st);
	if (!r) {
		r = hv_platform_set_state(vm, st);
		if (r)
			WARN_ON_ONCE(hv_devices_set_state(vm, old));
	}
	kfree(old);
	return r;
}
