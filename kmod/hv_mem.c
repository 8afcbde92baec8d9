// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM: module-owned pages, mapped into the guest through the
 * second-level page tables (NPT/EPT) and into the owner by mmap.
 *
 * Each 2 MiB-aligned block of a region is first tried as one 2 MiB
 * allocation, which lets the NPT/EPT use a 2 MiB leaf; when that fails
 * (fragmentation) or the block is partial, it is built of 4 KiB pages.
 * split_page() turns a 2 MiB allocation into 512 ordinary pages so that
 * every page is reference-counted the same way, for mmap and for freeing.
 *
 * Write tracking.  A RAM page's NPT/EPT leaf is read-only while the page
 * is shared copy-on-write with a clone (rg->cow) or while dirty logging
 * waits for its first write (rg->dirty); the guest's write is then a
 * nested page fault (hv_mem_write_fault) that copies or logs the page,
 * makes it writable and re-enters.  The owner's mmap is tracked the same
 * way through page_mkwrite (hv_mem_user_write).  A leaf may also be
 * read-only for no reason left (logging switched off): the first write
 * simply makes it writable.
 */
#include "hv.h"
#include "hv_trace.h"

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#define HV_PAGES_PER_2M		(HV_PT_2M >> PAGE_SHIFT)

/*
 * Table pages are charged to the VM's memory cgroup whoever adds them: a
 * split on a managed vCPU's fault runs on a kernel thread.
 */
static u64 *hv_gpt_alloc_table(void *opaque, u64 *pa)
{
	struct hvk_vm *vm = opaque;
	struct mem_cgroup *old;
	struct page *page;

	if (hv_fail_alloc())
		return NULL;
	old = set_active_memcg(vm->memcg);
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN |
			  __GFP_RETRY_MAYFAIL);
	set_active_memcg(old);
	if (!page)
		return NULL;
	*pa = page_to_phys(page);
	return page_address(page);
}

static void hv_gpt_free_table(void *opaque, u64 *table)
{
	free_page((unsigned long)table);
}

static u64 *hv_gpt_table_va(void *opaque, u64 entry)
{
	return phys_to_virt(entry & 0x000ffffffffff000ULL);
}

/* The backend's entry format with the core's table memory, for every VM */
static struct hv_pt_ops hv_gpt_ops __ro_after_init;

void __init hv_mem_init(void)
{
	hv_gpt_ops = *hv_ops->gpt_ops;
	hv_gpt_ops.alloc_table = hv_gpt_alloc_table;
	hv_gpt_ops.free_table = hv_gpt_free_table;
	hv_gpt_ops.table_va = hv_gpt_table_va;
}

int hv_mem_gpt_init(struct hvk_vm *vm)
{
	/* Generation 1: a vCPU's first entry (its 0) flushes */
	atomic64_set(&vm->gpt_gen, 1);
	return hv_pt_init(&vm->gpt, &hv_gpt_ops, vm);
}

static void hv_region_free(struct hv_region *rg)
{
	u64 i, n = rg->size >> PAGE_SHIFT;

	if (rg->pages)
		for (i = 0; i < n; i++)
			if (rg->pages[i])
				__free_page(rg->pages[i]);	/* our reference */
	kvfree(rg->pages);
	bitmap_free(rg->huge);
	bitmap_free(rg->dirty);
	bitmap_free(rg->cow);
	bitmap_free(rg->absent);
	rg->pages = NULL;
	rg->absent = NULL;
	rg->nr_absent = 0;
	rg->huge = NULL;
	rg->dirty = NULL;
	rg->cow = NULL;
	rg->nr_cow = 0;
}

/*
 * A guest's RAM must never push the host into the OOM killer: allocations
 * may fail (__GFP_RETRY_MAYFAIL) rather than kill something, a request
 * that would pass its owner's limit or eat into the host's reserve is
 * refused before anything is allocated (hvk_vm_charge_ram), and a fatal
 * signal stops a long allocation.  The caller has made the VM's memory
 * cgroup the active one.
 */
