// SPDX-License-Identifier: GPL-2.0
/*
 * cli/json.c, and the validator the other tests trust.
 */
#include <stdlib.h>

#include "json.h"
#include "unit.h"

/* The escaped form of s, as json_write_string() writes it. */
static char *escaped(const char *s)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_write_string(f, s);
	fclose(f);
	return buf;
}

static void check_escape(const char *in, const char *want)
{
	char *got = escaped(in);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(escaping)
{
	check_escape("", "\"\"");
	check_escape("plain vm-1", "\"plain vm-1\"");
	check_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_escape("C:\\vm\\", "\"C:\\\\vm\\\\\"");
	check_escape("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
	check_escape("\x01\x1f", "\"\\u0001\\u001f\"");
	check_escape("esc\x1b[0m", "\"esc\\u001b[0m\"");
	/* '/', DEL and UTF-8 need no escape. */
	check_escape("a/b\x7f", "\"a/b\x7f\"");
	check_escape("gr\xc3\xbc\xc3\x9f", "\"gr\xc3\xbc\xc3\x9f\"");
}
END_TEST

START_TEST(structure)
{
	struct json j;
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_string(&j, "name", "we\"b");
	json_uint(&j, "big", UINT64_MAX);
	json_int(&j, "neg", -5);
	json_hex(&j, "msr", 0x3a);
	json_array_begin(&j, "list");
	json_bool(&j, NULL, true);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_begin(&j, NULL);
	json_array_end(&j);
	json_uint(&j, NULL, 0);
	json_array_end(&j);
	json_object_begin(&j, "empty");
	json_object_end(&j);
	json_bool(&j, "last", false);
	json_object_end(&j);
	ck_assert_int_eq(json_finish(&j), 0);
	fclose(f);

	ck_assert_str_eq(buf, "{\"name\":\"we\\\"b\","
			 "\"big\":18446744073709551615,\"neg\":-5,"
			 "\"msr\":\"0x3a\",\"list\":[true,{},[],0],"
			 "\"empty\":{},\"last\":false}\n");
	ck_assert(json_valid(buf));
	free(buf);
}
END_TEST

START_TEST(write_error)
{
	struct json j;
	FILE *f = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	json_init(&j, f);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	ck_assert_int_lt(json_finish(&j), 0);
	fclose(f);
}
END_TEST

/* The validator must reject, or the other tests prove nothing. */
START_TEST(validator)
{
	static const char *const good[] = {
		"{}\n", "[]\n", "{\"a\":[1,-2.5e+3,true,false,null]}\n",
		"\"\\u00e9\\n\"\n", " { \"a\" : { } }\n", "0\n",
	};
	static const char *const bad[] = {
		"", "{}", "{}\n\n", "{\n", "{}}\n", "[1,]\n", "{\"a\":1,}\n",
		"{\"a\" 1}\n", "{a:1}\n", "[01]\n", "[1.]\n", "\"a\nb\"\n",
		"\"\\x\"\n", "\"\\u12g4\"\n", "[tru]\n", "{\"a\":1}{}\n",
		"\"unterminated\n", "[\"a\"\"b\"]\n",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(json_valid(good[i]), "rejected %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!json_valid(bad[i]), "accepted %s", bad[i]);
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("json");

	tcase_add_test(tc, escaping);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, write_error);
	tcase_add_test(tc, validator);
	suite_add_tcase(s, tc);
	return s;
}
