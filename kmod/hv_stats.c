// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: named u64 counters, per vCPU and per VM (API 6).
 *
 * The module describes its counters (HV_GET_STATS_DESC: name and kind,
 * in a fixed order) and hands out their values in that order
 * (HV_VM_GET_STATS), so that a counter added later breaks no program -
 * the idea of KVM's binary stats fd (Documentation/virt/kvm/api.rst,
 * KVM_GET_STATS_FD), without the file.
 *
 * Counting is the runners' own business: each vCPU's runner adds to its
 * own u64 array (hvk_vcpu.stats, enum hv_stat in hv.h) with plain
 * increments; the exits and their time are counted in one place,
 * hvk_vcpu_loop() in hv_run.c, keyed by the vendor-neutral exit code, so
 * both vendors count alike.  A reader sums with READ_ONCE, one u64 at a
 * time: a value may be a few events old, never torn (x86-64 stores a u64
 * in one access).
 */
#include "hv.h"

#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include <asm/tsc.h>

/* enum hv_exit_code, as the names "exit.NAME" and "exit_ns.NAME" say it */
static const char *const hv_exit_names[HV_X_NR] = {
	[HV_X_NONE]		= "none",
	[HV_X_IO]		= "io",
	[HV_X_NPF]		= "npf",
	[HV_X_CPUID]		= "cpuid",
	[HV_X_RDMSR]		= "rdmsr",
	[HV_X_WRMSR]		= "wrmsr",
	[HV_X_HLT]		= "hlt",
	[HV_X_PAUSE]		= "pause",
	[HV_X_HYPERCALL]	= "hypercall",
	[HV_X_SHUTDOWN]		= "shutdown",
	[HV_X_INTR]		= "intr",
	[HV_X_NMI]		= "nmi",
	[HV_X_VIRT_INSN]	= "virt_insn",
	[HV_X_UD]		= "ud",
	[HV_X_XSETBV]		= "xsetbv",
	[HV_X_CR_WRITE]		= "cr_write",
	[HV_X_DR_ACCESS]	= "dr_access",
	[HV_X_IRQ_WINDOW]	= "irq_window",
	[HV_X_NMI_WINDOW]	= "nmi_window",
	[HV_X_INVD]		= "invd",
	[HV_X_WBINVD]		= "wbinvd",
	[HV_X_MONITOR]		= "monitor",
	[HV_X_MWAIT]		= "mwait",
	[HV_X_RDPMC]		= "rdpmc",
	[HV_X_RDPRU]		= "rdpru",
	[HV_X_FAIL_ENTRY]	= "fail_entry",
	[HV_X_UNHANDLED]	= "unhandled",
	[HV_X_DEBUG]		= "debug",
};

/*
 * The table after the per-exit ones, in the order userspace sees them.
 * Only ever append: programs may have cached the indices of a module.
 */
enum hv_stat_src {
	HV_SRC_VCPU,		/* hvk_vcpu.stats[@idx] */
	HV_SRC_EXITS,		/* hvk_vcpu.exits: every exit, all kinds */
	HV_SRC_NPF_SPURIOUS,	/* hvk_vcpu.npf_spurious */
	HV_SRC_COW,		/* VM: hvk_vm.cow_copies */
	HV_SRC_DIRTY,		/* VM: hvk_vm.dirty_faults */
	HV_SRC_IO_UNCLAIMED,	/* VM: hvk_vm.io_unclaimed */
	HV_SRC_MMIO_UNCLAIMED,	/* VM: hvk_vm.mmio_unclaimed */
	HV_SRC_CLONE_HOLDS,	/* VM: hvk_vm.clone_holds */
	HV_SRC_CLONE_HOLD_NS,	/* VM: hvk_vm.clone_hold_ns */
	HV_SRC_COW_REUSED,	/* VM: hvk_vm.cow_reused */
	HV_SRC_LAZY_FILLED,	/* VM: hvk_vm.lazy_filled */
	HV_SRC_LAZY_WAITS,	/* VM: hvk_vm.lazy_waits */
	HV_SRC_LAZY_WAIT_NS,	/* VM: hvk_vm.lazy_wait_ns */
};

