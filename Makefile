# SPDX-License-Identifier: GPL-2.0
#
# hv top-level build.
#   make            module (kmod/hv.ko), libhv (lib/libhv.a, .so), hvctl
#   make check      unit tests (check), on this machine
#   make vmtest     in-guest tests on both emulated vendors (QEMU AMD-V,
#                   Bochs VT-x, QEMU without SVM)
#   make test       check + vmtest, with one "N passed, N failed" line
#   make demo       boot the emulated AMD-V machine and show hv working
#   make bench      benchmarks (hv against KVM in the same emulated machine)

# Kernel build dir: the running kernel's if it has one, else the newest
# installed one (Debian's linux-headers-amd64 on a build machine).
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	  if [ -d $$d ]; then echo $$d; else \
	  ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n1; fi)

CC      ?= cc
AR      ?= ar
CFLAGS  ?= -O2 -g
override CFLAGS += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -Iinclude -Ilib
PICFLAGS = -fPIC

LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(LIB_SRCS:.c=.o)
LIB_PICS  := $(LIB_SRCS:.c=.pic.o)
CLI_SRCS  := $(sort $(wildcard cli/*.c))
CLI_OBJS  := $(CLI_SRCS:.c=.o)
# Everything of hvctl but main(), so unit tests can link the commands.
CLI_LIBOBJS := $(filter-out cli/hvctl.o,$(CLI_OBJS))
HDRS      := include/uapi/hv.h $(wildcard lib/*.h cli/*.h)

.PHONY: all module userspace clean
all: module userspace
userspace: lib/libhv.a lib/libhv.so cli/hvctl

module:
	@test -n "$(KDIR)" || { echo "no kernel build dir: run scripts/install-deps or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

lib/%.o: lib/%.c $(HDRS)
	$(CC) $(CFLAGS) -c -o $@ $<
lib/%.pic.o: lib/%.c $(HDRS)
	$(CC) $(CFLAGS) $(PICFLAGS) -c -o $@ $<
cli/%.o: cli/%.c $(HDRS)
	$(CC) $(CFLAGS) -c -o $@ $<

lib/libhv.a: $(LIB_OBJS)
	$(AR) rcs $@ $^
lib/libhv.so: $(LIB_PICS)
	$(CC) -shared -Wl,-soname,libhv.so.0 -o $@ $^
cli/hvctl: $(CLI_OBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) lib/libhv.a
# Static build for the emulated machines' initramfs.
cli/hvctl.static: $(CLI_OBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $(CLI_OBJS) lib/libhv.a

include tests/unit/unit.mk
include tests/rig/rig.mk
include tests/guests/guests.mk
include tests/bench/bench.mk

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f lib/*.o lib/libhv.a lib/libhv.so cli/*.o cli/hvctl cli/hvctl.static
	rm -rf build
