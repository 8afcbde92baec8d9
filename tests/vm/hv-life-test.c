// SPDX-License-Identifier: GPL-2.0
/*
 * hv-life-test: VM and vCPU lifecycles under hv through libhv - what
 * signals, concurrency, many cycles and malformed ioctls do.  Built
 * static for the test initramfs; run by tests/vm/cases.sh.  The guest
 * behaviour cases are in hv-guest-test.c.
 *
 *   hv-life-test CASE [VENDOR]
 *
 *   sigalrm    a signal interrupts a spinning guest (-EINTR, HV_EXIT_INTR)
 *   twovms     two VMs at once, on one CPU and on two: no crosstalk
 *   cycles     create/run/destroy many times ($HVTEST_CYCLES, default
 *              1000): no leak (free pages, slab, fds, mappings)
 *   badargs    malformed ioctls fail with the exact errno, change nothing
 *
 * VENDOR (amd, intel) is checked against HV_GET_CAPS when given.  Guest
 * images come from $HV_GUESTS, else /guests or /hvtest/guests.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include "hvtest.h"
#include "hvguest.h"

static struct hv *hv;
static uint32_t vendor;		/* HV_VENDOR_* of the module */

/* -------------------------------------------------------------- sigalrm */

static void on_alarm(int sig)
{
	(void)sig;
}

