/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page walker: translate a guest-linear address to guest-physical
 * the way the guest's MMU would, reading the guest's own page tables
 * through a callback.  Used to fetch the instruction at the guest's RIP
 * when an MMIO access has to be decoded (x86/insn.h).
 *
 * Only presence is checked: no permission bits, no reserved bits, no
 * accessed/dirty updates.  Nothing here needs the kernel, so the unit
 * tests compile it as it is.
 */
#ifndef HV_GWALK_H
#define HV_GWALK_H

#include "x86/types.h"

struct hv_gwalk_ctx {
	u64 cr0, cr3, cr4, efer;	/* the guest's, at the time of the exit */
	/* Read guest-physical memory; returns 0, or non-zero on failure. */
	int (*read_gpa)(void *opaque, u64 gpa, void *buf, size_t len);
	void *opaque;
};

/*
 * Translate @gla.  Returns 0 with *gpa set; -EFAULT if a table entry is
 * not present or cannot be read (the guest would take a page fault);
 * -EINVAL for 5-level paging (CR4.LA57), which hv does not support.
 */
int hv_gwalk(const struct hv_gwalk_ctx *c, u64 gla, u64 *gpa);

/*
 * Read up to @n bytes at linear address @gla, translating each page on
 * its own, so an instruction that straddles a page boundary comes from
 * two unrelated guest-physical pages.  Returns the number of bytes read:
 * fewer than @n if a later page is missing; -EFAULT if the first one is
 * (-EINVAL as hv_gwalk).  0 if @n is 0; -EINVAL if @n is over 4096.
 */
int hv_gwalk_fetch(const struct hv_gwalk_ctx *c, u64 gla, u8 *buf, size_t n);

/* One page's part of an access: bytes [off, off + len) of it, at gpa. */
struct hv_gwalk_piece {
	u64 gpa;
	unsigned int off, len;
};

/*
 * Split an access of @size bytes (1 to 4096) at linear @gla into its
 * parts in each page, translating each page on its own: the two pages
 * of an access that crosses a boundary may lie anywhere in guest-physical
 * space.  Outside long mode the second page's linear address wraps at
 * 4 GiB.  Returns the number of pieces (1 or 2) or <0 as hv_gwalk.
 */
int hv_gwalk_split(const struct hv_gwalk_ctx *c, u64 gla, unsigned int size,
		   struct hv_gwalk_piece piece[2]);

#endif /* HV_GWALK_H */
