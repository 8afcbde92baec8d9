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
 */
#include "hv.h"

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#define HV_PAGES_PER_2M		(HV_PT_2M >> PAGE_SHIFT)

u64 *hv_gpt_alloc_table(void *opaque, u64 *pa)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!page)
		return NULL;
	*pa = page_to_phys(page);
	return page_address(page);
}

void hv_gpt_free_table(void *opaque, u64 *table)
{
	free_page((unsigned long)table);
}

u64 *hv_gpt_table_va(void *opaque, u64 entry)
{
	return phys_to_virt(entry & 0x000ffffffffff000ULL);
}

int hv_mem_gpt_init(struct hv_vm *vm)
{
	return hv_pt_init(&vm->gpt, hv_ops->gpt_ops, vm);
}

static void hv_region_free(struct hv_region *rg)
{
	u64 i, n = rg->size >> PAGE_SHIFT;

	if (rg->pages)
		for (i = 0; i < n; i++)
			if (rg->pages[i])
				__free_page(rg->pages[i]);
	kvfree(rg->pages);
	bitmap_free(rg->huge);
	rg->pages = NULL;
	rg->huge = NULL;
}

/*
 * A guest's RAM must never push the host into the OOM killer: allocations
 * may fail (__GFP_RETRY_MAYFAIL) rather than kill something, a request
 * beyond what the host has available is refused at once, and a fatal
 * signal stops a long allocation.
 */
#define HV_RAM_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | \
			 __GFP_RETRY_MAYFAIL)

static int hv_region_alloc(struct hv_region *rg)
{
	u64 n = rg->size >> PAGE_SHIFT, i, j;
	struct page *page;

	if (n > si_mem_available())
		return -ENOMEM;

	rg->pages = kvcalloc(n, sizeof(*rg->pages),
			     GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL);
	rg->huge = bitmap_zalloc(DIV_ROUND_UP(n, HV_PAGES_PER_2M) + 1,
				 GFP_KERNEL_ACCOUNT);
	if (!rg->pages || !rg->huge)
		goto nomem;

	for (i = 0; i < n; ) {
		u64 gpa = rg->gpa + (i << PAGE_SHIFT);

		if (!(gpa & (HV_PT_2M - 1)) && n - i >= HV_PAGES_PER_2M) {
			page = alloc_pages((HV_RAM_GFP & ~__GFP_RETRY_MAYFAIL) |
					   __GFP_NORETRY, get_order(HV_PT_2M));
			if (page) {
				split_page(page, get_order(HV_PT_2M));
				for (j = 0; j < HV_PAGES_PER_2M; j++)
					rg->pages[i + j] = page + j;
				set_bit(i / HV_PAGES_PER_2M, rg->huge);
				i += HV_PAGES_PER_2M;
				continue;
			}
		}
		page = alloc_page(HV_RAM_GFP);
		if (!page || fatal_signal_pending(current))
			goto nomem_page;
		rg->pages[i++] = page;
		cond_resched();
	}
	return 0;
nomem_page:
	if (page)
		__free_page(page);
nomem:
	hv_region_free(rg);
	return -ENOMEM;
}

/* Map a region into the guest: 2 MiB leaves for the 2 MiB chunks. */
static int hv_region_map(struct hv_vm *vm, struct hv_region *rg)
{
	u64 n = rg->size >> PAGE_SHIFT, i;
	int r;

	for (i = 0; i < n; ) {
		u64 gpa = rg->gpa + (i << PAGE_SHIFT);
		bool huge = !(gpa & (HV_PT_2M - 1)) &&
			    n - i >= HV_PAGES_PER_2M &&
			    test_bit(i / HV_PAGES_PER_2M, rg->huge);
		u64 len = huge ? HV_PT_2M : PAGE_SIZE;

		r = hv_pt_map(&vm->gpt, gpa, page_to_phys(rg->pages[i]), len,
			      huge);
		if (r)
			return r;
		i += len >> PAGE_SHIFT;
	}
	return 0;
}

int hv_mem_add(struct hv_vm *vm, const struct hv_ram_region *req)
{
	struct hv_region *rg;
	unsigned int i;
	int r;

	if (req->flags || req->pad || req->reserved[0] || req->reserved[1])
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

	rg = &vm->regions[vm->nr_regions];
	rg->gpa = req->gpa;
	rg->size = req->size;
	r = hv_region_alloc(rg);
	if (r)
		goto out;
	r = hv_region_map(vm, rg);
	if (r) {
		/*
		 * Table pages already added stay in the tree (freed with it);
		 * the leaves pointing at this region must go, so rebuild the
		 * tree from the regions that remain.
		 */
		hv_pt_destroy(&vm->gpt);
		hv_region_free(rg);
		if (hv_mem_gpt_init(vm) == 0)
			for (i = 0; i < vm->nr_regions; i++)
				hv_region_map(vm, &vm->regions[i]);
		goto out;
	}
	vm->nr_regions++;
	vm->mem_size += rg->size;
	hv_ops->flush_gpt(vm);
out:
	mutex_unlock(&vm->lock);
	return r;
}

void hv_mem_free(struct hv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++)
		hv_region_free(&vm->regions[i]);
	vm->nr_regions = 0;
	vm->mem_size = 0;
}

static struct hv_region *hv_mem_region(struct hv_vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++) {
		struct hv_region *rg = &vm->regions[i];

		if (gpa >= rg->gpa && gpa - rg->gpa < rg->size)
			return rg;
	}
	return NULL;
}

/* The page backing @gpa, or NULL.  Regions are only ever added. */
struct page *hv_mem_page(struct hv_vm *vm, u64 gpa)
{
	struct hv_region *rg;
	struct page *page = NULL;

	mutex_lock(&vm->lock);
	rg = hv_mem_region(vm, gpa);
	if (rg)
		page = rg->pages[(gpa - rg->gpa) >> PAGE_SHIFT];
	mutex_unlock(&vm->lock);
	return page;
}

bool hv_mem_is_ram(struct hv_vm *vm, u64 gpa)
{
	return hv_mem_page(vm, gpa) != NULL;
}

/* Copy guest RAM out; -EFAULT if any byte is not RAM. */
int hv_mem_read(struct hv_vm *vm, u64 gpa, void *buf, size_t len)
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
