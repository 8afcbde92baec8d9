/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhv: the C library over /dev/hv (include/uapi/hv.h).
 *
 * Conventions, for every function here:
 *  - errors are returned as a negative errno; 0 (or a positive value where
 *    documented) means success;
 *  - the library never prints and never exits: turning an error into a
 *    message is the caller's job (hv_strerror() helps);
 *  - a struct hv is not locked: use one handle per thread, or serialise.
 */
#ifndef LIBHV_H
#define LIBHV_H

#include <stddef.h>
#include <stdint.h>

#include "uapi/hv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Device used by hv_open() when $HV_DEVICE is not set. */
#define HV_DEVICE_PATH		"/dev/hv"

/* An open /dev/hv. */
struct hv;

/*
 * Open $HV_DEVICE, or /dev/hv when it is unset or empty, and check that the
 * module speaks at least our HV_API_VERSION.
 * -ENOENT: no such device (module not loaded); -EACCES: not root or group
 * hv; -ENOTTY: the file is not an hv device; -EPROTONOSUPPORT: the module
 * is older than this library.
 */
int hv_open(struct hv **out);
int hv_open_path(const char *path, struct hv **out);
void hv_close(struct hv *hv);

/* The path hv_open() would use; never NULL. */
const char *hv_device_path(void);

/* The file descriptor, for poll() or raw ioctls; owned by the handle. */
int hv_fd(const struct hv *hv);

/* The module's HV_API_VERSION (> 0), as checked by hv_open(). */
int hv_api_version(struct hv *hv);

/* HV_GET_CAPS and HV_GET_STATUS. */
int hv_caps(struct hv *hv, struct hv_caps *caps);
int hv_status(struct hv *hv, struct hv_status *status);

/*
 * Hold hardware virtualization on while the handle stays open (tests);
 * needs CAP_SYS_ADMIN.  -EBUSY: another hypervisor owns VMX/SVM;
 * -EALREADY: this handle already holds it.
 */
int hv_debug_hold_virt(struct hv *hv);
int hv_debug_release_virt(struct hv *hv);

/*
 * Text for an errno, negative or positive, worded for hv where the plain
 * text would mislead (ENOENT means "module not loaded", not "no file").
 * Static storage, thread-safe, never NULL.
 */
const char *hv_strerror(int err);

/* "intel", "amd" or "none" (also for unknown values). */
const char *hv_vendor_name(uint32_t vendor);

/*
 * One entry per HV_FEAT_* bit.  key is stable (it is used in hvctl's JSON
 * output): lower case, digits and '_'.  desc is for humans.
 */
struct hv_feature {
	uint64_t bit;		/* HV_FEAT_* */
	uint32_t vendor;	/* HV_VENDOR_* that can report it */
	const char *key;
	const char *desc;
};

/* The whole table, ordered by vendor then bit; *n gets its length. */
const struct hv_feature *hv_feature_table(size_t *n);

#ifdef __cplusplus
}
#endif

#endif /* LIBHV_H */
