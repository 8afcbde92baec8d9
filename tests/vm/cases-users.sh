# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Users against users (issue 11, defect 6 and the clone owner of 9): who
# may see and touch which VM (docs/security.md).  Sourced by the case
# runner after tests/vm/cases.sh and tests/vm/cases-managed.sh (whose mg_*
# helpers these use).  Cases (CASES_H_USERS in tests/rig/vmtest):
#
# us-matrix  users A (uid 1000) and B (uid 1001) and root: every way B
#            could reach A's VM (open, mmap, start/stop/pause/resume,
#            snapshot, clone, destroy, info, list, console) is refused as
#            "no such VM" (UID:NAME: "permission denied"), and B's list
#            holds none of A's VMs; both have a VM "web" at once; root
#            sees both, is told to pick one, and controls each by UID:NAME;
#            a clone root makes of A's VM belongs to A.
# us-events  B's `hvctl events` shows B's VMs' events and none of A's; the
#            all-VMs group needs CAP_NET_ADMIN; root's shows both.
# us-asids   A makes more VMs than the CPU has ASIDs and exits; B still
#            creates and runs a guest with the right result; then many
#            guests run concurrently on both CPUs, and one after another,
#            each with its own right result and an unbroken count
#            (ASIDs recycled by generation on AMD-V, VPIDs on VT-x).

US_A=1000
US_B=1001

# us_open_up: no udev, no group hv in the initramfs: open the device to
# all, and let other users reach /hvtest/bin (mkinitramfs packs / 0700).
us_open_up() {
	us_devmode=$(stat -c %a /dev/hv)
	us_rootmode=$(stat -c %a /)
	run chmod 0666 /dev/hv
	run chmod 0755 /
}

us_close_down() {
	run chmod "$us_devmode" /dev/hv
	run chmod "$us_rootmode" /
}

# asu UID ARGS...: hvctl ARGS as UID, stdout in /tmp/u.out, stderr in
# /tmp/u.err (both shown); exit status in $asu_rc.
asu() {
	uid=$1
	shift
	say "(as uid $uid) hvctl $*"
	as-user "$uid" hvctl "$@" </dev/null >/tmp/u.out 2>/tmp/u.err
	asu_rc=$?
	head -n 8 /tmp/u.out
	sed 's/^/  stderr: /' /tmp/u.err | head -n 3
	return $asu_rc
}

# asu_ok UID ARGS...: must succeed.
asu_ok() {
	asu "$@" || fail "uid $1: hvctl $(echo "$*" | cut -d' ' -f2-): exit status $asu_rc: $(head -n 1 /tmp/u.err)"
}

# asu_refused UID PATTERN ARGS...: must fail with one hvctl line matching
# PATTERN (ERE, any case).
asu_refused() {
	u=$1
	pat=$2
	shift 2
	asu "$u" "$@" && fail "uid $u: hvctl $* succeeded; expected /$pat/"
	[ $asu_rc -ge 126 ] && fail "uid $u: hvctl $*: exit status $asu_rc"
	line=$(head -n 1 /tmp/u.err)
	case $line in
	"hvctl: "*) ;;
	*) fail "uid $u: hvctl $*: not an hvctl error line: $line" ;;
	esac
	echo "$line" | grep -qiE "$pat" ||
		fail "uid $u: hvctl $*: error does not match /$pat/: $line"
}

# us_check UID DESC ARGS...: hv-users-test ARGS as UID; on failure end
# the case with DESC and its first failure (HVTEST_WHY is root's: the
# program writes a file of its own, open to it).
us_check() {
	u=$1
	d=$2
	shift 2
	: >/tmp/us-why
	chmod 0666 /tmp/us-why
	say "(as uid $u) hv-users-test $*"
	HVTEST_WHY=/tmp/us-why as-user "$u" hv-users-test "$@" ||
		fail "$d: $(head -n 1 /tmp/us-why)"
}

# us_listed UID:NAME: root's list holds it.
us_listed() {
	mg_refs | grep -qx "$1"
}

# ------------------------------------------------------------ us-matrix

