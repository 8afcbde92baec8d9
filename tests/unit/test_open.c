// SPDX-License-Identifier: GPL-2.0
/*
 * libhv: hv_open() on files that are not /dev/hv, and on a fake one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

/* Open descriptors of this process: an error path must not leak one. */
static int nr_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(open_missing)
{
	struct hv *hv = (struct hv *)1;

	ck_assert_int_eq(hv_open_path("/nonexistent/hv", &hv), -ENOENT);
	ck_assert_ptr_null(hv);
}
END_TEST

START_TEST(open_not_hv)
{
	char path[] = "/tmp/hv-unit-file.XXXXXX";
	struct hv *hv = (struct hv *)1;
	int fd, before = nr_fds();

	ck_assert_int_eq(hv_open_path("/dev/null", &hv), -ENOTTY);
	ck_assert_ptr_null(hv);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "hv\n", 3), 3);
	close(fd);
	ck_assert_int_eq(hv_open_path(path, &hv), -ENOTTY);
	unlink(path);

	ck_assert_int_eq(hv_open_path("/tmp", &hv), -EISDIR);
	ck_assert_int_eq(nr_fds(), before);
}
END_TEST

START_TEST(open_env)
{
	struct hv *hv;

	unsetenv("HV_DEVICE");
	ck_assert_str_eq(hv_device_path(), "/dev/hv");
	setenv("HV_DEVICE", "", 1);
	ck_assert_str_eq(hv_device_path(), "/dev/hv");
	setenv("HV_DEVICE", "/nonexistent/hv", 1);
	ck_assert_str_eq(hv_device_path(), "/nonexistent/hv");
	ck_assert_int_eq(hv_open(&hv), -ENOENT);
	setenv("HV_DEVICE", "/dev/null", 1);
	ck_assert_int_eq(hv_open(&hv), -ENOTTY);
	unsetenv("HV_DEVICE");
}
END_TEST

START_TEST(bad_args)
{
	struct hv *hv;
	struct hv_caps caps;
	struct hv_status st;

	ck_assert_int_eq(hv_open_path(NULL, &hv), -EINVAL);
	ck_assert_int_eq(hv_open_path("/dev/null", NULL), -EINVAL);
	ck_assert_int_eq(hv_open(NULL), -EINVAL);
	ck_assert_int_eq(hv_fd(NULL), -EBADF);
	ck_assert_int_eq(hv_api_version(NULL), -EBADF);
	ck_assert_int_eq(hv_caps(NULL, &caps), -EBADF);
	ck_assert_int_eq(hv_status(NULL, &st), -EBADF);
	ck_assert_int_eq(hv_debug_hold_virt(NULL), -EBADF);
	hv_close(NULL);
}
END_TEST

START_TEST(open_fake)
{
	struct hv_caps caps;
	struct hv_status st;
	struct hv *hv;
	int before = nr_fds();

	ck_assert_int_eq(hv_open(&hv), 0);
	ck_assert_int_ge(hv_fd(hv), 0);
	ck_assert_int_eq(nr_fds(), before + 1);
	ck_assert_int_eq(hv_api_version(hv), HV_API_VERSION);

	ck_assert_int_eq(hv_caps(hv, &caps), 0);
	ck_assert_mem_eq(&caps, &fake_hv.caps, sizeof(caps));
	ck_assert_int_eq(hv_status(hv, &st), 0);
	ck_assert_mem_eq(&st, &fake_hv.status, sizeof(st));
	ck_assert_int_eq(hv_caps(hv, NULL), -EINVAL);
	ck_assert_int_eq(hv_status(hv, NULL), -EINVAL);
	/* Unknown to the fake, as to a module without the debug ioctls. */
	ck_assert_int_eq(hv_debug_hold_virt(hv), -ENOTTY);

	fake_hv.caps_err = EFAULT;
	fake_hv.status_err = EIO;
	ck_assert_int_eq(hv_caps(hv, &caps), -EFAULT);
	ck_assert_int_eq(hv_status(hv, &st), -EIO);

	hv_close(hv);
	ck_assert_int_eq(nr_fds(), before);
}
END_TEST

START_TEST(open_fake_versions)
{
	struct hv *hv = (struct hv *)1;
	int before = nr_fds();

	/* An older module lacks what this library calls. */
	fake_hv.version = HV_API_VERSION - 1;
	ck_assert_int_eq(hv_open(&hv), -EPROTONOSUPPORT);
	ck_assert_ptr_null(hv);
	ck_assert_int_eq(nr_fds(), before);

	/* A newer one keeps every older call working. */
	fake_hv.version = HV_API_VERSION + 1;
	ck_assert_int_eq(hv_open_path(fake_hv_path, &hv), 0);
	ck_assert_int_eq(hv_api_version(hv), HV_API_VERSION + 1);
	hv_close(hv);
	ck_assert_int_eq(nr_fds(), before);
}
END_TEST

Suite *open_suite(void)
{
	Suite *s = suite_create("open");
	TCase *tc = tcase_create("files");
	TCase *fake = tcase_create("fake");

	tcase_add_test(tc, open_missing);
	tcase_add_test(tc, open_not_hv);
	tcase_add_test(tc, open_env);
	tcase_add_test(tc, bad_args);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(fake, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(fake, open_fake);
	tcase_add_test(fake, open_fake_versions);
	suite_add_tcase(s, fake);
	return s;
}
