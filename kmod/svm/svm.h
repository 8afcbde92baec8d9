/* SPDX-License-Identifier: GPL-2.0 */
/* AMD-V backend internals, shared by svm.c, svm_vcpu.c and svm_run.c. */
#ifndef HV_SVM_H
#define HV_SVM_H

#include "hv.h"
#include "svm/svm_vmcb.h"

#include <linux/percpu.h>

struct svm_vm {
	struct hvk_vm vm;
};
/* The core allocates vm_size bytes and frees them as a struct hvk_vm */
static_assert(offsetof(struct svm_vm, vm) == 0);

/*
 * ASIDs are handed out per CPU, per vCPU, as KVM does (pre_svm_run,
 * new_asid): each CPU counts next_asid up to max_asid; when it runs out,
 * its generation goes up, the whole TLB is flushed and counting starts
 * again at 1.  A vCPU whose asid_generation differs from its CPU's gets a
 * fresh ASID there.  So ASIDs never run out: the number of VMs is bounded
 * by memory and limits only.  Touched with interrupts off, on its own CPU.
 */
struct svm_asid_cpu {
	u64 generation;		/* never 0: a vCPU's 0 means "none yet" */
	u32 next_asid;
	u32 max_asid;
	bool flush_pending;	/* new generation: flush all until a VMRUN did */
};

struct svm_vcpu {
	struct hvk_vcpu vcpu;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	int last_cpu;		/* where this VMCB last ran; -1 never */
	u64 asid_generation;	/* of last_cpu, when vmcb's ASID was given */
	/*
	 * NMIs (svm_vcpu.c, svm_run.c).  Without vNMI the VMCB has no NMI
	 * blocking bit and no NMI-window exit: hv tracks blocking itself,
	 * from the injection to the completion of the handler's IRET
	 * (intercepted; done once RIP has left it), and gets its window by
	 * single-stepping the guest (TF, #DB intercepted), as KVM does.
	 */
	bool nmi_masked;
	bool nmi_iret;		/* the IRET ran: unmasked once RIP moves on */
	u64 nmi_iret_rip;
	bool nmi_ss;		/* single-stepping for an NMI window */
	bool nmi_ss_tf;		/* ... and the guest had TF set itself */
	u64 nmi_ss_dr6;		/* the guest's DR6 before the step */
	u64 exit_rip;		/* RIP at the last exit: its shadow's */
	/* The last VMRUN's RIP, interrupt shadow and RFLAGS.IF */
	u64 entry_rip;
	bool entry_shadow;
	bool entry_if;
	/*
	 * Guest debugging (svm_run.c): TF put in the VMCB for a debugger's
	 * single step at this entry, the guest's DR6 before it, the
	 * NEXT_RIP of an INTn hv re-injects (15.20), and the length of the
	 * INT3/INTO whose #BP/#OF is queued (svm_inject_soft_exception): RIP
	 * stays on it until VMRUN, which gets RIP past it.
	 */
	bool dbg_tf;
	u64 dbg_dr6;
	u64 soft_next_rip;
	u8 soft_exc_len;
};

static inline struct svm_vm *to_svm_vm(struct hvk_vm *vm)
{
	return container_of(vm, struct svm_vm, vm);
}

static inline struct svm_vcpu *to_svm_vcpu(struct hvk_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* svm.c */
extern u64 svm_iopm_pa, svm_msrpm_pa;
DECLARE_PER_CPU(struct page *, svm_host_save_page);
DECLARE_PER_CPU(struct svm_asid_cpu, svm_asid_cpu);

/* svm_vcpu.c */
int svm_vm_init(struct hvk_vm *vm);
struct hvk_vcpu *svm_vcpu_alloc(struct hvk_vm *vm);
void svm_vcpu_free(struct hvk_vcpu *vcpu);
void svm_get_sregs(struct hvk_vcpu *vcpu, struct hv_sregs *s);
int svm_set_sregs(struct hvk_vcpu *vcpu, const struct hv_sregs *s);
int svm_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *val);
int svm_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 val);
void svm_inject_exception(struct hvk_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error);
int svm_inject_soft_exception(struct hvk_vcpu *vcpu, u8 vector, u8 len);
bool svm_interrupt_allowed(struct hvk_vcpu *vcpu);
bool svm_nmi_allowed(struct hvk_vcpu *vcpu);
void svm_inject_irq(struct hvk_vcpu *vcpu, u8 vector);
void svm_inject_nmi(struct hvk_vcpu *vcpu);
void svm_enable_irq_window(struct hvk_vcpu *vcpu);
void svm_enable_nmi_window(struct hvk_vcpu *vcpu);
void svm_set_tsc_offset(struct hvk_vcpu *vcpu, s64 offset);
void svm_nmi_step_end(struct svm_vcpu *sv);
void svm_get_events(struct hvk_vcpu *vcpu, struct hv_vcpu_events *ev);
void svm_set_events(struct hvk_vcpu *vcpu, const struct hv_vcpu_events *ev);
void svm_get_dr67(struct hvk_vcpu *vcpu, u64 *dr6, u64 *dr7);
void svm_set_dr67(struct hvk_vcpu *vcpu, u64 dr6, u64 dr7);
int svm_check_guest_debug(u32 flags);
void svm_set_guest_debug(struct hvk_vcpu *vcpu);
extern const struct hv_pt_ops svm_npt_ops;

/* svm_run.c */
int svm_vcpu_run(struct hvk_vcpu *vcpu, struct hv_exit *exit);

/*
 * svm_vmrun.S: VMLOAD guest, VMRUN, VMSAVE guest, VMLOAD host.  Returns
 * HV_ENTER_EXIT after the #VMEXIT (VMEXIT_INVALID included) or
 * HV_ENTER_FAULT if an SVM instruction faulted (kmod/hv.h); never
 * HV_ENTER_VMFAIL.
 */
int svm_vmrun(struct hv_regs *regs, u64 vmcb_pa, u64 host_save_pa);

#endif /* HV_SVM_H */
