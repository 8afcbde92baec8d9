# SPDX-License-Identifier: GPL-2.0
#
# cases-stats.sh: statistics (issue 15), sourced by cases.sh.
#
#   st-counts   tests/guests/stcount.bin, managed, makes exactly 1000
#               CPUID exits, 500 OUTs to port 0x5f0 (unclaimed), 100
#               RDMSRs and one HLT (IF=0: it stops, halted); `hvctl stat
#               --json` must show exactly those for exit.cpuid, exit.io,
#               exit.rdmsr, exit.hlt, io.unclaimed, the same for --vcpu 0,
#               a time for each of those reasons, and "exits" at least
#               their sum.  A bad vCPU id is refused (no such vCPU), and
#               another user gets "no such VM"; `hvctl top` lists it,
#               and with --vcpus its vCPU 0 under it.
#
# Uses cases-managed.sh's helpers (hvc, mg_ok, mg_refused, mg_state).
# CASES_ST in tests/rig/vmtest.

ST_GUEST=/hvtest/guests/stcount.bin

# st_get KEY: KEY's value in /tmp/hvc.out, one `hvctl stat --json` line.
st_get() {
	v=$(grep -o "\"$1\":[0-9]*" /tmp/hvc.out | head -n 1 | cut -d: -f2)
	echo "${v:-missing}"
}

# st_expect KEY VALUE: KEY is exactly VALUE in the last stat.
st_expect() {
	v=$(st_get "$1")
	say "  $1 = $v (expected $2)"
	[ "$v" = "$2" ] || fail "hvctl stat: $1 is $v, expected $2"
}

# st_positive KEY: KEY is above 0 in the last stat.
st_positive() {
	v=$(st_get "$1")
	say "  $1 = $v (expected > 0)"
	case $v in
	''|missing|*[!0-9]*|0) fail "hvctl stat: $1 is $v, expected > 0" ;;
	esac
}

case_st_counts() {
	mg_setup
	[ -f "$ST_GUEST" ] || fail "$ST_GUEST is not in the initramfs"
	mg_ok create create st --mem 1M --image "$ST_GUEST"
	# Nothing ran yet: every counter is 0, and the text table is empty.
	mg_ok stat stat st
	[ -s /tmp/hvc.out ] && fail "hvctl stat of a VM never started printed counters"
	mg_ok start start st
	i=0
	while [ "$(mg_state st)" != stopped ]; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "st does not stop ($(mg_state st))"
		sleep 0.05
	done
	r=$(mg_field st stop_reason)
	[ "$r" = halted ] || fail "st stopped with reason '$r', expected 'halted'"

	for who in "" "--vcpu 0"; do
		# shellcheck disable=SC2086
		mg_ok "stat $who" stat st $who --json
		st_expect exit.cpuid 1000
		st_expect exit.io 500
		st_expect exit.rdmsr 100
		st_expect exit.hlt 1
		st_expect exit.wrmsr 0
		st_expect exit.npf 0
		st_expect halt 1
		st_positive exit_ns.cpuid
		st_positive exit_ns.io
		st_positive exit_ns.rdmsr
		n=$(st_get exits)
		say "  exits = $n (expected >= 1601)"
		[ "$n" -ge 1601 ] 2>/dev/null || fail "hvctl stat: exits is $n, expected >= 1601"
	done
	# VM-wide counters: in the VM's sum, 0 for one vCPU
	mg_ok "stat" stat st --json
	st_expect io.unclaimed 500
	mg_ok "stat --vcpu 0" stat st --vcpu 0 --json
	st_expect io.unclaimed 0
	# `info` counts the same exits as the statistics
	mg_ok "stat" stat st --json
	n=$(st_get exits)
	e=$(mg_field st exits)
	[ "$n" = "$e" ] || fail "hvctl stat: exits $n, hvctl list: exits $e"
	# The text form: the non-zero ones, NAME VALUE
	mg_ok "stat (text)" stat st
	grep -qE '^exit\.cpuid +1000$' /tmp/hvc.out || fail "hvctl stat: no 'exit.cpuid 1000' line"
	grep -qE '^exit\.wrmsr ' /tmp/hvc.out && fail "hvctl stat: a zero counter without --all"
	mg_ok "stat --all" stat st --all
	grep -qE '^exit\.wrmsr +0$' /tmp/hvc.out || fail "hvctl stat --all: no 'exit.wrmsr 0' line"

	# A vCPU the VM does not have (the module says ENOENT)
	mg_refused 'no such vCPU' stat st --vcpu 1
	mg_refused 'no such vCPU' stat st --vcpu 4294967294
	mg_refused 'not a vCPU id' stat st --vcpu -1

	# Another user: root's VM does not exist for them
	mode=$(stat -c %a /dev/hv)
	rootmode=$(stat -c %a /)
	run chmod 0666 /dev/hv
	run chmod 0755 /
	say "(as uid $MG_UID) hvctl stat st --json"
	as-user $MG_UID hvctl stat st --json </dev/null >/tmp/u.out 2>/tmp/u.err
	rc=$?
	cat /tmp/u.out /tmp/u.err
	run chmod "$mode" /dev/hv
	run chmod "$rootmode" /
	[ $rc -ne 0 ] || fail "uid $MG_UID: hvctl stat st succeeded on root's VM"
	grep -q exit.cpuid /tmp/u.out && fail "uid $MG_UID read root's statistics"
	grep -qiE '^hvctl: .*no such VM' /tmp/u.err ||
		fail "uid $MG_UID: hvctl stat: not 'no such VM': $(head -n 1 /tmp/u.err)"

	# hvctl top lists it (stopped: nothing per second)
	mg_ok top top --interval 0 --count 1
	grep -qE '^st +stopped ' /tmp/hvc.out || fail "hvctl top: no 'st stopped' line"
	# and its one vCPU under it, with nothing per second either
	mg_ok "top --vcpus" top --interval 0 --count 1 --vcpus --sort name
	grep -A1 -E '^st +stopped ' /tmp/hvc.out | grep -qE '^  vcpu 0 +0 +0\.0 *$' ||
		fail "hvctl top --vcpus: no 'vcpu 0' line with 0 exits/s under st"

	mg_ok destroy destroy st
	mg_none_left
	no_splat
}
