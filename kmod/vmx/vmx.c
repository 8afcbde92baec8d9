// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x backend: probing, and VMX operation on and off per CPU.
 *
 * Bring-up follows SDM Vol 3C, 24.7 "Enabling and Entering VMX
 * Operation": check IA32_FEATURE_CONTROL, set CR4.VMXE, then VMXON with a
 * 4 KiB-aligned region that starts with the VMCS revision identifier.
 */
#include "vmx/vmx.h"

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string_helpers.h>
#include <linux/io.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>
#include <asm/tsc.h>

static DEFINE_PER_CPU(struct page *, vmx_vmxon_page);
static u32 vmx_revision;
u64 vmx_cr0_fixed0, vmx_cr0_fixed1, vmx_cr4_fixed0, vmx_cr4_fixed1;

/* VMCSs current or active on each CPU, and the one VMPTRLD made current */
DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);
DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current);

/* VM-execution, VM-exit and VM-entry controls, from the capability MSRs */
u32 vmx_pin_ctls, vmx_proc_ctls, vmx_proc2_ctls;
u32 vmx_exit_ctls, vmx_entry_ctls;
bool vmx_ctls_ok;
u32 vmx_preempt_ticks;		/* VMX-preemption timer per entry, or 0 */
/* Interrupt- and NMI-window exiting, where the CPU has them (vmx_run.c) */
u32 vmx_window_ctls;
/* The monitor trap flag, where the CPU has it: a debugger's single step */
u32 vmx_mtf_ctl;

/*
 * SDM Vol 3D, A.3-A.5: bits 31:0 of a control MSR are the allowed-0
 * settings (1 = must be 1), bits 63:32 the allowed-1 settings (0 = must
 * be 0).  Returns false if a control hv needs cannot be set.
 */
static bool vmx_adjust_ctls(u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 v;
	u32 ctl;

	if (rdmsrl_safe(msr, &v))
		return false;
	ctl = ((required | optional) & (u32)(v >> 32)) | (u32)v;
	*out = ctl;
	return (ctl & required) == required;
}

/*
 * The VMX-preemption timer (SDM Vol 3C, 26.5.1) bounds every stay in the
 * guest to about a millisecond.  External interrupts already force an
 * exit on real hardware whatever the guest's RFLAGS.IF, but Bochs 2.7
 * does not exit for them while the guest has IF=0: without this, a guest
 * `cli; jmp .` there would never give its CPU back.  The timer counts
 * down at the TSC rate divided by 2^IA32_VMX_MISC[4:0] (SDM Vol 3D, A.6).
 */
static void vmx_setup_preempt_timer(void)
{
	u64 misc, ticks;

	vmx_preempt_ticks = 0;
	if (!(vmx_pin_ctls & PIN_BASED_VMX_PREEMPTION_TIMER) ||
	    rdmsrl_safe(MSR_IA32_VMX_MISC, &misc) || !tsc_khz) {
		vmx_pin_ctls &= ~PIN_BASED_VMX_PREEMPTION_TIMER;
		return;
	}
	ticks = (u64)tsc_khz >> (misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK);
	vmx_preempt_ticks = clamp_t(u64, ticks, 1, U32_MAX);
}

static u32 vmx_allowed1(u32 msr);

