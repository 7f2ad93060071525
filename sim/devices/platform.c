/*
 * The "pc" board: one slot per board device (board_devices.h).  Each row of
 * `slots` builds its chip, wires its outputs through the interrupt router
 * and maps it on the port or MMIO bus.
 */
#include "sim/devices/platform.h"

#include <stdlib.h>
#include <string.h>

#include "sim/core/platform_clocks.h"
#include "sim/devices/hpet.h"
#include "sim/devices/pit.h"
#include "sim/devices/pmtimer.h"
#include "sim/devices/rtc.h"

void platform_params_default(struct platform_params *p)
{
	struct hpet_params hp;

	hpet_params_default(&hp);
	memset(p, 0, sizeof(*p));
	p->hpet_freq = hp.freq;
	p->hpet_timers = hp.ntimers;
	p->hpet_vendor_id = hp.vendor_id;
	p->hpet_counter_64bit = hp.counter_64bit;
	p->hpet_legacy_route_cap = hp.legacy_route_cap;
	p->hpet_int_route_cap = hp.int_route_cap;
	p->pmtimer_port = PLATFORM_PMTIMER_PORT_DEFAULT;
	p->pmtimer_bits = 24;
	p->rtc_base_utc_s = PLATFORM_RTC_BASE_UTC_S_DEFAULT;
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++)
		p->cost_ps[d] = PLATFORM_PIO_COST_PS_DEFAULT;
	p->cost_ps[BOARD_DEV_HPET] = PLATFORM_MMIO_COST_PS_DEFAULT;
	p->io_unmapped_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->mmio_unmapped_cost_ps = PLATFORM_MMIO_COST_PS_DEFAULT;
}

/* Allocates a slot's chip; false (err filled) when memory runs out. */
static void *new_chip(struct platform_slot *s, size_t size, struct sim_diag *err)
{
	s->chip = calloc(1, size);
	if (!s->chip)
		sim_diag_fail(err, "pc board: out of memory");
	return s->chip;
}

static bool attach_pit(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const sim_ps cost = pf->params.cost_ps[BOARD_DEV_PIT];
	struct pit *pit = new_chip(s, sizeof(*pit), err);

	if (!pit)
		return false;
	pit_init(pit, "pit0", pf->q, (struct sim_freq){ SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN },
		 irq_router_pit_line(&pf->irq));
	s->dev = pit_device(pit);
	return bus_map(&pf->io, PLATFORM_PIT_PORT, 4, pit_device(pit), cost, "pit", err) &&
	       bus_map(&pf->io, PLATFORM_PIT_PORT61, 1, pit_port61_device(pit), cost, "port61",
		       err);
}

static bool attach_rtc(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	struct rtc *rtc = new_chip(s, sizeof(*rtc), err);

	if (!rtc)
		return false;
	rtc_init(rtc, "rtc0", pf->q, irq_router_rtc_line(&pf->irq), pf->params.rtc_base_utc_s);
	s->dev = rtc_device(rtc);
	return bus_map(&pf->io, PLATFORM_RTC_PORT, 2, s->dev, pf->params.cost_ps[BOARD_DEV_RTC],
		       "rtc", err);
}

static bool attach_hpet(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const struct platform_params *p = &pf->params;
	const struct irq_line *legacy = irq_router_hpet_legacy_lines(&pf->irq);
	struct hpet *h = new_chip(s, sizeof(*h), err);
	struct hpet_params hp;

	if (!h)
		return false;
	hpet_params_default(&hp);
	hp.freq = p->hpet_freq;
	hp.ntimers = p->hpet_timers;
	hp.vendor_id = p->hpet_vendor_id;
	hp.counter_64bit = p->hpet_counter_64bit;
	hp.legacy_route_cap = p->hpet_legacy_route_cap;
	hp.int_route_cap = p->hpet_int_route_cap;
	if (!hpet_init(h, "hpet0", pf->q, &hp, irq_router_hpet_ioapic_lines(&pf->irq),
		       IRQ_ROUTER_IOAPIC_PINS, &legacy[0], &legacy[1],
		       irq_router_hpet_route_line(&pf->irq), err))
		return false;
	s->dev = hpet_device(h);
	return bus_map(&pf->mmio, PLATFORM_HPET_BASE, PLATFORM_HPET_LEN, s->dev,
		       p->cost_ps[BOARD_DEV_HPET], "hpet", err);
}

