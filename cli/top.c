// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl top [--interval SECS] [--count N]: every VM the user may see,
 * refreshed, with its exits per second and the reasons that made most of
 * them (kvm_stat, virt-top).  Each screen is the difference between two
 * reads of every VM's counters (hv_vm_stats, HV_STATS_VM), SECS apart:
 *
 *   NAME   STATE     EXITS/s  TOP REASONS (exits/s)
 *   web    running     48210  io 30102  npf 9120  hlt 4410
 *
 * On a terminal the screen is cleared before each; otherwise screens
 * follow one another, separated by a blank line (for logs and tests).
 * --count N: stop after N screens (default: until interrupted).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvctl.h"

#define TOP_REASONS	3
#define TOP_MAX_VMS	256

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_INTERVAL, OPT_COUNT };

struct top_vm {
	char ref[HV_NAME_LEN + 16];	/* NAME, or UID:NAME for another's */
	uint32_t state;
	uint64_t id;			/* a new VM of the same name: new id */
	uint64_t *v;			/* counters at the last read */
	bool have;
};

static const char *top_state(uint32_t s)
{
	switch (s) {
	case HV_VM_STATE_CREATED:	return "created";
	case HV_VM_STATE_RUNNING:	return "running";
	case HV_VM_STATE_PAUSED:	return "paused";
	case HV_VM_STATE_STOPPED:	return "stopped";
	default:			return "destroyed";
	}
}

static double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read every visible VM's counters into @vms (*n of them). */
static int top_read(struct hv *hv, size_t nd, struct top_vm *vms, size_t *n)
{
	struct hv_vm_info *info;
	size_t i, m;
	int err;

	err = hv_list_vms(hv, &info, &m);
	if (err)
		return err;
	if (m > TOP_MAX_VMS)
		m = TOP_MAX_VMS;
	for (i = 0; i < m; i++) {
		struct top_vm *t = &vms[i];
		struct hv_vm *vm;

		if (info[i].owner_uid == (uint32_t)geteuid())
			snprintf(t->ref, sizeof(t->ref), "%.*s",
				 HV_NAME_LEN - 1, info[i].name);
		else
			snprintf(t->ref, sizeof(t->ref), "%u:%.*s",
				 info[i].owner_uid, HV_NAME_LEN - 1,
				 info[i].name);
		t->state = info[i].state;
		t->id = info[i].id;
		t->have = false;
		memset(t->v, 0, nd * sizeof(*t->v));
		/* gone meanwhile: shown without counters */
		if (hv_vm_open(hv, t->ref, &vm))
			continue;
		t->have = hv_vm_stats(vm, HV_STATS_VM, t->v, nd) >= 0;
		hv_vm_close(vm);
	}
	free(info);
	*n = m;
	return 0;
}

/* One VM's line: exits/s, then its TOP_REASONS busiest exit reasons. */
static void top_line(FILE *out, const struct hv_stat_desc *d, size_t nd,
		     const struct top_vm *now, const struct top_vm *was,
		     double secs)
{
	size_t best[TOP_REASONS], nb = 0, i, k, total = (size_t)-1;
	uint64_t dv;

	fprintf(out, "%-20s %-9s", now->ref, top_state(now->state));
	if (!now->have || !was || !was->have || was->id != now->id) {
		fprintf(out, " %9s\n", "-");
		return;
	}
	for (i = 0; i < nd; i++)
		if (!strncmp(d[i].name, "exits", HV_STAT_NAME_LEN))
			total = i;
	dv = total == (size_t)-1 ? 0 : now->v[total] - was->v[total];
	fprintf(out, " %9.0f ", secs > 0 ? dv / secs : 0.0);
	/* the largest deltas among exit.*, kept sorted in best[] */
	for (i = 0; i < nd; i++) {
		if (strncmp(d[i].name, "exit.", 5))
			continue;
		dv = now->v[i] - was->v[i];
		if (!dv)
			continue;
		/* k: how many of those kept are at least as busy */
		for (k = 0; k < nb; k++)
			if (now->v[best[k]] - was->v[best[k]] < dv)
				break;
		if (k == TOP_REASONS)
			continue;
		if (nb < TOP_REASONS)
			nb++;
		memmove(&best[k + 1], &best[k], (nb - 1 - k) * sizeof(best[0]));
		best[k] = i;
	}
	for (k = 0; k < nb; k++) {
		i = best[k];
		fprintf(out, " %.*s %.0f", HV_STAT_NAME_LEN - 5, d[i].name + 5,
			secs > 0 ? (now->v[i] - was->v[i]) / secs : 0.0);
	}
	fputc('\n', out);
}

