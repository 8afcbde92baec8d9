// SPDX-License-Identifier: GPL-2.0
/*
 * hv-carryout: hand a file out of the emulated amd machine through QEMU's
 * isa-debugcon (I/O port 0xe9; tests/rig/boot-vm gives the amd machines
 * "-debugcon file:LOG.carry"), in binary: what tests/rig/carry passes as
 * base64 on the serial console is too slow for tens of megabytes.
 *
 *   hv-carryout FILE SHA256
 *
 * writes to the port
 *
 *   "\nHVTEST-CARRYBIN-BEGIN NAME SIZE SHA256\n"  FILE's SIZE bytes
 *   "\nHVTEST-CARRYBIN-END NAME\n"
 *
 * (NAME: FILE's base name; SHA256: as sha256sum prints it, computed by
 * the caller). `tests/rig/carry extract` cuts each file out of that
 * stream and keeps it only if its SHA-256 matches. Exit status 0, or 1
 * with one line on stderr (no debug console: port 0xe9 reads back 0xe9
 * on QEMU's isa-debugcon, 0xff where nothing answers).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEBUGCON 0xe9

static void die(const char *what)
{
	fprintf(stderr, "hv-carryout: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

/* rep outsb: one exit to the emulator per byte, but no system call. */
static void out(const void *p, size_t n)
{
	asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(DEBUGCON) : "memory");
}

static void outs(const char *s)
{
	out(s, strlen(s));
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	const char *name, *sum;
	char hdr[512];
	struct stat st;
	long long left;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: hv-carryout FILE SHA256\n");
		return 2;
	}
	sum = argv[2];
	for (i = 0; sum[i]; i++)
		if (!strchr("0123456789abcdef", sum[i]))
			break;
	if (i != 64 || sum[i]) {
		fprintf(stderr, "hv-carryout: '%s' is not a SHA-256 in hex\n", sum);
		return 1;
	}
	name = strrchr(argv[1], '/');
	name = name ? name + 1 : argv[1];
	if (!*name || *name == '.' || strpbrk(name, " \t\n") || strlen(name) > 200) {
		fprintf(stderr, "hv-carryout: '%s': bad name\n", name);
		return 1;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(argv[1]);
	if (iopl(3))
		die("iopl(3)");
	errno = 0;
	if (inb(DEBUGCON) != DEBUGCON)
		die("no debug console at port 0xe9 (QEMU -debugcon)");

	snprintf(hdr, sizeof(hdr), "\nHVTEST-CARRYBIN-BEGIN %s %lld %s\n",
		 name, (long long)st.st_size, sum);
	outs(hdr);
	for (left = st.st_size; left > 0; ) {
		ssize_t n = read(fd, buf, left < (long long)sizeof(buf) ? left : (long long)sizeof(buf));

		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			die(argv[1]);
		}
		out(buf, n);
		left -= n;
	}
	snprintf(hdr, sizeof(hdr), "\nHVTEST-CARRYBIN-END %s\n", name);
	outs(hdr);
	close(fd);
	return 0;
}
