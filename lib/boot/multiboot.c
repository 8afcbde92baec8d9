// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: boot a Multiboot (version 1) kernel, as the Multiboot
 * Specification 0.6.96 asks of a boot loader:
 *
 *  - 3.1.1: the header, 32-bit aligned, wholly inside the first 8192
 *    bytes; magic + flags + checksum = 0 (mod 2^32);
 *  - 3.1.2: flags bits 0-15 are requirements: a loader that cannot meet
 *    one must refuse the kernel.  We meet bit 0 (modules page-aligned:
 *    they always are), bit 1 (memory info: always given) and bit 2
 *    (video mode: hv has no display, so the info says nothing about
 *    video and the kernel finds itself on a text console, the serial
 *    port).  Bits 16-31 are hints; bit 16 is the a.out kludge;
 *  - 3.1.3: with bit 16, header_addr .. entry_addr say where the image
 *    goes; without it, the image must be ELF and is loaded by its
 *    program headers;
 *  - 3.2: the machine state (hv_vcpu_setup_multiboot());
 *  - 3.3: the boot information block.
 *
 * Guest layout after the kernel (all of it below 4 GiB, in RAM):
 *
 *   align_up(kernel end, 4 KiB)   info block (MB_INFO_SIZE bytes), then
 *                                 the memory map, the module list, the
 *                                 command line, "hv", the module strings
 *   align_up(previous end, 4 KiB) module 0, then module 1 on the next
 *                                 page boundary, and so on
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"
#include "internal.h"
#include "loaders.h"

#define MB_HEADER_MAGIC		0x1BADB002u
#define MB_BOOT_MAGIC		0x2BADB002u
#define MB_SEARCH		8192
#define MB_FLAG_PAGE_ALIGN	(1u << 0)
#define MB_FLAG_MEMORY_INFO	(1u << 1)
#define MB_FLAG_VIDEO_MODE	(1u << 2)
#define MB_FLAG_AOUT_KLUDGE	(1u << 16)
#define MB_FLAGS_KNOWN		(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | \
				 MB_FLAG_VIDEO_MODE)
#define MB_FLAGS_REQUIRED	0xffffu

/* Header bytes the flags make meaningful (3.1.1). */
#define MB_HEADER_BASE		12	/* magic, flags, checksum */
#define MB_HEADER_AOUT		32	/* + header_addr .. entry_addr */
#define MB_HEADER_VIDEO		48	/* + mode_type .. depth */

/* struct multiboot_info (3.3): the offsets we fill. */
#define MBI_FLAGS		0
#define MBI_MEM_LOWER		4
#define MBI_MEM_UPPER		8
#define MBI_CMDLINE		16
#define MBI_MODS_COUNT		20
#define MBI_MODS_ADDR		24
#define MBI_MMAP_LENGTH		44
#define MBI_MMAP_ADDR		48
#define MBI_BOOT_LOADER_NAME	64
#define MB_INFO_SIZE		128	/* 116 in 0.6.96, the rest zero */

#define MBI_F_MEMORY		(1u << 0)
#define MBI_F_CMDLINE		(1u << 2)
#define MBI_F_MODS		(1u << 3)
#define MBI_F_MMAP		(1u << 6)
#define MBI_F_BOOT_LOADER_NAME	(1u << 9)

#define MB_MOD_SIZE		16	/* mod_start, mod_end, string, reserved */
#define MB_MMAP_SIZE		24	/* size (20), base_addr, length, type */
#define MB_MMAP_RAM		1
#define MB_LOADER_NAME		"hv"
#define MB_MAX_RANGES		(HV_MAX_REGIONS * 2)
#define MB_LOWER_MAX		(640ULL << 10)
#define MB_UPPER_BASE		(1ULL << 20)

#define PAGE			4096ULL

struct hv_mb_range {
	uint64_t base, len;
};

/* Everything pass one decides; pass two only writes it. */
struct hv_mb_plan {
	size_t hdr_off;
	uint32_t flags;
	/* a.out kludge */
	size_t load_off;
	uint64_t load_addr, load_len, bss_end;
	/* info block */
	uint64_t info, info_size, mmap, mods, strings;
	uint64_t mod_addr[];	/* one per module */
};

static uint64_t hv_align_page(uint64_t v)
{
	return (v + PAGE - 1) & ~(PAGE - 1);
}

