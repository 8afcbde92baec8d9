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

#define HV_API_VERSION		9	/* 2: state, dirty log, clone; 3: usage, owners, XSAVE, split MMIO;
				 * 4: the PC platform (APIC, IOAPIC, PIC, PIT, RTC);
				 * 5: ACPI PM1 block and reset (HV_STOP_REBOOT,
				 *    HV_EXIT_SYSTEM_EVENT, hv_device_state.pm);
				 * 6: statistics (HV_GET_STATS_DESC, HV_VM_GET_STATS);
				 *    guest debugging (HV_VCPU_SET_GUEST_DEBUG,
				 *    HV_EXIT_DEBUG, HV_VM_GET_DEBUG_STOP);
				 * 7: HV_GUESTDBG_INJECT_BP;
				 * 8: HV_CLONE_HOLD;
				 * 9: lazy RAM (HV_RAM_LAZY, HV_VM_OPEN_LAZY,
				 *    HV_LAZY_*, HV_STOP_LAZY_FAILED) */

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
 * HV_GET_USAGE: what the caller's uid holds and may hold (any user).
 * Guest RAM is bounded per user (module parameter user_mem_max) and by
 * a host reserve that no VM may eat into, root's included (mem_reserve):
 * HV_VM_ADD_RAM and HV_VM_CLONE fail with ENOMEM when a request would
 * pass either; HV_CREATE_VM and HV_VM_CLONE with ENOMEM past
 * user_vms_max VMs.  uid 0 is exempt from the per-user limits.
 */
#define HV_USAGE_EXEMPT		(1U << 0)	/* uid 0: no per-user limits */

struct hv_usage {
	__u32 uid;		/* the caller's effective uid */
	__u32 flags;		/* HV_USAGE_* */
	__u64 mem_used;		/* bytes of guest RAM charged to @uid */
	__u64 mem_max;		/* per-user limit, bytes */
	__u32 vms;		/* VMs charged to @uid */
	__u32 vms_max;		/* per-user limit */
	__u64 host_available;	/* bytes the host has available now */
	__u64 host_reserve;	/* bytes always left to the host */
	__u64 reserved[4];
};

#define HV_GET_USAGE		_IOR(HV_IOCTL_MAGIC, 0x40, struct hv_usage)

/*
 * Statistics (API 6): named u64 counters that the module describes, so
 * that new ones break no program (the idea of KVM's binary stats fd,
 * simpler; docs/stats.md lists them).  HV_GET_STATS_DESC on /dev/hv
 * copies up to @count descriptors to @descs and sets @count to how many
 * exist: call it with 0 to learn the number.  HV_VM_GET_STATS on a VM fd
 * copies the values of the first @count counters, in descriptor order,
 * to @values and returns how many it copied (fewer when @count exceeds
 * the table).  @vcpu names a vCPU (ENOENT if the VM has none of that id)
 * or is HV_STATS_VM: the sum over the VM's vCPUs plus the VM-wide
 * counters (HV_STAT_VM), which read 0 for a single vCPU.  Counters only
 * grow while the module is loaded; a vCPU's start at 0 when it is
 * created, and a restored or cloned VM starts from 0.
 */
#define HV_STAT_NAME_LEN	32

/* struct hv_stat_desc.flags */
#define HV_STAT_COUNT		(1U << 0)	/* a number of events */
#define HV_STAT_NS		(1U << 1)	/* a time, nanoseconds */
#define HV_STAT_VM		(1U << 2)	/* VM-wide: 0 per vCPU */

struct hv_stat_desc {
	char name[HV_STAT_NAME_LEN];	/* "exit.io", NUL-terminated */
	__u32 flags;		/* HV_STAT_* */
	__u32 pad;
	__u64 reserved;		/* zero */
};

struct hv_stats_desc_list {
	__u32 count;		/* in: room at @descs; out: how many exist */
	__u32 pad;		/* must be zero */
	__u64 descs;		/* user pointer to struct hv_stat_desc[count] */
	__u64 reserved[2];	/* must be zero */
};

#define HV_STATS_VM		0xffffffffU

struct hv_stats {
	__u32 vcpu;		/* vCPU id, or HV_STATS_VM */
	__u32 count;		/* room at @values */
	__u64 values;		/* user pointer to __u64[count] */
	__u64 reserved[2];	/* must be zero */
};

#define HV_GET_STATS_DESC	_IOWR(HV_IOCTL_MAGIC, 0x06, struct hv_stats_desc_list)

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


/* ------------------------------------------------------------------ */
/* VMs: named kernel objects that outlive the process that made them. */

#define HV_NAME_LEN		32	/* including the NUL */

/* struct hv_vm_create.flags */
#define HV_VM_DESTROY_ON_CLOSE	(1U << 0)	/* destroy when the last fd closes */

struct hv_vm_create {
	char name[HV_NAME_LEN];	/* [A-Za-z0-9_.-]+, NUL-terminated */
	__u32 flags;		/* HV_VM_* */
	__u32 pad;
	__u64 reserved[4];	/* must be zero */
};

/*
 * Names are per owner: (owner, name) is the key, so two users may each
 * have a VM "web", and a VM of another user is "no such VM" (ENOENT),
 * never EPERM.  HV_OPEN_OWNER: look in @owner_uid's names instead of the
 * caller's (another uid than the caller's own needs CAP_SYS_ADMIN, else
 * EPERM).  Without it, a CAP_SYS_ADMIN caller who has no VM of that name
 * gets the one other user's VM so named, or ENOTUNIQ if several users
 * have one (docs/security.md).
 */
#define HV_OPEN_OWNER		(1U << 0)

struct hv_vm_open {
	char name[HV_NAME_LEN];
	__u32 flags;		/* HV_OPEN_* (was reserved: 0) */
	__u32 owner_uid;	/* HV_OPEN_OWNER: whose VM, in the caller's userns */
	__u64 reserved[1];	/* must be zero */
};

