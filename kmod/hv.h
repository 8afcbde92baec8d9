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
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/uidgid.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <asm/debugreg.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/hw_breakpoint.h>
#include <asm/special_insns.h>
#include "uapi/hv.h"
#include "x86/pgtable.h"
#include "x86/insn.h"
#include "io/uart.h"
#include "io/platform.h"

struct page;
struct hv_user;
struct mem_cgroup;

/* ------------------------------------------------------------------ */
/* The vendor-neutral exit record: what every backend translates into. */

enum hv_exit_code {
	HV_X_NONE,
	HV_X_IO,		/* IN/OUT */
	HV_X_NPF,		/* NPT/EPT violation: GPA without RAM */
	HV_X_CPUID,
	HV_X_RDMSR,
	HV_X_WRMSR,
	HV_X_HLT,
	HV_X_PAUSE,		/* PAUSE (a spin loop): yield, then go on */
	HV_X_HYPERCALL,		/* VMMCALL / VMCALL */
	HV_X_SHUTDOWN,		/* triple fault */
	HV_X_INTR,		/* physical interrupt: the host took it */
	HV_X_NMI,
	HV_X_VIRT_INSN,		/* guest ran VMRUN, VMXON, ...: #UD it */
	HV_X_UD,		/* #UD: maybe the other vendor's hypercall */
	HV_X_XSETBV,
	HV_X_CR_WRITE,		/* CR0/CR4 write the backend intercepted */
	HV_X_DR_ACCESS,		/* MOV to/from DRn while DR0-3 are not live */
	HV_X_IRQ_WINDOW,	/* the guest can take an interrupt now */
	HV_X_NMI_WINDOW,	/* the guest can take an NMI now */
	/* reach past the guest; one policy: hv_handle_host_insn() */
	HV_X_INVD,
	HV_X_WBINVD,		/* WBINVD, WBNOINVD */
	HV_X_MONITOR,		/* MONITOR, MONITORX */
	HV_X_MWAIT,		/* MWAIT, MWAITX */
	HV_X_RDPMC,
	HV_X_RDPRU,
	HV_X_FAIL_ENTRY,	/* hardware refused the guest state */
	HV_X_UNHANDLED,		/* an exit hv does not expect */
	HV_X_DEBUG,		/* guest debugging: #BP, #DB, MTF (hv_debug.c) */
	HV_X_NR			/* how many (hv_stats.c names them) */
};

/* hw.reason of an Intel VMfailValid: the VM-instruction error number */
#define HV_FAIL_VMFAIL		(1ULL << 63)

/*
 * An event (interrupt, exception) whose delivery the exit interrupted:
 * SVM EXITINTINFO (APM Vol 2, 15.7.2), VMX IDT-vectoring information
 * (SDM Vol 3C, 28.2.4).  The backend has already queued it for the next
 * entry; the core must not take the exit for the instruction at RIP.
 */
struct hv_exit_event {
	bool valid;
	u8 vector;
	u8 type;		/* 0 interrupt, 2 NMI, 3 exception, 4 INTn
				 * (SDM Vol 3C, Table 25-17, APM Vol 2, 15.20) */
	bool has_error;
	u32 error;
};

struct hv_exit {
	enum hv_exit_code code;
	u64 next_rip;		/* RIP after the instruction, for skippable exits */
	u64 dr7;		/* guest DR7 after the exit, while vcpu->db_live */
	struct hv_exit_event event;	/* for every exit code */
	/*
	 * The hardware's own words for every exit, for the tracepoints
	 * (hv_trace.h): VT-x exit reason, qualification and interruption
	 * info (SDM Vol 3C, 28.2.1-2); AMD-V EXITCODE, EXITINFO1 and
	 * EXITINFO2 (APM Vol 2, 15.6).
	 */
	struct {
		u64 reason;
		u64 info1;
		u64 info2;
	} raw;
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u64 gpa;
			bool write;
			bool fetch;
		} npf;
		struct {
			u32 index;	/* ECX */
		} msr;
		struct {
			u8 cr;		/* 0 or 4 */
			int gpr;	/* source register; -1: decode it */
		} cr;
		struct {
			u64 reason;	/* hardware's own code */
			u64 qual;
		} hw;		/* FAIL_ENTRY, UNHANDLED */
		struct {
			u8 vector;	/* 1 #DB (step, DR0-3), 3 #BP */
			u64 dr6;	/* #DB: BS, B0-B3 as the CPU said */
		} debug;
	};
};

/*
 * An exit a backend only renames: one row of its table, from hardware
 * reason to HV_X_* code (the exits that need work stay code in the
 * backend).  @skip, for an instruction the core completes and skips, says
 * where next_rip comes from: HV_XM_NRIP, the hardware's (AMD-V without
 * NRIPS: none, next_rip 0 and the core decodes the length); 1-15, the
 * hardware's, or RIP plus this fixed length where it has none (AMD-V
 * without NRIPS, APM Vol 2, 15.7.1).  0: no next_rip.
 */
struct hv_exit_map {
	u16 reason;		/* VT-x basic exit reason, AMD-V EXITCODE */
	u8 code;		/* enum hv_exit_code */
	u8 skip;
};
#define HV_XM_NRIP		0xff

/* The row of @map for @reason, or NULL (inline: on every exit) */
static inline const struct hv_exit_map *
hv_exit_lookup(const struct hv_exit_map *map, size_t n, u64 reason)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (map[i].reason == reason)
			return &map[i];
	return NULL;
}

/*
 * Statistics (hv_stats.c, docs/stats.md): a vCPU's counters, a u64 each
 * in hvk_vcpu.stats, written by its runner only (no atomics: a reader in
 * another thread takes each with READ_ONCE, and a u64 is never torn on
 * x86-64).  Per exit code: HV_STAT_EXIT + code counts the exits,
 * HV_STAT_EXIT_NS + code adds the time from the exit until its handler
 * returned (hvk_vcpu_loop), in TSC ticks (nanoseconds when read).  The descriptor table in hv_stats.c lists
 * these in this order, then "exits" and the VM-wide ones.
 */
enum hv_stat {
	HV_STAT_EXIT,
	HV_STAT_EXIT_NS = HV_STAT_EXIT + HV_X_NR,
	HV_STAT_IRQ_INJECTED = HV_STAT_EXIT_NS + HV_X_NR,
	HV_STAT_NMI_INJECTED,
	HV_STAT_HALT,		/* HLT put the vCPU to sleep */
	HV_STAT_HALT_WAKEUP,	/* a halted vCPU became runnable */
	HV_STAT_NPF_MMIO,	/* an NPF that was an MMIO access (hv_mmio.c) */
	HV_STAT_NR		/* the per-vCPU array's size */
};

/* ------------------------------------------------------------------ */
/* VMs and vCPUs.  A backend embeds these and uses container_of. */

