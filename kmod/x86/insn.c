// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO instruction decoder; see x86/insn.h.  Compiled both in the
 * module and, unchanged, in the unit tests.
 *
 * Only lengths matter for the ModRM/SIB/displacement bytes: the hardware
 * already gave us the guest-physical address, so the effective address is
 * never computed, only skipped over to find the immediate and the length.
 */
#include "x86/insn.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define REX_W	0x8	/* SDM Vol 2A, 2.2.1.2, Table 2-4: REX bit fields */
#define REX_R	0x4
#define REX_X	0x2
#define REX_B	0x1

/*
 * The decoder's state while it walks one instruction: the bytes and the
 * position, then what the prefix and opcode phases found for the later
 * phases.
 */
struct hv_insn_cursor {
	const u8 *bytes;
	size_t n;
	unsigned int pos;
	bool seg_override;	/* a segment prefix was seen */
	bool opsize;		/* 66: operand-size override */
	bool adsize;		/* 67: address-size override */
	u8 rex;			/* the REX prefix right before the opcode, or 0 */
	unsigned int osz;	/* effective operand size in bytes */
	unsigned int asz;	/* effective address size in bits */
	bool byte_reg;		/* the register operand is a byte register */
	unsigned int imm_len;	/* bytes of immediate after ModRM/SIB/disp */
	bool imm_zx;		/* the immediate is not sign-extended */
	bool group;		/* ModRM.reg extends the opcode: no register */
	u16 opc;		/* the opcode: one byte, or 0x0fXX */
	u8 rep;			/* F2/F3, the last one */
	bool lock;		/* F0 */
};

/* Consume @k bytes as a little-endian value. */
static int hv_insn_take(struct hv_insn_cursor *c, unsigned int k, u64 *val)
{
	unsigned int i;
	u64 v = 0;

	if (c->pos + k > HV_INSN_MAX_LEN)
		return -EINVAL;		/* longer than any x86 instruction */
	if (c->pos + k > c->n)
		return -E2BIG;
	for (i = 0; i < k; i++)
		v |= (u64)c->bytes[c->pos + i] << (8 * i);
	c->pos += k;
	*val = v;
	return 0;
}

static int hv_insn_byte(struct hv_insn_cursor *c, u8 *b)
{
	u64 v;
	int r = hv_insn_take(c, 1, &v);

	*b = (u8)v;
	return r;
}

/* SDM Vol 2A, 2.1.5, Table 2-1: the 16-bit base and index of each rm */
static const u8 hv_insn_rm16[8][2] = {
	/* bx+si, bx+di, bp+si, bp+di */
	{ 3, 6 }, { 3, 7 }, { 5, 6 }, { 5, 7 },
	{ 6, HV_INSN_NOREG }, { 7, HV_INSN_NOREG },	/* si, di */
	{ 5, HV_INSN_NOREG }, { 3, HV_INSN_NOREG },	/* bp (disp16), bx */
};

/*
 * Consume the ModRM byte and whatever addressing bytes it implies, with
 * c->asz the address size (16, 32, 64) and @mode the CPU mode, and record
 * the operand in @out.  A register operand (mod 11) is not a memory
 * access, so it cannot be an MMIO exit: -EINVAL.
 */
static int hv_insn_modrm(struct hv_insn_cursor *c, int mode, u8 *modrm,
			 struct hv_insn *out)
{
	unsigned int asz = c->asz;
	u8 rex = c->rex;
	unsigned int mod, rm, disp = 0;
	u64 v;
	u8 sib;
	int r;

	r = hv_insn_byte(c, modrm);
	if (r)
		return r;
	mod = *modrm >> 6;
	rm = *modrm & 7;
	if (mod == 3)
		return -EINVAL;
	out->scale = 1;

