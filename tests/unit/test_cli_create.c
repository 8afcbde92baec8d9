// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl's VM commands end to end on the fake device (fake_vm.c):
 * create/list/info/destroy, flat, ELF and Multiboot images (and that a
 * failed create leaves no VM), and the console pump on a socket pair
 * standing in for the console fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvctl.h"
#include "unit.h"

#define MiB	(1ULL << 20)

static struct fake_vm *find_vm(const char *name)
{
	unsigned int i;

	for (i = 0; i < fake_nr_vms; i++)
		if (!strcmp(fake_vms[i].name, name))
			return &fake_vms[i];
	return NULL;
}

/* Guest RAM of a fake VM at @gpa. */
static void guest_read(struct fake_vm *vm, uint64_t gpa, void *buf,
		       size_t len)
{
	ck_assert_int_eq(pread(vm->fd, buf, len, (off_t)gpa), (ssize_t)len);
}

START_TEST(create_list_destroy)
{
	struct fake_vm *vm;
	char *out;

	free(HVCTL(0, "", "create", "web", "--mem", "1M", "--vcpus", "2"));
	vm = find_vm("web");
	ck_assert_ptr_nonnull(vm);
	ck_assert(vm->listed);
	ck_assert_uint_eq(vm->mem_size, MiB);

	free(HVCTL(1, "hvctl: create web: name already in use\n", "create",
		   "web", "--mem", "1M"));
	free(HVCTL(0, "", "create", "--mem", "64K", "db"));

	out = HVCTL(0, "", "list");
	ck_assert_str_eq(out,
		"NAME  STATE      VCPUS  MEMORY    UPTIME  EXITS\n"
		"web   created        2      1M         -  0\n"
		"db    created        1     64K         -  0\n");
	free(out);
	out = HVCTL(0, "", "list", "--json");
	ck_assert(json_valid(out));
	ck_assert_int_eq(count_substr(out, "\"state\":\"created\""), 2);
	free(out);

	out = HVCTL(0, "", "info", "db");
	ck_assert_ptr_eq(strstr(out, "name:            db\n"
				"state:           created\n"), out);
	ck_assert_ptr_nonnull(strstr(out, "memory:          64K (65536 "
				     "bytes)\n"));
	free(out);
	out = HVCTL(0, "", "info", "--json", "db");
	ck_assert(json_valid(out));
	free(out);
	free(HVCTL(1, "hvctl: info nope: no such VM\n", "info", "nope"));

	/*
	 * The fake knows no managed-mode ioctls (ENOTTY): each command gets
	 * as far as the ioctl and reports its error on one line.
	 */
	free(HVCTL(1, "hvctl: start web: not an hv device\n", "start", "web"));
	free(HVCTL(1, "hvctl: stop web: not an hv device\n", "stop", "web"));
	free(HVCTL(1, "hvctl: pause web: not an hv device\n", "pause", "web"));
	free(HVCTL(1, "hvctl: resume web: not an hv device\n", "resume",
		   "web"));
	free(HVCTL(1, "hvctl: console web: cannot open the console: not an "
		   "hv device\n", "console", "--no-follow", "web"));
	ck_assert(vm->listed);

	free(HVCTL(0, "", "destroy", "web"));
	ck_assert(!vm->listed);
	free(HVCTL(1, "hvctl: destroy web: no such VM\n", "destroy", "web"));
	free(HVCTL(1, "hvctl: start web: no such VM\n", "start", "web"));
	free(HVCTL(1, "hvctl: console web: no such VM\n", "console", "web"));
	free(HVCTL(0, "", "destroy", "--force", "db"));
	out = HVCTL(0, "", "list", "--json");
	ck_assert_str_eq(out, "[]\n");
	free(out);
}
END_TEST

