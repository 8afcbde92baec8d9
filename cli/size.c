// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: numbers on the command line and in tables: sizes with binary
 * suffixes ("512M", "1G", "4096K", plain bytes), counts, and the short
 * forms `hvctl list` prints for sizes and uptimes.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hvctl.h"

/* Digits only (NULL is -EINVAL): strtoull would take "-1", " 1", "+1". */
static int parse_digits(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int hvctl_parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	uint64_t v;
	int err;

	err = parse_digits(&s, &v);
	if (err)
		return err;
	switch (*s) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (shift && s[1] != '\0')
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

int hvctl_parse_mem(const char *s, uint64_t *out, char *msg, size_t len)
{
	char max[16];
	uint64_t v;
	int err = hvctl_parse_size(s, &v);

	hvctl_format_size(HV_MAX_RAM, max, sizeof(max));
	if (err == -EINVAL) {
		snprintf(msg, len, "%s: not a size (bytes, or a number with "
			 "a K, M or G suffix, as in 512M)", s);
		return err;
	}
	if (err == -ERANGE || (!err && v > HV_MAX_RAM)) {
		snprintf(msg, len, "%s: more than the %s a VM may have", s,
			 max);
		return -ERANGE;
	}
	if (v == 0) {
		snprintf(msg, len, "%s: must be more than 0", s);
		return -EINVAL;
	}
	if (v & 0xfff) {
		snprintf(msg, len, "%s: not a multiple of 4K", s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int hvctl_parse_uint(const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	uint64_t v;
	int err;

	err = parse_digits(&s, &v);
	if (err)
		return err;
	if (*s)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

char *hvctl_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	unsigned int i;

	/* The largest unit that divides exactly: what --mem would take. */
	for (i = 4; i > 0; i--) {
		uint64_t unit = 1ULL << (10 * i);

		if (bytes && !(bytes & (unit - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", bytes / unit,
				 units[i - 1]);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

char *hvctl_format_uptime(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ULL;

	if (!ns)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
	return buf;
}
