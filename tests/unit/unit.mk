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
UNIT_KMOD_SRCS := kmod/x86/pgtable.c kmod/x86/insn.c kmod/x86/gwalk.c \
		  kmod/x86/emulate.c kmod/io/uart.c
UNIT_KMOD_HDRS := $(UNIT_KMOD_SRCS:.c=.h) kmod/x86/types.h
UNIT_OBJS += $(patsubst %.c,tests/unit/%.o,$(subst /,_,$(UNIT_KMOD_SRCS)))

tests/unit/kmod_x86_%.o: kmod/x86/%.c $(UNIT_KMOD_HDRS)
	$(CC) $(CFLAGS) -Ikmod -c -o $@ $<
tests/unit/kmod_io_%.o: kmod/io/%.c $(UNIT_KMOD_HDRS)
	$(CC) $(CFLAGS) -Ikmod -c -o $@ $<

# The PC platform's devices are kernel code: they compile over
# tests/unit/kshim, a stand-in for kmod/hv.h and the kernel headers.
UNIT_PLATFORM_SRCS := kmod/io/pic.c kmod/io/ioapic.c kmod/io/pit.c \
		      kmod/io/rtc.c kmod/io/pm.c kmod/io/platform.c
UNIT_PLATFORM_HDRS := kmod/io/platform.h kmod/io/chipset.h \
		      $(wildcard tests/unit/kshim/*.h tests/unit/kshim/linux/*.h)
UNIT_OBJS += $(patsubst %.c,tests/unit/%.o,$(subst /,_,$(UNIT_PLATFORM_SRCS)))
UNIT_KSHIM := -Itests/unit/kshim -Ikmod

$(patsubst %.c,tests/unit/%.o,$(subst /,_,$(UNIT_PLATFORM_SRCS))): \
tests/unit/kmod_io_%.o: kmod/io/%.c $(UNIT_PLATFORM_HDRS)
	$(CC) $(CFLAGS) $(UNIT_KSHIM) -c -o $@ $<

tests/unit/test_chipset.o tests/unit/test_pm.o: \
tests/unit/test_%.o: tests/unit/test_%.c $(UNIT_PLATFORM_HDRS) \
			   $(wildcard tests/unit/*.h) $(HDRS)
	$(CC) $(CFLAGS) $(UNIT_KSHIM) -Itests/unit $(UNIT_CHECK_CFLAGS) -c -o $@ $<

tests/unit/%.o: tests/unit/%.c $(HDRS) $(wildcard tests/unit/*.h) $(UNIT_KMOD_HDRS)
	$(CC) $(CFLAGS) -Itests/unit -Icli -Ikmod $(UNIT_CHECK_CFLAGS) -c -o $@ $<

# --wrap=ioctl: libhv's ioctl() calls reach tests/unit/fake_hv.c, which
# plays /dev/hv for one temporary file and passes every other fd on.
$(UNIT_BIN): $(UNIT_OBJS) $(CLI_LIBOBJS) lib/libhv.a
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--wrap=ioctl -o $@ \
		$(UNIT_OBJS) $(CLI_LIBOBJS) lib/libhv.a $(LIBHV_LIBS) $(UNIT_CHECK_LIBS)

# The snapshot parser's fuzzer: its own binary, with the sanitizers, over
# lib/snap/snapfile.c, snapparse.c and crc32c.c only (pure C).  It prints
# "fuzz: N passed, M failed"; hv-unit adds that to its own closing line
# (HV_UNIT_EXTRA="N M"), so `make check` still ends with one
# "check: N passed, M failed".  A fuzzer that crashes counts as a failure.
FUZZ_BIN    := tests/unit/fuzz/fuzz-snapfile
FUZZ_LOG    := tests/unit/fuzz/fuzz.log
FUZZ_SRCS   := tests/unit/fuzz/fuzz_snapfile.c lib/snap/snapfile.c \
	       lib/snap/snapparse.c lib/snap/crc32c.c
FUZZ_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all

$(FUZZ_BIN): $(FUZZ_SRCS) lib/snap/snapfile.h lib/snap/crc32c.h \
	     include/uapi/hv.h
	$(CC) $(CFLAGS) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SRCS) -lpthread

check: $(UNIT_BIN) $(FUZZ_BIN)
	@$(FUZZ_BIN) > $(FUZZ_LOG) 2>&1; status=$$?; cat $(FUZZ_LOG); \
	line=$$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' $(FUZZ_LOG) | tail -n 1); \
	if [ $$status -ne 0 ] || [ -z "$$line" ]; then extra="0 1"; \
	else extra=$$(echo "$$line" | sed -E 's/^fuzz: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/'); fi; \
	HV_UNIT_EXTRA="$$extra" $(UNIT_BIN)

.PHONY: clean-unit
clean: clean-unit
clean-unit:
	rm -f tests/unit/*.o $(UNIT_BIN) $(FUZZ_BIN) $(FUZZ_LOG)
