// SPDX-License-Identifier: GPL-2.0
/*
 * hv-snapbench: how fast snapshots, restores and clones are, against the
 * machine's own memory bandwidth measured in the same run (make bench,
 * inside the emulated machines; see docs/bench.md).
 *
 *   hv-snapbench [-m MIB] [-r ROUNDS] [-d DIR]
 *
 * A VM with MIB MiB of RAM (default 256) whose every page holds data (a
 * snapshot skips all-zero pages, so a full guest is the slow case), one
 * vCPU.  Per round, best of ROUNDS (default 3):
 *
 *   memcpy    MIB MiB from one buffer to another (both touched first)
 *   snapshot  hv_vm_snapshot() to DIR (default /tmp, a tmpfs in the rig)
 *   restore   hv_vm_restore() of that file into a new VM
 *   fullcopy  what a clone without copy-on-write costs: a new VM with as
 *             much RAM, and every page copied into it
 *   clone     hv_vm_clone()
 *
 * Prints, for run-bench to collect:
 *
 *   SNAPBENCH amd snapshot mib_s=812.3 memcpy_mib_s=1450.2 ratio=0.56 target=0.50 meets=yes
 *   SNAPBENCH amd restore  mib_s=...   memcpy_mib_s=...    ratio=...  target=0.50 meets=...
 *   SNAPBENCH amd clone    ms=1.2      fullcopy_ms=310.5   ratio=0.004 target=0.10 meets=yes
 *
 * Throughput ratios must be at least their target, the clone ratio at most
 * its target.  Exit status 1 if any operation failed (timing never fails).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libhv.h"

#define MiB	(1ULL << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, int err, const char *detail)
{
	fprintf(stderr, "hv-snapbench: %s: %s%s%s\n", what, hv_strerror(err),
		detail && *detail ? ": " : "", detail ? detail : "");
	exit(1);
}

static const char *cpu_vendor(void)
{
	unsigned int a, b, c, d;
	char id[13];

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	memcpy(id, &b, 4);
	memcpy(id + 4, &d, 4);
	memcpy(id + 8, &c, 4);
	id[12] = 0;
	return !strcmp(id, "AuthenticAMD") ? "amd" :
	       !strcmp(id, "GenuineIntel") ? "intel" : "unknown";
}

/* xorshift64: every 8 bytes differ, no page is zero. */
static void fill(uint64_t *p, uint64_t bytes, uint64_t seed)
{
	uint64_t x = seed | 1, i;

	for (i = 0; i < bytes / 8; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

static struct hv_vm *make_vm(struct hv *hv, const char *name, uint64_t size)
{
	struct hv_vcpu *vcpu;
	struct hv_vm *vm;
	int r;

	r = hv_vm_create(hv, name, HV_VM_DESTROY_ON_CLOSE, &vm);
	if (r)
		die("create", r, name);
	r = hv_vm_add_ram(vm, 0, size);
	if (r)
		die("add RAM", r, name);
	r = hv_vcpu_create(vm, 0, &vcpu);
	if (r)
		die("create vCPU", r, name);
	hv_vcpu_close(vcpu);
	return vm;
}

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	uint64_t mib = 256, size;
	unsigned int rounds = 3, i;
	const char *dir = "/tmp", *vendor = cpu_vendor();
	double t_memcpy = 1e9, t_snap = 1e9, t_restore = 1e9, t_full = 1e9;
	double t_clone = 1e9, t0, mb_memcpy, mb_snap, mb_restore, ratio;
	char path[512], err[256];
	struct hv_snapshot_opts sopts = { .err = err, .errlen = sizeof(err) };
	struct hv_restore_opts ropts = { .err = err, .errlen = sizeof(err) };
	struct hv_vm *vm, *copy;
	struct hv *hv;
	uint8_t *a, *b;
	int opt, r;

	while ((opt = getopt(argc, argv, "m:r:d:")) != -1) {
		switch (opt) {
		case 'm': mib = strtoull(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'd': dir = optarg; break;
		default:
			fprintf(stderr, "usage: hv-snapbench [-m MIB] [-r ROUNDS] [-d DIR]\n");
			return 2;
		}
	}
	if (!mib || mib > 4096 || !rounds || rounds > 100) {
		fprintf(stderr, "hv-snapbench: -m 1..4096, -r 1..100\n");
		return 2;
	}
	size = mib * MiB;
	snprintf(path, sizeof(path), "%s/hv-snapbench.hv", dir);

	/* The machine's copy bandwidth, buffers touched first. */
	a = malloc(size);
	b = malloc(size);
	if (!a || !b)
		die("malloc", ENOMEM, NULL);
	fill((uint64_t *)a, size, 1);
	memset(b, 0, size);
	for (i = 0; i < rounds; i++) {
		t0 = now_s();
		memcpy(b, a, size);
		t_memcpy = best(t_memcpy, now_s() - t0);
		a[i] ^= b[size - 1 - i];	/* keep the copies */
	}
	free(a);
	free(b);

	r = hv_open(&hv);
	if (r)
		die("/dev/hv", r, NULL);
	vm = make_vm(hv, "snapbench", size);
	r = hv_vm_map_ram(vm, 0, size);
	if (r)
		die("mmap", r, NULL);
	fill(hv_vm_gpa_ptr(vm, 0, size), size, 2);

	for (i = 0; i < rounds; i++) {
		t0 = now_s();
		r = hv_vm_snapshot(vm, path, &sopts);
		if (r)
			die("snapshot", r, err);
		t_snap = best(t_snap, now_s() - t0);

		ropts.name = "snapbench-r";
		ropts.flags = HV_VM_DESTROY_ON_CLOSE;
		t0 = now_s();
		r = hv_vm_restore(hv, path, &ropts, &copy);
		if (r)
			die("restore", r, err);
		t_restore = best(t_restore, now_s() - t0);
		/* The copy holds what the original holds. */
		r = hv_vm_map_ram(copy, 0, size);
		if (r || memcmp(hv_vm_gpa_ptr(copy, 0, size),
				hv_vm_gpa_ptr(vm, 0, size), size))
			die("restore", r ? r : EIO, "the restored RAM differs");
		hv_vm_close(copy);
		unlink(path);

		/* A full copy: a new VM, every page copied. */
		t0 = now_s();
		copy = make_vm(hv, "snapbench-f", size);
		r = hv_vm_map_ram(copy, 0, size);
		if (r)
			die("mmap", r, NULL);
		memcpy(hv_vm_gpa_ptr(copy, 0, size), hv_vm_gpa_ptr(vm, 0, size),
		       size);
		t_full = best(t_full, now_s() - t0);
		hv_vm_close(copy);

		t0 = now_s();
		r = hv_vm_clone(vm, "snapbench-c", HV_VM_DESTROY_ON_CLOSE, &copy);
		if (r)
			die("clone", r, NULL);
		t_clone = best(t_clone, now_s() - t0);
		hv_vm_close(copy);
	}
	hv_vm_close(vm);
	hv_close(hv);

	mb_memcpy = mib / t_memcpy;
	mb_snap = mib / t_snap;
	mb_restore = mib / t_restore;
	ratio = mb_snap / mb_memcpy;
	printf("SNAPBENCH %s snapshot mib_s=%.1f memcpy_mib_s=%.1f ratio=%.3f target=0.50 meets=%s\n",
	       vendor, mb_snap, mb_memcpy, ratio, ratio >= 0.5 ? "yes" : "no");
	ratio = mb_restore / mb_memcpy;
	printf("SNAPBENCH %s restore mib_s=%.1f memcpy_mib_s=%.1f ratio=%.3f target=0.50 meets=%s\n",
	       vendor, mb_restore, mb_memcpy, ratio, ratio >= 0.5 ? "yes" : "no");
	ratio = t_clone / t_full;
	printf("SNAPBENCH %s clone ms=%.2f fullcopy_ms=%.1f ratio=%.4f target=0.10 meets=%s\n",
	       vendor, t_clone * 1e3, t_full * 1e3, ratio,
	       ratio <= 0.1 ? "yes" : "no");
	return 0;
}
