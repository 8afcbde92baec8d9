/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit tests: shared helpers.  One binary (tests/unit/hv-unit) runs every
 * suite; tests/unit/main.c lists them.
 */
#ifndef HV_UNIT_H
#define HV_UNIT_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "libhv.h"

Suite *lib_suite(void);
Suite *open_suite(void);
Suite *json_suite(void);
Suite *info_suite(void);
Suite *cli_suite(void);
Suite *cli_vm_suite(void);
Suite *cli_create_suite(void);
Suite *cli_stat_suite(void);
Suite *cli_trace_suite(void);
Suite *pgtable_suite(void);
Suite *insn_suite(void);
Suite *emulate_suite(void);
Suite *gwalk_suite(void);
Suite *uart_suite(void);
Suite *chipset_suite(void);
Suite *vmapi_suite(void);
Suite *loaders_suite(void);
Suite *malformed_suite(void);
Suite *managed_suite(void);
Suite *events_suite(void);
Suite *crc32c_suite(void);
Suite *snapfile_suite(void);
Suite *snapshot_suite(void);
Suite *lazyrestore_suite(void);
Suite *cli_snapshot_suite(void);
Suite *snapshot_live_suite(void);
Suite *progress_suite(void);
Suite *acpi_suite(void);
Suite *linux_suite(void);
Suite *pm_suite(void);
Suite *gdb_suite(void);
Suite *lazy_suite(void);

/*
 * A fake /dev/hv.  The test binary is linked with -Wl,--wrap=ioctl, so
 * libhv's ioctl() calls come to fake_hv.c: on the file that
 * fake_hv_setup() made (and pointed $HV_DEVICE at) they answer from
 * fake_hv below; on every other file they go to the real ioctl().
 */
struct fake_hv {
	int version;		/* HV_GET_API_VERSION result */
	int caps_err;		/* errno for HV_GET_CAPS, or 0 */
	int status_err;		/* errno for HV_GET_STATUS, or 0 */
	int usage_err;		/* errno for HV_GET_USAGE (0: ENOTTY unless
				 * has_usage) */
	bool has_usage;		/* HV_GET_USAGE answers @usage */
	struct hv_caps caps;
	struct hv_status status;
	struct hv_usage usage;
};
extern struct fake_hv fake_hv;
extern char fake_hv_path[];
void fake_hv_setup(void);	/* a checked fixture */
void fake_hv_teardown(void);

/* Canned capabilities of an emulated Intel and AMD machine. */
void fake_intel_caps(struct hv_caps *c, struct hv_status *s);
void fake_amd_caps(struct hv_caps *c, struct hv_status *s);

/*
 * Runs hvctl_main() on the NULL-terminated arguments after "hvctl" and
 * returns its exit status; *out and *err get what it printed (free them).
 */
int run_hvctl(char **out, char **err, ...);

/* Runs hvctl, checks status and exact stderr, returns stdout (free it). */
#define HVCTL(want_ret, want_err, ...) ({				\
	char *_out, *_err;						\
	ck_assert_int_eq(run_hvctl(&_out, &_err, __VA_ARGS__, NULL),	\
			 want_ret);					\
	ck_assert_str_eq(_err, want_err);				\
	free(_err);							\
	_out;								\
})

/* True if s is exactly one well-formed JSON value (RFC 8259) plus "\n". */
bool json_valid(const char *s);

/* A new temporary file holding @len bytes; its path, in tmp_path. */
extern char tmp_path[64];
const char *tmp_file(const void *data, size_t len);

/* Number of times needle occurs in haystack. */
int count_substr(const char *haystack, const char *needle);

/*
 * Fake VM and vCPU fds (fake_vm.c) behind the fake /dev/hv: CREATE_VM,
 * OPEN_VM and LIST_VMS on the device; ADD_RAM (grows a memfd, so mmap at
 * offset = GPA works), CREATE_VCPU, DESTROY, GET_INFO on a VM; GET/SET
 * REGS and SREGS on a vCPU, whose RUN fails with EINTR; OPEN_LAZY and
 * the filler fd's FILL, WAIT and FAIL.  fake_hv_setup()
 * resets them.
 */
