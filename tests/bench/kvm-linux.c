// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-linux: boot the same Linux on KVM (a minimal loader of our own)
 * and on hv, and time both to the guest's /init (make bench).
 *
 *   kvm-linux [options] boot     one boot, console on stdout, exit counts
 *   kvm-linux [options] bench    interleaved hv, KVM, hv, KVM... samples
 *
 *   -k FILE    the kernel (bzImage), default /hvtest/linux/vmlinuz
 *   -i FILE    the initramfs, default /hvtest/linux/guest.cpio.gz
 *   -a STR     the command line; " hvl.cpus=N" is appended
 *   -m MIB     guest RAM (default 256)
 *   -c LIST    vCPU counts, e.g. 1,2 (default 1,2; boot: the first)
 *   -r N       rounds (default 3) after -w N warm-up rounds (default 1)
 *   -t SEC     limit of one boot (default 120)
 *   -M STR     the marker line (default HVLINUX-UP)
 *   -s SIDE    boot: kvm (default) or hv
 *   -P         hide KVM's paravirtual CPUID leaves 0x40000000.. (kvmclock
 *              and friends), so that the guest sees what it sees on hv
 *   -T RATIO   target of hv/KVM (default 1.00)
 *   -H N       bench: boot hv only with at most N vCPUs (hv=skipped above)
 *   -v         bench: the guests' consoles on stdout too
 *
 * Runs inside the emulated machines only (tests/bench/cases-bench.sh),
 * with hv.ko and the vendor's KVM modules loaded; never on a host.
 *
 * KVM side: KVM_CREATE_VM, KVM_CREATE_IRQCHIP (with QEMU's GSI routing:
 * GSI 0 to IOAPIC pin 2, as the ACPI override IRQ0 -> GSI2 says),
 * KVM_CREATE_PIT2, RAM from GPA 0 with KVM_SET_USER_MEMORY_REGION, one
 * thread per vCPU with KVM_SET_CPUID2 from KVM_GET_SUPPORTED_CPUID (APIC
 * IDs patched per vCPU, the hypervisor bit set as every KVM VMM does, so
 * that the guest finds KVM's leaves and uses kvmclock; -P hides them), the boot laid out by libhv's hv_linux_layout()
 * (the same code and tables as hv's), the boot CPU at the 64-bit entry of
 * boot.rst, the others left to KVM's INIT/SIPI (MP_STATE_UNINITIALIZED).
 * Userspace emulates a 16550 at 0x3f8 (IRQ 4 by KVM_IRQ_LINE), the ACPI
 * PM1 block and PM timer at 0x600-0x60b (SLP_EN with SLP_TYP 0 powers
 * off), the reset register 0xcf9 and 0x64 (0xfe), and the CMOS clock at
 * 0x70/0x71; anything else reads as all ones.  Exits are counted by
 * reason and port range in userspace, and in the kernel by KVM's own
 * statistics (KVM_GET_STATS_FD).
 *
 * hv side: hv_boot_linux() into a fresh managed VM, HV_VM_START, the
 * console fd read until the marker; hv's exit count is HV_VM_GET_INFO's,
 * and its exits by reason hv's statistics (API 6: hv_vm_stats(), every
 * non-zero counter as h_NAME, dots as underscores: h_exit_io,
 * h_exit_ns_io, h_irq_injected...).  KVM in Linux 6.1 has no counter per
 * exit reason (that is its kvm_exit tracepoint's job): its statistics
 * give the exits by kind where it keeps them - io_exits, mmio_exits,
 * halt_exits, irq_exits, irq_window_exits, nmi_window_exits,
 * signal_exits, request_irq_exits, hypercalls, insn_emulation - and the
 * total (k_exits); userspace's own counts add the I/O by device.
 *
 * The time of a boot runs from the first KVM_RUN (HV_VM_START) to the
 * moment the marker line has come out of the guest's UART.  Until
 * hv_linux_layout() exists (it returns -ENOSYS), the KVM side lays the
 * boot out itself (bzImage only, an MP table instead of ACPI) and says so.
 *
 * Output of bench: one line per sample, then per vCPU count
 *
 *   BENCH amd linux_init_ms_1vcpu hv=812.0 kvm=903.1 ratio=0.899
 *         ratio_q1=0.85 ratio_q3=0.93 target=1.00 meets=yes
 *   LINUXEXITS amd 1vcpu kvm io_uart=... mmio=... k_exits=... ...
 *   LINUXEXITS amd 1vcpu hv exits=... io_unclaimed=...
 *
 * (one line each; exits of the last round).  Timing never fails the run;
 * the exit status is 1 when a side failed to boot (say why on stderr and
 * in $HVTEST_WHY).  hv=unsupported: libhv cannot boot Linux yet (ENOSYS)
 * or hv cannot create a VM on this CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libhv.h"

#define MAX_CPUS	8
#define END_WAIT_S	20	/* boot: after the marker, until poweroff */
#define KVM_TSS_ADDR	0xfffbd000UL	/* Intel needs both; harmless on AMD */
#define KVM_IDMAP_ADDR	0xfffbc000UL

static const char *kernel_path = "/hvtest/linux/vmlinuz";
static const char *initrd_path = "/hvtest/linux/guest.cpio.gz";
static const char *cmdline_base = "console=ttyS0 panic=-1 quiet hvl.nocheck=1";
static const char *marker = "HVLINUX-UP";
static uint64_t ram_mib = 256;
static double limit_s = 120;
static bool hide_pv, verbose;
static unsigned int hv_max_cpus = MAX_CPUS;
static int failures;
static const char *vendor = "unknown";

static void *kernel_img, *initrd_img;
static size_t kernel_len, initrd_len;

static void note_failure(const char *fmt, ...)
{
	const char *path = getenv("HVTEST_WHY");
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "kvm-linux: FAIL: %s\n", msg);
	if (failures++ == 0 && path && *path) {
		FILE *f = fopen(path, "a");

		if (f && fseek(f, 0, SEEK_END) == 0 && ftell(f) == 0)
			fprintf(f, "%s\n", msg);
		if (f)
			fclose(f);
	}
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int read_file(const char *path, void **buf, size_t *len)
{
	struct stat st;
	ssize_t got;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		fprintf(stderr, "kvm-linux: %s: %s\n", path, strerror(e));
		return -e;
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size &&
	       (got = read(fd, (char *)*buf + off, st.st_size - off)) > 0)
		off += got;
	close(fd);
	*len = off;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The console: the marker line, and the tail for a failure. */

struct console {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool echo;
	char line[512];
	size_t n;
	bool seen;		/* the marker came */
	double t_seen;		/* now_ms() then */
	char found[512];	/* its line */
	char tail[4096];	/* the last bytes, a ring */
	size_t tail_pos;
	uint64_t bytes;
};

static void console_init(struct console *c, bool echo)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->echo = echo;
}

/* Feed guest output; the caller holds c->lock. */
static void console_feed_locked(struct console *c, const char *buf, size_t len)
{
	size_t i;

	if (c->echo) {
		fwrite(buf, 1, len, stdout);
		if (memchr(buf, '\n', len))
			fflush(stdout);
	}
	for (i = 0; i < len; i++) {
		char ch = buf[i];

		c->bytes++;
		c->tail[c->tail_pos++ % sizeof(c->tail)] = ch;
		if (ch == '\r')
			continue;
		if (ch != '\n') {
			if (c->n < sizeof(c->line) - 1)
				c->line[c->n++] = ch;
			continue;
		}
		c->line[c->n] = 0;
		if (!c->seen && strstr(c->line, marker)) {
			c->seen = true;
			c->t_seen = now_ms();
			snprintf(c->found, sizeof(c->found), "%s", c->line);
			pthread_cond_broadcast(&c->cond);
		}
		c->n = 0;
	}
}

static void console_dump_tail(struct console *c, const char *who)
{
	size_t n = c->tail_pos < sizeof(c->tail) ? c->tail_pos : sizeof(c->tail);
	size_t start = c->tail_pos - n, i;

	fprintf(stderr, "kvm-linux: %s: the console's last %zu bytes:\n", who, n);
	for (i = 0; i < n; i++)
		fputc(c->tail[(start + i) % sizeof(c->tail)], stderr);
	fputc('\n', stderr);
}

/* "cpus=N" and "up=S" of the marker line, if it has them. */
static void marker_fields(const char *line, unsigned int *cpus, double *up)
{
	const char *p;

	*cpus = 0;
	*up = -1;
	p = strstr(line, "cpus=");
	if (p)
		*cpus = strtoul(p + 5, NULL, 10);
	p = strstr(line, "up=");
	if (p)
		*up = strtod(p + 3, NULL);
}

/* ------------------------------------------------------------------ */
/*
 * The boot layout: libhv's hv_linux_layout(), or until it exists a
 * minimal one of our own (bzImage only; MP table, no ACPI).
 */

static bool own_layout_noted;

static uint8_t mp_checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return (uint8_t)-s;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* MultiProcessor Specification 1.4, chapter 4: floating pointer at 0xf0000. */
static void own_mptable(uint8_t *ram, unsigned int cpus)
{
	uint8_t *fp = ram + 0xf0000, *t = ram + 0xf0010, *e = t + 44;
	unsigned int i, n = 0;

	memset(fp, 0, 0x1000);
	for (i = 0; i < cpus; i++, e += 20, n++) {	/* 4.3.1 processor */
		e[0] = 0;
		e[1] = i;			/* local APIC ID */
		e[2] = 0x14;			/* its version */
		e[3] = 1 | (i == 0 ? 2 : 0);	/* EN, BP */
		put32(e + 4, 0x600);
		put32(e + 8, 0x201);		/* FPU, APIC */
	}
	e[0] = 1; e[1] = 0; memcpy(e + 2, "ISA   ", 6); e += 8; n++;	/* 4.3.2 */
	e[0] = 2; e[1] = cpus; e[2] = 0x11; e[3] = 1;			/* 4.3.3 */
	put32(e + 4, 0xfec00000); e += 8; n++;
	for (i = 0; i < 16; i++) {		/* 4.3.4: ISA IRQ i, IRQ0 -> pin 2 */
		if (i == 2)
			continue;
		e[0] = 3; e[1] = 0; put16(e + 2, 0); e[4] = 0; e[5] = i;
		e[6] = cpus; e[7] = i ? i : 2;
		e += 8; n++;
	}
	/* 4.3.5: ExtINT on LINT0, NMI on LINT1, every local APIC */
	e[0] = 4; e[1] = 3; put16(e + 2, 0); e[4] = 0; e[5] = 0; e[6] = 0xff; e[7] = 0;
	e += 8; n++;
	e[0] = 4; e[1] = 1; put16(e + 2, 0); e[4] = 0; e[5] = 0; e[6] = 0xff; e[7] = 1;
	e += 8; n++;

	memcpy(t, "PCMP", 4);				/* 4.2 header */
	put16(t + 4, e - t);
	t[6] = 4;
	memcpy(t + 8, "HVBENCH ", 8);
	memcpy(t + 16, "KVM-LINUX   ", 12);
	put16(t + 34, n);
	put32(t + 36, 0xfee00000);
	t[7] = mp_checksum(t, e - t);

	memcpy(fp, "_MP_", 4);				/* 4.1 */
	put32(fp + 4, 0xf0010);
	fp[8] = 1;
	fp[9] = 4;
	fp[10] = mp_checksum(fp, 16);
}

static int own_layout(uint8_t *ram, uint64_t size, const struct hv_linux_opts *o,
		      struct hv_linux_info *out)
{
	const uint8_t *k = o->kernel;
	uint8_t *bp = ram + 0x7000, *e820;
	uint64_t load, init_size, pm_off, top, ird = 0;
	size_t hdr_end, clen = strlen(o->cmdline ? o->cmdline : "");
	uint64_t *pt;
	unsigned int i, setup_sects;

	/* boot.rst, "The real-mode kernel header" */
	if (o->kernel_len < 0x1000 || get16(k + 0x1fe) != 0xaa55 ||
	    get32(k + 0x202) != 0x53726448 || get16(k + 0x206) < 0x020c ||
	    !(get16(k + 0x236) & 1)) {
		fprintf(stderr, "kvm-linux: %s: not a bzImage with a 64-bit entry "
			"(boot protocol 2.12+)\n", kernel_path);
		return -ENOEXEC;
	}
	setup_sects = k[0x1f1] ? k[0x1f1] : 4;
	pm_off = (setup_sects + 1) * 512ULL;
	load = get64(k + 0x258);		/* pref_address */
	init_size = get32(k + 0x260);
	top = get32(k + 0x22c) + 1ULL;		/* initrd_addr_max */
	if (top > size)
		top = size;
	if (pm_off >= o->kernel_len || load + init_size > size) {
		fprintf(stderr, "kvm-linux: kernel does not fit in %llu MiB\n",
			(unsigned long long)(size >> 20));
		return -EFBIG;
	}
	if (o->initrd_len) {
		ird = (top - o->initrd_len) & ~0xfffULL;
		if (o->initrd_len > top || ird < load + init_size) {
			fprintf(stderr, "kvm-linux: initramfs does not fit\n");
			return -EFBIG;
		}
	}
	if (clen >= get32(k + 0x238) || clen >= 0x1000)
		return -EINVAL;

	memset(ram, 0, 0x100000);
	/* GDT at 0x500: 0x10 flat 64-bit code, 0x18 flat data (boot.rst, 64-bit) */
	put64(ram + 0x510, 0x00af9a000000ffffULL);
	put64(ram + 0x518, 0x00cf92000000ffffULL);
	/* identity map of 4 GiB with 2 MiB pages: PML4 0x9000, PDPT 0xa000 */
	pt = (uint64_t *)(ram + 0x9000);
	pt[0] = 0xa000 | 3;
	for (i = 0; i < 4; i++)
		pt[512 + i] = (0xb000 + i * 0x1000ULL) | 3;
	for (i = 0; i < 2048; i++)
		pt[1024 + i] = ((uint64_t)i << 21) | 0x83;
	/* zero page: the setup header as the image has it, then ours */
	hdr_end = 0x202 + k[0x201];
	if (hdr_end > 0x290)
		hdr_end = 0x290;
	memcpy(bp + 0x1f1, k + 0x1f1, hdr_end - 0x1f1);
	bp[0x210] = 0xff;			/* type_of_loader: undefined */
	bp[0x211] |= 0x01;			/* LOADED_HIGH */
	put32(bp + 0x228, 0x20000);		/* cmd_line_ptr */
	put32(bp + 0x218, ird);			/* ramdisk_image */
	put32(bp + 0x21c, o->initrd_len);	/* ramdisk_size */
	memcpy(ram + 0x20000, o->cmdline ? o->cmdline : "", clen + 1);
	e820 = bp + 0x2d0;			/* zero-page.rst: e820_table */
	put64(e820 + 0, 0); put64(e820 + 8, 0x9fc00); put32(e820 + 16, 1);
	put64(e820 + 20, 0x9fc00); put64(e820 + 28, 0x400); put32(e820 + 36, 2);
	put64(e820 + 40, 0xe0000); put64(e820 + 48, 0x20000); put32(e820 + 56, 2);
	put64(e820 + 60, 0x100000); put64(e820 + 68, size - 0x100000);
	put32(e820 + 76, 1);
	bp[0x1e8] = 4;				/* e820_entries */
	own_mptable(ram, o->vcpus);	/* 1 vCPU too: IOAPIC mode, as ACPI's */

	memcpy(ram + load, k + pm_off, o->kernel_len - pm_off);
	if (o->initrd_len)
		memcpy(ram + ird, o->initrd, o->initrd_len);

	memset(out, 0, sizeof(*out));
	out->format = HV_LINUX_BZIMAGE;
	out->protocol = get16(k + 0x206);
	out->entry = load + 0x200;		/* the 64-bit entry */
	out->boot_params = 0x7000;
	out->cr3 = 0x9000;
	out->gdt_base = 0x500;
	out->gdt_limit = 0x1f;
	out->kernel_gpa = load;
	out->kernel_end = load + init_size;
	out->initrd_gpa = ird;
	out->initrd_size = o->initrd_len;
	out->cmdline_gpa = 0x20000;
	return 0;
}

static int layout(uint8_t *ram, uint64_t size, const char *cmdline,
		  unsigned int cpus, struct hv_linux_info *info)
{
	char err[256] = "";
	struct hv_linux_opts o = {
		.kernel = kernel_img, .kernel_len = kernel_len,
		.initrd = initrd_img, .initrd_len = initrd_len,
		.cmdline = cmdline, .vcpus = cpus,
		.err = err, .errlen = sizeof(err),
	};
	int r = hv_linux_layout(ram, size, &o, info);

	if (r != -ENOSYS) {
		if (r)
			fprintf(stderr, "kvm-linux: hv_linux_layout: %s (%s)\n",
				err, strerror(-r));
		return r;
	}
	if (!own_layout_noted) {
		own_layout_noted = true;
		printf("kvm-linux: note: libhv's hv_linux_layout() is not there "
		       "yet (ENOSYS): KVM uses the bench's own layout (bzImage, "
		       "MP table, no ACPI)\n");
	}
	return own_layout(ram, size, &o, info);
}

/* ------------------------------------------------------------------ */
/* Exit counts. */

enum ucount {
	U_IO_UART, U_IO_PM, U_IO_RTC, U_IO_PCI, U_IO_POST, U_IO_RESET,
	U_IO_KBD, U_IO_OTHER, U_MMIO, U_HLT, U_SHUTDOWN, U_SYSEVENT,
	U_INTR, U_OTHER, NR_UCOUNTS
};
static const char *const ucount_name[NR_UCOUNTS] = {
	"io_uart", "io_pm", "io_rtc", "io_pci", "io_0x80", "io_reset",
	"io_kbd", "io_other", "mmio", "hlt", "shutdown", "system_event",
	"intr", "other",
};

#define MAX_KSTATS 96
#define MAX_HVSTATS 128
struct kstats {
	unsigned int n;
	char name[MAX_KSTATS][48];
	uint64_t val[MAX_KSTATS];
};

static void kstats_add(struct kstats *ks, const char *name, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < ks->n; i++)
		if (!strcmp(ks->name[i], name))
			break;
	if (i == ks->n) {
		if (ks->n == MAX_KSTATS)
			return;
		snprintf(ks->name[ks->n], sizeof(ks->name[0]), "%s", name);
		ks->val[ks->n++] = 0;
	}
	ks->val[i] += v;
}

