// SPDX-License-Identifier: GPL-2.0
/*
 * as-user: run a command as another user (the initramfs has no su).
 *
 *   as-user UID CMD ARGS...
 *
 * Drops the supplementary groups, sets the real, effective and saved gid
 * and uid to UID, and execs CMD (searched in PATH).  Exit status 126 if
 * any of that fails, with one line on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long id;

	if (argc < 3) {
		fprintf(stderr, "usage: as-user UID CMD ARGS...\n");
		return 2;
	}
	errno = 0;
	id = strtoul(argv[1], &end, 10);
	if (errno || *end || end == argv[1] || id == 0 || id > 65535) {
		fprintf(stderr, "as-user: bad uid '%s'\n", argv[1]);
		return 2;
	}
	if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id)) {
		fprintf(stderr, "as-user: cannot become uid %lu: %s\n", id,
			strerror(errno));
		return 126;
	}
	if (geteuid() != id || getuid() != id) {
		fprintf(stderr, "as-user: still uid %u after setresuid\n", geteuid());
		return 126;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "as-user: %s: %s\n", argv[2], strerror(errno));
	return 126;
}
