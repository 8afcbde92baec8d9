// SPDX-License-Identifier: GPL-2.0
/*
 * hv-debug-test: guest debugging through the module's ABI, attached mode
 * (HV_VCPU_SET_GUEST_DEBUG, HV_EXIT_DEBUG; kmod/hv_debug.c), on
 * tests/guests/gdbguest.elf, whose symbols it reads from the ELF:
 *
 *   args      bad arguments: EINVAL, and nothing changes
 *   swbp      INT3 written at gdb_bump: HV_EXIT_DEBUG exception 3, RIP on
 *             the INT3; gdb_counter holds the sum before that call
 *   step      single steps from gdb_bump: push %rbp (1 byte), then
 *             mov %rsp,%rbp (3 bytes): RIP moves by exactly those; DR6.BS
 *   cpuid     a single step over CPUID (hv completes it): RIP + 2, one
 *             step, RAX..RDX the CPUID's answer
 *   hwbp      DR0 on gdb_target (execute): exception 1, DR6.B0, RIP there
 *   watch     DR1 on gdb_watched (write, 8 bytes): exception 1, DR6.B1,
 *             the value already written
 *   inject    SW_BP on and a debugger's INT3 at gdb_done: the guest's
 *             own INT3 (gdb_int3_insn, under its own IDT) stops first,
 *             gdb_bp_hits 0; HV_GUESTDBG_INJECT_BP (a second one: EBUSY,
 *             RIP still on the INT3), with the guest's RAM write-
 *             protected by dirty logging so that the #BP's frame push
 *             exits in the middle of the delivery: the guest's #BP
 *             handler runs once with return RIP gdb_int3_insn + 1, the
 *             stack page is dirty, and the debugger's INT3 at gdb_done
 *             still stops
 *   off       flags 0: the guest runs to its exit port (0xf4, value 55)
 *             without another debug exit; RFLAGS never showed TF
 *
 * Usage: hv-debug-test [GUEST.elf]   (default: the guests directory's)
 */
#include <elf.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

/* hvguest.h's helpers for hv-guest-test: only a few are used here */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "hvguest.h"

#define GDB_ROUNDS		10
#define GDB_SUM			55
#define GDB_WATCH_VALUE		0x5a5a1234ULL
#define MAX_RUNS		200

static const char *guest_path;
static void *elf_img;
static size_t elf_len;

/* A symbol's value from the ELF64's .symtab, or 0 */
static uint64_t sym(const char *name)
{
	const Elf64_Ehdr *eh = elf_img;
	const Elf64_Shdr *sh;
	unsigned int i;

	if (elf_len < sizeof(*eh) || eh->e_shoff + (uint64_t)eh->e_shnum *
	    sizeof(*sh) > elf_len)
		return 0;
	sh = (const void *)((const char *)elf_img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *s;
		const char *str;
		size_t n, j;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		s = (const void *)((const char *)elf_img + sh[i].sh_offset);
		str = (const char *)elf_img + sh[sh[i].sh_link].sh_offset;
		n = sh[i].sh_size / sizeof(*s);
		for (j = 0; j < n; j++)
			if (!strcmp(str + s[j].st_name, name))
				return s[j].st_value;
	}
	return 0;
}

static int set_debug(struct hv_vcpu *vcpu, const struct hv_guest_debug *d)
{
	return ioctl(hv_vcpu_fd(vcpu), HV_VCPU_SET_GUEST_DEBUG, d);
}

/* Run until an exit other than port output to PORT_TEXT; -1 on error */
static int run_once(struct hv_vcpu *vcpu, struct hv_run *run)
{
	int i, r;

	for (i = 0; i < MAX_RUNS; i++) {
		r = hv_vcpu_run(vcpu);
		if (r < 0 && r != -EINTR) {
			fail("HV_VCPU_RUN: %s", strerror(-r));
			return -1;
		}
		if (run->exit_reason == HV_EXIT_INTR)
			continue;
		return 0;
	}
	fail("no exit but INTR in %d runs", MAX_RUNS);
	return -1;
}

