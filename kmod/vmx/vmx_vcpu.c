// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VT-x VMs and vCPUs: EPT and VPIDs, the VMCS and its setup, and
 * guest state in and out of the VMCS.
 *
 * VMCS bring-up follows SDM Vol 3C, Chapter 25 field by field: control
 * fields (25.6-25.8, from the capability MSRs at load), host state
 * (25.5, what a VM exit loads), guest state (25.4, what VM entry loads).
 */
#include "vmx/vmx.h"
#include "hv_trace.h"

#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/segment.h>

/* ---- VPIDs: one per vCPU; 0 is the host's (SDM Vol 3C, 29.1) ---- */

#define HV_VMX_NR_VPIDS	65536
static DECLARE_BITMAP(vmx_vpid_used, HV_VMX_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

static u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!(vmx_proc2_ctls & SECONDARY_EXEC_ENABLE_VPID))
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpid_used, HV_VMX_NR_VPIDS, 1);
	if (vpid < HV_VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_used);
	else
		vpid = 0;	/* none left: run without VPID, flush always */
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

static void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_used);
	spin_unlock(&vmx_vpid_lock);
}

/* ---- EPT entries (SDM Vol 3C, 29.3.2, Tables 29-1 to 29-6) ---- */

#define EPT_RWX		0x7ULL		/* read, write, execute */
#define EPT_W		0x2ULL		/* write (Table 29-6, bit 1) */
#define EPT_MT_WB	(6ULL << 3)	/* leaf memory type: write-back */
#define EPT_LARGE	BIT_ULL(7)

/*
 * An entry with bits 2:0 all clear is not present (29.3.2).  Bit 1 (W)
 * clear in a leaf: a guest write is an EPT violation (SDM Vol 3C, 29.3.3).
 */
const struct hv_pt_ops vmx_ept_ops = {
	.table_bits	= EPT_RWX,
	.leaf_bits	= (EPT_RWX & ~EPT_W) | EPT_MT_WB,
	.present_mask	= EPT_RWX,
	.write_mask	= EPT_W,
	.large_mask	= EPT_LARGE,
};

int vmx_vm_init(struct hvk_vm *vm)
{
	struct vmx_vm *vmx = to_vmx_vm(vm);
	u64 need = HV_FEAT_EPT | HV_FEAT_UNRESTRICTED | HV_FEAT_EPT_WB |
		   HV_FEAT_EPT_4LEVEL | HV_FEAT_INVEPT;

	if ((hv_host_caps.features & need) != need || !vmx_ctls_ok)
		return -EOPNOTSUPP;
	/* SDM Vol 3C, 25.6.11: WB paging structures, 4-level walk */
	vmx->eptp = vm->gpt.root_pa | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	return 0;
}

/* ---- segments: VMX access-rights format (SDM Vol 3C, Table 25-2) ---- */

#define VMX_AR_UNUSABLE		BIT(16)

static u32 vmx_seg_ar(const struct hv_segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE;
	return (s->type & 0xf) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
	       (s->present & 1) << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
	       (s->db & 1) << 14 | (s->g & 1) << 15;
}

/* GUEST_xS_SELECTOR and friends are 2 apart per segment (Appendix B). */
struct vmx_seg_fields {
	u32 sel, limit, ar, base;
};

static const struct vmx_seg_fields vmx_segs[] = {
	{ GUEST_ES_SELECTOR, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES, GUEST_ES_BASE },
	{ GUEST_CS_SELECTOR, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES, GUEST_CS_BASE },
	{ GUEST_SS_SELECTOR, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES, GUEST_SS_BASE },
	{ GUEST_DS_SELECTOR, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES, GUEST_DS_BASE },
	{ GUEST_FS_SELECTOR, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES, GUEST_FS_BASE },
	{ GUEST_GS_SELECTOR, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES, GUEST_GS_BASE },
	{ GUEST_TR_SELECTOR, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES, GUEST_TR_BASE },
	{ GUEST_LDTR_SELECTOR, GUEST_LDTR_LIMIT, GUEST_LDTR_AR_BYTES,
	  GUEST_LDTR_BASE },
};

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_TR, SEG_LDTR };

