/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv-guest-test badargs: malformed VM and vCPU ioctls.  Each must fail
 * with its exact errno and leave no trace: the VM list, the VM's
 * GET_INFO, the vCPU's GET_SREGS / GET_CPUID are compared before and
 * after.  Included once, by tests/vm/hv-guest-test.c (the rig builds one
 * program per .c file).
 */

/* A pointer no ioctl may read or write: a PROT_NONE page. */
static void *bad_page(void)
{
	static void *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (page == MAP_FAILED)
			page = (void *)8;
	}
	return page;
}

static void badargs_create(int fd)
{
	struct hv_vm_create c;
	int before = hvtest_vm_count(hv), r;
	char dup[HV_NAME_LEN];

	expect_errno(ioctl(fd, HV_CREATE_VM, NULL), EFAULT, "CREATE_VM NULL");
	expect_errno(ioctl(fd, HV_CREATE_VM, bad_page()), EFAULT,
		     "CREATE_VM unreadable pointer");

	memset(&c, 0, sizeof(c));
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL, "CREATE_VM name \"\"");
	memset(c.name, 'a', sizeof(c.name));
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM name of 32 bytes, no NUL");
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "bad name");
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM name \"bad name\"");
	strcpy(c.name, "a/b");
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM name \"a/b\"");
	strcpy(c.name, "tab\there");
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM name with a tab");
	strcpy(c.name, "caf\xc3\xa9");
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM name with UTF-8");

	snprintf(dup, sizeof(dup), "hvt-bad-%d", (int)getpid());
	memset(&c, 0, sizeof(c));
	strcpy(c.name, dup);
	c.flags = 0x80000000;
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM unknown flag");
	c.flags = 0;
	c.pad = 1;
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL, "CREATE_VM pad != 0");
	c.pad = 0;
	c.reserved[3] = 1;
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EINVAL,
		     "CREATE_VM reserved[3] != 0");
	expect_eq(hvtest_vm_count(hv), before, "VMs listed after the refused creates");

	/* Duplicate: create one, then the same name again. */
	c.reserved[3] = 0;
	c.flags = HV_VM_DESTROY_ON_CLOSE;
	r = ioctl(fd, HV_CREATE_VM, &c);
	if (!expect_success(r, "CREATE_VM (destroy on close)"))
		return;
	expect_errno(ioctl(fd, HV_CREATE_VM, &c), EEXIST,
		     "CREATE_VM duplicate name");
	expect_eq(hvtest_vm_count(hv), before + 1, "VMs listed with one made");
	close(r);
	expect_eq(hvtest_vm_count(hv), before,
		  "VMs listed after closing a destroy-on-close VM");
}

static void badargs_open_list(int fd, const char *existing)
{
	struct hv_vm_open o;
	struct hv_vm_list l;

	expect_errno(ioctl(fd, HV_OPEN_VM, NULL), EFAULT, "OPEN_VM NULL");
	memset(&o, 0, sizeof(o));
	strcpy(o.name, "hvt-no-such-vm");
	expect_errno(ioctl(fd, HV_OPEN_VM, &o), ENOENT, "OPEN_VM unknown name");
	memset(o.name, 'a', sizeof(o.name));
	expect_errno(ioctl(fd, HV_OPEN_VM, &o), EINVAL,
		     "OPEN_VM name without NUL");
	memset(&o, 0, sizeof(o));
	strcpy(o.name, existing);
	o.reserved[0] = 1;
	expect_errno(ioctl(fd, HV_OPEN_VM, &o), EINVAL,
		     "OPEN_VM reserved[0] != 0");
	o.reserved[0] = 0;
	o.flags = 0x80000000;
	expect_errno(ioctl(fd, HV_OPEN_VM, &o), EINVAL,
		     "OPEN_VM unknown flag");
	o.flags = 0;
	o.owner_uid = 1;
	expect_errno(ioctl(fd, HV_OPEN_VM, &o), EINVAL,
		     "OPEN_VM owner_uid without HV_OPEN_OWNER");
	o.owner_uid = 0;

	expect_errno(ioctl(fd, HV_LIST_VMS, NULL), EFAULT, "LIST_VMS NULL");
	memset(&l, 0, sizeof(l));
	l.capacity = 4;
	l.entries = (uintptr_t)bad_page();
	expect_errno(ioctl(fd, HV_LIST_VMS, &l), EFAULT,
		     "LIST_VMS unwritable entries (a VM exists)");
	memset(&l, 0, sizeof(l));
	l.reserved[0] = 1;
	expect_errno(ioctl(fd, HV_LIST_VMS, &l), EINVAL,
		     "LIST_VMS reserved[0] != 0");
}

