// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as guests see it.  hv's default table is the host's answers with
 * what a guest must not see removed (VMX, SVM: hv does not nest) and the
 * hypervisor bit and hv's own leaf 0x40000000 added, and what the PC
 * platform implies: the APIC, x2APIC and TSC-deadline advertised, every
 * feature whose MSRs hv does not have hidden (docs/msrs.md), the APIC ID
 * and topology filled per vCPU (hv_cpuid_vcpu()).  Userspace may
 * replace the table per vCPU (HV_VCPU_SET_CPUID).
 */
#include "hv.h"

#include <linux/gcd.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/tsc.h>

/* HV_CPUID_SIGNATURE in EBX, ECX, EDX of leaf 0x40000000: "hvhv" x3 */
#define HV_SIG_DWORD	('h' | 'v' << 8 | 'h' << 16 | 'v' << 24)

#define CPUID_1_ECX_VMX		BIT(5)	/* SDM Vol 2A, CPUID Table 3-10 */
#define CPUID_1_ECX_FMA		BIT(12)
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_OSXSAVE	BIT(27)
#define CPUID_1_ECX_AVX		BIT(28)
#define CPUID_1_ECX_F16C	BIT(29)
#define CPUID_1_ECX_HYPERVISOR	BIT(31)	/* reserved for hypervisors */
#define CPUID_81_ECX_SVM	BIT(2)	/* APM Vol 3, Fn8000_0001_ECX */
#define CPUID_7_EBX_AVX2	BIT(5)
/*
 * INVPCID (leaf 7.0 EBX[10]): under VMX it raises #UD unless the
 * "enable INVPCID" secondary control is set (SDM Vol 3C, 25.6.2), which
 * hv does not set; Linux executes it in native_flush_tlb_global() when
 * CPUID says it is there and dies of the #UD.  Hidden on both vendors,
 * so the guest's CPUID stays the same across a cross-vendor restore;
 * without it Linux flushes global pages by toggling CR4.PGE.
 */
#define CPUID_7_EBX_INVPCID	BIT(10)
/* What hv_handle_host_insn() refuses must not be advertised either */
#define CPUID_1_ECX_MONITOR	BIT(3)	/* MONITOR/MWAIT */
#define CPUID_81_ECX_MONITORX	BIT(29)	/* APM Vol 3, E.4.2 */
#define CPUID_88_EBX_RDPRU	BIT(4)	/* APM Vol 3, E.4.7 */

/*
 * The PC platform (issue 13): every vCPU has a local APIC with x2APIC
 * mode and the TSC-deadline timer (io/lapic.c).  SDM Vol 2A, Table 3-10
 * and 3-11.
 */
#define CPUID_1_ECX_X2APIC	BIT(21)
#define CPUID_1_ECX_TSC_DEADLINE BIT(24)
#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_EDX_MTRR	BIT(12)	/* MTRRCAP, MTRRdefType: hv_msr.c */
#define CPUID_1_EDX_HTT		BIT(28)

/*
 * Features whose MSRs raise #GP in an hv guest (hv_msr.c, docs/msrs.md):
 * hidden, so that a guest trusting CPUID never reads one.  Leaf 1 ECX:
 * DTES64, DS-CPL, SMX, EST, TM2, xTPR, PDCM (IA32_PERF_CAPABILITIES: hv
 * has no PMU); EDX: MCE and MCA (IA32_MCG_*, Linux reads MCG_CAP without
 * _safe), DS, ACPI thermal, TM, PBE.  SDM Vol 2A, Tables 3-10, 3-11.
 */
#define CPUID_1_ECX_HIDE	(BIT(2) | BIT(4) | BIT(6) | BIT(7) | BIT(8) | \
				 BIT(14) | BIT(15))
#define CPUID_1_EDX_HIDE	(BIT(7) | BIT(14) | BIT(21) | BIT(22) | \
				 BIT(29) | BIT(31))
