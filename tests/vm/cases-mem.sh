# SPDX-License-Identifier: GPL-2.0
#
# cases-mem.sh: guest RAM accounting and limits, and a failed ADD_RAM
# (issue 11, defects 1 and 2); sourced by cases.sh.  The C side is
# tests/vm/hv-memacct-test.c.
#
#   mem-repro     the issue's repro: an unprivileged user asks for two VMs
#                 of 760 + 78 MiB on the 1 GiB machine (380 + 39 on the
#                 512 MiB one): the big one is refused with hvctl naming
#                 the limit, the machine lives on, root then fills 1/4 of
#                 RAM and gets it back, and root's own huge VM is refused
#                 for the host's reserve
#   mem-caps      user_mem_max / user_vms_max hit as a user: ENOMEM, clear
#                 hvctl messages, nothing changed; HV_GET_USAGE; clones
#   mem-memcg     a VM's RAM is charged to its creator's memory cgroup;
#                 at memory.max ADD_RAM fails with ENOMEM, leaving nothing
#   mem-cowmemcg  copies made on a managed clone's kernel thread are
#                 charged to the owner's cgroup
#   mem-lazymemcg lazy RAM is charged to the owner's cgroup as it is
#                 given; a fill over memory.max, or with each of its
#                 allocations failing in turn, is ENOMEM and leaves the
#                 VM consistent
#   mem-addfail   ADD_RAM with each of its allocations failing in turn
#                 (debugfs hv/fail_nth) while a vCPU exists: the vCPU
#                 runs on over the old RAM
#
# CASES_H_MEM in tests/rig/vmtest.

MEM_UID=1000
MEM_PARAMS=/sys/module/hv/parameters
MEM_CG=/sys/fs/cgroup/hvt

# mem_open_to_users: no udev, no group hv in the initramfs: open the
# device to all, and let other users reach /hvtest/bin (mkinitramfs packs
# the root as its 0700 staging directory).
mem_open_to_users() {
	chmod 0666 /dev/hv
	chmod 0755 /
}

# mem_user_hvctl OUT ARGS...: hvctl ARGS as $MEM_UID; stdout and stderr
# to OUT (shown); returns hvctl's exit status.
mem_user_hvctl() {
	out=$1
	shift
	say "(as uid $MEM_UID) hvctl $*"
	as-user $MEM_UID hvctl "$@" </dev/null >"$out" 2>&1
	mem_rc=$?
	sed 's/^/  /' "$out" | head -n 8
	return $mem_rc
}

mem_params_reset() {
	echo 0 >$MEM_PARAMS/user_mem_max
	echo 64 >$MEM_PARAMS/user_vms_max
	echo 0 >$MEM_PARAMS/mem_reserve
}

# mem_none_left: no VM left, nothing charged to anyone.
mem_none_left() {
	n=$(hvctl list 2>/dev/null | grep -vc '^NAME')
	[ "$n" -eq 0 ] || fail "$1: $n VMs left: $(hvctl list | tail -n +2 | head -n 3)"
}

case_mem_repro() {
	hv_load
	mem_open_to_users
	mem_params_reset
	total=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	if [ "$total" -gt 700 ]; then big=760M small=78M; else big=380M small=39M; fi
	say "machine has ${total} MiB; uid $MEM_UID asks for $big + $small"
	mem_user_hvctl /tmp/m.out info
	grep -q "uid $MEM_UID" /tmp/m.out || fail "hvctl info does not show the caller's usage"

	mem_user_hvctl /tmp/m.out create big --mem $big &&
		fail "uid $MEM_UID: a VM of $big on a ${total} MiB machine was created"
	grep -qE "^hvctl: create big: .*over uid $MEM_UID's limit \([0-9]+ MiB, hv.user_mem_max\)" /tmp/m.out ||
		fail "create big: not the limit's message: $(head -n 1 /tmp/m.out)"
	mem_user_hvctl /tmp/m.out create small --mem $small ||
		fail "uid $MEM_UID: create small ($small) failed: $(head -n 1 /tmp/m.out)"
	dmesg_case | grep -q 'Out of memory' &&
		fail "the OOM killer ran: $(dmesg_case | grep 'Out of memory' | head -n 1)"

	# root allocates a quarter of RAM (tmpfs), and gives it back
	fill=$((total / 4))
	run dd if=/dev/zero of=/tmp/mem-fill bs=1M count=$fill 2>&1 | tail -n 1
	[ "$(($(stat -c %s /tmp/mem-fill) >> 20))" -eq $fill ] ||
		fail "root could not allocate $fill MiB after the refused VM"
	rm -f /tmp/mem-fill
	say "root allocated and freed $fill MiB"

	# root is exempt from the per-user limit, not from the host reserve
	say "\$ hvctl create huge --mem $((total - 32))M"
	hvctl create huge --mem $((total - 32))M </dev/null >/tmp/m.out 2>&1 &&
		fail "root: a VM of $((total - 32)) MiB was created"
	cat /tmp/m.out
	grep -qE "^hvctl: create huge: .*host's reserve \([0-9]+ MiB, hv.mem_reserve\)" /tmp/m.out ||
		fail "create huge: not the reserve's message: $(head -n 1 /tmp/m.out)"
	dmesg_case | grep -q 'Out of memory' &&
		fail "the OOM killer ran: $(dmesg_case | grep 'Out of memory' | head -n 1)"

	mem_user_hvctl /tmp/m.out destroy small || fail "destroy small failed"
	mem_none_left "at the end"
	no_splat
}