#define HV_RAM_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | \
			 __GFP_RETRY_MAYFAIL)

bool hv_mem_alloc_2m(gfp_t gfp, struct page **slots)
{
	struct page *page;
	unsigned int j;

	if (hv_fail_alloc())
		return false;
	/* Fragmentation is no error: never try hard, never warn */
	page = alloc_pages((gfp & ~__GFP_RETRY_MAYFAIL) | __GFP_NORETRY |
			   __GFP_NOWARN, get_order(HV_PT_2M));
	if (!page)
		return false;
	split_page(page, get_order(HV_PT_2M));
	for (j = 0; j < HV_PAGES_PER_2M; j++)
		slots[j] = page + j;
	return true;
}

int hv_region_arrays(struct hv_region *rg, bool lazy)
{
	u64 n = rg->size >> PAGE_SHIFT;

	if (hv_fail_alloc())
		return -ENOMEM;
	rg->pages = kvcalloc(n, sizeof(*rg->pages),
			     GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	rg->huge = bitmap_zalloc(DIV_ROUND_UP(n, HV_PAGES_PER_2M) + 1,
				 GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	if (lazy)
		rg->absent = bitmap_zalloc(n, GFP_KERNEL_ACCOUNT |
					   __GFP_RETRY_MAYFAIL);
	if (!rg->pages || !rg->huge || (lazy && !rg->absent)) {
		hv_region_free(rg);
		return -ENOMEM;
	}
	return 0;
}

static int hv_region_alloc(struct hv_region *rg)
{
	u64 n = rg->size >> PAGE_SHIFT, i;
	struct page *page = NULL;

	if (hv_region_arrays(rg, false))
		return -ENOMEM;

	for (i = 0; i < n; ) {
		u64 gpa = rg->gpa + (i << PAGE_SHIFT);

		if (!(gpa & (HV_PT_2M - 1)) && n - i >= HV_PAGES_PER_2M &&
		    hv_mem_alloc_2m(HV_RAM_GFP, rg->pages + i)) {
			set_bit(i / HV_PAGES_PER_2M, rg->huge);
			i += HV_PAGES_PER_2M;
			continue;
		}
		page = hv_fail_alloc() ? NULL : alloc_page(HV_RAM_GFP);
		if (!page || fatal_signal_pending(current))
			goto nomem_page;
		rg->pages[i++] = page;
		cond_resched();
	}
	return 0;
nomem_page:
	if (page)
		__free_page(page);
	hv_region_free(rg);
	return -ENOMEM;
}

/*
 * Map a region into the guest: 2 MiB leaves for the 2 MiB chunks,
 * writable or read-only (a clone, or a rebuild that keeps COW and dirty
 * tracking: a needless read-only leaf costs one fault).
 */
int hv_mem_map_region(struct hvk_vm *vm, struct hv_region *rg, bool write)
{
	u64 n = rg->size >> PAGE_SHIFT, i;
	int r;

	for (i = 0; i < n; ) {
		u64 gpa = rg->gpa + (i << PAGE_SHIFT);
		bool huge = !(gpa & (HV_PT_2M - 1)) &&
			    n - i >= HV_PAGES_PER_2M &&
			    test_bit(i / HV_PAGES_PER_2M, rg->huge);
		u64 len = huge ? HV_PT_2M : PAGE_SIZE;

		if (!rg->pages[i]) {	/* lazy, not given yet: no leaf */
			i++;
			continue;
		}
		r = hv_pt_map_prot(&vm->gpt, gpa, page_to_phys(rg->pages[i]),
				   len, huge, write);
		if (r)
			return r;
		i += len >> PAGE_SHIFT;
	}
	return 0;
}

int hv_mem_add(struct hvk_vm *vm, const struct hv_ram_region *req)
{
	struct mem_cgroup *old_memcg;
	struct hv_region *rg;
	unsigned int i;
	int r;

	if ((req->flags & ~HV_RAM_LAZY) || !hv_reserved_zero(req->pad) ||
	    !hv_reserved_zero(req->reserved))
		return -EINVAL;
	if (!req->size || (req->gpa | req->size) & (PAGE_SIZE - 1) ||
	    req->size > HV_MAX_RAM || req->gpa >= HV_MAX_GPA ||
	    req->size > HV_MAX_GPA - req->gpa)
		return -EINVAL;

	mutex_lock(&vm->lock);
	r = -EBUSY;
	if (atomic_read(&vm->nr_running))
		goto out;
	r = -EINVAL;
	if (vm->nr_regions == HV_MAX_REGIONS ||
	    req->size > HV_MAX_RAM - vm->mem_size)
		goto out;
	for (i = 0; i < vm->nr_regions; i++) {
		rg = &vm->regions[i];
		if (req->gpa < rg->gpa + rg->size &&
		    rg->gpa < req->gpa + req->size)
			goto out;
	}

	r = hvk_vm_charge_ram(vm, req->size);
	if (r)
		goto out;
	rg = &vm->regions[vm->nr_regions];
	rg->gpa = req->gpa;
	rg->size = req->size;
	if (req->flags & HV_RAM_LAZY) {
		/* No page, no leaf: each comes from the filler (hv_lazy.c) */
		r = hv_lazy_region_init(vm, rg);
		if (r)
			goto uncharge;
		goto added;
	}
	/* Whoever adds it, the RAM is charged to the VM's cgroup */
	old_memcg = set_active_memcg(vm->memcg);
	r = hv_region_alloc(rg);
	set_active_memcg(old_memcg);
	if (r)
		goto uncharge;
	r = hv_mem_map_region(vm, rg, true);
	if (r) {
		/*
		 * vCPUs hold this tree's root (nCR3, EPTP): never rebuild it.
		 * Remove only the leaves this call added (no memory needed;
		 * tables it added stay, empty, until the tree goes) and make
		 * sure no CPU still caches them before the pages go.
		 */
		WARN_ON_ONCE(hv_pt_unmap(&vm->gpt, rg->gpa, rg->size));
		hv_mem_flush_sync(vm);
		hv_region_free(rg);
		goto uncharge;
	}
added:
	vm->nr_regions++;
	vm->mem_size += rg->size;
	hv_gpt_changed(vm);
	goto out;
uncharge:
	hvk_vm_uncharge_ram(vm, req->size);
out:
	mutex_unlock(&vm->lock);
	return r;
}

void hv_mem_free(struct hvk_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++)
		hv_region_free(&vm->regions[i]);
	vm->nr_regions = 0;
	vm->mem_size = 0;
}

struct hv_region *hv_mem_region(struct hvk_vm *vm, u64 gpa)
{
	unsigned int i;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < vm->nr_regions; i++) {
		struct hv_region *rg = &vm->regions[i];

		if (gpa >= rg->gpa && gpa - rg->gpa < rg->size)
			return rg;
	}
	return NULL;
}

