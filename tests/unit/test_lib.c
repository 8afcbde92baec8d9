// SPDX-License-Identifier: GPL-2.0
/*
 * libhv: error text, vendor names, the feature table.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "unit.h"

static const struct {
	int err;
	const char *text;
} special[] = {
	{ ENOENT, "no /dev/hv: is hv.ko loaded?" },
	{ EACCES, "permission denied: need root or group hv" },
	{ EPERM, "permission denied: need root or group hv" },
	{ EBUSY, "VMX/SVM is in use by another hypervisor "
		 "(kvm_intel, kvm_amd or VirtualBox)" },
	{ ENODEV, "no usable VT-x or AMD-V: missing on this CPU "
		  "or disabled by firmware" },
	{ EPROTONOSUPPORT, "hv.ko is older than libhv (API version mismatch)" },
	{ ENOTTY, "not an hv device" },
};

START_TEST(strerror_special)
{
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		ck_assert_str_eq(hv_strerror(special[i].err), special[i].text);
		ck_assert_str_eq(hv_strerror(-special[i].err),
				 special[i].text);
	}
}
END_TEST

START_TEST(strerror_generic)
{
	ck_assert_str_eq(hv_strerror(-EINVAL), "Invalid argument");
	ck_assert_str_eq(hv_strerror(EINVAL), "Invalid argument");
	ck_assert_str_eq(hv_strerror(-ENOMEM), "Cannot allocate memory");
	ck_assert_str_eq(hv_strerror(-EFAULT), "Bad address");
	ck_assert_str_eq(hv_strerror(0), "Success");
}
END_TEST

START_TEST(strerror_unknown)
{
	/* INT_MIN: negating it would overflow (UBSan catches that). */
	const int bad[] = { 4095, -4095, 99999, INT_MAX, INT_MIN, -INT_MAX };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_str_eq(hv_strerror(bad[i]), "unknown error");
}
END_TEST

START_TEST(vendor_names)
{
	ck_assert_str_eq(hv_vendor_name(HV_VENDOR_INTEL), "intel");
	ck_assert_str_eq(hv_vendor_name(HV_VENDOR_AMD), "amd");
	ck_assert_str_eq(hv_vendor_name(HV_VENDOR_NONE), "none");
	ck_assert_str_eq(hv_vendor_name(77), "none");
}
END_TEST

/*
 * Every HV_FEAT_* in include/uapi/hv.h, written out by hand: a bit added
 * there must be added here and to lib/features.c.
 */
static const struct {
	uint64_t bit;
	uint32_t vendor;
	const char *key;
} all_bits[] = {
	{ HV_FEAT_VMX,		 HV_VENDOR_INTEL, "vmx" },
	{ HV_FEAT_VMX_FC_LOCKED, HV_VENDOR_INTEL, "feature_control_locked" },
	{ HV_FEAT_VMX_FC_ENABLED, HV_VENDOR_INTEL, "vmxon_enabled" },
	{ HV_FEAT_EPT,		 HV_VENDOR_INTEL, "ept" },
	{ HV_FEAT_VPID,		 HV_VENDOR_INTEL, "vpid" },
	{ HV_FEAT_UNRESTRICTED,	 HV_VENDOR_INTEL, "unrestricted_guest" },
	{ HV_FEAT_EPT_2M,	 HV_VENDOR_INTEL, "ept_2m" },
	{ HV_FEAT_EPT_1G,	 HV_VENDOR_INTEL, "ept_1g" },
	{ HV_FEAT_EPT_AD,	 HV_VENDOR_INTEL, "ept_ad" },
	{ HV_FEAT_EPT_WB,	 HV_VENDOR_INTEL, "ept_wb" },
	{ HV_FEAT_EPT_4LEVEL,	 HV_VENDOR_INTEL, "ept_4level" },
	{ HV_FEAT_INVEPT,	 HV_VENDOR_INTEL, "invept" },
	{ HV_FEAT_INVVPID,	 HV_VENDOR_INTEL, "invvpid" },
	{ HV_FEAT_VMX_TRUE_CTLS, HV_VENDOR_INTEL, "vmx_true_ctls" },
	{ HV_FEAT_SVM,		 HV_VENDOR_AMD, "svm" },
	{ HV_FEAT_SVM_LOCKED,	 HV_VENDOR_AMD, "svm_lock" },
	{ HV_FEAT_SVM_DISABLED,	 HV_VENDOR_AMD, "svm_disabled" },
	{ HV_FEAT_NPT,		 HV_VENDOR_AMD, "npt" },
	{ HV_FEAT_NRIPS,	 HV_VENDOR_AMD, "nrip_save" },
	{ HV_FEAT_DECODE_ASSISTS, HV_VENDOR_AMD, "decode_assists" },
	{ HV_FEAT_FLUSH_BY_ASID, HV_VENDOR_AMD, "flush_by_asid" },
	{ HV_FEAT_VMCB_CLEAN,	 HV_VENDOR_AMD, "vmcb_clean" },
	{ HV_FEAT_LBR_VIRT,	 HV_VENDOR_AMD, "lbr_virt" },
};
#define NR_BITS (sizeof(all_bits) / sizeof(all_bits[0]))

START_TEST(feature_table_bits)
{
	const struct hv_feature *tab = hv_feature_table(NULL);
	size_t n, i, k, seen;

	ck_assert_ptr_eq(hv_feature_table(&n), tab);
	ck_assert_uint_eq(n, NR_BITS);
	for (i = 0; i < NR_BITS; i++) {
		seen = 0;
		for (k = 0; k < n; k++) {
			if (tab[k].bit != all_bits[i].bit)
				continue;
			seen++;
			ck_assert_uint_eq(tab[k].vendor, all_bits[i].vendor);
			ck_assert_str_eq(tab[k].key, all_bits[i].key);
		}
		ck_assert_msg(seen == 1, "bit %s in table %zu times",
			      all_bits[i].key, seen);
	}
	/* One bit per entry, so n == NR_BITS means nothing extra either. */
	for (k = 0; k < n; k++)
		ck_assert_int_eq(__builtin_popcountll(tab[k].bit), 1);
}
END_TEST

#define KEY_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

START_TEST(feature_table_text)
{
	size_t n, i, k;
	const struct hv_feature *tab = hv_feature_table(&n);

	for (i = 0; i < n; i++) {
		/* Keys are JSON keys and shell-friendly: keep them plain. */
		ck_assert_uint_gt(strlen(tab[i].key), 0);
		ck_assert_uint_eq(strspn(tab[i].key, KEY_CHARS),
				  strlen(tab[i].key));
		ck_assert_uint_le(strlen(tab[i].key), 22);  /* info column */
		ck_assert_uint_gt(strlen(tab[i].desc), 3);
		for (k = i + 1; k < n; k++)
			ck_assert_str_ne(tab[i].key, tab[k].key);
	}
	for (i = 0; i < n && tab[i].bit != HV_FEAT_EPT; i++)
		;
	ck_assert_uint_lt(i, n);
	ck_assert_str_eq(tab[i].desc, "EPT (extended page tables)");
}
END_TEST

Suite *lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("lib");

	tcase_add_test(tc, strerror_special);
	tcase_add_test(tc, strerror_generic);
	tcase_add_test(tc, strerror_unknown);
	tcase_add_test(tc, vendor_names);
	tcase_add_test(tc, feature_table_bits);
	tcase_add_test(tc, feature_table_text);
	suite_add_tcase(s, tc);
	return s;
}
