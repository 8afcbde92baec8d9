// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI fixed hardware hv's FADT describes (lib/boot/acpi.c), and
 * the PC's two reset ports.  Part of the platform: claimed in attached
 * and managed mode alike.
 *
 *   0x600  PM1_STS (16)   write 1 to clear; hv raises no status bits
 *   0x602  PM1_EN  (16)   kept; hv has no fixed events to enable
 *   0x604  PM1_CNT (16)   SCI_EN reads 1 (SMI_CMD is 0: always ACPI
 *                         mode); SLP_EN with SLP_TYP 0 (\_S5_) powers off
 *   0x608  PM_TMR  (32)   3.579545 MHz from the first vCPU's TSC, read-only
 *   0xcf9  reset control  RST_CPU (bit 2) resets; reads the last value
 *   0x64   8042 command   0xfe (pulse the reset line) resets; reads 0x00:
 *                         no data, input buffer empty (the FADT says
 *                         there is no 8042, but Linux's fallback reboot
 *                         polls this status before writing 0xfe)
 *
 * PM1 registers are byte-addressable (ACPI 6.4, 4.8.3: any access
 * width up to the register's): each byte of an access is its own byte
 * lane; bytes of the block past 0x60b are not ours.  Poweroff and reset
 * end the port exit with HV_EXIT_SYSTEM_EVENT (hv_system_event): in
 * managed mode the VM then stops as power-off or reboot.
 *
 * No SCI is ever raised: none of PM1_STS's sources exist (no power or
 * sleep button, no RTC alarm, TMR_STS is not modelled), and there are no
 * GPE blocks.
 */
#include "hv.h"
#include "platform.h"
#include "chipset.h"

#include <linux/math64.h>

#define PM_BASE			0x600
#define PM_LEN			12
#define PM1_STS			0x0
#define PM1_EN			0x2
#define PM1_CNT			0x4
#define PM_TMR			0x8
#define PORT_RESET_CTL		0xcf9
#define PORT_8042_CMD		0x64

/* ACPI 6.4, Table 4.16: TMR BM GBL PWRBTN SLPBTN RTC PCIEXP_WAKE WAK */
#define PM1_STS_BITS		0xc731
/* Table 4.18: PM1 enable bits (TMR GBL PWRBTN SLPBTN RTC PCIEXP_WAKE_DIS) */
#define PM1_EN_BITS		0x4721
/* Table 4.20: PM1 control */
#define PM1_CNT_SCI_EN		(1U << 0)
#define PM1_CNT_BM_RLD		(1U << 1)
#define PM1_CNT_GBL_RLS		(1U << 2)	/* write-only */
#define PM1_CNT_SLP_TYP		(7U << 10)
#define PM1_CNT_SLP_EN		(1U << 13)	/* write-only */
#define PM1_CNT_RW		(PM1_CNT_BM_RLD | PM1_CNT_SLP_TYP)
#define PM1_SLP_TYP_S5		0		/* the DSDT's \_S5_ */

#define PM_TMR_HZ		3579545		/* ACPI 6.4, 4.8.3.3 */

/* Intel ICH/PCH datasheets, Reset Control Register (0xcf9) */
#define RST_CTL_SYS_RST		(1U << 1)
#define RST_CTL_RST_CPU		(1U << 2)
#define RST_CTL_FULL_RST	(1U << 3)
#define RST_CTL_BITS		(RST_CTL_SYS_RST | RST_CTL_RST_CPU | \
				 RST_CTL_FULL_RST)
#define KBC_PULSE_RESET		0xfe	/* 8042: pulse output line 0 */

void hv_pm_init(struct hv_pm *pm)
{
	spin_lock_init(&pm->lock);
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = 0;
	pm->reset_ctl = 0;
}

/*
 * ACPI 6.4, 4.8.3.3: the 32-bit PM timer.  One clock for the whole VM,
 * so that it never goes back between vCPUs (Linux's acpi_pm clocksource
 * would take that for a wrap): the first vCPU's TSC, which a snapshot
 * carries, so the timer goes on after a restore as the guest's TSC does.
 * vcpus[0] is set before any vCPU can run and stays while the VM lives.
 */
static u32 hv_pm_timer(struct hvk_vcpu *vcpu)
{
	struct hvk_vcpu *ref = READ_ONCE(vcpu->vm->vcpus[0]);
	u64 tsc = hv_guest_tsc(ref ? ref : vcpu);

	if (!tsc_khz)
		return (u32)mul_u64_u32_div(ktime_get_ns(), PM_TMR_HZ,
					    NSEC_PER_SEC);
	return (u32)div_u64(mul_u64_u32_div(tsc, PM_TMR_HZ, tsc_khz), 1000);
}

/* The 16-bit register at block offset @reg (even), as the guest reads it */
static u16 hv_pm_reg_read(struct hv_pm *pm, unsigned int reg)
{
	switch (reg) {
	case PM1_STS:
		return pm->sts;
	case PM1_EN:
		return pm->en;
	case PM1_CNT:
		return pm->cnt | PM1_CNT_SCI_EN;
	}
	return 0;
}

/*
 * One byte lane @lane (0 low, 1 high) of the 16-bit register @reg.
 * Returns the HV_SYSTEM_* event a write asks for, or 0.
 */
