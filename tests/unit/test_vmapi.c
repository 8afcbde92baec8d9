// SPDX-License-Identifier: GPL-2.0
/*
 * libhv's VM API without the module: the mode setup (hv_mode_prepare)
 * checked against the rules of AMD's VMRUN and Intel's VM entry and
 * against its own GDT and page tables; VM handles, RAM mappings, the
 * loaders and vCPU setup against the fake VM fds of fake_vm.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define SCRATCH_GPA	0x10000ULL
#define MiB		(1ULL << 20)

static uint8_t scratch[HV_MODE_SCRATCH_SIZE];

static uint64_t get64(const void *base, uint64_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/* ---- the hardware's rules, as a checker ---- */

/* SDM Vol 3A, 3.4.5: decode an 8-byte descriptor into a segment. */
static struct hv_segment decode(uint64_t d, uint16_t sel)
{
	struct hv_segment s;
	uint32_t limit = (d & 0xffff) | ((d >> 32) & 0xf0000);

	memset(&s, 0, sizeof(s));
	s.selector = sel;
	s.base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
	s.type = (d >> 40) & 0xf;
	s.s = (d >> 44) & 1;
	s.dpl = (d >> 45) & 3;
	s.present = (d >> 47) & 1;
	s.avl = (d >> 52) & 1;
	s.l = (d >> 53) & 1;
	s.db = (d >> 54) & 1;
	s.g = (d >> 55) & 1;
	s.limit = s.g ? (limit << 12) | 0xfff : limit;
	return s;
}

/* The GDT entry a loaded segment came from must describe it exactly. */
static void check_matches_gdt(const struct hv_sregs *sr,
			      const struct hv_segment *seg, const char *name)
{
	uint64_t off = sr->gdt.base - SCRATCH_GPA + seg->selector;
	struct hv_segment d;

	ck_assert_msg(seg->selector + 7 <= sr->gdt.limit,
		      "%s selector %#x beyond the GDT limit", name,
		      seg->selector);
	d = decode(get64(scratch, off), seg->selector);
	if (!seg->s)	/* 16-byte system descriptor: base 63:32 above */
		d.base |= get64(scratch, off + 8) << 32;
	ck_assert_msg(d.base == seg->base, "%s base", name);
	ck_assert_msg(d.limit == seg->limit, "%s limit %#x vs %#x", name,
		      d.limit, seg->limit);
	ck_assert_msg(d.type == seg->type && d.s == seg->s &&
		      d.dpl == seg->dpl && d.present == seg->present &&
		      d.l == seg->l && d.db == seg->db && d.g == seg->g,
		      "%s attributes differ from its descriptor", name);
}

/* APM Vol 2, 15.5.1 and SDM Vol 3C, 27.3.1 as they apply to our states. */
static void check_entry_rules(const struct hv_sregs *s, enum hv_cpu_mode m)
{
	const struct hv_segment *data[] = { &s->ds, &s->es, &s->fs, &s->gs,
					    &s->ss };
	bool pe = s->cr0 & 1, pg = s->cr0 & (1ULL << 31);
	size_t i;

	ck_assert(!(pg && !pe));
	ck_assert(s->cs.present && s->cs.s && !s->cs.unusable);
	ck_assert_int_eq(s->cs.type, 0xb);		/* code, read, accessed */
	for (i = 0; i < 5; i++) {
		ck_assert(data[i]->present && data[i]->s && !data[i]->unusable);
		ck_assert_int_eq(data[i]->type, 0x3);	/* data, rw, accessed */
		ck_assert_int_eq(data[i]->dpl, 0);
	}
	ck_assert_int_eq(s->ss.dpl, s->cs.dpl);
	ck_assert_int_eq(s->cs.dpl, 0);
	ck_assert_int_eq(s->tr.type, 11);		/* busy TSS */
	ck_assert(s->tr.present && !s->tr.s && !s->tr.unusable);
	ck_assert_int_eq(s->tr.selector & 4, 0);	/* TI = 0 */
	ck_assert(s->ldt.unusable);
	if (m == HV_MODE_REAL) {
		const struct hv_segment *all[] = { &s->cs, &s->ds, &s->es,
						   &s->fs, &s->gs, &s->ss };

		ck_assert(!pe && !pg);
		for (i = 0; i < 6; i++) {
			ck_assert_uint_eq(all[i]->base,
					  (uint64_t)all[i]->selector << 4);
			ck_assert_uint_eq(all[i]->limit, 0xffff);
			ck_assert(!all[i]->db && !all[i]->g && !all[i]->l);
		}
	}
	if (m == HV_MODE_LONG64) {
		ck_assert_uint_eq(s->efer & 0x500, 0x500);	/* LME, LMA */
		ck_assert(pe && pg);
		ck_assert(s->cr4 & (1 << 5));			/* PAE */
		ck_assert(s->cs.l && !s->cs.db);
	} else {
		ck_assert_uint_eq(s->efer & 0x500, 0);
	}
}

