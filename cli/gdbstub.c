// SPDX-License-Identifier: GPL-2.0
/*
 * The GDB remote serial protocol engine (cli/gdbstub.h has the list of
 * packets).  Reference: the GDB manual, "Remote Protocol" (E.1 Overview,
 * E.2 Packets, E.3 Stop Reply Packets, E.4 General Query Packets).
 *
 * Everything from the wire is untrusted: every number is parsed with a
 * bound, every length checked against the buffers, and a packet that
 * does not parse gets "E01" (bad syntax), "E14" (memory the guest's
 * page tables do not map, EFAULT), "E22" (a value out of range).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gdbstub.h"

/*
 * The register file gdb assumes for i386:x86-64 without a description.
 * The engine works in these numbers; the i386 file's are mapped to them
 * (reg_x86_64()).
 */
#define GDB_NR_GPRS		16	/* rax rbx rcx rdx rsi rdi rbp rsp r8-r15 */
#define GDB_REG_RIP		16
#define GDB_REG_EFLAGS		17
#define GDB_REG_CS		18	/* cs ss ds es fs gs: 18-23, 4 bytes */
#define GDB_REG_ST0		24	/* st0-7: 10 bytes each */
#define GDB_REG_FCTRL		32	/* fctrl .. fop: 32-39, 4 bytes */
#define GDB_REG_XMM0		40	/* xmm0-15: 16 bytes each */
#define GDB_REG_MXCSR		56
#define GDB_NR_REGS		57
#define GDB_G_SIZE		(17 * 8 + 7 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4)

/*
 * The i386 file (cli/gdbtdesc.c): eax ecx edx ebx esp ebp esi edi, eip,
 * eflags, the six selectors, st0-7, fctrl .. fop, xmm0-7, mxcsr; GPRs
 * and EIP 4 bytes, the rest as in x86-64's.
 */
#define GDB32_REG_EFLAGS	9
#define GDB32_REG_MXCSR		40
#define GDB32_NR_REGS		41
#define GDB32_G_SIZE		(10 * 4 + 6 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4)

/* SDM Vol 3A, 2.5 and 4.1: the paging controls */
#define CR0_PG		(1ULL << 31)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define EFER_LMA	(1ULL << 10)
#define PTE_P		1ULL
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR	0x000ffffffffff000ULL

static const char hexd[] = "0123456789abcdef";

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A hex number of at most 16 digits at *p, up to @end: at least one
 * digit; *p moves past it.  -1 if there is none or it is too long.
 */
static int parse_hex(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0, d;

	while (*p < end && (d = hexval((unsigned char)**p)) >= 0) {
		if (++n > 16)
			return -1;
		v = v << 4 | (uint64_t)d;
		(*p)++;
	}
	if (!n)
		return -1;
	*out = v;
	return 0;
}

/* Expect character @c at *p */
static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* @n bytes from 2n hex digits; -1 if any is not hex */
static int unhex(const char *p, size_t n, uint8_t *out)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		hi = hexval((unsigned char)p[2 * i]);
		lo = hexval((unsigned char)p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static char *tohex(char *out, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		*out++ = hexd[b[i] >> 4];
		*out++ = hexd[b[i] & 15];
	}
	*out = '\0';
	return out;
}

static int reply(struct gdb_stub *s, const char *text)
{
	snprintf(s->reply, sizeof(s->reply), "%s", text);
	return 1;
}

static int reply_err(struct gdb_stub *s, int err)
{
	snprintf(s->reply, sizeof(s->reply), "E%02x", err & 0xff);
	return 1;
}

#define E_SYNTAX	0x01
#define E_FAULT		0x0e	/* EFAULT */
#define E_INVAL		0x16	/* EINVAL */
#define E_NOSPC		0x1c	/* ENOSPC: no free breakpoint slot */

void gdb_stub_init(struct gdb_stub *s, const struct gdb_target_ops *ops,
		   void *t, unsigned int nr_vcpus, gdb_write_fn write,
		   void *io)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->t = t;
	s->nr_vcpus = nr_vcpus > GDB_MAX_VCPUS ? GDB_MAX_VCPUS :
		      nr_vcpus ? nr_vcpus : 1;
	s->write = write;
	s->io = io;
	s->step = -1;
	/* attached to a VM that is paused or not started: a SIGTRAP stop */
	snprintf(s->last_stop, sizeof(s->last_stop), "T05thread:01;");
}

/* ---- guest memory ---- */

static int read_pte(struct gdb_stub *s, uint64_t gpa, unsigned int size,
		    uint64_t *e)
{
	uint32_t e32;
	int r;

	if (size == 4) {
		r = s->ops->read_phys(s->t, gpa, &e32, 4);
		*e = e32;
	} else {
		r = s->ops->read_phys(s->t, gpa, e, 8);
	}
	return r;
}

/*
 * SDM Vol 3A, 4.3 (32-bit paging), 4.4 (PAE), 4.5 (4-level): the walk
 * the guest's MMU makes, presence only.  Without CR0.PG, linear is
 * physical (segments: gdb's addresses are linear; the flat guests hv
 * boots have base 0).
 */
