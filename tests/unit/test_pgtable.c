// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/x86/pgtable.c, the second-level page-table tree, compiled as it is,
 * with NPT-style entries (APM Vol 2, 15.25.5: ordinary x86-64 PTEs).
 * Tables come from aligned_alloc(); their "physical" address is their
 * virtual one, which fits the 52-bit address field on x86-64 Linux.
 */
#include <stdlib.h>
#include <string.h>

#include "x86/pgtable.h"
#include "unit.h"

#define P		0x001ULL
#define RW		0x002ULL
#define US		0x004ULL
#define PS		0x080ULL
#define ADDR_MASK	0x000ffffffffff000ULL

#define M2		HV_PT_2M
#define K4		HV_PT_4K
#define G1		(1ULL << 30)

struct tables {
	unsigned long allocs, frees;
	long fail_after;	/* allocations that succeed; -1: all */
};

static u64 *npt_alloc_table(void *opaque, u64 *pa)
{
	struct tables *t = opaque;
	u64 *table;

	if (t->fail_after >= 0 && t->allocs >= (unsigned long)t->fail_after)
		return NULL;
	table = aligned_alloc(4096, 4096);
	ck_assert_ptr_nonnull(table);
	memset(table, 0, 4096);
	t->allocs++;
	*pa = (u64)(uintptr_t)table;
	ck_assert_uint_eq(*pa & ~ADDR_MASK, 0);
	return table;
}

static void npt_free_table(void *opaque, u64 *table)
{
	struct tables *t = opaque;

	t->frees++;
	free(table);
}

static u64 *npt_table_va(void *opaque, u64 entry)
{
	return (u64 *)(uintptr_t)(entry & ADDR_MASK);
}

static const struct hv_pt_ops npt_ops = {
	.table_bits = P | RW | US,
	.leaf_bits = P | US,
	.present_mask = P,
	.write_mask = RW,
	.large_mask = PS,
	.alloc_table = npt_alloc_table,
	.free_table = npt_free_table,
	.table_va = npt_table_va,
};

static struct tables tabs;
static struct hv_pgtable pt;

static void setup(void)
{
	memset(&tabs, 0, sizeof(tabs));
	tabs.fail_after = -1;
	ck_assert_int_eq(hv_pt_init(&pt, &npt_ops, &tabs), 0);
}

/* Every table ever allocated is freed, and the tree's count agrees. */
static void destroy_and_count(void)
{
	ck_assert_uint_eq(pt.nr_tables, tabs.allocs - tabs.frees);
	hv_pt_destroy(&pt);
	ck_assert_ptr_null(pt.root);
	ck_assert_uint_eq(pt.nr_tables, 0);
	ck_assert_uint_eq(tabs.frees, tabs.allocs);
	hv_pt_destroy(&pt);		/* twice is harmless */
	ck_assert_uint_eq(tabs.frees, tabs.allocs);
}

/* Assert @gpa maps to @hpa with a leaf at @level. */
static void expect(u64 gpa, u64 hpa, int level)
{
	u64 got = 0;
	int l = 0;

	ck_assert_msg(hv_pt_lookup(&pt, gpa, &got, &l), "%#llx not mapped",
		      (unsigned long long)gpa);
	ck_assert_msg(got == hpa && l == level,
		      "%#llx -> %#llx level %d, want %#llx level %d",
		      (unsigned long long)gpa, (unsigned long long)got, l,
		      (unsigned long long)hpa, level);
}

static void expect_none(u64 gpa)
{
	u64 got;
	int l;

	ck_assert_msg(!hv_pt_lookup(&pt, gpa, &got, &l), "%#llx mapped",
		      (unsigned long long)gpa);
}

START_TEST(init_and_destroy)
{
	setup();
	ck_assert_ptr_nonnull(pt.root);
	ck_assert_uint_eq(pt.root_pa, (u64)(uintptr_t)pt.root);
	ck_assert_uint_eq(pt.nr_tables, 1);
	expect_none(0);
	destroy_and_count();
}
END_TEST

