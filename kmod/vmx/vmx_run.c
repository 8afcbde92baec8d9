// SPDX-License-Identifier: GPL-2.0
/*
 * Entering an Intel VT-x guest once, and turning the VM exit into hv's
 * vendor-neutral exit record.
 *
 * Order of one entry (compare KVM's vmx_vcpu_run), inside the core's
 * hv_enter_guest() with the guest's FPU registers loaded (preemption
 * off), one function per phase:
 *   VMCS current here; host state that is the task's (vmx_save_host)
 *   interrupts off; the core's entry bracket (XCR0, DR0-3, NPT/EPT
 *   generation; a request that came late cancels the entry); TLB
 *   flushes, host and guest state into the VMCS, the event to inject
 *   and the window exits, guest CR2 and DR6 (vmx_load_guest);
 *   VMLAUNCH/VMRESUME
 *   guest DR6; the core's exit bracket; read the exit (vmx_read_exit);
 *   host DEBUGCTL, GDT, TR and DS/ES/FS/GS (vmx_restore_host)
 *   an interrupt or NMI the exit took goes to the host (vmx_host_events)
 *   interrupts on; translate the exit (vmx_translate_exit)
 */
#include "vmx/vmx.h"

#include <linux/io.h>
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>

/* SDM Vol 3C, 29.4.3.3-4: INVEPT / INVVPID descriptors */
static void vmx_invept_single(u64 eptp)
{
	struct { u64 eptp, rsvd; } desc = { eptp, 0 };

	asm volatile("invept %0, %1"
		     : : "m" (desc), "r" ((u64)VMX_EPT_EXTENT_CONTEXT)
		     : "cc", "memory");
}

static void vmx_invvpid_single(u16 vpid)
{
	struct { u64 vpid, gla; } desc = { vpid, 0 };

	asm volatile("invvpid %0, %1"
		     : : "m" (desc), "r" ((u64)VMX_VPID_EXTENT_SINGLE_CONTEXT)
		     : "cc", "memory");
}

/*
 * CR access (SDM Vol 3C, 28.2.1, Table 28-3: the qualification).  MOV to
 * CR0/CR4 that touched a bit the host owns goes to the core, which has
 * the rules for both vendors (hv_handle_cr_write).  CR8 (TPR) is never
 * passed through: emulated here.  CLTS and LMSW exit only if the mask
 * gave the host one of CR0[3:0] (25.6.6), which today it never does;
 * should they, the core decodes them (gpr -1), the memory form of LMSW
 * included.  Anything else gets #GP, as MOV to CR does.
 */
static void vmx_exit_cr(struct vmx_vcpu *vv, u64 qual, u64 next_rip,
			struct hv_exit *exit)
{
	unsigned int cr = qual & 15, type = (qual >> 4) & 3;
	u64 *gpr = hv_gpr(&vv->vcpu.regs, (qual >> 8) & 15);

	exit->code = HV_X_NONE;
	if (type == 0 && (cr == 0 || cr == 4)) {	/* MOV to CR0/CR4 */
		exit->code = HV_X_CR_WRITE;
		exit->cr.cr = cr;
		exit->cr.gpr = (qual >> 8) & 15;
		exit->next_rip = next_rip;
		return;
	}
	if (type == 2 || type == 3) {			/* CLTS, LMSW */
		exit->code = HV_X_CR_WRITE;
		exit->cr.cr = 0;
		exit->cr.gpr = -1;
		exit->next_rip = next_rip;
		return;
	}
	/* SDM Vol 3A, 10.8.6.1: CR8 is the local APIC's TPR[7:4] */
	if (type == 1 && cr == 8) {			/* MOV from CR8 */
		*gpr = hv_lapic_get_cr8(&vv->vcpu);
	} else if (type == 0 && cr == 8 && *gpr <= 15) {	/* MOV to CR8 */
		hv_lapic_set_cr8(&vv->vcpu, *gpr);
	} else {
		vmx_inject_exception(&vv->vcpu, 13, true, 0);
		return;
	}
	hv_skip_insn(&vv->vcpu, next_rip);
}

