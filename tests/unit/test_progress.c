// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl's progress bar (cli/progress.c): its text, and that it appears
 * only on a terminal (a real pty here), never on a pipe or with --quiet.
 */
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"
#include "unit.h"

START_TEST(format_line)
{
	char buf[160];

	/* 128 of 256 MiB in 2 s: half the bar, 64 MiB/s */
	hvctl_progress_format(buf, sizeof(buf), "snapshot", 128ULL << 20,
			      256ULL << 20, 2000000000ULL);
	ck_assert_str_eq(buf, "\rsnapshot [###############               ]  50%"
			 "  128/256 MiB  64.0 MiB/s");
	/* done past total is clamped; no time yet gives rate 0 */
	hvctl_progress_format(buf, sizeof(buf), "restore", 5ULL << 20,
			      4ULL << 20, 0);
	ck_assert_str_eq(buf, "\rrestore [##############################] 100%"
			 "  4/4 MiB  0.0 MiB/s");
}
END_TEST

/* Feed the bar 3 updates of a 1 GiB job through hvctl_err = @f. */
static void feed(FILE *f, bool quiet, bool *enabled, bool *shown)
{
	struct hvctl_progress p;

	hvctl_err = f;
	hvctl_progress_init(&p, "snapshot", quiet);
	*enabled = p.enabled;
	hvctl_progress_cb(&p, 0, 1ULL << 30);
	hvctl_progress_cb(&p, 512ULL << 20, 1ULL << 30);
	hvctl_progress_cb(&p, 1ULL << 30, 1ULL << 30);
	*shown = p.shown;
	hvctl_progress_end(&p);
	fflush(f);
}

START_TEST(only_on_a_terminal)
{
	int master, slave, pipefd[2];
	bool enabled, shown;
	char buf[1024];
	size_t len;
	ssize_t n;
	FILE *f;

	/* A terminal: the bar, ending in a newline. */
	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	f = fdopen(slave, "w");
	ck_assert_ptr_nonnull(f);
	feed(f, false, &enabled, &shown);
	ck_assert(enabled && shown);
	fcntl(master, F_SETFL, O_NONBLOCK);
	len = 0;
	while (len < sizeof(buf) - 1 &&
	       (n = read(master, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "snapshot [###"));
	ck_assert_ptr_nonnull(strstr(buf, "100%"));

	/* The same terminal with --quiet: nothing. */
	feed(f, true, &enabled, &shown);
	ck_assert(!enabled && !shown);
	ck_assert_int_lt(read(master, buf, sizeof(buf)), 1);
	fclose(f);
	close(master);

	/* A pipe: nothing. */
	ck_assert_int_eq(pipe(pipefd), 0);
	f = fdopen(pipefd[1], "w");
	ck_assert_ptr_nonnull(f);
	feed(f, false, &enabled, &shown);
	ck_assert(!enabled && !shown);
	fclose(f);
	ck_assert_int_eq(read(pipefd[0], buf, sizeof(buf)), 0);
	close(pipefd[0]);
}
END_TEST

START_TEST(small_jobs_show_nothing)
{
	struct hvctl_progress p;
	int master, slave;
	bool enabled;
	FILE *f;

	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, NULL), 0);
	f = fdopen(slave, "w");
	hvctl_err = f;
	hvctl_progress_init(&p, "restore", false);
	enabled = p.enabled;
	hvctl_progress_cb(&p, 1ULL << 20, HVCTL_PROGRESS_MIN);
	ck_assert(enabled && !p.shown);
	hvctl_progress_end(&p);
	fclose(f);
	close(master);
}
END_TEST

Suite *progress_suite(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("progress");

	tcase_add_test(tc, format_line);
	tcase_add_test(tc, only_on_a_terminal);
	tcase_add_test(tc, small_jobs_show_nothing);
	suite_add_tcase(s, tc);
	return s;
}