/* KVM's binary statistics (Documentation/virt/kvm/api.rst, 4.133). */
static void kstats_read(int fd, struct kstats *ks)
{
	struct kvm_stats_header h;
	struct kvm_stats_desc *d;
	size_t dsz;
	char *descs;
	unsigned int i;
	int sfd = ioctl(fd, KVM_GET_STATS_FD, NULL);

	if (sfd < 0)
		return;
	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h))
		goto out;
	dsz = sizeof(*d) + h.name_size;
	descs = calloc(h.num_desc, dsz);
	if (!descs)
		goto out;
	if (pread(sfd, descs, dsz * h.num_desc, h.desc_offset) !=
	    (ssize_t)(dsz * h.num_desc))
		goto free;
	for (i = 0; i < h.num_desc; i++) {
		uint64_t v;

		d = (struct kvm_stats_desc *)(descs + i * dsz);
		if ((d->flags & KVM_STATS_TYPE_MASK) != KVM_STATS_TYPE_CUMULATIVE ||
		    (d->flags & KVM_STATS_UNIT_MASK) != KVM_STATS_UNIT_NONE ||
		    d->size != 1)
			continue;
		if (pread(sfd, &v, 8, h.data_offset + d->offset) == 8 && v)
			kstats_add(ks, d->name, v);
	}