/*
 * The page backing @gpa, or NULL.  Regions are only ever added.  A lazy
 * page not given yet is waited for (NULL if it never comes).
 */
struct page *hv_mem_page(struct hvk_vm *vm, u64 gpa)
{
	struct hv_region *rg;
	struct page *page = NULL;

	if (hvk_lazy_wait(vm, gpa))
		return NULL;
	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (rg)
		page = rg->pages[(gpa - rg->gpa) >> PAGE_SHIFT];
	mutex_unlock(&vm->lock);
	return page;
}

/*
 * The page for a fault of the owner's mmap: referenced, and locked, so
 * the mm installs its PTE before anyone who replaces the page (COW) and
 * then takes its lock can zap the mappings (hv_mem_break_cow).
 */
struct page *hv_mem_fault_page(struct hvk_vm *vm, u64 gpa)
{
	struct hv_region *rg;
	struct page *page = NULL;

	if (hvk_lazy_wait(vm, gpa))
		return NULL;		/* never given: SIGBUS */
	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (rg) {
		page = rg->pages[(gpa - rg->gpa) >> PAGE_SHIFT];
		if (page) {
			get_page(page);
			lock_page(page);
		}
	}
	mutex_unlock(&vm->lock);
	return page;
}

/* RAM at @gpa, given yet or not (no wait for a lazy page) */
bool hv_mem_is_ram(struct hvk_vm *vm, u64 gpa)
{
	bool ram;

	mutex_lock(&vm->lock);
	ram = hv_mem_region(vm, gpa) != NULL;
	mutex_unlock(&vm->lock);
	return ram;
}

