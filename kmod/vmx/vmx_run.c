// SPDX-License-Identifier: GPL-2.0
/*
 * Entering an Intel VT-x guest once, and turning the VM exit into hv's
 * vendor-neutral exit record.
 *
 * Order of one entry (compare KVM's vmx_vcpu_run), inside the core's
 * kernel_fpu_begin/end with the guest's FPU registers loaded (preemption
 * off):
 *   VMCS current here
 *   host state that changes between entries (CR3, CR4, FS base, the
 *   KernelGSBase the exit restores) into the VMCS and the MSR area
 *   interrupts off; TLB flushes; guest CR2; guest XCR0; VMLAUNCH/VMRESUME
 *   host XCR0; read the exit; host DS/ES/FS/GS selectors and GDT limit
 *   an interrupt the exit acknowledged goes to the host's IDT handler
 *   interrupts on
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
 * An external interrupt exit acknowledged the interrupt (SDM Vol 3C,
 * 28.2.2: VM-exit interruption info holds its vector): run the host's
 * handler for that vector from the host IDT, interrupts still off.
 */
static void vmx_handle_host_irq(u32 intr_info)
{
	struct desc_ptr idt;
	gate_desc *gate;

	if (!(intr_info & INTR_INFO_VALID_MASK))
		return;
	store_idt(&idt);
	gate = (gate_desc *)idt.address + (intr_info & INTR_INFO_VECTOR_MASK);
	vmx_do_interrupt_irqoff(gate_offset(gate));
}

/*
 * MOV to CR0/CR4 that touched a bit the host owns, and CR8 (TPR), which
 * is never passed through.  SDM Vol 3C, 28.1.3 Table 28-3 (qualification).
 * Emulated as the CPU would; bad values get #GP, as MOV to CR does.
 */
static bool vmx_handle_cr(struct vmx_vcpu *vv, u64 qual, u64 next_rip)
{
	struct hv_regs *r = &vv->vcpu.regs;
	unsigned int cr = qual & 15, type = (qual >> 4) & 3;
	u64 *gpr = hv_gpr(r, (qual >> 8) & 15), val = *gpr, efer;
	bool lma;

	if (type == 1 && cr == 8) {		/* MOV from CR8 */
		*gpr = vv->cr8;
		goto done;
	}
	if (type != 0)				/* CLTS/LMSW: not masked */
		return false;

	switch (cr) {
	case 0:
		if (val >> 32 || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
		    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
			return false;
		efer = vmcs_read(GUEST_IA32_EFER);
		if ((val & X86_CR0_PG) && (efer & EFER_LME) &&
		    !(vv->cr4_shadow & X86_CR4_PAE))
			return false;
		/* SDM Vol 3A, 10.8.5: LMA = LME && PG, as the CPU would */
		lma = (efer & EFER_LME) && (val & X86_CR0_PG);
		efer = lma ? efer | EFER_LMA : efer & ~EFER_LMA;
		vmcs_write(GUEST_IA32_EFER, efer);
		vmcs_write(VM_ENTRY_CONTROLS,
			   (vmcs_read(VM_ENTRY_CONTROLS) & ~VM_ENTRY_IA32E_MODE) |
			   (lma ? VM_ENTRY_IA32E_MODE : 0));
		vmcs_write(GUEST_CR0, vmx_cr0_guest(val));
		vmcs_write(CR0_READ_SHADOW, val);
		vv->cr0_shadow = val;
		break;
	case 4:
		/* The core's rules; OSXSAVE is in the mask (vmx_cr4_mask) */
		if (!hv_cr4_write_ok(&vv->vcpu, vmcs_read(GUEST_IA32_EFER), val))
			return false;
		/* SDM Vol 3A, 4.10.4.1: a change of PGE, PAE, PSE flushes */
		if ((vv->cr4_shadow ^ val) &
		    (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE))
			vmx_flush_gpt(vv->vcpu.vm);
		vmcs_write(GUEST_CR4, vmx_cr4_guest(val));
		vmcs_write(CR4_READ_SHADOW, val);
		vv->cr4_shadow = val;
		break;
	case 8:
		if (val > 15)
			return false;
		vv->cr8 = val;
		break;
	default:
		return false;
	}
done:
	r->rip = next_rip;
	return true;
}

/*
 * Guest debug registers.  DR7 is VMCS state (loaded at entry, saved at
 * exit with the debug-controls bits: SDM Vol 3C, 25.7.1 / 25.8.1); DR0-3
 * and DR6 are not.  As KVM does, DR0-3 are not swapped on every exit:
 * while they are not in the hardware, MOV-DR exiting is on (SDM Vol 3C,
 * 25.6.2); the first guest access makes them live (loaded before each
 * entry, saved after each exit, exiting off) and the MOV runs again, now
 * for real.  After an exit with DR7 enabling no breakpoint they stop
 * being live and the next access traps again.  DR6, which a guest #DB
 * also writes, is one read per exit: the guest's is kept in vv->dr6 and
 * the host gets DR6_RESERVED back, the value Linux keeps there.
 */
void vmx_db_arm(struct vmx_vcpu *vv, bool live)
{
	u32 ctl = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);

	vv->db_live = live;
	if (live)
		ctl &= ~CPU_BASED_MOV_DR_EXITING;
	else
		ctl |= CPU_BASED_MOV_DR_EXITING;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, ctl);
}

