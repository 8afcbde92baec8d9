// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl start, stop, pause, resume, destroy; and what every command that
 * names a VM shares: checking the name, opening the VM, turning an errno
 * into a line that says what is wrong with *that VM*, and turning how a
 * VM stopped into an exit status.
 *
 * Error lines name the command and the VM: "hvctl: start web: no such VM".
 * The kernel's errnos are generic (EINVAL from HV_VM_STOP means "not
 * running"), so each command reads the VM's state after a failure and
 * says which state it found.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"

void hvctl_ctx(char *buf, size_t len, const char *cmd, const char *name)
{
	snprintf(buf, len, "%s %s", cmd, name);
}

bool hvctl_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	/* The kernel's rule (kmod/hv_vm.c), checked here for a clear line. */
	if (len == 0 || len >= HV_NAME_LEN)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') ||
	      (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= '0' && name[0] <= '9')))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return false;
	}
	return true;
}

int hvctl_check_name(const char *cmd, const char *name)
{
	if (hvctl_name_valid(name))
		return HVCTL_EXIT_OK;
	return hvctl_usage_error(cmd, "invalid VM name '%s': 1 to %d "
				 "letters, digits, '_', '.' or '-', starting "
				 "with a letter or digit", name,
				 HV_NAME_LEN - 1);
}

bool hvctl_split_ref(const char *ref, long long *uid, const char **name)
{
	const char *colon = strchr(ref, ':'), *p;
	long long v = 0;

	*uid = -1;
	*name = ref;
	if (!colon)
		return true;
	if (colon == ref || colon - ref > 10)
		return false;
	for (p = ref; p < colon; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v >= 0xffffffffLL)
		return false;
	*uid = v;
	*name = colon + 1;
	return true;
}

int hvctl_check_ref(const char *cmd, const char *ref)
{
	long long uid;
	const char *name;

	if (!hvctl_split_ref(ref, &uid, &name))
		return hvctl_usage_error(cmd, "invalid VM reference '%s': "
					 "NAME or UID:NAME", ref);
	return hvctl_check_name(cmd, name);
}

int hvctl_vm_fail(const char *ctx, struct hv *hv, const char *name, int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ENOENT:
		return hvctl_fail(ctx, "no such VM");
	case EEXIST:
		return hvctl_fail(ctx, "name already in use");
	case EPERM:
	case EACCES:
		/* Another user's VM is ENOENT: EPERM is UID:NAME, not root */
		return hvctl_fail(ctx, "permission denied (only root may name "
				  "another user's VM)");
	case ENOTUNIQ:
		return hvctl_fail(ctx, "several users have a VM of this name: "
				  "name it UID:NAME");
	case EBUSY:
		/* Not hv_strerror's "another hypervisor": that is create's. */
		return hvctl_fail(ctx, "VM is busy (run attached by a "
				  "program, or being changed)");
	}
	return hvctl_fail(ctx, "%s", hv_strerror(err));
}

int hvctl_vm_get(const char *ctx, const char *name, struct hv **hv,
		 struct hv_vm **vm)
{
	int ret, err;

	ret = hvctl_open(ctx, hv);
	if (ret)
		return ret;
	err = hv_vm_open(*hv, name, vm);
	if (err) {
		ret = hvctl_vm_fail(ctx, *hv, name, err);
		hv_close(*hv);
		*hv = NULL;
		return ret;
	}
	return HVCTL_EXIT_OK;
}

/* The VM's state name, "unknown" if its info cannot be read. */
static const char *vm_state(struct hv_vm *vm, struct hv_vm_info *info)
{
	if (hv_vm_info(vm, info)) {
		memset(info, 0, sizeof(*info));
		return "unknown";
	}
	return hv_vm_state_name(info->state);
}

/* Why a run ended badly, for the line a failed run prints. */
static const char *stop_reason_text(uint32_t reason)
{
	switch (reason) {
	case HV_STOP_TRIPLE_FAULT:
		return "guest stopped: triple fault (its CPU shut down)";
	case HV_STOP_ENTRY_FAILURE:
		return "guest stopped: entry failure (the hardware refused "
		       "the guest state)";
	case HV_STOP_INTERNAL_ERROR:
		return "guest stopped: internal error (an exit hv could not "
		       "handle)";
	case HV_STOP_REQUESTED:
		return "VM was stopped (hvctl stop)";
	case HV_STOP_DESTROYED:
		return "VM was destroyed while running";
	default:
		return "VM stopped for no recorded reason";
	}
}

