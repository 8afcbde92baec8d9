# SPDX-License-Identifier: GPL-2.0
#
# cases-bench.sh: the Linux boot benchmark case (make bench), sourced by
# tests/vm/cases.sh from /hvtest/cases-bench.sh. tests/bench/run-bench
# packs it, with the guest kernel and initramfs at /hvtest/linux/, into
# the bench machines' initramfs only.

# bench-linux: boot-to-init of the same Linux on hv and on KVM
# (tests/bench/kvm-linux.c), interleaved. Options from the kernel command
# line as hvtest.linuxbench_args=-c,1,2,-r,3 (commas for spaces; a "+"
# stands for a comma inside an option: -c,1+2).
case_bench_linux() {
	args=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^hvtest\.linuxbench_args=//p' |
		tr , ' ' | tr + ,)
	[ -r /hvtest/linux/vmlinuz ] || fail "no /hvtest/linux/vmlinuz in the initramfs"
	hv_load
	kvm_load
	check "kvm-linux" kvm-linux $args bench
	kvm_unload || fail "unloading KVM failed"
	no_splat
}

# bench-linux-console: one boot of the same guest on KVM with its whole
# kernel log on the console (no "quiet"), 2 vCPUs: where the boot time
# goes, by the guest's own printk time stamps. Not a measure.
case_bench_linux_console() {
	[ -r /hvtest/linux/vmlinuz ] || fail "no /hvtest/linux/vmlinuz in the initramfs"
	kvm_load
	check "kvm-linux boot" kvm-linux -c 2 -t 300 \
		-a "console=ttyS0 panic=-1 hvl.nocheck=1 printk.time=1" boot
	kvm_unload || fail "unloading KVM failed"
	no_splat
}

# bench-trace: the cost of the tracepoints (kmod/hv_trace.h,
# docs/tracing.md) on a CPUID exit, in three builds of hv.ko in the same
# boot: compiled out (/hvtest/hv-notrace.ko, make HV_TRACE=0; run-bench
# packs it), compiled in and off (/hvtest/hv.ko), and compiled in and on
# (events/hv/enable = 1: hv_entry, hv_exit, hv_cpuid per exit, into the
# top tracefs buffer).  Each is hv-bench's cpuid measure (hv against KVM
# in the same boot, so the hv/KVM ratio cancels the machine's drift);
# options as hvtest.tracebench_args= (default -m,cpuid,-n,1000,-r,11).
# One TRACEBENCH line for run-bench; a figure never fails the case.
TB_FS=/sys/kernel/tracing

case_bench_trace() {
	args=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^hvtest\.tracebench_args=//p' | tr , ' ')
	[ -n "$args" ] || args="-m cpuid -n 1000 -r 11"
	[ -r /hvtest/hv-notrace.ko ] || fail "no /hvtest/hv-notrace.ko (make bench builds it)"
	[ -d $TB_FS/instances ] || mount -t tracefs nodev $TB_FS || fail "cannot mount tracefs"
	kvm_load
	line="TRACEBENCH $VENDOR cpuid_us"
	for cfg in out off on; do
		if hv_loaded; then
			run rmmod hv || fail "rmmod hv failed"
		fi
		ko=$HV_KO
		[ $cfg = out ] && ko=/hvtest/hv-notrace.ko
		run hv-insmod $ko || fail "insmod $ko failed"
		if [ $cfg = out ]; then
			[ -d $TB_FS/events/hv ] && fail "hv-notrace.ko has tracepoints"
		else
			[ -d $TB_FS/events/hv ] || fail "hv.ko has no tracepoints"
		fi
		if [ $cfg = on ]; then
			echo >$TB_FS/trace
			echo 1 >$TB_FS/events/hv/enable || fail "cannot enable events/hv"
		fi
		# shellcheck disable=SC2086
		hv-bench $args >/tmp/tb.out 2>&1
		rc=$?
		sed "s/^/bench-trace $cfg: /" /tmp/tb.out
		[ $rc = 0 ] || fail "hv-bench ($cfg): exit status $rc"
		if [ $cfg = on ]; then
			echo 0 >$TB_FS/events/hv/enable
			n=$(grep -c ' hv_exit: ' $TB_FS/trace)
			say "tracing on: $n hv_exit lines in the buffer"
			[ "$n" -gt 0 ] || fail "tracing was on, but no hv_exit event"
			echo >$TB_FS/trace
		fi
		set -- $(sed -n 's/^BENCH .* cpuid_us hv=\([0-9.]*\) kvm=\([0-9.]*\) ratio=\([0-9.]*\) .*/\1 \2 \3/p' /tmp/tb.out)
		[ $# = 3 ] || fail "hv-bench ($cfg) printed no cpuid_us figures"
		line="$line hv_$cfg=$1 kvm_$cfg=$2 ratio_$cfg=$3"
	done
	run rmmod hv
	hv_load
	kvm_unload || fail "unloading KVM failed"
	echo "$line"
	no_splat
}
