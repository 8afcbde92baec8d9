# SPDX-License-Identifier: GPL-2.0
#
# cases-ex.sh: the exercises (docs/exercises/), sourced by cases.sh.
#
#   ex-01, ex-02, ex-03  the exercise's test (tests/vm/hv-ex-test.c) on
#                        the loaded hv.ko: what `make exercise N=NN` runs
#                        on a student's module.  They FAIL on the module
#                        as shipped.
#   ex-check             for CI: each exercise's test must fail on the
#                        module as shipped, for the reason its exercise
#                        names (the feature is missing, not a crash), and
#                        pass on the module built with every reference
#                        solution applied (tests/exercises/*.patch, built
#                        by tests/exercises/build-solved, carried in by
#                        tests/rig/vmtest as /hvtest/carry/hv-ex-solved.ko).
#                        One boot per vendor, the two modules in turn; the
#                        shipped one is loaded again at the end.
#
# CASES_EX in tests/rig/vmtest.

EX_SOLVED=/hvtest/carry/hv-ex-solved.ko

# NN and what its test must say on the module as shipped (a grep -E
# pattern on the first failure): the feature is missing.
EX_LIST="01 02 03"
ex_unsolved_re() {
	case $1 in
	01) echo 'HV_HC_ENOSYS' ;;
	02) echo 'highest hypervisor leaf.*expected 0x40000010' ;;
	03) echo 'no counter "halt.if0"' ;;
	esac
}

ex_case() { # NN
	hv_load
	check "exercise $1" hv-ex-test "$1" "$VENDOR"
	no_splat
}

case_ex_01() { ex_case 01; }
case_ex_02() { ex_case 02; }
case_ex_03() { ex_case 03; }

case_ex_check() {
	[ -f "$EX_SOLVED" ] || fail "$EX_SOLVED is not in the initramfs (tests/rig/vmtest carries it when a machine runs ex-check)"
	bad=""
	# The module as shipped: every test fails, for its reason.
	hv_load
	for n in $EX_LIST; do
		: >"$HVTEST_WHY"
		if run hv-ex-test "$n" "$VENDOR"; then
			bad=${bad:-"exercise $n: its test passes on the module as shipped; it must fail until the exercise is done"}
			continue
		fi
		why=$(head -n 1 "$HVTEST_WHY")
		say "  exercise $n, as shipped: fails: $why"
		echo "$why" | grep -qE "$(ex_unsolved_re "$n")" ||
			bad=${bad:-"exercise $n as shipped: its test fails with '$why', expected /$(ex_unsolved_re "$n")/"}
	done
	# The reference solutions: every test passes.
	run rmmod hv || fail "rmmod hv (as shipped) failed"
	if run hv-insmod "$EX_SOLVED" && [ -c /dev/hv ]; then
		for n in $EX_LIST; do
			: >"$HVTEST_WHY"
			run hv-ex-test "$n" "$VENDOR" ||
				bad=${bad:-"exercise $n with the reference solution: $(head -n 1 "$HVTEST_WHY")"}
		done
		run rmmod hv || bad=${bad:-"rmmod hv (solved) failed"}
	else
		bad=${bad:-"insmod of the solved module failed"}
	fi
	# Leave the module as shipped loaded, as the other cases expect.
	hv_loaded || run hv-insmod "$HV_KO" || fail "insmod hv.ko (as shipped) again failed"
	[ -z "$bad" ] || fail "$bad"
	no_splat
}
