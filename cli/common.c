// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: what every command family shares: error lines, opening the
 * device, option-error reporting.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvctl.h"

FILE *hvctl_out;
FILE *hvctl_err;

static void hvctl_vmsg(const char *cmd, const char *fmt, va_list ap)
{
	fputs("hvctl: ", hvctl_err);
	if (cmd)
		fprintf(hvctl_err, "%s: ", cmd);
	vfprintf(hvctl_err, fmt, ap);
}

int hvctl_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvctl_vmsg(cmd, fmt, ap);
	va_end(ap);
	fputc('\n', hvctl_err);
	return HVCTL_EXIT_FAIL;
}

int hvctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvctl_vmsg(cmd, fmt, ap);
	va_end(ap);
	fprintf(hvctl_err, "; try 'hvctl help%s%s'\n", cmd ? " " : "",
		cmd ? cmd : "");
	return HVCTL_EXIT_USAGE;
}

int hvctl_busy_holders(const char *sysroot, char *buf, size_t len)
{
	/* The modules known to switch VMX/SVM on and keep it. */
	static const char *const mods[] = { "kvm_intel", "kvm_amd", "vboxdrv" };
	char path[4096];
	size_t i, used = 0;
	int n = 0;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		snprintf(path, sizeof(path), "%s/sys/module/%s", sysroot,
			 mods[i]);
		if (access(path, F_OK))
			continue;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s",
					 n ? ", " : "", mods[i]);
		n++;
	}
	return n;
}

uint64_t hvctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int hvctl_fail_errno(const char *cmd, const char *what, int err)
{
	char mods[64];

	if (err < 0)
		err = -err;
	/* EBUSY's text lists the usual suspects; say which one it is. */
	if (err == EBUSY && hvctl_busy_holders("", mods, sizeof(mods)))
		return hvctl_fail(cmd, "%s: %s (loaded: %s)", what,
				  hv_strerror(err), mods);
	return hvctl_fail(cmd, "%s: %s", what, hv_strerror(err));
}

#define MIB	(1ULL << 20)

/*
 * ENOMEM from the module names no limit: ask it what the caller holds
 * (HV_GET_USAGE) and say which limit @bytes more RAM, or @vms more VMs,
 * would pass.  NULL when none would (then the memory cgroup's limit or
 * the host itself refused), or when the module cannot tell.
 */
const char *hvctl_nomem_why(struct hv *hv, uint64_t bytes, unsigned int vms,
			    char *buf, size_t len)
{
	struct hv_usage u;

	if (hv_usage(hv, &u))
		return NULL;
	if (!(u.flags & HV_USAGE_EXEMPT) && vms && u.vms + vms > u.vms_max)
		snprintf(buf, len, "uid %u already holds %u VMs "
			 "(hv.user_vms_max)", u.uid, u.vms);
	else if (!(u.flags & HV_USAGE_EXEMPT) && bytes &&
		 u.mem_used + bytes > u.mem_max)
		snprintf(buf, len, "guest RAM over uid %u's limit (%llu MiB, "
			 "hv.user_mem_max)", u.uid,
			 (unsigned long long)(u.mem_max / MIB));
	else if (bytes && (u.host_available < bytes ||
			   u.host_available - bytes < u.host_reserve))
		snprintf(buf, len, "guest RAM would eat into the host's "
			 "reserve (%llu MiB, hv.mem_reserve)",
			 (unsigned long long)(u.host_reserve / MIB));
	else if (bytes)
		snprintf(buf, len, "out of memory (the memory cgroup's "
			 "memory.max, or the host's memory)");
	else
		return NULL;
	return buf;
}

int hvctl_open(const char *cmd, struct hv **hv)
{
	int err = hv_open(hv);

	if (err) {
		char what[4200];

		snprintf(what, sizeof(what), "cannot open %s",
			 hv_device_path());
		return hvctl_fail_errno(cmd, what, err);
	}
	return HVCTL_EXIT_OK;
}

int hvctl_bad_option(const char *cmd, char **argv, int c)
{
	char name[3] = { '-', (char)optopt, '\0' };
	const char *opt = name;

	/*
	 * getopt_long leaves a bad short option in optopt; for a long one
	 * optopt is 0 (or the option's val, which hvctl keeps above 255)
	 * and optind has already stepped past it.
	 */
	if (optopt <= 0 || optopt > 255)
		opt = argv[optind - 1];
	if (c == ':')
		return hvctl_usage_error(cmd, "option '%s' needs an argument",
					 opt);
	return hvctl_usage_error(cmd, "unknown option '%s'", opt);
}

int hvctl_opt_default(char **argv, int c)
{
	const struct hvctl_cmd *cmd;

	if (c != HVCTL_OPT_HELP && c != 'h')
		return hvctl_bad_option(argv[0], argv, c);
	cmd = hvctl_find_cmd(argv[0]);
	if (cmd)
		hvctl_print_cmd_usage(hvctl_out, cmd);
	return HVCTL_EXIT_OK;
}

/* Exactly one argument after the options, accepted by @check. */
static int parse_one(int argc, char **argv, const char **arg,
		     int (*check)(const char *cmd, const char *arg))
{
	if (optind >= argc)
		return hvctl_usage_error(argv[0], "missing VM name");
	if (optind + 1 < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind + 1]);
	*arg = argv[optind];
	return check(argv[0], *arg) ? HVCTL_EXIT_USAGE : -1;
}

int hvctl_parse_name(int argc, char **argv, const char **name)
{
	return parse_one(argc, argv, name, hvctl_check_name);
}

int hvctl_parse_ref(int argc, char **argv, const char **ref)
{
	return parse_one(argc, argv, ref, hvctl_check_ref);
}

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_JSON };

int hvctl_parse_json_opt(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*json = false;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			*json = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	if (optind < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind]);
	return -1;
}
