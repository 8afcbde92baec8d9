// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl top [--interval SECS] [--count N] [--sort exits|name] [--vcpus]:
 * every VM the user may see, refreshed, with its exits per second, the
 * share of a CPU hv spent handling them, and the reasons that made most
 * of them (kvm_stat, virt-top).  Each screen is the difference between
 * two reads of every VM's counters (hv_vm_stats), SECS apart:
 *
 *   NAME                 STATE       EXITS/s  HV%  TOP REASONS (exits/s)
 *   web                  running       48210  3.1  io 30102 npf 9120 hlt 4410
 *     vcpu 0                           40100  2.5  io 30102 npf 8000 hlt 2000
 *
 * The busiest VM first (--sort name: by name); --vcpus adds a line per
 * vCPU.  On a terminal the screen is cleared before each, and keys act at
 * once: q quits, s switches the order, v shows or hides the vCPUs.
 * Otherwise screens follow one another, separated by a blank line (for
 * logs and tests).  --count N: stop after N screens (default: until
 * interrupted).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hvctl.h"

#define TOP_REASONS	3
#define TOP_MAX_VMS	256
#define TOP_ROWS	(HV_MAX_VCPUS + 1)	/* the VM's, then each vCPU's */

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_INTERVAL, OPT_COUNT, OPT_SORT,
       OPT_VCPUS };

enum top_sort { TOP_BY_EXITS, TOP_BY_NAME };

struct top_vm {
	char ref[HV_NAME_LEN + 16];	/* NAME, or UID:NAME for another's */
	uint32_t state;
	uint32_t nr_vcpus;
	uint64_t id;			/* a new VM of the same name: new id */
	uint64_t *v;			/* [TOP_ROWS][nd] at the last read */
	bool have[TOP_ROWS];		/* row read (0: the VM's) */
	const struct top_vm *was;	/* the same VM at the read before */
	double rate;			/* exits/s, for the order */
};

struct top {
	const struct hv_stat_desc *d;
	size_t nd;
	size_t exits;			/* index of "exits", or nd */
	enum top_sort sort;
	bool vcpus;
	double secs;			/* between the two reads */
};

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig)
{
	top_stop = 1;
}

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
	return hvctl_now_ns() / 1e9;
}

static uint64_t *top_row(const struct top *t, const struct top_vm *vm,
			 size_t row)
{
	return vm->v + row * t->nd;
}

/* Read every visible VM's counters (and its vCPUs' with --vcpus). */
static int top_read(struct hv *hv, const struct top *t, struct top_vm *vms,
		    size_t *n)
{
	struct hv_vm_info *info;
	size_t i, m, row;
	int err;

	err = hv_list_vms(hv, &info, &m);
	if (err)
		return err;
	if (m > TOP_MAX_VMS)
		m = TOP_MAX_VMS;
	for (i = 0; i < m; i++) {
		struct top_vm *vm = &vms[i];
		struct hv_vm *h;

		if (info[i].owner_uid == (uint32_t)geteuid())
			snprintf(vm->ref, sizeof(vm->ref), "%.*s",
				 HV_NAME_LEN - 1, info[i].name);
		else
			snprintf(vm->ref, sizeof(vm->ref), "%u:%.*s",
				 info[i].owner_uid, HV_NAME_LEN - 1,
				 info[i].name);
		vm->state = info[i].state;
		vm->id = info[i].id;
		vm->nr_vcpus = info[i].nr_vcpus < HV_MAX_VCPUS ?
			       info[i].nr_vcpus : HV_MAX_VCPUS;
		memset(vm->have, 0, sizeof(vm->have));
		memset(vm->v, 0, TOP_ROWS * t->nd * sizeof(*vm->v));
		/* gone meanwhile: shown without counters */
		if (hv_vm_open(hv, vm->ref, &h))
			continue;
		vm->have[0] = hv_vm_stats(h, HV_STATS_VM, top_row(t, vm, 0),
					  t->nd) >= 0;
		for (row = 1; t->vcpus && row <= vm->nr_vcpus; row++)
			vm->have[row] = hv_vm_stats(h, (uint32_t)(row - 1),
						    top_row(t, vm, row),
						    t->nd) >= 0;
		hv_vm_close(h);
	}
	free(info);
	*n = m;
	return 0;
}