int gdb_translate(struct gdb_stub *s, const struct hv_sregs *sr,
		  uint64_t va, uint64_t *pa)
{
	uint64_t table, e, size;
	int level, shift, r;

	if (!(sr->cr0 & CR0_PG)) {
		*pa = (sr->efer & EFER_LMA) ? va : va & 0xffffffffULL;
		return 0;
	}
	if (sr->efer & EFER_LMA) {
		if (sr->cr4 & CR4_LA57)
			return -EINVAL;
		table = sr->cr3 & PTE_ADDR;
		for (level = 4; level >= 1; level--) {
			shift = 12 + 9 * (level - 1);
			r = read_pte(s, table + ((va >> shift) & 511) * 8, 8, &e);
			if (r)
				return -EFAULT;
			if (!(e & PTE_P))
				return -EFAULT;
			if (level == 1 || (level <= 3 && (e & PTE_PS))) {
				size = 1ULL << shift;
				*pa = ((e & PTE_ADDR) & ~(size - 1)) |
				      (va & (size - 1));
				return 0;
			}
			table = e & PTE_ADDR;
		}
		return -EFAULT;
	}
	va &= 0xffffffffULL;
	if (sr->cr4 & CR4_PAE) {
		/* 4.4.1: four PDPTEs at CR3[31:5] */
		r = read_pte(s, (sr->cr3 & 0xffffffe0ULL) + ((va >> 30) & 3) * 8,
			     8, &e);
		if (r || !(e & PTE_P))
			return -EFAULT;
		for (level = 2; level >= 1; level--) {
			shift = 12 + 9 * (level - 1);
			r = read_pte(s, (e & PTE_ADDR) + ((va >> shift) & 511) * 8,
				     8, &e);
			if (r || !(e & PTE_P))
				return -EFAULT;
			if (level == 1 || (e & PTE_PS)) {
				size = 1ULL << shift;
				*pa = ((e & PTE_ADDR) & ~(size - 1)) |
				      (va & (size - 1));
				return 0;
			}
		}
		return -EFAULT;
	}
	/* 4.3: 32-bit paging, 4 MiB pages with CR4.PSE (no PSE-36) */
	r = read_pte(s, (sr->cr3 & 0xfffff000ULL) + ((va >> 22) & 1023) * 4, 4,
		     &e);
	if (r || !(e & PTE_P))
		return -EFAULT;
	if ((e & PTE_PS) && (sr->cr4 & CR4_PSE)) {
		*pa = (e & 0xffc00000ULL) | (va & 0x3fffff);
		return 0;
	}
	r = read_pte(s, (e & 0xfffff000ULL) + ((va >> 12) & 1023) * 4, 4, &e);
	if (r || !(e & PTE_P))
		return -EFAULT;
	*pa = (e & 0xfffff000ULL) | (va & 0xfff);
	return 0;
}

/*
 * Read or write @len bytes at guest-virtual @va of the Hg vCPU, a page
 * at a time.  Returns the bytes done (fewer at an unmapped page), or
 * -errno if not even the first could be.
 */
static long mem_access(struct gdb_stub *s, uint64_t va, uint8_t *buf,
		       size_t len, bool write)
{
	struct hv_regs r;
	struct hv_sregs sr;
	uint64_t pa;
	size_t done = 0, chunk;
	int err;

	err = s->ops->get_regs(s->t, s->g_vcpu, &r, &sr);
	if (err)
		return err;
	while (done < len) {
		err = gdb_translate(s, &sr, va + done, &pa);
		if (err)
			break;
		chunk = 4096 - ((va + done) & 4095);
		if (chunk > len - done)
			chunk = len - done;
		err = write ? s->ops->write_phys(s->t, pa, buf + done, chunk)
			    : s->ops->read_phys(s->t, pa, buf + done, chunk);
		if (err)
			break;
		done += chunk;
	}
	return done ? (long)done : err ? err : -EFAULT;
}

/* What gdb sees in memory: its own INT3s show the bytes they replaced */
static void hide_swbps(struct gdb_stub *s, uint64_t va, uint8_t *buf,
		       size_t len)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SWBP; i++)
		if (s->sw[i].on && s->sw[i].addr - va < len)
			buf[s->sw[i].addr - va] = s->sw[i].saved;
}

static int cmd_read_mem(struct gdb_stub *s, const char *p, const char *end)
{
	uint8_t buf[GDB_MAX_MEM];
	uint64_t addr, len;
	long n;

	if (parse_hex(&p, end, &addr) || expect(&p, end, ',') ||
	    parse_hex(&p, end, &len) || p != end)
		return reply_err(s, E_SYNTAX);
	if (len > GDB_MAX_MEM)
		len = GDB_MAX_MEM;	/* gdb asks again for the rest */
	if (!len)
		return reply(s, "");
	n = mem_access(s, addr, buf, len, false);
	if (n < 0)
		return reply_err(s, E_FAULT);
	hide_swbps(s, addr, buf, (size_t)n);
	tohex(s->reply, buf, (size_t)n);
	return 1;
}

static int cmd_write_mem(struct gdb_stub *s, const char *p, const char *end)
{
	uint8_t buf[GDB_MAX_MEM];
	uint64_t addr, len;
	unsigned int i;
	long n;

	if (parse_hex(&p, end, &addr) || expect(&p, end, ',') ||
	    parse_hex(&p, end, &len) || expect(&p, end, ':'))
		return reply_err(s, E_SYNTAX);
	if (len > GDB_MAX_MEM || (size_t)(end - p) != 2 * len ||
	    unhex(p, len, buf))
		return reply_err(s, E_SYNTAX);
	if (!len)
		return reply(s, "OK");
	/* a write over an inserted INT3 changes what it will restore */
	for (i = 0; i < GDB_MAX_SWBP; i++)
		if (s->sw[i].on && s->sw[i].addr - addr < len) {
			s->sw[i].saved = buf[s->sw[i].addr - addr];
			buf[s->sw[i].addr - addr] = 0xcc;
		}
	n = mem_access(s, addr, buf, len, true);
	if (n < 0 || (uint64_t)n != len)
		return reply_err(s, E_FAULT);
	return reply(s, "OK");
}

