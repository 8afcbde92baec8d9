// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/x86/insn.c, the MMIO instruction decoder, compiled as it is.  The
 * encodings are written out by hand from the SDM; each was checked
 * against a disassembler (objdump -D -b binary -mi386:x86-64 / -Mi8086).
 */
#include <stdlib.h>
#include <string.h>

#include "x86/insn.h"
#include "unit.h"

enum { LOAD = HV_INSN_LOAD, STORE = HV_INSN_STORE, IMM = HV_INSN_STORE_IMM,
       ZX = HV_INSN_LOAD_ZX, SX = HV_INSN_LOAD_SX };

/* "48 89 07" -> bytes; returns the count. */
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

static const struct {
	const char *what, *bytes;
	int mode;
	u8 len, op, size, dst_size, reg;
	bool high8;
	u64 imm;
} good[] = {
	/* 64-bit mode: MOV r/m, r and MOV r, r/m */
	{ "mov [rdi],al", "88 07", 64, 2, STORE, 1, 0, 0, false, 0 },
	{ "mov [rdi+8],eax", "89 47 08", 64, 3, STORE, 4, 0, 0, false, 0 },
	{ "mov [0x1000],rax (SIB, no base)", "48 89 04 25 00 10 00 00", 64,
	  8, STORE, 8, 0, 0, false, 0 },
	{ "mov eax,[rip+0x100]", "8b 05 00 01 00 00", 64, 6, LOAD, 4, 4, 0,
	  false, 0 },
	{ "mov [rdi],ax", "66 89 07", 64, 3, STORE, 2, 0, 0, false, 0 },
	{ "mov rcx,[rdi]", "48 8b 0f", 64, 3, LOAD, 8, 8, 1, false, 0 },
	{ "mov dl,[rdi]", "8a 17", 64, 2, LOAD, 1, 1, 2, false, 0 },
	{ "mov [rdi+0x100],eax (mod 10)", "89 87 00 01 00 00", 64, 6, STORE,
	  4, 0, 0, false, 0 },
	{ "mov [rsp+8],eax (SIB disp8)", "89 44 24 08", 64, 4, STORE, 4, 0, 0,
	  false, 0 },
	{ "mov [rsp+0x100],eax (SIB disp32)", "89 84 24 00 01 00 00", 64, 7,
	  STORE, 4, 0, 0, false, 0 },
	{ "mov [rbp+rax*1+8],eax (SIB base 101, mod 01)", "89 44 05 08", 64,
	  4, STORE, 4, 0, 0, false, 0 },
	{ "mov [rbp*1+0],eax (SIB base 101, mod 00)", "89 04 2d 00 00 00 00",
	  64, 7, STORE, 4, 0, 0, false, 0 },
	{ "mov [r13+0],eax (REX.B, rm 101 mod 01)", "41 89 45 00", 64, 4,
	  STORE, 4, 0, 0, false, 0 },
	{ "mov [r12],eax (REX.B, rm 100 = SIB)", "41 89 04 24", 64, 4, STORE,
	  4, 0, 0, false, 0 },
	{ "mov eax,[rip+0] with REX.B (still RIP)", "41 8b 05 00 00 00 00",
	  64, 7, LOAD, 4, 4, 0, false, 0 },
	/* REX.B extends the base, not the register operand */
	{ "mov [r15],eax", "41 89 07", 64, 3, STORE, 4, 0, 0, false, 0 },
	{ "mov [rdi],r8d", "44 89 07", 64, 3, STORE, 4, 0, 8, false, 0 },
	{ "mov [rdi],r15", "4c 89 3f", 64, 3, STORE, 8, 0, 15, false, 0 },
	{ "mov r9w,[rdi]", "66 44 8b 0f", 64, 4, LOAD, 2, 2, 9, false, 0 },
	/* byte registers: AH..BH only without any REX */
	{ "mov [rdi],ah", "88 27", 64, 2, STORE, 1, 0, 0, true, 0 },
	{ "mov [rdi],spl", "40 88 27", 64, 3, STORE, 1, 0, 4, false, 0 },
	{ "mov [rdi],r12b", "44 88 27", 64, 3, STORE, 1, 0, 12, false, 0 },
	{ "mov bh,[rdi]", "8a 3f", 64, 2, LOAD, 1, 1, 3, true, 0 },
	{ "mov dil,[rdi]", "40 8a 3f", 64, 3, LOAD, 1, 1, 7, false, 0 },
	/* MOV r/m, imm */
	{ "mov dword [rdi],0x12345678", "c7 07 78 56 34 12", 64, 6, IMM, 4,
	  0, 0, false, 0x12345678 },
	{ "mov qword [rdi],-1", "48 c7 07 ff ff ff ff", 64, 7, IMM, 8, 0, 0,
	  false, 0xffffffffffffffffULL },
	{ "mov qword [rdi],0x12345678", "48 c7 07 78 56 34 12", 64, 7, IMM,
	  8, 0, 0, false, 0x12345678 },
	{ "mov dword [rdi],0x80000000", "c7 07 00 00 00 80", 64, 6, IMM, 4,
	  0, 0, false, 0x80000000 },
	{ "mov word [rdi],0x1234", "66 c7 07 34 12", 64, 5, IMM, 2, 0, 0,
	  false, 0x1234 },
	{ "mov byte [rdi],0x41", "c6 07 41", 64, 3, IMM, 1, 0, 0, false,
	  0x41 },
	{ "mov byte [rdi+8],0x80", "c6 47 08 80", 64, 4, IMM, 1, 0, 0, false,
	  0x80 },
	{ "mov dword [rip+0x10],7", "c7 05 10 00 00 00 07 00 00 00", 64, 10,
	  IMM, 4, 0, 0, false, 7 },
	{ "mov dword [rsp+rax*8+0x100],1",
	  "c7 84 c4 00 01 00 00 01 00 00 00", 64, 11, IMM, 4, 0, 0, false, 1 },
	/* MOVZX, MOVSX */
	{ "movzx eax,byte [rdi]", "0f b6 07", 64, 3, ZX, 1, 4, 0, false, 0 },
	{ "movzx eax,word [rdi]", "0f b7 07", 64, 3, ZX, 2, 4, 0, false, 0 },
	{ "movzx ax,byte [rdi]", "66 0f b6 07", 64, 4, ZX, 1, 2, 0, false, 0 },
	{ "movzx r10,word [rdi+4]", "4c 0f b7 57 04", 64, 5, ZX, 2, 8, 10,
	  false, 0 },
	{ "movsx eax,word [rdi]", "0f bf 07", 64, 3, SX, 2, 4, 0, false, 0 },
	{ "movsx rcx,byte [rdi]", "48 0f be 0f", 64, 4, SX, 1, 8, 1, false, 0 },
	{ "movsx esi,byte [rdi] (no high8 for dst)", "0f be 37", 64, 3, SX,
	  1, 4, 6, false, 0 },
	/* moffs: address-size wide */
	{ "mov eax,[moffs64]", "a1 00 10 00 00 00 00 00 00", 64, 9, LOAD, 4,
	  4, 0, false, 0 },
	{ "mov al,[moffs64]", "a0 00 10 00 00 00 00 00 00", 64, 9, LOAD, 1,
	  1, 0, false, 0 },
	{ "mov [moffs64],rax", "48 a3 00 10 00 00 00 00 00 00", 64, 10,
	  STORE, 8, 0, 0, false, 0 },
	{ "mov [moffs32],eax (67)", "67 a3 00 10 00 00", 64, 6, STORE, 4, 0,
	  0, false, 0 },
	{ "mov [moffs64],al", "a2 00 10 00 00 00 00 00 00", 64, 9, STORE, 1,
	  0, 0, false, 0 },
	{ "mov ax,[moffs64]", "66 a1 00 10 00 00 00 00 00 00", 64, 10, LOAD,
	  2, 2, 0, false, 0 },
	/* prefixes */
	{ "mov rax,gs:[0]", "65 48 8b 04 25 00 00 00 00", 64, 9, LOAD, 8, 8,
	  0, false, 0 },
	{ "mov cs:[rdi],eax", "2e 89 07", 64, 3, STORE, 4, 0, 0, false, 0 },
	{ "rep mov [rdi],eax (F3 ignored)", "f3 89 07", 64, 3, STORE, 4, 0,
	  0, false, 0 },
	{ "lock mov [rdi],eax (F0 ignored)", "f0 89 07", 64, 3, STORE, 4, 0,
	  0, false, 0 },
	{ "66 then REX.W: W wins", "66 48 89 07", 64, 4, STORE, 8, 0, 0, false,
	  0 },
	{ "REX.W then 66: REX ignored", "48 66 89 07", 64, 4, STORE, 2, 0, 0,
	  false, 0 },
	{ "REX.R then 2E: REX ignored", "44 2e 89 07", 64, 4, STORE, 4, 0, 0,
	  false, 0 },
	{ "two REX: only the last counts", "4c 41 89 07", 64, 4, STORE, 4, 0,
	  0, false, 0 },
	{ "REX ignored, so AH again", "40 3e 88 27", 64, 4, STORE, 1, 0, 0,
	  true, 0 },
	{ "mov eax,[edi] (67)", "67 8b 07", 64, 3, LOAD, 4, 4, 0, false, 0 },
	{ "mov eax,[eip+0] (67)", "67 8b 05 00 00 00 00", 64, 7, LOAD, 4, 4,
	  0, false, 0 },
	{ "15 bytes exactly", "2e 3e 66 48 c7 84 24 d0 00 00 00 78 56 34 12",
	  64, 15, IMM, 8, 0, 0, false, 0x12345678 },

	/* 32-bit mode */
	{ "32: mov [edi],eax", "89 07", 32, 2, STORE, 4, 0, 0, false, 0 },
	{ "32: mov [0x1000],eax (rm 101 = disp32)", "89 05 00 10 00 00", 32,
	  6, STORE, 4, 0, 0, false, 0 },
	{ "32: mov [eax*4+0x1000],ecx", "89 0c 85 00 10 00 00", 32, 7, STORE,
	  4, 0, 1, false, 0 },
	{ "32: mov [edi],ax", "66 89 07", 32, 3, STORE, 2, 0, 0, false, 0 },
	{ "32: mov [edi],ah", "88 27", 32, 2, STORE, 1, 0, 0, true, 0 },
	{ "32: mov eax,[bx] (67: 16-bit forms)", "67 8b 07", 32, 3, LOAD, 4,
	  4, 0, false, 0 },
	{ "32: mov eax,[0x1234] (67, rm 110)", "67 8b 06 34 12", 32, 5, LOAD,
	  4, 4, 0, false, 0 },
	{ "32: mov eax,[moffs32]", "a1 00 10 00 00", 32, 5, LOAD, 4, 4, 0,
	  false, 0 },
	{ "32: mov ax,[moffs32]", "66 a1 00 10 00 00", 32, 6, LOAD, 2, 2, 0,
	  false, 0 },
	{ "32: mov eax,[moffs16] (67)", "67 a1 00 10", 32, 4, LOAD, 4, 4, 0,
	  false, 0 },
	{ "32: mov word [edi],0x1234", "66 c7 07 34 12", 32, 5, IMM, 2, 0, 0,
	  false, 0x1234 },
	{ "32: movzx eax,byte [edi]", "0f b6 07", 32, 3, ZX, 1, 4, 0, false,
	  0 },

	/* 16-bit mode */
	{ "16: mov [bx],ax", "89 07", 16, 2, STORE, 2, 0, 0, false, 0 },
	{ "16: mov [0x1234],ax (rm 110 mod 00)", "89 06 34 12", 16, 4, STORE,
	  2, 0, 0, false, 0 },
	{ "16: mov ax,[bx+0x10]", "8b 47 10", 16, 3, LOAD, 2, 2, 0, false, 0 },
	{ "16: mov ax,[bx+0x1234]", "8b 87 34 12", 16, 4, LOAD, 2, 2, 0, false,
	  0 },
	{ "16: mov ax,[bp+0]", "8b 46 00", 16, 3, LOAD, 2, 2, 0, false, 0 },
	{ "16: mov [si],eax (66)", "66 89 04", 16, 3, STORE, 4, 0, 0, false,
	  0 },
	{ "16: mov [0x1000],ax (67: SIB)", "67 89 04 25 00 10 00 00", 16, 8,
	  STORE, 2, 0, 0, false, 0 },
	{ "16: mov [di],ch", "88 2d", 16, 2, STORE, 1, 0, 1, true, 0 },
	{ "16: mov ax,[moffs16]", "a1 00 10", 16, 3, LOAD, 2, 2, 0, false, 0 },
	{ "16: mov [moffs16],al", "a2 00 10", 16, 3, STORE, 1, 0, 0, false, 0 },
	{ "16: mov eax,[moffs32] (66 67)", "66 67 a1 00 10 00 00", 16, 7,
	  LOAD, 4, 4, 0, false, 0 },
	{ "16: mov word [bx],0x1234", "c7 07 34 12", 16, 4, IMM, 2, 0, 0,
	  false, 0x1234 },
	{ "16: mov dword [bx],0x12345678", "66 c7 07 78 56 34 12", 16, 7, IMM,
	  4, 0, 0, false, 0x12345678 },
	{ "16: movzx ax,byte [bx]", "0f b6 07", 16, 3, ZX, 1, 2, 0, false, 0 },
	{ "16: movsx eax,word [bx]", "66 0f bf 07", 16, 4, SX, 2, 4, 0, false,
	  0 },
};
#define NR_GOOD (sizeof(good) / sizeof(good[0]))

