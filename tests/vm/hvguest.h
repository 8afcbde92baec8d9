/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running the test guests (tests/guests) under hv with libhv, for
 * tests/vm/hv-guest-test.c.  The numbers here are the host side of
 * tests/guests/guest.inc.
 *
 * Guest memory map: the image at GUEST_BASE, the mode setup's scratch
 * area (page tables, GDT, TSS) at SCRATCH_GPA, tables the host and guest
 * exchange at TABLE_IN / TABLE_OUT, the stack below STACK_TOP.
 */
#ifndef HVGUEST_H
#define HVGUEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libhv.h"
#include "hvtest.h"

#define GUEST_BASE	0x1000ULL
#define SCRATCH_GPA	0x10000ULL
#define TABLE_IN	0x20000ULL
#define TABLE_OUT	0x21000ULL
#define STACK_TOP	0x80000ULL
#define REAL_STACK_TOP	0x8000ULL
#define MiB		(1ULL << 20)

#define PORT_TEXT	0xe9
#define PORT_RESULT	0xf4

#define RES_DONE	0x600d
#define RES_NOFAULT	0xbad00
#define RES_MARK	0x1000

#define HC_UNKNOWN	0xfff
#define HC_SUM		(HV_HC_USER_BASE + 1)
#define HC_MMIO1	(HV_HC_USER_BASE + 2)
#define HC_MMIO2	(HV_HC_USER_BASE + 3)
#define HC_ARGS		(HV_HC_USER_BASE + 5)
#define HC_REPORT	(HV_HC_USER_BASE + 6)
#define HC_TWOVM	(HV_HC_USER_BASE + 7)

#define GUEST_MAX_EXITS	100000	/* a guest that loops on exits is a failure */
#define GUEST_MAX_RES	256

/* One VM with one vCPU running one guest image. */
struct guest {
	struct hv_vm *vm;
	struct hv_vcpu *vcpu;
	struct hv_run *run;
	char name[HV_NAME_LEN];
	/* What the guest said on PORT_TEXT and PORT_RESULT so far. */
	char text[4096];
	size_t ntext;
	uint64_t res[GUEST_MAX_RES];
	unsigned int nres;
	/* The first problem, for the caller to report (threads can't fail()). */
	char why[512];
};

/* Where the guest images are: $HV_GUESTS, /guests, /hvtest/guests, build. */
static const char *guest_dir(void)
{
	static const char *const dirs[] = {
		"/guests", "/hvtest/guests", "build/vmtest/guests",
	};
	const char *env = getenv("HV_GUESTS");
	size_t i;

	if (env && *env)
		return env;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (access(dirs[i], R_OK | X_OK) == 0)
			return dirs[i];
	return dirs[0];
}