static bool vmx_seg_write(int i, const struct hv_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[i];

	return vmcs_write(f->sel, s->selector) &
	       vmcs_write(f->limit, s->limit) &
	       vmcs_write(f->ar, vmx_seg_ar(s)) &
	       vmcs_write(f->base, s->base);
}

static void vmx_seg_read(int i, struct hv_segment *s)
{
	const struct vmx_seg_fields *f = &vmx_segs[i];
	u32 ar = vmcs_read(f->ar);

	s->selector = vmcs_read(f->sel);
	s->limit = vmcs_read(f->limit);
	s->base = vmcs_read(f->base);
	s->unusable = !!(ar & VMX_AR_UNUSABLE);
	s->type = ar & 0xf;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
}

/* ---- making the VMCS current on this CPU ---- */

static void vmx_vmclear_ipi(void *arg)
{
	vmx_vmclear_local(arg);
}

/* Per-CPU host state: SDM Vol 3C, 25.5.2 (Linux's TSS/GDT are per CPU) */
static void vmx_write_host_percpu(int cpu)
{
	u64 v;

	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_current_gdt_ro());
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_GS_BASE, v);
	vmcs_write(HOST_GS_BASE, v);
}

/*
 * Make @vv's VMCS current on this CPU.  Preemption must be off; interrupts
 * on (the VMCS may have to be cleared on the CPU it last ran on, by IPI).
 * Returns true if the vCPU arrived from elsewhere (its VPID's TLB entries
 * here may be stale).
 */
bool vmx_vcpu_load(struct vmx_vcpu *vv)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	if (vv->cpu == cpu) {
		if (this_cpu_read(vmx_current) != vv) {
			if (vmx_vmptrld(vv->vmcs_pa))
				pr_err_ratelimited("VMPTRLD failed\n");
			this_cpu_write(vmx_current, vv);
		}
		return false;
	}
	/* SDM Vol 3C, 25.11.1: VMCLEAR where it was, then VMPTRLD here */
	if (vv->cpu >= 0)
		smp_call_function_single(vv->cpu, vmx_vmclear_ipi, vv, 1);

	local_irq_save(flags);
	if (vmx_vmptrld(vv->vmcs_pa))
		pr_err_ratelimited("VMPTRLD failed\n");
	this_cpu_write(vmx_current, vv);
	list_add(&vv->loaded_node, this_cpu_ptr(&vmx_loaded_vmcss));
	vv->cpu = cpu;
	vmx_write_host_percpu(cpu);
	local_irq_restore(flags);
	return true;
}

/* ---- VMCS setup ---- */

u64 vmx_cr0_guest(u64 cr0)
{
	/* Unrestricted guest: PE and PG are the guest's (SDM Vol 3C, 27.3.1.1) */
	u64 fixed0 = vmx_cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);

	return (cr0 | fixed0) & vmx_cr0_fixed1;
}

u64 vmx_cr4_guest(u64 cr4)
{
	return (cr4 | vmx_cr4_fixed0) & vmx_cr4_fixed1;
}

/* Bits the guest may not own: forced to 1 in VMX, hidden by the shadow */
static u64 vmx_cr0_mask(void)
{
	return vmx_cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);
}

/*
 * ... and OSXSAVE: a guest whose CPUID hides XSAVE must get #GP for it
 * (hv_cr4_write_ok), so every change of it exits (SDM Vol 3C, 25.6.6).
 */
static u64 vmx_cr4_mask(void)
{
	return vmx_cr4_fixed0 | X86_CR4_VMXE | X86_CR4_OSXSAVE;
}

