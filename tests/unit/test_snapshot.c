// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vm_snapshot(), hv_snapshot_check() and hv_vm_restore() over the
 * fake VM fds: round trips, zero pages, incremental snapshots against
 * the fake's dirty bitmaps, and every kind of damaged file refused with
 * its own line and nothing created (no HV_CREATE_VM reaches the fake).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap_helpers.h"
#include "snap/crc32c.h"
#include "snap/snapfile.h"

#define KiB	1024ULL
#define MiB	(1024 * KiB)

static const uint64_t two_regions[][2] = {
	{ 0, 1 * MiB }, { 4 * MiB, 256 * KiB },
};
static const uint32_t ids_0_2[] = { 0, 2 };

static struct hv *hv;
static char err[1024];

static void setup(void)
{
	snap_setup();
	ck_assert_int_eq(hv_open(&hv), 0);
}

static void teardown(void)
{
	hv_close(hv);
	snap_teardown();
}

static int snapshot(struct hv_vm *vm, const char *path, const char *base)
{
	struct hv_snapshot_opts o = { .base = base, .err = err,
				      .errlen = sizeof(err) };

	err[0] = '\0';
	return hv_vm_snapshot(vm, path, &o);
}

static int restore(const char *path, const char *name, struct hv_vm **out)
{
	struct hv_restore_opts o = { .name = name, .err = err,
				     .errlen = sizeof(err) };

	err[0] = '\0';
	return hv_vm_restore(hv, path, &o, out);
}

