// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl trace: trace_pipe lines to one line per exit (trace.h).
 *
 * A trace_pipe line is "COMM-PID [CPU] FLAGS TIMESTAMP: EVENT: FIELDS",
 * FIELDS as kmod/hv_trace.h's TP_printk wrote them.  The module traces
 * an exit (hv_exit) before its handler runs, and the handler's details
 * (hv_cpuid, hv_pio, hv_msr, hv_mmio, hv_npf) after it; so an exit waits
 * here, per vCPU, until its details come, or the vCPU's next exit, or
 * the end.  A userspace IN's value comes when the answer is back, still
 * before the next exit.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static int parse_exit(const char *f, struct hvctl_tev *ev)
{
	char reason[32];

	if (sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " reason %31s %7s 0x%"
		   SCNx64 " info 0x%" SCNx64 " 0x%" SCNx64 " rip 0x%" SCNx64,
		   &ev->vm, &ev->vcpu, reason, ev->exit.isa, &ev->exit.hw,
		   &ev->exit.info1, &ev->exit.info2, &ev->exit.rip) != 8)
		return -1;
	ev->exit.reason = hvctl_trace_reason_index(reason);
	return 0;
}

static int parse_cpuid(const char *f, struct hvctl_tev *ev)
{
	uint32_t *o = ev->cpuid.out;

	return sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " leaf 0x%" SCNx32
		      " subleaf 0x%" SCNx32 " eax 0x%" SCNx32 " ebx 0x%" SCNx32
		      " ecx 0x%" SCNx32 " edx 0x%" SCNx32, &ev->vm, &ev->vcpu,
		      &ev->cpuid.leaf, &ev->cpuid.subleaf, &o[0], &o[1], &o[2],
		      &o[3]) == 8 ? 0 : -1;
}

static int parse_pio(const char *f, struct hvctl_tev *ev)
{
	char dir[4], by[8];

	if (sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " %3s port 0x%" SCNx32
		   " size %" SCNu32 " value 0x%" SCNx32 " by %7s", &ev->vm,
		   &ev->vcpu, dir, &ev->pio.port, &ev->pio.size, &ev->pio.val,
		   by) != 7)
		return -1;
	ev->pio.in = !strcmp(dir, "in");
	ev->pio.user = !strcmp(by, "user");
	return 0;
}

static int parse_mmio(const char *f, struct hvctl_tev *ev)
{
	char dir[8], by[8];

	if (sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " %7s gpa 0x%" SCNx64
		   " size %" SCNu32 " value 0x%" SCNx64 " by %7s", &ev->vm,
		   &ev->vcpu, dir, &ev->mmio.gpa, &ev->mmio.size,
		   &ev->mmio.val, by) != 7)
		return -1;
	ev->mmio.write = !strcmp(dir, "write");
	ev->mmio.user = !strcmp(by, "user");
	return 0;
}

static int parse_msr(const char *f, struct hvctl_tev *ev)
{
	char op[8];

	if (sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " %7s index 0x%" SCNx32
		   " value 0x%" SCNx64, &ev->vm, &ev->vcpu, op, &ev->msr.index,
		   &ev->msr.val) != 5)
		return -1;
	ev->msr.write = !strcmp(op, "wrmsr");
	ev->msr.fault = strstr(f, " #GP") != NULL;
	return 0;
}

static int parse_npf(const char *f, struct hvctl_tev *ev)
{
	return sscanf(f, "vm %" SCNu64 " vcpu %" SCNu32 " gpa 0x%" SCNx64
		      " %c %15s", &ev->vm, &ev->vcpu, &ev->npf.gpa,
		      &ev->npf.access, ev->npf.outcome) == 5 ? 0 : -1;
}

static const struct {
	const char *name;
	enum hvctl_tev_kind kind;
	int (*parse)(const char *fields, struct hvctl_tev *ev);
} tev_types[] = {
	{ "hv_exit", HVCTL_TEV_EXIT, parse_exit },
	{ "hv_cpuid", HVCTL_TEV_CPUID, parse_cpuid },
	{ "hv_pio", HVCTL_TEV_PIO, parse_pio },
	{ "hv_mmio", HVCTL_TEV_MMIO, parse_mmio },
	{ "hv_msr", HVCTL_TEV_MSR, parse_msr },
	{ "hv_npf", HVCTL_TEV_NPF, parse_npf },
};

