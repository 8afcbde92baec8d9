// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's kernel loaders on valid images (built in images.c): the ELF32,
 * ELF64, Multiboot ELF and a.out-kludge images land in the fake VM's RAM
 * byte for byte, bss zeroed and nothing else touched; the Multiboot
 * information block is checked field by field against spec 0.6.96, 3.3,
 * and the vCPU state against 3.2.  Also hv_read_image(), and
 * hv_boot_image(): which loader, mode, scratch area and stack a file
 * gets, and the lines naming it when it is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "images.h"

/* ---- valid images ---- */

START_TEST(elf32_loads)
{
	struct hv_load_error err;
	struct hv_load_info info;
	struct img m;

	/* Linked high (vaddr 0xc0100000), loaded at p_paddr. */
	img_elf32(&m, 0x100000, 0xc0100000);
	memset(&err, 'x', sizeof(err));
	ck_assert_int_eq(hv_load_elf(ld_vm, m.b, m.len, &info, &err), 0);
	ck_assert_str_eq(err.msg, "");
	ck_assert_uint_eq(info.entry, 0x100004);
	ck_assert_uint_eq(info.low, 0x100000);
	ck_assert_uint_eq(info.end, 0x101040);
	ck_assert_uint_eq(info.elf_class, 32);
	ck_assert_uint_eq(info.mb_info, 0);
	ck_assert_uint_eq(info.mb_end, 0);

	ck_assert_mem_eq(ld_ram(0x100000, 0x20), m.b + 0x100, 0x20);
	ld_assert_filled(0x100020, 0x1000 - 0x20, RAM_FILL);	/* gap: untouched */
	ck_assert_mem_eq(ld_ram(0x101000, 0x10), m.b + 0x120, 0x10);
	ld_assert_filled(0x101010, 0x30, 0);			/* bss */
	ld_assert_filled(0x101040, 0x10, RAM_FILL);
	ld_assert_filled(0xff000, 0x1000, RAM_FILL);
}
END_TEST

START_TEST(elf64_loads)
{
	struct hv_load_info info;
	struct img m;

	img_elf64(&m, 0x180000);
	ck_assert_int_eq(hv_load_elf(ld_vm, m.b, m.len, &info, NULL), 0);
	ck_assert_uint_eq(info.entry, 0x180008);
	ck_assert_uint_eq(info.low, 0x180000);
	ck_assert_uint_eq(info.end, 0x182100);
	ck_assert_uint_eq(info.elf_class, 64);
	ck_assert_mem_eq(ld_ram(0x180000, 0x20), m.b + 0x100, 0x20);
	ck_assert_mem_eq(ld_ram(0x182000, 0x10), m.b + 0x120, 0x10);
	ld_assert_filled(0x182010, 0xf0, 0);
	ld_assert_filled(0x182100, 0x100, RAM_FILL);
	ld_assert_filled(0x180020, 0x100, RAM_FILL);
}
END_TEST

/* A segment may span two adjacent RAM regions (two mappings). */
START_TEST(elf_spans_regions)
{
	struct hv_load_info info;
	struct img m;

	ck_assert_int_eq(hv_vm_add_ram(ld_vm, 2 * MiB, 1 * MiB), 0);
	img_elf64(&m, 2 * MiB - 0x10);
	img_put64(m.b + E64_PH(1) + 24, 2 * MiB + 0x1000);
	ck_assert_int_eq(hv_load_elf(ld_vm, m.b, m.len, &info, NULL), 0);
	ck_assert_mem_eq(ld_ram(2 * MiB - 0x10, 0x10), m.b + 0x100, 0x10);
	ck_assert_mem_eq(ld_ram(2 * MiB, 0x10), m.b + 0x110, 0x10);
}
END_TEST

