// SPDX-License-Identifier: GPL-2.0
/*
 * hv_linux_layout() (lib/boot/linux.c): a synthetic bzImage and vmlinux
 * land where boot.rst says, with the zero page, command line, initramfs,
 * e820 map, GDT and page tables as libhv.h lays them out; the host's own
 * /boot/vmlinuz-* too when there is one; and every refusal (bad magic,
 * protocol < 2.12, no XLF_KERNEL_64, truncated, too big for RAM, an
 * initramfs that does not fit, a command line too long) returns its
 * error with one line and leaves RAM as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "unit.h"

#define RAM_SIZE	(64ULL << 20)
#define FILL		0xa5
#define PM_LEN		0x1000
#define PREF		0x1000000ULL
#define ZP		0x7000

static uint8_t *ram;
static uint64_t ram_size;
static char err[256];

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void ram_map(uint64_t size)
{
	ram_size = size;
	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(ram, MAP_FAILED);
	memset(ram, FILL, size);
}

static void setup(void)
{
	ram_map(RAM_SIZE);
	memset(err, 0, sizeof(err));
}

static void teardown(void)
{
	munmap(ram, ram_size);
}

static void assert_untouched(void)
{
	uint64_t i;

	for (i = 0; i < ram_size; i++)
		if (ram[i] != FILL)
			ck_abort_msg("RAM written at 0x%llx",
				     (unsigned long long)i);
}

/* A bzImage as boot.rst describes it: 4 setup sectors, PM_LEN bytes of
 * protected-mode code (a counting pattern), protocol 2.15. */
