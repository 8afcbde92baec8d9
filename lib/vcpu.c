// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: vCPU handles.  A handle is the vCPU fd plus its run area (the
 * fd mmap'd at offset 0), where the kernel leaves each exit record.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhv.h"

struct hv_vcpu {
	int fd;
	uint32_t id;
	struct hv_run *run;
};

/* A handle for vCPU fd @fd (or -errno): map its run area. */
static int vcpu_handle(int fd, uint32_t id, struct hv_vcpu **out)
{
	struct hv_vcpu *vcpu;
	void *run;
	int err;

	if (fd < 0)
		return -errno;
	run = mmap(NULL, HV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		   0);
	if (run == MAP_FAILED) {
		err = -errno;
		goto out_close;
	}
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu) {
		err = -ENOMEM;
		goto out_unmap;
	}
	vcpu->fd = fd;
	vcpu->id = id;
	vcpu->run = run;
	*out = vcpu;
	return 0;

out_unmap:
	munmap(run, HV_RUN_SIZE);
out_close:
	close(fd);
	return err;
}

int hv_vcpu_create(struct hv_vm *vm, uint32_t id, struct hv_vcpu **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!vm)
		return -EBADF;
	return vcpu_handle(ioctl(hv_vm_fd(vm), HV_VM_CREATE_VCPU,
				 (unsigned long)id), id, out);
}

int hv_vcpu_open(struct hv_vm *vm, uint32_t id, struct hv_vcpu **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!vm)
		return -EBADF;
	return vcpu_handle(ioctl(hv_vm_fd(vm), HV_VM_OPEN_VCPU,
				 (unsigned long)id), id, out);
}

void hv_vcpu_close(struct hv_vcpu *vcpu)
{
	if (!vcpu)
		return;
	munmap(vcpu->run, HV_RUN_SIZE);
	close(vcpu->fd);
	free(vcpu);
}

int hv_vcpu_fd(const struct hv_vcpu *vcpu)
{
	return vcpu ? vcpu->fd : -EBADF;
}

uint32_t hv_vcpu_id(const struct hv_vcpu *vcpu)
{
	return vcpu ? vcpu->id : UINT32_MAX;
}

struct hv_run *hv_vcpu_run_area(struct hv_vcpu *vcpu)
{
	return vcpu ? vcpu->run : NULL;
}

/* ioctl() with the library's error convention. */
static int hv_vcpu_ioctl(struct hv_vcpu *vcpu, unsigned long req,
			 const void *arg)
{
	if (!vcpu)
		return -EBADF;
	return ioctl(vcpu->fd, req, arg) < 0 ? -errno : 0;
}

int hv_vcpu_run(struct hv_vcpu *vcpu)
{
	return hv_vcpu_ioctl(vcpu, HV_VCPU_RUN, NULL);
}

int hv_vcpu_get_regs(struct hv_vcpu *vcpu, struct hv_regs *regs)
{
	return regs ? hv_vcpu_ioctl(vcpu, HV_VCPU_GET_REGS, regs) : -EINVAL;
}

int hv_vcpu_set_regs(struct hv_vcpu *vcpu, const struct hv_regs *regs)
{
	return regs ? hv_vcpu_ioctl(vcpu, HV_VCPU_SET_REGS, regs) : -EINVAL;
}

int hv_vcpu_get_sregs(struct hv_vcpu *vcpu, struct hv_sregs *sregs)
{
	return sregs ? hv_vcpu_ioctl(vcpu, HV_VCPU_GET_SREGS, sregs) : -EINVAL;
}

int hv_vcpu_set_sregs(struct hv_vcpu *vcpu, const struct hv_sregs *sregs)
{
	return sregs ? hv_vcpu_ioctl(vcpu, HV_VCPU_SET_SREGS, sregs) : -EINVAL;
}

int hv_vcpu_get_cpuid(struct hv_vcpu *vcpu, struct hv_cpuid *cpuid)
{
	return cpuid ? hv_vcpu_ioctl(vcpu, HV_VCPU_GET_CPUID, cpuid) : -EINVAL;
}

int hv_vcpu_set_cpuid(struct hv_vcpu *vcpu, const struct hv_cpuid *cpuid)
{
	if (!cpuid)
		return -EINVAL;
	if (cpuid->nent > HV_CPUID_MAX_ENTRIES)
		return -EINVAL;
	return hv_vcpu_ioctl(vcpu, HV_VCPU_SET_CPUID, cpuid);
}

int hv_vcpu_get_mp_state(struct hv_vcpu *vcpu, uint32_t *state)
{
	struct hv_mp_state mp = { 0 };
	int err;

	if (!state)
		return -EINVAL;
	err = hv_vcpu_ioctl(vcpu, HV_VCPU_GET_MP_STATE, &mp);
	if (!err)
		*state = mp.state;
	return err;
}

int hv_vcpu_set_mp_state(struct hv_vcpu *vcpu, uint32_t state)
{
	struct hv_mp_state mp = { .state = state };

	return hv_vcpu_ioctl(vcpu, HV_VCPU_SET_MP_STATE, &mp);
}

int hv_vcpu_set_guest_debug(struct hv_vcpu *vcpu,
			    const struct hv_guest_debug *dbg)
{
	if (!dbg)
		return -EINVAL;
	return hv_vcpu_ioctl(vcpu, HV_VCPU_SET_GUEST_DEBUG, dbg);
}
