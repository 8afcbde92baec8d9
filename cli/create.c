// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl create, and the VM building that `hvctl run` shares with it:
 * RAM at GPA 0, vCPUs, an image loaded and vCPU 0 set up to enter it.
 *
 * Where an image starts (documented in hvctl(1)):
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
 *  - Multiboot v1: as GRUB leaves it (hv_vcpu_setup_multiboot()).
 * Other vCPUs keep their reset state: they wait for a start-up IPI.
 *
 * A failure at any step destroys the half-made VM: nothing is left.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"

#define FLAT_GPA	UINT64_C(0x1000)	/* where a flat binary goes */
#define FLAT_SP		UINT64_C(0x1000)
#define ELF_STACK	UINT64_C(0x4000)	/* kept free under the scratch area */
#define IMAGE_SLACK	(64ULL << 20)	/* file bytes beyond RAM (symbols) */
#define FOUR_GIB	(UINT64_C(1) << 32)

enum {
	OPT_HELP = HVCTL_OPT_HELP, OPT_MEM, OPT_VCPUS, OPT_IMAGE, OPT_MULTIBOOT,
	OPT_MODULE, OPT_CMDLINE,
};

int hvctl_create_parse(int argc, char **argv, struct hvctl_create_opts *o)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "multiboot", required_argument, NULL, OPT_MULTIBOOT },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd = argv[0];
	bool have_mem = false;
	char msg[128];
	uint64_t v;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->vcpus = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MEM:
			if (hvctl_parse_mem(optarg, &o->mem, msg, sizeof(msg)))
				return hvctl_usage_error(cmd, "--mem %s", msg);
			have_mem = true;
			break;
		case OPT_VCPUS:
			if (hvctl_parse_uint(optarg, 1, HV_MAX_VCPUS, &v))
				return hvctl_usage_error(cmd, "--vcpus %s: not "
					"a number from 1 to %d", optarg,
					HV_MAX_VCPUS);
			o->vcpus = (unsigned int)v;
			break;
		case OPT_IMAGE:
		case OPT_MULTIBOOT:
			if (o->image || o->multiboot)
				return hvctl_usage_error(cmd, "one image only "
					"(--image or --multiboot, once)");
			if (c == OPT_IMAGE)
				o->image = optarg;
			else
				o->multiboot = optarg;
			break;
		case OPT_MODULE: {
			const char *comma = strchr(optarg, ',');
			struct hvctl_module_opt *m;

			if (o->nmods == HVCTL_MAX_MODULES)
				return hvctl_usage_error(cmd, "at most %d "
					"--module", HVCTL_MAX_MODULES);
			m = &o->mods[o->nmods++];
			m->path = optarg;
			m->path_len = comma ? (size_t)(comma - optarg)
					    : strlen(optarg);
			m->string = comma ? comma + 1 : optarg;
			if (!m->path_len || m->path_len >= PATH_MAX)
				return hvctl_usage_error(cmd, "--module %s: "
					"no file name", optarg);
			break;
		}
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	ret = hvctl_parse_name(argc, argv, &o->name);
	if (ret >= 0)
		return ret;
	if (!have_mem)
		return hvctl_usage_error(cmd, "missing --mem SIZE");
	if (!o->multiboot && o->nmods)
		return hvctl_usage_error(cmd, "--module needs --multiboot");
	if (!o->multiboot && o->cmdline)
		return hvctl_usage_error(cmd, "--cmdline needs --multiboot");
	return -1;
}

/* Read an image or module; reports the failure. */
static int read_file(const char *ctx, const char *path, uint64_t mem,
		     void **buf, size_t *len)
{
	struct hv_load_error lerr;
	uint64_t max = mem + IMAGE_SLACK;
	int err;

	err = hv_read_image(path, buf, len, max > SIZE_MAX ? SIZE_MAX : max,
			    &lerr);
	if (!err)
		return 0;
	/* hv_strerror() words ENOENT and EACCES for /dev/hv: not here. */
	if (err == -ENOENT || err == -EACCES || err == -EPERM)
		return hvctl_fail(ctx, "%s: %s", path, strerror(-err));
	if (lerr.msg[0])
		return hvctl_fail(ctx, "%s", lerr.msg);
	return hvctl_fail(ctx, "%s: %s", path, strerror(-err));
}

