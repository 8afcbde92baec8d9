// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's kernel loaders on malformed images: every header field wrong
 * in turn, every truncation, overlapping and out-of-RAM segments, bad
 * multiboot headers and a.out-kludge fields, and a few thousand
 * deterministic mutations.  Each must be refused with the right errno, a
 * message naming the header and field, and guest RAM exactly as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"

/* ---- malformed ELF: every field in turn ---- */

struct field_case {
	unsigned int off, size;		/* size 1, 2, 4, 8 */
	uint64_t val;
	int ret;
	const char *needle;
};

static void set_field(uint8_t *b, unsigned int off, unsigned int size,
		      uint64_t v)
{
	switch (size) {
	case 1: b[off] = (uint8_t)v; break;
	case 2: img_put16(b + off, (uint16_t)v); break;
	case 4: img_put32(b + off, (uint32_t)v); break;
	default: img_put64(b + off, v); break;
	}
}

static const struct field_case elf32_cases[] = {
	{ 0, 1, 0x7e, -ENOEXEC, "ELF: e_ident: no ELF magic" },
	{ 3, 1, 'f', -ENOEXEC, "ELF: e_ident: no ELF magic" },
	{ 4, 1, 0, -ENOEXEC, "e_ident[EI_CLASS] = 0" },
	{ 4, 1, 3, -ENOEXEC, "e_ident[EI_CLASS] = 3" },
	{ 5, 1, 2, -ENOEXEC, "e_ident[EI_DATA] = 2" },
	{ 6, 1, 0, -ENOEXEC, "e_ident[EI_VERSION] = 0" },
	{ 16, 2, 3, -ENOEXEC, "e_type = 3" },
	{ 16, 2, 1, -ENOEXEC, "e_type = 1" },
	{ 18, 2, 62, -ENOEXEC, "e_machine = 62" },
	{ 18, 2, 40, -ENOEXEC, "e_machine = 40" },
	{ 20, 4, 2, -ENOEXEC, "e_version = 2" },
	{ 24, 4, 0x100020, -ENOEXEC, "e_entry 0x100020" },
	{ 24, 4, 0x101040, -ENOEXEC, "e_entry 0x101040" },
	{ 28, 4, 0x130, -ENOEXEC, "program header table (e_phoff 0x130" },
	{ 28, 4, 0xffffffff, -ENOEXEC, "program header table" },
	{ 42, 2, 31, -ENOEXEC, "e_phentsize = 31" },
	{ 42, 2, 0, -ENOEXEC, "e_phentsize = 0" },
	{ 42, 2, 0x1000, -ENOEXEC, "program header table" },
	{ 44, 2, 0, -ENOEXEC, "e_phnum = 0" },
	{ 44, 2, 0xffff, -ENOEXEC, "PN_XNUM" },
	{ 44, 2, 8, -ENOEXEC, "program header table" },
	/* program header 0 */
	{ E32_PH(0) + 0, 4, 4, -ENOEXEC, "e_entry" },
	{ E32_PH(0) + 4, 4, 0x12f, -ENOEXEC,
	  "program header 0: p_offset+p_filesz (0x12f+0x20) beyond end of file" },
	{ E32_PH(0) + 4, 4, 0xffffffff, -ENOEXEC,
	  "program header 0: p_offset+p_filesz" },
	{ E32_PH(0) + 8, 4, 0x200000, -ENOEXEC, "e_entry" },
	{ E32_PH(0) + 12, 4, 0x1ffff0, -ERANGE,
	  "program header 0: p_paddr range [0x1ffff0, 0x200010) is not in guest RAM" },
	{ E32_PH(0) + 12, 4, 0xfffffff0, -ERANGE, "program header 0: p_paddr" },
	{ E32_PH(0) + 12, 4, 0x101010, -ENOEXEC,
	  "program header 0: p_paddr range [0x101010, 0x101030) overlaps program header 2" },
	{ E32_PH(0) + 12, 4, 0x100ff0, -ENOEXEC, "overlaps program header 0" },
	{ E32_PH(0) + 16, 4, 0x21, -ENOEXEC,
	  "program header 0: p_filesz (0x21) > p_memsz (0x20)" },
	{ E32_PH(0) + 20, 4, 0x1f, -ENOEXEC,
	  "program header 0: p_filesz (0x20) > p_memsz (0x1f)" },
	{ E32_PH(0) + 20, 4, 0x2000, -ENOEXEC, "overlaps program header 0" },
	/* program header 2 */
	{ E32_PH(2) + 4, 4, 0x121, -ENOEXEC,
	  "program header 2: p_offset+p_filesz (0x121+0x10) beyond end of file (304 bytes)" },
	{ E32_PH(2) + 12, 4, 0x300000, -ERANGE, "program header 2: p_paddr range" },
	{ E32_PH(2) + 12, 4, 0x100010, -ENOEXEC,
	  "program header 2: p_paddr range [0x100010, 0x100050) overlaps program header 0" },
	{ E32_PH(2) + 16, 4, 0x41, -ENOEXEC, "program header 2: p_offset+p_filesz" },
	{ E32_PH(2) + 20, 4, 0xf, -ENOEXEC,
	  "program header 2: p_filesz (0x10) > p_memsz (0xf)" },
	{ E32_PH(2) + 20, 4, 0x10000000, -ERANGE, "program header 2: p_paddr range" },
};