START_TEST(decode_good)
{
	u8 b[32];
	size_t n = hex(good[_i].bytes, b), k;
	struct hv_insn in;
	int r;

	ck_assert_msg(n == good[_i].len, "%s: table says %u bytes, has %zu",
		      good[_i].what, good[_i].len, n);
	r = hv_insn_decode(b, n, good[_i].mode, &in);
	ck_assert_msg(r == 0, "%s: %d", good[_i].what, r);
	ck_assert_msg(in.len == good[_i].len, "%s: len %u", good[_i].what,
		      in.len);
	ck_assert_msg(in.op == good[_i].op, "%s: op %u", good[_i].what, in.op);
	ck_assert_msg(in.size == good[_i].size, "%s: size %u", good[_i].what,
		      in.size);
	ck_assert_msg(in.dst_size == good[_i].dst_size, "%s: dst_size %u",
		      good[_i].what, in.dst_size);
	ck_assert_msg(in.reg == good[_i].reg, "%s: reg %u", good[_i].what,
		      in.reg);
	ck_assert_msg(in.high8 == good[_i].high8, "%s: high8", good[_i].what);
	ck_assert_msg(in.imm == good[_i].imm, "%s: imm %#llx", good[_i].what,
		      (unsigned long long)in.imm);

	/* Trailing bytes (the rest of a 15-byte fetch) change nothing. */
	memset(b + n, 0xcc, sizeof(b) - n);
	ck_assert_int_eq(hv_insn_decode(b, HV_INSN_MAX_LEN, good[_i].mode,
					&in), 0);
	ck_assert_uint_eq(in.len, good[_i].len);

	/* Any shorter buffer: ask for more bytes. */
	for (k = 0; k < n; k++)
		ck_assert_msg(hv_insn_decode(b, k, good[_i].mode, &in) ==
			      -E2BIG, "%s: %zu of %zu bytes", good[_i].what,
			      k, n);
}
END_TEST

