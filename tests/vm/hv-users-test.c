// SPDX-License-Identifier: GPL-2.0
/*
 * hv-users-test: the raw-ABI half of the permission matrix
 * (tests/vm/cases-users.sh runs it as each user).
 *
 *   hv-users-test other NAME UID   as a user who is not UID: UID's VM NAME
 *                                  is invisible (HV_OPEN_VM: ENOENT, so
 *                                  no fd, no mmap, no ioctl on it; with
 *                                  HV_OPEN_OWNER: EPERM; HV_LIST_VMS holds
 *                                  no VM of UID; the all-VMs event group
 *                                  refuses to be joined: EPERM)
 *   hv-users-test root NAME UID    as root: opens UID's VM NAME with
 *                                  HV_OPEN_OWNER, maps and reads its RAM,
 *                                  lists it, and may join the group
 *   hv-users-test own NAME         as its owner: plain HV_OPEN_VM and mmap
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "uapi/hv.h"
#include "hvtest.h"

static int open_vm(int dev, const char *name, uint32_t flags, uint32_t uid)
{
	struct hv_vm_open o;

	memset(&o, 0, sizeof(o));
	strncpy(o.name, name, sizeof(o.name) - 1);
	o.flags = flags;
	o.owner_uid = uid;
	return ioctl(dev, HV_OPEN_VM, &o);
}

/* How many listed VMs UID owns (-1: the ioctl failed). */
static int count_owned(int dev, uint32_t uid, uint32_t *total)
{
	static struct hv_vm_info vms[256];
	struct hv_vm_list l;
	uint32_t i;
	int n = 0;

	memset(&l, 0, sizeof(l));
	l.capacity = 256;
	l.entries = (uintptr_t)vms;
	if (ioctl(dev, HV_LIST_VMS, &l) < 0)
		return -1;
	for (i = 0; i < l.count && i < 256; i++)
		if (vms[i].owner_uid == uid)
			n++;
	*total = l.count;
	return n;
}

/* The id of group "events" of family "hv", from the genl controller. */
static int events_group(int sk)
{
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		char buf[64];
	} req;
	static char resp[8192];
	struct nlattr *a, *grp, *ga;
	struct nlmsghdr *n;
	int len, rem, grem, id = -1;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.n.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	a = (struct nlattr *)req.buf;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + sizeof(HV_GENL_NAME);
	memcpy((char *)a + NLA_HDRLEN, HV_GENL_NAME, sizeof(HV_GENL_NAME));
	req.n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);
	if (send(sk, &req, req.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(sk, resp, sizeof(resp), 0);
	if (len <= 0)
		return -1;
	n = (struct nlmsghdr *)resp;
	if (!NLMSG_OK(n, len) || n->nlmsg_type == NLMSG_ERROR)
		return -1;
	rem = n->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	a = (struct nlattr *)((char *)NLMSG_DATA(n) + GENL_HDRLEN);
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		grp = (struct nlattr *)((char *)a + NLA_HDRLEN);
		grem = a->nla_len - NLA_HDRLEN;
		for (; grem >= NLA_HDRLEN && grp->nla_len >= NLA_HDRLEN;
		     grem -= NLA_ALIGN(grp->nla_len),
		     grp = (struct nlattr *)((char *)grp +
					     NLA_ALIGN(grp->nla_len))) {
			int r2 = grp->nla_len - NLA_HDRLEN, gid = -1;
			int match = 0;

			ga = (struct nlattr *)((char *)grp + NLA_HDRLEN);
			for (; r2 >= NLA_HDRLEN && ga->nla_len >= NLA_HDRLEN;
			     r2 -= NLA_ALIGN(ga->nla_len),
			     ga = (struct nlattr *)((char *)ga +
						    NLA_ALIGN(ga->nla_len))) {
				char *p = (char *)ga + NLA_HDRLEN;

				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&gid, p, 4);
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME &&
				    !strcmp(p, HV_GENL_MCGRP_EVENTS))
					match = 1;
			}
			if (match)
				id = gid;
		}
	}
	return id;
}

/* Join the all-VMs group: 0, or -1 with errno. */
static int join_events_group(void)
{
	int sk, id, r, e;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk < 0)
		return -1;
	id = events_group(sk);
	if (id < 0) {
		close(sk);
		errno = ENOENT;
		fail("family %s has no group %s", HV_GENL_NAME,
		     HV_GENL_MCGRP_EVENTS);
		return -2;
	}
	r = setsockopt(sk, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &id,
		       sizeof(id));
	e = errno;
	close(sk);
	errno = e;
	return r;
}

