// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl trace's parsing and formatting (cli/trace_fmt.c, the table in
 * cli/trace_explain.c), fed trace_pipe lines as the module's TP_printk
 * writes them (kmod/hv_trace.h; the exit lines as recorded on both
 * emulated machines running tests/guests/stcount.S), and the command's
 * argument and permission errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"
#include "trace.h"
#include "unit.h"

/* Recorded on the intel machine (Bochs, VT-x), VM id 3 */
static const char *const vmx_lines[] = {
	"           <...>-245     [000] d..1.    61.437016: hv_exit: vm 3 vcpu 0 reason cpuid vmx 0xa info 0x0 0x0 rip 0x1013",
	"           <...>-245     [000] ...1.    61.437020: hv_cpuid: vm 3 vcpu 0 leaf 0x0 subleaf 0x0 eax 0xd ebx 0x756e6547 ecx 0x6c65746e edx 0x49656e69",
	"           <...>-245     [000] d..1.    61.437101: hv_exit: vm 3 vcpu 0 reason io vmx 0x1e info 0x5f00000 0x0 rip 0x101e",
	"           <...>-245     [000] ...1.    61.437105: hv_pio: vm 3 vcpu 0 out port 0x5f0 size 1 value 0xd by user",
	"           <...>-245     [000] d..1.    61.437201: hv_exit: vm 3 vcpu 0 reason rdmsr vmx 0x1f info 0x0 0x0 rip 0x102b",
	"           <...>-245     [000] ...1.    61.437205: hv_msr: vm 3 vcpu 0 rdmsr index 0x1a0 value 0x1",
	"           <...>-245     [000] d..1.    61.437301: hv_exit: vm 3 vcpu 0 reason hlt vmx 0xc info 0x0 0x0 rip 0x1030",
};

/* The same guest on the amd machine (QEMU, AMD-V), VM id 7: its first
 * lines as recorded (the vCPU thread hv/NAME/N), then made-up ones */
static const char *const svm_lines[] = {
	"         hv/tr/0-159     [000] .....     40.100000: hv_exit: vm 7 vcpu 0 reason cpuid svm 0x72 info 0x0 0x0 rip 0x1013",
	"         hv/tr/0-159     [000] .....     40.100001: hv_cpuid: vm 7 vcpu 0 leaf 0x0 subleaf 0x0 eax 0xd ebx 0x68747541 ecx 0x444d4163 edx 0x69746e65",
	"         hv/tr/0-159     [000] .....     40.100002: hv_exit: vm 7 vcpu 0 reason io svm 0x7b info 0x5f00090 0x1020 rip 0x101e",
	"         hv/tr/0-159     [000] .....     40.100003: hv_pio: vm 7 vcpu 0 out port 0x5f0 size 1 value 0xd by user",
	"         hv/tr/0-159     [000] .....     40.100004: hv_exit: vm 7 vcpu 0 reason rdmsr svm 0x7c info 0x0 0x0 rip 0x102b",
	"         hv/tr/0-159     [000] .....     40.100005: hv_msr: vm 7 vcpu 0 wrmsr index 0x1a0 value 0x5 #GP",
	"         hv/tr/0-159     [000] .....     40.100006: hv_exit: vm 7 vcpu 0 reason npf svm 0x400 info 0x6 0xfee00030 rip 0x2000",
	"         hv/tr/0-159     [000] .....     40.100007: hv_npf: vm 7 vcpu 0 gpa 0xfee00030 w mmio",
	"         hv/tr/0-159     [000] .....     40.100008: hv_mmio: vm 7 vcpu 0 write gpa 0xfee00030 size 4 value 0x1ff by kernel",
	"         hv/tr/0-159     [000] .....     40.100009: hv_exit: vm 7 vcpu 0 reason intr svm 0x60 info 0x0 0x0 rip 0x2004",
	"         hv/tr/0-159     [000] .....     40.100010: hv_exit: vm 7 vcpu 0 reason hlt svm 0x78 info 0x0 0x0 rip 0x1030",
};