static const struct {
	const char *what, *bytes;
	int mode;
} bad[] = {
	{ "mov edi,eax (mod 11)", "89 c7", 64 },
	{ "mov eax,eax (mod 11)", "8b c0", 64 },
	{ "mov al,0x41 via C6 (mod 11)", "c6 c0 41", 64 },
	{ "movzx eax,al (mod 11)", "0f b6 c0", 64 },
	{ "xabort (C6 F8)", "c6 f8 00", 64 },
	{ "C7 /1", "c7 0f 00 00 00 00", 64 },
	{ "C6 /7", "c6 3f 00", 64 },
	{ "nop", "90", 64 },
	{ "ud2", "0f 0b", 64 },
	{ "call [rdi] (FF /2)", "ff 17", 64 },
	{ "push [rdi] (FF /6)", "ff 37", 64 },
	{ "mul dword [rdi] (F7 /4)", "f7 27", 64 },
	{ "idiv byte [rdi] (F6 /7)", "f6 3f", 64 },
	{ "0f ba /0", "0f ba 07 01", 64 },
	{ "82 in 64-bit mode", "82 07 01", 64 },
	{ "add [rdi],eax... as mod 11", "01 c7", 64 },
	{ "add eax,imm32 (no ModRM memory)", "05 01 00 00 00", 64 },
	{ "cmpsb", "a6", 64 },
	{ "scasb", "ae", 64 },
	{ "arpl outside 64-bit mode", "63 07", 32 },
	{ "mov [rdi],es", "8c 07", 64 },
	{ "0f 38 escape", "0f 38 00 07", 64 },
	{ "popcnt (f3 0f b8)", "f3 0f b8 07", 64 },
	{ "32: 48 is DEC eax, not REX", "48 89 07", 32 },
	{ "16: 41 is INC cx, not REX", "41 89 07", 16 },
	{ "16 bytes", "2e 3e 26 66 48 c7 84 24 d0 00 00 00 78 56 34 12", 64 },
	{ "15 prefixes, then the opcode", "66 66 66 66 66 66 66 66 66 66 66 "
	  "66 66 66 66 89 07", 64 },
	{ "mode 8", "89 07", 8 },
	{ "lmsw [rdi]: not an MMIO move", "0f 01 37", 64 },
};
#define NR_BAD (sizeof(bad) / sizeof(bad[0]))