/* ---- registers ---- */

/*
 * SDM Vol 3A, 2.2.1 and 5.2.1: a vCPU runs 64-bit code only with IA-32e
 * mode active (EFER.LMA) and CS.L; compatibility mode, protected mode,
 * real mode and virtual-8086 mode all see the 32-bit (or 16-bit)
 * registers, which the i386 file shows.
 */
enum gdb_arch gdb_stub_arch(struct gdb_stub *s)
{
	struct hv_regs r;
	struct hv_sregs sr;

	if (s->arch != GDB_ARCH_NONE)
		return s->arch;
	/* a vCPU that cannot be read now: x86-64 for this packet, no choice */
	if (s->ops->get_regs(s->t, s->g_vcpu, &r, &sr))
		return GDB_ARCH_X86_64;
	s->arch = (sr.efer & EFER_LMA) && sr.cs.l ? GDB_ARCH_X86_64
						   : GDB_ARCH_I386;
	return s->arch;
}

static unsigned int nr_regs(struct gdb_stub *s)
{
	return gdb_stub_arch(s) == GDB_ARCH_I386 ? GDB32_NR_REGS : GDB_NR_REGS;
}

/* An i386 register's number in the x86-64 file */
static unsigned int reg_x86_64(unsigned int n)
{
	/* eax ecx edx ebx esp ebp esi edi: rax rcx rdx rbx rsp rbp rsi rdi */
	static const uint8_t gpr32[8] = { 0, 2, 3, 1, 7, 6, 4, 5 };

	if (n < 8)
		return gpr32[n];
	if (n < GDB32_REG_MXCSR)	/* eip .. xmm7: the same order */
		return n + 8;
	return GDB_REG_MXCSR;
}

static __u64 *gpr(struct hv_regs *r, unsigned int n)
{
	__u64 *map[GDB_NR_GPRS + 2] = {
		&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
		&r->rbp, &r->rsp, &r->r8, &r->r9, &r->r10, &r->r11,
		&r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags,
	};

	return map[n];
}

/* FXSAVE's fields (SDM Vol 1, 10.5.1, Table 10-2) */
#define FX_FCW		0
#define FX_FSW		2
#define FX_FTW		4	/* abridged: one bit per physical register */
#define FX_FOP		6
#define FX_FIP		8
#define FX_FCS		12
#define FX_FDP		16
#define FX_FDS		20
#define FX_MXCSR	24
#define FX_ST0		32	/* ST(i) at 32 + 16 i, 10 bytes used */
#define FX_XMM0		160	/* XMMi at 160 + 16 i */

static uint32_t fx16(const uint8_t *fx, size_t off)
{
	return fx[off] | (uint32_t)fx[off + 1] << 8;
}

static uint32_t fx32(const uint8_t *fx, size_t off)
{
	return fx16(fx, off) | fx16(fx, off + 2) << 16;
}

/* The x87 state after FNINIT and MXCSR after reset (SDM Vol 1, 8.1.5.1) */
static void fpu_reset(uint8_t *fx)
{
	memset(fx, 0, GDB_FXSAVE_SIZE);
	fx[FX_FCW] = 0x7f;
	fx[FX_FCW + 1] = 0x03;
	fx[FX_MXCSR] = 0x80;
	fx[FX_MXCSR + 1] = 0x1f;
}

/*
 * The full tag word gdb shows (SDM Vol 1, 8.1.7: 2 bits per physical
 * register, 0 valid, 1 zero, 2 special, 3 empty) from FXSAVE's abridged
 * one and the registers' contents, as FSAVE would have written it.
 */
static uint32_t fpu_full_tag(const uint8_t *fx)
{
	unsigned int top = (fx16(fx, FX_FSW) >> 11) & 7, p, tag, exp, i;
	uint32_t full = 0;
	const uint8_t *st;
	bool mant_zero;

	for (p = 0; p < 8; p++) {
		st = fx + FX_ST0 + 16 * ((p - top) & 7);
		exp = fx16(st, 8) & 0x7fff;
		for (mant_zero = true, i = 0; i < 8; i++)
			mant_zero &= !st[i];
		if (!(fx[FX_FTW] & (1U << p)))
			tag = 3;
		else if (exp == 0x7fff)
			tag = 2;
		else if (!exp)
			tag = mant_zero ? 1 : 2;
		else
			tag = (st[7] & 0x80) ? 0 : 2;	/* the integer bit */
		full |= tag << (2 * p);
	}
	return full;
}