static struct hv_sregs fresh_sregs(void)
{
	struct hv_sregs s;

	memset(&s, 0, sizeof(s));
	s.cr2 = 0xc2c2;
	s.cr8 = 5;
	return s;
}

START_TEST(mode_real)
{
	struct hv_sregs s = fresh_sregs();
	struct hv_regs r;

	memset(&r, 0xa5, sizeof(r));
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_REAL, 0x1000, 0x8000,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), 0);
	check_entry_rules(&s, HV_MODE_REAL);
	ck_assert_uint_eq(s.cs.selector, 0);
	ck_assert_uint_eq(r.rip, 0x1000);
	ck_assert_uint_eq(r.rsp, 0x8000);
	ck_assert_uint_eq(r.rflags, 2);
	ck_assert_uint_eq(r.rax | r.rbx | r.rcx | r.rdx | r.rsi | r.rdi |
			  r.rbp | r.r8 | r.r15, 0);
	ck_assert_uint_eq(s.cr0, 0x10);
	ck_assert_uint_eq(s.idt.limit, 0x3ff);
	ck_assert_uint_eq(s.cr2, 0xc2c2);		/* not ours: kept */
	ck_assert_uint_eq(s.cr8, 5);

	/* Above 64 KiB: CS takes the 64 KiB block, IP the rest. */
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_REAL, 0x12345, 0xfffe,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), 0);
	check_entry_rules(&s, HV_MODE_REAL);
	ck_assert_uint_eq(s.cs.selector, 0x1000);
	ck_assert_uint_eq(s.cs.base + r.rip, 0x12345);
	ck_assert_uint_le(r.rip, 0xffff);
}
END_TEST

START_TEST(mode_errors_change_nothing)
{
	struct hv_sregs s = fresh_sregs(), before;
	struct hv_regs r, rbefore;

	memset(&r, 0x5a, sizeof(r));
	before = s;
	rbefore = r;
	memset(scratch, 0x77, sizeof(scratch));
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_REAL, 0x100000, 0x8000,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), -ERANGE);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_REAL, 0x1000, 0x10000,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), -ERANGE);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_PROT32, 0x100000000ULL, 0,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), -ERANGE);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x1000, 0x8000,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), -EINVAL);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x1000, 0x8000,
					 SCRATCH_GPA + 8, scratch, &r, &s), -EINVAL);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x1000, 0x8000,
					 SCRATCH_GPA, NULL, &r, &s), -EINVAL);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x0000800000000000ULL,
					 0x8000, SCRATCH_GPA, scratch, &r, &s),
			 -ERANGE);
	ck_assert_int_eq(hv_mode_prepare((enum hv_cpu_mode)7, 0x1000, 0x8000,
					 SCRATCH_GPA, scratch, &r, &s), -EINVAL);
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_REAL, 0, 0, 0, NULL, NULL, &s),
			 -EINVAL);
	ck_assert_mem_eq(&s, &before, sizeof(s));
	ck_assert_mem_eq(&r, &rbefore, sizeof(r));
	ck_assert_uint_eq(scratch[0], 0x77);
	ck_assert_uint_eq(scratch[HV_MODE_SCRATCH_SIZE - 1], 0x77);
}
END_TEST

