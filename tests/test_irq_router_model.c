/*
 * irq_router_model: the router against a model written from its header's
 * wiring rules alone.  The model keeps every source's level and, after each
 * change, derives every line from scratch (PIT and RTC on ISA 0 and 8, or
 * HPET timers 0 and 1 there under legacy replacement; ISA 0 on I/O APIC
 * pin 2, ISA n on pin n; an HPET route to pin n wired-OR with ISA n below
 * 16; intercept line n = ISA n OR the HPET's pin n), counting raises and
 * listing intercept-line edges in ascending line order.  Random sources and
 * levels, the route switch included; the listener's edges, the levels and
 * the raise counts must be the model's.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/devices/irq_router.h"

#define EDGES_MAX 64u

struct edge {
	unsigned line;
	bool level;
	sim_ps now;
};

struct seen {
	struct edge e[EDGES_MAX];
	unsigned n;
};

struct model {
	bool src[IRQ_ROUTER_NSRC];
	bool isa[IRQ_ROUTER_ISA_LINES], pin[IRQ_ROUTER_IOAPIC_PINS], icpt[IRQ_ROUTER_IOAPIC_PINS];
	uint64_t isa_raises[IRQ_ROUTER_ISA_LINES], pin_raises[IRQ_ROUTER_IOAPIC_PINS];
};

static void listen(void *ctx, unsigned line, bool level, sim_ps now)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, EDGES_MAX);
	s->e[s->n++] = (struct edge){ line, level, now };
}

static void model_set(struct model *m, unsigned src, bool level, sim_ps now, struct seen *out)
{
	bool leg, isa[IRQ_ROUTER_ISA_LINES] = { false };

	m->src[src] = level;
	leg = m->src[IRQ_ROUTER_SRC_HPET_ROUTE];
	isa[0] = m->src[leg ? IRQ_ROUTER_SRC_HPET_LEG0 : IRQ_ROUTER_SRC_PIT];
	isa[8] = m->src[leg ? IRQ_ROUTER_SRC_HPET_LEG1 : IRQ_ROUTER_SRC_RTC];
	for (unsigned n = 0; n < IRQ_ROUTER_ISA_LINES; n++) {
		m->isa_raises[n] += isa[n] && !m->isa[n];
		m->isa[n] = isa[n];
	}
	for (unsigned p = 0; p < IRQ_ROUTER_IOAPIC_PINS; p++) {
		bool from_isa = p == 2 ? isa[0] : p != 0 && p < IRQ_ROUTER_ISA_LINES && isa[p];
		bool pin = m->src[IRQ_ROUTER_SRC_HPET_PIN0 + p] || from_isa;

		m->pin_raises[p] += pin && !m->pin[p];
		m->pin[p] = pin;
	}
	for (unsigned n = 0; n < IRQ_ROUTER_IOAPIC_PINS; n++) {
		bool icpt = m->src[IRQ_ROUTER_SRC_HPET_PIN0 + n] ||
			    (n < IRQ_ROUTER_ISA_LINES && isa[n]);

		if (icpt != m->icpt[n]) {
			m->icpt[n] = icpt;
			out->e[out->n++] = (struct edge){ n, icpt, now };
		}
	}
}

Test(irq_router_model, every_source_and_the_switch_as_the_model)
{
	static struct irq_router r;
	struct model m;
	struct sim_rng rng;
	uint64_t edges = 0;

	memset(&m, 0, sizeof(m));
	irq_router_init(&r);
	sim_rng_init(&rng, 7, "test/irq_router_model");
	for (unsigned k = 0; k < 200000; k++) {
		struct seen got = { .n = 0 }, want = { .n = 0 };
		/* the timers' sources (and the switch) most often, the HPET's pins less */
		unsigned src = sim_rng_below(&rng, 2) ? (unsigned)sim_rng_below(&rng, 5) :
			       (unsigned)sim_rng_below(&rng, IRQ_ROUTER_NSRC);
		bool level = sim_rng_below(&rng, 2);
		sim_ps now = (sim_ps)k * 1000;

		/* the listener comes and goes: the levels and counts follow regardless */
		irq_router_set_listener(&r, k % 1000 < 900 ? listen : NULL, &got);
		if (m.src[src] != level)
			model_set(&m, src, level, now, &want);
		irq_router_set(&r, (enum irq_router_src)src, level, now);
		if (k % 1000 < 900) {
			cr_assert_eq(got.n, want.n, "step %u (source %u -> %d): %u edges, want %u", k, src,
				     level, got.n, want.n);
			for (unsigned i = 0; i < got.n; i++)
				cr_assert(got.e[i].line == want.e[i].line &&
					  got.e[i].level == want.e[i].level && got.e[i].now == now,
					  "step %u, edge %u: line %u -> %d, want line %u -> %d", k, i,
					  got.e[i].line, got.e[i].level, want.e[i].line, want.e[i].level);
			edges += got.n;
		}
		for (unsigned n = 0; n < IRQ_ROUTER_ISA_LINES; n++) {
			cr_assert_eq(irq_router_isa_level(&r, n), m.isa[n], "step %u, ISA %u", k, n);
			cr_assert_eq(irq_router_isa_raises(&r, n), m.isa_raises[n]);
		}
		for (unsigned p = 0; p < IRQ_ROUTER_IOAPIC_PINS; p++) {
			cr_assert_eq(irq_router_ioapic_level(&r, p), m.pin[p], "step %u, pin %u", k, p);
			cr_assert_eq(irq_router_ioapic_raises(&r, p), m.pin_raises[p]);
			cr_assert_eq(irq_router_intercept_level(&r, p), m.icpt[p]);
		}
	}
	cr_assert_gt(edges, 20000, "%" PRIu64 " edges", edges);
}