START_TEST(round_trip)
{
	struct hv_snapshot_info info;
	struct hv_vm *vm, *copy;
	const char *path = snap_path(0, "snap.hv");
	unsigned int data_pages = (1 * MiB / 4096 + 6) / 7;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	ck_assert_str_eq(err, "");

	ck_assert_int_eq(hv_snapshot_check(path, &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.format_version, 3);
	ck_assert_uint_eq(info.vendor, HV_VENDOR_INTEL);
	ck_assert_str_eq(info.name, "src");
	ck_assert_uint_eq(info.nr_vcpus, 2);
	ck_assert_uint_eq(info.nr_regions, 2);
	ck_assert_uint_eq(info.mem_size, 1 * MiB + 256 * KiB);
	/* Zero pages are not stored: only every 7th page has data. */
	ck_assert_uint_eq(info.pages_stored, data_pages);
	ck_assert(!info.incremental);
	ck_assert_uint_lt(info.file_size, (data_pages + 8) * 4096);
	/* One memory section (region 0's only window has data), indexed */
	ck_assert_uint_eq(snap_assert_indexed(path), 1);

	fake_creates = 0;
	ck_assert_int_eq(restore(path, "dst", &copy), 0);
	ck_assert_uint_eq(fake_creates, 1);
	ck_assert_str_eq(hv_vm_name(copy), "dst");
	snap_assert_same_vm("src", "dst");
	hv_vm_close(copy);
	hv_vm_close(vm);
}
END_TEST

/*
 * A version 1 file (libhv before API 4) restores: its vCPUs all runnable
 * (none waited for a SIPI then), their APIC and TSC and the PC platform
 * as a new VM has them; everything the file holds as it was.
 */
/*
 * The writer's index: a section for each SNAP_CHUNK_PAGES window with
 * data (9 MiB: windows of 1024, 1024 and 256 pages; data in every 7th
 * page), each where the index says; a full and an incremental file.
 */
START_TEST(writer_index)
{
	static const uint64_t big[][2] = { { 0, 9 * MiB }, { 16 * MiB, 64 * KiB } };
	const char *path = snap_path(0, "big.hv"), *inc = snap_path(1, "inc.hv");
	struct fake_vm *fv;
	struct hv_vm *vm;

	vm = snap_make_vm(hv, "src", big, 2, ids_0_2, 2);
	fv = fake_vm_named("src");
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	ck_assert_uint_eq(snap_assert_indexed(path), 3);
	/* Page 1280 of region 0 (its second window), page 2 of region 1 */
	*(uint8_t *)hv_vm_gpa_ptr(vm, 5 * MiB, 1) = 'y';
	*(uint8_t *)hv_vm_gpa_ptr(vm, 16 * MiB + 8192, 1) = 'x';
	fv->dirty[0][1280 / 64] |= 1;
	fv->dirty[1][0] |= 1ULL << 2;
	ck_assert_int_eq(snapshot(vm, inc, path), 0);
	ck_assert_uint_eq(snap_assert_indexed(inc), 2);
	hv_vm_close(vm);
}
END_TEST

START_TEST(version1_restores)
{
	struct hv_vcpu_state *v = calloc(3, sizeof(*v));
	struct hv_device_state d, want;
	struct snap_header h;
	struct snap_buf b = { 0 };
	struct snap_config cfg;
	const char *path = snap_path(0, "v1.hv");
	struct fake_vm *fv;
	struct hv_vm *copy;
	size_t start;
	unsigned int i;

	memset(&h, 0, sizeof(h));
	h.format_version = 1;
	strcpy(h.hv_version, "0.0.9");
	h.id[0] = 7;
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.name, "old");
	cfg.nr_vcpus = 2;
	snap_fill_vcpu(&v[0], 0, 3);
	snap_fill_vcpu(&v[1], 1, 4);
	snap_fill_devices(&d, 6);
	for (i = 0; i < 2; i++) {
		v[i].events.flags &= 15;
		v[i].mp_state = 0;
	}
	for (i = 0; i < 2; i++) {
		snap_encode_header(&b, &h);
		start = snap_section_begin(&b, SNAP_SEC_CONFIG, 0);
		snap_encode_config(&b, &cfg);
		snap_section_end(&b, start);
		start = snap_section_begin(&b, SNAP_SEC_VCPU, 0);
		snap_encode_vcpu_version(&b, &v[0], 1);
		snap_section_end(&b, start);
		start = snap_section_begin(&b, SNAP_SEC_VCPU, 1);
		snap_encode_vcpu_version(&b, &v[1], 1);
		snap_section_end(&b, start);
		start = snap_section_begin(&b, SNAP_SEC_DEVICES, 0);
		snap_encode_devices_version(&b, &d, 1);
		snap_section_end(&b, start);
		start = snap_section_begin(&b, SNAP_SEC_END, 0);
		snap_encode_end(&b, 1, 4, 0, 0);
		snap_section_end(&b, start);
		ck_assert(!b.failed);
		if (i == 0) {	/* again, with the size known */
			h.file_size = b.len;
			b.len = 0;
		}
	}
	snap_write(path, b.p, b.len);
	snap_buf_free(&b);

	ck_assert_int_eq(restore(path, "dst", &copy), 0);
	fv = fake_vm_named("dst");
	ck_assert_ptr_nonnull(fv);
	for (i = 0; i < 2; i++) {
		struct hv_vcpu_state *got = &fv->vcpu_state[i];

		ck_assert(!memcmp(got, &v[i],
				  offsetof(struct hv_vcpu_state, mp_state)));
		ck_assert_uint_eq(got->mp_state, HV_MP_RUNNABLE);
		/* the fake's new vCPU: base 0xfee00800, BSP bit on vCPU 0 */
		ck_assert_uint_eq(got->lapic.apic_base,
				  0xfee00800 | (i ? 0 : 0x100));
		ck_assert_uint_eq(got->tsc, 1000000 + i);
	}
	memcpy(&want, &d, offsetof(struct hv_device_state, pic));
	memset((char *)&want + offsetof(struct hv_device_state, pic), 0,
	       sizeof(want) - offsetof(struct hv_device_state, pic));
	want.rtc.cmos[0x0d] = 0x80;
	ck_assert(!memcmp(&fv->devices, &want, sizeof(want)));
	hv_vm_close(copy);
	free(v);
}
END_TEST

/* The file replaces the old one whole; no temporary is left. */
START_TEST(atomic_replace)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_vm *vm;
	char tmp[300];

	vm = snap_make_vm(hv, "src", two_regions, 1, ids_0_2, 1);
	snap_write(path, "old", 3);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	ck_assert_int_eq(hv_snapshot_check(path, NULL, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	ck_assert_int_ne(access(tmp, F_OK), 0);

	/* A failure (directory missing) leaves nothing behind. */
	ck_assert_int_eq(snapshot(vm, snap_path(1, "no/such.hv"), NULL),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "cannot create"));
	hv_vm_close(vm);
}
END_TEST

