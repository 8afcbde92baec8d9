// SPDX-License-Identifier: GPL-2.0
/*
 * hv-dump: print a VM's whole state as text, one fact per line, so that
 * the snapshot cases (tests/vm/cases-snapshot.sh) can compare a VM before
 * a snapshot with its restored copies using cmp.
 *
 *   hv-dump NAME          vCPU state, device state, RAM hashes
 *   hv-dump NAME --mem    RAM hashes only (vendor-neutral: for the
 *                         cross-vendor cases, whose segment attributes
 *                         may be stored in another but equal form)
 *   hv-dump NAME --peek GPA   the 8 bytes at GPA, as hex
 *
 * The VM must be quiet (paused, stopped or never started).  Exit status 0,
 * or 1 with one line on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libhv.h"

static int die(const char *what, int err)
{
	fprintf(stderr, "hv-dump: %s: %s\n", what, hv_strerror(err));
	exit(1);
}

/* FNV-1a, 64 bits: enough to tell two RAM images apart. */
static uint64_t fnv1a(const uint8_t *p, uint64_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void seg(const char *name, const struct hv_segment *s)
{
	printf("%s sel=%#x base=%#" PRIx64 " limit=%#x type=%u s=%u dpl=%u p=%u avl=%u l=%u db=%u g=%u unusable=%u\n",
	       name, s->selector, (uint64_t)s->base, s->limit, s->type, s->s,
	       s->dpl, s->present, s->avl, s->l, s->db, s->g, s->unusable);
}

static void dump_vcpu(const struct hv_vcpu_state *st)
{
	const struct hv_regs *r = &st->regs;
	const struct hv_sregs *s = &st->sregs;
	const uint64_t *g = (const uint64_t *)&r->rax;
	static const char *const gpr[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8",
		"r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags",
	};
	unsigned int i;

	printf("vcpu %u\n", st->vcpu_id);
	for (i = 0; i < 18; i++)
		printf("%s=%#" PRIx64 "\n", gpr[i], (uint64_t)g[i]);
	seg("cs", &s->cs);
	seg("ds", &s->ds);
	seg("es", &s->es);
	seg("fs", &s->fs);
	seg("gs", &s->gs);
	seg("ss", &s->ss);
	seg("tr", &s->tr);
	seg("ldt", &s->ldt);
	printf("gdt base=%#" PRIx64 " limit=%#x\n", (uint64_t)s->gdt.base, s->gdt.limit);
	printf("idt base=%#" PRIx64 " limit=%#x\n", (uint64_t)s->idt.base, s->idt.limit);
	printf("cr0=%#" PRIx64 " cr2=%#" PRIx64 " cr3=%#" PRIx64 " cr4=%#" PRIx64 " cr8=%#" PRIx64 " efer=%#" PRIx64 "\n",
	       (uint64_t)s->cr0, (uint64_t)s->cr2, (uint64_t)s->cr3,
	       (uint64_t)s->cr4, (uint64_t)s->cr8, (uint64_t)s->efer);
	for (i = 0; i < 8; i++)
		printf("dr%u=%#" PRIx64 "\n", i, (uint64_t)st->dr[i]);
	printf("events flags=%#x vector=%u error=%#x\n", st->events.flags,
	       st->events.exception_vector, st->events.exception_error);
	for (i = 0; i < st->nr_msrs && i < HV_STATE_MAX_MSRS; i++)
		printf("msr %#x=%#" PRIx64 "\n", st->msrs[i].index,
		       (uint64_t)st->msrs[i].value);
	printf("cpuid entries=%u hash=%#" PRIx64 "\n", st->cpuid.nent,
	       fnv1a((const uint8_t *)st->cpuid.entries,
		     sizeof(st->cpuid.entries)));
	printf("xcr0=%#" PRIx64 " xsave hash=%#" PRIx64 "\n", (uint64_t)st->xcr0,
	       fnv1a(st->xsave, 576));
}

int main(int argc, char **argv)
{
	struct hv_ram_region rg[HV_MAX_REGIONS];
	struct hv_vcpu_state *st;
	struct hv_device_state dev;
	struct hv_vm_info info;
	struct hv_vm *vm;
	struct hv *hv;
	bool mem_only = argc == 3 && !strcmp(argv[2], "--mem");
	bool peek = argc == 4 && !strcmp(argv[2], "--peek");
	size_t n, i;
	int r;

	if (argc < 2 || (argc > 2 && !mem_only && !peek)) {
		fprintf(stderr, "usage: hv-dump NAME [--mem | --peek GPA]\n");
		return 2;
	}
	r = hv_open(&hv);
	if (r)
		die("/dev/hv", r);
	r = hv_vm_open(hv, argv[1], &vm);
	if (r)
		die(argv[1], r);
	r = hv_vm_info(vm, &info);
	if (r)
		die("HV_VM_GET_INFO", r);
	n = HV_MAX_REGIONS;
	r = hv_vm_get_ram(vm, rg, &n);
	if (r)
		die("HV_VM_GET_RAM", r);
	for (i = 0; i < n; i++) {
		r = hv_vm_map_ram(vm, rg[i].gpa, rg[i].size);
		if (r)
			die("mmap", r);
	}
	if (peek) {
		uint64_t gpa = strtoull(argv[3], NULL, 0), v;
		void *p = hv_vm_gpa_ptr(vm, gpa, 8);

		if (!p)
			die("--peek: not RAM", EINVAL);
		memcpy(&v, p, 8);
		printf("%#" PRIx64 "\n", v);
		return 0;
	}
	for (i = 0; i < n; i++)
		printf("ram gpa=%#" PRIx64 " size=%#" PRIx64 " hash=%#" PRIx64 "\n",
		       (uint64_t)rg[i].gpa, (uint64_t)rg[i].size,
		       fnv1a(hv_vm_gpa_ptr(vm, rg[i].gpa, rg[i].size),
			     rg[i].size));
	if (mem_only)
		return 0;

	st = calloc(1, sizeof(*st));
	if (!st)
		die("calloc", ENOMEM);
	for (i = 0; i < info.nr_vcpus; i++) {
		r = hv_vm_get_vcpu_state(vm, i, st);
		if (r)
			die("HV_VM_GET_VCPU_STATE", r);
		dump_vcpu(st);
	}
	r = hv_vm_get_device_state(vm, &dev);
	if (r)
		die("HV_VM_GET_DEVICE_STATE", r);
	printf("uart ier=%#x iir_thri=%#x lcr=%#x mcr=%#x scr=%#x dll=%#x dlm=%#x fcr=%#x rx_count=%u rx_hash=%#" PRIx64 "\n",
	       dev.uart.ier, dev.uart.iir_thri, dev.uart.lcr, dev.uart.mcr,
	       dev.uart.scr, dev.uart.dll, dev.uart.dlm, dev.uart.fcr,
	       dev.uart.rx_count,
	       fnv1a(dev.uart.rx, dev.uart.rx_count <= HV_UART_STATE_RX ?
		     dev.uart.rx_count : 0));
	printf("shutdown_match=%u\n", dev.shutdown_match);
	free(st);
	hv_vm_close(vm);
	hv_close(hv);
	return 0;
}
