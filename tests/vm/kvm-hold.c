// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold: create a KVM VM and keep it open while a command runs.
 * Built static for the test initramfs; run by tests/vm/cases.sh.
 *
 *   kvm-hold [--] CMD [ARG...]
 *
 * In Linux 6.1, KVM switches VMX/SVM on on every CPU when the first VM is
 * created and off when the last one goes, so while CMD runs the hardware
 * virtualization belongs to KVM.  Exits with CMD's status, or 125 if the
 * VM could not be created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* linux/kvm.h: KVMIO = 0xAE */
#define TEST_KVM_GET_API_VERSION	_IO(0xAE, 0x00)
#define TEST_KVM_CREATE_VM		_IO(0xAE, 0x01)

int main(int argc, char **argv)
{
	int kvm, vm, status;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	argv++, argc--;
	if (argc && !strcmp(argv[0], "--"))
		argv++, argc--;
	if (!argc) {
		fprintf(stderr, "usage: kvm-hold [--] CMD [ARG...]\n");
		return 2;
	}

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("kvm-hold: open /dev/kvm: %s\n", strerror(errno));
		return 125;
	}
	printf("kvm-hold: KVM API version %d\n",
	       ioctl(kvm, TEST_KVM_GET_API_VERSION, 0));
	vm = ioctl(kvm, TEST_KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("kvm-hold: KVM_CREATE_VM: %s\n", strerror(errno));
		return 125;
	}
	printf("kvm-hold: KVM VM created (fd %d); running %s\n", vm, argv[0]);

	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		printf("kvm-hold: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		printf("kvm-hold: fork/wait: %s\n", strerror(errno));
		return 125;
	}
	close(vm);
	close(kvm);
	printf("kvm-hold: KVM VM closed\n");
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
