// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: what the in-kernel platform claims (io/platform.h) is
 * answered here; the rest goes out to the VM's driver (userspace, or the
 * managed service's devices) as HV_EXIT_IO.
 *
 * String I/O (INS, OUTS, with or without REP) moves one element per
 * exit: the core decodes the instruction at RIP (x86/insn.c) for the
 * address size, the segment of rSI and the element size, and translates
 * the memory side through the guest's page tables (hv_emu_translate); a
 * page they do not map raises #PF in the guest (CR2, error code) and
 * nothing is done.  The element goes to the platform, or out as one
 * HV_EXIT_IO of its size - an OUTS element's data in run->io.data, an
 * INS element's answer written to guest memory on the next run - as KVM
 * does with count 1.  Then rSI or rDI steps by the element size (down
 * with RFLAGS.DF) and, with REP, rCX counts down at the address size;
 * while rCX is not 0, RIP stays on the instruction and the guest runs it
 * again for the next element, taking interrupts in between as hardware
 * may (SDM Vol 2B, REP).  A memory side outside RAM (string I/O to or
 * from MMIO) is not emulated: HV_EXIT_INTERNAL_ERROR with suberror
 * HV_INTERNAL_STRING_IO (port, size, GPA), nothing done.
 */
#include "hv.h"
#include "io/platform.h"
#include "x86/insn.h"
#include "x86/emulate.h"
#include "hv_trace.h"

/* The string I/O element is done: registers, then RIP (and TF's trap) */
static void hv_pio_string_done(struct hvk_vcpu *vcpu,
			       const struct hv_mmio_op *op)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		*hv_gpr(&vcpu->regs, i) = op->gpr[i];
	vcpu->pending = HV_PENDING_NONE;
	hv_skip_insn(vcpu, op->next_rip);
}

/*
 * Userspace (or the managed devices) answered an INS element: its data
 * to guest memory, then the element is done.  hv_mmio_complete's
 * convention: 0, or 1 with an internal error in the run area.
 */
static int hv_pio_in_done(struct hvk_vcpu *vcpu, u64 v)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	u64 err[1];
	int r;

	v &= hv_size_mask(op->insn.size);

	op->pio = false;
	memset(op->val, 0, sizeof(op->val));
	memcpy(op->val, &v, op->insn.size);		/* LE */
	r = hv_emu_ram(vcpu, op->frag, op->nfrag, op->val, true);
	if (r) {
		vcpu->pending = HV_PENDING_NONE;
		err[0] = -r;
		hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 1, err);
		return 1;
	}
	hv_pio_string_done(vcpu, op);
	return 0;
}

/*
 * io/pm.c: the guest asked to power off or reset.  The port access is
 * finished as usual, then the exit goes out to the VM's driver (uapi
 * HV_EXIT_SYSTEM_EVENT; managed.c stops the VM).
 */
void hv_system_event(struct hvk_vcpu *vcpu, u32 type, u64 data)
{
	struct hv_run *run = vcpu->run;

	run->exit_reason = HV_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.pad = 0;
	run->system_event.data = data;
}

int hv_pio_complete(struct hvk_vcpu *vcpu)
{
	trace_hv_pio(vcpu, vcpu->run->io.port, vcpu->run->io.size, true,
		     vcpu->run->io.data, true);
	return hv_pio_in_done(vcpu, vcpu->run->io.data);
}

