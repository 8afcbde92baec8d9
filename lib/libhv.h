/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libhv: the C library over /dev/hv (include/uapi/hv.h).
 *
 * Conventions, for every function here:
 *  - errors are returned as a negative errno; 0 (or a positive value where
 *    documented) means success;
 *  - the library never prints and never exits: turning an error into a
 *    message is the caller's job (hv_strerror() helps);
 *  - a struct hv is not locked: use one handle per thread, or serialise.
 */
#ifndef LIBHV_H
#define LIBHV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uapi/hv.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Device used by hv_open() when $HV_DEVICE is not set. */
#define HV_DEVICE_PATH		"/dev/hv"

/* An open /dev/hv. */
struct hv;

/*
 * Open $HV_DEVICE, or /dev/hv when it is unset or empty, and check that the
 * module speaks at least our HV_API_VERSION.
 * -ENOENT: no such device (module not loaded); -EACCES: not root or group
 * hv; -ENOTTY: the file is not an hv device; -EPROTONOSUPPORT: the module
 * is older than this library.
 */
int hv_open(struct hv **out);
int hv_open_path(const char *path, struct hv **out);
void hv_close(struct hv *hv);

/* The path hv_open() would use; never NULL. */
const char *hv_device_path(void);

/* The file descriptor, for poll() or raw ioctls; owned by the handle. */
int hv_fd(const struct hv *hv);

/* The module's HV_API_VERSION (> 0), as checked by hv_open(). */
int hv_api_version(struct hv *hv);

/* HV_GET_CAPS and HV_GET_STATUS. */
int hv_caps(struct hv *hv, struct hv_caps *caps);
int hv_status(struct hv *hv, struct hv_status *status);

/*
 * HV_GET_USAGE: the guest RAM and VMs charged to the caller's uid, the
 * per-user limits, and the host's available memory and reserve.  ENOMEM
 * from HV_VM_ADD_RAM, HV_CREATE_VM or HV_VM_CLONE means one of these
 * was hit (or the memory cgroup's limit, which this does not show).
 */
int hv_usage(struct hv *hv, struct hv_usage *usage);

/*
 * Hold hardware virtualization on while the handle stays open (tests);
 * needs CAP_SYS_ADMIN.  -EBUSY: another hypervisor owns VMX/SVM;
 * -EALREADY: this handle already holds it.
 */
int hv_debug_hold_virt(struct hv *hv);
int hv_debug_release_virt(struct hv *hv);

/*
 * Text for an errno, negative or positive, worded for hv where the plain
 * text would mislead (ENOENT means "module not loaded", not "no file").
 * Static storage, thread-safe, never NULL.
 */
const char *hv_strerror(int err);

/* "intel", "amd" or "none" (also for unknown values). */
const char *hv_vendor_name(uint32_t vendor);

/*
 * One entry per HV_FEAT_* bit.  key is stable (it is used in hvctl's JSON
 * output): lower case, digits and '_'.  desc is for humans.
 */
struct hv_feature {
	uint64_t bit;		/* HV_FEAT_* */
	uint32_t vendor;	/* HV_VENDOR_* that can report it */
	const char *key;
	const char *desc;
};

/* The whole table, ordered by vendor then bit; *n gets its length. */
const struct hv_feature *hv_feature_table(size_t *n);

/* ------------------------------------------------------------------ */
/*
 * VMs and vCPUs (lib/vm.c, lib/vcpu.c, lib/boot/modes.c, lib/boot/loader.c).
 *
 * A struct hv_vm is one open VM fd plus the guest RAM this process has
 * mapped; a struct hv_vcpu is one vCPU fd plus its mapped run area.  The
 * VM itself is a named kernel object: closing the handles does not
 * destroy it (unless it was created with HV_VM_DESTROY_ON_CLOSE).
 * Neither handle is locked: a vCPU belongs to the thread that runs it,
 * and RAM is added before vCPUs run.
 */
struct hv_vm;
struct hv_vcpu;

/*
 * HV_CREATE_VM.  @name: [A-Za-z0-9_.-]+, shorter than HV_NAME_LEN;
 * @flags: HV_VM_*.  -EEXIST: the name is taken; -EINVAL: bad name/flags.
 */
int hv_vm_create(struct hv *hv, const char *name, uint32_t flags,
		 struct hv_vm **out);

/*
 * HV_OPEN_VM: a handle on an existing VM, with no RAM mapped yet (see
 * hv_vm_map_ram()).  @name is NAME (the caller's own VM; for root, the
 * one VM of that name if root has none) or UID:NAME (user UID's VM:
 * root only, unless UID is the caller's).  -ENOENT: no such VM among
 * those the caller may see; -EPERM: UID:NAME of another user, not root;
 * -ENOTUNIQ: root named a VM several users have (use UID:NAME).
 */
int hv_vm_open(struct hv *hv, const char *name, struct hv_vm **out);

/* Unmap the RAM, close the fd, free the handle; the VM lives on. */
void hv_vm_close(struct hv_vm *vm);

/*
 * HV_VM_DESTROY, then hv_vm_close().  The handle is closed even if the
 * ioctl failed; its result is returned.  The name is free at once; the
 * memory goes when the last fd and mapping of the VM are gone.
 */
int hv_vm_destroy(struct hv_vm *vm);

/*
 * HV_VM_ADD_RAM, then map the region into this process (MAP_SHARED).  If
 * the mapping fails the region exists in the VM all the same; the error
 * of mmap() is returned.
 */
int hv_vm_add_ram(struct hv_vm *vm, uint64_t gpa, uint64_t size);

/*
 * hv_vm_add_ram() with HV_RAM_LAZY (API 9): the region's pages are all
 * absent until the VM's filler fd gives them (hv_vm_open_lazy() comes
 * first; the fd must be open).  This process's mapping of the region
 * waits, as a vCPU does, for a page it touches before it is filled.
 */
int hv_vm_add_ram_lazy(struct hv_vm *vm, uint64_t gpa, uint64_t size);

/*
 * Map an existing region (or a 4 KiB-aligned part of one) of guest RAM,
 * e.g. after hv_vm_open().  -EINVAL: not inside one region.
 */
int hv_vm_map_ram(struct hv_vm *vm, uint64_t gpa, uint64_t size);

