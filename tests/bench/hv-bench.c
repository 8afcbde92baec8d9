// SPDX-License-Identifier: GPL-2.0
/*
 * hv-bench: hv against KVM, the same guest work in the same machine.
 *
 *   hv-bench [-n EXITS] [-c CREATES] [-r ROUNDS] [-t TARGET]
 *
 * Runs inside the emulated test machines (make bench), with hv.ko and
 * the vendor's KVM module both loaded.  For each measure it runs the same
 * 16-bit guest code on hv (through libhv) and on KVM (raw /dev/kvm
 * ioctls) in the same vCPU state:
 *
 *   hypercall  VMMCALL (AMD) / VMCALL (Intel) with RAX = 0, answered in
 *              the kernel by both: hv's HV_HC_PING (RAX = HV_HC_PONG),
 *              KVM's unknown-hypercall path (RAX = -KVM_ENOSYS)
 *   cpuid      CPUID leaf 0, answered in the kernel by both
 *   io         OUT to port 0x80, an exit to this program and back
 *   create     create a VM, add 2 MiB of RAM, create a vCPU, destroy
 *
 * One sample times a whole loop: EXITS in-kernel exits inside one run
 * ioctl, or EXITS run ioctls for port I/O, or CREATES VM lifetimes.  A
 * warm-up round (one sample each, discarded) comes first, then ROUNDS
 * rounds of hv, KVM, hv, KVM...; the figure is the median over rounds of
 * the per-operation time, and the ratio is the median of each round's
 * hv/KVM (with its quartiles, to show how much the rounds disagree).  Only one hypervisor can own VMX/SVM at a time (both switch it
 * on while a VM exists), so every sample makes its own VM and destroys it
 * before the other side runs.
 *
 * Output: one line per sample ("hv-bench: ..."), then one line per
 * measure for the host to collect:
 *
 *   BENCH amd hypercall_us hv=12.345 kvm=34.567 ratio=0.357
 *         ratio_q1=0.330 ratio_q3=0.401 target=0.80 meets=yes
 *
 * (one line; meets: ratio <= target).
 *
 * hv=unsupported when hv cannot make a VM on this CPU (EOPNOTSUPP: its
 * backend for this vendor is not finished), with a line
 * "BENCH intel hv=unsupported"; then ratio=- and meets=- (likewise
 * hv=failed or kvm=failed).  Timing never
 * fails the run: the exit status is 1 only when something does not work
 * (an unexpected exit, a wrong register, an ioctl error), after saying
 * why on stderr and in $HVTEST_WHY (see tests/vm/hvtest.h).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libhv.h"

#define GUEST_RAM	(2ULL << 20)	/* at GPA 0 */
#define GUEST_CODE	0x1000ULL	/* real mode, CS = 0 */
#define GUEST_STACK	0x8000ULL
#define IO_PORT		0x80
#define KVM_ENOSYS_RAX	0xfffffc18U	/* (u32)-KVM_ENOSYS: real mode result */

/*
 * The guest programs: 16-bit real mode at GUEST_CODE, loop count in ESI
 * (CPUID overwrites EAX..EDX), HLT at the end.  Assembled with
 * `as --32` from .code16 and checked with `objdump -M i8086`.
 */
static uint8_t code_hypercall[] = {
	0x66, 0x31, 0xc0,	/* 1: xor %eax,%eax     (hv: HV_HC_PING) */
	0x0f, 0x01, 0xd9,	/*    vmmcall            (vmcall: 0f 01 c1) */
	0x66, 0x4e,		/*    dec %esi */
	0x75, 0xf6,		/*    jnz 1b */
	0xf4,			/*    hlt */
};
#define HYPERCALL_OPCODE_AT	5	/* d9: VMMCALL, c1: VMCALL */

static const uint8_t code_cpuid[] = {
	0x66, 0x31, 0xc0,	/* 1: xor %eax,%eax     (leaf 0) */
	0x66, 0x31, 0xc9,	/*    xor %ecx,%ecx */
	0x0f, 0xa2,		/*    cpuid */
	0x66, 0x4e,		/*    dec %esi */
	0x75, 0xf4,		/*    jnz 1b */
	0xf4,			/*    hlt */
};