static uint8_t *make_bzimage(size_t *len, uint8_t setup_sects)
{
	size_t sects = setup_sects ? setup_sects : 4;
	size_t off = (sects + 1) * 512, i;
	uint8_t *k = calloc(1, off + PM_LEN);

	ck_assert_ptr_nonnull(k);
	k[0x1f1] = setup_sects;
	put32(k + 0x1f4, PM_LEN / 16);		/* syssize */
	put16(k + 0x1fe, 0xaa55);
	k[0x200] = 0xeb;
	k[0x201] = 0x6a;			/* header to 0x26c */
	memcpy(k + 0x202, "HdrS", 4);
	put16(k + 0x206, 0x020f);
	k[0x211] = 0x01;			/* LOADED_HIGH */
	put32(k + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(k + 0x230, 0x200000);		/* kernel_alignment */
	k[0x234] = 1;				/* relocatable */
	put16(k + 0x236, 0x7f);			/* xloadflags */
	put32(k + 0x238, 0x7ff);		/* cmdline_size */
	put64(k + 0x258, PREF);			/* pref_address */
	put32(k + 0x260, 0x200000);		/* init_size */
	for (i = 0; i < PM_LEN; i++)
		k[off + i] = (uint8_t)(i * 7 + 1);
	*len = off + PM_LEN;
	return k;
}

static struct hv_linux_opts opts(const void *k, size_t len)
{
	return (struct hv_linux_opts){
		.kernel = k, .kernel_len = len, .vcpus = 1,
		.cmdline = "console=ttyS0 root=/dev/ram0",
		.err = err, .errlen = sizeof(err),
	};
}

static void assert_common(const struct hv_linux_info *info)
{
	const uint8_t *zp = ram + ZP;
	const char *cl = "console=ttyS0 root=/dev/ram0";

	ck_assert_uint_eq(info->boot_params, ZP);
	ck_assert_uint_eq(info->cr3, 0x9000);
	ck_assert_uint_eq(info->gdt_base, 0x500);
	ck_assert_uint_eq(info->cmdline_gpa, 0x20000);
	ck_assert_str_eq((const char *)ram + 0x20000, cl);
	ck_assert_uint_eq(get32(zp + 0x228), 0x20000);	/* cmd_line_ptr */
	ck_assert_uint_eq(get16(zp + 0x1fe), 0xaa55);
	ck_assert_mem_eq(zp + 0x202, "HdrS", 4);
	ck_assert_uint_eq(zp[0x210], 0xff);		/* type_of_loader */
	ck_assert(zp[0x211] & 0x80);			/* CAN_USE_HEAP */
	ck_assert_uint_eq(zp[0x1ef], 0);		/* sentinel */
	/* e820: the map of libhv.h */
	ck_assert_uint_eq(zp[0x1e8], 4);
	ck_assert_uint_eq(get64(zp + 0x2d0), 0);
	ck_assert_uint_eq(get64(zp + 0x2d0 + 8), 0x9fc00);
	ck_assert_uint_eq(get32(zp + 0x2d0 + 16), 1);
	ck_assert_uint_eq(get32(zp + 0x2d0 + 20 + 16), 2);
	ck_assert_uint_eq(get64(zp + 0x2d0 + 40), 0xe0000);
	ck_assert_uint_eq(get32(zp + 0x2d0 + 40 + 16), 2);
	ck_assert_uint_eq(get64(zp + 0x2d0 + 60), 0x100000);
	ck_assert_uint_eq(get64(zp + 0x2d0 + 60 + 8), ram_size - 0x100000);
	ck_assert_uint_eq(get32(zp + 0x2d0 + 60 + 16), 1);
	/* GDT: __BOOT_CS 64-bit code, __BOOT_DS flat data */
	ck_assert_uint_eq(get64(ram + 0x500), 0);
	ck_assert_uint_eq(get64(ram + 0x510), 0x00af9b000000ffffULL);
	ck_assert_uint_eq(get64(ram + 0x518), 0x00cf93000000ffffULL);
	/* identity map: PML4 -> PDPT -> PD; 3 GiB + 2 MiB maps itself */
	ck_assert_uint_eq(get64(ram + 0x9000) & ~0xfffULL, 0xa000);
	ck_assert_uint_eq(get64(ram + 0xa000 + 24) & ~0xfffULL, 0xe000);
	ck_assert_uint_eq(get64(ram + 0xe000 + 8) & ~0xfffULL,
			  (3ULL << 30) + (2 << 20));
	/* the ACPI RSDP, if the tables were built */
	if (info->rsdp) {
		ck_assert_uint_eq(info->rsdp, 0xe0000);
		ck_assert_mem_eq(ram + 0xe0000, "RSD PTR ", 8);
		ck_assert_uint_eq(get64(zp + 0x070), 0xe0000);
	}
}

START_TEST(bzimage_loads)
{
	static const char initrd[] = "070701 an initramfs";
	struct hv_linux_info info;
	struct hv_linux_opts o;
	uint8_t *k;
	size_t len;

	k = make_bzimage(&len, _i ? 4 : 0);	/* 0 means 4 */
	o = opts(k, len);
	o.initrd = initrd;
	o.initrd_len = sizeof(initrd);
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(info.format, HV_LINUX_BZIMAGE);
	ck_assert_uint_eq(info.protocol, 0x020f);
	ck_assert_uint_eq(info.kernel_gpa, PREF);
	ck_assert_uint_eq(info.kernel_end, PREF + 0x200000);
	ck_assert_uint_eq(info.entry, PREF + 0x200);
	ck_assert_mem_eq(ram + PREF, k + 5 * 512, PM_LEN);
	ck_assert_uint_eq(ram[PREF + PM_LEN], FILL);
	/* the setup header copied, then the loader's fields */
	ck_assert_mem_eq(ram + ZP + 0x1f4, k + 0x1f4, 4);
	ck_assert_mem_eq(ram + ZP + 0x258, k + 0x258, 8);
	/* the initramfs: page-aligned, as high as it goes */
	ck_assert_uint_eq(info.initrd_gpa, (ram_size - sizeof(initrd)) &
			  ~0xfffULL);
	ck_assert_uint_eq(info.initrd_size, sizeof(initrd));
	ck_assert_mem_eq(ram + info.initrd_gpa, initrd, sizeof(initrd));
	ck_assert_uint_eq(get32(ram + ZP + 0x218), info.initrd_gpa);
	ck_assert_uint_eq(get32(ram + ZP + 0x21c), sizeof(initrd));
	ck_assert_uint_eq(get32(ram + ZP + 0x0c0), 0);
	assert_common(&info);
	free(k);
}
END_TEST

/* initrd_addr_max bounds the initramfs's last byte. */
START_TEST(bzimage_initrd_max)
{
	static const char initrd[] = "initramfs";
	struct hv_linux_info info;
	struct hv_linux_opts o;
	uint8_t *k;
	size_t len;

	k = make_bzimage(&len, 4);
	put32(k + 0x22c, 0x1ffffff);		/* below 32 MiB */
	o = opts(k, len);
	o.initrd = initrd;
	o.initrd_len = sizeof(initrd);
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), 0);
	ck_assert_uint_eq(info.initrd_gpa, 0x1fff000);
	free(k);
}
END_TEST