/*
 * This process's view of guest-physical [gpa, gpa + len): NULL unless the
 * whole range lies inside one mapped region.
 */
void *hv_vm_gpa_ptr(struct hv_vm *vm, uint64_t gpa, uint64_t len);

/* HV_VM_GET_INFO. */
int hv_vm_info(struct hv_vm *vm, struct hv_vm_info *info);

/* The VM's name as given to create or open. */
const char *hv_vm_name(const struct hv_vm *vm);

/*
 * HV_LIST_VMS: every VM the caller may see (its own; all for root), in a
 * malloc'd array (*out, free() it; NULL when
 * there are none) of *n entries.
 */
int hv_list_vms(struct hv *hv, struct hv_vm_info **out, size_t *n);

/* The VM fd, for poll() or raw ioctls; owned by the handle. */
int hv_vm_fd(const struct hv_vm *vm);

/*
 * HV_GET_STATS_DESC (API 6): the module's counters, name and kind
 * (HV_STAT_COUNT, HV_STAT_NS; HV_STAT_VM for VM-wide ones), in the order
 * hv_vm_stats() gives their values.  Asked once, then cached in the
 * handle: *descs stays valid until hv_close(); *n gets how many.  A
 * program looks its counters up by name (docs/stats.md lists them); the
 * module may add more in later versions, anywhere but in the names.
 */
int hv_stats_names(struct hv *hv, const struct hv_stat_desc **descs,
		   size_t *n);

/*
 * HV_VM_GET_STATS (API 6): the values of the first @count counters, in
 * hv_stats_names() order, of vCPU @vcpu, or with HV_STATS_VM of the whole
 * VM (the sum over its vCPUs plus the VM-wide counters).  Returns how many
 * it filled: fewer than @count when the module has fewer counters.
 * -ENOENT: the VM has no vCPU @vcpu.
 */
int hv_vm_stats(struct hv_vm *vm, uint32_t vcpu, uint64_t *values,
		size_t count);

/*
 * HV_VM_IRQ_LINE (API 4): set GSI @gsi's level, 1 raised or 0 lowered
 * (an edge-triggered interrupt is a raise then a lower).  GSI n is IOAPIC
 * pin n, and GSIs 0-15 but 2 are also PIC pin n.  -EINVAL: @gsi >=
 * HV_NR_GSIS or @level not 0/1.
 */
int hv_vm_irq_line(struct hv_vm *vm, uint32_t gsi, uint32_t level);

/*
 * HV_VM_SIGNAL_MSI (API 4): one message-signalled interrupt, as a PCI
 * device writes @data to @addr.  -EINVAL: @addr outside 0xfee00000-
 * 0xfeefffff.
 */
int hv_vm_signal_msi(struct hv_vm *vm, uint64_t addr, uint32_t data);

/*
 * HV_VM_CREATE_VCPU, and map its run area.  -EINVAL: id >=
 * HV_MAX_VCPUS; -EEXIST: the id is taken.
 */
int hv_vcpu_create(struct hv_vm *vm, uint32_t id, struct hv_vcpu **out);
/*
 * HV_VM_OPEN_VCPU: a handle for a vCPU the VM already has (a clone's, a
 * restored or managed VM's).  -ENOENT: no vCPU with that id.
 */
int hv_vcpu_open(struct hv_vm *vm, uint32_t id, struct hv_vcpu **out);
void hv_vcpu_close(struct hv_vcpu *vcpu);
int hv_vcpu_fd(const struct hv_vcpu *vcpu);
uint32_t hv_vcpu_id(const struct hv_vcpu *vcpu);

/*
 * HV_VCPU_RUN: run until an exit the kernel hands to userspace; then
 * hv_vcpu_run_area(vcpu)->exit_reason says which.  0, or -errno: -EINTR
 * when a signal arrived (exit_reason HV_EXIT_INTR).
 */
int hv_vcpu_run(struct hv_vcpu *vcpu);
struct hv_run *hv_vcpu_run_area(struct hv_vcpu *vcpu);

int hv_vcpu_get_regs(struct hv_vcpu *vcpu, struct hv_regs *regs);
int hv_vcpu_set_regs(struct hv_vcpu *vcpu, const struct hv_regs *regs);
int hv_vcpu_get_sregs(struct hv_vcpu *vcpu, struct hv_sregs *sregs);
int hv_vcpu_set_sregs(struct hv_vcpu *vcpu, const struct hv_sregs *sregs);
int hv_vcpu_get_cpuid(struct hv_vcpu *vcpu, struct hv_cpuid *cpuid);
int hv_vcpu_set_cpuid(struct hv_vcpu *vcpu, const struct hv_cpuid *cpuid);
/*
 * HV_VCPU_GET/SET_MP_STATE: HV_MP_RUNNABLE, HV_MP_HALTED or
 * HV_MP_WAIT_SIPI.  vCPU 0 starts runnable, every other vCPU waiting for
 * a start-up IPI: a program that sets up and runs an AP itself makes it
 * runnable first.  -EINVAL for another value.
 */
int hv_vcpu_get_mp_state(struct hv_vcpu *vcpu, uint32_t *state);
int hv_vcpu_set_mp_state(struct hv_vcpu *vcpu, uint32_t state);

/*
 * HV_VCPU_SET_GUEST_DEBUG (docs/gdb.md): what stops the vCPU for a
 * debugger, HV_GUESTDBG_* in @dbg->flags.  A debugger that stopped on an
 * INT3 that is not one of its breakpoints adds HV_GUESTDBG_INJECT_BP to
 * the flags in force: the guest then gets the #BP as if the INT3 had run
 * (-EBUSY when an event is already queued; API 7).
 */
int hv_vcpu_set_guest_debug(struct hv_vcpu *vcpu,
			    const struct hv_guest_debug *dbg);