static const uint8_t code_io[] = {
	0xe6, IO_PORT,		/* 1: out %al,$0x80 */
	0x66, 0x4e,		/*    dec %esi */
	0x75, 0xfa,		/*    jnz 1b */
	0xf4,			/*    hlt */
};

enum side { SIDE_HV, SIDE_KVM, NR_SIDES };
static const char *const side_name[NR_SIDES] = { "hv", "kvm" };

/* A side's result for one measure. */
enum outcome { OK, UNSUPPORTED, FAILED };

static const char *vendor = "unknown";
static int failures;

/* First failure, for the case runner (tests/vm/cases.sh). */
static void note_failure(const char *fmt, ...)
{
	const char *path = getenv("HVTEST_WHY");
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hv-bench: FAIL: %s\n", buf);
	if (path && failures == 0) {
		FILE *f = fopen(path, "w");

		if (f) {
			fprintf(f, "%s\n", buf);
			fclose(f);
		}
	}
	failures++;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* ------------------------------------------------------------------ */
/* One VM with one vCPU, on either hypervisor. */

struct guest {
	enum side side;
	uint8_t *ram;			/* host view of GPA 0 */
	/* hv */
	struct hv_vm *vm;
	struct hv_vcpu *vcpu;
	/* KVM */
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
};

/* What a run stopped for, on either hypervisor. */
enum stop { STOP_HLT, STOP_IO_OUT, STOP_OTHER };

static struct hv *hv_dev;
static int kvm_fd = -1;
static size_t kvm_run_size;
static unsigned int vm_seq;

static int hv_guest_open(struct guest *g)
{
	char name[HV_NAME_LEN];
	int err;

	/* DESTROY_ON_CLOSE too: a killed hv-bench leaves no VM behind. */
	snprintf(name, sizeof(name), "bench-%d-%u", getpid(), vm_seq++);
	err = hv_vm_create(hv_dev, name, HV_VM_DESTROY_ON_CLOSE, &g->vm);
	if (err)
		return err;
	err = hv_vm_add_ram(g->vm, 0, GUEST_RAM);
	if (!err)
		err = hv_vcpu_create(g->vm, 0, &g->vcpu);
	if (err) {
		hv_vm_destroy(g->vm);
		return err;
	}
	g->ram = hv_vm_gpa_ptr(g->vm, 0, GUEST_RAM);
	if (!g->ram) {
		hv_vcpu_close(g->vcpu);
		hv_vm_destroy(g->vm);
		return -EFAULT;
	}
	return 0;
}

static int kvm_guest_open(struct guest *g)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_RAM,
	};
	void *p;
	int err;

	g->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0)
		return -errno;
	p = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto out_vm;
	}
	g->ram = p;
	region.userspace_addr = (uintptr_t)g->ram;
	if (ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		err = -errno;
		goto out_ram;
	}
	g->vcpu_fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0) {
		err = -errno;
		goto out_ram;
	}
	p = mmap(NULL, kvm_run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 g->vcpu_fd, 0);
	if (p == MAP_FAILED) {
		err = -errno;
		goto out_vcpu;
	}
	g->run = p;
	return 0;

out_vcpu:
	close(g->vcpu_fd);
out_ram:
	munmap(g->ram, GUEST_RAM);
out_vm:
	close(g->vm_fd);
	return err;
}

static int guest_open(enum side side, struct guest *g)
{
	memset(g, 0, sizeof(*g));
	g->side = side;
	g->vm_fd = g->vcpu_fd = -1;
	return side == SIDE_HV ? hv_guest_open(g) : kvm_guest_open(g);
}

/*
 * Tear down completely: when this returns, the side's VM is gone and it
 * has switched VMX/SVM off again, so the other side can have it.
 */
static int guest_close(struct guest *g)
{
	if (g->side == SIDE_HV) {
		hv_vcpu_close(g->vcpu);
		return hv_vm_destroy(g->vm);
	}
	munmap(g->run, kvm_run_size);
	close(g->vcpu_fd);
	close(g->vm_fd);
	munmap(g->ram, GUEST_RAM);
	return 0;
}

static void hv_seg_to_kvm(const struct hv_segment *h, struct kvm_segment *k)
{
	*k = (struct kvm_segment){
		.base = h->base, .limit = h->limit, .selector = h->selector,
		.type = h->type, .present = h->present, .dpl = h->dpl,
		.db = h->db, .s = h->s, .l = h->l, .g = h->g, .avl = h->avl,
		.unusable = h->unusable,
	};
}

