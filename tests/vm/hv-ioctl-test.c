// SPDX-License-Identifier: GPL-2.0
/*
 * hv-ioctl-test: in-guest checks of the /dev/hv ioctl ABI and of the
 * switching on and off of hardware virtualization (include/uapi/hv.h).
 * Built static for the test initramfs; run by tests/vm/cases.sh.
 *
 *   hv-ioctl-test abi VENDOR      version, caps, status, and the errors of
 *                                 bad ioctl numbers, sizes and pointers
 *   hv-ioctl-test virt-cpus       HV_DEBUG_HOLD_VIRT / RELEASE reference
 *                                 counting, per-CPU state, and proof with
 *                                 KVM_CREATE_VM that VMX/SVM really is on
 *                                 and off (needs /dev/kvm)
 *   hv-ioctl-test hold-expect-busy  HOLD must fail with EBUSY (another
 *                                 hypervisor owns VMX/SVM) and leave every
 *                                 CPU off
 *   hv-ioctl-test hold-release    HOLD then RELEASE, checking status
 *   hv-ioctl-test hold-run CMD..  HOLD, run CMD, exit with CMD's status
 *   hv-ioctl-test status          print HV_GET_STATUS
 *
 * VENDOR is amd, intel or none.  Exit status 0 if every check passed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/hv.h"
#include "hvtest.h"

/* KVM_CREATE_VM = _IO(KVMIO, 0x01), KVMIO = 0xAE (linux/kvm.h) */
#define TEST_KVM_CREATE_VM	_IO(0xAE, 0x01)

static const char *dev = "/dev/hv";

static int open_hv(void)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fail("open %s: %s", dev, strerror(errno));
		exit(hvtest_exit());
	}
	return fd;
}

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static int get_status(int fd, struct hv_status *st)
{
	memset(st, 0xa5, sizeof(*st));
	if (ioctl(fd, HV_GET_STATUS, st) < 0) {
		fail("HV_GET_STATUS: %s", strerror(errno));
		return 0;
	}
	printf("  status: virt_users=%u cpus_enabled=%u cpus_online=%u\n",
	       st->virt_users, st->cpus_enabled, st->cpus_online);
	return 1;
}

/* Check virt_users and cpus_enabled; cpus_online must be the online CPUs. */
static void expect_status(int fd, unsigned int users, unsigned int enabled,
			  const char *when)
{
	struct hv_status st;
	char what[160];

	if (!get_status(fd, &st))
		return;
	snprintf(what, sizeof(what), "%s: virt_users", when);
	expect_eq(st.virt_users, users, what);
	snprintf(what, sizeof(what), "%s: cpus_enabled", when);
	expect_eq(st.cpus_enabled, enabled, what);
	snprintf(what, sizeof(what), "%s: cpus_online", when);
	expect_eq(st.cpus_online, online_cpus(), what);
}

static unsigned int vendor_code(const char *name)
{
	if (!strcmp(name, "amd"))
		return HV_VENDOR_AMD;
	if (!strcmp(name, "intel"))
		return HV_VENDOR_INTEL;
	return HV_VENDOR_NONE;
}