/* An ELF64 vmlinux: by p_paddr, entered at e_entry (physical). */
START_TEST(vmlinux_loads)
{
	uint8_t k[0x2000] = { 0 };
	struct hv_linux_info info;
	struct hv_linux_opts o;
	uint8_t *ph = k + 64;

	memcpy(k, "\177ELF", 4);
	k[4] = 2;
	k[5] = 1;
	k[6] = 1;
	put16(k + 16, 2);		/* ET_EXEC */
	put16(k + 18, 62);		/* EM_X86_64 */
	put64(k + 24, PREF + 0x40);	/* e_entry */
	put64(k + 32, 64);		/* e_phoff */
	put16(k + 52, 64);
	put16(k + 54, 56);
	put16(k + 56, 1);
	put32(ph, 1);			/* PT_LOAD */
	put64(ph + 8, 0x1000);		/* p_offset */
	put64(ph + 16, 0xffffffff81000000ULL);
	put64(ph + 24, PREF);		/* p_paddr */
	put64(ph + 32, 0x1000);
	put64(ph + 40, 0x3000);
	memset(k + 0x1000, 0x5a, 0x1000);
	o = opts(k, sizeof(k));
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), 0);
	ck_assert_uint_eq(info.format, HV_LINUX_VMLINUX);
	ck_assert_uint_eq(info.entry, PREF + 0x40);
	ck_assert_uint_eq(info.kernel_end, PREF + 0x3000);
	ck_assert_uint_eq(ram[PREF], 0x5a);
	ck_assert_uint_eq(ram[PREF + 0x1000], 0);	/* bss */
	ck_assert_uint_eq(ram[PREF + 0x3000], FILL);
	assert_common(&info);
}
END_TEST

/* The host's own kernel, when it has one: Debian's bzImage. */
START_TEST(host_vmlinuz)
{
	struct hv_linux_info info;
	struct hv_linux_opts o;
	glob_t g;
	void *k;
	size_t len;
	int ret;

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc)
		return;	/* none here: nothing to check */
	ret = hv_read_image(g.gl_pathv[0], &k, &len, 256 << 20, NULL);
	if (ret == -EACCES) {
		globfree(&g);
		return;
	}
	ck_assert_int_eq(ret, 0);
	munmap(ram, ram_size);
	ram_map(256ULL << 20);
	o = opts(k, len);
	o.vcpus = 4;
	ck_assert_msg(hv_linux_layout(ram, ram_size, &o, &info) == 0, "%s: %s",
		      g.gl_pathv[0], err);
	ck_assert_uint_eq(info.format, HV_LINUX_BZIMAGE);
	ck_assert_uint_ge(info.protocol, 0x020c);
	ck_assert_uint_eq(info.entry, info.kernel_gpa + 0x200);
	ck_assert_uint_eq(info.kernel_gpa, get64((uint8_t *)k + 0x258));
	assert_common(&info);
	free(k);
	globfree(&g);
}
END_TEST

