// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/x86/gwalk.c, the guest page walker, compiled as it is.  Each test
 * builds the guest's page tables in a fake 1 MiB of guest memory.  Large
 * pages may map guest-physical addresses beyond it: the walker never
 * reads the final page, only hv_gwalk_fetch does.
 */
#include <string.h>

#include "x86/gwalk.h"
#include "x86/insn.h"
#include "unit.h"

#define CR0_PG		(1ULL << 31)
#define CR0_PE		(1ULL << 0)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define P		0x001ULL
#define RW		0x002ULL
#define PS		0x080ULL
#define PAT_LARGE	0x1000ULL	/* bit 12 of a large-page entry */
#define NX		(1ULL << 63)

static u8 gmem[1 << 20];
static unsigned int nreads;

static int read_gpa(void *opaque, u64 gpa, void *buf, size_t len)
{
	ck_assert_ptr_eq(opaque, gmem);
	nreads++;
	if (gpa >= sizeof(gmem) || len > sizeof(gmem) - gpa)
		return -1;
	memcpy(buf, gmem + gpa, len);
	return 0;
}

static void put32(u64 gpa, u32 v)
{
	memcpy(gmem + gpa, &v, 4);
}

static void put64(u64 gpa, u64 v)
{
	memcpy(gmem + gpa, &v, 8);
}

static struct hv_gwalk_ctx ctx(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	memset(gmem, 0, sizeof(gmem));
	nreads = 0;
	return (struct hv_gwalk_ctx){ .cr0 = cr0, .cr3 = cr3, .cr4 = cr4,
				      .efer = efer, .read_gpa = read_gpa,
				      .opaque = gmem };
}

/* hv_gwalk's result for @gla: the gpa, or the error as a negative value. */
static s64 walk(const struct hv_gwalk_ctx *c, u64 gla)
{
	u64 gpa = 0xbad;
	int r = hv_gwalk(c, gla, &gpa);

	if (r) {
		ck_assert_uint_eq(gpa, 0xbad);	/* untouched on failure */
		return r;
	}
	return (s64)gpa;
}

START_TEST(paging_off)
{
	struct hv_gwalk_ctx c = ctx(CR0_PE, 0x1000, CR4_PAE, 0);

	ck_assert_int_eq(walk(&c, 0x12345678), 0x12345678);
	ck_assert_int_eq(walk(&c, 0xffff0), 0xffff0);
	ck_assert_int_eq(walk(&c, 0x100001000ULL), 0x1000);
	ck_assert_uint_eq(nreads, 0);
}
END_TEST

START_TEST(paging_32bit)
{
	struct hv_gwalk_ctx c = ctx(CR0_PG | CR0_PE, 0x1018, CR4_PSE, 0);

	/* PD at 0x1000 (CR3 low bits are PWT/PCD, not address) */
	put32(0x1000 + 1 * 4, 0x2000 | RW | P);		/* 0x00400000 */
	put32(0x2000 + 1 * 4, 0x00abc000 | P);		/* 0x00401000 */
	put32(0x2000 + 2 * 4, 0xfffff000 | RW);		/* not present */
	put32(0x1000 + 2 * 4, 0x0c000000 | PS | P);	/* 4 MiB */
	put32(0x1000 + 3 * 4, 0x0c400000 | (0x12 << 13) | PS | P); /* PSE-36 */
	put32(0x1000 + 4 * 4, 0x3000 | PS | P);		/* PS, as table */
	put32(0x3000 + 5 * 4, 0x5000 | P);

	ck_assert_int_eq(walk(&c, 0x00401234), 0xabc234);
	ck_assert_int_eq(walk(&c, 0xabcd00401234ULL), 0xabc234); /* 32 bits */
	ck_assert_int_eq(walk(&c, 0x00402000), -EFAULT);
	ck_assert_int_eq(walk(&c, 0x00000000), -EFAULT);
	ck_assert_int_eq(walk(&c, 0xfffff000), -EFAULT);
	ck_assert_int_eq(walk(&c, 0x00812345), 0x0c012345);
	ck_assert_int_eq(walk(&c, 0x00fffffe), 0x120c7ffffeLL);
	/* As a 4 MiB page: bits 31:22 are 0, PSE-36 bit 13 gives bit 32. */
	ck_assert_int_eq(walk(&c, 0x01005678), 0x100005678LL);

	/* Without CR4.PSE, PDE.PS is ignored: the PDE points to a table. */
	c.cr4 = 0;
	ck_assert_int_eq(walk(&c, 0x01005678), 0x5678);
	ck_assert_int_eq(walk(&c, 0x00812345), -EFAULT);  /* PT at 0x0c000000 */
}
END_TEST

