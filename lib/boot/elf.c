// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: load an ELF32 or ELF64 executable into guest RAM, the way a boot
 * loader does: every PT_LOAD segment at its physical address (p_paddr),
 * with its bss zeroed; no relocation, no dynamic linking.
 *
 * The headers are read field by field from the bytes (little-endian, any
 * alignment), so a hostile image cannot make us read past its end, and
 * every size sum is checked for overflow before it is compared.  Field
 * layouts: System V ABI, "Object Files", 4.1 ELF Header and 5.1 Program
 * Header (gABI 4.1), and its 64-bit supplement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"
#include "loaders.h"

#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_386		3
#define EM_X86_64	62
#define PT_LOAD		1
#define PN_XNUM		0xffff

/* Where the fields we use sit, for each class. */
struct hv_elf_layout {
	unsigned int ehsize;		/* bytes of the ELF header */
	unsigned int phsize;		/* bytes of one program header */
	unsigned int e_entry, e_phoff, e_phentsize, e_phnum;
	unsigned int p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
	unsigned int word;		/* 4 or 8: size of addresses */
	uint16_t machine;
	const char *machine_name;
};

static const struct hv_elf_layout hv_elf32 = {
	.ehsize = 52, .phsize = 32,
	.e_entry = 24, .e_phoff = 28, .e_phentsize = 42, .e_phnum = 44,
	.p_offset = 4, .p_vaddr = 8, .p_paddr = 12, .p_filesz = 16,
	.p_memsz = 20, .word = 4,
	.machine = EM_386, .machine_name = "EM_386 (3)",
};

static const struct hv_elf_layout hv_elf64 = {
	.ehsize = 64, .phsize = 56,
	.e_entry = 24, .e_phoff = 32, .e_phentsize = 54, .e_phnum = 56,
	.p_offset = 8, .p_vaddr = 16, .p_paddr = 24, .p_filesz = 32,
	.p_memsz = 40, .word = 8,
	.machine = EM_X86_64, .machine_name = "EM_X86_64 (62)",
};

struct hv_elf_phdr {
	unsigned int index;
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static uint64_t hv_elf_word(const struct hv_elf_layout *l, const uint8_t *p)
{
	return l->word == 4 ? hv_le32(p) : hv_le64(p);
}

static void hv_elf_read_phdr(const struct hv_elf_layout *l,
			     const uint8_t *p, unsigned int index,
			     struct hv_elf_phdr *ph)
{
	ph->index = index;
	ph->type = hv_le32(p);
	ph->offset = hv_elf_word(l, p + l->p_offset);
	ph->vaddr = hv_elf_word(l, p + l->p_vaddr);
	ph->paddr = hv_elf_word(l, p + l->p_paddr);
	ph->filesz = hv_elf_word(l, p + l->p_filesz);
	ph->memsz = hv_elf_word(l, p + l->p_memsz);
}

bool hv_elf_magic(const uint8_t *img, size_t len)
{
	return len >= 4 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' &&
	       img[3] == 'F';
}

/* The layout for a file whose e_ident was checked. */
static const struct hv_elf_layout *hv_elf_layout_of(const uint8_t *img)
{
	return img[EI_CLASS] == ELFCLASS32 ? &hv_elf32 : &hv_elf64;
}

static int hv_elf_by_paddr(const void *a, const void *b)
{
	const struct hv_elf_phdr *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->index < y->index ? -1 : 1;
}

/* e_ident and the ELF header proper. */
static int hv_elf_check_ehdr(const uint8_t *img, size_t len,
			     struct hv_load_error *err)
{
	const struct hv_elf_layout *l;
	uint16_t type, machine;
	uint32_t version;

