// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test runner: every suite, then one summary line that `make check`
 * and `make test` rely on: "check: N passed, M failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hvctl.h"
#include "unit.h"

int run_hvctl(char **out, char **err, ...)
{
	char *argv[32] = { "hvctl" };
	FILE *fo, *fe;
	size_t no, ne;
	va_list ap;
	int argc = 1, ret;

	va_start(ap, err);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	fo = open_memstream(out, &no);
	fe = open_memstream(err, &ne);
	ck_assert_ptr_nonnull(fo);
	ck_assert_ptr_nonnull(fe);
	ret = hvctl_main(argc, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	return ret;
}

char tmp_path[64];

const char *tmp_file(const void *data, size_t len)
{
	int fd;

	strcpy(tmp_path, "/tmp/hv-unit-img.XXXXXX");
	fd = mkstemp(tmp_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return tmp_path;
}

int count_substr(const char *haystack, const char *needle)
{
	int n = 0;

	while ((haystack = strstr(haystack, needle))) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

int main(void)
{
	Suite *(*const suites[])(void) = {
		lib_suite, open_suite, json_suite, info_suite, cli_suite,
		cli_vm_suite, cli_create_suite, cli_stat_suite, cli_trace_suite,
		pgtable_suite, insn_suite, emulate_suite, gwalk_suite, vmapi_suite, uart_suite,
		chipset_suite, pm_suite,
		loaders_suite, malformed_suite, managed_suite, events_suite,
		crc32c_suite, snapfile_suite, snapshot_suite, snapshot_live_suite,
		lazyrestore_suite,
		cli_snapshot_suite,
		progress_suite, acpi_suite, linux_suite, gdb_suite, lazy_suite,
	};
	SRunner *sr;
	size_t i;
	int run, failed;

	sr = srunner_create(NULL);
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_ENV);	/* CK_VERBOSITY=verbose lists all */

	run = srunner_ntests_run(sr);
	failed = srunner_ntests_failed(sr);	/* failures and errors */
	srunner_free(sr);

	/* Results of `make check`'s other binaries (the fuzzer): "P F". */
	if (getenv("HV_UNIT_EXTRA")) {
		int p, f;

		if (sscanf(getenv("HV_UNIT_EXTRA"), "%d %d", &p, &f) == 2) {
			run += p + f;
			failed += f;
		} else {
			run++;
			failed++;
		}
	}

	fflush(stdout);
	printf("check: %d passed, %d failed\n", run - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