START_TEST(paging_pae)
{
	/* PDPT at 0x1020: 32-byte aligned, not page aligned */
	struct hv_gwalk_ctx c = ctx(CR0_PG | CR0_PE, 0x1020, CR4_PAE, 0);

	put64(0x1020 + 0 * 8, 0x2000 | P);
	put64(0x1020 + 3 * 8, 0x4000 | P);
	put64(0x2000 + 1 * 8, 0x3000 | RW | P);
	put64(0x3000 + 2 * 8, NX | 0x123456000ULL | RW | P);  /* above 4 GiB */
	put64(0x4000 + 5 * 8, NX | 0x40000000 | PAT_LARGE | PS | P); /* 2 MiB */

	ck_assert_int_eq(walk(&c, 0x00202abc), 0x123456abcLL);
	ck_assert_int_eq(walk(&c, 0x777700202abcULL), 0x123456abcLL);
	ck_assert_int_eq(walk(&c, 0xc0b12345), 0x40112345);
	ck_assert_int_eq(walk(&c, 0x40000000), -EFAULT);	/* PDPTE 1 */
	ck_assert_int_eq(walk(&c, 0x00000000), -EFAULT);	/* PDE 0 */
	ck_assert_int_eq(walk(&c, 0x00203000), -EFAULT);	/* PTE 3 */
	/* PSE has no say in PAE paging */
	c.cr4 |= CR4_PSE;
	ck_assert_int_eq(walk(&c, 0x00202abc), 0x123456abcLL);
}
END_TEST

#define HIGH	0xffff800000000000ULL	/* PML4 index 256 */

START_TEST(paging_4level)
{
	struct hv_gwalk_ctx c = ctx(CR0_PG | CR0_PE, 0x1000, CR4_PAE | CR4_PSE,
				    EFER_LME | EFER_LMA);

	put64(0x1000 + 256 * 8, 0x2000 | RW | P);
	put64(0x2000 + 1 * 8, 0x3000 | RW | P);
	put64(0x2000 + 2 * 8, NX | 0x80000000 | PAT_LARGE | PS | P); /* 1 GiB */
	put64(0x3000 + 2 * 8, 0x4000 | RW | P);
	put64(0x3000 + 3 * 8, 0x00600000 | PS | P);		  /* 2 MiB */
	put64(0x4000 + 3 * 8, NX | 0x000ffffffffff000ULL | P);	  /* 52 bits */
	put64(0x4000 + 4 * 8, 0x7000 | PS | P);	/* bit 7 of a PTE is PAT */
	put64(0x4000 + 5 * 8, 0x8000 | RW);	/* not present */

	ck_assert_int_eq(walk(&c, HIGH | 1ULL << 30 | 2 << 21 | 3 << 12 | 0x567),
			 0xffffffffff567LL);
	ck_assert_int_eq(walk(&c, HIGH | 1ULL << 30 | 2 << 21 | 4 << 12 | 0x567),
			 0x7567);
	ck_assert_int_eq(walk(&c, HIGH | 2ULL << 30 | 0x12345678), 0x92345678);
	ck_assert_int_eq(walk(&c, HIGH | 1ULL << 30 | 3 << 21 | 0x54321),
			 0x654321);
	/* not present at each level */
	ck_assert_int_eq(walk(&c, 0x0000000000401000ULL), -EFAULT); /* PML4E */
	ck_assert_int_eq(walk(&c, HIGH | 0x1000), -EFAULT);	    /* PDPTE */
	ck_assert_int_eq(walk(&c, HIGH | 1ULL << 30 | 0x1000), -EFAULT); /* PDE */
	ck_assert_int_eq(walk(&c, HIGH | 1ULL << 30 | 2 << 21 | 5 << 12),
			 -EFAULT);					 /* PTE */

	c.cr4 |= CR4_LA57;
	ck_assert_int_eq(walk(&c, HIGH | 2ULL << 30), -EINVAL);
}
END_TEST