const char *hvctl_lazy_failed_text(uint32_t status)
{
	switch (status) {
	case EIO:	/* the filler said so (HV_LAZY_FAIL) */
		return "its memory could not be filled from the snapshot "
		       "(corrupt chunk)";
	case EPIPE:	/* the filler fd closed with pages absent */
		return "its memory could not be filled from the snapshot "
		       "(the process filling it exited)";
	default:
		return "its memory could not be filled from the snapshot";
	}
}

int hvctl_vm_result(const char *ctx, const struct hv_vm_info *info)
{
	if (info->state == HV_VM_STATE_DESTROYED &&
	    info->stop_reason == HV_STOP_NONE)
		return hvctl_fail(ctx, "VM was destroyed");
	switch (info->stop_reason) {
	case HV_STOP_HALTED:
	case HV_STOP_POWER_OFF:
	case HV_STOP_REBOOT:	/* the guest asked to reset: it ended well */
		return HVCTL_EXIT_OK;
	case HV_STOP_DEBUG_EXIT:
		/* (v << 1) | 1, as QEMU's isa-debug-exit: never 0 */
		return (int)(info->exit_status & 0xff);
	case HV_STOP_INTERNAL_ERROR:
		/* A vCPU thread's errno (suberrors are 1-3): a refused copy */
		if (info->exit_status == ENOMEM)
			return hvctl_fail(ctx, "guest stopped: out of memory "
					  "for a copy-on-write page (memory "
					  "cgroup limit or hv.mem_reserve)");
		break;
	case HV_STOP_LAZY_FAILED:
		return hvctl_fail(ctx, "guest stopped: %s",
				  hvctl_lazy_failed_text(info->exit_status));
	}
	return hvctl_fail(ctx, "%s", stop_reason_text(info->stop_reason));
}

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_FLAG };

/*
 * Options of the one-VM commands: --help, and one flag (@flag_name, NULL
 * for none).  Returns -1 to go on with *name and *flag set, else an exit
 * status.
 */
static int parse_vm_args(int argc, char **argv, const char *flag_name,
			 const char **name, bool *flag)
{
	struct option opts[3] = {
		{ "help", no_argument, NULL, OPT_HELP },
	};
	int c;

	if (flag_name)
		opts[1] = (struct option){ flag_name, no_argument, NULL,
					   OPT_FLAG };
	*flag = false;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FLAG:
			*flag = true;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	return hvctl_parse_ref(argc, argv, name);
}

int hvctl_vm_args_open(int argc, char **argv, const char *flag_name,
		       bool *flag, const char **name, char *ctx,
		       struct hv **hv, struct hv_vm **vm)
{
	int ret;

	ret = parse_vm_args(argc, argv, flag_name, name, flag);
	if (ret >= 0)
		return ret;
	hvctl_ctx(ctx, HVCTL_CTX_LEN, argv[0], *name);
	ret = hvctl_vm_get(ctx, *name, hv, vm);
	return ret ? ret : -1;
}

/* What one of start/stop/pause/resume does, and its failures in words. */
struct vm_op {
	int (*fn)(struct hv_vm *vm);
	int (*fail)(const char *ctx, struct hv_vm *vm, int err);
};

static int start_fail(const char *ctx, struct hv_vm *vm, int err)
{
	struct hv_vm_info info;
	const char *st = vm_state(vm, &info);

	if (err == -EBUSY && info.state == HV_VM_STATE_PAUSED)
		return hvctl_fail(ctx, "VM is paused (use resume)");
	if (err == -EBUSY)
		return hvctl_fail(ctx, "VM is already running");
	if (err == -EINVAL)
		return hvctl_fail(ctx, "VM has nothing to run (no vCPU or "
				  "no RAM; state: %s)", st);
	return 0;
}

static int stop_fail(const char *ctx, struct hv_vm *vm, int err)
{
	struct hv_vm_info info;

	if (err == -EINVAL)
		return hvctl_fail(ctx, "VM is not running (state: %s)",
				  vm_state(vm, &info));
	return 0;
}