/*
 * The RAM this process has mapped, as contiguous ranges in address
 * order.  libhv keeps no list of regions we could walk, so this walks
 * the guest-physical space a page at a time through the gaps, and stops
 * once it has met all of the VM's RAM (HV_VM_GET_INFO's mem_size).
 */
static int hv_mb_ram_ranges(struct hv_vm *vm, struct hv_mb_range *r,
			    size_t *nr)
{
	struct hv_vm_info info;
	uint64_t gpa = 0, found = 0, room;
	size_t n = 0;
	int ret;

	ret = hv_vm_info(vm, &info);
	if (ret)
		return ret;
	while (found < info.mem_size && gpa < HV_MAX_GPA) {
		room = hv_vm_gpa_room(vm, gpa);
		if (!room) {
			gpa += PAGE;
			continue;
		}
		if (n && r[n - 1].base + r[n - 1].len == gpa) {
			r[n - 1].len += room;
		} else {
			if (n == MB_MAX_RANGES)
				break;
			r[n++] = (struct hv_mb_range){ gpa, room };
		}
		found += room;
		gpa += room;
	}
	*nr = n;
	return 0;
}

/* Contiguous RAM from @base, as the range list has it. */
static uint64_t hv_mb_ram_from(const struct hv_mb_range *r, size_t n,
			       uint64_t base)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (base >= r[i].base && base - r[i].base < r[i].len)
			return r[i].len - (base - r[i].base);
	return 0;
}

/*
 * 3.1.1: the first 4-aligned offset in the first 8 KiB that holds the
 * magic with a good checksum.  The first bad checksum is reported if no
 * good header is found: it is most likely the kernel's header, damaged.
 */
static int hv_mb_find_header(const uint8_t *img, size_t len,
			     struct hv_mb_plan *p, struct hv_load_error *err)
{
	size_t end = len < MB_SEARCH ? len : MB_SEARCH;
	size_t off, bad = SIZE_MAX, need;
	uint32_t flags = 0;

	for (off = 0; off + MB_HEADER_BASE <= end; off += 4) {
		if (hv_le32(img + off) != MB_HEADER_MAGIC)
			continue;
		flags = hv_le32(img + off + 4);
		if ((uint32_t)(MB_HEADER_MAGIC + flags +
			       hv_le32(img + off + 8)) == 0)
			break;
		if (bad == SIZE_MAX)
			bad = off;
	}
	if (off + MB_HEADER_BASE > end) {
		if (bad != SIZE_MAX)
			return hv_load_fail(err, -ENOEXEC,
					    "multiboot: header at offset 0x%zx: checksum mismatch (magic+flags+checksum != 0)",
					    bad);
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: no header (magic 0x1BADB002, 4-byte aligned) in the first %d bytes",
				    MB_SEARCH);
	}

	need = flags & MB_FLAG_VIDEO_MODE ? MB_HEADER_VIDEO :
	       flags & MB_FLAG_AOUT_KLUDGE ? MB_HEADER_AOUT : MB_HEADER_BASE;
	if (off + need > MB_SEARCH)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: header at offset 0x%zx: its %zu bytes (flags 0x%08x) end past the first %d bytes",
				    off, need, flags, MB_SEARCH);
	if (off + need > len)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: header at offset 0x%zx: its %zu bytes (flags 0x%08x) end past the end of the file (%zu bytes)",
				    off, need, flags, len);
	if (flags & MB_FLAGS_REQUIRED & ~MB_FLAGS_KNOWN)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: header flags 0x%08x: required bits 0x%04x not supported (only bits 0-2 are)",
				    flags, flags & MB_FLAGS_REQUIRED & ~MB_FLAGS_KNOWN);
	p->hdr_off = off;
	p->flags = flags;
	return 0;
}

/* 3.1.3: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr. */
static int hv_mb_check_aout(struct hv_vm *vm, const uint8_t *img, size_t len,
			    struct hv_mb_plan *p, struct hv_load_info *out,
			    struct hv_load_error *err)
{
	const uint8_t *h = img + p->hdr_off;
	uint32_t header_addr = hv_le32(h + 12), load_addr = hv_le32(h + 16);
	uint32_t load_end_addr = hv_le32(h + 20), bss_end_addr = hv_le32(h + 24);
	uint32_t entry_addr = hv_le32(h + 28);
	uint64_t load_end, end;

