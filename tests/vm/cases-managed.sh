# SPDX-License-Identifier: GPL-2.0
#
# cases-managed.sh: the managed-mode cases (mg-*), sourced by cases.sh.
# They drive hvctl as an operator would: create, start, console, pause,
# resume, stop, destroy, run, events; and check what it says, its exit
# status, and that nothing is left behind.  The guests (tests/guests):
#
#   looper.bin          flat, real mode: "looper: N" lines for ever
#   mbkernel.elf        Multiboot ELF32: prints its boot information and
#                       leaves through port 0xf4 with the N of "exit=N"
#   mbkernel-aout.bin   the same, a raw image placed by the a.out kludge
#   reboot.bin          flat, real mode: counts its boots in CMOS NVRAM,
#                       resets through port 0xcf9, powers off on boot 3
#
# Cases: mg-session, mg-multiboot, mg-badimages, mg-names, mg-otheruser,
# mg-reboot, mg-kill (CASES_MG in tests/rig/vmtest); mg-hugemem runs with the memory
# cases (CASES_H_MEM): the host reserve now refuses it before allocating.
#
# Under Bochs every guest second of a busy CPU costs minutes of wall
# clock, so nothing here sleeps while a guest spins: waits poll hvctl
# itself (each call takes long enough for the guest to print), and only
# the pause check sleeps, while no guest runs.

MG_GUESTS=/hvtest/guests
LOOPER=$MG_GUESTS/looper.bin
MBKERNEL=$MG_GUESTS/mbkernel.elf
MBKERNEL_AOUT=$MG_GUESTS/mbkernel-aout.bin
REBOOTER=$MG_GUESTS/reboot.bin
# How long a paused VM must stay silent (guest seconds).  Under Bochs
# even an idle guest second costs about a minute of wall clock, and the
# looper prints a line every 2 M instructions (under a millisecond of
# its guest time), so a tenth of a second proves as much there.
if [ "$VENDOR" = intel ]; then
	MG_PAUSE_WAIT=${MG_PAUSE_WAIT:-0.1}
else
	MG_PAUSE_WAIT=${MG_PAUSE_WAIT:-1}
fi
# How many times a wait polls before it gives up.
MG_POLLS=${MG_POLLS:-100}

# hvc ARGS...: run hvctl with stdin from /dev/null (console and run would
# feed the machine's console to the guest); stdout to /tmp/hvc.out,
# stderr to /tmp/hvc.err, both shown (the head of them).  Returns the
# exit status, also left in $hvc_rc.
hvc() {
	say "\$ hvctl $*"
	read -r hvc_t0 _ </proc/uptime
	hvctl "$@" </dev/null >/tmp/hvc.out 2>/tmp/hvc.err
	hvc_rc=$?
	read -r hvc_t1 _ </proc/uptime
	head -n 12 /tmp/hvc.out
	[ "$(wc -l </tmp/hvc.out)" -gt 12 ] && echo "  [... $(wc -l </tmp/hvc.out) lines]"
	sed 's/^/  stderr: /' /tmp/hvc.err | head -n 5
	say "  exit status $hvc_rc, $(echo "$hvc_t0 $hvc_t1" | awk '{ printf "%.2f", $2 - $1 }')s"
	return $hvc_rc
}

# mg_ok WHAT ARGS...: hvctl ARGS must succeed.
mg_ok() {
	what=$1
	shift
	hvc "$@" || fail "$what: hvctl $*: exit status $hvc_rc: $(head -n 1 /tmp/hvc.err)"
}

# mg_refused PATTERN ARGS...: hvctl ARGS must fail with exactly one line
# on stderr, starting "hvctl: " and matching PATTERN (ERE, any case).
mg_refused() {
	pat=$1
	shift
	hvc "$@" && fail "hvctl $* succeeded; expected an error matching /$pat/"
	[ $hvc_rc -ge 128 ] && fail "hvctl $*: killed by signal $((hvc_rc - 128))"
	n=$(wc -l </tmp/hvc.err)
	line=$(head -n 1 /tmp/hvc.err)
	[ "$n" -eq 1 ] || fail "hvctl $*: $n lines on stderr, expected one: $line"
	case $line in
	"hvctl: "*) ;;
	*) fail "hvctl $*: error line does not start 'hvctl: ': $line" ;;
	esac
	echo "$line" | grep -qiE "$pat" ||
		fail "hvctl $*: error does not match /$pat/: $line"
}