free:
	free(descs);
out:
	close(sfd);
}

/* ------------------------------------------------------------------ */
/* KVM: the VM, the vCPU threads and the devices in userspace. */

static int kvm_fd = -1;
static size_t kvm_run_size;
static struct kvm_cpuid2 *kvm_cpuid;

struct uart {			/* a 16550A: National PC16550D datasheet */
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;	/* THR empty interrupt (cleared by an IIR read) */
	uint8_t rx[16];
	unsigned int rx_n;
	int level;		/* what IRQ 4 was last set to */
};

struct kvm_guest {
	unsigned int cpus;
	int vm_fd, vcpu_fd[MAX_CPUS];
	struct kvm_run *run[MAX_CPUS];
	uint8_t *ram;
	uint64_t ram_size;
	pthread_t thread[MAX_CPUS];
	bool started[MAX_CPUS];
	volatile int done;		/* stop asked, or the guest ended */
	const char *end;		/* what ended it: "poweroff", ... */
	char why[256];			/* a failure */
	pthread_mutex_t dev_lock;	/* the devices below */
	struct uart uart;
	uint16_t pm_sts, pm_en, pm_cnt;
	uint8_t cmos_index, rst_cnt;
	uint64_t ucount[NR_UCOUNTS];
	struct console con;
	double t0;			/* first KVM_RUN */
};

static void kvm_end(struct kvm_guest *g, const char *end)
{
	pthread_mutex_lock(&g->con.lock);
	if (!g->end)
		g->end = end;
	g->done = 1;
	pthread_cond_broadcast(&g->con.cond);
	pthread_mutex_unlock(&g->con.lock);
}

static void kvm_fail(struct kvm_guest *g, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g->con.lock);
	if (!g->why[0]) {
		va_start(ap, fmt);
		vsnprintf(g->why, sizeof(g->why), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&g->con.lock);
	kvm_end(g, "failure");
}

