/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the in-guest test programs in tests/vm.
 *
 * Every check prints one line to the console, "  ok: ..." or
 * "  FAIL: ...".  The first failure is also written to the file named by
 * $HVTEST_WHY, unless that file already holds a reason (one written by a
 * command that this program ran), and the case runner (tests/vm/cases.sh)
 * gives it as the reason on the case's HVTEST-RESULT line.  A program
 * exits 0 only if no check failed.
 */
#ifndef HVTEST_H
#define HVTEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hvtest_failures;

static void __attribute__((format(printf, 1, 2))) ok(const char *fmt, ...)
{
	va_list ap;

	fputs("  ok: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	const char *path = getenv("HVTEST_WHY");
	va_list ap;

	fputs("  FAIL: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');

	if (hvtest_failures++ == 0 && path && *path) {
		FILE *f = fopen(path, "a");

		/* Keep an earlier reason: write only into an empty file. */
		if (f && fseek(f, 0, SEEK_END) == 0 && ftell(f) == 0) {
			va_start(ap, fmt);
			vfprintf(f, fmt, ap);
			va_end(ap);
			fputc('\n', f);
		}
		if (f)
			fclose(f);
	}
}

/* A call that must succeed (return >= 0). */
static inline int expect_success(long ret, const char *what)
{
	if (ret < 0) {
		fail("%s: returned %ld, errno %d (%s)", what, ret, errno,
		     strerror(errno));
		return 0;
	}
	ok("%s", what);
	return 1;
}

/* A call that must fail with errno @err. */
static inline int expect_errno(long ret, int err, const char *what)
{
	if (ret >= 0) {
		fail("%s: returned %ld, expected %s", what, ret, strerror(err));
		return 0;
	}
	if (errno != err) {
		fail("%s: errno %d (%s), expected %d (%s)", what, errno,
		     strerror(errno), err, strerror(err));
		return 0;
	}
	ok("%s -> %s", what, strerror(err));
	return 1;
}

/* Two numbers that must be equal. */
static inline int expect_eq(unsigned long long got, unsigned long long want,
		     const char *what)
{
	if (got != want) {
		fail("%s = %llu, expected %llu", what, got, want);
		return 0;
	}
	ok("%s = %llu", what, got);
	return 1;
}

static int hvtest_exit(void)
{
	fflush(stdout);
	return hvtest_failures ? 1 : 0;
}

/*
 * Let the kernel's memory settle before counting it: write back, drop
 * the caches, give RCU-freed objects and per-CPU page lists a moment.
 */
static inline void hvtest_settle_memory(void)
{
	FILE *f;

	sync();
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	usleep(50 * 1000);
}

/* A /proc/meminfo field in kB ("MemFree", "Slab"...), or -1. */
static inline long hvtest_meminfo_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = atol(line + klen + 1);
			break;
		}
	fclose(f);
	return v;
}

/* One /proc/slabinfo line: a cache's active objects, objects per slab. */
struct hvtest_slab {
	char name[64];
	long active, perslab;
};
#define HVTEST_MAX_SLABS	512

/* Up to @max caches from /proc/slabinfo into @slab; how many (0: none). */
static inline int hvtest_read_slabs(struct hvtest_slab *slab, int max)
{
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char name[64];
		long active, perslab = 0;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		/* name active_objs num_objs objsize objperslab ... */
		if (sscanf(line, "%63s %ld %*d %*d %ld", name, &active,
			   &perslab) < 2)
			continue;
		strcpy(slab[n].name, name);
		slab[n].active = active;
		slab[n].perslab = perslab;
		n++;
	}
	fclose(f);
	return n;
}

/* Free pages in the buddy lists and on the per-CPU lists (zoneinfo). */
static inline void hvtest_zoneinfo_pages(long *free_pages, long *pcp_pages)
{
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");
	long v;

	*free_pages = *pcp_pages = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " pages free %ld", &v) == 1)
			*free_pages += v;
		else if (sscanf(line, " count: %ld", &v) == 1)
			*pcp_pages += v;
	}
	fclose(f);
}

/*
 * The errnos hv's handlers may return (docs/abi.md: internal errors never
 * escape): EINTR from a signal, EALREADY from HV_DEBUG_HOLD_VIRT twice,
 * EOPNOTSUPP/ENOSPC from a backend that lacks a feature, ENOTUNIQ for
 * root naming a VM several users have, E2BIG/EAGAIN for sizes and the
 * console.
 */
static inline bool hvtest_errno_documented(int e)
{
	switch (e) {
	case EINVAL: case EFAULT: case ENOMEM: case EBUSY: case ENOENT:
	case EEXIST: case EPERM: case ENOTTY: case ENOSPC: case EINTR:
	case EOPNOTSUPP: case E2BIG: case EAGAIN: case EALREADY:
	case ENOTUNIQ:
		return true;
	}
	return false;
}

#endif /* HVTEST_H */
