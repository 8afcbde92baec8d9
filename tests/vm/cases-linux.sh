# SPDX-License-Identifier: GPL-2.0
#
# cases-linux.sh: a stock Linux under hv (issue 14), sourced by cases.sh
# (it uses the mg_* helpers of cases-managed.sh).
# The guest is the rig's own kernel with a small busybox initramfs
# (tests/linux/mkguest, packed by tests/rig/mkinitramfs):
#
#   /hvtest/linux/vmlinuz    Debian's bzImage, the one this machine booted
#   /hvtest/linux/initrd.gz  busybox + tests/linux/init
#
# Its /init prints HVLINUX-* markers on ttyS0 and checks, itself, nproc
# against hvl.cpus, dmesg's "smp: Brought up", sleep 1 against its
# clock, sha256 of a known file on every CPU and no splat in dmesg; then
# hvl.mode says what next: poweroff (check), a shell on the console
# (interactive) or hvl.count steps of a CPU job (long). See its header.
# Here each case follows the console with `hvctl console`, every line
# stamped with this machine's /proc/uptime, and judges it:
#
#   linux-boot1, linux-boot2, linux-boot4
#               --vcpus N: every HVLINUX-CHECK ok, sleep 1 takes about a
#               second of this machine's clock too (the time between two
#               markers), no splat on the guest's console, the VM stops
#               with reason power-off
#   linux-input typed input through `hvctl console` reaches the guest's
#               shell and its answer comes back; a typed `poweroff -f`
#               powers the VM off
#   linux-snap  snapshot mid-workload (2 vCPUs), destroy, restore: the
#               same /init goes on where it was (no second boot), its
#               clock does not go back, it finishes, powers off; a live
#               snapshot taken before (hvctl snapshot --live: the VM runs
#               on) restores lazily (hvctl restore --lazy --start: it
#               runs before its memory is read) and finishes /init from
#               its instant too
#   linux-clone clone a running Linux: parent and clone both finish
#               their count, independently, and power off
#   linux-xvtake    (amd) linux-snap's first half: snapshot after step 3
#               with --stop, destroy; the file (gzip'd) and the console
#               go to the intel machine
#   linux-xvrestore (intel) restore amd's snapshot on VT-x, start: the
#               same /init goes on and finishes as in linux-snap
#
# CASES_LINUX in tests/rig/vmtest. Every case prints one "timing:" line
# (seconds of this machine's clock from `hvctl start`).
#
# The cross-vendor pair hands a Linux snapshot (some 74 MB: the kernel,
# its compressed image, the initramfs; zero pages are left out) from amd
# to intel (only that way: Bochs is too slow to hand it back) on the
# binary channel of tests/rig/carry (QEMU's debug console, port 0xe9,
# written by tests/vm/hv-carryout), not as base64 on the serial console.

LX_DIR=/tmp/lx
# The kernel two ways (tests/rig/mkinitramfs): the bzImage as Debian
# ships it, and the vmlinux ELF inside it, which skips the guest's own
# decompression (under Bochs some 40% of a boot). linux-boot2 boots the
# bzImage and linux-boot1 the vmlinux on both machines; the other cases
# boot the bzImage on amd and the vmlinux on intel.
LX_VMLINUZ=/hvtest/linux/vmlinuz
LX_VMLINUX=/hvtest/linux/vmlinux
if [ "$VENDOR" = intel ]; then
	LX_KERNEL=${LX_KERNEL:-$LX_VMLINUX}
else
	LX_KERNEL=${LX_KERNEL:-$LX_VMLINUZ}
