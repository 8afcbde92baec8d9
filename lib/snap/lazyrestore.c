// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: a lazy restore (hv_vm_restore_lazy): the VM is made and may run
 * before its memory is read.  Only the file's header, state sections and
 * memory index are checked first (snap_parse_index, format 3); the RAM
 * is added absent (lazy RAM, API 9, kmod/hv_lazy.c), and two threads of
 * this process give it from the file, one chunk (a memory section's
 * window, SNAP_CHUNK_PAGES pages) at a time:
 *
 * - the demand thread answers HV_LAZY_WAIT: the chunk of a page that a
 *   vCPU, the owner's mmap or the kernel sleeps for;
 * - the background thread gives every chunk in file order (at once, or
 *   from hv_lazy_restore_finish() with HV_LAZY_DEMAND_ONLY).
 *
 * A chunk's memory sections, in each file of the chain from the full
 * snapshot up, are checked (CRC, then records: snap_check_mem) before
 * anything of them is used, and the chunk is built in a buffer and given
 * whole.  A check that fails is never given: HV_LAZY_FAIL stops the VM,
 * and hv_lazy_restore_finish() says why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "libhv.h"
#include "snapio.h"

#define CHUNK_BYTES	((size_t)SNAP_CHUNK_PAGES * SNAP_PAGE)
#define NO_SECTION	(-1)

struct hv_lazy_restore {
	struct chain *c;
	const struct snap_config *cfg;	/* the top file's */
	int fd;				/* the VM's filler fd */
	uint32_t flags;			/* HV_LAZY_* */
	uint64_t t0;			/* hv_monotonic_ns() at the call */

	/* Chunks: region r's k-th window is chunk win_base[r] + k */
	uint64_t win_base[HV_MAX_REGIONS + 1];
	uint64_t nr_win;
	int32_t *sec_of[SNAP_MAX_CHAIN + 1];	/* per file, per chunk */
	pthread_mutex_t *check_lock[SNAP_MAX_CHAIN + 1];	/* per section */
	uint8_t *done;			/* per chunk: given (atomic) */

	pthread_t demand, background;
	bool demand_started, background_started;

	pthread_mutex_t lock;		/* the rest */
	bool failed;
	int ret;
	char err[512];
	struct hv_lazy_restore_stats st;
};

static void lazy_count(struct hv_lazy_restore *lr, uint64_t *field,
		       uint64_t n)
{
	pthread_mutex_lock(&lr->lock);
	*field += n;
	pthread_mutex_unlock(&lr->lock);
}

static bool lazy_failed(struct hv_lazy_restore *lr)
{
	bool failed;

	pthread_mutex_lock(&lr->lock);
	failed = lr->failed;
	pthread_mutex_unlock(&lr->lock);
	return failed;
}

/* The first failure is the one reported; the VM stops (HV_LAZY_FAIL). */
static void __attribute__((format(printf, 4, 5)))
lazy_fail(struct hv_lazy_restore *lr, uint64_t gpa, int ret,
	  const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&lr->lock);
	if (!lr->failed) {
		lr->failed = true;
		lr->ret = ret;
		va_start(ap, fmt);
		vsnprintf(lr->err, sizeof(lr->err), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&lr->lock);
	hv_lazy_fail(lr->fd, gpa);
}

/* The chunk of @gpa, or UINT64_MAX if no region holds it. */
static uint64_t chunk_of(const struct hv_lazy_restore *lr, uint64_t gpa)
{
	uint32_t r;

	for (r = 0; r < lr->cfg->nr_regions; r++) {
		uint64_t base = lr->cfg->regions[r].gpa;

		if (gpa >= base && gpa - base < lr->cfg->regions[r].size)
			return lr->win_base[r] +
			       (gpa - base) / SNAP_PAGE / SNAP_CHUNK_PAGES;
	}
	return UINT64_MAX;
}

/* Memory section @i of file @k checked, once, whoever asks first. */
static int check_section(struct hv_lazy_restore *lr, int k, size_t i,
			 char *why, size_t len)
{
	struct loaded *l = &lr->c->l[k];
	uint64_t t0;
	int ret = 0;

	pthread_mutex_lock(&lr->check_lock[k][i]);
	if (!l->f.mem[i].checked) {
		t0 = hv_monotonic_ns();
		ret = snap_check_mem(&l->f, l->buf, i, why, len);
		lazy_count(lr, &lr->st.check_ns, hv_monotonic_ns() - t0);
	}
	pthread_mutex_unlock(&lr->check_lock[k][i]);
	return ret;
}

