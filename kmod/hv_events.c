// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle events: a generic netlink family "hv" with one multicast
 * group, "events" (include/uapi/hv.h lists the attributes).  Anyone may
 * listen; the messages carry only names and states.
 */
#include "hv.h"

#include <linux/atomic.h>
#include <linux/module.h>
#include <net/genetlink.h>

static const struct genl_multicast_group hv_genl_mcgrps[] = {
	{ .name = HV_GENL_MCGRP_EVENTS },
};

static struct genl_family hv_genl_family __ro_after_init = {
	.name		= HV_GENL_NAME,
	.version	= HV_GENL_VERSION,
	.maxattr	= HV_ATTR_MAX,
	.module		= THIS_MODULE,
	.mcgrps		= hv_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(hv_genl_mcgrps),
};

static atomic64_t hv_event_seq;

void hv_event(struct hv_vm *vm, u32 event, u32 reason, u32 status)
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
			      HV_ATTR_UNSPEC))
		goto fail;
	genlmsg_end(skb, hdr);
	/* -ESRCH just means nobody is listening */
	genlmsg_multicast(&hv_genl_family, skb, 0, 0, GFP_KERNEL);
	return;
fail:
	nlmsg_free(skb);
}

int hv_events_init(void)
{
	return genl_register_family(&hv_genl_family);
}

void hv_events_exit(void)
{
	genl_unregister_family(&hv_genl_family);
}
