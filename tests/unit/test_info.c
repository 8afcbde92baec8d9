// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl info formatting, fed with fake capabilities.
 */
#include <stdlib.h>
#include <string.h>

#include "hvctl.h"
#include "unit.h"

static char *info(const struct hv_caps *c, const struct hv_status *s,
		  bool json)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(hvctl_info_print(f, c, s, json), 0);
	fclose(f);
	return buf;
}

static const char intel_text[] =
	"vendor:           Intel VT-x\n"
	"api version:      1\n"
	"cpus online:      2 (2 at module load)\n"
	"cpus enabled:     2 (VMX on now)\n"
	"virt users:       1 (VMs and test holds)\n"
	"vmcs revision:    0x4\n"
	"vmx basic:        0xda040000000004\n"
	"ept/vpid cap:     0xf0106114141\n"
	"feature msr:      0x5 (IA32_FEATURE_CONTROL)\n"
	"feature bits:     0x3e7f\n"
	"features:\n"
	"  vmx                     yes  VMX instructions (VT-x)\n"
	"  feature_control_locked  yes  IA32_FEATURE_CONTROL locked by firmware\n"
	"  vmxon_enabled           yes  VMXON allowed outside SMX\n"
	"  ept                     yes  EPT (extended page tables)\n"
	"  vpid                    yes  VPID (TLB tags per virtual processor)\n"
	"  unrestricted_guest      yes  unrestricted guest (real mode, no paging)\n"
	"  ept_2m                  yes  2 MiB EPT pages\n"
	"  ept_1g                  no   1 GiB EPT pages\n"
	"  ept_ad                  no   EPT accessed and dirty bits\n"
	"  ept_wb                  yes  write-back EPT paging structures\n"
	"  ept_4level              yes  4-level EPT page walk\n"
	"  invept                  yes  INVEPT instruction\n"
	"  invvpid                 yes  INVVPID instruction\n"
	"  vmx_true_ctls           yes  IA32_VMX_TRUE_*_CTLS capability MSRs\n";

static const char amd_text[] =
	"vendor:           AMD-V\n"
	"api version:      1\n"
	"cpus online:      2 (2 at module load)\n"
	"cpus enabled:     0 (SVM on now)\n"
	"virt users:       0 (VMs and test holds)\n"
	"svm revision:     0x1\n"
	"asids:            16\n"
	"svm features:     0x9 (CPUID 8000_000Ah:EDX)\n"
	"feature msr:      0x0 (VM_CR)\n"
	"feature bits:     0x1900000000\n"
	"features:\n"
	"  svm                     yes  SVM instructions (AMD-V)\n"
	"  svm_lock                no   VM_CR locked by firmware (SVM_LOCK)\n"
	"  svm_disabled            no   SVM disabled by firmware (VM_CR.SVMDIS)\n"
	"  npt                     yes  NPT (nested page tables)\n"
	"  nrip_save               yes  next-RIP save on #VMEXIT\n"
	"  decode_assists          no   decode assists (exit info for MMIO, CRx)\n"
	"  flush_by_asid           no   TLB flush by ASID\n"
	"  vmcb_clean              no   VMCB clean bits\n"
	"  lbr_virt                no   LBR virtualization\n";

static const char intel_json[] =
	"{\"vendor\":\"intel\",\"api_version\":1,\"nr_cpus\":2,"
	"\"cpus_online\":2,\"cpus_enabled\":2,\"virt_users\":1,"
	"\"vmcs_revision\":4,\"vmx_basic\":\"0xda040000000004\","
	"\"vmx_ept_vpid_cap\":\"0xf0106114141\",\"feature_msr\":\"0x5\","
	"\"features_raw\":\"0x3e7f\",\"features\":{\"vmx\":true,"
	"\"feature_control_locked\":true,\"vmxon_enabled\":true,"
	"\"ept\":true,\"vpid\":true,\"unrestricted_guest\":true,"
	"\"ept_2m\":true,\"ept_1g\":false,\"ept_ad\":false,"
	"\"ept_wb\":true,\"ept_4level\":true,\"invept\":true,"
	"\"invvpid\":true,\"vmx_true_ctls\":true}}\n";