fi
LX_INITRD=/hvtest/linux/initrd.gz
LX_MEM=${LX_MEM:-256M}
# quiet: the checks read dmesg inside the guest rather than printing the
# boot log through an emulated UART (Bochs pays for every byte).
# panic=-1: a panicking guest reboots at once, and the case sees it
# (stop reason reboot) instead of waiting for its limit.
LX_CMDLINE="console=ttyS0 quiet panic=-1"
# Bochs's corei7_skylake_x reports a compacted XSAVE size that does not
# match its components, and Linux warns with a splat (see
# tests/rig/boot-vm, which boots this machine with the same option).
if [ "$VENDOR" = intel ]; then
	LX_CMDLINE="$LX_CMDLINE clearcpuid=xsaves,xsavec"
fi
# How long a guest may take, in seconds of this machine's clock, from
# start to power-off (each case has CASE_TIMEOUT in all).
LX_LIMIT=${LX_LIMIT:-240}
# How often a wait for a console line looks (seconds of this machine).
if [ "$VENDOR" = intel ]; then
	LX_POLL=${LX_POLL:-0.1}
else
	LX_POLL=${LX_POLL:-0.5}
fi
# A splat, as tests/rig/parse-log has it ("WARNING: CPU:", not "WARNING:":
# Bochs's CPU makes every kernel print "RETBleed: WARNING: ..."), and a
# panic.
LX_SPLAT_RE='WARNING: CPU:|BUG:|Oops|general protection fault|Call Trace:|KASAN|kernel BUG|cut here|Kernel panic'

# lx_defang: stdin to stdout with the words of a kernel splat, a panic
# and a stall written with a "_" in them: the guest's console goes into
# this machine's, where the rig (boot-vm, parse-log) would take them for
# this kernel's. The case itself judges the guest's.
lx_defang() {
	sed -e 's/WARNING:/WARNING_:/g; s/BUG:/BUG_:/g; s/kernel BUG/kernel_BUG/g' \
	    -e 's/Oops/Oo_ps/g; s/general protection fault/general_protection_fault/g' \
	    -e 's/Call Trace/Call_Trace/g; s/KASAN/KA_SAN/g; s/cut here/cut_here/g' \
	    -e 's/Kernel panic/Kernel_panic/g; s/soft lockup/soft_lockup/g' \
	    -e 's/detected stall/detected_stall/g'
}

lx_setup() {
	hv_load
	for f in "$LX_VMLINUZ" "$LX_VMLINUX" "$LX_INITRD"; do
		[ -f "$f" ] || fail "$f is not in the initramfs (tests/rig/mkinitramfs, HVTEST_LINUX)"
	done
	mg_clean
	rm -rf "$LX_DIR"
	mkdir -p "$LX_DIR"
}

lx_now() { cut -d' ' -f1 /proc/uptime; }
# lx_secs A B: B - A, two decimals.
lx_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# lx_create NAME VCPUS CMDLINE-EXTRA: a Linux VM, not started, booting
# $lx_kernel if set, else $LX_KERNEL.
lx_create() {
	mg_ok "create $1" create "$1" --kernel "${lx_kernel:-$LX_KERNEL}" --initrd "$LX_INITRD" \
		--cmdline "$LX_CMDLINE hvl.cpus=$2${3:+ $3}" --vcpus "$2" --mem "$LX_MEM"
}

# lx_stamp: stdin's lines, each prefixed with this machine's uptime
# when it came, without the UART's carriage returns.
lx_stamp() {
	cr=$(printf '\r')
	while IFS= read -r l; do
		read -r t _ </proc/uptime
		echo "$t ${l%"$cr"}"
	done
	# The VM stopped in the middle of a line: marked, for lx_join.
	[ -z "$l" ] || echo "$(lx_now) +PARTIAL ${l%"$cr"}"
}

# lx_lines NAME: NAME's console lines without their stamps.
lx_lines() { cut -d' ' -f2- "$LX_DIR/$1.con"; }

# lx_join A B OUT: A's console then B's, as one text: A's unfinished
# last line joined with B's first (B went on from A's state).
lx_join() {
	lx_lines "$1" >"$LX_DIR/join.a"
	last=$(tail -n 1 "$LX_DIR/join.a")
	case $last in
	"+PARTIAL "*)
		sed '$d' "$LX_DIR/join.a" >"$3"
		printf '%s' "${last#+PARTIAL }" >>"$3"
		;;
	*)	cp "$LX_DIR/join.a" "$3" ;;
	esac
	lx_lines "$2" >>"$3"
}

