// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: VM handles.  A handle is the VM fd plus the guest RAM this
 * process has mapped (the VM fd mmap'd at offset = GPA, MAP_SHARED: the
 * pages belong to the module, the process only sees them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libhv.h"
#include "internal.h"

struct hv_vm_map {
	uint64_t gpa;
	uint64_t size;
	void *host;
};

struct hv_vm {
	int fd;
	char name[HV_NAME_LEN];
	unsigned int nr_maps;
	/* One per region at most, unless the caller maps parts of one. */
	struct hv_vm_map maps[HV_MAX_REGIONS * 2];
};

static int hv_vm_new(int fd, const char *name, struct hv_vm **out)
{
	struct hv_vm *vm = calloc(1, sizeof(*vm));

	if (!vm) {
		close(fd);
		return -ENOMEM;
	}
	vm->fd = fd;
	strncpy(vm->name, name, sizeof(vm->name) - 1);
	*out = vm;
	return 0;
}

int hv_vm_from_fd(int fd, const char *name, struct hv_vm **out)
{
	return hv_vm_new(fd, name, out);
}

/* Copy a name into a fixed ABI field; the kernel checks the characters. */
static int hv_copy_name(char dst[HV_NAME_LEN], const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strlen(name);
	if (len == 0 || len >= HV_NAME_LEN)
		return -EINVAL;
	memset(dst, 0, HV_NAME_LEN);
	memcpy(dst, name, len);
	return 0;
}

/*
 * HV_CREATE_VM or HV_OPEN_VM (@req): @name into @args_name, the name
 * field of @args (zeroed, its other fields set by the caller), then the
 * ioctl; *out wraps the VM fd it returns.
 */
static int hv_vm_by_name(struct hv *hv, unsigned long req, void *args,
			 char args_name[HV_NAME_LEN], const char *name,
			 struct hv_vm **out)
{
	int fd, err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!hv)
		return -EBADF;
	err = hv_copy_name(args_name, name);
	if (err)
		return err;

	fd = ioctl(hv_fd(hv), req, args);
	if (fd < 0)
		return -errno;
	return hv_vm_new(fd, name, out);
}

int hv_vm_create(struct hv *hv, const char *name, uint32_t flags,
		 struct hv_vm **out)
{
	struct hv_vm_create args;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
	return hv_vm_by_name(hv, HV_CREATE_VM, &args, args.name, name, out);
}

/*
 * "UID:NAME": *uid and the NAME part; anything else is a plain name (a
 * name never holds ':').  -EINVAL: UID is not a decimal number < 2^32-1.
 */
static int hv_vm_ref_parse(const char *ref, uint32_t *uid, const char **name)
{
	const char *colon = ref ? strchr(ref, ':') : NULL;
	unsigned long long v = 0;
	const char *p;

	*name = ref;
	if (!colon)
		return 0;
	if (colon == ref || colon - ref > 10)
		return -EINVAL;
	for (p = ref; p < colon; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*p - '0');
	}
	if (v >= 0xffffffffULL)		/* (uid_t)-1 is no uid */
		return -EINVAL;
	*uid = (uint32_t)v;
	*name = colon + 1;
	return 1;
}

int hv_vm_open(struct hv *hv, const char *name, struct hv_vm **out)
{
	struct hv_vm_open args;
	const char *bare;
	uint32_t uid = 0;
	int r;

	memset(&args, 0, sizeof(args));
	r = hv_vm_ref_parse(name, &uid, &bare);
	if (r < 0) {
		if (out)
			*out = NULL;
		return r;
	}
	if (r) {
		args.flags = HV_OPEN_OWNER;
		args.owner_uid = uid;
	}
	return hv_vm_by_name(hv, HV_OPEN_VM, &args, args.name, bare, out);
}

void hv_vm_close(struct hv_vm *vm)
{
	unsigned int i;

	if (!vm)
		return;
	for (i = 0; i < vm->nr_maps; i++)
		munmap(vm->maps[i].host, vm->maps[i].size);
	close(vm->fd);
	free(vm);
}

int hv_vm_destroy(struct hv_vm *vm)
{
	int err;

	if (!vm)
		return -EBADF;
	/* The argument is HV_DESTROY_* flags: none, or a running VM refuses. */
	err = ioctl(vm->fd, HV_VM_DESTROY, 0UL) < 0 ? -errno : 0;
	hv_vm_close(vm);
	return err;
}

int hv_vm_map_ram(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	void *host;

	if (!vm)
		return -EBADF;
	if (!size || (gpa | size) & 0xfff || size > SIZE_MAX ||
	    gpa > UINT64_MAX - size)
		return -EINVAL;
	if (vm->nr_maps == sizeof(vm->maps) / sizeof(vm->maps[0]))
		return -ENOSPC;
	/* off_t is signed: offsets at or past 2^63 are not expressible. */
	if (gpa + size > (uint64_t)INT64_MAX)
		return -EINVAL;

	host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->fd,
		    (off_t)gpa);
	if (host == MAP_FAILED)
		return -errno;
	vm->maps[vm->nr_maps++] = (struct hv_vm_map){ gpa, size, host };
	return 0;
}