START_TEST(create_flat)
{
	static const uint8_t code[] = { 0xb0, 'h', 0xe6, 0xe9, 0xf4 };
	struct fake_vm *vm;
	uint8_t got[sizeof(code)];
	char want[256];

	free(HVCTL(0, "", "create", "flat", "--mem", "64K", "--image",
		   tmp_file(code, sizeof(code))));
	vm = find_vm("flat");
	ck_assert_ptr_nonnull(vm);
	guest_read(vm, 0x1000, got, sizeof(got));
	ck_assert_mem_eq(got, code, sizeof(code));
	unlink(tmp_path);

	/* Too big for RAM at 0x1000: an error line, and no VM left. */
	{
		static uint8_t big[8192];

		tmp_file(big, sizeof(big));
		snprintf(want, sizeof(want), "hvctl: create big: %s: 8192 "
			 "bytes do not fit in RAM at 0x1000 (--mem 8K)\n",
			 tmp_path);
		free(HVCTL(1, want, "create", "big", "--mem", "8K", "--image",
			   tmp_path));
		unlink(tmp_path);
		ck_assert(!find_vm("big")->listed);
	}

	tmp_file("", 0);
	snprintf(want, sizeof(want), "hvctl: create empty: %s: empty image\n",
		 tmp_path);
	free(HVCTL(1, want, "create", "empty", "--mem", "64K", "--image",
		   tmp_path));
	unlink(tmp_path);
	ck_assert(!find_vm("empty")->listed);

	/* run: the console cannot be opened here, and the VM goes. */
	free(HVCTL(1, "hvctl: run ci: cannot open the console: not an hv "
		   "device\n", "run", "--mem", "64K", "--image",
		   tmp_file(code, sizeof(code)), "ci"));
	unlink(tmp_path);
	ck_assert(!find_vm("ci")->listed);

	free(HVCTL(1, "hvctl: create gone: /nonexistent/img: No such file or "
		   "directory\n", "create", "gone", "--mem", "64K", "--image",
		   "/nonexistent/img"));
	ck_assert(!find_vm("gone")->listed);
	/* The name is free again. */
	free(HVCTL(0, "", "create", "gone", "--mem", "64K"));
}
END_TEST