static bool vmx_setup_host(void)
{
	struct desc_ptr idt;
	u64 v;
	bool ok = true;

	/* SDM Vol 3C, 25.5.1: host state loaded on every VM exit */
	ok &= vmcs_write(HOST_CR0, read_cr0());
	ok &= vmcs_write(HOST_CR3, __read_cr3());
	ok &= vmcs_write(HOST_CR4, __read_cr4());
	ok &= vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	ok &= vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	ok &= vmcs_write(HOST_DS_SELECTOR, 0);
	ok &= vmcs_write(HOST_ES_SELECTOR, 0);
	ok &= vmcs_write(HOST_FS_SELECTOR, 0);
	ok &= vmcs_write(HOST_GS_SELECTOR, 0);
	ok &= vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	ok &= vmcs_write(HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	ok &= vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	ok &= vmcs_write(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	ok &= vmcs_write(HOST_IA32_PAT, v);
	rdmsrl(MSR_EFER, v);
	ok &= vmcs_write(HOST_IA32_EFER, v);
	ok &= vmcs_write(HOST_RIP, (unsigned long)vmx_vmexit);
	return ok;
}

static bool vmx_setup_controls(struct vmx_vcpu *vv)
{
	struct vmx_vm *vmx = to_vmx_vm(vv->vcpu.vm);
	bool ok = true;

	/* SDM Vol 3C, 25.6-25.8: execution, exit and entry controls */
	ok &= vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_pin_ctls);
	ok &= vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_proc_ctls);
	vv->exec_ctls = vmx_proc_ctls;
	ok &= vmcs_write(TSC_OFFSET, 0);		/* 25.6.5 */
	ok &= vmcs_write(SECONDARY_VM_EXEC_CONTROL, vv->vpid ? vmx_proc2_ctls :
			 vmx_proc2_ctls & ~SECONDARY_EXEC_ENABLE_VPID);
	ok &= vmcs_write(VM_EXIT_CONTROLS, vmx_exit_ctls);
	ok &= vmcs_write(VM_ENTRY_CONTROLS, vmx_entry_ctls);
	ok &= vmcs_write(EXCEPTION_BITMAP, BIT(6));	/* #UD: hv_handle_ud() */
	vv->exc_bitmap = BIT(6);	/* + #BP, #DB while debugged: vmx_run.c */
	ok &= vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	ok &= vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	ok &= vmcs_write(CR3_TARGET_COUNT, 0);
	ok &= vmcs_write(EPT_POINTER, vmx->eptp);
	if (vv->vpid)
		ok &= vmcs_write(VIRTUAL_PROCESSOR_ID, vv->vpid);
	ok &= vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_mask());
	ok &= vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_mask());

	/* SDM Vol 3C, 25.7.2 / 25.8.2: STAR, LSTAR, SFMASK, KernelGSBase switched */
	ok &= vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(vv->guest_msrs));
	ok &= vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_AUTOLOAD);
	ok &= vmcs_write(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(vv->guest_msrs));
	ok &= vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_AUTOLOAD);
	ok &= vmcs_write(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(vv->host_msrs));
	ok &= vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_AUTOLOAD);
	/* SDM Vol 3C, 25.4.2: must be all ones when VMCS shadowing is off */
	ok &= vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	return ok;
}

/* The state after RESET, as SDM Vol 3A, 10.1.1, Table 10-1 gives it. */
static bool vmx_setup_guest_reset(struct vmx_vcpu *vv)
{
	struct hv_segment cs = {
		.selector = 0xf000, .base = 0xffff0000, .limit = 0xffff,
		.type = 0xb, .s = 1, .present = 1,
	};
	struct hv_segment data = {
		.limit = 0xffff, .type = 3, .s = 1, .present = 1,
	};
	struct hv_segment ldt = { .limit = 0xffff, .type = 2, .present = 1 };
	struct hv_segment tr = { .limit = 0xffff, .type = 0xb, .present = 1 };
	u64 cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	bool ok = true;
	int i;

	ok &= vmx_seg_write(SEG_CS, &cs);
	for (i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS)
			ok &= vmx_seg_write(i, &data);
	ok &= vmx_seg_write(SEG_TR, &tr);
	ok &= vmx_seg_write(SEG_LDTR, &ldt);
	ok &= vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	ok &= vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	ok &= vmcs_write(GUEST_GDTR_BASE, 0);
	ok &= vmcs_write(GUEST_IDTR_BASE, 0);
	vv->cr0_shadow = cr0;
	vv->cr4_shadow = 0;
	ok &= vmcs_write(GUEST_CR0, vmx_cr0_guest(cr0));
	ok &= vmcs_write(CR0_READ_SHADOW, cr0);
	ok &= vmcs_write(GUEST_CR3, 0);
	ok &= vmcs_write(GUEST_CR4, vmx_cr4_guest(0));
	ok &= vmcs_write(CR4_READ_SHADOW, 0);
	ok &= vmcs_write(GUEST_DR7, 0x400);
	vv->dr6 = DR6_RESERVED;		/* 0xffff0ff0, as at reset */
	ok &= vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	ok &= vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	ok &= vmcs_write(GUEST_IA32_EFER, 0);
	ok &= vmcs_write(GUEST_SYSENTER_CS, 0);
	ok &= vmcs_write(GUEST_SYSENTER_ESP, 0);
	ok &= vmcs_write(GUEST_SYSENTER_EIP, 0);
	ok &= vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	ok &= vmcs_write(GUEST_RIP, 0xfff0);
	ok &= vmcs_write(GUEST_RSP, 0);
	ok &= vmcs_write(GUEST_ACTIVITY_STATE, 0);
	ok &= vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	ok &= vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	ok &= vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);

	memset(&vv->vcpu.regs, 0, sizeof(vv->vcpu.regs));
	vv->vcpu.regs.rip = 0xfff0;
	vv->vcpu.regs.rflags = X86_EFLAGS_FIXED;
	vv->vcpu.regs.rdx = cpuid_eax(1);	/* processor signature */
	return ok;
}

