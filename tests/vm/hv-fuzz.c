// SPDX-License-Identifier: GPL-2.0
/*
 * hv-fuzz: an ioctl fuzzer for /dev/hv, VM fds and vCPU fds.
 *
 *   hv-fuzz [--seed S] [--calls N] [--threads T] [--max-vms M]
 *           [--runs PER_MILLE] [--prefix P]
 *
 * Several threads (4) share a pool of /dev/hv, VM, vCPU and console fds
 * and make ioctl calls until N (100,000) have been made: every number in
 * include/uapi/hv.h with valid structs, randomly mutated ones, the wrong
 * size or direction bits, numbers of another fd's table and garbage
 * numbers; arguments at NULL, kernel addresses, never-mapped and
 * PROT_NONE addresses, misaligned, straddling into a guard page, and
 * read-only pages for the calls that write back.  In between: VMs made
 * and destroyed, fds closed, RAM mmap'd, written and unmapped, vCPU and
 * device state taken and loaded (snapshots), dirty logs, clones, short
 * managed runs and attached runs of small guests with random register
 * state (SIGUSR1 from a per-thread timer ends each run).
 *
 * Guests only ever execute bytes from a fixed set of harmless snippets
 * (safe_code below), and every state loaded is kept out of the QEMU 7.2
 * TCG hazards listed in docs/testing.md: EFER.LME=1 with CR0.PG=0 is
 * never loaded, DR7 never arms a breakpoint (always 0x400), RFLAGS.TF/VM
 * are never set, and no interrupt shadow is ever started (no STI in the
 * guest code, HV_EV_SHADOW never loaded; see docs/testing.md).
 *
 * It fails on an unexpected result class: success of a garbage number, of
 * a known number with the wrong size/direction (must be EINVAL), of a
 * write-back call whose buffer is read-only or not user memory, an errno
 * outside the documented set, an exit reason outside HV_EXIT_*, a fault
 * touching a mapping of a region the VM has, a call stuck for a minute;
 * and on leftovers: VMs listed, virtualization users, fds, slab.  Splats
 * in dmesg are the case runner's check (tests/vm/cases-fuzz.sh).
 * The last line is the figure line "HVFUZZ-FIGURE fuzz: seed ...".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>

#include "uapi/hv.h"
#include "hvtest.h"

#define MAX_THREADS	16
#define POOL_MAX	96
#define MAPS_MAX	32
#define CODE_GPA	0x10000ULL	/* real mode: CS 0x1000, DS/SS base 0 miss it */
#define CODE_SIZE	0x10000ULL	/* the RAM region the fuzzer's VMs start with */
#define PAGE		4096UL

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PAE	(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define RFLAGS_OK	0x00000cd7ULL	/* CF PF AF ZF SF IF DF OF: no TF, no VM */

/* ------------------------------------------------------------ options */

static uint64_t opt_seed = 20261204;
static long opt_calls = 100000;
static int opt_threads = 4;
static int opt_max_vms = 6;
static int opt_runs = 15;	/* per mille of the operations */
static int opt_managed = 2;	/* per mille: managed runs */
static int opt_modes = 7;	/* guest states: 1 real, 2 flat 32-bit, 4 as is (mutated) */
static char prefix[16];

/* ------------------------------------------------------------- counts */

static atomic_long n_calls, n_other, n_vms_created, n_vms_destroyed;
static atomic_long n_runs, n_exits, n_managed, n_mmaps, n_snapshots, n_clones;
static atomic_long n_err[256];
/* Per valid command (index in cmds[], NCMDS: others): calls, errnos. */
static atomic_long by_cmd[40][4];	/* calls, ok, EINVAL/EFAULT, other */
static atomic_int by_cmd_last[40];
static bool opt_verbose;
static atomic_long slow_ns;
static atomic_int slow_cmd;
static atomic_int stop_all;

static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;
static int n_bad;

static void __attribute__((format(printf, 1, 2))) bad(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&msg_lock);
	if (n_bad++ < 20)
		fail("%s", buf);
	pthread_mutex_unlock(&msg_lock);
}

/*
 * The errnos hv's handlers may return (docs/abi.md "Internal errors never
 * escape", and the code): EINTR from a signal or run_lock, EALREADY from
 * HV_DEBUG_HOLD_VIRT twice, EOPNOTSUPP/ENOSPC from a backend that lacks
 * NPT/EPT or ASIDs, E2BIG/EAGAIN reserved for sizes and the console.
 * EBADF only for the fuzzer's own closed-fd calls.
 */
static bool errno_ok(int e)
{
	return hvtest_errno_documented(e);
}

/* mmap(2) of hv fds: hv's own EINVAL plus what the mm core answers. */
static bool mmap_errno_ok(int e)
{
	return e == EINVAL || e == EACCES || e == ENOMEM || e == ENODEV ||
	       e == EPERM || e == EOVERFLOW || e == EAGAIN;
}

/* ------------------------------------------------------------- random */

struct rng { uint64_t s; };

static uint64_t rnd(struct rng *r)
{
	/* xorshift64* */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(struct rng *r, uint64_t n)
{
	return n ? rnd(r) % n : 0;
}

static bool chance(struct rng *r, int per_mille)
{
	return (int)below(r, 1000) < per_mille;
}

static const uint64_t interesting[] = {
	0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~0ULL - 4095,
	HV_MAX_GPA, HV_MAX_GPA - PAGE, HV_MAX_RAM, HV_MAX_RAM + PAGE,
	0xffffffff81000000ULL,
};

/* --------------------------------------------------------- the pool */

enum kind { K_DEV, K_VM, K_VCPU, K_CONS, NKIND };
static const char *const kind_name[] = { "/dev/hv", "VM", "vCPU", "console" };

struct obj {
	int fd;
	enum kind kind;
	bool used, dead;
	int refs;
	void *run;		/* vCPU: the run area, once mapped */
	char vm_name[HV_NAME_LEN];	/* VM and vCPU */
	uint32_t vcpu_id;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj pool[POOL_MAX];
static struct { void *addr; size_t len; } maps[MAPS_MAX];
static int vm_seq;

/*
 * One run at a time per vCPU among the fuzzer's threads (hv serializes
 * them anyway with run_lock), so that the thread that ran reads its own
 * exit from the shared run area, not the next run's reset.  Keyed by VM
 * name and vCPU id: two fds of one vCPU share the run area.
 */
#define RUN_LOCKS	64
static pthread_mutex_t run_locks[RUN_LOCKS];

static pthread_mutex_t *run_lock_of(const struct obj *o)
{
	unsigned int h = o->vcpu_id * 31;
	const char *p;

	for (p = o->vm_name; *p; p++)
		h = h * 131 + (unsigned char)*p;
	return &run_locks[h % RUN_LOCKS];
}

/* A referenced object of @kind (or any kind if @kind is NKIND), or -1. */
static int obj_get(struct rng *r, enum kind kind)
{
	int i, n = 0, pick = -1;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL_MAX; i++)
		if (pool[i].used && !pool[i].dead &&
		    (kind == NKIND || pool[i].kind == kind) &&
		    below(r, ++n) == 0)
			pick = i;
	if (pick >= 0)
		pool[pick].refs++;
	pthread_mutex_unlock(&pool_lock);
	return pick;
}

static void obj_free_locked(struct obj *o)
{
	if (o->run)
		munmap(o->run, HV_RUN_SIZE);
	close(o->fd);
	memset(o, 0, sizeof(*o));
}

static void obj_put(int i)
{
	pthread_mutex_lock(&pool_lock);
	if (--pool[i].refs == 0 && pool[i].dead)
		obj_free_locked(&pool[i]);
	pthread_mutex_unlock(&pool_lock);
}

/* Mark for closing: the last user closes it. */
static void obj_kill(int i)
{
	pthread_mutex_lock(&pool_lock);
	pool[i].dead = true;
	pthread_mutex_unlock(&pool_lock);
}

/*
 * After HV_VM_DESTROY: mostly close the VM's fds (its vCPUs' too), so that
 * destroyed VMs do not pile up holding ASIDs and memory.
 */
static void obj_kill_vm(struct rng *r, int i)
{
	int k;

	pthread_mutex_lock(&pool_lock);
	if (below(r, 10) < 9) {
		pool[i].dead = true;
		for (k = 0; k < POOL_MAX; k++)
			if (pool[k].used && pool[k].kind == K_VCPU &&
			    !strncmp(pool[k].vm_name, pool[i].vm_name, HV_NAME_LEN) &&
			    below(r, 10) < 9)
				pool[k].dead = true;
	}
	pthread_mutex_unlock(&pool_lock);
}

static int count_kind(enum kind kind)
{
	int i, n = 0;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL_MAX; i++)
		n += pool[i].used && pool[i].kind == kind;
	pthread_mutex_unlock(&pool_lock);
	return n;
}

/* Take ownership of a new fd; closes it when the pool is full. */
static void obj_add(int fd, enum kind kind, const char *vm_name, uint32_t id)
{
	int i;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < POOL_MAX; i++)
		if (!pool[i].used)
			break;
	if (i == POOL_MAX) {
		pthread_mutex_unlock(&pool_lock);
		close(fd);
		return;
	}
	pool[i].used = true;
	pool[i].fd = fd;
	pool[i].kind = kind;
	pool[i].vcpu_id = id;
	if (vm_name)
		snprintf(pool[i].vm_name, HV_NAME_LEN, "%s", vm_name);
	pthread_mutex_unlock(&pool_lock);
}

static void map_add(void *addr, size_t len)
{
	int i;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < MAPS_MAX; i++)
		if (!maps[i].addr) {
			maps[i].addr = addr;
			maps[i].len = len;
			addr = NULL;
			break;
		}
	pthread_mutex_unlock(&pool_lock);
	if (addr)
		munmap(addr, len);
}

