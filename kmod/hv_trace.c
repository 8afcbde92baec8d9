// SPDX-License-Identifier: GPL-2.0
/*
 * hv's tracepoints, defined once (hv_trace.h has the events and why).
 * With HV_NO_TRACE (make HV_TRACE=0) there is nothing to define.
 */
#include "hv.h"

#define CREATE_TRACE_POINTS
#include "hv_trace.h"
