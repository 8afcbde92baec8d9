# SPDX-License-Identifier: GPL-2.0
#
# The emulated test rig, included by the top Makefile. Every machine runs
# Debian's kernel ($(KVER)) under an emulator, bounded by a timeout and
# powered off at the end; nothing is loaded into this host's kernel.
#
#   make vmtest           all machines: amd (QEMU TCG, AMD-V), intel-a and
#                         intel-b (Bochs, VT-x: the intel cases in two
#                         halves, intel-a beside the others on the second
#                         host CPU), amdback (amd again, for the snapshot
#                         intel carries back), nosvm (QEMU TCG without SVM)
#   make vmtest-amd       one machine (also vmtest-intel: every intel
#                         case in one machine; vmtest-nosvm)
#                         VMTEST_CASES=load,info runs only those cases
#   make demo             boot the AMD-V machine and show hvctl info
#   make pkgtest          the Debian packages, installed and checked, and
#                         the DKMS-built hv.ko booted (docs/packaging.md)
#   make test             make check, make pkgtest, make vmtest; one closing line
#                         "N passed, N failed" (tests/rig/run-all)
#   make vmtest-selftest  the rig's own tests: the log parser on planted
#                         logs (add RIG_SELFTEST_BOOT=1 to also boot QEMU
#                         with planted failures, splat and hang)
#
# Artifacts: build/vmtest/ (initramfs, ISO, console logs, results.txt).

# The guest kernel is the one the module is built against. Its version is
# UTS_RELEASE of the build dir: Debian's include/config/kernel.release
# holds the upstream version (6.1.192), not the package's (6.1.0-56-amd64).
VMTEST_KVER  := $(or $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
			$(KDIR)/include/generated/utsrelease.h 2>/dev/null),$(KVER))

VMTEST_DIR   := build/vmtest
VMTEST_BIN   := $(VMTEST_DIR)/bin
VMTEST_PROGS := $(patsubst tests/vm/%.c,$(VMTEST_BIN)/%,$(wildcard tests/vm/*.c))
VMTEST_DEPS  := module cli/hvctl.static $(VMTEST_PROGS)
# VMTEST_GUESTS: where tests/guests/guests.mk built the guests, also for a
# script that boots from a run directory of its own (tests/pkg/run)
VMTEST_ENV   := KVER=$(VMTEST_KVER) VMTEST_DIR=$(VMTEST_DIR) VMTEST_BIN=$(VMTEST_BIN) \
		VMTEST_GUESTS=$(VMTEST_DIR)/guests \
		HV_KO=kmod/hv.ko HVCTL=cli/hvctl.static

.PHONY: vmtest vmtest-amd vmtest-intel vmtest-nosvm vmtest-progs \
	vmtest-selftest demo test

# The in-guest test programs, static: the initramfs has no libc. Each may
# use libhv (an archive: programs that do not, get nothing from it).
$(VMTEST_BIN)/%: tests/vm/%.c $(wildcard tests/vm/*.h) lib/libhv.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -pthread -o $@ $< lib/libhv.a $(LIBHV_STATIC_LIBS)

vmtest-progs: $(VMTEST_PROGS)

vmtest: $(VMTEST_DEPS)
	$(VMTEST_ENV) tests/rig/vmtest

vmtest-amd vmtest-intel vmtest-nosvm: vmtest-%: $(VMTEST_DEPS)
	$(VMTEST_ENV) tests/rig/vmtest $*

demo: $(VMTEST_DEPS)
	$(VMTEST_ENV) tests/rig/demo

vmtest-selftest: $(VMTEST_PROGS)
	$(VMTEST_ENV) tests/rig/selftest

test:
	MAKE="$(MAKE)" tests/rig/run-all

# The Debian packages (tests/pkg/build-deb), and their test: build, lint,
# install, a program against the installed libhv, DKMS, boot (tests/pkg/run).
.PHONY: deb pkgtest
deb:
	tests/pkg/build-deb
pkgtest: $(VMTEST_DEPS)
	$(VMTEST_ENV) tests/pkg/run
