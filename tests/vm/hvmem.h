/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-memory helpers shared by hv-mem-test.c (dirty logging),
 * hv-clone-test.c (copy-on-write clones), hv-lazy-test.c and
 * hv-memacct-test.c (lazy RAM): raw dirty-log and lazy-fill ioctls, the
 * pages.S guest (tests/guests/pages.S) and its patterns, bitmaps.
 */
#ifndef HVMEM_H
#define HVMEM_H

#include <stdbool.h>
#include <sys/ioctl.h>

#include "hvtest.h"
#include "hvguest.h"

#define PAGE		4096ULL


static inline long set_log(struct hv_vm *vm, uint64_t gpa, uint32_t flags)
{
	struct hv_dirty_log d = { .gpa = gpa, .flags = flags };

	return ioctl(hv_vm_fd(vm), HV_VM_SET_DIRTY_LOG, &d);
}

static inline long get_log(struct hv_vm *vm, uint64_t gpa, uint64_t *bitmap)
{
	struct hv_dirty_log d = { .gpa = gpa,
				  .bitmap = (uint64_t)(uintptr_t)bitmap };

	return ioctl(hv_vm_fd(vm), HV_VM_GET_DIRTY_LOG, &d);
}

/* HV_LAZY_FILL on filler fd @fd, raw (its errno); *out: what it said */
static inline long lazy_fill(int fd, uint64_t gpa, uint64_t size,
			     const void *data, struct hv_lazy_fill *out)
{
	struct hv_lazy_fill f = { .gpa = gpa, .size = size,
				  .data = (uint64_t)(uintptr_t)data };
	long r = ioctl(fd, HV_LAZY_FILL, &f);

	if (out)
		*out = f;
	return r;
}

static inline bool vm_info(struct hv_vm *vm, struct hv_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(hv_vm_fd(vm), HV_VM_GET_INFO, info) == 0;
}

/* Write the page list for pages.S at TABLE_IN. */
static inline int put_table(struct guest *g, const uint64_t *pages, unsigned int n)
{
	uint64_t *t = hv_vm_gpa_ptr(g->vm, TABLE_IN, PAGE);
	unsigned int i;

	if (!t) {
		guest_why(g, "no mapping of TABLE_IN");
		return -1;
	}
	t[0] = n;
	for (i = 0; i < n; i++)
		t[1 + i] = pages[i];
	return 0;
}

/* Run pages.S from the start with tag @tag, to its HLT. */
static inline int run_pages(struct guest *g, uint64_t tag, const char *when)
{
	static const uint64_t done[] = { RES_DONE };
	struct hv_regs regs;
	int err;

	err = hv_vcpu_get_regs(g->vcpu, &regs);
	if (!err) {
		regs.rip = GUEST_BASE;
		regs.rsi = tag;
		err = hv_vcpu_set_regs(g->vcpu, &regs);
	}
	if (err) {
		guest_why(g, "%s: set RIP/RSI: %s", when, hv_strerror(err));
		return -1;
	}
	g->nres = 0;
	if (guest_run_expect(g, HV_EXIT_HLT, when) ||
	    guest_expect_results(g, done, 1, when))
		return -1;
	return 0;
}

/* Does the page at @p (GPA @gpa) hold pages.S's pattern for @tag? */
static inline bool page_has(const uint64_t *p, uint64_t gpa, uint64_t tag)
{
	uint64_t i;

	for (i = 0; i < PAGE / 8; i++)
		if (p[i] != ((gpa + 8 * i) ^ tag))
			return false;
	return true;
}

/*
 * The guest's own page tables (libhv's mode setup puts them in the
 * scratch area): under AMD-V a nested walk may count as a write to them
 * even with every A/D bit set (APM Vol 2, 15.25.5: guest page-table
 * accesses are checked as writes), so the dirty log and COW may see them.
 */
#define SCRATCH_END	(SCRATCH_GPA + 0x10000)

static inline uint64_t scratch_mask(uint64_t base, uint64_t size, uint64_t word)
{
	uint64_t m = 0, b, gpa;

	for (b = 0; b < 64; b++) {
		gpa = base + (word * 64 + b) * PAGE;
		if (gpa >= SCRATCH_GPA && gpa < SCRATCH_END && gpa < base + size)
			m |= 1ULL << b;
	}
	return m;
}

/*
 * The bitmap must be exactly the bits for @pages inside [base, +size),
 * give or take the guest's page tables.
 */
static inline bool expect_bits(const uint64_t *bm, uint64_t base, uint64_t size,
			const uint64_t *pages, unsigned int n, const char *what)
{
	uint64_t words = (size / PAGE + 63) / 64, want[1024] = { 0 }, i, m;
	unsigned int k;

	for (k = 0; k < n; k++)
		if (pages[k] >= base && pages[k] < base + size) {
			i = (pages[k] - base) / PAGE;
			want[i / 64] |= 1ULL << (i % 64);
		}
	for (i = 0; i < words; i++) {
		m = ~scratch_mask(base, size, i);
		if ((bm[i] & m) != want[i]) {
			fail("%s: bitmap word %llu = %#llx, expected %#llx", what,
			     (unsigned long long)i, (unsigned long long)bm[i],
			     (unsigned long long)want[i]);
			return false;
		}
	}
	ok("%s: exactly the expected pages", what);
	return true;
}

static inline bool ram_flags(struct hv_vm *vm, uint32_t f0, uint32_t f1,
		      const char *what)
{
	struct hv_ram_list list;

	memset(&list, 0xff, sizeof(list));
	if (ioctl(hv_vm_fd(vm), HV_VM_GET_RAM, &list)) {
		fail("%s: HV_VM_GET_RAM: %s", what, strerror(errno));
		return false;
	}
	if (list.count != 2 || list.regions[0].gpa != 0 ||
	    list.regions[1].gpa != 2 * MiB || list.regions[0].flags != f0 ||
	    list.regions[1].flags != f1 || list.regions[2].size != 0) {
		fail("%s: GET_RAM count %u, flags %#x %#x, expected 2, %#x %#x",
		     what, list.count, list.regions[0].flags,
		     list.regions[1].flags, f0, f1);
		return false;
	}
	ok("%s: HV_VM_GET_RAM lists both regions, flags %#x %#x", what, f0,
	   f1);
	return true;
}

#endif /* HVMEM_H */
