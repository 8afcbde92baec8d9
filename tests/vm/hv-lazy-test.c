// SPDX-License-Identifier: GPL-2.0
/*
 * hv-lazy-test: lazy RAM (API 9, kmod/hv_lazy.c), checked through real
 * guest results, memory contents, counters and errnos.  Built static for
 * the test initramfs; run by tests/vm/cases.sh.
 *
 *   hv-lazy-test CASE [VENDOR]
 *
 *   lazy      a 32-bit guest reads and writes every 8th page of a 16 MiB
 *             lazy region that a filler thread gives only on demand: 4 KiB
 *             pages in its first half, whole 2 MiB blocks in its second.
 *             The guest's sum of what it read is the file's; the demand
 *             counts are exact (260 sleeps, 2,304 pages given) and the
 *             rest is still absent; a clone waits until the VM is whole
 *   lazyfail  the errors: lazy RAM without a filler, a second filler,
 *             bad fills (nothing given); a signal ends a sleeping run
 *             with nothing lost; HV_LAZY_FAIL: the run gets EIO, the
 *             owner's mmap SIGBUS, fills EIO; a managed VM whose filler
 *             exits stops with lazy-failed (EPIPE)
 *   restore   hv_vm_restore_lazy() of a snapshot of that guest, given
 *             only on demand (HV_LAZY_DEMAND_ONLY): the guest, reading the
 *             first 2 MiB of its region, runs to its HLT with the file's
 *             data while 2 of the 5 chunks are given (3,072 of its 4,608
 *             pages still in the file); then the rest in the background:
 *             the memory is the snapshot's, byte for byte
 *   corrupt   one byte of a chunk's data flipped in the file: the restore
 *             starts (nothing of the chunk is read), the guest runs on the
 *             good chunks; when it reaches the bad one the run gets EIO
 *             and hv_lazy_restore_finish() says "checksum mismatch"
 *
 * The lazy ioctls are called raw, to see their exact errnos.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvtest.h"
#include "hvguest.h"
#include "hvmem.h"

#define LZ_GPA		(2 * MiB)		/* the lazy region */
#define LZ_SIZE		(16 * MiB)
#define LZ_PAGES	(LZ_SIZE / PAGE)
#define LZ_STRIDE	8			/* the guest touches every 8th */
#define LZ_TOUCHED	(LZ_PAGES / LZ_STRIDE)
#define LZ_MARK		0x600d
#define SNAP_CHUNK	1024ULL			/* pages per chunk of a file */

static struct hv *hv;
static uint32_t vendor;

/*
 * 32-bit protected mode at GUEST_BASE:
 *	mov esi, LZ_GPA; mov ecx, LZ_TOUCHED; xor eax, eax
 * 1:	add eax, [esi]; mov dword [esi + 4], LZ_MARK
 *	add esi, LZ_STRIDE * 4096; dec ecx; jnz 1b
 *	mov dx, PORT_RESULT; out dx, eax; hlt
 */
static const uint8_t lz_code[] = {
	0xbe, 0x00, 0x00, 0x20, 0x00,		/* mov esi, 0x200000 */
	0xb9, 0x00, 0x02, 0x00, 0x00,		/* mov ecx, 512 */
	0x31, 0xc0,				/* xor eax, eax */
	0x03, 0x06,				/* add eax, [esi] */
	0xc7, 0x46, 0x04, 0x0d, 0x60, 0x00, 0x00, /* mov [esi+4], 0x600d */
	0x81, 0xc6, 0x00, 0x80, 0x00, 0x00,	/* add esi, 0x8000 */
	0x49,					/* dec ecx */
	0x75, 0xee,				/* jnz -18 */
	0x66, 0xba, 0xf4, 0x00,			/* mov dx, 0xf4 */
	0xef,					/* out dx, eax */
	0xf4,					/* hlt */
};

/* What the "file" holds: page p of the region starts with this word. */
static uint32_t lz_word(uint64_t p)
{
	return (uint32_t)(0x9e3779b9u * (uint32_t)(p + 1));
}

static uint8_t *lz_image;	/* LZ_SIZE bytes: the file's contents */

