/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv's tracepoints (docs/tracing.md): TRACE_SYSTEM hv, so tracefs has
 * them under events/hv/, perf as hv:*, trace-cmd as -e hv.  Compare
 * KVM's arch/x86/kvm/trace.h (kvm_exit, kvm_pio, kvm_msr, kvm_cpuid...);
 * these are hv's own.
 *
 * Every event carries "vm", the VM's id (struct hv_vm_info.id, which
 * `hvctl info` and HV_LIST_VMS show), and "vcpu", so that a filter such
 * as `vm == 3` keeps one VM's events in the kernel.  Events that belong
 * to no vCPU (a clone, an IOAPIC line with no destination yet) have
 * vcpu HV_TRACE_NO_VCPU.
 *
 * Defined once, in hv_trace.c (CREATE_TRACE_POINTS).  Off, a tracepoint
 * is a static key: one patched-out jump at the call site.  `make
 * HV_TRACE=0` (kmod/Kbuild: -DHV_NO_TRACE) compiles every trace_hv_*()
 * call to nothing, only so that the bench can compare (tests/bench).
 */
#ifndef HV_TRACE_COMMON_H
#define HV_TRACE_COMMON_H

#define HV_TRACE_NO_VCPU	0xffffffffU

/* hv_inject: what was injected */
enum hv_trace_inject {
	HV_TRACE_INJ_IRQ,
	HV_TRACE_INJ_NMI,
	HV_TRACE_INJ_EXCEPTION,
};

/* hv_irq: who delivered an interrupt */
enum hv_trace_irq {
	HV_TRACE_IRQ_LAPIC,	/* a local APIC accepted a vector (IPI, MSI, IOAPIC) */
	HV_TRACE_IRQ_IOAPIC,	/* an IOAPIC pin was raised: line -> vector */
	HV_TRACE_IRQ_PIC,	/* the 8259 gave a vector at INTA: line -> vector */
};

/* hv_snapshot, hv_clone: the steps */
enum hv_trace_step {
	HV_TRACE_QUIET_BEGIN,	/* the VM held still for state */
	HV_TRACE_QUIET_END,
	HV_TRACE_VCPU_GET,	/* a vCPU's state read */
	HV_TRACE_VCPU_SET,	/* a vCPU's state written */
	HV_TRACE_DIRTY_LOG,	/* dirty pages handed out (pages) */
	HV_TRACE_CLONE_BEGIN,
	HV_TRACE_CLONE_END,	/* pages: shared copy-on-write */
};

#endif /* HV_TRACE_COMMON_H */

#ifdef HV_NO_TRACE
/*
 * Compiled out: each trace_hv_*() is an empty inline function whose
 * arguments the compiler drops.
 */
#ifndef HV_TRACE_NOP_H
#define HV_TRACE_NOP_H
static inline void hv_trace_nop(const void *p, ...) { }
#define trace_hv_entry(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_exit(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_pio(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_mmio(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_msr(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_cpuid(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_npf(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_inject(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_irq(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_halt(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_wake(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_snapshot(...)	hv_trace_nop(__VA_ARGS__)
#define trace_hv_clone(...)	hv_trace_nop(__VA_ARGS__)
#endif

#else /* !HV_NO_TRACE */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM hv

#if !defined(HV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HV_TRACE_H

#include <linux/tracepoint.h>
#include "hv.h"