/*
 * Processor modes for flat code (lib/boot/modes.c).
 *
 * HV_MODE_REAL    16-bit real mode.  rip < 1 MiB: CS = rip >> 4 rounded
 *                 down to 64 KiB (0 below 64 KiB), IP = the rest; every
 *                 other segment selector 0, base 0, limit 0xffff.  rsp <=
 *                 0xffff.  No paging, CR0 = ET.
 * HV_MODE_PROT32  32-bit protected mode, flat 4 GiB code (0x18) and data
 *                 (0x10) segments, no paging, CR0 = PE | ET.
 * HV_MODE_LONG64  64-bit mode: identity paging of the first 4 GiB with
 *                 2 MiB pages, CR0 = PE | ET | NE | PG, CR4 = PAE, EFER =
 *                 LME | LMA, CS 0x08 (L = 1), data 0x10.
 *
 * The scratch area at scratch_gpa (4 KiB-aligned, HV_MODE_SCRATCH_SIZE
 * bytes of guest RAM) gets the page tables, a GDT that matches the loaded
 * segments (so that interrupts and segment loads work) and a TSS.
 * LONG64 needs it; REAL ignores it; PROT32 writes its GDT and TSS there if
 * scratch_gpa is not HV_MODE_NO_SCRATCH.  Layout: see lib/boot/modes.c.
 *
 * Every segment is present, accessed, DPL 0; TR is a busy TSS; LDTR is
 * unusable: the state passes AMD's VMRUN and Intel's VM-entry checks.
 * General registers are zeroed but for rip, rsp and rflags (0x2).
 */
enum hv_cpu_mode {
	HV_MODE_REAL,
	HV_MODE_PROT32,
	HV_MODE_LONG64,
};

#define HV_MODE_SCRATCH_SIZE	0x8000ULL
#define HV_MODE_NO_SCRATCH	(~0ULL)

/* Selectors of the GDT the mode setup writes. */
#define HV_MODE_SEL_CODE64	0x08
#define HV_MODE_SEL_DATA	0x10
#define HV_MODE_SEL_CODE32	0x18
#define HV_MODE_SEL_TSS		0x20

/*
 * Fill @regs and @sregs for @mode, and write the scratch tables into
 * @scratch (the host's view of guest RAM at scratch_gpa, or NULL when the
 * mode needs none).  Fields of @sregs it does not own (cr2, cr8,
 * reserved) are left alone.  Needs no VM: the unit tests call it.
 * -EINVAL: unknown mode, misaligned scratch_gpa, scratch missing;
 * -ERANGE: rip/rsp not reachable in that mode.
 */
int hv_mode_prepare(enum hv_cpu_mode mode, uint64_t rip, uint64_t rsp,
		    uint64_t scratch_gpa, void *scratch,
		    struct hv_regs *regs, struct hv_sregs *sregs);

/*
 * hv_mode_prepare() on the vCPU: GET_SREGS, prepare (scratch in @vm's
 * RAM), SET_SREGS, SET_REGS.  @vm may be NULL when no scratch is used.
 * -EFAULT: the scratch area is not in mapped RAM.
 */
int hv_vcpu_setup_mode(struct hv_vcpu *vcpu, struct hv_vm *vm,
		       enum hv_cpu_mode mode, uint64_t rip, uint64_t rsp,
		       uint64_t scratch_gpa);

/*
 * Flat binaries (lib/boot/loader.c): copy a file, or a buffer, into guest RAM
 * at @gpa.  -ERANGE: gpa is not in mapped RAM; -EFBIG: the image runs
 * past the end of the mapped region holding gpa, and nothing is written
 * (a file that is not a regular one, a pipe, is measured as it is read:
 * what fits has been written).  *size_out gets the bytes loaded.
 */
int hv_load_flat(struct hv_vm *vm, const char *path, uint64_t gpa,
		 uint64_t *size_out);
int hv_load_flat_mem(struct hv_vm *vm, const void *buf, size_t len,
		     uint64_t gpa);

/* ------------------------------------------------------------------ */
/*
 * Managed VMs (lib/managed.c): the module runs every vCPU on a kernel
 * thread, with its own devices (UART, debug-exit and shutdown ports);
 * see "Managed mode" in include/uapi/hv.h.  A VM is run either managed
 * or attached (hv_vcpu_run()), never both: each refuses with -EBUSY
 * while the other is in use.
 */

/*
 * HV_VM_START: start every vCPU as it was set up (registers, RAM).
 * A VM that stopped may be started again, from the state its vCPUs
 * stopped in.  -EBUSY: running, paused, or run attached; -EINVAL: no
 * vCPU or no RAM; -ENOENT: destroyed.
 */
int hv_vm_start(struct hv_vm *vm);

/*
 * HV_VM_STOP: stop a managed run and wait until every vCPU thread has
 * ended (stop_reason HV_STOP_REQUESTED).  -EINVAL: not managed.
 */
int hv_vm_stop(struct hv_vm *vm);

/*
 * HV_VM_PAUSE: hold every vCPU outside the guest; returns once none is
 * in guest mode.  -EINVAL: not running managed, or it stopped meanwhile.
 */
int hv_vm_pause(struct hv_vm *vm);

/* HV_VM_RESUME: let a paused VM run on.  -EINVAL: not paused. */
int hv_vm_resume(struct hv_vm *vm);

/*
 * HV_VM_DESTROY with HV_DESTROY_FORCE: stop a managed run first (its
 * stop_reason becomes HV_STOP_DESTROYED), then destroy as
 * hv_vm_destroy(), and close the handle even if the ioctl failed.
 * -ENOENT: already destroyed.
 */
int hv_vm_destroy_force(struct hv_vm *vm);

/*
 * HV_VM_OPEN_CONSOLE: a new fd (the caller closes it) on the guest's
 * UART.  read() gives what the guest wrote, from the oldest byte the
 * 64 KiB ring still holds (a slow reader skips ahead); write() feeds
 * the UART's receiver; poll() works.  With @nonblock, read() returns
 * EAGAIN instead of waiting.  Returns the fd (>= 0) or -errno.
 */
int hv_vm_console_open(struct hv_vm *vm, bool nonblock);

/*
 * Wait until the VM is neither running nor paused: then 0, with *out
 * (may be NULL) the HV_VM_GET_INFO taken at that moment.  out->state
 * says why: HV_VM_STATE_STOPPED (see stop_reason, exit_status),
 * HV_VM_STATE_DESTROYED, or HV_VM_STATE_CREATED when it was never
 * started (0 at once).  Polls every 10 ms.  @timeout_ms < 0 waits for
 * ever, 0 only looks.  -ETIMEDOUT; -EINTR: a signal came.
 */
