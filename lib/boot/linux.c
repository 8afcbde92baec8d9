// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: boot Linux through the 64-bit boot protocol of
 * Documentation/arch/x86/boot.rst ("64-bit Boot Protocol") and
 * zero-page.rst.  The layout is in libhv.h and docs/linux.md.
 *
 * hv_linux_layout() works as the other loaders do (loaders.h): check the
 * image, the initramfs, the command line and every range they go to,
 * then write; the write pass cannot fail, so a refused boot leaves RAM
 * as it was.  It is pure (a RAM buffer in, no VM), so the unit tests
 * and the KVM reference loader of tests/bench use it unchanged.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"
#include "internal.h"
#include "loaders.h"

/* Where things go in guest RAM (libhv.h). */
#define LX_GDT		0x500ULL
#define LX_TSS		0x580ULL
#define LX_ZERO_PAGE	0x7000ULL
#define LX_PML4		0x9000ULL
#define LX_PDPT		0xa000ULL
#define LX_PD		0xb000ULL	/* 4 page directories, to 0xf000 */
#define LX_CMDLINE	0x20000ULL
#define LX_CMDLINE_MAX	(0x9fc00ULL - LX_CMDLINE - 1)
#define LX_EBDA		0x9fc00ULL	/* e820: reserved to 0xa0000 */
#define LX_HIGH		0x100000ULL	/* 1 MiB: nothing of hv's above */
#define LX_GDT_LIMIT	0x2f		/* null, null, CS, DS, TSS (16) */
#define LX_SEL_TSS	0x20
#define LX_TSS_LIMIT	0x67

/* struct boot_params (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_SIZE			0x1000
#define BP_ACPI_RSDP		0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_SENTINEL		0x1ef
#define BP_HDR			0x1f1
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

/* The setup header, by its offset in the image and the zero page
 * (boot.rst, "The Real-Mode Kernel Header"). */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_VID_MODE		0x1fa
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_HEADER		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_MIN		0x26c	/* protocol 2.12's header ends here */

#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG		0xaa55
#define LOADED_HIGH		0x01
#define CAN_USE_HEAP		0x80
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff		/* boot.rst: "0xFF: undefined" */
#define PROTOCOL_MIN		0x020c		/* xloadflags: 2.12 */
#define PROTOCOL_VMLINUX	0x020f		/* what we claim for a vmlinux */

#define E820_RAM		1
#define E820_RESERVED		2

/* ELF64 (System V gABI) */
#define EM_X86_64		62
#define ET_EXEC			2
#define PT_LOAD			1
#define EHDR64_SIZE		64
#define PHDR64_SIZE		56
#define LX_MAX_PHDRS		64

/* Page tables and descriptors: see modes.c for the bits' sources. */

/* A flat 4 GiB descriptor: G, P, S, DPL 0 (SDM Vol 3, 3.4.5). */
#define DESC_CODE64	0x00af9b000000ffffULL	/* L=1 D=0, execute/read */
#define DESC_DATA	0x00cf93000000ffffULL	/* D=1, read/write */

struct lx_segment {
	uint64_t file_off;
	uint64_t gpa;
	uint64_t filesz;
	uint64_t memsz;
};

/* What the check pass decided; the write pass only follows it. */
struct lx_plan {
	uint32_t format;
	uint32_t protocol;
	uint64_t entry;
	uint64_t kernel_gpa, kernel_end;	/* kernel_end: init_size's end */
	uint64_t initrd_gpa;
	uint32_t initrd_max;
	size_t hdr_len;			/* setup header bytes from 0x1f1 */
	uint64_t pm_off, pm_len;	/* bzImage: protected-mode part */
	struct lx_segment seg[LX_MAX_PHDRS];	/* vmlinux */
	unsigned int nseg;
	size_t cmdline_len;
};

