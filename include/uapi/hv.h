/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hv: the whole user/kernel ABI of /dev/hv.
 *
 * Rules (see docs/abi.md): fixed-width types only, explicit padding,
 * reserved space at the end of every struct, fields are never removed or
 * reordered.  HV_API_VERSION goes up whenever something is added.
 */
#ifndef _UAPI_HV_H
#define _UAPI_HV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define HV_API_VERSION		1

/*
 * 0xC6 was free in Documentation/userspace-api/ioctl/ioctl-number.rst
 * when hv chose it (KVM is 0xAE, ACRN 0xA2).
 */
#define HV_IOCTL_MAGIC		0xC6

/* struct hv_caps.vendor */
#define HV_VENDOR_NONE		0
#define HV_VENDOR_INTEL		1	/* VT-x */
#define HV_VENDOR_AMD		2	/* AMD-V */

/*
 * struct hv_caps.features: what the CPU offers that hv uses or reports.
 * A bit is set only when the hardware (capability MSRs / CPUID) says so.
 */
/* Intel VT-x */
#define HV_FEAT_VMX		(1ULL << 0)  /* CPUID.1:ECX.VMX[5] */
#define HV_FEAT_VMX_FC_LOCKED	(1ULL << 1)  /* IA32_FEATURE_CONTROL.Lock */
#define HV_FEAT_VMX_FC_ENABLED	(1ULL << 2)  /* VMXON outside SMX allowed */
#define HV_FEAT_EPT		(1ULL << 3)
#define HV_FEAT_VPID		(1ULL << 4)
#define HV_FEAT_UNRESTRICTED	(1ULL << 5)  /* unrestricted guest */
#define HV_FEAT_EPT_2M		(1ULL << 6)  /* 2 MiB EPT leaf entries */
#define HV_FEAT_EPT_1G		(1ULL << 7)
#define HV_FEAT_EPT_AD		(1ULL << 8)  /* EPT accessed/dirty bits */
#define HV_FEAT_EPT_WB		(1ULL << 9)  /* write-back EPT paging structs */
#define HV_FEAT_EPT_4LEVEL	(1ULL << 10) /* 4-level EPT walk */
#define HV_FEAT_INVEPT		(1ULL << 11)
#define HV_FEAT_INVVPID		(1ULL << 12)
#define HV_FEAT_VMX_TRUE_CTLS	(1ULL << 13) /* IA32_VMX_TRUE_*_CTLS */
/* AMD-V */
#define HV_FEAT_SVM		(1ULL << 32) /* CPUID 8000_0001h:ECX.SVM[2] */
#define HV_FEAT_SVM_LOCKED	(1ULL << 33) /* VM_CR.LOCK */
#define HV_FEAT_SVM_DISABLED	(1ULL << 34) /* VM_CR.SVMDIS */
#define HV_FEAT_NPT		(1ULL << 35)
#define HV_FEAT_NRIPS		(1ULL << 36) /* next-RIP save */
#define HV_FEAT_DECODE_ASSISTS	(1ULL << 37)
#define HV_FEAT_FLUSH_BY_ASID	(1ULL << 38)
#define HV_FEAT_VMCB_CLEAN	(1ULL << 39)
#define HV_FEAT_LBR_VIRT	(1ULL << 40)

/* HV_GET_CAPS: what the module found when it was loaded. */
struct hv_caps {
	__u32 vendor;		/* HV_VENDOR_* */
	__u32 api_version;	/* HV_API_VERSION of the module */
	__u64 features;		/* HV_FEAT_* */
	__u32 nr_cpus;		/* online CPUs at load */
	__u32 nr_asids;		/* AMD: CPUID 8000_000Ah:EBX */
	__u32 vmcs_revision;	/* Intel: IA32_VMX_BASIC[30:0] */
	__u32 svm_revision;	/* AMD: CPUID 8000_000Ah:EAX[7:0] */
	__u64 feature_msr;	/* IA32_FEATURE_CONTROL (Intel) or VM_CR (AMD) */
	__u64 vmx_basic;	/* IA32_VMX_BASIC (Intel) */
	__u64 vmx_ept_vpid_cap;	/* IA32_VMX_EPT_VPID_CAP (Intel) */
	__u32 svm_features;	/* CPUID 8000_000Ah:EDX (AMD) */
	__u32 pad;
	__u64 reserved[8];
};

/*
 * HV_GET_STATUS: dynamic state of the module.
 * virt_users counts the holders of hardware virtualization (VMs, and the
 * HV_DEBUG_HOLD_VIRT test handle); cpus_enabled is how many CPUs have
 * VMX/SVM switched on right now.
 */
struct hv_status {
	__u32 virt_users;
	__u32 cpus_enabled;
	__u32 cpus_online;
	__u32 pad;
	__u64 reserved[6];
};

/* ioctls on /dev/hv */
#define HV_GET_API_VERSION	_IO(HV_IOCTL_MAGIC, 0x00)  /* returns version */
#define HV_GET_CAPS		_IOR(HV_IOCTL_MAGIC, 0x01, struct hv_caps)
#define HV_GET_STATUS		_IOR(HV_IOCTL_MAGIC, 0x02, struct hv_status)

/*
 * HV_DEBUG_HOLD_VIRT: switch VMX/SVM on on every online CPU (or take one
 * more reference if already on) for as long as this file stays open.
 * Needs CAP_SYS_ADMIN.  Used by the tests; VM creation holds the same
 * reference.  Fails with EBUSY if another hypervisor owns VMX/SVM, and
 * with EALREADY if this file already holds it.
 * HV_DEBUG_RELEASE_VIRT drops the reference early.
 */
#define HV_DEBUG_HOLD_VIRT	_IO(HV_IOCTL_MAGIC, 0x70)
#define HV_DEBUG_RELEASE_VIRT	_IO(HV_IOCTL_MAGIC, 0x71)

#endif /* _UAPI_HV_H */
