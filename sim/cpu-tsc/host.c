/*
 * A physical host and its own clocks: see host.h.
 *
 * Each CPU's TSC started counting at the host's boot (uptime before t = 0)
 * plus its skew, at its socket crystal's mean rate, and from t = 0 follows
 * its crystal's count and its power state (tsc.h).  The kernel converts CPU
 * 0's TSC with the calibrated tsc_khz, as Linux's tsc clocksource does; the
 * conversion runs from an anchor (t = 0, or the last resume) in one step
 * instead of Linux's per-tick accumulation, which only changes rounding
 * below 1 ns.
 */
#include "sim/cpu-tsc/host.h"
#include "sim/core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static uint64_t platform_ticks(const struct host *h, sim_ps now)
{
	return crystal_ticks(&h->platform, now, h->platform_nominal);
}

static bool socket_init(struct host *h, const struct host_params *p, unsigned s, unsigned *cpu,
			struct sim_diag *err)
{
	const struct host_socket_params *sp = &p->sockets[s];
	struct crystal_params cp = sp->crystal;
	struct sim_freq rate;
	char id[HOST_NAME_MAX + 48];
	uint64_t synced = 0;

	if (sp->crystal_ppb > CRYSTAL_MAX_PPB || sp->crystal_ppb < -CRYSTAL_MAX_PPB)
		return sim_diag_fail(err, "host %s socket %u: crystal error %lld ppb out of range",
				     h->name, s, (long long)sp->crystal_ppb);
	cp.offset_ppb += sp->crystal_ppb;
	snprintf(id, sizeof(id), "host/%s/socket%u/crystal", h->name, s);
	if (!crystal_init(&h->crystals[s], &cp, p->seed, id))
		return sim_diag_fail(err, "host %s socket %u: crystal parameters out of range",
				     h->name, s);
	/* Before t = 0 the crystal ran at its mean: the static error and the SSC mean. */
	if (!sim_freq_scale_ppb(p->tsc_nominal, crystal_piece_mean_ppb(&h->crystals[s]), &rate))
		return sim_diag_fail(err, "host %s socket %u: TSC rate with crystal error %lld ppb "
				     "is not representable", h->name, s, (long long)cp.offset_ppb);
	if (p->bios_sync && !cycles_since_boot(p->uptime_ns, 0, rate, &synced))
		return sim_diag_fail(err, "host %s socket %u: TSC beyond 64 bits", h->name, s);

	for (unsigned c = 0; c < sp->ncpus; c++, (*cpu)++) {
		struct host_cpu *hc = &h->cpus[*cpu];
		const struct tsc_props *props = sp->cpu_props ? &sp->cpu_props[c] : NULL;
		int64_t skew = sp->tsc_offset_ps +
			       (sp->cpu_tsc_offset_ps ? sp->cpu_tsc_offset_ps[c] : 0);
		uint64_t raw;

		if (!cycles_since_boot(p->uptime_ns, skew, rate, &raw))
			return sim_diag_fail(err, "host %s CPU %u: a TSC offset of %lld ps puts its "
					     "TSC before the host's boot, or beyond 64 bits",
					     h->name, *cpu, (long long)skew);
		if (props && props->cls != TSC_INVARIANT && props->cls != TSC_CONSTANT &&
		    props->cls != TSC_VARIABLE)
			return sim_diag_fail(err, "host %s CPU %u: unknown TSC class", h->name,
					     *cpu);
		hc->id = *cpu;
		hc->socket = s;
		hc->online = !(sp->cpu_offline && sp->cpu_offline[c]);
		hc->reset_stagger = raw;          /* made relative once every CPU is known */
		hc->bios_residual = sp->cpu_bios_residual ? sp->cpu_bios_residual[c] : 0;
		tsc_init_crystal(&hc->tsc, &h->crystals[s], props, 0, raw, p->tsc_nominal);
		if (p->bios_sync) {
			/* the BIOS's WRMSR at boot; SDM 17.17.3: TSC_ADJUST took the same delta */
			hc->tsc.seg.tsc0 = synced + (uint64_t)hc->bios_residual;
			hc->tsc.adjust = (int64_t)(hc->tsc.seg.tsc0 - raw);
		}
		/* what Linux's setup_getcpu() writes: (node << 12) | cpu, node = socket */
		hc->tsc.aux = (uint32_t)((s << 12) | (*cpu & 0xfffu));
		if (sp->cpu_advertised)
			tsc_advertise(&hc->tsc, &sp->cpu_advertised[c]);
		if (!hc->online)
			tsc_power_off(&hc->tsc, 0);
	}
	return true;
}

