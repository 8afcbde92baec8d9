// SPDX-License-Identifier: GPL-2.0
/*
 * hv-memacct-test: guest RAM accounting and a failed HV_VM_ADD_RAM
 * (issue 11, defects 1 and 2).  Built static for the test initramfs; run
 * by tests/vm/cases-mem.sh.
 *
 *   hv-memacct-test CASE [VENDOR]
 *
 *   addfail   a vCPU has run over region 0; for k = 1, 2, ... the k-th
 *             hv allocation from now (and every later one) fails
 *             (debugfs hv/fail_nth) while ADD_RAM adds a region that
 *             needs new NPT/EPT tables: ENOMEM, GET_RAM unchanged, the
 *             vCPU still runs its guest over the old RAM (values it
 *             reads and writes checked in memory), until k passes the
 *             number of allocations ADD_RAM makes and it succeeds;
 *             then the ioctl boundary's buffer and GET_STATS's failing
 *   caps      (as a user, with user_mem_max=8 and user_vms_max=2 set by
 *             the case) RAM and VM-count limits give ENOMEM and change
 *             nothing; HV_GET_USAGE says what is held; a clone is
 *             charged to its source's owner in full
 *   memcg     (run inside a memory cgroup, $HVT_CGROUP) a VM's RAM
 *             raises the group's memory.current by its size; with
 *             memory.max just above, ADD_RAM fails with ENOMEM and
 *             leaves nothing charged; destroying the VM gives it back
 *   cowmemcg  (inside $HVT_CGROUP) a clone started managed copies the
 *             pages its guest writes on a kernel thread: the copies are
 *             charged to the owner's cgroup all the same; a second clone
 *             over memory.max stops alone (internal error, ENOMEM) and
 *             the source runs on
 *   lazymemcg (inside $HVT_CGROUP) a lazy region costs its arrays until
 *             its pages are given; each HV_LAZY_FILL charges what it
 *             gives to the owner's cgroup; over memory.max it is ENOMEM
 *             and gives nothing; with the k-th allocation failing (k =
 *             1, 2, ...) it is ENOMEM, what it gave holds the data and
 *             the rest is still absent, until k passes its allocations;
 *             destroying the VM gives everything back
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "hvtest.h"
#include "hvguest.h"
#include "hvmem.h"

static struct hv *hv;
static uint32_t vendor;

#define FAIL_NTH	"/sys/kernel/debug/hv/fail_nth"

static int fail_nth(long n)
{
	char buf[32];
	int fd = open(FAIL_NTH, O_WRONLY), len, r;

	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%ld\n", n);
	r = write(fd, buf, len) == len ? 0 : -errno;
	close(fd);
	return r;
}

/* Allocations counted since fail_nth was armed. */
static long fail_seen(void)
{
	char buf[64] = "";
	long armed, seen = -1;
	int fd = open(FAIL_NTH, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0 &&
	    sscanf(buf, "%ld %ld", &armed, &seen) != 2)
		seen = -1;
	close(fd);
	return seen;
}

static int get_ram(struct hv_vm *vm, struct hv_ram_list *l)
{
	memset(l, 0, sizeof(*l));
	return ioctl(hv_vm_fd(vm), HV_VM_GET_RAM, l);
}

static long add_ram(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	struct hv_ram_region r = { .gpa = gpa, .size = size };

	return ioctl(hv_vm_fd(vm), HV_VM_ADD_RAM, &r);
}

static int usage(struct hv_usage *u)
{
	memset(u, 0, sizeof(*u));
	return ioctl(hv_fd(hv), HV_GET_USAGE, u);
}

/* ------------------------------------------------------------ addfail */

#define AF_IN		0x5000ULL
#define AF_OUT		0x5004ULL
#define AF_PORT		0xf0
#define AF_ADD		0x11111111U
#define AF_NEW_GPA	(1ULL << 30)	/* a new PD, and a PT for the tail */
#define AF_NEW_SIZE	(2 * MiB + 4096)
#define AF_MAX_K	64

