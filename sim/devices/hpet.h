/*
 * HPET: one timer block of the IA-PC High Precision Event Timer (IA-PC HPET
 * Specification 1.0a, section 2.3): a main up-counter and 3..32 comparators
 * behind a 1 KiB MMIO region.
 *
 * Nothing ticks.  The main counter is a function of `now` anchored where
 * ENABLE_CNF was last set; each comparator's match sequence is a function of
 * the counter, so a periodic comparator reads back its next target without
 * an event per period.  One event per comparator stands for its next match,
 * and only while that match has a visible effect (an interrupt, or a level
 * status bit that is still clear).
 *
 * Simplified: FSB (MSI-like) delivery is a callback, not a bus write; the
 * counter runs at exactly `freq` while COUNTER_CLK_PERIOD reports the period
 * rounded to whole femtoseconds.  See docs/devices.md, "HPET".
 */
#ifndef SIM_DEVICES_HPET_H
#define SIM_DEVICES_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/irq.h"
#include "sim/core/simtime.h"
#include "sim/devices/device.h"

#define HPET_MIN_TIMERS 3
#define HPET_MAX_TIMERS 32
#define HPET_MMIO_SIZE 0x400u            /* one timer block: 1 KiB */
#define HPET_REV_ID 0x01u                /* REV_ID must not be 0 (1.0a section 2.3.4) */
#define HPET_VENDOR_ID_DEFAULT 0x8086u
#define HPET_PERIOD_MAX_FS 0x05F5E100u   /* 100 ns: the slowest counter the spec allows */

/* Register offsets in the block (1.0a section 2.3.1, register map). */
#define HPET_GCAP_ID 0x000u              /* General Capabilities and ID (RO) */
#define HPET_GEN_CONF 0x010u             /* General Configuration */
#define HPET_GINTR_STA 0x020u            /* General Interrupt Status (write 1 to clear) */
#define HPET_MAIN_CNT 0x0f0u             /* Main Counter Value */
#define HPET_TIMN_CONF(n) (0x100u + 0x20u * (n))      /* Timer N Configuration and Capability */
#define HPET_TIMN_COMP(n) (0x108u + 0x20u * (n))      /* Timer N Comparator Value */
#define HPET_TIMN_FSB_ROUTE(n) (0x110u + 0x20u * (n)) /* Timer N FSB Interrupt Route */

/* General Capabilities and ID fields (1.0a section 2.3.4). */
#define HPET_GCAP_NUM_TIM_SHIFT 8        /* NUM_TIM_CAP: index of the last timer */
#define HPET_GCAP_COUNT_SIZE_CAP (UINT64_C(1) << 13)
#define HPET_GCAP_LEG_RT_CAP (UINT64_C(1) << 15)
#define HPET_GCAP_VENDOR_ID_SHIFT 16
#define HPET_GCAP_PERIOD_SHIFT 32        /* COUNTER_CLK_PERIOD in fs */

/* General Configuration bits (1.0a section 2.3.5). */
#define HPET_ENABLE_CNF (UINT64_C(1) << 0)
#define HPET_LEG_RT_CNF (UINT64_C(1) << 1)

/* Timer N Configuration and Capability bits (1.0a section 2.3.8). */
#define HPET_TN_INT_TYPE_CNF (UINT64_C(1) << 1)   /* 1 = level-triggered */
#define HPET_TN_INT_ENB_CNF (UINT64_C(1) << 2)
#define HPET_TN_TYPE_CNF (UINT64_C(1) << 3)       /* 1 = periodic */
#define HPET_TN_PER_INT_CAP (UINT64_C(1) << 4)    /* RO */
#define HPET_TN_SIZE_CAP (UINT64_C(1) << 5)       /* RO: 1 = 64-bit comparator */
#define HPET_TN_VAL_SET_CNF (UINT64_C(1) << 6)
#define HPET_TN_32MODE_CNF (UINT64_C(1) << 8)
#define HPET_TN_INT_ROUTE_SHIFT 9
#define HPET_TN_INT_ROUTE_CNF (UINT64_C(0x1f) << HPET_TN_INT_ROUTE_SHIFT)
#define HPET_TN_FSB_EN_CNF (UINT64_C(1) << 14)
#define HPET_TN_FSB_INT_DEL_CAP (UINT64_C(1) << 15) /* RO */
#define HPET_TN_INT_ROUTE_CAP_SHIFT 32            /* RO bits 63:32 */

/* What the board builds the HPET from; see hpet_params_default(). */
struct hpet_params {
	/*
	 * Counter rate.  COUNTER_CLK_PERIOD reads round(1e15 / freq) fs (half
	 * up), which must be 1..100000000 fs, i.e. freq >= 10 MHz.
	 */
	struct sim_freq freq;
	unsigned ntimers;          /* 3..32 */
	uint16_t vendor_id;        /* VENDOR_ID; 0 selects 0x8086 */
	bool counter_64bit;        /* COUNT_SIZE_CAP; false: 32-bit counter and comparators */
	bool legacy_route_cap;     /* LEG_RT_CAP */
	uint32_t int_route_cap;    /* Tn_INT_ROUTE_CAP of every timer: I/O APIC pins allowed */
	uint32_t oneshot_only;     /* bit n: timer n lacks periodic mode (Tn_PER_INT_CAP = 0) */
	uint32_t fsb_cap;          /* bit n: timer n supports FSB delivery (Tn_FSB_INT_DEL_CAP) */
};