static void expect_mem(int vmfd, uint64_t mem, const char *when)
{
	struct hv_vm_info info;
	char what[128];

	memset(&info, 0, sizeof(info));
	if (ioctl(vmfd, HV_VM_GET_INFO, &info) < 0) {
		fail("GET_INFO: %s", strerror(errno));
		return;
	}
	snprintf(what, sizeof(what), "mem_size after %s", when);
	expect_eq(info.mem_size, mem, what);
}

static void badargs_ram(int vmfd)
{
	static const struct {
		uint64_t gpa, size;
		const char *what;
	} bad[] = {
		{ 0x400000, 0, "size 0" },
		{ 0x400800, 0x1000, "unaligned gpa" },
		{ 0x400000, 0x1800, "unaligned size" },
		{ 0x100000, 2 * MiB, "overlapping the end of [0, 2 MiB)" },
		{ 0, 2 * MiB, "the same region again" },
		{ 0x1000, 0x1000, "inside [0, 2 MiB)" },
		{ 0, 4 * MiB, "containing [0, 2 MiB)" },
		{ HV_MAX_GPA, 0x1000, "at HV_MAX_GPA" },
		{ HV_MAX_GPA - 0x1000, 0x2000, "across HV_MAX_GPA" },
		{ 0xfffffffffffff000ULL, 0x2000, "wrapping around 2^64" },
		{ 0x100000000ULL, HV_MAX_RAM + 0x1000, "bigger than HV_MAX_RAM" },
	};
	struct hv_ram_region r;
	uint64_t mem = 2 * MiB;
	char what[128];
	size_t i;
	int n;

	expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, NULL), EFAULT, "ADD_RAM NULL");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.gpa = bad[i].gpa;
		r.size = bad[i].size;
		snprintf(what, sizeof(what), "ADD_RAM %s", bad[i].what);
		expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, &r), EINVAL, what);
	}
	memset(&r, 0, sizeof(r));
	r.gpa = 0x400000;
	r.size = 0x1000;
	r.flags = 1;
	expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, &r), EINVAL, "ADD_RAM flags != 0");
	r.flags = 0;
	r.pad = 1;
	expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, &r), EINVAL, "ADD_RAM pad != 0");
	r.pad = 0;
	r.reserved[1] = 1;
	expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, &r), EINVAL,
		     "ADD_RAM reserved[1] != 0");
	expect_mem(vmfd, mem, "the refused regions");

	/* HV_MAX_REGIONS: fill up with 4 KiB regions, then one more. */
	for (n = 1; n < HV_MAX_REGIONS; n++) {
		memset(&r, 0, sizeof(r));
		r.gpa = 0x10000000ULL + (uint64_t)n * 0x2000;
		r.size = 0x1000;
		if (ioctl(vmfd, HV_VM_ADD_RAM, &r) < 0) {
			fail("ADD_RAM region %d of %d: %s", n + 1,
			     HV_MAX_REGIONS, strerror(errno));
			return;
		}
		mem += 0x1000;
	}
	ok("%d regions added", HV_MAX_REGIONS);
	r.gpa = 0x20000000;
	expect_errno(ioctl(vmfd, HV_VM_ADD_RAM, &r), EINVAL,
		     "ADD_RAM region HV_MAX_REGIONS + 1");
	expect_mem(vmfd, mem, "the refused regions");
}

