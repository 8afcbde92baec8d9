// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/io/uart.c, the 16550A of managed VMs, compiled as it is: what a
 * guest's console driver sees register by register (PC16550D data sheet).
 */
#include <string.h>

#include "io/uart.h"
#include "unit.h"

static char out[64];
static unsigned int nout;

static void tx(void *opaque, u8 b)
{
	(void)opaque;
	if (nout < sizeof(out))
		out[nout++] = b;
}

static struct hv_uart u;

static void setup(void)
{
	nout = 0;
	memset(out, 0, sizeof(out));
	hv_uart_init(&u, tx, NULL);
}

START_TEST(transmit_and_lsr)
{
	setup();
	/* LSR: THR empty and transmitter empty, no data */
	ck_assert_uint_eq(hv_uart_read(&u, 5), 0x60);
	hv_uart_write(&u, 0, 'h');
	hv_uart_write(&u, 0, 'i');
	ck_assert_uint_eq(nout, 2);
	ck_assert_int_eq(memcmp(out, "hi", 2), 0);
	ck_assert_uint_eq(hv_uart_read(&u, 5), 0x60);
}
END_TEST

START_TEST(receive_fifo_order)
{
	setup();
	ck_assert(hv_uart_receive(&u, 'a'));
	ck_assert(hv_uart_receive(&u, 'b'));
	ck_assert_uint_eq(hv_uart_read(&u, 5) & 1, 1);	/* data ready */
	ck_assert_uint_eq(hv_uart_read(&u, 0), 'a');
	ck_assert_uint_eq(hv_uart_read(&u, 0), 'b');
	ck_assert_uint_eq(hv_uart_read(&u, 5) & 1, 0);
	ck_assert_uint_eq(hv_uart_read(&u, 0), 0);		/* empty */
}
END_TEST

START_TEST(receive_full)
{
	unsigned int i;

	setup();
	for (i = 0; i < HV_UART_RX_SIZE; i++)
		ck_assert(hv_uart_receive(&u, (u8)i));
	ck_assert(!hv_uart_receive(&u, 'x'));
	ck_assert_uint_eq(hv_uart_rx_space(&u), 0);
	/* FCR bit 1 clears the receiver */
	hv_uart_write(&u, 2, 0x03);
	ck_assert_uint_eq(hv_uart_rx_space(&u), HV_UART_RX_SIZE);
	ck_assert_uint_eq(hv_uart_read(&u, 5) & 1, 0);
}
END_TEST

START_TEST(dlab_divisor)
{
	setup();
	hv_uart_write(&u, 1, 0x05);		/* IER */
	hv_uart_write(&u, 3, 0x83);		/* DLAB, 8N1 */
	hv_uart_write(&u, 0, 0x01);		/* DLL: 115200 baud */
	hv_uart_write(&u, 1, 0x00);		/* DLM */
	ck_assert_uint_eq(nout, 0);		/* not transmitted */
	ck_assert_uint_eq(hv_uart_read(&u, 0), 0x01);
	ck_assert_uint_eq(hv_uart_read(&u, 1), 0x00);
	hv_uart_write(&u, 3, 0x03);
	ck_assert_uint_eq(hv_uart_read(&u, 1), 0x05);	/* IER back */
	ck_assert_uint_eq(hv_uart_read(&u, 3), 0x03);
}
END_TEST

START_TEST(iir_sources)
{
	setup();
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0x01);	/* none pending */
	hv_uart_write(&u, 2, 0x01);			/* FIFOs on */
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc1);
	/* Enabling THRI with THR empty raises it; reading IIR clears it */
	hv_uart_write(&u, 1, 0x02);
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc2);
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc1);
	/* Received data outranks THRE */
	hv_uart_write(&u, 1, 0x03);
	hv_uart_receive(&u, 'z');
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc4);
	hv_uart_read(&u, 0);
	/* THRE was acknowledged by the IIR read above: nothing pending */
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc1);
	/* until the next character leaves THR */
	hv_uart_write(&u, 0, '!');
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0xc2);
}
END_TEST

/* INTR: what io/devices.c forwards to ISA IRQ 4 */
static int irq_level = -1;
static unsigned int irq_changes;

static void irq(void *opaque, bool level)
{
	(void)opaque;
	irq_level = level;
	irq_changes++;
}

