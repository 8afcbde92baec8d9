# SPDX-License-Identifier: GPL-2.0
#
# mbkernel: a small Multiboot (v1) kernel for the managed-mode tests
# (tests/vm/cases-managed.sh, built by tests/guests/mb.mk).
#
# The loader (hvctl --multiboot) enters it in 32-bit protected mode with
# EAX = 0x2BADB002 and EBX = the Multiboot information structure
# (Multiboot Specification 0.6.96, section 3.2 and 3.3).  It prints on the
# 16550A UART at 0x3f8, one line each:
#
#   mbkernel: hello
#   cmdline: <the command line>            "(none)" without flag bit 2
#   module: <module 0 up to its first newline, at most 60 bytes>
#   modstring: <module 0's string>          "(none)" without flag bit 3
#   mods_count=<n>
#   mem_lower=<KiB> mem_upper=<KiB>         "(none)" without flag bit 0
#   mbkernel: exit <n>
#
# and leaves through the debug-exit port 0xf4 with the n of an "exit=N"
# token of its command line (0 if there is none), so the VM stops with
# exit status (n << 1) | 1.  Refusals, each with a "mbkernel: ..." line:
#   bad EAX magic                 exit 100  (status 201)
#   module 0 not page aligned     exit 101  (status 203; header flag bit 0
#                                 asks the loader to page-align modules)
# A "loop" token makes it print "mbkernel: tick N" lines forever instead of
# exiting (pause/resume tests).
#
# Built twice (GNU as, no preprocessor): mbkernel.elf, an ELF32 executable
# loaded at 1 MiB; and with --defsym AOUT_KLUDGE=1, mbkernel-aout.bin, a raw image linked at 2 MiB whose
# header carries the load addresses (flag bit 16, the "a.out kludge"), so
# only a loader that honours those fields can place it.

	.set MB_MAGIC,		0x1BADB002
	.set MB_BOOT_MAGIC,	0x2BADB002
	.set MB_PAGE_ALIGN,	1 << 0
	.set MB_MEMORY_INFO,	1 << 1
	.set MB_AOUT_KLUDGE,	1 << 16
	.ifdef AOUT_KLUDGE
	.set MB_FLAGS,		MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_AOUT_KLUDGE
	.else
	.set MB_FLAGS,		MB_PAGE_ALIGN | MB_MEMORY_INFO
	.endif

	# The information structure (spec 3.3)
	.set MBI_FLAGS,		0
	.set MBI_MEM_LOWER,	4
	.set MBI_MEM_UPPER,	8
	.set MBI_CMDLINE,	16
	.set MBI_MODS_COUNT,	20
	.set MBI_MODS_ADDR,	24
	.set MBI_F_MEM,		1 << 0
	.set MBI_F_CMDLINE,	1 << 2
	.set MBI_F_MODS,	1 << 3
	# A module entry
	.set MOD_START,		0
	.set MOD_END,		4
	.set MOD_STRING,	8

	.set UART_THR,		0x3f8
	.set UART_LSR,		0x3fd
	.set UART_LSR_THRE,	1 << 5
	.set PORT_DEBUG_EXIT,	0xf4

	.set EXIT_BAD_MAGIC,	100
	.set EXIT_MOD_ALIGN,	101
	.set MODULE_SHOW_MAX,	60
	.set TICK_DELAY,	2000000		# loop iterations between ticks

	.section .note.GNU-stack, "", @progbits

	# The header: in the first 8 KiB of the image, 4-byte aligned.
	.section .multiboot, "a"
	.balign	4
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.ifdef AOUT_KLUDGE
	.long	mb_header		# header_addr
	.long	__image_start		# load_addr
	.long	__load_end		# load_end_addr
	.long	__bss_end		# bss_end_addr
	.long	_start			# entry_addr
	.endif

	.text
	.code32
	.globl	_start
_start:
	cli
	mov	$stack_top, %esp
	mov	%eax, %esi			# the boot magic
	mov	%ebx, mbi			# the information structure
	# Flags are as the loader left them; make DF known.
	cld
	# The bss must be zero: a loader that does not clear it shows here.
	cmpl	$0, bss_canary
	je	1f
	mov	$msg_bss, %eax
	call	puts
1:
	mov	$msg_hello, %eax
	call	puts

	cmp	$MB_BOOT_MAGIC, %esi
	je	1f
	mov	$msg_magic, %eax
	call	puts
	mov	%esi, %eax
	call	put_hex
	call	newline
	mov	$EXIT_BAD_MAGIC, %eax
	jmp	debug_exit