	if (load_addr > header_addr)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: a.out kludge: load_addr (0x%x) > header_addr (0x%x)",
				    load_addr, header_addr);
	if (header_addr - load_addr > p->hdr_off)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: a.out kludge: header_addr-load_addr (0x%x) exceeds the header's file offset (0x%zx): text would start before the file",
				    header_addr - load_addr, p->hdr_off);
	p->load_off = p->hdr_off - (header_addr - load_addr);
	if (load_end_addr) {
		if (load_end_addr < load_addr)
			return hv_load_fail(err, -ENOEXEC,
					    "multiboot: a.out kludge: load_end_addr < load_addr (0x%x < 0x%x)",
					    load_end_addr, load_addr);
		p->load_len = load_end_addr - load_addr;
		if (p->load_len > len - p->load_off)
			return hv_load_fail(err, -ENOEXEC,
					    "multiboot: a.out kludge: load_end_addr-load_addr (0x%llx bytes from file offset 0x%zx) beyond end of file (%zu bytes)",
					    (unsigned long long)p->load_len,
					    p->load_off, len);
	} else {
		p->load_len = len - p->load_off;	/* the rest of the file */
	}
	load_end = load_addr + p->load_len;
	if (load_end > HV_4GIB)
		return hv_load_fail(err, -ERANGE,
				    "multiboot: a.out kludge: load_end_addr = 0 and the file runs from load_addr 0x%x past 4 GiB",
				    load_addr);
	end = load_end;
	if (bss_end_addr) {
		if (bss_end_addr < load_end)
			return hv_load_fail(err, -ENOEXEC,
					    "multiboot: a.out kludge: bss_end_addr (0x%x) < load end (0x%llx)",
					    bss_end_addr,
					    (unsigned long long)load_end);
		end = bss_end_addr;
	}
	if (end == load_addr)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: a.out kludge: nothing to load (load_addr = load end = bss_end_addr = 0x%x)",
				    load_addr);
	if (!hv_ram_covers(vm, load_addr, end - load_addr))
		return hv_load_fail(err, -ERANGE,
				    "multiboot: a.out kludge: [load_addr, end) = [0x%x, 0x%llx) is not in guest RAM",
				    load_addr, (unsigned long long)end);
	if (entry_addr < load_addr || entry_addr >= load_end)
		return hv_load_fail(err, -ENOEXEC,
				    "multiboot: a.out kludge: entry_addr (0x%x) outside the loaded text and data [0x%x, 0x%llx)",
				    entry_addr, load_addr,
				    (unsigned long long)load_end);
	p->load_addr = load_addr;
	p->bss_end = end;
	memset(out, 0, sizeof(*out));
	out->entry = entry_addr;
	out->low = load_addr;
	out->end = end;
	out->elf_class = 0;
	return 0;
}

static size_t hv_mb_strsize(const char *s)
{
	return (s ? strlen(s) : 0) + 1;
}

/* Place the info block and the modules; check they fit in RAM < 4 GiB. */
static int hv_mb_place(struct hv_vm *vm, struct hv_mb_plan *p, size_t nranges,
		       const char *cmdline, const struct hv_mb_module *mods,
		       size_t nmods, struct hv_load_info *out,
		       struct hv_load_error *err)
{
	uint64_t size, at;
	size_t i;

	p->info = hv_align_page(out->end);
	p->mmap = p->info + MB_INFO_SIZE;
	p->mods = p->mmap + (uint64_t)nranges * MB_MMAP_SIZE;
	p->strings = p->mods + (uint64_t)nmods * MB_MOD_SIZE;
	size = p->strings - p->info + hv_mb_strsize(cmdline) +
	       sizeof(MB_LOADER_NAME);
	for (i = 0; i < nmods; i++)
		size += hv_mb_strsize(mods[i].string);
	p->info_size = size;
	if (p->info + size > HV_4GIB || !hv_ram_covers(vm, p->info, size))
		return hv_load_fail(err, -ERANGE,
				    "multiboot: info block [0x%llx, 0x%llx) after the kernel is not in guest RAM below 4 GiB",
				    (unsigned long long)p->info,
				    (unsigned long long)(p->info + size));

	at = hv_align_page(p->info + size);
	for (i = 0; i < nmods; i++) {
		if (at + mods[i].len > HV_4GIB ||
		    !hv_ram_covers(vm, at, mods[i].len))
			return hv_load_fail(err, -ERANGE,
					    "multiboot: module %zu: [0x%llx, 0x%llx) is not in guest RAM below 4 GiB",
					    i, (unsigned long long)at,
					    (unsigned long long)(at + mods[i].len));
		p->mod_addr[i] = at;
		at = hv_align_page(at + mods[i].len);
	}
	out->mb_info = p->info;
	out->mb_end = nmods ? p->mod_addr[nmods - 1] + mods[nmods - 1].len
			    : p->info + size;
	return 0;
}