bool host_init(struct host *h, const struct host_params *p, struct sim_diag *err)
{
	unsigned ncpus = 0;
	unsigned cpu = 0;
	uint64_t first_out = UINT64_MAX;
	struct crystal_params pc = p->platform_crystal;
	struct sim_freq cpu0_rate;
	char id[HOST_NAME_MAX + 48];

	*h = (struct host){ 0 };
	snprintf(h->name, sizeof(h->name), "%s", p->name ? p->name : "host");
	for (unsigned s = 0; s < p->nsockets; s++)
		ncpus += p->sockets[s].ncpus;
	if (ncpus == 0)
		return sim_diag_fail(err, "host %s has no CPUs", h->name);
	/* every CPU starts a cache line (its layout, host.h) */
	h->cpus = sim_calloc_aligned(ncpus, sizeof(*h->cpus), _Alignof(struct host_cpu));
	h->crystals = calloc(p->nsockets, sizeof(*h->crystals));
	if (!h->cpus || !h->crystals) {
		host_finish(h);
		return sim_diag_fail(err, "out of memory");
	}
	h->ncpus = ncpus;
	h->nsockets = p->nsockets;

	for (unsigned s = 0; s < p->nsockets; s++) {
		if (!socket_init(h, p, s, &cpu, err)) {
			host_finish(h);
			return false;
		}
	}
	if (!h->cpus[0].online) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: CPU 0 must be online at t = 0", h->name);
	}
	for (unsigned c = 0; c < ncpus; c++)
		if (h->cpus[c].reset_stagger < first_out)
			first_out = h->cpus[c].reset_stagger;
	for (unsigned c = 0; c < ncpus; c++)
		h->cpus[c].reset_stagger -= first_out;

	h->tsc_synchronized = host_tscs_synchronized(h, 0);
	/* Linux stops trusting the TSC when its sync check or watchdog sees the CPUs disagree. */
	if (p->clocksource_auto)
		h->clocksource = h->tsc_synchronized ? HOST_CS_TSC : HOST_CS_HPET;
	else
		h->clocksource = p->clocksource;

	/* CPU 0's long-run mean rate, as a perfect calibration would measure it */
	if (!sim_freq_scale_ppb(h->cpus[0].tsc.nominal, crystal_piece_mean_ppb(h->cpus[0].tsc.xtal),
				&cpu0_rate)) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: CPU 0's TSC rate is not representable",
				     h->name);
	}
	/*
	 * Linux (arch/x86/kernel/tsc.c, v6.12): native_calibrate_tsc() sets
	 * X86_FEATURE_TSC_KNOWN_FREQ when CPUID 15H reports the crystal, and
	 * tsc_khz is then crystal * ratio, the nominal rate; init_tsc_clocksource()
	 * registers that rate and skips tsc_refine_calibration_work().  Without
	 * the flag the refined calibration against the HPET or PM timer measures
	 * the true rate.
	 */
	h->tsc_known_freq = tsc_advertised_features(&h->cpus[0].tsc).tsc_known_freq;
	if (p->tsc_khz)
		h->tsc_khz = p->tsc_khz;
	else if (h->tsc_known_freq)
		h->tsc_khz = sim_freq_floor_khz(h->cpus[0].tsc.nominal);
	else
		h->tsc_khz = sim_freq_floor_khz(cpu0_rate);
	if (h->tsc_khz == 0 || h->tsc_khz > UINT32_MAX) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: tsc_khz %llu out of range", h->name,
				     (unsigned long long)h->tsc_khz);
	}
	clocksource_init_freq(&h->tsc_cs, UINT64_MAX, 1000, (uint32_t)h->tsc_khz);

	pc.offset_ppb += p->platform_ppb;
	snprintf(id, sizeof(id), "host/%s/platform/crystal", h->name);
	if (!sim_freq_scale_ppb(p->platform_nominal, pc.offset_ppb, &h->platform_rate) ||
	    sim_freq_floor_hz(p->platform_nominal) == 0 ||
	    sim_freq_floor_hz(p->platform_nominal) > UINT32_MAX ||
	    !crystal_init(&h->platform, &pc, p->seed, id)) {
		host_finish(h);
		return sim_diag_fail(err, "host %s: platform (HPET) clock rate out of range",
				     h->name);
	}
	h->platform_nominal = p->platform_nominal;
	/*
	 * The HPET registers with clocksource_register_hz() and a 32-bit mask, at
	 * the nominal rate its period register advertises: the counter runs at
	 * the platform crystal's rate, so its error shows in the monotonic clock.
	 */
	clocksource_init_freq(&h->platform_cs, UINT32_MAX, 1,
			      (uint32_t)sim_freq_floor_hz(p->platform_nominal));

	h->mono_at_t0_ns = p->uptime_ns;
	h->tsc0_at_t0 = tsc_read(&h->cpus[0].tsc, 0);
	h->mono_base_ns = h->mono_at_t0_ns;
	h->mono_base_tsc = h->tsc0_at_t0;
	h->mono_base_platform = 0;
	h->utc_at_t0_ns = p->utc_at_t0_ns;
	h->realtime_error_ns = p->realtime_error_ns;
	h->bios_sync = p->bios_sync;
	h->s3_tsc = p->s3_tsc;
	h->resume_tsc_cycles = p->resume_tsc_cycles;
	return true;
}