# The JSON objects of `hvctl list --json`, one per line (they hold no
# nested objects).
mg_list_objects() {
	hvctl list --json </dev/null 2>/dev/null | tr '}' '\n' | grep '"name"'
}

# The VM names `hvctl list --json` shows, one per line.
mg_names() {
	mg_list_objects | sed -n 's/.*"name": *"\([^"]*\)".*/\1/p'
}

# mg_field NAME KEY: a string or number field of VM NAME in the list
# ("" if the VM is not listed).
mg_field() {
	mg_list_objects | grep "\"name\": *\"$1\"" |
		sed -n "s/.*\"$2\": *\"\\{0,1\\}\\([^\",]*\\).*/\\1/p" | head -n 1
}

mg_state() { mg_field "$1" state; }

# mg_expect_state NAME STATE: `hvctl list` says NAME is in STATE.
mg_expect_state() {
	st=$(mg_state "$1")
	say "$1: state ${st:-(not listed)}"
	[ "$st" = "$2" ] || fail "hvctl list: $1 is '${st:-not listed}', expected '$2'"
}

# mg_none_left: `hvctl list` shows no VM at all.
mg_none_left() {
	left=$(mg_names | tr '\n' ' ')
	[ -z "$left" ] || fail "${1:-at the end}: VMs left behind: $left"
}

# mg_gone NAME: wait until NAME is no longer listed.
mg_gone() {
	i=0
	while mg_names | grep -qx "$1"; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "$1 still listed ($(mg_state "$1")) after its hvctl was killed"
		sleep 0.02
	done
}

# mg_bytes NAME: console_bytes of NAME (all the guest ever wrote).
mg_bytes() { mg_field "$1" console_bytes; }

# mg_grows NAME SINCE: wait until NAME's console_bytes exceeds SINCE (no
# sleep: the guest runs while hvctl list does); leaves the new count in
# $mg_b.  (Not called in $(...): its fail must end the case.)
mg_grows() {
	i=0
	while :; do
		mg_b=$(mg_bytes "$1")
		[ -n "$mg_b" ] || fail "$1 is not listed"
		[ "$mg_b" -gt "$2" ] && break
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "$1: console output does not grow (console_bytes stays $mg_b; state $(mg_state "$1"))"
	done
}

# mg_last_line NAME PREFIX: the number on the last complete console line
# "PREFIX N" of NAME ("" if none).
mg_last_line() {
	{ hvctl console "$1" --no-follow </dev/null; echo '#end'; } |
		grep -E "^$2 [0-9]+\$" | tail -n 1 | sed 's/.* //'
}

# mg_clean: destroy every VM (a failed case may leave some).
# The VMs of `hvctl list --json` as UID:NAME references, one per line
# (names are per owner: root needs the owner to name another user's VM).
mg_refs() {
	mg_list_objects | sed -n 's/.*"name": *"\([^"]*\)".*"owner_uid": *\([0-9]*\).*/\2:\1/p'
}

# (Its loop variable is its own: sh has no locals, and the cases keep
# their VM's name in "vm".)
mg_destroy_all() {
	for mg_ref in $(mg_refs); do
		hvctl destroy --force "$mg_ref" </dev/null >/dev/null 2>&1 ||
			hvctl destroy "$mg_ref" --force </dev/null >/dev/null 2>&1
	done
}

mg_clean() {
	mg_destroy_all
	mg_none_left "before the case"
}

mg_setup() {
	hv_load
	for f in "$LOOPER" "$MBKERNEL" "$MBKERNEL_AOUT" "$REBOOTER"; do
		[ -f "$f" ] || fail "$f is not in the initramfs"
	done
	mg_clean
}

# mg_subscribed PID: PID has a generic-netlink socket (protocol 16; a
# netlink port id is the pid in its low 22 bits, as libnl picks it).
# hvctl events subscribes with HV_CMD_SUBSCRIBE right after opening it
# (no multicast group: /proc/net/netlink cannot show the subscription),
# so give it a moment more (two netlink round trips).
mg_subscribed() {
	awk -v pid="$1" 'NR > 1 && $2 == 16 && $3 % 4194304 == pid \
		{ found = 1 } END { exit !found }' /proc/net/netlink || return 1
	sleep 0.05
}

# ------------------------------------------------------------ mg-reboot

# mg_boots FILE: the "reboot: boot N" lines of FILE, as "1 2 3".
mg_boots() {
	sed -n 's/^reboot: boot \([0-9]*\)$/\1/p' "$1" | tr '\n' ' ' | sed 's/ $//'
}