START_TEST(dirty_log_after_full)
{
	const char *path = snap_path(0, "snap.hv");
	struct fake_vm *fv;
	struct hv_vm *vm;
	uint64_t epoch;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	fv = fake_vm_named("src");
	/* Region 1 already logged with a dirty page: cleared, not kept. */
	ck_assert_int_eq(hv_vm_dirty_log(vm, 4 * MiB, true), 0);
	fv->dirty[1][0] = 1;
	epoch = fv->dirty_epoch;
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	ck_assert_ptr_nonnull(fv->dirty[0]);
	ck_assert_ptr_nonnull(fv->dirty[1]);
	ck_assert_uint_eq(fv->dirty[1][0], 0);
	ck_assert_uint_eq(fv->dirty_epoch, epoch + 1);
	hv_vm_close(vm);
}
END_TEST

START_TEST(incremental)
{
	const char *base = snap_path(0, "base.hv");
	const char *inc = snap_path(1, "inc.hv");
	const char *inc2 = snap_path(2, "inc2.hv");
	struct hv_snapshot_info info;
	struct hv_vm *vm, *copy;
	struct fake_vm *fv;
	uint8_t *ram;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	fv = fake_vm_named("src");
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);

	/* The guest writes page 1 and zeroes page 7 (which had data). */
	ram = hv_vm_gpa_ptr(vm, 0, 1 * MiB);
	memset(ram + 4096, 0xab, 4096);
	memset(ram + 7 * 4096, 0, 4096);
	fv->dirty[0][0] |= 1ULL << 1 | 1ULL << 7;
	/* ...and one page of region 1, and changes a register. */
	ram = hv_vm_gpa_ptr(vm, 4 * MiB, 256 * KiB);
	memset(ram + 63 * 4096, 0x5a, 4096);
	fv->dirty[1][0] |= 1ULL << 63;
	fv->vcpu_state[2].regs.rip = 0x1234;

	ck_assert_int_eq(snapshot(vm, inc, base), 0);
	ck_assert_int_eq(hv_snapshot_check(inc, &info, err, sizeof(err)), 0);
	ck_assert(info.incremental);
	ck_assert_uint_eq(info.pages_stored, 2);	/* the zero page: a record */

	/* A second increment over the first. */
	ram = hv_vm_gpa_ptr(vm, 0, 1 * MiB);
	memset(ram + 2 * 4096, 0x77, 4096);
	fv->dirty[0][0] |= 1ULL << 2;
	ck_assert_int_eq(snapshot(vm, inc2, inc), 0);
	ck_assert_int_eq(hv_snapshot_check(inc2, &info, err, sizeof(err)), 0);
	ck_assert_uint_eq(info.pages_stored, 1);

	ck_assert_int_eq(restore(inc2, "dst", &copy), 0);
	snap_assert_same_vm("src", "dst");
	hv_vm_close(copy);

	/* The first increment restores the state at its time. */
	ck_assert_int_eq(restore(inc, "dst1", &copy), 0);
	ck_assert_uint_eq(fake_vm_named("dst1")->vcpu_state[2].regs.rip, 0x1234);
	ram = hv_vm_gpa_ptr(copy, 0, 1 * MiB);
	ck_assert_uint_eq(ram[4096], 0xab);
	ck_assert_uint_eq(ram[2 * 4096], 0);
	ck_assert_uint_eq(ram[7 * 4096], 0);
	ck_assert_uint_eq(ram[14 * 4096], 0x40 + 14);
	hv_vm_close(copy);
	hv_vm_close(vm);
}
END_TEST

