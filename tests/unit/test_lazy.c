// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's lazy RAM calls (lib/lazy.c, hv_vm_add_ram_lazy() in lib/vm.c)
 * over the fake of fake_vm.c: what each refuses before any ioctl, what
 * the ioctl gets (every field, reserved ones zero: the fake refuses
 * others as the module does), and what comes back.  Guests that wait
 * for their pages run in the emulated machines.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define MiB	(1ULL << 20)

static struct hv *lz_hv;
static struct hv_vm *lz_vm;
static struct fake_vm *lz_fake;

static void lz_setup(void)
{
	fake_hv_setup();
	ck_assert_int_eq(hv_open(&lz_hv), 0);
	ck_assert_int_eq(hv_vm_create(lz_hv, "lz", 0, &lz_vm), 0);
	lz_fake = fake_vm_named("lz");
	ck_assert_ptr_nonnull(lz_fake);
}

static void lz_teardown(void)
{
	hv_vm_close(lz_vm);
	hv_close(lz_hv);
	fake_hv_teardown();
}

/* The filler fd, and a lazy region of @size bytes at 0. */
static int lz_filler(uint64_t size)
{
	int fd = hv_vm_open_lazy(lz_vm);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(hv_vm_add_ram_lazy(lz_vm, 0, size), 0);
	return fd;
}

