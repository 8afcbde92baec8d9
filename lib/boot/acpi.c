// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: ACPI tables for hv's PC (ACPI 6.4).
 *
 * What the guest finds at @gpa (each table 16-byte aligned, the FACS
 * 64-byte aligned):
 *
 *   RSDP  revision 2, pointing at the XSDT only (RsdtAddress 0)
 *   XSDT  -> FADT, MADT
 *   FADT  revision 6.4, 276 bytes: not hardware-reduced; the PM1 blocks
 *         kmod/io/pm.c emulates (PM1a_EVT 0x600, PM1a_CNT 0x604, PM_TMR
 *         0x608), SCI_INT 9, SMI_CMD 0 (always in ACPI mode), RESET_REG
 *         port 0xcf9 value 0x06, no 8042, no VGA, the RTC's century
 *   FACS  64 bytes, no waking vector (hv has no S3)
 *   MADT  a local APIC per vCPU (APIC ID = vCPU id), the IOAPIC (ID =
 *         vcpus), IRQ0->GSI2 and IRQ9 level/high overrides, NMI on
 *         LINT1 of every processor; PCAT_COMPAT (the 8259s exist)
 *   DSDT  \_SB.COM1 (PNP0501, 0x3f8, IRQ 4) and \_S5_ (SLP_TYP 0)
 *
 * The tables are built in a scratch buffer first, so a buffer that is
 * too small gets -ENOSPC with nothing written.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"

#define ACPI_OEM_ID		"HV    "	/* 6 bytes */
#define ACPI_OEM_TABLE_ID	"HVPC    "	/* 8 bytes */
#define ACPI_CREATOR_ID		"HV  "
#define ACPI_HDR_LEN		36

/* The scratch buffer: every table for HV_MAX_VCPUS fits in a fraction. */
#define ACPI_SCRATCH		4096

struct acpi_out {
	uint8_t b[ACPI_SCRATCH];
	size_t len;
	bool full;
};

static void put8(uint8_t *p, uint8_t v)   { p[0] = v; }
static void put16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }

/* Reserve @n zeroed bytes at the end, or mark the scratch full. */
static uint8_t *acpi_grow(struct acpi_out *o, size_t n)
{
	uint8_t *p;

	if (o->full || n > sizeof(o->b) - o->len) {
		o->full = true;
		return NULL;
	}
	p = o->b + o->len;
	memset(p, 0, n);
	o->len += n;
	return p;
}

/* Start a table at the next multiple of @align (relative to GPA @gpa). */
static size_t acpi_align(struct acpi_out *o, uint64_t gpa, size_t align)
{
	size_t pad = (align - (gpa + o->len) % align) % align;

	acpi_grow(o, pad);
	return o->len;
}

static uint8_t acpi_sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* ACPI 6.4, 5.2.6: the header every description table starts with. */
static void acpi_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	put8(t + 8, rev);
	/* t[9]: checksum, set last by acpi_checksum() */
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
	put32(t + 24, 1);			/* OEM revision */
	memcpy(t + 28, ACPI_CREATOR_ID, 4);
	put32(t + 32, 1);			/* creator revision */
}

/* ACPI 6.4, 5.2.6: the whole table sums to zero. */
static void acpi_checksum(uint8_t *t, size_t len, size_t at)
{
	t[at] = 0;
	t[at] = (uint8_t)-acpi_sum(t, len);
}

/* ACPI 6.4, 5.2.3.2: a Generic Address Structure in system I/O space. */
static void acpi_gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint16_t port)
{
	put8(p, 1);			/* address space: SystemIO */
	put8(p + 1, bits);		/* register bit width */
	put8(p + 2, 0);			/* bit offset */
	put8(p + 3, access);		/* 1 byte, 2 word, 3 dword */
	put64(p + 4, port);
}

/* ---- AML (ACPI 6.4, chapter 20) ---- */

#define AML_ZERO		0x00
#define AML_NAME		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_DWORD_PREFIX	0x0c
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE		0x82	/* after AML_EXT_PREFIX */
#define AML_ROOT		'\\'

static void aml_bytes(struct acpi_out *o, const void *p, size_t n)
{
	uint8_t *d = acpi_grow(o, n);

	if (d)
		memcpy(d, p, n);
}

static void aml_byte(struct acpi_out *o, uint8_t v)
{
	aml_bytes(o, &v, 1);
}

/* A NameSeg (20.2.2): exactly four characters, e.g. "_SB_", "COM1". */
static void aml_nameseg(struct acpi_out *o, const char seg[4])
{
	aml_bytes(o, seg, 4);
}

/*
 * PkgLength (20.2.4) counts itself and what follows up to the end of
 * the package.  aml_pkg_begin() notes where the body starts; the
 * length is inserted in front of it by aml_pkg_end(), once known.
 */
