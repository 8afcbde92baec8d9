/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit tests: shared helpers.  One binary (tests/unit/hv-unit) runs every
 * suite; tests/unit/main.c lists them.
 */
#ifndef HV_UNIT_H
#define HV_UNIT_H

#include <check.h>
#include <stdbool.h>

#include "libhv.h"

Suite *lib_suite(void);
Suite *open_suite(void);
Suite *json_suite(void);
Suite *info_suite(void);
Suite *cli_suite(void);
Suite *pgtable_suite(void);
Suite *insn_suite(void);
Suite *gwalk_suite(void);

/*
 * A fake /dev/hv.  The test binary is linked with -Wl,--wrap=ioctl, so
 * libhv's ioctl() calls come to fake_hv.c: on the file that
 * fake_hv_setup() made (and pointed $HV_DEVICE at) they answer from
 * fake_hv below; on every other file they go to the real ioctl().
 */
struct fake_hv {
	int version;		/* HV_GET_API_VERSION result */
	int caps_err;		/* errno for HV_GET_CAPS, or 0 */
	int status_err;		/* errno for HV_GET_STATUS, or 0 */
	struct hv_caps caps;
	struct hv_status status;
};
extern struct fake_hv fake_hv;
extern char fake_hv_path[];
void fake_hv_setup(void);	/* a checked fixture */
void fake_hv_teardown(void);

/* Canned capabilities of an emulated Intel and AMD machine. */
void fake_intel_caps(struct hv_caps *c, struct hv_status *s);
void fake_amd_caps(struct hv_caps *c, struct hv_status *s);

/*
 * Runs hvctl_main() on the NULL-terminated arguments after "hvctl" and
 * returns its exit status; *out and *err get what it printed (free them).
 */
int run_hvctl(char **out, char **err, ...);

/* True if s is exactly one well-formed JSON value (RFC 8259) plus "\n". */
bool json_valid(const char *s);

/* Number of times needle occurs in haystack. */
int count_substr(const char *haystack, const char *needle);

#endif /* HV_UNIT_H */