static int load_flat(const char *ctx, const struct hvctl_create_opts *o,
		     struct hv_vm *vm, struct hv_vcpu *bsp, const void *img,
		     size_t len)
{
	char mem[24];
	int err;

	if (!len)
		return hvctl_fail(ctx, "%s: empty image", o->image);
	err = hv_load_flat_mem(vm, img, len, FLAT_GPA);
	if (err == -ERANGE || err == -EFBIG)
		return hvctl_fail(ctx, "%s: %zu bytes do not fit in RAM at "
				  "0x%" PRIx64 " (--mem %s)", o->image, len,
				  FLAT_GPA, hvctl_format_size(o->mem, mem,
							      sizeof(mem)));
	if (err)
		return hvctl_fail(ctx, "%s: %s", o->image, hv_strerror(err));
	err = hv_vcpu_setup_mode(bsp, vm, HV_MODE_REAL, FLAT_GPA, FLAT_SP,
				 HV_MODE_NO_SCRATCH);
	if (err)
		return hvctl_fail(ctx, "cannot set up vCPU 0: %s",
				  hv_strerror(err));
	return 0;
}

static int load_elf(const char *ctx, const struct hvctl_create_opts *o,
		    struct hv_vm *vm, struct hv_vcpu *bsp, const void *img,
		    size_t len)
{
	/* Below 4 GiB, where both modes reach with or without paging. */
	uint64_t top = o->mem < FOUR_GIB ? o->mem : FOUR_GIB;
	uint64_t scratch = top - HV_MODE_SCRATCH_SIZE;
	uint64_t kept = scratch - ELF_STACK;
	struct hv_load_error lerr;
	struct hv_load_info li;
	enum hv_cpu_mode mode;
	int err;

	if (o->mem < HV_MODE_SCRATCH_SIZE + ELF_STACK)
		return hvctl_fail(ctx, "%s: an ELF image needs more than the "
				  "48K at the top of RAM that hv keeps for its "
				  "stack and page tables", o->image);
	err = hv_load_elf(vm, img, len, &li, &lerr);
	if (err)
		return hvctl_fail(ctx, "%s: %s", o->image,
				  lerr.msg[0] ? lerr.msg : hv_strerror(err));
	if (li.low < top && li.end > kept)
		return hvctl_fail(ctx, "%s: segments end at 0x%" PRIx64 ", in "
				  "the 48K from 0x%" PRIx64 " that hv keeps for "
				  "the stack and page tables: give more --mem",
				  o->image, li.end, kept);
	mode = li.elf_class == 64 ? HV_MODE_LONG64 : HV_MODE_PROT32;
	err = hv_vcpu_setup_mode(bsp, vm, mode, li.entry, scratch, scratch);
	if (err == -ERANGE)
		return hvctl_fail(ctx, "%s: entry point 0x%" PRIx64 " cannot "
				  "be reached in %s", o->image, li.entry,
				  mode == HV_MODE_LONG64 ?
				  "64-bit mode (only the first 4 GiB are mapped)"
				  : "32-bit mode");
	if (err)
		return hvctl_fail(ctx, "cannot set up vCPU 0: %s",
				  hv_strerror(err));
	return 0;
}

static int load_multiboot(const char *ctx,
			  const struct hvctl_create_opts *o,
			  struct hv_vm *vm, struct hv_vcpu *bsp,
			  const void *img, size_t len)
{
	struct hv_mb_module mods[HVCTL_MAX_MODULES];
	struct hv_load_error lerr;
	struct hv_load_info li;
	char path[PATH_MAX];
	void *bufs[HVCTL_MAX_MODULES] = { NULL };
	size_t i;
	int ret = 0, err;

	for (i = 0; i < o->nmods; i++) {
		const struct hvctl_module_opt *m = &o->mods[i];

		memcpy(path, m->path, m->path_len);
		path[m->path_len] = '\0';
		ret = read_file(ctx, path, o->mem, &bufs[i], &mods[i].len);
		if (ret)
			goto out;
		mods[i].data = bufs[i];
		mods[i].string = m->string;
	}
	err = hv_load_multiboot(vm, img, len, o->cmdline ? o->cmdline : "",
				mods, o->nmods, &li, &lerr);
	if (err) {
		ret = hvctl_fail(ctx, "%s: %s", o->multiboot,
				 lerr.msg[0] ? lerr.msg : hv_strerror(err));
		goto out;
	}
	err = hv_vcpu_setup_multiboot(bsp, vm, &li);
	if (err)
		ret = hvctl_fail(ctx, "cannot set up vCPU 0: %s",
				 hv_strerror(err));
out:
	for (i = 0; i < o->nmods; i++)
		free(bufs[i]);
	return ret;
}

