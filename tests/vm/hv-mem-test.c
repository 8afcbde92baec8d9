// SPDX-License-Identifier: GPL-2.0
/*
 * hv-mem-test: guest memory for snapshots and clones - dirty-page logging
 * and copy-on-write clones - checked through real memory contents and
 * counts.  Built static for the test initramfs; run by tests/vm/cases.sh.
 *
 *   hv-mem-test CASE [VENDOR]
 *
 *   dirtylog   the guest (tests/guests/pages.S) writes a known set of
 *              pages, some in 2 MiB-backed chunks: GET_DIRTY_LOG reports
 *              exactly those, then nothing; writes through the owner's
 *              mmap are logged; bad arguments change nothing; off works
 *   dirtyrun   the guest keeps writing one page on another CPU while
 *              GET_DIRTY_LOG clears the log, 100 times: each time the
 *              page is dirty again (no vCPU kept a stale writable TLB
 *              entry past the clear)
 *   cloneopen  a clone made by libhv, its vCPU opened with hv_vcpu_open()
 *              and run attached: it goes on from the parent's state and
 *              writes only its own pages
 *   clone      a clone and its parent each write their own pattern to
 *              the same pages and read back only their own; the rest
 *              stays shared (counts, host free memory); mmap writes stay
 *              private; either VM destroyed first, no leak; EEXIST, EBUSY
 *
 * The dirty log and clone ioctls are called raw: libhv's wrappers are
 * being written separately.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "hvtest.h"
#include "hvguest.h"

static struct hv *hv;
static uint32_t vendor;

/* Report a guest's first problem as a failure, with its state. */
static bool guest_ok(struct guest *g, const char *what)
{
	if (!g->why[0]) {
		ok("%s", what);
		return true;
	}
	fail("%s: %s", what, g->why);
	guest_dump(g);
	return false;
}

#define PAGE		4096ULL

/* ------------------------------------------------------------ helpers */

static long set_log(struct hv_vm *vm, uint64_t gpa, uint32_t flags)
{
	struct hv_dirty_log d = { .gpa = gpa, .flags = flags };

	return ioctl(hv_vm_fd(vm), HV_VM_SET_DIRTY_LOG, &d);
}

static long get_log(struct hv_vm *vm, uint64_t gpa, uint64_t *bitmap)
{
	struct hv_dirty_log d = { .gpa = gpa,
				  .bitmap = (uint64_t)(uintptr_t)bitmap };

	return ioctl(hv_vm_fd(vm), HV_VM_GET_DIRTY_LOG, &d);
}

static bool vm_info(struct hv_vm *vm, struct hv_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(hv_vm_fd(vm), HV_VM_GET_INFO, info) == 0;
}

/* Write the page list for pages.S at TABLE_IN. */
static int put_table(struct guest *g, const uint64_t *pages, unsigned int n)
{
	uint64_t *t = hv_vm_gpa_ptr(g->vm, TABLE_IN, PAGE);
	unsigned int i;

	if (!t) {
		guest_why(g, "no mapping of TABLE_IN");
		return -1;
	}
	t[0] = n;
	for (i = 0; i < n; i++)
		t[1 + i] = pages[i];
	return 0;
}

/* Run pages.S from the start with tag @tag, to its HLT. */
static int run_pages(struct guest *g, uint64_t tag, const char *when)
{
	static const uint64_t done[] = { RES_DONE };
	struct hv_regs regs;
	int err;

	err = hv_vcpu_get_regs(g->vcpu, &regs);
	if (!err) {
		regs.rip = GUEST_BASE;
		regs.rsi = tag;
		err = hv_vcpu_set_regs(g->vcpu, &regs);
	}
	if (err) {
		guest_why(g, "%s: set RIP/RSI: %s", when, hv_strerror(err));
		return -1;
	}
	g->nres = 0;
	if (guest_run_expect(g, HV_EXIT_HLT, when) ||
	    guest_expect_results(g, done, 1, when))
		return -1;
	return 0;
}

/* Does the page at @p (GPA @gpa) hold pages.S's pattern for @tag? */
static bool page_has(const uint64_t *p, uint64_t gpa, uint64_t tag)
{
	uint64_t i;

	for (i = 0; i < PAGE / 8; i++)
		if (p[i] != ((gpa + 8 * i) ^ tag))
			return false;
	return true;
}

/*
 * The guest's own page tables (libhv's mode setup puts them in the
 * scratch area): under AMD-V a nested walk may count as a write to them
 * even with every A/D bit set (APM Vol 2, 15.25.5: guest page-table
 * accesses are checked as writes), so the dirty log and COW may see them.
 */
#define SCRATCH_END	(SCRATCH_GPA + 0x10000)

