# SPDX-License-Identifier: GPL-2.0
#
# cases-snapshot.sh: snapshots, restore and clone through hvctl (sn-*,
# xv-*), sourced by cases.sh after cases-managed.sh (whose mg_* helpers
# these use).  The guest is looper.bin: it counts in EBX and prints
# "looper: N" lines on the UART, so a copy that continues exactly where
# its original stopped prints N+1 next, and the two consoles joined read
# as one unbroken count.
#
#   sn-restore   snapshot mid-run (--stop and not), destroy, restore twice
#                from one file: state and RAM equal to the original's,
#                both copies continue the count
#   sn-incr      an incremental snapshot on top of a full one restores to
#                the same state; a base that is not the latest is refused
#   sn-clone     hvctl clone: the clone continues the parent's count, the
#                parent goes on too, RAM shared until written
#   sn-corrupt   damaged files are refused with one line, nothing created
#   sn-live      hvctl snapshot --live of laps.bin, a guest lapping all its
#                RAM: the file holds exactly one cut, the instant of its
#                registers (hv-dump --laps); the VM ran on while the file
#                was written; a second live snapshot taken meanwhile (the
#                pages still shared with the first's clone) is its own
#                later cut; the restored copy laps on from the cut; a VM
#                destroyed mid-write leaves no partial file
#   sn-lazy      hvctl restore --lazy --start: the copy runs before its
#                memory is read and continues the count; a chunk whose data
#                is damaged stops the copy when it is loaded (lazy-failed),
#                with one line naming the checksum
#   xv-take      (amd and intel) snapshot a looper and hand the file to the
#                rig (HVTEST-CARRY lines), for the other vendor
#   xv-restore   restore the other vendor's snapshot: the count continues
#
# A carried file reaches the next machine as /hvtest/carry/NAME (see
# tests/rig/carry).

SN_DIR=/tmp/sn
CARRY_IN=/hvtest/carry

sn_setup() {
	mg_setup
	rm -rf "$SN_DIR"
	mkdir -p "$SN_DIR"
}

# sn_console NAME FILE: all NAME's UART output so far into FILE.
sn_console() {
	hvctl console "$1" --no-follow </dev/null >"$2" 2>/dev/null ||
		fail "hvctl console $1 --no-follow failed"
}

# sn_last FILE: the N of the last complete "looper: N" line of FILE.
sn_last() {
	grep -E '^looper: [0-9]+$' "$1" | tail -n 1 | sed 's/.* //'
}