struct chunk_ctx {
	uint8_t *buf;
	uint64_t first;		/* the chunk's first page in its region */
	uint64_t pages;
};

static int chunk_run(void *opaque, uint32_t region, uint64_t page,
		     uint32_t nr_pages, const uint8_t *data)
{
	struct chunk_ctx *cc = opaque;
	uint8_t *dst = cc->buf + (page - cc->first) * SNAP_PAGE;
	size_t len = (size_t)nr_pages * SNAP_PAGE;

	/* snap_check_mem() kept records inside the window; never trust */
	if (page < cc->first || nr_pages > cc->pages - (page - cc->first))
		return -EINVAL;
	if (data)
		memcpy(dst, data, len);
	else
		memset(dst, 0, len);
	return 0;
}

/*
 * Build chunk @w in @buf from the chain (the full file's sections, then
 * each increment's over them; pages no file holds are zero) and give it.
 * 0, or -1 once the restore has failed.
 */
static int give_chunk(struct hv_lazy_restore *lr, uint64_t w, uint8_t *buf,
		      bool demand)
{
	struct chunk_ctx cc = { .buf = buf };
	uint64_t gpa, filled = 0, absent = 1, t0;
	char why[256];
	uint32_t r;
	int k, ret;

	for (r = 0; w >= lr->win_base[r + 1]; r++)
		;
	cc.first = (w - lr->win_base[r]) * SNAP_CHUNK_PAGES;
	cc.pages = lr->cfg->regions[r].size / SNAP_PAGE - cc.first;
	if (cc.pages > SNAP_CHUNK_PAGES)
		cc.pages = SNAP_CHUNK_PAGES;
	gpa = lr->cfg->regions[r].gpa + cc.first * SNAP_PAGE;
	memset(buf, 0, cc.pages * SNAP_PAGE);
	for (k = lr->c->n - 1; k >= 0; k--) {
		int32_t i = lr->sec_of[k][w];

		if (i == NO_SECTION)
			continue;
		ret = check_section(lr, k, (size_t)i, why, sizeof(why));
		if (!ret)
			ret = snap_for_each_page_run_in(&lr->c->l[k].f,
							lr->c->l[k].buf,
							(size_t)i, chunk_run,
							&cc);
		if (ret) {
			lazy_fail(lr, gpa, -EINVAL, "%s", why);
			return -1;
		}
	}
	t0 = hv_monotonic_ns();
	ret = hv_lazy_fill(lr->fd, gpa, buf, cc.pages * SNAP_PAGE, &filled,
			   &absent);
	if (ret) {
		if (ret != -EIO)	/* EIO: failed already, by us or not */
			lazy_fail(lr, gpa, ret, "cannot give the VM its memory "
				  "at %#llx: %s", (unsigned long long)gpa,
				  hv_strerror(ret));
		return -1;
	}
	__atomic_store_n(&lr->done[w], 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&lr->lock);
	lr->st.fill_ns += hv_monotonic_ns() - t0;
	lr->st.pages += filled;
	/* A chunk the other thread gave first gives nothing: not counted */
	if (filled && demand)
		lr->st.demand_chunks++;
	else if (filled)
		lr->st.background_chunks++;
	if (!absent && !lr->st.whole_ns)
		lr->st.whole_ns = hv_monotonic_ns() - lr->t0;
	pthread_mutex_unlock(&lr->lock);
	return 0;
}

static bool chunk_done(const struct hv_lazy_restore *lr, uint64_t w)
{
	return __atomic_load_n(&lr->done[w], __ATOMIC_ACQUIRE);
}

