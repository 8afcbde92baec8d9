// SPDX-License-Identifier: GPL-2.0
/*
 * hv-guest-test: run the test guests (tests/guests) under hv through
 * libhv, and check what they do and what the VM/vCPU ioctls answer.
 * Built static for the test initramfs; run by tests/vm/cases.sh.
 *
 *   hv-guest-test CASE [VENDOR]
 *
 *   modes      real, 32-bit protected and 64-bit mode guests: output,
 *              registers, RIP after HLT, segment reloads from the GDT
 *   memory     host-written RAM read by the guest, guest-written RAM
 *              read by the host (two mappings), over two regions
 *   mmio       writes and reads of every size and form beyond RAM
 *   cpuid      hv's CPUID table as the guest sees it; a custom table
 *   msr        allowed MSRs read back; refused ones raise #GP
 *   hypercall  PING in the kernel, user hypercalls out and back
 *   triple     a triple fault is HV_EXIT_SHUTDOWN
 *   virtinsn   VMX and SVM instructions raise #UD in the guest
 *   badstate   guest state the hardware would refuse is refused first
 *
 * VM lifecycles (signals, two VMs, cycles, bad ioctls) are in
 * hv-life-test.c; dirty logging and clones in hv-mem-test.c.
 *
 * VENDOR (amd, intel) is checked against HV_GET_CAPS when given.  Guest
 * images come from $HV_GUESTS, else /guests or /hvtest/guests.  Exit
 * status 0 if every check passed; the first failure is also the reason
 * line (tests/vm/hvtest.h).
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

/* hv's CPUID signature (kmod/hv_cpuid.c): EBX, ECX, EDX of 0x40000000. */
#define HV_SIGNATURE	"hvhvhvhvhvhv"

static struct hv *hv;
static uint32_t vendor;		/* HV_VENDOR_* of the module */

/* ---------------------------------------------------------------- modes */

static void mode_real(void)
{
	static const uint64_t done[] = { RES_DONE };
	struct guest g;
	struct hv_regs r;

	if (guest_init(&g, hv, vendor, "real", 2 * MiB, "real16.bin",
		       HV_MODE_REAL, 0) == 0 &&
	    guest_run_expect(&g, HV_EXIT_HLT, "real16") == 0 &&
	    check_text(&g, "hello from real mode\n") &&
	    guest_expect_results(&g, done, 1, "real16") == 0 &&
	    hv_vcpu_get_regs(g.vcpu, &r) == 0) {
		(void)(check_reg(&g, "bx", r.rbx, 0x1234) &&
		       check_reg(&g, "si", r.rsi, 0x5678) &&
		       check_reg(&g, "cx (read through ES = 0x100)", r.rcx, 0xbeef) &&
		       check_reg(&g, "dx (CR0.TS after LMSW es:m16)", r.rdx & 0xffff, 8) &&
		       check_reg(&g, "rip after hlt (= di)", r.rip, r.rdi));
	}
	guest_ok(&g, "real mode guest: output, registers, LMSW m16, RIP after HLT");
	guest_fini(&g);
}

static void mode_prot(void)
{
	static const uint64_t done[] = { RES_DONE };
	struct guest g;
	struct hv_regs r;
	struct hv_sregs s;

	if (guest_init(&g, hv, vendor, "prot", 2 * MiB, "prot32.bin",
		       HV_MODE_PROT32, 0) == 0 &&
	    guest_run_expect(&g, HV_EXIT_HLT, "prot32") == 0 &&
	    check_text(&g, "hello from protected mode\n") &&
	    guest_expect_results(&g, done, 1, "prot32") == 0 &&
	    hv_vcpu_get_regs(g.vcpu, &r) == 0 &&
	    hv_vcpu_get_sregs(g.vcpu, &s) == 0) {
		(void)(check_reg(&g, "ebx", r.rbx, 0xdeadbeef) &&
		       check_reg(&g, "ecx", r.rcx, 0xc0de) &&
		       check_reg(&g, "eip after hlt (= edi)", r.rip, r.rdi) &&
		       check_reg(&g, "cs after ljmp", s.cs.selector,
				 HV_MODE_SEL_CODE32) &&
		       check_reg(&g, "cs.db", s.cs.db, 1) &&
		       check_reg(&g, "ds", s.ds.selector, HV_MODE_SEL_DATA));
	}
	guest_ok(&g, "32-bit guest: output, registers, GDT reloads, EIP after HLT");
	guest_fini(&g);
}

