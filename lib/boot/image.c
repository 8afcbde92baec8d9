// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: what every image loader needs: reading an image file into
 * memory, the error text of struct hv_load_error, and guest-RAM ranges
 * that may span adjacent mappings.
 */
#define _GNU_SOURCE		/* strerrordesc_np */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libhv.h"
#include "internal.h"
#include "loaders.h"

const char *hv_file_strerror(int err)
{
	const char *text = strerrordesc_np(-err);

	return text ? text : "unknown error";
}

void hv_load_ok(struct hv_load_error *err)
{
	if (err)
		err->msg[0] = '\0';
}

int hv_load_fail(struct hv_load_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

bool hv_ram_covers(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t room;

	if (gpa + len < gpa)
		return false;
	while (len) {
		room = hv_vm_gpa_room(vm, gpa);
		if (!room)
			return false;
		if (room >= len)
			return true;
		gpa += room;
		len -= room;
	}
	return true;
}

/* One piece per mapping; the caller checked the range. */
static void hv_ram_fill(struct hv_vm *vm, uint64_t gpa, const uint8_t *src,
			uint64_t len)
{
	while (len) {
		uint64_t room = hv_vm_gpa_room(vm, gpa);
		uint64_t n = room < len ? room : len;
		void *dst = hv_vm_gpa_ptr(vm, gpa, n);

		if (src) {
			memcpy(dst, src, n);
			src += n;
		} else {
			memset(dst, 0, n);
		}
		gpa += n;
		len -= n;
	}
}

void hv_ram_write(struct hv_vm *vm, uint64_t gpa, const void *src,
		  uint64_t len)
{
	hv_ram_fill(vm, gpa, src, len);
}

void hv_ram_zero(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	hv_ram_fill(vm, gpa, NULL, len);
}

int hv_read_image(const char *path, void **buf, size_t *len, size_t max,
		  struct hv_load_error *err)
{
	struct stat st;
	size_t size, done = 0;
	char *data = NULL;
	ssize_t n;
	int fd, ret;

	hv_load_ok(err);
	if (!buf || !len || !path)
		return hv_load_fail(err, -EINVAL, "image: no path or no result");
	*buf = NULL;
	*len = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return hv_load_fail(err, ret, "%.100s: %s", path,
				    hv_file_strerror(ret));
	}
	if (fstat(fd, &st) < 0) {
		ret = hv_load_fail(err, -errno, "%.100s: cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = hv_load_fail(err, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
				   "%.100s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > max || (uint64_t)st.st_size > SIZE_MAX) {
		ret = hv_load_fail(err, -EFBIG,
				   "%.80s: %llu bytes, more than the limit of %zu",
				   path, (unsigned long long)st.st_size, max);
		goto out;
	}
	size = (size_t)st.st_size;
	data = malloc(size ? size : 1);
	if (!data) {
		ret = hv_load_fail(err, -ENOMEM, "%.100s: out of memory", path);
		goto out;
	}
	while (done < size) {
		n = read(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			hv_load_fail(err, ret, "%.100s: read: %s", path,
				     hv_file_strerror(ret));
			goto out;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (done != size) {
		ret = hv_load_fail(err, -EIO, "%.100s: file shrank while read",
				   path);
		goto out;
	}
	*buf = data;
	*len = size;
	data = NULL;
	ret = 0;
out:
	free(data);
	close(fd);
	return ret;
}
