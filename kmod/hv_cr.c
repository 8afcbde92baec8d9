// SPDX-License-Identifier: GPL-2.0
/*
 * Control and debug registers: the rules and the write exits, one for
 * both vendors.
 *
 * CR0 and CR4: which values are legal (hv_cr0_ok() also serves the
 * sregs check, hv_cr4_write_ok() the CR4.OSXSAVE rule next to XSAVE),
 * and the guest's writes the backend intercepts (HV_X_CR_WRITE): MOV to
 * CR0/CR4, CLTS and LMSW, decoded here where the backend could not say
 * the source, checked, and applied through set_sregs or answered #GP.
 * LMSW with a memory operand reads its word as the guest would
 * (segment base, the guest's page tables, RAM only).
 *
 * DR0-3: live only while the guest uses them (HV_X_DR_ACCESS); the
 * entry and exit side is in hv_run.c.
 */
#include "hv.h"
#include "x86/insn.h"

#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#define X86_VEC_GP	13	/* SDM Vol 3A, Table 6-1 */

/*
 * Is @cr0 a legal CR0 next to @cr4 and @efer?  What MOV to CR0 #GPs on
 * (SDM Vol 2B, MOV CR: Protected Mode Exceptions; Vol 3A, 10.8.5), for
 * both the sregs check (hv_vcpu.c) and the guest's own writes (below).
 */
bool hv_cr0_ok(u64 cr0, u64 cr4, u64 efer)
{
	bool pg = cr0 & X86_CR0_PG;

	if (cr0 >> 32)					/* reserved */
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	if (pg && !(cr0 & X86_CR0_PE))
		return false;
	/* IA-32e mode needs PAE paging */
	return !(pg && (efer & EFER_LME) && !(cr4 & X86_CR4_PAE));
}

/* The rules for a guest's new CR0 (SDM Vol 2B, MOV CR) */
static bool hv_cr0_write_ok(const struct hv_sregs *s, u64 val)
{
	/* 64-bit mode: clearing PG #GPs */
	if ((s->efer & EFER_LMA) && s->cs.l && !(val & X86_CR0_PG))
		return false;
	return hv_cr0_ok(val, s->cr4, s->efer);
}

/*
 * The CR4 bits of features a CPU may lack (SDM Vol 3A, 2.5, Figure 2-7),
 * with the CPUID bit that lists each (SDM Vol 2A, Table 3-8 and 3-10):
 * leaf, register (0 EAX .. 3 EDX), bit.
 */
static const struct {
	u64 cr4;
	u16 host;		/* X86_FEATURE_* */
	u8 leaf, reg, bit;
} hv_cr4_feature[] = {
	{ X86_CR4_UMIP,     X86_FEATURE_UMIP,     7, 2, 2 },
	{ X86_CR4_FSGSBASE, X86_FEATURE_FSGSBASE, 7, 1, 0 },
	{ X86_CR4_PCIDE,    X86_FEATURE_PCID,     1, 2, 17 },
	{ X86_CR4_SMEP,     X86_FEATURE_SMEP,     7, 1, 7 },
	{ X86_CR4_SMAP,     X86_FEATURE_SMAP,     7, 1, 20 },
};

/*
 * Does the host have every feature whose CR4 bit @cr4 sets?  Without
 * it, VM entry fails (IA32_VMX_CR4_FIXED1, SDM Vol 3C, 27.3.1.1; APM
 * Vol 2, 15.5.1: a reserved CR4 bit): for the sregs check as for the
 * guest's own writes.
 */
bool hv_cr4_host_ok(u64 cr4)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hv_cr4_feature); i++)
		if ((cr4 & hv_cr4_feature[i].cr4) &&
		    !boot_cpu_has(hv_cr4_feature[i].host))
			return false;
	return true;
}

/* ... and does the guest's CPUID list them?  (Else they are reserved.) */
static bool hv_cr4_cpuid_ok(const struct hvk_vcpu *vcpu, u64 cr4)
{
	unsigned int i;
	u32 r[4];

	for (i = 0; i < ARRAY_SIZE(hv_cr4_feature); i++) {
		if (!(cr4 & hv_cr4_feature[i].cr4))
			continue;
		hv_cpuid_lookup(&vcpu->cpuid, hv_cr4_feature[i].leaf, 0, r);
		if (!(r[hv_cr4_feature[i].reg] & BIT(hv_cr4_feature[i].bit)))
			return false;
	}
	return true;
}

/*
 * The rules for a new guest CR4 @val, with @s the state before, on both
 * vendors (SDM Vol 2B, MOV CR: Protected Mode Exceptions).
 */
