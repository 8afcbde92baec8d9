// SPDX-License-Identifier: GPL-2.0
/*
 * XSAVE for guests, the same on both vendors: which XCR0 bits a guest may
 * set, XCR0 switched around each entry, the guest's x87/SSE/AVX registers
 * in a per-vCPU XSAVE area, XSETBV, and what CPUID says of CR4.OSXSAVE
 * (the rule for setting it is hv_cr.c's hv_cr4_write_ok()).
 *
 * What a guest gets: x87 | SSE | AVX, whatever of them the host's XCR0 has
 * (SDM Vol 1, 13.1-13.3).  AVX-512, opmask, PKRU, AMX and the supervisor
 * components are never offered (CPUID hides them, XSETBV refuses them):
 * their state is large and hv would have to switch it.  On a host without
 * XSAVE a guest gets none of it: CPUID.1:ECX.XSAVE clear, MOV to
 * CR4.OSXSAVE #GP, XSETBV #UD, and its registers go in and out with
 * FXRSTOR/FXSAVE as before.
 *
 * One entry, compare KVM's kvm_load_guest_xsave_state() and
 * kvm_load_host_xsave_state():
 *   kernel_fpu_begin()   the host task's registers are now in memory
 *   XRSTOR guest area    (host XCR0 still loaded: a superset of the guest's)
 *   [interrupts off]  XSETBV guest XCR0;  VM entry ... VM exit;
 *                     XSETBV host XCR0  [interrupts on]
 *   XSAVE guest area; kernel_fpu_end()
 * The guest's XCR0 is loaded only when it differs from the host's, and
 * only for a vCPU that may use XSAVE (CPUID offers it, or CR4.OSXSAVE is
 * somehow set): others cannot read XCR0 or use its state.
 */
#include "hv.h"

#include <linux/log2.h>
#include <linux/slab.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor-flags.h>

#define X86_VEC_UD	6	/* SDM Vol 3A, Table 6-1 */
#define X86_VEC_GP	13

#define CPUID_1_ECX_XSAVE	BIT(26)	/* SDM Vol 2A, CPUID Table 3-10 */

/* SDM Vol 1, 13.4: the legacy region, then the 64-byte XSAVE header */
#define HV_XSAVE_LEGACY		512
#define HV_XSAVE_HDR		512
#define HV_XSAVE_HDR_END	576
#define HV_XSAVE_MAX_GUEST	(HV_XSTATE_X87 | HV_XSTATE_SSE | HV_XSTATE_AVX)

u64 hv_xcr0_host;		/* the host's XCR0; 0: no XSAVE here */
u64 hv_xcr0_supported;		/* what guests may enable; 0: no XSAVE */
static unsigned int hv_avx_end;	/* end of the AVX component (0Dh.2) */
static unsigned int hv_area_size;	/* bytes of a vCPU's area */