int vmx_vcpu_setup_vmcs(struct vmx_vcpu *vv)
{
	static const u32 msrs[VMX_NR_AUTOLOAD] = {
		[VMX_MSR_STAR] = MSR_STAR, [VMX_MSR_LSTAR] = MSR_LSTAR,
		[VMX_MSR_SFMASK] = MSR_SYSCALL_MASK,
		[VMX_MSR_KGS] = MSR_KERNEL_GS_BASE,
	};
	bool ok;
	int i;

	for (i = 0; i < VMX_NR_AUTOLOAD; i++) {
		vv->guest_msrs[i].index = msrs[i];
		vv->guest_msrs[i].value = 0;
		vv->host_msrs[i].index = msrs[i];
		/* Linux's are the same on every CPU but KernelGSBase */
		rdmsrl(msrs[i], vv->host_msrs[i].value);
	}

	preempt_disable();
	vmx_vcpu_load(vv);
	ok = vmx_setup_host() & vmx_setup_controls(vv) &
	     vmx_setup_guest_reset(vv);
	preempt_enable();
	return ok ? 0 : -EIO;
}

struct hvk_vcpu *vmx_vcpu_alloc(struct hvk_vm *vm)
{
	struct vmx_vcpu *vv;
	struct page *vmcs, *msrs;
	u64 basic;

	vv = kzalloc(sizeof(*vv), GFP_KERNEL_ACCOUNT);
	if (!vv)
		return NULL;
	vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	msrs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vmcs || !msrs)
		goto err;
	vv->vmcs = page_address(vmcs);
	vv->vmcs_pa = page_to_phys(vmcs);
	vv->guest_msrs = page_address(msrs);
	vv->host_msrs = vv->guest_msrs + VMX_NR_AUTOLOAD;
	vv->cpu = -1;
	INIT_LIST_HEAD(&vv->loaded_node);
	vv->vcpu.vm = vm;
	vv->vpid = vmx_vpid_alloc();

	/* SDM Vol 3C, 25.2: revision id first; VMCLEAR sets launch state */
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	*(u32 *)vv->vmcs = basic & VMX_BASIC_REVISION_MASK;
	if (vmx_vmclear(vv->vmcs_pa) || vmx_vcpu_setup_vmcs(vv)) {
		pr_err("VMCS setup failed\n");
		vmx_vcpu_free(&vv->vcpu);
		return NULL;
	}
	return &vv->vcpu;
err:
	if (vmcs)
		__free_page(vmcs);
	if (msrs)
		__free_page(msrs);
	kfree(vv);
	return NULL;
}

void vmx_vcpu_free(struct hvk_vcpu *vcpu)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	int cpu = READ_ONCE(vv->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmclear_ipi, vv, 1);
	vmx_vpid_free(vv->vpid);
	free_page((unsigned long)vv->vmcs);
	free_page((unsigned long)vv->guest_msrs);
	kfree(vv);
}