static void map_drop_one(struct rng *r)
{
	void *addr = NULL;
	size_t len = 0;
	int i = (int)below(r, MAPS_MAX);

	pthread_mutex_lock(&pool_lock);
	if (maps[i].addr) {
		addr = maps[i].addr;
		len = maps[i].len;
		maps[i].addr = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	if (addr) {
		munmap(addr, len);
		n_mmaps++;
	}
}

static void next_name(char *name)
{
	pthread_mutex_lock(&pool_lock);
	snprintf(name, HV_NAME_LEN, "%s%d", prefix, vm_seq++);
	pthread_mutex_unlock(&pool_lock);
}

/* ------------------------------------------------------ ioctl table */

enum arg { A_NONE, A_INT, A_IN, A_OUT, A_INOUT };

struct cmd {
	unsigned int nr;
	enum kind kind;
	enum arg arg;
	bool returns_fd;
	const char *name;
};

#define C(n, k, a, f) { n, k, a, f, #n }
static const struct cmd cmds[] = {
	C(HV_GET_API_VERSION, K_DEV, A_NONE, false),
	C(HV_GET_CAPS, K_DEV, A_OUT, false),
	C(HV_GET_STATUS, K_DEV, A_OUT, false),
	C(HV_CREATE_VM, K_DEV, A_IN, true),
	C(HV_OPEN_VM, K_DEV, A_IN, true),
	C(HV_LIST_VMS, K_DEV, A_INOUT, false),
	C(HV_GET_USAGE, K_DEV, A_OUT, false),
	C(HV_DEBUG_HOLD_VIRT, K_DEV, A_NONE, false),
	C(HV_DEBUG_RELEASE_VIRT, K_DEV, A_NONE, false),
	C(HV_VM_ADD_RAM, K_VM, A_IN, false),
	C(HV_VM_CREATE_VCPU, K_VM, A_INT, true),
	C(HV_VM_DESTROY, K_VM, A_INT, false),
	C(HV_VM_GET_INFO, K_VM, A_OUT, false),
	C(HV_VM_START, K_VM, A_NONE, false),
	C(HV_VM_STOP, K_VM, A_NONE, false),
	C(HV_VM_PAUSE, K_VM, A_NONE, false),
	C(HV_VM_RESUME, K_VM, A_NONE, false),
	C(HV_VM_OPEN_CONSOLE, K_VM, A_INT, true),
	C(HV_VM_GET_VCPU_STATE, K_VM, A_INOUT, false),
	C(HV_VM_SET_VCPU_STATE, K_VM, A_IN, false),
	C(HV_VM_GET_DEVICE_STATE, K_VM, A_OUT, false),
	C(HV_VM_SET_DEVICE_STATE, K_VM, A_IN, false),
	C(HV_VM_SET_DIRTY_LOG, K_VM, A_IN, false),
	C(HV_VM_GET_DIRTY_LOG, K_VM, A_IN, false),
	C(HV_VM_CLONE, K_VM, A_IN, true),
	C(HV_VM_GET_RAM, K_VM, A_OUT, false),
	C(HV_VM_OPEN_VCPU, K_VM, A_INT, true),
	C(HV_VCPU_RUN, K_VCPU, A_NONE, false),
	C(HV_VCPU_GET_REGS, K_VCPU, A_OUT, false),
	C(HV_VCPU_SET_REGS, K_VCPU, A_IN, false),
	C(HV_VCPU_GET_SREGS, K_VCPU, A_OUT, false),
	C(HV_VCPU_SET_SREGS, K_VCPU, A_IN, false),
	C(HV_VCPU_GET_CPUID, K_VCPU, A_OUT, false),
	C(HV_VCPU_SET_CPUID, K_VCPU, A_IN, false),
};
#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *cmd_by_nr(enum kind kind, unsigned int ioc_nr)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (cmds[i].kind == kind && _IOC_NR(cmds[i].nr) == ioc_nr)
			return &cmds[i];
	return NULL;
}

static bool known_nr(unsigned int ioc_nr)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (_IOC_NR(cmds[i].nr) == ioc_nr)
			return true;
	return false;
}

/*
 * Types the VFS answers itself before the driver sees the call
 * (do_vfs_ioctl: FIOCLEX, FIONBIO, FIGETBSZ, FIFREEZE, FICLONE, FS_IOC_*):
 * never used for garbage numbers, whose answer must be the driver's.
 */
static bool vfs_type(unsigned int type)
{
	return type == 0 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94 || type == 0x15 || type == 0x12;
}

/* ---------------------------------------------------- per-thread data */

struct thr {
	int idx;
	struct rng r;
	pthread_t tid;
	timer_t timer;
	uint8_t *arena;		/* 4 RW pages, 1 PROT_NONE guard, 1 RO page */
	uint8_t *guard, *ro;
	struct hv_vcpu_state state;	/* last state GET gave, for SET */
	bool have_state;
	const char *doing;
	atomic_long progress;
	pid_t tid_os;
	/* The last run's guest state and run area, for the watchdog. */
	struct hv_run *volatile run;
	struct hv_regs last_regs;
	struct hv_sregs last_sregs;
	bool last_set;
	char run_vm[HV_NAME_LEN];
};

static struct thr thr[MAX_THREADS];
static __thread sigjmp_buf *touch_jmp;
static uint8_t *prot_none;	/* a reserved PROT_NONE area */

#define ARENA_RW	(4 * PAGE)

static void on_usr1(int sig)
{
	(void)sig;
}

