// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU fd, its run area, register access, and the run loop.
 *
 * The run loop (attached mode: HV_VCPU_RUN) enters the guest, lets the
 * core handle the exit, and either re-enters or returns to userspace with
 * the exit described in the run area - bhyve's vm_run() loop, in short:
 *
 *	do { exit = enter guest; r = handle(exit); } while (r > 0);
 */
#include "hv.h"

#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

static const struct file_operations hv_vcpu_fops;

/*
 * An fd for @vcpu.  The fd holds a VM reference (the VM owns the vCPU);
 * the caller holds another, so dropping ours on failure never frees it.
 */
static int hv_vcpu_getfd(struct hv_vcpu *vcpu)
{
	int fd;

	kref_get(&vcpu->vm->ref);
	fd = anon_inode_getfd("hv-vcpu", &hv_vcpu_fops, vcpu,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_vm_put(vcpu->vm);
	return fd;
}

/*
 * A vCPU object in its reset state, not yet in the VM and without an fd.
 * Its memory (VMCB/VMCS, FPU area, run page) is charged to the VM's
 * memory cgroup, whichever process asks.
 */
struct hv_vcpu *hv_vcpu_new(struct hv_vm *vm, u32 id)
{
	struct mem_cgroup *old = set_active_memcg(vm->memcg);
	struct hv_vcpu *vcpu = hv_ops->vcpu_alloc(vm);

	if (!vcpu) {
		set_active_memcg(old);
		return NULL;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->run_lock);
	hv_cpuid_init(&vcpu->cpuid);
	hv_xsave_cpuid_changed(vcpu);
	if (hv_vcpu_fpu_alloc(vcpu))
		goto err;
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err;
	set_active_memcg(old);
	return vcpu;
err:
	set_active_memcg(old);
	hv_vcpu_fpu_free(vcpu);
	hv_ops->vcpu_free(vcpu);
	return NULL;
}

int hv_vcpu_create(struct hv_vm *vm, unsigned long id)
{
	struct hv_vcpu *vcpu;
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
	vcpu = hv_vcpu_new(vm, id);
	if (!vcpu)
		goto out;

	fd = hv_vcpu_getfd(vcpu);
	if (fd < 0) {
		r = fd;
		hv_vcpu_destroy(vcpu);
		goto out;
	}
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	r = fd;
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* HV_VM_OPEN_VCPU: one more fd for a vCPU the VM has (clones, restores). */
int hv_vcpu_open(struct hv_vm *vm, unsigned long id)
{
	unsigned int i;
	int r = -ENOENT;

	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			r = hv_vcpu_getfd(vm->vcpus[i]);
	mutex_unlock(&vm->lock);
	return r;
}

/* Called when the VM goes; no fd can reach the vCPU any more. */
void hv_vcpu_destroy(struct hv_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->run);
	hv_vcpu_fpu_free(vcpu);
	hv_ops->vcpu_free(vcpu);
}

/*
 * Enter the guest and handle exits in the kernel until one needs its
 * driver: userspace (attached mode) or hv_managed.c (managed mode).
 * Returns 0 with run->exit_reason set, or a negative errno.
 */
int hv_vcpu_loop(struct hv_vcpu *vcpu)
{
	struct hv_vm *vm = vcpu->vm;
	struct hv_exit exit;
	int r;

	/* The next piece of a split MMIO access goes out without entering */
	if (hv_complete_userspace_exit(vcpu) > 0) {
		vcpu->run->exit_count = vcpu->exits;
		return 0;
	}
	vcpu->run->exit_reason = HV_EXIT_NONE;

	do {
		/*
		 * A guest `jmp .` must never keep the host from a signal, nor
		 * a managed VM from a stop or pause: every host timer tick
		 * brings us back here.
		 */
		if (signal_pending(current) || READ_ONCE(vm->stop_req) ||
		    READ_ONCE(vm->pause_req)) {
			vcpu->run->exit_reason = HV_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();

		memset(&exit, 0, sizeof(exit));
		/*
		 * The guest's x87/SSE/AVX registers for the entry; the host
		 * task's wait in memory until it returns to userspace
		 * (hv_xsave.c has the order, XCR0 included).
		 */
		kernel_fpu_begin();
		hv_fpu_load_guest(vcpu);
		r = hv_ops->vcpu_run(vcpu, &exit);
		hv_fpu_save_guest(vcpu);
		kernel_fpu_end();
		if (r)
			break;
		vcpu->exits++;
		r = hv_handle_exit(vcpu, &exit);
	} while (r > 0);

	vcpu->run->exit_count = vcpu->exits;
	return r;
}

/* Attached mode: the caller's thread runs the vCPU (HV_VCPU_RUN). */
static int hv_vcpu_run(struct hv_vcpu *vcpu)
{
	struct hv_vm *vm = vcpu->vm;
	int r;

	if (!vm->listed)
		return -ENOENT;		/* destroyed: only teardown remains */
	if (!hv_attached_begin(vm))
		return -EBUSY;		/* the module is running it (managed) */
	r = hv_vcpu_loop(vcpu);
	hv_attached_end(vm);
	return r;
}

static long hv_vcpu_ioctl_run(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;

	return hv_vcpu_run(vcpu);
}

static long hv_vcpu_ioctl_get_regs(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;

	if (copy_to_user((void __user *)arg, &vcpu->regs, sizeof(vcpu->regs)))
		return -EFAULT;
	return 0;
}

static long hv_vcpu_ioctl_set_regs(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;
	struct hv_regs regs;

	if (copy_from_user(&regs, (void __user *)arg, sizeof(regs)))
		return -EFAULT;
	if (!hv_rflags_valid(regs.rflags))
		return -EINVAL;
	vcpu->regs = regs;
	vcpu->pending = HV_PENDING_NONE;
	return 0;
}

static long hv_vcpu_ioctl_get_sregs(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;
	struct hv_sregs sregs;

	memset(&sregs, 0, sizeof(sregs));
	hv_ops->get_sregs(vcpu, &sregs);
	if (copy_to_user((void __user *)arg, &sregs, sizeof(sregs)))
		return -EFAULT;
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
 * (APM Vol 2, 15.5.1) and VM entry (SDM Vol 3C, 26.3.1) enforce, plus
 * CR0.PG without CR0.PE, which MOV to CR0 refuses (#GP).  A backend adds
 * its own checks; whatever slips through becomes an entry-failure exit.
 */
int hv_sregs_check(const struct hv_sregs *s)
{
	bool lme = s->efer & EFER_LME, pg = s->cr0 & X86_CR0_PG;

	if (s->cr0 >> 32 || ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return -EINVAL;
	if (pg && !(s->cr0 & X86_CR0_PE))
		return -EINVAL;
	if (s->cr4 & ~HV_CR4_ALLOWED || s->efer & ~HV_EFER_ALLOWED)
		return -EINVAL;
	if (lme && pg && !(s->cr4 & X86_CR4_PAE))
		return -EINVAL;
	if (!!(s->efer & EFER_LMA) != (lme && pg))	/* LMA = LME & PG */
		return -EINVAL;
	if (lme && pg && s->cs.l && s->cs.db)
		return -EINVAL;
	if (s->cr3 >> 52 || s->cr8 > 0xf)		/* MBZ bits */
		return -EINVAL;
	return 0;
}

static long hv_vcpu_ioctl_set_sregs(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;
	struct hv_sregs sregs;
	size_t i;

	if (copy_from_user(&sregs, (void __user *)arg, sizeof(sregs)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(sregs.reserved); i++)
		if (sregs.reserved[i])
			return -EINVAL;
	if (hv_sregs_check(&sregs))
		return -EINVAL;
	/* CR4.OSXSAVE only for a guest offered XSAVE (hv_xsave.c) */
	if ((sregs.cr4 & X86_CR4_OSXSAVE) && !vcpu->xcr0_allowed)
		return -EINVAL;
	return hv_ops->set_sregs(vcpu, &sregs);
}

static long hv_vcpu_ioctl_get_cpuid(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;

	if (copy_to_user((void __user *)arg, &vcpu->cpuid,
			 sizeof(vcpu->cpuid)))
		return -EFAULT;
	return 0;
}

static long hv_vcpu_ioctl_set_cpuid(void *obj, unsigned long arg)
{
	struct hv_vcpu *vcpu = obj;
	struct hv_cpuid *c;
	long r;

	c = memdup_user((void __user *)arg, sizeof(*c));
	if (IS_ERR(c))
		return PTR_ERR(c);
	r = hv_cpuid_check(c);
	if (!r) {
		vcpu->cpuid = *c;
		hv_xsave_cpuid_changed(vcpu);
	}
	kfree(c);
	return r;
}

static const struct hv_ioctl_desc hv_vcpu_ioctls[] = {
	{ HV_VCPU_RUN,		hv_vcpu_ioctl_run,	 0 },
	{ HV_VCPU_GET_REGS,	hv_vcpu_ioctl_get_regs,	 0 },
	{ HV_VCPU_SET_REGS,	hv_vcpu_ioctl_set_regs,	 0 },
	{ HV_VCPU_GET_SREGS,	hv_vcpu_ioctl_get_sregs, 0 },
	{ HV_VCPU_SET_SREGS,	hv_vcpu_ioctl_set_sregs, 0 },
	{ HV_VCPU_GET_CPUID,	hv_vcpu_ioctl_get_cpuid, 0 },
	{ HV_VCPU_SET_CPUID,	hv_vcpu_ioctl_set_cpuid, 0 },
};

/*
 * Every vCPU ioctl runs under run_lock: one thread drives a vCPU.  A run
 * holds run_lock for as long as the guest runs - an attached HV_VCPU_RUN
 * or a managed VM's thread, for ever if the guest spins in `jmp .` - so
 * nobody ever waits for it: while another holds the vCPU, a vCPU ioctl
 * fails with -EBUSY at once (include/uapi/hv.h).  So does one on a
 * managed VM that is running: its thread lets go of run_lock between
 * exits, but the registers stay the guest's until it pauses or stops.
 */
static long hv_vcpu_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct hv_vcpu *vcpu = file->private_data;
	const struct hv_ioctl_desc *d;
	long r;

	/* A malformed call gets its error whether or not the vCPU runs. */
	d = hv_ioctl_lookup(hv_vcpu_ioctls, ARRAY_SIZE(hv_vcpu_ioctls), cmd);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if (!mutex_trylock(&vcpu->run_lock))
		return -EBUSY;
	if (hv_vm_managed_running(vcpu->vm))
		r = -EBUSY;
	else
		r = d->fn(vcpu, arg);
	mutex_unlock(&vcpu->run_lock);
	return r;
}

static vm_fault_t hv_vcpu_fault(struct vm_fault *vmf)
{
	struct hv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hv_vcpu_vm_ops = {
	.fault = hv_vcpu_fault,
};

static int hv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > HV_RUN_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND;
	vma->vm_ops = &hv_vcpu_vm_ops;
	return 0;
}

static int hv_vcpu_release(struct inode *inode, struct file *file)
{
	struct hv_vcpu *vcpu = file->private_data;

	hv_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hv_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= hv_vcpu_release,
	.unlocked_ioctl	= hv_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hv_vcpu_mmap,
	.llseek		= noop_llseek,
};
