// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A UART; see io/uart.h.  Register map (PC16550D, Table 2):
 *
 *   +0  RBR (read) / THR (write), or DLL when LCR.DLAB=1
 *   +1  IER, or DLM when LCR.DLAB=1
 *   +2  IIR (read) / FCR (write)
 *   +3  LCR   +4 MCR   +5 LSR   +6 MSR   +7 SCR
 */
#include "io/uart.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#define UART_LCR_DLAB	0x80
#define UART_MCR_LOOP	0x10
#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_THRE	0x20	/* transmit holding register empty */
#define UART_LSR_TEMT	0x40	/* transmitter empty */
#define UART_IER_RDI	0x01	/* received data interrupt */
#define UART_IER_THRI	0x02	/* THR empty interrupt */
#define UART_IIR_NONE	0x01
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_FIFO	0xc0	/* FIFOs enabled */
#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLR_RX	0x02
#define UART_MSR_DCD	0x80
#define UART_MSR_RI	0x40
#define UART_MSR_DSR	0x20
#define UART_MSR_CTS	0x10

void hv_uart_init(struct hv_uart *u, void (*tx)(void *, u8), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->opaque = opaque;
	u->mcr = 0x08;		/* OUT2, as firmware leaves it */
}

static u8 hv_uart_iir(struct hv_uart *u)
{
	u8 fifo = (u->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFO : 0;

	/* Highest priority first: received data, then THR empty */
	if ((u->ier & UART_IER_RDI) && u->rx_count)
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->iir_thri)
		return fifo | UART_IIR_THRI;
	return fifo | UART_IIR_NONE;
}

void hv_uart_set_irq(struct hv_uart *u, void (*irq)(void *, bool))
{
	u->irq = irq;
}

/* PC16550D, "INTR": high while an enabled interrupt is pending */
static void hv_uart_update_irq(struct hv_uart *u)
{
	bool level = !(hv_uart_iir(u) & UART_IIR_NONE);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->opaque, level);
}

static u8 hv_uart_pop(struct hv_uart *u)
{
	u8 b;

	if (!u->rx_count)
		return 0;
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % HV_UART_RX_SIZE;
	u->rx_count--;
	return b;
}

bool hv_uart_receive(struct hv_uart *u, u8 byte)
{
	if (u->rx_count == HV_UART_RX_SIZE)
		return false;
	u->rx[(u->rx_head + u->rx_count) % HV_UART_RX_SIZE] = byte;
	u->rx_count++;
	hv_uart_update_irq(u);
	return true;
}

unsigned int hv_uart_rx_space(const struct hv_uart *u)
{
	return HV_UART_RX_SIZE - u->rx_count;
}

static u8 hv_uart_read_reg(struct hv_uart *u, unsigned int offset)
{
	u8 v;

	switch (offset & 7) {
	case 0:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		return hv_uart_pop(u);
	case 1:
		return (u->lcr & UART_LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		v = hv_uart_iir(u);
		/* Reading IIR with THRE pending clears that source (Table 4) */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->iir_thri = 0;
		return v;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		/* Transmission is instant: THR and the shifter are empty */
		return UART_LSR_THRE | UART_LSR_TEMT |
		       (u->rx_count ? UART_LSR_DR : 0);
	case 6:
		if (u->mcr & UART_MCR_LOOP)	/* MCR bits 3:0 loop back */
			return ((u->mcr & 0x01) ? UART_MSR_DSR : 0) |
			       ((u->mcr & 0x02) ? UART_MSR_CTS : 0) |
			       ((u->mcr & 0x04) ? UART_MSR_RI : 0) |
			       ((u->mcr & 0x08) ? UART_MSR_DCD : 0);
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	default:
		return u->scr;
	}
}

u8 hv_uart_read(struct hv_uart *u, unsigned int offset)
{
	u8 v = hv_uart_read_reg(u, offset);

	/* RBR reads drain the FIFO, IIR reads clear THRE */
	hv_uart_update_irq(u);
	return v;
}

void hv_uart_write(struct hv_uart *u, unsigned int offset, u8 val)
{
	switch (offset & 7) {
	case 0:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
			break;
		}
		if (u->mcr & UART_MCR_LOOP)
			hv_uart_receive(u, val);
		else if (u->tx)
			u->tx(u->opaque, val);
		u->iir_thri = 1;	/* THR is empty again at once */
		break;
	case 1:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = val;
			break;
		}
		/* Enabling THRI with THR empty raises it (as 8250 probes) */
		if (!(u->ier & UART_IER_THRI) && (val & UART_IER_THRI))
			u->iir_thri = 1;
		u->ier = val & 0x0f;
		break;
	case 2:
		u->fcr = val & 0xc9;
		if (val & UART_FCR_CLR_RX)
			u->rx_count = 0;
		break;
	case 3:
		u->lcr = val;
		break;
	case 4:
		u->mcr = val & 0x1f;
		break;
	case 5:
	case 6:
		break;		/* LSR and MSR are read-only here */
	default:
		u->scr = val;
		break;
	}
	hv_uart_update_irq(u);
}

void hv_uart_get_state(const struct hv_uart *u, struct hv_uart_state *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->ier = u->ier;
	st->iir_thri = u->iir_thri;
	st->lcr = u->lcr;
	st->mcr = u->mcr;
	st->scr = u->scr;
	st->dll = u->dll;
	st->dlm = u->dlm;
	st->fcr = u->fcr;
	st->rx_count = u->rx_count;
	for (i = 0; i < u->rx_count; i++)
		st->rx[i] = u->rx[(u->rx_head + i) % HV_UART_RX_SIZE];
}

/* What hv_uart_write() stores: IER 3:0, FCR 7:6,3,0, MCR 4:0 */
int hv_uart_check_state(const struct hv_uart_state *st)
{
	if (st->ier & ~0x0f || st->fcr & ~0xc9 || st->mcr & ~0x1f ||
	    st->iir_thri > 1 || st->rx_count > HV_UART_STATE_RX ||
	    st->pad || st->reserved[0] || st->reserved[1])
		return -EINVAL;
	return 0;
}

int hv_uart_set_state(struct hv_uart *u, const struct hv_uart_state *st)
{
	int r = hv_uart_check_state(st);

	if (r)
		return r;
	u->ier = st->ier;
	u->iir_thri = st->iir_thri;
	u->lcr = st->lcr;
	u->mcr = st->mcr;
	u->scr = st->scr;
	u->dll = st->dll;
	u->dlm = st->dlm;
	u->fcr = st->fcr;
	memcpy(u->rx, st->rx, st->rx_count);
	u->rx_head = 0;
	u->rx_count = st->rx_count;
	hv_uart_update_irq(u);
	return 0;
}
