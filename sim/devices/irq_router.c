/*
 * PC interrupt routing: each source keeps its own level and every derived
 * line (ISA input, I/O APIC pin, intercept line) is recomputed from all the
 * sources on each change, so a route switch moves every line at once.
 * Changes are reported in ascending line order, which keeps output
 * deterministic when one switch moves several lines.
 */
#include "sim/devices/irq_router.h"

#include <string.h>

static void line_set(void *sink, unsigned pin, bool level, sim_ps now)
{
	irq_router_set(sink, (enum irq_router_src)pin, level, now);
}

void irq_router_init(struct irq_router *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < IRQ_ROUTER_NSRC; i++)
		r->lines[i] = (struct irq_line){ .set = line_set, .sink = r, .pin = i };
}

void irq_router_set_listener(struct irq_router *r, irq_router_listener_fn *fn, void *ctx)
{
	r->listener = fn;
	r->listener_ctx = fn ? ctx : NULL;
}

const struct irq_line *irq_router_pit_line(struct irq_router *r)
{
	return &r->lines[IRQ_ROUTER_SRC_PIT];
}

const struct irq_line *irq_router_rtc_line(struct irq_router *r)
{
	return &r->lines[IRQ_ROUTER_SRC_RTC];
}

const struct irq_line *irq_router_hpet_ioapic_lines(struct irq_router *r)
{
	return &r->lines[IRQ_ROUTER_SRC_HPET_PIN0];
}

const struct irq_line *irq_router_hpet_legacy_lines(struct irq_router *r)
{
	return &r->lines[IRQ_ROUTER_SRC_HPET_LEG0];
}

const struct irq_line *irq_router_hpet_route_line(struct irq_router *r)
{
	return &r->lines[IRQ_ROUTER_SRC_HPET_ROUTE];
}

/* The ISA lines the timers drive: the PIT and the RTC, or the HPET in legacy replacement. */
static const struct isa_wire {
	unsigned isa;
	enum irq_router_src normal, legacy;
} isa_wires[] = {
	{ IRQ_ROUTER_PIT_ISA, IRQ_ROUTER_SRC_PIT, IRQ_ROUTER_SRC_HPET_LEG0 },
	{ IRQ_ROUTER_RTC_ISA, IRQ_ROUTER_SRC_RTC, IRQ_ROUTER_SRC_HPET_LEG1 },
};

/* The ISA (8259) inputs. */
static void derive_isa(const struct irq_router *r, bool isa[IRQ_ROUTER_ISA_LINES])
{
	bool leg = r->src[IRQ_ROUTER_SRC_HPET_ROUTE];

	memset(isa, 0, IRQ_ROUTER_ISA_LINES * sizeof(isa[0]));
	for (unsigned i = 0; i < sizeof(isa_wires) / sizeof(isa_wires[0]); i++)
		isa[isa_wires[i].isa] = r->src[leg ? isa_wires[i].legacy : isa_wires[i].normal];
}

/* I/O APIC pin p: ISA line p (ISA 0 on pin 2, nothing on pin 0) OR the HPET's route. */
static bool derive_pin(const bool isa[IRQ_ROUTER_ISA_LINES], const struct irq_router *r,
		       unsigned p)
{
	bool level = r->src[IRQ_ROUTER_SRC_HPET_PIN0 + p];

	if (p == IRQ_ROUTER_ISA0_PIN)
		level = level || isa[0];
	else if (p != 0 && p < IRQ_ROUTER_ISA_LINES)
		level = level || isa[p];
	return level;
}

/* Intercept line n: ISA line n OR the HPET's route to pin n (QEMU's GSI n). */
static bool derive_icpt(const bool isa[IRQ_ROUTER_ISA_LINES], const struct irq_router *r,
			unsigned n)
{
	bool level = r->src[IRQ_ROUTER_SRC_HPET_PIN0 + n];

	return n < IRQ_ROUTER_ISA_LINES ? level || isa[n] : level;
}

void irq_router_set_trace(struct irq_router *r, struct sim_trace *trace)
{
	r->trace = trace;
}

/* An intercept line's edge on the trace stream, named as qtest numbers it. */
static void publish_edge(const struct irq_router *r, unsigned line, bool level, sim_ps now)
{
	static const char *const names[] = { "irq0", "irq1", "irq2", "irq3", "irq4", "irq5", "irq6", "irq7", "irq8", "irq9", "irq10", "irq11", "irq12", "irq13", "irq14", "irq15", "irq16", "irq17", "irq18", "irq19", "irq20", "irq21", "irq22", "irq23" };
	struct sim_trace_record rec;

	_Static_assert(sizeof(names) / sizeof(names[0]) == IRQ_ROUTER_IOAPIC_PINS,
		       "one name per intercept line");
	if (!sim_trace_wants(r->trace, SIM_TRACE_IRQ_EDGE))
		return;
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_IRQ_EDGE, .t_ps = now };
	rec.u.irq = (struct sim_trace_irq_edge){ .line = names[line], .pin = line, .level = level };
	sim_trace_publish(r->trace, &rec);
}

