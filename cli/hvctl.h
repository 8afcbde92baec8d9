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
/* Reports a libhv error for CMD doing WHAT (e.g. "cannot open /dev/hv"). */
int hvctl_fail_errno(const char *cmd, const char *what, int err);

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

/*
 * Parses the options common to commands that take nothing but --json and
 * --help.  Returns -1 to go on (with *json set), else an exit status.
 */
int hvctl_parse_json_opt(int argc, char **argv, bool *json);

/* cli/commands.c */
int hvctl_cmd_help(int argc, char **argv);
void hvctl_print_cmd_usage(FILE *f, const struct hvctl_cmd *cmd);

/* cli/info.c */
int hvctl_cmd_info(int argc, char **argv);
int hvctl_info_print(FILE *out, const struct hv_caps *caps,
		     const struct hv_status *status, bool json);

#endif /* HVCTL_H */
