// SPDX-License-Identifier: GPL-2.0
/*
 * The run loop and the exit dispatch, one unit.
 *
 * The loop enters the guest, lets the core handle the exit, and either
 * re-enters or returns to its driver (userspace in attached mode,
 * managed/managed.c's vCPU thread) with the exit described in the run
 * area - bhyve's vm_run() loop, in short:
 *
 *	do { exit = enter guest; r = handle(exit); } while (r > 0);
 *
 * Exit dispatch: one switch over the vendor-neutral exit codes.  Each
 * handler returns >0 to re-enter the guest, 0 to return to userspace with
 * the run area filled in, or a negative errno for a host-side failure.
 *
 * Nothing here knows VMX from SVM: the backend translated the exit into
 * struct hv_exit and supplies next_rip for every instruction-caused exit.
 */
#include "hv.h"
#include "x86/insn.h"
#include "x86/gwalk.h"
#include "hv_trace.h"

#include <linux/sched/signal.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/hw_breakpoint.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#define X86_VEC_UD	6	/* SDM Vol 3A, Table 6-1 */
#define X86_VEC_GP	13

/* struct hv_regs in x86 register-number order (SDM Vol 2A, Table 2-2). */
u64 *hv_gpr(struct hv_regs *r, unsigned int n)
{
	u64 *map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx,
		&r->rsp, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[n & 15];
}

int hv_exit_internal(struct hvk_vcpu *vcpu, u32 suberror, u32 ndata,
		     const u64 *data)
{
	struct hv_run *run = vcpu->run;

	run->exit_reason = HV_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = min_t(u32, ndata, ARRAY_SIZE(run->internal.data));
	memcpy(run->internal.data, data, run->internal.ndata * sizeof(u64));
	return 0;
}

/*
 * Finish what userspace answered: IN data, MMIO read data, hypercall.
 * Returns >0 when that answer only finished one fragment of an MMIO
 * access and the run area now holds the next (hv_mmio.c), else 0.
 */
int hv_complete_userspace_exit(struct hvk_vcpu *vcpu)
{
	struct hv_run *run = vcpu->run;

	switch (vcpu->pending) {
	case HV_PENDING_NONE:
		return 0;
	case HV_PENDING_IO_IN:
		trace_hv_pio(vcpu, run->io.port, vcpu->pending_size, true,
			     run->io.data, true);
		/* SDM Vol 2A, IN: AL/AX merge, a 32-bit IN zero-extends */
		hv_insn_set_reg(&vcpu->regs.rax, vcpu->pending_size, false,
				run->io.data);
		break;
	case HV_PENDING_MMIO:
		return hv_mmio_complete(vcpu);
	case HV_PENDING_HYPERCALL:
		vcpu->regs.rax = run->hypercall.ret;
		break;
	}
	vcpu->pending = HV_PENDING_NONE;
	hv_skip_insn(vcpu, vcpu->pending_rip);
	return 0;
}

static int hv_handle_cpuid(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	u32 out[4];

	hv_cpuid_lookup(&vcpu->cpuid, vcpu->regs.rax, vcpu->regs.rcx, out);
	hv_xsave_cpuid(vcpu, vcpu->regs.rax, vcpu->regs.rcx, out);
	hv_cpuid_vcpu(vcpu, vcpu->regs.rax, vcpu->regs.rcx, out);
	trace_hv_cpuid(vcpu, vcpu->regs.rax, vcpu->regs.rcx, out);
	/* SDM Vol 2A, CPUID: the upper halves of RAX..RDX are cleared */
	vcpu->regs.rax = out[0];
	vcpu->regs.rbx = out[1];
	vcpu->regs.rcx = out[2];
	vcpu->regs.rdx = out[3];
	hv_skip_insn(vcpu, exit->next_rip);
	return 1;
}

static int hv_handle_hypercall(struct hvk_vcpu *vcpu,
			       const struct hv_exit *exit);

/*
 * #UD: a guest written for the other vendor may use its hypercall
 * instruction (VMCALL 0f 01 c1 on AMD, VMMCALL 0f 01 d9 on Intel).  Treat
 * both as hypercalls on both vendors, as KVM does, so guests and snapshots
 * move between vendors; anything else gets its #UD back.
 */
