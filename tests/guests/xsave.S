# SPDX-License-Identifier: GPL-2.0
#
# xsave: for hv-xsave-test.  Tries everything XSAVE gives a guest and
# reports what happened on PORT_RESULT; a fault is reported by the IDT
# stub (its vector) and the step is skipped (R13: lib64.inc).  Steps, each
# after REPORT MARK+n:
#   1  CPUID.1:ECX: 0x10000 | XSAVE (bit 0) | OSXSAVE (bit 1)
#   2  MOV CR4 |= OSXSAVE (18)            (#GP when XSAVE is hidden)
#   3  CPUID.1:ECX again, as step 1
#   4  XGETBV(0): EAX, EDX                 (#UD without CR4.OSXSAVE)
#   5  XSETBV(0, 0xe7)   AVX-512: not offered, #GP
#   6  XSETBV(0, 2)      bit 0 clear, #GP
#   7  XSETBV(0, 5)      AVX without SSE, #GP
#   8  XSETBV(1, 3)      ECX 1, #GP
#   9  XSETBV(0, 7)      x87 | SSE | AVX: fine
#  10  XGETBV(0): EAX, EDX
#  11  CPUID.(0Dh,0): EAX, EBX, ECX, EDX; CPUID.(0Dh,2): EAX, EBX
#  12  (RSI bit 32) store YMM0-15 at TABLE_OUT + 0x400 before writing
#  13  load YMM0-15 with a pattern made from RSI[31:0] (the seed):
#      qword j of YMMi = seed << 32 | i << 8 | j
# then HLT (the host looks, takes the state, runs other VMs).  After it:
#  14  store YMM0-15 at TABLE_OUT, XGETBV(0) at TABLE_OUT + 512
# then REPORT RES_DONE and HLT.  A fault in 12-14 (no AVX) skips the
# rest of that step.
	.include "guest.inc"
	.set	CR4_OSXSAVE, 1 << 18
	.globl	_start
_start:
	ENTRY64
	mov	%rsi, %r15		# the argument, kept for later
	call	idt_setup
	mov	%cr4, %rax		# SSE needs OSFXSR (and OSXMMEXCPT)
	or	$0x600, %rax
	mov	%rax, %cr4

	REPORT	$RES_MARK + 1
	call	cpuid1

	REPORT	$RES_MARK + 2
	lea	1f(%rip), %r13
	mov	%cr4, %rax
	or	$CR4_OSXSAVE, %rax
	mov	%rax, %cr4
	xor	%r13d, %r13d
1:
	REPORT	$RES_MARK + 3
	call	cpuid1

	REPORT	$RES_MARK + 4
	call	getbv

	REPORT	$RES_MARK + 5
	mov	$0xe7, %eax
	xor	%ecx, %ecx
	call	setbv
	REPORT	$RES_MARK + 6
	mov	$2, %eax
	xor	%ecx, %ecx
	call	setbv
	REPORT	$RES_MARK + 7
	mov	$5, %eax
	xor	%ecx, %ecx
	call	setbv
	REPORT	$RES_MARK + 8
	mov	$3, %eax
	mov	$1, %ecx
	call	setbv
	REPORT	$RES_MARK + 9
	mov	$7, %eax
	xor	%ecx, %ecx
	call	setbv

	REPORT	$RES_MARK + 10
	call	getbv

	REPORT	$RES_MARK + 11
	mov	$0xd, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%ebx, %r8d
	mov	%ecx, %r9d
	mov	%edx, %r10d
	out	%eax, $PORT_RESULT
	REPORT	%r8d
	REPORT	%r9d
	REPORT	%r10d
	mov	$0xd, %eax
	mov	$2, %ecx
	cpuid
	mov	%ebx, %r8d
	out	%eax, $PORT_RESULT
	REPORT	%r8d

	REPORT	$RES_MARK + 12
	bt	$32, %r15
	jnc	2f
	mov	$TABLE_OUT + 0x400, %edi
	lea	2f(%rip), %r13
	call	ymm_store
	xor	%r13d, %r13d
