/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The snapshot file format (docs/snapshot-format.md), pure C with no
 * ioctl and no file system access: encoders and decoders for each part
 * (lib/snap/snapfile.c) and one validator over a whole file in memory
 * (lib/snap/snapparse.c).  lib/snap/snapshot.c and lib/snap/restore.c
 * do the I/O; the unit tests and tests/unit/fuzz/ compile these files
 * directly.
 */
#ifndef LIBHV_SNAPFILE_H
#define LIBHV_SNAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/hv.h"

/* libhv's own: not exported from libhv.so. */
#pragma GCC visibility push(hidden)

#define SNAP_MAGIC		"HVSNAP\r\n"	/* 8 bytes */
/*
 * 2: the PC platform (API 4).  Version 1 files still load: restore
 * fills what they lack (docs/snapshot-format.md, "Version 1 files").
 * 3: the memory index (SNAP_SEC_INDEX) and its offset in the end
 * section, for a restore that reads guest memory lazily.
 */
#define SNAP_FORMAT_VERSION	3
#define SNAP_FORMAT_OLDEST	1
#define SNAP_FORMAT_INDEXED	3	/* the first version with an index */
#define SNAP_FLAG_INCREMENTAL	(1u << 0)
#define SNAP_ID_LEN		16
#define SNAP_HDR_FIXED		124	/* header bytes before the base path */
#define SNAP_BASE_PATH_MAX	4096
#define SNAP_SEC_HDR		16	/* type, index, length */
#define SNAP_SEC_TRAILER	4	/* CRC32C */
#define SNAP_PAGE		4096u
/* Guest address space one memory section covers at most. */
#define SNAP_CHUNK_PAGES	1024u
#define SNAP_MAX_CHAIN		16	/* incremental files over one full one */

enum snap_section_type {
	SNAP_SEC_CONFIG = 1,
	SNAP_SEC_VCPU = 2,
	SNAP_SEC_DEVICES = 3,
	SNAP_SEC_MEMORY = 4,
	SNAP_SEC_INDEX = 5,		/* version 3: after the memory */
	SNAP_SEC_END = 0x454e44,	/* "END" */
};

/* struct snap_mem_record.kind */
#define SNAP_MEM_DATA		0	/* nr_pages x 4 KiB follow */
#define SNAP_MEM_ZERO		1	/* all-zero now (had data in the base) */
#define SNAP_MEM_RECORD		16	/* bytes per record in the file */

/* The index section: nr_entries, reserved, then one entry per memory section */
#define SNAP_INDEX_HDR		8
#define SNAP_INDEX_ENTRY	32	/* off, len, first_page, region, nr_pages */
/* The end section's payload: count, reserved, pages_stored (+ index_off) */
#define SNAP_END_LEN		16	/* versions 1 and 2 */
#define SNAP_END_LEN_INDEXED	24	/* version 3 */

struct snap_header {
	uint32_t format_version;
	uint32_t header_size;
	uint32_t flags;
	uint32_t vendor;
	char hv_version[32];
	uint8_t id[SNAP_ID_LEN];
	uint8_t base_id[SNAP_ID_LEN];
	uint64_t vm_id;
	uint64_t dirty_epoch;
	uint64_t file_size;
	char base_path[SNAP_BASE_PATH_MAX + 1];
};

struct snap_config {
	char name[HV_NAME_LEN];
	uint32_t flags;
	uint32_t nr_vcpus;
	uint32_t nr_regions;
	struct { uint64_t gpa, size; } regions[HV_MAX_REGIONS];
};

/*
 * Where a memory section lies in the file and which pages it may hold.
 * snap_parse() sets every field and @checked.  snap_parse_index() sets
 * all but the last three from the index; they are valid once
 * snap_check_mem() has set @checked.
 */
struct snap_mem_section {
	uint32_t region;
	uint32_t nr_pages;	/* its window: pages [first_page, + nr_pages) */
	uint64_t first_page;	/* (before version 3: its records' span) */
	size_t off;		/* file offset of its section header */
	uint64_t len;		/* of its payload */
	bool checked;		/* CRC and records verified */
	uint32_t nr_records;
	size_t records;		/* file offset of the first record */
	size_t data;		/* file offset of the first data page */
};

/* A whole valid file: what snap_parse() found. */
struct snap_file {
	struct snap_header hdr;
	struct snap_config cfg;
	struct hv_vcpu_state *vcpus;	/* cfg.nr_vcpus, in file order */
	struct hv_device_state devices;
	struct snap_mem_section *mem;
	size_t nr_mem;
	uint64_t pages_stored;		/* data pages */
	uint64_t zero_records;		/* explicit zero pages (not lazily) */
	size_t index_off;		/* version 3: the index section's */
	/* For snap_check_mem(): the caller's label, and mem[0]'s number */
	const char *label;
	unsigned int mem_sec_n;
};

/* ---- writing ---- */

/* A growing byte buffer; on allocation failure 'failed' is set. */
struct snap_buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

void snap_put_u8(struct snap_buf *b, uint8_t v);
void snap_put_u16(struct snap_buf *b, uint16_t v);
void snap_put_u32(struct snap_buf *b, uint32_t v);
void snap_put_u64(struct snap_buf *b, uint64_t v);
void snap_put_bytes(struct snap_buf *b, const void *p, size_t n);
void snap_buf_free(struct snap_buf *b);

