// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: lazy RAM (API 9; "Lazy RAM" in include/uapi/hv.h).  A restore
 * that starts the guest before its memory is read opens the VM's filler
 * fd, adds its regions absent (hv_vm_add_ram_lazy(), lib/vm.c), and
 * fills pages as vCPUs wait for them and in the background.  The calls
 * on the filler fd are here.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libhv.h"

int hv_vm_open_lazy(struct hv_vm *vm)
{
	int fd;

	if (!vm)
		return -EBADF;
	fd = ioctl(hv_vm_fd(vm), HV_VM_OPEN_LAZY, 0UL);
	return fd < 0 ? -errno : fd;
}

int hv_lazy_fill(int fd, uint64_t gpa, const void *data, uint64_t size,
		 uint64_t *filled, uint64_t *absent)
{
	struct hv_lazy_fill f;

	if (fd < 0)
		return -EBADF;
	if (!data || !size || size > HV_LAZY_FILL_MAX || (gpa | size) & 0xfff)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.gpa = gpa;
	f.size = size;
	f.data = (uintptr_t)data;
	if (ioctl(fd, HV_LAZY_FILL, &f) < 0)
		return -errno;
	if (filled)
		*filled = f.filled;
	if (absent)
		*absent = f.absent;
	return 0;
}

int hv_lazy_wait(int fd, bool nowait, uint64_t *gpa, uint64_t *absent)
{
	struct hv_lazy_wait w;

	if (fd < 0)
		return -EBADF;
	if (!gpa)
		return -EINVAL;
	memset(&w, 0, sizeof(w));
	w.flags = nowait ? HV_LAZY_NOWAIT : 0;
	if (ioctl(fd, HV_LAZY_WAIT, &w) < 0)
		return -errno;
	*gpa = w.gpa;
	if (absent)
		*absent = w.absent;
	return 0;
}

int hv_lazy_fail(int fd, uint64_t gpa)
{
	struct hv_lazy_fail f;

	if (fd < 0)
		return -EBADF;
	memset(&f, 0, sizeof(f));
	f.gpa = gpa;
	return ioctl(fd, HV_LAZY_FAIL, &f) < 0 ? -errno : 0;
}
