// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/io/pm.c over tests/unit/kshim, reached as a guest reaches it,
 * through hv_platform_pio(): the PM1 block the FADT describes (ACPI 6.4,
 * 4.8.3), the PM timer from the guest's TSC, the reset ports 0xcf9 and
 * 0x64, the system events they raise, and the state round trip.
 */
#include "hv.h"			/* tests/unit/kshim/hv.h */
#include "io/platform.h"
#include "io/chipset.h"
#include "unit.h"

unsigned int tsc_khz;
static u64 pm_tsc;
static struct hvk_vm pm_vm;
static struct hvk_vcpu pm_bsp = { .id = 0, .vm = &pm_vm };
static struct hvk_vcpu pm_ap = { .id = 1, .vm = &pm_vm };
static u32 events, last_type;
static u64 last_data;

u64 hv_guest_tsc(struct hvk_vcpu *vcpu)
{
	/* The PM timer is one clock: the first vCPU's, whoever reads */
	ck_assert_ptr_eq(vcpu, &pm_bsp);
	return pm_tsc;
}

void hv_system_event(struct hvk_vcpu *vcpu, u32 type, u64 data)
{
	ck_assert_ptr_eq(vcpu, &pm_bsp);
	events++;
	last_type = type;
	last_data = data;
}

static void pm_setup(void)
{
	memset(&pm_vm, 0, sizeof(pm_vm));
	pm_vm.vcpus[0] = &pm_bsp;
	pm_vm.nr_vcpus = 1;
	pm_vm.regions[0].size = 64 << 20;
	pm_vm.nr_regions = 1;
	tsc_khz = 2000000;			/* 2 GHz */
	pm_tsc = 0;
	events = last_type = 0;
	last_data = 0;
	ck_assert_int_eq(hv_platform_create(&pm_vm), 0);
}

static void pm_teardown(void)
{
	hv_platform_free(&pm_vm);
}

static u32 pin(u16 port, u8 size)
{
	u32 v = 0x5a5a5a5a;

	ck_assert(hv_platform_pio(&pm_bsp, port, size, true, &v));
	return v;
}

static void pout(u16 port, u8 size, u32 v)
{
	ck_assert(hv_platform_pio(&pm_bsp, port, size, false, &v));
}

START_TEST(pm1_registers)
{
	/* Table 4.20: SCI_EN reads 1 (always ACPI mode), nothing else set */
	ck_assert_uint_eq(pin(0x604, 2), 0x0001);
	ck_assert_uint_eq(pin(0x604, 1), 0x01);
	ck_assert_uint_eq(pin(0x605, 1), 0x00);
	/* SCI_EN cannot be cleared; GBL_RLS and SLP_EN are write-only */
	pout(0x604, 2, 0x0002 | 0x0004 | (5 << 10));
	ck_assert_uint_eq(pin(0x604, 2), 0x0003 | (5 << 10));
	pout(0x604, 2, 0);
	ck_assert_uint_eq(pin(0x604, 2), 0x0001);

	/* PM1_EN keeps its defined bits, byte lanes too */
	pout(0x602, 2, 0xffff);
	ck_assert_uint_eq(pin(0x602, 2), 0x4721);
	pout(0x603, 1, 0x00);
	ck_assert_uint_eq(pin(0x602, 2), 0x0021);
	/* A dword at 0x600: PM1_STS low half, PM1_EN high half */
	ck_assert_uint_eq(pin(0x600, 4), 0x00210000);

	/* PM1_STS: write 1 to clear (WAK_STS, bit 15) */
	pm_vm.pf->pm.sts = 0x8001;
	ck_assert_uint_eq(pin(0x600, 2), 0x8001);
	pout(0x600, 2, 0x0001);
	ck_assert_uint_eq(pin(0x600, 2), 0x8000);
	pout(0x601, 1, 0x80);
	ck_assert_uint_eq(pin(0x600, 2), 0x0000);
	ck_assert_uint_eq(events, 0);

	/* Past the block (0x60c on): not the PM's, the empty bus */
	ck_assert(!hv_platform_pio(&pm_bsp, 0x60c, 1, true, &(u32){ 0 }));
	ck_assert_uint_eq(pin(0x60a, 4) >> 16, 0xffff);
}
END_TEST

