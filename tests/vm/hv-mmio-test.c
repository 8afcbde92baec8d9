// SPDX-License-Identifier: GPL-2.0
/*
 * hv-mmio-test: hostile MMIO (issue 11, defect 5), attached through
 * libhv.  Built static for the test initramfs; run by
 * tests/vm/cases-mmio.sh.
 *
 *   hv-mmio-test CASE [VENDOR]
 *
 *   split      tests/guests/mmiosplit.S: loads and stores across the end
 *              of RAM and across MMIO pages (neighbouring and unrelated
 *              GPAs), MMIO far beyond RAM, string moves into MMIO
 *              (MOVSB, REP STOSW: one exit per element).
 *              Every exit must carry exactly the bytes outside RAM at
 *              their GPA; the RAM bytes land in RAM; registers and
 *              memory are checked after the host answers.
 *   idt        tests/guests/mmioidt.S, RSI 0: the IDT in MMIO, then #GP.
 *              The exit must be HV_INTERNAL_DELIVERY (vector 13), RIP on
 *              the faulting MOV, no MMIO exit; again on the next run; and
 *              with the IDT back in RAM the #GP is delivered after all.
 *   reinject   mmioidt.S, RSI 1: an exception queued by the host whose
 *              delivery faults on a write-protected stack page (dirty
 *              log) is delivered after that exit, not lost.
 *   alu        tests/guests/mmioalu.S: OR, AND (LOCK), ADD, CMP, TEST,
 *              INC, NEG, XCHG, BTS, BT (register offset past the
 *              dword), SUB, MOVSXD, NOT on MMIO: the read exit, the
 *              computed write exit, the flags and registers after.
 */
#define _GNU_SOURCE
#include <stdbool.h>

#include "hvtest.h"
#include "hvguest.h"

#define RAM_END		0x200000ULL
#define MMIO_A		0xd0000000ULL
#define MMIO_B		0xd0005000ULL
#define MMIO_C		0xe0000000ULL
#define FAR		0xf00000000ULL
#define IDT_MMIO	0xd0010000ULL
#define HC_SPLIT1	(HV_HC_USER_BASE + 0x30)
#define HC_SPLIT2	(HV_HC_USER_BASE + 0x31)
#define HC_SPLIT3	(HV_HC_USER_BASE + 0x32)
#define VEC_BR		5
#define VEC_GP		13

static struct hv *hv;
static uint32_t vendor;

/* One expected exit of mmiosplit.S; reads get @data as the answer. */
struct split_exit {
	const char *what;
	bool write;
	uint64_t gpa;
	uint32_t len;
	uint64_t data;
};

static const struct split_exit split1[] = {
	/* the junk above len must be ignored */
	{ "A: 8-byte load, 5 bytes past RAM", false, RAM_END, 5,
	  0xdeadbe0504030201ULL },
	{ "B: 8-byte store, 2 bytes past RAM", true, RAM_END, 2, 0x1122 },
};

static const struct split_exit split2[] = {
	{ "C: 8-byte load, 4 bytes on an unrelated MMIO page", false, MMIO_A,
	  4, 0xffffffffc4c3c2c1ULL },
	{ "C2: 8-byte store, 6 bytes on an unrelated MMIO page", true, MMIO_A,
	  6, 0x010203040506ULL },
	{ "D: 4-byte load over two MMIO pages, first part", false,
	  MMIO_B + 0xffe, 2, 0xffffffffffff2211ULL },
	{ "D: second part, on an unrelated page", false, MMIO_C, 2,
	  0xffffffffffff4433ULL },
	{ "D2: 4-byte store over two neighbouring MMIO pages, first part",
	  true, MMIO_A + 0xffe, 2, 0xccdd },
	{ "D2: second part", true, MMIO_A + 0x1000, 2, 0xaabb },
	{ "E: 8-byte load at 60 GiB", false, FAR + 0x120, 8,
	  0x0123456789abcdefULL },
	{ "E: 8-byte store at 60 GiB", true, FAR + 0x128, 8, 0x5a },
};