/* The vendor-neutral exit codes by name: hv_stats.c's names */
#define HV_TRACE_EXITS						\
	EM(HV_X_NONE,		"none")				\
	EM(HV_X_IO,		"io")				\
	EM(HV_X_NPF,		"npf")				\
	EM(HV_X_CPUID,		"cpuid")			\
	EM(HV_X_RDMSR,		"rdmsr")			\
	EM(HV_X_WRMSR,		"wrmsr")			\
	EM(HV_X_HLT,		"hlt")				\
	EM(HV_X_PAUSE,		"pause")			\
	EM(HV_X_HYPERCALL,	"hypercall")			\
	EM(HV_X_SHUTDOWN,	"shutdown")			\
	EM(HV_X_INTR,		"intr")				\
	EM(HV_X_NMI,		"nmi")				\
	EM(HV_X_VIRT_INSN,	"virt_insn")			\
	EM(HV_X_UD,		"ud")				\
	EM(HV_X_XSETBV,		"xsetbv")			\
	EM(HV_X_CR_WRITE,	"cr_write")			\
	EM(HV_X_DR_ACCESS,	"dr_access")			\
	EM(HV_X_IRQ_WINDOW,	"irq_window")			\
	EM(HV_X_NMI_WINDOW,	"nmi_window")			\
	EM(HV_X_INVD,		"invd")				\
	EM(HV_X_WBINVD,		"wbinvd")			\
	EM(HV_X_MONITOR,	"monitor")			\
	EM(HV_X_MWAIT,		"mwait")			\
	EM(HV_X_RDPMC,		"rdpmc")			\
	EM(HV_X_RDPRU,		"rdpru")			\
	EM(HV_X_DEBUG,		"debug")			\
	EM(HV_X_FAIL_ENTRY,	"fail_entry")			\
	EMe(HV_X_UNHANDLED,	"unhandled")

#define HV_TRACE_NPFS						\
	EM(HV_NPF_MMIO,		"mmio")				\
	EM(HV_NPF_DIRTY,	"dirty_log")			\
	EM(HV_NPF_COW,		"cow")				\
	EM(HV_NPF_RETRY,	"writable")			\
	EMe(HV_NPF_SPURIOUS,	"spurious")

#define HV_TRACE_INJS						\
	EM(HV_TRACE_INJ_IRQ,	"irq")				\
	EM(HV_TRACE_INJ_NMI,	"nmi")				\
	EMe(HV_TRACE_INJ_EXCEPTION, "exception")

#define HV_TRACE_IRQS						\
	EM(HV_TRACE_IRQ_LAPIC,	"lapic")			\
	EM(HV_TRACE_IRQ_IOAPIC,	"ioapic")			\
	EMe(HV_TRACE_IRQ_PIC,	"pic")

#define HV_TRACE_STEPS						\
	EM(HV_TRACE_QUIET_BEGIN, "quiet_begin")			\
	EM(HV_TRACE_QUIET_END,	"quiet_end")			\
	EM(HV_TRACE_VCPU_GET,	"vcpu_get")			\
	EM(HV_TRACE_VCPU_SET,	"vcpu_set")			\
	EM(HV_TRACE_DIRTY_LOG,	"dirty_log")			\
	EM(HV_TRACE_CLONE_BEGIN, "begin")			\
	EMe(HV_TRACE_CLONE_END,	"end")

/* The enums' values for userspace (perf, trace-cmd read the format) */
#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);
HV_TRACE_EXITS
HV_TRACE_NPFS
HV_TRACE_INJS
HV_TRACE_IRQS
HV_TRACE_STEPS
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

#define HV_TRACE_ISA { HV_VENDOR_INTEL, "vmx" }, { HV_VENDOR_AMD, "svm" }

/* The fields every event begins with */
#define HV_TP_IDS	__field(u64, vm) __field(u32, vcpu)
#define HV_TP_SET(v)	do {						\
		__entry->vm = (v)->vm->id;				\
		__entry->vcpu = (v)->id;				\
	} while (0)

TRACE_EVENT(hv_entry,
	TP_PROTO(struct hvk_vcpu *vcpu),
	TP_ARGS(vcpu),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u64, rip)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->rip = vcpu->regs.rip;
	),
	TP_printk("vm %llu vcpu %u rip 0x%llx",
		  __entry->vm, __entry->vcpu, __entry->rip)
);

/*
 * hw: VT-x exit reason (SDM Vol 3C, 28.2.1), AMD-V EXITCODE (APM Vol 2,
 * 15.6); info1: qualification / EXITINFO1; info2: VM-exit interruption
 * info (28.2.2) / EXITINFO2.
 */
TRACE_EVENT(hv_exit,
	TP_PROTO(struct hvk_vcpu *vcpu, const struct hv_exit *exit),
	TP_ARGS(vcpu, exit),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u32, reason)
		__field(u32, isa)
		__field(u64, hw)
		__field(u64, info1)
		__field(u64, info2)
		__field(u64, rip)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->reason = exit->code;
		__entry->isa = hv_ops->vendor;
		__entry->hw = exit->raw.reason;
		__entry->info1 = exit->raw.info1;
		__entry->info2 = exit->raw.info2;
		__entry->rip = vcpu->regs.rip;
	),
	TP_printk("vm %llu vcpu %u reason %s %s 0x%llx info 0x%llx 0x%llx rip 0x%llx",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->reason, HV_TRACE_EXITS),
		  __print_symbolic(__entry->isa, HV_TRACE_ISA),
		  __entry->hw, __entry->info1, __entry->info2, __entry->rip)
);

