/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshot files as lib/snap/snapshot.c and lib/snap/restore.c share
 * them: a file mapped and checked, and a file with the bases under it.
 */
#ifndef LIBHV_SNAPIO_H
#define LIBHV_SNAPIO_H

#include <limits.h>

#include "snapfile.h"

/* How often the progress callbacks run: every 4 MiB of guest RAM. */
#define PROGRESS_STEP	(4ULL << 20)

#pragma GCC visibility push(hidden)

struct loaded {
	const uint8_t *buf;
	size_t len;
	bool mapped;
	struct snap_file f;
	char label[PATH_MAX];
};

/* A file and the bases under it: c->l[0] the file, c->l[n - 1] full. */
struct chain {
	struct loaded l[SNAP_MAX_CHAIN + 1];
	int n;
};

/*
 * Map and check @path and every base under it (ids, layouts, at most
 * SNAP_MAX_CHAIN increments): 0 with c->l[0 .. n) valid, else an errno
 * with one line in @err and nothing left mapped.
 */
int snap_load_chain(struct chain *c, const char *path, char *err,
		    size_t errlen);
void snap_unload_chain(struct chain *c);

/* "%s", printf-style, into @err; returns @ret. */
int snap_seterr(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#pragma GCC visibility pop

#endif /* LIBHV_SNAPIO_H */