/* The multiboot info block at @info, as spec 3.3 lays it out. */
static void check_info(uint64_t info, uint32_t mem_lower, uint32_t mem_upper)
{
	const uint8_t *i = ld_ram(info, 128);

	ck_assert_uint_eq(img_get32(i + 0), MBI_FLAGS_WANT);
	ck_assert_uint_eq(img_get32(i + 4), mem_lower);
	ck_assert_uint_eq(img_get32(i + 8), mem_upper);
	ck_assert_uint_eq(img_get32(i + 12), 0);		/* no boot_device */
	ld_assert_filled(info + 28, 16, 0);		/* no syms */
	ld_assert_filled(info + 52, 12, 0);		/* drives, config */
	ld_assert_filled(info + 68, 128 - 68, 0);		/* apm, vbe, fb */
}

START_TEST(mb_elf_loads)
{
	struct hv_load_info info;
	struct img m;
	const uint8_t *i, *mm;

	img_mb_elf(&m, 0x100000);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, "root=/dev/x",
					   NULL, 0, &info, NULL), 0);
	ck_assert_uint_eq(info.entry, 0x100004);
	ck_assert_uint_eq(info.elf_class, 32);
	ck_assert_uint_eq(info.low, 0x100000);
	ck_assert_uint_eq(info.end, 0x101040);
	ck_assert_uint_eq(info.mb_info, 0x102000);
	ck_assert_mem_eq(ld_ram(0x100000, 0x20), m.b + 0x100, 0x20);
	ld_assert_filled(0x101010, 0x30, 0);

	/* info 128, mmap 1 x 24, 0 modules, "root=/dev/x", "hv" */
	check_info(0x102000, 640, 1024);
	i = ld_ram(0x102000, 128);
	ck_assert_uint_eq(img_get32(i + 20), 0);			/* mods_count */
	ck_assert_uint_eq(img_get32(i + 24), 0x102000 + 152);	/* mods_addr */
	ck_assert_uint_eq(img_get32(i + 44), 24);			/* mmap_length */
	ck_assert_uint_eq(img_get32(i + 48), 0x102000 + 128);
	ck_assert_uint_eq(img_get32(i + 16), 0x102000 + 152);	/* cmdline */
	ck_assert_str_eq((char *)ld_ram(0x102000 + 152, 12), "root=/dev/x");
	ck_assert_uint_eq(img_get32(i + 64), 0x102000 + 164);
	ck_assert_str_eq((char *)ld_ram(0x102000 + 164, 3), "hv");
	ck_assert_uint_eq(info.mb_end, 0x102000 + 167);
	ld_assert_filled(0x102000 + 167, 0x10, RAM_FILL);

	mm = ld_ram(0x102000 + 128, 24);
	ck_assert_uint_eq(img_get32(mm), 20);
	ck_assert_uint_eq(img_get64(mm + 4), 0);
	ck_assert_uint_eq(img_get64(mm + 12), 2 * MiB);
	ck_assert_uint_eq(img_get32(mm + 20), 1);
}
END_TEST