START_TEST(pm1_sleep)
{
	/* SLP_TYP 5 names no state (only \_S5_ = 0 exists): ignored */
	pout(0x604, 2, (5 << 10) | (1 << 13));
	ck_assert_uint_eq(events, 0);
	/* SLP_EN with SLP_TYP 0: poweroff, as Linux's acpi_power_off */
	pout(0x604, 2, 0);
	pout(0x604, 2, 1 << 13);
	ck_assert_uint_eq(events, 1);
	ck_assert_uint_eq(last_type, HV_SYSTEM_POWEROFF);
	ck_assert_uint_eq(last_data, 0x2000);
	/* The high byte alone does it too */
	pout(0x605, 1, 0x20);
	ck_assert_uint_eq(events, 2);
	ck_assert_uint_eq(last_type, HV_SYSTEM_POWEROFF);
	/* The low byte cannot */
	pout(0x604, 1, 0xff);
	ck_assert_uint_eq(events, 2);
}
END_TEST

START_TEST(pm_timer)
{
	u32 t0, t1, v;

	/* 1 s of guest TSC at 2 GHz is 3579545 ticks */
	pm_tsc = 2000000000ULL;
	ck_assert_uint_eq(pin(0x608, 4), 3579545);
	pm_tsc += 2000000;			/* 1 ms */
	t0 = pin(0x608, 4);
	ck_assert_uint_eq(t0, 3579545 + 3579);
	/* Byte and word reads are lanes of the same counter */
	ck_assert_uint_eq(pin(0x608, 2), t0 & 0xffff);
	ck_assert_uint_eq(pin(0x60a, 2), t0 >> 16);
	ck_assert_uint_eq(pin(0x609, 1), (t0 >> 8) & 0xff);
	/* Writes do nothing; 32 bits wrap (TMR_VAL_EXT) */
	pout(0x608, 4, 0);
	ck_assert_uint_eq(pin(0x608, 4), t0);
	pm_tsc = (0x100000000ULL * 1000 / 3579545 + 1) * 2000 * 1000;
	t1 = pin(0x608, 4);
	ck_assert_uint_lt(t1, 4000);
	/* Another TSC rate */
	tsc_khz = 3000000;
	pm_tsc = 3000000000ULL * 10;
	ck_assert_uint_eq(pin(0x608, 4), 35795450);
	/* Read from another vCPU: the same clock */
	pm_vm.vcpus[1] = &pm_ap;
	pm_vm.nr_vcpus = 2;
	v = 0;
	ck_assert(hv_platform_pio(&pm_ap, 0x608, 4, true, &v));
	ck_assert_uint_eq(v, 35795450);
	ck_assert_uint_eq(events, 0);
}
END_TEST