/*
 * Leaf 7.0 features with MSRs of their own: EBX TSC_ADJUST (1: hv keeps
 * no IA32_TSC_ADJUST), SGX (2), RDT-M and RDT-A (12, 15), Intel PT (25);
 * ECX WAITPKG (5: UMWAIT_CONTROL), TME (13), RDPID (22: IA32_TSC_AUX,
 * which hv does not switch), bus-lock detect (24: DEBUGCTL); EDX
 * SRBDS_CTRL (9), TSX_FORCE_ABORT (13), PCONFIG (18), the speculation
 * controls IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAPABILITIES,
 * CORE_CAPABILITIES, SSBD (26-31: IA32_SPEC_CTRL, IA32_PRED_CMD...).
 */
#define CPUID_7_EBX_MSRS	(BIT(1) | BIT(2) | BIT(12) | BIT(15) | BIT(25))
#define CPUID_7_ECX_MSRS	(BIT(5) | BIT(13) | BIT(22) | BIT(24))
#define CPUID_7_EDX_MSRS	(BIT(9) | BIT(13) | BIT(18) | BIT(26) | \
				 BIT(27) | BIT(28) | BIT(29) | BIT(30) | \
				 BIT(31))
/*
 * Leaf 6: only ARAT (EAX bit 2, the APIC timer runs in every C-state:
 * hv's is an hrtimer); no thermal, HWP, EPB or APERF/MPERF MSRs.
 */
#define CPUID_6_EAX_ARAT	BIT(2)
/*
 * 8000_0001h ECX (APM Vol 3, E.4.2): OSVW (9: Linux reads its MSRs
 * without _safe), IBS (10), SKINIT (12), WDT (13), LWP (15), NodeId
 * (19), TopologyExtensions (22: leaves 8000_001Dh/1Eh, beyond hv's
 * highest extended leaf), PerfCtrExtCore (23: only the four legacy
 * counters exist, APM Vol 2, 13.2.1), PerfCtrExtNB (24), DataBkptExt
 * (26), PerfTsc (27), PerfCtrExtLLC (28); EDX RDTSCP (27: IA32_TSC_AUX).
 */
#define CPUID_81_ECX_HIDE	(BIT(9) | BIT(10) | BIT(12) | BIT(13) | \
				 BIT(15) | BIT(19) | BIT(22) | BIT(23) | \
				 BIT(24) | BIT(26) | BIT(27) | BIT(28))
#define CPUID_81_EDX_RDTSCP	BIT(27)
/* 8000_0007h EDX (APM Vol 3, E.4.6): only the invariant TSC */
#define CPUID_87_EDX_INVTSC	BIT(8)
/*
 * 8000_0008h EBX (APM Vol 3, E.4.7): IRPERF (1), IBPB (12), IBRS (14),
 * STIBP (15), SSBD (24), VIRT_SSBD (25): MSRs hv does not have.
 */
#define CPUID_88_EBX_MSRS	(BIT(1) | BIT(12) | BIT(14) | BIT(15) | \
				 BIT(24) | BIT(25))

/*
 * Leaf 7.0 features whose state hv never lets a guest enable in XCR0
 * (AVX-512 and opmask, MPX, PKRU, AMX, CET) or CR4 (LA57): SDM Vol 2A,
 * CPUID Table 3-8.
 */
#define CPUID_7_EBX_HIDE	(BIT(14) | BIT(16) | BIT(17) | BIT(21) | \
				 BIT(26) | BIT(27) | BIT(28) | BIT(30) | \
				 BIT(31))
#define CPUID_7_ECX_HIDE	(BIT(1) | BIT(3) | BIT(4) | BIT(6) | BIT(7) | \
				 BIT(11) | BIT(12) | BIT(14) | BIT(16))
#define CPUID_7_EDX_HIDE	(BIT(2) | BIT(3) | BIT(8) | BIT(20) | \
				 BIT(22) | BIT(23) | BIT(24) | BIT(25))

