// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle events: a generic netlink family "hv" (include/uapi/hv.h
 * lists the commands and attributes).  A listener gets only the events
 * of the VMs it may see (docs/security.md):
 *
 * - HV_CMD_SUBSCRIBE on a socket records (netns, portid, euid, admin) of
 *   the sender; every event is then unicast to each subscriber that may
 *   see the VM: its owner, or CAP_SYS_ADMIN.  Linux 6.1 exports no
 *   filtered multicast (netlink_broadcast_filtered is internal), so the
 *   filtering is ours.  A subscription goes when its socket is released
 *   (NETLINK_URELEASE), so a port number reused by another process never
 *   inherits it.
 * - The multicast group "events" carries every VM's events and needs
 *   CAP_NET_ADMIN to join (GENL_MCAST_CAP_NET_ADMIN).
 */
#include "hv.h"

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

/*
 * One subscribed socket.  All fields are set at subscription; the list
 * and its entries are guarded by hv_subs_lock.
 */
struct hv_event_sub {
	struct list_head node;
	possible_net_t net;
	u32 portid;
	kuid_t uid;		/* the subscriber's euid */
	bool admin;		/* it had CAP_SYS_ADMIN: every VM */
};

static LIST_HEAD(hv_subs);
static DEFINE_MUTEX(hv_subs_lock);

/* A bound on subscriptions per module: each costs one small allocation. */
#define HV_EVENT_SUBS_MAX	4096
static unsigned int hv_nr_subs;		/* hv_subs_lock */

static int hv_events_subscribe(struct sk_buff *skb, struct genl_info *info);

static const struct genl_small_ops hv_genl_ops[] = {
	{
		.cmd	= HV_CMD_SUBSCRIBE,
		.doit	= hv_events_subscribe,
		.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,
	},
};

static const struct genl_multicast_group hv_genl_mcgrps[] = {
	{ .name = HV_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family hv_genl_family __ro_after_init = {
	.name		= HV_GENL_NAME,
	.version	= HV_GENL_VERSION,
	.maxattr	= HV_ATTR_MAX,
	.module		= THIS_MODULE,
	.small_ops	= hv_genl_ops,
	.n_small_ops	= ARRAY_SIZE(hv_genl_ops),
	.resv_start_op	= HV_CMD_SUBSCRIBE + 1,
	.mcgrps		= hv_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(hv_genl_mcgrps),
};

static atomic64_t hv_event_seq;

/* The doit runs in the sender's context: current is the subscriber. */
static int hv_events_subscribe(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct hv_event_sub *sub;
	int r = 0;

	mutex_lock(&hv_subs_lock);
	list_for_each_entry(sub, &hv_subs, node)
		if (net_eq(read_pnet(&sub->net), net) &&
		    sub->portid == info->snd_portid)
			goto out;	/* once is enough */
	if (hv_nr_subs >= HV_EVENT_SUBS_MAX) {
		r = -ENOSPC;
		goto out;
	}
	sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);
	if (!sub) {
		r = -ENOMEM;
		goto out;
	}
	write_pnet(&sub->net, net);
	sub->portid = info->snd_portid;
	sub->uid = current_euid();
	sub->admin = capable(CAP_SYS_ADMIN);
	list_add_tail(&sub->node, &hv_subs);
	hv_nr_subs++;
out:
	mutex_unlock(&hv_subs_lock);
	return r;
}

static void hv_events_drop_port(struct net *net, u32 portid)
{
	struct hv_event_sub *sub, *tmp;

	mutex_lock(&hv_subs_lock);
	list_for_each_entry_safe(sub, tmp, &hv_subs, node) {
		if (sub->portid != portid ||
		    (net && !net_eq(read_pnet(&sub->net), net)))
			continue;
		list_del(&sub->node);
		hv_nr_subs--;
		kfree(sub);
	}
	mutex_unlock(&hv_subs_lock);
}

static int hv_events_notify(struct notifier_block *nb, unsigned long state,
			    void *ptr)
{
	struct netlink_notify *n = ptr;

	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid)
		hv_events_drop_port(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block hv_events_nb = {
	.notifier_call = hv_events_notify,
};

static void hv_event_unicast(struct hvk_vm *vm, struct sk_buff *skb)
{
	struct hv_event_sub *sub, *tmp;
	struct sk_buff *copy;
	int r;

	mutex_lock(&hv_subs_lock);
	list_for_each_entry_safe(sub, tmp, &hv_subs, node) {
		if (!sub->admin && !uid_eq(sub->uid, vm->owner))
			continue;
		copy = skb_clone(skb, GFP_KERNEL);
		if (!copy)
			break;
		/* Non-blocking: a full socket loses events (ENOBUFS there) */
		r = genlmsg_unicast(read_pnet(&sub->net), copy, sub->portid);
		if (r == -ECONNREFUSED) {
			/* The socket is gone and the notifier not yet run */
			list_del(&sub->node);
			hv_nr_subs--;
			kfree(sub);
		}
	}
	mutex_unlock(&hv_subs_lock);
}

void hv_event(struct hvk_vm *vm, u32 event, u32 reason, u32 status)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &hv_genl_family, 0, HV_CMD_EVENT);
	if (!hdr)
		goto fail;
	if (nla_put_string(skb, HV_ATTR_VM_NAME, vm->name) ||
	    nla_put_u32(skb, HV_ATTR_EVENT, event) ||
	    nla_put_u32(skb, HV_ATTR_REASON, reason) ||
	    nla_put_u32(skb, HV_ATTR_STATUS, status) ||
	    nla_put_u64_64bit(skb, HV_ATTR_TIME_NS, ktime_get_ns(),
			      HV_ATTR_UNSPEC) ||
	    nla_put_u64_64bit(skb, HV_ATTR_SEQ,
			      atomic64_inc_return(&hv_event_seq),
			      HV_ATTR_UNSPEC) ||
	    nla_put_u32(skb, HV_ATTR_OWNER_UID,
			from_kuid_munged(&init_user_ns, vm->owner)))
		goto fail;
	genlmsg_end(skb, hdr);
	hv_event_unicast(vm, skb);
	/* -ESRCH just means nobody is listening */
	genlmsg_multicast(&hv_genl_family, skb, 0, 0, GFP_KERNEL);
	return;
fail:
	nlmsg_free(skb);
}

int hv_events_init(void)
{
	int r;

	r = netlink_register_notifier(&hv_events_nb);
	if (r)
		return r;
	r = genl_register_family(&hv_genl_family);
	if (r)
		netlink_unregister_notifier(&hv_events_nb);
	return r;
}

void hv_events_exit(void)
{
	struct hv_event_sub *sub, *tmp;

	genl_unregister_family(&hv_genl_family);
	netlink_unregister_notifier(&hv_events_nb);
	list_for_each_entry_safe(sub, tmp, &hv_subs, node)
		kfree(sub);
	INIT_LIST_HEAD(&hv_subs);
	hv_nr_subs = 0;
}