static void on_fault(int sig)
{
	if (touch_jmp)
		siglongjmp(*touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Periodic, not one-shot: a thread preempted between arming and the
 * ioctl would take a one-shot signal before HV_VCPU_RUN starts, and a
 * guest in `jmp $` then runs (correctly) until the next signal.
 */
static void timer_arm(struct thr *t, long ns)
{
	struct itimerspec it = {
		.it_value = { ns / 1000000000, ns % 1000000000 },
		.it_interval = { ns / 1000000000, ns % 1000000000 },
	};

	timer_settime(t->timer, 0, &it, NULL);
}

static void timer_disarm(struct thr *t)
{
	struct itimerspec it = { 0 };

	timer_settime(t->timer, 0, &it, NULL);
}

static long run_ns = 2000000;	/* how long one HV_VCPU_RUN may go on */

/* ---------------------------------------------------------- guest code */

/*
 * The only bytes a guest ever executes.  Decoded from any offset they
 * stay harmless: 0F only starts these snippets, so 0F is followed by A2,
 * 0B, 01 or 31, and 0F 01 by C1 or D9; no MOV to CR/DR, WRMSR, XSETBV,
 * LGDT/LIDT, INVD or VMRUN can form.  Memory accesses go to RAM or MMIO.
 */
static const uint8_t *const safe_code[] = {
	(const uint8_t *)"\x01\x90",		/* nop */
	(const uint8_t *)"\x01\xf4",		/* hlt */
	(const uint8_t *)"\x02\xe6\xe9",	/* out 0xe9, al */
	(const uint8_t *)"\x02\xe4\x80",	/* in al, 0x80 */
	(const uint8_t *)"\x02\x0f\xa2",	/* cpuid */
	(const uint8_t *)"\x03\x0f\x01\xc1",	/* vmcall */
	(const uint8_t *)"\x03\x0f\x01\xd9",	/* vmmcall */
	(const uint8_t *)"\x02\x0f\x0b",	/* ud2 */
	(const uint8_t *)"\x01\xcc",		/* int3 */
	(const uint8_t *)"\x02\xeb\xfe",	/* jmp $ */
	(const uint8_t *)"\x02\x88\x00",	/* mov [rax], al (RAM or MMIO) */
	(const uint8_t *)"\x02\x8a\x00",	/* mov al, [rax] */
	(const uint8_t *)"\x02\x0f\x31",	/* rdtsc */
	(const uint8_t *)"\x02\xf3\x90",	/* pause */
	(const uint8_t *)"\x01\xfa",		/* cli */
	/*
	 * No STI (nor MOV/POP SS): under QEMU 7.2 TCG a guest looping after
	 * an interrupt shadow stops taking interrupts, and under SVM the
	 * host's own then no longer cause #VMEXIT: the emulated CPU stays in
	 * VMRUN, its clock frozen, until an NMI (docs/testing.md).
	 */
	(const uint8_t *)"\x02\xcd\x80",	/* int 0x80 */
};

static void fill_code(struct rng *r, uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const uint8_t *s = safe_code[below(r, sizeof(safe_code) /
						       sizeof(safe_code[0]))];
		size_t n = s[0];

		if (i + n > len) {
			memset(p + i, 0x90, len - i);
			break;
		}
		memcpy(p + i, s + 1, n);
		i += n;
	}
}

/* ------------------------------------------------ state sanitizing */

/* Keep a state out of the emulators' hazards (docs/testing.md). */
static void sanitize_sregs(struct hv_sregs *s)
{
	if ((s->efer & EFER_LME) && !(s->cr0 & X86_CR0_PG))
		s->efer &= ~(EFER_LME | EFER_LMA);
}

static void sanitize_regs(struct hv_regs *g)
{
	g->rflags = (g->rflags & RFLAGS_OK) | 2;
}

static void sanitize_state(struct hv_vcpu_state *st)
{
	sanitize_regs(&st->regs);
	sanitize_sregs(&st->sregs);
	st->dr[7] = 0x400;
	st->events.flags &= ~HV_EV_SHADOW;	/* no interrupt shadow: safe_code */
}

/* ------------------------------------------------------- mutations */

static void mutate(struct rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	int k = 1 + (int)below(r, 4);

	if (!len)
		return;
	while (k--) {
		size_t off = below(r, len);

		switch (below(r, 4)) {
		case 0:
			p[off] ^= 1u << below(r, 8);
			break;
		case 1:
			p[off] = (uint8_t)rnd(r);
			break;
		case 2:
			if (len >= 8) {
				uint64_t v = interesting[below(r,
					sizeof(interesting) / sizeof(interesting[0]))];

				off &= ~7UL;
				if (off + 8 > len)
					off = len - 8;
				memcpy(p + off, &v, 8);
			}
			break;
		default:
			if (len >= 4) {
				uint32_t v = (uint32_t)rnd(r);

				off &= ~3UL;
				if (off + 4 > len)
					off = len - 4;
				memcpy(p + off, &v, 4);
			}
			break;
		}
	}
}

/* A valid name in this run's prefix, or a damaged suffix. */
static void make_name(struct rng *r, char *name)
{
	memset(name, 0, HV_NAME_LEN);
	next_name(name);
	if (chance(r, 100)) {
		size_t pl = strlen(prefix);

		mutate(r, name + pl, HV_NAME_LEN - pl);
	}
	if (chance(r, 20))	/* no NUL at all */
		memset(name + strlen(prefix), 'a', HV_NAME_LEN - strlen(prefix));
}

static uint64_t pick_gpa(struct rng *r)
{
	switch (below(r, 6)) {
	case 0: return 0;
	case 1: return CODE_SIZE + below(r, 64) * PAGE;
	case 2: return below(r, HV_MAX_GPA / PAGE) * PAGE;
	case 3: return rnd(r);
	case 4: return 0x100000ULL * below(r, 16);
	default: return HV_MAX_GPA - PAGE * below(r, 4);
	}
}

/*
 * RAM sizes stay small: big regions are the memory-accounting cases'
 * (h-mem), not the fuzzer's, and must not starve the emulated machine.
 */
static uint64_t pick_size(struct rng *r)
{
	switch (below(r, 8)) {
	case 0: return 0;
	case 1: return below(r, 1ULL << 20) | 1;	/* unaligned */
	case 2: return interesting[below(r, sizeof(interesting) / sizeof(interesting[0]))];
	case 3: return chance(r, 100) ? 2ULL << 20 : 64 * PAGE;
	default: return (1 + below(r, 16)) * PAGE;
	}
}

static void clamp_ram(struct hv_ram_region *rg)
{
	if (rg->size > 2ULL << 20 && rg->size <= HV_MAX_RAM)
		rg->size = HV_MAX_RAM + PAGE;	/* refused, never allocated */
}

/* ----------------------------------------------------- argument build */

/*
 * Fill @buf (at least 2 pages) with a plausible struct for @c on an fd of
 * @kind, mutated or not.  Returns its size.
 */
static size_t build_struct(struct thr *t, const struct cmd *c, int fd,
			   uint8_t *buf, bool mut)
{
	struct rng *r = &t->r;
	size_t size = _IOC_SIZE(c->nr);

	memset(buf, 0, size);
	switch (c->nr) {
	case HV_CREATE_VM: {
		struct hv_vm_create *a = (void *)buf;

		make_name(r, a->name);
		a->flags = chance(r, 300) ? HV_VM_DESTROY_ON_CLOSE : 0;
		break;
	}
	case HV_OPEN_VM: {
		struct hv_vm_open *a = (void *)buf;
		int i = obj_get(r, K_VM);

		if (i >= 0) {
			memcpy(a->name, pool[i].vm_name, HV_NAME_LEN);
			obj_put(i);
		} else {
			make_name(r, a->name);
		}
		break;
	}
	case HV_LIST_VMS: {
		struct hv_vm_list *a = (void *)buf;

		a->capacity = chance(r, 100) ? (uint32_t)rnd(r) : (uint32_t)below(r, 20);
		a->entries = (uintptr_t)(t->arena + PAGE);
		if (a->capacity * sizeof(struct hv_vm_info) > ARENA_RW - PAGE &&
		    !chance(r, 50))
			a->capacity = 8;
		break;
	}
	case HV_VM_ADD_RAM: {
		struct hv_ram_region *a = (void *)buf;

		a->gpa = pick_gpa(r);
		a->size = pick_size(r);
		break;
	}
	case HV_VM_GET_VCPU_STATE:
		((struct hv_vcpu_state *)buf)->vcpu_id = (uint32_t)below(r, 3);
		break;
	case HV_VM_SET_VCPU_STATE:
		if (t->have_state)
			memcpy(buf, &t->state, sizeof(t->state));
		((struct hv_vcpu_state *)buf)->vcpu_id = (uint32_t)below(r, 3);
		break;
	case HV_VM_SET_DEVICE_STATE:
		if (ioctl(fd, HV_VM_GET_DEVICE_STATE, buf) == 0)
			n_calls++;
		((struct hv_device_state *)buf)->uart.rx_count %= 64;
		break;
	case HV_VM_SET_DIRTY_LOG:
	case HV_VM_GET_DIRTY_LOG: {
		struct hv_dirty_log *a = (void *)buf;

		a->gpa = chance(r, 700) ? CODE_GPA : pick_gpa(r);
		a->flags = c->nr == HV_VM_SET_DIRTY_LOG ?
			   (chance(r, 600) ? HV_DIRTY_LOG_ENABLE : 0) : 0;
		a->bitmap = (uintptr_t)(t->arena + 2 * PAGE);
		break;
	}
	case HV_VM_CLONE: {
		struct hv_vm_clone *a = (void *)buf;

		make_name(r, a->name);
		a->flags = chance(r, 500) ? HV_VM_DESTROY_ON_CLOSE : 0;
		break;
	}
	case HV_VCPU_SET_REGS:
		if (ioctl(fd, HV_VCPU_GET_REGS, buf) == 0)
			n_calls++;
		break;
	case HV_VCPU_SET_SREGS:
		if (ioctl(fd, HV_VCPU_GET_SREGS, buf) == 0)
			n_calls++;
		break;
	case HV_VCPU_SET_CPUID:
		if (ioctl(fd, HV_VCPU_GET_CPUID, buf) == 0)
			n_calls++;
		break;
	}
	if (mut)
		mutate(r, buf, size);
	/* What a mutation must not turn into (see the file's head). */
	switch (c->nr) {
	case HV_CREATE_VM:
	case HV_VM_CLONE:
		memcpy(buf, prefix, strlen(prefix));
		break;
	case HV_VM_ADD_RAM:
		clamp_ram((void *)buf);
		break;
	case HV_VM_SET_VCPU_STATE:
		sanitize_state((void *)buf);
		break;
	case HV_VCPU_SET_REGS:
		sanitize_regs((void *)buf);
		break;
	case HV_VCPU_SET_SREGS:
		sanitize_sregs((void *)buf);
		break;
	case HV_LIST_VMS: {
		struct hv_vm_list *a = (void *)buf;

		/* Entries inside the arena, or a bad pointer; never our heap. */
		if (a->entries != (uintptr_t)(t->arena + PAGE) &&
		    a->capacity)
			a->entries = 0xffffffff81000000ULL;
		break;
	}
	case HV_VM_GET_DIRTY_LOG:
		if (((struct hv_dirty_log *)buf)->bitmap !=
		    (uintptr_t)(t->arena + 2 * PAGE))
			((struct hv_dirty_log *)buf)->bitmap = 0x10;
		break;
	}
	return size;
}

enum ptr_kind { P_GOOD, P_NULL, P_KERNEL, P_UNMAPPED, P_NONE, P_MISALIGNED,
		P_STRADDLE, P_RO, P_HUGE_SIZE, NPTR };
static const char *const ptr_name[] = { "good", "NULL", "kernel", "unmapped",
	"PROT_NONE", "misaligned", "straddling", "read-only", "oversized" };

static bool ptr_bad(enum ptr_kind p)
{
	return p == P_NULL || p == P_KERNEL || p == P_UNMAPPED || p == P_NONE;
}

/* ------------------------------------------------------ the checker */

static void count_err(int e)
{
	if (e > 0 && e < 256)
		n_err[e]++;
}

static void note_time(struct timespec *a, struct timespec *b, unsigned int nr)
{
	long ns = (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);

	if (ns > slow_ns) {
		slow_ns = ns;
		slow_cmd = (int)nr;
	}
}

/*
 * One ioctl on @fd (of @kind) with number @nr and argument @arg; @expect
 * says what must not happen.  Returns the result (fd adopted if one).
 */
enum expect { E_ANY, E_FAIL, E_EINVAL, E_ENOTTY };

static long do_ioctl(struct thr *t, int fd, enum kind kind, unsigned int nr,
		     unsigned long arg, enum expect ex, const char *what)
{
	struct timespec a, b;
	long ret;
	int e;

	t->doing = what;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (nr == HV_VCPU_RUN && kind == K_VCPU)
		timer_arm(t, run_ns);
	ret = ioctl(fd, nr, arg);
	e = errno;
	if (nr == HV_VCPU_RUN && kind == K_VCPU)
		timer_disarm(t);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (nr != HV_VCPU_RUN)
		note_time(&a, &b, nr);
	n_calls++;
	t->progress++;
	{
		size_t ci;

		for (ci = 0; ci < NCMDS && cmds[ci].nr != nr; ci++)
			;
		by_cmd[ci][0]++;
		if (ret >= 0)
			by_cmd[ci][1]++;
		else if (e == EINVAL || e == EFAULT)
			by_cmd[ci][2]++;
		else {
			by_cmd[ci][3]++;
			by_cmd_last[ci] = e;
		}
	}
	if (ret < 0) {
		count_err(e);
		if (!errno_ok(e) && !(e == EBADF && fd >= 1000000))
			bad("%s on a %s fd (cmd %#x, arg %#lx): errno %d (%s), "
			    "not one hv documents", what, kind_name[kind], nr,
			    arg, e, strerror(e));
		else if (ex == E_EINVAL && e != EINVAL)
			bad("%s on a %s fd (cmd %#x): errno %s, expected EINVAL "
			    "(known number, wrong size/direction)", what,
			    kind_name[kind], nr, strerror(e));
		else if (ex == E_ENOTTY && e != ENOTTY && e != EBADF)
			bad("%s on a %s fd (cmd %#x): errno %s, expected ENOTTY",
			    what, kind_name[kind], nr, strerror(e));
		errno = e;
		return ret;
	}
	if (ex != E_ANY)
		bad("%s on a %s fd (cmd %#x, arg %#lx) succeeded (returned %ld)",
		    what, kind_name[kind], nr, arg, ret);
	return ret;
}

/* After a successful fd-returning call: adopt the fd. */
static void adopt(const struct cmd *c, long ret, const void *arg_struct,
		  int parent)
{
	char name[HV_NAME_LEN] = "";

	if (ret < 0 || !c->returns_fd)
		return;
	switch (c->nr) {
	case HV_CREATE_VM:
	case HV_VM_CLONE:
		memcpy(name, arg_struct, HV_NAME_LEN - 1);
		n_vms_created++;
		if (c->nr == HV_VM_CLONE)
			n_clones++;
		obj_add((int)ret, K_VM, name, 0);
		break;
	case HV_OPEN_VM:
		memcpy(name, arg_struct, HV_NAME_LEN - 1);
		obj_add((int)ret, K_VM, name, 0);
		break;
	case HV_VM_CREATE_VCPU:
	case HV_VM_OPEN_VCPU:
		obj_add((int)ret, K_VCPU, parent >= 0 ? pool[parent].vm_name : NULL,
			(uint32_t)(uintptr_t)arg_struct);
		break;
	case HV_VM_OPEN_CONSOLE:
		obj_add((int)ret, K_CONS, NULL, 0);
		break;
	}
}

/* How many VMs exist now (HV_LIST_VMS with capacity 0). */
static long vms_listed(int devfd)
{
	struct hv_vm_list l = { 0 };

	if (ioctl(devfd, HV_LIST_VMS, &l))
		return -1;
	return l.count;
}

static int g_devfd;	/* the main thread's own /dev/hv fd */
static long vms_base;

/* ---------------------------------------------------- plain fuzzing */

static void op_ioctl(struct thr *t)
{
	struct rng *r = &t->r;
	enum kind kind = (enum kind)below(r, NKIND);
	const struct cmd *c = NULL;
	enum expect ex = E_ANY;
	enum ptr_kind pk = P_GOOD;
	unsigned int nr;
	unsigned long arg = 0;
	uint8_t *buf = t->arena;
	int i, fd, how = (int)below(r, 100);
	long ret;
	char what[96];

	i = obj_get(r, kind);
	if (i < 0) {
		kind = K_DEV;
		i = obj_get(r, K_DEV);
		if (i < 0)
			return;
	}
	fd = pool[i].fd;
	if (chance(r, 5))
		fd = 1000000 + (int)below(r, 1000);	/* not open: EBADF */

	if (how < 70) {
		/* A number of this fd's table. */
		do
			c = &cmds[below(r, NCMDS)];
		while (c->kind != kind && kind != K_CONS);
		nr = c->nr;
		if (kind == K_CONS)
			ex = E_ENOTTY;
		/* Managed runs only in op_managed(), which stops them. */
		if (nr == HV_VM_START)
			nr = HV_VM_STOP;
		/* No guest runs at all with --runs 0 (see main()). */
		if (nr == HV_VCPU_RUN && !opt_runs)
			nr = HV_VCPU_GET_REGS, c = cmd_by_nr(K_VCPU, _IOC_NR(nr));
		/* VM count bound: see op_create(). */
		if ((nr == HV_CREATE_VM || nr == HV_VM_CLONE) &&
		    vms_listed(g_devfd) >= vms_base + opt_max_vms)
			nr = HV_GET_STATUS, c = cmd_by_nr(K_DEV, _IOC_NR(nr));
		snprintf(what, sizeof(what), "%s", c->name);
	} else if (how < 80) {
		/* Another fd's number: its nr is unknown to this fd. */
		do
			c = &cmds[below(r, NCMDS)];
		while (c->kind == kind);
		nr = c->nr;
		ex = E_ENOTTY;
		snprintf(what, sizeof(what), "%s (another fd's)", c->name);
		c = NULL;
	} else if (how < 90) {
		/* A known number with other size or direction bits. */
		const struct cmd *k;
		unsigned int dir, sz;

		do
			k = &cmds[below(r, NCMDS)];
		while (k->kind != kind && kind != K_CONS);
		do {
			dir = (unsigned int)below(r, 4);
			sz = chance(r, 500) ? (unsigned int)below(r, 1 << 14) :
			     _IOC_SIZE(k->nr) + (unsigned int)below(r, 17) - 8;
			nr = _IOC(dir, HV_IOCTL_MAGIC, _IOC_NR(k->nr), sz & 0x3fff);
		} while (nr == k->nr);
		ex = kind == K_CONS ? E_ENOTTY : E_EINVAL;
		snprintf(what, sizeof(what), "%s with size %u dir %u", k->name,
			 _IOC_SIZE(nr), dir);
	} else {
		/* Garbage numbers. */
		unsigned int type, inr;

		if (chance(r, 500)) {
			type = HV_IOCTL_MAGIC;
			inr = (unsigned int)below(r, 256);
		} else {
			do
				type = (unsigned int)below(r, 256);
			while (vfs_type(type) || type == HV_IOCTL_MAGIC);
			inr = (unsigned int)below(r, 256);
		}
		nr = _IOC((unsigned int)below(r, 4), type, inr,
			  (unsigned int)below(r, 1 << 14));
		if (type != HV_IOCTL_MAGIC || kind == K_CONS)
			ex = E_ENOTTY;
		else if (cmd_by_nr(kind, inr) && cmd_by_nr(kind, inr)->nr == nr)
			goto out;	/* a valid command by chance: skip */
		else if (cmd_by_nr(kind, inr))
			ex = E_EINVAL;
		else if (known_nr(inr) || (inr >= 0x48 && inr < 0x70) ||
			 inr >= 0x80)
			ex = E_ENOTTY;	/* another fd's, or no fd's range */
		else	/* a range where hv may grow: no arguments */
			nr = _IOC(_IOC_NONE, HV_IOCTL_MAGIC, inr, 0);
		snprintf(what, sizeof(what), "garbage %#x", nr);
	}

	/* The argument. */
	if (c && (c->arg == A_IN || c->arg == A_OUT || c->arg == A_INOUT)) {
		bool mut = chance(r, 500);

		pk = chance(r, 600) ? P_GOOD : (enum ptr_kind)below(r, NPTR);
		if (pk == P_STRADDLE && _IOC_SIZE(nr) < 2)
			pk = P_GOOD;
		switch (pk) {
		case P_GOOD:
		case P_HUGE_SIZE:
			build_struct(t, c, fd, buf, mut);
			arg = (uintptr_t)buf;
			break;
		case P_MISALIGNED:
			buf = t->arena + 1 + below(r, 7);
			build_struct(t, c, fd, buf, mut);
			arg = (uintptr_t)buf;
			break;
		case P_STRADDLE:
			/* Starts in the arena, ends in the guard page. */
			buf = t->guard - _IOC_SIZE(nr) / 2;
			if (buf < t->arena)
				buf = t->arena;
			arg = (uintptr_t)buf;
			break;
		case P_RO:
			arg = (uintptr_t)t->ro;
			break;
		case P_NULL: arg = 0; break;
		case P_KERNEL:
			arg = chance(r, 500) ? 0xffffffff81000000UL :
			      0xffff888000000000UL + below(r, 1 << 20) * 8;
			break;
		case P_UNMAPPED: arg = chance(r, 500) ? 0x1000 : 0x800000000000UL; break;
		case P_NONE: arg = (uintptr_t)prot_none; break;
		default: break;
		}
		if (pk == P_STRADDLE && c->arg != A_OUT && _IOC_SIZE(nr) < 2 * PAGE) {
			uint8_t tmp[3 * PAGE];

			build_struct(t, c, fd, tmp, mut);
			memcpy(buf, tmp, (size_t)(t->guard - buf));
		}
		/* Write-back into read-only or non-user memory must fail. */
		if ((ptr_bad(pk) || pk == P_STRADDLE) && ex == E_ANY)
			ex = E_FAIL;
		if (pk == P_RO && (c->arg == A_OUT || c->arg == A_INOUT) &&
		    ex == E_ANY)
			ex = E_FAIL;
		/*
		 * A mutated struct may still be valid; a read-only page holds
		 * zeros, which SET_REGS etc. may accept.  Nothing else.
		 */
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " (%s%s)", ptr_name[pk], mut ? ", mutated" : "");
	} else if (c && c->arg == A_INT) {
		switch (below(r, 4)) {
		case 0: arg = below(r, 4); break;
		case 1: arg = below(r, HV_MAX_VCPUS + 2); break;
		case 2: arg = interesting[below(r, sizeof(interesting) / sizeof(interesting[0]))]; break;
		default: arg = rnd(r); break;
		}
		if (nr == HV_VM_OPEN_CONSOLE && chance(r, 700))
			arg = O_NONBLOCK;
		if (nr == HV_VM_DESTROY && chance(r, 700))
			arg = chance(r, 500) ? HV_DESTROY_FORCE : 0;
	} else {
		/* _IO numbers and garbage: any word. */
		switch (below(r, 4)) {
		case 0: arg = 0; break;
		case 1: arg = (uintptr_t)t->arena; break;
		case 2: arg = 0xffffffff81000000UL; break;
		default: arg = rnd(r); break;
		}
	}
	/* A garbage number that names a real command must not get args. */
	if (c && c->returns_fd && ex == E_ANY && fd < 1000000 &&
	    count_kind(K_VM) + count_kind(K_VCPU) >= POOL_MAX - 8)
		goto out;	/* pool full: skip the fd-returning calls */

	if (nr == HV_VCPU_RUN && kind == K_VCPU)
		pthread_mutex_lock(run_lock_of(&pool[i]));
	ret = do_ioctl(t, fd, kind, nr, arg, fd >= 1000000 ? E_ANY : ex, what);
	if (nr == HV_VCPU_RUN && kind == K_VCPU)
		pthread_mutex_unlock(run_lock_of(&pool[i]));
	if (fd >= 1000000) {
		if (ret >= 0 || errno != EBADF)
			bad("%s on a closed fd: %ld, errno %s", what, ret,
			    strerror(errno));
		goto out;
	}
	if (ret >= 0 && c && ex == E_ANY && nr == c->nr) {
		if (c->returns_fd) {
			const void *s = (const void *)arg;

			if (c->arg == A_INT)
				s = (const void *)(uintptr_t)(uint32_t)arg;
			adopt(c, ret, s, kind == K_VM ? i : -1);
		}
		if (nr == HV_VM_DESTROY) {
			n_vms_destroyed++;
			obj_kill_vm(r, i);
		}
		if (nr == HV_VM_GET_VCPU_STATE && pk == P_GOOD) {
			memcpy(&t->state, buf, sizeof(t->state));
			t->have_state = true;
		}
	}
out:
	obj_put(i);
}

