// SPDX-License-Identifier: GPL-2.0
/*
 * The second-level page-table tree; see x86/pgtable.h.  Compiled both in
 * the module and, unchanged, in the unit tests.
 */
#include "x86/pgtable.h"

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/errno.h>
#include <asm/barrier.h>
/*
 * The hardware walks the tree while we change it: a new table's entries
 * must be visible before the entry that points at it, and every entry is
 * written in one 64-bit store.
 */
#define hv_pt_store(p, v)	do { smp_wmb(); WRITE_ONCE(*(p), (v)); } while (0)
#else
#include <errno.h>
#include <stddef.h>
#define hv_pt_store(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#endif

#define HV_PT_ADDR_MASK		0x000ffffffffff000ULL

static unsigned int hv_pt_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (HV_PT_ENTRIES - 1);
}

/* The entry format: see struct hv_pt_ops */
static u64 hv_pt_table_entry(const struct hv_pgtable *pt, u64 pa)
{
	return pa | pt->ops->table_bits;
}

static u64 hv_pt_leaf_entry(const struct hv_pgtable *pt, u64 pa, int level,
			    bool write)
{
	return pa | pt->ops->leaf_bits | (write ? pt->ops->write_mask : 0) |
	       (level == 2 ? pt->ops->large_mask : 0);
}

static bool hv_pt_present(const struct hv_pgtable *pt, u64 e)
{
	return e & pt->ops->present_mask;
}

static bool hv_pt_is_writable(const struct hv_pgtable *pt, u64 e)
{
	return e & pt->ops->write_mask;
}

static bool hv_pt_is_large(const struct hv_pgtable *pt, u64 e)
{
	return e & pt->ops->large_mask;
}

int hv_pt_init(struct hv_pgtable *pt, const struct hv_pt_ops *ops,
	       void *opaque)
{
	pt->ops = ops;
	pt->opaque = opaque;
	pt->nr_tables = 0;
	pt->root = ops->alloc_table(opaque, &pt->root_pa);
	if (!pt->root)
		return -ENOMEM;
	pt->nr_tables = 1;
	return 0;
}

/*
 * The table one level below @table[idx] (@table being at @level),
 * created if missing.  A 2 MiB leaf there is not a table: -EEXIST.
 */
static u64 *hv_pt_next(struct hv_pgtable *pt, u64 *table, unsigned int idx,
		       int level, int *err)
{
	u64 pa, *next;

	if (hv_pt_present(pt, table[idx])) {
		if (level == 2 && hv_pt_is_large(pt, table[idx])) {
			*err = -EEXIST;
			return NULL;
		}
		return pt->ops->table_va(pt->opaque, table[idx]);
	}
	next = pt->ops->alloc_table(pt->opaque, &pa);
	if (!next) {
		*err = -ENOMEM;
		return NULL;
	}
	pt->nr_tables++;
	table[idx] = hv_pt_table_entry(pt, pa);
	return next;
}

static int hv_pt_map_one(struct hv_pgtable *pt, u64 gpa, u64 hpa, int leaf,
			 bool write)
{
	u64 *table = pt->root;
	int level, err = 0;

	for (level = HV_PT_LEVELS; level > leaf; level--) {
		table = hv_pt_next(pt, table, hv_pt_index(gpa, level), level,
				   &err);
		if (!table)
			return err;
	}
	/* Regions never overlap, so a present leaf here is a core bug. */
	if (hv_pt_present(pt, table[hv_pt_index(gpa, leaf)]))
		return -EEXIST;
	hv_pt_store(&table[hv_pt_index(gpa, leaf)],
		    hv_pt_leaf_entry(pt, hpa, leaf, write));
	return 0;
}

int hv_pt_map(struct hv_pgtable *pt, u64 gpa, u64 hpa, u64 size,
	      bool allow_2m)
{
	return hv_pt_map_prot(pt, gpa, hpa, size, allow_2m, true);
}

