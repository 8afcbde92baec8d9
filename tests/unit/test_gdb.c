// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the GDB remote protocol engine of hvctl gdb
 * (cli/gdbstub.c) over a fake target - 4 MiB of guest RAM with 4-level
 * page tables in it, two vCPUs in 64-bit mode (set_prot32() takes one
 * out of it), scripted stops - and `hvctl gdb`'s
 * command line on the fake device.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "gdbstub.h"
#include "hvctl.h"

#define RAM_SIZE	(4u << 20)
/*
 * The fake's paging (SDM Vol 3A, 4.5): PML4 at 0x1000, PDPT at 0x2000,
 * PD at 0x3000: VA 0-2M a 2 MiB page at 0 (identity), VA 2M-4M through
 * the PT at 0x4000: 4 KiB pages, VA 0x200000 + n * 4K at PA 0x300000 +
 * n * 4K for n < 16, the rest not present; VA 4M on: not present.
 */
#define VA_REMAP	0x200000ULL
#define PA_REMAP	0x300000ULL

struct fake_target {
	uint8_t *ram;
	struct hv_regs regs[2];
	struct hv_sregs sregs[2];
	struct hv_guest_debug dbg[2];
	int set_debug_calls;
	int set_debug_err;	/* what set_debug answers from now on */
	int resumes, pauses;
	struct gdb_stop next;	/* what poll_stop says */
	uint8_t fx[2][512];	/* FXSAVE layout, when fpu_set */
	bool fpu_set;
	char out[65536];
	size_t out_len;
};

static struct fake_target ft;
static struct gdb_stub stub;

static int f_get_regs(void *t, unsigned int v, struct hv_regs *r,
		      struct hv_sregs *s)
{
	if (v >= 2)
		return -EINVAL;
	*r = ft.regs[v];
	*s = ft.sregs[v];
	return 0;
}

/* As cli/gdb.c: the reset values it was given unless the test set some */
static int f_get_fpu(void *t, unsigned int v, uint8_t *fx)
{
	if (v >= 2)
		return -EINVAL;
	if (ft.fpu_set)
		memcpy(fx, ft.fx[v], 512);
	return 0;
}

static int f_set_regs(void *t, unsigned int v, const struct hv_regs *r)
{
	if (v >= 2)
		return -EINVAL;
	ft.regs[v] = *r;
	return 0;
}

static int f_read_phys(void *t, uint64_t gpa, void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, ft.ram + gpa, len);
	return 0;
}

static int f_write_phys(void *t, uint64_t gpa, const void *buf, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	memcpy(ft.ram + gpa, buf, len);
	return 0;
}

static int f_set_debug(void *t, unsigned int v, const struct hv_guest_debug *d)
{
	if (v >= 2)
		return -EINVAL;
	if (ft.set_debug_err)
		return ft.set_debug_err;
	ft.dbg[v] = *d;
	ft.set_debug_calls++;
	return 0;
}

static int f_resume(void *t)
{
	ft.resumes++;
	return 0;
}

static int f_pause(void *t)
{
	ft.pauses++;
	if (ft.next.kind == GDB_RUNNING)
		ft.next.kind = GDB_STOP_PAUSED;
	return 0;
}

static int f_poll_stop(void *t, struct gdb_stop *st)
{
	*st = ft.next;
	return 0;
}

static const struct gdb_target_ops fake_ops = {
	.get_regs = f_get_regs, .set_regs = f_set_regs, .get_fpu = f_get_fpu,
	.read_phys = f_read_phys, .write_phys = f_write_phys,
	.set_debug = f_set_debug, .resume = f_resume, .pause = f_pause,
	.poll_stop = f_poll_stop,
};

static int f_write(void *io, const void *buf, size_t len)
{
	ck_assert_uint_le(ft.out_len + len, sizeof(ft.out) - 1);
	memcpy(ft.out + ft.out_len, buf, len);
	ft.out_len += len;
	ft.out[ft.out_len] = '\0';
	return 0;
}

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(ft.ram + pa, &v, 8);
}

static void setup(void)
{
	unsigned int i, v;

	memset(&ft, 0, sizeof(ft));
	ft.ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ft.ram);
	put64(0x1000, 0x2000 | 3);		/* PML4[0] */
	put64(0x2000, 0x3000 | 3);		/* PDPT[0] */
	put64(0x3000, 0x0 | 0x83);		/* PD[0]: 2 MiB at 0 */
	put64(0x3008, 0x4000 | 3);		/* PD[1]: PT */
	for (i = 0; i < 16; i++)
		put64(0x4000 + 8 * i, (PA_REMAP + 4096 * i) | 3);
	for (i = 0; i < 16 * 4096; i++)
		ft.ram[PA_REMAP + i] = (uint8_t)i;
	for (v = 0; v < 2; v++) {
		ft.sregs[v].cr0 = 0x80000011;	/* PG, ET, PE */
		ft.sregs[v].cr3 = 0x1000;
		ft.sregs[v].cr4 = 0x20;		/* PAE */
		ft.sregs[v].efer = 0x500;	/* LMA, LME */
		ft.sregs[v].cs.selector = 0x08;
		ft.sregs[v].cs.l = 1;		/* 64-bit mode */
		ft.regs[v].rflags = 2;
		ft.regs[v].rax = 0x1111111111111111ULL * (v + 1);
		ft.regs[v].rip = 0x100000 + v;
	}
	ft.next.kind = GDB_RUNNING;
	gdb_stub_init(&stub, &fake_ops, NULL, 2, f_write, NULL);
}

static void teardown(void)
{
	free(ft.ram);
}

/* "$PAYLOAD#cs" */
static const char *framed(const char *payload)
{
	static char buf[40008];
	unsigned int sum = 0;
	size_t i;

	for (i = 0; payload[i]; i++)
		sum += (uint8_t)payload[i];
	snprintf(buf, sizeof(buf), "$%s#%02x", payload, sum & 0xff);
	return buf;
}