START_TEST(decode_bad)
{
	u8 b[32];
	size_t n = hex(bad[_i].bytes, b);
	struct hv_insn in;

	ck_assert_msg(hv_insn_decode(b, n, bad[_i].mode, &in) == -EINVAL,
		      "%s", bad[_i].what);
}
END_TEST

START_TEST(decode_empty)
{
	struct hv_insn in;
	u8 b[1] = { 0x89 };

	ck_assert_int_eq(hv_insn_decode(b, 0, 64, &in), -E2BIG);
	ck_assert_int_eq(hv_insn_decode(b, 1, 64, &in), -E2BIG);
}
END_TEST

static struct hv_insn decode(const char *bytes, int mode)
{
	struct hv_insn in;
	u8 b[32];
	size_t n = hex(bytes, b);

	ck_assert_int_eq(hv_insn_decode(b, n, mode, &in), 0);
	return in;
}

static void init_gprs(u64 gpr[16])
{
	int i;

	for (i = 0; i < 16; i++)
		gpr[i] = 0x1122334455667788ULL + ((u64)i << 56);
}

START_TEST(store_values)
{
	u64 gpr[16];

	init_gprs(gpr);
	ck_assert_uint_eq(hv_insn_store_value(&(struct hv_insn){0}, gpr), 0);
	ck_assert_uint_eq(hv_insn_store_value(&(struct hv_insn){ .size = 1 },
					      gpr), 0x88);
#define SV(bytes, mode) ({ struct hv_insn in_ = decode(bytes, mode); \
			   hv_insn_store_value(&in_, gpr); })
	ck_assert_uint_eq(SV("88 07", 64), 0x88);		/* al */
	ck_assert_uint_eq(SV("88 27", 64), 0x77);		/* ah */
	ck_assert_uint_eq(SV("88 3f", 32), 0x77);		/* bh */
	ck_assert_uint_eq(SV("40 88 27", 64), 0x88);		/* spl */
	ck_assert_uint_eq(SV("66 89 07", 64), 0x7788);
	ck_assert_uint_eq(SV("89 07", 64), 0x55667788);
	ck_assert_uint_eq(SV("48 89 07", 64), 0x1122334455667788ULL);
	ck_assert_uint_eq(SV("4c 89 3f", 64), 0x2022334455667788ULL); /* r15 */
	ck_assert_uint_eq(SV("44 89 07", 64), 0x55667788);	/* r8d */
	ck_assert_uint_eq(SV("a3 00 10 00 00", 32), 0x55667788);
	ck_assert_uint_eq(SV("c7 07 78 56 34 12", 64), 0x12345678);
	ck_assert_uint_eq(SV("48 c7 07 ff ff ff ff", 64), ~0ULL);
	ck_assert_uint_eq(SV("c6 07 41", 64), 0x41);
