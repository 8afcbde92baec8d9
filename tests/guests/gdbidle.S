# SPDX-License-Identifier: GPL-2.0
#
# gdbidle: a running VM that costs nothing, for attaching a debugger to it
# (gdb-session in tests/vm/cases-gdb.sh).  A flat binary: `hvctl create
# --image gdbidle.bin` enters it in real mode at 0000:1000.  It halts with
# interrupts enabled and nothing to send one, so its vCPU sleeps in the
# kernel (hv_handle_hlt) - a managed VM in state running that spins no
# CPU, which matters under Bochs - and halts again should anything wake
# it.  A pause (Ctrl-C in gdb) wakes and parks it; RIP is then on the
# jmp after the HLT.
	.include "guest.inc"

	.code16
	.globl	_start
_start:
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$GUEST_BASE, %sp
	sti
idle:
	hlt
	jmp	idle
