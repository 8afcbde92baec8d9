/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel integer types and errnos for code that the module and the unit
 * tests both compile (hv_pgtable, hv_insn, hv_gwalk): in the kernel they
 * come from <linux/...>, in userspace they are defined here, once.
 */
#ifndef HV_TYPES_H
#define HV_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* HV_TYPES_H */
