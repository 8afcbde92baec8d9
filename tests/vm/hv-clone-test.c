// SPDX-License-Identifier: GPL-2.0
/*
 * hv-clone-test: copy-on-write clones, checked through real memory
 * contents and counts.  Built static for the test initramfs; run by
 * tests/vm/cases.sh.
 *
 *   hv-clone-test CASE [VENDOR]
 *
 *   clone      a clone and its parent each write their own pattern to
 *              the same pages and read back only their own; the rest
 *              stays shared (counts, host free memory); mmap writes stay
 *              private; either VM destroyed first, no leak; EEXIST, EBUSY;
 *              HV_CLONE_HOLD of a running VM: paused for the clone only,
 *              counted in clone.holds and clone.hold_ns
 *   cloneopen  a clone made by libhv, its vCPU opened with hv_vcpu_open()
 *              and run attached: it goes on from the parent's state and
 *              writes only its own pages
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "hvtest.h"
#include "hvguest.h"
#include "hvmem.h"

static struct hv *hv;
static uint32_t vendor;

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

/* -------------------------------------------------------------- clone */

/* Free pages: buddy plus per-CPU lists (see hv-guest-test's cycles). */
static long free_pages(void)
{
	char line[256];
	long v, n = 0;
	FILE *f;

	hvtest_settle_memory();
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

static int do_clone_how(struct hv_vm *vm, const char *name, uint32_t flags,
			uint32_t how)
{
	struct hv_vm_clone c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.flags = flags;
	c.how = how;
	return ioctl(hv_vm_fd(vm), HV_VM_CLONE, &c);
}

static int do_clone(struct hv_vm *vm, const char *name, uint32_t flags)
{
	return do_clone_how(vm, name, flags, 0);
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
 * The first writes to shared pages must be @copies plus at most @pt of
 * the guest's page tables (see SCRATCH_END), each either a copy
 * (cow_copies) or, when nobody else held the page any more, made
 * writable in place (mem.cow_reused); shared_pages the rest.  Returns
 * how many page tables (0 when @pt is 0), or -1.
 */
static int expect_cow_pt(struct hv_vm *vm, uint64_t copies, uint64_t pt,
			 const char *who)
{
	struct hv_vm_info info;
	int64_t reused = hvtest_vm_stat(hv, vm, HV_STATS_VM, "mem.cow_reused");
	uint64_t firsts;

	if (!vm_info(vm, &info)) {
		fail("%s: GET_INFO: %s", who, strerror(errno));
		return -1;
	}
	if (reused < 0) {
		fail("%s: no counter mem.cow_reused (%lld)", who,
		     (long long)reused);
		return -1;
	}
	firsts = info.cow_copies + (uint64_t)reused;
	if (firsts < copies || firsts > copies + pt ||
	    info.shared_pages != CL_PAGES - firsts) {
		fail("%s: cow_copies %llu + reused %lld (expected %llu, + up "
		     "to %llu page tables), shared_pages %llu (expected %llu)",
		     who, (unsigned long long)info.cow_copies,
		     (long long)reused, (unsigned long long)copies,
		     (unsigned long long)pt,
		     (unsigned long long)info.shared_pages,
		     (unsigned long long)(CL_PAGES - firsts));
		return -1;
	}
	ok("%s: cow_copies %llu, reused %lld (%llu page tables), "
	   "shared_pages %llu", who, (unsigned long long)info.cow_copies,
	   (long long)reused, (unsigned long long)(firsts - copies),
	   (unsigned long long)info.shared_pages);
	return (int)(firsts - copies);
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

/*
 * HV_CLONE_HOLD of the running VM: the kernel pauses it for the instant
 * only.  The source runs on, the clone waits (created, its vCPU in the
 * source's loop), and the source's counters say it was held once.
 */
static void clone_hold(struct guest *g, const char *name)
{
	struct hv_vm_info si, ci;
	struct hv_vcpu *cv = NULL;
	struct hv_vm *c = NULL;
	struct hv_regs regs;
	int64_t holds, ns;
	int fd;

	expect_errno(do_clone_how(g->vm, name, 0, 2), EINVAL,
		     "clone with an unknown HV_CLONE_* bit");
	expect_errno(do_clone_how(g->vm, name, 0, HV_CLONE_HOLD | 1u << 31),
		     EINVAL, "clone with HV_CLONE_HOLD and an unknown bit");
	fd = do_clone_how(g->vm, name, HV_VM_DESTROY_ON_CLOSE, HV_CLONE_HOLD);
	if (fd < 0) {
		fail("HV_CLONE_HOLD of a running managed VM: %s",
		     strerror(errno));
		return;
	}
	if (hv_vm_info(g->vm, &si) || si.state != HV_VM_STATE_RUNNING)
		fail("the source after HV_CLONE_HOLD: state %u, expected "
		     "running", si.state);
	else
		ok("the source runs on after HV_CLONE_HOLD");
	holds = hvtest_vm_stat(hv, g->vm, HV_STATS_VM, "clone.holds");
	ns = hvtest_vm_stat(hv, g->vm, HV_STATS_VM, "clone.hold_ns");
	if (holds != 1 || ns <= 0)
		fail("the source's clone.holds %lld, clone.hold_ns %lld: "
		     "expected 1 and > 0", (long long)holds, (long long)ns);
	else
		ok("the source was held once, for %lld us", (long long)ns / 1000);

	if (hv_vm_open(hv, name, &c) || hv_vm_info(c, &ci) ||
	    hv_vcpu_open(c, 0, &cv) || hv_vcpu_get_regs(cv, &regs)) {
		fail("open the held clone and read its vCPU");
	} else if (ci.state != HV_VM_STATE_CREATED ||
		   ci.mem_size != si.mem_size ||
		   regs.rip < GUEST_BASE || regs.rip >= GUEST_BASE + 0x1000) {
		fail("the held clone: state %u, %llu bytes, RIP %#llx: "
		     "expected created, %llu bytes, RIP in the spin loop",
		     ci.state, (unsigned long long)ci.mem_size,
		     (unsigned long long)regs.rip,
		     (unsigned long long)si.mem_size);
	} else {
		ok("the held clone waits, created, its vCPU at %#llx",
		   (unsigned long long)regs.rip);
	}
	hv_vcpu_close(cv);
	hv_vm_close(c);
	close(fd);	/* HV_VM_DESTROY_ON_CLOSE */
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
		clone_hold(&g, name);
		hv_vm_stop(g.vm);
	}
	guest_ok(&g, "running VM: EBUSY, or held by HV_CLONE_HOLD");
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
	int64_t reused;
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
		/*
		 * The clone wrote first and let go of the originals of its
		 * pages: the parent's are its own again, made writable in
		 * place, not copied (nobody maps them: the clone zapped the
		 * parent's mmap).
		 */
		reused = hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "mem.cow_reused");
		if (reused < (int64_t)CL_N) {
			fail("parent after writes: mem.cow_reused %lld, expected "
			     "at least the %zu pages the clone copied first",
			     (long long)reused, CL_N);
			goto out;
		}
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
	{ "clone", case_clone },
	{ "cloneopen", case_cloneopen },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-clone-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