# mg_supervisors NAME: pids of hvctl processes left by `create NAME`.
mg_supervisors() {
	for d in /proc/[0-9]*; do
		tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -q "^hvctl create $1 " &&
			echo "${d#/proc/}"
	done
}

# A guest's reset (port 0xcf9): with --on-reboot stop (the default) the
# VM stops, reason "reboot"; with restart, hvctl run boots the image
# again in the same VM, and so does the supervisor that `hvctl create`
# leaves, until the guest powers off; the supervisor ends with the VM.
case_mg_reboot() {
	mg_setup
	mg_run_expect 0 run --mem 1M --image "$REBOOTER" rb1
	b=$(mg_boots /tmp/mg-run.out)
	[ "$b" = 1 ] || fail "--on-reboot stop: boots '$b', expected '1'"

	mg_run_expect 0 run --mem 1M --image "$REBOOTER" --on-reboot restart rb2
	b=$(mg_boots /tmp/mg-run.out)
	[ "$b" = "1 2 3" ] || fail "run --on-reboot restart: boots '$b', expected '1 2 3' (NVRAM kept, RAM reloaded)"
	mg_refused 'on-reboot.*restart or stop' run --mem 1M --image "$REBOOTER" --on-reboot later rb2
	mg_none_left "after run"

	mg_ok create create rb3 --mem 1M --image "$REBOOTER"
	mg_ok start start rb3
	i=0
	while [ "$(mg_state rb3)" != stopped ]; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "rb3 does not stop ($(mg_state rb3))"
		sleep 0.05
	done
	r=$(mg_field rb3 stop_reason)
	[ "$r" = reboot ] || fail "rb3 stopped with reason '$r', expected 'reboot'"
	mg_ok destroy destroy rb3

	mg_ok create create rb4 --mem 1M --image "$REBOOTER" --on-reboot restart
	sup=$(mg_supervisors rb4)
	[ -n "$sup" ] || fail "create --on-reboot restart left no supervisor"
	say "supervisor: pid $sup"
	mg_ok start start rb4
	i=0
	while [ "$(mg_field rb4 stop_reason)" != power-off ]; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "rb4 does not power off (state $(mg_state rb4), reason $(mg_field rb4 stop_reason))"
		sleep 0.05
	done
	hvctl console rb4 --no-follow </dev/null >/tmp/rb4.out 2>&1
	b=$(mg_boots /tmp/rb4.out)
	[ "$b" = "1 2 3" ] || fail "create --on-reboot restart: boots '$b', expected '1 2 3'"
	[ -n "$(mg_supervisors rb4)" ] || fail "the supervisor ended before the VM was destroyed"
	mg_ok destroy destroy rb4
	i=0
	while [ -n "$(mg_supervisors rb4)" ]; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "the supervisor of rb4 outlives the VM"
		sleep 0.05
	done
	mg_none_left
	no_splat
}

# ------------------------------------------------------------ mg-session