START_TEST(intr_follows_iir)
{
	static struct hv_uart_state st;

	setup();
	irq_level = -1;
	irq_changes = 0;
	hv_uart_set_irq(&u, irq);
	/* Nothing enabled: input alone raises nothing */
	hv_uart_receive(&u, 'a');
	ck_assert_uint_eq(irq_changes, 0);
	/* Receive data interrupt (IER bit 0) with a byte waiting */
	hv_uart_write(&u, 1, 0x01);
	ck_assert_int_eq(irq_level, 1);
	hv_uart_read(&u, 0);				/* drained */
	ck_assert_int_eq(irq_level, 0);
	hv_uart_receive(&u, 'b');
	ck_assert_int_eq(irq_level, 1);
	hv_uart_write(&u, 1, 0x00);			/* disabled */
	ck_assert_int_eq(irq_level, 0);
	hv_uart_read(&u, 0);

	/* THRE (IER bit 1): raised on enable, lowered by the IIR read */
	hv_uart_write(&u, 1, 0x02);
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(hv_uart_read(&u, 2), 0x02);
	ck_assert_int_eq(irq_level, 0);
	hv_uart_write(&u, 0, 'x');			/* THR empties again */
	ck_assert_int_eq(irq_level, 1);
	hv_uart_write(&u, 0, 'y');			/* still high: no edge */
	ck_assert_int_eq(irq_level, 1);
	ck_assert_uint_eq(irq_changes, 7);

	/* A restored state with data and RDI raises it too */
	hv_uart_write(&u, 1, 0x00);
	ck_assert_int_eq(irq_level, 0);
	hv_uart_get_state(&u, &st);
	st.ier = 0x01;
	st.rx_count = 1;
	st.rx[0] = 'r';
	ck_assert_int_eq(hv_uart_set_state(&u, &st), 0);
	ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(loopback_and_scratch)
{
	setup();
	hv_uart_write(&u, 7, 0x5a);
	ck_assert_uint_eq(hv_uart_read(&u, 7), 0x5a);
	ck_assert_uint_eq(hv_uart_read(&u, 6), 0xb0);	/* DCD DSR CTS */
	hv_uart_write(&u, 4, 0x1a);			/* loop, RTS, OUT2 */
	ck_assert_uint_eq(hv_uart_read(&u, 6), 0x90);	/* CTS, DCD */
	hv_uart_write(&u, 0, 'q');
	ck_assert_uint_eq(nout, 0);			/* looped, not sent */
	ck_assert_uint_eq(hv_uart_read(&u, 0), 'q');
}
END_TEST

/* Registers and a wrapped receive buffer out, into a fresh UART, back. */
START_TEST(state_round_trip)
{
	static struct hv_uart_state st, st2;
	static struct hv_uart v;
	unsigned int i;

	setup();
	/* Wrap the ring: head not at 0, bytes oldest first in the state */
	for (i = 0; i < HV_UART_RX_SIZE - 2; i++)
		ck_assert(hv_uart_receive(&u, 'x'));
	for (i = 0; i < HV_UART_RX_SIZE - 2; i++)
		hv_uart_read(&u, 0);
	for (i = 0; i < 5; i++)
		ck_assert(hv_uart_receive(&u, "hello"[i]));
	hv_uart_write(&u, 1, 0x05);
	hv_uart_write(&u, 2, 0x01);
	hv_uart_write(&u, 7, 0x77);
	hv_uart_write(&u, 3, 0x83);
	hv_uart_write(&u, 0, 0x0c);
	hv_uart_write(&u, 1, 0x02);
	hv_uart_write(&u, 3, 0x1b);
	hv_uart_get_state(&u, &st);
	ck_assert_uint_eq(st.rx_count, 5);
	ck_assert_int_eq(memcmp(st.rx, "hello", 5), 0);
	ck_assert_uint_eq(st.ier, 0x05);
	ck_assert_uint_eq(st.dll, 0x0c);
	ck_assert_uint_eq(st.dlm, 0x02);

	hv_uart_init(&v, tx, NULL);
	ck_assert_int_eq(hv_uart_set_state(&v, &st), 0);
	hv_uart_get_state(&v, &st2);
	ck_assert_int_eq(memcmp(&st, &st2, sizeof(st)), 0);
	/* It behaves as the original: same registers, same bytes in order */
	for (i = 0; i < 8; i++)
		if (i != 0 && i != 2)
			ck_assert_uint_eq(hv_uart_read(&v, i), hv_uart_read(&u, i));
	ck_assert_uint_eq(hv_uart_read(&v, 2), hv_uart_read(&u, 2));
	for (i = 0; i < 5; i++)
		ck_assert_uint_eq(hv_uart_read(&v, 0), "hello"[i]);
	ck_assert_uint_eq(hv_uart_read(&v, 5) & 1, 0);
	hv_uart_write(&v, 3, 0x83);
	ck_assert_uint_eq(hv_uart_read(&v, 0), 0x0c);	/* DLL */
}
END_TEST

/* Values no register write can produce are refused; nothing changes. */
START_TEST(state_refused)
{
	static struct hv_uart_state good, bad, now;

	setup();
	hv_uart_receive(&u, 'k');
	hv_uart_get_state(&u, &good);
	bad = good; bad.rx_count = HV_UART_STATE_RX + 1;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.ier = 0x10;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.fcr = 0x02;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.mcr = 0x20;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.iir_thri = 2;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.reserved[1] = 1;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	bad = good; bad.pad = 1;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), -EINVAL);
	hv_uart_get_state(&u, &now);
	ck_assert_int_eq(memcmp(&good, &now, sizeof(now)), 0);
	/* The full buffer is fine */
	bad = good; bad.rx_count = HV_UART_STATE_RX;
	ck_assert_int_eq(hv_uart_set_state(&u, &bad), 0);
	ck_assert_uint_eq(hv_uart_rx_space(&u), 0);
}
END_TEST

Suite *uart_suite(void)
{
	Suite *s = suite_create("uart");
	TCase *tc = tcase_create("16550a");

	tcase_add_test(tc, transmit_and_lsr);
	tcase_add_test(tc, receive_fifo_order);
	tcase_add_test(tc, receive_full);
	tcase_add_test(tc, dlab_divisor);
	tcase_add_test(tc, iir_sources);
	tcase_add_test(tc, intr_follows_iir);
	tcase_add_test(tc, loopback_and_scratch);
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, state_refused);
	suite_add_tcase(s, tc);
	return s;
}
