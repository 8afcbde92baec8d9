// SPDX-License-Identifier: GPL-2.0
/* Helpers for the snapshot tests (snap_helpers.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_helpers.h"

char snap_dir[64];

void snap_setup(void)
{
	fake_hv_setup();
	strcpy(snap_dir, "/tmp/hv-unit-snap.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(snap_dir));
}

void snap_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", snap_dir);
	ck_assert_int_eq(system(cmd), 0);
	fake_hv_teardown();
}

const char *snap_path(int slot, const char *name)
{
	static char buf[4][256];

	snprintf(buf[slot], sizeof(buf[slot]), "%s/%s", snap_dir, name);
	return buf[slot];
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void fill_seg(struct hv_segment *g, uint64_t *x)
{
	g->base = rnd(x);
	g->limit = (uint32_t)rnd(x);
	g->selector = (uint16_t)rnd(x);
	g->type = rnd(x) & 15;
	g->s = rnd(x) & 1;
	g->dpl = rnd(x) & 3;
	g->present = 1;
	g->avl = rnd(x) & 1;
	g->l = rnd(x) & 1;
	g->db = rnd(x) & 1;
	g->g = rnd(x) & 1;
	g->unusable = rnd(x) & 1;
}

void snap_fill_vcpu(struct hv_vcpu_state *s, uint32_t id, uint32_t seed)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);
	__u64 *r;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->vcpu_id = id;
	for (r = &s->regs.rax, i = 0; i < 18; i++)
		r[i] = rnd(&x);
	fill_seg(&s->sregs.cs, &x);
	fill_seg(&s->sregs.ds, &x);
	fill_seg(&s->sregs.es, &x);
	fill_seg(&s->sregs.fs, &x);
	fill_seg(&s->sregs.gs, &x);
	fill_seg(&s->sregs.ss, &x);
	fill_seg(&s->sregs.tr, &x);
	fill_seg(&s->sregs.ldt, &x);
	s->sregs.gdt.base = rnd(&x);
	s->sregs.gdt.limit = (uint16_t)rnd(&x);
	s->sregs.idt.base = rnd(&x);
	s->sregs.idt.limit = (uint16_t)rnd(&x);
	s->sregs.cr0 = rnd(&x);
	s->sregs.cr2 = rnd(&x);
	s->sregs.cr3 = rnd(&x);
	s->sregs.cr4 = rnd(&x);
	s->sregs.cr8 = rnd(&x) & 15;
	s->sregs.efer = rnd(&x);
	for (i = 0; i < 8; i++)
		s->dr[i] = i == 4 || i == 5 ? 0 : rnd(&x);
	s->events.flags = rnd(&x) & 15;
	s->events.exception_vector = (uint8_t)rnd(&x);
	s->events.exception_error = (uint32_t)rnd(&x);
	s->nr_msrs = 1 + seed % HV_STATE_MAX_MSRS;
	for (i = 0; i < s->nr_msrs; i++) {
		s->msrs[i].index = 0xc0000080 + i;
		s->msrs[i].value = rnd(&x);
	}
	s->cpuid.nent = 1 + (seed * 7) % HV_CPUID_MAX_ENTRIES;
	for (i = 0; i < s->cpuid.nent; i++) {
		struct hv_cpuid_entry *e = &s->cpuid.entries[i];

		e->function = i;
		e->index = (uint32_t)rnd(&x);
		e->flags = rnd(&x) & 1;
		e->eax = (uint32_t)rnd(&x);
		e->ebx = (uint32_t)rnd(&x);
		e->ecx = (uint32_t)rnd(&x);
		e->edx = (uint32_t)rnd(&x);
	}
	s->xcr0 = 3;
	for (i = 0; i < HV_XSAVE_SIZE; i += 8) {
		uint64_t v = rnd(&x);

		memcpy(s->xsave + i, &v, 8);
	}
}

void snap_fill_devices(struct hv_device_state *d, uint32_t seed)
{
	uint64_t x = 0x51ed27ULL * (seed + 3);
	unsigned int i;

	memset(d, 0, sizeof(*d));
	d->shutdown_match = rnd(&x) & 7;
	d->uart.ier = (uint8_t)rnd(&x);
	d->uart.iir_thri = (uint8_t)rnd(&x);
	d->uart.lcr = (uint8_t)rnd(&x);
	d->uart.mcr = (uint8_t)rnd(&x);
	d->uart.scr = (uint8_t)rnd(&x);
	d->uart.dll = (uint8_t)rnd(&x);
	d->uart.dlm = (uint8_t)rnd(&x);
	d->uart.fcr = (uint8_t)rnd(&x);
	d->uart.rx_count = 1 + seed % HV_UART_STATE_RX;
	for (i = 0; i < d->uart.rx_count; i++)
		d->uart.rx[i] = (uint8_t)rnd(&x);
}

struct hv_vm *snap_make_vm(struct hv *hv, const char *name,
			   const uint64_t (*regions)[2], unsigned int nr,
			   const uint32_t *ids, unsigned int nr_ids)
{
	struct hv_vcpu *vcpu;
	struct fake_vm *fv;
	struct hv_vm *vm;
	uint8_t *p;
	unsigned int i;

	ck_assert_int_eq(hv_vm_create(hv, name, 0, &vm), 0);
	for (i = 0; i < nr; i++)
		ck_assert_int_eq(hv_vm_add_ram(vm, regions[i][0],
					       regions[i][1]), 0);
	for (i = 0; i < nr_ids; i++) {
		ck_assert_int_eq(hv_vcpu_create(vm, ids[i], &vcpu), 0);
		hv_vcpu_close(vcpu);
	}
	fv = fake_vm_named(name);
	ck_assert_ptr_nonnull(fv);
	for (i = 0; i < nr_ids; i++)
		snap_fill_vcpu(&fv->vcpu_state[ids[i]], ids[i], ids[i] + 1);
	snap_fill_devices(&fv->devices, 5);
	p = hv_vm_gpa_ptr(vm, regions[0][0], regions[0][1]);
	ck_assert_ptr_nonnull(p);
	for (i = 0; i < regions[0][1] / 4096; i += 7)
		memset(p + (size_t)i * 4096, 0x40 + i % 64, 4096);
	return vm;
}

uint8_t *snap_read(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b;
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	b = malloc(st.st_size + 1);
	ck_assert_int_eq(read(fd, b, st.st_size), st.st_size);
	close(fd);
	*len = st.st_size;
	return b;
}

void snap_write(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

int snap_sections(const uint8_t *b, size_t len, size_t *off, uint32_t *type,
		  int max)
{
	size_t o = le(b + 12, 4);
	int n = 0;

	while (o + 16 <= len && n < max) {
		off[n] = o;
		type[n] = (uint32_t)le(b + o, 4);
		o += 16 + le(b + o + 8, 8) + 4;
		n++;
	}
	return n;
}