/* Send one packet; return the reply's payload (acks and framing off) */
static const char *ask(const char *payload)
{
	static char rep[40000];
	const char *f = framed(payload), *d, *h;

	ft.out_len = 0;
	ft.out[0] = '\0';
	ck_assert_int_eq(gdb_stub_input(&stub, f, strlen(f)), 0);
	d = strchr(ft.out, '$');
	if (!d)
		return NULL;
	h = strrchr(d, '#');
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_lt((size_t)(h - d - 1), sizeof(rep));
	memcpy(rep, d + 1, (size_t)(h - d - 1));
	rep[h - d - 1] = '\0';
	/* the checksum we sent is right */
	ck_assert_str_eq(framed(rep), d);	/* framed() reuses its buffer */
	return rep;
}

static void ask_eq(const char *payload, const char *want)
{
	const char *r = ask(payload);

	ck_assert_msg(r && !strcmp(r, want), "%s: got '%s', want '%s'",
		      payload, r ? r : "(none)", want);
}

START_TEST(gdb_basics)
{
	const char *r;

	/* acked, framed, checksummed */
	ck_assert_int_eq(gdb_stub_input(&stub, "$?#3f", 5), 0);
	ck_assert_str_eq(ft.out + 1, framed("T05thread:01;"));
	ck_assert_int_eq(ft.out[0], '+');
	r = ask("qSupported:multiprocess+;swbreak+;hwbreak+");
	ck_assert_ptr_nonnull(strstr(r, "PacketSize=4000"));
	ck_assert_ptr_nonnull(strstr(r, "swbreak+"));
	/* the target description: x86-64, in pieces as gdb asks */
	r = ask("qXfer:features:read:target.xml:0,ffb");
	ck_assert_int_eq(r[0], 'l');
	ck_assert_ptr_nonnull(strstr(r, "<architecture>i386:x86-64</architecture>"));
	ask_eq("qXfer:features:read:target.xml:0,5", "m<?xml");
	ask_eq("qXfer:features:read:target.xml:fff,10", "l");
	ask_eq("qXfer:features:read:other.xml:0,10", "E16");
	ask_eq("qXfer:features:read:target.xml:zz", "E01");
	ask_eq("qfThreadInfo", "m1,2");
	ask_eq("qsThreadInfo", "l");
	ask_eq("qC", "QC1");
	ask_eq("qAttached", "1");
	ask_eq("vCont?", "vCont;c;C;s;S");
	ask_eq("T1", "OK");
	ask_eq("T2", "OK");
	ask_eq("T3", "E16");
	ask_eq("qNoSuchThing", "");
	ask_eq("!", "");
	/* a bad checksum: '-', nothing done */
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_input(&stub, "$?#00", 5), 0);
	ck_assert_str_eq(ft.out, "-");
	/* no-ack mode: after its own OK, no more '+' */
	ask_eq("QStartNoAckMode", "OK");
	ck_assert_int_eq(ft.out[0], '+');
	ask("?");
	ck_assert_int_eq(ft.out[0], '$');
}
END_TEST

START_TEST(gdb_registers)
{
	const char *r;
	char g[2 * 600];

	r = ask("g");
	/* 17 * 8 + 7 * 4 + 80 + 32 + 256 + 4 bytes */
	ck_assert_uint_eq(strlen(r), 2 * 536);
	ck_assert(!strncmp(r, "1111111111111111", 16));		/* rax */
	ck_assert(!strncmp(r + 16 * 16, "0000100000000000", 16));	/* rip */
	ck_assert(!strncmp(r + 17 * 16, "02000000", 8));		/* eflags */
	ck_assert(!strncmp(r + 17 * 16 + 8, "08000000", 8));		/* cs */
	ask_eq("p10", "0000100000000000");
	ask_eq("p11", "02000000");
	ask_eq("p39", "E16");
	/* P: rbx, then RIP; EFLAGS must stay legal */
	ask_eq("P1=efbeadde00000000", "OK");
	ck_assert_uint_eq(ft.regs[0].rbx, 0xdeadbeef);
	ask_eq("P10=0010200000000000", "OK");
	ck_assert_uint_eq(ft.regs[0].rip, 0x201000);
	ask_eq("P11=00000000", "E16");		/* bit 1 clear */
	ask_eq("P11=02010000", "OK");		/* TF */
	ck_assert_uint_eq(ft.regs[0].rflags, 0x102);
	ask_eq("P12=08000000", "E16");		/* segments: read-only */
	/* G: what g gave, with rcx changed */
	snprintf(g, sizeof(g), "G%s", ask("g"));
	memcpy(g + 1 + 2 * 16, "7856341200000000", 16);
	ask_eq(g, "OK");
	ck_assert_uint_eq(ft.regs[0].rcx, 0x12345678);
	/* Hg2: vCPU 1's registers */
	ask_eq("Hg2", "OK");
	ask_eq("p10", "0100100000000000");
	ask_eq("Hg0", "OK");
	ask_eq("Hg3", "E16");
	ask_eq("Hc-1", "OK");
}
END_TEST

