# SPDX-License-Identifier: GPL-2.0
#
# Unit tests (check framework), included by the top Makefile.
#   make check    build tests/unit/hv-unit and run it; the last line is
#                 "check: N passed, M failed" and the status is non-zero
#                 if any test failed.
# CK_VERBOSITY=verbose lists every test; CK_FORK=no runs them in-process
# (for gdb).  Sanitizers: make clean && make check with e.g.
# CFLAGS="-O1 -g -fsanitize=address,undefined" in the environment.

# Deferred (=): only `make check` needs pkg-config to find check.
UNIT_CHECK_CFLAGS = $(shell pkg-config --cflags check)
UNIT_CHECK_LIBS   = $(shell pkg-config --libs check)

UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJS := $(UNIT_SRCS:.c=.o)
UNIT_BIN  := tests/unit/hv-unit

# Module code that also runs in userspace, compiled unchanged; objects go
# to tests/unit/kmod_*.o so they never mix with kbuild's in kmod/.
UNIT_KMOD_SRCS := kmod/hv_pgtable.c kmod/hv_insn.c kmod/hv_gwalk.c kmod/hv_uart.c
UNIT_KMOD_HDRS := $(UNIT_KMOD_SRCS:.c=.h) kmod/hv_types.h
UNIT_OBJS += $(patsubst kmod/%.c,tests/unit/kmod_%.o,$(UNIT_KMOD_SRCS))

tests/unit/kmod_%.o: kmod/%.c $(UNIT_KMOD_HDRS)
	$(CC) $(CFLAGS) -Ikmod -c -o $@ $<

tests/unit/%.o: tests/unit/%.c $(HDRS) $(wildcard tests/unit/*.h) $(UNIT_KMOD_HDRS)
	$(CC) $(CFLAGS) -Itests/unit -Icli -Ikmod $(UNIT_CHECK_CFLAGS) -c -o $@ $<

# --wrap=ioctl: libhv's ioctl() calls reach tests/unit/fake_hv.c, which
# plays /dev/hv for one temporary file and passes every other fd on.
$(UNIT_BIN): $(UNIT_OBJS) $(CLI_LIBOBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=ioctl -o $@ \
		$(UNIT_OBJS) $(CLI_LIBOBJS) lib/libhv.a $(LIBHV_LIBS) $(UNIT_CHECK_LIBS)

check: $(UNIT_BIN)
	$(UNIT_BIN)

.PHONY: clean-unit
clean: clean-unit
clean-unit:
	rm -f tests/unit/*.o $(UNIT_BIN)
