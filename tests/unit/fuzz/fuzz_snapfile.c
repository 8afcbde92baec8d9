// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic fuzzer for the snapshot parser (lib/snap/snapfile.c): valid
 * seed files made with the encoder, mutated thousands of times (bit
 * flips, byte sets, truncations, insertions, deletions, splices between
 * seeds), half of them with every checksum and the file size fixed up
 * afterwards so that the parser's deeper checks see the damage, not
 * only the CRC.  Built with ASan and UBSan (tests/unit/unit.mk); any
 * memory error aborts.  Every result is checked: -EINVAL with one line
 * naming the file, or a file whose every page run lies inside the
 * buffer and inside its region.  The lazy reader (snap_parse_index(),
 * then snap_check_mem() for each memory section) must agree with
 * snap_parse(): a version 3 file is valid for one exactly when it is for
 * the other, with the same sections.
 *
 * Usage: fuzz-snapfile [ITERATIONS [SEED]]; prints
 * "fuzz: N passed, M failed (...)" for make check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap/crc32c.h"
#include "snap/snapfile.h"

/* Full and incremental in the current format, a full version 2 file */
#define NR_SEEDS	3

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static void fill_vcpu(struct hv_vcpu_state *s, uint32_t id)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->vcpu_id = id;
	s->regs.rip = 0x1000 + id;
	s->sregs.cs.limit = 0xffff;
	s->nr_msrs = 3;
	for (i = 0; i < 3; i++) {
		s->msrs[i].index = 0xc0000081 + i;
		s->msrs[i].value = rnd();
	}
	s->cpuid.nent = 4;
	for (i = 0; i < 4; i++)
		s->cpuid.entries[i].eax = (uint32_t)rnd();
	s->xcr0 = 3;
	for (i = 0; i < 64; i++)
		s->xsave[i * 64] = (uint8_t)rnd();
}

/* A memory section, and its index entry (a window of @window pages). */
static void mem_section(struct snap_buf *b, struct snap_buf *index,
			uint32_t region, uint32_t window,
			const uint64_t *pages, const uint32_t *ns,
			const uint32_t *kinds, uint32_t nr)
{
	size_t start = snap_section_begin(b, SNAP_SEC_MEMORY, region);
	uint8_t pg[SNAP_PAGE];
	uint32_t i, j;

	snap_put_u32(b, region);
	snap_put_u32(b, nr);
	snap_put_u64(b, 0);
	for (i = 0; i < nr; i++) {
		snap_put_u64(b, pages[i]);
		snap_put_u32(b, ns[i]);
		snap_put_u32(b, kinds[i]);
	}
	for (i = 0; i < nr; i++)
		for (j = 0; kinds[i] == SNAP_MEM_DATA && j < ns[i]; j++) {
			memset(pg, (int)(pages[i] + j), sizeof(pg));
			snap_put_bytes(b, pg, sizeof(pg));
		}
	snap_section_end(b, start);
	snap_index_add(index, start, b->len - start - SNAP_SEC_HDR -
		       SNAP_SEC_TRAILER, region, 0, window);
}

/*
 * A valid file: 2 vCPUs, 2 regions, data and (incremental) zero runs;
 * in format @version (2: no index).
 */