/* Real mode at GUEST_BASE: for (;;) { [OUT] = [IN] + ADD; out AF_PORT } */
static const uint8_t af_code[] = {
	0x66, 0xa1, 0x00, 0x50,			/* mov eax, [0x5000] */
	0x66, 0x05, 0x11, 0x11, 0x11, 0x11,	/* add eax, 0x11111111 */
	0x66, 0xa3, 0x04, 0x50,			/* mov [0x5004], eax */
	0x66, 0xe7, AF_PORT,			/* out 0xf0, eax */
	0xeb, 0xed,				/* jmp GUEST_BASE */
};

/* One round of the guest over the old RAM: it reads @v, writes @v+ADD. */
static bool af_round(struct guest *g, uint32_t v, const char *when)
{
	volatile uint32_t *in = hv_vm_gpa_ptr(g->vm, AF_IN, 4);
	volatile uint32_t *out = hv_vm_gpa_ptr(g->vm, AF_OUT, 4);
	char buf[256];
	int err;

	*in = v;
	*out = 0;
	err = hv_vcpu_run(g->vcpu);
	if (err) {
		fail("%s: run: %s", when, hv_strerror(err));
		return false;
	}
	if (g->run->exit_reason != HV_EXIT_IO || g->run->io.port != AF_PORT ||
	    g->run->io.size != 4 ||
	    (uint32_t)g->run->io.data != v + AF_ADD || *out != v + AF_ADD) {
		fail("%s: guest gave %s, memory %#x; expected OUT %#x = %#x",
		     when, exit_describe(g->run, buf, sizeof(buf)), *out,
		     AF_PORT, v + AF_ADD);
		return false;
	}
	return true;
}

static bool af_same_ram(struct hv_vm *vm, const struct hv_ram_list *want,
			const char *when)
{
	struct hv_ram_list l;

	if (get_ram(vm, &l)) {
		fail("%s: GET_RAM: %s", when, strerror(errno));
		return false;
	}
	if (memcmp(&l, want, sizeof(l))) {
		fail("%s: GET_RAM changed: %u regions (was %u), last at %#llx",
		     when, l.count, want->count,
		     (unsigned long long)l.regions[l.count ? l.count - 1 : 0].gpa);
		return false;
	}
	return true;
}

/*
 * The ioctl boundary copies an argument larger than its stack space into
 * an allocated buffer: with that allocation failing, SET_VCPU_STATE and
 * GET_VCPU_STATE are ENOMEM and the vCPU keeps its state.
 */
static bool af_ioctl_buffer(struct guest *g)
{
	struct hv_vcpu_state st, again;
	long r;
	int e;

	if (hv_vm_get_vcpu_state(g->vm, 0, &st)) {
		fail("GET_VCPU_STATE: %s", strerror(errno));
		return false;
	}
	st.regs.rbx ^= 0x5a5a;
	if (fail_nth(1))
		return false;
	r = hv_vm_set_vcpu_state(g->vm, &st);
	e = errno;
	fail_nth(0);
	errno = e;
	if (!expect_errno(r, ENOMEM, "SET_VCPU_STATE, its buffer failing"))
		return false;
	if (fail_nth(1))
		return false;
	r = hv_vm_get_vcpu_state(g->vm, 0, &again);
	e = errno;
	fail_nth(0);
	errno = e;
	if (!expect_errno(r, ENOMEM, "GET_VCPU_STATE, its buffer failing"))
		return false;
	if (hv_vm_get_vcpu_state(g->vm, 0, &again)) {
		fail("GET_VCPU_STATE: %s", strerror(errno));
		return false;
	}
	if (again.regs.rbx != (st.regs.rbx ^ 0x5a5a)) {
		fail("the refused SET_VCPU_STATE changed RBX to %#llx",
		     (unsigned long long)again.regs.rbx);
		return false;
	}
	ok("ioctl buffer failing: SET/GET_VCPU_STATE ENOMEM, state kept");
	return true;
}

/*
 * HV_VM_GET_STATS gathers the values into an allocated buffer: with that
 * allocation failing it is ENOMEM, for the VM and for a vCPU, and the
 * caller's array is untouched; then it reads again.
 */