/* Copy guest RAM out; -EFAULT if any byte is not RAM. */
int hv_mem_read(struct hvk_vm *vm, u64 gpa, void *buf, size_t len)
{
	while (len) {
		size_t off = gpa & (PAGE_SIZE - 1);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		struct page *page = hv_mem_page(vm, gpa);

		if (!page)
			return -EFAULT;
		memcpy_from_page(buf, page, off, n);
		buf += n;
		gpa += n;
		len -= n;
	}
	return 0;
}

/* ---- write tracking: copy-on-write and dirty logging ---- */

static void hv_mem_nop(void *info)
{
}

/*
 * Make every vCPU of @vm drop its cached NPT/EPT translations before we
 * go on.  hv_gpt_changed() bumps the generation that every vCPU compares,
 * with interrupts off, right before entry (hv_guest_enter_irqoff); a vCPU
 * in guest mode leaves it on any host interrupt (SVM INTR intercept, APM
 * Vol 2, 15.13.1; VMX external-interrupt exiting, SDM Vol 3C, 25.6.1).
 *
 * Only a vCPU in guest mode now can hold the old translations in use, so
 * only its CPU gets a synchronous IPI (KVM's kvm_flush_remote_tlbs sends
 * requests the same way).  The entry writes ->cpu and ->mode, then
 * smp_mb(), then reads the generation; we bump the generation, smp_mb(),
 * then read ->mode and ->cpu.  Either we see it IN_GUEST on the CPU it
 * entered on and the IPI makes it exit, or its entry sees the new
 * generation and flushes.  A vCPU outside the guest flushes on its next
 * entry.  So no CPU is interrupted when no vCPU runs, the common case
 * of a copy-on-write break, which its own vCPU takes.
 */
void hv_mem_flush_sync(struct hvk_vm *vm)
{
	unsigned int i;
	int cpu;

	/* No leaf changes meanwhile; the vCPU array is stable */
	lockdep_assert_held(&vm->lock);
	hv_gpt_changed(vm);
	/* Pairs with the smp_mb() in hv_guest_enter_irqoff() */
	smp_mb__after_atomic();
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct hvk_vcpu *v = vm->vcpus[i];

		if (READ_ONCE(v->mode) != HV_VCPU_IN_GUEST)
			continue;
		cpu = READ_ONCE(v->cpu);
		/* Waits until @cpu took it: out of guest mode by then */
		smp_call_function_single(cpu, hv_mem_nop, NULL, 1);
	}
}

/*
 * Make the owner's mmap of @rg (of the pages in @only, or all) read-only
 * again, so that the next write through it calls page_mkwrite.  That
 * returns with the page locked and the mm installs the writable PTE
 * before unlocking it: taking each page's lock waits out a write fault
 * that decided before our change, and the zap then removes its PTE.
 * Called with vm->lock held (lock order: vm->lock, then page lock).
 */
void hv_mem_zap_user(struct hvk_vm *vm, struct hv_region *rg,
		     const unsigned long *only)
{
	u64 n = rg->size >> PAGE_SHIFT, i;

	lockdep_assert_held(&vm->lock);
	if (!mapping_mapped(&vm->mapping))
		return;
	for (i = 0; i < n; i++) {
		if ((only && !test_bit(i, only)) || !rg->pages[i])
			continue;
		lock_page(rg->pages[i]);
		unlock_page(rg->pages[i]);
		if (only)
			unmap_mapping_range(&vm->mapping,
					    rg->gpa + (i << PAGE_SHIFT),
					    PAGE_SIZE, 1);
		cond_resched();
	}
	if (!only)
		unmap_mapping_range(&vm->mapping, rg->gpa, rg->size, 1);
}