static int cmd_abi(const char *vendor)
{
	int fd = open_hv();
	struct hv_caps caps;
	struct hv_status st;
	long page = sysconf(_SC_PAGESIZE);
	char *map;
	pid_t pid;
	int status;

	printf("hv-ioctl-test abi: %d online CPUs, expecting vendor %s\n",
	       online_cpus(), vendor);

	/* The plain queries. */
	expect_eq(ioctl(fd, HV_GET_API_VERSION), HV_API_VERSION,
		  "HV_GET_API_VERSION");

	memset(&caps, 0xa5, sizeof(caps));
	if (expect_success(ioctl(fd, HV_GET_CAPS, &caps), "HV_GET_CAPS")) {
		printf("  caps: vendor=%u api_version=%u features=%#llx "
		       "nr_cpus=%u nr_asids=%u vmcs_revision=%#x "
		       "svm_revision=%#x feature_msr=%#llx\n",
		       caps.vendor, caps.api_version,
		       (unsigned long long)caps.features, caps.nr_cpus,
		       caps.nr_asids, caps.vmcs_revision, caps.svm_revision,
		       (unsigned long long)caps.feature_msr);
		expect_eq(caps.vendor, vendor_code(vendor), "caps.vendor");
		expect_eq(caps.api_version, HV_API_VERSION, "caps.api_version");
		expect_eq(caps.nr_cpus, online_cpus(), "caps.nr_cpus");
		expect_eq(caps.pad, 0, "caps.pad");
		for (unsigned int i = 0; i < 8; i++)
			if (caps.reserved[i]) {
				fail("caps.reserved[%u] = %#llx, expected 0", i,
				     (unsigned long long)caps.reserved[i]);
				break;
			}
	}

	if (expect_success(ioctl(fd, HV_GET_STATUS, &st), "HV_GET_STATUS")) {
		expect_eq(st.cpus_online, online_cpus(), "status.cpus_online");
		expect_eq(st.virt_users, 0, "status.virt_users");
		expect_eq(st.cpus_enabled, 0, "status.cpus_enabled");
	}

	/* Numbers that are not ours, or not known: ENOTTY. */
	expect_errno(ioctl(fd, _IO(HV_IOCTL_MAGIC, 0x55)), ENOTTY,
		     "unknown nr _IO(HV_IOCTL_MAGIC, 0x55)");
	expect_errno(ioctl(fd, _IOR(HV_IOCTL_MAGIC, 0x55, struct hv_caps), &caps),
		     ENOTTY, "unknown nr _IOR(HV_IOCTL_MAGIC, 0x55, hv_caps)");
	expect_errno(ioctl(fd, _IOR(HV_IOCTL_MAGIC + 1, 0x01, struct hv_caps),
			   &caps),
		     ENOTTY, "other magic _IOR(0xC7, 0x01, hv_caps)");
	expect_errno(ioctl(fd, _IO(0xAE, 0x00)), ENOTTY,
		     "KVM's KVM_GET_API_VERSION on /dev/hv");

	/* Known number, wrong size or direction: EINVAL. */
	expect_errno(ioctl(fd, _IOR(HV_IOCTL_MAGIC, 0x01, char[8]), &caps),
		     EINVAL, "HV_GET_CAPS with size 8");
	{
		char big[sizeof(struct hv_caps) + 64];

		expect_errno(ioctl(fd, _IOR(HV_IOCTL_MAGIC, 0x01,
					    char[sizeof(struct hv_caps) + 64]),
				   big),
			     EINVAL, "HV_GET_CAPS with size + 64");
	}
	expect_errno(ioctl(fd, _IOW(HV_IOCTL_MAGIC, 0x01, struct hv_caps), &caps),
		     EINVAL, "HV_GET_CAPS as _IOW");
	expect_errno(ioctl(fd, _IOWR(HV_IOCTL_MAGIC, 0x01, struct hv_caps),
			   &caps),
		     EINVAL, "HV_GET_CAPS as _IOWR");
	expect_errno(ioctl(fd, _IOW(HV_IOCTL_MAGIC, 0x02, struct hv_status), &st),
		     EINVAL, "HV_GET_STATUS as _IOW");
	expect_errno(ioctl(fd, _IOR(HV_IOCTL_MAGIC, 0x00, int), &st),
		     EINVAL, "HV_GET_API_VERSION as _IOR");

	/* Bad user pointers: EFAULT. */
	expect_errno(ioctl(fd, HV_GET_CAPS, NULL), EFAULT, "HV_GET_CAPS(NULL)");
	expect_errno(ioctl(fd, HV_GET_STATUS, NULL), EFAULT,
		     "HV_GET_STATUS(NULL)");
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		fail("mmap: %s", strerror(errno));
	} else {
		munmap(map + page, page);
		/* The struct would end in the unmapped page. */
		expect_errno(ioctl(fd, HV_GET_CAPS, map + page - 16), EFAULT,
			     "HV_GET_CAPS straddling an unmapped page");
		munmap(map, page);
		expect_errno(ioctl(fd, HV_GET_CAPS, map), EFAULT,
			     "HV_GET_CAPS(unmapped pointer)");
	}
	expect_errno(ioctl(fd, HV_GET_CAPS, (void *)0xffff800000000000ULL),
		     EFAULT, "HV_GET_CAPS(kernel address)");

	/* Still answering after all that. */
	expect_eq(ioctl(fd, HV_GET_API_VERSION), HV_API_VERSION,
		  "HV_GET_API_VERSION afterwards");

	/* HOLD needs CAP_SYS_ADMIN: try it as nobody on the same file. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int ret;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		ret = ioctl(fd, HV_DEBUG_HOLD_VIRT);
		_exit(ret == 0 ? 3 : errno == EPERM ? 0 : 4);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		fail("fork/wait for the unprivileged HOLD: %s", strerror(errno));
	else if (WEXITSTATUS(status) == 3) {
		fail("HV_DEBUG_HOLD_VIRT without CAP_SYS_ADMIN succeeded");
		ioctl(fd, HV_DEBUG_RELEASE_VIRT);
	} else if (WEXITSTATUS(status) != 0)
		fail("HV_DEBUG_HOLD_VIRT without CAP_SYS_ADMIN: child status %d "
		     "(2: setuid failed, 4: errno not EPERM)",
		     WEXITSTATUS(status));
	else
		ok("HV_DEBUG_HOLD_VIRT without CAP_SYS_ADMIN -> EPERM");

	close(fd);
	return hvtest_exit();
}

/* Try KVM_CREATE_VM; returns the errno (0 on success, VM closed again). */
static int kvm_try_create_vm(int kvm)
{
	int vm = ioctl(kvm, TEST_KVM_CREATE_VM, 0);

	if (vm < 0)
		return errno;
	close(vm);
	return 0;
}