static uint64_t scratch_mask(uint64_t base, uint64_t size, uint64_t word)
{
	uint64_t m = 0, b, gpa;

	for (b = 0; b < 64; b++) {
		gpa = base + (word * 64 + b) * PAGE;
		if (gpa >= SCRATCH_GPA && gpa < SCRATCH_END && gpa < base + size)
			m |= 1ULL << b;
	}
	return m;
}

/*
 * The bitmap must be exactly the bits for @pages inside [base, +size),
 * give or take the guest's page tables.
 */
static bool expect_bits(const uint64_t *bm, uint64_t base, uint64_t size,
			const uint64_t *pages, unsigned int n, const char *what)
{
	uint64_t words = (size / PAGE + 63) / 64, want[1024] = { 0 }, i, m;
	unsigned int k;

	for (k = 0; k < n; k++)
		if (pages[k] >= base && pages[k] < base + size) {
			i = (pages[k] - base) / PAGE;
			want[i / 64] |= 1ULL << (i % 64);
		}
	for (i = 0; i < words; i++) {
		m = ~scratch_mask(base, size, i);
		if ((bm[i] & m) != want[i]) {
			fail("%s: bitmap word %llu = %#llx, expected %#llx", what,
			     (unsigned long long)i, (unsigned long long)bm[i],
			     (unsigned long long)want[i]);
			return false;
		}
	}
	ok("%s: exactly the expected pages", what);
	return true;
}

static bool ram_flags(struct hv_vm *vm, uint32_t f0, uint32_t f1,
		      const char *what)
{
	struct hv_ram_list list;

	memset(&list, 0xff, sizeof(list));
	if (ioctl(hv_vm_fd(vm), HV_VM_GET_RAM, &list)) {
		fail("%s: HV_VM_GET_RAM: %s", what, strerror(errno));
		return false;
	}
	if (list.count != 2 || list.regions[0].gpa != 0 ||
	    list.regions[1].gpa != 2 * MiB || list.regions[0].flags != f0 ||
	    list.regions[1].flags != f1 || list.regions[2].size != 0) {
		fail("%s: GET_RAM count %u, flags %#x %#x, expected 2, %#x %#x",
		     what, list.count, list.regions[0].flags,
		     list.regions[1].flags, f0, f1);
		return false;
	}
	ok("%s: HV_VM_GET_RAM lists both regions, flags %#x %#x", what, f0,
	   f1);
	return true;
}

/* ----------------------------------------------------------- dirtyrun */

#define DR_COUNTER	0x5000ULL
/* Without the flush, QEMU showed a stale entry within 20 rounds. */
#define DR_ROUNDS	100

/* Real mode at GUEST_BASE: for (;;) ++*(uint32_t *)DR_COUNTER; */
static const uint8_t dr_code[] = {
	0x66, 0xff, 0x06, 0x00, 0x50,	/* inc dword [0x5000] */
	0xeb, 0xf9,			/* jmp GUEST_BASE */
};

struct dr_runner {
	struct guest *g;
	volatile bool stop;
	int err;		/* what the last run returned, if not EINTR */
	uint32_t reason;
};

static void dr_nop(int sig)
{
}

/* Enter the guest until told to stop; a signal makes each run return. */
static void *dr_run(void *arg)
{
	struct dr_runner *r = arg;

	while (!r->stop) {
		int err = hv_vcpu_run(r->g->vcpu);

		if (err && err != -EINTR) {
			r->err = err;
			break;
		}
		if (!err && r->g->run->exit_reason != HV_EXIT_INTR) {
			r->reason = r->g->run->exit_reason;
			break;
		}
	}
	return NULL;
}

/*
 * Wait until the counter moves past @from, without sleeping: the next
 * GET must come before anything else (a host timer tick, a sleep) makes
 * the vCPU leave the guest and re-enter, which would hide a missing
 * flush.  Gives up after about 20 s.
 */
static bool dr_moves(volatile uint32_t *ctr, uint32_t from)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		unsigned int i;

		for (i = 0; i < 100000; i++)
			if (*ctr != from)
				return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 20);
	return false;
}

