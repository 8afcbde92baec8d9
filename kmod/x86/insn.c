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
		case 0xf0: case 0xf2: case 0xf3:
			/* LOCK and REP do not change a MOV's access. */
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
 * The opcode of a move with a ModRM operand: which access, its size, and
 * for the two-byte 0F opcodes (MOVZX, MOVSX) the second byte.
 */
static int hv_insn_opcode(struct hv_insn_cursor *c, u8 b, struct hv_insn *out)
{
	int r;

	switch (b) {
	case 0x88:			/* MOV r/m8, r8 */
	case 0x89:			/* MOV r/m16/32/64, r */
	case 0x8a:			/* MOV r8, r/m8 */
	case 0x8b:			/* MOV r, r/m16/32/64 */
		out->op = (b & 2) ? HV_INSN_LOAD : HV_INSN_STORE;
		out->size = (b & 1) ? c->osz : 1;
		c->byte_reg = !(b & 1);
		return 0;
	case 0xc6:			/* MOV r/m8, imm8 (C6 /0) */
	case 0xc7:			/* MOV r/m, imm16/32 (C7 /0) */
		out->op = HV_INSN_STORE_IMM;
		out->size = (b & 1) ? c->osz : 1;
		c->imm_len = out->size > 4 ? 4 : out->size;
		return 0;
	case 0x0f:
		r = hv_insn_byte(c, &b);
		if (r)
			return r;
		switch (b) {
		case 0xb6:		/* MOVZX r, r/m8 */
		case 0xb7:		/* MOVZX r, r/m16 */
			out->op = HV_INSN_LOAD_ZX;
			break;
		case 0xbe:		/* MOVSX r, r/m8 */
		case 0xbf:		/* MOVSX r, r/m16 */
			out->op = HV_INSN_LOAD_SX;
			break;
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
 * After ModRM and its addressing bytes: the immediate of MOV imm, or the
 * register that ModRM.reg names for the other moves.
 */
static int hv_insn_operand(struct hv_insn_cursor *c, u8 modrm,
			   struct hv_insn *out)
{
	u64 v;
	int r;

	if (out->op == HV_INSN_STORE_IMM) {
		if ((modrm >> 3) & 7)
			return -EINVAL;	/* only /0 is MOV */
		r = hv_insn_take(c, c->imm_len, &v);
		if (r)
			return r;
		if (out->size == 8)	/* imm32 sign-extended to 64 bits */
			v = (v ^ 0x80000000ULL) - 0x80000000ULL;
		out->imm = v;
		return 0;
	}
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
	r = hv_insn_opcode(&c, b, out);
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

u64 hv_insn_ea(const struct hv_insn *in, const u64 gpr[16], u64 next_rip)
{
	u64 ea = in->disp;

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
