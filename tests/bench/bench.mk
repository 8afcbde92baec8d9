# SPDX-License-Identifier: GPL-2.0
#
# Benchmarks, included by the top Makefile after tests/rig/rig.mk (it uses
# VMTEST_BIN, VMTEST_DEPS and VMTEST_KVER from there).
#
#   make bench          hv against KVM on both emulated machines: amd (QEMU
#                       TCG, kvm_amd) and intel (Bochs, kvm_intel); prints
#                       a table and BENCH lines (docs/bench.md)
#   make bench-amd      one machine (also bench-intel)
#
# hv-bench and kvm-linux join the rig's static programs in $(VMTEST_BIN); the machines
# boot from their own initramfs in build/bench/ (with the ISO, the console
# logs and bench.txt), so bench and vmtest can run side by side.

BENCH_DIR ?= build/bench
BENCH_ENV := KVER=$(VMTEST_KVER) BENCH_DIR=$(BENCH_DIR) VMTEST_BIN=$(VMTEST_BIN) \
	     HV_KO=kmod/hv.ko HVCTL=cli/hvctl.static

.PHONY: bench bench-amd bench-intel

# Static: the initramfs has no libc.
$(VMTEST_BIN)/hv-bench: tests/bench/hv-bench.c lib/libhv.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $< lib/libhv.a $(LIBHV_STATIC_LIBS)

$(VMTEST_BIN)/hv-snapbench: tests/bench/hv-snapbench.c lib/libhv.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $< lib/libhv.a $(LIBHV_STATIC_LIBS)

# The Linux boot benchmark: a KVM loader of our own and the hv side.
$(VMTEST_BIN)/kvm-linux: tests/bench/kvm-linux.c lib/libhv.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -pthread -o $@ $< lib/libhv.a $(LIBHV_STATIC_LIBS)

BENCH_PROGS := $(VMTEST_BIN)/hv-bench $(VMTEST_BIN)/hv-snapbench \
	       $(VMTEST_BIN)/kvm-linux

# bench-trace's hv.ko with the tracepoints compiled out (make HV_TRACE=0):
# the module's sources copied to $(BENCH_DIR)/notrace and built there, so
# that kmod/hv.ko stays the one with them.
BENCH_NOTRACE := $(BENCH_DIR)/notrace
.PHONY: bench-notrace
bench-notrace:
	@test -n "$(KDIR)" || { echo "no kernel build dir: set KDIR" >&2; exit 1; }
	mkdir -p $(BENCH_NOTRACE)/kmod $(BENCH_NOTRACE)/include
	cp Kbuild $(BENCH_NOTRACE)/
	cp -r include/. $(BENCH_NOTRACE)/include/
	cd kmod && find . \( -name '*.[chS]' -o -name Kbuild \) \
		! -name hv-asm-offsets.h ! -name '*.mod.c' | \
		cpio -pdmu --quiet $(abspath $(BENCH_NOTRACE))/kmod
	$(MAKE) -C $(KDIR) M=$(abspath $(BENCH_NOTRACE)) HV_TRACE=0 modules

bench: $(VMTEST_DEPS) $(BENCH_PROGS) bench-notrace
	$(BENCH_ENV) tests/bench/run-bench amd intel

bench-amd bench-intel: bench-%: $(VMTEST_DEPS) $(BENCH_PROGS) bench-notrace
	$(BENCH_ENV) tests/bench/run-bench $*