/* x87/SSE from the FXSAVE image: gdb's numbering 0x18-0x38 */
START_TEST(gdb_fpu)
{
	static const uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
	uint8_t *fx = ft.fx[0];
	const char *r;
	int i;

	/* nothing from the vCPU: FNINIT's values, MXCSR 0x1f80 */
	ask_eq("p20", "7f030000");
	ask_eq("p22", "ffff0000");	/* every register empty */
	ask_eq("p38", "801f0000");
	ask_eq("p18", "00000000000000000000");

	memset(fx, 0, 512);
	fx[0] = 0x7f; fx[1] = 0x02;		/* FCW 0x27f */
	fx[3] = 0x30;				/* FSW: TOP = 6 */
	fx[4] = 0xc1;				/* physical 0, 6, 7 in use */
	fx[6] = 0xde; fx[7] = 0xf9;		/* FOP 0x1de, 5 junk bits */
	fx[8] = 0x00; fx[9] = 0x10; fx[10] = 0x40;	/* FIP 0x401000 */
	fx[12] = 0x08;				/* FCS */
	fx[17] = 0x20;				/* FDP 0x2000 */
	fx[20] = 0x10;				/* FDS */
	fx[24] = 0xa0; fx[25] = 0x1f;		/* MXCSR 0x1fa0 */
	memcpy(fx + 32, one, 10);		/* ST(0), physical 6: 1.0 */
	fx[64 + 8] = 0xff; fx[64 + 9] = 0x7f;	/* ST(2), physical 0: NaN */
	for (i = 0; i < 16; i++)
		fx[160 + 3 * 16 + i] = (uint8_t)i;	/* XMM3 */
	ft.fpu_set = true;

	ask_eq("p18", "0000000000000080ff3f");	/* st0 */
	ask_eq("p20", "7f020000");		/* fctrl */
	ask_eq("p21", "00300000");		/* fstat */
	/* SDM Vol 1, 8.1.7: p0 special, p1-5 empty, p6 valid, p7 zero */
	ask_eq("p22", "fe4f0000");
	ask_eq("p23", "08000000");		/* fiseg */
	ask_eq("p24", "00104000");		/* fioff */
	ask_eq("p25", "10000000");		/* foseg */
	ask_eq("p26", "00200000");		/* fooff */
	ask_eq("p27", "de010000");		/* fop: 11 bits */
	ask_eq("p2b", "000102030405060708090a0b0c0d0e0f");	/* xmm3 */
	ask_eq("p38", "a01f0000");		/* mxcsr */
	/* the same bytes in g: st0 after 17 * 8 + 7 * 4 bytes */
	r = ask("g");
	ck_assert_uint_eq(strlen(r), 2 * 536);
	ck_assert(!strncmp(r + 2 * 164, "0000000000000080ff3f", 20));
	ck_assert(!strncmp(r + 2 * (164 + 80 + 32 + 3 * 16),
			   "000102030405060708090a0b0c0d0e0f", 32));
	ck_assert(!strncmp(r + 2 * (536 - 4), "a01f0000", 8));
	/* read-only: P of an x87 register is refused */
	ask_eq("P20=7f030000", "E16");
}
END_TEST

/* A vCPU outside 64-bit mode: sregs of 32-bit protected mode, flat */
static void set_prot32(unsigned int v)
{
	ft.sregs[v].cr0 = 0x11;			/* PE, ET; no paging */
	ft.sregs[v].efer = 0;
	ft.sregs[v].cs.l = 0;
	ft.sregs[v].cs.db = 1;
}

/* The whole target description, read in pieces of @chunk as gdb does */
static const char *read_tdesc(unsigned int chunk)
{
	static char xml[16384];
	char q[64];
	const char *r;
	size_t len = 0;

	for (;;) {
		snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,%x",
			 len, chunk);
		r = ask(q);
		ck_assert_ptr_nonnull(r);
		ck_assert(r[0] == 'm' || r[0] == 'l');
		ck_assert_uint_le(strlen(r + 1), chunk);
		ck_assert_uint_lt(len + strlen(r + 1), sizeof(xml));
		memcpy(xml + len, r + 1, strlen(r + 1));
		len += strlen(r + 1);
		if (r[0] == 'l')
			break;
		ck_assert_uint_gt(strlen(r + 1), 0);
	}
	xml[len] = '\0';
	return xml;
}

/* qXfer target.xml: x86-64 in 64-bit mode, i386 in any other, chosen
 * at connect time and kept */
START_TEST(gdb_tdesc_modes)
{
	static const char *const regs32[] = {
		"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip",
		"eflags", "cs", "ss", "ds", "es", "fs", "gs", "st0", "st7",
		"fctrl", "fop", "xmm0", "xmm7", "mxcsr",
	};
	char name[32];
	const char *x, *prev;
	size_t i;

	/* 64-bit mode (the fixture): only the architecture, as before */
	ck_assert_ptr_nonnull(strstr(ask("qSupported"), "qXfer:features:read+"));
	x = read_tdesc(0xffb);
	ck_assert_str_eq(x, "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM "
			 "\"gdb-target.dtd\"><target><architecture>"
			 "i386:x86-64</architecture></target>");
	ck_assert(stub.arch == GDB_ARCH_X86_64);
	/* chosen at connect: a vCPU that leaves 64-bit mode later keeps it */
	set_prot32(0);
	ck_assert_ptr_nonnull(strstr(read_tdesc(0xffb), "i386:x86-64"));
	ck_assert_uint_eq(strlen(ask("g")), 2 * 536);

	/* 32-bit protected mode when gdb connects: i386, registers spelled
	 * out in gdb's order, read whole and in small pieces alike */
	gdb_stub_init(&stub, &fake_ops, NULL, 2, f_write, NULL);
	ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386");
	ck_assert(stub.arch == GDB_ARCH_I386);
	x = read_tdesc(0x3fff);
	ck_assert_str_eq(read_tdesc(0x10), x);
	ck_assert(!strncmp(x, "<?xml version=\"1.0\"?>", 21));
	ck_assert_ptr_nonnull(strstr(x, "<architecture>i386</architecture>"));
	ck_assert_ptr_null(strstr(x, "x86-64"));
	ck_assert_ptr_nonnull(strstr(x, "<feature name=\"org.gnu.gdb.i386.core\">"));
	ck_assert_ptr_nonnull(strstr(x, "<feature name=\"org.gnu.gdb.i386.sse\">"));
	ck_assert_ptr_null(strstr(x, "org.gnu.gdb.i386.linux"));
	ck_assert_ptr_null(strstr(x, "rax"));
	ck_assert_ptr_null(strstr(x, "xmm8"));
	ck_assert(!strcmp(x + strlen(x) - 9, "</target>"));
	/* the remote protocol's special characters would need escaping */
	ck_assert_ptr_null(strpbrk(x, "#$}*"));
	prev = x;
	for (i = 0; i < sizeof(regs32) / sizeof(regs32[0]); i++) {
		snprintf(name, sizeof(name), "<reg name=\"%s\"", regs32[i]);
		ck_assert_msg(strstr(prev, name), "%s missing or out of order",
			      regs32[i]);
		prev = strstr(prev, name);
	}
	ck_assert_ptr_nonnull(strstr(x, "<reg name=\"eip\" bitsize=\"32\" "
				     "type=\"code_ptr\"/>"));
	ck_assert_ptr_nonnull(strstr(x, "<reg name=\"st0\" bitsize=\"80\""));
	ck_assert_ptr_nonnull(strstr(x, "<reg name=\"xmm0\" bitsize=\"128\""));
	ask_eq("qXfer:features:read:target.xml:fffff,10", "l");

	/* compatibility mode (LMA, CS.L = 0) and real mode: i386 too */
	ft.sregs[0].cr0 = 0x80000011;
	ft.sregs[0].efer = 0x500;
	ft.sregs[0].cs.l = 0;
	gdb_stub_init(&stub, &fake_ops, NULL, 2, f_write, NULL);
	ck_assert_ptr_nonnull(strstr(read_tdesc(0xffb), "<architecture>i386<"));
	ft.sregs[0].cr0 = 0x60000010;
	ft.sregs[0].efer = 0;
	ft.sregs[0].cs.db = 0;
	gdb_stub_init(&stub, &fake_ops, NULL, 2, f_write, NULL);
	ck_assert_uint_eq(strlen(ask("g")), 2 * 308);	/* chosen by g */
	ck_assert(stub.arch == GDB_ARCH_I386);
}
END_TEST