START_TEST(mb_aout_loads_with_modules)
{
	static const char cmd[] = "console=ttyS0";
	struct hv_mb_module mods[2];
	struct hv_load_info info;
	uint8_t m0[100], m1[5000];
	const uint8_t *i, *e;
	const uint64_t base = 0x101000;	/* info block */
	struct img m;
	size_t k;

	for (k = 0; k < sizeof(m0); k++)
		m0[k] = (uint8_t)(k * 7);
	for (k = 0; k < sizeof(m1); k++)
		m1[k] = (uint8_t)(k * 13 + 1);
	mods[0] = (struct hv_mb_module){ m0, sizeof(m0), "mod0 arg" };
	mods[1] = (struct hv_mb_module){ m1, sizeof(m1), NULL };

	img_mb_aout(&m, 0x100000);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, cmd, mods, 2,
					   &info, NULL), 0);
	ck_assert_uint_eq(info.entry, 0x100040);
	ck_assert_uint_eq(info.elf_class, 0);
	ck_assert_uint_eq(info.low, 0x100000);
	ck_assert_uint_eq(info.end, 0x100100);
	ck_assert_uint_eq(info.mb_info, base);
	ck_assert_mem_eq(ld_ram(0x100000, 0x60), m.b, 0x60);
	ld_assert_filled(0x100060, 0xa0, 0);		/* bss */
	ld_assert_filled(0x100100, 0xf00, RAM_FILL);

	/*
	 * info 128 | mmap 24 | 2 mods x 16 | "console=ttyS0" 14 | "hv" 3 |
	 * "mod0 arg" 9 | "" 1  = 211 bytes; modules on the next pages.
	 */
	check_info(base, 640, 1024);
	i = ld_ram(base, 128);
	ck_assert_uint_eq(img_get32(i + 16), base + 184);
	ck_assert_str_eq((char *)ld_ram(base + 184, 14), cmd);
	ck_assert_uint_eq(img_get32(i + 64), base + 198);
	ck_assert_str_eq((char *)ld_ram(base + 198, 3), "hv");
	ck_assert_uint_eq(img_get32(i + 20), 2);
	ck_assert_uint_eq(img_get32(i + 24), base + 152);
	e = ld_ram(base + 152, 32);
	ck_assert_uint_eq(img_get32(e + 0), 0x102000);
	ck_assert_uint_eq(img_get32(e + 4), 0x102000 + 100);
	ck_assert_uint_eq(img_get32(e + 8), base + 201);
	ck_assert_uint_eq(img_get32(e + 12), 0);
	ck_assert_str_eq((char *)ld_ram(base + 201, 9), "mod0 arg");
	ck_assert_uint_eq(img_get32(e + 16), 0x103000);
	ck_assert_uint_eq(img_get32(e + 20), 0x103000 + 5000);
	ck_assert_uint_eq(img_get32(e + 24), base + 210);
	ck_assert_uint_eq(*ld_ram(base + 210, 1), 0);
	ld_assert_filled(base + 211, 0x10, RAM_FILL);
	ck_assert_mem_eq(ld_ram(0x102000, 100), m0, 100);
	ck_assert_mem_eq(ld_ram(0x103000, 5000), m1, 5000);
	ld_assert_filled(0x103000 + 5000, 0x100, RAM_FILL);
	ck_assert_uint_eq(info.mb_end, 0x103000 + 5000);
}
END_TEST

/* RAM in three regions: [0, 1M) + [1M, 2M) adjacent, [4M, 5M) apart. */
START_TEST(mb_memory_map)
{
	struct hv_load_info info;
	const uint8_t *i, *mm;
	struct img m;

	ck_assert_int_eq(hv_vm_add_ram(ld_vm, 4 * MiB, 1 * MiB), 0);
	img_mb_aout(&m, 0x100000);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, NULL, NULL, 0,
					   &info, NULL), 0);
	i = ld_ram(info.mb_info, 128);
	ck_assert_uint_eq(img_get32(i + 4), 640);
	ck_assert_uint_eq(img_get32(i + 8), 1024);
	ck_assert_uint_eq(img_get32(i + 44), 48);
	ck_assert_uint_eq(img_get32(i + 48), info.mb_info + 128);
	mm = ld_ram(info.mb_info + 128, 48);
	ck_assert_uint_eq(img_get32(mm), 20);
	ck_assert_uint_eq(img_get64(mm + 4), 0);
	ck_assert_uint_eq(img_get64(mm + 12), 2 * MiB);
	ck_assert_uint_eq(img_get32(mm + 20), 1);
	ck_assert_uint_eq(img_get32(mm + 24), 20);
	ck_assert_uint_eq(img_get64(mm + 28), 4 * MiB);
	ck_assert_uint_eq(img_get64(mm + 36), 1 * MiB);
	ck_assert_uint_eq(img_get32(mm + 44), 1);
	/* No cmdline: "" all the same. */
	ck_assert_uint_eq(*ld_ram(img_get32(i + 16), 1), 0);
}
END_TEST

