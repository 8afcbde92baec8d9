// SPDX-License-Identifier: GPL-2.0
/*
 * Fake VM and vCPU fds for the unit tests (see unit.h), behind the fake
 * /dev/hv of fake_hv.c: HV_CREATE_VM there returns a memfd, which
 * HV_VM_ADD_RAM grows so that libhv's mmap at offset = GPA works as on
 * the module; HV_VM_CREATE_VCPU returns a memfd one run area long, whose
 * register ioctls keep their state here.  Enough for libhv's VM, vCPU,
 * loader and mode code to run without the module; no guest ever runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define FAKE_MAX_VMS	16
#define FAKE_MAX_VCPUS	8

struct fake_vm fake_vms[FAKE_MAX_VMS];
unsigned int fake_nr_vms;
unsigned int fake_list_grow;
unsigned int fake_creates;
int fake_set_state_err;
int fake_create_err;
int fake_add_ram_err;
int fake_clone_err;
bool fake_clone_no_hold;
uint32_t fake_clone_how;
void (*fake_on_pause)(struct fake_vm *vm);
void (*fake_on_resume)(void);
static uint64_t fake_next_id;
struct hv_guest_debug fake_last_debug;
unsigned int fake_debug_calls;

static struct fake_vcpu fake_vcpus[FAKE_MAX_VCPUS];
static unsigned int fake_nr_vcpus;

void fake_vm_reset(void)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vms; i++) {
		unsigned int r;

		close(fake_vms[i].fd);
		for (r = 0; r < HV_MAX_REGIONS; r++)
			free(fake_vms[i].dirty[r]);
	}
	fake_creates = 0;
	fake_set_state_err = 0;
	fake_create_err = 0;
	fake_add_ram_err = 0;
	fake_clone_err = 0;
	fake_clone_no_hold = false;
	fake_clone_how = 0;
	fake_on_pause = NULL;
	fake_on_resume = NULL;
	fake_next_id = 0;
	memset(&fake_last_debug, 0, sizeof(fake_last_debug));
	fake_debug_calls = 0;
	memset(fake_vms, 0, sizeof(fake_vms));
	memset(fake_vcpus, 0, sizeof(fake_vcpus));
	fake_nr_vms = 0;
	fake_nr_vcpus = 0;
	fake_list_grow = 0;
}

static bool same_file(int fd, dev_t dev, ino_t ino)
{
	struct stat st;

	return !fstat(fd, &st) && st.st_dev == dev && st.st_ino == ino;
}

static struct fake_vm *vm_of(int fd)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vms; i++)
		if (same_file(fd, fake_vms[i].dev, fake_vms[i].ino))
			return &fake_vms[i];
	return NULL;
}

/* The VM whose filler fd @fd is. */
static struct fake_vm *lazy_of(int fd)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vms; i++)
		if (fake_vms[i].lazy_open &&
		    same_file(fd, fake_vms[i].lazy_dev, fake_vms[i].lazy_ino))
			return &fake_vms[i];
	return NULL;
}

struct fake_vcpu *fake_vcpu_of(int fd)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vcpus; i++)
		if (same_file(fd, fake_vcpus[i].dev, fake_vcpus[i].ino))
			return &fake_vcpus[i];
	return NULL;
}

/*
 * A memfd of @size bytes, remembered by device and inode.  A VM keeps its
 * own fd (fake_vm.fd) and hands out dups, so it can be opened again after
 * libhv closed its handle; a vCPU's fd belongs to libhv.
 */
static int new_memfd(const char *name, off_t size, dev_t *dev, ino_t *ino)
{
	struct stat st;
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) < 0 || fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return fd;
}

static struct fake_vm *add_vm(const char *name)
{
	struct fake_vm *vm;
	int fd;

	if (fake_nr_vms == FAKE_MAX_VMS)
		return NULL;
	vm = &fake_vms[fake_nr_vms];
	memset(vm, 0, sizeof(*vm));
	fd = new_memfd("fake-vm", 0, &vm->dev, &vm->ino);
	if (fd < 0)
		return NULL;
	vm->fd = fd;
	strncpy(vm->name, name, HV_NAME_LEN - 1);
	vm->listed = true;
	vm->id = ++fake_next_id;
	vm->state = HV_VM_STATE_CREATED;
	fake_nr_vms++;
	return vm;
}