static bool expect_debug(struct hv_vcpu *vcpu, struct hv_run *run,
			 uint32_t exc, uint64_t rip, uint64_t dr6_bits,
			 const char *what)
{
	struct hv_regs r;
	char buf[160];

	if (run_once(vcpu, run))
		return false;
	if (run->exit_reason != HV_EXIT_DEBUG) {
		fail("%s: exit %s, expected DEBUG", what,
		     exit_describe(run, buf, sizeof(buf)));
		return false;
	}
	if (hv_vcpu_get_regs(vcpu, &r)) {
		fail("%s: HV_VCPU_GET_REGS", what);
		return false;
	}
	if (run->debug.exception != exc || run->debug.rip != rip ||
	    r.rip != rip || (run->debug.dr6 & dr6_bits) != dr6_bits) {
		fail("%s: exception %u rip %#llx (regs %#llx) dr6 %#llx; "
		     "expected exception %u rip %#llx dr6 bits %#llx", what,
		     run->debug.exception,
		     (unsigned long long)run->debug.rip,
		     (unsigned long long)r.rip,
		     (unsigned long long)run->debug.dr6, exc,
		     (unsigned long long)rip, (unsigned long long)dr6_bits);
		return false;
	}
	if (r.rflags & 0x100) {
		fail("%s: RFLAGS %#llx shows TF, which only the debugger set",
		     what, (unsigned long long)r.rflags);
		return false;
	}
	ok("%s: exception %u at %#llx, dr6 %#llx", what, exc,
	   (unsigned long long)rip, (unsigned long long)run->debug.dr6);
	return true;
}

static void test_args(struct hv_vcpu *vcpu)
{
	struct hv_guest_debug d;

	memset(&d, 0, sizeof(d));
	d.flags = 1U << 7;
	expect_errno(set_debug(vcpu, &d), EINVAL, "unknown flag: EINVAL");
	d.flags = HV_GUESTDBG_SW_BP;
	expect_errno(set_debug(vcpu, &d), EINVAL, "SW_BP without ENABLE: EINVAL");
	d.flags = HV_GUESTDBG_ENABLE;
	d.reserved[3] = 1;
	expect_errno(set_debug(vcpu, &d), EINVAL, "reserved not zero: EINVAL");
	d.reserved[3] = 0;
	d.pad = 1;
	expect_errno(set_debug(vcpu, &d), EINVAL, "pad not zero: EINVAL");
	d.pad = 0;
	d.dr[0] = 0x1000;
	expect_errno(set_debug(vcpu, &d), EINVAL, "DR0 without HW_BP: EINVAL");
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_HW_BP;
	d.dr[0] = 0x0000800000000000ULL;
	d.dr7 = 1;
	expect_errno(set_debug(vcpu, &d), EINVAL, "non-canonical DR0: EINVAL");
	d.dr[0] = 0x1000;
	d.dr7 = 1 | (1 << 13);
	expect_errno(set_debug(vcpu, &d), EINVAL, "DR7.GD: EINVAL");
	d.dr7 = 1 | (2 << 16);
	expect_errno(set_debug(vcpu, &d), EINVAL, "DR7 I/O breakpoint: EINVAL");
	d.dr7 = 1ULL << 32;
	expect_errno(set_debug(vcpu, &d), EINVAL, "DR7 bit 32: EINVAL");
	memset(&d, 0, sizeof(d));
	d.flags = HV_GUESTDBG_INJECT_BP;
	expect_errno(set_debug(vcpu, &d), EINVAL, "INJECT_BP without ENABLE: EINVAL");
	d.flags = 1U << 5;
	expect_errno(set_debug(vcpu, &d), EINVAL, "flag 1 << 5: EINVAL");
}

/*
 * inject: the guest's own INT3 at @insn while the debugger has SW_BP on
 * and its own INT3 at @done: the stop at @insn, HV_GUESTDBG_INJECT_BP,
 * then the guest's handler ran once (@hits) with return RIP @insn + 1
 * (@rip) and the stop at @done.  False on a failure.
 */
