// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CRC32C for snapshot files (lib/snap/crc32c.h).
 *
 * Software: slicing-by-8 (eight 256-entry tables, 8 bytes per step).
 * Hardware: SSE4.2's crc32 instruction computes exactly this CRC; one
 * crc32q has a 3-cycle latency but 1-cycle throughput, so large buffers
 * run three independent streams and fold them together with the
 * "shift by N zero bytes" operator (a GF(2) matrix power, computed once
 * per block size), as Intel's white paper "Fast CRC Computation for
 * iSCSI Polynomial Using CRC32 Instruction" (2011) describes.
 */
#include <pthread.h>
#include <string.h>

#include "crc32c.h"

#define POLY	0x82F63B78u	/* reflected Castagnoli */

static uint32_t sw_table[8][256];
static pthread_once_t sw_once = PTHREAD_ONCE_INIT;

static void sw_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		sw_table[0][i] = c;
	}
	for (i = 0; i < 256; i++) {
		c = sw_table[0][i];
		for (j = 1; j < 8; j++) {
			c = sw_table[0][c & 0xff] ^ (c >> 8);
			sw_table[j][i] = c;
		}
	}
}

static uint64_t load_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);	/* x86: little-endian, unaligned is fine */
	return v;
}

uint32_t hv_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	pthread_once(&sw_once, sw_init);
	crc = ~crc;
	while (len && ((uintptr_t)p & 7)) {
		crc = sw_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint64_t v = load_le64(p) ^ crc;

		crc = sw_table[7][v & 0xff] ^
		      sw_table[6][(v >> 8) & 0xff] ^
		      sw_table[5][(v >> 16) & 0xff] ^
		      sw_table[4][(v >> 24) & 0xff] ^
		      sw_table[3][(v >> 32) & 0xff] ^
		      sw_table[2][(v >> 40) & 0xff] ^
		      sw_table[1][(v >> 48) & 0xff] ^
		      sw_table[0][v >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = sw_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

/*
 * GF(2) 32x32 matrices as 32 column words: the operator that advances a
 * raw (un-inverted) CRC register over N zero bytes.
 */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
	uint32_t sum = 0;

	while (vec) {
		if (vec & 1)
			sum ^= *mat;
		vec >>= 1;
		mat++;
	}
	return sum;
}

static void gf2_square(uint32_t *sq, const uint32_t *mat)
{
	int n;

	for (n = 0; n < 32; n++)
		sq[n] = gf2_times(mat, mat[n]);
}

/* The operator for @len zero bytes (zlib's crc32_combine method). */
static void zeros_op(uint32_t *op, size_t len)
{
	uint32_t odd[32], even[32], row = 1;
	int n;

	odd[0] = POLY;		/* one zero bit */
	for (n = 1; n < 32; n++) {
		odd[n] = row;
		row <<= 1;
	}
	gf2_square(even, odd);	/* 2 bits */
	gf2_square(odd, even);	/* 4 bits */
	/* identity */
	for (n = 0; n < 32; n++)
		op[n] = 1u << n;
	/* odd holds the 4-bit operator; square on to 8 bits per byte. */
	len <<= 1;		/* count in nibble pairs: 1 byte = 2 x 4 bits */
	do {
		uint32_t tmp[32];

		if (len & 1) {
			for (n = 0; n < 32; n++)
				tmp[n] = gf2_times(odd, op[n]);
			memcpy(op, tmp, sizeof(tmp));
		}
		len >>= 1;
		if (!len)
			break;
		gf2_square(even, odd);
		memcpy(odd, even, sizeof(even));
	} while (len);
}

/* Per-stream block: 3 x 8 KiB = 24 KiB per round for large buffers. */
#define HW_BLOCK	8192
#define HW_SHORT	256

/* Shift tables: apply the zeros operator a byte at a time. */
static uint32_t shift_long[4][256], shift_short[4][256];
static pthread_once_t hw_once = PTHREAD_ONCE_INIT;
static int hw_ok;

static void make_shift(uint32_t tab[4][256], size_t len)
{
	uint32_t op[32];
	int i, b;

	zeros_op(op, len);
	for (b = 0; b < 4; b++)
		for (i = 0; i < 256; i++)
			tab[b][i] = gf2_times(op, (uint32_t)i << (8 * b));
}

static void hw_init(void)
{
	unsigned int a, b, c, d;

	/* CPUID.01H:ECX.SSE4_2[bit 20] (SDM Vol 2A, CPUID) */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_2))
		return;
	make_shift(shift_long, HW_BLOCK);
	make_shift(shift_short, HW_SHORT);
	hw_ok = 1;
}

int hv_crc32c_hw_available(void)
{
	pthread_once(&hw_once, hw_init);
	return hw_ok;
}

static uint32_t shift(uint32_t tab[4][256], uint32_t crc)
{
	return tab[0][crc & 0xff] ^ tab[1][(crc >> 8) & 0xff] ^
	       tab[2][(crc >> 16) & 0xff] ^ tab[3][crc >> 24];
}

/*
 * Three streams over consecutive @block-byte blocks while 3 * @block
 * bytes remain, folded into one with @tab (the CRC of @block zero bytes):
 * the crc32 instruction's latency is hidden behind the other two.
 */
__attribute__((target("sse4.2"), always_inline))
static inline uint64_t hw_3way(uint64_t c0, const unsigned char **pp,
			       size_t *lenp, size_t block, uint32_t tab[4][256])
{
	const unsigned char *p = *pp;
	uint64_t c1, c2;
	size_t i;

	for (; *lenp >= 3 * block; *lenp -= 3 * block, p += 3 * block) {
		c1 = c2 = 0;
		for (i = 0; i < block; i += 8) {
			c0 = _mm_crc32_u64(c0, load_le64(p + i));
			c1 = _mm_crc32_u64(c1, load_le64(p + block + i));
			c2 = _mm_crc32_u64(c2, load_le64(p + 2 * block + i));
		}
		c0 = shift(tab, (uint32_t)c0) ^ c1;
		c0 = shift(tab, (uint32_t)c0) ^ c2;
	}
	*pp = p;
	return c0;
}

__attribute__((target("sse4.2")))
static uint32_t hw_run(uint32_t crc, const unsigned char *p, size_t len)
{
	uint64_t c0 = crc;

	while (len && ((uintptr_t)p & 7)) {
		c0 = _mm_crc32_u8((uint32_t)c0, *p++);
		len--;
	}
	c0 = hw_3way(c0, &p, &len, HW_BLOCK, shift_long);
	c0 = hw_3way(c0, &p, &len, HW_SHORT, shift_short);
	while (len >= 8) {
		c0 = _mm_crc32_u64(c0, load_le64(p));
		p += 8;
		len -= 8;
	}
	while (len--)
		c0 = _mm_crc32_u8((uint32_t)c0, *p++);
	return (uint32_t)c0;
}

uint32_t hv_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	if (!hv_crc32c_hw_available())
		return hv_crc32c_sw(crc, buf, len);
	return ~hw_run(~crc, buf, len);
}

uint32_t hv_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return hv_crc32c_hw_available() ? ~hw_run(~crc, buf, len)
					: hv_crc32c_sw(crc, buf, len);
}
#else
int hv_crc32c_hw_available(void)
{
	return 0;
}

uint32_t hv_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return hv_crc32c_sw(crc, buf, len);
}

uint32_t hv_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return hv_crc32c_sw(crc, buf, len);
}
#endif