/* Register @n's bytes as gdb lays them out; returns its size */
static size_t reg_bytes(const struct hv_regs *rc, const struct hv_sregs *sr,
			const uint8_t *fx, unsigned int n, uint8_t *out)
{
	/* fctrl fstat ftag fiseg fioff foseg fooff fop, from FXSAVE */
	static const int fpu_ctl[8] = {
		FX_FCW, FX_FSW, -1, FX_FCS, FX_FIP, FX_FDS, FX_FDP, FX_FOP,
	};
	struct hv_regs r = *rc;
	uint32_t v32 = 0;
	const struct hv_segment *segs[6] = {
		&sr->cs, &sr->ss, &sr->ds, &sr->es, &sr->fs, &sr->gs,
	};

	if (n < GDB_REG_EFLAGS) {
		memcpy(out, gpr(&r, n), 8);
		return 8;
	}
	if (n == GDB_REG_EFLAGS) {
		v32 = (uint32_t)r.rflags;
		memcpy(out, &v32, 4);
		return 4;
	}
	if (n < GDB_REG_ST0) {
		v32 = segs[n - GDB_REG_CS]->selector;
		memcpy(out, &v32, 4);
		return 4;
	}
	if (n < GDB_REG_FCTRL) {
		memcpy(out, fx + FX_ST0 + 16 * (n - GDB_REG_ST0), 10);
		return 10;
	}
	if (n < GDB_REG_XMM0) {
		switch (n - GDB_REG_FCTRL) {
		case 2:			/* ftag */
			v32 = fpu_full_tag(fx);
			break;
		case 4:
		case 6:			/* fioff, fooff: 32 bits */
			v32 = fx32(fx, fpu_ctl[n - GDB_REG_FCTRL]);
			break;
		case 7:			/* fop: 11 bits */
			v32 = fx16(fx, FX_FOP) & 0x7ff;
			break;
		default:		/* fctrl, fstat, fiseg, foseg */
			v32 = fx16(fx, fpu_ctl[n - GDB_REG_FCTRL]);
		}
		memcpy(out, &v32, 4);
		return 4;
	}
	if (n < GDB_REG_MXCSR) {
		memcpy(out, fx + FX_XMM0 + 16 * (n - GDB_REG_XMM0), 16);
		return 16;
	}
	v32 = fx32(fx, FX_MXCSR);
	memcpy(out, &v32, 4);
	return 4;
}

/* The Hg vCPU's x87/SSE state, or the reset values without get_fpu */
static int read_fpu(struct gdb_stub *s, uint8_t *fx)
{
	fpu_reset(fx);
	return s->ops->get_fpu ? s->ops->get_fpu(s->t, s->g_vcpu, fx) : 0;
}

/* Register @n of the session's file: reg_bytes(), the i386 file's GPRs
 * and EIP their low 4 bytes */
static size_t arch_reg_bytes(struct gdb_stub *s, const struct hv_regs *r,
			     const struct hv_sregs *sr, const uint8_t *fx,
			     unsigned int n, uint8_t *out)
{
	size_t len;

	if (gdb_stub_arch(s) != GDB_ARCH_I386)
		return reg_bytes(r, sr, fx, n, out);
	n = reg_x86_64(n);
	len = reg_bytes(r, sr, fx, n, out);
	return n <= GDB_REG_RIP ? 4 : len;	/* little-endian: the low half */
}

static int cmd_read_regs(struct gdb_stub *s)
{
	struct hv_regs r;
	struct hv_sregs sr;
	uint8_t b[16], fx[GDB_FXSAVE_SIZE];
	char *o = s->reply;
	unsigned int n, nr = nr_regs(s);
	size_t len;

	if (s->ops->get_regs(s->t, s->g_vcpu, &r, &sr) || read_fpu(s, fx))
		return reply_err(s, E_FAULT);
	for (n = 0; n < nr; n++) {
		len = arch_reg_bytes(s, &r, &sr, fx, n, b);
		o = tohex(o, b, len);
	}
	return 1;
}

/* RFLAGS as HV_VCPU_SET_REGS takes it (SDM Vol 1, 3.4.3) */
static bool rflags_ok(uint64_t f)
{
	return (f & 2) && !(f & (~0x3fffffULL | 1ULL << 3 | 1ULL << 5 |
				 1ULL << 15));
}

/*
 * A 4-byte register of the i386 file into its 64-bit one: the upper half
 * stays as it was (the vCPU cannot see it outside 64-bit mode; RIP's is
 * 0 there, SDM Vol 3C 26.3.1.4).
 */
static void set_low32(__u64 *reg, const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, 4);
	*reg = (*reg & ~0xffffffffULL) | v;
}

/*
 * G: the GPRs, (R|E)IP and EFLAGS; the rest (segments, FPU) is ignored.
 * At least those, at most the whole file.
 */
static int cmd_write_regs(struct gdb_stub *s, const char *p, const char *end)
{
	bool i386 = gdb_stub_arch(s) == GDB_ARCH_I386;
	size_t size = i386 ? 4 : 8;	/* of a GPR */
	size_t nip = i386 ? 9 : 17;	/* GPRs and the IP before EFLAGS */
	size_t max = i386 ? GDB32_G_SIZE : GDB_G_SIZE;
	struct hv_regs r;
	struct hv_sregs sr;
	uint8_t b[17 * 8 + 4];
	uint32_t fl;
	unsigned int n;

	if ((size_t)(end - p) < 2 * (nip * size + 4) ||
	    (size_t)(end - p) % 2 || (size_t)(end - p) > 2 * max ||
	    unhex(p, nip * size + 4, b))
		return reply_err(s, E_SYNTAX);
	if (s->ops->get_regs(s->t, s->g_vcpu, &r, &sr))
		return reply_err(s, E_FAULT);
	for (n = 0; n < nip; n++) {
		if (i386)
			set_low32(gpr(&r, reg_x86_64(n)), b + 4 * n);
		else
			memcpy(gpr(&r, n), b + 8 * n, 8);
	}
	memcpy(&fl, b + nip * size, 4);
	r.rflags = (r.rflags & ~0xffffffffULL) | fl;
	if (!rflags_ok(r.rflags))
		return reply_err(s, E_INVAL);
	if (s->ops->set_regs(s->t, s->g_vcpu, &r))
		return reply_err(s, E_INVAL);
	return reply(s, "OK");
}