int main(int argc, char **argv)
{
	uint32_t uid = 0, total = 0;
	int dev, fd, n;
	char what[160];
	void *p;

	if (argc < 3) {
		fprintf(stderr, "usage: hv-users-test other|root|own NAME [UID]\n");
		return 2;
	}
	if (argc > 3)
		uid = strtoul(argv[3], NULL, 10);
	dev = open("/dev/hv", O_RDWR | O_CLOEXEC);
	if (!expect_success(dev, "open /dev/hv"))
		return hvtest_exit();

	if (!strcmp(argv[1], "other")) {
		snprintf(what, sizeof(what), "uid %u: HV_OPEN_VM %s (uid %u's)",
			 geteuid(), argv[2], uid);
		fd = open_vm(dev, argv[2], 0, 0);
		if (fd >= 0) {
			/* Our own VM of that name is fine; then it is ours */
			struct hv_vm_info info;

			if (!ioctl(fd, HV_VM_GET_INFO, &info) &&
			    info.owner_uid == geteuid())
				ok("%s: opened our own VM of that name", what);
			else
				fail("%s: opened another user's VM", what);
			close(fd);
		} else {
			expect_errno(fd, ENOENT, what);
		}
		snprintf(what, sizeof(what),
			 "uid %u: HV_OPEN_VM %u:%s (HV_OPEN_OWNER)",
			 geteuid(), uid, argv[2]);
		fd = open_vm(dev, argv[2], HV_OPEN_OWNER, uid);
		expect_errno(fd, EPERM, what);
		if (fd >= 0) {
			p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
			if (p != MAP_FAILED)
				fail("uid %u mapped uid %u's RAM", geteuid(), uid);
			close(fd);
		}
		n = count_owned(dev, uid, &total);
		snprintf(what, sizeof(what), "uid %u: HV_LIST_VMS entries of uid %u",
			 geteuid(), uid);
		if (n < 0)
			fail("%s: HV_LIST_VMS: %s", what, strerror(errno));
		else
			expect_eq(n, 0, what);
		n = count_owned(dev, geteuid(), &total);
		snprintf(what, sizeof(what), "uid %u: HV_LIST_VMS count "
			 "(only its own)", geteuid());
		if (n >= 0)
			expect_eq(total, n, what);
		expect_errno(join_events_group(), EPERM,
			     "join the all-VMs event group without CAP_NET_ADMIN");
	} else if (!strcmp(argv[1], "root")) {
		snprintf(what, sizeof(what), "root: HV_OPEN_VM %u:%s",
			 uid, argv[2]);
		fd = open_vm(dev, argv[2], HV_OPEN_OWNER, uid);
		if (expect_success(fd, what)) {
			struct hv_vm_info info;

			if (!ioctl(fd, HV_VM_GET_INFO, &info))
				expect_eq(info.owner_uid, uid,
					  "owner of the VM root opened");
			p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED)
				fail("root: mmap %u:%s: %s", uid, argv[2],
				     strerror(errno));
			else
				ok("root: mmap of %u:%s, first byte 0x%02x",
				   uid, argv[2], *(volatile uint8_t *)p);
			close(fd);
		}
		n = count_owned(dev, uid, &total);
		if (n < 1)
			fail("root: HV_LIST_VMS shows no VM of uid %u", uid);
		else
			ok("root: HV_LIST_VMS shows %d VM(s) of uid %u of %u",
			   n, uid, total);
		expect_success(join_events_group(),
			       "root joins the all-VMs event group");
		expect_errno(open_vm(dev, argv[2], 2, 0), EINVAL,
			     "HV_OPEN_VM with an unknown flag");
		expect_errno(open_vm(dev, argv[2], 0, uid), EINVAL,
			     "HV_OPEN_VM: owner_uid without HV_OPEN_OWNER");
	} else if (!strcmp(argv[1], "own")) {
		snprintf(what, sizeof(what), "uid %u: HV_OPEN_VM own %s",
			 geteuid(), argv[2]);
		fd = open_vm(dev, argv[2], 0, 0);
		if (expect_success(fd, what)) {
			p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
			expect_success(p == MAP_FAILED ? -1 : 0,
				       "mmap of one's own VM");
			close(fd);
		}
		fd = open_vm(dev, argv[2], HV_OPEN_OWNER, geteuid());
		expect_success(fd, "HV_OPEN_OWNER naming oneself");
		if (fd >= 0)
			close(fd);
	} else {
		fprintf(stderr, "hv-users-test: unknown mode %s\n", argv[1]);
		return 2;
	}
	close(dev);
	return hvtest_exit();
}
