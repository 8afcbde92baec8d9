/* SPDX-License-Identifier: GPL-2.0 */
/* Unit-test stand-in: the uapi types, then kshim/hv.h */
#include_next <linux/types.h>
