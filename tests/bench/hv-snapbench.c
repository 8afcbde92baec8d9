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
 *   clone     hv_vm_clone() of the VM while nobody maps its RAM, as
 *             `hvctl clone` finds it; and, for comparison, while this
 *             process maps all of it (every PTE of the mapping must go)
 *
 * Prints, for run-bench to collect:
 *
 *   SNAPBENCH amd snapshot mib_s=812.3 memcpy_mib_s=1450.2 ratio=0.56
 *             fresh_mib_s=400.1 ratio_fresh=2.03 target=0.50 meets=yes
 *   SNAPBENCH amd restore  (the same keys)
 *   SNAPBENCH amd clone ms=1.2 fullcopy_ms=310.5 ratio=0.004
 *             mapped_ms=9.1 ratio_mapped=0.03 target=0.10 meets=yes
 *
 * (one line each).  memcpy_mib_s is a copy between two buffers touched
 * before; fresh_mib_s a copy into memory never touched, which pays the
 * page allocation that a new file's page cache pays too.  "meets" is
 * judged against memcpy_mib_s.  A line "hv-snapbench: parts: ..." gives
 * the CRC32C and write() speeds a snapshot is made of.
 *
 * Throughput ratios must be at least their target, the clone ratio at most
 * its target.  Exit status 1 if any operation failed (timing never fails).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libhv.h"
#include "../../lib/snap/crc32c.h"

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

static struct hv_vm *make_vm(struct hv *hv, const char *name, uint64_t size,
			     uint32_t flags)
{
	struct hv_vcpu *vcpu;
	struct hv_vm *vm;
	int r;

	r = hv_vm_create(hv, name, flags, &vm);
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
	double t_clone = 1e9, t_fresh = 1e9, t0, mb_memcpy, mb_snap, mb_restore;
	double mb_fresh, ratio, t_clone_mapped = 1e9;
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
	/* Where a snapshot's time goes: its checksum, and the file's write. */
	{
		double t_crc = 1e9, t_write = 1e9;
		volatile uint32_t crc;
		char tmp[512];
		int fd;

		snprintf(tmp, sizeof(tmp), "%s/hv-snapbench.raw", dir);
		for (i = 0; i < rounds; i++) {
			t0 = now_s();
			crc = hv_crc32c(0, a, size);
			t_crc = best(t_crc, now_s() - t0);
			fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			if (fd < 0)
				die(tmp, -errno, NULL);
			t0 = now_s();
			for (uint64_t off = 0; off < size; off += 4 * MiB)
				if (write(fd, a + off, 4 * MiB) != (ssize_t)(4 * MiB))
					die("write", -EIO, tmp);
			t_write = best(t_write, now_s() - t0);
			close(fd);
			unlink(tmp);
		}
		(void)crc;
		printf("hv-snapbench: parts: crc32c (%s) %.1f MiB/s, write() to %s %.1f MiB/s, memcpy %.1f MiB/s\n",
		       hv_crc32c_hw_available() ? "sse4.2" : "tables",
		       mib / t_crc, dir, mib / t_write, mib / t_memcpy);
	}
	/*
	 * memcpy into memory never touched before: the page allocation a
	 * new file's page cache needs too (the fairer floor for a snapshot;
	 * both baselines are printed).
	 */
	for (i = 0; i < rounds; i++) {
		uint8_t *fresh = mmap(NULL, size, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (fresh == MAP_FAILED)
			die("mmap", -errno, NULL);
		t0 = now_s();
		memcpy(fresh, a, size);
		t_fresh = best(t_fresh, now_s() - t0);
		munmap(fresh, size);
	}
	free(a);
	free(b);

	r = hv_open(&hv);
	if (r)
		die("/dev/hv", r, NULL);
	vm = make_vm(hv, "snapbench", size, 0);
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
		copy = make_vm(hv, "snapbench-f", size,
			       HV_VM_DESTROY_ON_CLOSE);
		r = hv_vm_map_ram(copy, 0, size);
		if (r)
			die("mmap", r, NULL);
		memcpy(hv_vm_gpa_ptr(copy, 0, size), hv_vm_gpa_ptr(vm, 0, size),
		       size);
		t_full = best(t_full, now_s() - t0);
		hv_vm_close(copy);

		/*
		 * A clone while this process maps all of the source's RAM:
		 * every one of its PTEs must go (read-only from now on).
		 */
		t0 = now_s();
		r = hv_vm_clone(vm, "snapbench-c", HV_VM_DESTROY_ON_CLOSE, &copy);
		if (r)
			die("clone", r, NULL);
		t_clone_mapped = best(t_clone_mapped, now_s() - t0);
		hv_vm_close(copy);
	}
	/* As `hvctl clone` does it: nobody maps the source. */
	hv_vm_close(vm);
	r = hv_vm_open(hv, "snapbench", &vm);
	if (r)
		die("open", r, NULL);
	for (i = 0; i < rounds; i++) {
		t0 = now_s();
		r = hv_vm_clone(vm, "snapbench-c", HV_VM_DESTROY_ON_CLOSE, &copy);
		if (r)
			die("clone", r, NULL);
		t_clone = best(t_clone, now_s() - t0);
		hv_vm_close(copy);
	}
	hv_vm_destroy(vm);
	hv_close(hv);

	mb_memcpy = mib / t_memcpy;
	mb_snap = mib / t_snap;
	mb_restore = mib / t_restore;
	mb_fresh = mib / t_fresh;
	ratio = mb_snap / mb_memcpy;
	printf("SNAPBENCH %s snapshot mib_s=%.1f memcpy_mib_s=%.1f ratio=%.3f fresh_mib_s=%.1f ratio_fresh=%.3f target=0.50 meets=%s\n",
	       vendor, mb_snap, mb_memcpy, ratio, mb_fresh, mb_snap / mb_fresh,
	       ratio >= 0.5 ? "yes" : "no");
	ratio = mb_restore / mb_memcpy;
	printf("SNAPBENCH %s restore mib_s=%.1f memcpy_mib_s=%.1f ratio=%.3f fresh_mib_s=%.1f ratio_fresh=%.3f target=0.50 meets=%s\n",
	       vendor, mb_restore, mb_memcpy, ratio, mb_fresh,
	       mb_restore / mb_fresh, ratio >= 0.5 ? "yes" : "no");
	ratio = t_clone / t_full;
	printf("SNAPBENCH %s clone ms=%.2f fullcopy_ms=%.1f ratio=%.4f mapped_ms=%.2f ratio_mapped=%.4f target=0.10 meets=%s\n",
	       vendor, t_clone * 1e3, t_full * 1e3, ratio,
	       t_clone_mapped * 1e3, t_clone_mapped / t_full,
	       ratio <= 0.1 ? "yes" : "no");
	return 0;
}