static int dev_ioctl(unsigned long req, void *arg)
{
	struct fake_vm *vm;
	unsigned int i, n = 0;

	switch (req) {
	case HV_CREATE_VM: {
		const struct hv_vm_create *c = arg;

		if (!c->name[0] || !memchr(c->name, 0, HV_NAME_LEN))
			return -EINVAL;
		if (fake_create_err)
			return -fake_create_err;
		for (i = 0; i < fake_nr_vms; i++)
			if (fake_vms[i].listed &&
			    !strcmp(fake_vms[i].name, c->name))
				return -EEXIST;
		fake_creates++;
		vm = add_vm(c->name);
		if (vm)
			vm->flags = c->flags;
		return vm ? dup(vm->fd) : -ENOMEM;
	}
	case HV_OPEN_VM: {
		const struct hv_vm_open *o = arg;

		for (i = 0; i < fake_nr_vms; i++)
			if (fake_vms[i].listed &&
			    !strcmp(fake_vms[i].name, o->name))
				return dup(fake_vms[i].fd);
		return -ENOENT;
	}
	case HV_LIST_VMS: {
		struct hv_vm_list *l = arg;
		struct hv_vm_info *out = (void *)(uintptr_t)l->entries;

		/* A VM appears between two calls while fake_list_grow lasts. */
		if (fake_list_grow) {
			char name[HV_NAME_LEN];

			snprintf(name, sizeof(name), "grown%u", fake_list_grow);
			fake_list_grow--;
			add_vm(name);
		}
		for (i = 0; i < fake_nr_vms; i++) {
			if (!fake_vms[i].listed)
				continue;
			if (n < l->capacity) {
				memset(&out[n], 0, sizeof(out[n]));
				strcpy(out[n].name, fake_vms[i].name);
				out[n].mem_size = fake_vms[i].mem_size;
				out[n].nr_vcpus = fake_vms[i].nr_vcpus;
				out[n].state = HV_VM_STATE_CREATED;
			}
			n++;
		}
		l->count = n;
		return 0;
	}
	}
	return -ENOTTY;
}

struct fake_vm *fake_vm_named(const char *name)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vms; i++)
		if (fake_vms[i].listed && !strcmp(fake_vms[i].name, name))
			return &fake_vms[i];
	return NULL;
}

static int region_of(struct fake_vm *vm, uint64_t gpa)
{
	unsigned int r;

	for (r = 0; r < vm->nr_regions; r++)
		if (vm->regions[r].gpa == gpa)
			return (int)r;
	return -1;
}

static int copy_vm(struct fake_vm *vm, const struct hv_vm_clone *c);

/*
 * HV_VM_CLONE: a copy (the fake shares nothing copy-on-write).  With
 * HV_CLONE_HOLD a running managed VM is paused around it, as the module
 * does (state/clone.c), with the test's hooks.
 */
static int clone_vm(struct fake_vm *vm, const struct hv_vm_clone *c)
{
	bool hold = vm->managed && vm->state == HV_VM_STATE_RUNNING;
	int r;

	fake_clone_how = c->how;
	if (c->how & ~HV_CLONE_HOLD || c->reserved[0] || c->reserved[1] ||
	    c->reserved[2] || c->reserved[3] || (fake_clone_no_hold && c->how))
		return -EINVAL;
	if (hold && !(c->how & HV_CLONE_HOLD))
		return -EBUSY;
	if (hold) {
		if (fake_on_pause)
			fake_on_pause(vm);
		vm->pauses++;
		vm->state = HV_VM_STATE_PAUSED;
	}
	r = copy_vm(vm, c);
	if (hold) {
		vm->resumes++;
		vm->state = HV_VM_STATE_RUNNING;
		if (fake_on_resume)
			fake_on_resume();
	}
	return r;
}

