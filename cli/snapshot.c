// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl snapshot, restore, clone (libhv's lib/snap/snapshot.c and
 * lib/state.c do the work).  A running VM is paused around the work and
 * resumed after, so the state written is one instant of it; one that is
 * not running is left as it is.  snapshot --live leaves the pause to
 * libhv, which holds the VM only while it clones it (lib/snap/live.c).
 * Nothing is printed on success but a progress bar (cli/progress.c),
 * and that only on a terminal, without --quiet, for more than 64 MiB.
 *
 * Error lines: "hvctl: snapshot web: snap.hv: cannot write: ...",
 * "hvctl: restore snap.hv: section 3 (vcpu 0): checksum mismatch".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"

/* Pause @vm if it runs; *paused says whether we did.  0 or exit status. */
static int pause_if_running(const char *ctx, struct hv *hv, const char *name,
			    struct hv_vm *vm, bool *paused,
			    struct hv_vm_info *info)
{
	int err;

	*paused = false;
	err = hv_vm_info(vm, info);
	if (err)
		return hvctl_vm_fail(ctx, hv, name, err);
	if (info->state != HV_VM_STATE_RUNNING)
		return 0;
	err = hv_vm_pause(vm);
	if (err)
		return hvctl_fail(ctx, "cannot pause the VM: %s",
				  hv_strerror(err));
	*paused = true;
	return 0;
}

static int resume_after(const char *ctx, struct hv_vm *vm, int ret)
{
	int err = hv_vm_resume(vm);

	if (err && ret == HVCTL_EXIT_OK)
		return hvctl_fail(ctx, "cannot resume the VM: %s",
				  hv_strerror(err));
	return ret;
}

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_STOP, OPT_INCREMENTAL, OPT_NAME,
       OPT_START, OPT_QUIET, OPT_LIVE, OPT_LAZY };

/* After the options, exactly @n arguments into @args. */
static int positional(int argc, char **argv, int n, const char **args,
		      const char *const *what)
{
	int i;

	for (i = 0; i < n; i++) {
		if (optind + i >= argc)
			return hvctl_usage_error(argv[0], "missing %s",
						 what[i]);
		args[i] = argv[optind + i];
	}
	if (optind + n < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind + n]);
	return -1;
}

/*
 * Out of memory for --live's clone: the reason `hvctl clone` would give
 * (it is charged like a VM of the same size), or NULL.
 */
static const char *live_nomem_why(struct hv *hv, struct hv_vm *vm,
				  char *why, size_t len)
{
	struct hv_vm_info info;

	if (hv_vm_info(vm, &info))
		return NULL;
	return hvctl_nomem_why(hv, info.mem_size, 1, why, len);
}

/* What a live snapshot cost the VM: its pause, and the write it ran through */
static void live_report(const char *name,
			const struct hv_snapshot_live_info *li)
{
	char paused[48] = "not running, not paused";

	if (li->paused)
		snprintf(paused, sizeof(paused), "paused %.3f ms",
			 li->pause_ns / 1e6);
	fprintf(hvctl_out, "%s: %s for the clone; file written in %.2f s "
	       "(%llu pages), %llu pages copied on write meanwhile\n",
	       name, paused, li->write_ns / 1e9,
	       (unsigned long long)li->pages_stored,
	       (unsigned long long)li->cow_copies);
}