static int hv_handle_ud(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_exit hc = { .code = HV_X_HYPERCALL };
	u8 b[3];
	int mode;

	if (hv_fetch_insn(vcpu, b, sizeof(b), &mode) == sizeof(b) &&
	    b[0] == 0x0f && b[1] == 0x01 && (b[2] == 0xc1 || b[2] == 0xd9)) {
		hc.next_rip = vcpu->regs.rip + 3;
		return hv_handle_hypercall(vcpu, &hc);
	}
	hv_ops->inject_exception(vcpu, X86_VEC_UD, false, 0);
	return 1;
}

static int hv_handle_hypercall(struct hvk_vcpu *vcpu,
			       const struct hv_exit *exit)
{
	struct hv_run *run = vcpu->run;
	u64 nr = vcpu->regs.rax;

	if (nr < HV_HC_USER_BASE) {
		vcpu->regs.rax = nr == HV_HC_PING ? HV_HC_PONG : HV_HC_ENOSYS;
		hv_skip_insn(vcpu, exit->next_rip);
		return 1;
	}
	run->exit_reason = HV_EXIT_HYPERCALL;
	run->hypercall.nr = nr;
	run->hypercall.args[0] = vcpu->regs.rbx;
	run->hypercall.args[1] = vcpu->regs.rcx;
	run->hypercall.args[2] = vcpu->regs.rdx;
	run->hypercall.args[3] = vcpu->regs.rsi;
	run->hypercall.ret = 0;
	vcpu->pending = HV_PENDING_HYPERCALL;
	vcpu->pending_rip = exit->next_rip;
	return 0;
}

/*
 * The length of the INVD (0f 08), WBINVD (0f 09) or WBNOINVD (f3 0f 09)
 * at the guest's RIP, prefixes included (SDM Vol 2A, 2.1.1: legacy
 * prefixes, then REX in 64-bit mode), for a backend that could not say
 * (AMD-V without NRIPS).  Either opcode will do: both are no-ops here,
 * and QEMU 7.2 reports an INVD as a WBINVD exit.  0 if the bytes there
 * are neither.
 */
static unsigned int hv_insn_len_invd(struct hvk_vcpu *vcpu)
{
	u8 b[15];
	int n, i, mode;

	n = hv_fetch_insn(vcpu, b, sizeof(b), &mode);
	for (i = 0; i < n - 1; i++) {
		switch (b[i]) {
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0x66: case 0x67: case 0xf0: case 0xf2:
		case 0xf3:
			continue;
		}
		if (mode == 64 && (b[i] & 0xf0) == 0x40 && i + 2 < n &&
		    b[i + 1] == 0x0f)
			i++;			/* REX right before the opcode */
		return b[i] == 0x0f && (b[i + 1] == 0x08 || b[i + 1] == 0x09) ?
		       i + 2 : 0;
	}
	return 0;
}

/*
 * Instructions that reach past the guest, intercepted on both vendors
 * (kmod/vmx/vmx.c, kmod/svm/svm_vcpu.c); one policy, here:
 *
 * INVD		would drop dirty cache lines - the host's and other
 *		guests' too, on CPUs without HWCR.INVDWBINVD.  Guest RAM is
 *		ordinary write-back host memory and hv emulates no device
 *		that writes it behind the caches, so there is nothing the
 *		guest could rely on INVD dropping: it completes as a no-op,
 *		as KVM does without non-coherent DMA.
 * WBINVD, WBNOINVD
 *		would stall the host's CPU writing back caches of which
 *		the guest owns little; for the same reason a no-op.
 * MONITOR, MWAIT
 *		would park the host CPU inside the guest: #UD, as on a CPU
 *		without them - hv's CPUID hides them (leaf 1 ECX[3], leaf 5).
 * RDPMC	would read the host's performance counters: #GP(0), what
 *		RDPMC does with a counter that does not exist - hv exposes no
 *		PMU (CPUID leaf 0Ah all zero).
 * RDPRU	#UD, as on a CPU without it (CPUID 8000_0008h EBX[4] hidden).
 */