/*
 * One block of guest RAM: 4 KiB pages, 2 MiB-contiguous where possible.
 * Each page in @pages holds one reference for this region; a page shared
 * with a clone has one per VM and is freed by whichever lets go last.
 * Everything but gpa/size is under the VM's @lock.
 */
struct hv_region {
	u64 gpa;
	u64 size;
	struct page **pages;		/* size / 4 KiB, each a real page */
	unsigned long *huge;		/* per 2 MiB block: one contiguous chunk */
	unsigned long *dirty;		/* per page: written since the last
					 * GET_DIRTY_LOG; NULL: logging off */
	unsigned long *cow;		/* per page: shared copy-on-write with
					 * another VM; NULL: none ever */
	u64 nr_cow;			/* bits set in @cow */
	unsigned long *absent;		/* per page: lazy, not given yet
					 * (hv_lazy.c); NULL: never lazy */
	u64 nr_absent;			/* bits set in @absent */
};

/* The console: what the guest's UART sent, for any number of readers. */
#define HV_CONSOLE_SIZE		(64 * 1024)

struct hv_console {
	spinlock_t lock;
	u8 *ring;			/* HV_CONSOLE_SIZE bytes */
	u64 head;			/* bytes ever written */
	wait_queue_head_t wq;		/* readers */
};

/* In-kernel devices of a managed VM (io/devices.c), under @lock. */
struct hv_platform;		/* io/platform.c: PIC, IOAPIC, PIT, RTC */
struct hv_lapic;		/* io/lapic.c: one per vCPU */

struct hv_devices {
	spinlock_t lock;
	struct hv_uart uart;
	u8 shutdown_match;		/* chars of "Shutdown" seen at 0x8900 */
};

/*
 * A VM.  Legend: [c] set at create, then constant; [L] under hv_vms_lock;
 * [m] under @lock; [a] atomic; [s] under @state_lock (vCPU threads read
 * the request flags without it); [g] under @mgmt_lock.
 */
struct hvk_vm {
	struct list_head node;		/* [L] in hv_vms while named */
	bool listed;			/* [L] name is taken */
	struct kref ref;		/* [a] list + fds + mmaps */
	atomic_t nr_files;		/* [a] open VM fds */
	char name[HV_NAME_LEN];		/* [c] */
	u32 flags;			/* [c] HV_VM_* */
	kuid_t owner;			/* [c] */
	/*
	 * Accounting (hv_user.c): the user charged for this VM and its
	 * RAM, and the memory cgroup every later allocation is charged to.
	 */
	struct hv_user *user;		/* [c] */
	struct mem_cgroup *memcg;	/* [c] */
	u64 user_pages;			/* [m] pages charged to @user */
	u64 id;				/* [c] unique since the module loaded */
	/*
	 * [c] What every VM fd maps (its f_mapping): one per VM, so that
	 * unmap_mapping_range() reaches exactly this VM's user mappings.
	 */
	struct address_space mapping;

	struct mutex lock;		/* [c] */
	struct hv_region regions[HV_MAX_REGIONS];	/* [m] */
	unsigned int nr_regions;	/* [m] */
	u64 mem_size;			/* [m] */
	struct hv_pgtable gpt;		/* [m] NPT/EPT */
	atomic64_t gpt_gen;		/* [a] bumped by hv_gpt_changed() */
	struct hvk_vcpu *vcpus[HV_MAX_VCPUS];	/* [m] */
	unsigned int nr_vcpus;		/* [m] */
	atomic_t nr_running;		/* [a] vCPUs inside attached run */
	bool virt_held;			/* [m] holds hv_virt_get() */
	u64 dirty_epoch;		/* [m] GET_DIRTY_LOG calls */
	u64 cow_copies;			/* [m] shared pages copied on write */
	u64 cow_reused;			/* [m] shared pages nobody else held:
					 * made writable, not copied */
	u64 dirty_faults;		/* [m] guest writes that faulted to
					 * be logged (dirty logging on) */
	u64 clone_holds;		/* [m] HV_CLONE_HOLD pauses for a
					 * clone's instant (state/clone.c) */
	u64 clone_hold_ns;		/* [m] their time, pause to resume */

	/* Lazy RAM (hv_lazy.c) */
	bool lazy_opened;		/* [m] HV_VM_OPEN_LAZY was called */
	bool lazy_open;			/* [m] the filler fd is open */
	u64 lazy_absent;		/* [m] pages not given yet (read
					 * without the lock: 0 is final) */
	int lazy_error;			/* [m] 0, or the positive errno:
					 * absent pages never come */
	u64 lazy_filled;		/* [m] pages given */
	u64 lazy_waits;			/* [m] accesses that slept for one */
	u64 lazy_wait_ns;		/* [m] their time */
	wait_queue_head_t lazy_wq;	/* [c] sleepers and the filler */
	spinlock_t lazy_want_lock;	/* [c] */
#define HV_LAZY_WANT	(HV_MAX_VCPUS + 8)
	u64 lazy_want[HV_LAZY_WANT];	/* GPAs waited for, oldest first:
					 * one per vCPU, a few mmap faults */
	unsigned int lazy_nwant;	/* entries in @lazy_want */

	/* Managed mode (managed/managed.c) */
	struct mutex mgmt_lock;		/* [c] start/stop/pause/resume */
	spinlock_t state_lock;		/* [c] */
	bool managed;			/* [s] vCPU threads exist */
	u32 state;			/* [s] HV_VM_STATE_* but DESTROYED */
	u32 stop_reason;		/* [s] HV_STOP_* */
	u32 exit_status;		/* [s] */
	bool stop_req;			/* [s] threads: leave the guest, end */
	bool pause_req;			/* [s] threads: leave the guest, park */
	struct task_struct *threads[HV_MAX_VCPUS];	/* [g] */
	unsigned int nr_threads;	/* [g] */
	atomic_t threads_live;		/* [a] threads still running */
	atomic_t threads_parked;	/* [a] threads parked for pause */
	wait_queue_head_t mgmt_wq;	/* [c] threads -> controller */
	wait_queue_head_t park_wq;	/* [c] controller -> threads */
	ktime_t started;		/* [s] */
	atomic64_t io_unclaimed;	/* [a] */
	atomic64_t mmio_unclaimed;	/* [a] */
	struct hv_devices dev;		/* [c] */
	struct hv_console console;	/* [c] */
	struct hv_platform *pf;		/* [c] the PC platform (io/platform.h) */
	/* Guest debugging (hv_debug.c, managed.c) */
	struct hv_debug_stop dbg_stop;	/* [s] the last debug stop */
	bool dbg_pause;			/* [s] a debug stop is pausing the VM */
};

/* What the next run must finish from the last exit to userspace. */
enum hv_pending {
	HV_PENDING_NONE,
	HV_PENDING_IO_IN,
	HV_PENDING_MMIO,	/* pending_mmio: a read, or more fragments */
	HV_PENDING_HYPERCALL,
};

