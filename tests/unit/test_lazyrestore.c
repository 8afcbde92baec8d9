// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vm_restore_lazy() and hv_lazy_restore_finish() over the fake VM
 * fds (lib/snap/lazyrestore.c): the lazily restored VM is the file's,
 * chains included; a file without a memory index is ENODATA and creates
 * nothing; a damaged chunk is found when it is loaded, never given, and
 * named by the finish; a damaged index creates nothing.  The fake fills
 * RAM as the module would and answers HV_LAZY_WAIT at once, so both
 * threads run.  In-guest: tests/vm/hv-lazy-test.c, sn-lazy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "snap_helpers.h"
#include "snap/snapfile.h"

#define KiB	1024ULL
#define MiB	(1024 * KiB)

/* 6 MiB + 256 KiB: chunks of 1024, 512 and 64 pages */
static const uint64_t regions[][2] = {
	{ 0, 6 * MiB }, { 8 * MiB, 256 * KiB },
};
static const uint32_t ids[] = { 0, 1 };

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

static int restore_lazy(const char *path, const char *name,
			struct hv_vm **out, struct hv_lazy_restore **lr)
{
	struct hv_restore_opts o = { .name = name, .err = err,
				     .errlen = sizeof(err) };

	err[0] = '\0';
	return hv_vm_restore_lazy(hv, path, &o, 0, out, lr);
}

/*
 * @path: a snapshot of a new VM "src" (*vm), its bytes (*len of them,
 * to free) and what snap_parse_index() finds in them.
 */
static uint8_t *snapshot_parsed(struct hv_vm **vm, const char *path,
				size_t *len, struct snap_file *f)
{
	uint8_t *buf;

	*vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	ck_assert_int_eq(snapshot(*vm, path, NULL), 0);
	buf = snap_read(path, len);
	ck_assert_int_eq(snap_parse_index(buf, *len, "snap.hv", f, err,
					  sizeof(err)), 0);
	return buf;
}

START_TEST(round_trip)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_lazy_restore_stats st;
	struct hv_lazy_restore *lr;
	struct hv_vm *vm, *copy;

	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	fake_creates = 0;
	ck_assert_int_eq(restore_lazy(path, "dst", &copy, &lr), 0);
	ck_assert_uint_eq(fake_creates, 1);
	ck_assert_int_eq(hv_lazy_restore_finish(lr, &st, err, sizeof(err)), 0);
	snap_assert_same_vm("src", "dst");
	/* Chunk counts are exact only with the module (hv-lazy-test) */
	ck_assert_uint_ge(st.demand_chunks + st.background_chunks, 1);
	ck_assert_uint_eq(st.pages, (6 * MiB + 256 * KiB) / 4096);
	ck_assert_uint_gt(st.whole_ns, 0);
	ck_assert_int_eq(fake_vm_named("dst")->lazy_absent, 0);
	hv_vm_close(copy);
	hv_vm_close(vm);
}
END_TEST

/* A chain: the base's chunks, each increment's over them */
START_TEST(chain)
{
	const char *base = snap_path(0, "base.hv");
	const char *inc = snap_path(1, "inc.hv");
	struct hv_lazy_restore *lr;
	struct hv_vm *vm, *copy;
	struct fake_vm *fv;
	uint8_t *ram;

	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	fv = fake_vm_named("src");
	ck_assert_int_eq(snapshot(vm, base, NULL), 0);
	ram = hv_vm_gpa_ptr(vm, 0, 6 * MiB);
	memset(ram + 4096, 0xab, 4096);		/* chunk 0 */
	memset(ram + 7 * 4096, 0, 4096);	/* had data: a zero record */
	memset(ram + 1030 * 4096, 0x33, 4096);	/* chunk 1 */
	fv->dirty[0][0] |= 1ULL << 1 | 1ULL << 7;
	fv->dirty[0][1030 / 64] |= 1ULL << (1030 % 64);
	fv->vcpu_state[1].regs.rip = 0x4321;
	ck_assert_int_eq(snapshot(vm, inc, base), 0);

	ck_assert_int_eq(restore_lazy(inc, "dst", &copy, &lr), 0);
	ck_assert_int_eq(hv_lazy_restore_finish(lr, NULL, err, sizeof(err)), 0);
	snap_assert_same_vm("src", "dst");
	hv_vm_close(copy);
	hv_vm_close(vm);
}
END_TEST