int hv_vm_wait_stopped(struct hv_vm *vm, int timeout_ms,
		       struct hv_vm_info *out);

/*
 * Names of HV_VM_STATE_* ("created", "running", "destroyed", "paused",
 * "stopped") and of HV_STOP_* ("none", "halted", "debug-exit",
 * "triple-fault", "entry-failure", "stopped", "destroyed", "power-off",
 * "internal-error", "reboot", "lazy-failed"); "unknown" for anything
 * else.  Static, never NULL.
 */
const char *hv_vm_state_name(uint32_t state);
const char *hv_stop_reason_name(uint32_t reason);

/*
 * Kernel images (lib/boot/image.c, lib/boot/elf.c, lib/boot/multiboot.c;
 * all three chosen and placed from a file by hv_boot_image(), below).
 *
 * Every loader checks the whole image, and every guest range it would
 * write, before it writes anything: an image that is refused leaves
 * guest RAM as it was.  On error, err->msg (if @err is not NULL) says
 * which header and which field is wrong, in one line without a
 * trailing newline, e.g. "ELF: program header 2: p_offset+p_filesz
 * (0x1000+0x2000) beyond end of file (8192 bytes)"; on success it is "".
 * Errors: -ENOEXEC: the image is malformed or needs what hv lacks;
 * -ERANGE: a byte would land outside mapped guest RAM (or, for
 * multiboot, at or above 4 GiB); -EINVAL: bad arguments; -EBADF: no
 * VM; -ENOMEM.
 */
struct hv_load_error {
	char msg[160];
};

/* What a loader did. */
struct hv_load_info {
	uint64_t entry;		/* guest-physical address to start at */
	uint64_t low;		/* lowest guest-physical byte loaded */
	uint64_t end;		/* one past the highest, bss included */
	uint32_t elf_class;	/* 32 or 64; 0 for a multiboot a.out kludge */
	uint32_t pad;
	uint64_t mb_info;	/* multiboot: GPA of the info block, else 0 */
	uint64_t mb_end;	/* multiboot: one past the last byte written
				 * after the kernel (info block, modules) */
};

/*
 * Read a whole regular file into a malloc'd buffer (*buf, free() it;
 * never NULL on success, even for an empty file) of *len bytes.
 * -EFBIG: larger than @max bytes; -EISDIR, -EINVAL: not a regular file;
 * -EIO: it shrank while read; errors of open() and read().
 */
int hv_read_image(const char *path, void **buf, size_t *len, size_t max,
		  struct hv_load_error *err);

/*
 * Load an ELF32 or ELF64 executable by its program headers: each
 * PT_LOAD segment with p_memsz > 0 goes to p_paddr, its p_filesz bytes
 * from the file and the rest (bss) zeroed; other program headers are
 * ignored.  Checked first: e_ident (magic, EI_CLASS 32 or 64, EI_DATA
 * little-endian, EI_VERSION 1), e_type ET_EXEC, e_machine (EM_386 for
 * ELF32, EM_X86_64 for ELF64), e_version, the program header table
 * (e_phoff, e_phentsize, e_phnum: non-zero, not PN_XNUM, inside the
 * file), and every PT_LOAD: p_offset+p_filesz inside the file, p_filesz
 * <= p_memsz, no overflow, [p_paddr, p_paddr+p_memsz) in guest RAM and
 * overlapping no other segment; e_entry inside a segment (by p_vaddr).
 * out->entry is e_entry moved to the physical address that segment's
 * p_paddr gives it (as GRUB does for kernels linked high); low and end
 * span the segments; elf_class is 32 or 64; mb_* are 0.
 */
int hv_load_elf(struct hv_vm *vm, const void *img, size_t len,
		struct hv_load_info *out, struct hv_load_error *err);

/* A multiboot module: @len bytes at @data; @string may be NULL (""). */
struct hv_mb_module {
	const void *data;
	size_t len;
	const char *string;
};

/*
 * Load a Multiboot (v1, spec 0.6.96) kernel, its modules and the boot
 * information, as GRUB would.  The header: magic 0x1BADB002 at a 4-byte
 * aligned offset, wholly inside the first 8192 bytes and the file,
 * magic+flags+checksum == 0; flags bits 3-15 (requirements hv does not
 * know) refuse the image; bit 2 (video mode) is accepted and answered
 * with no video information (hv has no display).  With flags bit 16 the
 * a.out kludge fields place the image (load_addr <= header_addr, text
 * inside the file, load_end_addr >= load_addr or 0 for "to the end of
 * the file", bss_end_addr >= load end or 0, entry_addr in the loaded
 * text/data); without it the image must be ELF, loaded as by
 * hv_load_elf() below 4 GiB.
 *
 * The information block (spec 3.3) goes at the first 4 KiB boundary
 * after the kernel, followed by its memory map, module list and strings;
 * the modules follow, each on a 4 KiB boundary.  Its flags: MEMORY
 * (mem_lower: KiB of RAM from 0, at most 640; mem_upper: KiB of RAM
 * from 1 MiB up to the first hole), CMDLINE (@cmdline, "" if NULL),
 * MODS (mod_start, mod_end one past the last byte, string), MMAP (one
 * entry, type 1, per contiguous range of the RAM this process has
 * mapped) and BOOT_LOADER_NAME ("hv").  All of it must fit in RAM below
 * 4 GiB.  out->mb_info is its address; elf_class is 0 for an a.out
 * kludge image.
 */
int hv_load_multiboot(struct hv_vm *vm, const void *img, size_t len,
		      const char *cmdline, const struct hv_mb_module *mods,
		      size_t nmods, struct hv_load_info *out,
		      struct hv_load_error *err);

/*
 * The machine state of spec 3.2 on @vcpu: 32-bit protected mode without
 * paging (hv_mode_prepare(HV_MODE_PROT32), no scratch area: GDTR and
 * IDTR are left empty, which the spec allows), EFLAGS 0x2 (IF = VM = 0),
 * EAX 0x2BADB002, EBX info->mb_info, EIP info->entry, the other general
 * registers 0.  @vm may be NULL; if given, the info block must be in
 * its mapped RAM (-EFAULT).  -EINVAL: @info is not from
 * hv_load_multiboot() (mb_info 0) or entry/mb_info >= 4 GiB.
 */
