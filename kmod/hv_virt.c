// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware virtualization on and off, for every CPU at once.
 *
 * VMX/SVM is switched on on every online CPU when the first holder (a VM,
 * or the HV_DEBUG_HOLD_VIRT test handle) arrives and off again when the
 * last one leaves, as KVM does with kvm_usage_count.  CPUs that come
 * online in between follow the current state (CPU hotplug), so do suspend
 * and resume, and a reboot or kexec switches everything off first.
 *
 * Emergencies (crash kexec, emergency reboot) run in NMI context where no
 * lock can be taken: the kernel calls one "emergency virt callback"
 * (arch/x86/kernel/reboot.c).  It has a single slot, which kvm_intel also
 * claims while it is loaded.  We hold the slot only while virtualization
 * is on and kvm_intel/kvm_amd is absent; while KVM holds it, KVM's
 * callback switches VMX/SVM off by hardware state on every CPU, which
 * covers ours too.
 *
 * Locking: hv_virt_lock guards hv_virt_users, hv_virt_rebooting and the
 * emergency slot state.  Lock order: cpu_hotplug_lock, then hv_virt_lock
 * (hotplug callbacks run with the former held).
 */
#include "hv.h"

#include <linux/cpu.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>
#include <asm/reboot.h>

static DEFINE_MUTEX(hv_virt_lock);
static unsigned int hv_virt_users;
static bool hv_virt_rebooting;
static bool hv_emergency_registered;
static bool hv_peer_loaded;		/* KVM for this vendor is loaded */
static enum cpuhp_state hv_cpuhp_state;

/* Set only on the CPU itself, with interrupts off. */
static DEFINE_PER_CPU(bool, hv_cpu_on);

/* First error of an on_each_cpu() round, and the CPU that reported it. */
static atomic_t hv_enable_err;
static atomic_t hv_enable_err_cpu;

static int hv_cpu_enable_local(void)
{
	int r;

	if (this_cpu_read(hv_cpu_on))
		return 0;
	r = hv_ops->cpu_enable();
	if (r)
		return r;
	this_cpu_write(hv_cpu_on, true);
	return 0;
}

static void hv_cpu_disable_local(void)
{
	if (!this_cpu_read(hv_cpu_on))
		return;
	hv_ops->cpu_disable();
	this_cpu_write(hv_cpu_on, false);
}

static void hv_cpu_enable_ipi(void *unused)
{
	int r = hv_cpu_enable_local();

	if (r && atomic_cmpxchg(&hv_enable_err, 0, r) == 0)
		atomic_set(&hv_enable_err_cpu, smp_processor_id());
}

static void hv_cpu_disable_ipi(void *unused)
{
	hv_cpu_disable_local();
}

/* NMI context: no locks, no printk. */
static void hv_emergency_disable_cpu(void)
{
	if (this_cpu_read(hv_cpu_on)) {
		hv_ops->cpu_emergency_disable();
		this_cpu_write(hv_cpu_on, false);
	}
}

/* Hold the emergency slot exactly when we need it and nobody else has it. */
static void hv_emergency_update(void)
{
	bool want = hv_virt_users && !hv_peer_loaded;

	lockdep_assert_held(&hv_virt_lock);
	if (want == hv_emergency_registered)
		return;
	if (want)
		cpu_emergency_register_virt_callback(hv_emergency_disable_cpu);
	else
		cpu_emergency_unregister_virt_callback(hv_emergency_disable_cpu);
	hv_emergency_registered = want;
}

/*
 * KVM registers its callback from its module init.  The COMING notifier
 * runs before that init and GOING after its exit, so we can step aside
 * and come back without ever colliding in the slot.
 */
static int hv_module_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, hv_ops->peer_module))
		return NOTIFY_DONE;
	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;

	mutex_lock(&hv_virt_lock);
	hv_peer_loaded = action == MODULE_STATE_COMING;
	hv_emergency_update();
	mutex_unlock(&hv_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block hv_module_nb = {
	.notifier_call = hv_module_notify,
};

static bool hv_peer_present(void)
{
	char path[64];
	struct path p;

	snprintf(path, sizeof(path), "/sys/module/%s", hv_ops->peer_module);
	if (kern_path(path, LOOKUP_FOLLOW, &p))
		return false;
	path_put(&p);
	return true;
}

static void hv_report_enable_error(int r)
{
	int cpu = atomic_read(&hv_enable_err_cpu);

	if (r == -EBUSY)
		pr_err("CPU%d: %s is already in use: %s, owned by %s\n", cpu,
		       hv_ops->name, hv_ops->in_use_why,
		       hv_peer_loaded ? hv_ops->peer_module :
		       "another hypervisor (kvm_intel, kvm_amd or VirtualBox?)");
	else
		pr_err("CPU%d: cannot switch %s on (%d)\n", cpu, hv_ops->name,
		       r);
}

/**
 * hv_virt_get - switch hardware virtualization on for one more holder
 *
 * Return: 0, -EBUSY if another hypervisor owns VMX/SVM on some CPU (every
 * CPU is then left off), or the backend's error.
 */
int hv_virt_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&hv_virt_lock);
	if (hv_virt_rebooting) {
		r = -EBUSY;
		goto out;
	}
	if (hv_virt_users++)
		goto out;

	atomic_set(&hv_enable_err, 0);
	on_each_cpu(hv_cpu_enable_ipi, NULL, 1);
	r = atomic_read(&hv_enable_err);
	if (r) {
		/* All or nothing: undo the CPUs that did switch on. */
		on_each_cpu(hv_cpu_disable_ipi, NULL, 1);
		hv_virt_users = 0;
		hv_report_enable_error(r);
		goto out;
	}
	hv_emergency_update();
