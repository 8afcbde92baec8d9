/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit tests of libhv's kernel loaders: images built byte by byte from
 * the ELF (gABI 4.1) and Multiboot (0.6.96) specifications, not from the
 * loader's own tables, and a fixture VM on the fake of fake_vm.c whose
 * RAM starts filled with RAM_FILL, so that what a loader zeroes shows
 * and a refused image can be seen to leave it exactly as it was.
 * tests/unit/images.c; used by test_loaders.c and test_malformed.c.
 */
#ifndef HV_UNIT_IMAGES_H
#define HV_UNIT_IMAGES_H

#include "unit.h"

#define KiB		(1ULL << 10)
#define MiB		(1ULL << 20)
#define RAM_FILL	0xa5
#define IMG_MAX		0x4000

/* Multiboot Specification 0.6.96 */
#define MB_MAGIC	0x1BADB002u
#define MB_BOOT_MAGIC	0x2BADB002u
#define MBI_FLAGS_WANT	(0x1u | 0x4u | 0x8u | 0x40u | 0x200u)

struct img {
	uint8_t b[IMG_MAX];
	size_t len;
};

/* Little-endian fields. */
void img_put16(uint8_t *p, uint16_t v);
void img_put32(uint8_t *p, uint32_t v);
void img_put64(uint8_t *p, uint64_t v);
uint32_t img_get32(const uint8_t *p);
uint64_t img_get64(const uint8_t *p);

/*
 * ELF32: ehdr; phdrs at 52: [0] PT_LOAD text, file 0x100, 0x20 bytes at
 * @base; [1] PT_NOTE (ignored); [2] PT_LOAD data, file 0x120, 0x10 bytes
 * at base + 0x1000, memsz 0x40 (0x30 of bss).  Linked at @vbase
 * (virtual), entry vbase + 4.  0x130 bytes: every byte counts.
 */
#define E32_PH(i)	(52 + 32 * (i))
void img_elf32(struct img *m, uint32_t base, uint32_t vbase);

/*
 * ELF64: ehdr; phdrs at 64: [0] PT_LOAD text, file 0x100, 0x20 bytes at
 * @base; [1] PT_LOAD data, file 0x120, 0x10 bytes at base + 0x2000,
 * memsz 0x100.  Entry base + 8.  0x130 bytes.
 */
#define E64_PH(i)	(64 + 56 * (i))
void img_elf64(struct img *m, uint64_t base);

/* A multiboot header with @flags and a good checksum at @h. */
void img_mb_header(uint8_t *h, uint32_t flags);
/* Fix the checksum after a test changed the flags. */
void img_mb_fix_checksum(uint8_t *h);

/* The ELF32 image with a multiboot header (flags 0x3) opening its text. */
void img_mb_elf(struct img *m, uint32_t base);

/*
 * An a.out-kludge image (flags 0x10003), loaded whole at @base: code
 * 0x00-0x10, header at 0x10 (header_addr base + 0x10), code 0x30-0x60;
 * load_end_addr base + 0x60, bss_end_addr base + 0x100, entry base + 0x40.
 */
#define AOUT_HDR	0x10
void img_mb_aout(struct img *m, uint32_t base);

/* ---- the fixture VM ---- */

extern struct hv *ld_hv;
extern struct hv_vm *ld_vm;
extern uint64_t ld_ram_size;	/* RAM at 0, bytes */

/* Checked fixture: fake /dev/hv, VM "ld" with 2 MiB of RAM at 0. */
void ld_setup(void);
void ld_teardown(void);

/* Swap the fixture's VM for a new one, @name, with @ram bytes at 0. */
void ld_vm_replace(const char *name, uint64_t ram);

/* This process's view of guest RAM; fails the test if unmapped. */
uint8_t *ld_ram(uint64_t gpa, uint64_t len);

/* Remember RAM at 0; then assert nothing in it changed. */
void ld_snapshot(void);
void ld_assert_untouched(const char *what);
/* Restore what ld_snapshot() saw. */
void ld_restore(void);

/* Every byte of [gpa, gpa + len) is @v. */
void ld_assert_filled(uint64_t gpa, uint64_t len, uint8_t v);

enum loader { LD_ELF, LD_MB };

/* hv_load_elf() or hv_load_multiboot() (no cmdline, no modules). */
int ld_load(enum loader l, const struct img *m, size_t len,
	    struct hv_load_info *info, struct hv_load_error *err);

/* The image is refused with @ret, a message holding @needle, RAM as was. */
void ld_expect_fail(enum loader l, const struct img *m, size_t len,
		    int ret, const char *needle, const char *what);

#endif /* HV_UNIT_IMAGES_H */
