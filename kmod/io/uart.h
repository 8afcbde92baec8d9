/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART (National Semiconductor PC16550D data sheet), as far as a
 * guest's console driver needs it: THR/RBR with a receive FIFO, IER,
 * IIR/FCR, LCR with the DLAB divisor latch, MCR (with loopback), LSR, MSR
 * and the scratch register.  The interrupt output (INTR) is high while
 * IIR reports an enabled interrupt pending (received data, IER bit 0;
 * THR empty, IER bit 1), and the @irq callback hears every change of it
 * (io/devices.c: ISA IRQ 4).  MCR OUT2 does not gate it (as QEMU's).
 *
 * Pure C: the unit tests compile it as it is.  Not thread-safe; the
 * caller serialises (io/devices.c holds a spinlock).
 */
#ifndef HV_UART_H
#define HV_UART_H

#include "x86/types.h"
#include "uapi/hv.h"

#define HV_UART_BASE		0x3f8
#define HV_UART_PORTS		8
#define HV_UART_RX_SIZE		1024	/* FIFO (16) plus input buffering */

struct hv_uart {
	u8 ier, iir_thri, lcr, mcr, scr, dll, dlm, fcr;
	u8 rx[HV_UART_RX_SIZE];
	unsigned int rx_head, rx_count;
	bool irq_level;		/* INTR as last reported to @irq */
	/* A byte the guest transmitted (not in loopback). */
	void (*tx)(void *opaque, u8 byte);
	/* INTR changed (may be NULL); called with the caller's lock held */
	void (*irq)(void *opaque, bool level);
	void *opaque;
};

void hv_uart_init(struct hv_uart *u, void (*tx)(void *, u8), void *opaque);
/* After hv_uart_init: where INTR goes (same @opaque as @tx) */
void hv_uart_set_irq(struct hv_uart *u, void (*irq)(void *, bool));
/* @offset is 0..7 from the base port. */
u8 hv_uart_read(struct hv_uart *u, unsigned int offset);
void hv_uart_write(struct hv_uart *u, unsigned int offset, u8 val);
/* Input from the host side; false if the receive buffer is full. */
bool hv_uart_receive(struct hv_uart *u, u8 byte);
unsigned int hv_uart_rx_space(const struct hv_uart *u);
/*
 * Registers and receive buffer (oldest byte first) as struct
 * hv_uart_state.  set checks first and refuses (-EINVAL, nothing
 * changed) values no register write can produce.
 */
void hv_uart_get_state(const struct hv_uart *u, struct hv_uart_state *st);
int hv_uart_check_state(const struct hv_uart_state *st);
int hv_uart_set_state(struct hv_uart *u, const struct hv_uart_state *st);

#endif /* HV_UART_H */
