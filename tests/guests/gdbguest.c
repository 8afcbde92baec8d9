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
 * watchpoint), and leaves through the debug-exit port 0xf4 with
 * gdb_counter's low byte: with GDB_ROUNDS 10, 55, so a managed VM stops
 * with exit status (55 << 1) | 1 = 111.
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

__attribute__((noreturn, section(".text.start"))) void _start(void)
{
	unsigned long i;

	for (i = 1; i <= GDB_ROUNDS; i++)
		gdb_bump(i);
	/* x87 state gdb reads at gdb_cpuid: ST0 = pi, ST1 = 1 (TOP 6) */
	asm volatile("fninit; fld1; fldpi");
	gdb_cpuid();
	gdb_target();
	asm volatile("outb %b0, %w1" : : "a" (gdb_counter),
		     "Nd" (PORT_EXIT));
	for (;;)
		asm volatile("cli; hlt");
}