/* Little RAM: mem_lower is what there is; no RAM at 1 MiB, upper 0. */
START_TEST(mb_small_ram)
{
	struct hv_load_info info;
	struct img m;

	ld_vm_replace("small", 256 * KiB);
	img_mb_aout(&m, 0x10000);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, NULL, NULL, 0,
					   &info, NULL), 0);
	ck_assert_uint_eq(info.mb_info, 0x11000);
	ck_assert_uint_eq(img_get32(ld_ram(0x11000, 12) + 4), 256);
	ck_assert_uint_eq(img_get32(ld_ram(0x11000, 12) + 8), 0);
}
END_TEST

START_TEST(mb_vcpu_state)
{
	struct hv_load_info info, bad;
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;
	const struct hv_segment *data[5];
	struct img m;
	int k;

	img_mb_aout(&m, 0x100000);
	ck_assert_int_eq(hv_load_multiboot(ld_vm, m.b, m.len, NULL, NULL, 0,
					   &info, NULL), 0);
	ck_assert_int_eq(hv_vcpu_create(ld_vm, 0, &vcpu), 0);
	fv = fake_vcpu_of(hv_vcpu_fd(vcpu));
	ck_assert_ptr_nonnull(fv);

	bad = info;
	bad.mb_info = 0;
	ck_assert_int_eq(hv_vcpu_setup_multiboot(vcpu, ld_vm, &bad), -EINVAL);
	bad = info;
	bad.entry = 1ULL << 32;
	ck_assert_int_eq(hv_vcpu_setup_multiboot(vcpu, ld_vm, &bad), -EINVAL);
	bad = info;
	bad.mb_info = 3 * MiB;
	ck_assert_int_eq(hv_vcpu_setup_multiboot(vcpu, ld_vm, &bad), -EFAULT);
	ck_assert_int_eq(hv_vcpu_setup_multiboot(NULL, ld_vm, &info), -EBADF);
	ck_assert_int_eq(fv->set_regs + fv->set_sregs, 0);

	ck_assert_int_eq(hv_vcpu_setup_multiboot(vcpu, ld_vm, &info), 0);
	/* Spec 3.2 */
	ck_assert_uint_eq(fv->regs.rax, MB_BOOT_MAGIC);
	ck_assert_uint_eq(fv->regs.rbx, info.mb_info);
	ck_assert_uint_eq(fv->regs.rip, 0x100040);
	ck_assert_uint_eq(fv->regs.rflags, 0x2);	/* IF = VM = 0 */
	ck_assert_uint_eq(fv->sregs.cr0 & 1, 1);	/* PE */
	ck_assert_uint_eq(fv->sregs.cr0 >> 31, 0);	/* PG */
	ck_assert_uint_eq(fv->sregs.efer, 0);
	ck_assert_uint_eq(fv->sregs.cs.base, 0);
	ck_assert_uint_eq(fv->sregs.cs.limit, 0xffffffff);
	ck_assert_uint_eq(fv->sregs.cs.db, 1);
	ck_assert_uint_eq(fv->sregs.cs.l, 0);
	ck_assert_uint_eq(fv->sregs.cs.type & 0xa, 0xa);	/* code, read */
	data[0] = &fv->sregs.ds;
	data[1] = &fv->sregs.es;
	data[2] = &fv->sregs.fs;
	data[3] = &fv->sregs.gs;
	data[4] = &fv->sregs.ss;
	for (k = 0; k < 5; k++) {
		ck_assert_uint_eq(data[k]->base, 0);
		ck_assert_uint_eq(data[k]->limit, 0xffffffff);
		ck_assert_uint_eq(data[k]->db, 1);
		ck_assert_uint_eq(data[k]->type & 0xa, 0x2);	/* data, write */
		ck_assert_uint_eq(data[k]->present, 1);
	}
	ck_assert_uint_eq(fv->sregs.cr2, 0x1234);	/* not ours: kept */
	hv_vcpu_close(vcpu);
}
END_TEST

/* ---- image files ---- */