/*
 * Give this VM its own copy of shared page @idx.  Nobody can write the
 * old page (read-only in every VM's NPT/EPT and every user mapping), so
 * the copy is exact.  The new page is first mapped read-only and every
 * vCPU flushed: no vCPU may still read the old page once anyone can
 * write the new one.  Then it becomes writable.
 */
static int hv_mem_break_cow(struct hvk_vm *vm, struct hv_region *rg, u64 idx)
{
	u64 gpa = rg->gpa + (idx << PAGE_SHIFT);
	struct page *old = rg->pages[idx], *new;
	struct mem_cgroup *old_memcg;
	int r;

	lockdep_assert_held(&vm->lock);
	/*
	 * Ours alone by now: the VMs that shared it are gone (a live
	 * snapshot's clone, once its file is written) and nobody maps it,
	 * so only this region's reference is left.  Nobody can take a new
	 * one that matters: a clone of this VM needs vm->lock, and a fault
	 * of the owner's mmap gets this same page.  Reuse it, as the
	 * kernel's own copy-on-write reuses a page whose other users left
	 * (do_wp_page): permission is only added, no copy, no flush.
	 */
	if (page_ref_count(old) == 1) {
		r = hv_pt_set_4k(&vm->gpt, gpa, page_to_phys(old), true);
		if (r)
			return r;
		hv_gpt_changed(vm);
		__clear_bit(idx, rg->cow);
		rg->nr_cow--;
		vm->cow_reused++;
		return 0;
	}
	/*
	 * The page is within what the owner was charged (a clone is
	 * charged in full); the copy still needs room in the VM's cgroup,
	 * which may be charged from a managed vCPU's kernel thread, and
	 * must leave the host its reserve.  Refused: only this guest stops.
	 */
	if (!hv_host_reserve_ok(1) || hv_fail_alloc())
		return -ENOMEM;
	old_memcg = set_active_memcg(vm->memcg);
	new = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_NOWARN |
			 __GFP_RETRY_MAYFAIL);
	set_active_memcg(old_memcg);
	if (!new)
		return -ENOMEM;
	copy_highpage(new, old);
	r = hv_pt_set_4k(&vm->gpt, gpa, page_to_phys(new), false);
	if (r) {
		__free_page(new);
		return r;
	}
	hv_mem_flush_sync(vm);
	rg->pages[idx] = new;
	__clear_bit(idx, rg->cow);
	rg->nr_cow--;
	/* The 2 MiB chunk is no longer one contiguous block */
	__clear_bit(idx / HV_PAGES_PER_2M, rg->huge);
	vm->cow_copies++;
	/* Writable only now; the extra bump is cheap and keeps it simple */
	hv_pt_set_4k(&vm->gpt, gpa, page_to_phys(new), true);
	hv_gpt_changed(vm);
	/*
	 * The owner's mmap still shows the old page: refault onto the new.
	 * The old page's lock waits out a fault that found it before.
	 */
	lock_page(old);
	unlock_page(old);
	unmap_mapping_range(&vm->mapping, gpa, PAGE_SIZE, 1);
	__free_page(old);		/* this VM's reference */
	return 0;
}

/*
 * A guest write hit a read-only leaf at @gpa.  Returns >0 when it was RAM
 * and the guest may write now (re-enter): what it was, HV_NPF_COW,
 * HV_NPF_DIRTY or HV_NPF_RETRY (for the tracepoint hv_npf); 0 when @gpa
 * is not RAM (MMIO), or a negative errno (out of memory).
 */
