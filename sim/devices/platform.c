/*
 * The "pc" board: builds the timer chips, wires their outputs through the
 * interrupt router and maps them on the port and MMIO buses.
 */
#include "sim/devices/platform.h"

#include <string.h>

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
	p->pit_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->rtc_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->pmtimer_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->hpet_cost_ps = PLATFORM_MMIO_COST_PS_DEFAULT;
	p->io_unmapped_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->mmio_unmapped_cost_ps = PLATFORM_MMIO_COST_PS_DEFAULT;
}

bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err)
{
	const struct irq_line *legacy;
	struct hpet_params hp;

	memset(pf, 0, sizeof(*pf));
	pf->q = q;
	pf->params = *p;
	if (p->pmtimer_bits != 24 && p->pmtimer_bits != 32)
		return sim_diag_fail(err, "pc board: PM timer width %u: expected 24 or 32 bits",
				     p->pmtimer_bits);

	irq_router_init(&pf->irq);
	bus_init(&pf->io, "io", 16, p->io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, p->mmio_unmapped_cost_ps);

	pit_init(&pf->pit, "pit0", q, (struct sim_freq){ PIT_CLOCK_NUM, PIT_CLOCK_DEN },
		 irq_router_pit_line(&pf->irq));
	rtc_init(&pf->rtc, "rtc0", q, irq_router_rtc_line(&pf->irq), p->rtc_base_utc_s);
	pf->live = true;
	hpet_params_default(&hp);
	hp.freq = p->hpet_freq;
	hp.ntimers = p->hpet_timers;
	hp.vendor_id = p->hpet_vendor_id;
	hp.counter_64bit = p->hpet_counter_64bit;
	hp.legacy_route_cap = p->hpet_legacy_route_cap;
	hp.int_route_cap = p->hpet_int_route_cap;
	legacy = irq_router_hpet_legacy_lines(&pf->irq);
	if (!hpet_init(&pf->hpet, "hpet0", q, &hp, irq_router_hpet_ioapic_lines(&pf->irq),
		       IRQ_ROUTER_IOAPIC_PINS, &legacy[0], &legacy[1],
		       irq_router_hpet_route_line(&pf->irq), err))
		goto fail;
	pmtimer_init(&pf->pmtimer, "pmtimer0", sim_freq_hz(PMTIMER_FREQ_HZ), p->pmtimer_bits);

	if (!bus_map(&pf->io, PLATFORM_PIT_PORT, 4, pit_device(&pf->pit), p->pit_cost_ps,
		     "pit", err) ||
	    !bus_map(&pf->io, PLATFORM_PIT_PORT61, 1, pit_port61_device(&pf->pit), p->pit_cost_ps,
		     "port61", err) ||
	    !bus_map(&pf->io, PLATFORM_RTC_PORT, 2, rtc_device(&pf->rtc), p->rtc_cost_ps,
		     "rtc", err) ||
	    !bus_map(&pf->io, p->pmtimer_port, PLATFORM_PMTIMER_LEN, pmtimer_device(&pf->pmtimer),
		     p->pmtimer_cost_ps, "pmtimer", err) ||
	    !bus_map(&pf->mmio, PLATFORM_HPET_BASE, PLATFORM_HPET_LEN, hpet_device(&pf->hpet),
		     p->hpet_cost_ps, "hpet", err))
		goto fail;
	return true;

fail:
	platform_finish(pf);
	return false;
}

void platform_finish(struct platform *pf)
{
	if (!pf || !pf->live)
		return;
	hpet_finish(&pf->hpet);
	rtc_finish(&pf->rtc);
	pit_finish(&pf->pit);
	irq_router_set_listener(&pf->irq, NULL, NULL);
	pf->live = false;
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
