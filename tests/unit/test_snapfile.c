// SPDX-License-Identifier: GPL-2.0
/*
 * The pure format code (lib/snap/snapfile.c, lib/snap/crc32c.c),
 * compiled into the tests directly: CRC32C vectors and its two
 * implementations agreeing, field-by-field round trips, and files
 * crafted with the encoder whose checksums are right but whose contents
 * are not.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snap_helpers.h"
#include "snap/crc32c.h"
#include "snap/snapfile.h"

/* ---- CRC32C ---- */

START_TEST(crc_vectors)
{
	uint8_t buf[32];

	ck_assert_uint_eq(hv_crc32c(0, "123456789", 9), 0xE3069283);
	ck_assert_uint_eq(hv_crc32c_sw(0, "123456789", 9), 0xE3069283);
	ck_assert_uint_eq(hv_crc32c_hw(0, "123456789", 9), 0xE3069283);
	ck_assert_uint_eq(hv_crc32c(0, "", 0), 0);
	/* RFC 3720, B.4 */
	memset(buf, 0, 32);
	ck_assert_uint_eq(hv_crc32c(0, buf, 32), 0x8A9136AA);
	memset(buf, 0xff, 32);
	ck_assert_uint_eq(hv_crc32c(0, buf, 32), 0x62A8AB43);
	/* Continuing a CRC is the CRC of the concatenation. */
	ck_assert_uint_eq(hv_crc32c(hv_crc32c(0, "1234", 4), "56789", 5),
			  0xE3069283);
}
END_TEST

START_TEST(crc_paths_agree)
{
	size_t n = 200000, len, off;
	uint8_t *b = malloc(n + 16);
	uint64_t x = 88172645463325252ULL;

	for (off = 0; off < n + 16; off++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		b[off] = (uint8_t)x;
	}
	/* Lengths across every path: bytes, words, short and long blocks. */
	for (len = 0; len < n; len = len * 5 / 4 + 1)
		for (off = 0; off < 9; off++)
			ck_assert_uint_eq(hv_crc32c_sw(7, b + off, len),
					  hv_crc32c_hw(7, b + off, len));
	ck_assert_uint_eq(hv_crc32c_sw(0, b, n), hv_crc32c(0, b, n));
	free(b);
}
END_TEST

/* ---- crafted files ---- */

struct craft {
	struct snap_config cfg;
	struct hv_vcpu_state vcpu[HV_MAX_VCPUS + 2];
	unsigned int nr_vcpu_sections;
	struct hv_device_state dev;
	struct snap_buf mem;		/* whole memory sections, CRC'd */
	uint32_t nr_mem;
	struct snap_buf index;		/* their entries, offsets in @mem */
	uint64_t pages;
	int32_t end_count_delta;
	uint32_t version;		/* 0: SNAP_FORMAT_VERSION */
	int with_index;			/* 1 always, -1 never, 0 from 3 on */
	uint32_t nr_optional;		/* sections of type 0x80000001 */
};

static void craft_init(struct craft *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->cfg.name, "vm");
	c->cfg.nr_vcpus = 1;
	c->cfg.nr_regions = 1;
	c->cfg.regions[0].gpa = 0;
	c->cfg.regions[0].size = 16 * 4096;
	snap_fill_vcpu(&c->vcpu[0], 0, 1);
	c->nr_vcpu_sections = 1;
	snap_fill_devices(&c->dev, 2);
}

/*
 * A memory section: one record of @kind at @page, @n pages; its index
 * entry gives it the window a writer would (SNAP_CHUNK_PAGES-aligned).
 */
static void craft_mem(struct craft *c, uint32_t region, uint64_t page,
		      uint32_t n, uint32_t kind)
{
	size_t start = snap_section_begin(&c->mem, SNAP_SEC_MEMORY, region);
	uint64_t first = page / SNAP_CHUNK_PAGES * SNAP_CHUNK_PAGES;
	uint64_t pages = c->cfg.regions[region].size / SNAP_PAGE;
	uint32_t i;

	snap_put_u32(&c->mem, region);
	snap_put_u32(&c->mem, 1);
	snap_put_u64(&c->mem, 0);
	snap_put_u64(&c->mem, page);
	snap_put_u32(&c->mem, n);
	snap_put_u32(&c->mem, kind);
	if (kind == SNAP_MEM_DATA) {
		uint8_t pg[4096];

		for (i = 0; i < n; i++) {
			memset(pg, 0x11 + i, sizeof(pg));
			snap_put_bytes(&c->mem, pg, sizeof(pg));
		}
		c->pages += n;
	}
	snap_section_end(&c->mem, start);
	snap_index_add(&c->index, start, c->mem.len - start - SNAP_SEC_HDR -
		       SNAP_SEC_TRAILER, region, first,
		       pages > first && pages - first < SNAP_CHUNK_PAGES ?
		       (uint32_t)(pages - first) : SNAP_CHUNK_PAGES);
	c->nr_mem++;
}

