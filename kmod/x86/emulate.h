/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Executing a decoded instruction (x86/insn.h) on its operands: the ALU
 * results and arithmetic flags, the register write-back and the string
 * instructions' pointer and count updates, for the MMIO and string I/O
 * paths (hv_mmio.c, hv_pio.c).  The memory accesses themselves are the
 * caller's: this file sees only the value read and returns the value to
 * write.
 *
 * Nothing here needs the kernel, so the unit tests compile it as it is.
 */
#ifndef HV_EMULATE_H
#define HV_EMULATE_H

#include "x86/types.h"
#include "x86/insn.h"

/* SDM Vol 1, 3.4.3.1, Figure 3-8: the status flags */
#define HV_FL_CF	0x0001ULL
#define HV_FL_PF	0x0004ULL
#define HV_FL_AF	0x0010ULL
#define HV_FL_ZF	0x0040ULL
#define HV_FL_SF	0x0080ULL
#define HV_FL_DF	0x0400ULL
#define HV_FL_OF	0x0800ULL
#define HV_FL_ARITH	(HV_FL_CF | HV_FL_PF | HV_FL_AF | HV_FL_ZF | \
			 HV_FL_SF | HV_FL_OF)

/*
 * @dst op @src at @size bytes (1, 2, 4, 8): returns the result (size
 * bytes, zero-extended) and updates the status flags in *rflags the way
 * the instruction defines them.  Flags the SDM leaves undefined keep
 * their value, except AF after AND/OR/XOR/TEST, which is cleared (what
 * current Intel and AMD parts do).  For the bit tests @src is the bit
 * number, already reduced modulo the operand width; for NOT, NEG, INC
 * and DEC it is ignored.
 */
u64 hv_alu(unsigned int op, unsigned int size, u64 dst, u64 src,
	   u64 *rflags);

/* Whether @op writes its result back (CMP, TEST and BT do not). */
bool hv_alu_writes(unsigned int op);

/*
 * Execute @in (any op but the string ones and LMSW) on @gpr and
 * *rflags, with @mem the value its memory operand read (size bytes; 0
 * when it reads none: STORE, STORE_IMM).  Registers and flags are
 * updated; returns true when the instruction writes memory, with the
 * value in *out.
 */
bool hv_emu_exec(const struct hv_insn *in, u64 gpr[16], u64 *rflags,
		 u64 mem, u64 *out);

/* Whether @in reads / writes its memory operand. */
bool hv_emu_reads(const struct hv_insn *in);
bool hv_emu_writes(const struct hv_insn *in);

/*
 * String instructions (MOVS, STOS, LODS, INS, OUTS).  The elements left:
 * rCX at the address size with a REP prefix, else 1.
 */
u64 hv_emu_string_count(const struct hv_insn *in, const u64 gpr[16]);
/*
 * The offsets of the element now: *src = rSI (MOVS, LODS, OUTS), *dst =
 * rDI (MOVS, STOS, INS), at the address size.
 */
void hv_emu_string_addr(const struct hv_insn *in, const u64 gpr[16],
			u64 *src, u64 *dst);
/*
 * One element done: rSI/rDI step by the element size, down when
 * RFLAGS.DF is set, and with REP rCX counts down, each at the address
 * size (SDM Vol 2B, MOVS/STOS/INS/OUTS, REP).  Returns true when the
 * instruction is complete (no REP, or rCX reached 0); false when RIP
 * stays on it for the next element.
 */
bool hv_emu_string_next(const struct hv_insn *in, u64 gpr[16], u64 rflags);

/*
 * A register write of @size bytes (1 low byte, or the high byte when
 * @high8; 2; 4; 8) with the x86 rules: 8- and 16-bit writes merge, 32-bit
 * ones zero-extend (SDM Vol 1, 3.4.1.1), 64-bit ones replace.
 */
void hv_emu_set_reg(u64 *reg, unsigned int size, bool high8, u64 v);

#endif /* HV_EMULATE_H */
