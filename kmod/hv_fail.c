// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation-failure injection for the tests.  Debian's kernel has no
 * CONFIG_FAULT_INJECTION, so hv has its own, deterministic one:
 *
 *   echo N > /sys/kernel/debug/hv/fail_nth
 *
 * makes the Nth allocation of guest memory or NPT/EPT tables from now
 * fail, and every one after it, until 0 is written (so that an error
 * path that allocates again fails as well, as it would under real
 * memory pressure).  Reading gives "N seen": the armed value and the
 * allocations counted since.  Only root may write (debugfs, mode 0600);
 * the knob is global, for a test that runs alone.
 *
 * Covered: hv_gpt_alloc_table (every NPT/EPT table), guest RAM regions
 * (hv_region_alloc: arrays, then each page), copy-on-write copies,
 * clone arrays, the ioctl boundary's buffer for an argument larger
 * than its stack space (hv_ioctl_dispatch), and HV_VM_GET_STATS's buffer.
 */
#include "hv.h"

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/uaccess.h>

static atomic_long_t hv_fail_nth;	/* 0: off */
static atomic_long_t hv_fail_seen;	/* allocations since armed */
static struct dentry *hv_debugfs;

bool hv_fail_alloc(void)
{
	long n = atomic_long_read(&hv_fail_nth);

	if (likely(!n))
		return false;
	return atomic_long_inc_return(&hv_fail_seen) >= n;
}

static ssize_t hv_fail_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *pos)
{
	long n;
	int r;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	r = kstrtol_from_user(buf, len, 0, &n);
	if (r)
		return r;
	if (n < 0)
		return -EINVAL;
	atomic_long_set(&hv_fail_nth, 0);
	atomic_long_set(&hv_fail_seen, 0);
	atomic_long_set(&hv_fail_nth, n);
	return len;
}

static ssize_t hv_fail_read(struct file *file, char __user *buf, size_t len,
			    loff_t *pos)
{
	char tmp[48];
	int n = scnprintf(tmp, sizeof(tmp), "%ld %ld\n",
			  atomic_long_read(&hv_fail_nth),
			  atomic_long_read(&hv_fail_seen));

	return simple_read_from_buffer(buf, len, pos, tmp, n);
}

static const struct file_operations hv_fail_fops = {
	.owner = THIS_MODULE,
	.read = hv_fail_read,
	.write = hv_fail_write,
	.llseek = default_llseek,
};

/* No debugfs is no error: the tests that need it say so. */
int hv_fail_init(void)
{
	hv_debugfs = debugfs_create_dir("hv", NULL);
	debugfs_create_file("fail_nth", 0600, hv_debugfs, NULL, &hv_fail_fops);
	return 0;
}

void hv_fail_exit(void)
{
	debugfs_remove_recursive(hv_debugfs);
	hv_debugfs = NULL;
}