# lx_follow NAME [INPUT]: follow NAME's console in the background into
# $LX_DIR/NAME.con (stamped lines), stdin from INPUT (default
# /dev/null); the follower ends when the VM stops. Its pid: lx_pid_NAME.
lx_follow() {
	hvctl console "$1" <"${2:-/dev/null}" 2>"$LX_DIR/$1.err" | lx_stamp >"$LX_DIR/$1.con" &
	eval "lx_pid_$1=\$!"
}

# lx_why NAME: why NAME went wrong, from its console, for a failure
# line: its first splat with the RIP and panic lines, or its last lines.
# Without the guest's printk stamps ("[    0.02]" in an HVTEST-RESULT
# line looks to parse-log like a message of this kernel cutting it).
lx_why() {
	splat=$(lx_lines "$1" | grep -E "$LX_SPLAT_RE" | head -n 1)
	if [ -n "$splat" ]; then
		rip=$(lx_lines "$1" | grep -o 'RIP: .*' | head -n 1)
		panic=$(lx_lines "$1" | grep -o 'Kernel panic.*' | head -n 1)
		echo "on the guest's console: $splat${rip:+; $rip}${panic:+; $panic}"
	else
		echo "last: $(tail -n 4 "$LX_DIR/$1.con" 2>/dev/null | cut -d' ' -f2- | tr '\n' '|')"
	fi | sed 's/\[ *[0-9]*\.[0-9]*\] //g' | lx_defang
}

# lx_before_deadline: this machine's clock has not reached $lx_deadline.
lx_before_deadline() {
	awk -v now="$(lx_now)" -v end="$lx_deadline" 'BEGIN { exit !(now < end) }'
}

# lx_wait_line NAME ERE: wait until a console line of NAME matches ERE
# (after the stamp), at most until $lx_deadline; leaves that line
# (without its stamp) in $lx_line and its stamp in $lx_t.
lx_wait_line() {
	gone=0
	while :; do
		hit=$(grep -E "^[0-9.]+ .*($2)" "$LX_DIR/$1.con" | head -n 1)
		if [ -n "$hit" ]; then
			lx_t=${hit%% *}
			lx_line=${hit#* }
			return 0
		fi
		# A stopped VM: one more look once its follower has drained.
		[ $gone = 1 ] &&
			fail "$1: no line /$2/ and the VM is ${st:-gone} (reason $(mg_field "$1" stop_reason)); $(lx_why "$1")"
		st=$(mg_state "$1")
		case $st in
		running|paused) ;;
		*) gone=1 ;;
		esac
		if ! lx_before_deadline; then
			hvctl stop "$1" </dev/null >/dev/null 2>&1
			fail "$1: no line /$2/ within ${LX_LIMIT}s; $(lx_why "$1")"
		fi
		sleep "$LX_POLL"
	done
}

# lx_wait_stop NAME: wait until NAME's follower has ended (the VM
# stopped); a watchdog stops the VM at $lx_deadline, and the case fails.
# (Waiting, not polling: under Bochs a second of this machine's clock
# costs about a minute of wall clock.)
lx_wait_stop() {
	eval "pid=\$lx_pid_$1"
	left=$(awk -v now="$(lx_now)" -v end="$lx_deadline" 'BEGIN { l = end - now; if (l < 0) l = 0; printf "%.1f", l }')
	rm -f "$LX_DIR/$1.late"
	(
		trap 'kill $s 2>/dev/null; exit 0' TERM
		sleep "$left" &
		s=$!
		wait $s
		: >"$LX_DIR/$1.late"
		hvctl stop "$1" </dev/null >/dev/null 2>&1
	) &
	dog=$!
	wait "$pid" 2>/dev/null
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	lx_t_stop=$(lx_now)
	[ -e "$LX_DIR/$1.late" ] &&
		fail "$1: did not stop within ${LX_LIMIT}s (stopped now); $(lx_why "$1")"
	return 0
}