/* Feed @lines, flush, then the summary; the output (free it) */
static char *feed(const char *const *lines, size_t n, uint64_t vm,
		  bool explain, const char *name)
{
	struct hvctl_trace t;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	hvctl_trace_init(&t, out, vm, explain);
	for (i = 0; i < n; i++)
		hvctl_trace_feed(&t, lines[i]);
	hvctl_trace_flush(&t);
	if (name)
		hvctl_trace_summary(&t, name);
	fclose(out);
	return buf;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(trace_parse_fields)
{
	struct hvctl_tev ev;

	ck_assert_int_eq(hvctl_trace_parse(vmx_lines[0], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_EXIT);
	ck_assert_uint_eq(ev.vm, 3);
	ck_assert_uint_eq(ev.vcpu, 0);
	ck_assert_str_eq(ev.ts, "61.437016");
	ck_assert_str_eq(hvctl_trace_reasons[ev.exit.reason].name, "cpuid");
	ck_assert_str_eq(ev.exit.isa, "vmx");
	ck_assert_uint_eq(ev.exit.hw, 0xa);
	ck_assert_uint_eq(ev.exit.rip, 0x1013);

	ck_assert_int_eq(hvctl_trace_parse(vmx_lines[1], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_CPUID);
	ck_assert_uint_eq(ev.cpuid.leaf, 0);
	ck_assert_uint_eq(ev.cpuid.out[0], 0xd);
	ck_assert_uint_eq(ev.cpuid.out[1], 0x756e6547);
	ck_assert_uint_eq(ev.cpuid.out[3], 0x49656e69);

	ck_assert_int_eq(hvctl_trace_parse(svm_lines[2], &ev), 0);
	ck_assert_uint_eq(ev.vm, 7);
	ck_assert_uint_eq(ev.exit.hw, 0x7b);
	ck_assert_uint_eq(ev.exit.info1, 0x5f00090);
	ck_assert_uint_eq(ev.exit.info2, 0x1020);

	ck_assert_int_eq(hvctl_trace_parse(vmx_lines[3], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_PIO);
	ck_assert_uint_eq(ev.pio.port, 0x5f0);
	ck_assert_uint_eq(ev.pio.size, 1);
	ck_assert_uint_eq(ev.pio.val, 0xd);
	ck_assert(!ev.pio.in);
	ck_assert(ev.pio.user);

	ck_assert_int_eq(hvctl_trace_parse(svm_lines[5], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_MSR);
	ck_assert(ev.msr.write);
	ck_assert(ev.msr.fault);
	ck_assert_uint_eq(ev.msr.index, 0x1a0);

	ck_assert_int_eq(hvctl_trace_parse(svm_lines[7], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_NPF);
	ck_assert_uint_eq(ev.npf.gpa, 0xfee00030);
	ck_assert_int_eq(ev.npf.access, 'w');
	ck_assert_str_eq(ev.npf.outcome, "mmio");

	ck_assert_int_eq(hvctl_trace_parse(svm_lines[8], &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_MMIO);
	ck_assert(ev.mmio.write);
	ck_assert(!ev.mmio.user);
	ck_assert_uint_eq(ev.mmio.size, 4);
	ck_assert_uint_eq(ev.mmio.val, 0x1ff);

	ck_assert_int_eq(hvctl_trace_parse("CPU:1 [LOST 42 EVENTS]", &ev), 0);
	ck_assert_int_eq(ev.kind, HVCTL_TEV_LOST);
	ck_assert_uint_eq(ev.lost.n, 42);
}
END_TEST

START_TEST(trace_parse_rejects)
{
	static const char *const bad[] = {
		"",
		"# tracer: nop",
		/* another event, another subsystem */
		"  sh-1 [000] .... 1.0: hv_inject: vm 3 vcpu 0 irq vector 32 error none 0x0",
		"  sh-1 [000] .... 1.0: kvm_exit: reason CPUID rip 0x1013",
		/* cut short, or fields that are not numbers */
		"  sh-1 [000] .... 1.0: hv_exit: vm 3 vcpu 0 reason cpuid vmx",
		"  sh-1 [000] .... 1.0: hv_cpuid: vm x vcpu 0 leaf 0x0",
		"  sh-1 [000] .... 1.0: hv_pio: vm 3 vcpu 0 out port zz size 1 value 0x0 by user",
		"  sh-1 [000] .... 1.0: hv_exit",
		"CPU:1 [LOST many EVENTS]",
	};
	struct hvctl_tev ev;
	size_t i;

	for (i = 0; i < N(bad); i++)
		ck_assert_msg(hvctl_trace_parse(bad[i], &ev) == -1,
			      "parsed: %s", bad[i]);
	/* a reason this hvctl does not know still parses, as -1 */
	ck_assert_int_eq(hvctl_trace_parse("  x-1 [000] .... 1.0: hv_exit: vm 1 vcpu 2 reason 0x63 vmx 0x30 info 0x0 0x0 rip 0x10", &ev), 0);
	ck_assert_int_eq(ev.exit.reason, -1);
}
END_TEST

START_TEST(trace_plain_lines)
{
	char *out = feed(vmx_lines, N(vmx_lines), 3, false, "st");

	ck_assert_str_eq(out,
		"61.437016 vcpu 0 rip 0x1013 cpuid (vmx 0xa 0x0 0x0) leaf 0x0 subleaf 0x0 -> 0xd 0x756e6547 0x6c65746e 0x49656e69\n"
		"61.437101 vcpu 0 rip 0x101e io (vmx 0x1e 0x5f00000 0x0) out port 0x5f0 size 1 value 0xd by user\n"
		"61.437201 vcpu 0 rip 0x102b rdmsr (vmx 0x1f 0x0 0x0) rdmsr 0x1a0 value 0x1\n"
		"61.437301 vcpu 0 rip 0x1030 hlt (vmx 0xc 0x0 0x0)\n"
		"--- st: 4 exits\n"
		"io                    1\n"
		"cpuid                 1\n"
		"rdmsr                 1\n"
		"hlt                   1\n");
	free(out);
}
END_TEST

START_TEST(trace_explain_vmx)
{
	char *out = feed(vmx_lines, N(vmx_lines), 3, true, NULL);

	ck_assert_str_eq(out,
		"vCPU 0 ran CPUID leaf 0x0 subleaf 0x0 at RIP 0x1013; VT-x exits unconditionally on CPUID (SDM Vol 3C, 26.1.2); hv answered from its CPUID table: eax=0xd ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
		"vCPU 0 wrote 0xd to I/O port 0x5f0 (OUT, 1 byte) at RIP 0x101e; VT-x exits because hv's I/O bitmaps intercept every port (SDM Vol 3C, 26.1.3, 25.6.4); no device in the kernel has the port: hv passed it to the VM's driver (userspace, or the managed service)\n"
		"vCPU 0 ran RDMSR of MSR 0x1a0 at RIP 0x102b; VT-x exits because hv's MSR bitmaps intercept every MSR (SDM Vol 3C, 26.1.3, 25.6.9); hv answered 0x1\n"
		"vCPU 0 ran HLT at RIP 0x1030; VT-x exits because hv sets HLT exiting (SDM Vol 3C, 26.1.3, 25.6.2); hv_handle_hlt() put the vCPU to sleep until an interrupt can wake it (with interrupts off and nothing to wake it, a managed VM stops, halted)\n");
	free(out);
}
END_TEST

START_TEST(trace_explain_svm)
{
	char *out = feed(svm_lines, N(svm_lines), 7, true, "web");

	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 ran CPUID leaf 0x0 subleaf 0x0 at RIP 0x1013; AMD-V exits on CPUID because hv sets its intercept in the VMCB (APM Vol 2, 15.9); hv answered from its CPUID table: eax=0xd ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 wrote 0xd to I/O port 0x5f0 (OUT, 1 byte) at RIP 0x101e; AMD-V exits because hv's I/O permission map intercepts every port (APM Vol 2, 15.10); "));
	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 ran WRMSR of MSR 0x1a0 at RIP 0x102b; AMD-V exits because hv's MSR permission map intercepts every MSR (APM Vol 2, 15.11); hv refused it and injected #GP(0) (SDM Vol 2B, WRMSR)\n"));
	/* the NPF's line comes with hv_npf; its MMIO piece follows alone */
	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 wrote guest-physical 0xfee00030 at RIP 0x2000; AMD-V exits on a nested page fault (APM Vol 2, 15.25.6); no RAM there: hv decoded the instruction and emulated it as MMIO\n"
		"vCPU 0 wrote 4 bytes at guest-physical 0xfee00030 (the next piece of the same MMIO access): 0x1ff\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 was interrupted by the host (a host interrupt or timer) at RIP 0x2004; AMD-V exits through the INTR intercept (APM Vol 2, 15.13.1); the host handled its interrupt and hv entered the guest again\n"));
	ck_assert_ptr_nonnull(strstr(out,
		"vCPU 0 ran HLT at RIP 0x1030; AMD-V exits because hv sets the HLT intercept (APM Vol 2, 15.9); "));
	ck_assert_ptr_nonnull(strstr(out, "--- web: 6 exits\n"));
	ck_assert_int_eq(count_substr(out, "\nvCPU 0 "), 6);
	free(out);
}
END_TEST

START_TEST(trace_summary_counts)
{
	/* 3 CPUIDs, 2 OUTs on vCPU 1, another VM's exit, a lost buffer */
	static const char *const lines[] = {
		"a-1 [000] d... 1.0: hv_exit: vm 5 vcpu 0 reason cpuid vmx 0xa info 0x0 0x0 rip 0x10",
		"a-1 [000] d... 1.1: hv_exit: vm 5 vcpu 1 reason io vmx 0x1e info 0x5f00000 0x0 rip 0x20",
		"a-1 [000] d... 1.2: hv_exit: vm 5 vcpu 0 reason cpuid vmx 0xa info 0x0 0x0 rip 0x10",
		"a-1 [000] d... 1.3: hv_exit: vm 6 vcpu 0 reason hlt vmx 0xc info 0x0 0x0 rip 0x10",
		"CPU:0 [LOST 17 EVENTS]",
		"a-1 [000] d... 1.4: hv_exit: vm 5 vcpu 1 reason io vmx 0x1e info 0x5f00000 0x0 rip 0x20",
		"a-1 [000] d... 1.5: hv_exit: vm 5 vcpu 0 reason cpuid vmx 0xa info 0x0 0x0 rip 0x10",
		"a-1 [000] d... 1.6: hv_exit: vm 5 vcpu 9 reason cpuid vmx 0xa info 0x0 0x0 rip 0x10",
		"a-1 [000] d... 1.7: hv_exit: vm 5 vcpu 0 reason 0x63 vmx 0x99 info 0x0 0x0 rip 0x10",
	};
	char *out = feed(lines, N(lines), 5, false, "db");
	const char *sum = strstr(out, "--- db: ");

	ck_assert_ptr_nonnull(sum);
	ck_assert_str_eq(sum,
		"--- db: 6 exits\n"
		"cpuid                 3\n"
		"io                    2\n"
		"other                 1\n"
		"lost 17 events: the trace buffer was full (the counts above miss them)\n");
	/* every exit of VM 5's vCPUs 0 and 1 printed, once */
	ck_assert_int_eq(count_substr(out, " vcpu 0 rip 0x10 cpuid "), 3);
	ck_assert_int_eq(count_substr(out, " vcpu 1 rip 0x20 io "), 2);
	ck_assert_ptr_null(strstr(out, " hlt "));
	free(out);
}
END_TEST

/* Every reason the module names has a row, both vendors' words */
START_TEST(trace_table_complete)
{
	static const char *const module_names[] = {
		"none", "io", "npf", "cpuid", "rdmsr", "wrmsr", "hlt", "pause",
		"hypercall", "shutdown", "intr", "nmi", "virt_insn", "ud",
		"xsetbv", "cr_write", "dr_access", "irq_window", "nmi_window",
		"invd", "wbinvd", "monitor", "mwait", "rdpmc", "rdpru", "debug",
		"fail_entry", "unhandled",
	};
	unsigned int i;

	ck_assert_uint_eq(hvctl_trace_nr_reasons, N(module_names));
	ck_assert_uint_le(hvctl_trace_nr_reasons, HVCTL_TRACE_REASONS_MAX);
	for (i = 0; i < N(module_names); i++) {
		const struct hvctl_trace_reason *r = &hvctl_trace_reasons[i];

		ck_assert_int_eq(hvctl_trace_reason_index(module_names[i]), (int)i);
		ck_assert(r->what && r->why_vmx && r->why_svm && r->hv);
		ck_assert_ptr_nonnull(strstr(r->why_vmx, "VT-x"));
		ck_assert_ptr_nonnull(strstr(r->why_svm, "AMD-V"));
	}
	ck_assert_int_eq(hvctl_trace_reason_index("bogus"), -1);
}
END_TEST

START_TEST(trace_args)
{
	free(HVCTL(2, "hvctl: trace: missing VM name; try 'hvctl help trace'\n",
		   "trace"));
	free(HVCTL(2, "hvctl: trace: unknown option '--bogus'; try "
		      "'hvctl help trace'\n", "trace", "web", "--bogus"));
	if (geteuid() != 0)
		free(HVCTL(1, "hvctl: trace web: tracing needs root (tracefs, "
			      "/sys/kernel/tracing, is root's)\n",
			   "trace", "web"));
}
END_TEST

Suite *cli_trace_suite(void)
{
	Suite *s = suite_create("cli_trace");
	TCase *tc = tcase_create("fmt");

	tcase_add_test(tc, trace_parse_fields);
	tcase_add_test(tc, trace_parse_rejects);
	tcase_add_test(tc, trace_plain_lines);
	tcase_add_test(tc, trace_explain_vmx);
	tcase_add_test(tc, trace_explain_svm);
	tcase_add_test(tc, trace_summary_counts);
	tcase_add_test(tc, trace_table_complete);
	suite_add_tcase(s, tc);
	tc = tcase_create("cmd");
	tcase_add_checked_fixture(tc, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(tc, trace_args);
	suite_add_tcase(s, tc);
	return s;
}
