// SPDX-License-Identifier: GPL-2.0
/*
 * hv-hostile-test: hostile guests and what they must not do to the host
 * (issue 11), with the guest tests/guests/hostile.S.  Each case checks
 * what the guest sees (registers, memory, exceptions) and what the host
 * sees (exit counts, errnos, a host task that keeps working).
 *
 *   hostinsn   1000 INVD + 1000 WBINVD + WBNOINVD each exit and complete;
 *              MONITOR #UD, MWAIT #UD, RDPMC #GP, RDPRU #UD
 *   udstorm    N #UDs through the guest's own handler, then one without
 *              an IDT: triple fault (HV_EXIT_SHUTDOWN)
 *   virtjunk   VMRUN/VMLOAD/VMSAVE/VMXON/VMPTRLD/VMREAD/INVLPGA/SKINIT
 *              with garbage operands #UD; VMCALL/VMMCALL with junk
 *   msrgames   EFER, APIC base, FEATURE_CONTROL, SYSENTER, VM_CR... writes
 *   stringio   REP OUTSB / REP INSB / STD; REP OUTSB: one HV_EXIT_IO
 *              per element, RIP kept until RCX is 0, INSB's answers in
 *              guest memory; managed: INs read all-ones, the guest ends
 *   ramtouch   the guest writes and checks every page of its RAM; the
 *              host sees the same through its mapping
 *   portflood  managed: N OUTs to unclaimed ports, counted; INs read
 *              all-ones; the VM keeps running until stopped
 *   clistart NAME
 *              managed `cli; jmp .` left running for `hvctl stop`
 *   busy       vCPU ioctls while a run holds the vCPU: EBUSY at once
 *   rflags     SET_REGS / SET_VCPU_STATE refuse every reserved RFLAGS bit
 *   crgames    MOV to CR0 with NW without CD, a reserved bit, PG without
 *              PE: #GP, CR0 unchanged; TS by MOV, CLTS, LMSW (register
 *              and memory) takes effect; LMSW m16 never clears PE
 *   ioperm     a host task's ioperm() port still works after a guest ran
 *              on its CPU (VT-x cuts the TSS limit at every exit)
 *
 * Each prints "hostile: <case>: ... exits" figures for the suite's total.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>

#include "hvguest.h"

/* tests/guests/hostile.S */
#define HOSTILE_HOSTINSN	0
#define HOSTILE_UDSTORM		1
#define HOSTILE_VIRTJUNK	2
#define HOSTILE_STRINGIO	3
#define HOSTILE_RAMTOUCH	4
#define HOSTILE_PORTFLOOD	5
#define HOSTILE_CLILOOP		6
#define HOSTILE_SPIN		7
#define HOSTILE_HLT		8
#define HOSTILE_EXITS		9
#define HOSTILE_CRGAMES		10
#define RAM_FIRST		0x100000ULL
#define RAM_MAGIC		0x5a5a5a5a5a5a5a5aULL
#define FLOOD_DONE		0xf100dULL
#define SPARE_PAGE		0x30000ULL

static struct hv *hv;
static uint32_t vendor;
static bool intel;

/* Figures: every case prints one line the suite adds up. */
static void figure(const char *what, unsigned long long exits)
{
	const char *path = getenv("HV_FIGURES");
	FILE *f;

	printf("hostile: %s: %llu exits\n", what, exits);
	if (path && *path && (f = fopen(path, "a"))) {
		fprintf(f, "%s %llu\n", what, exits);
		fclose(f);
	}
}

static int guest_set_reg(struct guest *g, size_t off, uint64_t v)
{
	struct hv_regs r;
	int err = hv_vcpu_get_regs(g->vcpu, &r);

	if (!err) {
		*(uint64_t *)((char *)&r + off) = v;
		err = hv_vcpu_set_regs(g->vcpu, &r);
	}
	if (err)
		guest_why(g, "set register at %zu: %s", off, hv_strerror(err));
	return err;
}
#define SET_REG(g, reg, v) guest_set_reg(g, offsetof(struct hv_regs, reg), v)

static int hostile_init(struct guest *g, const char *tag, uint64_t ram,
			unsigned int act, uint64_t rdx)
{
	if (guest_init(g, hv, vendor, tag, ram, "hostile.bin",
		       HV_MODE_LONG64, act))
		return -1;
	return SET_REG(g, rdx, rdx);
}

/* ------------------------------------------------------------ hostinsn */

/*
 * guest_run() collects the results but not the exit count at each; this
 * one stops at every PORT_RESULT exit and records run->exit_count.
 */
static int run_counting(struct guest *g, uint64_t *counts, unsigned int max)
{
	struct hv_run *run = g->run;
	int err;

	for (;;) {
		err = hv_vcpu_run(g->vcpu);
		if (err)
			return err;
		if (run->exit_reason != HV_EXIT_IO ||
		    run->io.direction != HV_IO_OUT ||
		    run->io.port != PORT_RESULT)
			return (int)run->exit_reason;
		if (g->nres < max)
			counts[g->nres] = run->exit_count;
		if (g->nres < GUEST_MAX_RES)
			g->res[g->nres++] = run->io.data & 0xffffffffULL;
	}
}

