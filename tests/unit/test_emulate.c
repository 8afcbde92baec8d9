// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/x86/emulate.c and the decoder's ALU, bit and string opcodes
 * (kmod/x86/insn.c), compiled as they are.  The oracle for every ALU
 * result and flag is the host CPU: the same instruction runs natively
 * (inline asm, the host is x86-64) on the same operands and flags.
 * Encodings were checked with objdump -D -b binary -mi386:x86-64.
 */
#include <stdlib.h>
#include <string.h>

#include "x86/insn.h"
#include "x86/emulate.h"
#include "unit.h"

static size_t hex(const char *s, u8 *out)
{
	size_t n = 0;
	char *end;

	while (*s) {
		out[n++] = (u8)strtoul(s, &end, 16);
		ck_assert_ptr_ne(end, s);
		s = end;
		while (*s == ' ')
			s++;
	}
	return n;
}

/* ---------------------------------------------------------- native */

/*
 * The host runs "op src, dst" with RFLAGS = *fl; *fl gets the result's.
 * The red zone below RSP belongs to the compiler: step over it first.
 */
#define NATIVE(insn, m)							\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fi]\n\tpopf\n\t"				\
		     insn " %" m "[s], %" m "[d]\n\t"			\
		     "pushf\n\tpop %[fo]\n\t"				\
		     "lea 128(%%rsp), %%rsp"				\
		     : [d] "+r" (d), [fo] "=&r" (fo)			\
		     : [s] "r" (s), [fi] "r" (fi) : "cc", "memory")
#define NATIVE1(insn, m)						\
	asm volatile("lea -128(%%rsp), %%rsp\n\t"			\
		     "push %[fi]\n\tpopf\n\t"				\
		     insn " %" m "[d]\n\t"				\
		     "pushf\n\tpop %[fo]\n\t"				\
		     "lea 128(%%rsp), %%rsp"				\
		     : [d] "+r" (d), [fo] "=&r" (fo)			\
		     : [fi] "r" (fi) : "cc", "memory")

#define SIZES(insn, N)							\
	do {								\
		switch (size) {						\
		case 1: N(insn "b", "b"); break;			\
		case 2: N(insn "w", "w"); break;			\
		case 4: N(insn "l", "k"); break;			\
		default: N(insn "q", "q"); break;			\
		}							\
	} while (0)

/* The bit tests have no byte form */
#define SIZES16(insn, N)						\
	do {								\
		switch (size) {						\
		case 2: N(insn "w", "w"); break;			\
		case 4: N(insn "l", "k"); break;			\
		default: N(insn "q", "q"); break;			\
		}							\
	} while (0)

static u64 native(unsigned int op, unsigned int size, u64 d, u64 s, u64 *fl)
{
	u64 fi = *fl, fo = 0;

	switch (op) {
	case HV_ALU_ADD: SIZES("add", NATIVE); break;
	case HV_ALU_OR:  SIZES("or", NATIVE); break;
	case HV_ALU_ADC: SIZES("adc", NATIVE); break;
	case HV_ALU_SBB: SIZES("sbb", NATIVE); break;
	case HV_ALU_AND: SIZES("and", NATIVE); break;
	case HV_ALU_SUB: SIZES("sub", NATIVE); break;
	case HV_ALU_XOR: SIZES("xor", NATIVE); break;
	case HV_ALU_CMP: SIZES("cmp", NATIVE); break;
	case HV_ALU_TEST: SIZES("test", NATIVE); break;
	case HV_ALU_NOT: SIZES("not", NATIVE1); break;
	case HV_ALU_NEG: SIZES("neg", NATIVE1); break;
	case HV_ALU_INC: SIZES("inc", NATIVE1); break;
	case HV_ALU_DEC: SIZES("dec", NATIVE1); break;
	case HV_ALU_BT:  SIZES16("bt", NATIVE); break;
	case HV_ALU_BTS: SIZES16("bts", NATIVE); break;
	case HV_ALU_BTR: SIZES16("btr", NATIVE); break;
	case HV_ALU_BTC: SIZES16("btc", NATIVE); break;
	}
	*fl = fo;
	return d;
}

