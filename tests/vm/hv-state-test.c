// SPDX-License-Identifier: GPL-2.0
/*
 * hv-state-test: HV_VM_GET/SET_VCPU_STATE and HV_VM_GET/SET_DEVICE_STATE
 * on the VM fd, with real guests (tests/guests/state.S).
 *
 *   hv-state-test [VENDOR]
 *
 * A guest loads GPRs, XMM, x87, MXCSR, DR0-3 and the syscall MSRs and
 * halts; GET must read them exactly.  The state goes into a second VM
 * with a copy of the RAM, which runs on and stores what it finds: every
 * register must have followed.  A #GP with an error code queued through
 * the state reaches the guest's handler; the interrupt shadow and NMI
 * blocking round-trip.  Every invalid field is EINVAL and leaves the
 * state as it was; a running managed VM is EBUSY; no such vCPU ENOENT.
 * API 4: the activity state and a pending NMI round-trip; the TSC goes
 * on from the value SET loads (it is guest time, not the host's).
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "hvtest.h"
#include "hvguest.h"

static struct hv *hv;
static uint32_t vendor;

#define GUEST_RAM	(2 * MiB)

static int get_state(struct guest *g, uint32_t id, struct hv_vcpu_state *st)
{
	memset(st, 0, sizeof(*st));
	st->vcpu_id = id;
	return ioctl(hv_vm_fd(g->vm), HV_VM_GET_VCPU_STATE, st);
}

static int set_state(struct guest *g, const struct hv_vcpu_state *st)
{
	return ioctl(hv_vm_fd(g->vm), HV_VM_SET_VCPU_STATE, st);
}

static uint64_t msr_of(const struct hv_vcpu_state *st, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < st->nr_msrs; i++)
		if (st->msrs[i].index == index)
			return st->msrs[i].value;
	return 0xdeadbeefdeadbeefULL;
}

static const uint32_t msr_idx[8] = {
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084, 0xc0000102,
	0x174, 0x175, 0x176,
};
static const uint64_t msr_val[8] = {
	0x0023001000000000ULL, 0xffffffff81234560ULL, 0xffffffff81abcde0ULL,
	0x47700, 0x00007f1234567000ULL, 0x10, 0xffff888012340000ULL,
	0xffffffff81555550ULL,
};
static const uint64_t xmm0v[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
static const uint64_t xmm15v[2] = { 0x5555aaaa5555aaaaULL, 0x0f0f0f0ff0f0f0f0ULL };
/* pi as x87 extended precision: 4000 C90FDAA2 2168C235 */
static const uint8_t pi80[10] = {
	0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40,
};
static const uint64_t dbv[4] = { 0x1111000, 0x2222000, 0x3333000, 0x4444000 };
static const uint64_t gprv[9] = {
	0xb0b0b0b0b0b0b0b0ULL, 0xbebebebebebebebeULL, 0x0808080808080808ULL,
	0x0909090909090909ULL, 0x1010101010101010ULL, 0x1111111111111111ULL,
	0x1212121212121212ULL, 0x1414141414141414ULL, 0x1515151515151515ULL,
};

static int eq64(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return 1;
	fail("%s = %#llx, expected %#llx", what, (unsigned long long)got,
	     (unsigned long long)want);
	return 0;
}

/* What GET returned at the first HLT: the guest's values, exactly. */
static int check_taken(const struct hv_vcpu_state *st)
{
	const struct hv_regs *r = &st->regs;
	uint32_t mxcsr;
	uint64_t bv, q[2];
	int i, good = 1;

	good &= eq64("rbx", r->rbx, gprv[0]) & eq64("rbp", r->rbp, gprv[1]) &
		eq64("r8", r->r8, gprv[2]) & eq64("r12", r->r12, gprv[6]) &
		eq64("r15", r->r15, gprv[8]);
	memcpy(q, st->xsave + 160, 16);
	good &= eq64("xmm0 low", q[0], xmm0v[0]) & eq64("xmm0 high", q[1], xmm0v[1]);
	memcpy(q, st->xsave + 160 + 15 * 16, 16);
	good &= eq64("xmm15 low", q[0], xmm15v[0]) &
		eq64("xmm15 high", q[1], xmm15v[1]);
	if (memcmp(st->xsave + 32, pi80, 10)) {
		fail("st(0) in the XSAVE image is not pi");
		good = 0;
	}
	memcpy(&mxcsr, st->xsave + 24, 4);
	good &= eq64("mxcsr", mxcsr, 0x3f80);
	memcpy(&bv, st->xsave + 512, 8);
	/* x87 and SSE in use; AVX (all zero here) reported as init */
	good &= eq64("XSTATE_BV", bv, 3) & eq64("xcr0 (reset value)", st->xcr0, 1);
	for (i = 0; i < 4; i++)
		good &= eq64("dr0-3", st->dr[i], dbv[i]);
	good &= eq64("dr7", st->dr[7], 0x400);
	good &= eq64("nr_msrs", st->nr_msrs, 11);
	for (i = 0; i < 8; i++)
		good &= eq64("msr", msr_of(st, msr_idx[i]), msr_val[i]);
	if (good)
		ok("GET_VCPU_STATE: GPRs, XMM, x87, MXCSR, DR0-3, DR7, MSRs as the guest set them");
	return good;
}

