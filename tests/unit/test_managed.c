// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's managed-mode helpers (lib/managed.c): the state and stop
 * reason names, and the wrappers over the fake VM, which knows none of
 * the managed ioctls, so their errors must come back unchanged.  The
 * real thing runs in the emulated machines (tests/vm/cases-managed.sh).
 */
#include <errno.h>

#include "images.h"

/* ---- managed-mode helpers ---- */

START_TEST(managed_names)
{
	ck_assert_str_eq(hv_vm_state_name(HV_VM_STATE_CREATED), "created");
	ck_assert_str_eq(hv_vm_state_name(HV_VM_STATE_RUNNING), "running");
	ck_assert_str_eq(hv_vm_state_name(HV_VM_STATE_DESTROYED), "destroyed");
	ck_assert_str_eq(hv_vm_state_name(HV_VM_STATE_PAUSED), "paused");
	ck_assert_str_eq(hv_vm_state_name(HV_VM_STATE_STOPPED), "stopped");
	ck_assert_str_eq(hv_vm_state_name(0), "unknown");
	ck_assert_str_eq(hv_vm_state_name(99), "unknown");

	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_NONE), "none");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_HALTED), "halted");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_DEBUG_EXIT), "debug-exit");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_TRIPLE_FAULT),
			 "triple-fault");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_ENTRY_FAILURE),
			 "entry-failure");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_REQUESTED), "stopped");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_DESTROYED), "destroyed");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_POWER_OFF), "power-off");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_REBOOT), "reboot");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_INTERNAL_ERROR),
			 "internal-error");
	ck_assert_str_eq(hv_stop_reason_name(HV_STOP_LAZY_FAILED),
			 "lazy-failed");
	ck_assert_str_eq(hv_stop_reason_name(11), "unknown");
}
END_TEST

/* The fake knows no managed ioctls: their errors come back as they are. */
START_TEST(managed_over_fake)
{
	struct hv_vm_info info;
	struct hv_vm *other;

	ck_assert_int_eq(hv_vm_start(ld_vm), -ENOTTY);
	ck_assert_int_eq(hv_vm_stop(ld_vm), -ENOTTY);
	ck_assert_int_eq(hv_vm_pause(ld_vm), -ENOTTY);
	ck_assert_int_eq(hv_vm_resume(ld_vm), -ENOTTY);
	ck_assert_int_eq(hv_vm_console_open(ld_vm, true), -ENOTTY);
	ck_assert_int_eq(hv_vm_start(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_stop(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_pause(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_resume(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_console_open(NULL, false), -EBADF);
	ck_assert_int_eq(hv_vm_destroy_force(NULL), -EBADF);
	ck_assert_int_eq(hv_vm_wait_stopped(NULL, 0, &info), -EBADF);

	/* Never started: not running, so at once. */
	ck_assert_int_eq(hv_vm_wait_stopped(ld_vm, -1, &info), 0);
	ck_assert_uint_eq(info.state, HV_VM_STATE_CREATED);
	ck_assert_int_eq(hv_vm_wait_stopped(ld_vm, 0, NULL), 0);

	ck_assert_int_eq(hv_vm_open(ld_hv, "ld", &other), 0);
	ck_assert_int_eq(hv_vm_destroy_force(other), 0);
	ck_assert_int_eq(hv_vm_wait_stopped(ld_vm, 100, &info), 0);
	ck_assert_uint_eq(info.state, HV_VM_STATE_DESTROYED);
	ck_assert_int_eq(hv_vm_open(ld_hv, "ld", &other), -ENOENT);
}
END_TEST

Suite *managed_suite(void)
{
	Suite *s = suite_create("managed");
	TCase *tc = tcase_create("managed");

	tcase_add_checked_fixture(tc, ld_setup, ld_teardown);
	tcase_add_test(tc, managed_names);
	tcase_add_test(tc, managed_over_fake);
	suite_add_tcase(s, tc);
	return s;
}
