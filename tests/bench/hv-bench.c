// SPDX-License-Identifier: GPL-2.0
/*
 * hv-bench: hv against KVM, the same guest work in the same machine.
 *
 *   hv-bench [-n EXITS] [-c CREATES] [-i IRQS] [-r ROUNDS] [-t TARGET]
 *            [-w SECONDS] [-m MEASURE+...]
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
 *   ipi_rtt    an IPI from vCPU 0 to vCPU 1 and one back (x2APIC ICR),
 *              each EOI'd by the handler; KVM with its in-kernel irqchip
 *   timer_irq  a LAPIC timer interrupt (one-shot, count 1), EOI'd and
 *              re-armed by the handler
 *
 * (the interrupt measures in 32-bit protected mode: see "The interrupt
 * measures" below).  One sample times a whole loop: EXITS in-kernel exits
 * inside one run ioctl, or EXITS run ioctls for port I/O, or CREATES VM
 * lifetimes, or IRQS round trips or timer interrupts; -w SECONDS bounds
 * a pass of the interrupt measures (default 5 + IRQS / 50); -m runs only
 * the measures named (hypercall+cpuid+io+create+ipi_rtt+timer_irq).  A
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
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
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

#define MAX_VCPUS	2

struct guest {
	enum side side;
	bool irq;			/* the interrupt measures' VM */
	unsigned int nr_vcpus;
	uint8_t *ram;			/* host view of GPA 0 */
	/* hv */
	struct hv_vm *vm;
	struct hv_vcpu *vcpu[MAX_VCPUS];
	/* KVM */
	int vm_fd, vcpu_fd[MAX_VCPUS];
	struct kvm_run *run[MAX_VCPUS];
	uint8_t out_data[MAX_VCPUS];	/* the byte of the last OUT */
};

/* What a run stopped for, on either hypervisor. */
enum stop { STOP_HLT, STOP_IO_OUT, STOP_INTR, STOP_OTHER };

static struct hv *hv_dev;
static int kvm_fd = -1;
static size_t kvm_run_size;
static unsigned int vm_seq;
static struct kvm_cpuid2 *kvm_cpuid;	/* KVM_GET_SUPPORTED_CPUID */

static int hv_guest_open(struct guest *g)
{
	char name[HV_NAME_LEN];
	unsigned int i;
	int err;

	/* DESTROY_ON_CLOSE too: a killed hv-bench leaves no VM behind. */
	snprintf(name, sizeof(name), "bench-%d-%u", getpid(), vm_seq++);
	err = hv_vm_create(hv_dev, name, HV_VM_DESTROY_ON_CLOSE, &g->vm);
	if (err)
		return err;
	err = hv_vm_add_ram(g->vm, 0, GUEST_RAM);
	for (i = 0; !err && i < g->nr_vcpus; i++)
		err = hv_vcpu_create(g->vm, i, &g->vcpu[i]);
	if (!err) {
		g->ram = hv_vm_gpa_ptr(g->vm, 0, GUEST_RAM);
		if (!g->ram)
			err = -EFAULT;
	}
	if (err) {
		for (i = 0; i < g->nr_vcpus; i++)
			if (g->vcpu[i])
				hv_vcpu_close(g->vcpu[i]);
		hv_vm_destroy(g->vm);
		return err;
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
	unsigned int i;
	void *p;
	int err;

	g->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0)
		return -errno;
	/* The in-kernel LAPIC, IOAPIC and PIC: before any vCPU. */
	if (g->irq && ioctl(g->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		err = -errno;
		goto out_vm;
	}
	p = mmap(NULL, GUEST_RAM, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 (g->irq ? MAP_POPULATE : 0), -1, 0);
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
	for (i = 0; i < g->nr_vcpus; i++) {
		g->vcpu_fd[i] = ioctl(g->vm_fd, KVM_CREATE_VCPU, i);
		if (g->vcpu_fd[i] < 0) {
			err = -errno;
			goto out_vcpu;
		}
		p = mmap(NULL, kvm_run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, g->vcpu_fd[i], 0);
		if (p == MAP_FAILED) {
			err = -errno;
			close(g->vcpu_fd[i]);
			goto out_vcpu;
		}
		g->run[i] = p;
		/* CPUID.1:ECX.x2APIC, which KVM checks at IA32_APIC_BASE. */
		if (g->irq &&
		    ioctl(g->vcpu_fd[i], KVM_SET_CPUID2, kvm_cpuid) < 0) {
			err = -errno;
			i++;
			goto out_vcpu;
		}
	}
	return 0;

out_vcpu:
	while (i--) {
		munmap(g->run[i], kvm_run_size);
		close(g->vcpu_fd[i]);
	}
out_ram:
	munmap(g->ram, GUEST_RAM);
out_vm:
	close(g->vm_fd);
	return err;
}

/*
 * irq: the interrupt measures' VM, with two vCPUs and (on KVM) the
 * in-kernel irqchip; else one vCPU and KVM bare.
 */
static int guest_open(enum side side, struct guest *g, bool irq)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->side = side;
	g->irq = irq;
	g->nr_vcpus = irq ? 2 : 1;
	g->vm_fd = -1;
	for (i = 0; i < MAX_VCPUS; i++)
		g->vcpu_fd[i] = -1;
	return side == SIDE_HV ? hv_guest_open(g) : kvm_guest_open(g);
}

/*
 * Tear down completely: when this returns, the side's VM is gone and it
 * has switched VMX/SVM off again, so the other side can have it.
 */