/* -------------------------------------------------- lifecycle ops */

static int mmap_touch(struct thr *t, int vmfd, uint64_t gpa, uint64_t len,
		      bool keep)
{
	sigjmp_buf jb;
	uint8_t *p;
	int sig;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, vmfd, (off_t)gpa);
	n_mmaps++;
	n_other++;
	if (p == MAP_FAILED)
		return -1;
	touch_jmp = &jb;
	sig = sigsetjmp(jb, 1);
	if (sig == 0) {
		volatile uint8_t sink = p[len - 1];

		(void)sink;
		fill_code(&t->r, p, len > 16 * PAGE ? 16 * PAGE : len);
	} else {
		bad("signal %d touching a mapping of RAM the VM has (gpa %#llx, "
		    "%llu bytes)", sig, (unsigned long long)gpa,
		    (unsigned long long)len);
	}
	touch_jmp = NULL;
	if (keep)
		map_add(p, len);
	else
		munmap(p, len);
	return 0;
}

/* A new VM: 64 KiB of RAM with guest code at 0, one or two vCPUs. */
static void op_create(struct thr *t)
{
	struct rng *r = &t->r;
	struct hv_vm_create cr = { 0 };
	struct hv_ram_region rg = { .gpa = CODE_GPA, .size = CODE_SIZE };
	int d, vm, n, k;

	if (vms_listed(g_devfd) >= vms_base + opt_max_vms ||
	    count_kind(K_VM) + count_kind(K_VCPU) >= POOL_MAX - 8)
		return;
	d = obj_get(r, K_DEV);
	if (d < 0)
		return;
	next_name(cr.name);
	cr.flags = chance(r, 200) ? HV_VM_DESTROY_ON_CLOSE : 0;
	t->doing = "create";
	vm = (int)do_ioctl(t, pool[d].fd, K_DEV, HV_CREATE_VM, (uintptr_t)&cr,
			   E_ANY, "HV_CREATE_VM (lifecycle)");
	obj_put(d);
	if (vm < 0)
		return;
	n_vms_created++;
	if (do_ioctl(t, vm, K_VM, HV_VM_ADD_RAM, (uintptr_t)&rg, E_ANY,
		     "HV_VM_ADD_RAM (lifecycle)") == 0)
		mmap_touch(t, vm, CODE_GPA, CODE_SIZE, chance(r, 300));
	n = 1 + (int)below(r, 2);
	for (k = 0; k < n; k++) {
		long fd = do_ioctl(t, vm, K_VM, HV_VM_CREATE_VCPU, (unsigned long)k,
				   E_ANY, "HV_VM_CREATE_VCPU (lifecycle)");

		if (fd >= 0)
			obj_add((int)fd, K_VCPU, cr.name, (uint32_t)k);
	}
	obj_add(vm, K_VM, cr.name, 0);
}

