# SPDX-License-Identifier: GPL-2.0
#
# cases-xsave.sh: XSAVE for guests (issue 11, defect 7), with
# hv-xsave-test and tests/guests/xsave.S.
#
#   xs-hidden  XSAVE hidden in the guest's CPUID (both vendors): MOV to
#              CR4.OSXSAVE #GP, XGETBV/XSETBV #UD, VEX #UD, and the state
#              ioctls refuse CR4.OSXSAVE and AVX in xcr0
#   xs-guest   intel: XSAVE offered (x87|SSE|AVX), XCR0 1 at reset, XSETBV
#              checked, leaf 0Dh, YMM upper halves per guest: not seen by
#              a second VM on the same CPU nor by the host program; GET
#              and SET_VCPU_STATE carry them.  amd (no host XSAVE): hv's
#              default CPUID hides XSAVE and everything faults as above
#   xs-snap    hvctl snapshot / restore of a guest holding YMM values
#              (intel) or XCR0 at reset (amd): the restored guest finds
#              them and runs on

xs_prog() { # CASE
	hv_load
	export HV_GUESTS=/hvtest/guests
	check "$1" hv-xsave-test "$1" "$VENDOR"
	no_splat
}

case_xs_hidden() { xs_prog hidden; }
case_xs_guest()  { xs_prog guest; }

case_xs_snap() {
	hv_load
	export HV_GUESTS=/hvtest/guests
	f=/tmp/xs-snap.hv
	rm -f "$f"
	check "snap-take" hv-xsave-test snap-take xs-a
	run hvctl snapshot xs-a "$f" || fail "hvctl snapshot xs-a failed"
	run hvctl destroy xs-a || fail "hvctl destroy xs-a failed"
	run hvctl restore "$f" --name xs-b || fail "hvctl restore failed"
	check "snap-check" hv-xsave-test snap-check xs-b
	hvctl destroy xs-b >/dev/null 2>&1
	no_splat
}
