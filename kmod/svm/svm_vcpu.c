// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V VMs and vCPUs: ASIDs, the VMCB and its reset state, the nested
 * page-table entry format, and guest state in and out of the VMCB with
 * the consistency checks VMRUN would apply (APM Vol 2, 15.5.1).
 */
#include "svm/svm.h"
#include "svm/svm_arch.h"
#include "hv_trace.h"

#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

int svm_vm_init(struct hvk_vm *vm)
{
	if (!(hv_host_caps.features & HV_FEAT_NPT))
		return -EOPNOTSUPP;	/* hv needs nested paging */
	/* ASIDs are per vCPU and per CPU, given at each VMRUN (svm_run.c) */
	if (hv_host_caps.nr_asids < 2)
		return -EOPNOTSUPP;	/* none for guests (15.16) */
	return 0;
}

/* ---- nested page tables: ordinary x86-64 entries (15.25.5) ---- */

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)	/* nested walks are user accesses */
#define NPT_PS		BIT_ULL(7)

/*
 * Leaves: PAT index 0 (PWT=PCD=0), write-back with the guest's own PAT on
 * top; R/W clear, a guest write is a nested page fault (15.25.5, 15.25.6).
 */
const struct hv_pt_ops svm_npt_ops = {
	.table_bits	= NPT_P | NPT_RW | NPT_US,
	.leaf_bits	= NPT_P | NPT_US,
	.present_mask	= NPT_P,
	.write_mask	= NPT_RW,
	.large_mask	= NPT_PS,
};

/* ---- the VMCB ---- */

static void svm_seg_reset(struct vmcb_seg *seg, u16 sel, u16 attrib,
			  u64 base)
{
	seg->selector = sel;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = base;
}

/* The state after RESET/INIT, as APM Vol 2, 14.1.3, Table 14-1 gives it. */
static void svm_vmcb_reset(struct svm_vcpu *sv)
{
	struct vmcb_control *c = &sv->vmcb->control;
	struct vmcb_save *s = &sv->vmcb->save;
	struct hvk_vcpu *vcpu = &sv->vcpu;

	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			     SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
			     SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO |
			     SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
			     /* reach past the guest: hv_run.c decides */
			     SVM_INTERCEPT_INVD | SVM_INTERCEPT_RDPMC |
			     SVM_INTERCEPT_PAUSE;
	/*
	 * 15.14.4: PAUSE exits after pause_filter_count of them (within
	 * the threshold's cycles apart, 15.14.5), a spinning guest gives its
	 * CPU back; KVM's defaults.  Without the filter every PAUSE exits:
	 * QEMU's TCG has none and leaves `sti; pause; cli` otherwise without
	 * a window for interrupts (its PAUSE leaves the CPU loop inside the
	 * STI shadow), which the exit and hv_skip_insn() end.
	 */
	if (hv_host_caps.svm_features & SVM_FEAT_PAUSE_FILTER)
		c->pause_filter_count = 3000;
	if (hv_host_caps.svm_features & SVM_FEAT_PAUSE_THRESHOLD)
		c->pause_filter_thresh = 128;
	/* APM Vol 2, 15.5.1: VMRUN must be intercepted, or VMRUN itself fails */
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			     SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			     SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			     SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV |
			     /* Table B-1, vector 4: as INVD and RDPMC above */
			     SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR |
			     SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_MWAIT_ARMED |
			     SVM_INTERCEPT_RDPRU;
	c->intercept_exceptions = BIT(6);	/* #UD: see hv_handle_ud() */
	c->iopm_base_pa = svm_iopm_pa;		/* every port intercepted */
	c->msrpm_base_pa = svm_msrpm_pa;	/* every MSR intercepted */
	c->asid = 0;		/* 0 is invalid for a guest: given before VMRUN */
	c->v_intr = SVM_V_INTR_MASKING;
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = vcpu->vm->gpt.root_pa;

	/* CS:IP = F000:FFF0 with CS.base FFFF0000, like a real CPU */
	svm_seg_reset(&s->cs, 0xf000, 0x9b, 0xffff0000);
	svm_seg_reset(&s->ds, 0, 0x93, 0);
	svm_seg_reset(&s->es, 0, 0x93, 0);
	svm_seg_reset(&s->fs, 0, 0x93, 0);
	svm_seg_reset(&s->gs, 0, 0x93, 0);
	svm_seg_reset(&s->ss, 0, 0x93, 0);
	svm_seg_reset(&s->ldtr, 0, 0x82, 0);
	svm_seg_reset(&s->tr, 0, 0x8b, 0);
	s->gdtr.limit = 0xffff;
	s->idtr.limit = 0xffff;
	s->cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	s->efer = EFER_SVME;	/* APM Vol 2, 15.5.1: must be set in the guest's EFER */
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->g_pat = 0x0007040600070406ULL;	/* the architectural PAT */
	s->rflags = X86_EFLAGS_FIXED;
	s->rip = 0xfff0;

	memset(&vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs.rip = 0xfff0;
	vcpu->regs.rflags = X86_EFLAGS_FIXED;
	/* EDX at reset holds the processor signature (CPUID 1 EAX) */
	vcpu->regs.rdx = cpuid_eax(1);
}

struct hvk_vcpu *svm_vcpu_alloc(struct hvk_vm *vm)
{
	struct svm_vcpu *sv;
	struct page *page;

	BUILD_BUG_ON(sizeof(struct vmcb) != PAGE_SIZE);
	BUILD_BUG_ON(offsetof(struct vmcb, control.exitcode) != 0x070);
	BUILD_BUG_ON(offsetof(struct vmcb, control.next_rip) != 0x0c8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cpl) != 0x4cb);
	BUILD_BUG_ON(offsetof(struct vmcb, save.efer) != 0x4d0);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cr4) != 0x548);
	BUILD_BUG_ON(offsetof(struct vmcb, save.rsp) != 0x5d8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.rax) != 0x5f8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cr2) != 0x640);
	BUILD_BUG_ON(offsetof(struct vmcb, save.g_pat) != 0x668);

	sv = kzalloc(sizeof(*sv), GFP_KERNEL_ACCOUNT);
	if (!sv)
		return NULL;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page) {
		kfree(sv);
		return NULL;
	}
	sv->vmcb = page_address(page);
	sv->vmcb_pa = page_to_phys(page);
	sv->last_cpu = -1;
	sv->vcpu.vm = vm;
	svm_vmcb_reset(sv);
	return &sv->vcpu;
}

