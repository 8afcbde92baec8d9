// SPDX-License-Identifier: GPL-2.0
/*
 * The pure format code (lib/snap/snapfile.c, lib/snap/crc32c.c),
 * compiled into the tests directly: CRC32C vectors and its two
 * implementations agreeing, field-by-field round trips, and files
 * crafted with the encoder whose checksums are right but whose contents
 * are not.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

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
	uint64_t pages;
	int32_t end_count_delta;
	uint32_t version;		/* 0: SNAP_FORMAT_VERSION */
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

/* A memory section: one record of @kind at @page, @n pages. */
static void craft_mem(struct craft *c, uint32_t region, uint64_t page,
		      uint32_t n, uint32_t kind)
{
	size_t start = snap_section_begin(&c->mem, SNAP_SEC_MEMORY, region);
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
	c->nr_mem++;
}

static uint8_t *craft_build(struct craft *c, uint32_t flags, size_t *len)
{
	struct snap_header h;
	struct snap_buf b = { 0 };
	unsigned int i, nsec = 0;
	size_t start;

	memset(&h, 0, sizeof(h));
	h.format_version = c->version;
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
		snap_encode_vcpu_version(&b, &c->vcpu[i], c->version ?
					 c->version : SNAP_FORMAT_VERSION);
		snap_section_end(&b, start);
		nsec++;
	}
	start = snap_section_begin(&b, SNAP_SEC_DEVICES, 0);
	snap_encode_devices_version(&b, &c->dev, c->version ?
				    c->version : SNAP_FORMAT_VERSION);
	snap_section_end(&b, start);
	nsec++;
	snap_put_bytes(&b, c->mem.p, c->mem.len);
	nsec += c->nr_mem;
	start = snap_section_begin(&b, SNAP_SEC_END, 0);
	snap_encode_end(&b, nsec + c->end_count_delta, c->pages);
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
	expect(&c, 0, "section 4 (end): says 4 sections");

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
	snap_encode_end(&b, 0, 0);
	ck_assert_uint_eq(b.len, 16);
	snap_buf_free(&b);
	free(v);
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
	tcase_add_test(tc, zero_page_test);
	tcase_add_test(tc, documented_sizes);
	suite_add_tcase(s, tc);
	return s;
}