START_TEST(read_image)
{
	char path[] = "/tmp/hv-unit-image.XXXXXX";
	struct hv_load_error err;
	void *buf;
	size_t len;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "kernel!", 7), 7);
	close(fd);

	ck_assert_int_eq(hv_read_image(path, &buf, &len, 7, &err), 0);
	ck_assert_uint_eq(len, 7);
	ck_assert_mem_eq(buf, "kernel!", 7);
	ck_assert_str_eq(err.msg, "");
	free(buf);

	ck_assert_int_eq(hv_read_image(path, &buf, &len, 6, &err), -EFBIG);
	ck_assert_ptr_null(buf);
	ck_assert_ptr_nonnull(strstr(err.msg, "7 bytes, more than the limit of 6"));

	ck_assert_int_eq(truncate(path, 0), 0);
	ck_assert_int_eq(hv_read_image(path, &buf, &len, 6, &err), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_ptr_nonnull(buf);
	free(buf);
	unlink(path);

	ck_assert_int_eq(hv_read_image(path, &buf, &len, 6, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_int_eq(hv_read_image("/tmp", &buf, &len, 6, &err), -EISDIR);
	ck_assert_str_eq(err.msg, "/tmp: not a regular file");
	ck_assert_int_eq(hv_read_image("/dev/null", &buf, &len, 6, &err),
			 -EINVAL);
	ck_assert_int_eq(hv_read_image(NULL, &buf, &len, 6, NULL), -EINVAL);
}
END_TEST

/* ---- hv_boot_image(): a file, its loader, its place, the vCPU ---- */

/* vCPU 0 of the fixture VM, and the fake's view of it in *fv. */
static struct hv_vcpu *bt_vcpu(struct fake_vcpu **fv)
{
	struct hv_vcpu *vcpu;

	ck_assert_int_eq(hv_vcpu_create(ld_vm, 0, &vcpu), 0);
	*fv = fake_vcpu_of(hv_vcpu_fd(vcpu));
	ck_assert_ptr_nonnull(*fv);
	return vcpu;
}

START_TEST(boot_elf)
{
	const uint64_t scratch = 2 * MiB - HV_MODE_SCRATCH_SIZE;
	struct hv_boot_opts o = { 0 };
	struct hv_boot_info info;
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;
	char msg[256];
	struct img m;

	vcpu = bt_vcpu(&fv);
	img_elf64(&m, 0x100000);
	o.path = tmp_file(m.b, m.len);
	o.err = msg;
	o.errlen = sizeof(msg);
	memset(msg, 'x', sizeof(msg));
	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, &o, &info), 0);
	unlink(tmp_path);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(info.format, HV_BOOT_ELF);
	ck_assert_uint_eq(info.mode, HV_MODE_LONG64);
	ck_assert_uint_eq(info.scratch, scratch);
	ck_assert_uint_eq(info.sp, scratch);
	ck_assert_uint_eq(info.load.entry, 0x100008);
	ck_assert_uint_eq(info.load.elf_class, 64);
	ck_assert_mem_eq(ld_ram(0x100000, 0x20), m.b + 0x100, 0x20);
	/* PML4[0] in the scratch area, the vCPU in long mode there. */
	ck_assert_uint_eq(img_get64(ld_ram(scratch, 8)) & ~0xfffULL,
			  scratch + 0x1000);
	ck_assert_uint_eq(fv->regs.rip, 0x100008);
	ck_assert_uint_eq(fv->regs.rsp, scratch);
	ck_assert_uint_eq(fv->sregs.cr3, scratch);
	ck_assert_uint_eq(fv->sregs.cs.l, 1);

	/* ELF32: protected mode, no paging, GDT in the same place. */
	img_elf32(&m, 0x100000, 0x100000);
	o.path = tmp_file(m.b, m.len);
	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, &o, NULL), 0);
	unlink(tmp_path);
	ck_assert_uint_eq(fv->regs.rip, 0x100004);
	ck_assert_uint_eq(fv->regs.rsp, scratch);
	ck_assert_uint_eq(fv->sregs.cr0 & 1, 1);
	ck_assert_uint_eq(fv->sregs.cr0 >> 31, 0);
	ck_assert_uint_eq(fv->sregs.gdt.base, scratch + 0x6000);
	hv_vcpu_close(vcpu);
}
END_TEST