/* Counter @i's growth per second in @row, between the two reads */
static double top_rate(const struct top *t, const struct top_vm *vm,
		       size_t row, size_t i)
{
	uint64_t dv = top_row(t, vm, row)[i] - top_row(t, vm->was, row)[i];

	return t->secs > 0 ? dv / t->secs : 0.0;
}

/* Whether @row of @vm can be compared with the read before */
static bool top_comparable(const struct top_vm *vm, size_t row)
{
	return vm->have[row] && vm->was && vm->was->have[row] &&
	       vm->was->id == vm->id;
}

/* exits/s: the "exits" counter, or (a module without it) the exit.* sum */
static double top_exits(const struct top *t, const struct top_vm *vm,
			size_t row)
{
	double sum = 0;
	size_t i;

	if (t->exits < t->nd)
		return top_rate(t, vm, row, t->exits);
	for (i = 0; i < t->nd; i++)
		if (!strncmp(t->d[i].name, "exit.", 5))
			sum += top_rate(t, vm, row, i);
	return sum;
}

/* The share of one CPU spent in hv's exit handlers: exit_ns.* per second */
static double top_busy(const struct top *t, const struct top_vm *vm,
		       size_t row)
{
	double ns = 0;
	size_t i;

	for (i = 0; i < t->nd; i++)
		if (!strncmp(t->d[i].name, "exit_ns.", 8))
			ns += top_rate(t, vm, row, i);
	return ns / 1e7;	/* ns per second, as a percentage */
}

/* One row: exits/s, HV%, then its TOP_REASONS busiest exit reasons */
static void top_line(FILE *out, const struct top *t, const struct top_vm *vm,
		     size_t row)
{
	size_t best[TOP_REASONS], nb = 0, i, k;
	double r;

	if (!top_comparable(vm, row)) {
		fprintf(out, " %9s\n", "-");
		return;
	}
	fprintf(out, " %9.0f %5.1f ", top_exits(t, vm, row),
		top_busy(t, vm, row));
	/* the largest rates among exit.*, kept sorted in best[] */
	for (i = 0; i < t->nd; i++) {
		if (strncmp(t->d[i].name, "exit.", 5))
			continue;
		r = top_rate(t, vm, row, i);
		if (r <= 0)
			continue;
		/* k: how many of those kept are at least as busy */
		for (k = 0; k < nb; k++)
			if (top_rate(t, vm, row, best[k]) < r)
				break;
		if (k == TOP_REASONS)
			continue;
		if (nb < TOP_REASONS)
			nb++;
		memmove(&best[k + 1], &best[k], (nb - 1 - k) * sizeof(best[0]));
		best[k] = i;
	}
	for (k = 0; k < nb; k++)
		fprintf(out, " %.*s %.0f", HV_STAT_NAME_LEN - 5,
			t->d[best[k]].name + 5,
			top_rate(t, vm, row, best[k]));
	fputc('\n', out);
}

static const struct top *top_cmp_ctx;

