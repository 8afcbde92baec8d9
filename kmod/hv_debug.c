// SPDX-License-Identifier: GPL-2.0
/*
 * Guest debugging: what a debugger (hvctl gdb, any libhv program) needs
 * from the module, as KVM_SET_GUEST_DEBUG gives QEMU's gdbstub (KVM's
 * kvm_arch_vcpu_ioctl_set_guest_debug; this is hv's own, smaller).
 *
 * HV_VCPU_SET_GUEST_DEBUG sets what makes a vCPU stop:
 *   SW_BP	INT3 (the debugger wrote 0xcc into guest memory): #BP
 *		intercepted, RIP left on the INT3.
 *   HW_BP	the debugger's DR0-3/DR7 loaded for the guest, #DB
 *		intercepted: the debugger's breakpoints stop the vCPU, any
 *		other #DB goes to the guest.  The guest's own debug
 *		registers are kept aside meanwhile and come back after.
 *   SINGLESTEP	one instruction, then stop: MTF on VT-x (TF and #DB where
 *		the CPU has no MTF, as under Bochs), RFLAGS.TF with
 *		#DB intercepted on AMD-V (the backends; hv.h's
 *		set_guest_debug).  An instruction hv completes itself (CPUID,
 *		port I/O, MMIO...) never reaches the hardware's step: the
 *		core reports that step (hv_skip_insn -> dbg_step_done).
 *   INJECT_BP	one-shot, as KVM_GUESTDBG_INJECT_BP: the INT3 this vCPU
 *		stopped on is the guest's own (its kernel patching text,
 *		its own debugger), so the next entry delivers the #BP to
 *		the guest as the INT3 would have (inject_soft_exception).
 * A stop is HV_EXIT_DEBUG in the run area (attached mode); managed mode
 * (managed/managed.c) pauses the whole VM instead and records the stop
 * for HV_VM_GET_DEBUG_STOP.
 */
#include "hv.h"

#include <asm/debugreg.h>

#define HV_GUESTDBG_ALL		(HV_GUESTDBG_ENABLE | HV_GUESTDBG_SINGLESTEP | \
				 HV_GUESTDBG_SW_BP | HV_GUESTDBG_HW_BP | \
				 HV_GUESTDBG_INJECT_BP)
#define X86_VEC_BP		3	/* SDM Vol 3A, Table 6-1 */
#define X86_INT3_LEN		1	/* CC: SDM Vol 2A, INT3 */
/*
 * SDM Vol 3B, 18.2.4: DR7's L0-G3 (7:0), LE/GE (9:8), R/W0-3 and LEN0-3
 * (31:16); bit 10 reads 1.  GD (13) is not the debugger's to set, and
 * 63:32 must be 0 (VM entry checks it, SDM Vol 3C, 27.3.1.1).
 */
#define HV_DR7_DEBUGGER		0xffff03ffULL
#define HV_DR7_FIXED1		0x400ULL

/* A linear address DR0-3 can hold: canonical (SDM Vol 3B, 18.2.1) */
static bool hv_dbg_canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static bool hv_dbg_dr7_ok(u64 dr7)
{
	unsigned int i;

	if (dr7 & ~(HV_DR7_DEBUGGER | HV_DR7_FIXED1))
		return false;
	/* SDM Vol 3B, 18.2.4: R/W 10b is an I/O breakpoint (CR4.DE): no */
	for (i = 0; i < 4; i++)
		if (((dr7 >> (16 + 4 * i)) & 3) == 2)
			return false;
	return true;
}