START_TEST(elf32_bad_fields)
{
	char what[64];
	struct img m;
	size_t i;

	for (i = 0; i < sizeof(elf32_cases) / sizeof(elf32_cases[0]); i++) {
		const struct field_case *c = &elf32_cases[i];

		img_elf32(&m, 0x100000, 0x100000);
		set_field(m.b, c->off, c->size, c->val);
		snprintf(what, sizeof(what), "elf32 case %zu (offset %u)", i,
			 c->off);
		ld_expect_fail(LD_ELF, &m, m.len, c->ret, c->needle, what);
	}
	/* Both loads gone: nothing to load. */
	img_elf32(&m, 0x100000, 0x100000);
	img_put32(m.b + E32_PH(0), 4);
	img_put32(m.b + E32_PH(2), 4);
	ld_expect_fail(LD_ELF, &m, m.len, -ENOEXEC, "no PT_LOAD", "no load");
	/* p_memsz 0 loads are skipped, and the entry is then nowhere. */
	img_elf32(&m, 0x100000, 0x100000);
	img_put32(m.b + E32_PH(0) + 16, 0);
	img_put32(m.b + E32_PH(0) + 20, 0);
	ld_expect_fail(LD_ELF, &m, m.len, -ENOEXEC, "e_entry", "empty text");
}
END_TEST

static const struct field_case elf64_cases[] = {
	{ 18, 2, 3, -ENOEXEC, "e_machine = 3: an ELF64 file must be EM_X86_64" },
	{ 24, 8, 0x190000, -ENOEXEC, "e_entry 0x190000" },
	{ 32, 8, 0xfffffffffffffff0ULL, -ENOEXEC, "program header table" },
	{ 54, 2, 55, -ENOEXEC, "e_phentsize = 55: smaller than an ELF64" },
	{ E64_PH(0) + 8, 8, 0xffffffffffffff00ULL, -ENOEXEC,
	  "program header 0: p_offset+p_filesz" },
	{ E64_PH(0) + 24, 8, 0xffffffffffffffe0ULL, -ENOEXEC,
	  "program header 0: p_paddr+p_memsz (0xffffffffffffffe0+0x20) overflows" },
	{ E64_PH(0) + 24, 8, 0x100000000ULL, -ERANGE, "not in guest RAM" },
	{ E64_PH(1) + 32, 8, 0xffffffffffffffffULL, -ENOEXEC,
	  "program header 1: p_offset+p_filesz" },
	{ E64_PH(1) + 40, 8, 0xffffffffffffffffULL, -ENOEXEC,
	  "program header 1: p_paddr+p_memsz" },
	{ E64_PH(1) + 40, 8, 0x8, -ENOEXEC, "program header 1: p_filesz (0x10) > p_memsz (0x8)" },
};