/* ---- guest state through the API ---- */

void vmx_get_sregs(struct hvk_vcpu *vcpu, struct hv_sregs *s)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	u64 m0 = vmx_cr0_mask(), m4 = vmx_cr4_mask();

	preempt_disable();
	vmx_vcpu_load(vv);
	vmx_seg_read(SEG_CS, &s->cs);
	vmx_seg_read(SEG_DS, &s->ds);
	vmx_seg_read(SEG_ES, &s->es);
	vmx_seg_read(SEG_FS, &s->fs);
	vmx_seg_read(SEG_GS, &s->gs);
	vmx_seg_read(SEG_SS, &s->ss);
	vmx_seg_read(SEG_TR, &s->tr);
	vmx_seg_read(SEG_LDTR, &s->ldt);
	s->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	s->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	s->idt.base = vmcs_read(GUEST_IDTR_BASE);
	s->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	/* What the guest sees: owned bits from the CPU, masked from shadow */
	s->cr0 = (vmcs_read(GUEST_CR0) & ~m0) | (vv->cr0_shadow & m0);
	s->cr4 = (vmcs_read(GUEST_CR4) & ~m4) | (vv->cr4_shadow & m4);
	s->cr3 = vmcs_read(GUEST_CR3);
	s->efer = vmcs_read(GUEST_IA32_EFER);
	preempt_enable();
	s->cr2 = vv->cr2;
	s->cr8 = hv_lapic_get_cr8(vcpu);
}

/* SDM Vol 3A, 4.4.1: with PAE paging outside long mode, VM entry loads
 * the four PDPTEs from the VMCS (SDM Vol 3C, 27.3.2.4), not from CR3. */
static int vmx_read_pdptrs(struct hvk_vm *vm, const struct hv_sregs *s,
			   u64 pdpte[4])
{
	if (!(s->cr0 & X86_CR0_PG) || !(s->cr4 & X86_CR4_PAE) ||
	    (s->efer & EFER_LMA)) {
		memset(pdpte, 0, 4 * sizeof(u64));
		return 0;
	}
	return hv_mem_read(vm, s->cr3 & 0xffffffe0ULL, pdpte, 4 * sizeof(u64));
}

int vmx_set_sregs(struct hvk_vcpu *vcpu, const struct hv_sregs *s)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	u64 pdpte[4];
	u32 entry;
	bool ok = true;

	if (vmx_read_pdptrs(vcpu->vm, s, pdpte))
		return -EINVAL;

	preempt_disable();
	vmx_vcpu_load(vv);
	ok &= vmx_seg_write(SEG_CS, &s->cs);
	ok &= vmx_seg_write(SEG_DS, &s->ds);
	ok &= vmx_seg_write(SEG_ES, &s->es);
	ok &= vmx_seg_write(SEG_FS, &s->fs);
	ok &= vmx_seg_write(SEG_GS, &s->gs);
	ok &= vmx_seg_write(SEG_SS, &s->ss);
	ok &= vmx_seg_write(SEG_TR, &s->tr);
	ok &= vmx_seg_write(SEG_LDTR, &s->ldt);
	ok &= vmcs_write(GUEST_GDTR_BASE, s->gdt.base);
	ok &= vmcs_write(GUEST_GDTR_LIMIT, s->gdt.limit);
	ok &= vmcs_write(GUEST_IDTR_BASE, s->idt.base);
	ok &= vmcs_write(GUEST_IDTR_LIMIT, s->idt.limit);
	ok &= vmcs_write(GUEST_CR0, vmx_cr0_guest(s->cr0));
	ok &= vmcs_write(CR0_READ_SHADOW, s->cr0);
	ok &= vmcs_write(GUEST_CR4, vmx_cr4_guest(s->cr4));
	ok &= vmcs_write(CR4_READ_SHADOW, s->cr4);
	ok &= vmcs_write(GUEST_CR3, s->cr3);
	ok &= vmcs_write(GUEST_IA32_EFER, s->efer);
	ok &= vmcs_write(GUEST_PDPTR0, pdpte[0]);
	ok &= vmcs_write(GUEST_PDPTR1, pdpte[1]);
	ok &= vmcs_write(GUEST_PDPTR2, pdpte[2]);
	ok &= vmcs_write(GUEST_PDPTR3, pdpte[3]);
	/* SDM Vol 3C, 27.2.1.3: IA-32e mode guest must equal EFER.LMA */
	entry = vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE;
	if (s->efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	ok &= vmcs_write(VM_ENTRY_CONTROLS, entry);
	preempt_enable();
	vv->cr0_shadow = s->cr0;
	vv->cr4_shadow = s->cr4;
	vv->cr2 = s->cr2;
	hv_lapic_set_cr8(vcpu, s->cr8);
	return ok ? 0 : -EIO;
}