static int copy_vm(struct fake_vm *vm, const struct hv_vm_clone *c)
{
	struct fake_vm *n;
	struct stat st;
	ssize_t got;
	off_t off = 0;
	char buf[65536];
	unsigned int i;

	if (!c->name[0] || !memchr(c->name, 0, HV_NAME_LEN))
		return -EINVAL;
	if (fake_vm_named(c->name))
		return -EEXIST;
	if (fake_clone_err)
		return -fake_clone_err;
	fake_creates++;
	n = add_vm(c->name);
	if (!n)
		return -ENOMEM;
	if (fstat(vm->fd, &st) < 0 || ftruncate(n->fd, st.st_size) < 0)
		return -errno;
	while ((got = pread(vm->fd, buf, sizeof(buf), off)) > 0) {
		if (pwrite(n->fd, buf, got, off) != got)
			return -EIO;
		off += got;
	}
	n->mem_size = vm->mem_size;
	n->flags = c->flags;
	n->nr_vcpus = vm->nr_vcpus;
	n->nr_regions = vm->nr_regions;
	memcpy(n->regions, vm->regions, sizeof(n->regions));
	for (i = 0; i < n->nr_regions; i++)
		n->regions[i].flags = 0;
	memcpy(n->has_vcpu, vm->has_vcpu, sizeof(n->has_vcpu));
	memcpy(n->vcpu_state, vm->vcpu_state, sizeof(n->vcpu_state));
	n->devices = vm->devices;
	return dup(n->fd);
}

static int state_ioctl(struct fake_vm *vm, unsigned long req, void *arg)
{
	int r;

	/*
	 * As the module: the RAM list and dirty logs work while it runs,
	 * and a clone decides itself (HV_CLONE_HOLD)
	 */
	if (vm->managed && vm->state == HV_VM_STATE_RUNNING &&
	    req != HV_VM_GET_RAM && req != HV_VM_SET_DIRTY_LOG &&
	    req != HV_VM_GET_DIRTY_LOG && req != HV_VM_CLONE)
		return -EBUSY;
	switch (req) {
	case HV_VM_GET_VCPU_STATE: {
		struct hv_vcpu_state *s = arg;
		uint32_t id = s->vcpu_id;

		if (id >= HV_MAX_VCPUS || !vm->has_vcpu[id])
			return -ENOENT;
		memcpy(s, &vm->vcpu_state[id], sizeof(*s));
		s->vcpu_id = id;
		return 0;
	}
	case HV_VM_SET_VCPU_STATE: {
		const struct hv_vcpu_state *s = arg;

		if (s->vcpu_id >= HV_MAX_VCPUS || !vm->has_vcpu[s->vcpu_id])
			return -ENOENT;
		if (fake_set_state_err)
			return -fake_set_state_err;
		if (s->flags || s->nr_msrs > HV_STATE_MAX_MSRS ||
		    s->cpuid.nent > HV_CPUID_MAX_ENTRIES)
			return -EINVAL;
		memcpy(&vm->vcpu_state[s->vcpu_id], s, sizeof(*s));
		return 0;
	}
	case HV_VM_GET_DEVICE_STATE:
		memcpy(arg, &vm->devices, sizeof(vm->devices));
		return 0;
	case HV_VM_SET_DEVICE_STATE:
		memcpy(&vm->devices, arg, sizeof(vm->devices));
		return 0;
	case HV_VM_GET_RAM: {
		struct hv_ram_list *l = arg;
		unsigned int i;

		memset(l, 0, sizeof(*l));
		l->count = vm->nr_regions;
		for (i = 0; i < vm->nr_regions; i++) {
			l->regions[i] = vm->regions[i];
			l->regions[i].flags = vm->dirty[i] ? HV_RAM_DIRTY_LOG
							   : 0;
		}
		return 0;
	}
	case HV_VM_SET_DIRTY_LOG: {
		const struct hv_dirty_log *d = arg;

		r = region_of(vm, d->gpa);
		if (r < 0 || d->flags & ~HV_DIRTY_LOG_ENABLE)
			return -EINVAL;
		free(vm->dirty[r]);
		vm->dirty[r] = NULL;
		if (d->flags & HV_DIRTY_LOG_ENABLE) {
			vm->dirty[r] = calloc((vm->regions[r].size / 4096 + 63)
					      / 64, 8);
			if (!vm->dirty[r])
				return -ENOMEM;
		}
		return 0;
	}
	case HV_VM_GET_DIRTY_LOG: {
		const struct hv_dirty_log *d = arg;
		size_t words;

		r = region_of(vm, d->gpa);
		if (r < 0 || !vm->dirty[r])
			return -EINVAL;
		words = (vm->regions[r].size / 4096 + 63) / 64;
		memcpy((void *)(uintptr_t)d->bitmap, vm->dirty[r], words * 8);
		memset(vm->dirty[r], 0, words * 8);
		vm->dirty_epoch++;
		return 0;
	}
	case HV_VM_CLONE:
		return clone_vm(vm, arg);
	}
	return -ENOTTY;
}

