// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libhv: opening /dev/hv and the ioctls on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libhv.h"

struct hv {
	int fd;
	int api_version;	/* the module's, checked at open */
	struct hv_stat_desc *stats;	/* hv_stats_names(): NULL until asked */
	size_t nr_stats;
};

const char *hv_device_path(void)
{
	const char *path = getenv("HV_DEVICE");

	return path && *path ? path : HV_DEVICE_PATH;
}

int hv_open(struct hv **out)
{
	return hv_open_path(hv_device_path(), out);
}

int hv_open_path(const char *path, struct hv **out)
{
	struct hv *hv;
	int fd, ver, err;

	if (!path || !out)
		return -EINVAL;
	*out = NULL;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	/*
	 * The version ioctl is also the "is this /dev/hv at all" probe: any
	 * other file (a regular file, /dev/null, another driver) has no
	 * handler for it and fails with ENOTTY.
	 */
	ver = ioctl(fd, HV_GET_API_VERSION);
	if (ver < 0) {
		err = -errno;
		goto out_close;
	}
	/* Newer modules keep every older call working; older ones lack ours. */
	if (ver < HV_API_VERSION) {
		err = -EPROTONOSUPPORT;
		goto out_close;
	}

	hv = calloc(1, sizeof(*hv));
	if (!hv) {
		err = -ENOMEM;
		goto out_close;
	}
	hv->fd = fd;
	hv->api_version = ver;
	*out = hv;
	return 0;

out_close:
	close(fd);
	return err;
}

void hv_close(struct hv *hv)
{
	if (!hv)
		return;
	close(hv->fd);
	free(hv->stats);
	free(hv);
}

int hv_fd(const struct hv *hv)
{
	return hv ? hv->fd : -EBADF;
}

int hv_api_version(struct hv *hv)
{
	return hv ? hv->api_version : -EBADF;
}

/* ioctl() with the library's error convention. */
static int hv_ioctl(struct hv *hv, unsigned long req, void *arg)
{
	if (!hv)
		return -EBADF;
	return ioctl(hv->fd, req, arg) < 0 ? -errno : 0;
}

int hv_caps(struct hv *hv, struct hv_caps *caps)
{
	if (!caps)
		return -EINVAL;
	return hv_ioctl(hv, HV_GET_CAPS, caps);
}

int hv_status(struct hv *hv, struct hv_status *status)
{
	if (!status)
		return -EINVAL;
	return hv_ioctl(hv, HV_GET_STATUS, status);
}

int hv_usage(struct hv *hv, struct hv_usage *usage)
{
	if (!usage)
		return -EINVAL;
	return hv_ioctl(hv, HV_GET_USAGE, usage);
}

int hv_debug_hold_virt(struct hv *hv)
{
	return hv_ioctl(hv, HV_DEBUG_HOLD_VIRT, NULL);
}

int hv_debug_release_virt(struct hv *hv)
{
	return hv_ioctl(hv, HV_DEBUG_RELEASE_VIRT, NULL);
}

int hv_stats_names(struct hv *hv, const struct hv_stat_desc **descs,
		   size_t *n)
{
	struct hv_stats_desc_list list;
	struct hv_stat_desc *buf = NULL, *bigger;
	int err;

	if (!descs || !n)
		return -EINVAL;
	if (!hv)
		return -EBADF;
	/*
	 * Ask how many there are, then for them all.  The table is fixed
	 * while the module is loaded, so the second answer fits unless the
	 * module was replaced in between: then ask again.
	 */
	memset(&list, 0, sizeof(list));
	while (!hv->stats) {
		uint32_t room = list.count;

		list.descs = (uintptr_t)buf;
		err = hv_ioctl(hv, HV_GET_STATS_DESC, &list);
		if (err) {
			free(buf);
			return err;
		}
		if (buf && list.count <= room) {
			hv->stats = buf;
			hv->nr_stats = list.count;
			break;
		}
		bigger = realloc(buf, (list.count ? list.count : 1) *
				 sizeof(*buf));
		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
		memset(buf, 0, list.count * sizeof(*buf));
	}
	*descs = hv->stats;
	*n = hv->nr_stats;
	return 0;
}
