// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects: named, reference-counted, and independent of the process
 * that made them (like bhyve's /dev/vmm/NAME).
 *
 * References: being listed under its name holds one; every VM fd, every
 * vCPU fd and every mmap (through its file) holds one.  HV_VM_DESTROY
 * (or the last fd closing, with HV_VM_DESTROY_ON_CLOSE) drops the name;
 * memory and vCPUs go when the last reference does.  A VM holds hardware
 * virtualization (hv_virt_get) for its whole life.
 */
#include "hv.h"
#include "io/platform.h"

#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static LIST_HEAD(hv_vms);
static DEFINE_MUTEX(hv_vms_lock);	/* hv_vms, vm->listed */
static atomic64_t hvk_vm_ids;		/* the last hvk_vm.id handed out */

static const struct file_operations hvk_vm_fops;

static void hvk_vm_release(struct kref *ref)
{
	struct hvk_vm *vm = container_of(ref, struct hvk_vm, ref);
	unsigned int i;

	/* A run that ended by itself may still have threads to reap */
	if (vm->managed)
		hvk_vm_stop(vm, HV_STOP_DESTROYED);
	/* Devices first: the PIT's and RTC's timers reach the vCPUs */
	hv_devices_free(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		hvk_vcpu_destroy(vm->vcpus[i]);
	hv_mem_free(vm);
	hv_pt_destroy(&vm->gpt);
	if (vm->virt_held)
		hv_virt_put();
	hvk_vm_account_free(vm);
	kfree(vm);		/* the backend's struct: hvk_vm comes first */
	module_put(THIS_MODULE);
}

void hvk_vm_put(struct hvk_vm *vm)
{
	kref_put(&vm->ref, hvk_vm_release);
}

/*
 * Drop the name; the VM lives on while fds or mappings remain.  A managed
 * run is stopped first with @force, else the VM stays (-EBUSY).
 */
static int hvk_vm_unlist(struct hvk_vm *vm, bool force)
{
	bool was;

	/* mgmt_lock: no start can slip in between the stop and the unlisting */
	mutex_lock(&vm->mgmt_lock);
	if (vm->managed && vm->state != HV_VM_STATE_STOPPED && !force) {
		mutex_unlock(&vm->mgmt_lock);
		return -EBUSY;
	}
	if (vm->managed)
		__hv_vm_stop(vm, HV_STOP_DESTROYED);

	mutex_lock(&hv_vms_lock);
	was = vm->listed;
	if (was) {
		list_del(&vm->node);
		vm->listed = false;
	}
	mutex_unlock(&hv_vms_lock);
	mutex_unlock(&vm->mgmt_lock);
	if (!was)
		return -ENOENT;
	hv_event(vm, HV_EVENT_DESTROYED, 0, 0);
	hvk_vm_put(vm);
	return 0;
}

static bool hv_name_valid(const char *name)
{
	size_t len = strnlen(name, HV_NAME_LEN);
	size_t i;

	if (len == 0 || len == HV_NAME_LEN || !isalnum(name[0]))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* Names are per owner: (owner, name) is the key (docs/security.md). */
static struct hvk_vm *hvk_vm_find(kuid_t owner, const char *name)
{
	struct hvk_vm *vm;

	lockdep_assert_held(&hv_vms_lock);
	list_for_each_entry(vm, &hv_vms, node)
		if (uid_eq(vm->owner, owner) && !strcmp(vm->name, name))
			return vm;
	return NULL;
}

/*
 * Root opening a plain name it does not own itself: the one VM of that
 * name, whoever owns it; ERR_PTR(-ENOTUNIQ) if several users have one.
 */
static struct hvk_vm *hvk_vm_find_any(const char *name)
{
	struct hvk_vm *vm, *found = NULL;

	lockdep_assert_held(&hv_vms_lock);
	list_for_each_entry(vm, &hv_vms, node) {
		if (strcmp(vm->name, name))
			continue;
		if (found)
			return ERR_PTR(-ENOTUNIQ);
		found = vm;
	}
	return found;
}

/*
 * Who may see and touch a VM: its owner, and CAP_SYS_ADMIN.  Checked
 * when a VM fd is opened (the fd is then the right, as for a file) and
 * for every entry of HV_LIST_VMS.
 */
static bool hvk_vm_admin(void)
{
	return capable(CAP_SYS_ADMIN);
}

/*
 * Every VM file maps the VM's own address_space rather than the anon
 * inode's shared one, so that unmap_mapping_range() on it reaches this
 * VM's mmaps only (COW, dirty logging).  It must be set before the fd
 * exists: hence getfile + fd_install, not anon_inode_getfd.
 */
static int hvk_vm_get_fd(struct hvk_vm *vm)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fd;
	kref_get(&vm->ref);
	atomic_inc(&vm->nr_files);
	file = anon_inode_getfile("hv-vm", &hvk_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		atomic_dec(&vm->nr_files);
		hvk_vm_put(vm);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* do_page_mkwrite() looks at f_mapping->host: the anon inode */
	vm->mapping.host = file_inode(file);
	file->f_mapping = &vm->mapping;
	fd_install(fd, file);
	return fd;
}

bool hvk_vm_name_taken(kuid_t owner, const char *name)
{
	bool taken;

	mutex_lock(&hv_vms_lock);
	taken = hvk_vm_find(owner, name) != NULL;
	mutex_unlock(&hv_vms_lock);
	return taken;
}

/*
 * A new VM, not yet listed: no RAM, no vCPUs, the caller holds its only
 * reference (hvk_vm_put undoes everything).  NULL with *err on failure.
 */
struct hvk_vm *hvk_vm_new(const char *name, u32 flags, int *err)
{
	struct hvk_vm *vm;
	int r;

	if (!hv_name_valid(name) || (flags & ~HV_VM_DESTROY_ON_CLOSE)) {
		*err = -EINVAL;
		return NULL;
	}
	/* Each VM pins the module: rmmod is refused while VMs exist. */
	if (!try_module_get(THIS_MODULE)) {
		*err = -ENODEV;
		return NULL;
	}
	vm = kzalloc(hv_ops->vm_size, GFP_KERNEL_ACCOUNT);
	if (!vm) {
		module_put(THIS_MODULE);
		*err = -ENOMEM;
		return NULL;
	}
	kref_init(&vm->ref);		/* the list's reference */
	INIT_LIST_HEAD(&vm->node);
	mutex_init(&vm->lock);
	init_waitqueue_head(&vm->lazy_wq);
	spin_lock_init(&vm->lazy_want_lock);
	address_space_init_once(&vm->mapping);
	strscpy(vm->name, name, sizeof(vm->name));
	vm->flags = flags;
	vm->owner = current_euid();
	vm->id = atomic64_inc_return(&hvk_vm_ids);
	hv_managed_init(vm);

	/* First: the VM limit is checked before anything big is made. */
	r = hvk_vm_account_init(vm);
	if (r)
		goto err;
	r = hv_devices_init(vm);
	if (r)
		goto err;
	r = hv_virt_get();
	if (r)
		goto err;
	vm->virt_held = true;
	r = hv_mem_gpt_init(vm);
	if (r)
		goto err;
	r = hv_ops->vm_init(vm);
	if (r)
		goto err;
	return vm;

err:
	hvk_vm_put(vm);
	*err = r;
	return NULL;
}

/*
 * List a new VM under its name and return an fd for it (the list keeps
 * the reference hvk_vm_new gave).  On failure the VM is gone.
 */
int hvk_vm_publish(struct hvk_vm *vm)
{
	int r;

	mutex_lock(&hv_vms_lock);
	if (hvk_vm_find(vm->owner, vm->name)) {
		mutex_unlock(&hv_vms_lock);
		r = -EEXIST;
		goto err;
	}
	list_add_tail(&vm->node, &hv_vms);
	vm->listed = true;
	mutex_unlock(&hv_vms_lock);

	r = hvk_vm_get_fd(vm);
	if (r < 0)
		hvk_vm_unlist(vm, true);	/* drops the last reference */
	else
		hv_event(vm, HV_EVENT_CREATED, 0, 0);
	return r;

err:
	hvk_vm_put(vm);
	return r;
}

int hvk_vm_create(const struct hv_vm_create *args)
{
	struct hvk_vm *vm;
	int r;

	if (!hv_reserved_zero(args->pad) || !hv_reserved_zero(args->reserved))
		return -EINVAL;
	vm = hvk_vm_new(args->name, args->flags, &r);
	if (!vm)
		return r;
	return hvk_vm_publish(vm);
}

int hvk_vm_open(const struct hv_vm_open *args)
{
	kuid_t owner = current_euid();
	struct hvk_vm *vm;
	int r;

	if (strnlen(args->name, HV_NAME_LEN) == HV_NAME_LEN ||
	    (args->flags & ~HV_OPEN_OWNER) ||
	    (!(args->flags & HV_OPEN_OWNER) && args->owner_uid) ||
	    !hv_reserved_zero(args->reserved))
		return -EINVAL;
	if (args->flags & HV_OPEN_OWNER) {
		owner = make_kuid(current_user_ns(), args->owner_uid);
		if (!uid_valid(owner))
			return -EINVAL;
		/* Another user's names: administrators only */
		if (!uid_eq(owner, current_euid()) && !hvk_vm_admin())
			return -EPERM;
	}
	mutex_lock(&hv_vms_lock);
	vm = hvk_vm_find(owner, args->name);
	/* capable() only when it decides: it marks the task as using it */
	if (!vm && !(args->flags & HV_OPEN_OWNER) && hvk_vm_admin())
		vm = hvk_vm_find_any(args->name);
	if (IS_ERR(vm))
		r = PTR_ERR(vm);
	else if (!vm)
		r = -ENOENT;	/* also when another user has one so named */
	else
		r = hvk_vm_get_fd(vm);
	mutex_unlock(&hv_vms_lock);
	return r;
}

static void hvk_vm_fill_info(struct hvk_vm *vm, struct hv_vm_info *info)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	strscpy(info->name, vm->name, sizeof(info->name));
	info->flags = vm->flags;
	info->owner_uid = from_kuid_munged(current_user_ns(), vm->owner);
	mutex_lock(&vm->lock);
	info->nr_vcpus = vm->nr_vcpus;
	info->mem_size = vm->mem_size;
	for (i = 0; i < vm->nr_vcpus; i++)
		info->exits += READ_ONCE(vm->vcpus[i]->exits);
	mutex_unlock(&vm->lock);

	spin_lock(&vm->state_lock);
	info->state = vm->state;
	info->stop_reason = vm->stop_reason;
	info->exit_status = vm->exit_status;
	if (vm->state == HV_VM_STATE_RUNNING || vm->state == HV_VM_STATE_PAUSED)
		info->uptime_ns = ktime_to_ns(ktime_sub(ktime_get(),
							vm->started));
	spin_unlock(&vm->state_lock);
	if (!READ_ONCE(vm->listed))
		info->state = HV_VM_STATE_DESTROYED;
	else if (info->state == HV_VM_STATE_CREATED &&
		 atomic_read(&vm->nr_running))
		info->state = HV_VM_STATE_RUNNING;	/* attached run */
	info->io_unclaimed = atomic64_read(&vm->io_unclaimed);
	info->mmio_unclaimed = atomic64_read(&vm->mmio_unclaimed);
	info->console_bytes = READ_ONCE(vm->console.head);
	info->id = vm->id;
	mutex_lock(&vm->lock);
	info->dirty_epoch = vm->dirty_epoch;
	info->cow_copies = vm->cow_copies;
	for (i = 0; i < vm->nr_regions; i++)
		info->shared_pages += vm->regions[i].nr_cow;
	mutex_unlock(&vm->lock);
}

/*
 * The caller's VMs (every VM for an administrator).  References are
 * taken under hv_vms_lock and the entries filled and copied out after it
 * is dropped: a copy_to_user() may fault for as long as userspace likes
 * (userfaultfd), and must not hold every other user's create and open.
 */
int hvk_vm_list(struct hv_vm_list *list)
{
	struct hv_vm_info __user *out = u64_to_user_ptr(list->entries);
	kuid_t me = current_euid();
	bool admin = hvk_vm_admin();
	struct hv_vm_info info;
	struct hvk_vm **vms = NULL;
	struct hvk_vm *vm;
	u32 n = 0, got = 0, i;
	int r = 0;

	if (!hv_reserved_zero(list->reserved))
		return -EINVAL;
	mutex_lock(&hv_vms_lock);
	list_for_each_entry(vm, &hv_vms, node)
		if (admin || uid_eq(vm->owner, me))
			n++;
	if (n && list->capacity) {
		vms = kvmalloc_array(min(n, list->capacity), sizeof(*vms),
				     GFP_KERNEL_ACCOUNT);
		if (!vms)
			r = -ENOMEM;
	}
	if (vms) {
		list_for_each_entry(vm, &hv_vms, node) {
			if (got == min(n, list->capacity))
				break;
			if (!admin && !uid_eq(vm->owner, me))
				continue;
			kref_get(&vm->ref);
			vms[got++] = vm;
		}
	}
	mutex_unlock(&hv_vms_lock);

	for (i = 0; i < got; i++) {
		if (!r) {
			hvk_vm_fill_info(vms[i], &info);
			/* a variable-length list: one entry at a time */
			if (copy_to_user(&out[i], &info, sizeof(info)))
				r = -EFAULT;
		}
		hvk_vm_put(vms[i]);
	}
	kvfree(vms);
	list->count = n;
	return r;
}

/* ---- the VM fd ---- */

static long hvk_vm_ioctl_add_ram(void *obj, void *data, unsigned long arg)
{
	return hv_mem_add(obj, data);
}

static long hvk_vm_ioctl_create_vcpu(void *obj, void *data, unsigned long arg)
{
	return hvk_vcpu_create(obj, arg);
}

static long hvk_vm_ioctl_open_vcpu(void *obj, void *data, unsigned long arg)
{
	return hvk_vcpu_open(obj, arg);
}

static long hvk_vm_ioctl_destroy(void *obj, void *data, unsigned long arg)
{
	if (arg & ~(unsigned long)HV_DESTROY_FORCE)
		return -EINVAL;
	return hvk_vm_unlist(obj, arg & HV_DESTROY_FORCE);
}

static long hvk_vm_ioctl_start(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_start(obj);
}

static long hvk_vm_ioctl_stop(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_stop(obj, HV_STOP_REQUESTED);
}

static long hvk_vm_ioctl_pause(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_pause(obj);
}

static long hvk_vm_ioctl_resume(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_resume(obj);
}

static long hvk_vm_ioctl_open_console(void *obj, void *data, unsigned long arg)
{
	return hv_console_open(obj, arg);
}

static long hvk_vm_ioctl_open_lazy(void *obj, void *data, unsigned long arg)
{
	return arg ? -EINVAL : hv_lazy_open(obj);
}

static long hvk_vm_ioctl_get_info(void *obj, void *data, unsigned long arg)
{
	hvk_vm_fill_info(obj, data);
	return 0;
}

static long hvk_vm_ioctl_set_dirty_log(void *obj, void *data,
				       unsigned long arg)
{
	return hv_mem_set_dirty_log(obj, data);
}

static long hvk_vm_ioctl_get_dirty_log(void *obj, void *data,
				       unsigned long arg)
{
	return hv_mem_get_dirty_log(obj, data);
}

static long hvk_vm_ioctl_clone(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_clone(obj, data);
}

static long hvk_vm_ioctl_get_ram(void *obj, void *data, unsigned long arg)
{
	hv_mem_get_ram(obj, data);
	return 0;
}

/* API 4: lines and messages from userspace devices (uapi: EINVAL rules) */
static long hvk_vm_ioctl_irq_line(void *obj, void *data, unsigned long arg)
{
	struct hv_irq_line *line = data;

	if (!hv_reserved_zero(line->reserved) || line->level > 1)
		return -EINVAL;
	return hv_gsi_set(obj, line->gsi, line->level);
}

static long hvk_vm_ioctl_signal_msi(void *obj, void *data, unsigned long arg)
{
	struct hv_msi *msi = data;

	/* SDM Vol 3A, 10.11.1: the address is 0xfeexxxxx */
	if (msi->flags || !hv_reserved_zero(msi->reserved) ||
	    (msi->address >> 20) != 0xfee)
		return -EINVAL;
	return hv_apic_msi(obj, msi->address, msi->data);
}

static const struct hv_ioctl_desc hvk_vm_ioctls[] = {
	{ HV_VM_ADD_RAM,	hvk_vm_ioctl_add_ram,		0 },
	{ HV_VM_CREATE_VCPU,	hvk_vm_ioctl_create_vcpu,	0 },
	{ HV_VM_DESTROY,	hvk_vm_ioctl_destroy,		0 },
	{ HV_VM_GET_INFO,	hvk_vm_ioctl_get_info,		0 },
	{ HV_VM_START,		hvk_vm_ioctl_start,		0 },
	{ HV_VM_STOP,		hvk_vm_ioctl_stop,		0 },
	{ HV_VM_PAUSE,		hvk_vm_ioctl_pause,		0 },
	{ HV_VM_RESUME,		hvk_vm_ioctl_resume,		0 },
	{ HV_VM_OPEN_CONSOLE,	hvk_vm_ioctl_open_console,	0 },
	/* hv_lazy.c: vm->lock, briefly */
	{ HV_VM_OPEN_LAZY,	hvk_vm_ioctl_open_lazy,		0 },
	{ HV_VM_SET_DIRTY_LOG,	hvk_vm_ioctl_set_dirty_log,	0 },
	{ HV_VM_GET_DIRTY_LOG,	hvk_vm_ioctl_get_dirty_log,	0 },
	{ HV_VM_CLONE,		hvk_vm_ioctl_clone,		0 },
	{ HV_VM_GET_RAM,	hvk_vm_ioctl_get_ram,		0 },
	{ HV_VM_OPEN_VCPU,	hvk_vm_ioctl_open_vcpu,		0 },
	/* io/platform.c: the devices' spinlocks only (any time, any VM) */
	{ HV_VM_IRQ_LINE,	hvk_vm_ioctl_irq_line,		0 },
	{ HV_VM_SIGNAL_MSI,	hvk_vm_ioctl_signal_msi,	0 },
	/* hv_stats.c: vm->lock, briefly; the runners are never waited for */
	{ HV_VM_GET_STATS,	hvk_vm_ioctl_get_stats,		0 },
	{ HV_VM_GET_DEBUG_STOP,	hvk_vm_ioctl_get_debug_stop,	0 },
	/* state/state.c: mgmt_lock, then the vCPU's run_lock without waiting */
	{ HV_VM_GET_VCPU_STATE,	hvk_vm_ioctl_get_vcpu_state,
	  HV_IOCTL_BY_ID | HV_IOCTL_QUIET | HV_IOCTL_VCPU },
	{ HV_VM_SET_VCPU_STATE,	hvk_vm_ioctl_set_vcpu_state,
	  HV_IOCTL_BY_ID | HV_IOCTL_QUIET | HV_IOCTL_VCPU },
	{ HV_VM_GET_DEVICE_STATE, hvk_vm_ioctl_get_device_state, HV_IOCTL_QUIET },
	{ HV_VM_SET_DEVICE_STATE, hvk_vm_ioctl_set_device_state, HV_IOCTL_QUIET },
};

static long hvk_vm_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	return hv_ioctl_dispatch(hvk_vm_ioctls, ARRAY_SIZE(hvk_vm_ioctls),
				 file->private_data, cmd, arg);
}

static vm_fault_t hvk_vm_fault(struct vm_fault *vmf)
{
	struct hvk_vm *vm = vmf->vma->vm_file->private_data;
	struct page *page;

	/* Locked until the PTE is in: see hv_mem_fault_page() */
	page = hv_mem_fault_page(vm, (u64)vmf->pgoff << PAGE_SHIFT);
	if (!page)
		return VM_FAULT_SIGBUS;
	vmf->page = page;
	return VM_FAULT_LOCKED;
}

/*
 * With page_mkwrite, shared writable mappings are installed read-only
 * (vma_wants_writenotify) and every first write comes here: it copies a
 * page shared with a clone, and logs the write when dirty logging is on.
 */
static vm_fault_t hvk_vm_page_mkwrite(struct vm_fault *vmf)
{
	struct hvk_vm *vm = vmf->vma->vm_file->private_data;

	return hv_mem_user_write(vm, (u64)vmf->pgoff << PAGE_SHIFT,
				 vmf->page);
}

static const struct vm_operations_struct hvk_vm_vm_ops = {
	.fault = hvk_vm_fault,
	.page_mkwrite = hvk_vm_page_mkwrite,
};

/* Guest RAM at file offset = GPA; the range must lie inside one region. */
static int hvk_vm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvk_vm *vm = file->private_data;
	u64 gpa = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	unsigned int i;
	int r = -EINVAL;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_regions; i++) {
		struct hv_region *rg = &vm->regions[i];

		if (gpa >= rg->gpa && len <= rg->size &&
		    gpa - rg->gpa <= rg->size - len) {
			r = 0;
			break;
		}
	}
	mutex_unlock(&vm->lock);
	if (r)
		return r;
	vma->vm_flags |= VM_DONTEXPAND;
	vma->vm_ops = &hvk_vm_vm_ops;
	return 0;
}

static int hvk_vm_file_release(struct inode *inode, struct file *file)
{
	struct hvk_vm *vm = file->private_data;

	if (atomic_dec_and_test(&vm->nr_files) &&
	    (vm->flags & HV_VM_DESTROY_ON_CLOSE))
		hvk_vm_unlist(vm, true);
	hvk_vm_put(vm);
	return 0;
}

static const struct file_operations hvk_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= hvk_vm_file_release,
	.unlocked_ioctl	= hvk_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hvk_vm_mmap,
	.llseek		= noop_llseek,
};

/* Unload: the module reference each VM holds means none is left. */
void hvk_vm_exit(void)
{
	WARN_ON(!list_empty(&hv_vms));
}