START_TEST(mode_prot32)
{
	struct hv_sregs s = fresh_sregs();
	struct hv_regs r;

	ck_assert_int_eq(hv_mode_prepare(HV_MODE_PROT32, 0x1000, 0x80000,
					 HV_MODE_NO_SCRATCH, NULL, &r, &s), 0);
	check_entry_rules(&s, HV_MODE_PROT32);
	ck_assert_uint_eq(s.cr0, 0x11);
	ck_assert(s.cs.db && s.cs.g && !s.cs.l);
	ck_assert_uint_eq(s.cs.limit, 0xffffffff);

	ck_assert_int_eq(hv_mode_prepare(HV_MODE_PROT32, 0x1000, 0x80000,
					 SCRATCH_GPA, scratch, &r, &s), 0);
	check_entry_rules(&s, HV_MODE_PROT32);
	ck_assert_uint_eq(s.cs.selector, HV_MODE_SEL_CODE32);
	check_matches_gdt(&s, &s.cs, "cs");
	check_matches_gdt(&s, &s.ds, "ds");
	check_matches_gdt(&s, &s.ss, "ss");
	check_matches_gdt(&s, &s.tr, "tr");
	ck_assert_uint_eq(r.rip, 0x1000);
}
END_TEST

/* Walk 4-level paging in the scratch tables (SDM Vol 3A, 4.5). */
static bool translate(const struct hv_sregs *s, uint64_t va, uint64_t *pa)
{
	uint64_t e = s->cr3;
	int level;

	for (level = 4; level >= 2; level--) {
		uint64_t table = (e & 0x000ffffffffff000ULL) - SCRATCH_GPA;
		unsigned int idx = (va >> (12 + 9 * (level - 1))) & 511;

		ck_assert_uint_lt(table, HV_MODE_SCRATCH_SIZE);
		e = get64(scratch, table + idx * 8);
		if (!(e & 1))
			return false;
		ck_assert(e & 2);			/* writable */
		if (level == 2) {
			ck_assert(e & 0x80);		/* 2 MiB page */
			*pa = (e & 0x000fffffffe00000ULL) | (va & 0x1fffff);
			return true;
		}
		ck_assert(!(e & 0x80));
	}
	return false;
}

START_TEST(mode_long64)
{
	static const uint64_t vas[] = {
		0, 0x1000, 0x1fffff, 0x200000, 0x3fffffff, 0x40000000,
		0xd0000000, 0xfee00000, 0xffffffff,
	};
	struct hv_sregs s = fresh_sregs();
	struct hv_regs r;
	uint64_t pa;
	size_t i;

	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x1000, 0x80000,
					 SCRATCH_GPA, scratch, &r, &s), 0);
	check_entry_rules(&s, HV_MODE_LONG64);
	ck_assert_uint_eq(s.cr0, 0x80000031);
	ck_assert_uint_eq(s.cr4, 0x20);
	ck_assert_uint_eq(s.efer, 0x500);
	ck_assert_uint_eq(s.cr3, SCRATCH_GPA);
	ck_assert_uint_eq(s.cs.selector, HV_MODE_SEL_CODE64);
	ck_assert_uint_eq(s.ds.selector, HV_MODE_SEL_DATA);
	ck_assert_uint_eq(s.tr.selector, HV_MODE_SEL_TSS);
	ck_assert_uint_eq(s.idt.limit, 0);
	check_matches_gdt(&s, &s.cs, "cs");
	check_matches_gdt(&s, &s.ds, "ds");
	check_matches_gdt(&s, &s.ss, "ss");
	check_matches_gdt(&s, &s.tr, "tr");
	/* The TSS lies inside the scratch area, I/O map base past its limit. */
	ck_assert_uint_ge(s.tr.base, SCRATCH_GPA);
	ck_assert_uint_le(s.tr.base + s.tr.limit,
			  SCRATCH_GPA + HV_MODE_SCRATCH_SIZE - 1);
	ck_assert_uint_gt(get64(scratch, s.tr.base - SCRATCH_GPA + 0x60) >> 48,
			  s.tr.limit);

	for (i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		ck_assert_msg(translate(&s, vas[i], &pa), "%#llx not mapped",
			      (unsigned long long)vas[i]);
		ck_assert_uint_eq(pa, vas[i]);
	}
	ck_assert(!translate(&s, 0x100000000ULL, &pa));
	ck_assert_uint_eq(r.rip, 0x1000);
	ck_assert_uint_eq(r.rsp, 0x80000);
	ck_assert_uint_eq(s.cr2, 0xc2c2);
}
END_TEST

