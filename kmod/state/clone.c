// SPDX-License-Identifier: GPL-2.0
/*
 * HV_VM_CLONE: a new VM that shares the source's RAM copy-on-write and
 * starts from copies of its vCPU and device state.
 *
 * No page is copied at clone time.  The clone's regions point at the
 * same struct pages (one reference per VM), both VMs map them read-only
 * (2 MiB leaves stay 2 MiB: cloning 256 MiB touches a few hundred
 * entries, not 65536) and both mark every page in their rg->cow bitmap.
 * The first write to a page in either VM copies it for that VM alone
 * (hv_mem.c, hv_mem_break_cow); the other VM keeps the original, which
 * is freed by whichever VM drops the last reference.
 */
#include "hv.h"
#include "hv_trace.h"

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#define HV_PAGES_PER_2M		(HV_PT_2M >> PAGE_SHIFT)
/* Fail rather than invoke an OOM killer (the cgroup's included) */
#define HV_CLONE_GFP		(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL)

/*
 * Claim every vCPU of the quiet source (mgmt_lock held: no managed run),
 * so that no attached run starts meanwhile, then take src->lock: the
 * order is mgmt_lock, run_lock, vm->lock (docs/locking.md).  The vCPU
 * array only grows, under vm->lock: one created while we claimed the
 * others is claimed on another round, with src->lock dropped again.
 * 0 with src->lock held; an error (EBUSY) without it.  A vCPU still
 * waiting for userspace to complete an access makes hvk_vcpu_get_state
 * refuse (EBUSY) later.
 */
static int hv_clone_quiesce(struct hvk_vm *src, struct hvk_vcpu **locked,
			    unsigned int *nlocked)
{
	unsigned int i, n;
	int r;

	lockdep_assert_held(&src->mgmt_lock);
	mutex_lock(&src->lock);
	while (*nlocked < src->nr_vcpus) {
		n = src->nr_vcpus;
		for (i = *nlocked; i < n; i++)
			locked[i] = src->vcpus[i];
		mutex_unlock(&src->lock);
		for (i = *nlocked; i < n; i++) {
			r = hvk_vcpu_quiet_begin(locked[i]);
			if (r)
				return r;
			(*nlocked)++;
		}
		mutex_lock(&src->lock);
	}
	return 0;
}

/* Allocate everything the clone's regions need; the source is untouched. */
static int hv_clone_alloc_regions(struct hvk_vm *dst, struct hvk_vm *src)
{
	unsigned int i;

	for (i = 0; i < src->nr_regions; i++) {
		struct hv_region *s = &src->regions[i], *d = &dst->regions[i];
		u64 n = s->size >> PAGE_SHIFT;

		d->gpa = s->gpa;
		d->size = s->size;
		dst->nr_regions = i + 1;	/* hv_mem_free frees it */
		if (hv_region_arrays(d, false))
			return -ENOMEM;
		d->cow = bitmap_zalloc(n, HV_CLONE_GFP);
		if (!s->cow)	/* stays, empty, if we fail later */
			s->cow = bitmap_zalloc(n, HV_CLONE_GFP);
		if (!d->cow || !s->cow)
			return -ENOMEM;
	}
	return 0;
}

/*
 * Point the clone's regions at the source's pages, one reference each:
 * a slot already holding the source's page stays, any other slot (empty,
 * or a page the source has since copied on write and let go of) is taken
 * again.  src->lock held.
 */
static void hv_clone_ref_pages(struct hvk_vm *dst, struct hvk_vm *src)
{
	unsigned int i;
	u64 j, n;

	lockdep_assert_held(&src->lock);
	for (i = 0; i < src->nr_regions; i++) {
		struct hv_region *s = &src->regions[i], *d = &dst->regions[i];

		n = s->size >> PAGE_SHIFT;
		for (j = 0; j < n; j++) {
			if (d->pages[j] == s->pages[j])
				continue;
			get_page(s->pages[j]);
			if (d->pages[j])
				put_page(d->pages[j]);
			d->pages[j] = s->pages[j];
		}
		bitmap_copy(d->huge, s->huge,
			    DIV_ROUND_UP(n, HV_PAGES_PER_2M) + 1);
		cond_resched();
	}
}

/*
 * The clone's page references, taken while the source may still run
 * (HV_CLONE_HOLD) or already quiet: the clone is charged its full size
 * (freed with it: its pages are shared, but each may become its own on a
 * write).  Nothing of the source changes.  src->lock held.
 */
static int hv_clone_take_pages(struct hvk_vm *dst, struct hvk_vm *src)
{
	int r;

	lockdep_assert_held(&src->lock);
	/* Lazy RAM added since hvk_vm_clone() waited: no page to share */
	if (src->lazy_absent)
		return -EBUSY;
	r = hvk_vm_charge_ram(dst, src->mem_size);
	if (r)
		return r;
	r = hv_clone_alloc_regions(dst, src);
	if (r)
		return r;
	hv_clone_ref_pages(dst, src);
	dst->mem_size = src->mem_size;
	return 0;
}