# lx_start NAME: start NAME, following its console; the deadline is set.
lx_clock() {
	lx_t0=$(lx_now)
	lx_deadline=$(awk -v t="$lx_t0" -v l="$LX_LIMIT" 'BEGIN { print t + l }')
}

lx_start() {
	lx_clock
	mg_ok "start $1" start "$1"
	lx_follow "$1" "${2:-}"
}

# lx_powered_off NAME: NAME stopped with reason power-off.
lx_powered_off() {
	st=$(mg_state "$1")
	reason=$(mg_field "$1" stop_reason)
	say "$1: state $st, stop reason $reason"
	[ "$st" = stopped ] && [ "$reason" = power-off ] ||
		fail "$1: state '$st', stop reason '$reason'; expected stopped by power-off; $(lx_why "$1")"
}

# lx_no_splat NAME: nothing on NAME's console looks like a kernel splat.
lx_no_splat() {
	lx_lines "$1" | grep -qE "$LX_SPLAT_RE" && fail "$1: $(lx_why "$1")"
	return 0
}

# lx_show NAME: NAME's console (stamped) on ours.
lx_show() {
	say "$1's console (this machine's uptime, then the line; lx_defang):"
	sed 's/^/  | /' "$LX_DIR/$1.con" | lx_defang
	[ -s "$LX_DIR/$1.err" ] && sed 's/^/  stderr: /' "$LX_DIR/$1.err" | head -n 5
	return 0
}

# lx_stamp_of NAME ERE: the stamp of NAME's first line matching ERE.
lx_stamp_of() {
	grep -E "^[0-9.]+ .*($2)" "$LX_DIR/$1.con" | head -n 1 | cut -d' ' -f1
}

# lx_checks NAME: the guest's own checks all passed (five of them).
lx_checks() {
	bad=$(cut -d' ' -f2- "$LX_DIR/$1.con" | grep '^HVLINUX-CHECK ' | grep -v '^HVLINUX-CHECK [a-z0-9]* ok' | head -n 1)
	[ -z "$bad" ] || fail "$1: $(echo "$bad" | sed 's/\[ *[0-9]*\.[0-9]*\] //g' | lx_defang)"
	grep -q ' HVLINUX-CHECKS ok=5 fail=0$' "$LX_DIR/$1.con" ||
		fail "$1: no 'HVLINUX-CHECKS ok=5 fail=0' line; $(lx_why "$1")"
}

# --------------------------------------------------------- linux-bootN

lx_boot() { # VCPUS [KERNEL]
	n=$1
	vm=boot$n
	lx_kernel=${2:-}
	lx_setup
	say "$vm: kernel ${lx_kernel:-$LX_KERNEL}"
	lx_create $vm "$n"
	lx_kernel=
	lx_start $vm
	lx_wait_stop $vm
	lx_show $vm
	lx_no_splat $vm
	lx_powered_off $vm
	t_up=$(lx_stamp_of $vm HVLINUX-UP)
	[ -n "$t_up" ] || fail "$vm: no HVLINUX-UP line: /init never ran"
	grep -qE "^[0-9.]+ .*HVLINUX-UP cpus=$n " "$LX_DIR/$vm.con" ||
		fail "$vm: $(grep -o 'HVLINUX-UP.*' "$LX_DIR/$vm.con"); expected cpus=$n"
	lx_checks $vm
	# sleep 1 against this machine's clock: the lines come through the
	# UART, hv and hvctl's 100 ms poll, so the bounds are wide; a guest
	# clock at the wrong rate is off by far more.
	a=$(lx_stamp_of $vm HVLINUX-SLEEP-BEGIN)
	b=$(lx_stamp_of $vm HVLINUX-SLEEP-END)
	[ -n "$a" ] && [ -n "$b" ] || fail "$vm: no HVLINUX-SLEEP-BEGIN/END lines"
	d=$(lx_secs "$a" "$b")
	say "$vm: the guest's sleep 1 took ${d}s of this machine's clock"
	awk -v d="$d" 'BEGIN { exit !(d >= 0.6 && d <= 5) }' ||
		fail "$vm: the guest's sleep 1 took ${d}s of this machine's clock (0.6 to 5 expected)"
	guest_up=$(grep -o 'HVLINUX-UP .*' "$LX_DIR/$vm.con" | sed 's/.*up=//')
	say "$vm: timing: start to /init $(lx_secs "$lx_t0" "$t_up")s (the guest's uptime then ${guest_up}s), to power-off $(lx_secs "$lx_t0" "$lx_t_stop")s"
	# What the guest says about its clocks (HVLINUX-INFO): shown, not judged.
	lx_lines $vm | grep -o 'HVLINUX-INFO .*' | while IFS= read -r l; do say "$vm: $l"; done
	mg_ok "destroy" destroy $vm
	mg_none_left
	no_splat
}

