// SPDX-License-Identifier: GPL-2.0
/*
 * hv-xsave-test: XSAVE for guests (tests/guests/xsave.S).
 *
 *   hv-xsave-test hidden VENDOR     XSAVE hidden in the guest's CPUID (hv's
 *                                   default on a host without it): MOV to
 *                                   CR4.OSXSAVE #GP, XGETBV/XSETBV #UD, VEX
 *                                   #UD; SET_SREGS/SET_VCPU_STATE refuse
 *                                   CR4.OSXSAVE and AVX in xcr0
 *   hv-xsave-test guest VENDOR      intel (host XSAVE with AVX): CPUID shows
 *                                   XSAVE, OSXSAVE follows CR4, XGETBV is 1
 *                                   at reset, XSETBV checks its operand,
 *                                   leaf 0Dh describes x87|SSE|AVX only,
 *                                   YMM upper halves are the guest's alone
 *                                   (a second VM on the same CPU, and the
 *                                   host's own YMM registers, see none of
 *                                   them), GET_VCPU_STATE returns them and
 *                                   SET_VCPU_STATE carries them into a
 *                                   third VM.  amd (no host XSAVE): hv's
 *                                   default CPUID hides XSAVE, as above.
 *   hv-xsave-test snap-take NAME    run a guest to its first HLT in a VM
 *                                   NAME and leave it there
 *   hv-xsave-test snap-check NAME   NAME (restored from a snapshot of it)
 *                                   holds the same XCR0 and YMM registers,
 *                                   and its guest finds them on running
 */
#define _GNU_SOURCE
#include <sched.h>
#include <cpuid.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "hvtest.h"
#include "hvguest.h"

#define GUEST_RAM	(2 * MiB)
#define M(n)		(RES_MARK + (n))
#define ANY		(~0ULL)		/* any value in an expected list */
#define CR4_OSXSAVE	(1ULL << 18)
#define VEC_UD		6
#define VEC_GP		13
#define SEED_A		0xa
#define SEED_B		0xb
#define READ_FIRST	(1ULL << 32)	/* xsave.S step 12 */

static struct hv *hv;
static uint32_t vendor;
static bool host_avx;

/* Qword j of guest YMMi for @seed (xsave.S step 13). */
static uint64_t pat(uint32_t seed, int i, int j)
{
	return (uint64_t)seed << 32 | (uint64_t)i << 8 | (uint64_t)j;
}

/* Results so far equal @want (ANY matches anything); else g->why. */
static int expect_res(struct guest *g, const uint64_t *want, unsigned int n,
		      const char *when)
{
	unsigned int i;

	for (i = 0; i < n && i < g->nres; i++)
		if (want[i] != ANY && g->res[i] != want[i]) {
			guest_why(g, "%s: result #%u is %#llx, expected %#llx",
				  when, i, (unsigned long long)g->res[i],
				  (unsigned long long)want[i]);
			return -1;
		}
	if (g->nres != n) {
		guest_why(g, "%s: %u results, expected %u", when, g->nres, n);
		return -1;
	}
	return 0;
}

/* ---- the host's own YMM registers around every run ---- */

static bool probe_host_avx(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) ||
	    !(c & (1u << 28)))
		return false;
	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return (lo & 6) == 6;
}

/*
 * One HV_VCPU_RUN with YMM0-15 holding a host pattern across the
 * syscall, all in one asm block so that nothing in between (libc's
 * AVX string functions) touches them.  Returns the ioctl's result;
 * *bad counts YMM qwords that changed.
 */
