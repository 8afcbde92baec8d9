// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl trace --explain: what each exit reason means, in one place.
 *
 * One row per vendor-neutral exit reason, in the module's order
 * (kmod/hv.h's enum hv_exit_code; the names are the tracepoint's and
 * `hvctl stat`'s).  For each: what the guest did, why the hardware left
 * it on each vendor with the manual's section (Intel SDM Dec 2023, AMD
 * APM rev 3.42, as kmod/ cites them), and what hv does about it (the
 * handler is named, so the reader can go on in kmod/: docs/exit-path.md).
 * trace_fmt.c adds the details the other events carry (CPUID leaf and
 * answer, port and value, MSR, guest-physical address).
 */
#include <string.h>

#include "trace.h"

const struct hvctl_trace_reason hvctl_trace_reasons[] = {
	{ "none", "came back without an exit (the entry was cancelled)",
	  "VT-x did not enter: a request came first",
	  "AMD-V did not enter: a request came first",
	  "hv looked at its requests and entered again" },
	{ "io", "ran IN or OUT",
	  "VT-x exits because hv's I/O bitmaps intercept every port "
	  "(SDM Vol 3C, 26.1.3, 25.6.4)",
	  "AMD-V exits because hv's I/O permission map intercepts every "
	  "port (APM Vol 2, 15.10)",
	  "hv_handle_io() gave it to a device" },
	{ "npf", "touched guest-physical memory the nested page tables do "
	  "not map as it needed",
	  "VT-x exits on an EPT violation (SDM Vol 3C, 29.3.3; "
	  "qualification: Table 28-7)",
	  "AMD-V exits on a nested page fault (APM Vol 2, 15.25.6)",
	  "hv_handle_npf() looked at what is there" },
	{ "cpuid", "ran CPUID",
	  "VT-x exits unconditionally on CPUID (SDM Vol 3C, 26.1.2)",
	  "AMD-V exits on CPUID because hv sets its intercept in the VMCB "
	  "(APM Vol 2, 15.9)",
	  "hv answered from its CPUID table (hv_handle_cpuid())" },
	{ "rdmsr", "ran RDMSR",
	  "VT-x exits because hv's MSR bitmaps intercept every MSR "
	  "(SDM Vol 3C, 26.1.3, 25.6.9)",
	  "AMD-V exits because hv's MSR permission map intercepts every "
	  "MSR (APM Vol 2, 15.11)",
	  "hv_handle_msr() answered" },
	{ "wrmsr", "ran WRMSR",
	  "VT-x exits because hv's MSR bitmaps intercept every MSR "
	  "(SDM Vol 3C, 26.1.3, 25.6.9)",
	  "AMD-V exits because hv's MSR permission map intercepts every "
	  "MSR (APM Vol 2, 15.11)",
	  "hv_handle_msr() checked and stored the value" },
	{ "hlt", "ran HLT",
	  "VT-x exits because hv sets HLT exiting (SDM Vol 3C, 26.1.3, "
	  "25.6.2)",
	  "AMD-V exits because hv sets the HLT intercept (APM Vol 2, 15.9)",
	  "hv_handle_hlt() put the vCPU to sleep until an interrupt can wake "
	  "it (with interrupts off and nothing to wake it, a managed VM "
	  "stops, halted)" },
	{ "pause", "ran PAUSE (a spin loop)",
	  "VT-x exits on PAUSE through PAUSE-loop exiting (SDM Vol 3C, "
	  "26.1.3)",
	  "AMD-V exits through the PAUSE filter (APM Vol 2, 15.14.4)",
	  "hv gave the host CPU away for a moment, then went on" },
	{ "hypercall", "made a hypercall (VMCALL or VMMCALL)",
	  "VT-x exits unconditionally on VMCALL (SDM Vol 3C, 26.1.2)",
	  "AMD-V exits on VMMCALL because hv sets its intercept "
	  "(APM Vol 2, 15.9)",
	  "hv_handle_hypercall() answered it or passed it to the VM's driver" },
	{ "shutdown", "triple-faulted (an exception while delivering a "
	  "double fault)",
	  "VT-x exits on a triple fault (SDM Vol 3C, 26.2)",
	  "AMD-V exits through the shutdown intercept (APM Vol 2, 15.9)",
	  "hv stopped the VM: the guest shut down" },
	{ "intr", "was interrupted by the host (a host interrupt or timer)",
	  "VT-x exits on external interrupts because hv sets "
	  "external-interrupt exiting (SDM Vol 3C, 26.2, 25.6.1)",
	  "AMD-V exits through the INTR intercept (APM Vol 2, 15.13.1)",
	  "the host handled its interrupt and hv entered the guest again" },
	{ "nmi", "was interrupted by a host NMI",
	  "VT-x exits on NMIs because hv sets NMI exiting (SDM Vol 3C, "
	  "26.2, 25.6.1)",
	  "AMD-V exits through the NMI intercept (APM Vol 2, 15.13.2)",
	  "the host handled its NMI and hv entered the guest again" },
	{ "virt_insn", "ran a virtualization instruction (VMXON, VMRUN...)",
	  "VT-x exits unconditionally on VMX instructions (SDM Vol 3C, "
	  "26.1.2)",
	  "AMD-V exits on SVM instructions hv intercepts (APM Vol 2, 15.9)",
	  "hv has no nesting: it injected #UD, as a CPU without VMX/SVM "
	  "would" },
	{ "ud", "hit an invalid opcode (#UD)",
	  "VT-x exits because hv intercepts #UD in its exception bitmap "
	  "(SDM Vol 3C, 26.2, 25.6.3)",
	  "AMD-V exits because hv intercepts #UD (APM Vol 2, 15.12)",
	  "hv_handle_ud() ran the other vendor's hypercall, or gave the #UD "
	  "back" },
	{ "xsetbv", "ran XSETBV",
	  "VT-x exits unconditionally on XSETBV (SDM Vol 3C, 26.1.2)",
	  "AMD-V exits on XSETBV because hv intercepts it (APM Vol 2, 15.9)",
	  "hv checked the new XCR0 against what it offers" },
	{ "cr_write", "wrote CR0 or CR4",
	  "VT-x exits because hv owns bits of CR0/CR4 through their masks "
	  "(SDM Vol 3C, 26.1.3, 25.6.6)",
	  "AMD-V exits because hv intercepts writes to CR0/CR4 "
	  "(APM Vol 2, 15.9)",
	  "hv_handle_cr_write() checked and applied the value" },
	{ "dr_access", "touched a debug register",
	  "VT-x exits because hv sets MOV-DR exiting (SDM Vol 3C, 26.1.3)",
	  "AMD-V exits because hv intercepts DR reads and writes "
	  "(APM Vol 2, 15.9)",
	  "hv loaded the guest's DR0-3 and stopped intercepting them" },
	{ "irq_window", "became able to take an interrupt",
	  "VT-x exits through interrupt-window exiting, which hv asked for "
	  "(SDM Vol 3C, 26.2, 25.6.2)",
	  "AMD-V exits through the VINTR intercept, which hv asked for "
	  "(APM Vol 2, 15.21.4)",
	  "hv injects the waiting interrupt at the next entry" },
	{ "nmi_window", "became able to take an NMI",
	  "VT-x exits through NMI-window exiting (SDM Vol 3C, 26.2, 25.6.2)",
	  "AMD-V exits at the IRET that ends the NMI handler "
	  "(APM Vol 2, 15.21.4)",
	  "hv injects the waiting NMI at the next entry" },
	{ "invd", "ran INVD",
	  "VT-x exits unconditionally on INVD (SDM Vol 3C, 26.1.2)",
	  "AMD-V exits on INVD because hv intercepts it (APM Vol 2, 15.9)",
	  "hv completed it as a no-op" },
	{ "wbinvd", "ran WBINVD",
	  "VT-x exits because hv sets WBINVD exiting (SDM Vol 3C, 26.1.3)",
	  "AMD-V exits on WBINVD because hv intercepts it (APM Vol 2, 15.9)",
	  "hv completed it as a no-op" },
	{ "monitor", "ran MONITOR",
	  "VT-x exits because hv sets MONITOR exiting (SDM Vol 3C, 26.1.3)",
	  "AMD-V exits because hv intercepts MONITOR (APM Vol 2, 15.9)",
	  "hv injected #UD, as on a CPU without it" },
	{ "mwait", "ran MWAIT",
	  "VT-x exits because hv sets MWAIT exiting (SDM Vol 3C, 26.1.3)",
	  "AMD-V exits because hv intercepts MWAIT (APM Vol 2, 15.9)",
	  "hv injected #UD, as on a CPU without it" },
	{ "rdpmc", "ran RDPMC",
	  "VT-x exits because hv sets RDPMC exiting (SDM Vol 3C, 26.1.3)",
	  "AMD-V exits because hv intercepts RDPMC (APM Vol 2, 15.9)",
	  "hv injected #GP(0): it exposes no performance counters" },
	{ "rdpru", "ran RDPRU",
	  "VT-x has no RDPRU",
	  "AMD-V exits because hv intercepts RDPRU (APM Vol 2, 15.9)",
	  "hv injected #UD, as on a CPU without it" },
	{ "debug", "stopped for the debugger",
	  "VT-x exits on #BP or #DB because hv intercepts them for a "
	  "debugger, or on a monitor trap (SDM Vol 3C, 26.2 and 26.5.2)",
	  "AMD-V exits on #BP or #DB because hv intercepts them for a "
	  "debugger (APM Vol 2, 15.12)",
	  "hv stopped the vCPU for hvctl gdb (docs/gdb.md)" },
	{ "fail_entry", "could not be entered",
	  "VT-x refused the guest state at VM entry (SDM Vol 3C, 27.8)",
	  "AMD-V's VMRUN found the guest state inconsistent "
	  "(APM Vol 2, 15.5.1)",
	  "hv stopped the vCPU and reported the hardware's reason" },
	{ "unhandled", "made an exit hv does not expect",
	  "VT-x gave an exit reason hv does not handle (SDM Vol 3D, "
	  "Appendix C)",
	  "AMD-V gave an exit code hv does not handle (APM Vol 2, "
	  "Appendix C)",
	  "hv stopped the vCPU with an internal error" },
};

const unsigned int hvctl_trace_nr_reasons =
	sizeof(hvctl_trace_reasons) / sizeof(hvctl_trace_reasons[0]);

int hvctl_trace_reason_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < hvctl_trace_nr_reasons; i++)
		if (!strcmp(hvctl_trace_reasons[i].name, name))
			return (int)i;
	return -1;
}