int hv_mem_write_fault(struct hvk_vm *vm, u64 gpa)
{
	int how = HV_NPF_RETRY;
	struct hv_region *rg;
	u64 idx;
	int r = 0;

	gpa &= PAGE_MASK;
	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (!rg)
		goto out;
	idx = (gpa - rg->gpa) >> PAGE_SHIFT;
	if (!rg->pages[idx]) {		/* lazy: its caller waits first */
		r = -EIO;
		goto out;
	}
	if (rg->cow && test_bit(idx, rg->cow)) {
		r = hv_mem_break_cow(vm, rg, idx);
		how = HV_NPF_COW;
	} else if (!hv_pt_writable(&vm->gpt, gpa)) {
		/* More permission: no other vCPU can hold a stale entry */
		r = hv_pt_set_4k(&vm->gpt, gpa, page_to_phys(rg->pages[idx]),
				 true);
		hv_gpt_changed(vm);
	}
	/* else: another vCPU fixed it first */
	if (r == 0) {
		if (rg->dirty) {
			set_bit(idx, rg->dirty);
			vm->dirty_faults++;
			if (how == HV_NPF_RETRY)
				how = HV_NPF_DIRTY;
		}
		r = how;
	}
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * A nested page fault on @gpa, RAM that the tree maps.  hv_handle_npf()
 * has already answered a write to RAM (hv_mem_write_fault), so this is a
 * read or a fetch, and no entry of RAM is ever absent while a vCPU runs:
 * the walk failed for no reason of ours (QEMU 7.2's emulated SVM was
 * seen to report one, for a 2-vCPU Linux's read of its own PML4), and the
 * access only has to be tried again, as KVM does for a spurious fault.
 * MMIO exits, the hot case, leave at the lockless region test.
 */
bool hv_mem_fault_spurious(struct hvk_vm *vm, u64 gpa)
{
	u64 hpa;
	int level;
	bool ok;

	if (!hv_mem_is_ram(vm, gpa))
		return false;
	mutex_lock(&vm->lock);
	ok = hv_pt_lookup(&vm->gpt, gpa, &hpa, &level);
	mutex_unlock(&vm->lock);
	return ok;
}

/*
 * page_mkwrite of the owner's mmap: the first write through a mapping of
 * @page at @gpa.  A shared page is copied for this VM (the access then
 * refaults onto the copy); any other is logged and returned locked, as
 * do_page_mkwrite() wants (6.1 mm/memory.c: a page without ->mapping,
 * like ours, would otherwise be retried forever).
 */
vm_fault_t hv_mem_user_write(struct hvk_vm *vm, u64 gpa, struct page *page)
{
	struct hv_region *rg;
	vm_fault_t ret = VM_FAULT_NOPAGE;
	u64 idx;

	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (!rg) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	idx = (gpa - rg->gpa) >> PAGE_SHIFT;
	if (rg->pages[idx] != page)
		goto out;		/* replaced meanwhile: refault */
	if (rg->cow && test_bit(idx, rg->cow)) {
		if (hv_mem_break_cow(vm, rg, idx))
			ret = VM_FAULT_OOM;
		else if (rg->dirty)
			set_bit(idx, rg->dirty);
		goto out;
	}
	if (rg->dirty)
		set_bit(idx, rg->dirty);
	lock_page(page);
	ret = VM_FAULT_LOCKED;
out:
	mutex_unlock(&vm->lock);
	return ret;
}

static struct hv_region *hv_mem_region_at(struct hvk_vm *vm, u64 gpa)
{
	struct hv_region *rg = hv_mem_region(vm, gpa);

	return rg && rg->gpa == gpa ? rg : NULL;
}

static bool hv_dirty_log_args_ok(const struct hv_dirty_log *req, u32 flags)
{
	return !(req->flags & ~flags) && hv_reserved_zero(req->pad) &&
	       hv_reserved_zero(req->reserved);
}

int hv_mem_set_dirty_log(struct hvk_vm *vm, const struct hv_dirty_log *req)
{
	struct mem_cgroup *old_memcg;
	struct hv_region *rg;
	unsigned long *bm = NULL;
	int r = 0;

	if (!hv_dirty_log_args_ok(req, HV_DIRTY_LOG_ENABLE))
		return -EINVAL;
	/* Logging watches pages: every one must be there */
	r = hv_lazy_wait_whole(vm);
	if (r)
		return r;
	mutex_lock(&vm->lock);
	rg = hv_mem_region_at(vm, req->gpa);
	if (!rg) {
		r = -EINVAL;
		goto out;
	}
	if (rg->nr_absent) {		/* a lazy region added meanwhile */
		r = -EBUSY;
		goto out;
	}
	if (!(req->flags & HV_DIRTY_LOG_ENABLE)) {
		/* Leaves stay read-only; the first write makes each writable */
		bitmap_free(rg->dirty);
		rg->dirty = NULL;
		goto out;
	}
	old_memcg = set_active_memcg(vm->memcg);
	bm = bitmap_zalloc(rg->size >> PAGE_SHIFT,
			   GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	set_active_memcg(old_memcg);
	if (!bm) {
		r = -ENOMEM;
		goto out;
	}
	/*
	 * Leaves read-only first: a failure (a split out of memory) leaves
	 * some read-only with logging off, which the fault path tolerates.
	 */
	r = hv_pt_protect(&vm->gpt, rg->gpa, rg->size);
	if (r) {
		bitmap_free(bm);
		hv_mem_flush_sync(vm);
		goto out;
	}
	bitmap_free(rg->dirty);
	rg->dirty = bm;
	hv_mem_flush_sync(vm);
	hv_mem_zap_user(vm, rg, NULL);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * The bitmap goes to the user before anything is cleared, so -EFAULT
 * changes nothing; then exactly the reported pages are cleaned and
 * write-protected again.  A page written between the two steps is
 * reported now and its write is in what the caller copies afterwards.
 * The copy is made without vm->lock: the buffer may be our own mmap.
 */
int hv_mem_get_dirty_log(struct hvk_vm *vm, const struct hv_dirty_log *req)
{
	u64 __user *out = u64_to_user_ptr(req->bitmap);
	struct hv_region *rg;
	unsigned long *snap;
	u64 n, i, gpa;
	size_t bytes;
	int r = 0;

	if (!hv_dirty_log_args_ok(req, 0))
		return -EINVAL;
	mutex_lock(&vm->lock);
	rg = hv_mem_region_at(vm, req->gpa);
	if (!rg || !rg->dirty) {
		mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	n = rg->size >> PAGE_SHIFT;
	bytes = DIV_ROUND_UP(n, 64) * sizeof(u64);
	snap = kvzalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!snap) {
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}
	bitmap_copy(snap, rg->dirty, n);
	mutex_unlock(&vm->lock);

	/* bulk data: the bitmap streams out to the caller's own buffer */
	if (copy_to_user(out, snap, bytes)) {
		r = -EFAULT;
		goto free;
	}

	mutex_lock(&vm->lock);
	if (rg->dirty) {		/* not switched off meanwhile */
		bitmap_andnot(rg->dirty, rg->dirty, snap, n);
		for_each_set_bit(i, snap, n) {
			gpa = rg->gpa + (i << PAGE_SHIFT);
			/* A writable leaf here is always a 4 KiB one */
			if (hv_pt_writable(&vm->gpt, gpa) &&
			    hv_pt_protect(&vm->gpt, gpa, PAGE_SIZE))
				set_bit(i, rg->dirty);	/* still writable */
		}
		vm->dirty_epoch++;
		hv_mem_flush_sync(vm);
		hv_mem_zap_user(vm, rg, snap);
	}
	mutex_unlock(&vm->lock);
	trace_hv_snapshot(vm, HV_TRACE_NO_VCPU, HV_TRACE_DIRTY_LOG,
			  bitmap_weight(snap, n));
free:
	kvfree(snap);
	return r;
}

void hv_mem_get_ram(struct hvk_vm *vm, struct hv_ram_list *list)
{
	unsigned int i;

	memset(list, 0, sizeof(*list));
	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_regions; i++) {
		list->regions[i].gpa = vm->regions[i].gpa;
		list->regions[i].size = vm->regions[i].size;
		list->regions[i].flags =
			(vm->regions[i].dirty ? HV_RAM_DIRTY_LOG : 0) |
			(vm->regions[i].nr_absent ? HV_RAM_LAZY : 0);
	}
	list->count = vm->nr_regions;
	mutex_unlock(&vm->lock);
}
