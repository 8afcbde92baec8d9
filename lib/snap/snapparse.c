// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading snapshot files (docs/snapshot-format.md): snap_parse() checks a
 * whole file in memory and trusts nothing: every length is checked
 * against what is left before it is used, every count against its
 * limit, every checksum before its payload is looked at.  For a lazy
 * restore, snap_parse_index() checks the same of all but the memory
 * sections, which it finds through the index (version 3), and
 * snap_check_mem() one memory section when its pages are needed; the
 * fuzzer holds the two ways to the same verdicts.  Pure C (no I/O), so
 * the unit tests and the fuzzer compile it directly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "snapfile.h"

/* Where parsing stands in the fixed order of sections. */
enum stage { ST_CONFIG, ST_VCPUS, ST_DEVICES, ST_MEMORY, ST_END, ST_DONE };

struct parser {
	const uint8_t *buf;
	size_t len;
	const char *label;
	char *err;
	size_t errlen;
	struct snap_file *f;
	uint64_t *seen[HV_MAX_REGIONS];	/* snap_parse: pages stored */
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

/*
 * "section 3 (vcpu 1)"; with @n 0 (a section found from the end of the
 * file, whose number is not known yet), "the end section".
 */
static const char *sec_name(char *buf, size_t len, unsigned int n,
			    uint32_t type, uint32_t index)
{
	char what[32];

	switch (type) {
	case SNAP_SEC_CONFIG:
		snprintf(what, sizeof(what), "config");
		break;
	case SNAP_SEC_VCPU:
		snprintf(what, sizeof(what), "vcpu %u", index);
		break;
	case SNAP_SEC_DEVICES:
		snprintf(what, sizeof(what), "devices");
		break;
	case SNAP_SEC_MEMORY:
		snprintf(what, sizeof(what), "memory, region %u", index);
		break;
	case SNAP_SEC_INDEX:
		snprintf(what, sizeof(what), "index");
		break;
	case SNAP_SEC_END:
		snprintf(what, sizeof(what), "end");
		break;
	default:
		snprintf(what, sizeof(what), "type 0x%x", type);
	}
	if (n)
		snprintf(buf, len, "section %u (%s)", n, what);
	else
		snprintf(buf, len, "the %s section", what);
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
 * The @nr records at @r of memory section @sn, region @index: known
 * kinds, in order, inside pages [@lo, @hi) of the region (its window, or
 * the whole region), and, with @seen (snap_parse()), no page stored
 * twice in the file.  A version 3 file's windows never overlap, so
 * records inside their windows cannot repeat across sections; within
 * one, the order rules it out.  The data and zero pages are added to
 * *data and *zero: nothing of ps->f is written here, so that
 * snap_check_mem() may run in several threads on one file.
 */
static int check_records(struct parser *ps, const char *sn, uint32_t index,
			 const uint8_t *r, uint64_t nr, uint64_t lo,
			 uint64_t hi, uint64_t *seen, uint64_t *data,
			 uint64_t *zero)
{
	uint64_t i, next = lo;

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
		if (n == 0 || page < lo || page >= hi || n > hi - page) {
			if (lo == 0 && hi == ps->f->cfg.regions[index].size /
					       SNAP_PAGE)
				return fail(ps, "%s: record %llu: pages %llu+%u "
					    "beyond the region's %llu pages",
					    sn, (unsigned long long)i,
					    (unsigned long long)page, n,
					    (unsigned long long)hi);
			return fail(ps, "%s: record %llu: pages %llu+%u "
				    "outside the section's window %llu+%llu",
				    sn, (unsigned long long)i,
				    (unsigned long long)page, n,
				    (unsigned long long)lo,
				    (unsigned long long)(hi - lo));
		}
		if (page < next)
			return fail(ps, "%s: record %llu: pages out of order",
				    sn, (unsigned long long)i);
		next = page + n;
		for (pg = page; seen && pg < page + n; pg++) {
			uint64_t bit = 1ULL << (pg & 63);

			if (seen[pg / 64] & bit)
				return fail(ps, "%s: page %llu of region %u "
					    "stored twice", sn,
					    (unsigned long long)pg, index);
			seen[pg / 64] |= bit;
		}
		if (kind == SNAP_MEM_DATA)
			*data += n;
		else
			*zero += n;
	}
	return 0;
}

/*
 * The payload of memory section @m (m->off, m->len; its CRC checked):
 * the region it names, its records, its length.  With @windowed the
 * records must lie in m's window; else anywhere in the region, and the
 * window becomes their span.  Sets m's records, data and nr_records.
 */
static int check_memory(struct parser *ps, const char *sn,
			struct snap_mem_section *m, bool windowed,
			uint64_t *seen, uint64_t *data, uint64_t *zero)
{
	const struct snap_config *c = &ps->f->cfg;
	const uint8_t *p = ps->buf + m->off + SNAP_SEC_HDR;
	uint64_t pages, nr, lo, hi, len = m->len;
	const uint8_t *last;
	uint64_t d = 0;
	int err;

	if (len < 16)
		return fail(ps, "%s: too short", sn);
	if (snap_get_le(p, 4) != m->region)
		return fail(ps, "%s: names region %u", sn,
			    (uint32_t)snap_get_le(p, 4));
	if (m->region >= c->nr_regions)
		return fail(ps, "%s: no such region (the VM has %u)", sn,
			    c->nr_regions);
	nr = snap_get_le(p + 4, 4);
	if (snap_get_le(p + 8, 8))
		return fail(ps, "%s: reserved field is not zero", sn);
	if (nr == 0 || nr > (len - 16) / SNAP_MEM_RECORD)
		return fail(ps, "%s: %llu records do not fit", sn,
			    (unsigned long long)nr);
	pages = c->regions[m->region].size / SNAP_PAGE;
	lo = windowed ? m->first_page : 0;
	hi = windowed ? m->first_page + m->nr_pages : pages;
	err = check_records(ps, sn, m->region, p + 16, nr, lo, hi, seen, &d,
			    zero);
	if (err)
		return err;
	if (d * SNAP_PAGE != len - 16 - nr * SNAP_MEM_RECORD)
		return fail(ps, "%s: length %llu does not match its records "
			    "(%llu data pages)", sn, (unsigned long long)len,
			    (unsigned long long)d);
	*data += d;
	m->nr_records = (uint32_t)nr;
	m->records = m->off + SNAP_SEC_HDR + 16;
	m->data = m->records + nr * SNAP_MEM_RECORD;
	if (!windowed) {
		last = p + 16 + (nr - 1) * SNAP_MEM_RECORD;
		m->first_page = snap_get_le(p + 16, 8);
		m->nr_pages = (uint32_t)(snap_get_le(last, 8) +
					 snap_get_le(last + 8, 4) -
					 m->first_page);
	}
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
	f->mem_sec_n = sec->n + 1;
	ps->st = ST_MEMORY;
	return 0;
}

/* snap_parse(): a memory section in file order, checked whole. */
static int take_memory(struct parser *ps, const struct section *sec)
{
	struct snap_file *f = ps->f;
	struct snap_mem_section *m, *more;
	uint32_t r = sec->index;
	uint64_t *seen = NULL;
	int err;

	if ((f->nr_mem & (f->nr_mem - 1)) == 0) {
		more = realloc(f->mem, (f->nr_mem ? f->nr_mem * 2 : 16) *
				       sizeof(*more));
		if (!more)
			return -ENOMEM;
		f->mem = more;
	}
	if (r < f->cfg.nr_regions) {
		if (!ps->seen[r])
			ps->seen[r] = calloc((f->cfg.regions[r].size /
					      SNAP_PAGE + 63) / 64, 8);
		if (!ps->seen[r])
			return -ENOMEM;
		seen = ps->seen[r];
	}
	m = &f->mem[f->nr_mem];
	memset(m, 0, sizeof(*m));
	m->region = r;
	m->off = sec->off;
	m->len = sec->len;
	err = check_memory(ps, sec->name, m, false, seen, &f->pages_stored,
			   &f->zero_records);
	if (err)
		return err;
	m->checked = true;
	f->nr_mem++;
	return 0;
}

/* The index's frame: its count of entries fits its length. */
static int index_entries(struct parser *ps, const struct section *sec,
			 uint32_t *nr)
{
	if (sec->index)
		return fail(ps, "%s: index field %u is not 0", sec->name,
			    sec->index);
	if (sec->len < SNAP_INDEX_HDR)
		return fail(ps, "%s: too short", sec->name);
	*nr = (uint32_t)snap_get_le(sec->pl, 4);
	if (snap_get_le(sec->pl + 4, 4))
		return fail(ps, "%s: reserved field is not zero", sec->name);
	if (sec->len != SNAP_INDEX_HDR + (uint64_t)*nr * SNAP_INDEX_ENTRY)
		return fail(ps, "%s: length %llu does not hold %u entries",
			    sec->name, (unsigned long long)sec->len, *nr);
	return 0;
}

/*
 * Entry @i of the index @sec into @e (off, len, region and window), the
 * window checked: inside its region, at most SNAP_CHUNK_PAGES, after
 * the previous window of its region (@next: where each region's last
 * window ended).
 */
static int take_entry(struct parser *ps, const struct section *sec,
		      uint32_t i, uint64_t *next, struct snap_mem_section *e)
{
	const uint8_t *p = sec->pl + SNAP_INDEX_HDR + (size_t)i *
			   SNAP_INDEX_ENTRY;
	const struct snap_config *c = &ps->f->cfg;
	uint64_t pages;

	memset(e, 0, sizeof(*e));
	e->off = (size_t)snap_get_le(p, 8);
	e->len = snap_get_le(p + 8, 8);
	e->first_page = snap_get_le(p + 16, 8);
	e->region = (uint32_t)snap_get_le(p + 24, 4);
	e->nr_pages = (uint32_t)snap_get_le(p + 28, 4);
	if (e->region >= c->nr_regions)
		return fail(ps, "%s: entry %u: no region %u (the VM has %u)",
			    sec->name, i, e->region, c->nr_regions);
	pages = c->regions[e->region].size / SNAP_PAGE;
	if (e->nr_pages == 0 || e->nr_pages > SNAP_CHUNK_PAGES ||
	    e->first_page >= pages || e->nr_pages > pages - e->first_page)
		return fail(ps, "%s: entry %u: window %llu+%u of region %u "
			    "(%llu pages)", sec->name, i,
			    (unsigned long long)e->first_page, e->nr_pages,
			    e->region, (unsigned long long)pages);
	if (e->first_page < next[e->region])
		return fail(ps, "%s: entry %u: window %llu+%u overlaps or "
			    "precedes region %u's previous one (which ends at "
			    "page %llu)", sec->name, i,
			    (unsigned long long)e->first_page, e->nr_pages,
			    e->region,
			    (unsigned long long)next[e->region]);
	next[e->region] = e->first_page + e->nr_pages;
	return 0;
}

/*
 * snap_parse(), version 3: the index after the memory sections lists
 * exactly those, each in its window.
 */
static int take_index(struct parser *ps, const struct section *sec)
{
	struct snap_file *f = ps->f;
	uint64_t next[HV_MAX_REGIONS] = { 0 };
	struct snap_mem_section e, *m;
	uint32_t nr, i;
	int err;

	err = index_entries(ps, sec, &nr);
	if (err)
		return err;
	if (nr != f->nr_mem)
		return fail(ps, "%s: lists %u memory sections, the file has "
			    "%zu", sec->name, nr, f->nr_mem);
	for (i = 0; i < nr; i++) {
		m = &f->mem[i];
		err = take_entry(ps, sec, i, next, &e);
		if (err)
			return err;
		if (e.off != m->off)
			return fail(ps, "%s: entry %u says offset %zu, the "
				    "memory section is at %zu", sec->name, i,
				    e.off, m->off);
		if (e.region != m->region || e.len != m->len)
			return fail(ps, "%s: entry %u says region %u, %llu "
				    "bytes; section %u holds region %u, %llu "
				    "bytes", sec->name, i, e.region,
				    (unsigned long long)e.len,
				    f->mem_sec_n + i, m->region,
				    (unsigned long long)m->len);
		if (m->first_page < e.first_page || m->first_page +
		    m->nr_pages > e.first_page + e.nr_pages)
			return fail(ps, "%s: entry %u: section %u holds pages "
				    "%llu+%u, outside its window %llu+%u",
				    sec->name, i, f->mem_sec_n + i,
				    (unsigned long long)m->first_page,
				    m->nr_pages,
				    (unsigned long long)e.first_page,
				    e.nr_pages);
		m->first_page = e.first_page;
		m->nr_pages = e.nr_pages;
	}
	f->index_off = sec->off;
	ps->st = ST_END;
	return 0;
}

/*
 * The end marker counts the sections before it and the pages stored;
 * from version 3 it also gives the index's offset.
 */
static int take_end(struct parser *ps, const struct section *sec)
{
	bool indexed = ps->f->hdr.format_version >= SNAP_FORMAT_INDEXED;
	uint32_t count, reserved, want = indexed ? SNAP_END_LEN_INDEXED
						 : SNAP_END_LEN;
	uint64_t pages;

	if (sec->len != want)
		return fail(ps, "%s: length %llu is not %u", sec->name,
			    (unsigned long long)sec->len, want);
	count = (uint32_t)snap_get_le(sec->pl, 4);
	reserved = (uint32_t)snap_get_le(sec->pl + 4, 4);
	pages = snap_get_le(sec->pl + 8, 8);
	if (count != sec->n - 1 || reserved || pages != ps->f->pages_stored)
		return fail(ps, "%s: says %u sections and %llu pages, the file "
			    "has %u and %llu", sec->name, count,
			    (unsigned long long)pages, sec->n - 1,
			    (unsigned long long)ps->f->pages_stored);
	if (indexed && snap_get_le(sec->pl + 16, 8) != ps->f->index_off)
		return fail(ps, "%s: says the index is at byte %llu, it is at "
			    "%zu", sec->name,
			    (unsigned long long)snap_get_le(sec->pl + 16, 8),
			    ps->f->index_off);
	ps->st = ST_DONE;
	return 0;
}

/* A sound section, by its type and the stage parsing is at. */
static int take_section(struct parser *ps, const struct section *sec)
{
	uint32_t type = sec->type, version = ps->f->hdr.format_version;
	bool indexed = version >= SNAP_FORMAT_INDEXED;

	/*
	 * Optional section of a later libhv: skipped; from version 3 only
	 * before the memory, so that the index's sections tile the rest.
	 */
	if (type & 0x80000000u) {
		if (indexed && ps->st >= ST_MEMORY)
			return fail(ps, "%s: optional section after the "
				    "devices", sec->name);
		return 0;
	}
	if (type == SNAP_SEC_CONFIG && ps->st == ST_CONFIG)
		return take_config(ps, sec);
	if (type == SNAP_SEC_VCPU && ps->st == ST_VCPUS)
		return take_vcpu(ps, sec);
	if (type == SNAP_SEC_DEVICES && ps->st == ST_DEVICES)
		return take_devices(ps, sec);
	if (type == SNAP_SEC_MEMORY && ps->st == ST_MEMORY)
		return take_memory(ps, sec);
	if (type == SNAP_SEC_INDEX && !indexed)
		return fail(ps, "%s: a memory index in a version %u file",
			    sec->name, version);
	if (type == SNAP_SEC_INDEX && ps->st == ST_MEMORY)
		return take_index(ps, sec);
	if (type == SNAP_SEC_END && indexed && ps->st == ST_MEMORY)
		return fail(ps, "%s: no memory index before it", sec->name);
	if (type == SNAP_SEC_END && ps->st == (indexed ? ST_END : ST_MEMORY))
		return take_end(ps, sec);
	if (ps->st == ST_VCPUS)
		return fail(ps, "%s: found after %u of %u vCPUs", sec->name,
			    ps->nr_vcpus, ps->f->cfg.nr_vcpus);
	return fail(ps, "%s: unexpected here", sec->name);
}

/*
 * Sections in turn from *off (numbering from *n + 1) until parsing
 * reaches stage @until; *off and *n then follow the last one taken.
 */
static int walk_sections(struct parser *ps, size_t *off, unsigned int *n,
			 enum stage until)
{
	struct section sec;
	int err;