/* START/STOP/PAUSE/RESUME of a VM the test marked managed. */
static int managed_ioctl(struct fake_vm *vm, unsigned long req)
{
	if (!vm->managed)
		return -ENOTTY;
	switch (req) {
	case HV_VM_START:
		if (vm->state == HV_VM_STATE_RUNNING ||
		    vm->state == HV_VM_STATE_PAUSED)
			return -EBUSY;
		vm->state = HV_VM_STATE_RUNNING;
		return 0;
	case HV_VM_STOP:
		if (vm->state != HV_VM_STATE_RUNNING &&
		    vm->state != HV_VM_STATE_PAUSED)
			return -EINVAL;
		vm->stops++;
		vm->state = HV_VM_STATE_STOPPED;
		return 0;
	case HV_VM_PAUSE:
		if (vm->state != HV_VM_STATE_RUNNING)
			return -EINVAL;
		if (fake_on_pause)	/* the guest's last writes before it */
			fake_on_pause(vm);
		vm->pauses++;
		vm->state = HV_VM_STATE_PAUSED;
		return 0;
	case HV_VM_RESUME:
		if (vm->state != HV_VM_STATE_PAUSED)
			return -EINVAL;
		vm->resumes++;
		vm->state = HV_VM_STATE_RUNNING;
		if (fake_on_resume)	/* the guest runs on */
			fake_on_resume();
		return 0;
	}
	return -ENOTTY;
}