/* libhv's register state, on KVM; what hv_sregs lacks KVM keeps. */
static int kvm_set_state(struct guest *g, const struct hv_regs *hr,
			 const struct hv_sregs *hs)
{
	struct kvm_sregs ks;
	struct kvm_regs kr;

	if (ioctl(g->vcpu_fd, KVM_GET_SREGS, &ks) < 0)
		return -errno;
	hv_seg_to_kvm(&hs->cs, &ks.cs);
	hv_seg_to_kvm(&hs->ds, &ks.ds);
	hv_seg_to_kvm(&hs->es, &ks.es);
	hv_seg_to_kvm(&hs->fs, &ks.fs);
	hv_seg_to_kvm(&hs->gs, &ks.gs);
	hv_seg_to_kvm(&hs->ss, &ks.ss);
	hv_seg_to_kvm(&hs->tr, &ks.tr);
	hv_seg_to_kvm(&hs->ldt, &ks.ldt);
	ks.gdt.base = hs->gdt.base;
	ks.gdt.limit = hs->gdt.limit;
	ks.idt.base = hs->idt.base;
	ks.idt.limit = hs->idt.limit;
	ks.cr0 = hs->cr0;
	ks.cr3 = hs->cr3;
	ks.cr4 = hs->cr4;
	ks.efer = hs->efer;
	if (ioctl(g->vcpu_fd, KVM_SET_SREGS, &ks) < 0)
		return -errno;

	memset(&kr, 0, sizeof(kr));
	kr.rip = hr->rip;
	kr.rsp = hr->rsp;
	kr.rflags = hr->rflags;
	kr.rsi = hr->rsi;
	if (ioctl(g->vcpu_fd, KVM_SET_REGS, &kr) < 0)
		return -errno;
	return 0;
}

/*
 * Real mode at GUEST_CODE with ESI = count.  Both sides get the state
 * libhv's hv_mode_prepare() computes, so they start from the same CR0,
 * segments and flags.
 */
static int guest_start(struct guest *g, uint32_t count)
{
	struct hv_regs hr;
	struct hv_sregs hs;
	int err;

	memset(&hs, 0, sizeof(hs));
	err = hv_mode_prepare(HV_MODE_REAL, GUEST_CODE, GUEST_STACK,
			      HV_MODE_NO_SCRATCH, NULL, &hr, &hs);
	if (err)
		return err;
	hr.rsi = count;

	if (g->side == SIDE_KVM)
		return kvm_set_state(g, &hr, &hs);
	err = hv_vcpu_set_sregs(g->vcpu, &hs);
	if (!err)
		err = hv_vcpu_set_regs(g->vcpu, &hr);
	return err;
}

/* One run ioctl; *why describes STOP_OTHER. */
static enum stop hv_guest_run(struct guest *g, char *why, size_t len)
{
	struct hv_run *run = hv_vcpu_run_area(g->vcpu);
	int err = hv_vcpu_run(g->vcpu);

	if (err) {
		snprintf(why, len, "HV_VCPU_RUN: %s", hv_strerror(err));
		return STOP_OTHER;
	}
	if (run->exit_reason == HV_EXIT_HLT)
		return STOP_HLT;
	if (run->exit_reason == HV_EXIT_IO &&
	    run->io.direction == HV_IO_OUT && run->io.port == IO_PORT &&
	    run->io.size == 1)
		return STOP_IO_OUT;
	snprintf(why, len, "unexpected hv exit %u (io port %#x; hardware "
		 "reason %#llx, internal %u)", run->exit_reason, run->io.port,
		 (unsigned long long)run->fail_entry.hardware_reason,
		 run->internal.suberror);
	return STOP_OTHER;
}

static enum stop kvm_guest_run(struct guest *g, char *why, size_t len)
{
	struct kvm_run *run = g->run;

	if (ioctl(g->vcpu_fd, KVM_RUN, 0) < 0) {
		snprintf(why, len, "KVM_RUN: %s", strerror(errno));
		return STOP_OTHER;
	}
	if (run->exit_reason == KVM_EXIT_HLT)
		return STOP_HLT;
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.direction == KVM_EXIT_IO_OUT && run->io.port == IO_PORT &&
	    run->io.size == 1 && run->io.count == 1)
		return STOP_IO_OUT;
	snprintf(why, len, "unexpected KVM exit %u (hardware reason %#llx, "
		 "internal suberror %u)", run->exit_reason,
		 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		 run->internal.suberror);
	return STOP_OTHER;
}