	if (!hv_elf_magic(img, len))
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_ident: no ELF magic (\\x7fELF)");
	if (len < 16)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_ident: file ends at byte %zu, inside e_ident (16 bytes)",
				    len);
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_ident[EI_CLASS] = %u: not ELFCLASS32 (1) or ELFCLASS64 (2)",
				    img[EI_CLASS]);
	if (img[EI_DATA] != ELFDATA2LSB)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_ident[EI_DATA] = %u: not ELFDATA2LSB (1), little-endian",
				    img[EI_DATA]);
	if (img[EI_VERSION] != EV_CURRENT)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_ident[EI_VERSION] = %u: not EV_CURRENT (1)",
				    img[EI_VERSION]);
	l = hv_elf_layout_of(img);
	if (len < l->ehsize)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: file of %zu bytes is shorter than the ELF%u header (%u bytes)",
				    len, l->word * 8, l->ehsize);
	type = hv_le16(img + 16);
	machine = hv_le16(img + 18);
	version = hv_le32(img + 20);
	if (type != ET_EXEC)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_type = %u: not ET_EXEC (2)", type);
	if (machine != l->machine)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_machine = %u: an ELF%u file must be %s",
				    machine, l->word * 8, l->machine_name);
	if (version != EV_CURRENT)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_version = %u: not EV_CURRENT (1)",
				    version);
	return 0;
}

/* e_phoff, e_phentsize, e_phnum: the table lies inside the file. */
static int hv_elf_check_phtab(const uint8_t *img, size_t len,
			      struct hv_load_error *err)
{
	const struct hv_elf_layout *l = hv_elf_layout_of(img);
	uint64_t phoff = hv_elf_word(l, img + l->e_phoff);
	uint16_t phentsize = hv_le16(img + l->e_phentsize);
	uint16_t phnum = hv_le16(img + l->e_phnum);
	uint64_t size = (uint64_t)phentsize * phnum;	/* < 2^32 */

	if (phnum == 0)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_phnum = 0: no program headers");
	if (phnum == PN_XNUM)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_phnum = PN_XNUM (0xffff): extended numbering is not supported");
	if (phentsize < l->phsize)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: e_phentsize = %u: smaller than an ELF%u program header (%u bytes)",
				    phentsize, l->word * 8, l->phsize);
	if (phoff > len || size > len - phoff)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: program header table (e_phoff 0x%llx + e_phnum %u * e_phentsize %u) beyond end of file (%zu bytes)",
				    (unsigned long long)phoff, phnum, phentsize,
				    len);
	return 0;
}

/* One PT_LOAD segment on its own. */
static int hv_elf_check_load(struct hv_vm *vm, const struct hv_elf_phdr *ph,
			     size_t len, uint64_t limit,
			     struct hv_load_error *err)
{
	unsigned int i = ph->index;

	if (ph->offset > len || ph->filesz > len - ph->offset)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: program header %u: p_offset+p_filesz (0x%llx+0x%llx) beyond end of file (%zu bytes)",
				    i, (unsigned long long)ph->offset,
				    (unsigned long long)ph->filesz, len);
	if (ph->filesz > ph->memsz)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: program header %u: p_filesz (0x%llx) > p_memsz (0x%llx)",
				    i, (unsigned long long)ph->filesz,
				    (unsigned long long)ph->memsz);
	if (!ph->memsz)
		return 0;
	if (ph->paddr + ph->memsz < ph->paddr)
		return hv_load_fail(err, -ENOEXEC,
				    "ELF: program header %u: p_paddr+p_memsz (0x%llx+0x%llx) overflows",
				    i, (unsigned long long)ph->paddr,
				    (unsigned long long)ph->memsz);
	if (ph->paddr + ph->memsz > limit)
		return hv_load_fail(err, -ERANGE,
				    "ELF: program header %u: p_paddr+p_memsz (0x%llx+0x%llx) above 4 GiB, out of reach of 32-bit code",
				    i, (unsigned long long)ph->paddr,
				    (unsigned long long)ph->memsz);
	if (!hv_ram_covers(vm, ph->paddr, ph->memsz))
		return hv_load_fail(err, -ERANGE,
				    "ELF: program header %u: p_paddr range [0x%llx, 0x%llx) is not in guest RAM",
				    i, (unsigned long long)ph->paddr,
				    (unsigned long long)(ph->paddr + ph->memsz));
	return 0;
}

/*
 * The loaded segments, sorted by p_paddr, must not overlap; the entry
 * point must lie in one of them (by virtual address, as e_entry is one).
 */
static int hv_elf_check_layout(struct hv_elf_phdr *segs, size_t n,
			       uint64_t e_entry, struct hv_load_info *out,
			       struct hv_load_error *err)
{
	size_t i;

