/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl trace: the lines of tracefs's trace_pipe (the module's hv:*
 * events, kmod/hv_trace.h), parsed and turned into one line per exit -
 * plain, or in words for a learner (--explain) - and a summary.  No I/O
 * here but the FILE the lines go to, so the unit tests feed recorded
 * lines (tests/unit/test_cli_trace.c); cli/trace.c reads tracefs.
 */
#ifndef HVCTL_TRACE_H
#define HVCTL_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "uapi/hv.h"

enum hvctl_tev_kind {
	HVCTL_TEV_NONE,		/* not an hv event we read */
	HVCTL_TEV_EXIT,
	HVCTL_TEV_CPUID,
	HVCTL_TEV_PIO,
	HVCTL_TEV_MMIO,
	HVCTL_TEV_MSR,
	HVCTL_TEV_NPF,
	HVCTL_TEV_LOST,		/* "CPU:N [LOST M EVENTS]" */
};

/* One event, as the module's TP_printk wrote it */
struct hvctl_tev {
	enum hvctl_tev_kind kind;
	uint64_t vm;
	uint32_t vcpu;
	char ts[24];		/* tracefs's timestamp, seconds */
	union {
		struct {
			int reason;	/* index into hvctl_trace_reasons */
			char isa[8];	/* "vmx", "svm" */
			uint64_t hw, info1, info2, rip;
		} exit;
		struct {
			uint32_t leaf, subleaf, out[4];
		} cpuid;
		struct {
			uint32_t port, size, val;
			bool in, user;
		} pio;
		struct {
			uint64_t gpa, val;
			uint32_t size;
			bool write, user;
		} mmio;
		struct {
			uint32_t index;
			uint64_t val;
			bool write, fault;
		} msr;
		struct {
			uint64_t gpa;
			char access;		/* r, w, x */
			char outcome[16];	/* mmio, cow, dirty_log... */
		} npf;
		struct {
			uint64_t n;
		} lost;
	};
};

/*
 * The explanation table (cli/trace_explain.c), one row per exit reason
 * the module names (kmod/hv_trace.h's HV_TRACE_EXITS, hv_stats.c's
 * names), in the module's order.
 */
struct hvctl_trace_reason {
	const char *name;	/* "cpuid" */
	const char *what;	/* the guest's side, "ran CPUID" */
	const char *why_vmx;	/* why VT-x exits, with the SDM's section */
	const char *why_svm;	/* why AMD-V exits, with the APM's section */
	const char *hv;		/* what hv does about it */
};

extern const struct hvctl_trace_reason hvctl_trace_reasons[];
extern const unsigned int hvctl_trace_nr_reasons;

/* The row of @name; -1 if the module named a reason this hvctl lacks */
int hvctl_trace_reason_index(const char *name);

/* 0 and @ev filled, or -1: not an event line of ours */
int hvctl_trace_parse(const char *line, struct hvctl_tev *ev);

#define HVCTL_TRACE_REASONS_MAX	64

struct hvctl_trace {
	FILE *out;
	bool explain;
	uint64_t vm;		/* only this VM's events (the kernel filters too) */
	struct hvctl_tev pending[HV_MAX_VCPUS];	/* an exit waiting for its details */
	bool has_pending[HV_MAX_VCPUS];
	uint64_t counts[HVCTL_TRACE_REASONS_MAX];
	uint64_t other;		/* exits of a reason this hvctl does not know */
	uint64_t exits, lost;
};

void hvctl_trace_init(struct hvctl_trace *t, FILE *out, uint64_t vm,
		      bool explain);
/* One line of trace_pipe (without its newline) */
void hvctl_trace_feed(struct hvctl_trace *t, const char *line);
/* Print the exits still waiting for details */
void hvctl_trace_flush(struct hvctl_trace *t);
/* "--- NAME: N exits" and a line per reason, the most frequent first */
void hvctl_trace_summary(struct hvctl_trace *t, const char *name);

/* cli/trace.c: the command (cli/commands.c's table) */
int hvctl_cmd_trace(int argc, char **argv);

#endif /* HVCTL_TRACE_H */