/*
 * The processor-based controls that change between entries, written
 * only when they do (vv->exec_ctls holds what the VMCS has):
 *
 * Guest debug registers: the core decides when DR0-3 are live (hv_cr.c);
 * here MOV-DR exiting (SDM Vol 3C, 25.6.2) is on exactly while they are
 * not.  DR7 is VMCS state (loaded at entry, saved at exit with the
 * debug-controls bits: SDM Vol 3C, 25.7.1 / 25.8.1); DR6 is not, and a
 * guest #DB also writes it: one read per exit, the guest's kept in
 * vv->dr6, the host given DR6_RESERVED back, the value Linux keeps there.
 *
 * Interrupt- and NMI-window exiting (SDM Vol 3C, 27.7.5-6): on while the
 * core waits for the guest to be able to take an interrupt or NMI, off
 * again when that exit comes (vmx_translate_exit).
 */
static void vmx_exec_controls(struct vmx_vcpu *vv)
{
	u32 ctl = vv->exec_ctls & ~(CPU_BASED_MOV_DR_EXITING |
				    CPU_BASED_INTR_WINDOW_EXITING |
				    CPU_BASED_NMI_WINDOW_EXITING |
				    CPU_BASED_MONITOR_TRAP_FLAG);
	u32 dbg = vv->vcpu.dbg_flags, exc = BIT(6);	/* #UD: hv_handle_ud() */

	/*
	 * Guest debugging (hv_debug.c): #BP for INT3 breakpoints, #DB for
	 * the debugger's DR0-3 (SDM Vol 3C, 25.6.3: the exception bitmap),
	 * and MTF for a single step (26.5.2).
	 */
	if (dbg & HV_GUESTDBG_SW_BP)
		exc |= BIT(3);
	if ((dbg & HV_GUESTDBG_HW_BP) || vv->dbg_tf)
		exc |= BIT(1);
	if (exc != vv->exc_bitmap) {
		vmcs_write(EXCEPTION_BITMAP, exc);
		vv->exc_bitmap = exc;
	}
	if (dbg & HV_GUESTDBG_SINGLESTEP)
		ctl |= vmx_mtf_ctl;
	if (!vv->vcpu.db_live)
		ctl |= CPU_BASED_MOV_DR_EXITING;
	if (vv->irq_window)
		ctl |= vmx_window_ctls & CPU_BASED_INTR_WINDOW_EXITING;
	if (vv->nmi_window)
		ctl |= vmx_window_ctls & CPU_BASED_NMI_WINDOW_EXITING;
	if (ctl == vv->exec_ctls)
		return;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl);
	vv->exec_ctls = ctl;
}

/* What the exit left in the VMCS, read with interrupts off */
struct vmx_exit_info {
	int r;			/* vmx_vmenter(): HV_ENTER_* */
	u32 reason;		/* SDM Vol 3C, 28.2.1 */
	u32 intr_info;		/* SDM Vol 3C, 28.2.2 */
	u32 insn_err;		/* SDM Vol 3C, 31.4, for HV_ENTER_VMFAIL */
	u64 qual;		/* SDM Vol 3C, 28.2.1 */
	u64 next_rip;
};

/* The host state that is the current task's, not the CPU's */
struct vmx_host {
	u16 ds, es, fs, gs;
	u64 fsbase;
	unsigned long debugctl;
	int cpu;
};

static u32 vmx_basic_reason(const struct vmx_exit_info *x)
{
	return x->reason & 0xffff;
}

