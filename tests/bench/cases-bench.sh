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