	while (ps->st < until) {
		err = read_section(ps, *off, ++*n, &sec);
		if (!err)
			err = take_section(ps, &sec);
		if (err)
			return err;
		*off += SNAP_SEC_HDR + sec.len + SNAP_SEC_TRAILER;
	}
	return 0;
}

/* Every section in turn up to the end marker, which ends the file. */
static int parse_sections(struct parser *ps)
{
	size_t off = ps->f->hdr.header_size;
	unsigned int n = 0;
	int err;

	err = walk_sections(ps, &off, &n, ST_DONE);
	if (err)
		return err;
	if (off != ps->len)
		return fail(ps, "%zu bytes after the end marker",
			    ps->len - off);
	if (off != ps->f->hdr.file_size)
		return fail(ps, "header says %llu bytes, the sections end at "
			    "byte %zu",
			    (unsigned long long)ps->f->hdr.file_size, off);
	return 0;
}

/* Cleanup of snap_parse() and snap_parse_index() */
static int parse_done(struct parser *ps, int ret)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_REGIONS; i++)
		free(ps->seen[i]);
	if (ret == -ENOMEM)
		fail(ps, "out of memory");
	if (ret)
		snap_file_free(ps->f);
	else
		ps->f->label = ps->label;
	return ret;
}

int snap_parse(const uint8_t *buf, size_t len, const char *label,
	       struct snap_file *f, char *err, size_t errlen)
{
	struct parser ps = {
		.buf = buf, .len = len, .label = label, .err = err,
		.errlen = errlen, .f = f,
	};
	int ret;

