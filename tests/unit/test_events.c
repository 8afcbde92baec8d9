// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's lifecycle events: the parser on datagrams built here the way
 * kmod/managed/events.c builds them (genlmsg_put, then the attributes, u64s
 * with a pad attribute of type HV_ATTR_UNSPEC), and the handle's errors
 * on a host without the module.
 */
#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "unit.h"
#include "events.h"

#define FAMILY		0x1d

struct dgram {
	uint8_t b[4096] __attribute__((aligned(8)));
	size_t len;
};

/* Append one message; @what selects the attributes it carries. */
enum { FULL, NO_EVENT, NO_NAME, BAD_EVENT_LEN, ONLY_REQUIRED };

static void append(struct dgram *d, int family, uint8_t cmd, int what,
		   const char *name, uint32_t event, uint64_t seq)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *nlh;

	ck_assert_ptr_nonnull(msg);
	ck_assert_ptr_nonnull(genlmsg_put(msg, 0, 0, family, 0, 0, cmd, 1));
	if (what != NO_NAME)
		ck_assert_int_eq(nla_put_string(msg, HV_ATTR_VM_NAME, name), 0);
	if (what == BAD_EVENT_LEN)
		ck_assert_int_eq(nla_put_u16(msg, HV_ATTR_EVENT, 1), 0);
	else if (what != NO_EVENT)
		ck_assert_int_eq(nla_put_u32(msg, HV_ATTR_EVENT, event), 0);
	if (what != ONLY_REQUIRED) {
		ck_assert_int_eq(nla_put_u32(msg, HV_ATTR_REASON, 2), 0);
		ck_assert_int_eq(nla_put_u32(msg, HV_ATTR_STATUS, 7), 0);
		/* The kernel's nla_put_u64_64bit may add a pad first. */
		ck_assert_int_eq(nla_put(msg, HV_ATTR_UNSPEC, 0, NULL), 0);
		ck_assert_int_eq(nla_put_u64(msg, HV_ATTR_TIME_NS,
					     123456789012ULL), 0);
		ck_assert_int_eq(nla_put_u64(msg, HV_ATTR_SEQ, seq), 0);
	}
	nlh = nlmsg_hdr(msg);
	ck_assert_uint_le(d->len + NLMSG_ALIGN(nlh->nlmsg_len), sizeof(d->b));
	memcpy(d->b + d->len, nlh, nlh->nlmsg_len);
	d->len += NLMSG_ALIGN(nlh->nlmsg_len);
	nlmsg_free(msg);
}

START_TEST(event_names)
{
	ck_assert_str_eq(hv_event_name(HV_EVENT_CREATED), "created");
	ck_assert_str_eq(hv_event_name(HV_EVENT_STARTED), "started");
	ck_assert_str_eq(hv_event_name(HV_EVENT_PAUSED), "paused");
	ck_assert_str_eq(hv_event_name(HV_EVENT_RESUMED), "resumed");
	ck_assert_str_eq(hv_event_name(HV_EVENT_STOPPED), "stopped");
	ck_assert_str_eq(hv_event_name(HV_EVENT_DESTROYED), "destroyed");
	ck_assert_str_eq(hv_event_name(0), "unknown");
	ck_assert_str_eq(hv_event_name(7), "unknown");
}
END_TEST

START_TEST(parse_one)
{
	struct dgram d = { .len = 0 };
	struct hv_event ev[4];

	append(&d, FAMILY, HV_CMD_EVENT, FULL, "web", HV_EVENT_STOPPED, 42);
	ck_assert_uint_eq(hv_events_parse(d.b, d.len, FAMILY, ev, 4), 1);
	ck_assert_str_eq(ev[0].vm, "web");
	ck_assert_uint_eq(ev[0].event, HV_EVENT_STOPPED);
	ck_assert_uint_eq(ev[0].reason, 2);
	ck_assert_uint_eq(ev[0].status, 7);
	ck_assert_uint_eq(ev[0].time_ns, 123456789012ULL);
	ck_assert_uint_eq(ev[0].seq, 42);

	/* Only name and event: the rest is 0. */
	d.len = 0;
	append(&d, FAMILY, HV_CMD_EVENT, ONLY_REQUIRED, "a", HV_EVENT_CREATED, 0);
	memset(ev, 0xff, sizeof(ev));
	ck_assert_uint_eq(hv_events_parse(d.b, d.len, FAMILY, ev, 4), 1);
	ck_assert_str_eq(ev[0].vm, "a");
	ck_assert_uint_eq(ev[0].reason | ev[0].status, 0);
	ck_assert_uint_eq(ev[0].time_ns | ev[0].seq, 0);
}
END_TEST

