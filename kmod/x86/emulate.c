// SPDX-License-Identifier: GPL-2.0
/*
 * x86/emulate.c: executing decoded instructions (x86/insn.c) on their
 * operands - ALU results and status flags, register write-back, and the
 * string instructions' rSI/rDI/rCX steps - for MMIO (hv_mmio.c) and
 * string port I/O (hv_pio.c).  See x86/emulate.h.  No kernel headers:
 * the unit tests compile it unchanged and check every operation against
 * the host CPU running the same instruction.
 */
#include "x86/emulate.h"

#define RAX	0
#define RCX	1
#define RSI	6
#define RDI	7

static u64 hv_emu_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* SDM Vol 1, 3.4.3.1: PF is set when the low byte has an even number of 1s */
static bool hv_emu_parity(u64 v)
{
	u8 b = v;

	b ^= b >> 4;
	b ^= b >> 2;
	b ^= b >> 1;
	return !(b & 1);
}

/*
 * SF, ZF, PF from the result, and the given CF, AF, OF; the other
 * flags of *rflags keep their value.
 */
static void hv_emu_flags(u64 *rflags, unsigned int size, u64 res, bool cf,
			 bool af, bool of)
{
	u64 f = *rflags & ~HV_FL_ARITH;

	res &= hv_emu_mask(size);
	if (cf)
		f |= HV_FL_CF;
	if (hv_emu_parity(res))
		f |= HV_FL_PF;
	if (af)
		f |= HV_FL_AF;
	if (!res)
		f |= HV_FL_ZF;
	if (res >> (8 * size - 1))
		f |= HV_FL_SF;
	if (of)
		f |= HV_FL_OF;
	*rflags = f;
}

/* dst + src + carry: SDM Vol 2A, ADD/ADC (all six flags) */
static u64 hv_emu_add(unsigned int size, u64 dst, u64 src, bool carry,
		      u64 *rflags)
{
	unsigned int top = 8 * size - 1;
	u64 res = (dst + src + carry) & hv_emu_mask(size);

	/* the carry out of the top bit, and the signed overflow */
	hv_emu_flags(rflags, size, res,
		     (((dst & src) | ((dst | src) & ~res)) >> top) & 1,
		     (dst ^ src ^ res) & 0x10,
		     (((dst ^ res) & (src ^ res)) >> top) & 1);
	return res;
}

/* dst - src - borrow: SDM Vol 2B, SUB/SBB/CMP, Vol 2A, NEG */
static u64 hv_emu_sub(unsigned int size, u64 dst, u64 src, bool borrow,
		      u64 *rflags)
{
	unsigned int top = 8 * size - 1;
	u64 res = (dst - src - borrow) & hv_emu_mask(size);

	/* the borrow into the top bit, and the signed overflow */
	hv_emu_flags(rflags, size, res,
		     (((~dst & src) | ((~dst | src) & res)) >> top) & 1,
		     (dst ^ src ^ res) & 0x10,
		     (((dst ^ src) & (dst ^ res)) >> top) & 1);
	return res;
}

u64 hv_alu(unsigned int op, unsigned int size, u64 dst, u64 src,
	   u64 *rflags)
{
	u64 mask = hv_emu_mask(size), res, cf = *rflags & HV_FL_CF;

	dst &= mask;
	src &= mask;
	switch (op) {
	case HV_ALU_ADD:
		return hv_emu_add(size, dst, src, false, rflags);
	case HV_ALU_ADC:
		return hv_emu_add(size, dst, src, cf, rflags);
	case HV_ALU_SUB:
	case HV_ALU_CMP:
		return hv_emu_sub(size, dst, src, false, rflags);
	case HV_ALU_SBB:
		return hv_emu_sub(size, dst, src, cf, rflags);
	case HV_ALU_NEG:
		/* SDM Vol 2A, NEG: CF = (operand != 0), the rest as 0 - dst */
		return hv_emu_sub(size, 0, dst, false, rflags);
	case HV_ALU_INC:
	case HV_ALU_DEC:
		/* SDM Vol 2A, INC/DEC: CF is not affected */
		res = op == HV_ALU_INC ?
		      hv_emu_add(size, dst, 1, false, rflags) :
		      hv_emu_sub(size, dst, 1, false, rflags);
		*rflags = (*rflags & ~HV_FL_CF) | cf;
		return res;
	case HV_ALU_AND:
	case HV_ALU_TEST:
	case HV_ALU_OR:
	case HV_ALU_XOR:
		res = op == HV_ALU_OR ? dst | src :
		      op == HV_ALU_XOR ? dst ^ src : dst & src;
		/* SDM Vol 2A, AND: OF, CF cleared; AF undefined (cleared) */
		hv_emu_flags(rflags, size, res, false, false, false);
		return res;
	case HV_ALU_NOT:
		return ~dst & mask;		/* SDM Vol 2B, NOT: no flags */
	case HV_ALU_BT:
	case HV_ALU_BTS:
	case HV_ALU_BTR:
	case HV_ALU_BTC:
		/* SDM Vol 2A, BT: CF the bit; ZF kept; OF SF AF PF undefined */
		src &= 8 * size - 1;
		*rflags = (*rflags & ~HV_FL_CF) | ((dst >> src) & 1);
		if (op == HV_ALU_BTS)
			return dst | (1ULL << src);
		if (op == HV_ALU_BTR)
			return dst & ~(1ULL << src);
		if (op == HV_ALU_BTC)
			return dst ^ (1ULL << src);
		return dst;
	}
	return dst;
}

