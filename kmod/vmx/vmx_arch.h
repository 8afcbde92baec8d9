/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Architectural VT-x constants hv uses, with where the SDM defines them.
 * MSR numbers come from the kernel's <asm/msr-index.h>.
 */
#ifndef HV_VMX_ARCH_H
#define HV_VMX_ARCH_H

#include <linux/bits.h>

/* SDM Vol 3D, A.1 "Basic VMX Information" (IA32_VMX_BASIC) */
#define VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMX_BASIC_REGION_SIZE(b)	(((b) >> 32) & 0x1fff)	/* 44:32 */
#define VMX_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)	/* 53:50 */
#define VMX_BASIC_MEMTYPE_WB		6
#define VMX_BASIC_HAS_TRUE_CTLS		BIT_ULL(55)

/* SDM Vol 3C, 25.6.2, Table 25-6: primary processor-based controls */
#define VMX_PROC_ACTIVATE_SECONDARY	BIT(31)

/* SDM Vol 3C, 25.6.2, Table 25-7: secondary processor-based controls */
#define VMX_PROC2_ENABLE_EPT		BIT(1)
#define VMX_PROC2_ENABLE_VPID		BIT(5)
#define VMX_PROC2_UNRESTRICTED_GUEST	BIT(7)

/* SDM Vol 3D, A.10 "VPID and EPT Capabilities" (IA32_VMX_EPT_VPID_CAP) */
#define VMX_EPT_CAP_WALK_4		BIT_ULL(6)
#define VMX_EPT_CAP_WB			BIT_ULL(14)
#define VMX_EPT_CAP_2M			BIT_ULL(16)
#define VMX_EPT_CAP_1G			BIT_ULL(17)
#define VMX_EPT_CAP_INVEPT		BIT_ULL(20)
#define VMX_EPT_CAP_AD			BIT_ULL(21)
#define VMX_VPID_CAP_INVVPID		BIT_ULL(32)

#endif /* HV_VMX_ARCH_H */