/* Pick every control once, at load (compare KVM's setup_vmcs_config). */
static bool vmx_setup_ctls(u64 basic)
{
	bool t = basic & VMX_BASIC_HAS_TRUE_CTLS;
	bool ok = true;

	ok &= vmx_adjust_ctls(t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			      MSR_IA32_VMX_PINBASED_CTLS,
			      PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			      PIN_BASED_VMX_PREEMPTION_TIMER |
			      /* SDM Vol 3C, 25.6.1: NMI blocking tracked per guest */
			      PIN_BASED_VIRTUAL_NMIS, &vmx_pin_ctls);
	/* No I/O or MSR bitmaps: every IN/OUT and RDMSR/WRMSR exits. */
	ok &= vmx_adjust_ctls(t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			      MSR_IA32_VMX_PROCBASED_CTLS,
			      CPU_BASED_HLT_EXITING |
			      CPU_BASED_UNCOND_IO_EXITING |
			      /* never let a guest write the host's TPR */
			      CPU_BASED_CR8_LOAD_EXITING |
			      CPU_BASED_CR8_STORE_EXITING |
			      /* until the guest uses DR0-3: vmx_run.c */
			      CPU_BASED_MOV_DR_EXITING |
			      /* reach past the guest: hv_run.c decides */
			      CPU_BASED_MWAIT_EXITING |
			      CPU_BASED_MONITOR_EXITING |
			      CPU_BASED_RDPMC_EXITING |
			      CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
			      /* the guest's TSC: host TSC + TSC_OFFSET */
			      CPU_BASED_USE_TSC_OFFSETTING, &vmx_proc_ctls);
	/*
	 * SDM Vol 3C, 25.6.2: interrupt-window exiting, and NMI-window
	 * exiting, which needs virtual NMIs (26.2.1.1); switched on per
	 * entry while the core waits for a window (vmx_run.c).
	 */
	vmx_window_ctls = vmx_allowed1(t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				       MSR_IA32_VMX_PROCBASED_CTLS) &
			  (CPU_BASED_INTR_WINDOW_EXITING |
			   CPU_BASED_NMI_WINDOW_EXITING);
	if (!(vmx_pin_ctls & PIN_BASED_VIRTUAL_NMIS))
		vmx_window_ctls &= ~CPU_BASED_NMI_WINDOW_EXITING;
	/* SDM Vol 3C, 26.5.2: the monitor trap flag, for guest debugging */
	vmx_mtf_ctl = vmx_allowed1(t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				   MSR_IA32_VMX_PROCBASED_CTLS) &
		      CPU_BASED_MONITOR_TRAP_FLAG;
	ok &= vmx_adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS2,
			      SECONDARY_EXEC_ENABLE_EPT |
			      SECONDARY_EXEC_UNRESTRICTED_GUEST,
			      SECONDARY_EXEC_ENABLE_VPID |
			      SECONDARY_EXEC_ENABLE_RDTSCP |
			      /* SDM Vol 3C, 25.6.2: as MWAIT above */
			      SECONDARY_EXEC_WBINVD_EXITING,
			      &vmx_proc2_ctls);
	ok &= vmx_adjust_ctls(t ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			      MSR_IA32_VMX_EXIT_CTLS,
			      VM_EXIT_HOST_ADDR_SPACE_SIZE |
			      VM_EXIT_ACK_INTR_ON_EXIT |
			      VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
			      VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			      VM_EXIT_SAVE_DEBUG_CONTROLS,	/* guest DR7 */
			      0, &vmx_exit_ctls);
	ok &= vmx_adjust_ctls(t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			      MSR_IA32_VMX_ENTRY_CTLS,
			      VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_IA32_EFER |
			      VM_ENTRY_LOAD_DEBUG_CONTROLS,	/* guest DR7 */
			      0, &vmx_entry_ctls);
	/* IA-32e mode is chosen per entry from the guest's EFER.LMA */
	vmx_entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	vmx_setup_preempt_timer();
	/* With EPT, CR3 accesses need not exit (allowed-0 may still force) */
	return ok;
}

/* High half of a VMX control MSR: the controls that may be 1. */
static u32 vmx_allowed1(u32 msr)
{
	u64 v;

	return rdmsrl_safe(msr, &v) ? 0 : v >> 32;
}

/* Is VMX there, and did the firmware let us use it? */
static int vmx_probe_enabled(struct hv_caps *caps, const char **why)
{
	u64 fc;

	/* SDM Vol 3C, 24.6 "Discovering Support for VMX": CPUID.1:ECX[5] */
	if (!(cpuid_ecx(1) & BIT(5))) {
		*why = "Intel VT-x (VMX) is not offered by this CPU (CPUID.1:ECX.VMX=0)";
		return -ENODEV;
	}
	caps->features |= HV_FEAT_VMX;

	/* SDM Vol 3C, 24.7: VMXON #GPs unless the lock bit and bit 2 are set */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc)) {
		*why = "Intel VT-x: IA32_FEATURE_CONTROL cannot be read";
		return -ENODEV;
	}
	caps->feature_msr = fc;
	if (fc & FEAT_CTL_LOCKED)
		caps->features |= HV_FEAT_VMX_FC_LOCKED;
	if (fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)
		caps->features |= HV_FEAT_VMX_FC_ENABLED;
	if (!(fc & FEAT_CTL_LOCKED)) {
		*why = "Intel VT-x is not configured: IA32_FEATURE_CONTROL is unlocked, so VMXON would fault";
		return -ENODEV;
	}
	if (!(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		*why = "Intel VT-x is disabled by firmware (IA32_FEATURE_CONTROL locked with VMX off): enable it in the firmware setup";
		return -ENODEV;
	}
	return 0;
}

