// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl's VM commands: sizes and counts, names, argument parsing, the
 * list/info/events output from made-up data, how a stop becomes an exit
 * status.  End to end on the fake device: test_cli_create.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"
#include "unit.h"

#define MiB	(1ULL << 20)
#define GiB	(1ULL << 30)

START_TEST(parse_size)
{
	uint64_t v;

	ck_assert_int_eq(hvctl_parse_size("512M", &v), 0);
	ck_assert_uint_eq(v, 512 * MiB);
	ck_assert_int_eq(hvctl_parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, GiB);
	ck_assert_int_eq(hvctl_parse_size("4096K", &v), 0);
	ck_assert_uint_eq(v, 4 * MiB);
	ck_assert_int_eq(hvctl_parse_size("1048576", &v), 0);
	ck_assert_uint_eq(v, MiB);
	ck_assert_int_eq(hvctl_parse_size("2g", &v), 0);
	ck_assert_uint_eq(v, 2 * GiB);
	ck_assert_int_eq(hvctl_parse_size("1T", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 40);
	ck_assert_int_eq(hvctl_parse_size("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(hvctl_parse_size("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	ck_assert_int_eq(hvctl_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("12Q", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size(" 1", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("+1", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("1.5G", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("1MB", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size("0x1000", &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_size(NULL, &v), -EINVAL);
	/* Overflow in the digits and in the suffix. */
	ck_assert_int_eq(hvctl_parse_size("18446744073709551616", &v),
			 -ERANGE);
	ck_assert_int_eq(hvctl_parse_size("99999999999999999999999", &v),
			 -ERANGE);
	ck_assert_int_eq(hvctl_parse_size("17179869184G", &v), -ERANGE);
	ck_assert_int_eq(hvctl_parse_size("16777216T", &v), -ERANGE);
	ck_assert_int_eq(hvctl_parse_size("16777215T", &v), 0);
}
END_TEST

#define MEM_BAD(s, want_err, want_msg) do {				\
	char _m[128];							\
	uint64_t _v = 42;						\
	ck_assert_int_eq(hvctl_parse_mem(s, &_v, _m, sizeof(_m)),	\
			 want_err);					\
	ck_assert_str_eq(_m, want_msg);					\
	ck_assert_uint_eq(_v, 42);					\
} while (0)

START_TEST(parse_mem)
{
	char msg[128];
	uint64_t v;

	ck_assert_int_eq(hvctl_parse_mem("512M", &v, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(v, 512 * MiB);
	ck_assert_int_eq(hvctl_parse_mem("16G", &v, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(v, HV_MAX_RAM);
	ck_assert_int_eq(hvctl_parse_mem("4096", &v, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(v, 4096);

	MEM_BAD("0", -EINVAL, "0: must be more than 0");
	MEM_BAD("0K", -EINVAL, "0K: must be more than 0");
	MEM_BAD("-1", -EINVAL, "-1: not a size (bytes, or a number with a "
		"K, M or G suffix, as in 512M)");
	MEM_BAD("12Q", -EINVAL, "12Q: not a size (bytes, or a number with "
		"a K, M or G suffix, as in 512M)");
	MEM_BAD("4097", -EINVAL, "4097: not a multiple of 4K");
	MEM_BAD("1T", -ERANGE, "1T: more than the 16G a VM may have");
	MEM_BAD("16385M", -ERANGE, "16385M: more than the 16G a VM may have");
	MEM_BAD("99999999999999999999", -ERANGE,
		"99999999999999999999: more than the 16G a VM may have");
	MEM_BAD("17179869184G", -ERANGE,
		"17179869184G: more than the 16G a VM may have");
}
END_TEST

START_TEST(parse_uint)
{
	uint64_t v;

	ck_assert_int_eq(hvctl_parse_uint("8", 1, 8, &v), 0);
	ck_assert_uint_eq(v, 8);
	ck_assert_int_eq(hvctl_parse_uint("1", 1, 8, &v), 0);
	ck_assert_int_eq(hvctl_parse_uint("0", 1, 8, &v), -ERANGE);
	ck_assert_int_eq(hvctl_parse_uint("9", 1, 8, &v), -ERANGE);
	ck_assert_int_eq(hvctl_parse_uint("-1", 1, 8, &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_uint("2x", 1, 8, &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_uint("", 1, 8, &v), -EINVAL);
	ck_assert_int_eq(hvctl_parse_uint("99999999999999999999", 0,
					  UINT64_MAX, &v), -ERANGE);
}
END_TEST

START_TEST(format)
{
	char b[32];

	ck_assert_str_eq(hvctl_format_size(512 * MiB, b, sizeof(b)), "512M");
	ck_assert_str_eq(hvctl_format_size(GiB, b, sizeof(b)), "1G");
	ck_assert_str_eq(hvctl_format_size(HV_MAX_RAM, b, sizeof(b)), "16G");
	ck_assert_str_eq(hvctl_format_size(1536 * MiB, b, sizeof(b)),
			 "1536M");
	ck_assert_str_eq(hvctl_format_size(4096, b, sizeof(b)), "4K");
	ck_assert_str_eq(hvctl_format_size(1ULL << 40, b, sizeof(b)), "1T");
	ck_assert_str_eq(hvctl_format_size(4097, b, sizeof(b)), "4097");
	ck_assert_str_eq(hvctl_format_size(0, b, sizeof(b)), "0");

	ck_assert_str_eq(hvctl_format_uptime(0, b, sizeof(b)), "-");
	ck_assert_str_eq(hvctl_format_uptime(1, b, sizeof(b)), "0s");
	ck_assert_str_eq(hvctl_format_uptime(42000000000ULL, b, sizeof(b)),
			 "42s");
	ck_assert_str_eq(hvctl_format_uptime(302000000000ULL, b, sizeof(b)),
			 "5m02s");
	ck_assert_str_eq(hvctl_format_uptime(11220000000000ULL, b,
					     sizeof(b)), "3h07m");
	ck_assert_str_eq(hvctl_format_uptime(190800000000000ULL, b,
					     sizeof(b)), "2d05h");
}
END_TEST

START_TEST(names)
{
	char longest[HV_NAME_LEN];

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	ck_assert(hvctl_name_valid("web"));
	ck_assert(hvctl_name_valid("0vm_1.test-2"));
	ck_assert(hvctl_name_valid(longest));
	ck_assert(!hvctl_name_valid(""));
	ck_assert(!hvctl_name_valid("-web"));
	ck_assert(!hvctl_name_valid(".web"));
	ck_assert(!hvctl_name_valid("a b"));
	ck_assert(!hvctl_name_valid("a/b"));
	ck_assert(!hvctl_name_valid("caf\xc3\xa9"));
	ck_assert(!hvctl_name_valid(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}
END_TEST

#define USAGE(cmd, msg)							\
	"hvctl: " cmd ": " msg "; try 'hvctl help " cmd "'\n"

START_TEST(args)
{
	free(HVCTL(2, USAGE("create", "missing VM name"), "create",
		   "--mem", "1M"));
	free(HVCTL(2, USAGE("create", "missing --mem SIZE"), "create",
		   "web"));
	free(HVCTL(2, USAGE("create", "--mem 12Q: not a size (bytes, or a "
			    "number with a K, M or G suffix, as in 512M)"),
		   "create", "web", "--mem", "12Q"));
	free(HVCTL(2, USAGE("create", "--mem 1T: more than the 16G a VM "
			    "may have"), "create", "web", "--mem", "1T"));
	free(HVCTL(2, USAGE("create", "--mem 0: must be more than 0"),
		   "create", "--mem", "0", "web"));
	free(HVCTL(2, USAGE("create", "option '--mem' needs an argument"),
		   "create", "web", "--mem"));
	free(HVCTL(2, USAGE("create", "--vcpus 0: not a number from 1 to 8"),
		   "create", "web", "--mem", "1M", "--vcpus", "0"));
	free(HVCTL(2, USAGE("create", "--vcpus 9: not a number from 1 to 8"),
		   "create", "web", "--mem", "1M", "--vcpus", "9"));
	free(HVCTL(2, USAGE("create", "--vcpus two: not a number from 1 to "
			    "8"), "create", "web", "--mem", "1M", "--vcpus",
		   "two"));
	free(HVCTL(2, USAGE("create", "one image only (--image, "
			    "--multiboot or --kernel, once)"), "create", "web",
		   "--mem", "1M", "--image", "a", "--multiboot", "b"));
	free(HVCTL(2, USAGE("create", "one image only (--image, "
			    "--multiboot or --kernel, once)"), "create", "web",
		   "--mem", "1M", "--kernel", "a", "--image", "b"));
	free(HVCTL(2, USAGE("create", "one --initrd only"), "create", "web",
		   "--mem", "1M", "--kernel", "a", "--initrd", "b",
		   "--initrd", "c"));
	free(HVCTL(2, USAGE("create", "--initrd needs --kernel"), "create",
		   "web", "--mem", "1M", "--image", "a", "--initrd", "b"));
	free(HVCTL(2, USAGE("create", "--module needs --multiboot"),
		   "create", "web", "--mem", "1M", "--image", "a",
		   "--module", "m"));
	free(HVCTL(2, USAGE("create", "--cmdline needs --multiboot or --kernel"),
		   "create", "web", "--mem", "1M", "--cmdline", "x"));
	free(HVCTL(2, USAGE("create", "--module ,str: no file name"),
		   "create", "web", "--mem", "1M", "--multiboot", "k",
		   "--module", ",str"));
	free(HVCTL(2, USAGE("create", "unknown option '--bogus'"), "create",
		   "web", "--bogus"));
	free(HVCTL(2, USAGE("create", "unexpected argument 'more'"),
		   "create", "web", "more", "--mem", "1M"));
	free(HVCTL(2, USAGE("create", "invalid VM name 'a b': 1 to 31 "
			    "letters, digits, '_', '.' or '-', starting with "
			    "a letter or digit"), "create", "a b", "--mem",
		   "1M"));

	free(HVCTL(2, USAGE("run", "missing --image FILE, --multiboot "
			    "FILE or --kernel FILE"), "run", "--mem", "1M",
		   "web"));
	free(HVCTL(2, USAGE("start", "missing VM name"), "start"));
	free(HVCTL(2, USAGE("start", "unexpected argument 'b'"), "start",
		   "a", "b"));
	free(HVCTL(2, USAGE("start", "unknown option '--force'"), "start",
		   "web", "--force"));
	free(HVCTL(2, USAGE("stop", "unknown option '--wait'"), "stop",
		   "web", "--wait"));
	free(HVCTL(2, USAGE("destroy", "unknown option '--wait'"),
		   "destroy", "web", "--wait"));
	free(HVCTL(2, USAGE("pause", "invalid VM name '-': 1 to 31 letters, "
			    "digits, '_', '.' or '-', starting with a letter "
			    "or digit"), "pause", "--", "-"));
	free(HVCTL(2, USAGE("console", "missing VM name"), "console",
		   "--no-follow"));
	free(HVCTL(2, USAGE("events", "--count x: not a number from 1 to "
			    "4294967295"), "events", "--count", "x"));
	free(HVCTL(2, USAGE("events", "unexpected argument 'web'"), "events",
		   "web"));
	free(HVCTL(2, USAGE("list", "unexpected argument 'web'"), "list",
		   "web"));
	free(HVCTL(2, USAGE("info", "unexpected argument 'b'"), "info", "a",
		   "b"));
	/* Existing VMs are NAME or UID:NAME; new names are plain */
	free(HVCTL(2, USAGE("stop", "invalid VM reference 'x:web': NAME or "
			    "UID:NAME"), "stop", "x:web"));
	free(HVCTL(2, USAGE("stop", "invalid VM reference ':web': NAME or "
			    "UID:NAME"), "stop", ":web"));
	free(HVCTL(2, USAGE("info", "invalid VM reference '4294967295:web': "
			    "NAME or UID:NAME"), "info", "4294967295:web"));
	free(HVCTL(2, USAGE("stop", "invalid VM name 'a:b': 1 to 31 "
			    "letters, digits, '_', '.' or '-', starting with "
			    "a letter or digit"), "stop", "1000:a:b"));
	free(HVCTL(2, USAGE("create", "invalid VM name '1000:web': 1 to 31 "
			    "letters, digits, '_', '.' or '-', starting with "
			    "a letter or digit"), "create", "1000:web",
		   "--mem", "1M"));
}
END_TEST

START_TEST(vm_refs)
{
	const char *name;
	long long uid;

	ck_assert(hvctl_split_ref("web", &uid, &name));
	ck_assert_int_eq(uid, -1);
	ck_assert_str_eq(name, "web");
	ck_assert(hvctl_split_ref("1000:web", &uid, &name));
	ck_assert_int_eq(uid, 1000);
	ck_assert_str_eq(name, "web");
	ck_assert(hvctl_split_ref("0:r", &uid, &name));
	ck_assert_int_eq(uid, 0);
	ck_assert(hvctl_split_ref("4294967294:r", &uid, &name));
	ck_assert_int_eq(uid, 4294967294LL);
	ck_assert(!hvctl_split_ref("4294967295:r", &uid, &name));
	ck_assert(!hvctl_split_ref("99999999999:r", &uid, &name));
	ck_assert(!hvctl_split_ref("-1:r", &uid, &name));
	ck_assert(!hvctl_split_ref(":r", &uid, &name));
}
END_TEST

START_TEST(help_details)
{
	char *out;

	out = HVCTL(0, "", "help", "create");
	ck_assert_ptr_eq(strstr(out, "usage: hvctl create NAME --mem SIZE "),
			 out);
	ck_assert_ptr_nonnull(strstr(out, "\n  --mem SIZE "));
	ck_assert_ptr_nonnull(strstr(out, "\n  --multiboot FILE "));
	free(out);
	out = HVCTL(0, "", "start", "--help");
	ck_assert_ptr_nonnull(strstr(out, "\n  --wait "));
	free(out);
	out = HVCTL(0, "", "console", "-h");
	ck_assert_ptr_nonnull(strstr(out, "Ctrl-] detaches"));
	free(out);
}
END_TEST

/* Two made-up VMs, as HV_LIST_VMS could return them. */
static void fake_infos(struct hv_vm_info v[2])
{
	memset(v, 0, 2 * sizeof(*v));
	strcpy(v[0].name, "web");
	v[0].state = HV_VM_STATE_RUNNING;
	v[0].nr_vcpus = 2;
	v[0].owner_uid = 1000;
	v[0].mem_size = 512 * MiB;
	v[0].uptime_ns = 312000000000ULL;
	v[0].exits = 48210;
	v[0].io_unclaimed = 3;
	v[0].console_bytes = 120;

	strcpy(v[1].name, "ci-test.1");
	v[1].state = HV_VM_STATE_STOPPED;
	v[1].flags = HV_VM_DESTROY_ON_CLOSE;
	v[1].nr_vcpus = 1;
	v[1].mem_size = GiB;
	v[1].stop_reason = HV_STOP_DEBUG_EXIT;
	v[1].exit_status = 3;
	v[1].exits = 7;
}

/* What a print function wrote to a memstream. */
#define CAPTURE(call) ({						\
	char *_buf;							\
	size_t _len;							\
	FILE *_f = open_memstream(&_buf, &_len);			\
	ck_assert_ptr_nonnull(_f);					\
	ck_assert_int_eq(call, 0);					\
	fclose(_f);							\
	_buf;								\
})
#define F _f

START_TEST(list_output)
{
	struct hv_vm_info v[2];
	char *out;

	fake_infos(v);
	out = CAPTURE(hvctl_list_print(F, v, 2, false));
	ck_assert_str_eq(out,
		"NAME       STATE      VCPUS  MEMORY    UPTIME  EXITS\n"
		"web        running        2    512M     5m12s  48210\n"
		"ci-test.1  stopped        1      1G         -  7\n");
	free(out);

	out = CAPTURE(hvctl_list_print(F, v, 2, true));
	ck_assert(json_valid(out));
	ck_assert_str_eq(out,
		"[{\"name\":\"web\",\"state\":\"running\",\"vcpus\":2,"
		"\"mem_bytes\":536870912,\"owner_uid\":1000,\"flags\":0,"
		"\"destroy_on_close\":false,\"stop_reason\":\"none\","
		"\"exit_status\":0,\"uptime_ns\":312000000000,"
		"\"exits\":48210,\"io_unclaimed\":3,\"mmio_unclaimed\":0,"
		"\"console_bytes\":120,\"id\":0,\"dirty_epoch\":0,"
		"\"cow_copies\":0,\"shared_pages\":0},"
		"{\"name\":\"ci-test.1\",\"state\":\"stopped\",\"vcpus\":1,"
		"\"mem_bytes\":1073741824,\"owner_uid\":0,\"flags\":1,"
		"\"destroy_on_close\":true,\"stop_reason\":\"debug-exit\","
		"\"exit_status\":3,\"uptime_ns\":0,\"exits\":7,"
		"\"io_unclaimed\":0,\"mmio_unclaimed\":0,"
		"\"console_bytes\":0,\"id\":0,\"dirty_epoch\":0,"
		"\"cow_copies\":0,\"shared_pages\":0}]\n");
	free(out);

	/* None: a header, or an empty array. */
	out = CAPTURE(hvctl_list_print(F, NULL, 0, false));
	ck_assert_str_eq(out, "NAME  STATE      VCPUS  MEMORY    UPTIME  "
			 "EXITS\n");
	free(out);
	out = CAPTURE(hvctl_list_print(F, NULL, 0, true));
	ck_assert_str_eq(out, "[]\n");
	free(out);

	/* A name that fills the field is still NUL-terminated on output. */
	memset(v[0].name, 'x', sizeof(v[0].name));
	out = CAPTURE(hvctl_list_print(F, v, 1, true));
	ck_assert(json_valid(out));
	ck_assert_int_eq(count_substr(out, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\""),
			 1);
	free(out);
}
END_TEST

START_TEST(info_output)
{
	struct hv_vm_info v[2];
	char *out;

	fake_infos(v);
	out = CAPTURE(hvctl_vm_info_print(F, &v[1], false));
	ck_assert_str_eq(out,
		"name:            ci-test.1\n"
		"state:           stopped\n"
		"stop reason:     debug-exit (status 3: the guest wrote 1 to "
		"port 0xf4)\n"
		"exit status:     3\n"
		"vcpus:           1\n"
		"memory:          1G (1073741824 bytes)\n"
		"owner uid:       0\n"
		"flags:           destroy-on-close\n"
		"uptime:          -\n"
		"exits:           7\n"
		"io unclaimed:    0\n"
		"mmio unclaimed:  0\n"
		"console bytes:   0\n");
	free(out);

	out = CAPTURE(hvctl_vm_info_print(F, &v[0], true));
	ck_assert(json_valid(out));
	ck_assert_ptr_eq(strstr(out, "{\"name\":\"web\",\"state\":\"running\","),
			 out);
	ck_assert_int_eq(count_substr(out, "\"stop_reason\":\"none\""), 1);
	free(out);

	v[1].stop_reason = HV_STOP_LAZY_FAILED;
	v[1].exit_status = EPIPE;
	out = CAPTURE(hvctl_vm_info_print(F, &v[1], false));
	ck_assert_int_eq(count_substr(out,
		"stop reason:     lazy-failed: its memory could not be filled "
		"from the snapshot (the process filling it exited)\n"
		"exit status:     32\n"), 1);
	free(out);
	out = CAPTURE(hvctl_vm_info_print(F, &v[1], true));
	ck_assert(json_valid(out));
	ck_assert_int_eq(count_substr(out, "\"stop_reason\":\"lazy-failed\","
				      "\"exit_status\":32,"), 1);
	free(out);
}
END_TEST

START_TEST(event_output)
{
	struct hv_event ev;
	char *out;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.vm, "web");
	ev.seq = 12;
	ev.event = HV_EVENT_STOPPED;
	ev.reason = HV_STOP_DEBUG_EXIT;
	ev.status = 3;
	ev.time_ns = 5000;
	out = CAPTURE(hvctl_event_print(F, &ev, false));
	ck_assert_str_eq(out, "12 web stopped reason=debug-exit status=3\n");
	free(out);
	out = CAPTURE(hvctl_event_print(F, &ev, true));
	ck_assert(json_valid(out));
	ck_assert_str_eq(out, "{\"seq\":12,\"vm\":\"web\",\"event\":\"stopped\","
			 "\"reason\":\"debug-exit\",\"status\":3,"
			 "\"time_ns\":5000}\n");
	free(out);

	ev.reason = HV_STOP_TRIPLE_FAULT;
	ev.status = 0;
	out = CAPTURE(hvctl_event_print(F, &ev, false));
	ck_assert_str_eq(out, "12 web stopped reason=triple-fault\n");
	free(out);
	ev.reason = HV_STOP_LAZY_FAILED;
	ev.status = EIO;
	out = CAPTURE(hvctl_event_print(F, &ev, false));
	ck_assert_str_eq(out, "12 web stopped reason=lazy-failed status=5\n");
	free(out);
	ev.event = HV_EVENT_STARTED;
	ev.reason = HV_STOP_NONE;
	ev.seq = 13;
	out = CAPTURE(hvctl_event_print(F, &ev, false));
	ck_assert_str_eq(out, "13 web started\n");
	free(out);
}
END_TEST

/* hvctl_vm_result(): exit status, and the line on hvctl_err. */
static int result(uint32_t state, uint32_t reason, uint32_t status,
		  char **err)
{
	struct hv_vm_info info;
	size_t len;
	FILE *saved = hvctl_err;
	int ret;

	memset(&info, 0, sizeof(info));
	info.state = state;
	info.stop_reason = reason;
	info.exit_status = status;
	hvctl_err = open_memstream(err, &len);
	ret = hvctl_vm_result("run web", &info);
	fclose(hvctl_err);
	hvctl_err = saved;
	return ret;
}

START_TEST(results)
{
	char *err;

	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_HALTED, 0,
				&err), 0);
	ck_assert_str_eq(err, "");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_POWER_OFF, 0,
				&err), 0);
	free(err);
	/* out 0xf4 with 1: (1 << 1) | 1 */
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_DEBUG_EXIT, 3,
				&err), 3);
	ck_assert_str_eq(err, "");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_DEBUG_EXIT,
				0x101, &err), 1);
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_TRIPLE_FAULT, 0,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: triple fault "
			 "(its CPU shut down)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_ENTRY_FAILURE,
				0, &err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: entry failure "
			 "(the hardware refused the guest state)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_INTERNAL_ERROR,
				0, &err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: internal error "
			 "(an exit hv could not handle)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_REQUESTED, 0,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: VM was stopped (hvctl stop)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_DESTROYED, HV_STOP_DESTROYED, 0,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: VM was destroyed while "
			 "running\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_DESTROYED, HV_STOP_NONE, 0,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: VM was destroyed\n");
	free(err);

	/* lazy RAM: the filler said a chunk is corrupt, or went away */
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_LAZY_FAILED, EIO,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: its memory "
			 "could not be filled from the snapshot (corrupt "
			 "chunk)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_LAZY_FAILED,
				EPIPE, &err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: its memory "
			 "could not be filled from the snapshot (the process "
			 "filling it exited)\n");
	free(err);
	ck_assert_int_eq(result(HV_VM_STATE_STOPPED, HV_STOP_LAZY_FAILED, 0,
				&err), 1);
	ck_assert_str_eq(err, "hvctl: run web: guest stopped: its memory "
			 "could not be filled from the snapshot\n");
	free(err);
}
END_TEST

Suite *cli_vm_suite(void)
{
	Suite *s = suite_create("cli_vm");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, parse_size);
	tcase_add_test(tc, parse_mem);
	tcase_add_test(tc, parse_uint);
	tcase_add_test(tc, format);
	tcase_add_test(tc, names);
	tcase_add_test(tc, args);
	tcase_add_test(tc, vm_refs);
	tcase_add_test(tc, help_details);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, list_output);
	tcase_add_test(tc, info_output);
	tcase_add_test(tc, event_output);
	tcase_add_test(tc, results);
	suite_add_tcase(s, tc);
	return s;
}