/* The flags each operation defines (the SDM's "Flags Affected") */
static u64 defined_flags(unsigned int op)
{
	switch (op) {
	case HV_ALU_OR: case HV_ALU_AND: case HV_ALU_XOR: case HV_ALU_TEST:
		return HV_FL_ARITH & ~HV_FL_AF;		/* AF undefined */
	case HV_ALU_NOT:
		return HV_FL_ARITH;			/* none changes */
	case HV_ALU_BT: case HV_ALU_BTS: case HV_ALU_BTR: case HV_ALU_BTC:
		return HV_FL_CF | HV_FL_ZF;		/* ZF unaffected */
	default:
		return HV_FL_ARITH;
	}
}

static const u64 values[] = {
	0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x100, 0x7fff,
	0x8000, 0xffff, 0x12345678, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0xfffffffffffffffeULL, 0xffffffffffffffffULL, 0xdeadbeefcafef00dULL,
	0x0123456789abcdefULL, 0x5555555555555555ULL,
};
#define NR_VALUES (sizeof(values) / sizeof(values[0]))

static const unsigned int sizes[] = { 1, 2, 4, 8 };

/* Every op, size, operand pair and incoming flags against the host */
START_TEST(alu_vs_native)
{
	unsigned int op = _i, si, a, b, k;
	static const u64 flags_in[] = {
		0x2, 0x2 | HV_FL_ARITH, 0x2 | HV_FL_CF, 0x2 | HV_FL_ZF | HV_FL_AF,
	};

	for (si = 0; si < 4; si++) {
		unsigned int size = sizes[si];
		u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

		if (op >= HV_ALU_BT && size == 1)
			continue;		/* no byte bit tests */
		for (a = 0; a < NR_VALUES; a++)
			for (b = 0; b < NR_VALUES; b++)
				for (k = 0; k < 4; k++) {
					u64 d = values[a], s = values[b];
					u64 fn = flags_in[k], fe = flags_in[k];
					u64 rn, re, keep = defined_flags(op);

					if (op >= HV_ALU_BT)
						s &= 8 * size - 1;
					rn = native(op, size, d, s, &fn) & mask;
					re = hv_alu(op, size, d, s, &fe);
					if (!hv_alu_writes(op))
						re = d & mask;	/* not written */
					ck_assert_msg(re == rn &&
						      (fe & keep) == (fn & keep),
						      "op %u size %u %#llx, %#llx flags %#llx: "
						      "got %#llx fl %#llx, host %#llx fl %#llx",
						      op, size,
						      (unsigned long long)d,
						      (unsigned long long)s,
						      (unsigned long long)flags_in[k],
						      (unsigned long long)re,
						      (unsigned long long)fe,
						      (unsigned long long)rn,
						      (unsigned long long)fn);
					/* nothing outside the status flags */
					ck_assert_uint_eq(fe & ~HV_FL_ARITH,
							  flags_in[k] & ~HV_FL_ARITH);
				}
	}
}
END_TEST

START_TEST(alu_writes)
{
	ck_assert(hv_alu_writes(HV_ALU_ADD));
	ck_assert(hv_alu_writes(HV_ALU_BTS));
	ck_assert(hv_alu_writes(HV_ALU_NOT));
	ck_assert(!hv_alu_writes(HV_ALU_CMP));
	ck_assert(!hv_alu_writes(HV_ALU_TEST));
	ck_assert(!hv_alu_writes(HV_ALU_BT));
}
END_TEST

/* ---------------------------------------------------------- decoding */

enum { ALU = HV_INSN_ALU, AREG = HV_INSN_ALU_REG, XCHG = HV_INSN_XCHG,
       MOVS = HV_INSN_MOVS, STOS = HV_INSN_STOS, LODS = HV_INSN_LODS,
       INS = HV_INSN_INS, OUTS = HV_INSN_OUTS, SX = HV_INSN_LOAD_SX,
       LOAD = HV_INSN_LOAD };