static void badargs_mmap(int vmfd)
{
	void *p;

	p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE, vmfd, 0);
	expect_errno(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap MAP_PRIVATE");
	if (p != MAP_FAILED)
		munmap(p, 0x1000);
	p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_SHARED, vmfd,
		 0x40000000);
	expect_errno(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap outside RAM");
	if (p != MAP_FAILED)
		munmap(p, 0x1000);
	p = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED, vmfd,
		 0x1ff000);
	expect_errno(p == MAP_FAILED ? -1 : 0, EINVAL,
		     "mmap across the end of a region");
	if (p != MAP_FAILED)
		munmap(p, 0x2000);
}

static void badargs_vcpu_create(int vmfd)
{
	struct hv_vm_info info;

	expect_errno(ioctl(vmfd, HV_VM_CREATE_VCPU, (unsigned long)HV_MAX_VCPUS),
		     EINVAL, "CREATE_VCPU id HV_MAX_VCPUS");
	expect_errno(ioctl(vmfd, HV_VM_CREATE_VCPU, 0xffffffffUL), EINVAL,
		     "CREATE_VCPU id 0xffffffff");
	expect_errno(ioctl(vmfd, HV_VM_CREATE_VCPU, 1UL << 32), EINVAL,
		     "CREATE_VCPU id 2^32");
	expect_errno(ioctl(vmfd, HV_VM_CREATE_VCPU, 0UL), EEXIST,
		     "CREATE_VCPU id 0 again");
	expect_errno(ioctl(vmfd, HV_VM_GET_INFO, NULL), EFAULT, "GET_INFO NULL");
	memset(&info, 0, sizeof(info));
	if (ioctl(vmfd, HV_VM_GET_INFO, &info) == 0)
		expect_eq(info.nr_vcpus, 1, "nr_vcpus after the refused creates");
	expect_errno(ioctl(vmfd, _IO(HV_IOCTL_MAGIC, 0x7f)), ENOTTY,
		     "unknown ioctl on the VM fd");
	expect_errno(ioctl(vmfd, HV_VM_DESTROY, 0x80UL), EINVAL,
		     "DESTROY with an unknown flag");
	memset(&info, 0, sizeof(info));
	if (ioctl(vmfd, HV_VM_GET_INFO, &info) == 0)
		expect_eq(info.state != HV_VM_STATE_DESTROYED, 1,
			  "VM not destroyed by the refused DESTROY");
}

/* SET_SREGS with @s must fail with EINVAL and leave GET_SREGS as it was. */
static void expect_sregs_refused(int cpufd, struct hv_sregs *s,
				 const char *what)
{
	struct hv_sregs before, after;

	if (ioctl(cpufd, HV_VCPU_GET_SREGS, &before) < 0) {
		fail("GET_SREGS: %s", strerror(errno));
		return;
	}
	expect_errno(ioctl(cpufd, HV_VCPU_SET_SREGS, s), EINVAL, what);
	if (ioctl(cpufd, HV_VCPU_GET_SREGS, &after) < 0)
		fail("GET_SREGS: %s", strerror(errno));
	else if (memcmp(&before, &after, sizeof(before)))
		fail("%s: GET_SREGS changed", what);
}