static void vmx_translate_exit(struct vmx_vcpu *vv, u32 reason, u64 qual,
			       u64 next_rip, u32 intr_info,
			       struct hv_exit *exit)
{
	struct hvk_vcpu *vcpu = &vv->vcpu;

	/* SDM Vol 3C, 27.8: bit 31 = VM-entry failure (guest state, MSRs) */
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = reason;
		exit->hw.qual = qual;
		return;
	}

	/* SDM Vol 3C, Appendix C: basic exit reasons */
	switch (reason & 0xffff) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_PREEMPTION_TIMER:
		exit->code = HV_X_INTR;	/* back to the loop's checks */
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		/* NMIs, and #UD: the only exception in the bitmap */
		exit->code = (intr_info & INTR_INFO_INTR_TYPE_MASK) ==
			     INTR_TYPE_NMI_INTR ? HV_X_NMI : HV_X_UD;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		exit->code = HV_X_SHUTDOWN;
		break;
	case EXIT_REASON_CPUID:
		exit->code = HV_X_CPUID;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_HLT:
		exit->code = HV_X_HLT;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_VMCALL:
		exit->code = HV_X_HYPERCALL;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		exit->code = (reason & 0xffff) == EXIT_REASON_MSR_READ ?
			     HV_X_RDMSR : HV_X_WRMSR;
		exit->msr.index = vcpu->regs.rcx;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		/* SDM Vol 3C, Table 28-5 */
		exit->code = HV_X_IO;
		exit->io.size = (qual & 7) + 1;
		exit->io.in = qual & BIT(3);
		exit->io.string = qual & BIT(4);
		exit->io.rep = qual & BIT(5);
		exit->io.port = qual >> 16;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		/* SDM Vol 3C, Table 28-7; the GPA is its own VMCS field */
		exit->code = HV_X_NPF;
		exit->npf.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		exit->npf.write = qual & BIT(1);
		exit->npf.fetch = qual & BIT(2);
		break;
	case EXIT_REASON_CR_ACCESS:
		if (vmx_handle_cr(vv, qual, next_rip))
			exit->code = HV_X_NONE;
		else
			vmx_inject_exception(vcpu, 13, true, 0);
		break;
	case EXIT_REASON_DR_ACCESS:
		/* Make DR0-3 live and run the MOV again (vmx_db_arm) */
		vmx_db_arm(vv, true);
		exit->code = HV_X_NONE;
		break;
	/* SDM Vol 3C, 26.1.2 (INVD: always) and 26.1.3 (the controls) */
	case EXIT_REASON_INVD:
		exit->code = HV_X_INVD;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_WBINVD:	/* and WBNOINVD */
		exit->code = HV_X_WBINVD;
		exit->next_rip = next_rip;
		break;
	case EXIT_REASON_MONITOR_INSTRUCTION:
		exit->code = HV_X_MONITOR;
		break;
	case EXIT_REASON_MWAIT_INSTRUCTION:
		exit->code = HV_X_MWAIT;
		break;
	case EXIT_REASON_RDPMC:
		exit->code = HV_X_RDPMC;
		break;
	case 11:	/* GETSEC */
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
		exit->code = HV_X_VIRT_INSN;
		break;
	case EXIT_REASON_XSETBV:
		exit->code = HV_X_XSETBV;
		exit->next_rip = next_rip;
		break;
	default:
		exit->code = HV_X_UNHANDLED;
		exit->hw.reason = reason;
		exit->hw.qual = qual;
		break;
	}
}

