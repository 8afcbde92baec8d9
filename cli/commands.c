// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the command table, the dispatcher and `hvctl help`.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "hvctl.h"
#include "trace.h"

#define HVCTL_CREATE_USAGE						\
	"NAME --mem SIZE [--vcpus N] [--image FILE | --multiboot FILE "	\
	"[--module FILE[,STRING]]... [--cmdline STR] | --kernel FILE "	\
	"[--initrd FILE] [--cmdline STR]] [--on-reboot restart|stop]"

#define HVCTL_CREATE_DETAILS						\
	"  --mem SIZE        guest RAM at address 0: bytes, or with a K, M\n" \
	"                    or G suffix (binary: 512M = 512 MiB); a\n"	\
	"                    multiple of 4K, at most 16G\n"		\
	"  --vcpus N         1 to 8 vCPUs (default 1); vCPU 0 starts the\n" \
	"                    image, the others wait for a start-up IPI\n"	\
	"  --image FILE      an ELF executable (its PT_LOAD segments at\n"	\
	"                    their physical addresses; ELF32 entered in\n"	\
	"                    32-bit protected mode, ELF64 in long mode with\n" \
	"                    the first 4 GiB identity-mapped; the top 48K\n" \
	"                    of RAM below 4G hold its stack and the page\n" \
	"                    tables); or else a flat binary, loaded at\n" \
	"                    0x1000 and entered in real mode at 0000:1000,\n" \
	"                    SP 0x1000\n"					\
	"  --multiboot FILE  a Multiboot (v1) kernel, started as GRUB would\n" \
	"  --module FILE[,STRING]\n"					\
	"                    a Multiboot module (repeatable); its string is\n" \
	"                    STRING, or FILE without one\n"		\
	"  --kernel FILE     a Linux bzImage or vmlinux, booted by the\n"	\
	"                    64-bit boot protocol with ACPI tables for\n"	\
	"                    the vCPUs (--mem 16M to 3G; the kernel needs\n" \
	"                    RAM up to its pref_address + init_size)\n"	\
	"  --initrd FILE     the initramfs for --kernel\n"		\
	"  --cmdline STR     the Multiboot or Linux command line\n"		\
	"  --on-reboot restart|stop\n"					\
	"                    when the guest resets the machine (port\n"	\
	"                    0xcf9, the 8042): stop, reason reboot (the\n" \
	"                    default), or boot the image again in the same\n" \
	"                    VM (create leaves a process that does it)\n"

