// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl trace NAME [--explain]: a live stream of a VM's exits, from the
 * module's tracepoints (kmod/hv_trace.h, docs/tracing.md).
 *
 * It makes a tracefs instance of its own, instances/hvctl-PID, so that
 * it neither sees nor disturbs anyone else's tracing; sets the filter
 * "vm == ID" on the hv events there, so the kernel drops every other
 * VM's; enables hv_exit and the events that detail an exit; and reads
 * trace_pipe until the VM stops (or is destroyed) or a signal comes.
 * trace_fmt.c turns the lines into one line per exit and the summary.
 * The instance is removed on every way out.  tracefs is root's: for
 * anyone else, one error line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvctl.h"
#include "trace.h"

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_EXPLAIN };

/* The events that make the lines (hv_exit first: it enables the rest) */
static const char *const trace_events[] = {
	"hv_exit", "hv_cpuid", "hv_pio", "hv_mmio", "hv_msr", "hv_npf",
};

static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

#define TRACE_POLL_MS	200

static volatile sig_atomic_t trace_stop;

static void trace_on_signal(int sig)
{
	(void)sig;
	trace_stop = 1;
}

static int tfs_write(const char *dir, const char *file, const char *val)
{
	char path[512];
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(val))
		err = -EIO;
	close(fd);
	return err;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* tracefs's root (with instances/), or NULL */
static const char *tracefs_root(void)
{
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(path, sizeof(path), "%s/instances", tracefs_roots[i]);
		if (is_dir(path))
			return tracefs_roots[i];
	}
	return NULL;
}

/* Split what was read into lines; a partial last line waits in @buf */
static void trace_lines(struct hvctl_trace *t, char *buf, size_t *len)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
		*nl = '\0';
		hvctl_trace_feed(t, start);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (*len == 4095) {		/* a line longer than any of ours */
		buf[*len] = '\0';
		hvctl_trace_feed(t, buf);
		*len = 0;
	}
}

/* Read what trace_pipe has now; false at its end or on an error */
static bool trace_read(int fd, struct hvctl_trace *t, char *buf, size_t *len)
{
	ssize_t n;

	for (;;) {
		n = read(fd, buf + *len, 4095 - *len);
		if (n > 0) {
			*len += (size_t)n;
			trace_lines(t, buf, len);
			continue;
		}
		if (n == 0)
			return true;
		if (errno == EINTR && !trace_stop)
			continue;
		return errno == EAGAIN || errno == EINTR;
	}
}

/*
 * Whether the run being traced is over: the VM is gone, or stopped -
 * once it has run since the trace began (a VM stopped before, which
 * starts again, is followed through its next run).
 */
static bool trace_vm_done(struct hv_vm *vm, const struct hv_vm_info *at0,
			  bool *ran)
{
	struct hv_vm_info info;

	if (hv_vm_info(vm, &info))
		return true;
	if (info.state == HV_VM_STATE_DESTROYED)
		return true;
	if (info.state != HV_VM_STATE_STOPPED || info.exits != at0->exits ||
	    info.uptime_ns != at0->uptime_ns)
		*ran = true;
	return info.state == HV_VM_STATE_STOPPED && *ran;
}

static int trace_run(const char *ctx, const char *name, struct hv_vm *vm,
		     const struct hv_vm_info *info, const char *inst,
		     bool explain)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa, old[4];
	struct hvctl_trace t;
	char val[64], buf[4096], ev[64];
	struct pollfd pfd;
	bool ran = false;
	size_t len = 0, i;
	int r, ret = 0;

	snprintf(val, sizeof(val), "vm == %" PRIu64, (uint64_t)info->id);
	r = tfs_write(inst, "events/hv/filter", val);
	if (r)
		return hvctl_fail_errno(ctx, "cannot set the tracefs filter", r);
	for (i = 0; i < sizeof(trace_events) / sizeof(trace_events[0]); i++) {
		snprintf(ev, sizeof(ev), "events/hv/%s/enable", trace_events[i]);
		r = tfs_write(inst, ev, "1");
		if (r)
			return hvctl_fail_errno(ctx, "cannot enable the hv "
						"events in tracefs", r);
	}
	snprintf(buf, sizeof(buf), "%s/trace_pipe", inst);
	pfd.fd = open(buf, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (pfd.fd < 0)
		return hvctl_fail_errno(ctx, "cannot open trace_pipe", -errno);
	pfd.events = POLLIN;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = trace_on_signal;	/* no SA_RESTART: poll returns */
	sigemptyset(&sa.sa_mask);
	trace_stop = 0;
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);

	hvctl_trace_init(&t, hvctl_out, info->id, explain);
	fprintf(hvctl_err, "hvctl: %s: tracing VM id %" PRIu64
		", until it stops or Ctrl-C\n", ctx, (uint64_t)info->id);
	fflush(hvctl_err);
	while (!trace_stop) {
		r = poll(&pfd, 1, TRACE_POLL_MS);
		if (r > 0 && !trace_read(pfd.fd, &t, buf, &len)) {
			ret = hvctl_fail_errno(ctx, "cannot read trace_pipe",
					       -errno);
			break;
		}
		fflush(hvctl_out);
		if (trace_vm_done(vm, info, &ran))
			break;
	}
	/* What the buffer still holds: every event of the run is in by now */
	tfs_write(inst, "tracing_on", "0");
	trace_stop = 0;
	trace_read(pfd.fd, &t, buf, &len);
	close(pfd.fd);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	hvctl_trace_flush(&t);
	hvctl_trace_summary(&t, name);
	return ret;
}

int hvctl_cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ NULL, 0, NULL, 0 },
	};
	char ctx[HVCTL_CTX_LEN], inst[256], path[300];
	struct hv_vm_info info;
	bool explain = false;
	const char *ref, *root;
	struct hv_vm *vm;
	struct hv *hv;
	int c, ret, r;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_EXPLAIN:
			explain = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	ret = hvctl_parse_ref(argc, argv, &ref);
	if (ret >= 0)
		return ret;
	hvctl_ctx(ctx, sizeof(ctx), argv[0], ref);
	if (geteuid() != 0)
		return hvctl_fail(ctx, "tracing needs root (tracefs, "
				  "/sys/kernel/tracing, is root's)");
	ret = hvctl_vm_get(ctx, ref, &hv, &vm);
	if (ret)
		return ret;
	r = hv_vm_info(vm, &info);
	if (r) {
		ret = hvctl_vm_fail(ctx, hv, ref, r);
		goto out;
	}
	root = tracefs_root();
	if (!root) {
		ret = hvctl_fail(ctx, "no tracefs at /sys/kernel/tracing "
				 "(mount -t tracefs nodev /sys/kernel/tracing)");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/events/hv", root);
	if (!is_dir(path)) {
		ret = hvctl_fail(ctx, "the hv module has no tracepoints "
				 "(not loaded, or built with HV_TRACE=0)");
		goto out;
	}
	snprintf(inst, sizeof(inst), "%s/instances/hvctl-%d", root,
		 (int)getpid());
	if (mkdir(inst, 0700)) {
		ret = hvctl_fail_errno(ctx, "cannot make a tracefs instance",
				       -errno);
		goto out;
	}
	ret = trace_run(ctx, hv_vm_name(vm), vm, &info, inst, explain);
	if (rmdir(inst) && !ret)
		ret = hvctl_fail(ctx, "cannot remove %s: %s", inst,
				 strerror(errno));
out:
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}
