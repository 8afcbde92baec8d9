// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page faults, and the MMIO accesses among them emulated for
 * userspace (attached mode) or the empty bus (managed mode).
 *
 * The hardware reports only the guest-physical address of the page that
 * faulted.  The size, direction and register come from decoding the
 * instruction at RIP (x86/insn.c), and its linear address from the
 * operand: an access that crosses a page boundary is split per page,
 * each page translated on its own through the guest's tables
 * (x86/gwalk.c), as KVM's emulator_read_write() does.  A part in RAM is
 * read or written in place; each part outside RAM is one MMIO exit of
 * exactly its bytes at its own GPA, in address order (KVM's
 * mmio_fragments).  The access completes, and RIP moves past the
 * instruction, when the last part is done: for a read once userspace
 * answered it, for a write once it is handed out.
 *
 * An exit in the middle of delivering an event (an IDT or a stack in
 * MMIO) is never decoded: the instruction at RIP is not the access.
 * The vCPU stops with HV_INTERNAL_DELIVERY, as KVM stops with
 * KVM_INTERNAL_ERROR_DELIVERY_EV; the backend keeps the event for the
 * next entry.  A write fault on RAM there (copy-on-write, dirty log) is
 * fixed and the guest re-entered, the event delivered again.
 */
#include "hv.h"
#include "x86/insn.h"
#include "x86/gwalk.h"

#include <linux/highmem.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

static void hv_regs_to_gpr(struct hv_regs *r, u64 gpr[16])
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		gpr[i] = *hv_gpr(r, i);
}

static void hv_gpr_to_regs(const u64 gpr[16], struct hv_regs *r)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		*hv_gpr(r, i) = gpr[i];
}

static int hv_read_gpa(void *opaque, u64 gpa, void *buf, size_t len)
{
	return hv_mem_read(opaque, gpa, buf, len);
}

/* Default operand size of the guest's code: 16, 32 or 64. */
static int hv_guest_mode(const struct hv_sregs *s)
{
	if ((s->efer & EFER_LMA) && s->cs.l)
		return 64;
	if (!(s->cr0 & X86_CR0_PE))
		return 16;
	return s->cs.db ? 32 : 16;
}

static void hv_walk_ctx(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
			struct hv_gwalk_ctx *ctx)
{
	*ctx = (struct hv_gwalk_ctx) {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
		.read_gpa = hv_read_gpa, .opaque = vcpu->vm,
	};
}

/*
 * Up to @n instruction bytes at CS:RIP, each page translated on its own
 * and only RAM read: the bytes stop at the first page that is not (an
 * instruction running into MMIO is then too short to decode).
 */
static int __hv_fetch_insn(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
			   u8 *buf, size_t n, int mode)
{
	struct hv_gwalk_ctx ctx;
	u64 gla;

	hv_walk_ctx(vcpu, s, &ctx);
	gla = mode == 64 ? vcpu->regs.rip : s->cs.base + vcpu->regs.rip;
	return hv_gwalk_fetch(&ctx, gla, buf, n);
}

/* The bytes at the guest's CS:RIP; *mode gets 16, 32 or 64. */
int hv_fetch_insn(struct hvk_vcpu *vcpu, u8 *buf, size_t n, int *mode)
{
	struct hv_sregs s;

	hv_ops->get_sregs(vcpu, &s);
	*mode = hv_guest_mode(&s);
	return __hv_fetch_insn(vcpu, &s, buf, n, *mode);
}

static u64 hv_seg_base(const struct hv_sregs *s, u8 seg)
{
	switch (seg) {
	case HV_SEG_ES:
		return s->es.base;
	case HV_SEG_CS:
		return s->cs.base;
	case HV_SEG_SS:
		return s->ss.base;
	case HV_SEG_FS:
		return s->fs.base;
	case HV_SEG_GS:
		return s->gs.base;
	default:
		return s->ds.base;
	}
}

/* SDM Vol 3A, 3.4: the linear address is the segment base + the offset */
static u64 hv_mmio_gla(const struct hv_insn *in, const struct hv_sregs *s,
		       int mode, const u64 gpr[16], u64 next_rip)
{
	u64 ea = hv_insn_ea(in, gpr, next_rip);

	/* SDM Vol 3A, 3.4.4: in 64-bit mode only FS and GS have a base */
	if (mode == 64)
		return in->seg == HV_SEG_FS || in->seg == HV_SEG_GS ?
		       ea + hv_seg_base(s, in->seg) : ea;
	return (u32)(hv_seg_base(s, in->seg) + ea);
}

