/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's tracepoints over the shim: compiled out (kmod/hv_trace.h
 * with HV_NO_TRACE), so the devices compile in userspace unchanged.
 */
#ifndef HV_NO_TRACE
#define HV_NO_TRACE
#endif
#include "../../../kmod/hv_trace.h"
