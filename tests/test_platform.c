/*
 * platform: the pc board puts each timer at its PC address with its access
 * cost and wiring; irq_router: the standard PC routing (ISA IRQ0 -> I/O APIC
 * pin 2, the HPET's legacy replacement detaching PIT and RTC, the HPET's
 * direct pins), raise counts and the intercept listener.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/devices/irq_router.h"
#include "sim/devices/platform.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct change {
	unsigned line;
	bool level;
};

struct listen_log {
	struct change c[64];
	size_t n;
};

static void record(void *ctx, unsigned line, bool level, sim_ps now)
{
	struct listen_log *l = ctx;

	(void)now;
	cr_assert_lt(l->n, ARRAY_LEN(l->c));
	l->c[l->n++] = (struct change){ line, level };
}

static void expect_changes(const struct listen_log *l, const struct change *want, size_t n)
{
	cr_expect_eq(l->n, n, "%zu changes, expected %zu", l->n, n);
	for (size_t i = 0; i < n && i < l->n; i++) {
		cr_expect_eq(l->c[i].line, want[i].line, "change %zu: line", i);
		cr_expect_eq(l->c[i].level, want[i].level, "change %zu: level", i);
	}
}

/* ---- irq_router ---- */

Test(irq_router, pit_drives_isa0_and_ioapic_pin2)
{
	struct irq_router r;
	struct listen_log log = { .n = 0 };

	irq_router_init(&r);
	irq_router_set_listener(&r, record, &log);
	irq_set(irq_router_pit_line(&r), true, 0);
	cr_expect(irq_router_isa_level(&r, 0));
	cr_expect(irq_router_ioapic_level(&r, 2), "interrupt source override: IRQ0 -> pin 2");
	cr_expect_not(irq_router_ioapic_level(&r, 0));
	irq_set(irq_router_pit_line(&r), false, 0);
	expect_changes(&log, (const struct change[]){ { 0, true }, { 0, false } }, 2);
	cr_expect_eq(irq_router_isa_raises(&r, 0), 1);
	cr_expect_eq(irq_router_ioapic_raises(&r, 2), 1);
	cr_expect_eq(irq_router_ioapic_raises(&r, 0), 0);
}

Test(irq_router, rtc_drives_isa8_and_ioapic_pin8)
{
	struct irq_router r;
	struct listen_log log = { .n = 0 };

	irq_router_init(&r);
	irq_router_set_listener(&r, record, &log);
	irq_set(irq_router_rtc_line(&r), true, 0);
	cr_expect(irq_router_isa_level(&r, 8));
	cr_expect(irq_router_ioapic_level(&r, 8));
	expect_changes(&log, (const struct change[]){ { 8, true } }, 1);
}

Test(irq_router, repeated_level_is_not_a_change)
{
	struct irq_router r;
	struct listen_log log = { .n = 0 };

	irq_router_init(&r);
	irq_router_set_listener(&r, record, &log);
	irq_set(irq_router_pit_line(&r), false, 0);
	irq_set(irq_router_pit_line(&r), true, 0);
	irq_set(irq_router_pit_line(&r), true, 0);
	expect_changes(&log, (const struct change[]){ { 0, true } }, 1);
	cr_expect_eq(irq_router_isa_raises(&r, 0), 1);
}

Test(irq_router, legacy_route_detaches_pit_and_rtc)
{
	struct irq_router r;
	struct listen_log log = { .n = 0 };
	const struct irq_line *leg;

	irq_router_init(&r);
	leg = irq_router_hpet_legacy_lines(&r);
	irq_set(irq_router_pit_line(&r), true, 0);
	irq_set(irq_router_rtc_line(&r), true, 0);
	irq_router_set_listener(&r, record, &log);

	/* LEG_RT_CNF set: IRQ0 and IRQ8 follow HPET timers 0 and 1 (both low). */
	irq_set(irq_router_hpet_route_line(&r), true, 0);
	cr_expect(irq_router_legacy_replaced(&r));
	cr_expect_not(irq_router_isa_level(&r, 0));
	cr_expect_not(irq_router_ioapic_level(&r, 2));
	cr_expect_not(irq_router_isa_level(&r, 8));
	/* The PIT and the RTC no longer reach anything. */
	irq_set(irq_router_pit_line(&r), false, 0);
	irq_set(irq_router_pit_line(&r), true, 0);
	/* HPET timer 0 pulses IRQ0; timer 1 raises IRQ8. */
	irq_set(&leg[0], true, 0);
	irq_set(&leg[0], false, 0);
	irq_set(&leg[1], true, 0);
	cr_expect(irq_router_ioapic_level(&r, 8));
	/* LEG_RT_CNF cleared: the PIT (high) and the RTC (high) are back. */
	irq_set(&leg[1], false, 0);
	irq_set(irq_router_hpet_route_line(&r), false, 0);
	expect_changes(&log, (const struct change[]){
		{ 0, false }, { 8, false },     /* detach, in line order */
		{ 0, true }, { 0, false },      /* HPET timer 0 pulse */
		{ 8, true }, { 8, false },      /* HPET timer 1 */
		{ 0, true }, { 8, true },       /* re-attach */
	}, 8);
	cr_expect_eq(irq_router_isa_raises(&r, 0), 3);
	cr_expect_eq(irq_router_ioapic_raises(&r, 2), 3);
}

