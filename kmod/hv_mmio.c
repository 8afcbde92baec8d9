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
 * mmio_fragments), unless the in-kernel platform (the LAPIC page, the
 * IOAPIC: io/platform.h) claims it first.  The access completes, and RIP
 * moves past the instruction (hv_skip_insn), when the last part is done:
 * for a read once userspace answered it, for a write once it is handed
 * out.
 *
 * Beyond the moves, the instructions x86/insn.c decodes run here through
 * x86/emulate.c: a read-modify-write (ADD, OR, AND, ..., NOT, NEG, INC,
 * DEC, BTS/BTR/BTC, XCHG) is a read phase - one read exit per part
 * outside RAM - then the computed write phase - one write exit per part;
 * registers, RFLAGS and RIP change when the write is handed out.  CMP,
 * TEST and BT only read.  MOVS, STOS and LODS move one element per exit
 * (either side of a MOVS may be MMIO; both is a read then a write): rSI,
 * rDI and rCX step, and while a REP count remains RIP stays on the
 * instruction, so the guest runs it again for the next element and
 * interrupts may come in between, as on hardware (SDM Vol 2B, REP).
 *
 * A page of the access (the second page of a split access, the other
 * side of a MOVS) that the guest's tables do not map raises #PF in the
 * guest, CR2 its linear address, nothing done.  The walk checks
 * presence only (x86/gwalk.h): a write through a read-only or
 * supervisor-only mapping is not faulted.
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
#include "x86/emulate.h"
#include "x86/gwalk.h"
#include "io/platform.h"
#include "hv_trace.h"

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
int hv_guest_mode(const struct hv_sregs *s)
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
			   u64 rip, u8 *buf, size_t n, int mode)
{
	struct hv_gwalk_ctx ctx;
	u64 gla;

	hv_walk_ctx(vcpu, s, &ctx);
	gla = mode == 64 ? rip : s->cs.base + rip;
	return hv_gwalk_fetch(&ctx, gla, buf, n);
}

/* The bytes at the guest's CS:@rip; *mode gets 16, 32 or 64. */
int hv_fetch_insn_at(struct hvk_vcpu *vcpu, u64 rip, u8 *buf, size_t n,
		     int *mode)
{
	struct hv_sregs s;

	hv_ops->get_sregs(vcpu, &s);
	*mode = hv_guest_mode(&s);
	return __hv_fetch_insn(vcpu, &s, rip, buf, n, *mode);
}