static void lz_image_init(void)
{
	uint64_t p;

	lz_image = calloc(1, LZ_SIZE);
	if (!lz_image)
		abort();
	for (p = 0; p < LZ_PAGES; p++) {
		uint32_t *w = (uint32_t *)(lz_image + p * PAGE);

		w[0] = lz_word(p);
		w[1023] = ~lz_word(p);
	}
}

static long lz_add(struct hv_vm *vm, uint64_t gpa, uint64_t size,
		   uint32_t flags)
{
	struct hv_ram_region r = { .gpa = gpa, .size = size, .flags = flags };

	return ioctl(hv_vm_fd(vm), HV_VM_ADD_RAM, &r);
}

/* A guest with its code in 2 MiB of ordinary RAM and the lazy region */
static int lz_guest(struct guest *g, const char *tag, int *fd)
{
	if (guest_init(g, hv, vendor, tag, 2 * MiB, NULL, HV_MODE_PROT32, 0) ||
	    hv_load_flat_mem(g->vm, lz_code, sizeof(lz_code), GUEST_BASE)) {
		guest_ok(g, "guest set up");
		return -1;
	}
	*fd = ioctl(hv_vm_fd(g->vm), HV_VM_OPEN_LAZY, 0);
	if (!expect_success(*fd, "HV_VM_OPEN_LAZY"))
		return -1;
	if (!expect_success(lz_add(g->vm, LZ_GPA, LZ_SIZE, HV_RAM_LAZY),
			    "add a 16 MiB lazy region"))
		return -1;
	return 0;
}

/* The lazy region through the VM's own mmap (libhv maps only its own) */
static uint32_t *lz_map(struct hv_vm *vm)
{
	void *p = mmap(NULL, LZ_SIZE, PROT_READ, MAP_SHARED, hv_vm_fd(vm),
		       LZ_GPA);

	if (p == MAP_FAILED) {
		fail("mmap the lazy region of %s: %s", hv_vm_name(vm),
		     strerror(errno));
		return NULL;
	}
	return p;
}

/* The sum the guest must report: the first word of each page it read */
static uint32_t lz_sum(void)
{
	uint32_t sum = 0;
	uint64_t p;

	for (p = 0; p < LZ_PAGES; p += LZ_STRIDE)
		sum += lz_word(p);
	return sum;
}

/* ------------------------------------------------------------ lazy */

struct lz_filler {
	int fd;
	uint64_t demands;	/* HV_LAZY_WAIT answers */
	int err;		/* the first unexpected errno */
};

/*
 * Give what is waited for, and only that: a 4 KiB page in the region's
 * first half, the whole 2 MiB block in its second.  Ends when the VM is
 * whole.
 */
static void *lz_fill_on_demand(void *arg)
{
	struct lz_filler *f = arg;

	for (;;) {
		struct hv_lazy_wait w = { 0 };
		uint64_t off, len;

		if (ioctl(f->fd, HV_LAZY_WAIT, &w)) {
			if (errno == EINTR)
				continue;
			f->err = errno;
			break;
		}
		if (w.gpa == HV_LAZY_NONE)
			break;
		f->demands++;
		off = w.gpa - LZ_GPA;
		len = PAGE;
		if (off >= LZ_SIZE / 2) {
			off &= ~(2 * MiB - 1);
			len = 2 * MiB;
		}
		if (lazy_fill(f->fd, LZ_GPA + off, len, lz_image + off, NULL)) {
			f->err = errno;
			break;
		}
	}
	return NULL;
}

struct lz_cloner {
	struct hv_vm *vm;
	struct hv_vm *clone;
	char name[HV_NAME_LEN];
	int err;
	volatile bool done;
};

static void *lz_clone(void *arg)
{
	struct lz_cloner *c = arg;

	c->err = hv_vm_clone(c->vm, c->name, 0, &c->clone);
	c->done = true;
	return NULL;
}

