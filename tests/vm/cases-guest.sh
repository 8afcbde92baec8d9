# SPDX-License-Identifier: GPL-2.0
#
# cases-guest.sh: hostile guests (issue 11), sourced by cases.sh; listed
# on CASES_H_GUEST in tests/rig/vmtest.  The guest is
# tests/guests/hostile.S (and msr.S), driven by tests/vm/hv-hostile-test.c;
# each case asserts what the guest sees and that the host stays healthy
# (no splat: no_splat here, and the runner checks the whole console).
#
#   hg-hostinsn   INVD/WBINVD x1000 each exit and complete; MONITOR, MWAIT,
#                 RDPMC, RDPRU raise what hv's policy promises
#   hg-udstorm    100k #UDs (10k on Bochs) to the guest's own handler;
#                 then #UD with no IDT: triple fault
#   hg-virtjunk   VMRUN/VMXON/... with garbage operands; VMCALL/VMMCALL junk
#   hg-msrgames   EFER, APIC base, FEATURE_CONTROL, SYSENTER, VM_CR writes
#   hg-stringio   INS/OUTS, REP: attached and managed
#   hg-ramtouch   the guest touches every page of 64 MiB (16 on Bochs)
#   hg-portflood  managed: 100k OUTs to unclaimed ports (10k on Bochs)
#   hg-clistop    managed `cli; jmp .`, stopped by `hvctl stop`
#   hg-busy       vCPU ioctls on a running vCPU: EBUSY at once
#   hg-rflags     reserved RFLAGS bits refused by SET_REGS and SET_VCPU_STATE
#   hg-crgames    illegal CR0 values #GP on both vendors; CLTS, LMSW (r, m16) work
#   hg-ioperm     a host task's ioperm() port after a guest ran on its CPU
#   hg-figures    last: "hostile-guests: N guests, M exits, 0 splats"
#
# The triple fault of a guest with a bad IDT is vm-triple (cases.sh); the
# guest state QEMU 7.2 wedges on (EFER.LME=1, CR0.PG=0, CR4.PAE=0) never
# occurs here: every guest runs in long mode, and the EFER writes that
# would leave long mode are refused (#GP) before they reach the VMCB.

HG_FIGURES=/tmp/hostile-figures

# hg_field NAME KEY: a field of VM NAME in `hvctl list --json` ("" if the
# VM is not listed).
hg_field() {
	hvctl list --json </dev/null 2>/dev/null | tr '}' '\n' |
		grep "\"name\": *\"$1\"" |
		sed -n "s/.*\"$2\": *\"\\{0,1\\}\\([^\",]*\\).*/\\1/p" | head -n 1
}

hg_case() { # CASE
	hv_load
	export HV_GUESTS=/hvtest/guests HV_FIGURES=$HG_FIGURES
	check "$1" hv-hostile-test "$1" "$VENDOR"
	no_splat
}

case_hg_hostinsn()  { hg_case hostinsn; }
case_hg_udstorm()   { hg_case udstorm; }
case_hg_virtjunk()  { hg_case virtjunk; }
case_hg_msrgames()  { hg_case msrgames; }
case_hg_stringio()  { hg_case stringio; }
case_hg_ramtouch()  { hg_case ramtouch; }
case_hg_portflood() { hg_case portflood; }
case_hg_busy()      { hg_case busy; }
case_hg_rflags()    { hg_case rflags; }
case_hg_crgames()   { hg_case crgames; }
case_hg_ioperm()    { hg_case ioperm; }

# hg-clistop: a managed guest spinning with interrupts off (cli; jmp .)
# must stop on `hvctl stop` within the case's time, without a soft-lockup
# splat, and be gone after `hvctl destroy`.
case_hg_clistop() {
	hv_load
	export HV_GUESTS=/hvtest/guests
	name=hg-cli
	hvctl destroy --force "$name" </dev/null >/dev/null 2>&1
	check "start cli; jmp ." hv-hostile-test clistart "$name"
	st=$(hg_field "$name" state)
	say "$name: state $st"
	[ "$st" = running ] || fail "hvctl list: $name is '$st', expected running"
	# Let it spin a moment with IF=0 (a host timer tick must still
	# bring its CPU back), then stop it.  Guest time: Bochs is slow.
	if [ "$VENDOR" = intel ]; then sleep 0.1; else sleep 1; fi
	read -r t0 _ </proc/uptime
	run hvctl stop "$name" </dev/null || fail "hvctl stop $name failed"
	read -r t1 _ </proc/uptime
	st=$(hg_field "$name" state)
	reason=$(hg_field "$name" stop_reason)
	say "$name: state $st, stop_reason $reason, hvctl stop took $(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')s"
	[ "$st" = stopped ] || fail "after hvctl stop: state '$st', expected stopped"
	[ "$reason" = stopped ] || fail "after hvctl stop: stop_reason '$reason', expected stopped"
	exits=$(hg_field "$name" exits)
	echo "clistop ${exits:-0}" >>"$HG_FIGURES"
	run hvctl destroy "$name" </dev/null || fail "hvctl destroy $name failed"
	[ -z "$(hg_field "$name" state)" ] || fail "$name still listed after hvctl destroy"
	dmesg | grep -q "soft lockup" && fail "soft lockup: $(dmesg | grep -m1 'soft lockup')"
	no_splat
}

# hg-figures: the suite's figures, from every hg-* case that ran before.
case_hg_figures() {
	[ -s "$HG_FIGURES" ] || fail "no figures: no hg-* case ran before"
	n=$(wc -l <"$HG_FIGURES")
	exits=$(awk '{ s += $2 } END { print s + 0 }' "$HG_FIGURES")
	splats=$(dmesg | grep -cE "$SPLAT_RE")
	say "hostile-guests: $n guests, $exits exits, $splats splats"
	[ "$splats" -eq 0 ] || fail "$splats kernel splats"
}
