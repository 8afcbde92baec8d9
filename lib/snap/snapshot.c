// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: writing snapshot files (the format in lib/snap/snapfile.c and
 * docs/snapshot-format.md): hv_vm_snapshot() of a quiet VM, and
 * hv_vm_snapshot_live() of one that runs on while its file is written
 * (from a clone: lib/snap/live.c).  Reading them is lib/snap/restore.c.
 *
 * Speed: guest memory goes from the VM's mapping to the file with
 * writev() of runs of non-zero pages (no copy in userspace), the CRC on
 * the way with SSE4.2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libhv.h"
#include "internal.h"
#include "crc32c.h"
#include "snapio.h"

#ifndef LIBHV_VERSION
#define LIBHV_VERSION	"0.1.0"
#endif

#define seterr snap_seterr

/* ---- snapshot ---- */

struct writer {
	int fd;
	off_t off;
	const char *label;
	char *err;
	size_t errlen;
};

static int write_iov(struct writer *w, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(w->fd, iov, cnt > IOV_MAX ? IOV_MAX : cnt);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return seterr(w->err, w->errlen, -errno, "%s: cannot "
				      "write: %s", w->label, strerror(errno));
		}
		w->off += n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return 0;
}

static int write_buf(struct writer *w, struct snap_buf *b)
{
	struct iovec iov = { b->p, b->len };

	if (b->failed)
		return seterr(w->err, w->errlen, -ENOMEM, "%s: out of memory",
			      w->label);
	return write_iov(w, &iov, 1);
}

/* What one memory section is built from: runs of like pages. */
struct mem_run {
	uint64_t page;
	uint32_t n;
	uint32_t kind;
};

/*
 * One snapshot being written.  @vm is the VM the file describes: its
 * name, id, RAM list and dirty logs.  @src is where its vCPU and device
 * state and its RAM are read: @vm itself, or for a live snapshot the
 * clone in @live (the VM as it was at the pause).
 */
struct snap_state {
	struct hv_vm *vm;
	struct hv_vm *src;
	struct snap_frozen *live;	/* NULL: @vm is quiet, read it */
	struct hv_vm_info instant;	/* live: @vm's info at the pause */
	const struct hv_snapshot_opts *opts;
	struct writer w;
	struct hv_ram_region regions[HV_MAX_REGIONS];
	size_t nr_regions;
	void *host[HV_MAX_REGIONS];	/* the region's pages, here */
	bool own_map[HV_MAX_REGIONS];
	uint64_t *dirty[HV_MAX_REGIONS];	/* incremental: pages to store */
	struct snap_buf index;		/* an entry per memory section */
	uint32_t nr_sections, nr_vcpus;
	uint64_t pages_stored, done, total, reported;
};

/*
 * One memory section for pages [first, first + count) of region @r, and
 * its index entry: that window, where the section starts and its length.
 */