/*
 * One emulated instruction's memory access (hv_mmio.c): up to 8 bytes,
 * split at page boundaries into at most two pieces.  A read-modify-write
 * instruction (ALU, XCHG) or a MOVS has a read phase, then a write phase
 * with the value x86/emulate.c computed.  Pieces in RAM are done in place
 * at once, pieces the platform claims (io/platform.h) too; each other
 * piece is one exit to userspace, in order.  @gpr and @rflags are the
 * registers once the instruction completes; they and RIP = @next_rip are
 * committed when the last piece is done (a write: handed out).  @pio: an
 * INS element waiting for its port's answer (hv_pio.c).
 */
struct hv_mmio_frag {
	u64 gpa;
	u8 off;			/* first byte within the access */
	u8 len;
	bool ram;
};

struct hv_mmio_op {
	struct hv_insn insn;
	bool write;		/* the phase: false while reading */
	bool pio;
	u8 nfrag, cur;		/* the phase's pieces; cur: the one out */
	struct hv_mmio_frag frag[2];
	u8 nwfrag;
	struct hv_mmio_frag wfrag[2];	/* the write phase's pieces */
	u8 val[8];		/* the access's bytes, little-endian */
	u64 gpr[16];
	u64 rflags;
	u64 next_rip;		/* past it; on it while REP elements remain */
};

/*
 * Requests to a vCPU from other threads and from interrupt context (timer
 * callbacks): bits in hvk_vcpu.requests, set with hvk_vcpu_request(),
 * consumed by the vCPU's runner before each entry (hv_event.c).
 */
#define HV_REQ_EVENT		0	/* an interrupt or NMI may be pending */
#define HV_REQ_INIT		1	/* INIT signal (SDM Vol 3A, 9.1) */
#define HV_REQ_SIPI		2	/* start-up IPI, vector in sipi_vector */

/* hvk_vcpu.mode: where the runner is, for hvk_vcpu_kick() */
#define HV_VCPU_OUTSIDE		0
#define HV_VCPU_IN_GUEST	1

/* A vCPU.  [c] set at create; [r] under @run_lock (the runner owns it). */
struct hvk_vcpu {
	struct hvk_vm *vm;		/* [c] holds a VM reference */
	u32 id;				/* [c] */
	struct hv_run *run;		/* [c] the mmap-able run area page */
	struct mutex run_lock;		/* [c] */
	struct hv_regs regs;		/* [r] GPRs, RIP, RFLAGS: always current */
	struct hv_cpuid cpuid;		/* [r] */
	enum hv_pending pending;	/* [r] */
	u8 pending_size;		/* [r] IO in size */
	struct hv_mmio_op pending_mmio;	/* [r] MMIO access in flight */
	u64 pending_rip;		/* [r] RIP once the access completes */
	u64 exits;			/* [r] */
	u64 npf_spurious;		/* [r] hv_handle_npf: retried as is */
	u64 stats[HV_STAT_NR];		/* [r] enum hv_stat; readers:
					 * READ_ONCE (hv_stats.c) */
	/*
	 * [r] Guest DR0-3, and whether they are live: loaded into the
	 * hardware around each entry (hv_guest_enter/exit_irqoff).  While
	 * not live, the backend intercepts guest DR accesses (HV_X_DR_ACCESS;
	 * hv_run.c has the policy).  DR6 and DR7 live with the backend.
	 */
	u64 db[4];
	bool db_live;
	/*
	 * [r] Guest debugging (hv_debug.c): HV_GUESTDBG_* flags, the
	 * debugger's DR0-3/DR7 (HW_BP), the guest's own debug registers
	 * while the debugger's are loaded, and a single step that hv
	 * completed itself (hv_skip_insn) to report before the next entry.
	 */
	u32 dbg_flags;
	u64 dbg_dr[4], dbg_dr7;
	u64 dbg_saved_db[4], dbg_saved_dr6, dbg_saved_dr7;
	bool dbg_saved_live;
	bool dbg_step_done;
	/* [r] the vm->gpt_gen this vCPU's last flush covered */
	u64 gpt_gen;
	/*
	 * XSAVE (hv_xsave.c): the guest's XCR0 (1 at reset) [r]; the XCR0
	 * bits its CPUID lets it set, 0 for no XSAVE [r]; its x87/SSE/AVX
	 * registers between entries, XSAVE standard format [c] (pointer).
	 */
	u64 xcr0;
	u64 xcr0_allowed;
	u8 *fpu;
	/*
	 * Interrupts and activity (hv_event.c).  [a] fields are written by
	 * any thread or interrupt context and read by the runner.
	 */
	struct hv_lapic *apic;		/* [c] io/lapic.c */
	u32 mp_state;			/* [r] HV_MP_* */
	unsigned long requests;		/* [a] HV_REQ_* bits */
	u8 sipi_vector;			/* [a] with HV_REQ_SIPI */
	atomic_t nmi_pending;		/* [a] NMIs not yet injected */
	int mode;			/* [a] HV_VCPU_OUTSIDE / IN_GUEST */
	int cpu;			/* [r] host CPU of the last entry */
	wait_queue_head_t wq;		/* [c] a halted or waiting runner */
	s64 tsc_offset;			/* [r] guest TSC - host TSC */
	/*
	 * [a] Managed mode: in HLT with RFLAGS.IF=0, so only an NMI, INIT
	 * or a stop wakes it (hv_handle_hlt: when every vCPU is so, or
	 * waits for a SIPI, the VM stops as halted).
	 */
	bool halted_if0;
};

/* Count one event of the runner's own vCPU (runner only: [r]) */
static inline void hv_stat_inc(struct hvk_vcpu *vcpu, enum hv_stat s)
{
	vcpu->stats[s]++;
}

/*
 * hv_debug.c: guest debugging (HV_VCPU_SET_GUEST_DEBUG, HV_EXIT_DEBUG,
 * HV_VM_GET_DEBUG_STOP).
 */
