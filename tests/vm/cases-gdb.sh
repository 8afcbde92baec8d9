# SPDX-License-Identifier: GPL-2.0
#
# cases-gdb.sh: guest debugging (issue 15, item 4), sourced by cases.sh.
#
#   gdb-abi     tests/vm/hv-debug-test on tests/guests/gdbguest.elf,
#               attached mode: HV_VCPU_SET_GUEST_DEBUG's refusals, an
#               INT3 breakpoint (exception 3, RIP on it, the guest's
#               counter at each hit), single steps by exact instruction
#               lengths, a step over CPUID that hv completes, DR0
#               execute and DR1 write breakpoints, and off: the guest
#               runs to its exit port.  No splat.
#
# CASES_GDB in tests/rig/vmtest.

GDB_GUEST=/hvtest/guests/gdbguest.elf

case_gdb_abi() {
	hv_load
	[ -f "$GDB_GUEST" ] || fail "$GDB_GUEST is not in the initramfs"
	check "guest debugging (attached)" hv-debug-test "$GDB_GUEST"
	no_splat
}
