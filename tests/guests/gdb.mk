# SPDX-License-Identifier: GPL-2.0
#
# The debugger tests' guest (tests/guests/gdbguest.c): an ELF64 with its
# symbols and DWARF, loaded by `hvctl create --image` in long mode, read
# by gdb for the symbols (tests/vm/cases-gdb.sh) and by
# tests/vm/hv-debug-test.c; and the same source as an ELF32 (i386),
# which hvctl create enters in 32-bit protected mode, for gdb's i386
# register file (gdb-session32).  Included by the top Makefile after
# tests/guests/guests.mk.
#
#   make gdbguest   $(GUESTS_DIR)/gdbguest.elf and gdbguest32.elf,
#                   linked at 1 MiB
#
# -O0 on purpose: each C line its own instructions, every variable in
# memory, so a breakpoint, a step and `print` see what the source says.

GDB_GUEST  := $(GUESTS_DIR)/gdbguest.elf
GDB_GUEST32 := $(GUESTS_DIR)/gdbguest32.elf
GDB_GUEST_CFLAGS := -O0 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-fno-stack-protector -fcf-protection=none -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables
GDB_GUEST_LDFLAGS := -no-pie -nostdlib -static -Wl,-Ttext-segment=0x100000 \
	-Wl,-e,_start -Wl,--build-id=none -Wl,-z,noexecstack

.PHONY: gdbguest
gdbguest guests: $(GDB_GUEST) $(GDB_GUEST32)

$(GDB_GUEST): tests/guests/gdbguest.c tests/guests/gdb.mk
	@mkdir -p $(@D)
	$(CC) $(GDB_GUEST_CFLAGS) $(GDB_GUEST_LDFLAGS) -o $@ $<

# -m32: gcc's i386 code and ld's elf_i386; -nostdlib needs no 32-bit libc
$(GDB_GUEST32): tests/guests/gdbguest.c tests/guests/gdb.mk
	@mkdir -p $(@D)
	$(CC) -m32 $(GDB_GUEST_CFLAGS) $(GDB_GUEST_LDFLAGS) -o $@ $<

vmtest vmtest-amd vmtest-intel vmtest-nosvm demo: $(GDB_GUEST) $(GDB_GUEST32)