static size_t aml_pkg_begin(struct acpi_out *o)
{
	return o->len;
}

static void aml_pkg_end(struct acpi_out *o, size_t start)
{
	size_t body = o->len - start, n, len;
	uint8_t enc[4];

	if (o->full)
		return;
	/* 1 byte holds up to 63; n bytes hold 4 + 8 * (n - 1) bits. */
	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else
		n = 4;
	len = body + n;
	if (n == 1) {
		enc[0] = len;
	} else {
		enc[0] = ((n - 1) << 6) | (len & 0xf);
		enc[1] = len >> 4;
		enc[2] = len >> 12;
		enc[3] = len >> 20;
	}
	if (!acpi_grow(o, n))
		return;
	memmove(o->b + start + n, o->b + start, body);
	memcpy(o->b + start, enc, n);
}

/* 6.1.5: EisaId("PNP0501") as the DWord the ASL compiler makes. */
static uint32_t aml_eisaid(const char id[7])
{
	uint16_t vendor = ((id[0] - 0x40) & 0x1f) << 10 |
			  ((id[1] - 0x40) & 0x1f) << 5 |
			  ((id[2] - 0x40) & 0x1f);
	uint32_t v = 0;
	int i;

	for (i = 3; i < 7; i++)
		v = v << 4 | (id[i] <= '9' ? id[i] - '0' : id[i] - 'A' + 10);
	/* Stored big-endian: vendor then product, read as a little DWord. */
	return (uint32_t)(vendor >> 8) | (uint32_t)(vendor & 0xff) << 8 |
	       ((v >> 8) & 0xff) << 16 | (v & 0xff) << 24;
}

static void aml_name_dword(struct acpi_out *o, const char seg[4], uint32_t v)
{
	uint8_t d[4];

	aml_byte(o, AML_NAME);
	aml_nameseg(o, seg);
	aml_byte(o, AML_DWORD_PREFIX);
	put32(d, v);
	aml_bytes(o, d, 4);
}

/*
 * Device(COM1): the UART of kmod/io/uart.c.  _CRS is a ResourceTemplate
 * (6.4, small resource descriptors): IO(Decode16, 0x3F8, 0x3F8, 1, 8),
 * IRQNoFlags() {4}, EndTag.
 */
static void aml_com1(struct acpi_out *o)
{
	static const uint8_t crs[] = {
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08, /* 6.4.2.5 IO */
		0x22, 0x10, 0x00,		/* 6.4.2.1 IRQ, mask bit 4 */
		0x79, 0x00,			/* 6.4.2.9 end tag, sum 0 */
	};
	size_t dev, buf;

	aml_byte(o, AML_EXT_PREFIX);
	aml_byte(o, AML_DEVICE);
	dev = aml_pkg_begin(o);
	aml_nameseg(o, "COM1");

	aml_name_dword(o, "_HID", aml_eisaid("PNP0501"));

	aml_byte(o, AML_NAME);
	aml_nameseg(o, "_UID");
	aml_byte(o, AML_ZERO);

	aml_byte(o, AML_NAME);
	aml_nameseg(o, "_CRS");
	aml_byte(o, AML_BUFFER);
	buf = aml_pkg_begin(o);
	aml_byte(o, AML_BYTE_PREFIX);
	aml_byte(o, sizeof(crs));
	aml_bytes(o, crs, sizeof(crs));
	aml_pkg_end(o, buf);

	aml_pkg_end(o, dev);
}

static void aml_dsdt_body(struct acpi_out *o)
{
	size_t scope, pkg;

	/* Scope(\_SB) { Device(COM1) { ... } } */
	aml_byte(o, AML_SCOPE);
	scope = aml_pkg_begin(o);
	aml_byte(o, AML_ROOT);
	aml_nameseg(o, "_SB_");
	aml_com1(o);
	aml_pkg_end(o, scope);

	/*
	 * Name(\_S5_, Package() {0, 0, 0, 0}): 7.4.2, SLP_TYPa, SLP_TYPb
	 * and two reserved; SLP_TYP 0 with SLP_EN is poweroff to pm.c.
	 */
	aml_byte(o, AML_NAME);
	aml_byte(o, AML_ROOT);
	aml_nameseg(o, "_S5_");
	aml_byte(o, AML_PACKAGE);
	pkg = aml_pkg_begin(o);
	aml_byte(o, 4);			/* NumElements */
	aml_byte(o, AML_ZERO);
	aml_byte(o, AML_ZERO);
	aml_byte(o, AML_ZERO);
	aml_byte(o, AML_ZERO);
	aml_pkg_end(o, pkg);
}

