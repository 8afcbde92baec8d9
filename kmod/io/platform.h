/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PC platform every VM has (bhyve's vmm/io, KVM's in-kernel irqchip):
 * a local APIC per vCPU (io/lapic.c), and per VM the 8259A pair
 * (io/pic.c), the I/O APIC (io/ioapic.c), the 8254 PIT with port 0x61
 * (io/pit.c) and the CMOS/RTC (io/rtc.c), tied together by io/platform.c.
 *
 * Interrupt paths (docs/interrupts.md):
 *
 *	device --hv_isa_irq()/hv_gsi_set()--> PIC pin, IOAPIC pin
 *	PIC INTR ----------------------------> BSP's LINT0 (ExtINT)
 *	IOAPIC, MSI, IPI --hv_apic_deliver()--> LAPIC IRR --> kick vCPU
 *	runner: hv_events_before_entry() --> hv_lapic_pending()/hv_pic_ack()
 *	        --> ops->inject_irq()
 *	LAPIC EOI of a level-triggered vector --> hv_ioapic_eoi()
 *
 * Context: the functions here may be called from any thread, and those
 * marked (irq) from hrtimer callbacks too; they take only spinlocks and
 * never sleep.  The runner's functions (hv_lapic_pending, hv_lapic_ack,
 * hv_pic_ack, the MMIO, MSR and port handlers) run in its thread under
 * its run_lock.
 */
#ifndef HV_IO_PLATFORM_H
#define HV_IO_PLATFORM_H

#include <linux/types.h>

struct hvk_vm;
struct hvk_vcpu;
struct hv_lapic_state;
struct hv_device_state;

/* ---- io/lapic.c: the local APIC, one per vCPU ---------------------- */

#define HV_APIC_DEFAULT_BASE	0xfee00000ULL	/* SDM Vol 3A, 10.4.1 */

/* SDM Vol 3A, 10.6.1: ICR delivery modes (also IOAPIC, MSI) */
#define HV_APIC_DM_FIXED	0
#define HV_APIC_DM_LOWEST	1
#define HV_APIC_DM_SMI		2
#define HV_APIC_DM_NMI		4
#define HV_APIC_DM_INIT		5
#define HV_APIC_DM_SIPI		6
#define HV_APIC_DM_EXTINT	7

/* One interrupt message: from the IOAPIC, an MSI or an IPI. */
struct hv_apic_irq {
	u32 dest;		/* APIC ID or logical destination */
	u8 vector;
	u8 delivery_mode;	/* HV_APIC_DM_* */
	bool dest_logical;
	bool level_trig;	/* trigger mode level: sets TMR, EOI goes back */
	u8 shorthand;		/* ICR[19:18]: 0 none, 1 self, 2 all, 3 others */
	bool broadcast_x2apic;	/* dest 0xffffffff in x2APIC mode */
	struct hvk_vcpu *src;	/* for shorthands; NULL from devices */
};

int hv_lapic_create(struct hvk_vcpu *vcpu);	/* at vCPU create */
void hv_lapic_free(struct hvk_vcpu *vcpu);
/* Power-on (init false) or INIT (true: keeps APIC ID and base, 10.4.7.3) */
void hv_lapic_reset(struct hvk_vcpu *vcpu, bool init);
/* The highest-priority vector the APIC would deliver now, or -1 */
int hv_lapic_pending(struct hvk_vcpu *vcpu);
/* The core injected @vector: IRR -> ISR (SDM Vol 3A, 10.8.4) */
void hv_lapic_ack(struct hvk_vcpu *vcpu, u8 vector);
/*
 * CR8 is TPR[7:4] (SDM Vol 3A, 10.8.6.1): for the backends' MOV to/from
 * CR8 and V_TPR, so that CR8 and the APIC's TPR are one register.
 */
