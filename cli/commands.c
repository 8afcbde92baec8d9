// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the command table, the dispatcher and `hvctl help`.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "hvctl.h"

const struct hvctl_cmd hvctl_cmds[] = {
	{ "help", hvctl_cmd_help, "[COMMAND]",
	  "show how to use hvctl or one command" },
	{ "info", hvctl_cmd_info, "[--json]",
	  "show the CPU's virtualization features and the module's state" },
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
}

static void hvctl_print_usage(FILE *f)
{
	size_t i;
	int w = 0;

	/* Line the help texts up after the longest "name usage". */
	for (i = 0; i < hvctl_nr_cmds; i++) {
		int n = strlen(hvctl_cmds[i].name) +
			strlen(hvctl_cmds[i].usage) + 1;
		if (n > w)
			w = n;
	}

	fputs("usage: hvctl COMMAND [ARGS]\n"
	      "       hvctl --help | --version\n\ncommands:\n", f);
	for (i = 0; i < hvctl_nr_cmds; i++) {
		const struct hvctl_cmd *c = &hvctl_cmds[i];
		int n = strlen(c->name) + strlen(c->usage) + 1;

		fprintf(f, "  %s %s%*s  %s\n", c->name, c->usage, w - n, "",
			c->help);
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