/* Append a string at *at in the info area; its GPA is returned. */
static uint32_t hv_mb_put_string(uint8_t *area, uint64_t base, uint64_t *at,
				 const char *s)
{
	size_t n = hv_mb_strsize(s);
	uint64_t gpa = *at;

	if (s)
		memcpy(area + (gpa - base), s, n);
	else
		area[gpa - base] = '\0';
	*at += n;
	return (uint32_t)gpa;
}

/* 3.3: the info block, built in @area (p->info_size bytes, zeroed). */
static void hv_mb_build_info(uint8_t *area, const struct hv_mb_plan *p,
			     const struct hv_mb_range *r, size_t nranges,
			     const char *cmdline,
			     const struct hv_mb_module *mods, size_t nmods)
{
	uint64_t lower = hv_mb_ram_from(r, nranges, 0);
	uint64_t upper = hv_mb_ram_from(r, nranges, MB_UPPER_BASE);
	uint64_t str = p->strings;
	uint8_t *e;
	size_t i;

	if (lower > MB_LOWER_MAX)
		lower = MB_LOWER_MAX;
	if (upper >> 10 > UINT32_MAX)
		upper = (uint64_t)UINT32_MAX << 10;
	hv_put_le32(area + MBI_FLAGS, MBI_F_MEMORY | MBI_F_CMDLINE |
		    MBI_F_MODS | MBI_F_MMAP | MBI_F_BOOT_LOADER_NAME);
	hv_put_le32(area + MBI_MEM_LOWER, (uint32_t)(lower >> 10));
	hv_put_le32(area + MBI_MEM_UPPER, (uint32_t)(upper >> 10));
	hv_put_le32(area + MBI_CMDLINE,
		    hv_mb_put_string(area, p->info, &str, cmdline));
	hv_put_le32(area + MBI_BOOT_LOADER_NAME,
		    hv_mb_put_string(area, p->info, &str, MB_LOADER_NAME));
	hv_put_le32(area + MBI_MODS_COUNT, (uint32_t)nmods);
	hv_put_le32(area + MBI_MODS_ADDR, (uint32_t)p->mods);
	for (i = 0; i < nmods; i++) {
		e = area + (p->mods - p->info) + i * MB_MOD_SIZE;
		hv_put_le32(e, (uint32_t)p->mod_addr[i]);
		hv_put_le32(e + 4, (uint32_t)(p->mod_addr[i] + mods[i].len));
		hv_put_le32(e + 8, hv_mb_put_string(area, p->info, &str,
						    mods[i].string));
	}
	hv_put_le32(area + MBI_MMAP_LENGTH, (uint32_t)(nranges * MB_MMAP_SIZE));
	hv_put_le32(area + MBI_MMAP_ADDR, (uint32_t)p->mmap);
	for (i = 0; i < nranges; i++) {
		/* "size" does not count itself: 20 bytes follow it. */
		e = area + (p->mmap - p->info) + i * MB_MMAP_SIZE;
		hv_put_le32(e, MB_MMAP_SIZE - 4);
		hv_put_le64(e + 4, r[i].base);
		hv_put_le64(e + 12, r[i].len);
		hv_put_le32(e + 20, MB_MMAP_RAM);
	}
}

static int hv_mb_check_args(struct hv_vm *vm, const void *img,
			    const struct hv_mb_module *mods, size_t nmods,
			    struct hv_load_info *out, struct hv_load_error *err)
{
	size_t i;

	if (!vm)
		return hv_load_fail(err, -EBADF, "multiboot: no VM");
	if (!img || !out || (nmods && !mods))
		return hv_load_fail(err, -EINVAL,
				    "multiboot: no image, no result or no module list");
	/* 32-bit fields: more modules could not be described anyway. */
	if (nmods > 0x10000)
		return hv_load_fail(err, -EINVAL,
				    "multiboot: %zu modules, more than 65536",
				    nmods);
	for (i = 0; i < nmods; i++)
		if ((!mods[i].data && mods[i].len) || mods[i].len >= HV_4GIB)
			return hv_load_fail(err, -EINVAL,
					    "multiboot: module %zu: no data, or 4 GiB or more",
					    i);
	return 0;
}

