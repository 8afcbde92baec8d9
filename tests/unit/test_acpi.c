// SPDX-License-Identifier: GPL-2.0
/*
 * hv_acpi_build() (lib/boot/acpi.c): the tables are found the way an OS
 * finds them, from the RSDP through the XSDT and FADT, and each is
 * parsed back field by field against ACPI 6.4 and the platform of
 * docs/linux.md; every checksum is verified.  If iasl (acpica-tools) is
 * installed, it disassembles the DSDT and the other tables too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define ROOM	HV_ACPI_SIZE

static uint8_t *acpi_buf;

static void acpi_setup(void)
{
	acpi_buf = malloc(ROOM);
	ck_assert_ptr_nonnull(acpi_buf);
	memset(acpi_buf, 0xa5, ROOM);
}

static void acpi_teardown(void)
{
	free(acpi_buf);
}

static uint16_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The table at @addr, which must lie inside the @len bytes built at @gpa. */
static const uint8_t *table_at(uint64_t gpa, int len, uint64_t addr,
			       const char *sig)
{
	const uint8_t *t;
	uint32_t tlen;

	ck_assert_uint_ge(addr, gpa);
	ck_assert_uint_le(addr + 36, gpa + len);
	t = acpi_buf + (addr - gpa);
	ck_assert_mem_eq(t, sig, 4);
	tlen = rd32(t + 4);
	ck_assert_uint_le(addr + tlen, gpa + len);
	if (strcmp(sig, "FACS") != 0) {
		ck_assert_uint_eq(sum(t, tlen), 0);	/* 5.2.6 */
		ck_assert_mem_eq(t + 10, "HV    ", 6);
	}
	return t;
}

struct tables {
	const uint8_t *rsdp, *xsdt, *fadt, *facs, *madt, *dsdt;
};

/* Build for @vcpus at @gpa and walk the tables from the RSDP. */
static int build_and_find(uint64_t gpa, uint32_t vcpus, struct tables *tb)
{
	struct hv_acpi_config cfg = { .vcpus = vcpus };
	int len, i, n;

	len = hv_acpi_build(acpi_buf, ROOM, gpa, &cfg);
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, ROOM);
	/* Nothing beyond what it says it used */
	for (i = len; i < len + 64; i++)
		ck_assert_uint_eq(acpi_buf[i], 0xa5);

	/* 5.2.5.3: RSDP first, revision 2, both checksums */
	tb->rsdp = acpi_buf;
	ck_assert_mem_eq(tb->rsdp, "RSD PTR ", 8);
	ck_assert_uint_eq(sum(tb->rsdp, 20), 0);
	ck_assert_uint_eq(tb->rsdp[15], 2);
	ck_assert_uint_eq(rd32(tb->rsdp + 16), 0);
	ck_assert_uint_eq(rd32(tb->rsdp + 20), 36);
	ck_assert_uint_eq(sum(tb->rsdp, 36), 0);

	tb->xsdt = table_at(gpa, len, rd64(tb->rsdp + 24), "XSDT");
	ck_assert_uint_eq(rd32(tb->xsdt + 4), 36 + 2 * 8);
	ck_assert_uint_eq(tb->xsdt[8], 1);
	tb->fadt = tb->madt = NULL;
	n = (rd32(tb->xsdt + 4) - 36) / 8;
	for (i = 0; i < n; i++) {
		uint64_t a = rd64(tb->xsdt + 36 + 8 * i);

		ck_assert_uint_ge(a, gpa);
		if (!memcmp(acpi_buf + (a - gpa), "FACP", 4))
			tb->fadt = table_at(gpa, len, a, "FACP");
		else
			tb->madt = table_at(gpa, len, a, "APIC");
	}
	ck_assert_ptr_nonnull(tb->fadt);
	ck_assert_ptr_nonnull(tb->madt);
	ck_assert_uint_eq(rd32(tb->fadt + 36) % 64, 0);
	tb->facs = table_at(gpa, len, rd32(tb->fadt + 36), "FACS");
	tb->dsdt = table_at(gpa, len, rd64(tb->fadt + 140), "DSDT");
	return len;
}

START_TEST(rsdp_xsdt)
{
	struct tables tb;

	build_and_find(HV_ACPI_GPA, 1, &tb);
	ck_assert_mem_eq(tb.rsdp + 9, "HV    ", 6);
	ck_assert_uint_eq(rd64(tb.rsdp + 24) % 16, 0);
	ck_assert_mem_eq(tb.xsdt + 16, "HVPC    ", 8);
}
END_TEST