/* g/G/p/P in the i386 file: 4-byte GPRs in gdb's i386 order */
START_TEST(gdb_registers32)
{
	static const uint8_t one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f };
	struct hv_regs *rg = &ft.regs[0];
	char g[2 * 400];
	const char *r;
	int i;

	set_prot32(0);
	rg->rax = 0xaaaaaaaa11111111ULL;
	rg->rcx = 0x22222222;
	rg->rdx = 0x33333333;
	rg->rbx = 0x44444444;
	rg->rsp = 0x55555555;
	rg->rbp = 0x66666666;
	rg->rsi = 0x77777777;
	rg->rdi = 0x88888888;
	rg->r8 = 0x9999999999999999ULL;		/* not in the i386 file */
	rg->rip = 0x00101234;
	rg->rflags = 0x246;
	ft.sregs[0].cs.selector = 0x10;
	ft.sregs[0].ss.selector = 0x18;
	ft.sregs[0].gs.selector = 0x28;
	memset(ft.fx[0], 0, 512);
	ft.fx[0][0] = 0x7f;
	ft.fx[0][1] = 0x03;			/* FCW 0x37f */
	ft.fx[0][24] = 0x80;
	ft.fx[0][25] = 0x1f;			/* MXCSR 0x1f80 */
	memcpy(ft.fx[0] + 32, one, 10);		/* ST(0) = 1.0 */
	for (i = 0; i < 16; i++) {
		ft.fx[0][160 + 7 * 16 + i] = (uint8_t)(0xf0 + i);	/* XMM7 */
		ft.fx[0][160 + 8 * 16 + i] = 0xee;	/* XMM8: not shown */
	}
	ft.fpu_set = true;

	r = ask("g");
	/* 10 * 4 + 6 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4 bytes */
	ck_assert_uint_eq(strlen(r), 2 * 308);
	ck_assert(!strncmp(r, "11111111" "22222222" "33333333" "44444444"
			   "55555555" "66666666" "77777777" "88888888", 64));
	ck_assert(!strncmp(r + 2 * 32, "34121000", 8));		/* eip */
	ck_assert(!strncmp(r + 2 * 36, "46020000", 8));		/* eflags */
	ck_assert(!strncmp(r + 2 * 40, "10000000" "18000000", 16)); /* cs ss */
	ck_assert(!strncmp(r + 2 * 60, "28000000", 8));		/* gs */
	ck_assert(!strncmp(r + 2 * 64, "0000000000000080ff3f", 20)); /* st0 */
	ck_assert(!strncmp(r + 2 * 144, "7f030000", 8));	/* fctrl */
	ck_assert(!strncmp(r + 2 * (176 + 7 * 16),
			   "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 32));	/* xmm7 */
	ck_assert(!strncmp(r + 2 * 304, "801f0000", 8));	/* mxcsr */
	ck_assert_ptr_null(strstr(r, "eeeeeeee"));
	ck_assert_ptr_null(strstr(r, "99999999"));
	/* p: the same numbers */
	ask_eq("p0", "11111111");
	ask_eq("p3", "44444444");		/* ebx */
	ask_eq("p4", "55555555");		/* esp */
	ask_eq("p8", "34121000");		/* eip */
	ask_eq("p9", "46020000");		/* eflags */
	ask_eq("pa", "10000000");		/* cs */
	ask_eq("p10", "0000000000000080ff3f");	/* st0 */
	ask_eq("p18", "7f030000");		/* fctrl */
	ask_eq("p27", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");	/* xmm7 */
	ask_eq("p28", "801f0000");		/* mxcsr */
	ask_eq("p29", "E16");			/* 41 registers */
	/* P: 4 bytes; the upper half of the 64-bit register stays */
	ask_eq("P0=efbeadde", "OK");
	ck_assert_uint_eq(rg->rax, 0xaaaaaaaadeadbeefULL);
	ask_eq("P3=01000000", "OK");		/* ebx */
	ck_assert_uint_eq(rg->rbx, 1);
	ask_eq("P8=00201000", "OK");		/* eip */
	ck_assert_uint_eq(rg->rip, 0x102000);
	ask_eq("P9=00000000", "E16");		/* bit 1 clear */
	ask_eq("P9=02010000", "OK");		/* TF */
	ck_assert_uint_eq(rg->rflags, 0x102);
	ask_eq("P0=efbeadde00000000", "E01");	/* 8 bytes: x86-64's size */
	ask_eq("Pa=10000000", "E16");		/* segments: read-only */
	ask_eq("P10=00000000000000000000", "E16");	/* st0 */
	ck_assert_uint_eq(rg->r8, 0x9999999999999999ULL);
	/* G: what g gave, with ecx and esp changed */
	snprintf(g, sizeof(g), "G%s", ask("g"));
	memcpy(g + 1 + 2 * 4, "78563412", 8);
	memcpy(g + 1 + 2 * 16, "f0ff0f00", 8);
	ask_eq(g, "OK");
	ck_assert_uint_eq(rg->rcx, 0x12345678);
	ck_assert_uint_eq(rg->rsp, 0xffff0);
	ck_assert_uint_eq(rg->rax, 0xaaaaaaaadeadbeefULL);
	ck_assert_uint_eq(rg->rip, 0x102000);
	ck_assert_uint_eq(rg->r8, 0x9999999999999999ULL);
	/* G: the GPRs, EIP and EFLAGS at least (40 bytes), 308 at most */
	g[1 + 2 * 40] = '\0';
	ask_eq(g, "OK");
	g[1 + 2 * 39] = '\0';
	ask_eq(g, "E01");
	memset(g, '0', sizeof(g) - 1);
	g[0] = 'G';
	memcpy(g + 1 + 2 * 36, "02000000", 8);	/* a legal EFLAGS */
	g[1 + 2 * 309] = '\0';
	ask_eq(g, "E01");
	g[1 + 2 * 308] = '\0';
	ask_eq(g, "OK");
	ck_assert_uint_eq(rg->rax, 0xaaaaaaaa00000000ULL);
	/* vCPU 1 is still in 64-bit mode: the session's file stays i386 */
	ask_eq("Hg2", "OK");
	ck_assert_uint_eq(strlen(ask("g")), 2 * 308);
	ask_eq("p8", "01001000");		/* its RIP's low half */
}
END_TEST

START_TEST(gdb_memory)
{
	const char *r;

	/* identity 2 MiB page */
	ft.ram[0x100000] = 0x55;
	ft.ram[0x100001] = 0x48;
	ask_eq("m100000,2", "5548");
	/* 4 KiB pages elsewhere: VA 0x200010 is PA 0x300010 */
	ask_eq("m200010,4", "10111213");
	/* the last mapped page, then nothing: a short read */
	r = ask("m20fffe,4");
	ck_assert_str_eq(r, "feff");
	ask_eq("m210000,1", "E0e");
	ask_eq("m400000,1", "E0e");
	ask_eq("mffff800000000000,1", "E0e");
	/* writes through the same walk */
	ask_eq("M200020,2:abcd", "OK");
	ck_assert_uint_eq(ft.ram[PA_REMAP + 0x20], 0xab);
	ck_assert_uint_eq(ft.ram[PA_REMAP + 0x21], 0xcd);
	ask_eq("M210000,1:00", "E0e");
	ask_eq("M200020,2:ab", "E01");		/* length and data differ */
	ask_eq("M200020,1:zz", "E01");
	/* paging off: linear = physical */
	ft.sregs[0].cr0 = 0x11;
	ft.sregs[0].efer = 0;
	ask_eq("m300010,1", "10");
}
END_TEST

/* The walker's other modes: PAE (3 levels, 2 MiB pages) and 32-bit (4 MiB) */
START_TEST(gdb_translate_modes)
{
	struct hv_sregs sr = { 0 };
	uint64_t pa;
	uint32_t e32;

	/* PAE (SDM Vol 3A, 4.4): PDPT at 0x5000 (CR3 32-byte aligned) */
	put64(0x5000 + 8 * 1, 0x6000 | 1);		/* PDPTE 1: 1-2 GiB */
	put64(0x6000 + 8 * 3, 0x200000 | 0x83);	/* PDE 3: 2 MiB page */
	put64(0x6000 + 8 * 4, 0x7000 | 3);		/* PDE 4: a PT */
	put64(0x7000 + 8 * 5, 0x123000 | 3);
	sr.cr0 = 0x80000011;
	sr.cr3 = 0x5000;
	sr.cr4 = 0x20;
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x40600123, &pa), 0);
	ck_assert_uint_eq(pa, 0x200123);
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x40805abc, &pa), 0);
	ck_assert_uint_eq(pa, 0x123abc);
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x40806000, &pa), -EFAULT);
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x80000000, &pa), -EFAULT);
	/* 32-bit paging (4.3): PD at 0x8000, a 4 MiB page with PSE, a PT */
	e32 = 0x00400000 | 0x83;			/* PDE 1: 4-8 MiB */
	memcpy(ft.ram + 0x8000 + 4 * 1, &e32, 4);
	e32 = 0x9000 | 3;				/* PDE 2: a PT */
	memcpy(ft.ram + 0x8000 + 4 * 2, &e32, 4);
	e32 = 0x321000 | 3;				/* PTE 7 */
	memcpy(ft.ram + 0x9000 + 4 * 7, &e32, 4);
	sr.cr3 = 0x8000;
	sr.cr4 = 0x10;					/* PSE */
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x00412345, &pa), 0);
	ck_assert_uint_eq(pa, 0x412345);
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x00807fff, &pa), 0);
	ck_assert_uint_eq(pa, 0x321fff);
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x00808000, &pa), -EFAULT);
	/* without PSE the PS bit means nothing: PDE 1 is a PT at 4 MiB,
	 * outside the fake's RAM */
	sr.cr4 = 0;
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x00412345, &pa), -EFAULT);
	/* 5-level paging is not walked */
	sr.cr4 = 0x1000 | 0x20;
	sr.efer = 0x500;
	ck_assert_int_eq(gdb_translate(&stub, &sr, 0x1000, &pa), -EINVAL);
}
END_TEST

