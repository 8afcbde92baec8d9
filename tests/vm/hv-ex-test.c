// SPDX-License-Identifier: GPL-2.0
/*
 * hv-ex-test: the tests of the exercises (docs/exercises/).  Each FAILS
 * on the module as shipped and passes once the exercise is done (the
 * reference solutions: tests/exercises/NN-*.patch, checked by the case
 * ex-check in tests/vm/cases-ex.sh).
 *
 *   hv-ex-test 01 [amd|intel]   hypercall HV_HC_EXIT_COUNT (1) returns the
 *                               vCPU's exit count, this exit included
 *   hv-ex-test 02 [amd|intel]   CPUID leaf 0x40000010: EAX the TSC in kHz,
 *                               EBX the local APIC timer in kHz (1000000),
 *                               and leaf 0x40000000's EAX says 0x40000010
 *   hv-ex-test 03 [amd|intel]   the statistic "halt.if0": HLTs executed
 *                               with interrupts off
 *
 * The guests are a few bytes of real-mode code each, written here (their
 * source is in the comments), loaded at GUEST_BASE.  Every failure says
 * what was expected and where to look.
 */
#include <time.h>
#include <x86intrin.h>

#include "hvguest.h"

static struct hv *hv;
static uint32_t vendor;

#define HC_EXIT_COUNT	1	/* docs/exercises/01-hypercall.md */
#define PORT_END	0x5f0	/* ends a guest: an OUT nothing answers */

/* Run @code (real mode, at GUEST_BASE) in a fresh VM; -1 with why set. */
static int ex_guest(struct guest *g, const char *tag, const uint8_t *code,
		    size_t len)
{
	int err;

	if (guest_init(g, hv, vendor, tag, 1 * MiB, NULL, HV_MODE_REAL, 0))
		return -1;
	err = hv_load_flat_mem(g->vm, code, len, GUEST_BASE);
	if (err) {
		guest_why(g, "load the guest: %s", hv_strerror(err));
		return -1;
	}
	return 0;
}

/* A failure with the guest's own explanation, if any, then the hint. */
static void ex_fail(struct guest *g, const char *hint)
{
	if (g->why[0])
		fail("%s", g->why);
	printf("  hint: %s\n", hint);
}

/* ------------------------------------------------------------------ 01 */

/*
 *	mov $1, %eax; vmcall		# a = HV_HC_EXIT_COUNT
 *	mov %eax, %edi
 *	xor %eax, %eax; cpuid		# three CPUID exits
 *	xor %eax, %eax; cpuid
 *	xor %eax, %eax; cpuid
 *	mov $1, %eax; vmcall		# b = HV_HC_EXIT_COUNT
 *	mov %eax, %esi
 *	mov %edi, %eax; out %eax, $0xf4	# report a
 *	mov %esi, %eax; out %eax, $0xf4	# report b
 *	hlt				# IF=0: back to the program
 * VMCALL (0f 01 c1) on Intel, VMMCALL (0f 01 d9) on AMD: byte 2 of each.
 */
static const uint8_t ex01_code[] = {
	0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xc1,
	0x66, 0x89, 0xc7,
	0x66, 0x31, 0xc0, 0x0f, 0xa2,
	0x66, 0x31, 0xc0, 0x0f, 0xa2,
	0x66, 0x31, 0xc0, 0x0f, 0xa2,
	0x66, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x0f, 0x01, 0xc1,
	0x66, 0x89, 0xc6,
	0x66, 0x89, 0xf8, 0x66, 0xe7, 0xf4,
	0x66, 0x89, 0xf0, 0x66, 0xe7, 0xf4,
	0xf4,
};