/* What is waited for, until the VM is whole or its memory lost. */
static void *demand_main(void *arg)
{
	struct hv_lazy_restore *lr = arg;
	uint8_t *buf = malloc(CHUNK_BYTES);
	uint64_t gpa, w;
	int ret;

	if (!buf) {
		lazy_fail(lr, 0, -ENOMEM, "out of memory");
		return NULL;
	}
	for (;;) {
		ret = hv_lazy_wait(lr->fd, false, &gpa, NULL);
		if (ret == -EINTR)
			continue;
		if (ret) {
			if (ret != -EIO)
				lazy_fail(lr, 0, ret, "HV_LAZY_WAIT: %s",
					  hv_strerror(ret));
			break;
		}
		if (gpa == HV_LAZY_NONE)
			break;		/* whole */
		if (!lr->st.first_demand_ns)
			lr->st.first_demand_ns = hv_monotonic_ns() - lr->t0;
		w = chunk_of(lr, gpa);
		if (w != UINT64_MAX && !chunk_done(lr, w) &&
		    give_chunk(lr, w, buf, true))
			break;
	}
	free(buf);
	return NULL;
}

/* Every chunk not given yet, in order. */
static void *background_main(void *arg)
{
	struct hv_lazy_restore *lr = arg;
	uint8_t *buf = malloc(CHUNK_BYTES);
	uint64_t w;

	if (!buf) {
		lazy_fail(lr, 0, -ENOMEM, "out of memory");
		return NULL;
	}
	for (w = 0; w < lr->nr_win && !lazy_failed(lr); w++)
		if (!chunk_done(lr, w) && give_chunk(lr, w, buf, false))
			break;
	free(buf);
	return NULL;
}

static void lazy_free(struct hv_lazy_restore *lr)
{
	int k;
	size_t i;

	if (lr->c) {
		for (k = 0; k < lr->c->n; k++) {
			if (lr->check_lock[k])
				for (i = 0; i < lr->c->l[k].f.nr_mem; i++)
					pthread_mutex_destroy(&lr->check_lock[k][i]);
			free(lr->check_lock[k]);
			free(lr->sec_of[k]);
		}
		snap_unload_chain(lr->c);
		free(lr->c);
	}
	if (lr->fd >= 0)
		close(lr->fd);
	free(lr->done);
	pthread_mutex_destroy(&lr->lock);
	free(lr);
}

/* The chunks, and which memory section of each file holds each. */
static int lazy_map_chunks(struct hv_lazy_restore *lr, char *err,
			   size_t errlen)
{
	uint32_t r;
	size_t i;
	int k;

	for (r = 0; r < lr->cfg->nr_regions; r++)
		lr->win_base[r + 1] = lr->win_base[r] +
			(lr->cfg->regions[r].size / SNAP_PAGE +
			 SNAP_CHUNK_PAGES - 1) / SNAP_CHUNK_PAGES;
	lr->nr_win = lr->win_base[lr->cfg->nr_regions];
	lr->done = calloc(lr->nr_win ? lr->nr_win : 1, 1);
	if (!lr->done)
		return -ENOMEM;
	for (k = 0; k < lr->c->n; k++) {
		const struct snap_file *f = &lr->c->l[k].f;

		lr->sec_of[k] = malloc((lr->nr_win ? lr->nr_win : 1) *
				       sizeof(int32_t));
		lr->check_lock[k] = calloc(f->nr_mem ? f->nr_mem : 1,
					   sizeof(pthread_mutex_t));
		if (!lr->sec_of[k] || !lr->check_lock[k])
			return -ENOMEM;
		for (i = 0; i < lr->nr_win; i++)
			lr->sec_of[k][i] = NO_SECTION;
		for (i = 0; i < f->nr_mem; i++) {
			const struct snap_mem_section *m = &f->mem[i];
			uint64_t w = lr->win_base[m->region] +
				     m->first_page / SNAP_CHUNK_PAGES;

			pthread_mutex_init(&lr->check_lock[k][i], NULL);
			/* The writer's windows: snap_parse_index keeps them
			 * inside their region, apart and in order */
			if (m->first_page % SNAP_CHUNK_PAGES ||
			    m->nr_pages > SNAP_CHUNK_PAGES ||
			    lr->sec_of[k][w] != NO_SECTION)
				return snap_seterr(err, errlen, -EINVAL,
						   "%s: memory section %zu: "
						   "its window is not one "
						   "chunk", lr->c->l[k].label,
						   i);
			lr->sec_of[k][w] = (int32_t)i;
		}
	}
	return 0;
}

static int lazy_start(struct hv_lazy_restore *lr, pthread_t *t,
		      void *(*fn)(void *), bool *started)
{
	int ret = pthread_create(t, NULL, fn, lr);

	if (ret)
		return -ret;
	*started = true;
	return 0;
}