/* Each refusal: its errno, a line, and RAM as it was. */
enum { R_MAGIC, R_PROTO, R_NO64, R_TRUNC, R_BIG, R_INITRD, R_CMDLINE,
       R_ALIGN, R_ELF, R_SMALLRAM, R_NR };

START_TEST(refused)
{
	static const int want[R_NR] = {
		[R_MAGIC] = -ENOEXEC, [R_PROTO] = -ENOEXEC,
		[R_NO64] = -ENOEXEC, [R_TRUNC] = -ENOEXEC, [R_BIG] = -EFBIG,
		[R_INITRD] = -EFBIG, [R_CMDLINE] = -EINVAL,
		[R_ALIGN] = -ENOEXEC, [R_ELF] = -ENOEXEC,
		[R_SMALLRAM] = -ERANGE,
	};
	static const char *const words[R_NR] = {
		[R_MAGIC] = "HdrS", [R_PROTO] = "2.11", [R_NO64] =
		"XLF_KERNEL_64", [R_TRUNC] = "truncated", [R_BIG] = "init_size",
		[R_INITRD] = "initramfs", [R_CMDLINE] = "command line",
		[R_ALIGN] = "kernel_alignment", [R_ELF] = "x86-64",
		[R_SMALLRAM] = "MiB",
	};
	struct hv_linux_info info;
	struct hv_linux_opts o;
	uint64_t size = ram_size;
	uint8_t *k;
	size_t len;

	k = make_bzimage(&len, 4);
	o = opts(k, len);
	switch (_i) {
	case R_MAGIC:	k[0x202] = 'h'; break;
	case R_PROTO:	put16(k + 0x206, 0x020b); break;
	case R_NO64:	put16(k + 0x236, 0x7e); break;
	case R_TRUNC:	o.kernel_len = len - 16; break;
	case R_BIG:	put32(k + 0x260, RAM_SIZE); break;
	case R_INITRD:	o.initrd = k; o.initrd_len = RAM_SIZE - PREF; break;
	case R_CMDLINE:	put32(k + 0x238, 8); break;
	case R_ALIGN:	put32(k + 0x230, 0x300000); break;
	case R_ELF:
		memcpy(k, "\177ELF\002\001\001", 7);
		put16(k + 16, 2);
		put16(k + 18, 3);	/* EM_386 */
		break;
	case R_SMALLRAM: size = 8 << 20; break;
	}
	ck_assert_int_eq(hv_linux_layout(ram, size, &o, &info), want[_i]);
	ck_assert_msg(strstr(err, words[_i]), "case %d: '%s' lacks '%s'", _i,
		      err, words[_i]);
	ck_assert_ptr_null(strchr(err, '\n'));
	assert_untouched();
	free(k);
}
END_TEST

START_TEST(bad_args)
{
	struct hv_linux_info info;
	struct hv_linux_opts o;
	uint8_t *k;
	size_t len;

	k = make_bzimage(&len, 4);
	o = opts(k, len);
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, NULL, &info), -EINVAL);
	ck_assert_int_eq(hv_linux_layout(NULL, ram_size, &o, &info), -EINVAL);
	o.vcpus = 0;
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), -EINVAL);
	o.vcpus = HV_MAX_VCPUS + 1;
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), -EINVAL);
	o.vcpus = 1;
	o.flags = 1;
	ck_assert_int_eq(hv_linux_layout(ram, ram_size, &o, &info), -EINVAL);
	assert_untouched();
	free(k);
}
END_TEST

Suite *linux_suite(void)
{
	Suite *s = suite_create("linux");
	TCase *tc = tcase_create("layout");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bzimage_loads, 0, 2);
	tcase_add_test(tc, bzimage_initrd_max);
	tcase_add_test(tc, vmlinux_loads);
	tcase_add_test(tc, host_vmlinuz);
	tcase_add_loop_test(tc, refused, 0, R_NR);
	tcase_add_test(tc, bad_args);
	suite_add_tcase(s, tc);
	return s;
}