bool irq_router_observed(const struct irq_router *r, enum irq_router_src src)
{
	bool leg = r->src[IRQ_ROUTER_SRC_HPET_ROUTE];

	if ((src == IRQ_ROUTER_SRC_PIT || src == IRQ_ROUTER_SRC_RTC) && leg)
		return false;
	if ((src == IRQ_ROUTER_SRC_HPET_LEG0 || src == IRQ_ROUTER_SRC_HPET_LEG1) && !leg)
		return false;
	return r->listener || sim_trace_wants(r->trace, SIM_TRACE_IRQ_EDGE);
}

void irq_router_set_sync(struct irq_router *r, enum irq_router_src src, irq_router_sync_fn *fn,
			 void *ctx)
{
	if ((unsigned)src >= IRQ_ROUTER_NSRC)
		return;
	r->sync[src] = fn;
	r->sync_ctx[src] = fn ? ctx : NULL;
}

void irq_router_observers_changed(struct irq_router *r, sim_ps now)
{
	for (unsigned i = 0; i < IRQ_ROUTER_NSRC; i++)
		if (r->sync[i])
			r->sync[i](r->sync_ctx[i], now);
}

/*
 * Lines [lo, hi) of each kind from isa and the sources, in the order a full
 * recompute reports them: ISA raises, pin raises, intercept edges.
 */
struct line_span {
	unsigned isa_lo, isa_hi, pin_lo, pin_hi, icpt_lo, icpt_hi;
};

static void refresh(struct irq_router *r, const bool isa[IRQ_ROUTER_ISA_LINES],
		    struct line_span sp, sim_ps now)
{
	for (unsigned n = sp.isa_lo; n < sp.isa_hi; n++) {
		if (isa[n] && !r->isa[n])
			r->isa_raises[n]++;
		r->isa[n] = isa[n];
	}
	for (unsigned p = sp.pin_lo; p < sp.pin_hi; p++) {
		bool pin = derive_pin(isa, r, p);

		if (pin && !r->ioapic[p])
			r->ioapic_raises[p]++;
		r->ioapic[p] = pin;
	}
	for (unsigned n = sp.icpt_lo; n < sp.icpt_hi; n++) {
		bool icpt = derive_icpt(isa, r, n);

		if (icpt == r->icpt[n])
			continue;
		r->icpt[n] = icpt;
		publish_edge(r, n, icpt, now + r->time_shift_ps);
		if (r->listener)
			r->listener(r->listener_ctx, n, icpt, now + r->time_shift_ps);
	}
}

/*
 * The lines a source other than the route switch feeds: its ISA line, that
 * line's pin (ISA 0 on pin 2) and intercept line, or an HPET pin and its
 * intercept line.  Every other line derives from other sources alone, so
 * it keeps its level: refreshing these is the full recompute's effect.
 */
static struct line_span span_of(enum irq_router_src src)
{
	unsigned n;

	if (src >= IRQ_ROUTER_SRC_HPET_PIN0) {
		n = src - IRQ_ROUTER_SRC_HPET_PIN0;
		return (struct line_span){ 0, 0, n, n + 1, n, n + 1 };
	}
	for (unsigned i = 0; i < sizeof(isa_wires) / sizeof(isa_wires[0]); i++) {
		if (src != isa_wires[i].normal && src != isa_wires[i].legacy)
			continue;
		n = isa_wires[i].isa;
		return (struct line_span){ n, n + 1, n ? n : IRQ_ROUTER_ISA0_PIN,
					   (n ? n : IRQ_ROUTER_ISA0_PIN) + 1, n, n + 1 };
	}
	return (struct line_span){ 0, IRQ_ROUTER_ISA_LINES, 0, IRQ_ROUTER_IOAPIC_PINS, 0,
				   IRQ_ROUTER_IOAPIC_PINS };
}

void irq_router_set(struct irq_router *r, enum irq_router_src src, bool level, sim_ps now)
{
	bool isa[IRQ_ROUTER_ISA_LINES];
	bool route = src == IRQ_ROUTER_SRC_HPET_ROUTE;

	if ((unsigned)src >= IRQ_ROUTER_NSRC || r->src[src] == level)
		return;
	/* A lazy source's level must be exact before the switch derives lines from it. */
	if (route)
		irq_router_observers_changed(r, now);
	r->src[src] = level;
	derive_isa(r, isa);
	/* the switch moves every line; any other source only its own */
	refresh(r, isa, span_of(src), now);
	if (route)
		irq_router_observers_changed(r, now);
}

bool irq_router_isa_level(const struct irq_router *r, unsigned isa)
{
	return isa < IRQ_ROUTER_ISA_LINES && r->isa[isa];
}

bool irq_router_ioapic_level(const struct irq_router *r, unsigned pin)
{
	return pin < IRQ_ROUTER_IOAPIC_PINS && r->ioapic[pin];
}

bool irq_router_intercept_level(const struct irq_router *r, unsigned line)
{
	return line < IRQ_ROUTER_IOAPIC_PINS && r->icpt[line];
}

uint64_t irq_router_isa_raises(const struct irq_router *r, unsigned isa)
{
	return isa < IRQ_ROUTER_ISA_LINES ? r->isa_raises[isa] : 0;
}

uint64_t irq_router_ioapic_raises(const struct irq_router *r, unsigned pin)
{
	return pin < IRQ_ROUTER_IOAPIC_PINS ? r->ioapic_raises[pin] : 0;
}

bool irq_router_legacy_replaced(const struct irq_router *r)
{
	return r->src[IRQ_ROUTER_SRC_HPET_ROUTE];
}
