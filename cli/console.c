// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl console, and the console pump that `hvctl run` shares with it:
 * the guest's UART output to stdout, stdin to the guest's UART.
 *
 * On a terminal, stdin goes raw (no echo, no line editing, no signals from
 * the keyboard: Ctrl-C reaches the guest) and Ctrl-] (0x1d, as telnet and
 * virsh) detaches.  Output post-processing stays on, so a guest that
 * writes bare "\n" still starts its lines at the left margin.  Elsewhere
 * (pipes, files, CI) every byte of stdin goes to the guest, EOF just stops
 * the input, and SIGINT/SIGTERM/SIGHUP end the pump cleanly.
 *
 * The console fd never reports end of file (the ring outlives any run),
 * so following ends when the VM's state says stopped or destroyed.  The
 * state is read before draining the ring: everything the guest wrote
 * before it stopped is in the ring by then and gets printed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hvctl.h"

#define ESCAPE_CHAR	0x1d	/* Ctrl-] */
#define POLL_MS		100	/* how often the VM's state is read */
#define RETRY_MS	10	/* UART receiver full: try again soon */

static volatile sig_atomic_t console_signal;

static void console_on_signal(int sig)
{
	console_signal = sig;
}

static const int console_sigs[] = { SIGINT, SIGTERM, SIGHUP };

struct console {
	int fd;			/* the console fd, O_NONBLOCK */
	bool tty;		/* stdin is a terminal in raw mode */
	bool input;		/* stdin still open for reading */
	struct termios saved;
	struct sigaction old[3];
	unsigned char in[4096];	/* stdin bytes the UART has not taken */
	size_t in_len;
};

/* Everything the ring holds now, to hvctl_out. */
static int console_drain(struct console *c)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		fwrite(buf, 1, (size_t)n, hvctl_out);
	}
	fflush(hvctl_out);
	return ferror(hvctl_out) ? -EIO : 0;
}

/* Feed what stdin gave to the UART; short writes keep the rest. */
static int console_feed(struct console *c)
{
	ssize_t n;

	while (c->in_len) {
		n = write(c->fd, c->in, c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;	/* receiver full: later */
		if (n < 0)
			return -errno;
		memmove(c->in, c->in + n, c->in_len - (size_t)n);
		c->in_len -= (size_t)n;
	}
	return 0;
}

/* Read stdin; true if the user asked to detach. */
static bool console_read_stdin(struct console *c)
{
	unsigned char *esc;
	ssize_t n;

	n = read(STDIN_FILENO, c->in, sizeof(c->in));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	if (n <= 0) {
		c->input = false;	/* EOF or unreadable: output only */
		return false;
	}
	c->in_len = (size_t)n;
	if (c->tty && (esc = memchr(c->in, ESCAPE_CHAR, c->in_len))) {
		c->in_len = (size_t)(esc - c->in);
		console_feed(c);	/* what came before it, best effort */
		return true;
	}
	return false;
}

static void console_raw(struct console *c, const char *name)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &c->saved))
		return;
	fprintf(hvctl_err, "hvctl: connected to %s's console; Ctrl-] "
		"detaches\n", name);
	fflush(hvctl_err);
	t = c->saved;
	t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR |
				 IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
		c->tty = true;
}

static void console_signals(struct console *c, bool on)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = console_on_signal;	/* no SA_RESTART: poll wakes */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		if (on)
			sigaction(console_sigs[i], &sa, &c->old[i]);
		else
			sigaction(console_sigs[i], &c->old[i], NULL);
	}
}

static bool vm_ended(uint32_t state)
{
	return state == HV_VM_STATE_STOPPED ||
	       state == HV_VM_STATE_DESTROYED;
}

int hvctl_console_pump(struct hv_vm *vm, int fd, bool follow,
		       enum hvctl_console_end *end, int *signo)
{
	struct hv_vm_info info;
	struct console c;
	struct pollfd p[2];
	int err = 0;

	memset(&c, 0, sizeof(c));
	c.fd = fd;
	*signo = 0;
	if (!follow) {
		*end = HVCTL_CONSOLE_DRAINED;
		return console_drain(&c);
	}

	console_signal = 0;
	console_signals(&c, true);
	console_raw(&c, hv_vm_name(vm));
	c.input = true;
	for (;;) {
		bool ended;

		if (console_signal) {
			*end = HVCTL_CONSOLE_SIGNAL;
			*signo = console_signal;
			break;
		}
		err = hv_vm_info(vm, &info);
		if (err)
			break;
		ended = vm_ended(info.state);
		err = console_drain(&c);
		if (err)
			break;
		if (ended) {
			*end = HVCTL_CONSOLE_STOPPED;
			break;
		}

		p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(p, c.input && !c.in_len ? 2 : 1,
			 c.in_len ? RETRY_MS : POLL_MS) < 0 && errno != EINTR) {
			err = -errno;
			break;
		}
		if (c.input && !c.in_len && p[1].revents) {
			if (p[1].revents & POLLNVAL) {
				c.input = false;
			} else if (console_read_stdin(&c)) {
				*end = HVCTL_CONSOLE_DETACHED;
				break;
			}
		}
		err = console_feed(&c);
		if (err)
			break;
	}

	if (c.tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &c.saved);
	console_signals(&c, false);
	if (c.tty && !err && *end != HVCTL_CONSOLE_STOPPED)
		fprintf(hvctl_err, "\nhvctl: detached from %s's console\n",
			hv_vm_name(vm));
	return err;
}

int hvctl_cmd_console(int argc, char **argv)
{
	enum hvctl_console_end end;
	char ctx[HVCTL_CTX_LEN];
	bool no_follow;
	struct hv_vm *vm;
	struct hv *hv;
	const char *name;
	int fd, ret, err, sig;

	ret = hvctl_vm_args_open(argc, argv, "no-follow", &no_follow, &name,
				 ctx, &hv, &vm);
	if (ret >= 0)
		return ret;
	ret = HVCTL_EXIT_OK;
	fd = hv_vm_console_open(vm, true);
	if (fd < 0) {
		ret = hvctl_fail(ctx, "cannot open the console: %s",
				 hv_strerror(fd));
		goto out;
	}
	err = hvctl_console_pump(vm, fd, !no_follow, &end, &sig);
	close(fd);
	if (err)
		ret = hvctl_fail(ctx, "console: %s", hv_strerror(err));
	else if (end == HVCTL_CONSOLE_SIGNAL)
		ret = 128 + sig;
out:
	hv_vm_close(vm);
	hv_close(hv);
	return ret;
}