bool hv_alu_writes(unsigned int op)
{
	return op != HV_ALU_CMP && op != HV_ALU_TEST && op != HV_ALU_BT;
}

void hv_emu_set_reg(u64 *reg, unsigned int size, bool high8, u64 v)
{
	switch (size) {
	case 1:
		if (high8)
			*reg = (*reg & ~0xff00ULL) | (v & 0xff) << 8;
		else
			*reg = (*reg & ~0xffULL) | (v & 0xff);
		break;
	case 2:
		*reg = (*reg & ~0xffffULL) | (v & 0xffff);
		break;
	case 4:
		/* SDM Vol 1, 3.4.1.1: a 32-bit write zero-extends */
		*reg = v & 0xffffffffULL;
		break;
	default:
		*reg = v;
		break;
	}
}

/* The register operand of @in, at its size (AH..BH for high8) */
static u64 hv_emu_reg(const struct hv_insn *in, const u64 gpr[16])
{
	u64 v = gpr[in->reg & 15];

	if (in->high8)
		v >>= 8;
	return v & hv_emu_mask(in->size);
}

bool hv_emu_reads(const struct hv_insn *in)
{
	switch (in->op) {
	case HV_INSN_STORE:
	case HV_INSN_STORE_IMM:
	case HV_INSN_STOS:
	case HV_INSN_INS:
		return false;
	default:
		return true;
	}
}

bool hv_emu_writes(const struct hv_insn *in)
{
	switch (in->op) {
	case HV_INSN_STORE:
	case HV_INSN_STORE_IMM:
	case HV_INSN_XCHG:
	case HV_INSN_MOVS:
	case HV_INSN_STOS:
	case HV_INSN_INS:
		return true;
	case HV_INSN_ALU:
		return hv_alu_writes(in->alu);
	default:
		return false;
	}
}

bool hv_emu_exec(const struct hv_insn *in, u64 gpr[16], u64 *rflags,
		 u64 mem, u64 *out)
{
	u64 mask = hv_emu_mask(in->size), src, res;

	mem &= mask;
	switch (in->op) {
	case HV_INSN_LOAD:
	case HV_INSN_LOAD_ZX:
	case HV_INSN_LOAD_SX:
		hv_insn_load_result(in, gpr, mem);
		return false;
	case HV_INSN_STORE:
	case HV_INSN_STORE_IMM:
		*out = hv_insn_store_value(in, gpr);
		return true;
	case HV_INSN_ALU:
		src = in->src_imm ? in->imm : hv_emu_reg(in, gpr);
		res = hv_alu(in->alu, in->size, mem, src, rflags);
		if (!hv_alu_writes(in->alu))
			return false;
		*out = res;
		return true;
	case HV_INSN_ALU_REG:
		res = hv_alu(in->alu, in->size, hv_emu_reg(in, gpr), mem,
			     rflags);
		if (hv_alu_writes(in->alu))
			hv_emu_set_reg(&gpr[in->reg & 15], in->size, in->high8,
				       res);
		return false;
	case HV_INSN_XCHG:
		/* SDM Vol 2B, XCHG: locked whatever the prefix; no flags */
		*out = hv_emu_reg(in, gpr);
		hv_emu_set_reg(&gpr[in->reg & 15], in->size, in->high8, mem);
		return true;
	case HV_INSN_LODS:
		hv_emu_set_reg(&gpr[RAX], in->size, false, mem);
		return false;
	case HV_INSN_STOS:
		*out = gpr[RAX] & mask;
		return true;
	case HV_INSN_MOVS:
	case HV_INSN_INS:		/* @mem is what the port gave */
		*out = mem;
		return true;
	default:			/* OUTS: the caller sends @mem out */
		return false;
	}
}

u64 hv_emu_string_count(const struct hv_insn *in, const u64 gpr[16])
{
	/* SDM Vol 2B, REP: the count is CX, ECX or RCX by address size */
	return in->rep ? gpr[RCX] & hv_emu_mask(in->asz) : 1;
}

void hv_emu_string_addr(const struct hv_insn *in, const u64 gpr[16],
			u64 *src, u64 *dst)
{
	*src = gpr[RSI] & hv_emu_mask(in->asz);
	*dst = gpr[RDI] & hv_emu_mask(in->asz);
}

bool hv_emu_string_next(const struct hv_insn *in, u64 gpr[16], u64 rflags)
{
	/* SDM Vol 2B, MOVS: DF = 1 decrements rSI/rDI by the element size */
	u64 d = (rflags & HV_FL_DF) ? -(u64)in->size : in->size;

	if (in->op == HV_INSN_MOVS || in->op == HV_INSN_LODS ||
	    in->op == HV_INSN_OUTS)
		hv_emu_set_reg(&gpr[RSI], in->asz, false, gpr[RSI] + d);
	if (in->op == HV_INSN_MOVS || in->op == HV_INSN_STOS ||
	    in->op == HV_INSN_INS)
		hv_emu_set_reg(&gpr[RDI], in->asz, false, gpr[RDI] + d);
	if (!in->rep)
		return true;
	hv_emu_set_reg(&gpr[RCX], in->asz, false, gpr[RCX] - 1);
	return !(gpr[RCX] & hv_emu_mask(in->asz));
}
