/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MMIO instruction decoder.  A nested page fault on a GPA without RAM
 * tells the hypervisor only the address; the access size, direction and
 * register come from decoding the guest's instruction at RIP.  Only the
 * moves a driver uses for MMIO are decoded (MOV, MOV imm, MOVZX, MOVSX,
 * MOV moffs), and LMSW's memory operand for CR0 write exits (hv_cr.c);
 * anything else is -EINVAL and the core reports the bytes.
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
};

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
			 * rbx, rsp, rbp, rsi, rdi, r8..r15); 0 for STORE_IMM */
	bool high8;	/* byte register AH/CH/DH/BH: reg holds 0..3 */
	u64 imm;	/* STORE_IMM: the immediate, at most size bytes, but
			 * C7 with REX.W sign-extends imm32 to 64 bits */
	/*
	 * The memory operand, for hv_insn_ea(): base + index * scale + disp
	 * in an address of asz bytes, in segment seg (an override, or the
	 * default: SS for rSP/rBP bases, else DS).  The hardware gives only
	 * the guest-physical address of the page that faulted; an access
	 * that crosses a page needs its linear address.
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
 * address of the next instruction, for RIP-relative operands.
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
