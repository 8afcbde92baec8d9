/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural AMD-V constants hv uses, with where the APM defines them.
 * MSR numbers come from the kernel's <asm/msr-index.h>.
 */
#ifndef HV_SVM_ARCH_H
#define HV_SVM_ARCH_H

#include <linux/bits.h>

/* APM Vol 3, CPUID Fn8000_0001_ECX bit 2: SVM */
#define SVM_CPUID_SVM			BIT(2)
#define SVM_CPUID_LEAF			0x8000000a

/* APM Vol 2, 15.30.1 "VM_CR MSR" */
#define SVM_VM_CR_LOCK			BIT_ULL(3)
#define SVM_VM_CR_SVMDIS		BIT_ULL(4)

/* APM Vol 3, CPUID Fn8000_000A_EDX: SVM feature identification */
#define SVM_FEAT_NP			BIT(0)
#define SVM_FEAT_LBRV			BIT(1)
#define SVM_FEAT_NRIPS			BIT(3)
#define SVM_FEAT_VMCB_CLEAN		BIT(5)
#define SVM_FEAT_FLUSH_BY_ASID		BIT(6)
#define SVM_FEAT_DECODE_ASSISTS		BIT(7)
#define SVM_FEAT_PAUSE_FILTER		BIT(10)
#define SVM_FEAT_PAUSE_THRESHOLD	BIT(12)

#endif /* HV_SVM_ARCH_H */