const struct hvctl_cmd hvctl_cmds[] = {
	{ "help", hvctl_cmd_help, "[COMMAND]",
	  "show how to use hvctl or one command", NULL },
	{ "info", hvctl_cmd_info, "[NAME] [--json]",
	  "show the CPU's virtualization features and the module's state",
	  "With NAME: everything the module knows about that VM (state,\n"
	  "stop reason, exit status, vCPUs, memory, owner, flags, uptime,\n"
	  "exits, unclaimed I/O and MMIO, console bytes).\n" },
	{ "create", hvctl_cmd_create, HVCTL_CREATE_USAGE,
	  "create a VM, give it RAM and vCPUs, load its image",
	  HVCTL_CREATE_DETAILS
	  "\nIf anything fails, the half-made VM is destroyed.\n" },
	{ "start", hvctl_cmd_start, "NAME [--wait]",
	  "run a VM on the module's threads",
	  "  --wait  wait until it stops, then exit with its result: the\n"
	  "          debug-exit status ((v << 1) | 1 after `out 0xf4` with\n"
	  "          v), 0 if it halted or powered off, 1 and a line naming\n"
	  "          the reason otherwise (triple fault, entry failure, ...)\n"
	  "A stopped VM starts again where it stopped.\n" },
	{ "stop", hvctl_cmd_stop, "NAME", "stop a running or paused VM", NULL },
	{ "pause", hvctl_cmd_pause, "NAME", "hold every vCPU of a running VM", NULL },
	{ "resume", hvctl_cmd_resume, "NAME", "let a paused VM run on", NULL },
	{ "destroy", hvctl_cmd_destroy, "NAME [--force]",
	  "destroy a VM and free its name",
	  "  --force  stop it first if it is running or paused\n" },
	{ "list", hvctl_cmd_list, "[--json]",
	  "list VMs: NAME STATE VCPUS MEMORY UPTIME EXITS", NULL },
	{ "stat", hvctl_cmd_stat, "NAME [--vcpu N] [--all] [--json]",
	  "show a VM's exit and event counters",
	  "The module's counters (docs/stats.md): exits and the time spent\n"
	  "handling them, by reason (exit.REASON, exit_ns.REASON, in ns),\n"
	  "interrupts and NMIs injected, halts, copy-on-write copies, dirty-\n"
	  "logging faults, unclaimed I/O and MMIO.  Counts since the VM (or\n"
	  "the vCPU) was created, of every vCPU summed.\n"
	  "  --vcpu N  one vCPU's counters (VM-wide ones read 0)\n"
	  "  --all     also the counters that are zero\n"
	  "  --json    one object: {\"name\", \"vcpu\", \"stats\": {NAME: VALUE}},\n"
	  "            every counter, zero or not\n" },
	{ "top", hvctl_cmd_top,
	  "[--interval SECS] [--count N] [--sort exits|name] [--vcpus]",
	  "show every VM's exits per second, refreshed",
	  "One line per VM: NAME STATE EXITS/s, HV% (the share of one CPU\n"
	  "hv spent in its exit handlers) and its three busiest exit reasons\n"
	  "with their rates, from two reads of its counters (hvctl stat) SECS\n"
	  "apart, the busiest VM first.  On a terminal the screen is redrawn\n"
	  "and keys act at once: q quits, s switches the order, v shows or\n"
	  "hides the vCPUs; otherwise screens follow one another, a blank\n"
	  "line between.\n"
	  "  --interval SECS  seconds between screens (default 2; 0 to 3600)\n"
	  "  --count N        stop after N screens (default: until Ctrl-C)\n"
	  "  --sort exits|name  the busiest first (default), or by name\n"
	  "  --vcpus          a line for each vCPU under its VM\n" },
	{ "trace", hvctl_cmd_trace, "NAME [--explain]",
	  "show a VM's exits as they happen, one line each (root)",
	  "Reads the module's tracepoints (docs/tracing.md) through a tracefs\n"
	  "instance of its own, filtered in the kernel on the VM, until the\n"
	  "VM stops or Ctrl-C; then a summary: exits by reason.  Each line:\n"
	  "TIME vcpu N rip RIP REASON (ISA HW INFO1 INFO2) and the details\n"
	  "(CPUID leaf and answer, port and value, MSR, address).\n"
	  "  --explain  each exit in words, with why the hardware exits on\n"
	  "             it (the SDM or APM section) and what hv did\n" },
	{ "gdb", hvctl_cmd_gdb, "NAME [--listen ADDR:PORT]",
	  "debug a VM's guest with gdb (GDB remote protocol over TCP)",
	  "Waits for one gdb (`target remote ADDR:PORT`) and serves it:\n"
	  "registers, guest-virtual memory, breakpoints (INT3, and DR0-3\n"
	  "for hbreak and watch), single steps, continue, Ctrl-C; one\n"
	  "thread per vCPU.  A running VM pauses when gdb connects; a VM\n"
	  "never started starts at gdb's first continue or step.  Detach,\n"
	  "kill and quit leave the VM running (docs/gdb.md).  Registers:\n"
	  "x86-64's if vCPU 0 is in 64-bit mode when gdb connects, else\n"
	  "i386's (eax .. edi, eip), for the whole connection.\n"
	  "  --listen ADDR:PORT  IPv4 address and port (default\n"
	  "                      127.0.0.1:1234; PORT alone: loopback)\n" },
	{ "console", hvctl_cmd_console, "NAME [--no-follow]",
	  "print a VM's console output and follow it",
	  "Prints what the guest wrote to its UART (the last 64K are kept),\n"
	  "then follows until the VM stops; stdin goes to the guest's UART.\n"
	  "On a terminal the input is raw and Ctrl-] detaches.\n"
	  "  --no-follow  print what is kept and exit\n" },
	{ "run", hvctl_cmd_run, HVCTL_CREATE_USAGE,
	  "create, start, follow the console, destroy when the guest stops",
	  "Takes create's options (an image is needed).  The VM is destroyed\n"
	  "when hvctl exits, however it exits.  No terminal needed: guest\n"
	  "output goes to stdout.  Exit status: as start --wait (the\n"
	  "debug-exit status, 0 if halted, 1 and the reason otherwise);\n"
	  "1 after Ctrl-], 128+N after signal N.\n\n"
	  HVCTL_CREATE_DETAILS },
	{ "snapshot", hvctl_cmd_snapshot, "NAME FILE [--live | --stop] [--incremental BASE] [--quiet]",
	  "write a VM's whole state to a file",
	  "A running VM is paused while its state is written, then resumed\n"
	  "(with --live, only while it is cloned).  FILE is replaced only once\n"
	  "it is complete (written to FILE.tmp.PID, synced, renamed).  Nothing\n"
	  "is printed but a progress bar (bytes and rate) on a terminal, for\n"
	  "VMs over 64 MiB.\n"
	  "  --live              pause the VM only to clone it (no page is\n"
	  "                      copied: RAM is shared copy-on-write), then\n"
	  "                      write the clone while the VM runs on: FILE\n"
	  "                      holds the instant of the pause.  The clone,\n"
	  "                      NAME.snap-PID, is listed until FILE is written\n"
	  "                      and is charged the VM's RAM size meanwhile\n"
	  "  --stop              stop the VM afterwards instead of resuming it\n"
	  "  --incremental BASE  store only the pages written since BASE, which\n"
	  "                      must be this VM's latest snapshot; restoring\n"
	  "                      FILE then needs BASE where it was\n"
	  "  --quiet             no progress bar\n" },
	{ "restore", hvctl_cmd_restore, "FILE [--name NEW] [--start] [--lazy] [--quiet]",
	  "create a VM from a snapshot file",
	  "The whole file (and its bases) is checked first: nothing is created\n"
	  "from a damaged file.  The VM is created in state 'created'.  A\n"
	  "progress bar (bytes and rate) shows on a terminal, over 64 MiB.\n"
	  "  --name NEW  call it NEW instead of the name in the file\n"
	  "  --start     start it at once\n"
	  "  --quiet     no progress bar\n" },
	{ "clone", hvctl_cmd_clone, "NAME NEW",
	  "make VM NEW a copy of VM NAME (RAM shared copy-on-write)",
	  "A running NAME is paused for the copy, then resumed.  NEW is\n"
	  "created in state 'created'.  No page is copied (they are shared\n"
	  "copy-on-write), so a clone takes milliseconds and shows no\n"
	  "progress bar.\n" },
	{ "events", hvctl_cmd_events, "[--json] [--count N]",
	  "print VM lifecycle events as they happen",
	  "One line per event: SEQ NAME EVENT [reason=R] [status=N]\n"
	  "  --json     one JSON object per line instead\n"
	  "  --count N  exit after N events\n" },
};
const size_t hvctl_nr_cmds = sizeof(hvctl_cmds) / sizeof(hvctl_cmds[0]);

