/*
 * hpet and pmtimer: a clocksource on an emulated platform counter, read with
 * one MMIO or port access (a VM exit, so a read costs the device's access
 * cost), converted with Linux's mult/shift for the counter's rate.  Linux
 * registers the HPET at the rate its COUNTER_CLK_PERIOD gives (1e15 / period
 * fs, hpet_clocksource_register()) and the PM timer at PMTMR_TICKS_PER_SEC;
 * the mask is the counter's width.  With wrap "extend" the reader accumulates
 * masked deltas as Linux's timekeeping does (`(now - last) & mask`), so the
 * counter's wrap is invisible; with "none" the value is the raw counter
 * converted, so it steps back at each wrap.
 */
#include "sim/guest/kinds/kind.h"

#include "sim/core/platform_clocks.h"
#include "sim/devices/platform.h"

static uint64_t hpet_kind_read(const struct guest_reader *r)
{
	return platform_mmio_read(r->p.platform, PLATFORM_HPET_BASE + HPET_MAIN_CNT,
				  r->p.width_bits / 8, NULL) & r->cs.mask;
}

static uint64_t pmtimer_kind_read(const struct guest_reader *r)
{
	return platform_io_read(r->p.platform, r->p.platform->params.pmtimer_port, 4, NULL) &
	       r->cs.mask;
}

static bool counter_init(struct guest_reader *r, uint64_t hz, uint64_t mask,
			 uint64_t (*read)(const struct guest_reader *r), struct sim_diag *err)
{
	if (hz == 0 || hz > UINT32_MAX)
		return sim_diag_fail(err, "reader %s: counter rate %llu Hz out of range", r->name,
				     (unsigned long long)hz);
	clocksource_init_freq(&r->cs, mask, 1, (uint32_t)hz);
	r->counter_last = read(r);
	r->counter_total = r->counter_last;
	return true;
}

static uint64_t counter_ns(struct guest_reader *r, uint64_t c)
{
	if (!r->p.wrap_extend)
		return clocksource_cyc2ns(&r->cs, c);
	r->counter_total += (c - r->counter_last) & r->cs.mask;
	r->counter_last = c;
	return clocksource_cyc2ns(&r->cs, r->counter_total);
}

static bool hpet_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	struct platform *pf = r->p.platform;
	uint64_t period_fs;

	(void)now;
	if (!pf)
		return sim_diag_fail(err, "reader %s: no platform to read", r->name);
	if (r->p.width_bits != 32 && r->p.width_bits != 64)
		return sim_diag_fail(err, "reader %s: HPET reads are 32 or 64 bits wide", r->name);
	period_fs = platform_mmio_read(pf, PLATFORM_HPET_BASE + HPET_GCAP_ID + 4, 4, NULL);
	if (period_fs == 0)
		return sim_diag_fail(err, "reader %s: the HPET reports a zero period", r->name);
	return counter_init(r, UINT64_C(1000000000000000) / period_fs,
			    r->p.width_bits == 64 && pf->params.hpet_counter_64bit ? UINT64_MAX :
										       UINT32_MAX,
			    hpet_kind_read, err);
}

static bool pmtimer_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	struct platform *pf = r->p.platform;

	(void)now;
	if (!pf)
		return sim_diag_fail(err, "reader %s: no platform to read", r->name);
	return counter_init(r, SIM_PMTIMER_FREQ_HZ,
			    pf->params.pmtimer_bits == 32 ? UINT32_MAX : (UINT64_C(1) << 24) - 1,
			    pmtimer_kind_read, err);
}

static bool hpet_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	(void)now;
	*value_ns = counter_ns(r, hpet_kind_read(r));
	return true;
}

static bool pmtimer_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	(void)now;
	*value_ns = counter_ns(r, pmtimer_kind_read(r));
	return true;
}

static sim_ps hpet_kind_cost_ps(const struct guest_reader_params *p)
{
	return p->platform ? p->platform->params.cost_ps[BOARD_DEV_HPET] : 0;
}

static sim_ps pmtimer_kind_cost_ps(const struct guest_reader_params *p)
{
	return p->platform ? p->platform->params.cost_ps[BOARD_DEV_PMTIMER] : 0;
}

const struct reader_kind_ops reader_kind_hpet = {
	.init = hpet_kind_init,
	.finish = hpet_kind_finish,
	.default_cost_ps = hpet_kind_cost_ps,
};

const struct reader_kind_ops reader_kind_pmtimer = {
	.init = pmtimer_kind_init,
	.finish = pmtimer_kind_finish,
	.default_cost_ps = pmtimer_kind_cost_ps,
};