/* What the controls and the EPT/VPID capability MSR offer */
static void vmx_probe_features(struct hv_caps *caps, u64 basic)
{
	u64 ept_cap = 0;
	u32 proc, proc2 = 0;

	/* SDM Vol 3D, A.3.2: primary controls; A.3.3: secondary controls */
	proc = vmx_allowed1(basic & VMX_BASIC_HAS_TRUE_CTLS ?
			    MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			    MSR_IA32_VMX_PROCBASED_CTLS);
	if (proc & VMX_PROC_ACTIVATE_SECONDARY)
		proc2 = vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (proc2 & VMX_PROC2_ENABLE_EPT)
		caps->features |= HV_FEAT_EPT;
	if (proc2 & VMX_PROC2_ENABLE_VPID)
		caps->features |= HV_FEAT_VPID;
	if (proc2 & VMX_PROC2_UNRESTRICTED_GUEST)
		caps->features |= HV_FEAT_UNRESTRICTED;

	/* SDM Vol 3D, A.10: exists only if EPT or VPID may be enabled */
	if ((proc2 & (VMX_PROC2_ENABLE_EPT | VMX_PROC2_ENABLE_VPID)) &&
	    !rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_cap)) {
		caps->vmx_ept_vpid_cap = ept_cap;
		if (ept_cap & VMX_EPT_CAP_WALK_4)
			caps->features |= HV_FEAT_EPT_4LEVEL;
		if (ept_cap & VMX_EPT_CAP_WB)
			caps->features |= HV_FEAT_EPT_WB;
		if (ept_cap & VMX_EPT_CAP_2M)
			caps->features |= HV_FEAT_EPT_2M;
		if (ept_cap & VMX_EPT_CAP_1G)
			caps->features |= HV_FEAT_EPT_1G;
		if (ept_cap & VMX_EPT_CAP_AD)
			caps->features |= HV_FEAT_EPT_AD;
		if (ept_cap & VMX_EPT_CAP_INVEPT)
			caps->features |= HV_FEAT_INVEPT;
		if (ept_cap & VMX_VPID_CAP_INVVPID)
			caps->features |= HV_FEAT_INVVPID;
	}
}

static int vmx_probe(struct hv_caps *caps, const char **why)
{
	u64 basic;
	int r;

	r = vmx_probe_enabled(caps, why);
	if (r)
		return r;

	/* SDM Vol 3D, A.1: revision id, region size, TRUE_* controls */
	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic) ||
	    VMX_BASIC_REGION_SIZE(basic) > PAGE_SIZE) {
		*why = "Intel VT-x: IA32_VMX_BASIC is unreadable or reports a VMXON region larger than 4 KiB";
		return -ENODEV;
	}
	caps->vmx_basic = basic;
	vmx_revision = basic & VMX_BASIC_REVISION_MASK;
	caps->vmcs_revision = vmx_revision;
	if (basic & VMX_BASIC_HAS_TRUE_CTLS)
		caps->features |= HV_FEAT_VMX_TRUE_CTLS;

	vmx_probe_features(caps, basic);
	vmx_ctls_ok = vmx_setup_ctls(basic);

	/* SDM Vol 3D, A.7 and A.8: CR0/CR4 bits fixed in VMX operation */
	if (rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &vmx_cr0_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &vmx_cr0_fixed1) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &vmx_cr4_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &vmx_cr4_fixed1)) {
		*why = "Intel VT-x: the IA32_VMX_CR0/CR4_FIXED MSRs cannot be read";
		return -ENODEV;
	}
	return 0;
}

static void vmx_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(vmx_vmxon_page, cpu))
			__free_page(per_cpu(vmx_vmxon_page, cpu));
		per_cpu(vmx_vmxon_page, cpu) = NULL;
	}
}

static int vmx_setup(void)
{
	struct page *page;
	int cpu;

	for_each_possible_cpu(cpu) {
		INIT_LIST_HEAD(&per_cpu(vmx_loaded_vmcss, cpu));
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			vmx_unsetup();
			return -ENOMEM;
		}
		/* SDM Vol 3C, 25.11.5: the region starts with the revision id */
		*(u32 *)page_address(page) = vmx_revision;
		per_cpu(vmx_vmxon_page, cpu) = page;
	}
	return 0;
}

static bool vmx_fixed_ok(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

/* VMXON: -EIO on VMfail (CF or ZF set), -EFAULT if it faulted. */
static int vmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m" (pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

/* VMXOFF, then CR4.VMXE off; a fault means we were not in VMX operation. */
static void vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
fault:
	cr4_clear_bits(X86_CR4_VMXE);
}

