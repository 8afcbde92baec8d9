# SPDX-License-Identifier: GPL-2.0
#
# cases.sh: the in-guest test cases of hv, sourced by /init (tests/vm/init).
#
# One shell function per case, case_NAME (a "-" in NAME becomes "_").  Each
# case runs in its own shell under a timeout, with its output on the
# console; it ends with `fail REASON` (exit 1) or by returning 0.  The
# runner then prints HVTEST-RESULT, unloads KVM if the case left it loaded,
# and goes on with the next case.  Cases do not depend on each other: each
# loads hv.ko itself if it needs it (hv_load).
#
# The static programs (tests/vm/*.c) and hvctl are in /hvtest/bin.

HV_KO=/hvtest/hv.ko
MODDIR=/hvtest/modules
# First failure reason of the running case (see tests/vm/hvtest.h).
export HVTEST_WHY=/tmp/hvtest.why
SPLAT_RE='WARNING: CPU:|BUG:|Oops|general protection fault|Call Trace:|KASAN|kernel BUG|cut here'

say() { echo "hvtest: $*"; }

# fail REASON: end the running case with REASON.
fail() {
	echo "$*" >"$HVTEST_WHY"
	say "$CASE: FAIL: $*"
	exit 1
}

# run CMD...: show a command on the console, then run it.
run() {
	say "\$ $*"
	"$@"
}

# check DESC CMD...: run a test program; if it fails, end the case with
# DESC and the first failure the program reported.
check() {
	desc=$1
	shift
	: >"$HVTEST_WHY"
	run "$@"
	rc=$?
	[ $rc -eq 0 ] && return 0
	why=$(head -n 1 "$HVTEST_WHY")
	fail "$desc: ${why:-exit status $rc}"
}

# The kernel log since the running case began.
dmesg_case() {
	dmesg | sed -n "/hvtest: begin #$CASE_NR /,\$p"
}

# Fail the case if the kernel log since it began has a splat.
no_splat() {
	splat=$(dmesg_case | grep -E "$SPLAT_RE" | head -n 1)
	[ -z "$splat" ] || fail "kernel splat: $splat"
}

# Modules are loaded with hv-insmod (one finit_module call, see
# tests/vm/hv-insmod.c), not busybox insmod, which retries a refused load.
hv_loaded() { grep -q '^hv ' /proc/modules; }

hv_load() {
	hv_loaded && return 0
	[ -f "$HV_KO" ] || fail "$HV_KO is not in the initramfs"
	run hv-insmod "$HV_KO" || fail "insmod hv.ko failed"
	[ -c /dev/hv ] || fail "/dev/hv is missing after insmod"
}

# kvm_load / kvm_unload: the vendor's KVM module and its dependencies, in
# the order mkinitramfs resolved (kvm-amd.list has ccp before kvm-amd).
kvm_modules() { cat "$MODDIR/kvm-$VENDOR.list" 2>/dev/null; }
module_name() { basename "$1" .ko | tr - _; }
module_loaded() { grep -q "^$(module_name "$1") " /proc/modules; }

kvm_load() {
	[ -s "$MODDIR/kvm-$VENDOR.list" ] || fail "no KVM modules for vendor '$VENDOR'"
	for m in $(kvm_modules); do
		module_loaded "$m" && continue
		run hv-insmod "$MODDIR/$m" || fail "insmod $m failed"
	done
	[ -c /dev/kvm ] || fail "/dev/kvm is missing after loading KVM"
}

kvm_unload() {
	for m in $(kvm_modules | tac); do
		module_loaded "$m" || continue
		run rmmod "$(module_name "$m")" || return 1
	done
	return 0
}

# ---------------------------------------------------------------- cases

# load: insmod works, /dev/hv is a char device, no refusal in dmesg.
case_load() {
	if hv_loaded; then
		run rmmod hv || fail "rmmod of a left-over hv failed"
	fi
	[ -f "$HV_KO" ] || fail "$HV_KO is not in the initramfs"
	run hv-insmod "$HV_KO" || fail "insmod hv.ko failed"
	[ -c /dev/hv ] || fail "/dev/hv is not a character device after insmod"
	run ls -l /dev/hv
	say "kernel log of hv:"
	dmesg_case | grep 'hv:'
	refusal=$(dmesg_case | grep 'hv: cannot load' | head -n 1)
	[ -z "$refusal" ] || fail "dmesg: $refusal"
	no_splat
}

