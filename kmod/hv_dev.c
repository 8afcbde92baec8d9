// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hv: the system-level ioctls (version, capabilities, VMs by name),
 * and the table-driven ioctl dispatch that every hv fd uses.
 */
#include "hv.h"

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

/*
 * One open /dev/hv.
 * @lock	guards @holds_virt.
 * @holds_virt	this file holds a reference from HV_DEBUG_HOLD_VIRT,
 *		dropped by HV_DEBUG_RELEASE_VIRT or on close.
 */
struct hv_dev_file {
	struct mutex lock;
	bool holds_virt;
};

static long hv_ioctl_api_version(void *obj, void *data, unsigned long arg)
{
	return HV_API_VERSION;
}

static long hv_ioctl_get_caps(void *obj, void *data, unsigned long arg)
{
	memcpy(data, &hv_host_caps, sizeof(hv_host_caps));
	return 0;
}

static long hv_ioctl_get_status(void *obj, void *data, unsigned long arg)
{
	hv_virt_status(data);
	return 0;
}

static long hv_ioctl_hold_virt(void *obj, void *data, unsigned long arg)
{
	struct hv_dev_file *f = obj;
	long r;

	mutex_lock(&f->lock);
	if (f->holds_virt) {
		r = -EALREADY;
	} else {
		r = hv_virt_get();
		f->holds_virt = !r;
	}
	mutex_unlock(&f->lock);
	return r;
}

static long hv_ioctl_release_virt(void *obj, void *data,
				  unsigned long arg)
{
	struct hv_dev_file *f = obj;
	long r = 0;

	mutex_lock(&f->lock);
	if (f->holds_virt) {
		hv_virt_put();
		f->holds_virt = false;
	} else {
		r = -EINVAL;
	}
	mutex_unlock(&f->lock);
	return r;
}

static long hv_ioctl_create_vm(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_create(data);
}

static long hv_ioctl_open_vm(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_open(data);
}

static long hv_ioctl_list_vms(void *obj, void *data, unsigned long arg)
{
	return hvk_vm_list(data);
}

static long hv_ioctl_get_usage(void *obj, void *data, unsigned long arg)
{
	hv_user_usage(data);
	return 0;
}

/* No flags but ADMIN: the handlers take f->lock for per-file state. */
static const struct hv_ioctl_desc hv_dev_ioctls[] = {
	{ HV_GET_API_VERSION,	 hv_ioctl_api_version,	0 },
	{ HV_GET_CAPS,		 hv_ioctl_get_caps,	0 },
	{ HV_GET_STATUS,	 hv_ioctl_get_status,	0 },
	{ HV_GET_USAGE,		 hv_ioctl_get_usage,	0 },
	{ HV_CREATE_VM,		 hv_ioctl_create_vm,	0 },
	{ HV_OPEN_VM,		 hv_ioctl_open_vm,	0 },
	{ HV_LIST_VMS,		 hv_ioctl_list_vms,	0 },
	{ HV_GET_STATS_DESC,	 hv_ioctl_get_stats_desc, 0 },
	{ HV_DEBUG_HOLD_VIRT,	 hv_ioctl_hold_virt,	HV_IOCTL_ADMIN },
	{ HV_DEBUG_RELEASE_VIRT, hv_ioctl_release_virt,	HV_IOCTL_ADMIN },
};

/*
 * The table entry for @cmd: ENOTTY for a number we do not have, EINVAL
 * for one of ours with the wrong size or direction, EPERM for an
 * administrator's ioctl called by someone else.  These answers never
 * depend on the object's state, so callers look up before they lock.
 */
const struct hv_ioctl_desc *hv_ioctl_lookup(const struct hv_ioctl_desc *table,
					    size_t n, unsigned int cmd)
{
	size_t i;

	if (_IOC_TYPE(cmd) != HV_IOCTL_MAGIC)
		return ERR_PTR(-ENOTTY);
	for (i = 0; i < n; i++) {
		if (_IOC_NR(table[i].cmd) != _IOC_NR(cmd))
			continue;
		if (table[i].cmd != cmd)
			return ERR_PTR(-EINVAL);
		if ((table[i].flags & HV_IOCTL_ADMIN) &&
		    !capable(CAP_SYS_ADMIN))
			return ERR_PTR(-EPERM);
		return &table[i];
	}
	return ERR_PTR(-ENOTTY);
}