int hv_load_multiboot(struct hv_vm *vm, const void *image, size_t len,
		      const char *cmdline, const struct hv_mb_module *mods,
		      size_t nmods, struct hv_load_info *out,
		      struct hv_load_error *err)
{
	struct hv_mb_range ranges[MB_MAX_RANGES];
	const uint8_t *img = image;
	struct hv_load_info info;
	struct hv_mb_plan *p;
	size_t nranges, i;
	uint8_t *area = NULL;
	int ret;

	hv_load_ok(err);
	ret = hv_mb_check_args(vm, img, mods, nmods, out, err);
	if (ret)
		return ret;
	p = calloc(1, sizeof(*p) + nmods * sizeof(p->mod_addr[0]));
	if (!p)
		return hv_load_fail(err, -ENOMEM, "multiboot: out of memory");

	ret = hv_mb_find_header(img, len, p, err);
	if (ret)
		goto out;
	if (p->flags & MB_FLAG_AOUT_KLUDGE) {
		ret = hv_mb_check_aout(vm, img, len, p, &info, err);
	} else if (!hv_elf_magic(img, len)) {
		ret = hv_load_fail(err, -ENOEXEC,
				   "multiboot: header flags 0x%08x: bit 16 (a.out kludge) is clear but the image is not ELF",
				   p->flags);
	} else {
		ret = hv_elf_check(vm, img, len, HV_4GIB, &info, err);
	}
	if (ret)
		goto out;

	ret = hv_mb_ram_ranges(vm, ranges, &nranges);
	if (ret) {
		hv_load_fail(err, ret, "multiboot: cannot read the VM's RAM size");
		goto out;
	}
	ret = hv_mb_place(vm, p, nranges, cmdline, mods, nmods, &info, err);
	if (ret)
		goto out;
	area = calloc(1, p->info_size);
	if (!area) {
		ret = hv_load_fail(err, -ENOMEM, "multiboot: out of memory");
		goto out;
	}
	hv_mb_build_info(area, p, ranges, nranges, cmdline, mods, nmods);

	/* Pass two: nothing below can fail. */
	if (p->flags & MB_FLAG_AOUT_KLUDGE) {
		hv_ram_write(vm, p->load_addr, img + p->load_off, p->load_len);
		hv_ram_zero(vm, p->load_addr + p->load_len,
			    p->bss_end - p->load_addr - p->load_len);
	} else {
		hv_elf_write(vm, img);
	}
	hv_ram_write(vm, p->info, area, p->info_size);
	for (i = 0; i < nmods; i++)
		hv_ram_write(vm, p->mod_addr[i], mods[i].data, mods[i].len);
	*out = info;
out:
	free(area);
	free(p);
	return ret;
}

/*
 * 3.2 "Machine state": EAX the boot magic, EBX the info block; CS a
 * 32-bit read/execute segment and DS, ES, FS, GS, SS read/write ones, all
 * offset 0, limit 0xffffffff; CR0.PG = 0, CR0.PE = 1; EFLAGS.VM = IF = 0.
 * GDTR and IDTR may be anything (the kernel loads its own before it
 * touches a segment register), ESP too; so no scratch area is written.
 */
int hv_vcpu_setup_multiboot(struct hv_vcpu *vcpu, struct hv_vm *vm,
			    const struct hv_load_info *info)
{
	struct hv_sregs sregs;
	struct hv_regs regs;
	int ret;

	if (!vcpu)
		return -EBADF;
	if (!info || !info->mb_info || info->mb_info >= HV_4GIB ||
	    info->entry >= HV_4GIB)
		return -EINVAL;
	if (vm && !hv_ram_covers(vm, info->mb_info, MB_INFO_SIZE))
		return -EFAULT;
	ret = hv_vcpu_get_sregs(vcpu, &sregs);
	if (ret)
		return ret;
	ret = hv_mode_prepare(HV_MODE_PROT32, info->entry, 0,
			      HV_MODE_NO_SCRATCH, NULL, &regs, &sregs);
	if (ret)
		return ret;
	regs.rax = MB_BOOT_MAGIC;
	regs.rbx = info->mb_info;
	ret = hv_vcpu_set_sregs(vcpu, &sregs);
	if (ret)
		return ret;
	return hv_vcpu_set_regs(vcpu, &regs);
}
