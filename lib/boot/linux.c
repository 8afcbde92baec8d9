// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: boot Linux (Documentation/arch/x86/boot.rst).  Stub: issue 14.
 */
#include <errno.h>

#include "libhv.h"

int hv_linux_layout(void *ram, uint64_t ram_size,
		    const struct hv_linux_opts *o, struct hv_linux_info *out)
{
	(void)ram; (void)ram_size; (void)o; (void)out;
	return -ENOSYS;
}

int hv_linux_setup_vcpu(struct hv_vcpu *vcpu, const struct hv_linux_info *info)
{
	(void)vcpu; (void)info;
	return -ENOSYS;
}

int hv_boot_linux(struct hv_vm *vm, struct hv_vcpu *bsp,
		  const struct hv_linux_boot *b, struct hv_linux_info *out)
{
	(void)vm; (void)bsp; (void)b; (void)out;
	return -ENOSYS;
}