Test(irq_router, hpet_direct_routes_reach_ioapic_pins_only)
{
	struct irq_router r;
	struct listen_log log = { .n = 0 };
	const struct irq_line *pins;

	irq_router_init(&r);
	irq_router_set_listener(&r, record, &log);
	pins = irq_router_hpet_ioapic_lines(&r);
	irq_set(&pins[20], true, 0);
	cr_expect(irq_router_ioapic_level(&r, 20));
	irq_set(&pins[20], false, 0);
	/* Pin 2 is wired-OR with ISA IRQ0 (through the override); ISA line 2 stays low. */
	irq_set(&pins[2], true, 0);
	cr_expect(irq_router_ioapic_level(&r, 2));
	cr_expect_not(irq_router_isa_level(&r, 2));
	irq_set(irq_router_pit_line(&r), true, 0);
	irq_set(&pins[2], false, 0);
	cr_expect(irq_router_ioapic_level(&r, 2), "the PIT still holds pin 2");
	cr_expect_eq(irq_router_ioapic_raises(&r, 2), 1);
	expect_changes(&log, (const struct change[]){
		{ 20, true }, { 20, false }, { 2, true }, { 0, true }, { 2, false },
	}, 5);
	cr_expect_eq(irq_router_ioapic_raises(&r, 20), 1);
}

Test(irq_router, out_of_range_queries_are_low)
{
	struct irq_router r;

	irq_router_init(&r);
	cr_expect_not(irq_router_isa_level(&r, 16));
	cr_expect_not(irq_router_ioapic_level(&r, 24));
	cr_expect_eq(irq_router_isa_raises(&r, 99), 0);
	irq_router_set(&r, IRQ_ROUTER_NSRC, true, 0);   /* ignored */
}

/* ---- platform ---- */

struct board {
	struct sim_eventq q;
	struct platform pf;
};

static void board_init(struct board *b, const struct platform_params *p)
{
	struct platform_params def;
	struct sim_diag err;

	if (!p) {
		platform_params_default(&def);
		p = &def;
	}
	sim_eventq_init(&b->q);
	sim_diag_clear(&err);
	cr_assert(platform_init(&b->pf, &b->q, p, &err), "platform_init: %s", err.msg);
}

static void board_finish(struct board *b)
{
	platform_finish(&b->pf);
	sim_eventq_finish(&b->q);
}

Test(platform, defaults)
{
	struct platform_params p;

	platform_params_default(&p);
	cr_expect_eq(p.hpet_freq.num / p.hpet_freq.den, 14318180);
	cr_expect_eq(p.hpet_timers, 3);
	cr_expect(p.hpet_legacy_route_cap);
	cr_expect_eq(p.pmtimer_port, 0x608);
	cr_expect_eq(p.pmtimer_bits, 24);
	cr_expect_eq(p.hpet_vendor_id, 0x8086);
	cr_expect(p.hpet_counter_64bit);
	cr_expect_eq(p.hpet_int_route_cap, 0xfu << 20);             /* I/O APIC pins 20-23 */
	/* 2000-01-01: 30 years of 365 days plus 7 leap days (1972 ... 1996) after 1970. */
	cr_expect_eq(p.rtc_base_utc_s, (30 * 365 + 7) * INT64_C(86400));
	cr_expect_eq(p.cost_ps[BOARD_DEV_PIT], 1500 * SIM_PS_PER_NS);
	cr_expect_eq(p.cost_ps[BOARD_DEV_RTC], 1500 * SIM_PS_PER_NS);
	cr_expect_eq(p.cost_ps[BOARD_DEV_PMTIMER], 1500 * SIM_PS_PER_NS);
	cr_expect_eq(p.cost_ps[BOARD_DEV_HPET], 2000 * SIM_PS_PER_NS);
	cr_expect_eq(p.io_unmapped_cost_ps, 1500 * SIM_PS_PER_NS);
	cr_expect_eq(p.mmio_unmapped_cost_ps, 2000 * SIM_PS_PER_NS);
}