static void hv_cpuid_add(struct hv_cpuid *c, u32 fn, u32 index, u32 flags)
{
	struct hv_cpuid_entry *e;
	u32 r[4];

	if (c->nent >= HV_CPUID_MAX_ENTRIES)
		return;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->index = index;
	e->flags = flags;
	cpuid_count(fn, index, &e->eax, &e->ebx, &e->ecx, &e->edx);

	switch (fn) {
	case 1:
		/*
		 * No nesting.  XSAVE as hv_xsave.c offers it; OSXSAVE is
		 * the guest's CR4 at each CPUID (hv_xsave_cpuid()).
		 */
		e->ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_OSXSAVE);
		if (!hv_xcr0_supported)
			e->ecx &= ~CPUID_1_ECX_XSAVE;
		if (!(hv_xcr0_supported & HV_XSTATE_AVX))
			e->ecx &= ~(CPUID_1_ECX_AVX | CPUID_1_ECX_FMA |
				    CPUID_1_ECX_F16C);
		e->ecx &= ~CPUID_1_ECX_MONITOR;	/* #UD: hv_run.c */
		e->ecx &= ~CPUID_1_ECX_HIDE;
		e->edx &= ~CPUID_1_EDX_HIDE;
		e->ecx |= CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_X2APIC |
			  CPUID_1_ECX_TSC_DEADLINE;
		e->edx |= CPUID_1_EDX_APIC | CPUID_1_EDX_MTRR;
		/* APIC ID, HTT and the count are the vCPU's: hv_cpuid_vcpu() */
		e->ebx &= 0x0000ffff;
		e->edx &= ~CPUID_1_EDX_HTT;
		break;
	case 4:
		/*
		 * Deterministic cache parameters: cores per package and
		 * threads per cache are the VM's (hv_cpuid_vcpu()).
		 */
		e->eax &= 0x00003fff;
		break;
	case 5:		/* MONITOR/MWAIT leaf: no MONITOR */
	case 0xa:	/* architectural PMU: none (RDPMC #GPs) */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 6:
		e->eax &= CPUID_6_EAX_ARAT;
		e->ebx = e->ecx = e->edx = 0;
		break;
	case 7:
		if (!(hv_xcr0_supported & HV_XSTATE_AVX))
			e->ebx &= ~CPUID_7_EBX_AVX2;	/* YMM state */
		e->ebx &= ~(CPUID_7_EBX_HIDE | CPUID_7_EBX_MSRS |
			    CPUID_7_EBX_INVPCID);
		e->ecx &= ~(CPUID_7_ECX_HIDE | CPUID_7_ECX_MSRS);
		e->edx &= ~(CPUID_7_EDX_HIDE | CPUID_7_EDX_MSRS);
		break;
	case 0xb:
		/* x2APIC topology: all the VM's (hv_cpuid_vcpu()) */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 0xd:
		hv_xsave_cpuid_leaf(index, r);
		e->eax = r[0];
		e->ebx = r[1];
		e->ecx = r[2];
		e->edx = r[3];
		break;
	case 0x80000001:
		e->ecx &= ~(CPUID_81_ECX_SVM | CPUID_81_ECX_MONITORX |
			    CPUID_81_ECX_HIDE);
		e->edx &= ~CPUID_81_EDX_RDTSCP;
		break;
	case 0x80000007:
		e->eax = e->ebx = e->ecx = 0;
		e->edx &= CPUID_87_EDX_INVTSC;
		break;
	case 0x80000008:
		e->ebx &= ~(CPUID_88_EBX_RDPRU | CPUID_88_EBX_MSRS);
		/* NC and ApicIdSize are the VM's: hv_cpuid_vcpu() */
		e->ecx &= ~0xf0ffU;
		break;
	}
}

/*
 * The TSC's frequency, as Intel tells it (SDM Vol 2A, CPUID leaf 15H:
 * TSC = ECX (crystal Hz) * EBX / EAX; leaf 16H: base, maximum and bus
 * MHz), so that Linux neither calibrates against the PIT - slow, and
 * under nested emulation often failing - nor marks the TSC unstable
 * (arch/x86/kernel/tsc.c, native_calibrate_tsc(), which reads these on
 * Intel only).  The crystal is the local APIC timer's 1 GHz clock
 * (io/lapic.c: 1 ns a tick), which Linux also takes as the timer's rate
 * (lapic_timer_period), skipping its calibration.  The guest's TSC runs
 * at the host's tsc_khz.  Linux multiplies crystal kHz by EBX in 32
 * bits, so EBX stays below 2^32 / 10^6: the ratio is tsc_khz / 10^6
 * reduced, or else MHz / 1000.
 */