static long run_keep_ymm(int fd, unsigned int *bad)
{
	static uint64_t in[64] __attribute__((aligned(32)));
	static uint64_t out[64] __attribute__((aligned(32)));
	long ret;
	int i;

	for (i = 0; i < 64; i++) {
		in[i] = 0x5a5a000000000000ULL | (uint64_t)i << 16 | 0x4848;
		out[i] = 0;
	}
	asm volatile(
		"vmovdqu 0x000(%[in]), %%ymm0\n\t"
		"vmovdqu 0x020(%[in]), %%ymm1\n\t"
		"vmovdqu 0x040(%[in]), %%ymm2\n\t"
		"vmovdqu 0x060(%[in]), %%ymm3\n\t"
		"vmovdqu 0x080(%[in]), %%ymm4\n\t"
		"vmovdqu 0x0a0(%[in]), %%ymm5\n\t"
		"vmovdqu 0x0c0(%[in]), %%ymm6\n\t"
		"vmovdqu 0x0e0(%[in]), %%ymm7\n\t"
		"vmovdqu 0x100(%[in]), %%ymm8\n\t"
		"vmovdqu 0x120(%[in]), %%ymm9\n\t"
		"vmovdqu 0x140(%[in]), %%ymm10\n\t"
		"vmovdqu 0x160(%[in]), %%ymm11\n\t"
		"vmovdqu 0x180(%[in]), %%ymm12\n\t"
		"vmovdqu 0x1a0(%[in]), %%ymm13\n\t"
		"vmovdqu 0x1c0(%[in]), %%ymm14\n\t"
		"vmovdqu 0x1e0(%[in]), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqu %%ymm0, 0x000(%[out])\n\t"
		"vmovdqu %%ymm1, 0x020(%[out])\n\t"
		"vmovdqu %%ymm2, 0x040(%[out])\n\t"
		"vmovdqu %%ymm3, 0x060(%[out])\n\t"
		"vmovdqu %%ymm4, 0x080(%[out])\n\t"
		"vmovdqu %%ymm5, 0x0a0(%[out])\n\t"
		"vmovdqu %%ymm6, 0x0c0(%[out])\n\t"
		"vmovdqu %%ymm7, 0x0e0(%[out])\n\t"
		"vmovdqu %%ymm8, 0x100(%[out])\n\t"
		"vmovdqu %%ymm9, 0x120(%[out])\n\t"
		"vmovdqu %%ymm10, 0x140(%[out])\n\t"
		"vmovdqu %%ymm11, 0x160(%[out])\n\t"
		"vmovdqu %%ymm12, 0x180(%[out])\n\t"
		"vmovdqu %%ymm13, 0x1a0(%[out])\n\t"
		"vmovdqu %%ymm14, 0x1c0(%[out])\n\t"
		"vmovdqu %%ymm15, 0x1e0(%[out])\n\t"
		"vzeroupper"
		: "=a" (ret)
		: "a" ((long)SYS_ioctl), "D" ((long)fd),
		  "S" ((long)HV_VCPU_RUN), "d" (0L),
		  [in] "b" (in), [out] "r" (out)
		: "rcx", "r11", "memory",
		  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
		  "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
		  "xmm14", "xmm15");
	for (i = 0; i < 64; i++)
		if (out[i] != in[i])
			(*bad)++;
	return ret;
}

static unsigned int host_ymm_bad, host_ymm_runs;

/* guest_run() with every HV_VCPU_RUN wrapped by run_keep_ymm(). */
static int run(struct guest *g)
{
	struct hv_run *r = g->run;
	unsigned int n;
	long ret;

	if (!host_avx)
		return guest_run(g);
	for (n = 0; n < GUEST_MAX_EXITS; n++) {
		ret = run_keep_ymm(hv_vcpu_fd(g->vcpu), &host_ymm_bad);
		host_ymm_runs++;
		if (ret < 0)
			return (int)ret;
		if (r->exit_reason != HV_EXIT_IO || r->io.direction != HV_IO_OUT)
			return (int)r->exit_reason;
		if (r->io.port == PORT_RESULT && g->nres < GUEST_MAX_RES)
			g->res[g->nres++] = (uint32_t)r->io.data;
		else if (r->io.port != PORT_RESULT)
			return (int)r->exit_reason;
	}
	guest_why(g, "more than %d exits", GUEST_MAX_EXITS);
	return -ELOOP;
}

