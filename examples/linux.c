// SPDX-License-Identifier: GPL-2.0
/*
 * Boot Linux with libhv: one call (hv_boot_linux()) lays out a bzImage,
 * its initramfs, command line, e820 map and ACPI tables in guest RAM and
 * sets up vCPU 0 at the 64-bit entry; the module then runs every vCPU
 * (managed mode) and this program copies the guest's serial console to
 * stdout and stdin to it, until the guest powers off.
 *
 *   make examples
 *   examples/linux /boot/vmlinuz-$(uname -r) initrd.img [VCPUS [CMDLINE]]
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libhv.h>

#define RAM_SIZE	(256ULL << 20)

static int die(const char *what, int err)
{
	fprintf(stderr, "linux: %s: %s\n", what, hv_strerror(err));
	return EXIT_FAILURE;
}

/* Console out to stdout, stdin in to the console, until the VM stops. */
static void pump(struct hv_vm *vm, int con)
{
	struct pollfd p[2] = {
		{ .fd = con, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			return;
		if (p[0].revents & POLLIN) {
			n = read(con, buf, sizeof(buf));
			if (n > 0 && write(STDOUT_FILENO, buf, n) < 0)
				return;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				p[1].fd = -1;	/* EOF: stop reading it */
			else if (write(con, buf, n) < 0)
				return;
		}
		/* Stopped: drain what is left, then go. */
		if (hv_vm_wait_stopped(vm, 0, NULL) == 0) {
			while ((n = read(con, buf, sizeof(buf))) > 0)
				if (write(STDOUT_FILENO, buf, n) < 0)
					break;
			return;
		}
	}
}

int main(int argc, char **argv)
{
	struct hv_vcpu *vcpus[HV_MAX_VCPUS] = { NULL };
	struct hv_linux_boot b = { 0 };
	struct hv_vm_info info;
	struct hv_vm *vm;
	struct hv *hv;
	char msg[512];
	unsigned int i, n = 1;
	int err, con, ret = EXIT_FAILURE;

	if (argc < 2) {
		fprintf(stderr, "usage: linux BZIMAGE [INITRD [VCPUS "
			"[CMDLINE]]]\n");
		return 2;
	}
	if (argc > 3)
		n = (unsigned int)strtoul(argv[3], NULL, 0);
	if (!n || n > HV_MAX_VCPUS) {
		fprintf(stderr, "linux: 1 to %d vCPUs\n", HV_MAX_VCPUS);
		return 2;
	}
	if ((err = hv_open(&hv)))
		return die("cannot open " HV_DEVICE_PATH, err);
	/* Gone with our last fd, whatever happens to this process. */
	if ((err = hv_vm_create(hv, "linux-example", HV_VM_DESTROY_ON_CLOSE,
				&vm))) {
		hv_close(hv);
		return die("cannot create the VM", err);
	}
	if ((err = hv_vm_add_ram(vm, 0, RAM_SIZE))) {
		die("cannot add RAM", err);
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((err = hv_vcpu_create(vm, i, &vcpus[i]))) {
			die("cannot create a vCPU", err);
			goto out;
		}

	/* The kernel, initramfs and command line: one call. */
	b.kernel = argv[1];
	b.initrd = argc > 2 && argv[2][0] ? argv[2] : NULL;
	b.cmdline = argc > 4 ? argv[4] : "console=ttyS0";
	b.vcpus = n;
	b.err = msg;
	b.errlen = sizeof(msg);
	if ((err = hv_boot_linux(vm, vcpus[0], &b, NULL))) {
		fprintf(stderr, "linux: %s\n", msg);
		goto out;
	}

	con = hv_vm_console_open(vm, true);
	if (con < 0) {
		die("cannot open the console", con);
		goto out;
	}
	if ((err = hv_vm_start(vm))) {
		die("cannot start", err);
		close(con);
		goto out;
	}
	pump(vm, con);
	close(con);
	if (!hv_vm_info(vm, &info)) {
		fprintf(stderr, "linux: stopped: %s\n",
			hv_stop_reason_name(info.stop_reason));
		if (info.stop_reason == HV_STOP_POWER_OFF)
			ret = EXIT_SUCCESS;
	}
out:
	for (i = 0; i < n; i++)
		hv_vcpu_close(vcpus[i]);
	hv_vm_destroy_force(vm);
	hv_close(hv);
	return ret;
}
