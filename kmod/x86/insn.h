/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO instruction decoder.  A nested page fault on a GPA without RAM
 * tells the hypervisor only the address; the access size, direction and
 * register come from decoding the guest's instruction at RIP.  Decoded
 * are the instructions drivers and kernels use on MMIO (the subset of
 * KVM's emulate.c opcode table that matters there): the moves (MOV, MOV
 * imm, MOVZX, MOVSX, MOVSXD, MOV moffs), the ALU operations with a
 * memory operand (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST, NOT, NEG,
 * INC, DEC), XCHG, the bit tests (BT, BTS, BTR, BTC), the string moves
 * (MOVS, STOS, LODS) and string port I/O (INS, OUTS), and LMSW's memory
 * operand for CR0 write exits (hv_cr.c); anything else is -EINVAL and
 * the core reports the bytes.  x86/emulate.c executes what this decodes.
 *
 * Nothing here needs the kernel, so the unit tests compile it as it is.
 */
#ifndef HV_INSN_H
#define HV_INSN_H

#include "x86/types.h"

#define HV_INSN_MAX_LEN		15	/* SDM Vol 2A, 2.3.11 */

enum hv_insn_op {
	HV_INSN_LOAD,		/* memory -> register, same size */
	HV_INSN_STORE,		/* register -> memory */
	HV_INSN_STORE_IMM,	/* immediate -> memory */
	HV_INSN_LOAD_ZX,	/* memory -> register, zero-extended (MOVZX) */
	HV_INSN_LOAD_SX,	/* memory -> register, sign-extended (MOVSX) */
	HV_INSN_ALU,		/* memory op= reg/imm: alu, src_imm; the
				 * memory written back unless CMP/TEST/BT */
	HV_INSN_ALU_REG,	/* reg op= memory (02, 03, 0A, ... 3B) */
	HV_INSN_XCHG,		/* memory <-> reg (86, 87) */
	HV_INSN_MOVS,		/* seg:[rSI] -> ES:[rDI] (A4, A5) */
	HV_INSN_STOS,		/* rAX -> ES:[rDI] (AA, AB) */
	HV_INSN_LODS,		/* seg:[rSI] -> rAX (AC, AD) */
	HV_INSN_INS,		/* port DX -> ES:[rDI] (6C, 6D) */
	HV_INSN_OUTS,		/* seg:[rSI] -> port DX (6E, 6F) */
};

/*
 * The ALU operations (x86/emulate.c executes them).  The first eight are
 * in the order of the 00-3F opcode rows and of ModRM.reg in 80/81/83
 * (SDM Vol 2A, Table A-6, group 1), so the decoder uses the number as
 * it is.
 */
enum hv_alu_op {
	HV_ALU_ADD, HV_ALU_OR, HV_ALU_ADC, HV_ALU_SBB,
	HV_ALU_AND, HV_ALU_SUB, HV_ALU_XOR, HV_ALU_CMP,
	HV_ALU_TEST, HV_ALU_NOT, HV_ALU_NEG, HV_ALU_INC, HV_ALU_DEC,
	HV_ALU_BT, HV_ALU_BTS, HV_ALU_BTR, HV_ALU_BTC,
	HV_ALU_NR
};

/* The string instructions: no ModRM; rSI, rDI, rCX at the address size */
static inline bool hv_insn_is_string(unsigned int op)
{
	return op >= HV_INSN_MOVS && op <= HV_INSN_OUTS;
}

/* Segment registers in their x86 encoding order (SDM Vol 2A, 3.1.1.3). */
enum hv_insn_seg {
	HV_SEG_ES, HV_SEG_CS, HV_SEG_SS, HV_SEG_DS, HV_SEG_FS, HV_SEG_GS,
};

#define HV_INSN_NOREG	0xff	/* no base or index register */
#define HV_INSN_RIP	16	/* base: RIP-relative (next instruction) */

