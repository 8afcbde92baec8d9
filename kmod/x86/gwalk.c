// SPDX-License-Identifier: GPL-2.0
/*
 * The guest page walker; see x86/gwalk.h.  Compiled both in the module and,
 * unchanged, in the unit tests.
 */
#include "x86/gwalk.h"

#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PSE	(1ULL << 4)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_LA57	(1ULL << 12)
#define X86_EFER_LMA	(1ULL << 10)

#define PTE_P		(1ULL << 0)
#define PTE_PS		(1ULL << 7)
/* SDM Vol 3A, 4.1.4: physical addresses are at most 52 bits */
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/* Read the @size-byte entry at @gpa; -EFAULT if unreadable or not present. */
static int hv_gwalk_entry(const struct hv_gwalk_ctx *c, u64 gpa,
			  unsigned int size, u64 *entry)
{
	u32 e32 = 0;
	u64 e64 = 0;

	if (size == 4) {
		if (c->read_gpa(c->opaque, gpa, &e32, 4))
			return -EFAULT;
		e64 = e32;
	} else if (c->read_gpa(c->opaque, gpa, &e64, 8)) {
		return -EFAULT;
	}
	if (!(e64 & PTE_P))
		return -EFAULT;
	*entry = e64;
	return 0;
}

/* A leaf mapping a page of 2^@shift bytes. */
static u64 hv_gwalk_leaf(u64 entry, unsigned int shift, u64 gla)
{
	u64 off = (1ULL << shift) - 1;

	/* Bit 12 of a large-page entry is PAT, cleared by ~off. */
	return (entry & PTE_ADDR_MASK & ~off) | (gla & off);
}

/* SDM Vol 3A, 4.3: 32-bit paging, 4 KiB pages and (CR4.PSE) 4 MiB pages. */
static int hv_gwalk_32(const struct hv_gwalk_ctx *c, u32 gla, u64 *gpa)
{
	u64 pde, pte;
	int r;

	r = hv_gwalk_entry(c, (c->cr3 & 0xfffff000) + (gla >> 22) * 4, 4, &pde);
	if (r)
		return r;
	if ((c->cr4 & X86_CR4_PSE) && (pde & PTE_PS)) {
		/* SDM Vol 3A, Table 4-4: PSE-36, PDE bits 20:13 are address bits 39:32 */
		*gpa = (pde & 0xffc00000) | ((pde >> 13) & 0xff) << 32 |
		       (gla & 0x3fffff);
		return 0;
	}
	r = hv_gwalk_entry(c, (pde & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4,
			   4, &pte);
	if (r)
		return r;
	*gpa = (pte & 0xfffff000) | (gla & 0xfff);
	return 0;
}

/*
 * SDM Vol 3A, 4.4: PAE paging.  The CPU loads the four PDPTEs when CR3 is
 * written; reading them from memory again is what KVM's walker does too,
 * and differs only if the guest changed its PDPT without reloading CR3.
 */
static int hv_gwalk_pae(const struct hv_gwalk_ctx *c, u32 gla, u64 *gpa)
{
	u64 pdpte, pde, pte;
	int r;

	/* SDM Vol 3A, 4.4.1: the PDPT is 32-byte aligned at CR3[31:5] */
	r = hv_gwalk_entry(c, (c->cr3 & 0xffffffe0) + (gla >> 30) * 8, 8,
			   &pdpte);
	if (r)
		return r;
	r = hv_gwalk_entry(c, (pdpte & PTE_ADDR_MASK) + ((gla >> 21) & 511) * 8,
			   8, &pde);
	if (r)
		return r;
	if (pde & PTE_PS) {
		*gpa = hv_gwalk_leaf(pde, 21, gla);
		return 0;
	}
	r = hv_gwalk_entry(c, (pde & PTE_ADDR_MASK) + ((gla >> 12) & 511) * 8,
			   8, &pte);
	if (r)
		return r;
	*gpa = hv_gwalk_leaf(pte, 12, gla);
	return 0;
}

/* SDM Vol 3A, 4.5: 4-level paging, with 1 GiB (PDPTE.PS) and 2 MiB pages. */
static int hv_gwalk_4level(const struct hv_gwalk_ctx *c, u64 gla, u64 *gpa)
{
	u64 table = c->cr3 & PTE_ADDR_MASK, e;
	unsigned int shift;
	int r;

	for (shift = 39; shift >= 12; shift -= 9) {
		r = hv_gwalk_entry(c, table + ((gla >> shift) & 511) * 8, 8, &e);
		if (r)
			return r;
		/* PS means a leaf in a PDPTE or PDE; in a PTE it is PAT. */
		if (shift == 12 || ((shift == 30 || shift == 21) && (e & PTE_PS))) {
			*gpa = hv_gwalk_leaf(e, shift, gla);
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return -EFAULT;		/* not reached */
}

/* SDM Vol 3A, 4.1.1, Table 4-1: paging mode from CR0.PG, CR4.PAE, EFER.LMA */
int hv_gwalk(const struct hv_gwalk_ctx *c, u64 gla, u64 *gpa)
{
	if (!(c->cr0 & X86_CR0_PG)) {
		*gpa = gla & 0xffffffffULL;
		return 0;
	}
	if (c->efer & X86_EFER_LMA) {
		if (c->cr4 & X86_CR4_LA57)
			return -EINVAL;
		return hv_gwalk_4level(c, gla, gpa);
	}
	if (c->cr4 & X86_CR4_PAE)
		return hv_gwalk_pae(c, (u32)gla, gpa);
	return hv_gwalk_32(c, (u32)gla, gpa);
}

int hv_gwalk_fetch(const struct hv_gwalk_ctx *c, u64 gla, u8 *buf, size_t n)
{
	size_t done = 0, chunk;
	u64 gpa;
	int r;

	if (n > 4096)
		return -EINVAL;		/* an instruction, not a bulk copy */
	while (done < n) {
		chunk = 4096 - ((gla + done) & 4095);
		if (chunk > n - done)
			chunk = n - done;
		r = hv_gwalk(c, gla + done, &gpa);
		if (!r && c->read_gpa(c->opaque, gpa, buf + done, chunk))
			r = -EFAULT;
		if (r)
			return done ? (int)done : r;
		done += chunk;
	}
	return (int)done;
}

int hv_gwalk_split(const struct hv_gwalk_ctx *c, u64 gla, unsigned int size,
		   struct hv_gwalk_piece piece[2])
{
	unsigned int first = 4096 - (gla & 4095);
	u64 next = gla + first;
	int r;

	if (!size || size > 4096)
		return -EINVAL;
	if (first > size)
		first = size;
	r = hv_gwalk(c, gla, &piece[0].gpa);
	if (r)
		return r;
	piece[0].off = 0;
	piece[0].len = first;
	if (first == size)
		return 1;
	/* SDM Vol 3A, 4.1: linear addresses are 32 bits outside IA-32e */
	if (!(c->efer & X86_EFER_LMA))
		next &= 0xffffffffULL;
	r = hv_gwalk(c, next, &piece[1].gpa);
	if (r)
		return r;
	piece[1].off = first;
	piece[1].len = size - first;
	return 2;
}