static bool af_stats(struct guest *g)
{
	const struct hv_stat_desc *d;
	uint64_t v[512];
	size_t nd, i, exits = 0;
	uint32_t who[2] = { HV_STATS_VM, 0 };
	int r, k;

	r = hv_stats_names(hv, &d, &nd);
	if (r) {
		fail("HV_GET_STATS_DESC: %s", strerror(-r));
		return false;
	}
	if (nd > sizeof(v) / sizeof(v[0]))
		nd = sizeof(v) / sizeof(v[0]);
	for (i = 0; i < nd; i++)
		if (!strcmp(d[i].name, "exits"))
			exits = i;
	for (k = 0; k < 2; k++) {
		memset(v, 0xa5, sizeof(v));
		if (fail_nth(1))
			return false;
		r = hv_vm_stats(g->vm, who[k], v, nd);
		fail_nth(0);
		if (r != -ENOMEM) {
			fail("GET_STATS of %s with its buffer failing: %d, "
			     "expected -ENOMEM", k ? "vCPU 0" : "the VM", r);
			return false;
		}
		for (i = 0; i < nd; i++)
			if (v[i] != 0xa5a5a5a5a5a5a5a5ULL) {
				fail("the failed GET_STATS wrote counter %zu", i);
				return false;
			}
		r = hv_vm_stats(g->vm, who[k], v, nd);
		if (r != (int)nd || !v[exits]) {
			fail("GET_STATS after the failure: %d (of %zu), exits "
			     "%llu", r, nd, (unsigned long long)v[exits]);
			return false;
		}
	}
	ok("GET_STATS's buffer failing: ENOMEM for the VM and vCPU 0, "
	   "nothing written; then %zu counters, %llu exits", nd,
	   (unsigned long long)v[exits]);
	return true;
}

static void case_addfail(void)
{
	struct hv_ram_list before;
	struct guest g;
	unsigned int k, seen_max = 0;
	char when[64];
	uint8_t *p;
	long r;

	if (fail_nth(0)) {
		fail("%s: %s (debugfs mounted? hv loaded?)", FAIL_NTH,
		     strerror(errno));
		return;
	}
	/* Region 0 is 1 MiB: 4 KiB leaves, a PT under the PD */
	if (guest_init(&g, hv, vendor, "af", MiB, NULL, HV_MODE_REAL, 0) ||
	    hv_load_flat_mem(g.vm, af_code, sizeof(af_code), GUEST_BASE)) {
		guest_ok(&g, "guest set up");
		guest_fini(&g);
		return;
	}
	if (!af_round(&g, 0x1234, "first run"))
		goto out;
	ok("the vCPU ran over region 0");
	if (get_ram(g.vm, &before)) {
		fail("GET_RAM: %s", strerror(errno));
		goto out;
	}
	for (k = 1; k <= AF_MAX_K; k++) {
		long seen;

		snprintf(when, sizeof(when), "allocation %u failing", k);
		if (fail_nth(k)) {
			fail("arm %s: %s", FAIL_NTH, strerror(errno));
			goto out;
		}
		r = add_ram(g.vm, AF_NEW_GPA, AF_NEW_SIZE);
		seen = fail_seen();
		fail_nth(0);
		if (r == 0) {
			printf("  ADD_RAM made %ld allocations: it succeeded "
			       "with the %u-th armed\n", seen, k);
			break;
		}
		if (!expect_errno(r, ENOMEM, when))
			goto out;
		if (seen < k) {
			fail("%s: only %ld allocations seen", when, seen);
			goto out;
		}
		seen_max = k;
		if (!af_same_ram(g.vm, &before, when) ||
		    !af_round(&g, 0xa5a50000 + k, when))
			goto out;
		ok("%s: ENOMEM, RAM unchanged, the guest still runs", when);
	}
	if (k > AF_MAX_K) {
		fail("ADD_RAM still failing with allocation %u", AF_MAX_K);
		goto out;
	}
	/* 2 region arrays, 2 MiB chunk, 4 KiB page, PD, PT at least */
	if (seen_max < 5) {
		fail("ADD_RAM failed only at %u allocations: the table "
		     "allocations were not reached", seen_max);
		goto out;
	}
	ok("ADD_RAM refused with each of its %u allocations failing",
	   seen_max);
	if (!af_round(&g, 0x5a5a5a5a, "after the successful ADD_RAM"))
		goto out;
	p = hv_vm_map_ram(g.vm, AF_NEW_GPA, AF_NEW_SIZE) ? NULL :
	    hv_vm_gpa_ptr(g.vm, AF_NEW_GPA, AF_NEW_SIZE);
	if (!p) {
		fail("no mapping of the new region");
		goto out;
	}
	if (p[0] || p[AF_NEW_SIZE - 1]) {
		fail("the new region is not zeroed");
		goto out;
	}
	p[0] = 1;
	p[AF_NEW_SIZE - 1] = 2;
	ok("the later ADD_RAM succeeded; its RAM is zeroed and writable");
	if (!af_ioctl_buffer(&g) || !af_stats(&g))
		goto out;
out:
	fail_nth(0);
	guest_fini(&g);
}