case_us_matrix() {
	mg_setup
	us_open_up
	asu_ok $US_A create web --mem 1M --image "$LOOPER"
	asu_ok $US_A start web
	asu_ok $US_A info web
	grep -q '^state: *running' /tmp/u.out || fail "A's web is not running: $(grep state /tmp/u.out)"
	us_listed "$US_A:web" || fail "root's list lacks $US_A:web: $(mg_refs | tr '\n' ' ')"

	# B against A's VM: everything is "no such VM" (not "permission
	# denied": B must not learn that A has a VM of that name).
	for args in "start web" "stop web" "pause web" "resume web" \
		    "destroy web" "destroy --force web" "info web" \
		    "console web --no-follow" "snapshot web /tmp/us-b.snap" \
		    "clone web bclone"; do
		# shellcheck disable=SC2086
		asu_refused $US_B 'no such VM' $args
		grep -q '^looper:' /tmp/u.out && fail "uid $US_B read A's console"
	done
	[ -e /tmp/us-b.snap ] && [ -s /tmp/us-b.snap ] && fail "uid $US_B wrote a snapshot of A's VM"
	# Naming A's VM outright: refused, B is not root.
	for args in "stop $US_A:web" "info $US_A:web" "console $US_A:web --no-follow"; do
		# shellcheck disable=SC2086
		asu_refused $US_B 'permission denied|no such VM' $args
	done
	asu_ok $US_B list --json
	grep -q "\"owner_uid\": *$US_A" /tmp/u.out && fail "uid $US_B's list shows uid $US_A's VMs: $(cat /tmp/u.out)"
	grep -q '"name"' /tmp/u.out && fail "uid $US_B's list is not empty: $(cat /tmp/u.out)"
	# The raw ABI: HV_OPEN_VM (so no fd, no mmap), HV_OPEN_OWNER,
	# HV_LIST_VMS, the all-VMs event group.
	us_check $US_B "uid $US_B, raw ABI" other web $US_A
	mg_expect_state web running

	# Names are per owner: B may have a "web" too.
	asu_ok $US_B create web --mem 1M --image "$LOOPER"
	us_listed "$US_B:web" || fail "root's list lacks $US_B:web"
	us_listed "$US_A:web" || fail "root's list lacks $US_A:web after B made one"
	asu_ok $US_B info web
	grep -q "^owner uid: *$US_B" /tmp/u.out || fail "B's info web is not B's VM: $(cat /tmp/u.out)"
	asu_ok $US_A info web
	grep -q "^owner uid: *$US_A" /tmp/u.out || fail "A's info web is not A's VM: $(cat /tmp/u.out)"
	asu_refused $US_B 'in use' create web --mem 1M
	us_check $US_B "uid $US_B (with a web of its own), raw ABI" other web $US_A
	us_check $US_A "uid $US_A, own VM" own web

	# Root: sees both, must say which, controls each.
	mg_refused 'several users' stop web
	mg_refused 'several users' info web
	check "root opens and maps A's web" hv-users-test root web $US_A
	mg_ok "root pauses A's web" pause $US_A:web
	asu_ok $US_A info web
	grep -q '^state: *paused' /tmp/u.out || fail "A's web not paused by root: $(grep state /tmp/u.out)"
	mg_ok "root resumes A's web" resume $US_A:web
	mg_ok "root starts B's web" start $US_B:web
	asu_ok $US_B info web
	grep -q '^state: *running' /tmp/u.out || fail "B's web not started by root: $(grep state /tmp/u.out)"
	mg_ok "root info" info $US_B:web
	mg_ok "root stops B's web" stop $US_B:web
	mg_ok "root snapshot of A's web" snapshot $US_A:web /tmp/us-root.snap
	# A clone belongs to the source's owner, whoever made it.
	mg_ok "root clones A's web" clone $US_A:web webc
	us_listed "$US_A:webc" || fail "root's clone of A's web is not A's: $(mg_refs | tr '\n' ' ')"
	us_listed "0:webc" && fail "root's clone of A's web belongs to root"
	asu_ok $US_A info webc
	asu_refused $US_B 'no such VM' info webc
	# A plain name that only one other user has: root gets that VM.
	mg_ok "root info of the only webc" info webc
	grep -q "^owner uid: *$US_A" /tmp/hvc.out || fail "root's info webc: $(cat /tmp/hvc.out)"

	# A destroys its own; B's web stays.
	asu_ok $US_A destroy --force web
	asu_ok $US_A destroy --force webc
	us_listed "$US_B:web" || fail "B's web went with A's"
	mg_ok "root destroys B's web" destroy $US_B:web
	rm -f /tmp/us-root.snap /tmp/us-b.snap
	us_close_down
	mg_none_left
	no_splat
}

