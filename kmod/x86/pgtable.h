/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Second-level page tables (NPT, EPT): a 4-level radix tree mapping guest
 * physical to host physical addresses, with 4 KiB and 2 MiB leaves.
 *
 * The tree is the core's; the entry format is the backend's: NPT entries
 * are ordinary x86-64 PTEs (APM Vol 2, 15.25.5), EPT entries have their
 * own permission and memory-type bits (SDM Vol 3C, 29.3.2).  Nothing here
 * needs the kernel, so the unit tests compile it as it is.
 */
#ifndef HV_PGTABLE_H
#define HV_PGTABLE_H

#include "x86/types.h"

#define HV_PT_ENTRIES		512
#define HV_PT_LEVELS		4	/* PML4, PDPT, PD, PT */
#define HV_PT_4K		(1ULL << 12)
#define HV_PT_2M		(1ULL << 21)

/*
 * The entry format, as bits (the backend's), and how the tree gets memory.
 * Both formats are the address OR'ed with fixed bits: a table entry is
 * @pa | table_bits; a leaf is @pa | leaf_bits, | write_mask if writable,
 * | large_mask at level 2 (a 2 MiB page).  Leaves are always readable and
 * executable; a write through a read-only leaf is an NPF / EPT violation
 * (dirty log, COW).
 */
struct hv_pt_ops {
	u64 table_bits;		/* a table entry's bits besides the address */
	u64 leaf_bits;		/* every leaf's: present, memory type */
	u64 present_mask;	/* any of these set: present (table or leaf) */
	u64 write_mask;		/* a leaf that allows writes */
	u64 large_mask;		/* a level-2 entry that is a 2 MiB leaf */
	/*
	 * Table memory: the user's, not the entry format's (the kernel's
	 * core fills these once for both backends: hv_mem_init()).
	 * A zeroed, 4 KiB aligned table; returns its virtual address.
	 */
	u64 *(*alloc_table)(void *opaque, u64 *pa);
	void (*free_table)(void *opaque, u64 *table);
	/* Virtual address of the table an entry points to. */
	u64 *(*table_va)(void *opaque, u64 entry);
};

struct hv_pgtable {
	const struct hv_pt_ops *ops;
	void *opaque;
	u64 *root;		/* PML4 */
	u64 root_pa;
	unsigned long nr_tables;
};

int hv_pt_init(struct hv_pgtable *pt, const struct hv_pt_ops *ops,
	       void *opaque);
/* Map [gpa, gpa+size) to [hpa, ...); 2 MiB leaves where both align. */
int hv_pt_map(struct hv_pgtable *pt, u64 gpa, u64 hpa, u64 size,
	      bool allow_2m);
/* The same, with writable (@write) or read-only leaves. */
int hv_pt_map_prot(struct hv_pgtable *pt, u64 gpa, u64 hpa, u64 size,
		   bool allow_2m, bool write);
/*
 * Make every leaf in [gpa, gpa+size) read-only.  A 2 MiB leaf wholly
 * inside stays one leaf; one that straddles an end is split first.
 * Unmapped holes are skipped.  -ENOMEM (a split failed) leaves the part
 * before the failure protected.
 */
int hv_pt_protect(struct hv_pgtable *pt, u64 gpa, u64 size);
/*
 * Point the 4 KiB page at @gpa, which must be mapped (-ENOENT), at @hpa,
 * writable or not; a 2 MiB leaf around it is first split into 512 4 KiB
 * leaves with its permissions (-ENOMEM: nothing changed).
 */
int hv_pt_set_4k(struct hv_pgtable *pt, u64 gpa, u64 hpa, bool write);
/*
 * Remove every leaf in [gpa, gpa+size); holes are skipped.  Tables stay
 * (empty ones are freed with the tree), so this never allocates or frees
 * and cannot fail once the range is accepted: -EINVAL, with nothing
 * changed, for an unaligned range or one that cuts a 2 MiB leaf.  The
 * caller flushes the CPUs' cached translations.
 */
int hv_pt_unmap(struct hv_pgtable *pt, u64 gpa, u64 size);
/* Is @gpa mapped writable? */
bool hv_pt_writable(struct hv_pgtable *pt, u64 gpa);
/* Look up the host address for @gpa; returns false if not mapped. */
bool hv_pt_lookup(struct hv_pgtable *pt, u64 gpa, u64 *hpa, int *level);
void hv_pt_destroy(struct hv_pgtable *pt);

#endif /* HV_PGTABLE_H */
