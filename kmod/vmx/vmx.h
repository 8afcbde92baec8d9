/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel VT-x backend internals, shared by vmx.c, vmx_vcpu.c, vmx_run.c.
 * VMCS field encodings and control bits are the kernel's <asm/vmx.h>
 * (SDM Vol 3C, Appendix B and Chapter 25).
 */
#ifndef HV_VMX_H
#define HV_VMX_H

#include "hv.h"
#include "vmx/vmx_arch.h"

#include <asm/vmx.h>

/* SDM Vol 3C, 25.7.2: one entry of a VM-entry/VM-exit MSR area */
struct hv_vmx_msr {
	u32 index;
	u32 reserved;
	u64 value;
};

/* MSRs switched through the MSR areas on every entry and exit. */
enum { VMX_MSR_STAR, VMX_MSR_LSTAR, VMX_MSR_SFMASK, VMX_MSR_KGS,
       VMX_NR_AUTOLOAD };

struct vmx_vm {
	struct hvk_vm vm;
	u64 eptp;		/* SDM Vol 3C, 25.6.11 */
};
/* The core allocates vm_size bytes and frees them as a struct hvk_vm */
static_assert(offsetof(struct vmx_vm, vm) == 0);

/*
 * A vCPU.  The VMCS is "current" on at most one CPU; @cpu says which, and
 * @loaded_node links it on that CPU's list so that switching VMX off there
 * can VMCLEAR it first (SDM Vol 3C, 25.11.1).
 */
struct vmx_vcpu {
	struct hvk_vcpu vcpu;
	void *vmcs;
	u64 vmcs_pa;
	int cpu;			/* -1: not loaded anywhere */
	bool launched;			/* VMLAUNCH done since last VMCLEAR */
	struct list_head loaded_node;
	u16 vpid;
	u64 cr0_shadow, cr4_shadow;	/* what the guest believes */
	u64 cr2;			/* not in the VMCS: swapped by hand */
	u32 inject_info;		/* VM-entry interruption info, or 0 */
	u32 inject_error;
	u32 inject_len;			/* for software events */
	u64 cstar;			/* unused by Intel CPUs; kept for RDMSR */
	struct hv_vmx_msr *guest_msrs;	/* entry load + exit store */
	struct hv_vmx_msr *host_msrs;	/* exit load */
	u32 exec_ctls;			/* CPU_BASED_VM_EXEC_CONTROL as written */
	u32 exc_bitmap;			/* EXCEPTION_BITMAP as written */
	bool dbg_tf;			/* TF is the debugger's at this entry */
	/*
	 * Events (vmx_run.c): windows the core asked for, switched on at
	 * the next entry and off by their exit; the guest interruptibility
	 * state and RIP the last exit left (SDM Vol 3C, 25.4.2).
	 */
	bool irq_window, nmi_window;
	u32 intr_state;
	u64 exit_rip;
	u64 dr6;			/* not in the VMCS: swapped by hand */
	int vmcs_error;			/* first VMWRITE failure at setup */
};

static inline struct vmx_vm *to_vmx_vm(struct hvk_vm *vm)
{
	return container_of(vm, struct vmx_vm, vm);
}

static inline struct vmx_vcpu *to_vmx_vcpu(struct hvk_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

/* VMREAD/VMWRITE: CF or ZF set means VMfail (SDM Vol 3C, 31.2). */
static inline u64 vmcs_read(unsigned long field)
{
	u64 val = 0;

	asm volatile("vmread %[field], %[val]"
		     : [val] "=rm" (val) : [field] "r" (field) : "cc");
	return val;
}

static inline bool vmcs_write(unsigned long field, u64 val)
{
	bool fail;

	asm volatile("vmwrite %[val], %[field]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm" (fail)
		     : [field] "r" (field), [val] "rm" (val)
		     : "cc", "memory");
	return !fail;
}

/* vmx.c */
extern u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;
extern u32 vmx_pin_ctls, vmx_proc_ctls, vmx_proc2_ctls;
extern u32 vmx_exit_ctls, vmx_entry_ctls;
extern u32 vmx_window_ctls;
extern u32 vmx_mtf_ctl;
extern bool vmx_ctls_ok;
extern u32 vmx_preempt_ticks;
void vmx_vmclear_local(struct vmx_vcpu *vv);
int vmx_vmclear(u64 pa);
int vmx_vmptrld(u64 pa);
DECLARE_PER_CPU(struct list_head, vmx_loaded_vmcss);
DECLARE_PER_CPU(struct vmx_vcpu *, vmx_current);

/* vmx_vcpu.c */
int vmx_vm_init(struct hvk_vm *vm);
struct hvk_vcpu *vmx_vcpu_alloc(struct hvk_vm *vm);
void vmx_vcpu_free(struct hvk_vcpu *vcpu);
void vmx_get_sregs(struct hvk_vcpu *vcpu, struct hv_sregs *s);
int vmx_set_sregs(struct hvk_vcpu *vcpu, const struct hv_sregs *s);
int vmx_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *val);
int vmx_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 val);
void vmx_inject_exception(struct hvk_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error);
int vmx_inject_soft_exception(struct hvk_vcpu *vcpu, u8 vector, u8 len);
bool vmx_interrupt_allowed(struct hvk_vcpu *vcpu);
bool vmx_nmi_allowed(struct hvk_vcpu *vcpu);
void vmx_inject_irq(struct hvk_vcpu *vcpu, u8 vector);
void vmx_inject_nmi(struct hvk_vcpu *vcpu);
void vmx_enable_irq_window(struct hvk_vcpu *vcpu);
void vmx_enable_nmi_window(struct hvk_vcpu *vcpu);
void vmx_set_tsc_offset(struct hvk_vcpu *vcpu, s64 offset);
void vmx_get_events(struct hvk_vcpu *vcpu, struct hv_vcpu_events *ev);
void vmx_set_events(struct hvk_vcpu *vcpu, const struct hv_vcpu_events *ev);
void vmx_get_dr67(struct hvk_vcpu *vcpu, u64 *dr6, u64 *dr7);
void vmx_set_dr67(struct hvk_vcpu *vcpu, u64 dr6, u64 dr7);
int vmx_check_guest_debug(u32 flags);
void vmx_set_guest_debug(struct hvk_vcpu *vcpu);
int vmx_vcpu_setup_vmcs(struct vmx_vcpu *vv);
bool vmx_vcpu_load(struct vmx_vcpu *vv);
u64 vmx_cr0_guest(u64 cr0);
u64 vmx_cr4_guest(u64 cr4);
extern const struct hv_pt_ops vmx_ept_ops;

/* vmx_run.c */
int vmx_vcpu_run(struct hvk_vcpu *vcpu, struct hv_exit *exit);

/*
 * vmx_vmenter.S: VMLAUNCH (!launched) or VMRESUME.  Returns HV_ENTER_EXIT
 * after a VM exit (a failed guest-state check included), HV_ENTER_VMFAIL
 * (read VM_INSTRUCTION_ERROR) or HV_ENTER_FAULT (kmod/hv.h).
 */
int vmx_vmenter(struct hv_regs *regs, bool launched);
extern char vmx_vmexit[];
void vmx_do_interrupt_irqoff(unsigned long entry);

#endif /* HV_VMX_H */
