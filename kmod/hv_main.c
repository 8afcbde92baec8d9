// SPDX-License-Identifier: GPL-2.0
/*
 * hv module entry: choose the backend for this CPU, probe it, then bring
 * up hardware-virtualization bookkeeping and /dev/hv, in that order.
 *
 * Loading never switches VMX/SVM on; that happens when the first VM (or
 * test handle) asks for it, see hv_virt.c.
 */
#include "hv.h"

#include <linux/module.h>
#include <linux/cpumask.h>
#include <asm/processor.h>

const struct hv_vendor_ops *hv_ops;
struct hv_caps hv_host_caps;

/*
 * Vendor choice happens here, once.  Zhaoxin and Centaur implement VMX,
 * Hygon implements SVM, as in Linux's cpu_has_vmx()/cpu_has_svm().
 */
static const struct hv_vendor_ops *hv_pick_backend(void)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		return &hv_vmx_ops;
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		return &hv_svm_ops;
	default:
		return NULL;
	}
}

static void hv_report(void)
{
	char feat[160];

	hv_ops->describe(&hv_host_caps, feat, sizeof(feat));
	pr_info("%s: %s; /dev/hv API %u\n", hv_ops->name, feat,
		HV_API_VERSION);
}

static int __init hv_init(void)
{
	const char *why = NULL;
	int r;

	hv_ops = hv_pick_backend();
	if (!hv_ops) {
		pr_err("cannot load: CPU vendor '%s' has neither Intel VT-x nor AMD-V\n",
		       boot_cpu_data.x86_vendor_id);
		return -ENODEV;
	}

	hv_host_caps.vendor = hv_ops->vendor;
	hv_host_caps.api_version = HV_API_VERSION;
	hv_host_caps.nr_cpus = num_online_cpus();
	r = hv_ops->probe(&hv_host_caps, &why);
	if (r) {
		pr_err("cannot load: %s\n", why ? why : "backend probe failed");
		return r;
	}
	hv_xsave_init();	/* what guests get of XSAVE, before any vCPU */
	hv_mem_init();		/* the NPT/EPT ops, before any VM */

	r = hv_ops->setup();
	if (r) {
		pr_err("cannot load: out of memory for per-CPU %s areas\n",
		       hv_ops->name);
		return r;
	}

	r = hv_virt_init();
	if (r)
		goto err_unsetup;

	r = hv_events_init();
	if (r)
		goto err_virt;
	hv_fail_init();

	/* Last: after this, /dev/hv is visible to userspace. */
	r = hv_dev_init();
	if (r)
		goto err_events;

	hv_report();
	return 0;

err_events:
	hv_fail_exit();
	hv_events_exit();
err_virt:
	hv_virt_exit();
err_unsetup:
	hv_ops->unsetup();
	pr_err("cannot load: initialisation failed (%d)\n", r);
	return r;
}

static void __exit hv_exit(void)
{
	/* The open-file reference on THIS_MODULE means no holder is left. */
	hv_dev_exit();
	hvk_vm_exit();
	hv_fail_exit();
	hv_events_exit();
	hv_virt_exit();
	hv_ops->unsetup();
}

module_init(hv_init);
module_exit(hv_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hv: a small hypervisor for Intel VT-x and AMD-V");
MODULE_AUTHOR("The hv developers");
