// SPDX-License-Identifier: GPL-2.0
/*
 * Lazy RAM (API 9): a region whose pages come later, from a filler.
 *
 * A restore that starts the guest before its memory is read adds its
 * regions with HV_RAM_LAZY: charged in full as any RAM, but with no page
 * and no NPT/EPT leaf yet, each page marked in the region's @absent
 * bitmap.  The filler, a process holding the VM's one filler fd
 * (HV_VM_OPEN_LAZY), gives pages with HV_LAZY_FILL: each is allocated in
 * the VM's memory cgroup, copied from the filler, and only then mapped
 * and cleared from @absent.  Until then nothing can see an absent page:
 *
 * - a vCPU's access is a nested page fault (the leaf is not present),
 *   and hv_handle_npf() sleeps here (hv_lazy_vcpu_wait) until the page
 *   is given, then enters the guest again to retry the access;
 * - the owner's mmap fault and the kernel's own reads of guest RAM
 *   (hv_mem_page) sleep the same way (hvk_lazy_wait);
 * - a clone and dirty logging need every page: they wait until the VM
 *   is whole (hv_lazy_wait_whole).
 *
 * Each sleeper queues the page's GPA, so the filler (HV_LAZY_WAIT) can
 * give what is waited for before what it fills in the background.  When
 * the filler says a page cannot be had (HV_LAZY_FAIL: its chunk of the
 * file is corrupt) or closes its fd with pages still absent, the VM's
 * absent memory is lost for good: the VM stops with HV_STOP_LAZY_FAILED
 * and every sleeper fails, so no guest ever runs on memory it was not
 * given.  This is userfaultfd's model, with the kernel's page cache left
 * out: the page is the VM's own from the start.
 */
#include "hv.h"

#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#define HV_PAGES_PER_2M		(HV_PT_2M >> PAGE_SHIFT)

/* Bits @start..+@n of @bm all set (no alignment needed) */
static bool hv_bits_all(const unsigned long *bm, u64 start, u64 n)
{
	return find_next_zero_bit(bm, start + n, start) >= start + n;
}

/* ---- the region's side: hv_mem_add() with HV_RAM_LAZY ---- */

int hv_lazy_region_init(struct hvk_vm *vm, struct hv_region *rg)
{
	u64 n = rg->size >> PAGE_SHIFT;

	lockdep_assert_held(&vm->lock);
	/* Nobody would give its pages: refused rather than a guest hung */
	if (!vm->lazy_open || vm->lazy_error)
		return -EINVAL;
	if (hv_region_arrays(rg, true))
		return -ENOMEM;
	bitmap_fill(rg->absent, n);
	rg->nr_absent = n;
	WRITE_ONCE(vm->lazy_absent, vm->lazy_absent + n);
	return 0;
}

static bool hv_lazy_page_absent(struct hv_region *rg, u64 gpa)
{
	return rg->absent && test_bit((gpa - rg->gpa) >> PAGE_SHIFT,
				      rg->absent);
}

/*
 * The region of an absent page at @gpa, or NULL.  Regions are only ever
 * added and their bitmaps live as long as the VM, so a sleeper may test
 * the bit without vm->lock; the filler clears it after the leaf is in.
 */
static struct hv_region *hv_lazy_absent_region(struct hvk_vm *vm, u64 gpa)
{
	struct hv_region *rg;

	if (!READ_ONCE(vm->lazy_absent))
		return NULL;
	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (rg && !hv_lazy_page_absent(rg, gpa))
		rg = NULL;
	mutex_unlock(&vm->lock);
	return rg;
}

/* Tell the filler that @gpa is waited for (a few; it fills all anyway) */
static void hv_lazy_want(struct hvk_vm *vm, u64 gpa)
{
	unsigned int i;

	gpa &= PAGE_MASK;
	spin_lock(&vm->lazy_want_lock);
	for (i = 0; i < vm->lazy_nwant; i++)
		if (vm->lazy_want[i] == gpa)
			break;
	if (i == vm->lazy_nwant && i < HV_LAZY_WANT)
		vm->lazy_want[vm->lazy_nwant++] = gpa;
	spin_unlock(&vm->lazy_want_lock);
	wake_up_all(&vm->lazy_wq);
}