int hvctl_cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ NULL, 0, NULL, 0 },
	};
	struct top_vm *a = NULL, *b = NULL, *now, *was, *tmp;
	const struct hv_stat_desc *d;
	uint64_t interval = 2, count = 0, shown = 0;
	size_t nd, na = 0, nb = 0, i, j;
	bool tty = isatty(fileno(hvctl_out));
	double t_was, t_now;
	struct hv *hv;
	int c, ret = HVCTL_EXIT_OK, err;

	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INTERVAL:
			if (hvctl_parse_uint(optarg, 0, 3600, &interval))
				return hvctl_usage_error(argv[0],
					"--interval %s: not a number of "
					"seconds from 0 to 3600", optarg);
			break;
		case OPT_COUNT:
			if (hvctl_parse_uint(optarg, 1, UINT32_MAX, &count))
				return hvctl_usage_error(argv[0],
					"--count %s: not a number above 0",
					optarg);
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	if (optind < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind]);
	ret = hvctl_open(argv[0], &hv);
	if (ret)
		return ret;
	err = hv_stats_names(hv, &d, &nd);
	if (err) {
		ret = hvctl_fail_errno(argv[0], "cannot read the counters' "
				       "names", err);
		goto out;
	}
	a = calloc(TOP_MAX_VMS, sizeof(*a));
	b = calloc(TOP_MAX_VMS, sizeof(*b));
	for (i = 0; a && b && i < TOP_MAX_VMS; i++) {
		a[i].v = calloc(nd ? nd : 1, sizeof(uint64_t));
		b[i].v = calloc(nd ? nd : 1, sizeof(uint64_t));
		if (!a[i].v || !b[i].v)
			break;
	}
	if (!a || !b || i < TOP_MAX_VMS) {
		ret = hvctl_fail_errno(argv[0], "cannot start", -ENOMEM);
		goto out;
	}
	was = a;
	now = b;
	t_was = top_now();
	err = top_read(hv, nd, was, &na);
	while (!err && (!count || shown < count)) {
		sleep((unsigned int)interval);
		t_now = top_now();
		err = top_read(hv, nd, now, &nb);
		if (err)
			break;
		if (tty)
			fputs("\033[H\033[2J", hvctl_out);
		else if (shown)
			fputc('\n', hvctl_out);
		fprintf(hvctl_out, "%-20s %-9s %9s  %s\n", "NAME", "STATE",
			"EXITS/s", "TOP REASONS (exits/s)");
		for (i = 0; i < nb; i++) {
			const struct top_vm *w = NULL;

			for (j = 0; j < na; j++)
				if (!strcmp(was[j].ref, now[i].ref))
					w = &was[j];
			top_line(hvctl_out, d, nd, &now[i], w, t_now - t_was);
		}
		fflush(hvctl_out);
		shown++;
		tmp = was;
		was = now;
		now = tmp;
		na = nb;
		t_was = t_now;
	}
	if (err)
		ret = hvctl_fail_errno(argv[0], "cannot list VMs", err);
out:
	for (i = 0; i < TOP_MAX_VMS; i++) {
		if (a)
			free(a[i].v);
		if (b)
			free(b[i].v);
	}
	free(a);
	free(b);
	hv_close(hv);
	return ret;
}