START_TEST(init_no_memory)
{
	memset(&tabs, 0, sizeof(tabs));
	tabs.fail_after = 0;
	ck_assert_int_eq(hv_pt_init(&pt, &npt_ops, &tabs), -ENOMEM);
	ck_assert_uint_eq(pt.nr_tables, 0);
}
END_TEST

START_TEST(map_2m_aligned)
{
	u64 *pdpt, *pd;

	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, 4 * M2 + 8 * K4,
				   true), 0);
	expect(0, 0x40000000, 2);
	expect(0x1234, 0x40001234, 2);
	expect(M2 + 0xabcde, 0x40000000 + M2 + 0xabcde, 2);
	expect(3 * M2 + M2 - 1, 0x40000000 + 4 * M2 - 1, 2);
	/* the tail shorter than 2 MiB is in 4 KiB pages */
	expect(4 * M2, 0x40000000 + 4 * M2, 1);
	expect(4 * M2 + 7 * K4 + 5, 0x40000000 + 4 * M2 + 7 * K4 + 5, 1);
	expect_none(4 * M2 + 8 * K4);
	expect_none(G1);
	/* root, PDPT, PD, one PT for the tail */
	ck_assert_uint_eq(pt.nr_tables, 4);

	/* The entries themselves, in NPT format */
	ck_assert_uint_eq(pt.root[0] & ~ADDR_MASK, P | RW | US);
	pdpt = npt_table_va(NULL, pt.root[0]);
	ck_assert_uint_eq(pdpt[0] & ~ADDR_MASK, P | RW | US);
	pd = npt_table_va(NULL, pdpt[0]);
	ck_assert_uint_eq(pd[1], (0x40000000 + M2) | P | RW | US | PS);
	ck_assert_uint_eq(pd[4] & ~ADDR_MASK, P | RW | US);	/* a PT */
	ck_assert_uint_eq(npt_table_va(NULL, pd[4])[3],
			  (0x40000000 + 4 * M2 + 3 * K4) | P | RW | US);
	ck_assert_uint_eq(pd[5], 0);
	destroy_and_count();
}
END_TEST

START_TEST(map_4k_when_unaligned)
{
	setup();
	/* gpa 2 MiB aligned, hpa not: 4 KiB leaves only */
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40001000, 2 * M2, true), 0);
	expect(0, 0x40001000, 1);
	expect(M2, 0x40001000 + M2, 1);
	expect(2 * M2 - 1, 0x40001000 + 2 * M2 - 1, 1);
	ck_assert_uint_eq(pt.nr_tables, 3 + 2);
	/* hpa aligned, gpa not */
	ck_assert_int_eq(hv_pt_map(&pt, G1 + K4, 0x80000000, M2, true), 0);
	expect(G1 + K4, 0x80000000, 1);
	expect(G1 + M2, 0x80000000 + M2 - K4, 1);
	/* both aligned, 2 MiB not allowed */
	ck_assert_int_eq(hv_pt_map(&pt, 2 * G1, 0xc0000000, M2, false), 0);
	expect(2 * G1 + 0x1fffff, 0xc01fffff, 1);
	/* both aligned, but less than 2 MiB */
	ck_assert_int_eq(hv_pt_map(&pt, 3 * G1, 0xc0000000, M2 - K4, true),
			 0);
	expect(3 * G1, 0xc0000000, 1);
	expect_none(3 * G1 + M2 - K4);
	destroy_and_count();
}
END_TEST

START_TEST(map_mixed)
{
	/* 4 KiB up to a 2 MiB boundary, one 2 MiB leaf, then 4 KiB again */
	u64 gpa = M2 - 2 * K4, hpa = 0x100000000ULL - 2 * K4;

	setup();
	ck_assert_int_eq(hv_pt_map(&pt, gpa, hpa, 2 * K4 + M2 + 2 * K4, true),
			 0);
	expect(gpa, hpa, 1);
	expect(gpa + K4, hpa + K4, 1);
	expect(M2, 0x100000000ULL, 2);
	expect(2 * M2 - 1, 0x100000000ULL + M2 - 1, 2);
	expect(2 * M2, 0x100000000ULL + M2, 1);
	expect(2 * M2 + K4, 0x100000000ULL + M2 + K4, 1);
	expect_none(2 * M2 + 2 * K4);
	expect_none(gpa - K4);
	/* root, PDPT, PD, and a PT on each side */
	ck_assert_uint_eq(pt.nr_tables, 5);
	destroy_and_count();
}
END_TEST