/* An optional section (a later libhv's) among the memory sections. */
static void craft_optional(struct craft *c)
{
	size_t start = snap_section_begin(&c->mem, 0x80000001u, 0);

	snap_put_u64(&c->mem, 42);
	snap_section_end(&c->mem, start);
	c->nr_optional++;
}

static uint8_t *craft_build(struct craft *c, uint32_t flags, size_t *len)
{
	uint32_t version = c->version ? c->version : SNAP_FORMAT_VERSION;
	struct snap_header h;
	struct snap_buf b = { 0 };
	unsigned int i, nsec = 0;
	size_t start, index_off;

	memset(&h, 0, sizeof(h));
	h.format_version = version;
	h.flags = flags;
	strcpy(h.hv_version, "test");
	h.id[0] = 1;
	if (flags & SNAP_FLAG_INCREMENTAL) {
		strcpy(h.base_path, "/nonexistent/base.hv");
		h.base_id[0] = 2;
	}
	snap_encode_header(&b, &h);
	start = snap_section_begin(&b, SNAP_SEC_CONFIG, 0);
	snap_encode_config(&b, &c->cfg);
	snap_section_end(&b, start);
	nsec++;
	for (i = 0; i < c->nr_vcpu_sections; i++) {
		start = snap_section_begin(&b, SNAP_SEC_VCPU,
					   c->vcpu[i].vcpu_id);
		snap_encode_vcpu_version(&b, &c->vcpu[i], version);
		snap_section_end(&b, start);
		nsec++;
	}
	start = snap_section_begin(&b, SNAP_SEC_DEVICES, 0);
	snap_encode_devices_version(&b, &c->dev, version);
	snap_section_end(&b, start);
	nsec++;
	/* The entries' offsets were from the first memory section's. */
	for (i = 0; i < c->index.len; i += SNAP_INDEX_ENTRY) {
		uint64_t off = snap_get_le(c->index.p + i, 8) + b.len;

		memcpy(c->index.p + i, &off, 8);
	}
	snap_put_bytes(&b, c->mem.p, c->mem.len);
	nsec += c->nr_mem + c->nr_optional;
	index_off = b.len;
	if (c->with_index > 0 ||
	    (!c->with_index && version >= SNAP_FORMAT_INDEXED)) {
		start = snap_section_begin(&b, SNAP_SEC_INDEX, 0);
		snap_encode_index(&b, &c->index);
		snap_section_end(&b, start);
		nsec++;
	}
	start = snap_section_begin(&b, SNAP_SEC_END, 0);
	snap_encode_end(&b, version, nsec + c->end_count_delta, c->pages,
			index_off);
	snap_section_end(&b, start);
	ck_assert(!b.failed);
	/* The real file size, then the header again with it. */
	h.file_size = b.len;
	{
		struct snap_buf hb = { 0 };

		snap_encode_header(&hb, &h);
		memcpy(b.p, hb.p, hb.len);
		snap_buf_free(&hb);
	}
	snap_buf_free(&c->mem);
	snap_buf_free(&c->index);
	*len = b.len;
	return b.p;
}

static void expect(struct craft *c, uint32_t flags, const char *want)
{
	struct snap_file f;
	char err[512];
	size_t len;
	uint8_t *b = craft_build(c, flags, &len);
	int ret = snap_parse(b, len, "x.hv", &f, err, sizeof(err));

	if (!want) {
		ck_assert_msg(ret == 0, "%s", err);
		snap_file_free(&f);
	} else {
		ck_assert_int_eq(ret, -EINVAL);
		ck_assert_msg(strstr(err, want), "wanted '%s', got '%s'",
			      want, err);
	}
	free(b);
}

