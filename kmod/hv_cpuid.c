// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as guests see it.  hv's default table is the host's answers with
 * what a guest must not see removed (VMX, SVM: hv does not nest) and the
 * hypervisor bit and hv's own leaf 0x40000000 added.  Userspace may
 * replace the table per vCPU (HV_VCPU_SET_CPUID).
 */
#include "hv.h"

#include <linux/string.h>
#include <asm/processor.h>

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
/* What hv_handle_host_insn() refuses must not be advertised either */
#define CPUID_1_ECX_MONITOR	BIT(3)	/* MONITOR/MWAIT */
#define CPUID_81_ECX_MONITORX	BIT(29)	/* APM Vol 3, E.4.2 */
#define CPUID_88_EBX_RDPRU	BIT(4)	/* APM Vol 3, E.4.7 */

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
		e->ecx |= CPUID_1_ECX_HYPERVISOR;
		/* EBX[31:24] initial APIC id: the vCPU's would go here. */
		e->ebx &= 0x00ffffff;
		break;
	case 5:		/* MONITOR/MWAIT leaf: no MONITOR */
	case 0xa:	/* architectural PMU: none (RDPMC #GPs) */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case 7:
		if (!(hv_xcr0_supported & HV_XSTATE_AVX))
			e->ebx &= ~CPUID_7_EBX_AVX2;	/* YMM state */
		e->ebx &= ~CPUID_7_EBX_HIDE;
		e->ecx &= ~CPUID_7_ECX_HIDE;
		e->edx &= ~CPUID_7_EDX_HIDE;
		break;
	case 0xd:
		hv_xsave_cpuid_leaf(index, r);
		e->eax = r[0];
		e->ebx = r[1];
		e->ecx = r[2];
		e->edx = r[3];
		break;
	case 0x80000001:
		e->ecx &= ~(CPUID_81_ECX_SVM | CPUID_81_ECX_MONITORX);
		break;
	case 0x80000008:
		e->ebx &= ~CPUID_88_EBX_RDPRU;
		break;
	}
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

/*
 * The per-vCPU parts of a CPUID answer.
 * STUB (issue 13 interface commit): none yet.
 */
void hv_cpuid_vcpu(struct hvk_vcpu *vcpu, u32 fn, u32 index, u32 out[4])
{
}
