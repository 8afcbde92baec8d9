/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gdbguest: an ELF64 guest with symbols, for the debugger tests
 * (tests/vm/hv-debug-test.c on the module's ABI, tests/vm/cases-gdb.sh
 * with a real gdb through hvctl gdb).  `hvctl create --image
 * gdbguest.elf` enters _start in long mode, paging on (lib/boot).
 * Built with -m32 too (gdbguest32.elf, tests/guests/gdb.mk): an ELF32
 * that hvctl create enters in 32-bit protected mode, paging off, for
 * gdb's i386 register file; unsigned long is then 4 bytes, and nothing
 * below depends on its size.
 *
 * It adds 1..GDB_ROUNDS into gdb_counter through gdb_bump() (a
 * breakpoint there: the sum so far in gdb_counter), runs CPUID in
 * gdb_cpuid() (an instruction hv completes itself: a single step over
 * it), writes GDB_WATCH_VALUE to gdb_watched in gdb_target() (a
 * watchpoint), executes an INT3 of its own in gdb_int3() at
 * gdb_int3_insn with a #BP handler of its own in an IDT of its own
 * (a debugger must give that #BP back to the guest: its handler counts
 * in gdb_bp_hits and keeps the return RIP in gdb_bp_rip, which must be
 * gdb_int3_insn + 1), calls gdb_done() (a place for a debugger's
 * breakpoint after it), and leaves through the debug-exit port 0xf4 with
 * gdb_counter's low byte: with GDB_ROUNDS 10, 55, so a managed VM stops
 * with exit status (55 << 1) | 1 = 111.  If the handler did not run
 * exactly once with the right return RIP, 56 instead.
 */
#define GDB_ROUNDS	10
#define GDB_WATCH_VALUE	0x5a5a1234UL
#define PORT_EXIT	0xf4

volatile unsigned long gdb_counter;
volatile unsigned long gdb_watched;

__attribute__((noinline)) void gdb_bump(unsigned long n)
{
	gdb_counter += n;
}

__attribute__((noinline)) unsigned int gdb_cpuid(void)
{
	unsigned int a = 0, b, c = 0, d;

	asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	return a;
}

__attribute__((noinline)) void gdb_target(void)
{
	gdb_watched = GDB_WATCH_VALUE;
}

#ifdef __x86_64__
/* SDM Vol 3A, 6.14.1: a 64-bit interrupt gate */
struct gdb_gate {
	unsigned short off0, sel;
	unsigned char ist, type;
	unsigned short off1;
	unsigned int off2, zero;
};
#else
/* SDM Vol 3A, 6.11, Figure 6-2: a 32-bit interrupt gate */
struct gdb_gate {
	unsigned short off0, sel;
	unsigned char zero, type;
	unsigned short off1;
};
#endif

volatile unsigned long gdb_bp_hits;
volatile unsigned long gdb_bp_rip;
volatile unsigned long gdb_done_calls;
static struct gdb_gate gdb_idt[4] __attribute__((aligned(16)));

/*
 * #BP: count, keep the return RIP the CPU pushed (SDM Vol 3A, 6.14.2;
 * 6.12.1 in 32-bit mode: EIP on top, no stack switch at the same CPL)
 */
void gdb_bp_handler(void);
extern const char gdb_int3_insn[];
#ifdef __x86_64__
asm(".pushsection .text\n"
    ".globl gdb_bp_handler\n"
    "gdb_bp_handler:\n"
    "	incq	gdb_bp_hits(%rip)\n"
    "	pushq	%rax\n"
    "	movq	8(%rsp), %rax\n"
    "	movq	%rax, gdb_bp_rip(%rip)\n"
    "	popq	%rax\n"
    "	iretq\n"
    ".popsection");
#else
asm(".pushsection .text\n"
    ".globl gdb_bp_handler\n"
    "gdb_bp_handler:\n"
    "	incl	gdb_bp_hits\n"
    "	pushl	%eax\n"
    "	movl	4(%esp), %eax\n"
    "	movl	%eax, gdb_bp_rip\n"
    "	popl	%eax\n"
    "	iretl\n"
    ".popsection");
#endif

/* The guest's own INT3, under an IDT of its own (vectors 0-3) */
__attribute__((noinline)) void gdb_int3(void)
{
	struct {
		unsigned short limit;
		unsigned long base;
	} __attribute__((packed)) old, idtr;
	unsigned long h = (unsigned long)gdb_bp_handler;
	unsigned short cs;

	asm volatile("mov %%cs, %0" : "=r" (cs));
	gdb_idt[3] = (struct gdb_gate){ .off0 = (unsigned short)h, .sel = cs,
					.type = 0x8e,	/* P, DPL 0, type 0xe */
					.off1 = (unsigned short)(h >> 16) };
#ifdef __x86_64__
	gdb_idt[3].off2 = (unsigned int)(h >> 32);
#endif
	idtr.limit = sizeof(gdb_idt) - 1;
	idtr.base = (unsigned long)gdb_idt;
	asm volatile("sidt %0" : "=m" (old));
	asm volatile("lidt %0" : : "m" (idtr));
	asm volatile(".globl gdb_int3_insn\n"
		     "gdb_int3_insn: int3" : : : "memory");
	asm volatile("lidt %0" : : "m" (old));
}

__attribute__((noinline)) void gdb_done(void)
{
	gdb_done_calls++;
}

__attribute__((noreturn, section(".text.start"))) void _start(void)
{
	unsigned long i;

	for (i = 1; i <= GDB_ROUNDS; i++)
		gdb_bump(i);
	/* x87 state gdb reads at gdb_cpuid: ST0 = pi, ST1 = 1 (TOP 6) */
	asm volatile("fninit; fld1; fldpi");
	gdb_cpuid();
	gdb_target();
	gdb_int3();
	gdb_done();
	asm volatile("outb %b0, %w1" : : "a" (gdb_counter +
		     !(gdb_bp_hits == 1 &&
		       gdb_bp_rip == (unsigned long)gdb_int3_insn + 1)),
		     "Nd" (PORT_EXIT));
	for (;;)
		asm volatile("cli; hlt");
}