START_TEST(lazy_refused_here)
{
	uint64_t gpa = 7, n = 7;
	char buf[8192];
	int fd = lz_filler(2 * MiB);

	lz_fake->lazy_calls = 0;
	ck_assert_int_eq(hv_vm_open_lazy(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_add_ram_lazy(NULL, 0, 4096), -EBADF);

	ck_assert_int_eq(hv_lazy_fill(-1, 0, buf, 4096, &n, &n), -EBADF);
	ck_assert_int_eq(hv_lazy_fill(fd, 0, NULL, 4096, &n, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_fill(fd, 0, buf, 0, &n, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_fill(fd, 0x800, buf, 4096, &n, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_fill(fd, 0, buf, 4095, &n, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_fill(fd, 0, buf, HV_LAZY_FILL_MAX + 4096,
				      &n, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_wait(-1, false, &gpa, &n), -EBADF);
	ck_assert_int_eq(hv_lazy_wait(fd, true, NULL, &n), -EINVAL);
	ck_assert_int_eq(hv_lazy_fail(-1, 0), -EBADF);

	/* none of them reached the filler fd, nor changed the outputs */
	ck_assert_uint_eq(lz_fake->lazy_calls, 0);
	ck_assert_uint_eq(gpa, 7);
	ck_assert_uint_eq(n, 7);
	close(fd);
}
END_TEST

START_TEST(lazy_open_and_add_ram)
{
	int fd;

	/* HV_RAM_LAZY reaches the module: without a filler fd it refuses */
	ck_assert_int_eq(hv_vm_add_ram_lazy(lz_vm, 0, 2 * MiB), -EINVAL);
	ck_assert_uint_eq(lz_fake->nr_regions, 0);

	fd = hv_vm_open_lazy(lz_vm);
	ck_assert_int_ge(fd, 0);
	ck_assert(lz_fake->lazy_open);
	ck_assert_int_eq(hv_vm_open_lazy(lz_vm), -EBUSY);

	ck_assert_int_eq(hv_vm_add_ram_lazy(lz_vm, 0, 2 * MiB), 0);
	ck_assert_int_eq(hv_vm_add_ram(lz_vm, 2 * MiB, 1 * MiB), 0);
	ck_assert_uint_eq(lz_fake->nr_regions, 2);
	ck_assert_uint_eq(lz_fake->regions[0].gpa, 0);
	ck_assert_uint_eq(lz_fake->regions[0].size, 2 * MiB);
	ck_assert_uint_eq(lz_fake->regions[0].flags, HV_RAM_LAZY);
	ck_assert_uint_eq(lz_fake->regions[1].gpa, 2 * MiB);
	ck_assert_uint_eq(lz_fake->regions[1].flags, 0);
	ck_assert_uint_eq(lz_fake->lazy_absent, 2 * MiB / 4096);

	/* mapped as any RAM: the whole lazy region and the plain one */
	ck_assert_ptr_nonnull(hv_vm_gpa_ptr(lz_vm, 0, 2 * MiB));
	ck_assert_ptr_nonnull(hv_vm_gpa_ptr(lz_vm, 2 * MiB, 1 * MiB));

	/* a refusal of the module comes back as it is, and nothing maps */
	fake_add_ram_err = ENOMEM;
	ck_assert_int_eq(hv_vm_add_ram_lazy(lz_vm, 4 * MiB, 1 * MiB),
			 -ENOMEM);
	ck_assert_ptr_null(hv_vm_gpa_ptr(lz_vm, 4 * MiB, 4096));
	close(fd);
}
END_TEST

START_TEST(lazy_fill_args)
{
	static uint8_t buf[3 * 4096];
	uint64_t filled = 99, absent = 99;
	uint8_t *ram;
	int fd = lz_filler(4 * MiB);
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(hv_lazy_fill(fd, 0x5000, buf, sizeof(buf), &filled,
				      &absent), 0);
	ck_assert_uint_eq(lz_fake->lazy_fill.gpa, 0x5000);
	ck_assert_uint_eq(lz_fake->lazy_fill.size, sizeof(buf));
	ck_assert_uint_eq(lz_fake->lazy_fill.data, (uintptr_t)buf);
	ck_assert_uint_eq(lz_fake->lazy_fill.filled, 0);
	ck_assert_uint_eq(lz_fake->lazy_fill.absent, 0);
	ck_assert_uint_eq(filled, 3);
	ck_assert_uint_eq(absent, 4 * MiB / 4096 - 3);

	/* the data went where it was meant to, as seen through the mapping */
	ram = hv_vm_gpa_ptr(lz_vm, 0x5000, sizeof(buf));
	ck_assert_ptr_nonnull(ram);
	ck_assert_mem_eq(ram, buf, sizeof(buf));

	/* the outputs may be NULL */
	ck_assert_int_eq(hv_lazy_fill(fd, 0, buf, 4096, NULL, NULL), 0);
	ck_assert_uint_eq(lz_fake->lazy_fill.size, 4096);
	ck_assert_uint_eq(lz_fake->lazy_absent, 4 * MiB / 4096 - 4);

	/* the largest fill passes (its data: the RAM itself) */
	ram = hv_vm_gpa_ptr(lz_vm, 0, HV_LAZY_FILL_MAX);
	ck_assert_ptr_nonnull(ram);
	ck_assert_int_eq(hv_lazy_fill(fd, 0, ram, HV_LAZY_FILL_MAX, NULL,
				      &absent), 0);
	ck_assert_uint_eq(lz_fake->lazy_fill.size, HV_LAZY_FILL_MAX);
	ck_assert_uint_eq(absent, 0);
	close(fd);
}
END_TEST

START_TEST(lazy_wait_args)
{
	uint64_t gpa = 0, absent = 0;
	int fd = lz_filler(1 * MiB);

	lz_fake->lazy_wait_gpa = 0x7000;
	ck_assert_int_eq(hv_lazy_wait(fd, false, &gpa, &absent), 0);
	ck_assert_uint_eq(lz_fake->lazy_wait.flags, 0);
	ck_assert_uint_eq(lz_fake->lazy_wait.gpa, 0);
	ck_assert_uint_eq(gpa, 0x7000);
	ck_assert_uint_eq(absent, 256);

	lz_fake->lazy_wait_gpa = 0x9000;
	ck_assert_int_eq(hv_lazy_wait(fd, true, &gpa, NULL), 0);
	ck_assert_uint_eq(lz_fake->lazy_wait.flags, HV_LAZY_NOWAIT);
	ck_assert_uint_eq(gpa, 0x9000);

	/* nothing waited for, a signal: returned, the outputs left alone */
	lz_fake->lazy_wait_err = EAGAIN;
	ck_assert_int_eq(hv_lazy_wait(fd, true, &gpa, &absent), -EAGAIN);
	lz_fake->lazy_wait_err = EINTR;
	ck_assert_int_eq(hv_lazy_wait(fd, false, &gpa, &absent), -EINTR);
	ck_assert_uint_eq(gpa, 0x9000);
	ck_assert_uint_eq(absent, 256);

	/* whole: HV_LAZY_NONE */
	lz_fake->lazy_wait_err = 0;
	lz_fake->lazy_absent = 0;
	ck_assert_int_eq(hv_lazy_wait(fd, false, &gpa, &absent), 0);
	ck_assert_uint_eq(gpa, HV_LAZY_NONE);
	ck_assert_uint_eq(absent, 0);
	close(fd);
}
END_TEST

START_TEST(lazy_fail_args)
{
	int fd = lz_filler(1 * MiB);

	ck_assert_int_eq(hv_lazy_fail(fd, 0x3000), 0);
	ck_assert_uint_eq(lz_fake->lazy_fail.gpa, 0x3000);
	ck_assert_uint_eq(lz_fake->lazy_calls, 1);
	close(fd);

	/* an fd that is no filler's: the kernel's answer, unchanged */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(hv_lazy_fail(fd, 0), -ENOTTY);
	close(fd);
}
END_TEST

Suite *lazy_suite(void)
{
	Suite *s = suite_create("lazy");
	TCase *tc = tcase_create("lazy");

	tcase_add_checked_fixture(tc, lz_setup, lz_teardown);
	tcase_add_test(tc, lazy_refused_here);
	tcase_add_test(tc, lazy_open_and_add_ram);
	tcase_add_test(tc, lazy_fill_args);
	tcase_add_test(tc, lazy_wait_args);
	tcase_add_test(tc, lazy_fail_args);
	suite_add_tcase(s, tc);
	return s;
}
