# SPDX-License-Identifier: GPL-2.0
#
# cases-gdb.sh: guest debugging (issue 15, item 4), sourced by cases.sh.
#
#   gdb-abi     tests/vm/hv-debug-test on tests/guests/gdbguest.elf,
#               attached mode: HV_VCPU_SET_GUEST_DEBUG's refusals, an
#               INT3 breakpoint (exception 3, RIP on it, the guest's
#               counter at each hit), single steps by exact instruction
#               lengths, a step over CPUID that hv completes, DR0
#               execute and DR1 write breakpoints, the guest's own INT3
#               given back with HV_GUESTDBG_INJECT_BP (its #BP handler
#               runs once, return RIP past the INT3; a debugger's INT3
#               after it still stops), and off: the guest runs to its
#               exit port.  No splat.
#   gdb-session a real gdb (Debian's gdb-minimal, batch mode) through
#               `hvctl gdb` against gdbguest.elf in a managed VM created
#               and not started: it connects at _start, breaks at the
#               symbol gdb_bump (the address gdb chose, RIP there, the
#               argument n and the variable gdb_counter at the 4th hit:
#               4 and 1+2+3), steps one instruction (RIP moves by the
#               length of the instruction gdb disassembled there),
#               stops at hbreak gdb_cpuid (DR0: the x87 registers the
#               guest loaded, pi and 1, and their tags), at a hardware watchpoint
#               on gdb_watched (DR1: old 0, new 0x5a5a1234), and
#               stops at break gdb_done after the guest's own INT3
#               in gdb_int3 (the stub gives that #BP back to the guest,
#               no SIGTRAP; gdb_bp_hits 1), and
#               continues to the guest's exit (port 0xf4 with 55: gdb
#               says "exited with code 067", the VM stops debug-exit
#               with status 111).  hvctl gdb ends by itself.  Then a
#               running VM (gdbidle.bin, halted: no CPU spent under
#               Bochs): gdb (no executable) attaches, the VM pauses;
#               continue (the stub says "VM lp runs"), SIGINT to gdb
#               (Ctrl-C to the stub) pauses it again; detach: the VM
#               runs on.  That VM is in real mode: gdb gets the i386
#               register file (eip).
#   gdb-session32 the same gdb against gdbguest32.elf (the same source,
#               ELF32: hvctl create enters it in 32-bit protected mode):
#               the stub says "i386 registers", gdb's registers are
#               i386's (eip, 4 bytes; no rip), it connects at _start,
#               breaks at gdb_bump (n=4, gdb_counter 6, `info registers
#               eip` a 32-bit value at the breakpoint), steps one
#               instruction, watches gdb_watched (DR1) and continues to
#               the guest's exit (067; the VM stops debug-exit, 111).
#
# CASES_GDB in tests/rig/vmtest; gdb-session and gdb-session32 make
# tests/rig/vmtest put gdb in the initramfs (HVTEST_GDB).

GDB_GUEST=/hvtest/guests/gdbguest.elf
GDB_GUEST32=/hvtest/guests/gdbguest32.elf	# ELF32: 32-bit protected mode
GDB_IDLE=/hvtest/guests/gdbidle.bin	# halted, IF=1: running, no CPU

case_gdb_abi() {
	hv_load
	[ -f "$GDB_GUEST" ] || fail "$GDB_GUEST is not in the initramfs"
	check "guest debugging (attached)" hv-debug-test "$GDB_GUEST"
	no_splat
}

GDB_PORT=1234
GDB_POLLS=600	# 0.1 s apart

# gdb_stub_start NAME: hvctl gdb NAME in the background (its output in
# /tmp/gdbstub.out, pid in $gdb_pid), waiting until it listens.
gdb_stub_start() {
	say "\$ hvctl gdb $1 --listen 127.0.0.1:$GDB_PORT &"
	# the last stub's output would say "waiting" before this one listens
	rm -f /tmp/gdbstub.out
	hvctl gdb "$1" --listen 127.0.0.1:$GDB_PORT </dev/null >/tmp/gdbstub.out 2>&1 &
	gdb_pid=$!
	i=0
	until grep -q 'waiting for gdb' /tmp/gdbstub.out 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge $MG_POLLS ] || ! kill -0 $gdb_pid 2>/dev/null; then
			cat /tmp/gdbstub.out
			fail "hvctl gdb $1 does not listen"
		fi
		sleep 0.1
	done
	cat /tmp/gdbstub.out
}