# info: hvctl info names the vendor, and its JSON has the features.
json_has() { # KEY VALUE (VALUE as it appears in JSON: "amd", true)
	grep -qE "\"$1\"[[:space:]]*:[[:space:]]*$2" /tmp/info.json ||
		fail "hvctl info --json lacks \"$1\": $2"
}

case_info() {
	hv_load
	run hvctl info >/tmp/info.txt 2>&1
	rc=$?
	cat /tmp/info.txt
	[ $rc -eq 0 ] || fail "hvctl info: exit status $rc"
	grep -iE "^vendor:.*$VENDOR" /tmp/info.txt >/dev/null ||
		fail "hvctl info: its vendor: line does not name $VENDOR"

	run hvctl info --json >/tmp/info.json 2>/tmp/info.err
	rc=$?
	cat /tmp/info.json /tmp/info.err
	[ $rc -eq 0 ] || fail "hvctl info --json: exit status $rc"
	json_has vendor "\"$VENDOR\""
	case $VENDOR in
	amd)	for f in svm npt; do json_has "$f" true; done ;;
	intel)	for f in vmx ept vpid unrestricted_guest; do json_has "$f" true; done ;;
	esac
}

# ioctl: the ABI's answers and errors (tests/vm/hv-ioctl-test.c).
case_ioctl() {
	hv_load
	check "ioctl ABI" hv-ioctl-test abi "$VENDOR"
	no_splat
}

# virt-cpus: hold/release reference counting, every CPU switched on and
# off, and KVM as a witness that the hardware state really changed.
case_virt_cpus() {
	n=$(nproc)
	[ "$n" -ge 2 ] || fail "only $n CPU online; this case needs 2"
	hv_load
	kvm_load
	check "virt-cpus" hv-ioctl-test virt-cpus
	kvm_unload || fail "unloading KVM failed"
	no_splat
}

# kvm-busy: while KVM has a VM (so VMX/SVM on), hv must refuse with EBUSY,
# say so naming KVM, and leave no CPU switched on.
case_kvm_busy() {
	hv_load
	kvm_load
	: >"$HVTEST_WHY"
	run kvm-hold -- hv-ioctl-test hold-expect-busy
	rc=$?
	case $rc in
	0)	;;
	125)	fail "KVM could not create its VM (kvm-hold)" ;;
	*)	fail "while KVM holds: $(head -n 1 "$HVTEST_WHY")" ;;
	esac
	say "kernel log of hv:"
	dmesg_case | grep 'hv:'
	line=$(dmesg_case | grep -E 'hv: .*already' | grep -i kvm | head -n 1)
	[ -n "$line" ] || fail "no 'hv: ... already ...' line naming kvm in dmesg"
	say "hv named the owner: $line"
	check "HOLD after KVM's VM closed" hv-ioctl-test hold-release
	kvm_unload || fail "unloading KVM failed"
	no_splat
}

# reload20: unload and load hv 20 times, holding virtualization each time.
case_reload20() {
	# 20 rounds; 8 under Bochs, where each costs 7 s of CI's longest
	# machine (HVTEST_RELOADS overrides)
	n=20
	[ "$VENDOR" = intel ] && n=8
	n=${HVTEST_RELOADS:-$n}
	i=1
	while [ $i -le $n ]; do
		if hv_loaded; then
			rmmod hv || fail "round $i: rmmod hv failed"
		fi
		[ -e /dev/hv ] && fail "round $i: /dev/hv still exists after rmmod"
		hv_loaded && fail "round $i: hv still loaded after rmmod"
		hv-insmod "$HV_KO" || fail "round $i: insmod hv.ko failed"
		[ -c /dev/hv ] || fail "round $i: /dev/hv missing after insmod"
		: >"$HVTEST_WHY"
		if ! hv-ioctl-test hold-release >/tmp/round.out 2>&1; then
			cat /tmp/round.out
			fail "round $i: $(head -n 1 "$HVTEST_WHY")"
		fi
		say "round $i: unload, load, hold, release: ok"
		i=$((i + 1))
	done
	no_splat
}