static const char *exit_name(uint32_t reason)
{
	static const char *const names[] = {
		[HV_EXIT_NONE] = "NONE", [HV_EXIT_IO] = "IO",
		[HV_EXIT_MMIO] = "MMIO", [HV_EXIT_HYPERCALL] = "HYPERCALL",
		[HV_EXIT_HLT] = "HLT", [HV_EXIT_SHUTDOWN] = "SHUTDOWN",
		[HV_EXIT_FAIL_ENTRY] = "FAIL_ENTRY", [HV_EXIT_INTR] = "INTR",
		[HV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	return "unknown";
}

/* One line describing the exit in the run area. */
static const char *exit_describe(const struct hv_run *run, char *buf,
				 size_t len)
{
	switch (run->exit_reason) {
	case HV_EXIT_IO:
		snprintf(buf, len, "IO %s port %#x size %u data %#llx",
			 run->io.direction == HV_IO_OUT ? "out" : "in",
			 run->io.port, run->io.size,
			 (unsigned long long)run->io.data);
		break;
	case HV_EXIT_MMIO:
		snprintf(buf, len, "MMIO %s gpa %#llx len %u data %#llx",
			 run->mmio.is_write ? "write" : "read",
			 (unsigned long long)run->mmio.gpa, run->mmio.len,
			 (unsigned long long)run->mmio.data);
		break;
	case HV_EXIT_HYPERCALL:
		snprintf(buf, len, "HYPERCALL nr %#llx args %#llx %#llx %#llx %#llx",
			 (unsigned long long)run->hypercall.nr,
			 (unsigned long long)run->hypercall.args[0],
			 (unsigned long long)run->hypercall.args[1],
			 (unsigned long long)run->hypercall.args[2],
			 (unsigned long long)run->hypercall.args[3]);
		break;
	case HV_EXIT_FAIL_ENTRY:
		snprintf(buf, len, "FAIL_ENTRY hardware reason %#llx qualification %#llx",
			 (unsigned long long)run->fail_entry.hardware_reason,
			 (unsigned long long)run->fail_entry.qualification);
		break;
	case HV_EXIT_INTERNAL_ERROR:
		snprintf(buf, len, "INTERNAL_ERROR suberror %u ndata %u data %#llx %#llx %#llx %#llx",
			 run->internal.suberror, run->internal.ndata,
			 (unsigned long long)run->internal.data[0],
			 (unsigned long long)run->internal.data[1],
			 (unsigned long long)run->internal.data[2],
			 (unsigned long long)run->internal.data[3]);
		break;
	default:
		snprintf(buf, len, "%s (%u)", exit_name(run->exit_reason),
			 run->exit_reason);
	}
	return buf;
}

static void __attribute__((format(printf, 2, 3)))
guest_why(struct guest *g, const char *fmt, ...)
{
	va_list ap;

	if (g->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
}

/* The vCPU's registers and segments, for the console when a check fails. */
static void guest_dump(struct guest *g)
{
	struct hv_regs r;
	struct hv_sregs s;

	if (!g->vcpu)
		return;
	if (hv_vcpu_get_regs(g->vcpu, &r) == 0)
		printf("  regs: rip %#llx rflags %#llx rax %#llx rbx %#llx "
		       "rcx %#llx rdx %#llx rsi %#llx rdi %#llx rsp %#llx "
		       "r8 %#llx r13 %#llx\n",
		       (unsigned long long)r.rip, (unsigned long long)r.rflags,
		       (unsigned long long)r.rax, (unsigned long long)r.rbx,
		       (unsigned long long)r.rcx, (unsigned long long)r.rdx,
		       (unsigned long long)r.rsi, (unsigned long long)r.rdi,
		       (unsigned long long)r.rsp, (unsigned long long)r.r8,
		       (unsigned long long)r.r13);
	if (hv_vcpu_get_sregs(g->vcpu, &s) == 0)
		printf("  sregs: cs %#x base %#llx l %u db %u; cr0 %#llx "
		       "cr3 %#llx cr4 %#llx efer %#llx; tr %#x; gdt %#llx/%#x "
		       "idt %#llx/%#x\n",
		       s.cs.selector, (unsigned long long)s.cs.base, s.cs.l,
		       s.cs.db, (unsigned long long)s.cr0,
		       (unsigned long long)s.cr3, (unsigned long long)s.cr4,
		       (unsigned long long)s.efer, s.tr.selector,
		       (unsigned long long)s.gdt.base, s.gdt.limit,
		       (unsigned long long)s.idt.base, s.idt.limit);
	if (g->ntext)
		printf("  guest text: \"%.*s\"\n", (int)g->ntext, g->text);
	if (g->nres) {
		unsigned int i;

		printf("  guest results:");
		for (i = 0; i < g->nres; i++)
			printf(" %#llx", (unsigned long long)g->res[i]);
		putchar('\n');
	}
}

static void guest_fini(struct guest *g)
{
	hv_vcpu_close(g->vcpu);
	g->vcpu = NULL;
	g->run = NULL;
	if (g->vm && hv_vm_destroy(g->vm) < 0)
		guest_why(g, "destroying VM %s failed", g->name);
	g->vm = NULL;
}

/*
 * A VM named hvt-TAG-PID with @ram bytes at GPA 0 (two regions when more
 * than 2 MiB, to have more than one), @image loaded at GUEST_BASE (a file
 * name in guest_dir(), or NULL), vCPU 0 set up for @mode with RDI = the
 * vendor and RSI = @arg.  0, or -1 with g->why set.
 */
static int guest_init(struct guest *g, struct hv *hv, uint32_t vendor,
		      const char *tag, uint64_t ram, const char *image,
		      enum hv_cpu_mode mode, uint64_t arg)
{
	char path[512];
	struct hv_regs regs;
	uint64_t size;
	int err;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "hvt-%s-%d", tag, (int)getpid());
	err = hv_vm_create(hv, g->name, 0, &g->vm);
	if (err) {
		guest_why(g, "create VM %s: %s", g->name, hv_strerror(err));
		return -1;
	}
	err = hv_vm_add_ram(g->vm, 0, ram > 2 * MiB ? 2 * MiB : ram);
	if (!err && ram > 2 * MiB)
		err = hv_vm_add_ram(g->vm, 2 * MiB, ram - 2 * MiB);
	if (err) {
		guest_why(g, "add %llu bytes of RAM: %s",
			  (unsigned long long)ram, hv_strerror(err));
		goto fail;
	}
	if (image) {
		snprintf(path, sizeof(path), "%s/%s", guest_dir(), image);
		err = hv_load_flat(g->vm, path, GUEST_BASE, &size);
		if (err) {
			guest_why(g, "load %s: %s", path, hv_strerror(err));
			goto fail;
		}
	}
	err = hv_vcpu_create(g->vm, 0, &g->vcpu);
	if (err) {
		guest_why(g, "create vCPU 0: %s", hv_strerror(err));
		goto fail;
	}
	g->run = hv_vcpu_run_area(g->vcpu);
	err = hv_vcpu_setup_mode(g->vcpu, g->vm, mode, GUEST_BASE,
				 mode == HV_MODE_REAL ? REAL_STACK_TOP : STACK_TOP,
				 mode == HV_MODE_REAL ? HV_MODE_NO_SCRATCH
						      : SCRATCH_GPA);
	if (err) {
		guest_why(g, "mode setup: %s", hv_strerror(err));
		goto fail;
	}
	err = hv_vcpu_get_regs(g->vcpu, &regs);
	if (!err) {
		regs.rdi = vendor;
		regs.rsi = arg;
		err = hv_vcpu_set_regs(g->vcpu, &regs);
	}
	if (err) {
		guest_why(g, "set RDI/RSI: %s", hv_strerror(err));
		goto fail;
	}
	return 0;
fail:
	guest_fini(g);
	return -1;
}

/*
 * Run until an exit other than an OUT to PORT_TEXT (collected in g->text)
 * or PORT_RESULT (g->res).  Returns the exit reason, or -errno of the run
 * ioctl.
 */
static int guest_run(struct guest *g)
{
	struct hv_run *run = g->run;
	unsigned int n;
	int err;

	for (n = 0; n < GUEST_MAX_EXITS; n++) {
		err = hv_vcpu_run(g->vcpu);
		if (err)
			return err;
		if (run->exit_reason != HV_EXIT_IO ||
		    run->io.direction != HV_IO_OUT)
			return (int)run->exit_reason;
		if (run->io.port == PORT_TEXT && run->io.size == 1) {
			if (g->ntext < sizeof(g->text))
				g->text[g->ntext++] = (char)run->io.data;
		} else if (run->io.port == PORT_RESULT) {
			uint64_t v = run->io.data;

			if (run->io.size < 8)
				v &= (1ULL << (8 * run->io.size)) - 1;
			if (g->nres < GUEST_MAX_RES)
				g->res[g->nres++] = v;
		} else {
			return (int)run->exit_reason;
		}
	}
	guest_why(g, "more than %d exits to userspace", GUEST_MAX_EXITS);
	return -ELOOP;
}

/* guest_run() and check the exit reason; 0, or -1 with g->why set. */
static int guest_run_expect(struct guest *g, uint32_t reason, const char *when)
{
	char buf[256];
	int r = guest_run(g);

	if (r < 0) {
		guest_why(g, "%s: run: %s", when, hv_strerror(r));
		return -1;
	}
	if ((uint32_t)r != reason) {
		guest_why(g, "%s: exit %s, expected %s", when,
			  exit_describe(g->run, buf, sizeof(buf)),
			  exit_name(reason));
		return -1;
	}
	return 0;
}

/* The results so far must be exactly @want; 0, or -1 with g->why set. */
static int guest_expect_results(struct guest *g, const uint64_t *want,
				unsigned int n, const char *when)
{
	unsigned int i;

	for (i = 0; i < n && i < g->nres; i++)
		if (g->res[i] != want[i])
			break;
	if (i == n && g->nres == n)
		return 0;
	if (i < n && i < g->nres)
		guest_why(g, "%s: result #%u is %#llx, expected %#llx", when,
			  i, (unsigned long long)g->res[i],
			  (unsigned long long)want[i]);
	else if (g->nres < n)
		guest_why(g, "%s: %u results, expected %u (next: %#llx)", when,
			  g->nres, n, (unsigned long long)want[g->nres]);
	else
		guest_why(g, "%s: %u results, expected %u (extra: %#llx)",
			  when, g->nres, n, (unsigned long long)g->res[n]);
	return -1;
}

/* Report a guest's first problem as a failure, with its state. */
static inline bool guest_ok(struct guest *g, const char *what)
{
	if (!g->why[0]) {
		ok("%s", what);
		return true;
	}
	fail("%s: %s", what, g->why);
	guest_dump(g);
	return false;
}

static inline bool check_reg(struct guest *g, const char *name, uint64_t got,
		      uint64_t want)
{
	if (got == want)
		return true;
	guest_why(g, "%s = %#llx, expected %#llx", name,
		  (unsigned long long)got, (unsigned long long)want);
	return false;
}

static inline bool check_text(struct guest *g, const char *want)
{
	if (g->ntext == strlen(want) && !memcmp(g->text, want, g->ntext))
		return true;
	guest_why(g, "guest printed \"%.*s\", expected \"%s\"",
		  (int)g->ntext, g->text, want);
	return false;
}

/* One case of a test program, run by guest_test_main(). */
struct guest_case {
	const char *name;
	void (*fn)(void);
};

/*
 * main() of a test program PROG CASE [VENDOR]: open /dev/hv into *hv,
 * check that the module's vendor is VENDOR (when given), run CASE.
 * Returns the exit status (hvtest_exit()).
 */
static inline int guest_test_main(int argc, char **argv, const char *prog,
				  const struct guest_case *cases, size_t n,
				  struct hv **hv, uint32_t *vendor)
{
	struct hv_caps caps;
	size_t i = n;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 || argc == 3)
		for (i = 0; i < n; i++)
			if (!strcmp(argv[1], cases[i].name))
				break;
	if (i == n) {
		fprintf(stderr, "usage: %s CASE [amd|intel]\ncases:", prog);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", cases[i].name);
		fputc('\n', stderr);
		return 2;
	}
	err = hv_open(hv);
	if (err) {
		fail("open %s: %s", hv_device_path(), hv_strerror(err));
		return hvtest_exit();
	}
	err = hv_caps(*hv, &caps);
	if (err) {
		fail("HV_GET_CAPS: %s", hv_strerror(err));
		return hvtest_exit();
	}
	*vendor = caps.vendor;
	if (argc == 3 && strcmp(argv[2], hv_vendor_name(*vendor))) {
		fail("the module's vendor is %s, expected %s",
		     hv_vendor_name(*vendor), argv[2]);
		return hvtest_exit();
	}
	printf("%s %s: vendor %s, guests in %s\n", prog, argv[1],
	       hv_vendor_name(*vendor), guest_dir());
	cases[i].fn();
	hv_close(*hv);
	return hvtest_exit();
}

/* Is a VM called @name listed?  (Cannot tell: assume the worst, yes.) */
static inline bool hvtest_vm_listed(struct hv *hv, const char *name)
{
	struct hv_vm_info *list;
	size_t n, i;
	bool found = false;

	if (hv_list_vms(hv, &list, &n))
		return true;
	for (i = 0; i < n; i++)
		if (!strncmp(list[i].name, name, HV_NAME_LEN))
			found = true;
	free(list);
	return found;
}

/* How many VMs the caller sees, or -1. */
static inline int hvtest_vm_count(struct hv *hv)
{
	struct hv_vm_info *list;
	size_t n;

	if (hv_list_vms(hv, &list, &n))
		return -1;
	free(list);
	return (int)n;
}

/*
 * Counter @name of @vm's vCPU @vcpu (HV_STATS_VM: the VM's); -1 if the
 * module has none, -2 if the counters cannot be read.
 */
static inline int64_t hvtest_vm_stat(struct hv *hv, struct hv_vm *vm,
				     uint32_t vcpu, const char *name)
{
	const struct hv_stat_desc *d;
	uint64_t v[512];
	size_t n, i;
	int got;

	if (hv_stats_names(hv, &d, &n) || n > 512)
		return -2;
	got = hv_vm_stats(vm, vcpu, v, n);
	if (got < 0)
		return -2;
	for (i = 0; i < (size_t)got; i++)
		if (!strncmp(d[i].name, name, sizeof(d[i].name)))
			return (int64_t)v[i];
	return -1;
}

#endif /* HVGUEST_H */
