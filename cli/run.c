// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl run: create, start, follow the console until the guest stops,
 * destroy; for scripts and CI as much as for people.
 *
 * The VM is created with HV_VM_DESTROY_ON_CLOSE, so it cannot outlive
 * hvctl even if hvctl is killed.  No terminal is needed: guest output
 * goes to stdout as it comes, stdin (if any) to the guest's UART.  The
 * exit status is the guest's result (hvctl_vm_result()): the debug-exit
 * status, 0 after HLT, power-off or reboot, 1 with a line naming the reason
 * otherwise; 1 after Ctrl-] (the VM is destroyed); 128 + N after signal
 * N (SIGINT, SIGTERM, SIGHUP).  With --on-reboot restart a guest's reset
 * boots the image again in the same VM (cli/reboot.c) and the console
 * goes on.
 */
#include <errno.h>
#include <unistd.h>

#include "hvctl.h"

int hvctl_cmd_run(int argc, char **argv)
{
	struct hvctl_create_opts o;
	enum hvctl_console_end end = HVCTL_CONSOLE_STOPPED;
	char ctx[HVCTL_CTX_LEN];
	struct hvctl_reboot *reboot = NULL;
	struct hv_vm_info info;
	struct hv_vm *vm;
	struct hv *hv;
	int ret, err, fd, sig = 0;

	ret = hvctl_create_parse(argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (!o.image && !o.multiboot && !o.kernel)
		return hvctl_usage_error(argv[0], "missing --image FILE, "
					 "--multiboot FILE or --kernel FILE");
	hvctl_ctx(ctx, sizeof(ctx), argv[0], o.name);
	ret = hvctl_open(ctx, &hv);
	if (ret)
		return ret;
	ret = hvctl_vm_build(ctx, hv, &o, HV_VM_DESTROY_ON_CLOSE, &vm);
	if (ret)
		goto out_hv;

	/* Before the start, so that not one byte of output is missed. */
	fd = hv_vm_console_open(vm, true);
	if (fd < 0) {
		ret = hvctl_fail(ctx, "cannot open the console: %s",
				 hv_strerror(fd));
		goto out_vm;
	}
	if (o.restart) {
		ret = hvctl_reboot_capture(ctx, vm, o.vcpus, &reboot);
		if (ret)
			goto out_fd;
	}
	err = hv_vm_start(vm);
	for (;;) {
		if (err) {
			ret = hvctl_vm_fail(ctx, hv, o.name, err);
			goto out_fd;
		}
		err = hvctl_console_pump(vm, fd, true, &end, &sig);
		if (err) {
			ret = hvctl_fail(ctx, "console: %s", hv_strerror(err));
			goto out_fd;
		}
		/* --on-reboot restart: a reset boots the image again */
		if (!reboot || end != HVCTL_CONSOLE_STOPPED ||
		    hv_vm_info(vm, &info) ||
		    info.state != HV_VM_STATE_STOPPED ||
		    info.stop_reason != HV_STOP_REBOOT)
			break;
		ret = hvctl_reboot(ctx, vm, &o, reboot);
		if (ret)
			goto out_fd;
		err = hv_vm_start(vm);
	}
	if (end == HVCTL_CONSOLE_DETACHED) {
		ret = hvctl_fail(ctx, "detached; VM destroyed");
	} else if (end == HVCTL_CONSOLE_SIGNAL) {
		hvctl_fail(ctx, "interrupted; VM destroyed");
		ret = 128 + sig;
	} else {
		err = hv_vm_info(vm, &info);
		if (err)
			ret = hvctl_fail(ctx, "cannot read the VM's state: %s",
					 hv_strerror(err));
		else
			ret = hvctl_vm_result(ctx, &info);
	}
out_fd:
	close(fd);
	hvctl_reboot_free(reboot);
out_vm:
	/* Stops it if it still runs; closes the handle either way. */
	hv_vm_destroy_force(vm);
out_hv:
	hv_close(hv);
	return ret;
}
