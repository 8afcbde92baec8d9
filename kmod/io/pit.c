// SPDX-License-Identifier: GPL-2.0
/* io/pit.c: STUB (issue 13 interface commit); see io/platform.h */
#include "../hv.h"
#include "platform.h"