static void case_dirtyrun(void)
{
	struct dr_runner r = { 0 };
	volatile uint32_t *ctr;
	struct sigaction sa;
	uint64_t bm[8];
	pthread_t t;
	struct guest g;
	unsigned int i, page = DR_COUNTER / PAGE;
	int err;

	if (guest_init(&g, hv, vendor, "dr", 2 * MiB, NULL, HV_MODE_REAL, 0) ||
	    hv_load_flat_mem(g.vm, dr_code, sizeof(dr_code), GUEST_BASE)) {
		guest_ok(&g, "spinning writer set up");
		guest_fini(&g);
		return;
	}
	ctr = hv_vm_gpa_ptr(g.vm, DR_COUNTER, 4);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dr_nop;		/* no SA_RESTART: the run returns */
	sigaction(SIGUSR1, &sa, NULL);
	if (!expect_success(set_log(g.vm, 0, HV_DIRTY_LOG_ENABLE),
			    "enable logging"))
		goto out;
	r.g = &g;
	err = pthread_create(&t, NULL, dr_run, &r);
	if (err) {
		fail("pthread_create: %s", strerror(err));
		goto out;
	}
	if (!dr_moves(ctr, 0)) {
		fail("the guest does not count (counter %u)", *ctr);
		goto stop;
	}
	for (i = 0; i < DR_ROUNDS; i++) {
		uint32_t c;

		memset(bm, 0, sizeof(bm));
		if (get_log(g.vm, 0, bm)) {
			fail("round %u: GET: %s", i, strerror(errno));
			goto stop;
		}
		/* Every write after the clear must be seen: wait for some */
		c = *ctr;
		if (!dr_moves(ctr, c)) {
			fail("round %u: the guest stopped counting at %u", i, c);
			goto stop;
		}
		memset(bm, 0, sizeof(bm));
		if (get_log(g.vm, 0, bm)) {
			fail("round %u: GET: %s", i, strerror(errno));
			goto stop;
		}
		if (!(bm[page / 64] >> (page % 64) & 1)) {
			fail("round %u: the counter page went from %u to %u "
			     "after the log was cleared, but is not dirty: a "
			     "vCPU wrote through a stale translation", i, c,
			     *ctr);
			goto stop;
		}
	}
	ok("%u clears while the guest writes on another CPU: each time the "
	   "page is dirty again (counter at %u)", DR_ROUNDS, *ctr);
stop:
	r.stop = true;
	for (;;) {		/* a signal between two runs is lost: repeat */
		struct timespec ts = { 0, 1000000 };

		pthread_kill(t, SIGUSR1);
		if (pthread_tryjoin_np(t, NULL) == 0)
			break;
		nanosleep(&ts, NULL);
	}
	if (r.err)
		fail("the vCPU run failed: %s", hv_strerror(r.err));
	else if (r.reason)
		fail("the guest exited with reason %u", r.reason);
out:
	guest_fini(&g);
}

/* ---------------------------------------------------------- cloneopen */

/*
 * A clone run attached: libhv's hv_vm_clone(), then hv_vcpu_open() for
 * the vCPU the clone already has.  The clone goes on from the parent's
 * state (RIP after its HLT) and writes its own pattern; the parent's
 * pages keep the parent's.
 */
