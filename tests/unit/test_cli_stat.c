// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics (API 6) on the fake device: libhv's hv_stats_names() (one
 * HV_GET_STATS_DESC round per handle, then cached) and hv_vm_stats(), and
 * `hvctl stat` - text, --all, --json, --vcpu, and its errors.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"
#include "unit.h"

/* A VM "web" with vCPUs 0 and 1, and counters for both and the sum */
static struct fake_vm *stat_vm(void)
{
	struct fake_vm *vm;

	free(HVCTL(0, "", "create", "web", "--mem", "64K", "--vcpus", "2"));
	vm = fake_vm_named("web");
	ck_assert_ptr_nonnull(vm);
	/* exit.io, exit.cpuid, exit_ns.cpuid, mem.cow_copied */
	vm->stats[0][0] = 500;
	vm->stats[0][1] = 1000;
	vm->stats[0][2] = 123456;
	vm->stats[1][1] = 7;
	vm->stats[1][2] = 900;
	vm->stats[HV_MAX_VCPUS][0] = 500;
	vm->stats[HV_MAX_VCPUS][1] = 1007;
	vm->stats[HV_MAX_VCPUS][2] = 124356;
	vm->stats[HV_MAX_VCPUS][3] = 0;
	return vm;
}

START_TEST(lib_stats)
{
	const struct hv_stat_desc *d, *d2;
	struct hv_vm *h;
	struct hv *hv;
	uint64_t v[8];
	size_t n;

	stat_vm();
	ck_assert_int_eq(hv_open(&hv), 0);
	ck_assert_int_eq(hv_stats_names(hv, &d, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(d[1].name, "exit.cpuid");
	ck_assert_uint_eq(d[2].flags, HV_STAT_NS);
	ck_assert_uint_eq(d[3].flags, HV_STAT_COUNT | HV_STAT_VM);
	/* asked once (count, then the table), then cached */
	ck_assert_uint_eq(fake_stats_desc_calls, 2);
	ck_assert_int_eq(hv_stats_names(hv, &d2, &n), 0);
	ck_assert_ptr_eq(d, d2);
	ck_assert_uint_eq(fake_stats_desc_calls, 2);
	ck_assert_int_eq(hv_stats_names(hv, NULL, &n), -EINVAL);
	ck_assert_int_eq(hv_stats_names(NULL, &d, &n), -EBADF);

	ck_assert_int_eq(hv_vm_open(hv, "web", &h), 0);
	memset(v, 0xff, sizeof(v));
	/* more room than counters: the module fills what it has */
	ck_assert_int_eq(hv_vm_stats(h, HV_STATS_VM, v, 8), 4);
	ck_assert_uint_eq(v[1], 1007);
	ck_assert_uint_eq(v[2], 124356);
	ck_assert_uint_eq(v[4], UINT64_MAX);	/* untouched */
	ck_assert_int_eq(hv_vm_stats(h, 1, v, 2), 2);
	ck_assert_uint_eq(v[1], 7);
	ck_assert_int_eq(hv_vm_stats(h, 2, v, 4), -ENOENT);
	ck_assert_int_eq(hv_vm_stats(h, 0, NULL, 4), -EINVAL);
	ck_assert_int_eq(hv_vm_stats(NULL, 0, v, 4), -EBADF);
	hv_vm_close(h);
	hv_close(hv);
}
END_TEST

START_TEST(cli_stat_text)
{
	char *out;

	stat_vm();
	out = HVCTL(0, "", "stat", "web");
	ck_assert_str_eq(out,
		"exit.io                  500\n"
		"exit.cpuid               1007\n"
		"exit_ns.cpuid            124356\n");
	free(out);
	out = HVCTL(0, "", "stat", "web", "--all");
	ck_assert_int_eq(count_substr(out, "\n"), 4);
	ck_assert_ptr_nonnull(strstr(out, "mem.cow_copied           0\n"));
	free(out);
	out = HVCTL(0, "", "stat", "--vcpu", "1", "web");
	ck_assert_str_eq(out,
		"exit.cpuid               7\n"
		"exit_ns.cpuid            900\n");
	free(out);
}
END_TEST

START_TEST(cli_stat_json)
{
	char *out;

	stat_vm();
	out = HVCTL(0, "", "stat", "web", "--json");
	ck_assert(json_valid(out));
	ck_assert_str_eq(out,
		"{\"name\":\"web\",\"vcpu\":\"all\",\"stats\":{"
		"\"exit.io\":500,\"exit.cpuid\":1007,"
		"\"exit_ns.cpuid\":124356,\"mem.cow_copied\":0}}\n");
	free(out);
	out = HVCTL(0, "", "stat", "web", "--json", "--vcpu", "0");
	ck_assert(json_valid(out));
	ck_assert_ptr_nonnull(strstr(out, "\"vcpu\":0,"));
	ck_assert_ptr_nonnull(strstr(out, "\"exit.cpuid\":1000,"));
	free(out);
}
END_TEST

START_TEST(cli_stat_errors)
{
	struct fake_vm *vm;

	vm = stat_vm();
	free(HVCTL(1, "hvctl: stat web: no such vCPU: 2\n",
		   "stat", "web", "--vcpu", "2"));
	free(HVCTL(1, "hvctl: stat db: no such VM\n", "stat", "db"));
	free(HVCTL(2, "hvctl: stat: --vcpu -1: not a vCPU id; try "
		      "'hvctl help stat'\n", "stat", "web", "--vcpu", "-1"));
	free(HVCTL(2, "hvctl: stat: --vcpu 4294967295: not a vCPU id; try "
		      "'hvctl help stat'\n",
		   "stat", "web", "--vcpu", "4294967295"));
	/* only the vCPU 2 ask reached the module: usage errors never do */
	ck_assert_uint_eq(vm->stats_calls, 1);
}
END_TEST

START_TEST(cli_top)
{
	struct fake_vm *vm;
	char *out, *io, *cpuid;

	vm = stat_vm();
	free(HVCTL(0, "", "create", "db", "--mem", "64K"));
	/* between two reads: 5 more I/O exits and 10 more CPUID exits */
	vm->stats_step[0] = 5;
	vm->stats_step[1] = 10;
	out = HVCTL(0, "", "top", "--interval", "0", "--count", "2");
	/* two screens, a blank line between, not a terminal: no escapes */
	ck_assert_int_eq(count_substr(out, "NAME "), 2);
	ck_assert_int_eq(count_substr(out, "\n\n"), 1);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_int_eq(count_substr(out, "\nweb "), 2);
	ck_assert_int_eq(count_substr(out, "\ndb "), 2);
	/* the busier reason first */
	cpuid = strstr(out, " cpuid ");
	io = strstr(out, " io ");
	ck_assert_ptr_nonnull(cpuid);
	ck_assert_ptr_nonnull(io);
	ck_assert(cpuid < io);
	free(out);
	free(HVCTL(2, "hvctl: top: --count 0: not a number above 0; try "
		      "'hvctl help top'\n", "top", "--count", "0"));
	free(HVCTL(2, "hvctl: top: --sort busy: not 'exits' or 'name'; try "
		      "'hvctl help top'\n", "top", "--sort", "busy"));
	free(HVCTL(2, "hvctl: top: unexpected argument 'web'; try "
		      "'hvctl help top'\n", "top", "web"));
}
END_TEST

/* Where @sub first is in @s from @from on, or -1 */
static __attribute__((noinline)) long at(const char *s, long from,
					 const char *sub)
{
	const char *p = from < 0 ? NULL : strstr(s + from, sub);

	return p ? p - s : -1;
}

/* The order (--sort), and a line per vCPU (--vcpus) */
START_TEST(cli_top_sort_vcpus)
{
	struct fake_vm *vm;
	long web, db, v0, v1;
	char *out;

	vm = stat_vm();
	/* "db" (one vCPU) sorts before "web" by name, after it by exits */
	free(HVCTL(0, "", "create", "db", "--mem", "64K"));
	fake_vm_named("db")->stats_step[0] = 1;
	vm->stats_step[1] = 10;
	vm->stats_vstep[1][0] = 3;	/* vCPU 1: I/O only */
	out = HVCTL(0, "", "top", "--interval", "0", "--count", "1");
	web = at(out, 0, "\nweb ");
	db = at(out, 0, "\ndb ");
	ck_assert(web >= 0 && db > web);
	ck_assert_int_eq(at(out, 0, "vcpu "), -1);
	free(out);
	out = HVCTL(0, "", "top", "--interval", "0", "--count", "1",
		    "--sort", "name");
	ck_assert(at(out, 0, "\ndb ") >= 0 &&
		  at(out, 0, "\ndb ") < at(out, 0, "\nweb "));
	free(out);

	out = HVCTL(0, "", "top", "--interval", "0", "--count", "1",
		    "--vcpus");
	/* web's two vCPUs under it, then db and its one */
	ck_assert_int_eq(count_substr(out, "\n  vcpu 0 "), 2);
	ck_assert_int_eq(count_substr(out, "\n  vcpu 1 "), 1);
	web = at(out, 0, "\nweb ");
	v0 = at(out, 0, "\n  vcpu 0 ");
	v1 = at(out, 0, "\n  vcpu 1 ");
	db = at(out, 0, "\ndb ");
	ck_assert(web >= 0 && web < v0 && v0 < v1 && v1 < db);
	/* vCPU 1 made I/O exits only */
	ck_assert(at(out, v1, " io ") > v1 && at(out, v1, " io ") < db);
	ck_assert(at(out, v1, " cpuid ") < 0 || at(out, v1, " cpuid ") > db);
	free(out);
}
END_TEST

Suite *cli_stat_suite(void)
{
	Suite *s = suite_create("cli_stat");
	TCase *tc = tcase_create("fake");

	tcase_add_checked_fixture(tc, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(tc, lib_stats);
	tcase_add_test(tc, cli_stat_text);
	tcase_add_test(tc, cli_stat_json);
	tcase_add_test(tc, cli_stat_errors);
	tcase_add_test(tc, cli_top);
	tcase_add_test(tc, cli_top_sort_vcpus);
	suite_add_tcase(s, tc);
	return s;
}
