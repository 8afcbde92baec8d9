// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: put a vCPU in real, 32-bit protected or 64-bit mode, ready to run
 * flat code, the way a boot loader would have left it.
 *
 * The segment state is what a descriptor load would have produced, and
 * the GDT in the scratch area holds those very descriptors, so that a
 * guest may reload a segment, take an interrupt or IRET without surprise.
 * It is also what the hardware checks on entry: AMD APM Vol 2, 15.5.1
 * "Basic Operation" (VMRUN consistency checks) and Intel SDM Vol 3,
 * 27.3.1 "Checks on the Guest State Area":
 *  - every usable segment present, S = 1, its type "accessed" (bit 0);
 *    CS execute/read (0xb), the others read/write data (0x3);
 *  - DPL 0 everywhere, so SS.DPL = CS.DPL = CPL = 0;
 *  - TR a busy TSS (type 11), S = 0, present, selector with TI = 0;
 *  - LDTR unusable;
 *  - real mode (with Intel's unrestricted guest): base = selector << 4,
 *    limit 0xffff, 16-bit;
 *  - 64-bit mode: EFER.LME = LMA = 1, CR0.PG = PE = 1, CR4.PAE = 1,
 *    CS.L = 1 with CS.D = 0, RIP canonical.
 *
 * Scratch area (HV_MODE_SCRATCH_SIZE bytes at scratch_gpa):
 *
 *   +0x0000  PML4: entry 0 -> PDPT
 *   +0x1000  PDPT: entries 0-3 -> the four page directories
 *   +0x2000  4 page directories of 2 MiB pages: GPA 0 - 4 GiB identity
 *   +0x6000  GDT: null, code64 0x08, data 0x10, code32 0x18, TSS 0x20
 *   +0x7000  TSS (104 bytes, no I/O bitmap)
 *
 * Four GiB rather than one so that MMIO below 4 GiB (the usual place for
 * device windows, the local APIC at 0xfee00000) is reachable too.
 */
#include <errno.h>
#include <string.h>

#include "libhv.h"
#include "loaders.h"

#define RFLAGS_FIXED	(1ULL << 1)	/* bit 1 always reads as 1 */

#define SEG_TYPE_DATA	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE	0xb	/* execute/read, accessed */
#define SEG_TYPE_LDT	0x2
#define SEG_TYPE_TSS	0xb	/* busy 32/64-bit TSS */

#define SCRATCH_PML4	0x0000
#define SCRATCH_PDPT	0x1000
#define SCRATCH_PD	0x2000
#define SCRATCH_GDT	0x6000
#define SCRATCH_TSS	0x7000
#define GDT_ENTRIES	6	/* the TSS descriptor takes two in long mode */
#define TSS_LIMIT	0x67
#define IDENTITY_GIB	4

static void put64(void *base, uint64_t off, uint64_t val)
{
	memcpy((char *)base + off, &val, sizeof(val));
}

/*
 * The 8-byte descriptor for a segment's hidden state (SDM Vol 3, 3.4.5
 * "Segment Descriptors"): byte-granular limit in, 20-bit limit out.
 */
static uint64_t hv_descriptor(const struct hv_segment *s)
{
	uint32_t limit = s->g ? s->limit >> 12 : s->limit;
	uint64_t d;

	d = (limit & 0xffffULL) | ((s->base & 0xffffffULL) << 16);
	d |= (uint64_t)(s->type & 0xf) << 40;
	d |= (uint64_t)(s->s & 1) << 44;
	d |= (uint64_t)(s->dpl & 3) << 45;
	d |= (uint64_t)(s->present & 1) << 47;
	d |= (uint64_t)((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)(s->avl & 1) << 52;
	d |= (uint64_t)(s->l & 1) << 53;
	d |= (uint64_t)(s->db & 1) << 54;
	d |= (uint64_t)(s->g & 1) << 55;
	d |= ((s->base >> 24) & 0xffULL) << 56;
	return d;
}

static struct hv_segment hv_seg(uint16_t sel, uint64_t base, uint32_t limit,
				uint8_t type, uint8_t s)
{
	struct hv_segment seg;

	memset(&seg, 0, sizeof(seg));
	seg.selector = sel;
	seg.base = base;
	seg.limit = limit;
	seg.type = type;
	seg.s = s;
	seg.present = 1;
	return seg;
}

/* A flat 4 GiB segment: page-granular, 32-bit (or 64-bit code). */
static struct hv_segment hv_flat(uint16_t sel, uint8_t type, int code64)
{
	struct hv_segment seg = hv_seg(sel, 0, 0xffffffff, type, 1);

	seg.g = 1;
	seg.l = code64 ? 1 : 0;
	seg.db = code64 ? 0 : 1;
	return seg;
}

static struct hv_segment hv_unusable_ldt(void)
{
	struct hv_segment seg = hv_seg(0, 0, 0, SEG_TYPE_LDT, 0);

	seg.present = 0;
	seg.unusable = 1;
	return seg;
}

static void hv_set_data_segs(struct hv_sregs *sregs, struct hv_segment data)
{
	sregs->ds = data;
	sregs->es = data;
	sregs->fs = data;
	sregs->gs = data;
	sregs->ss = data;
}

/*
 * What protected and long mode share: flat code (64-bit if @code64) and
 * data from the scratch GDT's selectors, its TSS, no LDT, an empty IDT.
 */
static void hv_set_flat_segs(struct hv_sregs *sregs, uint16_t code_sel,
			     int code64, uint64_t tss_base)
{
	sregs->cs = hv_flat(code_sel, SEG_TYPE_CODE, code64);
	hv_set_data_segs(sregs, hv_flat(HV_MODE_SEL_DATA, SEG_TYPE_DATA, 0));
	sregs->tr = hv_seg(HV_MODE_SEL_TSS, tss_base, TSS_LIMIT,
			   SEG_TYPE_TSS, 0);
	sregs->ldt = hv_unusable_ldt();
	sregs->idt = (struct hv_dtable){ .base = 0, .limit = 0 };
}

/* Page tables, GDT and TSS into the scratch area (layout at the top). */
static void hv_write_scratch(void *scratch, uint64_t gpa,
			     const struct hv_sregs *sregs)
{
	uint64_t i, tss_base = gpa + SCRATCH_TSS;

	memset(scratch, 0, HV_MODE_SCRATCH_SIZE);

	put64(scratch, SCRATCH_PML4, (gpa + SCRATCH_PDPT) | PTE_P | PTE_RW |
	      PTE_A);
	for (i = 0; i < IDENTITY_GIB; i++)
		put64(scratch, SCRATCH_PDPT + i * 8,
		      (gpa + SCRATCH_PD + i * 0x1000) | PTE_P | PTE_RW | PTE_A);
	for (i = 0; i < IDENTITY_GIB * 512; i++)
		put64(scratch, SCRATCH_PD + i * 8, (i << 21) | PTE_P | PTE_RW |
		      PTE_A | PTE_D | PTE_PS);

	/* The descriptors the loaded segments came from. */
	{
		struct hv_segment code64 = hv_flat(HV_MODE_SEL_CODE64,
						   SEG_TYPE_CODE, 1);
		struct hv_segment data = hv_flat(HV_MODE_SEL_DATA,
						 SEG_TYPE_DATA, 0);
		struct hv_segment code32 = hv_flat(HV_MODE_SEL_CODE32,
						   SEG_TYPE_CODE, 0);

		put64(scratch, SCRATCH_GDT + HV_MODE_SEL_CODE64,
		      hv_descriptor(&code64));
		put64(scratch, SCRATCH_GDT + HV_MODE_SEL_DATA,
		      hv_descriptor(&data));
		put64(scratch, SCRATCH_GDT + HV_MODE_SEL_CODE32,
		      hv_descriptor(&code32));
		put64(scratch, SCRATCH_GDT + HV_MODE_SEL_TSS,
		      hv_descriptor(&sregs->tr));
		/* Upper half of a 16-byte system descriptor: base 63:32. */
		put64(scratch, SCRATCH_GDT + HV_MODE_SEL_TSS + 8,
		      tss_base >> 32);
	}

	/* TSS: I/O map base past the limit, i.e. no I/O bitmap. */
	put64(scratch, SCRATCH_TSS + 0x60, (uint64_t)(TSS_LIMIT + 1) << 48);
}

static int hv_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

int hv_mode_prepare(enum hv_cpu_mode mode, uint64_t rip, uint64_t rsp,
		    uint64_t scratch_gpa, void *scratch,
		    struct hv_regs *regs, struct hv_sregs *sregs)
{
	int use_scratch = scratch_gpa != HV_MODE_NO_SCRATCH;
	uint64_t tss_base = use_scratch ? scratch_gpa + SCRATCH_TSS : 0;

	if (!regs || !sregs)
		return -EINVAL;
	if (mode == HV_MODE_LONG64 && !use_scratch)
		return -EINVAL;
	if (mode != HV_MODE_REAL && use_scratch &&
	    (!scratch || scratch_gpa & 0xfff ||
	     scratch_gpa >= (1ULL << 52) - HV_MODE_SCRATCH_SIZE))
		return -EINVAL;

	switch (mode) {
	case HV_MODE_REAL: {
		/* CS:IP with IP < 64 KiB; CS a multiple of 0x1000. */
		uint16_t cs = rip < 0x10000 ? 0 : (rip >> 4) & 0xf000;

		if (rip >= 0x100000 || rsp > 0xffff)
			return -ERANGE;
		sregs->cs = hv_seg(cs, (uint64_t)cs << 4, 0xffff,
				   SEG_TYPE_CODE, 1);
		hv_set_data_segs(sregs, hv_seg(0, 0, 0xffff, SEG_TYPE_DATA,
					       1));
		sregs->tr = hv_seg(0, 0, 0xffff, SEG_TYPE_TSS, 0);
		sregs->ldt = hv_unusable_ldt();
		sregs->gdt = (struct hv_dtable){ .base = 0, .limit = 0xffff };
		sregs->idt = (struct hv_dtable){ .base = 0, .limit = 0x3ff };
		sregs->cr0 = CR0_ET;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
		rip -= (uint64_t)cs << 4;
		break;
	}
	case HV_MODE_PROT32:
		if (rip > 0xffffffffULL || rsp > 0xffffffffULL)
			return -ERANGE;
		hv_set_flat_segs(sregs, HV_MODE_SEL_CODE32, 0, tss_base);
		sregs->gdt = (struct hv_dtable){
			.base = use_scratch ? scratch_gpa + SCRATCH_GDT : 0,
			.limit = use_scratch ? GDT_ENTRIES * 8 - 1 : 0,
		};
		sregs->cr0 = CR0_PE | CR0_ET;
		sregs->cr3 = 0;
		sregs->cr4 = 0;
		sregs->efer = 0;
		break;
	case HV_MODE_LONG64:
		if (!hv_canonical(rip) || !hv_canonical(rsp))
			return -ERANGE;
		hv_set_flat_segs(sregs, HV_MODE_SEL_CODE64, 1, tss_base);
		sregs->gdt = (struct hv_dtable){
			.base = scratch_gpa + SCRATCH_GDT,
			.limit = GDT_ENTRIES * 8 - 1,
		};
		sregs->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
		sregs->cr3 = scratch_gpa + SCRATCH_PML4;
		sregs->cr4 = CR4_PAE;
		sregs->efer = EFER_LME | EFER_LMA;
		break;
	default:
		return -EINVAL;
	}

	/* Only now, when nothing can fail any more. */
	if (mode != HV_MODE_REAL && use_scratch)
		hv_write_scratch(scratch, scratch_gpa, sregs);

	memset(regs, 0, sizeof(*regs));
	regs->rip = rip;
	regs->rsp = rsp;
	regs->rflags = RFLAGS_FIXED;
	return 0;
}

int hv_vcpu_setup_mode(struct hv_vcpu *vcpu, struct hv_vm *vm,
		       enum hv_cpu_mode mode, uint64_t rip, uint64_t rsp,
		       uint64_t scratch_gpa)
{
	struct hv_sregs sregs;
	struct hv_regs regs;
	void *scratch = NULL;
	int err;

	if (!vcpu)
		return -EBADF;
	if (mode != HV_MODE_REAL && scratch_gpa != HV_MODE_NO_SCRATCH) {
		scratch = hv_vm_gpa_ptr(vm, scratch_gpa, HV_MODE_SCRATCH_SIZE);
		if (!scratch)
			return -EFAULT;
	}
	err = hv_vcpu_get_sregs(vcpu, &sregs);
	if (err)
		return err;
	err = hv_mode_prepare(mode, rip, rsp, scratch_gpa, scratch, &regs,
			      &sregs);
	if (err)
		return err;
	err = hv_vcpu_set_sregs(vcpu, &sregs);
	if (err)
		return err;
	return hv_vcpu_set_regs(vcpu, &regs);
}
