/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the snapshot tests: VMs with known state in the fake, a
 * temporary directory, and a walk over a file's sections.
 */
#ifndef HV_UNIT_SNAP_HELPERS_H
#define HV_UNIT_SNAP_HELPERS_H

#include "unit.h"

extern char snap_dir[];		/* a fresh temporary directory */
void snap_setup(void);		/* fake_hv_setup() + snap_dir */
void snap_teardown(void);

/* "DIR/NAME" in snap_dir, in a static buffer per call slot (0..3). */
const char *snap_path(int slot, const char *name);

/* Deterministic, every serialized field set; pads and reserved zero. */
void snap_fill_vcpu(struct hv_vcpu_state *s, uint32_t id, uint32_t seed);
void snap_fill_devices(struct hv_device_state *d, uint32_t seed);

/*
 * A VM @name in the fake: RAM regions (gpa, size pairs), vCPUs with ids
 * @ids, states filled as above, and @nr_data pages written with a
 * pattern (every 7th page of region 0).  Returns the open handle.
 */
struct hv_vm *snap_make_vm(struct hv *hv, const char *name,
			   const uint64_t (*regions)[2], unsigned int nr,
			   const uint32_t *ids, unsigned int nr_ids);

/* Every byte of RAM, every vCPU and the devices of two fake VMs agree. */
void snap_assert_same_vm(const char *a, const char *b);

/* The whole file, malloc'd; *len its size. */
uint8_t *snap_read(const char *path, size_t *len);
void snap_write(const char *path, const void *buf, size_t len);

/* Sections of a valid file: start offsets and types; returns how many. */
int snap_sections(const uint8_t *b, size_t len, size_t *off, uint32_t *type,
		  int max);

/*
 * The file at @path read lazily (snap_parse_index(), snap_check_mem() on
 * each memory section) agrees with snap_parse(): the same sections, each
 * in the SNAP_CHUNK_PAGES-aligned window of its region the writer gives
 * it.  Returns how many memory sections it has.
 */
size_t snap_assert_indexed(const char *path);

#endif