START_TEST(craft_round_trip)
{
	struct craft c;
	struct snap_file f;
	char err[512];
	size_t len;
	uint8_t *b;

	craft_init(&c);
	c.cfg.nr_vcpus = 3;
	c.nr_vcpu_sections = 3;
	snap_fill_vcpu(&c.vcpu[1], 5, 16);	/* 16 MSRs: the most */
	snap_fill_vcpu(&c.vcpu[2], 7, 9);
	c.vcpu[2].cpuid.nent = HV_CPUID_MAX_ENTRIES;
	c.dev.uart.rx_count = HV_UART_STATE_RX;
	craft_mem(&c, 0, 3, 2, SNAP_MEM_DATA);
	b = craft_build(&c, 0, &len);
	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.cfg.nr_vcpus, 3);
	ck_assert(!memcmp(&f.vcpus[0], &c.vcpu[0], sizeof(c.vcpu[0])));
	ck_assert(!memcmp(&f.vcpus[1], &c.vcpu[1], sizeof(c.vcpu[1])));
	ck_assert(!memcmp(&f.vcpus[2], &c.vcpu[2], sizeof(c.vcpu[2])));
	ck_assert(!memcmp(&f.devices, &c.dev, sizeof(c.dev)));
	ck_assert_uint_eq(f.pages_stored, 2);
	snap_file_free(&f);
	free(b);
}
END_TEST

START_TEST(craft_bad_contents)
{
	struct craft c;

	craft_init(&c);
	c.cfg.nr_vcpus = 2;
	expect(&c, 0, "section 3 (devices): found after 1 of 2 vCPUs");

	craft_init(&c);
	c.cfg.nr_vcpus = 2;
	c.nr_vcpu_sections = 2;
	snap_fill_vcpu(&c.vcpu[1], 0, 3);
	expect(&c, 0, "section 3 (vcpu 0): vcpu 0 appears twice");

	craft_init(&c);
	c.cfg.nr_vcpus = 9;
	expect(&c, 0, "section 1 (config): 9 vCPUs (at most 8)");

	craft_init(&c);
	c.vcpu[0].vcpu_id = 8;
	expect(&c, 0, "vCPU id beyond 7");

	craft_init(&c);
	c.cfg.nr_regions = 2;
	c.cfg.regions[1].gpa = 8 * 4096;
	c.cfg.regions[1].size = 4096;
	expect(&c, 0, "regions 0 and 1 overlap");

	craft_init(&c);
	c.cfg.regions[0].size = 4095;
	expect(&c, 0, "is not 4K-aligned or empty");

	craft_init(&c);
	c.cfg.regions[0].gpa = HV_MAX_GPA;
	expect(&c, 0, "region 0 ends beyond 512 GiB");

	craft_init(&c);
	c.cfg.nr_regions = HV_MAX_REGIONS + 1;
	expect(&c, 0, "more than 16 RAM regions");

	craft_init(&c);
	c.cfg.regions[0].size = HV_MAX_RAM + 4096;
	expect(&c, 0, "more than 16 GiB of RAM");

	craft_init(&c);
	strcpy(c.cfg.name, "-bad");
	expect(&c, 0, "invalid VM name");

	craft_init(&c);
	c.vcpu[0].nr_msrs = HV_STATE_MAX_MSRS + 1;
	expect(&c, 0, "section 2 (vcpu 0): too many MSRs");

	craft_init(&c);
	c.vcpu[0].cpuid.nent = HV_CPUID_MAX_ENTRIES + 1;
	expect(&c, 0, "too many CPUID entries");

	craft_init(&c);
	c.dev.uart.rx_count = HV_UART_STATE_RX + 1;
	expect(&c, 0, "section 3 (devices): UART receive buffer");

	craft_init(&c);
	craft_mem(&c, 0, 15, 2, SNAP_MEM_DATA);
	expect(&c, 0, "section 4 (memory, region 0): record 0: pages 15+2 "
	       "beyond the region's 16 pages");

	craft_init(&c);
	craft_mem(&c, 1, 0, 1, SNAP_MEM_DATA);
	expect(&c, 0, "no such region (the VM has 1)");

	craft_init(&c);
	craft_mem(&c, 0, 2, 2, SNAP_MEM_DATA);
	craft_mem(&c, 0, 3, 1, SNAP_MEM_DATA);
	expect(&c, 0, "section 5 (memory, region 0): page 3 of region 0 "
	       "stored twice");

	craft_init(&c);
	craft_mem(&c, 0, 2, 1, SNAP_MEM_ZERO);
	expect(&c, 0, "zero page in a full snapshot");
	craft_init(&c);
	craft_mem(&c, 0, 2, 1, SNAP_MEM_ZERO);
	expect(&c, SNAP_FLAG_INCREMENTAL, NULL);

	craft_init(&c);
	craft_mem(&c, 0, 2, 1, 7);
	expect(&c, 0, "unknown kind 7");

	craft_init(&c);
	c.end_count_delta = 1;
	expect(&c, 0, "section 5 (end): says 5 sections");

	craft_init(&c);
	c.cfg.nr_vcpus = 0;
	c.nr_vcpu_sections = 0;
	expect(&c, 0, NULL);
}
END_TEST

