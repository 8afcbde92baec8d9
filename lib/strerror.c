// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: error text.  The generic errno wording is wrong for hv in a few
 * places (ENOENT from open("/dev/hv") means the module is not loaded, not
 * that some file is missing), so those get their own text.
 */
#define _GNU_SOURCE		/* strerrordesc_np */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "libhv.h"

static const struct {
	int err;
	const char *text;
} hv_errtab[] = {
	{ ENOENT,		"no /dev/hv: is hv.ko loaded?" },
	{ EACCES,		"permission denied: need root or group hv" },
	{ EPERM,		"permission denied: need root or group hv" },
	{ EBUSY,		"VMX/SVM is in use by another hypervisor "
				"(kvm_intel, kvm_amd or VirtualBox)" },
	{ ENODEV,		"no usable VT-x or AMD-V: missing on this CPU "
				"or disabled by firmware" },
	{ EPROTONOSUPPORT,	"hv.ko is older than libhv "
				"(API version mismatch)" },
	{ ENOTTY,		"not an hv device" },
};

const char *hv_strerror(int err)
{
	const char *text;
	size_t i;

	/* -INT_MIN does not exist; no errno is anywhere near it anyway. */
	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;

	for (i = 0; i < sizeof(hv_errtab) / sizeof(hv_errtab[0]); i++)
		if (hv_errtab[i].err == err)
			return hv_errtab[i].text;

	/*
	 * strerror() may return a per-thread buffer that the next call
	 * overwrites ("Unknown error N"); strerrordesc_np() returns a
	 * constant string or NULL, which is what a library wants.
	 */
	text = strerrordesc_np(err);
	return text ? text : "unknown error";
}