START_TEST(gdb_breakpoints)
{
	const char *r;

	ft.ram[0x100000] = 0x55;
	ask_eq("Z0,100000,1", "OK");
	ck_assert_uint_eq(ft.ram[0x100000], 0xcc);
	ask_eq("m100000,1", "55");		/* gdb sees its byte */
	ask_eq("Z0,100000,1", "OK");		/* twice: still one */
	ask_eq("Z0,100000,2", "E16");		/* x86: kind 1 */
	ask_eq("Z0,400000,1", "E0e");		/* not mapped */
	/* hardware: execute on 0x100010, write watch 8 bytes on 0x102000 */
	ask_eq("Z1,100010,1", "OK");
	ask_eq("Z2,102000,8", "OK");
	ask_eq("Z2,102001,8", "E16");		/* misaligned */
	ask_eq("Z3,102000,3", "E16");		/* length 3 */
	ask_eq("Z2,800000000000,1", "E16");	/* not canonical */
	ask_eq("Z4,102010,4", "OK");
	ask_eq("Z3,102020,2", "OK");
	ask_eq("Z1,100020,1", "E1c");		/* four slots only */
	ask_eq("Z5,100000,1", "");		/* no such type */
	/* continue: every vCPU armed alike; no reply until the stop */
	r = ask("c");
	ck_assert_ptr_null(r);
	ck_assert_str_eq(ft.out, "+");
	ck_assert_int_eq(ft.resumes, 1);
	ck_assert_uint_eq(ft.dbg[0].flags, HV_GUESTDBG_ENABLE |
			  HV_GUESTDBG_SW_BP | HV_GUESTDBG_HW_BP);
	ck_assert_uint_eq(ft.dbg[1].flags, ft.dbg[0].flags);
	ck_assert_uint_eq(ft.dbg[0].dr[0], 0x100010);
	ck_assert_uint_eq(ft.dbg[0].dr[1], 0x102000);
	ck_assert_uint_eq(ft.dbg[0].dr[2], 0x102010);
	ck_assert_uint_eq(ft.dbg[0].dr[3], 0x102020);
	/* L0-L3, GE; RW 00 01 11 11; LEN 00 10 11 01 */
	ck_assert_uint_eq(ft.dbg[0].dr7, 0x55 | 1 << 9 |
			  (0x0ULL << 16) | (0x9ULL << 20) | (0xfULL << 24) |
			  (0x7ULL << 28));
	/* still running: nothing */
	ck_assert_int_eq(gdb_stub_poll(&stub), 0);
	/* the watchpoint in DR1 on vCPU 1 */
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 1,
				     .exception = 1, .dr6 = 0xffff0ff2 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:02;watch:102000;"));
	ask_eq("?", "T05thread:02;watch:102000;");
	ask_eq("p10", "0100100000000000");	/* Hg follows the stop */
	/* the INT3 */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 3, .rip = 0x100000 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:01;swbreak:;"));
	/* DR0: hwbreak */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 1, .dr6 = 0xffff0ff1 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:01;hwbreak:;"));
	/* out again */
	ask_eq("z0,100000,1", "OK");
	ck_assert_uint_eq(ft.ram[0x100000], 0x55);
	ask_eq("z0,100000,1", "OK");		/* not there: fine */
	ask_eq("z1,100010,1", "OK");
	ask_eq("z2,102000,8", "OK");
	ask_eq("z4,102010,4", "OK");
	ask_eq("z3,102020,2", "OK");
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ck_assert_uint_eq(ft.dbg[0].flags, 0);
	ck_assert_uint_eq(ft.dbg[0].dr7, 0);
}
END_TEST