static void case_hostinsn(void)
{
	static const uint64_t want[] = {
		RES_MARK + 0x100, RES_MARK + 0x101,
		RES_MARK + 0, 6,	/* MONITOR: #UD */
		RES_MARK + 1, 6,	/* MWAIT: #UD */
		RES_MARK + 2, 13,	/* RDPMC: #GP(0) */
		RES_MARK + 3, 6,	/* RDPRU: #UD */
		RES_DONE,
	};
	uint64_t counts[GUEST_MAX_RES] = { 0 };
	struct guest g;
	int r;

	if (hostile_init(&g, "hinsn", 2 * MiB, HOSTILE_HOSTINSN, 0))
		goto out;
	r = run_counting(&g, counts, GUEST_MAX_RES);
	if (r < 0) {
		guest_why(&g, "run: %s", hv_strerror(r));
		goto out;
	}
	if (r != HV_EXIT_HLT) {
		char buf[256];

		guest_why(&g, "exit %s, expected HLT",
			  exit_describe(g.run, buf, sizeof(buf)));
		goto out;
	}
	if (g.nres >= 2) {
		unsigned long long d = counts[1] - counts[0];

		printf("  exits between the marks: %llu (exit_count %llu -> %llu)\n",
		       d, (unsigned long long)counts[0],
		       (unsigned long long)counts[1]);
		if (d < 2001) {
			guest_why(&g, "1000 INVD + 1000 WBINVD + WBNOINVD caused %llu exits, expected >= 2001 (not intercepted)",
				  d);
			goto out;
		}
		ok("1000 INVD + 1000 WBINVD + 1 WBNOINVD: %llu exits", d);
		figure("hostinsn", counts[g.nres - 1]);
	}
	if (guest_expect_results(&g, want, sizeof(want) / sizeof(want[0]),
				 "marks; MONITOR, MWAIT, RDPMC, RDPRU (#UD = 6, #GP = 13)"))
		goto out;
	ok("each completed as a no-op; MONITOR #UD, MWAIT #UD, RDPMC #GP(0), RDPRU #UD");
out:
	guest_ok(&g, "INVD, WBINVD, MONITOR, MWAIT, RDPMC, RDPRU: one policy");
	guest_fini(&g);
}

/* ------------------------------------------------------------- udstorm */

static void case_udstorm(void)
{
	uint64_t n = intel ? 10000 : 100000;
	uint64_t want[2] = { n, RES_DONE };
	struct guest g;

	if (hostile_init(&g, "ud", 2 * MiB, HOSTILE_UDSTORM, n) ||
	    guest_run_expect(&g, HV_EXIT_SHUTDOWN, "#UD storm, then #UD without an IDT") ||
	    guest_expect_results(&g, want, 2, "#UDs the guest's handler counted"))
		goto out;
	ok("%llu #UDs delivered to the guest's own handler, then a triple fault",
	   (unsigned long long)n);
	figure("udstorm", g.run->exit_count);
out:
	guest_ok(&g, "#UD storm with a handler; #UD without one: HV_EXIT_SHUTDOWN");
	guest_fini(&g);
}

/* ------------------------------------------------------------ virtjunk */

static void case_virtjunk(void)
{
	static const char *const names[] = {
		"VMRUN rax=-1", "VMLOAD rax=0x123", "VMSAVE rax beyond RAM",
		"VMXON non-canonical", "VMPTRLD non-canonical", "VMREAD",
		"INVLPGA", "SKINIT",
	};
	const uint64_t nnames = sizeof(names) / sizeof(names[0]);
	const uint64_t ret = 0x5a5a1234;
	uint64_t want[2 * 8 + 2], want3[2];
	struct guest g;
	unsigned int i, k = 0;

	/*
	 * #UD, as on a CPU without VMX or SVM - but AMD-V checks VMRUN's,
	 * VMLOAD's and VMSAVE's rAX (alignment, physical address width)
	 * before the intercept and raises #GP(0) itself (APM Vol 3, VMRUN:
	 * exceptions; the guest's EFER.SVME is set for VMRUN's sake).
	 */
	for (i = 0; i < nnames; i++) {
		want[k++] = RES_MARK + i;
		want[k++] = vendor == HV_VENDOR_AMD && i < 3 ? 13 : 6;
	}
	want[k++] = (uint32_t)HV_HC_ENOSYS;	/* VMCALL, unknown number */
	want[k++] = (uint32_t)HV_HC_ENOSYS;	/* VMMCALL */
	if (hostile_init(&g, "vjunk", 2 * MiB, HOSTILE_VIRTJUNK, 0) ||
	    guest_run_expect(&g, HV_EXIT_HYPERCALL, "garbage, then a user hypercall") ||
	    guest_expect_results(&g, want, k,
				 "#UD = 6 (AMD-V: #GP = 13 for a bad rAX); ENOSYS twice"))
		goto out;
	if (!check_reg(&g, "hypercall nr", g.run->hypercall.nr,
		       0x7fffffffffffffffULL) ||
	    !check_reg(&g, "arg 0 (rbx)", g.run->hypercall.args[0], ~0ULL) ||
	    !check_reg(&g, "arg 1 (rcx)", g.run->hypercall.args[1],
		       0x8000000000000000ULL))
		goto out;
	g.run->hypercall.ret = ret;
	want3[0] = ret;
	g.nres = 0;
	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "VMMCALL, user number") ||
	    guest_expect_results(&g, want3, 1, "VMCALL's answer in RAX"))
		goto out;
	g.run->hypercall.ret = ret + 1;
	g.nres = 0;
	want3[0] = ret + 1;
	want3[1] = RES_DONE;
	if (guest_run_expect(&g, HV_EXIT_HLT, "end") ||
	    guest_expect_results(&g, want3, 2, "VMMCALL's answer in RAX"))
		goto out;
	ok("VMRUN, VMLOAD, VMSAVE (AMD-V: #GP, their rAX is checked first), VMXON, VMPTRLD, VMREAD, INVLPGA, SKINIT with garbage: #UD; VMCALL/VMMCALL with junk: ENOSYS or a user exit");
	figure("virtjunk", g.run->exit_count);
out:
	guest_ok(&g, "virtualization instructions with garbage operands");
	guest_fini(&g);
}

/* ------------------------------------------------------------ msrgames */