/* Each row of BOARD_DEVICES is a chip in its own file: how the board builds it. */
Test(platform, every_row_has_its_chip)
{
	const struct board_chip *const chips[] = {
#define CHIP_ITEM(id, stem) [BOARD_DEV_##id] = &stem##_chip,
		BOARD_DEVICES(CHIP_ITEM)
#undef CHIP_ITEM
	};

	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		cr_expect_gt(chips[d]->size, 0, "%s", board_device_name((enum board_device)d));
		cr_expect_not_null(chips[d]->attach, "%s", board_device_name((enum board_device)d));
		/* A default cost of 0 would make the device free to read: a forgotten field. */
		cr_expect_gt(chips[d]->cost_ps, 0, "%s", board_device_name((enum board_device)d));
	}
}

Test(platform, devices_answer_at_their_addresses)
{
	struct board b;
	sim_ps cost;

	board_init(&b, NULL);
	/* HPET capabilities: vendor 8086, LEG_RT_CAP, 64-bit, 3 timers, rev 1; 69841279 fs. */
	cr_expect_eq(platform_mmio_read(&b.pf, 0xfed00000, 8, &cost), 0x0429b17f8086a201u);
	cr_expect_eq(cost, PLATFORM_MMIO_COST_PS_DEFAULT);
	/* RTC register D: VRT. */
	platform_io_write(&b.pf, 0x70, 0x0d, 1, &cost);
	cr_expect_eq(cost, PLATFORM_PIO_COST_PS_DEFAULT);
	cr_expect_eq(platform_io_read(&b.pf, 0x71, 1, NULL), 0x80);
	/* PM timer: 0 at t = 0; 3579545 Hz * 1 ms = 3579 at 1 ms. */
	cr_expect_eq(platform_io_read(&b.pf, 0x608, 4, NULL), 0);
	cr_assert(sim_eventq_run_until(&b.q, SIM_PS_PER_MS, NULL));
	cr_expect_eq(platform_io_read(&b.pf, 0x608, 4, NULL), 3579);
	/* Port 0x61: gate 2 as written. */
	platform_io_write(&b.pf, 0x61, 0x01, 1, NULL);
	cr_expect_eq(platform_io_read(&b.pf, 0x61, 1, NULL) & 0x01, 0x01);
	/* Nothing at 0x80 or past the HPET. */
	cr_expect_eq(platform_io_read(&b.pf, 0x80, 1, NULL), 0xff);
	cr_expect_eq(platform_mmio_read(&b.pf, 0xfed00400, 4, NULL), 0xffffffffu);
	board_finish(&b);
}

Test(platform, access_costs_follow_the_params)
{
	struct platform_params p;
	struct board b;
	sim_ps cost;

	platform_params_default(&p);
	p.cost_ps[BOARD_DEV_PIT] = 11;
	p.cost_ps[BOARD_DEV_RTC] = 22;
	p.cost_ps[BOARD_DEV_PMTIMER] = 33;
	p.cost_ps[BOARD_DEV_HPET] = 44;
	p.io_unmapped_cost_ps = 55;
	p.mmio_unmapped_cost_ps = 66;
	board_init(&b, &p);
	platform_io_read(&b.pf, 0x40, 1, &cost);
	cr_expect_eq(cost, 11);
	platform_io_read(&b.pf, 0x61, 1, &cost);
	cr_expect_eq(cost, 11);
	platform_io_read(&b.pf, 0x71, 1, &cost);
	cr_expect_eq(cost, 22);
	platform_io_read(&b.pf, 0x608, 4, &cost);
	cr_expect_eq(cost, 33);
	platform_mmio_read(&b.pf, 0xfed000f0, 8, &cost);
	cr_expect_eq(cost, 44);
	platform_io_read(&b.pf, 0x80, 1, &cost);
	cr_expect_eq(cost, 55);
	platform_mmio_read(&b.pf, 0, 4, &cost);
	cr_expect_eq(cost, 66);
	board_finish(&b);
}