START_TEST(elf64_bad_fields)
{
	char what[64];
	struct img m;
	size_t i;

	for (i = 0; i < sizeof(elf64_cases) / sizeof(elf64_cases[0]); i++) {
		const struct field_case *c = &elf64_cases[i];

		img_elf64(&m, 0x180000);
		set_field(m.b, c->off, c->size, c->val);
		snprintf(what, sizeof(what), "elf64 case %zu (offset %u)", i,
			 c->off);
		ld_expect_fail(LD_ELF, &m, m.len, c->ret, c->needle, what);
	}
}
END_TEST

/* Every proper prefix of a valid image is refused, touching nothing. */
static void truncations(enum loader l, const struct img *m, const char *kind)
{
	struct hv_load_error err;
	struct hv_load_info info;
	char what[64];
	size_t len;
	int r;

	ld_snapshot();
	for (len = 0; len < m->len; len++) {
		snprintf(what, sizeof(what), "%s cut at %zu", kind, len);
		err.msg[0] = '\0';
		r = ld_load(l, m, len, &info, &err);
		ck_assert_msg(r == -ENOEXEC, "%s: returned %d (%s)", what, r,
			      err.msg);
		ck_assert_msg(err.msg[0], "%s: no message", what);
		ld_assert_untouched(what);
	}
}

START_TEST(truncated_images)
{
	struct img m;

	img_elf32(&m, 0x100000, 0x100000);
	truncations(LD_ELF, &m, "elf32");
	img_elf64(&m, 0x180000);
	truncations(LD_ELF, &m, "elf64");
	img_mb_elf(&m, 0x100000);
	truncations(LD_MB, &m, "multiboot elf");
	img_mb_aout(&m, 0x100000);
	truncations(LD_MB, &m, "multiboot a.out");
}
END_TEST

START_TEST(elf_misc_errors)
{
	struct hv_load_error err;
	struct hv_load_info info;
	struct img m;

	img_elf32(&m, 0x100000, 0x100000);
	ck_assert_int_eq(hv_load_elf(NULL, m.b, m.len, &info, &err), -EBADF);
	ck_assert_int_eq(hv_load_elf(ld_vm, NULL, m.len, &info, &err), -EINVAL);
	ck_assert_int_eq(hv_load_elf(ld_vm, m.b, m.len, NULL, &err), -EINVAL);
	ck_assert(err.msg[0]);
	ld_expect_fail(LD_ELF, &m, 3, -ENOEXEC, "no ELF magic", "3 bytes");
	ld_expect_fail(LD_ELF, &m, 15, -ENOEXEC, "inside e_ident", "15 bytes");
	ld_expect_fail(LD_ELF, &m, 51, -ENOEXEC,
		    "shorter than the ELF32 header (52 bytes)", "51 bytes");
	/* The two segments meet, but do not overlap: fine. */
	img_put32(m.b + E32_PH(2) + 12, 0x100020);
	img_put32(m.b + E32_PH(2) + 8, 0x100020);
	ck_assert_int_eq(hv_load_elf(ld_vm, m.b, m.len, &info, &err), 0);
	ck_assert_uint_eq(info.end, 0x100060);
}
END_TEST

/* ---- malformed multiboot ---- */