static void uart_update_irq(struct kvm_guest *g)
{
	struct uart *u = &g->uart;
	int level = ((u->ier & 1) && u->rx_n) || ((u->ier & 2) && u->thre_pending);
	struct kvm_irq_level irq = { .irq = 4, .level = level };

	if (level == u->level)
		return;
	u->level = level;
	/* GSI 4: PIC IRQ 4 and IOAPIC pin 4 (edge: the raise counts) */
	if (ioctl(g->vm_fd, KVM_IRQ_LINE, &irq) < 0)
		kvm_fail(g, "KVM_IRQ_LINE: %s", strerror(errno));
}

/* 16550 registers, PC16550D table 2; DLAB is LCR bit 7. */
static uint8_t uart_in(struct kvm_guest *g, unsigned int off)
{
	struct uart *u = &g->uart;
	bool dlab = u->lcr & 0x80;
	uint8_t v = 0xff;

	switch (off) {
	case 0:
		if (dlab)
			return u->dll;
		v = u->rx_n ? u->rx[0] : 0;
		if (u->rx_n)
			memmove(u->rx, u->rx + 1, --u->rx_n);
		break;
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2:			/* IIR: receive data first, then THRE */
		if ((u->ier & 1) && u->rx_n) {
			v = 0x04;
		} else if ((u->ier & 2) && u->thre_pending) {
			v = 0x02;
			u->thre_pending = false;
		} else {
			v = 0x01;
		}
		if (u->fcr & 1)
			v |= 0xc0;	/* FIFOs on: a 16550A */
		break;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:			/* LSR: THR and shifter always empty */
		return 0x60 | (u->rx_n ? 1 : 0);
	case 6:			/* MSR; loopback wires MCR to it */
		if (u->mcr & 0x10)
			return ((u->mcr & 0x02) << 3) | ((u->mcr & 0x01) << 5) |
			       ((u->mcr & 0x04) << 4) | ((u->mcr & 0x08) << 4);
		return 0xb0;	/* DCD, DSR, CTS */
	case 7:
		return u->scr;
	}
	uart_update_irq(g);
	return v;
}

static void uart_out(struct kvm_guest *g, unsigned int off, uint8_t v)
{
	struct uart *u = &g->uart;
	bool dlab = u->lcr & 0x80;
	char ch = v;

	switch (off) {
	case 0:
		if (dlab) {
			u->dll = v;
			return;
		}
		if (u->mcr & 0x10) {	/* loopback: to our own receiver */
			if (u->rx_n < sizeof(u->rx))
				u->rx[u->rx_n++] = v;
		} else {
			pthread_mutex_lock(&g->con.lock);
			console_feed_locked(&g->con, &ch, 1);
			pthread_mutex_unlock(&g->con.lock);
		}
		u->thre_pending = true;	/* sent at once: empty again */
		break;
	case 1:
		if (dlab) {
			u->dlm = v;
			return;
		}
		/* enabling ETBEI with the THR empty interrupts at once */
		if ((v & 2) && !(u->ier & 2))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case 2:
		u->fcr = v;
		if (v & 2)
			u->rx_n = 0;
		break;
	case 3:
		u->lcr = v;
		return;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		return;
	}
	uart_update_irq(g);
}

/* ACPI PM timer: 3.579545 MHz (ACPI 6.4, 4.8.3.3), 32 bits. */
static uint32_t pm_timer(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)(((unsigned __int128)(ts.tv_sec * 1000000000ULL +
					       ts.tv_nsec) * 3579545) / 1000000000);
}

static uint8_t bcd(int v) { return (v / 10) << 4 | (v % 10); }

static uint8_t cmos_read(uint8_t idx)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (idx) {	/* MC146818: BCD, 24 h (register B = 0x02) */
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	case 0x0a: return 0x26;		/* no update in progress */
	case 0x0b: return 0x02;
	case 0x0d: return 0x80;		/* RTC valid */
	case 0x32: return bcd(tm.tm_year / 100 + 19);
	}
	return 0;
}

static void kvm_io(struct kvm_guest *g, struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	unsigned int port = run->io.port, size = run->io.size, c, i;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	enum ucount uc;

	if (port >= 0x3f8 && port <= 0x3ff)
		uc = U_IO_UART;
	else if (port >= 0x600 && port <= 0x60b)
		uc = U_IO_PM;
	else if (port == 0x70 || port == 0x71)
		uc = U_IO_RTC;
	else if (port == 0xcf9 && size == 1)
		uc = U_IO_RESET;
	else if (port >= 0xcf8 && port <= 0xcff)
		uc = U_IO_PCI;
	else if (port == 0x80)
		uc = U_IO_POST;
	else if (port == 0x60 || port == 0x64)
		uc = U_IO_KBD;
	else
		uc = U_IO_OTHER;

	pthread_mutex_lock(&g->dev_lock);
	g->ucount[uc] += run->io.count;
	for (c = 0; c < run->io.count; c++, data += size) {
		uint8_t regs[12];

		switch (uc) {
		case U_IO_UART:
			for (i = 0; i < size; i++) {
				if (out)
					uart_out(g, (port + i) & 7, data[i]);
				else
					data[i] = uart_in(g, (port + i) & 7);
			}
			break;
		case U_IO_PM:	/* PM1a_EVT 0x600 (4), PM1a_CNT 0x604 (2), PM_TMR 0x608 (4) */
			put16(regs, g->pm_sts);
			put16(regs + 2, g->pm_en);
			put16(regs + 4, g->pm_cnt | 1);	/* SCI_EN: ACPI mode */
			put16(regs + 6, 0);
			put32(regs + 8, pm_timer());
			if (!out) {
				for (i = 0; i < size; i++)
					data[i] = port - 0x600 + i < 12 ?
						  regs[port - 0x600 + i] : 0xff;
				break;
			}
			for (i = 0; i < size && port - 0x600 + i < 12; i++)
				regs[port - 0x600 + i] = data[i];
			g->pm_sts &= ~get16(regs);	/* write 1 to clear */
			g->pm_en = get16(regs + 2);
			g->pm_cnt = get16(regs + 4) & ~(1u << 13);
			/* ACPI 6.4, 4.8.3.2.1: SLP_EN with SLP_TYP of \_S5 (0) */
			if (port - 0x600 <= 5 && port - 0x600 + size > 4 &&
			    (get16(regs + 4) & (1u << 13)) &&
			    !((get16(regs + 4) >> 10) & 7))
				kvm_end(g, "poweroff");
			break;
		case U_IO_RTC:
			if (port == 0x70 && out)
				g->cmos_index = data[0] & 0x7f;
			else if (port == 0x71 && !out)
				data[0] = cmos_read(g->cmos_index);
			else if (!out)
				data[0] = 0xff;
			break;
		case U_IO_RESET:	/* RST_CPU, bit 2 of 0xcf9 */
			if (!out) {
				data[0] = g->rst_cnt;
				break;
			}
			g->rst_cnt = data[0] & 0x0e;
			if (data[0] & 4)
				kvm_end(g, "reboot");
			break;
		case U_IO_KBD:
			if (out && port == 0x64 && data[0] == 0xfe)
				kvm_end(g, "reboot");
			else if (!out)
				memset(data, 0xff, size);
			break;
		default:
			if (!out)
				memset(data, 0xff, size);
			break;
		}
	}
	pthread_mutex_unlock(&g->dev_lock);
}