/* What the second VM's guest stored at TABLE_OUT after SET and run. */
static int check_restored(struct guest *g)
{
	const uint8_t *o = hv_vm_gpa_ptr(g->vm, TABLE_OUT, 4096);
	uint64_t v[2];
	uint32_t mxcsr;
	int i, good = 1;

	if (!o) {
		fail("no mapping of TABLE_OUT");
		return 0;
	}
	memcpy(v, o, 16);
	good &= eq64("restored xmm0 low", v[0], xmm0v[0]) &
		eq64("restored xmm0 high", v[1], xmm0v[1]);
	memcpy(v, o + 16, 16);
	good &= eq64("restored xmm15 low", v[0], xmm15v[0]) &
		eq64("restored xmm15 high", v[1], xmm15v[1]);
	if (memcmp(o + 32, pi80, 10)) {
		fail("restored st(0) is not pi");
		good = 0;
	}
	memcpy(&mxcsr, o + 48, 4);
	good &= eq64("restored mxcsr", mxcsr, 0x3f80);
	for (i = 0; i < 4; i++) {
		memcpy(v, o + 56 + 8 * i, 8);
		good &= eq64("restored dr0-3", v[0], dbv[i]);
	}
	memcpy(v, o + 88, 8);
	good &= eq64("restored dr7 (L0 armed by SET)", v[0], 0x401);
	for (i = 0; i < 8; i++) {
		memcpy(v, o + 96 + 8 * i, 8);
		good &= eq64("restored msr", v[0], msr_val[i]);
	}
	for (i = 0; i < 9; i++) {
		memcpy(v, o + 160 + 8 * i, 8);
		good &= eq64("restored gpr", v[0], gprv[i]);
	}
	if (good)
		ok("second VM: the guest reads back its XMM, x87, MXCSR, DRs, MSRs and GPRs");
	return good;
}

/*
 * One invalid field: EINVAL, and GET before == GET after - but for the
 * TSC, which counts on (and must not have gone back: a refused SET
 * leaves the TSC offset alone).
 */
static void bad_field(struct guest *g, const struct hv_vcpu_state *good,
		      void (*spoil)(struct hv_vcpu_state *), const char *what)
{
	static struct hv_vcpu_state st, before, after;
	char desc[160];

	get_state(g, 0, &before);
	st = *good;
	spoil(&st);
	snprintf(desc, sizeof(desc), "SET_VCPU_STATE with %s", what);
	expect_errno(set_state(g, &st), EINVAL, desc);
	get_state(g, 0, &after);
	if (after.tsc < before.tsc || after.tsc - before.tsc > (1ULL << 40))
		fail("%s moved the TSC from %#llx to %#llx", desc,
		     (unsigned long long)before.tsc,
		     (unsigned long long)after.tsc);
	before.tsc = after.tsc = 0;
	if (memcmp(&before, &after, sizeof(before)))
		fail("%s changed the vCPU's state", desc);
}