static int guest_close(struct guest *g)
{
	unsigned int i;

	if (g->side == SIDE_HV) {
		for (i = 0; i < g->nr_vcpus; i++)
			hv_vcpu_close(g->vcpu[i]);
		return hv_vm_destroy(g->vm);
	}
	for (i = 0; i < g->nr_vcpus; i++) {
		munmap(g->run[i], kvm_run_size);
		close(g->vcpu_fd[i]);
	}
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
static int kvm_set_state(struct guest *g, unsigned int v,
			 const struct hv_regs *hr, const struct hv_sregs *hs)
{
	struct kvm_sregs ks;
	struct kvm_regs kr;

	if (ioctl(g->vcpu_fd[v], KVM_GET_SREGS, &ks) < 0)
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
	if (ioctl(g->vcpu_fd[v], KVM_SET_SREGS, &ks) < 0)
		return -errno;

	memset(&kr, 0, sizeof(kr));
	kr.rip = hr->rip;
	kr.rsp = hr->rsp;
	kr.rflags = hr->rflags;
	kr.rsi = hr->rsi;
	if (ioctl(g->vcpu_fd[v], KVM_SET_REGS, &kr) < 0)
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
		return kvm_set_state(g, 0, &hr, &hs);
	err = hv_vcpu_set_sregs(g->vcpu[0], &hs);
	if (!err)
		err = hv_vcpu_set_regs(g->vcpu[0], &hr);
	return err;
}

/*
 * One run ioctl of vCPU v; *why describes STOP_OTHER.  STOP_IO_OUT: a
 * one-byte OUT to *port (IO_PORT for the exit measures).  STOP_INTR: a
 * signal (the watchdog's) ended the run.
 */
static enum stop hv_guest_run(struct guest *g, unsigned int v,
			      unsigned int *port, char *why, size_t len)
{
	struct hv_run *run = hv_vcpu_run_area(g->vcpu[v]);
	int err = hv_vcpu_run(g->vcpu[v]);

	if (err == -EINTR)
		return STOP_INTR;
	if (err) {
		snprintf(why, len, "HV_VCPU_RUN: %s", hv_strerror(err));
		return STOP_OTHER;
	}
	if (run->exit_reason == HV_EXIT_HLT)
		return STOP_HLT;
	if (run->exit_reason == HV_EXIT_IO &&
	    run->io.direction == HV_IO_OUT && run->io.size == 1) {
		*port = run->io.port;
		g->out_data[v] = run->io.data;
		return STOP_IO_OUT;
	}
	snprintf(why, len, "unexpected hv exit %u (io port %#x; hardware "
		 "reason %#llx, internal %u)", run->exit_reason, run->io.port,
		 (unsigned long long)run->fail_entry.hardware_reason,
		 run->internal.suberror);
	return STOP_OTHER;
}

static enum stop kvm_guest_run(struct guest *g, unsigned int v,
			       unsigned int *port, char *why, size_t len)
{
	struct kvm_run *run = g->run[v];

	if (ioctl(g->vcpu_fd[v], KVM_RUN, 0) < 0) {
		if (errno == EINTR)
			return STOP_INTR;
		snprintf(why, len, "KVM_RUN: %s", strerror(errno));
		return STOP_OTHER;
	}
	if (run->exit_reason == KVM_EXIT_HLT)
		return STOP_HLT;
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == 1 &&
	    run->io.count == 1) {
		*port = run->io.port;
		g->out_data[v] = *((uint8_t *)run + run->io.data_offset);
		return STOP_IO_OUT;
	}
	snprintf(why, len, "unexpected KVM exit %u (hardware reason %#llx, "
		 "internal suberror %u)", run->exit_reason,
		 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
		 run->internal.suberror);
	return STOP_OTHER;
}

static enum stop guest_run(struct guest *g, unsigned int v,
			   unsigned int *port, char *why, size_t len)
{
	return g->side == SIDE_HV ? hv_guest_run(g, v, port, why, len) :
				    kvm_guest_run(g, v, port, why, len);
}

static int guest_get_rax_rsi(struct guest *g, unsigned int v,
			     uint64_t *rax, uint64_t *rsi)
{
	struct hv_regs hr;
	struct kvm_regs kr;
	int err;

	if (g->side == SIDE_HV) {
		err = hv_vcpu_get_regs(g->vcpu[v], &hr);
		*rax = hr.rax;
		*rsi = hr.rsi;
		return err;
	}
	if (ioctl(g->vcpu_fd[v], KVM_GET_REGS, &kr) < 0)
		return -errno;
	*rax = kr.rax;
	*rsi = kr.rsi;
	return 0;
}

/* ------------------------------------------------------------------ */
/*
 * The interrupt measures: a VM with two vCPUs and, on KVM, the in-kernel
 * irqchip (KVM_CREATE_IRQCHIP); hv has its LAPIC always.  32-bit
 * protected mode (libhv's HV_MODE_PROT32, GDT and TSS in the scratch
 * area), an IDT at IRQ_IDT, and the guest code of hv-bench-irq.S at
 * IRQ_CODE.  The guest drives its local APIC in x2APIC mode, through
 * WRMSR (SDM Vol 3A, 10.12), which hv and KVM both offer.
 *
 *   timer_irq  vCPU 0: LAPIC timer one-shot, divide by 1, initial count
 *              1; the handler (vector 0x40) re-arms and EOIs; the main
 *              loop spins with IF=1 (no HLT: every exit is the timer's
 *              own).  ESI interrupts, then OUT 0x80.
 *   ipi_rtt    vCPU 0 sends fixed IPI 0x41 to APIC ID 1 and waits in
 *              STI; HLT for the reply; vCPU 1's handler EOIs and sends
 *              fixed IPI 0x42 to APIC ID 0, whose handler counts it at
 *              IRQ_REPLIES and EOIs.  ESI round trips; then IPI 0x43
 *              stops vCPU 1 (OUT 0x81) and vCPU 0 does OUT 0x80.
 *
 * vCPU 1 starts in wait-for-SIPI on hv and uninitialized on KVM: the
 * bench makes it runnable (HV_VCPU_SET_MP_STATE / KVM_SET_MP_STATE) and
 * sets its registers, runs it in a thread of its own and waits until it
 * has enabled its APIC (IRQ_READY1) before vCPU 0 starts: a fixed IPI
 * to a software-disabled APIC would be lost (SDM Vol 3A, 10.4.7.2).
 * The time is the host's, from vCPU 0's first run ioctl to its OUT.
 *
 * A watchdog thread signals the vCPU threads once a pass has taken too
 * long (an interrupt that never comes): the run ioctls return EINTR and
 * the side is reported failed.
 */