int hvctl_cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "live", no_argument, NULL, OPT_LIVE },
		{ "stop", no_argument, NULL, OPT_STOP },
		{ "incremental", required_argument, NULL, OPT_INCREMENTAL },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const what[] = { "VM name", "FILE" };
	struct hv_snapshot_live_info li;
	struct hv_snapshot_opts so;
	struct hvctl_progress prog;
	char ctx[HVCTL_CTX_LEN], msg[1024], why[160];
	struct hv_vm_info info;
	const char *args[2] = { NULL, NULL };
	bool stop = false, quiet = false, live = false, paused = false;
	struct hv_vm *vm;
	struct hv *hv;
	int c, ret, err;

	memset(&so, 0, sizeof(so));
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LIVE:
			live = true;
			break;
		case OPT_STOP:
			stop = true;
			break;
		case OPT_INCREMENTAL:
			so.base = optarg;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	ret = positional(argc, argv, 2, args, what);
	if (ret >= 0)
		return ret;
	if (hvctl_check_ref(argv[0], args[0]))
		return HVCTL_EXIT_USAGE;
	/* --stop would end the run that --live keeps going */
	if (live && stop)
		return hvctl_usage_error(argv[0], "--live and --stop exclude "
					 "each other");
	hvctl_ctx(ctx, sizeof(ctx), argv[0], args[0]);
	ret = hvctl_vm_get(ctx, args[0], &hv, &vm);
	if (ret)
		return ret;
	/* --live: libhv pauses it, only for as long as the clone takes */
	if (!live)
		ret = pause_if_running(ctx, hv, args[0], vm, &paused, &info);
	if (ret)
		goto out;

	msg[0] = '\0';
	so.err = msg;
	so.errlen = sizeof(msg);
	hvctl_progress_init(&prog, "snapshot", quiet);
	so.progress = hvctl_progress_cb;
	so.opaque = &prog;
	if (live)
		err = hv_vm_snapshot_live(vm, args[1], &so, &li);
	else
		err = hv_vm_snapshot(vm, args[1], &so);
	hvctl_progress_end(&prog);
	if (err == -ENOMEM && live && !li.clone[0] &&
	    live_nomem_why(hv, vm, why, sizeof(why)))
		ret = hvctl_fail(ctx, "cannot clone the VM for --live: %s",
				 why);
	else if (err == -EBUSY && !msg[0])
		ret = hvctl_fail(ctx, "VM is busy (run attached by a program)");
	else if (err)
		ret = hvctl_fail(ctx, "%s", msg[0] ? msg : hv_strerror(err));
	else if (live && !quiet)
		live_report(args[0], &li);

	if (!err && stop && (paused || info.state == HV_VM_STATE_PAUSED)) {
		err = hv_vm_stop(vm);
		if (err)
			ret = hvctl_fail(ctx, "snapshot written, but cannot "
					 "stop the VM: %s", hv_strerror(err));
	} else if (paused) {
		/* On failure too: leave the VM as we found it. */
		ret = resume_after(ctx, vm, ret);
	}
out:
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}

/*
 * restore --lazy: the VM is made (and started) before its memory is
 * read, and this process gives it its memory until it is whole
 * (hv_lazy_restore_finish); a file without a memory index is restored
 * in full, as without --lazy.
 */
static int restore_lazy(struct hv *hv, const char *path,
			struct hv_restore_opts *ro, struct hv_vm **vm,
			struct hv_lazy_restore **lr)
{
	int err = hv_vm_restore_lazy(hv, path, ro, 0, vm, lr);

	if (err != -ENODATA)
		return err;
	fprintf(hvctl_err, "hvctl: %s: no memory index (a file before format "
		"3): restoring it in full\n", path);
	ro->err[0] = '\0';
	*lr = NULL;
	return hv_vm_restore(hv, path, ro, vm);
}

/* Until the VM is whole: 0, or hvctl's exit status with the reason said */
static int restore_lazy_finish(const char *ctx, struct hv_vm *vm,
			       struct hv_lazy_restore *lr, uint64_t t0,
			       double ready_s, bool quiet)
{
	struct hv_lazy_restore_stats st;
	char why[512];
	int err;

	why[0] = '\0';
	err = hv_lazy_restore_finish(lr, &st, why, sizeof(why));
	if (err)
		return hvctl_fail(ctx, "%s stopped: its memory could not be "
				  "given: %s", hv_vm_name(vm),
				  why[0] ? why : hv_strerror(err));
	if (!quiet)
		fprintf(hvctl_out, "%s: ready %.1f ms after the call; memory "
			"whole after %.2f s (%llu MiB in %llu chunks: %llu "
			"waited for, %llu in the background)\n",
			hv_vm_name(vm), ready_s * 1e3,
			(hvctl_now_ns() - t0) / 1e9,
			(unsigned long long)(st.pages >> 8),
			(unsigned long long)(st.demand_chunks +
					     st.background_chunks),
			(unsigned long long)st.demand_chunks,
			(unsigned long long)st.background_chunks);
	return HVCTL_EXIT_OK;
}