/* HV_VCPU_SET_GUEST_DEBUG: the dispatcher holds the vCPU quiet */
long hvk_vcpu_ioctl_set_guest_debug(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	const struct hv_guest_debug *d = data;
	bool was_hw = vcpu->dbg_flags & HV_GUESTDBG_HW_BP;
	u32 f = d->flags;
	u64 dr6, dr7;
	unsigned int i;
	int r;

	if (d->pad || !hv_reserved_zero(d->reserved) || (f & ~HV_GUESTDBG_ALL))
		return -EINVAL;
	if (f && !(f & HV_GUESTDBG_ENABLE))
		return -EINVAL;
	if (f & HV_GUESTDBG_HW_BP) {
		if (!hv_dbg_dr7_ok(d->dr7))
			return -EINVAL;
		for (i = 0; i < 4; i++)
			if (!hv_dbg_canonical(d->dr[i]))
				return -EINVAL;
	} else if (d->dr7 || memchr_inv(d->dr, 0, sizeof(d->dr))) {
		return -EINVAL;		/* breakpoints without HW_BP */
	}
	r = hv_ops->check_guest_debug(f & ~HV_GUESTDBG_INJECT_BP);
	if (r)
		return r;
	/*
	 * First, as it can still fail (EBUSY): nothing else has changed.
	 * Queued now, it goes with the next entry whatever the flags say.
	 */
	if (f & HV_GUESTDBG_INJECT_BP) {
		r = hv_ops->inject_soft_exception(vcpu, X86_VEC_BP,
						  X86_INT3_LEN);
		if (r)
			return r;
		f &= ~HV_GUESTDBG_INJECT_BP;
	}

	if (f & HV_GUESTDBG_HW_BP) {
		/* The guest's own, kept aside while the debugger's are in */
		if (!was_hw) {
			memcpy(vcpu->dbg_saved_db, vcpu->db, sizeof(vcpu->db));
			vcpu->dbg_saved_live = vcpu->db_live;
			hv_ops->get_dr67(vcpu, &vcpu->dbg_saved_dr6,
					 &vcpu->dbg_saved_dr7);
		}
		memcpy(vcpu->db, d->dr, sizeof(vcpu->db));
		vcpu->db_live = true;
		hv_ops->get_dr67(vcpu, &dr6, &dr7);
		hv_ops->set_dr67(vcpu, dr6, d->dr7 | HV_DR7_FIXED1);
	} else if (was_hw) {
		memcpy(vcpu->db, vcpu->dbg_saved_db, sizeof(vcpu->db));
		vcpu->db_live = vcpu->dbg_saved_live;
		hv_ops->set_dr67(vcpu, vcpu->dbg_saved_dr6, vcpu->dbg_saved_dr7);
	}
	vcpu->dbg_flags = f;
	memcpy(vcpu->dbg_dr, d->dr, sizeof(vcpu->dbg_dr));
	vcpu->dbg_dr7 = f & HV_GUESTDBG_HW_BP ? d->dr7 | HV_DR7_FIXED1 : 0;
	vcpu->dbg_step_done = false;
	hv_ops->set_guest_debug(vcpu);
	return 0;
}

/* The stop in the run area: the driver (userspace, managed.c) reads it */
static int hv_debug_exit(struct hvk_vcpu *vcpu, u32 vector, u64 dr6)
{
	struct hv_run *run = vcpu->run;
	u64 gdr6, dr7;

	hv_ops->get_dr67(vcpu, &gdr6, &dr7);
	run->exit_reason = HV_EXIT_DEBUG;
	run->debug.exception = vector;
	run->debug.pad = 0;
	run->debug.dr6 = dr6;
	run->debug.dr7 = dr7;
	run->debug.rip = vcpu->regs.rip;
	vcpu->dbg_step_done = false;
	return 0;
}

/* HV_X_DEBUG: the backend found the stop the debugger's */
int hv_handle_debug(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	return hv_debug_exit(vcpu, exit->debug.vector, exit->debug.dr6);
}

/*
 * Before each entry: a step hv completed itself (hv_skip_insn) is a
 * step done - the hardware will not report it, the instruction never
 * ran there (SDM Vol 3C, 26.5.2: MTF counts instructions the guest
 * runs).  0: the stop is in the run area; 1: go on.
 */
int hv_debug_step_report(struct hvk_vcpu *vcpu)
{
	if (likely(!vcpu->dbg_step_done))
		return 1;
	if (!(vcpu->dbg_flags & HV_GUESTDBG_SINGLESTEP)) {
		vcpu->dbg_step_done = false;
		return 1;
	}
	/* SDM Vol 3B, 18.2.3: DR6.BS, the single-step condition */
	return hv_debug_exit(vcpu, 1, DR6_RESERVED | DR_STEP);
}

/* HV_VM_GET_DEBUG_STOP: the last stop a managed vCPU recorded */
long hvk_vm_ioctl_get_debug_stop(void *obj, void *data, unsigned long arg)
{
	struct hvk_vm *vm = obj;
	struct hv_debug_stop *st = data;

	spin_lock(&vm->state_lock);
	*st = vm->dbg_stop;
	spin_unlock(&vm->state_lock);
	return 0;
}