/* struct hv_vm_info.state */
#define HV_VM_STATE_CREATED	1	/* never started, or attached use only */
#define HV_VM_STATE_RUNNING	2	/* managed vCPU threads, or an attached run */
#define HV_VM_STATE_DESTROYED	3	/* name released; fds still open */
#define HV_VM_STATE_PAUSED	4	/* managed, every vCPU held outside the guest */
#define HV_VM_STATE_STOPPED	5	/* managed run ended; see stop_reason */

/* Why a managed VM stopped: struct hv_vm_info.stop_reason, events */
#define HV_STOP_NONE		0
#define HV_STOP_HALTED		1	/* HLT with nothing left to wake it */
#define HV_STOP_DEBUG_EXIT	2	/* port 0xf4: exit_status = (v << 1) | 1 */
#define HV_STOP_TRIPLE_FAULT	3
#define HV_STOP_ENTRY_FAILURE	4	/* the hardware refused the guest state */
#define HV_STOP_REQUESTED	5	/* HV_VM_STOP */
#define HV_STOP_DESTROYED	6	/* HV_VM_DESTROY with HV_DESTROY_FORCE */
#define HV_STOP_POWER_OFF	7	/* ACPI S5, Bochs/QEMU shutdown port */
#define HV_STOP_INTERNAL_ERROR	8	/* an exit hv could not handle */
#define HV_STOP_REBOOT		9	/* API 5: reset via port 0xcf9 or 0x64 */
#define HV_STOP_LAZY_FAILED	10	/* API 9: absent RAM cannot be had;
					 * exit_status: EIO (the filler said
					 * so) or EPIPE (the filler left) */

struct hv_vm_info {
	char name[HV_NAME_LEN];
	__u32 state;		/* HV_VM_STATE_* */
	__u32 flags;		/* HV_VM_* given at create */
	__u32 nr_vcpus;
	__u32 owner_uid;
	__u64 mem_size;		/* bytes of guest RAM */
	__u32 stop_reason;	/* HV_STOP_*, of the last managed run */
	__u32 exit_status;	/* HV_STOP_DEBUG_EXIT: (v << 1) | 1 */
	__u64 uptime_ns;	/* since the last start (0 if never started) */
	__u64 exits;		/* VM exits, all vCPUs, all kinds */
	__u64 io_unclaimed;	/* managed: port accesses nobody answered */
	__u64 mmio_unclaimed;	/* managed: MMIO accesses nobody answered */
	__u64 console_bytes;	/* bytes the guest wrote to its UART */
	/* API 2 */
	__u64 id;		/* unique among every VM since the module loaded */
	__u64 dirty_epoch;	/* HV_VM_GET_DIRTY_LOG calls that cleared */
	__u64 cow_copies;	/* pages copied on a write to a shared page */
	__u64 shared_pages;	/* pages still shared copy-on-write */
};

/*
 * HV_LIST_VMS: the kernel fills up to @capacity entries at @entries: the
 * caller's own VMs, or every user's for CAP_SYS_ADMIN.
 */
struct hv_vm_list {
	__u32 capacity;		/* in: entries the buffer holds */
	__u32 count;		/* out: VMs that exist (may exceed capacity) */
	__u64 entries;		/* user pointer to struct hv_vm_info[] */
	__u64 reserved[2];
};

#define HV_CREATE_VM		_IOW(HV_IOCTL_MAGIC, 0x03, struct hv_vm_create)
#define HV_OPEN_VM		_IOW(HV_IOCTL_MAGIC, 0x04, struct hv_vm_open)
#define HV_LIST_VMS		_IOWR(HV_IOCTL_MAGIC, 0x05, struct hv_vm_list)

/* ------------------------------------------------------------------ */
/* VM fd */

/*
 * Guest RAM.  gpa and size are multiples of 4 KiB, size > 0, the range
 * lies below HV_MAX_GPA and overlaps no other region; at most
 * HV_MAX_REGIONS regions and HV_MAX_RAM bytes per VM.  The memory belongs
 * to the module; mmap() the VM fd at offset = gpa to reach it.
 */
#define HV_MAX_REGIONS		16
#define HV_MAX_GPA		(1ULL << 39)	/* 512 GiB: one NPT/EPT PML4 slot */
#define HV_MAX_RAM		(16ULL << 30)

struct hv_ram_region {
	__u64 gpa;
	__u64 size;
	__u32 flags;		/* ADD_RAM: 0 or HV_RAM_LAZY */
	__u32 pad;
	__u64 reserved[2];	/* must be zero */
};

#define HV_VM_ADD_RAM		_IOW(HV_IOCTL_MAGIC, 0x10, struct hv_ram_region)
#define HV_VM_CREATE_VCPU	_IO(HV_IOCTL_MAGIC, 0x11)  /* arg: id; returns fd */
#define HV_VM_DESTROY		_IO(HV_IOCTL_MAGIC, 0x12)  /* arg: HV_DESTROY_* */
#define HV_VM_GET_INFO		_IOR(HV_IOCTL_MAGIC, 0x13, struct hv_vm_info)

/*
 * Managed mode: the module runs every vCPU on a kernel thread, with the
 * in-kernel devices answering port I/O (a 16550A UART at 0x3f8, the
 * debug-exit port 0xf4, the Bochs/QEMU shutdown ports); anything else
 * reads as all-ones and drops writes, like an empty PC bus, and is
 * counted.  A VM is never run attached (HV_VCPU_RUN) and managed at once:
 * each refuses with EBUSY while the other is in use.
 */