/* --------------------------------------------------------------- caps */

static bool expect_usage(uint64_t mem, uint32_t vms, const char *when)
{
	struct hv_usage u;

	if (usage(&u)) {
		fail("%s: HV_GET_USAGE: %s", when, strerror(errno));
		return false;
	}
	if (u.mem_used != mem || u.vms != vms || u.uid != geteuid() ||
	    (u.flags & HV_USAGE_EXEMPT)) {
		fail("%s: usage uid %u: %llu bytes in %u VMs%s, "
		     "expected %llu in %u", when, u.uid,
		     (unsigned long long)u.mem_used, u.vms,
		     u.flags & HV_USAGE_EXEMPT ? " (exempt)" : "",
		     (unsigned long long)mem, vms);
		return false;
	}
	ok("%s: usage %llu MiB in %u VMs (limits %llu MiB, %u VMs)", when,
	   (unsigned long long)(mem / MiB), vms,
	   (unsigned long long)(u.mem_max / MiB), u.vms_max);
	return true;
}

static void case_caps(void)
{
	struct hv_vm *a = NULL, *b = NULL, *c = NULL;
	struct hv_ram_list before;
	struct hv_usage u;
	int err;

	if (usage(&u) || u.mem_max != 8 * MiB || u.vms_max != 2) {
		fail("expected user_mem_max=8 MiB and user_vms_max=2, got "
		     "%llu bytes, %u VMs", (unsigned long long)u.mem_max,
		     u.vms_max);
		return;
	}
	if (!expect_usage(0, 0, "at start"))
		return;
	err = hv_vm_create(hv, "capa", 0, &a);
	if (err) {
		fail("create capa: %s", hv_strerror(err));
		return;
	}
	if (!expect_success(add_ram(a, 0, 4 * MiB), "4 MiB for capa") ||
	    !expect_usage(4 * MiB, 1, "capa with 4 MiB") ||
	    get_ram(a, &before))
		goto out;
	if (!expect_errno(add_ram(a, 4 * MiB, 4 * MiB + 4096), ENOMEM,
			  "4 MiB + 4 KiB more: over the 8 MiB limit") ||
	    !af_same_ram(a, &before, "refused ADD_RAM") ||
	    !expect_usage(4 * MiB, 1, "after the refused ADD_RAM"))
		goto out;
	if (!expect_success(add_ram(a, 4 * MiB, 2 * MiB), "2 MiB more") ||
	    !expect_usage(6 * MiB, 1, "capa with 6 MiB"))
		goto out;
	/* A clone is charged in full: 6 + 6 > 8 */
	err = hv_vm_clone(a, "capb", 0, &b);
	if (err != -ENOMEM) {
		fail("clone of 6 MiB with 2 MiB left: %s, expected ENOMEM",
		     err ? hv_strerror(err) : "succeeded");
		goto out;
	}
	b = NULL;
	ok("a 6 MiB clone with 2 MiB left: ENOMEM");
	if (!expect_usage(6 * MiB, 1, "after the refused clone"))
		goto out;
	err = hv_vm_create(hv, "capb", 0, &b);
	if (err) {
		fail("create capb: %s", hv_strerror(err));
		b = NULL;
		goto out;
	}
	if (!expect_usage(6 * MiB, 2, "two VMs"))
		goto out;
	err = hv_vm_create(hv, "capc", 0, &c);
	if (err != -ENOMEM) {
		fail("a third VM with user_vms_max=2: %s, expected ENOMEM",
		     err ? hv_strerror(err) : "created");
		goto out;
	}
	c = NULL;
	ok("a third VM: ENOMEM");
	if (!expect_usage(6 * MiB, 2, "after the refused create"))
		goto out;
	hv_vm_destroy(b);
	b = NULL;
	if (!expect_usage(6 * MiB, 1, "capb destroyed"))
		goto out;
	/* Room for a clone of a 2 MiB VM now, but not of 6 */
	err = hv_vm_clone(a, "capb", 0, &b);
	if (err != -ENOMEM) {
		fail("clone of 6 MiB with 2 MiB left: %s, expected ENOMEM",
		     err ? hv_strerror(err) : "succeeded");
		goto out;
	}
	b = NULL;
	hv_vm_destroy(a);
	a = NULL;
	if (!expect_usage(0, 0, "all destroyed"))
		goto out;
	err = hv_vm_create(hv, "capa", 0, &a);
	if (err) {
		fail("create capa again: %s", hv_strerror(err));
		a = NULL;
		goto out;
	}
	if (!expect_success(add_ram(a, 0, 4 * MiB), "4 MiB for capa"))
		goto out;
	err = hv_vm_clone(a, "capb", 0, &b);
	if (err) {
		fail("clone of 4 MiB with 4 MiB left: %s", hv_strerror(err));
		b = NULL;
		goto out;
	}
	if (!expect_usage(8 * MiB, 2, "a 4 MiB VM and its clone"))
		goto out;
out:
	if (c)
		hv_vm_destroy(c);
	if (b)
		hv_vm_destroy(b);
	if (a)
		hv_vm_destroy(a);
	expect_usage(0, 0, "at the end");
}

