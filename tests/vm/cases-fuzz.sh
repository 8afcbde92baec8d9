# SPDX-License-Identifier: GPL-2.0
#
# cases-fuzz.sh: the hostile-user suite of issue 11 (h-* cases): the ioctl
# fuzzer and lifecycle abuse.  Sourced by tests/vm/cases.sh, which gives
# the helpers (fail, check, no_splat, hv_load) and, from cases-managed.sh,
# hvc / mg_* (hvctl on the console).
#
#   h-fuzz         the ioctl fuzzer (tests/vm/hv-fuzz.c): 100,000 calls
#                  from 4 threads with a fixed seed; create/destroy/mmap/
#                  snapshot/clone and (intel) small guests in between; no
#                  splat, no unexpected errno, nothing left behind
#   h-cycles       1000 create/destroy cycles (intel: VMX held; no run;
#                  vm-cycles runs a guest in each): kB leaked per 1000
#   (manual: h-fuzz-soak, h-fuzz-guests, h-fuzz-real/-flat/-asis)
#   h-kill         kill -9 of a process running a guest attached
#   h-destroyrun   HV_VM_DESTROY while another thread runs the VM attached
#   h-snapdestroy  snapshots (libhv's, state, dirty log, clone) in one
#                  thread while another destroys the VM
#   h-rmmod        rmmod refused while a VM exists, runs managed, runs
#                  attached, or a destroyed VM's fd is open; then unloads
#
# Each case prints one figure line ("fuzz: ...", "cycles: ...", ...) that
# ends with "splats N", counted after no_splat passed (so: 0).

# The fuzzer's seed and size: fixed, so that a failure replays with the
# same numbers (the threads' interleaving differs, not their calls).
HFUZZ_SEED=${HFUZZ_SEED:-20261204}
HFUZZ_CALLS=${HFUZZ_CALLS:-100000}

# splats_count: kernel splats since the case began.
splats_count() {
	dmesg_case | grep -cE "$SPLAT_RE"
}

case_h_fuzz() {
	hv_load
	# Guests run on intel only: under QEMU 7.2 TCG (amd) fuzzed real-mode
	# and flat 32-bit guests can wedge the emulated CPU in VMRUN (host
	# interrupts stop causing #VMEXIT; docs/testing.md), so amd fuzzes
	# every ioctl but HV_VCPU_RUN / HV_VM_START there; h-fuzz-guests
	# (not in make test) hunts on.  Under Bochs a guest run costs as much
	# wall clock as hundreds of failing ioctls: few, short ones.
	if [ "$VENDOR" = intel ]; then
		runs=${HFUZZ_RUNS_INTEL:-3} run_us=500 managed=2
	else
		runs=${HFUZZ_RUNS_AMD:-0} run_us=2000 managed=${HFUZZ_MANAGED_AMD:-0}
	fi
	: >"$HVTEST_WHY"
	run hv-fuzz --seed "$HFUZZ_SEED" --calls "$HFUZZ_CALLS" --threads 4 \
		--runs "$runs" --run-us "$run_us" --managed "$managed" --verbose \
		>/tmp/fuzz.out 2>&1
	rc=$?
	cat /tmp/fuzz.out
	if [ $rc -ne 0 ]; then	# a failed run may leave its VMs: not for the next case
		dmesg_case | tail -n 60
		for vm in $(mg_names | grep '^fz'); do
			hvctl destroy --force "$vm" </dev/null >/dev/null 2>&1
		done
	fi
	no_splat
	[ $rc -eq 0 ] || fail "hv-fuzz (seed $HFUZZ_SEED): $(head -n 1 "$HVTEST_WHY")"
	say_figure HVFUZZ-FIGURE /tmp/fuzz.out hv-fuzz
}

# say_figure TAG FILE WHAT: the "TAG ..." line WHAT printed to FILE, with
# the splat count; a missing line fails the case.
say_figure() {
	fig=$(sed -n "s/^$1 //p" "$2")
	[ -n "$fig" ] || fail "$3 printed no figure line"
	say "$fig, splats $(splats_count)"
}

# abuse_case NAME FIGURE-NAME: hv-abuse NAME, its figure line with splats.
abuse_case() {
	hv_load
	: >"$HVTEST_WHY"
	run hv-abuse "$1" "$VENDOR" >/tmp/abuse.out 2>&1
	rc=$?
	cat /tmp/abuse.out
	no_splat
	[ $rc -eq 0 ] || fail "hv-abuse $1: $(head -n 1 "$HVTEST_WHY")"
	say_figure HVABUSE-FIGURE /tmp/abuse.out "hv-abuse $1"
}

# Under Bochs switching VMX on and off on both CPUs is most of a cycle's
# cost: intel keeps it on (HVTEST_HOLD_VIRT; virt-cpus and reload20 test
# the switching).
case_h_cycles() {
	if [ "$VENDOR" = intel ]; then
		export HVTEST_CYCLES=${HVTEST_CYCLES_INTEL:-1000} HVTEST_HOLD_VIRT=1
	fi
	export HV_GUESTS=/hvtest/guests
	abuse_case cycles
}
case_h_kill()        { export HV_GUESTS=/hvtest/guests; abuse_case kill; }
case_h_destroyrun()  { export HV_GUESTS=/hvtest/guests; abuse_case destroyrun; }
case_h_snapdestroy() { export HV_GUESTS=/hvtest/guests; abuse_case snapdestroy; }

