// SPDX-License-Identifier: GPL-2.0
/*
 * Entering an AMD-V guest once, and turning the #VMEXIT into hv's
 * vendor-neutral exit record.
 *
 * Order of one entry (compare KVM's svm_vcpu_run):
 *   guest FPU in (kernel_fpu_begin: preemption off)
 *   interrupts off, pick the TLB flush, registers into the VMCB
 *   CLGI; VMSAVE host; [VMLOAD guest; VMRUN; VMSAVE guest; VMLOAD host]
 *   STGI; interrupts on - a pending host interrupt or NMI is taken here
 *   guest FPU out, registers out of the VMCB, translate the exit
 */
#include "svm/svm.h"

#include <linux/io.h>
#include <linux/mm.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/processor-flags.h>

/* Fixed lengths of the intercepted instructions, for CPUs without NRIPS */
#define SVM_LEN_CPUID	2	/* 0f a2 */
#define SVM_LEN_MSR	2	/* 0f 32 / 0f 30 */
#define SVM_LEN_HLT	1	/* f4 */
#define SVM_LEN_VMMCALL	3	/* 0f 01 d9 */

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
	if ((hv_caps.features & HV_FEAT_NRIPS) && sv->vmcb->control.next_rip)
		return sv->vmcb->control.next_rip;
	return sv->vmcb->save.rip + len;
}

/*
 * Guest debug registers.  DR6 and DR7 are VMCB state (VMRUN loads them,
 * #VMEXIT saves them; APM Vol 2, 15.5.1 and 15.6); DR0-3 are not, and
 * swapping them on every entry and exit would tax every exit for what
 * few guests use.  So, as KVM does: while the guest's DR0-3 are not in
 * the hardware, every guest access to DR0-3, and every write to DR7,
 * is intercepted (15.12.1); the first one makes them live (loaded before
 * each VMRUN, saved after it, intercepts off) and the instruction runs
 * again, now for real.  After an exit with DR7 enabling no breakpoint
 * they stop being live: the guest's values stay in vcpu->db, and its next
 * access traps again.  Cost: nothing for guests that leave the debug
 * registers alone, one extra exit per burst of use for the others.
 */
void svm_db_arm(struct svm_vcpu *sv, bool live)
{
	sv->db_live = live;
	sv->vmcb->control.intercept_dr = live ? 0 :
		SVM_INTERCEPT_DR_READ(0) | SVM_INTERCEPT_DR_READ(1) |
		SVM_INTERCEPT_DR_READ(2) | SVM_INTERCEPT_DR_READ(3) |
		SVM_INTERCEPT_DR_WRITE(0) | SVM_INTERCEPT_DR_WRITE(1) |
		SVM_INTERCEPT_DR_WRITE(2) | SVM_INTERCEPT_DR_WRITE(3) |
		SVM_INTERCEPT_DR_WRITE(7);
}

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