static int cmd_read_reg(struct gdb_stub *s, const char *p, const char *end)
{
	struct hv_regs r;
	struct hv_sregs sr;
	uint8_t b[16], fx[GDB_FXSAVE_SIZE];
	uint64_t n;

	if (parse_hex(&p, end, &n) || p != end)
		return reply_err(s, E_SYNTAX);
	if (n >= nr_regs(s))
		return reply_err(s, E_INVAL);
	if (s->ops->get_regs(s->t, s->g_vcpu, &r, &sr) || read_fpu(s, fx))
		return reply_err(s, E_FAULT);
	tohex(s->reply, b, arch_reg_bytes(s, &r, &sr, fx, (unsigned int)n, b));
	return 1;
}

/* P: GPRs, (R|E)IP, EFLAGS only */
static int cmd_write_reg(struct gdb_stub *s, const char *p, const char *end)
{
	bool i386 = gdb_stub_arch(s) == GDB_ARCH_I386;
	struct hv_regs r;
	struct hv_sregs sr;
	uint8_t b[8] = { 0 };
	uint64_t n, v;
	size_t size;

	if (parse_hex(&p, end, &n) || expect(&p, end, '='))
		return reply_err(s, E_SYNTAX);
	if (n > (i386 ? GDB32_REG_EFLAGS : GDB_REG_EFLAGS))
		return reply_err(s, E_INVAL);
	if (i386)
		n = reg_x86_64((unsigned int)n);
	size = n == GDB_REG_EFLAGS || i386 ? 4 : 8;
	if ((size_t)(end - p) != 2 * size || unhex(p, size, b))
		return reply_err(s, E_SYNTAX);
	if (s->ops->get_regs(s->t, s->g_vcpu, &r, &sr))
		return reply_err(s, E_FAULT);
	memcpy(&v, b, 8);
	if (size == 4)	/* EFLAGS, or an i386 GPR or EIP: the low half */
		v = (*gpr(&r, (unsigned int)n) & ~0xffffffffULL) |
		    (v & 0xffffffffULL);
	*gpr(&r, (unsigned int)n) = v;
	if (n == GDB_REG_EFLAGS && !rflags_ok(v))
		return reply_err(s, E_INVAL);
	if (s->ops->set_regs(s->t, s->g_vcpu, &r))
		return reply_err(s, E_INVAL);
	return reply(s, "OK");
}

/* ---- breakpoints ---- */

/* Is one of our INT3s at @addr? */
static bool swbp_at(const struct gdb_stub *s, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < GDB_MAX_SWBP; i++)
		if (s->sw[i].on && s->sw[i].addr == addr)
			return true;
	return false;
}

static int swbp_insert(struct gdb_stub *s, uint64_t addr)
{
	uint8_t orig, cc = 0xcc;
	int i, slot = -1;

	if (swbp_at(s, addr))
		return 0;		/* already there */
	for (i = 0; i < GDB_MAX_SWBP && slot < 0; i++)
		if (!s->sw[i].on)
			slot = i;
	if (slot < 0)
		return -ENOSPC;
	if (mem_access(s, addr, &orig, 1, false) != 1 ||
	    mem_access(s, addr, &cc, 1, true) != 1)
		return -EFAULT;
	s->sw[slot].addr = addr;
	s->sw[slot].saved = orig;
	s->sw[slot].on = true;
	return 0;
}

static int swbp_remove(struct gdb_stub *s, uint64_t addr)
{
	int i;

	for (i = 0; i < GDB_MAX_SWBP; i++) {
		if (!s->sw[i].on || s->sw[i].addr != addr)
			continue;
		s->sw[i].on = false;
		if (mem_access(s, addr, &s->sw[i].saved, 1, true) != 1)
			return -EFAULT;
		return 0;
	}
	return 0;	/* not ours: nothing to do, as gdbserver answers */
}