2:
	REPORT	$RES_MARK + 13
	lea	pattern(%rip), %rdi	# 16 x 32 bytes from the seed
	xor	%ecx, %ecx		# i
3:	xor	%edx, %edx		# j
4:	mov	%r15, %rax
	shl	$32, %rax
	mov	%ecx, %r8d
	shl	$8, %r8d
	or	%r8, %rax
	or	%rdx, %rax
	mov	%rax, (%rdi)
	add	$8, %rdi
	inc	%edx
	cmp	$4, %edx
	jne	4b
	inc	%ecx
	cmp	$16, %ecx
	jne	3b
	lea	5f(%rip), %r13
	lea	pattern(%rip), %rdi
	call	ymm_load
	xor	%r13d, %r13d
5:
	hlt				# the host looks here

	REPORT	$RES_MARK + 14
	lea	6f(%rip), %r13
	mov	$TABLE_OUT, %edi
	call	ymm_store
	xor	%ecx, %ecx
	xgetbv
	mov	%eax, TABLE_OUT + 512
	mov	%edx, TABLE_OUT + 516
	xor	%r13d, %r13d
6:
	REPORT	$RES_DONE
7:	hlt
	jmp	7b

# CPUID.1:ECX bits 26 (XSAVE) and 27 (OSXSAVE) as 0x10000 | bits
cpuid1:
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	shr	$26, %ecx
	and	$3, %ecx
	or	$0x10000, %ecx
	REPORT	%ecx
	ret

# XGETBV(0): report EAX and EDX; a fault skips both
getbv:
	lea	1f(%rip), %r13
	xor	%ecx, %ecx
	xgetbv
	xor	%r13d, %r13d
	mov	%edx, %r8d
	out	%eax, $PORT_RESULT
	REPORT	%r8d
1:	ret

# XSETBV(ECX, EAX): a fault is reported by its stub, nothing else
setbv:
	lea	1f(%rip), %r13
	xor	%edx, %edx
	xsetbv
	xor	%r13d, %r13d
1:	ret

ymm_load:
	vmovdqu	0x000(%rdi), %ymm0
	vmovdqu	0x020(%rdi), %ymm1
	vmovdqu	0x040(%rdi), %ymm2
	vmovdqu	0x060(%rdi), %ymm3
	vmovdqu	0x080(%rdi), %ymm4
	vmovdqu	0x0a0(%rdi), %ymm5
	vmovdqu	0x0c0(%rdi), %ymm6
	vmovdqu	0x0e0(%rdi), %ymm7
	vmovdqu	0x100(%rdi), %ymm8
	vmovdqu	0x120(%rdi), %ymm9
	vmovdqu	0x140(%rdi), %ymm10
	vmovdqu	0x160(%rdi), %ymm11
	vmovdqu	0x180(%rdi), %ymm12
	vmovdqu	0x1a0(%rdi), %ymm13
	vmovdqu	0x1c0(%rdi), %ymm14
	vmovdqu	0x1e0(%rdi), %ymm15
	ret

ymm_store:
	vmovdqu	%ymm0, 0x000(%rdi)
	vmovdqu	%ymm1, 0x020(%rdi)
	vmovdqu	%ymm2, 0x040(%rdi)
	vmovdqu	%ymm3, 0x060(%rdi)
	vmovdqu	%ymm4, 0x080(%rdi)
	vmovdqu	%ymm5, 0x0a0(%rdi)
	vmovdqu	%ymm6, 0x0c0(%rdi)
	vmovdqu	%ymm7, 0x0e0(%rdi)
	vmovdqu	%ymm8, 0x100(%rdi)
	vmovdqu	%ymm9, 0x120(%rdi)
	vmovdqu	%ymm10, 0x140(%rdi)
	vmovdqu	%ymm11, 0x160(%rdi)
	vmovdqu	%ymm12, 0x180(%rdi)
	vmovdqu	%ymm13, 0x1a0(%rdi)
	vmovdqu	%ymm14, 0x1c0(%rdi)
	vmovdqu	%ymm15, 0x1e0(%rdi)
	ret

	.include "lib64.inc"
	.balign	32
pattern:
	.fill	512, 1, 0
