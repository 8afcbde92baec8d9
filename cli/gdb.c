// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl gdb NAME [--listen ADDR:PORT]: a GDB remote stub for a managed
 * VM (docs/gdb.md).  It waits for one gdb on ADDR:PORT (default
 * 127.0.0.1:1234), speaks the protocol through cli/gdbstub.c, and ends
 * when gdb detaches or kills (both leave the VM running), disconnects,
 * or the VM ends.
 *
 * The target is the module's: guest debugging on each vCPU
 * (HV_VCPU_SET_GUEST_DEBUG), a debug stop pauses the VM
 * (HV_VM_GET_DEBUG_STOP says which vCPU and why), Ctrl-C is HV_VM_PAUSE,
 * continue is HV_VM_RESUME - or HV_VM_START for a VM created and never
 * started, so that gdb sees it from its first instruction.  The register
 * file (x86-64 or i386) is vCPU 0's mode when gdb connects.  Registers go
 * through the vCPU fds (a paused VM's vCPUs answer), memory through the
 * VM's RAM mapped here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub.h"
#include "hvctl.h"

enum { OPT_HELP = HVCTL_OPT_HELP, OPT_LISTEN };

struct gdb_vm {
	struct hv_vm *vm;
	struct hv_vcpu *vcpu[GDB_MAX_VCPUS];
	unsigned int nr;
	uint64_t seq;		/* HV_VM_GET_DEBUG_STOP's at the last resume */
	const char *ctx;
};

static int vm_get_regs(void *t, unsigned int v, struct hv_regs *r,
		       struct hv_sregs *s)
{
	struct gdb_vm *g = t;
	int e;

	if (v >= g->nr)
		return -EINVAL;
	e = hv_vcpu_get_regs(g->vcpu[v], r);
	return e ? e : hv_vcpu_get_sregs(g->vcpu[v], s);
}

/*
 * x87/SSE from the vCPU's XSAVE area (the VM is paused while gdb looks):
 * its legacy region is FXSAVE's layout (SDM Vol 1, 13.4.1); a component
 * whose XSTATE_BV bit is clear is in its initial state and its bytes
 * there mean nothing (13.6), so it keeps the reset values *fx holds.
 * MXCSR is saved with either SSE or AVX in the mask (13.5.2): always.
 */
static int vm_get_fpu(void *t, unsigned int v, uint8_t *fx)
{
	struct gdb_vm *g = t;
	struct hv_vcpu_state *st;
	uint64_t bv;
	int e;

	if (v >= g->nr)
		return -EINVAL;
	st = malloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	e = hv_vm_get_vcpu_state(g->vm, v, st);
	if (!e) {
		memcpy(&bv, st->xsave + 512, sizeof(bv));	/* XSTATE_BV */
		if (bv & HV_XSTATE_X87) {
			memcpy(fx, st->xsave, 24);		/* FCW .. FDS */
			memcpy(fx + 32, st->xsave + 32, 128);	/* ST0-7 */
		}
		memcpy(fx + 24, st->xsave + 24, 4);		/* MXCSR */
		if (bv & HV_XSTATE_SSE)
			memcpy(fx + 160, st->xsave + 160, 256);	/* XMM0-15 */
	}
	free(st);
	return e;
}

static int vm_set_regs(void *t, unsigned int v, const struct hv_regs *r)
{
	struct gdb_vm *g = t;

	return v < g->nr ? hv_vcpu_set_regs(g->vcpu[v], r) : -EINVAL;
}

static int vm_read_phys(void *t, uint64_t gpa, void *buf, size_t len)
{
	struct gdb_vm *g = t;
	void *p = hv_vm_gpa_ptr(g->vm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static int vm_write_phys(void *t, uint64_t gpa, const void *buf, size_t len)
{
	struct gdb_vm *g = t;
	void *p = hv_vm_gpa_ptr(g->vm, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static int vm_set_debug(void *t, unsigned int v, const struct hv_guest_debug *d)
{
	struct gdb_vm *g = t;

	if (v >= g->nr)
		return -EINVAL;
	return hv_vcpu_set_guest_debug(g->vcpu[v], d);
}

static int vm_debug_stop(struct gdb_vm *g, struct hv_debug_stop *st)
{
	memset(st, 0, sizeof(*st));
	if (ioctl(hv_vm_fd(g->vm), HV_VM_GET_DEBUG_STOP, st) < 0)
		return -errno;
	return 0;
}

static int vm_resume(void *t)
{
	struct gdb_vm *g = t;
	struct hv_debug_stop st;
	struct hv_vm_info info;
	int r;

	r = vm_debug_stop(g, &st);
	if (r)
		return r;
	g->seq = st.seq;
	r = hv_vm_info(g->vm, &info);
	if (r)
		return r;
	if (info.state == HV_VM_STATE_PAUSED)
		r = hv_vm_resume(g->vm);
	else if (info.state == HV_VM_STATE_CREATED)
		r = hv_vm_start(g->vm);
	else
		return info.state == HV_VM_STATE_RUNNING ? 0 : -EINVAL;
	if (!r) {
		/* a script can interrupt gdb once this is out */
		fprintf(hvctl_out, "hvctl gdb: VM %s runs\n",
			hv_vm_name(g->vm));
		fflush(hvctl_out);
	}
	return r;
}

static int vm_pause(void *t)
{
	struct gdb_vm *g = t;
	int r = hv_vm_pause(g->vm);

	/* a debug stop, or the VM's end, may have come first */
	return r == -EINVAL ? 0 : r;
}

static int vm_poll_stop(void *t, struct gdb_stop *out)
{
	struct gdb_vm *g = t;
	struct hv_debug_stop st;
	struct hv_vm_info info;
	int r;

	r = hv_vm_info(g->vm, &info);
	if (r)
		return r;
	switch (info.state) {
	case HV_VM_STATE_RUNNING:
		out->kind = GDB_RUNNING;
		return 0;
	case HV_VM_STATE_PAUSED:
		r = vm_debug_stop(g, &st);
		if (r)
			return r;
		if (st.seq != g->seq) {
			out->kind = GDB_STOP_DEBUG;
			out->vcpu = st.vcpu;
			out->exception = st.exception;
			out->dr6 = st.dr6;
			out->rip = st.rip;
		} else {
			out->kind = GDB_STOP_PAUSED;
		}
		return 0;
	default:
		out->kind = GDB_STOP_EXITED;
		/* the debug exit's value; 0 for a halt or power-off */
		if (info.stop_reason == HV_STOP_DEBUG_EXIT)
			out->status = (info.exit_status >> 1) & 0xff;
		else if (info.stop_reason == HV_STOP_HALTED ||
			 info.stop_reason == HV_STOP_POWER_OFF)
			out->status = 0;
		else
			out->status = 1;
		fprintf(hvctl_out, "hvctl gdb: VM %s stopped: %s\n",
			hv_vm_name(g->vm), hv_stop_reason_name(info.stop_reason));
		fflush(hvctl_out);
		return 0;
	}
}

static const struct gdb_target_ops gdb_vm_ops = {
	.get_regs	= vm_get_regs,
	.set_regs	= vm_set_regs,
	.get_fpu	= vm_get_fpu,
	.read_phys	= vm_read_phys,
	.write_phys	= vm_write_phys,
	.set_debug	= vm_set_debug,
	.resume		= vm_resume,
	.pause		= vm_pause,
	.poll_stop	= vm_poll_stop,
};

static int sock_write(void *io, const void *buf, size_t len)
{
	int fd = *(int *)io;
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ADDR:PORT, :PORT or PORT; ADDR an IPv4 address */
static int parse_listen(const char *arg, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(arg, ':');
	const char *port = colon ? colon + 1 : arg;
	uint64_t p;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (hvctl_parse_uint(port, 1, 65535, &p))
		return -1;
	sa->sin_port = htons((uint16_t)p);
	if (colon && colon != arg) {
		if ((size_t)(colon - arg) >= sizeof(host))
			return -1;
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = '\0';
		if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
			return -1;
	}
	return 0;
}

/* Serve one gdb connection until it ends; an exit status */
static int serve(const char *ctx, struct gdb_vm *g, int cfd)
{
	struct gdb_stub *s = calloc(1, sizeof(*s));
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	char buf[4096];
	ssize_t n;
	int r = 0, one = 1;

	if (!s)
		return hvctl_fail_errno(ctx, "cannot serve gdb", -ENOMEM);
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	gdb_stub_init(s, &gdb_vm_ops, g, g->nr, sock_write, &cfd);
	/* the register file, from vCPU 0's mode now (the VM is still) */
	fprintf(hvctl_out, "hvctl gdb: gdb connected: %s\n",
		gdb_stub_arch(s) == GDB_ARCH_I386 ?
		"i386 registers (vCPU 0 is not in 64-bit mode)" :
		"x86-64 registers");
	fflush(hvctl_out);
	while (!s->done) {
		r = poll(&pfd, 1, s->running ? 10 : -1);
		if (r < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (r > 0) {
			n = read(cfd, buf, sizeof(buf));
			if (n <= 0) {
				/* gdb went away: leave the VM running */
				fprintf(hvctl_out, "hvctl gdb: gdb disconnected\n");
				r = gdb_stub_detach(s);
				break;
			}
			r = gdb_stub_input(s, buf, (size_t)n);
			if (r)
				break;
		}
		r = gdb_stub_poll(s);
		if (r < 0)
			break;
		r = 0;
	}
	free(s);
	if (r)
		return hvctl_fail_errno(ctx, "gdb session", r);
	fprintf(hvctl_out, "hvctl gdb: session over\n");
	return HVCTL_EXIT_OK;
}

int hvctl_cmd_gdb(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, OPT_HELP },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ NULL, 0, NULL, 0 },
	};
	struct hv_ram_region rg[HV_MAX_REGIONS];
	const char *listen_arg = "127.0.0.1:1234", *ref;
	char ctx[HVCTL_CTX_LEN], addr[INET_ADDRSTRLEN];
	struct sockaddr_in sa;
	struct hv_vm_info info;
	struct gdb_vm g = { 0 };
	struct hv *hv;
	size_t nrg, i;
	int c, ret, r, lfd = -1, cfd, one = 1;

	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_LISTEN:
			listen_arg = optarg;
			break;
		default:
			return hvctl_opt_default(argv, c);
		}
	}
	if (parse_listen(listen_arg, &sa))
		return hvctl_usage_error(argv[0], "--listen %s: not ADDR:PORT "
					 "(an IPv4 address, a port 1-65535)",
					 listen_arg);
	ret = hvctl_parse_ref(argc, argv, &ref);
	if (ret >= 0)
		return ret;
	hvctl_ctx(ctx, sizeof(ctx), argv[0], ref);
	ret = hvctl_vm_get(ctx, ref, &hv, &g.vm);
	if (ret)
		return ret;
	g.ctx = ctx;

	r = hv_vm_info(g.vm, &info);
	if (r) {
		ret = hvctl_vm_fail(ctx, hv, ref, r);
		goto out;
	}
	if (info.state != HV_VM_STATE_CREATED &&
	    info.state != HV_VM_STATE_RUNNING &&
	    info.state != HV_VM_STATE_PAUSED) {
		ret = hvctl_fail(ctx, "the VM is %s: only a created, running "
				 "or paused VM can be debugged",
				 hv_vm_state_name(info.state));
		goto out;
	}
	if (!info.nr_vcpus || info.nr_vcpus > GDB_MAX_VCPUS) {
		ret = hvctl_fail(ctx, "the VM has %u vCPUs", info.nr_vcpus);
		goto out;
	}
	r = hv_vm_get_ram(g.vm, rg, &nrg);
	for (i = 0; !r && i < nrg; i++)
		r = hv_vm_map_ram(g.vm, rg[i].gpa, rg[i].size);
	if (r) {
		ret = hvctl_fail_errno(ctx, "cannot map the VM's RAM", r);
		goto out;
	}
	for (g.nr = 0; g.nr < info.nr_vcpus; g.nr++) {
		r = hv_vcpu_open(g.vm, g.nr, &g.vcpu[g.nr]);
		if (r) {
			ret = hvctl_fail_errno(ctx, "cannot open its vCPUs", r);
			goto out;
		}
	}

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1)) {
		ret = hvctl_fail_errno(ctx, "cannot listen", -errno);
		goto out;
	}
	inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof(addr));
	fprintf(hvctl_out, "hvctl gdb: VM %s: waiting for gdb on %s:%u\n",
		hv_vm_name(g.vm), addr, ntohs(sa.sin_port));
	fflush(hvctl_out);
	do {
		cfd = accept(lfd, NULL, NULL);
	} while (cfd < 0 && errno == EINTR);
	if (cfd < 0) {
		ret = hvctl_fail_errno(ctx, "accept", -errno);
		goto out;
	}
	close(lfd);
	lfd = -1;
	/* Hold it still while gdb looks: a running VM pauses */
	if (info.state == HV_VM_STATE_RUNNING) {
		r = hv_vm_pause(g.vm);
		if (r && r != -EINVAL) {
			close(cfd);
			ret = hvctl_vm_fail(ctx, hv, ref, r);
			goto out;
		}
	}
	ret = serve(ctx, &g, cfd);
	close(cfd);
out:
	if (lfd >= 0)
		close(lfd);
	for (i = 0; i < g.nr; i++)
		hv_vcpu_close(g.vcpu[i]);
	hv_vm_close(g.vm);
	hv_close(hv);
	return ret;
}