static void sp_mxcsr(struct hv_vcpu_state *s) { uint32_t m = 0x10000 | 0x1f80; memcpy(s->xsave + 24, &m, 4); }
static void sp_bv(struct hv_vcpu_state *s) { uint64_t b = 0x23; memcpy(s->xsave + 512, &b, 8); }
static void sp_xcr0(struct hv_vcpu_state *s) { s->xcr0 = 0xe7; }
static void sp_xcomp(struct hv_vcpu_state *s) { s->xsave[527] = 0x80; }
static void sp_efer(struct hv_vcpu_state *s) { s->sregs.efer |= 1ULL << 14; }
static void sp_lma(struct hv_vcpu_state *s) { s->sregs.efer &= ~(1ULL << 10); }
static void sp_msr(struct hv_vcpu_state *s) { s->msrs[0].index = 0x1b; }
static void sp_efer_msr(struct hv_vcpu_state *s) { s->msrs[0].index = 0xc0000080; }
static void sp_pat(struct hv_vcpu_state *s) { s->nr_msrs = 1; s->msrs[0].index = 0x277; s->msrs[0].value = 0x02; }
static void sp_lstar(struct hv_vcpu_state *s) { s->nr_msrs = 1; s->msrs[0].index = 0xc0000082; s->msrs[0].value = 0x8000000000000000ULL; }
static void sp_nrmsrs(struct hv_vcpu_state *s) { s->nr_msrs = 17; }
static void sp_flags(struct hv_vcpu_state *s) { s->flags = 1; }
static void sp_reserved(struct hv_vcpu_state *s) { s->reserved[14] = 1; }
static void sp_evres(struct hv_vcpu_state *s) { s->events.reserved[1] = 1; }
static void sp_sregres(struct hv_vcpu_state *s) { s->sregs.reserved[0] = 1; }
static void sp_dr7(struct hv_vcpu_state *s) { s->dr[7] |= 1 << 12; }
static void sp_dr7hi(struct hv_vcpu_state *s) { s->dr[7] |= 1ULL << 32; }
static void sp_dr6(struct hv_vcpu_state *s) { s->dr[6] = 0; }
static void sp_dr4(struct hv_vcpu_state *s) { s->dr[4] = 1; }
static void sp_vec(struct hv_vcpu_state *s) { s->events.flags = HV_EV_EXCEPTION; s->events.exception_vector = 2; }
static void sp_vec32(struct hv_vcpu_state *s) { s->events.flags = HV_EV_EXCEPTION; s->events.exception_vector = 32; }
static void sp_noerr(struct hv_vcpu_state *s) { s->events.flags = HV_EV_EXCEPTION; s->events.exception_vector = 13; }
static void sp_err(struct hv_vcpu_state *s) { s->events.flags = HV_EV_EXCEPTION | HV_EV_EXCEPTION_ERROR; s->events.exception_vector = 6; }
static void sp_evflag(struct hv_vcpu_state *s) { s->events.flags = 1 << 7; }
static void sp_rflags(struct hv_vcpu_state *s) { s->regs.rflags |= 1ULL << 40; }
static void sp_cpuid(struct hv_vcpu_state *s) { s->cpuid.nent = HV_CPUID_MAX_ENTRIES + 1; }
static void sp_mp(struct hv_vcpu_state *s) { s->mp_state = 3; }
static void sp_pad3(struct hv_vcpu_state *s) { s->pad3 = 1; }
static void sp_res2(struct hv_vcpu_state *s) { s->reserved2[7] = 1; }

