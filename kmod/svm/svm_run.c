// SPDX-License-Identifier: GPL-2.0
/*
 * Entering an AMD-V guest once, and turning the #VMEXIT into hv's
 * vendor-neutral exit record.
 *
 * Order of one entry (compare KVM's svm_vcpu_run), inside the core's
 * hv_enter_guest() with the guest's FPU registers loaded:
 *   intercepts for this entry (svm_set_intercepts)
 *   interrupts off; the core's entry bracket (XCR0, DR0-3, NPT
 *   generation; a request that came late cancels the entry); the TLB
 *   flush and ASID (svm_pick_tlb); registers into the VMCB (EVENTINJ,
 *   V_IRQ and the event intercepts are set already: svm_vcpu.c)
 *   CLGI; VMSAVE host; [VMLOAD guest; VMRUN; VMSAVE guest; VMLOAD host]
 *   the core's exit bracket (XCR0, DR0-3, host breakpoints)
 *   STGI; interrupts on - a pending host interrupt or NMI is taken here
 *   registers out of the VMCB, translate the exit
 */
#include "svm/svm.h"

#include <linux/io.h>
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>

static bool svm_debug_db(struct svm_vcpu *sv, struct hv_exit *exit);
static void svm_exit_swint(struct svm_vcpu *sv, struct hv_exit *exit);

/* Fixed lengths of the intercepted instructions, for CPUs without NRIPS */
#define SVM_LEN_CPUID	2	/* 0f a2 */
#define SVM_LEN_MSR	2	/* 0f 32 / 0f 30 */
#define SVM_LEN_HLT	1	/* f4 */
#define SVM_LEN_PAUSE	2	/* f3 90 */
#define SVM_LEN_VMMCALL	3	/* 0f 01 d9 */
#define SVM_LEN_XSETBV	3	/* 0f 01 d1 */

/* APM Vol 2, 15.9: intercept_cr bits 31:16 are the writes of CR0-15 */
#define SVM_INTERCEPT_CR0_WRITE	BIT(16 + 0)
#define SVM_INTERCEPT_CR4_WRITE	BIT(16 + 4)
#define SVM_INTERCEPT_CR8_WRITE	BIT(16 + 8)
#define SVM_CR_DECODED		BIT_ULL(63)	/* APM Vol 2, 15.33.1: EXITINFO1 */

static inline void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static inline void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

static inline void svm_vmsave(u64 pa)
{
	asm volatile("vmsave %0" : : "a" (pa) : "memory");
}

static u64 svm_next_rip(struct svm_vcpu *sv, unsigned int len)
{
	if ((hv_host_caps.features & HV_FEAT_NRIPS) && sv->vmcb->control.next_rip)
		return sv->vmcb->control.next_rip;
	return sv->vmcb->save.rip + len;
}

/* APM Vol 2, 15.7.1: the hardware's NEXT_RIP, or 0 where it has none */
static u64 svm_nrip_or_zero(struct svm_vcpu *sv)
{
	if (hv_host_caps.features & HV_FEAT_NRIPS)
		return sv->vmcb->control.next_rip;
	return 0;
}

/*
 * Guest debug registers: the core decides when DR0-3 are live (hv_cr.c).
 * DR6 and DR7 are VMCB state (VMRUN loads them, #VMEXIT saves them; APM
 * Vol 2, 15.5.1 and 15.6); while DR0-3 are not live, every guest access
 * to DR0-3 and every write to DR7 is intercepted (15.12.1).
 */
#define SVM_DR_INTERCEPTS \
	(SVM_INTERCEPT_DR_READ(0) | SVM_INTERCEPT_DR_READ(1) | \
	 SVM_INTERCEPT_DR_READ(2) | SVM_INTERCEPT_DR_READ(3) | \
	 SVM_INTERCEPT_DR_WRITE(0) | SVM_INTERCEPT_DR_WRITE(1) | \
	 SVM_INTERCEPT_DR_WRITE(2) | SVM_INTERCEPT_DR_WRITE(3) | \
	 SVM_INTERCEPT_DR_WRITE(7))