static void hv_lazy_count_wait(struct hvk_vm *vm, ktime_t t0)
{
	mutex_lock(&vm->lock);
	vm->lazy_waits++;
	vm->lazy_wait_ns += ktime_to_ns(ktime_sub(ktime_get(), t0));
	mutex_unlock(&vm->lock);
}

/*
 * A vCPU's nested page fault at @gpa.  0: not an absent page (the fault
 * is someone else's to handle); 1: enter the guest again, to retry the
 * access with the page given, or to leave at the loop's top for a
 * signal, stop or pause (a paused VM's state is that of the faulting
 * instruction, not yet executed); -EIO: the page will never come.
 */
int hv_lazy_vcpu_wait(struct hvk_vcpu *vcpu, u64 gpa)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hv_region *rg = hv_lazy_absent_region(vm, gpa);
	ktime_t t0;

	if (!rg)
		return 0;
	t0 = ktime_get();
	hv_lazy_want(vm, gpa);
	wait_event_interruptible(vm->lazy_wq,
				 !hv_lazy_page_absent(rg, gpa) ||
				 READ_ONCE(vm->lazy_error) ||
				 READ_ONCE(vm->stop_req) ||
				 READ_ONCE(vm->pause_req));
	hv_lazy_count_wait(vm, t0);
	if (hv_lazy_page_absent(rg, gpa) && READ_ONCE(vm->lazy_error)) {
		/* Managed: the reason is this, whoever noticed first */
		if (hvk_vm_managed_running(vm))
			hvk_vm_request_stop(vm, HV_STOP_LAZY_FAILED,
					    READ_ONCE(vm->lazy_error));
		return -EIO;
	}
	return 1;
}

/*
 * Anyone else's access to @gpa (the owner's mmap, the kernel's reads of
 * guest RAM): 0 once the page is there, -EIO if it never will be, -EINTR
 * for a fatal signal, or for a stop on a managed VM's vCPU thread (a
 * kernel thread: no signal reaches it, and a stopping VM's filler may be
 * gone).  A stop ends no one else's wait: a snapshot of a stopped VM
 * still reads every page.  No pause ends it either: the filler is
 * running, and a vCPU that pauses in the middle of an emulated access
 * could not resume it.
 */
int hvk_lazy_wait(struct hvk_vm *vm, u64 gpa)
{
	struct hv_region *rg = hv_lazy_absent_region(vm, gpa);
	bool kthread = current->flags & PF_KTHREAD;
	ktime_t t0;
	int r;

	if (!rg)
		return 0;
	t0 = ktime_get();
	hv_lazy_want(vm, gpa);
	r = wait_event_killable(vm->lazy_wq,
				!hv_lazy_page_absent(rg, gpa) ||
				READ_ONCE(vm->lazy_error) ||
				(kthread && READ_ONCE(vm->stop_req)));
	hv_lazy_count_wait(vm, t0);
	if (!hv_lazy_page_absent(rg, gpa))
		return 0;
	return READ_ONCE(vm->lazy_error) ? -EIO : -EINTR;
}

/* Clones and dirty logging: every page given, or an error. */
int hv_lazy_wait_whole(struct hvk_vm *vm)
{
	if (!READ_ONCE(vm->lazy_absent))
		return 0;
	if (wait_event_killable(vm->lazy_wq, !READ_ONCE(vm->lazy_absent) ||
				READ_ONCE(vm->lazy_error)))
		return -EINTR;
	return READ_ONCE(vm->lazy_absent) ? -EIO : 0;
}

/*
 * The absent memory is lost (the filler said so, or left): every
 * sleeper fails and a managed run stops with the reason.  @err is the
 * positive errno for the stop's exit status.
 */
static void hvk_lazy_fail_locked(struct hvk_vm *vm, int err, u64 gpa)
{
	lockdep_assert_held(&vm->lock);
	if (!vm->lazy_absent || vm->lazy_error)
		return;
	WRITE_ONCE(vm->lazy_error, err);
	if (err == EPIPE)
		pr_warn_ratelimited("VM %s: its filler left with %llu pages of RAM not given: it stops\n",
				    vm->name, vm->lazy_absent);
	else
		pr_warn_ratelimited("VM %s: its filler cannot give the page at %#llx (%llu pages not given): it stops\n",
				    vm->name, gpa, vm->lazy_absent);
}