static void mode_long(void)
{
	static const uint64_t done[] = { RES_DONE };
	struct guest g;
	struct hv_regs r;
	struct hv_sregs s;

	if (guest_init(&g, hv, vendor, "long", 2 * MiB, "long64.bin",
		       HV_MODE_LONG64, 0) == 0 &&
	    guest_run_expect(&g, HV_EXIT_HLT, "long64") == 0 &&
	    check_text(&g, "hello from long mode\n") &&
	    guest_expect_results(&g, done, 1, "long64") == 0 &&
	    hv_vcpu_get_regs(g.vcpu, &r) == 0 &&
	    hv_vcpu_get_sregs(g.vcpu, &s) == 0) {
		(void)(check_reg(&g, "r15", r.r15, 0x0123456789abcdefULL) &&
		       check_reg(&g, "rbx", r.rbx, 0xfeedfacecafebeefULL) &&
		       check_reg(&g, "rdx (memory at 0x1ff000)", r.rdx, 0x600dcafe) &&
		       check_reg(&g, "rip after hlt (= rdi)", r.rip, r.rdi) &&
		       check_reg(&g, "cs after lretq", s.cs.selector,
				 HV_MODE_SEL_CODE64) &&
		       check_reg(&g, "cs.l", s.cs.l, 1) &&
		       check_reg(&g, "efer.lma", !!(s.efer & (1 << 10)), 1));
	}
	guest_ok(&g, "64-bit guest: output, registers, GDT reloads, RIP after HLT");
	guest_fini(&g);
}

static void case_modes(void)
{
	mode_real();
	mode_prot();
	mode_long();
}

/* --------------------------------------------------------------- memory */

#define PATTERN_XOR	0x5a5a5a5a5a5a5a5aULL

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void case_memory(void)
{
	static const uint64_t want_res[] = { 0x5eed, RES_DONE };
	struct hv_vm *other = NULL;
	uint64_t *in, *out, *out2, sum = 0, seed = 0x1234567, i;
	struct guest g;
	int err;

	if (guest_init(&g, hv, vendor, "mem", 4 * MiB, "pattern.bin",
		       HV_MODE_LONG64, 0)) {
		guest_ok(&g, "memory guest set up");
		return;
	}
	in = hv_vm_gpa_ptr(g.vm, 0x200000, MiB);
	out = hv_vm_gpa_ptr(g.vm, 0x100000, MiB);
	if (!in || !out || hv_vm_gpa_ptr(g.vm, 0x1ff000, 0x2000)) {
		guest_why(&g, "hv_vm_gpa_ptr: in %p out %p, or a range across "
			  "two regions was accepted", (void *)in, (void *)out);
		goto out;
	}
	for (i = 0; i < MiB / 8; i++) {
		in[i] = xorshift(&seed);
		sum += in[i];
		out[i] = ~0ULL;		/* the guest must overwrite it all */
	}

	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "pattern") ||
	    !check_reg(&g, "hypercall nr", g.run->hypercall.nr, HC_SUM) ||
	    !check_reg(&g, "guest's sum of host-written RAM",
		       g.run->hypercall.args[0], sum))
		goto out;
	g.run->hypercall.ret = 0x5eed;
	if (guest_run_expect(&g, HV_EXIT_HLT, "pattern") ||
	    guest_expect_results(&g, want_res, 2, "pattern"))
		goto out;

	for (i = 0; i < MiB / 8; i++) {
		uint64_t gpa = 0x100000 + 8 * i;

		if (out[i] != (gpa ^ PATTERN_XOR)) {
			guest_why(&g, "RAM at %#llx = %#llx, expected %#llx",
				  (unsigned long long)gpa,
				  (unsigned long long)out[i],
				  (unsigned long long)(gpa ^ PATTERN_XOR));
			goto out;
		}
	}
	ok("every qword the guest wrote reads back through the mapping");

	/* A second handle by name, its own mapping: the same pages. */
	err = hv_vm_open(hv, g.name, &other);
	if (!err)
		err = hv_vm_map_ram(other, 0, 2 * MiB);
	if (err) {
		guest_why(&g, "open %s again and map it: %s", g.name,
			  hv_strerror(err));
		goto out;
	}
	out2 = hv_vm_gpa_ptr(other, 0x100000, MiB);
	if (!out2 || memcmp(out, out2, MiB)) {
		guest_why(&g, "a second mapping (hv_vm_open) sees other data");
		goto out;
	}
	out2[0] = 0x0f0f;
	if (out[0] != 0x0f0f)
		guest_why(&g, "a write through one mapping is not seen in the other");
	else
		ok("a second handle from hv_vm_open maps the same RAM");
out:
	hv_vm_close(other);
	guest_ok(&g, "guest and host see the same RAM, over two regions");
	guest_fini(&g);
}

/* ----------------------------------------------------------------- mmio */

#define MMIO_BASE	0xd0000000ULL

/* In the order of tests/guests/mmio.S. */
static const struct { uint32_t off, len; uint64_t data; } mmio_writes[] = {
	{ 0x00, 1, 0x11 },
	{ 0x02, 2, 0x2233 },
	{ 0x04, 4, 0x44556677 },
	{ 0x08, 8, 0xffffffffedcba988ULL },
	{ 0x10, 1, 0xff },
	{ 0x12, 2, 0xeeff },
	{ 0x14, 4, 0xccddeeff },
	{ 0x18, 8, 0x8899aabbccddeeffULL },
	{ 0x20, 1, 0xee },
	{ 0x21, 1, 0xef },
	{ 0x22, 2, 0xcdef },
	{ 0x24, 4, 0x89abcdef },
	{ 0x28, 8, 0x0123456789abcdefULL },
	{ 0x30, 1, 0x5a },
	{ 0x60, 4, 0x600dd00d },
};