/* tests/guests/msr.S: {msr, flags, value}; WRMSR if flags & 1, RDMSR */
struct msr_entry { uint32_t msr, flags; uint64_t value; };
#define MSR_W	1
#define DEAD	0xdead0000dead0000ULL

/* gp_write/gp_read: #GP expected; want: what RDMSR leaves in EDX:EAX */
static const struct { const char *what; struct msr_entry e;
		      int gp_write, gp_read; uint64_t want; } msr_games[] = {
	/* EFER in long mode (LME|LMA = 0x500): SCE|NXE may change ... */
	{ "EFER = SCE|LME|LMA|NXE", { 0xc0000080, MSR_W, 0xd01 }, 0, 0, 0xd01 },
	/* ... SVME, FFXSR, LMSLE, bit 63, LMA or LME cleared: #GP */
	{ "EFER.SVME", { 0xc0000080, MSR_W, 0x1d01 }, 1, 0, 0xd01 },
	{ "EFER.FFXSR", { 0xc0000080, MSR_W, 0x4d01 }, 1, 0, 0xd01 },
	{ "EFER bit 15", { 0xc0000080, MSR_W, 0x8d01 }, 1, 0, 0xd01 },
	{ "EFER bit 63", { 0xc0000080, MSR_W, 0x8000000000000d01ULL }, 1, 0,
	  0xd01 },
	{ "EFER.LMA cleared", { 0xc0000080, MSR_W, 0x901 }, 1, 0, 0xd01 },
	{ "EFER.LME cleared under paging", { 0xc0000080, MSR_W, 0xc01 }, 1, 0,
	  0xd01 },
	/*
	 * The local APIC's MSRs (APIC base, x2APIC) are io/lapic.c's, with
	 * tests of their own.  The platform's fixed MSRs take only what
	 * changes nothing (kmod/hv_msr.c).
	 */
	{ "MISC_ENABLE fast strings off", { 0x1a0, MSR_W, 0x1800 }, 1, 0,
	  0x1801 },
	{ "MISC_ENABLE limit CPUID", { 0x1a0, MSR_W, 0x401801 }, 1, 0, 0x1801 },
	{ "MTRRCAP written", { 0xfe, MSR_W, 0x508 }, 1, 0, 0 },
	{ "MTRRdefType reserved bit 12", { 0x2ff, MSR_W, 0x1806 }, 1, 0, 0x806 },
	{ "MTRRdefType type 7", { 0x2ff, MSR_W, 0x807 }, 1, 0, 0x806 },
	{ "HWCR SmmLock", { 0xc0010015, MSR_W, 0x1000001 }, 1, 0, 0x1000000 },
	{ "PERF_CAPABILITIES", { 0x345, MSR_W, 0 }, 1, 1, DEAD },
	{ "TSC_AUX (RDTSCP hidden)", { 0xc0000103, MSR_W, 1 }, 1, 1, DEAD },
	/* FEATURE_CONTROL: lock with VMXON enabled */
	{ "FEATURE_CONTROL", { 0x3a, MSR_W, 0x5 }, 1, 1, DEAD },
	/* SYSENTER: canonical addresses stay, non-canonical ones #GP */
	{ "SYSENTER_CS", { 0x174, MSR_W, 0x10 }, 0, 0, 0x10 },
	{ "SYSENTER_ESP", { 0x175, MSR_W, 0xffff800000001000ULL }, 0, 0,
	  0xffff800000001000ULL },
	{ "SYSENTER_ESP non-canonical", { 0x175, MSR_W, 0x8000000000000000ULL },
	  1, 0, 0xffff800000001000ULL },
	{ "SYSENTER_EIP", { 0x176, MSR_W, 0xffffffff81000000ULL }, 0, 0,
	  0xffffffff81000000ULL },
	{ "SYSENTER_EIP non-canonical", { 0x176, MSR_W, 0x0000800000000000ULL },
	  1, 0, 0xffffffff81000000ULL },
	{ "SYSENTER_EIP non-canonical high", { 0x176, MSR_W,
	  0xfff0000000000000ULL }, 1, 0, 0xffffffff81000000ULL },
	/* the hypervisor's own: VM_CR, VM_HSAVE_PA, VMX_BASIC */
	{ "VM_CR", { 0xc0010114, MSR_W, 0x10 }, 1, 1, DEAD },
	{ "VM_HSAVE_PA", { 0xc0010117, MSR_W, 0x100000 }, 1, 1, DEAD },
	{ "VMX_BASIC", { 0x480, 0, 0 }, 0, 1, DEAD },
};
#define NGAMES (sizeof(msr_games) / sizeof(msr_games[0]))

