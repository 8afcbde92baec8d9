/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhv: the event parser of lib/events.c, apart from the socket, so
 * that the unit tests can feed it datagrams they built.
 */
#ifndef LIBHV_EVENTS_H
#define LIBHV_EVENTS_H

#include <stddef.h>

#include "libhv.h"

/*
 * The events in one netlink datagram of @len bytes at @buf (aligned as
 * a struct nlmsghdr): messages of generic netlink family @family, command
 * HV_CMD_EVENT, carrying at least HV_ATTR_VM_NAME and HV_ATTR_EVENT.
 * Other messages, and malformed ones, are skipped.  At most @max go to
 * @ev; returns how many did.
 */
__attribute__((visibility("hidden")))
size_t hv_events_parse(void *buf, size_t len, int family,
		       struct hv_event *ev, size_t max);

#endif /* LIBHV_EVENTS_H */