/* Before format 3: ENODATA, said, nothing created */
START_TEST(no_index)
{
	const char *path = snap_path(0, "snap.hv"), *v2 = snap_path(1, "v2.hv");
	struct hv_lazy_restore *lr = (void *)1;
	struct hv_vm *vm, *copy = (void *)1;
	struct snap_buf b = { 0 };
	struct snap_file f;
	uint8_t *buf;
	size_t len, start;
	uint32_t i;

	/* The same VM's file as version 2 would have it: no index */
	vm = snap_make_vm(hv, "src", regions, 2, ids, 2);
	ck_assert_int_eq(snapshot(vm, path, NULL), 0);
	buf = snap_read(path, &len);
	ck_assert_int_eq(snap_parse(buf, len, "snap.hv", &f, err,
				    sizeof(err)), 0);
	f.hdr.format_version = 2;
	for (i = 0; i < 2; i++) {
		b.len = 0;
		snap_encode_header(&b, &f.hdr);
		start = snap_section_begin(&b, SNAP_SEC_CONFIG, 0);
		snap_encode_config(&b, &f.cfg);
		snap_section_end(&b, start);
		start = snap_section_begin(&b, SNAP_SEC_END, 0);
		snap_encode_end(&b, 2, 1, 0, 0);
		snap_section_end(&b, start);
		f.hdr.file_size = b.len;
	}
	snap_write(v2, b.p, b.len);
	snap_buf_free(&b);
	snap_file_free(&f);
	free(buf);

	fake_creates = 0;
	ck_assert_int_eq(restore_lazy(v2, "dst", &copy, &lr), -ENODATA);
	ck_assert_ptr_null(copy);
	ck_assert_ptr_null(lr);
	ck_assert_uint_eq(fake_creates, 0);
	ck_assert_msg(strstr(err, "no memory index"), "got '%s'", err);
	hv_vm_close(vm);
}
END_TEST

/*
 * One data byte of chunk 1 flipped: the restore starts (nothing of the
 * chunk is read), the chunk fails its check when loaded, is never
 * given, HV_LAZY_FAIL names its GPA, and the finish says why.
 */
START_TEST(damaged_chunk)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_lazy_restore *lr;
	struct hv_vm *vm, *copy;
	struct snap_file f;
	struct fake_vm *fv;
	uint8_t *buf, *ram;
	size_t len;

	buf = snapshot_parsed(&vm, path, &len, &f);
	ck_assert_uint_eq(f.nr_mem, 2);		/* region 1 holds no data */
	ck_assert_uint_eq(f.mem[1].first_page, 1024);
	/* The last byte of its data, just before its CRC */
	buf[f.mem[1].off + SNAP_SEC_HDR + f.mem[1].len - 1] ^= 0x5a;
	snap_write(path, buf, len);
	snap_file_free(&f);
	free(buf);

	fake_creates = 0;
	ck_assert_int_eq(restore_lazy(path, "dst", &copy, &lr), 0);
	ck_assert_uint_eq(fake_creates, 1);
	ck_assert_int_eq(hv_lazy_restore_finish(lr, NULL, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "checksum mismatch"), "got '%s'", err);
	fv = fake_vm_named("dst");
	ck_assert_uint_eq(fv->lazy_fail.gpa, 4 * MiB);
	/* Nothing of the chunk reached the VM */
	ram = hv_vm_gpa_ptr(copy, 4 * MiB, 2 * MiB);
	ck_assert_ptr_nonnull(ram);
	ck_assert_uint_eq(ram[0], 0);
	ck_assert_uint_eq(ram[2 * MiB - 1], 0);
	hv_vm_close(copy);
	hv_vm_close(vm);
}
END_TEST

/* A damaged index: refused before anything is created */
START_TEST(damaged_index)
{
	const char *path = snap_path(0, "snap.hv");
	struct hv_lazy_restore *lr;
	struct hv_vm *vm, *copy;
	struct snap_file f;
	uint8_t *buf;
	size_t len;

	buf = snapshot_parsed(&vm, path, &len, &f);
	buf[f.index_off + SNAP_SEC_HDR + 8] ^= 1;	/* entry 0's off */
	snap_write(path, buf, len);
	snap_file_free(&f);
	free(buf);

	fake_creates = 0;
	ck_assert_int_eq(restore_lazy(path, "dst", &copy, &lr), -EINVAL);
	ck_assert_uint_eq(fake_creates, 0);
	ck_assert_msg(strstr(err, "checksum mismatch"), "got '%s'", err);
	hv_vm_close(vm);
}
END_TEST

START_TEST(bad_args)
{
	struct hv_lazy_restore *lr;
	struct hv_vm *copy;

	ck_assert_int_eq(hv_vm_restore_lazy(hv, "x.hv", NULL, 2, &copy, &lr),
			 -EINVAL);
	ck_assert_int_eq(hv_vm_restore_lazy(hv, "x.hv", NULL, 0, NULL, &lr),
			 -EINVAL);
	ck_assert_int_eq(hv_vm_restore_lazy(hv, "x.hv", NULL, 0, &copy, NULL),
			 -EINVAL);
	ck_assert_int_eq(hv_lazy_restore_finish(NULL, NULL, NULL, 0), -EINVAL);
}
END_TEST

Suite *lazyrestore_suite(void)
{
	Suite *s = suite_create("lazyrestore");
	TCase *tc = tcase_create("lazyrestore");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, chain);
	tcase_add_test(tc, no_index);
	tcase_add_test(tc, damaged_chunk);
	tcase_add_test(tc, damaged_index);
	tcase_add_test(tc, bad_args);
	suite_add_tcase(s, tc);
	return s;
}