static void case_cloneopen(void)
{
	static const uint64_t pages[] = { 0x100000, 0x300000, 0x5a3000 };
	struct guest g, c;
	struct hv_regs regs;
	unsigned int k;
	char name[HV_NAME_LEN];
	int err;

	if (guest_init(&g, hv, vendor, "co", 8 * MiB, "pages.bin",
		       HV_MODE_LONG64, 0) ||
	    put_table(&g, pages, 3) || run_pages(&g, 0xaaaa, "parent")) {
		guest_ok(&g, "parent writes its pattern");
		guest_fini(&g);
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(name, sizeof(name), "hvt-coc-%d", (int)getpid());
	err = hv_vm_clone(g.vm, name, 0, &c.vm);
	if (err) {
		fail("hv_vm_clone: %s", hv_strerror(err));
		goto out;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	err = hv_vcpu_open(c.vm, 1, &c.vcpu);
	if (err != -ENOENT) {
		fail("hv_vcpu_open of a vCPU the clone lacks: %s, expected "
		     "ENOENT", hv_strerror(err));
		goto out;
	}
	ok("hv_vcpu_open of a vCPU the clone lacks -> ENOENT");
	err = hv_vcpu_open(c.vm, 0, &c.vcpu);
	if (err) {
		fail("hv_vcpu_open(clone, 0): %s", hv_strerror(err));
		goto out;
	}
	c.run = hv_vcpu_run_area(c.vcpu);
	/* The clone's vCPU is where the parent's stopped */
	if (hv_vcpu_get_regs(c.vcpu, &regs) ||
	    !expect_eq(regs.rsi, 0xaaaa, "the clone's RSI is the parent's"))
		goto out;
	if (hv_vm_map_ram(c.vm, 0, 2 * MiB) ||
	    hv_vm_map_ram(c.vm, 2 * MiB, 6 * MiB)) {
		fail("mapping the clone's RAM");
		goto out;
	}
	if (run_pages(&c, 0xbbbb, "clone, attached")) {
		guest_ok(&c, "the clone runs attached");
		goto out;
	}
	for (k = 0; k < 3; k++) {
		uint64_t *pp = hv_vm_gpa_ptr(g.vm, pages[k], PAGE);
		uint64_t *pc = hv_vm_gpa_ptr(c.vm, pages[k], PAGE);

		if (!pp || !pc || !page_has(pp, pages[k], 0xaaaa) ||
		    !page_has(pc, pages[k], 0xbbbb)) {
			fail("page %#llx: parent or clone does not hold its own "
			     "pattern", (unsigned long long)pages[k]);
			goto out;
		}
	}
	ok("the clone ran attached through hv_vcpu_open and wrote only its "
	   "own pages");
out:
	guest_fini(&c);
	guest_fini(&g);
}

/* ----------------------------------------------------------- dirtylog */

/* In region 0 [0, 2 MiB) and region 1 [2 MiB, 8 MiB), 2 MiB-backed. */
static const uint64_t dl_pages[] = {
	0x100000, 0x1ff000, 0x200000, 0x201000, 0x3ff000, 0x5a3000, 0x7ff000,
};
#define DL_N	(sizeof(dl_pages) / sizeof(dl_pages[0]))

static void case_dirtylog(void)
{
	uint64_t bm0[8], bm1[24], *p;
	const uint64_t user_pages[] = { 0x150000, 0x300000, 0x600000 };
	struct hv_vm_info info;
	struct hv_dirty_log d;
	struct guest g;
	unsigned int i;
	uint64_t epoch;

	if (guest_init(&g, hv, vendor, "dl", 8 * MiB, "pages.bin",
		       HV_MODE_LONG64, 0)) {
		guest_ok(&g, "dirty-log guest set up");
		return;
	}
	/* Warm up first: the guest's page-table A/D bits are set by now. */
	if (put_table(&g, dl_pages, DL_N) || run_pages(&g, 0x1111, "warm-up"))
		goto out;
	if (!ram_flags(g.vm, 0, 0, "logging off"))
		goto out;

	if (!expect_success(set_log(g.vm, 0, HV_DIRTY_LOG_ENABLE),
			    "enable logging of region 0") ||
	    !expect_success(set_log(g.vm, 2 * MiB, HV_DIRTY_LOG_ENABLE),
			    "enable logging of region 1") ||
	    !ram_flags(g.vm, HV_RAM_DIRTY_LOG, HV_RAM_DIRTY_LOG, "logging on"))
		goto out;
	memset(bm0, 0xff, sizeof(bm0));
	memset(bm1, 0xff, sizeof(bm1));
	if (!expect_success(get_log(g.vm, 0, bm0), "GET region 0") ||
	    !expect_success(get_log(g.vm, 2 * MiB, bm1), "GET region 1") ||
	    !expect_bits(bm0, 0, 2 * MiB, NULL, 0, "just enabled, region 0") ||
	    !expect_bits(bm1, 2 * MiB, 6 * MiB, NULL, 0,
			 "just enabled, region 1"))
		goto out;

	/* Twice: the first GET must have write-protected the pages again */
	for (i = 0; i < 2; i++) {
		uint64_t tag = 0x2222 + i;

		if (run_pages(&g, tag, "guest writes"))
			goto out;
		if (!expect_success(get_log(g.vm, 0, bm0), "GET region 0") ||
		    !expect_success(get_log(g.vm, 2 * MiB, bm1),
				    "GET region 1") ||
		    !expect_bits(bm0, 0, 2 * MiB, dl_pages, DL_N,
				 "guest writes, region 0") ||
		    !expect_bits(bm1, 2 * MiB, 6 * MiB, dl_pages, DL_N,
				 "guest writes, region 1 (2 MiB-backed)"))
			goto out;
		p = hv_vm_gpa_ptr(g.vm, 0x5a3000, PAGE);
		if (!p || !page_has(p, 0x5a3000, tag)) {
			fail("page 0x5a3000 does not hold the guest's pattern");
			goto out;
		}
		/* A second GET with no write in between: nothing */
		if (!expect_success(get_log(g.vm, 0, bm0), "GET again") ||
		    !expect_success(get_log(g.vm, 2 * MiB, bm1), "GET again") ||
		    !expect_bits(bm0, 0, 2 * MiB, NULL, 0, "no writes, region 0") ||
		    !expect_bits(bm1, 2 * MiB, 6 * MiB, NULL, 0,
				 "no writes, region 1"))
			goto out;
	}
	if (!vm_info(g.vm, &info) ||
	    !expect_eq(info.dirty_epoch, 2 + 2 * 4, "dirty_epoch after 10 GETs"))
		goto out;
	epoch = info.dirty_epoch;

	/* Writes through the owner's mmap are logged, each time anew */
	for (i = 0; i < 2; i++) {
		unsigned int k;

		for (k = 0; k < 3; k++) {
			p = hv_vm_gpa_ptr(g.vm, user_pages[k], PAGE);
			p[5] = 0xabcd0000 + i;
		}
		if (!expect_success(get_log(g.vm, 0, bm0), "GET region 0") ||
		    !expect_success(get_log(g.vm, 2 * MiB, bm1),
				    "GET region 1") ||
		    !expect_bits(bm0, 0, 2 * MiB, user_pages, 3,
				 "mmap writes, region 0") ||
		    !expect_bits(bm1, 2 * MiB, 6 * MiB, user_pages, 3,
				 "mmap writes, region 1"))
			goto out;
	}

	/* Bad arguments: EINVAL / EFAULT, and nothing changed */
	p = hv_vm_gpa_ptr(g.vm, 0x300000, PAGE);
	p[0] = 1;			/* dirty: a bad GET must not clear it */
	memset(&d, 0, sizeof(d));
	d.gpa = 0x1000;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG, &d), EINVAL,
		     "SET at a GPA inside a region, not its start");
	d.gpa = 64 * MiB;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG, &d), EINVAL,
		     "SET at a GPA without RAM");
	d.gpa = 2 * MiB;
	d.flags = 2;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG, &d), EINVAL,
		     "SET with an unknown flag");
	d.flags = 0;
	d.reserved[1] = 1;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG, &d), EINVAL,
		     "SET with reserved set");
	d.reserved[1] = 0;
	d.pad = 1;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG, &d), EINVAL,
		     "SET with pad set");
	d.pad = 0;
	d.flags = HV_DIRTY_LOG_ENABLE;
	d.bitmap = (uint64_t)(uintptr_t)bm1;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_GET_DIRTY_LOG, &d), EINVAL,
		     "GET with a flag");
	d.flags = 0;
	d.reserved[0] = 1;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_GET_DIRTY_LOG, &d), EINVAL,
		     "GET with reserved set");
	d.reserved[0] = 0;
	d.gpa = 3 * MiB;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_GET_DIRTY_LOG, &d), EINVAL,
		     "GET inside a region");
	expect_errno(get_log(g.vm, 2 * MiB, (uint64_t *)8), EFAULT,
		     "GET to a bad pointer");
	if (!ram_flags(g.vm, HV_RAM_DIRTY_LOG, HV_RAM_DIRTY_LOG,
		       "after bad arguments") ||
	    !vm_info(g.vm, &info) ||
	    !expect_eq(info.dirty_epoch, epoch + 4 + 0,
		       "dirty_epoch unchanged by failed GETs") ||
	    !expect_success(get_log(g.vm, 2 * MiB, bm1), "GET region 1") ||
	    !expect_bits(bm1, 2 * MiB, 6 * MiB, user_pages + 1, 1,
			 "the page dirtied before the bad GETs"))
		goto out;

	/* Off: GET refuses, the guest still writes, region 0 unaffected */
	if (!expect_success(set_log(g.vm, 2 * MiB, 0),
			    "switch logging of region 1 off"))
		goto out;
	expect_errno(get_log(g.vm, 2 * MiB, bm1), EINVAL,
		     "GET with logging off");
	if (!ram_flags(g.vm, HV_RAM_DIRTY_LOG, 0, "region 1 off") ||
	    run_pages(&g, 0x4444, "guest writes, region 1 not logged"))
		goto out;
	for (i = 0; i < DL_N; i++) {
		p = hv_vm_gpa_ptr(g.vm, dl_pages[i], PAGE);
		if (!page_has(p, dl_pages[i], 0x4444)) {
			fail("page %#llx lacks the guest's pattern",
			     (unsigned long long)dl_pages[i]);
			goto out;
		}
	}
	ok("every page holds what the guest wrote with logging off");
	if (!expect_success(get_log(g.vm, 0, bm0), "GET region 0") ||
	    !expect_bits(bm0, 0, 2 * MiB, dl_pages, DL_N,
			 "region 0 still logged"))
		goto out;
	/* On again: every page starts clean */
	if (!expect_success(set_log(g.vm, 2 * MiB, HV_DIRTY_LOG_ENABLE),
			    "logging of region 1 on again") ||
	    !expect_success(get_log(g.vm, 2 * MiB, bm1), "GET region 1") ||
	    !expect_bits(bm1, 2 * MiB, 6 * MiB, NULL, 0, "on again: clean") ||
	    run_pages(&g, 0x5555, "guest writes") ||
	    !expect_success(get_log(g.vm, 2 * MiB, bm1), "GET region 1") ||
	    !expect_bits(bm1, 2 * MiB, 6 * MiB, dl_pages, DL_N,
			 "on again: the guest's pages"))
		goto out;