static int write_chunk(struct snap_state *s, uint32_t r, uint64_t first,
		       uint32_t count)
{
	struct mem_run runs[SNAP_CHUNK_PAGES];
	struct iovec iov[SNAP_CHUNK_PAGES + 2];
	uint8_t *host = s->host[r];
	struct snap_buf b = { 0 };
	uint32_t i, nr = 0, data = 0, crc;
	uint64_t off = (uint64_t)s->w.off, len;
	uint8_t trailer[4];
	int cnt = 0, ret;

	for (i = 0; i < count; i++) {
		uint64_t pg = first + i;
		uint32_t kind;

		if (s->dirty[r] && !(s->dirty[r][pg / 64] >> (pg & 63) & 1))
			continue;
		if (snap_page_is_zero(host + pg * SNAP_PAGE)) {
			if (!s->dirty[r])
				continue;	/* full: absent means zero */
			kind = SNAP_MEM_ZERO;
		} else {
			kind = SNAP_MEM_DATA;
			data++;
		}
		if (nr && runs[nr - 1].kind == kind &&
		    runs[nr - 1].page + runs[nr - 1].n == pg)
			runs[nr - 1].n++;
		else
			runs[nr++] = (struct mem_run){ pg, 1, kind };
	}
	if (!nr)
		return 0;

	snap_section_begin(&b, SNAP_SEC_MEMORY, r);
	snap_put_u32(&b, r);
	snap_put_u32(&b, nr);
	snap_put_u64(&b, 0);
	for (i = 0; i < nr; i++) {
		snap_put_u64(&b, runs[i].page);
		snap_put_u32(&b, runs[i].n);
		snap_put_u32(&b, runs[i].kind);
	}
	if (b.failed) {
		snap_buf_free(&b);
		return seterr(s->w.err, s->w.errlen, -ENOMEM, "%s: out of "
			      "memory", s->w.label);
	}
	len = b.len - SNAP_SEC_HDR + (uint64_t)data * SNAP_PAGE;
	snap_encode_section_header(b.p, SNAP_SEC_MEMORY, r, len);
	crc = hv_crc32c(0, b.p, b.len);
	iov[cnt++] = (struct iovec){ b.p, b.len };
	for (i = 0; i < nr; i++) {
		void *p = host + runs[i].page * SNAP_PAGE;
		size_t len = (size_t)runs[i].n * SNAP_PAGE;

		if (runs[i].kind != SNAP_MEM_DATA)
			continue;
		crc = hv_crc32c(crc, p, len);
		iov[cnt++] = (struct iovec){ p, len };
	}
	trailer[0] = (uint8_t)crc;
	trailer[1] = (uint8_t)(crc >> 8);
	trailer[2] = (uint8_t)(crc >> 16);
	trailer[3] = (uint8_t)(crc >> 24);
	iov[cnt++] = (struct iovec){ trailer, 4 };
	ret = write_iov(&s->w, iov, cnt);
	snap_buf_free(&b);
	snap_index_add(&s->index, off, len, r, first, count);
	s->nr_sections++;
	s->pages_stored += data;
	return ret;
}

static int write_memory(struct snap_state *s)
{
	const struct hv_snapshot_opts *o = s->opts;
	uint32_t r;
	int ret;

	for (r = 0; r < s->nr_regions; r++) {
		uint64_t pages = s->regions[r].size / SNAP_PAGE, pg;

		for (pg = 0; pg < pages; pg += SNAP_CHUNK_PAGES) {
			uint32_t n = pages - pg < SNAP_CHUNK_PAGES ?
				     (uint32_t)(pages - pg) : SNAP_CHUNK_PAGES;

			ret = write_chunk(s, r, pg, n);
			if (ret)
				return ret;
			s->done += (uint64_t)n * SNAP_PAGE;
			if (o && o->progress &&
			    s->done - s->reported >= PROGRESS_STEP) {
				s->reported = s->done;
				o->progress(o->opaque, s->done, s->total);
			}
		}
	}
	if (o && o->progress)
		o->progress(o->opaque, s->total, s->total);
	return 0;
}

/*
 * Dirty logging for the next incremental snapshot, before memory is
 * read: every region logged with a clean bitmap.  For an incremental
 * snapshot, the bitmaps cleared now are the pages to store (added to
 * those of an earlier call: a live snapshot calls it twice).
 */
static int reset_dirty_logs(struct snap_state *s, bool incremental)
{
	size_t r, i;
	int ret = 0;

	for (r = 0; r < s->nr_regions && !ret; r++) {
		struct hv_ram_region *rg = &s->regions[r];
		size_t words = (rg->size / SNAP_PAGE + 63) / 64;
		uint64_t *bm;

		if (!(rg->flags & HV_RAM_DIRTY_LOG)) {
			ret = hv_vm_dirty_log(s->vm, rg->gpa, true);
			if (!ret)
				rg->flags |= HV_RAM_DIRTY_LOG;
			continue;
		}
		bm = calloc(words, 8);
		if (!bm) {
			ret = -ENOMEM;
			break;
		}
		ret = hv_vm_get_dirty_log(s->vm, rg->gpa, bm);
		if (incremental && s->dirty[r]) {
			for (i = 0; i < words; i++)
				s->dirty[r][i] |= bm[i];
			free(bm);
		} else if (incremental) {
			s->dirty[r] = bm;
		} else {
			free(bm);
		}
	}
	if (ret)
		return seterr(s->w.err, s->w.errlen, ret, "%s: cannot reset "
			      "dirty-page logging: %s", s->w.label,
			      hv_strerror(ret));
	return 0;
}

