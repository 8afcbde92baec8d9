// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl create, and the VM building that `hvctl run` shares with it:
 * RAM at GPA 0, vCPUs, an image loaded and vCPU 0 set up to enter it.
 *
 * Where an image starts (documented in hvctl(1)) is libhv's
 * hv_boot_image() (lib/boot/boot.c): a flat binary at 0x1000 in real
 * mode, ELF32/ELF64 in protected/long mode with the scratch area and
 * stack in the top 48K of RAM below 4 GiB, Multiboot v1 as GRUB leaves
 * it; Linux (--kernel, --initrd) is hv_boot_linux() (lib/boot/linux.c).
 * This file parses the options and words the errors.
 *
 * Other vCPUs keep their reset state: they wait for a start-up IPI.
 *
 * A failure at any step destroys the half-made VM: nothing is left.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"

enum {
	OPT_HELP = HVCTL_OPT_HELP, OPT_MEM, OPT_VCPUS, OPT_IMAGE, OPT_MULTIBOOT,
	OPT_MODULE, OPT_CMDLINE, OPT_KERNEL, OPT_INITRD, OPT_ON_REBOOT,
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
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "on-reboot", required_argument, NULL, OPT_ON_REBOOT },
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
		case OPT_KERNEL:
			if (o->image || o->multiboot || o->kernel)
				return hvctl_usage_error(cmd, "one image only "
					"(--image, --multiboot or --kernel, "
					"once)");
			if (c == OPT_IMAGE)
				o->image = optarg;
			else if (c == OPT_MULTIBOOT)
				o->multiboot = optarg;
			else
				o->kernel = optarg;
			break;
		case OPT_INITRD:
			if (o->initrd)
				return hvctl_usage_error(cmd, "one --initrd "
					"only");
			o->initrd = optarg;
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
		case OPT_ON_REBOOT:
			if (!strcmp(optarg, "restart"))
				o->restart = true;
			else if (strcmp(optarg, "stop"))
				return hvctl_usage_error(cmd, "--on-reboot %s: "
					"not restart or stop", optarg);
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
	if (!o->multiboot && !o->kernel && o->cmdline)
		return hvctl_usage_error(cmd, "--cmdline needs --multiboot or "
					 "--kernel");
	if (!o->kernel && o->initrd)
		return hvctl_usage_error(cmd, "--initrd needs --kernel");
	return -1;
}

/*
 * hv_boot_image() on vCPU 0.  Its messages name the file; where more RAM
 * would help (-ENOSPC), the way to ask for it is ours to add.
 */
static int boot_image(const char *ctx, const struct hvctl_create_opts *o,
		      struct hv_vm *vm, struct hv_vcpu *bsp)
{
	struct hv_boot_module mods[HVCTL_MAX_MODULES];
	struct hv_boot_opts bo = {
		.path = o->image ? o->image : o->multiboot,
		.multiboot = o->multiboot != NULL,
		.cmdline = o->cmdline,
		.mods = mods,
		.nmods = o->nmods,
	};
	struct hv_boot_info info;
	char msg[PATH_MAX + 256], mem[24];
	size_t i;
	int err;

	/* --module FILE,STRING: the file name is not NUL-terminated. */
	for (i = 0; i < o->nmods; i++) {
		mods[i].path = strndup(o->mods[i].path, o->mods[i].path_len);
		mods[i].string = o->mods[i].string;
		if (!mods[i].path) {
			bo.nmods = i;
			msg[0] = '\0';
			err = -ENOMEM;
			goto out;
		}
	}
	bo.err = msg;
	bo.errlen = sizeof(msg);
	err = hv_boot_image(vm, bsp, &bo, &info);
out:
	for (i = 0; i < bo.nmods; i++)
		free((char *)mods[i].path);
	if (!err)
		return 0;
	if (err == -ENOSPC && info.format == HV_BOOT_FLAT)
		return hvctl_fail(ctx, "%s (--mem %s)", msg,
				  hvctl_format_size(o->mem, mem, sizeof(mem)));
	if (err == -ENOSPC)
		return hvctl_fail(ctx, "%s: give more --mem", msg);
	return hvctl_fail(ctx, "%s", msg[0] ? msg : hv_strerror(err));
}

/*
 * hv_boot_linux() on vCPU 0, with ACPI tables for every vCPU.  Its
 * messages name the file.
 */
static int boot_linux(const char *ctx, const struct hvctl_create_opts *o,
		      struct hv_vm *vm, struct hv_vcpu *bsp)
{
	char msg[PATH_MAX + 256];
	struct hv_linux_boot b = {
		.kernel = o->kernel,
		.initrd = o->initrd,
		.cmdline = o->cmdline,
		.vcpus = o->vcpus,
		.err = msg,
		.errlen = sizeof(msg),
	};
	int err;

	msg[0] = '\0';
	err = hv_boot_linux(vm, bsp, &b, NULL);
	if (!err)
		return 0;
	if (err == -EFBIG)
		return hvctl_fail(ctx, "%s: give more --mem", msg);
	return hvctl_fail(ctx, "%s", msg[0] ? msg : hv_strerror(err));
}

int hvctl_vm_load(const char *ctx, const struct hvctl_create_opts *o,
		  struct hv_vm *vm, struct hv_vcpu *bsp)
{
	if (o->image || o->multiboot)
		return boot_image(ctx, o, vm, bsp);
	if (o->kernel)
		return boot_linux(ctx, o, vm, bsp);
	return HVCTL_EXIT_OK;
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
	ret = hvctl_vm_load(ctx, o, vm, vcpus[0]);
	if (ret)
		goto fail;
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
	if (ret)
		goto out;
	if (o.restart) {
		struct hvctl_reboot *r;

		ret = hvctl_reboot_capture(ctx, vm, o.vcpus, &r);
		if (!ret)
			ret = hvctl_reboot_supervise(ctx, vm, &o, r);
		hvctl_reboot_free(r);
		if (ret) {
			hv_vm_destroy(vm);	/* nothing is left */
			goto out;
		}
	}
	hv_vm_close(vm);
out:
	hv_close(hv);
	return ret;
}