/* ---- the tables ---- */

/* ACPI 6.4, 5.2.12: MADT. */
static size_t acpi_madt(struct acpi_out *o, uint64_t gpa, uint32_t vcpus)
{
	size_t at = acpi_align(o, gpa, 16);
	uint8_t *t, *e;
	uint32_t i;

	t = acpi_grow(o, ACPI_HDR_LEN + 8);
	if (!t)
		return at;
	put32(t + 36, HV_ACPI_LAPIC_ADDR);	/* local interrupt controller */
	put32(t + 40, 1);			/* PCAT_COMPAT: 8259s present */

	for (i = 0; i < vcpus; i++) {
		e = acpi_grow(o, 8);		/* 5.2.12.2 Processor Local APIC */
		if (!e)
			return at;
		put8(e, 0);
		put8(e + 1, 8);
		put8(e + 2, i);			/* ACPI processor UID */
		put8(e + 3, i);			/* APIC ID = vCPU id */
		put32(e + 4, 1);		/* Enabled */
	}

	e = acpi_grow(o, 12);			/* 5.2.12.3 I/O APIC */
	if (!e)
		return at;
	put8(e, 1);
	put8(e + 1, 12);
	put8(e + 2, vcpus);			/* IOAPIC ID after the CPUs' */
	put32(e + 4, HV_ACPI_IOAPIC_ADDR);
	put32(e + 8, 0);			/* GSI base */

	e = acpi_grow(o, 10);			/* 5.2.12.5 ISO: PIT IRQ0 -> GSI2 */
	if (!e)
		return at;
	put8(e, 2);
	put8(e + 1, 10);
	put8(e + 2, 0);				/* bus: ISA */
	put8(e + 3, 0);
	put32(e + 4, 2);
	put16(e + 8, 0);			/* conforms to the bus: edge/high */

	e = acpi_grow(o, 10);			/* ISO: SCI, IRQ9 level/high */
	if (!e)
		return at;
	put8(e, 2);
	put8(e + 1, 10);
	put8(e + 2, 0);
	put8(e + 3, HV_ACPI_SCI_IRQ);
	put32(e + 4, HV_ACPI_SCI_IRQ);
	put16(e + 8, 0x1 | 0x3 << 2);		/* Table 5.50: high, level */

	e = acpi_grow(o, 6);			/* 5.2.12.7 Local APIC NMI */
	if (!e)
		return at;
	put8(e, 4);
	put8(e + 1, 6);
	put8(e + 2, 0xff);			/* all processors */
	put16(e + 3, 0);			/* conforms: edge/high */
	put8(e + 5, 1);				/* LINT1 */

	t = o->b + at;
	acpi_header(t, "APIC", o->len - at, 5);
	return at;
}

/* ACPI 6.4, 5.2.9: FADT, revision 6 minor 4, 276 bytes. */
static size_t acpi_fadt(struct acpi_out *o, uint64_t gpa, uint64_t facs,
			uint64_t dsdt)
{
	size_t at = acpi_align(o, gpa, 16);
	uint8_t *t = acpi_grow(o, HV_ACPI_FADT_LEN);

	if (!t)
		return at;
	acpi_header(t, "FACP", HV_ACPI_FADT_LEN, 6);
	/*
	 * Below 4 GiB the 32-bit FIRMWARE_CTRL is used and X_FIRMWARE_CTRL
	 * must be 0 (Table 5.33); DSDT and X_DSDT both name the DSDT.
	 */
	put32(t + 36, facs);			/* FIRMWARE_CTRL */
	put32(t + 40, dsdt);			/* DSDT */
	put8(t + 45, 0);			/* Preferred_PM_Profile: unspecified */
	put16(t + 46, HV_ACPI_SCI_IRQ);		/* SCI_INT */
	put32(t + 48, 0);			/* SMI_CMD 0: always ACPI mode */
	put32(t + 56, HV_ACPI_PM1A_EVT);	/* PM1a_EVT_BLK */
	put32(t + 64, HV_ACPI_PM1A_CNT);	/* PM1a_CNT_BLK */
	put32(t + 76, HV_ACPI_PM_TMR);		/* PM_TMR_BLK */
	put8(t + 88, 4);			/* PM1_EVT_LEN: STS + EN */
	put8(t + 89, 2);			/* PM1_CNT_LEN */
	put8(t + 91, 4);			/* PM_TMR_LEN */
	put16(t + 96, 101);			/* P_LVL2_LAT > 100: no C2 */
	put16(t + 98, 1001);			/* P_LVL3_LAT > 1000: no C3 */
	put8(t + 108, HV_ACPI_RTC_CENTURY);	/* CENTURY: CMOS index */
	put16(t + 109, HV_ACPI_BOOT_ARCH);	/* IAPC_BOOT_ARCH */
	put32(t + 112, HV_ACPI_FADT_FLAGS);	/* Flags */
	acpi_gas_io(t + 116, 8, 1, HV_ACPI_RESET_PORT);	/* RESET_REG */
	put8(t + 128, HV_ACPI_RESET_VALUE);	/* RESET_VALUE */
	put8(t + 131, 4);			/* FADT minor version: 6.4 */
	put64(t + 132, 0);			/* X_FIRMWARE_CTRL */
	put64(t + 140, dsdt);			/* X_DSDT */
	acpi_gas_io(t + 148, 32, 2, HV_ACPI_PM1A_EVT);	/* X_PM1a_EVT_BLK */
	acpi_gas_io(t + 172, 16, 2, HV_ACPI_PM1A_CNT);	/* X_PM1a_CNT_BLK */
	acpi_gas_io(t + 208, 32, 3, HV_ACPI_PM_TMR);	/* X_PM_TMR_BLK */
	memcpy(t + 268, "hvhvhvhv", 8);		/* hypervisor vendor identity */
	return at;
}

