# SPDX-License-Identifier: GPL-2.0
#
# virtinsn: every VMX and SVM instruction but the hypercall ones (VMCALL,
# VMMCALL) must raise #UD in the guest, on both vendors: the guest sees no
# VMX or SVM.  For each: report RES_MARK + i, run it with R13 pointing
# after it; the IDT's handler reports 6 and resumes there.  No fault
# reports RES_NOFAULT + i.  Memory operands point at SPARE_PAGE.
	.include "guest.inc"
	.globl	_start

.macro EXPECT_UD idx, insn:vararg
	push	%rax				# REPORT clobbers it; VMLOAD and
	REPORT	$(RES_MARK + \idx)		# VMSAVE need it 4 KiB-aligned,
	pop	%rax				# or they #GP before intercept
	lea	.Lresume\@(%rip), %r13
	\insn
	REPORT	$(RES_NOFAULT + \idx)
.Lresume\@:
.endm

_start:
	ENTRY64
	call	idt_setup
	mov	$SPARE_PAGE, %ebx
	mov	%rbx, %rax
	xor	%ecx, %ecx
	# AMD-V (APM Vol 3): VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA
	EXPECT_UD 0, vmrun
	EXPECT_UD 1, vmload
	EXPECT_UD 2, vmsave
	EXPECT_UD 3, stgi
	EXPECT_UD 4, clgi
	EXPECT_UD 5, skinit
	EXPECT_UD 6, invlpga
	# VT-x (SDM Vol 3C, Chapter 31)
	mov	$SPARE_PAGE, %ebx
	mov	%rbx, %rax
	EXPECT_UD 7, vmxon (%rbx)
	EXPECT_UD 8, vmptrld (%rbx)
	EXPECT_UD 9, vmclear (%rbx)
	EXPECT_UD 10, vmptrst (%rbx)
	EXPECT_UD 11, vmread %rax, %rcx
	EXPECT_UD 12, vmwrite %rcx, %rax
	EXPECT_UD 13, vmlaunch
	EXPECT_UD 14, vmresume
	EXPECT_UD 15, vmxoff
	EXPECT_UD 16, invept (%rbx), %rax
	EXPECT_UD 17, invvpid (%rbx), %rax
	xor	%eax, %eax
	EXPECT_UD 18, vmfunc
	EXPECT_UD 19, getsec
	REPORT	$RES_DONE
	hlt
	.include "lib64.inc"