#define HV_CRYSTAL_HZ		1000000000U
#define HV_CRYSTAL_KHZ		(HV_CRYSTAL_HZ / 1000)

static void hv_cpuid_add_tsc(struct hv_cpuid *c)
{
	struct hv_cpuid_entry *e;
	u32 khz = tsc_khz, num, den, g;

	if (!khz || c->nent + 2 > HV_CPUID_MAX_ENTRIES)
		return;
	g = gcd(khz, HV_CRYSTAL_KHZ);
	num = khz / g;
	den = HV_CRYSTAL_KHZ / g;
	if ((u64)num * HV_CRYSTAL_KHZ > U32_MAX) {
		num = DIV_ROUND_CLOSEST(khz, 1000);
		den = 1000;
	}
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = 0x15;
	e->eax = den;
	e->ebx = num;
	e->ecx = HV_CRYSTAL_HZ;
	e = &c->entries[c->nent++];
	memset(e, 0, sizeof(*e));
	e->function = 0x16;
	e->eax = DIV_ROUND_CLOSEST(khz, 1000);	/* base MHz */
	e->ebx = e->eax;			/* maximum MHz */
	e->ecx = HV_CRYSTAL_KHZ / 1000;		/* bus (reference) MHz */
}

void hv_cpuid_init(struct hv_cpuid *c)
{
	u32 max = min_t(u32, cpuid_eax(0), 0xd);
	u32 xmax = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	u32 fn, first_ext;

	memset(c, 0, sizeof(*c));
	for (fn = 0; fn <= max; fn++) {
		/* Leaves 4, 7, 0xb, 0xd have sub-leaves; keep the first. */
		bool indexed = fn == 4 || fn == 7 || fn == 0xb || fn == 0xd;

		if (fn == 0xd) {
			/* XSAVE: x87, SSE, AVX (hv_xsave.c); 2 is AVX */
			if (!hv_xcr0_supported)
				continue;
			hv_cpuid_add(c, fn, 0, HV_CPUID_FLAG_INDEXED);
			hv_cpuid_add(c, fn, 1, HV_CPUID_FLAG_INDEXED);
			if (hv_xcr0_supported & HV_XSTATE_AVX)
				hv_cpuid_add(c, fn, 2, HV_CPUID_FLAG_INDEXED);
			continue;
		}
		hv_cpuid_add(c, fn, 0, indexed ? HV_CPUID_FLAG_INDEXED : 0);
	}
	c->entries[0].eax = max;	/* leaf 0: highest basic leaf */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_INTEL) {
		hv_cpuid_add_tsc(c);
		if (c->entries[c->nent - 1].function == 0x16)
			c->entries[0].eax = 0x16;
	}

	/* hv's leaf: the highest hypervisor leaf and the signature */
	if (c->nent < HV_CPUID_MAX_ENTRIES) {
		struct hv_cpuid_entry *e = &c->entries[c->nent++];

		memset(e, 0, sizeof(*e));
		e->function = 0x40000000;
		e->eax = 0x40000000;
		e->ebx = e->ecx = e->edx = HV_SIG_DWORD;
	}
	first_ext = c->nent;
	for (fn = 0x80000000; fn <= xmax; fn++)
		hv_cpuid_add(c, fn, 0, 0);
	if (c->nent > first_ext)	/* 8000_0000h: highest extended leaf */
		c->entries[first_ext].eax = xmax;
}

/*
 * Like hardware: an unknown leaf within range answers zeros here (Intel
 * would repeat the highest basic leaf; zeros are what AMD does and are
 * the safer thing to hand a guest).
 */