struct fake_vm {
	int fd;				/* the fake's own; libhv gets dups */
	dev_t dev;
	ino_t ino;
	char name[HV_NAME_LEN];
	bool listed;
	uint64_t mem_size;
	/*
	 * API 2 (snapshots): RAM list, dirty logs (NULL: off; tests set
	 * bits to play guest writes), vCPU and device state, clone.  With
	 * @managed set, START/STOP/PAUSE/RESUME work (state below) and
	 * state ioctls (but the RAM list and dirty logs, as on the module)
	 * refuse a running VM with EBUSY; without it they are ENOTTY as
	 * before.
	 */
	uint64_t id, dirty_epoch;
	uint32_t flags, state, nr_vcpus, nr_regions;
	struct hv_ram_region regions[HV_MAX_REGIONS];
	uint64_t *dirty[HV_MAX_REGIONS];
	bool has_vcpu[HV_MAX_VCPUS];
	struct hv_vcpu_state vcpu_state[HV_MAX_VCPUS];
	struct hv_device_state devices;
	bool managed;
	unsigned int pauses, resumes, stops;
	/* API 4: the last IRQ_LINE and SIGNAL_MSI arguments, and counts */
	struct hv_irq_line irq_line;
	struct hv_msi msi;
	unsigned int irq_lines, msis;
	/*
	 * API 6: counter values per vCPU id and, at [HV_MAX_VCPUS], what
	 * HV_STATS_VM answers (tests set both), in fake_stat_descs order
	 */
	uint64_t stats[HV_MAX_VCPUS + 1][4];
	uint64_t stats_step[4];		/* added to the VM's after each read */
	uint64_t stats_vstep[HV_MAX_VCPUS][4];	/* to a vCPU's, likewise */
	unsigned int stats_calls;
	/* API 6: what HV_VM_GET_DEBUG_STOP answers (tests set it) */
	struct hv_debug_stop dbg_stop;
	/*
	 * API 9: the filler fd HV_VM_OPEN_LAZY gave (a memfd; libhv owns
	 * it), the last argument each of its ioctls got, and their calls.
	 * Lazy ADD_RAM adds to @lazy_absent, FILL takes from it and writes
	 * @data into the RAM; WAIT answers @lazy_wait_gpa, or fails with
	 * @lazy_wait_err (tests set both).
	 */
	bool lazy_open;
	dev_t lazy_dev;
	ino_t lazy_ino;
	struct hv_lazy_fill lazy_fill;
	struct hv_lazy_wait lazy_wait;
	struct hv_lazy_fail lazy_fail;
	unsigned int lazy_calls;
	uint64_t lazy_absent, lazy_wait_gpa;
	int lazy_wait_err;
};

/* fake_hv.c: HV_GET_STATS_DESC's table (4 counters) and its calls */
extern const struct hv_stat_desc fake_stat_descs[4];
extern unsigned int fake_stats_desc_calls;

struct fake_vcpu {
	dev_t dev;
	ino_t ino;
	uint32_t id;
	struct hv_regs regs;
	struct hv_sregs sregs;
	int set_regs, set_sregs;	/* SET_* calls seen */
};

extern struct fake_vm fake_vms[];
extern unsigned int fake_nr_vms;
extern unsigned int fake_list_grow;	/* LIST_VMS adds a VM this many times */
extern unsigned int fake_creates;	/* HV_CREATE_VM and HV_VM_CLONE calls */
extern int fake_set_state_err;		/* errno for SET_VCPU_STATE, or 0 */
extern int fake_create_err;		/* errno for HV_CREATE_VM, or 0 */
extern int fake_add_ram_err;		/* errno for HV_VM_ADD_RAM, or 0 */
extern int fake_clone_err;		/* errno for HV_VM_CLONE, or 0 */
extern bool fake_clone_no_hold;		/* a module before API 8: how != 0 is EINVAL */
extern uint32_t fake_clone_how;		/* the last HV_VM_CLONE's how */
/*
 * Called by HV_VM_PAUSE of a running VM before it pauses, and by
 * HV_VM_RESUME once it runs again: a test plays the guest's writes
 * there (fake_hv_setup() clears both).
 */
extern void (*fake_on_pause)(struct fake_vm *vm);
extern void (*fake_on_resume)(void);
/* API 6: the last HV_VCPU_SET_GUEST_DEBUG of any vCPU, and the calls */
extern struct hv_guest_debug fake_last_debug;
extern unsigned int fake_debug_calls;
struct fake_vm *fake_vm_named(const char *name);
void fake_vm_reset(void);
struct fake_vcpu *fake_vcpu_of(int fd);
/* fake_hv.c's ioctl wrapper asks this first; true if it answered. */
bool fake_vm_ioctl(int fd, bool on_dev, unsigned long req, void *arg,
		   int *ret);

#endif /* HV_UNIT_H */