/* The sizes docs/snapshot-format.md gives. */
/*
 * A version 1 file (before the PC platform) still parses: the fields it
 * does not have read as zero.  A version 2 payload in a version 1 file
 * (or the reverse) is refused by its length; an activity state out of
 * range is refused.
 */
START_TEST(craft_version1)
{
	struct hv_vcpu_state *v = calloc(1, sizeof(*v));
	struct hv_device_state *d = calloc(1, sizeof(*d));
	struct craft c;
	struct snap_file f;
	char err[512];
	size_t len;
	uint8_t *b;

	craft_init(&c);
	c.version = 1;
	c.vcpu[0].events.flags &= 15;	/* no NMI_PENDING before API 4 */
	b = craft_build(&c, 0, &len);
	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)), 0);
	ck_assert_uint_eq(f.hdr.format_version, 1);
	memcpy(v, &c.vcpu[0], offsetof(struct hv_vcpu_state, mp_state));
	ck_assert(!memcmp(&f.vcpus[0], v, sizeof(*v)));
	memcpy(d, &c.dev, offsetof(struct hv_device_state, pic));
	ck_assert(!memcmp(&f.devices, d, sizeof(*d)));
	snap_file_free(&f);
	free(b);

	/* Version 2 payloads under a version 1 header: too long */
	craft_init(&c);
	b = craft_build(&c, 0, &len);
	b[8] = 1;
	{
		uint32_t hs = (uint32_t)snap_get_le(b + 12, 4);
		uint32_t crc = hv_crc32c(0, b, hs - 4);

		memcpy(b + hs - 4, &crc, 4);
	}
	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "length does not match"));
	free(b);

	craft_init(&c);
	c.vcpu[0].mp_state = 3;
	expect(&c, 0, "unknown activity state 3");
	free(v);
	free(d);
}
END_TEST

START_TEST(documented_sizes)
{
	struct snap_buf b = { 0 };
	struct hv_vcpu_state *v = calloc(1, sizeof(*v));
	struct hv_device_state d;
	struct snap_config c;
	struct snap_header h;

	memset(&h, 0, sizeof(h));
	snap_encode_header(&b, &h);
	ck_assert_uint_eq(b.len, 128);
	b.len = 0;
	strcpy(h.base_path, "/a/b.hv");
	snap_encode_header(&b, &h);
	ck_assert_uint_eq(b.len, 128 + 7);
	ck_assert_uint_eq(b.p[12], 128 + 7);

	b.len = 0;
	v->nr_msrs = 3;
	v->cpuid.nent = 10;
	snap_encode_vcpu(&b, v);
	ck_assert_uint_eq(b.len, 5658 + 12 * 3 + 28 * 10);
	b.len = 0;
	snap_encode_vcpu_version(&b, v, 1);
	ck_assert_uint_eq(b.len, 4593 + 12 * 3 + 28 * 10);
	b.len = 0;
	memset(&d, 0, sizeof(d));
	snap_encode_devices(&b, &d);
	ck_assert_uint_eq(b.len, 474);
	b.len = 0;
	snap_encode_devices_version(&b, &d, 1);
	ck_assert_uint_eq(b.len, 20);
	b.len = 0;
	memset(&c, 0, sizeof(c));
	c.nr_regions = 1;
	snap_encode_config(&b, &c);
	ck_assert_uint_eq(b.len, 48 + 16);
	b.len = 0;
	snap_encode_end(&b, 2, 0, 0, 0);
	ck_assert_uint_eq(b.len, 16);
	b.len = 0;
	snap_encode_end(&b, 0, 0, 0, 0);
	ck_assert_uint_eq(b.len, 24);
	{
		struct snap_buf e = { 0 };

		snap_index_add(&e, 1, 2, 3, 4, 5);
		snap_index_add(&e, 1, 2, 3, 4, 5);
		ck_assert_uint_eq(e.len, 2 * 32);
		b.len = 0;
		snap_encode_index(&b, &e);
		ck_assert_uint_eq(b.len, 8 + 2 * 32);
		snap_buf_free(&e);
	}
	snap_buf_free(&b);
	free(v);
}
END_TEST

/* ---- the memory index (version 3) and the lazy reader ---- */