static void check_gas_io(const uint8_t *g, uint8_t bits, uint8_t access,
			 uint16_t port)
{
	ck_assert_uint_eq(g[0], 1);		/* SystemIO */
	ck_assert_uint_eq(g[1], bits);
	ck_assert_uint_eq(g[2], 0);
	ck_assert_uint_eq(g[3], access);
	ck_assert_uint_eq(rd64(g + 4), port);
}

START_TEST(fadt_fields)
{
	struct tables tb;
	const uint8_t *f;
	int i;

	build_and_find(HV_ACPI_GPA, 2, &tb);
	f = tb.fadt;
	ck_assert_uint_eq(rd32(f + 4), 276);
	ck_assert_uint_eq(f[8], 6);			/* major */
	ck_assert_uint_eq(f[131], 4);			/* minor */
	/* FACS and DSDT: 32-bit and 64-bit fields agree (Table 5.33) */
	ck_assert_uint_eq(rd32(f + 36), (uintptr_t)(tb.facs - acpi_buf) + HV_ACPI_GPA);
	ck_assert_uint_eq(rd64(f + 132), 0);		/* X_FIRMWARE_CTRL */
	ck_assert_uint_eq(rd32(f + 40), rd64(f + 140));
	ck_assert_uint_eq(rd16(f + 46), 9);		/* SCI_INT */
	ck_assert_uint_eq(rd32(f + 48), 0);		/* SMI_CMD */
	ck_assert_uint_eq(f[52], 0);
	ck_assert_uint_eq(f[53], 0);
	ck_assert_uint_eq(rd32(f + 56), 0x600);	/* PM1a_EVT_BLK */
	ck_assert_uint_eq(rd32(f + 60), 0);
	ck_assert_uint_eq(rd32(f + 64), 0x604);	/* PM1a_CNT_BLK */
	ck_assert_uint_eq(rd32(f + 68), 0);
	ck_assert_uint_eq(rd32(f + 72), 0);		/* PM2 */
	ck_assert_uint_eq(rd32(f + 76), 0x608);	/* PM_TMR_BLK */
	ck_assert_uint_eq(rd32(f + 80), 0);		/* GPE0 */
	ck_assert_uint_eq(rd32(f + 84), 0);
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(f[90], 0);
	ck_assert_uint_eq(f[91], 4);
	ck_assert_uint_eq(f[92], 0);
	ck_assert_uint_eq(f[93], 0);
	ck_assert_uint_gt(rd16(f + 96), 100);		/* no C2 */
	ck_assert_uint_gt(rd16(f + 98), 1000);		/* no C3 */
	ck_assert_uint_eq(f[108], 0x32);		/* CENTURY */
	ck_assert_uint_eq(rd16(f + 109), 0x0005);	/* LEGACY | no VGA */
	ck_assert_uint_eq(rd16(f + 109) & 2, 0);	/* no 8042 */
	ck_assert_uint_eq(rd32(f + 112), 0x575);
	ck_assert_uint_eq(rd32(f + 112) & (1u << 20), 0); /* not HW_REDUCED */
	ck_assert_uint_ne(rd32(f + 112) & (1u << 8), 0);  /* TMR_VAL_EXT */
	ck_assert_uint_ne(rd32(f + 112) & (1u << 10), 0); /* RESET_REG_SUP */
	check_gas_io(f + 116, 8, 1, 0xcf9);		/* RESET_REG */
	ck_assert_uint_eq(f[128], 0x06);
	ck_assert_uint_eq(rd16(f + 129), 0);		/* ARM_BOOT_ARCH */
	/* X_ blocks as wide as the legacy lengths (5.2.9) */
	check_gas_io(f + 148, 32, 2, 0x600);
	for (i = 160; i < 172; i++)
		ck_assert_uint_eq(f[i], 0);		/* X_PM1b_EVT */
	check_gas_io(f + 172, 16, 2, 0x604);
	for (i = 184; i < 208; i++)
		ck_assert_uint_eq(f[i], 0);		/* X_PM1b_CNT, X_PM2 */
	check_gas_io(f + 208, 32, 3, 0x608);
	for (i = 220; i < 268; i++)
		ck_assert_uint_eq(f[i], 0);		/* GPEs, sleep regs */
	ck_assert_mem_eq(f + 268, "hvhvhvhv", 8);

	/* FACS */
	ck_assert_uint_eq(rd32(tb.facs + 4), 64);
	ck_assert_uint_eq(rd32(tb.facs + 12), 0);	/* no waking vector */
	ck_assert_uint_eq(tb.facs[32], 2);
}
END_TEST