static bool split_run(struct guest *g, const struct split_exit *x)
{
	char buf[192];

	if (guest_run_expect(g, HV_EXIT_MMIO, x->what))
		return false;
	if (g->run->mmio.gpa != x->gpa || g->run->mmio.len != x->len ||
	    !!g->run->mmio.is_write != x->write ||
	    (x->write && g->run->mmio.data != x->data)) {
		guest_why(g, "%s: got %s, expected %s gpa %#llx len %u data %#llx",
			  x->what, exit_describe(g->run, buf, sizeof(buf)),
			  x->write ? "write" : "read",
			  (unsigned long long)x->gpa, x->len,
			  x->write ? (unsigned long long)x->data : 0ULL);
		return false;
	}
	printf("  %s: %s\n", x->what, exit_describe(g->run, buf, sizeof(buf)));
	if (!x->write)
		g->run->mmio.data = x->data;
	return true;
}

static bool check_ram(struct guest *g, const char *what, uint64_t gpa,
		      const uint8_t *want, size_t n)
{
	const uint8_t *p = hv_vm_gpa_ptr(g->vm, gpa, n);
	size_t i;

	if (!p) {
		guest_why(g, "%s: no mapping of %#llx", what,
			  (unsigned long long)gpa);
		return false;
	}
	for (i = 0; i < n; i++)
		if (p[i] != want[i]) {
			guest_why(g, "%s: RAM at %#llx is %#x, expected %#x",
				  what, (unsigned long long)(gpa + i), p[i],
				  want[i]);
			return false;
		}
	return true;
}

static bool check_hc(struct guest *g, uint64_t nr, const uint64_t want[4],
		     const char *const names[4])
{
	unsigned int i;

	if (guest_run_expect(g, HV_EXIT_HYPERCALL, names[0]) ||
	    !check_reg(g, "hypercall nr", g->run->hypercall.nr, nr))
		return false;
	for (i = 0; i < 4; i++)
		if (names[i + 1] &&
		    !check_reg(g, names[i + 1], g->run->hypercall.args[i],
			       want[i]))
			return false;
	return true;
}