START_TEST(mb_header_errors)
{
	struct img m, big;
	uint32_t off;

	img_mb_aout(&m, 0x100000);
	img_put32(m.b + AOUT_HDR + 8, img_get32(m.b + AOUT_HDR + 8) + 1);
	ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC,
		    "multiboot: header at offset 0x10: checksum mismatch (magic+flags+checksum != 0)",
		    "checksum");

	img_mb_aout(&m, 0x100000);
	img_put32(m.b + AOUT_HDR, 0);
	ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC,
		    "multiboot: no header (magic 0x1BADB002, 4-byte aligned) in the first 8192 bytes",
		    "no magic");

	/* Misaligned: not found. */
	memset(&big, 0, sizeof(big));
	img_mb_header(big.b + 0x102, 0x3);
	big.len = 0x200;
	ld_expect_fail(LD_MB, &big, big.len, -ENOEXEC, "no header", "misaligned");

	/* Beyond the first 8 KiB: not found. */
	memset(&big, 0, sizeof(big));
	img_mb_header(big.b + 8192, 0x3);
	big.len = 8192 + 64;
	ld_expect_fail(LD_MB, &big, big.len, -ENOEXEC, "no header", "at 8192");

	/* Past 8192 - 48 with the video fields (48 bytes): sticks out. */
	for (off = 8192 - 44; off < 8192 - 12; off += 4) {
		memset(&big, 0, sizeof(big));
		img_mb_header(big.b + off, 0x7);
		big.len = 8192 + 64;
		ld_expect_fail(LD_MB, &big, big.len, -ENOEXEC,
			    "end past the first 8192 bytes", "video at end");
	}
	/* a.out fields (32 bytes) at 8192 - 28 stick out too. */
	memset(&big, 0, sizeof(big));
	img_mb_header(big.b + 8192 - 28, 0x10003);
	big.len = 8192 + 64;
	ld_expect_fail(LD_MB, &big, big.len, -ENOEXEC,
		    "header at offset 0x1fe4: its 32 bytes", "a.out at end");
	/* Ends within the file. */
	memset(&big, 0, sizeof(big));
	img_mb_header(big.b + 0x100, 0x10003);
	big.len = 0x110;
	ld_expect_fail(LD_MB, &big, big.len, -ENOEXEC,
		    "end past the end of the file (272 bytes)", "short file");

	/* Required flags hv does not know: bits 3-15. */
	for (off = 3; off < 16; off++) {
		char want[80];

		img_mb_aout(&m, 0x100000);
		img_put32(m.b + AOUT_HDR + 4, 0x10003 | 1u << off);
		img_mb_fix_checksum(m.b + AOUT_HDR);
		snprintf(want, sizeof(want), "required bits 0x%04x not supported",
			 1u << off);
		ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC, want, "flags");
	}

	/* No a.out kludge and not ELF. */
	img_mb_aout(&m, 0x100000);
	img_put32(m.b + AOUT_HDR + 4, 0x3);
	img_mb_fix_checksum(m.b + AOUT_HDR);
	ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC,
		    "bit 16 (a.out kludge) is clear but the image is not ELF",
		    "not elf");
}
END_TEST

/* a.out kludge fields, at AOUT_HDR + 12 .. 28. */
static const struct field_case aout_cases[] = {
	/* header_addr below load_addr */
	{ AOUT_HDR + 12, 4, 0xfffff, -ENOEXEC,
	  "multiboot: a.out kludge: load_addr (0x100000) > header_addr (0xfffff)" },
	{ AOUT_HDR + 12, 4, 0x100011, -ENOEXEC,
	  "header_addr-load_addr (0x11) exceeds the header's file offset (0x10)" },
	{ AOUT_HDR + 16, 4, 0x100011, -ENOEXEC, "load_addr (0x100011) > header_addr" },
	{ AOUT_HDR + 16, 4, 0xffff0, -ENOEXEC, "exceeds the header's file offset" },
	{ AOUT_HDR + 20, 4, 0xfffff, -ENOEXEC,
	  "multiboot: a.out kludge: load_end_addr < load_addr" },
	{ AOUT_HDR + 20, 4, 0x100061, -ENOEXEC,
	  "a.out kludge: load_end_addr-load_addr (0x61 bytes from file offset 0x0) beyond end of file" },
	{ AOUT_HDR + 24, 4, 0x10005f, -ENOEXEC,
	  "a.out kludge: bss_end_addr (0x10005f) < load end (0x100060)" },
	{ AOUT_HDR + 24, 4, 0x300000, -ERANGE,
	  "a.out kludge: [load_addr, end) = [0x100000, 0x300000) is not in guest RAM" },
	{ AOUT_HDR + 28, 4, 0x100060, -ENOEXEC,
	  "a.out kludge: entry_addr (0x100060) outside the loaded text and data" },
	{ AOUT_HDR + 28, 4, 0xfffff, -ENOEXEC, "entry_addr (0xfffff)" },
};