/* SDM Vol 3C, 28.2.2: an NMI the exit took (the host's) */
static bool vmx_exit_is_nmi(const struct vmx_exit_info *x)
{
	return vmx_basic_reason(x) == EXIT_REASON_EXCEPTION_NMI &&
	       (x->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR;
}

/* SDM Vol 3C, Table 28-5: I/O instruction qualification */
static void vmx_exit_io(u64 qual, struct hv_exit *exit)
{
	exit->code = HV_X_IO;
	exit->io.size = (qual & 7) + 1;
	exit->io.in = qual & BIT(3);
	exit->io.string = qual & BIT(4);
	exit->io.rep = qual & BIT(5);
	exit->io.port = qual >> 16;
}

#define VMX_EXIT_GETSEC		11	/* not in <asm/vmx.h> */

/* SDM Vol 3D, Appendix C: the basic exit reasons hv only renames */
static const struct hv_exit_map vmx_exit_map[] = {
	/* instructions the core completes and skips */
	{ EXIT_REASON_CPUID,		HV_X_CPUID,	HV_XM_NRIP },
	{ EXIT_REASON_HLT,		HV_X_HLT,	HV_XM_NRIP },
	{ EXIT_REASON_PAUSE_INSTRUCTION, HV_X_PAUSE,	HV_XM_NRIP },
	{ EXIT_REASON_VMCALL,		HV_X_HYPERCALL,	HV_XM_NRIP },
	{ EXIT_REASON_XSETBV,		HV_X_XSETBV,	HV_XM_NRIP },
	/* SDM Vol 3C, 26.1.2 (INVD: always), 26.1.3 (WBINVD and WBNOINVD) */
	{ EXIT_REASON_INVD,		HV_X_INVD,	HV_XM_NRIP },
	{ EXIT_REASON_WBINVD,		HV_X_WBINVD,	HV_XM_NRIP },
	/* interrupts, the preemption timer: back to the loop's checks */
	{ EXIT_REASON_EXTERNAL_INTERRUPT, HV_X_INTR },
	{ EXIT_REASON_PREEMPTION_TIMER,	HV_X_INTR },
	/* a triple fault: the guest shuts down */
	{ EXIT_REASON_TRIPLE_FAULT,	HV_X_SHUTDOWN },
	/* the rest of hv_handle_host_insn()'s: #UD or #GP, no next_rip */
	{ EXIT_REASON_MONITOR_INSTRUCTION, HV_X_MONITOR },
	{ EXIT_REASON_MWAIT_INSTRUCTION, HV_X_MWAIT },
	{ EXIT_REASON_RDPMC,		HV_X_RDPMC },
	/* SMX and VMX instructions: no nesting */
	{ VMX_EXIT_GETSEC,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMCLEAR,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMLAUNCH,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMPTRLD,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMPTRST,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMREAD,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMRESUME,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMWRITE,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMOFF,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMON,		HV_X_VIRT_INSN },
	{ EXIT_REASON_INVEPT,		HV_X_VIRT_INSN },
	{ EXIT_REASON_INVVPID,		HV_X_VIRT_INSN },
	{ EXIT_REASON_VMFUNC,		HV_X_VIRT_INSN },
};

/* An exit vmx_exit_map renames; any other, one hv does not expect */
static void vmx_exit_renamed(const struct vmx_exit_info *x,
			     struct hv_exit *exit)
{
	const struct hv_exit_map *m;

	m = hv_exit_lookup(vmx_exit_map, ARRAY_SIZE(vmx_exit_map),
			   vmx_basic_reason(x));
	if (!m) {
		exit->code = HV_X_UNHANDLED;
		exit->hw.reason = x->reason;
		exit->hw.qual = x->qual;
		return;
	}
	exit->code = m->code;
	if (m->skip)
		exit->next_rip = x->next_rip;
}

/*
 * Exits for one guest instruction the core completes and skips, besides
 * vmx_exit_map's: the code, and next_rip.  False for any other exit.
 */
static bool vmx_translate_insn(struct vmx_vcpu *vv,
			       const struct vmx_exit_info *x,
			       struct hv_exit *exit)
{
	/* SDM Vol 3D, Appendix C: basic exit reasons */
	switch (vmx_basic_reason(x)) {
	case EXIT_REASON_MSR_READ:
		exit->code = HV_X_RDMSR;
		exit->msr.index = vv->vcpu.regs.rcx;
		break;
	case EXIT_REASON_MSR_WRITE:
		exit->code = HV_X_WRMSR;
		exit->msr.index = vv->vcpu.regs.rcx;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		vmx_exit_io(x->qual, exit);
		break;
	default:
		return false;
	}
	exit->next_rip = x->next_rip;
	return true;
}

/*
 * An exception in the bitmap (SDM Vol 3C, 28.2.2: its vector in the
 * VM-exit interruption information).  #UD: hv_handle_ud().  #BP: an
 * INT3 with HV_GUESTDBG_SW_BP, RIP still on it (27.1: the exception was
 * not delivered).  #DB, only intercepted with HV_GUESTDBG_HW_BP: the
 * qualification has the DR6 bits (Table 28-1: B0-B3, BD, BS); DR6
 * itself was not written (27.1).  A hit of the debugger's enabled
 * breakpoints stops; anything else (the guest's own TF) is the guest's:
 * its DR6 updated and the #DB delivered, as the CPU would have.
 */
static void vmx_exit_exception(struct vmx_vcpu *vv,
			       const struct vmx_exit_info *x,
			       struct hv_exit *exit)
{
	u32 vec = x->intr_info & INTR_INFO_VECTOR_MASK;
	u64 hit, enabled = 0;
	unsigned int i;

	if (vec == 3) {
		exit->code = HV_X_DEBUG;
		exit->debug.vector = 3;
		return;
	}
	if (vec != 1) {
		exit->code = HV_X_UD;
		return;
	}
	for (i = 0; i < 4; i++)		/* SDM Vol 3B, 18.2.4: L/G bits */
		if (vv->vcpu.dbg_dr7 & (3ULL << (2 * i)))
			enabled |= BIT_ULL(i);
	hit = x->qual & (DR_TRAP_BITS | BIT(13) | DR_STEP);	/* BD: 13 */
	if ((vv->vcpu.dbg_flags & HV_GUESTDBG_SINGLESTEP) && (hit & DR_STEP))
		enabled |= DR_STEP;	/* the step of vmx_load_guest's TF */
	if (hit & enabled) {
		exit->code = HV_X_DEBUG;
		exit->debug.vector = 1;
		exit->debug.dr6 = DR6_RESERVED | hit;
		return;
	}
	/* SDM Vol 3B, 18.2.3: B0-B3 cleared by nothing but software */
	vv->dr6 = (vv->dr6 | DR6_RESERVED) | hit;
	vmx_inject_exception(&vv->vcpu, 1, false, 0);
	exit->code = HV_X_NONE;
}

static void vmx_translate_exit(struct vmx_vcpu *vv,
			       const struct vmx_exit_info *x,
			       struct hv_exit *exit)
{
	/* SDM Vol 3C, 27.8: bit 31 = VM-entry failure (guest state, MSRs) */
	if (x->reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = x->reason;
		exit->hw.qual = x->qual;
		return;
	}
	if (vmx_translate_insn(vv, x, exit))
		return;

	/* SDM Vol 3D, Appendix C: basic exit reasons */
	switch (vmx_basic_reason(x)) {
	case EXIT_REASON_EXCEPTION_NMI:
		/* NMIs, #UD, and #BP/#DB while debugged (vmx_exec_controls) */
		if (vmx_exit_is_nmi(x))
			exit->code = HV_X_NMI;
		else
			vmx_exit_exception(vv, x, exit);
		break;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		/* SDM Vol 3C, 26.5.2: the debugger's step is done */
		exit->code = HV_X_DEBUG;
		exit->debug.vector = 1;
		exit->debug.dr6 = DR6_RESERVED | DR_STEP;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		/* SDM Vol 3C, Table 28-7; the GPA is its own VMCS field */
		exit->code = HV_X_NPF;
		exit->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		exit->npf.write = x->qual & BIT(1);
		exit->npf.fetch = x->qual & BIT(2);
		break;
	case EXIT_REASON_CR_ACCESS:
		vmx_exit_cr(vv, x->qual, x->next_rip, exit);
		break;
	case EXIT_REASON_DR_ACCESS:
		exit->code = HV_X_DR_ACCESS;	/* the core makes DR0-3 live */
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		vv->irq_window = false;		/* 27.7.5: off until asked again */
		exit->code = HV_X_IRQ_WINDOW;
		break;
	case EXIT_REASON_NMI_WINDOW:
		vv->nmi_window = false;		/* 27.7.6 */
		exit->code = HV_X_NMI_WINDOW;
		break;
	default:
		vmx_exit_renamed(x, exit);
		break;
	}
}

/* Phase 1, interrupts on: the task's segments, FS base, KernelGSBase */
static void vmx_save_host(struct vmx_vcpu *vv, struct vmx_host *h)
{
	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	rdmsrl(MSR_FS_BASE, h->fsbase);
	rdmsrl(MSR_KERNEL_GS_BASE, vv->host_msrs[VMX_MSR_KGS].value);
}

/* SDM Vol 3C, 29.4.3: flush what may be stale for this EPT / VPID */
static void vmx_flush_tlb(struct vmx_vcpu *vv, bool arrived,
				 bool flush)
{
	if (arrived || flush)
		vmx_invept_single(to_vmx_vm(vv->vcpu.vm)->eptp);
	if (arrived && vv->vpid)
		vmx_invvpid_single(vv->vpid);
}

/* Phase 2, interrupts off: TLB flushes, then the VMCS for this entry */
static void vmx_load_guest(struct vmx_vcpu *vv, const struct vmx_host *h,
			   bool arrived, bool flush)
{
	struct hvk_vcpu *vcpu = &vv->vcpu;

	vmx_flush_tlb(vv, arrived, flush);

	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, __read_cr4());
	vmcs_write(HOST_FS_BASE, h->fsbase);
	vmcs_write(GUEST_RIP, vcpu->regs.rip);
	vmcs_write(GUEST_RSP, vcpu->regs.rsp);
	/*
	 * A debugger's step without MTF: TF for this entry only, #DB
	 * intercepted (vmx_exec_controls), TF out of the registers again at
	 * the exit.  In an STI/MOV SS shadow, VM entry wants BS pending
	 * whenever TF is set (SDM Vol 3C, 27.3.1.5).
	 */
	vv->dbg_tf = (vcpu->dbg_flags & HV_GUESTDBG_SINGLESTEP) && !vmx_mtf_ctl &&
		     !(vcpu->regs.rflags & X86_EFLAGS_TF);
	vmcs_write(GUEST_RFLAGS, vcpu->regs.rflags |
		   (vv->dbg_tf ? X86_EFLAGS_TF : 0));
	if (vv->dbg_tf && vcpu->regs.rip == vv->exit_rip &&
	    (vv->intr_state & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, DR_STEP);
	if (vmx_preempt_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_preempt_ticks);
	/* The core completed the instruction: its STI/MOV SS shadow is over */
	if (vcpu->regs.rip != vv->exit_rip &&
	    (vv->intr_state & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))) {
		vv->intr_state &= ~(GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS);
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vv->intr_state);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vv->inject_info);
	if (vv->inject_info) {
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vv->inject_error);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vv->inject_len);
	}
	vmx_exec_controls(vv);
	/* CR2 is not part of the VMCS (SDM Vol 3C, 25.4.1) */
	if (native_read_cr2() != vv->cr2)
		native_write_cr2(vv->cr2);
	if (vv->dr6 != DR6_RESERVED)
		set_debugreg(vv->dr6, 6);
}

