// SPDX-License-Identifier: GPL-2.0
/*
 * The second-level page-table tree; see hv_pgtable.h.  Compiled both in
 * the module and, unchanged, in the unit tests.
 */
#include "hv_pgtable.h"

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#include <stddef.h>
#endif

#define HV_PT_ADDR_MASK		0x000ffffffffff000ULL

static unsigned int hv_pt_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * (level - 1))) & (HV_PT_ENTRIES - 1);
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

	if (pt->ops->present(table[idx])) {
		if (level == 2 && pt->ops->is_large(table[idx])) {
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
	table[idx] = pt->ops->table_entry(pa);
	return next;
}

static int hv_pt_map_one(struct hv_pgtable *pt, u64 gpa, u64 hpa, int leaf)
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
	if (pt->ops->present(table[hv_pt_index(gpa, leaf)]))
		return -EEXIST;
	table[hv_pt_index(gpa, leaf)] = pt->ops->leaf_entry(hpa, leaf);
	return 0;
}

int hv_pt_map(struct hv_pgtable *pt, u64 gpa, u64 hpa, u64 size,
	      bool allow_2m)
{
	u64 step;
	int r;

	if ((gpa | hpa | size) & (HV_PT_4K - 1))
		return -EINVAL;
	while (size) {
		bool big = allow_2m && !((gpa | hpa) & (HV_PT_2M - 1)) &&
			   size >= HV_PT_2M;

		step = big ? HV_PT_2M : HV_PT_4K;
		r = hv_pt_map_one(pt, gpa, hpa, big ? 2 : 1);
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
		if (!pt->ops->present(e))
			return false;
		/* Leaves live at level 1, or at level 2 when 2 MiB. */
		if (l == 1 || (l == 2 && pt->ops->is_large(e))) {
			u64 mask = l == 1 ? HV_PT_4K - 1 : HV_PT_2M - 1;

			*hpa = (e & HV_PT_ADDR_MASK & ~mask) | (gpa & mask);
			*level = l;
			return true;
		}
		table = pt->ops->table_va(pt->opaque, e);
	}
	return false;
}

static void hv_pt_free_level(struct hv_pgtable *pt, u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < HV_PT_ENTRIES; i++) {
			u64 e = table[i];

			if (!pt->ops->present(e))
				continue;
			if (level == 2 && pt->ops->is_large(e))
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
