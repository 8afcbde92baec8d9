// SPDX-License-Identifier: GPL-2.0
/*
 * The progress bar of long work (snapshot, restore): on hvctl's stderr,
 * only when that is a terminal and --quiet was not given, and only for
 * work over HVCTL_PROGRESS_MIN bytes, so scripts and logs never see it.
 *
 *   snapshot [##########                    ]  33%  341/1024 MiB  287.5 MiB/s
 *
 * The rate is bytes done over the time since the bar began.  A clone has
 * no bar: it shares pages copy-on-write and takes milliseconds.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hvctl.h"

#define BAR_WIDTH	30

void hvctl_progress_init(struct hvctl_progress *p, const char *what,
			 bool quiet)
{
	int fd = hvctl_err ? fileno(hvctl_err) : -1;

	memset(p, 0, sizeof(*p));
	p->what = what;
	p->enabled = !quiet && fd >= 0 && isatty(fd);
	p->start_ns = hvctl_now_ns();
}

size_t hvctl_progress_format(char *buf, size_t len, const char *what,
			     uint64_t done, uint64_t total, uint64_t elapsed_ns)
{
	char bar[BAR_WIDTH + 1];
	double rate = 0;
	int fill, n;

	if (done > total)
		done = total;
	fill = total ? (int)(done * BAR_WIDTH / total) : BAR_WIDTH;
	memset(bar, '#', fill);
	memset(bar + fill, ' ', BAR_WIDTH - fill);
	bar[BAR_WIDTH] = '\0';
	if (elapsed_ns)
		rate = (double)done / (1 << 20) * 1e9 / (double)elapsed_ns;
	n = snprintf(buf, len, "\r%s [%s] %3d%%  %" PRIu64 "/%" PRIu64
		     " MiB  %.1f MiB/s", what, bar,
		     total ? (int)(done * 100 / total) : 100,
		     done >> 20, total >> 20, rate);
	return n < 0 ? 0 : (size_t)n;
}

void hvctl_progress_cb(void *opaque, uint64_t done, uint64_t total)
{
	struct hvctl_progress *p = opaque;
	char line[160];

	if (!p->enabled || total <= HVCTL_PROGRESS_MIN)
		return;
	hvctl_progress_format(line, sizeof(line), p->what, done, total,
			      hvctl_now_ns() - p->start_ns);
	fputs(line, hvctl_err);
	fflush(hvctl_err);
	p->shown = true;
}

void hvctl_progress_end(struct hvctl_progress *p)
{
	if (p->shown)
		fputc('\n', hvctl_err);
	p->shown = false;
}
