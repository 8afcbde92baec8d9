// SPDX-License-Identifier: GPL-2.0
/*
 * Managed mode: the module runs every vCPU of a VM on a kernel thread,
 * with the same run loop as attached mode (hvk_vcpu_loop); what attached
 * mode hands to userspace is handled here instead - port I/O by the
 * in-kernel devices, MMIO as an empty bus, HLT/triple fault/entry failure
 * as reasons to stop.
 *
 * States (struct hvk_vm.state, under state_lock):
 *
 *   CREATED --start--> RUNNING --pause--> PAUSED --resume--> RUNNING
 *   RUNNING/PAUSED --stop, or the guest halts/exits/faults--> STOPPED
 *   STOPPED --start--> RUNNING (the guest continues where it stopped)
 *
 * start/stop/pause/resume are serialised by mgmt_lock, which the vCPU
 * threads never take; they only set the stop reason under state_lock and
 * signal through wait queues, so stop can wait for them safely.
 *
 * vCPU 0 is the bootstrap processor.  The others wait for a start-up IPI
 * (SDM Vol 3A, 9.4): their threads enter the same loop, which sleeps on
 * the vCPU's wait queue until INIT and SIPI come (hv_event.c).  Stop and
 * pause wake every vCPU's queue, so a sleeping vCPU leaves too.
 */
#include "hv.h"

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

void hv_managed_init(struct hvk_vm *vm)
{
	mutex_init(&vm->mgmt_lock);
	spin_lock_init(&vm->state_lock);
	init_waitqueue_head(&vm->mgmt_wq);
	init_waitqueue_head(&vm->park_wq);
	vm->state = HV_VM_STATE_CREATED;
}

/* Attached runs and managed threads exclude each other. */
bool hv_attached_begin(struct hvk_vm *vm)
{
	bool ok;

	spin_lock(&vm->state_lock);
	ok = !vm->managed;
	if (ok)
		atomic_inc(&vm->nr_running);
	spin_unlock(&vm->state_lock);
	return ok;
}

void hv_attached_end(struct hvk_vm *vm)
{
	atomic_dec(&vm->nr_running);
}

/*
 * Managed and not paused or stopped: its threads own the vCPUs, even
 * between two exits when they do not hold run_lock (hvk_vcpu_quiet_begin).
 */
bool hvk_vm_managed_running(struct hvk_vm *vm)
{
	bool running;

	spin_lock(&vm->state_lock);
	running = vm->managed && vm->state != HV_VM_STATE_PAUSED &&
		  vm->state != HV_VM_STATE_STOPPED;
	spin_unlock(&vm->state_lock);
	return running;
}

/* Every vCPU of a managed VM: in the guest, halted or waiting for SIPI */
static void hv_kick_vcpus(struct hvk_vm *vm)
{
	unsigned int i;

	/* vCPUs are fixed while managed (hvk_vcpu_create refuses) */
	for (i = 0; i < vm->nr_vcpus; i++)
		hvk_vcpu_kick(vm->vcpus[i]);
	/* One may sleep for a lazy page (hv_lazy.c) */
	wake_up_all(&vm->lazy_wq);
}

static void hv_kick_all(struct hvk_vm *vm)
{
	unsigned int i;

	/* An IPI makes a vCPU in guest mode exit and see the request. */
	for (i = 0; i < vm->nr_threads; i++)
		kick_process(vm->threads[i]);
	hv_kick_vcpus(vm);
	wake_up_all(&vm->park_wq);
}

/* The first reason wins; every vCPU thread then leaves its loop. */
void hvk_vm_request_stop(struct hvk_vm *vm, u32 reason, u32 status)
{
	spin_lock(&vm->state_lock);
	if (!vm->stop_req) {
		vm->stop_req = true;
		vm->stop_reason = reason;
		vm->exit_status = status;
	}
	spin_unlock(&vm->state_lock);
	wake_up_all(&vm->park_wq);
	/* In the guest they exit at once; halted or waiting, they wake */
	hv_kick_vcpus(vm);
}

/*
 * An MMIO access nobody claims: reads see all-ones.  Every piece of a
 * split access is answered here, so none is left pending when the VM is
 * paused (and its state taken).
 */
static void hv_managed_mmio(struct hvk_vcpu *vcpu)
{
	do {
		atomic64_inc(&vcpu->vm->mmio_unclaimed);
		if (!vcpu->run->mmio.is_write)
			vcpu->run->mmio.data = ~0ULL;
	} while (hv_complete_userspace_exit(vcpu) > 0);
}