# mg-session: one VM through its whole life, each step by its own hvctl,
# with `hvctl events` watching.
case_mg_session() {
	mg_setup
	say "\$ hvctl events --count 6 >/tmp/ev &"
	hvctl events --count 6 </dev/null >/tmp/ev 2>/tmp/ev.err &
	evpid=$!
	i=0
	until mg_subscribed $evpid; do
		kill -0 $evpid 2>/dev/null || { cat /tmp/ev.err; fail "hvctl events exited at once: $(head -n 1 /tmp/ev.err)"; }
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || { say "note: cannot see hvctl events' netlink subscription; going on"; break; }
		sleep 0.02
	done

	mg_ok "create" create a --mem 8M --image "$LOOPER"
	mg_expect_state a created
	[ "$(mg_field a mem_bytes)" = 8388608 ] || fail "hvctl list: a has mem_bytes $(mg_field a mem_bytes), expected 8388608"
	mg_ok "start" start a
	mg_expect_state a running
	mg_grows a 0
	mg_grows a "$mg_b"
	say "a: console_bytes $mg_b and growing"
	hvc console a --no-follow || fail "console --no-follow: exit status $hvc_rc: $(head -n 1 /tmp/hvc.err)"
	grep -qE '^looper: [0-9]+$' /tmp/hvc.out || fail "hvctl console a --no-follow shows no 'looper: N' line"
	n1=$(mg_last_line a looper:)
	n2=$n1
	i=0
	while [ "${n2:-0}" -le "${n1:-0}" ]; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "console: last line stays 'looper: $n1'"
		n2=$(mg_last_line a looper:)
	done
	say "console: looper: $n1, then looper: $n2"

	mg_ok "pause" pause a
	mg_expect_state a paused
	b1=$(mg_bytes a)
	n1=$(mg_last_line a looper:)
	say "paused at console_bytes $b1 (looper: $n1); sleeping ${MG_PAUSE_WAIT}s"
	sleep "$MG_PAUSE_WAIT"
	b2=$(mg_bytes a)
	n2=$(mg_last_line a looper:)
	[ "$b2" = "$b1" ] || fail "paused VM wrote to its console: console_bytes $b1, then $b2"
	[ "$n2" = "$n1" ] || fail "paused VM's console went on: looper: $n1, then looper: $n2"
	mg_expect_state a paused

	mg_ok "resume" resume a
	mg_expect_state a running
	mg_grows a "$b2"
	say "resumed: console_bytes $b2 -> $mg_b"

	mg_ok "stop" stop a
	mg_expect_state a stopped
	reason=$(mg_field a stop_reason)
	[ "$reason" = stopped ] || fail "after hvctl stop, stop_reason is '$reason', expected 'stopped'"
	b4=$(mg_bytes a)
	b5=$(mg_bytes a)
	[ "$b4" = "$b5" ] || fail "stopped VM still writes: console_bytes $b4, then $b5"

	mg_ok "destroy" destroy a
	mg_names | grep -qx a && fail "a is still listed after hvctl destroy"
	mg_none_left

	# The listener leaves by itself after its 6 events.
	i=0
	while kill -0 $evpid 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || { kill $evpid; cat /tmp/ev; fail "hvctl events --count 6 still running after 6 events"; }
		sleep 0.05
	done
	wait $evpid
	rc=$?
	say "hvctl events:"
	cat /tmp/ev /tmp/ev.err
	[ $rc -eq 0 ] || fail "hvctl events --count 6: exit status $rc: $(head -n 1 /tmp/ev.err)"
	[ "$(wc -l </tmp/ev)" -eq 6 ] || fail "hvctl events --count 6 printed $(wc -l </tmp/ev) lines"
	got=$(awk '{ printf "%s%s %s", sep, $2, $3; sep = ", " }' /tmp/ev)
	want="a created, a started, a paused, a resumed, a stopped, a destroyed"
	[ "$got" = "$want" ] || fail "events: got '$got', expected '$want'"
	grep -q ' a stopped reason=stopped$' /tmp/ev || fail "events: the stopped event lacks reason=stopped: $(grep stopped /tmp/ev)"
	awk 'NR > 1 && $1 <= prev { exit 1 } { prev = $1 }' /tmp/ev ||
		fail "events: sequence numbers do not increase: $(cut -d' ' -f1 /tmp/ev | tr '\n' ' ')"
	no_splat
}

# ---------------------------------------------------------- mg-multiboot

# mg_expect_line FILE LINE: FILE has LINE, whole.
mg_expect_line() {
	grep -qxF "$2" "$1" || fail "output lacks the line '$2'"
}

# mg_mem_sane FILE MEM_KIB: mem_lower=N mem_upper=M are those of MEM_KIB
# of RAM from address 0 (the loader may keep some of the top back).
mg_mem_sane() {
	l=$(sed -n 's/^mem_lower=\([0-9]*\) mem_upper=\([0-9]*\)$/\1/p' "$1")
	u=$(sed -n 's/^mem_lower=\([0-9]*\) mem_upper=\([0-9]*\)$/\2/p' "$1")
	[ -n "$l" ] && [ -n "$u" ] || fail "no 'mem_lower=N mem_upper=N' line"
	max=$(($2 - 1024))
	[ "$l" -ge 600 ] && [ "$l" -le 640 ] || fail "mem_lower=$l, expected 600 to 640 (KiB below 640K)"
	[ "$u" -ge $((max - 1024)) ] && [ "$u" -le $max ] || fail "mem_upper=$u, expected about $max (KiB from 1M to the end of $2K of RAM)"
}

# mg_run_expect STATUS ARGS...: hvctl ARGS must exit with STATUS.
mg_run_expect() {
	want=$1
	shift
	hvc "$@"
	[ $hvc_rc -eq "$want" ] || fail "hvctl $*: exit status $hvc_rc, expected $want ($(head -n 1 /tmp/hvc.err))"
	cp /tmp/hvc.out /tmp/mg-run.out
}