struct vcpu_arg {
	struct kvm_guest *g;
	unsigned int id;
};

static void on_sigusr1(int sig) { (void)sig; }

static void *kvm_vcpu_main(void *p)
{
	struct vcpu_arg *a = p;
	struct kvm_guest *g = a->g;
	struct kvm_run *run = g->run[a->id];
	int fd = g->vcpu_fd[a->id];

	if (a->id == 0)
		g->t0 = now_ms();
	while (!g->done) {
		if (ioctl(fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				run->immediate_exit = 0;
				__atomic_fetch_add(&g->ucount[U_INTR], 1, __ATOMIC_RELAXED);
				continue;
			}
			kvm_fail(g, "vCPU %u: KVM_RUN: %s", a->id, strerror(errno));
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			kvm_io(g, run);
			break;
		case KVM_EXIT_MMIO:
			__atomic_fetch_add(&g->ucount[U_MMIO], 1, __ATOMIC_RELAXED);
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
			break;
		case KVM_EXIT_HLT:
			__atomic_fetch_add(&g->ucount[U_HLT], 1, __ATOMIC_RELAXED);
			kvm_fail(g, "vCPU %u: HLT exit to userspace with the "
				 "in-kernel irqchip", a->id);
			break;
		case KVM_EXIT_SHUTDOWN:
			__atomic_fetch_add(&g->ucount[U_SHUTDOWN], 1, __ATOMIC_RELAXED);
			kvm_end(g, "shutdown (triple fault)");
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			__atomic_fetch_add(&g->ucount[U_SYSEVENT], 1, __ATOMIC_RELAXED);
			kvm_end(g, "system-event");
			break;
		case KVM_EXIT_INTR:
			__atomic_fetch_add(&g->ucount[U_INTR], 1, __ATOMIC_RELAXED);
			break;
		case KVM_EXIT_FAIL_ENTRY:
			kvm_fail(g, "vCPU %u: entry failed, reason 0x%llx", a->id,
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			kvm_fail(g, "vCPU %u: KVM internal error %u", a->id,
				 run->internal.suberror);
			break;
		default:
			__atomic_fetch_add(&g->ucount[U_OTHER], 1, __ATOMIC_RELAXED);
			kvm_fail(g, "vCPU %u: unexpected exit %u", a->id, run->exit_reason);
			break;
		}
	}
	return NULL;
}

static int kvm_init(void)
{
	int n = 256, r;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return -errno;
	r = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0)
		return -EINVAL;
	kvm_run_size = r;
	for (;;) {
		kvm_cpuid = calloc(1, sizeof(*kvm_cpuid) + n * sizeof(kvm_cpuid->entries[0]));
		kvm_cpuid->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, kvm_cpuid))
			break;
		free(kvm_cpuid);
		if (errno != E2BIG)
			return -errno;
		n *= 2;
	}
	if (hide_pv) {		/* drop 0x40000000..0x400000ff: no kvmclock */
		unsigned int i, j = 0;

		for (i = 0; i < kvm_cpuid->nent; i++)
			if ((kvm_cpuid->entries[i].function & 0xffffff00) != 0x40000000)
				kvm_cpuid->entries[j++] = kvm_cpuid->entries[i];
		kvm_cpuid->nent = j;
	}
	return 0;
}

/* QEMU's routing with the in-kernel irqchip (hw/i386/kvm/irqchip): GSI
 * 0-15 to the PICs but 2, GSI 0 to IOAPIC pin 2, GSI 1-23 to pin n. */
static int kvm_routing(int vm_fd)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[40];
	} rt;
	unsigned int i, n = 0;

	memset(&rt, 0, sizeof(rt));
	for (i = 0; i < 16; i++) {
		if (i == 2)
			continue;
		rt.e[n].gsi = i;
		rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		rt.e[n].u.irqchip.irqchip = i < 8 ? KVM_IRQCHIP_PIC_MASTER :
						    KVM_IRQCHIP_PIC_SLAVE;
		rt.e[n++].u.irqchip.pin = i % 8;
	}
	for (i = 0; i < 24; i++) {
		if (i == 2)
			continue;
		rt.e[n].gsi = i;
		rt.e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		rt.e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		rt.e[n++].u.irqchip.pin = i ? i : 2;
	}
	rt.r.nr = n;
	return ioctl(vm_fd, KVM_SET_GSI_ROUTING, &rt);
}

static void kvm_close(struct kvm_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->cpus; i++) {
		if (g->run[i])
			munmap(g->run[i], kvm_run_size);
		if (g->vcpu_fd[i] >= 0)
			close(g->vcpu_fd[i]);
	}
	if (g->ram)
		munmap(g->ram, g->ram_size);
	if (g->vm_fd >= 0)
		close(g->vm_fd);
}

