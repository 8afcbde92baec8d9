// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl snapshot, restore, clone on the fake device: nothing printed on
 * success, one exact line per failure, a running VM paused and resumed
 * (or stopped with --stop) around the work, or with --live only around
 * the clone that libhv writes from (tests/unit/test_snapshot_live.c
 * has the details).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"
#include "snap_helpers.h"

static const uint64_t one_region[][2] = { { 0, 1 << 20 } };
static const uint32_t ids[] = { 0, 1 };

static struct hv *hv;

static void setup(void)
{
	struct hv_vm *vm;

	snap_setup();
	ck_assert_int_eq(hv_open(&hv), 0);
	vm = snap_make_vm(hv, "web", one_region, 1, ids, 2);
	hv_vm_close(vm);
}

static void teardown(void)
{
	hv_close(hv);
	snap_teardown();
}

START_TEST(snapshot_restore)
{
	char *path = (char *)snap_path(0, "web.hv");

	free(HVCTL(0, "", "snapshot", "web", path));
	free(HVCTL(0, "", "restore", path, "--name", "web2"));
	ck_assert_ptr_nonnull(fake_vm_named("web2"));
	ck_assert(!memcmp(fake_vm_named("web")->vcpu_state,
			  fake_vm_named("web2")->vcpu_state,
			  sizeof(fake_vm_named("web")->vcpu_state)));
	/* The name in the file is taken. */
	free(HVCTL(1, "hvctl: restore web: name already in use\n", "restore",
		   path));
	/* The fake VM cannot start (ENOTTY): the VM stays, the line says. */
	{
		char *out, *err, want[512];

		ck_assert_int_eq(run_hvctl(&out, &err, "restore", path,
					   "--name", "web3", "--start", NULL),
				 1);
		snprintf(want, sizeof(want), "hvctl: restore %s: restored as "
			 "web3, but cannot start it: ", path);
		ck_assert_ptr_eq(strstr(err, want), err);
		ck_assert_ptr_nonnull(fake_vm_named("web3"));
		free(out);
		free(err);
	}
}
END_TEST

START_TEST(running_vm)
{
	char *path = (char *)snap_path(0, "web.hv");
	struct fake_vm *fv = fake_vm_named("web");

	fv->managed = true;
	fv->state = HV_VM_STATE_RUNNING;
	free(HVCTL(0, "", "snapshot", "web", path));
	ck_assert_uint_eq(fv->pauses, 1);
	ck_assert_uint_eq(fv->resumes, 1);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);

	free(HVCTL(0, "", "clone", "web", "copy"));
	ck_assert_uint_eq(fv->pauses, 2);
	ck_assert_uint_eq(fv->resumes, 2);
	ck_assert_ptr_nonnull(fake_vm_named("copy"));

	free(HVCTL(0, "", "snapshot", "--stop", "web", path));
	ck_assert_uint_eq(fv->pauses, 3);
	ck_assert_uint_eq(fv->resumes, 2);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_STOPPED);

	/* A stopped VM is just snapshotted. */
	free(HVCTL(0, "", "snapshot", "web", path));
	ck_assert_uint_eq(fv->pauses, 3);
}
END_TEST

START_TEST(incremental)
{
	char *base = (char *)snap_path(0, "base.hv");
	char *inc = (char *)snap_path(1, "inc.hv");
	char want[512];

	free(HVCTL(0, "", "snapshot", "web", base));
	free(HVCTL(0, "", "snapshot", "web", inc, "--incremental", base));
	/* The base is no longer the latest snapshot. */
	snprintf(want, sizeof(want), "hvctl: snapshot web: %s is not the "
		 "latest snapshot of VM web; take a full snapshot\n", base);
	free(HVCTL(1, want, "snapshot", "web", inc, "--incremental", base));
	free(HVCTL(0, "", "restore", inc, "--name", "back"));
}
END_TEST

START_TEST(errors)
{
	char *path = (char *)snap_path(0, "web.hv");
	char *bad = (char *)snap_path(1, "bad.hv");
	size_t len, off[8];
	uint32_t type[8];
	uint8_t *b;
	char want[512];

	free(HVCTL(1, "hvctl: snapshot nosuch: no such VM\n", "snapshot",
		   "nosuch", path));
	free(HVCTL(2, "hvctl: snapshot: missing FILE; try 'hvctl help "
		   "snapshot'\n", "snapshot", "web"));
	free(HVCTL(2, "hvctl: restore: missing FILE; try 'hvctl help "
		   "restore'\n", "restore"));
	free(HVCTL(2, "hvctl: clone: unexpected argument 'c'; try 'hvctl "
		   "help clone'\n", "clone", "a", "b", "c"));
	free(HVCTL(1, "hvctl: clone web: web: name already in use\n", "clone",
		   "web", "web"));

	free(HVCTL(0, "", "snapshot", "web", path));
	b = snap_read(path, &len);
	ck_assert_int_eq(snap_sections(b, len, off, type, 8), 7);
	b[off[1] + 40] ^= 1;	/* vcpu 0 */
	snap_write(bad, b, len);
	fake_creates = 0;
	snprintf(want, sizeof(want), "hvctl: restore %s: section 2 (vcpu 0): "
		 "checksum mismatch\n", bad);
	free(HVCTL(1, want, "restore", bad, "--name", "x"));
	snap_write(bad, b, 1000);
	snprintf(want, sizeof(want), "hvctl: restore %s: truncated at byte "
		 "1000 (file is 1000 bytes, header says %zu)\n", bad, len);
	free(HVCTL(1, want, "restore", bad, "--name", "x"));
	ck_assert_uint_eq(fake_creates, 0);
	free(b);
}
END_TEST