/* ---- the guest MSRs hv allows (hv_run.c decides which) ---- */

static u64 vmx_read_field(struct vmx_vcpu *vv, unsigned long field)
{
	u64 v;

	preempt_disable();
	vmx_vcpu_load(vv);
	v = vmcs_read(field);
	preempt_enable();
	return v;
}

static void vmx_write_field(struct vmx_vcpu *vv, unsigned long field, u64 v)
{
	preempt_disable();
	vmx_vcpu_load(vv);
	vmcs_write(field, v);
	preempt_enable();
}

int vmx_get_msr(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	switch (index) {
	case MSR_STAR:		*val = vv->guest_msrs[VMX_MSR_STAR].value; break;
	case MSR_LSTAR:		*val = vv->guest_msrs[VMX_MSR_LSTAR].value; break;
	case MSR_SYSCALL_MASK:	*val = vv->guest_msrs[VMX_MSR_SFMASK].value; break;
	case MSR_KERNEL_GS_BASE: *val = vv->guest_msrs[VMX_MSR_KGS].value; break;
	case MSR_CSTAR:		*val = vv->cstar; break;
	case MSR_EFER:		*val = vmx_read_field(vv, GUEST_IA32_EFER); break;
	case MSR_FS_BASE:	*val = vmx_read_field(vv, GUEST_FS_BASE); break;
	case MSR_GS_BASE:	*val = vmx_read_field(vv, GUEST_GS_BASE); break;
	case MSR_IA32_SYSENTER_CS:
		*val = vmx_read_field(vv, GUEST_SYSENTER_CS);
		break;
	case MSR_IA32_SYSENTER_ESP:
		*val = vmx_read_field(vv, GUEST_SYSENTER_ESP);
		break;
	case MSR_IA32_SYSENTER_EIP:
		*val = vmx_read_field(vv, GUEST_SYSENTER_EIP);
		break;
	case MSR_IA32_CR_PAT:	*val = vmx_read_field(vv, GUEST_IA32_PAT); break;
	default:		return -EINVAL;
	}
	return 0;
}

int vmx_set_msr(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	switch (index) {
	case MSR_STAR:	vv->guest_msrs[VMX_MSR_STAR].value = val; break;
	case MSR_LSTAR:	vv->guest_msrs[VMX_MSR_LSTAR].value = val; break;
	case MSR_SYSCALL_MASK: vv->guest_msrs[VMX_MSR_SFMASK].value = val; break;
	case MSR_KERNEL_GS_BASE: vv->guest_msrs[VMX_MSR_KGS].value = val; break;
	case MSR_CSTAR:	vv->cstar = val; break;
	case MSR_EFER:	vmx_write_field(vv, GUEST_IA32_EFER, val); break;
	case MSR_FS_BASE: vmx_write_field(vv, GUEST_FS_BASE, val); break;
	case MSR_GS_BASE: vmx_write_field(vv, GUEST_GS_BASE, val); break;
	case MSR_IA32_SYSENTER_CS:
		vmx_write_field(vv, GUEST_SYSENTER_CS, val);
		break;
	case MSR_IA32_SYSENTER_ESP:
		vmx_write_field(vv, GUEST_SYSENTER_ESP, val);
		break;
	case MSR_IA32_SYSENTER_EIP:
		vmx_write_field(vv, GUEST_SYSENTER_EIP, val);
		break;
	case MSR_IA32_CR_PAT: vmx_write_field(vv, GUEST_IA32_PAT, val); break;
	default:	return -EINVAL;
	}
	return 0;
}