static void hvk_lazy_fail(struct hvk_vm *vm, int err, u64 gpa)
{
	bool failed;

	mutex_lock(&vm->lock);
	hvk_lazy_fail_locked(vm, err, gpa);
	failed = vm->lazy_error;
	mutex_unlock(&vm->lock);
	if (failed && hvk_vm_managed_running(vm))
		hvk_vm_request_stop(vm, HV_STOP_LAZY_FAILED, err);
	wake_up_all(&vm->lazy_wq);
}

/* ---- the filler's side: the fd of HV_VM_OPEN_LAZY ---- */

/*
 * The pages of a fill: allocated and copied from the filler before
 * vm->lock is taken (the filler's buffer may be this VM's own mmap, and
 * its fault takes the lock).  A 2 MiB-aligned block that the fill
 * covers whole is tried as one 2 MiB allocation, for a 2 MiB leaf, as
 * hv_region_alloc() does.
 */
struct hv_lazy_batch {
	u64 gpa, n;
	struct page **pages;		/* n, NULL where not needed */
	unsigned long *huge;		/* per 2 MiB block of the fill */
};

static void hv_lazy_batch_free(struct hv_lazy_batch *b)
{
	u64 i;

	if (b->pages)
		for (i = 0; i < b->n; i++)
			if (b->pages[i])
				__free_page(b->pages[i]);
	kvfree(b->pages);
	bitmap_free(b->huge);
}

#define HV_LAZY_GFP	(GFP_KERNEL_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

static int hv_lazy_batch_load(struct hvk_vm *vm, struct hv_lazy_batch *b,
			      const unsigned long *absent,
			      const u8 __user *data)
{
	struct mem_cgroup *old;
	struct page *page;
	u64 i;
	int r = 0;

	old = set_active_memcg(vm->memcg);
	for (i = 0; i < b->n && !r; ) {
		u64 gpa = b->gpa + (i << PAGE_SHIFT);

		if (!test_bit(i, absent)) {
			i++;
			continue;
		}
		if (!(gpa & (HV_PT_2M - 1)) && b->n - i >= HV_PAGES_PER_2M &&
		    hv_bits_all(absent, i, HV_PAGES_PER_2M) &&
		    hv_mem_alloc_2m(HV_LAZY_GFP, b->pages + i)) {
			set_bit(i / HV_PAGES_PER_2M, b->huge);
			/* one block: the split pages are contiguous */
			if (copy_from_user(page_address(b->pages[i]),
					   data + (i << PAGE_SHIFT), HV_PT_2M))
				r = -EFAULT;
			i += HV_PAGES_PER_2M;
			continue;
		}
		page = hv_fail_alloc() ? NULL : alloc_page(HV_LAZY_GFP);
		if (!page) {
			r = -ENOMEM;
			break;
		}
		b->pages[i] = page;
		/* bulk data: the guest's page, from the filler's buffer */
		if (copy_from_user(page_address(page), data + (i << PAGE_SHIFT),
				   PAGE_SIZE))
			r = -EFAULT;
		if (fatal_signal_pending(current))
			r = -EINTR;
		i++;
		cond_resched();
	}
	set_active_memcg(old);
	return r;
}

/*
 * Put the loaded pages in, where still absent (another fill may have
 * given some meanwhile; its pages win and ours are freed).  The leaf is
 * written before the bit is cleared: a sleeper that sees the bit clear
 * enters the guest and must find the leaf.  Adding a leaf where there
 * was none leaves no stale translation to flush (APM Vol 2, 15.25.10;
 * SDM Vol 3C, 28.3.3.1: not-present entries are not cached).
 */