int hvctl_trace_parse(const char *line, struct hvctl_tev *ev)
{
	const char *ev_at, *ts, *name_end, *lost;
	size_t len, i;

	memset(ev, 0, sizeof(*ev));
	lost = strstr(line, " [LOST ");
	if (lost && !strncmp(line, "CPU:", 4)) {
		if (sscanf(lost, " [LOST %" SCNu64 " EVENTS]", &ev->lost.n) != 1)
			return -1;
		ev->kind = HVCTL_TEV_LOST;
		return 0;
	}
	/* the event name follows the timestamp's ": " */
	ev_at = strstr(line, ": hv_");
	if (!ev_at)
		return -1;
	for (ts = ev_at; ts > line && ts[-1] != ' '; ts--)
		;
	len = (size_t)(ev_at - ts);
	if (len >= sizeof(ev->ts))
		len = sizeof(ev->ts) - 1;
	memcpy(ev->ts, ts, len);
	ev->ts[len] = '\0';
	ev_at += 2;
	name_end = strstr(ev_at, ": ");
	if (!name_end)
		return -1;
	for (i = 0; i < sizeof(tev_types) / sizeof(tev_types[0]); i++) {
		len = strlen(tev_types[i].name);
		if ((size_t)(name_end - ev_at) != len ||
		    strncmp(ev_at, tev_types[i].name, len))
			continue;
		if (tev_types[i].parse(name_end + 2, ev))
			return -1;
		ev->kind = tev_types[i].kind;
		return 0;
	}
	return -1;		/* another hv event: not one trace reads */
}

void hvctl_trace_init(struct hvctl_trace *t, FILE *out, uint64_t vm,
		      bool explain)
{
	memset(t, 0, sizeof(*t));
	t->out = out;
	t->vm = vm;
	t->explain = explain;
}

static const char *vendor_name(const char *isa)
{
	return !strcmp(isa, "svm") ? "AMD-V" : "VT-x";
}

static const char *vendor_why(const struct hvctl_trace_reason *r,
			      const char *isa)
{
	return !strcmp(isa, "svm") ? r->why_svm : r->why_vmx;
}

static const char *size_word(uint32_t size)
{
	return size == 1 ? "byte" : "bytes";
}