/* A one-segment ELF executable: ELFCLASS32 (EM_386) or 64 (EM_X86_64). */
static size_t make_elf(uint8_t *img, int class, uint64_t paddr,
		       const uint8_t *code, size_t len)
{
	size_t ehsize = class == 64 ? 64 : 52, phsize = class == 64 ? 56 : 32;
	size_t off = ehsize + phsize;
	uint8_t *e = img, *p = img + ehsize;

#define PUT(ptr, v, n) do { uint64_t _v = (v); memcpy(ptr, &_v, n); } while (0)
	memset(img, 0, off + len);
	memcpy(e, "\177ELF", 4);
	e[4] = class == 64 ? 2 : 1;	/* EI_CLASS */
	e[5] = 1;			/* little-endian */
	e[6] = 1;			/* EV_CURRENT */
	PUT(e + 16, 2, 2);		/* ET_EXEC */
	PUT(e + 18, class == 64 ? 62 : 3, 2);
	PUT(e + 20, 1, 4);		/* e_version */
	if (class == 64) {
		PUT(e + 24, paddr, 8);	/* e_entry */
		PUT(e + 32, ehsize, 8);	/* e_phoff */
		PUT(e + 52, ehsize, 2);
		PUT(e + 54, phsize, 2);
		PUT(e + 56, 1, 2);	/* e_phnum */
		PUT(p, 1, 4);		/* PT_LOAD */
		PUT(p + 4, 5, 4);	/* R X */
		PUT(p + 8, off, 8);
		PUT(p + 16, paddr, 8);	/* p_vaddr */
		PUT(p + 24, paddr, 8);	/* p_paddr */
		PUT(p + 32, len, 8);
		PUT(p + 40, len + 0x100, 8);
		PUT(p + 48, 0x1000, 8);
	} else {
		PUT(e + 24, paddr, 4);
		PUT(e + 28, ehsize, 4);
		PUT(e + 40, ehsize, 2);
		PUT(e + 42, phsize, 2);
		PUT(e + 44, 1, 2);
		PUT(p, 1, 4);
		PUT(p + 4, off, 4);
		PUT(p + 8, paddr, 4);
		PUT(p + 12, paddr, 4);
		PUT(p + 16, len, 4);
		PUT(p + 20, len + 0x100, 4);
		PUT(p + 24, 5, 4);
		PUT(p + 28, 0x1000, 4);
	}
#undef PUT
	memcpy(img + off, code, len);
	return off + len;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

START_TEST(create_elf)
{
	static const uint8_t code[] = { 0xf4, 0xeb, 0xfd };
	uint8_t img[256], got[sizeof(code)], page[0x1000];
	struct fake_vm *vm;
	char want[512];
	size_t len;

	/* ELF32: the segment at its p_paddr, the GDT in the top 32K. */
	len = make_elf(img, 32, 0x100000, code, sizeof(code));
	free(HVCTL(0, "", "create", "e32", "--mem", "2M", "--image",
		   tmp_file(img, len)));
	unlink(tmp_path);
	vm = find_vm("e32");
	guest_read(vm, 0x100000, got, sizeof(got));
	ck_assert_mem_eq(got, code, sizeof(code));
	guest_read(vm, 2 * MiB - HV_MODE_SCRATCH_SIZE + 0x6000, page,
		   sizeof(page));
	ck_assert(!all_zero(page, sizeof(page)));

	/* ELF64: the page tables there too. */
	len = make_elf(img, 64, 0x200000, code, sizeof(code));
	free(HVCTL(0, "", "create", "e64", "--mem", "4M", "--image",
		   tmp_file(img, len)));
	unlink(tmp_path);
	vm = find_vm("e64");
	guest_read(vm, 0x200000, got, sizeof(got));
	ck_assert_mem_eq(got, code, sizeof(code));
	guest_read(vm, 4 * MiB - HV_MODE_SCRATCH_SIZE, page, sizeof(page));
	ck_assert(!all_zero(page, sizeof(page)));

	/* Segments in the top 48K: refused, and the VM is gone. */
	len = make_elf(img, 64, 0x1f4000, code, sizeof(code));
	tmp_file(img, len);
	snprintf(want, sizeof(want), "hvctl: create top: %s: segments end at "
		 "0x1f4103, in the 48K from 0x1f4000 that hv keeps for the "
		 "stack and page tables: give more --mem\n", tmp_path);
	free(HVCTL(1, want, "create", "top", "--mem", "2M", "--image",
		   tmp_path));
	unlink(tmp_path);
	ck_assert(!find_vm("top")->listed);

	/* The loader's own words follow the file name. */
	len = make_elf(img, 32, 0x100000, code, sizeof(code));
	img[18] = 62;	/* ELF32 claiming EM_X86_64 */
	tmp_file(img, len);
	{
		char *out, *err, prefix[128];

		ck_assert_int_eq(run_hvctl(&out, &err, "create", "bad",
					   "--mem", "2M", "--image", tmp_path,
					   NULL), 1);
		snprintf(prefix, sizeof(prefix), "hvctl: create bad: %s: ",
			 tmp_path);
		ck_assert_ptr_eq(strstr(err, prefix), err);
		ck_assert_int_eq(count_substr(err, "\n"), 1);
		ck_assert_ptr_nonnull(strstr(err, "ELF"));
		free(out);
		free(err);
	}
	unlink(tmp_path);
	ck_assert(!find_vm("bad")->listed);
}
END_TEST

/* A Multiboot a.out-kludge kernel loaded at 1 MiB. */
static size_t make_multiboot(uint8_t *img, uint32_t checksum_delta)
{
	uint32_t h[8] = {
		0x1BADB002, 1U << 16, 0,
		0x100000,	/* header_addr */
		0x100000,	/* load_addr */
		0,		/* load_end_addr: the whole file */
		0,		/* bss_end_addr */
		0x100020,	/* entry_addr */
	};

	h[2] = -(h[0] + h[1]) + checksum_delta;
	memset(img, 0x90, 64);
	memcpy(img, h, sizeof(h));
	img[32] = 0xf4;
	return 64;
}

START_TEST(create_multiboot)
{
	uint8_t img[64], got[64];
	struct fake_vm *vm;
	char kernel[64], module[64];
	char *out, *err, prefix[160], modarg[128];
	size_t len;

	len = make_multiboot(img, 0);
	tmp_file(img, len);
	strcpy(kernel, tmp_path);
	tmp_file("module data", 11);
	strcpy(module, tmp_path);
	snprintf(modarg, sizeof(modarg), "%s,initrd root=/", module);

	free(HVCTL(0, "", "create", "mb", "--mem", "4M", "--multiboot",
		   kernel, "--module", modarg, "--module", module,
		   "--cmdline", "console=ttyS0"));
	vm = find_vm("mb");
	guest_read(vm, 0x100000, got, len);
	ck_assert_mem_eq(got, img, len);

	/* A bad checksum: the loader's message, and nothing left. */
	len = make_multiboot(img, 1);
	tmp_file(img, len);
	ck_assert_int_eq(run_hvctl(&out, &err, "create", "mbbad", "--mem",
				   "4M", "--multiboot", tmp_path, NULL), 1);
	snprintf(prefix, sizeof(prefix), "hvctl: create mbbad: %s: ",
		 tmp_path);
	ck_assert_ptr_eq(strstr(err, prefix), err);
	ck_assert_int_eq(count_substr(err, "\n"), 1);
	free(out);
	free(err);
	unlink(tmp_path);
	ck_assert(!find_vm("mbbad")->listed);

	/* A module that is not there. */
	snprintf(prefix, sizeof(prefix), "hvctl: create mbmod: /nonexistent/m:"
		 " No such file or directory\n");
	free(HVCTL(1, prefix, "create", "mbmod", "--mem", "4M",
		   "--multiboot", kernel, "--module", "/nonexistent/m,x"));
	ck_assert(!find_vm("mbmod")->listed);
	unlink(kernel);
	unlink(module);
}
END_TEST

/* A minimal bzImage (boot.rst): 4 setup sectors, 4K of code, protocol
 * 2.15, pref_address 16 MiB, init_size 8 MiB. */
static size_t make_bzimage(uint8_t *k)
{
	size_t off = 5 * 512;

	memset(k, 0, off + 4096);
	k[0x1f1] = 4;
	k[0x1f5] = 1;				/* syssize 256 */
	k[0x1fe] = 0x55;
	k[0x1ff] = 0xaa;
	k[0x201] = 0x6a;
	memcpy(k + 0x202, "HdrS", 4);
	k[0x206] = 0x0f;
	k[0x207] = 0x02;
	memcpy(k + 0x22c, "\xff\xff\xff\x7f", 4);	/* initrd_addr_max */
	k[0x232] = 0x20;			/* kernel_alignment 2M */
	k[0x234] = 1;
	k[0x236] = 0x7f;			/* xloadflags */
	k[0x238] = 0xff;			/* cmdline_size 255 */
	k[0x25b] = 0x01;			/* pref_address 16M */
	k[0x262] = 0x80;			/* init_size 8M */
	memset(k + off, 0xcc, 4096);
	return off + 4096;
}

START_TEST(create_linux)
{
	static uint8_t img[5 * 512 + 4096];
	uint8_t got[8];
	struct fake_vm *vm;
	char kernel[64], initrd[64], *out, *err, want[256];
	size_t len;

	len = make_bzimage(img);
	tmp_file(img, len);
	strcpy(kernel, tmp_path);
	tmp_file("an initramfs", 12);
	strcpy(initrd, tmp_path);

	free(HVCTL(0, "", "create", "lx", "--mem", "32M", "--vcpus", "2",
		   "--kernel", kernel, "--initrd", initrd, "--cmdline",
		   "console=ttyS0"));
	vm = find_vm("lx");
	guest_read(vm, 0x1000000, got, 8);
	ck_assert_mem_eq(got, img + 5 * 512, 8);
	guest_read(vm, 0x7000 + 0x202, got, 4);
	ck_assert_mem_eq(got, "HdrS", 4);
	guest_read(vm, 0x20000, got, 8);
	ck_assert_mem_eq(got, "console=", 8);
	guest_read(vm, 32 * MiB - 4096, got, 8);
	ck_assert_mem_eq(got, "an initr", 8);

	/* Too little RAM for pref_address + init_size: say so. */
	snprintf(want, sizeof(want), "hvctl: create lxsmall: %s: the kernel "
		 "needs RAM to 0x1800000 (pref_address 0x1000000 + init_size "
		 "0x800000); RAM ends at 0x1000000: give more --mem\n", kernel);
	free(HVCTL(1, want, "create", "lxsmall", "--mem", "16M", "--kernel",
		   kernel));
	ck_assert(!find_vm("lxsmall")->listed);

	/* Not a kernel: one line naming the file, nothing left. */
	img[0x202] = 'X';
	tmp_file(img, len);
	ck_assert_int_eq(run_hvctl(&out, &err, "create", "lxbad", "--mem",
				   "32M", "--kernel", tmp_path, NULL), 1);
	snprintf(want, sizeof(want), "hvctl: create lxbad: %s: not a Linux "
		 "bzImage or vmlinux: no \"HdrS\" setup header magic\n",
		 tmp_path);
	ck_assert_str_eq(err, want);
	free(out);
	free(err);
	unlink(tmp_path);
	ck_assert(!find_vm("lxbad")->listed);

	/* An initramfs that is not there. */
	snprintf(want, sizeof(want), "hvctl: create lxnoinit: /nonexistent/i:"
		 " No such file or directory\n");
	free(HVCTL(1, want, "create", "lxnoinit", "--mem", "32M", "--kernel",
		   kernel, "--initrd", "/nonexistent/i"));
	ck_assert(!find_vm("lxnoinit")->listed);

	/* A command line longer than cmdline_size (255). */
	{
		char cl[300];

		memset(cl, 'c', 256);
		cl[256] = '\0';
		ck_assert_int_eq(run_hvctl(&out, &err, "create", "lxcl",
					   "--mem", "32M", "--kernel", kernel,
					   "--cmdline", cl, NULL), 1);
		ck_assert_ptr_nonnull(strstr(err, "command line of 256 bytes: "
					     "the kernel takes at most 255"));
		free(out);
		free(err);
	}
	ck_assert(!find_vm("lxcl")->listed);
	unlink(kernel);
	unlink(initrd);
}
END_TEST

/* ---- the console pump, on a socket pair standing in for the console ---- */

struct pump_io {
	char *out, *err;
	size_t out_len, err_len;
	FILE *saved_out, *saved_err;
	int saved_stdin;
};

/* hvctl_out/err to memory; stdin from @in_fd (-1: /dev/null). */
static void pump_begin(struct pump_io *io, int in_fd)
{
	io->saved_out = hvctl_out;
	io->saved_err = hvctl_err;
	hvctl_out = open_memstream(&io->out, &io->out_len);
	hvctl_err = open_memstream(&io->err, &io->err_len);
	io->saved_stdin = dup(STDIN_FILENO);
	if (in_fd < 0)
		in_fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(in_fd, 0);
	dup2(in_fd, STDIN_FILENO);
	close(in_fd);
}

static void pump_end(struct pump_io *io)
{
	fclose(hvctl_out);
	fclose(hvctl_err);
	hvctl_out = io->saved_out;
	hvctl_err = io->saved_err;
	dup2(io->saved_stdin, STDIN_FILENO);
	close(io->saved_stdin);
}

START_TEST(console_pump)
{
	enum hvctl_console_end end;
	struct hv_vm *vm, *vm2;
	struct sigaction sa, before;
	struct pump_io io;
	struct hv *hv;
	char buf[16];
	int sv[2], in[2], sig;
	pid_t child;

	ck_assert_int_eq(hv_open(&hv), 0);
	ck_assert_int_eq(hv_vm_create(hv, "con", 0, &vm), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
				    sv), 0);

	/* Not following: what is there, then done. */
	ck_assert_int_eq(write(sv[1], "hello", 5), 5);
	pump_begin(&io, -1);
	ck_assert_int_eq(hvctl_console_pump(vm, sv[0], false, &end, &sig), 0);
	pump_end(&io);
	ck_assert_int_eq(end, HVCTL_CONSOLE_DRAINED);
	ck_assert_str_eq(io.out, "hello");
	ck_assert_str_eq(io.err, "");
	free(io.out);
	free(io.err);

	/*
	 * Following a VM that is not running yet: stdin reaches the UART
	 * (EOF on stdin does not end it); a SIGTERM ends it cleanly.
	 */
	ck_assert_int_eq(sigaction(SIGTERM, NULL, &before), 0);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(write(in[1], "abc", 3), 3);
	close(in[1]);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (!child) {
		usleep(300000);
		kill(getppid(), SIGTERM);
		_exit(0);
	}
	pump_begin(&io, in[0]);
	ck_assert_int_eq(hvctl_console_pump(vm, sv[0], true, &end, &sig), 0);
	pump_end(&io);
	waitpid(child, NULL, 0);
	ck_assert_int_eq(end, HVCTL_CONSOLE_SIGNAL);
	ck_assert_int_eq(sig, SIGTERM);
	ck_assert_int_eq(read(sv[1], buf, sizeof(buf)), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	free(io.out);
	free(io.err);
	/* The handlers are put back. */
	ck_assert_int_eq(sigaction(SIGTERM, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, before.sa_handler);

	/* Following a VM that is gone: the rest of the output, then done. */
	ck_assert_int_eq(hv_vm_open(hv, "con", &vm2), 0);
	ck_assert_int_eq(hv_vm_destroy(vm), 0);
	ck_assert_int_eq(write(sv[1], "bye\n", 4), 4);
	pump_begin(&io, -1);
	ck_assert_int_eq(hvctl_console_pump(vm2, sv[0], true, &end, &sig), 0);
	pump_end(&io);
	ck_assert_int_eq(end, HVCTL_CONSOLE_STOPPED);
	ck_assert_str_eq(io.out, "bye\n");
	free(io.out);
	free(io.err);

	hv_vm_close(vm2);
	hv_close(hv);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* ENOMEM: hvctl asks HV_GET_USAGE which limit was hit, and says so. */
START_TEST(create_nomem)
{
	char want[256];
	struct fake_vm *vm;
	char *out;

	fake_hv.has_usage = true;
	fake_hv.usage = (struct hv_usage){
		.uid = 1000, .mem_used = 500 * MiB, .mem_max = 512 * MiB,
		.vms = 3, .vms_max = 64, .host_available = 900 * MiB,
		.host_reserve = 64 * MiB,
	};
	fake_add_ram_err = ENOMEM;
	free(HVCTL(1, "hvctl: create web: guest RAM over uid 1000's limit "
		   "(512 MiB, hv.user_mem_max)\n", "create", "web", "--mem",
		   "16M"));
	vm = find_vm("web");
	ck_assert_ptr_nonnull(vm);
	ck_assert(!vm->listed);		/* destroyed again */
	fake_hv.usage.mem_used = 0;
	fake_hv.usage.host_available = 100 * MiB;
	free(HVCTL(1, "hvctl: create web: guest RAM would eat into the "
		   "host's reserve (64 MiB, hv.mem_reserve)\n", "create",
		   "web", "--mem", "64M"));
	fake_hv.usage.host_available = 900 * MiB;
	/* root: no per-user limit; nothing the module counts was hit */
	fake_hv.usage.flags = HV_USAGE_EXEMPT;
	fake_hv.usage.mem_used = 600 * MiB;
	free(HVCTL(1, "hvctl: create web: out of memory (the memory cgroup's "
		   "memory.max, or the host's memory)\n", "create", "web",
		   "--mem", "16M"));
	/* a module without HV_GET_USAGE: the plain error */
	fake_hv.has_usage = false;
	snprintf(want, sizeof(want), "hvctl: create web: cannot add 16M of "
		 "RAM: %s\n", hv_strerror(-ENOMEM));
	free(HVCTL(1, want, "create", "web", "--mem", "16M"));

	fake_hv.has_usage = true;
	fake_add_ram_err = 0;
	fake_create_err = ENOMEM;
	fake_hv.usage.flags = 0;
	fake_hv.usage.vms = 64;
	free(HVCTL(1, "hvctl: create web: uid 1000 already holds 64 VMs "
		   "(hv.user_vms_max)\n", "create", "web", "--mem", "1M"));
	fake_create_err = 0;

	/* hvctl info shows the caller's usage */
	fake_hv.version = HV_API_VERSION;
	fake_amd_caps(&fake_hv.caps, &fake_hv.status);
	fake_hv.usage.mem_used = 2 * MiB;
	fake_hv.usage.vms = 2;
	out = HVCTL(0, "", "info");
	ck_assert_ptr_nonnull(strstr(out, "guest usage:      uid 1000: 2 MiB "
				     "of 512 MiB, 2 of 64 VMs\n"
				     "host memory:      900 MiB available, "
				     "64 MiB kept back (hv.mem_reserve)\n"));
	free(out);
}
END_TEST

Suite *cli_create_suite(void)
{
	Suite *s = suite_create("cli_create");
	TCase *tc = tcase_create("fake");

	tcase_add_checked_fixture(tc, fake_hv_setup, fake_hv_teardown);
	tcase_add_test(tc, create_list_destroy);
	tcase_add_test(tc, create_nomem);
	tcase_add_test(tc, create_flat);
	tcase_add_test(tc, create_elf);
	tcase_add_test(tc, create_multiboot);
	tcase_add_test(tc, create_linux);
	tcase_add_test(tc, console_pump);
	suite_add_tcase(s, tc);
	return s;
}
