/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: the command table and what every command family shares.
 *
 * Adding a command family: write cli/FAMILY.c with its handlers, declare
 * them below, and add one line per command to hvctl_cmds[] in
 * cli/commands.c; `hvctl help` and `hvctl help CMD` come from that table.
 *
 * A handler gets argv[0] = its command name and returns the exit status:
 * HVCTL_EXIT_OK, HVCTL_EXIT_FAIL (one line on hvctl_err, via hvctl_fail)
 * or HVCTL_EXIT_USAGE (via hvctl_usage_error).  It writes only to
 * hvctl_out and hvctl_err, never to stdout/stderr directly, so the unit
 * tests can run it through hvctl_main() and read what it printed.
 */
#ifndef HVCTL_H
#define HVCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libhv.h"

#ifndef HVCTL_VERSION
#define HVCTL_VERSION		"0.1.0"
#endif

#define HVCTL_EXIT_OK		0
#define HVCTL_EXIT_FAIL		1	/* the operation failed */
#define HVCTL_EXIT_USAGE	2	/* bad command line */

struct hvctl_cmd {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *usage;	/* arguments, after "hvctl NAME " */
	const char *help;	/* one line */
	const char *details;	/* more, for `hvctl help NAME`; or NULL */
};

extern const struct hvctl_cmd hvctl_cmds[];
extern const size_t hvctl_nr_cmds;
const struct hvctl_cmd *hvctl_find_cmd(const char *name);

/* Where handlers print; set by hvctl_main(). */
extern FILE *hvctl_out;
extern FILE *hvctl_err;

/* The whole program, minus process setup: returns the exit status. */
int hvctl_main(int argc, char **argv, FILE *out, FILE *err);