static int top_cmp(const void *a, const void *b)
{
	const struct top_vm *x = *(const struct top_vm * const *)a;
	const struct top_vm *y = *(const struct top_vm * const *)b;

	if (top_cmp_ctx->sort == TOP_BY_EXITS && x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	return strcmp(x->ref, y->ref);
}

/* One screen of @n VMs: their rates, in the chosen order */
static void top_screen(FILE *out, const struct top *t, struct top_vm *now,
		       size_t n, bool tty)
{
	struct top_vm *order[TOP_MAX_VMS];
	size_t i, row;

	for (i = 0; i < n; i++) {
		order[i] = &now[i];
		now[i].rate = top_comparable(&now[i], 0) ?
			      top_exits(t, &now[i], 0) : -1;
	}
	top_cmp_ctx = t;
	qsort(order, n, sizeof(order[0]), top_cmp);
	if (tty)
		fprintf(out, "hvctl top: every %.0f s, by %s; keys: q quit, "
			"s order, v vCPUs\n", t->secs,
			t->sort == TOP_BY_EXITS ? "exits" : "name");
	fprintf(out, "%-20s %-9s %9s %5s  %s\n", "NAME", "STATE", "EXITS/s",
		"HV%", "TOP REASONS (exits/s)");
	for (i = 0; i < n; i++) {
		fprintf(out, "%-20s %-9s", order[i]->ref,
			top_state(order[i]->state));
		top_line(out, t, order[i], 0);
		for (row = 1; t->vcpus && row <= order[i]->nr_vcpus; row++) {
			fprintf(out, "  vcpu %-13zu %-9s", row - 1, "");
			top_line(out, t, order[i], row);
		}
	}
}

/*
 * Wait @secs for the next screen; on a terminal, act on keys meanwhile.
 * Returns false to stop.
 */
static bool top_wait(struct top *t, uint64_t secs, bool keys)
{
	double end = top_now() + secs, left;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (!keys) {
		if (secs)
			sleep((unsigned int)secs);
		return !top_stop;
	}
	while (!top_stop && (left = end - top_now()) > 0) {
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		if (read(STDIN_FILENO, &c, 1) != 1)
			return false;	/* the terminal went away */
		switch (c) {
		case 'q':
			return false;
		case 's':
			t->sort = t->sort == TOP_BY_EXITS ? TOP_BY_NAME
							   : TOP_BY_EXITS;
			return true;	/* redraw now */
		case 'v':
			t->vcpus = !t->vcpus;
			return true;
		}
	}
	return !top_stop;
}

int hvctl_cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "vcpus", no_argument, NULL, OPT_VCPUS },
		{ NULL, 0, NULL, 0 },
	};
	struct top_vm *a = NULL, *b = NULL, *now, *was, *tmp;
	struct top t = { .sort = TOP_BY_EXITS };
	uint64_t interval = 2, count = 0, shown = 0;
	size_t na = 0, nb = 0, i, j;
	bool tty = isatty(fileno(hvctl_out)), keys;
	struct termios saved, raw;
	struct sigaction sa = { .sa_handler = top_on_signal };
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
		case OPT_SORT:
			if (!strcmp(optarg, "exits"))
				t.sort = TOP_BY_EXITS;
			else if (!strcmp(optarg, "name"))
				t.sort = TOP_BY_NAME;
			else
				return hvctl_usage_error(argv[0],
					"--sort %s: not 'exits' or 'name'",
					optarg);
			break;
		case OPT_VCPUS:
			t.vcpus = true;
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
	err = hv_stats_names(hv, &t.d, &t.nd);
	if (err) {
		ret = hvctl_fail_errno(argv[0], "cannot read the counters' "
				       "names", err);
		goto out;
	}
	for (t.exits = 0; t.exits < t.nd; t.exits++)
		if (!strncmp(t.d[t.exits].name, "exits", HV_STAT_NAME_LEN))
			break;
	a = calloc(TOP_MAX_VMS, sizeof(*a));
	b = calloc(TOP_MAX_VMS, sizeof(*b));
	for (i = 0; a && b && i < TOP_MAX_VMS; i++) {
		a[i].v = calloc(TOP_ROWS * (t.nd ? t.nd : 1), sizeof(uint64_t));
		b[i].v = calloc(TOP_ROWS * (t.nd ? t.nd : 1), sizeof(uint64_t));
		if (!a[i].v || !b[i].v)
			break;
	}
	if (!a || !b || i < TOP_MAX_VMS) {
		ret = hvctl_fail_errno(argv[0], "cannot start", -ENOMEM);
		goto out;
	}

	/* Keys on a terminal: unbuffered, unechoed, restored at the end */
	keys = tty && isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (keys) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		keys = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		/* Ctrl-C ends the loop, so that the terminal is restored */
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}

	was = a;
	now = b;
	t_was = top_now();
	err = top_read(hv, &t, was, &na);
	while (!err && (!count || shown < count)) {
		/* vCPUs just switched on show "-" once: no read before */
		if (!top_wait(&t, interval, keys))
			break;
		t_now = top_now();
		err = top_read(hv, &t, now, &nb);
		if (err)
			break;
		t.secs = t_now - t_was;
		for (i = 0; i < nb; i++) {
			now[i].was = NULL;
			for (j = 0; j < na; j++)
				if (!strcmp(was[j].ref, now[i].ref))
					now[i].was = &was[j];
		}
		if (tty)
			fputs("\033[H\033[2J", hvctl_out);
		else if (shown)
			fputc('\n', hvctl_out);
		top_screen(hvctl_out, &t, now, nb, tty);
		fflush(hvctl_out);
		shown++;
		tmp = was;
		was = now;
		now = tmp;
		na = nb;
		t_was = t_now;
	}
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
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
