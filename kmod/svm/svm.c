// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V backend: probing, and SVM on and off per CPU.
 *
 * Bring-up follows APM Vol 2, 15.4 "Enabling SVM": EFER.SVME on, then
 * VM_HSAVE_PA pointing at a 4 KiB host save area (15.30.4), which VMRUN
 * uses to keep host state.
 */
#include "svm/svm.h"
#include "svm/svm_arch.h"

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/string_helpers.h>
#include <linux/io.h>
#include <asm/msr.h>
#include <asm/processor.h>

static DEFINE_PER_CPU(struct page *, svm_hsave_page);
/* Where VMSAVE keeps the host's FS/GS/TR/... while a guest runs. */
DEFINE_PER_CPU(struct page *, svm_host_save_page);
DEFINE_PER_CPU(struct svm_asid_cpu, svm_asid_cpu);

/* Permission maps with every bit set: all ports and MSRs intercepted. */
static void *svm_iopm, *svm_msrpm;
u64 svm_iopm_pa, svm_msrpm_pa;

static int svm_probe(struct hv_caps *caps, const char **why)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr = 0;

	/* APM Vol 2, 15.4: CPUID Fn8000_0001_ECX[SVM] */
	if (cpuid_eax(0x80000000) < 0x80000001 ||
	    !(cpuid_ecx(0x80000001) & SVM_CPUID_SVM)) {
		*why = "AMD-V (SVM) is not offered by this CPU (CPUID 8000_0001h:ECX.SVM=0)";
		return -ENODEV;
	}
	caps->features |= HV_FEAT_SVM;
	if (cpuid_eax(0x80000000) < SVM_CPUID_LEAF) {
		*why = "AMD-V: CPUID leaf 8000_000Ah (SVM features) is missing";
		return -ENODEV;
	}

	/* APM Vol 2, 15.30.1: firmware may set VM_CR.SVMDIS (and lock it) */
	if (!rdmsrl_safe(MSR_VM_CR, &vm_cr)) {
		caps->feature_msr = vm_cr;
		if (vm_cr & SVM_VM_CR_LOCK)
			caps->features |= HV_FEAT_SVM_LOCKED;
		if (vm_cr & SVM_VM_CR_SVMDIS) {
			caps->features |= HV_FEAT_SVM_DISABLED;
			*why = vm_cr & SVM_VM_CR_LOCK ?
			       "AMD-V is disabled by firmware (VM_CR.SVMDIS=1, locked): enable SVM in the firmware setup" :
			       "AMD-V is disabled (VM_CR.SVMDIS=1)";
			return -ENODEV;
		}
	}

	/* APM Vol 3, CPUID Fn8000_000A: revision, ASIDs, features */
	cpuid(SVM_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	caps->svm_revision = eax & 0xff;
	caps->nr_asids = ebx;
	caps->svm_features = edx;
	if (edx & SVM_FEAT_NP)
		caps->features |= HV_FEAT_NPT;
	if (edx & SVM_FEAT_NRIPS)
		caps->features |= HV_FEAT_NRIPS;
	if (edx & SVM_FEAT_DECODE_ASSISTS)
		caps->features |= HV_FEAT_DECODE_ASSISTS;
	if (edx & SVM_FEAT_FLUSH_BY_ASID)
		caps->features |= HV_FEAT_FLUSH_BY_ASID;
	if (edx & SVM_FEAT_VMCB_CLEAN)
		caps->features |= HV_FEAT_VMCB_CLEAN;
	if (edx & SVM_FEAT_LBRV)
		caps->features |= HV_FEAT_LBR_VIRT;
	return 0;
}

static void svm_free_percpu(struct page * __percpu *pages)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (*per_cpu_ptr(pages, cpu))
			__free_page(*per_cpu_ptr(pages, cpu));
		*per_cpu_ptr(pages, cpu) = NULL;
	}
}

static void svm_unsetup(void)
{
	svm_free_percpu(&svm_hsave_page);
	svm_free_percpu(&svm_host_save_page);
	if (svm_iopm)
		free_pages_exact(svm_iopm, SVM_IOPM_SIZE);
	if (svm_msrpm)
		free_pages_exact(svm_msrpm, SVM_MSRPM_SIZE);
	svm_iopm = svm_msrpm = NULL;
}