START_TEST(boot_flat)
{
	static const uint8_t code[] = { 0xb0, 'h', 0xe6, 0xe9, 0xf4 };
	struct hv_boot_opts o = { 0 };
	struct hv_boot_info info;
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;

	vcpu = bt_vcpu(&fv);
	o.path = tmp_file(code, sizeof(code));
	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, &o, &info), 0);
	unlink(tmp_path);
	ck_assert_uint_eq(info.format, HV_BOOT_FLAT);
	ck_assert_uint_eq(info.mode, HV_MODE_REAL);
	ck_assert_uint_eq(info.scratch, HV_MODE_NO_SCRATCH);
	ck_assert_uint_eq(info.load.end, 0x1000 + sizeof(code));
	ck_assert_mem_eq(ld_ram(0x1000, sizeof(code)), code, sizeof(code));
	ld_assert_filled(0x1000 + sizeof(code), 0x10, RAM_FILL);
	/* CS:IP 0000:1000, SS:SP 0000:1000 */
	ck_assert_uint_eq(fv->sregs.cs.selector, 0);
	ck_assert_uint_eq(fv->regs.rip, 0x1000);
	ck_assert_uint_eq(fv->sregs.ss.selector, 0);
	ck_assert_uint_eq(fv->regs.rsp, 0x1000);
	ck_assert_uint_eq(fv->sregs.cr0 & 1, 0);
	hv_vcpu_close(vcpu);
}
END_TEST

/* Refused: the error, its line naming the file, RAM and vCPU as they were. */
static void bt_refused(struct hv_vcpu *vcpu, const struct fake_vcpu *fv,
		       struct hv_boot_opts *o, int ret, const char *want)
{
	struct hv_boot_info info;
	char msg[256];

	o->err = msg;
	o->errlen = sizeof(msg);
	ld_snapshot();
	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, o, &info), ret);
	ck_assert_str_eq(msg, want);
	ld_assert_untouched(want);
	ck_assert_int_eq(fv->set_regs + fv->set_sregs, 0);
}

/* @len bytes of @data as the image: refused with the line "FILE: @why". */
static void bt_refused_image(struct hv_vcpu *vcpu, const struct fake_vcpu *fv,
			     struct hv_boot_opts *o, const void *data,
			     size_t len, int ret, const char *why)
{
	char want[256];

	o->path = tmp_file(data, len);
	snprintf(want, sizeof(want), "%s: %s", tmp_path, why);
	bt_refused(vcpu, fv, o, ret, want);
	unlink(tmp_path);
}

START_TEST(boot_refuses)
{
	static uint8_t big[8192];
	struct hv_boot_opts o = { 0 };
	struct hv_boot_module mod = { "/nonexistent/m", "x" };
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;
	struct img m;

	vcpu = bt_vcpu(&fv);
	/* Data segment 0x1fe000-0x1fe100: in the kept 48K from 0x1f4000. */
	img_elf64(&m, 2 * MiB - 0x4000);
	bt_refused_image(vcpu, fv, &o, m.b, m.len, -ENOSPC, "segments end at "
			 "0x1fe100, in the 48K from 0x1f4000 that hv keeps for "
			 "the stack and page tables");
	/* The loader's own words after the file name. */
	img_elf64(&m, 0x100000);
	m.b[18] = 3;	/* ELF64 claiming EM_386 */
	bt_refused_image(vcpu, fv, &o, m.b, m.len, -ENOEXEC, "ELF: e_machine "
			 "= 3: an ELF64 file must be EM_X86_64 (62)");
	bt_refused_image(vcpu, fv, &o, "", 0, -ENOEXEC, "empty image");
	o.path = "/nonexistent/img";
	bt_refused(vcpu, fv, &o, -ENOENT,
		   "/nonexistent/img: No such file or directory");

	/* Multiboot: a module file that is not there. */
	img_mb_aout(&m, 0x100000);
	o.path = tmp_file(m.b, m.len);
	o.multiboot = true;
	o.mods = &mod;
	o.nmods = 1;
	bt_refused(vcpu, fv, &o, -ENOENT,
		   "/nonexistent/m: No such file or directory");
	unlink(tmp_path);
	memset(&o, 0, sizeof(o));
	hv_vcpu_close(vcpu);

	/* 8K of RAM: a flat image of 8K does not fit at 0x1000 ... */
	ld_vm_replace("tiny", 8 * KiB);
	vcpu = bt_vcpu(&fv);
	bt_refused_image(vcpu, fv, &o, big, sizeof(big), -ENOSPC,
			 "8192 bytes do not fit in RAM at 0x1000");
	/* ... and an ELF image nothing at all. */
	img_elf32(&m, 0x1000, 0x1000);
	bt_refused_image(vcpu, fv, &o, m.b, m.len, -ERANGE, "an ELF image "
			 "needs more than the 48K at the top of RAM that hv "
			 "keeps for its stack and page tables");

	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, NULL, NULL), -EINVAL);
	ck_assert_int_eq(hv_boot_image(NULL, vcpu, &o, NULL), -EBADF);
	hv_vcpu_close(vcpu);
}
END_TEST