static void case_01(void)
{
	const char *hint = "docs/exercises/01-hypercall.md: kmod/hv_run.c:hv_handle_hypercall() answers the numbers below HV_HC_USER_BASE";
	uint8_t code[sizeof(ex01_code)];
	struct guest g;
	uint64_t a, b, total;

	memcpy(code, ex01_code, sizeof(code));
	if (vendor == HV_VENDOR_AMD)
		code[8] = code[35] = 0xd9;	/* VMMCALL */
	if (ex_guest(&g, "ex01", code, sizeof(code)) ||
	    guest_run_expect(&g, HV_EXIT_HLT, "the guest")) {
		ex_fail(&g, hint);
		guest_fini(&g);
		return;
	}
	total = g.run->exit_count;
	if (g.nres != 2) {
		fail("the guest reported %u values, expected 2", g.nres);
		goto out;
	}
	a = g.res[0];
	b = g.res[1];
	printf("  hypercall 1: first %#llx, then %#llx; exits in all %llu\n",
	       (unsigned long long)a, (unsigned long long)b,
	       (unsigned long long)total);
	if (a == (uint32_t)HV_HC_ENOSYS || b == (uint32_t)HV_HC_ENOSYS) {
		fail("hypercall 1 returned HV_HC_ENOSYS: the module does not know it yet");
		printf("  hint: %s\n", hint);
		goto out;
	}
	/*
	 * Between the two: three CPUID exits and the second hypercall's
	 * own, plus any host interrupt's.  After the second: two OUTs and
	 * the HLT, so the total (hv_run.exit_count) is at least b + 3.
	 */
	if (a < 1 || b < a + 4 || b + 3 > total) {
		fail("hypercall 1 returned %llu then %llu with %llu exits in all: expected the first >= 1, the second >= first + 4 (3 CPUIDs and itself), and the total >= second + 3 (2 OUTs and the HLT)",
		     (unsigned long long)a, (unsigned long long)b,
		     (unsigned long long)total);
		printf("  hint: the count is vcpu->exits (kmod/hv_run.c:hvk_vcpu_loop()), this exit included\n");
		goto out;
	}
	ok("hypercall 1: %llu, then %llu (+%llu), %llu exits in all",
	   (unsigned long long)a, (unsigned long long)b,
	   (unsigned long long)(b - a), (unsigned long long)total);
out:
	guest_fini(&g);
}

/* ------------------------------------------------------------------ 02 */

/*
 *	mov $0x40000000, %eax; xor %ecx, %ecx; cpuid
 *	mov %ebx, %esi
 *	out %eax, $0xf4; mov %esi, %eax; out %eax, $0xf4
 *	mov $0x40000010, %eax; xor %ecx, %ecx; cpuid
 *	mov %ebx, %esi
 *	out %eax, $0xf4; mov %esi, %eax; out %eax, $0xf4
 *	mov %ecx, %eax; out %eax, $0xf4; mov %edx, %eax; out %eax, $0xf4
 *	hlt
 */
static const uint8_t ex02_code[] = {
	0x66, 0xb8, 0x00, 0x00, 0x00, 0x40, 0x66, 0x31, 0xc9, 0x0f, 0xa2,
	0x66, 0x89, 0xde,
	0x66, 0xe7, 0xf4, 0x66, 0x89, 0xf0, 0x66, 0xe7, 0xf4,
	0x66, 0xb8, 0x10, 0x00, 0x00, 0x40, 0x66, 0x31, 0xc9, 0x0f, 0xa2,
	0x66, 0x89, 0xde,
	0x66, 0xe7, 0xf4, 0x66, 0x89, 0xf0, 0x66, 0xe7, 0xf4,
	0x66, 0x89, 0xc8, 0x66, 0xe7, 0xf4, 0x66, 0x89, 0xd0, 0x66, 0xe7, 0xf4,
	0xf4,
};

/* The TSC's rate in kHz as this (emulated) machine's clock sees it. */
static uint64_t tsc_khz_measured(void)
{
	struct timespec t0, t1;
	uint64_t c0, c1, ns;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	c0 = __rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (t1.tv_sec - t0.tv_sec) * 1000000000ULL +
		     t1.tv_nsec - t0.tv_nsec;
	} while (ns < 20000000);	/* 20 ms */
	c1 = __rdtsc();
	return (c1 - c0) * 1000000ULL / ns;
}