static int svm_setup(void)
{
	struct page *page;
	int cpu;

	for_each_possible_cpu(cpu) {
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto nomem;
		per_cpu(svm_hsave_page, cpu) = page;
		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page)
			goto nomem;
		per_cpu(svm_host_save_page, cpu) = page;
	}

	/* APM Vol 2, 15.10.1 (IOPM) and 15.11 (MSRPM): physically contiguous */
	svm_iopm = alloc_pages_exact(SVM_IOPM_SIZE, GFP_KERNEL);
	svm_msrpm = alloc_pages_exact(SVM_MSRPM_SIZE, GFP_KERNEL);
	if (!svm_iopm || !svm_msrpm)
		goto nomem;
	memset(svm_iopm, 0xff, SVM_IOPM_SIZE);
	memset(svm_msrpm, 0xff, SVM_MSRPM_SIZE);
	svm_iopm_pa = virt_to_phys(svm_iopm);
	svm_msrpm_pa = virt_to_phys(svm_msrpm);
	return 0;
nomem:
	svm_unsetup();
	return -ENOMEM;
}

/*
 * APM Vol 2, 15.16: ASIDs 1 .. CPUID 8000_000Ah:EBX - 1 are the guests'.
 * SVM on here starts a new generation, and the first VMRUN flushes the
 * whole TLB, so nothing a previous user of SVM on this CPU (KVM, an
 * earlier load of hv) left tagged can be hit.  The generation only
 * grows, so no vCPU can hold a stale one that matches.
 */
static void svm_asid_cpu_init(struct svm_asid_cpu *ac)
{
	ac->max_asid = hv_host_caps.nr_asids ? hv_host_caps.nr_asids - 1 : 0;
	ac->next_asid = 1;
	ac->flush_pending = true;
	ac->generation++;
	if (!ac->generation)
		ac->generation = 1;
}

static int svm_cpu_enable(void)
{
	u64 efer;

	/* Someone else (KVM, VirtualBox) has SVM on here. */
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME)
		return -EBUSY;

	/* APM Vol 2, 15.4: set EFER.SVME */
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	/* APM Vol 2, 15.30.4: VM_HSAVE_PA, 4 KiB aligned */
	wrmsrl(MSR_VM_HSAVE_PA,
	       page_to_phys(per_cpu(svm_hsave_page, smp_processor_id())));
	svm_asid_cpu_init(this_cpu_ptr(&svm_asid_cpu));
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

/*
 * APM Vol 2, 15.17: GIF=0 blocks INIT and NMI; set it before SVME goes
 * off in case the emergency caught us between CLGI and STGI.
 */
static void svm_cpu_emergency_disable(void)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (!(efer & EFER_SVME))
		return;
	asm volatile("stgi" : : : "memory");
	svm_cpu_disable();
}

/* For the core's line at load (hv_main.c) */
static void svm_describe(const struct hv_caps *caps, char *buf, size_t len)
{
	u64 f = caps->features;

	snprintf(buf, len,
		 "NPT %s, %u ASIDs, NRIP save %s, decode assists %s, SVM rev %u",
		 str_yes_no(f & HV_FEAT_NPT), caps->nr_asids,
		 str_yes_no(f & HV_FEAT_NRIPS),
		 str_yes_no(f & HV_FEAT_DECODE_ASSISTS), caps->svm_revision);
}

const struct hv_vendor_ops hv_svm_ops = {
	.name			= "AMD-V",
	.peer_module		= "kvm_amd",
	.in_use_why		= "SVM is already on (EFER.SVME=1)",
	.vendor			= HV_VENDOR_AMD,
	.probe			= svm_probe,
	.setup			= svm_setup,
	.unsetup		= svm_unsetup,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.cpu_emergency_disable	= svm_cpu_emergency_disable,

	.vm_size		= sizeof(struct svm_vm),
	.vm_init		= svm_vm_init,
	.vcpu_alloc		= svm_vcpu_alloc,
	.vcpu_free		= svm_vcpu_free,
	.vcpu_run		= svm_vcpu_run,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.inject_exception	= svm_inject_exception,
	.inject_soft_exception	= svm_inject_soft_exception,
	.interrupt_allowed	= svm_interrupt_allowed,
	.nmi_allowed		= svm_nmi_allowed,
	.inject_irq		= svm_inject_irq,
	.inject_nmi		= svm_inject_nmi,
	.enable_irq_window	= svm_enable_irq_window,
	.enable_nmi_window	= svm_enable_nmi_window,
	.set_tsc_offset		= svm_set_tsc_offset,
	.get_events		= svm_get_events,
	.set_events		= svm_set_events,
	.get_dr67		= svm_get_dr67,
	.set_dr67		= svm_set_dr67,
	.check_guest_debug	= svm_check_guest_debug,
	.set_guest_debug	= svm_set_guest_debug,
	.gpt_ops		= &svm_npt_ops,
	.describe		= svm_describe,
};