# ------------------------------------------------------------ us-events

case_us_events() {
	mg_setup
	us_open_up
	# B listens for 2 events; root for 4.  A's VM comes and goes first,
	# then B's: B must see exactly B's two.
	say "(as uid $US_B) hvctl events --count 2 >/tmp/us-evb &"
	as-user $US_B hvctl events --count 2 </dev/null >/tmp/us-evb 2>/tmp/us-evb.err &
	evb=$!
	say "hvctl events --count 4 >/tmp/us-evr &"
	hvctl events --count 4 </dev/null >/tmp/us-evr 2>/tmp/us-evr.err &
	evr=$!
	i=0
	until mg_subscribed $evb && mg_subscribed $evr; do
		kill -0 $evb 2>/dev/null || fail "B's hvctl events exited: $(head -n 1 /tmp/us-evb.err)"
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "hvctl events never opened its socket"
		sleep 0.02
	done
	asu_ok $US_A create ea --mem 1M
	asu_ok $US_A destroy ea
	asu_ok $US_B create eb --mem 1M
	asu_ok $US_B destroy eb
	i=0
	while kill -0 $evb 2>/dev/null || kill -0 $evr 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || { kill $evb $evr 2>/dev/null; fail "events: B got '$(cut -d' ' -f2,3 /tmp/us-evb | tr '\n' ',')', root '$(cut -d' ' -f2,3 /tmp/us-evr | tr '\n' ',')'"; }
		sleep 0.05
	done
	wait $evb
	rcb=$?
	wait $evr
	say "B's events:"
	cat /tmp/us-evb /tmp/us-evb.err
	say "root's events:"
	cat /tmp/us-evr
	[ $rcb -eq 0 ] || fail "B's hvctl events: exit status $rcb: $(head -n 1 /tmp/us-evb.err)"
	got=$(cut -d' ' -f2,3 /tmp/us-evb | tr '\n' ',')
	[ "$got" = "eb created,eb destroyed," ] || fail "B's events: '$got', expected only B's own (eb created, eb destroyed)"
	got=$(cut -d' ' -f2,3 /tmp/us-evr | tr '\n' ',')
	[ "$got" = "ea created,ea destroyed,eb created,eb destroyed," ] || fail "root's events: '$got'"
	us_close_down
	mg_none_left
	no_splat
}

# ------------------------------------------------------------- us-asids

# us_runs FIRST LAST: `hvctl run` of mbkernel with exit=K for K in
# FIRST..LAST, all at once (both CPUs), as uid B; each must end with its
# own status 2K+1 and print its own "mbkernel: exit K".
us_runs() {
	k=$1
	pids=
	while [ "$k" -le "$2" ]; do
		as-user $US_B hvctl run --mem 2M --multiboot "$MBKERNEL" --cmdline "exit=$k" "r$k" </dev/null >/tmp/us-run$k 2>&1 &
		pids="$pids $!:$k"
		k=$((k + 1))
	done
	for pk in $pids; do
		wait "${pk%%:*}"
		rc=$?
		k=${pk#*:}
		[ $rc -eq $((2 * k + 1)) ] || { cat /tmp/us-run$k; fail "run r$k (exit=$k): exit status $rc, expected $((2 * k + 1))"; }
		grep -q "^mbkernel: exit $k\$" /tmp/us-run$k || { cat /tmp/us-run$k; fail "run r$k: no 'mbkernel: exit $k' line"; }
		rm -f /tmp/us-run$k
	done
	say "runs $1..$2: every guest gave its own result"
}

# us_ticks_ok NAME: NAME's console holds "mbkernel: tick N" lines counting
# up by one, at least 3 of them (the last line is left out: the stop may
# have cut it short, "tick 10" of "tick 100").
us_ticks_ok() {
	hvctl console "$1" --no-follow </dev/null >/tmp/us-con 2>/dev/null
	sed '$d' /tmp/us-con | grep '^mbkernel: tick ' |
		awk -v vm="$1" '{ if (NR > 1 && $3 != prev + 1) { print vm ": tick " $3 " after " prev " (line " NR ")"; bad = 1; exit } prev = $3; n++ }
			END { if (!bad && n < 3) { print vm ": only " n " ticks"; bad = 1 } exit bad }' >/tmp/us-ticks || {
		say "$1's console ($(wc -c </tmp/us-con) bytes), around the break:"
		grep -n -B3 -A3 "$(sed -n 's/.*: tick \([0-9]*\) after.*/tick \1$/p' /tmp/us-ticks)" /tmp/us-con | head -n 20
		head -n 8 /tmp/us-con
		fail "$(cat /tmp/us-ticks)"
	}
}