static void case_lazy(void)
{
	struct lz_filler f = { .fd = -1 };
	struct lz_cloner c = { 0 };
	struct hv_lazy_fill out;
	struct hv_lazy_wait w = { .flags = HV_LAZY_NOWAIT };
	struct hv_ram_list list;
	const uint64_t want[] = { lz_sum() };
	uint64_t p, bad = 0;
	pthread_t t, tc;
	uint32_t *mem;
	struct guest g;
	int fd = -1;

	if (lz_guest(&g, "lz", &fd))
		goto out;
	f.fd = fd;
	/* Nothing is waited for yet: EAGAIN, not a sleep */
	expect_errno(ioctl(fd, HV_LAZY_WAIT, &w), EAGAIN,
		     "HV_LAZY_WAIT NOWAIT before the guest runs");
	if (!expect_success(ioctl(hv_vm_fd(g.vm), HV_VM_GET_RAM, &list),
			    "HV_VM_GET_RAM") ||
	    !expect_eq(list.count, 2, "regions") ||
	    !expect_eq(list.regions[1].flags, HV_RAM_LAZY,
		       "the lazy region's flags (HV_RAM_LAZY)") ||
	    !expect_eq(list.regions[0].flags, 0, "the other's flags"))
		goto out;

	if (pthread_create(&t, NULL, lz_fill_on_demand, &f)) {
		fail("pthread_create");
		goto out;
	}
	if (guest_run_expect(&g, HV_EXIT_HLT, "the lazy guest") ||
	    guest_expect_results(&g, want, 1, "the sum of what it read"))
		guest_ok(&g, "the guest ran to its HLT with the file's data");
	else
		ok("the guest read every 8th page as the file has it "
		   "(sum %#llx)", (unsigned long long)want[0]);

	/* 256 pages one by one, then the 4 blocks of 2 MiB: exact counts */
	expect_eq(hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "lazy.waits"),
		  LZ_TOUCHED / 2 + 4, "lazy.waits (guest accesses that slept)");
	expect_eq(hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "lazy.filled"),
		  LZ_TOUCHED / 2 + 4 * 512, "lazy.filled");
	expect_eq(f.demands, LZ_TOUCHED / 2 + 4, "pages the filler was asked for");

	/* Most of the region is still absent, and says so */
	memset(&w, 0, sizeof(w));
	w.flags = HV_LAZY_NOWAIT;
	expect_errno(ioctl(fd, HV_LAZY_WAIT, &w), EAGAIN,
		     "HV_LAZY_WAIT NOWAIT with nobody waiting");
	out.absent = 0;
	if (expect_success(lazy_fill(fd, LZ_GPA, PAGE, lz_image, &out),
			   "fill a page given already"))
		if (expect_eq(out.filled, 0, "pages it gave"))
			expect_eq(out.absent, LZ_PAGES - LZ_TOUCHED / 2 - 4 * 512,
			  "pages still absent");

	/* A clone needs every page: it waits until the VM is whole */
	c.vm = g.vm;
	snprintf(c.name, sizeof(c.name), "hvt-lzc-%d", (int)getpid());
	if (pthread_create(&tc, NULL, lz_clone, &c)) {
		fail("pthread_create");
		goto join;
	}
	usleep(100 * 1000);
	if (c.done)
		fail("the clone of a VM with absent pages returned (%s) "
		     "before the VM was whole", hv_strerror(c.err));
	else
		ok("the clone waits while pages are absent");
	/* The rest, 4 MiB at a time (HV_LAZY_FILL_MAX), from the top down */
	for (p = LZ_SIZE; p > 0; p -= HV_LAZY_FILL_MAX)
		if (lazy_fill(fd, LZ_GPA + p - HV_LAZY_FILL_MAX,
			    HV_LAZY_FILL_MAX,
			    lz_image + p - HV_LAZY_FILL_MAX, &out)) {
			fail("fill at %#llx: %s", (unsigned long long)p,
			     strerror(errno));
			break;
		}
	expect_eq(out.absent, 0, "pages absent after the last fill");
	pthread_join(tc, NULL);
	if (expect_success(c.err, "the clone, once the VM is whole")) {
		uint32_t *cm = lz_map(c.clone);

		for (p = 0; cm && p < LZ_PAGES; p++)
			if (cm[p * 1024] != lz_word(p) ||
			    cm[p * 1024 + 1023] != ~lz_word(p) ||
			    (p % LZ_STRIDE == 0 && cm[p * 1024 + 1] != LZ_MARK))
				bad++;
		expect_eq(cm ? bad : ~0ULL, 0,
			  "pages of the clone unlike the file and the guest's "
			  "writes");
		if (cm)
			munmap(cm, LZ_SIZE);
		hv_vm_destroy(c.clone);
	}