static int vm_ioctl(struct fake_vm *vm, unsigned long req, void *arg)
{
	switch (req) {
	case HV_VM_START:
	case HV_VM_STOP:
	case HV_VM_PAUSE:
	case HV_VM_RESUME:
		return managed_ioctl(vm, req);
	case HV_VM_GET_VCPU_STATE:
	case HV_VM_SET_VCPU_STATE:
	case HV_VM_GET_DEVICE_STATE:
	case HV_VM_SET_DEVICE_STATE:
	case HV_VM_GET_RAM:
	case HV_VM_SET_DIRTY_LOG:
	case HV_VM_GET_DIRTY_LOG:
	case HV_VM_CLONE:
		return state_ioctl(vm, req, arg);
	case HV_VM_IRQ_LINE: {
		const struct hv_irq_line *l = arg;

		/* The module's rules (include/uapi/hv.h) */
		if (l->gsi >= HV_NR_GSIS || l->level > 1 || l->reserved)
			return -EINVAL;
		vm->irq_line = *l;
		vm->irq_lines++;
		return 0;
	}
	case HV_VM_SIGNAL_MSI: {
		const struct hv_msi *m = arg;

		if ((m->address >> 20) != 0xfee || m->flags ||
		    m->reserved[0] || m->reserved[1])
			return -EINVAL;
		vm->msi = *m;
		vm->msis++;
		return 0;
	}
	case HV_VM_ADD_RAM: {
		const struct hv_ram_region *r = arg;
		struct stat st;

		if (!r->size || (r->gpa | r->size) & 0xfff ||
		    r->flags & ~HV_RAM_LAZY || r->pad || r->reserved[0] ||
		    r->reserved[1])
			return -EINVAL;
		if (r->flags & HV_RAM_LAZY && !vm->lazy_open)
			return -EINVAL;
		if (fake_add_ram_err)
			return -fake_add_ram_err;
		if (fstat(vm->fd, &st) < 0)
			return -errno;
		if (vm->nr_regions == HV_MAX_REGIONS)
			return -ENOSPC;
		if ((uint64_t)st.st_size < r->gpa + r->size &&
		    ftruncate(vm->fd, (off_t)(r->gpa + r->size)) < 0)
			return -errno;
		vm->mem_size += r->size;
		if (r->flags & HV_RAM_LAZY)
			vm->lazy_absent += r->size / 4096;
		vm->regions[vm->nr_regions++] = *r;
		return 0;
	}
	case HV_VM_OPEN_LAZY: {
		int fd;

		if (arg)
			return -EINVAL;
		if (vm->lazy_open)	/* one per VM, ever */
			return -EBUSY;
		fd = new_memfd("fake-lazy", 0, &vm->lazy_dev, &vm->lazy_ino);
		if (fd < 0)
			return -errno;
		vm->lazy_open = true;
		return fd;
	}
	case HV_VM_OPEN_VCPU:
		if ((unsigned long)arg >= HV_MAX_VCPUS ||
		    !vm->has_vcpu[(unsigned long)arg])
			return -ENOENT;
		/* one more fd, as for a new vCPU */
		/* fall through */
	case HV_VM_CREATE_VCPU: {
		struct fake_vcpu *v;
		unsigned long id = (unsigned long)arg;
		int fd;

		if (id >= HV_MAX_VCPUS)
			return -EINVAL;
		if (fake_nr_vcpus == FAKE_MAX_VCPUS)
			return -ENOMEM;
		v = &fake_vcpus[fake_nr_vcpus];
		memset(v, 0, sizeof(*v));
		fd = new_memfd("fake-vcpu", HV_RUN_SIZE, &v->dev, &v->ino);
		if (fd < 0)
			return -errno;
		v->id = (uint32_t)id;
		if (!vm->has_vcpu[id]) {
			vm->has_vcpu[id] = true;
			vm->nr_vcpus++;
			vm->vcpu_state[id].xcr0 = 3;
			/* as the module: APs wait for SIPI; the APIC's base */
			vm->vcpu_state[id].mp_state = id ? HV_MP_WAIT_SIPI
							 : HV_MP_RUNNABLE;
			vm->vcpu_state[id].lapic.apic_base =
				0xfee00800 | (id ? 0 : 0x100);
			vm->vcpu_state[id].tsc = 1000000 + id;
			vm->devices.rtc.cmos[0x0d] = 0x80;	/* VRT */
		}
		v->regs.rip = 0xfff0;	/* something else than the tests set */
		v->sregs.cr0 = 0x60000010;
		v->sregs.cr2 = 0x1234;
		fake_nr_vcpus++;
		return fd;
	}
	case HV_VM_DESTROY:
		if ((unsigned long)arg & ~(unsigned long)HV_DESTROY_FORCE)
			return -EINVAL;
		if (!vm->listed)
			return -ENOENT;
		vm->listed = false;
		return 0;
	case HV_VM_GET_STATS: {
		const struct hv_stats *st = arg;
		const uint64_t *v;
		uint32_t n;

		vm->stats_calls++;
		if (st->reserved[0] || st->reserved[1])
			return -EINVAL;
		if (st->vcpu == HV_STATS_VM)
			v = vm->stats[HV_MAX_VCPUS];
		else if (st->vcpu < HV_MAX_VCPUS && vm->has_vcpu[st->vcpu])
			v = vm->stats[st->vcpu];
		else
			return -ENOENT;
		n = st->count < 4 ? st->count : 4;
		memcpy((uint64_t *)(uintptr_t)st->values, v, n * sizeof(*v));
		for (n = 0; n < 4; n++)
			if (st->vcpu == HV_STATS_VM)
				vm->stats[HV_MAX_VCPUS][n] += vm->stats_step[n];
			else
				vm->stats[st->vcpu][n] +=
					vm->stats_vstep[st->vcpu][n];
		n = st->count < 4 ? st->count : 4;
		return (int)n;
	}
	case HV_VM_GET_DEBUG_STOP:
		memcpy(arg, &vm->dbg_stop, sizeof(vm->dbg_stop));
		return 0;
	case HV_VM_GET_INFO: {
		struct hv_vm_info *info = arg;

		memset(info, 0, sizeof(*info));
		strcpy(info->name, vm->name);
		info->mem_size = vm->mem_size;
		info->state = vm->listed ? vm->state : HV_VM_STATE_DESTROYED;
		info->flags = vm->flags;
		info->nr_vcpus = vm->nr_vcpus;
		info->id = vm->id;
		info->dirty_epoch = vm->dirty_epoch;
		return 0;
	}
	}
	return -ENOTTY;
}