/*
 * Phase 3, interrupts off, after a VM exit (r == 0): the guest's state
 * back, and an event whose delivery the exit interrupted.
 */
static void vmx_read_exit(struct vmx_vcpu *vv, struct vmx_exit_info *x,
			  struct hv_exit *exit)
{
	struct hvk_vcpu *vcpu = &vv->vcpu;
	u64 idt_info, idt_err = 0, pend;

	vv->cr2 = native_read_cr2();
	x->reason = vmcs_read(VM_EXIT_REASON);
	x->qual = vmcs_read(EXIT_QUALIFICATION);
	x->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
	idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (idt_info & VECTORING_INFO_DELIVER_CODE_MASK)
		idt_err = vmcs_read(IDT_VECTORING_ERROR_CODE);
	x->next_rip = vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	vcpu->regs.rip = vmcs_read(GUEST_RIP);
	vcpu->regs.rsp = vmcs_read(GUEST_RSP);
	vcpu->regs.rflags = vmcs_read(GUEST_RFLAGS);
	if (vv->dbg_tf) {
		vcpu->regs.rflags &= ~X86_EFLAGS_TF;	/* the debugger's */
		/*
		 * An instruction that exited with TF set may leave its step
		 * pending (SDM Vol 3C, 28.3.4: BS in the pending debug
		 * exceptions); that step is the debugger's, and hv reports it
		 * itself (hv_skip_insn): the guest must not get the #DB.
		 */
		pend = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
		if (pend & DR_STEP)
			vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
				   pend & ~(u64)DR_STEP);
	}
	/* 25.4.2: shadow and NMI blocking, for the core's next injection */
	vv->intr_state = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	vv->exit_rip = vcpu->regs.rip;
	if (vcpu->db_live)
		exit->dr7 = vmcs_read(GUEST_DR7);
	/* A failed entry leaves the launch state as it was (26.7) */
	if (!(x->reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vv->launched = true;
	/*
	 * SDM Vol 3C, 28.2.4: an event whose delivery the exit interrupted
	 * is in IDT-vectoring info - an interrupt, an NMI, an exception -
	 * deliver it again (27.6.1.1 has the software events' length).
	 */
	vv->inject_info = 0;
	if (!(idt_info & VECTORING_INFO_VALID_MASK) ||
	    vmx_basic_reason(x) == EXIT_REASON_TRIPLE_FAULT)
		return;
	vv->inject_info = idt_info & ~INTR_INFO_RESVD_BITS_MASK;
	vv->inject_error = idt_err;
	vv->inject_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	/*
	 * 26.3.1.5: injecting an NMI needs blocking by NMI clear, which an
	 * exit in the middle of the NMI's delivery may have left set
	 * (28.3: as KVM's vmx_complete_interrupts does, clear it).
	 */
	if ((idt_info & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR &&
	    (vv->intr_state & GUEST_INTR_STATE_NMI)) {
		vv->intr_state &= ~GUEST_INTR_STATE_NMI;
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vv->intr_state);
	}
	/* ...and tell the core: no EPT violation is MMIO now */
	exit->event.valid = true;
	exit->event.vector = idt_info & VECTORING_INFO_VECTOR_MASK;
	exit->event.type = (idt_info & VECTORING_INFO_TYPE_MASK) >> 8;
	exit->event.has_error = idt_info & VECTORING_INFO_DELIVER_CODE_MASK;
	exit->event.error = idt_err;
}

/* Phase 4, interrupts off: what the VM exit did to the host's state */
static void vmx_restore_host(const struct vmx_host *h)
{
	/* VM exit cleared IA32_DEBUGCTL (SDM Vol 3C, 28.5.1) */
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
	/* VM exit set the GDT limit to 0xffff and zeroed DS/ES/FS/GS */
	load_fixmap_gdt(h->cpu);
	/*
	 * ... and the TR limit to 0x67 (SDM Vol 3C, 28.5.2), which cuts the
	 * TSS's I/O bitmap off: a host task using ioperm() would get #GP
	 * on its next IN/OUT.  As KVM does: reload TR now if this task has
	 * an I/O bitmap, else mark the limit stale so that the switch to
	 * the next task that has one reloads it (refresh_tss_limit()).
	 */
	invalidate_tss_limit();
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs)
		loadsegment(fs, h->fs);
	if (h->gs)
		load_gs_index(h->gs);
}