START_TEST(boot_multiboot)
{
	struct hv_boot_module mod = { NULL, "initrd root=/" };
	struct hv_boot_opts o = { 0 };
	struct hv_boot_info info;
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;
	char mod_path[64];
	uint32_t mbi;
	struct img m;

	vcpu = bt_vcpu(&fv);
	strcpy(mod_path, tmp_file("module data", 11));
	mod.path = mod_path;
	img_mb_aout(&m, 0x100000);
	o.path = tmp_file(m.b, m.len);
	o.multiboot = true;
	o.cmdline = "console=ttyS0";
	o.mods = &mod;
	o.nmods = 1;
	ck_assert_int_eq(hv_boot_image(ld_vm, vcpu, &o, &info), 0);
	unlink(tmp_path);
	unlink(mod_path);
	ck_assert_uint_eq(info.format, HV_BOOT_MULTIBOOT);
	ck_assert_uint_eq(info.mode, HV_MODE_PROT32);
	ck_assert_uint_eq(fv->regs.rax, MB_BOOT_MAGIC);
	ck_assert_uint_eq(fv->regs.rbx, info.load.mb_info);
	ck_assert_uint_eq(fv->regs.rip, 0x100040);
	/* MODS: one module, its bytes where mod_start says. */
	mbi = (uint32_t)info.load.mb_info;
	ck_assert_uint_eq(img_get32(ld_ram(mbi + 20, 4)), 1);
	ck_assert_mem_eq(ld_ram(img_get32(ld_ram(img_get32(ld_ram(mbi + 24,
				4)), 4)), 11), "module data", 11);
	hv_vcpu_close(vcpu);
}
END_TEST

Suite *loaders_suite(void)
{
	Suite *s = suite_create("loaders");
	TCase *tc = tcase_create("valid");

	tcase_add_checked_fixture(tc, ld_setup, ld_teardown);
	tcase_add_test(tc, elf32_loads);
	tcase_add_test(tc, elf64_loads);
	tcase_add_test(tc, elf_spans_regions);
	tcase_add_test(tc, mb_elf_loads);
	tcase_add_test(tc, mb_aout_loads_with_modules);
	tcase_add_test(tc, mb_memory_map);
	tcase_add_test(tc, mb_small_ram);
	tcase_add_test(tc, mb_vcpu_state);
	tcase_add_test(tc, read_image);
	suite_add_tcase(s, tc);

	tc = tcase_create("boot");
	tcase_add_checked_fixture(tc, ld_setup, ld_teardown);
	tcase_add_test(tc, boot_elf);
	tcase_add_test(tc, boot_flat);
	tcase_add_test(tc, boot_refuses);
	tcase_add_test(tc, boot_multiboot);
	suite_add_tcase(s, tc);
	return s;
}