Test(platform, pmtimer_port_and_width_are_params)
{
	struct platform_params p;
	struct board b;

	platform_params_default(&p);
	p.pmtimer_port = 0xb008;
	p.pmtimer_bits = 32;
	board_init(&b, &p);
	cr_expect_eq(platform_io_read(&b.pf, 0x608, 4, NULL), 0xffffffffu);
	cr_assert(sim_eventq_run_until(&b.q, SIM_PS_PER_MS, NULL));
	cr_expect_eq(platform_io_read(&b.pf, 0xb008, 4, NULL), 3579);
	board_finish(&b);
}

Test(platform, invalid_params_are_errors)
{
	static const struct {
		uint16_t port;
		unsigned bits;
		const char *word;
	} cases[] = {
		{ 0x608, 16, "width" },
		{ 0x40, 24, "overlaps" },      /* on the PIT */
		{ 0x6f, 24, "overlaps" },      /* 0x6f-0x72 reaches the RTC */
		{ 0xfffe, 24, "address space" },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct platform_params p;
		struct sim_eventq q;
		struct platform pf;
		struct sim_diag err;

		platform_params_default(&p);
		p.pmtimer_port = cases[i].port;
		p.pmtimer_bits = cases[i].bits;
		sim_eventq_init(&q);
		sim_diag_clear(&err);
		cr_expect_not(platform_init(&pf, &q, &p, &err), "case %zu accepted", i);
		cr_expect(strstr(err.msg, cases[i].word), "case %zu: message \"%s\"", i, err.msg);
		platform_finish(&pf);
		sim_eventq_finish(&q);
	}
}

Test(platform, pit_interrupts_reach_isa0_and_pin2)
{
	struct board b;
	struct listen_log log = { .n = 0 };

	board_init(&b, NULL);
	irq_router_set_listener(&b.pf.irq, record, &log);
	/* Channel 0, mode 2, count 100: OUT0 high at the control word, then low
	 * on each count of 1 (edge 100 + 100k) and high again an edge later. */
	platform_io_write(&b.pf, 0x43, 0x34, 1, NULL);
	platform_io_write(&b.pf, 0x40, 100, 1, NULL);
	platform_io_write(&b.pf, 0x40, 0, 1, NULL);
	/* 1 ms = 1193 CLK edges: rises at the control word and at edges 101..1101. */
	cr_assert(sim_eventq_run_until(&b.q, SIM_PS_PER_MS, NULL));
	cr_expect_eq(irq_router_isa_raises(&b.pf.irq, 0), 12);
	cr_expect_eq(irq_router_ioapic_raises(&b.pf.irq, 2), 12);
	cr_expect_eq(irq_router_ioapic_raises(&b.pf.irq, 0), 0);
	cr_expect_eq(log.n, 23, "12 raises and 11 lowers");
	for (size_t i = 0; i < log.n; i++)
		cr_expect_eq(log.c[i].line, 0);
	board_finish(&b);
}

Test(platform, finish_accepts_a_zeroed_board)
{
	struct platform pf;

	memset(&pf, 0, sizeof(pf));
	platform_finish(&pf);
	platform_finish(NULL);
}

/* ---- the trace stream: bus accesses and interrupt edges ---- */

#define MAX_RECS 16

struct rec_log {
	unsigned n;
	struct sim_trace_record rec[MAX_RECS];
};

static void keep(void *ctx, const struct sim_trace_record *rec)
{
	struct rec_log *log = ctx;

	cr_assert_lt(log->n, MAX_RECS);
	log->rec[log->n++] = *rec;
}