int hv_vcpu_setup_multiboot(struct hv_vcpu *vcpu, struct hv_vm *vm,
			    const struct hv_load_info *info);

/*
 * Booting an image file as hvctl create does (lib/boot/boot.c): one
 * call that reads the file, picks its loader, places it, and sets up
 * @vcpu to enter it.  "RAM" is the guest RAM mapped in this process
 * without a gap from GPA 0.
 *  - Multiboot v1 when opts->multiboot: hv_load_multiboot() with
 *    opts->cmdline and the module files opts->mods, then
 *    hv_vcpu_setup_multiboot();
 *  - ELF (the file starts with \x7fELF): hv_load_elf()'s checks, and its
 *    segments kept out of the top HV_MODE_SCRATCH_SIZE +
 *    HV_BOOT_STACK_GAP (48 KiB) of RAM below 4 GiB; the scratch area is
 *    the top HV_MODE_SCRATCH_SIZE bytes there and the stack pointer its
 *    start.  ELF32 runs in HV_MODE_PROT32, ELF64 in HV_MODE_LONG64, from
 *    out->load.entry;
 *  - anything else is a flat binary: HV_BOOT_FLAT_GPA, entered in
 *    HV_MODE_REAL at CS:IP 0000:1000 with SS:SP 0000:1000 (the stack
 *    grows down towards the real-mode IVT, as a boot sector's does).
 * Files (image and modules) may be up to the RAM size plus
 * HV_BOOT_IMAGE_SLACK bytes (symbols beyond what is loaded).  Nothing is
 * written to RAM for an image that is refused; a failure after that
 * (the vCPU refused its state) leaves the image in RAM.
 *
 * Errors: those of hv_read_image(), the loaders and
 * hv_vcpu_setup_mode(); -ENOEXEC: an empty flat image; -ENOSPC: more
 * RAM would take the image (a flat image past the end of RAM; ELF
 * segments in the 48 KiB kept at the top); -ERANGE: also RAM smaller
 * than those 48 KiB, or an ELF entry point the mode cannot reach.
 * opts->err (if not NULL) gets one line, without a newline, that names
 * the file, e.g. "/boot/k.elf: segments end at 0x1f4103, in the 48K
 * from 0x1f4000 that hv keeps for the stack and page tables", or
 * "cannot set up vCPU 0: ..."; "" on success.  *out (may be NULL):
 * what was done; out->format is set as soon as the file is read, also
 * when a later step fails.
 */
#define HV_BOOT_FLAT_GPA	0x1000ULL	/* where a flat binary goes */
#define HV_BOOT_FLAT_SP		0x1000ULL
#define HV_BOOT_STACK_GAP	0x4000ULL	/* the stack, under the scratch */
#define HV_BOOT_IMAGE_SLACK	(64ULL << 20)

enum hv_boot_format {
	HV_BOOT_FLAT = 1,
	HV_BOOT_ELF,
	HV_BOOT_MULTIBOOT,
};

/* A Multiboot module file; @string may be NULL (""). */
struct hv_boot_module {
	const char *path;
	const char *string;
};

struct hv_boot_opts {
	const char *path;	/* the image file */
	bool multiboot;		/* load it as a Multiboot v1 kernel */
	const char *cmdline;	/* Multiboot: the command line, or NULL */
	const struct hv_boot_module *mods;	/* Multiboot: nmods modules */
	size_t nmods;
	char *err;		/* if not NULL: one line naming the problem */
	size_t errlen;
};

struct hv_boot_info {
	uint32_t format;	/* HV_BOOT_* */
	uint32_t mode;		/* enum hv_cpu_mode the vCPU starts in */
	uint64_t scratch;	/* scratch area GPA, or HV_MODE_NO_SCRATCH */
	uint64_t sp;		/* the stack pointer; 0 for Multiboot */
	struct hv_load_info load;	/* what the loader placed */
};

int hv_boot_image(struct hv_vm *vm, struct hv_vcpu *vcpu,
		  const struct hv_boot_opts *opts, struct hv_boot_info *out);

/*
 * Linux (lib/boot/linux.c): the x86 boot protocol of
 * Documentation/arch/x86/boot.rst and zero-page.rst, entered at the
 * 64-bit entry point, with the platform described by ACPI tables
 * (lib/boot/acpi.c).  The layout of guest RAM it makes (docs/linux.md):
 *
 *   0x00500  GDT: 0x10 flat 64-bit code (__BOOT_CS), 0x18 flat data,
 *            0x20 the TSS at 0x580 that TR names
 *   0x07000  boot_params (the "zero page"), RSI at entry
 *   0x09000  identity page tables for the first 4 GiB (2 MiB pages)
 *   0x20000  the command line
 *   0xe0000  ACPI: RSDP, XSDT, MADT, FADT, FACS, DSDT (HV_ACPI_GPA)
 *   kernel   a bzImage's protected-mode part at its pref_address,
 *            relocatable or not (an x86-64 kernel decompresses to at
 *            least LOAD_PHYSICAL_ADDR = pref_address anyway), with
 *            init_size bytes from there in RAM; a vmlinux by its
 *            program headers (p_paddr), entered at e_entry (physical)
 *   initrd   as high as it fits below initrd_addr_max and the end of RAM
 *
 * RAM must be mapped without a gap from GPA 0, at least
 * HV_LINUX_MIN_RAM and at most HV_LINUX_MAX_RAM (the 32-bit hole above
 * holds the IOAPIC and local APIC pages).
 */
#define HV_LINUX_MIN_RAM	(16ULL << 20)
#define HV_LINUX_MAX_RAM	(3ULL << 30)
#define HV_LINUX_BOOT_CS	0x10
#define HV_LINUX_BOOT_DS	0x18

enum hv_linux_format {
	HV_LINUX_BZIMAGE = 1,	/* a bzImage (boot protocol 2.12 or later) */
	HV_LINUX_VMLINUX,	/* an uncompressed vmlinux ELF64 */
};

struct hv_linux_opts {
	const void *kernel;	/* the image, read into memory */
	size_t kernel_len;
	const void *initrd;	/* NULL: none */
	size_t initrd_len;
	const char *cmdline;	/* NULL: "" */
	uint32_t vcpus;		/* 1..HV_MAX_VCPUS: the MADT's processors */
	uint32_t flags;		/* 0 */
	char *err;		/* if not NULL: one line naming the problem */
	size_t errlen;
};