/* INS/OUTS: one element (see the top) */
static int hv_handle_string_io(struct hvk_vcpu *vcpu,
			       const struct hv_exit *exit)
{
	struct hv_mmio_op *op = &vcpu->pending_mmio;
	struct hv_run *run = vcpu->run;
	u64 data[4] = { exit->io.port, exit->io.size, 0, 0 };
	struct hv_sregs s;
	struct hv_insn insn;
	u64 src, dst, gla, next_rip;
	u8 bytes[HV_INSN_MAX_LEN];
	u32 v = 0;
	int n, r, mode;

	hv_ops->get_sregs(vcpu, &s);
	mode = hv_guest_mode(&s);
	n = hv_fetch_insn(vcpu, bytes, sizeof(bytes), &mode);
	/* What the hardware reported must be what is at RIP */
	if (n <= 0 || hv_insn_decode(bytes, n, mode, &insn) || insn.len > n ||
	    insn.op != (exit->io.in ? HV_INSN_INS : HV_INSN_OUTS) ||
	    insn.size != exit->io.size) {
		memcpy(&data[2], bytes, sizeof(u64) * 2);
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 4, data);
	}
	next_rip = exit->next_rip;
	if (!next_rip) {
		next_rip = vcpu->regs.rip + insn.len;
		if (mode != 64)
			next_rip = (u32)next_rip;
	}

	memset(op, 0, sizeof(*op));
	op->insn = insn;
	for (n = 0; n < 16; n++)
		op->gpr[n] = *hv_gpr(&vcpu->regs, n);
	op->rflags = vcpu->regs.rflags;
	/* SDM Vol 2B, REP: a zero count does nothing */
	if (!hv_emu_string_count(&insn, op->gpr)) {
		hv_skip_insn(vcpu, next_rip);
		return 1;
	}
	/* SDM Vol 2A, INS: ES:rDI, no override; OUTS: DS:rSI or override */
	hv_emu_string_addr(&insn, op->gpr, &src, &dst);
	gla = exit->io.in ? hv_seg_gla(&s, mode, HV_SEG_ES, dst) :
			    hv_seg_gla(&s, mode, insn.seg, src);
	n = hv_emu_translate(vcpu, &s, gla, insn.size, exit->io.in, op->frag);
	if (!n)
		return 1;		/* #PF queued */
	if (n < 0)
		return hv_exit_internal(vcpu, HV_INTERNAL_EMULATION, 2, data);
	op->nfrag = n;
	data[2] = op->frag[0].gpa;
	if (!op->frag[0].ram || (n > 1 && !op->frag[1].ram))
		return hv_exit_internal(vcpu, HV_INTERNAL_STRING_IO, 3, data);

	op->next_rip = hv_emu_string_next(&insn, op->gpr, op->rflags) ?
		       next_rip : vcpu->regs.rip;

	if (!exit->io.in) {
		r = hv_emu_ram(vcpu, op->frag, n, op->val, false);
		if (r == -ENOMEM)
			return r;
		if (r)
			return hv_exit_internal(vcpu, HV_INTERNAL_STRING_IO, 3,
						data);
		memcpy(&v, op->val, insn.size);		/* LE */
		run->exit_reason = HV_EXIT_NONE;
		if (!hv_platform_pio(vcpu, exit->io.port, insn.size, false,
				     &v)) {
			trace_hv_pio(vcpu, exit->io.port, insn.size, false, v,
				     true);
			/* SDM Vol 2A, OUTS: done once the element is out */
			run->exit_reason = HV_EXIT_IO;
			run->io.direction = HV_IO_OUT;
			run->io.port = exit->io.port;
			run->io.size = insn.size;
			run->io.data = v;
			hv_pio_string_done(vcpu, op);
			return 0;
		}
		trace_hv_pio(vcpu, exit->io.port, insn.size, false, v, false);
		hv_pio_string_done(vcpu, op);
		/* io/pm.c asked for poweroff or reset: out once done */
		return run->exit_reason == HV_EXIT_SYSTEM_EVENT ? 0 : 1;
	}

	if (hv_platform_pio(vcpu, exit->io.port, insn.size, true, &v)) {
		trace_hv_pio(vcpu, exit->io.port, insn.size, true, v, false);
		r = hv_pio_in_done(vcpu, v);
		return r ? 0 : 1;	/* r: an internal error is in run */
	}
	run->exit_reason = HV_EXIT_IO;
	run->io.direction = HV_IO_IN;
	run->io.port = exit->io.port;
	run->io.size = insn.size;
	run->io.data = 0;
	op->pio = true;
	vcpu->pending = HV_PENDING_MMIO;	/* hv_mmio_complete -> here */
	return 0;
}

int hv_handle_io(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_run *run = vcpu->run;
	u32 v = exit->io.in ? 0 : vcpu->regs.rax & hv_size_mask(exit->io.size);

	if (exit->io.string)
		return hv_handle_string_io(vcpu, exit);

	run->exit_reason = HV_EXIT_NONE;
	if (hv_platform_pio(vcpu, exit->io.port, exit->io.size, exit->io.in,
			    &v)) {
		trace_hv_pio(vcpu, exit->io.port, exit->io.size, exit->io.in,
			     v, false);
		/* SDM Vol 2A, IN: AL/AX merge, a 32-bit IN zero-extends */
		if (exit->io.in)
			hv_insn_set_reg(&vcpu->regs.rax, exit->io.size, false,
					v);
		hv_skip_insn(vcpu, exit->next_rip);
		/* io/pm.c asked for poweroff or reset: out once the OUT is done */
		return run->exit_reason == HV_EXIT_SYSTEM_EVENT ? 0 : 1;
	}

	run->exit_reason = HV_EXIT_IO;
	run->io.port = exit->io.port;
	run->io.size = exit->io.size;
	if (exit->io.in) {
		run->io.direction = HV_IO_IN;
		run->io.data = 0;
		vcpu->pending = HV_PENDING_IO_IN;
		vcpu->pending_size = exit->io.size;
		vcpu->pending_rip = exit->next_rip;
	} else {
		trace_hv_pio(vcpu, exit->io.port, exit->io.size, false, v,
			     true);
		run->io.data = v;
		run->io.direction = HV_IO_OUT;
		hv_skip_insn(vcpu, exit->next_rip);	/* done once out */
	}
	return 0;
}