const struct hvctl_cmd *hvctl_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < hvctl_nr_cmds; i++)
		if (!strcmp(hvctl_cmds[i].name, name))
			return &hvctl_cmds[i];
	return NULL;
}

void hvctl_print_cmd_usage(FILE *f, const struct hvctl_cmd *cmd)
{
	fprintf(f, "usage: hvctl %s %s\n\n%s\n", cmd->name, cmd->usage,
		cmd->help);
	if (cmd->details)
		fprintf(f, "\n%s", cmd->details);
}

#define USAGE_COLUMN	28

static void hvctl_print_usage(FILE *f)
{
	size_t i;
	int w = 0;

	/*
	 * Line the help texts up after the longest "name usage" up to
	 * USAGE_COLUMN; a longer one gets its help on the next line.
	 */
	for (i = 0; i < hvctl_nr_cmds; i++) {
		int n = strlen(hvctl_cmds[i].name) +
			strlen(hvctl_cmds[i].usage) + 1;
		if (n > w && n <= USAGE_COLUMN)
			w = n;
	}

	fputs("usage: hvctl COMMAND [ARGS]\n"
	      "       hvctl --help | --version\n\ncommands:\n", f);
	for (i = 0; i < hvctl_nr_cmds; i++) {
		const struct hvctl_cmd *c = &hvctl_cmds[i];
		int n = strlen(c->name) + strlen(c->usage) + 1;

		if (n > w)
			fprintf(f, "  %s %s\n  %*s  %s\n", c->name, c->usage,
				w, "", c->help);
		else
			fprintf(f, "  %s %s%*s  %s\n", c->name, c->usage,
				w - n, "", c->help);
	}
	fputs("\nThe device is $HV_DEVICE, or " HV_DEVICE_PATH
	      " if unset.\n", f);
}

int hvctl_cmd_help(int argc, char **argv)
{
	const struct hvctl_cmd *cmd;

	if (argc < 2) {
		hvctl_print_usage(hvctl_out);
		return HVCTL_EXIT_OK;
	}
	if (argc > 2)
		return hvctl_usage_error(argv[0], "too many arguments");
	cmd = hvctl_find_cmd(argv[1]);
	if (!cmd)
		return hvctl_usage_error(NULL, "unknown command '%s'",
					 argv[1]);
	hvctl_print_cmd_usage(hvctl_out, cmd);
	return HVCTL_EXIT_OK;
}

int hvctl_main(int argc, char **argv, FILE *out, FILE *err)
{
	const struct hvctl_cmd *cmd;
	const char *arg;
	int ret;

	hvctl_out = out;
	hvctl_err = err;

	if (argc < 2) {
		hvctl_print_usage(err);
		return HVCTL_EXIT_USAGE;
	}
	arg = argv[1];
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		hvctl_print_usage(out);
		ret = HVCTL_EXIT_OK;
	} else if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
		fprintf(out, "hvctl %s (hv API %d)\n", HVCTL_VERSION,
			HV_API_VERSION);
		ret = HVCTL_EXIT_OK;
	} else if (arg[0] == '-') {
		return hvctl_usage_error(NULL, "unknown option '%s'", arg);
	} else if (!(cmd = hvctl_find_cmd(arg))) {
		return hvctl_usage_error(NULL, "unknown command '%s'", arg);
	} else {
		/*
		 * optind = 0 makes glibc's getopt start afresh: tests call
		 * hvctl_main() many times in one process.  Handlers print
		 * their own option errors, with the command name.
		 */
		optind = 0;
		opterr = 0;
		ret = cmd->handler(argc - 1, argv + 1);
	}

	/* `hvctl info > /dev/full` must not exit 0. */
	if (fflush(out) || ferror(out)) {
		hvctl_fail(NULL, "cannot write output: %s",
			   hv_strerror(errno));
		if (ret == HVCTL_EXIT_OK)
			ret = HVCTL_EXIT_FAIL;
	}
	return ret;
}