static void case_msrgames(void)
{
	uint64_t want[4 * NGAMES + 1], got[NGAMES];
	unsigned int n = 0;
	uint32_t *in;
	struct guest g;
	size_t i;

	if (guest_init(&g, hv, vendor, "msrg", 2 * MiB, "msr.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	in = hv_vm_gpa_ptr(g.vm, TABLE_IN,
			   8 + NGAMES * sizeof(struct msr_entry));
	in[0] = NGAMES;
	for (i = 0; i < NGAMES; i++) {
		memcpy((char *)(in + 2) + i * sizeof(struct msr_entry),
		       &msr_games[i].e, sizeof(struct msr_entry));
		want[n++] = RES_MARK + i;
		if (msr_games[i].gp_write)
			want[n++] = 13;
		if (msr_games[i].gp_read)
			want[n++] = 13;
	}
	want[n++] = RES_DONE;
	if (guest_run_expect(&g, HV_EXIT_HLT, "msr games") ||
	    guest_expect_results(&g, want, n, "marks and #GPs (13)"))
		goto out;
	memcpy(got, hv_vm_gpa_ptr(g.vm, TABLE_OUT, sizeof(got)), sizeof(got));
	for (i = 0; i < NGAMES; i++)
		if (!check_reg(&g, msr_games[i].what, got[i],
			       msr_games[i].want))
			goto out;
	ok("EFER (SVME, FFXSR, reserved bits, LMA/LME games), the platform's fixed MSRs, FEATURE_CONTROL, VM_CR, VM_HSAVE_PA, VMX_BASIC: #GP; SYSENTER non-canonical #GP, canonical kept");
	figure("msrgames", g.run->exit_count);
out:
	guest_ok(&g, "MSR writes a hostile guest tries");
	guest_fini(&g);
}

/* ------------------------------------------------------------ stringio */

static void case_stringio(void)
{
	struct hv_vm_info info;
	struct hv_regs r;
	struct guest g;
	uint64_t exits = 0;
	uint8_t *page;
	int err, i;

	if (hostile_init(&g, "strio", 2 * MiB, HOSTILE_STRINGIO, 0))
		goto out;
	page = hv_vm_gpa_ptr(g.vm, SPARE_PAGE, 4096);
	for (i = 0; i < 16; i++)
		page[i] = 0x40 + i;
	memset(page + 0x100, 0, 8);
	/* REP OUTSB: one HV_EXIT_IO per byte, in order, RIP on the insn */
	for (i = 0; i < 16; i++) {
		if (guest_run_expect(&g, HV_EXIT_IO, "REP OUTSB") ||
		    !check_reg(&g, "direction", g.run->io.direction,
			       HV_IO_OUT) ||
		    !check_reg(&g, "port", g.run->io.port, 0x1234) ||
		    !check_reg(&g, "size", g.run->io.size, 1) ||
		    !check_reg(&g, "data", g.run->io.data, 0x40 + i))
			goto out;
	}
	ok("REP OUTSB: 16 HV_EXIT_IO OUTs of one byte each, the string in order");
	/* REP INSB: one IN per byte, the answers land in guest memory */
	for (i = 0; i < 4; i++) {
		if (guest_run_expect(&g, HV_EXIT_IO, "REP INSB") ||
		    !check_reg(&g, "direction", g.run->io.direction,
			       HV_IO_IN) ||
		    !check_reg(&g, "port", g.run->io.port, 0x1234) ||
		    !check_reg(&g, "size", g.run->io.size, 1))
			goto out;
		err = hv_vcpu_get_regs(g.vcpu, &r);
		if (err) {
			guest_why(&g, "GET_REGS: %s", hv_strerror(err));
			goto out;
		}
		/* Not done yet: RIP on the INSB, nothing written yet */
		if (!check_reg(&g, "rip", r.rip, r.r15) ||
		    !check_reg(&g, "rcx", r.rcx, 4 - i) ||
		    !check_reg(&g, "rdi", r.rdi, SPARE_PAGE + 0x100 + i) ||
		    !check_reg(&g, "byte", page[0x100 + i], 0))
			goto out;
		g.run->io.data = 0xa0 + i;
	}
	/* STD; REP OUTSB of two bytes: downwards */
	for (i = 0; i < 2; i++) {
		if (guest_run_expect(&g, HV_EXIT_IO, "STD; REP OUTSB") ||
		    !check_reg(&g, "direction", g.run->io.direction,
			       HV_IO_OUT) ||
		    !check_reg(&g, "data", g.run->io.data, 0x4f - i))
			goto out;
	}
	for (i = 0; i < 4; i++)
		if (!check_reg(&g, "INSB byte", page[0x100 + i], 0xa0 + i))
			goto out;
	if (!check_reg(&g, "byte after", page[0x104], 0))
		goto out;
	ok("REP INSB: 4 HV_EXIT_IO INs, RIP kept until RCX is 0, the answers in guest memory; DF=1 moves down");
	{
		/* then the unmapped source: #PF, CR2, RCX untouched */
		static const uint64_t done[] = {
			14, 0x10, 0x80, 3, RES_DONE,	/* CR2 0x8000000010 */
		};

		if (guest_run_expect(&g, HV_EXIT_HLT, "after string I/O") ||
		    guest_expect_results(&g, done, 5, "#PF, end"))
			goto out;
	}
	ok("REP OUTSB from an unmapped page: #PF with CR2, nothing done");
	err = hv_vcpu_get_regs(g.vcpu, &r);
	if (err) {
		guest_why(&g, "GET_REGS: %s", hv_strerror(err));
		goto out;
	}
	/* RSI untouched by the #PF (RDI is idt_setup's by now) */
	if (!check_reg(&g, "rsi", r.rsi, 0x8000000010ULL) ||
	    !check_reg(&g, "DF", r.rflags & 0x400, 0))
		goto out;
	exits = g.run->exit_count;
	guest_fini(&g);

	/* Managed: the unclaimed port reads all-ones, the guest goes on */
	if (hostile_init(&g, "strio-m", 2 * MiB, HOSTILE_STRINGIO, 0))
		goto out;
	page = hv_vm_gpa_ptr(g.vm, SPARE_PAGE, 4096);
	memset(page + 0x100, 0, 8);
	err = hv_vm_start(g.vm);
	if (!err)
		err = hv_vm_wait_stopped(g.vm, 60000, &info);
	if (err) {
		guest_why(&g, "managed run: %s", hv_strerror(err));
		goto out;
	}
	if (!check_reg(&g, "state", info.state, HV_VM_STATE_STOPPED) ||
	    /*
	     * The first result on PORT_RESULT, the debug-exit port, ends
	     * the run: the #PF's vector, after all the string I/O
	     */
	    !check_reg(&g, "stop_reason", info.stop_reason,
		       HV_STOP_DEBUG_EXIT) ||
	    !check_reg(&g, "exit_status", info.exit_status, (14 << 1) | 1) ||
	    !check_reg(&g, "io_unclaimed >= 22", info.io_unclaimed >= 22, 1))
		goto out;
	for (i = 0; i < 4; i++)
		if (!check_reg(&g, "INSB byte", page[0x100 + i], 0xff))
			goto out;
	if (!check_reg(&g, "byte after", page[0x104], 0))
		goto out;
	ok("managed: every element unclaimed, INSB reads all-ones, then the #PF");
	figure("stringio", exits + info.exits);
out:
	guest_ok(&g, "string I/O");
	guest_fini(&g);
}

/* ------------------------------------------------------------ ramtouch */

static void case_ramtouch(void)
{
	uint64_t ram = (intel ? 16 : 64) * MiB;
	uint64_t pages = (ram - RAM_FIRST) / 4096, gpa, bad = 0;
	uint64_t want[3] = { 0, pages, RES_DONE };
	struct guest g;

	if (hostile_init(&g, "ram", ram, HOSTILE_RAMTOUCH, ram) ||
	    guest_run_expect(&g, HV_EXIT_HLT, "ramtouch") ||
	    guest_expect_results(&g, want, 3, "mismatches, pages, done"))
		goto out;
	for (gpa = RAM_FIRST; gpa < ram; gpa += 4096) {
		uint64_t *p = hv_vm_gpa_ptr(g.vm, gpa, 4096);

		if (!p || p[0] != (gpa ^ RAM_MAGIC) ||
		    p[511] != ~(gpa ^ RAM_MAGIC)) {
			if (!bad++)
				guest_why(&g, "page %#llx: host sees %#llx %#llx",
					  (unsigned long long)gpa,
					  p ? (unsigned long long)p[0] : 0ULL,
					  p ? (unsigned long long)p[511] : 0ULL);
		}
	}
	if (bad)
		goto out;
	ok("the guest wrote and read back %llu pages (%llu MiB); the host sees each",
	   (unsigned long long)pages, (unsigned long long)(ram / MiB));
	figure("ramtouch", g.run->exit_count);
out:
	guest_ok(&g, "a guest touching all its RAM");
	guest_fini(&g);
}

/* ----------------------------------------------------------- portflood */

static void case_portflood(void)
{
	uint64_t n = intel ? 10000 : 100000;
	volatile uint64_t *out;
	struct hv_vm_info info;
	struct guest g;
	int err, i;

	if (hostile_init(&g, "flood", 2 * MiB, HOSTILE_PORTFLOOD, n))
		goto out;
	out = hv_vm_gpa_ptr(g.vm, TABLE_OUT, 32);
	err = hv_vm_start(g.vm);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	/* Until the guest says it is done (at most ~5 min) */
	for (i = 0; i < 30000 && out[0] != FLOOD_DONE; i++) {
		err = hv_vm_info(g.vm, &info);
		if (err || info.state != HV_VM_STATE_RUNNING) {
			guest_why(&g, "while flooding: %s, state %u (stop_reason %u)",
				  hv_strerror(err), info.state,
				  info.stop_reason);
			goto out;
		}
		usleep(10000);
	}
	if (out[0] != FLOOD_DONE) {
		guest_why(&g, "the flood did not end (TABLE_OUT %#llx)",
			  (unsigned long long)out[0]);
		goto out;
	}
	if (!check_reg(&g, "IN al", out[1], 0xff) ||
	    !check_reg(&g, "IN ax", out[2], 0xffff) ||
	    !check_reg(&g, "IN eax", out[3], 0xffffffff))
		goto out;
	usleep(100000);
	err = hv_vm_info(g.vm, &info);
	if (err) {
		guest_why(&g, "info: %s", hv_strerror(err));
		goto out;
	}
	if (!check_reg(&g, "state after the flood", info.state,
		       HV_VM_STATE_RUNNING))
		goto out;
	if (info.io_unclaimed < n + 3) {
		guest_why(&g, "io_unclaimed %llu, expected >= %llu",
			  (unsigned long long)info.io_unclaimed,
			  (unsigned long long)n + 3);
		goto out;
	}
	ok("%llu OUTs and 3 INs to unclaimed ports: io_unclaimed %llu, INs all-ones, the VM still running",
	   (unsigned long long)n, (unsigned long long)info.io_unclaimed);
	err = hv_vm_stop(g.vm);
	if (!err)
		err = hv_vm_info(g.vm, &info);
	if (err) {
		guest_why(&g, "stop: %s", hv_strerror(err));
		goto out;
	}
	if (!check_reg(&g, "state", info.state, HV_VM_STATE_STOPPED) ||
	    !check_reg(&g, "stop_reason", info.stop_reason,
		       HV_STOP_REQUESTED))
		goto out;
	figure("portflood", info.exits);
out:
	guest_ok(&g, "port flood in managed mode: counted, the VM runs on");
	guest_fini(&g);
}

/* ------------------------------------------------------------ clistart */

/* A managed `cli; jmp .` left running under NAME, for `hvctl stop`. */
static void case_clistart(const char *name)
{
	struct hv_vm_info info;
	struct guest g;
	int err;

	if (hostile_init(&g, "cli", 2 * MiB, HOSTILE_CLILOOP, 0))
		goto out;
	/* guest_init named it hvt-cli-PID; the shell wants @name */
	hv_vcpu_close(g.vcpu);
	g.vcpu = NULL;
	err = hv_vm_destroy(g.vm);
	g.vm = NULL;
	if (err) {
		guest_why(&g, "destroy: %s", hv_strerror(err));
		goto out;
	}
	memset(&g, 0, sizeof(g));
	snprintf(g.name, sizeof(g.name), "%s", name);
	err = hv_vm_create(hv, name, 0, &g.vm);
	if (!err)
		err = hv_vm_add_ram(g.vm, 0, 2 * MiB);
	if (!err) {
		char path[512];
		uint64_t size;

		snprintf(path, sizeof(path), "%s/hostile.bin", guest_dir());
		err = hv_load_flat(g.vm, path, GUEST_BASE, &size);
	}
	if (!err)
		err = hv_vcpu_create(g.vm, 0, &g.vcpu);
	if (!err)
		err = hv_vcpu_setup_mode(g.vcpu, g.vm, HV_MODE_LONG64,
					 GUEST_BASE, STACK_TOP, SCRATCH_GPA);
	if (err) {
		guest_why(&g, "set up %s: %s", name, hv_strerror(err));
		goto out;
	}
	if (SET_REG(&g, rsi, HOSTILE_CLILOOP) || SET_REG(&g, rdi, vendor))
		goto out;
	err = hv_vm_start(g.vm);
	if (!err)
		err = hv_vm_info(g.vm, &info);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	if (!check_reg(&g, "state", info.state, HV_VM_STATE_RUNNING))
		goto out;
	ok("%s: cli; jmp . running managed", name);
	hv_vcpu_close(g.vcpu);
	/* Left running: the case stops and destroys it with hvctl */
	return;
out:
	guest_ok(&g, "cli; jmp . started");
	guest_fini(&g);
}

/* ---------------------------------------------------------------- busy */

/*
 * Each call on the vCPU fd must return at once.  The whole check runs in
 * a child whose alarm() (default action: a fatal signal, which also ends
 * a killable wait) ends it if a call hangs; the parent reports that.
 */
static int busy_calls(int fd, const char *when)
{
	struct hv_regs r;
	struct hv_sregs s;

	memset(&r, 0, sizeof(r));
	r.rflags = 2;
	if (!expect_errno(ioctl(fd, HV_VCPU_GET_REGS, &r), EBUSY,
			  "HV_VCPU_GET_REGS") ||
	    !expect_errno(ioctl(fd, HV_VCPU_SET_REGS, &r), EBUSY,
			  "HV_VCPU_SET_REGS") ||
	    !expect_errno(ioctl(fd, HV_VCPU_GET_SREGS, &s), EBUSY,
			  "HV_VCPU_GET_SREGS") ||
	    !expect_errno(ioctl(fd, HV_VCPU_RUN, 0), EBUSY, "HV_VCPU_RUN")) {
		printf("  (%s)\n", when);
		return -1;
	}
	return 0;
}

struct busy_runner {
	struct hv_vcpu *vcpu;
	int err;
	volatile int started;
};

static void busy_sigusr1(int sig)
{
	(void)sig;
}

static void *busy_run(void *arg)
{
	struct busy_runner *b = arg;

	b->started = 1;
	b->err = hv_vcpu_run(b->vcpu);
	return NULL;
}

static void busy_child(unsigned int secs)
{
	struct hv_vcpu *v2 = NULL;
	struct busy_runner b = { 0 };
	struct sigaction sa;
	struct hv_regs r;
	struct guest g;
	pthread_t t;
	int err, fd, i;

	alarm(secs);
	if (hostile_init(&g, "busy", 2 * MiB, HOSTILE_SPIN, 0))
		goto out;
	err = hv_vm_start(g.vm);
	if (!err)
		err = hv_vcpu_open(g.vm, 0, &v2);
	if (err) {
		guest_why(&g, "start, open vCPU 0: %s", hv_strerror(err));
		goto out;
	}
	/* Managed and spinning: both fds, every call EBUSY at once */
	usleep(100000);
	if (busy_calls(hv_vcpu_fd(v2), "HV_VM_OPEN_VCPU fd, managed run") ||
	    busy_calls(hv_vcpu_fd(g.vcpu), "first fd, managed run"))
		goto out;
	ok("managed VM spinning: GET_REGS, SET_REGS, GET_SREGS, RUN on a vCPU fd: EBUSY at once");
	err = hv_vm_stop(g.vm);
	if (err) {
		guest_why(&g, "stop: %s", hv_strerror(err));
		goto out;
	}
	err = hv_vcpu_get_regs(v2, &r);
	if (err) {
		guest_why(&g, "GET_REGS after stop: %s", hv_strerror(err));
		goto out;
	}
	ok("after stop: GET_REGS works (rip %#llx)", (unsigned long long)r.rip);

	/* Attached: a RUN in one thread, the calls in this one */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = busy_sigusr1;		/* no SA_RESTART: RUN -EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	b.vcpu = g.vcpu;
	if (pthread_create(&t, NULL, busy_run, &b)) {
		guest_why(&g, "pthread_create failed");
		goto out;
	}
	fd = hv_vcpu_fd(v2);
	/* Until the runner holds the vCPU, GET_REGS still answers */
	for (i = 0; i < 10000; i++) {
		if (ioctl(fd, HV_VCPU_GET_REGS, &r) < 0)
			break;
		usleep(1000);
	}
	if (i == 10000 || errno != EBUSY) {
		guest_why(&g, "GET_REGS during an attached run: %s",
			  i == 10000 ? "never EBUSY" : strerror(errno));
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		goto out;
	}
	if (busy_calls(fd, "attached run in another thread")) {
		pthread_kill(t, SIGUSR1);
		pthread_join(t, NULL);
		goto out;
	}
	ok("attached RUN in another thread: GET_REGS, SET_REGS, GET_SREGS, RUN: EBUSY at once");
	while (!b.started)
		usleep(1000);
	for (i = 0; i < 1000; i++) {
		pthread_kill(t, SIGUSR1);
		usleep(1000);
		if (ioctl(fd, HV_VCPU_GET_REGS, &r) == 0)
			break;
	}
	pthread_join(t, NULL);
	if (b.err != -EINTR) {
		guest_why(&g, "the attached RUN returned %s, expected EINTR",
			  hv_strerror(b.err));
		goto out;
	}
	/* Free again: everything works; a RUN to a HLT ends normally */
	if (SET_REG(&g, rip, GUEST_BASE) || SET_REG(&g, rsi, HOSTILE_HLT) ||
	    guest_run_expect(&g, HV_EXIT_HLT, "RUN after the other thread's"))
		goto out;
	ok("after the signal: SET_REGS, GET_REGS, RUN work again");
	figure("busy", g.run->exit_count);
out:
	hv_vcpu_close(v2);
	guest_ok(&g, "vCPU ioctls never wait for a running vCPU");
	guest_fini(&g);
	exit(hvtest_exit());
}

static void case_busy(void)
{
	unsigned int secs = intel ? 1 : 5;	/* guest seconds: Bochs is slow */
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		busy_child(secs);
	if (waitpid(pid, &status, 0) != pid) {
		fail("waitpid: %s", strerror(errno));
		return;
	}
	if (WIFSIGNALED(status))
		fail("a vCPU ioctl did not return within %us (killed by signal %d): it waits for the running vCPU",
		     secs, WTERMSIG(status));
	else if (WEXITSTATUS(status))
		hvtest_failures++;	/* the child said why */
}

/* ------------------------------------------------------------- crgames */

static void case_crgames(void)
{
	static const uint64_t want[] = {
		RES_MARK + 0, 13,	/* NW without CD: #GP */
		RES_MARK + 1, 13,	/* bit 32: #GP */
		RES_MARK + 2, 13,	/* PG without PE: #GP */
		0,			/* CR0 unchanged */
		1, 0, 1,		/* TS: MOV, CLTS, LMSW r16 */
		1, 0,			/* TS: LMSW m16, CLTS */
		9,			/* LMSW m16 without PE: PE, TS set */
		RES_DONE,
	};
	struct guest g;

	if (hostile_init(&g, "crgames", 2 * MiB, HOSTILE_CRGAMES, 0))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HLT, "the CR0 writes"))
		goto out;
	if (guest_expect_results(&g, want, sizeof(want) / sizeof(want[0]),
				 "three illegal CR0 writes (#GP = 13), CR0 kept, TS by MOV/CLTS/LMSW, LMSW m16 keeps PE"))
		goto out;
	ok("illegal CR0 values #GP, CR0 kept; MOV, CLTS, LMSW (register and memory) take effect, PE kept");
