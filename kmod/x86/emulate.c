// SPDX-License-Identifier: GPL-2.0
/*
 * x86/emulate.c: executing decoded instructions on their operands (ALU
 * results and flags) for MMIO and string I/O.  No kernel headers: the
 * unit tests compile it unchanged.
 *
 * STUB (issue 13 interface commit).
 */
#include "types.h"