join:
	/* Whole: the filler's wait says so and it ends */
	pthread_join(t, NULL);
	expect_eq(f.err, 0, "the filler's errors");
	memset(&w, 0, sizeof(w));
	if (expect_success(ioctl(fd, HV_LAZY_WAIT, &w), "HV_LAZY_WAIT when whole"))
		expect_eq(w.gpa, HV_LAZY_NONE, "its gpa (HV_LAZY_NONE)");
	if (!ioctl(hv_vm_fd(g.vm), HV_VM_GET_RAM, &list))
		expect_eq(list.regions[1].flags, 0, "the region's flags, whole");

	/* The owner's view: the file's data and the guest's marks */
	mem = lz_map(g.vm);
	bad = 0;
	for (p = 0; mem && p < LZ_PAGES; p++)
		if (mem[p * 1024] != lz_word(p) ||
		    mem[p * 1024 + 1] != (p % LZ_STRIDE ? 0 : LZ_MARK))
			bad++;
	expect_eq(mem ? bad : ~0ULL, 0, "pages unlike the file through mmap");
	if (mem)
		munmap(mem, LZ_SIZE);

	/* The filler may go once the VM is whole: nothing stops */
	close(fd);
	fd = -1;
	{
		struct hv_vm_info info;

		if (!hv_vm_info(g.vm, &info))
			expect_eq(info.stop_reason, HV_STOP_NONE,
				  "stop reason after the whole VM's filler left");
	}
out:
	if (f.fd >= 0 && fd >= 0)
		close(fd);
	guest_fini(&g);
}

/* ------------------------------------------------------------ lazyfail */

static sigjmp_buf lz_jmp;

static void lz_sigbus(int sig)
{
	siglongjmp(lz_jmp, 1);
}

static void lz_nop(int sig)
{
}

/* The owner's mmap of a lost page: SIGBUS, not some page */
static void lz_mmap_lost(struct hv_vm *vm)
{
	volatile uint32_t *mem;
	struct sigaction sa;
	uint32_t v;

	mem = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, hv_vm_fd(vm), LZ_GPA);
	if (mem == MAP_FAILED) {
		fail("mmap the lazy region: %s", strerror(errno));
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lz_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	if (sigsetjmp(lz_jmp, 1) == 0) {
		v = mem[0];
		fail("a read of a lost page through mmap gave %#x", v);
	} else {
		ok("a read of a lost page through mmap -> SIGBUS");
	}
	signal(SIGBUS, SIG_DFL);
	/* The page that was given reads as it was given */
	expect_eq(mem[1024], lz_word(1), "the page given before, through mmap");
	munmap((void *)mem, 2 * PAGE);
}

struct lz_failer {
	int fd;
	bool fill;		/* give the page (else: HV_LAZY_FAIL it) */
	int err;
};

/* Answer the first demand: fill it, or say it cannot be had */
static void *lz_answer_one(void *arg)
{
	struct lz_failer *a = arg;
	struct hv_lazy_wait w = { 0 };
	struct hv_lazy_fail lf = { 0 };

	while (ioctl(a->fd, HV_LAZY_WAIT, &w))
		if (errno != EINTR) {
			a->err = errno;
			return NULL;
		}
	lf.gpa = w.gpa;
	if (ioctl(a->fd, HV_LAZY_FAIL, &lf))
		a->err = errno;
	return NULL;
}