#define IRQ_CODE	GUEST_CODE	/* hv-bench-irq.S, 0x800 bytes */
#define IRQ_IDT		0x3000ULL	/* 256 gates */
#define IRQ_REPLIES	0x5000		/* u32: replies vCPU 0 counted */
#define IRQ_READY1	0x5004		/* u32: vCPU 1 has its APIC on */
#define IRQ_SHADOWED	0x5008		/* u32: replies inside STI; HLT */
#define IRQ_STACK1	0x7000ULL	/* vCPU 1's stack; vCPU 0: GUEST_STACK */
#define IRQ_SCRATCH	0x10000ULL	/* hv_mode_prepare's GDT and TSS */
#define PORT_DONE	0x80		/* vCPU 0 is done */
#define PORT_AP_DONE	0x81		/* vCPU 1 is done */
#define PORT_BAD	0x82		/* an unexpected vector or exception */

#define IRQ_TIMER_MAIN	0x000	/* offsets from IRQ_CODE */
#define IRQ_TIMER_ISR	0x100
#define IRQ_IPI_BSP	0x200
#define IRQ_BSP_HLT	0x231	/* BSP_HLT in hv-bench-irq.S */
#define IRQ_IPI_AP	0x300
#define IRQ_PING_ISR	0x400
#define IRQ_PONG_ISR	0x500
#define IRQ_STOP_ISR	0x600
#define IRQ_SPURIOUS_ISR 0x780
#define IRQ_BAD_STUBS	0x800	/* 8 bytes per vector, up to 0x1000 */

#define VEC_TIMER	0x40
#define VEC_PING	0x41
#define VEC_PONG	0x42
#define VEC_STOP	0x43
#define VEC_SPURIOUS	0xff

