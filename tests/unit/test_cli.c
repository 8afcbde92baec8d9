// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: argument parsing, help, errors, and `info` end to end on the
 * fake device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hvctl.h"
#include "unit.h"

START_TEST(no_args)
{
	char *out, *err;

	ck_assert_int_eq(run_hvctl(&out, &err, NULL), HVCTL_EXIT_USAGE);
	ck_assert_str_eq(out, "");
	ck_assert_ptr_nonnull(strstr(err, "usage: hvctl COMMAND"));
	free(out);
	free(err);
}
END_TEST

START_TEST(unknown_command)
{
	char *out = HVCTL(2, "hvctl: unknown command 'bogus'; "
			  "try 'hvctl help'\n", "bogus", "--json");

	ck_assert_str_eq(out, "");
	free(out);
	free(HVCTL(2, "hvctl: unknown command 'nope'; try 'hvctl help'\n",
		   "help", "nope"));
}
END_TEST

START_TEST(unknown_option)
{
	free(HVCTL(2, "hvctl: unknown option '--bogus'; try 'hvctl help'\n",
		   "--bogus"));
	free(HVCTL(2, "hvctl: info: unknown option '--bogus'; "
		   "try 'hvctl help info'\n", "info", "--bogus"));
	free(HVCTL(2, "hvctl: info: unknown option '-x'; "
		   "try 'hvctl help info'\n", "info", "-x"));
	free(HVCTL(2, "hvctl: info: unknown option '--json=yes'; "
		   "try 'hvctl help info'\n", "info", "--json=yes"));
	free(HVCTL(2, "hvctl: info: unexpected argument 'vm2'; "
		   "try 'hvctl help info'\n", "info", "vm1", "vm2"));
	/* Parsing starts afresh on every call (getopt keeps state). */
	free(HVCTL(2, "hvctl: info: unknown option '-q'; "
		   "try 'hvctl help info'\n", "info", "-q"));
}
END_TEST

START_TEST(help)
{
	char *out;
	size_t i;

	out = HVCTL(0, "", "help");
	ck_assert_ptr_eq(strstr(out, "usage: hvctl COMMAND [ARGS]\n"), out);
	/* Every command of the table, with its usage and help. */
	for (i = 0; i < hvctl_nr_cmds; i++) {
		char line[256];

		snprintf(line, sizeof(line), "\n  %s %s", hvctl_cmds[i].name,
			 hvctl_cmds[i].usage);
		ck_assert_ptr_nonnull(strstr(out, line));
		ck_assert_ptr_nonnull(strstr(out, hvctl_cmds[i].help));
	}
	free(out);

	out = HVCTL(0, "", "--help");
	ck_assert_ptr_nonnull(strstr(out, "\n  info [NAME] [--json]  "));
	free(out);

	out = HVCTL(0, "", "help", "info");
	ck_assert_ptr_eq(strstr(out, "usage: hvctl info [NAME] [--json]\n\n"
				"show the CPU's virtualization features and "
				"the module's state\n"), out);
	free(out);
	out = HVCTL(0, "", "info", "--help");
	ck_assert_ptr_eq(strstr(out, "usage: hvctl info [NAME] [--json]\n\n"
				"show the CPU's virtualization features and "
				"the module's state\n"), out);
	free(out);
	free(HVCTL(2, "hvctl: help: too many arguments; "
		   "try 'hvctl help help'\n", "help", "info", "x"));
}
END_TEST

START_TEST(version)
{
	char *out = HVCTL(0, "", "--version");
	char want[64];

	snprintf(want, sizeof(want), "hvctl %s (hv API %d)\n", HVCTL_VERSION,
		 HV_API_VERSION);
	ck_assert_str_eq(out, want);
	free(out);
	free(HVCTL(0, "", "-V"));
}
END_TEST

START_TEST(info_no_device)
{
	setenv("HV_DEVICE", "/nonexistent/hv", 1);
	free(HVCTL(1, "hvctl: info: cannot open /nonexistent/hv: "
		   "no /dev/hv: is hv.ko loaded?\n", "info"));
	setenv("HV_DEVICE", "/dev/null", 1);
	free(HVCTL(1, "hvctl: info: cannot open /dev/null: "
		   "not an hv device\n", "info", "--json"));
	unsetenv("HV_DEVICE");
}
END_TEST