void svm_vcpu_free(struct hvk_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);

	free_page((unsigned long)sv->vmcb);
	kfree(sv);
}

/* ---- segment and control state ---- */

static void svm_seg_get(const struct vmcb_seg *v, struct hv_segment *s)
{
	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->type = v->attrib & 0xf;
	s->s = (v->attrib >> 4) & 1;
	s->dpl = (v->attrib >> 5) & 3;
	s->present = (v->attrib >> 7) & 1;
	s->avl = (v->attrib >> 8) & 1;
	s->l = (v->attrib >> 9) & 1;
	s->db = (v->attrib >> 10) & 1;
	s->g = (v->attrib >> 11) & 1;
	s->unusable = !s->present;
}

/* SVM has no "unusable" bit: a null segment is one with P=0. */
static void svm_seg_set(struct vmcb_seg *v, const struct hv_segment *s)
{
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->attrib = s->unusable ? 0 :
		    (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		    (s->present & 1) << 7 | (s->avl & 1) << 8 |
		    (s->l & 1) << 9 | (s->db & 1) << 10 | (s->g & 1) << 11;
}

void svm_get_sregs(struct hvk_vcpu *vcpu, struct hv_sregs *s)
{
	struct vmcb_save *v = &to_svm_vcpu(vcpu)->vmcb->save;

	svm_seg_get(&v->cs, &s->cs);
	svm_seg_get(&v->ds, &s->ds);
	svm_seg_get(&v->es, &s->es);
	svm_seg_get(&v->fs, &s->fs);
	svm_seg_get(&v->gs, &s->gs);
	svm_seg_get(&v->ss, &s->ss);
	svm_seg_get(&v->tr, &s->tr);
	/*
	 * LTR marks the TSS busy (APM Vol 2, 12.2.5), but the VMCB's TR
	 * attributes may keep the descriptor's type as it was loaded, an
	 * available TSS (as KVM's svm_get_segment() notes); VM entry needs
	 * the busy type (SDM Vol 3C, 27.3.1.2), so report what TR is: busy.
	 */
	if (s->tr.present && (s->tr.type == 1 || s->tr.type == 9))
		s->tr.type |= 2;
	svm_seg_get(&v->ldtr, &s->ldt);
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr0 = v->cr0;
	s->cr2 = v->cr2;
	s->cr3 = v->cr3;
	s->cr4 = v->cr4;
	s->cr8 = hv_lapic_get_cr8(vcpu);
	s->efer = v->efer & ~EFER_SVME;	/* hv's, not the guest's */
}

int svm_set_sregs(struct hvk_vcpu *vcpu, const struct hv_sregs *s)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb_save *v = &sv->vmcb->save;
	struct vmcb_control *c = &sv->vmcb->control;

	/* hv_sregs_check() has applied the architectural rules (15.5.1) */
	svm_seg_set(&v->cs, &s->cs);
	svm_seg_set(&v->ds, &s->ds);
	svm_seg_set(&v->es, &s->es);
	svm_seg_set(&v->fs, &s->fs);
	svm_seg_set(&v->gs, &s->gs);
	svm_seg_set(&v->ss, &s->ss);
	svm_seg_set(&v->tr, &s->tr);
	svm_seg_set(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cr0 = s->cr0;
	v->cr2 = s->cr2;
	v->cr3 = s->cr3;
	v->cr4 = s->cr4;
	hv_lapic_set_cr8(vcpu, s->cr8);
	c->v_intr = (c->v_intr & ~0xfULL) | s->cr8;
	v->efer = s->efer | EFER_SVME;
	/* CPL is SS.DPL (15.5.1: the VMCB's CPL field is what VMRUN uses) */
	v->cpl = s->ss.dpl & 3;
	return 0;
}

/* ---- the guest MSRs hv allows (hv_run.c decides which) ---- */

int svm_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	struct vmcb_save *v = &to_svm_vcpu(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:			*val = v->efer & ~EFER_SVME; break;
	case MSR_STAR:			*val = v->star; break;
	case MSR_LSTAR:			*val = v->lstar; break;
	case MSR_CSTAR:			*val = v->cstar; break;
	case MSR_SYSCALL_MASK:		*val = v->sfmask; break;
	case MSR_FS_BASE:		*val = v->fs.base; break;
	case MSR_GS_BASE:		*val = v->gs.base; break;
	case MSR_KERNEL_GS_BASE:	*val = v->kernel_gs_base; break;
	case MSR_IA32_SYSENTER_CS:	*val = v->sysenter_cs; break;
	case MSR_IA32_SYSENTER_ESP:	*val = v->sysenter_esp; break;
	case MSR_IA32_SYSENTER_EIP:	*val = v->sysenter_eip; break;
	case MSR_IA32_CR_PAT:		*val = v->g_pat; break;
	default:			return -EINVAL;
	}
	return 0;
}