/*
 * 15.7.2: an exit in the middle of delivering an event leaves it in
 * EXITINTINFO; the next entry must deliver it again.  Not so for INTn,
 * INT3 and INTO: their RIP is still the instruction's, and injecting them
 * would need the return address in NEXT_RIP (15.20) - the guest simply
 * runs the instruction again, which raises the event again.
 */
static u64 svm_reinject(u64 info)
{
	u64 type = info & SVM_EVTINJ_TYPE_MASK, vec = info & SVM_EVTINJ_VEC_MASK;

	if (!(info & SVM_EVTINJ_VALID) || type == SVM_EVTINJ_TYPE_SOFT ||
	    (type == SVM_EVTINJ_TYPE_EXC && (vec == 3 || vec == 4)))
		return 0;
	return info;
}

/* APM Vol 2, 15.7.2, 15.20: EXITINTINFO for the core (an NPF there is no MMIO) */
static void svm_exit_event(u64 info, struct hv_exit_event *ev)
{
	if (!(info & SVM_EVTINJ_VALID))
		return;
	ev->valid = true;
	ev->vector = info & SVM_EVTINJ_VEC_MASK;
	ev->type = (info & SVM_EVTINJ_TYPE_MASK) >> 8;
	ev->has_error = info & SVM_EVTINJ_ERR_VALID;
	ev->error = info >> 32;
}

/* APM Vol 2, 15.10.2: IOIO's EXITINFO1; EXITINFO2 always holds the next RIP */
static void svm_exit_io(const struct vmcb_control *c, struct hv_exit *exit)
{
	u64 info1 = c->exitinfo1;

	exit->code = HV_X_IO;
	exit->io.port = info1 >> SVM_IOIO_PORT_SHIFT;
	/* SZ8, SZ16, SZ32: one-hot in bits 6:4 */
	exit->io.size = info1 & (4 << SVM_IOIO_SIZE_SHIFT) ? 4 :
			info1 & (2 << SVM_IOIO_SIZE_SHIFT) ? 2 : 1;
	exit->io.in = info1 & SVM_IOIO_IN;
	exit->io.string = info1 & SVM_IOIO_STR;
	exit->io.rep = info1 & SVM_IOIO_REP;
	exit->next_rip = c->exitinfo2;
}

/* APM Vol 2, Appendix C: the exit codes hv only renames */
static const struct hv_exit_map svm_exit_map[] = {
	/* instructions the core completes and skips */
	{ SVM_EXIT_CPUID,	HV_X_CPUID,	SVM_LEN_CPUID },
	{ SVM_EXIT_HLT,		HV_X_HLT,	SVM_LEN_HLT },
	{ SVM_EXIT_PAUSE,	HV_X_PAUSE,	SVM_LEN_PAUSE },
	{ SVM_EXIT_VMMCALL,	HV_X_HYPERCALL,	SVM_LEN_VMMCALL },
	{ SVM_EXIT_XSETBV,	HV_X_XSETBV,	SVM_LEN_XSETBV },
	/*
	 * Instructions that reach past the guest (hv_handle_host_insn).
	 * Without NRIPS, next_rip 0 asks the core to decode the length:
	 * a WBNOINVD (f3 0f 09) exits as WBINVD, and prefixes are legal.
	 */
	{ SVM_EXIT_INVD,	HV_X_INVD,	HV_XM_NRIP },
	{ SVM_EXIT_WBINVD,	HV_X_WBINVD,	HV_XM_NRIP },
	/* the host's interrupts and NMIs; #UD (hv_handle_ud()); shutdown */
	{ SVM_EXIT_INTR,	HV_X_INTR },
	{ SVM_EXIT_NMI,		HV_X_NMI },
	{ SVM_EXIT_EXCP_UD,	HV_X_UD },
	{ SVM_EXIT_SHUTDOWN,	HV_X_SHUTDOWN },
	/* SVM instructions: no nesting */
	{ SVM_EXIT_INVLPGA,	HV_X_VIRT_INSN },
	{ SVM_EXIT_VMRUN,	HV_X_VIRT_INSN },
	{ SVM_EXIT_VMLOAD,	HV_X_VIRT_INSN },
	{ SVM_EXIT_VMSAVE,	HV_X_VIRT_INSN },
	{ SVM_EXIT_STGI,	HV_X_VIRT_INSN },
	{ SVM_EXIT_CLGI,	HV_X_VIRT_INSN },
	{ SVM_EXIT_SKINIT,	HV_X_VIRT_INSN },
	/* The rest of hv_handle_host_insn()'s: #UD or #GP, no next_rip */
	{ SVM_EXIT_MONITOR,	HV_X_MONITOR },
	{ SVM_EXIT_MWAIT,	HV_X_MWAIT },
	{ SVM_EXIT_MWAIT_COND,	HV_X_MWAIT },
	{ SVM_EXIT_RDPMC,	HV_X_RDPMC },
	{ SVM_EXIT_RDPRU,	HV_X_RDPRU },
};