	if (asz == 16) {
		/* SDM Vol 2A, 2.1.5, Table 2-1: 16-bit forms, no SIB */
		out->base = hv_insn_rm16[rm][0];
		out->index = hv_insn_rm16[rm][1];
		if (mod == 0 && rm == 6) {
			out->base = HV_INSN_NOREG;
			disp = 2;		/* [disp16] */
		} else if (mod == 1) {
			disp = 1;
		} else if (mod == 2) {
			disp = 2;
		}
	} else {
		/* SDM Vol 2A, 2.1.5, Table 2-2: 32-bit forms (also 64-bit) */
		out->base = rm | ((rex & REX_B) ? 8 : 0);
		out->index = HV_INSN_NOREG;
		if (rm == 4) {
			/* SDM Vol 2A, 2.1.5, Table 2-3: SIB; base 101 + mod 00 = disp32 */
			r = hv_insn_byte(c, &sib);
			if (r)
				return r;
			out->scale = 1 << (sib >> 6);
			out->index = ((sib >> 3) & 7) | ((rex & REX_X) ? 8 : 0);
			if (out->index == 4)
				out->index = HV_INSN_NOREG;	/* none */
			out->base = (sib & 7) | ((rex & REX_B) ? 8 : 0);
			if (mod == 0 && (sib & 7) == 5) {
				out->base = HV_INSN_NOREG;
				disp = 4;
			}
		}
		/* SDM Vol 2A, 2.2.1.6: mod 00 rm 101 is RIP+disp32 in 64-bit mode */
		if (mod == 0 && rm == 5) {
			out->base = mode == 64 ? HV_INSN_RIP : HV_INSN_NOREG;
			disp = 4;
		} else if (mod == 1) {
			disp = 1;
		} else if (mod == 2) {
			disp = 4;
		}
	}
	/* SDM Vol 1, 3.7.5, Table 3-5: rSP and rBP bases default to SS */
	if (out->seg == HV_SEG_DS && !c->seg_override &&
	    (out->base == 4 || out->base == 5))
		out->seg = HV_SEG_SS;
	if (!disp)
		return 0;
	r = hv_insn_take(c, disp, &v);
	if (r)
		return r;
	/* SDM Vol 2A, 2.1.5: displacements are sign-extended */
	out->disp = (v ^ (1ULL << (8 * disp - 1))) - (1ULL << (8 * disp - 1));
	return 0;
}

/*
 * Consume the legacy and REX prefixes (SDM Vol 2A, 2.1.1 and 2.2.1) and
 * the opcode byte after them, returned in @opcode.
 */
static int hv_insn_prefixes(struct hv_insn_cursor *c, int mode, u8 *opcode,
			    struct hv_insn *out)
{
	u8 b;
	int r;

	/* SDM Vol 2A, 2.1.1: legacy prefixes, in any order */
	for (;;) {
		r = hv_insn_byte(c, &b);
		if (r)
			return r;
		switch (b) {
		case 0x66:		/* operand-size override */
			c->opsize = true;
			break;
		case 0x67:		/* address-size override */
			c->adsize = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			/* SDM Vol 2A, 2.1.1: the last segment override wins */
			/* 26 ES, 2e CS, 36 SS, 3e DS: bits 4:3 */
			out->seg = b == 0x64 ? HV_SEG_FS :
				   b == 0x65 ? HV_SEG_GS : (b >> 3) & 3;
			c->seg_override = true;
			break;
		case 0xf0:
			c->lock = true;
			break;
		case 0xf2: case 0xf3:
			/* SDM Vol 2A, 2.1.1: group 1, the last one counts */
			c->rep = b;
			break;
		default:
			/* SDM Vol 2A, 2.2.1: REX only in 64-bit mode (else INC/DEC) */
			if (mode == 64 && (b & 0xf0) == 0x40) {
				c->rex = b;
				continue;
			}
			*opcode = b;
			return 0;
		}
		/* SDM Vol 2A, 2.2.1: a REX not immediately before the opcode is ignored */
		c->rex = 0;
	}
}

/* SDM Vol 1, 3.6.1, Table 3-3/3-4: effective operand and address size */
static void hv_insn_sizes(struct hv_insn_cursor *c, int mode,
			  struct hv_insn *out)
{
	if (mode == 16)
		c->osz = c->opsize ? 4 : 2;
	else
		c->osz = c->opsize ? 2 : 4;
	if (c->rex & REX_W)
		c->osz = 8;		/* REX.W wins over 66 */
	if (mode == 16)
		c->asz = c->adsize ? 32 : 16;
	else if (mode == 32)
		c->asz = c->adsize ? 16 : 32;
	else
		c->asz = c->adsize ? 32 : 64;
	out->asz = c->asz / 8;
}