/*
 * The value the host answers; bytes above len are junk that must be
 * ignored (the guest's registers show whether it was).
 */
static const struct { uint32_t off, len; uint64_t data; } mmio_reads[] = {
	{ 0x40, 1, 0xdeadbeefcafe00a5ULL },
	{ 0x42, 2, 0xdeadbeefcafebeefULL },
	{ 0x44, 4, 0xdeadbeefcafef00dULL },
	{ 0x48, 8, 0xfedcba9876543210ULL },
	{ 0x50, 1, 0xdeadbeefcafe005aULL },
	{ 0x52, 2, 0xdeadbeefcafe7e57ULL },
	{ 0x54, 2, 0xdeadbeefcafe8001ULL },
	{ 0x56, 1, 0xdeadbeefcafe0080ULL },
};

static bool mmio_expect(struct guest *g, bool write, uint32_t off,
			uint32_t len, uint64_t data, unsigned int i)
{
	char when[64];

	snprintf(when, sizeof(when), "MMIO %s #%u", write ? "write" : "read",
		 i);
	if (guest_run_expect(g, HV_EXIT_MMIO, when))
		return false;
	if (g->run->mmio.gpa != MMIO_BASE + off ||
	    g->run->mmio.len != len || !!g->run->mmio.is_write != write ||
	    (write && g->run->mmio.data != data)) {
		char buf[160];

		guest_why(g, "%s: got %s, expected gpa %#llx len %u%s %#llx",
			  when, exit_describe(g->run, buf, sizeof(buf)),
			  MMIO_BASE + off, len, write ? " write" : " read",
			  (unsigned long long)data);
		return false;
	}
	return true;
}

static void case_mmio(void)
{
	static const uint64_t done[] = { RES_DONE };
	struct guest g;
	struct hv_regs r;
	unsigned int i;

	if (guest_init(&g, hv, vendor, "mmio", 2 * MiB, "mmio.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	for (i = 0; i < sizeof(mmio_writes) / sizeof(mmio_writes[0]); i++)
		if (!mmio_expect(&g, true, mmio_writes[i].off,
				 mmio_writes[i].len, mmio_writes[i].data, i))
			goto out;
	ok("%zu MMIO writes: GPA, size, data exact",
	   sizeof(mmio_writes) / sizeof(mmio_writes[0]));
	for (i = 0; i < sizeof(mmio_reads) / sizeof(mmio_reads[0]); i++) {
		if (!mmio_expect(&g, false, mmio_reads[i].off,
				 mmio_reads[i].len, 0, i))
			goto out;
		g.run->mmio.data = mmio_reads[i].data;
	}
	ok("%zu MMIO reads: GPA, size exact",
	   sizeof(mmio_reads) / sizeof(mmio_reads[0]));

	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "echo 1") ||
	    !check_reg(&g, "echo 1 nr", g.run->hypercall.nr, HC_MMIO1) ||
	    !check_reg(&g, "r12d <- 4-byte read", g.run->hypercall.args[0],
		       0xcafef00d) ||
	    !check_reg(&g, "ecx <- movzx byte", g.run->hypercall.args[1], 0xa5) ||
	    !check_reg(&g, "edx <- movzx word", g.run->hypercall.args[2],
		       0xbeef) ||
	    !check_reg(&g, "r13 <- 8-byte read", g.run->hypercall.args[3],
		       0xfedcba9876543210ULL))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "echo 2") ||
	    !check_reg(&g, "echo 2 nr", g.run->hypercall.nr, HC_MMIO2) ||
	    !check_reg(&g, "r14b <- byte read (merge)",
		       g.run->hypercall.args[0], 0x111111111111115aULL) ||
	    !check_reg(&g, "r15w <- word read (merge)",
		       g.run->hypercall.args[1], 0x2222222222227e57ULL) ||
	    !check_reg(&g, "rbp <- movzx word to 64", g.run->hypercall.args[2],
		       0x8001) ||
	    !check_reg(&g, "r11 <- movsx byte to 64", g.run->hypercall.args[3],
		       0xffffffffffffff80ULL))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HLT, "end") ||
	    guest_expect_results(&g, done, 1, "mmio") ||
	    hv_vcpu_get_regs(g.vcpu, &r))
		goto out;
	(void)(check_reg(&g, "r8 (base)", r.r8, MMIO_BASE) &&
	       check_reg(&g, "r12", r.r12, 0xcafef00d) &&
	       check_reg(&g, "r13", r.r13, 0xfedcba9876543210ULL) &&
	       check_reg(&g, "r9 (unchanged)", r.r9, 0x0123456789abcdefULL));
out:
	guest_ok(&g, "MMIO: every access exits exactly, reads land in the right register");
	guest_fini(&g);
}

/* ---------------------------------------------------------------- cpuid */

#define CUSTOM_LEAF	0x400000f0