__attribute__((format(printf, 3, 4)))
static int lx_fail(const struct hv_linux_opts *o, int ret, const char *fmt,
		   ...)
{
	va_list ap;

	if (o && o->err && o->errlen) {
		va_start(ap, fmt);
		vsnprintf(o->err, o->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static uint64_t lx_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* [a, a+alen) and [b, b+blen) overlap */
static bool lx_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * A bzImage: the setup header's checks (boot.rst, "Details of Header
 * Fields" and "64-bit Boot Protocol").  The kernel is loaded at
 * pref_address whether relocatable or not: a relocatable x86-64 kernel
 * decompresses itself to at least LOAD_PHYSICAL_ADDR (= pref_address)
 * anyway (arch/x86/boot/compressed/head_64.S), so it needs init_size
 * from there; a non-relocatable one must be there.
 */
static int lx_check_bzimage(const struct hv_linux_opts *o, uint64_t ram,
			    struct lx_plan *p)
{
	const uint8_t *k = o->kernel;
	uint64_t setup_sects, syssize, align, pref, init_size;
	uint8_t xlf, reloc;

	if (o->kernel_len < HDR_END_MIN)
		return lx_fail(o, -ENOEXEC, "not a Linux kernel: %zu bytes, "
			       "too short for a setup header", o->kernel_len);
	/* boot.rst: "boot_flag ... 0xAA55" and "header ... HdrS" */
	if (hv_le16(k + HDR_BOOT_FLAG) != BOOT_FLAG ||
	    hv_le32(k + HDR_HEADER) != HDRS_MAGIC)
		return lx_fail(o, -ENOEXEC, "not a Linux bzImage or vmlinux: "
			       "no \"HdrS\" setup header magic");
	p->protocol = hv_le16(k + HDR_VERSION);
	if (p->protocol < PROTOCOL_MIN)
		return lx_fail(o, -ENOEXEC, "boot protocol %u.%02u is too old: "
			       "hv needs 2.12 or later (Linux 3.8+)",
			       p->protocol >> 8, p->protocol & 0xff);
	xlf = k[HDR_XLOADFLAGS];
	if (!(xlf & XLF_KERNEL_64))
		return lx_fail(o, -ENOEXEC, "xloadflags has no XLF_KERNEL_64: "
			       "not a 64-bit kernel (hv enters at the 64-bit "
			       "entry point)");
	/* boot.rst: "The header ... ends at 0x0202 + the byte at 0x0201" */
	p->hdr_len = 0x202 + k[HDR_JUMP + 1] - BP_HDR;
	if (p->hdr_len < HDR_END_MIN - BP_HDR)
		p->hdr_len = HDR_END_MIN - BP_HDR;
	if (p->hdr_len > BP_E820_TABLE - BP_HDR)
		return lx_fail(o, -ENOEXEC, "setup header of %zu bytes is "
			       "larger than boot_params has room for",
			       p->hdr_len);
	/* boot.rst: "If this field is 0, the real value is 4." */
	setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
	p->pm_off = (setup_sects + 1) * 512;
	syssize = (uint64_t)hv_le32(k + HDR_SYSSIZE) * 16;
	if (o->kernel_len < p->pm_off + syssize || !syssize ||
	    o->kernel_len < BP_HDR + p->hdr_len)
		return lx_fail(o, -ENOEXEC, "truncated bzImage: %zu bytes, the "
			       "header says %" PRIu64, o->kernel_len,
			       p->pm_off + syssize);
	p->pm_len = o->kernel_len - p->pm_off;

	align = hv_le32(k + HDR_KERNEL_ALIGNMENT);
	reloc = k[HDR_RELOCATABLE];
	pref = hv_le64(k + HDR_PREF_ADDRESS);
	init_size = hv_le32(k + HDR_INIT_SIZE);
	if (reloc && (!align || align & (align - 1)))
		return lx_fail(o, -ENOEXEC, "kernel_alignment 0x%" PRIx64
			       " is not a power of two", align);
	if (reloc && pref & (align - 1))
		return lx_fail(o, -ENOEXEC, "pref_address 0x%" PRIx64 " is not "
			       "aligned to kernel_alignment 0x%" PRIx64, pref,
			       align);
	if (pref < LX_HIGH)
		return lx_fail(o, -ENOEXEC, "pref_address 0x%" PRIx64 " is "
			       "below 1 MiB, where hv's boot data lie", pref);
	if (init_size < p->pm_len)
		init_size = p->pm_len;
	if (pref > ram || init_size > ram - pref)
		return lx_fail(o, -EFBIG, "the kernel needs RAM to 0x%" PRIx64
			       " (pref_address 0x%" PRIx64 " + init_size 0x%"
			       PRIx64 "); RAM ends at 0x%" PRIx64,
			       pref + init_size, pref, init_size, ram);
	p->kernel_gpa = pref;
	p->kernel_end = pref + init_size;
	/* boot.rst, "64-bit Boot Protocol": startup_64 at +0x200 */
	p->entry = pref + 0x200;
	p->initrd_max = hv_le32(k + HDR_INITRD_ADDR_MAX);
	p->format = HV_LINUX_BZIMAGE;
	return 0;
}

/* An uncompressed vmlinux: ELF64 x86-64, PT_LOADs at p_paddr. */
static int lx_check_vmlinux(const struct hv_linux_opts *o, uint64_t ram,
			    struct lx_plan *p)
{
	const uint8_t *k = o->kernel;
	uint64_t phoff, lo = UINT64_MAX, hi = 0;
	unsigned int i, phnum, phentsize;

	if (o->kernel_len < EHDR64_SIZE || k[4] != 2 || k[5] != 1)
		return lx_fail(o, -ENOEXEC, "ELF file that is not ELF64 "
			       "little-endian: not an x86-64 vmlinux");
	if (hv_le16(k + 18) != EM_X86_64 || hv_le16(k + 16) != ET_EXEC)
		return lx_fail(o, -ENOEXEC, "ELF file that is not an x86-64 "
			       "executable (e_machine %u, e_type %u)",
			       hv_le16(k + 18), hv_le16(k + 16));
	phoff = hv_le64(k + 32);
	phentsize = hv_le16(k + 54);
	phnum = hv_le16(k + 56);
	if (phentsize != PHDR64_SIZE || !phnum || phnum > LX_MAX_PHDRS ||
	    phoff > o->kernel_len ||
	    (uint64_t)phnum * PHDR64_SIZE > o->kernel_len - phoff)
		return lx_fail(o, -ENOEXEC, "truncated or malformed vmlinux "
			       "program headers");
	p->nseg = 0;
	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = k + phoff + (uint64_t)i * PHDR64_SIZE;
		struct lx_segment *s = &p->seg[p->nseg];

		if (hv_le32(ph) != PT_LOAD)
			continue;
		s->file_off = hv_le64(ph + 8);
		s->gpa = hv_le64(ph + 24);	/* p_paddr */
		s->filesz = hv_le64(ph + 32);
		s->memsz = hv_le64(ph + 40);
		if (s->filesz > s->memsz || s->file_off > o->kernel_len ||
		    s->filesz > o->kernel_len - s->file_off)
			return lx_fail(o, -ENOEXEC, "truncated vmlinux: segment "
				       "%u lies past the end of the file", i);
		if (s->gpa < LX_HIGH)
			return lx_fail(o, -ENOEXEC, "vmlinux segment %u at 0x%"
				       PRIx64 " is below 1 MiB, where hv's "
				       "boot data lie", i, s->gpa);
		if (s->gpa > ram || s->memsz > ram - s->gpa)
			return lx_fail(o, -EFBIG, "vmlinux segment %u ends at "
				       "0x%" PRIx64 "; RAM ends at 0x%" PRIx64,
				       i, s->gpa + s->memsz, ram);
		lo = s->gpa < lo ? s->gpa : lo;
		hi = s->gpa + s->memsz > hi ? s->gpa + s->memsz : hi;
		p->nseg++;
	}
	if (!p->nseg)
		return lx_fail(o, -ENOEXEC, "vmlinux without a loadable "
			       "segment");
	/* vmlinux.lds.S: ENTRY(phys_startup_64), a physical address */
	p->entry = hv_le64(k + 24);
	if (p->entry < lo || p->entry >= hi)
		return lx_fail(o, -ENOEXEC, "vmlinux entry 0x%" PRIx64 " is "
			       "not in its segments (not a physical entry "
			       "point)", p->entry);
	p->kernel_gpa = lo;
	p->kernel_end = hi;
	p->protocol = PROTOCOL_VMLINUX;
	p->initrd_max = 0x7fffffff;	/* boot.rst: the default */
	p->hdr_len = 0;
	p->format = HV_LINUX_VMLINUX;
	return 0;
}

/* The initramfs: as high as it fits, page-aligned, above the kernel. */
static int lx_check_initrd(const struct hv_linux_opts *o, uint64_t ram,
			   struct lx_plan *p)
{
	uint64_t top = ram, low = lx_align_up(p->kernel_end, 0x1000);

	p->initrd_gpa = 0;
	if (!o->initrd)
		return 0;
	if (!o->initrd_len)
		return lx_fail(o, -EINVAL, "the initramfs is empty");
	/* boot.rst: initrd_addr_max is "the highest address that may be
	 * occupied by the initial ramdisk", i.e. its last byte. */
	if (top > (uint64_t)p->initrd_max + 1)
		top = (uint64_t)p->initrd_max + 1;
	if (o->initrd_len > top || ((top - o->initrd_len) & ~0xfffULL) < low)
		return lx_fail(o, -EFBIG, "the initramfs (%zu bytes) does not "
			       "fit between the kernel's end 0x%" PRIx64 " and "
			       "0x%" PRIx64 " (RAM end or initrd_addr_max)",
			       o->initrd_len, low, top);
	p->initrd_gpa = (top - o->initrd_len) & ~0xfffULL;
	return 0;
}

static void lx_e820(uint8_t *bp, unsigned int *n, uint64_t addr,
		    uint64_t size, uint32_t type)
{
	uint8_t *e = bp + BP_E820_TABLE + *n * 20;

	hv_put_le64(e, addr);
	hv_put_le64(e + 8, size);
	hv_put_le32(e + 16, type);
	(*n)++;
}

static void lx_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The zero page (zero-page.rst), after the image's own setup header. */
static void lx_write_boot_params(uint8_t *ram, uint64_t ram_size,
				 const struct hv_linux_opts *o,
				 const struct lx_plan *p, uint64_t rsdp)
{
	uint8_t *bp = ram + LX_ZERO_PAGE;
	unsigned int n = 0;

	memset(bp, 0, BP_SIZE);
	if (p->format == HV_LINUX_BZIMAGE) {
		memcpy(bp + BP_HDR, (const uint8_t *)o->kernel + BP_HDR,
		       p->hdr_len);
	} else {
		/* A vmlinux has no header: what a bzImage's would say. */
		lx_put16(bp + HDR_BOOT_FLAG, BOOT_FLAG);
		hv_put_le32(bp + HDR_HEADER, HDRS_MAGIC);
		lx_put16(bp + HDR_VERSION, PROTOCOL_VMLINUX);
		bp[HDR_LOADFLAGS] = LOADED_HIGH;
		hv_put_le32(bp + HDR_INITRD_ADDR_MAX, p->initrd_max);
		hv_put_le32(bp + HDR_CMDLINE_SIZE, (uint32_t)LX_CMDLINE_MAX);
	}
	/* boot.rst, "Details of Header Fields": what a loader writes */
	lx_put16(bp + HDR_VID_MODE, 0xffff);		/* "normal" */
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] |= CAN_USE_HEAP;
	lx_put16(bp + HDR_HEAP_END_PTR, 0xfe00);
	hv_put_le32(bp + HDR_CMD_LINE_PTR, (uint32_t)LX_CMDLINE);
	hv_put_le32(bp + BP_EXT_CMD_LINE_PTR, 0);
	if (p->initrd_gpa) {
		hv_put_le32(bp + HDR_RAMDISK_IMAGE, (uint32_t)p->initrd_gpa);
		hv_put_le32(bp + HDR_RAMDISK_SIZE, (uint32_t)o->initrd_len);
		hv_put_le32(bp + BP_EXT_RAMDISK_IMAGE,
			    (uint32_t)(p->initrd_gpa >> 32));
		hv_put_le32(bp + BP_EXT_RAMDISK_SIZE,
			    (uint32_t)((uint64_t)o->initrd_len >> 32));
	}
	hv_put_le64(bp + BP_ACPI_RSDP, rsdp);

	/* e820 (zero-page.rst: e820_table, e820_entries); libhv.h */
	lx_e820(bp, &n, 0, LX_EBDA, E820_RAM);
	lx_e820(bp, &n, LX_EBDA, 0xa0000 - LX_EBDA, E820_RESERVED);
	lx_e820(bp, &n, HV_ACPI_GPA, HV_ACPI_SIZE, E820_RESERVED);
	lx_e820(bp, &n, LX_HIGH, ram_size - LX_HIGH, E820_RAM);
	bp[BP_E820_ENTRIES] = (uint8_t)n;
}

/* GDT, a TSS for TR, identity page tables for the first 4 GiB. */
static void lx_write_cpu_tables(uint8_t *ram)
{
	uint64_t i, tss;

	memset(ram + LX_GDT, 0, LX_GDT_LIMIT + 1);
	/* boot.rst, "64-bit Boot Protocol": __BOOT_CS 0x10, __BOOT_DS 0x18 */
	hv_put_le64(ram + LX_GDT + HV_LINUX_BOOT_CS, DESC_CODE64);
	hv_put_le64(ram + LX_GDT + HV_LINUX_BOOT_DS, DESC_DATA);
	/* A busy 64-bit TSS (type 0xb), which VM entry wants in TR
	 * (SDM Vol 3, 27.3.1.2; APM Vol 2, 15.5.1). */
	tss = LX_TSS_LIMIT | (LX_TSS & 0xffffff) << 16 | 0x8bULL << 40 |
	      ((LX_TSS >> 24) & 0xff) << 56;
	hv_put_le64(ram + LX_GDT + LX_SEL_TSS, tss);
	hv_put_le64(ram + LX_GDT + LX_SEL_TSS + 8, LX_TSS >> 32);
	memset(ram + LX_TSS, 0, LX_TSS_LIMIT + 1);
	lx_put16(ram + LX_TSS + 0x66, LX_TSS_LIMIT + 1);	/* no I/O map */

	/* SDM Vol 3, 4.5 "4-Level Paging": 2 MiB pages */
	memset(ram + LX_PML4, 0, LX_PD + 0x4000 - LX_PML4);
	hv_put_le64(ram + LX_PML4, LX_PDPT | PTE_P | PTE_RW | PTE_A);
	for (i = 0; i < 4; i++)
		hv_put_le64(ram + LX_PDPT + i * 8, (LX_PD + i * 0x1000) |
			    PTE_P | PTE_RW | PTE_A);
	for (i = 0; i < 4 * 512; i++)
		hv_put_le64(ram + LX_PD + i * 8, i << 21 | PTE_P | PTE_RW |
			    PTE_A | PTE_D | PTE_PS);
}

int hv_linux_layout(void *ram, uint64_t ram_size,
		    const struct hv_linux_opts *o, struct hv_linux_info *out)
{
	const uint8_t *k;
	struct hv_acpi_config acfg;
	struct lx_plan *p;
	uint8_t *acpi;
	uint64_t rsdp = 0;
	uint32_t cmax;
	unsigned int i;
	int ret;

	if (!o)
		return -EINVAL;
	if (o->err && o->errlen)
		o->err[0] = '\0';
	if (!ram || !o->kernel || !out || o->flags ||
	    (o->initrd_len && !o->initrd))
		return lx_fail(o, -EINVAL, "bad arguments");
	if (!o->vcpus || o->vcpus > HV_MAX_VCPUS)
		return lx_fail(o, -EINVAL, "%u vCPUs: hv has 1 to %d", o->vcpus,
			       HV_MAX_VCPUS);
	if (ram_size < HV_LINUX_MIN_RAM || ram_size > HV_LINUX_MAX_RAM)
		return lx_fail(o, -ERANGE, "RAM of %" PRIu64 " MiB: Linux on hv "
			       "needs %llu MiB to %llu MiB", ram_size >> 20,
			       HV_LINUX_MIN_RAM >> 20, HV_LINUX_MAX_RAM >> 20);
	p = calloc(1, sizeof(*p));
	if (!p)
		return lx_fail(o, -ENOMEM, "out of memory");

	/* ---- pass 1: check; nothing is written ---- */
	k = o->kernel;
	if (o->kernel_len >= 4 && !memcmp(k, "\177ELF", 4))
		ret = lx_check_vmlinux(o, ram_size, p);
	else
		ret = lx_check_bzimage(o, ram_size, p);
	if (ret)
		goto out;
	p->cmdline_len = o->cmdline ? strlen(o->cmdline) : 0;
	cmax = p->format == HV_LINUX_BZIMAGE ?
		hv_le32(k + HDR_CMDLINE_SIZE) : (uint32_t)LX_CMDLINE_MAX;
	if (cmax > LX_CMDLINE_MAX)
		cmax = LX_CMDLINE_MAX;
	/* boot.rst: cmdline_size excludes the terminating zero */
	if (p->cmdline_len > cmax) {
		ret = lx_fail(o, -EINVAL, "command line of %zu bytes: the "
			      "kernel takes at most %u", p->cmdline_len, cmax);
		goto out;
	}
	ret = lx_check_initrd(o, ram_size, p);
	if (ret)
		goto out;
	/* hv's ACPI area must stay clear of a vmlinux's segments (a bzImage
	 * is above 1 MiB by now) */
	for (i = 0; i < p->nseg; i++)
		if (lx_overlap(p->seg[i].gpa, p->seg[i].memsz, HV_ACPI_GPA,
			       HV_ACPI_SIZE)) {
			ret = lx_fail(o, -ENOEXEC, "vmlinux segment overlaps "
				      "hv's ACPI tables at 0x%llx",
				      HV_ACPI_GPA);
			goto out;
		}

	/* ---- pass 2: write; nothing can fail but the ACPI builder's
	 * -ENOSYS, before anything else is written ---- */
	acpi = (uint8_t *)ram + HV_ACPI_GPA;
	acfg = (struct hv_acpi_config){ .vcpus = o->vcpus };
	ret = hv_acpi_build(acpi, HV_ACPI_SIZE, HV_ACPI_GPA, &acfg);
	if (ret >= 0) {
		rsdp = HV_ACPI_GPA;
	} else if (ret != -ENOSYS) {
		ret = lx_fail(o, ret, "cannot build the ACPI tables: %s",
			      strerror(-ret));
		goto out;
	}
	/* Without ACPI (no builder yet) Linux runs one CPU on the PIC. */

	if (p->format == HV_LINUX_BZIMAGE) {
		memcpy((uint8_t *)ram + p->kernel_gpa, k + p->pm_off,
		       p->pm_len);
	} else {
		for (i = 0; i < p->nseg; i++) {
			const struct lx_segment *s = &p->seg[i];

			memcpy((uint8_t *)ram + s->gpa, k + s->file_off,
			       s->filesz);
			memset((uint8_t *)ram + s->gpa + s->filesz, 0,
			       s->memsz - s->filesz);
		}
	}
	if (p->initrd_gpa)
		memcpy((uint8_t *)ram + p->initrd_gpa, o->initrd,
		       o->initrd_len);
	memcpy((uint8_t *)ram + LX_CMDLINE, o->cmdline ? o->cmdline : "",
	       p->cmdline_len);
	((uint8_t *)ram)[LX_CMDLINE + p->cmdline_len] = '\0';
	lx_write_boot_params(ram, ram_size, o, p, rsdp);
	lx_write_cpu_tables(ram);

	memset(out, 0, sizeof(*out));
	out->format = p->format;
	out->protocol = p->protocol;
	out->entry = p->entry;
	out->boot_params = LX_ZERO_PAGE;
	out->cr3 = LX_PML4;
	out->gdt_base = LX_GDT;
	out->gdt_limit = LX_GDT_LIMIT;
	out->kernel_gpa = p->kernel_gpa;
	out->kernel_end = p->kernel_end;
	out->initrd_gpa = p->initrd_gpa;
	out->initrd_size = p->initrd_gpa ? o->initrd_len : 0;
	out->cmdline_gpa = LX_CMDLINE;
	out->rsdp = rsdp;
	ret = 0;
out:
	free(p);
	return ret;
}

static struct hv_segment lx_seg(uint16_t sel, uint8_t type, bool code64)
{
	struct hv_segment s;

	memset(&s, 0, sizeof(s));
	s.selector = sel;
	s.base = 0;
	s.limit = 0xffffffff;
	s.type = type;
	s.s = 1;
	s.present = 1;
	s.g = 1;
	s.l = code64;
	s.db = !code64;
	return s;
}

int hv_linux_setup_vcpu(struct hv_vcpu *vcpu, const struct hv_linux_info *info)
{
	struct hv_sregs sregs;
	struct hv_regs regs;
	int err;

	if (!vcpu)
		return -EBADF;
	if (!info || !info->entry || !info->cr3)
		return -EINVAL;
	err = hv_vcpu_get_sregs(vcpu, &sregs);
	if (err)
		return err;
	/* boot.rst, "64-bit Boot Protocol": CS = __BOOT_CS, DS/ES/SS =
	 * __BOOT_DS, 4 GiB flat; the descriptors are those in the GDT. */
	sregs.cs = lx_seg(HV_LINUX_BOOT_CS, 0xb, true);
	sregs.ds = lx_seg(HV_LINUX_BOOT_DS, 0x3, false);
	sregs.es = sregs.ds;
	sregs.ss = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = LX_SEL_TSS;
	sregs.tr.base = LX_TSS;
	sregs.tr.limit = LX_TSS_LIMIT;
	sregs.tr.type = 0xb;
	sregs.tr.present = 1;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.type = 0x2;
	sregs.ldt.unusable = 1;
	sregs.gdt = (struct hv_dtable){ .base = info->gdt_base,
					.limit = info->gdt_limit };
	sregs.idt = (struct hv_dtable){ .base = 0, .limit = 0 };
	/* Long mode, paging on (SDM Vol 3, 10.8.5; APM Vol 2, 14.6.1) */
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	sregs.cr3 = info->cr3;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	err = hv_vcpu_set_sregs(vcpu, &sregs);
	if (err)
		return err;
	memset(&regs, 0, sizeof(regs));
	regs.rip = info->entry;
	regs.rsi = info->boot_params;
	regs.rflags = 0x2;	/* IF = 0: "interrupts must be disabled" */
	return hv_vcpu_set_regs(vcpu, &regs);
}

__attribute__((format(printf, 3, 4)))
static int lx_boot_fail(const struct hv_linux_boot *b, int ret,
			const char *fmt, ...)
{
	va_list ap;

	if (b->err && b->errlen) {
		va_start(ap, fmt);
		vsnprintf(b->err, b->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int hv_boot_linux(struct hv_vm *vm, struct hv_vcpu *bsp,
		  const struct hv_linux_boot *b, struct hv_linux_info *out)
{
	struct hv_linux_info unused;
	struct hv_linux_opts o;
	void *kernel = NULL, *initrd = NULL, *ram;
	size_t klen = 0, ilen = 0;
	char msg[256];
	uint64_t ram_size;
	int ret;

	if (!b)
		return -EINVAL;
	if (b->err && b->errlen)
		b->err[0] = '\0';
	if (!vm || !bsp)
		return lx_boot_fail(b, -EBADF, "no VM or no vCPU");
	if (!b->kernel)
		return lx_boot_fail(b, -EINVAL, "no kernel");
	if (!out)
		out = &unused;
	ram_size = hv_ram_end(vm);
	if (ram_size < HV_LINUX_MIN_RAM || ram_size > HV_LINUX_MAX_RAM)
		return lx_boot_fail(b, -ERANGE, "RAM of %" PRIu64 " MiB: Linux "
				    "on hv needs %llu MiB to %llu MiB",
				    ram_size >> 20, HV_LINUX_MIN_RAM >> 20,
				    HV_LINUX_MAX_RAM >> 20);
	ram = hv_vm_gpa_ptr(vm, 0, ram_size);
	if (!ram)
		return lx_boot_fail(b, -EFAULT, "guest RAM is not mapped");
	ret = hv_boot_read(b->err, b->errlen, b->kernel,
			   ram_size + HV_BOOT_IMAGE_SLACK, &kernel, &klen);
	if (ret)
		goto out;
	if (b->initrd) {
		ret = hv_boot_read(b->err, b->errlen, b->initrd, ram_size,
				   &initrd, &ilen);
		if (ret)
			goto out;
	}
	o = (struct hv_linux_opts){
		.kernel = kernel, .kernel_len = klen,
		.initrd = initrd, .initrd_len = ilen,
		.cmdline = b->cmdline, .vcpus = b->vcpus,
		.err = msg, .errlen = sizeof(msg),
	};
	ret = hv_linux_layout(ram, ram_size, &o, out);
	if (ret) {
		/* The initramfs's own problems name it; the rest the kernel. */
		lx_boot_fail(b, ret, "%s: %s", ret == -EFBIG && b->initrd &&
			     strstr(msg, "initramfs") ? b->initrd : b->kernel,
			     msg);
		goto out;
	}
	ret = hv_linux_setup_vcpu(bsp, out);
	if (ret)
		lx_boot_fail(b, ret, "cannot set up vCPU %u: %s",
			     hv_vcpu_id(bsp), hv_strerror(ret));
out:
	free(initrd);
	free(kernel);
	return ret;
}
