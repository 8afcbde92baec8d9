/* SPDX-License-Identifier: GPL-2.0 */
/* Unit-test stand-in: everything is in kshim/hv.h */
#include "../hv.h"