/* What hv_linux_layout() placed, and where the boot CPU enters. */
struct hv_linux_info {
	uint32_t format;	/* enum hv_linux_format */
	uint32_t protocol;	/* boot protocol version, e.g. 0x020f */
	uint64_t entry;		/* RIP: the 64-bit entry point */
	uint64_t boot_params;	/* RSI: the zero page */
	uint64_t cr3;		/* the identity page tables */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint16_t pad[3];
	uint64_t kernel_gpa;	/* where the kernel went, and one past it */
	uint64_t kernel_end;
	uint64_t initrd_gpa;	/* 0 if none */
	uint64_t initrd_size;
	uint64_t cmdline_gpa;
	uint64_t rsdp;		/* the ACPI RSDP */
};

/*
 * Lay out a Linux boot in @ram, which the guest sees as GPA 0 to
 * @ram_size (a plain buffer: the tests' and KVM loader's RAM too).
 * Checks everything first and writes nothing if anything is wrong:
 * -ENOEXEC (not a kernel hv can boot: bad magic, protocol too old, no
 * 64-bit entry, not relocatable where it must be, misaligned, a
 * truncated or foreign file), -EFBIG (the kernel or initramfs does
 * not fit in RAM), -ERANGE (RAM outside HV_LINUX_MIN_RAM..MAX_RAM),
 * -EINVAL (bad arguments, a command line longer than the kernel
 * takes).  o->err gets one line saying which field or size is wrong.
 */
int hv_linux_layout(void *ram, uint64_t ram_size,
		    const struct hv_linux_opts *o, struct hv_linux_info *out);

/*
 * The boot CPU's state at the 64-bit entry of boot.rst: long mode,
 * paging on with CR3 info->cr3, CS HV_LINUX_BOOT_CS, DS/ES/SS
 * HV_LINUX_BOOT_DS (flat), GDTR the layout's GDT, interrupts off,
 * RSI info->boot_params, RIP info->entry, other registers 0.
 */
int hv_linux_setup_vcpu(struct hv_vcpu *vcpu, const struct hv_linux_info *info);

/*
 * One call to boot Linux from files, as hvctl create --kernel does:
 * read the kernel and initramfs, lay them out in the RAM this process
 * has mapped from GPA 0 (hv_linux_layout()), and set @bsp up to enter
 * (hv_linux_setup_vcpu()).  The other vCPUs wait for the SIPI that
 * Linux sends them.  Errors as hv_linux_layout() and the file reads;
 * err names the file.
 */
struct hv_linux_boot {
	const char *kernel;	/* path of the bzImage or vmlinux */
	const char *initrd;	/* path, or NULL */
	const char *cmdline;	/* NULL: "" */
	uint32_t vcpus;		/* the VM's vCPUs, for the MADT */
	char *err;
	size_t errlen;
};

int hv_boot_linux(struct hv_vm *vm, struct hv_vcpu *bsp,
		  const struct hv_linux_boot *b, struct hv_linux_info *out);

/*
 * ACPI tables for hv's PC (lib/boot/acpi.c, ACPI 6.4): RSDP, XSDT, MADT
 * (a local APIC per vCPU, the IOAPIC, ISA overrides), FADT with FACS
 * and the PM1 blocks hv emulates, and a DSDT with the UART and \_S5.
 * Written into @buf (@room bytes), which the guest sees at @gpa; the
 * RSDP comes first.  Returns the bytes used, -ENOSPC or -EINVAL.
 */
#define HV_ACPI_GPA		0xe0000ULL
#define HV_ACPI_SIZE		0x20000ULL

/* The platform the tables describe (kmod/io/pm.c, docs/linux.md). */
#define HV_ACPI_PM1A_EVT	0x600	/* PM1_STS 0x600, PM1_EN 0x602 */
#define HV_ACPI_PM1A_CNT	0x604
#define HV_ACPI_PM_TMR		0x608	/* 32-bit, 3.579545 MHz */
#define HV_ACPI_RESET_PORT	0xcf9
#define HV_ACPI_RESET_VALUE	0x06	/* RST_CPU | SYS_RST */
#define HV_ACPI_SCI_IRQ		9
#define HV_ACPI_RTC_CENTURY	0x32
#define HV_ACPI_LAPIC_ADDR	0xfee00000U
#define HV_ACPI_IOAPIC_ADDR	0xfec00000U
#define HV_ACPI_FADT_LEN	276
/* IAPC_BOOT_ARCH (Table 5.11): LEGACY_DEVICES | VGA Not Present; no 8042 */
#define HV_ACPI_BOOT_ARCH	0x0005
/*
 * FADT Flags (Table 5.10): WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON
 * (none), FIX_RTC, TMR_VAL_EXT (32-bit PM timer), RESET_REG_SUP.
 */
#define HV_ACPI_FADT_FLAGS	0x00000575U

struct hv_acpi_config {
	uint32_t vcpus;		/* 1..HV_MAX_VCPUS */
	uint32_t flags;		/* 0 */
};

int hv_acpi_build(void *buf, size_t room, uint64_t gpa,
		  const struct hv_acpi_config *cfg);

/*
 * Lifecycle events (lib/events.c): the module's generic netlink family
 * HV_GENL_NAME; a listener gets the events of the VMs it may see.
 * Uses libnl-genl-3 (link with pkg-config --libs libnl-genl-3.0).
 * Events are only seen from the moment the listener is open.
 */
struct hv_events;

struct hv_event {
	char vm[HV_NAME_LEN];	/* the VM's name */
	uint32_t event;		/* HV_EVENT_* */
	uint32_t reason;	/* HV_STOP_*, for HV_EVENT_STOPPED */
	uint32_t status;	/* exit status (HV_STOP_DEBUG_EXIT) */
	uint64_t time_ns;	/* CLOCK_MONOTONIC when it happened */
	uint64_t seq;		/* the module's counter: a gap = missed events */
};

/*
 * Subscribe to the events of the VMs this process may see: its euid's,
 * or every VM's with CAP_SYS_ADMIN (HV_CMD_SUBSCRIBE).  -ENOENT: no
 * family "hv" (module not loaded); errors of socket() (e.g.
 * -EAFNOSUPPORT).
 */
