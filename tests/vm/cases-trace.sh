# SPDX-License-Identifier: GPL-2.0
#
# cases-trace.sh: the tracepoints and `hvctl trace` (issue 15, items 1
# and 3; docs/tracing.md), sourced by cases.sh.
#
#   tr-events   tests/guests/stcount.bin (exactly 1000 CPUIDs leaf 0 at
#               RIP 0x1013, 500 OUTs to port 0x5f0 at 0x101e, 100 RDMSRs
#               of 0x1a0 at 0x102b, one HLT at 0x1030), managed, traced
#               through a tracefs instance filtered on its VM id: the
#               hv_exit lines by reason and RIP, the raw hardware reason
#               of each (VT-x basic exit reason, AMD-V EXITCODE), the
#               port in the I/O qualification / EXITINFO1, the hv_cpuid,
#               hv_pio, hv_msr and hv_halt fields; the OUT writes what
#               CPUID left in AL.  A second VM run meanwhile leaves no
#               line: the filter works in the kernel.
#   tr-fields   the other events' fields (below, case_tr_fields)
#   tr-explain  `hvctl trace NAME --explain` while stcount runs: the
#               expected sentences (exact phrases, the vendor's own
#               manual section), 1000/500/100/1 of them, the summary's
#               counts, its tracefs instance gone afterwards, and the
#               plain form's lines; as another user, one error line.
#
# Uses cases-managed.sh's helpers (hvc, mg_ok, mg_field, mg_state).
# CASES_TR in tests/rig/vmtest.

TR_GUEST=/hvtest/guests/stcount.bin
TR_FS=/sys/kernel/tracing
# polls 0.05 s apart: a traced run is slower under Bochs
TR_POLLS=600

tr_mount() {
	[ -d $TR_FS/instances ] || mount -t tracefs nodev $TR_FS ||
		fail "cannot mount tracefs at $TR_FS"
	[ -d $TR_FS/events/hv ] || fail "no $TR_FS/events/hv: hv.ko has no tracepoints"
}

# tr_vendor: vmx or svm, what the exit lines must say
tr_vendor() {
	if grep -qw svm /proc/cpuinfo; then echo svm; else echo vmx; fi
}

# tr_wait_stopped NAME
tr_wait_stopped() {
	i=0
	while [ "$(mg_state "$1")" != stopped ]; do
		i=$((i + 1))
		[ $i -lt $TR_POLLS ] || fail "$1 does not stop ($(mg_state "$1"))"
		sleep 0.05
	done
}

# tr_expect KEY EXPECTED WHAT: KEY's count in /tmp/tr.counts is EXPECTED
tr_expect() {
	n=$(sed -n "s/^$1 //p" /tmp/tr.counts)
	say "  $3: $n (expected $2)"
	[ "$n" = "$2" ] || fail "$3: $n, expected $2"
}

# tr_re TEXT: TEXT as an ERE that matches it literally
tr_re() {
	printf '%s' "$1" | sed 's/[][().*+?^$|\\{}]/\\&/g'
}

# tr_count FILE ERE EXPECTED WHAT: exactly EXPECTED lines of FILE match ERE
tr_count() {
	n=$(grep -cE "$2" "$1")
	say "  $4: $n (expected $3)"
	[ "$n" = "$3" ] || fail "$4: $n lines match /$2/, expected $3"
}