static int map_regions(struct snap_state *s)
{
	size_t r;

	for (r = 0; r < s->nr_regions; r++) {
		const struct hv_ram_region *rg = &s->regions[r];
		void *p = hv_vm_gpa_ptr(s->src, rg->gpa, rg->size);

		if (!p) {
			p = mmap(NULL, rg->size, PROT_READ, MAP_SHARED,
				 hv_vm_fd(s->src), (off_t)rg->gpa);
			if (p == MAP_FAILED)
				return seterr(s->w.err, s->w.errlen, -errno,
					      "%s: cannot map guest RAM: %s",
					      s->w.label, strerror(errno));
			s->own_map[r] = true;
		}
		s->host[r] = p;
	}
	return 0;
}

/* Everything but the memory, into @b; the header gets its file_size later. */
static int build_state(struct snap_state *s, struct snap_config *cfg,
		       struct snap_buf *b)
{
	struct hv_vcpu_state *vs;
	struct hv_device_state dev;
	size_t start;
	uint32_t id, found = 0;
	int ret = 0;

	vs = malloc(sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	start = snap_section_begin(b, SNAP_SEC_CONFIG, 0);
	snap_encode_config(b, cfg);
	snap_section_end(b, start);
	s->nr_sections++;
	for (id = 0; id < HV_MAX_VCPUS && found < cfg->nr_vcpus; id++) {
		ret = hv_vm_get_vcpu_state(s->src, id, vs);
		if (ret == -ENOENT || ret == -EINVAL)
			continue;	/* no vCPU with this id */
		if (ret)
			break;
		start = snap_section_begin(b, SNAP_SEC_VCPU, id);
		snap_encode_vcpu(b, vs);
		snap_section_end(b, start);
		s->nr_sections++;
		found++;
	}
	free(vs);
	if (ret)
		return seterr(s->w.err, s->w.errlen, ret, "%s: cannot read "
			      "vCPU %u's state: %s", s->w.label, id,
			      ret == -EBUSY ? "VM is busy (pause it first)"
					    : hv_strerror(ret));
	if (found != cfg->nr_vcpus)
		return seterr(s->w.err, s->w.errlen, -EIO, "%s: found %u of "
			      "the VM's %u vCPUs", s->w.label, found,
			      cfg->nr_vcpus);
	ret = hv_vm_get_device_state(s->src, &dev);
	if (ret)
		return seterr(s->w.err, s->w.errlen, ret, "%s: cannot read "
			      "the device state: %s", s->w.label,
			      hv_strerror(ret));
	start = snap_section_begin(b, SNAP_SEC_DEVICES, 0);
	snap_encode_devices(b, &dev);
	snap_section_end(b, start);
	s->nr_sections++;
	return 0;
}

/* --incremental: the base must be the last snapshot of this very VM. */
static int check_base(struct snap_state *s, const struct hv_vm_info *info,
		      const struct snap_config *cfg, struct snap_header *h)
{
	const struct hv_snapshot_opts *o = s->opts;
	struct chain *c;
	size_t r;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = snap_load_chain(c, o->base, false, o->err, o->errlen);
	if (ret)
		goto out;
	if (c->l[0].f.hdr.vm_id != info->id ||
	    c->l[0].f.hdr.dirty_epoch != info->dirty_epoch) {
		ret = seterr(o->err, o->errlen, -EINVAL, "%s is not the "
			     "latest snapshot of VM %s; take a full snapshot",
			     o->base, info->name);
		goto out;
	}
	if (!snap_same_layout(&c->l[0].f.cfg, cfg)) {
		ret = seterr(o->err, o->errlen, -EINVAL, "%s: the VM's RAM "
			     "regions or vCPUs changed since; take a full "
			     "snapshot", o->base);
		goto out;
	}
	for (r = 0; r < s->nr_regions; r++)
		if (!(s->regions[r].flags & HV_RAM_DIRTY_LOG)) {
			ret = seterr(o->err, o->errlen, -EINVAL, "%s: dirty "
				     "logging is off for RAM at 0x%llx; take a "
				     "full snapshot", o->base,
				     (unsigned long long)s->regions[r].gpa);
			goto out;
		}
	if (!realpath(o->base, h->base_path)) {
		ret = seterr(o->err, o->errlen, -errno, "%s: %s", o->base,
			     strerror(errno));
		goto out;
	}
	memcpy(h->base_id, c->l[0].f.hdr.id, SNAP_ID_LEN);
	h->flags |= SNAP_FLAG_INCREMENTAL;
out:
	snap_unload_chain(c);
	free(c);
	return ret;
}

static int fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, ret = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static uint32_t host_vendor(void)
{
	struct hv_caps caps;
	struct hv *hv;
	uint32_t v = HV_VENDOR_NONE;

	if (hv_open(&hv))
		return v;
	if (!hv_caps(hv, &caps))
		v = caps.vendor;
	hv_close(hv);
	return v;
}

/* The VM's info and RAM list, and the config section they make. */
static int read_vm(struct snap_state *s, const char *path,
		   struct hv_vm_info *info, struct snap_config *cfg)
{
	size_t r;
	int ret;