struct hv_stat_more {
	const char *name;
	u8 src;			/* enum hv_stat_src */
	u8 idx;			/* HV_SRC_VCPU: enum hv_stat */
	u32 flags;		/* HV_STAT_* */
};

#define HV_MORE(n, src, i)	{ n, src, i, HV_STAT_COUNT }
#define HV_MORE_VM(n, src)	{ n, src, 0, HV_STAT_COUNT | HV_STAT_VM }

static const struct hv_stat_more hv_stat_more[] = {
	HV_MORE("exits",	HV_SRC_EXITS, 0),
	HV_MORE("irq.injected",	HV_SRC_VCPU, HV_STAT_IRQ_INJECTED),
	HV_MORE("nmi.injected",	HV_SRC_VCPU, HV_STAT_NMI_INJECTED),
	HV_MORE("halt",		HV_SRC_VCPU, HV_STAT_HALT),
	HV_MORE("halt_wakeup",	HV_SRC_VCPU, HV_STAT_HALT_WAKEUP),
	HV_MORE("npf.spurious",	HV_SRC_NPF_SPURIOUS, 0),
	HV_MORE("npf.mmio",	HV_SRC_VCPU, HV_STAT_NPF_MMIO),
	HV_MORE_VM("mem.cow_copied",	HV_SRC_COW),
	HV_MORE_VM("mem.dirty_faults",	HV_SRC_DIRTY),
	HV_MORE_VM("io.unclaimed",	HV_SRC_IO_UNCLAIMED),
	HV_MORE_VM("mmio.unclaimed",	HV_SRC_MMIO_UNCLAIMED),
	HV_MORE_VM("clone.holds",	HV_SRC_CLONE_HOLDS),
	{ "clone.hold_ns", HV_SRC_CLONE_HOLD_NS, 0, HV_STAT_NS | HV_STAT_VM },
	HV_MORE_VM("mem.cow_reused",	HV_SRC_COW_REUSED),
	HV_MORE_VM("lazy.filled",	HV_SRC_LAZY_FILLED),
	HV_MORE_VM("lazy.waits",	HV_SRC_LAZY_WAITS),
	{ "lazy.wait_ns", HV_SRC_LAZY_WAIT_NS, 0, HV_STAT_NS | HV_STAT_VM },
};

/* exit.* for every code, then exit_ns.*, then hv_stat_more[] */
#define HV_NR_STATS	(2 * HV_X_NR + ARRAY_SIZE(hv_stat_more))

static void hv_stat_describe(unsigned int i, struct hv_stat_desc *d)
{
	memset(d, 0, sizeof(*d));
	if (i < HV_X_NR) {
		snprintf(d->name, sizeof(d->name), "exit.%s", hv_exit_names[i]);
		d->flags = HV_STAT_COUNT;
	} else if (i < 2 * HV_X_NR) {
		snprintf(d->name, sizeof(d->name), "exit_ns.%s",
			 hv_exit_names[i - HV_X_NR]);
		d->flags = HV_STAT_NS;
	} else {
		const struct hv_stat_more *m = &hv_stat_more[i - 2 * HV_X_NR];

		strscpy(d->name, m->name, sizeof(d->name));
		d->flags = m->flags;
	}
}

long hv_ioctl_get_stats_desc(void *obj, void *data, unsigned long arg)
{
	struct hv_stats_desc_list *list = data;
	struct hv_stat_desc __user *out = u64_to_user_ptr(list->descs);
	struct hv_stat_desc d;
	u32 n, i;

	if (list->pad || !hv_reserved_zero(list->reserved))
		return -EINVAL;
	n = min_t(u32, list->count, HV_NR_STATS);
	for (i = 0; i < n; i++) {
		hv_stat_describe(i, &d);
		if (copy_to_user(&out[i], &d, sizeof(d)))
			return -EFAULT;
	}
	list->count = HV_NR_STATS;
	return 0;
}

/*
 * exit_ns.*: hv_run.c adds TSC ticks (cheaper than a clock read per
 * exit); nanoseconds here, at the host's TSC rate.  Without one (never
 * on the hosts hv loads on: VMX and SVM CPUs have a TSC) the ticks.
 */