START_TEST(unreadable_tables)
{
	/* CR3 beyond guest memory: the read fails, the guest would #PF */
	struct hv_gwalk_ctx c = ctx(CR0_PG, 0x40000000, CR4_PAE, EFER_LMA);

	ck_assert_int_eq(walk(&c, 0x1000), -EFAULT);
	c.efer = 0;
	ck_assert_int_eq(walk(&c, 0x1000), -EFAULT);
	c.cr4 = 0;
	ck_assert_int_eq(walk(&c, 0x1000), -EFAULT);
	/* a table pointer beyond guest memory */
	c.cr3 = 0x1000;
	put32(0x1000, 0x80000000 | P);
	ck_assert_int_eq(walk(&c, 0x1000), -EFAULT);
}
END_TEST

/*
 * 4-level paging with linear 0x400000 -> physical 0x8000 and linear
 * 0x401000 -> physical 0x5000: the next linear page is a lower physical
 * one, as after any real allocator.
 */
static struct hv_gwalk_ctx fetch_ctx(void)
{
	struct hv_gwalk_ctx c = ctx(CR0_PG | CR0_PE, 0x1000, CR4_PAE,
				    EFER_LMA);

	put64(0x1000, 0x2000 | P);
	put64(0x2000, 0x3000 | P);
	put64(0x3000 + 2 * 8, 0x4000 | P);
	put64(0x4000 + 0 * 8, 0x8000 | P);
	put64(0x4000 + 1 * 8, 0x5000 | P);
	return c;
}

START_TEST(fetch_across_pages)
{
	static const u8 insn[] = { 0x48, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00,
				   0x00 };	/* mov [0x1000],rax */
	struct hv_gwalk_ctx c = fetch_ctx();
	struct hv_insn in;
	u8 buf[HV_INSN_MAX_LEN];

	/* 3 bytes at the end of one page, the rest at the start of another */
	memcpy(gmem + 0x8ffd, insn, 3);
	memcpy(gmem + 0x5000, insn + 3, sizeof(insn) - 3);
	memset(gmem + 0x5000 + sizeof(insn) - 3, 0x90, 16);
	memset(gmem + 0x9000, 0xcc, 16);	/* physically next: wrong */

	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, sizeof(buf)),
			 sizeof(buf));
	ck_assert_mem_eq(buf, insn, sizeof(insn));
	ck_assert_uint_eq(buf[sizeof(insn)], 0x90);
	ck_assert_int_eq(hv_insn_decode(buf, sizeof(buf), 64, &in), 0);
	ck_assert_uint_eq(in.len, 8);
	ck_assert_uint_eq(in.size, 8);

	/* Within one page, and exactly up to its end */
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, 3), 3);
	ck_assert_mem_eq(buf, insn, 3);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x401000, buf, 5), 5);
	ck_assert_mem_eq(buf, insn + 3, 5);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, 0), 0);
}
END_TEST

START_TEST(fetch_second_page_missing)
{
	struct hv_gwalk_ctx c = fetch_ctx();
	struct hv_insn in;
	u8 buf[HV_INSN_MAX_LEN];

	put64(0x4000 + 1 * 8, 0);		/* 0x401000 not present */
	memcpy(gmem + 0x8ffd, "\x48\x89\x04", 3);

	/* Short read: what there is, and the decoder wants more. */
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, sizeof(buf)), 3);
	ck_assert_int_eq(hv_insn_decode(buf, 3, 64, &in), -E2BIG);
	/* An instruction that ends on the first page needs nothing more. */
	memcpy(gmem + 0x8ffd, "\x88\x07\x90", 3);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, sizeof(buf)), 3);
	ck_assert_int_eq(hv_insn_decode(buf, 3, 64, &in), 0);
	ck_assert_uint_eq(in.len, 2);

	/* Nothing at all: a page fault */
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x401000, buf, sizeof(buf)),
			 -EFAULT);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x402ff0, buf, sizeof(buf)),
			 -EFAULT);
	c.cr4 |= CR4_LA57;
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x400ffd, buf, sizeof(buf)),
			 -EINVAL);
}
END_TEST