START_TEST(write_error)
{
	FILE *full = fopen("/dev/full", "w");
	char *err;
	size_t len;
	FILE *ferr = open_memstream(&err, &len);
	char *argv[] = { "hvctl", "--version", NULL };

	ck_assert_ptr_nonnull(full);
	ck_assert_int_eq(hvctl_main(2, argv, full, ferr), 1);
	fclose(ferr);
	fclose(full);
	ck_assert_str_eq(err, "hvctl: cannot write output: "
			 "No space left on device\n");
	free(err);
}
END_TEST

START_TEST(busy_holders)
{
	char root[] = "/tmp/hv-unit-root.XXXXXX";
	char path[128], buf[64];

	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(hvctl_busy_holders(root, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");

	snprintf(path, sizeof(path), "%s/sys", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sys/module", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/sys/module/vboxdrv", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(hvctl_busy_holders(root, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "vboxdrv");
	snprintf(path, sizeof(path), "%s/sys/module/kvm_intel", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(hvctl_busy_holders(root, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "kvm_intel, vboxdrv");
	/* Too small a buffer truncates, never overflows. */
	ck_assert_int_eq(hvctl_busy_holders(root, buf, 5), 2);
	ck_assert_str_eq(buf, "kvm_");

	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/module/vboxdrv", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/module", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys", root);
	rmdir(path);
	rmdir(root);
}
END_TEST

/* The fake device (checked fixture) from here on. */

START_TEST(info_fake)
{
	char *out;

	out = HVCTL(0, "", "info");
	ck_assert_ptr_eq(strstr(out, "vendor:           Intel VT-x\n"), out);
	ck_assert_ptr_nonnull(strstr(out, "\n  ept_2m                  yes  "
				     "2 MiB EPT pages\n"));
	free(out);

	fake_amd_caps(&fake_hv.caps, &fake_hv.status);
	out = HVCTL(0, "", "info", "--json");
	ck_assert(json_valid(out));
	ck_assert_ptr_eq(strstr(out, "{\"vendor\":\"amd\",\"api_version\":1,"
				"\"nr_cpus\":2,"), out);
	ck_assert_int_eq(count_substr(out, "\"npt\":true"), 1);
	free(out);
}
END_TEST

START_TEST(info_fake_errors)
{
	char want[512], mods[64];

	fake_hv.caps_err = EFAULT;
	free(HVCTL(1, "hvctl: info: cannot read capabilities: Bad address\n",
		   "info"));
	fake_hv.caps_err = 0;
	fake_hv.status_err = EINVAL;
	free(HVCTL(1, "hvctl: info: cannot read status: Invalid argument\n",
		   "info"));

	/* EBUSY names the other hypervisors loaded on this host, if any. */
	fake_hv.status_err = EBUSY;
	if (hvctl_busy_holders("", mods, sizeof(mods)))
		snprintf(want, sizeof(want), "hvctl: info: cannot read status: "
			 "%s (loaded: %s)\n", hv_strerror(EBUSY), mods);
	else
		snprintf(want, sizeof(want), "hvctl: info: cannot read status: "
			 "%s\n", hv_strerror(EBUSY));
	free(HVCTL(1, want, "info"));

	fake_hv.status_err = 0;
	fake_hv.version = 0;
	snprintf(want, sizeof(want), "hvctl: info: cannot open %s: hv.ko is "
		 "older than libhv (API version mismatch)\n", fake_hv_path);
	free(HVCTL(1, want, "info"));
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("args");
	TCase *fake = tcase_create("fake");

	tcase_add_test(tc, no_args);
	tcase_add_test(tc, unknown_command);
	tcase_add_test(tc, unknown_option);
	tcase_add_test(tc, help);
	tcase_add_test(tc, version);
	tcase_add_test(tc, info_no_device);
	tcase_add_test(tc, write_error);
	tcase_add_test(tc, busy_holders);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(fake, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(fake, info_fake);
	tcase_add_test(fake, info_fake_errors);
	suite_add_tcase(s, fake);
	return s;
}