static u64 hv_stat_ns(u64 ticks)
{
	u32 khz = tsc_khz;

	return khz ? mul_u64_u32_div(ticks, 1000000, khz) : ticks;
}

/* Counter @i of one vCPU (0 for a VM-wide one) */
static u64 hv_stat_vcpu(struct hvk_vcpu *vcpu, unsigned int i)
{
	const struct hv_stat_more *m;

	/* exit.*, exit_ns.*: HV_STAT_EXIT, HV_STAT_EXIT_NS, the same order */
	if (i < HV_X_NR)
		return READ_ONCE(vcpu->stats[HV_STAT_EXIT + i]);
	if (i < 2 * HV_X_NR)
		return hv_stat_ns(READ_ONCE(vcpu->stats[HV_STAT_EXIT + i]));
	m = &hv_stat_more[i - 2 * HV_X_NR];
	switch (m->src) {
	case HV_SRC_VCPU:
		return READ_ONCE(vcpu->stats[m->idx]);
	case HV_SRC_EXITS:
		return READ_ONCE(vcpu->exits);
	case HV_SRC_NPF_SPURIOUS:
		return READ_ONCE(vcpu->npf_spurious);
	default:
		return 0;
	}
}

/* A VM-wide counter (0 for a per-vCPU one); vm->lock held */
static u64 hv_stat_vm(struct hvk_vm *vm, unsigned int i)
{
	if (i < 2 * HV_X_NR)
		return 0;
	switch (hv_stat_more[i - 2 * HV_X_NR].src) {
	case HV_SRC_COW:
		return vm->cow_copies;
	case HV_SRC_DIRTY:
		return vm->dirty_faults;
	case HV_SRC_IO_UNCLAIMED:
		return atomic64_read(&vm->io_unclaimed);
	case HV_SRC_MMIO_UNCLAIMED:
		return atomic64_read(&vm->mmio_unclaimed);
	case HV_SRC_CLONE_HOLDS:
		return vm->clone_holds;
	case HV_SRC_CLONE_HOLD_NS:
		return vm->clone_hold_ns;
	case HV_SRC_COW_REUSED:
		return vm->cow_reused;
	case HV_SRC_LAZY_FILLED:
		return vm->lazy_filled;
	case HV_SRC_LAZY_WAITS:
		return vm->lazy_waits;
	case HV_SRC_LAZY_WAIT_NS:
		return vm->lazy_wait_ns;
	default:
		return 0;
	}
}

/*
 * HV_VM_GET_STATS.  The values are gathered under vm->lock (the vCPU
 * list, cow_copies, dirty_faults) into a kernel buffer, and copied out
 * after it is dropped: copy_to_user() may fault for as long as userspace
 * likes, and must not hold the VM's lock meanwhile.
 */
long hvk_vm_ioctl_get_stats(void *obj, void *data, unsigned long arg)
{
	struct hvk_vm *vm = obj;
	struct hv_stats *st = data;
	struct hvk_vcpu *vcpu = NULL;
	unsigned int i, v;
	u64 *val;
	u32 n;
	long r;

	if (!hv_reserved_zero(st->reserved))
		return -EINVAL;
	if (st->vcpu != HV_STATS_VM) {
		vcpu = hvk_vcpu_by_id(vm, st->vcpu);
		if (!vcpu)
			return -ENOENT;
	}
	n = min_t(u32, st->count, HV_NR_STATS);
	if (!n)
		return 0;
	val = hv_fail_alloc() ? NULL : kcalloc(n, sizeof(*val),
						GFP_KERNEL_ACCOUNT);
	if (!val)
		return -ENOMEM;

	if (vcpu) {
		for (i = 0; i < n; i++)
			val[i] = hv_stat_vcpu(vcpu, i);
	} else {
		mutex_lock(&vm->lock);
		for (v = 0; v < vm->nr_vcpus; v++)
			for (i = 0; i < n; i++)
				val[i] += hv_stat_vcpu(vm->vcpus[v], i);
		for (i = 0; i < n; i++)
			val[i] += hv_stat_vm(vm, i);
		mutex_unlock(&vm->lock);
	}

	r = n;
	if (copy_to_user(u64_to_user_ptr(st->values), val, n * sizeof(*val)))
		r = -EFAULT;
	kfree(val);
	return r;
}