START_TEST(map_unaligned)
{
	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0x800, 0, K4, true), -EINVAL);
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x10, K4, true), -EINVAL);
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0, K4 + 1, true), -EINVAL);
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0, 0xfff, true), -EINVAL);
	ck_assert_uint_eq(pt.nr_tables, 1);	/* checked before any work */
	expect_none(0);
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0, 0, true), 0);
	expect_none(0);
	destroy_and_count();
}
END_TEST

START_TEST(map_overlap)
{
	setup();
	ck_assert_int_eq(hv_pt_map(&pt, M2, 0x200000, 2 * K4, true), 0);
	ck_assert_int_eq(hv_pt_map(&pt, M2 + K4, 0x900000, K4, true),
			 -EEXIST);
	expect(M2 + K4, 0x201000, 1);		/* unchanged */
	/* a 2 MiB leaf over a PD entry that holds a page table */
	ck_assert_int_eq(hv_pt_map(&pt, M2, 0x400000, M2, true), -EEXIST);
	expect(M2, 0x200000, 1);
	/* a 2 MiB leaf over a 2 MiB leaf */
	ck_assert_int_eq(hv_pt_map(&pt, 4 * M2, 0x400000, M2, true), 0);
	ck_assert_int_eq(hv_pt_map(&pt, 4 * M2, 0x800000, M2, true), -EEXIST);
	expect(4 * M2 + 5, 0x400005, 2);
	/* a 4 KiB page inside a 2 MiB leaf: no table may be made of RAM */
	ck_assert_int_eq(hv_pt_map(&pt, 4 * M2 + K4, 0x900000, K4, false),
			 -EEXIST);
	expect(4 * M2 + K4, 0x401000, 2);
	destroy_and_count();
}
END_TEST

START_TEST(destroy_frees_all)
{
	static const u64 at[] = {
		0, G1, 3 * G1 + 5 * M2, 512 * G1, 511 * 512 * G1 + 511 * G1,
		0x123456600000ULL,
	};
	size_t i;

	setup();
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		ck_assert_int_eq(hv_pt_map(&pt, at[i], 0x40000000 + i * M2,
					   M2, true), 0);
		ck_assert_int_eq(hv_pt_map(&pt, at[i] + M2, 0x1000, 3 * K4,
					   true), 0);
	}
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		expect(at[i] + 0x10, 0x40000010 + i * M2, 2);
		expect(at[i] + M2 + 2 * K4, 0x3000, 1);
	}
	/*
	 * root; PDPTs for PML4 slots 0, 1, 511, 0x24; PDs for (0,0) (0,1)
	 * (0,3) (1,0) (511,511) (0x24,0x0d1); one PT per region (the 4 KiB
	 * tail, 2 MiB past each start, is in the same PD).
	 */
	ck_assert_uint_eq(pt.nr_tables, 1 + 4 + 6 + 6);
	ck_assert_uint_eq(tabs.allocs, 17);
	destroy_and_count();
}
END_TEST

START_TEST(map_no_memory)
{
	setup();
	tabs.fail_after = 3;		/* root, PDPT, PD; no PT */
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0, M2 + K4, true), -ENOMEM);
	expect(0, 0, 2);		/* done before the failure: kept */
	expect_none(M2);
	destroy_and_count();
}
END_TEST

/* The leaf entry for @gpa, found by walking the tables by hand. */
static u64 leaf_of(u64 gpa, int *level)
{
	u64 *t = pt.root, e = 0;
	int l;

	for (l = 4; l >= 1; l--) {
		e = t[(gpa >> (12 + 9 * (l - 1))) & 511];
		ck_assert_msg(e & P, "%#llx not mapped at level %d",
			      (unsigned long long)gpa, l);
		if (l == 1 || (l == 2 && (e & PS)))
			break;
		t = npt_table_va(NULL, e);
	}
	*level = l;
	return e;
}

