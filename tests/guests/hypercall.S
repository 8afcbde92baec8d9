# SPDX-License-Identifier: GPL-2.0
#
# hypercall: PING (answered in the kernel: PONG, no exit), an unknown
# kernel number (HV_HC_ENOSYS, no exit), PING with VMCALL and with VMMCALL
# (both instructions work on both vendors), a user hypercall with four
# arguments (exits; the host's ret must land in RAX and the argument
# registers must survive), and a last one reporting what the guest saw:
# RBX = PING's answer, RCX = the unknown's, RDX = the user one's, RSI =
# how many argument registers changed.
	.include "guest.inc"
	.globl	_start
_start:
	ENTRY64
	mov	$HC_PING, %eax
	call	hypercall
	mov	%rax, %r8
	mov	$HC_UNKNOWN, %eax
	call	hypercall
	mov	%rax, %r9
	mov	%r8d, %eax
	out	%eax, $PORT_RESULT		# the first exit: PING's answer
	# Both instructions work on both vendors (hv turns the other
	# vendor's #UD into a hypercall): PING with each, explicitly.
	mov	$HC_PING, %eax
	vmcall
	out	%eax, $PORT_RESULT
	mov	$HC_PING, %eax
	vmmcall
	out	%eax, $PORT_RESULT

	mov	$0x1111111111111111, %rbx
	mov	$0x2222222222222222, %rcx
	mov	$0x3333333333333333, %rdx
	mov	$0x4444444444444444, %rsi
	mov	$HC_ARGS, %eax
	call	hypercall
	mov	%rax, %r10

	xor	%r11d, %r11d
	mov	$0x1111111111111111, %rax
	cmp	%rax, %rbx
	je	1f
	inc	%r11
1:	mov	$0x2222222222222222, %rax
	cmp	%rax, %rcx
	je	1f
	inc	%r11
1:	mov	$0x3333333333333333, %rax
	cmp	%rax, %rdx
	je	1f
	inc	%r11
1:	mov	$0x4444444444444444, %rax
	cmp	%rax, %rsi
	je	1f
	inc	%r11
1:	mov	%r8, %rbx
	mov	%r9, %rcx
	mov	%r10, %rdx
	mov	%r11, %rsi
	mov	$HC_REPORT, %eax
	call	hypercall
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