# gdb_stub_end: hvctl gdb must have ended by itself with status 0.
gdb_stub_end() {
	i=0
	while kill -0 $gdb_pid 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge $MG_POLLS ]; then
			kill $gdb_pid
			fail "hvctl gdb did not end after the session"
		fi
		sleep 0.1
	done
	wait $gdb_pid
	rc=$?
	say "hvctl gdb: exit status $rc"
	cat /tmp/gdbstub.out
	[ $rc -eq 0 ] || fail "hvctl gdb: exit status $rc: $(grep hvctl: /tmp/gdbstub.out | tail -n 1)"
}

# gdb_expect PATTERN WHAT: gdb's output (/tmp/gdb.out) has a line
# matching the extended regex PATTERN.
gdb_expect() {
	grep -qE "$1" /tmp/gdb.out || fail "gdb: $2 (no line matching /$1/)"
	say "  ok: $2"
}

# gdb_bp_checks N: a session's common steps, from /tmp/gdb.out: the
# breakpoint at gdb_bump hit on its 4th call, `print n` ($N) and
# `print gdb_counter` ($N+1); sets $bp (where gdb put it) and $next (the
# instruction after it, as x/2i showed it: where stepi must land).
gdb_bp_checks() {
	bp=$(sed -n 's/^Breakpoint 1 at \(0x[0-9a-f]*\): file .*/\1/p' /tmp/gdb.out | head -n 1)
	[ -n "$bp" ] || fail "gdb: no 'Breakpoint 1 at ADDR' line"
	gdb_expect '^Breakpoint 1, gdb_bump \(n=4\)' "breakpoint at gdb_bump hit with n=4"
	gdb_expect "^\\\$$1 = 4\$" "print n: 4"
	gdb_expect "^\\\$$(($1 + 1)) = 6\$" "print gdb_counter: 6 (1+2+3)"
	next=$(grep -E '^   0x[0-9a-f]+ <gdb_bump\+[0-9]+>:' /tmp/gdb.out | head -n 1 | sed 's/^ *\(0x[0-9a-f]*\) .*/\1/')
	[ -n "$next" ] || fail "gdb: x/2i did not show the next instruction"
	[ "$next" != "$bp" ] || fail "x/2i showed no next instruction after $bp"
}

# gdb_session_start IMAGE VM: a managed VM VM of IMAGE, stopped, and
# hvctl gdb serving it
gdb_session_start() {
	mg_setup
	[ -f "$1" ] || fail "$1 is not in the initramfs"
	[ -x /usr/bin/gdb ] || fail "gdb is not in the initramfs (HVTEST_GDB)"
	# TCP on the loopback: the machine's init leaves lo down
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
	mg_ok create create "$2" --mem 4M --image "$1"
	gdb_stub_start "$2"
	say "\$ gdb -batch $1 -ex 'target remote :$GDB_PORT' ..."
}

# gdb_session_end VM: the stub gone, VM stopped by gdbguest's exit
# (status 111: its sum 55, and its own #BP handler ran once), destroyed
gdb_session_end() {
	gdb_stub_end
	st=$(mg_state "$1")
	r=$(mg_field "$1" stop_reason)
	e=$(mg_field "$1" exit_status)
	say "$1: $st, $r, status $e"
	[ "$st" = stopped ] && [ "$r" = debug-exit ] && [ "$e" = 111 ] ||
		fail "$1 after the session: $st, $r, status $e; expected stopped, debug-exit, 111"
	mg_ok destroy destroy "$1"
}

