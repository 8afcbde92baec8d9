// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: boot an image file (hv_boot_image()): read it, choose its
 * loader, place it and the vCPU's scratch area and stack in guest RAM,
 * and set the vCPU up to enter it.  hvctl create and run are this call.
 *
 * Where an image starts (documented in libhv.h and hvctl(1)):
 *  - a flat binary (no ELF magic): loaded at 0x1000 and entered in real
 *    mode at CS:IP 0000:1000, SS:SP 0000:1000 (the stack grows down
 *    towards the real-mode IVT, as a boot sector's does);
 *  - ELF32: 32-bit flat protected mode, no paging, at the entry point;
 *    ELF64: long mode with the first 4 GiB identity-mapped.  Both get
 *    the mode's scratch area (page tables, GDT, TSS; HV_MODE_SCRATCH_SIZE
 *    = 32 KiB) in the top 32 KiB of RAM below 4 GiB and ESP/RSP just
 *    below it; the 16 KiB under the scratch area are kept free for that
 *    stack, so no ELF segment may reach into those 48 KiB.  The top
 *    rather than low memory because kernels and test programs are
 *    linked low (0x1000, 1 MiB), where a fixed scratch area would clash;
 *  - Multiboot v1 (opts->multiboot): as GRUB leaves it
 *    (hv_load_multiboot(), hv_vcpu_setup_multiboot()).
 *
 * "RAM" here is the guest RAM this process has mapped contiguously from
 * GPA 0, as hvctl creates it.  Every message names the file it is about
 * and is written whole into opts->err, with no length limit on the path
 * but the caller's buffer (struct hv_load_error's 160 bytes would cut
 * long paths).
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