out:
	guest_ok(&g, "dirty logging");
	guest_fini(&g);
}

/* -------------------------------------------------------------- clone */

/* Free pages: buddy plus per-CPU lists (see hv-guest-test's cycles). */
static long free_pages(void)
{
	char line[256];
	long v, n = 0;
	FILE *f;

	sync();
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	usleep(50 * 1000);
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " pages free %ld", &v) == 1 ||
		    sscanf(line, " count: %ld", &v) == 1)
			n += v;
	fclose(f);
	return n;
}

#define CL_RAM		(64 * MiB)
#define CL_PAGES	(CL_RAM / PAGE)
#define BASE_TAG	0xba5eba5e00000000ULL
#define PARENT_TAG	0x9a9e000000000001ULL
#define CLONE_TAG	0xc1000e0000000002ULL

static const uint64_t cl_pages[] = {
	0x100000, 0x101000, 0x1ff000,			/* region 0 */
	0x200000, 0x2ff000, 0x400000, 0x401000, 0x402000,
	0x1234000, 0x2000000, 0x3fff000,		/* 2 MiB-backed */
};
#define CL_N	(sizeof(cl_pages) / sizeof(cl_pages[0]))

static bool listed(uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < CL_N; i++)
		if (cl_pages[i] == gpa)
			return true;
	return false;
}

