// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR/WRMSR exits: which MSRs a guest may use and which values it may
 * write, one set of rules for both vendors; the backends only store.
 *
 * Three owners, asked in turn (docs/msrs.md has the whole table):
 *  - the local APIC (io/lapic.c): IA32_APIC_BASE, IA32_TSC_DEADLINE and
 *    the x2APIC range;
 *  - this file, for what the PC platform implies and hv's CPUID
 *    advertises (hv_cpuid.c): IA32_TSC, IA32_MISC_ENABLE, the microcode
 *    revision, the MTRRs' capability and default type, AMD's HWCR and
 *    legacy performance counters - values fixed by hv, nothing stored;
 *  - the backend, which stores the MSRs of hv_msr_allowed() in the
 *    VMCB/VMCS (and which vCPU state carries, state/state.c).
 * Everything else raises #GP, and hv_cpuid.c hides the CPUID bit of every
 * MSR that would: a guest that trusts CPUID never meets a #GP, one that
 * probes with rdmsr_safe gets a consistent "absent".
 */
#include "hv.h"
#include "hv_trace.h"
#include "io/platform.h"

#include <asm/msr-index.h>

#define X86_VEC_GP	13	/* SDM Vol 3A, Table 6-1 */

/* The MSRs a guest may use; everything else raises #GP. */
bool hv_msr_allowed(u32 index)
{
	switch (index) {
	case MSR_EFER:
	case MSR_STAR:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_SYSCALL_MASK:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_CS:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_CR_PAT:
		return true;
	default:
		return false;
	}
}

/* SDM Vol 3A, 13.12.2 / APM Vol 2, 7.8.1: each PAT entry a valid type */
static bool hv_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/*
 * The architectural rules for a WRMSR value, the same on both vendors;
 * a value breaking them raises #GP.  The backend only stores.
 */
bool hv_msr_value_ok(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	struct hv_sregs s;
	u64 efer;

	switch (index) {
	case MSR_EFER:
		/* LMA is the CPU's to set; LME may not change under paging */
		if (hv_ops->get_msr(vcpu, MSR_EFER, &efer))
			return false;
		hv_ops->get_sregs(vcpu, &s);
		return !(val & ~HV_EFER_ALLOWED) &&
		       (val & EFER_LMA) == (efer & EFER_LMA) &&
		       !((val ^ efer) & EFER_LME && s.cr0 & X86_CR0_PG);
	case MSR_IA32_CR_PAT:
		return hv_pat_valid(val);
	case MSR_STAR:
	case MSR_SYSCALL_MASK:
	case MSR_IA32_SYSENTER_CS:
		return true;
	default:
		/* The rest hold addresses: non-canonical ones #GP */
		return (u64)(((s64)val << 16) >> 16) == val;
	}
}

/* ---- the platform's MSRs: fixed values, nothing stored ---- */

/*
 * IA32_MISC_ENABLE (SDM Vol 4, Table 2-2): fast strings on; branch trace
 * and PEBS unavailable (no PMU, no debug store; Linux reads these bits
 * when CPUID says DS, which hv hides anyway) - KVM's value plus fast
 * strings.  Automatic thermal control, EIST, MONITOR/MWAIT and the CPUID
 * limit are off: their CPUID bits are hidden (hv_cpuid.c).
 */
#define HV_MISC_ENABLE		(MSR_IA32_MISC_ENABLE_FAST_STRING | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
/*
 * IA32_BIOS_SIGN_ID / AMD PATCH_LEVEL (SDM Vol 3A, 9.11.7.1; APM Vol 2,
 * Table A-7): a microcode revision of 1 in EDX, as KVM gives.  Linux
 * writes 0 and reads it on every Intel CPU (intel_get_microcode_revision,
 * not _safe): writes are accepted and change nothing.
 */
#define HV_UCODE_REV		(1ULL << 32)
/*
 * MTRRs (SDM Vol 3A, 11.11.1; APM Vol 2, 7.7): IA32_MTRRCAP says no
 * variable, no fixed range and no write-combining type; the default type
 * is write-back with MTRRs enabled (E, bit 11): hv is the guest's
 * firmware, and the guest's memory is write-back whatever it asks (EPT
 * memory type / NPT: host PAT).  Linux 6.1 leaves PAT off unless MTRRs
 * are enabled.  Valid writes are accepted and change nothing (Linux
 * clears E around its MTRR updates and writes the value back).
 */
#define HV_MTRR_CAP		0ULL
#define HV_MTRR_DEF_TYPE	(BIT_ULL(11) | 6)	/* E, type WB */
#define HV_MTRR_DEF_ALLOWED	(BIT_ULL(11) | BIT_ULL(10) | 0xff)
/*
 * AMD HWCR (BKDG/PPR: MSRC001_0015): TscFreqSel (bit 24), the TSC counts
 * at the P0 frequency - Linux's bsp_init_amd reads HWCR (not _safe) and
 * warns of a firmware bug if it is clear.  Writes may flip the legacy
 * cache/TLB controls (3 TLB cache disable, 6 flush filter disable, 8
 * IGNNE emulation: no meaning in a guest, ignored, as KVM ignores them);
 * anything else #GPs.
 */
#define HV_HWCR			BIT_ULL(24)
#define HV_HWCR_IGNORED		(BIT_ULL(3) | BIT_ULL(6) | BIT_ULL(8))
/*
 * AMD's legacy performance counters (APM Vol 2, 13.2.1): PerfEvtSel0-3
 * at 0xc0010000, PerfCtr0-3 at 0xc0010004.  They are architectural - no
 * CPUID bit says they exist - so a guest may touch them on any AMD CPU:
 * hv has no PMU, and they read 0 and take any write, which changes
 * nothing (Linux's check_hw_exists sees a counter that does not keep
 * its value and falls back to software events).
 */