/* Once, at load, before any vCPU exists. */
void hv_xsave_init(void)
{
	u32 eax, ebx, ecx, edx;

	hv_area_size = HV_XSAVE_HDR_END;
	if (!boot_cpu_has(X86_FEATURE_XSAVE) ||
	    !boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	hv_xcr0_host = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	hv_xcr0_supported = hv_xcr0_host & HV_XSAVE_MAX_GUEST;
	if ((hv_xcr0_supported & (HV_XSTATE_X87 | HV_XSTATE_SSE)) !=
	    (HV_XSTATE_X87 | HV_XSTATE_SSE)) {
		hv_xcr0_supported = 0;		/* not a usable XSAVE */
		return;
	}
	if (hv_xcr0_supported & HV_XSTATE_AVX) {
		/* SDM Vol 2A, CPUID 0Dh sub-leaf 2: size, offset of AVX */
		cpuid_count(0xd, 2, &eax, &ebx, &ecx, &edx);
		if (ebx < HV_XSAVE_HDR_END || ebx + eax > HV_XSAVE_SIZE)
			hv_xcr0_supported &= ~HV_XSTATE_AVX;
		else
			hv_avx_end = ebx + eax;
	}
	if (hv_xcr0_supported & HV_XSTATE_AVX)
		hv_area_size = hv_avx_end;
}

/* CPUID 0Dh.0 EBX: the standard-format size for @xcr0 (SDM Vol 1, 13.5) */
static u32 hv_xsave_size_for(u64 xcr0)
{
	return xcr0 & HV_XSTATE_AVX ? hv_avx_end : HV_XSAVE_HDR_END;
}

/* The XCR0 bits a guest with CPUID table @c may set; 0: no XSAVE. */
u64 hv_xcr0_allowed(const struct hv_cpuid *c)
{
	u32 l1[4], ld[4];

	if (!hv_xcr0_supported)
		return 0;
	hv_cpuid_lookup(c, 1, 0, l1);
	if (!(l1[2] & CPUID_1_ECX_XSAVE))
		return 0;
	/* As KVM: what the guest's leaf 0Dh.0 EDX:EAX offers, and x87 */
	hv_cpuid_lookup(c, 0xd, 0, ld);
	return (((u64)ld[3] << 32 | ld[0]) & hv_xcr0_supported) |
	       HV_XSTATE_X87;
}

/* The vCPU's CPUID table changed: what it may enable follows. */
void hv_xsave_cpuid_changed(struct hvk_vcpu *vcpu)
{
	vcpu->xcr0_allowed = hv_xcr0_allowed(&vcpu->cpuid);
}

/*
 * XSETBV's rules for XCR0 (SDM Vol 1, 13.3; Vol 2D, XSETBV): bit 0 set,
 * AVX only with SSE, nothing outside @allowed.
 */
static bool hv_xcr0_valid(u64 val, u64 allowed)
{
	if (!(val & HV_XSTATE_X87) || val & ~allowed)
		return false;
	return !((val & HV_XSTATE_AVX) && !(val & HV_XSTATE_SSE));
}

/* ---- the per-vCPU area ---- */

/*
 * The area: XSAVE standard format, 64-byte aligned (13.4: XSAVE #GPs
 * otherwise): kmalloc aligns a power-of-two size to itself.  On a host
 * without XSAVE the legacy region is an FXSAVE image and the header
 * stays XSTATE_BV = x87 | SSE.
 */
int hvk_vcpu_fpu_alloc(struct hvk_vcpu *vcpu)
{
	u8 *x = kzalloc(roundup_pow_of_two(hv_area_size), GFP_KERNEL_ACCOUNT);
	u64 bv = HV_XSTATE_X87 | HV_XSTATE_SSE;
	u16 fcw = 0x37f;
	u32 mxcsr = 0x1f80;

	if (!x)
		return -ENOMEM;
	/* x87 and SSE after FNINIT / reset: FCW 037Fh, MXCSR 1F80h */
	memcpy(x + 0, &fcw, sizeof(fcw));
	memcpy(x + 24, &mxcsr, sizeof(mxcsr));
	memcpy(x + HV_XSAVE_HDR, &bv, sizeof(bv));
	vcpu->fpu = x;
	vcpu->xcr0 = HV_XSTATE_X87;	/* SDM Vol 3A, Table 10-1: reset */
	return 0;
}

void hvk_vcpu_fpu_free(struct hvk_vcpu *vcpu)
{
	kfree(vcpu->fpu);
	vcpu->fpu = NULL;
}

/*
 * Guest registers in and out, inside kernel_fpu_begin/end, with the
 * host's XCR0 loaded: the requested-feature bitmap is hv_xcr0_supported,
 * which XCR0 always covers (13.7, 13.8).
 */
void hv_fpu_load_guest(struct hvk_vcpu *vcpu)
{
	u64 m = hv_xcr0_supported;

	if (m)
		asm volatile("xrstor64 (%0)"
			     : : "r" (vcpu->fpu), "a" ((u32)m),
			       "d" ((u32)(m >> 32)) : "memory");
	else
		asm volatile("fxrstor64 (%0)" : : "r" (vcpu->fpu) : "memory");
}

void hv_fpu_save_guest(struct hvk_vcpu *vcpu)
{
	u64 m = hv_xcr0_supported;

	if (m)
		asm volatile("xsave64 (%0)"
			     : : "r" (vcpu->fpu), "a" ((u32)m),
			       "d" ((u32)(m >> 32)) : "memory");
	else
		asm volatile("fxsave64 (%0)" : : "r" (vcpu->fpu) : "memory");
}

/* The XCR0 switch around each entry is inline in hv.h (the entry bracket) */

/* ---- exits ---- */

/* CPL as the guest's instructions see it (SDM Vol 3A, 5.5) */
static unsigned int hv_guest_cpl(struct hvk_vcpu *vcpu,
				 const struct hv_sregs *s)
{
	if (!(s->cr0 & X86_CR0_PE))
		return 0;
	if (vcpu->regs.rflags & X86_EFLAGS_VM)
		return 3;
	return s->ss.dpl;
}

/* XSETBV (SDM Vol 2D, XSETBV: Operation and Protected Mode Exceptions) */
int hv_handle_xsetbv(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	u64 val = vcpu->regs.rdx << 32 | (u32)vcpu->regs.rax;
	struct hv_sregs s;

	hv_ops->get_sregs(vcpu, &s);
	/* #UD: no XSAVE for this guest, or CR4.OSXSAVE = 0 */
	if (!vcpu->xcr0_allowed || !(s.cr4 & X86_CR4_OSXSAVE)) {
		hv_ops->inject_exception(vcpu, X86_VEC_UD, false, 0);
		return 1;
	}
	/* #GP(0): CPL > 0, ECX not 0 (only XCR0 exists), a bad value */
	if (hv_guest_cpl(vcpu, &s) || (u32)vcpu->regs.rcx ||
	    !hv_xcr0_valid(val, vcpu->xcr0_allowed)) {
		hv_ops->inject_exception(vcpu, X86_VEC_GP, true, 0);
		return 1;
	}
	vcpu->xcr0 = val;
	hv_skip_insn(vcpu, exit->next_rip);
	return 1;
}

/* ---- CPUID ---- */

/*
 * What the guest's CPUID answers that is not in the table: CPUID.1:ECX.
 * OSXSAVE is CR4.OSXSAVE, CPUID.(0Dh,0):EBX the size for the current
 * XCR0 (SDM Vol 2A, CPUID).
 */
void hv_xsave_cpuid(struct hvk_vcpu *vcpu, u32 fn, u32 index, u32 out[4])
{
	struct hv_sregs s;

	if (!vcpu->xcr0_allowed)
		return;
	if (fn == 1) {
		hv_ops->get_sregs(vcpu, &s);
		if (s.cr4 & X86_CR4_OSXSAVE)
			out[2] |= BIT(27);
		else
			out[2] &= ~BIT(27);
	} else if (fn == 0xd && index == 0 && out[0]) {
		out[1] = hv_xsave_size_for(vcpu->xcr0);
	}
}

/*
 * hv's default leaf 0Dh (SDM Vol 2A, CPUID 0Dh): sub-leaf 0 the offered
 * XCR0 bits and sizes, 1 XSAVEOPT and XGETBV with ECX = 1 only (no
 * XSAVEC/XSAVES: no compacted format, no IA32_XSS), 2 the AVX component.
 */
void hv_xsave_cpuid_leaf(u32 index, u32 out[4])
{
	u32 r[4];

	out[0] = out[1] = out[2] = out[3] = 0;
	if (!hv_xcr0_supported)
		return;
	cpuid_count(0xd, index, &r[0], &r[1], &r[2], &r[3]);
	switch (index) {
	case 0:
		out[0] = (u32)hv_xcr0_supported;
		out[1] = hv_xsave_size_for(HV_XSTATE_X87);
		out[2] = hv_area_size;
		out[3] = hv_xcr0_supported >> 32;
		break;
	case 1:
		out[0] = r[0] & (BIT(0) | BIT(2));	/* XSAVEOPT, XGETBV1 */
		break;
	case 2:
		if (hv_xcr0_supported & HV_XSTATE_AVX) {
			out[0] = r[0];
			out[1] = r[1];
		}
		break;
	}
}

/* ---- state: struct hv_vcpu_state's xcr0 and xsave ---- */

/* MXCSR bits the CPU accepts (SDM Vol 1, 11.6.6); FXRSTOR #GPs on others */
static u32 hv_mxcsr_mask(void)
{
	static u32 mask;
	struct fxregs_state *fx;

	if (mask)
		return mask;
	fx = kzalloc(sizeof(*fx), GFP_KERNEL);
	if (!fx)
		return 0xffbf;		/* the architectural default */
	kernel_fpu_begin();
	hv_fxsave(fx);
	kernel_fpu_end();
	mask = fx->mxcsr_mask ? fx->mxcsr_mask : 0xffbf;
	kfree(fx);
	return mask;
}

/*
 * SET's checks: xcr0 as XSETBV would take it for a guest with CPUID
 * @cpuid (x87 | SSE always, so that files from before XSAVE load), and
 * the area as XRSTOR would (SDM Vol 1, 13.8.1): XSTATE_BV within what hv
 * restores, XCOMP_BV 0 (standard format), the rest of the header 0, no
 * reserved MXCSR bit; and CR4.OSXSAVE only when CPUID offers XSAVE.
 */
int hv_xsave_state_check(const struct hv_vcpu_state *st)
{
	u64 allowed = hv_xcr0_allowed(&st->cpuid), bv, comp;
	const u8 *x = st->xsave;
	u32 mxcsr;
	int i;

	if ((st->sregs.cr4 & X86_CR4_OSXSAVE) && !allowed)
		return -EINVAL;
	if (!hv_xcr0_valid(st->xcr0,
			   allowed | HV_XSTATE_X87 | HV_XSTATE_SSE))
		return -EINVAL;
	memcpy(&bv, x + HV_XSAVE_HDR, sizeof(bv));
	memcpy(&comp, x + HV_XSAVE_HDR + 8, sizeof(comp));
	if (bv & ~(hv_xcr0_supported | HV_XSTATE_X87 | HV_XSTATE_SSE) || comp)
		return -EINVAL;
	for (i = HV_XSAVE_HDR + 16; i < HV_XSAVE_HDR_END; i++)
		if (x[i])
			return -EINVAL;
	memcpy(&mxcsr, x + 24, sizeof(mxcsr));
	if (mxcsr & ~hv_mxcsr_mask())
		return -EINVAL;
	return 0;
}

static bool hv_all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* GET: the vCPU's XCR0 and area (the vCPU quiet). */
void hv_xsave_get_state(struct hvk_vcpu *vcpu, struct hv_vcpu_state *st)
{
	u8 *x = st->xsave;
	u64 bv;

	st->xcr0 = vcpu->xcr0;
	memcpy(x, vcpu->fpu, hv_area_size);
	/* 464-511 are software's in FXSAVE; nothing of the guest's */
	memset(x + 464, 0, HV_XSAVE_LEGACY - 464);
	memset(x + HV_XSAVE_HDR + 8, 0, HV_XSAVE_HDR_END - HV_XSAVE_HDR - 8);
	/*
	 * An AVX component XSAVE wrote as in use but all zero is its init
	 * state: say so, so that the state also loads where there is no
	 * AVX (another vendor's host, 13.6).
	 */
	memcpy(&bv, x + HV_XSAVE_HDR, sizeof(bv));
	if ((bv & HV_XSTATE_AVX) &&
	    hv_all_zero(x + HV_XSAVE_HDR_END, hv_avx_end - HV_XSAVE_HDR_END)) {
		bv &= ~HV_XSTATE_AVX;
		memcpy(x + HV_XSAVE_HDR, &bv, sizeof(bv));
	}
}

/*
 * SET, after hv_xsave_state_check(): XRSTOR applies XSTATE_BV itself (a
 * component whose bit is 0 is loaded in its init state, 13.8.1); for
 * FXRSTOR apply it here.
 */
void hv_xsave_set_state(struct hvk_vcpu *vcpu, const struct hv_vcpu_state *st)
{
	u8 *x = vcpu->fpu;
	u64 bv;
	u16 fcw = 0x37f;

	memcpy(x, st->xsave, hv_area_size);
	memset(x + 464, 0, HV_XSAVE_LEGACY - 464);
	vcpu->xcr0 = st->xcr0;
	if (hv_xcr0_supported)
		return;
	memcpy(&bv, x + HV_XSAVE_HDR, sizeof(bv));
	if (!(bv & HV_XSTATE_X87)) {
		/* SDM Vol 1, 13.6: x87 init = FNINIT, FOP/FIP/FDP 0 */
		memset(x, 0, 24);
		memcpy(x, &fcw, sizeof(fcw));
		memset(x + 32, 0, 128);		/* ST0-7 */
	}
	if (!(bv & HV_XSTATE_SSE))		/* MXCSR is loaded either way */
		memset(x + 160, 0, 256);	/* XMM0-15 */
	bv = HV_XSTATE_X87 | HV_XSTATE_SSE;
	memcpy(x + HV_XSAVE_HDR, &bv, sizeof(bv));
}
