# SPDX-License-Identifier: GPL-2.0
#
# cases-mmio.sh: hostile MMIO (issue 11, defect 5), sourced by cases.sh.
# Each runs one case of tests/vm/hv-mmio-test.c (attached, through libhv):
#
#   h-mmio-split     accesses across the end of RAM, across MMIO pages at
#                    neighbouring and unrelated GPAs, MMIO at 60 GiB, a
#                    load through FS, string moves into MMIO (one exit
#                    per element)
#                    (tests/guests/mmiosplit.S)
#   h-mmio-idt       #GP with the IDT in MMIO: HV_INTERNAL_DELIVERY, RIP
#                    on the faulting MOV, the #GP kept (mmioidt.S)
#   h-mmio-reinject  an exception whose frame push faults on a
#                    write-protected stack page is delivered afterwards
#   h-mmio-alu       OR/AND/ADD/CMP/TEST/INC/NEG/XCHG/BTS/BT/SUB/MOVSXD/NOT
#                    on MMIO: read exit, computed write exit, flags
#                    (tests/guests/mmioalu.S)
#
# CASES_H_MMIO in tests/rig/vmtest.

case_h_mmio_split()    { vm_case split hv-mmio-test; }
case_h_mmio_idt()      { vm_case idt hv-mmio-test; }
case_h_mmio_reinject() { vm_case reinject hv-mmio-test; }
case_h_mmio_alu()      { vm_case alu hv-mmio-test; }