/*
 * Region 0 of 3000 pages (three windows: 1024, 1024, 952), region 1 of
 * 2048: four memory sections, 7 data pages.  The end section's count
 * is off by @end_count_delta.
 */
static uint8_t *craft_indexed(struct craft *c, int32_t end_count_delta,
			      size_t *len)
{
	craft_init(c);
	c->end_count_delta = end_count_delta;
	c->cfg.nr_regions = 2;
	c->cfg.regions[0].size = 3000 * 4096;
	c->cfg.regions[1].gpa = 1ULL << 30;
	c->cfg.regions[1].size = 2048 * 4096;
	craft_mem(c, 0, 3, 2, SNAP_MEM_DATA);
	craft_mem(c, 0, 1500, 1, SNAP_MEM_DATA);
	craft_mem(c, 0, 2900, 3, SNAP_MEM_DATA);
	craft_mem(c, 1, 0, 1, SNAP_MEM_DATA);
	return craft_build(c, 0, len);
}

static const struct { uint32_t region, nr_pages; uint64_t first; }
indexed_windows[] = {
	{ 0, 1024, 0 }, { 0, 1024, 1024 }, { 0, 952, 2048 }, { 1, 1024, 0 },
};

/* The index section's offset (from the end section) and entry @i's. */
static size_t index_at(const uint8_t *b, size_t len)
{
	return (size_t)snap_get_le(b + len - 4 - 8, 8);
}

static uint8_t *entry_at(uint8_t *b, size_t len, unsigned int i)
{
	return b + index_at(b, len) + SNAP_SEC_HDR + SNAP_INDEX_HDR +
	       i * SNAP_INDEX_ENTRY;
}

/* The CRC of the section at @off made right again. */
static void recrc(uint8_t *b, size_t off)
{
	uint64_t l = snap_get_le(b + off + 8, 8);
	uint32_t crc = hv_crc32c(0, b + off, SNAP_SEC_HDR + l);

	memcpy(b + off + SNAP_SEC_HDR + l, &crc, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);	/* x86: little-endian */
}

/* Both readers refuse @b: snap_parse() with @full, the lazy one @lazy. */
static void refused_both(const uint8_t *b, size_t len, const char *full,
			 const char *lazy)
{
	struct snap_file f;
	char err[512];

	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, full), "wanted '%s', got '%s'", full, err);
	ck_assert_int_eq(snap_parse_index(b, len, "x.hv", &f, err,
					  sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, lazy), "wanted '%s', got '%s'", lazy, err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_eq(f.mem, NULL);
}

struct runs {
	unsigned int n;
	uint32_t region[8], nr[8];
	uint64_t page[8];
	const uint8_t *data[8];
};

static int note_run(void *opaque, uint32_t region, uint64_t page,
		    uint32_t n, const uint8_t *data)
{
	struct runs *r = opaque;

	ck_assert_uint_lt(r->n, 8);
	r->region[r->n] = region;
	r->page[r->n] = page;
	r->nr[r->n] = n;
	r->data[r->n++] = data;
	return 0;
}

