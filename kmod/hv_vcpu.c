// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU fd, its run area and register access.  The run loop
 * that HV_VCPU_RUN enters is in hv_run.c.
 */
#include "hv.h"
#include "io/platform.h"

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

static const struct file_operations hvk_vcpu_fops;

/*
 * An fd for @vcpu.  The fd holds a VM reference (the VM owns the vCPU);
 * the caller holds another, so dropping ours on failure never frees it.
 */
static int hvk_vcpu_getfd(struct hvk_vcpu *vcpu)
{
	int fd;

	kref_get(&vcpu->vm->ref);
	fd = anon_inode_getfd("hv-vcpu", &hvk_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hvk_vm_put(vcpu->vm);
	return fd;
}

/*
 * A vCPU object in its reset state, not yet in the VM and without an fd.
 * Its memory (VMCB/VMCS, FPU area, run page) is charged to the VM's
 * memory cgroup, whichever process asks.
 */
struct hvk_vcpu *hvk_vcpu_new(struct hvk_vm *vm, u32 id)
{
	struct mem_cgroup *old = set_active_memcg(vm->memcg);
	struct hvk_vcpu *vcpu = hv_ops->vcpu_alloc(vm);

	if (!vcpu) {
		set_active_memcg(old);
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->run_lock);
	hv_event_init_vcpu(vcpu);
	hv_cpuid_init(&vcpu->cpuid);
	hv_xsave_cpuid_changed(vcpu);
	if (hvk_vcpu_fpu_alloc(vcpu))
		goto err;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err;
	if (hv_lapic_create(vcpu))
		goto err;
	set_active_memcg(old);
	return vcpu;
err:
	set_active_memcg(old);
	free_page((unsigned long)vcpu->run);
	hvk_vcpu_fpu_free(vcpu);
	hv_ops->vcpu_free(vcpu);
	return NULL;
}

int hvk_vcpu_create(struct hvk_vm *vm, unsigned long id)
{
	struct hvk_vcpu *vcpu;
	unsigned int i;
	int r, fd;

	if (id >= HV_MAX_VCPUS)
		return -EINVAL;

	mutex_lock(&vm->lock);
	r = -EBUSY;
	if (READ_ONCE(vm->managed))	/* threads are fixed at start */
		goto out;
	r = -EEXIST;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out;
	r = -ENOMEM;
	vcpu = hvk_vcpu_new(vm, id);
	if (!vcpu)
		goto out;

	fd = hvk_vcpu_getfd(vcpu);
	if (fd < 0) {
		r = fd;
		hvk_vcpu_destroy(vcpu);
		goto out;
	}
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	r = fd;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* HV_VM_OPEN_VCPU: one more fd for a vCPU the VM has (clones, restores). */
int hvk_vcpu_open(struct hvk_vm *vm, unsigned long id)
{
	unsigned int i;
	int r = -ENOENT;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			r = hvk_vcpu_getfd(vm->vcpus[i]);
	mutex_unlock(&vm->lock);
	return r;
}

/* Called when the VM goes; no fd can reach the vCPU any more. */
void hvk_vcpu_destroy(struct hvk_vcpu *vcpu)
{
	hv_lapic_free(vcpu);
	free_page((unsigned long)vcpu->run);
	hvk_vcpu_fpu_free(vcpu);
	hv_ops->vcpu_free(vcpu);
}

/* Attached mode: the caller's thread runs the vCPU (HV_VCPU_RUN). */
static int hvk_vcpu_run(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	int r;

	if (!vm->listed)
		return -ENOENT;		/* destroyed: only teardown remains */
	if (!hv_attached_begin(vm))
		return -EBUSY;		/* the module is running it (managed) */
	r = hvk_vcpu_loop(vcpu);
	hv_attached_end(vm);
	return r;
}

/* The vCPU ioctls: the dispatcher holds the vCPU quiet (HV_IOCTL_VCPU). */

static long hvk_vcpu_ioctl_run(void *obj, void *data, unsigned long arg)
{
	return hvk_vcpu_run(obj);
}

static long hvk_vcpu_ioctl_get_regs(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;

	memcpy(data, &vcpu->regs, sizeof(vcpu->regs));
	return 0;
}

static long hvk_vcpu_ioctl_set_regs(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	const struct hv_regs *regs = data;

	if (!hv_rflags_valid(regs->rflags))
		return -EINVAL;
	vcpu->regs = *regs;
	vcpu->pending = HV_PENDING_NONE;
	return 0;
}

static long hvk_vcpu_ioctl_get_sregs(void *obj, void *data, unsigned long arg)
{
	hv_ops->get_sregs(obj, data);	/* @data comes zeroed */
	return 0;
}

/*
 * SDM Vol 1, 3.4.3 / APM Vol 2, 3.1.6: RFLAGS bits 3, 5, 15 and 63:22 are
 * reserved (0) and bit 1 is always 1.  One rule for HV_VCPU_SET_REGS and
 * HV_VM_SET_VCPU_STATE: a value breaking it is refused, not repaired, so
 * what userspace reads back is what it wrote.
 */
bool hv_rflags_valid(u64 rflags)
{
	return !(rflags & HV_RFLAGS_RESERVED) && (rflags & X86_EFLAGS_FIXED);
}

/*
 * The architectural rules for control and segment state that both VMRUN
 * (APM Vol 2, 15.5.1) and VM entry (SDM Vol 3C, 27.3.1) enforce, plus
 * CR0.PG without CR0.PE, which MOV to CR0 refuses (#GP).  A backend adds
 * its own checks; whatever slips through becomes an entry-failure exit.
 */
int hv_sregs_check(const struct hv_sregs *s)
{
	bool lme = s->efer & EFER_LME, pg = s->cr0 & X86_CR0_PG;

	if (!hv_cr0_ok(s->cr0, s->cr4, s->efer))
		return -EINVAL;
	if (s->cr4 & ~HV_CR4_ALLOWED || s->efer & ~HV_EFER_ALLOWED ||
	    !hv_cr4_host_ok(s->cr4))
		return -EINVAL;
	/* SDM Vol 3C, 27.3.1.1: CR4.PCIDE only in IA-32e mode */
	if ((s->cr4 & X86_CR4_PCIDE) && !(s->efer & EFER_LMA))
		return -EINVAL;
	if (!!(s->efer & EFER_LMA) != (lme && pg))	/* LMA = LME & PG */
		return -EINVAL;
	if (lme && pg && s->cs.l && s->cs.db)
		return -EINVAL;
	if (s->cr3 >> 52 || s->cr8 > 0xf)		/* MBZ bits */
		return -EINVAL;
	return 0;
}

static long hvk_vcpu_ioctl_set_sregs(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	const struct hv_sregs *sregs = data;

	if (!hv_reserved_zero(sregs->reserved))
		return -EINVAL;
	if (hv_sregs_check(sregs))
		return -EINVAL;
	/* CR4.OSXSAVE only for a guest offered XSAVE (hv_cr4_write_ok) */
	if ((sregs->cr4 & X86_CR4_OSXSAVE) && !vcpu->xcr0_allowed)
		return -EINVAL;
	return hv_ops->set_sregs(vcpu, sregs);
}

static long hvk_vcpu_ioctl_get_cpuid(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;

	memcpy(data, &vcpu->cpuid, sizeof(vcpu->cpuid));
	return 0;
}

static long hvk_vcpu_ioctl_set_cpuid(void *obj, void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	const struct hv_cpuid *c = data;
	long r;

	r = hv_cpuid_check(c);
	if (!r) {
		vcpu->cpuid = *c;
		hv_xsave_cpuid_changed(vcpu);
	}
	return r;
}

/*
 * HV_VCPU_GET/SET_MP_STATE: the vCPU's activity (uapi).  Setting it
 * RUNNABLE starts a vCPU without INIT/SIPI (a program that sets up each
 * vCPU itself, KVM_SET_MP_STATE); HALTED makes the next run wait for an
 * interrupt; WAIT_SIPI for a start-up IPI.
 */
static long hvk_vcpu_ioctl_get_mp_state(void *obj, void *data,
					unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	struct hv_mp_state *mp = data;

	mp->state = vcpu->mp_state;
	return 0;
}

static long hvk_vcpu_ioctl_set_mp_state(void *obj, void *data,
					unsigned long arg)
{
	struct hvk_vcpu *vcpu = obj;
	const struct hv_mp_state *mp = data;

	if (mp->pad || (mp->state != HV_MP_RUNNABLE &&
			mp->state != HV_MP_HALTED &&
			mp->state != HV_MP_WAIT_SIPI))
		return -EINVAL;
	WRITE_ONCE(vcpu->halted_if0, false);
	WRITE_ONCE(vcpu->mp_state, mp->state);
	return 0;
}

/*
 * Every vCPU ioctl holds the vCPU quiet: one thread drives a vCPU, and
 * nobody waits for one that runs (hvk_vcpu_quiet_begin).
 */
static const struct hv_ioctl_desc hvk_vcpu_ioctls[] = {
	{ HV_VCPU_RUN,		hvk_vcpu_ioctl_run,	  HV_IOCTL_VCPU },
	{ HV_VCPU_GET_REGS,	hvk_vcpu_ioctl_get_regs,  HV_IOCTL_VCPU },
	{ HV_VCPU_SET_REGS,	hvk_vcpu_ioctl_set_regs,  HV_IOCTL_VCPU },
	{ HV_VCPU_GET_SREGS,	hvk_vcpu_ioctl_get_sregs, HV_IOCTL_VCPU },
	{ HV_VCPU_SET_SREGS,	hvk_vcpu_ioctl_set_sregs, HV_IOCTL_VCPU },
	{ HV_VCPU_GET_CPUID,	hvk_vcpu_ioctl_get_cpuid, HV_IOCTL_VCPU },
	{ HV_VCPU_SET_CPUID,	hvk_vcpu_ioctl_set_cpuid, HV_IOCTL_VCPU },
	{ HV_VCPU_GET_MP_STATE,	hvk_vcpu_ioctl_get_mp_state, HV_IOCTL_VCPU },
	{ HV_VCPU_SET_MP_STATE,	hvk_vcpu_ioctl_set_mp_state, HV_IOCTL_VCPU },
	{ HV_VCPU_SET_GUEST_DEBUG, hvk_vcpu_ioctl_set_guest_debug,
	  HV_IOCTL_VCPU },
};

static long hvk_vcpu_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return hv_ioctl_dispatch(hvk_vcpu_ioctls, ARRAY_SIZE(hvk_vcpu_ioctls),
				 file->private_data, cmd, arg);
}

static vm_fault_t hvk_vcpu_fault(struct vm_fault *vmf)
{
	struct hvk_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hvk_vcpu_vm_ops = {
	.fault = hvk_vcpu_fault,
};

static int hvk_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > HV_RUN_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND;
	vma->vm_ops = &hvk_vcpu_vm_ops;
	return 0;
}

static int hvk_vcpu_release(struct inode *inode, struct file *file)
{
	struct hvk_vcpu *vcpu = file->private_data;

	hvk_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hvk_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hvk_vcpu_release,
	.unlocked_ioctl	= hvk_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvk_vcpu_mmap,
	.llseek		= noop_llseek,
};