void hv_cpuid_lookup(const struct hv_cpuid *c, u32 fn, u32 index, u32 out[4])
{
	u32 i;

	for (i = 0; i < c->nent; i++) {
		const struct hv_cpuid_entry *e = &c->entries[i];

		if (e->function != fn)
			continue;
		if ((e->flags & HV_CPUID_FLAG_INDEXED) && e->index != index)
			continue;
		out[0] = e->eax;
		out[1] = e->ebx;
		out[2] = e->ecx;
		out[3] = e->edx;
		return;
	}
	out[0] = out[1] = out[2] = out[3] = 0;
}

int hv_cpuid_check(const struct hv_cpuid *c)
{
	u32 i;

	if (c->nent > HV_CPUID_MAX_ENTRIES || !hv_reserved_zero(c->pad))
		return -EINVAL;
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].flags & ~HV_CPUID_FLAG_INDEXED ||
		    !hv_reserved_zero(c->entries[i].pad))
			return -EINVAL;
	return 0;
}

static bool hv_cpuid_has(const struct hv_cpuid *c, u32 fn)
{
	u32 i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return true;
	return false;
}

/*
 * The per-vCPU parts of a CPUID answer, whatever table userspace set:
 * the topology hv gives every VM.  One package; each vCPU is a core with
 * one thread; the initial APIC ID and the x2APIC ID are the vCPU id, as
 * io/lapic.c has them.  Only leaves the table has are touched (a table
 * without leaf 0xB answers zeros for it, as a CPU without it would).
 */
void hv_cpuid_vcpu(struct hvk_vcpu *vcpu, u32 fn, u32 index, u32 out[4])
{
	u32 nr = max(READ_ONCE(vcpu->vm->nr_vcpus), 1U);
	u32 id = vcpu->id;
	/* bits of an APIC ID that number the cores: ceil(log2(nr)) */
	u32 core_bits = order_base_2(nr);

	if (!hv_cpuid_has(&vcpu->cpuid, fn))
		return;
	switch (fn) {
	case 1:
		/*
		 * SDM Vol 2A, CPUID Table 3-8: EBX[31:24] initial APIC ID,
		 * EBX[23:16] addressable IDs in the package, valid with HTT
		 * (EDX[28]) - set when the package has more than one.
		 */
		out[1] = (out[1] & 0x0000ffff) | id << 24;
		out[3] &= ~CPUID_1_EDX_HTT;
		if (nr > 1) {
			out[1] |= (1U << core_bits) << 16;
			out[3] |= CPUID_1_EDX_HTT;
		}
		break;
	case 4:
		/*
		 * SDM Vol 2A, CPUID leaf 04H: EAX[31:26] cores per package
		 * - 1; EAX[25:14] threads sharing this cache - 1: one
		 * (every cache is the core's own, none shared, to keep it
		 * simple and true of no host) - unless the leaf is empty.
		 */
		if (out[0] & 0x1f)
			out[0] = (out[0] & 0x00003fff) |
				 (((1U << core_bits) - 1) << 26);
		break;
	case 0xb:
		/*
		 * SDM Vol 2A, CPUID leaf 0BH: level 0 SMT (one thread, shift
		 * 0), level 1 core (@nr processors, shift to the package
		 * ID), then invalid; EDX the x2APIC ID at every level.
		 */
		out[3] = id;
		out[2] = index & 0xff;
		if (index == 0) {
			out[0] = 0;
			out[1] = 1;
			out[2] |= 1 << 8;
		} else if (index == 1) {
			out[0] = core_bits;
			out[1] = nr;
			out[2] |= 2 << 8;
		} else {
			out[0] = out[1] = 0;
		}
		break;
	case 0x80000008:
		/*
		 * APM Vol 3, E.4.7: ECX[7:0] NC, cores - 1; ECX[15:12]
		 * ApicIdSize 0 means "derive it from NC" (APM Vol 2, 16.1).
		 */
		out[2] = (out[2] & ~0xf0ffU) | (nr - 1);
		break;
	}
}