/*
 * HV_LAZY_* on @vm's filler fd, with the module's argument rules.  FILL
 * writes its data into the RAM and counts every page of it as filled
 * (the fake keeps no per-page record).
 */
static int lazy_ioctl(struct fake_vm *vm, unsigned long req, void *arg)
{
	vm->lazy_calls++;
	switch (req) {
	case HV_LAZY_FILL: {
		struct hv_lazy_fill *f = arg;
		uint64_t pages = f->size / 4096;

		vm->lazy_fill = *f;
		if (!f->size || (f->gpa | f->size) & 0xfff ||
		    f->size > HV_LAZY_FILL_MAX || !f->data ||
		    f->reserved[0] || f->reserved[1])
			return -EINVAL;
		if (pwrite(vm->fd, (const void *)(uintptr_t)f->data, f->size,
			   (off_t)f->gpa) != (ssize_t)f->size)
			return -EFAULT;
		if (pages > vm->lazy_absent)
			pages = vm->lazy_absent;
		vm->lazy_absent -= pages;
		f->filled = pages;
		f->absent = vm->lazy_absent;
		return 0;
	}
	case HV_LAZY_WAIT: {
		struct hv_lazy_wait *w = arg;

		vm->lazy_wait = *w;
		if (w->flags & ~HV_LAZY_NOWAIT || w->pad || w->reserved[0] ||
		    w->reserved[1])
			return -EINVAL;
		if (vm->lazy_wait_err)
			return -vm->lazy_wait_err;
		w->gpa = vm->lazy_absent ? vm->lazy_wait_gpa : HV_LAZY_NONE;
		w->absent = vm->lazy_absent;
		return 0;
	}
	case HV_LAZY_FAIL: {
		const struct hv_lazy_fail *f = arg;

		vm->lazy_fail = *f;
		if (f->reserved[0] || f->reserved[1])
			return -EINVAL;
		return 0;
	}
	}
	return -ENOTTY;
}

static int vcpu_ioctl(struct fake_vcpu *v, unsigned long req, void *arg)
{
	switch (req) {
	case HV_VCPU_GET_REGS:
		memcpy(arg, &v->regs, sizeof(v->regs));
		return 0;
	case HV_VCPU_SET_REGS:
		memcpy(&v->regs, arg, sizeof(v->regs));
		v->set_regs++;
		return 0;
	case HV_VCPU_GET_SREGS:
		memcpy(arg, &v->sregs, sizeof(v->sregs));
		return 0;
	case HV_VCPU_SET_SREGS:
		memcpy(&v->sregs, arg, sizeof(v->sregs));
		v->set_sregs++;
		return 0;
	case HV_VCPU_RUN:
		return -EINTR;	/* as if a signal came at once */
	case HV_VCPU_SET_GUEST_DEBUG:
		memcpy(&fake_last_debug, arg, sizeof(fake_last_debug));
		fake_debug_calls++;
		return 0;
	}
	return -ENOTTY;
}

bool fake_vm_ioctl(int fd, bool on_dev, unsigned long req, void *arg,
		   int *ret)
{
	struct fake_vcpu *v;
	struct fake_vm *vm;
	int r;

	if (on_dev) {
		if (req != HV_CREATE_VM && req != HV_OPEN_VM &&
		    req != HV_LIST_VMS)
			return false;
		r = dev_ioctl(req, arg);
	} else if ((vm = vm_of(fd))) {
		r = vm_ioctl(vm, req, arg);
	} else if ((v = fake_vcpu_of(fd))) {
		r = vcpu_ioctl(v, req, arg);
	} else if ((vm = lazy_of(fd))) {
		r = lazy_ioctl(vm, req, arg);
	} else {
		return false;
	}
	if (r < 0) {
		errno = -r;
		r = -1;
	}
	*ret = r;
	return true;
}