static const struct {
	const char *what, *bytes;
	int mode;
	u8 len, op, size, alu;
	bool src_imm;
	u64 imm;
	u8 reg;
	bool high8;
	u8 rep, asz, seg;
} good[] = {
	{ "add [rdi],eax", "01 07", 64, 2, ALU, 4, HV_ALU_ADD, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "or [rdi],cl", "08 0f", 64, 2, ALU, 1, HV_ALU_OR, 0, 0, 1, 0, 0, 8, HV_SEG_DS },
	{ "or [rdi],ch", "08 2f", 64, 2, ALU, 1, HV_ALU_OR, 0, 0, 1, 1, 0, 8, HV_SEG_DS },
	{ "adc [rdi],r9", "4c 11 0f", 64, 3, ALU, 8, HV_ALU_ADC, 0, 0, 9, 0, 0, 8, HV_SEG_DS },
	{ "sbb [rdi],ax", "66 19 07", 64, 3, ALU, 2, HV_ALU_SBB, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "and edx,[rdi]", "23 17", 64, 2, AREG, 4, HV_ALU_AND, 0, 0, 2, 0, 0, 8, HV_SEG_DS },
	{ "sub bh,[rdi]", "2a 3f", 64, 2, AREG, 1, HV_ALU_SUB, 0, 0, 3, 1, 0, 8, HV_SEG_DS },
	{ "xor [rbp+8],esi", "31 75 08", 64, 3, ALU, 4, HV_ALU_XOR, 0, 0, 6, 0, 0, 8, HV_SEG_SS },
	{ "cmp [rdi],eax", "39 07", 64, 2, ALU, 4, HV_ALU_CMP, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "cmp eax,[rdi]", "3b 07", 64, 2, AREG, 4, HV_ALU_CMP, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "lock or dword [rdi],1 (83)", "f0 83 0f 01", 64, 4, ALU, 4, HV_ALU_OR, 1, 1, 0, 0, 0, 8, HV_SEG_DS },
	{ "and dword [rdi],-2 (83: sign-extended)", "83 27 fe", 64, 3, ALU, 4, HV_ALU_AND, 1, 0xfffffffe, 0, 0, 0, 8, HV_SEG_DS },
	{ "and qword [rdi],-2 (83)", "48 83 27 fe", 64, 4, ALU, 8, HV_ALU_AND, 1, 0xfffffffffffffffeULL, 0, 0, 0, 8, HV_SEG_DS },
	{ "or word [rdi],0x8000 (81)", "66 81 0f 00 80", 64, 5, ALU, 2, HV_ALU_OR, 1, 0x8000, 0, 0, 0, 8, HV_SEG_DS },
	{ "and qword [rdi],0x80000000 (81: sign-extended)", "48 81 27 00 00 00 80", 64, 7, ALU, 8, HV_ALU_AND, 1, 0xffffffff80000000ULL, 0, 0, 0, 8, HV_SEG_DS },
	{ "cmp byte [rdi],0x80 (80)", "80 3f 80", 64, 3, ALU, 1, HV_ALU_CMP, 1, 0x80, 0, 0, 0, 8, HV_SEG_DS },
	{ "sub byte [rdi],1 (82, 32-bit)", "82 2f 01", 32, 3, ALU, 1, HV_ALU_SUB, 1, 1, 0, 0, 0, 4, HV_SEG_DS },
	{ "test [rdi],eax", "85 07", 64, 2, ALU, 4, HV_ALU_TEST, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "test byte [rdi],0x40", "f6 07 40", 64, 3, ALU, 1, HV_ALU_TEST, 1, 0x40, 0, 0, 0, 8, HV_SEG_DS },
	{ "test dword [rdi],0x80000000", "f7 07 00 00 00 80", 64, 6, ALU, 4, HV_ALU_TEST, 1, 0x80000000, 0, 0, 0, 8, HV_SEG_DS },
	{ "test word [rdi],0x1234", "66 f7 07 34 12", 64, 5, ALU, 2, HV_ALU_TEST, 1, 0x1234, 0, 0, 0, 8, HV_SEG_DS },
	{ "not dword [rdi]", "f7 17", 64, 2, ALU, 4, HV_ALU_NOT, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "neg byte [rdi]", "f6 1f", 64, 2, ALU, 1, HV_ALU_NEG, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "inc dword [rdi]", "ff 07", 64, 2, ALU, 4, HV_ALU_INC, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "dec byte [rdi]", "fe 0f", 64, 2, ALU, 1, HV_ALU_DEC, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "lock inc qword [rdi]", "f0 48 ff 07", 64, 4, ALU, 8, HV_ALU_INC, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "xchg [rdi],eax", "87 07", 64, 2, XCHG, 4, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "xchg [rdi],ah", "86 27", 64, 2, XCHG, 1, 0, 0, 0, 0, 1, 0, 8, HV_SEG_DS },
	{ "bt [rdi],eax", "0f a3 07", 64, 3, ALU, 4, HV_ALU_BT, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "bts [rdi],rcx", "48 0f ab 0f", 64, 4, ALU, 8, HV_ALU_BTS, 0, 0, 1, 0, 0, 8, HV_SEG_DS },
	{ "btr [rdi],dx", "66 0f b3 17", 64, 4, ALU, 2, HV_ALU_BTR, 0, 0, 2, 0, 0, 8, HV_SEG_DS },
	{ "btc [rdi],ebx", "0f bb 1f", 64, 3, ALU, 4, HV_ALU_BTC, 0, 0, 3, 0, 0, 8, HV_SEG_DS },
	{ "bt dword [rdi],31", "0f ba 27 1f", 64, 4, ALU, 4, HV_ALU_BT, 1, 31, 0, 0, 0, 8, HV_SEG_DS },
	{ "bts dword [rdi],0x80 (imm8 not sign-extended)", "0f ba 2f 80", 64, 4, ALU, 4, HV_ALU_BTS, 1, 0x80, 0, 0, 0, 8, HV_SEG_DS },
	{ "lock btr qword [rdi],5", "f0 48 0f ba 37 05", 64, 6, ALU, 8, HV_ALU_BTR, 1, 5, 0, 0, 0, 8, HV_SEG_DS },
	{ "btc word [rdi],3", "66 0f ba 3f 03", 64, 5, ALU, 2, HV_ALU_BTC, 1, 3, 0, 0, 0, 8, HV_SEG_DS },
	{ "movsxd rax,[rdi]", "48 63 07", 64, 3, SX, 4, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "movsxd eax,[rdi] (no REX.W: a load)", "63 07", 64, 2, LOAD, 4, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	/* 16-bit mode: sizes flip with 66 */
	{ "16: add [bx+si],ax", "01 00", 16, 2, ALU, 2, HV_ALU_ADD, 0, 0, 0, 0, 0, 2, HV_SEG_DS },
	{ "16: or dword [bp+2],imm8", "66 83 4e 02 01", 16, 5, ALU, 4, HV_ALU_OR, 1, 1, 0, 0, 0, 2, HV_SEG_SS },
	/* strings */
	{ "movsb", "a4", 64, 1, MOVS, 1, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "rep movsd", "f3 a5", 64, 2, MOVS, 4, 0, 0, 0, 0, 0, 0xf3, 8, HV_SEG_DS },
	{ "rep movsq", "f3 48 a5", 64, 3, MOVS, 8, 0, 0, 0, 0, 0, 0xf3, 8, HV_SEG_DS },
	{ "rep movsw fs: (67)", "64 67 66 f3 a5", 64, 5, MOVS, 2, 0, 0, 0, 0, 0, 0xf3, 4, HV_SEG_FS },
	{ "rep stosb", "f3 aa", 64, 2, STOS, 1, 0, 0, 0, 0, 0, 0xf3, 8, HV_SEG_DS },
	{ "stosq", "48 ab", 64, 2, STOS, 8, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "lodsw", "66 ad", 64, 2, LODS, 2, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "rep insb", "f3 6c", 64, 2, INS, 1, 0, 0, 0, 0, 0, 0xf3, 8, HV_SEG_DS },
	{ "insd with REX.W: still 4", "48 6d", 64, 2, INS, 4, 0, 0, 0, 0, 0, 0, 8, HV_SEG_DS },
	{ "rep outsw es:", "66 26 f3 6f", 64, 4, OUTS, 2, 0, 0, 0, 0, 0, 0xf3, 8, HV_SEG_ES },
	{ "16: rep outsb", "f3 6e", 16, 2, OUTS, 1, 0, 0, 0, 0, 0, 0xf3, 2, HV_SEG_DS },
	{ "16: rep movsd (66 67)", "66 67 f3 a5", 16, 4, MOVS, 4, 0, 0, 0, 0, 0, 0xf3, 4, HV_SEG_DS },
	{ "32: repne stosd (F2 counts as REP)", "f2 ab", 32, 2, STOS, 4, 0, 0, 0, 0, 0, 0xf2, 4, HV_SEG_DS },
};
#define NR_GOOD (sizeof(good) / sizeof(good[0]))

START_TEST(decode_more)
{
	struct hv_insn in;
	u8 b[32];
	size_t n = hex(good[_i].bytes, b);
	int r = hv_insn_decode(b, n, good[_i].mode, &in);

	ck_assert_msg(r == 0, "%s: %d", good[_i].what, r);
	ck_assert_msg(in.len == good[_i].len, "%s: len %u", good[_i].what, in.len);
	ck_assert_msg(in.op == good[_i].op, "%s: op %u", good[_i].what, in.op);
	ck_assert_msg(in.size == good[_i].size, "%s: size %u", good[_i].what, in.size);
	if (in.op == ALU || in.op == AREG) {
		ck_assert_msg(in.alu == good[_i].alu, "%s: alu %u", good[_i].what, in.alu);
		ck_assert_msg(in.src_imm == good[_i].src_imm, "%s: src_imm", good[_i].what);
	}
	if (good[_i].src_imm)
		ck_assert_msg(in.imm == good[_i].imm, "%s: imm %#llx",
			      good[_i].what, (unsigned long long)in.imm);
	else
		ck_assert_msg(in.reg == good[_i].reg && in.high8 == good[_i].high8,
			      "%s: reg %u high8 %d", good[_i].what, in.reg, in.high8);
	ck_assert_msg(in.rep == good[_i].rep, "%s: rep %#x", good[_i].what, in.rep);
	ck_assert_msg(in.asz == good[_i].asz, "%s: asz %u", good[_i].what, in.asz);
	ck_assert_msg(in.seg == good[_i].seg, "%s: seg %u", good[_i].what, in.seg);
	/* every prefix of it is too short */
	while (--n)
		ck_assert_msg(hv_insn_decode(b, n, good[_i].mode, &in) == -E2BIG,
			      "%s: %zu bytes", good[_i].what, n);
}
END_TEST

START_TEST(decode_lock_flag)
{
	struct hv_insn in;
	u8 b[8];

	ck_assert_int_eq(hv_insn_decode(b, hex("f0 09 07", b), 64, &in), 0);
	ck_assert(in.lock);
	ck_assert_int_eq(hv_insn_decode(b, hex("09 07", b), 64, &in), 0);
	ck_assert(!in.lock);
}
END_TEST

/* ---------------------------------------------------------- execution */

static struct hv_insn dec(const char *bytes, int mode)
{
	struct hv_insn in;
	u8 b[32];

	ck_assert_int_eq(hv_insn_decode(b, hex(bytes, b), mode, &in), 0);
	return in;
}

START_TEST(exec_alu_mem)
{
	u64 gpr[16] = { 0 }, fl = 0x2, out = 0;
	struct hv_insn in;

	/* or dword [rdi],0x100: memory written, flags set */
	in = dec("81 0f 00 01 00 00", 64);
	ck_assert(hv_emu_reads(&in) && hv_emu_writes(&in));
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0x80000001, &out));
	ck_assert_uint_eq(out, 0x80000101);
	ck_assert_uint_eq(fl, 0x2 | HV_FL_SF);

	/* cmp [rdi],eax: no write, ZF */
	in = dec("39 07", 64);
	gpr[0] = 0x1234;
	ck_assert(!hv_emu_writes(&in));
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 0x1234, &out));
	ck_assert_uint_eq(fl & HV_FL_ARITH, HV_FL_ZF | HV_FL_PF);

	/* add [rdi],ch: the source is CH */
	in = dec("00 2f", 64);
	gpr[1] = 0x0500;
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0xfb, &out));
	ck_assert_uint_eq(out, 0);
	ck_assert(fl & HV_FL_CF);
	ck_assert(fl & HV_FL_ZF);

	/* bts [rdi],ecx with ecx = 37: the bit within the dword is 5 */
	in = dec("0f ab 0f", 64);
	gpr[1] = 37;
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0, &out));
	ck_assert_uint_eq(out, 0x20);
	ck_assert(!(fl & HV_FL_CF));
	/* bt dword [rdi],33 (imm): bit 1 */
	in = dec("0f ba 27 21", 64);
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 2, &out));
	ck_assert(fl & HV_FL_CF);
}
END_TEST