#define HV_AMD_PERF_FIRST	MSR_K7_EVNTSEL0
#define HV_AMD_PERF_LAST	(MSR_K7_PERFCTR0 + 3)

/*
 * AMD's Interrupt Pending Message register (BKDG for AMD Family 0Fh,
 * MSRC001_0055): where C1E is reported.  Linux reads it with a plain
 * RDMSR on family 0Fh/10h CPUs with erratum 400 (arch_post_acpi_subsys_init)
 * - a #GP there is an "unchecked MSR access" splat.  hv has no C1E: it
 * reads 0 (C1E not active) and takes writes, changing nothing, as KVM's.
 */
#define HV_K8_INT_PENDING_MSG	0xc0010055

/* SDM Vol 3A, 11.11.2.1 / APM Vol 2, 7.7.1: UC, WC, WT, WP, WB */
static bool hv_mtrr_type_valid(u8 t)
{
	return t <= 6 && t != 2 && t != 3;
}

/* 0, -EINVAL (#GP), or -ENOENT: not one of the platform's MSRs. */
static int hv_platform_rdmsr(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	switch (index) {
	case MSR_IA32_TSC:		/* SDM Vol 3B, 17.17 */
		*val = hv_guest_tsc(vcpu);
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = HV_MISC_ENABLE;
		return 0;
	case MSR_IA32_UCODE_REV:
		*val = HV_UCODE_REV;
		return 0;
	case MSR_MTRRcap:
		*val = HV_MTRR_CAP;
		return 0;
	case MSR_MTRRdefType:
		*val = HV_MTRR_DEF_TYPE;
		return 0;
	case MSR_K7_HWCR:
		*val = HV_HWCR;
		return 0;
	case HV_AMD_PERF_FIRST ... HV_AMD_PERF_LAST:
	case HV_K8_INT_PENDING_MSG:
		*val = 0;
		return 0;
	default:
		return -ENOENT;
	}
}

static int hv_platform_wrmsr(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	switch (index) {
	case MSR_IA32_TSC:
		/*
		 * SDM Vol 3B, 17.17: a write sets the counter; it goes on
		 * counting from there.  IA32_TSC_ADJUST is not advertised
		 * (hv_cpuid.c), so there is no adjust to move with it (17.17.3).
		 */
		hv_ops->set_tsc_offset(vcpu, val - rdtsc());
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return val == HV_MISC_ENABLE ? 0 : -EINVAL;
	case MSR_IA32_UCODE_REV:
		return 0;
	case MSR_MTRRdefType:
		return !(val & ~HV_MTRR_DEF_ALLOWED) &&
		       hv_mtrr_type_valid(val & 0xff) ? 0 : -EINVAL;
	case MSR_K7_HWCR:
		return (val & ~HV_HWCR_IGNORED) == HV_HWCR ? 0 : -EINVAL;
	case HV_AMD_PERF_FIRST ... HV_AMD_PERF_LAST:
	case HV_K8_INT_PENDING_MSG:
		return 0;
	case MSR_MTRRcap:		/* read-only: SDM Vol 3A, 11.11.1 */
		return -EINVAL;
	default:
		return -ENOENT;
	}
}

/* IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC: the local APIC's MSRs */
static bool hv_msr_is_apic(u32 index)
{
	return index == MSR_IA32_APICBASE || index == MSR_IA32_TSC_DEADLINE ||
	       (index >= 0x800 && index <= 0x8ff);	/* SDM Vol 3A, 10.12.1.2 */
}

/* 0 or -EINVAL (#GP) */
static int hv_msr_read(struct hvk_vcpu *vcpu, u32 index, u64 *val)
{
	int r;

	if (hv_msr_is_apic(index)) {
		r = hv_lapic_rdmsr(vcpu, index, val);
		return r == -ENOENT ? -EINVAL : r;
	}
	r = hv_platform_rdmsr(vcpu, index, val);
	if (r != -ENOENT)
		return r;
	if (!hv_msr_allowed(index))
		return -EINVAL;
	return hv_ops->get_msr(vcpu, index, val);
}

static int hv_msr_write(struct hvk_vcpu *vcpu, u32 index, u64 val)
{
	int r;

	if (hv_msr_is_apic(index)) {
		r = hv_lapic_wrmsr(vcpu, index, val);
		return r == -ENOENT ? -EINVAL : r;
	}
	r = hv_platform_wrmsr(vcpu, index, val);
	if (r != -ENOENT)
		return r;
	if (!hv_msr_allowed(index) || !hv_msr_value_ok(vcpu, index, val))
		return -EINVAL;
	return hv_ops->set_msr(vcpu, index, val);
}

int hv_handle_msr(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	u32 index = exit->msr.index;
	u64 val;
	int r;

	if (exit->code == HV_X_RDMSR) {
		r = hv_msr_read(vcpu, index, &val);
		if (!r) {
			/* SDM Vol 2B, RDMSR: EDX:EAX, upper halves cleared */
			vcpu->regs.rax = (u32)val;
			vcpu->regs.rdx = val >> 32;
		}
	} else {
		val = (vcpu->regs.rdx << 32) | (u32)vcpu->regs.rax;
		r = hv_msr_write(vcpu, index, val);
	}
	trace_hv_msr(vcpu, index, r && exit->code == HV_X_RDMSR ? 0 : val,
		     exit->code == HV_X_WRMSR, r != 0);
	if (r) {
		/* SDM Vol 2B, RDMSR/WRMSR: #GP(0), the instruction undone */
		hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	hv_skip_insn(vcpu, exit->next_rip);
	return 1;
}
