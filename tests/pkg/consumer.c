// SPDX-License-Identifier: GPL-2.0
/*
 * consumer: a program built against the *installed* libhv (libhv-dev,
 * libhv0) with `pkg-config --cflags --libs libhv`, as a user's program
 * would be.  It runs the checks that need no /dev/hv: the headers compile
 * as installed, the shared library resolves, and its answers are right.
 * One line per check; exit status 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libhv.h>

static int failed, passed;

static void check(int ok, const char *what)
{
	printf("%s consumer/%s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

int main(void)
{
	char path[] = "/tmp/hv-consumer.XXXXXX", err[128] = "";
	struct hv_snapshot_info info;
	struct hv *hv = NULL;
	int fd, r;

	check(HV_API_VERSION >= 2 && HV_IOCTL_MAGIC == 0xC6, "uapi-header");
	check(strcmp(hv_vm_state_name(HV_VM_STATE_RUNNING), "running") == 0,
	      "state-name");
	check(strstr(hv_strerror(-ENOENT), "hv.ko") != NULL,
	      "strerror-worded-for-hv");

	/* A device that is not there: -ENOENT, and no handle. */
	setenv("HV_DEVICE", "/nonexistent/hv", 1);
	r = hv_open(&hv);
	check(r == -ENOENT && hv == NULL, "open-missing-device");
	check(strcmp(hv_device_path(), "/nonexistent/hv") == 0, "device-path");

	/* A file that is not an hv device: refused as one. */
	r = hv_open_path("/dev/null", &hv);
	check(r == -ENOTTY && hv == NULL, "open-not-hv");

	/* A snapshot check of a foreign file names what is wrong. */
	fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, "not a snapshot\n", 15) != 15)
			fd = -1;
		close(fd);
	}
	r = hv_snapshot_check(path, &info, err, sizeof(err));
	check(fd >= 0 && r < 0 && err[0] != '\0', "snapshot-check-foreign");
	unlink(path);

	printf("consumer: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