static uint8_t *make_seed(bool incremental, uint32_t version, size_t *len)
{
	static const uint64_t p0[] = { 0, 5 }, p1[] = { 1 };
	static const uint32_t n0[] = { 2, 1 }, n1[] = { 3 };
	uint32_t k0[] = { SNAP_MEM_DATA, incremental ? SNAP_MEM_ZERO
						      : SNAP_MEM_DATA };
	static const uint32_t k1[] = { SNAP_MEM_DATA };
	struct hv_vcpu_state *v = malloc(sizeof(*v));
	struct hv_device_state dev;
	struct snap_config cfg;
	struct snap_header h;
	struct snap_buf b = { 0 }, hb = { 0 }, index = { 0 };
	size_t start, index_off;
	uint32_t i;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "fuzz");
	cfg.nr_vcpus = 2;
	cfg.nr_regions = 2;
	cfg.regions[0].size = 8 * SNAP_PAGE;
	cfg.regions[1].gpa = 1 << 20;
	cfg.regions[1].size = 4 * SNAP_PAGE;
	memset(&dev, 0, sizeof(dev));
	dev.uart.rx_count = 5;
	memcpy(dev.uart.rx, "hello", 5);
	memset(&h, 0, sizeof(h));
	h.format_version = version;
	strcpy(h.hv_version, "fuzz");
	h.id[3] = 7;
	if (incremental) {
		h.flags = SNAP_FLAG_INCREMENTAL;
		strcpy(h.base_path, "/base.hv");
		h.base_id[0] = 9;
	}
	snap_encode_header(&b, &h);
	start = snap_section_begin(&b, SNAP_SEC_CONFIG, 0);
	snap_encode_config(&b, &cfg);
	snap_section_end(&b, start);
	for (i = 0; i < 2; i++) {
		fill_vcpu(v, i * 3);
		start = snap_section_begin(&b, SNAP_SEC_VCPU, i * 3);
		snap_encode_vcpu_version(&b, v, version);
		snap_section_end(&b, start);
	}
	start = snap_section_begin(&b, SNAP_SEC_DEVICES, 0);
	snap_encode_devices_version(&b, &dev, version);
	snap_section_end(&b, start);
	mem_section(&b, &index, 0, 8, p0, n0, k0, 2);
	mem_section(&b, &index, 1, 4, p1, n1, k1, 1);
	index_off = b.len;
	if (version >= SNAP_FORMAT_INDEXED) {
		start = snap_section_begin(&b, SNAP_SEC_INDEX, 0);
		snap_encode_index(&b, &index);
		snap_section_end(&b, start);
	}
	start = snap_section_begin(&b, SNAP_SEC_END, 0);
	snap_encode_end(&b, version, version >= SNAP_FORMAT_INDEXED ? 7 : 6,
			incremental ? 5 : 6, index_off);
	snap_section_end(&b, start);
	snap_buf_free(&index);
	h.file_size = b.len;
	snap_encode_header(&hb, &h);
	memcpy(b.p, hb.p, hb.len);
	snap_buf_free(&hb);
	free(v);
	if (b.failed)
		abort();
	*len = b.len;
	return b.p;
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Make every checksum, and the file size, agree with the bytes. */
static void fix_up(uint8_t *b, size_t len)
{
	size_t hs, off;

	if (len < 16)
		return;
	hs = le(b + 12, 4);
	if (hs < SNAP_HDR_FIXED + 4 || hs > len)
		return;
	for (off = hs; len - off >= SNAP_SEC_HDR + SNAP_SEC_TRAILER;) {
		uint64_t l = le(b + off + 8, 8);

		if (l > len - off - SNAP_SEC_HDR - SNAP_SEC_TRAILER)
			break;
		put_le(b + off + SNAP_SEC_HDR + l,
		       hv_crc32c(0, b + off, SNAP_SEC_HDR + l), 4);
		off += SNAP_SEC_HDR + l + SNAP_SEC_TRAILER;
	}
	put_le(b + 104, len, 8);
	put_le(b + hs - 4, hv_crc32c(0, b, hs - 4), 4);
}

static void mutate(uint8_t *b, size_t *len, size_t cap,
		   const uint8_t *other, size_t olen)
{
	static const uint8_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 16, 64 };
	size_t at, n;

	switch (below(7)) {
	case 0:	/* bit flip */
		if (*len)
			b[below(*len)] ^= 1 << below(8);
		break;
	case 1:	/* byte set */
		if (*len)
			b[below(*len)] = interesting[below(sizeof(interesting))];
		break;
	case 2:	/* truncate */
		*len = below(*len + 1);
		break;
	case 3:	/* a 32-bit field set (counts, lengths) */
		if (*len >= 4) {
			at = below(*len - 3);
			put_le(b + at, rnd() & 1 ? below(20) : (uint32_t)rnd(),
			       4);
		}
		break;
	case 4:	/* delete a range */
		if (*len) {
			at = below(*len);
			n = below(*len - at + 1);
			memmove(b + at, b + at + n, *len - at - n);
			*len -= n;
		}
		break;
	case 5:	/* insert random bytes */
		at = below(*len + 1);
		n = below(64);
		if (*len + n > cap)
			break;
		memmove(b + at + n, b + at, *len - at);
		for (size_t i = 0; i < n; i++)
			b[at + i] = (uint8_t)rnd();
		*len += n;
		break;
	case 6:	/* splice: a range of the other seed over ours */
		if (*len && olen) {
			at = below(*len);
			size_t from = below(olen);

			n = below(olen - from + 1);
			if (at + n > cap)
				n = cap - at;
			memcpy(b + at, other + from, n);
			if (at + n > *len)
				*len = at + n;
		}
		break;
	}
}

struct run_ctx {
	const struct snap_file *f;
	const uint8_t *buf;
	size_t len;
	uint64_t data;		/* data pages seen */
};

static int check_run(void *opaque, uint32_t region, uint64_t page,
		     uint32_t n, const uint8_t *data)
{
	struct run_ctx *ctx = opaque;
	const struct snap_file *f = ctx->f;
	const uint8_t *buf = ctx->buf;
	size_t len = ctx->len;

	if (region >= f->cfg.nr_regions || !n ||
	    page + n > f->cfg.regions[region].size / SNAP_PAGE)
		abort();
	if (data && (data < buf || (size_t)(data - buf) > len ||
		     (size_t)n * SNAP_PAGE > len - (size_t)(data - buf)))
		abort();
	if (data)
		ctx->data += n;
	return 0;
}

static bool one_line(const char *err)
{
	return !strncmp(err, "fuzz.hv: ", 9) && !strchr(err, '\n') &&
	       strlen(err) > 9;
}

/*
 * The lazy reader on a file that snap_parse() accepted (@full, else
 * NULL): 0 if it agrees, else what differs.
 */