case_mg_multiboot() {
	mg_setup
	printf 'first line of module\nsecond line\n' >/tmp/mod.txt
	printf 'module two\n' >/tmp/mod2.txt

	# ELF, two modules, exit=42: status (42 << 1) | 1.
	mg_run_expect 85 run --mem 16M --multiboot "$MBKERNEL" \
		--module /tmp/mod.txt,modname --module /tmp/mod2.txt \
		--cmdline "exit=42 hello" mb1
	o=/tmp/mg-run.out
	mg_expect_line $o "mbkernel: hello"
	mg_expect_line $o "cmdline: exit=42 hello"
	mg_expect_line $o "module: first line of module"
	mg_expect_line $o "modstring: modname"
	mg_expect_line $o "mods_count=2"
	mg_expect_line $o "mbkernel: exit 42"
	mg_mem_sane $o 16384
	grep -q 'mbkernel: bss not zeroed' $o && fail "the loader did not zero the kernel's bss"
	mg_none_left "after run"

	# The a.out kludge: a raw image, placed by its header alone.
	mg_run_expect 15 run --mem 16M --multiboot "$MBKERNEL_AOUT" \
		--module /tmp/mod.txt --cmdline "exit=7" mb2
	o=/tmp/mg-run.out
	mg_expect_line $o "mbkernel: hello"
	mg_expect_line $o "cmdline: exit=7"
	mg_expect_line $o "module: first line of module"
	mg_expect_line $o "modstring: /tmp/mod.txt"
	mg_expect_line $o "mods_count=1"
	mg_expect_line $o "mbkernel: exit 7"
	mg_mem_sane $o 16384
	mg_none_left "after the a.out run"

	# No command line, no module: exit 0 is status 1.
	mg_run_expect 1 run --mem 2M --multiboot "$MBKERNEL" mb3
	o=/tmp/mg-run.out
	mg_expect_line $o "cmdline: "
	mg_expect_line $o "module: (none)"
	mg_expect_line $o "mods_count=0"
	mg_expect_line $o "mbkernel: exit 0"
	mg_mem_sane $o 2048

	# The same ELF as a plain --image: 32-bit entry without the
	# Multiboot handshake, which the kernel notices (exit 100 -> 201).
	mg_run_expect 201 run --mem 2M --image "$MBKERNEL" mb4
	grep -q '^mbkernel: bad boot magic in EAX: 0x00000000$' /tmp/mg-run.out ||
		fail "--image of an ELF32: no 'bad boot magic ... 0x00000000' line"

	# create + start --wait: the same result, the output kept.
	mg_ok "create" create mb5 --mem 16M --multiboot "$MBKERNEL" \
		--module /tmp/mod.txt,modname --cmdline "exit=42 hello"
	mg_run_expect 85 start mb5 --wait
	mg_expect_state mb5 stopped
	[ "$(mg_field mb5 stop_reason)" = debug-exit ] || fail "mb5: stop_reason '$(mg_field mb5 stop_reason)', expected debug-exit"
	[ "$(mg_field mb5 exit_status)" = 85 ] || fail "mb5: exit_status '$(mg_field mb5 exit_status)', expected 85"
	mg_ok "console" console mb5 --no-follow
	mg_expect_line /tmp/hvc.out "mbkernel: hello"
	mg_expect_line /tmp/hvc.out "cmdline: exit=42 hello"
	mg_expect_line /tmp/hvc.out "mbkernel: exit 42"
	mg_ok "destroy" destroy mb5
	mg_none_left
	no_splat
}

# --------------------------------------------------------- mg-badimages

# mg_bad PATTERN ARGS...: hvctl ARGS is refused as mg_refused says, and
# leaves no VM.
mg_bad() {
	mg_refused "$@"
	shift
	mg_none_left "after hvctl $*"
}

# The file offset of the Multiboot magic in FILE (od: 4-byte words).
mg_magic_offset() {
	od -A d -t x4 -v "$1" | awk '{ for (i = 2; i <= NF; i++)
		if ($i == "1badb002") { print $1 + (i - 2) * 4; exit } }'
}