START_TEST(fetch_paging_off)
{
	struct hv_gwalk_ctx c = ctx(0, 0, 0, 0);
	u8 buf[4];

	memcpy(gmem + 0xffffe, "\x0f\xb6", 2);	/* the last 2 bytes */
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0xffffe, buf, 2), 2);
	ck_assert_mem_eq(buf, "\x0f\xb6", 2);
	/* Past the end of guest memory: short, then a fault */
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0xffffe, buf, 4), 2);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0x100000, buf, 4), -EFAULT);
	ck_assert_int_eq(hv_gwalk_fetch(&c, 0, buf, 4097), -EINVAL);
}
END_TEST

START_TEST(split_pages)
{
	struct hv_gwalk_ctx c = fetch_ctx();
	struct hv_gwalk_piece pc[2];

	/* Within one page: one piece */
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ff8, 8, pc), 1);
	ck_assert_uint_eq(pc[0].gpa, 0x8ff8);
	ck_assert_uint_eq(pc[0].off, 0);
	ck_assert_uint_eq(pc[0].len, 8);
	/* 8 bytes over the boundary: 3 on the first page, 5 on an unrelated one */
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ffd, 8, pc), 2);
	ck_assert_uint_eq(pc[0].gpa, 0x8ffd);
	ck_assert_uint_eq(pc[0].len, 3);
	ck_assert_uint_eq(pc[1].gpa, 0x5000);
	ck_assert_uint_eq(pc[1].off, 3);
	ck_assert_uint_eq(pc[1].len, 5);
	/* The last byte alone on the next page */
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ffd, 4, pc), 2);
	ck_assert_uint_eq(pc[1].gpa, 0x5000);
	ck_assert_uint_eq(pc[1].off, 3);
	ck_assert_uint_eq(pc[1].len, 1);
	/* Second page not present: the guest's own page fault, no piece */
	put64(0x4000 + 1 * 8, 0);
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ffe, 4, pc), -EFAULT);
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ff0, 4, pc), 1);
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ff0, 0, pc), -EINVAL);
	ck_assert_int_eq(hv_gwalk_split(&c, 0x400ff0, 4097, pc), -EINVAL);
}
END_TEST

START_TEST(split_wraps_outside_long_mode)
{
	struct hv_gwalk_ctx c = ctx(0, 0, 0, 0);
	struct hv_gwalk_piece pc[2];

	/* Paging off: the next page of 0xfffff000 is 0, not 4 GiB */
	ck_assert_int_eq(hv_gwalk_split(&c, 0xfffffffe, 4, pc), 2);
	ck_assert_uint_eq(pc[0].gpa, 0xfffffffe);
	ck_assert_uint_eq(pc[1].gpa, 0);
	ck_assert_uint_eq(pc[1].len, 2);
}
END_TEST

Suite *gwalk_suite(void)
{
	Suite *s = suite_create("gwalk");
	TCase *tc = tcase_create("gwalk");

	tcase_add_test(tc, paging_off);
	tcase_add_test(tc, paging_32bit);
	tcase_add_test(tc, paging_pae);
	tcase_add_test(tc, paging_4level);
	tcase_add_test(tc, unreadable_tables);
	tcase_add_test(tc, fetch_across_pages);
	tcase_add_test(tc, fetch_second_page_missing);
	tcase_add_test(tc, fetch_paging_off);
	tcase_add_test(tc, split_pages);
	tcase_add_test(tc, split_wraps_outside_long_mode);
	suite_add_tcase(s, tc);
	return s;
}