/* ---- VM handles over the fake ---- */

static struct hv *open_fake(void)
{
	struct hv *hv;

	ck_assert_int_eq(hv_open(&hv), 0);
	return hv;
}

/* Bytes of the fake VM's memory file at @gpa. */
static void fake_ram(const struct fake_vm *vm, uint64_t gpa, void *buf,
		     size_t len)
{
	ck_assert_int_eq(pread(vm->fd, buf, len, (off_t)gpa), (ssize_t)len);
}

START_TEST(vm_create_map_info)
{
	struct hv *hv = open_fake();
	struct hv_vm *vm, *again;
	struct hv_vm_info info;
	uint8_t *p, b;
	char name[64];

	ck_assert_int_eq(hv_vm_create(hv, "web", 0, &vm), 0);
	ck_assert_str_eq(hv_vm_name(vm), "web");
	ck_assert_int_ge(hv_vm_fd(vm), 0);
	ck_assert_int_eq(hv_vm_add_ram(vm, 0, 2 * MiB), 0);
	ck_assert_int_eq(hv_vm_add_ram(vm, 2 * MiB, 2 * MiB), 0);

	p = hv_vm_gpa_ptr(vm, 0x1234, 1);
	ck_assert_ptr_nonnull(p);
	*p = 0x42;
	fake_ram(&fake_vms[0], 0x1234, &b, 1);	/* mapped at offset = GPA */
	ck_assert_uint_eq(b, 0x42);
	p = hv_vm_gpa_ptr(vm, 0x300000, 1);
	*p = 0x43;
	fake_ram(&fake_vms[0], 0x300000, &b, 1);
	ck_assert_uint_eq(b, 0x43);

	ck_assert_ptr_nonnull(hv_vm_gpa_ptr(vm, 0x1ff000, 0x1000));
	ck_assert_ptr_null(hv_vm_gpa_ptr(vm, 0x1ff000, 0x2000)); /* 2 regions */
	ck_assert_ptr_null(hv_vm_gpa_ptr(vm, 0x400000, 1));
	ck_assert_ptr_null(hv_vm_gpa_ptr(vm, 0x3fffff, 2));
	ck_assert_ptr_null(hv_vm_gpa_ptr(vm, ~0ULL, 2));
	ck_assert_ptr_null(hv_vm_gpa_ptr(NULL, 0, 1));

	ck_assert_int_eq(hv_vm_info(vm, &info), 0);
	ck_assert_str_eq(info.name, "web");
	ck_assert_uint_eq(info.mem_size, 4 * MiB);

	/* Names the library refuses before asking; names taken. */
	memset(name, 'a', sizeof(name));
	name[HV_NAME_LEN] = 0;
	ck_assert_int_eq(hv_vm_create(hv, name, 0, &again), -EINVAL);
	ck_assert_ptr_null(again);
	ck_assert_int_eq(hv_vm_create(hv, "", 0, &again), -EINVAL);
	ck_assert_int_eq(hv_vm_create(hv, NULL, 0, &again), -EINVAL);
	ck_assert_int_eq(hv_vm_create(hv, "web", 0, &again), -EEXIST);

	/* Another handle by name maps the same memory. */
	ck_assert_int_eq(hv_vm_open(hv, "web", &again), 0);
	ck_assert_ptr_null(hv_vm_gpa_ptr(again, 0x1234, 1));
	ck_assert_int_eq(hv_vm_map_ram(again, 0, 2 * MiB), 0);
	ck_assert_uint_eq(*(uint8_t *)hv_vm_gpa_ptr(again, 0x1234, 1), 0x42);
	ck_assert_int_eq(hv_vm_map_ram(again, 0x800, 0x1000), -EINVAL);
	ck_assert_int_eq(hv_vm_map_ram(again, 0, 0), -EINVAL);
	hv_vm_close(again);

	ck_assert_int_eq(hv_vm_destroy(vm), 0);
	ck_assert(!fake_vms[0].listed);
	ck_assert_int_eq(hv_vm_open(hv, "web", &again), -ENOENT);
	hv_close(hv);
}
END_TEST

