/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhv: what the image loaders (lib/boot/image.c, lib/boot/elf.c,
 * lib/boot/multiboot.c, lib/boot/boot.c) share.  Not installed; the unit
 * tests do not need it.
 *
 * Every loader works in two passes: check the whole image and every
 * guest range it will touch, then write.  The write pass cannot fail, so
 * a refused image leaves guest RAM as it was.
 */
#ifndef LIBHV_LOADERS_H
#define LIBHV_LOADERS_H

#include <stdbool.h>
#include <stdint.h>

#include "libhv.h"

#define HV_LOAD_HIDDEN	__attribute__((visibility("hidden")))

#define HV_4GIB		(1ULL << 32)

/* Control-register and EFER bits (SDM Vol 3A, 2.5 and 2.2.1) */
#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* Page-table entry bits (SDM Vol 3A, 4.5 "4-Level Paging") */
#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_A		(1ULL << 5)
#define PTE_D		(1ULL << 6)
#define PTE_PS		(1ULL << 7)

/* Little-endian fields at any alignment. */
static inline uint16_t hv_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t hv_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t hv_le64(const uint8_t *p)
{
	return (uint64_t)hv_le32(p) | (uint64_t)hv_le32(p + 4) << 32;
}

static inline void hv_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void hv_put_le64(uint8_t *p, uint64_t v)
{
	hv_put_le32(p, (uint32_t)v);
	hv_put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Text for a file's errno (negative): hv_strerror() words ENOENT and
 * EACCES for /dev/hv, which would mislead about an image file.
 */
HV_LOAD_HIDDEN const char *hv_file_strerror(int err);

/* One past the RAM mapped without a gap from GPA 0 (0: none at 0). */
HV_LOAD_HIDDEN uint64_t hv_ram_end(struct hv_vm *vm);

/*
 * hv_read_image() of @path, at most @max bytes, for the one-call boots
 * (boot.c, linux.c): on error, one line into @err (@errlen bytes; NULL
 * is fine) that names the whole path.
 */
HV_LOAD_HIDDEN int hv_boot_read(char *err, size_t errlen, const char *path,
				uint64_t max, void **buf, size_t *len);

/* Clear @err's message (NULL is fine). */
HV_LOAD_HIDDEN void hv_load_ok(struct hv_load_error *err);

/* printf into @err->msg (NULL is fine); returns @ret, for `return` chains. */
HV_LOAD_HIDDEN int hv_load_fail(struct hv_load_error *err, int ret,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Guest-physical [gpa, gpa + len) is mapped RAM, possibly across
 * adjacent mappings, and does not wrap.  len 0 is always true.
 */
HV_LOAD_HIDDEN bool hv_ram_covers(struct hv_vm *vm, uint64_t gpa,
				  uint64_t len);

/* Copy or zero a range that hv_ram_covers() accepted. */
HV_LOAD_HIDDEN void hv_ram_write(struct hv_vm *vm, uint64_t gpa,
				 const void *src, uint64_t len);
HV_LOAD_HIDDEN void hv_ram_zero(struct hv_vm *vm, uint64_t gpa, uint64_t len);

/*
 * ELF pass one (lib/boot/elf.c): check @img as hv_load_elf() documents, with
 * every loaded byte below @limit, and fill @out.  Returns 0, -ENOEXEC
 * (malformed), -ERANGE (outside RAM or @limit) or -ENOMEM.
 */
HV_LOAD_HIDDEN int hv_elf_check(struct hv_vm *vm, const uint8_t *img,
				size_t len, uint64_t limit,
				struct hv_load_info *out,
				struct hv_load_error *err);

/* ELF pass two: copy and zero-fill what hv_elf_check() accepted. */
HV_LOAD_HIDDEN void hv_elf_write(struct hv_vm *vm, const uint8_t *img);

/* True if @img starts with the ELF magic. */
HV_LOAD_HIDDEN bool hv_elf_magic(const uint8_t *img, size_t len);

#endif /* LIBHV_LOADERS_H */