static int hv_lazy_install(struct hvk_vm *vm, struct hv_region *rg,
			   struct hv_lazy_batch *b, u64 *filled)
{
	u64 base = (b->gpa - rg->gpa) >> PAGE_SHIFT, i, j, idx;
	int r = 0;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < b->n && !r; ) {
		u64 gpa = b->gpa + (i << PAGE_SHIFT);

		idx = base + i;
		if (!(gpa & (HV_PT_2M - 1)) && test_bit(i / HV_PAGES_PER_2M,
							b->huge) &&
		    hv_bits_all(rg->absent, idx, HV_PAGES_PER_2M)) {
			r = hv_pt_map_prot(&vm->gpt, gpa,
					   page_to_phys(b->pages[i]), HV_PT_2M,
					   true, true);
			if (r)
				break;
			for (j = 0; j < HV_PAGES_PER_2M; j++) {
				rg->pages[idx + j] = b->pages[i + j];
				b->pages[i + j] = NULL;
			}
			set_bit(idx / HV_PAGES_PER_2M, rg->huge);
			smp_mb__before_atomic();
			bitmap_clear(rg->absent, idx, HV_PAGES_PER_2M);
			rg->nr_absent -= HV_PAGES_PER_2M;
			*filled += HV_PAGES_PER_2M;
			i += HV_PAGES_PER_2M;
			continue;
		}
		if (b->pages[i] && test_bit(idx, rg->absent)) {
			r = hv_pt_map_prot(&vm->gpt, gpa,
					   page_to_phys(b->pages[i]), PAGE_SIZE,
					   false, true);
			if (r)
				break;
			rg->pages[idx] = b->pages[i];
			b->pages[i] = NULL;
			smp_mb__before_atomic();
			clear_bit(idx, rg->absent);
			rg->nr_absent--;
			(*filled)++;
		}
		i++;
	}
	WRITE_ONCE(vm->lazy_absent, vm->lazy_absent - *filled);
	vm->lazy_filled += *filled;
	hv_gpt_changed(vm);
	return r;
}

static long hv_lazy_ioctl_fill(void *obj, void *data, unsigned long arg)
{
	struct hvk_vm *vm = obj;
	struct hv_lazy_fill *req = data;
	struct hv_lazy_batch b = { .gpa = req->gpa };
	unsigned long *absent = NULL;
	struct hv_region *rg;
	u64 filled = 0, todo;
	int r;

	if (!hv_reserved_zero(req->reserved) || !req->size ||
	    req->size > HV_LAZY_FILL_MAX ||
	    (req->gpa | req->size) & (PAGE_SIZE - 1))
		return -EINVAL;
	b.n = req->size >> PAGE_SHIFT;

	/* Which pages are still absent: a copy, read without the lock */
	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, req->gpa);
	r = -EINVAL;
	if (!rg || !rg->absent || req->size > rg->size - (req->gpa - rg->gpa))
		goto unlock;
	r = -EIO;
	if (vm->lazy_error)
		goto unlock;
	r = -ENOMEM;
	absent = bitmap_zalloc(b.n, GFP_KERNEL_ACCOUNT);
	if (!absent)
		goto unlock;
	for (todo = 0; todo < b.n; todo++)
		if (test_bit(((req->gpa - rg->gpa) >> PAGE_SHIFT) + todo,
			     rg->absent))
			__set_bit(todo, absent);
	r = 0;
unlock:
	mutex_unlock(&vm->lock);
	if (r)
		goto out;

	todo = bitmap_weight(absent, b.n);
	if (todo) {
		/* What the VM's owner was charged at ADD_RAM; the host's too */
		r = -ENOMEM;
		if (!hv_host_reserve_ok(todo))
			goto out;
		b.pages = kvcalloc(b.n, sizeof(*b.pages), GFP_KERNEL_ACCOUNT);
		b.huge = bitmap_zalloc(DIV_ROUND_UP(b.n, HV_PAGES_PER_2M),
				       GFP_KERNEL_ACCOUNT);
		if (!b.pages || !b.huge)
			goto out;
		r = hv_lazy_batch_load(vm, &b, absent,
				       u64_to_user_ptr(req->data));
		if (r)
			goto out;
		mutex_lock(&vm->lock);
		r = vm->lazy_error ? -EIO : hv_lazy_install(vm, rg, &b, &filled);
		mutex_unlock(&vm->lock);
		wake_up_all(&vm->lazy_wq);
	}
	req->filled = filled;
	req->absent = READ_ONCE(vm->lazy_absent);
out:
	hv_lazy_batch_free(&b);
	bitmap_free(absent);
	return r;
}