/* --live: the file is the pause; no clone is left; the VM runs on. */
START_TEST(live)
{
	char *path = (char *)snap_path(0, "web.hv");
	char *inc = (char *)snap_path(1, "inc.hv");
	struct fake_vm *fv = fake_vm_named("web");
	unsigned int i, n = 0;
	char *out;

	fv->managed = true;
	fv->state = HV_VM_STATE_RUNNING;
	out = HVCTL(0, "", "snapshot", "web", path, "--live");
	ck_assert_msg(strstr(out, "web: paused "), "out: %s", out);
	ck_assert_ptr_nonnull(strstr(out, " ms for the clone; file written in "));
	free(out);
	ck_assert_uint_eq(fv->pauses, 1);
	ck_assert_uint_eq(fv->resumes, 1);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	for (i = 0; i < fake_nr_vms; i++)
		n += fake_vms[i].listed;
	ck_assert_uint_eq(n, 1);		/* web only */
	free(HVCTL(0, "", "snapshot", "--live", "--quiet", "web", inc,
		   "--incremental", path));
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	free(HVCTL(0, "", "restore", inc, "--name", "web2"));
	ck_assert(!memcmp(fv->vcpu_state, fake_vm_named("web2")->vcpu_state,
			  sizeof(fv->vcpu_state)));
}
END_TEST

START_TEST(live_errors)
{
	char *path = (char *)snap_path(0, "web.hv");
	struct fake_vm *fv = fake_vm_named("web");
	char want[1024];

	free(HVCTL(2, "hvctl: snapshot: --live and --stop exclude each "
		   "other; try 'hvctl help snapshot'\n", "snapshot", "web",
		   path, "--live", "--stop"));

	/* No room for the clone: why, as `hvctl clone` says it. */
	fv->managed = true;
	fv->state = HV_VM_STATE_RUNNING;
	fake_clone_err = ENOMEM;
	fake_hv.has_usage = true;
	fake_hv.usage = (struct hv_usage){
		.uid = 1000, .mem_used = 512 << 20, .mem_max = 512 << 20,
		.vms = 3, .vms_max = 64, .host_available = 900 << 20,
		.host_reserve = 64 << 20,
	};
	free(HVCTL(1, "hvctl: snapshot web: cannot clone the VM for --live: "
		   "guest RAM over uid 1000's limit (512 MiB, "
		   "hv.user_mem_max)\n", "snapshot", "web", path, "--live"));
	fake_hv.has_usage = false;
	snprintf(want, sizeof(want), "hvctl: snapshot web: %s: cannot clone "
		 "the VM: out of memory (the clone is charged as much RAM as "
		 "the VM until the file is written)\n", path);
	free(HVCTL(1, want, "snapshot", "web", path, "--live"));
	fake_clone_err = 0;
	ck_assert_uint_eq(fv->resumes, 2);
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert_int_ne(access(path, F_OK), 0);

	/* A directory that does not exist: libhv's line. */
	snprintf(want, sizeof(want), "hvctl: snapshot web: %s/no/x.hv: "
		 "cannot create %s/no/x.hv.tmp.%d: No such file or "
		 "directory\n", snap_dir, snap_dir, (int)getpid());
	snprintf(path, 256, "%s/no/x.hv", snap_dir);
	free(HVCTL(1, want, "snapshot", "web", path, "--live"));
	ck_assert_uint_eq(fv->state, HV_VM_STATE_RUNNING);
	ck_assert_uint_eq(fake_nr_vms, 2);	/* web, its clone */
	ck_assert(!fake_vms[1].listed);
}
END_TEST

START_TEST(help)
{
	char *out = HVCTL(0, "", "help");

	ck_assert_ptr_nonnull(strstr(out, "  snapshot NAME FILE [--live | "
				     "--stop] [--incremental BASE] "
				     "[--quiet]\n"));
	ck_assert_ptr_nonnull(strstr(out, "  restore FILE [--name NEW] "
				     "[--start] [--lazy] [--quiet]\n"));
	ck_assert_ptr_nonnull(strstr(out, "  clone NAME NEW "));
	free(out);
	out = HVCTL(0, "", "help", "snapshot");
	ck_assert_ptr_nonnull(strstr(out, "--incremental BASE"));
	ck_assert_ptr_nonnull(strstr(out, "  --live "));
	free(out);
}
END_TEST

Suite *cli_snapshot_suite(void)
{
	Suite *s = suite_create("cli_snapshot");
	TCase *tc = tcase_create("cli_snapshot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, snapshot_restore);
	tcase_add_test(tc, running_vm);
	tcase_add_test(tc, incremental);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, live);
	tcase_add_test(tc, live_errors);
	tcase_add_test(tc, help);
	suite_add_tcase(s, tc);
	return s;
}