/* SDM Vol 3C, 27.6: event injection, written at the next entry */
void vmx_inject_exception(struct hvk_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	vv->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION |
			  vector | (has_error ? INTR_INFO_DELIVER_CODE_MASK : 0);
	vv->inject_error = error;
	vv->inject_len = 0;
	trace_hv_inject(vcpu, vector, HV_TRACE_INJ_EXCEPTION, has_error, error);
}

/*
 * SDM Vol 3C, 27.6.1.1: a software exception (type 6) is delivered as
 * the INT3/INTO that raised it, pushing RIP + the VM-entry instruction
 * length (26.2.1.3: 1-15), with the gate's DPL checked as for INT3.
 */
int vmx_inject_soft_exception(struct hvk_vcpu *vcpu, u8 vector, u8 len)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	if (vv->inject_info & INTR_INFO_VALID_MASK)
		return -EBUSY;
	vv->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_SOFT_EXCEPTION |
			  vector;
	vv->inject_error = 0;
	vv->inject_len = len;
	trace_hv_inject(vcpu, vector, HV_TRACE_INJ_EXCEPTION, false, 0);
	return 0;
}

/* ---- interrupts and NMIs (hv_event.c decides; this programs it) ---- */

/* SDM Vol 3C, 25.4.2, Table 25-3: guest interruptibility state */
#define VMX_INTR_STI		BIT(0)
#define VMX_INTR_MOV_SS		BIT(1)
#define VMX_INTR_NMI		BIT(3)
#define VMX_PENDING_DBG_BS	BIT(14)	/* SDM Vol 3C, 25.4.2: single-step pending */

/*
 * Blocking by STI or MOV SS as the next entry will have it: none once
 * the core moved RIP past the instruction that exited (vmx_load_guest
 * then clears it in the VMCS).
 */
static u32 vmx_shadow(struct vmx_vcpu *vv)
{
	if (vv->vcpu.regs.rip != vv->exit_rip)
		return 0;
	return vv->intr_state & (VMX_INTR_STI | VMX_INTR_MOV_SS);
}

/* SDM Vol 3C, 26.3.1.5 and 6.8.1: IF=1, no shadow, nothing queued */
bool vmx_interrupt_allowed(struct hvk_vcpu *vcpu)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	return (vcpu->regs.rflags & X86_EFLAGS_IF) && !vmx_shadow(vv) &&
	       !(vv->inject_info & INTR_INFO_VALID_MASK);
}

/* SDM Vol 3C, 26.3.1.5: NMI injection needs no blocking by NMI or STI/MOV SS */
bool vmx_nmi_allowed(struct hvk_vcpu *vcpu)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	return !(vv->intr_state & VMX_INTR_NMI) && !vmx_shadow(vv) &&
	       !(vv->inject_info & INTR_INFO_VALID_MASK);
}

/* SDM Vol 3C, 25.8.3, Table 25-17: VM-entry interruption information */
void vmx_inject_irq(struct hvk_vcpu *vcpu, u8 vector)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	vv->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_EXT_INTR | vector;
	vv->inject_error = 0;
	vv->inject_len = 0;
}

/* 26.6.1.2: with virtual NMIs, the entry sets virtual-NMI blocking */
void vmx_inject_nmi(struct hvk_vcpu *vcpu)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	vv->inject_info = INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR | 2;
	vv->inject_error = 0;
	vv->inject_len = 0;
}

/* SDM Vol 3C, 27.7.5-6: the window exits, programmed at the next entry */
void vmx_enable_irq_window(struct hvk_vcpu *vcpu)
{
	to_vmx_vcpu(vcpu)->irq_window = true;
}

/*
 * Without virtual NMIs (no NMI-window exiting) the VMX-preemption timer
 * brings the vCPU back within about a millisecond, and the core tries
 * again: late, never lost.
 */
void vmx_enable_nmi_window(struct hvk_vcpu *vcpu)
{
	to_vmx_vcpu(vcpu)->nmi_window = true;
}

