# SPDX-License-Identifier: GPL-2.0
#
# spin: loop forever without exits (the host stops it with a signal).
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
spin:
	jmp	spin
	.include "lib64.inc"