START_TEST(mb_aout_errors)
{
	char what[64];
	struct img m;
	size_t i;

	for (i = 0; i < sizeof(aout_cases) / sizeof(aout_cases[0]); i++) {
		const struct field_case *c = &aout_cases[i];

		img_mb_aout(&m, 0x100000);
		set_field(m.b, c->off, c->size, c->val);
		snprintf(what, sizeof(what), "a.out case %zu", i);
		ld_expect_fail(LD_MB, &m, m.len, c->ret, c->needle, what);
	}

	/* The whole image out of RAM, keeping the header consistent. */
	img_mb_aout(&m, 0x1fffc0);
	ld_expect_fail(LD_MB, &m, m.len, -ERANGE,
		    "[load_addr, end) = [0x1fffc0, 0x2000c0) is not in guest RAM",
		    "past RAM");
	/* load_end_addr 0: the rest of the file, checked against 4 GiB. */
	img_mb_aout(&m, 0xffffffc0);
	img_put32(m.b + AOUT_HDR + 20, 0);
	img_put32(m.b + AOUT_HDR + 24, 0);
	m.len = 0x80;
	ld_expect_fail(LD_MB, &m, m.len, -ERANGE, "past 4 GiB", "4 GiB");

	/* Fits exactly at the end of RAM, but the info block does not. */
	img_mb_aout(&m, 0x1fff00);
	ld_expect_fail(LD_MB, &m, m.len, -ERANGE,
		    "multiboot: info block [0x200000, 0x20009c) after the kernel is not in guest RAM",
		    "no room for info");
}
END_TEST

START_TEST(mb_elf_errors)
{
	struct hv_mb_module mod;
	struct hv_load_error err;
	struct hv_load_info info;
	static uint8_t blob[0x100000];
	struct img m;

	/* ELF errors come through with their header and field. */
	img_mb_elf(&m, 0x100000);
	img_put32(m.b + E32_PH(2) + 4, 0x121);
	ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC,
		    "ELF: program header 2: p_offset+p_filesz", "mb elf phdr");
	img_mb_elf(&m, 0x100000);
	img_put16(m.b + 18, 62);
	ld_expect_fail(LD_MB, &m, m.len, -ENOEXEC, "ELF: e_machine = 62", "mb machine");

	/* An ELF64 kernel must still sit below 4 GiB. */
	img_elf64(&m, 0x100000);
	img_put64(m.b + E64_PH(1) + 24, 0x100001000ULL);
	img_mb_header(m.b + 0x100, 0x3);
	ld_expect_fail(LD_MB, &m, m.len, -ERANGE,
		    "ELF: program header 1: p_paddr+p_memsz (0x100001000+0x100) above 4 GiB",
		    "mb above 4G");

	/* Modules that do not fit: nothing at all is written. */
	img_mb_elf(&m, 0x100000);
	mod = (struct hv_mb_module){ blob, sizeof(blob), "big" };
	ld_snapshot();
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, "x", &mod, 1,
					   &info, &err), -ERANGE);
	ck_assert_str_eq(err.msg,
			 "multiboot: module 0: [0x103000, 0x203000) is not in guest RAM below 4 GiB");
	ld_assert_untouched("module too big");

	mod.len = sizeof(blob) - 0x4000;	/* fits just */
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, "x", &mod, 1,
					   &info, &err), 0);
	ck_assert_uint_eq(info.mb_end, 0x200000 - 0x1000);

	/* Arguments */
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, NULL, NULL, 1,
					   &info, &err), -EINVAL);
	mod.data = NULL;
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, NULL, &mod, 1,
					   &info, &err), -EINVAL);
	ck_assert_int_eq(hv_load_multiboot(NULL, m.b, m.len, NULL, NULL, 0,
					   &info, &err), -EBADF);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, NULL, 0, NULL, NULL, 0,
					   &info, &err), -EINVAL);
	ck_assert_str_eq(err.msg,
			 "multiboot: no image, no result or no module list");
}
END_TEST