out:
	guest_ok(&g, "CR0 rules on both vendors");
	guest_fini(&g);
}

/* -------------------------------------------------------------- rflags */

static void case_rflags(void)
{
	struct hv_vcpu_state *st = NULL;
	struct hv_regs before, r, after;
	unsigned int bits[64], nbits = 0, i;
	struct guest g;
	char what[96];
	int err;

	bits[nbits++] = 3;
	bits[nbits++] = 5;
	bits[nbits++] = 15;
	for (i = 22; i < 64; i++)
		bits[nbits++] = i;
	if (hostile_init(&g, "rflags", 2 * MiB, HOSTILE_HLT, 0))
		goto out;
	st = calloc(1, sizeof(*st));
	if (!st) {
		guest_why(&g, "out of memory");
		goto out;
	}
	err = hv_vcpu_get_regs(g.vcpu, &before);
	if (err) {
		guest_why(&g, "GET_REGS: %s", hv_strerror(err));
		goto out;
	}
	for (i = 0; i <= nbits; i++) {
		r = before;
		r.rax = 0x1111;		/* must not land either */
		if (i < nbits) {
			r.rflags = before.rflags | 1ULL << bits[i];
			snprintf(what, sizeof(what),
				 "SET_REGS with RFLAGS bit %u", bits[i]);
		} else {
			r.rflags = before.rflags & ~2ULL;
			snprintf(what, sizeof(what),
				 "SET_REGS with RFLAGS bit 1 clear");
		}
		errno = 0;
		if (ioctl(hv_vcpu_fd(g.vcpu), HV_VCPU_SET_REGS, &r) >= 0 ||
		    errno != EINVAL) {
			guest_why(&g, "%s (%#llx): %s, expected EINVAL", what,
				  (unsigned long long)r.rflags,
				  errno ? strerror(errno) : "accepted");
			goto out;
		}
		err = hv_vcpu_get_regs(g.vcpu, &after);
		if (err || memcmp(&after, &before, sizeof(after))) {
			guest_why(&g, "%s: refused, but GET_REGS changed (rflags %#llx rax %#llx)",
				  what, (unsigned long long)after.rflags,
				  (unsigned long long)after.rax);
			goto out;
		}
	}
	ok("SET_REGS: each of %u reserved RFLAGS bits, and bit 1 clear: EINVAL, registers unchanged",
	   nbits);

	/* The state path: the same rule */
	err = hv_vm_get_vcpu_state(g.vm, 0, st);
	if (err) {
		guest_why(&g, "GET_VCPU_STATE: %s", hv_strerror(err));
		goto out;
	}
	for (i = 0; i <= nbits; i++) {
		uint64_t good = st->regs.rflags;

		st->regs.rflags = i < nbits ? good | 1ULL << bits[i]
					    : good & ~2ULL;
		err = hv_vm_set_vcpu_state(g.vm, st);
		st->regs.rflags = good;
		if (err != -EINVAL) {
			guest_why(&g, "SET_VCPU_STATE with RFLAGS %s %u: %s, expected EINVAL",
				  i < nbits ? "bit" : "without bit",
				  i < nbits ? bits[i] : 1, hv_strerror(err));
			goto out;
		}
	}
	ok("SET_VCPU_STATE: the same %u values refused", nbits + 1);

	/* Every defined bit is accepted, and reads back */
	r = before;
	r.rflags = 0x2 | 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x400 | 0x800 |
		   0x40000 | 0x200000;	/* CF PF AF ZF SF DF OF AC ID */
	err = hv_vcpu_set_regs(g.vcpu, &r);
	if (!err)
		err = hv_vcpu_get_regs(g.vcpu, &after);
	if (err || after.rflags != r.rflags) {
		guest_why(&g, "SET_REGS with defined flags %#llx: %s, read back %#llx",
			  (unsigned long long)r.rflags, hv_strerror(err),
			  (unsigned long long)after.rflags);
		goto out;
	}
	ok("defined flags (%#llx) accepted and read back",
	   (unsigned long long)r.rflags);
	figure("rflags", 0);
out:
	free(st);
	guest_ok(&g, "one RFLAGS rule for SET_REGS and SET_VCPU_STATE");
	guest_fini(&g);
}