static void badargs_vcpu(int cpufd)
{
	static struct hv_cpuid cpuid, cpuid2;	/* too big for the stack */
	struct hv_sregs base, s;
	struct hv_regs regs;
	char scratch[HV_MODE_SCRATCH_SIZE];

	expect_errno(ioctl(cpufd, HV_VCPU_GET_REGS, NULL), EFAULT, "GET_REGS NULL");
	expect_errno(ioctl(cpufd, HV_VCPU_SET_REGS, NULL), EFAULT, "SET_REGS NULL");
	expect_errno(ioctl(cpufd, HV_VCPU_GET_SREGS, NULL), EFAULT,
		     "GET_SREGS NULL");
	expect_errno(ioctl(cpufd, HV_VCPU_SET_SREGS, NULL), EFAULT,
		     "SET_SREGS NULL");
	expect_errno(ioctl(cpufd, HV_VCPU_SET_SREGS, bad_page()), EFAULT,
		     "SET_SREGS unreadable pointer");
	expect_errno(ioctl(cpufd, HV_VCPU_GET_CPUID, NULL), EFAULT,
		     "GET_CPUID NULL");
	expect_errno(ioctl(cpufd, HV_VCPU_SET_CPUID, NULL), EFAULT,
		     "SET_CPUID NULL");
	expect_errno(ioctl(cpufd, _IO(HV_IOCTL_MAGIC, 0x7f)), ENOTTY,
		     "unknown ioctl on the vCPU fd");

	/* A valid 64-bit state, then one thing wrong at a time. */
	if (ioctl(cpufd, HV_VCPU_GET_SREGS, &base) < 0 ||
	    hv_mode_prepare(HV_MODE_LONG64, GUEST_BASE, STACK_TOP, SCRATCH_GPA,
			    scratch, &regs, &base)) {
		fail("preparing a 64-bit state");
		return;
	}
	s = base;
	s.cr0 &= ~1ULL;			/* PG without PE */
	s.efer = 0;
	s.cs.l = 0;
	s.cs.db = 1;
	expect_sregs_refused(cpufd, &s, "SET_SREGS CR0.PG without CR0.PE");
	s = base;
	s.cr4 &= ~(1ULL << 5);
	expect_sregs_refused(cpufd, &s,
			     "SET_SREGS EFER.LME + CR0.PG without CR4.PAE");
	s = base;
	s.cs.db = 1;
	expect_sregs_refused(cpufd, &s, "SET_SREGS CS.L and CS.D in long mode");
	s = base;
	s.reserved[0] = 1;
	expect_sregs_refused(cpufd, &s, "SET_SREGS reserved[0] != 0");
	if (expect_success(ioctl(cpufd, HV_VCPU_SET_SREGS, &base),
			   "SET_SREGS of the valid 64-bit state") &&
	    ioctl(cpufd, HV_VCPU_GET_SREGS, &s) == 0) {
		expect_eq(s.cr3, base.cr3, "GET_SREGS cr3");
		expect_eq(s.cr4, base.cr4, "GET_SREGS cr4");
		expect_eq(s.efer, base.efer, "GET_SREGS efer");
		expect_eq(s.cs.l, 1, "GET_SREGS cs.l");
		expect_eq(s.tr.selector, HV_MODE_SEL_TSS, "GET_SREGS tr");
	}

	if (ioctl(cpufd, HV_VCPU_GET_CPUID, &cpuid) < 0) {
		fail("GET_CPUID: %s", strerror(errno));
		return;
	}
	cpuid2 = cpuid;
	cpuid2.nent = HV_CPUID_MAX_ENTRIES + 1;
	expect_errno(ioctl(cpufd, HV_VCPU_SET_CPUID, &cpuid2), EINVAL,
		     "SET_CPUID nent HV_CPUID_MAX_ENTRIES + 1");
	cpuid2 = cpuid;
	cpuid2.nent = 0xffffffff;
	expect_errno(ioctl(cpufd, HV_VCPU_SET_CPUID, &cpuid2), EINVAL,
		     "SET_CPUID nent 0xffffffff");
	memset(&cpuid2, 0, sizeof(cpuid2));
	if (ioctl(cpufd, HV_VCPU_GET_CPUID, &cpuid2) < 0 ||
	    memcmp(&cpuid, &cpuid2, sizeof(cpuid)))
		fail("GET_CPUID changed by the refused SET_CPUIDs");
	else
		ok("GET_CPUID unchanged by the refused SET_CPUIDs");
}

/*
 * The PC platform's ioctls (API 4): each refused argument is EINVAL and
 * changes nothing - no line raised at the IOAPIC or PIC, no activity
 * state changed.
 */