/* SDM Vol 3B, 18.2.4: LEN 00 1 byte, 01 2, 11 4, 10 8; aligned */
static int hwbp_insert(struct gdb_stub *s, unsigned int type, uint64_t addr,
		       uint64_t len)
{
	int i, slot = -1;

	if (type == 1)
		len = 1;
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    (addr & (len - 1)))
		return -EINVAL;
	/* DR0-3 take canonical linear addresses only */
	if ((uint64_t)((int64_t)(addr << 16) >> 16) != addr)
		return -EINVAL;
	for (i = 0; i < GDB_NR_HWBP; i++) {
		if (s->hw[i].on && s->hw[i].addr == addr &&
		    s->hw[i].type == type && s->hw[i].len == len)
			return 0;
		if (!s->hw[i].on && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -ENOSPC;
	s->hw[slot].addr = addr;
	s->hw[slot].type = type;
	s->hw[slot].len = (unsigned int)len;
	s->hw[slot].on = true;
	return 0;
}

static int hwbp_remove(struct gdb_stub *s, unsigned int type, uint64_t addr,
		       uint64_t len)
{
	int i;

	for (i = 0; i < GDB_NR_HWBP; i++)
		if (s->hw[i].on && s->hw[i].addr == addr &&
		    s->hw[i].type == type &&
		    (type == 1 || s->hw[i].len == len))
			s->hw[i].on = false;
	return 0;
}

/* Z/z TYPE,ADDR,KIND */
static int cmd_breakpoint(struct gdb_stub *s, bool insert, const char *p,
			  const char *end)
{
	uint64_t type, addr, kind;
	int r;

	if (parse_hex(&p, end, &type) || expect(&p, end, ',') ||
	    parse_hex(&p, end, &addr) || expect(&p, end, ',') ||
	    parse_hex(&p, end, &kind))
		return reply_err(s, E_SYNTAX);
	/* ";cond_list" and ";cmds" may follow: not supported, ignored */
	if (p != end && *p != ';')
		return reply_err(s, E_SYNTAX);
	if (type > 4)
		return reply(s, "");	/* unsupported type */
	if (type == 0) {
		if (kind != 1)
			return reply_err(s, E_INVAL);
		r = insert ? swbp_insert(s, addr) : swbp_remove(s, addr);
	} else {
		r = insert ? hwbp_insert(s, (unsigned int)type, addr, kind)
			   : hwbp_remove(s, (unsigned int)type, addr, kind);
	}
	if (r == -ENOSPC)
		return reply_err(s, E_NOSPC);
	if (r == -EFAULT)
		return reply_err(s, E_FAULT);
	if (r)
		return reply_err(s, E_INVAL);
	return reply(s, "OK");
}

/* The debugging vCPU @v runs with: our breakpoints, and s->step's step */
static void debug_for(const struct gdb_stub *s, unsigned int v,
		      struct hv_guest_debug *d)
{
	unsigned int i, rw;
	bool any_sw = false;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < GDB_MAX_SWBP; i++)
		any_sw |= s->sw[i].on;
	for (i = 0; i < GDB_NR_HWBP; i++) {
		if (!s->hw[i].on)
			continue;
		/* R/W: 00 execute, 01 write, 11 read or write (no read-only) */
		rw = s->hw[i].type == 1 ? 0 : s->hw[i].type == 2 ? 1 : 3;
		d->dr[i] = s->hw[i].addr;
		d->dr7 |= 1ULL << (2 * i);			/* L0-L3 */
		d->dr7 |= (uint64_t)rw << (16 + 4 * i);
		d->dr7 |= (uint64_t)(s->hw[i].len == 1 ? 0 : s->hw[i].len == 2 ?
				     1 : s->hw[i].len == 8 ? 2 : 3) <<
			  (18 + 4 * i);
	}
	if (d->dr7) {
		d->flags = HV_GUESTDBG_ENABLE | HV_GUESTDBG_HW_BP;
		d->dr7 |= 1ULL << 9;	/* GE (SDM Vol 3B, 18.2.4), as gdbserver */
	}
	if (any_sw)
		d->flags |= HV_GUESTDBG_ENABLE | HV_GUESTDBG_SW_BP;
	if ((int)v == s->step)
		d->flags |= HV_GUESTDBG_ENABLE | HV_GUESTDBG_SINGLESTEP;
}

/* Arm every vCPU for a resume in which vCPU @step (-1: none) steps */
static int arm(struct gdb_stub *s, int step)
{
	struct hv_guest_debug d;
	unsigned int v;
	int r;

	s->step = step;
	for (v = 0; v < s->nr_vcpus; v++) {
		debug_for(s, v, &d);
		r = s->ops->set_debug(s->t, v, &d);
		if (r)
			return r;
	}
	return 0;
}

static int resume(struct gdb_stub *s, int step)
{
	int r = arm(s, step);

	if (!r)
		r = s->ops->resume(s->t);
	if (r)
		return reply_err(s, E_FAULT);
	s->running = true;
	return 0;
}

/* vCont;ACTION[:TID][;ACTION[:TID]]...: which vCPU steps, if any */
static int cmd_vcont(struct gdb_stub *s, const char *p, const char *end)
{
	int step = -1;
	uint64_t tid;
	char a;

	if (p == end)
		return reply_err(s, E_SYNTAX);
	while (p < end) {
		if (expect(&p, end, ';') || p >= end)
			return reply_err(s, E_SYNTAX);
		a = *p++;
		if (a == 'C' || a == 'S') {	/* a signal: no such thing here */
			if (parse_hex(&p, end, &tid))
				return reply_err(s, E_SYNTAX);
			a = (char)(a - 'A' + 'a');
		}
		if (a != 'c' && a != 's' && a != 't')
			return reply_err(s, E_SYNTAX);
		tid = 0;
		if (p < end && *p == ':') {
			p++;
			if (p + 2 <= end && p[0] == '-' && p[1] == '1')
				p += 2;		/* all threads */
			else if (parse_hex(&p, end, &tid) ||
				 tid > s->nr_vcpus)
				return reply_err(s, E_SYNTAX);
		}
		if (a == 's' && step < 0)
			step = tid ? (int)tid - 1 : (int)s->c_vcpu;
	}
	return resume(s, step);
}

