// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits: what the in-kernel platform claims (io/platform.h) is
 * answered here; the rest goes out to the VM's driver (userspace, or the
 * managed service's devices) as HV_EXIT_IO.
 */
#include "hv.h"
#include "io/platform.h"

int hv_handle_io(struct hvk_vcpu *vcpu, const struct hv_exit *exit)
{
	struct hv_run *run = vcpu->run;
	u64 data[2] = { exit->io.port, exit->io.size };

	/* INS/OUTS need the string engine; not yet (see docs/). */
	if (exit->io.string)
		return hv_exit_internal(vcpu, HV_INTERNAL_STRING_IO, 2, data);

	if (!exit->io.in) {
		u32 v = vcpu->regs.rax & hv_size_mask(exit->io.size);

		if (hv_platform_pio(vcpu, exit->io.port, exit->io.size,
				    false, &v)) {
			hv_skip_insn(vcpu, exit->next_rip);
			return 1;
		}
	} else {
		u32 v = 0;

		if (hv_platform_pio(vcpu, exit->io.port, exit->io.size,
				    true, &v)) {
			/* SDM Vol 2A, IN: a 32-bit IN zero-extends into RAX */
			if (exit->io.size == 4)
				vcpu->regs.rax = v;
			else
				vcpu->regs.rax = (vcpu->regs.rax &
						  ~hv_size_mask(exit->io.size)) |
						 (v & hv_size_mask(exit->io.size));
			hv_skip_insn(vcpu, exit->next_rip);
			return 1;
		}
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
		run->io.direction = HV_IO_OUT;
		run->io.data = vcpu->regs.rax & hv_size_mask(exit->io.size);
		vcpu->regs.rip = exit->next_rip;
	}
	return 0;
}
