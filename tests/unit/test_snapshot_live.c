// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vm_snapshot_live() over the fake VM fds.  The fake's clone is a
 * copy (fake_vm.c), which is what copy-on-write looks like from outside.
 * The tests play the guest writing to the VM just before the pause
 * (fake_on_pause), as soon as it runs again (fake_on_resume) and while
 * the file is written (the progress callback), and check that the file
 * holds exactly the VM at the pause, that the next increment holds what
 * was written after it, and that no clone is left, whatever fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_helpers.h"

#define MiB	(1024 * 1024ULL)

/* 8 MiB: the progress callback first runs after 4 MiB, mid-write. */
static const uint64_t regions[][2] = {
	{ 0, 8 * MiB }, { 16 * MiB, 1 * MiB },
};
static const uint32_t ids[] = { 0, 1 };

static struct hv *hv;
static char err[1024];
static struct hv_snapshot_live_info li;
static struct fake_vm *ref;	/* what the file must hold: the pause */

static void setup(void)
{
	snap_setup();
	ck_assert_int_eq(hv_open(&hv), 0);
	ref = NULL;
}

static void teardown(void)
{
	hv_close(hv);
	snap_teardown();
}

static int live(struct hv_vm *vm, const char *path, const char *base,
		hv_progress_fn progress)
{
	struct hv_snapshot_opts o = { .base = base, .progress = progress,
				      .err = err, .errlen = sizeof(err) };

	err[0] = '\0';
	return hv_vm_snapshot_live(vm, path, &o, &li);
}

static int snapshot(struct hv_vm *vm, const char *path, const char *base)
{
	struct hv_snapshot_opts o = { .base = base, .err = err,
				      .errlen = sizeof(err) };

	err[0] = '\0';
	return hv_vm_snapshot(vm, path, &o);
}

/* Restore @path as VM @name and check it is VM @want. */
static void restores_as(const char *path, const char *name, const char *want)
{
	struct hv_restore_opts o = { .name = name, .err = err,
				     .errlen = sizeof(err) };
	struct hv_vm *vm;

	ck_assert_int_eq(hv_vm_restore(hv, path, &o, &vm), 0);
	snap_assert_same_vm(want, name);
	hv_vm_close(vm);
}

static unsigned int listed(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < fake_nr_vms; i++)
		n += fake_vms[i].listed;
	return n;
}

/* "NAME.snap-PID" and, for @attempt > 1, "-N": the clone's name. */
static const char *clone_name(const char *vm, int attempt)
{
	static char buf[HV_NAME_LEN + 16];

	if (attempt > 1)
		snprintf(buf, sizeof(buf), "%s.snap-%d-%d", vm, (int)getpid(),
			 attempt);
	else
		snprintf(buf, sizeof(buf), "%s.snap-%d", vm, (int)getpid());
	return buf;
}

/* The guest writes @byte over page @pg of region 0; logged if on. */
static void guest_write(struct fake_vm *fv, unsigned int pg, int byte)
{
	uint8_t page[4096];

	memset(page, byte, sizeof(page));
	ck_assert_int_eq(pwrite(fv->fd, page, 4096, (off_t)pg * 4096), 4096);
	if (fv->dirty[0])
		fv->dirty[0][pg / 64] |= 1ULL << (pg % 64);
}

/* A managed VM "src", running, and "ref", its copy as it is now. */
static struct hv_vm *running_vm(void)
{
	struct hv_vm *vm, *copy;
	struct fake_vm *fv;

	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	ck_assert_int_eq(hv_vm_clone(vm, "ref", 0, &copy), 0);
	hv_vm_close(copy);
	ref = fake_vm_named("ref");
	fv = fake_vm_named("src");
	fv->managed = true;
	fv->state = HV_VM_STATE_RUNNING;
	fake_creates = 0;
	return vm;
}

/* The guest's last writes before the pause: in the file. */
static void writes_before_pause(struct fake_vm *fv)
{
	guest_write(fv, 10, 0xaa);
	guest_write(ref, 10, 0xaa);
}