static int do_clone(struct hv_vm *vm, const char *name, uint32_t flags)
{
	struct hv_vm_clone c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.flags = flags;
	return ioctl(hv_vm_fd(vm), HV_VM_CLONE, &c);
}

/* Open a clone by name and map its RAM like guest_init's. */
static struct hv_vm *open_clone(const char *name, uint64_t ram)
{
	struct hv_vm *vm = NULL;
	int err = hv_vm_open(hv, name, &vm);

	if (!err)
		err = hv_vm_map_ram(vm, 0, 2 * MiB);
	if (!err)
		err = hv_vm_map_ram(vm, 2 * MiB, ram - 2 * MiB);
	if (err) {
		fail("open and map clone %s: %s", name, hv_strerror(err));
		hv_vm_close(vm);
		return NULL;
	}
	return vm;
}

/* Run a clone managed until pages.S's report stops it (port 0xf4). */
static bool run_clone(struct hv_vm *c)
{
	struct hv_vm_info info;
	int err = hv_vm_start(c);

	if (!err)
		err = hv_vm_wait_stopped(c, 60000, &info);
	if (err) {
		fail("run the clone: %s", hv_strerror(err));
		return false;
	}
	/* The debug-exit port takes the low byte, as QEMU's isa-debug-exit */
	if (info.stop_reason != HV_STOP_DEBUG_EXIT ||
	    info.exit_status != (((RES_DONE & 0xff) << 1) | 1)) {
		fail("clone stopped: reason %u status %#x, expected debug-exit "
		     "%#x", info.stop_reason, info.exit_status,
		     ((RES_DONE & 0xff) << 1) | 1);
		return false;
	}
	ok("the clone ran from the parent's state to its report");
	return true;
}

/* Every page of @vm: listed ones hold @tag's pattern, the rest BASE_TAG. */
static bool check_ram(struct hv_vm *vm, uint64_t tag, const char *who)
{
	uint64_t gpa;

	for (gpa = 0x100000; gpa < CL_RAM; gpa += PAGE) {
		const uint64_t *p = hv_vm_gpa_ptr(vm, gpa, PAGE);
		uint64_t want = listed(gpa) ? tag : BASE_TAG;

		if (!p || !page_has(p, gpa, want)) {
			fail("%s: page %#llx holds %#llx, expected the %s "
			     "pattern", who, (unsigned long long)gpa,
			     p ? (unsigned long long)p[0] : 0ULL,
			     listed(gpa) ? "own" : "shared base");
			return false;
		}
	}
	ok("%s: its own pattern where it wrote, the shared one elsewhere",
	   who);
	return true;
}

/*
 * cow_copies must be @copies plus at most @pt copies of the guest's page
 * tables (see SCRATCH_END), and shared_pages the rest; returns the
 * number of page-table copies (0 when @pt is 0), or -1.
 */
static int expect_cow_pt(struct hv_vm *vm, uint64_t copies, uint64_t pt,
			 const char *who)
{
	struct hv_vm_info info;

	if (!vm_info(vm, &info)) {
		fail("%s: GET_INFO: %s", who, strerror(errno));
		return -1;
	}
	if (info.cow_copies < copies || info.cow_copies > copies + pt ||
	    info.shared_pages != CL_PAGES - info.cow_copies) {
		fail("%s: cow_copies %llu (expected %llu, + up to %llu page "
		     "tables), shared_pages %llu (expected %llu)", who,
		     (unsigned long long)info.cow_copies,
		     (unsigned long long)copies, (unsigned long long)pt,
		     (unsigned long long)info.shared_pages,
		     (unsigned long long)(CL_PAGES - info.cow_copies));
		return -1;
	}
	ok("%s: cow_copies %llu (%llu page tables), shared_pages %llu", who,
	   (unsigned long long)info.cow_copies,
	   (unsigned long long)(info.cow_copies - copies),
	   (unsigned long long)info.shared_pages);
	return (int)(info.cow_copies - copies);
}