/*
 * Read the @n bytes of @in's memory operand as the guest's own load
 * would find them: segment base, the guest's page tables, each page on
 * its own; RAM only.  For an exit whose instruction reads memory that is
 * not the fault (LMSW m16 in hv_cr.c).  Returns the bytes read, fewer
 * (or <0) where a page is missing or not RAM.
 */
int hv_read_operand(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
		    const struct hv_insn *in, void *buf, size_t n)
{
	int mode = hv_guest_mode(s);
	struct hv_gwalk_ctx ctx;
	u64 gpr[16], next_rip;

	hv_regs_to_gpr(&vcpu->regs, gpr);
	next_rip = vcpu->regs.rip + in->len;
	if (mode != 64)
		next_rip = (u32)next_rip;
	hv_walk_ctx(vcpu, s, &ctx);
	return hv_gwalk_fetch(&ctx, hv_mmio_gla(in, s, mode, gpr, next_rip),
			      buf, n);
}

/*
 * Write a piece of guest RAM as the guest's own store would: a page
 * shared copy-on-write is copied first, a logged page marked dirty
 * (hv_mem_write_fault).  @gpa..+@len lies in one page.
 */
static int hv_mmio_write_ram(struct hvk_vm *vm, u64 gpa, const void *buf,
			     size_t len)
{
	struct page *page;
	int r;

	r = hv_mem_write_fault(vm, gpa);
	if (r <= 0)
		return r ? r : -EFAULT;
	/* No clone can share it again while we hold the vCPU's run_lock */
	page = hv_mem_page(vm, gpa);
	if (!page)
		return -EFAULT;
	memcpy_to_page(page, offset_in_page(gpa), buf, len);
	return 0;
}

/* The first piece outside RAM at or after @from; op->nfrag if none. */
static unsigned int hv_mmio_next(const struct hv_mmio_op *op,
				 unsigned int from)
{
	while (from < op->nfrag && op->frag[from].ram)
		from++;
	return from;
}

/*
 * Hand the piece at op->cur (or the next outside RAM) to userspace, or
 * finish the access when none is left.  Returns 0 with an MMIO exit in
 * the run area, 1 when the access is complete.
 */
static int hv_mmio_step(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	struct hv_run *run = vcpu->run;
	const struct hv_mmio_frag *f;
	u64 gpr[16], v = 0;

	op->cur = hv_mmio_next(op, op->cur);
	if (op->cur < op->nfrag) {
		f = &op->frag[op->cur];
		run->exit_reason = HV_EXIT_MMIO;
		run->mmio.gpa = f->gpa;
		run->mmio.len = f->len;
		run->mmio.is_write = op->write;
		if (op->write)
			memcpy(&v, op->val + f->off, f->len);
		run->mmio.data = v;
		vcpu->pending = HV_PENDING_MMIO;
		/* A write is done once its last piece is out (as in KVM) */
		if (op->write && hv_mmio_next(op, op->cur + 1) == op->nfrag) {
			vcpu->regs.rip = op->next_rip;
			vcpu->pending = HV_PENDING_NONE;
		}
		return 0;
	}
	if (!op->write) {
		memcpy(&v, op->val, sizeof(v));
		hv_regs_to_gpr(&vcpu->regs, gpr);
		hv_insn_load_result(&op->insn, gpr, v);
		hv_gpr_to_regs(gpr, &vcpu->regs);
	}
	vcpu->regs.rip = op->next_rip;
	vcpu->pending = HV_PENDING_NONE;
	return 1;
}

/*
 * Userspace answered the piece at op->cur (a read's data is in
 * run->mmio.data, its low len bytes).  Returns 1 with the next piece's
 * exit in the run area, 0 when the access is complete.
 */
int hv_mmio_complete(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	const struct hv_mmio_frag *f = &op->frag[op->cur];
	u64 data = vcpu->run->mmio.data;

	if (op->cur >= op->nfrag) {		/* cannot happen; be safe */
		vcpu->pending = HV_PENDING_NONE;
		return 0;
	}
	if (!op->write)
		memcpy(op->val + f->off, &data, f->len);	/* LE */
	op->cur++;
	return hv_mmio_step(vcpu) == 0;
}