static const uint8_t irq_timer_main[] = {	/* at IRQ_CODE + 0x000 */
	0xb9, 0x1b, 0x00, 0x00, 0x00,	/*   0: mov $0x1b,%ecx */
	0x0f, 0x32,	/*   5: rdmsr */
	0x0d, 0x00, 0x0c, 0x00, 0x00,	/*   7: or $0xc00,%eax */
	0x0f, 0x30,	/*   c: wrmsr */
	0xb9, 0x0f, 0x08, 0x00, 0x00,	/*   e: mov $0x80f,%ecx */
	0xb8, 0xff, 0x01, 0x00, 0x00,	/*  13: mov $0x1ff,%eax */
	0x31, 0xd2,	/*  18: xor %edx,%edx */
	0x0f, 0x30,	/*  1a: wrmsr */
	0xb9, 0x3e, 0x08, 0x00, 0x00,	/*  1c: mov $0x83e,%ecx */
	0xb8, 0x0b, 0x00, 0x00, 0x00,	/*  21: mov $0xb,%eax */
	0x0f, 0x30,	/*  26: wrmsr */
	0xb9, 0x32, 0x08, 0x00, 0x00,	/*  28: mov $0x832,%ecx */
	0xb8, 0x40, 0x00, 0x00, 0x00,	/*  2d: mov $0x40,%eax */
	0x0f, 0x30,	/*  32: wrmsr */
	0xb9, 0x38, 0x08, 0x00, 0x00,	/*  34: mov $0x838,%ecx */
	0xb8, 0x01, 0x00, 0x00, 0x00,	/*  39: mov $0x1,%eax */
	0x0f, 0x30,	/*  3e: wrmsr */
	0xfb,	/*  40: sti */
	0x85, 0xf6,	/*  41: test %esi,%esi */
	0x75, 0xfc,	/*  43: jne 0x41 */
	0xfa,	/*  45: cli */
	0xe6, 0x80,	/*  46: out %al,$0x80 */
	0xf4,	/*  48: hlt */
	0xeb, 0xfd,	/*  49: jmp 0x48 */
};
static const uint8_t irq_timer_isr[] = {	/* at IRQ_CODE + 0x100 */
	0x50,	/*   0: push %eax */
	0x51,	/*   1: push %ecx */
	0x52,	/*   2: push %edx */
	0x31, 0xd2,	/*   3: xor %edx,%edx */
	0x4e,	/*   5: dec %esi */
	0x74, 0x0c,	/*   6: je 0x14 */
	0xb9, 0x38, 0x08, 0x00, 0x00,	/*   8: mov $0x838,%ecx */
	0xb8, 0x01, 0x00, 0x00, 0x00,	/*   d: mov $0x1,%eax */
	0x0f, 0x30,	/*  12: wrmsr */
	0xb9, 0x0b, 0x08, 0x00, 0x00,	/*  14: mov $0x80b,%ecx */
	0x31, 0xc0,	/*  19: xor %eax,%eax */
	0x31, 0xd2,	/*  1b: xor %edx,%edx */
	0x0f, 0x30,	/*  1d: wrmsr */
	0x5a,	/*  1f: pop %edx */
	0x59,	/*  20: pop %ecx */
	0x58,	/*  21: pop %eax */
	0xcf,	/*  22: iret */
};
static const uint8_t irq_ipi_bsp[] = {	/* at IRQ_CODE + 0x200 */
	0xb9, 0x1b, 0x00, 0x00, 0x00,	/*   0: mov $0x1b,%ecx */
	0x0f, 0x32,	/*   5: rdmsr */
	0x0d, 0x00, 0x0c, 0x00, 0x00,	/*   7: or $0xc00,%eax */
	0x0f, 0x30,	/*   c: wrmsr */
	0xb9, 0x0f, 0x08, 0x00, 0x00,	/*   e: mov $0x80f,%ecx */
	0xb8, 0xff, 0x01, 0x00, 0x00,	/*  13: mov $0x1ff,%eax */
	0x31, 0xd2,	/*  18: xor %edx,%edx */
	0x0f, 0x30,	/*  1a: wrmsr */
	0x31, 0xff,	/*  1c: xor %edi,%edi */
	0x47,	/*  1e: inc %edi */
	0xb9, 0x30, 0x08, 0x00, 0x00,	/*  1f: mov $0x830,%ecx */
	0xb8, 0x41, 0x40, 0x00, 0x00,	/*  24: mov $0x4041,%eax */
	0xba, 0x01, 0x00, 0x00, 0x00,	/*  29: mov $0x1,%edx */
	0x0f, 0x30,	/*  2e: wrmsr */
	0xfb,	/*  30: sti */
	0xf4,	/*  31: hlt */
	0xfa,	/*  32: cli */
	0x39, 0x3d, 0x00, 0x50, 0x00, 0x00,	/*  33: cmp %edi,0x5000 */
	0x75, 0xf5,	/*  39: jne 0x30 */
	0x4e,	/*  3b: dec %esi */
	0x75, 0xe0,	/*  3c: jne 0x1e */
	0xb9, 0x30, 0x08, 0x00, 0x00,	/*  3e: mov $0x830,%ecx */
	0xb8, 0x43, 0x40, 0x00, 0x00,	/*  43: mov $0x4043,%eax */
	0xba, 0x01, 0x00, 0x00, 0x00,	/*  48: mov $0x1,%edx */
	0x0f, 0x30,	/*  4d: wrmsr */
	0xe6, 0x80,	/*  4f: out %al,$0x80 */
	0xf4,	/*  51: hlt */
	0xeb, 0xfd,	/*  52: jmp 0x51 */
};
static const uint8_t irq_ipi_ap[] = {	/* at IRQ_CODE + 0x300 */
	0xb9, 0x1b, 0x00, 0x00, 0x00,	/*   0: mov $0x1b,%ecx */
	0x0f, 0x32,	/*   5: rdmsr */
	0x0d, 0x00, 0x0c, 0x00, 0x00,	/*   7: or $0xc00,%eax */
	0x0f, 0x30,	/*   c: wrmsr */
	0xb9, 0x0f, 0x08, 0x00, 0x00,	/*   e: mov $0x80f,%ecx */
	0xb8, 0xff, 0x01, 0x00, 0x00,	/*  13: mov $0x1ff,%eax */
	0x31, 0xd2,	/*  18: xor %edx,%edx */
	0x0f, 0x30,	/*  1a: wrmsr */
	0xc7, 0x05, 0x04, 0x50, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,	/*  1c: movl $0x1,0x5004 */
	0xfb,	/*  26: sti */
	0xf4,	/*  27: hlt */
	0xeb, 0xfc,	/*  28: jmp 0x26 */
};
static const uint8_t irq_ping_isr[] = {	/* at IRQ_CODE + 0x400 */
	0x50,	/*   0: push %eax */
	0x51,	/*   1: push %ecx */
	0x52,	/*   2: push %edx */
	0xb9, 0x0b, 0x08, 0x00, 0x00,	/*   3: mov $0x80b,%ecx */
	0x31, 0xc0,	/*   8: xor %eax,%eax */
	0x31, 0xd2,	/*   a: xor %edx,%edx */
	0x0f, 0x30,	/*   c: wrmsr */
	0xb9, 0x30, 0x08, 0x00, 0x00,	/*   e: mov $0x830,%ecx */
	0xb8, 0x42, 0x40, 0x00, 0x00,	/*  13: mov $0x4042,%eax */
	0x31, 0xd2,	/*  18: xor %edx,%edx */
	0x0f, 0x30,	/*  1a: wrmsr */
	0x5a,	/*  1c: pop %edx */
	0x59,	/*  1d: pop %ecx */
	0x58,	/*  1e: pop %eax */
	0xcf,	/*  1f: iret */
};
static const uint8_t irq_pong_isr[] = {	/* at IRQ_CODE + 0x500 */
	0x50,	/*   0: push %eax */
	0x51,	/*   1: push %ecx */
	0x52,	/*   2: push %edx */
	0xff, 0x05, 0x00, 0x50, 0x00, 0x00,	/*   3: incl 0x5000 */
	0x81, 0x7c, 0x24, 0x0c, 0x31, 0x12, 0x00, 0x00,	/*   9: cmpl $0x1231,0xc(%esp) */
	0x75, 0x0a,	/*  11: jne 0x1d */
	0xff, 0x44, 0x24, 0x0c,	/*  13: incl 0xc(%esp) */
	0xff, 0x05, 0x08, 0x50, 0x00, 0x00,	/*  17: incl 0x5008 */
	0xb9, 0x0b, 0x08, 0x00, 0x00,	/*  1d: mov $0x80b,%ecx */
	0x31, 0xc0,	/*  22: xor %eax,%eax */
	0x31, 0xd2,	/*  24: xor %edx,%edx */
	0x0f, 0x30,	/*  26: wrmsr */
	0x5a,	/*  28: pop %edx */
	0x59,	/*  29: pop %ecx */
	0x58,	/*  2a: pop %eax */
	0xcf,	/*  2b: iret */
};
static const uint8_t irq_stop_isr[] = {	/* at IRQ_CODE + 0x600 */
	0xb9, 0x0b, 0x08, 0x00, 0x00,	/*   0: mov $0x80b,%ecx */
	0x31, 0xc0,	/*   5: xor %eax,%eax */
	0x31, 0xd2,	/*   7: xor %edx,%edx */
	0x0f, 0x30,	/*   9: wrmsr */
	0xe6, 0x81,	/*   b: out %al,$0x81 */
	0xfa,	/*   d: cli */
	0xf4,	/*   e: hlt */
	0xeb, 0xfc,	/*   f: jmp 0xd */
};
static const uint8_t irq_spurious_isr[] = {	/* at IRQ_CODE + 0x780 */
	0xcf,	/*   0: iret */
};

static const struct {
	unsigned int at;
	const uint8_t *code;
	size_t len;
} irq_frags[] = {
	{ IRQ_TIMER_MAIN, irq_timer_main, sizeof(irq_timer_main) },
	{ IRQ_TIMER_ISR, irq_timer_isr, sizeof(irq_timer_isr) },
	{ IRQ_IPI_BSP, irq_ipi_bsp, sizeof(irq_ipi_bsp) },
	{ IRQ_IPI_AP, irq_ipi_ap, sizeof(irq_ipi_ap) },
	{ IRQ_PING_ISR, irq_ping_isr, sizeof(irq_ping_isr) },
	{ IRQ_PONG_ISR, irq_pong_isr, sizeof(irq_pong_isr) },
	{ IRQ_STOP_ISR, irq_stop_isr, sizeof(irq_stop_isr) },
	{ IRQ_SPURIOUS_ISR, irq_spurious_isr, sizeof(irq_spurious_isr) },
};

/* The code and the IDT: 32-bit interrupt gates (SDM Vol 3A, 6.11). */
static void irq_load(struct guest *g)
{
	uint32_t *idt = (uint32_t *)(g->ram + IRQ_IDT);
	unsigned int i;

	for (i = 0; i < sizeof(irq_frags) / sizeof(irq_frags[0]); i++)
		memcpy(g->ram + IRQ_CODE + irq_frags[i].at, irq_frags[i].code,
		       irq_frags[i].len);
	/* The reply handler knows where vCPU 0's HLT is (BSP_HLT). */
	if (g->ram[IRQ_CODE + IRQ_BSP_HLT] != 0xf4)
		abort();
	for (i = 0; i < 256; i++) {
		/* mov $i,%al; out %al,$PORT_BAD; 1: hlt; jmp 1b */
		static const uint8_t stub[8] = {
			0xb0, 0, 0xe6, PORT_BAD, 0xf4, 0xeb, 0xfd, 0x90,
		};
		uint32_t at = IRQ_CODE + IRQ_BAD_STUBS + 8 * i;

		memcpy(g->ram + at, stub, sizeof(stub));
		g->ram[at + 1] = i;

		switch (i) {
		case VEC_TIMER:	   at = IRQ_CODE + IRQ_TIMER_ISR; break;
		case VEC_PING:	   at = IRQ_CODE + IRQ_PING_ISR; break;
		case VEC_PONG:	   at = IRQ_CODE + IRQ_PONG_ISR; break;
		case VEC_STOP:	   at = IRQ_CODE + IRQ_STOP_ISR; break;
		case VEC_SPURIOUS: at = IRQ_CODE + IRQ_SPURIOUS_ISR; break;
		}
		/* offset 15:0, selector; offset 31:16, P, DPL 0, type 0xe */
		idt[2 * i] = (at & 0xffff) | (HV_MODE_SEL_CODE32 << 16);
		idt[2 * i + 1] = (at & 0xffff0000) | 0x8e00;
	}
}

/* vCPU v at IRQ_CODE + at in 32-bit protected mode, ESI = count. */
static int irq_vcpu_start(struct guest *g, unsigned int v, unsigned int at,
			  uint64_t rsp, uint32_t count)
{
	struct hv_regs hr;
	struct hv_sregs hs;
	int err;

	memset(&hs, 0, sizeof(hs));
	err = hv_mode_prepare(HV_MODE_PROT32, IRQ_CODE + at, rsp, IRQ_SCRATCH,
			      g->ram + IRQ_SCRATCH, &hr, &hs);
	if (err)
		return err;
	hs.idt.base = IRQ_IDT;
	hs.idt.limit = 256 * 8 - 1;
	hr.rsi = count;

	/* An AP waits for a SIPI (hv) or is uninitialized (KVM) at first. */
	if (v > 0 && g->side == SIDE_HV) {
		struct hv_mp_state mp = { .state = HV_MP_RUNNABLE };

		if (ioctl(hv_vcpu_fd(g->vcpu[v]), HV_VCPU_SET_MP_STATE, &mp) < 0)
			return -errno;
	} else if (v > 0) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(g->vcpu_fd[v], KVM_SET_MP_STATE, &mp) < 0)
			return -errno;
	}
	if (g->side == SIDE_KVM)
		return kvm_set_state(g, v, &hr, &hs);
	err = hv_vcpu_set_sregs(g->vcpu[v], &hs);
	if (!err)
		err = hv_vcpu_set_regs(g->vcpu[v], &hr);
	return err;
}