	memset(f, 0, sizeof(*f));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_header(&ps);
	if (!ret)
		ret = parse_sections(&ps);
	return parse_done(&ps, ret);
}

/* The 16-byte header of the section at @off, not its CRC (read later). */
static void peek_section(struct parser *ps, size_t off, uint32_t *type,
			 uint32_t *index, uint64_t *len)
{
	*type = (uint32_t)snap_get_le(ps->buf + off, 4);
	*index = (uint32_t)snap_get_le(ps->buf + off + 4, 4);
	*len = snap_get_le(ps->buf + off + 8, 8);
}

/*
 * snap_parse_index(): the end section in the file's last bytes, then
 * the index at the offset it gives.  @off is where the devices section
 * ends, @n its number.  Both CRCs are checked; *idx is the index, *nr
 * its entries, *count the end section's count of sections.
 */
static int take_tail(struct parser *ps, size_t off, unsigned int n,
		     struct section *idx, uint32_t *nr, uint32_t *count)
{
	const size_t end_size = SNAP_SEC_HDR + SNAP_END_LEN_INDEXED +
				SNAP_SEC_TRAILER;
	const size_t idx_min = SNAP_SEC_HDR + SNAP_INDEX_HDR + SNAP_SEC_TRAILER;
	size_t end_off;
	struct section end;
	uint32_t type, index;
	uint64_t len, index_off;
	int err;