#define HV_VM_START		_IO(HV_IOCTL_MAGIC, 0x14)
#define HV_VM_STOP		_IO(HV_IOCTL_MAGIC, 0x15)
#define HV_VM_PAUSE		_IO(HV_IOCTL_MAGIC, 0x16)
#define HV_VM_RESUME		_IO(HV_IOCTL_MAGIC, 0x17)
/*
 * The console: a new fd whose read() returns what the guest wrote to its
 * UART, oldest kept byte first (a 64 KiB ring; a reader that falls behind
 * skips ahead), blocking unless O_NONBLOCK, with poll(); write() feeds the
 * UART's receiver.  arg: open flags (O_NONBLOCK only).
 */
#define HV_VM_OPEN_CONSOLE	_IO(HV_IOCTL_MAGIC, 0x18)

/*
 * State, for snapshots, restore and clone (API 2).  Every call below
 * needs the VM quiet: no attached run in progress on the vCPU concerned
 * and, when managed, the VM paused, stopped or never started (EBUSY
 * otherwise).  A vCPU that last exited to userspace for an access that
 * has not been completed yet (IO in, MMIO read, hypercall) refuses
 * HV_VM_GET_VCPU_STATE with EBUSY: run it once more first.  A vcpu_id
 * that names no vCPU of the VM is ENOENT.
 */
#define HV_VM_GET_VCPU_STATE	_IOWR(HV_IOCTL_MAGIC, 0x19, struct hv_vcpu_state)
#define HV_VM_SET_VCPU_STATE	_IOW(HV_IOCTL_MAGIC, 0x1a, struct hv_vcpu_state)
#define HV_VM_GET_DEVICE_STATE	_IOR(HV_IOCTL_MAGIC, 0x1b, struct hv_device_state)
#define HV_VM_SET_DEVICE_STATE	_IOW(HV_IOCTL_MAGIC, 0x1c, struct hv_device_state)
/*
 * Dirty-page logging, per RAM region (named by its first GPA).
 * SET: flags HV_DIRTY_LOG_ENABLE switches it on (every page starts
 * clean), 0 switches it off.  GET: copies the region's bitmap to
 * @bitmap (bit n of 64-bit word n / 64 = page n of the region, one bit
 * per 4 KiB, (size / 4 KiB + 63) / 64 words) and clears it, so the next
 * GET reports only pages written since; EINVAL if logging is off.
 */
#define HV_VM_SET_DIRTY_LOG	_IOW(HV_IOCTL_MAGIC, 0x1d, struct hv_dirty_log)
#define HV_VM_GET_DIRTY_LOG	_IOW(HV_IOCTL_MAGIC, 0x1e, struct hv_dirty_log)
/*
 * A new VM named @name that shares this VM's RAM copy-on-write and
 * starts with copies of its vCPU and device state (never started,
 * HV_VM_STATE_CREATED).  Returns the new VM's fd.  The source must be
 * quiet as above; EEXIST if the name is taken.
 */
#define HV_VM_CLONE		_IOW(HV_IOCTL_MAGIC, 0x1f, struct hv_vm_clone)
/* The VM's RAM regions, in the order they were added. */
#define HV_VM_GET_RAM		_IOR(HV_IOCTL_MAGIC, 0x30, struct hv_ram_list)
/*
 * A new fd for a vCPU the VM already has (arg: its id), e.g. a clone's or
 * a restored VM's, to run it attached.  ENOENT if there is none.
 */
#define HV_VM_OPEN_VCPU		_IO(HV_IOCTL_MAGIC, 0x31)
/*
 * Interrupt lines and messages from userspace devices (API 4), for any
 * VM: every VM has the PC platform (local APIC per vCPU, IOAPIC at
 * 0xfec00000 with HV_NR_GSIS pins, the 8259 pair, PIT, CMOS/RTC) in the
 * kernel.  IRQ_LINE sets a GSI's level (1 raised, 0 lowered; an edge is
 * a raise then a lower): GSI n is IOAPIC pin n, and GSIs 0-15 but 2 are
 * also the PIC's pin of that number (GSI 2 is the cascade; ISA IRQ 0,
 * the PIT, is IOAPIC pin 2, as the MP/ACPI override says).  EINVAL for
 * a GSI >= HV_NR_GSIS or a level other than 0/1.  SIGNAL_MSI sends one
 * message-signalled interrupt (SDM Vol 3A, 10.11: address 0xfeexxxxx,
 * data); EINVAL for an address outside 0xfee00000-0xfeefffff.
 */
#define HV_VM_IRQ_LINE		_IOW(HV_IOCTL_MAGIC, 0x32, struct hv_irq_line)
#define HV_VM_SIGNAL_MSI	_IOW(HV_IOCTL_MAGIC, 0x33, struct hv_msi)
/* API 6: the VM's or one vCPU's counters (HV_GET_STATS_DESC above) */
#define HV_VM_GET_STATS		_IOW(HV_IOCTL_MAGIC, 0x34, struct hv_stats)
/*
 * API 6: the last debug stop of a managed VM (docs/gdb.md).  A vCPU of a
 * managed VM whose guest debugging (HV_VCPU_SET_GUEST_DEBUG) catches an
 * event pauses the whole VM, as HV_VM_PAUSE would (HV_EVENT_PAUSED), and
 * records here which vCPU and why; @seq counts the stops since the VM
 * was created, so a debugger that saw the VM paused knows whether it was
 * a new stop.  Any user who may open the VM; no quiet needed.
 */
#define HV_VM_GET_DEBUG_STOP	_IOR(HV_IOCTL_MAGIC, 0x35, struct hv_debug_stop)

