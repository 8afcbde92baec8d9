/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GDB remote serial protocol engine of `hvctl gdb` (cli/gdbstub.c),
 * apart from sockets and the module: bytes in, bytes out, and a target
 * behind a table of operations (cli/gdb.c's over libhv, the unit tests'
 * over a fake), so that every packet can be tested on the host.
 *
 * What it speaks (docs/gdb.md): qSupported, qXfer:features:read (the
 * target description: x86-64 or i386, as the vCPU's mode was when gdb
 * connected; cli/gdbtdesc.c), ?, g/G and p/P (that register file;
 * x87/SSE read from the vCPU, not written), m/M
 * (guest-virtual memory, through the guest's page tables), Z0/z0 (INT3
 * written into guest memory), Z1-Z4/z1-z4 (DR0-3), s, c, vCont, Ctrl-C,
 * qfThreadInfo/qsThreadInfo/qC, H, T (one thread per vCPU, id = vCPU
 * index + 1), k and D (both detach and leave the VM running),
 * QStartNoAckMode.  An INT3 stop at an address that is not one of gdb's
 * breakpoints is the guest's own: it goes back to the guest
 * (HV_GUESTDBG_INJECT_BP), and gdb never hears of it.  Anything else
 * gets the empty reply ("unsupported"); malformed packets get
 * "E01"-style errors, never a crash.
 */
#ifndef HVCTL_GDBSTUB_H
#define HVCTL_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/hv.h"

#define GDB_MAX_PACKET		16384	/* PacketSize we announce (hex 4000) */
#define GDB_MAX_MEM		4096	/* bytes per m/M */
#define GDB_MAX_SWBP		64
#define GDB_NR_HWBP		4
#define GDB_MAX_VCPUS		HV_MAX_VCPUS

/* How the target stopped (poll_stop) */
enum gdb_stop_kind {
	GDB_RUNNING,		/* not yet */
	GDB_STOP_DEBUG,		/* a debug stop: @vcpu, @exception, @dr6 */
	GDB_STOP_PAUSED,	/* paused, no debug stop (Ctrl-C): SIGINT */
	GDB_STOP_EXITED,	/* the VM ended: @status is the exit code */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	unsigned int vcpu;
	uint32_t exception;	/* 1 or 3 */
	uint64_t dr6;
	uint64_t rip;		/* GDB_STOP_DEBUG: RIP at the stop */
	unsigned int status;	/* GDB_STOP_EXITED: 0-255 */
};

/*
 * The target.  Every operation returns 0 or -errno.  @vcpu is an index,
 * 0 .. nr_vcpus - 1.  read_phys/write_phys reach guest-physical memory;
 * the engine translates guest-virtual addresses itself.
 */
struct gdb_target_ops {
	int (*get_regs)(void *t, unsigned int vcpu, struct hv_regs *r,
			struct hv_sregs *s);
	int (*set_regs)(void *t, unsigned int vcpu, const struct hv_regs *r);
	/*
	 * The vCPU's x87/SSE registers in the FXSAVE layout (SDM Vol 1,
	 * 10.5.1, Table 10-2: 512 bytes), components in their initial
	 * state filled in as such.  NULL: gdb sees their reset values.
	 */
	int (*get_fpu)(void *t, unsigned int vcpu, uint8_t *fx);
	int (*read_phys)(void *t, uint64_t gpa, void *buf, size_t len);
	int (*write_phys)(void *t, uint64_t gpa, const void *buf, size_t len);
	int (*set_debug)(void *t, unsigned int vcpu,
			 const struct hv_guest_debug *d);
	int (*resume)(void *t);		/* let every vCPU run */
	int (*pause)(void *t);		/* Ctrl-C: stop them all */
	int (*poll_stop)(void *t, struct gdb_stop *st);
};

/*
 * The register file a session shows (docs/gdb.md): x86-64 for a vCPU in
 * 64-bit mode, i386 (4-byte GPRs, EIP, xmm0-7) in any other.
 */
