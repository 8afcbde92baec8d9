/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pc.S sub-tests under KVM with its in-kernel irqchip (LAPIC, IOAPIC,
 * PIC, PIT), the reference hv is measured against: `hv-pc-test kvm-CASE`
 * runs CASE's guest there and checks it with the very same function, so
 * a check that KVM fails is a wrong test, not a wrong hv.  Included by
 * tests/vm/hv-pc-test.c after its checks.  KVM has no in-kernel CMOS:
 * ports 0x70/0x71 are a small one here.  With an in-kernel LAPIC, KVM
 * never exits on HLT, so a run ends at RES_DONE on PORT_RESULT.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/mman.h>

static int kvm_ioctl_ok(int fd, unsigned long req, void *arg,
			struct guest *g, const char *what)
{
	if (ioctl(fd, req, arg) >= 0)
		return 0;
	guest_why(g, "KVM %s: %s", what, strerror(errno));
	return -1;
}

static void kvm_seg(struct kvm_segment *k, const struct hv_segment *h)
{
	memset(k, 0, sizeof(*k));
	k->base = h->base;
	k->limit = h->limit;
	k->selector = h->selector;
	k->type = h->type;
	k->present = h->present;
	k->dpl = h->dpl;
	k->db = h->db;
	k->s = h->s;
	k->l = h->l;
	k->g = h->g;
	k->avl = h->avl;
	k->unusable = h->unusable;
}

struct kvm_pc {
	int kvm, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint8_t cmos[128], cmos_index;
};

