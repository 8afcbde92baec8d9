// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: load flat binaries (no headers, no relocation: the bytes go to
 * guest RAM as they are) from a file or from memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libhv.h"
#include "internal.h"

/* Room for @len bytes at @gpa: 0, -ERANGE (no RAM) or -EFBIG (too big). */
static int hv_load_room(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t room = hv_vm_gpa_room(vm, gpa);

	if (!room)
		return -ERANGE;
	return len > room ? -EFBIG : 0;
}

int hv_load_flat_mem(struct hv_vm *vm, const void *buf, size_t len,
		     uint64_t gpa)
{
	int err;

	if (!vm)
		return -EBADF;
	if (!buf && len)
		return -EINVAL;
	err = hv_load_room(vm, gpa, len);
	if (err)
		return err;
	if (len)
		memcpy(hv_vm_gpa_ptr(vm, gpa, len), buf, len);
	return 0;
}

/*
 * Read all of @fd into @dst, at most @room bytes; *got gets the count.
 * -EFBIG if there is more than @room.
 */
static int hv_read_all(int fd, char *dst, uint64_t room, uint64_t *got)
{
	uint64_t done = 0;
	char probe;
	ssize_t n;

	while (done < room) {
		size_t want = room - done > (1U << 30) ? (1U << 30)
						       : (size_t)(room - done);

		n = read(fd, dst + done, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
	}
	*got = done;
	if (done < room)
		return 0;
	/* Full: the file must end exactly here. */
	do {
		n = read(fd, &probe, 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? -EFBIG : 0;
}

int hv_load_flat(struct hv_vm *vm, const char *path, uint64_t gpa,
		 uint64_t *size_out)
{
	struct stat st;
	uint64_t room, got = 0;
	int fd, err;

	if (size_out)
		*size_out = 0;
	if (!vm)
		return -EBADF;
	if (!path)
		return -EINVAL;
	room = hv_vm_gpa_room(vm, gpa);
	if (!room)
		return -ERANGE;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out;
	}
	/* A regular file is measured first, so a too-big one writes nothing. */
	if (S_ISREG(st.st_mode)) {
		err = hv_load_room(vm, gpa, (uint64_t)st.st_size);
		if (err)
			goto out;
		room = (uint64_t)st.st_size;
	}
	err = hv_read_all(fd, hv_vm_gpa_ptr(vm, gpa, room), room, &got);
	if (!err && S_ISREG(st.st_mode) && got != (uint64_t)st.st_size)
		err = -EIO;	/* shrank while we read it */
	if (!err && size_out)
		*size_out = got;
out:
	close(fd);
	return err;
}