/*
 * MOV between the accumulator and a memory offset (A0-A3): no ModRM, the
 * offset follows the opcode, and that ends the instruction.
 */
static int hv_insn_moffs(struct hv_insn_cursor *c, u8 b, struct hv_insn *out)
{
	u64 v;
	int r;

	out->op = (b & 2) ? HV_INSN_STORE : HV_INSN_LOAD;
	out->size = (b & 1) ? c->osz : 1;
	if (out->op == HV_INSN_LOAD)
		out->dst_size = out->size;
	/* SDM Vol 2A, 2.2.1.4: the offset is address-size wide */
	r = hv_insn_take(c, c->asz / 8, &v);
	if (r)
		return r;
	out->disp = v;
	out->len = c->pos;
	return 0;
}

/*
 * The string instructions (no ModRM): MOVS, STOS, LODS, INS, OUTS.  The
 * element size comes from the opcode and the operand size; INS and OUTS
 * move at most 32 bits whatever REX.W says (SDM Vol 2A, INS/OUTS).  The
 * source segment (rSI) is DS or an override; the destination (rDI) is
 * always ES (SDM Vol 2B, MOVS).
 */
static int hv_insn_string(struct hv_insn_cursor *c, u8 b, struct hv_insn *out)
{
	switch (b) {
	case 0xa4: case 0xa5:
		out->op = HV_INSN_MOVS;
		break;
	case 0xaa: case 0xab:
		out->op = HV_INSN_STOS;
		break;
	case 0xac: case 0xad:
		out->op = HV_INSN_LODS;
		break;
	case 0x6c: case 0x6d:
		out->op = HV_INSN_INS;
		break;
	case 0x6e: case 0x6f:
		out->op = HV_INSN_OUTS;
		break;
	default:
		return -EINVAL;
	}
	out->size = (b & 1) ? c->osz : 1;
	if ((out->op == HV_INSN_INS || out->op == HV_INSN_OUTS) &&
	    out->size == 8)
		out->size = 4;
	if (out->op == HV_INSN_LODS)
		out->dst_size = out->size;
	out->reg = 0;				/* rAX: STOS, LODS */
	out->len = c->pos;
	return 0;
}

/*
 * The opcode of an instruction with a ModRM operand: which access, its
 * size, whether ModRM.reg names a register or extends the opcode, and
 * the immediate's length.  Group opcodes are finished in
 * hv_insn_operand(), once ModRM.reg is known.
 */
static int hv_insn_opcode(struct hv_insn_cursor *c, u8 b, int mode,
			  struct hv_insn *out)
{
	int r;