static bool attach_pmtimer(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const struct platform_params *p = &pf->params;
	struct pmtimer *pm;

	if (p->pmtimer_bits != 24 && p->pmtimer_bits != 32)
		return sim_diag_fail(err, "pc board: PM timer width %u: expected 24 or 32 bits",
				     p->pmtimer_bits);
	pm = new_chip(s, sizeof(*pm), err);
	if (!pm)
		return false;
	pmtimer_init(pm, "pmtimer0", sim_freq_hz(SIM_PMTIMER_FREQ_HZ), p->pmtimer_bits);
	s->dev = pmtimer_device(pm);
	return bus_map(&pf->io, p->pmtimer_port, PLATFORM_PMTIMER_LEN, s->dev,
		       p->cost_ps[BOARD_DEV_PMTIMER], "pmtimer", err);
}

typedef bool attach_fn(struct platform *pf, struct platform_slot *s, struct sim_diag *err);

/* One row per board device, in the order of enum board_device. */
static attach_fn *const slots[] = {
	[BOARD_DEV_PIT] = attach_pit,
	[BOARD_DEV_RTC] = attach_rtc,
	[BOARD_DEV_HPET] = attach_hpet,
	[BOARD_DEV_PMTIMER] = attach_pmtimer,
};
_Static_assert(sizeof(slots) / sizeof(slots[0]) == BOARD_DEV_COUNT, "one slot per board device");

bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err)
{
	memset(pf, 0, sizeof(*pf));
	pf->q = q;
	pf->params = *p;
	irq_router_init(&pf->irq);
	irq_router_set_trace(&pf->irq, p->trace);
	bus_init(&pf->io, "io", 16, p->io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, p->mmio_unmapped_cost_ps);
	bus_set_trace(&pf->io, p->trace, SIM_TRACE_BUS_PORT);
	bus_set_trace(&pf->mmio, p->trace, SIM_TRACE_BUS_MMIO);
	pf->live = true;
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		if (!slots[d](pf, &pf->slot[d], err)) {
			platform_finish(pf);
			return false;
		}
	}
	return true;
}

void platform_finish(struct platform *pf)
{
	if (!pf || !pf->live)
		return;
	for (unsigned d = BOARD_DEV_COUNT; d-- > 0;) {
		struct platform_slot *s = &pf->slot[d];

		if (s->dev && s->dev->ops->finish)
			s->dev->ops->finish(s->dev);
		free(s->chip);
		*s = (struct platform_slot){ 0 };
	}
	/* The regions pointed into the chips: a later access reads as unmapped. */
	bus_init(&pf->io, "io", 16, pf->params.io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, pf->params.mmio_unmapped_cost_ps);
	irq_router_set_listener(&pf->irq, NULL, NULL);
	pf->live = false;
}

sim_ps platform_next_deadline(const struct platform *pf)
{
	sim_ps t = SIM_NEVER;

	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		const struct device *dev = pf->slot[d].dev;
		sim_ps n;

		if (!dev || !dev->ops->next_deadline)
			continue;
		n = dev->ops->next_deadline(dev);
		if (n < t)
			t = n;
	}
	return t;
}

struct device *platform_device(const struct platform *pf, enum board_device d)
{
	return (unsigned)d < BOARD_DEV_COUNT ? pf->slot[d].dev : NULL;
}

static sim_ps now_of(const struct platform *pf)
{
	return pf->q->now;
}

uint64_t platform_io_read(struct platform *pf, uint16_t port, unsigned size, sim_ps *cost_ps)
{
	uint64_t val;

	bus_read(&pf->io, port, size, now_of(pf), &val, cost_ps);
	return val;
}

void platform_io_write(struct platform *pf, uint16_t port, uint32_t val, unsigned size,
		       sim_ps *cost_ps)
{
	bus_write(&pf->io, port, val, size, now_of(pf), cost_ps);
}

uint64_t platform_mmio_read(struct platform *pf, uint64_t addr, unsigned size, sim_ps *cost_ps)
{
	uint64_t val;

	bus_read(&pf->mmio, addr, size, now_of(pf), &val, cost_ps);
	return val;
}

void platform_mmio_write(struct platform *pf, uint64_t addr, uint64_t val, unsigned size,
			 sim_ps *cost_ps)
{
	bus_write(&pf->mmio, addr, val, size, now_of(pf), cost_ps);
}