bool hv_cr4_write_ok(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
		     u64 val)
{
	if (val & ~HV_CR4_ALLOWED)
		return false;
	/* A reserved bit: a feature the host or the guest's CPUID lacks */
	if (!hv_cr4_host_ok(val) || !hv_cr4_cpuid_ok(vcpu, val))
		return false;
	/* CR4.OSXSAVE only where CPUID.1:ECX.XSAVE says so (SDM Vol 1, 13.3) */
	if ((val & X86_CR4_OSXSAVE) && !vcpu->xcr0_allowed)
		return false;
	/* PCIDE 0 -> 1 only in IA-32e mode and with CR3[11:0] = 0 */
	if ((val & ~s->cr4 & X86_CR4_PCIDE) &&
	    (!(s->efer & EFER_LMA) || (s->cr3 & 0xfff)))
		return false;
	/* Clearing PAE in IA-32e mode #GPs */
	return !((s->efer & EFER_LMA) && !(val & X86_CR4_PAE));
}

/* A guest CR4 write from @old to @val, on both vendors */
static void hv_cr4_changed(struct hvk_vcpu *vcpu, u64 old, u64 val)
{
	/*
	 * SDM Vol 3A, 4.10.4.1: a change of PGE, PAE, PSE, PCIDE, SMEP or
	 * SMAP flushes TLBs (the last two change what a walk allows)
	 */
	if ((old ^ val) & (X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE |
			   X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP))
		hv_gpt_changed(vcpu->vm);
}

/* An instruction hv cannot emulate: to userspace, its first 16 bytes */
static int hv_cr_emulation_failed(struct hvk_vcpu *vcpu, const u8 *b,
				  size_t n)
{
	u64 data[2] = { 0, 0 };

	memcpy(data, b, min_t(size_t, n, sizeof(data)));
	return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 2, data);
}

/* SDM Vol 2A, 2.1.1: legacy prefixes the CPU skips before an opcode */
static bool hv_legacy_prefix(u8 b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 ||
	       b == 0xf3 || b == 0x2e || b == 0x36 || b == 0x3e ||
	       b == 0x26 || b == 0x64 || b == 0x65;
}

/* What a CR0/CR4 write exit's instruction is */
enum hv_cr_insn { HV_CR_MOV, HV_CR_CLTS, HV_CR_LMSW, HV_CR_LMSW_MEM };

/* A CR write exit's instruction, decoded at the guest's RIP */
struct hv_cr_decoded {
	enum hv_cr_insn insn;
	int gpr;		/* MOV CR, r and LMSW r16: the source */
	struct hv_insn mem;	/* LMSW m16: the operand */
	unsigned int len;	/* 0: not decoded */
	u8 b[15];
	int n;			/* bytes fetched */
};

/*
 * Decode the instruction of a CR write exit whose backend does not know
 * the source (AMD-V without decode assists, or CLTS/LMSW, which the CR0
 * write intercept also catches: APM Vol 2, 15.9.1).  MOV CR, r is
 * 0F 22 /r (the mod field is ignored, SDM Vol 2B), CLTS 0F 06, LMSW
 * 0F 01 /6 with a register or a memory operand.  d->len 0: not one.
 */
static void hv_cr_decode(struct hvk_vcpu *vcpu, unsigned int cr,
			 struct hv_cr_decoded *d)
{
	int mode, i = 0;
	u8 rex = 0, modrm;
	const u8 *b = d->b;

	d->len = 0;
	d->n = hv_fetch_insn(vcpu, d->b, sizeof(d->b), &mode);
	while (i < d->n && hv_legacy_prefix(b[i]))
		i++;
	if (mode == 64 && i < d->n && (b[i] & 0xf0) == 0x40)
		rex = b[i++];
	if (i + 2 > d->n || b[i] != 0x0f)
		return;
	if (b[i + 1] == 0x06 && cr == 0) {
		d->insn = HV_CR_CLTS;
		d->len = i + 2;
		return;
	}
	if (i + 3 > d->n)
		return;
	modrm = b[i + 2];
	d->gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	if (b[i + 1] == 0x01 && cr == 0 && (modrm & 0xf8) == 0xf0) {
		d->insn = HV_CR_LMSW;
		d->len = i + 3;
		return;
	}
	if (b[i + 1] == 0x01 && cr == 0 && ((modrm >> 3) & 7) == 6) {
		/* LMSW m16: the decoder has the addressing forms */
		d->insn = HV_CR_LMSW_MEM;
		if (!hv_insn_decode_lmsw(b, d->n, mode, &d->mem))
			d->len = d->mem.len;
		return;
	}
	d->insn = HV_CR_MOV;
	if (b[i + 1] != 0x22 || (((modrm >> 3) & 7) | (rex & 4 ? 8 : 0)) != cr)
		return;
	d->len = i + 3;
}

/*
 * A guest write of CR0 or CR4 the backend intercepted: VT-x for the bits
 * the CR0/CR4 guest/host masks give the host (SDM Vol 3C, 25.6.6), AMD-V
 * for every CR0 write and, while the guest may not set OSXSAVE, every
 * CR4 write (it has no mask; APM Vol 2, 15.9).  One set of rules for
 * both: an illegal value gets #GP, a legal one is applied through
 * set_sregs, with EFER.LMA as the CPU would set it.
 */