/*
 * At the instant, src->lock held since the source went quiet: the pages
 * taken earlier are still the source's unless it copied some on write
 * meanwhile (each copy counts in cow_copies, the only way a page of a
 * region changes); those are taken again.  EBUSY if RAM was added.
 */
static int hv_clone_recheck_pages(struct hvk_vm *dst, struct hvk_vm *src,
				  u64 cow_copies)
{
	lockdep_assert_held(&src->lock);
	if (src->nr_regions != dst->nr_regions ||
	    src->mem_size != dst->mem_size)
		return -EBUSY;
	if (src->cow_copies != cow_copies)
		hv_clone_ref_pages(dst, src);
	return 0;
}

/*
 * The instant, source quiet and src->lock held: from here on both VMs
 * share every page copy-on-write.  No work per page but the bitmaps.
 */
static int hv_clone_share_pages(struct hvk_vm *dst, struct hvk_vm *src)
{
	unsigned int i;
	u64 n;
	int r;

	lockdep_assert_held(&src->lock);
	/*
	 * The source read-only first.  Failing here (a split out of memory)
	 * leaves some of its leaves read-only with nothing shared yet: the
	 * fault path just makes them writable again.
	 */
	for (i = 0; i < src->nr_regions; i++) {
		r = hv_pt_protect(&src->gpt, src->regions[i].gpa,
				  src->regions[i].size);
		if (r) {
			hv_mem_flush_sync(src);
			return r;
		}
	}
	hv_mem_flush_sync(src);

	for (i = 0; i < src->nr_regions; i++) {
		struct hv_region *s = &src->regions[i], *d = &dst->regions[i];

		n = s->size >> PAGE_SHIFT;
		bitmap_fill(s->cow, n);
		bitmap_fill(d->cow, n);
		s->nr_cow = n;
		d->nr_cow = n;
		/* Writes through the owner's mmap must fault from now on */
		hv_mem_zap_user(src, s, NULL);
	}
	return 0;
}

/*
 * The clone's NPT/EPT, after the instant (the source may run again):
 * only the clone, which nobody can reach yet, is touched.  A failure
 * leaves the source's pages marked shared with a clone that never was:
 * each costs one needless copy, nothing more.
 */
static int hv_clone_map_pages(struct hvk_vm *dst)
{
	unsigned int i;
	int r;

	for (i = 0; i < dst->nr_regions; i++) {
		r = hv_mem_map_region(dst, &dst->regions[i], false);
		if (r)
			return r;
	}
	return 0;
}

/* The source's vCPU state, as HV_VM_GET_VCPU_STATE would give it. */
static int hv_clone_vcpu_state(struct hvk_vcpu *dst, struct hvk_vcpu *src)
{
	struct hv_vcpu_state *st = kvmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	int r;

	if (!st)
		return -ENOMEM;
	st->vcpu_id = src->id;
	r = hvk_vcpu_get_state(src, st);
	if (!r)
		r = hvk_vcpu_set_state(dst, st);
	kvfree(st);
	return r;
}

static int hv_clone_devices(struct hvk_vm *dst, struct hvk_vm *src)
{
	struct hv_device_state *st = kmalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	int r;

	lockdep_assert_held(&src->lock);
	if (!st)
		return -ENOMEM;
	/* As HV_VM_GET/SET_DEVICE_STATE: the UART and the PC platform */
	hvk_vm_ioctl_get_device_state(src, st, 0);
	r = hvk_vm_ioctl_set_device_state(dst, st, 0);
	kfree(st);
	return r;
}

/*
 * The clone's vCPUs, one per source vCPU not made yet, and with @state
 * their registers and devices copied (the source quiet).
 */
static int hv_clone_vcpus(struct hvk_vm *dst, struct hvk_vm *src, bool state)
{
	unsigned int i;
	int r;

	lockdep_assert_held(&src->lock);
	for (i = dst->nr_vcpus; i < src->nr_vcpus; i++) {
		struct hvk_vcpu *v = hvk_vcpu_new(dst, src->vcpus[i]->id);

		if (!v)
			return -ENOMEM;
		dst->vcpus[dst->nr_vcpus++] = v;	/* freed with dst */
	}
	for (i = 0; state && i < src->nr_vcpus; i++) {
		r = hv_clone_vcpu_state(dst->vcpus[i], src->vcpus[i]);
		if (r)
			return r;
	}
	return 0;
}

/*
 * HV_CLONE_HOLD, before the instant, the source perhaps running: what
 * needs no instant.  Its cow_copies now into @cow_copies, for
 * hv_clone_recheck_pages.
 */