START_TEST(madt_per_vcpu)
{
	uint32_t vcpus = _i, i;
	struct tables tb;
	const uint8_t *m, *e, *end;
	int lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	build_and_find(HV_ACPI_GPA, vcpus, &tb);
	m = tb.madt;
	ck_assert_uint_eq(m[8], 5);
	ck_assert_uint_eq(rd32(m + 36), 0xfee00000);
	ck_assert_uint_eq(rd32(m + 40), 1);		/* PCAT_COMPAT */
	end = m + rd32(m + 4);
	ck_assert_uint_eq(rd32(m + 4), 44 + 8 * vcpus + 12 + 10 + 10 + 6);
	for (e = m + 44; e < end; e += e[1]) {
		ck_assert_uint_ge(e[1], 2);
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[2], lapics);	/* UID */
			ck_assert_uint_eq(e[3], lapics);	/* APIC ID */
			ck_assert_uint_eq(rd32(e + 4), 1);
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(e[2], vcpus);
			ck_assert_uint_eq(rd32(e + 4), 0xfec00000);
			ck_assert_uint_eq(rd32(e + 8), 0);
			ioapics++;
			break;
		case 2:
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0);
			if (e[3] == 0) {
				ck_assert_uint_eq(rd32(e + 4), 2);
				ck_assert_uint_eq(rd16(e + 8), 0);
			} else {
				ck_assert_uint_eq(e[3], 9);
				ck_assert_uint_eq(rd32(e + 4), 9);
				ck_assert_uint_eq(rd16(e + 8), 0x000d);
			}
			isos++;
			break;
		case 4:
			ck_assert_uint_eq(e[1], 6);
			ck_assert_uint_eq(e[2], 0xff);
			ck_assert_uint_eq(rd16(e + 3), 0);
			ck_assert_uint_eq(e[5], 1);
			nmis++;
			break;
		default:
			ck_abort_msg("unexpected MADT entry type %u", e[0]);
		}
	}
	ck_assert_ptr_eq(e, end);
	ck_assert_int_eq(lapics, vcpus);
	ck_assert_int_eq(ioapics, 1);
	ck_assert_int_eq(isos, 2);
	ck_assert_int_eq(nmis, 1);
	for (i = 0; i < vcpus; i++)
		ck_assert_uint_eq(m[44 + 8 * i + 3], i);
}
END_TEST

/* What `iasl` makes of the ASL in lib/boot/acpi.c, byte for byte. */
static const uint8_t dsdt_aml[] = {
	0x10, 0x33, '\\', '_', 'S', 'B', '_',		/* Scope(\_SB) */
	0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',		/* Device(COM1) */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
	0x08, '_', 'U', 'I', 'D', 0x00,
	0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
	0x22, 0x10, 0x00, 0x79, 0x00,
	0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00,
};

START_TEST(dsdt_aml_bytes)
{
	struct tables tb;

	build_and_find(HV_ACPI_GPA, 1, &tb);
	ck_assert_uint_eq(tb.dsdt[8], 2);
	ck_assert_uint_eq(rd32(tb.dsdt + 4), 36 + sizeof(dsdt_aml));
	ck_assert_mem_eq(tb.dsdt + 36, dsdt_aml, sizeof(dsdt_aml));
}
END_TEST

START_TEST(placement)
{
	static const uint64_t gpas[] = { 0xe0000, 0xe0010, 0xe0030, 0x100000,
					 0xfff00000 - 0x20000 };
	struct tables tb;
	size_t i;
	int len;

	for (i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		memset(acpi_buf, 0xa5, ROOM);
		len = build_and_find(gpas[i], 8, &tb);
		ck_assert_uint_eq((gpas[i] + (tb.facs - acpi_buf)) % 64, 0);
		ck_assert_int_lt(len, 4096);
	}
}
END_TEST