/*
 * Lazy RAM (API 9), for a restore that starts the guest before its memory
 * is read.  HV_VM_OPEN_LAZY returns the VM's filler fd (one per VM, ever:
 * EBUSY for a second).  While it is open, HV_VM_ADD_RAM with HV_RAM_LAZY
 * adds a region whose pages are all absent: charged as any RAM, but none
 * allocated yet.  A vCPU, the owner's mmap or the kernel's own access
 * that touches an absent page sleeps until the filler gives it, and its
 * GPA is queued for HV_LAZY_WAIT.  On the filler fd:
 * - HV_LAZY_FILL installs the pages of @gpa..+@size that are still
 *   absent from @data (pages already there are left as they are);
 * - HV_LAZY_WAIT sleeps until a page someone waits for is absent, or the
 *   VM is whole, and says which (HV_LAZY_NONE: whole);
 * - HV_LAZY_FAIL says absent memory cannot be had (a corrupt chunk).
 * After HV_LAZY_FAIL, or when the filler fd is closed with pages still
 * absent, the VM stops with HV_STOP_LAZY_FAILED, a waiting vCPU that runs
 * attached gets EIO, and the owner's mmap SIGBUS: no guest ever runs on
 * memory that was not given.  Clones and dirty logging of a VM wait until
 * it is whole (or fail with EIO).
 */
#define HV_VM_OPEN_LAZY		_IO(HV_IOCTL_MAGIC, 0x36)

struct hv_lazy_fill {
	__u64 gpa;		/* page-aligned, inside one lazy region */
	__u64 size;		/* bytes, a multiple of 4 KiB, <= HV_LAZY_FILL_MAX */
	__u64 data;		/* user pointer to @size bytes */
	__u64 filled;		/* out: pages this call installed */
	__u64 absent;		/* out: pages of the VM still absent */
	__u64 reserved[2];	/* must be zero */
};
#define HV_LAZY_FILL_MAX	(4ULL << 20)

/* struct hv_lazy_wait.flags */
#define HV_LAZY_NOWAIT		(1U << 0)	/* EAGAIN rather than sleep */
#define HV_LAZY_NONE		(~0ULL)		/* .gpa: the VM is whole */

struct hv_lazy_wait {
	__u64 gpa;		/* out: a page waited for, or HV_LAZY_NONE */
	__u64 absent;		/* out: pages of the VM still absent */
	__u32 flags;		/* HV_LAZY_NOWAIT */
	__u32 pad;
	__u64 reserved[2];	/* must be zero */
};

struct hv_lazy_fail {
	__u64 gpa;		/* a page that cannot be had (for the log) */
	__u64 reserved[2];	/* must be zero */
};

#define HV_LAZY_FILL		_IOWR(HV_IOCTL_MAGIC, 0x50, struct hv_lazy_fill)
#define HV_LAZY_WAIT		_IOWR(HV_IOCTL_MAGIC, 0x51, struct hv_lazy_wait)
#define HV_LAZY_FAIL		_IOW(HV_IOCTL_MAGIC, 0x52, struct hv_lazy_fail)

struct hv_debug_stop {
	__u64 seq;		/* stops so far; 0: none yet */
	__u32 vcpu;		/* the vCPU that stopped */
	__u32 exception;	/* 1 (#DB: step, hardware breakpoint), 3 (#BP) */
	__u64 dr6;		/* #DB: DR6 as the CPU reported it (BS, B0-B3) */
	__u64 dr7;		/* DR7 the guest ran with */
	__u64 rip;		/* RIP at the stop */
	__u64 reserved[3];
};

#define HV_NR_GSIS		24

struct hv_irq_line {
	__u32 gsi;
	__u32 level;
	__u64 reserved;		/* must be zero */
};

struct hv_msi {
	__u64 address;
	__u32 data;
	__u32 flags;		/* must be zero */
	__u64 reserved[2];	/* must be zero */
};

/* HV_VM_DESTROY's argument */
#define HV_DESTROY_FORCE	(1U << 0)	/* stop a running VM first */

#define HV_MAX_VCPUS		8

/* ------------------------------------------------------------------ */
/* vCPU fd */

struct hv_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* A segment register with its hidden part, as in a descriptor. */
struct hv_segment {
	__u64 base;
	__u32 limit;		/* byte granular: 0xfffff with g=1 is 0xffffffff */
	__u16 selector;
	__u8  type;		/* descriptor type, 4 bits */
	__u8  s;		/* 1: code/data, 0: system */
	__u8  dpl;
	__u8  present;
	__u8  avl;
	__u8  l;		/* 64-bit code */
	__u8  db;
	__u8  g;
	__u8  unusable;		/* null selector loaded */
	__u8  pad;
};

struct hv_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

struct hv_sregs {
	struct hv_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct hv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 reserved[8];
};

/*
 * CPUID as the guest sees it; hv's own table is the default.  Guests find
 * hv at leaf 0x40000000: EAX = highest hypervisor leaf, EBX ECX EDX =
 * HV_CPUID_SIGNATURE (12 bytes, as they lie in memory).
 */
#define HV_CPUID_LEAF		0x40000000
#define HV_CPUID_SIGNATURE	"hvhvhvhvhvhv"

#define HV_CPUID_MAX_ENTRIES	64
#define HV_CPUID_FLAG_INDEXED	(1U << 0)	/* match on index (ECX) too */

struct hv_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 pad;
};

struct hv_cpuid {
	__u32 nent;
	__u32 pad;
	struct hv_cpuid_entry entries[HV_CPUID_MAX_ENTRIES];
};

/* Exits that reach userspace: struct hv_run.exit_reason */
#define HV_EXIT_NONE		0
#define HV_EXIT_IO		1	/* port I/O nobody in the kernel claimed */
#define HV_EXIT_MMIO		2	/* access to a GPA without RAM */
#define HV_EXIT_HYPERCALL	3	/* VMCALL/VMMCALL not handled in kernel */
#define HV_EXIT_HLT		4
#define HV_EXIT_SHUTDOWN	5	/* triple fault */
#define HV_EXIT_FAIL_ENTRY	6	/* hardware refused the guest state */
#define HV_EXIT_INTR		7	/* a signal is pending (run: -EINTR) */
#define HV_EXIT_INTERNAL_ERROR	8	/* hv cannot emulate; see internal */
#define HV_EXIT_SYSTEM_EVENT	9	/* API 5: poweroff or reset; see system_event */
#define HV_EXIT_DEBUG		10	/* API 6: guest debugging; see debug */