START_TEST(incremental_refused)
{
	const char *base = snap_path(0, "base.hv");
	const char *inc = snap_path(1, "inc.hv");
	struct hv_vm *vm, *other;
	uint64_t bm[4];

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	other = snap_make_vm(hv, "other", two_regions, 2, ids_0_2, 2);
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);

	/* Another VM's snapshot. */
	ck_assert_int_eq(snapshot(other, inc, base), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is not the latest snapshot of VM "
				     "other; take a full snapshot"));
	ck_assert_int_ne(access(inc, F_OK), 0);

	/* Someone read the dirty log since: the base is stale. */
	ck_assert_int_eq(hv_vm_get_dirty_log(vm, 4 * MiB, bm), 0);
	ck_assert_int_eq(snapshot(vm, inc, base), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "is not the latest snapshot of VM "
				     "src"));

	/* A full snapshot makes it right again; logging off refuses. */
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);
	ck_assert_int_eq(hv_vm_dirty_log(vm, 0, false), 0);
	ck_assert_int_eq(snapshot(vm, inc, base), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "dirty logging is off"));

	/* A damaged base is refused with its own line. */
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);
	snap_write(snap_path(2, "bad.hv"), "HVSNAP\r\n", 8);
	ck_assert_int_eq(snapshot(vm, inc, snap_path(2, "bad.hv")), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bad.hv: truncated"));
	hv_vm_close(other);
	hv_vm_close(vm);
}
END_TEST

/* restore must fail with -EINVAL, @want in its line, nothing created. */
static void refused(const char *path, const char *want)
{
	struct hv_vm *vm = (void *)1;
	int ret;

	fake_creates = 0;
	ret = restore(path, "dst", &vm);
	ck_assert_msg(ret == -EINVAL, "%s: %d (%s)", want, ret, err);
	ck_assert_ptr_null(vm);
	ck_assert_uint_eq(fake_creates, 0);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_msg(strstr(err, want), "wanted '%s', got '%s'", want, err);
	ck_assert_int_eq(hv_snapshot_check(path, NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, want), "check: wanted '%s', got '%s'", want,
		      err);
}

static void set_le32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

START_TEST(corruption)
{
	static const uint64_t small[][2] = { { 0, 64 * KiB } };
	static const uint32_t id1[] = { 0, 1 };
	const char *path = snap_path(0, "snap.hv");
	const char *bad = snap_path(1, "bad.hv");
	size_t len, off[16], hsize, i;
	uint32_t type[16];
	uint8_t *b, *c;
	char want[128];
	int n, k;

	{
		struct hv_vm *vm = snap_make_vm(hv, "src", small, 1, id1, 2);

		ck_assert_int_eq(snapshot(vm, path, NULL), 0);
		hv_vm_close(vm);
	}
	b = snap_read(path, &len);
	c = malloc(len + 16);
	n = snap_sections(b, len, off, type, 16);
	/* config, vcpu 0, vcpu 1, devices, memory, index, end */
	ck_assert_int_eq(n, 7);
	hsize = off[0];

	/* A flipped byte in each part. */
	memcpy(c, b, len);
	c[hsize / 2] ^= 0x10;
	snap_write(bad, c, len);
	refused(bad, "bad.hv: header: checksum mismatch");
	for (k = 0; k < n; k++) {
		static const char *const names[] = {
			"config", "vcpu 0", "vcpu 1", "devices",
			"memory, region 0", "index", "end",
		};
		size_t end = k + 1 < n ? off[k + 1] : len;

		memcpy(c, b, len);
		c[off[k] + 16 + (end - off[k] - 20) / 2] ^= 0x01;
		snap_write(bad, c, len);
		snprintf(want, sizeof(want), "bad.hv: section %d (%s): "
			 "checksum mismatch", k + 1, names[k]);
		refused(bad, want);
		/* The CRC itself. */
		memcpy(c, b, len);
		c[end - 1] ^= 0x80;
		snap_write(bad, c, len);
		refused(bad, want);
	}

	/*
	 * Truncated at every offset: the parser in memory for each, the
	 * whole restore path (file, fake device) at every 61st and around
	 * each section boundary.
	 */
	for (i = 0; i < len; i++) {
		const char *w = i == 0 ? "empty file" :
				"truncated at byte";
		struct snap_file f;
		bool near = false;

		memcpy(c, b, i);
		ck_assert_int_eq(snap_parse(c, i, "t.hv", &f, err,
					    sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, w), "at %zu: '%s'", i, err);
		ck_assert_ptr_null(strchr(err, '\n'));
		for (k = 0; k < n; k++)
			near |= i + 1 >= off[k] && i <= off[k] + 17;
		if (near || i % 61 == 0 || i + 20 > len) {
			snap_write(bad, b, i);
			refused(bad, w);
		}
	}
	snap_write(bad, b, len - 30);
	snprintf(want, sizeof(want), "truncated at byte %zu (file is %zu "
		 "bytes, header says %zu)", len - 30, len - 30, len);
	refused(bad, want);

	/* Trailing bytes. */
	memcpy(c, b, len);
	snap_write(bad, c, len + 5);
	refused(bad, "5 bytes after the end");

	/* Wrong magic, wrong version (with a good header CRC). */
	memcpy(c, b, len);
	c[0] = 'X';
	snap_write(bad, c, len);
	refused(bad, "not an hv snapshot (bad magic)");
	memcpy(c, b, len);
	set_le32(c + 8, 4);
	set_le32(c + hsize - 4, hv_crc32c(0, c, hsize - 4));
	snap_write(bad, c, len);
	refused(bad, "format version 4 is not supported (this libhv reads "
		"versions 1 to 3)");
	memcpy(c, b, len);
	set_le32(c + 8, 0);
	set_le32(c + hsize - 4, hv_crc32c(0, c, hsize - 4));
	snap_write(bad, c, len);
	refused(bad, "format version 0 is not supported");

	/* A missing file. */
	{
		struct hv_vm *vm;

		fake_creates = 0;
		ck_assert_int_eq(restore(snap_path(2, "none.hv"), "dst", &vm),
				 -ENOENT);
		ck_assert_ptr_nonnull(strstr(err, "none.hv: No such file"));
		ck_assert_uint_eq(fake_creates, 0);
	}
	free(b);
	free(c);
}
END_TEST

