// SPDX-License-Identifier: GPL-2.0
/*
 * A fake /dev/hv for the unit tests (see unit.h): lets hv_open()'s version
 * check and the whole `hvctl info` path run without the module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

struct fake_hv fake_hv;
const struct hv_stat_desc fake_stat_descs[4] = {
	{ "exit.io", HV_STAT_COUNT, 0, 0 },
	{ "exit.cpuid", HV_STAT_COUNT, 0, 0 },
	{ "exit_ns.cpuid", HV_STAT_NS, 0, 0 },
	{ "mem.cow_copied", HV_STAT_COUNT | HV_STAT_VM, 0, 0 },
};
unsigned int fake_stats_desc_calls;
char fake_hv_path[64];
static dev_t fake_dev;
static ino_t fake_ino;
static bool fake_active;

int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

static bool is_fake(int fd)
{
	struct stat st;

	return fake_active && !fstat(fd, &st) && st.st_dev == fake_dev &&
	       st.st_ino == fake_ino;
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	if (fake_active && fake_vm_ioctl(fd, is_fake(fd), req, arg, &ret))
		return ret;
	if (!is_fake(fd))
		return __real_ioctl(fd, req, arg);

	switch (req) {
	case HV_GET_API_VERSION:
		return fake_hv.version;
	case HV_GET_CAPS:
		if (fake_hv.caps_err)
			break;
		memcpy(arg, &fake_hv.caps, sizeof(fake_hv.caps));
		return 0;
	case HV_GET_STATUS:
		if (fake_hv.status_err)
			break;
		memcpy(arg, &fake_hv.status, sizeof(fake_hv.status));
		return 0;
	case HV_GET_STATS_DESC: {
		/* the module's rules (hv_stats.c) */
		struct hv_stats_desc_list *l = arg;
		uint32_t i;

		if (l->pad || l->reserved[0] || l->reserved[1]) {
			errno = EINVAL;
			return -1;
		}
		fake_stats_desc_calls++;
		for (i = 0; i < l->count && i < 4; i++)
			memcpy((struct hv_stat_desc *)(uintptr_t)l->descs + i,
			       &fake_stat_descs[i], sizeof(fake_stat_descs[i]));
		l->count = 4;
		return 0;
	}
	case HV_GET_USAGE:
		if (!fake_hv.has_usage) {
			errno = fake_hv.usage_err ? fake_hv.usage_err : ENOTTY;
			return -1;
		}
		memcpy(arg, &fake_hv.usage, sizeof(fake_hv.usage));
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
	errno = req == HV_GET_CAPS ? fake_hv.caps_err : fake_hv.status_err;
	return -1;
}

void fake_hv_setup(void)
{
	struct stat st;
	int fd;

	fake_stats_desc_calls = 0;
	strcpy(fake_hv_path, "/tmp/hv-unit-dev.XXXXXX");
	fd = mkstemp(fake_hv_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	close(fd);

	fake_dev = st.st_dev;
	fake_ino = st.st_ino;
	fake_active = true;
	fake_vm_reset();
	memset(&fake_hv, 0, sizeof(fake_hv));
	fake_hv.version = HV_API_VERSION;
	fake_intel_caps(&fake_hv.caps, &fake_hv.status);
	setenv("HV_DEVICE", fake_hv_path, 1);
}

void fake_hv_teardown(void)
{
	fake_active = false;
	unlink(fake_hv_path);
	unsetenv("HV_DEVICE");
}

/* Values as an emulated Skylake-X (Bochs) would report them. */
void fake_intel_caps(struct hv_caps *c, struct hv_status *s)
{
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->vendor = HV_VENDOR_INTEL;
	c->api_version = 1;
	c->features = HV_FEAT_VMX | HV_FEAT_VMX_FC_LOCKED |
		      HV_FEAT_VMX_FC_ENABLED | HV_FEAT_EPT | HV_FEAT_VPID |
		      HV_FEAT_UNRESTRICTED | HV_FEAT_EPT_2M |
		      HV_FEAT_EPT_WB | HV_FEAT_EPT_4LEVEL | HV_FEAT_INVEPT |
		      HV_FEAT_INVVPID | HV_FEAT_VMX_TRUE_CTLS;
	c->nr_cpus = 2;
	c->vmcs_revision = 0x4;
	c->feature_msr = 0x5;
	c->vmx_basic = 0xda040000000004ULL;
	c->vmx_ept_vpid_cap = 0xf0106114141ULL;
	s->virt_users = 1;
	s->cpus_enabled = 2;
	s->cpus_online = 2;
}

/* Values as QEMU TCG with -cpu qemu64,+svm,+npt would report them. */
void fake_amd_caps(struct hv_caps *c, struct hv_status *s)
{
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->vendor = HV_VENDOR_AMD;
	c->api_version = 1;
	c->features = HV_FEAT_SVM | HV_FEAT_NPT | HV_FEAT_NRIPS;
	c->nr_cpus = 2;
	c->nr_asids = 16;
	c->svm_revision = 1;
	c->svm_features = 0x9;
	c->feature_msr = 0;
	s->cpus_online = 2;
}
