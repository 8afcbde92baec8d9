// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hv: the system-level ioctls.
 *
 * ioctls are looked up in a table by number.  A command whose number we
 * know but whose size or direction bits differ from ours gets -EINVAL
 * (an old or mismatched header); an unknown number gets -ENOTTY.
 */
#include "hv.h"

#include <linux/capability.h>
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

static long hv_ioctl_api_version(struct hv_dev_file *f, void __user *arg)
{
	return HV_API_VERSION;
}

static long hv_ioctl_get_caps(struct hv_dev_file *f, void __user *arg)
{
	if (copy_to_user(arg, &hv_caps, sizeof(hv_caps)))
		return -EFAULT;
	return 0;
}

static long hv_ioctl_get_status(struct hv_dev_file *f, void __user *arg)
{
	struct hv_status st;

	hv_virt_status(&st);
	if (copy_to_user(arg, &st, sizeof(st)))
		return -EFAULT;
	return 0;
}

static long hv_ioctl_hold_virt(struct hv_dev_file *f, void __user *arg)
{
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

static long hv_ioctl_release_virt(struct hv_dev_file *f, void __user *arg)
{
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

struct hv_ioctl_desc {
	unsigned int cmd;
	long (*fn)(struct hv_dev_file *f, void __user *arg);
	bool admin;		/* needs CAP_SYS_ADMIN */
};

/* Locking is each handler's own: f->lock for per-file state. */
static const struct hv_ioctl_desc hv_dev_ioctls[] = {
	{ HV_GET_API_VERSION,	 hv_ioctl_api_version,	false },
	{ HV_GET_CAPS,		 hv_ioctl_get_caps,	false },
	{ HV_GET_STATUS,	 hv_ioctl_get_status,	false },
	{ HV_DEBUG_HOLD_VIRT,	 hv_ioctl_hold_virt,	true },
	{ HV_DEBUG_RELEASE_VIRT, hv_ioctl_release_virt,	true },
};

static long hv_dev_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	const struct hv_ioctl_desc *d;
	size_t i;

	if (_IOC_TYPE(cmd) != HV_IOCTL_MAGIC)
		return -ENOTTY;
	for (i = 0; i < ARRAY_SIZE(hv_dev_ioctls); i++) {
		d = &hv_dev_ioctls[i];
		if (_IOC_NR(d->cmd) != _IOC_NR(cmd))
			continue;
		if (d->cmd != cmd)
			return -EINVAL;
		if (d->admin && !capable(CAP_SYS_ADMIN))
			return -EPERM;
		return d->fn(file->private_data, (void __user *)arg);
	}
	return -ENOTTY;
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
