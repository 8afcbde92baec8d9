/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv core: what the vendor-neutral code and the backends share.
 *
 * The only seam between kmod/ and kmod/vmx/, kmod/svm/ is struct
 * hv_vendor_ops below (compare Linux's kvm_x86_ops and bhyve's vmm_ops).
 * The core never touches a VMX/SVM register; a backend never sees an ioctl.
 */
#ifndef HV_CORE_H
#define HV_CORE_H

#define pr_fmt(fmt) "hv: " fmt

#include <linux/types.h>
#include "uapi/hv.h"

/*
 * One backend.  Every hook is mandatory.
 *
 * probe		At load, before anything else.  Fills @caps from
 *			CPUID and the capability MSRs.  On -ENODEV it sets
 *			*why to one sentence naming the cause; the core prints
 *			it and refuses to load.
 * setup, unsetup	Allocate / free per-CPU areas (VMXON region, host
 *			save area) for every possible CPU.  Process context.
 * cpu_enable		Switch VMX/SVM on on the calling CPU.  Called with
 *			interrupts off.  -EBUSY if someone else already has it
 *			on; any other error names the hardware's complaint.
 * cpu_disable		Switch it off on the calling CPU.  Interrupts off.
 * cpu_emergency_disable
 *			Same, from the crash/emergency-reboot NMI path: must
 *			not fault, take locks or print.
 */
struct hv_vendor_ops {
	const char *name;	/* "Intel VT-x", "AMD-V" */
	const char *peer_module; /* KVM's module for this vendor */
	const char *in_use_why;	/* what cpu_enable found set on -EBUSY */
	u32 vendor;		/* HV_VENDOR_* */

	int (*probe)(struct hv_caps *caps, const char **why);
	int (*setup)(void);
	void (*unsetup)(void);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	void (*cpu_emergency_disable)(void);
};

extern const struct hv_vendor_ops hv_vmx_ops;
extern const struct hv_vendor_ops hv_svm_ops;

/* hv_main.c: the backend chosen at load, and what it found. */
extern const struct hv_vendor_ops *hv_ops;
extern struct hv_caps hv_caps;

/* hv_virt.c: hardware virtualization, switched on while anyone holds it. */
int hv_virt_init(void);
void hv_virt_exit(void);
int hv_virt_get(void);
void hv_virt_put(void);
void hv_virt_status(struct hv_status *st);

/* hv_dev.c: /dev/hv. */
int hv_dev_init(void);
void hv_dev_exit(void);

#endif /* HV_CORE_H */