static void lz_bad_fills(int fd)
{
	struct hv_lazy_fill f = { .gpa = LZ_GPA, .size = PAGE,
				  .data = (uint64_t)(uintptr_t)lz_image };
	struct hv_lazy_fill out;

	expect_errno(lazy_fill(fd, LZ_GPA, 0, lz_image, NULL), EINVAL,
		     "fill of 0 bytes");
	expect_errno(lazy_fill(fd, LZ_GPA + 1, PAGE, lz_image, NULL), EINVAL,
		     "fill at an unaligned GPA");
	expect_errno(lazy_fill(fd, LZ_GPA, PAGE + 1, lz_image, NULL), EINVAL,
		     "fill of a partial page");
	expect_errno(lazy_fill(fd, LZ_GPA, HV_LAZY_FILL_MAX + PAGE, lz_image,
			     NULL), EINVAL, "fill above HV_LAZY_FILL_MAX");
	expect_errno(lazy_fill(fd, LZ_GPA + LZ_SIZE - PAGE, 2 * PAGE, lz_image,
			     NULL), EINVAL, "fill past the region's end");
	expect_errno(lazy_fill(fd, 0, PAGE, lz_image, NULL), EINVAL,
		     "fill of ordinary RAM");
	expect_errno(lazy_fill(fd, 1ULL << 38, PAGE, lz_image, NULL), EINVAL,
		     "fill where there is no RAM");
	f.reserved[1] = 1;
	expect_errno(ioctl(fd, HV_LAZY_FILL, &f), EINVAL,
		     "fill with a reserved field set");
	expect_errno(lazy_fill(fd, LZ_GPA, 2 * PAGE, (void *)8, NULL), EFAULT,
		     "fill from a bad pointer");
	/* None of it gave a page: the next good fill gives exactly one */
	if (expect_success(lazy_fill(fd, LZ_GPA + PAGE, PAGE,
				   lz_image + PAGE, &out),
			   "a good fill after the bad ones"))
		if (expect_eq(out.filled, 1, "pages it gave"))
			expect_eq(out.absent, LZ_PAGES - 1, "pages still absent");
}

static void case_lazyfail(void)
{
	struct lz_failer a = { 0 };
	struct hv_lazy_wait w = { 0 };
	struct hv_vm_info info;
	struct sigaction sa;
	struct guest g, m;
	pthread_t t;
	int fd = -1, fd2, err;

	memset(&m, 0, sizeof(m));
	if (guest_init(&g, hv, vendor, "lzf", 2 * MiB, NULL, HV_MODE_PROT32, 0) ||
	    hv_load_flat_mem(g.vm, lz_code, sizeof(lz_code), GUEST_BASE)) {
		guest_ok(&g, "guest set up");
		goto out;
	}
	expect_errno(lz_add(g.vm, LZ_GPA, LZ_SIZE, HV_RAM_LAZY), EINVAL,
		     "lazy RAM with no filler");
	expect_errno(lz_add(g.vm, LZ_GPA, LZ_SIZE, 1u << 7), EINVAL,
		     "RAM with an unknown flag");
	fd = ioctl(hv_vm_fd(g.vm), HV_VM_OPEN_LAZY, 0);
	if (!expect_success(fd, "HV_VM_OPEN_LAZY"))
		goto out;
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_OPEN_LAZY, 0), EBUSY,
		     "a second filler");
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_OPEN_LAZY, 1), EINVAL,
		     "HV_VM_OPEN_LAZY with an argument");
	w.flags = 2;
	expect_errno(ioctl(fd, HV_LAZY_WAIT, &w), EINVAL,
		     "HV_LAZY_WAIT with an unknown flag");
	if (!expect_success(lz_add(g.vm, LZ_GPA, LZ_SIZE, HV_RAM_LAZY),
			    "add the lazy region"))
		goto out;
	lz_bad_fills(fd);

	/* A signal ends a run that sleeps for a page; nothing is lost */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lz_nop;		/* no SA_RESTART: the run returns */
	sigaction(SIGALRM, &sa, NULL);
	/* 100 ms: under Bochs a guest second is over a minute of ours */
	setitimer(ITIMER_REAL, &(struct itimerval){
		.it_value = { .tv_usec = 100 * 1000 } }, NULL);
	err = hv_vcpu_run(g.vcpu);
	setitimer(ITIMER_REAL, &(struct itimerval){ 0 }, NULL);
	if (!(err == 0 && g.run->exit_reason == HV_EXIT_INTR) && err != -EINTR)
		fail("a run sleeping for a page, then SIGALRM: %s, exit %u",
		     hv_strerror(err), g.run->exit_reason);
	else
		ok("a run sleeping for a page returns on a signal");
	expect_eq(hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "lazy.waits"), 1,
		  "lazy.waits after it");

	/* The filler says the page cannot be had: EIO, never bad memory */
	a.fd = fd;
	if (pthread_create(&t, NULL, lz_answer_one, &a)) {
		fail("pthread_create");
		goto out;
	}
	err = hv_vcpu_run(g.vcpu);
	pthread_join(t, NULL);
	expect_eq(a.err, 0, "HV_LAZY_WAIT then HV_LAZY_FAIL");
	if (err != -EIO)
		fail("the run after HV_LAZY_FAIL: %s, expected EIO",
		     hv_strerror(err));
	else
		ok("the run after HV_LAZY_FAIL -> EIO");
	expect_errno(lazy_fill(fd, LZ_GPA, PAGE, lz_image, NULL), EIO,
		     "a fill after HV_LAZY_FAIL");
	memset(&w, 0, sizeof(w));
	expect_errno(ioctl(fd, HV_LAZY_WAIT, &w), EIO,
		     "HV_LAZY_WAIT after HV_LAZY_FAIL");
	expect_errno(ioctl(hv_vm_fd(g.vm), HV_VM_SET_DIRTY_LOG,
			   &(struct hv_dirty_log){ .gpa = LZ_GPA,
						   .flags = HV_DIRTY_LOG_ENABLE }),
		     EIO, "dirty logging of a VM that will never be whole");
	lz_mmap_lost(g.vm);

	/* Managed: the filler exits, the VM stops with lazy-failed (EPIPE) */
	if (guest_init(&m, hv, vendor, "lzm", 2 * MiB, NULL, HV_MODE_PROT32, 0) ||
	    hv_load_flat_mem(m.vm, lz_code, sizeof(lz_code), GUEST_BASE)) {
		guest_ok(&m, "managed guest set up");
		goto out;
	}
	fd2 = ioctl(hv_vm_fd(m.vm), HV_VM_OPEN_LAZY, 0);
	if (!expect_success(fd2, "the managed VM's filler") ||
	    !expect_success(lz_add(m.vm, LZ_GPA, LZ_SIZE, HV_RAM_LAZY),
			    "its lazy region"))
		goto out;
	hv_vcpu_close(m.vcpu);
	m.vcpu = NULL;
	if (!expect_success(hv_vm_start(m.vm), "start it"))
		goto out;
	/* Its vCPU thread sleeps for the first page; nobody gives it */
	usleep(100 * 1000);
	if (!hv_vm_info(m.vm, &info))
		expect_eq(info.state, HV_VM_STATE_RUNNING,
			  "state while it sleeps for a page");
	close(fd2);
	if (expect_success(hv_vm_wait_stopped(m.vm, 60000, &info),
			   "it stops once the filler is gone")) {
		expect_eq(info.stop_reason, HV_STOP_LAZY_FAILED,
			  "stop reason (HV_STOP_LAZY_FAILED)");
		expect_eq(info.exit_status, EPIPE, "exit status (EPIPE)");
	}
out:
	if (fd >= 0)
		close(fd);
	if (m.vm)
		guest_fini(&m);
	guest_fini(&g);
}

/* ---------------------------------------------------- restore, corrupt */

#define LR_PAGES	64	/* the guest reads 64 pages, 8 apart: 2 MiB */
#define LR_FILE		"/tmp/hv-lazy-test.hv"

/* The guest of case lazy reading LR_PAGES pages from @from on */
static uint32_t lr_sum(uint64_t from)
{
	uint32_t sum = 0, i;

	for (i = 0; i < LR_PAGES; i++)
		sum += lz_word(from + (uint64_t)i * LZ_STRIDE);
	return sum;
}

/*
 * A snapshot of a guest with the 16 MiB region ordinary RAM, holding
 * the image, and the guest's ECX LR_PAGES: never run, so the restored
 * copy starts at its first instruction.
 */