	if (ps->len - off < end_size + idx_min)
		return fail(ps, "no room for the index and the end section "
			    "after byte %zu", off);
	end_off = ps->len - end_size;
	peek_section(ps, end_off, &type, &index, &len);
	if (type != SNAP_SEC_END || len != SNAP_END_LEN_INDEXED)
		return fail(ps, "no end section in the last %zu bytes",
			    end_size);
	err = read_section(ps, end_off, 0, &end);
	if (err)
		return err;
	*count = (uint32_t)snap_get_le(end.pl, 4);
	if (snap_get_le(end.pl + 4, 4))
		return fail(ps, "%s: reserved field is not zero", end.name);
	ps->f->pages_stored = snap_get_le(end.pl + 8, 8);
	index_off = snap_get_le(end.pl + 16, 8);
	if (index_off < off || index_off > end_off - idx_min)
		return fail(ps, "%s: says the index is at byte %llu, outside "
			    "bytes %zu to %zu", end.name,
			    (unsigned long long)index_off, off,
			    end_off - idx_min);
	peek_section(ps, (size_t)index_off, &type, &index, &len);
	if (type != SNAP_SEC_INDEX)
		return fail(ps, "%s: says the index is at byte %llu, a "
			    "section of type 0x%x is there", end.name,
			    (unsigned long long)index_off, type);
	if (len != end_off - index_off - SNAP_SEC_HDR - SNAP_SEC_TRAILER)
		return fail(ps, "the index section: length %llu does not end "
			    "it at the end section (byte %zu)",
			    (unsigned long long)len, end_off);
	err = read_section(ps, (size_t)index_off, 0, idx);
	if (!err)
		err = index_entries(ps, idx, nr);
	if (err)
		return err;
	sec_name(idx->name, sizeof(idx->name), n + *nr + 1, type, index);
	ps->f->index_off = (size_t)index_off;
	return 0;
}