/*
 * Phase 5, interrupts off: an external interrupt exit acknowledged the
 * interrupt (SDM Vol 3C, 28.2.2: VM-exit interruption info holds its
 * vector): run the host's handler for it from the host IDT.  An NMI exit
 * took the host's NMI: raise it again, for the host.
 */
static void vmx_host_events(const struct vmx_exit_info *x)
{
	struct desc_ptr idt;
	gate_desc *gate;

	if (x->r)
		return;
	if (vmx_basic_reason(x) == EXIT_REASON_EXTERNAL_INTERRUPT &&
	    (x->intr_info & INTR_INFO_VALID_MASK)) {
		store_idt(&idt);
		gate = (gate_desc *)idt.address +
		       (x->intr_info & INTR_INFO_VECTOR_MASK);
		vmx_do_interrupt_irqoff(gate_offset(gate));
	}
	if (vmx_exit_is_nmi(x))
		apic->send_IPI_self(NMI_VECTOR);
}

int vmx_vcpu_run(struct hvk_vcpu *vcpu, struct hv_exit *exit)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	struct vmx_exit_info x = { 0 };
	struct vmx_host h;
	struct hv_entry e;
	bool arrived;

	arrived = vmx_vcpu_load(vv);
	vmx_save_host(vv, &h);

	local_irq_disable();
	h.cpu = smp_processor_id();
	h.debugctl = get_debugctlmsr();
	e = hv_guest_enter_irqoff(vcpu, vv->cr4_shadow);
	if (e.cancel) {
		/*
		 * A request came: back to the core's loop, nothing entered.
		 * A vCPU that just arrived here flushes now: the next
		 * vmx_vcpu_load() will not say it arrived.
		 */
		if (arrived)
			vmx_flush_tlb(vv, true, false);
		local_irq_enable();
		exit->code = HV_X_NONE;
		return 0;
	}
	vmx_load_guest(vv, &h, arrived, e.flush);

	x.r = vmx_vmenter(&vcpu->regs, vv->launched);

	get_debugreg(vv->dr6, 6);
	hv_guest_exit_irqoff(vcpu, e);
	if (vv->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	if (x.r == HV_ENTER_EXIT)
		vmx_read_exit(vv, &x, exit);
	else if (x.r == HV_ENTER_VMFAIL)
		x.insn_err = vmcs_read(VM_INSTRUCTION_ERROR);
	vmx_restore_host(&h);
	vmx_host_events(&x);
	local_irq_enable();

	if (x.r == HV_ENTER_FAULT)
		return -EIO;		/* VMX is off: the host is rebooting */
	if (x.r == HV_ENTER_VMFAIL) {
		/* SDM Vol 3C, 31.4: VMfailValid with an error number */
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = HV_FAIL_VMFAIL | x.insn_err;
		exit->hw.qual = 0;
		exit->raw.reason = exit->hw.reason;
		return 0;
	}
	vmx_translate_exit(vv, &x, exit);
	/* SDM Vol 3C, 28.2.1-2: for the tracepoints (hv_trace.h) */
	exit->raw.reason = x.reason;
	exit->raw.info1 = x.qual;
	exit->raw.info2 = x.intr_info;
	return 0;
}