/*
 * The guest runs on: memory (a page it wrote just before, one with data
 * from the start, one beyond the first 4 MiB, a page zeroed), vCPU and
 * device state.  None of it may reach the file.
 */
static void runs_on(void)
{
	struct fake_vm *fv = fake_vm_named("src");

	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	guest_write(fv, 10, 0xbb);
	guest_write(fv, 11, 0xcc);
	guest_write(fv, 1500, 0xdd);
	guest_write(fv, 14, 0);
	fv->vcpu_state[1].regs.rip ^= 0xfff;
	fv->devices.uart.scr ^= 0xff;
}

/* ...and goes on writing while the file is written. */
static void runs_on_mid_write(void *opaque, uint64_t done, uint64_t total)
{
	struct fake_vm *fv = fake_vm_named("src");

	if (done < total)
		guest_write(fv, 2000, 0xee);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

START_TEST(running_vm_file_is_the_pause)
{
	const char *path = snap_path(0, "live.hv");
	struct hv_snapshot_info info;
	struct fake_vm *fv;
	struct hv_vm *vm;
	char tmp[300];
	uint8_t *b;
	size_t len;

	vm = running_vm();
	fv = fake_vm_named("src");
	fake_on_pause = writes_before_pause;
	fake_on_resume = runs_on;
	ck_assert_int_eq(live(vm, path, NULL, runs_on_mid_write), 0);
	ck_assert_str_eq(err, "");

	/* Held by the module for the clone only, and running again. */
	ck_assert_uint_eq(fake_clone_how, HV_CLONE_HOLD);
	ck_assert_uint_eq(fv->pauses, 1);
	ck_assert_uint_eq(fv->resumes, 1);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert(li.paused);
	ck_assert_uint_gt(li.pause_ns, 0);
	ck_assert_uint_gt(li.write_ns, 0);
	ck_assert_uint_eq(li.pages_stored, (8 * MiB / 4096 + 6) / 7 + 1);

	/* The clone did its work and is gone. */
	ck_assert_str_eq(li.clone, clone_name("src", 1));
	ck_assert_uint_eq(fake_creates, 1);
	ck_assert_ptr_null(fake_vm_named(li.clone));
	ck_assert_uint_eq(listed(), 2);		/* src, ref */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	ck_assert_int_ne(access(tmp, F_OK), 0);

	/* The file is the VM's, not the clone's: name, id, dirty epoch. */
	ck_assert_int_eq(hv_snapshot_check(path, &info, err, sizeof(err)), 0);
	ck_assert_str_eq(info.name, "src");
	ck_assert(!info.incremental);
	ck_assert_uint_ge(snap_assert_indexed(path), 1);	/* from the clone */
	b = snap_read(path, &len);
	ck_assert_uint_eq(le64(b + 88), fv->id);
	ck_assert_uint_eq(le64(b + 96), fv->dirty_epoch);
	free(b);

	/* It holds the pause; the VM has moved on. */
	restores_as(path, "dst", "ref");
	ck_assert_uint_ne(fv->vcpu_state[1].regs.rip,
			  ref->vcpu_state[1].regs.rip);

	/* Every region logged; what the guest wrote since, logged. */
	ck_assert_ptr_nonnull(fv->dirty[0]);
	ck_assert_ptr_nonnull(fv->dirty[1]);
	ck_assert(fv->dirty[0][11 / 64] >> (11 % 64) & 1);
	ck_assert(fv->dirty[0][1500 / 64] >> (1500 % 64) & 1);
	ck_assert(fv->dirty[0][2000 / 64] >> (2000 % 64) & 1);
	hv_vm_close(vm);
}
END_TEST

/*
 * A module before API 8 refuses HV_CLONE_HOLD (EINVAL): libhv pauses,
 * clones and resumes itself, and the file is the pause all the same.
 */
START_TEST(module_without_hold)
{
	const char *path = snap_path(0, "old.hv");
	struct fake_vm *fv;
	struct hv_vm *vm;

	vm = running_vm();
	fv = fake_vm_named("src");
	fake_clone_no_hold = true;
	fake_on_pause = writes_before_pause;
	fake_on_resume = runs_on;
	ck_assert_int_eq(live(vm, path, NULL, NULL), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(fake_clone_how, 0);
	ck_assert_uint_eq(fv->pauses, 1);
	ck_assert_uint_eq(fv->resumes, 1);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert(li.paused);
	ck_assert_uint_gt(li.pause_ns, 0);
	restores_as(path, "dst", "ref");
	hv_vm_close(vm);
}
END_TEST

/*
 * --live --incremental: the increment holds the pages written since the
 * base up to the pause (also those just before it, after the first reset
 * of the logs); the next increment, the pages written after the pause.
 */
START_TEST(incremental_chain)
{
	const char *base = snap_path(0, "base.hv");
	const char *inc = snap_path(1, "inc.hv");
	const char *inc2 = snap_path(2, "inc2.hv");
	struct hv_snapshot_info info;
	struct hv_vm *vm, *copy;
	struct fake_vm *fv;

	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	fv = fake_vm_named("src");
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);
	guest_write(fv, 9, 0x99);
	ck_assert_int_eq(hv_vm_clone(vm, "ref", 0, &copy), 0);
	hv_vm_close(copy);
	ref = fake_vm_named("ref");
	fv->managed = true;
	fv->state = HV_VM_STATE_RUNNING;

	fake_on_pause = writes_before_pause;
	fake_on_resume = runs_on;
	ck_assert_int_eq(live(vm, inc, base, runs_on_mid_write), 0);
	ck_assert_str_eq(err, "");
	/* Its logs are cleared at the instant: libhv pauses, not the module */
	ck_assert_uint_eq(fake_clone_how, 0);
	ck_assert_int_eq(hv_snapshot_check(inc, &info, err, sizeof(err)), 0);
	ck_assert(info.incremental);
	ck_assert_uint_eq(info.pages_stored, 2);	/* pages 9 and 10 */
	ck_assert_uint_eq(li.pages_stored, 2);
	ck_assert_ptr_null(fake_vm_named(li.clone));
	restores_as(inc, "dst", "ref");

	/* The next increment: everything written after the pause. */
	fake_on_resume = NULL;
	ck_assert_int_eq(hv_vm_stop(vm), 0);
	ck_assert_int_eq(snapshot(vm, inc2, inc), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(hv_snapshot_check(inc2, &info, err, sizeof(err)), 0);
	ck_assert_uint_ge(snap_assert_indexed(inc), 1);	/* live, incremental */
	/* 10, 11, 1500, 2000 and page 14 as a zero record */
	ck_assert_uint_eq(info.pages_stored, 4);
	restores_as(inc2, "dst2", "src");
	hv_vm_close(vm);
}
END_TEST

/* Not running: cloned as it is, and left as it was. */
START_TEST(vm_not_running)
{
	const char *path = snap_path(0, "live.hv");
	struct fake_vm *fv;
	struct hv_vm *vm;

	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	fv = fake_vm_named("src");
	ck_assert_int_eq(live(vm, path, NULL, NULL), 0);
	ck_assert(!li.paused);
	ck_assert_uint_eq(li.pause_ns, 0);
	ck_assert_str_eq(li.clone, clone_name("src", 1));
	ck_assert_ptr_null(fake_vm_named(li.clone));
	ck_assert_uint_eq(fv->state, HV_VM_STATE_CREATED);
	restores_as(path, "dst", "src");

	/* Paused by its owner: stays paused. */
	fv->managed = true;
	fv->state = HV_VM_STATE_PAUSED;
	ck_assert_int_eq(live(vm, path, NULL, NULL), 0);
	ck_assert(!li.paused);
	ck_assert_uint_eq(fv->pauses, 0);
	ck_assert_uint_eq(fv->resumes, 0);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_PAUSED);
	ck_assert_uint_eq(listed(), 2);		/* src, dst */
	hv_vm_close(vm);
}
END_TEST

/* The VM is destroyed mid-write: the instant existed; the file is whole. */
static void destroyed_mid_write(void *opaque, uint64_t done, uint64_t total)
{
	struct fake_vm *fv = fake_vm_named("src");

	if (fv && done < total)
		fv->listed = false;	/* as HV_VM_DESTROY */
}

START_TEST(vm_destroyed_mid_write)
{
	const char *path = snap_path(0, "live.hv");
	struct hv_vm *vm;
	struct fake_vm *fv;

	vm = running_vm();
	fv = fake_vm_named("src");
	fake_on_resume = runs_on;
	ck_assert_int_eq(live(vm, path, NULL, destroyed_mid_write), 0);
	ck_assert(!fv->listed);
	ck_assert_ptr_null(fake_vm_named(li.clone));
	ck_assert_uint_eq(listed(), 1);		/* ref */
	ck_assert_int_eq(hv_snapshot_check(path, NULL, err, sizeof(err)), 0);
	restores_as(path, "dst", "ref");
	hv_vm_close(vm);
}
END_TEST

/* After an error: no file, no temporary, no clone, the VM running. */
static void nothing_left(struct fake_vm *fv, const char *path,
			 unsigned int pauses)
{
	char tmp[300];

	ck_assert_int_ne(access(path, F_OK), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_uint_eq(listed(), 2);		/* src, ref */
	ck_assert_uint_eq(fv->pauses, pauses);
	ck_assert_uint_eq(fv->resumes, pauses);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
}

static void add_vcpu(struct fake_vm *fv)
{
	fv->has_vcpu[5] = true;
	fv->nr_vcpus++;
}

/*
 * A full disk, played by a file size limit from the resume on (the
 * fake's clone, a copy into a memfd, must not meet it).  No check
 * assertion runs meanwhile: check writes its results to a file.
 */
static struct rlimit fsize_old;

static void limit_file_size(void)
{
	struct rlimit small = { 64 * 1024, fsize_old.rlim_max };

	setrlimit(RLIMIT_FSIZE, &small);
}

static int live_disk_full(struct hv_vm *vm, const char *path)
{
	int ret;

	if (getrlimit(RLIMIT_FSIZE, &fsize_old))
		return -1000;
	signal(SIGXFSZ, SIG_IGN);
	fake_on_resume = limit_file_size;
	ret = live(vm, path, NULL, NULL);
	fake_on_resume = NULL;
	if (setrlimit(RLIMIT_FSIZE, &fsize_old))
		ret = -1001;
	signal(SIGXFSZ, SIG_DFL);
	return ret;
}

START_TEST(errors_leave_nothing)
{
	const char *missing = snap_path(0, "no/such.hv");
	const char *dir = snap_path(1, "dir.hv");
	const char *path = snap_path(2, "live.hv");
	const char *base = snap_path(3, "base.hv");
	struct fake_vm *fv;
	struct hv_vm *vm;
	char want[600], inside[300];

	vm = running_vm();
	fv = fake_vm_named("src");

	/* The file cannot be created: the clone existed, and is gone. */
	ck_assert_int_eq(live(vm, missing, NULL, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
	ck_assert_str_eq(li.clone, clone_name("src", 1));
	nothing_left(fv, missing, 1);

	/* A full disk (here: the file size limit) half-way through. */
	ck_assert_int_eq(live_disk_full(vm, path), -EFBIG);
	ck_assert_msg(strstr(err, "cannot write"), "%s", err);
	nothing_left(fv, path, 2);

	/* The last step, the rename, fails: a directory holds the name. */
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(inside, sizeof(inside), "%s/x", dir);
	snap_write(inside, "x", 1);
	ck_assert_int_lt(live(vm, dir, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(err, "cannot rename"));
	ck_assert_ptr_null(fake_vm_named(li.clone));
	ck_assert_uint_eq(listed(), 2);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);

	/* No room for the clone: nothing was made. */
	fake_clone_err = ENOMEM;
	ck_assert_int_eq(live(vm, path, NULL, NULL), -ENOMEM);
	snprintf(want, sizeof(want), "%s: cannot clone the VM: out of memory "
		 "(the clone is charged as much RAM as the VM until the file "
		 "is written)", path);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(li.clone, "");
	fake_clone_err = 0;
	nothing_left(fv, path, 4);

	/* A vCPU added as the snapshot began: refused, try again. */
	fake_on_pause = add_vcpu;
	ck_assert_int_eq(live(vm, path, NULL, NULL), -EAGAIN);
	snprintf(want, sizeof(want), "%s: the VM's vCPUs or RAM changed as "
		 "the snapshot began; try again", path);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(li.clone, clone_name("src", 1));
	fake_on_pause = NULL;
	nothing_left(fv, path, 5);
	fv->has_vcpu[5] = false;
	fv->nr_vcpus--;

	/* A stale base is refused before anything is touched. */
	fv->state = HV_VM_STATE_STOPPED;
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);
	guest_write(fv, 3, 3);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);	/* newer */
	ck_assert_int_eq(unlink(path), 0);
	fv->state = HV_VM_STATE_RUNNING;
	fake_creates = 0;
	ck_assert_int_eq(live(vm, path, base, NULL), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is not the latest snapshot of VM "
				     "src"));
	ck_assert_uint_eq(fake_creates, 0);
	nothing_left(fv, path, 5);

	ck_assert_int_eq(hv_vm_snapshot_live(NULL, path, NULL, NULL), -EBADF);
	ck_assert_int_eq(hv_vm_snapshot_live(vm, "", NULL, NULL), -EINVAL);
	hv_vm_close(vm);
}
END_TEST

/* The clone's name: free, fitted to HV_NAME_LEN, never another VM's. */
START_TEST(clone_names)
{
	static const uint64_t small[][2] = { { 0, 64 * 1024 } };
	const char *path = snap_path(0, "live.hv");
	char longname[HV_NAME_LEN], want[600];
	struct hv_vm *vm, *other;
	int i;

	vm = snap_make_vm(hv, "src", small, 1, ids, 1);
	for (i = 1; i <= 2; i++) {
		ck_assert_int_eq(hv_vm_create(hv, clone_name("src", i), 0,
					      &other), 0);
		hv_vm_close(other);
	}
	ck_assert_int_eq(live(vm, path, NULL, NULL), 0);
	ck_assert_str_eq(li.clone, clone_name("src", 3));
	ck_assert_ptr_nonnull(fake_vm_named(clone_name("src", 1)));
	ck_assert_ptr_nonnull(fake_vm_named(clone_name("src", 2)));
	ck_assert_uint_eq(listed(), 3);

	/* All nine taken. */
	for (i = 3; i <= 9; i++) {
		ck_assert_int_eq(hv_vm_create(hv, clone_name("src", i), 0,
					      &other), 0);
		hv_vm_close(other);
	}
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(live(vm, path, NULL, NULL), -EEXIST);
	snprintf(want, sizeof(want), "%s: cannot clone the VM: %s to ", path,
		 clone_name("src", 1));
	strcat(want, clone_name("src", 9));
	strcat(want, " are all taken");
	ck_assert_str_eq(err, want);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_uint_eq(listed(), 10);
	hv_vm_close(vm);

	/* A name of 31 characters is cut to leave room for the suffix. */
	memset(longname, 'a', HV_NAME_LEN - 1);
	longname[HV_NAME_LEN - 1] = '\0';
	vm = snap_make_vm(hv, longname, small, 1, ids, 1);
	ck_assert_int_eq(live(vm, path, NULL, NULL), 0);
	ck_assert_uint_eq(strlen(li.clone), HV_NAME_LEN - 1);
	ck_assert_ptr_nonnull(strstr(li.clone, clone_name("", 1)));
	ck_assert(!strncmp(li.clone, longname,
			   HV_NAME_LEN - 1 - strlen(clone_name("", 1))));
	hv_vm_close(vm);
}
END_TEST

Suite *snapshot_live_suite(void)
{
	Suite *s = suite_create("snapshot_live");
	TCase *tc = tcase_create("snapshot_live");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, running_vm_file_is_the_pause);
	tcase_add_test(tc, module_without_hold);
	tcase_add_test(tc, incremental_chain);
	tcase_add_test(tc, vm_not_running);
	tcase_add_test(tc, vm_destroyed_mid_write);
	tcase_add_test(tc, errors_leave_nothing);
	tcase_add_test(tc, clone_names);
	suite_add_tcase(s, tc);
	return s;
}