static void bad_input(struct guest *g, const struct hv_vcpu_state *good)
{
	static struct hv_vcpu_state st;

	bad_field(g, good, sp_mxcsr, "a reserved MXCSR bit");
	bad_field(g, good, sp_bv, "XSTATE_BV with opmask (never offered)");
	bad_field(g, good, sp_xcr0, "xcr0 with AVX-512 (never offered)");
	bad_field(g, good, sp_xcomp, "compacted XSAVE format");
	bad_field(g, good, sp_efer, "EFER.FFXSR (not allowed)");
	bad_field(g, good, sp_lma, "EFER.LMA clear in long mode");
	bad_field(g, good, sp_msr, "an MSR index outside the list");
	bad_field(g, good, sp_efer_msr, "EFER in the MSR list");
	bad_field(g, good, sp_pat, "a PAT with a reserved type");
	bad_field(g, good, sp_lstar, "a non-canonical LSTAR");
	bad_field(g, good, sp_nrmsrs, "nr_msrs 17");
	bad_field(g, good, sp_flags, "flags 1");
	bad_field(g, good, sp_reserved, "reserved[14] set");
	bad_field(g, good, sp_evres, "events.reserved set");
	bad_field(g, good, sp_sregres, "sregs.reserved set");
	bad_field(g, good, sp_dr7, "DR7 bit 12");
	bad_field(g, good, sp_dr7hi, "DR7 bit 32");
	bad_field(g, good, sp_dr6, "DR6 fixed-1 bits clear");
	bad_field(g, good, sp_dr4, "DR4 not zero");
	bad_field(g, good, sp_vec, "exception vector 2 (NMI)");
	bad_field(g, good, sp_vec32, "exception vector 32");
	bad_field(g, good, sp_noerr, "#GP without its error code");
	bad_field(g, good, sp_err, "#UD with an error code");
	bad_field(g, good, sp_evflag, "an unknown event flag");
	bad_field(g, good, sp_rflags, "a reserved RFLAGS bit");
	bad_field(g, good, sp_cpuid, "too many CPUID entries");
	bad_field(g, good, sp_mp, "mp_state 3");
	bad_field(g, good, sp_pad3, "pad3 set");
	bad_field(g, good, sp_res2, "reserved2[7] set");

	st = *good;
	st.vcpu_id = 7;
	expect_errno(set_state(g, &st), ENOENT, "SET_VCPU_STATE for vCPU 7 (none)");
	expect_errno(get_state(g, 7, &st), ENOENT, "GET_VCPU_STATE for vCPU 7 (none)");
}

/* Queue a #GP with an error code, and the shadow/NMI flags round trip. */
static void events(struct guest *g)
{
	static struct hv_vcpu_state st, back;
	static const uint64_t want[] = { RES_DONE, 13, 0x1234 };

	if (get_state(g, 0, &st)) {
		fail("GET_VCPU_STATE after the run: %s", strerror(errno));
		return;
	}
	/*
	 * No exception may be pending at a HLT.  The shadow flag may be:
	 * QEMU TCG carries the host's STI shadow (STI; VMRUN) into the
	 * guest's first instruction, and reports it at an exit there.
	 */
	expect_eq(st.events.flags & ~HV_EV_SHADOW, 0,
		  "events at a HLT (but the shadow)");
	st.events.flags = HV_EV_SHADOW | HV_EV_NMI_MASKED;
	if (expect_success(set_state(g, &st), "SET with interrupt shadow and NMI blocking") &&
	    get_state(g, 0, &back) == 0)
		expect_eq(back.events.flags, HV_EV_SHADOW | HV_EV_NMI_MASKED,
			  "events flags read back");
	st.events.flags = HV_EV_EXCEPTION | HV_EV_EXCEPTION_ERROR;
	st.events.exception_vector = 13;
	st.events.exception_error = 0x1234;
	if (!expect_success(set_state(g, &st), "SET with a queued #GP, error 0x1234"))
		return;
	if (get_state(g, 0, &back) == 0 &&
	    memcmp(&back.events, &st.events, sizeof(st.events)))
		fail("queued #GP reads back as flags %#x vector %u error %#x",
		     back.events.flags, back.events.exception_vector,
		     back.events.exception_error);
	if (guest_run_expect(g, HV_EXIT_HLT, "after the queued #GP") == 0 &&
	    guest_expect_results(g, want, 3, "queued #GP") == 0)
		ok("the guest's #GP handler saw vector 13, error code 0x1234");
	else
		fail("queued #GP: %s", g->why);
}

/* API 4: mp_state and a pending NMI read back as SET loaded them. */
static void platform(struct guest *g, const struct hv_vcpu_state *good)
{
	static struct hv_vcpu_state st, back;

	st = *good;
	st.mp_state = HV_MP_WAIT_SIPI;
	st.events.flags |= HV_EV_NMI_PENDING;
	if (expect_success(set_state(g, &st), "SET with WAIT_SIPI and an NMI pending") &&
	    get_state(g, 0, &back) == 0) {
		expect_eq(back.mp_state, HV_MP_WAIT_SIPI, "mp_state read back");
		expect_eq(back.events.flags & HV_EV_NMI_PENDING,
			  HV_EV_NMI_PENDING, "NMI pending read back");
	}
	st = *good;
	expect_success(set_state(g, &st), "SET the state back");
	if (get_state(g, 0, &back) == 0) {
		expect_eq(back.mp_state, good->mp_state, "mp_state as before");
		expect_eq(back.events.flags & HV_EV_NMI_PENDING, 0,
			  "no NMI pending again");
	}
}

