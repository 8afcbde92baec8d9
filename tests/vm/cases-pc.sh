# SPDX-License-Identifier: GPL-2.0
#
# cases-pc.sh: the PC platform (issue 13), sourced by cases.sh.  Each
# runs one case of tests/vm/hv-pc-test.c, whose guest is
# tests/guests/pc.S (RSI picks the sub-test):
#
#   pc-timer    LAPIC timer: periodic at the programmed rate against the
#               TSC, one-shot, TSC-deadline (never early), current count
#   pc-ipi      4 vCPUs, managed: APs in wait-for-SIPI, INIT/SIPI/SIPI of
#               3 APs, fixed, NMI, broadcast and logical IPIs, counted
#   pc-eoi      EOI, ISR, IRR, TPR and PPR; the higher vector first
#   pc-ioapic   level-triggered with remote IRR (redelivered while the
#               line is high), edge, masking, an MSI; from the host
#               (HV_VM_IRQ_LINE, HV_VM_SIGNAL_MSI)
#   pc-pic      the 8259 pair through LINT0, PIT channel 0 on IRQ 0, GSI 5
#   pc-pit2     PIT channel 2 gate and output via port 0x61 (Linux's TSC
#               calibration loop)
#   pc-rtc      CMOS time of day within 2 s of the host, UIP, NVRAM
#   pc-uart     UART receive interrupts from console input, managed
#   pc-sti      an interrupt pending while IF=0 comes after STI's shadow
#   pc-hlt      HLT wakes on a timer and on a pending IPI; with IF=0 it
#               ends the run though a timer runs
#   pc-string   INS/OUTS and ALU, XCHG, BT*, MOVZX/MOVSX, MOVS, STOS on
#               MMIO, exact results and flags
#   pc-step     RFLAGS.TF over CPUID, IN/OUT, RDMSR, WRMSR: #DB after each
#   pc-snap     (amd and intel) snapshot with a periodic timer running and
#               its tick pending in the IRR; restored, the count goes on;
#               the file is carried to the other vendor's machine
#   pc-snap-restore  the other vendor's pc-snap file restores here
#   pc-kvm      the sub-tests under KVM's in-kernel irqchip with the same
#               checks: the tests themselves proven against the reference
#               (amd only).  Not rtc (KVM has no CMOS), uart (no in-kernel
#               UART), snap; nor the two that use KVM's in-kernel PIT: pic
#               and pit2 passed there, but twice, on a loaded machine, the
#               nested guest using it left QEMU's machine silent for good
#               (once with soft lockups on both CPUs).  pit2's gate checks
#               fail under KVM anyway (its i8254.c does not stop mode 0
#               with the gate, see check_pit2).  `hv-pc-test kvm-pic` and
#               `kvm-pit2` run them by hand.
#   pc-pm       (issue 14) the ACPI PM1 block: SCI_EN, the PM timer's
#               rate, 0xcf9/0x64 reads; resets and S5 exit attached as
#               HV_EXIT_SYSTEM_EVENT and the guest runs on
#   pc-pm-reboot  managed: 0x06 to port 0xcf9 stops it as "reboot"
#   pc-pm-off   managed: ACPI S5 (SLP_EN, SLP_TYP 0) stops it as power-off
#
# CASES_PC in tests/rig/vmtest.

pc_case() { # CASE
	hv_load
	export HV_GUESTS=/hvtest/guests
	check "$1" hv-pc-test "$1" "$VENDOR"
	no_splat
}

case_pc_timer()  { pc_case timer; }
case_pc_ipi()    { pc_case ipi; }
case_pc_eoi()    { pc_case eoi; }
case_pc_ioapic() { pc_case ioapic; }
case_pc_pic()    { pc_case pic; }
case_pc_pit2()   { pc_case pit2; }
case_pc_rtc()    { pc_case rtc; }
case_pc_uart()   { pc_case uart; }
case_pc_sti()    { pc_case sti; }
case_pc_hlt()    { pc_case hlt; }
case_pc_string() { pc_case string; }
case_pc_step()   { pc_case step; }
case_pc_pm()     { pc_case pm; }
case_pc_pm_reboot() { pc_case pm-reboot; }
case_pc_pm_off() { pc_case pm-off; }

# By name only (VMTEST_CASES=load,pc-soak): the attached cases in rounds
# to the first failure, to find a rare one.  On the kernel command line
# (HVTEST_APPEND): hvtest.pc_soak=ROUNDS (default 40) and
# hvtest.pc_soak_cases=hlt,sti (default: every attached case).
case_pc_soak() {
	hv_load
	export HV_GUESTS=/hvtest/guests
	rounds=$(sed -n 's/.*hvtest\.pc_soak=\([0-9]*\).*/\1/p' /proc/cmdline)
	cases=$(sed -n 's/.*hvtest\.pc_soak_cases=\([a-z0-9,-]*\).*/\1/p' /proc/cmdline | tr , ' ')
	i=0
	while [ $i -lt "${rounds:-40}" ]; do
		i=$((i + 1))
		for c in ${cases:-timer eoi ioapic pic sti hlt string step}; do
			run hv-pc-test "$c" "$VENDOR" >/tmp/pc-soak.out 2>&1 || {
				cat /tmp/pc-soak.out
				fail "round $i: $c: $(head -n 1 "$HVTEST_WHY")"
			}
		done
	done
	say "pc-soak: $i rounds passed"
	no_splat
}

case_pc_snap() {
	rm -f "/tmp/pc-snap-$VENDOR.hv"
	PC_SNAP_FILE=/tmp/pc-snap-$VENDOR.hv pc_case snap
	carry_out "/tmp/pc-snap-$VENDOR.hv"
}

case_pc_snap_restore() {
	case $VENDOR in
	amd)	from=intel ;;
	*)	from=amd ;;
	esac
	[ -f "/hvtest/carry/pc-snap-$from.hv" ] ||
		fail "no pc-snap-$from.hv carried from the $from machine (did its pc-snap pass?)"
	PC_SNAP_FILE=/hvtest/carry/pc-snap-$from.hv pc_case snap-restore
}

case_pc_kvm() {
	hv_load
	kvm_load
	export HV_GUESTS=/hvtest/guests
	bad=
	for c in timer eoi ioapic sti hlt string step ipi; do
		: >"$HVTEST_WHY"
		run hv-pc-test "kvm-$c" "$VENDOR" ||
			bad="$bad kvm-$c: $(head -n 1 "$HVTEST_WHY");"
	done
	kvm_unload || fail "unloading KVM failed"
	[ -z "$bad" ] || fail "under KVM:$bad"
	no_splat
}