/* user: the access went out to userspace (no device in the kernel) */
TRACE_EVENT(hv_pio,
	TP_PROTO(struct hvk_vcpu *vcpu, u16 port, u8 size, bool in, u32 val,
		 bool user),
	TP_ARGS(vcpu, port, size, in, val, user),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u16, port)
		__field(u8, size)
		__field(u8, in)
		__field(u8, user)
		__field(u32, val)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->port = port;
		__entry->size = size;
		__entry->in = in;
		__entry->user = user;
		__entry->val = val;
	),
	TP_printk("vm %llu vcpu %u %s port 0x%x size %u value 0x%x by %s",
		  __entry->vm, __entry->vcpu, __entry->in ? "in" : "out",
		  __entry->port, __entry->size, __entry->val,
		  __entry->user ? "user" : "kernel")
);

TRACE_EVENT(hv_mmio,
	TP_PROTO(struct hvk_vcpu *vcpu, u64 gpa, u8 size, bool write, u64 val,
		 bool user),
	TP_ARGS(vcpu, gpa, size, write, val, user),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u64, gpa)
		__field(u64, val)
		__field(u8, size)
		__field(u8, write)
		__field(u8, user)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->gpa = gpa;
		__entry->val = val;
		__entry->size = size;
		__entry->write = write;
		__entry->user = user;
	),
	TP_printk("vm %llu vcpu %u %s gpa 0x%llx size %u value 0x%llx by %s",
		  __entry->vm, __entry->vcpu,
		  __entry->write ? "write" : "read", __entry->gpa,
		  __entry->size, __entry->val,
		  __entry->user ? "user" : "kernel")
);

/* fault: the access got #GP (SDM Vol 2B, RDMSR/WRMSR) */
TRACE_EVENT(hv_msr,
	TP_PROTO(struct hvk_vcpu *vcpu, u32 index, u64 val, bool write,
		 bool fault),
	TP_ARGS(vcpu, index, val, write, fault),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u32, index)
		__field(u64, val)
		__field(u8, write)
		__field(u8, fault)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->index = index;
		__entry->val = val;
		__entry->write = write;
		__entry->fault = fault;
	),
	TP_printk("vm %llu vcpu %u %s index 0x%x value 0x%llx%s",
		  __entry->vm, __entry->vcpu,
		  __entry->write ? "wrmsr" : "rdmsr", __entry->index,
		  __entry->val, __entry->fault ? " #GP" : "")
);

TRACE_EVENT(hv_cpuid,
	TP_PROTO(struct hvk_vcpu *vcpu, u32 leaf, u32 subleaf, const u32 *out),
	TP_ARGS(vcpu, leaf, subleaf, out),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u32, leaf)
		__field(u32, subleaf)
		__array(u32, out, 4)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->leaf = leaf;
		__entry->subleaf = subleaf;
		memcpy(__entry->out, out, sizeof(__entry->out));
	),
	TP_printk("vm %llu vcpu %u leaf 0x%x subleaf 0x%x eax 0x%x ebx 0x%x ecx 0x%x edx 0x%x",
		  __entry->vm, __entry->vcpu, __entry->leaf, __entry->subleaf,
		  __entry->out[0], __entry->out[1], __entry->out[2],
		  __entry->out[3])
);

TRACE_EVENT(hv_npf,
	TP_PROTO(struct hvk_vcpu *vcpu, u64 gpa, bool write, bool fetch,
		 int outcome),
	TP_ARGS(vcpu, gpa, write, fetch, outcome),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u64, gpa)
		__field(u8, write)
		__field(u8, fetch)
		__field(u32, outcome)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->gpa = gpa;
		__entry->write = write;
		__entry->fetch = fetch;
		__entry->outcome = outcome;
	),
	TP_printk("vm %llu vcpu %u gpa 0x%llx %s %s",
		  __entry->vm, __entry->vcpu, __entry->gpa,
		  __entry->fetch ? "x" : __entry->write ? "w" : "r",
		  __print_symbolic(__entry->outcome, HV_TRACE_NPFS))
);