#undef SV
}
END_TEST

/* gpr after loading @data with @bytes into gpr[@reg], all else intact. */
static u64 load(const char *bytes, int mode, u64 data)
{
	struct hv_insn in = decode(bytes, mode);
	u64 gpr[16], want[16], got;
	int i;

	init_gprs(gpr);
	init_gprs(want);
	hv_insn_load_result(&in, gpr, data);
	got = gpr[in.reg];
	for (i = 0; i < 16; i++)
		if (i != in.reg)
			ck_assert_uint_eq(gpr[i], want[i]);
	return got;
}

START_TEST(load_results)
{
	/* 8 and 16 bits merge; garbage above the access size is dropped */
	ck_assert_uint_eq(load("8a 07", 64, 0xffab), 0x11223344556677abULL);
	ck_assert_uint_eq(load("8a 27", 64, 0xab), 0x112233445566ab88ULL);
	ck_assert_uint_eq(load("8a 3f", 16, 0xab), 0x142233445566ab88ULL);
	ck_assert_uint_eq(load("40 8a 27", 64, 0xab), 0x15223344556677abULL);
	ck_assert_uint_eq(load("66 8b 07", 64, 0xffffabcd),
			  0x112233445566abcdULL);
	ck_assert_uint_eq(load("8b 07", 16, 0xabcd), 0x112233445566abcdULL);
	/* 32 bits zero-extend, 64 replace */
	ck_assert_uint_eq(load("8b 07", 64, 0xdeadbeefcafef00dULL),
			  0xcafef00dULL);
	ck_assert_uint_eq(load("44 8b 07", 64, 0xcafef00d), 0xcafef00dULL);
	ck_assert_uint_eq(load("48 8b 07", 64, 0xdeadbeefcafef00dULL),
			  0xdeadbeefcafef00dULL);
	ck_assert_uint_eq(load("a1 00 00 00 00 00 00 00 00", 64, 0x80000000),
			  0x80000000ULL);
	/* MOVZX */
	ck_assert_uint_eq(load("0f b6 07", 64, 0xff), 0xffULL);
	ck_assert_uint_eq(load("66 0f b6 07", 64, 0x1ff), 0x11223344556600ffULL);
	ck_assert_uint_eq(load("48 0f b7 07", 64, 0x8000), 0x8000ULL);
	/* MOVSX */
	ck_assert_uint_eq(load("0f be 07", 64, 0x80), 0xffffff80ULL);
	ck_assert_uint_eq(load("0f be 07", 64, 0x7f), 0x7fULL);
	ck_assert_uint_eq(load("48 0f be 07", 64, 0x80),
			  0xffffffffffffff80ULL);
	ck_assert_uint_eq(load("66 0f be 07", 64, 0x80), 0x112233445566ff80ULL);
	ck_assert_uint_eq(load("48 0f bf 07", 64, 0x18000),
			  0xffffffffffff8000ULL);
	ck_assert_uint_eq(load("0f bf 37", 64, 0x7fff), 0x7fffULL);   /* esi */
}
END_TEST