static void op_destroy(struct thr *t)
{
	struct rng *r = &t->r;
	int i = obj_get(r, K_VM);

	if (i < 0)
		return;
	if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_DESTROY,
		     chance(r, 500) ? HV_DESTROY_FORCE : 0, E_ANY,
		     "HV_VM_DESTROY (lifecycle)") == 0) {
		n_vms_destroyed++;
		obj_kill_vm(r, i);
	} else if (chance(r, 300)) {
		obj_kill(i);
	}
	obj_put(i);
}

static void op_close(struct thr *t)
{
	int i = obj_get(&t->r, NKIND);

	if (i < 0)
		return;
	/* Keep one /dev/hv fd at least. */
	if (pool[i].kind != K_DEV || count_kind(K_DEV) > 1)
		obj_kill(i);
	obj_put(i);
	n_other++;
}

static void op_open(struct thr *t)
{
	struct rng *r = &t->r;
	int i, fd;

	switch (below(r, 4)) {
	case 0:
		if (count_kind(K_DEV) >= 4)
			return;
		fd = open("/dev/hv", O_RDWR | O_CLOEXEC);
		n_other++;
		if (fd >= 0)
			obj_add(fd, K_DEV, NULL, 0);
		return;
	case 1: {
		struct hv_vm_open o = { 0 };
		int d = obj_get(r, K_DEV);

		i = obj_get(r, K_VM);
		if (d < 0 || i < 0)
			goto put;
		memcpy(o.name, pool[i].vm_name, HV_NAME_LEN);
		fd = (int)do_ioctl(t, pool[d].fd, K_DEV, HV_OPEN_VM, (uintptr_t)&o,
				   E_ANY, "HV_OPEN_VM (lifecycle)");
		if (fd >= 0)
			obj_add(fd, K_VM, o.name, 0);
put:
		if (d >= 0)
			obj_put(d);
		if (i >= 0)
			obj_put(i);
		return;
	}
	case 2: {
		uint32_t id = (uint32_t)below(r, 3);

		i = obj_get(r, K_VM);
		if (i < 0)
			return;
		fd = (int)do_ioctl(t, pool[i].fd, K_VM, HV_VM_OPEN_VCPU, id,
				   E_ANY, "HV_VM_OPEN_VCPU (lifecycle)");
		if (fd >= 0)
			obj_add(fd, K_VCPU, pool[i].vm_name, id);
		obj_put(i);
		return;
	}
	default: {
		char b[256];

		i = obj_get(r, K_CONS);
		if (i < 0) {
			i = obj_get(r, K_VM);
			if (i < 0)
				return;
			fd = (int)do_ioctl(t, pool[i].fd, K_VM, HV_VM_OPEN_CONSOLE,
					   O_NONBLOCK, E_ANY,
					   "HV_VM_OPEN_CONSOLE (lifecycle)");
			if (fd >= 0)
				obj_add(fd, K_CONS, NULL, 0);
			obj_put(i);
			return;
		}
		fcntl(pool[i].fd, F_SETFL, O_NONBLOCK);
		if (chance(r, 500)) {
			if (read(pool[i].fd, chance(r, 100) ? (void *)0x10 : b,
				 below(r, sizeof(b))) < 0 &&
			    errno != EAGAIN && errno != EFAULT)
				bad("console read: %s", strerror(errno));
		} else {
			fill_code(r, (uint8_t *)b, sizeof(b));
			if (write(pool[i].fd, b, below(r, sizeof(b))) < 0 &&
			    errno != EAGAIN && errno != EFAULT)
				bad("console write: %s", strerror(errno));
		}
		n_other++;
		obj_put(i);
		return;
	}
	}
}

static void op_mmap(struct thr *t)
{
	struct rng *r = &t->r;
	struct hv_ram_list *rl = (void *)t->arena;
	int i, k;

	if (chance(r, 300)) {
		map_drop_one(r);
		return;
	}
	i = obj_get(r, chance(r, 800) ? K_VM : (enum kind)below(r, NKIND));
	if (i < 0)
		return;
	if (pool[i].kind == K_VM && chance(r, 700) &&
	    do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_RAM, (uintptr_t)rl, E_ANY,
		     "HV_VM_GET_RAM (mmap)") == 0 && rl->count) {
		/* Inside a region the VM has: must work and never fault. */
		struct hv_ram_region rg = rl->regions[below(r, rl->count)];
		uint64_t off = below(r, rg.size / PAGE) * PAGE;
		uint64_t len = (1 + below(r, (rg.size - off) / PAGE)) * PAGE;

		if (len > 64 * PAGE)
			len = 64 * PAGE;
		if (mmap_touch(t, pool[i].fd, rg.gpa + off, len, chance(r, 300)))
			bad("mmap of gpa %#llx + %llu bytes inside a region "
			    "(%#llx, %llu bytes): %s",
			    (unsigned long long)(rg.gpa + off),
			    (unsigned long long)len, (unsigned long long)rg.gpa,
			    (unsigned long long)rg.size, strerror(errno));
	} else {
		/* Anywhere, any way: must fail cleanly or be a real range. */
		off_t off = (off_t)(chance(r, 500) ? pick_gpa(r) & ~(PAGE - 1) :
				    below(r, 64) * PAGE + (chance(r, 200) ? 1 : 0));
		size_t len = chance(r, 100) ? (size_t)1 << 40 :
			     (1 + below(r, 64)) * PAGE;
		int prot = (int)below(r, 8), flags = chance(r, 200) ?
			   MAP_PRIVATE : MAP_SHARED;
		void *p;

		if (pool[i].kind == K_VCPU && chance(r, 500))
			off = 0, len = HV_RUN_SIZE * (1 + below(r, 2));
		p = mmap(NULL, len, prot, flags, pool[i].fd, off);
		n_mmaps++;
		n_other++;
		k = errno;
		if (p == MAP_FAILED) {
			if (!mmap_errno_ok(k))
				bad("mmap of a %s fd (offset %#llx, %zu bytes, "
				    "prot %d): errno %s", kind_name[pool[i].kind],
				    (unsigned long long)off, len, prot, strerror(k));
		} else {
			if (pool[i].kind == K_DEV || pool[i].kind == K_CONS)
				bad("mmap of a %s fd succeeded",
				    kind_name[pool[i].kind]);
			munmap(p, len);
		}
	}
	obj_put(i);
}