enum gdb_arch {
	GDB_ARCH_NONE,		/* not chosen yet */
	GDB_ARCH_X86_64,
	GDB_ARCH_I386,
};

/* Its target description (cli/gdbtdesc.c): the XML and its length */
const char *gdb_tdesc(enum gdb_arch arch, size_t *len);

/* Where the engine's output goes (the socket): 0 or -errno */
typedef int (*gdb_write_fn)(void *io, const void *buf, size_t len);

#define GDB_FXSAVE_SIZE		512

struct gdb_swbp {
	uint64_t addr;
	uint8_t saved;
	bool on;
};

struct gdb_hwbp {
	uint64_t addr;
	unsigned int type;	/* 1 exec, 2 write, 3 read, 4 access (Z type) */
	unsigned int len;
	bool on;
};

/* gdb_stub_input()'s framing state */
enum gdb_rx_state { GDB_RX_IDLE, GDB_RX_DATA, GDB_RX_CSUM1, GDB_RX_CSUM2 };

struct gdb_stub {
	const struct gdb_target_ops *ops;
	void *t;
	unsigned int nr_vcpus;
	gdb_write_fn write;
	void *io;

	bool no_ack;
	enum gdb_arch arch;	/* chosen at the first packet that needs it */
	bool running;		/* resumed; a stop reply is owed */
	bool done;		/* detached, killed or the VM ended */
	unsigned int g_vcpu;	/* Hg: registers and memory of this vCPU */
	unsigned int c_vcpu;	/* Hc: the one s steps */
	unsigned int last_vcpu;	/* of the last stop */
	int step;		/* the vCPU the last resume steps, or -1 */
	char last_stop[64];	/* for '?' */
	struct gdb_swbp sw[GDB_MAX_SWBP];
	struct gdb_hwbp hw[GDB_NR_HWBP];

	enum gdb_rx_state rx;
	char pkt[GDB_MAX_PACKET + 1];
	size_t pkt_len;
	bool pkt_overflow;
	uint8_t csum;
	uint8_t rx_csum;
	char reply[2 * GDB_MAX_PACKET + 8];
};

void gdb_stub_init(struct gdb_stub *s, const struct gdb_target_ops *ops,
		   void *t, unsigned int nr_vcpus, gdb_write_fn write,
		   void *io);
/* Feed bytes from gdb; replies go out through write.  0 or -errno. */
int gdb_stub_input(struct gdb_stub *s, const void *buf, size_t len);
/*
 * One packet's payload (no $, #, checksum): its reply into s->reply
 * (NUL-terminated).  Returns 1 when a reply is to be sent, 0 when none
 * (the target was resumed: the stop reply comes later; k).
 */
int gdb_stub_packet(struct gdb_stub *s, const char *pkt, size_t len);
/*
 * While running: ask the target whether it stopped and, if so, send the
 * stop reply.  Returns 1 if it stopped, 0 if not, -errno.
 */
int gdb_stub_poll(struct gdb_stub *s);
/* Ctrl-C (also from gdb_stub_input on 0x03): pause a running target. */
int gdb_stub_interrupt(struct gdb_stub *s);
/*
 * Leave: breakpoints out of guest memory, debugging off on every vCPU,
 * the target resumed if it was stopped by us.  For D, k, and a lost
 * connection.
 */
int gdb_stub_detach(struct gdb_stub *s);

/*
 * The register file of this session: chosen from the Hg vCPU's mode
 * (vCPU 0 when gdb connects) at the first call - qSupported, the first
 * packet gdb sends - and kept for the session, as gdb keeps the target
 * description it read.
 */
enum gdb_arch gdb_stub_arch(struct gdb_stub *s);

/* Guest-virtual to guest-physical through the page tables in @sr */
int gdb_translate(struct gdb_stub *s, const struct hv_sregs *sr,
		  uint64_t va, uint64_t *pa);

#endif /* HVCTL_GDBSTUB_H */
