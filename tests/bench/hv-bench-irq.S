/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest of hv-bench's interrupt measures (tests/bench/hv-bench.c has
 * it as bytes: irq_*[]).  32-bit protected mode, flat, no paging; the
 * fragments sit at fixed offsets from IRQ_CODE, the IDT points at the
 * handlers.  x2APIC (MSRs 0x800-0x8ff): both hv and KVM's in-kernel
 * LAPIC have it, and it needs no MMIO decoding.
 *
 * Every other vector has a stub of its own that hv-bench writes (OUT of
 * the vector number to port 0x82).
 *
 * Check after a change:
 *   as --32 -o irq.o hv-bench-irq.S && objcopy -O binary -j .text irq.o irq.bin
 *   objdump -D -b binary -m i386 irq.bin
 */
	.code32
	.set REPLIES, 0x5000
	.set READY1, 0x5004
	.set SHADOWED, 0x5008	/* replies taken between STI and HLT */
	.set BSP_HLT, 0x1231	/* IRQ_CODE + the HLT below (bsp_hlt);
				 * hv-bench checks it is one */
	.macro apic_on
	mov $0x1b, %ecx		/* IA32_APIC_BASE: EN | EXTD (x2APIC) */
	rdmsr
	or $0xc00, %eax
	wrmsr
	mov $0x80f, %ecx	/* SVR: software enable, spurious 0xff */
	mov $0x1ff, %eax
	xor %edx, %edx
	wrmsr
	.endm
	.macro eoi
	mov $0x80b, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	.endm

	.org 0x000		/* timer, vCPU 0 */
	apic_on
	mov $0x83e, %ecx	/* TDCR: divide by 1 */
	mov $0xb, %eax
	wrmsr
	mov $0x832, %ecx	/* LVT timer: one-shot, vector 0x40 */
	mov $0x40, %eax
	wrmsr
	mov $0x838, %ecx	/* TICR = 1: fire */
	mov $1, %eax
	wrmsr
	sti			/* spin: every exit is the timer's own */
1:	test %esi, %esi
	jnz 1b
	cli
	out %al, $0x80
2:	hlt
	jmp 2b

	.org 0x100		/* vector 0x40: timer */
	push %eax
	push %ecx
	push %edx
	xor %edx, %edx
	dec %esi
	jz 1f
	mov $0x838, %ecx	/* re-arm */
	mov $1, %eax
	wrmsr
1:	eoi
	pop %edx
	pop %ecx
	pop %eax
	iret

	.org 0x200		/* IPI, vCPU 0 */
	apic_on
	xor %edi, %edi
1:	inc %edi
	mov $0x830, %ecx	/* ICR: fixed 0x41 to APIC ID 1 */
	mov $0x4041, %eax
	mov $1, %edx
	wrmsr
2:	sti
bsp_hlt:
	hlt
	cli
	cmp %edi, REPLIES
	jne 2b
	dec %esi
	jnz 1b
	mov $0x830, %ecx	/* ICR: fixed 0x43 to APIC ID 1: stop */
	mov $0x4043, %eax
	mov $1, %edx
	wrmsr
	out %al, $0x80
3:	hlt
	jmp 3b

	.org 0x300		/* IPI, vCPU 1 */
	apic_on
	movl $1, READY1
1:	sti
	hlt
	jmp 1b

	.org 0x400		/* vector 0x41 on vCPU 1: EOI, reply */
	push %eax
	push %ecx
	push %edx
	eoi
	mov $0x830, %ecx	/* ICR: fixed 0x42 to APIC ID 0 */
	mov $0x4042, %eax
	xor %edx, %edx
	wrmsr
	pop %edx
	pop %ecx
	pop %eax
	iret

	.org 0x500		/* vector 0x42 on vCPU 0: count the reply */
	push %eax
	push %ecx
	push %edx
	incl REPLIES
	/*
	 * The STI shadow holds off interrupts until after the HLT (SDM Vol
	 * 3A, 6.8.3): a reply must never return to that HLT, or vCPU 0
	 * sleeps for good.  A hypervisor (or emulator) that delivers it
	 * inside the shadow is counted, and the HLT skipped.
	 */
	cmpl $BSP_HLT, 12(%esp)
	jne 1f
	incl 12(%esp)
	incl SHADOWED
1:	eoi
	pop %edx
	pop %ecx
	pop %eax
	iret

	.org 0x600		/* vector 0x43 on vCPU 1: stop */
	eoi
	out %al, $0x81
1:	cli
	hlt
	jmp 1b

	.org 0x780		/* spurious 0xff */
	iret
	.org 0x800
