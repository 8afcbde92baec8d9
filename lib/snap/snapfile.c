// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The snapshot file format, byte by byte in docs/snapshot-format.md.
 *
 * Every field is written on its own, little-endian, never as a C struct:
 * the file must outlive the structs (uapi structs only grow, and a future
 * libhv must still read a version-1 file).  Version 2 (API 4, the PC
 * platform) appends the vCPU's activity, TSC and local APIC to the vCPU
 * payload and the PIC, IOAPIC, PIT and RTC to the devices payload; the
 * walkers read version 1 payloads too, leaving those fields zero
 * (lib/snap/restore.c fills them in).  One walker per structure
 * serves both directions (struct snap_io), so the writer and the reader
 * cannot disagree about the order of fields.
 *
 * The reader that checks whole files is lib/snap/snapparse.c.
 */
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "snapfile.h"

/* ---- little-endian bytes ---- */

static void buf_grow(struct snap_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return;
	if (n <= b->cap - b->len)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

void snap_put_bytes(struct snap_buf *b, const void *p, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	if (b->failed)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void put_le(struct snap_buf *b, uint64_t v, int n)
{
	uint8_t tmp[8];
	int i;

	for (i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	snap_put_bytes(b, tmp, n);
}

void snap_put_u8(struct snap_buf *b, uint8_t v) { put_le(b, v, 1); }
void snap_put_u16(struct snap_buf *b, uint16_t v) { put_le(b, v, 2); }
void snap_put_u32(struct snap_buf *b, uint32_t v) { put_le(b, v, 4); }
void snap_put_u64(struct snap_buf *b, uint64_t v) { put_le(b, v, 8); }

void snap_buf_free(struct snap_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void set_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- one walker per structure, both directions ---- */

struct snap_io {
	struct snap_buf *w;	/* writing, or */
	const uint8_t *r;	/* reading r[0 .. len) */
	size_t len, off;
	uint32_t version;	/* SNAP_FORMAT_VERSION or an older one */
	bool overrun;		/* read past the end */
	const char *bad;	/* a value out of range (reading) */
};

static void io_le(struct snap_io *io, void *v, int n)
{
	uint64_t x = 0;

	if (io->w) {
		memcpy(&x, v, n);	/* x86: little-endian host */
		put_le(io->w, x, n);
		return;
	}
	if (io->overrun || io->len - io->off < (size_t)n) {
		io->overrun = true;
		memset(v, 0, n);
		return;
	}
	x = snap_get_le(io->r + io->off, n);
	io->off += n;
	memcpy(v, &x, n);
}

#define IO(io, field)	io_le(io, &(field), sizeof(field))

static void io_bytes(struct snap_io *io, void *p, size_t n)
{
	if (io->w) {
		snap_put_bytes(io->w, p, n);
		return;
	}
	if (io->overrun || io->len - io->off < n) {
		io->overrun = true;
		memset(p, 0, n);
		return;
	}
	memcpy(p, io->r + io->off, n);
	io->off += n;
}

static void io_bad(struct snap_io *io, const char *what)
{
	if (!io->bad)
		io->bad = what;
}

static void io_segment(struct snap_io *io, struct hv_segment *s)
{
	IO(io, s->base);
	IO(io, s->limit);
	IO(io, s->selector);
	IO(io, s->type);
	IO(io, s->s);
	IO(io, s->dpl);
	IO(io, s->present);
	IO(io, s->avl);
	IO(io, s->l);
	IO(io, s->db);
	IO(io, s->g);
	IO(io, s->unusable);
}

static void io_dtable(struct snap_io *io, struct hv_dtable *d)
{
	IO(io, d->base);
	IO(io, d->limit);
}

static void io_lapic(struct snap_io *io, struct hv_lapic_state *l)
{
	IO(io, l->apic_base);
	IO(io, l->tsc_deadline);
	IO(io, l->timer_ns);
	IO(io, l->flags);
	io_bytes(io, l->regs, sizeof(l->regs));
}

static void io_vcpu(struct snap_io *io, struct hv_vcpu_state *s)
{
	struct hv_regs *r = &s->regs;
	struct hv_sregs *sr = &s->sregs;
	uint32_t i, n, xsave_len = HV_XSAVE_SIZE;

	IO(io, s->vcpu_id);
	IO(io, s->flags);
	IO(io, r->rax); IO(io, r->rbx); IO(io, r->rcx); IO(io, r->rdx);
	IO(io, r->rsi); IO(io, r->rdi); IO(io, r->rsp); IO(io, r->rbp);
	IO(io, r->r8);  IO(io, r->r9);  IO(io, r->r10); IO(io, r->r11);
	IO(io, r->r12); IO(io, r->r13); IO(io, r->r14); IO(io, r->r15);
	IO(io, r->rip); IO(io, r->rflags);
	io_segment(io, &sr->cs);
	io_segment(io, &sr->ds);
	io_segment(io, &sr->es);
	io_segment(io, &sr->fs);
	io_segment(io, &sr->gs);
	io_segment(io, &sr->ss);
	io_segment(io, &sr->tr);
	io_segment(io, &sr->ldt);
	io_dtable(io, &sr->gdt);
	io_dtable(io, &sr->idt);
	IO(io, sr->cr0); IO(io, sr->cr2); IO(io, sr->cr3); IO(io, sr->cr4);
	IO(io, sr->cr8); IO(io, sr->efer);
	for (i = 0; i < 8; i++)
		IO(io, s->dr[i]);
	IO(io, s->events.flags);
	IO(io, s->events.exception_vector);
	IO(io, s->events.exception_error);

	IO(io, s->nr_msrs);
	n = s->nr_msrs;
	if (n > HV_STATE_MAX_MSRS) {
		io_bad(io, "too many MSRs");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		IO(io, s->msrs[i].index);
		IO(io, s->msrs[i].value);
	}

	IO(io, s->cpuid.nent);
	n = s->cpuid.nent;
	if (n > HV_CPUID_MAX_ENTRIES) {
		io_bad(io, "too many CPUID entries");
		n = 0;
	}
	for (i = 0; i < n; i++) {
		struct hv_cpuid_entry *e = &s->cpuid.entries[i];

		IO(io, e->function); IO(io, e->index); IO(io, e->flags);
		IO(io, e->eax); IO(io, e->ebx); IO(io, e->ecx); IO(io, e->edx);
	}
	IO(io, s->xcr0);
	IO(io, xsave_len);
	if (xsave_len != HV_XSAVE_SIZE)
		io_bad(io, "XSAVE area is not 4096 bytes");
	else
		io_bytes(io, s->xsave, HV_XSAVE_SIZE);
	if (io->version < 2)
		return;
	IO(io, s->mp_state);
	IO(io, s->tsc);
	IO(io, s->events.interrupt_vector);
	io_lapic(io, &s->lapic);
}

static void io_pic(struct snap_io *io, struct hv_pic_chip_state *p)
{
	IO(io, p->last_irr); IO(io, p->irr); IO(io, p->imr); IO(io, p->isr);
	IO(io, p->priority_add); IO(io, p->irq_base);
	IO(io, p->read_reg_select); IO(io, p->poll); IO(io, p->special_mask);
	IO(io, p->init_state); IO(io, p->auto_eoi);
	IO(io, p->rotate_on_auto_eoi); IO(io, p->special_fully_nested_mode);
	IO(io, p->init4); IO(io, p->elcr); IO(io, p->elcr_mask);
}

static void io_ioapic(struct snap_io *io, struct hv_ioapic_state *a)
{
	uint32_t i;

	IO(io, a->base);
	IO(io, a->ioregsel);
	IO(io, a->id);
	IO(io, a->irr);
	for (i = 0; i < HV_NR_GSIS; i++)
		IO(io, a->redir[i]);
}

static void io_pit(struct snap_io *io, struct hv_pit_state *p)
{
	uint32_t i;

	for (i = 0; i < 3; i++) {
		struct hv_pit_channel_state *c = &p->ch[i];

		IO(io, c->count); IO(io, c->latched_count);
		IO(io, c->count_latched); IO(io, c->status_latched);
		IO(io, c->status); IO(io, c->read_state);
		IO(io, c->write_state); IO(io, c->write_latch);
		IO(io, c->rw_mode); IO(io, c->mode); IO(io, c->bcd);
		IO(io, c->gate);
		IO(io, c->elapsed_ns);
	}
	IO(io, p->port61);
}

static void io_rtc(struct snap_io *io, struct hv_rtc_state *r)
{
	io_bytes(io, r->cmos, sizeof(r->cmos));
	IO(io, r->index);
	IO(io, r->offset_ns);
}

static void io_devices(struct snap_io *io, struct hv_device_state *d)
{
	struct hv_uart_state *u = &d->uart;

	IO(io, d->flags);
	IO(io, d->shutdown_match);
	IO(io, u->ier); IO(io, u->iir_thri); IO(io, u->lcr); IO(io, u->mcr);
	IO(io, u->scr); IO(io, u->dll); IO(io, u->dlm); IO(io, u->fcr);
	IO(io, u->rx_count);
	if (u->rx_count > HV_UART_STATE_RX) {
		io_bad(io, "UART receive buffer holds more than 1024 bytes");
		return;
	}
	io_bytes(io, u->rx, u->rx_count);
	if (io->version < 2)
		return;
	io_pic(io, &d->pic[0]);
	io_pic(io, &d->pic[1]);
	io_ioapic(io, &d->ioapic);
	io_pit(io, &d->pit);
	io_rtc(io, &d->rtc);
}

static void io_config(struct snap_io *io, struct snap_config *c)
{
	uint32_t i, reserved = 0;

	io_bytes(io, c->name, HV_NAME_LEN);
	IO(io, c->flags);
	IO(io, c->nr_vcpus);
	IO(io, c->nr_regions);
	IO(io, reserved);
	if (reserved)
		io_bad(io, "reserved field is not zero");
	if (c->nr_regions > HV_MAX_REGIONS) {
		io_bad(io, "more than 16 RAM regions");
		return;
	}
	for (i = 0; i < c->nr_regions; i++) {
		IO(io, c->regions[i].gpa);
		IO(io, c->regions[i].size);
	}
}

/* ---- writing ---- */

void snap_encode_header(struct snap_buf *b, const struct snap_header *h)
{
	size_t start = b->len, plen = strlen(h->base_path);

	snap_put_bytes(b, SNAP_MAGIC, 8);
	/* 0: the current version; tests write older ones */
	snap_put_u32(b, h->format_version ? h->format_version
					  : SNAP_FORMAT_VERSION);
	snap_put_u32(b, (uint32_t)(SNAP_HDR_FIXED + plen + 4));
	snap_put_u32(b, h->flags);
	snap_put_u32(b, h->vendor);
	snap_put_bytes(b, h->hv_version, 32);
	snap_put_bytes(b, h->id, SNAP_ID_LEN);
	snap_put_bytes(b, h->base_id, SNAP_ID_LEN);
	snap_put_u64(b, h->vm_id);
	snap_put_u64(b, h->dirty_epoch);
	snap_put_u64(b, h->file_size);
	snap_put_u32(b, (uint32_t)plen);
	snap_put_u32(b, 0);
	snap_put_u32(b, 0);
	snap_put_bytes(b, h->base_path, plen);
	if (!b->failed)
		snap_put_u32(b, hv_crc32c(0, b->p + start, b->len - start));
}

void snap_encode_section_header(uint8_t out[SNAP_SEC_HDR], uint32_t type,
				uint32_t index, uint64_t len)
{
	set_le(out, type, 4);
	set_le(out + 4, index, 4);
	set_le(out + 8, len, 8);
}

size_t snap_section_begin(struct snap_buf *b, uint32_t type, uint32_t index)
{
	uint8_t h[SNAP_SEC_HDR];
	size_t start = b->len;

	snap_encode_section_header(h, type, index, 0);	/* length later */
	snap_put_bytes(b, h, sizeof(h));
	return start;
}

void snap_section_end(struct snap_buf *b, size_t start)
{
	if (b->failed)
		return;
	set_le(b->p + start + 8, b->len - start - SNAP_SEC_HDR, 8);
	snap_put_u32(b, hv_crc32c(0, b->p + start, b->len - start));
}

void snap_encode_config(struct snap_buf *b, const struct snap_config *c)
{
	struct snap_io io = { .w = b };

	io_config(&io, (struct snap_config *)c);
}

void snap_encode_vcpu_version(struct snap_buf *b,
			      const struct hv_vcpu_state *s, uint32_t version)
{
	struct snap_io io = { .w = b, .version = version };

	io_vcpu(&io, (struct hv_vcpu_state *)s);
}

void snap_encode_devices_version(struct snap_buf *b,
				 const struct hv_device_state *d,
				 uint32_t version)
{
	struct snap_io io = { .w = b, .version = version };

	io_devices(&io, (struct hv_device_state *)d);
}

void snap_encode_vcpu(struct snap_buf *b, const struct hv_vcpu_state *s)
{
	snap_encode_vcpu_version(b, s, SNAP_FORMAT_VERSION);
}

void snap_encode_devices(struct snap_buf *b, const struct hv_device_state *d)
{
	snap_encode_devices_version(b, d, SNAP_FORMAT_VERSION);
}

void snap_encode_end(struct snap_buf *b, uint32_t version,
		     uint32_t nr_sections, uint64_t pages_stored,
		     uint64_t index_off)
{
	snap_put_u32(b, nr_sections);
	snap_put_u32(b, 0);
	snap_put_u64(b, pages_stored);
	if (!version || version >= SNAP_FORMAT_INDEXED)
		snap_put_u64(b, index_off);
}

void snap_index_add(struct snap_buf *entries, uint64_t off, uint64_t len,
		    uint32_t region, uint64_t first_page, uint32_t nr_pages)
{
	snap_put_u64(entries, off);
	snap_put_u64(entries, len);
	snap_put_u64(entries, first_page);
	snap_put_u32(entries, region);
	snap_put_u32(entries, nr_pages);
}

void snap_encode_index(struct snap_buf *b, const struct snap_buf *entries)
{
	snap_put_u32(b, (uint32_t)(entries->len / SNAP_INDEX_ENTRY));
	snap_put_u32(b, 0);
	snap_put_bytes(b, entries->p, entries->len);
	if (entries->failed)
		b->failed = true;
}

bool snap_page_is_zero(const void *p)
{
	const uint64_t *w = p;
	size_t i;

	/* Four words per step: one OR tree, one branch. */
	for (i = 0; i < SNAP_PAGE / 8; i += 4)
		if (w[i] | w[i + 1] | w[i + 2] | w[i + 3])
			return false;
	return true;
}

/* ---- decoding payloads (lib/snap/snapparse.c checks the rest) ---- */

static const char *io_result(const struct snap_io *io)
{
	if (io->bad)
		return io->bad;
	if (io->overrun || io->off != io->len)
		return "length does not match its contents";
	return NULL;
}

const char *snap_decode_config(const uint8_t *p, uint64_t len,
			       struct snap_config *c)
{
	struct snap_io io = { .r = p, .len = len };

	io_config(&io, c);
	return io_result(&io);
}

const char *snap_decode_vcpu(const uint8_t *p, uint64_t len,
			     uint32_t version, struct hv_vcpu_state *s)
{
	struct snap_io io = { .r = p, .len = len, .version = version };

	io_vcpu(&io, s);
	return io_result(&io);
}

const char *snap_decode_devices(const uint8_t *p, uint64_t len,
				uint32_t version, struct hv_device_state *d)
{
	struct snap_io io = { .r = p, .len = len, .version = version };

	io_devices(&io, d);
	return io_result(&io);
}