/* The next GPA someone waits for that is still absent, or ~0 */
static u64 hv_lazy_next_want(struct hvk_vm *vm)
{
	u64 gpa = HV_LAZY_NONE;

	while (gpa == HV_LAZY_NONE) {
		spin_lock(&vm->lazy_want_lock);
		if (!vm->lazy_nwant) {
			spin_unlock(&vm->lazy_want_lock);
			break;
		}
		gpa = vm->lazy_want[0];
		memmove(vm->lazy_want, vm->lazy_want + 1,
			--vm->lazy_nwant * sizeof(vm->lazy_want[0]));
		spin_unlock(&vm->lazy_want_lock);
		if (!hv_lazy_absent_region(vm, gpa))
			gpa = HV_LAZY_NONE;	/* given meanwhile */
	}
	return gpa;
}

static long hv_lazy_ioctl_wait(void *obj, void *data, unsigned long arg)
{
	struct hvk_vm *vm = obj;
	struct hv_lazy_wait *req = data;
	u64 gpa;

	if ((req->flags & ~HV_LAZY_NOWAIT) || req->pad ||
	    !hv_reserved_zero(req->reserved))
		return -EINVAL;
	for (;;) {
		/* Lost: nothing more to give (and nobody waits for it) */
		if (READ_ONCE(vm->lazy_error))
			return -EIO;
		gpa = hv_lazy_next_want(vm);
		if (gpa != HV_LAZY_NONE || !READ_ONCE(vm->lazy_absent))
			break;
		if (req->flags & HV_LAZY_NOWAIT)
			return -EAGAIN;
		if (wait_event_interruptible(vm->lazy_wq,
					     READ_ONCE(vm->lazy_nwant) ||
					     !READ_ONCE(vm->lazy_absent) ||
					     READ_ONCE(vm->lazy_error)))
			return -EINTR;
	}
	req->gpa = gpa;
	req->absent = READ_ONCE(vm->lazy_absent);
	return 0;
}

static long hv_lazy_ioctl_fail(void *obj, void *data, unsigned long arg)
{
	struct hv_lazy_fail *req = data;

	if (!hv_reserved_zero(req->reserved))
		return -EINVAL;
	hvk_lazy_fail(obj, EIO, req->gpa);
	return 0;
}

static const struct hv_ioctl_desc hv_lazy_ioctls[] = {
	{ HV_LAZY_FILL,	hv_lazy_ioctl_fill,	0 },
	{ HV_LAZY_WAIT,	hv_lazy_ioctl_wait,	0 },
	{ HV_LAZY_FAIL,	hv_lazy_ioctl_fail,	0 },
};

static long hv_lazy_fd_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return hv_ioctl_dispatch(hv_lazy_ioctls, ARRAY_SIZE(hv_lazy_ioctls),
				 file->private_data, cmd, arg);
}

/* The filler left: what it did not give is lost */
static int hv_lazy_fd_release(struct inode *inode, struct file *file)
{
	struct hvk_vm *vm = file->private_data;

	hvk_lazy_fail(vm, EPIPE, 0);
	mutex_lock(&vm->lock);
	vm->lazy_open = false;
	mutex_unlock(&vm->lock);
	hvk_vm_put(vm);
	return 0;
}

static const struct file_operations hv_lazy_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hv_lazy_fd_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= hv_lazy_fd_release,
	.llseek		= noop_llseek,
};

/* HV_VM_OPEN_LAZY: the filler fd, once in a VM's life */
int hv_lazy_open(struct hvk_vm *vm)
{
	int fd;

	mutex_lock(&vm->lock);
	if (vm->lazy_opened) {
		mutex_unlock(&vm->lock);
		return -EBUSY;
	}
	vm->lazy_opened = true;
	vm->lazy_open = true;
	mutex_unlock(&vm->lock);

	kref_get(&vm->ref);
	fd = anon_inode_getfd("hv-lazy", &hv_lazy_fops, vm,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		mutex_lock(&vm->lock);
		vm->lazy_opened = false;
		vm->lazy_open = false;
		mutex_unlock(&vm->lock);
		hvk_vm_put(vm);
	}
	return fd;
}
