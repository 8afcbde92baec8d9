// SPDX-License-Identifier: GPL-2.0
/*
 * hv-snapbench: how fast snapshots, restores and clones are, against the
 * machine's own memory bandwidth measured in the same run (make bench,
 * inside the emulated machines; see docs/bench.md).
 *
 *   hv-snapbench [-m MIB] [-r ROUNDS] [-d DIR] [-l MIB+MIB...] [-p ROUNDS]
 *                [-g idle|spin]
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
 * Then, for each size of -l (default 256+1024; 0: none), a VM of that
 * many MiB, every page holding data, whose one vCPU runs a guest that
 * writes one byte to COM1 and then idles in HLT (-g idle, the default:
 * real mode at 0x1000, out %al,%dx; sti; hlt) or spins (-g spin: jmp .),
 * started managed and left unmapped by this process (as `hvctl snapshot
 * --live` finds it).  Per size, ROUNDS of -p (default 5) of:
 *
 *   live      hv_vm_snapshot_live() of the running VM: the pause (pause to
 *             resume, as libhv times it) and the background write (resume
 *             to the file's end)
 *   first     hv_vm_restore() of a snapshot taken with the vCPU at that out
 *             (stopped, RIP set back, RAX 'R'), hv_vm_start(), and the
 *             guest's 'R' read from its console: the restored guest's first
 *             instruction has run
 *   lazy      the same from hv_vm_restore_lazy(): the guest's first
 *             instruction waits only for its chunk; then the time until
 *             the VM is whole (hv_lazy_restore_finish)
 *
 *   SNAPBENCH amd live_pause mib=256 best_ms=0.8 median_ms=0.9 rounds=5
 *             guest=idle target=1.0 meets=yes   (meets: the median)
 *   SNAPBENCH amd live_pause_scaling mib=1024/256 ratio=1.1
 *             best_ratio=1.0 target=1.25 meets=yes   (of the medians)
 *   SNAPBENCH amd live_write mib=256 mib_s=700.2 median_mib_s=650.0
 *             memcpy_mib_s=1450.2 ratio=0.48 pages=65536 cow_copies=0
 *             target=0.50 meets=no          (ratio: the best)
 *   SNAPBENCH amd first_insn mib=256 best_ms=900.1 median_ms=910.0
 *             restore_ms=880.0 start_ms=0.3 signal_ms=1.2 target=5.0
 *             meets=no                      (meets: the median)
 *   SNAPBENCH amd first_insn_lazy mib=256 best_ms=20.1 median_ms=22.0
 *             restore_ms=3.0 start_ms=0.3 signal_ms=18.0 demand_chunks=1
 *             target=5.0 meets=no
 *   SNAPBENCH amd lazy_fill mib=256 mib_s=300.0 median_mib_s=290.0
 *             memcpy_mib_s=1450.2 ratio=0.21 check_s=0.5 fill_s=0.3
 *             target=0.50 meets=no          (ratio: the best)
 *
 * Throughput ratios must be at least their target, the clone ratio and
 * the times at most theirs.  Exit status 1 if any operation failed, a
 * restored VM's RAM differs (checked on the first round of the first
 * size), or a guest does not signal within 30 s; timing never fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
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

/*
 * xorshift64: every 8 bytes differ, no page is zero.  @x is the state,
 * so that a pattern can be made (and checked) piecewise.
 */
static void fill_from(uint64_t *p, uint64_t bytes, uint64_t *x)
{
	uint64_t i;

	for (i = 0; i < bytes / 8; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 7;
		*x ^= *x << 17;
		p[i] = *x;
	}
}