	ret = hv_vm_info(s->vm, info);
	if (!ret)
		ret = hv_vm_get_ram(s->vm, s->regions, &s->nr_regions);
	if (ret)
		return seterr(s->w.err, s->w.errlen, ret, "%s: cannot read the "
			      "VM: %s", path, hv_strerror(ret));
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->name, info->name, HV_NAME_LEN - 1);
	cfg->flags = info->flags & HV_VM_DESTROY_ON_CLOSE;
	cfg->nr_vcpus = info->nr_vcpus;
	cfg->nr_regions = (uint32_t)s->nr_regions;
	for (r = 0; r < s->nr_regions; r++) {
		cfg->regions[r].gpa = s->regions[r].gpa;
		cfg->regions[r].size = s->regions[r].size;
		s->total += s->regions[r].size;
	}
	return 0;
}

/* What the header knows before the state is read: who, what, its base. */
static int begin_header(struct snap_state *s, const char *path,
			const struct hv_vm_info *info,
			const struct snap_config *cfg, struct snap_header *h)
{
	const struct hv_snapshot_opts *o = s->opts;

	h->format_version = SNAP_FORMAT_VERSION;
	h->vendor = host_vendor();
	snprintf(h->hv_version, sizeof(h->hv_version), "%s", LIBHV_VERSION);
	if (getrandom(h->id, SNAP_ID_LEN, 0) != SNAP_ID_LEN)
		return seterr(s->w.err, s->w.errlen, -EIO, "%s: no random "
			      "bytes for the snapshot id", path);
	if (o && o->base)
		return check_base(s, info, cfg, h);
	return 0;
}

/* Into a new @tmp: what @b holds (header and state), then guest RAM. */
static int write_body(struct snap_state *s, const char *path,
		      const char *tmp, struct snap_buf *b)
{
	int ret;

	ret = map_regions(s);
	if (ret)
		return ret;
	s->w.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s->w.fd < 0)
		return seterr(s->w.err, s->w.errlen, -errno, "%s: cannot "
			      "create %s: %s", path, tmp, strerror(errno));
	ret = write_buf(&s->w, b);
	if (!ret)
		ret = write_memory(s);
	return ret;
}

/*
 * The memory index and the end marker that points to it, then the
 * header again with the file's size; fsync.
 */