/* The bytes at the guest's CS:RIP; *mode gets 16, 32 or 64. */
int hv_fetch_insn(struct hvk_vcpu *vcpu, u8 *buf, size_t n, int *mode)
{
	return hv_fetch_insn_at(vcpu, vcpu->regs.rip, buf, n, mode);
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
u64 hv_seg_gla(const struct hv_sregs *s, int mode, u8 seg, u64 ea)
{
	/* SDM Vol 3A, 3.4.4: in 64-bit mode only FS and GS have a base */
	if (mode == 64)
		return seg == HV_SEG_FS || seg == HV_SEG_GS ?
		       ea + hv_seg_base(s, seg) : ea;
	return (u32)(hv_seg_base(s, seg) + ea);
}

static u64 hv_mmio_gla(const struct hv_insn *in, const struct hv_sregs *s,
		       int mode, const u64 gpr[16], u64 next_rip)
{
	return hv_seg_gla(s, mode, in->seg, hv_insn_ea(in, gpr, next_rip));
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

	/* A lazy page not given yet (hv_lazy.c): a guest's fault waited */
	r = hvk_lazy_wait(vm, gpa);
	if (r)
		return r;
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

#define X86_VEC_PF	14	/* SDM Vol 3A, Table 6-1 */
#define X86_PF_WRITE	BIT(1)	/* SDM Vol 3A, 4.7, Figure 4-12: W/R */
#define X86_PF_USER	BIT(2)	/* U/S: the access was at CPL 3 */

/*
 * #PF for a page the guest's tables do not map: not-present (P = 0),
 * W/R from the access, U/S from the CPL (SS.DPL, SDM Vol 3A, 5.5), and
 * CR2 the linear address (SDM Vol 3A, 6.15, Interrupt 14).
 */
static void hv_emu_inject_pf(struct hvk_vcpu *vcpu, struct hv_sregs *s,
			     u64 cr2, bool write)
{
	u32 err = (write ? X86_PF_WRITE : 0) |
		  (s->ss.dpl == 3 ? X86_PF_USER : 0);

	s->cr2 = cr2;
	hv_ops->set_sregs(vcpu, s);	/* the state it just read: valid */
	hv_ops->inject_exception(vcpu, X86_VEC_PF, true, err);
}

int hv_emu_translate(struct hvk_vcpu *vcpu, struct hv_sregs *s, u64 gla,
		     unsigned int size, bool write,
		     struct hv_mmio_frag frag[2])
{
	struct hv_gwalk_piece pc[2];
	struct hv_gwalk_ctx ctx;
	u64 gpa, cr2 = gla;
	int i, n;

	hv_walk_ctx(vcpu, s, &ctx);
	n = hv_gwalk_split(&ctx, gla, size, pc);
	if (n == -EFAULT) {
		/* Which page: the first, or the one after it */
		if (!hv_gwalk(&ctx, gla, &gpa)) {
			cr2 = (gla | ~PAGE_MASK) + 1;
			if (!(s->efer & EFER_LMA))
				cr2 = (u32)cr2;
		}
		hv_emu_inject_pf(vcpu, s, cr2, write);
		return 0;
	}
	if (n <= 0 || n > 2)
		return -EINVAL;
	for (i = 0; i < n; i++)
		frag[i] = (struct hv_mmio_frag) {
			.gpa = pc[i].gpa, .off = pc[i].off, .len = pc[i].len,
			.ram = hv_mem_is_ram(vcpu->vm, pc[i].gpa),
		};
	return n;
}

int hv_emu_ram(struct hvk_vcpu *vcpu, const struct hv_mmio_frag *frag,
	       unsigned int n, u8 *buf, bool write)
{
	unsigned int i;
	int r;

	for (i = 0; i < n; i++) {
		const struct hv_mmio_frag *f = &frag[i];

		if (!f->ram)
			return -EFAULT;
		r = write ? hv_mmio_write_ram(vcpu->vm, f->gpa, buf + f->off,
					      f->len) :
			    hv_mem_read(vcpu->vm, f->gpa, buf + f->off, f->len);
		if (r)
			return r == -ENOMEM ? r : -EFAULT;
	}
	return 0;
}

/* The pieces of @frag in RAM, read or written in place at once */
static int hv_mmio_ram_pieces(struct hvk_vcpu *vcpu, bool write)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	unsigned int i;
	int r;

	for (i = 0; i < op->nfrag; i++) {
		if (!op->frag[i].ram)
			continue;
		r = hv_emu_ram(vcpu, &op->frag[i], 1, op->val, write);
		if (r)
			return r;
	}
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

/* The instruction is done: registers, RFLAGS, then RIP (and TF's trap) */
static void hv_mmio_finish(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;

	hv_gpr_to_regs(op->gpr, &vcpu->regs);
	vcpu->regs.rflags = op->rflags;
	vcpu->pending = HV_PENDING_NONE;
	hv_skip_insn(vcpu, op->next_rip);
}

/*
 * The read phase is over (or there was none): execute the instruction on
 * the value read, and set up the write phase if it writes.  For a string
 * instruction, step rSI/rDI/rCX; RIP stays while elements remain.
 */
static int hv_mmio_compute(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	u64 mem = 0, out = 0;
	bool writes;

	memcpy(&mem, op->val, op->insn.size);		/* LE */
	writes = hv_emu_exec(&op->insn, op->gpr, &op->rflags, mem, &out);
	if (hv_insn_is_string(op->insn.op) &&
	    !hv_emu_string_next(&op->insn, op->gpr, op->rflags))
		op->next_rip = vcpu->regs.rip;
	op->write = true;
	op->cur = 0;
	op->nfrag = 0;
	if (!writes)
		return 0;
	op->nfrag = op->nwfrag;
	memcpy(op->frag, op->wfrag, sizeof(op->frag));
	memset(op->val, 0, sizeof(op->val));
	memcpy(op->val, &out, op->insn.size);		/* LE */
	return hv_mmio_ram_pieces(vcpu, true);
}

/*
 * Hand the piece at op->cur (or the next the platform does not claim) to
 * userspace, go on to the write phase when the reads are done, or finish
 * the instruction when nothing is left.  Returns 0 with an MMIO exit in
 * the run area, 1 when the instruction is complete, <0 on a host error.
 */
static int hv_mmio_step(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	struct hv_run *run = vcpu->run;
	const struct hv_mmio_frag *f;
	bool phase_write;
	u64 v;
	int r;

	do {
		for (; op->cur < op->nfrag; op->cur++) {
			f = &op->frag[op->cur];
			if (f->ram)
				continue;
			if (hv_platform_mmio(vcpu, f->gpa, op->write,
					     op->val + f->off, f->len)) {
				v = 0;
				memcpy(&v, op->val + f->off, f->len);
				trace_hv_mmio(vcpu, f->gpa, f->len, op->write,
					      v, false);
				continue;
			}
			run->exit_reason = HV_EXIT_MMIO;
			run->mmio.gpa = f->gpa;
			run->mmio.len = f->len;
			run->mmio.is_write = op->write;
			v = 0;
			if (op->write) {
				memcpy(&v, op->val + f->off, f->len);
				trace_hv_mmio(vcpu, f->gpa, f->len, true, v,
					      true);
			}
			run->mmio.data = v;
			vcpu->pending = HV_PENDING_MMIO;
			/* A write is done once its last piece is out (KVM) */
			if (op->write &&
			    hv_mmio_next(op, op->cur + 1) == op->nfrag)
				hv_mmio_finish(vcpu);
			return 0;
		}
		phase_write = op->write;
		if (!phase_write) {
			r = hv_mmio_compute(vcpu);
			if (r)
				return r;
		}
	} while (!phase_write);
	hv_mmio_finish(vcpu);
	return 1;
}

/*
 * Userspace answered the piece at op->cur (a read's data is in
 * run->mmio.data, its low len bytes).  Returns 1 with the next exit in
 * the run area (the next piece, or an internal error), 0 when the
 * instruction is complete.
 */
int hv_mmio_complete(struct hvk_vcpu *vcpu)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	u64 data = vcpu->run->mmio.data, err[1];
	int r;

	if (op->pio)
		return hv_pio_complete(vcpu);
	if (op->cur >= op->nfrag) {		/* cannot happen; be safe */
		vcpu->pending = HV_PENDING_NONE;
		return 0;
	}
	if (!op->write) {
		trace_hv_mmio(vcpu, op->frag[op->cur].gpa,
			      op->frag[op->cur].len, false, data, true);
		memcpy(op->val + op->frag[op->cur].off, &data,
		       op->frag[op->cur].len);		/* LE */
	}
	op->cur++;
	r = hv_mmio_step(vcpu);
	if (r < 0) {
		vcpu->pending = HV_PENDING_NONE;
		err[0] = -r;
		hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 1, err);
		return 1;
	}
	return r == 0;
}