int hv_events_open(struct hv_events **out);

/*
 * The socket, for poll(): when it is readable, call hv_events_next()
 * with timeout 0 until it returns -ETIMEDOUT.  Owned by the handle.
 */
int hv_events_fd(struct hv_events *ev);

/*
 * The next event into *out: 0.  Waits up to @timeout_ms (< 0: for ever;
 * 0: only what has arrived).  -ETIMEDOUT: none came; -ENOBUFS: the
 * socket overflowed and events were lost (the next call goes on with
 * what follows; HV_VM_GET_INFO has the current state); -EINTR: a signal
 * came.  Messages not from the kernel, or not events, are skipped.
 */
int hv_events_next(struct hv_events *ev, struct hv_event *out,
		   int timeout_ms);

/* Leave the group and free the handle; NULL is fine. */
void hv_events_close(struct hv_events *ev);

/*
 * Name of HV_EVENT_*: "created", "started", "paused", "resumed",
 * "stopped", "destroyed"; "unknown" for anything else.  Never NULL.
 */
const char *hv_event_name(uint32_t event);

/* ------------------------------------------------------------------ */
/*
 * State, dirty-page logging and clones (lib/state.c); the VM must be
 * quiet (see HV_VM_GET_VCPU_STATE in include/uapi/hv.h): -EBUSY if not.
 * Since API 4 the vCPU state holds its activity, TSC and local APIC, and
 * the device state the PIC, IOAPIC, PIT and RTC.
 */
int hv_vm_get_vcpu_state(struct hv_vm *vm, uint32_t id,
			 struct hv_vcpu_state *state);
int hv_vm_set_vcpu_state(struct hv_vm *vm, const struct hv_vcpu_state *state);
int hv_vm_get_device_state(struct hv_vm *vm, struct hv_device_state *state);
int hv_vm_set_device_state(struct hv_vm *vm,
			   const struct hv_device_state *state);

/* The VM's RAM regions (HV_VM_GET_RAM); *n gets how many (<= 16). */
int hv_vm_get_ram(struct hv_vm *vm, struct hv_ram_region *regions,
		  size_t *n);

/* Switch dirty logging of the region starting at @gpa on or off. */
int hv_vm_dirty_log(struct hv_vm *vm, uint64_t gpa, bool enable);
/*
 * Get and clear the region's dirty bitmap: one bit per 4 KiB page,
 * (size / 4096 + 63) / 64 words at @bitmap.
 */
int hv_vm_get_dirty_log(struct hv_vm *vm, uint64_t gpa, uint64_t *bitmap);

/*
 * HV_VM_CLONE: a new VM @name sharing @vm's RAM copy-on-write, with
 * copies of its vCPU and device state; *out is its handle.
 */
int hv_vm_clone(struct hv_vm *vm, const char *name, uint32_t flags,
		struct hv_vm **out);

/* ------------------------------------------------------------------ */
/*
 * Lazy RAM (lib/lazy.c, API 9; "Lazy RAM" in include/uapi/hv.h): a VM
 * that runs before its memory is all there.  The filler opens the VM's
 * filler fd, adds regions with hv_vm_add_ram_lazy(), and gives pages
 * with hv_lazy_fill(): those hv_lazy_wait() names first, the rest in
 * the background.  Whatever touches an absent page waits for it.  If
 * the filler calls hv_lazy_fail(), or closes the fd with pages still
 * absent, the VM stops with HV_STOP_LAZY_FAILED (exit_status EIO or
 * EPIPE).  -ENOTTY from these: a module before API 9.
 */

/*
 * HV_VM_OPEN_LAZY: the VM's filler fd (>= 0; close-on-exec, as every fd
 * the module gives; the caller closes it), or -errno.  -EBUSY: the VM
 * has had one already (one per VM, ever).
 */
int hv_vm_open_lazy(struct hv_vm *vm);

/*
 * HV_LAZY_FILL: install the pages of @gpa..+@size that are still absent,
 * from @data (pages already there are left as they are).  @gpa and @size
 * are multiples of 4 KiB, 0 < @size <= HV_LAZY_FILL_MAX, the range in
 * one lazy region.  *filled (may be NULL): pages this call installed;
 * *absent (may be NULL): pages of the VM still absent.  -EINVAL: bad
 * arguments (checked here first, then by the module); -EBADF: @fd < 0.
 */
int hv_lazy_fill(int fd, uint64_t gpa, const void *data, uint64_t size,
		 uint64_t *filled, uint64_t *absent);

/*
 * HV_LAZY_WAIT: sleep until some vCPU or access waits for an absent
 * page, then 0 with *gpa that page; or, once the VM is whole, 0 with
 * *gpa HV_LAZY_NONE.  *absent (may be NULL): pages still absent.  With
 * @nowait, -EAGAIN rather than sleep when nothing is waited for.
 * -EINTR: a signal came (not retried here: the caller decides).
 */
int hv_lazy_wait(int fd, bool nowait, uint64_t *gpa, uint64_t *absent);

/*
 * HV_LAZY_FAIL: absent memory cannot be had (a corrupt chunk at @gpa,
 * which the module logs): the VM stops with HV_STOP_LAZY_FAILED,
 * exit_status EIO.
 */
int hv_lazy_fail(int fd, uint64_t gpa);

/* ------------------------------------------------------------------ */
/*
 * Snapshot files (lib/snap/snapshot.c; the format, byte by byte, is in
 * docs/snapshot-format.md).
 */

/* Called as work proceeds: @done of @total bytes of guest RAM. */
typedef void (*hv_progress_fn)(void *opaque, uint64_t done, uint64_t total);

struct hv_snapshot_opts {
	const char *base;	/* incremental against this snapshot, or NULL */
	hv_progress_fn progress;	/* or NULL */
	void *opaque;
	char *err;		/* if not NULL: one line naming the problem */
	size_t errlen;
};

/*
 * Write @vm's whole state to @path: written to a temporary name in the
 * same directory, fsynced, then renamed, so @path is either the old file
 * or the complete new one.  The VM must be quiet (a managed VM paused or
 * stopped; hvctl snapshot pauses and resumes it).  After it, hv logs the
 * VM's dirty pages, so the next snapshot may be incremental against this
 * one (opts->base): only pages written since are stored.
 */
