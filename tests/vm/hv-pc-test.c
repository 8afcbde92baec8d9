// SPDX-License-Identifier: GPL-2.0
/*
 * hv-pc-test: the PC platform of issue 13 seen from a guest
 * (tests/guests/pc.S), through libhv.  Built static for the test
 * initramfs; run by tests/vm/cases-pc.sh.
 *
 *   hv-pc-test CASE [VENDOR]
 *
 * Attached, one vCPU (the host answers PORT_SYNC, PORT_STR and MMIO_U):
 *   timer    LAPIC timer periodic, one-shot and TSC-deadline against the TSC
 *   eoi      EOI, ISR, IRR, TPR and PPR; delivery order by priority
 *   ioapic   level pin with remote IRR redelivered until lowered, edge,
 *            masking, an MSI (HV_VM_IRQ_LINE, HV_VM_SIGNAL_MSI)
 *   pic      the 8259 pair through LINT0 (ExtINT) with the PIT on IRQ 0;
 *            GSI 5 from the host
 *   pit2     PIT channel 2 gate and output through port 0x61
 *   rtc      CMOS clock within 2 s of the host, UIP, NVRAM
 *   sti      an interrupt pending while IF=0 comes after STI's shadow
 *   hlt      HLT wakes on a timer and on a pending IPI; HLT with IF=0
 *            ends the run (HV_EXIT_HLT) though a timer runs
 *   string   INS/OUTS (REP, DF=1, to in-kernel devices), ALU, XCHG, bit
 *            ops, MOVZX/MOVSX, MOVS and STOS on MMIO: results and flags
 *   step     RFLAGS.TF over CPUID, IN/OUT, RDMSR, WRMSR: a #DB after each
 * Managed:
 *   ipi      4 vCPUs: APs wait for SIPI; INIT/SIPI/SIPI; fixed, NMI,
 *            broadcast and logical IPIs, counted per (APIC ID, vector)
 *   uart     receive interrupts of the UART from console input
 *   snap     periodic timer with its tick pending in the IRR: snapshot
 *            (to $PC_SNAP_FILE, default /tmp/pc-snap.hv), restore, the
 *            count goes on and no pending tick is lost
 *   snap-restore  the same from another machine's $PC_SNAP_FILE
 * ACPI PM1 block and resets (issue 14, kmod/io/pm.c):
 *   pm         attached: PM1_CNT's SCI_EN, the PM timer's rate against
 *              the TSC, 0xcf9 and 0x64 reads; 0x06 to 0xcf9, 0xfe to
 *              0x64 and ACPI S5 each exit HV_EXIT_SYSTEM_EVENT and the
 *              guest runs on after them
 *   pm-reboot  managed: 0x06 to 0xcf9 stops the VM with reason reboot
 *   pm-off     managed: SLP_EN with SLP_TYP 0 stops it with power-off
 *
 * Numbers the guest reports are checked against what the architecture
 * says they must be (SDM Vol 3A ch. 10, the 8259A, 82093AA, 8254 and
 * MC146818A datasheets); times against the TSC with generous bounds
 * (0.5x-2x), since the emulators are slow, but never a bound that the
 * architecture does not give (a TSC deadline must not fire early).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <time.h>
#include <x86intrin.h>

#include "hvtest.h"
#include "hvguest.h"

#define PC_TIMER	1
#define PC_IPI		2
#define PC_EOI		3
#define PC_IOAPIC	4
#define PC_PIC		5
#define PC_PIT2		6
#define PC_RTC		7
#define PC_UART		8
#define PC_STI		9
#define PC_HLT		10
#define PC_STRING	11
#define PC_STEP		12
#define PC_SNAP		13
#define PC_PM		14
#define PC_MANAGED	0x100
#define PM_OP_SHIFT	9	/* pc-pm, managed: 1 reset at 0xcf9, 2 S5 */
#define PM_TMR_PER_MS	3580	/* 3.579545 MHz, ACPI 6.4 4.8.3.3 */

#define PORT_SYNC	0x510
#define PORT_STR	0x520
#define SYNC_NOP	0
#define SYNC_LINE	1
#define SYNC_MSI	2
#define MMIO_U		0xd0000000ULL
#define PCNT		0x24000ULL
#define SNAP_TICKS	0x21800ULL
#define RAM_SIZE	(2 * MiB)

static struct hv *hv;
static uint32_t vendor;
static uint64_t tsc_per_ms;
static uint32_t apic_per_ms;
static const char *apic_src;
static bool kvm_ref;		/* running the reference, KVM (hvpc-kvm.h) */

/* Host-emulated devices of the attached runs. */
static uint8_t mmio[4096];
static struct {
	uint8_t size;
	uint32_t data;
} str_out[64];
static unsigned int n_str_out, n_str_in;
static unsigned int n_sync;
static struct {
	uint32_t type;
	uint64_t data;
} sys_ev[8];
static unsigned int n_sys_ev;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The TSC's rate, the guest's too (hv offsets the TSC, it does not scale
 * it): 20 ms against CLOCK_MONOTONIC, busy, as the emulated machine's
 * clocks are what the guest's timers run on.
 */
static void measure_tsc(void)
{
	uint64_t t0 = now_ns(), c0 = __rdtsc(), t1, c1;

	do {
		t1 = now_ns();
	} while (t1 - t0 < 20000000ULL);
	c1 = __rdtsc();
	tsc_per_ms = (c1 - c0) * 1000000ULL / (t1 - t0);
	printf("  TSC: %llu ticks per ms\n", (unsigned long long)tsc_per_ms);
}

/*
 * The APIC timer's rate (divide by 1): SDM Vol 3A 10.5.4 - the core
 * crystal clock when CPUID 0x15 enumerates it, else the bus clock, which
 * only CPUID 0x16 (ECX, MHz) tells; without either, 1 GHz as KVM gives.
 */
static void apic_rate(struct hv_vcpu *vcpu)
{
	static struct hv_cpuid cpuid;
	uint32_t i;

	apic_per_ms = 1000000;
	apic_src = "assumed 1 GHz (CPUID 0x15/0x16 say nothing)";
	if (hv_vcpu_get_cpuid(vcpu, &cpuid))
		return;
	for (i = 0; i < cpuid.nent; i++) {
		const struct hv_cpuid_entry *e = &cpuid.entries[i];

		if (e->function == 0x15 && e->ecx) {
			apic_per_ms = e->ecx / 1000;
			apic_src = "CPUID 0x15 ECX";
			return;
		}
		if (e->function == 0x16 && (e->ecx & 0xffff)) {
			apic_per_ms = (e->ecx & 0xffff) * 1000;
			apic_src = "CPUID 0x16 ECX";
		}
	}
}