# unload-held: rmmod must fail while an fd holds virtualization.
rmmod_refused() { # run by hv-ioctl-test hold-run, while it holds
	if rmmod hv; then
		echo "rmmod hv succeeded while an fd held virtualization" >"$HVTEST_WHY"
		return 1
	fi
	say "rmmod refused, as it must"
	hv_loaded || { echo "hv is gone after the refused rmmod" >"$HVTEST_WHY"; return 1; }
}

case_unload_held() {
	hv_load
	check "rmmod while held" hv-ioctl-test hold-run \
		sh -c ". /hvtest/cases.sh && rmmod_refused"
	[ -c /dev/hv ] || fail "/dev/hv vanished after the refused rmmod"
	run rmmod hv || fail "rmmod hv failed after the holder closed /dev/hv"
	[ -e /dev/hv ] && fail "/dev/hv still exists after rmmod"
	hv_load
	no_splat
}

# refuse (machine without SVM): insmod fails with one line naming the cause.
case_refuse() {
	hv_loaded && fail "hv is already loaded"
	[ -f "$HV_KO" ] || fail "$HV_KO is not in the initramfs"
	run hv-insmod "$HV_KO" && fail "insmod hv.ko succeeded on a CPU without hardware virtualization"
	say "kernel log of hv:"
	dmesg_case | grep 'hv:'
	n=$(dmesg_case | grep -c 'hv: cannot load: ')
	line=$(dmesg_case | grep 'hv: cannot load: ' | head -n 1)
	[ "$n" -eq 1 ] || fail "expected one 'hv: cannot load: ' line in dmesg, found $n"
	echo "$line" | grep -qiE 'svm|amd-v|vmx|vt-x' ||
		fail "the refusal does not name the missing feature: $line"
	[ -e /dev/hv ] && fail "/dev/hv exists"
	hv_loaded && fail "hv is loaded"
	no_splat
}

# rig-triple (in no list; a check of the rig itself, by hand on amd):
# the machine's own CPU triple-faults, as Linux's "reboot=t" does it (an
# empty IDT, then INT3). tests/rig/vmtest must see "triplefault", boot
# again for the cases left, find this one interrupted twice, fail it and
# run the rest:
#   make vmtest-amd VMTEST_CASES=load,rig-triple,info
case_rig_triple() {
	[ -w /sys/kernel/reboot/type ] || fail "no /sys/kernel/reboot/type"
	echo triple >/sys/kernel/reboot/type || fail "cannot set the reboot type"
	sync
	reboot -f
	sleep 30
	fail "still running after reboot -f with reboot type triple"
}

# demo (make demo): show hv working.
case_demo() {
	hv_loaded || run insmod "$HV_KO" || fail "insmod hv.ko failed"
	run hvctl info || fail "hvctl info failed"
	run hvctl info --json || fail "hvctl info --json failed"
	# A guest on hv: the tests' Multiboot kernel prints through its UART
	# and leaves through the debug-exit port with the code on its command
	# line; hvctl run exits with the guest's status, (7 << 1) | 1 = 15.
	echo "a module, handed over by hvctl" >/tmp/demo-module.txt
	run hvctl run --mem 16M --multiboot /hvtest/guests/mbkernel.elf \
		--module /tmp/demo-module.txt,demo-module \
		--cmdline "exit=7 hello from the demo" demo </dev/null
	rc=$?
	say "hvctl run exited with status $rc"
	[ $rc -eq 15 ] || fail "hvctl run: exit status $rc, want 15"
	# Snapshot and restore: a counting guest is snapshotted and stopped,
	# destroyed, and brought back from the file; it counts on.
	run hvctl create counter --mem 8M --image /hvtest/guests/looper.bin &&
		run hvctl start counter || fail "starting the counter failed"
	sleep 1
	run hvctl snapshot counter /tmp/counter.hv --stop ||
		fail "hvctl snapshot failed"
	hvctl console counter --no-follow </dev/null | tail -n 2
	echo
	run hvctl destroy counter &&
		run hvctl restore /tmp/counter.hv --start ||
		fail "hvctl restore failed"
	sleep 1
	run hvctl stop counter
	hvctl console counter --no-follow </dev/null | head -n 3
	echo
	run hvctl destroy counter
	echo
	# Linux on hv: the machine's own Debian kernel, 2 vCPUs, a busybox
	# initramfs (tests/linux); a command typed on its console is
	# answered, then it powers off.
	lx_setup
	lx_create linux 2 "hvl.mode=interactive hvl.nocheck=1"
	mkfifo "$LX_DIR/demo.fifo"
	lx_start linux "$LX_DIR/demo.fifo"
	exec 3>"$LX_DIR/demo.fifo"
	lx_wait_line linux "Enter 'help'"
	say "typing: uname -sr; nproc; echo answer \$((6*7))"
	echo 'uname -sr; nproc; echo answer $((6*7))' >&3
	lx_wait_line linux 'answer 42$'
	echo 'poweroff -f' >&3
	lx_wait_stop linux
	exec 3>&-
	cut -d' ' -f2- "$LX_DIR/linux.con"
	echo
	run hvctl info linux
	lx_powered_off linux
	run hvctl destroy linux
	echo
}