case_tr_events() {
	mg_setup
	tr_mount
	[ -f "$TR_GUEST" ] || fail "$TR_GUEST is not in the initramfs"
	isa=$(tr_vendor)
	# The raw reasons: SDM Vol 3D, Appendix C; APM Vol 2, Appendix C
	if [ $isa = vmx ]; then
		hw_cpuid=0xa hw_io=0x1e hw_rdmsr=0x1f hw_hlt=0xc
	else
		hw_cpuid=0x72 hw_io=0x7b hw_rdmsr=0x7c hw_hlt=0x78
	fi
	mg_ok create create tr --mem 1M --image "$TR_GUEST"
	mg_ok create create tr2 --mem 1M --image "$TR_GUEST"
	id=$(mg_field tr id)
	id2=$(mg_field tr2 id)
	say "tr is VM id $id, tr2 is $id2, vendor $isa"
	[ -n "$id" ] && [ "$id" != "$id2" ] || fail "no VM ids from hvctl list --json ('$id', '$id2')"

	inst=$TR_FS/instances/hvtest-tr
	rmdir $inst 2>/dev/null
	run mkdir $inst || fail "cannot make a tracefs instance"
	echo 2048 >$inst/buffer_size_kb
	echo "vm == $id" >$inst/events/hv/filter || fail "the filter 'vm == $id' was refused"
	for e in hv_exit hv_cpuid hv_pio hv_msr hv_halt; do
		echo 1 >$inst/events/hv/$e/enable || fail "cannot enable $e"
	done
	mg_ok start start tr
	tr_wait_stopped tr
	mg_ok start start tr2
	tr_wait_stopped tr2
	echo 0 >$inst/tracing_on
	cat $inst/trace >/tmp/tr.txt
	rmdir $inst || fail "cannot remove $inst"
	say "trace: $(wc -l </tmp/tr.txt) lines; the first events:"
	grep ' hv_' /tmp/tr.txt | head -n 6

	# One pass of awk over the lines' fields (a grep -E per check costs
	# seconds each under Bochs).  AL after CPUID leaf 0 is the low byte
	# of its EAX: the OUTs write it.
	eax=$(grep -m 1 -oE "hv_cpuid: vm $id vcpu 0 leaf 0x0 .* eax 0x[0-9a-f]+" /tmp/tr.txt | sed 's/.* eax //')
	[ -n "$eax" ] || fail "no hv_cpuid line of leaf 0"
	al=$(printf '0x%x' $((eax & 0xff)))
	awk -v id="$id" -v id2="$id2" -v isa="$isa" -v hc="$hw_cpuid" \
	    -v hi="$hw_io" -v hr="$hw_rdmsr" -v hh="$hw_hlt" -v al="$al" '
	function hex(s) { return s ~ /^0x[0-9a-f]+$/ }
	$5 ~ /^hv_[a-z]+:$/ && $6 == "vm" {
		all++
		if ($7 "" == id2 "") other++
		if ($7 "" != id "" || $8 != "vcpu" || $9 != "0")
			next
		mine++
		if ($5 == "hv_exit:" && NF == 18 && $10 == "reason" && $12 == isa &&
		    $14 == "info" && hex($15) && hex($16) && $17 == "rip") {
			if ($11 == "cpuid" && $13 == hc && $18 == "0x1013") cpuid++
			if ($11 == "io" && $13 == hi && $18 == "0x101e" &&
			    substr($15, 1, 5) == "0x5f0" && length($15) == 9) io++
			if ($11 == "rdmsr" && $13 == hr && $15 == "0x0" && $18 == "0x102b") rdmsr++
			if ($11 == "hlt" && $13 == hh && $18 == "0x1030") hlt++
		}
		v = $17 " " $19 " " $21
		if ($5 == "hv_cpuid:" && NF == 21 && $11 == "0x0" && $13 == "0x0" && hex($15) &&
		    (v == "0x756e6547 0x6c65746e 0x49656e69" || v == "0x68747541 0x444d4163 0x69746e65"))
			leaf0++
		if ($5 == "hv_msr:" && NF == 14 && $10 == "rdmsr" && $12 == "0x1a0" && hex($14)) msr++
		if ($5 == "hv_halt:" && NF == 11 && $11 == "0") halt++
		if ($5 == "hv_pio:" && NF == 18 && $10 == "out" && $12 == "0x5f0" && $14 == "1" &&
		    $16 == al && $18 == "user") pio++
	}
	END {
		printf "cpuid %d\nio %d\nrdmsr %d\nhlt %d\nleaf0 %d\nmsr %d\nhalt %d\n", \
			cpuid, io, rdmsr, hlt, leaf0, msr, halt
		printf "pio %d\nother %d\nall %d\nmine %d\n", pio, other, all, mine
	}' /tmp/tr.txt >/tmp/tr.counts
	tr_expect cpuid 1000 "hv_exit cpuid, hw $hw_cpuid, at 0x1013"
	tr_expect io 500 "hv_exit io, hw $hw_io, port 0x5f0 in the qualification, at 0x101e"
	tr_expect rdmsr 100 "hv_exit rdmsr, hw $hw_rdmsr, at 0x102b"
	tr_expect hlt 1 "hv_exit hlt, hw $hw_hlt, at 0x1030"
	tr_expect leaf0 1000 "hv_cpuid leaf 0 with the vendor string"
	tr_expect msr 100 "hv_msr reads of 0x1a0"
	tr_expect halt 1 "hv_halt with IF=0"
	tr_expect pio 500 "hv_pio OUT of $al to 0x5f0 by user"
	# Every hv line is tr's: tr2's exits were filtered out in the kernel
	tr_expect other 0 "lines of VM $id2 (filtered)"
	n=$(sed -n 's/^all //p' /tmp/tr.counts)
	tr_expect mine "$n" "hv lines of VM $id, vCPU 0 (all $n)"
	# the statistics counted the same exits
	mg_ok stat stat tr --json
	grep -q '"exit.cpuid":1000' /tmp/hvc.out || fail "hvctl stat: exit.cpuid is not 1000"

	mg_ok destroy destroy tr
	mg_ok destroy destroy tr2
	mg_none_left
	no_splat
}