/* -------------------------------------------------------------- memcg */

static long long cg_read(const char *file)
{
	char path[512], buf[64] = "";
	const char *cg = getenv("HVT_CGROUP");
	long long v = -1;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cg ? cg : "", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strcmp(buf, "max\n") ? atoll(buf) : -2;
	close(fd);
	return v;
}

static int cg_write(const char *file, long long v)
{
	char path[512], buf[32];
	const char *cg = getenv("HVT_CGROUP");
	int fd, len, r;

	snprintf(path, sizeof(path), "%s/%s", cg ? cg : "", file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	len = v < 0 ? snprintf(buf, sizeof(buf), "max\n")
		    : snprintf(buf, sizeof(buf), "%lld\n", v);
	r = write(fd, buf, len) == len ? 0 : -errno;
	close(fd);
	return r;
}

/* @got - @base must be within [@want, @want + @slack]. */
static bool about(long long base, long long got, long long want,
		  long long slack, const char *what)
{
	long long d = got - base;

	if (d < want || d > want + slack) {
		fail("%s: memory.current moved by %lld KiB, expected %lld KiB "
		     "(+ at most %lld)", what, d / 1024, want / 1024,
		     slack / 1024);
		return false;
	}
	ok("%s: memory.current moved by %lld KiB (expected %lld KiB)", what,
	   d / 1024, want / 1024);
	return true;
}

#define MC_RAM		(16 * MiB)
#define MC_SLACK	(2 * MiB)	/* vCPU, tables, arrays, console */

static void case_memcg(void)
{
	long long c0, c1, c2;
	struct hv_ram_list before;
	struct hv_vm *vm = NULL;
	int err;

	if (!getenv("HVT_CGROUP") || (c0 = cg_read("memory.current")) < 0) {
		fail("no memory cgroup at $HVT_CGROUP");
		return;
	}
	err = hv_vm_create(hv, "mcg", 0, &vm);
	if (err) {
		fail("create: %s", hv_strerror(err));
		return;
	}
	if (!expect_success(add_ram(vm, 0, MC_RAM), "16 MiB of RAM"))
		goto out;
	c1 = cg_read("memory.current");
	if (!about(c0, c1, MC_RAM, MC_SLACK, "a VM of 16 MiB"))
		goto out;
	/* A limit 8 MiB above: 16 MiB more cannot fit */
	if (cg_write("memory.max", c1 + 8 * MiB)) {
		fail("set memory.max: %s", strerror(errno));
		goto out;
	}
	if (get_ram(vm, &before))
		goto out;
	if (!expect_errno(add_ram(vm, 64 * MiB, MC_RAM), ENOMEM,
			  "16 MiB more with 8 MiB left in memory.max") ||
	    !af_same_ram(vm, &before, "refused ADD_RAM"))
		goto out;
	c2 = cg_read("memory.current");
	if (!about(c1 - 256 * 1024, c2, 0, 512 * 1024,
		   "after the refused ADD_RAM (nothing kept)"))
		goto out;
	if (!expect_success(add_ram(vm, 64 * MiB, 4 * MiB),
			    "4 MiB more, which fits"))
		goto out;
	cg_write("memory.max", -1);
	hv_vm_destroy(vm);
	vm = NULL;
	c2 = cg_read("memory.current");
	about(c0 - MC_SLACK, c2, 0, 2 * MC_SLACK, "the VM destroyed");
out:
	cg_write("memory.max", -1);
	if (vm)
		hv_vm_destroy(vm);
}

/* Pages the clone's guest writes: 4 MiB in region 1 [2 MiB, 8 MiB) */
#define CM_RAM		(8 * MiB)
#define CM_FIRST	(3 * MiB)
#define CM_PAGES	1024

static void case_cowmemcg(void)
{
	static uint64_t pages[CM_PAGES];
	struct hv_vm *clone = NULL;
	struct hv_vm_info info;
	long long c0, c1, c2;
	struct guest g;
	unsigned int i;
	int err;

	if (!getenv("HVT_CGROUP") || cg_read("memory.current") < 0) {
		fail("no memory cgroup at $HVT_CGROUP");
		return;
	}
	if (guest_init(&g, hv, vendor, "cm", CM_RAM, "pages.bin",
		       HV_MODE_LONG64, 0x77)) {
		guest_ok(&g, "pages guest set up");
		return;
	}
	for (i = 0; i < CM_PAGES; i++)
		pages[i] = CM_FIRST + i * PAGE;
	if (put_table(&g, pages, CM_PAGES))
		goto out;
	c0 = cg_read("memory.current");
	err = hv_vm_clone(g.vm, "cm-clone", 0, &clone);
	if (err) {
		fail("clone: %s", hv_strerror(err));
		clone = NULL;
		goto out;
	}
	c1 = cg_read("memory.current");
	if (!about(c0, c1, 0, MiB, "the clone (nothing copied yet)"))
		goto out;
	/* The clone runs on a kernel thread: every copy is made there */
	err = hv_vm_start(clone);
	if (!err)
		err = hv_vm_wait_stopped(clone, 120000, &info);
	if (err) {
		fail("run the clone: %s", hv_strerror(err));
		goto out;
	}
	/* pages.S reports on port 0xf4: the debug-exit port when managed */
	if (info.stop_reason != HV_STOP_DEBUG_EXIT &&
	    info.stop_reason != HV_STOP_HALTED) {
		fail("the clone stopped with reason %u (status %u), expected "
		     "debug-exit or halted", info.stop_reason,
		     info.exit_status);
		goto out;
	}
	if (info.cow_copies < CM_PAGES) {
		fail("the clone made %llu copies, expected at least %u",
		     (unsigned long long)info.cow_copies, CM_PAGES);
		goto out;
	}
	ok("the clone's guest wrote %u pages: %llu copies on its kernel "
	   "thread", CM_PAGES, (unsigned long long)info.cow_copies);
	c2 = cg_read("memory.current");
	if (!about(c1, c2, CM_PAGES * PAGE, MiB,
		   "copies made on the clone's kernel thread"))
		goto out;
	err = hv_vm_map_ram(clone, 0, 2 * MiB);
	if (!err)
		err = hv_vm_map_ram(clone, 2 * MiB, CM_RAM - 2 * MiB);
	if (err) {
		fail("map the clone's RAM: %s", hv_strerror(err));
		goto out;
	}
	for (i = 0; i < CM_PAGES; i += 255) {
		uint64_t *p = hv_vm_gpa_ptr(clone, pages[i], PAGE);
		uint64_t *q = hv_vm_gpa_ptr(g.vm, pages[i], PAGE);

		if (!p || !q || !page_has(p, pages[i], 0x77) ||
		    page_has(q, pages[i], 0x77)) {
			fail("page %#llx: the clone's copy or the source's "
			     "original is wrong",
			     (unsigned long long)pages[i]);
			goto out;
		}
	}
	ok("the clone has its copies, the source its originals");

	/*
	 * A second clone with room for about a quarter of the copies in
	 * memory.max: its copies are refused on the kernel thread, and only
	 * that guest stops (internal error, ENOMEM); the source is intact.
	 */
	hv_vm_destroy_force(clone);
	clone = NULL;
	err = hv_vm_clone(g.vm, "cm-clone2", 0, &clone);
	if (err) {
		fail("second clone: %s", hv_strerror(err));
		clone = NULL;
		goto out;
	}
	/*
	 * This process leaves the group first: at its limit, any allocation
	 * of ours there would invoke the group's OOM killer on us.  The
	 * clone stays charged to it (its source was made in it).
	 */
	if (cg_write("../cgroup.procs", getpid())) {
		fail("leave the group: %s", strerror(errno));
		goto out;
	}
	c1 = cg_read("memory.current");
	if (cg_write("memory.max", c1 + MiB)) {
		fail("set memory.max: %s", strerror(errno));
		goto out;
	}
	err = hv_vm_start(clone);
	if (!err)
		err = hv_vm_wait_stopped(clone, 120000, &info);
	cg_write("memory.max", -1);
	if (err) {
		fail("run the second clone: %s", hv_strerror(err));
		goto out;
	}
	if (info.stop_reason != HV_STOP_INTERNAL_ERROR ||
	    info.exit_status != ENOMEM) {
		fail("the clone over memory.max stopped with reason %u status "
		     "%u, expected internal-error (%u) status ENOMEM",
		     info.stop_reason, info.exit_status,
		     HV_STOP_INTERNAL_ERROR);
		goto out;
	}
	if (info.cow_copies >= CM_PAGES) {
		fail("the clone over memory.max made all %llu copies",
		     (unsigned long long)info.cow_copies);
		goto out;
	}
	ok("a clone over memory.max stopped after %llu copies: internal "
	   "error, ENOMEM", (unsigned long long)info.cow_copies);
	for (i = 0; i < CM_PAGES; i += 255) {
		uint64_t *q = hv_vm_gpa_ptr(g.vm, pages[i], PAGE);

		if (!q || page_has(q, pages[i], 0x77) || q[0] || q[511]) {
			fail("page %#llx of the source changed",
			     (unsigned long long)pages[i]);
			goto out;
		}
	}
	g.nres = 0;
	if (run_pages(&g, 0x99, "the source after its clone failed")) {
		guest_ok(&g, "the source runs on");
		goto out;
	}
	for (i = 0; i < CM_PAGES; i += 255) {
		uint64_t *q = hv_vm_gpa_ptr(g.vm, pages[i], PAGE);

		if (!page_has(q, pages[i], 0x99)) {
			fail("page %#llx: the source's own write is missing",
			     (unsigned long long)pages[i]);
			goto out;
		}
	}
	ok("the source is intact and runs on, writing its pages");
out:
	cg_write("memory.max", -1);
	if (clone)
		hv_vm_destroy_force(clone);
	guest_fini(&g);
}

/* ---------------------------------------------------------- lazymemcg */

#define LM_RAM		(16 * MiB)
#define LM_CHUNK	(4 * MiB)

/* Pages of the VM still absent (a fill of its first page, given) */
static long long lm_absent(int fd, const uint8_t *data)
{
	struct hv_lazy_fill out;

	if (lazy_fill(fd, LM_RAM, 4096, data, &out))
		return -1;
	return (long long)out.absent;
}

static void case_lazymemcg(void)
{
	const long long pages = LM_RAM / 4096;
	struct hv_lazy_fill out;
	long long c0, c1, c2;
	struct hv_vm *vm = NULL;
	uint8_t *data, *mem = MAP_FAILED;
	uint64_t i;
	long k, r;
	int fd = -1;

	/* The data first: this process's own pages count in the cgroup */
	data = malloc(LM_RAM);
	for (i = 0; data && i < LM_RAM; i += 8)
		*(uint64_t *)(data + i) = i * 0x9e3779b97f4a7c15ULL + 1;
	if (!data || !getenv("HVT_CGROUP") ||
	    (c0 = cg_read("memory.current")) < 0) {
		fail("no memory cgroup at $HVT_CGROUP");
		free(data);
		return;
	}
	if (!expect_success(hv_vm_create(hv, "lmc", 0, &vm), "create") ||
	    !expect_success(fd = ioctl(hv_vm_fd(vm), HV_VM_OPEN_LAZY, 0),
			    "its filler"))
		goto out;
	{
		struct hv_ram_region rg = { .gpa = LM_RAM, .size = LM_RAM,
					    .flags = HV_RAM_LAZY };

		if (!expect_success(ioctl(hv_vm_fd(vm), HV_VM_ADD_RAM, &rg),
				    "16 MiB of lazy RAM"))
			goto out;
	}
	c1 = cg_read("memory.current");
	if (!about(c0, c1, 0, MC_SLACK, "a VM with 16 MiB of lazy RAM "
		   "(none given)"))
		goto out;
	if (!expect_success(lazy_fill(fd, LM_RAM, LM_CHUNK, data, &out),
			    "give 4 MiB") ||
	    !expect_eq(out.filled, LM_CHUNK / 4096, "pages it gave"))
		goto out;
	/* (the cgroup's own per-CPU stock may hide a few KiB either way) */
	c2 = cg_read("memory.current");
	if (!about(c1 - 256 * 1024, c2, LM_CHUNK, MC_SLACK / 2 + 256 * 1024,
		   "4 MiB given"))
		goto out;

	/* Over memory.max: ENOMEM, nothing given */
	if (cg_write("memory.max", c2 + LM_CHUNK / 2)) {
		fail("set memory.max: %s", strerror(errno));
		goto out;
	}
	expect_errno(lazy_fill(fd, LM_RAM + LM_CHUNK, LM_CHUNK, data + LM_CHUNK,
			     NULL), ENOMEM, "4 MiB more, 2 MiB left in memory.max");
	cg_write("memory.max", -1);
	expect_eq(lm_absent(fd, data), pages - LM_CHUNK / 4096,
		  "pages absent after it (none given)");

	/* The k-th allocation failing: ENOMEM, the VM consistent */
	for (k = 1; k < 64; k++) {
		if (fail_nth(k)) {
			fail("arm fail_nth: %s", strerror(errno));
			goto out;
		}
		r = lazy_fill(fd, LM_RAM + LM_CHUNK, LM_CHUNK, data + LM_CHUNK,
			    NULL);
		fail_nth(0);
		if (!r)
			break;
		if (errno != ENOMEM) {
			fail("fill with allocation %ld failing: %s, expected "
			     "ENOMEM", k, strerror(errno));
			goto out;
		}
	}
	if (k == 64) {
		fail("the fill never got through");
		goto out;
	}
	ok("a fill with its k-th allocation failing: ENOMEM for k < %ld, "
	   "then it gave the rest", k);
	/* What is left, HV_LAZY_FILL_MAX at a time */
	for (i = 0; i < LM_RAM; i += LM_CHUNK)
		lazy_fill(fd, LM_RAM + i, LM_CHUNK, data + i, &out);
	expect_eq(out.absent, 0, "pages absent at the end");
	mem = mmap(NULL, LM_RAM, PROT_READ, MAP_SHARED, hv_vm_fd(vm), LM_RAM);
	if (mem == MAP_FAILED) {
		fail("mmap: %s", strerror(errno));
		goto out;
	}
	expect_eq(memcmp(mem, data, LM_RAM) != 0, 0,
		  "the VM's RAM differs from what was given");
	munmap(mem, LM_RAM);
	c2 = cg_read("memory.current");
	about(c1 - 256 * 1024, c2, LM_RAM, MC_SLACK + 256 * 1024,
	      "16 MiB given in all");
	close(fd);
	fd = -1;
	hv_vm_destroy(vm);
	vm = NULL;
	c2 = cg_read("memory.current");
	about(c0 - MC_SLACK, c2, 0, 2 * MC_SLACK, "the VM destroyed");
out:
	fail_nth(0);
	cg_write("memory.max", -1);
	if (fd >= 0)
		close(fd);
	if (vm)
		hv_vm_destroy(vm);
	free(data);
}

int main(int argc, char **argv)
{
	static const struct guest_case cases[] = {
		{ "addfail", case_addfail },
		{ "caps", case_caps },
		{ "memcg", case_memcg },
		{ "cowmemcg", case_cowmemcg },
		{ "lazymemcg", case_lazymemcg },
	};

	return guest_test_main(argc, argv, "hv-memacct-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