1:
	mov	mbi, %ebx

	# cmdline: ...
	mov	$msg_cmdline, %eax
	call	puts
	xor	%eax, %eax
	testl	$MBI_F_CMDLINE, MBI_FLAGS(%ebx)
	jz	1f
	mov	MBI_CMDLINE(%ebx), %eax
1:	mov	%eax, cmdline
	test	%eax, %eax
	jnz	1f
	mov	$msg_none, %eax
1:	call	puts
	call	newline

	# module: ... / modstring: ... / mods_count=N
	xor	%ecx, %ecx			# mods_count
	xor	%edi, %edi			# module 0's entry, if any
	testl	$MBI_F_MODS, MBI_FLAGS(%ebx)
	jz	1f
	mov	MBI_MODS_COUNT(%ebx), %ecx
	test	%ecx, %ecx
	jz	1f
	mov	MBI_MODS_ADDR(%ebx), %edi
1:	mov	%ecx, mods_count
	mov	$msg_module, %eax
	call	puts
	test	%edi, %edi
	jnz	1f
	mov	$msg_none, %eax
	call	puts
	jmp	2f
1:	mov	MOD_START(%edi), %esi
	mov	MOD_END(%edi), %edx
	mov	$MODULE_SHOW_MAX, %ecx
3:	cmp	%edx, %esi			# the module's end
	jae	2f
	movzbl	(%esi), %eax
	cmp	$'\n', %al
	je	2f
	test	%al, %al
	jz	2f
	call	putc
	inc	%esi
	loop	3b
2:	call	newline

	mov	$msg_modstring, %eax
	call	puts
	mov	$msg_none, %eax
	test	%edi, %edi
	jz	1f
	mov	MOD_STRING(%edi), %edx
	test	%edx, %edx
	jz	1f
	mov	%edx, %eax
1:	call	puts
	call	newline

	mov	$msg_mods_count, %eax
	call	puts
	mov	mods_count, %eax
	call	put_dec
	call	newline

	# mem_lower=N mem_upper=N
	mov	mbi, %ebx
	testl	$MBI_F_MEM, MBI_FLAGS(%ebx)
	jnz	1f
	mov	$msg_nomem, %eax
	call	puts
	jmp	2f
1:	mov	$msg_mem_lower, %eax
	call	puts
	mov	MBI_MEM_LOWER(%ebx), %eax
	call	put_dec
	mov	$msg_mem_upper, %eax
	call	puts
	mov	MBI_MEM_UPPER(%ebx), %eax
	call	put_dec
	call	newline
2:
	# Flag bit 0 of our header: modules must start on a page boundary.
	test	%edi, %edi
	jz	1f
	testl	$0xfff, MOD_START(%edi)
	jz	1f
	mov	$msg_align, %eax
	call	puts
	mov	MOD_START(%edi), %eax
	call	put_hex
	call	newline
	mov	$EXIT_MOD_ALIGN, %eax
	jmp	debug_exit
1:
	# "loop": print ticks forever
	mov	$word_loop, %eax
	call	find_token
	test	%eax, %eax
	jnz	ticker

	# "exit=N"
	mov	$word_exit, %eax
	call	find_token
	test	%eax, %eax
	jz	1f
	call	parse_dec
1:	push	%eax
	mov	$msg_exit, %eax
	call	puts
	mov	(%esp), %eax
	call	put_dec
	call	newline
	pop	%eax
debug_exit:
	out	%al, $PORT_DEBUG_EXIT
	# Not reached: the VM has stopped.  If it did not, halt (which also
	# stops a managed VM, as "halted").
2:	hlt
	jmp	2b

ticker:
	xor	%ebx, %ebx
1:	mov	$msg_tick, %eax
	call	puts
	mov	%ebx, %eax
	call	put_dec
	call	newline
	inc	%ebx
	mov	$TICK_DELAY, %ecx
2:	dec	%ecx
	jnz	2b
	jmp	1b

# find_token: EAX = a word ending in '=' or a whole word (NUL-terminated);
# returns in EAX where the value after it starts in the command line
# (past the '=' for "exit="), or 0 if no token of the command line starts
# with it.  A token starts at the line's start or after a space.  A word
# without '=' must be followed by a space or the end.
find_token:
	push	%esi
	push	%edi
	push	%ebx
	mov	%eax, %ebx
	mov	cmdline, %esi
	test	%esi, %esi
	jz	5f
	mov	$' ', %dl			# the character before the line