/* The watchdog of one pass. */
struct watchdog {
	pthread_t thread;
	pthread_t target[MAX_VCPUS];	/* the vCPU threads */
	unsigned int nr_targets;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	bool expire;			/* give up now */
	volatile bool fired;
	double limit_s;
};

static void watchdog_signal(int sig)
{
	(void)sig;	/* only to end a run ioctl with EINTR */
}

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec ts;
	unsigned int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)w->limit_s;
	ts.tv_nsec += (long)((w->limit_s - (time_t)w->limit_s) * 1e9);
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->lock);
	while (!w->done && !w->expire &&
	       pthread_cond_timedwait(&w->cond, &w->lock, &ts) != ETIMEDOUT)
		;
	/* Past the limit: signal until the pass gives up (a signal sent
	 * just before a run ioctl starts would be lost, so repeat). */
	while (!w->done) {
		w->fired = true;
		for (i = 0; i < w->nr_targets; i++)
			pthread_kill(w->target[i], SIGUSR1);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int watchdog_start(struct watchdog *w, double limit_s)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->limit_s = limit_s;
	w->target[w->nr_targets++] = pthread_self();
	return -pthread_create(&w->thread, NULL, watchdog_main, w);
}

/* Add a target; call before the watchdog can fire (right after start). */
static void watchdog_add(struct watchdog *w, pthread_t t)
{
	pthread_mutex_lock(&w->lock);
	w->target[w->nr_targets++] = t;
	pthread_mutex_unlock(&w->lock);
}

/* Fire now: a vCPU failed, the other may wait for ever. */
static void watchdog_expire(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->expire = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
}

/* Say which vector, and the top of the stack (error code?, EIP, CS). */
static void irq_bad_vector(struct guest *g, unsigned int v, char *why,
			   size_t len)
{
	uint64_t rsp = 0;
	const uint32_t *st;
	struct kvm_regs kr;
	struct hv_regs hr;

	if (g->side == SIDE_HV && !hv_vcpu_get_regs(g->vcpu[v], &hr))
		rsp = hr.rsp;
	if (g->side == SIDE_KVM && !ioctl(g->vcpu_fd[v], KVM_GET_REGS, &kr))
		rsp = kr.rsp;
	if (rsp < 0x1000 || rsp > GUEST_STACK - 16) {
		snprintf(why, len, "vCPU %u: unexpected vector %u (exception "
			 "or interrupt), ESP %#llx", v, g->out_data[v],
			 (unsigned long long)rsp);
		return;
	}
	st = (const uint32_t *)(g->ram + rsp);
	snprintf(why, len, "vCPU %u: unexpected vector %u (exception or "
		 "interrupt); ESP %#llx: %#x %#x %#x %#x %#x %#x %#x %#x", v,
		 g->out_data[v], (unsigned long long)rsp, st[0], st[1], st[2],
		 st[3], st[4], st[5], st[6], st[7]);
}

/*
 * Run vCPU v until it does OUT to port want.  0, or -1 with *why: another
 * exit, or the watchdog fired.
 */
static int irq_run_until(struct guest *g, unsigned int v, unsigned int want,
			 struct watchdog *w, char *why, size_t len)
{
	unsigned int port = 0;
	enum stop s;

	for (;;) {
		s = guest_run(g, v, &port, why, len);
		if (s == STOP_IO_OUT && port == want)
			return 0;
		if (s == STOP_INTR && !w->fired)
			continue;
		if (s == STOP_INTR)
			snprintf(why, len, "vCPU %u: no interrupt came within "
				 "%.0f s", v, w->limit_s);
		else if (s == STOP_IO_OUT && port == PORT_BAD)
			irq_bad_vector(g, v, why, len);
		else if (s == STOP_IO_OUT)
			snprintf(why, len, "vCPU %u: OUT to port %#x", v, port);
		else if (s == STOP_HLT)
			snprintf(why, len, "vCPU %u: HLT exit to userspace "
				 "(no interrupt to wait for)", v);
		return -1;
	}
}

struct ap_run {
	struct guest *g;
	struct watchdog *w;
	volatile bool finished;
	int err;
	char why[256];
};

static void *ap_main(void *arg)
{
	struct ap_run *ap = arg;

	ap->err = irq_run_until(ap->g, 1, PORT_AP_DONE, ap->w, ap->why,
				sizeof(ap->why));
	if (ap->err)
		watchdog_expire(ap->w);
	ap->finished = true;
	return NULL;
}

static double irq_limit_s = 0;
/* Replies delivered inside vCPU 0's STI shadow (hv-bench-irq.S), per side */
static unsigned long shadowed[NR_SIDES];		/* -w; 0: 5 s + 20 ms per interrupt */

/*
 * After a failed pass on hv: where each vCPU is and what its LAPIC holds
 * (SDM Vol 3A, Table 10-1 offsets), on stderr.
 */