/* A guest access to a GPA without RAM: decode it, split it, hand it out. */
static int hv_mmio_emulate(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	struct hv_gwalk_piece pc[2];
	struct hv_gwalk_ctx ctx;
	struct hv_sregs s;
	struct hv_insn insn;
	u64 gpa = exit->npf.gpa, gpr[16], gla, next_rip, val;
	u64 data[4] = { 0, 0, gpa, 0 };
	u8 bytes[16] = { 0 };
	int i, n, r, mode, hit = -1;

	if (hv_mem_is_ram(vcpu->vm, gpa) || exit->npf.fetch)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);

	hv_ops->get_sregs(vcpu, &s);
	mode = hv_guest_mode(&s);
	n = __hv_fetch_insn(vcpu, &s, bytes, HV_INSN_MAX_LEN, mode);
	memcpy(data, bytes, sizeof(u64) * 2);
	if (n <= 0 || hv_insn_decode(bytes, n, mode, &insn))
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);
	/* The decoder's numbers bound what follows: never trust them blindly */
	if (insn.len > n || !insn.size || insn.size > sizeof(op->val) ||
	    (insn.size & (insn.size - 1)))
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);

	hv_regs_to_gpr(&vcpu->regs, gpr);
	next_rip = vcpu->regs.rip + insn.len;
	if (mode != 64)
		next_rip = (u32)next_rip;
	gla = hv_mmio_gla(&insn, &s, mode, gpr, next_rip);
	data[3] = gla;

	if ((gla & ~PAGE_MASK) + insn.size <= PAGE_SIZE) {
		/* One page: the hardware's own translation, the usual case */
		pc[0] = (struct hv_gwalk_piece){ .gpa = gpa, .len = insn.size };
		n = 1;
		if ((gla ^ gpa) & ~PAGE_MASK)
			n = -EINVAL;	/* not the access that faulted */
		hit = 0;
	} else {
		hv_walk_ctx(vcpu, &s, &ctx);
		n = hv_gwalk_split(&ctx, gla, insn.size, pc);
		/* The page that faulted must be one of them, at that offset */
		for (i = 0; i < n; i++)
			if (gpa >= pc[i].gpa && gpa - pc[i].gpa < pc[i].len)
				hit = i;
	}
	if (n <= 0 || hit < 0)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4, data);

	memset(op, 0, sizeof(*op));
	op->insn = insn;
	op->write = insn.op == HV_INSN_STORE || insn.op == HV_INSN_STORE_IMM;
	op->next_rip = next_rip;
	op->nfrag = n;
	if (op->write) {
		val = hv_insn_store_value(&insn, gpr);
		memcpy(op->val, &val, insn.size);	/* LE */
	}
	for (i = 0; i < n; i++) {
		struct hv_mmio_frag *f = &op->frag[i];

		f->gpa = pc[i].gpa;
		f->off = pc[i].off;
		f->len = pc[i].len;
		f->ram = i != hit && hv_mem_is_ram(vcpu->vm, f->gpa);
		if (!f->ram)
			continue;
		r = op->write ?
		    hv_mmio_write_ram(vcpu->vm, f->gpa, op->val + f->off,
				      f->len) :
		    hv_mem_read(vcpu->vm, f->gpa, op->val + f->off, f->len);
		if (r == -ENOMEM)
			return r;
		if (r)
			return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4,
						data);
	}
	op->cur = 0;
	return hv_mmio_step(vcpu);
}

/* MMIO while delivering an event: stop, keep the event (see the top). */
static int hv_mmio_delivery(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	const struct hv_exit_event *ev = &exit->event;
	u64 data[4] = {
		ev->vector, exit->npf.gpa, ev->type,
		ev->has_error ? BIT_ULL(32) | ev->error : 0,
	};

	return hv_exit_internal(vcpu, HV_INTERNAL_DELIVERY, 4, data);
}

/*
 * A nested page fault.  A write to RAM met a read-only leaf (a page
 * shared copy-on-write or watched by the dirty log: hv_mem.c) and goes
 * back in once the page is writable; anything else is MMIO.
 */
int hv_handle_npf(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	int r;

	if (exit->npf.write && !exit->npf.fetch) {
		r = hv_mem_write_fault(vcpu->vm, exit->npf.gpa);
		if (r)
			return r;	/* an interrupted event goes again */
	}
	if (exit->event.valid)
		return hv_mmio_delivery(vcpu, exit);
	return hv_mmio_emulate(vcpu, exit);
}