1:	cmpb	$0, (%esi)
	je	5f
	cmp	$' ', %dl
	jne	4f
	# compare the word with the text at ESI
	mov	%ebx, %edi
	mov	%esi, %ecx
2:	movb	(%edi), %al
	test	%al, %al
	jz	3f				# the word matched
	cmp	(%ecx), %al
	jne	4f
	inc	%edi
	inc	%ecx
	jmp	2b
3:	cmpb	$'=', -1(%edi)
	je	6f				# "key=": value follows
	movb	(%ecx), %al			# a whole word: must end here
	test	%al, %al
	jz	6f
	cmp	$' ', %al
	je	6f
4:	movb	(%esi), %dl
	inc	%esi
	jmp	1b
5:	xor	%ecx, %ecx
6:	mov	%ecx, %eax
	pop	%ebx
	pop	%edi
	pop	%esi
	ret

# parse_dec: EAX = a string; returns its leading decimal number in EAX.
parse_dec:
	push	%esi
	mov	%eax, %esi
	xor	%eax, %eax
1:	movzbl	(%esi), %edx
	sub	$'0', %edx
	cmp	$9, %edx
	ja	2f
	imul	$10, %eax, %eax
	add	%edx, %eax
	inc	%esi
	jmp	1b
2:	pop	%esi
	ret

# putc: the byte in AL on the UART, once its transmitter is empty.
putc:
	push	%eax
	push	%edx
	mov	%al, %ah
	mov	$UART_LSR, %dx
1:	inb	%dx, %al
	test	$UART_LSR_THRE, %al
	jz	1b
	mov	%ah, %al
	mov	$UART_THR, %dx
	outb	%al, %dx
	pop	%edx
	pop	%eax
	ret

newline:
	push	%eax
	mov	$'\n', %al
	call	putc
	pop	%eax
	ret

# puts: the NUL-terminated string at EAX.
puts:
	push	%esi
	push	%eax
	mov	%eax, %esi
1:	lodsb
	test	%al, %al
	jz	2f
	call	putc
	jmp	1b
2:	pop	%eax
	pop	%esi
	ret

# put_dec: EAX in decimal.
put_dec:
	push	%eax
	push	%ecx
	push	%edx
	push	%ebx
	mov	$10, %ebx
	xor	%ecx, %ecx
1:	xor	%edx, %edx
	div	%ebx
	push	%edx
	inc	%ecx
	test	%eax, %eax
	jnz	1b
2:	pop	%eax
	add	$'0', %al
	call	putc
	loop	2b
	pop	%ebx
	pop	%edx
	pop	%ecx
	pop	%eax
	ret

# put_hex: EAX as 0x followed by 8 hex digits.
put_hex:
	push	%eax
	push	%ecx
	push	%edx
	mov	%eax, %edx
	mov	$'0', %al
	call	putc
	mov	$'x', %al
	call	putc
	mov	$8, %ecx
1:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$('a' - '0' - 10), %al
2:	call	putc
	loop	1b
	pop	%edx
	pop	%ecx
	pop	%eax
	ret

	.section .rodata
msg_hello:	.asciz	"mbkernel: hello\n"
msg_magic:	.asciz	"mbkernel: bad boot magic in EAX: "
msg_bss:	.asciz	"mbkernel: bss not zeroed\n"
msg_align:	.asciz	"mbkernel: module 0 not page aligned: "
msg_cmdline:	.asciz	"cmdline: "
msg_module:	.asciz	"module: "
msg_modstring:	.asciz	"modstring: "
msg_mods_count:	.asciz	"mods_count="
msg_mem_lower:	.asciz	"mem_lower="
msg_mem_upper:	.asciz	" mem_upper="
msg_nomem:	.asciz	"mem_lower=(none) mem_upper=(none)\n"
msg_none:	.asciz	"(none)"
msg_exit:	.asciz	"mbkernel: exit "
msg_tick:	.asciz	"mbkernel: tick "
word_exit:	.asciz	"exit="
word_loop:	.asciz	"loop"

	.data
	.balign	4
	# Non-zero file content past the code, so that load_end_addr and
	# the ELF file size really cover initialised data.
data_marker:	.long	0x6d626b6e

	.bss
	.balign	16
mbi:		.long	0
cmdline:	.long	0
mods_count:	.long	0
bss_canary:	.long	0
stack:		.skip	4096
stack_top:
