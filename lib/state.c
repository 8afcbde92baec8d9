// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: vCPU and device state, the RAM list, dirty-page logging and
 * clones (include/uapi/hv.h, API 2).  Thin wrappers: the checks are the
 * kernel's.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libhv.h"
#include "internal.h"

static int vm_ioctl(struct hv_vm *vm, unsigned long req, void *arg)
{
	if (!vm)
		return -EBADF;
	if (!arg)
		return -EINVAL;
	return ioctl(hv_vm_fd(vm), req, arg) < 0 ? -errno : 0;
}

int hv_vm_get_vcpu_state(struct hv_vm *vm, uint32_t id,
			 struct hv_vcpu_state *state)
{
	if (!state)
		return -EINVAL;
	memset(state, 0, sizeof(*state));
	state->vcpu_id = id;
	return vm_ioctl(vm, HV_VM_GET_VCPU_STATE, state);
}

int hv_vm_set_vcpu_state(struct hv_vm *vm, const struct hv_vcpu_state *state)
{
	return vm_ioctl(vm, HV_VM_SET_VCPU_STATE, (void *)state);
}

int hv_vm_get_device_state(struct hv_vm *vm, struct hv_device_state *state)
{
	if (state)
		memset(state, 0, sizeof(*state));
	return vm_ioctl(vm, HV_VM_GET_DEVICE_STATE, state);
}

int hv_vm_set_device_state(struct hv_vm *vm,
			   const struct hv_device_state *state)
{
	return vm_ioctl(vm, HV_VM_SET_DEVICE_STATE, (void *)state);
}

int hv_vm_get_ram(struct hv_vm *vm, struct hv_ram_region *regions,
		  size_t *n)
{
	struct hv_ram_list list;
	int err;

	if (!regions || !n)
		return -EINVAL;
	memset(&list, 0, sizeof(list));
	err = vm_ioctl(vm, HV_VM_GET_RAM, &list);
	if (err)
		return err;
	if (list.count > HV_MAX_REGIONS)
		return -EOVERFLOW;
	memcpy(regions, list.regions, list.count * sizeof(*regions));
	*n = list.count;
	return 0;
}

int hv_vm_dirty_log(struct hv_vm *vm, uint64_t gpa, bool enable)
{
	struct hv_dirty_log log;

	memset(&log, 0, sizeof(log));
	log.gpa = gpa;
	log.flags = enable ? HV_DIRTY_LOG_ENABLE : 0;
	return vm_ioctl(vm, HV_VM_SET_DIRTY_LOG, &log);
}

int hv_vm_get_dirty_log(struct hv_vm *vm, uint64_t gpa, uint64_t *bitmap)
{
	struct hv_dirty_log log;

	if (!bitmap)
		return -EINVAL;
	memset(&log, 0, sizeof(log));
	log.gpa = gpa;
	log.bitmap = (uintptr_t)bitmap;
	return vm_ioctl(vm, HV_VM_GET_DIRTY_LOG, &log);
}

int hv_vm_clone(struct hv_vm *vm, const char *name, uint32_t flags,
		struct hv_vm **out)
{
	return hv_vm_clone_how(vm, name, flags, 0, out);
}

/* HV_VM_CLONE with HV_CLONE_* @how (lib/internal.h) */
int hv_vm_clone_how(struct hv_vm *vm, const char *name, uint32_t flags,
		    uint32_t how, struct hv_vm **out)
{
	struct hv_vm_clone args;
	size_t len;
	int fd;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!vm)
		return -EBADF;
	len = name ? strlen(name) : 0;
	if (len == 0 || len >= HV_NAME_LEN)
		return -EINVAL;
	memset(&args, 0, sizeof(args));
	memcpy(args.name, name, len);
	args.flags = flags;
	args.how = how;
	fd = ioctl(hv_vm_fd(vm), HV_VM_CLONE, &args);
	if (fd < 0)
		return -errno;
	return hv_vm_from_fd(fd, name, out);
}
