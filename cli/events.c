// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl events: the module's VM lifecycle events, live, one line each
 * (generic netlink, through libhv's hv_events_*()):
 *
 *   SEQ NAME EVENT [reason=REASON] [status=N]
 *   12 web stopped reason=debug-exit status=3
 *
 * EVENT is created, started, paused, resumed, stopped or destroyed
 * (hv_event_name()); reason= comes with stopped, status= with a
 * debug-exit stop.  --json prints one object per line instead, keys
 * (only ever added): seq, vm, event, reason ("none" unless stopped),
 * status, time_ns (CLOCK_MONOTONIC of the host).
 * Output is flushed after every event, so a pipe sees each at once.  If
 * the socket overflows, a line on stderr says events were lost (the gap
 * in SEQ shows where) and the stream goes on.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "hvctl.h"
#include "json.h"

int hvctl_event_print(FILE *out, const struct hv_event *ev, bool json)
{
	char vm[HV_NAME_LEN];
	struct json j;

	memcpy(vm, ev->vm, HV_NAME_LEN);
	vm[HV_NAME_LEN - 1] = '\0';
	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_uint(&j, "seq", ev->seq);
		json_string(&j, "vm", vm);
		json_string(&j, "event", hv_event_name(ev->event));
		json_string(&j, "reason", hv_stop_reason_name(ev->reason));
		json_uint(&j, "status", ev->status);
		json_uint(&j, "time_ns", ev->time_ns);
		json_object_end(&j);
		return json_finish(&j);
	}
	fprintf(out, "%" PRIu64 " %s %s", (uint64_t)ev->seq, vm,
		hv_event_name(ev->event));
	if (ev->event == HV_EVENT_STOPPED)
		fprintf(out, " reason=%s", hv_stop_reason_name(ev->reason));
	/* the status means something for these two: v << 1 | 1, an errno */
	if (ev->event == HV_EVENT_STOPPED &&
	    (ev->reason == HV_STOP_DEBUG_EXIT ||
	     ev->reason == HV_STOP_LAZY_FAILED))
		fprintf(out, " status=%u", ev->status);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_JSON, OPT_COUNT };

int hvctl_cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct hv_events *evs;
	struct hv_event ev;
	uint64_t count = 0, seen = 0;
	bool json = false;
	int c, err;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_COUNT:
			if (hvctl_parse_uint(optarg, 1, UINT32_MAX, &count))
				return hvctl_usage_error(argv[0], "--count "
					"%s: not a number from 1 to %u",
					optarg, UINT32_MAX);
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	if (optind < argc)
		return hvctl_usage_error(argv[0], "unexpected argument '%s'",
					 argv[optind]);

	err = hv_events_open(&evs);
	if (err)
		return hvctl_fail_errno(argv[0], "cannot subscribe to hv's "
					"events", err);
	while (!count || seen < count) {
		err = hv_events_next(evs, &ev, -1);
		if (err == -EINTR || err == -EAGAIN || err == -ETIMEDOUT)
			continue;
		if (err == -ENOBUFS) {
			/* The seq gap shows where; go on with what follows. */
			fprintf(hvctl_err, "hvctl: %s: events were lost (the "
				"socket overflowed)\n", argv[0]);
			continue;
		}
		if (err) {
			hvctl_fail_errno(argv[0], "cannot read events", err);
			break;
		}
		if (hvctl_event_print(hvctl_out, &ev, json) ||
		    fflush(hvctl_out))
			break;	/* hvctl_main() reports the write error */
		seen++;
	}
	hv_events_close(evs);
	return err ? HVCTL_EXIT_FAIL : HVCTL_EXIT_OK;
}