static void irq_hv_dump(struct guest *g)
{
	struct hv_vcpu_state *st = calloc(1, sizeof(*st));
	unsigned int v, i;

	if (!st)
		return;
	for (v = 0; v < g->nr_vcpus; v++) {
		const uint8_t *r = st->lapic.regs;
#define LR(off) (*(const uint32_t *)(r + (off)))
		if (hv_vm_get_vcpu_state(g->vm, v, st))
			continue;
		fprintf(stderr, "hv-bench: vCPU %u: rip %#llx rflags %#llx "
			"esi %#llx edi %#llx replies %u mp_state %u apic_base "
			"%#llx timer_ns %llu SVR %#x LVTT %#x TMICT %#x TMCCT "
			"%#x DCR %#x", v,
			(unsigned long long)st->regs.rip,
			(unsigned long long)st->regs.rflags,
			(unsigned long long)st->regs.rsi,
			(unsigned long long)st->regs.rdi,
			*(uint32_t *)(g->ram + IRQ_REPLIES), st->mp_state,
			(unsigned long long)st->lapic.apic_base,
			(unsigned long long)st->lapic.timer_ns, LR(0xf0),
			LR(0x320), LR(0x380), LR(0x390), LR(0x3e0));
		for (i = 0; i < 8; i++)
			if (LR(0x200 + 16 * i) || LR(0x100 + 16 * i))
				fprintf(stderr, " IRR%u %#x ISR%u %#x", i,
					LR(0x200 + 16 * i), i,
					LR(0x100 + 16 * i));
		fprintf(stderr, " events %#x\n", st->events.flags);
#undef LR
	}
	free(st);
}

/* The same on KVM: registers only. */
static void irq_kvm_dump(struct guest *g)
{
	struct kvm_regs kr;
	struct kvm_mp_state mp;
	unsigned int v;

	for (v = 0; v < g->nr_vcpus; v++) {
		if (ioctl(g->vcpu_fd[v], KVM_GET_REGS, &kr) < 0 ||
		    ioctl(g->vcpu_fd[v], KVM_GET_MP_STATE, &mp) < 0)
			continue;
		fprintf(stderr, "hv-bench: KVM vCPU %u: rip %#llx rflags %#llx "
			"esi %#llx edi %#llx replies %u mp_state %u\n", v,
			(unsigned long long)kr.rip,
			(unsigned long long)kr.rflags,
			(unsigned long long)kr.rsi, (unsigned long long)kr.rdi,
			*(uint32_t *)(g->ram + IRQ_REPLIES), mp.mp_state);
	}
}

/*
 * One pass of an interrupt measure with ESI = count: the time from vCPU
 * 0's first run to its OUT, checked: ESI = 0, count replies.
 */