static int write_tail(struct snap_state *s, const char *path,
		      struct snap_header *h, struct snap_buf *b,
		      size_t hdr_len)
{
	uint64_t index_off = (uint64_t)s->w.off;
	size_t start;
	int ret;

	b->len = 0;
	start = snap_section_begin(b, SNAP_SEC_INDEX, 0);
	snap_encode_index(b, &s->index);
	snap_section_end(b, start);
	s->nr_sections++;
	start = snap_section_begin(b, SNAP_SEC_END, 0);
	snap_encode_end(b, SNAP_FORMAT_VERSION, s->nr_sections,
			s->pages_stored, index_off);
	snap_section_end(b, start);
	ret = write_buf(&s->w, b);
	if (ret)
		return ret;
	h->file_size = (uint64_t)s->w.off;
	b->len = 0;
	snap_encode_header(b, h);
	if (b->failed || b->len != hdr_len)
		return -ENOMEM;
	if (pwrite(s->w.fd, b->p, b->len, 0) != (ssize_t)b->len ||
	    fsync(s->w.fd) < 0)
		return seterr(s->w.err, s->w.errlen, -errno, "%s: cannot "
			      "write: %s", path, strerror(errno));
	return 0;
}

/*
 * A live snapshot's instant: snap_freeze() calls this with the clone
 * made.  The file records the dirty epoch read here, so the next
 * increment against it holds every page the VM writes from this moment
 * on.  An incremental snapshot also takes the pages logged since the
 * first reset (freeze_live()), now and not after the resume: a page
 * written after this moment must stay logged for the next one, so its
 * VM is still paused here.  A full one's was paused by the kernel for
 * the clone alone (HV_CLONE_HOLD) and runs again: its epoch moves only
 * with dirty-log resets, which it made before, and a vCPU or RAM added
 * since the clone only makes this refuse needlessly.
 */
static int at_instant(void *arg)
{
	struct snap_state *s = arg;
	const struct hv_snapshot_opts *o = s->opts;
	int ret = 0;

	if (o && o->base)
		ret = reset_dirty_logs(s, true);
	if (ret)
		return ret;
	ret = hv_vm_info(s->vm, &s->instant);
	if (ret)
		return seterr(s->w.err, s->w.errlen, ret, "%s: cannot read the "
			      "VM: %s", s->w.label, hv_strerror(ret));
	/* A vCPU or RAM added since read_vm() would be missing from the file */
	if (s->instant.nr_vcpus != s->nr_vcpus ||
	    s->instant.mem_size != s->total)
		return seterr(s->w.err, s->w.errlen, -EAGAIN, "%s: the VM's "
			      "vCPUs or RAM changed as the snapshot began; try "
			      "again", s->w.label);
	return 0;
}

/*
 * The dirty logs are reset first, while the VM may still run: a page
 * it writes after that is logged for the next increment and is in the
 * clone anyway, so nothing is lost, and the pause is left only the
 * pages written in these few milliseconds to clear (an incremental
 * snapshot's), not all those since its base.  Then the instant: pause,
 * clone, at_instant(), resume (lib/snap/live.c); for a full snapshot
 * the kernel's pause, clone and resume, then at_instant().
 */
static int freeze_live(struct snap_state *s, bool incremental)
{
	int ret = reset_dirty_logs(s, incremental);

	if (!ret)
		ret = snap_freeze(s->vm, s->live, at_instant, s, !incremental,
				  s->w.label, s->w.err, s->w.errlen);
	if (!ret)
		s->src = s->live->clone;
	return ret;
}

static int snapshot_to(struct snap_state *s, const char *path,
		       const char *tmp)
{
	struct snap_header *h;
	struct snap_config cfg;
	struct hv_vm_info info;
	struct snap_buf b = { 0 };
	size_t hdr_len;
	bool incremental;
	int ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	ret = read_vm(s, path, &info, &cfg);
	if (!ret)
		ret = begin_header(s, path, &info, &cfg, h);
	if (ret)
		goto out;
	incremental = h->flags & SNAP_FLAG_INCREMENTAL;
	s->nr_vcpus = cfg.nr_vcpus;

	/* Header first with file_size 0; rewritten at the end. */
	snap_encode_header(&b, h);
	hdr_len = b.len;
	if (s->live) {
		/* The instant first; then its state, from the clone */
		ret = freeze_live(s, incremental);
		if (!ret)
			ret = build_state(s, &cfg, &b);
		info = s->instant;
	} else {
		ret = build_state(s, &cfg, &b);
		if (!ret)
			ret = reset_dirty_logs(s, incremental);
		if (!ret)	/* the epoch after clearing */
			ret = hv_vm_info(s->vm, &info);
	}
	if (ret)
		goto out;
	h->vm_id = info.id;
	h->dirty_epoch = info.dirty_epoch;

	ret = write_body(s, path, tmp, &b);
	if (!ret)
		ret = write_tail(s, path, h, &b, hdr_len);
out:
	snap_buf_free(&b);
	free(h);
	return ret;
}