static void expect_write(u64 gpa, bool write)
{
	ck_assert_msg(hv_pt_writable(&pt, gpa) == write, "%#llx %s",
		      (unsigned long long)gpa, write ? "read-only" : "writable");
}

START_TEST(map_read_only)
{
	int l;

	setup();
	ck_assert_int_eq(hv_pt_map_prot(&pt, 0, 0x40000000, M2 + K4, true,
					false), 0);
	ck_assert_uint_eq(leaf_of(0, &l), 0x40000000 | P | US | PS);
	ck_assert_int_eq(l, 2);
	ck_assert_uint_eq(leaf_of(M2, &l), (0x40000000 + M2) | P | US);
	ck_assert_int_eq(l, 1);
	expect_write(0, false);
	expect_write(M2, false);
	ck_assert_int_eq(hv_pt_map(&pt, G1, 0x1000, K4, true), 0);
	expect_write(G1, true);
	expect_write(G1 + K4, false);		/* not mapped at all */
	destroy_and_count();
}
END_TEST

/* 2 MiB leaves wholly inside stay whole; the ends split; holes skipped. */
START_TEST(protect_range)
{
	u64 i;
	int l;

	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, 4 * M2, true), 0);
	ck_assert_int_eq(hv_pt_map(&pt, 8 * M2, 0x1000, 4 * K4, true), 0);
	ck_assert_uint_eq(pt.nr_tables, 4);

	/* exactly the 2nd 2 MiB page */
	ck_assert_int_eq(hv_pt_protect(&pt, M2, M2), 0);
	ck_assert_uint_eq(pt.nr_tables, 4);		/* no split */
	ck_assert_uint_eq(leaf_of(M2, &l), (0x40000000 + M2) | P | US | PS);
	expect_write(M2 - K4, true);
	expect_write(2 * M2, true);

	/* the last 4 KiB of page 0 and the first two of page 2 */
	ck_assert_int_eq(hv_pt_protect(&pt, M2 - K4, M2 + 3 * K4), 0);
	ck_assert_uint_eq(pt.nr_tables, 6);		/* both split */
	expect(M2 - K4, 0x40000000 + M2 - K4, 1);
	expect(M2 - 2 * K4, 0x40000000 + M2 - 2 * K4, 1);
	expect_write(M2 - K4, false);
	expect_write(M2 - 2 * K4, true);
	expect_write(2 * M2, false);
	expect_write(2 * M2 + K4, false);
	expect_write(2 * M2 + 2 * K4, true);
	expect(2 * M2 + 2 * K4 + 7, 0x40000000 + 2 * M2 + 2 * K4 + 7, 1);
	expect(3 * M2, 0x40000000 + 3 * M2, 2);		/* untouched */
	expect_write(3 * M2, true);
	for (i = 0; i < 512; i++)	/* the split kept every address */
		expect(2 * M2 + i * K4 + 9, 0x40000000 + 2 * M2 + i * K4 + 9,
		       1);

	/* across a hole into 4 KiB leaves */
	ck_assert_int_eq(hv_pt_protect(&pt, 5 * M2, 3 * M2 + 2 * K4), 0);
	expect_write(8 * M2, false);
	expect_write(8 * M2 + K4, false);
	expect_write(8 * M2 + 2 * K4, true);
	expect_none(5 * M2);

	/* twice is harmless; unaligned refused */
	ck_assert_int_eq(hv_pt_protect(&pt, M2, M2), 0);
	ck_assert_int_eq(hv_pt_protect(&pt, 1, K4), -EINVAL);
	ck_assert_int_eq(hv_pt_protect(&pt, 0, 5), -EINVAL);
	ck_assert_int_eq(hv_pt_protect(&pt, ~0ULL & ~(K4 - 1), 2 * K4),
			 -EINVAL);
	destroy_and_count();
}
END_TEST

