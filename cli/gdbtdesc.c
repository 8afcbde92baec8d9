// SPDX-License-Identifier: GPL-2.0
/*
 * The target descriptions `hvctl gdb` serves (qXfer:features:read,
 * target.xml; GDB manual, "Target Descriptions"), one per register file
 * of cli/gdbstub.c.  Which one a session gets is chosen when gdb
 * connects, from the vCPU's mode (gdb_stub_arch()): gdb reads the
 * description once and keeps it for the connection.
 */
#include "gdbstub.h"

/*
 * 64-bit mode: only the architecture, so that gdb takes its own x86-64
 * register file (the layout gdbstub.c sends, 536 bytes) even without an
 * executable that says so - a gdb whose default is i386 would expect
 * 312 bytes.
 */
static const char gdb_tdesc_x86_64[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture></target>";

/*
 * Any other mode (protected, real, virtual-8086, compatibility): i386
 * with its registers spelled out, gdb's features org.gnu.gdb.i386.core
 * and org.gnu.gdb.i386.sse in gdb's own numbering (eax ecx edx ebx esp
 * ebp esi edi eip eflags, cs ss ds es fs gs, st0-7, fctrl .. fop,
 * xmm0-7, mxcsr: 41 registers, 308 bytes in g).  Spelled out rather
 * than left to gdb's default for "i386", because that default depends
 * on the OS ABI gdb guesses: for GNU/Linux it adds orig_eax, which gdb
 * then writes on every change of the PC (i386_linux_write_pc) - a
 * register no guest has.  The vector union leaves out the bfloat16 and
 * half views that gdb 11 and 12 added, so that older gdbs read it too.
 */
#define EFLAG(name, bit) \
	"<field name=\"" name "\" start=\"" #bit "\" end=\"" #bit "\"/>"
#define REG(name, bits, type) \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>"
#define FREG(name) \
	"<reg name=\"" name "\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
#define ST(n)	REG("st" #n, 80, "i387_ext")
#define XMM(n)	REG("xmm" #n, 128, "vec128")

static const char gdb_tdesc_i386[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	EFLAG("CF", 0) EFLAG("", 1) EFLAG("PF", 2) EFLAG("AF", 4)
	EFLAG("ZF", 6) EFLAG("SF", 7) EFLAG("TF", 8) EFLAG("IF", 9)
	EFLAG("DF", 10) EFLAG("OF", 11) EFLAG("NT", 14) EFLAG("RF", 16)
	EFLAG("VM", 17) EFLAG("AC", 18) EFLAG("VIF", 19) EFLAG("VIP", 20)
	EFLAG("ID", 21)
	"</flags>"
	REG("eax", 32, "int32") REG("ecx", 32, "int32")
	REG("edx", 32, "int32") REG("ebx", 32, "int32")
	REG("esp", 32, "data_ptr") REG("ebp", 32, "data_ptr")
	REG("esi", 32, "int32") REG("edi", 32, "int32")
	REG("eip", 32, "code_ptr") REG("eflags", 32, "i386_eflags")
	REG("cs", 32, "int32") REG("ss", 32, "int32")
	REG("ds", 32, "int32") REG("es", 32, "int32")
	REG("fs", 32, "int32") REG("gs", 32, "int32")
	ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7)
	FREG("fctrl") FREG("fstat") FREG("ftag") FREG("fiseg")
	FREG("fioff") FREG("foseg") FREG("fooff") FREG("fop")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\">"
	"<field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	"<flags id=\"i386_mxcsr\" size=\"4\">"
	EFLAG("IE", 0) EFLAG("DE", 1) EFLAG("ZE", 2) EFLAG("OE", 3)
	EFLAG("UE", 4) EFLAG("PE", 5) EFLAG("DAZ", 6) EFLAG("IM", 7)
	EFLAG("DM", 8) EFLAG("ZM", 9) EFLAG("OM", 10) EFLAG("UM", 11)
	EFLAG("PM", 12) EFLAG("FZ", 15)
	"</flags>"
	XMM(0) XMM(1) XMM(2) XMM(3) XMM(4) XMM(5) XMM(6) XMM(7)
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" "
	"group=\"vector\"/>"
	"</feature>"
	"</target>";

const char *gdb_tdesc(enum gdb_arch arch, size_t *len)
{
	if (arch == GDB_ARCH_I386) {
		*len = sizeof(gdb_tdesc_i386) - 1;
		return gdb_tdesc_i386;
	}
	*len = sizeof(gdb_tdesc_x86_64) - 1;
	return gdb_tdesc_x86_64;
}