START_TEST(load_result_ignores_stores)
{
	u64 gpr[16], want[16];
	struct hv_insn st = decode("89 07", 64), imm = decode("c6 07 41", 64);

	init_gprs(gpr);
	init_gprs(want);
	hv_insn_load_result(&st, gpr, 0);
	hv_insn_load_result(&imm, gpr, 0);
	ck_assert_mem_eq(gpr, want, sizeof(gpr));
}
END_TEST

/*
 * Effective addresses and segments: gpr[i] = (i + 1) << 12, so every sum
 * names its registers.  next_rip is 0x7000000000.
 */
static const struct {
	const char *what, *bytes;
	int mode;
	u64 ea;
	u8 seg;
} eas[] = {
	{ "mov [rdi],al", "88 07", 64, 0x8000, HV_SEG_DS },
	{ "mov [rdi-8],eax (disp8 sign-extended)", "89 47 f8", 64,
	  0x8000 - 8, HV_SEG_DS },
	{ "mov [rbx+rcx*4+0x10],eax", "89 44 8b 10", 64,
	  0x4000 + 0x2000 * 4 + 0x10, HV_SEG_DS },
	{ "mov [r9+r10*8-0x100],rax (REX.B, REX.X)",
	  "4b 89 84 d1 00 ff ff ff", 64, 0xa000 + 0xb000 * 8 - 0x100,
	  HV_SEG_DS },
	{ "mov [rsp+8],eax: SS", "89 44 24 08", 64, 0x5000 + 8, HV_SEG_SS },
	{ "mov [rbp+0],eax: SS", "89 45 00", 64, 0x6000, HV_SEG_SS },
	{ "mov [r13+0],eax: DS (not rBP)", "41 89 45 00", 64, 0xe000,
	  HV_SEG_DS },
	{ "mov [rax*2+0x40],ecx (SIB, no base)", "89 0c 45 40 00 00 00", 64,
	  0x1000 * 2 + 0x40, HV_SEG_DS },
	{ "mov [rsp],eax, index 100 is none", "89 04 24", 64, 0x5000,
	  HV_SEG_SS },
	{ "mov eax,[rip-0x10]", "8b 05 f0 ff ff ff", 64, 0x7000000000 - 0x10,
	  HV_SEG_DS },
	{ "mov eax,[eip+0x10] (67: wraps at 32 bits)", "67 8b 05 10 00 00 00",
	  64, 0x10, HV_SEG_DS },
	{ "mov eax,gs:[rdi]", "65 8b 07", 64, 0x8000, HV_SEG_GS },
	{ "mov eax,fs:[rbp] (override beats SS)", "64 8b 45 00", 64, 0x6000,
	  HV_SEG_FS },
	{ "mov [0xfee00030],eax (A3 moffs64)",
	  "a3 30 00 e0 fe 00 00 00 00", 64, 0xfee00030, HV_SEG_DS },
	{ "mov dword [rdi+0x100],imm32", "c7 87 00 01 00 00 01 00 00 00", 64,
	  0x8100, HV_SEG_DS },
	{ "32: mov [0x1000],eax (disp32, no RIP)", "89 05 00 10 00 00", 32,
	  0x1000, HV_SEG_DS },
	{ "32: mov es:[ebx+esi*2],al", "26 88 04 73", 32, 0x4000 + 0x7000 * 2,
	  HV_SEG_ES },
	{ "16: mov [bx+si+2],ax", "89 40 02", 16, 0x4000 + 0x7000 + 2,
	  HV_SEG_DS },
	{ "16: mov [bp+di-1],al: SS", "88 43 ff", 16, 0x6000 + 0x8000 - 1,
	  HV_SEG_SS },
	{ "16: mov [bx+si+0xf000],ax wraps at 64 KiB", "89 80 00 f0", 16,
	  (0x4000 + 0x7000 + 0xf000) & 0xffff, HV_SEG_DS },
	{ "16: mov [0x1234],ax (mod 0 rm 6)", "89 06 34 12", 16, 0x1234,
	  HV_SEG_DS },
};
#define NR_EAS (sizeof(eas) / sizeof(eas[0]))