int hvctl_cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "start", no_argument, NULL, OPT_START },
		{ "lazy", no_argument, NULL, OPT_LAZY },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const what[] = { "FILE" };
	struct hv_restore_opts ro;
	struct hvctl_progress prog;
	char ctx[HVCTL_CTX_LEN + 4096], msg[1024];
	const char *args[1] = { NULL };
	bool start = false, quiet = false, lazy = false;
	struct hv_lazy_restore *lr = NULL;
	uint64_t t0;
	double ready_s;
	struct hv_vm *vm;
	struct hv *hv;
	int c, ret, err;

	memset(&ro, 0, sizeof(ro));
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_NAME:
			ro.name = optarg;
			break;
		case OPT_START:
			start = true;
			break;
		case OPT_LAZY:
			lazy = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	ret = positional(argc, argv, 1, args, what);
	if (ret >= 0)
		return ret;
	if (ro.name && hvctl_check_name(argv[0], ro.name))
		return HVCTL_EXIT_USAGE;
	snprintf(ctx, sizeof(ctx), "%s %s", argv[0], args[0]);
	ret = hvctl_open(ctx, &hv);
	if (ret)
		return ret;

	msg[0] = '\0';
	ro.err = msg;
	ro.errlen = sizeof(msg);
	hvctl_progress_init(&prog, "restore", quiet);
	ro.progress = hvctl_progress_cb;
	ro.opaque = &prog;
	t0 = hvctl_now_ns();
	if (lazy)
		err = restore_lazy(hv, args[0], &ro, &vm, &lr);
	else
		err = hv_vm_restore(hv, args[0], &ro, &vm);
	hvctl_progress_end(&prog);
	if (err) {
		/* libhv's line starts with the file's (or VM's) name. */
		if (msg[0])
			ret = hvctl_fail(NULL, "%s %s", argv[0], msg);
		else
			ret = hvctl_fail(ctx, "%s", hv_strerror(err));
		hv_close(hv);
		return ret;
	}
	if (start) {
		err = hv_vm_start(vm);
		if (err)
			ret = hvctl_fail(ctx, "restored as %s, but cannot "
					 "start it: %s", hv_vm_name(vm),
					 hv_strerror(err));
	}
	ready_s = (hvctl_now_ns() - t0) / 1e9;
	if (lr) {
		err = restore_lazy_finish(ctx, vm, lr, t0, ready_s, quiet);
		if (ret == HVCTL_EXIT_OK)
			ret = err;
	}
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}

int hvctl_cmd_clone(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const what[] = { "VM name", "new VM name" };
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm_info info;
	const char *args[2] = { NULL, NULL };
	struct hv_vm *vm, *copy;
	struct hv *hv;
	char why[160];
	bool paused;
	int c, ret, err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1)
		return hvctl_opt_default(argv, c);
	ret = positional(argc, argv, 2, args, what);
	if (ret >= 0)
		return ret;
	if (hvctl_check_ref(argv[0], args[0]) ||
	    hvctl_check_name(argv[0], args[1]))
		return HVCTL_EXIT_USAGE;
	hvctl_ctx(ctx, sizeof(ctx), argv[0], args[0]);
	ret = hvctl_vm_get(ctx, args[0], &hv, &vm);
	if (ret)
		return ret;
	ret = pause_if_running(ctx, hv, args[0], vm, &paused, &info);
	if (ret)
		goto out;
	err = hv_vm_clone(vm, args[1], 0, &copy);
	if (err == -EEXIST)
		ret = hvctl_fail(ctx, "%s: name already in use", args[1]);
	else if (err == -ENOMEM &&
		 hvctl_nomem_why(hv, info.mem_size, 1, why, sizeof(why)))
		ret = hvctl_fail(ctx, "%s: %s", args[1], why);
	else if (err)
		ret = hvctl_vm_fail(ctx, hv, args[0], err);
	else
		hv_vm_close(copy);
	if (paused)
		ret = resume_after(ctx, vm, ret);
out:
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}