/* An exit svm_exit_map renames; any other, one hv does not expect */
static void svm_exit_renamed(struct svm_vcpu *sv, struct hv_exit *exit)
{
	const struct vmcb_control *c = &sv->vmcb->control;
	const struct hv_exit_map *m;

	m = hv_exit_lookup(svm_exit_map, ARRAY_SIZE(svm_exit_map),
			   c->exitcode);
	if (!m) {
		exit->code = HV_X_UNHANDLED;
		exit->hw.reason = c->exitcode;
		exit->hw.qual = c->exitinfo1;
	} else {
		exit->code = m->code;
		if (m->skip == HV_XM_NRIP)
			exit->next_rip = svm_nrip_or_zero(sv);
		else if (m->skip)
			exit->next_rip = svm_next_rip(sv, m->skip);
	}
}

/*
 * Exits for one guest instruction the core completes and skips, besides
 * svm_exit_map's: the code and next_rip (without NRIPS, from the fixed
 * length; 0 where the core must decode it).  False for any other exit.
 */
static bool svm_translate_insn(struct svm_vcpu *sv, struct hv_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;
	u64 info1 = c->exitinfo1;

	switch (c->exitcode) {
	case SVM_EXIT_IOIO:
		svm_exit_io(c, exit);
		break;
	case SVM_EXIT_MSR:
		exit->code = info1 ? HV_X_WRMSR : HV_X_RDMSR;
		exit->msr.index = sv->vcpu.regs.rcx;
		exit->next_rip = svm_next_rip(sv, SVM_LEN_MSR);
		break;
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
	case SVM_EXIT_WRITE_CR8:
		/*
		 * 15.33.1: with decode assists EXITINFO1 names the source
		 * register of a MOV CR (bit 63 clear: CLTS or LMSW); without,
		 * the core decodes it.
		 */
		exit->code = HV_X_CR_WRITE;
		exit->cr.cr = c->exitcode - SVM_EXIT_WRITE_CR0;
		exit->cr.gpr = info1 & SVM_CR_DECODED ? (int)(info1 & 15) : -1;
		exit->next_rip = svm_nrip_or_zero(sv);
		break;
	default:
		return false;
	}
	return true;
}

/*
 * A VINTR exit inside an interrupt shadow, which hardware never makes
 * (15.21.4: V_IRQ is taken only where a physical interrupt could be;
 * 15.21.5), and QEMU's TCG before 9.1 does, in two ways seen on the amd
 * rig: at once at a VMRUN given a shadow, and right after an STI with
 * IF=0 that is the first instruction after VMRUN (svm_enable_irq_window,
 * docs/decisions.md).  Most instructions then merely see the interrupt
 * one instruction early, but a HLT (`sti; hlt`, every idle loop) would
 * take the interrupt before it runs, return to it and sleep with its
 * wake-up spent.  On hardware that HLT runs first and its intercept
 * finds the interrupt pending (hv_handle_hlt), which then returns past
 * it: do that here, complete the HLT (SDM Vol 2A, HLT; Vol 2B, STI: the
 * next instruction runs before an interrupt).  The HLT had not run: it
 * would have exited.
 */