case_mg_badimages() {
	mg_setup
	# Truncated ELF: the header, the program headers and the Multiboot
	# header are there, the segment's bytes are not.
	off=$(mg_magic_offset "$MBKERNEL")
	[ -n "$off" ] || fail "no Multiboot magic in $MBKERNEL"
	head -c $((off + 64)) "$MBKERNEL" >/tmp/trunc.elf
	mg_bad 'beyond|past|end of (the )?file|truncat|short' \
		create t1 --mem 2M --multiboot /tmp/trunc.elf
	mg_bad 'beyond|past|end of (the )?file|truncat|short' \
		create t1 --mem 2M --image /tmp/trunc.elf
	# Bad checksum: one bit of it flipped.
	cp "$MBKERNEL" /tmp/badsum.elf
	printf '\001' | dd of=/tmp/badsum.elf bs=1 seek=$((off + 8)) conv=notrunc 2>/dev/null
	mg_bad 'checksum' create t2 --mem 2M --multiboot /tmp/badsum.elf
	# Random bytes, and an ELF that is no Multiboot kernel.
	head -c 8192 /dev/urandom >/tmp/random.bin
	mg_bad 'multiboot' create t3 --mem 2M --multiboot /tmp/random.bin
	mg_bad 'multiboot' create t3 --mem 2M --multiboot /hvtest/bin/hv-insmod
	# Empty file.
	: >/tmp/empty.bin
	mg_bad 'empty|multiboot|0 bytes|too (short|small)' create t4 --mem 2M --multiboot /tmp/empty.bin
	mg_bad 'empty|0 bytes|too (short|small)' create t4 --mem 2M --image /tmp/empty.bin
	# Missing files: the kernel, a module.
	mg_bad 'no such file' create t5 --mem 2M --multiboot /tmp/nonexistent.elf
	mg_bad 'no such file' create t5 --mem 2M --image /tmp/nonexistent.bin
	mg_bad 'no such file' create t5 --mem 2M --multiboot "$MBKERNEL" --module /tmp/nonexistent.mod
	# Larger than RAM: a flat image, a kernel that cannot reach 1 MiB,
	# a module.  (Small VMs: under Bochs each MiB of guest RAM costs.)
	dd if=/dev/zero of=/tmp/big.bin bs=1M count=3 2>/dev/null
	mg_bad 'fit|RAM|range|outside|large|big' create t6 --mem 2M --image /tmp/big.bin
	mg_bad 'fit|RAM|range|outside|large|big' create t6 --mem 1M --multiboot "$MBKERNEL"
	mg_bad 'fit|RAM|range|outside|large|big' create t6 --mem 2M --multiboot "$MBKERNEL" --module /tmp/big.bin
	# And through run (its VM is destroy-on-close).
	mg_bad 'checksum' run --mem 2M --multiboot /tmp/badsum.elf t7
	no_splat
}

# ------------------------------------------------------------- mg-names

case_mg_names() {
	mg_setup
	for cmd in start stop pause resume destroy info; do
		mg_refused 'no such VM' $cmd nosuch
	done
	mg_refused 'no such VM' console nosuch --no-follow
	mg_refused 'no such VM' destroy --force nosuch

	mg_ok "create" create d --mem 4M
	mg_refused 'in use|exists' create d --mem 8M
	mg_refused 'in use|exists' create d --mem 8M --image "$LOOPER"
	mg_expect_state d created
	[ "$(mg_field d mem_bytes)" = 4194304 ] || fail "the second create changed d: mem_bytes $(mg_field d mem_bytes)"
	[ "$(mg_names | tr '\n' ' ')" = "d " ] || fail "VMs after the refused creates: $(mg_names | tr '\n' ' ')"

	mg_refused 'mem' create x --mem 0
	mg_refused 'mem' create x --mem 99999G
	mg_refused 'mem' create x --mem abc
	mg_refused 'mem' create x --mem 5000
	mg_refused 'mem' create x --mem -4M
	mg_refused 'vcpus' create x --mem 4M --vcpus 0
	mg_refused 'vcpus' create x --mem 4M --vcpus 100
	mg_refused 'vcpus' create x --mem 4M --vcpus two
	mg_refused 'name' create 'a/b' --mem 4M
	mg_refused 'name' create 'this-name-is-much-too-long-for-hv-0123' --mem 4M
	mg_refused 'name' create '' --mem 4M
	mg_refused 'mem' create x
	[ "$(mg_names | tr '\n' ' ')" = "d " ] || fail "VMs after the refused creates: $(mg_names | tr '\n' ' ')"

	mg_ok "destroy" destroy d
	mg_refused 'no such VM' destroy d
	mg_none_left
	no_splat
}

# --------------------------------------------------------- mg-otheruser

MG_UID=1000