/* printf into opts->err (if any); returns @ret, for `return` chains. */
__attribute__((format(printf, 3, 4)))
static int boot_fail(const struct hv_boot_opts *o, int ret, const char *fmt,
		     ...)
{
	va_list ap;

	if (o->err && o->errlen) {
		va_start(ap, fmt);
		vsnprintf(o->err, o->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static int boot_vcpu_fail(const struct hv_boot_opts *o,
			  const struct hv_vcpu *vcpu, int err)
{
	return boot_fail(o, err, "cannot set up vCPU %u: %s",
			 hv_vcpu_id(vcpu), hv_strerror(err));
}

uint64_t hv_ram_end(struct hv_vm *vm)
{
	uint64_t end = 0, room;

	while ((room = hv_vm_gpa_room(vm, end)))
		end += room;
	return end;
}

int hv_boot_read(char *err, size_t errlen, const char *path, uint64_t max,
		 void **buf, size_t *len)
{
	struct hv_load_error lerr;
	int ret;

	ret = hv_read_image(path, buf, len, max > SIZE_MAX ? SIZE_MAX : max,
			    &lerr);
	if (!ret)
		return 0;
	if (err && errlen) {
		/* The whole path, where hv_read_image() cuts it at 100 bytes. */
		if (ret == -ENOENT || ret == -EACCES || ret == -EPERM ||
		    !lerr.msg[0])
			snprintf(err, errlen, "%s: %s", path,
				 hv_file_strerror(ret));
		else
			snprintf(err, errlen, "%s", lerr.msg);
	}
	return ret;
}

/* hv_boot_read() with the RAM size plus HV_BOOT_IMAGE_SLACK as limit. */
static int boot_read(const struct hv_boot_opts *o, const char *path,
		     uint64_t ram, void **buf, size_t *len)
{
	return hv_boot_read(o->err, o->errlen, path,
			    ram + HV_BOOT_IMAGE_SLACK, buf, len);
}

static int boot_flat(struct hv_vm *vm, struct hv_vcpu *vcpu,
		     const struct hv_boot_opts *o, const void *img, size_t len,
		     struct hv_boot_info *info)
{
	int err;

	if (!len)
		return boot_fail(o, -ENOEXEC, "%s: empty image", o->path);
	err = hv_load_flat_mem(vm, img, len, HV_BOOT_FLAT_GPA);
	if (err == -ERANGE || err == -EFBIG)
		return boot_fail(o, -ENOSPC, "%s: %zu bytes do not fit in RAM "
				 "at 0x%" PRIx64, o->path, len,
				 (uint64_t)HV_BOOT_FLAT_GPA);
	if (err)
		return boot_fail(o, err, "%s: %s", o->path, hv_strerror(err));
	info->load.entry = info->load.low = HV_BOOT_FLAT_GPA;
	info->load.end = HV_BOOT_FLAT_GPA + len;
	info->mode = HV_MODE_REAL;
	info->sp = HV_BOOT_FLAT_SP;
	err = hv_vcpu_setup_mode(vcpu, vm, HV_MODE_REAL, HV_BOOT_FLAT_GPA,
				 HV_BOOT_FLAT_SP, HV_MODE_NO_SCRATCH);
	return err ? boot_vcpu_fail(o, vcpu, err) : 0;
}

/* Checked before anything is written: a refused image leaves RAM as it was. */
static int boot_elf(struct hv_vm *vm, struct hv_vcpu *vcpu,
		    const struct hv_boot_opts *o, uint64_t ram,
		    const void *img, size_t len, struct hv_boot_info *info)
{
	/* Below 4 GiB, where both modes reach with or without paging. */
	uint64_t top = ram < HV_4GIB ? ram : HV_4GIB;
	uint64_t scratch = top - HV_MODE_SCRATCH_SIZE;
	uint64_t kept = scratch - HV_BOOT_STACK_GAP;
	struct hv_load_info *li = &info->load;
	struct hv_load_error lerr;
	int err;

	if (top < HV_MODE_SCRATCH_SIZE + HV_BOOT_STACK_GAP)
		return boot_fail(o, -ERANGE, "%s: an ELF image needs more than "
				 "the 48K at the top of RAM that hv keeps for "
				 "its stack and page tables", o->path);
	hv_load_ok(&lerr);
	err = hv_elf_check(vm, img, len, UINT64_MAX, li, &lerr);
	if (err)
		return boot_fail(o, err, "%s: %s", o->path,
				 lerr.msg[0] ? lerr.msg : hv_strerror(err));
	if (li->low < top && li->end > kept)
		return boot_fail(o, -ENOSPC, "%s: segments end at 0x%" PRIx64
				 ", in the 48K from 0x%" PRIx64 " that hv "
				 "keeps for the stack and page tables",
				 o->path, li->end, kept);
	hv_elf_write(vm, img);

	info->mode = li->elf_class == 64 ? HV_MODE_LONG64 : HV_MODE_PROT32;
	info->scratch = info->sp = scratch;
	err = hv_vcpu_setup_mode(vcpu, vm, info->mode, li->entry, scratch,
				 scratch);
	if (err == -ERANGE)
		return boot_fail(o, err, "%s: entry point 0x%" PRIx64 " cannot "
				 "be reached in %s", o->path, li->entry,
				 info->mode == HV_MODE_LONG64 ?
				 "64-bit mode (only the first 4 GiB are mapped)"
				 : "32-bit mode");
	return err ? boot_vcpu_fail(o, vcpu, err) : 0;
}

static int boot_multiboot(struct hv_vm *vm, struct hv_vcpu *vcpu,
			  const struct hv_boot_opts *o, uint64_t ram,
			  const void *img, size_t len,
			  struct hv_boot_info *info)
{
	struct hv_mb_module *mods;
	struct hv_load_error lerr;
	void **bufs;
	size_t i;
	int ret = 0, err;

	mods = calloc(o->nmods + 1, sizeof(*mods));
	bufs = calloc(o->nmods + 1, sizeof(*bufs));
	if (!mods || !bufs) {
		ret = boot_fail(o, -ENOMEM, "%s: out of memory", o->path);
		goto out;
	}
	for (i = 0; i < o->nmods; i++) {
		ret = boot_read(o, o->mods[i].path, ram, &bufs[i],
				&mods[i].len);
		if (ret)
			goto out;
		mods[i].data = bufs[i];
		mods[i].string = o->mods[i].string;
	}
	err = hv_load_multiboot(vm, img, len, o->cmdline ? o->cmdline : "",
				mods, o->nmods, &info->load, &lerr);
	if (err) {
		ret = boot_fail(o, err, "%s: %s", o->path,
				lerr.msg[0] ? lerr.msg : hv_strerror(err));
		goto out;
	}
	info->mode = HV_MODE_PROT32;
	err = hv_vcpu_setup_multiboot(vcpu, vm, &info->load);
	if (err)
		ret = boot_vcpu_fail(o, vcpu, err);
out:
	for (i = 0; bufs && i < o->nmods; i++)
		free(bufs[i]);
	free(bufs);
	free(mods);
	return ret;
}

int hv_boot_image(struct hv_vm *vm, struct hv_vcpu *vcpu,
		  const struct hv_boot_opts *opts, struct hv_boot_info *info)
{
	struct hv_boot_info unused;
	uint64_t ram;
	void *img;
	size_t len;
	int ret;

	if (!opts)
		return -EINVAL;
	if (opts->err && opts->errlen)
		opts->err[0] = '\0';
	if (!vm || !vcpu)
		return boot_fail(opts, -EBADF, "no VM or no vCPU");
	if (!opts->path || (opts->nmods && !opts->mods))
		return boot_fail(opts, -EINVAL, "no image or no modules");
	if (!info)
		info = &unused;
	memset(info, 0, sizeof(*info));
	info->scratch = HV_MODE_NO_SCRATCH;

	ram = hv_ram_end(vm);
	ret = boot_read(opts, opts->path, ram, &img, &len);
	if (ret)
		return ret;
	if (opts->multiboot) {
		info->format = HV_BOOT_MULTIBOOT;
		ret = boot_multiboot(vm, vcpu, opts, ram, img, len, info);
	} else if (hv_elf_magic(img, len)) {
		info->format = HV_BOOT_ELF;
		ret = boot_elf(vm, vcpu, opts, ram, img, len, info);
	} else {
		info->format = HV_BOOT_FLAT;
		ret = boot_flat(vm, vcpu, opts, img, len, info);
	}
	free(img);
	return ret;
}