START_TEST(exec_alu_reg)
{
	u64 gpr[16] = { 0 }, fl = 0x2, out = 0;
	struct hv_insn in;

	/* and edx,[rdi]: 32-bit result zero-extends RDX */
	in = dec("23 17", 64);
	gpr[2] = 0xffffffff0000ffffULL;
	ck_assert(!hv_emu_writes(&in));
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 0x00ff00ff, &out));
	ck_assert_uint_eq(gpr[2], 0xff);
	/* sub bh,[rdi]: only BH changes */
	in = dec("2a 3f", 64);
	gpr[3] = 0x11223344556677ULL;
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 0x66, &out));
	ck_assert_uint_eq(gpr[3], 0x11223344550077ULL);
	ck_assert(fl & HV_FL_ZF);
	/* cmp eax,[rdi]: RAX unchanged, CF for the borrow */
	in = dec("3b 07", 64);
	gpr[0] = 0xffffffff00000001ULL;
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 2, &out));
	ck_assert_uint_eq(gpr[0], 0xffffffff00000001ULL);
	ck_assert(fl & HV_FL_CF);
	ck_assert(fl & HV_FL_SF);
	/* 16-bit merge: add ax,[rdi] */
	in = dec("66 03 07", 64);
	gpr[0] = 0x1234567800010002ULL;
	hv_emu_exec(&in, gpr, &fl, 0xfffe, &out);
	ck_assert_uint_eq(gpr[0], 0x1234567800010000ULL);
}
END_TEST