case_mg_otheruser() {
	mg_setup
	# No udev, no group hv: open the device to all.  mkinitramfs packs
	# the root directory as its 0700 staging directory: let uid 1000
	# reach /hvtest/bin.
	mode=$(stat -c %a /dev/hv)
	rootmode=$(stat -c %a /)
	run chmod 0666 /dev/hv
	run chmod 0755 /
	say "(as uid $MG_UID) hvctl list"
	as-user $MG_UID hvctl list </dev/null || fail "uid $MG_UID: hvctl list failed"
	mg_ok "create" create r --mem 1M --image "$LOOPER"
	mg_ok "start" start r
	mg_expect_state r running

	# Another user's VM does not exist for this user (names are per
	# owner, docs/security.md): "no such VM", never "permission denied",
	# which would tell that root has a VM "r".
	for args in "start r" "stop r" "pause r" "resume r" "destroy r" \
		    "destroy --force r" "console r --no-follow" "info r"; do
		say "(as uid $MG_UID) hvctl $args"
		# shellcheck disable=SC2086
		as-user $MG_UID hvctl $args </dev/null >/tmp/u.out 2>/tmp/u.err
		rc=$?
		head -n 5 /tmp/u.out
		cat /tmp/u.err
		[ $rc -ne 0 ] || fail "uid $MG_UID: hvctl $args succeeded on root's VM"
		grep -qiE '^hvctl: .*no such VM' /tmp/u.err ||
			fail "uid $MG_UID: hvctl $args: not hvctl's 'no such VM': $(head -n 1 /tmp/u.err)"
		grep -q '^looper:' /tmp/u.out && fail "uid $MG_UID read root's console"
		mg_expect_state r running
	done
	# Naming root's VM outright (UID:NAME) is for root only.
	say "(as uid $MG_UID) hvctl stop 0:r"
	as-user $MG_UID hvctl stop 0:r </dev/null >/tmp/u.out 2>/tmp/u.err
	rc=$?
	cat /tmp/u.err
	[ $rc -ne 0 ] || fail "uid $MG_UID: hvctl stop 0:r succeeded"
	grep -qiE '^hvctl: .*permission denied' /tmp/u.err ||
		fail "uid $MG_UID: hvctl stop 0:r: not a permission error: $(head -n 1 /tmp/u.err)"
	say "(as uid $MG_UID) hvctl list --json"
	as-user $MG_UID hvctl list --json </dev/null >/tmp/u.out 2>&1 || fail "uid $MG_UID: hvctl list failed"
	cat /tmp/u.out
	grep -q '"name"' /tmp/u.out && fail "uid $MG_UID's list shows root's VM: $(cat /tmp/u.out)"
	mg_expect_state r running

	# Its own VMs it may do everything with.
	say "(as uid $MG_UID) hvctl create u --mem 1M --image $LOOPER"
	as-user $MG_UID hvctl create u --mem 1M --image "$LOOPER" </dev/null ||
		fail "uid $MG_UID: hvctl create u failed"
	[ "$(mg_field u owner_uid)" = $MG_UID ] || fail "u: owner_uid '$(mg_field u owner_uid)', expected $MG_UID"
	say "(as uid $MG_UID) hvctl info u"
	as-user $MG_UID hvctl info u </dev/null || fail "uid $MG_UID: hvctl info u failed"
	say "(as uid $MG_UID) hvctl run --mem 2M --multiboot $MBKERNEL --cmdline exit=5 u2"
	as-user $MG_UID hvctl run --mem 2M --multiboot "$MBKERNEL" --cmdline exit=5 u2 </dev/null >/tmp/u.out 2>&1
	rc=$?
	cat /tmp/u.out
	[ $rc -eq 11 ] || fail "uid $MG_UID: hvctl run: exit status $rc, expected 11"
	say "(as uid $MG_UID) hvctl destroy u"
	as-user $MG_UID hvctl destroy u </dev/null || fail "uid $MG_UID: hvctl destroy u failed"
	mg_names | grep -qx u && fail "u still listed after its owner destroyed it"

	# root may destroy anyone's VM.
	say "(as uid $MG_UID) hvctl create u3 --mem 1M"
	as-user $MG_UID hvctl create u3 --mem 1M </dev/null || fail "uid $MG_UID: hvctl create u3 failed"
	mg_ok "root destroys uid $MG_UID's VM" destroy u3
	as-user $MG_UID hvctl create u4 --mem 1M </dev/null || fail "uid $MG_UID: hvctl create u4 failed"
	mg_ok "root destroys uid $MG_UID's VM by UID:NAME" destroy $MG_UID:u4

	mg_expect_state r running
	mg_ok "destroy" destroy --force r
	run chmod "$mode" /dev/hv
	run chmod "$rootmode" /
	mg_none_left
	no_splat
}