int svm_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	struct vmcb_save *v = &to_svm_vcpu(vcpu)->vmcb->save;

	switch (index) {
	case MSR_EFER:			v->efer = val | EFER_SVME; break;
	case MSR_STAR:			v->star = val; break;
	case MSR_LSTAR:			v->lstar = val; break;
	case MSR_CSTAR:			v->cstar = val; break;
	case MSR_SYSCALL_MASK:		v->sfmask = val; break;
	case MSR_FS_BASE:		v->fs.base = val; break;
	case MSR_GS_BASE:		v->gs.base = val; break;
	case MSR_KERNEL_GS_BASE:	v->kernel_gs_base = val; break;
	case MSR_IA32_SYSENTER_CS:	v->sysenter_cs = val; break;
	case MSR_IA32_SYSENTER_ESP:	v->sysenter_esp = val; break;
	case MSR_IA32_SYSENTER_EIP:	v->sysenter_eip = val; break;
	case MSR_IA32_CR_PAT:		v->g_pat = val; break;
	default:			return -EINVAL;
	}
	return 0;
}

/* APM Vol 2, 15.20: EVENTINJ delivers the exception at the next VMRUN */
void svm_inject_exception(struct hvk_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct vmcb_control *c = &to_svm_vcpu(vcpu)->vmcb->control;

	c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXC | vector |
		       (has_error ? SVM_EVTINJ_ERR_VALID |
				    (u64)error << 32 : 0);
	/* It replaces a #BP queued by svm_inject_soft_exception */
	to_svm_vcpu(vcpu)->soft_exc_len = 0;
	trace_hv_inject(vcpu, vector, HV_TRACE_INJ_EXCEPTION, has_error, error);
}

/*
 * 15.20: EVENTINJ type 3 (exception), vector 3 or 4, as KVM injects
 * #BP/#OF.  An injected exception returns to the VMCB's RIP, so
 * svm_vcpu_run moves RIP past the instruction at VMRUN and puts the same
 * address in NEXT_RIP, which CPUs with NRIPS push for a #BP/#OF (KVM's
 * svm_update_soft_interrupt_rip).  Unlike INT3, type 3 skips the gate's
 * DPL check (as under KVM).
 */