static int run_to(struct guest *g, uint32_t reason, const char *when)
{
	char buf[256];
	int r = run(g);

	if (r < 0) {
		guest_why(g, "%s: run: %s", when, strerror(-r));
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

/* ---- state ---- */

static int get_state(struct hv_vm *vm, struct hv_vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(hv_vm_fd(vm), HV_VM_GET_VCPU_STATE, st);
}

static int set_state(struct hv_vm *vm, const struct hv_vcpu_state *st)
{
	return ioctl(hv_vm_fd(vm), HV_VM_SET_VCPU_STATE, st);
}

/* YMMi in an XSAVE standard-format image: XMM at 160, YMM_Hi128 at 576 */
static void state_ymm(const struct hv_vcpu_state *st, int i, uint64_t q[4])
{
	memcpy(q, st->xsave + 160 + 16 * i, 16);
	memcpy(q + 2, st->xsave + 576 + 16 * i, 16);
}

static bool check_state_ymm(const struct hv_vcpu_state *st, uint32_t seed,
			    const char *what)
{
	uint64_t q[4], bv;
	int i, j;

	if (st->xcr0 != 7) {
		fail("%s: xcr0 %#llx, expected 7", what,
		     (unsigned long long)st->xcr0);
		return false;
	}
	/* SSE and AVX in use; x87 too only if the guest used it (XINUSE) */
	memcpy(&bv, st->xsave + 512, 8);
	if ((bv & 6) != 6 || bv & ~7ULL) {
		fail("%s: XSTATE_BV %#llx, expected SSE|AVX (6 or 7)", what,
		     (unsigned long long)bv);
		return false;
	}
	for (i = 0; i < 16; i++) {
		state_ymm(st, i, q);
		for (j = 0; j < 4; j++)
			if (q[j] != pat(seed, i, j)) {
				fail("%s: ymm%d qword %d = %#llx, expected %#llx",
				     what, i, j, (unsigned long long)q[j],
				     (unsigned long long)pat(seed, i, j));
				return false;
			}
	}
	ok("%s: xcr0 7, XSTATE_BV %#llx, YMM0-15 as the guest wrote them",
	   what, (unsigned long long)bv);
	return true;
}

/* The guest's dump at TABLE_OUT (+ @off): YMM0-15 = @seed's pattern. */
static bool check_dump(struct guest *g, uint64_t off, uint32_t seed,
		       bool zero, const char *what)
{
	const uint8_t *o = hv_vm_gpa_ptr(g->vm, TABLE_OUT + off, 4096);
	uint64_t q, x;
	int i, j;

	if (!o) {
		fail("%s: no mapping of TABLE_OUT", what);
		return false;
	}
	for (i = 0; i < 16; i++)
		for (j = 0; j < 4; j++) {
			memcpy(&q, o + 32 * i + 8 * j, 8);
			if (q != (zero ? 0 : pat(seed, i, j))) {
				fail("%s: ymm%d qword %d = %#llx, expected %#llx",
				     what, i, j, (unsigned long long)q,
				     (unsigned long long)(zero ? 0 : pat(seed, i, j)));
				return false;
			}
		}
	if (!zero) {
		memcpy(&x, o + 512, 8);
		if (x != 7) {
			fail("%s: XGETBV after the HLT %#llx, expected 7", what,
			     (unsigned long long)x);
			return false;
		}
	}
	ok("%s", what);
	return true;
}

/* ---- CPUID tables ---- */

static struct hv_cpuid_entry *leaf(struct hv_cpuid *c, uint32_t fn,
				   uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    (!(c->entries[i].flags & HV_CPUID_FLAG_INDEXED) ||
		     c->entries[i].index == idx))
			return &c->entries[i];
	return NULL;
}

static bool offered(struct hv_cpuid *c)
{
	struct hv_cpuid_entry *e = leaf(c, 1, 0);

	return e && (e->ecx & (1u << 26));
}

/* ---- hidden ---- */

static void hidden(void)
{
	/* Everything faults: the CR4 write #GP, the rest #UD */
	static const uint64_t want1[] = {
		M(1), 0x10000, M(2), VEC_GP, M(3), 0x10000, M(4), VEC_UD,
		M(5), VEC_UD, M(6), VEC_UD, M(7), VEC_UD, M(8), VEC_UD,
		M(9), VEC_UD, M(10), VEC_UD, M(11), ANY, ANY, ANY, ANY,
		ANY, ANY, M(12), M(13), VEC_UD,
	};
	static const uint64_t want2[] = { M(14), VEC_UD, RES_DONE };
	static struct hv_vcpu_state st, bad;
	struct hv_cpuid_entry *e;
	struct hv_cpuid c;
	struct hv_sregs s;
	struct guest g;

	if (guest_init(&g, hv, vendor, "xshid", GUEST_RAM, "xsave.bin",
		       HV_MODE_LONG64, SEED_A)) {
		fail("xsave guest: %s", g.why);
		return;
	}
	if (hv_vcpu_get_cpuid(g.vcpu, &c)) {
		fail("GET_CPUID failed");
		goto out;
	}
	if (vendor == HV_VENDOR_AMD) {
		/* The amd machine's CPU has no XSAVE: hv must not offer it */
		if (offered(&c)) {
			fail("hv's CPUID offers XSAVE on a host without it");
			goto out;
		}
		e = leaf(&c, 0xd, 0);
		if (e && (e->eax | e->ebx | e->ecx | e->edx)) {
			fail("leaf 0Dh not empty on a host without XSAVE");
			goto out;
		}
		ok("hv's default CPUID: no XSAVE, no leaf 0Dh (host without XSAVE)");
	}
	e = leaf(&c, 1, 0);
	if (e)
		e->ecx &= ~(3u << 26);	/* XSAVE, OSXSAVE */
	if (!expect_success(hv_vcpu_set_cpuid(g.vcpu, &c), "SET_CPUID without XSAVE"))
		goto out;

	if (run_to(&g, HV_EXIT_HLT, "first HLT") == 0 &&
	    expect_res(&g, want1, sizeof(want1) / sizeof(want1[0]),
		       "XSAVE hidden") == 0)
		ok("XSAVE hidden: CR4.OSXSAVE #GP, XGETBV/XSETBV #UD, VEX #UD");
	if (!guest_ok(&g, "guest with XSAVE hidden, first part"))
		goto out;
	g.nres = 0;
	if (run_to(&g, HV_EXIT_HLT, "second HLT") == 0)
		expect_res(&g, want2, 3, "after the HLT");
	if (!guest_ok(&g, "guest with XSAVE hidden, second part"))
		goto out;

	/* The state: no OSXSAVE, XCR0 at its reset value */
	if (!expect_success(get_state(g.vm, &st), "GET_VCPU_STATE"))
		goto out;
	expect_eq(st.sregs.cr4 & CR4_OSXSAVE, 0, "CR4.OSXSAVE in the state");
	expect_eq(st.xcr0, 1, "xcr0 (reset value 1)");
	expect_success(set_state(g.vm, &st), "SET_VCPU_STATE of it");
	bad = st;
	bad.sregs.cr4 |= CR4_OSXSAVE;
	expect_errno(set_state(g.vm, &bad), EINVAL,
		     "SET_VCPU_STATE with CR4.OSXSAVE, XSAVE hidden");
	bad = st;
	bad.xcr0 = 7;
	expect_errno(set_state(g.vm, &bad), EINVAL,
		     "SET_VCPU_STATE with xcr0 7, XSAVE hidden");
	if (hv_vcpu_get_sregs(g.vcpu, &s) == 0) {
		s.cr4 |= CR4_OSXSAVE;
		expect_eq(-hv_vcpu_set_sregs(g.vcpu, &s), EINVAL,
			  "SET_SREGS with CR4.OSXSAVE, XSAVE hidden: EINVAL");
	}
out:
	guest_fini(&g);
}

/* ---- offered ---- */

static const uint64_t want_on[] = {
	M(1), 0x10001, M(2), M(3), 0x10003, M(4), 1, 0,
	M(5), VEC_GP, M(6), VEC_GP, M(7), VEC_GP, M(8), VEC_GP, M(9),
	M(10), 7, 0, M(11), 7, 832, 832, 0, 256, 576, M(12), M(13),
};
#define N_ON	(sizeof(want_on) / sizeof(want_on[0]))

static void guest_on(void)
{
	static const uint64_t want2[] = { M(14), RES_DONE };
	static struct hv_vcpu_state st, bad;
	struct hv_cpuid c;
	struct guest a, b, cg;
	void *src, *dst;
	uint64_t v;

	if (guest_init(&a, hv, vendor, "xsa", GUEST_RAM, "xsave.bin",
		       HV_MODE_LONG64, SEED_A)) {
		fail("guest A: %s", a.why);
		return;
	}
	if (hv_vcpu_get_cpuid(a.vcpu, &c) || !offered(&c)) {
		fail("hv's default CPUID hides XSAVE on a host with XSAVE and AVX");
		guest_fini(&a);
		return;
	}
	if (run_to(&a, HV_EXIT_HLT, "A, first HLT") == 0)
		expect_res(&a, want_on, N_ON, "A");
	if (!guest_ok(&a, "A: CPUID, CR4.OSXSAVE, XGETBV 1, XSETBV's #GPs, XCR0 7, leaf 0Dh, YMM written"))
		goto out_a;
	if (!expect_success(get_state(a.vm, &st), "GET_VCPU_STATE of A"))
		goto out_a;
	check_state_ymm(&st, SEED_A, "GET_VCPU_STATE of A");

	/* B on the same CPU: a new guest finds YMM zero, not A's */
	if (guest_init(&b, hv, vendor, "xsb", GUEST_RAM, "xsave.bin",
		       HV_MODE_LONG64, SEED_B | READ_FIRST)) {
		fail("guest B: %s", b.why);
		goto out_a;
	}
	if (run_to(&b, HV_EXIT_HLT, "B, first HLT") == 0)
		expect_res(&b, want_on, N_ON, "B");
	if (guest_ok(&b, "B ran to its first HLT"))
		check_dump(&b, 0x400, 0, true,
			   "B, a second VM on the same CPU, finds YMM0-15 all zero (none of A's)");
	a.nres = 0;
	if (run_to(&a, HV_EXIT_HLT, "A, second HLT") == 0)
		expect_res(&a, want2, 2, "A after B ran");
	if (guest_ok(&a, "A ran on after B"))
		check_dump(&a, 0, SEED_A, false,
			   "A finds its own YMM0-15 after B ran (none of B's), XCR0 7");
	b.nres = 0;
	if (run_to(&b, HV_EXIT_HLT, "B, second HLT") == 0)
		expect_res(&b, want2, 2, "B after A");
	if (guest_ok(&b, "B ran on after A"))
		check_dump(&b, 0, SEED_B, false, "B finds its own YMM0-15 after A ran");
	guest_fini(&b);

	/* A's state at its first HLT into a third VM with a copy of A's RAM */
	if (guest_init(&cg, hv, vendor, "xsc", GUEST_RAM, NULL,
		       HV_MODE_LONG64, 0)) {
		fail("guest C: %s", cg.why);
		goto out_a;
	}
	src = hv_vm_gpa_ptr(a.vm, 0, GUEST_RAM);
	dst = hv_vm_gpa_ptr(cg.vm, 0, GUEST_RAM);
	if (!src || !dst) {
		fail("no RAM mappings");
		goto out_c;
	}
	memcpy(dst, src, GUEST_RAM);
	memset((uint8_t *)dst + TABLE_OUT, 0, 4096);
	if (!expect_success(set_state(cg.vm, &st), "SET_VCPU_STATE of A into C"))
		goto out_c;
	if (run_to(&cg, HV_EXIT_HLT, "C") == 0)
		expect_res(&cg, want2, 2, "C");
	if (guest_ok(&cg, "C ran on from A's state"))
		check_dump(&cg, 0, SEED_A, false,
			   "C finds A's YMM0-15 and XCR0 7 (SET_VCPU_STATE)");

	/* XRSTOR's and XSETBV's rules on SET */
	bad = st;
	bad.xcr0 = 0xe7;
	expect_errno(set_state(cg.vm, &bad), EINVAL, "xcr0 0xe7 (AVX-512)");
	bad.xcr0 = 6;
	expect_errno(set_state(cg.vm, &bad), EINVAL, "xcr0 6 (no x87)");
	bad.xcr0 = 5;
	expect_errno(set_state(cg.vm, &bad), EINVAL, "xcr0 5 (AVX without SSE)");
	bad = st;
	v = 0x27;
	memcpy(bad.xsave + 512, &v, 8);
	expect_errno(set_state(cg.vm, &bad), EINVAL, "XSTATE_BV with opmask");
	bad = st;
	bad.xsave[600] ^= 1;		/* YMM data is any value */
	expect_success(set_state(cg.vm, &bad), "any YMM_Hi128 value");
out_c:
	guest_fini(&cg);
out_a:
	guest_fini(&a);
	if (host_avx) {
		if (host_ymm_bad)
			fail("host YMM0-15 changed across %u of %u guest runs (%u qwords)",
			     host_ymm_bad ? 1 : 0, host_ymm_runs, host_ymm_bad);
		else
			ok("the host's YMM0-15 survived all %u guest runs", host_ymm_runs);
	}
}

static void guest_case(void)
{
	if (vendor == HV_VENDOR_AMD) {
		/* no host XSAVE on the amd machine: the default must hide it */
		hidden();
		return;
	}
	guest_on();
}

/* ---- snapshots ---- */

/* guest_init() under a fixed name, for hvctl to find it. */
static int named_init(struct guest *g, const char *name)
{
	char path[512];
	struct hv_regs regs;
	uint64_t size;
	int err;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	err = hv_vm_create(hv, name, 0, &g->vm);
	if (!err)
		err = hv_vm_add_ram(g->vm, 0, GUEST_RAM);
	snprintf(path, sizeof(path), "%s/xsave.bin", guest_dir());
	if (!err)
		err = hv_load_flat(g->vm, path, GUEST_BASE, &size);
	if (!err)
		err = hv_vcpu_create(g->vm, 0, &g->vcpu);
	if (!err) {
		g->run = hv_vcpu_run_area(g->vcpu);
		err = hv_vcpu_setup_mode(g->vcpu, g->vm, HV_MODE_LONG64,
					 GUEST_BASE, STACK_TOP, SCRATCH_GPA);
	}
	if (!err)
		err = hv_vcpu_get_regs(g->vcpu, &regs);
	if (!err) {
		regs.rdi = vendor;
		regs.rsi = SEED_A;
		err = hv_vcpu_set_regs(g->vcpu, &regs);
	}
	if (err)
		guest_why(g, "VM %s: %s", name, hv_strerror(err));
	return err ? -1 : 0;
}

/* A guest at its first HLT (YMM written on intel), left in VM NAME. */
static void snap_take(const char *name)
{
	struct guest g;

	if (named_init(&g, name) == 0 &&
	    run_to(&g, HV_EXIT_HLT, "first HLT") == 0 &&
	    vendor == HV_VENDOR_INTEL)
		expect_res(&g, want_on, N_ON, "snapshot guest");
	guest_ok(&g, "xsave guest at its first HLT, left for the snapshot");
	hv_vcpu_close(g.vcpu);
	if (g.vm)
		hv_vm_close(g.vm);
}

/* NAME, restored from the snapshot: the same XCR0 and YMM, and on. */
static void snap_check(const char *name)
{
	static const uint64_t want_i[] = { M(14), RES_DONE };
	static const uint64_t want_a[] = { M(14), VEC_UD, RES_DONE };
	static struct hv_vcpu_state st;
	struct guest g;
	int err;

	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "%s", name);
	err = hv_vm_open(hv, name, &g.vm);
	if (err) {
		fail("open %s: %s", name, hv_strerror(err));
		return;
	}
	err = hv_vm_map_ram(g.vm, 0, GUEST_RAM);
	if (err) {
		fail("map the RAM of %s: %s", name, hv_strerror(err));
		goto out;
	}
	if (!expect_success(get_state(g.vm, &st), "GET_VCPU_STATE of the restored VM"))
		goto out;
	if (vendor == HV_VENDOR_INTEL)
		check_state_ymm(&st, SEED_A, "restored VM");
	else
		expect_eq(st.xcr0, 1, "restored VM: xcr0 1 (no XSAVE here)");
	err = hv_vcpu_open(g.vm, 0, &g.vcpu);
	if (err) {
		fail("open vCPU 0 of %s: %s", name, hv_strerror(err));
		goto out;
	}
	g.run = hv_vcpu_run_area(g.vcpu);
	if (run_to(&g, HV_EXIT_HLT, "restored guest") == 0) {
		if (vendor == HV_VENDOR_INTEL)
			expect_res(&g, want_i, 2, "restored guest");
		else
			expect_res(&g, want_a, 3, "restored guest");
	}
	if (guest_ok(&g, "the restored guest ran on to its end") &&
	    vendor == HV_VENDOR_INTEL)
		check_dump(&g, 0, SEED_A, false,
			   "the restored guest finds its YMM0-15 and XCR0 7");
out:
	guest_fini(&g);
}