static void case_split(void)
{
	static const uint8_t tail[3] = { 0xa1, 0xa2, 0xa3 };
	static const uint8_t after_b[6] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33 };
	static const uint8_t after_c2[2] = { 0x08, 0x07 };
	static const uint64_t want1[4] = {
		0x0504030201a3a2a1ULL, 0x55667788, 0x3344, 0,
	};
	static const char *const names1[5] = {
		"hypercall SPLIT1", "rbx <- A (3 RAM bytes + 5 MMIO bytes)",
		"ecx <- RAM bytes of B", "edx <- RAM bytes of B", NULL,
	};
	static const uint64_t want2[4] = {
		0xc4c3c2c133445566ULL, 0x0708, 0x44332211,
		0x0123456789abcdefULL,
	};
	static const char *const names2[5] = {
		"hypercall SPLIT2", "rbx <- C (4 RAM bytes + 4 MMIO bytes)",
		"ecx <- RAM bytes of C2", "edx <- D (2 + 2 MMIO bytes)",
		"rsi <- E",
	};
	static const struct split_exit split3 = {
		"G: 4-byte load through FS, 2 bytes past RAM", false, RAM_END,
		2, 0xffffffffffff2b1aULL,
	};
	static const uint64_t want3[4] = { 0x2b1a0708 };
	static const char *const names3[5] = {
		"hypercall SPLIT3", "ebx <- G (2 RAM bytes + 2 MMIO bytes)",
		NULL, NULL, NULL,
	};
	struct guest g;
	struct hv_regs r;
	uint8_t *p;
	unsigned int i;

	if (guest_init(&g, hv, vendor, "msplit", 2 * MiB, "mmiosplit.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	p = hv_vm_gpa_ptr(g.vm, RAM_END - 3, 3);
	if (!p) {
		guest_why(&g, "no mapping of the end of RAM");
		goto out;
	}
	memcpy(p, tail, 3);

	for (i = 0; i < sizeof(split1) / sizeof(split1[0]); i++)
		if (!split_run(&g, &split1[i]))
			goto out;
	if (!check_ram(&g, "B: the RAM part of the store, at its exit",
		       RAM_END - 6, after_b, 6) ||
	    !check_hc(&g, HC_SPLIT1, want1, names1))
		goto out;
	ok("across the end of RAM: only the bytes past it exit, at its end; "
	   "the RAM bytes are read and written in place");

	for (i = 0; i < sizeof(split2) / sizeof(split2[0]); i++) {
		if (!split_run(&g, &split2[i]))
			goto out;
		if (i == 1 && !check_ram(&g, "C2: the RAM part of the store",
					 RAM_END - 2, after_c2, 2))
			goto out;
	}
	if (!check_hc(&g, HC_SPLIT2, want2, names2))
		goto out;
	ok("across pages at unrelated GPAs, across two MMIO pages, and at "
	   "60 GiB: one exit per page, each exact");

	if (!split_run(&g, &split3) ||
	    !check_hc(&g, HC_SPLIT3, want3, names3))
		goto out;
	ok("through FS in 64-bit mode: its base counts, the split is exact");

	{
		static const struct split_exit f1 = {
			"F: movsb into MMIO", true, MMIO_A, 1, 0 };
		static const struct split_exit f2[] = {
			{ "F: rep stosw, first word", true, MMIO_A + 1, 2,
			  0x1234 },
			{ "F: rep stosw, second word", true, MMIO_A + 3, 2,
			  0x1234 },
		};
		struct split_exit x = f1;
		const uint8_t *in = hv_vm_gpa_ptr(g.vm, TABLE_IN, 1);

		x.data = in ? in[0] : 0;
		if (!split_run(&g, &x) || hv_vcpu_get_regs(g.vcpu, &r) ||
		    !check_reg(&g, "F: rip (past the movsb)", r.rip, r.r12 + 1) ||
		    !check_reg(&g, "F: rdi", r.rdi, MMIO_A + 1) ||
		    !check_reg(&g, "F: rsi", r.rsi, TABLE_IN + 1))
			goto out;
		if (!split_run(&g, &f2[0]) || hv_vcpu_get_regs(g.vcpu, &r) ||
		    !check_reg(&g, "F: rip (still on the stosw)", r.rip,
			       r.r14) ||
		    !check_reg(&g, "F: rcx", r.rcx, 1) ||
		    !check_reg(&g, "F: rdi", r.rdi, MMIO_A + 3))
			goto out;
		if (!split_run(&g, &f2[1]) ||
		    guest_run_expect(&g, HV_EXIT_HLT, "F: the end") ||
		    hv_vcpu_get_regs(g.vcpu, &r) ||
		    !check_reg(&g, "F: rcx", r.rcx, 0) ||
		    !check_reg(&g, "F: rdi", r.rdi, MMIO_A + 5))
			goto out;
	}
	ok("string moves into MMIO: one exit per element, RIP on a REP "
	   "instruction until RCX is 0");
out:
	guest_ok(&g, "MMIO across page boundaries: exact fragments, RAM in place");
	guest_fini(&g);
}

static void case_idt(void)
{
	static const uint64_t want[] = { VEC_GP, RES_DONE };
	struct guest g;
	struct hv_regs r;
	struct hv_sregs s;
	char buf[192];
	int round;

	if (guest_init(&g, hv, vendor, "midt", 2 * MiB, "mmioidt.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	for (round = 1; round <= 2; round++) {
		char when[64];

		snprintf(when, sizeof(when), "#GP through an MMIO IDT, run %d",
			 round);
		if (guest_run_expect(&g, HV_EXIT_INTERNAL_ERROR, when))
			goto out;
		printf("  %s: %s\n", when,
		       exit_describe(g.run, buf, sizeof(buf)));
		if (!check_reg(&g, "suberror (HV_INTERNAL_DELIVERY)",
			       g.run->internal.suberror,
			       HV_INTERNAL_DELIVERY) ||
		    !check_reg(&g, "ndata", g.run->internal.ndata, 4) ||
		    !check_reg(&g, "vector", g.run->internal.data[0], VEC_GP) ||
		    !check_reg(&g, "GPA's page (the IDT)",
			       g.run->internal.data[1] & ~0xfffULL, IDT_MMIO) ||
		    !check_reg(&g, "event type (exception)",
			       g.run->internal.data[2], 3) ||
		    !check_reg(&g, "error code (valid, 0)",
			       g.run->internal.data[3], 1ULL << 32) ||
		    hv_vcpu_get_regs(g.vcpu, &r) ||
		    !check_reg(&g, "rip (on the faulting MOV)", r.rip, r.r12))
			goto out;
	}
	ok("#GP through an MMIO IDT: HV_INTERNAL_DELIVERY, vector 13, RIP on "
	   "the MOV, no MMIO exit; the same again on the next run");

	/* The IDT back in RAM: the #GP still pending is delivered there. */
	if (hv_vcpu_get_sregs(g.vcpu, &s)) {
		guest_why(&g, "get sregs");
		goto out;
	}
	s.idt.base = r.r14;
	if (hv_vcpu_set_sregs(g.vcpu, &s)) {
		guest_why(&g, "set sregs");
		goto out;
	}
	if (guest_run_expect(&g, HV_EXIT_HLT, "with the IDT back in RAM") ||
	    guest_expect_results(&g, want, 2, "after the IDT came back"))
		goto out;
	ok("with the IDT back in RAM, the interrupted #GP is delivered");
out:
	guest_ok(&g, "MMIO during event delivery stops the vCPU cleanly");
	guest_fini(&g);
}

static void case_reinject(void)
{
	static const uint64_t want[] = { VEC_BR, RES_DONE };
	struct hv_vcpu_state *st = NULL;
	uint64_t bitmap[(2 * MiB / 4096 + 63) / 64];
	struct guest g;
	struct hv_regs r;
	int err;

	if (guest_init(&g, hv, vendor, "mreinj", 2 * MiB, "mmioidt.bin",
		       HV_MODE_LONG64, 1))
		goto out;
	err = hv_vm_dirty_log(g.vm, 0, true);
	if (err) {
		guest_why(&g, "dirty log on: %s", hv_strerror(err));
		goto out;
	}
	if (guest_run_expect(&g, HV_EXIT_HLT, "ready (hlt)") ||
	    hv_vcpu_get_regs(g.vcpu, &r))
		goto out;
	/* Write-protect every page written so far: the stack among them. */
	err = hv_vm_get_dirty_log(g.vm, 0, bitmap);
	if (err) {
		guest_why(&g, "get dirty log: %s", hv_strerror(err));
		goto out;
	}
	if (!(bitmap[(r.rsp - 8) / 4096 / 64] >> ((r.rsp - 8) / 4096 % 64) & 1)) {
		guest_why(&g, "the stack page %#llx was not dirty",
			  (unsigned long long)(r.rsp - 8));
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		guest_why(&g, "out of memory");
		goto out;
	}
	err = hv_vm_get_vcpu_state(g.vm, 0, st);
	if (!err) {
		st->events.flags |= HV_EV_EXCEPTION;
		st->events.exception_vector = VEC_BR;
		err = hv_vm_set_vcpu_state(g.vm, st);
	}
	if (err) {
		guest_why(&g, "queue #BR: %s", hv_strerror(err));
		goto out;
	}
	if (guest_run_expect(&g, HV_EXIT_HLT, "after the queued #BR") ||
	    guest_expect_results(&g, want, 2, "queued #BR"))
		goto out;
	err = hv_vm_get_dirty_log(g.vm, 0, bitmap);
	if (err || !(bitmap[(r.rsp - 8) / 4096 / 64] >>
		     ((r.rsp - 8) / 4096 % 64) & 1)) {
		guest_why(&g, "the stack page was not written again (%s)",
			  err ? hv_strerror(err) : "not dirty");
		goto out;
	}
	ok("a queued #BR whose frame push faults on a write-protected stack "
	   "is delivered after that exit");
out:
	free(st);
	guest_ok(&g, "an event interrupted by a RAM write fault is not lost");
	guest_fini(&g);
}

/*
 * mmioalu.S: one instruction after another, each a read exit (answered
 * with .data) and, when it writes, a write exit (.data must match).
 */
static const struct split_exit alu_exits[] = {
	{ "or dword, imm: read", false, MMIO_A + 0x10, 4, 0x80000001 },
	{ "or dword, imm: write", true, MMIO_A + 0x10, 4, 0x80000101 },
	{ "lock and dword, -2: read", false, MMIO_A + 0x10, 4, 3 },
	{ "lock and dword, -2: write", true, MMIO_A + 0x10, 4, 2 },
	{ "add byte, cl: read", false, MMIO_A + 0x20, 1, 0xff },
	{ "add byte, cl: write", true, MMIO_A + 0x20, 1, 0 },
	{ "cmp dword, eax: read only", false, MMIO_A + 0x24, 4, 5 },
	{ "test byte, 0x40: read only", false, MMIO_A + 0x28, 1, 0x40 },
	{ "inc word: read", false, MMIO_A + 0x2a, 2, 0x7fff },
	{ "inc word: write", true, MMIO_A + 0x2a, 2, 0x8000 },
	{ "neg dword: read", false, MMIO_A + 0x2c, 4, 1 },
	{ "neg dword: write", true, MMIO_A + 0x2c, 4, 0xffffffff },
	{ "xchg qword, rdx: read", false, MMIO_A + 0x30, 8,
	  0xaabbccddeeff0011ULL },
	{ "xchg qword, rdx: write", true, MMIO_A + 0x30, 8,
	  0x1122334455667788ULL },
	{ "bts dword, 5: read", false, MMIO_A + 0x38, 4, 1 },
	{ "bts dword, 5: write", true, MMIO_A + 0x38, 4, 0x21 },
	{ "bt dword, ecx=35: the next dword, read only", false,
	  MMIO_A + 0x3c, 4, 8 },
	{ "sub ebx, dword: read", false, MMIO_A + 0x40, 4, 3 },
	{ "movsxd rsi, dword: read", false, MMIO_A + 0x44, 4, 0x80000000 },
	{ "not byte: read", false, MMIO_A + 0x48, 1, 0x0f },
	{ "not byte: write", true, MMIO_A + 0x48, 1, 0xf0 },
};

/* What mmioalu.S reports: flags (CF PF AF ZF SF OF) after each, values */
static const uint64_t alu_results[] = {
	0x80,			/* or: SF */
	0,			/* and: 2 */
	0x55,			/* add: CF PF AF ZF */
	0x44,			/* cmp: PF ZF */
	0,			/* test */
	0x895,			/* inc: OF SF AF PF, CF kept */
	0x95,			/* neg: SF AF PF CF */
	0xeeff0011, 0xaabbccdd,	/* xchg: rdx */
	0,			/* bts: CF = old bit 5 */
	1,			/* bt: CF = bit 35 */
	0, 7,			/* sub: flags, ebx */
	0x80000000, 0xffffffff,	/* movsxd: rsi */
	0x8d5,			/* not: the flags it was given */
	RES_DONE,
};

static void case_alu(void)
{
	struct guest g;
	unsigned int i;

	if (guest_init(&g, hv, vendor, "malu", 2 * MiB, "mmioalu.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	for (i = 0; i < sizeof(alu_exits) / sizeof(alu_exits[0]); i++)
		if (!split_run(&g, &alu_exits[i]))
			goto out;
	ok("OR, AND, ADD, CMP, TEST, INC, NEG, XCHG, BTS, BT, SUB, MOVSXD, "
	   "NOT on MMIO: a read exit, then the computed write exit");
	if (guest_run_expect(&g, HV_EXIT_HLT, "the end") ||
	    guest_expect_results(&g, alu_results,
				 sizeof(alu_results) / sizeof(alu_results[0]),
				 "flags and registers"))
		goto out;
	ok("the status flags and registers as the CPU would leave them");
out:
	guest_ok(&g, "ALU instructions on MMIO");
	guest_fini(&g);
}

static const struct guest_case cases[] = {
	{ "split", case_split },
	{ "idt", case_idt },
	{ "reinject", case_reinject },
	{ "alu", case_alu },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-mmio-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