case_gdb_session() {
	[ -f "$GDB_IDLE" ] || fail "$GDB_IDLE is not in the initramfs"
	gdb_session_start "$GDB_GUEST" gd
	timeout 600 gdb -nx -batch "$GDB_GUEST" \
		-ex 'set pagination off' -ex 'set confirm off' \
		-ex "target remote 127.0.0.1:$GDB_PORT" \
		-ex 'print $pc == (long)_start' \
		-ex 'break gdb_bump' \
		-ex 'continue' -ex 'continue' -ex 'continue' -ex 'continue' \
		-ex 'print n' -ex 'print gdb_counter' \
		-ex 'print/x $pc' -ex 'x/2i $pc' -ex 'stepi' -ex 'print/x $pc' \
		-ex 'delete' \
		-ex 'hbreak gdb_cpuid' -ex 'continue' -ex 'print/x $pc' \
		-ex 'print $st0 > 3.14159 && $st0 < 3.1416' -ex 'print $st1 == 1' \
		-ex 'print/x $ftag' \
		-ex 'delete' \
		-ex 'watch gdb_watched' -ex 'continue' \
		-ex 'delete' \
		-ex 'info threads' \
		-ex 'break gdb_done' -ex 'continue' -ex 'print gdb_bp_hits' \
		-ex 'delete' \
		-ex 'continue' \
		</dev/null >/tmp/gdb.out 2>&1
	rc=$?
	cat /tmp/gdb.out
	say "gdb: exit status $rc"
	# connected at _start, stopped (the VM was never started)
	gdb_expect '^\$1 = 1$' "connected at _start (RIP = _start)"
	# the breakpoint: where gdb put it, hit there on the 4th call
	gdb_bp_checks 2
	gdb_expect "^\\\$4 = $bp\$" "RIP at the breakpoint, $bp"
	gdb_expect "^\\\$5 = $next\$" "stepi moved RIP from $bp to $next (one instruction)"
	gdb_expect '^Hardware assisted breakpoint 2 at 0x' "hbreak set"
	gdb_expect '^Breakpoint 2, (0x[0-9a-f]+ in )?gdb_cpuid' "hbreak gdb_cpuid hit (DR0)"
	# the vCPU's x87 registers after fninit; fld1; fldpi (its XSAVE area)
	gdb_expect '^\$7 = 1$' "st0 is pi"
	gdb_expect '^\$8 = 1$' "st1 is 1"
	gdb_expect '^\$9 = 0xfff$' "ftag: physical 6 and 7 valid, the rest empty"
	gdb_expect '^Hardware watchpoint 3: gdb_watched' "watch set in hardware"
	gdb_expect '^New value = 1515852340$' "watchpoint: gdb_watched became 0x5a5a1234 (DR1)"
	gdb_expect '^Old value = 0$' "watchpoint: it was 0"
	gdb_expect '^\* 1 +Thread 1' "info threads: thread 1 (vCPU 0)"
	# the guest's own INT3 in gdb_int3 while gdb's INT3 waits at
	# gdb_done: the stub gives the #BP back to the guest (gdb hears
	# nothing of it), gdb's breakpoint still stops
	if grep -q SIGTRAP /tmp/gdb.out; then
		fail "gdb saw a SIGTRAP: the guest's own INT3 was not given back to it"
	fi
	gdb_expect '^Breakpoint 4, (0x[0-9a-f]+ in )?gdb_done' "break gdb_done hit after the guest's own INT3"
	gdb_expect '^\$10 = 1$' "the guest's #BP handler ran once (gdb_bp_hits 1)"
	gdb_expect 'exited with code 067' "continue to the guest's exit (55 = 067)"
	gdb_session_end gd
	grep -q 'gdb connected: x86-64 registers' /tmp/gdbstub.out ||
		fail "hvctl gdb: no 'x86-64 registers' for a 64-bit vCPU"

	# A running VM: gdb attaches (it pauses), continues, is interrupted
	# (SIGINT: gdb sends Ctrl-C, the VM pauses), looks, detaches: the VM
	# runs on.  No executable: the stub's target description says what
	# the vCPU's mode is - real mode here, so i386 (eip).
	mg_ok create create lp --mem 1M --image "$GDB_IDLE"
	mg_ok start start lp
	gdb_stub_start lp
	gdb -nx -batch -ex "target remote 127.0.0.1:$GDB_PORT" \
		-ex 'info registers eip' -ex 'continue' \
		-ex 'info registers eip' -ex 'detach' </dev/null >/tmp/gdb.out 2>&1 &
	gpid=$!
	# SIGINT once the stub has let the VM run (a fixed delay is too
	# short on one emulator or too long on the other: Bochs's guest
	# clock runs some ten times slower than the wall clock)
	i=0
	until grep -q 'VM lp runs' /tmp/gdbstub.out; do
		i=$((i + 1))
		if [ $i -ge $GDB_POLLS ] || ! kill -0 $gpid 2>/dev/null; then
			kill -KILL $gpid 2>/dev/null
			cat /tmp/gdb.out /tmp/gdbstub.out
			fail "gdb's continue did not reach the stub"
		fi
		sleep 0.1
	done
	kill -INT $gpid
	i=0
	while kill -0 $gpid 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge $GDB_POLLS ]; then
			kill -KILL $gpid
			cat /tmp/gdb.out /tmp/gdbstub.out
			fail "gdb did not end after SIGINT"
		fi
		sleep 0.1
	done
	cat /tmp/gdb.out
	gdb_expect '^eip +0x' "registers of the running VM (real mode: i386's)"
	gdb_expect 'SIGINT' "Ctrl-C stopped the VM (T02)"
	[ "$(grep -cE '^eip +0x' /tmp/gdb.out)" = 2 ] || fail "gdb: no registers after Ctrl-C"
	gdb_expect 'detached' "detached"
	gdb_stub_end
	grep -q 'gdb connected: i386 registers' /tmp/gdbstub.out ||
		fail "hvctl gdb: no 'i386 registers' for a real-mode vCPU"
	mg_expect_state lp running
	mg_ok destroy destroy lp --force
	mg_none_left
	no_splat
}