static int hv_handle_host_insn(struct hvk_vcpu *vcpu,
			       const struct hv_exit *exit)
{
	unsigned int len;

	switch (exit->code) {
	case HV_X_INVD:
	case HV_X_WBINVD:
		if (exit->next_rip) {
			hv_skip_insn(vcpu, exit->next_rip);
			return 1;
		}
		len = hv_insn_len_invd(vcpu);
		if (!len)
			return 1;	/* rewritten under us: run it again */
		hv_skip_insn(vcpu, vcpu->regs.rip + len);
		return 1;
	case HV_X_RDPMC:
		/* SDM Vol 2B, RDPMC: an invalid counter in ECX: #GP(0) */
		hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	default:	/* MONITOR, MWAIT, RDPRU */
		hv_ops->inject_exception(vcpu, X86_VEC_UD, false, 0);
		return 1;
	}
}

/*
 * A backend's renamed exits (struct hv_exit_map).  A walk: the tables are
 * a few dozen rows, and the exits that need work (I/O, NPF, MSR...) are
 * the backends' switch cases, never looked up here.
 */

int hv_handle_exit(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_run *run = vcpu->run;
	u64 data[2];

	switch (exit->code) {
	case HV_X_INTR:
	case HV_X_NMI:
	case HV_X_NONE:		/* also: the entry was cancelled */
		return 1;	/* the host has handled it; go back in */
	case HV_X_IRQ_WINDOW:
	case HV_X_NMI_WINDOW:
		return 1;	/* hv_events_before_entry() injects it now */
	case HV_X_IO:
		return hv_handle_io(vcpu, exit);
	case HV_X_NPF:
		return hv_handle_npf(vcpu, exit);
	case HV_X_CPUID:
		return hv_handle_cpuid(vcpu, exit);
	case HV_X_RDMSR:
	case HV_X_WRMSR:
		return hv_handle_msr(vcpu, exit);
	case HV_X_HYPERCALL:
		return hv_handle_hypercall(vcpu, exit);
	case HV_X_UD:
		return hv_handle_ud(vcpu, exit);
	case HV_X_PAUSE:
		/* The loop's cond_resched() gives the CPU to whom it is due */
		hv_skip_insn(vcpu, exit->next_rip);
		return 1;
	case HV_X_HLT:
		return hv_handle_hlt(vcpu, exit);
	case HV_X_SHUTDOWN:
		run->exit_reason = HV_EXIT_SHUTDOWN;
		return 0;
	case HV_X_VIRT_INSN:
		/* No nesting: as on a CPU without VMX/SVM */
		hv_ops->inject_exception(vcpu, X86_VEC_UD, false, 0);
		return 1;
	case HV_X_XSETBV:
		return hv_handle_xsetbv(vcpu, exit);
	case HV_X_CR_WRITE:
		return hv_handle_cr_write(vcpu, exit);
	case HV_X_DR_ACCESS:
		return hv_handle_dr_access(vcpu, exit);
	case HV_X_INVD:
	case HV_X_WBINVD:
	case HV_X_MONITOR:
	case HV_X_MWAIT:
	case HV_X_RDPMC:
	case HV_X_RDPRU:
		return hv_handle_host_insn(vcpu, exit);
	case HV_X_DEBUG:
		return hv_handle_debug(vcpu, exit);
	case HV_X_FAIL_ENTRY:
		run->exit_reason = HV_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_reason = exit->hw.reason;
		run->fail_entry.qualification = exit->hw.qual;
		return 0;
	case HV_X_UNHANDLED:
	default:
		data[0] = exit->hw.reason;
		data[1] = exit->hw.qual;
		return hv_exit_internal(vcpu, HV_INTERNAL_UNHANDLED, 2, data);
	}
}

/* Guest DR0-3 while they are live (hv_cr.c has when and why) */
void hv_db_load(struct hvk_vcpu *vcpu)
{
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
}

void hv_db_save(struct hvk_vcpu *vcpu)
{
	get_debugreg(vcpu->db[0], 0);
	get_debugreg(vcpu->db[1], 1);
	get_debugreg(vcpu->db[2], 2);
	get_debugreg(vcpu->db[3], 3);
}