static int irq_once(struct guest *g, bool ipi, uint32_t count, double *us,
		    char *why, size_t len)
{
	volatile uint32_t *replies = (uint32_t *)(g->ram + IRQ_REPLIES);
	volatile uint32_t *ready = (uint32_t *)(g->ram + IRQ_READY1);
	struct ap_run ap = { .g = g };
	struct watchdog w;
	pthread_t ap_thread;
	uint64_t rax, rsi;
	double t0, t1, limit;
	int err;

	*replies = 0;
	*ready = 0;
	*(volatile uint32_t *)(g->ram + IRQ_SHADOWED) = 0;
	err = irq_vcpu_start(g, 0, ipi ? IRQ_IPI_BSP : IRQ_TIMER_MAIN,
			     GUEST_STACK, count);
	if (!err && ipi)
		err = irq_vcpu_start(g, 1, IRQ_IPI_AP, IRQ_STACK1, 0);
	if (err) {
		snprintf(why, len, "setting the vCPU state: %s",
			 hv_strerror(err));
		return -1;
	}
	limit = irq_limit_s > 0 ? irq_limit_s : 5 + 0.02 * count;
	err = watchdog_start(&w, limit);
	if (err) {
		snprintf(why, len, "watchdog thread: %s", strerror(-err));
		return -1;
	}
	if (ipi) {
		ap.w = &w;
		err = pthread_create(&ap_thread, NULL, ap_main, &ap);
		if (err) {
			watchdog_stop(&w);
			snprintf(why, len, "vCPU 1 thread: %s", strerror(err));
			return -1;
		}
		watchdog_add(&w, ap_thread);
		/* Until vCPU 1's APIC takes IPIs (or it failed). */
		while (!*ready && !w.fired && !ap.finished)
			usleep(100);
	}

	t0 = now_us();
	err = ipi && !*ready;
	if (err)
		snprintf(why, len, "vCPU 1 did not start within %.0f s", limit);
	else
		err = irq_run_until(g, 0, PORT_DONE, &w, why, len);
	t1 = now_us();
	if (err)
		watchdog_expire(&w);
	if (ipi) {
		pthread_join(ap_thread, NULL);
		if (ap.err && !err) {
			snprintf(why, len, "%s", ap.why);
			err = -1;
		}
	}
	watchdog_stop(&w);
	shadowed[g->side] += *(volatile uint32_t *)(g->ram + IRQ_SHADOWED);
	if (err && g->side == SIDE_HV)
		irq_hv_dump(g);
	if (err && g->side == SIDE_KVM)
		irq_kvm_dump(g);
	if (err)
		return -1;
	*us = t1 - t0;

	err = guest_get_rax_rsi(g, 0, &rax, &rsi);
	if (err) {
		snprintf(why, len, "reading registers: %s", hv_strerror(err));
		return -1;
	}
	if (rsi != 0) {
		snprintf(why, len, "done with ESI = %llu left of %u",
			 (unsigned long long)rsi, count);
		return -1;
	}
	if (ipi && *replies != count) {
		snprintf(why, len, "%u replies for %u IPIs", *replies, count);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Measures: each returns microseconds per operation in *us. */

enum measure {
	M_HYPERCALL, M_CPUID, M_IO, M_CREATE, M_IPI, M_TIMER, NR_MEASURES
};
static const char *const measure_name[NR_MEASURES] = {
	"hypercall_us", "cpuid_us", "io_us", "create_us", "ipi_rtt_us",
	"timer_irq_us",
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
	unsigned int port = 0;
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
	while ((s = guest_run(g, 0, &port, why, len)) == STOP_IO_OUT &&
	       port == IO_PORT)
		ios++;
	t1 = now_us();
	if (s == STOP_IO_OUT)
		snprintf(why, len, "OUT to port %#x", port);
	if (s == STOP_INTR)
		snprintf(why, len, "run interrupted by a signal");
	if (s != STOP_HLT)
		return -1;
	*us = t1 - t0;

	err = guest_get_rax_rsi(g, 0, &rax, &rsi);
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
 * One sample of measure m on one side.  For the exit loops and the
 * interrupt measures: a fresh VM,
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
	bool irq;
	int err;

	if (m == M_CREATE) {
		t0 = now_us();
		for (i = 0; i < n; i++) {
			err = guest_open(side, &g, false);
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

	irq = m == M_IPI || m == M_TIMER;
	err = guest_open(side, &g, irq);
	if (err) {
		snprintf(why, len, "creating the VM: %s", hv_strerror(err));
		return err == -EOPNOTSUPP ? UNSUPPORTED : FAILED;
	}
	if (irq) {
		irq_load(&g);
		err = irq_once(&g, m == M_IPI, 1, &t, why, len) ||
		      irq_once(&g, m == M_IPI, n, &t, why, len);
	} else {
		memcpy(g.ram + GUEST_CODE, code, code_len);
		err = loop_once(&g, m, 1, &t, why, len) ||
		      loop_once(&g, m, n, &t, why, len);
	}
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
	unsigned int exits, creates, irqs, rounds;
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
	unsigned int n = m == M_CREATE ? cfg->creates :
			 m == M_IPI || m == M_TIMER ? cfg->irqs : cfg->exits;
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
	if (m == M_IPI)
		printf("hv-bench: %s: replies delivered inside the STI shadow "
		       "(and the HLT skipped): hv %lu, kvm %lu\n",
		       measure_name[m], shadowed[SIDE_HV], shadowed[SIDE_KVM]);
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
	err = guest_open(SIDE_HV, &g, false);
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

	/* For the interrupt measures' vCPUs: x2APIC (KVM emulates it). */
	for (size = 64; size <= 4096; size *= 2) {
		free(kvm_cpuid);
		kvm_cpuid = calloc(1, sizeof(*kvm_cpuid) +
				   size * sizeof(kvm_cpuid->entries[0]));
		if (!kvm_cpuid) {
			note_failure("out of memory");
			return FAILED;
		}
		kvm_cpuid->nent = size;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, kvm_cpuid) == 0)
			return OK;
		if (errno != E2BIG)
			break;
	}
	note_failure("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	return FAILED;
}

/*
 * Is name ("ipi_rtt_us") in list ("ipi_rtt+timer_irq_us"; "+" or ",")?
 * (run-bench turns commas into spaces.)
 */
static bool measure_listed(const char *list, const char *name)
{
	size_t n = strlen(name) - 3;	/* without "_us" */
	const char *p;

	for (p = list; *p; p += strcspn(p, ",+") + (p[strcspn(p, ",+")] != 0)) {
		size_t len = strcspn(p, ",+");

		if ((len == n || len == n + 3) && !strncmp(p, name, len))
			return true;
	}
	return false;
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
	struct config cfg = { .exits = 2000, .creates = 20, .irqs = 200,
			      .rounds = 7, .target = 0.8 };
	struct sigaction sa = { .sa_handler = watchdog_signal };
	enum outcome state[NR_SIDES];
	const char *only = NULL;
	int opt, m;

	while ((opt = getopt(argc, argv, "n:c:i:m:r:t:w:h")) != -1) {
		switch (opt) {
		case 'n': cfg.exits = parse_uint(optarg, 1u << 30); break;
		case 'c': cfg.creates = parse_uint(optarg, 1u << 20); break;
		case 'i': cfg.irqs = parse_uint(optarg, 1u << 24); break;
		case 'm': only = optarg; break;
		case 'w': irq_limit_s = parse_uint(optarg, 86400); break;
		case 'r': cfg.rounds = parse_uint(optarg, MAX_ROUNDS); break;
		case 't': cfg.target = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "usage: hv-bench [-n EXITS] "
				"[-c CREATES] [-i IRQS] [-r ROUNDS] "
				"[-t TARGET] [-w SECONDS] [-m MEASURE+...]\n");
			return 2;
		}
	}

	vendor = cpu_vendor();
	if (!strcmp(vendor, "intel"))
		code_hypercall[HYPERCALL_OPCODE_AT] = 0xc1;	/* VMCALL */
	printf("hv-bench: vendor %s, %ld CPUs; %u exits per loop, %u VMs "
	       "per create sample, %u interrupts per interrupt sample, %u "
	       "rounds after a warm-up; target hv <= %.2f x KVM\n", vendor,
	       sysconf(_SC_NPROCESSORS_ONLN), cfg.exits, cfg.creates,
	       cfg.irqs, cfg.rounds, cfg.target);
	fflush(stdout);

	/* The watchdog's signal ends a run ioctl (no SA_RESTART). */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0) {
		perror("hv-bench: sigaction");
		return 2;
	}

	state[SIDE_KVM] = probe_kvm();
	state[SIDE_HV] = probe_hv();
	for (m = 0; m < NR_MEASURES; m++)
		if (!only || measure_listed(only, measure_name[m]))
			bench_measure(&cfg, m, state);

	if (hv_dev)
		hv_close(hv_dev);
	if (kvm_fd >= 0)
		close(kvm_fd);
	return failures ? 1 : 0;
}