int hv_pt_map_prot(struct hv_pgtable *pt, u64 gpa, u64 hpa, u64 size,
		   bool allow_2m, bool write)
{
	u64 step;
	int r;

	if ((gpa | hpa | size) & (HV_PT_4K - 1))
		return -EINVAL;
	while (size) {
		bool big = allow_2m && !((gpa | hpa) & (HV_PT_2M - 1)) &&
			   size >= HV_PT_2M;

		step = big ? HV_PT_2M : HV_PT_4K;
		r = hv_pt_map_one(pt, gpa, hpa, big ? 2 : 1, write);
		if (r)
			return r;
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

bool hv_pt_lookup(struct hv_pgtable *pt, u64 gpa, u64 *hpa, int *level)
{
	u64 *table = pt->root, e;
	int l;

	for (l = HV_PT_LEVELS; l >= 1; l--) {
		e = table[hv_pt_index(gpa, l)];
		if (!hv_pt_present(pt, e))
			return false;
		/* Leaves live at level 1, or at level 2 when 2 MiB. */
		if (l == 1 || (l == 2 && hv_pt_is_large(pt, e))) {
			u64 mask = l == 1 ? HV_PT_4K - 1 : HV_PT_2M - 1;

			*hpa = (e & HV_PT_ADDR_MASK & ~mask) | (gpa & mask);
			*level = l;
			return true;
		}
		table = pt->ops->table_va(pt->opaque, e);
	}
	return false;
}

/* The leaf entry that maps @gpa (4 KiB or 2 MiB) and its level, or NULL. */
static u64 *hv_pt_leaf(struct hv_pgtable *pt, u64 gpa, int *level)
{
	u64 *table = pt->root;
	int l;

	for (l = HV_PT_LEVELS; l >= 1; l--) {
		u64 *slot = &table[hv_pt_index(gpa, l)];

		if (!hv_pt_present(pt, *slot))
			return NULL;
		if (l == 1 || (l == 2 && hv_pt_is_large(pt, *slot))) {
			*level = l;
			return slot;
		}
		table = pt->ops->table_va(pt->opaque, *slot);
	}
	return NULL;
}

static u64 hv_pt_leaf_pa(u64 e, int level)
{
	return e & HV_PT_ADDR_MASK & ~(level == 2 ? HV_PT_2M - 1 : 0);
}

/*
 * Replace the 2 MiB leaf at @slot by a table of 512 4 KiB leaves for the
 * same pages, with the same permission: the guest sees no difference.
 */
static int hv_pt_split(struct hv_pgtable *pt, u64 *slot)
{
	u64 e = *slot, base = hv_pt_leaf_pa(e, 2), pa, *table;
	bool write = hv_pt_is_writable(pt, e);
	unsigned int i;

	table = pt->ops->alloc_table(pt->opaque, &pa);
	if (!table)
		return -ENOMEM;
	pt->nr_tables++;
	for (i = 0; i < HV_PT_ENTRIES; i++)
		table[i] = hv_pt_leaf_entry(pt, base + i * HV_PT_4K, 1, write);
	hv_pt_store(slot, hv_pt_table_entry(pt, pa));
	return 0;
}

int hv_pt_protect(struct hv_pgtable *pt, u64 gpa, u64 size)
{
	u64 end = gpa + size, *slot;
	int level, r;

	if ((gpa | size) & (HV_PT_4K - 1) || end < gpa)
		return -EINVAL;
	while (gpa < end) {
		slot = hv_pt_leaf(pt, gpa, &level);
		if (!slot) {
			gpa += HV_PT_4K;
			continue;
		}
		if (level == 2 && ((gpa & (HV_PT_2M - 1)) ||
				   end - gpa < HV_PT_2M)) {
			/* Only part of this 2 MiB page is in the range */
			r = hv_pt_split(pt, slot);
			if (r)
				return r;
			continue;
		}
		if (hv_pt_is_writable(pt, *slot))
			hv_pt_store(slot, hv_pt_leaf_entry(pt,
					hv_pt_leaf_pa(*slot, level), level,
					false));
		gpa += level == 2 ? HV_PT_2M : HV_PT_4K;
	}
	return 0;
}

int hv_pt_set_4k(struct hv_pgtable *pt, u64 gpa, u64 hpa, bool write)
{
	u64 *slot;
	int level, r;

	if ((gpa | hpa) & (HV_PT_4K - 1))
		return -EINVAL;
	slot = hv_pt_leaf(pt, gpa, &level);
	if (!slot)
		return -ENOENT;
	if (level == 2) {
		r = hv_pt_split(pt, slot);
		if (r)
			return r;
		slot = hv_pt_leaf(pt, gpa, &level);
	}
	hv_pt_store(slot, hv_pt_leaf_entry(pt, hpa, 1, write));
	return 0;
}

/*
 * Two passes: the first only looks (a 2 MiB leaf cut by an end would need
 * a split, i.e. memory, so it is refused before anything changes); the
 * second clears leaves and nothing else, so it cannot fail.
 */
int hv_pt_unmap(struct hv_pgtable *pt, u64 gpa, u64 size)
{
	u64 end = gpa + size, a, *slot;
	int level;

	if ((gpa | size) & (HV_PT_4K - 1) || end < gpa)
		return -EINVAL;
	for (a = gpa; a < end; ) {
		slot = hv_pt_leaf(pt, a, &level);
		if (slot && level == 2 &&
		    ((a & (HV_PT_2M - 1)) || end - a < HV_PT_2M))
			return -EINVAL;
		a += slot && level == 2 ? HV_PT_2M : HV_PT_4K;
	}
	for (a = gpa; a < end; ) {
		slot = hv_pt_leaf(pt, a, &level);
		if (slot)
			hv_pt_store(slot, 0);
		a += slot && level == 2 ? HV_PT_2M : HV_PT_4K;
	}
	return 0;
}

bool hv_pt_writable(struct hv_pgtable *pt, u64 gpa)
{
	int level;
	u64 *slot = hv_pt_leaf(pt, gpa, &level);

	return slot && hv_pt_is_writable(pt, *slot);
}

static void hv_pt_free_level(struct hv_pgtable *pt, u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < HV_PT_ENTRIES; i++) {
			u64 e = table[i];

			if (!hv_pt_present(pt, e))
				continue;
			if (level == 2 && hv_pt_is_large(pt, e))
				continue;
			hv_pt_free_level(pt, pt->ops->table_va(pt->opaque, e),
					 level - 1);
		}
	}
	pt->ops->free_table(pt->opaque, table);
	pt->nr_tables--;
}

void hv_pt_destroy(struct hv_pgtable *pt)
{
	if (!pt->root)
		return;
	hv_pt_free_level(pt, pt->root, HV_PT_LEVELS);
	pt->root = NULL;
}