# The i386 register file: a guest in 32-bit protected mode (gdbguest32.elf)
case_gdb_session32() {
	gdb_session_start "$GDB_GUEST32" g32
	timeout 600 gdb -nx -batch "$GDB_GUEST32" \
		-ex 'set pagination off' -ex 'set confirm off' \
		-ex "target remote 127.0.0.1:$GDB_PORT" \
		-ex 'show architecture' \
		-ex 'print $pc == (long)_start' -ex 'print sizeof($pc)' \
		-ex 'break gdb_bump' \
		-ex 'continue' -ex 'continue' -ex 'continue' -ex 'continue' \
		-ex 'print n' -ex 'print gdb_counter' \
		-ex 'info registers eip' -ex 'info registers rip' \
		-ex 'print/x $pc' -ex 'x/2i $pc' -ex 'stepi' -ex 'print/x $pc' \
		-ex 'delete' \
		-ex 'watch gdb_watched' -ex 'continue' \
		-ex 'delete' \
		-ex 'continue' \
		</dev/null >/tmp/gdb.out 2>&1
	rc=$?
	cat /tmp/gdb.out
	say "gdb: exit status $rc"
	grep -q 'gdb connected: i386 registers' /tmp/gdbstub.out ||
		fail "hvctl gdb: no 'i386 registers' for a 32-bit vCPU"
	say "  ok: hvctl gdb chose the i386 registers"
	gdb_expect '\(currently "?i386"?\)' "gdb's architecture is i386"
	gdb_expect '^\$1 = 1$' "connected at _start (EIP = _start)"
	gdb_expect '^\$2 = 4$' "the PC is 4 bytes"
	gdb_bp_checks 3
	# eip: a 32-bit register (at most 8 hex digits), at the breakpoint
	gdb_expect "^eip +$bp +$bp <gdb_bump\\+[0-9]+>" "info registers eip: $bp, in gdb_bump"
	gdb_expect '^eip +0x[0-9a-f]{1,8} ' "eip is a 32-bit value"
	gdb_expect "Invalid register .rip'" "no rip in the i386 file"
	gdb_expect "^\\\$5 = $bp\$" "the PC at the breakpoint, $bp"
	gdb_expect "^\\\$6 = $next\$" "stepi moved EIP from $bp to $next (one instruction)"
	gdb_expect '^Hardware watchpoint 2: gdb_watched' "watch set in hardware"
	gdb_expect '^New value = 1515852340$' "watchpoint: gdb_watched became 0x5a5a1234 (DR1)"
	gdb_expect 'exited with code 067' "continue to the guest's exit (55 = 067)"
	gdb_session_end g32
	mg_none_left
	no_splat
}