out:
	mutex_unlock(&hv_virt_lock);
	cpus_read_unlock();
	return r;
}

void hv_virt_put(void)
{
	cpus_read_lock();
	mutex_lock(&hv_virt_lock);
	if (!WARN_ON_ONCE(!hv_virt_users) && !--hv_virt_users) {
		on_each_cpu(hv_cpu_disable_ipi, NULL, 1);
		hv_emergency_update();
	}
	mutex_unlock(&hv_virt_lock);
	cpus_read_unlock();
}

void hv_virt_status(struct hv_status *st)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	cpus_read_lock();
	mutex_lock(&hv_virt_lock);
	st->virt_users = hv_virt_users;
	for_each_online_cpu(cpu)
		st->cpus_enabled += per_cpu(hv_cpu_on, cpu);
	st->cpus_online = num_online_cpus();
	mutex_unlock(&hv_virt_lock);
	cpus_read_unlock();
}

/* CPU hotplug: runs on the CPU coming up / going down. */
static int hv_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int r = 0;

	mutex_lock(&hv_virt_lock);
	if (hv_virt_users && !hv_virt_rebooting) {
		local_irq_save(flags);
		r = hv_cpu_enable_local();
		local_irq_restore(flags);
		if (r)
			pr_err("CPU%u: cannot switch %s on while onlining (%d)\n",
			       cpu, hv_ops->name, r);
	}
	mutex_unlock(&hv_virt_lock);
	return r;
}

static int hv_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	hv_cpu_disable_local();
	local_irq_restore(flags);
	return 0;
}

/*
 * Reboot and kexec: VMX blocks INIT, so the next kernel could not start
 * the other CPUs.  Switch off everywhere and refuse new holders.
 */
static int hv_reboot_notify(struct notifier_block *nb, unsigned long code,
			    void *unused)
{
	mutex_lock(&hv_virt_lock);
	hv_virt_rebooting = true;
	on_each_cpu(hv_cpu_disable_ipi, NULL, 1);
	mutex_unlock(&hv_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block hv_reboot_nb = {
	.notifier_call = hv_reboot_notify,
};

/* Suspend runs on the last online CPU with interrupts off. */
static int hv_suspend(void)
{
	hv_cpu_disable_local();
	return 0;
}

static void hv_resume(void)
{
	if (hv_virt_users && hv_cpu_enable_local())
		pr_err("cannot switch %s back on after resume\n", hv_ops->name);
}

static struct syscore_ops hv_syscore_ops = {
	.suspend = hv_suspend,
	.resume = hv_resume,
};

int hv_virt_init(void)
{
	int r;

	r = register_module_notifier(&hv_module_nb);
	if (r)
		return r;
	mutex_lock(&hv_virt_lock);
	hv_peer_loaded = hv_peer_present();
	mutex_unlock(&hv_virt_lock);

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "hv:online",
				      hv_cpu_online, hv_cpu_offline);
	if (r < 0)
		goto err_module_nb;
	hv_cpuhp_state = r;

	r = register_reboot_notifier(&hv_reboot_nb);
	if (r)
		goto err_cpuhp;
	register_syscore_ops(&hv_syscore_ops);
	return 0;

err_cpuhp:
	cpuhp_remove_state_nocalls(hv_cpuhp_state);
err_module_nb:
	unregister_module_notifier(&hv_module_nb);
	return r;
}

void hv_virt_exit(void)
{
	unregister_syscore_ops(&hv_syscore_ops);
	unregister_reboot_notifier(&hv_reboot_nb);
	cpuhp_remove_state_nocalls(hv_cpuhp_state);
	unregister_module_notifier(&hv_module_nb);
	/* No holder can be left: each pins the module. */
	WARN_ON(hv_virt_users || hv_emergency_registered);
}