START_TEST(effective_address)
{
	struct hv_insn in = decode(eas[_i].bytes, eas[_i].mode);
	u64 gpr[16], ea;
	int i;

	for (i = 0; i < 16; i++)
		gpr[i] = (u64)(i + 1) << 12;
	ea = hv_insn_ea(&in, gpr, 0x7000000000ULL);
	ck_assert_msg(ea == eas[_i].ea, "%s: ea %#llx, expected %#llx",
		      eas[_i].what, (unsigned long long)ea,
		      (unsigned long long)eas[_i].ea);
	ck_assert_msg(in.seg == eas[_i].seg, "%s: seg %u", eas[_i].what,
		      in.seg);
}
END_TEST

/* LMSW m16 (0F 01 /6) for CR0 write exits: length, operand, segment */
static const struct {
	const char *what, *bytes;
	int mode;
	unsigned int len;
	u64 ea;
	u8 seg;
} lmsws[] = {
	{ "lmsw [rdi]", "0f 01 37", 64, 3, 0x8000, HV_SEG_DS },
	{ "lmsw [rsp]: SS", "0f 01 34 24", 64, 4, 0x5000, HV_SEG_SS },
	{ "lmsw [rip+0x10]", "0f 01 35 10 00 00 00", 64, 7,
	  0x7000000000 + 0x10, HV_SEG_DS },
	{ "lmsw fs:[r9+8] (REX.B)", "64 41 0f 01 71 08", 64, 6, 0xa000 + 8,
	  HV_SEG_FS },
	{ "66 lmsw [rdi]: still 16 bits", "66 0f 01 37", 64, 4, 0x8000,
	  HV_SEG_DS },
	{ "32: lmsw [ebx+esi*2+4]", "0f 01 74 73 04", 32, 5,
	  0x4000 + 0x7000 * 2 + 4, HV_SEG_DS },
	{ "16: lmsw [0x1234]", "0f 01 36 34 12", 16, 5, 0x1234, HV_SEG_DS },
	{ "16: lmsw es:[bp+si]", "26 0f 01 32", 16, 4, 0x6000 + 0x7000,
	  HV_SEG_ES },
	{ "16: lmsw [bp+2]: SS", "0f 01 76 02", 16, 4, 0x6000 + 2,
	  HV_SEG_SS },
};
#define NR_LMSWS (sizeof(lmsws) / sizeof(lmsws[0]))

