/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMCB, as the APM lays it out: Vol 2, Appendix B, Table B-1 (control
 * area, offset 0) and Table B-2 (state save area, offset 0x400).  The
 * offsets are checked at build time in svm_vcpu.c.
 */
#ifndef HV_SVM_VMCB_H
#define HV_SVM_VMCB_H

#include <linux/types.h>
#include <linux/bits.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 */
	u32 limit;	/* byte granular */
	u64 base;
} __packed;

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008: bit n = vector n */
	u32 intercept_misc1;		/* 0x00c */
	u32 intercept_misc2;		/* 0x010 */
	u32 intercept_misc3;		/* 0x014 */
	u8  reserved_018[0x03c - 0x018];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8  tlb_control;		/* 0x05c */
	u8  reserved_05d[3];
	u64 v_intr;			/* 0x060: V_TPR 3:0, V_INTR_MASKING 24 */
	u64 int_state;			/* 0x068: bit 0 interrupt shadow */
	u64 exitcode;			/* 0x070 */
	u64 exitinfo1;			/* 0x078 */
	u64 exitinfo2;			/* 0x080 */
	u64 exitintinfo;		/* 0x088 */
	u64 np_enable;			/* 0x090: bit 0 nested paging */
	u64 avic_apic_bar;		/* 0x098 */
	u64 ghcb_pa;			/* 0x0a0 */
	u64 event_inj;			/* 0x0a8 */
	u64 n_cr3;			/* 0x0b0: nested page table root */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip;			/* 0x0c8: with NRIP save */
	u8  insn_len;			/* 0x0d0: with decode assists */
	u8  insn_bytes[15];		/* 0x0d1 */
	u8  reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x460 */
	u8  reserved_4a0[0x4cb - 0x4a0];
	u8  cpl;			/* 0x4cb */
	u32 reserved_4cc;
	u64 efer;			/* 0x4d0 */
	u8  reserved_4d8[0x548 - 0x4d8];
	u64 cr4;			/* 0x548 */
	u64 cr3;			/* 0x550 */
	u64 cr0;			/* 0x558 */
	u64 dr7;			/* 0x560 */
	u64 dr6;			/* 0x568 */
	u64 rflags;			/* 0x570 */
	u64 rip;			/* 0x578 */
	u8  reserved_580[0x5d8 - 0x580];
	u64 rsp;			/* 0x5d8 */
	u64 s_cet, ssp, isst_addr;	/* 0x5e0 */
	u64 rax;			/* 0x5f8 */
	u64 star;			/* 0x600 */
	u64 lstar;			/* 0x608 */
	u64 cstar;			/* 0x610 */
	u64 sfmask;			/* 0x618 */
	u64 kernel_gs_base;		/* 0x620 */
	u64 sysenter_cs;		/* 0x628 */
	u64 sysenter_esp;		/* 0x630 */
	u64 sysenter_eip;		/* 0x638 */
	u64 cr2;			/* 0x640 */
	u8  reserved_648[0x668 - 0x648];
	u64 g_pat;			/* 0x668 */
	u64 dbgctl;			/* 0x670 */
	u8  reserved_678[0x1000 - 0x678];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

/* APM Vol 2, Table B-1: intercept vector 3 (misc1) */
#define SVM_INTERCEPT_INTR	BIT(0)
#define SVM_INTERCEPT_NMI	BIT(1)
#define SVM_INTERCEPT_VINTR	BIT(4)
#define SVM_INTERCEPT_RDPMC	BIT(15)
#define SVM_INTERCEPT_CPUID	BIT(18)
#define SVM_INTERCEPT_IRET	BIT(20)
#define SVM_INTERCEPT_INTN	BIT(21)
#define SVM_INTERCEPT_INVD	BIT(22)
#define SVM_INTERCEPT_PAUSE	BIT(23)
#define SVM_INTERCEPT_HLT	BIT(24)
#define SVM_INTERCEPT_INVLPGA	BIT(26)
#define SVM_INTERCEPT_IOIO	BIT(27)
#define SVM_INTERCEPT_MSR	BIT(28)
#define SVM_INTERCEPT_SHUTDOWN	BIT(31)
/* intercept vector 4 (misc2) */
#define SVM_INTERCEPT_VMRUN	BIT(0)
#define SVM_INTERCEPT_VMMCALL	BIT(1)
#define SVM_INTERCEPT_VMLOAD	BIT(2)
#define SVM_INTERCEPT_VMSAVE	BIT(3)
#define SVM_INTERCEPT_STGI	BIT(4)
#define SVM_INTERCEPT_CLGI	BIT(5)
#define SVM_INTERCEPT_SKINIT	BIT(6)
#define SVM_INTERCEPT_WBINVD	BIT(9)	/* and WBNOINVD */
#define SVM_INTERCEPT_MONITOR	BIT(10)	/* and MONITORX */
#define SVM_INTERCEPT_MWAIT	BIT(11)	/* and MWAITX, unconditionally */
#define SVM_INTERCEPT_MWAIT_ARMED BIT(12) /* ... if the monitor is armed */
#define SVM_INTERCEPT_XSETBV	BIT(13)
#define SVM_INTERCEPT_RDPRU	BIT(14)