/*
 * snap_parse_index(): the index's entries.  Memory section i starts
 * where the section before it ends (@off: the devices section's end),
 * the last ends at the index, and each one's header agrees with its
 * entry.
 */
static int take_entries(struct parser *ps, const struct section *idx,
			uint32_t nr, size_t off)
{
	struct snap_file *f = ps->f;
	uint64_t next[HV_MAX_REGIONS] = { 0 };
	struct snap_mem_section *e;
	uint32_t i, type, index;
	uint64_t len;
	int err;

	f->mem = calloc(nr ? nr : 1, sizeof(*f->mem));
	if (!f->mem)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		e = &f->mem[i];
		err = take_entry(ps, idx, i, next, e);
		if (err)
			return err;
		if (e->off != off)
			return fail(ps, "%s: entry %u says offset %zu, the "
				    "section before ends at %zu", idx->name, i,
				    e->off, off);
		if (f->index_off - off < SNAP_SEC_HDR + SNAP_SEC_TRAILER ||
		    e->len > f->index_off - off - SNAP_SEC_HDR -
			     SNAP_SEC_TRAILER)
			return fail(ps, "%s: entry %u: length %llu runs past "
				    "the index", idx->name, i,
				    (unsigned long long)e->len);
		peek_section(ps, off, &type, &index, &len);
		if (type != SNAP_SEC_MEMORY || index != e->region ||
		    len != e->len)
			return fail(ps, "%s: entry %u says region %u, %llu "
				    "bytes at %zu; the section there has type "
				    "0x%x, index %u, %llu bytes", idx->name,
				    i, e->region, (unsigned long long)e->len,
				    off, type, index,
				    (unsigned long long)len);
		off += SNAP_SEC_HDR + e->len + SNAP_SEC_TRAILER;
		f->nr_mem++;
	}
	if (off != f->index_off)
		return fail(ps, "%s: the sections before it end at byte %zu, "
			    "it is at %zu", idx->name, off, f->index_off);
	return 0;
}