/* A split that runs out of memory changes nothing. */
START_TEST(protect_no_memory)
{
	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, M2, true), 0);
	tabs.fail_after = tabs.allocs;
	ck_assert_int_eq(hv_pt_protect(&pt, K4, K4), -ENOMEM);
	expect(K4, 0x40001000, 2);
	expect_write(K4, true);
	ck_assert_int_eq(hv_pt_set_4k(&pt, K4, 0x9000, false), -ENOMEM);
	expect(K4, 0x40001000, 2);
	destroy_and_count();
}
END_TEST

START_TEST(set_4k)
{
	u64 i;
	int l;

	setup();
	ck_assert_int_eq(hv_pt_map_prot(&pt, 0, 0x40000000, 2 * M2, true,
					false), 0);
	/* make one page writable in place: the 2 MiB leaf splits, RO kept */
	ck_assert_int_eq(hv_pt_set_4k(&pt, 5 * K4, 0x40005000, true), 0);
	ck_assert_uint_eq(leaf_of(5 * K4, &l), 0x40005000 | P | RW | US);
	ck_assert_int_eq(l, 1);
	for (i = 0; i < 512; i++) {
		expect(i * K4, 0x40000000 + i * K4, 1);
		expect_write(i * K4, i == 5);
	}
	expect(M2, 0x40000000 + M2, 2);			/* the other one */
	expect_write(M2, false);
	/* point a page elsewhere (a copy), inside the now split table */
	ck_assert_int_eq(hv_pt_set_4k(&pt, 6 * K4, 0x77000, true), 0);
	expect(6 * K4 + 0x123, 0x77123, 1);
	expect_write(6 * K4, true);
	/* and read-only again */
	ck_assert_int_eq(hv_pt_set_4k(&pt, 6 * K4, 0x77000, false), 0);
	expect_write(6 * K4, false);
	ck_assert_uint_eq(pt.nr_tables, 4);
	/* errors */
	ck_assert_int_eq(hv_pt_set_4k(&pt, 2 * M2, 0x1000, true), -ENOENT);
	ck_assert_int_eq(hv_pt_set_4k(&pt, 0x800, 0x1000, true), -EINVAL);
	ck_assert_int_eq(hv_pt_set_4k(&pt, 0, 0x1001, true), -EINVAL);
	expect_none(2 * M2);
	/* a writable 2 MiB leaf splits into writable pages */
	ck_assert_int_eq(hv_pt_map(&pt, G1, 0x80000000, M2, true), 0);
	ck_assert_int_eq(hv_pt_set_4k(&pt, G1, 0x80000000, false), 0);
	expect_write(G1, false);
	expect_write(G1 + K4, true);
	expect_write(G1 + M2 - K4, true);
	destroy_and_count();
}
END_TEST

/*
 * The failure path of HV_VM_ADD_RAM: a map that ran out of memory half
 * way is undone leaf by leaf, with no allocation, and the rest of the
 * tree (the root the vCPUs hold) stays as it was.
 */
START_TEST(unmap_undoes_failed_map)
{
	u64 *root;
	unsigned long allocs;

	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, 2 * M2, true), 0);
	ck_assert_int_eq(hv_pt_map(&pt, 2 * M2, 0x1000, 2 * K4, true), 0);
	root = pt.root;
	/* root, PDPT, PD, PT so far; a new PD (slot 1) then no PT */
	tabs.fail_after = 5;
	ck_assert_int_eq(hv_pt_map(&pt, G1, 0x80000000, M2 + K4, true),
			 -ENOMEM);
	expect(G1, 0x80000000, 2);		/* half done */
	allocs = tabs.allocs;
	tabs.fail_after = 0;			/* no memory at all now */
	ck_assert_int_eq(hv_pt_unmap(&pt, G1, M2 + K4), 0);
	ck_assert_uint_eq(tabs.allocs, allocs);
	ck_assert_uint_eq(tabs.frees, 0);
	ck_assert_ptr_eq(pt.root, root);
	expect_none(G1);
	expect_none(G1 + M2);
	expect(0, 0x40000000, 2);
	expect(M2 + 5, 0x40000000 + M2 + 5, 2);
	expect(2 * M2 + K4, 0x2000, 1);
	/* the same range maps again, into the tables left in place */
	tabs.fail_after = -1;
	ck_assert_int_eq(hv_pt_map(&pt, G1, 0x80000000, M2 + K4, true), 0);
	expect(G1 + M2, 0x80000000 + M2, 1);
	ck_assert_uint_eq(tabs.allocs, allocs + 1);	/* just the PT */
	destroy_and_count();
}
END_TEST