void host_finish(struct host *h)
{
	if (!h)
		return;
	free(h->cpus);
	free(h->crystals);
	h->cpus = NULL;
	h->crystals = NULL;
	h->ncpus = 0;
	h->nsockets = 0;
}

static uint64_t mono_from_tsc(const struct host *h, uint64_t tsc)
{
	if (h->suspended)
		return h->suspend_mono_ns;
	return h->mono_base_ns + clocksource_cyc2ns(&h->tsc_cs, tsc - h->mono_base_tsc);
}

uint64_t host_mono_ns(const struct host *h, sim_ps now)
{
	if (h->suspended)
		return h->suspend_mono_ns;
	if (h->clocksource == HOST_CS_TSC)
		return mono_from_tsc(h, host_rdtsc(h, 0, now));
	return h->mono_base_ns +
	       clocksource_cyc2ns(&h->platform_cs, platform_ticks(h, now) - h->mono_base_platform);
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

/* raw_delta * freq_ppb / 10^9, rounded toward minus infinity, for either sign. */
static int64_t ntp_gain_ns(uint64_t raw_delta_ns, int64_t freq_ppb)
{
	sim_i128 p = (sim_i128)raw_delta_ns * freq_ppb;
	sim_i128 q = p / (sim_i128)SIM_NS_PER_S;

	if (p % (sim_i128)SIM_NS_PER_S < 0)
		q--;
	return (int64_t)q;
}

uint64_t host_ntp_mono_ns(const struct host *h, sim_ps now)
{
	uint64_t raw = host_mono_ns(h, now);
	uint64_t d = raw - h->ntp_base_raw_ns;

	return h->ntp_base_mono_ns + d + (uint64_t)ntp_gain_ns(d, h->ntp_freq_ppb);
}

void host_ntp_adjust(struct host *h, sim_ps now, int64_t freq_ppb)
{
	uint64_t mono = host_ntp_mono_ns(h, now);

	h->ntp_base_raw_ns = host_mono_ns(h, now);
	h->ntp_base_mono_ns = mono;
	h->ntp_freq_ppb = freq_ppb;
}

uint64_t host_realtime_ns(const struct host *h, sim_ps now)
{
	sim_i128 ns = (sim_i128)h->utc_at_t0_ns + sim_to_ns(now) + h->realtime_error_ns;

	return ns < 0 ? 0 : (uint64_t)ns;
}

sim_ps host_next_update(const struct host *h)
{
	sim_ps next = crystal_next_update(&h->platform);

	for (unsigned s = 0; s < h->nsockets; s++) {
		sim_ps t = crystal_next_update(&h->crystals[s]);

		if (t < next)
			next = t;
	}
	return next;
}

void host_update(struct host *h, sim_ps now)
{
	for (unsigned s = 0; s < h->nsockets; s++)
		crystal_update(&h->crystals[s], now);
	crystal_update(&h->platform, now);
}

static bool same_rate(struct sim_freq a, struct sim_freq b)
{
	return a.num == b.num && a.den == b.den;
}

bool host_tscs_synchronized(const struct host *h, sim_ps now)
{
	const struct host_cpu *first = NULL;

	for (unsigned c = 0; c < h->ncpus; c++) {
		const struct host_cpu *hc = &h->cpus[c];

		if (!hc->online)
			continue;
		if (!first) {
			first = hc;
			continue;
		}
		if (tsc_read(&first->tsc, now) != tsc_read(&hc->tsc, now) ||
		    !same_rate(first->tsc.seg.rate, hc->tsc.seg.rate) ||
		    !crystal_equivalent(first->tsc.xtal, hc->tsc.xtal))
			return false;
	}
	return true;
}

uint64_t host_tsc_spread_cycles(const struct host *h, sim_ps now)
{
	uint64_t base = host_rdtsc(h, 0, now);
	int64_t lo = 0, hi = 0;

	for (unsigned c = 1; c < h->ncpus; c++) {
		int64_t d;

		if (!h->cpus[c].online)
			continue;
		d = (int64_t)(host_rdtsc(h, c, now) - base);
		if (d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	return (uint64_t)hi - (uint64_t)lo;
}

bool host_cpu_hotplug(struct host *h, sim_ps now, unsigned cpu, uint64_t tsc_value)
{
	if (cpu >= h->ncpus || h->cpus[cpu].online)
		return false;
	tsc_reset(&h->cpus[cpu].tsc, now, tsc_value);
	h->cpus[cpu].online = true;
	h->tsc_synchronized = host_tscs_synchronized(h, now);
	return true;
}

static bool tsc_reset_on_resume(const struct host *h)
{
	return !(h->sleep == HOST_S3 && h->s3_tsc == HOST_S3_TSC_NONSTOP);
}

bool host_suspend(struct host *h, sim_ps now, enum host_sleep kind)
{
	if (h->suspended)
		return false;
	h->suspend_mono_ns = host_mono_ns(h, now);
	h->suspend_realtime_ns = host_realtime_ns(h, now);
	h->suspend_tsc = host_rdtsc(h, 0, now);
	h->sleep = kind;
	h->suspended = true;
	if (tsc_reset_on_resume(h))
		for (unsigned c = 0; c < h->ncpus; c++)
			if (h->cpus[c].online)
				tsc_power_off(&h->cpus[c].tsc, now);
	return true;
}

bool host_resume(struct host *h, sim_ps now, const int64_t *fw_tsc_adjust)
{
	bool reset = tsc_reset_on_resume(h);
	uint64_t sleep_ns, cpu0;

	if (!h->suspended)
		return false;
	if (!reset && h->clocksource == HOST_CS_TSC) {
		/* a nonstop suspend clocksource measured the sleep */
		sleep_ns = clocksource_cyc2ns(&h->tsc_cs, host_rdtsc(h, 0, now) - h->suspend_tsc);
	} else {
		/* the persistent clock: whole seconds of the CMOS RTC */
		uint64_t s0 = h->suspend_realtime_ns / SIM_NS_PER_S;
		uint64_t s1 = host_realtime_ns(h, now) / SIM_NS_PER_S;

		sleep_ns = s1 > s0 ? (s1 - s0) * SIM_NS_PER_S : 0;
	}
	if (reset)
		for (unsigned c = 0; c < h->ncpus; c++)
			if (h->cpus[c].online)
				tsc_reset(&h->cpus[c].tsc, now,
					  h->resume_tsc_cycles + h->cpus[c].reset_stagger);
	cpu0 = host_rdtsc(h, 0, now);
	for (unsigned c = 0; c < h->ncpus; c++) {
		struct cpu_tsc *tsc = &h->cpus[c].tsc;

		if (!h->cpus[c].online)
			continue;
		if (fw_tsc_adjust)
			tsc_wrmsr(tsc, now, IA32_TSC_ADJUST, (uint64_t)fw_tsc_adjust[c]);
		else if (reset && h->bios_sync)
			tsc_write(tsc, now, cpu0 + (uint64_t)h->cpus[c].bios_residual);
	}
	h->suspended = false;
	h->mono_base_ns = h->suspend_mono_ns + sleep_ns;
	h->mono_base_tsc = host_rdtsc(h, 0, now);
	h->mono_base_platform = platform_ticks(h, now);
	h->tsc_synchronized = host_tscs_synchronized(h, now);
	return true;
}

void host_set_clocksource(struct host *h, sim_ps now, enum host_clocksource cs)
{
	uint64_t ns = host_mono_ns(h, now);

	h->mono_base_ns = ns;
	h->mono_base_tsc = host_rdtsc(h, 0, now);
	h->mono_base_platform = platform_ticks(h, now);
	h->clocksource = cs;
	if (h->cs_notify)
		h->cs_notify(h->cs_notify_ctx, h, now);
}

void host_mark_tsc_unstable(struct host *h, sim_ps now)
{
	h->tsc_unstable = true;
	if (h->clocksource == HOST_CS_TSC)
		host_set_clocksource(h, now, HOST_CS_HPET);
}