static int cmd_virt_cpus(void)
{
	int n = online_cpus();
	int fd1, fd2, fd3, kvm, err;

	printf("hv-ioctl-test virt-cpus: %d online CPUs\n", n);

	fd1 = open_hv();
	expect_status(fd1, 0, 0, "before any hold");

	expect_success(ioctl(fd1, HV_DEBUG_HOLD_VIRT), "HOLD on fd1");
	expect_status(fd1, 1, n, "fd1 holding");
	expect_errno(ioctl(fd1, HV_DEBUG_HOLD_VIRT), EALREADY,
		     "second HOLD on fd1");
	expect_status(fd1, 1, n, "after the refused second HOLD");

	fd2 = open_hv();
	expect_success(ioctl(fd2, HV_DEBUG_HOLD_VIRT), "HOLD on fd2");
	expect_status(fd2, 2, n, "fd1 and fd2 holding");

	close(fd1);
	ok("closed fd1");
	expect_status(fd2, 1, n, "fd2 holding after fd1 closed");
	close(fd2);
	ok("closed fd2");

	fd3 = open_hv();
	expect_status(fd3, 0, 0, "after both closed");

	/* Explicit release. */
	expect_errno(ioctl(fd3, HV_DEBUG_RELEASE_VIRT), EINVAL,
		     "RELEASE without HOLD");
	expect_success(ioctl(fd3, HV_DEBUG_HOLD_VIRT), "HOLD on fd3");
	expect_status(fd3, 1, n, "fd3 holding");
	expect_success(ioctl(fd3, HV_DEBUG_RELEASE_VIRT), "RELEASE on fd3");
	expect_status(fd3, 0, 0, "after RELEASE");
	expect_errno(ioctl(fd3, HV_DEBUG_RELEASE_VIRT), EINVAL,
		     "second RELEASE");
	expect_success(ioctl(fd3, HV_DEBUG_HOLD_VIRT),
		       "HOLD again on fd3 after RELEASE");
	expect_status(fd3, 1, n, "fd3 holding again");

	/*
	 * The hardware's word: KVM enables VMX/SVM on every CPU when a VM
	 * is created, and refuses (EBUSY) on a CPU where it is already on.
	 */
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fail("open /dev/kvm: %s (KVM module not loaded?)",
		     strerror(errno));
		close(fd3);
		return hvtest_exit();
	}
	err = kvm_try_create_vm(kvm);
	if (err == EBUSY)
		ok("KVM_CREATE_VM while hv holds -> EBUSY");
	else
		fail("KVM_CREATE_VM while hv holds: %s, expected EBUSY "
		     "(is VMX/SVM really on on every CPU?)",
		     err ? strerror(err) : "succeeded");
	expect_status(fd3, 1, n, "after KVM's attempt");

	expect_success(ioctl(fd3, HV_DEBUG_RELEASE_VIRT), "RELEASE on fd3");
	expect_status(fd3, 0, 0, "after RELEASE");
	err = kvm_try_create_vm(kvm);
	if (err == 0)
		ok("KVM_CREATE_VM after hv released succeeded");
	else
		fail("KVM_CREATE_VM after hv released: %s (did hv leave "
		     "VMX/SVM on on some CPU?)", strerror(err));

	/* And hv can take it back once KVM's VM is gone. */
	expect_success(ioctl(fd3, HV_DEBUG_HOLD_VIRT), "HOLD after KVM's VM");
	expect_status(fd3, 1, n, "holding after KVM's VM");
	close(fd3);
	close(kvm);
	fd1 = open_hv();
	expect_status(fd1, 0, 0, "at the end");
	close(fd1);
	return hvtest_exit();
}

