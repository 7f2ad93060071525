/*
 * The "pc" board: the platform timers of a PC on their usual addresses, the
 * two buses and the interrupt wiring.
 *
 *   PIT 8254          ports 0x40-0x43, gate/speaker port 0x61   ISA IRQ0 (I/O APIC pin 2)
 *   RTC MC146818      ports 0x70-0x71                           ISA IRQ8 (I/O APIC pin 8)
 *   HPET              MMIO 0xFED00000, 0x400 bytes              pins per Tn_INT_ROUTE_CNF;
 *                                                               legacy: IRQ0 and IRQ8
 *   ACPI PM timer     ports pmtimer_port..+3 (default 0x608)    (SCI not modelled)
 *
 * Every access costs simulated time: a VM exit on a virtual machine; the
 * board sets a cost per device and reports it with each access, and callers
 * decide whether their clock advances by it.  The defaults (1.5 us per port
 * access, 2 us per MMIO access) are assumptions of the right order for a
 * KVM exit handled in the host kernel or in the VMM, not measurements; the
 * cost on a given host is what kvm-unit-tests' x86/vmexit.c reports for its
 * inl_from_kernel, inl_from_qemu and inl_from_pmtimer cases.  Scenarios
 * override them per device.
 */
#ifndef SIM_DEVICES_PLATFORM_H
#define SIM_DEVICES_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/simtime.h"
#include "sim/devices/bus.h"
#include "sim/devices/hpet.h"
#include "sim/devices/irq_router.h"
#include "sim/devices/pit.h"
#include "sim/devices/pmtimer.h"
#include "sim/devices/rtc.h"

#define PLATFORM_PIT_PORT 0x40
#define PLATFORM_PIT_PORT61 0x61
#define PLATFORM_RTC_PORT 0x70
#define PLATFORM_HPET_BASE UINT64_C(0xfed00000)
#define PLATFORM_HPET_LEN 0x400
#define PLATFORM_PMTIMER_PORT_DEFAULT 0x608
#define PLATFORM_PMTIMER_LEN 4

struct platform_params {
	struct sim_freq hpet_freq;      /* default 14.31818 MHz */
	unsigned hpet_timers;           /* default 3 */
	uint16_t hpet_vendor_id;        /* default 0x8086 */
	bool hpet_counter_64bit;        /* default true */
	bool hpet_legacy_route_cap;     /* default true */
	uint32_t hpet_int_route_cap;    /* I/O APIC pins a timer may use; default pins 20-23 */
	uint16_t pmtimer_port;          /* default 0x608 */
	unsigned pmtimer_bits;          /* 24 or 32; default 24 */
	int64_t rtc_base_utc_s;         /* RTC wall time at t = 0, s since 1970; default 2000-01-01 */
	/* Simulated cost of one access, per device (ps). */
	sim_ps pit_cost_ps;
	sim_ps rtc_cost_ps;
	sim_ps pmtimer_cost_ps;
	sim_ps hpet_cost_ps;
	sim_ps io_unmapped_cost_ps;     /* a port nothing decodes */
	sim_ps mmio_unmapped_cost_ps;   /* an address nothing decodes */
};

struct platform {
	struct sim_eventq *q;           /* not owned */
	struct bus io;
	struct bus mmio;
	struct irq_router irq;
	struct pit pit;
	struct rtc rtc;
	struct hpet hpet;
	struct pmtimer pmtimer;
	struct platform_params params;
	bool live;                      /* initialised, not yet finished */
};

/* Default costs: a port I/O exit 1.5 us, an MMIO exit 2 us (assumptions). */
#define PLATFORM_PIO_COST_PS_DEFAULT (1500 * SIM_PS_PER_NS)
#define PLATFORM_MMIO_COST_PS_DEFAULT (2000 * SIM_PS_PER_NS)
#define PLATFORM_RTC_BASE_UTC_S_DEFAULT INT64_C(946684800)   /* 2000-01-01T00:00:00Z */

/* The defaults documented at each field of struct platform_params. */
void platform_params_default(struct platform_params *p);

/*
 * Builds the board on queue q (which must outlive it) at q's current time.
 * Fails with err filled on invalid parameters (PM timer width, HPET timer
 * count or frequency, a PM timer port that collides with another device).
 */
bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err);

/* Cancels the devices' events; accepts a zeroed or finished platform. */
void platform_finish(struct platform *pf);

/*
 * Accesses at the queue's current time.  Reads return the value (all ones
 * where nothing decodes); *cost_ps (if not NULL) gets the simulated cost.
 * Nothing here advances the clock or runs the queue.
 */
uint64_t platform_io_read(struct platform *pf, uint16_t port, unsigned size, sim_ps *cost_ps);
void platform_io_write(struct platform *pf, uint16_t port, uint32_t val, unsigned size,
		       sim_ps *cost_ps);
uint64_t platform_mmio_read(struct platform *pf, uint64_t addr, unsigned size, sim_ps *cost_ps);
void platform_mmio_write(struct platform *pf, uint64_t addr, uint64_t val, unsigned size,
			 sim_ps *cost_ps);

#endif