case_linux_boot1() { lx_boot 1 "$LX_VMLINUX"; }
case_linux_boot2() { lx_boot 2 "$LX_VMLINUZ"; }
case_linux_boot4() { lx_boot 4; }

# ---------------------------------------------------------- linux-input

case_linux_input() {
	lx_setup
	lx_create in 1 "hvl.mode=interactive hvl.nocheck=1"
	mkfifo "$LX_DIR/in.fifo"
	lx_start in "$LX_DIR/in.fifo"
	# The follower opens the FIFO for reading; ours holds it open for
	# writing until the end (hvctl console stops its input at EOF).
	exec 3>"$LX_DIR/in.fifo"
	lx_wait_line in HVLINUX-PROMPT
	t_prompt=$lx_t
	# busybox ash's banner: the shell is about to read (and what the UART
	# receives before waits in the guest's tty buffer anyway). Typed
	# once; the answer has a line of its own (the echo of the typed line
	# shows $((6*7)), not 42).
	lx_wait_line in "Enter 'help'"
	say "typing: echo HVLINUX-ANSWER \$((6*7))"
	echo 'echo HVLINUX-ANSWER $((6*7))' >&3
	lx_wait_line in 'HVLINUX-ANSWER 42$'
	say "in: the answer came $(lx_secs "$t_prompt" "$lx_t")s after the prompt: $lx_line"
	say "typing: poweroff -f"
	echo 'poweroff -f' >&3
	lx_wait_stop in
	exec 3>&-
	lx_show in
	lx_no_splat in
	lx_powered_off in
	say "in: timing: start to prompt $(lx_secs "$lx_t0" "$t_prompt")s, to power-off $(lx_secs "$lx_t0" "$lx_t_stop")s"
	mg_ok "destroy" destroy in
	mg_none_left
	no_splat
}

# ---------------------------------------------------------- linux-snap

# Steps of hvl.mode=long (about 0.25 s of guest time each): fewer under
# Bochs, where each is some 25 s of wall clock; the snapshot comes after
# step 3 either way.
if [ "$VENDOR" = intel ]; then
	LX_STEPS=${LX_STEPS:-7}
else
	LX_STEPS=${LX_STEPS:-12}
fi