/* Hg/Hc THREAD: 0 any, -1 all, else a vCPU index + 1 */
static int cmd_thread(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t tid;
	char op;

	if (p >= end)
		return reply_err(s, E_SYNTAX);
	op = *p++;
	if (op != 'g' && op != 'c')
		return reply_err(s, E_SYNTAX);
	if (p + 2 == end && p[0] == '-' && p[1] == '1')
		tid = 0;
	else if (parse_hex(&p, end, &tid) || p != end)
		return reply_err(s, E_SYNTAX);
	if (tid > s->nr_vcpus)
		return reply_err(s, E_INVAL);
	if (op == 'g')
		s->g_vcpu = tid ? (unsigned int)tid - 1 : s->last_vcpu;
	else
		s->c_vcpu = tid ? (unsigned int)tid - 1 : s->last_vcpu;
	return reply(s, "OK");
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static int cmd_xfer_features(struct gdb_stub *s, const char *p,
			     const char *end)
{
	static const char annex[] = "target.xml:";
	size_t total;
	const char *xml = gdb_tdesc(gdb_stub_arch(s), &total);
	uint64_t off, len;

	if ((size_t)(end - p) < sizeof(annex) - 1 ||
	    memcmp(p, annex, sizeof(annex) - 1))
		return reply_err(s, E_INVAL);	/* no such annex */
	p += sizeof(annex) - 1;
	if (parse_hex(&p, end, &off) || expect(&p, end, ',') ||
	    parse_hex(&p, end, &len) || p != end)
		return reply_err(s, E_SYNTAX);
	if (off >= total)
		return reply(s, "l");
	if (len > total - off)
		len = total - off;
	if (len > GDB_MAX_PACKET - 1)
		len = GDB_MAX_PACKET - 1;
	snprintf(s->reply, sizeof(s->reply), "%c%.*s",
		 off + len >= total ? 'l' : 'm', (int)len, xml + off);
	return 1;
}

static int cmd_query(struct gdb_stub *s, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);
	char *o;
	unsigned int v;

#define IS(str)	(n >= sizeof(str) - 1 && !memcmp(p, str, sizeof(str) - 1))
	if (IS("qSupported")) {
		/* gdb's first packet: the register file is chosen now */
		gdb_stub_arch(s);
		return reply(s, "PacketSize=4000;swbreak+;hwbreak+;"
			     "QStartNoAckMode+;qXfer:features:read+");
	}
	if (IS("qXfer:features:read:"))
		return cmd_xfer_features(s, p + 20, end);
	if (IS("qfThreadInfo")) {
		o = s->reply;
		*o++ = 'm';
		for (v = 0; v < s->nr_vcpus; v++)
			o += sprintf(o, "%s%x", v ? "," : "", v + 1);
		return 1;
	}
	if (IS("qsThreadInfo"))
		return reply(s, "l");
	if (n == 2 && !memcmp(p, "qC", 2)) {
		snprintf(s->reply, sizeof(s->reply), "QC%x", s->last_vcpu + 1);
		return 1;
	}
	if (IS("qAttached"))
		return reply(s, "1");	/* quit detaches, never kills */
	if (IS("qSymbol"))
		return reply(s, "OK");
	if (IS("QStartNoAckMode")) {
		reply(s, "OK");
		return 2;	/* the OK still acked; then no more acks */
	}
#undef IS
	return reply(s, "");
}

int gdb_stub_detach(struct gdb_stub *s)
{
	unsigned int i;
	struct hv_guest_debug d;
	int r = 0;
	bool was_running = s->running;

	/* A running VM is paused first: guest memory and vCPUs are quiet */
	if (was_running && s->ops->pause(s->t) == 0)
		s->running = false;
	for (i = 0; i < GDB_MAX_SWBP; i++)
		if (s->sw[i].on && swbp_remove(s, s->sw[i].addr))
			r = -EFAULT;
	memset(s->hw, 0, sizeof(s->hw));
	memset(&d, 0, sizeof(d));
	for (i = 0; i < s->nr_vcpus; i++)
		if (s->ops->set_debug(s->t, i, &d))
			r = -EIO;
	if (s->ops->resume(s->t))
		r = r ? r : -EIO;
	s->running = false;
	s->done = true;
	return r;
}

int gdb_stub_packet(struct gdb_stub *s, const char *pkt, size_t len)
{
	const char *p = pkt + 1, *end = pkt + len;
	uint64_t tid;

	s->reply[0] = '\0';
	if (!len)
		return reply(s, "");
	switch (pkt[0]) {
	case '?':
		return reply(s, s->last_stop);
	case 'g':
		return len == 1 ? cmd_read_regs(s) : reply_err(s, E_SYNTAX);
	case 'G':
		return cmd_write_regs(s, p, end);
	case 'p':
		return cmd_read_reg(s, p, end);
	case 'P':
		return cmd_write_reg(s, p, end);
	case 'm':
		return cmd_read_mem(s, p, end);
	case 'M':
		return cmd_write_mem(s, p, end);
	case 'Z':
	case 'z':
		return cmd_breakpoint(s, pkt[0] == 'Z', p, end);
	case 'c':
	case 's':
		/* c [addr], s [addr]: resuming elsewhere is not supported */
		if (len != 1)
			return reply_err(s, E_SYNTAX);
		return resume(s, pkt[0] == 's' ? (int)s->c_vcpu : -1) ? 1 : 0;
	case 'v':
		if (len == 6 && !memcmp(pkt, "vCont?", 6))
			return reply(s, "vCont;c;C;s;S");
		if (len >= 5 && !memcmp(pkt, "vCont", 5))
			return cmd_vcont(s, pkt + 5, end) ? 1 : 0;
		return reply(s, "");
	case 'H':
		return cmd_thread(s, p, end);
	case 'T':
		if (parse_hex(&p, end, &tid) || p != end)
			return reply_err(s, E_SYNTAX);
		return tid >= 1 && tid <= s->nr_vcpus ? reply(s, "OK")
						       : reply_err(s, E_INVAL);
	case 'q':
	case 'Q':
		return cmd_query(s, pkt, end);
	case 'D':
		gdb_stub_detach(s);
		return reply(s, "OK");
	case 'k':
		gdb_stub_detach(s);
		return 0;
	default:
		return reply(s, "");
	}
}

/* ---- framing ---- */

static int send_packet(struct gdb_stub *s, const char *payload)
{
	size_t n = strlen(payload), i;
	uint8_t sum = 0;
	char tail[4];
	int r;

	for (i = 0; i < n; i++)
		sum += (uint8_t)payload[i];
	snprintf(tail, sizeof(tail), "#%02x", sum);
	r = s->write(s->io, "$", 1);
	if (!r)
		r = s->write(s->io, payload, n);
	if (!r)
		r = s->write(s->io, tail, 3);
	return r;
}