/* SDM Vol 3C, 25.6.5: RDTSC, RDTSCP and RDMSR(TSC) add TSC_OFFSET */
void vmx_set_tsc_offset(struct hvk_vcpu *vcpu, s64 offset)
{
	vmx_write_field(to_vmx_vcpu(vcpu), TSC_OFFSET, offset);
	vcpu->tsc_offset = offset;
}

/* ---- state (state/state.c has checked every value) ---- */

/* A queued or re-injected exception is vv->inject_info (vmx_run.c). */
void vmx_get_events(struct hvk_vcpu *vcpu, struct hv_vcpu_events *ev)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	u32 intr = vmx_read_field(vv, GUEST_INTERRUPTIBILITY_INFO);
	u32 info = vv->inject_info;

	/* The blocking as the next entry has it: none past the exit's RIP */
	if (vmx_shadow(vv))
		ev->flags |= HV_EV_SHADOW;
	/*
	 * An NMI queued or interrupted is not delivered yet: pending, and
	 * not blocking (it could only be queued while NMIs were unblocked).
	 */
	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		ev->flags |= HV_EV_NMI_PENDING;
	else if (intr & VMX_INTR_NMI)
		ev->flags |= HV_EV_NMI_MASKED;
	/*
	 * Only hardware exceptions: an interrupted INTn, INT3 or INTO
	 * (types 4-6) left RIP on its instruction, which raises it again.
	 */
	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_EXT_INTR) {
		ev->flags |= HV_EV_INTERRUPT;
		ev->interrupt_vector = info & INTR_INFO_VECTOR_MASK;
	}
	if ((info & INTR_INFO_VALID_MASK) &&
	    (info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_HARD_EXCEPTION) {
		ev->flags |= HV_EV_EXCEPTION;
		ev->exception_vector = info & INTR_INFO_VECTOR_MASK;
		if (info & INTR_INFO_DELIVER_CODE_MASK) {
			ev->flags |= HV_EV_EXCEPTION_ERROR;
			ev->exception_error = vv->inject_error;
		}
	}
}

void vmx_set_events(struct hvk_vcpu *vcpu, const struct hv_vcpu_events *ev)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	u32 intr = 0, dbg = 0;

	/* SDM Vol 3C, 27.3.1.5: blocking by STI needs RFLAGS.IF; MOV SS does not */
	if (ev->flags & HV_EV_SHADOW) {
		intr = vcpu->regs.rflags & X86_EFLAGS_IF ? VMX_INTR_STI :
							   VMX_INTR_MOV_SS;
		/* SDM Vol 3C, 27.3.1.5: BS pending exactly when TF is set in a shadow */
		if (vcpu->regs.rflags & X86_EFLAGS_TF)
			dbg = VMX_PENDING_DBG_BS;
	}
	if (ev->flags & HV_EV_NMI_MASKED)
		intr |= VMX_INTR_NMI;
	vmx_write_field(vv, GUEST_INTERRUPTIBILITY_INFO, intr);
	vmx_write_field(vv, GUEST_PENDING_DBG_EXCEPTIONS, dbg);
	vv->intr_state = intr;
	vv->exit_rip = vcpu->regs.rip;	/* the shadow is for this RIP */
	vv->inject_info = 0;
	vv->irq_window = false;
	vv->nmi_window = false;
}

void vmx_get_dr67(struct hvk_vcpu *vcpu, u64 *dr6, u64 *dr7)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	*dr6 = vv->dr6;
	*dr7 = vmx_read_field(vv, GUEST_DR7);
}

/*
 * Guest debugging (hv_debug.c): single steps with MTF (SDM Vol 3C,
 * 26.5.2), or where the CPU has none (Bochs) with RFLAGS.TF and #DB
 * intercepted, as KVM steps on both vendors (vmx_run.c).
 */
int vmx_check_guest_debug(u32 flags)
{
	return 0;
}

/* Nothing to do now: vmx_exec_controls() programs it at the next entry */
void vmx_set_guest_debug(struct hvk_vcpu *vcpu)
{
}

void vmx_set_dr67(struct hvk_vcpu *vcpu, u64 dr6, u64 dr7)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);

	vv->dr6 = dr6;
	preempt_disable();
	vmx_vcpu_load(vv);
	vmcs_write(GUEST_DR7, dr7);
	preempt_enable();
}