static const char *check_lazy(const uint8_t *buf, size_t len,
			      const struct snap_file *full)
{
	struct run_ctx ctx = { .buf = buf, .len = len };
	struct snap_file f;
	bool ok = true;
	char err[512];
	size_t i;
	int ret;

	ret = snap_parse_index(buf, len, "fuzz.hv", &f, err, sizeof(err));
	if (ret == -ENOENT && one_line(err))
		return full && full->hdr.format_version >= SNAP_FORMAT_INDEXED
		       ? "no index in a valid version 3 file" : NULL;
	if (ret == -EINVAL && one_line(err))
		return full && full->hdr.format_version >= SNAP_FORMAT_INDEXED
		       ? "refused a valid file" : NULL;
	if (ret)
		return "snap_parse_index: unexpected error";
	if (f.hdr.format_version < SNAP_FORMAT_INDEXED)
		return "snap_parse_index took a file without an index";
	ctx.f = &f;
	for (i = 0; i < f.nr_mem; i++) {
		if (f.mem[i].off + SNAP_SEC_HDR > len)
			abort();
		ret = snap_check_mem(&f, buf, i, err, sizeof(err));
		if (ret && (ret != -EINVAL || !one_line(err)))
			return "snap_check_mem: unexpected error";
		if (ret)
			ok = false;
		else
			snap_for_each_page_run_in(&f, buf, i, check_run, &ctx);
	}
	ok = ok && ctx.data == f.pages_stored;
	if (full && !ok)
		return "a section of a valid file does not check";
	if (!full && ok)
		return "the lazy reader takes a file snap_parse refuses";
	for (i = 0; full && i < f.nr_mem; i++) {
		const struct snap_mem_section *a = &f.mem[i], *b = &full->mem[i];

		if (full->nr_mem != f.nr_mem || a->off != b->off ||
		    a->len != b->len || a->region != b->region ||
		    a->first_page != b->first_page ||
		    a->nr_pages != b->nr_pages || a->records != b->records ||
		    a->data != b->data || a->nr_records != b->nr_records)
			return "the sections differ from snap_parse's";
	}
	snap_file_free(&f);
	return NULL;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	size_t slen[NR_SEEDS], len, cap;
	uint8_t *seed[NR_SEEDS], *b;
	unsigned long valid = 0, refused = 0;
	char err[512];
	long i;
	int k;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed5eed5eedULL;
	seed[0] = make_seed(false, SNAP_FORMAT_VERSION, &slen[0]);
	seed[1] = make_seed(true, SNAP_FORMAT_VERSION, &slen[1]);
	seed[2] = make_seed(false, 2, &slen[2]);
	for (cap = 0, k = 0; k < NR_SEEDS; k++)
		cap = slen[k] > cap ? slen[k] : cap;
	cap += 4096;
	b = malloc(cap);

	for (i = 0; i < iters; i++) {
		int m, nm = 1 + below(4), ret, o;
		const char *lazy;
		bool fix = rnd() & 1;
		struct snap_file f;
		uint8_t *copy;

		k = i < NR_SEEDS ? (int)i : (int)below(NR_SEEDS);
		o = (k + 1 + below(NR_SEEDS - 1)) % NR_SEEDS;
		len = slen[k];
		memcpy(b, seed[k], len);
		if (i >= NR_SEEDS)	/* the seeds themselves first */
			for (m = 0; m < nm; m++)
				mutate(b, &len, cap, seed[o], slen[o]);
		if (fix)
			fix_up(b, len);
		/* Exactly @len bytes, so ASan sees any read past the end. */
		copy = malloc(len ? len : 1);
		memcpy(copy, b, len);
		ret = snap_parse(copy, len, "fuzz.hv", &f, err, sizeof(err));
		lazy = check_lazy(copy, len, ret ? NULL : &f);
		if (ret == 0 && !lazy) {
			struct run_ctx ctx = { &f, copy, len, 0 };

			if (f.cfg.nr_vcpus > HV_MAX_VCPUS ||
			    f.cfg.nr_regions > HV_MAX_REGIONS)
				abort();
			snap_for_each_page_run(&f, copy, check_run, &ctx);
			snap_file_free(&f);
			valid++;
		} else if (ret == -EINVAL && one_line(err) && !lazy) {
			refused++;
		} else {
			fprintf(stderr, "fuzz: iteration %ld: ret %d, '%s'%s%s\n",
				i, ret, err, lazy ? "; lazy: " : "",
				lazy ? lazy : "");
			printf("fuzz: 0 passed, 1 failed\n");
			return 1;
		}
		free(copy);
	}
	if (valid < NR_SEEDS) {
		printf("fuzz: 0 passed, 1 failed (the seeds do not parse)\n");
		return 1;
	}
	printf("fuzz: 1 passed, 0 failed (%ld files: %lu valid, %lu "
	       "refused)\n", iters, valid, refused);
	free(b);
	for (k = 0; k < NR_SEEDS; k++)
		free(seed[k]);
	return 0;
}