# sn_continues BEFORE AFTER WHAT: BEFORE's bytes followed by AFTER's read
# as one count (the first line may be cut by the console ring, the last
# may be unfinished), and AFTER adds at least two lines past BEFORE's last.
sn_continues() {
	k=$(sn_last "$1")
	[ -n "$k" ] || fail "$3: no complete 'looper: N' line before the snapshot"
	cat "$1" "$2" >"$SN_DIR/joined"
	bad=$(awk 'NR == 1 { next }
		{ line[NR] = $0 }
		END {
			for (i = 2; i < NR; i++) {
				if (line[i] !~ /^looper: [0-9]+$/) { print "line " i ": \"" line[i] "\""; exit }
				split(line[i], f, " ")
				if (i > 2 && f[2] != prev + 1) { print "line " i ": " f[2] " after " prev; exit }
				prev = f[2]
			}
		}' "$SN_DIR/joined")
	[ -z "$bad" ] || fail "$3: the count breaks where the copy took over: $bad"
	grep -qx "looper: $((k + 2))" "$SN_DIR/joined" ||
		fail "$3: the copy did not go on past looper: $k (shows $(sn_last "$2"))"
	say "$3: count goes on from $k to $(sn_last "$SN_DIR/joined") unbroken"
}

# sn_wait_lines NAME N: wait until NAME has printed N more complete lines
# than it had (polling, no sleep: the guest runs while hvctl does).
sn_wait_lines() {
	sn_console "$1" "$SN_DIR/w0"
	w0=$(sn_last "$SN_DIR/w0")
	i=0
	while :; do
		sn_console "$1" "$SN_DIR/w1"
		w1=$(sn_last "$SN_DIR/w1")
		[ -n "$w1" ] && [ "$w1" -ge "$(( ${w0:--1} + $2 ))" ] && break
		i=$((i + 1))
		[ $i -lt $MG_POLLS ] || fail "$1: no progress (last line ${w1:-none}, state $(mg_state "$1"))"
	done
}

# sn_dump NAME FILE [--mem]: hv-dump's text of NAME into FILE.
sn_dump() {
	hv-dump "$1" ${3:-} >"$2" 2>"$SN_DIR/dump.err" ||
		fail "hv-dump $1: $(head -n 1 "$SN_DIR/dump.err")"
}

# sn_same A B WHAT: two dumps are equal.
sn_same() {
	if ! cmp -s "$1" "$2"; then
		diff "$1" "$2" | head -n 10
		fail "$3: state differs (see the diff above)"
	fi
}

# sn_in_looper DUMP WHAT: the vCPU in hv-dump's DUMP is inside looper.bin
# (0x1000 up to its message at 0x106c), its stack inside the page below:
# a guest that went astray before its snapshot fails here, by name.
sn_in_looper() {
	rip=$(sed -n 's/^rip=//p' "$1")
	rsp=$(sed -n 's/^rsp=//p' "$1")
	if [ $((rip)) -lt $((0x1000)) ] || [ $((rip)) -ge $((0x106c)) ] ||
	   [ $((rsp)) -lt $((0xf00)) ] || [ $((rsp)) -gt $((0x1000)) ]; then
		grep -E '^(r[a-z0-9]+|cs|ss)[ =]' "$1"
		fail "$2: the looper was at rip $rip, rsp $rsp when its snapshot was taken: it went astray"
	fi
}

# sn_running_looper NAME: create and start a looper and wait for lines.
sn_running_looper() {
	mg_ok "create $1" create "$1" --mem 8M --image "$LOOPER"
	mg_ok "start $1" start "$1"
	sn_wait_lines "$1" 3
}

# ----------------------------------------------------------- sn-restore

case_sn_restore() {
	sn_setup
	sn_running_looper a

	# Mid-run, the VM goes on afterwards.
	mg_ok "snapshot" snapshot a "$SN_DIR/live.hv"
	mg_expect_state a running
	sn_wait_lines a 2
	[ -f "$SN_DIR/live.hv" ] || fail "no snapshot file"
	ls "$SN_DIR" | grep -q tmp && fail "temporary file left: $(ls "$SN_DIR")"

	# With --stop: the state the copies must start from.
	mg_ok "snapshot --stop" snapshot a "$SN_DIR/a.hv" --stop
	mg_expect_state a stopped
	sn_console a "$SN_DIR/a.console"
	sn_dump a "$SN_DIR/a.dump"
	sn_in_looper "$SN_DIR/a.dump" a
	say "a: stopped at looper: $(sn_last "$SN_DIR/a.console"), file $(wc -c <"$SN_DIR/a.hv") bytes"
	mg_ok "destroy" destroy a

	for copy in r1 r2; do
		mg_ok "restore $copy" restore "$SN_DIR/a.hv" --name "$copy"
		mg_expect_state "$copy" created
		sn_dump "$copy" "$SN_DIR/$copy.dump"
		sn_same "$SN_DIR/a.dump" "$SN_DIR/$copy.dump" "$copy against a"
	done
	mg_refused "exist|in use|taken" restore "$SN_DIR/a.hv" --name r1
	for copy in r1 r2; do
		mg_ok "start $copy" start "$copy"
	done
	for copy in r1 r2; do
		sn_wait_lines "$copy" 2
		sn_console "$copy" "$SN_DIR/$copy.console"
		sn_continues "$SN_DIR/a.console" "$SN_DIR/$copy.console" "$copy"
	done

	# restore --start, under the file's own name
	mg_ok "restore --start" restore "$SN_DIR/a.hv" --start
	mg_expect_state a running
	sn_wait_lines a 2
	mg_clean
	no_splat
}

# -------------------------------------------------------------- sn-incr

case_sn_incr() {
	sn_setup
	sn_running_looper a
	mg_ok "full snapshot" snapshot a "$SN_DIR/full.hv"
	sn_wait_lines a 2
	mg_ok "incremental" snapshot a "$SN_DIR/inc1.hv" --incremental "$SN_DIR/full.hv"
	sn_wait_lines a 2
	# inc1 is now the latest: the full one is no longer a base for a.
	mg_refused "latest|base|full" snapshot a "$SN_DIR/bad.hv" --incremental "$SN_DIR/full.hv"
	[ -e "$SN_DIR/bad.hv" ] && fail "a refused snapshot left $SN_DIR/bad.hv"
	mg_ok "incremental on incremental" snapshot a "$SN_DIR/inc2.hv" --stop --incremental "$SN_DIR/inc1.hv"
	sn_console a "$SN_DIR/a.console"
	sn_dump a "$SN_DIR/a.dump"
	say "sizes: full $(wc -c <"$SN_DIR/full.hv"), inc1 $(wc -c <"$SN_DIR/inc1.hv"), inc2 $(wc -c <"$SN_DIR/inc2.hv")"
	mg_ok "destroy" destroy a

	mg_ok "restore the chain" restore "$SN_DIR/inc2.hv" --name r
	sn_dump r "$SN_DIR/r.dump"
	sn_same "$SN_DIR/a.dump" "$SN_DIR/r.dump" "r (full + inc1 + inc2) against a"
	mg_ok "start" start r
	sn_wait_lines r 2
	sn_console r "$SN_DIR/r.console"
	sn_continues "$SN_DIR/a.console" "$SN_DIR/r.console" "r"
	mg_clean

	# Without its base the increment cannot be restored.
	mv "$SN_DIR/inc1.hv" "$SN_DIR/moved.hv"
	mg_refused "base|inc1" restore "$SN_DIR/inc2.hv" --name r
	[ -z "$(mg_names)" ] || fail "a refused restore left a VM: $(mg_names)"
	no_splat
}

# ------------------------------------------------------------- sn-clone

case_sn_clone() {
	sn_setup
	sn_running_looper a
	mg_ok "pause" pause a
	sn_console a "$SN_DIR/a.console"
	sn_dump a "$SN_DIR/a.mem" --mem
	mg_ok "clone" clone a b
	mg_expect_state a paused
	mg_expect_state b created
	sn_dump b "$SN_DIR/b.mem" --mem
	sn_same "$SN_DIR/a.mem" "$SN_DIR/b.mem" "b's RAM against a's"
	# 8 MiB: every one of its 2048 pages shared by both, none copied.
	for vm in a b; do
		[ "$(mg_field $vm shared_pages)" = 2048 ] ||
			fail "$vm: shared_pages $(mg_field $vm shared_pages) after the clone, expected 2048"
		[ "$(mg_field $vm cow_copies)" = 0 ] ||
			fail "$vm: cow_copies $(mg_field $vm cow_copies) before anything ran"
	done
	mg_refused "exist|in use|taken" clone a b
	mg_ok "start b" start b
	mg_ok "resume a" resume a
	sn_wait_lines b 2
	sn_wait_lines a 2
	sn_console b "$SN_DIR/b.console"
	sn_continues "$SN_DIR/a.console" "$SN_DIR/b.console" "b"
	# The looper writes only its stack: each makes a page or two its
	# own, and the rest stays shared.  The first to write a page copies
	# it; the other then holds the original alone and reuses it in
	# place (mem.cow_reused).
	for vm in a b; do
		c=$(mg_field $vm cow_copies)
		sh=$(mg_field $vm shared_pages)
		mg_ok "stat $vm" stat $vm --json
		ru=$(grep -o '"mem.cow_reused":[0-9]*' /tmp/hvc.out | cut -d: -f2)
		say "$vm: cow_copies $c, reused ${ru:-missing}, shared_pages $sh"
		[ -n "$ru" ] || fail "$vm: no mem.cow_reused in hvctl stat --json"
		[ $((c + ru)) -ge 1 ] && [ $((c + ru)) -le 8 ] ||
			fail "$vm: cow_copies $c + reused $ru after running the looper, expected 1 to 8"
		[ $((c + ru + sh)) -eq 2048 ] ||
			fail "$vm: cow_copies $c + reused $ru + shared_pages $sh is not 2048"
	done
	# The parent first, then the clone: each frees what it owns.
	mg_ok "destroy a" destroy --force a
	sn_wait_lines b 1
	mg_ok "destroy b" destroy --force b
	mg_none_left
	no_splat
}

# ----------------------------------------------------------- sn-corrupt

# sn_refused FILE WHAT: hvctl restore FILE fails with one line and leaves
# no VM behind.
sn_refused() {
	mg_refused "$2" restore "$1" --name bad
	[ -z "$(mg_names)" ] || fail "restore of a damaged file left a VM: $(mg_names)"
}

case_sn_corrupt() {
	sn_setup
	sn_running_looper a
	mg_ok "snapshot" snapshot a "$SN_DIR/a.hv" --stop
	mg_ok "destroy" destroy a
	f=$SN_DIR/a.hv
	size=$(wc -c <"$f")
	say "a.hv: $size bytes"

	: >"$SN_DIR/empty.hv"
	sn_refused "$SN_DIR/empty.hv" "empty|truncated|short|magic"
	sn_refused "$SN_DIR/none.hv" "no such file|not found"
	printf 'not a snapshot at all, just text\n' >"$SN_DIR/text.hv"
	sn_refused "$SN_DIR/text.hv" "magic|not an hv snapshot|truncated"
	for cut in 1 8 64 $((size / 3)) $((size / 2)) $((size - 1)); do
		head -c "$cut" "$f" >"$SN_DIR/cut.hv"
		sn_refused "$SN_DIR/cut.hv" "truncated|short|end|size|length"
	done
	# One flipped byte anywhere: the header's or a section's checksum.
	for at in 0 9 $((size / 5)) $((size / 3)) $((size / 2)) $((size * 4 / 5)) $((size - 2)); do
		cp "$f" "$SN_DIR/flip.hv"
		byte=$(dd if="$f" bs=1 skip="$at" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
		printf "\\$(printf %o $(( (${byte:-0} ^ 0x5a) & 255 )))" |
			dd of="$SN_DIR/flip.hv" bs=1 seek="$at" conv=notrunc 2>/dev/null
		cmp -s "$f" "$SN_DIR/flip.hv" && fail "could not flip byte $at"
		sn_refused "$SN_DIR/flip.hv" "checksum|crc|magic|version|invalid|bad|truncated"
	done
	# The undamaged file still restores.
	mg_ok "restore the good file" restore "$f" --name good
	mg_clean
	no_splat
}

# -------------------------------------------------------------- sn-lazy

case_sn_lazy() {
	sn_setup
	sn_running_looper a
	mg_ok "snapshot --stop" snapshot a "$SN_DIR/a.hv" --stop
	sn_console a "$SN_DIR/a.console"
	mg_ok "destroy" destroy a

	# Started before its memory is read; hvctl gives it until whole
	mg_ok "restore --lazy --start" restore "$SN_DIR/a.hv" --lazy --start
	grep -qE '^a: ready [0-9.]+ ms after the call; memory whole after' \
		/tmp/hvc.out || fail "restore --lazy said: $(head -n 1 /tmp/hvc.out)"
	mg_expect_state a running
	sn_wait_lines a 2
	sn_console a "$SN_DIR/lazy.console"
	sn_continues "$SN_DIR/a.console" "$SN_DIR/lazy.console" "lazy a"
	mg_ok "destroy" destroy a --force

	# One byte of the last chunk's data (100 bytes before the index,
	# whose offset ends the file's END section) flipped: the file's
	# state and index are sound, so the copy starts; the chunk fails its
	# check when it is loaded, and the copy stops, never run on it.
	f=$SN_DIR/a.hv
	size=$(wc -c <"$f")
	index_off=$(od -An -tu8 -j $((size - 12)) -N 8 "$f" | tr -d ' ')
	at=$((index_off - 100))
	cp "$f" "$SN_DIR/bad.hv"
	byte=$(dd if="$f" bs=1 skip="$at" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "\\$(printf %o $(( (${byte:-0} ^ 0x5a) & 255 )))" |
		dd of="$SN_DIR/bad.hv" bs=1 seek="$at" conv=notrunc 2>/dev/null
	cmp -s "$f" "$SN_DIR/bad.hv" && fail "could not flip byte $at"
	say "a.hv: $size bytes, index at $index_off; byte $at flipped"
	mg_refused "checksum mismatch" restore "$SN_DIR/bad.hv" --lazy --start --name bad
	mg_ok "info bad" info bad
	grep -q "lazy-failed" /tmp/hvc.out ||
		fail "hvctl info bad: no lazy-failed: $(grep -i stop /tmp/hvc.out)"
	mg_expect_state bad stopped
	mg_clean
	no_splat
}

# -------------------------------------------------------------- sn-live

LAPS=$MG_GUESTS/laps.bin
LAPS_T=0x8008		# laps.S's T (pages written in all) in its RAM
# 64 MiB: 16,368 pages lapped.  Bochs writes and checksums the file ten
# times slower in guest time, and its guest seconds cost minutes.
if [ "$VENDOR" = intel ]; then
	SN_LIVE_MEM=${SN_LIVE_MEM:-16M}
else
	SN_LIVE_MEM=${SN_LIVE_MEM:-64M}
fi

# sn_laps NAME OUT WHAT: hv-dump --laps of quiet NAME into OUT: its RAM is
# exactly the instant of its registers; T, lap, cut, N into sn_t, sn_lap,
# sn_cut, sn_n.
sn_laps() {
	if ! hv-dump "$1" --laps >"$2" 2>"$SN_DIR/laps.err"; then
		cat "$2" "$SN_DIR/laps.err" | head -n 12
		fail "$3: $(tail -n 1 "$SN_DIR/laps.err")"
	fi
	say "$3: $(cat "$2")"
	sn_t=$(sed -n 's/.* T=\([0-9]*\) .*/\1/p' "$2")
	sn_lap=$(sed -n 's/.* lap=\([0-9]*\) .*/\1/p' "$2")
	sn_cut=$(sed -n 's/.* cut=\([0-9]*\) .*/\1/p' "$2")
	sn_n=$(sed -n 's/.* N=\([0-9]*\) .*/\1/p' "$2")
	[ -n "$sn_t" ] && [ -n "$sn_n" ] || fail "$3: cannot read hv-dump --laps: $(cat "$2")"
}

# sn_peek_t NAME: laps.S's T in NAME's RAM, running or not (its copy of
# EDI, written after each page).
sn_peek_t() {
	v=$(hv-dump "$1" --peek $LAPS_T 2>/dev/null) || v=
	[ -n "$v" ] && echo $((v & 0xffffffff))
}

# sn_laps_past NAME T: wait until NAME's T is past T (polling).
sn_laps_past() {
	i=0
	while :; do
		t=$(sn_peek_t "$1")
		[ -n "$t" ] && [ "$t" -gt "$2" ] && break
		i=$((i + 1))
		[ $i -lt $((2 * MG_POLLS)) ] || fail "$1: T stays ${t:-unreadable} (not past $2; state $(mg_state "$1"))"
		sleep 0.05
	done
}

# sn_live_bg NAME FILE: hvctl snapshot NAME FILE --live in the background
# (pid in $pid), stopped (SIGSTOP) as soon as its temporary FILE.tmp.PID
# exists, that is mid-write; the caller sends SIGCONT.  The wait is a
# loop of shell builtins, quick enough to catch even a short write.
sn_live_bg() {
	say "\$ hvctl snapshot $1 $2 --live &  (stopped mid-write)"
	hvctl snapshot "$1" "$2" --live </dev/null >"$SN_DIR/live.out" 2>"$SN_DIR/live.err" &
	pid=$!
	until [ -e "$2.tmp.$pid" ]; do
		kill -0 $pid 2>/dev/null || break
	done
	kill -STOP $pid
	if [ ! -e "$2.tmp.$pid" ]; then
		kill -CONT $pid
		wait $pid
		fail "hvctl snapshot $1 --live (status $?) ended before its temporary was seen: $(head -n 1 "$SN_DIR/live.err")"
	fi
}

# sn_tmp_left: the temporaries of a snapshot in SN_DIR.
sn_tmp_left() { ls "$SN_DIR" | grep '\.tmp\.' ; }

case_sn_live() {
	sn_setup
	[ -f "$LAPS" ] || fail "$LAPS is not in the initramfs"
	mg_ok "create" create a --mem "$SN_LIVE_MEM" --image "$LAPS"
	mg_ok "start" start a
	# It laps: a clean cut even before the first lap is done.
	sn_laps_past a 0
	mg_ok "pause" pause a
	sn_laps a "$SN_DIR/a0.laps" "a before"
	mg_ok "resume" resume a
	# Two laps more: every page holds a lap and its index.
	sn_laps_past a $((sn_t + 2 * sn_n))

	# The live snapshot in the background, held mid-write: its
	# temporary exists from after the instant (the clone made, the VM
	# resumed) until the file is whole, so the writer stopped while it
	# is there has the VM's instant behind it and its file unfinished.
	sn_live_bg a "$SN_DIR/live.hv"
	mg_names | grep -q '^a\.snap-' || fail "no clone of a listed while its file is written"
	during=$(sn_peek_t a)
	[ -n "$during" ] || fail "cannot read a's T while its file is written"
	sn_laps_past a "$during"
	during2=$t
	# How fast the guest writes while its clone holds the instant (a
	# figure for the log, not a test): each page's first write is a
	# copy, later laps are not (Bochs's guest second is short in real
	# time and holds many laps).
	sleep 1
	t=$(sn_peek_t a)
	say "a wrote $((t - during2)) pages in 1 s of this machine's clock (laps of $sn_n pages), each page's first write a copy"
	# A second one meanwhile: the first's clone still shares a's pages,
	# so a copies some on write while the second clone takes its page
	# references, and the instant takes those again
	# (kmod/state/clone.c, hv_clone_recheck_pages).
	say "\$ hvctl snapshot a live2.hv --live"
	hvctl snapshot a "$SN_DIR/live2.hv" --live >"$SN_DIR/live2.out" 2>&1 ||
		fail "the second hvctl snapshot --live: $(head -n 1 "$SN_DIR/live2.out")"
	cat "$SN_DIR/live2.out"
	kill -CONT $pid
	wait $pid
	rc=$?
	cat "$SN_DIR/live.out" "$SN_DIR/live.err" | head -n 5
	[ $rc -eq 0 ] || fail "hvctl snapshot --live: exit status $rc: $(head -n 1 "$SN_DIR/live.err")"
	mg_expect_state a running
	[ -f "$SN_DIR/live.hv" ] || fail "no snapshot file"
	[ -z "$(sn_tmp_left)" ] || fail "temporary file left: $(sn_tmp_left)"
	mg_names | grep '^a\.snap-' && fail "the clone is still listed"

	# The VM's own RAM is a clean cut too, later than the file's.
	mg_ok "pause a" pause a
	sn_laps a "$SN_DIR/a1.laps" "a after"
	a_t=$sn_t
	mg_ok "destroy a" destroy --force a

	# (1) The file: exactly the instant of its registers.
	mg_ok "restore" restore "$SN_DIR/live.hv" --name r
	mg_expect_state r created
	sn_laps r "$SN_DIR/r0.laps" "the file"
	file_t=$sn_t
	[ "$file_t" -gt $((2 * sn_n)) ] || fail "the file's T=$file_t: not two laps in"
	# (2) The VM ran on during the write and after it.
	[ "$a_t" -gt "$file_t" ] || fail "a's T=$a_t after the snapshot is not past the file's $file_t"
	[ "$during" -ge "$file_t" ] && [ "$during2" -gt "$file_t" ] ||
		fail "a's T=$during then $during2, read while its file was written, not past the file's $file_t"
	say "a ran on during the write: T $file_t at the instant, $during and $during2 while written, $a_t after"

	# The second file: its own clean cut, later than the first's.
	mg_ok "restore live2" restore "$SN_DIR/live2.hv" --name r2
	sn_laps r2 "$SN_DIR/r2.laps" "the second file"
	[ "$sn_t" -gt "$file_t" ] && [ "$sn_t" -le "$a_t" ] ||
		fail "the second file's T=$sn_t is not between the first's $file_t and a's $a_t"
	mg_ok "destroy r2" destroy r2

	# (3) The restored copy laps on from the cut.
	mg_ok "start r" start r
	sn_laps_past r $((file_t + sn_n))
	mg_ok "pause r" pause r
	sn_laps r "$SN_DIR/r1.laps" "r ran on"
	[ "$sn_t" -gt $((file_t + sn_n)) ] || fail "r: T=$sn_t, not a lap past the file's $file_t"

	# (4) The VM destroyed while its file is written: the file is
	# finished all the same (the clone holds the instant; snapshot-
	# format.md, "Failures"), and no temporary is left.
	mg_ok "resume r" resume r
	sn_live_bg r "$SN_DIR/gone.hv"
	hvc destroy --force r
	kill -CONT $pid
	wait $pid
	rc=$?
	say "hvctl snapshot --live with r destroyed mid-write: exit status $rc $(head -n 1 "$SN_DIR/live.err")"
	[ -z "$(sn_tmp_left)" ] || fail "temporary file left: $(sn_tmp_left)"
	[ $rc -eq 0 ] || fail "hvctl snapshot --live of r destroyed mid-write: exit status $rc: $(head -n 1 "$SN_DIR/live.err")"
	[ -f "$SN_DIR/gone.hv" ] || fail "hvctl snapshot said it succeeded, but there is no $SN_DIR/gone.hv"
	mg_ok "restore the file of the destroyed VM" restore "$SN_DIR/gone.hv" --name g
	sn_laps g "$SN_DIR/g.laps" "the destroyed VM's file"
	mg_clean
	no_splat
}

# ------------------------------------------------------------- xv-*

# xv-take: a stopped looper's snapshot and console, carried to the other
# vendor's machine by the rig.
case_xv_take() {
	sn_setup
	sn_running_looper xv
	mg_ok "snapshot" snapshot xv "$SN_DIR/xv-$VENDOR.hv" --stop
	sn_console xv "$SN_DIR/xv-$VENDOR.console"
	sn_dump xv "$SN_DIR/xv-$VENDOR.dump"
	sn_in_looper "$SN_DIR/xv-$VENDOR.dump" xv
	sn_dump xv "$SN_DIR/xv-$VENDOR.mem" --mem
	mg_clean
	for f in "$SN_DIR/xv-$VENDOR.hv" "$SN_DIR/xv-$VENDOR.console" "$SN_DIR/xv-$VENDOR.mem"; do
		carry_out "$f"
	done
	no_splat
}

# carry_out FILE: print FILE base64-encoded between HVTEST-CARRY lines,
# with its SHA-256, for tests/rig/carry to pick up from the console.
# Kernel messages are kept off the console meanwhile (they stay in the
# log, where no_splat looks): one inside a base64 line would spoil it.
carry_out() {
	read -r level _ </proc/sys/kernel/printk
	echo 1 >/proc/sys/kernel/printk
	echo "HVTEST-CARRY-BEGIN $(basename "$1") $(sha256sum "$1" | cut -d' ' -f1)"
	base64 "$1"
	echo "HVTEST-CARRY-END $(basename "$1")"
	echo "$level" >/proc/sys/kernel/printk
}

case_xv_restore() {
	sn_setup
	case $VENDOR in
	amd)	from=intel ;;
	*)	from=amd ;;
	esac
	for ext in hv console mem; do
		[ -f "$CARRY_IN/xv-$from.$ext" ] ||
			fail "no xv-$from.$ext carried from the $from machine (did its xv-take pass?)"
	done
	mg_ok "restore the $from snapshot" restore "$CARRY_IN/xv-$from.hv" --name xr
	sn_dump xr "$SN_DIR/xr.mem" --mem
	sn_same "$CARRY_IN/xv-$from.mem" "$SN_DIR/xr.mem" "RAM restored on $VENDOR against $from's"
	mg_ok "start" start xr
	sn_wait_lines xr 2
	sn_console xr "$SN_DIR/xr.console"
	sn_continues "$CARRY_IN/xv-$from.console" "$SN_DIR/xr.console" "$from snapshot on $VENDOR"
	mg_clean
	no_splat
}