case_us_asids() {
	mg_setup
	us_open_up
	asids=$(hvctl info --json </dev/null | sed -n 's/.*"nr_asids": *\([0-9]*\).*/\1/p')
	n=$(( ${asids:-0} + 8 ))
	[ $n -lt 24 ] && n=24
	[ "$VENDOR" = amd ] && [ -z "$asids" ] && fail "hvctl info --json has no nr_asids"
	say "nr_asids=${asids:-none}: uid $US_A makes $n VMs, then exits"
	i=1
	while [ $i -le $n ]; do
		as-user $US_A hvctl create "a$i" --mem 1M --image "$LOOPER" </dev/null >/tmp/u.out 2>/tmp/u.err ||
			fail "uid $US_A: VM $i of $n: $(head -n 1 /tmp/u.err)"
		i=$((i + 1))
	done
	cnt=$(mg_refs | grep -c "^$US_A:")
	[ "$cnt" -eq $n ] || fail "root lists $cnt VMs of uid $US_A, expected $n"
	# A's VMs stay (owned by nobody's process).  B still gets a VM, and
	# it runs and gives its result.
	asu $US_B run --mem 2M --multiboot "$MBKERNEL" --cmdline exit=5 b1
	[ $asu_rc -eq 11 ] || fail "uid $US_B: hvctl run with $n VMs of uid $US_A present: exit status $asu_rc, expected 11: $(head -n 1 /tmp/u.err)"
	# Some of A's run too, all at once, more vCPUs than ASIDs: each
	# keeps its own count going.
	# (Bochs: every running guest slows the others; VPIDs are plenty.)
	if [ "$VENDOR" = amd ]; then loops=$(( ${asids:-16} + 2 )); else loops=3; fi
	i=1
	while [ $i -le $loops ]; do
		hvctl destroy "$US_A:a$i" </dev/null >/dev/null 2>&1
		as-user $US_A hvctl create "a$i" --mem 2M --multiboot "$MBKERNEL" --cmdline loop </dev/null >/tmp/u.out 2>/tmp/u.err ||
			fail "uid $US_A: loop VM a$i: $(head -n 1 /tmp/u.err)"
		as-user $US_A hvctl start "a$i" </dev/null >/dev/null 2>/tmp/u.err ||
			fail "uid $US_A: start a$i: $(head -n 1 /tmp/u.err)"
		i=$((i + 1))
	done
	say "$loops looping guests of uid $US_A running; uid $US_B runs guests beside them"
	if [ "$VENDOR" = amd ]; then
		us_runs 1 12
		us_runs 13 24
		us_runs 25 30
	else
		us_runs 1 3
		us_runs 4 6
	fi
	i=1
	while [ $i -le $loops ]; do
		mg_ok "stop a$i" stop "$US_A:a$i"
		us_ticks_ok "$US_A:a$i"
		i=$((i + 1))
	done
	say "$loops looping guests counted without a gap"
	mg_clean
	us_close_down
	mg_none_left
	no_splat
}
