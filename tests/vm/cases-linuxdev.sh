# SPDX-License-Identifier: GPL-2.0
#
# cases-linuxdev.sh: bring-up of a stock Linux under hv (issue 14), sourced
# by cases.sh.  Not part of the default case lists: run them by name,
#   make vmtest-amd VMTEST_CASES=linuxdev-1
# They boot the rig's own kernel (/hvtest/linux/vmlinuz) with the test
# initramfs (/hvtest/linux/initrd.gz, tests/linux/mkguest) and print the
# whole guest console and, if it has not stopped, the vCPUs' state, so a
# failed boot can be read from the log.  The real cases are
# tests/vm/cases-linux.sh.
#
#   linuxdev-1, -2, -4   that many vCPUs, 256 MiB, nokaslr

# Seconds (guest time) to wait for the guest's poweroff: Bochs is slow.
lxdev_timeout() {
	case $VENDOR in
	intel) echo 1500 ;;
	*) echo 150 ;;
	esac
}

lxdev_boot() { # VCPUS
	hv_load
	[ -f /hvtest/linux/vmlinuz ] || fail "no /hvtest/linux/vmlinuz"
	n=$1
	name=lxdev$n
	out=/tmp/$name.out
	hvctl destroy --force "$name" >/dev/null 2>&1
	t0=$(cut -d' ' -f1 /proc/uptime)
	run hvctl create "$name" --kernel /hvtest/linux/vmlinuz \
		--initrd /hvtest/linux/initrd.gz --mem 256M --vcpus "$n" \
		--cmdline "console=ttyS0 earlyprintk=ttyS0 nokaslr hvl.cpus=$n ${LXDEV_CMDLINE:-}" ||
		fail "hvctl create failed"
	run hvctl start "$name" || fail "hvctl start failed"
	hvctl console "$name" >"$out" 2>&1 &
	cpid=$!
	i=0
	limit=$(lxdev_timeout)
	while [ $i -lt "$limit" ]; do
		hvctl info "$name" 2>/dev/null | grep -q '^state: *stopped' && break
		grep -q 'HVLINUX-POWEROFF' "$out" && sleep 2
		grep -q 'PANIC: early exception\|Kernel panic' "$out" && break
		sleep 1
		i=$((i + 1))
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	say "$name: waited ${i}s (uptime $t0 -> $t1)"
	hvctl info "$name"
	if ! hvctl info "$name" | grep -q '^state: *stopped'; then
		hvctl pause "$name"
		hv-dump "$name" 2>&1 | grep -v -i 'hash\|^mem' | head -n 120
	fi
	kill "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	say "---- guest console ----"
	# defanged, as cases-linux.sh's lx_defang: the rig would take the
	# guest's splats and panics for this kernel's
	tr -d '\r' <"$out" | sed -e 's/WARNING:/WARNING_:/g; s/BUG:/BUG_:/g' \
		-e 's/kernel BUG/kernel_BUG/g; s/Oops/Oo_ps/g' \
		-e 's/general protection fault/general_protection_fault/g' \
		-e 's/Call Trace/Call_Trace/g; s/cut here/cut_here/g' \
		-e 's/Kernel panic/Kernel_panic/g; s/soft lockup/soft_lockup/g' \
		-e 's/detected stall/detected_stall/g'
	say "---- end of guest console ----"
	hvctl destroy --force "$name"
	grep -q 'HVLINUX-UP' "$out" || fail "the guest did not reach /init"
	grep -q 'HVLINUX-CHECKS ok=[0-9]* fail=0' "$out" ||
		fail "the guest's checks failed"
}

case_linuxdev_1() { lxdev_boot 1; }
case_linuxdev_2() { lxdev_boot 2; }
case_linuxdev_4() { lxdev_boot 4; }