static int hv_clone_prepare(struct hvk_vm *dst, struct hvk_vm *src,
			    u64 *cow_copies)
{
	struct mem_cgroup *old_memcg;
	int r;

	mutex_lock(&src->lock);
	old_memcg = set_active_memcg(dst->memcg);
	*cow_copies = src->cow_copies;
	r = hv_clone_take_pages(dst, src);
	if (!r)
		r = hv_clone_vcpus(dst, src, false);
	set_active_memcg(old_memcg);
	mutex_unlock(&src->lock);
	return r;
}

/*
 * The instant: the source quiet (and held, if we paused it), src->lock
 * held.  The pages (again if the source copied some since @cow_copies,
 * or all of them now without HV_CLONE_HOLD), then the sharing, then the
 * vCPUs' and devices' state.
 */
static int hv_clone_instant(struct hvk_vm *dst, struct hvk_vm *src,
			    bool prepared, u64 cow_copies)
{
	int r;

	if (prepared)
		r = hv_clone_recheck_pages(dst, src, cow_copies);
	else
		r = hv_clone_take_pages(dst, src);
	if (!r)
		r = hv_clone_share_pages(dst, src);
	if (!r)
		r = hv_clone_vcpus(dst, src, true);
	if (!r)
		r = hv_clone_devices(dst, src);
	return r;
}

int hvk_vm_clone(struct hvk_vm *src, const struct hv_vm_clone *args)
{
	struct hvk_vcpu *locked[HV_MAX_VCPUS];
	bool hold = args->how & HV_CLONE_HOLD, held = false;
	unsigned int nlocked = 0, i;
	struct mem_cgroup *old_memcg;
	u64 cow_copies = 0, t0 = 0;
	struct hvk_vm *dst;
	int r;

	if ((args->how & ~HV_CLONE_HOLD) || !hv_reserved_zero(args->reserved))
		return -EINVAL;
	/* A clone shares every page: a lazy source's must all be given */
	r = hv_lazy_wait_whole(src);
	if (r)
		return r;
	dst = hvk_vm_new(args->name, args->flags, &r);
	if (!dst)
		return r;
	/*
	 * A clone belongs to the source's owner (root cloning a user's VM
	 * makes that user a VM), and so its name is looked up among that
	 * owner's names.  hvk_vm_publish decides; checking first keeps a
	 * taken name from marking the source's pages shared for nothing.
	 */
	dst->owner = src->owner;
	if (hvk_vm_name_taken(dst->owner, dst->name)) {
		hvk_vm_put(dst);
		return -EEXIST;
	}
	/* The clone is the source owner's: charged to that user and cgroup */
	r = hvk_vm_account_like(dst, src);
	if (r) {
		hvk_vm_put(dst);
		return r;
	}
	trace_hv_clone(src, dst->id, HV_TRACE_CLONE_BEGIN, 0);
	/*
	 * HV_CLONE_HOLD: the page references and vCPUs first, while the
	 * source may run, so that it is held only for the instant (a
	 * reference per page costs time in proportion to RAM).
	 */
	if (hold) {
		r = hv_clone_prepare(dst, src, &cow_copies);
		if (r)
			goto out;
		t0 = ktime_get_ns();
	}
	/*
	 * mgmt_lock: no managed start; run_locks: no attached run; then
	 * src->lock.  @dst is reachable by nobody until it is published,
	 * so its mutexes are not taken (docs/locking.md).
	 */
	r = hold ? hvk_vm_hold_begin(src, &held) : hvk_vm_quiet_begin(src);
	if (r)
		goto out;
	r = hv_clone_quiesce(src, locked, &nlocked);
	if (!r) {
		old_memcg = set_active_memcg(dst->memcg);
		r = hv_clone_instant(dst, src, hold, cow_copies);
		set_active_memcg(old_memcg);
		mutex_unlock(&src->lock);
	}
	for (i = 0; i < nlocked; i++)
		hvk_vcpu_quiet_end(locked[i]);
	hvk_vm_hold_end(src, held);
	if (held) {
		mutex_lock(&src->lock);
		src->clone_holds++;
		src->clone_hold_ns += ktime_get_ns() - t0;
		mutex_unlock(&src->lock);
	}
	/* The source runs again; the clone's tree is the clone's business */
	if (!r) {
		old_memcg = set_active_memcg(dst->memcg);
		r = hv_clone_map_pages(dst);
		set_active_memcg(old_memcg);
	}
out:
	trace_hv_clone(src, dst->id, HV_TRACE_CLONE_END,
		       r ? 0 : dst->mem_size >> PAGE_SHIFT);
	if (r) {
		hvk_vm_put(dst);
		return r;
	}
	return hvk_vm_publish(dst);
}