/* Snapshot: every vCPU's state and the devices', then loaded back. */
static void op_snapshot(struct thr *t)
{
	struct rng *r = &t->r;
	struct hv_device_state *ds = (void *)(t->arena + 2 * PAGE);
	struct hv_dirty_log dl = { .gpa = CODE_GPA, .bitmap = (uintptr_t)(t->arena + 3 * PAGE) };
	struct hv_vcpu_state *st = (void *)t->arena;
	int i = obj_get(r, K_VM), other;
	uint32_t id;

	if (i < 0)
		return;
	n_snapshots++;
	dl.flags = HV_DIRTY_LOG_ENABLE;
	do_ioctl(t, pool[i].fd, K_VM, HV_VM_SET_DIRTY_LOG, (uintptr_t)&dl, E_ANY,
		 "HV_VM_SET_DIRTY_LOG (snapshot)");
	for (id = 0; id < 2; id++) {
		memset(st, 0, sizeof(*st));
		st->vcpu_id = id;
		if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_VCPU_STATE,
			     (uintptr_t)st, E_ANY, "HV_VM_GET_VCPU_STATE (snapshot)"))
			continue;
		memcpy(&t->state, st, sizeof(*st));
		t->have_state = true;
		/* Restore it, maybe into another VM (as clone/restore do). */
		other = chance(r, 300) ? obj_get(r, K_VM) : -1;
		do_ioctl(t, pool[other >= 0 ? other : i].fd, K_VM,
			 HV_VM_SET_VCPU_STATE, (uintptr_t)st, E_ANY,
			 "HV_VM_SET_VCPU_STATE (snapshot)");
		if (other >= 0)
			obj_put(other);
	}
	if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_DEVICE_STATE, (uintptr_t)ds,
		     E_ANY, "HV_VM_GET_DEVICE_STATE (snapshot)") == 0)
		do_ioctl(t, pool[i].fd, K_VM, HV_VM_SET_DEVICE_STATE,
			 (uintptr_t)ds, E_ANY, "HV_VM_SET_DEVICE_STATE (snapshot)");
	do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_RAM, (uintptr_t)(t->arena + 2 * PAGE),
		 E_ANY, "HV_VM_GET_RAM (snapshot)");
	do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_DIRTY_LOG, (uintptr_t)&dl, E_ANY,
		 "HV_VM_GET_DIRTY_LOG (snapshot)");
	/* A bitmap in a read-only page: nothing may be written there. */
	dl.bitmap = (uintptr_t)t->ro;
	if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_GET_DIRTY_LOG, (uintptr_t)&dl,
		     E_ANY, "HV_VM_GET_DIRTY_LOG (read-only bitmap)") == 0)
		bad("HV_VM_GET_DIRTY_LOG into a read-only page succeeded");
	if (chance(r, 500)) {
		dl.flags = 0;
		do_ioctl(t, pool[i].fd, K_VM, HV_VM_SET_DIRTY_LOG, (uintptr_t)&dl,
			 E_ANY, "HV_VM_SET_DIRTY_LOG off (snapshot)");
	}
	obj_put(i);
}

static void op_clone(struct thr *t)
{
	struct hv_vm_clone cl = { 0 };
	int i;
	long fd;

	if (vms_listed(g_devfd) >= vms_base + opt_max_vms ||
	    count_kind(K_VM) + count_kind(K_VCPU) >= POOL_MAX - 8)
		return;
	i = obj_get(&t->r, K_VM);
	if (i < 0)
		return;
	next_name(cl.name);
	cl.flags = chance(&t->r, 500) ? HV_VM_DESTROY_ON_CLOSE : 0;
	fd = do_ioctl(t, pool[i].fd, K_VM, HV_VM_CLONE, (uintptr_t)&cl, E_ANY,
		      "HV_VM_CLONE (lifecycle)");
	if (fd >= 0) {
		n_vms_created++;
		n_clones++;
		obj_add((int)fd, K_VM, cl.name, 0);
	}
	obj_put(i);
}

/* A short managed run: start, poke, stop (others' vCPU calls wait). */
static void op_managed(struct thr *t)
{
	struct rng *r = &t->r;
	struct hv_vm_info info;
	int i = obj_get(r, K_VM), k, n;

	if (i < 0)
		return;
	if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_START, 0, E_ANY,
		     "HV_VM_START (managed)") == 0) {
		n_managed++;
		n = 1 + (int)below(r, 4);
		for (k = 0; k < n; k++) {
			static const unsigned int poke[] = {
				HV_VM_GET_INFO, HV_VM_PAUSE, HV_VM_RESUME,
				HV_VM_GET_DEVICE_STATE,
			};
			unsigned int nr = poke[below(r, 4)];

			do_ioctl(t, pool[i].fd, K_VM, nr, (uintptr_t)t->arena,
				 E_ANY, "managed poke");
			usleep(500);
		}
		if (chance(r, 200)) {
			if (do_ioctl(t, pool[i].fd, K_VM, HV_VM_DESTROY,
				     HV_DESTROY_FORCE, E_ANY,
				     "HV_VM_DESTROY force (managed)") == 0) {
				n_vms_destroyed++;
				obj_kill_vm(r, i);
			}
		} else {
			do_ioctl(t, pool[i].fd, K_VM, HV_VM_STOP, 0, E_ANY,
				 "HV_VM_STOP (managed)");
		}
		if (ioctl(pool[i].fd, HV_VM_GET_INFO, &info) == 0 &&
		    info.state == HV_VM_STATE_RUNNING)
			bad("VM %s still running after HV_VM_STOP", info.name);
	}
	obj_put(i);
}

/* Guest state for a run: real mode, flat 32-bit, or what is there. */
static void guest_setup(struct thr *t, int fd)
{
	struct hv_mp_state mp = { .state = HV_MP_RUNNABLE };
	struct rng *r = &t->r;
	struct hv_sregs s;
	struct hv_regs g;
	unsigned int k;

	if (ioctl(fd, HV_VCPU_GET_SREGS, &s) || ioctl(fd, HV_VCPU_GET_REGS, &g))
		return;
	n_calls += 2;
	do
		k = (unsigned int)below(r, 3);
	while (!(opt_modes & (1 << k)));
	switch (k) {
	case 0:		/* real mode, CS at the code, DS/ES/SS at 0 */
		s.cs.base = CODE_GPA;
		s.cs.selector = CODE_GPA >> 4;
		s.cs.limit = 0xffff;
		s.cr0 &= ~(X86_CR0_PE | X86_CR0_PG);
		s.efer = 0;
		break;
	case 1: {	/* flat 32-bit protected mode, no paging */
		struct hv_segment *segs[] = { &s.ds, &s.es, &s.fs, &s.gs, &s.ss };

		s.cr0 = X86_CR0_PE | X86_CR0_ET;
		s.cr4 = 0;
		s.efer = 0;
		s.cs = (struct hv_segment){ .base = 0, .limit = 0xffffffff,
			.selector = 8, .type = 0xb, .s = 1, .present = 1,
			.db = 1, .g = 1 };
		for (k = 0; k < 5; k++)
			*segs[k] = (struct hv_segment){ .limit = 0xffffffff,
				.selector = 0x10, .type = 3, .s = 1,
				.present = 1, .db = 1, .g = 1 };
		s.tr = (struct hv_segment){ .limit = 0x67, .selector = 0x18,
			.type = 0xb, .present = 1 };
		break;
	}
	default:	/* as it is, mutated */
		mutate(r, &s, offsetof(struct hv_sregs, reserved));
		break;
	}
	sanitize_sregs(&s);
	/*
	 * Data and stack addresses below the code (MMIO: no RAM there), so
	 * that the guest rarely writes into its own code: the bytes it runs
	 * stay those of safe_code.
	 */
	for (k = 0; k < 16; k++)
		(&g.rax)[k] = chance(r, 300) ? rnd(r) : below(r, CODE_GPA);
	g.rip = s.cs.base == CODE_GPA ? below(r, CODE_SIZE) :
		CODE_GPA + below(r, CODE_SIZE);
	g.rsp = below(r, CODE_GPA);
	g.rflags = rnd(r);
	sanitize_regs(&g);
	t->last_set = do_ioctl(t, fd, K_VCPU, HV_VCPU_SET_SREGS, (uintptr_t)&s,
			       E_ANY, "HV_VCPU_SET_SREGS (run)") == 0;
	t->last_set &= do_ioctl(t, fd, K_VCPU, HV_VCPU_SET_REGS, (uintptr_t)&g,
				E_ANY, "HV_VCPU_SET_REGS (run)") == 0;
	/* An AP waits for a SIPI: runnable, as KVM_SET_MP_STATE would make it */
	do_ioctl(t, fd, K_VCPU, HV_VCPU_SET_MP_STATE, (uintptr_t)&mp, E_ANY,
		 "HV_VCPU_SET_MP_STATE (run)");
	t->last_sregs = s;
	t->last_regs = g;
}