int main(int argc, char **argv)
{
	struct hv_caps caps;
	cpu_set_t set;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	(void)guest_run_expect;		/* hvguest.h's; run_to() here */
	(void)guest_expect_results;
	if (argc < 3) {
		fprintf(stderr, "usage: hv-xsave-test hidden|guest VENDOR | snap-take|snap-check NAME\n");
		return 2;
	}
	/* Every VM of a case on one CPU: they share its registers */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	host_avx = probe_host_avx();
	err = hv_open(&hv);
	if (!err)
		err = hv_caps(hv, &caps);
	if (err) {
		fail("open hv: %s", hv_strerror(err));
		return hvtest_exit();
	}
	vendor = caps.vendor;
	if (!strcmp(argv[1], "hidden") || !strcmp(argv[1], "guest")) {
		if (strcmp(argv[2], hv_vendor_name(vendor))) {
			fail("vendor %s, expected %s", hv_vendor_name(vendor), argv[2]);
			return hvtest_exit();
		}
		if (!strcmp(argv[1], "hidden"))
			hidden();
		else
			guest_case();
	} else if (!strcmp(argv[1], "snap-take")) {
		snap_take(argv[2]);
	} else if (!strcmp(argv[1], "snap-check")) {
		snap_check(argv[2]);
	} else {
		fail("unknown case %s", argv[1]);
	}
	return hvtest_exit();
}