static int cmd_hold_expect_busy(void)
{
	int fd = open_hv();

	printf("hv-ioctl-test hold-expect-busy\n");
	if (ioctl(fd, HV_DEBUG_HOLD_VIRT) == 0) {
		fail("HOLD succeeded while another hypervisor owns VMX/SVM");
		expect_status(fd, 1, online_cpus(), "after the wrong HOLD");
		ioctl(fd, HV_DEBUG_RELEASE_VIRT);
	} else if (errno != EBUSY) {
		fail("HOLD: errno %d (%s), expected EBUSY", errno,
		     strerror(errno));
	} else {
		ok("HOLD -> EBUSY");
	}
	/* Nothing half-on: the CPUs hv did switch on must be off again. */
	expect_status(fd, 0, 0, "after the refused HOLD");
	expect_errno(ioctl(fd, HV_DEBUG_RELEASE_VIRT), EINVAL,
		     "RELEASE after the refused HOLD");
	close(fd);
	return hvtest_exit();
}

static int cmd_hold_release(void)
{
	int fd = open_hv();
	int n = online_cpus();

	expect_success(ioctl(fd, HV_DEBUG_HOLD_VIRT), "HOLD");
	expect_status(fd, 1, n, "holding");
	expect_success(ioctl(fd, HV_DEBUG_RELEASE_VIRT), "RELEASE");
	expect_status(fd, 0, 0, "released");
	close(fd);
	return hvtest_exit();
}

static int cmd_hold_run(char **argv)
{
	int fd = open_hv();
	int status;
	pid_t pid;

	if (!expect_success(ioctl(fd, HV_DEBUG_HOLD_VIRT), "HOLD"))
		return hvtest_exit();
	expect_status(fd, 1, online_cpus(), "holding");
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "hv-ioctl-test: exec %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		fail("fork/wait: %s", strerror(errno));
		return hvtest_exit();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("'%s' (run while holding) failed: status %#x", argv[0],
		     status);
	else
		ok("'%s' (run while holding) succeeded", argv[0]);
	close(fd);
	return hvtest_exit();
}

static int cmd_status(void)
{
	struct hv_status st;
	int fd = open_hv();

	get_status(fd, &st);
	close(fd);
	return hvtest_exit();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hv-ioctl-test abi amd|intel|none\n"
		"       hv-ioctl-test virt-cpus|hold-expect-busy|hold-release|status\n"
		"       hv-ioctl-test hold-run CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("HV_DEV"))
		dev = getenv("HV_DEV");
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "abi") && argc == 3)
		return cmd_abi(argv[2]);
	if (!strcmp(argv[1], "virt-cpus") && argc == 2)
		return cmd_virt_cpus();
	if (!strcmp(argv[1], "hold-expect-busy") && argc == 2)
		return cmd_hold_expect_busy();
	if (!strcmp(argv[1], "hold-release") && argc == 2)
		return cmd_hold_release();
	if (!strcmp(argv[1], "hold-run") && argc >= 3)
		return cmd_hold_run(argv + 2);
	if (!strcmp(argv[1], "status") && argc == 2)
		return cmd_status();
	usage();
	return 2;
}