START_TEST(parse_skips)
{
	char longname[100];
	struct dgram d = { .len = 0 };
	struct hv_event ev[8];

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	append(&d, FAMILY + 1, HV_CMD_EVENT, FULL, "other", 1, 1);
	append(&d, FAMILY, HV_CMD_UNSPEC, FULL, "cmd", 1, 2);
	append(&d, FAMILY, HV_CMD_EVENT, NO_EVENT, "noev", 1, 3);
	append(&d, FAMILY, HV_CMD_EVENT, NO_NAME, "", 1, 4);
	append(&d, FAMILY, HV_CMD_EVENT, BAD_EVENT_LEN, "short", 1, 5);
	append(&d, FAMILY, HV_CMD_EVENT, FULL, "one", HV_EVENT_STARTED, 6);
	append(&d, FAMILY, HV_CMD_EVENT, FULL, longname, HV_EVENT_PAUSED, 7);
	append(&d, FAMILY, HV_CMD_EVENT, FULL, "three", HV_EVENT_RESUMED, 8);

	ck_assert_uint_eq(hv_events_parse(d.b, d.len, FAMILY, ev, 8), 3);
	ck_assert_str_eq(ev[0].vm, "one");
	ck_assert_uint_eq(ev[0].seq, 6);
	ck_assert_uint_eq(strlen(ev[1].vm), HV_NAME_LEN - 1);	/* cut */
	ck_assert_uint_eq(ev[1].event, HV_EVENT_PAUSED);
	ck_assert_str_eq(ev[2].vm, "three");

	/* No more than asked for. */
	ck_assert_uint_eq(hv_events_parse(d.b, d.len, FAMILY, ev, 2), 2);
	ck_assert_uint_eq(hv_events_parse(d.b, d.len, FAMILY, ev, 0), 0);
}
END_TEST

/* Every cut of a two-event datagram: no crash, never a half event. */
START_TEST(parse_truncated)
{
	struct dgram d = { .len = 0 };
	struct hv_event ev[4];
	size_t first, len1, len2, len, want;

	append(&d, FAMILY, HV_CMD_EVENT, FULL, "first", 1, 1);
	first = d.len;
	len1 = ((struct nlmsghdr *)d.b)->nlmsg_len;
	append(&d, FAMILY, HV_CMD_EVENT, FULL, "second", 2, 2);
	len2 = ((struct nlmsghdr *)(d.b + first))->nlmsg_len;
	for (len = 0; len <= d.len; len++) {
		want = len < len1 ? 0 : len < first + len2 ? 1 : 2;
		ck_assert_uint_eq(hv_events_parse(d.b, len, FAMILY, ev, 4),
				  want);
	}
}
END_TEST

START_TEST(handle_errors)
{
	struct hv_events *e = (void *)1;
	struct hv_event ev;
	int r;

	ck_assert_int_eq(hv_events_open(NULL), -EINVAL);
	ck_assert_int_eq(hv_events_fd(NULL), -EBADF);
	ck_assert_int_eq(hv_events_next(NULL, &ev, 0), -EBADF);
	hv_events_close(NULL);

	/* This host runs no hv module: the family is missing. */
	r = hv_events_open(&e);
	if (r == 0) {		/* ...unless it does */
		ck_assert_int_ge(hv_events_fd(e), 0);
		ck_assert_int_eq(hv_events_next(e, NULL, 0), -EINVAL);
		hv_events_close(e);
		return;
	}
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_null(e);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");

	tcase_add_test(tc, event_names);
	tcase_add_test(tc, parse_one);
	tcase_add_test(tc, parse_skips);
	tcase_add_test(tc, parse_truncated);
	tcase_add_test(tc, handle_errors);
	suite_add_tcase(s, tc);
	return s;
}