/* Arguments up to this size live on the stack (FreeBSD's sys_ioctl: 128) */
#define HV_IOCTL_STACK		128

/*
 * What the flags ask for around the handler, after the argument is in:
 * the vCPU it names (ENOENT), the VM quiet, that vCPU quiet (EBUSY).
 * Which vCPU must be known before the VM is made quiet, so that a bad
 * id is ENOENT whatever the VM is doing.
 */
static long hv_ioctl_call(const struct hv_ioctl_desc *d, void *obj,
			  void *data, unsigned long arg)
{
	struct hvk_vcpu *vcpu = NULL;
	long r;

	if (d->flags & HV_IOCTL_BY_ID) {
		vcpu = hvk_vcpu_by_id(obj, *(u32 *)data);
		if (!vcpu)
			return -ENOENT;
	}
	if (d->flags & HV_IOCTL_QUIET) {
		r = hvk_vm_quiet_begin(obj);
		if (r)
			return r;
	}
	if (vcpu && (d->flags & HV_IOCTL_VCPU)) {
		r = hvk_vcpu_quiet_begin(vcpu);
		if (r)
			goto vm;
	}
	r = d->fn(vcpu ?: obj, data, arg);
	if (vcpu && (d->flags & HV_IOCTL_VCPU))
		hvk_vcpu_quiet_end(vcpu);
vm:
	if (d->flags & HV_IOCTL_QUIET)
		hvk_vm_quiet_end(obj);
	return r;
}

/*
 * The ioctl boundary (hv.h): look up, claim a vCPU fd's vCPU, copy in,
 * call under the table's locks, release, copy out.  The vCPU fd's own
 * vCPU is claimed before its argument is read, so a busy vCPU is EBUSY
 * whatever the argument.  Nothing is held across the copy back.
 */
long hv_ioctl_dispatch(const struct hv_ioctl_desc *table, size_t n,
		       void *obj, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u64 small[HV_IOCTL_STACK / sizeof(u64)];
	const struct hv_ioctl_desc *d;
	size_t size = _IOC_SIZE(cmd);
	struct hvk_vcpu *own = NULL;
	void *data = NULL;
	long r;

	/* A malformed call gets its error whether or not anything runs */
	d = hv_ioctl_lookup(table, n, cmd);
	if (IS_ERR(d))
		return PTR_ERR(d);
	if ((d->flags & (HV_IOCTL_VCPU | HV_IOCTL_BY_ID)) == HV_IOCTL_VCPU) {
		own = obj;
		r = hvk_vcpu_quiet_begin(own);
		if (r)
			return r;
	}
	if (_IOC_DIR(cmd) != _IOC_NONE) {
		if (size <= sizeof(small))
			data = small;
		else if (!hv_fail_alloc())
			data = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		r = -ENOMEM;
		if (!data)
			goto unlock;
		r = -EFAULT;
		/* the ioctl boundary: the argument in, _IOC_SIZE bytes */
		if (!(_IOC_DIR(cmd) & _IOC_WRITE))
			memset(data, 0, size);
		else if (copy_from_user(data, uarg, size))
			goto unlock;
	}
	r = hv_ioctl_call(d, obj, data, arg);
unlock:
	if (own)
		hvk_vcpu_quiet_end(own);
	/* the ioctl boundary: the result out, on success only */
	if (r >= 0 && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, data, size))
		r = -EFAULT;
	if (data != small)
		kvfree(data);
	return r;
}

static long hv_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	return hv_ioctl_dispatch(hv_dev_ioctls, ARRAY_SIZE(hv_dev_ioctls),
				 file->private_data, cmd, arg);
}

static int hv_dev_open(struct inode *inode, struct file *file)
{
	struct hv_dev_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int hv_dev_release(struct inode *inode, struct file *file)
{
	struct hv_dev_file *f = file->private_data;

	if (f->holds_virt)
		hv_virt_put();
	kfree(f);
	return 0;
}

static const struct file_operations hv_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= hv_dev_open,
	.release	= hv_dev_release,
	.unlocked_ioctl	= hv_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/* Group access comes from the shipped udev rule (udev/60-hv.rules). */
static struct miscdevice hv_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hv",
	.fops	= &hv_dev_fops,
	.mode	= 0660,
};

int hv_dev_init(void)
{
	return misc_register(&hv_miscdev);
}

void hv_dev_exit(void)
{
	misc_deregister(&hv_miscdev);
}