START_TEST(gdb_step_and_stop)
{
	/* vCont: vCPU 2 steps, the others continue */
	ck_assert_ptr_null(ask("vCont;s:2;c"));
	ck_assert_uint_eq(ft.dbg[1].flags, HV_GUESTDBG_ENABLE |
			  HV_GUESTDBG_SINGLESTEP);
	ck_assert_uint_eq(ft.dbg[0].flags, 0);
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 1,
				     .exception = 1, .dr6 = 0xffff4ff0 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:02;"));
	/* s: the Hc thread, the one that stopped */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("s"));
	ck_assert_uint_eq(ft.dbg[1].flags, HV_GUESTDBG_ENABLE |
			  HV_GUESTDBG_SINGLESTEP);
	ck_assert_uint_eq(ft.dbg[0].flags, 0);
	/* Ctrl-C while it runs: paused, T02 */
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_input(&stub, "\x03", 1), 0);
	ck_assert_int_eq(ft.pauses, 1);
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T02thread:02;"));
	/* a packet while running is not answered (all-stop) */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ck_assert_ptr_null(ask("g"));
	/* the VM ends: W with its exit value, and the session is over */
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_EXITED, .status = 55 };
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("W37"));
	ck_assert(stub.done);
}
END_TEST

/*
 * An INT3 that is not one of gdb's (the guest's own): the #BP goes back
 * to the guest (HV_GUESTDBG_INJECT_BP on that vCPU, with the debugging
 * in force), the target runs on and gdb hears nothing; gdb's own still
 * stop.  If the target refuses, gdb gets the stop rather than nothing.
 */
START_TEST(gdb_guest_int3)
{
	const uint32_t sw = HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP;

	ft.ram[0x100000] = 0x55;
	ask_eq("Z0,100000,1", "OK");
	ck_assert_ptr_null(ask("c"));
	ck_assert_int_eq(ft.resumes, 1);
	ck_assert_uint_eq(ft.dbg[1].flags, sw);
	/* vCPU 2's INT3 at 0x100040: back to the guest, no reply */
	ft.out_len = 0;
	ft.out[0] = '\0';
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 1,
				     .exception = 3, .rip = 0x100040 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 0);
	ck_assert_str_eq(ft.out, "");
	ck_assert(stub.running);
	ck_assert_int_eq(ft.resumes, 2);
	ck_assert_uint_eq(ft.dbg[1].flags, sw | HV_GUESTDBG_INJECT_BP);
	ck_assert_uint_eq(ft.dbg[0].flags, sw);	/* the others as they were */
	/* gdb's INT3 on vCPU 1: the stop */
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 3, .rip = 0x100000 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:01;swbreak:;"));
	ck_assert_int_eq(ft.resumes, 2);
	/* a step of vCPU 2 goes on stepping through the guest's INT3 */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("vCont;s:2;c"));
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 1,
				     .exception = 3, .rip = 0x100040 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 0);
	ck_assert_uint_eq(ft.dbg[1].flags, sw | HV_GUESTDBG_SINGLESTEP |
			  HV_GUESTDBG_INJECT_BP);
	/* ... and a guest INT3 on the vCPU that does not step: no step */
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 3, .rip = 0x100041 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 0);
	ck_assert_uint_eq(ft.dbg[0].flags, sw | HV_GUESTDBG_INJECT_BP);
	ck_assert_int_eq(ft.resumes, 5);
	/* a #DB is never given back: a step or hardware stop is gdb's */
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 1,
				     .exception = 1, .dr6 = 0xffff4ff0,
				     .rip = 0x100040 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:02;"));
	/* the target refuses the injection: gdb gets the SIGTRAP */
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ft.set_debug_err = -EBUSY;
	ft.out_len = 0;
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 3, .rip = 0x100080 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 1);
	ck_assert_str_eq(ft.out, framed("T05thread:01;swbreak:;"));
	ck_assert_int_eq(ft.resumes, 6);
	ft.set_debug_err = 0;
	/* gdb's breakpoint out: an INT3 there now is the guest's */
	ask_eq("z0,100000,1", "OK");
	ask_eq("Z0,100010,1", "OK");
	ft.next.kind = GDB_RUNNING;
	ck_assert_ptr_null(ask("c"));
	ft.out_len = 0;
	ft.out[0] = '\0';
	ft.next = (struct gdb_stop){ .kind = GDB_STOP_DEBUG, .vcpu = 0,
				     .exception = 3, .rip = 0x100000 };
	ck_assert_int_eq(gdb_stub_poll(&stub), 0);
	ck_assert_str_eq(ft.out, "");
	ck_assert_int_eq(ft.resumes, 8);
	ck_assert_uint_eq(ft.dbg[0].flags, sw | HV_GUESTDBG_INJECT_BP);
}
END_TEST