TRACE_EVENT(hv_inject,
	TP_PROTO(struct hvk_vcpu *vcpu, u8 vector, int kind, bool has_error,
		 u32 error),
	TP_ARGS(vcpu, vector, kind, has_error, error),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u8, vector)
		__field(u8, has_error)
		__field(u32, kind)
		__field(u32, error)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->vector = vector;
		__entry->kind = kind;
		__entry->has_error = has_error;
		__entry->error = error;
	),
	TP_printk("vm %llu vcpu %u %s vector %u error %s0x%x",
		  __entry->vm, __entry->vcpu,
		  __print_symbolic(__entry->kind, HV_TRACE_INJS),
		  __entry->vector, __entry->has_error ? "" : "none ",
		  __entry->error)
);

/* line: the IOAPIC pin or PIC IRQ (-1 for a local APIC's accept) */
TRACE_EVENT(hv_irq,
	TP_PROTO(struct hvk_vm *vm, u32 vcpu, int source, int line, u8 vector),
	TP_ARGS(vm, vcpu, source, line, vector),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u32, source)
		__field(s32, line)
		__field(u8, vector)
	),
	TP_fast_assign(
		__entry->vm = vm->id;
		__entry->vcpu = vcpu;
		__entry->source = source;
		__entry->line = line;
		__entry->vector = vector;
	),
	TP_printk("vm %llu vcpu %d %s line %d vector %u",
		  __entry->vm, (int)__entry->vcpu,
		  __print_symbolic(__entry->source, HV_TRACE_IRQS),
		  __entry->line, __entry->vector)
);

/* if_on: RFLAGS.IF, whether an interrupt can end the halt */
TRACE_EVENT(hv_halt,
	TP_PROTO(struct hvk_vcpu *vcpu, bool if_on),
	TP_ARGS(vcpu, if_on),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u8, if_on)
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
		__entry->if_on = if_on;
	),
	TP_printk("vm %llu vcpu %u if %u", __entry->vm, __entry->vcpu,
		  __entry->if_on)
);

TRACE_EVENT(hv_wake,
	TP_PROTO(struct hvk_vcpu *vcpu),
	TP_ARGS(vcpu),
	TP_STRUCT__entry(
		HV_TP_IDS
	),
	TP_fast_assign(
		HV_TP_SET(vcpu);
	),
	TP_printk("vm %llu vcpu %u", __entry->vm, __entry->vcpu)
);

TRACE_EVENT(hv_snapshot,
	TP_PROTO(struct hvk_vm *vm, u32 vcpu, int step, u64 pages),
	TP_ARGS(vm, vcpu, step, pages),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u32, step)
		__field(u64, pages)
	),
	TP_fast_assign(
		__entry->vm = vm->id;
		__entry->vcpu = vcpu;
		__entry->step = step;
		__entry->pages = pages;
	),
	TP_printk("vm %llu vcpu %d %s pages %llu",
		  __entry->vm, (int)__entry->vcpu,
		  __print_symbolic(__entry->step, HV_TRACE_STEPS),
		  __entry->pages)
);

/* vm: the source; clone: the new VM's id */
TRACE_EVENT(hv_clone,
	TP_PROTO(struct hvk_vm *vm, u64 clone, int step, u64 pages),
	TP_ARGS(vm, clone, step, pages),
	TP_STRUCT__entry(
		HV_TP_IDS
		__field(u64, clone)
		__field(u32, step)
		__field(u64, pages)
	),
	TP_fast_assign(
		__entry->vm = vm->id;
		__entry->vcpu = HV_TRACE_NO_VCPU;
		__entry->clone = clone;
		__entry->step = step;
		__entry->pages = pages;
	),
	TP_printk("vm %llu clone %llu %s pages %llu",
		  __entry->vm, __entry->clone,
		  __print_symbolic(__entry->step, HV_TRACE_STEPS),
		  __entry->pages)
);

#endif /* HV_TRACE_H */

/* An out-of-tree module: the header is found here (kmod/Kbuild: -I$(src)) */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE hv_trace

#include <trace/define_trace.h>

#endif /* !HV_NO_TRACE */
