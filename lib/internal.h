/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhv: what the library's own files share and the public header does
 * not promise.
 */
#ifndef LIBHV_INTERNAL_H
#define LIBHV_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "libhv.h"

/* CLOCK_MONOTONIC: for deadlines and for how long a step took. */
static inline uint64_t hv_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline int64_t hv_monotonic_ms(void)
{
	return (int64_t)(hv_monotonic_ns() / 1000000);
}

/*
 * Bytes of mapped guest RAM from @gpa to the end of the mapping holding
 * it; 0 if @gpa is not in mapped RAM.
 */
__attribute__((visibility("hidden")))
uint64_t hv_vm_gpa_room(const struct hv_vm *vm, uint64_t gpa);

/* A handle around a VM fd the caller got (HV_VM_CLONE); closes it on error. */
__attribute__((visibility("hidden")))
int hv_vm_from_fd(int fd, const char *name, struct hv_vm **out);

/* lib/state.c: hv_vm_clone() with HV_CLONE_* @how (HV_CLONE_HOLD, API 8) */
__attribute__((visibility("hidden")))
int hv_vm_clone_how(struct hv_vm *vm, const char *name, uint32_t flags,
		    uint32_t how, struct hv_vm **out);

#endif /* LIBHV_INTERNAL_H */
