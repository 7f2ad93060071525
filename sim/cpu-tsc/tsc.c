/* Piecewise-linear TSC on a crystal's count: see tsc.h. */
#include "sim/cpu-tsc/tsc.h"

#include <string.h>

#define PPB INT64_C(1000000000)

static const struct sim_freq stopped_rate = { 0, 0 };

/*
 * f * num / den, reduced.  Should it not fit (num below 2^63), both terms
 * are halved until it does: a relative error below 2^-60, only for factors
 * no real CPU has.
 */
static struct sim_freq freq_mul(struct sim_freq f, uint64_t num, uint64_t den)
{
	uint64_t g1 = sim_gcd_u64(num, f.den), g2 = sim_gcd_u64(den, f.num);
	sim_u128 n = (sim_u128)(f.num / g2) * (num / g1);
	sim_u128 d = (sim_u128)(f.den / g1) * (den / g2);

	while (n >= ((sim_u128)1 << 63) || d > UINT64_MAX) {
		n >>= 1;
		d >>= 1;
	}
	if (n == 0 || d == 0)
		return stopped_rate;
	return (struct sim_freq){ (uint64_t)n, (uint64_t)d };
}

static bool is_stopped(struct sim_freq r)
{
	return r.num == 0;
}

static bool same_freq(struct sim_freq a, struct sim_freq b)
{
	return (sim_u128)a.num * b.den == (sim_u128)b.num * a.den;
}

static sim_u128 count_at(const struct cpu_tsc *tsc, sim_ps t)
{
	return tsc->xtal ? crystal_count(tsc->xtal, t) : (sim_u128)t * CRYSTAL_UNITS_PER_PS;
}

/* The rate the power state gives (see tsc.h). */
static struct sim_freq effective_rate(const struct cpu_tsc *tsc)
{
	const struct tsc_props *p = &tsc->props;
	bool nonstop = p->cls == TSC_INVARIANT;
	struct sim_freq r = tsc->nominal;

	if (tsc->powered_off || (!nonstop && (tsc->cstate >= 2 || tsc->duty_ppm == 0)))
		return stopped_rate;
	if (p->cls == TSC_VARIABLE && tsc->pstate_num != tsc->pstate_den)
		r = freq_mul(r, tsc->pstate_num, tsc->pstate_den);
	if (tsc->cstate >= 1 && p->halt_num && p->halt_den && p->halt_num != p->halt_den)
		r = freq_mul(r, p->halt_num, p->halt_den);
	if (!nonstop && tsc->duty_ppm < TSC_DUTY_FULL_PPM)
		r = freq_mul(r, tsc->duty_ppm, TSC_DUTY_FULL_PPM);
	return r;
}

/* Cycles counted on the current piece by `now` (tsc_read() inlines the common case). */
uint64_t tsc_piece_cycles(const struct cpu_tsc *tsc, sim_ps now)
{
	const struct tsc_segment *s = &tsc->seg;
	sim_u128 c;

	if (is_stopped(s->rate) || now <= s->t0)
		return 0;
	c = count_at(tsc, now);
	if (c <= s->c0)
		return 0;
	/* The counter is 64 bits wide: it wraps (SDM vol. 3, 17.17). */
	if (s->recip.den)
		return sim_recip_apply(&s->recip, c - s->c0);
	return (uint64_t)crystal_count_to_cycles(c - s->c0, s->rate);
}

