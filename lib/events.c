// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: VM lifecycle events, from the module's generic netlink family
 * HV_GENL_NAME (include/uapi/hv.h): HV_CMD_SUBSCRIBE, after which the
 * kernel unicasts us the events of the VMs we may see.
 *
 * libnl-genl-3 finds the family and the group and parses the messages;
 * the datagrams themselves are read here with recvfrom(), so that we can
 * (a) drop anything not sent by the kernel (port 0) — any process may
 * unicast to our port — and (b) report ENOBUFS, "events were lost", as
 * itself rather than libnl's catch-all NLE_NOMEM.  libnl's sequence
 * checking is off all the same: multicast messages carry sequence 0, and
 * nothing we do should ever run them through a checking callback.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "libhv.h"
#include "events.h"
#include "internal.h"

/* Kernel messages are one event each; room for a few is plenty. */
#define HV_EVENTS_QUEUE		16
#define HV_EVENTS_BUF		16384
#define HV_EVENTS_RCVBUF	(1 << 20)

struct hv_events {
	struct nl_sock *sk;
	int family;
	unsigned int head, count;	/* queued events: queue[head ..] */
	struct hv_event queue[HV_EVENTS_QUEUE];
	uint8_t *buf;			/* HV_EVENTS_BUF bytes, aligned */
};

static struct nla_policy hv_event_policy[HV_ATTR_MAX + 1] = {
	[HV_ATTR_VM_NAME]	= { .type = NLA_STRING },
	[HV_ATTR_EVENT]		= { .type = NLA_U32 },
	[HV_ATTR_REASON]	= { .type = NLA_U32 },
	[HV_ATTR_STATUS]	= { .type = NLA_U32 },
	[HV_ATTR_TIME_NS]	= { .type = NLA_U64 },
	[HV_ATTR_SEQ]		= { .type = NLA_U64 },
};

/* libnl's error codes, for the few calls that can fail, as errnos. */
static int hv_nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_INVAL:		return -EINVAL;
	}
	return -EIO;
}

size_t hv_events_parse(void *buf, size_t len, int family,
		       struct hv_event *ev, size_t max)
{
	struct nlattr *tb[HV_ATTR_MAX + 1];
	struct nlmsghdr *nlh = buf;
	int rem = len > INT32_MAX ? INT32_MAX : (int)len;
	size_t n = 0;

	for (; n < max && nlmsg_ok(nlh, rem); nlh = nlmsg_next(nlh, &rem)) {
		struct genlmsghdr *g;

		if (nlh->nlmsg_type != family ||
		    !genlmsg_valid_hdr(nlh, 0))
			continue;
		g = nlmsg_data(nlh);
		if (g->cmd != HV_CMD_EVENT)
			continue;
		if (genlmsg_parse(nlh, 0, tb, HV_ATTR_MAX, hv_event_policy) < 0 ||
		    !tb[HV_ATTR_VM_NAME] || !tb[HV_ATTR_EVENT])
			continue;
		memset(&ev[n], 0, sizeof(ev[n]));
		nla_strlcpy(ev[n].vm, tb[HV_ATTR_VM_NAME], sizeof(ev[n].vm));
		ev[n].event = nla_get_u32(tb[HV_ATTR_EVENT]);
		if (tb[HV_ATTR_REASON])
			ev[n].reason = nla_get_u32(tb[HV_ATTR_REASON]);
		if (tb[HV_ATTR_STATUS])
			ev[n].status = nla_get_u32(tb[HV_ATTR_STATUS]);
		if (tb[HV_ATTR_TIME_NS])
			ev[n].time_ns = nla_get_u64(tb[HV_ATTR_TIME_NS]);
		if (tb[HV_ATTR_SEQ])
			ev[n].seq = nla_get_u64(tb[HV_ATTR_SEQ]);
		n++;
	}
	return n;
}