START_TEST(index_round_trip)
{
	struct snap_file full, lazy;
	struct runs a = { 0 }, b = { 0 };
	struct craft c;
	char err[512];
	size_t len, i;
	uint8_t *buf = craft_indexed(&c, 0, &len);

	ck_assert_int_eq(snap_parse(buf, len, "x.hv", &full, err,
				    sizeof(err)), 0);
	ck_assert_uint_eq(full.hdr.format_version, 3);
	ck_assert_uint_eq(full.nr_mem, 4);
	ck_assert_uint_eq(full.pages_stored, 7);
	ck_assert_uint_eq(full.index_off, index_at(buf, len));
	ck_assert_int_eq(snap_parse_index(buf, len, "x.hv", &lazy, err,
					  sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(lazy.nr_mem, 4);
	ck_assert_uint_eq(lazy.pages_stored, 7);
	ck_assert_uint_eq(lazy.index_off, full.index_off);
	ck_assert(!memcmp(&lazy.cfg, &full.cfg, sizeof(full.cfg)));
	ck_assert(!memcmp(lazy.vcpus, full.vcpus, sizeof(*full.vcpus)));
	ck_assert(!memcmp(&lazy.devices, &full.devices, sizeof(full.devices)));
	for (i = 0; i < 4; i++) {
		struct snap_mem_section *m = &lazy.mem[i], *w = &full.mem[i];

		ck_assert_uint_eq(m->region, indexed_windows[i].region);
		ck_assert_uint_eq(m->first_page, indexed_windows[i].first);
		ck_assert_uint_eq(m->nr_pages, indexed_windows[i].nr_pages);
		ck_assert_uint_eq(w->first_page, m->first_page);
		ck_assert_uint_eq(w->nr_pages, m->nr_pages);
		ck_assert_uint_eq(m->off, w->off);
		ck_assert_uint_eq(m->len, w->len);
		ck_assert(w->checked && !m->checked);
		ck_assert_int_eq(snap_for_each_page_run_in(&lazy, buf, i,
							   note_run, &b),
				 -EINVAL);
		ck_assert_int_eq(snap_check_mem(&lazy, buf, i, err,
						sizeof(err)), 0);
		ck_assert(m->checked);
		ck_assert_uint_eq(m->records, w->records);
		ck_assert_uint_eq(m->data, w->data);
		ck_assert_uint_eq(m->nr_records, w->nr_records);
		ck_assert_int_eq(snap_for_each_page_run_in(&lazy, buf, i,
							   note_run, &b), 0);
	}
	ck_assert_int_eq(snap_for_each_page_run(&full, buf, note_run, &a), 0);
	ck_assert_uint_eq(a.n, 4);
	ck_assert(!memcmp(&a, &b, sizeof(a)));
	ck_assert_uint_eq(a.page[2], 2900);
	ck_assert_uint_eq(a.data[2][3 * 4096 - 1], 0x13);
	snap_file_free(&full);
	snap_file_free(&lazy);
	free(buf);
}
END_TEST

/* snap_parse() takes versions 1 to 3; the lazy reader has no index before 3 */
START_TEST(index_versions)
{
	struct snap_file f;
	struct craft c;
	char err[512];
	uint32_t v;
	size_t len;
	uint8_t *b;

	for (v = 1; v <= 3; v++) {
		craft_init(&c);
		c.version = v;
		c.vcpu[0].events.flags &= 15;	/* no NMI_PENDING in 1 */
		craft_mem(&c, 0, 2, 2, SNAP_MEM_DATA);
		b = craft_build(&c, 0, &len);
		ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err,
					    sizeof(err)), 0);
		ck_assert_uint_eq(f.hdr.format_version, v);
		ck_assert_uint_eq(f.nr_mem, 1);
		snap_file_free(&f);
		if (v < 3) {
			ck_assert_int_eq(snap_parse_index(b, len, "x.hv", &f,
							  err, sizeof(err)),
					 -ENOENT);
			ck_assert_msg(strstr(err, "x.hv: no memory index "
					     "(format version"), "%s", err);
			ck_assert_ptr_eq(f.mem, NULL);
		}
		free(b);
	}

	/* An index in a version 2 file; none in a version 3 one */
	craft_init(&c);
	c.version = 2;
	c.with_index = 1;
	expect(&c, 0, "section 4 (index): a memory index in a version 2 "
	       "file");
	craft_init(&c);
	c.with_index = -1;
	craft_mem(&c, 0, 2, 2, SNAP_MEM_DATA);
	b = craft_build(&c, 0, &len);
	refused_both(b, len, "section 5 (end): no memory index before it",
		     "the end section: says the index is at byte");
	free(b);
}
END_TEST

/*
 * The lazy reader never reads a memory section's payload: with every
 * page of them made unreadable it still parses, and a damaged data byte
 * shows only when that section is checked.
 */
START_TEST(index_lazy_reads_no_memory)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), len, maplen, i, n = 0;
	struct snap_file f;
	struct craft c;
	char err[512];
	uint8_t *b = craft_indexed(&c, 0, &len), *map;

	/* A data byte of the second memory section (page 1500) */
	b[snap_get_le(entry_at(b, len, 1), 8) + SNAP_SEC_HDR + 32 + 100] ^= 1;
	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "x.hv: section 5 (memory, region 0): checksum "
			 "mismatch");

	maplen = (len + pg - 1) / pg * pg;
	map = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(map != MAP_FAILED);
	memcpy(map, b, len);
	for (i = 0; i < 4; i++) {
		const uint8_t *e = entry_at(map, len, i);
		size_t off = snap_get_le(e, 8), end;
		size_t lo = (off + SNAP_SEC_HDR + pg - 1) / pg * pg;

		end = off + SNAP_SEC_HDR + snap_get_le(e + 8, 8) +
		      SNAP_SEC_TRAILER;
		if (lo < end / pg * pg) {
			ck_assert_int_eq(mprotect(map + lo, end / pg * pg - lo,
						  PROT_NONE), 0);
			n += (end / pg * pg - lo) / pg;
		}
	}
	ck_assert_uint_ge(n, 3);	/* of 7 data pages */
	ck_assert_int_eq(snap_parse_index(map, len, "x.hv", &f, err,
					  sizeof(err)), 0);
	ck_assert_uint_eq(f.nr_mem, 4);
	ck_assert_int_eq(mprotect(map, maplen, PROT_READ), 0);
	for (i = 0; i < 4; i++) {
		if (i != 1) {
			ck_assert_int_eq(snap_check_mem(&f, map, i, err,
							sizeof(err)), 0);
			continue;
		}
		ck_assert_int_eq(snap_check_mem(&f, map, i, err, sizeof(err)),
				 -EINVAL);
		ck_assert_str_eq(err, "x.hv: section 5 (memory, region 0): "
				 "checksum mismatch");
		ck_assert(!f.mem[i].checked);
	}
	snap_file_free(&f);
	munmap(map, maplen);
	free(b);
}
END_TEST