int snap_parse_index(const uint8_t *buf, size_t len, const char *label,
		     struct snap_file *f, char *err, size_t errlen)
{
	struct parser ps = {
		.buf = buf, .len = len, .label = label, .err = err,
		.errlen = errlen, .f = f,
	};
	struct section idx;
	unsigned int n = 0;
	uint32_t nr = 0, count = 0;
	size_t off;
	int ret;

	memset(f, 0, sizeof(*f));
	if (err && errlen)
		err[0] = '\0';
	ret = parse_header(&ps);
	if (ret)
		return parse_done(&ps, ret);
	if (f->hdr.format_version < SNAP_FORMAT_INDEXED) {
		fail(&ps, "no memory index (format version %u; files have "
		     "one from version %u)", f->hdr.format_version,
		     SNAP_FORMAT_INDEXED);
		return parse_done(&ps, -ENOENT);
	}
	if (len < f->hdr.file_size)
		return parse_done(&ps, fail_truncated(&ps));
	off = f->hdr.header_size;
	ret = walk_sections(&ps, &off, &n, ST_MEMORY);
	if (!ret)
		ret = take_tail(&ps, off, n, &idx, &nr, &count);
	if (!ret)
		ret = take_entries(&ps, &idx, nr, off);
	if (!ret && count != n + nr + 1)
		ret = fail(&ps, "section %u (end): says %u sections, the file "
			   "has %u", n + nr + 2, count, n + nr + 1);
	return parse_done(&ps, ret);
}