static void badargs_platform(int vmfd, int cpufd)
{
	static struct hv_device_state before, after;	/* too big for the stack */
	struct hv_irq_line l;
	struct hv_msi m;
	struct hv_mp_state mp;

	if (ioctl(vmfd, HV_VM_GET_DEVICE_STATE, &before) < 0) {
		fail("GET_DEVICE_STATE: %s", strerror(errno));
		return;
	}
	expect_errno(ioctl(vmfd, HV_VM_IRQ_LINE, NULL), EFAULT, "IRQ_LINE NULL");
	memset(&l, 0, sizeof(l));
	l.gsi = HV_NR_GSIS;
	l.level = 1;
	expect_errno(ioctl(vmfd, HV_VM_IRQ_LINE, &l), EINVAL,
		     "IRQ_LINE gsi HV_NR_GSIS");
	l.gsi = 0xffffffff;
	expect_errno(ioctl(vmfd, HV_VM_IRQ_LINE, &l), EINVAL,
		     "IRQ_LINE gsi 0xffffffff");
	l.gsi = 5;
	l.level = 2;
	expect_errno(ioctl(vmfd, HV_VM_IRQ_LINE, &l), EINVAL, "IRQ_LINE level 2");
	l.level = 1;
	l.reserved = 1;
	expect_errno(ioctl(vmfd, HV_VM_IRQ_LINE, &l), EINVAL,
		     "IRQ_LINE reserved != 0");
	memset(&m, 0, sizeof(m));
	m.address = 0xfed00000;
	m.data = 0x40;
	expect_errno(ioctl(vmfd, HV_VM_SIGNAL_MSI, &m), EINVAL,
		     "SIGNAL_MSI address 0xfed00000");
	m.address = 0xfee00000;
	m.flags = 1;
	expect_errno(ioctl(vmfd, HV_VM_SIGNAL_MSI, &m), EINVAL,
		     "SIGNAL_MSI flags != 0");
	m.flags = 0;
	m.reserved[1] = 1;
	expect_errno(ioctl(vmfd, HV_VM_SIGNAL_MSI, &m), EINVAL,
		     "SIGNAL_MSI reserved != 0");
	if (ioctl(vmfd, HV_VM_GET_DEVICE_STATE, &after) == 0 &&
	    after.ioapic.irr == before.ioapic.irr &&
	    after.pic[0].irr == before.pic[0].irr &&
	    after.pic[1].irr == before.pic[1].irr)
		ok("refused IRQ_LINE/SIGNAL_MSI raised no line");
	else
		fail("a refused IRQ_LINE/SIGNAL_MSI raised a line");

	memset(&mp, 0, sizeof(mp));
	mp.state = HV_MP_WAIT_SIPI + 1;
	expect_errno(ioctl(cpufd, HV_VCPU_SET_MP_STATE, &mp), EINVAL,
		     "SET_MP_STATE state 3");
	mp.state = HV_MP_HALTED;
	mp.pad = 1;
	expect_errno(ioctl(cpufd, HV_VCPU_SET_MP_STATE, &mp), EINVAL,
		     "SET_MP_STATE pad != 0");
	memset(&mp, 0xff, sizeof(mp));
	if (expect_success(ioctl(cpufd, HV_VCPU_GET_MP_STATE, &mp),
			   "GET_MP_STATE"))
		expect_eq(mp.state, HV_MP_RUNNABLE,
			  "vCPU 0 still runnable after the refused SET_MP_STATEs");
}

static void case_badargs(void)
{
	struct hv_vm *vm = NULL;
	struct hv_vcpu *vcpu = NULL;
	char name[HV_NAME_LEN];
	int err, before = hvtest_vm_count(hv);

	badargs_create(hv_fd(hv));

	snprintf(name, sizeof(name), "hvt-badargs-%d", (int)getpid());
	err = hv_vm_create(hv, name, 0, &vm);
	if (!err)
		err = hv_vm_add_ram(vm, 0, 2 * MiB);
	if (!err)
		err = hv_vcpu_create(vm, 0, &vcpu);
	if (err) {
		fail("set up VM %s: %s", name, hv_strerror(err));
		goto out;
	}
	badargs_open_list(hv_fd(hv), name);
	badargs_ram(hv_vm_fd(vm));
	badargs_mmap(hv_vm_fd(vm));
	badargs_vcpu_create(hv_vm_fd(vm));
	badargs_vcpu(hv_vcpu_fd(vcpu));
	badargs_platform(hv_vm_fd(vm), hv_vcpu_fd(vcpu));
out:
	hv_vcpu_close(vcpu);
	if (vm) {
		err = hv_vm_destroy(vm);
		if (err)
			fail("destroy %s: %s", name, hv_strerror(err));
	}
	expect_eq(hvtest_vm_count(hv), before, "VMs listed at the end");
}
