/*
 * A physical host and its own clocks: see host.h.
 *
 * Each CPU's TSC started counting at the host's boot (uptime before t = 0)
 * plus its skew, at its socket crystal's rate, and is invariant.  The kernel
 * converts CPU 0's TSC with the calibrated tsc_khz, as Linux's tsc
 * clocksource does; the conversion runs from t = 0 in one step instead of
 * Linux's per-tick accumulation, which only changes rounding below 1 ns.
 */
#include "sim/cpu-tsc/host.h"

#include <stdio.h>
#include <stdlib.h>

/* floor(t_ps * rate) for a t_ps that may exceed 2^64 (given as ns plus signed ps). */
static bool cycles_since_boot(uint64_t uptime_ns, int64_t skew_ps, struct sim_freq rate,
			      uint64_t *out)
{
	sim_i128 t_ps = (sim_i128)uptime_ns * SIM_PS_PER_NS + skew_ps;
	sim_u128 secs, rest_ps, whole, frac_num, q, r;

	if (t_ps < 0)
		return false;
	/* Split at whole seconds so no product exceeds 128 bits. */
	secs = (sim_u128)t_ps / SIM_PS_PER_S;
	rest_ps = (sim_u128)t_ps % SIM_PS_PER_S;
	whole = secs * rate.num;
	q = whole / rate.den;
	r = whole % rate.den;
	frac_num = r * SIM_PS_PER_S + rest_ps * rate.num;
	q += frac_num / ((sim_u128)rate.den * SIM_PS_PER_S);
	if (q > UINT64_MAX)
		return false;
	*out = (uint64_t)q;
	return true;
}

bool host_init(struct host *h, const struct host_params *p, struct sim_diag *err)
{
	unsigned ncpus = 0;
	unsigned cpu = 0;

	*h = (struct host){ 0 };
	snprintf(h->name, sizeof(h->name), "%s", p->name ? p->name : "host");
	for (unsigned s = 0; s < p->nsockets; s++)
		ncpus += p->sockets[s].ncpus;
	if (ncpus == 0)
		return sim_diag_fail(err, "host %s has no CPUs", h->name);
	h->cpus = calloc(ncpus, sizeof(*h->cpus));
	if (!h->cpus)
		return sim_diag_fail(err, "out of memory");
	h->ncpus = ncpus;

	for (unsigned s = 0; s < p->nsockets; s++) {
		const struct host_socket_params *sp = &p->sockets[s];
		struct sim_freq rate;

		if (!sim_freq_scale_ppb(p->tsc_nominal, sp->crystal_ppb, &rate)) {
			host_finish(h);
			return sim_diag_fail(err, "host %s socket %u: TSC rate with crystal error %lld ppb "
					     "is not representable", h->name, s,
					     (long long)sp->crystal_ppb);
		}
		for (unsigned c = 0; c < sp->ncpus; c++, cpu++) {
			int64_t skew = sp->tsc_offset_ps +
				       (sp->cpu_tsc_offset_ps ? sp->cpu_tsc_offset_ps[c] : 0);
			uint64_t tsc0;

			if (!cycles_since_boot(p->uptime_ns, skew, rate, &tsc0)) {
				host_finish(h);
				return sim_diag_fail(err, "host %s CPU %u: a TSC offset of %lld ps puts its "
						     "TSC before the host's boot, or beyond 64 bits",
						     h->name, cpu, (long long)skew);
			}
			h->cpus[cpu].id = cpu;
			h->cpus[cpu].socket = s;
			tsc_init(&h->cpus[cpu].tsc, 0, tsc0, rate);
		}
	}

	h->tsc_synchronized = true;
	for (unsigned c = 1; c < ncpus; c++) {
		const struct tsc_segment *a = &h->cpus[0].tsc.seg, *b = &h->cpus[c].tsc.seg;

		if (a->tsc0 != b->tsc0 || a->rate.num != b->rate.num || a->rate.den != b->rate.den)
			h->tsc_synchronized = false;
	}
	/* Linux stops trusting the TSC when its sync check or watchdog sees the CPUs disagree. */
	if (p->clocksource_auto)
		h->clocksource = h->tsc_synchronized ? HOST_CS_TSC : HOST_CS_HPET;
	else
		h->clocksource = p->clocksource;

	h->tsc_khz = p->tsc_khz ? p->tsc_khz : sim_freq_floor_khz(h->cpus[0].tsc.seg.rate);
	if (h->tsc_khz == 0 || h->tsc_khz > UINT32_MAX) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: tsc_khz %llu out of range", h->name,
				     (unsigned long long)h->tsc_khz);
	}
	clocksource_init_freq(&h->tsc_cs, UINT64_MAX, 1000, (uint32_t)h->tsc_khz);

	if (!sim_freq_scale_ppb(p->platform_nominal, p->platform_ppb, &h->platform_rate) ||
	    sim_freq_floor_hz(p->platform_nominal) == 0 ||
	    sim_freq_floor_hz(p->platform_nominal) > UINT32_MAX) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: platform (HPET) clock rate out of range", h->name);
	}
	/*
	 * The HPET registers with clocksource_register_hz() and a 32-bit mask, at
	 * the nominal rate its period register advertises: the counter runs at
	 * platform_rate, so the crystal error shows in the monotonic clock.
	 */
	clocksource_init_freq(&h->platform_cs, UINT32_MAX, 1,
			      (uint32_t)sim_freq_floor_hz(p->platform_nominal));

	h->mono_at_t0_ns = p->uptime_ns;
	h->tsc0_at_t0 = h->cpus[0].tsc.seg.tsc0;
	h->utc_at_t0_ns = p->utc_at_t0_ns;
	h->realtime_error_ns = p->realtime_error_ns;
	return true;
}

void host_finish(struct host *h)
{
	if (!h)
		return;
	free(h->cpus);
	h->cpus = NULL;
	h->ncpus = 0;
}

uint64_t host_rdtsc(const struct host *h, unsigned cpu, sim_ps now)
{
	return tsc_read(&h->cpus[cpu].tsc, now);
}

static uint64_t mono_from_tsc(const struct host *h, uint64_t tsc)
{
	return h->mono_at_t0_ns + clocksource_cyc2ns(&h->tsc_cs, tsc - h->tsc0_at_t0);
}

uint64_t host_mono_ns(const struct host *h, sim_ps now)
{
	if (h->clocksource == HOST_CS_TSC)
		return mono_from_tsc(h, host_rdtsc(h, 0, now));
	return h->mono_at_t0_ns +
	       clocksource_cyc2ns(&h->platform_cs, sim_ticks_in(now, h->platform_rate));
}

bool host_mono_and_tsc(const struct host *h, unsigned cpu, sim_ps now, uint64_t *ns,
		       uint64_t *tsc)
{
	uint64_t t;

	if (h->clocksource != HOST_CS_TSC)
		return false;
	t = host_rdtsc(h, cpu, now);
	*tsc = t;
	*ns = mono_from_tsc(h, t);
	return true;
}

uint64_t host_realtime_ns(const struct host *h, sim_ps now)
{
	sim_i128 ns = (sim_i128)h->utc_at_t0_ns + sim_to_ns(now) + h->realtime_error_ns;

	return ns < 0 ? 0 : (uint64_t)ns;
}