static void svm_vintr_in_shadow(struct svm_vcpu *sv)
{
	struct hvk_vcpu *vcpu = &sv->vcpu;
	u64 rip = vcpu->regs.rip;
	int mode;
	u8 b[2];

	if (sv->vmcb->control.event_inj)
		return;
	if (rip == sv->entry_rip && sv->entry_shadow) {
		/* the shadow this VMRUN was given */
		if (hv_fetch_insn(vcpu, b, 1, &mode) != 1 || b[0] != 0xf4)
			return;
	} else if (rip == sv->entry_rip + 1 && !sv->entry_if) {
		/* STI (0xfb) with IF=0 ran, then HLT (0xf4) was next */
		if (hv_fetch_insn_at(vcpu, sv->entry_rip, b, 2, &mode) != 2 ||
		    b[0] != 0xfb || b[1] != 0xf4)
			return;
	} else {
		return;
	}
	hv_skip_insn(vcpu, rip + 1);
}

/*
 * The exits of the event machinery (svm_vcpu.c has the other half):
 *
 * VINTR	the guest would take the virtual interrupt that
 *		enable_irq_window raised: it can take an interrupt now
 *		(15.21.4).  Take V_IRQ down, the core injects the real one.
 * IRET		the guest's NMI handler returns (15.8.1: intercepted before
 *		it runs).  Blocking ends when the IRET completes: at the
 *		first exit with RIP elsewhere (svm_vcpu_run), or at once
 *		through the single-step an NMI waiting for it asks for.
 * #DB		only intercepted while single-stepping for an NMI window: the
 *		step is done.  The guest's own single-step, if it had TF set,
 *		is its #DB too (SDM Vol 3A, 17.3.1.4).
 */
static void svm_exit_events(struct svm_vcpu *sv, struct hv_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;

	switch (c->exitcode) {
	case SVM_EXIT_VINTR:
		c->v_intr &= ~SVM_V_IRQ;
		c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
		svm_vintr_in_shadow(sv);
		exit->code = HV_X_IRQ_WINDOW;
		break;
	case SVM_EXIT_IRET:
		c->intercept_misc1 &= ~SVM_INTERCEPT_IRET;
		sv->nmi_iret = true;
		sv->nmi_iret_rip = sv->vcpu.regs.rip;
		exit->code = HV_X_NMI_WINDOW;
		break;
	default:	/* SVM_EXIT_EXCP_DB */
		if (svm_debug_db(sv, exit))
			break;
		if (sv->nmi_ss) {
			bool guest_tf = sv->nmi_ss_tf;
			u64 dr6 = sv->vmcb->save.dr6;

			svm_nmi_step_end(sv);
			if (guest_tf) {
				sv->vmcb->save.dr6 = sv->nmi_ss_dr6 |
						     (dr6 & DR_STEP);
				svm_inject_exception(&sv->vcpu, 1, false, 0);
			}
			exit->code = HV_X_NMI_WINDOW;
		} else {
			svm_inject_exception(&sv->vcpu, 1, false, 0);
			exit->code = HV_X_NONE;
		}
		break;
	}
}