case_mem_caps() {
	hv_load
	mem_open_to_users
	mem_params_reset
	run sh -c "echo 8 >$MEM_PARAMS/user_mem_max && echo 2 >$MEM_PARAMS/user_vms_max"
	export HV_GUESTS=/hvtest/guests
	say "(as uid $MEM_UID) hv-memacct-test caps"
	: >"$HVTEST_WHY"
	chmod 0666 "$HVTEST_WHY"
	as-user $MEM_UID hv-memacct-test caps "$VENDOR"
	rc=$?
	[ $rc -eq 0 ] || { mem_params_reset; fail "caps: $(head -n 1 "$HVTEST_WHY")"; }

	# What hvctl says when each limit is hit
	mem_user_hvctl /tmp/m.out create web --mem 16M &&
		fail "create web: 16M over an 8 MiB limit was created"
	grep -qE "^hvctl: create web: guest RAM over uid $MEM_UID's limit \(8 MiB, hv.user_mem_max\)" /tmp/m.out ||
		fail "create web: not the limit's message: $(head -n 1 /tmp/m.out)"
	mem_user_hvctl /tmp/m.out create a1 --mem 1M || fail "create a1 failed"
	mem_user_hvctl /tmp/m.out create a2 --mem 1M || fail "create a2 failed"
	mem_user_hvctl /tmp/m.out create a3 --mem 1M &&
		fail "create a3: a third VM with user_vms_max=2 was created"
	grep -qE "^hvctl: create a3: uid $MEM_UID already holds 2 VMs \(hv.user_vms_max\)" /tmp/m.out ||
		fail "create a3: not the VM limit's message: $(head -n 1 /tmp/m.out)"
	mem_user_hvctl /tmp/m.out info
	grep -qE "uid $MEM_UID: 2 MiB of 8 MiB, 2 of 2 VMs" /tmp/m.out ||
		fail "hvctl info: usage line missing or wrong"
	# root is exempt
	run hvctl create r1 --mem 16M </dev/null || fail "root: create r1 --mem 16M failed"
	run hvctl destroy r1 </dev/null
	mem_user_hvctl /tmp/m.out destroy a1
	mem_user_hvctl /tmp/m.out destroy a2
	mem_params_reset
	mem_none_left "at the end"
	no_splat
}

# mem_cgroup: cgroup v2 with the memory controller, and a child $MEM_CG.
mem_cgroup() {
	[ -d /sys/fs/cgroup ] || fail "no /sys/fs/cgroup"
	[ -f /sys/fs/cgroup/cgroup.controllers ] ||
		run mount -t cgroup2 none /sys/fs/cgroup || fail "mount cgroup2 failed"
	grep -qw memory /sys/fs/cgroup/cgroup.controllers ||
		fail "no memory controller: $(cat /sys/fs/cgroup/cgroup.controllers)"
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control ||
		fail "cannot enable the memory controller"
	[ -d $MEM_CG ] || mkdir $MEM_CG || fail "mkdir $MEM_CG failed"
	echo max >$MEM_CG/memory.max
}

# mem_in_cgroup CASE: hv-memacct-test CASE inside $MEM_CG.
mem_in_cgroup() {
	hv_load
	mem_cgroup
	export HV_GUESTS=/hvtest/guests HVT_CGROUP=$MEM_CG
	check "$1" sh -c "echo \$\$ >$MEM_CG/cgroup.procs && exec hv-memacct-test $1 $VENDOR"
	mem_none_left "after $1"
	no_splat
}

case_mem_memcg() { mem_in_cgroup memcg; }
case_mem_cowmemcg() { mem_in_cgroup cowmemcg; }
# mem-lazymemcg needs the cgroup and fail_nth (debugfs) both
case_mem_lazymemcg() {
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts ||
		run mount -t debugfs none /sys/kernel/debug || fail "mount debugfs failed"
	mem_in_cgroup lazymemcg
}

case_mem_addfail() {
	hv_load
	[ -d /sys/kernel/debug/hv ] ||
		run mount -t debugfs none /sys/kernel/debug || fail "mount debugfs failed"
	[ -f /sys/kernel/debug/hv/fail_nth ] || fail "no /sys/kernel/debug/hv/fail_nth"
	export HV_GUESTS=/hvtest/guests
	check addfail hv-memacct-test addfail "$VENDOR"
	no_splat
}