static const char amd_json[] =
	"{\"vendor\":\"amd\",\"api_version\":1,\"nr_cpus\":2,"
	"\"cpus_online\":2,\"cpus_enabled\":0,\"virt_users\":0,"
	"\"nr_asids\":16,\"svm_revision\":1,\"svm_features\":\"0x9\","
	"\"feature_msr\":\"0x0\",\"features_raw\":\"0x1900000000\","
	"\"features\":{\"svm\":true,\"svm_lock\":false,"
	"\"svm_disabled\":false,\"npt\":true,\"nrip_save\":true,"
	"\"decode_assists\":false,\"flush_by_asid\":false,"
	"\"vmcb_clean\":false,\"lbr_virt\":false}}\n";

START_TEST(intel_info_text)
{
	struct hv_caps c;
	struct hv_status s;
	char *out;

	fake_intel_caps(&c, &s);
	out = info(&c, &s, false);
	ck_assert_str_eq(out, intel_text);
	free(out);
}
END_TEST

START_TEST(amd_info_text)
{
	struct hv_caps c;
	struct hv_status s;
	char *out;

	fake_amd_caps(&c, &s);
	out = info(&c, &s, false);
	ck_assert_str_eq(out, amd_text);
	free(out);
}
END_TEST

START_TEST(intel_info_json)
{
	struct hv_caps c;
	struct hv_status s;
	char *out;

	fake_intel_caps(&c, &s);
	out = info(&c, &s, true);
	ck_assert_str_eq(out, intel_json);
	ck_assert(json_valid(out));
	free(out);
}
END_TEST

START_TEST(amd_info_json)
{
	struct hv_caps c;
	struct hv_status s;
	char *out;

	fake_amd_caps(&c, &s);
	out = info(&c, &s, true);
	ck_assert_str_eq(out, amd_json);
	ck_assert(json_valid(out));
	free(out);
}
END_TEST

/*
 * Whatever the bits say, each key of the vendor is listed exactly once
 * and no key of the other vendor is: scripts rely on the key set.
 */
START_TEST(json_feature_keys)
{
	const uint32_t vendors[] = { HV_VENDOR_INTEL, HV_VENDOR_AMD };
	const struct hv_feature *tab = hv_feature_table(NULL);
	struct hv_caps c;
	struct hv_status s;
	char key[64];
	size_t i, v, n;
	char *out;

	hv_feature_table(&n);
	for (v = 0; v < 2; v++) {
		fake_intel_caps(&c, &s);
		c.vendor = vendors[v];
		c.features = _i ? ~0ULL : 0;	/* a loop test: 0 and 1 */
		out = info(&c, &s, true);
		ck_assert(json_valid(out));
		for (i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "\"%s\":%s", tab[i].key,
				 _i ? "true" : "false");
			ck_assert_int_eq(count_substr(out, key),
					 tab[i].vendor == vendors[v]);
		}
		free(out);
	}
}
END_TEST

START_TEST(no_vendor)
{
	struct hv_caps c = { .api_version = 1, .nr_cpus = 1 };
	struct hv_status s = { .cpus_online = 1 };
	char *out;

	out = info(&c, &s, true);
	ck_assert_str_eq(out, "{\"vendor\":\"none\",\"api_version\":1,"
			 "\"nr_cpus\":1,\"cpus_online\":1,\"cpus_enabled\":0,"
			 "\"virt_users\":0,\"feature_msr\":\"0x0\","
			 "\"features_raw\":\"0x0\",\"features\":{}}\n");
	ck_assert(json_valid(out));
	free(out);

	out = info(&c, &s, false);
	ck_assert_str_eq(out,
		"vendor:           none (no VT-x or AMD-V found)\n"
		"api version:      1\n"
		"cpus online:      1 (1 at module load)\n"
		"cpus enabled:     0 (VMX/SVM on now)\n"
		"virt users:       0 (VMs and test holds)\n"
		"feature bits:     0x0\n");
	free(out);
}
END_TEST

Suite *info_suite(void)
{
	Suite *s = suite_create("info");
	TCase *tc = tcase_create("info");

	tcase_add_test(tc, intel_info_text);
	tcase_add_test(tc, amd_info_text);
	tcase_add_test(tc, intel_info_json);
	tcase_add_test(tc, amd_info_json);
	tcase_add_loop_test(tc, json_feature_keys, 0, 2);
	tcase_add_test(tc, no_vendor);
	suite_add_tcase(s, tc);
	return s;
}