static int pause_fail(const char *ctx, struct hv_vm *vm, int err)
{
	struct hv_vm_info info;
	const char *st = vm_state(vm, &info);

	if (err != -EINVAL)
		return 0;
	if (info.state == HV_VM_STATE_PAUSED)
		return hvctl_fail(ctx, "VM is already paused");
	return hvctl_fail(ctx, "VM is not running (state: %s)", st);
}

static int resume_fail(const char *ctx, struct hv_vm *vm, int err)
{
	struct hv_vm_info info;
	const char *st = vm_state(vm, &info);

	if (err != -EINVAL)
		return 0;
	if (info.state == HV_VM_STATE_RUNNING)
		return hvctl_fail(ctx, "VM is not paused (it is running)");
	return hvctl_fail(ctx, "VM is not paused (state: %s)", st);
}

/*
 * Parse, open the VM and do @op.  Returns -1 with *hvp and *vmp open on
 * success, else an exit status (reported; nothing left open).
 */
static int vm_op_run(int argc, char **argv, const struct vm_op *op,
		     const char *flag_name, bool *flag, struct hv **hvp,
		     struct hv_vm **vmp, char *ctx)
{
	const char *name;
	int ret, err;

	ret = hvctl_vm_args_open(argc, argv, flag_name, flag, &name, ctx,
				 hvp, vmp);
	if (ret >= 0)
		return ret;
	err = op->fn(*vmp);
	if (err) {
		ret = op->fail(ctx, *vmp, err);
		if (!ret)
			ret = hvctl_vm_fail(ctx, *hvp, name, err);
		hv_vm_close(*vmp);
		hv_close(*hvp);
		return ret;
	}
	return -1;
}

static int vm_op_simple(int argc, char **argv, const struct vm_op *op)
{
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm *vm;
	struct hv *hv;
	bool flag;
	int ret;

	ret = vm_op_run(argc, argv, op, NULL, &flag, &hv, &vm, ctx);
	if (ret >= 0)
		return ret;
	hv_vm_close(vm);
	hv_close(hv);
	return HVCTL_EXIT_OK;
}

int hvctl_cmd_start(int argc, char **argv)
{
	static const struct vm_op op = { hv_vm_start, start_fail };
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm_info info;
	struct hv_vm *vm;
	struct hv *hv;
	bool wait;
	int ret, err;

	ret = vm_op_run(argc, argv, &op, "wait", &wait, &hv, &vm, ctx);
	if (ret >= 0)
		return ret;

	ret = HVCTL_EXIT_OK;
	if (wait) {
		/* Until it stops, however long: Ctrl-C leaves it running. */
		err = hv_vm_wait_stopped(vm, -1, &info);
		if (err)
			ret = hvctl_fail(ctx, "cannot wait for the VM to "
					 "stop: %s", hv_strerror(err));
		else
			ret = hvctl_vm_result(ctx, &info);
	}
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}

int hvctl_cmd_stop(int argc, char **argv)
{
	static const struct vm_op op = { hv_vm_stop, stop_fail };

	return vm_op_simple(argc, argv, &op);
}

int hvctl_cmd_pause(int argc, char **argv)
{
	static const struct vm_op op = { hv_vm_pause, pause_fail };

	return vm_op_simple(argc, argv, &op);
}

int hvctl_cmd_resume(int argc, char **argv)
{
	static const struct vm_op op = { hv_vm_resume, resume_fail };

	return vm_op_simple(argc, argv, &op);
}

int hvctl_cmd_destroy(int argc, char **argv)
{
	char ctx[HVCTL_CTX_LEN];
	struct hv_vm_info info;
	const char *name;
	struct hv_vm *vm;
	struct hv *hv;
	bool force;
	int ret, err;

	ret = hvctl_vm_args_open(argc, argv, "force", &force, &name, ctx, &hv,
				 &vm);
	if (ret >= 0)
		return ret;
	ret = HVCTL_EXIT_OK;

	/* Read the state first: destroy closes the handle, fail or not. */
	vm_state(vm, &info);
	err = force ? hv_vm_destroy_force(vm) : hv_vm_destroy(vm);
	if (err == -EBUSY)
		ret = hvctl_fail(ctx, "VM is %s (use --force)",
				 info.state == HV_VM_STATE_PAUSED ? "paused"
								  : "running");
	else if (err)
		ret = hvctl_vm_fail(ctx, hv, name, err);
	hv_close(hv);
	return ret;
}