# lx_steps FILE UPS LO HI [N]: FILE (console lines) shows UPS HVLINUX-UP
# lines (1: booted once; 0: a copy that went on, never booted), then
# HVLINUX-STEP lines whose first complete one is LO..HI, unbroken to the
# last, each ok, the guest's uptime never going back, then HVLINUX-DONE
# with no failure, N steps in all (default $LX_STEPS). An unfinished line (a copy's first) is skipped.
lx_steps() {
	awk -v ups="$2" -v lo="$3" -v hi="$4" -v n="${5:-$LX_STEPS}" '
		/HVLINUX-UP cpus=/ { up++ }
		/^HVLINUX-STEP [0-9]+\/[0-9]+ cpu=/ {
			split($2, f, "/"); i = f[1] + 0
			u = $4; sub(/^up=/, "", u); u += 0
			if (prev == "" && (i < lo || i > hi)) { print "the first step is " i ", expected " lo " to " hi; bad = 1; exit }
			if (prev != "" && i != prev + 1) { print "step " i " after " prev; bad = 1; exit }
			if (prev != "" && u < uprev) { print "the clock went back: " uprev " then " u; bad = 1; exit }
			if ($NF != "ok") { print $0; bad = 1; exit }
			if (first == "") first = u
			prev = i; uprev = u
		}
		/^HVLINUX-DONE / { done = $0 }
		END {
			if (bad) exit
			if (up != ups) { print up + 0 " HVLINUX-UP lines, expected " ups; exit }
			if (done == "") { print "no HVLINUX-DONE (last step " prev ")"; exit }
			if (done !~ ("steps=" n " fail=0 ")) { print done; exit }
			if (prev != n) { print "the last step is " prev ", expected " n }
		}' "$1"
}

# lx_last_step NAME: the number and uptime of NAME's last complete step
# line: "I UP".
lx_last_step() {
	lx_lines "$1" | grep -E '^HVLINUX-STEP [0-9]+/[0-9]+ cpu=' | tail -n 1 |
		sed 's/.*HVLINUX-STEP \([0-9]*\)\/.* up=\([0-9.]*\).*/\1 \2/'
}

# lx_went_on K UP_K STEPS WHAT: run the restored VM r to its end and
# check it: powered off, no splat, and a's console then r's read as one
# run of /init of STEPS steps (booted once, every step once, in order,
# the clock never going back), r's own first step K+1 or K+2 (a's last
# complete one was K, at guest uptime UP_K). WHAT names the pair.
lx_went_on() {
	lx_start r
	lx_wait_stop r
	lx_show r
	lx_no_splat r
	lx_powered_off r
	lx_join a r "$LX_DIR/joined"
	bad=$(lx_steps "$LX_DIR/joined" 1 1 1 "$3")
	[ -z "$bad" ] || fail "$4: $bad"
	bad=$(lx_lines r | lx_steps - 0 $(($1 + 1)) $(($1 + 2)) "$3")
	[ -z "$bad" ] || fail "r alone: $bad"
	set -- "$1" "$2" "$4" $(lx_lines r | grep -E '^HVLINUX-STEP [0-9]+/[0-9]+ cpu=' | head -n 1 |
		sed 's/.*HVLINUX-STEP \([0-9]*\)\/.* up=\([0-9.]*\).*/\1 \2/')
	say "$3: r went on after step $1 (guest uptime ${2}s) with step $4 (${5}s) to the end"
}

