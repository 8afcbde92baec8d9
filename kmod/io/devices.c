// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel devices of a managed VM, and its console.
 *
 *   0x3f8-0x3ff  16550A UART (io/uart.c): output to the console ring,
 *                input from the console fd
 *   0xf4         debug exit, QEMU's isa-debug-exit convention: writing v
 *                stops the VM with exit status (v << 1) | 1
 *   0x8900       Bochs/QEMU shutdown port: the string "Shutdown" powers off
 *   0xb004       Bochs' ACPI PM1a control: SLP_EN (bit 13) with
 *                SLP_TYP 0 powers off
 *
 * Anything else reads as all-ones and drops writes, like an empty ISA bus,
 * and is counted (hv_vm_info.io_unclaimed).  Only managed mode uses this:
 * in attached mode the program that runs the vCPU owns every port.
 *
 * The UART's interrupt output is ISA IRQ 4 (hv_isa_irq), driven with
 * dev.lock held: dev.lock -> the PIC's and IOAPIC's locks.  Every VM
 * also has the PC platform (io/platform.c), made and freed here; its
 * ports are claimed before any of these (hv_pio.c), among them the ACPI
 * PM1 block at 0x600 (QEMU's PIIX4 PM1a_CNT 0x604 too) and the reset
 * ports 0xcf9 and 0x64 (io/pm.c), in attached mode as well.
 */
#include "hv.h"
#include "io/platform.h"

#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define HV_PORT_DEBUG_EXIT	0xf4
#define HV_PORT_SHUTDOWN	0x8900
#define HV_PORT_BOCHS_PM1A_CNT	0xb004
#define HV_ACPI_SLP_EN		(1U << 13)	/* ACPI 6.4, 4.8.3.2.1 */
#define HV_ACPI_SLP_TYP		(7U << 10)

static const char hv_shutdown_str[] = "Shutdown";

/* The UART's transmitter: into the console ring, waking readers. */
static void hv_console_put(void *opaque, u8 byte)
{
	struct hvk_vm *vm = opaque;
	struct hv_console *c = &vm->console;

	/* console.lock nests inside dev.lock (docs/locking.md) */
	lockdep_assert_held(&vm->dev.lock);
	spin_lock(&c->lock);
	c->ring[c->head % HV_CONSOLE_SIZE] = byte;
	c->head++;
	spin_unlock(&c->lock);
	wake_up_interruptible(&c->wq);
}

/* The UART's INTR: COM1 is ISA IRQ 4 */
static void hv_uart_irq(void *opaque, bool level)
{
	struct hvk_vm *vm = opaque;

	lockdep_assert_held(&vm->dev.lock);
	hv_isa_irq(vm, 4, level);
}

int hv_devices_init(struct hvk_vm *vm)
{
	int r;

	r = hv_platform_create(vm);
	if (r)
		return r;
	spin_lock_init(&vm->dev.lock);
	hv_uart_init(&vm->dev.uart, hv_console_put, vm);
	hv_uart_set_irq(&vm->dev.uart, hv_uart_irq);
	spin_lock_init(&vm->console.lock);
	init_waitqueue_head(&vm->console.wq);
	vm->console.ring = __vmalloc(HV_CONSOLE_SIZE,
				     GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	return vm->console.ring ? 0 : -ENOMEM;
}

void hv_devices_free(struct hvk_vm *vm)
{
	hv_platform_free(vm);
	vfree(vm->console.ring);
	vm->console.ring = NULL;
}

static void hv_shutdown_port(struct hvk_vm *vm, u8 c)
{
	struct hv_devices *d = &vm->dev;

	lockdep_assert_held(&d->lock);
	/* Bochs' BIOS convention: the characters one by one */
	if (c == hv_shutdown_str[d->shutdown_match])
		d->shutdown_match++;
	else
		d->shutdown_match = c == hv_shutdown_str[0];
	if (d->shutdown_match == sizeof(hv_shutdown_str) - 1) {
		d->shutdown_match = 0;
		hvk_vm_request_stop(vm, HV_STOP_POWER_OFF, 0);
	}
}

void hv_devices_get_state(struct hvk_vm *vm, struct hv_device_state *st)
{
	memset(st, 0, sizeof(*st));
	spin_lock(&vm->dev.lock);
	hv_uart_get_state(&vm->dev.uart, &st->uart);
	st->shutdown_match = vm->dev.shutdown_match;
	spin_unlock(&vm->dev.lock);
}

int hv_devices_set_state(struct hvk_vm *vm, const struct hv_device_state *st)
{
	/* A full match powers off at once: at most one short of it */
	if (st->flags || st->shutdown_match >= sizeof(hv_shutdown_str) - 1 ||
	    hv_uart_check_state(&st->uart) || !hv_reserved_zero(st->reserved))
		return -EINVAL;
	spin_lock(&vm->dev.lock);
	hv_uart_set_state(&vm->dev.uart, &st->uart);
	vm->dev.shutdown_match = st->shutdown_match;
	spin_unlock(&vm->dev.lock);
	return 0;
}

/* Answer one IN or OUT; for an IN, run->io.data gets the value. */
void hv_devices_pio(struct hvk_vcpu *vcpu, struct hv_run *run)
{
	struct hvk_vm *vm = vcpu->vm;
	u16 port = run->io.port;
	u32 val = run->io.data;
	bool in = run->io.direction == HV_IO_IN;

	lockdep_assert_held(&vcpu->run_lock);	/* @run is the runner's */
	if (port >= HV_UART_BASE && port < HV_UART_BASE + HV_UART_PORTS) {
		/* Byte registers: a wider access touches the first only */
		spin_lock(&vm->dev.lock);
		if (in)
			run->io.data = 0xffffff00 |
				       hv_uart_read(&vm->dev.uart,
						    port - HV_UART_BASE);
		else
			hv_uart_write(&vm->dev.uart, port - HV_UART_BASE, val);
		spin_unlock(&vm->dev.lock);
		return;
	}
	if (!in) {
		switch (port) {
		case HV_PORT_DEBUG_EXIT:
			hvk_vm_request_stop(vm, HV_STOP_DEBUG_EXIT,
					   ((val & 0xff) << 1) | 1);
			return;
		case HV_PORT_SHUTDOWN:
			spin_lock(&vm->dev.lock);
			hv_shutdown_port(vm, val);
			spin_unlock(&vm->dev.lock);
			return;
		case HV_PORT_BOCHS_PM1A_CNT:
			if (run->io.size >= 2 && (val & HV_ACPI_SLP_EN) &&
			    !(val & HV_ACPI_SLP_TYP)) {
				hvk_vm_request_stop(vm, HV_STOP_POWER_OFF, 0);
				return;
			}
			break;
		}
	}
	atomic64_inc(&vm->io_unclaimed);
	if (in)
		run->io.data = ~0ULL;
}

/* ---- the console fd ---- */

struct hv_console_file {
	struct hvk_vm *vm;
	u64 pos;		/* next byte this reader gets */
};

static ssize_t hv_console_read(struct file *file, char __user *buf,
			       size_t len, loff_t *off)
{
	struct hv_console_file *cf = file->private_data;
	struct hv_console *c = &cf->vm->console;
	u8 *tmp;
	size_t n = 0, i;
	int r;

	if (!len)
		return 0;
	for (;;) {
		spin_lock(&c->lock);
		/* Fell behind: skip to the oldest byte still kept */
		if (c->head - cf->pos > HV_CONSOLE_SIZE)
			cf->pos = c->head - HV_CONSOLE_SIZE;
		n = min_t(u64, len, c->head - cf->pos);
		spin_unlock(&c->lock);
		if (n)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		r = wait_event_interruptible(c->wq,
					     READ_ONCE(c->head) != cf->pos);
		if (r)
			return r;
	}

	n = min_t(size_t, n, PAGE_SIZE);
	tmp = kmalloc(n, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock(&c->lock);
	if (c->head - cf->pos > HV_CONSOLE_SIZE)
		cf->pos = c->head - HV_CONSOLE_SIZE;
	n = min_t(u64, n, c->head - cf->pos);
	for (i = 0; i < n; i++)
		tmp[i] = c->ring[(cf->pos + i) % HV_CONSOLE_SIZE];
	spin_unlock(&c->lock);

	/* bulk data: console output streams to read(2)'s buffer */
	if (copy_to_user(buf, tmp, n)) {
		kfree(tmp);
		return -EFAULT;
	}
	kfree(tmp);
	cf->pos += n;
	return n;
}

/* Input for the guest's UART; short if its buffer is full. */
static ssize_t hv_console_write(struct file *file, const char __user *buf,
				size_t len, loff_t *off)
{
	struct hv_console_file *cf = file->private_data;
	struct hvk_vm *vm = cf->vm;
	u8 tmp[256];
	size_t n, i, done = 0;

	while (done < len) {
		n = min(len - done, sizeof(tmp));
		/* bulk data: console input streams from write(2)'s buffer */
		if (copy_from_user(tmp, buf + done, n))
			return done ? done : -EFAULT;
		spin_lock(&vm->dev.lock);
		for (i = 0; i < n; i++)
			if (!hv_uart_receive(&vm->dev.uart, tmp[i]))
				break;
		spin_unlock(&vm->dev.lock);
		done += i;
		if (i < n)
			break;
	}
	if (!done && len)
		return -EAGAIN;
	return done;
}

static __poll_t hv_console_poll(struct file *file, poll_table *wait)
{
	struct hv_console_file *cf = file->private_data;
	struct hv_console *c = &cf->vm->console;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &c->wq, wait);
	if (READ_ONCE(c->head) != cf->pos)
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static int hv_console_release(struct inode *inode, struct file *file)
{
	struct hv_console_file *cf = file->private_data;

	hvk_vm_put(cf->vm);
	kfree(cf);
	return 0;
}

static const struct file_operations hv_console_fops = {
	.owner		= THIS_MODULE,
	.read		= hv_console_read,
	.write		= hv_console_write,
	.poll		= hv_console_poll,
	.release	= hv_console_release,
	.llseek		= noop_llseek,
};

int hv_console_open(struct hvk_vm *vm, unsigned long flags)
{
	struct hv_console_file *cf;
	int fd;

	if (flags & ~(unsigned long)O_NONBLOCK)
		return -EINVAL;
	cf = kzalloc(sizeof(*cf), GFP_KERNEL_ACCOUNT);
	if (!cf)
		return -ENOMEM;
	cf->vm = vm;
	spin_lock(&vm->console.lock);
	cf->pos = vm->console.head > HV_CONSOLE_SIZE ?
		  vm->console.head - HV_CONSOLE_SIZE : 0;
	spin_unlock(&vm->console.lock);
	kref_get(&vm->ref);
	fd = anon_inode_getfd("hv-console", &hv_console_fops, cf,
			      O_RDWR | O_CLOEXEC | flags);
	if (fd < 0) {
		hvk_vm_put(vm);
		kfree(cf);
	}
	return fd;
}