static u32 hv_pm_reg_write(struct hv_pm *pm, unsigned int reg,
			   unsigned int lane, u8 v)
{
	u16 val = (u16)v << (8 * lane), mask = 0xff << (8 * lane);
	u16 slp;

	switch (reg) {
	case PM1_STS:			/* Table 4.16: write 1 to clear */
		pm->sts &= ~(val & PM1_STS_BITS);
		return 0;
	case PM1_EN:
		pm->en = (pm->en & ~mask) | (val & mask & PM1_EN_BITS);
		return 0;
	case PM1_CNT:
		pm->cnt = (pm->cnt & ~mask) | (val & mask & PM1_CNT_RW);
		/* 4.8.3.2.1: SLP_EN starts the sleep SLP_TYP names */
		if (!(val & PM1_CNT_SLP_EN))
			return 0;
		slp = (pm->cnt & PM1_CNT_SLP_TYP) >> 10;
		/* Only \_S5_ exists: another SLP_TYP names no state; ignored */
		return slp == PM1_SLP_TYP_S5 ? HV_SYSTEM_POWEROFF : 0;
	}
	return 0;
}

static bool hv_pm_block(struct hv_pm *pm, struct hvk_vcpu *vcpu, u16 port,
			u8 size, bool in, u32 *val)
{
	unsigned int i, off;
	u32 out = 0, tmr = 0, event = 0, e;
	unsigned long flags;

	if (in && port + size > PM_BASE + PM_TMR)
		tmr = hv_pm_timer(vcpu);
	spin_lock_irqsave(&pm->lock, flags);
	for (i = 0; i < size && i < 4; i++) {
		off = port - PM_BASE + i;
		if (off >= PM_LEN) {		/* not ours: the empty bus */
			out |= 0xffU << (8 * i);
			continue;
		}
		if (in) {
			u32 b;

			if (off >= PM_TMR)
				b = tmr >> (8 * (off - PM_TMR));
			else
				b = hv_pm_reg_read(pm, off & ~1U) >>
				    (8 * (off & 1));
			out |= (b & 0xff) << (8 * i);
		} else if (off < PM_TMR) {	/* PM_TMR is read-only */
			e = hv_pm_reg_write(pm, off & ~1U, off & 1,
					    *val >> (8 * i));
			event = event ? event : e;
		}
	}
	spin_unlock_irqrestore(&pm->lock, flags);
	if (in)
		*val = out;
	if (event)
		hv_system_event(vcpu, event, *val);
	return true;
}

bool hv_pm_pio(struct hv_pm *pm, struct hvk_vcpu *vcpu, u16 port, u8 size,
	       bool in, u32 *val)
{
	unsigned long flags;
	bool reset;

	if (port >= PM_BASE && port < PM_BASE + PM_LEN)
		return hv_pm_block(pm, vcpu, port, size, in, val);

	/*
	 * 0xcf9 is a byte register inside PCI's CONFIG_ADDRESS (0xcf8,
	 * dword): only a byte access is the reset control.
	 */
	if (port == PORT_RESET_CTL && size == 1) {
		spin_lock_irqsave(&pm->lock, flags);
		if (in) {
			*val = pm->reset_ctl;
			spin_unlock_irqrestore(&pm->lock, flags);
			return true;
		}
		pm->reset_ctl = *val & RST_CTL_BITS;
		reset = *val & RST_CTL_RST_CPU;
		if (reset)	/* the reset clears it (ICH: self-clearing) */
			pm->reset_ctl &= ~RST_CTL_RST_CPU;
		spin_unlock_irqrestore(&pm->lock, flags);
		if (reset)
			hv_system_event(vcpu, HV_SYSTEM_REBOOT, *val & 0xff);
		return true;
	}

	if (port == PORT_8042_CMD && size == 1) {
		if (in)
			*val = 0;	/* status: nothing to read, ready */
		else if ((*val & 0xff) == KBC_PULSE_RESET)
			hv_system_event(vcpu, HV_SYSTEM_REBOOT,
					KBC_PULSE_RESET);
		return true;
	}
	return false;
}

void hv_pm_get(struct hv_pm *pm, struct hv_pm_state *st)
{
	unsigned long flags;

	memset(st, 0, sizeof(*st));
	spin_lock_irqsave(&pm->lock, flags);
	st->pm1_sts = pm->sts;
	st->pm1_en = pm->en;
	st->pm1_cnt = pm->cnt;
	st->reset_ctl = pm->reset_ctl;
	spin_unlock_irqrestore(&pm->lock, flags);
}

/* Only bits a guest could have set; all zero is the power-on state */
int hv_pm_check(const struct hv_pm_state *st)
{
	if ((st->pm1_sts & ~PM1_STS_BITS) || (st->pm1_en & ~PM1_EN_BITS) ||
	    (st->pm1_cnt & ~PM1_CNT_RW) ||
	    (st->reset_ctl & ~(RST_CTL_SYS_RST | RST_CTL_FULL_RST)) ||
	    st->pad || st->reserved)
		return -EINVAL;
	return 0;
}

void hv_pm_set(struct hv_pm *pm, const struct hv_pm_state *st)
{
	unsigned long flags;

	spin_lock_irqsave(&pm->lock, flags);
	pm->sts = st->pm1_sts;
	pm->en = st->pm1_en;
	pm->cnt = st->pm1_cnt;
	pm->reset_ctl = st->reset_ctl;
	spin_unlock_irqrestore(&pm->lock, flags);
}