int svm_inject_soft_exception(struct hvk_vcpu *vcpu, u8 vector, u8 len)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb_control *c = &sv->vmcb->control;

	if (c->event_inj & SVM_EVTINJ_VALID)
		return -EBUSY;
	c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXC | vector;
	sv->soft_exc_len = len;
	trace_hv_inject(vcpu, vector, HV_TRACE_INJ_EXCEPTION, false, 0);
	return 0;
}

/* ---- interrupts and NMIs (hv_event.c decides; this programs it) ---- */

#define SVM_EXC_DB		BIT(1)	/* intercept_exceptions: #DB */

/*
 * 15.21.5: the interrupt shadow as the next VMRUN will have it: none once
 * the core moved RIP past the instruction that exited (svm_vcpu_run
 * then clears INTERRUPT_SHADOW).
 */
static bool svm_shadow(struct svm_vcpu *sv)
{
	return sv->vcpu.regs.rip == sv->exit_rip &&
	       (sv->vmcb->control.int_state & SVM_INT_SHADOW);
}

/* 15.20, 15.21.1: IF=1 (V_INTR_MASKING: the guest's own), no shadow, EVENTINJ free */
bool svm_interrupt_allowed(struct hvk_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);

	return (vcpu->regs.rflags & X86_EFLAGS_IF) && !svm_shadow(sv) &&
	       !(sv->vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

bool svm_nmi_allowed(struct hvk_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);

	return !sv->nmi_masked && !svm_shadow(sv) &&
	       !(sv->vmcb->control.event_inj & SVM_EVTINJ_VALID);
}

/* 15.20: EVENTINJ type 0, external interrupt */
void svm_inject_irq(struct hvk_vcpu *vcpu, u8 vector)
{
	struct vmcb_control *c = &to_svm_vcpu(vcpu)->vmcb->control;

	c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR | vector;
}

/*
 * 15.20: EVENTINJ type 2 (the vector is ignored; 2 by convention).  The
 * guest is blocked by NMI from its delivery until its handler's IRET
 * (SDM Vol 3A, 6.7.1): intercept that IRET to know (15.8.1).
 */
void svm_inject_nmi(struct hvk_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb_control *c = &sv->vmcb->control;

	c->event_inj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | 2;
	sv->nmi_masked = true;
	sv->nmi_iret = false;
	c->intercept_misc1 |= SVM_INTERCEPT_IRET;
}

/*
 * Exit after the guest's next instruction: TF in the VMCB only
 * (svm_vcpu_run), the core's RFLAGS never shows it; #DB intercepted
 * (SDM Vol 3A, 17.3.1.4), svm_nmi_step_end() when it comes.
 */
static void svm_single_step(struct svm_vcpu *sv)
{
	if (sv->nmi_ss)
		return;
	sv->nmi_ss = true;
	sv->nmi_ss_tf = sv->vcpu.regs.rflags & X86_EFLAGS_TF;
	sv->nmi_ss_dr6 = sv->vmcb->save.dr6;
	sv->vmcb->control.intercept_exceptions |= SVM_EXC_DB;
}

/*
 * 15.21.4: a virtual interrupt (V_IRQ, top priority, TPR ignored) whose
 * acceptance the VINTR intercept catches: an exit exactly when the guest
 * can take an interrupt.  svm_run.c takes it down when the exit comes.
  *
 * QEMU's TCG before 9.1 drops the interrupt shadow at VMRUN ("target/i386:
 * fix INHIBIT_IRQ/TF/RF handling for VMRUN") and takes V_IRQ inside it;
 * hardware does not (docs/decisions.md, issue 13's known gaps).
 */
void svm_enable_irq_window(struct hvk_vcpu *vcpu)
{
	struct vmcb_control *c = &to_svm_vcpu(vcpu)->vmcb->control;

	c->v_intr |= SVM_V_IRQ | SVM_V_IGN_TPR |
		     (0xfULL << SVM_V_INTR_PRIO_SHIFT);
	c->intercept_misc1 |= SVM_INTERCEPT_VINTR;
}

/*
 * No NMI-window exit on AMD-V without vNMI.  Blocked by NMI, before its
 * IRET: nothing to do, the IRET intercept comes first.  Otherwise (the
 * IRET is running, or a shadow or a queued event is in the way): single-
 * step the guest, so that it exits after its next instruction (KVM's
 * svm_enable_nmi_window; SDM Vol 3A, 17.3.1.4).  TF goes into the VMCB
 * only (svm_vcpu_run), the core's RFLAGS never shows it; #DB intercepted.
 */
void svm_enable_nmi_window(struct hvk_vcpu *vcpu)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);

	if (sv->nmi_masked && !sv->nmi_iret)
		return;
	svm_single_step(sv);
}