# rmmod_refused WHY: rmmod hv must fail and leave hv loaded.
rmmod_refused() {
	say "\$ rmmod hv  (must be refused: $1)"
	rmmod hv 2>/tmp/rmmod.err && fail "rmmod hv succeeded while $1"
	sed 's/^/  /' /tmp/rmmod.err
	hv_loaded || fail "hv is gone after the refused rmmod ($1)"
	[ -c /dev/hv ] || fail "/dev/hv is gone after the refused rmmod ($1)"
	refused=$((refused + 1))
}

case_h_rmmod() {
	mg_setup
	export HV_GUESTS=/hvtest/guests
	refused=0
	mg_ok "create" create hr-idle --mem 1M
	rmmod_refused "VM hr-idle exists (never started)"
	mg_ok "create" create hr-run --mem 1M --image "$LOOPER"
	mg_ok "start" start hr-run
	mg_expect_state hr-run running
	rmmod_refused "VM hr-run runs managed"
	say "\$ hv-abuse holdrun &  (a guest run attached, in a loop)"
	hv-abuse holdrun "$VENDOR" >/tmp/hold.out 2>&1 &
	hold=$!
	i=0
	until grep -q '^holdrun: running' /tmp/hold.out; do
		i=$((i + 1))
		[ $i -lt 500 ] || { cat /tmp/hold.out; kill -9 $hold; fail "hv-abuse holdrun did not start"; }
		sleep 0.01
	done
	hname=$(sed -n 's/^holdrun: running //p' /tmp/hold.out)
	rmmod_refused "VM $hname runs attached (pid $hold)"
	mg_ok "destroy --force" destroy --force hr-run
	mg_ok "destroy" destroy hr-idle
	mg_ok "destroy --force" destroy --force "$hname"
	mg_none_left "after destroying every VM"
	kill -0 $hold 2>/dev/null || fail "holdrun died when its VM was destroyed: $(cat /tmp/hold.out)"
	rmmod_refused "no VM is listed, but pid $hold still has a destroyed VM's fds"
	kill -9 $hold
	wait $hold 2>/dev/null
	no_splat
	# The last references go when the fds close: allow a moment.
	i=0
	until rmmod hv 2>/tmp/rmmod.err; do
		i=$((i + 1))
		[ $i -lt 50 ] || fail "rmmod hv failed after every VM and fd was gone: $(cat /tmp/rmmod.err)"
		sleep 0.1
	done
	say "rmmod hv: ok after $i retries"
	hv_loaded && fail "hv still loaded after rmmod"
	[ -e /dev/hv ] && fail "/dev/hv still there after rmmod"
	hv_load
	mg_ok "create after the reload" create hr-again --mem 1M
	mg_ok "destroy" destroy hr-again
	mg_none_left
	no_splat
	say "rmmod: refused $refused times (idle VM, managed run, attached run, destroyed VM's open fd), then unloaded and reloaded, splats $(splats_count)"
}

# h-fuzz-soak (not in `make test`; VMTEST_CASES=load,h-fuzz-soak): the
# fuzzer with seeds 1..8 in turn, for a longer hunt on one boot.
case_h_fuzz_soak() {
	for seed in 1 2 3 4 5 6 7 8; do
		HFUZZ_SEED=$seed
		( case_h_fuzz ) || exit 1
	done
}

# h-fuzz-guests (not in `make test`): mostly guest runs, to hunt guest-state
# problems (seeds 1..3, 60% of the operations are runs).  On amd it wedges
# QEMU 7.2 within a few thousand runs (docs/testing.md).
case_h_fuzz_guests() {
	hv_load
	echo 1 >/proc/sys/kernel/sysrq
	for seed in ${HFUZZ_GUEST_SEEDS:-1 2 3}; do
		: >"$HVTEST_WHY"
		run hv-fuzz --seed "$seed" --calls 8000 --threads 4 --runs 600 \
			--modes "${HFUZZ_MODES:-7}" >/tmp/fuzz.out 2>&1
		rc=$?
		grep -v '^  [A-Z_(]' /tmp/fuzz.out
		[ $rc -eq 0 ] || { dmesg_case | tail -n 60; fail "hv-fuzz --runs 600 (seed $seed): $(head -n 1 "$HVTEST_WHY")"; }
	done
	no_splat
}
# Per guest-state family (--modes): real mode, flat 32-bit, as is.
case_h_fuzz_real()  { HFUZZ_MODES=1 HFUZZ_GUEST_SEEDS="1 2 3" case_h_fuzz_guests; }
case_h_fuzz_flat()  { HFUZZ_MODES=2 HFUZZ_GUEST_SEEDS="1 2 3" case_h_fuzz_guests; }
case_h_fuzz_asis()  { HFUZZ_MODES=4 HFUZZ_GUEST_SEEDS="1 2 3" case_h_fuzz_guests; }

