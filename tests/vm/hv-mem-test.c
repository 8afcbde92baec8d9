// SPDX-License-Identifier: GPL-2.0
/*
 * hv-mem-test: dirty-page logging, checked through real memory contents
 * and bitmaps.  Built static for the test initramfs; run by
 * tests/vm/cases.sh.  Clones are in hv-clone-test.c.
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
 *
 * The dirty-log ioctls are called raw (tests/vm/hvmem.h), to see their
 * exact errnos.
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
#include "hvmem.h"

static struct hv *hv;
static uint32_t vendor;

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

/* ------------------------------------------------------------------ */

static const struct guest_case cases[] = {
	{ "dirtylog", case_dirtylog },
	{ "dirtyrun", case_dirtyrun },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-mem-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