/*
 * system_event.type (as KVM_EXIT_SYSTEM_EVENT): the guest asked the
 * platform (kmod/io/pm.c) to power off (ACPI S5: PM1a_CNT SLP_EN with
 * SLP_TYP 0) or to reset (RST_CPU at port 0xcf9, 0xfe at port 0x64).
 * The instruction is done: running again continues after it.  Managed
 * VMs stop with HV_STOP_POWER_OFF or HV_STOP_REBOOT instead.
 */
#define HV_SYSTEM_POWEROFF	1
#define HV_SYSTEM_REBOOT	2

#define HV_IO_IN		0
#define HV_IO_OUT		1

/* internal.suberror */
#define HV_INTERNAL_EMULATION	1	/* MMIO instruction not decodable */
#define HV_INTERNAL_STRING_IO	2	/* INS/OUTS with a memory side outside RAM */
#define HV_INTERNAL_UNHANDLED	3	/* an exit hv did not expect */
/*
 * An access hv would have to emulate (MMIO) happened while the CPU was
 * delivering an event (an exception's IDT or stack in MMIO): RIP is
 * still on the instruction that raised it and the event is delivered
 * again at the next run.  data[0] vector, data[1] GPA, data[2] event
 * type (0 external interrupt, 2 NMI, 3 exception, 4 software interrupt:
 * SDM Vol 3C Table 25-17, APM Vol 2 15.20), data[3] the error code, with
 * bit 32 set when there is one.  Like KVM_INTERNAL_ERROR_DELIVERY_EV.
 */
#define HV_INTERNAL_DELIVERY	4

/*
 * The run area: mmap() the vCPU fd at offset 0, HV_RUN_SIZE bytes.
 * After HV_VCPU_RUN returns, exit_reason says which member is valid.
 * Completion on the next run: for IO in, put the value in io.data; for
 * an MMIO read, in mmio.data; for a hypercall, the result in
 * hypercall.ret (it lands in RAX).  An MMIO access that crosses a page
 * boundary is split per page: its bytes in RAM are done in place, and
 * each part outside RAM exits on its own (exact gpa and len, lowest
 * address first); the run after one part hands out the next without
 * entering the guest.
 */
struct hv_run {
	__u32 exit_reason;
	__u32 pad;
	__u64 exit_count;	/* exits of this vCPU so far, all kinds */
	union {
		struct {
			__u8  direction;	/* HV_IO_IN / HV_IO_OUT */
			__u8  size;		/* 1, 2, 4 */
			__u16 port;
			__u32 pad;
			__u64 data;
		} io;
		struct {
			__u64 gpa;
			__u64 data;
			__u32 len;		/* 1, 2, 4, 8 */
			__u8  is_write;
			__u8  pad[3];
		} mmio;
		struct {
			__u64 nr;		/* RAX */
			__u64 args[4];		/* RBX, RCX, RDX, RSI */
			__u64 ret;
		} hypercall;
		struct {
			__u64 hardware_reason;	/* VMX exit reason / SVM exitcode */
			__u64 qualification;	/* exit qualification / exitinfo1 */
		} fail_entry;
		struct {
			__u32 suberror;		/* HV_INTERNAL_* */
			__u32 ndata;
			__u64 data[4];		/* e.g. instruction bytes, GPA */
		} internal;
		struct {
			__u32 type;		/* HV_SYSTEM_* */
			__u32 pad;
			__u64 data;		/* the value written */
		} system_event;
		/*
		 * HV_EXIT_DEBUG (as KVM_EXIT_DEBUG): exception 3, an INT3
		 * with HV_GUESTDBG_SW_BP (RIP on the INT3, which has not
		 * run); exception 1, a single step done (DR6.BS) or a
		 * hardware breakpoint (DR6.B0-B3) of the debugger's.
		 */
		struct {
			__u32 exception;	/* 1 or 3 */
			__u32 pad;
			__u64 dr6;
			__u64 dr7;
			__u64 rip;
		} debug;
		__u8 raw[256];
	};
	__u64 reserved[16];
};

#define HV_RUN_SIZE		4096

/*
 * Hypercalls (VMCALL on Intel, VMMCALL on AMD): number in RAX, arguments
 * in RBX, RCX, RDX, RSI, result in RAX.  The kernel answers the numbers
 * below HV_HC_USER_BASE it knows (unknown ones get HV_HC_ENOSYS); every
 * number from HV_HC_USER_BASE up exits to userspace as HV_EXIT_HYPERCALL.
 */
#define HV_HC_PING		0x0	/* returns HV_HC_PONG; for benchmarks */
#define HV_HC_PONG		0x6876	/* "hv" */
#define HV_HC_USER_BASE		0x10000
#define HV_HC_ENOSYS		((__u64)-38)

/*
 * One thread drives a vCPU at a time.  A vCPU ioctl made while another
 * holds the vCPU - an HV_VCPU_RUN in another thread (a guest that never
 * exits keeps it for ever), the module's thread of a running managed VM,
 * or another vCPU ioctl in flight - fails with EBUSY at once; none ever
 * waits for a running vCPU.  A managed VM's vCPUs answer again once it is
 * paused or stopped.  HV_VCPU_SET_REGS refuses (EINVAL) an RFLAGS with a
 * reserved bit set (3, 5, 15, 63:22) or bit 1 clear, as
 * HV_VM_SET_VCPU_STATE does.
 */