static void svm_translate_exit(struct svm_vcpu *sv, struct hv_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;
	u64 info1 = c->exitinfo1;

	if (svm_translate_insn(sv, exit))
		return;
	/* APM Vol 2, Appendix C: the exit codes */
	switch (c->exitcode) {
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 3:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 3:
	case SVM_EXIT_WRITE_DR7:
		exit->code = HV_X_DR_ACCESS;	/* the core makes DR0-3 live */
		break;
	case SVM_EXIT_NPF:
		/* APM Vol 2, 15.25.6: EXITINFO2 is the guest-physical address */
		exit->code = HV_X_NPF;
		exit->npf.gpa = c->exitinfo2;
		exit->npf.write = info1 & SVM_NPF_WRITE;
		exit->npf.fetch = info1 & SVM_NPF_FETCH;
		break;
	case SVM_EXIT_VINTR:
	case SVM_EXIT_IRET:
	case SVM_EXIT_EXCP_DB:
		svm_exit_events(sv, exit);
		break;
	case SVM_EXIT_EXCP_BP:
		/* HV_GUESTDBG_SW_BP: an INT3, RIP still on it (15.12) */
		exit->code = HV_X_DEBUG;
		exit->debug.vector = 3;
		break;
	case SVM_EXIT_SWINT:
		svm_exit_swint(sv, exit);
		break;
	case SVM_EXIT_INVALID:
		/* APM Vol 2, 15.5.1: VMRUN found the guest state inconsistent */
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = c->exitcode;
		exit->hw.qual = info1;
		break;
	default:
		svm_exit_renamed(sv, exit);
		break;
	}
}

/*
 * APM Vol 2, 15.16: give @sv an ASID on this CPU if its own is of an
 * older generation (or it just arrived).  Interrupts are off.
 */
static void svm_new_asid(struct svm_vcpu *sv, struct svm_asid_cpu *ac)
{
	struct vmcb_control *c = &sv->vmcb->control;

	if (sv->asid_generation == ac->generation && c->asid)
		return;
	if (ac->next_asid > ac->max_asid) {
		ac->generation++;
		ac->next_asid = 1;
		ac->flush_pending = true;
	}
	c->asid = ac->next_asid++;
	sv->asid_generation = ac->generation;
}

/*
 * Guest debugging (hv_debug.c), per entry: #BP for INT3 breakpoints -
 * and INTn, since QEMU's TCG (7.2) checks the INTn intercept for INT3
 * where the hardware checks #BP (APM Vol 2, 15.12: exception
 * intercepts; 15.13.1: INTn); #DB for the debugger's DR0-3 and single
 * steps, and for svm_vcpu.c's NMI-window step.
 */
#define SVM_EXC_BP	BIT(3)
#define SVM_EXC_DB	BIT(1)

static void svm_debug_intercepts(struct svm_vcpu *sv)
{
	struct vmcb_control *c = &sv->vmcb->control;
	u32 dbg = sv->vcpu.dbg_flags;

	if (dbg & HV_GUESTDBG_SW_BP) {
		c->intercept_exceptions |= SVM_EXC_BP;
		c->intercept_misc1 |= SVM_INTERCEPT_INTN;
	} else {
		c->intercept_exceptions &= ~SVM_EXC_BP;
		c->intercept_misc1 &= ~SVM_INTERCEPT_INTN;
	}
	if (dbg & (HV_GUESTDBG_SINGLESTEP | HV_GUESTDBG_HW_BP) || sv->nmi_ss)
		c->intercept_exceptions |= SVM_EXC_DB;
	else
		c->intercept_exceptions &= ~SVM_EXC_DB;
}

/*
 * An intercepted #DB: the debugger's when it is a step of its own (BS,
 * TF set by svm_vcpu_run) or a hit of its enabled DR0-3 (B0-B3).  The
 * CPU has written DR6 (the VMCB's) already; a step's BS is hv's, so the
 * guest's DR6 comes back.  False: not the debugger's.
 */
