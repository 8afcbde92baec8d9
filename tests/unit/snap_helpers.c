// SPDX-License-Identifier: GPL-2.0
/* Helpers for the snapshot tests (snap_helpers.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_helpers.h"
#include "snap/snapfile.h"

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
	s->events.flags = rnd(&x) & 31;	/* HV_EV_NMI_PENDING too */
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
	/* API 4: activity, TSC, local APIC (format version 2) */
	s->mp_state = rnd(&x) % 3;
	s->tsc = rnd(&x);
	s->lapic.apic_base = rnd(&x);
	s->lapic.tsc_deadline = rnd(&x);
	s->lapic.timer_ns = rnd(&x);
	s->lapic.flags = (uint32_t)rnd(&x);
	for (i = 0; i < sizeof(s->lapic.regs); i++)
		s->lapic.regs[i] = (uint8_t)rnd(&x);
}

static void fill_pic(struct hv_pic_chip_state *p, uint64_t *x)
{
	p->last_irr = (uint8_t)rnd(x);
	p->irr = (uint8_t)rnd(x);
	p->imr = (uint8_t)rnd(x);
	p->isr = (uint8_t)rnd(x);
	p->priority_add = (uint8_t)rnd(x);
	p->irq_base = (uint8_t)rnd(x);
	p->read_reg_select = (uint8_t)rnd(x);
	p->poll = (uint8_t)rnd(x);
	p->special_mask = (uint8_t)rnd(x);
	p->init_state = (uint8_t)rnd(x);
	p->auto_eoi = (uint8_t)rnd(x);
	p->rotate_on_auto_eoi = (uint8_t)rnd(x);
	p->special_fully_nested_mode = (uint8_t)rnd(x);
	p->init4 = (uint8_t)rnd(x);
	p->elcr = (uint8_t)rnd(x);
	p->elcr_mask = (uint8_t)rnd(x);
}

/* The PC platform's part of the device state (format version 2) */
static void fill_platform(struct hv_device_state *d, uint64_t *x)
{
	unsigned int i;

	fill_pic(&d->pic[0], x);
	fill_pic(&d->pic[1], x);
	d->ioapic.base = rnd(x);
	d->ioapic.ioregsel = (uint32_t)rnd(x);
	d->ioapic.id = (uint32_t)rnd(x);
	d->ioapic.irr = (uint32_t)rnd(x);
	for (i = 0; i < HV_NR_GSIS; i++)
		d->ioapic.redir[i] = rnd(x);
	for (i = 0; i < 3; i++) {
		struct hv_pit_channel_state *c = &d->pit.ch[i];

		c->count = (uint32_t)rnd(x);
		c->latched_count = (uint16_t)rnd(x);
		c->count_latched = (uint8_t)rnd(x);
		c->status_latched = (uint8_t)rnd(x);
		c->status = (uint8_t)rnd(x);
		c->read_state = (uint8_t)rnd(x);
		c->write_state = (uint8_t)rnd(x);
		c->write_latch = (uint8_t)rnd(x);
		c->rw_mode = (uint8_t)rnd(x);
		c->mode = (uint8_t)rnd(x);
		c->bcd = (uint8_t)rnd(x);
		c->gate = (uint8_t)rnd(x);
		c->elapsed_ns = rnd(x);
	}
	d->pit.port61 = (uint8_t)rnd(x);
	for (i = 0; i < sizeof(d->rtc.cmos); i++)
		d->rtc.cmos[i] = (uint8_t)rnd(x);
	d->rtc.index = (uint8_t)rnd(x);
	d->rtc.offset_ns = (int64_t)rnd(x);
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
	fill_platform(d, &x);
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

/* Every byte of RAM, every vCPU and the devices of two fake VMs agree. */
void snap_assert_same_vm(const char *a, const char *b)
{
	struct fake_vm *x = fake_vm_named(a), *y = fake_vm_named(b);
	uint8_t bx[4096], by[4096];
	unsigned int i;
	uint64_t off;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(y);
	ck_assert_uint_eq(x->nr_regions, y->nr_regions);
	for (i = 0; i < x->nr_regions; i++) {
		ck_assert_uint_eq(x->regions[i].gpa, y->regions[i].gpa);
		ck_assert_uint_eq(x->regions[i].size, y->regions[i].size);
		for (off = 0; off < x->regions[i].size; off += 4096) {
			uint64_t at = x->regions[i].gpa + off;

			ck_assert_int_eq(pread(x->fd, bx, 4096, at), 4096);
			ck_assert_int_eq(pread(y->fd, by, 4096, at), 4096);
			ck_assert_msg(!memcmp(bx, by, 4096),
				      "page at 0x%llx differs",
				      (unsigned long long)at);
		}
	}
	ck_assert_uint_eq(x->nr_vcpus, y->nr_vcpus);
	for (i = 0; i < HV_MAX_VCPUS; i++) {
		ck_assert_int_eq(x->has_vcpu[i], y->has_vcpu[i]);
		ck_assert_msg(!memcmp(&x->vcpu_state[i], &y->vcpu_state[i],
				      sizeof(x->vcpu_state[i])),
			      "vcpu %u state differs", i);
	}
	ck_assert(!memcmp(&x->devices, &y->devices, sizeof(x->devices)));
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

size_t snap_assert_indexed(const char *path)
{
	struct snap_file full, lazy;
	char err[512];
	size_t len, i, n;
	uint8_t *b = snap_read(path, &len);

	ck_assert_int_eq(snap_parse(b, len, path, &full, err, sizeof(err)), 0);
	ck_assert_uint_eq(full.hdr.format_version, SNAP_FORMAT_VERSION);
	ck_assert_msg(snap_parse_index(b, len, path, &lazy, err,
				       sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(lazy.nr_mem, full.nr_mem);
	ck_assert_uint_eq(lazy.pages_stored, full.pages_stored);
	for (i = 0; i < full.nr_mem; i++) {
		struct snap_mem_section *a = &lazy.mem[i], *w = &full.mem[i];
		uint64_t pages = full.cfg.regions[a->region].size / 4096;

		ck_assert_msg(snap_check_mem(&lazy, b, i, err, sizeof(err))
			      == 0, "%s", err);
		ck_assert_uint_eq(a->first_page % SNAP_CHUNK_PAGES, 0);
		ck_assert_uint_eq(a->nr_pages,
				  pages - a->first_page < SNAP_CHUNK_PAGES ?
				  pages - a->first_page : SNAP_CHUNK_PAGES);
		ck_assert(a->off == w->off && a->len == w->len &&
			  a->region == w->region &&
			  a->first_page == w->first_page &&
			  a->nr_pages == w->nr_pages &&
			  a->records == w->records && a->data == w->data &&
			  a->nr_records == w->nr_records);
	}
	n = full.nr_mem;
	snap_file_free(&full);
	snap_file_free(&lazy);
	free(b);
	return n;
}