# bench (make bench, tests/bench/run-bench): hv against KVM with the same
# guest work (tests/bench/hv-bench.c). Its options come from the kernel
# command line as hvtest.bench_args=-n,1000,-r,31 (commas for spaces).
case_bench() {
	args=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^hvtest\.bench_args=//p' | tr , ' ')
	# Under Bochs the kernel moves to the TSC clocksource about a second
	# after boot; let that happen before the first sample, not during one.
	cs=/sys/devices/system/clocksource/clocksource0
	i=0
	while [ $i -lt 20 ] && grep -qw tsc "$cs/available_clocksource" &&
	      ! grep -qx tsc "$cs/current_clocksource"; do
		sleep 0.5
		i=$((i + 1))
	done
	say "clocksource: $(cat "$cs/current_clocksource")"
	hv_load
	kvm_load
	check "hv-bench" hv-bench $args
	kvm_unload || fail "unloading KVM failed"
	# Snapshots, restores, clones (hv only): hvtest.snapbench_args.
	sargs=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^hvtest\.snapbench_args=//p' | tr , ' ')
	check "hv-snapbench" hv-snapbench $sargs
	no_splat
}

# smoke: the machine itself (for trying the rig without hv): CPUs, the
# virtualization flag, and KVM creating a VM.
case_smoke() {
	say "$(uname -a)"
	say "$(nproc) CPUs online; flags:" $(grep -m1 -woE 'svm|vmx|npt|ept|vpid' /proc/cpuinfo | sort -u)
	kvm_load
	check "KVM creates a VM" kvm-hold -- true
	kvm_unload || fail "unloading KVM failed"
}

# rigtest-*: planted failures for tests/rig/selftest.
case_rigtest_pass() { say "nothing to do"; }
case_rigtest_fail() { fail "planted failure"; }
case_rigtest_splat() {
	# sysrq l: backtrace of all CPUs, which prints "Call Trace:".
	echo 1 >/proc/sys/kernel/sysrq
	echo l >/proc/sysrq-trigger
	sleep 1
}
case_rigtest_hang() { say "hanging"; while :; do sleep 1; done; }

# ------------------------------------------------------------- VM cases

# vm-*: guests (tests/guests, packed in /hvtest/guests) run under hv by
# a test program through libhv: hv-guest-test (guest behaviour),
# hv-life-test (signals, two VMs, cycles, bad ioctls), hv-mem-test (dirty
# logging), hv-clone-test (clones), hv-lazy-test (lazy RAM),
# hv-state-test (vCPU and device state); each file says what its cases
# check.  Which machine runs which:
# CASES_VM_* in tests/rig/vmtest.
vm_case() { # CASE [PROGRAM, default hv-guest-test]
	hv_load
	export HV_GUESTS=/hvtest/guests
	check "$1" "${2:-hv-guest-test}" "$1" "$VENDOR"
	no_splat
}