Test(platform, trace_publishes_accesses_and_irq_edges)
{
	struct platform_params p;
	struct sim_trace trace;
	struct rec_log log = { 0 };
	struct board b;
	const struct sim_trace_record *r;

	sim_trace_init(&trace);
	cr_assert(sim_trace_subscribe(&trace, SIM_TRACE_BIT(SIM_TRACE_DEVICE_ACCESS) |
				      SIM_TRACE_BIT(SIM_TRACE_IRQ_EDGE), keep, &log));
	platform_params_default(&p);
	p.trace = &trace;
	board_init(&b, &p);
	/* PIT channel 0, mode 2: the control word drives OUT0 high (8254, mode 2). */
	platform_io_write(&b.pf, 0x43, 0x34, 1, NULL);
	cr_assert_eq(log.n, 2);
	r = &log.rec[0];
	cr_expect_eq(r->kind, SIM_TRACE_DEVICE_ACCESS);
	cr_expect_str_eq(r->u.access.device, "pit");
	cr_expect_eq(r->u.access.bus, SIM_TRACE_BUS_PORT);
	cr_expect_eq(r->u.access.addr, 0x43);
	cr_expect_eq(r->u.access.size, 1);
	cr_expect(r->u.access.write);
	cr_expect_eq(r->u.access.value, 0x34);
	r = &log.rec[1];
	cr_expect_eq(r->kind, SIM_TRACE_IRQ_EDGE);
	cr_expect_str_eq(r->u.irq.line, "irq0");
	cr_expect_eq(r->u.irq.pin, 0);
	cr_expect(r->u.irq.level);
	/* An HPET read on the MMIO bus: the capability register's low half. */
	cr_expect_eq(platform_mmio_read(&b.pf, PLATFORM_HPET_BASE, 4, NULL), 0x8086a201);
	cr_assert_eq(log.n, 3);
	r = &log.rec[2];
	cr_expect_str_eq(r->u.access.device, "hpet");
	cr_expect_eq(r->u.access.bus, SIM_TRACE_BUS_MMIO);
	cr_expect_not(r->u.access.write);
	cr_expect_eq(r->u.access.value, 0x8086a201);
	/* A port nothing decodes still is an access. */
	platform_io_read(&b.pf, 0x80, 1, NULL);
	cr_assert_eq(log.n, 4);
	cr_expect_str_eq(log.rec[3].u.access.device, "unmapped");
	cr_expect_eq(log.rec[3].u.access.value, 0xff);
	board_finish(&b);
}

Test(platform, no_trace_no_records)
{
	struct sim_trace trace;
	struct rec_log log = { 0 };
	struct platform_params p;
	struct board b;

	/* A stream whose subscriber wants other kinds gets nothing from the board. */
	sim_trace_init(&trace);
	cr_assert(sim_trace_subscribe(&trace, SIM_TRACE_BIT(SIM_TRACE_READ), keep, &log));
	platform_params_default(&p);
	p.trace = &trace;
	board_init(&b, &p);
	platform_io_write(&b.pf, 0x43, 0x34, 1, NULL);
	cr_expect_eq(log.n, 0);
	board_finish(&b);
}

/* ---- the board's deadlines ---- */

static void nop_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	(void)q;
	(void)ev;
	(void)now;
}

Test(platform, next_deadline_is_the_minimum_over_the_board_only)
{
	struct board b;
	struct sim_event other;

	board_init(&b, NULL);
	cr_expect_eq(platform_next_deadline(&b.pf), SIM_NEVER, "idle after power-on");
	/* Someone else's device-priority event is not the board's. */
	sim_event_init(&other, "apic", SIM_PRIO_DEVICE, nop_fire);
	cr_assert(sim_schedule(&b.q, &other, 100 * SIM_PS_PER_NS));
	cr_expect_eq(platform_next_deadline(&b.pf), SIM_NEVER);
	/* RTC PIE at 1024 Hz: first tap edge 16 / 32768 s = 488281250 ps. */
	platform_io_write(&b.pf, 0x70, 0x0b, 1, NULL);
	platform_io_write(&b.pf, 0x71, 0x42, 1, NULL);
	cr_expect_eq(platform_next_deadline(&b.pf), 488281250);
	/* PIT mode 2, count 2 at t = 0: OUT0 low at CLK edge 2, ceil(2 * 838095.238) ps. */
	platform_io_write(&b.pf, 0x43, 0x34, 1, NULL);
	platform_io_write(&b.pf, 0x40, 2, 1, NULL);
	platform_io_write(&b.pf, 0x40, 0, 1, NULL);
	cr_expect_eq(platform_next_deadline(&b.pf), 1676191);
	/* Finishing the board cancels its events and leaves others queued. */
	platform_finish(&b.pf);
	cr_expect_eq(sim_eventq_next(&b.q), 100 * SIM_PS_PER_NS);
	/* The chips are gone: the ports read as nothing (no use after free). */
	cr_expect_eq(platform_io_read(&b.pf, 0x40, 1, NULL), 0xff);
	cr_expect_eq(platform_next_deadline(&b.pf), SIM_NEVER);
	sim_cancel(&b.q, &other);
	sim_eventq_finish(&b.q);
}

Test(platform, every_slot_has_a_device_named_by_the_list)
{
	struct board b;

	board_init(&b, NULL);
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		struct device *dev = platform_device(&b.pf, (enum board_device)d);

		cr_assert_not_null(dev, "slot %u", d);
		cr_expect_str_eq(dev->ops->kind, board_device_name((enum board_device)d));
	}
	cr_expect_null(platform_device(&b.pf, BOARD_DEV_COUNT));
	board_finish(&b);
}
