# SPDX-License-Identifier: GPL-2.0
#
# hv top-level build.
#   make            module (kmod/hv.ko), libhv (lib/libhv.a, .so), hvctl,
#                   examples (examples/embed)
#   make userspace  libhv and hvctl only; make examples: examples/embed, examples/linux
#   make install    libhv, its headers and libhv.pc, hvctl, man pages, the
#                   udev rule, bash completion, the hv@.service template
#                   (PREFIX=/usr/local, DESTDIR; see below); needs no
#                   kernel build.  make uninstall removes them.
#   make deb        the Debian packages (build/pkg/*.deb); make pkgtest
#                   builds, installs and checks them (see docs/packaging.md)
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
# libnl-genl-3 for lib/events.c; every program linked with libhv takes
# LIBHV_LIBS (LIBHV_STATIC_LIBS when static).
LIBNL_CFLAGS      := $(shell pkg-config --cflags libnl-genl-3.0)
LIBHV_LIBS        := $(shell pkg-config --libs libnl-genl-3.0)
LIBHV_STATIC_LIBS := $(shell pkg-config --static --libs libnl-genl-3.0)
override CFLAGS += $(LIBNL_CFLAGS)
PICFLAGS = -fPIC

# lib/ holds the wrappers over /dev/hv; lib/boot/ and lib/snap/ the layers
# above them (docs/decisions.md, issue 12).
LIB_SRCS  := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJS  := $(LIB_SRCS:.c=.o)
LIB_PICS  := $(LIB_SRCS:.c=.pic.o)
CLI_SRCS  := $(sort $(wildcard cli/*.c))
CLI_OBJS  := $(CLI_SRCS:.c=.o)
# Everything of hvctl but main(), so unit tests can link the commands.
CLI_LIBOBJS := $(filter-out cli/hvctl.o,$(CLI_OBJS))
HDRS      := include/uapi/hv.h $(wildcard lib/*.h lib/*/*.h cli/*.h)

.PHONY: all module userspace examples clean
all: module userspace examples
userspace: lib/libhv.a lib/libhv.so cli/hvctl

module:
	@test -n "$(KDIR)" || { echo "no kernel build dir: run scripts/install-deps or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# One pattern for lib/ and its subfolders (% matches "boot/elf").
lib/%.o: lib/%.c $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
lib/%.pic.o: lib/%.c $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PICFLAGS) -c -o $@ $<
cli/%.o: cli/%.c $(HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Snapshot files record the version of the libhv that wrote them.
lib/snap/snapshot.o lib/snap/snapshot.pic.o: \
	override CFLAGS += -DLIBHV_VERSION='"$(HV_VERSION)"'

lib/libhv.a: $(LIB_OBJS)
	$(AR) rcs $@ $^
lib/libhv.so: $(LIB_PICS)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,libhv.so.0 -o $@ $^ $(LIBHV_LIBS)
cli/hvctl: $(CLI_OBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) lib/libhv.a $(LIBHV_LIBS)
# Static build for the emulated machines' initramfs.
cli/hvctl.static: $(CLI_OBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -static -o $@ $(CLI_OBJS) lib/libhv.a \
		$(LIBHV_STATIC_LIBS)

# Programs that show how to use libhv; built against the tree's libhv.a.
EXAMPLES := examples/embed examples/linux
examples: $(EXAMPLES)
examples/%: examples/%.c lib/libhv.a $(HDRS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libhv.a $(LIBHV_LIBS)

# ---- make install ----
# Headers go to $(INCLUDEDIR)/hv/ as libhv.h and uapi/hv.h, the same
# layout as in the tree (lib/ and include/ on the include path), so
# libhv.h's #include "uapi/hv.h" works in both places.  Programs use
# `#include <libhv.h>` with `pkg-config --cflags libhv` (-I.../include/hv),
# or `#include <hv/libhv.h>` with no flag.  The udev rule goes where a
# local administrator's rules go; packagers set UDEVRULESDIR to
# /lib/udev/rules.d.  Run ldconfig after a system-wide install.
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR       ?= $(PREFIX)/share/man
UDEVRULESDIR ?= /etc/udev/rules.d
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
LIBEXECDIR   ?= $(PREFIX)/lib/hv
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL      ?= install
# One version for hvctl --version, libhv.pc and the library's file name.
HV_VERSION   := $(shell sed -n 's/^\#define HVCTL_VERSION[^"]*"\(.*\)"/\1/p' cli/hvctl.h)
LIBHV_SONAME := libhv.so.0

.PHONY: install uninstall
install: lib/libhv.a lib/libhv.so cli/hvctl
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/hv/uapi $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSTEMDUNITDIR)
	$(INSTALL) -m 755 cli/hvctl $(DESTDIR)$(BINDIR)/hvctl
	$(INSTALL) -m 644 lib/libhv.a $(DESTDIR)$(LIBDIR)/libhv.a
	$(INSTALL) -m 755 lib/libhv.so $(DESTDIR)$(LIBDIR)/libhv.so.$(HV_VERSION)
	ln -sf libhv.so.$(HV_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBHV_SONAME)
	ln -sf $(LIBHV_SONAME) $(DESTDIR)$(LIBDIR)/libhv.so
	$(INSTALL) -m 644 lib/libhv.h $(DESTDIR)$(INCLUDEDIR)/hv/libhv.h
	$(INSTALL) -m 644 include/uapi/hv.h $(DESTDIR)$(INCLUDEDIR)/hv/uapi/hv.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(HV_VERSION)|g' \
	    lib/libhv.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libhv.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libhv.pc
	$(INSTALL) -m 644 docs/man/hvctl.1 $(DESTDIR)$(MANDIR)/man1/hvctl.1
	$(INSTALL) -m 644 docs/man/libhv.3 $(DESTDIR)$(MANDIR)/man3/libhv.3
	$(INSTALL) -m 644 udev/60-hv.rules $(DESTDIR)$(UDEVRULESDIR)/60-hv.rules
	$(INSTALL) -m 644 cli/hvctl.bash $(DESTDIR)$(BASHCOMPDIR)/hvctl
	$(INSTALL) -m 755 contrib/systemd/hv-service $(DESTDIR)$(LIBEXECDIR)/hv-service
	sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' contrib/systemd/hv@.service.in \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/hv@.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/hv@.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/hvctl $(DESTDIR)$(LIBDIR)/libhv.a \
	      $(DESTDIR)$(LIBDIR)/libhv.so.$(HV_VERSION) \
	      $(DESTDIR)$(LIBDIR)/$(LIBHV_SONAME) $(DESTDIR)$(LIBDIR)/libhv.so \
	      $(DESTDIR)$(INCLUDEDIR)/hv/libhv.h \
	      $(DESTDIR)$(INCLUDEDIR)/hv/uapi/hv.h \
	      $(DESTDIR)$(PKGCONFIGDIR)/libhv.pc \
	      $(DESTDIR)$(MANDIR)/man1/hvctl.1 $(DESTDIR)$(MANDIR)/man3/libhv.3 \
	      $(DESTDIR)$(UDEVRULESDIR)/60-hv.rules \
	      $(DESTDIR)$(BASHCOMPDIR)/hvctl $(DESTDIR)$(LIBEXECDIR)/hv-service \
	      $(DESTDIR)$(SYSTEMDUNITDIR)/hv@.service
	-rmdir $(DESTDIR)$(LIBEXECDIR)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/hv/uapi $(DESTDIR)$(INCLUDEDIR)/hv

# libhv(3) shows every function that lib/libhv.h declares: `make check`
# fails when one is missing from its synopsis lines.
.PHONY: check-man
check-man:
	@missing=$$(for f in $$(sed -n 's/^[a-z][^(]*[ *]\(hv_[a-z0-9_]*\)(.*/\1/p' lib/libhv.h); do \
		grep -q "^\.BI \"[^\"]*[ *]$$f(" docs/man/libhv.3 || echo $$f; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "docs/man/libhv.3 does not document:" $$missing >&2; exit 1; \
	fi
check: check-man

# tests/syzkaller/dev_hv.txt describes every ioctl and struct of the uapi
# header, field by field, and its .const file holds today's values.
.PHONY: check-syzkaller
check-syzkaller:
	@scripts/check-syzkaller
check: check-syzkaller

# No symbol of hv.ko has the name of one of libhv's (scripts/check-names).
.PHONY: check-names
check-names: module lib/libhv.a
	@scripts/check-names
check: check-names

include tests/unit/unit.mk
include tests/rig/rig.mk
include tests/rig/exercise.mk
include tests/guests/guests.mk
include tests/guests/mb.mk
include tests/guests/gdb.mk
include tests/bench/bench.mk

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	rm -f lib/*.o lib/*/*.o lib/libhv.a lib/libhv.so
	rm -f cli/*.o cli/hvctl cli/hvctl.static
	rm -f $(EXAMPLES)
	rm -rf build