/*
 * Two device states alike but for what time moves on its own (a PIT
 * channel's elapsed time since its count was loaded).
 */
static bool devices_alike(const struct hv_device_state *a,
			  const struct hv_device_state *b)
{
	static struct hv_device_state x, y;
	int i;

	x = *a;
	y = *b;
	for (i = 0; i < 3; i++)
		x.pit.ch[i].elapsed_ns = y.pit.ch[i].elapsed_ns = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static void devices(struct guest *g)
{
	static struct hv_device_state ds, back, bad;
	int fd = hv_vm_fd(g->vm);

	if (!expect_success(ioctl(fd, HV_VM_GET_DEVICE_STATE, &ds), "GET_DEVICE_STATE"))
		return;
	expect_eq(ds.uart.rx_count, 0, "rx_count of a new VM");
	ds.uart.rx_count = 3;
	memcpy(ds.uart.rx, "abc", 3);
	ds.uart.scr = 0x5a;
	ds.uart.ier = 0x05;
	ds.shutdown_match = 3;
	expect_success(ioctl(fd, HV_VM_SET_DEVICE_STATE, &ds), "SET_DEVICE_STATE");
	/*
	 * The UART as set; the platform as the UART's line may have left it
	 * (IER receive with bytes waiting raises IRQ 4).
	 */
	if (ioctl(fd, HV_VM_GET_DEVICE_STATE, &back) == 0 &&
	    memcmp(&ds.uart, &back.uart, sizeof(ds.uart)) == 0 &&
	    back.shutdown_match == 3)
		ok("device state reads back as set");
	else
		fail("device state did not read back as set");
	ds = back;
	bad = ds;
	bad.uart.rx_count = 1025;
	expect_errno(ioctl(fd, HV_VM_SET_DEVICE_STATE, &bad), EINVAL, "rx_count 1025");
	bad = ds;
	bad.uart.ier = 0x10;
	expect_errno(ioctl(fd, HV_VM_SET_DEVICE_STATE, &bad), EINVAL, "IER bit 4");
	bad = ds;
	bad.shutdown_match = 8;
	expect_errno(ioctl(fd, HV_VM_SET_DEVICE_STATE, &bad), EINVAL, "shutdown_match 8");
	bad = ds;
	bad.reserved[7] = 1;
	expect_errno(ioctl(fd, HV_VM_SET_DEVICE_STATE, &bad), EINVAL, "device reserved set");
	bad = ds;
	bad.reserved2[5] = 1;
	expect_errno(ioctl(fd, HV_VM_SET_DEVICE_STATE, &bad), EINVAL, "device reserved2 set");
	if (ioctl(fd, HV_VM_GET_DEVICE_STATE, &back) == 0 &&
	    devices_alike(&ds, &back))
		ok("refused device states changed nothing");
	else
		fail("a refused device state changed something");
}

static void busy(void)
{
	static struct hv_vcpu_state st;
	struct guest g;

	if (guest_init(&g, hv, vendor, "stbusy", GUEST_RAM, "spin.bin",
		       HV_MODE_LONG64, 0)) {
		fail("spin guest: %s", g.why);
		return;
	}
	if (expect_success(hv_vm_start(g.vm), "start a managed spinning VM")) {
		expect_errno(get_state(&g, 0, &st), EBUSY, "GET_VCPU_STATE while it runs");
		expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_GET_DEVICE_STATE, &st), EBUSY,
			     "GET_DEVICE_STATE while it runs");
		if (expect_success(hv_vm_pause(g.vm), "pause it")) {
			expect_success(get_state(&g, 0, &st), "GET_VCPU_STATE while paused");
			expect_success(set_state(&g, &st), "SET_VCPU_STATE while paused");
			hv_vm_resume(g.vm);
		}
		hv_vm_stop(g.vm);
	}
	guest_fini(&g);
}