u8 hv_lapic_get_cr8(struct hvk_vcpu *vcpu);
void hv_lapic_set_cr8(struct hvk_vcpu *vcpu, u8 cr8);
/* LINT0 takes the PIC's INTR (ExtINT, unmasked) or the APIC is off */
bool hv_lapic_accepts_pic(struct hvk_vcpu *vcpu);
/* xAPIC page access at @gpa: true if this vCPU's APIC claimed it */
bool hv_lapic_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		   unsigned int len);
/*
 * IA32_APIC_BASE, IA32_TSC_DEADLINE, x2APIC 0x800-0x8ff: 0 done,
 * -EINVAL raise #GP, -ENOENT not an APIC MSR.
 */
int hv_lapic_rdmsr(struct hvk_vcpu *vcpu, u32 index, u64 *val);
int hv_lapic_wrmsr(struct hvk_vcpu *vcpu, u32 index, u64 val);
/* Deliver one message to the APICs it names (irq); 0 or -EINVAL */
int hv_apic_deliver(struct hvk_vm *vm, const struct hv_apic_irq *irq);
/* An MSI (SDM Vol 3A, 10.11.1-2), decoded and delivered (irq) */
int hv_apic_msi(struct hvk_vm *vm, u64 addr, u32 data);
/* LINT0/LINT1 pins, by their LVT entries (irq) */
void hv_lapic_lint(struct hvk_vcpu *vcpu, int pin, bool level);
/* State (quiet vCPU): set checks first, -EINVAL changes nothing */
void hv_lapic_get_state(struct hvk_vcpu *vcpu, struct hv_lapic_state *st);
int hv_lapic_set_state(struct hvk_vcpu *vcpu, const struct hv_lapic_state *st);

/* ---- io/platform.c, pic.c, ioapic.c, pit.c, rtc.c: per VM ---------- */

#define HV_IOAPIC_BASE		0xfec00000ULL

int hv_platform_create(struct hvk_vm *vm);	/* at VM create */
void hv_platform_free(struct hvk_vm *vm);
/*
 * Port I/O the platform claims (PIC 0x20/0x21/0xa0/0xa1, ELCR
 * 0x4d0/0x4d1, PIT 0x40-0x43, 0x61, RTC 0x70/0x71): true if claimed;
 * *val in (zero-extended) for IN, out for OUT.
 */
bool hv_platform_pio(struct hvk_vcpu *vcpu, u16 port, u8 size, bool in,
		     u32 *val);
/* MMIO the platform claims (LAPIC page, IOAPIC window): true if claimed */
bool hv_platform_mmio(struct hvk_vcpu *vcpu, u64 gpa, bool write, void *val,
		      unsigned int len);
/* ISA IRQ @irq (0-15) to PIC pin @irq and IOAPIC pin (IRQ 0: pin 2) (irq) */
void hv_isa_irq(struct hvk_vm *vm, unsigned int irq, bool level);
/* HV_VM_IRQ_LINE's rule (uapi); -EINVAL for a bad GSI (irq) */
int hv_gsi_set(struct hvk_vm *vm, u32 gsi, bool level);
/* The PIC pair's INTR output is asserted (the runner, for the BSP) */
bool hv_pic_intr(struct hvk_vm *vm);
/* INTA: the vector of the PIC's highest request, now in service */
int hv_pic_ack(struct hvk_vm *vm);
/* EOI of a level-triggered vector, broadcast from a LAPIC (irq) */
void hv_ioapic_eoi(struct hvk_vm *vm, u8 vector);
/*
 * Device state (quiet VM): set checks first, -EINVAL changes nothing;
 * check is set's test alone, for a caller that restores other devices
 * first.  A platform part all zeroes (API 3) is the power-on state.
 */
void hv_platform_get_state(struct hvk_vm *vm, struct hv_device_state *st);
int hv_platform_check_state(const struct hv_device_state *st);
int hv_platform_set_state(struct hvk_vm *vm, const struct hv_device_state *st);

#endif /* HV_IO_PLATFORM_H */
