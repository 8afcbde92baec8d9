# SPDX-License-Identifier: GPL-2.0
#
# Test guests (tests/guests/*.S), run by tests/vm/hv-guest-test.c;
# included by the top Makefile.
#
#   make guests     flat binaries in build/vmtest/guests/NAME.bin: GNU as,
#                   then ld at GUEST_BASE (0x1000) straight to binary
#
# tests/rig/mkinitramfs packs them into the initramfs at /hvtest/guests
# ($VMTEST_GUESTS), and the vmtest targets depend on them.

VMTEST_DIR    ?= build/vmtest
GUESTS_DIR    := $(VMTEST_DIR)/guests
GUEST_SRCS    := $(filter-out tests/guests/mbkernel.S,$(sort $(wildcard tests/guests/*.S)))
GUEST_BINS    := $(patsubst tests/guests/%.S,$(GUESTS_DIR)/%.bin,$(GUEST_SRCS))
GUEST_INCS    := $(wildcard tests/guests/*.inc)
GUEST_BASE    := 0x1000

.PHONY: guests
guests: $(GUEST_BINS)

# All guests are 64-bit objects; .code16 / .code32 inside them select the
# mode, and ld resolves their 16- and 32-bit absolute addresses.
$(GUESTS_DIR)/%.o: tests/guests/%.S $(GUEST_INCS)
	@mkdir -p $(@D)
	$(AS) --64 -I tests/guests -o $@ $<
$(GUESTS_DIR)/%.bin: $(GUESTS_DIR)/%.o
	$(LD) -m elf_x86_64 -Ttext=$(GUEST_BASE) -e _start --oformat binary \
		-o $@ $<

vmtest vmtest-amd vmtest-intel vmtest-nosvm demo pkgtest: $(GUEST_BINS)