/*
 * Enter the guest once (bhyve's vm_run() around vmmops_run, KVM's
 * vcpu_enter_guest): the guest's x87/SSE/AVX registers for the entry -
 * the host task's wait in memory until it returns to userspace
 * (hv_xsave.c has the order, XCR0 included) - then the backend.
 */
static int hv_enter_guest(struct hvk_vcpu *vcpu, struct hv_exit *exit)
{
	int r;

	kernel_fpu_begin();
	hv_fpu_load_guest(vcpu);
	r = hv_ops->vcpu_run(vcpu, exit);
	hv_fpu_save_guest(vcpu);
	kernel_fpu_end();
	/*
	 * DR7 enables no breakpoint: trap the next DR access again (not
	 * while a debugger's are loaded: hv_debug.c)
	 */
	if (!r && vcpu->db_live && !(exit->dr7 & 0xff) &&
	    !(vcpu->dbg_flags & HV_GUESTDBG_HW_BP))
		vcpu->db_live = false;
	return r;
}

/*
 * Statistics (hv_stats.c): one exit of @code and the time its handler
 * took, from just after the exit (the guest's FPU state already saved)
 * until the handler decided to re-enter or to return to the driver.  A
 * HLT's sleep is not in it: that happens before the next entry
 * (hv_events_before_entry), counted as "halt".  The time is in TSC
 * ticks here, two RDTSCs per exit (hv_stats.c converts at read time):
 * a pair of ktime_get_ns() cost about 10% of a CPUID exit on Bochs
 * (docs/stats.md).  The kernel keeps the TSCs of a host's CPUs in step
 * where it uses the TSC as its clock; a handler that moved to a CPU
 * whose TSC is behind adds nothing rather than a wrapped difference.
 */
static inline void hv_stat_exit(struct hvk_vcpu *vcpu, unsigned int code,
				u64 t0)
{
	u64 t1 = rdtsc();

	if (code >= HV_X_NR)
		code = HV_X_UNHANDLED;
	vcpu->stats[HV_STAT_EXIT + code]++;
	if (t1 > t0)
		vcpu->stats[HV_STAT_EXIT_NS + code] += t1 - t0;
}

/*
 * Enter the guest and handle exits in the kernel until one needs its
 * driver: userspace (attached mode) or managed/managed.c (managed mode).
 * Returns 0 with run->exit_reason set, or a negative errno.
 */
int hvk_vcpu_loop(struct hvk_vcpu *vcpu)
{
	struct hvk_vm *vm = vcpu->vm;
	struct hv_exit exit;
	u64 t0;
	int r;

	/* The next piece of a split MMIO access goes out without entering */
	if (hv_complete_userspace_exit(vcpu) > 0) {
		vcpu->run->exit_count = vcpu->exits;
		return 0;
	}
	vcpu->run->exit_reason = HV_EXIT_NONE;

	do {
		/*
		 * A guest `jmp .` must never keep the host from a signal, nor
		 * a managed VM from a stop or pause: every host timer tick
		 * brings us back here.
		 */
		if (signal_pending(current) || READ_ONCE(vm->stop_req) ||
		    READ_ONCE(vm->pause_req)) {
			vcpu->run->exit_reason = HV_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();

		/* A debugger's step that hv completed (hv_debug.c) */
		r = hv_debug_step_report(vcpu);
		if (r <= 0)
			break;

		/* INIT/SIPI, sleep while halted or waiting, inject events */
		r = hv_events_before_entry(vcpu);
		if (r <= 0)
			break;

		memset(&exit, 0, sizeof(exit));
		trace_hv_entry(vcpu);
		r = hv_enter_guest(vcpu, &exit);
		if (r)
			break;
		t0 = rdtsc();
		vcpu->exits++;
		trace_hv_exit(vcpu, &exit);
		r = hv_handle_exit(vcpu, &exit);
		hv_stat_exit(vcpu, exit.code, t0);
	} while (r > 0);

	vcpu->run->exit_count = vcpu->exits;
	return r;
}