static int lr_snapshot(void)
{
	struct hv_snapshot_opts so = { 0 };
	uint8_t code[sizeof(lz_code)];
	uint32_t n = LR_PAGES;
	char why[512] = "";
	struct guest g;
	void *ram;
	int err;

	memcpy(code, lz_code, sizeof(code));
	memcpy(code + 6, &n, 4);		/* mov ecx, LR_PAGES */
	if (guest_init(&g, hv, vendor, "lrs", 2 * MiB, NULL, HV_MODE_PROT32,
		       0) ||
	    hv_load_flat_mem(g.vm, code, sizeof(code), GUEST_BASE) ||
	    hv_vm_add_ram(g.vm, LZ_GPA, LZ_SIZE)) {
		guest_ok(&g, "the guest to snapshot set up");
		guest_fini(&g);
		return -1;
	}
	ram = hv_vm_gpa_ptr(g.vm, LZ_GPA, LZ_SIZE);
	if (ram)
		memcpy(ram, lz_image, LZ_SIZE);
	so.err = why;
	so.errlen = sizeof(why);
	err = ram ? hv_vm_snapshot(g.vm, LR_FILE, &so) : -EFAULT;
	guest_fini(&g);
	if (err) {
		fail("snapshot to %s: %s", LR_FILE, why[0] ? why : hv_strerror(err));
		return -1;
	}
	ok("snapshot of the guest in %s", LR_FILE);
	return 0;
}

/* Restore LR_FILE lazily, demand only, into @g (its vCPU opened) */
static int lr_restore(struct guest *g, const char *tag,
		      struct hv_lazy_restore **lr)
{
	struct hv_restore_opts ro = { 0 };
	char why[512] = "";
	int err;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "hvt-%s-%d", tag, (int)getpid());
	ro.name = g->name;
	ro.err = why;
	ro.errlen = sizeof(why);
	err = hv_vm_restore_lazy(hv, LR_FILE, &ro, HV_LAZY_DEMAND_ONLY, &g->vm,
				 lr);
	if (err) {
		fail("hv_vm_restore_lazy: %s", why[0] ? why : hv_strerror(err));
		return -1;
	}
	ok("hv_vm_restore_lazy, demand only");
	err = hv_vcpu_open(g->vm, 0, &g->vcpu);
	if (err) {
		fail("open vCPU 0: %s", hv_strerror(err));
		return -1;
	}
	g->run = hv_vcpu_run_area(g->vcpu);
	return 0;
}

static void case_restore(void)
{
	struct hv_lazy_restore_stats st;
	struct hv_lazy_restore *lr = NULL;
	const uint64_t want[] = { lr_sum(0) };
	char why[512] = "";
	uint32_t *mem;
	uint64_t p, bad = 0;
	struct guest g;
	int err;

	memset(&g, 0, sizeof(g));
	if (lr_snapshot() || lr_restore(&g, "lzr", &lr))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HLT, "the lazily restored guest") ||
	    guest_expect_results(&g, want, 1, "the sum of what it read"))
		guest_ok(&g, "the restored guest ran to its HLT");
	else
		ok("the restored guest read its 64 pages as the file has them");
	/* Its code's chunk and its data's: 2 of 5, 1,536 of 4,608 pages */
	expect_eq(hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "lazy.filled"),
		  512 + 1024, "lazy.filled while it ran (2 chunks)");

	err = hv_lazy_restore_finish(lr, &st, why, sizeof(why));
	lr = NULL;
	if (!expect_success(err, "hv_lazy_restore_finish")) {
		fail("it said: %s", why);
		goto out;
	}
	expect_eq(st.demand_chunks, 2, "chunks given because waited for");
	expect_eq(st.background_chunks, 3, "chunks given in the background");
	expect_eq(st.pages, 512 + LZ_PAGES, "pages given in all");
	expect_eq(hvtest_vm_stat(hv, g.vm, HV_STATS_VM, "lazy.filled"),
		  512 + LZ_PAGES, "lazy.filled, whole");
	mem = lz_map(g.vm);
	for (p = 0; mem && p < LZ_PAGES; p++)
		if (mem[p * 1024] != lz_word(p) ||
		    mem[p * 1024 + 1023] != ~lz_word(p) ||
		    mem[p * 1024 + 1] != (p % LZ_STRIDE ||
					  p >= LR_PAGES * LZ_STRIDE ? 0 :
					  LZ_MARK))
			bad++;
	expect_eq(mem ? bad : ~0ULL, 0,
		  "pages unlike the snapshot and the guest's writes");
	if (mem)
		munmap(mem, LZ_SIZE);
