/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshot files as lib/snap/snapshot.c and lib/snap/restore.c share
 * them: a file mapped and checked, and a file with the bases under it.
 */
#ifndef LIBHV_SNAPIO_H
#define LIBHV_SNAPIO_H

#include <limits.h>

#include "libhv.h"
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
 * with one line in @err and nothing left mapped.  @lazy: their memory
 * sections are located by the files' indexes but not read
 * (snap_parse_index; -ENODATA for a file without one), for a lazy
 * restore (lib/snap/lazyrestore.c).
 */
int snap_load_chain(struct chain *c, const char *path, bool lazy, char *err,
		    size_t errlen);
void snap_unload_chain(struct chain *c);

/*
 * A live snapshot's instant (lib/snap/live.c): a clone of the VM that
 * stays as the VM was while the file is written from it.
 */
struct snap_frozen {
	struct hv_vm *clone;		/* NULL until made, and once dropped */
	bool cloned;			/* it was made (and may be gone) */
	char name[HV_NAME_LEN];		/* its name, NAME.snap-PID[-N] */
	bool paused;			/* the VM ran: paused, then resumed */
	uint64_t pause_ns;		/* from the pause to the resume */
	uint64_t resumed_ns;		/* hv_monotonic_ns() when it ran on */
};

/*
 * Pause @vm if it runs managed, clone it under a free name, call
 * @at_instant(@arg) (if not NULL) while it is still paused, and resume
 * it.  With @hold, a running VM is paused by the kernel for the clone
 * alone (HV_CLONE_HOLD), and @at_instant runs after the resume.  0 with
 * fz->clone the instant; or an errno with one line in @err (starting
 * with @label), the VM running again if it ran, and no clone.
 */
int snap_freeze(struct hv_vm *vm, struct snap_frozen *fz,
		int (*at_instant)(void *arg), void *arg, bool hold,
		const char *label, char *err, size_t errlen);

/* Destroy the clone (if any). */
void snap_frozen_drop(struct snap_frozen *fz);

/*
 * The two halves of a restore around its RAM (lib/snap/restore.c):
 * load @path's chain (@lazy: as snap_load_chain) and create its VM, then
 * set the vCPUs' and devices' state.  0, or an errno with one line in
 * opts->err / @err; on 0 the caller owns *c (snap_unload_chain, free).
 */
int snap_restore_begin(struct hv *hv, const char *path,
		       const struct hv_restore_opts *opts, bool lazy,
		       struct chain **c, struct hv_vm **out);
int snap_restore_state(struct hv_vm *vm, struct chain *c, char *err,
		       size_t errlen);

/* "%s", printf-style, into @err; returns @ret. */
int snap_seterr(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#pragma GCC visibility pop

#endif /* LIBHV_SNAPIO_H */
