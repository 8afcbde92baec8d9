# SPDX-License-Identifier: GPL-2.0
#
# The Multiboot test kernel (tests/guests/mbkernel.S), for the managed-mode
# cases (tests/vm/cases-managed.sh); included by the top Makefile after
# tests/guests/guests.mk.
#
#   make mbkernel   $(GUESTS_DIR)/mbkernel.elf       ELF32, loaded at 1 MiB
#                   $(GUESTS_DIR)/mbkernel-aout.bin  raw image, linked at
#                   2 MiB, placed by the a.out-kludge header fields only
#
# The initramfs holds them in /hvtest/guests with the flat guests.

MB_GUESTS  := $(GUESTS_DIR)/mbkernel.elf $(GUESTS_DIR)/mbkernel-aout.bin
MB_LDS     := tests/guests/mbkernel.ld
OBJCOPY    ?= objcopy

.PHONY: mbkernel
mbkernel guests: $(MB_GUESTS)

$(GUESTS_DIR)/mb-elf.o: tests/guests/mbkernel.S
	@mkdir -p $(@D)
	$(AS) --32 -o $@ $<
$(GUESTS_DIR)/mb-aout.o: tests/guests/mbkernel.S
	@mkdir -p $(@D)
	$(AS) --32 --defsym AOUT_KLUDGE=1 -o $@ $<

$(GUESTS_DIR)/mbkernel.elf: $(GUESTS_DIR)/mb-elf.o $(MB_LDS)
	$(LD) -m elf_i386 -T $(MB_LDS) --defsym MB_LOAD_BASE=0x100000 \
		-z noexecstack --no-warn-rwx-segments -o $@ $<
# Linked as an ELF first (for the symbols), then stripped to the bytes
# from load_addr to load_end_addr.
$(GUESTS_DIR)/mb-aout.elf: $(GUESTS_DIR)/mb-aout.o $(MB_LDS)
	$(LD) -m elf_i386 -T $(MB_LDS) --defsym MB_LOAD_BASE=0x200000 \
		-z noexecstack --no-warn-rwx-segments -o $@ $<
$(GUESTS_DIR)/mbkernel-aout.bin: $(GUESTS_DIR)/mb-aout.elf
	$(OBJCOPY) -O binary -R .bss $< $@

vmtest vmtest-amd vmtest-intel vmtest-nosvm demo: $(MB_GUESTS)