long hvk_vcpu_ioctl_set_guest_debug(void *obj, void *data, unsigned long arg);
long hvk_vm_ioctl_get_debug_stop(void *obj, void *data, unsigned long arg);
int hv_handle_debug(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
int hv_debug_step_report(struct hvk_vcpu *vcpu);

/* hv_stats.c: HV_GET_STATS_DESC, HV_VM_GET_STATS */
long hv_ioctl_get_stats_desc(void *obj, void *data, unsigned long arg);
long hvk_vm_ioctl_get_stats(void *obj, void *data, unsigned long arg);

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
 *
 * VMs and vCPUs (process context unless noted):
 * vm_size		Size of the backend's VM struct, which embeds struct
 *			hvk_vm as its first member; the core allocates and
 *			frees it (KVM's kvm_x86_ops.vm_size).
 * vm_init		Per-VM hardware state (ASID/VPID); after gpt exists.
 * vcpu_alloc, vcpu_free The backend's vCPU, embedding struct hvk_vcpu;
 *			vcpu_alloc also puts the vCPU in its reset state.
 * vcpu_run		Enter the guest once and translate the exit into
 *			@exit.  Syncs vcpu->regs in before and out after.
 *			Non-zero only for host-side failures.  Called by
 *			hv_enter_guest() inside kernel_fpu_begin/end with the
 *			guest's x87/SSE/AVX registers loaded (preemption
 *			off).  With interrupts off it calls
 *			hv_guest_enter_irqoff() before the entry (guest XCR0,
 *			DR0-3 if live; its .flush says the NPT/EPT changed:
 *			drop this VM's cached translations) and
 *			hv_guest_exit_irqoff() after it, before the host may
 *			take an interrupt.  It intercepts guest DR accesses
 *			exactly while !vcpu->db_live (HV_X_DR_ACCESS) and
 *			reports DR7 in @exit while live; it hands CR0/CR4
 *			writes that reach the host to the core
 *			(HV_X_CR_WRITE), which applies legal ones through
 *			set_sregs.  When .cancel comes back from
 *			hv_guest_enter_irqoff() it does not enter: interrupts
 *			on again, exit code HV_X_NONE, return 0.  When the
 *			core moved RIP since the last exit (it completed the
 *			instruction), the backend drops the STI/MOV SS
 *			shadow, which covered that instruction only (SDM Vol
 *			3C, 25.4.2, Table 25-3; APM Vol 2, 15.21.5).
 * get_sregs, set_sregs	Segment/control state; set_sregs checks the state
 *			against the hardware's consistency rules and refuses
 *			(-EINVAL) what VMRUN/VMLAUNCH would reject.
 * get_msr, set_msr	The guest MSRs hv lets the guest use; hv_run.c has
 *			already checked the index and the value, so set_msr
 *			only stores.  -EINVAL means "inject #GP".
 * inject_exception	Queue an exception for the next entry.
 * inject_soft_exception
 *			Queue #BP or #OF (@vector 3 or 4) for the next entry
 *			as if the @len-byte INT3/INTO at RIP had raised it:
 *			the handler's return address is RIP + @len.  RIP
 *			stays on the instruction until the entry (VT-x: a
 *			software exception with the VM-entry instruction
 *			length; AMD-V: RIP moved past it at VMRUN only).
 *			-EBUSY if an event is queued for that entry already.
 *
 * Events (hv_event.c decides what and when; the backend programs it):
 * interrupt_allowed	The guest can take an external interrupt at the
 *			next entry: RFLAGS.IF, no STI/MOV SS shadow, no event
 *			already queued for that entry (injected exception,
 *			interrupted delivery being redone).
 * nmi_allowed		Same for an NMI: not blocked by NMI, no shadow, no
 *			event queued.
 * inject_irq		Queue external interrupt @vector for the next entry
 *			(only after interrupt_allowed said yes).
 * inject_nmi		Queue an NMI for the next entry (after nmi_allowed);
 *			the guest is then blocked by NMI until its IRET.
 * enable_irq_window	Exit (HV_X_IRQ_WINDOW) as soon as the guest can
 *			take an interrupt; the backend switches the window
 *			off again when that exit comes.
 * enable_nmi_window	Same for an NMI (HV_X_NMI_WINDOW).
 *			The backends keep the host's interrupts working
 *			whatever the guest's RFLAGS.IF (external-interrupt
 *			exiting, SDM Vol 3C, 25.6.1; V_INTR_MASKING, APM Vol
 *			2, 15.21.1), and re-inject an interrupted interrupt or
 *			NMI delivery as they do exceptions (struct
 *			hv_exit_event).  AMD-V has no NMI-window exit: svm
 *			intercepts the IRET that ends the guest's NMI handler
 *			and single-steps over it (svm_run.c).
 * set_tsc_offset	The guest's TSC reads host TSC + @offset from the next
 *			entry on (RDTSC, RDTSCP, IA32_TSC); also stores it in
 *			vcpu->tsc_offset.
 *
 * State (state/state.c; the vCPU quiet, under its run_lock; values already
 * checked by the core, so the setters only store):
 * get_events		What the next entry must still deliver: a queued
 *			or interrupted hardware exception, the interrupt
 *			shadow, NMI blocking, a queued or interrupted NMI
 *			(HV_EV_NMI_PENDING; the core adds vcpu->nmi_pending)
 *			(struct hv_vcpu_events).
 * set_events		Replace the shadow and NMI blocking and drop any
 *			queued event; the core then queues the state's
 *			exception, if any, with inject_exception.
 * get_dr67		DR6 and DR7 as the guest sees them (DR0-3 are the
 *			core's: vcpu->db).
 * set_dr67		Store DR6 and DR7 for the next entry.
 * check_guest_debug	0 if the backend can do HV_GUESTDBG_* @flags, else
 *			-EOPNOTSUPP (both backends can do them all today).
 * set_guest_debug	vcpu->dbg_flags changed (hv_debug.c): from the next
 *			entry on, intercept #BP for HV_GUESTDBG_SW_BP and #DB
 *			for HW_BP (reporting HV_X_DEBUG when the #DB is the
 *			debugger's, giving the guest its own), and exit after
 *			each instruction for SINGLESTEP (VT-x: MTF, or TF and
 *			#DB where the CPU has no MTF; AMD-V: TF
 *			in the VMCB only, #DB intercepted, TF never shown in
 *			vcpu->regs unless the guest set it).
 * gpt_ops		The second-level page-table entry format (the table
 *			memory is the core's: hv_gpt_alloc in hv_mem.c).
 * describe		At load, after probe: the backend's features for the
 *			core's one log line, e.g. "EPT yes, VPID yes".
 *
 * Not the backends' (the core does it once for both): guest FPU and
 * XCR0 (hv_xsave.c), DR0-3 and when to switch them, the NPT/EPT
 * generation (hv_gpt_changed), and the CR0/CR4 rules (hv_cr0_ok,
 * hv_cr4_write_ok).
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

	size_t vm_size;
	int (*vm_init)(struct hvk_vm *vm);
	struct hvk_vcpu *(*vcpu_alloc)(struct hvk_vm *vm);
	void (*vcpu_free)(struct hvk_vcpu *vcpu);
	int (*vcpu_run)(struct hvk_vcpu *vcpu, struct hv_exit *exit);
	void (*get_sregs)(struct hvk_vcpu *vcpu, struct hv_sregs *sregs);
	int (*set_sregs)(struct hvk_vcpu *vcpu, const struct hv_sregs *sregs);
	int (*get_msr)(struct hvk_vcpu *vcpu, u32 index, u64 *val);
	int (*set_msr)(struct hvk_vcpu *vcpu, u32 index, u64 val);
	void (*inject_exception)(struct hvk_vcpu *vcpu, u8 vector,
				 bool has_error, u32 error);
	int (*inject_soft_exception)(struct hvk_vcpu *vcpu, u8 vector,
				     u8 len);
	bool (*interrupt_allowed)(struct hvk_vcpu *vcpu);
	bool (*nmi_allowed)(struct hvk_vcpu *vcpu);
	void (*inject_irq)(struct hvk_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct hvk_vcpu *vcpu);
	void (*enable_irq_window)(struct hvk_vcpu *vcpu);
	void (*enable_nmi_window)(struct hvk_vcpu *vcpu);
	void (*set_tsc_offset)(struct hvk_vcpu *vcpu, s64 offset);
	void (*get_events)(struct hvk_vcpu *vcpu, struct hv_vcpu_events *ev);
	void (*set_events)(struct hvk_vcpu *vcpu,
			   const struct hv_vcpu_events *ev);
	void (*get_dr67)(struct hvk_vcpu *vcpu, u64 *dr6, u64 *dr7);
	void (*set_dr67)(struct hvk_vcpu *vcpu, u64 dr6, u64 dr7);
	int (*check_guest_debug)(u32 flags);
	void (*set_guest_debug)(struct hvk_vcpu *vcpu);
	const struct hv_pt_ops *gpt_ops;
	void (*describe)(const struct hv_caps *caps, char *buf, size_t len);
};

extern const struct hv_vendor_ops hv_vmx_ops;
extern const struct hv_vendor_ops hv_svm_ops;

/* hv_main.c: the backend chosen at load, and what it found. */
extern const struct hv_vendor_ops *hv_ops;
extern struct hv_caps hv_host_caps;

/* hv_virt.c: hardware virtualization, switched on while anyone holds it. */
int hv_virt_init(void);
void hv_virt_exit(void);
int hv_virt_get(void);
void hv_virt_put(void);
void hv_virt_status(struct hv_status *st);

/* hvk_vm.c: VM objects, the VM fd. */
int hvk_vm_create(const struct hv_vm_create *args);
int hvk_vm_open(const struct hv_vm_open *args);
int hvk_vm_list(struct hv_vm_list *list);
void hvk_vm_put(struct hvk_vm *vm);
struct hvk_vm *hvk_vm_new(const char *name, u32 flags, int *err);
int hvk_vm_publish(struct hvk_vm *vm);
bool hvk_vm_name_taken(kuid_t owner, const char *name);

/* state/clone.c: copy-on-write clones. */
int hvk_vm_clone(struct hvk_vm *src, const struct hv_vm_clone *args);
void hvk_vm_exit(void);

/* managed/managed.c: vCPUs on kernel threads, and the VM's state machine. */
void hv_managed_init(struct hvk_vm *vm);
int hvk_vm_start(struct hvk_vm *vm);
int hvk_vm_stop(struct hvk_vm *vm, u32 reason);
int __hv_vm_stop(struct hvk_vm *vm, u32 reason);	/* mgmt_lock held */
int hvk_vm_pause(struct hvk_vm *vm);
int hvk_vm_resume(struct hvk_vm *vm);
int hvk_vm_pause_locked(struct hvk_vm *vm);
int hvk_vm_resume_locked(struct hvk_vm *vm);
void hvk_vm_request_stop(struct hvk_vm *vm, u32 reason, u32 status);
bool hv_attached_begin(struct hvk_vm *vm);
bool hvk_vm_managed_running(struct hvk_vm *vm);
void hv_attached_end(struct hvk_vm *vm);

/* io/devices.c: what answers a managed VM's port I/O. */
int hv_devices_init(struct hvk_vm *vm);
void hv_devices_free(struct hvk_vm *vm);
void hv_devices_pio(struct hvk_vcpu *vcpu, struct hv_run *run);
int hv_console_open(struct hvk_vm *vm, unsigned long flags);

/* managed/events.c: lifecycle events over generic netlink. */
int hv_events_init(void);
void hv_events_exit(void);
void hv_event(struct hvk_vm *vm, u32 event, u32 reason, u32 status);

/* hv_mem.c: guest RAM. */
int hv_mem_add(struct hvk_vm *vm, const struct hv_ram_region *r);
void hv_mem_free(struct hvk_vm *vm);
struct hv_region *hv_mem_region(struct hvk_vm *vm, u64 gpa);
/* A region's page array and bitmaps, @lazy: its absent bitmap too */
int hv_region_arrays(struct hv_region *rg, bool lazy);
/* A 2 MiB block split into @slots' 512 pages, or false (4 KiB then) */
bool hv_mem_alloc_2m(gfp_t gfp, struct page **slots);
struct page *hv_mem_page(struct hvk_vm *vm, u64 gpa);
struct page *hv_mem_fault_page(struct hvk_vm *vm, u64 gpa);
bool hv_mem_is_ram(struct hvk_vm *vm, u64 gpa);
int hv_mem_read(struct hvk_vm *vm, u64 gpa, void *buf, size_t len);
int hv_mem_gpt_init(struct hvk_vm *vm);
int hv_mem_map_region(struct hvk_vm *vm, struct hv_region *rg, bool write);
void hv_mem_flush_sync(struct hvk_vm *vm);
void hv_mem_zap_user(struct hvk_vm *vm, struct hv_region *rg,
		     const unsigned long *only);
/*
 * What a nested page fault was (the tracepoint hv_npf): MMIO, or on RAM
 * the outcome hv_mem_write_fault() returns (>0) or a spurious fault.
 */
enum hv_npf_outcome {
	HV_NPF_MMIO,		/* no RAM there: hv_mem_write_fault() 0 */
	HV_NPF_DIRTY,		/* writable again, logged dirty */
	HV_NPF_COW,		/* a shared page copied for this VM */
	HV_NPF_RETRY,		/* writable already or again, nothing logged */
	HV_NPF_SPURIOUS,	/* mapped as the access needs: tried again */
};

int hv_mem_write_fault(struct hvk_vm *vm, u64 gpa);
bool hv_mem_fault_spurious(struct hvk_vm *vm, u64 gpa);
vm_fault_t hv_mem_user_write(struct hvk_vm *vm, u64 gpa, struct page *page);
int hv_mem_set_dirty_log(struct hvk_vm *vm, const struct hv_dirty_log *req);
int hv_mem_get_dirty_log(struct hvk_vm *vm, const struct hv_dirty_log *req);
void hv_mem_get_ram(struct hvk_vm *vm, struct hv_ram_list *list);
/* At load, after probe: the backends' gpt_ops with the core's tables */
void hv_mem_init(void);

/* hv_lazy.c: lazy RAM, given by a filler after the VM starts. */
int hv_lazy_open(struct hvk_vm *vm);
int hv_lazy_region_init(struct hvk_vm *vm, struct hv_region *rg);
int hv_lazy_vcpu_wait(struct hvk_vcpu *vcpu, u64 gpa);
int hvk_lazy_wait(struct hvk_vm *vm, u64 gpa);
int hv_lazy_wait_whole(struct hvk_vm *vm);

/* hv_user.c: who holds what (guest RAM and VMs per user, host reserve). */
int hvk_vm_account_init(struct hvk_vm *vm);
void hvk_vm_account_free(struct hvk_vm *vm);
int hvk_vm_account_like(struct hvk_vm *dst, struct hvk_vm *src);
int hvk_vm_charge_ram(struct hvk_vm *vm, u64 bytes);
void hvk_vm_uncharge_ram(struct hvk_vm *vm, u64 bytes);
bool hv_host_reserve_ok(unsigned long pages);
void hv_user_usage(struct hv_usage *out);

/*
 * hv_fail.c: deterministic allocation-failure injection for the tests
 * (debugfs hv/fail_nth).  True when the allocation about to be made
 * must fail.
 */
int hv_fail_init(void);
void hv_fail_exit(void);
bool hv_fail_alloc(void);

/* hvk_vcpu.c: vCPU objects, the vCPU fd and the run loop. */
int hvk_vcpu_loop(struct hvk_vcpu *vcpu);

/*
 * Guest EFER and CR4 bits hv supports (no LA57, PKE, CET); OSXSAVE only
 * for a guest whose CPUID offers XSAVE (hv_cr4_write_ok()); UMIP,
 * FSGSBASE, PCIDE, SMEP and SMAP only where the host has the feature
 * (hv_cr4_host_ok()) - Linux sets them all where CPUID lists them, and
 * a snapshot of it must restore.
 */
#define HV_EFER_ALLOWED		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
#define HV_CR4_FEATURES		(X86_CR4_UMIP | X86_CR4_FSGSBASE | \
				 X86_CR4_PCIDE | X86_CR4_SMEP | X86_CR4_SMAP)
#define HV_CR4_ALLOWED		(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
				 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
				 X86_CR4_OSXSAVE | HV_CR4_FEATURES)

struct hvk_vcpu *hvk_vcpu_new(struct hvk_vm *vm, u32 id);
int hvk_vcpu_create(struct hvk_vm *vm, unsigned long id);
int hvk_vcpu_open(struct hvk_vm *vm, unsigned long id);
void hvk_vcpu_destroy(struct hvk_vcpu *vcpu);
int hv_sregs_check(const struct hv_sregs *s);
/* SDM Vol 1, 3.4.3: RFLAGS bits 3, 5, 15, 63:22 are 0; bit 1 is 1 */
#define HV_RFLAGS_RESERVED	(~0x3fffffULL | BIT(3) | BIT(5) | BIT(15))
bool hv_rflags_valid(u64 rflags);

/*
 * state/state.c: vCPU and device state (HV_VM_GET/SET_VCPU_STATE,
 * HV_VM_GET/SET_DEVICE_STATE), also for the clone code.  The caller makes
 * the VM quiet first: hvk_vm_quiet_begin() takes mgmt_lock and fails with
 * -EBUSY while a managed run is not paused or stopped; then, per vCPU,
 * hvk_vcpu_quiet_begin() takes its run_lock without waiting (-EBUSY while
 * an attached run or another vCPU ioctl holds it, or while the VM's
 * managed run is running).  The ioctls get both from the dispatcher
 * (HV_IOCTL_QUIET, HV_IOCTL_VCPU).  The setters check everything first;
 * -EINVAL changes nothing.
 */
int hvk_vm_quiet_begin(struct hvk_vm *vm);
void hvk_vm_quiet_end(struct hvk_vm *vm);
int hvk_vm_hold_begin(struct hvk_vm *vm, bool *held);
void hvk_vm_hold_end(struct hvk_vm *vm, bool held);
int hvk_vcpu_quiet_begin(struct hvk_vcpu *vcpu);
void hvk_vcpu_quiet_end(struct hvk_vcpu *vcpu);
struct hvk_vcpu *hvk_vcpu_by_id(struct hvk_vm *vm, u32 id);
int hvk_vcpu_get_state(struct hvk_vcpu *vcpu, struct hv_vcpu_state *st);
int hvk_vcpu_set_state(struct hvk_vcpu *vcpu, const struct hv_vcpu_state *st);
void hv_devices_get_state(struct hvk_vm *vm, struct hv_device_state *st);
int hv_devices_set_state(struct hvk_vm *vm, const struct hv_device_state *st);
long hvk_vm_ioctl_get_vcpu_state(void *obj, void *data, unsigned long arg);
long hvk_vm_ioctl_set_vcpu_state(void *obj, void *data, unsigned long arg);
long hvk_vm_ioctl_get_device_state(void *obj, void *data, unsigned long arg);
long hvk_vm_ioctl_set_device_state(void *obj, void *data, unsigned long arg);

/*
 * hv_run.c: the entry bracket the backends call with interrupts off,
 * right before and right after the guest runs (see vcpu_run above).
 */
struct hv_entry {
	bool xcr0;		/* guest XCR0 loaded: restore the host's */
	bool flush;		/* NPT/EPT changed since this vCPU's last flush */
	bool cancel;		/* a request came: do not enter, return
				 * HV_X_NONE (hv_guest_enter_irqoff) */
};
void hv_db_load(struct hvk_vcpu *vcpu);
void hv_db_save(struct hvk_vcpu *vcpu);
/* hv_mem.c and others: the NPT/EPT changed; every vCPU flushes at entry */
static inline void hv_gpt_changed(struct hvk_vm *vm)
{
	atomic64_inc(&vm->gpt_gen);
}

/* The low @size bytes of a register (size 1, 2, 4 or 8) */
static inline u64 hv_size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* hv_run.c: exit dispatch.  >0 re-enter, 0 return to userspace, <0 err */
u64 *hv_gpr(struct hv_regs *r, unsigned int n);	/* by x86 reg number */
int hv_handle_exit(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
/* >0: another exit (the next MMIO fragment) is in the run area */
int hv_complete_userspace_exit(struct hvk_vcpu *vcpu);
int hv_exit_internal(struct hvk_vcpu *vcpu, u32 suberror, u32 ndata,
		     const u64 *data);

/*
 * hv_event.c: interrupts, NMIs, INIT/SIPI, HLT and kicks (KVM's
 * kvm_vcpu_kick and inject_pending_event, bhyve's vm_inject_* ).
 *
 * hvk_vcpu_request	Set request @req and kick: any context, interrupt
 *			context included (the APIC timer's hrtimer).
 * hvk_vcpu_kick	Make the runner look at its requests soon: wake it if
 *			it sleeps (HLT, wait-for-SIPI), or send its host CPU
 *			an IPI if it is in the guest.  Any context.
 * hvk_vcpu_nmi		Queue one NMI (LAPIC NMI IPI, LINT1) and kick.
 * hvk_vcpu_init_signal, hvk_vcpu_sipi
 *			INIT and start-up IPI (SDM Vol 3A, 9.4.4, 10.6.1).
 * hv_events_before_entry
 *			The runner, before each entry: consume requests,
 *			inject what is deliverable, open a window for what is
 *			not.  Returns >0 to enter, 0 to return to the driver
 *			with run->exit_reason set, <0 (-EINTR) for a signal or
 *			a stop/pause request while the vCPU waited.
 * hv_handle_hlt	The HLT exit: sleep until an interrupt or NMI can be
 *			delivered (hv_handle_exit's return convention).
 * hv_skip_insn		Complete an instruction hv emulated: RIP to @next_rip,
 *			and the single-step trap RFLAGS.TF asks for (SDM Vol
 *			3A, 17.3.1.4: #DB with DR6.BS after the instruction).
 *			Every handler that moves RIP past an instruction uses
 *			it.
 * hv_guest_tsc		The guest's TSC now.
 */
void hvk_vcpu_request(struct hvk_vcpu *vcpu, unsigned int req);
void hvk_vcpu_kick(struct hvk_vcpu *vcpu);
void hvk_vcpu_nmi(struct hvk_vcpu *vcpu);
void hvk_vcpu_init_signal(struct hvk_vcpu *vcpu);
void hvk_vcpu_sipi(struct hvk_vcpu *vcpu, u8 vector);
int hv_events_before_entry(struct hvk_vcpu *vcpu);
int hv_handle_hlt(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
void hv_skip_insn(struct hvk_vcpu *vcpu, u64 next_rip);
u64 hv_guest_tsc(struct hvk_vcpu *vcpu);
void hv_event_init_vcpu(struct hvk_vcpu *vcpu);	/* at vCPU create */

/* hv_pio.c: port I/O exits, string I/O (INS/OUTS, REP) included. */
int hv_handle_io(struct hvk_vcpu *vcpu, const struct hv_exit *exit);

/* hv_msr.c: RDMSR/WRMSR exits, one set of rules for both vendors. */
int hv_handle_msr(struct hvk_vcpu *vcpu, const struct hv_exit *exit);

/* hv_mmio.c: nested page faults and MMIO emulation. */
int hv_handle_npf(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
int hv_mmio_complete(struct hvk_vcpu *vcpu);
int hv_fetch_insn(struct hvk_vcpu *vcpu, u8 *buf, size_t n, int *mode);
int hv_fetch_insn_at(struct hvk_vcpu *vcpu, u64 rip, u8 *buf, size_t n,
		     int *mode);
int hv_read_operand(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
		    const struct hv_insn *in, void *buf, size_t n);
/*
 * The emulator's guest-memory steps, for string I/O (hv_pio.c):
 * hv_guest_mode	the code's default size, 16, 32 or 64 (CS.L, CS.D).
 * hv_seg_gla		segment @seg's base + @ea: the linear address.
 * hv_emu_translate	the pieces (1 or 2) of an access of @size bytes at
 *			@gla through the guest's page tables; 0 when a page
 *			is not present and #PF (CR2, error code) is now
 *			queued for the guest; -EINVAL when hv cannot walk.
 * hv_emu_ram		read or write the pieces in guest RAM (-EFAULT for a
 *			piece outside RAM, -ENOMEM).
 */
int hv_guest_mode(const struct hv_sregs *s);
u64 hv_seg_gla(const struct hv_sregs *s, int mode, u8 seg, u64 ea);
int hv_emu_translate(struct hvk_vcpu *vcpu, struct hv_sregs *s, u64 gla,
		     unsigned int size, bool write,
		     struct hv_mmio_frag frag[2]);
int hv_emu_ram(struct hvk_vcpu *vcpu, const struct hv_mmio_frag *frag,
	       unsigned int n, u8 *buf, bool write);
int hv_pio_complete(struct hvk_vcpu *vcpu);	/* hv_pio.c: INS answered */
/* The WRMSR rules: which MSRs a guest may use, and which values. */
bool hv_msr_allowed(u32 index);
bool hv_msr_value_ok(struct hvk_vcpu *vcpu, u32 index, u64 val);

/* hv_cpuid.c */
void hv_cpuid_init(struct hv_cpuid *cpuid);
void hv_cpuid_lookup(const struct hv_cpuid *cpuid, u32 fn, u32 index,
		     u32 out[4]);
int hv_cpuid_check(const struct hv_cpuid *cpuid);
/* The per-vCPU parts of a CPUID answer (APIC ID, topology, x2APIC) */
void hv_cpuid_vcpu(struct hvk_vcpu *vcpu, u32 fn, u32 index, u32 out[4]);

/*
 * hv_cr.c: control and debug registers, one set of rules and write exits
 * for both vendors.
 */
bool hv_cr0_ok(u64 cr0, u64 cr4, u64 efer);
bool hv_cr4_host_ok(u64 cr4);
bool hv_cr4_write_ok(struct hvk_vcpu *vcpu, const struct hv_sregs *s,
		     u64 val);
int hv_handle_cr_write(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
int hv_handle_dr_access(struct hvk_vcpu *vcpu, const struct hv_exit *exit);

/* hv_xsave.c: XSAVE for guests (XCR0, the FPU area, XSETBV). */
extern u64 hv_xcr0_host, hv_xcr0_supported;
void hv_xsave_init(void);
u64 hv_xcr0_allowed(const struct hv_cpuid *cpuid);
void hv_xsave_cpuid_changed(struct hvk_vcpu *vcpu);
int hvk_vcpu_fpu_alloc(struct hvk_vcpu *vcpu);
void hvk_vcpu_fpu_free(struct hvk_vcpu *vcpu);
void hv_fpu_load_guest(struct hvk_vcpu *vcpu);
void hv_fpu_save_guest(struct hvk_vcpu *vcpu);
int hv_handle_xsetbv(struct hvk_vcpu *vcpu, const struct hv_exit *exit);
void hv_xsave_cpuid(struct hvk_vcpu *vcpu, u32 fn, u32 index, u32 out[4]);
void hv_xsave_cpuid_leaf(u32 index, u32 out[4]);
int hv_xsave_state_check(const struct hv_vcpu_state *st);
void hv_xsave_get_state(struct hvk_vcpu *vcpu, struct hv_vcpu_state *st);
void hv_xsave_set_state(struct hvk_vcpu *vcpu, const struct hv_vcpu_state *st);

/*
 * hv_dev.c: /dev/hv, and the ioctl boundary every hv fd shares.
 *
 * hv_ioctl_dispatch() is the only place an ioctl argument crosses
 * between user and kernel memory: it copies _IOC_SIZE bytes in (for
 * _IOC_WRITE) into a kernel buffer, zeroed for a command that only
 * reads, calls the handler with it, and copies it back (for _IOC_READ)
 * only when the handler succeeded (r >= 0).  No handler returns data
 * with an error.  Handlers see kernel memory only; @arg is the integer
 * argument of an _IO command and never a pointer.  The flags say what
 * the dispatcher takes around the handler, always in this order, and
 * releases before the copy back (docs/locking.md):
 *
 * HV_IOCTL_ADMIN	CAP_SYS_ADMIN only (EPERM, at lookup).
 * HV_IOCTL_VCPU	The vCPU quiet (hvk_vcpu_quiet_begin: its run_lock
 *			by trylock, EBUSY while it is held or the VM's
 *			managed run is running).  On a vCPU fd it is the
 *			fd's own and claimed before the argument is read;
 *			with HV_IOCTL_BY_ID the one the argument names.
 * HV_IOCTL_BY_ID	VM fd: the argument begins with a __u32 vCPU id;
 *			ENOENT when the VM has no such vCPU.  The handler
 *			gets that vCPU as @obj.
 * HV_IOCTL_QUIET	VM fd: the VM quiet (hvk_vm_quiet_begin: its
 *			mgmt_lock; EBUSY while a managed run is running).
 */
int hv_dev_init(void);
void hv_dev_exit(void);

#define HV_IOCTL_ADMIN		(1U << 0)
#define HV_IOCTL_VCPU		(1U << 1)
#define HV_IOCTL_BY_ID		(1U << 2)
#define HV_IOCTL_QUIET		(1U << 3)

struct hv_ioctl_desc {
	unsigned int cmd;
	long (*fn)(void *obj, void *data, unsigned long arg);
	unsigned int flags;	/* HV_IOCTL_* */
};

const struct hv_ioctl_desc *hv_ioctl_lookup(const struct hv_ioctl_desc *table,
					    size_t n, unsigned int cmd);
long hv_ioctl_dispatch(const struct hv_ioctl_desc *table, size_t n,
		       void *obj, unsigned int cmd, unsigned long arg);

/*
 * The one rule for the reserved and padding fields of an ioctl argument
 * (a scalar, an array, a struct): all zero, or the call is -EINVAL.
 */
#define hv_reserved_zero(field)	(!memchr_inv(&(field), 0, sizeof(field)))

/* FXSAVE, inside kernel_fpu_begin/end (the MXCSR mask: hv_xsave.c). */
static inline void hv_fxsave(struct fxregs_state *f)
{
	asm volatile("fxsaveq %0" : "=m" (*f));
}

/*
 * What the entry stubs return (vmx_vmenter.S, svm_vmrun.S; the assembly
 * gets these values from the generated hv-asm-offsets.h):
 *
 * HV_ENTER_EXIT	The entry instruction completed and the CPU came
 *			back through a VM exit, with the guest's GPRs stored
 *			in struct hv_regs.  That includes an entry that
 *			failed its guest-state checks, which the hardware
 *			reports as an exit (VT-x: exit reason bit 31, SDM
 *			Vol 3C, 27.8; AMD-V: VMEXIT_INVALID, APM Vol 2,
 *			15.5.1): read the exit record either way.
 * HV_ENTER_VMFAIL	VT-x only: VMLAUNCH/VMRESUME failed as an
 *			instruction (VMfailValid/VMfailInvalid, SDM Vol 3C,
 *			31.2); VM_INSTRUCTION_ERROR says why.  No guest ran
 *			and struct hv_regs is as it was.  AMD-V checks
 *			everything as part of VMRUN and never returns this.
 * HV_ENTER_FAULT	An entry instruction faulted (#UD: VMX or SVM was
 *			switched off under us, e.g. by an emergency reboot).
 *			No guest ran; the backend returns -EIO.
 */
#define HV_ENTER_EXIT		0
#define HV_ENTER_VMFAIL		1
#define HV_ENTER_FAULT		2

/*
 * The entry bracket the backends call, inline: it runs on every entry
 * and exit, with interrupts off.
 *
 * Interrupts off, just before entry: the guest's XCR0 (SDM Vol 1, 13.3),
 * when it differs from the host's and the guest may use XSAVE.  @cr4 is
 * the guest's CR4 as the backend holds it.  Returns whether it was
 * loaded, for hv_xcr0_load_host().
 */
static inline bool hv_xcr0_load_guest(struct hvk_vcpu *vcpu, u64 cr4)
{
	if (!hv_xcr0_host || vcpu->xcr0 == hv_xcr0_host)
		return false;
	if (!vcpu->xcr0_allowed && !(cr4 & X86_CR4_OSXSAVE))
		return false;
	xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	return true;
}

/* Interrupts still off, just after the exit: the host's XCR0 back. */
static inline void hv_xcr0_load_host(bool loaded)
{
	if (loaded)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, hv_xcr0_host);
}

/*
 * Interrupts off, last thing before the entry: the guest's XCR0 and
 * DR0-3, and whether the NPT/EPT changed since this vCPU last flushed.
 * Reading the generation here, with interrupts off, is what
 * hv_mem_flush_sync() relies on.  With .cancel (a request is pending)
 * nothing was loaded: the backend does not enter, and does not call
 * hv_guest_exit_irqoff().
 */
static inline struct hv_entry
hv_guest_enter_irqoff(struct hvk_vcpu *vcpu, u64 cr4)
{
	struct hv_entry e = { };
	u64 gen;

	/*
	 * In guest mode from here on for hvk_vcpu_kick(): a request set
	 * before the barrier is seen below and cancels the entry; one set
	 * after it sees IN_GUEST and sends this CPU an IPI, which (taken
	 * with interrupts off) makes the guest exit at once (KVM's
	 * vcpu_enter_guest, with its smp_mb).
	 */
	WRITE_ONCE(vcpu->cpu, smp_processor_id());
	WRITE_ONCE(vcpu->mode, HV_VCPU_IN_GUEST);
	smp_mb();
	if (READ_ONCE(vcpu->requests)) {
		WRITE_ONCE(vcpu->mode, HV_VCPU_OUTSIDE);
		e.cancel = true;
		return e;
	}
	gen = atomic64_read(&vcpu->vm->gpt_gen);
	e.flush = vcpu->gpt_gen != gen;
	vcpu->gpt_gen = gen;
	if (vcpu->db_live)
		hv_db_load(vcpu);
	e.xcr0 = hv_xcr0_load_guest(vcpu, cr4);
	return e;
}

/*
 * Interrupts still off, first thing after the exit (before the host may
 * take an interrupt): the host's XCR0, the guest's DR0-3 saved, and the
 * host's breakpoints back if it uses them (perf, ptrace watchpoints):
 * the exit left DR7 disabled (SDM Vol 3C, 28.5.1; APM Vol 2, 15.6).
 */
static inline void hv_guest_exit_irqoff(struct hvk_vcpu *vcpu,
					struct hv_entry e)
{
	/* Kicks from now on only need to set the request (and wake) */
	WRITE_ONCE(vcpu->mode, HV_VCPU_OUTSIDE);
	hv_xcr0_load_host(e.xcr0);
	if (vcpu->db_live)
		hv_db_save(vcpu);
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

#endif /* HV_CORE_H */
