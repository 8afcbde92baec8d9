// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: ACPI tables for hv's PC.  Stub: issue 14.
 */
#include <errno.h>

#include "libhv.h"

int hv_acpi_build(void *buf, size_t room, uint64_t gpa,
		  const struct hv_acpi_config *cfg)
{
	(void)buf; (void)room; (void)gpa; (void)cfg;
	return -ENOSYS;
}