static bool expect_cow(struct hv_vm *vm, uint64_t copies, const char *who)
{
	return expect_cow_pt(vm, copies, 0, who) == 0;
}

/* A parent with the base pattern, its guest warmed up. */
static int clone_parent(struct guest *g, const char *tag)
{
	uint64_t gpa, i, *p;

	if (guest_init(g, hv, vendor, tag, CL_RAM, "pages.bin",
		       HV_MODE_LONG64, 0))
		return -1;
	for (gpa = 0x100000; gpa < CL_RAM; gpa += PAGE) {
		p = hv_vm_gpa_ptr(g->vm, gpa, PAGE);
		for (i = 0; i < PAGE / 8; i++)
			p[i] = (gpa + 8 * i) ^ BASE_TAG;
	}
	/* The warm-up writes the base pattern again and sets A/D bits */
	if (put_table(g, cl_pages, CL_N) || run_pages(g, BASE_TAG, "warm-up"))
		return -1;
	return 0;
}

/* Set the parent's vCPU to run pages.S with @tag next. */
static int arm(struct guest *g, uint64_t tag)
{
	struct hv_regs regs;
	int err = hv_vcpu_get_regs(g->vcpu, &regs);

	if (!err) {
		regs.rip = GUEST_BASE;
		regs.rsi = tag;
		err = hv_vcpu_set_regs(g->vcpu, &regs);
	}
	return err;
}

static void clone_busy(void)
{
	char name[HV_NAME_LEN];
	struct guest g;

	if (guest_init(&g, hv, vendor, "busy", 2 * MiB, "spin.bin",
		       HV_MODE_LONG64, 0)) {
		guest_ok(&g, "busy guest set up");
		return;
	}
	if (hv_vm_start(g.vm)) {
		guest_why(&g, "start the spinning VM");
	} else {
		usleep(100 * 1000);
		snprintf(name, sizeof(name), "hvt-bc-%d", (int)getpid());
		expect_errno(do_clone(g.vm, name, 0), EBUSY,
			     "clone of a running managed VM");
		hv_vm_stop(g.vm);
	}
	guest_ok(&g, "running VM not cloned");
	guest_fini(&g);
}