static bool svm_debug_db(struct svm_vcpu *sv, struct hv_exit *exit)
{
	u32 dbg = sv->vcpu.dbg_flags;
	u64 dr6 = sv->vmcb->save.dr6, hit = 0, enabled = 0;
	unsigned int i;

	if (dbg & HV_GUESTDBG_SINGLESTEP)
		hit |= dr6 & DR_STEP;
	if (dbg & HV_GUESTDBG_HW_BP) {
		for (i = 0; i < 4; i++)	/* SDM Vol 3B, 18.2.4: L/G bits */
			if (sv->vcpu.dbg_dr7 & (3ULL << (2 * i)))
				enabled |= BIT_ULL(i);
		hit |= dr6 & enabled;
	}
	if (!hit)
		return false;
	if (sv->nmi_ss)
		svm_nmi_step_end(sv);
	else if (sv->dbg_tf)
		sv->vmcb->save.dr6 = sv->dbg_dr6;
	exit->code = HV_X_DEBUG;
	exit->debug.vector = 1;
	exit->debug.dr6 = DR6_RESERVED | (dr6 & (DR_TRAP_BITS | DR_STEP));
	return true;
}

/*
 * The INTn intercept (only on with HV_GUESTDBG_SW_BP): INT3 (cc) is a
 * breakpoint; INT n (cd n) is the guest's, delivered as the software
 * interrupt it is, with NEXT_RIP past it (15.20).  Anything else there
 * (INTO, rewritten bytes) stops for the debugger rather than loop.
 */
static void svm_exit_swint(struct svm_vcpu *sv, struct hv_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;
	u8 b[2];
	int n, mode;

	n = hv_fetch_insn(&sv->vcpu, b, sizeof(b), &mode);
	if (n == 2 && b[0] == 0xcd) {
		c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_SOFT | b[1];
		sv->soft_next_rip = sv->vcpu.regs.rip + 2;
		exit->code = HV_X_NONE;
		return;
	}
	exit->code = HV_X_DEBUG;
	exit->debug.vector = 3;
}

/*
 * Interrupts on: what this entry intercepts.  No CR0/CR4 guest/host masks
 * on AMD-V: every CR0 write exits (MOV, and CLTS and LMSW: 15.9.1) and,
 * while the guest may not set CR4.OSXSAVE (its CPUID hides XSAVE), every
 * MOV to CR4; the core checks them (hv_handle_cr_write).  DR accesses
 * exit while the core has DR0-3 not live (15.12.1).
 */
static void svm_set_intercepts(struct svm_vcpu *sv)
{
	struct vmcb_control *c = &sv->vmcb->control;

	c->intercept_cr |= SVM_INTERCEPT_CR0_WRITE | SVM_INTERCEPT_CR8_WRITE;
	/*
	 * 15.21.2: with V_INTR_MASKING, CR8 reads V_TPR: keep it the APIC's
	 * TPR[7:4] (the writes exit: the APIC decides what they unmask).
	 */
	c->v_intr = (c->v_intr & ~0xfULL) | hv_lapic_get_cr8(&sv->vcpu);
	if (sv->vcpu.xcr0_allowed)
		c->intercept_cr &= ~SVM_INTERCEPT_CR4_WRITE;
	else
		c->intercept_cr |= SVM_INTERCEPT_CR4_WRITE;
	c->intercept_dr = sv->vcpu.db_live ? 0 : SVM_DR_INTERCEPTS;
	svm_debug_intercepts(sv);
}

/*
 * Interrupts off: TLB_CONTROL and the ASID for this VMRUN (15.16.1).  A
 * vCPU arriving on a CPU, or whose ASID there belongs to an older
 * generation, takes a fresh ASID; when the CPU runs out, a new generation
 * starts with the whole TLB flushed.  Otherwise flush this ASID's
 * translations when the core says the nested page tables changed.
 */