# -------------------------------------------------------------- mg-kill

# mg_kill_run NAME WHEN: start `hvctl run` of the looper as NAME, kill it
# with SIGKILL at WHEN (now, running, printing, paused), and check that
# its VM goes.
mg_kill_run() {
	say "\$ hvctl run --mem 1M --image $LOOPER $1 >/tmp/$1.out &  (SIGKILL: $2)"
	hvctl run --mem 1M --image "$LOOPER" "$1" </dev/null >/tmp/$1.out 2>&1 &
	pid=$!
	i=0
	case $2 in
	now)	;;
	running)
		until [ "$(mg_state "$1")" = running ]; do
			i=$((i + 1))
			[ $i -lt $MG_POLLS ] || fail "$1 never listed as running"
		done ;;
	printing)
		until [ "$(grep -c '^looper: ' /tmp/$1.out)" -ge 3 ]; do
			i=$((i + 1))
			[ $i -lt $MG_POLLS ] || fail "hvctl run $1 printed no 3 lines: $(head -c 200 /tmp/$1.out)"
			kill -0 $pid 2>/dev/null || fail "hvctl run $1 ended by itself: $(tail -n 2 /tmp/$1.out)"
			sleep 0.01
		done ;;
	paused)
		until [ "$(mg_state "$1")" = running ]; do
			i=$((i + 1))
			[ $i -lt $MG_POLLS ] || fail "$1 never listed as running"
		done
		mg_ok "pause" pause "$1"
		mg_expect_state "$1" paused ;;
	esac
	kill -9 $pid
	wait $pid
	say "hvctl run $1 killed ($2); its output: $(grep -c '^looper: ' /tmp/$1.out 2>/dev/null) looper lines"
	mg_gone "$1"
	mg_none_left "after killing hvctl run $1"
}

case_mg_kill() {
	mg_setup
	mg_kill_run k1 now
	mg_kill_run k2 running
	mg_kill_run k3 printing
	mg_kill_run k4 paused
	no_splat

	# A VM made by create + start lives on after those hvctl are gone,
	# and after a console follower is killed.
	mg_ok "create" create p --mem 1M --image "$LOOPER"
	mg_ok "start" start p
	mg_expect_state p running
	mg_grows p 0
	mg_grows p "$mg_b"
	b=$mg_b
	say "\$ hvctl console p >/tmp/p.out &  (then SIGKILL)"
	hvctl console p </dev/null >/tmp/p.out 2>&1 &
	pid=$!
	i=0
	until grep -q '^looper: ' /tmp/p.out; do
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "hvctl console p shows nothing"
		sleep 0.01
	done
	kill -9 $pid
	wait $pid
	mg_expect_state p running
	mg_grows p "$b"
	say "p: still running, console_bytes $mg_b"

	# A VM that was never started holds the module too.
	mg_ok "create" create q --mem 1M

	say "\$ rmmod hv  (must be refused: VMs exist)"
	rmmod hv && fail "rmmod hv succeeded while VMs p and q existed"
	hv_loaded || fail "hv is gone after the refused rmmod"
	mg_expect_state p running
	mg_refused 'running|busy|force' destroy p
	mg_expect_state p running
	mg_ok "destroy --force" destroy --force p
	mg_names | grep -qx p && fail "p still listed after destroy --force"
	say "\$ rmmod hv  (must be refused: q exists)"
	rmmod hv && fail "rmmod hv succeeded while VM q existed"
	mg_ok "destroy" destroy q
	mg_none_left
	run rmmod hv || fail "rmmod hv failed after every VM was destroyed"
	hv_loaded && fail "hv still loaded after rmmod"
	no_splat
	hv_load
}

# ----------------------------------------------------------- mg-hugemem

# mg-hugemem: a VM with more RAM than the machine has (--mem is within
# HV_MAX_RAM, so only the kernel can refuse): create must fail cleanly,
# leaving nothing, and the machine must live on (no OOM kill).
case_mg_hugemem() {
	mg_setup
	total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	want=$(( (total / 1024 + 2) ))G
	say "machine has ${total}M; asking for $want"
	mg_refused 'memory|ENOMEM|RAM' create huge --mem "$want"
	mg_none_left "after the refused create"
	dmesg_case | grep -q 'Out of memory' && fail "the create invoked the OOM killer: $(dmesg_case | grep 'Out of memory' | head -n 1)"
	mg_ok "create after" create small --mem 4M
	mg_ok "destroy" destroy small
	no_splat
}