START_TEST(decode_lmsw)
{
	struct hv_insn in;
	u64 gpr[16], ea;
	u8 b[32];
	size_t n = hex(lmsws[_i].bytes, b), k;
	int i;

	ck_assert_msg(hv_insn_decode_lmsw(b, n, lmsws[_i].mode, &in) == 0,
		      "%s", lmsws[_i].what);
	ck_assert_msg(in.len == lmsws[_i].len && in.size == 2,
		      "%s: len %u size %u", lmsws[_i].what, in.len, in.size);
	for (i = 0; i < 16; i++)
		gpr[i] = (u64)(i + 1) << 12;
	ea = hv_insn_ea(&in, gpr, 0x7000000000ULL);
	ck_assert_msg(ea == lmsws[_i].ea, "%s: ea %#llx", lmsws[_i].what,
		      (unsigned long long)ea);
	ck_assert_msg(in.seg == lmsws[_i].seg, "%s: seg %u", lmsws[_i].what,
		      in.seg);
	/* The MMIO decoder does not take it; a short fetch asks for more */
	ck_assert_int_eq(hv_insn_decode(b, n, lmsws[_i].mode, &in), -EINVAL);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(hv_insn_decode_lmsw(b, k, lmsws[_i].mode, &in),
				 -E2BIG);
}
END_TEST

START_TEST(decode_lmsw_bad)
{
	static const char *const bad[] = {
		"0f 01 f0",	/* lmsw ax: the register form */
		"0f 01 3f",	/* invlpg [rdi]: 0F 01 /7 */
		"0f 01 17",	/* lgdt [rdi]: 0F 01 /2 */
		"0f 00 37",	/* 0F 00 /6 is not LMSW */
		"89 07",	/* mov [rdi],eax */
	};
	struct hv_insn in;
	unsigned int i;
	u8 b[32];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hv_insn_decode_lmsw(b, hex(bad[i], b), 64,
						  &in) == -EINVAL,
			      "%s", bad[i]);
	ck_assert_int_eq(hv_insn_decode_lmsw(b, 3, 8, &in), -EINVAL);
}
END_TEST

Suite *insn_suite(void)
{
	Suite *s = suite_create("insn");
	TCase *tc = tcase_create("insn");

	tcase_add_loop_test(tc, decode_good, 0, NR_GOOD);
	tcase_add_loop_test(tc, decode_bad, 0, NR_BAD);
	tcase_add_test(tc, decode_empty);
	tcase_add_test(tc, store_values);
	tcase_add_test(tc, load_results);
	tcase_add_test(tc, load_result_ignores_stores);
	tcase_add_loop_test(tc, effective_address, 0, NR_EAS);
	tcase_add_loop_test(tc, decode_lmsw, 0, NR_LMSWS);
	tcase_add_test(tc, decode_lmsw_bad);
	suite_add_tcase(s, tc);
	return s;
}