START_TEST(taken_name_and_refusal)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_vm *vm, *copy = NULL;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);

	fake_creates = 0;
	ck_assert_int_eq(restore(path, NULL, &copy), -EEXIST);	/* "src" */
	ck_assert_str_eq(err, "src: name already in use");
	ck_assert_uint_eq(fake_creates, 0);

	/* The kernel refuses a vCPU state: the half-made VM goes. */
	fake_set_state_err = EINVAL;
	ck_assert_int_eq(restore(path, "dst", &copy), -EINVAL);
	ck_assert_uint_eq(fake_creates, 1);
	ck_assert_ptr_null(fake_vm_named("dst"));
	ck_assert_ptr_nonnull(strstr(err, "vcpu 0: the kernel refused its "
				     "state"));
	fake_set_state_err = 0;
	hv_vm_close(vm);
}
END_TEST

/* A busy (running, managed) VM: the kernel's EBUSY comes back. */
START_TEST(busy)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_vm *vm;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	fake_vm_named("src")->managed = true;
	ck_assert_int_eq(hv_vm_start(vm), 0);
	ck_assert_int_eq(snapshot(vm, path, NULL), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "VM is busy"));
	ck_assert_int_ne(access(path, F_OK), 0);
	hv_vm_close(vm);
}
END_TEST

START_TEST(clone_handle)
{
	struct hv_vm *vm, *copy;

	vm = snap_make_vm(hv, "src", two_regions, 2, ids_0_2, 2);
	ck_assert_int_eq(hv_vm_clone(vm, "copy", 0, &copy), 0);
	ck_assert_str_eq(hv_vm_name(copy), "copy");
	snap_assert_same_vm("src", "copy");
	hv_vm_close(copy);
	ck_assert_int_eq(hv_vm_clone(vm, "copy", 0, &copy), -EEXIST);
	ck_assert_ptr_null(copy);
	ck_assert_int_eq(hv_vm_clone(vm, "", 0, &copy), -EINVAL);
	ck_assert_int_eq(hv_vm_clone(NULL, "x", 0, &copy), -EBADF);
	hv_vm_close(vm);
}
END_TEST

Suite *snapshot_suite(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("snapshot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, version1_restores);
	tcase_add_test(tc, writer_index);
	tcase_add_test(tc, atomic_replace);
	tcase_add_test(tc, dirty_log_after_full);
	tcase_add_test(tc, incremental);
	tcase_add_test(tc, incremental_refused);
	tcase_add_test(tc, corruption);
	tcase_add_test(tc, taken_name_and_refusal);
	tcase_add_test(tc, busy);
	tcase_add_test(tc, clone_handle);
	suite_add_tcase(s, tc);
	return s;
}