/* The step's #DB came (svm_run.c) */
void svm_nmi_step_end(struct svm_vcpu *sv)
{
	if (!sv->nmi_ss)
		return;
	sv->nmi_ss = false;
	sv->vmcb->control.intercept_exceptions &= ~SVM_EXC_DB;
	sv->vmcb->save.dr6 = sv->nmi_ss_dr6;	/* the step's BS is hv's */
}

/* 15.18.1: the guest's TSC is the host's plus TSC_OFFSET */
void svm_set_tsc_offset(struct hvk_vcpu *vcpu, s64 offset)
{
	to_svm_vcpu(vcpu)->vmcb->control.tsc_offset = offset;
	vcpu->tsc_offset = offset;
}

/* ---- state (state/state.c has checked every value) ---- */

/*
 * 15.21.5: INTERRUPT_SHADOW; 15.20: a queued or re-injected exception
 * in EVENTINJ (svm_vcpu_run puts an interrupted delivery there).  NMI
 * blocking is hv's own without vNMI (nmi_masked); an NMI in EVENTINJ
 * is not delivered yet: pending, and not blocking.
 */
void svm_get_events(struct hvk_vcpu *vcpu, struct hv_vcpu_events *ev)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb_control *c = &sv->vmcb->control;
	u64 inj = c->event_inj;

	/* The shadow as the next VMRUN has it: none past the exit's RIP */
	if (svm_shadow(sv))
		ev->flags |= HV_EV_SHADOW;
	if ((inj & SVM_EVTINJ_VALID) &&
	    (inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_NMI)
		ev->flags |= HV_EV_NMI_PENDING;
	else if (sv->nmi_masked)
		ev->flags |= HV_EV_NMI_MASKED;
	if ((inj & SVM_EVTINJ_VALID) &&
	    (inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_INTR) {
		ev->flags |= HV_EV_INTERRUPT;
		ev->interrupt_vector = inj & SVM_EVTINJ_VEC_MASK;
	}
	/* An INT3's queued #BP (RIP on the INT3): it runs again, as on VT-x */
	if ((inj & SVM_EVTINJ_VALID) && !sv->soft_exc_len &&
	    (inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXC) {
		ev->flags |= HV_EV_EXCEPTION;
		ev->exception_vector = inj & SVM_EVTINJ_VEC_MASK;
		if (inj & SVM_EVTINJ_ERR_VALID) {
			ev->flags |= HV_EV_EXCEPTION_ERROR;
			ev->exception_error = inj >> 32;
		}
	}
}

void svm_set_events(struct hvk_vcpu *vcpu, const struct hv_vcpu_events *ev)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct vmcb_control *c = &sv->vmcb->control;

	c->int_state = ev->flags & HV_EV_SHADOW ? SVM_INT_SHADOW : 0;
	sv->exit_rip = vcpu->regs.rip;	/* the shadow is for this RIP */
	sv->nmi_ss = false;		/* DR6 is the caller's now */
	c->intercept_exceptions &= ~SVM_EXC_DB;
	sv->nmi_masked = ev->flags & HV_EV_NMI_MASKED;
	sv->nmi_iret = false;
	/* Blocked by NMI: its IRET ends it, so intercept that IRET */
	if (sv->nmi_masked)
		c->intercept_misc1 |= SVM_INTERCEPT_IRET;
	else
		c->intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	c->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	c->v_intr &= ~SVM_V_IRQ;
	c->event_inj = 0;
	sv->soft_exc_len = 0;
}

/* Guest debugging (hv_debug.c): AMD-V can do it all (TF, #DB, #BP) */
int svm_check_guest_debug(u32 flags)
{
	return 0;
}

/* Nothing to do now: svm_set_intercepts() programs it at the next entry */
void svm_set_guest_debug(struct hvk_vcpu *vcpu)
{
}

/* DR0-3 in vcpu->db (svm_run.c keeps them current); DR6/DR7 in the VMCB */
void svm_get_dr67(struct hvk_vcpu *vcpu, u64 *dr6, u64 *dr7)
{
	struct vmcb_save *v = &to_svm_vcpu(vcpu)->vmcb->save;

	*dr6 = v->dr6;
	*dr7 = v->dr7;
}

void svm_set_dr67(struct hvk_vcpu *vcpu, u64 dr6, u64 dr7)
{
	struct vmcb_save *v = &to_svm_vcpu(vcpu)->vmcb->save;

	v->dr6 = dr6;
	v->dr7 = dr7;
}