static void svm_translate_exit(struct svm_vcpu *sv, struct hv_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;
	u64 info1 = c->exitinfo1;

	switch (c->exitcode) {
	case SVM_EXIT_INTR:
		exit->code = HV_X_INTR;
		break;
	case SVM_EXIT_NMI:
		exit->code = HV_X_NMI;
		break;
	case SVM_EXIT_EXCP_UD:
		exit->code = HV_X_UD;
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 3:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 3:
	case SVM_EXIT_WRITE_DR7:
		/* Make DR0-3 live and run the MOV again (svm_db_arm) */
		svm_db_arm(sv, true);
		exit->code = HV_X_NONE;
		break;
	case SVM_EXIT_CPUID:
		exit->code = HV_X_CPUID;
		exit->next_rip = svm_next_rip(sv, SVM_LEN_CPUID);
		break;
	case SVM_EXIT_HLT:
		exit->code = HV_X_HLT;
		exit->next_rip = svm_next_rip(sv, SVM_LEN_HLT);
		break;
	case SVM_EXIT_IOIO:
		/* 15.10.2: EXITINFO2 always holds the next RIP */
		exit->code = HV_X_IO;
		exit->io.port = info1 >> SVM_IOIO_PORT_SHIFT;
		/* SZ8, SZ16, SZ32: one-hot in bits 6:4 */
		exit->io.size = info1 & (4 << SVM_IOIO_SIZE_SHIFT) ? 4 :
				info1 & (2 << SVM_IOIO_SIZE_SHIFT) ? 2 : 1;
		exit->io.in = info1 & SVM_IOIO_IN;
		exit->io.string = info1 & SVM_IOIO_STR;
		exit->io.rep = info1 & SVM_IOIO_REP;
		exit->next_rip = c->exitinfo2;
		break;
	case SVM_EXIT_MSR:
		exit->code = info1 ? HV_X_WRMSR : HV_X_RDMSR;
		exit->msr.index = sv->vcpu.regs.rcx;
		exit->next_rip = svm_next_rip(sv, SVM_LEN_MSR);
		break;
	case SVM_EXIT_VMMCALL:
		exit->code = HV_X_HYPERCALL;
		exit->next_rip = svm_next_rip(sv, SVM_LEN_VMMCALL);
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->code = HV_X_SHUTDOWN;
		break;
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
		exit->code = HV_X_VIRT_INSN;
		break;
	case SVM_EXIT_XSETBV:
		exit->code = HV_X_XSETBV;
		break;
	case SVM_EXIT_NPF:
		/* 15.25.6: EXITINFO2 is the guest-physical address */
		exit->code = HV_X_NPF;
		exit->npf.gpa = c->exitinfo2;
		exit->npf.write = info1 & SVM_NPF_WRITE;
		exit->npf.fetch = info1 & SVM_NPF_FETCH;
		break;
	case SVM_EXIT_INVALID:
		/* 15.5.1: VMRUN found the guest state inconsistent */
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = c->exitcode;
		exit->hw.qual = info1;
		break;
	default:
		exit->code = HV_X_UNHANDLED;
		exit->hw.reason = c->exitcode;
		exit->hw.qual = info1;
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

int svm_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct svm_vm *svm = to_svm_vm(vcpu->vm);
	struct vmcb *vmcb = sv->vmcb;
	struct svm_asid_cpu *ac;
	u64 gen;
	int cpu, r;

	kernel_fpu_begin();
	hv_fxrstor(sv->fpu);
	local_irq_disable();

	/*
	 * 15.16.1: a vCPU arriving on a CPU, or whose ASID there belongs to
	 * an older generation, takes a fresh ASID; when the CPU runs out,
	 * a new generation starts with the whole TLB flushed.  Otherwise
	 * flush this ASID's translations whenever the nested page tables
	 * changed.
	 */
	cpu = smp_processor_id();
	gen = atomic64_read(&svm->gpt_gen);
	vmcb->control.tlb_control = 0;
	if (sv->last_cpu != cpu) {
		sv->asid_generation = 0;
		sv->last_cpu = cpu;
	}
	if (sv->gpt_gen != gen) {
		vmcb->control.tlb_control =
			hv_caps.features & HV_FEAT_FLUSH_BY_ASID ?
			SVM_TLB_FLUSH_ASID : SVM_TLB_FLUSH_ALL;
		sv->gpt_gen = gen;
	}
	ac = this_cpu_ptr(&svm_asid_cpu);
	svm_new_asid(sv, ac);
	/*
	 * 15.16.1 TLB_CONTROL 1: every ASID's entries on this CPU, at each
	 * VMRUN here until one got past its checks (a VMRUN that fails them
	 * may not have flushed), so no fresh ASID meets an old generation's.
	 */
	if (ac->flush_pending)
		vmcb->control.tlb_control = SVM_TLB_FLUSH_ALL;

	vmcb->save.rax = vcpu->regs.rax;
	vmcb->save.rsp = vcpu->regs.rsp;
	vmcb->save.rip = vcpu->regs.rip;
	vmcb->save.rflags = vcpu->regs.rflags;
	vmcb->control.next_rip = 0;

	if (sv->db_live) {
		set_debugreg(vcpu->db[0], 0);
		set_debugreg(vcpu->db[1], 1);
		set_debugreg(vcpu->db[2], 2);
		set_debugreg(vcpu->db[3], 3);
	}

	svm_clgi();
	svm_vmsave(page_to_phys(per_cpu(svm_host_save_page, cpu)));
	r = svm_vmrun(sv->vmcb_pa,
		      page_to_phys(per_cpu(svm_host_save_page, cpu)),
		      &vcpu->regs);
	if (!r && vmcb->control.exitcode != SVM_EXIT_INVALID)
		ac->flush_pending = false;
	if (sv->db_live) {
		get_debugreg(vcpu->db[0], 0);
		get_debugreg(vcpu->db[1], 1);
		get_debugreg(vcpu->db[2], 2);
		get_debugreg(vcpu->db[3], 3);
		/* DR7 (VMCB) enables none of them: trap the next access */
		if (!(vmcb->save.dr7 & 0xff))
			svm_db_arm(sv, false);
	}
	/* Give the host its own breakpoints back if it uses them */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	svm_stgi();
	local_irq_enable();

	hv_fxsave(sv->fpu);
	kernel_fpu_end();
	if (r)
		return r;

	vcpu->regs.rax = vmcb->save.rax;
	vcpu->regs.rsp = vmcb->save.rsp;
	vcpu->regs.rip = vmcb->save.rip;
	vcpu->regs.rflags = vmcb->save.rflags;

	/* An event the exit interrupted: again at the next entry (15.7.2) */
	vmcb->control.event_inj = 0;
	if (vmcb->control.exitcode != SVM_EXIT_SHUTDOWN)
		vmcb->control.event_inj =
			svm_reinject(vmcb->control.exitintinfo);

	svm_translate_exit(sv, exit);
	return 0;
}