static enum stop guest_run(struct guest *g, char *why, size_t len)
{
	return g->side == SIDE_HV ? hv_guest_run(g, why, len) :
				    kvm_guest_run(g, why, len);
}

static int guest_get_rax_rsi(struct guest *g, uint64_t *rax, uint64_t *rsi)
{
	struct hv_regs hr;
	struct kvm_regs kr;
	int err;

	if (g->side == SIDE_HV) {
		err = hv_vcpu_get_regs(g->vcpu, &hr);
		*rax = hr.rax;
		*rsi = hr.rsi;
		return err;
	}
	if (ioctl(g->vcpu_fd, KVM_GET_REGS, &kr) < 0)
		return -errno;
	*rax = kr.rax;
	*rsi = kr.rsi;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Measures: each returns microseconds per operation in *us. */

enum measure { M_HYPERCALL, M_CPUID, M_IO, M_CREATE, NR_MEASURES };
static const char *const measure_name[NR_MEASURES] = {
	"hypercall_us", "cpuid_us", "io_us", "create_us",
};

static const uint8_t *measure_code(enum measure m, size_t *len)
{
	switch (m) {
	case M_HYPERCALL: *len = sizeof(code_hypercall); return code_hypercall;
	case M_CPUID:	  *len = sizeof(code_cpuid);	 return code_cpuid;
	case M_IO:	  *len = sizeof(code_io);	 return code_io;
	default:	  *len = 0;			 return NULL;
	}
}

/*
 * Run the loop once with ESI = count to its HLT; every port-I/O exit is
 * answered by running again.  Checks the final registers.  Returns 0 and
 * the time from the first run ioctl to the HLT.
 */
static int loop_once(struct guest *g, enum measure m, uint32_t count,
		     double *us, char *why, size_t len)
{
	uint64_t rax, rsi, ios = 0;
	enum stop s;
	double t0, t1;
	int err;

	err = guest_start(g, count);
	if (err) {
		snprintf(why, len, "setting the vCPU state: %s",
			 hv_strerror(err));
		return -1;
	}
	t0 = now_us();
	while ((s = guest_run(g, why, len)) == STOP_IO_OUT)
		ios++;
	t1 = now_us();
	if (s != STOP_HLT)
		return -1;
	*us = t1 - t0;

	err = guest_get_rax_rsi(g, &rax, &rsi);
	if (err) {
		snprintf(why, len, "reading registers: %s", hv_strerror(err));
		return -1;
	}
	if (rsi != 0) {
		snprintf(why, len, "HLT with ESI = %llu left of %u",
			 (unsigned long long)rsi, count);
		return -1;
	}
	if (m == M_IO && ios != count) {
		snprintf(why, len, "%llu port-I/O exits for %u OUTs",
			 (unsigned long long)ios, count);
		return -1;
	}
	if (m != M_IO && ios) {
		snprintf(why, len, "%llu unexpected port-I/O exits",
			 (unsigned long long)ios);
		return -1;
	}
	if (m == M_HYPERCALL) {
		uint64_t want = g->side == SIDE_HV ? HV_HC_PONG : KVM_ENOSYS_RAX;

		if ((uint32_t)rax != want) {
			snprintf(why, len, "hypercall returned RAX = %#llx, "
				 "expected %#llx", (unsigned long long)rax,
				 (unsigned long long)want);
			return -1;
		}
	}
	return 0;
}

/*
 * One sample of measure m on one side.  For the exit loops: a fresh VM,
 * a first run of one iteration (guest page faults, first-entry setup and,
 * under QEMU, translation of the guest code happen there), then the timed
 * run of n iterations.
 */
static enum outcome sample(enum side side, enum measure m, unsigned int n,
			   double *us, char *why, size_t len)
{
	struct guest g;
	size_t code_len;
	const uint8_t *code = measure_code(m, &code_len);
	double t, t0;
	unsigned int i;
	int err;

	if (m == M_CREATE) {
		t0 = now_us();
		for (i = 0; i < n; i++) {
			err = guest_open(side, &g);
			if (!err)
				err = guest_close(&g);
			if (err)
				break;
		}
		t = now_us() - t0;
		if (err) {
			snprintf(why, len, "VM %u of %u: %s", i + 1, n,
				 hv_strerror(err));
			return err == -EOPNOTSUPP ? UNSUPPORTED : FAILED;
		}
		*us = t / n;
		return OK;
	}

	err = guest_open(side, &g);
	if (err) {
		snprintf(why, len, "creating the VM: %s", hv_strerror(err));
		return err == -EOPNOTSUPP ? UNSUPPORTED : FAILED;
	}
	memcpy(g.ram + GUEST_CODE, code, code_len);
	err = loop_once(&g, m, 1, &t, why, len) ||
	      loop_once(&g, m, n, &t, why, len);
	if (guest_close(&g) && !err) {
		snprintf(why, len, "destroying the VM failed");
		err = 1;
	}
	if (err)
		return FAILED;
	*us = t / n;
	return OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The p-quantile of sorted v, by nearest rank: enough to show spread. */
static double quantile(const double *v, unsigned int n, double p)
{
	return v[(unsigned int)(p * (n - 1) + 0.5)];
}

#define MAX_ROUNDS	64

struct config {
	unsigned int exits, creates, rounds;
	double target;
};

/*
 * Warm-up, then rounds of hv, KVM; print the BENCH line.  A side found
 * unsupported here is marked so in side_state for the later measures.
 */
static void bench_measure(const struct config *cfg, enum measure m,
			  enum outcome side_state[NR_SIDES])
{
	double t[NR_SIDES][MAX_ROUNDS], ratio[MAX_ROUNDS], med[NR_SIDES] = { 0 };
	unsigned int n = m == M_CREATE ? cfg->creates : cfg->exits;
	unsigned int r, nr[NR_SIDES] = { 0 }, nratio = 0;
	enum outcome out[NR_SIDES];
	char why[256], sval[NR_SIDES][32], sratio[80];
	const char *meets;
	int s;

	for (s = 0; s < NR_SIDES; s++)
		out[s] = side_state[s];

	/* r == 0 is the warm-up round. */
	for (r = 0; r <= cfg->rounds; r++) {
		double us[NR_SIDES];

		for (s = 0; s < NR_SIDES; s++) {
			if (out[s] != OK)
				continue;
			out[s] = sample(s, m, n, &us[s], why, sizeof(why));
			if (out[s] == UNSUPPORTED) {
				printf("hv-bench: %s %s: unsupported: %s\n",
				       measure_name[m], side_name[s], why);
			} else if (out[s] == FAILED) {
				note_failure("%s %s: %s", measure_name[m],
					     side_name[s], why);
			} else if (r > 0) {
				t[s][nr[s]++] = us[s];
			}
		}
		if (r == 0) {
			printf("hv-bench: %s warm-up:", measure_name[m]);
		} else {
			printf("hv-bench: %s round %u:", measure_name[m], r);
		}
		for (s = 0; s < NR_SIDES; s++)
			if (out[s] == OK)
				printf(" %s %.3f", side_name[s], us[s]);
		if (out[SIDE_HV] == OK && out[SIDE_KVM] == OK && r > 0) {
			ratio[nratio++] = us[SIDE_HV] / us[SIDE_KVM];
			printf(" ratio %.3f", ratio[nratio - 1]);
		}
		printf(" (us/op, n=%u)\n", n);
		fflush(stdout);
	}

	for (s = 0; s < NR_SIDES; s++) {
		if (out[s] == OK)
			med[s] = median(t[s], nr[s]);
		snprintf(sval[s], sizeof(sval[s]), "%s",
			 out[s] == UNSUPPORTED ? "unsupported" : "failed");
		if (out[s] == OK)
			snprintf(sval[s], sizeof(sval[s]), "%.3f", med[s]);
		/* An unsupported hv stays so for the other measures. */
		if (out[s] == UNSUPPORTED)
			side_state[s] = UNSUPPORTED;
	}
	if (out[SIDE_HV] == OK && out[SIDE_KVM] == OK && nratio) {
		double rm = median(ratio, nratio);

		/* ratio[] is sorted now */
		snprintf(sratio, sizeof(sratio), "%.3f ratio_q1=%.3f ratio_q3=%.3f",
			 rm, quantile(ratio, nratio, 0.25),
			 quantile(ratio, nratio, 0.75));
		meets = rm <= cfg->target ? "yes" : "no";
	} else {
		snprintf(sratio, sizeof(sratio), "- ratio_q1=- ratio_q3=-");
		meets = "-";
	}
	printf("BENCH %s %s hv=%s kvm=%s ratio=%s target=%.2f meets=%s\n",
	       vendor, measure_name[m], sval[SIDE_HV], sval[SIDE_KVM], sratio,
	       cfg->target, meets);
	fflush(stdout);
}

/* The CPU's vendor, from CPUID leaf 0. */
static const char *cpu_vendor(void)
{
	unsigned int a, b, c, d;
	char id[13];

	if (!__get_cpuid(0, &a, &b, &c, &d))
		return "unknown";
	memcpy(id, &b, 4);
	memcpy(id + 4, &d, 4);
	memcpy(id + 8, &c, 4);
	id[12] = 0;
	if (!strcmp(id, "AuthenticAMD"))
		return "amd";
	if (!strcmp(id, "GenuineIntel"))
		return "intel";
	return "unknown";
}

/* Can hv make a VM here?  Tells "unsupported" apart from "failed". */
static enum outcome probe_hv(void)
{
	struct guest g;
	int err;

	err = hv_open(&hv_dev);
	if (err) {
		note_failure("opening %s: %s", hv_device_path(),
			     hv_strerror(err));
		return FAILED;
	}
	err = guest_open(SIDE_HV, &g);
	if (err == -EOPNOTSUPP) {
		printf("hv-bench: hv cannot create a VM on this CPU: %s\n",
		       hv_strerror(err));
		printf("BENCH %s hv=unsupported\n", vendor);
		return UNSUPPORTED;
	}
	if (!err)
		err = guest_close(&g);
	if (err) {
		note_failure("hv: creating a VM: %s", hv_strerror(err));
		return FAILED;
	}
	return OK;
}

static enum outcome probe_kvm(void)
{
	int size;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		note_failure("opening /dev/kvm: %s", strerror(errno));
		return FAILED;
	}
	if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		note_failure("/dev/kvm: unexpected API version");
		return FAILED;
	}
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		note_failure("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return FAILED;
	}
	kvm_run_size = size;
	return OK;
}

