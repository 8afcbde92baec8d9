// SPDX-License-Identifier: GPL-2.0
/*
 * Embed a VM with libhv: create it, load a tiny real-mode guest from a
 * byte array, run its vCPU in this thread (attached mode), print what the
 * guest writes to port 0xe9, destroy the VM.
 *
 *   make examples && examples/embed
 *   cc embed.c $(pkg-config --cflags --libs libhv)   # once installed
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <libhv.h>

#define GUEST_GPA	0x1000		/* where the guest runs: 0000:1000 */
#define PORT_TEXT	0xe9		/* the guest's "printer" */

/* Real mode: print the string at 0x100d on port 0xe9, then hlt. */
static const unsigned char guest[] = {
	0xbe, 0x0d, 0x10,	/*      mov  $0x100d, %si */
	0xac,			/* 1:   lodsb             */
	0x84, 0xc0,		/*      test %al, %al     */
	0x74, 0x04,		/*      jz   2f           */
	0xe6, PORT_TEXT,	/*      out  %al, $0xe9   */
	0xeb, 0xf7,		/*      jmp  1b           */
	0xf4,			/* 2:   hlt               */
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'a', ' ',
	'g', 'u', 'e', 's', 't', '!', '\n', 0,
};

static int die(const char *what, int err)
{
	fprintf(stderr, "embed: %s: %s\n", what, hv_strerror(err));
	return EXIT_FAILURE;
}

int main(void)
{
	struct hv_vcpu *vcpu = NULL;
	struct hv_vm *vm;
	struct hv_run *run;
	struct hv *hv;
	int err, ret = EXIT_FAILURE;

	if ((err = hv_open(&hv)))
		return die("cannot open " HV_DEVICE_PATH, err);
	/* Gone with our last fd, whatever happens to this process. */
	if ((err = hv_vm_create(hv, "embed-example", HV_VM_DESTROY_ON_CLOSE,
				&vm))) {
		hv_close(hv);
		return die("cannot create the VM", err);
	}
	if ((err = hv_vm_add_ram(vm, 0, 64 << 10)) ||
	    (err = hv_load_flat_mem(vm, guest, sizeof(guest), GUEST_GPA))) {
		die("cannot set up guest RAM", err);
		goto out;
	}
	if ((err = hv_vcpu_create(vm, 0, &vcpu)) ||
	    (err = hv_vcpu_setup_mode(vcpu, NULL, HV_MODE_REAL, GUEST_GPA,
				      GUEST_GPA, HV_MODE_NO_SCRATCH))) {
		die("cannot set up the vCPU", err);
		goto out;
	}

	run = hv_vcpu_run_area(vcpu);
	for (;;) {
		err = hv_vcpu_run(vcpu);
		if (err == -EINTR)
			continue;
		if (err) {
			die("run", err);
			break;
		}
		if (run->exit_reason == HV_EXIT_IO &&
		    run->io.direction == HV_IO_OUT && run->io.port == PORT_TEXT) {
			putchar((int)(run->io.data & 0xff));
			continue;
		}
		if (run->exit_reason == HV_EXIT_HLT)
			ret = EXIT_SUCCESS;
		else
			fprintf(stderr, "embed: unexpected exit %u\n",
				run->exit_reason);
		break;
	}
out:
	hv_vcpu_close(vcpu);
	hv_vm_destroy(vm);
	hv_close(hv);
	return ret;
}