static void op_run(struct thr *t)
{
	struct rng *r = &t->r;
	struct hv_run *run;
	int i = obj_get(r, K_VCPU), k;
	long ret;

	if (i < 0)
		return;
	pthread_mutex_lock(&pool_lock);
	if (!pool[i].run) {
		void *p = mmap(NULL, HV_RUN_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, pool[i].fd, 0);

		if (p != MAP_FAILED)
			pool[i].run = p;
	}
	run = pool[i].run;
	pthread_mutex_unlock(&pool_lock);
	if (!run)
		goto out;
	t->last_set = false;
	if (chance(r, 700) || opt_modes != 7)
		guest_setup(t, pool[i].fd);
	else if (ioctl(pool[i].fd, HV_VCPU_GET_SREGS, &t->last_sregs) == 0 &&
		 ioctl(pool[i].fd, HV_VCPU_GET_REGS, &t->last_regs) == 0)
		t->last_set = true;
	t->run = run;
	memcpy(t->run_vm, pool[i].vm_name, HV_NAME_LEN);
	n_runs++;
	pthread_mutex_lock(run_lock_of(&pool[i]));
	for (k = 0; k < 6; k++) {
		ret = do_ioctl(t, pool[i].fd, K_VCPU, HV_VCPU_RUN, 0, E_ANY,
			       "HV_VCPU_RUN");
		if (ret < 0)
			break;
		n_exits++;
		switch (run->exit_reason) {
		case HV_EXIT_IO:
			run->io.data = rnd(r);
			continue;
		case HV_EXIT_MMIO:
			run->mmio.data = rnd(r);
			continue;
		case HV_EXIT_HYPERCALL:
			run->hypercall.ret = rnd(r);
			continue;
		case HV_EXIT_HLT:
		case HV_EXIT_SYSTEM_EVENT:	/* API 5: a reset or S5 port */
			continue;
		case HV_EXIT_INTR:
		case HV_EXIT_SHUTDOWN:
		case HV_EXIT_FAIL_ENTRY:
		case HV_EXIT_INTERNAL_ERROR:
			break;
		default:
			bad("HV_VCPU_RUN: exit_reason %u is no HV_EXIT_*",
			    run->exit_reason);
			break;
		}
		break;
	}
	pthread_mutex_unlock(run_lock_of(&pool[i]));
out:
	obj_put(i);
}

/* ------------------------------------------------------------ threads */

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct sigevent sev = { 0 };
	int w;

	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR1;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	t->tid_os = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->timer)) {
		bad("timer_create: %s", strerror(errno));
		return NULL;
	}
	while (n_calls < opt_calls && !stop_all) {
		w = (int)below(&t->r, 1000);
		if (w < opt_runs)
			op_run(t);
		else if ((w -= opt_runs) < 20)
			op_create(t);
		else if ((w -= 20) < 8)
			op_destroy(t);
		else if ((w -= 8) < 10)
			op_close(t);
		else if ((w -= 10) < 15)
			op_open(t);
		else if ((w -= 15) < 10)
			op_mmap(t);
		else if ((w -= 10) < 6)
			op_snapshot(t);
		else if ((w -= 6) < 3)
			op_clone(t);
		else if ((w -= 3) < opt_managed)
			op_managed(t);
		else
			op_ioctl(t);
		t->doing = "between calls";
	}
	timer_delete(t->timer);
	return NULL;
}

/* ---------------------------------------------------------- accounting */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

static int virt_users(void)
{
	struct hv_status s;

	if (ioctl(g_devfd, HV_GET_STATUS, &s))
		return -1;
	return (int)s.virt_users;
}

/* Destroy every VM of this run's prefix; returns how many. */
static int destroy_prefix(void)
{
	static struct hv_vm_info info[64];
	struct hv_vm_list l = { .capacity = 64, .entries = (uintptr_t)info };
	int n = 0;
	unsigned int i;

	if (ioctl(g_devfd, HV_LIST_VMS, &l)) {
		bad("HV_LIST_VMS at cleanup: %s", strerror(errno));
		return 0;
	}
	for (i = 0; i < l.count && i < 64; i++) {
		struct hv_vm_open o = { 0 };
		int fd;

		if (strncmp(info[i].name, prefix, strlen(prefix)))
			continue;
		memcpy(o.name, info[i].name, HV_NAME_LEN);
		fd = ioctl(g_devfd, HV_OPEN_VM, &o);
		if (fd < 0) {
			bad("cleanup: open %s: %s", o.name, strerror(errno));
			continue;
		}
		if (ioctl(fd, HV_VM_DESTROY, HV_DESTROY_FORCE))
			bad("cleanup: destroy %s: %s", o.name, strerror(errno));
		else
			n++;
		close(fd);
	}
	return n;
}

static void cat_file(const char *path)
{
	char buf[2048];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	printf("    %s:\n%s", path, buf);
}

/* The guest code around the stuck vCPU's RIP (as set before the run). */
static void dump_code(struct thr *t)
{
	struct hv_vm_open o = { 0 };
	uint64_t lin = t->last_sregs.cs.base + t->last_regs.rip, off;
	uint8_t *p;
	int fd, k;

	memcpy(o.name, t->run_vm, HV_NAME_LEN);
	fd = ioctl(g_devfd, HV_OPEN_VM, &o);
	if (fd < 0) {
		printf("    (VM %s: %s)\n", o.name, strerror(errno));
		return;
	}
	p = mmap(NULL, CODE_SIZE, PROT_READ, MAP_SHARED, fd, CODE_GPA);
	if (p == MAP_FAILED) {
		printf("    (VM %s: no code region: %s)\n", o.name, strerror(errno));
		close(fd);
		return;
	}
	printf("    VM %s, code at linear %#llx:", o.name, (unsigned long long)lin);
	if (t->last_set && lin >= CODE_GPA + 32 && lin + 32 <= CODE_GPA + CODE_SIZE) {
		off = lin - CODE_GPA;
		for (k = -32; k < 32; k++)
			printf("%s%02x", k == 0 ? " [" : " ", p[off + k]);
	} else {
		printf(" (outside the code region)");
	}
	printf("\n");
	munmap(p, CODE_SIZE);
	close(fd);
}

/* What a stuck thread was doing: its kernel stack, its guest. */
static void stuck_report(struct thr *t)
{
	const struct hv_sregs *s = &t->last_sregs;
	const struct hv_regs *g = &t->last_regs;
	char path[128];
	uint64_t c0, c1;

	printf("  thread %d (tid %d) in %s\n", t->idx, t->tid_os, t->doing);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", t->tid_os);
	cat_file(path);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", t->tid_os);
	cat_file(path);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", t->tid_os);
	{
		char line[256];
		FILE *f = fopen(path, "r");

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "SigPnd", 6) || !strncmp(line, "ShdPnd", 6) ||
			    !strncmp(line, "SigBlk", 6))
				printf("    %s", line);
		if (f)
			fclose(f);
	}
	if (strcmp(t->doing, "HV_VCPU_RUN") || !t->run)
		return;
	c0 = t->run->exit_count;
	sleep(1);
	c1 = t->run->exit_count;
	printf("    run area: exit_reason %u, exit_count %llu -> %llu in 1 s\n",
	       t->run->exit_reason, (unsigned long long)c0,
	       (unsigned long long)c1);
	if (!t->last_set) {
		printf("    (the guest state before the run is unknown)\n");
		return;
	}
	dump_code(t);
	printf("    before the run: cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n"
	       "    cs sel %#x base %#llx limit %#x type %u s %u dpl %u p %u "
	       "l %u db %u g %u unusable %u\n"
	       "    ss sel %#x base %#llx limit %#x type %u p %u db %u; "
	       "idt %#llx/%#x gdt %#llx/%#x; tr type %u p %u\n"
	       "    rip %#llx rsp %#llx rflags %#llx rax %#llx rbx %#llx "
	       "rcx %#llx rdx %#llx rsi %#llx rdi %#llx rbp %#llx\n",
	       (unsigned long long)s->cr0, (unsigned long long)s->cr3,
	       (unsigned long long)s->cr4, (unsigned long long)s->efer,
	       s->cs.selector, (unsigned long long)s->cs.base, s->cs.limit,
	       s->cs.type, s->cs.s, s->cs.dpl, s->cs.present, s->cs.l,
	       s->cs.db, s->cs.g, s->cs.unusable, s->ss.selector,
	       (unsigned long long)s->ss.base, s->ss.limit, s->ss.type,
	       s->ss.present, s->ss.db, (unsigned long long)s->idt.base,
	       s->idt.limit, (unsigned long long)s->gdt.base, s->gdt.limit,
	       s->tr.type, s->tr.present,
	       (unsigned long long)g->rip, (unsigned long long)g->rsp,
	       (unsigned long long)g->rflags, (unsigned long long)g->rax,
	       (unsigned long long)g->rbx, (unsigned long long)g->rcx,
	       (unsigned long long)g->rdx, (unsigned long long)g->rsi,
	       (unsigned long long)g->rdi, (unsigned long long)g->rbp);
}

