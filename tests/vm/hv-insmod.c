// SPDX-License-Identifier: GPL-2.0
/*
 * hv-insmod: load a kernel module with exactly one finit_module() call.
 * Built static for the test initramfs; used by tests/vm/cases.sh.
 *
 *   hv-insmod FILE [PARAMS]
 *
 * busybox insmod retries with init_module() when finit_module() fails,
 * so a module that refuses to load runs its init twice and logs its
 * refusal twice; the tests count that line, so they load with this.
 * Exit status 0 if the module loaded, 1 if not (the errno is printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: hv-insmod FILE [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("hv-insmod: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, argc == 3 ? argv[2] : "", 0) != 0) {
		printf("hv-insmod: %s: finit_module: %s (errno %d)\n", argv[1],
		       strerror(errno), errno);
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}