static bool test_inject(struct hv_vm *vm, struct hv_vcpu *vcpu,
			struct hv_run *run, uint64_t insn, uint64_t done,
			uint64_t hits_gva, uint64_t rip_gva)
{
	volatile uint64_t *hits = hv_vm_gpa_ptr(vm, hits_gva, 8);
	volatile uint64_t *brip = hv_vm_gpa_ptr(vm, rip_gva, 8);
	uint8_t *dc = hv_vm_gpa_ptr(vm, done, 1), *ic = hv_vm_gpa_ptr(vm, insn, 1);
	uint64_t bitmap[(4 * MiB / 4096 + 63) / 64], page;
	struct hv_guest_debug d;
	struct hv_regs r;
	uint8_t saved;
	bool good = false, logging = false;
	int err;

	if (!hits || !brip || !dc || !ic) {
		fail("inject: guest RAM at the symbols is not mapped");
		return false;
	}
	if (*ic != 0xcc) {
		fail("inject: gdb_int3_insn holds %02x, not INT3: rebuild gdbguest.elf",
		     *ic);
		return false;
	}
	memset(&d, 0, sizeof(d));
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP;
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG ENABLE|SW_BP");
	saved = *dc;
	*dc = 0xcc;
	if (!expect_debug(vcpu, run, 3, insn, 0,
			  "the guest's own INT3 stops with SW_BP on"))
		goto out;
	if (*hits != 0) {
		fail("inject: gdb_bp_hits %llu before the #BP was given back",
		     (unsigned long long)*hits);
		goto out;
	}
	/*
	 * Every page write-protected (the first read of the dirty log): the
	 * #BP's frame push on the stack exits during the delivery, which
	 * must then happen again (VT-x: IDT-vectoring info; AMD-V:
	 * EXITINTINFO, RIP back on the INT3).
	 */
	if (hv_vcpu_get_regs(vcpu, &r)) {
		fail("inject: HV_VCPU_GET_REGS");
		goto out;
	}
	page = (r.rsp - 8) / 4096;
	err = hv_vm_dirty_log(vm, 0, true);
	if (!err) {
		logging = true;
		err = hv_vm_get_dirty_log(vm, 0, bitmap);
	}
	if (err) {
		fail("inject: dirty log on: %s", hv_strerror(err));
		goto out;
	}
	d.flags |= HV_GUESTDBG_INJECT_BP;
	if (set_debug(vcpu, &d) < 0) {
		fail("SET_GUEST_DEBUG SW_BP|INJECT_BP: %s", strerror(errno));
		goto out;
	}
	ok("SET_GUEST_DEBUG SW_BP|INJECT_BP");
	/* one event per entry: a second #BP cannot be queued on the first */
	expect_errno(set_debug(vcpu, &d), EBUSY, "INJECT_BP again before the entry: EBUSY");
	if (hv_vcpu_get_regs(vcpu, &r) || r.rip != insn) {
		fail("inject: RIP %#llx before the entry, expected the INT3 at %#llx",
		     (unsigned long long)r.rip, (unsigned long long)insn);
		goto out;
	}
	ok("RIP stays on the INT3 until the guest runs");
	if (!expect_debug(vcpu, run, 3, done,  0,
			  "the debugger's INT3 at gdb_done still stops"))
		goto out;
	if (*hits != 1 || *brip != insn + 1) {
		fail("inject: the guest's #BP handler ran %llu times, return RIP %#llx; "
		     "expected once, %#llx", (unsigned long long)*hits,
		     (unsigned long long)*brip, (unsigned long long)insn + 1);
		goto out;
	}
	ok("the guest's #BP handler ran once, return RIP %#llx (past the INT3)",
	   (unsigned long long)*brip);
	err = hv_vm_get_dirty_log(vm, 0, bitmap);
	if (err || !(bitmap[page / 64] >> (page % 64) & 1)) {
		fail("inject: the stack page %#llx was not written after the "
		     "write protection (%s)", (unsigned long long)page * 4096,
		     err ? hv_strerror(err) : "not dirty");
		goto out;
	}
	ok("the #BP's frame push faulted on the write-protected stack page "
	   "%#llx and the delivery went on", (unsigned long long)page * 4096);
	good = true;
out:
	if (logging)
		hv_vm_dirty_log(vm, 0, false);
	*dc = saved;
	return good;
}