/* -------------------------------------------------------------- ioperm */

static sigjmp_buf io_jmp;

static void io_segv(int sig)
{
	siglongjmp(io_jmp, sig);
}

/* IN and OUT on port 0x80 (POST codes: nothing listens) */
static int io_try(void)
{
	struct sigaction sa, old;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = io_segv;
	sigaction(SIGSEGV, &sa, &old);
	sig = sigsetjmp(io_jmp, 1);
	if (!sig) {
		outb(0x42, 0x80);
		(void)inb(0x80);
	}
	sigaction(SIGSEGV, &old, NULL);
	return sig;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* A guest with a few hundred exits, run attached on this thread's CPU */
static int io_run_guest(struct guest *g)
{
	static const uint64_t done[] = { RES_DONE };

	if (hostile_init(g, "ioperm", 2 * MiB, HOSTILE_EXITS, 300) ||
	    guest_run_expect(g, HV_EXIT_HLT, "guest on the same CPU") ||
	    guest_expect_results(g, done, 1, "guest"))
		return -1;
	return 0;
}

static void case_ioperm(void)
{
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), c, sig, status;
	int go[2];
	struct guest g;
	pid_t pid;
	char x;

	memset(&g, 0, sizeof(g));
	for (c = 0; c < ncpu; c += ncpu > 1 ? ncpu - 1 : 1) {
		/* 1: this task has the I/O bitmap and runs the guest */
		if (pin(c) || ioperm(0x80, 1, 1)) {
			fail("pin to CPU %d, ioperm(0x80): %s", c,
			     strerror(errno));
			return;
		}
		if (io_try()) {
			fail("CPU %d: OUT/IN on port 0x80 fail even before any guest ran",
			     c);
			return;
		}
		if (io_run_guest(&g))
			goto out;
		sig = io_try();
		guest_fini(&g);
		if (sig) {
			fail("CPU %d: after a guest ran on this task's CPU, its ioperm() port faults (signal %d): TSS I/O bitmap limit not restored",
			     c, sig);
			return;
		}
		ok("CPU %d: the task that ran the guest still has its ioperm() port", c);
		ioperm(0x80, 1, 0);

		/* 2: another task with the bitmap, on the CPU the guest used */
		if (pipe(go)) {
			fail("pipe: %s", strerror(errno));
			return;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			close(go[1]);
			if (pin(c) || ioperm(0x80, 1, 1) || io_try())
				_exit(2);
			if (read(go[0], &x, 1) != 1)
				_exit(3);
			_exit(io_try() ? 1 : 0);	/* SIGSEGV caught: 1 */
		}
		close(go[0]);
		if (io_run_guest(&g)) {
			close(go[1]);
			waitpid(pid, &status, 0);
			goto out;
		}
		guest_fini(&g);
		if (write(go[1], "x", 1) != 1)
			fail("pipe write: %s", strerror(errno));
		close(go[1]);
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fail("CPU %d: another task's ioperm() port after a guest ran on its CPU: %s %d",
			     c, WIFEXITED(status) ? "exit status" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status)
					       : WTERMSIG(status));
			return;
		}
		ok("CPU %d: another task's ioperm() port works after the guest ran there",
		   c);
		if (ncpu == 1)
			break;
	}
	figure("ioperm", 0);
	return;