static void case_clone(void)
{
	char cname[HV_NAME_LEN];
	struct hv_vm_info pi, ci;
	struct hv_vm *c = NULL;
	struct hv_vm_clone bad;
	struct timespec t0, t1;
	long before, after_clone, after_runs, after;
	uint64_t *pp, *cp;
	struct guest g;
	int fd, round, ppt, cpt;

	for (round = 0; round < 2; round++) {
		bool parent_first = round == 0;

		before = free_pages();
		if (clone_parent(&g, "cp")) {
			guest_ok(&g, "clone parent set up");
			return;
		}
		snprintf(cname, sizeof(cname), "hvt-cc-%d", (int)getpid());

		/* Refused: nothing may change in the parent */
		expect_errno(do_clone(g.vm, g.name, 0), EEXIST,
			     "clone under a taken name");
		memset(&bad, 0, sizeof(bad));
		snprintf(bad.name, sizeof(bad.name), "%s", cname);
		bad.reserved[3] = 1;
		expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_CLONE, &bad), EINVAL,
			     "clone with reserved set");
		bad.reserved[3] = 0;
		bad.flags = 2;
		expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_CLONE, &bad), EINVAL,
			     "clone with an unknown flag");
		expect_errno(do_clone(g.vm, "-bad", 0), EINVAL,
			     "clone with a bad name");
		if (!vm_info(g.vm, &pi) ||
		    !expect_eq(pi.shared_pages, 0, "parent shares nothing yet"))
			goto out;

		if (arm(&g, CLONE_TAG))
			goto out;
		after_clone = free_pages();
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fd = do_clone(g.vm, cname, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!expect_success(fd, "HV_VM_CLONE"))
			goto out;
		ok("cloned %llu MiB in %.1f ms", CL_RAM / MiB,
		   (t1.tv_sec - t0.tv_sec) * 1e3 +
		   (t1.tv_nsec - t0.tv_nsec) / 1e6);
		close(fd);
		c = open_clone(cname, CL_RAM);
		if (!c)
			goto out;
		if (!vm_info(g.vm, &pi) || !vm_info(c, &ci))
			goto out;
		if (!expect_eq(ci.state, HV_VM_STATE_CREATED, "clone's state") ||
		    !expect_eq(ci.nr_vcpus, 1, "clone's vCPUs") ||
		    !expect_eq(ci.mem_size, CL_RAM, "clone's RAM") ||
		    !expect_eq(ci.id != pi.id && ci.id && pi.id, 1,
			       "the two VMs' ids differ") ||
		    !expect_cow(g.vm, 0, "parent after clone") ||
		    !expect_cow(c, 0, "clone after clone"))
			goto out;
		if (!check_ram(c, BASE_TAG, "clone before any write"))
			goto out;

		/* Each writes its own pattern to the same pages */
		if (arm(&g, PARENT_TAG) || !run_clone(c) ||
		    run_pages(&g, PARENT_TAG, "parent writes"))
			goto out;
		after_runs = free_pages();
		if (!check_ram(g.vm, PARENT_TAG, "parent") ||
		    !check_ram(c, CLONE_TAG, "clone") ||
		    (ppt = expect_cow_pt(g.vm, CL_N, SCRATCH_END / PAGE - 16,
					 "parent after writes")) < 0 ||
		    (cpt = expect_cow_pt(c, CL_N, SCRATCH_END / PAGE - 16,
					 "clone after writes")) < 0)
			goto out;
		/* Whole RAM is 16384 pages; the copies are 2 x 11 */
		if (after_clone - after_runs > 1024) {
			fail("free pages fell by %ld over clone and writes; "
			     "%llu pages of RAM were shared",
			     after_clone - after_runs,
			     (unsigned long long)CL_PAGES);
			goto out;
		}
		ok("free pages fell by %ld for a clone of %llu pages",
		   after_clone - after_runs, (unsigned long long)CL_PAGES);

		/* A write through the parent's mmap stays the parent's */
		pp = hv_vm_gpa_ptr(g.vm, 0x3000000, PAGE);
		cp = hv_vm_gpa_ptr(c, 0x3000000, PAGE);
		pp[7] = 0x77;
		if (cp[7] != (0x3000038 ^ BASE_TAG) || pp[7] != 0x77) {
			fail("mmap write to the parent: parent %#llx clone %#llx",
			     (unsigned long long)pp[7],
			     (unsigned long long)cp[7]);
			goto out;
		}
		ok("a write through the parent's mmap does not reach the clone");
		pp = hv_vm_gpa_ptr(g.vm, 0x3001000, PAGE);
		cp = hv_vm_gpa_ptr(c, 0x3001000, PAGE);
		cp[9] = 0x99;
		if (pp[9] != (0x3001048 ^ BASE_TAG) || cp[9] != 0x99) {
			fail("mmap write to the clone: parent %#llx clone %#llx",
			     (unsigned long long)pp[9],
			     (unsigned long long)cp[9]);
			goto out;
		}
		ok("a write through the clone's mmap does not reach the parent");
		if (!expect_cow(g.vm, CL_N + ppt + 1,
				"parent after an mmap write") ||
		    !expect_cow(c, CL_N + cpt + 1, "clone after an mmap write"))
			goto out;
		/* Back to the base pattern (both pages are private by now) */
		pp = hv_vm_gpa_ptr(g.vm, 0x3000000, PAGE);
		cp = hv_vm_gpa_ptr(c, 0x3001000, PAGE);
		pp[7] = 0x3000038 ^ BASE_TAG;
		cp[9] = 0x3001048 ^ BASE_TAG;
		if (!expect_cow(g.vm, CL_N + ppt + 1, "parent, no new copy") ||
		    !expect_cow(c, CL_N + cpt + 1, "clone, no new copy"))
			goto out;

		/* One goes; the other keeps every byte */
		if (parent_first) {
			guest_fini(&g);
			if (!check_ram(c, CLONE_TAG, "clone, parent gone"))
				goto out;
		} else {
			if (hv_vm_destroy(c))
				fail("destroy the clone");
			c = NULL;
			if (!check_ram(g.vm, PARENT_TAG, "parent, clone gone"))
				goto out;
		}
out:
		if (c && hv_vm_destroy(c))
			fail("destroy the clone");
		c = NULL;
		guest_ok(&g, parent_first ? "clone; parent destroyed first" :
					    "clone; clone destroyed first");
		guest_fini(&g);
		if (hvtest_failures)
			return;
		after = free_pages();
		if (before - after > 256)
			fail("%ld pages not freed after both VMs went",
			     before - after);
		else
			ok("both VMs gone, free pages back (%+ld)",
			   after - before);
	}
	clone_busy();
}

/* ------------------------------------------------------------------ */

static const struct guest_case cases[] = {
	{ "dirtylog", case_dirtylog },
	{ "dirtyrun", case_dirtyrun },
	{ "cloneopen", case_cloneopen },
	{ "clone", case_clone },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-mem-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