/* API 4: the interrupt wrappers fill the ioctl's argument, zeroes too */
START_TEST(vm_irq_line_msi)
{
	struct hv *hv = open_fake();
	struct hv_vm *vm;
	struct fake_vm *f;

	ck_assert_int_eq(hv_vm_create(hv, "irq", 0, &vm), 0);
	f = fake_vm_named("irq");
	ck_assert_ptr_nonnull(f);

	ck_assert_int_eq(hv_vm_irq_line(vm, 4, 1), 0);
	ck_assert_uint_eq(f->irq_line.gsi, 4);
	ck_assert_uint_eq(f->irq_line.level, 1);
	ck_assert_int_eq(hv_vm_irq_line(vm, HV_NR_GSIS - 1, 0), 0);
	ck_assert_uint_eq(f->irq_line.gsi, HV_NR_GSIS - 1);
	ck_assert_uint_eq(f->irq_line.level, 0);
	ck_assert_int_eq(hv_vm_irq_line(vm, HV_NR_GSIS, 1), -EINVAL);
	ck_assert_int_eq(hv_vm_irq_line(vm, 4, 2), -EINVAL);
	ck_assert_uint_eq(f->irq_lines, 2);

	ck_assert_int_eq(hv_vm_signal_msi(vm, 0xfee01000, 0x4031), 0);
	ck_assert_uint_eq(f->msi.address, 0xfee01000);
	ck_assert_uint_eq(f->msi.data, 0x4031);
	ck_assert_int_eq(hv_vm_signal_msi(vm, 0xfed00000, 0x31), -EINVAL);
	ck_assert_uint_eq(f->msis, 1);

	ck_assert_int_eq(hv_vm_irq_line(NULL, 0, 1), -EBADF);
	ck_assert_int_eq(hv_vm_signal_msi(NULL, 0xfee00000, 0), -EBADF);
	hv_vm_close(vm);
	hv_close(hv);
}
END_TEST

START_TEST(vm_list_grows)
{
	struct hv *hv = open_fake();
	struct hv_vm_info *list;
	struct hv_vm *vm;
	size_t n;

	ck_assert_int_eq(hv_list_vms(hv, &list, &n), 0);
	ck_assert_ptr_null(list);
	ck_assert_uint_eq(n, 0);

	ck_assert_int_eq(hv_vm_create(hv, "one", 0, &vm), 0);
	fake_list_grow = 12;	/* more than the slack libhv allows for */
	ck_assert_int_eq(hv_list_vms(hv, &list, &n), 0);
	ck_assert_uint_eq(n, fake_nr_vms);
	ck_assert_str_eq(list[0].name, "one");
	ck_assert_str_eq(list[n - 1].name, fake_vms[n - 1].name);
	free(list);
	hv_vm_close(vm);
	hv_close(hv);
}
END_TEST