#define HV_VCPU_RUN		_IO(HV_IOCTL_MAGIC, 0x20)
#define HV_VCPU_GET_REGS	_IOR(HV_IOCTL_MAGIC, 0x21, struct hv_regs)
#define HV_VCPU_SET_REGS	_IOW(HV_IOCTL_MAGIC, 0x22, struct hv_regs)
#define HV_VCPU_GET_SREGS	_IOR(HV_IOCTL_MAGIC, 0x23, struct hv_sregs)
#define HV_VCPU_SET_SREGS	_IOW(HV_IOCTL_MAGIC, 0x24, struct hv_sregs)
#define HV_VCPU_GET_CPUID	_IOR(HV_IOCTL_MAGIC, 0x25, struct hv_cpuid)
#define HV_VCPU_SET_CPUID	_IOW(HV_IOCTL_MAGIC, 0x26, struct hv_cpuid)
/*
 * The vCPU's activity (API 4): HV_MP_RUNNABLE, HV_MP_HALTED (in HLT,
 * waiting for an interrupt), HV_MP_WAIT_SIPI (after INIT: waiting for a
 * start-up IPI, SDM Vol 3A, 9.4).  vCPU 0 starts runnable, every other
 * vCPU in HV_MP_WAIT_SIPI, as application processors do at power-on; an
 * HV_VCPU_RUN of a vCPU that waits sleeps until it can run (or a signal).
 * SET_MP_STATE makes a vCPU runnable without a SIPI, e.g. for a program
 * that sets up each vCPU itself.  EINVAL for another value.
 */
#define HV_VCPU_GET_MP_STATE	_IOR(HV_IOCTL_MAGIC, 0x27, struct hv_mp_state)
#define HV_VCPU_SET_MP_STATE	_IOW(HV_IOCTL_MAGIC, 0x28, struct hv_mp_state)

/*
 * Guest debugging (API 6, as KVM_SET_GUEST_DEBUG): what makes the vCPU
 * exit with HV_EXIT_DEBUG (attached), or pause its managed VM
 * (HV_VM_GET_DEBUG_STOP).  flags 0 switches it all off.  With
 * HV_GUESTDBG_HW_BP, @dr[0-3] and @dr7 are loaded into the guest's debug
 * registers while it runs, the guest's own are kept and come back when
 * HW_BP goes off; DR7 may enable breakpoints 0-3 (L/G), LE/GE, and
 * R/W 00, 01, 11 with any LEN (SDM Vol 3B, 18.2.4); DR0-3 canonical.
 * EINVAL for anything else, an unknown flag or non-zero reserved bytes.
 * Single-step: MTF on VT-x (SDM Vol 3C, 26.5.2) where the CPU has it,
 * else (and on AMD-V) RFLAGS.TF with #DB intercepted, hidden from the
 * guest's view of RFLAGS as far as KVM hides it (docs/gdb.md).
 */
#define HV_GUESTDBG_ENABLE	(1U << 0)	/* required by the others */
#define HV_GUESTDBG_SINGLESTEP	(1U << 1)	/* exit after each instruction */
#define HV_GUESTDBG_SW_BP	(1U << 2)	/* INT3 exits (#BP intercepted) */
#define HV_GUESTDBG_HW_BP	(1U << 3)	/* @dr, @dr7 (#DB intercepted) */
/*
 * API 7, as KVM_GUESTDBG_INJECT_BP: the INT3 the vCPU stopped on (an
 * exception 3 stop, RIP on it) is not the debugger's - give it to the
 * guest.  The next entry delivers #BP through the guest's IDT as if the
 * INT3 at RIP had run: the return address its handler sees is RIP + 1.
 * One-shot: it is not kept in the flags, and RIP stays on the INT3 until
 * the guest runs.  EBUSY when an event is already queued for that entry;
 * the other flags apply as given (pass the ones in force with it).
 */
#define HV_GUESTDBG_INJECT_BP	(1U << 4)

struct hv_guest_debug {
	__u32 flags;		/* HV_GUESTDBG_* */
	__u32 pad;		/* must be zero */
	__u64 dr[4];		/* DR0-3: linear addresses */
	__u64 dr7;
	__u64 reserved[4];	/* must be zero */
};

#define HV_VCPU_SET_GUEST_DEBUG	_IOW(HV_IOCTL_MAGIC, 0x29, struct hv_guest_debug)

#define HV_MP_RUNNABLE		0
#define HV_MP_HALTED		1
#define HV_MP_WAIT_SIPI		2

struct hv_mp_state {
	__u32 state;		/* HV_MP_* */
	__u32 pad;		/* must be zero */
};

/* ------------------------------------------------------------------ */
/*
 * vCPU and device state (API 2): vendor-neutral, so that state taken on
 * AMD-V loads on VT-x and the reverse.
 */

/* struct hv_vcpu_events.flags */
#define HV_EV_EXCEPTION		(1U << 0)  /* an exception awaits delivery */
#define HV_EV_EXCEPTION_ERROR	(1U << 1)  /* ...with an error code */
#define HV_EV_SHADOW		(1U << 2)  /* interrupt shadow (STI, MOV SS) */
#define HV_EV_NMI_MASKED	(1U << 3)  /* inside an NMI handler */
#define HV_EV_NMI_PENDING	(1U << 4)  /* an NMI waits to be delivered */
#define HV_EV_INTERRUPT		(1U << 5)  /* external interrupt
					    * interrupt_vector queued: its
					    * APIC or PIC took it already */

/* Events in flight: what the next entry must still deliver. */
struct hv_vcpu_events {
	__u32 flags;		/* HV_EV_* */
	__u8  exception_vector;
	__u8  interrupt_vector;	/* HV_EV_INTERRUPT (API 4), 16-255 */
	__u8  pad[2];
	__u32 exception_error;
	__u32 pad2;
	__u64 reserved[2];	/* must be zero */
};

struct hv_msr_entry {
	__u32 index;
	__u32 pad;
	__u64 value;
};

#define HV_STATE_MAX_MSRS	16
#define HV_XSAVE_SIZE		4096