static void case_sigalrm(void)
{
	struct sigaction sa;
	struct hv_regs r;
	struct guest g;
	int round, err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL)) {
		fail("sigaction: %s", strerror(errno));
		return;
	}
	if (guest_init(&g, hv, vendor, "spin", 2 * MiB, "spin.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	/*
	 * SIGALRM after 100 ms rather than alarm(1)'s second: under Bochs
	 * a guest second is minutes of wall-clock time.
	 */
	for (round = 1; round <= 2; round++) {
		struct itimerval it = { .it_value = { .tv_usec = 100000 } };
		struct itimerval off = { 0 };

		setitimer(ITIMER_REAL, &it, NULL);
		err = hv_vcpu_run(g.vcpu);
		setitimer(ITIMER_REAL, &off, NULL);
		if (err != -EINTR) {
			char buf[160];

			guest_why(&g, "round %d: run returned %d (%s), expected "
				  "-EINTR; exit %s", round, err,
				  hv_strerror(err),
				  exit_describe(g.run, buf, sizeof(buf)));
			goto out;
		}
		if (!check_reg(&g, "exit_reason (HV_EXIT_INTR)",
			       g.run->exit_reason, HV_EXIT_INTR) ||
		    hv_vcpu_get_regs(g.vcpu, &r) ||
		    r.rip < GUEST_BASE || r.rip >= GUEST_BASE + 0x100) {
			guest_why(&g, "round %d: RIP %#llx not in the spin loop",
				  round, (unsigned long long)r.rip);
			goto out;
		}
		ok("round %d: SIGALRM interrupts the spinning guest: -EINTR, "
		   "HV_EXIT_INTR, RIP %#llx", round, (unsigned long long)r.rip);
	}

	/* Destroy with the vCPU fd still open: the name goes at once. */
	err = hv_vm_destroy(g.vm);
	g.vm = NULL;
	if (err) {
		guest_why(&g, "destroy: %s", hv_strerror(err));
		goto out;
	}
	if (hvtest_vm_listed(hv, g.name)) {
		guest_why(&g, "%s still listed after HV_VM_DESTROY", g.name);
		goto out;
	}
	err = hv_vcpu_run(g.vcpu);
	if (err == 0)
		guest_why(&g, "run after destroy succeeded");
	else
		ok("run after destroy: %s", strerror(-err));
out:
	guest_ok(&g, "signal stops a spinning guest; the VM is destroyed cleanly");
	guest_fini(&g);
}

/* --------------------------------------------------------------- twovms */

#define TWOVM_ITERS	16

struct twovm {
	struct guest g;
	int id;
	int cpu;			/* pin to this CPU, or -1 */
	pthread_barrier_t *start;
};

static void *twovm_thread(void *arg)
{
	struct twovm *t = arg;
	struct guest *g = &t->g;
	static const uint64_t done[] = { RES_DONE };
	char want_text[TWOVM_ITERS + 1], tag[16];
	uint64_t *mem, key, i;

	if (t->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	snprintf(tag, sizeof(tag), "two%d", t->id);
	if (guest_init(g, hv, vendor, tag, 4 * MiB, "twovm.bin",
		       HV_MODE_LONG64, t->id)) {
		pthread_barrier_wait(t->start);
		return NULL;
	}
	pthread_barrier_wait(t->start);
	if (guest_run_expect(g, HV_EXIT_HYPERCALL, "twovm") ||
	    !check_reg(g, "nr", g->run->hypercall.nr, HC_TWOVM) ||
	    !check_reg(g, "qwords not this VM's (guest's count)",
		       g->run->hypercall.args[0], 0) ||
	    !check_reg(g, "id", g->run->hypercall.args[1], t->id) ||
	    !check_reg(g, "iterations", g->run->hypercall.args[2],
		       TWOVM_ITERS))
		return NULL;
	memset(want_text, '0' + t->id, TWOVM_ITERS);
	want_text[TWOVM_ITERS] = 0;
	if (!check_text(g, want_text) ||
	    guest_run_expect(g, HV_EXIT_HLT, "twovm end") ||
	    guest_expect_results(g, done, 1, "twovm"))
		return NULL;
	mem = hv_vm_gpa_ptr(g->vm, 0x100000, MiB);
	key = (uint64_t)t->id << 56 | (uint64_t)(TWOVM_ITERS - 1) << 48;
	for (i = 0; i < MiB / 8; i++)
		if (mem[i] != ((0x100000 + 8 * i) ^ key)) {
			guest_why(g, "host sees %#llx at %#llx, expected %#llx",
				  (unsigned long long)mem[i],
				  (unsigned long long)(0x100000 + 8 * i),
				  (unsigned long long)((0x100000 + 8 * i) ^ key));
			break;
		}
	return NULL;
}

static void twovms_round(int cpu0, int cpu1, const char *how)
{
	pthread_barrier_t start;
	struct twovm t[2];
	pthread_t th[2];
	int i;

	pthread_barrier_init(&start, NULL, 2);
	for (i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].id = i + 1;
		t[i].cpu = i ? cpu1 : cpu0;
		t[i].start = &start;
		pthread_create(&th[i], NULL, twovm_thread, &t[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 2; i++) {
		char what[96];

		snprintf(what, sizeof(what), "%s: VM %d sees only its own RAM",
			 how, t[i].id);
		guest_ok(&t[i].g, what);
		guest_fini(&t[i].g);
	}
}

static void case_twovms(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	twovms_round(0, 0, "both on CPU 0");
	if (ncpu >= 2)
		twovms_round(0, 1, "on CPUs 0 and 1");
	twovms_round(-1, -1, "unpinned");
}

/* --------------------------------------------------------------- cycles */

struct snapshot {
	long mem_free_kb, sunreclaim_kb;
	long free_pages, pcp_pages;	/* /proc/zoneinfo: buddy, per-CPU lists */
	int fds, maps;
	/* slab caches: name and active objects */
	int nslab;
	struct hvtest_slab slab[HVTEST_MAX_SLABS];
};

/*
 * Free pages as the buddy allocator and the per-CPU page lists hold them
 * (/proc/zoneinfo): MemFree leaves out the per-CPU lists, which grow and
 * shrink with the free pattern, so only the sum tells a leak.
 */
static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* opendir's own fd */
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void snapshot(struct snapshot *s)
{
	hvtest_settle_memory();

	s->mem_free_kb = hvtest_meminfo_kb("MemFree");
	hvtest_zoneinfo_pages(&s->free_pages, &s->pcp_pages);
	s->sunreclaim_kb = hvtest_meminfo_kb("SUnreclaim");
	s->fds = count_dir("/proc/self/fd");
	s->maps = count_lines("/proc/self/maps");
	s->nslab = hvtest_read_slabs(s->slab, HVTEST_MAX_SLABS);
}

/* One create / add RAM / vCPU / run to HLT / destroy; 0 or -1. */
static int cycle_once(int i, char *why, size_t len)
{
	static const uint8_t hlt = 0xf4;
	struct hv_vcpu *vcpu = NULL;
	struct hv_vm *vm = NULL;
	char name[HV_NAME_LEN];
	const char *step;
	int err;

	snprintf(name, sizeof(name), "hvt-cyc-%d", (int)getpid());
	step = "create";
	err = hv_vm_create(hv, name, 0, &vm);
	if (err)
		goto fail;
	step = "add RAM";
	err = hv_vm_add_ram(vm, 0, 2 * MiB);
	if (err)
		goto fail;
	step = "load";
	err = hv_load_flat_mem(vm, &hlt, 1, GUEST_BASE);
	if (err)
		goto fail;
	step = "create vCPU";
	err = hv_vcpu_create(vm, 0, &vcpu);
	if (err)
		goto fail;
	step = "mode setup";
	err = hv_vcpu_setup_mode(vcpu, vm, HV_MODE_REAL, GUEST_BASE,
				 REAL_STACK_TOP, HV_MODE_NO_SCRATCH);
	if (err)
		goto fail;
	step = "run";
	err = hv_vcpu_run(vcpu);
	if (err)
		goto fail;
	if (hv_vcpu_run_area(vcpu)->exit_reason != HV_EXIT_HLT) {
		snprintf(why, len, "cycle %d: exit %s, expected HLT", i,
			 exit_name(hv_vcpu_run_area(vcpu)->exit_reason));
		hv_vcpu_close(vcpu);
		hv_vm_destroy(vm);
		return -1;
	}
	hv_vcpu_close(vcpu);
	vcpu = NULL;
	step = "destroy";
	err = hv_vm_destroy(vm);
	vm = NULL;
	if (err)
		goto fail;
	return 0;
fail:
	snprintf(why, len, "cycle %d: %s: %s", i, step, hv_strerror(err));
	hv_vcpu_close(vcpu);
	if (vm)
		hv_vm_destroy(vm);
	return -1;
}

static void case_cycles(void)
{
	const char *env = getenv("HVTEST_CYCLES");
	int n = env && *env ? atoi(env) : 1000, i, j, grown = 0, vms_before;
	long lost, limit_kb;
	static struct snapshot before, after;
	struct timespec t0, t1;
	char why[256];
	double secs;

	vms_before = hvtest_vm_count(hv);
	for (i = 0; i < 10; i++)	/* warm-up: caches reach steady state */
		if (cycle_once(i, why, sizeof(why))) {
			fail("warm-up: %s", why);
			return;
		}
	snapshot(&before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		if (cycle_once(i, why, sizeof(why))) {
			fail("%s", why);
			return;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	snapshot(&after);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok("%d cycles of create, add 2 MiB, vCPU, run to HLT, destroy in "
	   "%.1f s (%.2f ms each)", n, secs, secs * 1000 / n);

	printf("  MemFree %ld -> %ld kB, SUnreclaim %ld -> %ld kB, fds %d -> %d, "
	       "maps %d -> %d\n", before.mem_free_kb, after.mem_free_kb,
	       before.sunreclaim_kb, after.sunreclaim_kb, before.fds,
	       after.fds, before.maps, after.maps);
	printf("  free pages, buddy + per-CPU lists: %ld + %ld -> %ld + %ld\n",
	       before.free_pages, before.pcp_pages, after.free_pages,
	       after.pcp_pages);
	lost = (before.free_pages + before.pcp_pages) -
	       (after.free_pages + after.pcp_pages);
	/* A page lost per cycle is 4 kB a cycle: allow half of that. */
	limit_kb = n * 2 < 1024 ? n * 2 : 1024;
	if (lost * 4 > limit_kb)
		fail("%ld kB fewer free pages after %d cycles (limit %ld kB; "
		     "MemFree %+ld kB)", lost * 4, n, limit_kb,
		     after.mem_free_kb - before.mem_free_kb);
	else
		ok("free pages: no leak (change %+ld kB)", -lost * 4);
	if (after.sunreclaim_kb - before.sunreclaim_kb > limit_kb)
		fail("unreclaimable slab grew by %ld kB over %d cycles (limit %ld kB)",
		     after.sunreclaim_kb - before.sunreclaim_kb, n, limit_kb);
	else
		ok("slab: no leak (SUnreclaim change %+ld kB)",
		   after.sunreclaim_kb - before.sunreclaim_kb);
	/*
	 * An object lost per cycle shows as ~n more in one cache.  SLUB
	 * counts active objects a slab at a time (per-CPU slabs), so a jump
	 * of up to one slab per CPU is noise, not a leak: with few cycles
	 * (Bochs) that can exceed n.
	 */
	for (i = 0; i < after.nslab; i++)
		for (j = 0; j < before.nslab; j++)
			if (!strcmp(after.slab[i].name, before.slab[j].name) &&
			    after.slab[i].active - before.slab[j].active >=
			    n * 9 / 10 &&
			    after.slab[i].active - before.slab[j].active >
			    2 * after.slab[i].perslab) {
				fail("slab cache %s: %ld -> %ld active objects "
				     "over %d cycles", after.slab[i].name,
				     before.slab[j].active,
				     after.slab[i].active, n);
				grown++;
			}
	if (!grown && after.nslab)
		ok("no slab cache grew by one object per cycle (%d caches)",
		   after.nslab);
	expect_eq(after.fds, before.fds, "open fds after the cycles");
	expect_eq(after.maps, before.maps, "mappings after the cycles");
	if (hvtest_vm_count(hv) != vms_before)
		fail("%d VMs listed after the cycles, %d before", hvtest_vm_count(hv),
		     vms_before);
}

/* -------------------------------------------------------------- badargs */

#include "hv-guest-badargs.h"

/* ----------------------------------------------------------------- main */

static const struct guest_case cases[] = {
	{ "sigalrm", case_sigalrm },	{ "twovms", case_twovms },
	{ "cycles", case_cycles },	{ "badargs", case_badargs },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-life-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