static int kvm_pc_setup(struct kvm_pc *k, struct guest *g, uint32_t sub)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };
	struct hv_regs hr;
	struct hv_sregs hs;
	struct kvm_regs kr;
	struct kvm_sregs ks;
	char path[512];
	uint64_t *in;
	FILE *f;
	size_t n;
	int i;

	k->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (k->kvm < 0) {
		guest_why(g, "open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	k->vm = ioctl(k->kvm, KVM_CREATE_VM, 0);
	if (k->vm < 0) {
		guest_why(g, "KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	if (kvm_ioctl_ok(k->vm, KVM_CREATE_IRQCHIP, NULL, g, "CREATE_IRQCHIP") ||
	    kvm_ioctl_ok(k->vm, KVM_CREATE_PIT2, &pit, g, "CREATE_PIT2"))
		return -1;
	k->mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->mem == MAP_FAILED) {
		guest_why(g, "mmap: %s", strerror(errno));
		k->mem = NULL;
		return -1;
	}
	region.memory_size = RAM_SIZE;
	region.userspace_addr = (uintptr_t)k->mem;
	if (kvm_ioctl_ok(k->vm, KVM_SET_USER_MEMORY_REGION, &region, g,
			 "SET_USER_MEMORY_REGION"))
		return -1;
	snprintf(path, sizeof(path), "%s/pc.bin", guest_dir());
	f = fopen(path, "rb");
	if (!f) {
		guest_why(g, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(k->mem + GUEST_BASE, 1, SCRATCH_GPA - GUEST_BASE, f);
	fclose(f);
	if (!n) {
		guest_why(g, "%s: empty", path);
		return -1;
	}
	in = (uint64_t *)(k->mem + TABLE_IN);
	in[0] = tsc_per_ms;
	in[1] = apic_per_ms;

	k->vcpu = ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0) {
		guest_why(g, "KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	k->run_size = ioctl(k->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	k->run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu, 0);
	if (k->run == MAP_FAILED) {
		k->run = NULL;
		guest_why(g, "mmap the run area: %s", strerror(errno));
		return -1;
	}
	if (kvm_ioctl_ok(k->kvm, KVM_GET_SUPPORTED_CPUID, &cpuid, g,
			 "GET_SUPPORTED_CPUID"))
		return -1;
	for (i = 0; i < (int)cpuid.c.nent; i++)
		if (cpuid.e[i].function == 1)	/* KVM's LAPIC has it */
			cpuid.e[i].ecx |= 1u << 24;
	if (kvm_ioctl_ok(k->vcpu, KVM_SET_CPUID2, &cpuid, g, "SET_CPUID2"))
		return -1;

	memset(&hr, 0, sizeof(hr));
	memset(&hs, 0, sizeof(hs));
	if (hv_mode_prepare(HV_MODE_LONG64, GUEST_BASE, STACK_TOP, SCRATCH_GPA,
			    k->mem + SCRATCH_GPA, &hr, &hs)) {
		guest_why(g, "hv_mode_prepare failed");
		return -1;
	}
	if (kvm_ioctl_ok(k->vcpu, KVM_GET_SREGS, &ks, g, "GET_SREGS"))
		return -1;
	kvm_seg(&ks.cs, &hs.cs);
	kvm_seg(&ks.ds, &hs.ds);
	kvm_seg(&ks.es, &hs.es);
	kvm_seg(&ks.fs, &hs.fs);
	kvm_seg(&ks.gs, &hs.gs);
	kvm_seg(&ks.ss, &hs.ss);
	kvm_seg(&ks.tr, &hs.tr);
	kvm_seg(&ks.ldt, &hs.ldt);
	ks.gdt.base = hs.gdt.base;
	ks.gdt.limit = hs.gdt.limit;
	ks.idt.base = hs.idt.base;
	ks.idt.limit = hs.idt.limit;
	ks.cr0 = hs.cr0;
	ks.cr3 = hs.cr3;
	ks.cr4 = hs.cr4;
	ks.efer = hs.efer;
	if (kvm_ioctl_ok(k->vcpu, KVM_SET_SREGS, &ks, g, "SET_SREGS"))
		return -1;
	memset(&kr, 0, sizeof(kr));
	kr.rip = hr.rip;
	kr.rsp = hr.rsp;
	kr.rflags = hr.rflags;
	kr.rdi = vendor;
	kr.rsi = sub;
	return kvm_ioctl_ok(k->vcpu, KVM_SET_REGS, &kr, g, "SET_REGS");
}

static void kvm_pc_free(struct kvm_pc *k)
{
	if (k->run)
		munmap(k->run, k->run_size);
	if (k->mem)
		munmap(k->mem, RAM_SIZE);
	if (k->vcpu > 0)
		close(k->vcpu);
	if (k->vm > 0)
		close(k->vm);
	if (k->kvm > 0)
		close(k->kvm);
}

/* One port access of a KVM_EXIT_IO (which may carry a string's count). */
static void kvm_pc_port(struct kvm_pc *k, struct guest *g, uint16_t port,
			bool out, uint8_t size, uint8_t *p, bool *done)
{
	uint32_t v = 0;

	memcpy(&v, p, size);
	if (out && port == PORT_RESULT) {
		if (v == RES_DONE)
			*done = true;
	} else if (out && port == PORT_TEXT) {
	} else if (out && port == PORT_SYNC && size == 4) {
		if ((v & 0xff) == SYNC_LINE) {
			struct kvm_irq_level l = {
				.irq = (v >> 8) & 0xff, .level = (v >> 16) & 1,
			};

			kvm_ioctl_ok(k->vm, KVM_IRQ_LINE, &l, g, "IRQ_LINE");
		} else if ((v & 0xff) == SYNC_MSI) {
			struct kvm_msi m = {
				.address_lo = 0xfee00000, .data = (v >> 8) & 0xff,
			};

			if (ioctl(k->vm, KVM_SIGNAL_MSI, &m) < 0)
				guest_why(g, "KVM_SIGNAL_MSI: %s", strerror(errno));
		}
	} else if (port == PORT_STR) {
		if (out) {
			if (n_str_out < 64) {
				str_out[n_str_out].size = size;
				str_out[n_str_out].data = v;
			}
			n_str_out++;
		} else {
			v = 0x10 + n_str_in++;
			memcpy(p, &v, size);
		}
	} else if (port == 0x70 && size == 1) {
		if (out)
			k->cmos_index = v & 0x7f;
		else
			*p = k->cmos_index;
	} else if (port == 0x71 && size == 1) {
		if (out)
			k->cmos[k->cmos_index] = v;
		else
			*p = k->cmos[k->cmos_index];
	} else {
		guest_why(g, "KVM: unexpected %s port %#x size %u",
			  out ? "OUT" : "IN", port, size);
	}
}

static int kvm_pc_run(struct kvm_pc *k, struct guest *g)
{
	struct kvm_run *run = k->run;
	bool done = false;
	unsigned int n;

	for (n = 0; n < GUEST_MAX_EXITS && !done; n++) {
		if (ioctl(k->vcpu, KVM_RUN, 0) < 0) {
			guest_why(g, "KVM_RUN: %s", strerror(errno));
			return -1;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *p = (uint8_t *)run + run->io.data_offset;
			uint32_t i;

			for (i = 0; i < run->io.count; i++)
				kvm_pc_port(k, g, run->io.port,
					    run->io.direction == KVM_EXIT_IO_OUT,
					    run->io.size, p + i * run->io.size,
					    &done);
			break;
		}
		case KVM_EXIT_MMIO:
			if (run->mmio.phys_addr >= MMIO_U &&
			    run->mmio.phys_addr + run->mmio.len <= MMIO_U + sizeof(mmio)) {
				uint8_t *p = mmio + (run->mmio.phys_addr - MMIO_U);

				if (run->mmio.is_write)
					memcpy(p, run->mmio.data, run->mmio.len);
				else
					memcpy(run->mmio.data, p, run->mmio.len);
				break;
			}
			guest_why(g, "KVM: MMIO %s at %#llx",
				  run->mmio.is_write ? "write" : "read",
				  (unsigned long long)run->mmio.phys_addr);
			return -1;
		default:
			guest_why(g, "KVM: exit reason %u", run->exit_reason);
			return -1;
		}
		if (g->why[0])
			return -1;
	}
	if (!done)
		guest_why(g, "KVM: no RES_DONE after %u exits", n);
	return done ? 0 : -1;
}

/* pc_attached()'s twin under KVM. */
static void kvm_attached(const char *tag, uint32_t sub,
			 bool (*fn)(struct pc_ctx *))
{
	struct kvm_pc k = { .kvm = -1, .vm = -1, .vcpu = -1 };
	struct guest g;
	struct pc_ctx c = { .g = &g };
	uint32_t *nres;

	memset(&g, 0, sizeof(g));
	kvm_ref = true;
	measure_tsc();
	pc_mmio_init();
	apic_per_ms = 1000000;		/* KVM's APIC bus: 1 GHz */
	apic_src = "KVM's 1 GHz";
	if (kvm_pc_setup(&k, &g, sub) == 0 && kvm_pc_run(&k, &g) == 0) {
		nres = (uint32_t *)(k.mem + TABLE_OUT);
		c.n = *nres > 500 ? 0 : *nres;
		c.v = (const uint64_t *)(k.mem + TABLE_OUT + 8);
		if (!c.n)
			guest_why(&g, "no results in TABLE_OUT");
		else
			fn(&c);
		pc_dump(&c);
	}
	guest_ok(&g, tag);
	kvm_pc_free(&k);
}

/*
 * pc-ipi under KVM: vCPUs 1-3 in threads of their own, each in KVM_RUN
 * (KVM holds an AP in wait-for-SIPI there); the BSP runs until its
 * debug-exit OUT of RES_DONE, then a signal ends the others' KVM_RUN.
 */
#include <pthread.h>
#include <signal.h>

struct kvm_ap {
	pthread_t thread;
	int fd;
	struct kvm_run *run;
	struct guest *g;
};

static volatile int kvm_ap_stop;

static void kvm_ap_signal(int sig)
{
	(void)sig;
}

static void *kvm_ap_main(void *arg)
{
	struct kvm_ap *ap = arg;

	while (!kvm_ap_stop) {
		if (ioctl(ap->fd, KVM_RUN, 0) < 0) {
			/* EAGAIN: KVM woke it in wait-for-SIPI (INIT) */
			if (errno == EINTR || errno == EAGAIN)
				continue;
			guest_why(ap->g, "AP KVM_RUN: %s", strerror(errno));
			break;
		}
		guest_why(ap->g, "AP exit reason %u", ap->run->exit_reason);
		break;
	}
	return NULL;
}

static void case_kvm_ipi(void)
{
	struct kvm_pc k = { .kvm = -1, .vm = -1, .vcpu = -1 };
	struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[100];
	} cpuid = { .c.nent = 100 };
	struct sigaction sa = { .sa_handler = kvm_ap_signal };
	struct kvm_ap ap[4] = { { 0 } };
	struct guest g;
	struct pc_ctx c = { .g = &g };
	uint32_t *nres;
	int i, started = 0;

	memset(&g, 0, sizeof(g));
	measure_tsc();
	apic_per_ms = 1000000;
	apic_src = "KVM's 1 GHz";
	sigaction(SIGUSR1, &sa, NULL);
	kvm_ap_stop = 0;
	if (kvm_pc_setup(&k, &g, PC_IPI | PC_MANAGED))
		goto out;
	if (kvm_ioctl_ok(k.vcpu, KVM_GET_CPUID2, &cpuid, &g, "GET_CPUID2"))
		goto out;
	for (i = 1; i < 4; i++) {
		ap[i].g = &g;
		ap[i].fd = ioctl(k.vm, KVM_CREATE_VCPU, i);
		if (ap[i].fd < 0) {
			guest_why(&g, "KVM_CREATE_VCPU %d: %s", i, strerror(errno));
			goto out;
		}
		if (kvm_ioctl_ok(ap[i].fd, KVM_SET_CPUID2, &cpuid, &g, "SET_CPUID2"))
			goto out;
		ap[i].run = mmap(NULL, k.run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, ap[i].fd, 0);
		if (ap[i].run == MAP_FAILED) {
			ap[i].run = NULL;
			guest_why(&g, "mmap the AP's run area: %s", strerror(errno));
			goto out;
		}
	}
	for (i = 1; i < 4; i++, started++)
		if (pthread_create(&ap[i].thread, NULL, kvm_ap_main, &ap[i])) {
			guest_why(&g, "pthread_create failed");
			goto out;
		}
	if (kvm_pc_run(&k, &g) == 0) {
		nres = (uint32_t *)(k.mem + TABLE_OUT);
		c.n = *nres > 500 ? 0 : *nres;
		c.v = (const uint64_t *)(k.mem + TABLE_OUT + 8);
		check_ipi(&c, (const uint32_t *)(k.mem + PCNT));
		pc_dump(&c);
	}
out:
	kvm_ap_stop = 1;
	for (i = 1; i <= started; i++) {
		pthread_kill(ap[i].thread, SIGUSR1);
		pthread_join(ap[i].thread, NULL);
	}
	for (i = 1; i < 4; i++) {
		if (ap[i].run)
			munmap(ap[i].run, k.run_size);
		if (ap[i].fd > 0)
			close(ap[i].fd);
	}
	guest_ok(&g, "kvm pc-ipi");
	kvm_pc_free(&k);
}