int hv_events_open(struct hv_events **out)
{
	struct hv_events *e;
	int ret, group;

	if (!out)
		return -EINVAL;
	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->buf = malloc(HV_EVENTS_BUF);
	e->sk = nl_socket_alloc();
	if (!e->buf || !e->sk) {
		ret = -ENOMEM;
		goto fail;
	}
	nl_socket_disable_seq_check(e->sk);
	ret = genl_connect(e->sk);
	if (ret < 0) {
		ret = hv_nl_errno(ret);
		goto fail;
	}
	/* Not found: the module is not loaded (the family goes with it). */
	e->family = genl_ctrl_resolve(e->sk, HV_GENL_NAME);
	if (e->family < 0) {
		ret = hv_nl_errno(e->family);
		goto fail;
	}
	/*
	 * Ask for the events of the VMs we may see (ours; every VM for
	 * CAP_SYS_ADMIN): the kernel unicasts them to this socket.  A module
	 * older than HV_CMD_SUBSCRIBE knows only the group (which then was
	 * open to all).
	 */
	ret = genl_send_simple(e->sk, e->family, HV_CMD_SUBSCRIBE,
			       HV_GENL_VERSION, 0);
	if (ret >= 0)
		ret = nl_wait_for_ack(e->sk);
	if (ret == -NLE_OPNOTSUPP) {
		group = genl_ctrl_resolve_grp(e->sk, HV_GENL_NAME,
					      HV_GENL_MCGRP_EVENTS);
		if (group < 0) {
			ret = hv_nl_errno(group);
			goto fail;
		}
		ret = nl_socket_add_membership(e->sk, group);
	}
	if (ret < 0) {
		ret = hv_nl_errno(ret);
		goto fail;
	}
	/* Best effort: a burst of events should not overflow the socket. */
	nl_socket_set_buffer_size(e->sk, HV_EVENTS_RCVBUF, 0);
	*out = e;
	return 0;
fail:
	hv_events_close(e);
	return ret;
}

int hv_events_fd(struct hv_events *e)
{
	return e ? nl_socket_get_fd(e->sk) : -EBADF;
}

void hv_events_close(struct hv_events *e)
{
	if (!e)
		return;
	if (e->sk)
		nl_socket_free(e->sk);	/* closes the fd */
	free(e->buf);
	free(e);
}

/* One datagram into the queue: 1 if one was read, 0 if none, -errno. */
static int hv_events_recv(struct hv_events *e)
{
	struct sockaddr_nl from;
	socklen_t fromlen = sizeof(from);
	ssize_t n;

	memset(&from, 0, sizeof(from));
	n = recvfrom(nl_socket_get_fd(e->sk), e->buf, HV_EVENTS_BUF,
		     MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (from.nl_family == AF_NETLINK && from.nl_pid == 0) {
		e->head = 0;
		e->count = (unsigned int)hv_events_parse(e->buf, (size_t)n,
							 e->family, e->queue,
							 HV_EVENTS_QUEUE);
	}
	return 1;
}

int hv_events_next(struct hv_events *e, struct hv_event *ev, int timeout_ms)
{
	int64_t deadline = hv_monotonic_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd;
	int64_t left;
	int ret;

	if (!e)
		return -EBADF;
	if (!ev)
		return -EINVAL;
	for (;;) {
		if (e->count) {
			*ev = e->queue[e->head++];
			e->count--;
			return 0;
		}
		ret = hv_events_recv(e);
		if (ret < 0)
			return ret;
		if (ret > 0)
			continue;

		left = -1;
		if (timeout_ms >= 0) {
			left = deadline - hv_monotonic_ms();
			if (left <= 0)
				return -ETIMEDOUT;
		}
		pfd.fd = nl_socket_get_fd(e->sk);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left) < 0)
			return -errno;
	}
}

const char *hv_event_name(uint32_t event)
{
	switch (event) {
	case HV_EVENT_CREATED:		return "created";
	case HV_EVENT_STARTED:		return "started";
	case HV_EVENT_PAUSED:		return "paused";
	case HV_EVENT_RESUMED:		return "resumed";
	case HV_EVENT_STOPPED:		return "stopped";
	case HV_EVENT_DESTROYED:	return "destroyed";
	}
	return "unknown";
}