int gdb_stub_interrupt(struct gdb_stub *s)
{
	if (!s->running)
		return 0;
	return s->ops->pause(s->t);
}

/* The stop reply for @st (E.3): T05 with the reason, T02, W */
static void stop_reply(struct gdb_stub *s, const struct gdb_stop *st)
{
	const char *why = "";
	char extra[40] = "";
	unsigned int i, v = st->vcpu < s->nr_vcpus ? st->vcpu : 0;

	if (st->kind == GDB_STOP_EXITED) {
		snprintf(s->last_stop, sizeof(s->last_stop), "W%02x",
			 st->status & 0xff);
		return;
	}
	if (st->kind == GDB_STOP_PAUSED) {
		v = s->last_vcpu;
		snprintf(s->last_stop, sizeof(s->last_stop), "T02thread:%02x;",
			 v + 1);
		return;
	}
	if (st->exception == 3) {
		why = "swbreak:;";
	} else {
		for (i = 0; i < GDB_NR_HWBP; i++) {
			if (!s->hw[i].on || !(st->dr6 & (1ULL << i)))
				continue;
			if (s->hw[i].type == 1)
				why = "hwbreak:;";
			else
				snprintf(extra, sizeof(extra), "%s:%" PRIx64 ";",
					 s->hw[i].type == 2 ? "watch" :
					 s->hw[i].type == 3 ? "rwatch" :
					 "awatch", s->hw[i].addr);
			break;
		}
	}
	s->last_vcpu = v;
	s->g_vcpu = v;
	s->c_vcpu = v;
	snprintf(s->last_stop, sizeof(s->last_stop), "T05thread:%02x;%s%s",
		 v + 1, why, extra);
}

/*
 * An INT3 of the guest's own (its kernel patching text, its debugger):
 * not gdb's business.  Give the #BP back to the guest, as QEMU's gdbstub
 * does with KVM_GUESTDBG_INJECT_BP, with the debugging in force, and go
 * on running.
 */
static int reinject_bp(struct gdb_stub *s, unsigned int v)
{
	struct hv_guest_debug d;
	int r;

	debug_for(s, v, &d);
	d.flags |= HV_GUESTDBG_ENABLE | HV_GUESTDBG_INJECT_BP;
	r = s->ops->set_debug(s->t, v, &d);
	return r ? r : s->ops->resume(s->t);
}

int gdb_stub_poll(struct gdb_stub *s)
{
	struct gdb_stop st;
	int r;

	if (!s->running)
		return 0;
	memset(&st, 0, sizeof(st));
	r = s->ops->poll_stop(s->t, &st);
	if (r)
		return r;
	if (st.kind == GDB_RUNNING)
		return 0;
	/* If that fails, gdb hears of the stop (SIGTRAP) rather than nothing */
	if (st.kind == GDB_STOP_DEBUG && st.exception == 3 &&
	    st.vcpu < s->nr_vcpus && !swbp_at(s, st.rip) &&
	    reinject_bp(s, st.vcpu) == 0)
		return 0;
	s->running = false;
	stop_reply(s, &st);
	if (st.kind == GDB_STOP_EXITED)
		s->done = true;
	r = send_packet(s, s->last_stop);
	return r ? r : 1;
}

static int dispatch(struct gdb_stub *s)
{
	uint8_t want = s->rx_csum;
	int r;

	if (s->pkt_overflow || want != s->csum) {
		/* E.1: a bad checksum or an oversized packet: ask again */
		return s->no_ack ? 0 : s->write(s->io, "-", 1);
	}
	if (!s->no_ack) {
		r = s->write(s->io, "+", 1);
		if (r)
			return r;
	}
	if (s->running)
		return 0;	/* all-stop: gdb sends nothing while running */
	s->pkt[s->pkt_len] = '\0';
	r = gdb_stub_packet(s, s->pkt, s->pkt_len);
	if (r == 2) {
		r = send_packet(s, s->reply);
		s->no_ack = true;
		return r;
	}
	return r ? send_packet(s, s->reply) : 0;
}

int gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;
	int d, r;

	for (i = 0; i < len && !s->done; i++) {
		uint8_t c = b[i];

		switch (s->rx) {
		case GDB_RX_IDLE:
			if (c == 0x03) {
				r = gdb_stub_interrupt(s);
				if (r)
					return r;
			} else if (c == '$') {
				s->rx = GDB_RX_DATA;
				s->pkt_len = 0;
				s->pkt_overflow = false;
				s->csum = 0;
			}
			/* '+', '-' and noise between packets: ignored */
			break;
		case GDB_RX_DATA:
			if (c == '#') {
				s->rx = GDB_RX_CSUM1;
				break;
			}
			s->csum += c;
			if (s->pkt_len < GDB_MAX_PACKET)
				s->pkt[s->pkt_len++] = (char)c;
			else
				s->pkt_overflow = true;
			break;
		case GDB_RX_CSUM1:
			d = hexval(c);
			s->rx_csum = (uint8_t)((d < 0 ? 0 : d) << 4);
			if (d < 0)
				s->pkt_overflow = true;	/* reject it */
			s->rx = GDB_RX_CSUM2;
			break;
		case GDB_RX_CSUM2:
			d = hexval(c);
			if (d < 0)
				s->pkt_overflow = true;
			else
				s->rx_csum |= (uint8_t)d;
			s->rx = GDB_RX_IDLE;
			r = dispatch(s);
			if (r)
				return r;
			break;
		}
	}
	return 0;
}