/* XSAVE state components (SDM Vol 1, 13.1); struct hv_vcpu_state.xcr0 */
#define HV_XSTATE_X87		(1ULL << 0)
#define HV_XSTATE_SSE		(1ULL << 1)
#define HV_XSTATE_AVX		(1ULL << 2)

/*
 * The local APIC (SDM Vol 3A, 10.4): the xAPIC register page as the
 * guest reads it (Table 10-1; offsets 0x000-0x3f0, each register in the
 * low 4 bytes of its 16, the current count at 0x390 included), plus
 * what the page does not hold.  The timer is kept relative, so that it
 * goes on where it stopped wherever the state is loaded: @timer_ns is
 * the time left until the current count reaches zero (one-shot and
 * periodic mode; 0: not counting), @tsc_deadline the IA32_TSC_DEADLINE
 * value, in the guest's TSC (struct hv_vcpu_state.tsc).
 */
struct hv_lapic_state {
	__u64 apic_base;	/* IA32_APIC_BASE */
	__u64 tsc_deadline;	/* IA32_TSC_DEADLINE; 0: disarmed */
	__u64 timer_ns;
	__u32 flags;		/* must be zero */
	__u32 pad;
	__u64 reserved[4];	/* must be zero */
	__u8  regs[1024];
};

/*
 * Everything needed to resume a vCPU exactly.  GET fills it all; SET
 * loads it all, checked as HV_VCPU_SET_SREGS checks sregs, and EINVAL
 * changes nothing.
 *
 * msrs: every MSR hv lets the guest use (hv_exit.c's allow-list) that is
 * not already in sregs (EFER) - STAR, LSTAR, CSTAR, SFMASK, FS/GS base,
 * KernelGSBase, SYSENTER_CS/ESP/EIP, PAT.  SET accepts any subset of
 * them; an index outside the list is EINVAL.
 *
 * xsave: the x87/SSE/AVX registers in the XSAVE standard format (SDM
 * Vol 1, 13.4: legacy region 0-511, header 512-575 with XSTATE_BV at
 * 512, AVX upper halves at 576).  xcr0 is the guest's XCR0 (1 at
 * reset); SET takes it as XSETBV would for the state's CPUID table, and
 * always 1 or 3.  XSTATE_BV may hold x87, SSE and AVX where hv offers
 * AVX; a component whose bit is clear loads in its init state.
 */
struct hv_vcpu_state {
	__u32 vcpu_id;		/* in */
	__u32 flags;		/* must be zero */
	struct hv_regs regs;
	struct hv_sregs sregs;
	__u64 dr[8];		/* DR0-3 at 0-3, DR6 at 6, DR7 at 7; 4, 5 zero */
	struct hv_vcpu_events events;
	__u32 nr_msrs;
	__u32 pad;
	struct hv_msr_entry msrs[HV_STATE_MAX_MSRS];
	struct hv_cpuid cpuid;	/* the table the guest sees */
	__u64 xcr0;		/* the guest's XCR0 */
	__u64 reserved[15];	/* must be zero */
	__u8  xsave[HV_XSAVE_SIZE];
	/* API 4 */
	__u32 mp_state;		/* HV_MP_* */
	__u32 pad3;
	__u64 tsc;		/* the guest's TSC when the state was taken */
	struct hv_lapic_state lapic;
	__u64 reserved2[8];	/* must be zero */
};

/* The in-kernel 16550A UART (kmod/hv_uart.h), registers as stored. */
#define HV_UART_STATE_RX	1024

struct hv_uart_state {
	__u8  ier, iir_thri, lcr, mcr, scr, dll, dlm, fcr;
	__u32 rx_count;		/* bytes waiting in rx[], oldest first */
	__u32 pad;
	__u8  rx[HV_UART_STATE_RX];
	__u64 reserved[2];	/* must be zero */
};

/* One 8259A (Intel 8259A datasheet; the fields of KVM's kvm_pic_state). */
struct hv_pic_chip_state {
	__u8 last_irr;		/* edge detection */
	__u8 irr;
	__u8 imr;
	__u8 isr;
	__u8 priority_add;	/* rotation: the IR of highest priority */
	__u8 irq_base;		/* ICW2 */
	__u8 read_reg_select;	/* OCW3: 0 IRR, 1 ISR */
	__u8 poll;
	__u8 special_mask;
	__u8 init_state;	/* ICW step, 0: initialized */
	__u8 auto_eoi;
	__u8 rotate_on_auto_eoi;
	__u8 special_fully_nested_mode;
	__u8 init4;		/* ICW4 expected */
	__u8 elcr;		/* edge/level control, ports 0x4d0/0x4d1 */
	__u8 elcr_mask;
	__u64 reserved;		/* must be zero */
};

/* The I/O APIC (82093AA datasheet): IOREGSEL, ID, pins, redirection. */
struct hv_ioapic_state {
	__u64 base;		/* 0xfec00000 */
	__u32 ioregsel;
	__u32 id;
	__u32 irr;		/* pins raised (level) */
	__u32 pad;
	__u64 redir[HV_NR_GSIS];	/* remote IRR is bit 14 */
	__u64 reserved[2];	/* must be zero */
};

/*
 * One 8254 channel (Intel 82C54 datasheet).  @elapsed_ns: time since the
 * count was loaded, so the count goes on from where it was.
 */
struct hv_pit_channel_state {
	__u32 count;		/* the reload value; 0 means 0x10000 */
	__u16 latched_count;
	__u8  count_latched;
	__u8  status_latched;
	__u8  status;
	__u8  read_state;
	__u8  write_state;
	__u8  write_latch;
	__u8  rw_mode;
	__u8  mode;
	__u8  bcd;
	__u8  gate;
	__u8  pad[4];
	__u64 elapsed_ns;
};

