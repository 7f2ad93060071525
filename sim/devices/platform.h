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
 *
 * The board is a table of slots, one per row of BOARD_DEVICES
 * (sim/devices/board_devices.h).  Each chip's own file says how the board
 * builds, maps and wires it (struct board_chip below); platform.c names no
 * chip.  The board asks its chips, through their device ops, for their next
 * deadline and to finish: nothing else on the event queue (APIC timers,
 * scripts, readers) belongs to it.
 *
 * Absent devices.  A board may lack any of its devices (a microVM has no PIT
 * and no CMOS RTC): the slot stays empty, its addresses decode nothing, reads
 * return the bus's floating byte (0xff; 0x00 under a VMM that zeroes
 * unhandled port reads, as Firecracker does) and writes are dropped.
 *
 * Board time.  On a host the board runs on true time.  On a VM's time base
 * (QEMU_CLOCK_VIRTUAL: vm_time_base) it stops while the VM is stopped:
 * board time = true time minus the intervals stopped so far.  The chips keep
 * deriving their state from the time they are given; they schedule on the
 * board's own queue, in board time, which one relay event on the machine's
 * queue runs as true time passes.  Nothing ticks while stopped, and memory
 * does not grow with the number of stops.  docs/devices.md "Board time".
 */
#ifndef SIM_DEVICES_PLATFORM_H
#define SIM_DEVICES_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/simtime.h"
#include "sim/core/trace.h"
#include "sim/devices/board_devices.h"
#include "sim/devices/bus.h"
#include "sim/devices/compat.h"
#include "sim/devices/device.h"
#include "sim/devices/irq_router.h"
/* The chips' register maps, for the board's users (guest readers, tests). */
#include "sim/devices/hpet.h"
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

struct board_chip;

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
	sim_ps cost_ps[BOARD_DEV_COUNT];
	sim_ps io_unmapped_cost_ps;     /* a port nothing decodes */
	sim_ps mmio_unmapped_cost_ps;   /* an address nothing decodes */
	/* Where bus accesses and interrupt edges are published; NULL: nowhere. */
	struct sim_trace *trace;
	bool absent[BOARD_DEV_COUNT];   /* devices this board lacks; default none */
	uint8_t float_byte;             /* what an address no device decodes reads; default 0xff */
	bool vm_time_base;              /* stops and resumes with a VM (platform_stop); default false */
	/*
	 * A chip that stands in for a device's own (a plugin's device model,
	 * sim/plugin), its attach reading chip_ctx[d]; NULL: the device's own.
	 */
	const struct board_chip *chip[BOARD_DEV_COUNT];
	void *chip_ctx[BOARD_DEV_COUNT];
	const struct compat_profile *compat; /* whose behaviour the chips follow; default datasheet */
};

/* One board device: its chip (owned) and the device whose ops answer for it. */
struct platform_slot {
	void *chip;                     /* struct pit, struct rtc, ...; NULL when not built */
	struct device *dev;             /* deadlines and finish go through its ops */
};

struct platform {
	struct sim_eventq *q;           /* the chips' queue: host_q, or &own on a VM time base */
	struct sim_eventq *host_q;      /* the machine's queue, true time; not owned */
	struct sim_eventq own;          /* VM time base: the chips' events, in board time */
	struct sim_event relay;         /* VM time base: on host_q at own's next event */
	sim_ps stopped_ps;              /* time spent stopped so far: board = true - stopped_ps */
	sim_ps stop_at_ps;              /* true time of the current stop */
	bool stopped;
	struct bus io;
	struct bus mmio;
	struct irq_router irq;
	struct platform_slot slot[BOARD_DEV_COUNT];
	struct platform_params params;
	bool live;                      /* initialised, not yet finished */
};

/* Default costs: a port I/O exit 1.5 us, an MMIO exit 2 us (assumptions). */
#define PLATFORM_PIO_COST_PS_DEFAULT (1500 * SIM_PS_PER_NS)
#define PLATFORM_MMIO_COST_PS_DEFAULT (2000 * SIM_PS_PER_NS)
#define PLATFORM_RTC_BASE_UTC_S_DEFAULT INT64_C(946684800)   /* 2000-01-01T00:00:00Z */

/*
 * How the board builds one device: the row of BOARD_DEVICES X(ID, stem) is
 * defined as `const struct board_chip <stem>_chip` in sim/devices/<stem>.c,
 * next to the chip it builds.
 */
struct board_chip {
	size_t size;                    /* of the chip's struct: the board allocates it zeroed */
	sim_ps cost_ps;                 /* default access cost: PLATFORM_{PIO,MMIO}_COST_PS_DEFAULT */
	/* Sets the chip's fields of platform_params to their defaults; NULL: it has none. */
	void (*defaults)(struct platform_params *p);
	/*
	 * Builds the chip in s->chip from pf->params, sets s->dev, wires its
	 * lines through pf->irq and maps it on pf->io or pf->mmio at cost
	 * pf->params.cost_ps[its id].  False with err filled on invalid
	 * parameters; the board then finishes what was built.
	 */
	bool (*attach)(struct platform *pf, struct platform_slot *s, struct sim_diag *err);
};

#define BOARD_CHIP_DECLARE(id, stem) extern const struct board_chip stem##_chip;
BOARD_DEVICES(BOARD_CHIP_DECLARE)
#undef BOARD_CHIP_DECLARE

/* The defaults documented at each field of struct platform_params. */
void platform_params_default(struct platform_params *p);

/*
 * Builds the board on queue q (which must outlive it) at q's current time.
 * Fails with err filled on invalid parameters (PM timer width, HPET timer
 * count or frequency, a PM timer port that collides with another device) or
 * when memory runs out.
 */
bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err);

/* Finishes every device and frees the chips; accepts a zeroed or finished platform. */
void platform_finish(struct platform *pf);

/*
 * The earliest pending event of the board's own devices, SIM_NEVER when
 * they have none: what a bare qtest `clock_step` waits for.
 */
sim_ps platform_next_deadline(const struct platform *pf);

/*
 * Board time at true time t (t no earlier than the last stop or resume):
 * t itself on a host's board.
 */
sim_ps platform_time(const struct platform *pf, sim_ps t);

/*
 * A board on a VM's time base stops at true time now (every chip event due
 * by then has fired; none fires until the resume) and resumes: its chips
 * continue from where they stopped.  No-ops on a host's board, for a stop of
 * a stopped board and a resume of a running one.
 */
void platform_stop(struct platform *pf, sim_ps now);
void platform_resume(struct platform *pf, sim_ps now);
bool platform_stopped(const struct platform *pf);

/* The device of a board slot (its chip's main device), or NULL. */
struct device *platform_device(const struct platform *pf, enum board_device d);

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

/*
 * Port accesses at true time t >= the queue's time, by a guest program that
 * runs ahead of the queue with interrupts off (Linux's TSC calibration): the
 * chips see board time at t; no chip event is run (their state is a function
 * of time, and a program polling a counter changes no event).  They are not
 * published on the trace stream, whose records come in time order.
 */
uint64_t platform_io_read_at(struct platform *pf, uint16_t port, unsigned size, sim_ps t,
			     sim_ps *cost_ps);
void platform_io_write_at(struct platform *pf, uint16_t port, uint32_t val, unsigned size,
			  sim_ps t, sim_ps *cost_ps);
uint64_t platform_mmio_read_at(struct platform *pf, uint64_t addr, unsigned size, sim_ps t,
			       sim_ps *cost_ps);
void platform_mmio_write_at(struct platform *pf, uint64_t addr, uint64_t val, unsigned size,
			    sim_ps t, sim_ps *cost_ps);

#endif