int hv_vm_restore_lazy(struct hv *hv, const char *path,
		       const struct hv_restore_opts *opts, uint32_t flags,
		       struct hv_vm **out, struct hv_lazy_restore **out_lr)
{
	char *err = opts ? opts->err : NULL;
	size_t errlen = opts ? opts->errlen : 0;
	struct hv_lazy_restore *lr;
	struct hv_vm *vm = NULL;
	const char *label;
	uint32_t r;
	int ret;

	if (!out || !out_lr || (flags & ~HV_LAZY_DEMAND_ONLY))
		return -EINVAL;
	*out = NULL;
	*out_lr = NULL;
	lr = calloc(1, sizeof(*lr));
	if (!lr)
		return -ENOMEM;
	lr->fd = -1;
	lr->flags = flags;
	lr->t0 = hv_monotonic_ns();
	pthread_mutex_init(&lr->lock, NULL);
	ret = snap_restore_begin(hv, path, opts, true, &lr->c, &vm);
	if (ret)
		goto fail;
	lr->cfg = &lr->c->l[0].f.cfg;
	label = lr->c->l[0].label;
	ret = lazy_map_chunks(lr, err, errlen);
	if (ret) {
		if (ret == -ENOMEM)
			snap_seterr(err, errlen, ret, "%s: out of memory", label);
		goto fail;
	}
	ret = hv_vm_open_lazy(vm);
	if (ret < 0) {
		snap_seterr(err, errlen, ret, "%s: cannot fill the VM lazily: "
			    "%s", label, ret == -ENOTTY ? "the module is "
			    "older than API 9" : hv_strerror(ret));
		goto fail;
	}
	lr->fd = ret;
	for (r = 0; r < lr->cfg->nr_regions; r++) {
		ret = hv_vm_add_ram_lazy(vm, lr->cfg->regions[r].gpa,
					 lr->cfg->regions[r].size);
		if (ret) {
			snap_seterr(err, errlen, ret, "%s: cannot add RAM "
				    "region %u: %s", label, r,
				    hv_strerror(ret));
			goto fail;
		}
	}
	/*
	 * The demand thread first: setting the state may read guest RAM
	 * (VT-x loads a PAE guest's PDPTEs from its CR3, SDM Vol 3C,
	 * 27.3.2.4), which waits for its chunk like any access.
	 */
	ret = lazy_start(lr, &lr->demand, demand_main, &lr->demand_started);
	if (!ret)
		ret = snap_restore_state(vm, lr->c, err, errlen);
	if (!ret && !(flags & HV_LAZY_DEMAND_ONLY))
		ret = lazy_start(lr, &lr->background, background_main,
				 &lr->background_started);
	if (ret) {
		if (!err || !errlen || !err[0])
			snap_seterr(err, errlen, ret, "%s: %s", label,
				    hv_strerror(ret));
		goto fail;
	}
	*out = vm;
	*out_lr = lr;
	return 0;
fail:
	if (vm) {
		hv_vm_destroy(vm);	/* nothing half-made stays */
		/* The demand thread then sees the VM fail, and ends */
		if (lr->fd >= 0)
			hv_lazy_fail(lr->fd, 0);
	}
	if (lr->demand_started)
		pthread_join(lr->demand, NULL);
	if (lr->background_started)
		pthread_join(lr->background, NULL);
	lazy_free(lr);
	return ret;
}

int hv_lazy_restore_finish(struct hv_lazy_restore *lr,
			   struct hv_lazy_restore_stats *st, char *err,
			   size_t errlen)
{
	int ret;

	if (!lr)
		return -EINVAL;
	if (!lr->background_started) {
		ret = lazy_start(lr, &lr->background, background_main,
				 &lr->background_started);
		if (ret)
			lazy_fail(lr, 0, ret, "cannot start the background "
				  "fill: %s", hv_strerror(ret));
	}
	if (lr->background_started)
		pthread_join(lr->background, NULL);
	/* Whole, or failed: either way HV_LAZY_WAIT returns */
	pthread_join(lr->demand, NULL);
	ret = lr->failed ? lr->ret : 0;
	if (ret)
		snap_seterr(err, errlen, ret, "%s", lr->err);
	if (st)
		*st = lr->st;
	lazy_free(lr);
	return ret;
}