struct hv_insn {
	u8 len;		/* total instruction length in bytes */
	u8 op;		/* enum hv_insn_op */
	u8 size;	/* memory access size: 1, 2, 4, 8 */
	u8 dst_size;	/* register size written by loads (2, 4, 8; 1 for
			 * a byte LOAD); equals size for LOAD, 0 for stores */
	u8 reg;		/* GPR 0..15 in x86 encoding order (rax, rcx, rdx,
			 * rbx, rsp, rbp, rsi, rdi, r8..r15); 0 for STORE_IMM;
			 * the source of ALU (the bit offset of BT*), the
			 * destination of ALU_REG; 0 (rAX) for STOS, LODS */
	bool high8;	/* byte register AH/CH/DH/BH: reg holds 0..3 */
	u64 imm;	/* STORE_IMM and ALU with src_imm: the immediate,
			 * sign-extended where the opcode says and cut to
			 * size bytes (C7 with REX.W: imm32 to 64 bits); the
			 * bit number of BT* imm8 as encoded */
	u8 alu;		/* ALU, ALU_REG: enum hv_alu_op */
	bool src_imm;	/* ALU: the source is imm, not reg (NOT, NEG,
			 * INC, DEC have neither) */
	u8 rep;		/* a REP prefix seen: 0, 0xf3 or 0xf2 (the last) */
	bool lock;	/* a LOCK prefix seen */
	/*
	 * The memory operand, for hv_insn_ea(): base + index * scale + disp
	 * in an address of asz bytes, in segment seg (an override, or the
	 * default: SS for rSP/rBP bases, else DS).  The hardware gives only
	 * the guest-physical address of the page that faulted; an access
	 * that crosses a page needs its linear address.  A string
	 * instruction has only asz and seg (of rSI: DS or an override).
	 */
	u8 asz;		/* address size in bytes: 2, 4, 8 */
	u8 base;	/* GPR 0..15, HV_INSN_RIP, or HV_INSN_NOREG */
	u8 index;	/* GPR 0..15 or HV_INSN_NOREG */
	u8 scale;	/* 1, 2, 4, 8 */
	u8 seg;		/* enum hv_insn_seg */
	u64 disp;	/* sign-extended displacement, or a moffs offset */
};

/*
 * Decode the instruction in bytes[0..n).  @mode is the default operand and
 * address size, 16, 32 or 64 (from CS.D and CS.L).  Returns 0, -EINVAL if
 * the instruction is not one hv emulates, or -E2BIG if it runs past n
 * (fetch more bytes and retry).
 */
int hv_insn_decode(const u8 *bytes, size_t n, int mode, struct hv_insn *out);

/*
 * Decode LMSW with a memory operand (0F 01 /6, mod != 3) in bytes[0..n),
 * for a CR0 write exit (hv_cr.c): len, the operand (size 2) and its
 * segment; op is HV_INSN_LOAD and reg 0 (LMSW writes no GPR).  Returns as
 * hv_insn_decode: -EINVAL for anything else, the register form included.
 */
int hv_insn_decode_lmsw(const u8 *bytes, size_t n, int mode,
			struct hv_insn *out);

/*
 * The effective address (the offset in the segment, SDM Vol 1, 3.7.5) of
 * the memory operand, wrapped to the address size; @next_rip is the
 * address of the next instruction, for RIP-relative operands.  For BT,
 * BTS, BTR, BTC with a register bit offset that includes the offset's
 * whole operand-size units (SDM Vol 2A, BT: the bit string).
 */
u64 hv_insn_ea(const struct hv_insn *in, const u64 gpr[16], u64 next_rip);

/* The value a STORE or STORE_IMM writes (size bytes, zero-extended). */
u64 hv_insn_store_value(const struct hv_insn *in, const u64 gpr[16]);

/*
 * Write @data, read from memory (size bytes), into the destination register
 * of a LOAD, LOAD_ZX or LOAD_SX with the x86 rules: 8- and 16-bit writes
 * merge, 32-bit writes zero-extend, 64-bit writes replace.
 */
void hv_insn_load_result(const struct hv_insn *in, u64 gpr[16], u64 data);

#endif /* HV_INSN_H */