case_vm_modes()     { vm_case modes; }
case_vm_memory()    { vm_case memory; }
case_vm_mmio()      { vm_case mmio; }
case_vm_cpuid()     { vm_case cpuid; }
case_vm_msr()       { vm_case msr; }
case_vm_hypercall() { vm_case hypercall; }
case_vm_triple()    { vm_case triple; }
case_vm_virtinsn()  { vm_case virtinsn; }
case_vm_sigalrm()   { vm_case sigalrm hv-life-test; }
case_vm_twovms()    { vm_case twovms hv-life-test; }
case_vm_badargs()   { vm_case badargs hv-life-test; }
case_vm_badstate()  { vm_case badstate; }
case_vm_dirtylog() { vm_case dirtylog hv-mem-test; }
case_vm_dirtyrun() { vm_case dirtyrun hv-mem-test; }
case_vm_cloneopen() { vm_case cloneopen hv-clone-test; }
case_vm_clone()    { vm_case clone hv-clone-test; }
case_vm_lazy()     { vm_case lazy hv-lazy-test; }
case_vm_lazyfail() { vm_case lazyfail hv-lazy-test; }
case_vm_lazyrestore() { vm_case restore hv-lazy-test; }
case_vm_lazycorrupt() { vm_case corrupt hv-lazy-test; }

# vm-state: HV_VM_GET/SET_VCPU_STATE and _DEVICE_STATE (hv-state-test)
case_vm_state() {
	hv_load
	export HV_GUESTS=/hvtest/guests
	check state hv-state-test "$VENDOR"
	no_splat
}
# Under Bochs one cycle takes some 2 s of wall-clock time: fewer there.
case_vm_cycles() {
	[ "$VENDOR" = intel ] && export HVTEST_CYCLES=${HVTEST_CYCLES:-50}
	vm_case cycles hv-life-test
}

# ---------------------------------------------------------------- runner

# The one line of a case's reason, from $HVTEST_WHY or the exit status.
case_reason() { # EXIT-STATUS
	reason=$(head -n 1 "$HVTEST_WHY" 2>/dev/null)
	if [ "$1" -eq 143 ] || [ "$1" -eq 137 ]; then
		reason="timed out after ${CASE_TIMEOUT}s${reason:+ ($reason)}"
	fi
	echo "${reason:-exit status $1}"
}

# emu_fault NAME NR: the kernel log since case NR began shows one of the
# QEMU faults docs/testing.md describes ("QEMU's threads"), both a guest
# page walk that fails where nothing changed, as hv's managed mode
# reports them (managed.c, hv_managed_report). Only QEMU:
# - a Linux guest's triple fault on a #PF reading its own IDT in the
#   cpu_entry_area: "hv: VM ... triple fault at ... cr2 fffffe0000000xxx";
# - a nested page fault on the top entry of the guest's PML4 (CR3 +
#   0xff8) with CR3 outside the guest's RAM, which hv can only take for
#   MMIO it cannot decode: "internal error at ... cr3 C" then "internal
#   error 1, data" with 16 instruction bytes and the GPA C + 0xff8.
emu_fault() {
	[ "$VENDOR" = amd ] || return 1
	dmesg | sed -n "/hvtest: begin #$2 $1\$/,\$p" | awk '
	/hv: VM .* triple fault at .* cr2 fffffe0000000[0-9a-f][0-9a-f][0-9a-f] / { hit = 1 }
	/hv: VM .* internal error at / {
		for (i = 1; i < NF; i++)
			if ($i == "cr3")
				cr3 = $(i + 1)
	}
	/hv: VM .* internal error 1, data / && cr3 != "" {
		for (i = 1; i <= NF; i++)
			if ($i == "data")
				d = i
		gpa = ""
		for (i = d + 24; i >= d + 17; i--)
			gpa = gpa $i
		sub(/^0+/, "", gpa)
		want = cr3
		sub(/[0-9a-f][0-9a-f][0-9a-f]$/, "ff8", want)
		if (gpa == want)
			hit = 1
	}
	END { exit !hit }'
}