/*
 * The pieces of a non-string operand at @gla: within one page the
 * hardware's own translation, @gpa (its page offset must match, or the
 * decoded instruction is not the one that faulted); across a page both
 * pages walked.
 */
static int hv_mmio_pieces(struct hvk_vcpu *vcpu, struct hv_sregs *s,
			  u64 gla, u64 gpa, unsigned int size, bool write,
			  struct hv_mmio_frag frag[2])
{
	if ((gla & ~PAGE_MASK) + size <= PAGE_SIZE) {
		if ((gla ^ gpa) & ~PAGE_MASK)
			return -EINVAL;
		frag[0] = (struct hv_mmio_frag){ .gpa = gpa, .len = size };
		return 1;
	}
	return hv_emu_translate(vcpu, s, gla, size, write, frag);
}

/* Whether @gpa is in one of @n pieces; that piece is marked not RAM */
static bool hv_mmio_hit(struct hv_mmio_frag *frag, unsigned int n, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (gpa >= frag[i].gpa && gpa - frag[i].gpa < frag[i].len) {
			frag[i].ram = false;
			return true;
		}
	return false;
}

/* A guest access to a GPA without RAM: decode it, split it, hand it out. */
static int hv_mmio_emulate(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	struct hv_sregs s;
	struct hv_insn insn;
	u64 gpa = exit->npf.gpa, gpr[16], gla, next_rip, src, dst;
	u64 data[4] = { 0, 0, gpa, 0 };
	u8 bytes[16] = { 0 };
	bool reads, writes, hit;
	int n, r, mode;

	if (hv_mem_is_ram(vcpu->vm, gpa) || exit->npf.fetch)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);

	hv_ops->get_sregs(vcpu, &s);
	mode = hv_guest_mode(&s);
	n = __hv_fetch_insn(vcpu, &s, vcpu->regs.rip, bytes, HV_INSN_MAX_LEN,
			    mode);
	memcpy(data, bytes, sizeof(u64) * 2);
	if (n <= 0 || hv_insn_decode(bytes, n, mode, &insn))
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);
	/* The decoder's numbers bound what follows: never trust them blindly */
	if (insn.len > n || !insn.size || insn.size > sizeof(op->val) ||
	    (insn.size & (insn.size - 1)) ||
	    insn.op == HV_INSN_INS || insn.op == HV_INSN_OUTS)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 3, data);

	hv_regs_to_gpr(&vcpu->regs, gpr);
	next_rip = vcpu->regs.rip + insn.len;
	if (mode != 64)
		next_rip = (u32)next_rip;

	memset(op, 0, sizeof(*op));
	op->insn = insn;
	memcpy(op->gpr, gpr, sizeof(op->gpr));
	op->rflags = vcpu->regs.rflags;
	op->next_rip = next_rip;
	reads = hv_emu_reads(&insn);
	writes = hv_emu_writes(&insn);

	if (hv_insn_is_string(insn.op)) {
		/* SDM Vol 2B, REP: a zero count does nothing (no access) */
		if (!hv_emu_string_count(&insn, gpr)) {
			hv_skip_insn(vcpu, next_rip);
			return 1;
		}
		/* SDM Vol 2B, MOVS: the source DS:rSI (overridable), the
		 * destination ES:rDI */
		hv_emu_string_addr(&insn, gpr, &src, &dst);
		gla = hv_seg_gla(&s, mode, insn.seg, src);
		data[3] = gla;
		n = 1;
		if (reads) {
			n = hv_emu_translate(vcpu, &s, gla, insn.size, false,
					     op->frag);
			op->nfrag = n;
		}
		if (n > 0 && writes) {
			gla = hv_seg_gla(&s, mode, HV_SEG_ES, dst);
			n = hv_emu_translate(vcpu, &s, gla, insn.size, true,
					     op->wfrag);
			op->nwfrag = n;
		}
	} else {
		gla = hv_mmio_gla(&insn, &s, mode, gpr, next_rip);
		data[3] = gla;
		n = hv_mmio_pieces(vcpu, &s, gla, gpa, insn.size, writes,
				   reads ? op->frag : op->wfrag);
		if (n > 0 && reads) {
			op->nfrag = n;
			if (writes)
				memcpy(op->wfrag, op->frag, sizeof(op->frag));
		}
		if (n > 0 && writes)
			op->nwfrag = n;
	}
	if (!n)
		return 1;		/* #PF queued: the guest takes it */
	hit = n > 0 && (hv_mmio_hit(op->frag, op->nfrag, gpa) |
			hv_mmio_hit(op->wfrag, op->nwfrag, gpa));
	if (!hit)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4, data);

	op->write = !reads;
	if (reads) {
		r = hv_mmio_ram_pieces(vcpu, false);
	} else {
		r = hv_mmio_compute(vcpu);
	}
	if (r == -ENOMEM)
		return r;
	if (r)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4, data);
	r = hv_mmio_step(vcpu);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4, data);
	return r;
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
 * back in once the page is writable; a fault on RAM that is mapped as
 * the access needs was spurious and goes back in as it is (an event it
 * interrupted is in the backend's injection field again); anything else
 * is MMIO.
 */
int hv_handle_npf(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	int r;

	/* Lazy RAM not given yet (hv_lazy.c): sleep until it is, retry */
	r = hv_lazy_vcpu_wait(vcpu, exit->npf.gpa);
	if (r)
		return r;
	if (exit->npf.write && !exit->npf.fetch) {
		r = hv_mem_write_fault(vcpu->vm, exit->npf.gpa);
		if (r > 0)
			trace_hv_npf(vcpu, exit->npf.gpa, true, false, r);
		if (r)
			return r;	/* an interrupted event goes again */
	}
	if (hv_mem_fault_spurious(vcpu->vm, exit->npf.gpa)) {
		trace_hv_npf(vcpu, exit->npf.gpa, exit->npf.write,
			     exit->npf.fetch, HV_NPF_SPURIOUS);
		vcpu->npf_spurious++;
		return 1;
	}
	trace_hv_npf(vcpu, exit->npf.gpa, exit->npf.write, exit->npf.fetch,
		     HV_NPF_MMIO);
	hv_stat_inc(vcpu, HV_STAT_NPF_MMIO);
	if (exit->event.valid)
		return hv_mmio_delivery(vcpu, exit);
	return hv_mmio_emulate(vcpu, exit);
}