int main(int argc, char **argv)
{
	static char def[256];
	struct hv_boot_opts bo = { 0 };
	struct hv_boot_info bi;
	struct hv_guest_debug d;
	struct hv *hv = NULL;
	struct hv_vm *vm = NULL;
	struct hv_vcpu *vcpu = NULL;
	struct hv_run *run;
	struct hv_regs r;
	uint64_t bump, cpuid, target, counter, watched, *pc, *pw;
	uint64_t int3_insn, done, bp_hits, bp_rip;
	uint8_t *code, saved;
	char err[256], buf[160];
	int i, rc;

	snprintf(def, sizeof(def), "%s/gdbguest.elf", guest_dir());
	guest_path = argc > 1 ? argv[1] : def;
	rc = hv_read_image(guest_path, &elf_img, &elf_len, 16 << 20, NULL);
	if (rc) {
		fail("%s: %s", guest_path, strerror(-rc));
		return 1;
	}
	bump = sym("gdb_bump");
	cpuid = sym("gdb_cpuid");
	target = sym("gdb_target");
	counter = sym("gdb_counter");
	watched = sym("gdb_watched");
	int3_insn = sym("gdb_int3_insn");
	done = sym("gdb_done");
	bp_hits = sym("gdb_bp_hits");
	bp_rip = sym("gdb_bp_rip");
	if (!int3_insn || !done || !bp_hits || !bp_rip) {
		fail("%s: symbols gdb_int3_insn %#llx gdb_done %#llx gdb_bp_hits %#llx gdb_bp_rip %#llx: rebuild it",
		     guest_path, (unsigned long long)int3_insn,
		     (unsigned long long)done, (unsigned long long)bp_hits,
		     (unsigned long long)bp_rip);
		return 1;
	}
	if (!bump || !cpuid || !target || !counter || !watched) {
		fail("%s: symbols gdb_bump %#llx gdb_cpuid %#llx gdb_target %#llx gdb_counter %#llx gdb_watched %#llx",
		     guest_path, (unsigned long long)bump,
		     (unsigned long long)cpuid, (unsigned long long)target,
		     (unsigned long long)counter, (unsigned long long)watched);
		return 1;
	}

	if ((rc = hv_open(&hv)) ||
	    (rc = hv_vm_create(hv, "dbg", HV_VM_DESTROY_ON_CLOSE, &vm)) ||
	    (rc = hv_vm_add_ram(vm, 0, 4 * MiB)) ||
	    (rc = hv_vcpu_create(vm, 0, &vcpu))) {
		fail("VM setup: %s", strerror(-rc));
		return 1;
	}
	bo.path = guest_path;
	bo.err = err;
	bo.errlen = sizeof(err);
	if ((rc = hv_boot_image(vm, vcpu, &bo, &bi))) {
		fail("hv_boot_image %s: %s", guest_path, err);
		return 1;
	}
	run = hv_vcpu_run_area(vcpu);
	code = hv_vm_gpa_ptr(vm, bump, 1);
	pc = hv_vm_gpa_ptr(vm, counter, 8);
	pw = hv_vm_gpa_ptr(vm, watched, 8);
	if (!code || !pc || !pw) {
		fail("guest RAM at the symbols is not mapped");
		return 1;
	}

	test_args(vcpu);

	/* swbp: the INT3 at gdb_bump, after three calls: 1 + 2 + 3 */
	memset(&d, 0, sizeof(d));
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP;
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG ENABLE|SW_BP");
	saved = *code;
	*code = 0xcc;
	for (i = 1; i <= 4; i++) {
		if (!expect_debug(vcpu, run, 3, bump, 0, "INT3 at gdb_bump"))
			goto out;
		if (*pc != (uint64_t)(i - 1) * i / 2) {
			fail("gdb_counter %llu at call %d, expected %d",
			     (unsigned long long)*pc, i, (i - 1) * i / 2);
			goto out;
		}
		if (i == 4)
			break;
		/* over it: the original byte, one step, the INT3 back */
		*code = saved;
		d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP |
			  HV_GUESTDBG_SINGLESTEP;
		if (set_debug(vcpu, &d) < 0) {
			fail("SET_GUEST_DEBUG +SINGLESTEP: %s", strerror(errno));
			goto out;
		}
		if (!expect_debug(vcpu, run, 1, bump + 1, 0x4000,
				  "step over the breakpoint (push %rbp)"))
			goto out;
		*code = 0xcc;
		d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP;
		set_debug(vcpu, &d);
	}
	ok("gdb_counter %llu at the 4th call", (unsigned long long)*pc);
	*code = saved;

	/* step: push %rbp (55), mov %rsp,%rbp (48 89 e5) */
	if (code[0] != 0x55 || code[1] != 0x48 || code[2] != 0x89 ||
	    code[3] != 0xe5) {
		fail("gdb_bump does not start with push %%rbp; mov %%rsp,%%rbp "
		     "(%02x %02x %02x %02x): rebuild gdbguest.elf", code[0],
		     code[1], code[2], code[3]);
		goto out;
	}
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SINGLESTEP;
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG ENABLE|SINGLESTEP");
	if (!expect_debug(vcpu, run, 1, bump + 1, 0x4000, "step: push %rbp") ||
	    !expect_debug(vcpu, run, 1, bump + 4, 0x4000,
			  "step: mov %rsp,%rbp"))
		goto out;

	/* cpuid: DR0 on gdb_cpuid's CPUID (0f a2) found by its bytes */
	code = hv_vm_gpa_ptr(vm, cpuid, 64);
	for (i = 0; i < 63 && !(code[i] == 0x0f && code[i + 1] == 0xa2); i++)
		;
	if (i == 63) {
		fail("no CPUID in gdb_cpuid");
		goto out;
	}
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_HW_BP;
	d.dr[0] = cpuid + i;
	d.dr7 = 1;				/* L0, execute, 1 byte */
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG HW_BP: DR0 on the CPUID");
	if (!expect_debug(vcpu, run, 1, cpuid + i, 1, "DR0 (execute) on CPUID"))
		goto out;
	memset(&d, 0, sizeof(d));
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SINGLESTEP;
	set_debug(vcpu, &d);
	if (!expect_debug(vcpu, run, 1, cpuid + i + 2, 0x4000,
			  "step over CPUID (hv completes it)"))
		goto out;
	hv_vcpu_get_regs(vcpu, &r);
	/* leaf 0: EBX ECX EDX the vendor string (hv's table: GenuineIntel/AuthenticAMD) */
	if (r.rax == 0 || (r.rbx != 0x756e6547 && r.rbx != 0x68747541)) {
		fail("after CPUID leaf 0: rax %#llx rbx %#llx",
		     (unsigned long long)r.rax, (unsigned long long)r.rbx);
		goto out;
	}
	ok("CPUID ran once: max leaf %#llx", (unsigned long long)r.rax);

	/* hwbp: DR0 on gdb_target */
	memset(&d, 0, sizeof(d));
	d.flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_HW_BP;
	d.dr[0] = target;
	d.dr7 = 1;
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG HW_BP: DR0 on gdb_target");
	if (!expect_debug(vcpu, run, 1, target, 1, "DR0 (execute) on gdb_target"))
		goto out;
	if (*pw != 0) {
		fail("gdb_watched is %#llx before gdb_target ran",
		     (unsigned long long)*pw);
		goto out;
	}

	/* watch: DR1 on gdb_watched, write, 8 bytes (R/W1 01, LEN1 10) */
	d.dr[0] = 0;
	d.dr[1] = watched;
	d.dr7 = (1 << 2) | (1ULL << 20) | (2ULL << 22);
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG HW_BP: DR1 write watch on gdb_watched");
	if (run_once(vcpu, run))
		goto out;
	if (run->exit_reason != HV_EXIT_DEBUG || run->debug.exception != 1 ||
	    !(run->debug.dr6 & 2) || run->debug.rip <= target ||
	    run->debug.rip >= target + 64) {
		fail("watch: exit %s exception %u dr6 %#llx rip %#llx",
		     exit_describe(run, buf, sizeof(buf)),
		     run->debug.exception,
		     (unsigned long long)run->debug.dr6,
		     (unsigned long long)run->debug.rip);
		goto out;
	}
	if (*pw != GDB_WATCH_VALUE) {
		fail("watch: gdb_watched %#llx at the stop, expected %#llx",
		     (unsigned long long)*pw, GDB_WATCH_VALUE);
		goto out;
	}
	ok("watch: exception 1, dr6 %#llx, rip %#llx inside gdb_target, gdb_watched %#llx",
	   (unsigned long long)run->debug.dr6,
	   (unsigned long long)run->debug.rip, (unsigned long long)*pw);

	if (!test_inject(vm, vcpu, run, int3_insn, done, bp_hits, bp_rip))
		goto out;

	/* off: to the exit port, nothing else */
	memset(&d, 0, sizeof(d));
	expect_success(set_debug(vcpu, &d), "SET_GUEST_DEBUG 0 (off)");
	if (run_once(vcpu, run))
		goto out;
	if (run->exit_reason != HV_EXIT_IO || run->io.port != PORT_RESULT ||
	    run->io.direction != HV_IO_OUT || (run->io.data & 0xff) != GDB_SUM) {
		fail("off: exit %s, expected OUT 55 to port 0xf4",
		     exit_describe(run, buf, sizeof(buf)));
		goto out;
	}
	ok("off: the guest ran to its exit port with %llu (gdb_counter %llu)",
	   (unsigned long long)(run->io.data & 0xff),
	   (unsigned long long)*pc);
out:
	if (hvtest_failures)
		guest_dump(&(struct guest){ .vcpu = vcpu });
	hv_vcpu_close(vcpu);
	hv_vm_destroy(vm);
	hv_close(hv);
	return hvtest_failures ? 1 : 0;
}