START_TEST(unmap_range)
{
	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, 2 * M2 + 4 * K4,
				   true), 0);
	ck_assert_int_eq(hv_pt_map(&pt, 8 * M2, 0x1000, 4 * K4, true), 0);
	/* 4 KiB leaves in the middle of a table */
	ck_assert_int_eq(hv_pt_unmap(&pt, 2 * M2 + K4, 2 * K4), 0);
	expect(2 * M2, 0x40000000 + 2 * M2, 1);
	expect_none(2 * M2 + K4);
	expect_none(2 * M2 + 2 * K4);
	expect(2 * M2 + 3 * K4, 0x40000000 + 2 * M2 + 3 * K4, 1);
	/* a whole 2 MiB leaf, across a hole, into 4 KiB leaves */
	ck_assert_int_eq(hv_pt_unmap(&pt, M2, 7 * M2 + 2 * K4), 0);
	expect(0, 0x40000000, 2);
	expect_none(M2);
	expect_none(2 * M2);
	expect_none(8 * M2 + K4);
	expect(8 * M2 + 2 * K4, 0x3000, 1);
	/* nothing mapped: nothing to do */
	ck_assert_int_eq(hv_pt_unmap(&pt, 100 * G1, M2), 0);
	ck_assert_int_eq(hv_pt_unmap(&pt, 0, 0), 0);
	expect(0, 0x40000000, 2);
	destroy_and_count();
}
END_TEST

START_TEST(unmap_refuses)
{
	setup();
	ck_assert_int_eq(hv_pt_map(&pt, 0, 0x40000000, M2 + K4, true), 0);
	/* cutting a 2 MiB leaf would need a split: refused, nothing done */
	ck_assert_int_eq(hv_pt_unmap(&pt, K4, K4), -EINVAL);
	ck_assert_int_eq(hv_pt_unmap(&pt, 0, M2 - K4), -EINVAL);
	ck_assert_int_eq(hv_pt_unmap(&pt, M2, K4), 0);	/* first: fine */
	ck_assert_int_eq(hv_pt_map(&pt, M2, 0x1000, K4, true), 0);
	ck_assert_int_eq(hv_pt_unmap(&pt, M2 - K4, 2 * K4), -EINVAL);
	expect(M2, 0x1000, 1);			/* not half-done */
	ck_assert_int_eq(hv_pt_unmap(&pt, 0x800, K4), -EINVAL);
	ck_assert_int_eq(hv_pt_unmap(&pt, 0, K4 + 1), -EINVAL);
	ck_assert_int_eq(hv_pt_unmap(&pt, -K4, 2 * K4), -EINVAL);
	expect(K4, 0x40001000, 2);
	destroy_and_count();
}
END_TEST

Suite *pgtable_suite(void)
{
	Suite *s = suite_create("pgtable");
	TCase *tc = tcase_create("pgtable");

	tcase_add_test(tc, init_and_destroy);
	tcase_add_test(tc, init_no_memory);
	tcase_add_test(tc, map_2m_aligned);
	tcase_add_test(tc, map_4k_when_unaligned);
	tcase_add_test(tc, map_mixed);
	tcase_add_test(tc, map_unaligned);
	tcase_add_test(tc, map_overlap);
	tcase_add_test(tc, destroy_frees_all);
	tcase_add_test(tc, map_no_memory);
	tcase_add_test(tc, map_read_only);
	tcase_add_test(tc, protect_range);
	tcase_add_test(tc, protect_no_memory);
	tcase_add_test(tc, set_4k);
	tcase_add_test(tc, unmap_undoes_failed_map);
	tcase_add_test(tc, unmap_range);
	tcase_add_test(tc, unmap_refuses);
	suite_add_tcase(s, tc);
	return s;
}