out:
	if (lr)
		hv_lazy_restore_finish(lr, NULL, NULL, 0);
	guest_fini(&g);
	unlink(LR_FILE);
}

/* Flip one byte of page @p's first word in the file */
static int lr_corrupt(uint64_t p)
{
	uint32_t w = lz_word(p);
	uint8_t *buf, *at;
	size_t len;
	FILE *f = fopen(LR_FILE, "r+b");
	int ret = -1;

	if (!f)
		return -1;
	buf = malloc(64 * MiB);
	len = buf ? fread(buf, 1, 64 * MiB, f) : 0;
	at = buf ? memmem(buf, len, &w, sizeof(w)) : NULL;
	if (at) {
		*at ^= 0x5a;
		if (fseek(f, at - buf, SEEK_SET) == 0 &&
		    fwrite(at, 1, 1, f) == 1)
			ret = 0;
	}
	free(buf);
	fclose(f);
	return ret;
}

static void case_corrupt(void)
{
	struct hv_lazy_restore *lr = NULL;
	const uint64_t want[] = { lr_sum(0) };
	const uint64_t bad_page = 2 * SNAP_CHUNK + LZ_STRIDE;
	struct hv_regs regs;
	char why[512] = "";
	struct guest g;
	int err;

	memset(&g, 0, sizeof(g));
	if (lr_snapshot())
		goto out;
	if (lr_corrupt(bad_page)) {
		fail("cannot flip a byte of page %llu in %s",
		     (unsigned long long)bad_page, LR_FILE);
		goto out;
	}
	ok("one byte of region 1's page %llu flipped in the file (chunk 2)",
	   (unsigned long long)bad_page);
	if (lr_restore(&g, "lzc", &lr))
		goto out;
	if (guest_run_expect(&g, HV_EXIT_HLT, "the guest on good chunks") ||
	    guest_expect_results(&g, want, 1, "the sum of what it read"))
		guest_ok(&g, "the guest ran on the good chunks");
	else
		ok("the guest ran on the good chunks to its HLT");
	/* Again from "mov ecx", its ESI in the bad chunk */
	if (!expect_success(hv_vcpu_get_regs(g.vcpu, &regs), "get regs"))
		goto out;
	regs.rip = GUEST_BASE + 5;
	regs.rsi = LZ_GPA + bad_page * PAGE;
	if (!expect_success(hv_vcpu_set_regs(g.vcpu, &regs),
			    "point it at the bad chunk"))
		goto out;
	err = hv_vcpu_run(g.vcpu);
	if (err != -EIO)
		fail("the run into the bad chunk: %s, exit %u, expected EIO",
		     hv_strerror(err), g.run->exit_reason);
	else
		ok("the run into the bad chunk -> EIO: never ran on it");
	err = hv_lazy_restore_finish(lr, NULL, why, sizeof(why));
	lr = NULL;
	if (err != -EINVAL || !strstr(why, "checksum mismatch"))
		fail("hv_lazy_restore_finish: %s (\"%s\"), expected EINVAL "
		     "and a checksum mismatch", hv_strerror(err), why);
	else
		ok("hv_lazy_restore_finish -> EINVAL: %s", why);
out:
	if (lr)
		hv_lazy_restore_finish(lr, NULL, NULL, 0);
	if (g.vm)
		guest_fini(&g);
	unlink(LR_FILE);
}

static const struct guest_case cases[] = {
	{ "lazy", case_lazy },
	{ "lazyfail", case_lazyfail },
	{ "restore", case_restore },
	{ "corrupt", case_corrupt },
};

int main(int argc, char **argv)
{
	lz_image_init();
	return guest_test_main(argc, argv, "hv-lazy-test", cases,
			       sizeof(cases) / sizeof(cases[0]), &hv, &vendor);
}