case_tr_explain() {
	mg_setup
	tr_mount
	[ -f "$TR_GUEST" ] || fail "$TR_GUEST is not in the initramfs"
	isa=$(tr_vendor)
	if [ $isa = vmx ]; then
		why_cpuid='VT-x exits unconditionally on CPUID (SDM Vol 3C, 26.1.2)'
		why_io="VT-x exits because hv's I/O bitmaps intercept every port (SDM Vol 3C, 26.1.3, 25.6.4)"
		why_msr="VT-x exits because hv's MSR bitmaps intercept every MSR (SDM Vol 3C, 26.1.3, 25.6.9)"
		why_hlt='VT-x exits because hv sets HLT exiting (SDM Vol 3C, 26.1.3, 25.6.2)'
	else
		why_cpuid='AMD-V exits on CPUID because hv sets its intercept in the VMCB (APM Vol 2, 15.9)'
		why_io="AMD-V exits because hv's I/O permission map intercepts every port (APM Vol 2, 15.10)"
		why_msr="AMD-V exits because hv's MSR permission map intercepts every MSR (APM Vol 2, 15.11)"
		why_hlt='AMD-V exits because hv sets the HLT intercept (APM Vol 2, 15.9)'
	fi
	why_cpuid=$(tr_re "$why_cpuid")
	why_io=$(tr_re "$why_io")
	why_msr=$(tr_re "$why_msr")
	why_hlt=$(tr_re "$why_hlt")
	mg_ok create create tx --mem 1M --image "$TR_GUEST"

	# Follow it from before its start; it ends by itself when tx stops
	say "\$ hvctl trace tx --explain &"
	# a file left from before would say "tracing" before this one does
	rm -f /tmp/tx.out /tmp/tx.err
	hvctl trace tx --explain </dev/null >/tmp/tx.out 2>/tmp/tx.err &
	pid=$!
	i=0
	until grep -q 'tracing VM id' /tmp/tx.err 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $TR_POLLS ] || { kill $pid; fail "hvctl trace did not start: $(head -n 1 /tmp/tx.err)"; }
		kill -0 $pid 2>/dev/null || fail "hvctl trace ended at once: $(head -n 1 /tmp/tx.err)"
		sleep 0.05
	done
	ls -d $TR_FS/instances/hvctl-$pid || fail "no tracefs instance hvctl-$pid"
	mg_ok start start tx
	i=0
	while kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $TR_POLLS ] || { kill $pid; fail "hvctl trace did not end when tx stopped"; }
		sleep 0.05
	done
	wait $pid
	rc=$?
	say "hvctl trace: exit status $rc, $(wc -l </tmp/tx.out) lines"
	head -n 3 /tmp/tx.out
	tail -n 6 /tmp/tx.out
	cat /tmp/tx.err
	[ $rc = 0 ] || fail "hvctl trace --explain: exit status $rc"
	[ -e $TR_FS/instances/hvctl-$pid ] && fail "hvctl trace left its instance hvctl-$pid behind"

	eax=$(grep -m 1 -oE 'leaf 0x0 subleaf 0x0 at RIP 0x1013; .*: eax=0x[0-9a-f]+' /tmp/tx.out | sed 's/.*eax=//')
	[ -n "$eax" ] || fail "no CPUID sentence with eax="
	al=$(printf '0x%x' $((eax & 0xff)))
	tr_count /tmp/tx.out "^vCPU 0 ran CPUID leaf 0x0 subleaf 0x0 at RIP 0x1013; $why_cpuid; hv answered from its CPUID table: eax=$eax ebx=0x[0-9a-f]+ ecx=0x[0-9a-f]+ edx=0x[0-9a-f]+\$" 1000 "CPUID sentences"
	tr_count /tmp/tx.out "^vCPU 0 wrote $al to I/O port 0x5f0 \\(OUT, 1 byte\\) at RIP 0x101e; $why_io; no device in the kernel has the port: hv passed it to the VM's driver \\(userspace, or the managed service\\)\$" 500 "OUT sentences"
	tr_count /tmp/tx.out "^vCPU 0 ran RDMSR of MSR 0x1a0 at RIP 0x102b; $why_msr; hv answered 0x[0-9a-f]+\$" 100 "RDMSR sentences"
	tr_count /tmp/tx.out "^vCPU 0 ran HLT at RIP 0x1030; $why_hlt; hv_handle_hlt\\(\\) put the vCPU to sleep" 1 "HLT sentences"
	# The summary: the reasons by count, the most frequent first
	grep -qE '^--- tx: [0-9]+ exits$' /tmp/tx.out || fail "no summary line '--- tx: N exits'"
	tr_count /tmp/tx.out '^cpuid +1000$' 1 "summary: cpuid 1000"
	tr_count /tmp/tx.out '^io +500$' 1 "summary: io 500"
	tr_count /tmp/tx.out '^rdmsr +100$' 1 "summary: rdmsr 100"
	tr_count /tmp/tx.out '^hlt +1$' 1 "summary: hlt 1"
	first=$(grep -A1 -E '^--- tx:' /tmp/tx.out | tail -n 1 | awk '{ print $1 }')
	[ "$first" = cpuid ] || fail "summary: the first reason is '$first', not cpuid"

	# The plain form of the next run: one line per exit, the same counts
	mg_ok destroy destroy tx
	mg_ok create create tx --mem 1M --image "$TR_GUEST"
	# the explained run's files: gone before this one starts, or their
	# "tracing" line lets the VM start before this trace is on
	rm -f /tmp/tx.out /tmp/tx.err
	hvctl trace tx </dev/null >/tmp/tx.out 2>/tmp/tx.err &
	pid=$!
	i=0
	until grep -q 'tracing VM id' /tmp/tx.err 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $TR_POLLS ] || { kill $pid; fail "hvctl trace did not start"; }
		sleep 0.05
	done
	mg_ok start start tx
	i=0
	while kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $TR_POLLS ] || { kill $pid; fail "hvctl trace did not end when tx stopped"; }
		sleep 0.05
	done
	wait $pid || fail "hvctl trace tx: exit status $?"
	tr_count /tmp/tx.out "^[0-9.]+ vcpu 0 rip 0x1013 cpuid \\($isa 0x[0-9a-f]+ 0x[0-9a-f]+ 0x[0-9a-f]+\\) leaf 0x0 subleaf 0x0 -> " 1000 "plain CPUID lines"
	tr_count /tmp/tx.out "^[0-9.]+ vcpu 0 rip 0x101e io \\($isa .* out port 0x5f0 size 1 value $al by user\$" 500 "plain OUT lines"

	# Another user: tracefs is root's; one line, nothing made
	mode=$(stat -c %a /dev/hv)
	rootmode=$(stat -c %a /)
	run chmod 0666 /dev/hv
	run chmod 0755 /
	say "(as uid $MG_UID) hvctl trace tx"
	as-user $MG_UID hvctl trace tx </dev/null >/tmp/u.out 2>/tmp/u.err
	rc=$?
	run chmod "$mode" /dev/hv
	run chmod "$rootmode" /
	cat /tmp/u.err
	[ $rc -ne 0 ] || fail "uid $MG_UID: hvctl trace succeeded"
	[ "$(wc -l </tmp/u.err)" = 1 ] || fail "uid $MG_UID: hvctl trace: not one error line"
	grep -q '^hvctl: trace tx: tracing needs root' /tmp/u.err || fail "uid $MG_UID: not 'tracing needs root'"
	ls $TR_FS/instances | grep -q hvctl- && fail "an hvctl instance was left in tracefs"

	mg_ok destroy destroy tx
	mg_none_left
	no_splat
}