START_TEST(exec_xchg)
{
	u64 gpr[16] = { 0 }, fl = 0x2 | HV_FL_CF, out = 0;
	struct hv_insn in = dec("87 07", 64);

	gpr[0] = 0xaaaaaaaa11111111ULL;
	ck_assert(hv_emu_reads(&in) && hv_emu_writes(&in));
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0x22222222, &out));
	ck_assert_uint_eq(out, 0x11111111);
	ck_assert_uint_eq(gpr[0], 0x22222222);
	ck_assert_uint_eq(fl, 0x2 | HV_FL_CF);		/* no flags */
	in = dec("86 27", 64);				/* xchg [rdi],ah */
	gpr[0] = 0x1234;
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0x56, &out));
	ck_assert_uint_eq(out, 0x12);
	ck_assert_uint_eq(gpr[0], 0x5634);
}
END_TEST

/* BT with a register offset addresses the whole bit string */
START_TEST(bt_ea)
{
	u64 gpr[16] = { 0 };
	struct hv_insn in = dec("0f a3 0f", 64);	/* bt [rdi],ecx */

	gpr[7] = 0x1000;
	gpr[1] = 37;
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x1004);
	gpr[1] = 0xffffffff;				/* -1: the dword below */
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x0ffc);
	gpr[1] = 0xffffffe0;				/* -32 */
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x0ffc);
	gpr[1] = 0xffffffdf;				/* -33 */
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x0ff8);
	in = dec("66 0f a3 0f", 64);			/* bt [rdi],cx */
	gpr[1] = 0x12340010;				/* 16: next word */
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x1002);
	in = dec("48 0f a3 0f", 64);			/* bt [rdi],rcx */
	gpr[1] = 64 * 3 + 1;
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x1018);
	in = dec("0f ba 27 25", 64);			/* imm: no adjustment */
	ck_assert_uint_eq(hv_insn_ea(&in, gpr, 0), 0x1000);
}
END_TEST