/*
 * Receives FSB interrupt messages: a 32-bit write of `value` (Tn_FSB_INT_VAL)
 * to `addr` (Tn_FSB_INT_ADDR), one per match of an FSB-routed timer.
 */
struct hpet_fsb_sink {
	void (*write)(void *sink, uint32_t addr, uint32_t value, sim_ps now);
	void *sink;
};

struct hpet;

struct hpet_timer {
	struct hpet *hpet;         /* owner, for the match handler */
	unsigned index;
	uint64_t caps;             /* read-only bits of Tn_CONF: route cap, FSB/size/periodic caps */
	uint64_t conf;             /* writable bits of Tn_CONF as software left them */
	uint64_t period;           /* last value written to Tn_COMP (the periodic increment) */
	uint64_t fsb_route;        /* Tn_FSB_INT_ROUTE: ADDR in 63:32, VAL in 31:0 */
	/*
	 * Match sequence anchor: with the main counter at anchor_count the
	 * comparator held anchor_cmp, and no match had happened at that count.
	 * Every later comparator value and match follows from these.
	 */
	uint64_t anchor_count;
	uint64_t anchor_cmp;
	struct sim_event match;    /* the next match, while it matters */
	char event_name[48];       /* "<hpet name>.t<n>" */
};

struct hpet {
	struct device base;
	struct sim_eventq *q;
	struct hpet_params params;
	uint64_t gcap;             /* General Capabilities and ID, built at init */
	uint64_t gen_conf;         /* ENABLE_CNF, LEG_RT_CNF */
	uint64_t int_sts;          /* General Interrupt Status (level-triggered timers) */
	/*
	 * Main counter: counter_base while halted; counter_base plus the ticks
	 * of `freq` since enable_ps while running.  Kept unwrapped in 64 bits;
	 * a 32-bit counter is masked only where software sees it.
	 */
	uint64_t counter_base;
	sim_ps enable_ps;
	const struct irq_line *ioapic;
	unsigned nioapic_pins;
	const struct irq_line *legacy_irq0;
	const struct irq_line *legacy_irq8;
	const struct irq_line *legacy_route;
	struct hpet_fsb_sink fsb;
	uint64_t line_level;       /* driven levels: bit p = I/O APIC pin p, 32 = IRQ0, 33 = IRQ8 */
	bool legacy_route_level;
	struct hpet_timer timer[HPET_MAX_TIMERS];
};

/* 14.31818 MHz, 3 timers, vendor 0x8086, 64-bit, LEG_RT_CAP, pins 20..23, all periodic, no FSB. */
void hpet_params_default(struct hpet_params *p);

/*
 * Builds a halted HPET (counter 0, comparators all ones) whose events go on
 * q.  ioapic[i] drives I/O APIC pin i for i < nioapic_pins (a route to a pin
 * without a line is not connected).  legacy_irq0 and legacy_irq8 carry timers
 * 0 and 1 under LegacyReplacement routing; legacy_route's level follows
 * LEG_RT_CNF so the board can detach the PIT and RTC from IRQ0 and IRQ8.  Any
 * line may be NULL.  The lines and name must outlive the device.  False, with
 * err filled and h left safe to finish, when the parameters are invalid.
 */
bool hpet_init(struct hpet *h, const char *name, struct sim_eventq *q,
	       const struct hpet_params *p, const struct irq_line *ioapic,
	       unsigned nioapic_pins, const struct irq_line *legacy_irq0,
	       const struct irq_line *legacy_irq8, const struct irq_line *legacy_route,
	       struct sim_diag *err);

/* Cancels pending matches.  Accepts NULL or a zeroed hpet. */
void hpet_finish(struct hpet *h);

/* FSB messages go to `fsb` (NULL: dropped). */
void hpet_set_fsb_sink(struct hpet *h, const struct hpet_fsb_sink *fsb);

/*
 * The MMIO region, offsets 0..0x3ff; 4-byte accesses at multiples of 4 and
 * 8-byte accesses at multiples of 8.  Misaligned accesses read all ones and
 * are ignored on write.  `now` must not be before the queue's time.
 */
struct device *hpet_device(struct hpet *h);

/* The Main Counter Value register at `now` (upper half 0 for a 32-bit counter). */
uint64_t hpet_main_counter(const struct hpet *h, sim_ps now);

/* Timer n's Comparator Value register at `now`. */
uint64_t hpet_comparator(const struct hpet *h, unsigned n, sim_ps now);

/* When timer n's next match event is queued, or SIM_NEVER when none is. */
sim_ps hpet_next_match(const struct hpet *h, unsigned n);

/* COUNTER_CLK_PERIOD in femtoseconds. */
uint32_t hpet_period_fs(const struct hpet *h);

#endif