/* ---- mutation fuzz ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

static void mutate(struct img *m)
{
	static const uint32_t special[] = {
		0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000,
		0xffffffff, 0xfffffff0, 0x1000, 0x10000, 0x20000,
	};
	unsigned int n = 1 + rng() % 4, k;

	for (k = 0; k < n; k++) {
		size_t at = rng() % m->len;

		switch (rng() % 5) {
		case 0:
			m->b[at] = (uint8_t)rng();
			break;
		case 1:
			m->b[at] ^= (uint8_t)(1u << (rng() % 8));
			break;
		case 2:
			if (at + 4 <= m->len)
				img_put32(m->b + (at & ~3ul), special[rng() %
					(sizeof(special) / sizeof(special[0]))]);
			break;
		case 3:
			m->len = at;		/* truncate */
			if (!m->len)
				return;
			break;
		default:
			if (at + 2 <= m->len)
				img_put16(m->b + at, (uint16_t)rng());
			break;
		}
	}
}

START_TEST(mutation_fuzz)
{
	static const char *kinds[] = { "elf32", "elf64", "mb elf", "mb a.out" };
	struct hv_load_error err;
	struct hv_load_info info;
	struct hv_mb_module mod = { "module", 6, "m" };
	unsigned int i, ok = 0;
	struct img m;
	int r;

	/* A small VM: comparing all of its RAM after each try stays cheap. */
	ld_vm_replace("fuzz", 128 * KiB);

	rng_state = 0x6876;
	ld_snapshot();
	for (i = 0; i < 4000; i++) {
		unsigned int kind = i % 4;

		switch (kind) {
		case 0: img_elf32(&m, 0x4000, 0x4000); break;
		case 1: img_elf64(&m, 0x8000); break;
		case 2: img_mb_elf(&m, 0x4000); break;
		default: img_mb_aout(&m, 0x4000); break;
		}
		mutate(&m);
		memset(&err, 'x', sizeof(err));
		if (kind < 2)
			r = hv_load_elf(ld_vm, m.b, m.len, &info, &err);
		else
			r = hv_load_multiboot(ld_vm, m.b, m.len, "c", &mod, 1,
					      &info, &err);
		if (r == 0) {
			ok++;
			ck_assert_msg(!err.msg[0], "%s %u: message on success",
				      kinds[kind], i);
			ck_assert_msg(info.entry >= info.low &&
				      info.entry < info.end &&
				      info.end <= ld_ram_size,
				      "%s %u: entry/low/end inconsistent",
				      kinds[kind], i);
			ld_restore();
			continue;
		}
		ck_assert_msg(r == -ENOEXEC || r == -ERANGE,
			      "%s %u: returned %d", kinds[kind], i, r);
		ck_assert_msg(memchr(err.msg, 0, sizeof(err.msg)) && err.msg[0],
			      "%s %u: no message", kinds[kind], i);
		ck_assert_msg(!strncmp(err.msg, "ELF: ", 5) ||
			      !strncmp(err.msg, "multiboot: ", 11),
			      "%s %u: message \"%s\"", kinds[kind], i, err.msg);
		ld_assert_untouched(kinds[kind]);
	}
	/* Some mutations miss what matters: both outcomes were seen. */
	ck_assert_uint_gt(ok, 0);
	ck_assert_uint_lt(ok, 4000);
}
END_TEST

Suite *malformed_suite(void)
{
	Suite *s = suite_create("malformed");
	TCase *tc = tcase_create("malformed");

	tcase_add_checked_fixture(tc, ld_setup, ld_teardown);
	tcase_add_test(tc, elf32_bad_fields);
	tcase_add_test(tc, elf64_bad_fields);
	tcase_add_test(tc, truncated_images);
	tcase_add_test(tc, elf_misc_errors);
	tcase_add_test(tc, mb_header_errors);
	tcase_add_test(tc, mb_aout_errors);
	tcase_add_test(tc, mb_elf_errors);
	tcase_add_test(tc, mutation_fuzz);
	suite_add_tcase(s, tc);
	return s;
}