int hv_handle_cr_write(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_cr_decoded d = { .insn = HV_CR_MOV, .gpr = exit->cr.gpr };
	unsigned int cr = exit->cr.cr;
	u64 data[2] = { cr, 0 }, val = 0, *old, next_rip = exit->next_rip;
	struct hv_sregs s;
	u16 word;
	bool ok;

	if (d.gpr < 0 || !next_rip) {
		hv_cr_decode(vcpu, cr, &d);
		if (!d.len)
			return hv_cr_emulation_failed(vcpu, d.b, max(d.n, 0));
		if (!next_rip)
			next_rip = vcpu->regs.rip + d.len;
	}
	if (cr == 8) {
		/* SDM Vol 3A, 10.8.6.1: CR8 is TPR[7:4]; bits 63:4 reserved */
		val = *hv_gpr(&vcpu->regs, d.gpr);
		if (val & ~0xfULL) {
			hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
			return 1;
		}
		hv_lapic_set_cr8(vcpu, val);
		hv_skip_insn(vcpu, next_rip);
		return 1;
	}
	hv_ops->get_sregs(vcpu, &s);
	old = cr == 0 ? &s.cr0 : &s.cr4;
	if (d.insn == HV_CR_LMSW_MEM) {
		/*
		 * The intercept comes before the operand's read (APM Vol 2,
		 * 15.9: before exceptions of memory accesses); a word hv
		 * cannot read (not RAM, not mapped) stops the vCPU with the
		 * bytes, as an undecodable instruction does.
		 */
		if (hv_read_operand(vcpu, &s, &d.mem, &word, 2) != 2)
			return hv_cr_emulation_failed(vcpu, d.b, d.n);
		val = word;
	} else if (d.insn != HV_CR_CLTS) {
		val = *hv_gpr(&vcpu->regs, d.gpr);
	}
	if (!((s.efer & EFER_LMA) && s.cs.l))
		val = (u32)val;		/* outside 64-bit mode: 32 bits */
	if (d.insn == HV_CR_CLTS)	/* SDM Vol 2A, CLTS */
		val = s.cr0 & ~X86_CR0_TS;
	else if (d.insn == HV_CR_LMSW || d.insn == HV_CR_LMSW_MEM)
		/* SDM Vol 2A, LMSW: CR0[3:0] from it, PE never cleared */
		val = (s.cr0 & ~0xeULL) | (val & 0xf) | (s.cr0 & X86_CR0_PE);
	ok = cr == 0 ? hv_cr0_write_ok(&s, val) :
		       hv_cr4_write_ok(vcpu, &s, val);
	if (!ok) {
		hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	if (cr == 4)
		hv_cr4_changed(vcpu, s.cr4, val);
	*old = val;
	/* SDM Vol 3A, 10.8.5: LMA = LME && PG, as the CPU would */
	if ((s.efer & EFER_LME) && (s.cr0 & X86_CR0_PG))
		s.efer |= EFER_LMA;
	else
		s.efer &= ~EFER_LMA;
	data[1] = val;
	/*
	 * The CR0 rules were just checked; the rest of the state is the
	 * guest's own, as the CPU left it (CR4 keeps its old full check).
	 */
	if ((cr == 4 && hv_sregs_check(&s)) || hv_ops->set_sregs(vcpu, &s))
		return hv_cr_emulation_failed(vcpu, (u8 *)data, sizeof(data));
	hv_skip_insn(vcpu, next_rip);
	return 1;
}

/*
 * Guest debug registers.  DR7 (and DR6 on AMD-V) is VMCS/VMCB state,
 * loaded at entry and saved at exit (SDM Vol 3C, 25.8.1 / 27.3.1; APM
 * Vol 2, 15.5.1 / 15.6); DR0-3 are not, and swapping them around every
 * entry would tax every exit for what few guests use.  So, as KVM's
 * vcpu_enter_guest does: while the guest's DR0-3 are not live, the
 * backend intercepts guest DR accesses (MOV-DR exiting, SDM Vol 3C,
 * 25.6.2; the DR intercepts, APM Vol 2, 15.12.1); the first one
 * (HV_X_DR_ACCESS, here) makes them live - loaded right before each
 * entry, saved right after each exit (hv_run.c) - intercepts off, and
 * the MOV runs again, now for real.  After an exit with DR7 enabling no
 * breakpoint they stop being live: the values stay in vcpu->db and the
 * next access traps again.  Cost: nothing for guests that leave the
 * debug registers alone, one extra exit per burst of use for the others.
 */
int hv_handle_dr_access(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	vcpu->db_live = true;
	return 1;
}