static void case_02(void)
{
	const char *hint = "docs/exercises/02-cpuid-leaf.md: kmod/hv_cpuid.c:hv_cpuid_default() builds the table, hv_cpuid_vcpu() fills it per vCPU";
	struct guest g;
	uint64_t khz, lo, hi;
	int bad = 0;

	if (ex_guest(&g, "ex02", ex02_code, sizeof(ex02_code)) ||
	    guest_run_expect(&g, HV_EXIT_HLT, "the guest")) {
		ex_fail(&g, hint);
		guest_fini(&g);
		return;
	}
	if (g.nres != 6) {
		fail("the guest reported %u values, expected 6", g.nres);
		goto out;
	}
	printf("  CPUID 0x40000000: eax %#llx ebx %#llx; 0x40000010: eax %llu ebx %llu ecx %llu edx %llu\n",
	       (unsigned long long)g.res[0], (unsigned long long)g.res[1],
	       (unsigned long long)g.res[2], (unsigned long long)g.res[3],
	       (unsigned long long)g.res[4], (unsigned long long)g.res[5]);
	if (g.res[1] != 0x76687668) {
		fail("CPUID 0x40000000: ebx %#llx, expected the signature \"hvhv\" (0x76687668)",
		     (unsigned long long)g.res[1]);
		bad = 1;
	}
	if (g.res[0] != 0x40000010) {
		fail("CPUID 0x40000000: eax (the highest hypervisor leaf) %#llx, expected 0x40000010",
		     (unsigned long long)g.res[0]);
		bad = 1;
	}
	khz = tsc_khz_measured();
	lo = khz - khz / 20;
	hi = khz + khz / 20;
	printf("  the TSC, measured against CLOCK_MONOTONIC: %llu kHz\n",
	       (unsigned long long)khz);
	if (g.res[2] < lo || g.res[2] > hi) {
		fail("CPUID 0x40000010: eax %llu, expected the TSC's rate in kHz (%llu measured, within 5%%)",
		     (unsigned long long)g.res[2], (unsigned long long)khz);
		bad = 1;
	}
	if (g.res[3] != 1000000) {
		fail("CPUID 0x40000010: ebx %llu, expected the local APIC timer's rate in kHz, 1000000 (kmod/io/lapic.c: 1 ns a tick)",
		     (unsigned long long)g.res[3]);
		bad = 1;
	}
	if (g.res[4] || g.res[5]) {
		fail("CPUID 0x40000010: ecx %llu, edx %llu, expected 0 (reserved)",
		     (unsigned long long)g.res[4], (unsigned long long)g.res[5]);
		bad = 1;
	}
	if (bad)
		printf("  hint: %s\n", hint);
	else
		ok("CPUID 0x40000010: TSC %llu kHz, APIC timer %llu kHz",
		   (unsigned long long)g.res[2], (unsigned long long)g.res[3]);
out:
	guest_fini(&g);
}

/* ------------------------------------------------------------------ 03 */

#define EX03_HLTS	5

/*
 *	hlt; hlt; hlt; hlt; hlt		# IF=0: each returns to the program
 *	out %al, $0xf0 -> here an OUT to PORT_END:
 *	mov $0x5f0, %dx; out %al, %dx
 */
static const uint8_t ex03_code[] = {
	0xf4, 0xf4, 0xf4, 0xf4, 0xf4,
	0xba, 0xf0, 0x05, 0xee,
	0xf4,
};

static void case_03(void)
{
	const char *hint = "docs/exercises/03-halt-if0.md: the counters are in kmod/hv_stats.c, HLT is handled in kmod/hv_event.c:hv_handle_hlt()";
	static const struct { uint32_t vcpu; const char *name; int64_t want; } want[] = {
		{ HV_STATS_VM, "exit.hlt", EX03_HLTS },
		{ HV_STATS_VM, "halt", 0 },
		{ HV_STATS_VM, "halt.if0", EX03_HLTS },
		{ 0, "halt.if0", EX03_HLTS },
	};
	struct guest g;
	size_t i;
	int bad = 0;

	if (ex_guest(&g, "ex03", ex03_code, sizeof(ex03_code))) {
		ex_fail(&g, hint);
		guest_fini(&g);
		return;
	}
	for (i = 0; i < EX03_HLTS; i++)
		if (guest_run_expect(&g, HV_EXIT_HLT, "a HLT")) {
			ex_fail(&g, hint);
			goto out;
		}
	if (guest_run_expect(&g, HV_EXIT_IO, "the end") ||
	    g.run->io.port != PORT_END) {
		fail("the guest did not end with its OUT to %#x", PORT_END);
		goto out;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t v = hvtest_vm_stat(hv, g.vm, want[i].vcpu, want[i].name);
		const char *who = want[i].vcpu == HV_STATS_VM ? "VM" : "vCPU 0";

		if (v == -1) {
			fail("%s: no counter \"%s\" in the module (HV_GET_STATS_DESC)",
			     who, want[i].name);
			bad = 1;
		} else if (v < 0) {
			fail("%s: reading the statistics failed", who);
			bad = 1;
		} else if (v != want[i].want) {
			fail("%s: %s = %lld after %d HLTs with IF=0, expected %lld",
			     who, want[i].name, (long long)v, EX03_HLTS,
			     (long long)want[i].want);
			bad = 1;
		} else {
			printf("  %s: %s = %lld\n", who, want[i].name, (long long)v);
		}
	}
	if (bad)
		printf("  hint: %s\n", hint);
	else
		ok("halt.if0 counts the %d HLTs with IF=0; halt stays 0", EX03_HLTS);
out:
	guest_fini(&g);
}

int main(int argc, char **argv)
{
	static const struct guest_case cases[] = {
		{ "01", case_01 }, { "02", case_02 }, { "03", case_03 },
	};

	(void)guest_expect_results;	/* hvguest.h's; not needed here */
	return guest_test_main(argc, argv, "hv-ex-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
