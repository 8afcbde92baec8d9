// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: reading snapshot files (lib/snap/snapparse.c checks the bytes):
 * hv_snapshot_check() and hv_vm_restore().  A file is mmap'd
 * (MAP_POPULATE: one pass of faults), checked whole with its bases, and
 * only then is a VM created; pages go with one memcpy() from the file's
 * mapping straight into the new VM's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libhv.h"
#include "snapio.h"

int snap_seterr(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

#define seterr snap_seterr

static void unload(struct loaded *l)
{
	if (l->mapped)
		munmap((void *)l->buf, l->len);
	snap_file_free(&l->f);
	l->mapped = false;
}

/*
 * Map @path and check all of it; l->f is valid on 0.  @lazy: check all
 * but the memory sections (snap_parse_index), and read nothing ahead.
 */
static int load(struct loaded *l, const char *path, bool lazy, char *err,
		size_t errlen)
{
	struct stat st;
	void *p;
	int fd, ret;

	memset(l, 0, sizeof(*l));
	snprintf(l->label, sizeof(l->label), "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return seterr(err, errlen, -errno, "%s: %s", path,
			      strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return seterr(err, errlen, ret, "%s: %s", path, strerror(-ret));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return seterr(err, errlen, -EINVAL, "%s: not a regular file",
			      path);
	}
	l->len = (size_t)st.st_size;
	l->buf = (const uint8_t *)"";
	if (l->len) {
		p = mmap(NULL, l->len, PROT_READ,
			 MAP_PRIVATE | (lazy ? 0 : MAP_POPULATE), fd, 0);
		if (p == MAP_FAILED) {
			ret = -errno;
			close(fd);
			return seterr(err, errlen, ret, "%s: cannot map: %s",
				      path, strerror(-ret));
		}
		if (!lazy)
			madvise(p, l->len, MADV_SEQUENTIAL);
		l->buf = p;
		l->mapped = true;
	}
	close(fd);
	ret = lazy ? snap_parse_index(l->buf, l->len, l->label, &l->f, err,
				      errlen) :
		     snap_parse(l->buf, l->len, path, &l->f, err, errlen);
	/* No memory index (before format 3): not "no such file" */
	if (lazy && ret == -ENOENT)
		ret = -ENODATA;
	if (ret) {
		if (l->mapped)
			munmap((void *)l->buf, l->len);
		l->mapped = false;
	}
	return ret;
}


void snap_unload_chain(struct chain *c)
{
	while (c->n > 0)
		unload(&c->l[--c->n]);
}

int snap_load_chain(struct chain *c, const char *path, bool lazy, char *err,
		    size_t errlen)
{
	int ret;

	c->n = 0;
	ret = load(&c->l[0], path, lazy, err, errlen);
	if (ret)
		return ret;
	c->n = 1;
	for (;;) {
		struct loaded *top = &c->l[c->n - 1], *base = &c->l[c->n];
		const struct snap_header *h = &top->f.hdr;

		if (!(h->flags & SNAP_FLAG_INCREMENTAL))
			return 0;
		if (c->n > SNAP_MAX_CHAIN) {
			ret = seterr(err, errlen, -EINVAL, "%s: more than %d "
				     "incremental snapshots over one full one",
				     path, SNAP_MAX_CHAIN);
			break;
		}
		ret = load(base, h->base_path, lazy, err, errlen);
		if (ret == -ENODATA) {
			/* No memory index in the base: all or nothing */
			seterr(err, errlen, ret, "%s: its base %s has no memory "
			       "index (written before format 3)", path,
			       h->base_path);
			break;
		}
		if (ret) {
			char why[512] = "";

			if (err && errlen)
				snprintf(why, sizeof(why), "%s", err);
			/* A broken chain: a bad file, whose base is named */
			ret = seterr(err, errlen, -EINVAL, "%s: base %s", path,
				     why);
			break;
		}
		c->n++;
		if (memcmp(base->f.hdr.id, h->base_id, SNAP_ID_LEN)) {
			ret = seterr(err, errlen, -EINVAL, "%s: its base %s is "
				     "not the snapshot it was taken against "
				     "(the ids differ)", top->label,
				     h->base_path);
			break;
		}
		if (!snap_same_layout(&base->f.cfg, &top->f.cfg)) {
			ret = seterr(err, errlen, -EINVAL, "%s: its base %s has "
				     "other RAM regions or vCPUs", top->label,
				     h->base_path);
			break;
		}
	}
	snap_unload_chain(c);
	return ret;
}

int hv_snapshot_check(const char *path, struct hv_snapshot_info *info,
		      char *err, size_t errlen)
{
	struct chain *c;
	const struct snap_file *f;
	uint32_t i;
	int ret;

	if (!path)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = snap_load_chain(c, path, false, err, errlen);
	if (!ret && info) {
		f = &c->l[0].f;
		memset(info, 0, sizeof(*info));
		info->format_version = f->hdr.format_version;
		info->vendor = f->hdr.vendor;
		memcpy(info->hv_version, f->hdr.hv_version,
		       sizeof(info->hv_version));
		memcpy(info->name, f->cfg.name, HV_NAME_LEN);
		info->nr_vcpus = f->cfg.nr_vcpus;
		info->nr_regions = f->cfg.nr_regions;
		for (i = 0; i < f->cfg.nr_regions; i++)
			info->mem_size += f->cfg.regions[i].size;
		info->pages_stored = f->pages_stored;
		info->incremental = f->hdr.flags & SNAP_FLAG_INCREMENTAL;
		info->file_size = c->l[0].len;
	}
	snap_unload_chain(c);
	free(c);
	return ret;
}

/* ---- restore ---- */

struct copy_ctx {
	struct hv_vm *vm;
	const struct snap_config *cfg;
	const struct hv_restore_opts *opts;
	uint64_t done, total, reported;
};

static int copy_run(void *opaque, uint32_t region, uint64_t page,
		    uint32_t nr_pages, const uint8_t *data)
{
	struct copy_ctx *cc = opaque;
	uint64_t gpa = cc->cfg->regions[region].gpa + page * SNAP_PAGE;
	size_t len = (size_t)nr_pages * SNAP_PAGE;
	void *dst = hv_vm_gpa_ptr(cc->vm, gpa, len);

	if (!dst)
		return -EFAULT;
	if (data)
		memcpy(dst, data, len);
	else
		memset(dst, 0, len);
	cc->done += len;
	if (cc->opts && cc->opts->progress &&
	    cc->done - cc->reported >= PROGRESS_STEP) {
		cc->reported = cc->done;
		cc->opts->progress(cc->opts->opaque, cc->done, cc->total);
	}
	return 0;
}

/*
 * A version 1 file (before API 4) has no activity state, TSC or local
 * APIC for its vCPUs, and no PC platform: the guest ran on an hv without
 * them.  It gets what a new VM has - the fresh vCPU's APIC and TSC, the
 * fresh VM's PIC, IOAPIC, PIT and RTC, just as if it had been made on
 * this hv - but every vCPU runnable, as every vCPU was then (no vCPU
 * waited for a start-up IPI before API 4).
 */
static int v1_vcpu_state(struct hv_vm *vm, const struct hv_vcpu_state *s,
			 struct hv_vcpu_state *out)
{
	int ret = hv_vm_get_vcpu_state(vm, s->vcpu_id, out);

	if (ret)
		return ret;
	out->mp_state = HV_MP_RUNNABLE;
	memcpy(out, s, offsetof(struct hv_vcpu_state, mp_state));
	return 0;
}

static int v1_device_state(struct hv_vm *vm, const struct hv_device_state *d,
			   struct hv_device_state *out)
{
	int ret = hv_vm_get_device_state(vm, out);

	if (ret)
		return ret;
	memcpy(out, d, offsetof(struct hv_device_state, pic));
	return 0;
}

/* The file's RAM, every page copied in (the chain's base first) */
static int restore_ram(struct hv_vm *vm, struct chain *c,
		       const struct hv_restore_opts *o, char *err,
		       size_t errlen)
{
	const struct snap_file *f = &c->l[0].f;
	struct copy_ctx cc = { .vm = vm, .cfg = &f->cfg, .opts = o };
	const char *label = c->l[0].label;
	uint32_t i;
	int k, ret;

	for (i = 0; i < f->cfg.nr_regions; i++) {
		const typeof(f->cfg.regions[0]) *rg = &f->cfg.regions[i];

		ret = hv_vm_add_ram(vm, rg->gpa, rg->size);
		if (ret)
			return seterr(err, errlen, ret, "%s: cannot add RAM "
				      "region %u: %s", label, i,
				      hv_strerror(ret));
		/*
		 * Every page will be written: fault the mapping in, writable,
		 * in one call rather than a fault per page (Linux 5.14; where
		 * it is missing, the copy faults as it goes).
		 */
		madvise(hv_vm_gpa_ptr(vm, rg->gpa, rg->size), rg->size,
			MADV_POPULATE_WRITE);
	}
	for (k = 0; k < c->n; k++)
		cc.total += (c->l[k].f.pages_stored + c->l[k].f.zero_records) *
			    SNAP_PAGE;
	/* The full snapshot first, then each increment over it. */
	for (k = c->n - 1; k >= 0; k--) {
		ret = snap_for_each_page_run(&c->l[k].f, c->l[k].buf, copy_run,
					     &cc);
		if (ret)
			return seterr(err, errlen, ret, "%s: cannot reach the "
				      "new VM's RAM", label);
	}
	if (o && o->progress)
		o->progress(o->opaque, cc.total, cc.total);
	return 0;
}

/* The vCPUs and devices of the file (its RAM is restore_ram's or lazy) */
int snap_restore_state(struct hv_vm *vm, struct chain *c, char *err,
		       size_t errlen)
{
	const struct snap_file *f = &c->l[0].f;
	const char *label = c->l[0].label;
	struct hv_vcpu *vcpus[HV_MAX_VCPUS];
	struct hv_vcpu_state *vs = NULL;	/* version 1: filled in */
	struct hv_device_state *dev = NULL;
	uint32_t i, nr = 0;
	bool v1;
	int ret;

	v1 = f->hdr.format_version < 2;
	if (v1) {
		vs = malloc(sizeof(*vs));
		dev = malloc(sizeof(*dev));
		if (!vs || !dev) {
			free(vs);
			free(dev);
			return seterr(err, errlen, -ENOMEM, "%s: out of memory",
				      label);
		}
	}
	ret = 0;
	for (i = 0; i < f->cfg.nr_vcpus && !ret; i++) {
		const struct hv_vcpu_state *s = &f->vcpus[i];

		ret = hv_vcpu_create(vm, s->vcpu_id, &vcpus[i]);
		if (ret) {
			seterr(err, errlen, ret, "%s: cannot create vCPU %u: %s",
			       label, s->vcpu_id, hv_strerror(ret));
			break;
		}
		nr = i + 1;
		if (v1) {
			ret = v1_vcpu_state(vm, s, vs);
			if (ret) {
				seterr(err, errlen, ret, "%s: vcpu %u: cannot "
				       "read its new state: %s", label,
				       s->vcpu_id, hv_strerror(ret));
				break;
			}
			s = vs;
		}
		ret = hv_vm_set_vcpu_state(vm, s);
		if (ret)
			seterr(err, errlen, ret, "%s: vcpu %u: the kernel "
			       "refused its state: %s", label, s->vcpu_id,
			       hv_strerror(ret));
	}
	if (!ret && v1) {
		ret = v1_device_state(vm, &f->devices, dev);
		if (ret)
			seterr(err, errlen, ret, "%s: cannot read the new "
			       "device state: %s", label, hv_strerror(ret));
	}
	if (!ret) {
		ret = hv_vm_set_device_state(vm, v1 ? dev : &f->devices);
		if (ret)
			seterr(err, errlen, ret, "%s: the kernel refused the "
			       "device state: %s", label, hv_strerror(ret));
	}
	free(vs);
	free(dev);
	/* The vCPUs belong to the VM; these were only handles (as create). */
	for (i = 0; i < nr; i++)
		hv_vcpu_close(vcpus[i]);
	return ret;
}

int snap_restore_begin(struct hv *hv, const char *path,
		       const struct hv_restore_opts *opts, bool lazy,
		       struct chain **out_c, struct hv_vm **out)
{
	char *err = opts ? opts->err : NULL;
	size_t errlen = opts ? opts->errlen : 0;
	struct hv_vm *vm;
	struct chain *c;
	const char *name;
	int ret;

	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	if (!hv)
		return -EBADF;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	ret = snap_load_chain(c, path, lazy, err, errlen);
	if (ret)
		goto out_free;

	name = opts && opts->name ? opts->name : c->l[0].f.cfg.name;
	if (!hv_vm_open(hv, name, &vm)) {
		hv_vm_close(vm);
		ret = seterr(err, errlen, -EEXIST, "%s: name already in use",
			     name);
		goto out_unload;
	}
	ret = hv_vm_create(hv, name, opts ? opts->flags : 0, &vm);
	if (ret) {
		seterr(err, errlen, ret, "%s: cannot create VM %s: %s", path,
		       name, ret == -EEXIST ? "name already in use"
					    : hv_strerror(ret));
		goto out_unload;
	}
	*out = vm;
	*out_c = c;
	return 0;
out_unload:
	snap_unload_chain(c);
out_free:
	free(c);
	return ret;
}

int hv_vm_restore(struct hv *hv, const char *path,
		  const struct hv_restore_opts *opts, struct hv_vm **out)
{
	char *err = opts ? opts->err : NULL;
	size_t errlen = opts ? opts->errlen : 0;
	struct hv_vm *vm;
	struct chain *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = snap_restore_begin(hv, path, opts, false, &c, &vm);
	if (ret)
		return ret;
	ret = restore_ram(vm, c, opts, err, errlen);
	if (!ret)
		ret = snap_restore_state(vm, c, err, errlen);
	if (ret)
		hv_vm_destroy(vm);	/* nothing half-made stays */
	else
		*out = vm;
	snap_unload_chain(c);
	free(c);
	return ret;
}