START_TEST(gdb_detach)
{
	ft.ram[0x100000] = 0x55;
	ask_eq("Z0,100000,1", "OK");
	ask_eq("Z1,100010,1", "OK");
	ft.set_debug_calls = 0;
	ask_eq("D", "OK");
	ck_assert(stub.done);
	ck_assert_uint_eq(ft.ram[0x100000], 0x55);
	ck_assert_int_eq(ft.set_debug_calls, 2);
	ck_assert_uint_eq(ft.dbg[0].flags, 0);
	ck_assert_uint_eq(ft.dbg[1].flags, 0);
	ck_assert_int_eq(ft.resumes, 1);	/* left running */
	/* after D nothing more is read */
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_input(&stub, "$?#3f", 5), 0);
	ck_assert_uint_eq(ft.out_len, 0);
}
END_TEST

START_TEST(gdb_kill)
{
	/* k: no reply, detached, left running */
	ck_assert_ptr_null(ask("k"));
	ck_assert(stub.done);
	ck_assert_int_eq(ft.resumes, 1);
}
END_TEST

/* Malformed packets: an error or the empty reply each, nothing changed */
START_TEST(gdb_malformed)
{
	static const char *const bad[] = {
		"m", "m,", "mzz,1", "m1", "m1,", "m1,zz", "m1,1x",
		"m11111111111111111,1", "M", "M1,2:0", "M1,1:zz", "M1,1",
		"M1,1:000", "M1,1000000:00", "Z", "Z0", "Z0,", "Z0,1",
		"Z0,1,", "Z0,1,1x", "z", "z1,", "P", "P1", "P1=", "P1=zz",
		"P1=00", "Pff=0000000000000000", "p", "pzz", "p999",
		"p10x", "G", "G00", "Gzz", "H", "Hx1", "Hg", "Hgzz", "Hg1x",
		"T", "Tzz", "T0", "vCont", "vCont;", "vCont;x", "vCont;s:zz",
		"vCont;s:9", "vContx", "c1", "s1", "g1",
	};
	struct hv_regs before = ft.regs[0];
	uint8_t *copy = malloc(RAM_SIZE);
	const char *r;
	size_t i;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, ft.ram, RAM_SIZE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ask(bad[i]);
		ck_assert_msg(r && (r[0] == 'E' || r[0] == '\0'),
			      "'%s': reply '%s'", bad[i], r ? r : "(none)");
	}
	ck_assert(!memcmp(&before, &ft.regs[0], sizeof(before)));
	ck_assert(!memcmp(copy, ft.ram, RAM_SIZE));
	ck_assert_int_eq(ft.resumes, 0);
	free(copy);
}
END_TEST

/* Oversized packets, junk and random bytes: never a crash */
START_TEST(gdb_fuzz)
{
	static char big[GDB_MAX_PACKET + 100];
	unsigned int seed = 12345, i;
	uint8_t junk[4096];
	int round;

	memset(big, 'm', sizeof(big) - 1);
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_input(&stub, framed(big),
					strlen(framed(big))), 0);
	ck_assert_str_eq(ft.out, "-");		/* too long: asked again */
	ft.out_len = 0;
	ck_assert_int_eq(gdb_stub_input(&stub, "$?#zz", 5), 0);
	ck_assert_str_eq(ft.out, "-");
	ask_eq("", "");
	for (round = 0; round < 200; round++) {
		for (i = 0; i < sizeof(junk); i++) {
			seed = seed * 1103515245 + 12345;
			junk[i] = (uint8_t)(seed >> 16);
			/* now and then a frame character, to reach the parser */
			if ((seed >> 8) % 17 == 0)
				junk[i] = "$#03+-:,;"[(seed >> 4) % 9];
		}
		ft.out_len = 0;
		/* the engine may answer anything; it must not crash */
		gdb_stub_input(&stub, junk, sizeof(junk));
		if (stub.done || stub.running)
			gdb_stub_init(&stub, &fake_ops, NULL, 2, f_write, NULL);
	}
}
END_TEST

/* hvctl gdb: its command line */
START_TEST(cli_gdb_usage)
{
	char *out, *err;

	ck_assert_int_eq(run_hvctl(&out, &err, "gdb", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "gdb"));
	free(out);
	free(err);
	ck_assert_int_eq(run_hvctl(&out, &err, "gdb", "vm", "--listen",
				   "nohost:1", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "--listen nohost:1: not ADDR:PORT"));
	free(out);
	free(err);
	ck_assert_int_eq(run_hvctl(&out, &err, "gdb", "vm", "--listen",
				   "127.0.0.1:70000", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "not ADDR:PORT"));
	free(out);
	free(err);
	ck_assert_int_eq(run_hvctl(&out, &err, "help", "gdb", NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "--listen ADDR:PORT"));
	free(out);
	free(err);
}
END_TEST

/* ---- hvctl gdb end to end, on the fake device ---- */

struct hvctl_thread {
	char port[32];
	char *out, *err;
	int ret;
};

static void *hvctl_gdb_thread(void *arg)
{
	struct hvctl_thread *h = arg;

	h->ret = run_hvctl(&h->out, &h->err, "gdb", "g", "--listen", h->port,
			   NULL);
	return NULL;
}