static struct svm_asid_cpu *svm_pick_tlb(struct svm_vcpu *sv, int cpu,
					 bool flush)
{
	struct vmcb_control *c = &sv->vmcb->control;
	struct svm_asid_cpu *ac;

	c->tlb_control = 0;
	if (sv->last_cpu != cpu) {
		sv->asid_generation = 0;
		sv->last_cpu = cpu;
	}
	if (flush)
		c->tlb_control = hv_host_caps.features & HV_FEAT_FLUSH_BY_ASID ?
				 SVM_TLB_FLUSH_ASID : SVM_TLB_FLUSH_ALL;
	ac = this_cpu_ptr(&svm_asid_cpu);
	svm_new_asid(sv, ac);
	/*
	 * 15.16.1 TLB_CONTROL 1: every ASID's entries on this CPU, at each
	 * VMRUN here until one got past its checks (a VMRUN that fails them
	 * may not have flushed), so no fresh ASID meets an old generation's.
	 */
	if (ac->flush_pending)
		c->tlb_control = SVM_TLB_FLUSH_ALL;
	return ac;
}

int svm_vcpu_run(struct hvk_vcpu *vcpu, struct hv_exit *exit)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb *vmcb = sv->vmcb;
	struct svm_asid_cpu *ac;
	struct hv_entry e;
	bool dbg_dr7;
	u64 efer;
	int cpu, r;

	svm_set_intercepts(sv);
	local_irq_disable();

	/*
	 * A reboot switches SVM off on every CPU (hv_virt.c) while a vCPU
	 * may still be in this loop; CLGI and VMRUN would then #UD in the
	 * host.  With interrupts off, no IPI can switch it off from here to
	 * the #VMEXIT.  (VT-x: vmx_vmenter() returns 2 instead.)
	 */
	rdmsrl(MSR_EFER, efer);
	if (!(efer & EFER_SVME)) {
		local_irq_enable();
		return -EIO;
	}

	cpu = smp_processor_id();
	e = hv_guest_enter_irqoff(vcpu, vmcb->save.cr4);
	if (e.cancel) {
		/* A request came: back to the core's loop, nothing entered */
		local_irq_enable();
		exit->code = HV_X_NONE;
		return 0;
	}
	ac = svm_pick_tlb(sv, cpu, e.flush);

	vmcb->save.rax = vcpu->regs.rax;
	vmcb->save.rsp = vcpu->regs.rsp;
	vmcb->save.rip = vcpu->regs.rip;
	vmcb->save.rflags = vcpu->regs.rflags;
	/* A debugger's step: TF in the VMCB only, #DB intercepted */
	sv->dbg_tf = (vcpu->dbg_flags & HV_GUESTDBG_SINGLESTEP) &&
		     !(vcpu->regs.rflags & X86_EFLAGS_TF);
	if (sv->dbg_tf) {
		vmcb->save.rflags |= X86_EFLAGS_TF;
		sv->dbg_dr6 = vmcb->save.dr6;
	}
	if (sv->nmi_ss)		/* stepping for an NMI window: svm_vcpu.c */
		vmcb->save.rflags |= X86_EFLAGS_TF;
	/* The core completed the instruction: its shadow is over (15.21.5) */
	if (vcpu->regs.rip != sv->exit_rip)
		vmcb->control.int_state &= ~SVM_INT_SHADOW;
	sv->entry_rip = vcpu->regs.rip;
	sv->entry_shadow = vmcb->control.int_state & SVM_INT_SHADOW;
	sv->entry_if = vcpu->regs.rflags & X86_EFLAGS_IF;
	vmcb->control.next_rip = sv->soft_next_rip;	/* an INTn: 15.20 */
	sv->soft_next_rip = 0;
	/* A queued #BP/#OF returns past its INT3/INTO (svm_vcpu.c) */
	if (sv->soft_exc_len) {
		vmcb->save.rip += sv->soft_exc_len;
		vmcb->control.next_rip = vmcb->save.rip;
	}

	/*
	 * A debugger's DR7 under an emulator: QEMU's TCG (7.2 to 9.x) loads
	 * DR7 at VMRUN without arming its breakpoints, which only a MOV to
	 * DR7 does (cpu_x86_update_dr7); so the host writes the guest's DR7
	 * itself right before VMRUN (DR0-3 are the guest's already) and
	 * disables it right after.  Only under a hypervisor, where VMRUN is
	 * emulated; on bare metal VMRUN loads DR7 (APM Vol 2, 15.5.1).
	 */
	dbg_dr7 = (vcpu->dbg_flags & HV_GUESTDBG_HW_BP) &&
		  boot_cpu_has(X86_FEATURE_HYPERVISOR);
	if (dbg_dr7)
		set_debugreg(vmcb->save.dr7, 7);
	svm_clgi();
	svm_vmsave(page_to_phys(per_cpu(svm_host_save_page, cpu)));
	r = svm_vmrun(&vcpu->regs, sv->vmcb_pa,
		      page_to_phys(per_cpu(svm_host_save_page, cpu)));
	if (dbg_dr7)
		set_debugreg(0x400, 7);		/* the host's: none enabled */
	hv_guest_exit_irqoff(vcpu, e);
	if (r == HV_ENTER_EXIT && vmcb->control.exitcode != SVM_EXIT_INVALID)
		ac->flush_pending = false;
	svm_stgi();
	local_irq_enable();

	if (r != HV_ENTER_EXIT)
		return -EIO;	/* SVM is off: the host is rebooting */

	vcpu->regs.rax = vmcb->save.rax;
	vcpu->regs.rsp = vmcb->save.rsp;
	vcpu->regs.rip = vmcb->save.rip;
	vcpu->regs.rflags = vmcb->save.rflags;
	if (sv->nmi_ss && !sv->nmi_ss_tf)
		vcpu->regs.rflags &= ~X86_EFLAGS_TF;	/* hv's, not the guest's */
	if (sv->dbg_tf)
		vcpu->regs.rflags &= ~X86_EFLAGS_TF;	/* the debugger's */
	sv->exit_rip = vcpu->regs.rip;
	exit->dr7 = vmcb->save.dr7;
	/* The NMI handler's IRET completed: NMIs unblocked (SDM Vol 3A, 6.7.1) */
	if (sv->nmi_iret && vcpu->regs.rip != sv->nmi_iret_rip) {
		sv->nmi_masked = false;
		sv->nmi_iret = false;
	}

	/* An event the exit interrupted: again at the next entry (15.7.2) */
	vmcb->control.event_inj = 0;
	if (vmcb->control.exitcode != SVM_EXIT_SHUTDOWN)
		vmcb->control.event_inj =
			svm_reinject(vmcb->control.exitintinfo);
	/*
	 * A queued #BP/#OF that the exit interrupted (15.7.2) or that VMRUN
	 * refused: RIP back on its instruction, which has not run, and
	 * queued again (svm_reinject leaves the guest's own INT3 to run
	 * again; this one exited before it ran).
	 */
	if (sv->soft_exc_len) {
		u64 info = vmcb->control.exitintinfo;
		u64 vec = info & SVM_EVTINJ_VEC_MASK;
		u64 type = info & SVM_EVTINJ_TYPE_MASK;
		bool again = (info & SVM_EVTINJ_VALID) &&
			     type == SVM_EVTINJ_TYPE_EXC &&
			     (vec == 3 || vec == 4) &&
			     vmcb->control.exitcode != SVM_EXIT_SHUTDOWN;

		if (again || vmcb->control.exitcode == SVM_EXIT_INVALID) {
			vcpu->regs.rip -= sv->soft_exc_len;
			sv->exit_rip = vcpu->regs.rip;
		}
		if (again)
			vmcb->control.event_inj = SVM_EVTINJ_VALID |
						  SVM_EVTINJ_TYPE_EXC | vec;
		else
			sv->soft_exc_len = 0;
	}

	svm_exit_event(vmcb->control.exitintinfo, &exit->event);
	svm_translate_exit(sv, exit);
	/* APM Vol 2, 15.6: for the tracepoints (hv_trace.h) */
	exit->raw.reason = vmcb->control.exitcode;
	exit->raw.info1 = vmcb->control.exitinfo1;
	exit->raw.info2 = vmcb->control.exitinfo2;
	return 0;
}