out:
	guest_ok(&g, "guest for the ioperm check");
	guest_fini(&g);
}

/* ---------------------------------------------------------------- main */

static const char *clistart_name;

static void case_clistart_main(void)
{
	case_clistart(clistart_name ? clistart_name : "hostile-cli");
}

static const struct guest_case cases[] = {
	{ "hostinsn", case_hostinsn },
	{ "udstorm", case_udstorm },
	{ "virtjunk", case_virtjunk },
	{ "msrgames", case_msrgames },
	{ "stringio", case_stringio },
	{ "ramtouch", case_ramtouch },
	{ "portflood", case_portflood },
	{ "clistart", case_clistart_main },
	{ "busy", case_busy },
	{ "rflags", case_rflags },
	{ "crgames", case_crgames },
	{ "ioperm", case_ioperm },
};

int main(int argc, char **argv)
{
	struct hv_caps caps;
	int r;

	/* hv-hostile-test clistart NAME: NAME is not a vendor */
	if (argc == 3 && !strcmp(argv[1], "clistart")) {
		clistart_name = argv[2];
		argc = 2;
	}
	/* intel: the counts that keep Bochs within its time */
	if (hv_open(&hv) == 0) {
		if (hv_caps(hv, &caps) == 0)
			intel = caps.vendor == HV_VENDOR_INTEL;
		hv_close(hv);
	}
	r = guest_test_main(argc, argv, "hv-hostile-test", cases,
			    sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
	return r;
}