struct hv_pit_state {
	struct hv_pit_channel_state ch[3];
	__u8  port61;		/* NMI status and control: gate 2, speaker */
	__u8  pad[7];
	__u64 reserved[2];	/* must be zero */
};

/*
 * The CMOS RTC (MC146818A datasheet): its 128 bytes with the clock
 * registers as last read or set, the index at 0x70, and the guest's
 * clock as an offset from the host's real time.
 */
struct hv_rtc_state {
	__u8  cmos[128];
	__u8  index;
	__u8  pad[7];
	__s64 offset_ns;	/* guest time of day - host CLOCK_REALTIME */
	__u64 reserved[2];	/* must be zero */
};

/*
 * The ACPI PM1 block and reset control (ACPI 6.4, 4.8.3; kmod/io/pm.c):
 * PM1_STS, PM1_EN, PM1_CNT's read/write bits (SCI_EN always reads 1,
 * SLP_EN is write-only) and the last value written to port 0xcf9.  All
 * zero is the power-on state (an API 4 state).  The PM timer is the
 * guest's TSC, so it needs no state of its own.
 */
struct hv_pm_state {
	__u16 pm1_sts;
	__u16 pm1_en;
	__u16 pm1_cnt;
	__u8  reset_ctl;	/* port 0xcf9 */
	__u8  pad;
	__u64 reserved;		/* must be zero */
};

struct hv_device_state {
	__u32 flags;		/* must be zero */
	__u32 shutdown_match;	/* characters of "Shutdown" seen at 0x8900 */
	struct hv_uart_state uart;
	__u64 reserved[8];	/* must be zero */
	/* API 4: the PC platform */
	struct hv_pic_chip_state pic[2];	/* master, slave */
	struct hv_ioapic_state ioapic;
	struct hv_pit_state pit;
	struct hv_rtc_state rtc;
	/* API 5: the ACPI PM1 block (was reserved2[0..1]) */
	struct hv_pm_state pm;
	__u64 reserved2[6];	/* must be zero */
};

/* struct hv_dirty_log.flags (HV_VM_SET_DIRTY_LOG) */
#define HV_DIRTY_LOG_ENABLE	(1U << 0)

struct hv_dirty_log {
	__u64 gpa;		/* first GPA of a RAM region */
	__u32 flags;
	__u32 pad;
	__u64 bitmap;		/* GET: user pointer to the __u64 words */
	__u64 reserved[2];	/* must be zero */
};

/* struct hv_ram_region.flags as HV_VM_GET_RAM reports them */
#define HV_RAM_DIRTY_LOG	(1U << 0)	/* dirty logging is on */
#define HV_RAM_LAZY		(1U << 1)	/* ADD_RAM: absent until filled;
						 * GET_RAM: some page still is */

struct hv_ram_list {
	__u32 count;		/* regions filled in */
	__u32 pad;
	struct hv_ram_region regions[HV_MAX_REGIONS];
	__u64 reserved[2];
};

struct hv_vm_clone {
	char name[HV_NAME_LEN];
	__u32 flags;		/* HV_VM_DESTROY_ON_CLOSE only */
	__u32 how;		/* HV_CLONE_* (API 8; before: pad, zero) */
	__u64 reserved[4];	/* must be zero */
};

/*
 * HV_CLONE_HOLD (API 8): a managed source that is running is paused by
 * the kernel for the clone's instant only, after what needs no instant
 * is made (a reference on each of its pages, the clone's vCPUs), and
 * resumed before the clone's NPT/EPT is built.  Without it such a source
 * gets EBUSY.  A source that is not running is cloned as without it.
 * EBUSY also if its RAM changed between the two steps.  The VM-wide
 * counters "clone.holds" and "clone.hold_ns" (HV_VM_GET_STATS) say how
 * often and how long the source was held.
 */
#define HV_CLONE_HOLD		(1U << 0)

/* ------------------------------------------------------------------ */
/*
 * Lifecycle events: generic netlink family HV_GENL_NAME.  Each message is
 * command HV_CMD_EVENT with the attributes below.  Two ways to receive:
 * - send HV_CMD_SUBSCRIBE (no attributes) on the socket: from then on the
 *   kernel unicasts to it the events of the VMs whose owner is the
 *   subscriber's euid, or of every VM if it had CAP_SYS_ADMIN (checked
 *   once, at subscription, as for an fd).  libhv does this.
 * - join multicast group HV_GENL_MCGRP_EVENTS: every VM's events, for
 *   CAP_NET_ADMIN only (a monitoring daemon).
 */
#define HV_GENL_NAME		"hv"
#define HV_GENL_VERSION		1
#define HV_GENL_MCGRP_EVENTS	"events"

enum {
	HV_CMD_UNSPEC,
	HV_CMD_EVENT,
	HV_CMD_SUBSCRIBE,	/* this socket: events of the VMs its opener may see */
};

enum {
	HV_ATTR_UNSPEC,
	HV_ATTR_VM_NAME,	/* string */
	HV_ATTR_EVENT,		/* u32, HV_EVENT_* */
	HV_ATTR_REASON,		/* u32, HV_STOP_* (stopped) */
	HV_ATTR_STATUS,		/* u32, exit status (debug exit) */
	HV_ATTR_TIME_NS,	/* u64, CLOCK_MONOTONIC */
	HV_ATTR_SEQ,		/* u64, per-module sequence number */
	HV_ATTR_OWNER_UID,	/* u32, the VM's owner (init_user_ns) */
	__HV_ATTR_MAX,
};
#define HV_ATTR_MAX		(__HV_ATTR_MAX - 1)

#define HV_EVENT_CREATED	1
#define HV_EVENT_STARTED	2
#define HV_EVENT_PAUSED		3
#define HV_EVENT_RESUMED	4
#define HV_EVENT_STOPPED	5
#define HV_EVENT_DESTROYED	6

#endif /* _UAPI_HV_H */
