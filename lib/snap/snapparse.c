// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading snapshot files (docs/snapshot-format.md): snap_parse() checks a
 * whole file in memory and trusts nothing: every length is checked
 * against what is left before it is used, every count against its
 * limit, every checksum before its payload is looked at.  Pure C (no
 * I/O), so the unit tests and the fuzzer compile it directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "snapfile.h"

/* Where parsing stands in the fixed order of sections. */
enum stage { ST_CONFIG, ST_VCPUS, ST_DEVICES, ST_MEMORY, ST_DONE };

struct parser {
	const uint8_t *buf;
	size_t len;
	const char *label;
	char *err;
	size_t errlen;
	struct snap_file *f;
	uint64_t *seen[HV_MAX_REGIONS];	/* pages stored, per region */
	enum stage st;
	unsigned int nr_vcpus;		/* vCPU sections taken */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *ps, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->err && ps->errlen)
		snprintf(ps->err, ps->errlen, "%s: %s", ps->label, msg);
	return -EINVAL;
}

static bool name_valid(const char *name)
{
	size_t i, len = strnlen(name, HV_NAME_LEN);

	if (len == 0 || len == HV_NAME_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	/* The rest of the field is NUL: the name compares equal to itself. */
	for (; i < HV_NAME_LEN; i++)
		if (name[i])
			return false;
	return true;
}

static int parse_header(struct parser *ps)
{
	struct snap_header *h = &ps->f->hdr;
	const uint8_t *p = ps->buf;
	uint32_t plen, crc;
	size_t i;

	if (ps->len == 0)
		return fail(ps, "empty file");
	if (memcmp(p, SNAP_MAGIC, ps->len < 8 ? ps->len : 8))
		return fail(ps, "not an hv snapshot (bad magic)");
	if (ps->len < 8)	/* the start of one, cut short */
		return fail(ps, "truncated at byte %zu (in the magic)",
			    ps->len);
	if (ps->len < 16)
		return fail(ps, "truncated at byte %zu (in the header)",
			    ps->len);
	h->format_version = (uint32_t)snap_get_le(p + 8, 4);
	h->header_size = (uint32_t)snap_get_le(p + 12, 4);
	if (h->format_version < SNAP_FORMAT_OLDEST ||
	    h->format_version > SNAP_FORMAT_VERSION)
		return fail(ps, "format version %u is not supported (this "
			    "libhv reads versions %u to %u)", h->format_version,
			    SNAP_FORMAT_OLDEST, SNAP_FORMAT_VERSION);
	if (h->header_size < SNAP_HDR_FIXED + 4 ||
	    h->header_size > SNAP_HDR_FIXED + 4 + SNAP_BASE_PATH_MAX)
		return fail(ps, "header: impossible size %u", h->header_size);
	if (ps->len < h->header_size)
		return fail(ps, "truncated at byte %zu (in the header, which "
			    "is %u bytes)", ps->len, h->header_size);
	crc = (uint32_t)snap_get_le(p + h->header_size - 4, 4);
	if (hv_crc32c(0, p, h->header_size - 4) != crc)
		return fail(ps, "header: checksum mismatch");

	h->flags = (uint32_t)snap_get_le(p + 16, 4);
	h->vendor = (uint32_t)snap_get_le(p + 20, 4);
	memcpy(h->hv_version, p + 24, 32);
	memcpy(h->id, p + 56, SNAP_ID_LEN);
	memcpy(h->base_id, p + 72, SNAP_ID_LEN);
	h->vm_id = snap_get_le(p + 88, 8);
	h->dirty_epoch = snap_get_le(p + 96, 8);
	h->file_size = snap_get_le(p + 104, 8);
	plen = (uint32_t)snap_get_le(p + 112, 4);

	if (h->flags & ~SNAP_FLAG_INCREMENTAL)
		return fail(ps, "header: unknown flags 0x%x", h->flags);
	if (snap_get_le(p + 116, 4) || snap_get_le(p + 120, 4))
		return fail(ps, "header: reserved field is not zero");
	if (!memchr(h->hv_version, 0, 32))
		return fail(ps, "header: hv version is not NUL-terminated");
	if (SNAP_HDR_FIXED + (size_t)plen + 4 != h->header_size)
		return fail(ps, "header: base path length %u disagrees with "
			    "the header size %u", plen, h->header_size);
	memcpy(h->base_path, p + SNAP_HDR_FIXED, plen);
	h->base_path[plen] = '\0';
	if (strlen(h->base_path) != plen)
		return fail(ps, "header: base path contains a NUL byte");
	if (!!(h->flags & SNAP_FLAG_INCREMENTAL) != (plen > 0))
		return fail(ps, "header: %s", plen ? "a full snapshot names a "
			    "base" : "an incremental snapshot names no base");
	for (i = 0; i < SNAP_ID_LEN && !h->base_id[i]; i++)
		;
	if (!(h->flags & SNAP_FLAG_INCREMENTAL) && i != SNAP_ID_LEN)
		return fail(ps, "header: a full snapshot has a base id");

	if (ps->len > h->file_size)
		return fail(ps, "%llu bytes after the end (file is %zu bytes, "
			    "header says %llu)",
			    (unsigned long long)(ps->len - h->file_size),
			    ps->len, (unsigned long long)h->file_size);
	return 0;
}

/* "section 3 (vcpu 1)" */
static const char *sec_name(char *buf, size_t len, unsigned int n,
			    uint32_t type, uint32_t index)
{
	switch (type) {
	case SNAP_SEC_CONFIG:
		snprintf(buf, len, "section %u (config)", n);
		break;
	case SNAP_SEC_VCPU:
		snprintf(buf, len, "section %u (vcpu %u)", n, index);
		break;
	case SNAP_SEC_DEVICES:
		snprintf(buf, len, "section %u (devices)", n);
		break;
	case SNAP_SEC_MEMORY:
		snprintf(buf, len, "section %u (memory, region %u)", n, index);
		break;
	case SNAP_SEC_END:
		snprintf(buf, len, "section %u (end)", n);
		break;
	default:
		snprintf(buf, len, "section %u (type 0x%x)", n, type);
	}
	return buf;
}

static int check_config(struct parser *ps, const char *sn)
{
	struct snap_config *c = &ps->f->cfg;
	uint64_t total = 0;
	uint32_t i, j;

	if (!name_valid(c->name))
		return fail(ps, "%s: invalid VM name", sn);
	if (c->flags & ~HV_VM_DESTROY_ON_CLOSE)
		return fail(ps, "%s: unknown VM flags 0x%x", sn, c->flags);
	if (c->nr_vcpus > HV_MAX_VCPUS)
		return fail(ps, "%s: %u vCPUs (at most %u)", sn, c->nr_vcpus,
			    HV_MAX_VCPUS);
	for (i = 0; i < c->nr_regions; i++) {
		uint64_t gpa = c->regions[i].gpa, size = c->regions[i].size;

		if (!size || (gpa | size) & (SNAP_PAGE - 1))
			return fail(ps, "%s: region %u (0x%llx, 0x%llx bytes) "
				    "is not 4K-aligned or empty", sn, i,
				    (unsigned long long)gpa,
				    (unsigned long long)size);
		if (gpa >= HV_MAX_GPA || size > HV_MAX_GPA - gpa)
			return fail(ps, "%s: region %u ends beyond 512 GiB",
				    sn, i);
		total += size;
		if (total > HV_MAX_RAM)
			return fail(ps, "%s: more than 16 GiB of RAM", sn);
		for (j = 0; j < i; j++) {
			uint64_t g2 = c->regions[j].gpa;

			if (gpa < g2 + c->regions[j].size && g2 < gpa + size)
				return fail(ps, "%s: regions %u and %u "
					    "overlap", sn, j, i);
		}
	}
	return 0;
}

static int check_vcpu(struct parser *ps, const char *sn, uint32_t index,
		      const struct hv_vcpu_state *s, unsigned int nr)
{
	unsigned int i;

	if (s->vcpu_id != index)
		return fail(ps, "%s: holds the state of vcpu %u", sn,
			    s->vcpu_id);
	if (s->vcpu_id >= HV_MAX_VCPUS)
		return fail(ps, "%s: vCPU id beyond %u", sn, HV_MAX_VCPUS - 1);
	if (s->flags)
		return fail(ps, "%s: unknown flags 0x%x", sn, s->flags);
	if (s->mp_state > HV_MP_WAIT_SIPI)
		return fail(ps, "%s: unknown activity state %u", sn,
			    s->mp_state);
	for (i = 0; i < nr; i++)
		if (ps->f->vcpus[i].vcpu_id == s->vcpu_id)
			return fail(ps, "%s: vcpu %u appears twice", sn,
				    s->vcpu_id);
	return 0;
}

/*
 * The @nr records at @r of a memory section of region @index (@pages
 * pages): known kinds, in order, inside the region, no page stored
 * twice in the file.  *data gets the pages with data.
 */
static int check_records(struct parser *ps, const char *sn, uint32_t index,
			 const uint8_t *r, uint64_t nr, uint64_t pages,
			 uint64_t *data)
{
	uint64_t i, next = 0;

	for (i = 0; i < nr; i++, r += SNAP_MEM_RECORD) {
		uint64_t page = snap_get_le(r, 8), pg;
		uint32_t n = (uint32_t)snap_get_le(r + 8, 4);
		uint32_t kind = (uint32_t)snap_get_le(r + 12, 4);

		if (kind != SNAP_MEM_DATA && kind != SNAP_MEM_ZERO)
			return fail(ps, "%s: record %llu: unknown kind %u", sn,
				    (unsigned long long)i, kind);
		if (kind == SNAP_MEM_ZERO &&
		    !(ps->f->hdr.flags & SNAP_FLAG_INCREMENTAL))
			return fail(ps, "%s: record %llu: zero page in a full "
				    "snapshot", sn, (unsigned long long)i);
		if (n == 0 || page >= pages || n > pages - page)
			return fail(ps, "%s: record %llu: pages %llu+%u beyond "
				    "the region's %llu pages", sn,
				    (unsigned long long)i,
				    (unsigned long long)page, n,
				    (unsigned long long)pages);
		if (page < next)
			return fail(ps, "%s: record %llu: pages out of order",
				    sn, (unsigned long long)i);
		next = page + n;
		for (pg = page; pg < page + n; pg++) {
			uint64_t bit = 1ULL << (pg & 63);

			if (ps->seen[index][pg / 64] & bit)
				return fail(ps, "%s: page %llu of region %u "
					    "stored twice", sn,
					    (unsigned long long)pg, index);
			ps->seen[index][pg / 64] |= bit;
		}
		if (kind == SNAP_MEM_DATA) {
			*data += n;
			ps->f->pages_stored += n;
		} else {
			ps->f->zero_records += n;
		}
	}
	return 0;
}

static int check_memory(struct parser *ps, const char *sn, uint32_t index,
			size_t off, uint64_t len)
{
	const struct snap_config *c = &ps->f->cfg;
	struct snap_mem_section *m, *more;
	uint64_t pages, nr, data = 0;
	const uint8_t *p = ps->buf + off;
	int err;

	if (len < 16)
		return fail(ps, "%s: too short", sn);
	if (snap_get_le(p, 4) != index)
		return fail(ps, "%s: names region %u", sn,
			    (uint32_t)snap_get_le(p, 4));
	if (index >= c->nr_regions)
		return fail(ps, "%s: no such region (the VM has %u)", sn,
			    c->nr_regions);
	nr = snap_get_le(p + 4, 4);
	if (snap_get_le(p + 8, 8))
		return fail(ps, "%s: reserved field is not zero", sn);
	if (nr == 0 || nr > (len - 16) / SNAP_MEM_RECORD)
		return fail(ps, "%s: %llu records do not fit", sn,
			    (unsigned long long)nr);
	pages = c->regions[index].size / SNAP_PAGE;
	if (!ps->seen[index]) {
		ps->seen[index] = calloc((pages + 63) / 64, 8);
		if (!ps->seen[index])
			return -ENOMEM;
	}
	err = check_records(ps, sn, index, p + 16, nr, pages, &data);
	if (err)
		return err;
	if (data * SNAP_PAGE != len - 16 - nr * SNAP_MEM_RECORD)
		return fail(ps, "%s: length %llu does not match its records "
			    "(%llu data pages)", sn, (unsigned long long)len,
			    (unsigned long long)data);

	if ((ps->f->nr_mem & (ps->f->nr_mem - 1)) == 0) {
		more = realloc(ps->f->mem, (ps->f->nr_mem ? ps->f->nr_mem * 2
				: 16) * sizeof(*more));
		if (!more)
			return -ENOMEM;
		ps->f->mem = more;
	}
	m = &ps->f->mem[ps->f->nr_mem++];
	m->region = index;
	m->nr_records = (uint32_t)nr;
	m->records = off + 16;
	m->data = off + 16 + nr * SNAP_MEM_RECORD;
	return 0;
}

/* One section's frame, as read_section() found it sound. */
struct section {
	uint32_t type, index;
	uint64_t len;		/* of the payload */
	size_t off;		/* of the section header in the file */
	const uint8_t *pl;	/* the payload */
	unsigned int n;		/* 1 for the first section */
	char name[64];		/* "section 3 (vcpu 1)", for messages */
};

static int fail_truncated(struct parser *ps)
{
	return fail(ps, "truncated at byte %zu (file is %zu bytes, header "
		    "says %llu)", ps->len, ps->len,
		    (unsigned long long)ps->f->hdr.file_size);
}

/*
 * Section @n at @off: its header inside the file, its payload and
 * trailer too, its checksum right.  Nothing of the payload is read.
 */
static int read_section(struct parser *ps, size_t off, unsigned int n,
			struct section *sec)
{
	const uint8_t *p = ps->buf + off;
	uint32_t crc;

	if (ps->len - off < SNAP_SEC_HDR) {
		if (ps->len < ps->f->hdr.file_size)
			return fail_truncated(ps);
		return fail(ps, "no end marker");
	}
	sec->type = (uint32_t)snap_get_le(p, 4);
	sec->index = (uint32_t)snap_get_le(p + 4, 4);
	sec->len = snap_get_le(p + 8, 8);
	sec->off = off;
	sec->pl = p + SNAP_SEC_HDR;
	sec->n = n;
	sec_name(sec->name, sizeof(sec->name), n, sec->type, sec->index);
	if (sec->len > ps->len - off - SNAP_SEC_HDR ||
	    ps->len - off - SNAP_SEC_HDR - sec->len < SNAP_SEC_TRAILER) {
		if (ps->len < ps->f->hdr.file_size)
			return fail_truncated(ps);
		return fail(ps, "%s: length %llu runs past the end of the file",
			    sec->name, (unsigned long long)sec->len);
	}
	crc = (uint32_t)snap_get_le(p + SNAP_SEC_HDR + sec->len, 4);
	if (hv_crc32c(0, p, SNAP_SEC_HDR + sec->len) != crc)
		return fail(ps, "%s: checksum mismatch", sec->name);
	return 0;
}

static int take_config(struct parser *ps, const struct section *sec)
{
	struct snap_file *f = ps->f;
	const char *bad;
	int err;

	bad = snap_decode_config(sec->pl, sec->len, &f->cfg);
	if (bad)
		return fail(ps, "%s: %s", sec->name, bad);
	err = check_config(ps, sec->name);
	if (err)
		return err;
	f->vcpus = calloc(f->cfg.nr_vcpus + 1, sizeof(*f->vcpus));
	if (!f->vcpus)
		return -ENOMEM;
	ps->st = f->cfg.nr_vcpus ? ST_VCPUS : ST_DEVICES;
	return 0;
}

static int take_vcpu(struct parser *ps, const struct section *sec)
{
	struct snap_file *f = ps->f;
	struct hv_vcpu_state *s = &f->vcpus[ps->nr_vcpus];
	const char *bad;
	int err;

	bad = snap_decode_vcpu(sec->pl, sec->len, f->hdr.format_version, s);
	if (bad)
		return fail(ps, "%s: %s", sec->name, bad);
	err = check_vcpu(ps, sec->name, sec->index, s, ps->nr_vcpus);
	if (err)
		return err;
	if (++ps->nr_vcpus == f->cfg.nr_vcpus)
		ps->st = ST_DEVICES;
	return 0;
}

static int take_devices(struct parser *ps, const struct section *sec)
{
	struct snap_file *f = ps->f;
	const char *bad;

	bad = snap_decode_devices(sec->pl, sec->len, f->hdr.format_version,
				  &f->devices);
	if (bad)
		return fail(ps, "%s: %s", sec->name, bad);
	if (f->devices.flags)
		return fail(ps, "%s: unknown flags 0x%x", sec->name,
			    f->devices.flags);
	ps->st = ST_MEMORY;
	return 0;
}

/* The end marker counts the sections before it and the pages stored. */
static int take_end(struct parser *ps, const struct section *sec)
{
	uint32_t count, reserved;
	uint64_t pages;

	if (sec->len != 16)
		return fail(ps, "%s: length %llu is not 16", sec->name,
			    (unsigned long long)sec->len);
	count = (uint32_t)snap_get_le(sec->pl, 4);
	reserved = (uint32_t)snap_get_le(sec->pl + 4, 4);
	pages = snap_get_le(sec->pl + 8, 8);
	if (count != sec->n - 1 || reserved || pages != ps->f->pages_stored)
		return fail(ps, "%s: says %u sections and %llu pages, the file "
			    "has %u and %llu", sec->name, count,
			    (unsigned long long)pages, sec->n - 1,
			    (unsigned long long)ps->f->pages_stored);
	ps->st = ST_DONE;
	return 0;
}

/* A sound section, by its type and the stage parsing is at. */
static int take_section(struct parser *ps, const struct section *sec)
{
	uint32_t type = sec->type;

	/* Optional section of a later libhv: skipped. */
	if (type & 0x80000000u)
		return 0;
	if (type == SNAP_SEC_CONFIG && ps->st == ST_CONFIG)
		return take_config(ps, sec);
	if (type == SNAP_SEC_VCPU && ps->st == ST_VCPUS)
		return take_vcpu(ps, sec);
	if (type == SNAP_SEC_DEVICES && ps->st == ST_DEVICES)
		return take_devices(ps, sec);
	if (type == SNAP_SEC_MEMORY && ps->st == ST_MEMORY)
		return check_memory(ps, sec->name, sec->index,
				    sec->off + SNAP_SEC_HDR, sec->len);
	if (type == SNAP_SEC_END && ps->st == ST_MEMORY)
		return take_end(ps, sec);
	if (ps->st == ST_VCPUS)
		return fail(ps, "%s: found after %u of %u vCPUs", sec->name,
			    ps->nr_vcpus, ps->f->cfg.nr_vcpus);
	return fail(ps, "%s: unexpected here", sec->name);
}

/* Every section in turn up to the end marker, which ends the file. */
static int parse_sections(struct parser *ps)
{
	size_t off = ps->f->hdr.header_size;
	struct section sec;
	unsigned int n = 0;
	int err;

	while (ps->st != ST_DONE) {
		err = read_section(ps, off, ++n, &sec);
		if (!err)
			err = take_section(ps, &sec);
		if (err)
			return err;
		off += SNAP_SEC_HDR + sec.len + SNAP_SEC_TRAILER;
	}
	if (off != ps->len)
		return fail(ps, "%zu bytes after the end marker",
			    ps->len - off);
	if (off != ps->f->hdr.file_size)
		return fail(ps, "header says %llu bytes, the sections end at "
			    "byte %zu",
			    (unsigned long long)ps->f->hdr.file_size, off);
	return 0;
}

int snap_parse(const uint8_t *buf, size_t len, const char *label,
	       struct snap_file *f, char *err, size_t errlen)
{
	struct parser ps = {
		.buf = buf, .len = len, .label = label, .err = err,
		.errlen = errlen, .f = f,
	};
	unsigned int i;
	int ret;

	memset(f, 0, sizeof(*f));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_header(&ps);
	if (!ret)
		ret = parse_sections(&ps);
	for (i = 0; i < HV_MAX_REGIONS; i++)
		free(ps.seen[i]);
	if (ret == -ENOMEM)
		fail(&ps, "out of memory");
	if (ret)
		snap_file_free(f);
	return ret;
}

void snap_file_free(struct snap_file *f)
{
	free(f->vcpus);
	free(f->mem);
	f->vcpus = NULL;
	f->mem = NULL;
	f->nr_mem = 0;
}

int snap_for_each_page_run(const struct snap_file *f, const uint8_t *buf,
			   int (*fn)(void *opaque, uint32_t region,
				     uint64_t page, uint32_t nr_pages,
				     const uint8_t *data),
			   void *opaque)
{
	size_t i, j;
	int ret;

	for (i = 0; i < f->nr_mem; i++) {
		const struct snap_mem_section *m = &f->mem[i];
		const uint8_t *data = buf + m->data;

		for (j = 0; j < m->nr_records; j++) {
			const uint8_t *r = buf + m->records +
					   j * SNAP_MEM_RECORD;
			uint32_t n = (uint32_t)snap_get_le(r + 8, 4);
			bool zero = snap_get_le(r + 12, 4) == SNAP_MEM_ZERO;

			ret = fn(opaque, m->region, snap_get_le(r, 8), n,
				 zero ? NULL : data);
			if (ret)
				return ret;
			if (!zero)
				data += (size_t)n * SNAP_PAGE;
		}
	}
	return 0;
}

bool snap_same_layout(const struct snap_config *a,
		      const struct snap_config *b)
{
	uint32_t i;

	if (a->nr_regions != b->nr_regions || a->nr_vcpus != b->nr_vcpus)
		return false;
	for (i = 0; i < a->nr_regions; i++)
		if (a->regions[i].gpa != b->regions[i].gpa ||
		    a->regions[i].size != b->regions[i].size)
			return false;
	return true;
}
