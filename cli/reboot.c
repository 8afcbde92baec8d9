// SPDX-License-Identifier: GPL-2.0
/*
 * --on-reboot restart: what a PC's reset does, done from userspace, as
 * bhyve's vmrun.sh and every KVM VMM do it (the kernel has no firmware
 * to run at the reset vector).
 *
 * When a guest resets the machine (port 0xcf9, the 8042's pulse, the
 * FADT's reset register), hv stops the VM with reason "reboot".  A
 * restart then puts back the machine as hvctl built it:
 *  - RAM zeroed and the image loaded again, as at create time;
 *  - every vCPU and the chipset (PIC, IOAPIC, PIT, UART, PM) in the
 *    state captured right after the build, before the first start;
 *  - the CMOS/RTC as it is now: a PC's clock and NVRAM live through a
 *    reset (the captured clock would put the guest's time back);
 * and starts the VM again.
 *
 * `hvctl run` does this itself when its console pump sees the stop.  A
 * VM made by `hvctl create` outlives hvctl, so create leaves a small
 * supervisor process behind (double fork, no terminal) that waits for
 * the VM's "stopped" events and restarts it, and exits when the VM is
 * destroyed (or a restart fails: the VM then stays stopped, reason
 * reboot, as with --on-reboot stop).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvctl.h"

#define SUPERVISE_POLL_MS	1000	/* events can be lost: look anyway */

struct hvctl_reboot {
	unsigned int nvcpus;
	struct hv_vcpu_state vcpu[HV_MAX_VCPUS];
	struct hv_device_state dev;
};

int hvctl_reboot_capture(const char *ctx, struct hv_vm *vm,
			 unsigned int nvcpus, struct hvctl_reboot **out)
{
	struct hvctl_reboot *r;
	unsigned int i;
	int err;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return hvctl_fail(ctx, "out of memory");
	r->nvcpus = nvcpus;
	for (i = 0; i < nvcpus; i++) {
		err = hv_vm_get_vcpu_state(vm, i, &r->vcpu[i]);
		if (err)
			goto fail;
	}
	err = hv_vm_get_device_state(vm, &r->dev);
	if (err)
		goto fail;
	*out = r;
	return HVCTL_EXIT_OK;
fail:
	free(r);
	return hvctl_fail(ctx, "cannot read the boot state for "
			  "--on-reboot restart: %s", hv_strerror(err));
}

void hvctl_reboot_free(struct hvctl_reboot *r)
{
	free(r);
}

int hvctl_reboot(const char *ctx, struct hv_vm *vm,
		 const struct hvctl_create_opts *o,
		 const struct hvctl_reboot *r)
{
	struct hv_device_state now, dev;
	struct hv_vcpu *bsp;
	void *ram;
	unsigned int i;
	int err, ret;

	ram = hv_vm_gpa_ptr(vm, 0, o->mem);
	if (!ram)
		return hvctl_fail(ctx, "reboot: the VM's RAM is not mapped");
	/* The clock and NVRAM go on; everything else is as built */
	err = hv_vm_get_device_state(vm, &now);
	if (err)
		goto fail;
	dev = r->dev;
	dev.rtc = now.rtc;

	memset(ram, 0, o->mem);
	err = hv_vcpu_open(vm, 0, &bsp);
	if (err)
		goto fail;
	ret = hvctl_vm_load(ctx, o, vm, bsp);
	hv_vcpu_close(bsp);
	if (ret)
		return ret;
	for (i = 0; i < r->nvcpus; i++) {
		err = hv_vm_set_vcpu_state(vm, &r->vcpu[i]);
		if (err)
			goto fail;
	}
	err = hv_vm_set_device_state(vm, &dev);
	if (err)
		goto fail;
	return HVCTL_EXIT_OK;
fail:
	return hvctl_fail(ctx, "reboot: %s", hv_strerror(err));
}

/* Restart @vm if it stopped for a reset; <0 when the supervisor should end */
static int supervise_check(const char *ctx, struct hv_vm *vm,
			   const struct hvctl_create_opts *o,
			   const struct hvctl_reboot *r)
{
	struct hv_vm_info info;
	int err;

	err = hv_vm_info(vm, &info);
	if (err || info.state == HV_VM_STATE_DESTROYED)
		return -1;
	if (info.state != HV_VM_STATE_STOPPED ||
	    info.stop_reason != HV_STOP_REBOOT)
		return 0;
	if (hvctl_reboot(ctx, vm, o, r) || hv_vm_start(vm))
		return -1;
	return 0;
}

/* The supervisor's life: until the VM is gone or a restart fails. */
static void supervise(const char *ctx, struct hv_vm *vm,
		      const struct hvctl_create_opts *o,
		      const struct hvctl_reboot *r)
{
	struct hv_events *ev = NULL;
	struct hv_event e;
	struct pollfd p;
	int got;

	/* Without events (no family?) the periodic look still works */
	if (hv_events_open(&ev))
		ev = NULL;
	for (;;) {
		if (supervise_check(ctx, vm, o, r) < 0)
			break;
		if (!ev) {
			poll(NULL, 0, SUPERVISE_POLL_MS);
			continue;
		}
		p.fd = hv_events_fd(ev);
		p.events = POLLIN;
		if (poll(&p, 1, SUPERVISE_POLL_MS) <= 0)
			continue;
		/*
		 * Drain; the VM's own state decides, not the events.  A
		 * socket that fails otherwise would spin: look periodically
		 * instead.
		 */
		do {
			got = hv_events_next(ev, &e, 0);
		} while (!got || got == -ENOBUFS || got == -EINTR);
		if (got != -ETIMEDOUT) {
			hv_events_close(ev);
			ev = NULL;
		}
	}
	hv_events_close(ev);
}

int hvctl_reboot_supervise(const char *ctx, struct hv_vm *vm,
			   const struct hvctl_create_opts *o,
			   const struct hvctl_reboot *r)
{
	pid_t pid;
	int status, fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return hvctl_fail(ctx, "cannot start the reboot supervisor: %s",
				  strerror(errno));
	if (pid > 0) {
		/* The child forks the supervisor and ends at once */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			return hvctl_fail(ctx, "cannot start the reboot "
					  "supervisor");
		return HVCTL_EXIT_OK;
	}
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	/* No terminal, no cwd held; errors have nowhere to go */
	if (chdir("/"))
		_exit(1);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	supervise(ctx, vm, o, r);
	_exit(0);
}