static int kvm_setup(struct kvm_guest *g, const struct hv_linux_info *info)
{
	struct kvm_pit_config pit = { .flags = 0 };
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = g->ram_size,
		.userspace_addr = (uintptr_t)g->ram,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	unsigned int i, j;

#define KVM_TRY(what, call) do { if ((call) < 0) { \
		kvm_fail(g, "%s: %s", what, strerror(errno)); return -1; } } while (0)
	KVM_TRY("KVM_SET_TSS_ADDR", ioctl(g->vm_fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR));
	{
		uint64_t idmap = KVM_IDMAP_ADDR;

		KVM_TRY("KVM_SET_IDENTITY_MAP_ADDR",
			ioctl(g->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap));
	}
	KVM_TRY("KVM_CREATE_IRQCHIP", ioctl(g->vm_fd, KVM_CREATE_IRQCHIP, 0));
	KVM_TRY("KVM_SET_GSI_ROUTING", kvm_routing(g->vm_fd));
	KVM_TRY("KVM_CREATE_PIT2", ioctl(g->vm_fd, KVM_CREATE_PIT2, &pit));
	KVM_TRY("KVM_SET_USER_MEMORY_REGION",
		ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &region));
	for (i = 0; i < g->cpus; i++) {
		g->vcpu_fd[i] = ioctl(g->vm_fd, KVM_CREATE_VCPU, i);
		if (g->vcpu_fd[i] < 0) {
			kvm_fail(g, "KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			return -1;
		}
		g->run[i] = mmap(NULL, kvm_run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, g->vcpu_fd[i], 0);
		if (g->run[i] == MAP_FAILED) {
			g->run[i] = NULL;
			kvm_fail(g, "mmap of the run area: %s", strerror(errno));
			return -1;
		}
		/* the APIC ID in CPUID 1 EBX[31:24], 0xb/0x1f EDX: this vCPU's */
		for (j = 0; j < kvm_cpuid->nent; j++) {
			struct kvm_cpuid_entry2 *e = &kvm_cpuid->entries[j];

			/*
			 * CPUID 1 ECX[31], "hypervisor present": KVM leaves it
			 * to the VMM (QEMU, kvmtool and Firecracker set it);
			 * without it Linux never looks at KVM's leaves.
			 */
			if (e->function == 1) {
				e->ebx = (e->ebx & 0x00ffffff) | (i << 24);
				e->ecx |= 1U << 31;
			}
			if (e->function == 0xb || e->function == 0x1f)
				e->edx = i;
		}
		KVM_TRY("KVM_SET_CPUID2", ioctl(g->vcpu_fd[i], KVM_SET_CPUID2, kvm_cpuid));
		if (i) {	/* KVM starts them on INIT and SIPI */
			struct kvm_mp_state mp = { KVM_MP_STATE_UNINITIALIZED };

			KVM_TRY("KVM_SET_MP_STATE",
				ioctl(g->vcpu_fd[i], KVM_SET_MP_STATE, &mp));
		}
	}

	/* boot.rst, "64-bit Boot Protocol": long mode, paging, CS __BOOT_CS */
	KVM_TRY("KVM_GET_SREGS", ioctl(g->vcpu_fd[0], KVM_GET_SREGS, &sregs));
	sregs.cs = (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
		.selector = HV_LINUX_BOOT_CS, .type = 0xb, .present = 1,
		.s = 1, .l = 1, .g = 1 };
	sregs.ds = (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
		.selector = HV_LINUX_BOOT_DS, .type = 0x3, .present = 1,
		.s = 1, .db = 1, .g = 1 };
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = info->gdt_base;
	sregs.gdt.limit = info->gdt_limit;
	sregs.cr0 = 0x80050033;		/* PG WP NE ET MP PE */
	sregs.cr3 = info->cr3;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.efer = 0x500;		/* LME LMA */
	KVM_TRY("KVM_SET_SREGS", ioctl(g->vcpu_fd[0], KVM_SET_SREGS, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = info->entry;
	regs.rsi = info->boot_params;
	KVM_TRY("KVM_SET_REGS", ioctl(g->vcpu_fd[0], KVM_SET_REGS, &regs));
#undef KVM_TRY
	return 0;
}

struct result {
	bool ok, unsupported;
	double ms;		/* first run to the marker */
	double up;		/* the guest's own uptime in the marker, s */
	unsigned int cpus_seen;
	uint64_t ucount[NR_UCOUNTS];
	struct kstats ks;
	struct hv_vm_info hvinfo;
	uint64_t hvstats[MAX_HVSTATS];	/* hv_vm_stats(), at the marker */
	size_t nr_hvstats;
	uint64_t console_bytes;
};

static void kvm_stop_threads(struct kvm_guest *g)
{
	unsigned int i, left;

	g->done = 1;
	for (i = 0; i < g->cpus; i++)
		if (g->run[i])
			g->run[i]->immediate_exit = 1;
	do {	/* a signal may come just before KVM_RUN: until all are out */
		left = 0;
		for (i = 0; i < g->cpus; i++) {
			if (!g->started[i])
				continue;
			if (pthread_tryjoin_np(g->thread[i], NULL) == 0) {
				g->started[i] = false;
				continue;
			}
			pthread_kill(g->thread[i], SIGUSR1);
			left++;
		}
		if (left)
			usleep(2000);
	} while (left);
}

static int kvm_boot(unsigned int cpus, const char *cmdline, bool echo,
		    bool wait_end, struct result *res)
{
	struct kvm_guest *g = calloc(1, sizeof(*g));
	struct vcpu_arg args[MAX_CPUS];
	struct hv_linux_info info;
	struct timespec deadline;
	unsigned int i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	g->cpus = cpus;
	g->vm_fd = -1;
	for (i = 0; i < MAX_CPUS; i++)
		g->vcpu_fd[i] = -1;
	pthread_mutex_init(&g->dev_lock, NULL);
	console_init(&g->con, echo);
	g->ram_size = ram_mib << 20;
	g->ram = mmap(NULL, g->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->ram == MAP_FAILED) {
		g->ram = NULL;
		note_failure("kvm: guest RAM: %s", strerror(errno));
		goto out;
	}
	if (layout(g->ram, g->ram_size, cmdline, cpus, &info)) {
		note_failure("kvm: the boot layout failed");
		goto out;
	}
	g->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0) {
		note_failure("kvm: KVM_CREATE_VM: %s", strerror(errno));
		goto out;
	}
	if (kvm_setup(g, &info)) {
		note_failure("kvm: %s", g->why);
		goto out;
	}

	for (i = 0; i < cpus; i++) {
		args[i] = (struct vcpu_arg){ g, i };
		if (pthread_create(&g->thread[i], NULL, kvm_vcpu_main, &args[i])) {
			note_failure("kvm: pthread_create failed");
			kvm_stop_threads(g);
			goto out;
		}
		g->started[i] = true;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)limit_s;
	pthread_mutex_lock(&g->con.lock);
	while (!g->done && !g->con.seen)
		if (pthread_cond_timedwait(&g->con.cond, &g->con.lock,
					   &deadline) == ETIMEDOUT)
			break;
	/* boot: the guest has END_WAIT_S more to power off */
	if (wait_end && g->con.seen) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += END_WAIT_S;
		while (!g->done)
			if (pthread_cond_timedwait(&g->con.cond, &g->con.lock,
						   &deadline) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&g->con.lock);
	kvm_stop_threads(g);

	pthread_mutex_lock(&g->dev_lock);
	memcpy(res->ucount, g->ucount, sizeof(res->ucount));
	pthread_mutex_unlock(&g->dev_lock);
	for (i = 0; i < cpus; i++)
		kstats_read(g->vcpu_fd[i], &res->ks);
	kstats_read(g->vm_fd, &res->ks);
	res->console_bytes = g->con.bytes;

	if (!g->con.seen) {
		console_dump_tail(&g->con, "kvm");
		note_failure("kvm, %u vCPU: no \"%s\" after %.0f ms (limit %.0f s; "
			     "%s%s%s)", cpus, marker, now_ms() - g->t0, limit_s,
			     g->end ? g->end : "still running",
			     g->why[0] ? ": " : "", g->why);
		goto out;
	}
	res->ok = true;
	res->ms = g->con.t_seen - g->t0;
	marker_fields(g->con.found, &res->cpus_seen, &res->up);
	if (wait_end)
		printf("kvm-linux: kvm: the guest ended: %s%s%s\n",
		       g->end ? g->end : "time limit", g->why[0] ? ": " : "", g->why);
	ret = 0;
out:
	kvm_close(g);
	free(g);
	return ret;
}

/* ------------------------------------------------------------------ */
/* hv: a managed VM booted by libhv. */

static struct hv *hv_dev;
static unsigned int vm_seq;

static int hv_boot(unsigned int cpus, const char *cmdline, bool echo,
		   bool wait_end, struct result *res)
{
	struct hv_vcpu *vcpu[MAX_CPUS] = { 0 };
	struct hv_linux_info info;
	struct hv_vm_info vi;
	struct hv_vm *vm = NULL;
	struct console con;
	char name[HV_NAME_LEN], err[256] = "";
	struct hv_linux_boot b = {
		.kernel = kernel_path, .initrd = initrd_path,
		.cmdline = cmdline, .vcpus = cpus,
		.err = err, .errlen = sizeof(err),
	};
	double t0, deadline;
	unsigned int i;
	int r, cfd = -1, ret = -1;

	memset(res, 0, sizeof(*res));
	console_init(&con, echo);
	snprintf(name, sizeof(name), "kvmlinux-%d-%u", getpid(), vm_seq++);
	r = hv_vm_create(hv_dev, name, HV_VM_DESTROY_ON_CLOSE, &vm);
	if (r == -EOPNOTSUPP) {
		res->unsupported = true;
		return 0;
	}
	if (r) {
		note_failure("hv: create: %s", hv_strerror(r));
		return -1;
	}
	r = hv_vm_add_ram(vm, 0, ram_mib << 20);
	for (i = 0; !r && i < cpus; i++)
		r = hv_vcpu_create(vm, i, &vcpu[i]);
	if (r) {
		note_failure("hv: RAM or vCPUs: %s", hv_strerror(r));
		goto out;
	}
	r = hv_boot_linux(vm, vcpu[0], &b, &info);
	if (r == -ENOSYS) {
		res->unsupported = true;
		ret = 0;
		goto out;
	}
	if (r) {
		note_failure("hv: hv_boot_linux: %s (%s)", err, hv_strerror(r));
		goto out;
	}
	cfd = hv_vm_console_open(vm, true);
	if (cfd < 0) {
		note_failure("hv: console: %s", hv_strerror(cfd));
		goto out;
	}
	t0 = now_ms();
	r = hv_vm_start(vm);
	if (r) {
		note_failure("hv: start: %s", hv_strerror(r));
		goto out;
	}
	deadline = t0 + limit_s * 1000;
	for (;;) {
		struct pollfd pfd = { .fd = cfd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		poll(&pfd, 1, 20);
		while ((n = read(cfd, buf, sizeof(buf))) > 0) {
			pthread_mutex_lock(&con.lock);
			console_feed_locked(&con, buf, n);
			pthread_mutex_unlock(&con.lock);
		}
		if (con.seen && !res->hvinfo.exits) {
			hv_vm_info(vm, &res->hvinfo);	/* the counts at init */
			r = hv_vm_stats(vm, HV_STATS_VM, res->hvstats,
					MAX_HVSTATS);
			res->nr_hvstats = r > 0 ? (size_t)r : 0;
			if (!wait_end)
				break;
		}
		if (hv_vm_wait_stopped(vm, 0, &vi) == 0 &&
		    vi.state != HV_VM_STATE_RUNNING) {
			if (wait_end || !con.seen)
				printf("kvm-linux: hv: the guest stopped: %s\n",
				       hv_stop_reason_name(vi.stop_reason));
			break;
		}
		if (now_ms() > deadline ||
		    (con.seen && now_ms() > con.t_seen + END_WAIT_S * 1000))
			break;
	}
	res->console_bytes = con.bytes;
	if (!con.seen) {
		console_dump_tail(&con, "hv");
		hv_vm_info(vm, &vi);
		note_failure("hv, %u vCPU: no \"%s\" after %.0f ms (limit %.0f s; "
			     "state %s, %s; %llu exits)", cpus, marker, now_ms() - t0,
			     limit_s, hv_vm_state_name(vi.state),
			     hv_stop_reason_name(vi.stop_reason),
			     (unsigned long long)vi.exits);
		goto out;
	}
	res->ok = true;
	res->ms = con.t_seen - t0;
	marker_fields(con.found, &res->cpus_seen, &res->up);
	ret = 0;
out:
	if (cfd >= 0)
		close(cfd);
	for (i = 0; i < cpus; i++)
		if (vcpu[i])
			hv_vcpu_close(vcpu[i]);
	if (vm)
		hv_vm_destroy_force(vm);
	return ret;
}

/* ------------------------------------------------------------------ */

static const char *cpu_vendor(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	const char *v = "unknown";

	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vendor_id", 9))
			continue;
		if (strstr(line, "AuthenticAMD"))
			v = "amd";
		else if (strstr(line, "GenuineIntel"))
			v = "intel";
		break;
	}
	if (f)
		fclose(f);
	return v;
}

static void print_exits(const char *tag, unsigned int cpus, const char *side,
			const struct result *r)
{
	unsigned int i;

	printf("%s %s %uvcpu %s", tag, vendor, cpus, side);
	if (!strcmp(side, "hv")) {
		const struct hv_stat_desc *d;
		size_t n = 0;

		printf(" exits=%llu io_unclaimed=%llu mmio_unclaimed=%llu console_bytes=%llu",
		       (unsigned long long)r->hvinfo.exits,
		       (unsigned long long)r->hvinfo.io_unclaimed,
		       (unsigned long long)r->hvinfo.mmio_unclaimed,
		       (unsigned long long)r->console_bytes);
		/* hv's counters by name (hv_stats_names: asked once, cached) */
		if (hv_stats_names(hv_dev, &d, &n))
			n = 0;
		for (i = 0; i < n && i < r->nr_hvstats; i++) {
			char name[HV_STAT_NAME_LEN + 1], *c;

			if (!r->hvstats[i])
				continue;
			memcpy(name, d[i].name, HV_STAT_NAME_LEN);
			name[HV_STAT_NAME_LEN] = '\0';
			for (c = name; *c; c++)
				if (*c == '.')
					*c = '_';
			printf(" h_%s=%llu", name,
			       (unsigned long long)r->hvstats[i]);
		}
		printf("\n");
		return;
	}
	for (i = 0; i < NR_UCOUNTS; i++)
		if (r->ucount[i])
			printf(" %s=%llu", ucount_name[i], (unsigned long long)r->ucount[i]);
	for (i = 0; i < r->ks.n; i++)
		printf(" k_%s=%llu", r->ks.name[i], (unsigned long long)r->ks.val[i]);
	printf(" console_bytes=%llu\n", (unsigned long long)r->console_bytes);
}

static char *cmdline_for(unsigned int cpus)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s hvl.cpus=%u", cmdline_base, cpus);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(double *v, unsigned int n, double p)
{
	double pos, frac;
	unsigned int i;

	qsort(v, n, sizeof(*v), cmp_double);
	pos = p * (n - 1);
	i = (unsigned int)pos;
	frac = pos - i;
	return i + 1 < n ? v[i] * (1 - frac) + v[i + 1] * frac : v[i];
}

static void check_cpus(const char *side, unsigned int want, const struct result *r)
{
	if (r->ok && r->cpus_seen && r->cpus_seen != want)
		note_failure("%s: the guest says cpus=%u, it has %u vCPUs",
			     side, r->cpus_seen, want);
}

#define MAX_ROUNDS 64

static void bench(const unsigned int *cpu_list, unsigned int ncpu_list,
		  unsigned int rounds, unsigned int warmups, double target)
{
	unsigned int c;

	for (c = 0; c < ncpu_list; c++) {
		unsigned int cpus = cpu_list[c], r, n = 0, nh = 0, nk = 0;
		double hv_ms[MAX_ROUNDS], kvm_ms[MAX_ROUNDS], ratio[MAX_ROUNDS];
		static struct result rh, rk, rh_last, rk_last;
		unsigned int kvm_fails = 0;
		bool hv_unsup = false, hv_failed = false, kvm_failed = false;
		bool hv_skip = cpus > hv_max_cpus;
		const char *cmd = cmdline_for(cpus);

		printf("kvm-linux: %u vCPU, %llu MiB, cmdline \"%s\"\n", cpus,
		       (unsigned long long)ram_mib, cmd);
		for (r = 0; r < warmups + rounds; r++) {
			bool warm = r < warmups;

			memset(&rh, 0, sizeof(rh));
			if (!hv_unsup && !hv_failed && !hv_skip) {
				if (hv_boot(cpus, cmd, verbose, false, &rh))
					hv_failed = true;
				else if (rh.unsupported)
					hv_unsup = true;
				check_cpus("hv", cpus, &rh);
			}
			/* a failed boot is reported (and fails the run); the
			 * other rounds still give their figures */
			if (kvm_boot(cpus, cmd, verbose, false, &rk))
				kvm_fails++;
			check_cpus("kvm", cpus, &rk);
			printf("kvm-linux: %uvcpu %s %u: ", cpus,
			       warm ? "warm-up" : "round", warm ? r : r - warmups);
			if (rk.ok)
				printf("kvm %.1f ms", rk.ms);
			else
				printf("kvm failed");
			if (rh.ok && rk.ok)
				printf(" | hv %.1f ms ratio %.3f", rh.ms, rh.ms / rk.ms);
			else if (rh.ok)
				printf(" | hv %.1f ms", rh.ms);
			else
				printf(" | hv %s", hv_skip ? "skipped (-H)" :
				       hv_unsup ? "unsupported" : "failed");
			printf(" (guest uptime at init: kvm %.2f s", rk.ok ? rk.up : -1);
			if (rh.ok)
				printf(", hv %.2f s", rh.up);
			printf(")\n");
			if (rk.ok)
				rk_last = rk;
			if (rh.ok)
				rh_last = rh;
			fflush(stdout);
			if (warm)
				continue;
			if (rk.ok)
				kvm_ms[nk++] = rk.ms;
			if (rh.ok)
				hv_ms[nh++] = rh.ms;
			if (rh.ok && rk.ok)
				ratio[n++] = rh.ms / rk.ms;
		}
		kvm_failed = !nk;
		if (kvm_fails)
			printf("kvm-linux: %uvcpu: %u of %u KVM boots failed\n", cpus,
			       kvm_fails, warmups + rounds);
		if (nk)
			print_exits("LINUXEXITS", cpus, "kvm", &rk_last);
		if (nh)
			print_exits("LINUXEXITS", cpus, "hv", &rh_last);
		printf("BENCH %s linux_init_ms_%uvcpu", vendor, cpus);
		if (nh)
			printf(" hv=%.1f", quantile(hv_ms, nh, 0.5));
		else
			printf(" hv=%s", hv_skip ? "skipped" :
			       hv_unsup ? "unsupported" : "failed");
		if (nk && !kvm_failed)
			printf(" kvm=%.1f", quantile(kvm_ms, nk, 0.5));
		else
			printf(" kvm=failed");
		if (n && !kvm_failed) {
			double med = quantile(ratio, n, 0.5);

			printf(" ratio=%.3f ratio_q1=%.3f ratio_q3=%.3f target=%.2f meets=%s\n",
			       med, quantile(ratio, n, 0.25), quantile(ratio, n, 0.75),
			       target, med <= target ? "yes" : "no");
		} else {
			printf(" ratio=- ratio_q1=- ratio_q3=- target=%.2f meets=-\n", target);
		}
		fflush(stdout);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: kvm-linux [-k KERNEL] [-i INITRD] [-a CMDLINE] "
		"[-m MIB] [-c 1,2] [-r ROUNDS] [-w WARMUPS] [-t SEC] [-M MARKER] "
		"[-s kvm|hv] [-P] [-T RATIO] [-H N] [-v] boot|bench\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int cpu_list[8] = { 1, 2 }, ncpu = 2, rounds = 3, warmups = 1;
	const char *side = "kvm";
	double target = 1.0;
	struct sigaction sa;
	int opt, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "k:i:a:m:c:r:w:t:M:s:PT:vH:")) != -1) {
		switch (opt) {
		case 'k': kernel_path = optarg; break;
		case 'i': initrd_path = *optarg ? optarg : NULL; break;
		case 'a': cmdline_base = optarg; break;
		case 'm': ram_mib = strtoull(optarg, NULL, 0); break;
		case 'c': {
			char *s = optarg, *end;

			for (ncpu = 0; ncpu < 8 && *s; ncpu++) {
				cpu_list[ncpu] = strtoul(s, &end, 10);
				if (end == s || !cpu_list[ncpu] || cpu_list[ncpu] > MAX_CPUS)
					usage();
				s = *end == ',' ? end + 1 : end;
			}
			break;
		}
		case 'r': rounds = strtoul(optarg, NULL, 0); break;
		case 'w': warmups = strtoul(optarg, NULL, 0); break;
		case 't': limit_s = strtod(optarg, NULL); break;
		case 'M': marker = optarg; break;
		case 's': side = optarg; break;
		case 'P': hide_pv = true; break;
		case 'T': target = strtod(optarg, NULL); break;
		case 'v': verbose = true; break;
		case 'H': hv_max_cpus = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (optind + 1 != argc || !ncpu || !rounds || rounds + warmups > MAX_ROUNDS ||
	    ram_mib < 16 || ram_mib > 3072 || limit_s <= 0)
		usage();
	vendor = cpu_vendor();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;	/* no SA_RESTART: KVM_RUN returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);

	if (read_file(kernel_path, &kernel_img, &kernel_len) ||
	    (initrd_path && read_file(initrd_path, &initrd_img, &initrd_len))) {
		note_failure("cannot read the kernel or initramfs");
		return 1;
	}
	r = kvm_init();
	if (r) {
		note_failure("/dev/kvm: %s", strerror(-r));
		return 1;
	}
	printf("kvm-linux: %s, kernel %s (%zu bytes), initramfs %s (%zu bytes)%s\n",
	       vendor, kernel_path, kernel_len, initrd_path ? initrd_path : "-",
	       initrd_len, hide_pv ? ", KVM's PV CPUID leaves hidden" : "");

	if (!strcmp(argv[optind], "boot")) {
		struct result res;

		if (!strcmp(side, "hv")) {
			r = hv_open(&hv_dev);
			if (r) {
				note_failure("hv_open: %s", hv_strerror(r));
				return 1;
			}
			r = hv_boot(cpu_list[0], cmdline_for(cpu_list[0]), true, true, &res);
			if (!r && res.unsupported)
				printf("kvm-linux: hv cannot boot Linux here yet\n");
		} else {
			r = kvm_boot(cpu_list[0], cmdline_for(cpu_list[0]), true, true, &res);
		}
		if (!r && res.ok) {
			printf("kvm-linux: %s %u vCPU: \"%s\" after %.1f ms "
			       "(guest uptime %.2f s, cpus=%u)\n", side, cpu_list[0],
			       marker, res.ms, res.up, res.cpus_seen);
			check_cpus(side, cpu_list[0], &res);
			/* not LINUXEXITS: run-bench collects those of bench */
			print_exits("kvm-linux: exits:", cpu_list[0], side, &res);
		}
	} else if (!strcmp(argv[optind], "bench")) {
		r = hv_open(&hv_dev);
		if (r) {
			note_failure("hv_open: %s", hv_strerror(r));
			return 1;
		}
		bench(cpu_list, ncpu, rounds, warmups, target);
	} else {
		usage();
	}
	return failures ? 1 : 0;
}