/*
 * What a live snapshot reports, once the file is written or given up;
 * then the clone goes.  @vm's cow_copies moved on by one for each page
 * it wrote first since the pause.
 */
static void finish_live(struct snap_state *s,
			struct hv_snapshot_live_info *out)
{
	struct snap_frozen *fz = s->live;
	struct hv_vm_info now;

	if (fz->cloned) {
		memcpy(out->clone, fz->name, HV_NAME_LEN);
		out->paused = fz->paused;
		out->pause_ns = fz->pause_ns;
		out->write_ns = hv_monotonic_ns() - fz->resumed_ns;
		out->pages_stored = s->pages_stored;
		/* s->instant was read if the freeze went through */
		if (s->src != s->vm && !hv_vm_info(s->vm, &now))
			out->cow_copies = now.cow_copies -
					  s->instant.cow_copies;
	}
	snap_frozen_drop(fz);
}

/* hv_vm_snapshot() (@live NULL) and hv_vm_snapshot_live(). */
static int snapshot_file(struct hv_vm *vm, const char *path,
			 const struct hv_snapshot_opts *opts,
			 struct hv_snapshot_live_info *live)
{
	struct snap_frozen frozen = { 0 };
	struct snap_state *s;
	char tmp[PATH_MAX];
	size_t r;
	int ret;

	if (!vm)
		return -EBADF;
	if (!path || !*path)
		return -EINVAL;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path,
			     (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->vm = vm;
	s->src = vm;
	s->live = live ? &frozen : NULL;
	s->opts = opts;
	s->w.fd = -1;
	s->w.label = path;
	s->w.err = opts ? opts->err : NULL;
	s->w.errlen = opts ? opts->errlen : 0;
	if (s->w.err && s->w.errlen)
		s->w.err[0] = '\0';

	ret = snapshot_to(s, path, tmp);
	if (s->w.fd >= 0 && close(s->w.fd) < 0 && !ret)
		ret = seterr(s->w.err, s->w.errlen, -errno, "%s: cannot "
			     "write: %s", path, strerror(errno));
	if (!ret && rename(tmp, path) < 0)
		ret = seterr(s->w.err, s->w.errlen, -errno, "%s: cannot "
			     "rename %s to it: %s", path, tmp,
			     strerror(errno));
	if (!ret)
		ret = fsync_dir(path);	/* the rename itself is durable */
	else if (s->w.fd >= 0)
		unlink(tmp);
	if (ret && s->w.err && s->w.errlen && !s->w.err[0])
		seterr(s->w.err, s->w.errlen, ret, "%s: %s", path,
		       hv_strerror(ret));

	for (r = 0; r < s->nr_regions; r++) {
		if (s->own_map[r])
			munmap(s->host[r], s->regions[r].size);
		free(s->dirty[r]);
	}
	snap_buf_free(&s->index);
	if (live)
		finish_live(s, live);
	free(s);
	return ret;
}

int hv_vm_snapshot(struct hv_vm *vm, const char *path,
		   const struct hv_snapshot_opts *opts)
{
	return snapshot_file(vm, path, opts, NULL);
}

int hv_vm_snapshot_live(struct hv_vm *vm, const char *path,
			const struct hv_snapshot_opts *opts,
			struct hv_snapshot_live_info *out)
{
	struct hv_snapshot_live_info info;

	if (!out)
		out = &info;
	memset(out, 0, sizeof(*out));
	return snapshot_file(vm, path, opts, out);
}