START_TEST(reset_ports)
{
	u32 x = 0;

	/* Linux's reboot=pci: read, SYS_RST, then SYS_RST | RST_CPU */
	ck_assert_uint_eq(pin(0xcf9, 1), 0x00);
	pout(0xcf9, 1, 0x02);
	ck_assert_uint_eq(events, 0);
	ck_assert_uint_eq(pin(0xcf9, 1), 0x02);
	pout(0xcf9, 1, 0x06);
	ck_assert_uint_eq(events, 1);
	ck_assert_uint_eq(last_type, HV_SYSTEM_REBOOT);
	ck_assert_uint_eq(last_data, 0x06);
	ck_assert_uint_eq(pin(0xcf9, 1), 0x02);
	pout(0xcf9, 1, 0x0e);
	ck_assert_uint_eq(events, 2);
	pout(0xcf9, 1, 0xf1);			/* undefined bits dropped */
	ck_assert_uint_eq(pin(0xcf9, 1), 0x00);
	ck_assert_uint_eq(events, 2);
	/* PCI CONFIG_ADDRESS's dword at 0xcf8 and a word at 0xcf9: not ours */
	ck_assert(!hv_platform_pio(&pm_bsp, 0xcf8, 4, false, &x));
	ck_assert(!hv_platform_pio(&pm_bsp, 0xcf9, 2, false, &x));

	/* 8042: status reads 0 (ready), 0xfe pulses reset, others nothing */
	ck_assert_uint_eq(pin(0x64, 1), 0x00);
	pout(0x64, 1, 0xd1);
	ck_assert_uint_eq(events, 2);
	pout(0x64, 1, 0xfe);
	ck_assert_uint_eq(events, 3);
	ck_assert_uint_eq(last_type, HV_SYSTEM_REBOOT);
	ck_assert_uint_eq(last_data, 0xfe);
	ck_assert(!hv_platform_pio(&pm_bsp, 0x60, 1, true, &x));
}
END_TEST

START_TEST(pm_state)
{
	static struct hv_device_state st, st2;

	pout(0x602, 2, 0x0121);
	pout(0x604, 2, 0x0002);
	pout(0xcf9, 1, 0x0a);
	pm_vm.pf->pm.sts = 0x8000;
	hv_platform_get_state(&pm_vm, &st);
	ck_assert_uint_eq(st.pm.pm1_sts, 0x8000);
	ck_assert_uint_eq(st.pm.pm1_en, 0x0121);
	ck_assert_uint_eq(st.pm.pm1_cnt, 0x0002);
	ck_assert_uint_eq(st.pm.reset_ctl, 0x0a);

	/* Bits no guest can set are refused, and nothing changes */
	st2 = st;
	st2.pm.pm1_cnt |= 1;			/* SCI_EN is not state */
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), -EINVAL);
	st2 = st;
	st2.pm.pm1_en = 0x8000;
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), -EINVAL);
	st2 = st;
	st2.pm.reset_ctl = 0x04;
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), -EINVAL);
	st2 = st;
	st2.pm.reserved = 1;
	ck_assert_int_eq(hv_platform_check_state(&st2), -EINVAL);
	st2 = st;
	st2.pm.pad = 1;
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), -EINVAL);

	/* Power-on, then the saved state back */
	memset(&st2, 0, sizeof(st2));
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), 0);
	ck_assert_uint_eq(pin(0x602, 2), 0);
	ck_assert_uint_eq(pin(0x604, 2), 1);
	ck_assert_uint_eq(pin(0xcf9, 1), 0);
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st), 0);
	hv_platform_get_state(&pm_vm, &st2);
	ck_assert_int_eq(memcmp(&st.pm, &st2.pm, sizeof(st.pm)), 0);
	ck_assert_uint_eq(pin(0x600, 2), 0x8000);
	ck_assert_uint_eq(pin(0x604, 2), 0x0003);

	/* An API 4 state (pm all zero) over other devices: PM at power-on */
	st2 = st;
	memset(&st2.pm, 0, sizeof(st2.pm));
	ck_assert_int_eq(hv_platform_set_state(&pm_vm, &st2), 0);
	ck_assert_uint_eq(pin(0x602, 2), 0);
	ck_assert_uint_eq(events, 0);
}
END_TEST

Suite *pm_suite(void)
{
	Suite *s = suite_create("pm");
	TCase *tc = tcase_create("acpi-pm1");

	tcase_add_checked_fixture(tc, pm_setup, pm_teardown);
	tcase_add_test(tc, pm1_registers);
	tcase_add_test(tc, pm1_sleep);
	tcase_add_test(tc, pm_timer);
	tcase_add_test(tc, reset_ports);
	tcase_add_test(tc, pm_state);
	suite_add_tcase(s, tc);
	return s;
}