START_TEST(loader)
{
	static const uint8_t code[] = { 0x90, 0x90, 0xf4 };
	char path[] = "/tmp/hv-unit-img.XXXXXX";
	struct hv *hv = open_fake();
	uint8_t buf[4], big[0x2001];
	struct hv_vm *vm;
	uint64_t size;
	int fd;

	ck_assert_int_eq(hv_vm_create(hv, "ld", 0, &vm), 0);
	ck_assert_int_eq(hv_vm_add_ram(vm, 0, 0x2000), 0);

	ck_assert_int_eq(hv_load_flat_mem(vm, code, sizeof(code), 0x1000), 0);
	fake_ram(&fake_vms[0], 0x1000, buf, 3);
	ck_assert_mem_eq(buf, code, 3);
	ck_assert_int_eq(hv_load_flat_mem(vm, code, 3, 0x2000), -ERANGE);
	ck_assert_int_eq(hv_load_flat_mem(vm, code, 3, 0x1ffe), -EFBIG);
	ck_assert_int_eq(hv_load_flat_mem(vm, code, 2, 0x1ffe), 0);
	ck_assert_int_eq(hv_load_flat_mem(vm, NULL, 0, 0x1000), 0);

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, code, sizeof(code)), (ssize_t)sizeof(code));
	ck_assert_int_eq(hv_load_flat(vm, path, 0x100, &size), 0);
	ck_assert_uint_eq(size, 3);
	fake_ram(&fake_vms[0], 0x100, buf, 3);
	ck_assert_mem_eq(buf, code, 3);
	ck_assert_int_eq(hv_load_flat(vm, path, 0x4000, &size), -ERANGE);

	/* Too big: refused before anything is written. */
	memset(big, 0xcc, sizeof(big));
	ck_assert_int_eq(pwrite(fd, big, sizeof(big), 0), (ssize_t)sizeof(big));
	ck_assert_int_eq(hv_load_flat(vm, path, 0, &size), -EFBIG);
	fake_ram(&fake_vms[0], 0, buf, 1);
	ck_assert_uint_eq(buf[0], 0);
	ck_assert_int_eq(ftruncate(fd, 0x2000), 0);
	ck_assert_int_eq(hv_load_flat(vm, path, 0, &size), 0);	/* exact fit */
	ck_assert_uint_eq(size, 0x2000);
	ck_assert_int_eq(ftruncate(fd, 0), 0);
	ck_assert_int_eq(hv_load_flat(vm, path, 0, &size), 0);
	ck_assert_uint_eq(size, 0);
	close(fd);
	unlink(path);

	ck_assert_int_eq(hv_load_flat(vm, "/nonexistent/img", 0, &size), -ENOENT);
	ck_assert_int_eq(hv_load_flat(vm, "/tmp", 0, &size), -EISDIR);
	ck_assert_int_eq(hv_load_flat(NULL, path, 0, &size), -EBADF);
	hv_vm_close(vm);
	hv_close(hv);
}
END_TEST

