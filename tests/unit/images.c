// SPDX-License-Identifier: GPL-2.0
/*
 * Test images and the fixture VM for the loader tests (images.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "images.h"

struct hv *ld_hv;
struct hv_vm *ld_vm;
uint64_t ld_ram_size;
static uint8_t *ld_before;	/* ld_ram_size bytes: RAM at ld_snapshot() */

/* ---- bytes ---- */

void img_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void img_put32(uint8_t *p, uint32_t v)
{
	img_put16(p, (uint16_t)v);
	img_put16(p + 2, (uint16_t)(v >> 16));
}

void img_put64(uint8_t *p, uint64_t v)
{
	img_put32(p, (uint32_t)v);
	img_put32(p + 4, (uint32_t)(v >> 32));
}

uint32_t img_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t img_get64(const uint8_t *p)
{
	return img_get32(p) | (uint64_t)img_get32(p + 4) << 32;
}

/* ---- images (layouts in images.h) ---- */

void img_elf32(struct img *m, uint32_t base, uint32_t vbase)
{
	uint8_t *b = m->b;
	int i;

	memset(m, 0, sizeof(*m));
	memcpy(b, "\x7f" "ELF\x01\x01\x01", 7);
	img_put16(b + 16, 2);		/* ET_EXEC */
	img_put16(b + 18, 3);		/* EM_386 */
	img_put32(b + 20, 1);		/* EV_CURRENT */
	img_put32(b + 24, vbase + 4);	/* e_entry */
	img_put32(b + 28, 52);		/* e_phoff */
	img_put16(b + 40, 52);		/* e_ehsize */
	img_put16(b + 42, 32);		/* e_phentsize */
	img_put16(b + 44, 3);		/* e_phnum */

	img_put32(b + E32_PH(0), 1);
	img_put32(b + E32_PH(0) + 4, 0x100);
	img_put32(b + E32_PH(0) + 8, vbase);
	img_put32(b + E32_PH(0) + 12, base);
	img_put32(b + E32_PH(0) + 16, 0x20);
	img_put32(b + E32_PH(0) + 20, 0x20);
	img_put32(b + E32_PH(0) + 24, 5);
	img_put32(b + E32_PH(0) + 28, 0x1000);

	img_put32(b + E32_PH(1), 4);	/* PT_NOTE */
	img_put32(b + E32_PH(1) + 4, 0x100);
	img_put32(b + E32_PH(1) + 16, 8);

	img_put32(b + E32_PH(2), 1);
	img_put32(b + E32_PH(2) + 4, 0x120);
	img_put32(b + E32_PH(2) + 8, vbase + 0x1000);
	img_put32(b + E32_PH(2) + 12, base + 0x1000);
	img_put32(b + E32_PH(2) + 16, 0x10);
	img_put32(b + E32_PH(2) + 20, 0x40);
	img_put32(b + E32_PH(2) + 24, 6);
	img_put32(b + E32_PH(2) + 28, 0x1000);

	for (i = 0; i < 0x20; i++)
		b[0x100 + i] = (uint8_t)(i + 1);
	for (i = 0; i < 0x10; i++)
		b[0x120 + i] = (uint8_t)(0x80 + i);
	m->len = 0x130;
}

void img_elf64(struct img *m, uint64_t base)
{
	uint8_t *b = m->b;
	int i;

	memset(m, 0, sizeof(*m));
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	img_put16(b + 16, 2);
	img_put16(b + 18, 62);		/* EM_X86_64 */
	img_put32(b + 20, 1);
	img_put64(b + 24, base + 8);	/* e_entry */
	img_put64(b + 32, 64);		/* e_phoff */
	img_put16(b + 52, 64);		/* e_ehsize */
	img_put16(b + 54, 56);		/* e_phentsize */
	img_put16(b + 56, 2);		/* e_phnum */

	img_put32(b + E64_PH(0), 1);
	img_put32(b + E64_PH(0) + 4, 5);
	img_put64(b + E64_PH(0) + 8, 0x100);
	img_put64(b + E64_PH(0) + 16, base);
	img_put64(b + E64_PH(0) + 24, base);
	img_put64(b + E64_PH(0) + 32, 0x20);
	img_put64(b + E64_PH(0) + 40, 0x20);

	img_put32(b + E64_PH(1), 1);
	img_put32(b + E64_PH(1) + 4, 6);
	img_put64(b + E64_PH(1) + 8, 0x120);
	img_put64(b + E64_PH(1) + 16, base + 0x2000);
	img_put64(b + E64_PH(1) + 24, base + 0x2000);
	img_put64(b + E64_PH(1) + 32, 0x10);
	img_put64(b + E64_PH(1) + 40, 0x100);

	for (i = 0; i < 0x20; i++)
		b[0x100 + i] = (uint8_t)(0x40 + i);
	for (i = 0; i < 0x10; i++)
		b[0x120 + i] = (uint8_t)(0xc0 + i);
	m->len = 0x130;
}