int snap_check_mem(struct snap_file *f, const uint8_t *buf, size_t i,
		   char *err, size_t errlen)
{
	struct parser ps = {
		.buf = buf, .len = f->hdr.file_size, .err = err,
		.errlen = errlen, .f = f,
		.label = f->label ? f->label : "snapshot",
	};
	struct snap_mem_section *m;
	struct section sec;
	uint64_t data = 0, zero = 0;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (i >= f->nr_mem)
		return fail(&ps, "no memory section %zu (the file has %zu)",
			    i, f->nr_mem);
	m = &f->mem[i];
	ret = read_section(&ps, m->off, f->mem_sec_n + (unsigned int)i, &sec);
	if (!ret && (sec.type != SNAP_SEC_MEMORY || sec.index != m->region ||
		     sec.len != m->len))
		ret = fail(&ps, "%s: disagrees with its index entry",
			   sec.name);
	if (!ret)
		ret = check_memory(&ps, sec.name, m, true, NULL, &data, &zero);
	if (!ret)
		m->checked = true;
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

int snap_for_each_page_run_in(const struct snap_file *f, const uint8_t *buf,
			      size_t i, snap_run_fn fn, void *opaque)
{
	const struct snap_mem_section *m;
	const uint8_t *data;
	size_t j;
	int ret;

	if (i >= f->nr_mem || !f->mem[i].checked)
		return -EINVAL;
	m = &f->mem[i];
	data = buf + m->data;
	for (j = 0; j < m->nr_records; j++) {
		const uint8_t *r = buf + m->records + j * SNAP_MEM_RECORD;
		uint32_t n = (uint32_t)snap_get_le(r + 8, 4);
		bool zero = snap_get_le(r + 12, 4) == SNAP_MEM_ZERO;

		ret = fn(opaque, m->region, snap_get_le(r, 8), n,
			 zero ? NULL : data);
		if (ret)
			return ret;
		if (!zero)
			data += (size_t)n * SNAP_PAGE;
	}
	return 0;
}

int snap_for_each_page_run(const struct snap_file *f, const uint8_t *buf,
			   snap_run_fn fn, void *opaque)
{
	size_t i;
	int ret;

	for (i = 0; i < f->nr_mem; i++) {
		ret = snap_for_each_page_run_in(f, buf, i, fn, opaque);
		if (ret)
			return ret;
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