	c->opc = b;
	if (b == 0x82 && mode == 64)
		return -EINVAL;		/* SDM Vol 2A, Table A-2: i64 */
	/* SDM Vol 2A, Table A-2: 00-3F, the ALU rows; xx0-xx3 take ModRM */
	if (b < 0x40 && (b & 7) < 4) {
		out->alu = b >> 3;
		out->op = (b & 2) ? HV_INSN_ALU_REG : HV_INSN_ALU;
		out->size = (b & 1) ? c->osz : 1;
		if (out->op == HV_INSN_ALU_REG)
			out->dst_size = out->size;
		c->byte_reg = !(b & 1);
		return 0;
	}
	switch (b) {
	case 0x88:			/* MOV r/m8, r8 */
	case 0x89:			/* MOV r/m16/32/64, r */
	case 0x8a:			/* MOV r8, r/m8 */
	case 0x8b:			/* MOV r, r/m16/32/64 */
		out->op = (b & 2) ? HV_INSN_LOAD : HV_INSN_STORE;
		out->size = (b & 1) ? c->osz : 1;
		c->byte_reg = !(b & 1);
		return 0;
	case 0x63:			/* MOVSXD r, r/m32 (64-bit mode only) */
		if (mode != 64)
			return -EINVAL;	/* ARPL */
		if (c->osz == 8) {
			out->op = HV_INSN_LOAD_SX;
			out->size = 4;
			out->dst_size = 8;
		} else {
			/* SDM Vol 2B, MOVSXD: without REX.W a plain move */
			out->op = HV_INSN_LOAD;
			out->size = c->osz;
		}
		return 0;
	case 0x84:			/* TEST r/m8, r8 */
	case 0x85:			/* TEST r/m, r */
		out->op = HV_INSN_ALU;
		out->alu = HV_ALU_TEST;
		out->size = (b & 1) ? c->osz : 1;
		c->byte_reg = !(b & 1);
		return 0;
	case 0x86:			/* XCHG r/m8, r8 */
	case 0x87:			/* XCHG r/m, r */
		out->op = HV_INSN_XCHG;
		out->size = (b & 1) ? c->osz : 1;
		out->dst_size = out->size;
		c->byte_reg = !(b & 1);
		return 0;
	case 0x82:			/* group 1 r/m8, imm8; #UD in 64-bit */
	case 0x80:			/* group 1 r/m8, imm8 */
	case 0x81:			/* group 1 r/m, imm16/32 */
	case 0x83:			/* group 1 r/m, imm8 sign-extended */
		out->op = HV_INSN_ALU;
		out->src_imm = true;
		out->size = (b == 0x81 || b == 0x83) ? c->osz : 1;
		c->imm_len = b == 0x81 ? (out->size > 4 ? 4 : out->size) : 1;
		c->group = true;
		return 0;
	case 0xc6:			/* MOV r/m8, imm8 (C6 /0) */
	case 0xc7:			/* MOV r/m, imm16/32 (C7 /0) */
		out->op = HV_INSN_STORE_IMM;
		out->size = (b & 1) ? c->osz : 1;
		c->imm_len = out->size > 4 ? 4 : out->size;
		c->group = true;
		return 0;
	case 0xf6:			/* group 3 r/m8 */
	case 0xf7:			/* group 3 r/m */
	case 0xfe:			/* group 4: INC/DEC r/m8 */
	case 0xff:			/* group 5: INC/DEC r/m */
		out->op = HV_INSN_ALU;
		out->size = (b & 1) ? c->osz : 1;
		c->group = true;
		return 0;
	case 0x0f:
		r = hv_insn_byte(c, &b);
		if (r)
			return r;
		c->opc = 0x0f00 | b;
		switch (b) {
		case 0xb6:		/* MOVZX r, r/m8 */
		case 0xb7:		/* MOVZX r, r/m16 */
			out->op = HV_INSN_LOAD_ZX;
			break;
		case 0xbe:		/* MOVSX r, r/m8 */
		case 0xbf:		/* MOVSX r, r/m16 */
			out->op = HV_INSN_LOAD_SX;
			break;
		case 0xa3:		/* BT r/m, r */
		case 0xab:		/* BTS r/m, r */
		case 0xb3:		/* BTR r/m, r */
		case 0xbb:		/* BTC r/m, r */
			out->op = HV_INSN_ALU;
			out->alu = HV_ALU_BT + ((b >> 3) & 3);
			out->size = c->osz;
			return 0;
		case 0xba:		/* group 8: BT* r/m, imm8 */
			out->op = HV_INSN_ALU;
			out->src_imm = true;
			out->size = c->osz;
			c->imm_len = 1;
			c->imm_zx = true;
			c->group = true;
			return 0;
		default:
			return -EINVAL;
		}
		out->size = (b & 1) ? 2 : 1;
		out->dst_size = c->osz;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * ModRM.reg of a group opcode: SDM Vol 2A, Table A-6.  Returns -EINVAL
 * for the members that are not memory operations hv emulates (MUL, DIV,
 * CALL, JMP, PUSH...).
 */
static int hv_insn_group(struct hv_insn_cursor *c, unsigned int ext,
			 struct hv_insn *out)
{
	switch (c->opc) {
	case 0x80: case 0x81: case 0x82: case 0x83:
		out->alu = ext;			/* ADD .. CMP */
		return 0;
	case 0xc6: case 0xc7:
		return ext ? -EINVAL : 0;	/* only /0 is MOV */
	case 0xf6: case 0xf7:
		switch (ext) {
		case 0:				/* TEST r/m, imm */
			out->alu = HV_ALU_TEST;
			out->src_imm = true;
			c->imm_len = out->size > 4 ? 4 : out->size;
			return 0;
		case 2:
			out->alu = HV_ALU_NOT;
			return 0;
		case 3:
			out->alu = HV_ALU_NEG;
			return 0;
		}
		return -EINVAL;
	case 0xfe: case 0xff:
		if (ext > 1)
			return -EINVAL;
		out->alu = ext ? HV_ALU_DEC : HV_ALU_INC;
		return 0;
	case 0x0fba:
		if (ext < 4)
			return -EINVAL;
		out->alu = HV_ALU_BT + ext - 4;
		return 0;
	}
	return -EINVAL;
}

/*
 * After ModRM and its addressing bytes: the immediate, or the register
 * that ModRM.reg names.
 */
static int hv_insn_operand(struct hv_insn_cursor *c, u8 modrm,
			   struct hv_insn *out)
{
	unsigned int bits;
	u64 v, sign;
	int r;

	if (c->group) {
		r = hv_insn_group(c, (modrm >> 3) & 7, out);
		if (r)
			return r;
	}
	if (c->imm_len) {
		r = hv_insn_take(c, c->imm_len, &v);
		if (r)
			return r;
		/* SDM Vol 2A, 2.2.1.5: immediates are sign-extended */
		if (!c->imm_zx) {
			sign = 1ULL << (8 * c->imm_len - 1);
			v = (v ^ sign) - sign;
		}
		bits = 8 * out->size;
		out->imm = bits >= 64 ? v : v & ((1ULL << bits) - 1);
	}
	if (c->group)
		return 0;
	/* SDM Vol 2A, 2.2.1.2: REX.R extends ModRM.reg */
	out->reg = ((modrm >> 3) & 7) | ((c->rex & REX_R) ? 8 : 0);
	/* SDM Vol 2A, 2.2.1.2: without any REX, byte regs 4-7 are AH..BH */
	if (c->byte_reg && !c->rex && out->reg >= 4) {
		out->reg -= 4;
		out->high8 = true;
	}
	if (out->op == HV_INSN_LOAD)
		out->dst_size = out->size;
	return 0;
}

/*
 * The first phases, the same for every instruction: @out cleared (no
 * operand yet, the default segment), the prefixes, the opcode byte in
 * @opcode, the operand and address sizes.
 */
static int hv_insn_start(struct hv_insn_cursor *c, int mode, u8 *opcode,
			 struct hv_insn *out)
{
	int r;

	if (mode != 16 && mode != 32 && mode != 64)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->seg = HV_SEG_DS;
	out->base = HV_INSN_NOREG;
	out->index = HV_INSN_NOREG;
	out->scale = 1;
	r = hv_insn_prefixes(c, mode, opcode, out);
	if (r)
		return r;
	out->rep = c->rep;
	out->lock = c->lock;
	hv_insn_sizes(c, mode, out);
	return 0;
}

/*
 * Phases: prefixes, operand/address size, opcode, ModRM/SIB/displacement,
 * then the immediate or register operand.
 */
int hv_insn_decode(const u8 *bytes, size_t n, int mode, struct hv_insn *out)
{
	struct hv_insn_cursor c = { .bytes = bytes, .n = n };
	u8 b, modrm = 0;
	int r;

	r = hv_insn_start(&c, mode, &b, out);
	if (r)
		return r;
	if (b >= 0xa0 && b <= 0xa3)	/* MOV AL/eAX <-> moffs */
		return hv_insn_moffs(&c, b, out);
	if ((b >= 0xa4 && b <= 0xad && b != 0xa8 && b != 0xa9 &&
	     b != 0xa6 && b != 0xa7) || (b >= 0x6c && b <= 0x6f))
		return hv_insn_string(&c, b, out);
	r = hv_insn_opcode(&c, b, mode, out);
	if (r)
		return r;
	r = hv_insn_modrm(&c, mode, &modrm, out);
	if (r)
		return r;
	r = hv_insn_operand(&c, modrm, out);
	if (r)
		return r;
	out->len = c.pos;
	return 0;
}

/*
 * LMSW m16 (0F 01 /6, SDM Vol 2A, LMSW): the same prefix and ModRM
 * phases; the operand is always 16 bits, whatever the operand size.
 */
int hv_insn_decode_lmsw(const u8 *bytes, size_t n, int mode,
			struct hv_insn *out)
{
	struct hv_insn_cursor c = { .bytes = bytes, .n = n };
	u8 b, modrm = 0;
	int r;

	r = hv_insn_start(&c, mode, &b, out);
	if (r)
		return r;
	if (b != 0x0f)
		return -EINVAL;
	r = hv_insn_byte(&c, &b);
	if (r)
		return r;
	if (b != 0x01)
		return -EINVAL;
	r = hv_insn_modrm(&c, mode, &modrm, out);
	if (r)
		return r;
	if (((modrm >> 3) & 7) != 6)
		return -EINVAL;		/* another group-7 instruction */
	out->op = HV_INSN_LOAD;
	out->size = 2;
	out->len = c.pos;
	return 0;
}

static u64 hv_insn_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* BT* with a register offset: the signed offset's whole units, in bytes */
static u64 hv_insn_bt_disp(const struct hv_insn *in, const u64 gpr[16])
{
	unsigned int bits = 8 * in->size;
	s64 off = (s64)gpr[in->reg & 15];

	/* SDM Vol 2A, BT: -2^15..2^15-1, -2^31..2^31-1 or 64-bit offsets */
	if (bits == 16)
		off = (s16)off;
	else if (bits == 32)
		off = (s32)off;
	/* an arithmetic shift: floor(off / bits) units of size bytes */
	return (u64)((off >> (bits == 16 ? 4 : bits == 32 ? 5 : 6)) *
		     (s64)in->size);
}

u64 hv_insn_ea(const struct hv_insn *in, const u64 gpr[16], u64 next_rip)
{
	u64 ea = in->disp;

	if (in->op == HV_INSN_ALU && in->alu >= HV_ALU_BT && !in->src_imm &&
	    in->size >= 2)
		ea += hv_insn_bt_disp(in, gpr);

	if (in->base == HV_INSN_RIP)
		ea += next_rip;
	else if (in->base < 16)
		ea += gpr[in->base];
	if (in->index < 16)
		ea += gpr[in->index] * in->scale;
	/* SDM Vol 1, 3.3.7: the sum wraps at the address size */
	return ea & hv_insn_mask(in->asz);
}

u64 hv_insn_store_value(const struct hv_insn *in, const u64 gpr[16])
{
	u64 v;

	if (in->op == HV_INSN_STORE_IMM)
		v = in->imm;
	else if (in->high8)
		v = gpr[in->reg & 15] >> 8;
	else
		v = gpr[in->reg & 15];
	return v & hv_insn_mask(in->size);
}

void hv_insn_load_result(const struct hv_insn *in, u64 gpr[16], u64 data)
{
	u64 *r = &gpr[in->reg & 15];
	u64 v = data & hv_insn_mask(in->size);

	if (in->op == HV_INSN_STORE || in->op == HV_INSN_STORE_IMM)
		return;
	if (in->op == HV_INSN_LOAD_SX && in->size < 8) {
		u64 sign = 1ULL << (8 * in->size - 1);

		v = (v ^ sign) - sign;
	}

	switch (in->dst_size) {
	case 1:
		if (in->high8)
			*r = (*r & ~0xff00ULL) | (v & 0xff) << 8;
		else
			*r = (*r & ~0xffULL) | (v & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffULL) | (v & 0xffff);
		break;
	case 4:
		/*
		 * SDM Vol 1, 3.4.1.1: zero-extends in 64-bit mode.  Outside it
		 * the upper half is invisible (and undefined on return to
		 * 64-bit mode), so zero-extending always is right too.
		 */
		*r = v & 0xffffffffULL;
		break;
	case 8:
		*r = v;
		break;
	}
}