static int pc_irq_line(struct hv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct hv_irq_line l = { .gsi = gsi, .level = level };

	return ioctl(hv_vm_fd(vm), HV_VM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

static int pc_msi(struct hv_vm *vm, uint64_t addr, uint32_t data)
{
	struct hv_msi m = { .address = addr, .data = data };

	return ioctl(hv_vm_fd(vm), HV_VM_SIGNAL_MSI, &m) < 0 ? -errno : 0;
}

static int pc_mp_state(struct hv_vcpu *vcpu, uint32_t *state)
{
	struct hv_mp_state mp;

	if (ioctl(hv_vcpu_fd(vcpu), HV_VCPU_GET_MP_STATE, &mp) < 0)
		return -errno;
	*state = mp.state;
	return 0;
}

/* A VM with pc.bin on vCPU 0 in long mode, TABLE_IN filled. */
static int pc_init(struct guest *g, const char *tag, uint32_t sub)
{
	uint64_t *in;

	if (guest_init(g, hv, vendor, tag, RAM_SIZE, "pc.bin",
		       HV_MODE_LONG64, sub))
		return -1;
	apic_rate(g->vcpu);
	in = hv_vm_gpa_ptr(g->vm, TABLE_IN, 16);
	if (!in) {
		guest_why(g, "no mapping of TABLE_IN");
		return -1;
	}
	in[0] = tsc_per_ms;
	in[1] = apic_per_ms;
	printf("  APIC timer: %u ticks per ms (%s)\n", apic_per_ms, apic_src);
	return 0;
}

/* The guest's result list in RAM (TABLE_OUT): count, values. */
static unsigned int pc_results(struct guest *g, const uint64_t **vals)
{
	const uint32_t *n = hv_vm_gpa_ptr(g->vm, TABLE_OUT, 8);

	if (!n || *n > 500)
		return 0;
	*vals = hv_vm_gpa_ptr(g->vm, TABLE_OUT + 8, 8 * 500);
	return *n;
}

static void pc_sync(struct guest *g, uint32_t cmd)
{
	int err = 0;

	n_sync++;
	switch (cmd & 0xff) {
	case SYNC_NOP:
		break;
	case SYNC_LINE:
		err = pc_irq_line(g->vm, (cmd >> 8) & 0xff, (cmd >> 16) & 1);
		break;
	case SYNC_MSI:
		/* SDM Vol 3A 10.11.1/10.11.2: APIC 0, physical; fixed, edge */
		err = pc_msi(g->vm, 0xfee00000ULL, (cmd >> 8) & 0xff);
		break;
	default:
		guest_why(g, "unknown sync command %#x", cmd);
	}
	if (err)
		guest_why(g, "sync %#x: %s", cmd, hv_strerror(err));
}

/*
 * Run attached until HLT (every sub-test ends in `cli; hlt`): collect
 * PORT_TEXT/PORT_RESULT, answer PORT_SYNC, PORT_STR (IN gives 0x10,
 * 0x11...) and MMIO_U (a page of host bytes).  Anything else fails.
 */
/*
 * A run that never comes back fails with where the vCPU was, not as the
 * rig's silent case timeout: the watchdog (SIGALRM, no SA_RESTART) ends
 * HV_VCPU_RUN with -EINTR after PC_WATCHDOG_S seconds - guest seconds,
 * which every attached case needs a few of, under Bochs too - and
 * pc_stuck() prints what guest_dump() (its registers, segments and
 * results, when guest_ok() fails the case) does not: the vCPU's
 * activity and pending events, its local APIC and hv's exit counts.
 */
#define PC_WATCHDOG_S	60

static volatile sig_atomic_t watchdog_fired;

static void on_watchdog(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

static void watchdog_arm(unsigned int secs)
{
	struct sigaction sa = { .sa_handler = on_watchdog };

	watchdog_fired = 0;
	sigemptyset(&sa.sa_mask);
	if (secs)
		sigaction(SIGALRM, &sa, NULL);
	alarm(secs);
}

static void pc_stuck_lapic(const uint8_t *r, uint64_t timer_ns)
{
	static const struct { uint16_t off; const char *name; } one[] = {
		{ 0x080, "TPR" }, { 0x0a0, "PPR" }, { 0x0f0, "SVR" },
		{ 0x320, "LVTT" }, { 0x350, "LINT0" }, { 0x380, "TMICT" },
		{ 0x390, "TMCCT" }, { 0x3e0, "TDCR" },
	};
	static const struct { uint16_t off; const char *name; } set[] = {
		{ 0x100, "ISR" }, { 0x180, "TMR" }, { 0x200, "IRR" },
	};
	unsigned int i, k;
	uint32_t v;

	printf("  stuck: LAPIC");
	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		memcpy(&v, r + one[i].off, 4);
		printf(" %s %#x", one[i].name, v);
	}
	printf(" timer_ns %llu\n", (unsigned long long)timer_ns);
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		printf("  stuck: LAPIC %s vectors:", set[i].name);
		for (k = 0; k < 8; k++) {
			memcpy(&v, r + set[i].off + 16 * k, 4);
			for (unsigned int b = 0; b < 32; b++)
				if (v & (1u << b))
					printf(" %#x", 32 * k + b);
		}
		printf("\n");
	}
}

static void pc_stuck(struct guest *g, unsigned int exits)
{
	struct hv_vcpu_state *st = calloc(1, sizeof(*st));
	const struct hv_stat_desc *d;
	uint64_t vals[256];
	unsigned int i;
	size_t nd = 0;
	int err, nv;

	printf("  stuck: no exit for %d s after %u exits to userspace\n",
	       PC_WATCHDOG_S, exits);
	err = st ? hv_vm_get_vcpu_state(g->vm, 0, st) : -ENOMEM;
	if (err) {
		printf("  stuck: vCPU state: %s\n", hv_strerror(err));
	} else {
		printf("  stuck: mp_state %u (HV_MP_*) events %#x (HV_EV_*)\n",
		       st->mp_state, st->events.flags);
		pc_stuck_lapic(st->lapic.regs, st->lapic.timer_ns);
	}
	free(st);
	nv = hv_stats_names(hv, &d, &nd) ? 0 :
	     hv_vm_stats(g->vm, 0, vals, nd < 256 ? nd : 256);
	if (nv > 0) {
		printf("  stuck: counters:");
		for (i = 0; i < (unsigned int)nv; i++)
			if (vals[i] && !(d[i].flags & HV_STAT_NS))
				printf(" %s=%llu", d[i].name,
				       (unsigned long long)vals[i]);
		printf("\n");
	}
	fflush(stdout);
}

static int pc_run(struct guest *g)
{
	struct hv_run *run = g->run;
	char buf[256];
	unsigned int n;
	int err;

	for (n = 0; n < GUEST_MAX_EXITS; n++) {
		err = hv_vcpu_run(g->vcpu);
		if (err == -EINTR && watchdog_fired) {
			pc_stuck(g, n);
			guest_why(g, "the run did not come back in %d s",
				  PC_WATCHDOG_S);
			return -1;
		}
		if (err) {
			guest_why(g, "run: %s", hv_strerror(err));
			return -1;
		}
		if (g->why[0])
			return -1;
		switch (run->exit_reason) {
		case HV_EXIT_HLT:
			return 0;
		case HV_EXIT_IO:
			if (run->io.direction == HV_IO_OUT &&
			    run->io.port == PORT_TEXT) {
				if (g->ntext < sizeof(g->text))
					g->text[g->ntext++] = (char)run->io.data;
				continue;
			}
			if (run->io.direction == HV_IO_OUT &&
			    run->io.port == PORT_RESULT) {
				if (g->nres < GUEST_MAX_RES)
					g->res[g->nres++] = (uint32_t)run->io.data;
				continue;
			}
			if (run->io.direction == HV_IO_OUT &&
			    run->io.port == PORT_SYNC && run->io.size == 4) {
				pc_sync(g, (uint32_t)run->io.data);
				continue;
			}
			if (run->io.port == PORT_STR) {
				if (run->io.direction == HV_IO_OUT) {
					if (n_str_out < 64) {
						str_out[n_str_out].size = run->io.size;
						str_out[n_str_out].data = (uint32_t)run->io.data;
					}
					n_str_out++;
				} else {
					run->io.data = 0x10 + n_str_in++;
				}
				continue;
			}
			break;
		case HV_EXIT_SYSTEM_EVENT:
			/* pc-pm: noted; running again goes on after the OUT */
			if (n_sys_ev < 8) {
				sys_ev[n_sys_ev].type = run->system_event.type;
				sys_ev[n_sys_ev].data = run->system_event.data;
			}
			n_sys_ev++;
			continue;
		case HV_EXIT_MMIO:
			if (run->mmio.gpa >= MMIO_U &&
			    run->mmio.gpa + run->mmio.len <= MMIO_U + sizeof(mmio) &&
			    run->mmio.len <= 8) {
				uint8_t *p = mmio + (run->mmio.gpa - MMIO_U);

				if (run->mmio.is_write)
					memcpy(p, &run->mmio.data, run->mmio.len);
				else {
					run->mmio.data = 0;
					memcpy(&run->mmio.data, p, run->mmio.len);
				}
				continue;
			}
			break;
		}
		guest_why(g, "unexpected exit %s",
			  exit_describe(run, buf, sizeof(buf)));
		return -1;
	}
	guest_why(g, "more than %d exits to userspace", GUEST_MAX_EXITS);
	return -1;
}

/* ------------------------------------------------------------ checks */

struct pc_ctx {
	struct guest *g;
	const uint64_t *v;
	unsigned int n;
};

static bool want_eq(struct pc_ctx *c, unsigned int i, uint64_t want,
		    const char *what)
{
	if (i >= c->n) {
		guest_why(c->g, "%s: result #%u missing (%u results)", what,
			  i, c->n);
		return false;
	}
	if (c->v[i] != want) {
		guest_why(c->g, "%s: result #%u is %#llx, expected %#llx",
			  what, i, (unsigned long long)c->v[i],
			  (unsigned long long)want);
		return false;
	}
	printf("  %s: %#llx\n", what, (unsigned long long)want);
	return true;
}

static bool want_range(struct pc_ctx *c, unsigned int i, uint64_t lo,
		       uint64_t hi, const char *what)
{
	if (i >= c->n) {
		guest_why(c->g, "%s: result #%u missing (%u results)", what,
			  i, c->n);
		return false;
	}
	if (c->v[i] < lo || c->v[i] > hi) {
		guest_why(c->g, "%s: result #%u is %llu, expected %llu..%llu",
			  what, i, (unsigned long long)c->v[i],
			  (unsigned long long)lo, (unsigned long long)hi);
		return false;
	}
	printf("  %s: %llu (%llu..%llu)\n", what, (unsigned long long)c->v[i],
	       (unsigned long long)lo, (unsigned long long)hi);
	return true;
}

/* The results end in RES_DONE at @i, and nothing after it. */
static bool want_done(struct pc_ctx *c, unsigned int i)
{
	if (!want_eq(c, i, RES_DONE, "RES_DONE"))
		return false;
	if (c->n != i + 1) {
		guest_why(c->g, "%u results, expected %u", c->n, i + 1);
		return false;
	}
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * @n TSC deltas between interrupts from result @i on, against @period
 * (TSC ticks).
 */
static bool want_period(struct pc_ctx *c, unsigned int i, unsigned int n,
			uint64_t period, const char *what)
{
	uint64_t d[16], mean = 0;
	unsigned int k;

	if (i + n > c->n || n > 16) {
		guest_why(c->g, "%s: results missing", what);
		return false;
	}
	memcpy(d, c->v + i, n * sizeof(d[0]));
	printf("  %s: TSC deltas", what);
	for (k = 0; k < n; k++)
		printf(" %llu", (unsigned long long)d[k]);
	printf(" (period %llu)\n", (unsigned long long)period);
	for (k = 0; k < n; k++)
		mean += d[k];
	mean /= n;
	qsort(d, n, sizeof(d[0]), cmp_u64);
	/*
	 * Either the median (robust to a late tick, which emulators have) or
	 * the mean (robust to catch-up bursts, which KVM's PIT makes) in
	 * 0.5x-2x: a wrong rate fails both.
	 */
	if ((d[n / 2] < period / 2 || d[n / 2] > period * 2) &&
	    (mean < period / 2 || mean > period * 2)) {
		guest_why(c->g, "%s: median interval %llu, mean %llu TSC ticks, programmed %llu (0.5x-2x allowed; APIC rate %s)",
			  what, (unsigned long long)d[n / 2],
			  (unsigned long long)mean,
			  (unsigned long long)period, apic_src);
		return false;
	}
	return true;
}

/* The userspace devices as each run starts. */
static void pc_mmio_init(void)
{
	memset(mmio, 0, sizeof(mmio));
	/* what pc-string's XCHG, MOVSX and MOVZX find there */
	mmio[8] = 0x88, mmio[9] = 0x77, mmio[10] = 0x66, mmio[11] = 0x55;
	mmio[12] = 0x44, mmio[13] = 0x33, mmio[14] = 0x22, mmio[15] = 0x11;
	mmio[16] = 0x80, mmio[17] = 0x81;
	n_str_out = n_str_in = n_sync = 0;
}

/* On a failure, every result the guest left in RAM. */
static void pc_dump(struct pc_ctx *c)
{
	unsigned int i;

	if (!c->g->why[0] || !c->n)
		return;
	printf("  guest's results in RAM:");
	for (i = 0; i < c->n; i++)
		printf(" %u:%#llx", i, (unsigned long long)c->v[i]);
	putchar('\n');
}

/*
 * A counter's rate: result @i counts over result @i + 1 TSC ticks, per
 * ms, within 0.75x-1.33x of @per_ms.  Both clocks run on the same host
 * time, so a preempted emulator skews neither; only the two reads'
 * latency does, small against 5 ms.
 */
static bool want_rate(struct pc_ctx *c, unsigned int i, uint64_t per_ms,
		      const char *what)
{
	double got;

	if (i + 2 > c->n || !c->v[i + 1]) {
		guest_why(c->g, "%s: results missing", what);
		return false;
	}
	got = (double)c->v[i] * tsc_per_ms / c->v[i + 1];
	printf("  %s: %llu counts in %llu TSC ticks: %.0f per ms (programmed %llu)\n",
	       what, (unsigned long long)c->v[i],
	       (unsigned long long)c->v[i + 1], got,
	       (unsigned long long)per_ms);
	if (got < per_ms * 0.75 || got > per_ms * 1.33) {
		guest_why(c->g, "%s: %.0f counts per ms, expected %llu (0.75x-1.33x; APIC rate %s)",
			  what, got, (unsigned long long)per_ms, apic_src);
		return false;
	}
	return true;
}

/* Run sub-test @sub attached, then check its results with @fn. */
static void pc_attached(const char *tag, uint32_t sub,
			bool (*fn)(struct pc_ctx *))
{
	struct guest g;
	struct pc_ctx c = { .g = &g };

	measure_tsc();
	pc_mmio_init();
	watchdog_arm(PC_WATCHDOG_S);
	if (pc_init(&g, tag, sub) == 0 && pc_run(&g) == 0) {
		c.n = pc_results(&g, &c.v);
		if (!c.n)
			guest_why(&g, "no results in TABLE_OUT");
		else
			fn(&c);
		pc_dump(&c);
	}
	watchdog_arm(0);
	guest_ok(&g, tag);
	guest_fini(&g);
}

/* ------------------------------------------------------------ attached */

static bool check_timer(struct pc_ctx *c)
{
	return want_range(c, 0, 10, 64, "periodic: ticks measured") &&
	       want_period(c, 1, 9, 5 * tsc_per_ms, "periodic 5 ms") &&
	       want_range(c, 10, 0, 5 * apic_per_ms, "current count while counting") &&
	       want_rate(c, 11, apic_per_ms, "current count's rate") &&
	       want_range(c, 13, tsc_per_ms / 2, 500 * tsc_per_ms,
			  "one-shot 1 ms: TSC to its interrupt (not early)") &&
	       want_eq(c, 14, 1, "one-shot: interrupts 3 ms later") &&
	       want_eq(c, 15, 0, "one-shot: current count after") &&
	       want_eq(c, 16, 1, "CPUID.1:ECX.TSC_DEADLINE") &&
	       want_eq(c, 17, 1, "TSC-deadline: interrupts") &&
	       want_range(c, 18, 0, 500 * tsc_per_ms,
			  "TSC-deadline: interrupt TSC - deadline (not early)") &&
	       want_eq(c, 19, 0, "IA32_TSC_DEADLINE after it fired") &&
	       want_eq(c, 20, 2, "a deadline already passed fires") &&
	       want_done(c, 21);
}

static bool check_eoi(struct pc_ctx *c)
{
	return want_eq(c, 0, 1u << (0x35 - 0x20), "IRR 0x20-0x3f with 0x35 pending") &&
	       want_eq(c, 1, 1u << (0x62 - 0x60), "IRR 0x60-0x7f with 0x62 pending") &&
	       want_eq(c, 2, 1, "TPR 0x40: deliveries") &&
	       want_eq(c, 3, 0x62, "TPR 0x40: the vector delivered") &&
	       want_eq(c, 4, 1u << (0x62 - 0x60), "ISR 0x60-0x7f in its handler") &&
	       want_eq(c, 5, 0x60, "PPR in its handler") &&
	       want_eq(c, 6, 0x40, "PPR after EOI (= TPR)") &&
	       want_eq(c, 7, 0, "ISR 0x60-0x7f after EOI") &&
	       want_eq(c, 8, 1u << (0x35 - 0x20), "IRR 0x20-0x3f: 0x35 still blocked") &&
	       want_eq(c, 9, 1, "deliveries with TPR 0x40 and IF=1") &&
	       want_eq(c, 10, 2, "TPR 0: deliveries") &&
	       want_eq(c, 11, 0x35, "TPR 0: the vector delivered") &&
	       want_eq(c, 12, 0x30, "PPR in 0x35's handler") &&
	       want_eq(c, 13, 4, "both pending: deliveries") &&
	       want_eq(c, 14, 0x62, "both pending: first (higher)") &&
	       want_eq(c, 15, 0x35, "both pending: second") &&
	       want_eq(c, 16, 0, "PPR at the end") &&
	       want_done(c, 17);
}

static bool check_ioapic(struct pc_ctx *c)
{
	return want_eq(c, 0, 3, "level pin held high: interrupts (lowered at the 3rd)") &&
	       want_eq(c, 1, 1, "remote IRR in the handler") &&
	       want_eq(c, 2, 0, "remote IRR after EOI with the line low") &&
	       want_eq(c, 3, 1, "edge pin: interrupts after a pulse") &&
	       want_eq(c, 4, 2, "edge pin: after a second raise, held") &&
	       want_eq(c, 5, 0, "masked level pin raised: interrupts") &&
	       want_eq(c, 6, 1, "unmasked: interrupts") &&
	       want_eq(c, 7, 1, "MSI: interrupts") &&
	       want_done(c, 8);
}

static bool check_pic(struct pc_ctx *c)
{
	/* 5966 counts of 1.193182 MHz */
	uint64_t period = tsc_per_ms * 5966 * 1000 / 1193182;

	return want_range(c, 0, 10, 64, "PIT IRQ 0 through the PIC: ticks measured") &&
	       want_period(c, 1, 9, period, "PIT mode 2, 5966 counts") &&
	       want_eq(c, 10, 1, "GSI 5 pulse: PIC vector 0x25") &&
	       want_eq(c, 11, 0x20, "master ISR (OCW3) in its handler") &&
	       want_eq(c, 12, 0, "master ISR after EOI") &&
	       want_eq(c, 13, 1, "IRQ 0 silent while masked (1: yes)") &&
	       want_done(c, 14);
}

static bool check_pit2(struct pc_ctx *c)
{
	uint64_t period = tsc_per_ms * 2386 * 1000 / 1193182;

	if (!want_eq(c, 0, 0, "OUT2 right after programming mode 0") ||
	    !want_range(c, 1, 1, ~0U, "polls of port 0x61 until OUT2 rose") ||
	    !want_range(c, 2, period / 2, 500 * tsc_per_ms,
			"TSC from programming to OUT2 high (2386 counts; not early)") ||
	    !want_eq(c, 3, 0, "port 0x61 speaker data bit") ||
	    !want_eq(c, 4, 1, "port 0x61 gate bit") ||
	    !want_rate(c, 7, 1193, "channel 2's rate (latched counts)") ||
	    !want_done(c, 9))
		return false;
	/* KVM's i8254.c does not stop mode 0 with the gate ("XXX: just
	 * disable/enable counting"); the 8254 datasheet does */
	if (kvm_ref) {
		printf("  (KVM: the gate-low checks skipped: OUT2 %llu, TSC %llu)\n",
		       (unsigned long long)c->v[5], (unsigned long long)c->v[6]);
		return true;
	}
	return want_eq(c, 5, 0, "OUT2 3 ms after programming with the gate low") &&
	       want_range(c, 6, period / 2, 500 * tsc_per_ms,
			  "TSC from gate on to OUT2 high (counting began there)");
}

static unsigned int rtc_val(uint64_t v, uint64_t regb)
{
	return (regb & 4) ? (unsigned int)v :
	       (unsigned int)((v >> 4) * 10 + (v & 0xf));
}

static bool check_rtc(struct pc_ctx *c)
{
	time_t t = time(NULL);
	struct tm tm;
	unsigned int s, m, h, day, mon, yr;
	long guest_sod, host_sod, d;
	uint64_t b;

	gmtime_r(&t, &tm);
	if (!want_eq(c, 0, 1, "register A: UIP seen set") ||
	    !want_eq(c, 1, 1, "register A: UIP seen clear again") ||
	    !want_range(c, 3, 0x80, 0x80, "register D (VRT)") ||
	    !want_eq(c, 10, 0x5a, "NVRAM 0x40") ||
	    !want_eq(c, 11, 0xa5, "NVRAM 0x41") || !want_done(c, 12))
		return false;
	b = c->v[2];
	printf("  register B %#llx\n", (unsigned long long)b);
	s = rtc_val(c->v[4], b);
	m = rtc_val(c->v[5], b);
	h = rtc_val(c->v[6] & 0x7f, b);
	if (!(b & 2)) {			/* 12-hour: bit 7 PM */
		h %= 12;
		if (c->v[6] & 0x80)
			h += 12;
	}
	day = rtc_val(c->v[7], b);
	mon = rtc_val(c->v[8], b);
	yr = rtc_val(c->v[9], b);
	printf("  guest: 20%02u-%02u-%02u %02u:%02u:%02u, host: %04d-%02d-%02d %02d:%02d:%02d UTC\n",
	       yr, mon, day, h, m, s, tm.tm_year + 1900, tm.tm_mon + 1,
	       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	guest_sod = h * 3600L + m * 60 + s;
	host_sod = tm.tm_hour * 3600L + tm.tm_min * 60 + tm.tm_sec;
	d = host_sod - guest_sod;
	if (d < -43200)
		d += 86400;
	if (d > 43200)
		d -= 86400;
	if (s > 59 || m > 59 || h > 23 || d < -2 || d > 2) {
		guest_why(c->g, "RTC time %02u:%02u:%02u is %ld s from the host's %02d:%02d:%02d (2 s allowed)",
			  h, m, s, d, tm.tm_hour, tm.tm_min, tm.tm_sec);
		return false;
	}
	/* the date, unless midnight passed in between */
	if (host_sod >= 5 && (day != (unsigned int)tm.tm_mday ||
			      mon != (unsigned int)tm.tm_mon + 1 ||
			      yr != (unsigned int)tm.tm_year % 100)) {
		guest_why(c->g, "RTC date %02u-%02u-%02u, host %02d-%02d-%02d",
			  yr, mon, day, tm.tm_year % 100, tm.tm_mon + 1,
			  tm.tm_mday);
		return false;
	}
	return true;
}

static bool check_sti(struct pc_ctx *c)
{
	return want_eq(c, 0, 0, "self IPI with IF=0: deliveries") &&
	       want_eq(c, 1, 1, "R12 in the handler (`sti; inc %r12` ran the INC)") &&
	       want_eq(c, 2, 1, "interrupted RIP after the INC") &&
	       want_eq(c, 3, 1, "timer expired while IF=0: IRR bit seen") &&
	       want_eq(c, 4, 1, "timer: R12 in the handler") &&
	       want_eq(c, 5, 1, "timer: interrupted RIP after the INC") &&
	       want_eq(c, 6, 1, "one-shot expiring while the guest spins with IF=1 (a kick)") &&
	       want_eq(c, 7, 1, "one-shot expiring while the guest spins `sti; nop; cli` (the window)") &&
	       want_eq(c, 8, 1, "one-shot expiring while the guest spins `sti; cpuid; cli` (the shadow ends with an exiting instruction)") &&
	       want_eq(c, 9, 1, "one-shot expiring while the guest spins `sti; pause; cli`") &&
	       want_done(c, 10);
}

static bool check_hlt(struct pc_ctx *c)
{
	return want_eq(c, 0, 1, "`sti; hlt` with a 20 ms one-shot: interrupts") &&
	       want_range(c, 1, 10 * tsc_per_ms, 2000 * tsc_per_ms,
			  "TSC from arming to the wake") &&
	       want_eq(c, 2, 1, "`sti; hlt` with an IPI pending: interrupts") &&
	       want_done(c, 3);
}

static bool check_string(struct pc_ctx *c)
{
	static const struct {
		uint8_t size;
		uint32_t data;
	} outs[] = {
		{ 1, 'A' }, { 1, 'B' }, { 1, 'C' }, { 1, 'D' }, { 1, 'E' },
		{ 1, 'F' }, { 1, 'G' }, { 1, 'H' },	/* REP OUTSB */
		{ 1, 'H' }, { 1, 'G' }, { 1, 'F' },	/* DF=1 */
		{ 2, 0x1234 }, { 2, 0xabcd },		/* REP OUTSW */
	};
	static const uint8_t mm0[4] = { 0x1e, 0xf0, 0x0f, 0x0f };
	uint64_t x;
	unsigned int i;

	if (!want_eq(c, 0, 6, "REP INSB: RDI advanced") ||
	    !want_eq(c, 1, 0x13121110, "REP INSB: bytes 0-3") ||
	    !want_eq(c, 2, 0x1514, "REP INSB: bytes 4-5") ||
	    !want_eq(c, 3, 0, "REP INSB: RCX after") ||
	    !want_eq(c, 4, 0xa5, "OUTSB to the PIC's IMR, read back") ||
	    !want_eq(c, 5, 0x77, "OUTSB to CMOS 0x42, INSB back") ||
	    !want_eq(c, 6, 0x30, "OR to the TPR") ||
	    !want_eq(c, 7, 0x40, "ADD to the TPR") ||
	    !want_eq(c, 8, 0, "ADD's flags") ||
	    !want_eq(c, 9, 0, "AND to the TPR") ||
	    !want_eq(c, 10, 0x44, "AND's flags (ZF PF)") ||
	    !want_eq(c, 11, 0, "XCHG with the TPR: old") ||
	    !want_eq(c, 12, 0x50, "XCHG with the TPR: new") ||
	    !want_eq(c, 13, 1, "BT on the TPR: CF") ||
	    !want_eq(c, 14, 0x50, "MOVZX from the TPR") ||
	    !want_eq(c, 15, 0x80, "OR on MMIO: flags (SF)") ||
	    !want_eq(c, 16, 0x55, "ADD on MMIO to 0: flags (CF PF AF ZF)") ||
	    !want_eq(c, 17, 0x95, "SUB on MMIO to -1: flags (CF PF AF SF)") ||
	    !want_eq(c, 18, 0x04, "AND on MMIO: flags (PF)") ||
	    !want_eq(c, 19, 0x1122334455667788ULL, "XCHG with MMIO: old") ||
	    !want_eq(c, 20, 1, "BT on MMIO: CF") ||
	    !want_eq(c, 21, 0, "BTS on MMIO: CF") ||
	    !want_eq(c, 22, 1, "BTR on MMIO: CF") ||
	    !want_eq(c, 23, 0xffffffffffffff80ULL, "MOVSX from MMIO") ||
	    !want_eq(c, 24, 0x8180, "MOVZX from MMIO") ||
	    !want_eq(c, 25, 0x44, "TEST on MMIO: flags (ZF PF)") ||
	    !want_eq(c, 26, 0x44, "CMP on MMIO, equal: flags (ZF PF)") ||
	    !want_eq(c, 27, 0x44434241, "REP MOVSD from MMIO: first") ||
	    !want_eq(c, 28, 0x48474645, "REP MOVSD from MMIO: second") ||
	    !want_eq(c, 29, 0x0f0ff01e, "MMIO dword after the ALU ops") ||
	    !want_done(c, 30))
		return false;
	if (n_str_out != sizeof(outs) / sizeof(outs[0])) {
		guest_why(c->g, "%u OUTs reached PORT_STR, expected %zu",
			  n_str_out, sizeof(outs) / sizeof(outs[0]));
		return false;
	}
	for (i = 0; i < n_str_out; i++)
		if (str_out[i].size != outs[i].size ||
		    str_out[i].data != outs[i].data) {
			guest_why(c->g, "OUT #%u to PORT_STR: size %u data %#x, expected size %u data %#x",
				  i, str_out[i].size, str_out[i].data,
				  outs[i].size, outs[i].data);
			return false;
		}
	printf("  OUTS to userspace: %u exits as expected\n", n_str_out);
	if (n_str_in != 6) {
		guest_why(c->g, "%u INs from PORT_STR, expected 6", n_str_in);
		return false;
	}
	if (memcmp(mmio, mm0, 4)) {
		guest_why(c->g, "MMIO bytes 0-3: %02x %02x %02x %02x, expected 1e f0 0f 0f",
			  mmio[0], mmio[1], mmio[2], mmio[3]);
		return false;
	}
	memcpy(&x, mmio + 8, 8);
	if (x != 0xaabbccdd00112233ULL) {
		guest_why(c->g, "XCHG wrote %#llx to MMIO", (unsigned long long)x);
		return false;
	}
	if (memcmp(mmio + 0x100, "ABCDEFGH", 8)) {
		guest_why(c->g, "REP MOVSB to MMIO wrote \"%.8s\"", mmio + 0x100);
		return false;
	}
	for (i = 0; i < 3; i++) {
		uint32_t w;

		memcpy(&w, mmio + 0x200 + 4 * i, 4);
		if (w != 0xcafef00d) {
			guest_why(c->g, "REP STOSD to MMIO: dword %u is %#x", i, w);
			return false;
		}
	}
	memcpy(&x, mmio + 0x20c, 8);
	if (x != 0x0123456789abcdefULL) {
		guest_why(c->g, "STOSQ to MMIO wrote %#llx", (unsigned long long)x);
		return false;
	}
	printf("  MMIO page as expected\n");
	return true;
}

static bool check_step(struct pc_ctx *c)
{
	static const char *const insn[14] = {
		"MOV after POPF", "CPUID", "IN 0x61", "OUT 0x70", "MOV",
		"MOV", "OUT to userspace", "MOV", "RDMSR", "MOV", "XOR",
		"XOR", "WRMSR", "NOP",
	};
	char what[96];
	unsigned int i;

	if (!want_eq(c, 0, 14, "#DB traps"))
		return false;
	for (i = 0; i < 14; i++) {
		snprintf(what, sizeof(what), "#DB after %s: RIP right", insn[i]);
		if (!want_eq(c, 1 + 2 * i, 1, what))
			return false;
		snprintf(what, sizeof(what), "#DB after %s: DR6 & 0x400f", insn[i]);
		if (!want_eq(c, 2 + 2 * i, 0x4000, what))
			return false;
	}
	return want_done(c, 29);
}

/* pc-pm's reads, both modes: results 0-4 */
static bool check_pm_reads(struct pc_ctx *c)
{
	return want_eq(c, 0, 1, "PM1_CNT: SCI_EN reads 1") &&
	       want_rate(c, 1, PM_TMR_PER_MS, "PM timer") &&
	       want_eq(c, 3, 0, "0xcf9 at power-on") &&
	       want_eq(c, 4, 0, "8042 status at 0x64");
}

static bool check_pm(struct pc_ctx *c)
{
	static const struct { uint32_t type; uint64_t data; } want[] = {
		{ HV_SYSTEM_REBOOT, 0x06 },	/* RST_CPU at 0xcf9 */
		{ HV_SYSTEM_REBOOT, 0xfe },	/* 8042 pulse reset */
		{ HV_SYSTEM_POWEROFF, 0x2001 },	/* SLP_EN, SLP_TYP 0, SCI_EN */
	};
	unsigned int i;

	if (!check_pm_reads(c) ||
	    !want_eq(c, 5, 0x02, "0xcf9 after 0x02 (no reset)") ||
	    !want_eq(c, 6, 0x02, "0xcf9 after the reset (RST_CPU cleared)") ||
	    !want_eq(c, 7, 1, "ran on after three system events"))
		return false;
	if (n_sys_ev != 3) {
		guest_why(c->g, "%u HV_EXIT_SYSTEM_EVENTs, expected 3", n_sys_ev);
		return false;
	}
	for (i = 0; i < 3; i++) {
		if (sys_ev[i].type != want[i].type ||
		    sys_ev[i].data != want[i].data) {
			guest_why(c->g, "system event %u: type %u data %#llx, expected type %u data %#llx",
				  i, sys_ev[i].type,
				  (unsigned long long)sys_ev[i].data,
				  want[i].type, (unsigned long long)want[i].data);
			return false;
		}
		printf("  system event %u: type %u, data %#llx\n", i,
		       want[i].type, (unsigned long long)want[i].data);
	}
	return want_done(c, 8);
}

static void case_timer(void)  { pc_attached("pc-timer", PC_TIMER, check_timer); }
static void case_eoi(void)    { pc_attached("pc-eoi", PC_EOI, check_eoi); }
static void case_ioapic(void) { pc_attached("pc-ioapic", PC_IOAPIC, check_ioapic); }
static void case_pic(void)    { pc_attached("pc-pic", PC_PIC, check_pic); }
static void case_pit2(void)   { pc_attached("pc-pit2", PC_PIT2, check_pit2); }
static void case_rtc(void)    { pc_attached("pc-rtc", PC_RTC, check_rtc); }
static void case_sti(void)    { pc_attached("pc-sti", PC_STI, check_sti); }
static void case_hlt(void)    { pc_attached("pc-hlt", PC_HLT, check_hlt); }
static void case_string(void) { pc_attached("pc-string", PC_STRING, check_string); }
static void case_step(void)   { pc_attached("pc-step", PC_STEP, check_step); }
static void case_pm(void)     { pc_attached("pc-pm", PC_PM, check_pm); }

/* ------------------------------------------------------------ managed */

/* A managed VM's end: vCPU handle first, then the VM, stopped if need be. */
static void pc_fini_managed(struct guest *g)
{
	hv_vcpu_close(g->vcpu);
	g->vcpu = NULL;
	g->run = NULL;
	if (g->vm)
		hv_vm_destroy_force(g->vm);
	g->vm = NULL;
}

/* Guest seconds are minutes under Bochs: wait long, poll often. */
#define MANAGED_WAIT_MS	(vendor == HV_VENDOR_INTEL ? 600000 : 120000)

/* Wait until the VM stopped through the debug exit with RES_DONE. */
static bool pc_wait_done(struct guest *g)
{
	struct hv_vm_info info;
	int err = hv_vm_wait_stopped(g->vm, MANAGED_WAIT_MS, &info);

	if (err) {
		guest_why(g, "waiting for the VM to stop: %s", hv_strerror(err));
		hv_vm_stop(g->vm);
		return false;
	}
	if (info.state != HV_VM_STATE_STOPPED ||
	    info.stop_reason != HV_STOP_DEBUG_EXIT ||
	    info.exit_status != (((RES_DONE & 0xff) << 1) | 1)) {
		guest_why(g, "VM %s, stop reason %s, exit status %#x; expected the debug exit with RES_DONE",
			  hv_vm_state_name(info.state),
			  hv_stop_reason_name(info.stop_reason),
			  info.exit_status);
		return false;
	}
	return true;
}

/* pc-ipi's results, and @pcnt: the (APIC ID, vector) counts in RAM. */
static bool check_ipi(struct pc_ctx *c, const uint32_t *pcnt)
{
	/* (APIC ID << 8 | vector) -> count; every other must be 0 */
	static const struct { uint32_t key, count; } want[] = {
		{ 0x161, 2 }, { 0x262, 2 }, { 0x363, 2 },	/* fixed */
		{ 0x102, 1 }, { 0x202, 2 }, { 0x302, 1 },	/* NMIs */
		{ 0x170, 1 }, { 0x270, 1 }, { 0x370, 1 },	/* all but self */
		{ 0x071, 1 }, { 0x171, 1 }, { 0x271, 1 }, { 0x371, 1 },
		{ 0x172, 1 }, { 0x372, 1 },			/* logical 0x0a */
	};
	static const char *const steps[7] = {
		"fixed IPIs, physical, to each AP",
		"fixed IPIs, physical, to each AP again", "NMI to AP 2",
		"fixed to all excluding self", "NMI to all excluding self",
		"fixed to all including self", "fixed to logical 0x0a (APs 1, 3)",
	};
	unsigned int i, k;

	if (!want_eq(c, 0, 3, "APs started by INIT, SIPI, SIPI") ||
	    !want_eq(c, 1, 3, "APs started, 1 ms later (the second SIPI ignored)"))
		return false;
	for (i = 0; i < 7; i++)
		if (!want_eq(c, 2 + i, 1, steps[i]))
			return false;
	if (!want_done(c, 9))
		return false;
	for (k = 0; k < 4 * 256; k++) {
		uint32_t w = 0;

		if ((k & 0xff) == 0xff)		/* spurious: allowed */
			continue;
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (want[i].key == k)
				w = want[i].count;
		if (pcnt[k] != w) {
			guest_why(c->g, "APIC %u took vector %#x %u times, expected %u",
				  k >> 8, k & 0xff, pcnt[k], w);
			return false;
		}
	}
	printf("  every (APIC ID, vector) count as expected\n");
	return true;
}

static void case_ipi(void)
{
	struct hv_vcpu *ap[4] = { NULL };
	struct guest g;
	struct pc_ctx c = { .g = &g };
	const uint32_t *pcnt;
	uint32_t st = 0;
	unsigned int i;
	int err;

	measure_tsc();
	if (pc_init(&g, "pc-ipi", PC_IPI | PC_MANAGED))
		goto out;
	for (i = 1; i < 4; i++) {
		err = hv_vcpu_create(g.vm, i, &ap[i]);
		if (err) {
			guest_why(&g, "create vCPU %u: %s", i, hv_strerror(err));
			goto out;
		}
	}
	for (i = 0; i < 4; i++) {
		err = pc_mp_state(i ? ap[i] : g.vcpu, &st);
		if (err) {
			guest_why(&g, "HV_VCPU_GET_MP_STATE of vCPU %u: %s", i,
				  hv_strerror(err));
			goto out;
		}
		if (st != (i ? HV_MP_WAIT_SIPI : HV_MP_RUNNABLE)) {
			guest_why(&g, "vCPU %u: mp_state %u before the start, expected %u",
				  i, st, i ? HV_MP_WAIT_SIPI : HV_MP_RUNNABLE);
			goto out;
		}
	}
	ok("before the start: vCPU 0 runnable, vCPUs 1-3 wait for SIPI");
	err = hv_vm_start(g.vm);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	if (!pc_wait_done(&g))
		goto out;
	c.n = pc_results(&g, &c.v);
	pcnt = hv_vm_gpa_ptr(g.vm, PCNT, 4 * 256 * 4);
	if (!pcnt) {
		guest_why(&g, "no mapping of PCNT");
		goto out;
	}
	check_ipi(&c, pcnt);
out:
	if (!c.n && g.vm)
		c.n = pc_results(&g, &c.v);
	pc_dump(&c);
	for (i = 1; i < 4; i++)
		hv_vcpu_close(ap[i]);
	guest_ok(&g, "pc-ipi");
	pc_fini_managed(&g);
}

/* Read the console into @buf (NUL-terminated) until it holds @until. */
static bool console_until(int fd, char *buf, size_t len, size_t *have,
			  const char *until, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	while (!strstr(buf, until)) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (now_ns() > end)
			return false;
		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(fd, buf + *have, len - 1 - *have);
		if (r <= 0)
			continue;
		*have += r;
		buf[*have] = 0;
	}
	return true;
}

static void case_uart(void)
{
	static const char input[] = "hello\n";
	char buf[256] = "";
	size_t have = 0;
	struct guest g;
	struct pc_ctx c = { .g = &g };
	int fd = -1, err;

	measure_tsc();
	if (pc_init(&g, "pc-uart", PC_UART | PC_MANAGED))
		goto out;
	fd = hv_vm_console_open(g.vm, true);
	if (fd < 0) {
		guest_why(&g, "console: %s", hv_strerror(fd));
		goto out;
	}
	err = hv_vm_start(g.vm);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	if (!console_until(fd, buf, sizeof(buf), &have, "ready\n",
			   MANAGED_WAIT_MS)) {
		guest_why(&g, "no \"ready\" on the console (got \"%s\")", buf);
		hv_vm_stop(g.vm);
		goto out;
	}
	if (write(fd, input, strlen(input)) != (ssize_t)strlen(input)) {
		guest_why(&g, "console write: %s", strerror(errno));
		hv_vm_stop(g.vm);
		goto out;
	}
	if (!pc_wait_done(&g))
		goto out;
	console_until(fd, buf, sizeof(buf), &have, "ready\nhello\n", 2000);
	if (strcmp(buf, "ready\nhello\n")) {
		guest_why(&g, "console \"%s\", expected the input echoed after \"ready\"",
			  buf);
		goto out;
	}
	printf("  console: ready, then the echo of \"hello\"\n");
	c.n = pc_results(&g, &c.v);
	if (!want_range(&c, 0, 1, strlen(input), "receive interrupts") ||
	    !want_range(&c, 1, 0x04, 0x04 | 0xc0, "IIR in the first (receive data, FIFO bits)") ||
	    !want_eq(&c, 2, strlen(input), "bytes read by the handler"))
		goto out;
	if ((c.v[1] & 0x0f) != 0x04)
		guest_why(&g, "IIR %#llx: not \"receive data available\"",
			  (unsigned long long)c.v[1]);
	want_done(&c, 3);
out:
	if (!c.n && g.vm)
		c.n = pc_results(&g, &c.v);
	pc_dump(&c);
	if (fd >= 0)
		close(fd);
	guest_ok(&g, "pc-uart");
	pc_fini_managed(&g);
}

/* pc-pm managed: operation @op must stop the VM with @reason. */
static void pc_pm_managed(const char *tag, uint32_t op, uint32_t reason)
{
	struct hv_vm_info info;
	struct guest g;
	struct pc_ctx c = { .g = &g };
	int err;

	measure_tsc();
	if (pc_init(&g, tag, PC_PM | PC_MANAGED | op << PM_OP_SHIFT))
		goto out;
	err = hv_vm_start(g.vm);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	err = hv_vm_wait_stopped(g.vm, MANAGED_WAIT_MS, &info);
	if (err) {
		guest_why(&g, "waiting for the VM to stop: %s", hv_strerror(err));
		hv_vm_stop(g.vm);
		goto out;
	}
	if (info.state != HV_VM_STATE_STOPPED || info.stop_reason != reason) {
		guest_why(&g, "VM %s, stop reason %s; expected %s",
			  hv_vm_state_name(info.state),
			  hv_stop_reason_name(info.stop_reason),
			  hv_stop_reason_name(reason));
		goto out;
	}
	printf("  stopped: %s\n", hv_stop_reason_name(info.stop_reason));
	c.n = pc_results(&g, &c.v);
	if (check_pm_reads(&c) && c.n != 5)
		guest_why(&g, "%u results, expected 5 (nothing after the %s)",
			  c.n, hv_stop_reason_name(reason));
out:
	if (!c.n && g.vm)
		c.n = pc_results(&g, &c.v);
	pc_dump(&c);
	guest_ok(&g, tag);
	pc_fini_managed(&g);
}

static void case_pm_reboot(void) { pc_pm_managed("pc-pm-reboot", 1, HV_STOP_REBOOT); }
static void case_pm_off(void)    { pc_pm_managed("pc-pm-off", 2, HV_STOP_POWER_OFF); }

static const char *snap_file(void)
{
	const char *f = getenv("PC_SNAP_FILE");

	return f && *f ? f : "/tmp/pc-snap.hv";
}

/* pc-snap's counters in @vm's RAM: ticks, rounds, ticks late or lost */
static volatile uint64_t *snap_ticks(struct hv_vm *vm)
{
	return hv_vm_gpa_ptr(vm, SNAP_TICKS, 24);
}

/*
 * Wait until ticks >= @n; false on timeout, or at once when 10 rounds
 * more than before found no tick (the timer is not running).
 */
static bool snap_wait(struct hv_vm *vm, uint64_t n)
{
	volatile uint64_t *t = snap_ticks(vm);
	uint64_t end = now_ns() + (uint64_t)MANAGED_WAIT_MS * 1000000ULL;
	uint64_t lost = t ? t[2] : 0;

	while (t && t[0] < n && now_ns() < end && t[2] < lost + 10)
		usleep(1000);
	return t && t[0] >= n;
}

/* The LAPIC timer in vCPU 0's state, for the console. */
static void snap_show_timer(struct hv_vm *vm, const char *when)
{
	static struct hv_vcpu_state st;
	uint32_t lvt, icr, ccr, irr;

	if (hv_vm_get_vcpu_state(vm, 0, &st))
		return;
	memcpy(&lvt, st.lapic.regs + 0x320, 4);
	memcpy(&icr, st.lapic.regs + 0x380, 4);
	memcpy(&ccr, st.lapic.regs + 0x390, 4);
	memcpy(&irr, st.lapic.regs + 0x220, 4);
	printf("  %s: LVT timer %#x, initial %u, current %u, timer_ns %llu, IRR 0x40-0x5f %#x, SVR %#x\n",
	       when, lvt, icr, ccr, (unsigned long long)st.lapic.timer_ns, irr,
	       *(uint32_t *)(st.lapic.regs + 0xf0));
}

/*
 * A restored pc-snap VM must go on: the tick pending at the snapshot is
 * taken at once (no round in which a pending tick was not delivered,
 * SNAP_TICKS + 16 unchanged), and 5 more come.
 */
static void snap_continue(struct guest *g, struct hv_vm *vm, const char *from)
{
	volatile uint64_t *t = snap_ticks(vm);
	uint64_t n0, lost0;
	struct hv_vm_info info;
	int err;

	if (!t) {
		guest_why(g, "no mapping of the tick counters");
		return;
	}
	snap_show_timer(vm, "restored state before the start");
	n0 = t[0];
	lost0 = t[2];
	printf("  restored (%s): %llu ticks, %llu rounds, %llu lost\n", from,
	       (unsigned long long)n0, (unsigned long long)t[1],
	       (unsigned long long)lost0);
	err = hv_vm_start(vm);
	if (err) {
		guest_why(g, "start the restored VM: %s", hv_strerror(err));
		return;
	}
	if (!snap_wait(vm, n0 + 5)) {
		guest_why(g, "restored VM: ticks stuck at %llu (were %llu)",
			  (unsigned long long)t[0], (unsigned long long)n0);
		if (hv_vm_pause(vm) == 0)
			snap_show_timer(vm, "restored VM, paused after");
		if (hv_vm_info(vm, &info) == 0)
				printf("  its state: %s, stop reason %s\n",
			       hv_vm_state_name(info.state),
			       hv_stop_reason_name(info.stop_reason));
	} else if (t[2] != lost0) {
		guest_why(g, "restored VM: a pending tick was not delivered (lost %llu, were %llu)",
			  (unsigned long long)t[2], (unsigned long long)lost0);
	} else {
		printf("  restored VM: %llu ticks now, none lost\n",
		       (unsigned long long)t[0]);
	}
	hv_vm_stop(vm);
}

static void case_snap(void)
{
	static struct hv_vcpu_state st;
	char err_line[256] = "", name[HV_NAME_LEN];
	struct hv_snapshot_opts so = { .err = err_line, .errlen = sizeof(err_line) };
	struct hv_restore_opts ro = { .err = err_line, .errlen = sizeof(err_line) };
	struct hv_vm *r = NULL;
	struct guest g;
	uint32_t lvt, icr, irr;
	unsigned int tries;
	int err;

	measure_tsc();
	if (pc_init(&g, "pc-snap", PC_SNAP | PC_MANAGED))
		goto out;
	err = hv_vm_start(g.vm);
	if (err) {
		guest_why(&g, "start: %s", hv_strerror(err));
		goto out;
	}
	if (!snap_wait(g.vm, 5)) {
		guest_why(&g, "the timer did not tick 5 times (ticks %llu, rounds %llu, rounds without a tick %llu)",
			  (unsigned long long)snap_ticks(g.vm)[0],
			  (unsigned long long)snap_ticks(g.vm)[1],
			  (unsigned long long)snap_ticks(g.vm)[2]);
		goto stop;
	}
	/* pause until the tick is pending in the IRR (the guest holds it
	 * there 2 ms of every 3) */
	for (tries = 0; tries < 50; tries++) {
		err = hv_vm_pause(g.vm);
		if (!err)
			err = hv_vm_get_vcpu_state(g.vm, 0, &st);
		if (err) {
			guest_why(&g, "pause, get state: %s", hv_strerror(err));
			goto stop;
		}
		memcpy(&irr, st.lapic.regs + 0x220, 4);
		/* not at the instant of a reload either */
		if ((irr & 1) && st.lapic.timer_ns)
			break;
		hv_vm_resume(g.vm);
		usleep(1000);
	}
	memcpy(&lvt, st.lapic.regs + 0x320, 4);
	memcpy(&icr, st.lapic.regs + 0x380, 4);
	printf("  paused after %u tries: IRR 0x40-0x5f %#x, LVT timer %#x, initial count %u, timer_ns %llu\n",
	       tries, irr, lvt, icr, (unsigned long long)st.lapic.timer_ns);
	if (!(irr & 1)) {
		guest_why(&g, "the timer's tick never pending in the IRR in the state");
		goto stop;
	}
	if (lvt != (0x20000 | 0x40) || icr != apic_per_ms || !st.lapic.timer_ns) {
		guest_why(&g, "the state's timer: LVT %#x initial count %u timer_ns %llu; expected periodic 0x40, %u, counting",
			  lvt, icr, (unsigned long long)st.lapic.timer_ns,
			  apic_per_ms);
		goto stop;
	}
	err = hv_vm_snapshot(g.vm, snap_file(), &so);
	if (err) {
		guest_why(&g, "snapshot: %s: %s", hv_strerror(err), err_line);
		goto stop;
	}
	printf("  snapshot %s taken, %llu ticks\n", snap_file(),
	       (unsigned long long)snap_ticks(g.vm)[0]);
	hv_vm_stop(g.vm);
	snprintf(name, sizeof(name), "pc-snapr-%d", (int)getpid());
	ro.name = name;
	err = hv_vm_restore(hv, snap_file(), &ro, &r);
	if (err) {
		guest_why(&g, "restore: %s: %s", hv_strerror(err), err_line);
		goto out;
	}
	snap_continue(&g, r, hv_vendor_name(vendor));
	hv_vm_destroy_force(r);
	goto out;
stop:
	hv_vm_stop(g.vm);
out:
	guest_ok(&g, "pc-snap");
	pc_fini_managed(&g);
}

static void case_snap_restore(void)
{
	char err_line[256] = "", name[HV_NAME_LEN];
	struct hv_restore_opts ro = { .err = err_line, .errlen = sizeof(err_line) };
	struct hv_snapshot_info info;
	struct hv_vm *r = NULL;
	struct guest g;
	int err;

	memset(&g, 0, sizeof(g));
	err = hv_snapshot_check(snap_file(), &info, err_line, sizeof(err_line));
	if (err) {
		guest_why(&g, "%s: %s", snap_file(), err_line);
		goto out;
	}
	snprintf(name, sizeof(name), "pc-snapx-%d", (int)getpid());
	ro.name = name;
	err = hv_vm_restore(hv, snap_file(), &ro, &r);
	if (err) {
		guest_why(&g, "restore %s: %s: %s", snap_file(),
			  hv_strerror(err), err_line);
		goto out;
	}
	snap_continue(&g, r, hv_vendor_name(info.vendor));
	hv_vm_destroy_force(r);
out:
	guest_ok(&g, "pc-snap-restore");
}

#include "hvpc-kvm.h"

/* The reference: the same guests and checks under KVM (hvpc-kvm.h). */
static void case_kvm_timer(void)  { kvm_attached("kvm pc-timer", PC_TIMER, check_timer); }
static void case_kvm_eoi(void)    { kvm_attached("kvm pc-eoi", PC_EOI, check_eoi); }
static void case_kvm_ioapic(void) { kvm_attached("kvm pc-ioapic", PC_IOAPIC, check_ioapic); }
static void case_kvm_pic(void)    { kvm_attached("kvm pc-pic", PC_PIC, check_pic); }
static void case_kvm_pit2(void)   { kvm_attached("kvm pc-pit2", PC_PIT2, check_pit2); }
static void case_kvm_sti(void)    { kvm_attached("kvm pc-sti", PC_STI, check_sti); }
static void case_kvm_hlt(void)    { kvm_attached("kvm pc-hlt", PC_HLT, check_hlt); }
static void case_kvm_string(void) { kvm_attached("kvm pc-string", PC_STRING, check_string); }
static void case_kvm_step(void)   { kvm_attached("kvm pc-step", PC_STEP, check_step); }

/* hvguest.h's helpers that this program does not need */
static void __attribute__((unused)) pc_unused(void)
{
	(void)guest_expect_results;
	(void)guest_run_expect;
}

int main(int argc, char **argv)
{
	static const struct guest_case cases[] = {
		{ "timer", case_timer }, { "eoi", case_eoi },
		{ "ioapic", case_ioapic }, { "pic", case_pic },
		{ "pit2", case_pit2 }, { "rtc", case_rtc },
		{ "sti", case_sti }, { "hlt", case_hlt },
		{ "string", case_string }, { "step", case_step },
		{ "ipi", case_ipi }, { "uart", case_uart },
		{ "snap", case_snap }, { "snap-restore", case_snap_restore },
		{ "pm", case_pm }, { "pm-reboot", case_pm_reboot },
		{ "pm-off", case_pm_off },
		{ "kvm-timer", case_kvm_timer }, { "kvm-eoi", case_kvm_eoi },
		{ "kvm-ioapic", case_kvm_ioapic }, { "kvm-pic", case_kvm_pic },
		{ "kvm-pit2", case_kvm_pit2 }, { "kvm-sti", case_kvm_sti },
		{ "kvm-hlt", case_kvm_hlt }, { "kvm-string", case_kvm_string },
		{ "kvm-step", case_kvm_step }, { "kvm-ipi", case_kvm_ipi },
	};

	return guest_test_main(argc, argv, "hv-pc-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