# The kernel stacks of the rig's programs still running (after a case's
# timeout): what each waits for, hv's functions by name.
stuck_stacks() {
	for d in /proc/[0-9]*; do
		exe=$(readlink "$d/exe" 2>/dev/null) || continue
		case "$exe" in
		/hvtest/bin/*) ;;
		*) continue ;;
		esac
		say "still running: ${d#/proc/} ${exe##*/} ($(cat "$d/wchan" 2>/dev/null))"
		for t in "$d"/task/*; do
			sed "s|^|  ${t##*/}: |" "$t/stack" 2>/dev/null
		done
	done
}

run_case() { # NAME
	CASE=$1
	CASE_NR=$((CASE_NR + 1))
	fn=case_$(echo "$CASE" | tr - _)
	echo "hvtest: begin #$CASE_NR $CASE" >/dev/kmsg
	say "======== $CASE ========"
	: >"$HVTEST_WHY"
	if ! type "$fn" >/dev/null 2>&1; then
		echo "HVTEST-RESULT $CASE FAIL no such case"
		return
	fi
	start=$(cut -d' ' -f1 /proc/uptime)
	export CASE CASE_NR VENDOR
	tries=0
	while :; do
		timeout "$CASE_TIMEOUT" sh -c ". /hvtest/cases.sh && $fn"
		rc=$?
		# Timed out: where the rig's programs left behind wait, in
		# the kernel (a hang must say where it is)
		[ $rc -eq 124 ] && stuck_stacks
		# Leave the machine as the next case expects it.
		# Every program of the rig's (a case that timed out may leave
		# one running a guest: pc-hlt once kept hv-pc-test, its VM and
		# hv's module reference to the end of the machine), and gdb.
		for sig in TERM KILL; do
			for prog in /hvtest/bin/* gdb; do
				killall -q -$sig "${prog##*/}" 2>/dev/null
			done
			[ $sig = TERM ] && [ $rc -ne 0 ] && sleep 1
		done
		kvm_unload >/dev/null 2>&1
		# A failed case's VMs go, so that one failure is not every
		# later case's too (a passing case must clean up itself: the
		# next ones check that nothing was left).
		if [ $rc -ne 0 ] && hv_loaded && [ -n "$(mg_refs 2>/dev/null)" ]; then
			say "$CASE: destroying the VMs it left: $(mg_refs | tr '\n' ' ')"
			mg_destroy_all
		fi
		# The emulator's own fault, once per case: run it again; a
		# second fault (or any other failure) stands.
		[ $rc -ne 0 ] && [ $tries -eq 0 ] && emu_fault "$CASE" "$CASE_NR" || break
		tries=1
		say "$CASE: $(case_reason $rc)"
		say "$CASE: that was a QEMU page-walk fault (docs/testing.md, \"QEMU's threads\"): running the case once more"
		echo "hvtest: begin #$CASE_NR $CASE (again)" >/dev/kmsg
		: >"$HVTEST_WHY"
	done
	end=$(cut -d' ' -f1 /proc/uptime)
	say "$CASE took $(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')s (guest time)"
	if [ $rc -eq 0 ]; then
		echo "HVTEST-RESULT $CASE PASS"
	else
		echo "HVTEST-RESULT $CASE FAIL $(case_reason $rc)"
	fi
}

hvtest_main() {
	VENDOR=none
	CASES=
	CASE_TIMEOUT=300
	CASE_NR=0
	for arg in $(cat /proc/cmdline); do
		case $arg in
		hvtest.vendor=*)	VENDOR=${arg#*=} ;;
		hvtest.cases=*)		CASES=$(echo "${arg#*=}" | tr , ' ') ;;
		hvtest.case_timeout=*)	CASE_TIMEOUT=${arg#*=} ;;
		esac
	done
	say "vendor $VENDOR, $(nproc) CPUs, kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime)s"
	echo "HVTEST-PLAN" $CASES
	for c in $CASES; do
		run_case "$c"
	done
	echo "HVTEST-END"
	sync
	poweroff -f
}

# The other families: managed VMs and hvctl (cases-managed.sh, case_mg_*),
# snapshots (cases-snapshot.sh, case_sn_*, case_xv_*), and the rest.
for f in /hvtest/cases-*.sh; do
	. "$f"
done