/* --explain: the exit @x in words, with @d its details (or NULL) */
static void explain(struct hvctl_trace *t, const struct hvctl_tev *x,
		    const struct hvctl_tev *d)
{
	const struct hvctl_trace_reason *r;
	FILE *out = t->out;
	const char *why;

	if (x->exit.reason < 0) {
		fprintf(out, "vCPU %" PRIu32 " exited at RIP 0x%" PRIx64
			" for a reason this hvctl does not know (%s 0x%"
			PRIx64 ")\n", x->vcpu, x->exit.rip, vendor_name(x->exit.isa),
			x->exit.hw);
		return;
	}
	r = &hvctl_trace_reasons[x->exit.reason];
	why = vendor_why(r, x->exit.isa);

	switch (d ? d->kind : HVCTL_TEV_NONE) {
	case HVCTL_TEV_CPUID:
		fprintf(out, "vCPU %" PRIu32 " ran CPUID leaf 0x%" PRIx32
			" subleaf 0x%" PRIx32 " at RIP 0x%" PRIx64 "; %s; %s: "
			"eax=0x%" PRIx32 " ebx=0x%" PRIx32 " ecx=0x%" PRIx32
			" edx=0x%" PRIx32 "\n", x->vcpu, d->cpuid.leaf,
			d->cpuid.subleaf, x->exit.rip, why,
			"hv answered from its CPUID table", d->cpuid.out[0],
			d->cpuid.out[1], d->cpuid.out[2], d->cpuid.out[3]);
		return;
	case HVCTL_TEV_PIO:
		if (d->pio.in)
			fprintf(out, "vCPU %" PRIu32 " read I/O port 0x%" PRIx32
				" (IN, %" PRIu32 " %s) at RIP 0x%" PRIx64 "; %s; "
				"%s answered 0x%" PRIx32 "\n", x->vcpu,
				d->pio.port, d->pio.size, size_word(d->pio.size),
				x->exit.rip, why, d->pio.user ?
				"no device in the kernel has the port: the "
				"VM's driver (userspace, or the managed "
				"service)" : "a device in the kernel (kmod/io)",
				d->pio.val);
		else
			fprintf(out, "vCPU %" PRIu32 " wrote 0x%" PRIx32
				" to I/O port 0x%" PRIx32 " (OUT, %" PRIu32
				" %s) at RIP 0x%" PRIx64 "; %s; %s\n", x->vcpu,
				d->pio.val, d->pio.port, d->pio.size,
				size_word(d->pio.size), x->exit.rip, why,
				d->pio.user ? "no device in the kernel has the "
				"port: hv passed it to the VM's driver "
				"(userspace, or the managed service)" :
				"a device in the kernel (kmod/io) took it");
		return;
	case HVCTL_TEV_MSR:
		fprintf(out, "vCPU %" PRIu32 " ran %s of MSR 0x%" PRIx32
			" at RIP 0x%" PRIx64 "; %s; ", x->vcpu,
			d->msr.write ? "WRMSR" : "RDMSR", d->msr.index,
			x->exit.rip, why);
		if (d->msr.fault)
			fprintf(out, "hv refused it and injected #GP(0) "
				"(SDM Vol 2B, %s)\n",
				d->msr.write ? "WRMSR" : "RDMSR");
		else if (d->msr.write)
			fprintf(out, "hv checked and stored 0x%" PRIx64 "\n",
				d->msr.val);
		else
			fprintf(out, "hv answered 0x%" PRIx64 "\n", d->msr.val);
		return;
	case HVCTL_TEV_NPF:
		fprintf(out, "vCPU %" PRIu32 " %s guest-physical 0x%" PRIx64
			" at RIP 0x%" PRIx64 "; %s; ", x->vcpu,
			d->npf.access == 'w' ? "wrote" :
			d->npf.access == 'x' ? "fetched from" : "read",
			d->npf.gpa, x->exit.rip, why);
		if (!strcmp(d->npf.outcome, "mmio"))
			fprintf(out, "no RAM there: hv decoded the instruction "
				"and emulated it as MMIO\n");
		else if (!strcmp(d->npf.outcome, "cow"))
			fprintf(out, "the page was shared copy-on-write with a "
				"clone: hv copied it for this VM\n");
		else if (!strcmp(d->npf.outcome, "dirty_log"))
			fprintf(out, "the dirty log watches the page: hv marked "
				"it dirty and let the write through\n");
		else if (!strcmp(d->npf.outcome, "spurious"))
			fprintf(out, "the page was mapped as needed already: "
				"hv let the guest try again\n");
		else
			fprintf(out, "hv made the page writable again (%s)\n",
				d->npf.outcome);
		return;
	case HVCTL_TEV_MMIO:
		fprintf(out, "vCPU %" PRIu32 " %s %" PRIu32 " %s at guest-"
			"physical 0x%" PRIx64 " (MMIO) at RIP 0x%" PRIx64
			"; %s; %s 0x%" PRIx64 "\n", x->vcpu,
			d->mmio.write ? "wrote" : "read", d->mmio.size,
			size_word(d->mmio.size), d->mmio.gpa, x->exit.rip,
			why, d->mmio.user ? "the VM's driver handled" :
			"a device in the kernel handled", d->mmio.val);
		return;
	default:
		fprintf(out, "vCPU %" PRIu32 " %s at RIP 0x%" PRIx64 "; %s; "
			"%s\n", x->vcpu, r->what, x->exit.rip, why, r->hv);
		return;
	}
}

/* The plain line: TIME vCPU RIP REASON (ISA HW) and the details */
static void plain(struct hvctl_trace *t, const struct hvctl_tev *x,
		  const struct hvctl_tev *d)
{
	FILE *out = t->out;

	fprintf(out, "%s vcpu %" PRIu32 " rip 0x%" PRIx64 " %s (%s 0x%"
		PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 ")", x->ts, x->vcpu,
		x->exit.rip, x->exit.reason < 0 ? "?" :
		hvctl_trace_reasons[x->exit.reason].name, x->exit.isa,
		x->exit.hw, x->exit.info1, x->exit.info2);
	switch (d ? d->kind : HVCTL_TEV_NONE) {
	case HVCTL_TEV_CPUID:
		fprintf(out, " leaf 0x%" PRIx32 " subleaf 0x%" PRIx32
			" -> 0x%" PRIx32 " 0x%" PRIx32 " 0x%" PRIx32 " 0x%"
			PRIx32, d->cpuid.leaf, d->cpuid.subleaf,
			d->cpuid.out[0], d->cpuid.out[1], d->cpuid.out[2],
			d->cpuid.out[3]);
		break;
	case HVCTL_TEV_PIO:
		fprintf(out, " %s port 0x%" PRIx32 " size %" PRIu32
			" value 0x%" PRIx32 " by %s", d->pio.in ? "in" : "out",
			d->pio.port, d->pio.size, d->pio.val,
			d->pio.user ? "user" : "kernel");
		break;
	case HVCTL_TEV_MSR:
		fprintf(out, " %s 0x%" PRIx32 " value 0x%" PRIx64 "%s",
			d->msr.write ? "wrmsr" : "rdmsr", d->msr.index,
			d->msr.val, d->msr.fault ? " #GP" : "");
		break;
	case HVCTL_TEV_NPF:
		fprintf(out, " gpa 0x%" PRIx64 " %c %s", d->npf.gpa,
			d->npf.access, d->npf.outcome);
		break;
	case HVCTL_TEV_MMIO:
		fprintf(out, " mmio %s gpa 0x%" PRIx64 " size %" PRIu32
			" value 0x%" PRIx64, d->mmio.write ? "write" : "read",
			d->mmio.gpa, d->mmio.size, d->mmio.val);
		break;
	default:
		break;
	}
	fputc('\n', out);
}