int vmx_vcpu_run(struct hvk_vcpu *vcpu, struct hv_exit *exit)
{
	struct vmx_vcpu *vv = to_vmx_vcpu(vcpu);
	struct vmx_vm *vmx = to_vmx_vm(vcpu->vm);
	u16 ds, es, fs, gs;
	u64 fsbase, qual = 0, next_rip = 0, gen, idt_info, idt_err = 0;
	u32 reason = 0, intr_info = 0, insn_err = 0;
	unsigned long debugctl;
	int r, cpu;
	bool arrived, xcr0;

	arrived = vmx_vcpu_load(vv);

	/* Host state that is the current task's, not the CPU's */
	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	savesegment(gs, gs);
	rdmsrl(MSR_FS_BASE, fsbase);
	rdmsrl(MSR_KERNEL_GS_BASE, vv->host_msrs[VMX_MSR_KGS].value);

	local_irq_disable();
	cpu = smp_processor_id();
	debugctl = get_debugctlmsr();

	/* SDM Vol 3C, 29.4.3: flush what may be stale for this EPT / VPID */
	gen = atomic64_read(&vmx->gpt_gen);
	if (arrived || vv->gpt_gen != gen) {
		vmx_invept_single(vmx->eptp);
		vv->gpt_gen = gen;
	}
	if (arrived && vv->vpid)
		vmx_invvpid_single(vv->vpid);

	vmcs_write(HOST_CR3, __read_cr3());
	vmcs_write(HOST_CR4, __read_cr4());
	vmcs_write(HOST_FS_BASE, fsbase);
	vmcs_write(GUEST_RIP, vcpu->regs.rip);
	vmcs_write(GUEST_RSP, vcpu->regs.rsp);
	vmcs_write(GUEST_RFLAGS, vcpu->regs.rflags);
	if (vmx_preempt_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_preempt_ticks);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vv->inject_info);
	if (vv->inject_info) {
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vv->inject_error);
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vv->inject_len);
	}
	/* CR2 is not part of the VMCS (SDM Vol 3C, 25.4.1) */
	if (native_read_cr2() != vv->cr2)
		native_write_cr2(vv->cr2);
	if (vv->db_live) {
		set_debugreg(vcpu->db[0], 0);
		set_debugreg(vcpu->db[1], 1);
		set_debugreg(vcpu->db[2], 2);
		set_debugreg(vcpu->db[3], 3);
	}
	if (vv->dr6 != DR6_RESERVED)
		set_debugreg(vv->dr6, 6);

	xcr0 = hv_xcr0_load_guest(vcpu, vv->cr4_shadow);
	r = vmx_vmenter(&vcpu->regs, vv->launched);
	hv_xcr0_load_host(xcr0);

	get_debugreg(vv->dr6, 6);
	if (vv->dr6 != DR6_RESERVED)
		set_debugreg(DR6_RESERVED, 6);
	if (vv->db_live) {
		get_debugreg(vcpu->db[0], 0);
		get_debugreg(vcpu->db[1], 1);
		get_debugreg(vcpu->db[2], 2);
		get_debugreg(vcpu->db[3], 3);
		/* DR7 enables none of them: trap the next access */
		if (r == 0 && !(vmcs_read(GUEST_DR7) & 0xff))
			vmx_db_arm(vv, false);
	}

	if (r == 0) {
		vv->cr2 = native_read_cr2();
		reason = vmcs_read(VM_EXIT_REASON);
		qual = vmcs_read(EXIT_QUALIFICATION);
		intr_info = vmcs_read(VM_EXIT_INTR_INFO);
		idt_info = vmcs_read(IDT_VECTORING_INFO_FIELD);
		if (idt_info & VECTORING_INFO_DELIVER_CODE_MASK)
			idt_err = vmcs_read(IDT_VECTORING_ERROR_CODE);
		next_rip = vmcs_read(GUEST_RIP) +
			   vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		vcpu->regs.rip = vmcs_read(GUEST_RIP);
		vcpu->regs.rsp = vmcs_read(GUEST_RSP);
		vcpu->regs.rflags = vmcs_read(GUEST_RFLAGS);
		/* A failed entry leaves the launch state as it was (26.7) */
		if (!(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			vv->launched = true;
		/*
		 * SDM Vol 3C, 28.2.4: an event whose delivery the exit
		 * interrupted is in IDT-vectoring info; deliver it again.
		 */
		vv->inject_info = 0;
		if (idt_info & VECTORING_INFO_VALID_MASK &&
		    (reason & 0xffff) != EXIT_REASON_TRIPLE_FAULT) {
			vv->inject_info = idt_info & ~INTR_INFO_RESVD_BITS_MASK;
			vv->inject_error = idt_err;
			vv->inject_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
			/* ...and tell the core: no EPT violation is MMIO now */
			exit->event.valid = true;
			exit->event.vector =
				idt_info & VECTORING_INFO_VECTOR_MASK;
			exit->event.type =
				(idt_info & VECTORING_INFO_TYPE_MASK) >> 8;
			exit->event.has_error =
				idt_info & VECTORING_INFO_DELIVER_CODE_MASK;
			exit->event.error = idt_err;
		}
	} else if (r == 1) {
		insn_err = vmcs_read(VM_INSTRUCTION_ERROR);
	}

	/*
	 * VM exit cleared IA32_DEBUGCTL and set DR7 to 400h (SDM Vol 3C,
	 * 28.5.1), and the guest may have written DR0-DR3: give the host its
	 * own back if it uses them (perf, ptrace watchpoints).
	 */
	if (debugctl)
		update_debugctlmsr(debugctl);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	/* VM exit set the GDT limit to 0xffff and zeroed DS/ES/FS/GS */
	load_fixmap_gdt(cpu);
	/*
	 * ... and the TR limit to 0x67 (SDM Vol 3C, 28.5.2), which cuts the
	 * TSS's I/O bitmap off: a host task using ioperm() would get #GP
	 * on its next IN/OUT.  As KVM does: reload TR now if this task has
	 * an I/O bitmap, else mark the limit stale so that the switch to
	 * the next task that has one reloads it (refresh_tss_limit()).
	 */
	invalidate_tss_limit();
	if (ds)
		loadsegment(ds, ds);
	if (es)
		loadsegment(es, es);
	if (fs)
		loadsegment(fs, fs);
	if (gs)
		load_gs_index(gs);

	if (r == 0 && (reason & 0xffff) == EXIT_REASON_EXTERNAL_INTERRUPT)
		vmx_handle_host_irq(intr_info);

	/* An NMI exit took the host's NMI: raise it again, for the host */
	if (r == 0 && (reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    (intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		apic->send_IPI_self(NMI_VECTOR);
	local_irq_enable();

	if (r == 2)
		return -EIO;		/* VMX is off: the host is rebooting */
	if (r == 1) {
		/* SDM Vol 3C, 31.4: VMfailValid with an error number */
		exit->code = HV_X_FAIL_ENTRY;
		exit->hw.reason = HV_FAIL_VMFAIL | insn_err;
		exit->hw.qual = 0;
		return 0;
	}
	vmx_translate_exit(vv, reason, qual, next_rip, intr_info, exit);
	return 0;
}
