/*
 * The PC's interrupt wiring between the timer chips and the two interrupt
 * controllers: 16 ISA lines (the inputs of the 8259 pair) and 24 I/O APIC
 * pins, each with a level.  Not an interrupt controller: nothing here masks,
 * prioritises or delivers; it only decides which pin a chip's output drives.
 *
 * The standard PC routing (ACPI MADT with one interrupt source override):
 *  - ISA IRQ0 -> I/O APIC pin 2, every other ISA IRQ n -> pin n;
 *  - the PIT's OUT0 drives ISA IRQ0 and the RTC's IRQ output drives IRQ8;
 *  - while the HPET's legacy replacement route (LEG_RT_CNF) is set, the PIT
 *    and the RTC are detached and HPET timers 0 and 1 drive IRQ0 and IRQ8
 *    (IA-PC HPET spec 1.0a, 2.4 "legacy replacement option");
 *  - the HPET's per-timer route (Tn_INT_ROUTE_CNF) drives I/O APIC pin n
 *    directly; a pin below 16 is wired-OR with ISA line n.
 *
 * Lines carry levels.  A source that pulses (raise, then lower at the same
 * instant) is counted as one raise.
 *
 * One listener sees every level change of an "intercept line", numbered as
 * QEMU's qtest reports them with `irq_intercept_in ioapic`: line n < 16 is
 * ISA IRQ n (OR the HPET's direct route to pin n), so the PIT is 0 (although
 * it reaches I/O APIC pin 2) and the RTC is 8; line n >= 16 is I/O APIC pin n.
 */
#ifndef SIM_DEVICES_IRQ_ROUTER_H
#define SIM_DEVICES_IRQ_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/irq.h"
#include "sim/core/simtime.h"
#include "sim/core/trace.h"

#define IRQ_ROUTER_ISA_LINES 16
#define IRQ_ROUTER_IOAPIC_PINS 24
#define IRQ_ROUTER_PIT_ISA 0       /* ISA IRQ of the PIT's OUT0 */
#define IRQ_ROUTER_RTC_ISA 8       /* ISA IRQ of the RTC */
#define IRQ_ROUTER_ISA0_PIN 2      /* I/O APIC pin of ISA IRQ0 (source override) */

/* Source numbers: the `pin` of each struct irq_line the router hands out. */
enum irq_router_src {
	IRQ_ROUTER_SRC_PIT = 0,
	IRQ_ROUTER_SRC_RTC,
	IRQ_ROUTER_SRC_HPET_LEG0,      /* HPET timer 0 in legacy mode -> IRQ0 */
	IRQ_ROUTER_SRC_HPET_LEG1,      /* HPET timer 1 in legacy mode -> IRQ8 */
	IRQ_ROUTER_SRC_HPET_ROUTE,     /* level = the HPET's LEG_RT_CNF */
	IRQ_ROUTER_SRC_HPET_PIN0,      /* ... + pin: HPET direct route to a pin */
	IRQ_ROUTER_NSRC = IRQ_ROUTER_SRC_HPET_PIN0 + IRQ_ROUTER_IOAPIC_PINS,
};

/* Called on every level change of intercept line `line` (see above). */
typedef void irq_router_listener_fn(void *ctx, unsigned line, bool level, sim_ps now);

/*
 * A source's resync hook: drive the line to its exact level at now and
 * re-read irq_router_observed().  A source may leave its line stale and
 * queue no edges while nobody observes it (the PIT does); the router calls
 * the hook before a route switch derives lines from it and after anything
 * that may change who observes it.
 */
typedef void irq_router_sync_fn(void *ctx, sim_ps now);

struct irq_router {
	bool src[IRQ_ROUTER_NSRC];                 /* level driven by each source */
	bool isa[IRQ_ROUTER_ISA_LINES];            /* derived: ISA (8259) inputs */
	bool ioapic[IRQ_ROUTER_IOAPIC_PINS];       /* derived: I/O APIC inputs */
	bool icpt[IRQ_ROUTER_IOAPIC_PINS];         /* derived: intercept lines */
	uint64_t isa_raises[IRQ_ROUTER_ISA_LINES];
	uint64_t ioapic_raises[IRQ_ROUTER_IOAPIC_PINS];
	struct irq_line lines[IRQ_ROUTER_NSRC];    /* endpoints handed to the chips */
	irq_router_listener_fn *listener;
	void *listener_ctx;
	struct sim_trace *trace;                   /* intercept-line edges go here; NULL: none */
	/* Added to the chips' time for the listener and the trace: a board on a VM's time base */
	sim_ps time_shift_ps;
	irq_router_sync_fn *sync[IRQ_ROUTER_NSRC];
	void *sync_ctx[IRQ_ROUTER_NSRC];
};

/* All lines low, no counts, no listener. */
void irq_router_init(struct irq_router *r);

/* Publishes every intercept-line edge as SIM_TRACE_IRQ_EDGE ("irqN") on trace (NULL: none). */
void irq_router_set_trace(struct irq_router *r, struct sim_trace *trace);

/* Sets (or with fn NULL removes) the one listener. */
void irq_router_set_listener(struct irq_router *r, irq_router_listener_fn *fn, void *ctx);

/*
 * Whether anything can see the edges source src drives: it reaches an
 * intercept line (the PIT and the RTC lose IRQ0 and IRQ8 while the HPET's
 * legacy replacement route holds them) and there is a listener or a trace
 * subscriber of intercept-line edges.  While false, the raise counts and
 * levels of the lines src drives may lag until the source resyncs.
 */
bool irq_router_observed(const struct irq_router *r, enum irq_router_src src);

/* Sets src's resync hook (fn NULL: none); ctx must outlive r's use. */
void irq_router_set_sync(struct irq_router *r, enum irq_router_src src, irq_router_sync_fn *fn,
			 void *ctx);

/*
 * Calls every resync hook at now: after installing a listener or a trace
 * mid-run, so that lazy sources drive their exact levels (the listener sees
 * those changes) and start queueing edges again.
 */
void irq_router_observers_changed(struct irq_router *r, sim_ps now);

/* Endpoints for the sources; valid as long as r lives. */
const struct irq_line *irq_router_pit_line(struct irq_router *r);
const struct irq_line *irq_router_rtc_line(struct irq_router *r);
/* IRQ_ROUTER_IOAPIC_PINS lines: element n drives I/O APIC pin n. */
const struct irq_line *irq_router_hpet_ioapic_lines(struct irq_router *r);
/* Two lines: [0] timer 0 -> IRQ0, [1] timer 1 -> IRQ8 (legacy replacement). */
const struct irq_line *irq_router_hpet_legacy_lines(struct irq_router *r);
/* High while the HPET's LEG_RT_CNF is set. */
const struct irq_line *irq_router_hpet_route_line(struct irq_router *r);

/* Drives a source directly (what the lines above do). */
void irq_router_set(struct irq_router *r, enum irq_router_src src, bool level, sim_ps now);

bool irq_router_isa_level(const struct irq_router *r, unsigned isa);
bool irq_router_ioapic_level(const struct irq_router *r, unsigned pin);
bool irq_router_intercept_level(const struct irq_router *r, unsigned line);
/* Rising edges seen so far. */
uint64_t irq_router_isa_raises(const struct irq_router *r, unsigned isa);
uint64_t irq_router_ioapic_raises(const struct irq_router *r, unsigned pin);
/* True while the HPET's legacy replacement route holds IRQ0 and IRQ8. */
bool irq_router_legacy_replaced(const struct irq_router *r);

#endif