/*
 * The header, with its CRC (the base path from h->base_path; version
 * h->format_version, or the current one if that is 0).
 */
void snap_encode_header(struct snap_buf *b, const struct snap_header *h);
/*
 * A section with a payload known in full: header, payload, CRC.
 * snap_section_begin/end bracket payload puts for the same thing.
 */
size_t snap_section_begin(struct snap_buf *b, uint32_t type, uint32_t index);
void snap_section_end(struct snap_buf *b, size_t start);
/* The payloads of the small sections. */
void snap_encode_config(struct snap_buf *b, const struct snap_config *c);
void snap_encode_vcpu(struct snap_buf *b, const struct hv_vcpu_state *s);
void snap_encode_devices(struct snap_buf *b, const struct hv_device_state *d);
/* The same in an older format version (tests: files of older libhvs) */
void snap_encode_vcpu_version(struct snap_buf *b,
			      const struct hv_vcpu_state *s, uint32_t version);
void snap_encode_devices_version(struct snap_buf *b,
				 const struct hv_device_state *d,
				 uint32_t version);
/*
 * The end section's payload in format @version (0: the current one);
 * @index_off only from version 3.
 */
void snap_encode_end(struct snap_buf *b, uint32_t version,
		     uint32_t nr_sections, uint64_t pages_stored,
		     uint64_t index_off);
/*
 * Version 3's memory index: snap_index_add() for each memory section as
 * it is written (its header at file offset @off, its payload @len bytes,
 * its window), into @entries; snap_encode_index() puts the index
 * section's payload.
 */
void snap_index_add(struct snap_buf *entries, uint64_t off, uint64_t len,
		    uint32_t region, uint64_t first_page, uint32_t nr_pages);
void snap_encode_index(struct snap_buf *b, const struct snap_buf *entries);
/* A section header for a payload of @len bytes (the caller CRCs). */
void snap_encode_section_header(uint8_t out[SNAP_SEC_HDR], uint32_t type,
				uint32_t index, uint64_t len);

/* True if the 4 KiB page at @p is all zero (64-bit words, early out). */
bool snap_page_is_zero(const void *p);

/* ---- reading ---- */

static inline uint64_t snap_get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/*
 * One payload's fields (lib/snap/snapfile.c): NULL, or what is wrong ("too
 * many MSRs", "length does not match its contents").
 */
const char *snap_decode_config(const uint8_t *p, uint64_t len,
			       struct snap_config *c);
const char *snap_decode_vcpu(const uint8_t *p, uint64_t len,
			     uint32_t version, struct hv_vcpu_state *s);
const char *snap_decode_devices(const uint8_t *p, uint64_t len,
				uint32_t version, struct hv_device_state *d);

/* lib/snap/snapparse.c */
/*
 * Validate every byte of the file @buf, @len bytes long, and fill @f
 * (free it with snap_file_free()).  On error: -EINVAL and one line in
 * @err, "LABEL: what" (LABEL names the file).  An incremental file's
 * base is not looked at here.
 */
int snap_parse(const uint8_t *buf, size_t len, const char *label,
	       struct snap_file *f, char *err, size_t errlen);
void snap_file_free(struct snap_file *f);

/*
 * For a lazy restore: validate everything of a version 3 file but the
 * memory sections' payloads and CRCs, which are not read: the header,
 * the config, vCPU and devices sections, the end section (the last 44
 * bytes), the index it points to, and that all of them and the memory
 * sections the index lists tile the file exactly (each memory section's
 * 16-byte header is read and must agree with its entry).  Fills @f as
 * snap_parse() does, with f->mem[] unchecked, f->pages_stored from the
 * end section and f->label = @label (which must outlive @f).  -ENOENT
 * for a file with no index (before version 3: the caller restores it
 * in full), -EINVAL, -ENOMEM; one line in @err.
 */
int snap_parse_index(const uint8_t *buf, size_t len, const char *label,
		     struct snap_file *f, char *err, size_t errlen);
/*
 * Verify memory section @i of a file from snap_parse_index(): its CRC,
 * then its records as snap_parse() checks them, inside its window; then
 * set f->mem[i]'s records, data and nr_records, and checked.  Writes
 * nothing else: threads may check different sections at once.  0, or
 * -EINVAL with one line in @err.
 */
int snap_check_mem(struct snap_file *f, const uint8_t *buf, size_t i,
		   char *err, size_t errlen);

typedef int (*snap_run_fn)(void *opaque, uint32_t region, uint64_t page,
			   uint32_t nr_pages, const uint8_t *data);
/*
 * Calls @fn for every record of every memory section in file order;
 * @data NULL for a zero record.  Stops at the first non-zero return.
 */
int snap_for_each_page_run(const struct snap_file *f, const uint8_t *buf,
			   snap_run_fn fn, void *opaque);
/* The same for memory section @i alone; -EINVAL if it is not checked. */
int snap_for_each_page_run_in(const struct snap_file *f, const uint8_t *buf,
			      size_t i, snap_run_fn fn, void *opaque);

/* True if two files describe the same VM layout (regions, vCPUs). */
bool snap_same_layout(const struct snap_config *a,
		      const struct snap_config *b);

#pragma GCC visibility pop

#endif /* LIBHV_SNAPFILE_H */