/* HV_VM_ADD_RAM with @flags (0 or HV_RAM_LAZY), then map the region. */
static int hv_vm_add_ram_flags(struct hv_vm *vm, uint64_t gpa, uint64_t size,
			       uint32_t flags)
{
	struct hv_ram_region r;

	if (!vm)
		return -EBADF;
	memset(&r, 0, sizeof(r));
	r.gpa = gpa;
	r.size = size;
	r.flags = flags;
	if (ioctl(vm->fd, HV_VM_ADD_RAM, &r) < 0)
		return -errno;
	return hv_vm_map_ram(vm, gpa, size);
}

int hv_vm_add_ram(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	return hv_vm_add_ram_flags(vm, gpa, size, 0);
}

/*
 * Mapping a lazy region touches none of its pages: the process only
 * waits for (or gets SIGBUS on) a page it reads before it is filled.
 */
int hv_vm_add_ram_lazy(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
	return hv_vm_add_ram_flags(vm, gpa, size, HV_RAM_LAZY);
}

/* The mapping holding @gpa, or NULL. */
static const struct hv_vm_map *hv_vm_find_map(const struct hv_vm *vm,
					      uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < vm->nr_maps; i++) {
		const struct hv_vm_map *m = &vm->maps[i];

		if (gpa >= m->gpa && gpa - m->gpa < m->size)
			return m;
	}
	return NULL;
}

uint64_t hv_vm_gpa_room(const struct hv_vm *vm, uint64_t gpa)
{
	const struct hv_vm_map *m = vm ? hv_vm_find_map(vm, gpa) : NULL;

	return m ? m->size - (gpa - m->gpa) : 0;
}

void *hv_vm_gpa_ptr(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	const struct hv_vm_map *m;

	if (!vm)
		return NULL;
	m = hv_vm_find_map(vm, gpa);
	if (!m || len > m->size - (gpa - m->gpa))
		return NULL;
	return (char *)m->host + (gpa - m->gpa);
}

int hv_vm_info(struct hv_vm *vm, struct hv_vm_info *info)
{
	if (!vm)
		return -EBADF;
	if (!info)
		return -EINVAL;
	return ioctl(vm->fd, HV_VM_GET_INFO, info) < 0 ? -errno : 0;
}

const char *hv_vm_name(const struct hv_vm *vm)
{
	return vm ? vm->name : "";
}

int hv_vm_fd(const struct hv_vm *vm)
{
	return vm ? vm->fd : -EBADF;
}

int hv_vm_irq_line(struct hv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct hv_irq_line line;

	if (!vm)
		return -EBADF;
	memset(&line, 0, sizeof(line));
	line.gsi = gsi;
	line.level = level;
	return ioctl(vm->fd, HV_VM_IRQ_LINE, &line) < 0 ? -errno : 0;
}

int hv_vm_signal_msi(struct hv_vm *vm, uint64_t addr, uint32_t data)
{
	struct hv_msi msi;

	if (!vm)
		return -EBADF;
	memset(&msi, 0, sizeof(msi));
	msi.address = addr;
	msi.data = data;
	return ioctl(vm->fd, HV_VM_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

int hv_list_vms(struct hv *hv, struct hv_vm_info **out, size_t *n)
{
	struct hv_vm_info *buf = NULL, *bigger;
	struct hv_vm_list list;
	uint32_t cap = 0;

	if (!out || !n)
		return -EINVAL;
	*out = NULL;
	*n = 0;
	if (!hv)
		return -EBADF;

	/*
	 * Ask how many there are, make room for a few more, and ask again
	 * until the answer fits: VMs may be created in between.
	 */
	for (;;) {
		memset(&list, 0, sizeof(list));
		list.capacity = cap;
		list.entries = (uintptr_t)buf;
		if (ioctl(hv_fd(hv), HV_LIST_VMS, &list) < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (list.count <= cap)
			break;
		if (list.count > UINT32_MAX - 8) {
			free(buf);
			return -EOVERFLOW;
		}
		cap = list.count + 8;
		bigger = realloc(buf, (size_t)cap * sizeof(*buf));
		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
	}
	if (list.count == 0) {
		free(buf);
		buf = NULL;
	}
	*out = buf;
	*n = list.count;
	return 0;
}

int hv_vm_stats(struct hv_vm *vm, uint32_t vcpu, uint64_t *values,
		size_t count)
{
	struct hv_stats st;
	int r;

	if (!vm)
		return -EBADF;
	if (!values && count)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.vcpu = vcpu;
	st.count = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
	st.values = (uintptr_t)values;
	r = ioctl(vm->fd, HV_VM_GET_STATS, &st);
	return r < 0 ? -errno : r;
}