static unsigned int parse_uint(const char *s, unsigned int max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*s == 0 || *end || v == 0 || v > max) {
		fprintf(stderr, "hv-bench: bad number %s (1..%u)\n", s, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct config cfg = { .exits = 2000, .creates = 20, .rounds = 7,
			      .target = 0.8 };
	enum outcome state[NR_SIDES];
	int opt, m;

	while ((opt = getopt(argc, argv, "n:c:r:t:h")) != -1) {
		switch (opt) {
		case 'n': cfg.exits = parse_uint(optarg, 1u << 30); break;
		case 'c': cfg.creates = parse_uint(optarg, 1u << 20); break;
		case 'r': cfg.rounds = parse_uint(optarg, MAX_ROUNDS); break;
		case 't': cfg.target = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "usage: hv-bench [-n EXITS] "
				"[-c CREATES] [-r ROUNDS] [-t TARGET]\n");
			return 2;
		}
	}

	vendor = cpu_vendor();
	if (!strcmp(vendor, "intel"))
		code_hypercall[HYPERCALL_OPCODE_AT] = 0xc1;	/* VMCALL */
	printf("hv-bench: vendor %s, %ld CPUs; %u exits per loop, %u VMs "
	       "per create sample, %u rounds after a warm-up; target hv <= "
	       "%.2f x KVM\n", vendor, sysconf(_SC_NPROCESSORS_ONLN),
	       cfg.exits, cfg.creates, cfg.rounds, cfg.target);
	fflush(stdout);

	state[SIDE_KVM] = probe_kvm();
	state[SIDE_HV] = probe_hv();
	for (m = 0; m < NR_MEASURES; m++)
		bench_measure(&cfg, m, state);

	if (hv_dev)
		hv_close(hv_dev);
	if (kvm_fd >= 0)
		close(kvm_fd);
	return failures ? 1 : 0;
}