/* An exit awaiting its answer (a user hypercall) refuses GET: EBUSY. */
static void pending(void)
{
	static struct hv_vcpu_state st;
	struct guest g;

	if (guest_init(&g, hv, vendor, "stpend", GUEST_RAM, "hypercall.bin",
		       HV_MODE_LONG64, 0) ||
	    guest_run_expect(&g, HV_EXIT_HYPERCALL, "user hypercall")) {
		fail("hypercall guest: %s", g.why);
		guest_fini(&g);
		return;
	}
	expect_errno(get_state(&g, 0, &st), EBUSY,
		     "GET_VCPU_STATE with a hypercall awaiting its answer");
	/* Answer it, and the guest's last one, up to its HLT */
	while (g.run->exit_reason == HV_EXIT_HYPERCALL) {
		g.run->hypercall.ret = 0;
		if (guest_run(&g) < 0)
			break;
	}
	if (g.run->exit_reason == HV_EXIT_HLT)
		expect_success(get_state(&g, 0, &st),
			       "GET_VCPU_STATE once the hypercall completed");
	guest_fini(&g);
}

int main(int argc, char **argv)
{
	static struct hv_vcpu_state st, back;
	struct guest g1, g2;
	struct hv_caps caps;
	void *src, *dst;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	err = hv_open(&hv);
	if (!err)
		err = hv_caps(hv, &caps);
	if (err) {
		fail("open hv: %s", hv_strerror(err));
		return hvtest_exit();
	}
	vendor = caps.vendor;
	if (argc > 1 && strcmp(argv[1], hv_vendor_name(vendor))) {
		fail("vendor %s, expected %s", hv_vendor_name(vendor), argv[1]);
		return hvtest_exit();
	}

	if (guest_init(&g1, hv, vendor, "st1", GUEST_RAM, "state.bin",
		       HV_MODE_LONG64, 0) ||
	    guest_run_expect(&g1, HV_EXIT_HLT, "state guest, first HLT")) {
		fail("state guest: %s", g1.why);
		guest_dump(&g1);
		return hvtest_exit();
	}
	if (!expect_success(get_state(&g1, 0, &st), "GET_VCPU_STATE at the HLT"))
		return hvtest_exit();
	check_taken(&st);
	bad_input(&g1, &st);
	platform(&g1, &st);

	if (guest_init(&g2, hv, vendor, "st2", GUEST_RAM, NULL,
		       HV_MODE_LONG64, 0)) {
		fail("second VM: %s", g2.why);
		return hvtest_exit();
	}
	src = hv_vm_gpa_ptr(g1.vm, 0, GUEST_RAM);
	dst = hv_vm_gpa_ptr(g2.vm, 0, GUEST_RAM);
	if (!src || !dst) {
		fail("no RAM mappings");
		return hvtest_exit();
	}
	memcpy(dst, src, GUEST_RAM);
	/*
	 * Arm DR0 (L0, execute) at an address the guest never reaches: the
	 * second VM's DR0-3 must be in the hardware from its first entry,
	 * not only after a trapped access as in the first VM.
	 */
	st.dr[7] = 0x401;
	/* A TSC far from the host's: the second VM's goes on from it */
	st.tsc = 1ULL << 50;
	/* The first stopped at its HLT; the second runs on from there */
	st.mp_state = HV_MP_RUNNABLE;
	if (expect_success(set_state(&g2, &st), "SET_VCPU_STATE into a second VM") &&
	    get_state(&g2, 0, &back) == 0) {
		if (back.tsc < st.tsc || back.tsc - st.tsc > (1ULL << 40))
			fail("the second VM's TSC reads %#llx, loaded %#llx",
			     (unsigned long long)back.tsc,
			     (unsigned long long)st.tsc);
		else
			ok("the second VM's TSC goes on from the one loaded");
		back.tsc = st.tsc;
		if (memcmp(&back, &st, sizeof(st)))
			fail("the second VM's GET differs from what SET loaded");
		else
			ok("the second VM's GET equals what SET loaded");
	}
	if (guest_run_expect(&g2, HV_EXIT_HLT, "second VM") == 0 &&
	    guest_expect_results(&g2, (const uint64_t[]){ RES_DONE }, 1,
				 "second VM") == 0)
		check_restored(&g2);
	else {
		fail("second VM: %s", g2.why);
		guest_dump(&g2);
	}
	events(&g2);
	devices(&g1);
	busy();
	pending();
	guest_fini(&g2);
	guest_fini(&g1);
	hv_close(hv);
	return hvtest_exit();
}