static int load_image(const char *ctx, const struct hvctl_create_opts *o,
		      struct hv_vm *vm, struct hv_vcpu *bsp)
{
	const char *path = o->image ? o->image : o->multiboot;
	void *img;
	size_t len;
	int ret;

	ret = read_file(ctx, path, o->mem, &img, &len);
	if (ret)
		return ret;
	if (o->multiboot)
		ret = load_multiboot(ctx, o, vm, bsp, img, len);
	else if (len >= 4 && !memcmp(img, "\177ELF", 4))
		ret = load_elf(ctx, o, vm, bsp, img, len);
	else
		ret = load_flat(ctx, o, vm, bsp, img, len);
	free(img);
	return ret;
}

/* hv_vm_create's errors; EBUSY and co. are about the hardware here. */
static int create_fail(const char *ctx, struct hv *hv, int err)
{
	char why[160];

	switch (-err) {
	case ENOMEM:
		if (hvctl_nomem_why(hv, 0, 1, why, sizeof(why)))
			return hvctl_fail(ctx, "%s", why);
		break;
	case EEXIST:
		return hvctl_fail(ctx, "name already in use");
	case EINVAL:
		return hvctl_fail(ctx, "the module refused the name or flags");
	case EOPNOTSUPP:
		return hvctl_fail(ctx, "this CPU lacks EPT/NPT or unrestricted "
				  "guest, which hv needs (see hvctl info)");
	}
	return hvctl_fail_errno(ctx, "cannot create the VM", err);
}

int hvctl_vm_build(const char *ctx, struct hv *hv,
		   const struct hvctl_create_opts *o, uint32_t flags,
		   struct hv_vm **out)
{
	struct hv_vcpu *vcpus[HV_MAX_VCPUS] = { NULL };
	struct hv_vm *vm;
	char mem[24];
	unsigned int i;
	int ret = 0, err;

	*out = NULL;
	err = hv_vm_create(hv, o->name, flags, &vm);
	if (err)
		return create_fail(ctx, hv, err);

	err = hv_vm_add_ram(vm, 0, o->mem);
	if (err == -ENOMEM) {
		char why[160];

		if (hvctl_nomem_why(hv, o->mem, 0, why, sizeof(why))) {
			ret = hvctl_fail(ctx, "%s", why);
			goto fail;
		}
	}
	if (err) {
		ret = hvctl_fail(ctx, "cannot add %s of RAM: %s",
				 hvctl_format_size(o->mem, mem, sizeof(mem)),
				 hv_strerror(err));
		goto fail;
	}
	for (i = 0; i < o->vcpus; i++) {
		err = hv_vcpu_create(vm, i, &vcpus[i]);
		if (err) {
			ret = hvctl_fail(ctx, "cannot create vCPU %u: %s", i,
					 hv_strerror(err));
			goto fail;
		}
	}
	if (o->image || o->multiboot) {
		ret = load_image(ctx, o, vm, vcpus[0]);
		if (ret)
			goto fail;
	}
	/* The vCPUs belong to the VM; these were only handles. */
	for (i = 0; i < o->vcpus; i++)
		hv_vcpu_close(vcpus[i]);
	*out = vm;
	return HVCTL_EXIT_OK;

fail:
	for (i = 0; i < o->vcpus; i++)
		hv_vcpu_close(vcpus[i]);
	/* Never started, so no --force needed; the name is free again. */
	hv_vm_destroy(vm);
	return ret;
}

int hvctl_cmd_create(int argc, char **argv)
{
	struct hvctl_create_opts o;
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm *vm;
	struct hv *hv;
	int ret;

	ret = hvctl_create_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	hvctl_ctx(ctx, sizeof(ctx), argv[0], o.name);
	ret = hvctl_open(ctx, &hv);
	if (ret)
		return ret;
	ret = hvctl_vm_build(ctx, hv, &o, 0, &vm);
	if (!ret)
		hv_vm_close(vm);
	hv_close(hv);
	return ret;
}