/* APM Vol 2, 15.21.1-4: VMCB offset 0x60, virtual interrupts */
#define SVM_V_IRQ		BIT_ULL(8)
#define SVM_V_INTR_PRIO_SHIFT	16
#define SVM_V_IGN_TPR		BIT_ULL(20)
#define SVM_V_INTR_MASKING	BIT_ULL(24)
#define SVM_NP_ENABLE		BIT_ULL(0)	/* APM Vol 2, 15.25.3 */
#define SVM_TLB_FLUSH_ALL	1		/* APM Vol 2, 15.16.1 TLB_CONTROL */
#define SVM_TLB_FLUSH_ASID	3

/* APM Vol 2, 15.20: EVENTINJ and EXITINTINFO */
#define SVM_EVTINJ_VALID	BIT_ULL(31)
#define SVM_EVTINJ_ERR_VALID	BIT_ULL(11)
#define SVM_EVTINJ_TYPE_MASK	(7ULL << 8)
#define SVM_EVTINJ_TYPE_INTR	(0ULL << 8)
#define SVM_EVTINJ_TYPE_NMI	(2ULL << 8)
#define SVM_EVTINJ_TYPE_EXC	(3ULL << 8)
#define SVM_EVTINJ_TYPE_SOFT	(4ULL << 8)	/* INTn */
#define SVM_EVTINJ_VEC_MASK	0xffULL

/* APM Vol 2, 15.21.5: VMCB INTERRUPT_SHADOW */
#define SVM_INT_SHADOW		BIT_ULL(0)

/* APM Vol 2, 15.12.1: DR intercepts, reads in 15:0, writes in 31:16 */
#define SVM_INTERCEPT_DR_READ(n)	BIT(n)
#define SVM_INTERCEPT_DR_WRITE(n)	BIT(16 + (n))

/* APM Vol 2, Appendix C: exit codes */
#define SVM_EXIT_WRITE_CR0	0x010
#define SVM_EXIT_WRITE_CR4	0x014
#define SVM_EXIT_WRITE_CR8	0x018
#define SVM_EXIT_READ_DR0	0x020	/* + n */
#define SVM_EXIT_WRITE_DR0	0x030	/* + n */
#define SVM_EXIT_WRITE_DR7	0x037
#define SVM_EXIT_EXCP_DB	0x041	/* 0x40 + vector */
#define SVM_EXIT_EXCP_BP	0x043
#define SVM_EXIT_EXCP_UD	0x046
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_VINTR		0x064
#define SVM_EXIT_RDPMC		0x06f
#define SVM_EXIT_CPUID		0x072
#define SVM_EXIT_IRET		0x074
#define SVM_EXIT_SWINT		0x075	/* INTn */
#define SVM_EXIT_INVD		0x076
#define SVM_EXIT_PAUSE		0x077
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_INVLPGA	0x07a
#define SVM_EXIT_IOIO		0x07b
#define SVM_EXIT_MSR		0x07c
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMRUN		0x080
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_VMLOAD		0x082
#define SVM_EXIT_VMSAVE		0x083
#define SVM_EXIT_STGI		0x084
#define SVM_EXIT_CLGI		0x085
#define SVM_EXIT_SKINIT		0x086
#define SVM_EXIT_WBINVD		0x089	/* WBINVD and WBNOINVD */
#define SVM_EXIT_MONITOR	0x08a
#define SVM_EXIT_MWAIT		0x08b
#define SVM_EXIT_MWAIT_COND	0x08c
#define SVM_EXIT_XSETBV		0x08d
#define SVM_EXIT_RDPRU		0x08e
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_INVALID	((u64)-1)

/* APM Vol 2, 15.10.2: IOIO EXITINFO1 */
#define SVM_IOIO_IN		BIT(0)
#define SVM_IOIO_STR		BIT(2)
#define SVM_IOIO_REP		BIT(3)
#define SVM_IOIO_SIZE_SHIFT	4	/* SZ8, SZ16, SZ32 one-hot in 6:4 */
#define SVM_IOIO_PORT_SHIFT	16

/* APM Vol 2, 15.25.6: #NPF error code in EXITINFO1 */
#define SVM_NPF_WRITE		BIT_ULL(1)
#define SVM_NPF_FETCH		BIT_ULL(4)

/* APM Vol 2, 15.10.1 / 15.11: permission map sizes */
#define SVM_IOPM_SIZE		(3 * 4096)
#define SVM_MSRPM_SIZE		(2 * 4096)

#endif /* HV_SVM_VMCB_H */