/*
 * A managed VM that stops on a fault has no userspace to read its run
 * structure: say in the kernel log what the vCPU was doing, once per
 * stop, so that an operator (and a bug report) has more than a reason.
 */
static void hv_managed_report(struct hvk_vcpu *vcpu, const char *what)
{
	struct hv_run *run = vcpu->run;
	struct hv_sregs s;

	hv_ops->get_sregs(vcpu, &s);
	pr_info_ratelimited("VM %s vCPU %u: %s at %04x:%llx rsp %llx rflags %llx cr0 %llx cr2 %llx cr3 %llx cr4 %llx efer %llx\n",
			    vcpu->vm->name, vcpu->id, what, s.cs.selector,
			    vcpu->regs.rip, vcpu->regs.rsp, vcpu->regs.rflags,
			    s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	if (run->exit_reason == HV_EXIT_INTERNAL_ERROR)
		pr_info_ratelimited("VM %s vCPU %u: internal error %u, data %*ph\n",
				    vcpu->vm->name, vcpu->id,
				    run->internal.suberror,
				    (int)(run->internal.ndata * sizeof(u64)),
				    run->internal.data);
}

/*
 * A debug stop (hv_debug.c): the whole VM pauses, as HV_VM_PAUSE would,
 * and the stop is recorded for HV_VM_GET_DEBUG_STOP.  The vCPU thread
 * cannot wait for the others as hvk_vm_pause does (it is one of them):
 * it asks for the pause, and the last thread to park makes the VM
 * PAUSED (hv_managed_park).  The first stop of a pause wins; another
 * vCPU that stops meanwhile keeps its RIP and stops again on resume.
 */
static void hv_managed_debug_stop(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hv_run *run = vcpu->run;

	spin_lock(&vm->state_lock);
	if (vm->state == HV_VM_STATE_RUNNING && !vm->pause_req &&
	    !vm->stop_req) {
		vm->pause_req = true;
		vm->dbg_pause = true;
		vm->dbg_stop.seq++;
		vm->dbg_stop.vcpu = vcpu->id;
		vm->dbg_stop.exception = run->debug.exception;
		vm->dbg_stop.dr6 = run->debug.dr6;
		vm->dbg_stop.dr7 = run->debug.dr7;
		vm->dbg_stop.rip = run->debug.rip;
	}
	spin_unlock(&vm->state_lock);
	hv_kick_vcpus(vm);
}

/* What attached mode would hand to userspace. false: stop this vCPU. */
static bool hv_managed_exit(struct hvk_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;
	struct hvk_vm *vm = vcpu->vm;

	lockdep_assert_held(&vcpu->run_lock);
	switch (run->exit_reason) {
	case HV_EXIT_IO:
		hv_devices_pio(vcpu, run);
		return true;
	case HV_EXIT_MMIO:
		hv_managed_mmio(vcpu);
		return true;
	case HV_EXIT_HYPERCALL:
		run->hypercall.ret = HV_HC_ENOSYS;	/* nobody to answer */
		return true;
	case HV_EXIT_INTR:
		return true;
	case HV_EXIT_DEBUG:
		hv_managed_debug_stop(vcpu);
		return true;
	case HV_EXIT_HLT:
		/*
		 * hv_handle_hlt() says so only when every vCPU is halted
		 * with interrupts off or waits for a SIPI: nothing can wake
		 * any of them, the VM is done.
		 */
		hvk_vm_request_stop(vm, HV_STOP_HALTED, 0);
		return false;
	case HV_EXIT_SHUTDOWN:
		hv_managed_report(vcpu, "triple fault");
		hvk_vm_request_stop(vm, HV_STOP_TRIPLE_FAULT, 0);
		return false;
	case HV_EXIT_FAIL_ENTRY:
		hv_managed_report(vcpu, "entry failure");
		hvk_vm_request_stop(vm, HV_STOP_ENTRY_FAILURE,
				   run->fail_entry.hardware_reason);
		return false;
	case HV_EXIT_SYSTEM_EVENT:	/* io/pm.c: ACPI S5 or a reset port */
		hvk_vm_request_stop(vm, run->system_event.type ==
				   HV_SYSTEM_REBOOT ? HV_STOP_REBOOT :
				   HV_STOP_POWER_OFF, 0);
		return false;
	default:
		hv_managed_report(vcpu, "internal error");
		hvk_vm_request_stop(vm, HV_STOP_INTERNAL_ERROR,
				   run->internal.suberror);
		return false;
	}
}

/* Park while a pause is requested; the controller waits for all. */
static void hv_managed_park(struct hvk_vm *vm)
{
	bool paused = false;

	atomic_inc(&vm->threads_parked);
	/* A debug stop's pause: the last thread in makes it PAUSED */
	spin_lock(&vm->state_lock);
	if (vm->dbg_pause && atomic_read(&vm->threads_parked) >=
			     atomic_read(&vm->threads_live)) {
		vm->dbg_pause = false;
		if (vm->state == HV_VM_STATE_RUNNING && !vm->stop_req) {
			vm->state = HV_VM_STATE_PAUSED;
			paused = true;
		}
	}
	spin_unlock(&vm->state_lock);
	if (paused)
		hv_event(vm, HV_EVENT_PAUSED, 0, 0);
	wake_up_all(&vm->mgmt_wq);
	wait_event(vm->park_wq, !READ_ONCE(vm->pause_req) ||
		   READ_ONCE(vm->stop_req) || kthread_should_stop());
	atomic_dec(&vm->threads_parked);
}

static void hv_managed_thread_done(struct hvk_vm *vm)
{
	u32 reason, status;

	if (!atomic_dec_and_test(&vm->threads_live))
		return;
	/* The last thread out records the stop and says so. */
	spin_lock(&vm->state_lock);
	vm->state = HV_VM_STATE_STOPPED;
	reason = vm->stop_reason;
	status = vm->exit_status;
	spin_unlock(&vm->state_lock);
	hv_event(vm, HV_EVENT_STOPPED, reason, status);
	wake_up_all(&vm->mgmt_wq);
}

static int hvk_vcpu_thread(void *arg)
{
	struct hvk_vcpu *vcpu = arg;
	struct hvk_vm *vm = vcpu->vm;
	int r;

	while (!kthread_should_stop() && !READ_ONCE(vm->stop_req)) {
		if (READ_ONCE(vm->pause_req)) {
			hv_managed_park(vm);
			continue;
		}
		/* An AP waiting for SIPI, or a halted vCPU, sleeps in here */
		mutex_lock(&vcpu->run_lock);
		r = hvk_vcpu_loop(vcpu);
		if (r == 0 && !hv_managed_exit(vcpu))
			r = -ESHUTDOWN;
		mutex_unlock(&vcpu->run_lock);
		if (r && r != -EINTR) {
			if (r != -ESHUTDOWN)
				hvk_vm_request_stop(vm, HV_STOP_INTERNAL_ERROR,
						   -r);
			break;
		}
	}
	hv_managed_thread_done(vm);
	return 0;
}

/* Reap the threads of a run that has ended (or is ending). */
static void hv_managed_reap(struct hvk_vm *vm)
{
	unsigned int i;

	lockdep_assert_held(&vm->mgmt_lock);
	for (i = 0; i < vm->nr_threads; i++) {
		kthread_stop(vm->threads[i]);
		put_task_struct(vm->threads[i]);
		vm->threads[i] = NULL;
	}
	vm->nr_threads = 0;
	spin_lock(&vm->state_lock);
	vm->managed = false;
	vm->stop_req = false;
	vm->pause_req = false;
	spin_unlock(&vm->state_lock);
}

int hvk_vm_start(struct hvk_vm *vm)
{
	struct task_struct *t;
	unsigned int i;
	int r = 0;

	mutex_lock(&vm->mgmt_lock);
	if (!vm->listed) {
		r = -ENOENT;
		goto out;
	}
	if (vm->managed && vm->state == HV_VM_STATE_STOPPED)
		hv_managed_reap(vm);	/* the last run ended by itself */

	mutex_lock(&vm->lock);
	spin_lock(&vm->state_lock);
	if (vm->managed || atomic_read(&vm->nr_running))
		r = -EBUSY;		/* running, paused, or attached */
	else if (!vm->nr_vcpus || !vm->nr_regions)
		r = -EINVAL;		/* nothing to run */
	else
		vm->managed = true;
	spin_unlock(&vm->state_lock);
	mutex_unlock(&vm->lock);
	if (r)
		goto out;

	atomic_set(&vm->threads_live, vm->nr_vcpus);
	for (i = 0; i < vm->nr_vcpus; i++) {
		t = kthread_create(hvk_vcpu_thread, vm->vcpus[i], "hv/%s/%u",
				   vm->name, vm->vcpus[i]->id);
		if (IS_ERR(t)) {
			r = PTR_ERR(t);
			break;
		}
		get_task_struct(t);
		vm->threads[vm->nr_threads++] = t;
	}
	if (r) {
		/* Threads never woken end at kthread_stop without running */
		atomic_sub(vm->nr_vcpus - vm->nr_threads, &vm->threads_live);
		spin_lock(&vm->state_lock);
		vm->stop_req = true;
		spin_unlock(&vm->state_lock);
		hv_managed_reap(vm);
		goto out;
	}

	spin_lock(&vm->state_lock);
	vm->state = HV_VM_STATE_RUNNING;
	vm->stop_reason = HV_STOP_NONE;
	vm->exit_status = 0;
	vm->started = ktime_get();
	spin_unlock(&vm->state_lock);
	hv_event(vm, HV_EVENT_STARTED, 0, 0);
	for (i = 0; i < vm->nr_threads; i++)
		wake_up_process(vm->threads[i]);
out:
	mutex_unlock(&vm->mgmt_lock);
	return r;
}

/* Stop a managed run and wait for every thread; -EINVAL if none. */
int __hv_vm_stop(struct hvk_vm *vm, u32 reason)
{
	lockdep_assert_held(&vm->mgmt_lock);
	if (!vm->managed)
		return -EINVAL;
	hvk_vm_request_stop(vm, reason, 0);
	hv_kick_all(vm);
	wait_event(vm->mgmt_wq, atomic_read(&vm->threads_live) == 0);
	hv_managed_reap(vm);
	return 0;
}

int hvk_vm_stop(struct hvk_vm *vm, u32 reason)
{
	int r;

	mutex_lock(&vm->mgmt_lock);
	r = __hv_vm_stop(vm, reason);
	mutex_unlock(&vm->mgmt_lock);
	return r;
}

/*
 * With mgmt_lock held: 0 when this call paused the VM, 1 when a debug
 * stop paused it meanwhile, -EINVAL when it is not running managed (or
 * stopped by itself meanwhile).  Also for a clone's instant
 * (state/clone.c, HV_CLONE_HOLD).
 */
int hvk_vm_pause_locked(struct hvk_vm *vm)
{
	int r = 0;

	lockdep_assert_held(&vm->mgmt_lock);
	spin_lock(&vm->state_lock);
	if (vm->state != HV_VM_STATE_RUNNING || !vm->managed)
		r = -EINVAL;
	else
		vm->pause_req = true;
	spin_unlock(&vm->state_lock);
	if (r)
		return r;

	hv_kick_all(vm);
	/* Every live thread parked (or gone): no vCPU is in guest mode. */
	wait_event(vm->mgmt_wq, atomic_read(&vm->threads_parked) >=
				atomic_read(&vm->threads_live));
	spin_lock(&vm->state_lock);
	if (vm->state == HV_VM_STATE_RUNNING)
		vm->state = HV_VM_STATE_PAUSED;
	else if (vm->state == HV_VM_STATE_PAUSED)
		r = 1;		/* a debug stop paused it meanwhile: done */
	else
		r = -EINVAL;	/* it stopped by itself meanwhile */
	vm->dbg_pause = false;
	spin_unlock(&vm->state_lock);
	if (!r)
		hv_event(vm, HV_EVENT_PAUSED, 0, 0);
	return r;
}

int hvk_vm_pause(struct hvk_vm *vm)
{
	int r;

	mutex_lock(&vm->mgmt_lock);
	r = hvk_vm_pause_locked(vm);
	mutex_unlock(&vm->mgmt_lock);
	return r > 0 ? 0 : r;
}

/* With mgmt_lock held: 0, or -EINVAL when the VM is not paused. */
int hvk_vm_resume_locked(struct hvk_vm *vm)
{
	int r = 0;

	lockdep_assert_held(&vm->mgmt_lock);
	spin_lock(&vm->state_lock);
	if (vm->state != HV_VM_STATE_PAUSED) {
		r = -EINVAL;
	} else {
		vm->pause_req = false;
		vm->state = HV_VM_STATE_RUNNING;
	}
	spin_unlock(&vm->state_lock);
	if (!r) {
		hv_event(vm, HV_EVENT_RESUMED, 0, 0);
		wake_up_all(&vm->park_wq);
	}
	return r;
}

int hvk_vm_resume(struct hvk_vm *vm)
{
	int r;

	mutex_lock(&vm->mgmt_lock);
	r = hvk_vm_resume_locked(vm);
	mutex_unlock(&vm->mgmt_lock);
	return r;
}