static void fill(uint64_t *p, uint64_t bytes, uint64_t seed)
{
	uint64_t x = seed | 1;

	fill_from(p, bytes, &x);
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

/* ------------------------------------------------------------------ */
/* Live snapshots, and restore to the first guest instruction (issue 17) */

#define LIVE_MAX	8	/* sizes in -l */
#define SAMPLES_MAX	100
#define SIGNAL_S	30	/* a guest that does not signal by then: failed */
#define GUEST_CODE	0x1000
#define COM1		0x3f8

/*
 * Real mode at GUEST_CODE: one byte (AL) to COM1 (DX), then idle (-g
 * idle: HLT with interrupts on, so the vCPU thread sleeps; nothing here
 * sends it one) or busy (-g spin: its vCPU thread takes all the CPU it
 * gets, which, on a machine with one CPU, this program then shares).
 */
static const uint8_t code_idle[] = {
	0xee,			/* out %al,(%dx) */
	0xfb,			/* sti */
	0xf4,			/* 1: hlt */
	0xeb, 0xfd,		/* jmp 1b */
};
static const uint8_t code_spin[] = {
	0xee,			/* out %al,(%dx) */
	0xeb, 0xfe,		/* 1: jmp 1b */
};
static const uint8_t *guest_code = code_idle;
static size_t guest_len = sizeof(code_idle);

struct live_result {
	uint64_t mib;
	double pause[SAMPLES_MAX];	/* seconds */
	double write[SAMPLES_MAX];
	double first[SAMPLES_MAX];	/* restore call to the guest's byte */
	double restore[SAMPLES_MAX];	/* hv_vm_restore() */
	double start[SAMPLES_MAX];	/* console open and hv_vm_start() */
	double signal[SAMPLES_MAX];	/* hv_vm_start() returned to the byte */
	/* The same from hv_vm_restore_lazy() (API 9, format 3) */
	double lfirst[SAMPLES_MAX], lrestore[SAMPLES_MAX];
	double lstart[SAMPLES_MAX], lsignal[SAMPLES_MAX];
	double lwhole[SAMPLES_MAX];	/* the call to the VM whole */
	double lcheck[SAMPLES_MAX], lfill[SAMPLES_MAX];	/* their time */
	uint64_t ldemand;		/* chunks waited for, last round */
	uint64_t pages, cow_copies;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
	double s[SAMPLES_MAX];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double minimum(const double *v, unsigned int n)
{
	double m = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		m = best(m, v[i]);
	return m;
}

/* Point vCPU 0 of @vm at guest_code, to write @byte. */
static void guest_at_signal(struct hv_vm *vm, uint8_t byte)
{
	struct hv_vcpu *vcpu;
	struct hv_regs regs;
	int r;

	r = hv_vcpu_open(vm, 0, &vcpu);
	if (!r)
		r = hv_vcpu_setup_mode(vcpu, NULL, HV_MODE_REAL, GUEST_CODE,
				       GUEST_CODE - 0x10, HV_MODE_NO_SCRATCH);
	if (!r)
		r = hv_vcpu_get_regs(vcpu, &regs);
	if (!r) {
		regs.rax = byte;
		regs.rdx = COM1;
		r = hv_vcpu_set_regs(vcpu, &regs);
	}
	/* It may have stopped in HLT: run from the next start on */
	if (!r)
		r = hv_vcpu_set_mp_state(vcpu, HV_MP_RUNNABLE);
	if (r)
		die("set up the vCPU", r, hv_vm_name(vm));
	hv_vcpu_close(vcpu);
}

/*
 * Read @fd (a VM's console) until @byte comes: 0 with the time it came,
 * or -ETIMEDOUT after SIGNAL_S.
 */
static int wait_byte(int fd, uint8_t byte, double *when)
{
	double limit = now_s() + SIGNAL_S;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[256];
	ssize_t n, i;

	for (;;) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			for (i = 0; i < n; i++)
				if (buf[i] == byte) {
					*when = now_s();
					return 0;
				}
		if (now_s() > limit)
			return -ETIMEDOUT;
		poll(&pfd, 1, 100);
	}
}

/* RAM made with fill(seed) and guest_code: 0, or the first wrong offset + 1 */
static uint64_t check_ram(const uint8_t *ram, uint64_t size, uint64_t seed)
{
	static uint64_t want[MiB / 8];
	uint64_t x = seed | 1, off, i;

	for (off = 0; off < size; off += MiB) {
		fill_from(want, MiB, &x);
		if (!off)
			memcpy((uint8_t *)want + GUEST_CODE, guest_code,
			       guest_len);
		if (!memcmp(ram + off, want, MiB))
			continue;
		for (i = 0; i < MiB && ram[off + i] == ((uint8_t *)want)[i]; i++)
			;
		return off + i + 1;
	}
	return 0;
}

static void check_restored(struct hv_vm *copy, uint64_t size, uint64_t seed,
			   const char *what)
{
	char msg[128];
	uint64_t bad;
	int r;

	r = hv_vm_map_ram(copy, 0, size);
	if (r)
		die(what, r, "cannot map the restored RAM");
	bad = check_ram(hv_vm_gpa_ptr(copy, 0, size), size, seed);
	if (bad) {
		snprintf(msg, sizeof(msg), "the restored RAM differs at %#" PRIx64,
			 bad - 1);
		die(what, -EIO, msg);
	}
	printf("hv-snapbench: %s: the restored %" PRIu64 " MiB are the snapshot's\n",
	       what, (uint64_t)(size / MiB));
}

/*
 * One size: a running guest's live snapshots, then restores of a
 * snapshot whose next instruction is the guest's signal.  @verify: check
 * a restored copy's RAM (first round of each).
 */
/* One restore's times, from the call to the guest's 'R' */
struct first_times {
	double first, restore, start, signal;
};

/*
 * Restore @cold as "snapbench-f" (lazily if @lr, which then gets the
 * restore's handle), start it, and read its 'R': its first instruction
 * has run.
 */
static struct hv_vm *first_round(struct hv *hv, const char *cold,
				 struct hv_lazy_restore **lr,
				 struct first_times *t, const char *what)
{
	char err[256];
	struct hv_restore_opts ropts = {
		.name = "snapbench-f", .err = err, .errlen = sizeof(err),
		/* a lazy restore's thread holds the VM until it is whole */
		.flags = lr ? 0 : HV_VM_DESTROY_ON_CLOSE,
	};
	struct hv_vm *copy;
	double t0, t1, t2, t3;
	int r, cfd;

	t0 = now_s();
	r = lr ? hv_vm_restore_lazy(hv, cold, &ropts, 0, &copy, lr) :
		 hv_vm_restore(hv, cold, &ropts, &copy);
	if (r)
		die(what, r, err);
	t1 = now_s();
	cfd = hv_vm_console_open(copy, true);
	if (cfd < 0)
		die("console", cfd, what);
	r = hv_vm_start(copy);
	if (r)
		die("start", r, what);
	t2 = now_s();
	if (wait_byte(cfd, 'R', &t3))
		die(what, -ETIMEDOUT, "the restored guest does not signal");
	close(cfd);
	t->first = t3 - t0;
	t->restore = t1 - t0;
	t->start = t2 - t1;
	t->signal = t3 - t2;
	return copy;
}

static void live_size(struct hv *hv, struct live_result *res,
		      unsigned int rounds, const char *dir, bool verify)
{
	uint64_t size = res->mib * MiB, seed = 3 + res->mib;
	char err[256], path[512], cold[512], what[64];
	struct hv_snapshot_opts sopts = { .err = err, .errlen = sizeof(err) };
	struct hv_restore_opts ropts = { .err = err, .errlen = sizeof(err) };
	struct hv_snapshot_live_info info;
	struct hv_usage usage;
	struct hv_vm_info vi;
	struct hv_vcpu *vcpu;
	struct hv_vm *vm, *copy;
	double t0;
	unsigned int i;
	int r, cfd;

	snprintf(path, sizeof(path), "%s/hv-snapbench-live.hv", dir);
	snprintf(cold, sizeof(cold), "%s/hv-snapbench-first.hv", dir);
	snprintf(what, sizeof(what), "live %" PRIu64 " MiB", res->mib);

	r = hv_vm_create(hv, "snapbench-l", 0, &vm);
	if (r)
		die("create", r, "snapbench-l");
	r = hv_vm_add_ram(vm, 0, size);
	if (r)
		die("add RAM", r, what);
	fill(hv_vm_gpa_ptr(vm, 0, size), size, seed);
	memcpy(hv_vm_gpa_ptr(vm, GUEST_CODE, guest_len), guest_code,
	       guest_len);
	r = hv_vcpu_create(vm, 0, &vcpu);
	if (r)
		die("create vCPU", r, what);
	hv_vcpu_close(vcpu);
	guest_at_signal(vm, '!');
	/*
	 * A live snapshot's clone is charged the VM's size: that much must
	 * be available above the host's reserve, though no page is copied.
	 */
	if (!hv_usage(hv, &usage))
		printf("hv-snapbench: %s: with the VM: host available %" PRIu64 " MiB, reserve %" PRIu64 " MiB\n",
		       what, (uint64_t)(usage.host_available / MiB),
		       (uint64_t)(usage.host_reserve / MiB));
	/* As `hvctl snapshot --live` finds it: nobody maps its RAM. */
	hv_vm_close(vm);
	r = hv_vm_open(hv, "snapbench-l", &vm);
	if (r)
		die("open", r, what);
	cfd = hv_vm_console_open(vm, true);
	if (cfd < 0)
		die("console", cfd, what);
	r = hv_vm_start(vm);
	if (r)
		die("start", r, what);
	if (wait_byte(cfd, '!', &t0))
		die(what, -ETIMEDOUT, "the guest does not run");
	close(cfd);

	for (i = 0; i < rounds; i++) {
		r = hv_vm_snapshot_live(vm, path, &sopts, &info);
		if (r)
			die(what, r, err);
		if (!info.paused)
			die(what, -EINVAL, "the VM was not running");
		if (info.pages_stored != size >> 12)
			die(what, -EIO, "pages stored: not every page of the VM");
		res->pause[i] = info.pause_ns / 1e9;
		res->write[i] = info.write_ns / 1e9;
		res->pages = info.pages_stored;
		res->cow_copies += info.cow_copies;
		if (verify && !i) {
			ropts.name = "snapbench-v";
			ropts.flags = HV_VM_DESTROY_ON_CLOSE;
			r = hv_vm_restore(hv, path, &ropts, &copy);
			if (r)
				die(what, r, err);
			check_restored(copy, size, seed, what);
			hv_vm_close(copy);
		}
		unlink(path);
	}
	r = hv_vm_info(vm, &vi);
	if (r || vi.state != HV_VM_STATE_RUNNING)
		die(what, r ? r : -EINVAL, "the VM does not run on");

	/* The same VM, stopped, with its next instruction the signal. */
	r = hv_vm_stop(vm);
	if (r)
		die("stop", r, what);
	guest_at_signal(vm, 'R');
	r = hv_vm_snapshot(vm, cold, &sopts);
	if (r)
		die("snapshot", r, err);
	r = hv_vm_destroy(vm);
	if (r)
		die("destroy", r, what);

	snprintf(what, sizeof(what), "first instruction %" PRIu64 " MiB",
		 res->mib);
	for (i = 0; i < rounds; i++) {
		struct first_times ft;

		copy = first_round(hv, cold, NULL, &ft, what);
		res->first[i] = ft.first;
		res->restore[i] = ft.restore;
		res->start[i] = ft.start;
		res->signal[i] = ft.signal;
		if (verify && !i)
			check_restored(copy, size, seed, what);
		r = hv_vm_destroy_force(copy);
		if (r)
			die("destroy", r, what);
	}

	/* Lazily: the guest runs while its memory comes from the file */
	snprintf(what, sizeof(what), "lazy first instruction %" PRIu64 " MiB",
		 res->mib);
	for (i = 0; i < rounds; i++) {
		struct hv_lazy_restore_stats st;
		struct hv_lazy_restore *lr;
		struct first_times ft;

		copy = first_round(hv, cold, &lr, &ft, what);
		r = hv_lazy_restore_finish(lr, &st, err, sizeof(err));
		if (r)
			die(what, r, err);
		res->lfirst[i] = ft.first;
		res->lrestore[i] = ft.restore;
		res->lstart[i] = ft.start;
		res->lsignal[i] = ft.signal;
		res->lwhole[i] = st.whole_ns / 1e9;
		res->lcheck[i] = st.check_ns / 1e9;
		res->lfill[i] = st.fill_ns / 1e9;
		res->ldemand = st.demand_chunks;
		if (verify && !i)
			check_restored(copy, size, seed, what);
		r = hv_vm_destroy_force(copy);
		if (r)
			die("destroy", r, what);
	}
	unlink(cold);
}

static void live_report(const char *vendor, struct live_result *res,
			unsigned int nsizes, unsigned int rounds,
			double mb_memcpy)
{
	struct live_result *lo = &res[0], *hi = &res[nsizes - 1];
	double med, b, mb, mb_med, ratio;
	unsigned int i, j;

	for (i = 0; i < nsizes; i++) {
		med = median(res[i].pause, rounds);
		printf("SNAPBENCH %s live_pause mib=%" PRIu64 " best_ms=%.3f median_ms=%.3f rounds=%u guest=%s target=1.0 meets=%s\n",
		       vendor, res[i].mib, minimum(res[i].pause, rounds) * 1e3,
		       med * 1e3, rounds, guest_code == code_spin ? "spin" : "idle",
		       med <= 1e-3 ? "yes" : "no");
	}
	if (nsizes > 1 && hi->mib > lo->mib) {
		ratio = median(hi->pause, rounds) / median(lo->pause, rounds);
		printf("SNAPBENCH %s live_pause_scaling mib=%" PRIu64 "/%" PRIu64 " ratio=%.3f best_ratio=%.3f target=1.25 meets=%s\n",
		       vendor, hi->mib, lo->mib, ratio,
		       minimum(hi->pause, rounds) / minimum(lo->pause, rounds),
		       ratio <= 1.25 ? "yes" : "no");
	}
	for (i = 0; i < nsizes; i++) {
		mb = res[i].mib / minimum(res[i].write, rounds);
		mb_med = res[i].mib / median(res[i].write, rounds);
		ratio = mb / mb_memcpy;
		printf("SNAPBENCH %s live_write mib=%" PRIu64 " mib_s=%.1f median_mib_s=%.1f memcpy_mib_s=%.1f ratio=%.3f pages=%" PRIu64 " cow_copies=%" PRIu64 " target=0.50 meets=%s\n",
		       vendor, res[i].mib, mb, mb_med, mb_memcpy, ratio,
		       res[i].pages, res[i].cow_copies,
		       ratio >= 0.5 ? "yes" : "no");
	}
	for (i = 0; i < nsizes; i++) {
		med = median(res[i].first, rounds);
		b = minimum(res[i].first, rounds);
		printf("SNAPBENCH %s first_insn mib=%" PRIu64 " best_ms=%.3f median_ms=%.3f restore_ms=%.3f start_ms=%.3f signal_ms=%.3f target=5.0 meets=%s\n",
		       vendor, res[i].mib, b * 1e3, med * 1e3,
		       median(res[i].restore, rounds) * 1e3,
		       median(res[i].start, rounds) * 1e3,
		       median(res[i].signal, rounds) * 1e3,
		       med <= 5e-3 ? "yes" : "no");
	}
	for (i = 0; i < nsizes; i++) {
		med = median(res[i].lfirst, rounds);
		b = minimum(res[i].lfirst, rounds);
		printf("SNAPBENCH %s first_insn_lazy mib=%" PRIu64 " best_ms=%.3f median_ms=%.3f restore_ms=%.3f start_ms=%.3f signal_ms=%.3f demand_chunks=%" PRIu64 " target=5.0 meets=%s\n",
		       vendor, res[i].mib, b * 1e3, med * 1e3,
		       median(res[i].lrestore, rounds) * 1e3,
		       median(res[i].lstart, rounds) * 1e3,
		       median(res[i].lsignal, rounds) * 1e3, res[i].ldemand,
		       med <= 5e-3 ? "yes" : "no");
		/* The lazy fill: the RAM over the time until it was whole */
		mb = res[i].mib / minimum(res[i].lwhole, rounds);
		mb_med = res[i].mib / median(res[i].lwhole, rounds);
		ratio = mb / mb_memcpy;
		printf("SNAPBENCH %s lazy_fill mib=%" PRIu64 " mib_s=%.1f median_mib_s=%.1f memcpy_mib_s=%.1f ratio=%.2f check_s=%.3f fill_s=%.3f target=0.50 meets=%s\n",
		       vendor, res[i].mib, mb, mb_med, mb_memcpy, ratio,
		       median(res[i].lcheck, rounds),
		       median(res[i].lfill, rounds),
		       ratio >= 0.5 ? "yes" : "no");
	}
	/* Every sample, for a reader who doubts a median */
	for (i = 0; i < nsizes; i++) {
		printf("hv-snapbench: %" PRIu64 " MiB: pause ms", res[i].mib);
		for (j = 0; j < rounds; j++)
			printf(" %.3f", res[i].pause[j] * 1e3);
		printf("; write ms");
		for (j = 0; j < rounds; j++)
			printf(" %.1f", res[i].write[j] * 1e3);
		printf("; first instruction ms");
		for (j = 0; j < rounds; j++)
			printf(" %.2f", res[i].first[j] * 1e3);
		printf("; lazily ms");
		for (j = 0; j < rounds; j++)
			printf(" %.2f", res[i].lfirst[j] * 1e3);
		printf("; whole s");
		for (j = 0; j < rounds; j++)
			printf(" %.3f", res[i].lwhole[j]);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	uint64_t mib = 256, size;
	unsigned int rounds = 3, i;
	const char *dir = "/tmp", *vendor = cpu_vendor();
	double t_memcpy = 1e9, t_snap = 1e9, t_restore = 1e9, t_full = 1e9;
	double t_clone = 1e9, t_fresh = 1e9, t0, mb_memcpy, mb_snap, mb_restore;
	double mb_fresh, ratio, t_clone_mapped = 1e9;
	static struct live_result live[LIVE_MAX];
	unsigned int nlive = 0, live_rounds = 5;
	const char *sizes = "256+1024";
	char *end;
	char path[512], err[256];
	struct hv_snapshot_opts sopts = { .err = err, .errlen = sizeof(err) };
	struct hv_restore_opts ropts = { .err = err, .errlen = sizeof(err) };
	struct hv_vm *vm, *copy;
	struct hv *hv;
	uint8_t *a, *b;
	int opt, r;

	while ((opt = getopt(argc, argv, "m:r:d:l:p:g:")) != -1) {
		switch (opt) {
		case 'm': mib = strtoull(optarg, NULL, 0); break;
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'd': dir = optarg; break;
		case 'l': sizes = optarg; break;
		case 'p': live_rounds = strtoul(optarg, NULL, 0); break;
		case 'g':
			if (!strcmp(optarg, "spin")) {
				guest_code = code_spin;
				guest_len = sizeof(code_spin);
			} else if (strcmp(optarg, "idle")) {
				fprintf(stderr, "hv-snapbench: -g idle or -g spin\n");
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: hv-snapbench [-m MIB] [-r ROUNDS] [-d DIR] [-l MIB+MIB...] [-p ROUNDS] [-g idle|spin]\n");
			return 2;
		}
	}
	/* -l 256+1024 (or 256,1024); -l 0: no live snapshots */
	for (; *sizes; sizes = end + (*end != 0)) {
		uint64_t v = strtoull(sizes, &end, 0);

		if (end == sizes || (*end && *end != '+' && *end != ',') ||
		    v > 4096 || (v && nlive == LIVE_MAX)) {
			fprintf(stderr, "hv-snapbench: -l: at most %d sizes of 1..4096 MiB, with + between\n",
				LIVE_MAX);
			return 2;
		}
		if (v)
			live[nlive++].mib = v;
	}
	if (!mib || mib > 4096 || !rounds || rounds > 100 || !live_rounds ||
	    live_rounds > SAMPLES_MAX) {
		fprintf(stderr, "hv-snapbench: -m 1..4096, -r 1..100, -p 1..%d\n",
			SAMPLES_MAX);
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
	for (i = 0; i < nlive; i++)
		live_size(hv, &live[i], live_rounds, dir, !i);
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
	if (nlive)
		live_report(vendor, live, nlive, live_rounds, mb_memcpy);
	return 0;
}