struct check_arg {
	struct snap_file *f;
	const uint8_t *buf;
	size_t i;
	int ret;
};

static void *check_one(void *p)
{
	struct check_arg *a = p;
	char err[512];

	a->ret = snap_check_mem(a->f, a->buf, a->i, err, sizeof(err));
	return NULL;
}

/* Sections are checked in threads at once, each on its own. */
START_TEST(index_check_threads)
{
	struct check_arg a[4];
	pthread_t t[4];
	struct snap_file f;
	struct craft c;
	char err[512];
	size_t len, i;
	uint8_t *b = craft_indexed(&c, 0, &len);

	ck_assert_int_eq(snap_parse_index(b, len, "x.hv", &f, err,
					  sizeof(err)), 0);
	for (i = 0; i < 4; i++) {
		a[i] = (struct check_arg){ &f, b, i, -1 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, check_one, &a[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(a[i].ret, 0);
		ck_assert(f.mem[i].checked);
	}
	ck_assert_int_eq(snap_check_mem(&f, b, 4, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x.hv: no memory section 4 (the file has 4)");
	snap_file_free(&f);
	free(b);
}
END_TEST

/* An index that disagrees with the file, by either reader. */
START_TEST(index_refusals)
{
	char full[256], lazy[256];
	struct snap_file f;
	struct craft c;
	char err[512];
	size_t len, idx, off1, end, i;
	uint8_t *good = craft_indexed(&c, 0, &len), *b = malloc(len);

	idx = index_at(good, len);
	end = len - (SNAP_SEC_HDR + 24 + SNAP_SEC_TRAILER);
	off1 = (size_t)snap_get_le(entry_at(good, len, 1), 8);

	/* A damaged index */
	memcpy(b, good, len);
	b[idx + SNAP_SEC_HDR + 40] ^= 1;
	refused_both(b, len, "section 8 (index): checksum mismatch",
		     "x.hv: the index section: checksum mismatch");

	/* An entry's offset, length, region */
	memcpy(b, good, len);
	put64(entry_at(b, len, 1), off1 + 4);
	recrc(b, idx);
	snprintf(full, sizeof(full), "x.hv: section 8 (index): entry 1 says "
		 "offset %zu, the memory section is at %zu", off1 + 4, off1);
	snprintf(lazy, sizeof(lazy), "x.hv: section 8 (index): entry 1 says "
		 "offset %zu, the section before ends at %zu", off1 + 4, off1);
	refused_both(b, len, full, lazy);

	memcpy(b, good, len);
	put64(entry_at(b, len, 1) + 8, 4096 + 32 + 16 + 4096);
	recrc(b, idx);
	refused_both(b, len, "entry 1 says region 0, 8240 bytes; section 5 "
		     "holds region 0, 4128 bytes", "entry 1 says region 0, "
		     "8240 bytes at");

	memcpy(b, good, len);
	entry_at(b, len, 0)[24] = 1;
	recrc(b, idx);
	refused_both(b, len, "entry 0 says region 1, 8224 bytes; section 4 "
		     "holds region 0", "the section there has type 0x4, "
		     "index 0, 8224 bytes");

	/* Windows: overlapping, not holding the records */
	memcpy(b, good, len);
	put64(entry_at(b, len, 1) + 16, 1000);
	recrc(b, idx);
	refused_both(b, len, "section 8 (index): entry 1: window 1000+1024 "
		     "overlaps or precedes region 0's previous one (which "
		     "ends at page 1024)", "entry 1: window 1000+1024 overlaps");

	memcpy(b, good, len);
	entry_at(b, len, 2)[28] = 0;
	entry_at(b, len, 2)[29] = 5;	/* 1280 pages */
	recrc(b, idx);
	refused_both(b, len, "entry 2: window 2048+1280 of region 0 (3000 "
		     "pages)", "entry 2: window 2048+1280 of region 0");

	memcpy(b, good, len);
	entry_at(b, len, 1)[28] = 100;
	entry_at(b, len, 1)[29] = 0;
	recrc(b, idx);
	ck_assert_int_eq(snap_parse(b, len, "x.hv", &f, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "x.hv: section 8 (index): entry 1: section 5 "
			 "holds pages 1500+1, outside its window 1024+100");
	ck_assert_int_eq(snap_parse_index(b, len, "x.hv", &f, err,
					  sizeof(err)), 0);
	ck_assert_int_eq(snap_check_mem(&f, b, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(snap_check_mem(&f, b, 1, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "x.hv: section 5 (memory, region 0): record 0: "
			 "pages 1500+1 outside the section's window 1024+100");
	snap_file_free(&f);

	/* Fewer entries than memory sections */
	memcpy(b, good, len);
	b[idx + SNAP_SEC_HDR] = 3;
	recrc(b, idx);
	refused_both(b, len, "section 8 (index): length 136 does not hold 3 "
		     "entries", "the index section: length 136 does not hold "
		     "3 entries");

	/* The end section's index offset and count */
	memcpy(b, good, len);
	put64(b + len - 12, idx - 8);
	recrc(b, end);
	snprintf(full, sizeof(full), "section 9 (end): says the index is at "
		 "byte %zu, it is at %zu", idx - 8, idx);
	refused_both(b, len, full, "x.hv: the end section: says the index is "
		     "at byte");
	free(good);
	good = craft_indexed(&c, 1, &len);
	refused_both(good, len, "section 9 (end): says 9 sections and 7 "
		     "pages, the file has 8", "section 9 (end): says 9 "
		     "sections, the file has 8");
	free(good);

	/* A gap: a section the index does not list, among memory sections */
	craft_init(&c);
	c.cfg.regions[0].size = 3000 * 4096;
	craft_mem(&c, 0, 2, 2, SNAP_MEM_DATA);
	craft_optional(&c);
	craft_mem(&c, 0, 1500, 1, SNAP_MEM_DATA);
	good = craft_build(&c, 0, &len);
	refused_both(good, len, "section 5 (type 0x80000001): optional "
		     "section after the devices", "(index): entry 1 says offset");
	free(good);

	/* Truncated anywhere */
	good = craft_indexed(&c, 0, &len);
	for (i = 0; i < len; i++) {
		ck_assert_int_eq(snap_parse_index(good, i, "t.hv", &f, err,
						  sizeof(err)), -EINVAL);
		ck_assert_ptr_null(strchr(err, '\n'));
		ck_assert_msg(i < 128 || strstr(err, "truncated at byte"),
			      "at %zu: %s", i, err);
	}
	free(good);
	free(b);
}
END_TEST

START_TEST(zero_page_test)
{
	static uint64_t page[512];

	memset(page, 0, sizeof(page));
	ck_assert(snap_page_is_zero(page));
	page[511] = 1ULL << 63;
	ck_assert(!snap_page_is_zero(page));
	page[511] = 0;
	page[0] = 1;
	ck_assert(!snap_page_is_zero(page));
}
END_TEST

Suite *crc32c_suite(void)
{
	Suite *s = suite_create("crc32c");
	TCase *tc = tcase_create("crc32c");

	tcase_add_test(tc, crc_vectors);
	tcase_add_test(tc, crc_paths_agree);
	suite_add_tcase(s, tc);
	return s;
}

Suite *snapfile_suite(void)
{
	Suite *s = suite_create("snapfile");
	TCase *tc = tcase_create("snapfile");

	tcase_add_test(tc, craft_round_trip);
	tcase_add_test(tc, craft_bad_contents);
	tcase_add_test(tc, craft_version1);
	tcase_add_test(tc, index_round_trip);
	tcase_add_test(tc, index_versions);
	tcase_add_test(tc, index_lazy_reads_no_memory);
	tcase_add_test(tc, index_check_threads);
	tcase_add_test(tc, index_refusals);
	tcase_add_test(tc, zero_page_test);
	tcase_add_test(tc, documented_sizes);
	suite_add_tcase(s, tc);
	return s;
}
