// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: managed VMs, whose vCPUs the module runs on its own threads
 * (include/uapi/hv.h, "Managed mode"): start, stop, pause, resume, the
 * console, and the names of states and stop reasons.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <time.h>

#include "libhv.h"
#include "internal.h"

static int hv_vm_ioctl0(struct hv_vm *vm, unsigned long req)
{
	if (!vm)
		return -EBADF;
	return ioctl(hv_vm_fd(vm), req, 0UL) < 0 ? -errno : 0;
}

int hv_vm_start(struct hv_vm *vm)
{
	return hv_vm_ioctl0(vm, HV_VM_START);
}

int hv_vm_stop(struct hv_vm *vm)
{
	return hv_vm_ioctl0(vm, HV_VM_STOP);
}

int hv_vm_pause(struct hv_vm *vm)
{
	return hv_vm_ioctl0(vm, HV_VM_PAUSE);
}

int hv_vm_resume(struct hv_vm *vm)
{
	return hv_vm_ioctl0(vm, HV_VM_RESUME);
}

int hv_vm_destroy_force(struct hv_vm *vm)
{
	int err;

	if (!vm)
		return -EBADF;
	err = ioctl(hv_vm_fd(vm), HV_VM_DESTROY,
		    (unsigned long)HV_DESTROY_FORCE) < 0 ? -errno : 0;
	hv_vm_close(vm);
	return err;
}

int hv_vm_console_open(struct hv_vm *vm, bool nonblock)
{
	int fd;

	if (!vm)
		return -EBADF;
	fd = ioctl(hv_vm_fd(vm), HV_VM_OPEN_CONSOLE,
		   nonblock ? (unsigned long)O_NONBLOCK : 0UL);
	return fd < 0 ? -errno : fd;
}

static int hv_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	return nanosleep(&ts, NULL) < 0 ? -errno : 0;
}

#define HV_WAIT_POLL_MS	10

int hv_vm_wait_stopped(struct hv_vm *vm, int timeout_ms,
		       struct hv_vm_info *out)
{
	int64_t deadline = hv_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct hv_vm_info info;
	int64_t left;
	int err;

	if (!vm)
		return -EBADF;
	for (;;) {
		err = hv_vm_info(vm, &info);
		if (err)
			return err;
		if (info.state != HV_VM_STATE_RUNNING &&
		    info.state != HV_VM_STATE_PAUSED) {
			if (out)
				*out = info;
			return 0;
		}
		left = HV_WAIT_POLL_MS;
		if (timeout_ms >= 0) {
			left = deadline - hv_monotonic_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			if (left > HV_WAIT_POLL_MS)
				left = HV_WAIT_POLL_MS;
		}
		err = hv_sleep_ms((long)left);
		if (err)
			return err;
	}
}

const char *hv_vm_state_name(uint32_t state)
{
	switch (state) {
	case HV_VM_STATE_CREATED:	return "created";
	case HV_VM_STATE_RUNNING:	return "running";
	case HV_VM_STATE_DESTROYED:	return "destroyed";
	case HV_VM_STATE_PAUSED:	return "paused";
	case HV_VM_STATE_STOPPED:	return "stopped";
	}
	return "unknown";
}

const char *hv_stop_reason_name(uint32_t reason)
{
	switch (reason) {
	case HV_STOP_NONE:		return "none";
	case HV_STOP_HALTED:		return "halted";
	case HV_STOP_DEBUG_EXIT:	return "debug-exit";
	case HV_STOP_TRIPLE_FAULT:	return "triple-fault";
	case HV_STOP_ENTRY_FAILURE:	return "entry-failure";
	case HV_STOP_REQUESTED:		return "stopped";
	case HV_STOP_DESTROYED:		return "destroyed";
	case HV_STOP_POWER_OFF:		return "power-off";
	case HV_STOP_INTERNAL_ERROR:	return "internal-error";
	case HV_STOP_REBOOT:		return "reboot";
	case HV_STOP_LAZY_FAILED:	return "lazy-failed";
	}
	return "unknown";
}