START_TEST(vcpu_setup_mode)
{
	struct hv *hv = open_fake();
	struct hv_sregs want = { 0 };
	struct hv_regs wregs;
	struct hv_vcpu *vcpu;
	struct fake_vcpu *fv;
	struct hv_cpuid cpuid;
	struct hv_vm *vm;
	uint64_t pml4;

	ck_assert_int_eq(hv_vm_create(hv, "cpu", 0, &vm), 0);
	ck_assert_int_eq(hv_vm_add_ram(vm, 0, 2 * MiB), 0);
	ck_assert_int_eq(hv_vcpu_create(vm, 0, &vcpu), 0);
	ck_assert_uint_eq(hv_vcpu_id(vcpu), 0);
	fv = fake_vcpu_of(hv_vcpu_fd(vcpu));
	ck_assert_ptr_nonnull(fv);
	ck_assert_ptr_nonnull(hv_vcpu_run_area(vcpu));
	hv_vcpu_run_area(vcpu)->exit_reason = HV_EXIT_HLT;	/* writable */

	/* Scratch outside RAM: refused before any state is set. */
	ck_assert_int_eq(hv_vcpu_setup_mode(vcpu, vm, HV_MODE_LONG64, 0x1000,
					    0x80000, 0x400000), -EFAULT);
	ck_assert_int_eq(fv->set_sregs + fv->set_regs, 0);

	ck_assert_int_eq(hv_vcpu_setup_mode(vcpu, vm, HV_MODE_LONG64, 0x1000,
					    0x80000, SCRATCH_GPA), 0);
	want.cr0 = 0x60000010;		/* what the fake started with */
	want.cr2 = 0x1234;
	ck_assert_int_eq(hv_mode_prepare(HV_MODE_LONG64, 0x1000, 0x80000,
					 SCRATCH_GPA, scratch, &wregs, &want), 0);
	ck_assert_mem_eq(&fv->sregs, &want, sizeof(want));
	ck_assert_mem_eq(&fv->regs, &wregs, sizeof(wregs));
	fake_ram(&fake_vms[0], SCRATCH_GPA, &pml4, 8);
	ck_assert_uint_eq(pml4, get64(scratch, 0));
	ck_assert_uint_eq(pml4 & ~0xfffULL, SCRATCH_GPA + 0x1000);

	/* Real mode needs no VM. */
	ck_assert_int_eq(hv_vcpu_setup_mode(vcpu, NULL, HV_MODE_REAL, 0x7c00,
					    0x7000, HV_MODE_NO_SCRATCH), 0);
	ck_assert_uint_eq(fv->regs.rip, 0x7c00);

	ck_assert_int_eq(hv_vcpu_run(vcpu), -EINTR);
	memset(&cpuid, 0, sizeof(cpuid));
	cpuid.nent = HV_CPUID_MAX_ENTRIES + 1;
	ck_assert_int_eq(hv_vcpu_set_cpuid(vcpu, &cpuid), -EINVAL);
	ck_assert_int_eq(hv_vcpu_get_regs(vcpu, NULL), -EINVAL);
	ck_assert_int_eq(hv_vcpu_run(NULL), -EBADF);
	hv_vcpu_close(vcpu);

	/* HV_VM_OPEN_VCPU: a handle for the vCPU the VM has, none other. */
	ck_assert_int_eq(hv_vcpu_open(vm, 1, &vcpu), -ENOENT);
	ck_assert_ptr_null(vcpu);
	ck_assert_int_eq(hv_vcpu_open(vm, HV_MAX_VCPUS, &vcpu), -ENOENT);
	ck_assert_int_eq(hv_vcpu_open(NULL, 0, &vcpu), -EBADF);
	ck_assert_int_eq(hv_vcpu_open(vm, 0, NULL), -EINVAL);
	ck_assert_int_eq(hv_vcpu_open(vm, 0, &vcpu), 0);
	ck_assert_uint_eq(hv_vcpu_id(vcpu), 0);
	ck_assert_ptr_nonnull(hv_vcpu_run_area(vcpu));
	hv_vcpu_close(vcpu);
	hv_vm_close(vm);
	hv_close(hv);
}
END_TEST

Suite *vmapi_suite(void)
{
	Suite *s = suite_create("vmapi");
	TCase *modes = tcase_create("modes");
	TCase *vm = tcase_create("vm");

	tcase_add_test(modes, mode_real);
	tcase_add_test(modes, mode_errors_change_nothing);
	tcase_add_test(modes, mode_prot32);
	tcase_add_test(modes, mode_long64);
	suite_add_tcase(s, modes);

	tcase_add_checked_fixture(vm, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(vm, vm_create_map_info);
	tcase_add_test(vm, vm_irq_line_msi);
	tcase_add_test(vm, vm_list_grows);
	tcase_add_test(vm, loader);
	tcase_add_test(vm, vcpu_setup_mode);
	suite_add_tcase(s, vm);
	return s;
}