int hv_vm_snapshot(struct hv_vm *vm, const char *path,
		   const struct hv_snapshot_opts *opts);

/*
 * A live snapshot: the same file as hv_vm_snapshot() writes (the VM's
 * name and id, an increment with opts->base, written to a temporary
 * name, synced, renamed), but the VM is held only while a copy-on-write
 * clone of it is made (HV_VM_CLONE: vCPU and device state copied, RAM
 * shared), then runs on while the file is written from the clone.  A
 * page the VM writes meanwhile is copied before the write lands, so the
 * file holds exactly the instant of the pause (docs/snapshot-format.md,
 * "Live snapshots").
 *  - A running managed VM is paused for the clone and resumed; a VM
 *    that is not running is cloned as it is and left so (one run
 *    attached must have no run in progress: -EBUSY).
 *  - The clone, "NAME.snap-PID" ("-2" .. "-9" appended if taken; NAME
 *    cut to fit), HV_VM_DESTROY_ON_CLOSE, is listed while the file is
 *    written and destroyed before this returns, on every error too.
 *  - It is charged like any VM: the VM's RAM size and one VM more for
 *    as long as it lives (-ENOMEM past the limits, see hv_usage()).
 *  - Dirty logging is reset before the pause, while the VM may still
 *    run: a failure after that leaves the previous snapshot no base for
 *    an increment (as a failed hv_vm_snapshot() does), never a wrong one.
 * *out (may be NULL) is filled once the clone was made, on failure too.
 */
struct hv_snapshot_live_info {
	char clone[HV_NAME_LEN];	/* the clone's name (gone by now) */
	bool paused;		/* the VM ran: paused for the clone */
	uint64_t pause_ns;	/* how long it was held, pause to resume */
	uint64_t write_ns;	/* from the resume to the file's end */
	uint64_t pages_stored;	/* pages with data in the file */
	uint64_t cow_copies;	/* pages the VM copied as it wrote them
				 * first since the pause */
};

int hv_vm_snapshot_live(struct hv_vm *vm, const char *path,
			const struct hv_snapshot_opts *opts,
			struct hv_snapshot_live_info *out);

struct hv_restore_opts {
	const char *name;	/* NULL: the name in the file */
	uint32_t flags;		/* HV_VM_* for the new VM */
	hv_progress_fn progress;	/* or NULL */
	void *opaque;
	char *err;		/* if not NULL: one line naming the problem */
	size_t errlen;
};

/*
 * Check the whole file (and its base, for an incremental one) first, then
 * create a VM from it: never started, HV_VM_STATE_CREATED.  Nothing is
 * created if anything is wrong: -EINVAL for a bad file (opts->err says
 * what), -EEXIST for a taken name.
 */
int hv_vm_restore(struct hv *hv, const char *path,
		  const struct hv_restore_opts *opts, struct hv_vm **out);

/*
 * A lazy restore (lib/snap/lazyrestore.c; API 9, snapshot format 3): the
 * VM as hv_vm_restore() makes it, but made before its memory is read.
 * Only the header, the state sections and the memory index of each file
 * are checked first; the RAM is added absent (hv_vm_add_ram_lazy), and
 * two threads of this process give it from the file(s), one chunk of up
 * to 4 MiB at a time, each chunk's sections checked (CRC and records)
 * before any of it is given: the chunks something waits for first, then
 * every other in the background (with HV_LAZY_DEMAND_ONLY, only from
 * hv_lazy_restore_finish() on).  Start the VM at once, or run it.  A
 * chunk that fails its check is never given: the VM stops with
 * HV_STOP_LAZY_FAILED (an attached run gets -EIO) and
 * hv_lazy_restore_finish() says why.  The VM needs this process until
 * it is whole: if it exits first, the VM stops the same way.  A clone,
 * a snapshot or dirty logging of the VM waits until it is whole: with
 * HV_LAZY_DEMAND_ONLY, call them after hv_lazy_restore_finish() (or
 * from another thread), or they wait for ever.
 * opts->progress is not called.  -ENODATA (with opts->err): a file (or a
 * base) before format 3, which has no memory index (restore it with
 * hv_vm_restore());
 * other errors as hv_vm_restore(), nothing created.
 */
struct hv_lazy_restore;

#define HV_LAZY_DEMAND_ONLY	(1u << 0)

struct hv_lazy_restore_stats {
	uint64_t pages;			/* guest pages given */
	uint64_t demand_chunks;		/* chunks given because waited for */
	uint64_t background_chunks;	/* chunks given in the background */
	uint64_t check_ns;		/* in CRC and record checks */
	uint64_t fill_ns;		/* in HV_LAZY_FILL */
	uint64_t first_demand_ns;	/* the call to the first demand */
	uint64_t whole_ns;		/* the call to the VM whole (0: never) */
};

int hv_vm_restore_lazy(struct hv *hv, const char *path,
		       const struct hv_restore_opts *opts, uint32_t flags,
		       struct hv_vm **out, struct hv_lazy_restore **lr);

/*
 * Give the VM the rest of its memory (if HV_LAZY_DEMAND_ONLY held it
 * back), wait until it is whole or its memory failed, and free @lr.
 * 0; or the failure (-EINVAL for a chunk that failed its check, with
 * its one line, "FILE: section 9 (memory, region 0): checksum
 * mismatch", in @err).  *st (may be NULL): what it took.
 */
int hv_lazy_restore_finish(struct hv_lazy_restore *lr,
			   struct hv_lazy_restore_stats *st, char *err,
			   size_t errlen);

/* What hv_snapshot_check() reports about a valid file. */
struct hv_snapshot_info {
	uint32_t format_version;
	uint32_t vendor;	/* HV_VENDOR_* that took it */
	char hv_version[32];
	char name[HV_NAME_LEN];
	uint32_t nr_vcpus;
	uint32_t nr_regions;
	uint64_t mem_size;	/* bytes of guest RAM */
	uint64_t pages_stored;	/* pages with data in this file */
	bool incremental;
	uint64_t file_size;
};

/* Validate every byte of @path: 0, or -EINVAL with err set. */
int hv_snapshot_check(const char *path, struct hv_snapshot_info *info,
		      char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* LIBHV_H */