case_linux_snap() {
	lx_setup
	lx_create a 2 "hvl.mode=long hvl.count=$LX_STEPS hvl.nocheck=1"
	lx_start a
	# A live one first (issue 17): a runs on while its file is written.
	lx_wait_line a "HVLINUX-STEP 2/"
	set -- $(lx_last_step a)
	k0=$1
	mg_ok "live snapshot mid-workload" snapshot a "$LX_DIR/live.hv" --live
	set -- $(lx_last_step a)
	k1=$1
	mg_expect_state a running
	lx_wait_line a "HVLINUX-STEP 3/"
	mg_ok "snapshot mid-workload" snapshot a "$LX_DIR/a.hv" --stop --quiet
	t_snap=$(lx_now)
	lx_wait_stop a
	mg_expect_state a stopped
	set -- $(lx_last_step a)
	k=$1 up_k=$2
	say "a: snapshot after step $k (guest uptime ${up_k}s), $(wc -c <"$LX_DIR/a.hv") bytes"
	grep -q ' HVLINUX-DONE' "$LX_DIR/a.con" && fail "a finished before its snapshot: make LX_STEPS larger"
	mg_ok "destroy" destroy a

	mg_ok "restore" restore "$LX_DIR/a.hv" --name r --quiet
	mg_expect_state r created
	lx_went_on "$k" "$up_k" "$LX_STEPS" "a then r"
	say "r: timing: restored start to power-off $(lx_secs "$lx_t0" "$lx_t_stop")s"
	mg_ok "destroy" destroy r

	# The live snapshot's instant lies between steps k0 and k1 (a's
	# last complete ones before and after the call): restored, it goes
	# on from there to the end of /init, powered off, without a splat.
	# Lazily: the copy runs before its memory is read, and hvctl gives
	# it chunk by chunk, the ones it waits for first, until it is whole
	# (the console ring keeps what it prints meanwhile).
	lx_clock
	mg_ok "restore the live snapshot lazily" restore "$LX_DIR/live.hv" --name r2 --lazy --start
	lx_follow r2
	lx_wait_stop r2
	lx_show r2
	lx_no_splat r2
	lx_powered_off r2
	bad=$(lx_lines r2 | lx_steps - 0 $((k0 + 1)) $((k1 + 2)) "$LX_STEPS")
	[ -z "$bad" ] || fail "r2, restored from the live snapshot: $bad"
	say "r2: the live snapshot (taken between steps $k0 and $k1) went on to the end"
	mg_ok "destroy" destroy r2
	mg_none_left
	no_splat
}

# ---------------------------------------------------------- linux-clone

case_linux_clone() {
	lx_setup
	lx_create a 1 "hvl.mode=long hvl.count=$LX_STEPS hvl.nocheck=1"
	lx_start a
	lx_wait_line a "HVLINUX-STEP 2/"
	mg_ok "clone" clone a b
	mg_expect_state b created
	# a runs on: the step it printed last by now bounds where b goes on.
	set -- $(lx_last_step a)
	k=$1
	say "a: cloned before its step $((k + 1))"
	mg_ok "start b" start b
	lx_follow b
	lx_wait_stop a
	lx_wait_stop b
	lx_show a
	lx_show b
	for vm in a b; do
		lx_no_splat $vm
		lx_powered_off $vm
	done
	lx_lines a >"$LX_DIR/a.lines"
	lx_lines b >"$LX_DIR/b.lines"
	bad=$(lx_steps "$LX_DIR/a.lines" 1 1 1)
	[ -z "$bad" ] || fail "a: $bad"
	# b's console starts empty: it never boots, and goes on from a step
	# past 2 (the one after the clone, or the next if a line was cut).
	bad=$(lx_steps "$LX_DIR/b.lines" 0 3 $((k + 2)))
	[ -z "$bad" ] || fail "b: $bad"
	say "b: went on from a's state to the end; a finished too"
	say "timing: a and b to power-off $(lx_secs "$lx_t0" "$lx_t_stop")s"
	mg_ok "destroy a" destroy a
	mg_ok "destroy b" destroy b
	mg_none_left
	no_splat
}

# ------------------------------------------------ linux-xvtake/xvrestore

# Steps of the cross-vendor guest: the snapshot comes after step 3 (or
# 4: the wait for it polls every 0.1 s), intel runs the rest, and every
# step costs intel (Bochs) some 20 s of wall clock.
LX_XV_STEPS=${LX_XV_STEPS:-5}
LX_XV_FILE=lx-xv-amd.hv.gz
LX_XV_CON=lx-xv-amd.con

# lx_carry_bin FILE: FILE out of this machine on the rig's binary channel
# (tests/vm/hv-carryout, tests/rig/carry), to the next machine's
# /hvtest/carry/.
lx_carry_bin() {
	hv-carryout "$1" "$(sha256sum "$1" | cut -d' ' -f1)" 2>"$LX_DIR/carry.err" ||
		fail "hv-carryout $1: $(head -n 1 "$LX_DIR/carry.err")"
}