/* "hvctl: CMD: MESSAGE\n" on hvctl_err; returns HVCTL_EXIT_FAIL. */
int hvctl_fail(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, ending "; try 'hvctl help [CMD]'"; returns HVCTL_EXIT_USAGE. */
int hvctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* CLOCK_MONOTONIC in ns: for how long a step took (progress, top) */
uint64_t hvctl_now_ns(void);
/* Reports a libhv error for CMD doing WHAT (e.g. "cannot open /dev/hv"). */
int hvctl_fail_errno(const char *cmd, const char *what, int err);
const char *hvctl_nomem_why(struct hv *hv, uint64_t bytes, unsigned int vms,
			    char *buf, size_t len);

/*
 * Opens the device, or reports why not and returns HVCTL_EXIT_FAIL.
 * Usage: if ((ret = hvctl_open(cmd, &hv))) return ret;
 */
int hvctl_open(const char *cmd, struct hv **hv);

/*
 * Names the loaded modules that may own VMX/SVM ("kvm_intel, vboxdrv"),
 * looking in SYSROOT/sys/module (SYSROOT "" for the real system).  Writes
 * "" when none is loaded; returns the number found.
 */
int hvctl_busy_holders(const char *sysroot, char *buf, size_t len);

/*
 * Reports getopt_long's error C ('?' or ':', with an optstring starting
 * "+:") for CMD; returns HVCTL_EXIT_USAGE.  Long options' val must be
 * above 255 so that they are not mistaken for short ones.
 */
int hvctl_bad_option(const char *cmd, char **argv, int c);

/* --help's val in every command's long options. */
#define HVCTL_OPT_HELP		256
/*
 * The default case of a command's getopt_long switch: 'h' or --help
 * prints the usage of command argv[0] and returns HVCTL_EXIT_OK; anything
 * else is hvctl_bad_option()'s error.
 */
int hvctl_opt_default(char **argv, int c);

/*
 * After the options, exactly one argument, a valid VM name, into *name.
 * Returns -1 to go on, else HVCTL_EXIT_USAGE (reported).
 */
int hvctl_parse_name(int argc, char **argv, const char **name);
/* The same for an existing VM: NAME or UID:NAME (hvctl_check_ref()). */
int hvctl_parse_ref(int argc, char **argv, const char **ref);

/*
 * Parses the options common to commands that take nothing but --json and
 * --help.  Returns -1 to go on (with *json set), else an exit status.
 */
int hvctl_parse_json_opt(int argc, char **argv, bool *json);

/* cli/commands.c */
int hvctl_cmd_help(int argc, char **argv);
void hvctl_print_cmd_usage(FILE *f, const struct hvctl_cmd *cmd);

/* cli/info.c: `info` alone is the module's, `info NAME` a VM's */
int hvctl_cmd_info(int argc, char **argv);
int hvctl_info_print(FILE *out, const struct hv_caps *caps,
		     const struct hv_status *status, bool json);

/* cli/size.c */
/*
 * "512M", "1G", "4096K", "1T", plain bytes; suffixes binary, either
 * case.  Only digits and one suffix: "-1", " 1", "1.5G", "12Q" are
 * -EINVAL; beyond 2^64 - 1 is -ERANGE.
 */
int hvctl_parse_size(const char *s, uint64_t *out);
/*
 * A --mem value: a size above 0, a multiple of 4K, at most HV_MAX_RAM.
 * 0, or -EINVAL / -ERANGE with @msg saying why ("12Q: not a size
 * ...", "1T: more than the 16G a VM may have").
 */
int hvctl_parse_mem(const char *s, uint64_t *out, char *msg, size_t len);
/* A decimal in [min, max], digits only: 0, -EINVAL or -ERANGE. */
int hvctl_parse_uint(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out);
/* "512M", "1G", "4K", or plain bytes when no unit divides: --mem's form. */
char *hvctl_format_size(uint64_t bytes, char *buf, size_t len);
/* "-" (0), "42s", "5m02s", "3h07m", "2d05h". */
char *hvctl_format_uptime(uint64_t ns, char *buf, size_t len);

/* cli/vm.c: commands on one VM, and what they share */
#define HVCTL_CTX_LEN		64	/* "COMMAND NAME", error prefix */
int hvctl_cmd_start(int argc, char **argv);
int hvctl_cmd_stop(int argc, char **argv);
int hvctl_cmd_pause(int argc, char **argv);
int hvctl_cmd_resume(int argc, char **argv);
int hvctl_cmd_destroy(int argc, char **argv);
/* "CMD NAME" into @buf: the context of a VM's error lines. */
void hvctl_ctx(char *buf, size_t len, const char *cmd, const char *name);
/* The kernel's rule: [A-Za-z0-9][A-Za-z0-9_.-]*, under HV_NAME_LEN. */
bool hvctl_name_valid(const char *name);
/* 0, or a usage error about the name (HVCTL_EXIT_USAGE). */
int hvctl_check_name(const char *cmd, const char *name);
/*
 * A reference to an existing VM: NAME, or UID:NAME for user UID's VM
 * named NAME (root addressing another user's VM; names are per owner).
 * hvctl_split_ref: *uid (-1 if none) and the NAME part; false if bad.
 */
bool hvctl_split_ref(const char *ref, long long *uid, const char **name);
int hvctl_check_ref(const char *cmd, const char *ref);
/*
 * The start of a one-VM command: its options (--help, and one flag,
 * @flag_name, or NULL for none) and NAME; "CMD NAME" into @ctx
 * (HVCTL_CTX_LEN bytes); the VM opened.  Returns -1 with *name, *flag,
 * *hv and *vm set, else an exit status (reported; nothing left open).
 */
int hvctl_vm_args_open(int argc, char **argv, const char *flag_name,
		       bool *flag, const char **name, char *ctx,
		       struct hv **hv, struct hv_vm **vm);
/*
 * One line for a VM operation's errno: "no such VM" (also another user's
 * VM: names are per owner), "name already in use", "permission denied
 * (only root may name another user's VM)", "several users have a VM
 * named ...", "VM is busy ..."; else hv_strerror().  @hv, @name unused.
 */
int hvctl_vm_fail(const char *ctx, struct hv *hv, const char *name, int err);
/* Opens the device and the VM, or reports why not; *hv, *vm for closing. */
int hvctl_vm_get(const char *ctx, const char *name, struct hv **hv,
		 struct hv_vm **vm);
/*
 * The exit status for how a VM ended: its debug-exit status (& 0xff),
 * 0 if it halted or powered off, else 1 with a line naming the reason.
 */
int hvctl_vm_result(const char *ctx, const struct hv_vm_info *info);
/*
 * Why memory of a VM that stopped with HV_STOP_LAZY_FAILED could not be
 * had, from its exit_status (EIO: a corrupt chunk; EPIPE: the filler
 * exited): "its memory could not be filled from the snapshot (...)".
 */
const char *hvctl_lazy_failed_text(uint32_t status);

/* cli/create.c: create, and the building that run shares */
#define HVCTL_MAX_MODULES	32
struct hvctl_module_opt {
	const char *path;	/* not NUL-terminated: path_len bytes */
	size_t path_len;
	const char *string;	/* after the comma, else the path */
};
struct hvctl_create_opts {
	const char *name;
	uint64_t mem;		/* bytes, checked by hvctl_parse_mem() */
	unsigned int vcpus;	/* 1 .. HV_MAX_VCPUS */
	const char *image;	/* --image: ELF or flat */
	const char *multiboot;	/* --multiboot */
	const char *kernel;	/* --kernel: Linux bzImage or vmlinux */
	const char *initrd;	/* --initrd, with --kernel */
	const char *cmdline;	/* --cmdline, or NULL */
	struct hvctl_module_opt mods[HVCTL_MAX_MODULES];
	size_t nmods;
	bool restart;		/* --on-reboot restart (default: stop) */
};
int hvctl_cmd_create(int argc, char **argv);
/* Parses create's options and NAME: -1 to go on, else an exit status. */
int hvctl_create_parse(int argc, char **argv, struct hvctl_create_opts *o);
/*
 * Creates the VM that @o describes with @flags (HV_VM_*), its RAM and
 * vCPUs, and loads its image; reports failures on @ctx's line and then
 * destroys what was made.  Returns an exit status; *out on success.
 */
int hvctl_vm_build(const char *ctx, struct hv *hv,
		   const struct hvctl_create_opts *o, uint32_t flags,
		   struct hv_vm **out);

/*
 * Loads @o's image (--image, --multiboot or --kernel) into @vm's RAM and
 * sets @bsp up to enter it; nothing to do without one.  Exit status.
 */
int hvctl_vm_load(const char *ctx, const struct hvctl_create_opts *o,
		  struct hv_vm *vm, struct hv_vcpu *bsp);

/* cli/reboot.c: --on-reboot restart */
struct hvctl_reboot;
/* The boot state of a VM just built (before any start); exit status. */
int hvctl_reboot_capture(const char *ctx, struct hv_vm *vm,
			 unsigned int nvcpus, struct hvctl_reboot **out);
void hvctl_reboot_free(struct hvctl_reboot *r);
/* A VM stopped with reason reboot back to its boot state; exit status. */
int hvctl_reboot(const char *ctx, struct hv_vm *vm,
		 const struct hvctl_create_opts *o,
		 const struct hvctl_reboot *r);
/* Leave a process behind that restarts @vm on each reboot; exit status. */
int hvctl_reboot_supervise(const char *ctx, struct hv_vm *vm,
			   const struct hvctl_create_opts *o,
			   const struct hvctl_reboot *r);

/* cli/list.c */
int hvctl_cmd_list(int argc, char **argv);
/* `info NAME`: from hvctl_cmd_info() */
int hvctl_vm_info_cmd(const char *cmd, const char *name, bool json);
/* The list table or JSON array; 0 or -EIO. */
int hvctl_list_print(FILE *out, const struct hv_vm_info *vms, size_t n,
		     bool json);
/* `info NAME`'s text or JSON object; 0 or -EIO. */
int hvctl_vm_info_print(FILE *out, const struct hv_vm_info *info,
			bool json);

/* cli/console.c: console, and the pump that run shares */
enum hvctl_console_end {
	HVCTL_CONSOLE_STOPPED,	/* the VM stopped or was destroyed */
	HVCTL_CONSOLE_DRAINED,	/* not following: printed what was kept */
	HVCTL_CONSOLE_DETACHED,	/* Ctrl-] on a terminal */
	HVCTL_CONSOLE_SIGNAL,	/* SIGINT, SIGTERM or SIGHUP */
};
int hvctl_cmd_console(int argc, char **argv);
/*
 * Copies console @fd (O_NONBLOCK) of @vm to hvctl_out, and stdin to it,
 * until *end says why it stopped (*signo: which signal).  Without
 * @follow, only what the ring holds now.  0, or -errno.
 */
int hvctl_console_pump(struct hv_vm *vm, int fd, bool follow,
		       enum hvctl_console_end *end, int *signo);

/* cli/stat.c */
int hvctl_cmd_stat(int argc, char **argv);
/*
 * The counters @d / @v (@n of them) of VM @name, vCPU @vcpu or
 * HV_STATS_VM: text (non-zero ones unless @all) or JSON (all); 0 or -EIO.
 */
int hvctl_stat_print(FILE *out, const char *name, uint32_t vcpu,
		     const struct hv_stat_desc *d, const uint64_t *v,
		     size_t n, bool all, bool json);

/* cli/top.c */
int hvctl_cmd_top(int argc, char **argv);

/* cli/gdb.c: the gdb stub (cli/gdbstub.c: the protocol) */
int hvctl_cmd_gdb(int argc, char **argv);

/* cli/run.c */
int hvctl_cmd_run(int argc, char **argv);

/* cli/snapshot.c */
int hvctl_cmd_snapshot(int argc, char **argv);
int hvctl_cmd_restore(int argc, char **argv);
int hvctl_cmd_clone(int argc, char **argv);

/* cli/events.c */
int hvctl_cmd_events(int argc, char **argv);
/* One event as a line ("SEQ NAME EVENT ...") or JSON object; 0 or -EIO. */
int hvctl_event_print(FILE *out, const struct hv_event *ev, bool json);

/*
 * cli/progress.c: the progress bar of snapshot and restore.  Enabled only
 * when hvctl_err is a terminal and not @quiet; shown only for work over
 * HVCTL_PROGRESS_MIN bytes.  hvctl_progress_cb is libhv's hv_progress_fn
 * (opaque: the struct).
 */
#define HVCTL_PROGRESS_MIN	(64ULL << 20)

struct hvctl_progress {
	const char *what;
	bool enabled;
	bool shown;
	uint64_t start_ns;
};

void hvctl_progress_init(struct hvctl_progress *p, const char *what,
			 bool quiet);
void hvctl_progress_cb(void *opaque, uint64_t done, uint64_t total);
void hvctl_progress_end(struct hvctl_progress *p);
/* The bar's text ("\rWHAT [###   ]  50%  1/2 MiB  3.0 MiB/s"); its length. */
size_t hvctl_progress_format(char *buf, size_t len, const char *what,
			     uint64_t done, uint64_t total, uint64_t elapsed_ns);

#endif /* HVCTL_H */