START_TEST(exec_strings)
{
	u64 gpr[16] = { 0 }, fl = 0x2, out = 0, src, dst;
	struct hv_insn in = dec("f3 48 a5", 64);	/* rep movsq */

	gpr[1] = 2;
	gpr[6] = 0x1000;
	gpr[7] = 0x2000;
	ck_assert_uint_eq(hv_emu_string_count(&in, gpr), 2);
	hv_emu_string_addr(&in, gpr, &src, &dst);
	ck_assert_uint_eq(src, 0x1000);
	ck_assert_uint_eq(dst, 0x2000);
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0x55, &out));
	ck_assert_uint_eq(out, 0x55);
	ck_assert(!hv_emu_string_next(&in, gpr, fl));
	ck_assert_uint_eq(gpr[6], 0x1008);
	ck_assert_uint_eq(gpr[7], 0x2008);
	ck_assert_uint_eq(gpr[1], 1);
	ck_assert(hv_emu_string_next(&in, gpr, fl));
	ck_assert_uint_eq(gpr[1], 0);

	/* std; stosw: DF counts down, only rDI moves, no REP: one element */
	in = dec("66 ab", 64);
	gpr[0] = 0x12345678;
	gpr[1] = 9;
	gpr[7] = 0x2000;
	ck_assert_uint_eq(hv_emu_string_count(&in, gpr), 1);
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0, &out));
	ck_assert_uint_eq(out, 0x5678);
	ck_assert(hv_emu_string_next(&in, gpr, fl | HV_FL_DF));
	ck_assert_uint_eq(gpr[7], 0x1ffe);
	ck_assert_uint_eq(gpr[1], 9);

	/* 16-bit address size: SI, DI, CX wrap, the upper bits stay */
	in = dec("f3 a4", 16);
	gpr[1] = 0xabcd0001;
	gpr[6] = 0x5555ffff;
	gpr[7] = 0x66660000;
	ck_assert(hv_emu_string_next(&in, gpr, fl | HV_FL_DF) == false ||
		  true);
	ck_assert_uint_eq(gpr[6], 0x5555fffe);
	ck_assert_uint_eq(gpr[7], 0x6666ffff);
	ck_assert_uint_eq(gpr[1], 0xabcd0000);

	/* 32-bit address size in 64-bit mode: ECX; RSI zero-extends */
	in = dec("67 f3 6e", 64);			/* rep outsb (a32) */
	gpr[1] = 0x100000001ULL;
	gpr[6] = 0xffffffff00000010ULL;
	ck_assert_uint_eq(hv_emu_string_count(&in, gpr), 1);
	ck_assert(hv_emu_string_next(&in, gpr, fl));
	ck_assert_uint_eq(gpr[6], 0x11);
	ck_assert_uint_eq(gpr[1], 0);
	ck_assert(!hv_emu_writes(&in));
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 0x41, &out));

	/* lodsd: EAX zero-extends */
	in = dec("ad", 64);
	gpr[0] = ~0ULL;
	ck_assert(!hv_emu_exec(&in, gpr, &fl, 0x87654321, &out));
	ck_assert_uint_eq(gpr[0], 0x87654321);
	/* insw: what the port gave goes to memory */
	in = dec("66 6d", 64);
	ck_assert(!hv_emu_reads(&in) && hv_emu_writes(&in));
	ck_assert(hv_emu_exec(&in, gpr, &fl, 0xbeef, &out));
	ck_assert_uint_eq(out, 0xbeef);
}
END_TEST

Suite *emulate_suite(void)
{
	Suite *s = suite_create("emulate");
	TCase *tc = tcase_create("emulate");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, alu_vs_native, 0, HV_ALU_NR);
	tcase_add_test(tc, alu_writes);
	tcase_add_loop_test(tc, decode_more, 0, NR_GOOD);
	tcase_add_test(tc, decode_lock_flag);
	tcase_add_test(tc, exec_alu_mem);
	tcase_add_test(tc, exec_alu_reg);
	tcase_add_test(tc, exec_xchg);
	tcase_add_test(tc, bt_ea);
	tcase_add_test(tc, exec_strings);
	suite_add_tcase(s, tc);
	return s;
}