case_linux_xvtake() {
	[ "$VENDOR" = amd ] || fail "linux-xvtake hands its snapshot from amd to intel: run it on amd"
	lx_setup
	lx_create a 2 "hvl.mode=long hvl.count=$LX_XV_STEPS hvl.nocheck=1"
	lx_start a
	poll=$LX_POLL
	LX_POLL=0.1
	lx_wait_line a "HVLINUX-STEP 3/"
	LX_POLL=$poll
	mg_ok "snapshot mid-workload" snapshot a "$LX_DIR/a.hv" --stop --quiet
	lx_wait_stop a
	mg_expect_state a stopped
	lx_no_splat a
	set -- $(lx_last_step a)
	k=$1 up_k=$2
	say "a: snapshot after step $k (guest uptime ${up_k}s), $(wc -c <"$LX_DIR/a.hv") bytes"
	grep -q ' HVLINUX-DONE' "$LX_DIR/a.con" && fail "a finished before its snapshot: make LX_XV_STEPS larger"
	[ "$k" -lt "$LX_XV_STEPS" ] || fail "a printed its last step before its snapshot: make LX_XV_STEPS larger"
	mg_ok "destroy" destroy a
	mg_none_left
	t=$(lx_now)
	gzip -c "$LX_DIR/a.hv" >"$LX_DIR/$LX_XV_FILE" || fail "gzip $LX_DIR/a.hv"
	rm -f "$LX_DIR/a.hv"
	t1=$(lx_now)
	cp "$LX_DIR/a.con" "$LX_DIR/$LX_XV_CON"
	lx_carry_bin "$LX_DIR/$LX_XV_FILE"
	lx_carry_bin "$LX_DIR/$LX_XV_CON"
	t2=$(lx_now)
	say "a: timing: gzip to $(wc -c <"$LX_DIR/$LX_XV_FILE") bytes $(lx_secs "$t" "$t1")s, carried out in $(lx_secs "$t1" "$t2")s"
	no_splat
}

case_linux_xvrestore() {
	[ "$VENDOR" = intel ] || fail "linux-xvrestore restores amd's snapshot: run it on intel"
	lx_setup
	for f in $LX_XV_FILE $LX_XV_CON; do
		[ -f "/hvtest/carry/$f" ] ||
			fail "no $f carried from the amd machine (did its linux-xvtake pass?)"
	done
	t=$(lx_now)
	gunzip -c "/hvtest/carry/$LX_XV_FILE" >"$LX_DIR/a.hv" || fail "gunzip $LX_XV_FILE"
	# hv charges the restored VM's 256 MiB against MemAvailable less its
	# reserve, and the initramfs (the carried file too) and /tmp are
	# RAM: the gzip'd copy goes (with 512 MiB, Bochs's size until 5 Dec,
	# the restore failed with ENOMEM while it stayed).
	rm -f "/hvtest/carry/$LX_XV_FILE"
	# a's console (amd's, stamped with amd's clock): for lx_join.
	cp "/hvtest/carry/$LX_XV_CON" "$LX_DIR/a.con"
	set -- $(lx_last_step a)
	k=$1 up_k=$2
	[ -n "$k" ] || fail "no step line in amd's console $LX_XV_CON"
	t1=$(lx_now)
	mg_ok "restore amd's snapshot" restore "$LX_DIR/a.hv" --name r --quiet
	rm -f "$LX_DIR/a.hv"
	mg_expect_state r created
	t2=$(lx_now)
	lx_went_on "$k" "$up_k" "$LX_XV_STEPS" "a (amd) then r (intel)"
	say "r: timing: gunzip $(lx_secs "$t" "$t1")s, restore $(lx_secs "$t1" "$t2")s, restored start to power-off $(lx_secs "$lx_t0" "$lx_t_stop")s"
	mg_ok "destroy" destroy r
	mg_none_left
	no_splat
}