	qsort(segs, n, sizeof(*segs), hv_elf_by_paddr);
	for (i = 1; i < n; i++)
		if (segs[i].paddr < segs[i - 1].paddr + segs[i - 1].memsz)
			return hv_load_fail(err, -ENOEXEC,
					    "ELF: program header %u: p_paddr range [0x%llx, 0x%llx) overlaps program header %u",
					    segs[i].index,
					    (unsigned long long)segs[i].paddr,
					    (unsigned long long)(segs[i].paddr +
								 segs[i].memsz),
					    segs[i - 1].index);

	out->low = segs[0].paddr;
	out->end = segs[n - 1].paddr + segs[n - 1].memsz;
	/* GRUB does the same: a kernel linked high runs at p_paddr. */
	for (i = 0; i < n; i++)
		if (e_entry - segs[i].vaddr < segs[i].memsz &&
		    e_entry >= segs[i].vaddr) {
			out->entry = e_entry - segs[i].vaddr + segs[i].paddr;
			return 0;
		}
	return hv_load_fail(err, -ENOEXEC,
			    "ELF: e_entry 0x%llx is not inside any PT_LOAD segment",
			    (unsigned long long)e_entry);
}

int hv_elf_check(struct hv_vm *vm, const uint8_t *img, size_t len,
		 uint64_t limit, struct hv_load_info *out,
		 struct hv_load_error *err)
{
	const struct hv_elf_layout *l;
	struct hv_elf_phdr *segs;
	uint64_t phoff;
	uint16_t phentsize, phnum;
	size_t n = 0;
	unsigned int i;
	int ret;

	ret = hv_elf_check_ehdr(img, len, err);
	if (!ret)
		ret = hv_elf_check_phtab(img, len, err);
	if (ret)
		return ret;
	l = hv_elf_layout_of(img);
	phoff = hv_elf_word(l, img + l->e_phoff);
	phentsize = hv_le16(img + l->e_phentsize);
	phnum = hv_le16(img + l->e_phnum);

	segs = calloc(phnum, sizeof(*segs));
	if (!segs)
		return hv_load_fail(err, -ENOMEM, "ELF: out of memory");
	for (i = 0; i < phnum; i++) {
		struct hv_elf_phdr ph;

		hv_elf_read_phdr(l, img + phoff + (uint64_t)i * phentsize, i,
				 &ph);
		if (ph.type != PT_LOAD)
			continue;
		ret = hv_elf_check_load(vm, &ph, len, limit, err);
		if (ret)
			goto out;
		if (ph.memsz)
			segs[n++] = ph;
	}
	if (!n) {
		ret = hv_load_fail(err, -ENOEXEC,
				   "ELF: no PT_LOAD program header with p_memsz > 0");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	out->elf_class = l->word * 8;
	ret = hv_elf_check_layout(segs, n, hv_elf_word(l, img + l->e_entry),
				  out, err);
out:
	free(segs);
	return ret;
}

void hv_elf_write(struct hv_vm *vm, const uint8_t *img)
{
	const struct hv_elf_layout *l = hv_elf_layout_of(img);
	uint64_t phoff = hv_elf_word(l, img + l->e_phoff);
	uint16_t phentsize = hv_le16(img + l->e_phentsize);
	uint16_t phnum = hv_le16(img + l->e_phnum);
	struct hv_elf_phdr ph;
	unsigned int i;

	for (i = 0; i < phnum; i++) {
		hv_elf_read_phdr(l, img + phoff + (uint64_t)i * phentsize, i,
				 &ph);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		hv_ram_write(vm, ph.paddr, img + ph.offset, ph.filesz);
		hv_ram_zero(vm, ph.paddr + ph.filesz, ph.memsz - ph.filesz);
	}
}

int hv_load_elf(struct hv_vm *vm, const void *img, size_t len,
		struct hv_load_info *out, struct hv_load_error *err)
{
	struct hv_load_info info;
	int ret;

	hv_load_ok(err);
	if (!vm)
		return hv_load_fail(err, -EBADF, "ELF: no VM");
	if (!img || !out)
		return hv_load_fail(err, -EINVAL, "ELF: no image or no result");
	ret = hv_elf_check(vm, img, len, UINT64_MAX, &info, err);
	if (ret)
		return ret;
	hv_elf_write(vm, img);
	*out = info;
	return 0;
}