static sim_u128 gcd_u128(sim_u128 a, sim_u128 b)
{
	while (b != 0) {
		sim_u128 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* floor(2^64 a / d) for a < d < 2^127, by long division (once per build). */
static uint64_t frac64(sim_u128 a, sim_u128 d)
{
	uint64_t q = 0;

	for (int i = 0; i < 64; i++) {
		a <<= 1;
		q <<= 1;
		if (a >= d) {
			a -= d;
			q |= 1;
		}
	}
	return q;
}

/*
 * Why tsc->fast is exact.  On the crystal's current piece (no SSC),
 * C(T + dt) = C(T) + K dt with K = (10^9 + e) 10^9 units per ps
 * (crystal_flat_units()), and the piece counts floor(x num / D) cycles for
 * x = C - c0, D = den 10^30.  At the base T let x_T num = q_T D + R,
 * 0 <= R < D (q_T from the reciprocal, R from its remainder).  Then
 *   x num / D = q_T + (R + K num dt) / D = q_T + (R / (G 10^9) + kr dt) / dr
 * with kr = (10^9 + e) num / G and dr = den 10^21 / G, G their gcd
 * (K / 10^30 = (10^9 + e) / 10^21, so K num / D = kr / dr and D = G 10^9 dr).
 * For an integer m > 0, floor(z / m) = floor(floor(z) / m), and kr dt is
 * an integer, so cycles = q_T + floor((u + kr dt) / dr), u = floor(R / (G 10^9)).
 * Ranges: u < dr < 2^126 and kr < 2^63, so u + kr dt < 2^128 for every
 * 64-bit dt.  The estimate q = floor((dt g + uf) / 2^64), with
 * g = floor(2^64 kr / dr) and uf = floor(2^64 u / dr) (both below 2^64, as
 * kr < dr and u < dr; dt g + uf < 2^128), is at most the quotient Q, since
 * (dt g + uf) / 2^64 <= (kr dt + u) / dr; and as g and uf are each less
 * than 1 below their exact values, (dt g + uf) / 2^64 exceeds
 * (kr dt + u) / dr - (dt + 1) / 2^64 >= (kr dt + u) / dr - 1, so
 * q > (kr dt + u) / dr - 2 >= Q - 2: Q - q is 0 or 1, and the remainder
 * u + kr dt - q dr lies in [0, 2 dr), below 2^128.  The same bounds say
 * more: with e = dt g + uf, 2^64 (kr dt + u) / dr lies in [e, e + dt + 1),
 * so when e mod 2^64 + dt + 1 <= 2^64 (the low half at most 2^64 - 1 - dt)
 * no multiple of 2^64 lies in that range and q = Q without the remainder;
 * for dt below 2^40 ps (about a second) that leaves one instant in 2^24
 * to the remainder's test.
 */
bool tsc_fast_build(struct cpu_tsc *tsc, sim_ps now, uint64_t *cycles)
{
	const struct tsc_segment *s = &tsc->seg;
	const struct crystal *xtal = tsc->xtal;
	struct tsc_fast f = { 0 };
	sim_u128 c, kr, x, rem, gcd;

	tsc->fast.xtal_gen = 0;
	if (!xtal || is_stopped(s->rate) || now <= s->t0 || !s->recip.den ||
	    !crystal_count_flat(xtal, now, &c) || c <= s->c0)
		return false;
	kr = (sim_u128)(uint64_t)(PPB + xtal->hist[xtal->cur].ppb) * s->rate.num;
	f.dr = (sim_u128)s->rate.den * CRYSTAL_UNITS_PER_PS * 1000;
	gcd = gcd_u128(kr, f.dr);
	kr /= gcd;
	f.dr /= gcd;
	if (kr >= ((sim_u128)1 << 63) || kr >= f.dr || f.dr >= ((sim_u128)1 << 126))
		return false;
	x = c - s->c0;
	f.cycles_base = sim_recip_apply(&s->recip, x);
	/* x num - q_T D, modulo 2^128: exact, as it is in [0, D) */
	rem = x * s->rate.num - s->recip.den * f.cycles_base;
	f.u = rem / (gcd * PPB);
	f.kr = (uint64_t)kr;
	f.g = (uint64_t)((kr << 64) / f.dr);
	f.uf = frac64(f.u, f.dr);
	f.t_base = now;
	f.xtal_gen = xtal->gen;
	tsc->fast = f;
	*cycles = f.cycles_base;
	return true;
}

static bool scaled(const struct cpu_tsc *tsc, struct sim_freq r)
{
	return !is_stopped(r) && !same_freq(r, tsc->nominal);
}

/* Closes the current piece at `now` and opens one at the rate of the current state. */
static void restart(struct cpu_tsc *tsc, sim_ps now)
{
	struct tsc_segment *s = &tsc->seg;
	struct sim_freq r = effective_rate(tsc);
	uint64_t cycles = tsc_piece_cycles(tsc, now);
	bool was_stopped = is_stopped(s->rate), was_scaled = scaled(tsc, s->rate);

	if (was_stopped && !is_stopped(r)) {
		if (now > tsc->stop_start_ps) {
			tsc->stops++;
			tsc->last_stop_end_ps = now;
		}
	} else if (!was_stopped && is_stopped(r)) {
		tsc->stop_start_ps = now;
	}
	if (was_scaled && !scaled(tsc, r)) {
		if (now > tsc->scaled_start_ps) {
			tsc->scalings++;
			tsc->last_scaled_end_ps = now;
		}
	} else if (!was_scaled && scaled(tsc, r)) {
		tsc->scaled_start_ps = now;
	}

	tsc->fast.xtal_gen = 0;
	s->tsc0 += cycles;
	s->counted0 += cycles;
	s->t0 = now;
	s->c0 = count_at(tsc, now);
	s->rate = r;
	crystal_cycles_recip(r, &s->recip);
}

void tsc_init_crystal(struct cpu_tsc *tsc, const struct crystal *xtal,
		      const struct tsc_props *props, sim_ps t0, uint64_t tsc0,
		      struct sim_freq nominal)
{
	memset(tsc, 0, sizeof(*tsc));
	tsc->xtal = xtal;
	if (props)
		tsc->props = *props;
	tsc->nominal = nominal;
	tsc->pstate_num = 1;
	tsc->pstate_den = 1;
	tsc->duty_ppm = TSC_DUTY_FULL_PPM;
	tsc->seg = (struct tsc_segment){ .t0 = t0, .tsc0 = tsc0, .c0 = count_at(tsc, t0) };
	tsc->seg.rate = effective_rate(tsc);
	crystal_cycles_recip(tsc->seg.rate, &tsc->seg.recip);
}

void tsc_init(struct cpu_tsc *tsc, sim_ps t0, uint64_t tsc0, struct sim_freq rate)
{
	tsc_init_crystal(tsc, NULL, NULL, t0, tsc0, rate);
}

void tsc_set_rate(struct cpu_tsc *tsc, sim_ps now, struct sim_freq rate)
{
	tsc->nominal = rate;
	restart(tsc, now);
}

void tsc_write(struct cpu_tsc *tsc, sim_ps now, uint64_t value)
{
	uint64_t old = tsc_read(tsc, now);

	restart(tsc, now);
	tsc->seg.tsc0 = value;
	/* SDM 17.17.3: the delta the write added goes to TSC_ADJUST too (mod 2^64). */
	tsc->adjust = (int64_t)((uint64_t)tsc->adjust + (value - old));
	tsc->writes++;
	tsc->last_write_ps = now;
}

sim_ps tsc_time_of(const struct cpu_tsc *tsc, uint64_t value)
{
	const struct tsc_segment *s = &tsc->seg;
	sim_u128 d, target, t;

	if (value <= s->tsc0)
		return s->t0;
	if (is_stopped(s->rate) || !crystal_cycles_to_count(value - s->tsc0, s->rate, &d) ||
	    d > ~(sim_u128)0 - s->c0)
		return SIM_NEVER;
	target = s->c0 + d;
	if (tsc->xtal)
		return crystal_time_of_count(tsc->xtal, target);
	t = (target + CRYSTAL_UNITS_PER_PS - 1) / CRYSTAL_UNITS_PER_PS;
	return t >= SIM_NEVER ? SIM_NEVER : (sim_ps)t;
}

void tsc_set_pstate(struct cpu_tsc *tsc, sim_ps now, uint32_t core_num, uint32_t core_den)
{
	if (core_num == 0 || core_den == 0)
		core_num = core_den = 1;
	tsc->pstate_num = core_num;
	tsc->pstate_den = core_den;
	restart(tsc, now);
}

void tsc_cstate_enter(struct cpu_tsc *tsc, sim_ps now, unsigned cstate)
{
	tsc->cstate = cstate;
	restart(tsc, now);
}

void tsc_cstate_exit(struct cpu_tsc *tsc, sim_ps now)
{
	tsc->cstate = 0;
	restart(tsc, now);
}

void tsc_set_throttle(struct cpu_tsc *tsc, sim_ps now, uint32_t duty_ppm)
{
	tsc->duty_ppm = duty_ppm > TSC_DUTY_FULL_PPM ? TSC_DUTY_FULL_PPM : duty_ppm;
	restart(tsc, now);
}

void tsc_power_off(struct cpu_tsc *tsc, sim_ps now)
{
	tsc->powered_off = true;
	restart(tsc, now);
}

void tsc_reset(struct cpu_tsc *tsc, sim_ps now, uint64_t value)
{
	tsc->powered_off = false;
	tsc->cstate = 0;
	tsc->pstate_num = 1;
	tsc->pstate_den = 1;
	tsc->duty_ppm = TSC_DUTY_FULL_PPM;
	restart(tsc, now);
	tsc->seg.tsc0 = value;
	tsc->adjust = 0;
	tsc->writes++;
	tsc->last_write_ps = now;
}

bool tsc_wrmsr(struct cpu_tsc *tsc, sim_ps now, uint32_t msr, uint64_t value)
{
	switch (msr) {
	case IA32_TIME_STAMP_COUNTER:
		/* timekeeping.rst 3: old CPUs write bits 31:0 and clear 63:32 */
		tsc_write(tsc, now, tsc->props.write_low32 ? (value & 0xffffffffu) : value);
		return true;
	case IA32_TSC_ADJUST:
		if (tsc->props.no_adjust)
			return false;
		restart(tsc, now);
		/* SDM 17.17.3: the delta written to TSC_ADJUST is added to the TSC */
		tsc->seg.tsc0 += value - (uint64_t)tsc->adjust;
		tsc->adjust = (int64_t)value;
		tsc->writes++;
		tsc->last_write_ps = now;
		return true;
	case IA32_TSC_AUX:
		/* bits 63:32 are reserved */
		if (value >> 32)
			return false;
		tsc->aux = (uint32_t)value;
		return true;
	default:
		return false;
	}
}

bool tsc_rdmsr(const struct cpu_tsc *tsc, sim_ps now, uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case IA32_TIME_STAMP_COUNTER:
		*value = tsc_read(tsc, now);
		return true;
	case IA32_TSC_ADJUST:
		if (tsc->props.no_adjust)
			return false;
		*value = (uint64_t)tsc->adjust;
		return true;
	case IA32_TSC_AUX:
		*value = tsc->aux;
		return true;
	default:
		return false;
	}
}

uint64_t tsc_rdtsc(const struct cpu_tsc *tsc, sim_ps now, enum tsc_read_kind kind,
		   struct sim_rng *rng, uint32_t *aux)
{
	uint64_t v = tsc_read(tsc, now);
	uint64_t w = tsc->props.rdtsc_window_cycles;

	if (kind == TSC_RDTSCP && aux)
		*aux = tsc->aux;
	if (kind == TSC_RDTSC && w && rng && !is_stopped(tsc->seg.rate)) {
		if (w > UINT64_MAX / 4)
			w = UINT64_MAX / 4;
		/* the value of an instant up to w cycles earlier or later */
		v += sim_rng_below(rng, 2 * w + 1) - w;
	}
	return v;
}

uint64_t tsc_cycles_counted(const struct cpu_tsc *tsc, sim_ps now)
{
	return tsc->seg.counted0 + tsc_piece_cycles(tsc, now);
}

/*
 * floor(a * m / b) - 1e9 for a rate ratio a / b scaled by m: when a * m would
 * not fit, a and b are halved together (a relative error below 2^-56).
 */
static int64_t ratio_ppb(sim_u128 a, sim_u128 b, sim_u128 m)
{
	while (a > (~(sim_u128)0) / m) {
		a >>= 1;
		b >>= 1;
	}
	if (b == 0)
		return 0;
	return (int64_t)(a * m / b) - PPB;
}

int64_t tsc_rate_error_ppb(uint64_t cycles, sim_ps dt_ps, struct sim_freq ref)
{
	/* cycles / (dt * ref) = cycles den 1e12 / (dt num), in ppb: times 1e9 */
	return ratio_ppb((sim_u128)cycles * ref.den, (sim_u128)dt_ps * ref.num,
			 (sim_u128)SIM_PS_PER_S * PPB);
}

int64_t tsc_rate_ppb(const struct cpu_tsc *tsc, sim_ps now, struct sim_freq ref)
{
	struct sim_freq r = tsc->seg.rate;
	int64_t x = tsc->xtal ? crystal_rate_ppb(tsc->xtal, now) : 0;

	if (is_stopped(r))
		return -PPB;
	return ratio_ppb((sim_u128)r.num * ref.den, (sim_u128)r.den * ref.num, (sim_u128)(PPB + x));
}

bool tsc_stopped_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now)
{
	sim_ps from = tsc->stop_start_ps > since ? tsc->stop_start_ps : since;

	if (is_stopped(tsc->seg.rate) && now > from)
		return true;
	return tsc->stops > 0 && tsc->last_stop_end_ps > since;
}

