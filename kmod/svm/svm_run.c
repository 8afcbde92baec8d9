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

int svm_vcpu_run(struct hv_vcpu *vcpu, struct hv_exit *exit)
{
	struct svm_vcpu *sv = to_svm_vcpu(vcpu);
	struct svm_vm *svm = to_svm_vm(vcpu->vm);
	struct vmcb *vmcb = sv->vmcb;
	u64 gen;
	int cpu, r;

	kernel_fpu_begin();
	hv_fxrstor(sv->fpu);
	local_irq_disable();

	/*
	 * 15.16.1: flush this ASID's translations on a CPU the vCPU has not
	 * run on since they may be stale (a reused ASID, or another CPU's
	 * view), and whenever the nested page tables changed.
	 */
	cpu = smp_processor_id();
	gen = atomic64_read(&svm->gpt_gen);
	vmcb->control.tlb_control = 0;
	if (sv->last_cpu != cpu || sv->gpt_gen != gen) {
		vmcb->control.tlb_control =
			hv_caps.features & HV_FEAT_FLUSH_BY_ASID ?
			SVM_TLB_FLUSH_ASID : SVM_TLB_FLUSH_ALL;
		sv->last_cpu = cpu;
		sv->gpt_gen = gen;
	}

	vmcb->save.rax = vcpu->regs.rax;
	vmcb->save.rsp = vcpu->regs.rsp;
	vmcb->save.rip = vcpu->regs.rip;
	vmcb->save.rflags = vcpu->regs.rflags;
	vmcb->control.next_rip = 0;

	svm_clgi();
	svm_vmsave(page_to_phys(per_cpu(svm_host_save_page, cpu)));
	r = svm_vmrun(sv->vmcb_pa,
		      page_to_phys(per_cpu(svm_host_save_page, cpu)),
		      &vcpu->regs);
	/*
	 * The guest may have written DR0-DR3 (not intercepted; only DR6/DR7
	 * live in the VMCB): give the host its breakpoints back if it uses
	 * them.
	 */
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

	/*
	 * 15.7.2: an exit in the middle of delivering an event leaves it in
	 * EXITINTINFO; deliver it again on the next entry.
	 */
	vmcb->control.event_inj = 0;
	if (vmcb->control.exitintinfo & SVM_EVTINJ_VALID &&
	    vmcb->control.exitcode != SVM_EXIT_SHUTDOWN)
		vmcb->control.event_inj = vmcb->control.exitintinfo;

	svm_translate_exit(sv, exit);
	return 0;
}