# tr-fields: the other events' fields, read from tracefs, each against
# what its guest is known to do (tests/guests/mmio.S, pc.S, looper.S).
# One tracefs instance with every hv event on; the phases are marked in
# its buffer (trace_marker), and one awk pass judges them all:
#   mmio    hv-guest-test mmio (attached): hv_mmio of its first and its
#           8-byte write, "by user", exactly; one hv_npf "mmio" per
#           hv_mmio; per vCPU as many hv_entry as hv_exit, RIPs in hex
#   ioapic  hv-pc-test ioapic: hv_irq ioapic pin 10 vector 0x50 three
#           times (level, redelivered after each EOI), pin 11 0x51 twice
#           (edge), pin 12 0x52 once (after unmasking); hv_irq lapic and
#           hv_inject irq of 0x50/0x51/0x52/0x53 (the MSI) 3/2/1/1 times;
#           the guest's redirection-entry writes as hv_mmio "by kernel"
#   hlt     hv-pc-test hlt: an hv_halt "if 1", and each one followed by
#           that vCPU's hv_wake before its next hv_entry
#   pic     hv-pc-test pic: hv_irq pic line 5 vector 0x25 once (the GSI 5
#           pulse), line 0 vector 0x20 ten times or more (the PIT)
#   state   a managed looper (8 MiB): snapshot, pause, clone, restore:
#           hv_snapshot vcpu_get of vCPU 0, quiet_begin/quiet_end paired,
#           hv_clone begin (pages 0) and end (pages 2048) naming the
#           clone's id, hv_snapshot vcpu_set of the restored VM's vCPU 0
case_tr_fields() {
	mg_setup
	tr_mount
	export HV_GUESTS=/hvtest/guests
	inst=$TR_FS/instances/hvtest-tf
	rmdir $inst 2>/dev/null
	run mkdir $inst || fail "cannot make a tracefs instance"
	echo 8192 >$inst/buffer_size_kb
	echo 1 >$inst/events/hv/enable || fail "cannot enable the hv events"
	for p in mmio ioapic hlt pic; do
		echo "tf-phase $p" >$inst/trace_marker
		case $p in
		mmio) check "$p" hv-guest-test mmio "$VENDOR" ;;
		*) check "$p" hv-pc-test "$p" "$VENDOR" ;;
		esac
	done
	echo "tf-phase state" >$inst/trace_marker
	mg_ok create create a --mem 8M --image "$LOOPER"
	mg_ok start start a
	mg_ok snapshot snapshot a /tmp/tf.hv
	mg_ok pause pause a
	mg_ok clone clone a b
	mg_ok restore restore /tmp/tf.hv --name r
	ida=$(mg_field a id)
	idb=$(mg_field b id)
	idr=$(mg_field r id)
	say "a is VM id $ida, its clone b $idb, the restored r $idr"
	[ -n "$ida" ] && [ -n "$idb" ] && [ -n "$idr" ] || fail "no VM ids from hvctl list --json"
	echo 0 >$inst/tracing_on
	cat $inst/trace >/tmp/tf.txt
	rmdir $inst || fail "cannot remove $inst"
	mg_ok destroy destroy --force a
	mg_ok destroy destroy --force b
	mg_ok destroy destroy r
	rm -f /tmp/tf.hv
	say "trace: $(wc -l </tmp/tf.txt) lines, $(grep -c 'hv_[a-z]*:' /tmp/tf.txt) of hv events"
	grep -q 'LOST [0-9]* EVENTS' /tmp/tf.txt && fail "the trace lost events (buffer too small)"

	awk -v ida="$ida" -v idb="$idb" -v idr="$idr" '
	function bad(what) { print "FAIL " what; nbad++ }
	function want(what, got, n) {
		print what ": " got + 0 " (expected " n + 0 ")"
		if (got + 0 != n + 0) bad(what ": " got + 0 ", expected " n + 0)
	}
	function atleast(what, got, n) {
		print what ": " got + 0 " (expected at least " n ")"
		if (got + 0 < n) bad(what ": " got + 0 ", expected at least " n)
	}
	function hex(s) { return s ~ /^0x[0-9a-f]+$/ }
	{
		# the event name: the first field that is one (a task name
		# before it may hold spaces)
		for (k = 1; k <= NF; k++)
			if ($k ~ /^(hv_[a-z]+|tracing_mark_write):$/)
				break
		if (k > NF)
			next
		ev = $k
		n = 0
		for (i = k + 1; i <= NF; i++)
			f[++n] = $i
		if (ev == "tracing_mark_write:") {
			if (f[1] == "tf-phase")
				ph = f[2]
			next
		}
		if (f[1] != "vm") {
			bad("an " ev " line without its VM: " $0)
			next
		}
		vm = f[2]
		key = ph " " vm " " f[4]
	}
	ev == "hv_entry:" {
		entries[ph]++
		ent[key]++
		if (f[5] != "rip" || !hex(f[6])) bad("hv_entry: " $0)
		if (halted[key]) bad("hv_entry of a halted vCPU before its hv_wake: " $0)
	}
	ev == "hv_exit:" { ext[key]++ }
	ev == "hv_mmio:" {
		m = f[5] " " f[7] " " f[9] " " f[11] " " f[13]
		mmio[ph]++
		cnt[ph " mmio " m]++
		if (f[6] != "gpa" || f[8] != "size" || f[10] != "value" || f[12] != "by") bad("hv_mmio: " $0)
	}
	ev == "hv_npf:" { if (f[5] == "gpa" && hex(f[6]) && f[8] == "mmio") npf[ph]++ }
	ev == "hv_irq:" { cnt[ph " irq " f[5] " " f[7] " " f[9]]++ }
	ev == "hv_inject:" { cnt[ph " inject " f[5] " " f[7]]++ }
	ev == "hv_halt:" {
		if (f[5] == "if" && f[6] == "1") { halts[ph]++; halted[key] = 1 }
	}
	ev == "hv_wake:" {
		if (!halted[key]) bad("hv_wake of a vCPU not halted: " $0)
		halted[key] = 0
		wakes[ph]++
	}
	ev == "hv_snapshot:" { cnt[ph " snap " vm " " f[4] " " f[5] " " f[7]]++ }
	ev == "hv_clone:" {
		if (f[3] != "clone") bad("hv_clone: " $0)
		cnt[ph " clone " vm " " f[4] " " f[5] " " f[7]]++
	}
	END {
		# Exact counts, "PHASE EVENT FIELDS=TIMES": in mmio.S the first and
		# 8-byte writes (movb $0x11, 0(%r8); movq $-0x12345678, 8(%r8));
		# pc.S t_ioapic: pin 10 level 3 times, pin 11 edge twice, pin 12
		# once unmasked, each through the LAPIC and injected, and the MSI
		# (0x53) through the LAPIC only; its redirection entries written
		# through the IOAPIC window; pc.S t_pic: the GSI 5 pulse
		nx = split("mmio mmio write 0xd0000000 1 0x11 user=1|" \
			   "mmio mmio write 0xd0000008 8 0xffffffffedcba988 user=1|" \
			   "ioapic irq ioapic 10 80=3|ioapic irq ioapic 11 81=2|" \
			   "ioapic irq ioapic 12 82=1|" \
			   "ioapic irq lapic -1 80=3|ioapic inject irq 80=3|" \
			   "ioapic irq lapic -1 81=2|ioapic inject irq 81=2|" \
			   "ioapic irq lapic -1 82=1|ioapic inject irq 82=1|" \
			   "ioapic irq lapic -1 83=1|ioapic inject irq 83=1|" \
			   "ioapic mmio write 0xfec00010 4 0x8050 kernel=1|" \
			   "ioapic mmio write 0xfec00010 4 0x18052 kernel=1|" \
			   "pic irq pic 5 37=1|pic inject irq 37=1|" \
			   "state clone " ida " " idb " begin 0=1|" \
			   "state clone " ida " " idb " end 2048=1", xs, "|")
		for (i = 1; i <= nx; i++) {
			split(xs[i], kv, "=")
			want(kv[1], cnt[kv[1]], kv[2])
		}
		atleast("mmio: hv_mmio lines", mmio["mmio"], 2)
		want("mmio: hv_npf mmio lines (one per hv_mmio)", npf["mmio"], mmio["mmio"])
		for (k2 in ext)
			if (ent[k2] != ext[k2]) bad("phase/vm/vcpu " k2 ": " ent[k2] + 0 " hv_entry, " ext[k2] " hv_exit")
		for (k2 in ent)
			if (!(k2 in ext)) bad("phase/vm/vcpu " k2 ": hv_entry without hv_exit")
		atleast("mmio: hv_entry lines", entries["mmio"], mmio["mmio"])
		# hlt (pc.S t_hlt: sti; hlt with a one-shot armed)
		atleast("hlt: hv_halt if 1", halts["hlt"], 1)
		want("hlt: hv_wake (one per hv_halt if 1)", wakes["hlt"], halts["hlt"])
		# pic: IRQ 0 of the PIT, ticking
		atleast("pic irq pic 0 32", cnt["pic irq pic 0 32"], 10)
		# state: snapshot, clone (above), restore
		atleast("state snap " ida " 0 vcpu_get 0", cnt["state snap " ida " 0 vcpu_get 0"], 1)
		atleast("state snap " ida " -1 quiet_begin 0", cnt["state snap " ida " -1 quiet_begin 0"], 1)
		want("state snap " ida " -1 quiet_end 0 (one per quiet_begin)",
		     cnt["state snap " ida " -1 quiet_end 0"], cnt["state snap " ida " -1 quiet_begin 0"])
		atleast("state snap " idr " 0 vcpu_set 0", cnt["state snap " idr " 0 vcpu_set 0"], 1)
		print nbad + 0 " bad"
	}' /tmp/tf.txt >/tmp/tf.out
	cat /tmp/tf.out
	[ "$(tail -n 1 /tmp/tf.out)" = "0 bad" ] ||
		fail "$(grep -m 1 '^FAIL' /tmp/tf.out | sed 's/^FAIL //')"
	mg_none_left
	no_splat
}