bool tsc_scaled_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now)
{
	sim_ps from = tsc->scaled_start_ps > since ? tsc->scaled_start_ps : since;

	if (scaled(tsc, tsc->seg.rate) && now > from)
		return true;
	return tsc->scalings > 0 && tsc->last_scaled_end_ps > since;
}

bool tsc_written_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now)
{
	return tsc->writes > 0 && tsc->last_write_ps >= since && tsc->last_write_ps <= now;
}

bool tsc_running(const struct cpu_tsc *tsc)
{
	return !is_stopped(tsc->seg.rate);
}

struct tsc_features tsc_derived_features(const struct cpu_tsc *tsc)
{
	return tsc_props_features(&tsc->props);
}

struct tsc_features tsc_props_features(const struct tsc_props *p)
{
	bool constant = p->cls != TSC_VARIABLE, nonstop = p->cls == TSC_INVARIANT;

	return (struct tsc_features){
		.constant_tsc = constant,
		.nonstop_tsc = nonstop,
		.tsc_reliable = p->reliable,
		.tsc_known_freq = p->known_freq,
		.invariant_cpuid = constant && nonstop,
		.tsc_adjust = !p->no_adjust,
	};
}

struct tsc_features tsc_advertised_features(const struct cpu_tsc *tsc)
{
	return tsc->advertised_set ? tsc->advertised : tsc_derived_features(tsc);
}

void tsc_advertise(struct cpu_tsc *tsc, const struct tsc_features *f)
{
	tsc->advertised_set = f != NULL;
	if (f)
		tsc->advertised = *f;
}