void img_mb_header(uint8_t *h, uint32_t flags)
{
	img_put32(h, MB_MAGIC);
	img_put32(h + 4, flags);
	img_put32(h + 8, (uint32_t)-(MB_MAGIC + flags));
}

void img_mb_elf(struct img *m, uint32_t base)
{
	img_elf32(m, base, base);
	img_mb_header(m->b + 0x100, 0x3);
}

void img_mb_aout(struct img *m, uint32_t base)
{
	uint8_t *b = m->b, *h = b + AOUT_HDR;
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 0x60; i++)
		b[i] = (uint8_t)(0x10 + i);
	img_mb_header(h, 0x10003);
	img_put32(h + 12, base + AOUT_HDR);	/* header_addr */
	img_put32(h + 16, base);		/* load_addr */
	img_put32(h + 20, base + 0x60);	/* load_end_addr */
	img_put32(h + 24, base + 0x100);	/* bss_end_addr */
	img_put32(h + 28, base + 0x40);	/* entry_addr */
	m->len = 0x60;
}

void img_mb_fix_checksum(uint8_t *h)
{
	img_put32(h + 8, (uint32_t)-(MB_MAGIC + img_get32(h + 4)));
}

/* ---- the fixture VM ---- */

void ld_vm_replace(const char *name, uint64_t ram)
{
	hv_vm_close(ld_vm);
	free(ld_before);
	ck_assert_int_eq(hv_vm_create(ld_hv, name, 0, &ld_vm), 0);
	ck_assert_int_eq(hv_vm_add_ram(ld_vm, 0, ram), 0);
	ld_ram_size = ram;
	memset(hv_vm_gpa_ptr(ld_vm, 0, ram), RAM_FILL, ram);
	ld_before = malloc(ram);
	ck_assert_ptr_nonnull(ld_before);
}

void ld_setup(void)
{
	fake_hv_setup();
	ck_assert_int_eq(hv_open(&ld_hv), 0);
	ld_vm = NULL;
	ld_before = NULL;
	ld_vm_replace("ld", 2 * MiB);
}

void ld_teardown(void)
{
	hv_vm_close(ld_vm);
	hv_close(ld_hv);
	free(ld_before);
	fake_hv_teardown();
}

uint8_t *ld_ram(uint64_t gpa, uint64_t len)
{
	uint8_t *p = hv_vm_gpa_ptr(ld_vm, gpa, len);

	ck_assert_msg(p, "GPA 0x%llx+0x%llx not mapped",
		      (unsigned long long)gpa, (unsigned long long)len);
	return p;
}

void ld_snapshot(void)
{
	memcpy(ld_before, ld_ram(0, ld_ram_size), ld_ram_size);
}

void ld_assert_untouched(const char *what)
{
	ck_assert_msg(!memcmp(ld_before, ld_ram(0, ld_ram_size), ld_ram_size),
		      "%s: guest RAM changed by a refused image", what);
}

void ld_restore(void)
{
	memcpy(ld_ram(0, ld_ram_size), ld_before, ld_ram_size);
}

void ld_assert_filled(uint64_t gpa, uint64_t len, uint8_t v)
{
	const uint8_t *p = ld_ram(gpa, len);
	uint64_t i;

	for (i = 0; i < len; i++)
		ck_assert_msg(p[i] == v, "GPA 0x%llx: 0x%02x, want 0x%02x",
			      (unsigned long long)(gpa + i), p[i], v);
}

int ld_load(enum loader l, const struct img *m, size_t len,
	    struct hv_load_info *info, struct hv_load_error *err)
{
	if (l == LD_ELF)
		return hv_load_elf(ld_vm, m->b, len, info, err);
	return hv_load_multiboot(ld_vm, m->b, len, NULL, NULL, 0, info, err);
}

void ld_expect_fail(enum loader l, const struct img *m, size_t len,
		    int ret, const char *needle, const char *what)
{
	struct hv_load_error err;
	struct hv_load_info info;
	int r;

	ld_snapshot();
	memset(&err, 'x', sizeof(err));
	r = ld_load(l, m, len, &info, &err);
	ck_assert_msg(r == ret, "%s: returned %d, want %d (%s)", what, r, ret,
		      err.msg);
	ck_assert_msg(memchr(err.msg, 0, sizeof(err.msg)),
		      "%s: message not terminated", what);
	ck_assert_msg(strstr(err.msg, needle), "%s: \"%s\" lacks \"%s\"",
		      what, err.msg, needle);
	ld_assert_untouched(what);
}