struct cpuid_query { uint32_t leaf, subleaf; };
struct cpuid_answer { uint32_t eax, ebx, ecx, edx; };

static const struct cpuid_query cpuid_queries[] = {
	{ 0, 0 }, { 1, 0 }, { 0x80000001, 0 }, { 0x40000000, 0 },
	{ CUSTOM_LEAF, 0 }, { CUSTOM_LEAF, 1 }, { 0x4fffffff, 0 },
	{ 0xa, 0 }, { 7, 0 }, { 0xb, 0 }, { 0xb, 1 },
};
#define NQUERIES (sizeof(cpuid_queries) / sizeof(cpuid_queries[0]))

static const struct hv_cpuid_entry *cpuid_find(const struct hv_cpuid *c,
					       uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

/*
 * vCPU 2 of @g's VM, in vCPU 0's state (the program at its start) but
 * for what is its own (activity, TSC, APIC: its fresh state's), and
 * runnable: an application processor would otherwise wait for a SIPI.
 */
static int cpuid_second_vcpu(struct guest *g, struct hv_vcpu **v2)
{
	struct hv_vcpu_state *st0 = calloc(1, sizeof(*st0));
	struct hv_vcpu_state *st2 = calloc(1, sizeof(*st2));
	int err = -ENOMEM;

	if (st0 && st2)
		err = hv_vcpu_create(g->vm, 2, v2);
	if (!err)
		err = hv_vm_get_vcpu_state(g->vm, 0, st0);
	if (!err)
		err = hv_vm_get_vcpu_state(g->vm, 2, st2);
	if (!err) {
		memcpy(st2, st0, offsetof(struct hv_vcpu_state, mp_state));
		st2->vcpu_id = 2;
		st2->mp_state = HV_MP_RUNNABLE;
		err = hv_vm_set_vcpu_state(g->vm, st2);
	}
	if (err)
		guest_why(g, "vCPU 2 in vCPU 0's state: %s", hv_strerror(err));
	free(st0);
	free(st2);
	return err ? -1 : 0;
}

static void case_cpuid(void)
{
	static const uint64_t done[] = { RES_DONE };
	struct hv_vcpu *v0 = NULL, *v2 = NULL;
	struct cpuid_answer a[NQUERIES];
	const struct hv_cpuid_entry *e;
	struct hv_cpuid *c = calloc(1, sizeof(*c));
	uint32_t *in;
	char sig[13];
	struct guest g;
	size_t i;

	if (guest_init(&g, hv, vendor, "cpuid", 2 * MiB, "cpuid.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	v0 = g.vcpu;
	if (!c || hv_vcpu_get_cpuid(g.vcpu, c)) {
		guest_why(&g, "HV_VCPU_GET_CPUID failed");
		goto out;
	}
	printf("  hv's table has %u entries\n", c->nent);
	if (c->nent + 2 > HV_CPUID_MAX_ENTRIES) {
		guest_why(&g, "no room for two custom entries (%u)", c->nent);
		goto out;
	}
	/* Two sub-leaves of a leaf of our own. */
	c->entries[c->nent++] = (struct hv_cpuid_entry){
		.function = CUSTOM_LEAF, .index = 0,
		.flags = HV_CPUID_FLAG_INDEXED,
		.eax = 0x11111111, .ebx = 0x22222222, .ecx = 0x33333333,
		.edx = 0x44444444,
	};
	c->entries[c->nent++] = (struct hv_cpuid_entry){
		.function = CUSTOM_LEAF, .index = 1,
		.flags = HV_CPUID_FLAG_INDEXED,
		.eax = 0x55555555, .ebx = 0x66666666, .ecx = 0x77777777,
		.edx = 0x88888888,
	};
	if (hv_vcpu_set_cpuid(g.vcpu, c)) {
		guest_why(&g, "HV_VCPU_SET_CPUID with two custom entries failed");
		goto out;
	}

	in = hv_vm_gpa_ptr(g.vm, TABLE_IN, 8 + sizeof(cpuid_queries));
	in[0] = NQUERIES;
	memcpy(in + 2, cpuid_queries, sizeof(cpuid_queries));
	/* A second vCPU, id 2, that will run the same program after */
	if (cpuid_second_vcpu(&g, &v2))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HLT, "cpuid") ||
	    guest_expect_results(&g, done, 1, "cpuid"))
		goto out;
	memcpy(a, hv_vm_gpa_ptr(g.vm, TABLE_OUT, sizeof(a)), sizeof(a));
	for (i = 0; i < NQUERIES; i++)
		printf("  cpuid %#x.%u: %08x %08x %08x %08x\n",
		       cpuid_queries[i].leaf, cpuid_queries[i].subleaf,
		       a[i].eax, a[i].ebx, a[i].ecx, a[i].edx);

	e = cpuid_find(c, 0);
	if (!e || !check_reg(&g, "leaf 0 eax (max basic leaf)", a[0].eax,
			     e->eax) ||
	    !check_reg(&g, "leaf 0 vendor ebx", a[0].ebx, e->ebx))
		goto out;
	if (!check_reg(&g, "leaf 1 ECX.hypervisor[31]", a[1].ecx >> 31, 1) ||
	    !check_reg(&g, "leaf 1 ECX.VMX[5]", (a[1].ecx >> 5) & 1, 0) ||
	    !check_reg(&g, "leaf 0x80000001 ECX.SVM[2]", (a[2].ecx >> 2) & 1, 0))
		goto out;
	memcpy(sig, &a[3].ebx, 4);
	memcpy(sig + 4, &a[3].ecx, 4);
	memcpy(sig + 8, &a[3].edx, 4);
	sig[12] = 0;
	if (strcmp(sig, HV_SIGNATURE)) {
		guest_why(&g, "leaf 0x40000000 signature \"%s\" (%08x %08x %08x), "
			  "expected \"%s\"", sig, a[3].ebx, a[3].ecx, a[3].edx,
			  HV_SIGNATURE);
		goto out;
	}
	if (!check_reg(&g, "custom leaf.0 eax", a[4].eax, 0x11111111) ||
	    !check_reg(&g, "custom leaf.0 edx", a[4].edx, 0x44444444) ||
	    !check_reg(&g, "custom leaf.1 ebx", a[5].ebx, 0x66666666) ||
	    !check_reg(&g, "custom leaf.1 ecx", a[5].ecx, 0x77777777) ||
	    !check_reg(&g, "unknown leaf eax|ebx|ecx|edx",
		       a[6].eax | a[6].ebx | a[6].ecx | a[6].edx, 0))
		goto out;
	/*
	 * The PC platform (kmod/hv_cpuid.c): an APIC with x2APIC and the
	 * TSC-deadline timer, initial APIC ID 0; no PMU (PDCM, leaf 0xA);
	 * no TSC_ADJUST; leaf 0xB, if the table has it: one thread per
	 * core, one core (this VM has one vCPU), x2APIC ID 0.
	 */
	if (!check_reg(&g, "leaf 1 ECX.x2APIC[21]", (a[1].ecx >> 21) & 1, 1) ||
	    !check_reg(&g, "leaf 1 ECX.TSC-deadline[24]", (a[1].ecx >> 24) & 1,
		       1) ||
	    !check_reg(&g, "leaf 1 ECX.PDCM[15]", (a[1].ecx >> 15) & 1, 0) ||
	    !check_reg(&g, "leaf 1 EDX.APIC[9]", (a[1].edx >> 9) & 1, 1) ||
	    !check_reg(&g, "leaf 1 EBX[31:24] (APIC ID)", a[1].ebx >> 24, 0) ||
	    !check_reg(&g, "leaf 0xa eax|ebx|ecx|edx",
		       a[7].eax | a[7].ebx | a[7].ecx | a[7].edx, 0) ||
	    !check_reg(&g, "leaf 7 EBX.TSC_ADJUST[1]", (a[8].ebx >> 1) & 1, 0))
		goto out;
	if (cpuid_find(c, 0xb) &&
	    (!check_reg(&g, "leaf 0xb.0 ebx (threads)", a[9].ebx, 1) ||
	     !check_reg(&g, "leaf 0xb.0 ecx (SMT, 0)", a[9].ecx, 0x100) ||
	     !check_reg(&g, "leaf 0xb.0 edx (x2APIC ID)", a[9].edx, 0) ||
	     !check_reg(&g, "leaf 0xb.1 ebx (cores)", a[10].ebx, 2) ||
	     !check_reg(&g, "leaf 0xb.1 ecx (core, 1)", a[10].ecx, 0x201)))
		goto out;
	ok("signature \"%s\", hypervisor bit set, VMX and SVM hidden; APIC, "
	   "x2APIC, TSC-deadline; no PMU, no TSC_ADJUST; leaf 0xB topology", sig);

	/* vCPU 2: its own APIC ID, the VM's two vCPUs in the topology */
	g.vcpu = v2;
	g.run = hv_vcpu_run_area(v2);
	g.nres = 0;
	if (guest_run_expect(&g, HV_EXIT_HLT, "cpuid on vCPU 2") ||
	    guest_expect_results(&g, done, 1, "cpuid on vCPU 2"))
		goto out;
	memcpy(a, hv_vm_gpa_ptr(g.vm, TABLE_OUT, sizeof(a)), sizeof(a));
	printf("  vCPU 2: cpuid 0x1.0: %08x %08x %08x %08x\n", a[1].eax,
	       a[1].ebx, a[1].ecx, a[1].edx);
	if (!check_reg(&g, "vCPU 2 leaf 1 EBX[31:24] (APIC ID)",
		       a[1].ebx >> 24, 2) ||
	    !check_reg(&g, "vCPU 2 leaf 1 EBX[23:16] (IDs)",
		       (a[1].ebx >> 16) & 0xff, 2) ||
	    !check_reg(&g, "vCPU 2 leaf 1 EDX.HTT[28]", (a[1].edx >> 28) & 1, 1))
		goto out;
	if (cpuid_find(c, 0xb) &&
	    (!check_reg(&g, "vCPU 2 leaf 0xb.0 edx (x2APIC ID)", a[9].edx, 2) ||
	     !check_reg(&g, "vCPU 2 leaf 0xb.1 edx (x2APIC ID)", a[10].edx, 2) ||
	     !check_reg(&g, "vCPU 2 leaf 0xb.1 eax (shift)", a[10].eax, 1)))
		goto out;
	ok("vCPU 2 reads APIC ID 2, HTT with 2 IDs, x2APIC ID 2 in leaf 0xB");
out:
	if (v2) {
		g.vcpu = v0;
		hv_vcpu_close(v2);
	}
	free(c);
	guest_ok(&g, "CPUID as the guest sees it, with a custom table");
	guest_fini(&g);
}

/* ------------------------------------------------------------------ msr */

#define MSR_WRITE	1

struct msr_entry { uint32_t msr, flags; uint64_t value; };

/* #GP: faults (1 on write, 2 on read); want: what RDMSR leaves. */
static const struct { struct msr_entry e; int gp_write, gp_read;
		      uint64_t want; } msr_tests[] = {
	{ { 0xc0000081, MSR_WRITE, 0x0023001000000000ULL }, 0, 0,
	  0x0023001000000000ULL },				/* STAR */
	{ { 0xc0000082, MSR_WRITE, 0xffffffff81234560ULL }, 0, 0,
	  0xffffffff81234560ULL },				/* LSTAR */
	{ { 0xc0000084, MSR_WRITE, 0x47700 }, 0, 0, 0x47700 },	/* SFMASK */
	{ { 0xc0000102, MSR_WRITE, 0x00007fffdeadb000ULL }, 0, 0,
	  0x00007fffdeadb000ULL },			/* KERNEL_GS_BASE */
	/* A non-canonical LSTAR #GPs and leaves the old value. */
	{ { 0xc0000082, MSR_WRITE, 0x8000000000000000ULL }, 1, 0,
	  0xffffffff81234560ULL },
	{ { 0x1234, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },	/* refused */
	{ { 0x1234, MSR_WRITE, 0 }, 1, 1, 0xdead0000dead0000ULL },
	{ { 0x3a, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },	/* FEATURE_CONTROL */
	/* EFER (long mode: LME|LMA = 0x500): SCE and NXE may be set ... */
	{ { 0xc0000080, MSR_WRITE, 0xd01 }, 0, 0, 0xd01 },
	/* ... a reserved bit, or LME cleared under paging, #GP */
	{ { 0xc0000080, MSR_WRITE, 0x100d01 }, 1, 0, 0xd01 },
	{ { 0xc0000080, MSR_WRITE, 0xc01 }, 1, 0, 0xd01 },
	/* PAT: a valid one reads back; memory type 2 in entry 0 #GPs */
	{ { 0x277, MSR_WRITE, 0x0007040600070406ULL }, 0, 0,
	  0x0007040600070406ULL },
	{ { 0x277, MSR_WRITE, 0x0007040600070402ULL }, 1, 0,
	  0x0007040600070406ULL },
	/*
	 * The platform's MSRs (kmod/hv_msr.c, docs/msrs.md), the same on
	 * both vendors.  MISC_ENABLE: fast strings, BTS/PEBS unavailable;
	 * the same value may be written back, another one #GPs.
	 */
	{ { 0x1a0, 0, 0 }, 0, 0, 0x1801 },
	{ { 0x1a0, MSR_WRITE, 0x1801 }, 0, 0, 0x1801 },
	{ { 0x1a0, MSR_WRITE, 0x1 }, 1, 0, 0x1801 },
	/* no PMU: PDCM is hidden and PERF_CAPABILITIES #GPs */
	{ { 0x345, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },
	/* no TSC_ADJUST (CPUID.7.0:EBX[1] hidden) */
	{ { 0x3b, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },
	/* microcode revision 1; Linux writes 0 first */
	{ { 0x8b, MSR_WRITE, 0 }, 0, 0, 1ULL << 32 },
	/* MTRRs: none but the default type, write-back and enabled */
	{ { 0xfe, 0, 0 }, 0, 0, 0 },
	{ { 0x2ff, MSR_WRITE, 0x6 }, 0, 0, 0x806 },
	{ { 0x2ff, MSR_WRITE, 0x802 }, 1, 0, 0x806 },
	{ { 0x200, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },
	/* AMD's legacy counters: read 0, writes change nothing */
	{ { 0xc0010004, MSR_WRITE, 0x1234 }, 0, 0, 0 },
	{ { 0xc0010003, 0, 0 }, 0, 0, 0 },
	/* ... but not the extended ones (PerfCtrExtCore hidden) */
	{ { 0xc0010200, 0, 0 }, 0, 1, 0xdead0000dead0000ULL },
	/* AMD HWCR: TscFreqSel; the flush-filter bit may be flipped */
	{ { 0xc0010015, MSR_WRITE, 0x1000040 }, 0, 0, 0x1000000 },
	{ { 0xc0010015, MSR_WRITE, 0 }, 1, 0, 0x1000000 },
};
#define NMSR (sizeof(msr_tests) / sizeof(msr_tests[0]))

static void case_msr(void)
{
	uint64_t want[4 * NMSR + 1], got[NMSR];
	unsigned int n = 0;
	uint32_t *in;
	struct guest g;
	size_t i;

	if (guest_init(&g, hv, vendor, "msr", 2 * MiB, "msr.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	in = hv_vm_gpa_ptr(g.vm, TABLE_IN, 8 + NMSR * sizeof(struct msr_entry));
	in[0] = NMSR;
	for (i = 0; i < NMSR; i++) {
		memcpy((char *)(in + 2) + i * sizeof(struct msr_entry),
		       &msr_tests[i].e, sizeof(struct msr_entry));
		want[n++] = RES_MARK + i;
		if (msr_tests[i].gp_write)
			want[n++] = 13;
		if (msr_tests[i].gp_read)
			want[n++] = 13;
	}
	want[n++] = RES_DONE;
	if (guest_run_expect(&g, HV_EXIT_HLT, "msr") ||
	    guest_expect_results(&g, want, n, "msr (#GP = 13)"))
		goto out;
	memcpy(got, hv_vm_gpa_ptr(g.vm, TABLE_OUT, sizeof(got)), sizeof(got));
	for (i = 0; i < NMSR; i++) {
		char what[64];

		snprintf(what, sizeof(what), "entry %zu: MSR %#x read back", i,
			 msr_tests[i].e.msr);
		if (!check_reg(&g, what, got[i], msr_tests[i].want))
			goto out;
	}
	ok("STAR, LSTAR, SFMASK, KERNEL_GS_BASE, EFER, PAT read back; "
	   "refused MSRs and bad values (non-canonical, reserved EFER bits, "
	   "LME under paging, bad PAT type) raise #GP; MISC_ENABLE, "
	   "microcode revision, MTRRs, HWCR, AMD counters as docs/msrs.md");
out:
	guest_ok(&g, "MSRs: allowed ones work, the rest #GP in the guest");
	guest_fini(&g);
}

/* ------------------------------------------------------------ hypercall */

static void case_hypercall(void)
{
	/* PING by the vendor's instruction, then VMCALL, then VMMCALL */
	static const uint64_t pong[] = { HV_HC_PONG, HV_HC_PONG, HV_HC_PONG };
	static const uint64_t done[] = { HV_HC_PONG, HV_HC_PONG, HV_HC_PONG,
					 RES_DONE };
	const uint64_t ret = 0xabcdef0123456789ULL;
	struct guest g;
	__u64 *a;

	if (guest_init(&g, hv, vendor, "hc", 2 * MiB, "hypercall.bin",
		       HV_MODE_LONG64, 0))
		goto out;
	/* PING and the unknown number stay in the kernel: no exit first. */
	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "user hypercall") ||
	    guest_expect_results(&g, pong, 3,
				 "PING (vendor's, VMCALL, VMMCALL) in the kernel"))
		goto out;
	a = g.run->hypercall.args;
	if (!check_reg(&g, "nr", g.run->hypercall.nr, HC_ARGS) ||
	    !check_reg(&g, "arg 0 (rbx)", a[0], 0x1111111111111111ULL) ||
	    !check_reg(&g, "arg 1 (rcx)", a[1], 0x2222222222222222ULL) ||
	    !check_reg(&g, "arg 2 (rdx)", a[2], 0x3333333333333333ULL) ||
	    !check_reg(&g, "arg 3 (rsi)", a[3], 0x4444444444444444ULL))
		goto out;
	ok("PING -> PONG without an exit, by VMCALL and VMMCALL alike; "
	   "user hypercall: nr and 4 args");
	g.run->hypercall.ret = ret;
	if (guest_run_expect(&g, HV_EXIT_HYPERCALL, "report hypercall") ||
	    !check_reg(&g, "nr", g.run->hypercall.nr, HC_REPORT) ||
	    !check_reg(&g, "PING's RAX", a[0], HV_HC_PONG) ||
	    !check_reg(&g, "unknown kernel hypercall's RAX", a[1],
		       HV_HC_ENOSYS) ||
	    !check_reg(&g, "user hypercall's RAX (= hypercall.ret)", a[2], ret) ||
	    !check_reg(&g, "argument registers changed by the exit", a[3], 0))
		goto out;
	ok("hypercall.ret lands in RAX; RBX, RCX, RDX, RSI survive");
	g.run->hypercall.ret = 0;
	if (guest_run_expect(&g, HV_EXIT_HLT, "end"))
		goto out;
	guest_expect_results(&g, done, 4, "hypercall");
out:
	guest_ok(&g, "hypercalls: in-kernel PING, user exits, results in RAX");
	guest_fini(&g);
}

/* --------------------------------------------------------------- triple */

static void case_triple(void)
{
	struct guest g;

	if (guest_init(&g, hv, vendor, "triple", 2 * MiB, "triple.bin",
		       HV_MODE_LONG64, 0) == 0 &&
	    guest_run_expect(&g, HV_EXIT_SHUTDOWN, "triple") == 0)
		check_text(&g, "triple fault ahead\n");
	guest_ok(&g, "triple fault: HV_EXIT_SHUTDOWN");
	guest_fini(&g);
}

/* ------------------------------------------------------------- badstate */

/*
 * A guest state that passes hv's architectural checks but that hardware
 * may refuse: bad access rights, CS marked not present.  VT-x checks them
 * at VM entry (SDM Vol 3C, 27.3.1.2: CS.P must be 1): entry fails with
 * basic reason 33, invalid guest state, and hv reports HV_EXIT_FAIL_ENTRY
 * with the exit reason 0x80000021 - every time, never a loop.  AMD-V's
 * VMRUN does not check it (APM Vol 2, 15.5.1): the guest runs on, and
 * what matters is a clean exit and a host that stays fine.
 */
static void case_badstate(void)
{
	struct hv_sregs s;
	struct guest g;
	int i, r;

	if (guest_init(&g, hv, vendor, "badstate", 2 * MiB, "prot32.bin",
		       HV_MODE_PROT32, 0) == 0) {
		r = hv_vcpu_get_sregs(g.vcpu, &s);
		s.cs.present = 0;
		if (!r)
			r = hv_vcpu_set_sregs(g.vcpu, &s);
		if (r)
			guest_why(&g, "set CS not present: %s", hv_strerror(r));
		for (i = 0; i < 2 && !r && !g.why[0]; i++) {
			r = hv_vcpu_run(g.vcpu);
			if (r) {
				guest_why(&g, "run %d: %s", i, hv_strerror(r));
			} else if (vendor == HV_VENDOR_INTEL &&
				   (g.run->exit_reason != HV_EXIT_FAIL_ENTRY ||
				    g.run->fail_entry.hardware_reason !=
				    0x80000021)) {
				guest_why(&g, "run %d: exit %u reason %#llx, want HV_EXIT_FAIL_ENTRY 0x80000021",
					  i, g.run->exit_reason,
					  (unsigned long long)
					  g.run->fail_entry.hardware_reason);
			} else if (g.run->exit_reason == HV_EXIT_NONE ||
				   g.run->exit_reason == HV_EXIT_INTR) {
				guest_why(&g, "run %d: no exit reason (%u)", i,
					  g.run->exit_reason);
			}
			if (vendor != HV_VENDOR_INTEL)
				break;
		}
	}
	guest_ok(&g, "CS not present: entry failure 0x80000021 on VT-x, a clean exit on AMD-V");
	guest_fini(&g);
}

/* ------------------------------------------------------------- virtinsn */

#define NVIRTINSN	20	/* EXPECT_UD lines in tests/guests/virtinsn.S */

static void case_virtinsn(void)
{
	static const char *const names[NVIRTINSN] = {
		"VMRUN", "VMLOAD", "VMSAVE", "STGI", "CLGI", "SKINIT",
		"INVLPGA", "VMXON", "VMPTRLD", "VMCLEAR", "VMPTRST", "VMREAD",
		"VMWRITE", "VMLAUNCH", "VMRESUME", "VMXOFF", "INVEPT",
		"INVVPID", "VMFUNC", "GETSEC",
	};
	uint64_t want[2 * NVIRTINSN + 1];
	struct guest g;
	unsigned int i, n = 0;

	for (i = 0; i < NVIRTINSN; i++) {
		want[n++] = RES_MARK + i;
		want[n++] = 6;
	}
	want[n++] = RES_DONE;
	if (guest_init(&g, hv, vendor, "virt", 2 * MiB, "virtinsn.bin",
		       HV_MODE_LONG64, 0) == 0 &&
	    guest_run_expect(&g, HV_EXIT_HLT, "virtinsn") == 0 &&
	    guest_expect_results(&g, want, n, "virtinsn (#UD = 6)")) {
		unsigned int bad = 0;

		/* Name the instruction: the last mark before the mismatch. */
		while (bad < g.nres && bad < n && g.res[bad] == want[bad])
			bad++;
		for (i = bad + 1; i-- > 0;)
			if (i < g.nres && g.res[i] >= RES_MARK &&
			    g.res[i] < RES_MARK + NVIRTINSN) {
				char why[sizeof(g.why)];

				snprintf(why, sizeof(why), "%s: %.400s",
					 names[g.res[i] - RES_MARK], g.why);
				strcpy(g.why, why);
				break;
			}
	}
	guest_ok(&g, "VMX and SVM instructions raise #UD in the guest");
	guest_fini(&g);
}

/* ----------------------------------------------------------------- main */

static const struct guest_case cases[] = {
	{ "modes", case_modes },	{ "memory", case_memory },
	{ "mmio", case_mmio },		{ "cpuid", case_cpuid },
	{ "msr", case_msr },		{ "hypercall", case_hypercall },
	{ "triple", case_triple },	{ "virtinsn", case_virtinsn },
	{ "badstate", case_badstate },
};

int main(int argc, char **argv)
{
	return guest_test_main(argc, argv, "hv-guest-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