/* ACPI 6.4, 5.2.10: FACS, 64-byte aligned, no checksum of its own. */
static size_t acpi_facs(struct acpi_out *o, uint64_t gpa)
{
	size_t at = acpi_align(o, gpa, 64);
	uint8_t *t = acpi_grow(o, 64);

	if (!t)
		return at;
	memcpy(t, "FACS", 4);
	put32(t + 4, 64);
	put8(t + 32, 2);			/* version */
	return at;
}

/* ACPI 6.4, 5.2.11.1: DSDT, revision 2 (64-bit AML integers). */
static size_t acpi_dsdt(struct acpi_out *o, uint64_t gpa)
{
	size_t at = acpi_align(o, gpa, 16);

	if (!acpi_grow(o, ACPI_HDR_LEN))
		return at;
	aml_dsdt_body(o);
	if (!o->full)
		acpi_header(o->b + at, "DSDT", o->len - at, 2);
	return at;
}

int hv_acpi_build(void *buf, size_t room, uint64_t gpa,
		  const struct hv_acpi_config *cfg)
{
	struct acpi_out *o;
	size_t rsdp, xsdt, fadt, facs, madt, dsdt, i;
	size_t tables[4];
	uint8_t *t;
	int ret;

	if (!buf || !cfg || cfg->vcpus == 0 || cfg->vcpus > HV_MAX_VCPUS ||
	    cfg->flags != 0 || gpa % 16 != 0 ||
	    gpa >= (1ULL << 32) - ACPI_SCRATCH)
		return -EINVAL;

	/* 4 KiB: a heap scratch keeps the caller's stack small. */
	o = calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;

	rsdp = acpi_align(o, gpa, 16);
	acpi_grow(o, 36);
	xsdt = acpi_align(o, gpa, 16);
	acpi_grow(o, ACPI_HDR_LEN + 2 * 8);
	facs = acpi_facs(o, gpa);
	dsdt = acpi_dsdt(o, gpa);
	fadt = acpi_fadt(o, gpa, gpa + facs, gpa + dsdt);
	madt = acpi_madt(o, gpa, cfg->vcpus);
	if (o->full) {
		ret = -ENOSPC;
		goto out;
	}

	/* 5.2.8: the XSDT's entries are 64-bit physical addresses. */
	t = o->b + xsdt;
	acpi_header(t, "XSDT", ACPI_HDR_LEN + 2 * 8, 1);
	put64(t + 36, gpa + fadt);
	put64(t + 44, gpa + madt);

	tables[0] = xsdt;
	tables[1] = fadt;
	tables[2] = madt;
	tables[3] = dsdt;
	for (i = 0; i < 4; i++) {
		t = o->b + tables[i];
		acpi_checksum(t, t[4] | t[5] << 8 | t[6] << 16 |
			      (uint32_t)t[7] << 24, 9);
	}

	/* 5.2.5.3: RSDP, revision 2: 20-byte and 36-byte checksums. */
	t = o->b + rsdp;
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, ACPI_OEM_ID, 6);
	put8(t + 15, 2);			/* revision */
	put32(t + 16, 0);			/* RsdtAddress: XSDT only */
	put32(t + 20, 36);			/* length */
	put64(t + 24, gpa + xsdt);
	acpi_checksum(t, 20, 8);
	acpi_checksum(t, 36, 32);

	if (o->len > room) {
		ret = -ENOSPC;
		goto out;
	}
	memcpy(buf, o->b, o->len);
	ret = (int)o->len;
out:
	free(o);
	return ret;
}