START_TEST(refused)
{
	struct hv_acpi_config cfg = { .vcpus = 1 };
	uint8_t *copy = malloc(ROOM);
	int len;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, acpi_buf, ROOM);
	cfg.vcpus = 0;
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA, &cfg), -EINVAL);
	cfg.vcpus = HV_MAX_VCPUS + 1;
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA, &cfg), -EINVAL);
	cfg.vcpus = 1;
	cfg.flags = 1;
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA, &cfg), -EINVAL);
	cfg.flags = 0;
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA + 8, &cfg), -EINVAL);
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, 1ULL << 32, &cfg), -EINVAL);
	ck_assert_int_eq(hv_acpi_build(NULL, ROOM, HV_ACPI_GPA, &cfg), -EINVAL);
	ck_assert_int_eq(hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA, NULL), -EINVAL);
	ck_assert_mem_eq(acpi_buf, copy, ROOM);

	len = hv_acpi_build(acpi_buf, ROOM, HV_ACPI_GPA, &cfg);
	ck_assert_int_gt(len, 0);
	memcpy(copy, acpi_buf, ROOM);
	memset(acpi_buf, 0xa5, ROOM);
	/* One byte short: nothing written; exactly enough: the same tables */
	ck_assert_int_eq(hv_acpi_build(acpi_buf, len - 1, HV_ACPI_GPA, &cfg), -ENOSPC);
	ck_assert_int_eq(hv_acpi_build(acpi_buf, 0, HV_ACPI_GPA, &cfg), -ENOSPC);
	ck_assert_uint_eq(acpi_buf[0], 0xa5);
	ck_assert_uint_eq(acpi_buf[len - 2], 0xa5);
	ck_assert_int_eq(hv_acpi_build(acpi_buf, len, HV_ACPI_GPA, &cfg), len);
	ck_assert_mem_eq(acpi_buf, copy, len);
	free(copy);
}
END_TEST

/* ---- iasl, when installed ---- */

static const char *find_iasl(void)
{
	static const char *const paths[] = { "/usr/bin/iasl", "/usr/local/bin/iasl" };
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Disassemble one table with iasl -d; return the .dsl text (malloc'd). */
static char *iasl_disassemble(const char *iasl, const uint8_t *t, const char *name)
{
	char dir[] = "/tmp/hv-unit-acpi.XXXXXX", cmd[512], path[256];
	size_t n, cap = 0;
	char *text = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(t, 1, rd32(t + 4), f), rd32(t + 4));
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd %s && %s -d %s.dat >iasl.out 2>&1", dir,
		 iasl, name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s.dsl", dir, name);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "iasl made no %s", path);
	ck_assert_int_eq(getdelim(&text, &cap, '\0', f) > 0, 1);
	fclose(f);
	n = strlen(text);
	ck_assert_uint_gt(n, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	return text;
}

START_TEST(iasl_dsdt)
{
	const char *iasl = find_iasl();
	struct tables tb;
	char *dsl;

	if (!iasl)
		return;		/* acpica-tools not installed: skipped */
	build_and_find(HV_ACPI_GPA, 4, &tb);
	dsl = iasl_disassemble(iasl, tb.dsdt, "dsdt");
	ck_assert_ptr_nonnull(strstr(dsl, "Device (COM1)"));
	ck_assert_ptr_nonnull(strstr(dsl, "EisaId (\"PNP0501\")"));
	ck_assert_ptr_nonnull(strstr(dsl, "0x03F8"));
	ck_assert_ptr_nonnull(strstr(dsl, "IRQNoFlags ()"));
	ck_assert_ptr_nonnull(strstr(dsl, "{4}"));
	ck_assert_ptr_nonnull(strstr(dsl, "Name (\\_S5, Package (0x04)"));
	free(dsl);
}
END_TEST

START_TEST(iasl_tables)
{
	const char *iasl = find_iasl();
	struct tables tb;
	char *dsl;

	if (!iasl)
		return;
	build_and_find(HV_ACPI_GPA, 2, &tb);

	dsl = iasl_disassemble(iasl, tb.fadt, "facp");
	ck_assert_ptr_nonnull(strstr(dsl, "PM1A Event Block Address : 00000600"));
	ck_assert_ptr_null(strstr(dsl, "Warning"));
	ck_assert_ptr_null(strstr(dsl, "Error"));
	ck_assert_ptr_null(strstr(dsl, "Invalid"));
	free(dsl);

	dsl = iasl_disassemble(iasl, tb.madt, "apic");
	ck_assert_int_eq(count_substr(dsl, "Processor Local APIC"), 2);
	ck_assert_ptr_null(strstr(dsl, "Invalid"));
	free(dsl);
}
END_TEST

Suite *acpi_suite(void)
{
	Suite *s = suite_create("acpi");
	TCase *tc = tcase_create("tables");

	tcase_add_checked_fixture(tc, acpi_setup, acpi_teardown);
	tcase_add_test(tc, rsdp_xsdt);
	tcase_add_test(tc, fadt_fields);
	tcase_add_loop_test(tc, madt_per_vcpu, 1, HV_MAX_VCPUS + 1);
	tcase_add_test(tc, dsdt_aml_bytes);
	tcase_add_test(tc, placement);
	tcase_add_test(tc, refused);
	tcase_add_test(tc, iasl_dsdt);
	tcase_add_test(tc, iasl_tables);
	suite_add_tcase(s, tc);
	return s;
}