static int vmx_cpu_enable(void)
{
	int cpu = smp_processor_id();
	struct page *page = per_cpu(vmx_vmxon_page, cpu);
	int r;

	/* Someone else (KVM, VirtualBox) is in VMX operation here. */
	if (__read_cr4() & X86_CR4_VMXE)
		return -EBUSY;

	/* SDM Vol 3C, 24.8: CR0 and CR4 must honour the fixed bits */
	if (!vmx_fixed_ok(read_cr0(), vmx_cr0_fixed0, vmx_cr0_fixed1) ||
	    !vmx_fixed_ok(__read_cr4() | X86_CR4_VMXE, vmx_cr4_fixed0,
			  vmx_cr4_fixed1)) {
		pr_err("CPU%d: CR0/CR4 violate the VMX fixed bits\n", cpu);
		return -EINVAL;
	}

	/* SDM Vol 3C, 24.7: CR4.VMXE, then VMXON with the region's address */
	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(page));
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		pr_err("CPU%d: VMXON %s\n", cpu,
		       r == -EIO ? "failed (VMfail)" : "faulted");
	}
	return r;
}

/* SDM Vol 3C, 25.11.3: VMCLEAR makes the VMCS inactive, data in memory */
int vmx_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

int vmx_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

/* On the CPU holding it, interrupts off: VMCLEAR and forget the VMCS. */
void vmx_vmclear_local(struct vmx_vcpu *vv)
{
	if (vv->cpu != smp_processor_id())
		return;
	if (vmx_vmclear(vv->vmcs_pa))
		pr_err_ratelimited("CPU%d: VMCLEAR failed\n", vv->cpu);
	if (this_cpu_read(vmx_current) == vv)
		this_cpu_write(vmx_current, NULL);
	list_del(&vv->loaded_node);
	vv->cpu = -1;
	vv->launched = false;
}

/* VMCSs must be cleared before VMXOFF, or their state is lost. */
static void vmx_cpu_disable(void)
{
	struct vmx_vcpu *vv, *tmp;

	list_for_each_entry_safe(vv, tmp, this_cpu_ptr(&vmx_loaded_vmcss),
				 loaded_node)
		vmx_vmclear_local(vv);
	vmx_vmxoff();
}

static void vmx_cpu_emergency_disable(void)
{
	if (__read_cr4() & X86_CR4_VMXE)
		vmx_vmxoff();
}

/* For the core's line at load (hv_main.c) */
static void vmx_describe(const struct hv_caps *caps, char *buf, size_t len)
{
	u64 f = caps->features;

	snprintf(buf, len,
		 "EPT %s (2M %s), VPID %s, unrestricted guest %s, VMCS rev %u",
		 str_yes_no(f & HV_FEAT_EPT), str_yes_no(f & HV_FEAT_EPT_2M),
		 str_yes_no(f & HV_FEAT_VPID),
		 str_yes_no(f & HV_FEAT_UNRESTRICTED), caps->vmcs_revision);
}

const struct hv_vendor_ops hv_vmx_ops = {
	.name			= "Intel VT-x",
	.peer_module		= "kvm_intel",
	.in_use_why		= "VMX is already on (CR4.VMXE=1)",
	.vendor			= HV_VENDOR_INTEL,
	.probe			= vmx_probe,
	.setup			= vmx_setup,
	.unsetup		= vmx_unsetup,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.cpu_emergency_disable	= vmx_cpu_emergency_disable,

	.vm_size		= sizeof(struct vmx_vm),
	.vm_init		= vmx_vm_init,
	.vcpu_alloc		= vmx_vcpu_alloc,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_run		= vmx_vcpu_run,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.inject_exception	= vmx_inject_exception,
	.inject_soft_exception	= vmx_inject_soft_exception,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.nmi_allowed		= vmx_nmi_allowed,
	.inject_irq		= vmx_inject_irq,
	.inject_nmi		= vmx_inject_nmi,
	.enable_irq_window	= vmx_enable_irq_window,
	.enable_nmi_window	= vmx_enable_nmi_window,
	.set_tsc_offset		= vmx_set_tsc_offset,
	.get_events		= vmx_get_events,
	.set_events		= vmx_set_events,
	.get_dr67		= vmx_get_dr67,
	.set_dr67		= vmx_set_dr67,
	.check_guest_debug	= vmx_check_guest_debug,
	.set_guest_debug	= vmx_set_guest_debug,
	.gpt_ops		= &vmx_ept_ops,
	.describe		= vmx_describe,
};