static void emit(struct hvctl_trace *t, const struct hvctl_tev *x,
		 const struct hvctl_tev *d)
{
	if (t->explain)
		explain(t, x, d);
	else
		plain(t, x, d);
}

/* A detail with no exit waiting (an MMIO access's second piece) */
static void emit_detail(struct hvctl_trace *t, const struct hvctl_tev *d)
{
	if (d->kind != HVCTL_TEV_MMIO)
		return;
	if (t->explain)
		fprintf(t->out, "vCPU %" PRIu32 " %s %" PRIu32 " %s at "
			"guest-physical 0x%" PRIx64 " (the next piece of the "
			"same MMIO access): 0x%" PRIx64 "\n", d->vcpu,
			d->mmio.write ? "wrote" : "read", d->mmio.size,
			size_word(d->mmio.size), d->mmio.gpa, d->mmio.val);
	else
		fprintf(t->out, "%s vcpu %" PRIu32 " mmio %s gpa 0x%" PRIx64
			" size %" PRIu32 " value 0x%" PRIx64 "\n", d->ts,
			d->vcpu, d->mmio.write ? "write" : "read", d->mmio.gpa,
			d->mmio.size, d->mmio.val);
}

void hvctl_trace_feed(struct hvctl_trace *t, const char *line)
{
	struct hvctl_tev ev;
	uint32_t v;

	if (hvctl_trace_parse(line, &ev))
		return;
	if (ev.kind == HVCTL_TEV_LOST) {
		t->lost += ev.lost.n;
		return;
	}
	if (ev.vm != t->vm || ev.vcpu >= HV_MAX_VCPUS)
		return;
	v = ev.vcpu;
	if (ev.kind == HVCTL_TEV_EXIT) {
		if (t->has_pending[v])
			emit(t, &t->pending[v], NULL);
		t->pending[v] = ev;
		t->has_pending[v] = true;
		t->exits++;
		if (ev.exit.reason >= 0 &&
		    ev.exit.reason < HVCTL_TRACE_REASONS_MAX)
			t->counts[ev.exit.reason]++;
		else
			t->other++;
		return;
	}
	if (t->has_pending[v]) {
		emit(t, &t->pending[v], &ev);
		t->has_pending[v] = false;
	} else {
		emit_detail(t, &ev);
	}
}

void hvctl_trace_flush(struct hvctl_trace *t)
{
	unsigned int v;

	for (v = 0; v < HV_MAX_VCPUS; v++) {
		if (t->has_pending[v])
			emit(t, &t->pending[v], NULL);
		t->has_pending[v] = false;
	}
}

void hvctl_trace_summary(struct hvctl_trace *t, const char *name)
{
	bool done[HVCTL_TRACE_REASONS_MAX] = { false };
	unsigned int i, best;
	unsigned int n = hvctl_trace_nr_reasons < HVCTL_TRACE_REASONS_MAX ?
			 hvctl_trace_nr_reasons : HVCTL_TRACE_REASONS_MAX;

	fprintf(t->out, "--- %s: %" PRIu64 " exits\n", name, t->exits);
	/* the most frequent first; ties in the module's order */
	for (;;) {
		best = n;
		for (i = 0; i < n; i++)
			if (!done[i] && t->counts[i] &&
			    (best == n || t->counts[i] > t->counts[best]))
				best = i;
		if (best == n)
			break;
		done[best] = true;
		fprintf(t->out, "%-12s %10" PRIu64 "\n",
			hvctl_trace_reasons[best].name, t->counts[best]);
	}
	if (t->other)
		fprintf(t->out, "%-12s %10" PRIu64 "\n", "other", t->other);
	if (t->lost)
		fprintf(t->out, "lost %" PRIu64 " events: the trace buffer "
			"was full (the counts above miss them)\n", t->lost);
}