static int usage(void)
{
	fprintf(stderr, "usage: hv-fuzz [--seed S] [--calls N] [--threads T] "
		"[--max-vms M] [--runs PER_MILLE] [--run-us US] [--managed PER_MILLE] "
		"[--modes MASK] [--prefix P] "
		"[--verbose]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long free0, slab0, sunr0, free1, slab1, sunr1, vms_after;
	int fds0, fds1, virt0, i, k, e, swept;
	struct timespec t0, t1;
	long last = -1, still = 0;
	bool joined[MAX_THREADS] = { false };
	struct sigaction sa;
	char line[2048];
	size_t n;
	double secs;

	snprintf(prefix, sizeof(prefix), "fz%d-", (int)getpid());
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--verbose")) {
			opt_verbose = true;
			continue;
		}
		if (!v)
			return usage();
		if (!strcmp(argv[i], "--seed"))
			opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(argv[i], "--calls"))
			opt_calls = atol(v);
		else if (!strcmp(argv[i], "--threads"))
			opt_threads = atoi(v);
		else if (!strcmp(argv[i], "--max-vms"))
			opt_max_vms = atoi(v);
		else if (!strcmp(argv[i], "--runs"))
			opt_runs = atoi(v);
		else if (!strcmp(argv[i], "--managed"))
			opt_managed = atoi(v);
		else if (!strcmp(argv[i], "--modes"))
			opt_modes = atoi(v) & 7;
		else if (!strcmp(argv[i], "--run-us"))
			run_ns = atol(v) * 1000;
		else if (!strcmp(argv[i], "--prefix"))
			snprintf(prefix, sizeof(prefix), "%s", v);
		else
			return usage();
		i++;
	}
	if (!opt_modes)
		return usage();
	if (opt_threads < 1 || opt_threads > MAX_THREADS || opt_runs < 0 ||
	    opt_runs > 900 || opt_calls < 1 || opt_managed < 0 ||
	    opt_managed > 50)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < RUN_LOCKS; i++)
		pthread_mutex_init(&run_locks[i], NULL);
	printf("hv-fuzz: seed %llu, %ld calls, %d threads, VM names %s*, at most "
	       "%d VMs, runs %d/1000 of %ld us, managed runs %d/1000\n",
	       (unsigned long long)opt_seed, opt_calls, opt_threads, prefix,
	       opt_max_vms, opt_runs, run_ns / 1000, opt_managed);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART: RUN returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_fault;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	g_devfd = open("/dev/hv", O_RDWR | O_CLOEXEC);
	if (g_devfd < 0) {
		fail("open /dev/hv: %s", strerror(errno));
		return hvtest_exit();
	}
	prot_none = mmap(NULL, 16 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vms_base = vms_listed(g_devfd);
	virt0 = virt_users();
	hvtest_settle_memory();
	free0 = hvtest_meminfo_kb("MemFree");
	slab0 = hvtest_meminfo_kb("Slab");
	sunr0 = hvtest_meminfo_kb("SUnreclaim");
	fds0 = count_fds();

	for (k = 0; k < 2; k++) {
		int fd = open("/dev/hv", O_RDWR | O_CLOEXEC);

		if (fd >= 0)
			obj_add(fd, K_DEV, NULL, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < opt_threads; i++) {
		struct thr *t = &thr[i];

		t->idx = i;
		t->r.s = opt_seed * 0x9e3779b97f4a7c15ULL + (uint64_t)i * 0xbf58476d1ce4e5b9ULL + 1;
		t->arena = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->arena == MAP_FAILED) {
			fail("mmap arena: %s", strerror(errno));
			return hvtest_exit();
		}
		t->guard = t->arena + ARENA_RW;
		t->ro = t->guard + PAGE;
		mprotect(t->guard, PAGE, PROT_NONE);
		mprotect(t->ro, PAGE, PROT_READ);
		t->doing = "starting";
		pthread_create(&t->tid, NULL, worker, t);
	}
	/* Watchdog: no call at all for 60 s means a thread is stuck. */
	for (k = 0; k < opt_threads; ) {
		long now = n_calls;

		for (i = 0; i < opt_threads; i++)
			if (!joined[i] && pthread_tryjoin_np(thr[i].tid, NULL) == 0) {
				joined[i] = true;
				k++;
			}
		if (k == opt_threads)
			break;
		usleep(200 * 1000);
		if (now != last) {
			last = now;
			still = 0;
			continue;
		}
		if (++still >= 300) {
			for (i = 0; i < opt_threads; i++)
				if (!joined[i])
					bad("no call for 60 s; thread %d is in %s",
					    i, thr[i].doing);
			for (i = 0; i < opt_threads; i++)
				if (!joined[i])
					stuck_report(&thr[i]);
			/* Where the CPUs are: NMI backtraces into dmesg. */
			{
				FILE *f = fopen("/proc/sys/kernel/sysrq", "w");

				if (f) {
					fputs("1\n", f);
					fclose(f);
				}
				f = fopen("/proc/sysrq-trigger", "w");
				if (f) {
					fputs("l\n", f);
					fclose(f);
				}
				sleep(2);
				printf("  (CPU backtraces: sysrq-l, in dmesg)\n");
			}
			fflush(stdout);
			_exit(1);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* Cleanup: every fd, every mapping, every VM of the prefix. */
	for (i = 0; i < POOL_MAX; i++)
		if (pool[i].used)
			obj_free_locked(&pool[i]);
	for (i = 0; i < MAPS_MAX; i++)
		if (maps[i].addr)
			munmap(maps[i].addr, maps[i].len);
	swept = destroy_prefix();
	for (k = 0; k < 40; k++) {	/* the last references go async */
		if (vms_listed(g_devfd) == vms_base && virt_users() == virt0)
			break;
		usleep(50 * 1000);
	}
	vms_after = vms_listed(g_devfd);
	hvtest_settle_memory();
	free1 = hvtest_meminfo_kb("MemFree");
	slab1 = hvtest_meminfo_kb("Slab");
	sunr1 = hvtest_meminfo_kb("SUnreclaim");
	fds1 = count_fds();

	printf("hv-fuzz: %ld ioctl calls + %ld other calls (open, close, mmap, "
	       "read, write) in %.1f s\n", (long)n_calls, (long)n_other, secs);
	printf("hv-fuzz: VMs created %ld (clones %ld), destroyed by HV_VM_DESTROY "
	       "%ld, swept at the end %d; guest runs %ld (%ld exits), managed "
	       "runs %ld, snapshots %ld, mmaps %ld\n", (long)n_vms_created,
	       (long)n_clones, (long)n_vms_destroyed, swept, (long)n_runs,
	       (long)n_exits, (long)n_managed, (long)n_snapshots, (long)n_mmaps);
	for (i = 0; i < (int)NCMDS && cmds[i].nr != (unsigned int)slow_cmd; i++)
		;
	printf("hv-fuzz: slowest call (not RUN): %s (%#x), %.1f ms\n",
	       i < (int)NCMDS ? cmds[i].name : "garbage", slow_cmd, slow_ns / 1e6);
	printf("hv-fuzz: errors by errno:\n");
	for (e = 1; e < 256; e++)
		if (n_err[e])
			printf("  %-12s %8ld\n", strerrorname_np(e) ?: "?",
			       (long)n_err[e]);
	if (opt_verbose) {
		printf("hv-fuzz: per command: calls, ok, EINVAL+EFAULT, other (last other errno)\n");
		for (i = 0; i <= (int)NCMDS; i++)
			printf("  %-24s %7ld %7ld %7ld %7ld %s\n",
			       i < (int)NCMDS ? cmds[i].name : "(other numbers)",
			       (long)by_cmd[i][0], (long)by_cmd[i][1],
			       (long)by_cmd[i][2], (long)by_cmd[i][3],
			       by_cmd_last[i] ? strerrorname_np(by_cmd_last[i]) : "");
	}
	printf("hv-fuzz: MemFree %ld -> %ld kB, Slab %ld -> %ld kB, SUnreclaim "
	       "%ld -> %ld kB, fds %d -> %d, VMs listed %ld -> %ld, virt users "
	       "%d -> %d\n", free0, free1, slab0, slab1, sunr0, sunr1, fds0, fds1,
	       vms_base, vms_after, virt0, virt_users());

	if (n_calls < opt_calls)
		bad("only %ld calls of %ld", (long)n_calls, opt_calls);
	if (vms_after != vms_base)
		bad("%ld VMs listed after the run, %ld before", vms_after, vms_base);
	if (virt_users() != virt0)
		bad("virtualization users %d after the run, %d before",
		    virt_users(), virt0);
	if (fds1 != fds0)
		bad("%d fds open after the run, %d before", fds1, fds0);
	/*
	 * Every object the run made is gone (VMs listed, virt users), so
	 * what slab still holds is caches warming up (kmalloc, vmap_area,
	 * pid, files): 4 MiB is ~60x the 56 kB per 1,000 cycles of the last
	 * round; a leak per call of 100,000 would be far above it.
	 */
	if (sunr1 - sunr0 > 4096)
		bad("unreclaimable slab grew by %ld kB (limit 4096 kB)",
		    sunr1 - sunr0);
	if (free0 - free1 > 32768)
		bad("MemFree fell by %ld kB (limit 32768 kB)", free0 - free1);

	n = (size_t)snprintf(line, sizeof(line),
			     "fuzz: seed %llu, %ld calls, %d threads, %ld VMs, "
			     "%ld guest runs, errors:", (unsigned long long)opt_seed,
			     (long)n_calls, opt_threads, (long)n_vms_created,
			     (long)n_runs);
	k = 0;
	for (e = 1; e < 256 && n < sizeof(line) - 64; e++)
		if (n_err[e])
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s %ld",
					      k++ ? "," : "", strerrorname_np(e) ?: "?",
					      (long)n_err[e]);
	snprintf(line + n, sizeof(line) - n, "; slab %+ld kB, MemFree %+ld kB",
		 slab1 - slab0, free1 - free0);
	printf("HVFUZZ-FIGURE %s\n", line);
	if (!n_bad)
		ok("no unexpected result in %ld calls", (long)n_calls);
	return hvtest_exit();
}