/* The stub's next packet over TCP: its payload, acks skipped */
static const char *tcp_reply(int fd)
{
	static char rep[8192];
	size_t n = 0;
	char c;
	int hashes = -1;

	while (read(fd, &c, 1) == 1) {
		if (hashes < 0) {
			if (c == '$')
				hashes = 0;
			continue;		/* '+' acks */
		}
		if (hashes > 0) {
			if (++hashes == 3)
				break;		/* two checksum digits */
			continue;
		}
		if (c == '#') {
			hashes = 1;
			continue;
		}
		ck_assert_uint_lt(n, sizeof(rep) - 1);
		rep[n++] = c;
	}
	rep[n] = '\0';
	return rep;
}

/* One packet to the stub over TCP; its reply's payload */
static const char *tcp_ask(int fd, const char *payload)
{
	const char *f = framed(payload);

	ck_assert_int_eq(write(fd, f, strlen(f)), (ssize_t)strlen(f));
	return tcp_reply(fd);
}

START_TEST(cli_gdb_session)
{
	struct hvctl_thread h = { .ret = -1 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct fake_vm *fv;
	pthread_t th;
	const char *r;
	uint8_t b = 0x55;
	int fd = -1, i, port = 20000 + getpid() % 20000;

	free(HVCTL(0, "", "create", "g", "--mem", "64K"));
	fv = fake_vm_named("g");
	ck_assert_ptr_nonnull(fv);
	fv->managed = true;
	fv->state = HV_VM_STATE_CREATED;
	ck_assert_int_eq(pwrite(fv->fd, &b, 1, 0x1000), 1);

	snprintf(h.port, sizeof(h.port), "127.0.0.1:%d", port);
	ck_assert_int_eq(pthread_create(&th, NULL, hvctl_gdb_thread, &h), 0);
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 200; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_ge(fd, 0);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		close(fd);
		fd = -1;
		usleep(10000);
	}
	ck_assert_int_ge(fd, 0);

	ck_assert_str_eq(tcp_ask(fd, "?"), "T05thread:01;");
	/* the fake's vCPU is in real mode: the i386 file */
	r = tcp_ask(fd, "qSupported:swbreak+");
	ck_assert_ptr_nonnull(strstr(r, "qXfer:features:read+"));
	r = tcp_ask(fd, "qXfer:features:read:target.xml:0,3fff");
	ck_assert_ptr_nonnull(strstr(r, "<architecture>i386</architecture>"));
	r = tcp_ask(fd, "g");
	ck_assert_uint_eq(strlen(r), 2 * 308);
	ck_assert(!strncmp(r + 8 * 8, "f0ff0000", 8));		/* eip */
	ck_assert_str_eq(tcp_ask(fd, "m1000,1"), "55");		/* no paging */
	ck_assert_str_eq(tcp_ask(fd, "Z0,1000,1"), "OK");
	ck_assert_int_eq(pread(fv->fd, &b, 1, 0x1000), 1);
	ck_assert_uint_eq(b, 0xcc);
	/* continue: a VM never started starts, its vCPU armed */
	ck_assert_int_eq(write(fd, framed("c"), 5), 5);
	for (i = 0; i < 200 && fv->state != HV_VM_STATE_RUNNING; i++)
		usleep(10000);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert_uint_eq(fake_last_debug.flags,
			  HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP);
	/*
	 * The guest's own INT3 at 0x2000: the stub gives the #BP back
	 * (INJECT_BP through libhv) and resumes the VM, gdb hears nothing.
	 */
	fv->dbg_stop = (struct hv_debug_stop){ .seq = 1, .vcpu = 0,
					       .exception = 3, .rip = 0x2000 };
	fv->state = HV_VM_STATE_PAUSED;
	for (i = 0; i < 300 && fv->resumes != 1; i++)
		usleep(10000);
	ck_assert_uint_eq(fv->resumes, 1);
	ck_assert_uint_eq(fake_last_debug.flags, HV_GUESTDBG_ENABLE |
			  HV_GUESTDBG_SW_BP | HV_GUESTDBG_INJECT_BP);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	/* the module's debug stop at gdb's INT3: paused, recorded */
	fv->dbg_stop = (struct hv_debug_stop){ .seq = 2, .vcpu = 0,
					       .exception = 3, .rip = 0x1000 };
	fv->state = HV_VM_STATE_PAUSED;
	/*
	 * gdb sends nothing while the VM runs; it waits for the stop reply.
	 * (A packet sent now is dropped if the stub reads it before it sees
	 * the stop, answered after the stop reply if after: a race.)
	 */
	ck_assert_str_eq(tcp_reply(fd), "T05thread:01;swbreak:;");
	/* detach: the byte back, debugging off, the VM resumed */
	ck_assert_str_eq(tcp_ask(fd, "D"), "OK");
	pthread_join(th, NULL);
	close(fd);
	ck_assert_int_eq(h.ret, 0);
	ck_assert_ptr_nonnull(strstr(h.out, "waiting for gdb on 127.0.0.1:"));
	ck_assert_msg(strstr(h.out, "gdb connected: i386 registers"), "%s", h.out);
	ck_assert_int_eq(pread(fv->fd, &b, 1, 0x1000), 1);
	ck_assert_uint_eq(b, 0x55);
	ck_assert_uint_eq(fake_last_debug.flags, 0);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert_uint_eq(fv->resumes, 2);
	free(h.out);
	free(h.err);
}
END_TEST

Suite *gdb_suite(void)
{
	Suite *s = suite_create("gdb");
	TCase *tc = tcase_create("stub");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, gdb_basics);
	tcase_add_test(tc, gdb_registers);
	tcase_add_test(tc, gdb_fpu);
	tcase_add_test(tc, gdb_tdesc_modes);
	tcase_add_test(tc, gdb_registers32);
	tcase_add_test(tc, gdb_memory);
	tcase_add_test(tc, gdb_translate_modes);
	tcase_add_test(tc, gdb_breakpoints);
	tcase_add_test(tc, gdb_step_and_stop);
	tcase_add_test(tc, gdb_guest_int3);
	tcase_add_test(tc, gdb_detach);
	tcase_add_test(tc, gdb_kill);
	tcase_add_test(tc, gdb_malformed);
	tcase_add_test(tc, gdb_fuzz);
	suite_add_tcase(s, tc);
	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(tc, cli_gdb_usage);
	tcase_add_test(tc, cli_gdb_session);
	suite_add_tcase(s, tc);
	return s;
}
