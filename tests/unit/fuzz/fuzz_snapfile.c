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
 * buffer and inside its region.
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

static void mem_section(struct snap_buf *b, uint32_t region,
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
}

/* A valid file: 2 vCPUs, 2 regions, data and (incremental) zero runs. */
static uint8_t *make_seed(bool incremental, size_t *len)
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
	struct snap_buf b = { 0 }, hb = { 0 };
	size_t start;
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
		snap_encode_vcpu(&b, v);
		snap_section_end(&b, start);
	}
	start = snap_section_begin(&b, SNAP_SEC_DEVICES, 0);
	snap_encode_devices(&b, &dev);
	snap_section_end(&b, start);
	mem_section(&b, 0, p0, n0, k0, 2);
	mem_section(&b, 1, p1, n1, k1, 1);
	start = snap_section_begin(&b, SNAP_SEC_END, 0);
	snap_encode_end(&b, 6, incremental ? 5 : 6);
	snap_section_end(&b, start);
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

static int check_run(void *opaque, uint32_t region, uint64_t page,
		     uint32_t n, const uint8_t *data)
{
	const void **ctx = opaque;
	const struct snap_file *f = ctx[0];
	const uint8_t *buf = ctx[1];
	size_t len = *(const size_t *)ctx[2];

	if (region >= f->cfg.nr_regions || !n ||
	    page + n > f->cfg.regions[region].size / SNAP_PAGE)
		abort();
	if (data && (data < buf || (size_t)(data - buf) > len ||
		     (size_t)n * SNAP_PAGE > len - (size_t)(data - buf)))
		abort();
	return 0;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	size_t slen[2], len, cap;
	uint8_t *seed[2], *b;
	unsigned long valid = 0, refused = 0;
	char err[512];
	long i;

	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5eed5eed5eedULL;
	seed[0] = make_seed(false, &slen[0]);
	seed[1] = make_seed(true, &slen[1]);
	cap = (slen[0] > slen[1] ? slen[0] : slen[1]) + 4096;
	b = malloc(cap);

	for (i = 0; i < iters; i++) {
		int k = below(2), m, nm = 1 + below(4), ret;
		bool fix = rnd() & 1;
		struct snap_file f;
		uint8_t *copy;

		len = slen[k];
		memcpy(b, seed[k], len);
		if (i >= 2)	/* the seeds themselves first */
			for (m = 0; m < nm; m++)
				mutate(b, &len, cap, seed[!k], slen[!k]);
		if (fix)
			fix_up(b, len);
		/* Exactly @len bytes, so ASan sees any read past the end. */
		copy = malloc(len ? len : 1);
		memcpy(copy, b, len);
		ret = snap_parse(copy, len, "fuzz.hv", &f, err, sizeof(err));
		if (ret == 0) {
			const void *ctx[3] = { &f, copy, &len };

			if (f.cfg.nr_vcpus > HV_MAX_VCPUS ||
			    f.cfg.nr_regions > HV_MAX_REGIONS)
				abort();
			snap_for_each_page_run(&f, copy, check_run, ctx);
			snap_file_free(&f);
			valid++;
		} else if (ret == -EINVAL && !strncmp(err, "fuzz.hv: ", 9) &&
			   !strchr(err, '\n') && strlen(err) > 9) {
			refused++;
		} else {
			fprintf(stderr, "fuzz: iteration %ld: ret %d, '%s'\n",
				i, ret, err);
			printf("fuzz: 0 passed, 1 failed\n");
			return 1;
		}
		free(copy);
	}
	if (valid < 2) {
		printf("fuzz: 0 passed, 1 failed (the seeds do not parse)\n");
		return 1;
	}
	printf("fuzz: 1 passed, 0 failed (%ld files: %lu valid, %lu "
	       "refused)\n", iters, valid, refused);
	free(b);
	free(seed[0]);
	free(seed[1]);
	return 0;
}
