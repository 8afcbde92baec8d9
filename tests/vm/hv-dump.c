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
 *   hv-dump NAME --laps   the cut in the RAM of tests/guests/laps.S
 *                         against its registers (check_laps() below)
 *
 * The VM must be quiet (paused, stopped or never started); --peek also
 * reads a running one.  Exit status 0, or 1 with one line on stderr.
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

/* tests/guests/laps.S: its state block and first page */
#define LAPS_STATE	0x8000
#define LAPS_BASE	0x10000
#define LAPS_MAGIC	0x5350414cU	/* "LAPS" */

static uint32_t rd32(struct hv_vm *vm, uint64_t gpa)
{
	const void *p = hv_vm_gpa_ptr(vm, gpa, 4);
	uint32_t v;

	if (!p) {
		fprintf(stderr, "hv-dump: --laps: %#" PRIx64 " is not RAM\n",
			gpa);
		exit(1);
	}
	memcpy(&v, p, 4);
	return v;
}

/*
 * --laps: laps.S's RAM must be exactly the instant of its registers.
 * EDI = T pages written in all; q = T / N, k = T % N: pages [0, k) hold
 * lap q + 1 in their first and last qword, pages [k, N) lap q, but page
 * k is half written at RIP = S2 (first q + 1, last q) and written at
 * RIP = S3 (both q + 1, T not yet counted).  Each page with a lap holds
 * its index beside it.  ESI, the lap being written, is q + 1, or q at the
 * wrap (k = 0).  Prints one line ("laps: T=... lap=... cut=... N=...");
 * on a mismatch, the first wrong pages and how many, and exit status 1.
 */
static int check_laps(struct hv_vm *vm)
{
	struct hv_vcpu_state *st;
	uint64_t t, q, k, n, i, rip, bad = 0;
	uint32_t s2, s3, esi;
	int r;

	if (rd32(vm, LAPS_STATE) != LAPS_MAGIC) {
		fprintf(stderr, "hv-dump: --laps: no laps state block at %#x "
			"(magic %#x)\n", LAPS_STATE, rd32(vm, LAPS_STATE));
		return 1;
	}
	n = rd32(vm, LAPS_STATE + 4);
	s2 = rd32(vm, LAPS_STATE + 16);
	s3 = rd32(vm, LAPS_STATE + 20);
	if (!n || !hv_vm_gpa_ptr(vm, LAPS_BASE, n * 4096)) {
		fprintf(stderr, "hv-dump: --laps: N=%" PRIu64 " pages from "
			"%#x are not all RAM\n", n, LAPS_BASE);
		return 1;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		die("calloc", ENOMEM);
	r = hv_vm_get_vcpu_state(vm, 0, st);
	if (r)
		die("HV_VM_GET_VCPU_STATE", r);
	t = (uint32_t)st->regs.rdi;
	esi = (uint32_t)st->regs.rsi;
	rip = st->regs.rip;
	free(st);
	q = t / n;
	k = t % n;
	printf("laps: T=%" PRIu64 " lap=%" PRIu64 " cut=%" PRIu64
	       " N=%" PRIu64 " esi=%u rip=%#" PRIx64 "%s\n", t, q, k, n, esi,
	       rip, rip == s2 ? " (page cut half written)" :
	       rip == s3 ? " (page cut written, not counted)" : "");
	if (esi != q + 1 && !(k == 0 && esi == q)) {
		fprintf(stderr, "hv-dump: --laps: ESI=%u is not the lap of "
			"T=%" PRIu64 " (%" PRIu64 ")\n", esi, t, q + 1);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t gpa = LAPS_BASE + i * 4096;
		uint32_t want_first = i < k ? q + 1 : q, want_last = want_first;
		uint32_t first = rd32(vm, gpa), last = rd32(vm, gpa + 4088);
		uint32_t idx0 = rd32(vm, gpa + 4), idx1 = rd32(vm, gpa + 4092);
		bool ok;

		if (i == k && (rip == s2 || rip == s3))
			want_first = q + 1;
		if (i == k && rip == s3)
			want_last = q + 1;
		ok = first == want_first && last == want_last &&
		     (!first || (idx0 == i && idx1 == i));
		if (ok)
			continue;
		if (bad++ < 8)
			fprintf(stderr, "hv-dump: --laps: page %" PRIu64
				" (%#" PRIx64 "): lap %u/%u index %u/%u, "
				"expected lap %u/%u index %" PRIu64 "\n", i,
				gpa, first, last, idx0, idx1, want_first,
				want_last, i);
	}
	if (bad) {
		fprintf(stderr, "hv-dump: --laps: %" PRIu64 " of %" PRIu64
			" pages are not the instant of T=%" PRIu64 "\n", bad,
			n, t);
		return 1;
	}
	return 0;
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
	bool laps = argc == 3 && !strcmp(argv[2], "--laps");
	size_t n, i;
	int r;

	if (argc < 2 || (argc > 2 && !mem_only && !peek && !laps)) {
		fprintf(stderr, "usage: hv-dump NAME [--mem | --peek GPA | "
			"--laps]\n");
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
	if (laps) {
		if (info.state == HV_VM_STATE_RUNNING) {
			fprintf(stderr, "hv-dump: --laps: %s is running\n",
				argv[1]);
			return 1;
		}
		return check_laps(vm);
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
