/*
 * Crystal oscillator: see crystal.h for the model and the fixed point.
 *
 * Spread spectrum.  Within one modulation period of P ps, at phase tau, the
 * level is g(tau) = 1e9 + L - s * tri(tau) ppb of nominal, where tri rises
 * from 0 to 1 over the first half period and falls back over the second
 * (L = 0 for down-spread, s/2 for center-spread).  With
 *     q(tau) = 2 P * integral_0^tau tri = 2 tau^2               (2 tau <= P)
 *                                       = P^2 - 2 (P - tau)^2   (2 tau >= P)
 * the scaled integral F(tau) = 2 P * integral_0^tau g = 2 P (1e9 + L) tau - s q(tau)
 * is an integer, and F(P) = 2 P * P (1e9 + L - s/2): a whole period gives
 * exactly its mean.  A piece with e then advances by (1e9 + e) F / (2 P).
 *
 * Wander.  Every step (default 1 s) the walk moves by sigma * sqrt(step) * z,
 * z the sum of 12 uniforms centred on 0 (Irwin-Hall: mean 0, variance 1,
 * |z| <= 6), drawn from 12 64-bit outputs of the crystal's own stream, and
 * reflects off +-bound.  Its state is kept in 1e-12 (ppt); the piece uses it
 * rounded to the nearest ppb.  Aging adds aging_ppb_per_day * t / 1 day at
 * each step.
 */
#include "sim/cpu-tsc/crystal.h"

#include <string.h>

#define PPB INT64_C(1000000000)
#define PPT_PER_PPB 1000
#define PS_PER_DAY ((sim_u128)86400 * SIM_PS_PER_S)
#define SSC_DEFAULT_HZ 32000u
#define TEN15 ((sim_u128)1000000000000000ULL)

static sim_u128 isqrt_u128(sim_u128 x)
{
	sim_u128 r = 0;
	sim_u128 bit = (sim_u128)1 << 126;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* Signed division rounding half away from zero. */
static int64_t div_round(sim_i128 a, int64_t b)
{
	return (int64_t)(a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b));
}

static int64_t clamp_ppb(int64_t v)
{
	return v > CRYSTAL_MAX_PPB ? CRYSTAL_MAX_PPB : v < -CRYSTAL_MAX_PPB ? -CRYSTAL_MAX_PPB : v;
}

static const struct crystal_piece *current(const struct crystal *c)
{
	return &c->hist[c->cur];
}

/* 2 P times the integral of tri over [0, tau], tau <= P. */
static sim_u128 tri_q(sim_u128 period, sim_u128 tau)
{
	if (2 * tau <= period)
		return 2 * tau * tau;
	return period * period - 2 * (period - tau) * (period - tau);
}

/* F(tau) = 2 P * integral_0^tau g, per unit of (1e9 + e). */
static sim_u128 ssc_f(const struct crystal *c, sim_u128 tau)
{
	sim_u128 period = c->period_ps;

	return 2 * period * (sim_u128)(PPB + c->l_ppb) * tau -
	       (sim_u128)c->s_ppb * tri_q(period, tau);
}

/*
 * C(t) - C(t0) on a piece without SSC: (1e9 + e) 1e9 units per ps, below
 * 1.1e18 (|e| <= 10 %), so one 64 x 64-bit multiply.
 */
static sim_u128 flat_units(const struct crystal_piece *p, sim_ps t)
{
	return crystal_flat_units(p, t);
}

/* C at t >= p->t0 on piece p, as count + rem / (2 P). */
static void piece_eval(const struct crystal *c, const struct crystal_piece *p, sim_ps t,
		       sim_u128 *count, uint64_t *rem)
{
	sim_u128 k = (sim_u128)(PPB + p->ppb);
	sim_u128 period, two_p, a, b, n0, n1, tau0, tau1, num, whole = 0;

	if (t < p->t0)
		t = p->t0;
	if (c->period_ps == 0) {
		*count = p->count0 + flat_units(p, t);
		*rem = 0;
		return;
	}
	period = c->period_ps;
	two_p = 2 * period;
	a = (sim_u128)p->t0 + c->p.ssc_phase_ps;
	b = (sim_u128)t + c->p.ssc_phase_ps;
	n0 = a / period;
	tau0 = a % period;
	n1 = b / period;
	tau1 = b % period;
	if (n1 == n0) {
		num = k * (ssc_f(c, tau1) - ssc_f(c, tau0));
	} else {
		/* to the end of the first period, whole periods, then into the last */
		num = k * (ssc_f(c, period) - ssc_f(c, tau0)) + k * ssc_f(c, tau1);
		whole = (n1 - n0 - 1) * period * k *
			(sim_u128)(PPB + c->l_ppb - c->s_ppb / 2);
	}
	num += p->rem0;
	*count = p->count0 + whole + num / two_p;
	*rem = (uint64_t)(num % two_p);
}

/* The newest kept piece starting at or before t (the oldest if none). */
static const struct crystal_piece *piece_at(const struct crystal *c, sim_ps t)
{
	unsigned idx = c->cur;

	for (unsigned i = 0; i < c->npieces; i++) {
		const struct crystal_piece *p = &c->hist[idx];

		if (p->t0 <= t || i + 1 == c->npieces)
			return p;
		idx = (idx + CRYSTAL_HISTORY - 1) % CRYSTAL_HISTORY;
	}
	return current(c);
}

/* Closes the current piece at t and continues with e = ppb. */
static void push_piece(struct crystal *c, sim_ps t, int64_t ppb)
{
	const struct crystal_piece *p = current(c);
	struct crystal_piece next = { .t0 = t, .ppb = clamp_ppb(ppb) };

	c->gen++;
	if (t <= p->t0) {
		/* a zero-length piece: change e in place, C(t0) is unchanged */
		c->hist[c->cur].ppb = next.ppb;
		return;
	}
	piece_eval(c, p, t, &next.count0, &next.rem0);
	c->cur = (c->cur + 1) % CRYSTAL_HISTORY;
	c->hist[c->cur] = next;
	if (c->npieces < CRYSTAL_HISTORY)
		c->npieces++;
}

static int64_t aging_ppt(const struct crystal *c, sim_ps t)
{
	sim_i128 v = (sim_i128)c->p.aging_ppb_per_day * PPT_PER_PPB * (sim_i128)t;

	return (int64_t)(v / (sim_i128)PS_PER_DAY);
}

static int64_t level_ppb(const struct crystal *c, sim_ps t)
{
	return c->p.offset_ppb + c->steps_ppb +
	       div_round((sim_i128)aging_ppt(c, t) + c->wander_ppt, PPT_PER_PPB);
}

/* One wander increment in ppt: sigma_step * z, z from 12 centred uniforms. */
static int64_t wander_increment(struct crystal *c)
{
	sim_i128 z = 0;

	/* (2u + 1 - 2^32) / 2^33 is uniform on (-1/2, 1/2) with mean exactly 0. */
	for (int i = 0; i < 12; i++)
		z += 2 * (sim_i128)(sim_rng_next(&c->rng) >> 32) + 1 - ((sim_i128)1 << 32);
	return (int64_t)(((sim_i128)c->sigma_step_ppt * z) / ((sim_i128)1 << 33));
}

static void reflect(struct crystal *c)
{
	int64_t b = c->bound_ppt;

	while (c->wander_ppt > b || c->wander_ppt < -b)
		c->wander_ppt = c->wander_ppt > b ? 2 * b - c->wander_ppt : -2 * b - c->wander_ppt;
}

bool crystal_init(struct crystal *c, const struct crystal_params *p, uint64_t seed,
		  const char *stream_id)
{
	struct crystal x;
	sim_u128 sigma_ppt;

	memset(&x, 0, sizeof(x));
	x.p = *p;
	if (p->offset_ppb > CRYSTAL_MAX_PPB || p->offset_ppb < -CRYSTAL_MAX_PPB ||
	    p->aging_ppb_per_day > CRYSTAL_MAX_PPB || p->aging_ppb_per_day < -CRYSTAL_MAX_PPB ||
	    p->wander_sigma_ppb > (uint64_t)CRYSTAL_MAX_PPB ||
	    p->wander_bound_ppb > (uint64_t)CRYSTAL_MAX_PPB)
		return false;
	x.step_ps = p->wander_step_ps ? p->wander_step_ps : SIM_PS_PER_S;
	x.p.wander_step_ps = x.step_ps;
	x.bound_ppt = PPT_PER_PPB * (int64_t)(p->wander_bound_ppb ? p->wander_bound_ppb :
								     (uint64_t)CRYSTAL_MAX_PPB);
	/* sigma * sqrt(step / 1 s), in ppt */
	sigma_ppt = (sim_u128)p->wander_sigma_ppb * PPT_PER_PPB;
	x.sigma_step_ppt = (uint64_t)isqrt_u128(sigma_ppt * sigma_ppt * x.step_ps / SIM_PS_PER_S);

	if (p->ssc != CRYSTAL_SSC_NONE) {
		struct sim_freq m = p->ssc_mod;
		sim_u128 period;

		if (p->ssc != CRYSTAL_SSC_DOWN && p->ssc != CRYSTAL_SSC_CENTER)
			return false;
		if (m.num == 0 && m.den == 0)
			m = sim_freq_hz(SSC_DEFAULT_HZ);
		if (m.num == 0 || m.den == 0 || p->ssc_spread_ppm > CRYSTAL_MAX_SPREAD_PPM)
			return false;
		/* P = 1 / f_mod rounded to the nearest ps */
		period = ((sim_u128)m.den * SIM_PS_PER_S + m.num / 2) / m.num;
		if (period < CRYSTAL_MIN_SSC_PERIOD_PS || period > CRYSTAL_MAX_SSC_PERIOD_PS)
			return false;
		x.p.ssc_mod = m;
		x.period_ps = (sim_ps)period;
		x.s_ppb = (int64_t)p->ssc_spread_ppm * 1000;
		x.l_ppb = p->ssc == CRYSTAL_SSC_CENTER ? x.s_ppb / 2 : 0;
	}

	sim_rng_init(&x.rng, seed, stream_id);
	x.next_update_ps = (p->wander_sigma_ppb || p->aging_ppb_per_day) ? x.step_ps : SIM_NEVER;
	x.hist[0] = (struct crystal_piece){ .t0 = 0, .count0 = 0, .rem0 = 0,
					    .ppb = clamp_ppb(p->offset_ppb) };
	x.npieces = 1;
	x.gen = 1;
	*c = x;
	return true;
}

sim_u128 crystal_count(const struct crystal *c, sim_ps now)
{
	sim_u128 count;
	uint64_t rem;

	/* the common read: now on the current piece, no SSC */
	if (crystal_count_flat(c, now, &count))
		return count;
	piece_eval(c, piece_at(c, now), now, &count, &rem);
	return count;
}

/* Least t in (lo, hi] with C(t) >= target, given C(lo) < target <= C(hi). */
static sim_ps bisect(const struct crystal *c, const struct crystal_piece *p, sim_ps lo,
		     sim_ps hi, sim_u128 target)
{
	while (hi - lo > 1) {
		sim_ps mid = lo + (hi - lo) / 2;
		sim_u128 count;
		uint64_t rem;

		piece_eval(c, p, mid, &count, &rem);
		if (count >= target)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

sim_ps crystal_time_of_count(const struct crystal *c, sim_u128 target)
{
	unsigned idx = (c->cur + CRYSTAL_HISTORY + 1 - c->npieces) % CRYSTAL_HISTORY;
	const struct crystal_piece *p = &c->hist[idx];
	sim_u128 count, slowest;
	uint64_t rem;
	sim_ps hi;

	if (target <= p->count0)
		return p->t0;
	/* the piece whose span holds the target: the next piece starts at or past it */
	for (unsigned i = 1; i < c->npieces; i++) {
		const struct crystal_piece *next = &c->hist[(idx + 1) % CRYSTAL_HISTORY];

		if (target <= next->count0)
			return bisect(c, p, p->t0, next->t0, target);
		idx = (idx + 1) % CRYSTAL_HISTORY;
		p = next;
	}
	/* the open last piece: C grows by at least (1e9 + e)(1e9 + L - s) per ps */
	slowest = (sim_u128)(PPB + p->ppb) * (sim_u128)(PPB + c->l_ppb - c->s_ppb);
	if ((target - p->count0) / slowest + 1 >= SIM_NEVER - p->t0)
		hi = SIM_NEVER;
	else
		hi = p->t0 + (sim_ps)((target - p->count0) / slowest) + 1;
	piece_eval(c, p, hi, &count, &rem);
	if (count < target)
		return SIM_NEVER;
	return bisect(c, p, p->t0, hi, target);
}

sim_u128 crystal_count_to_cycles(sim_u128 d, struct sim_freq f)
{
	sim_u128 w = d / CRYSTAL_UNITS_PER_PS;
	sim_u128 frac = d % CRYSTAL_UNITS_PER_PS;
	sim_u128 x = w * f.num + frac * f.num / CRYSTAL_UNITS_PER_PS;

	/*
	 * floor((w + frac / 1e18) * num / (den 1e12))
	 *   = floor((w num + floor(frac num / 1e18)) / (den 1e12)): the dropped
	 * fraction is below 1 and the divisor an integer.
	 */
	return x / ((sim_u128)f.den * SIM_PS_PER_S);
}

bool crystal_cycles_recip(struct sim_freq f, struct sim_recip *r)
{
	/* den 1e30 < 2^127 is checked before the product can wrap */
	if (f.den >= ((sim_u128)1 << 127) / (CRYSTAL_UNITS_PER_PS * SIM_PS_PER_S)) {
		*r = (struct sim_recip){ 0 };
		return false;
	}
	return sim_recip_init(r, f.num, (sim_u128)f.den * CRYSTAL_UNITS_PER_PS * SIM_PS_PER_S);
}

bool crystal_cycles_to_count(uint64_t k, struct sim_freq f, sim_u128 *d)
{
	/* ceil(k den 1e30 / num), with 1e30 = 1e15 * 1e15 in two long-division steps */
	sim_u128 a = (sim_u128)k * f.den;
	sim_u128 q1 = a / f.num, r1 = a % f.num;
	sim_u128 x = r1 * TEN15;
	sim_u128 q2 = x / f.num, r2 = x % f.num;
	sim_u128 y = r2 * TEN15;
	sim_u128 q3 = (y + f.num - 1) / f.num;
	sim_u128 hi = q1 * TEN15 + q2;

	if (q1 > (~(sim_u128)0) / (TEN15 * TEN15) || hi > ((~(sim_u128)0) - q3) / TEN15)
		return false;
	*d = hi * TEN15 + q3;
	return true;
}

uint64_t crystal_ticks(const struct crystal *c, sim_ps now, struct sim_freq f)
{
	sim_u128 n = crystal_count_to_cycles(crystal_count(c, now), f);

	return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

static sim_i128 floor_div(sim_i128 a, sim_i128 b)
{
	sim_i128 q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t crystal_rate_ppb(const struct crystal *c, sim_ps now)
{
	const struct crystal_piece *p = piece_at(c, now);
	sim_i128 k = PPB + p->ppb;
	sim_i128 period, tau, tri2p, g_p;

	if (c->period_ps == 0)
		return p->ppb;
	period = c->period_ps;
	tau = ((sim_i128)now + c->p.ssc_phase_ps) % period;
	/* 2 P tri(tau) = 4 tau or 4 (P - tau), so g P = (1e9 + L) P - s (2 P tri) / 2 */
	tri2p = 2 * tau <= period ? 4 * tau : 4 * (period - tau);
	g_p = (PPB + c->l_ppb) * period * 2 - c->s_ppb * tri2p;
	return (int64_t)(floor_div(k * g_p, (sim_i128)PPB * 2 * period) - PPB);
}

int64_t crystal_mean_rate_ppb(const struct crystal *c, sim_ps t1, sim_ps t2)
{
	sim_u128 d;

	if (t2 <= t1)
		return crystal_rate_ppb(c, t1);
	d = crystal_count(c, t2) - crystal_count(c, t1);
	return (int64_t)(d / ((sim_u128)(t2 - t1) * PPB)) - PPB;
}

int64_t crystal_piece_mean_ppb(const struct crystal *c)
{
	sim_i128 k = PPB + current(c)->ppb;
	sim_i128 mean = PPB + c->l_ppb - c->s_ppb / 2;

	return (int64_t)(floor_div(k * mean, PPB) - PPB);
}

sim_ps crystal_next_update(const struct crystal *c)
{
	return c->next_update_ps;
}

void crystal_update(struct crystal *c, sim_ps now)
{
	while (c->next_update_ps <= now && c->next_update_ps != SIM_NEVER) {
		sim_ps t = c->next_update_ps;

		if (c->sigma_step_ppt) {
			c->wander_ppt += wander_increment(c);
			reflect(c);
		}
		push_piece(c, t, level_ppb(c, t));
		c->next_update_ps = sim_add_sat(t, c->step_ps);
	}
}

void crystal_add_step_ppb(struct crystal *c, sim_ps now, int64_t ppb)
{
	const struct crystal_piece *p;

	crystal_update(c, now);
	p = current(c);
	if (now < p->t0)
		now = p->t0;
	c->steps_ppb = clamp_ppb(c->steps_ppb + ppb);
	push_piece(c, now, level_ppb(c, now));
}

bool crystal_is_deterministic(const struct crystal *c)
{
	return c->p.wander_sigma_ppb == 0 && c->p.aging_ppb_per_day == 0;
}

bool crystal_equivalent(const struct crystal *a, const struct crystal *b)
{
	if (a == b)
		return true;
	if (!crystal_is_deterministic(a) || !crystal_is_deterministic(b))
		return false;
	if (a->period_ps != b->period_ps || a->s_ppb != b->s_ppb || a->l_ppb != b->l_ppb ||
	    (a->period_ps && a->p.ssc_phase_ps % a->period_ps != b->p.ssc_phase_ps % b->period_ps))
		return false;
	if (a->npieces != b->npieces)
		return false;
	for (unsigned i = 0; i < a->npieces; i++) {
		unsigned ia = (a->cur + CRYSTAL_HISTORY - i) % CRYSTAL_HISTORY;
		unsigned ib = (b->cur + CRYSTAL_HISTORY - i) % CRYSTAL_HISTORY;
		const struct crystal_piece *pa = &a->hist[ia], *pb = &b->hist[ib];

		if (pa->t0 != pb->t0 || pa->ppb != pb->ppb || pa->count0 != pb->count0 ||
		    pa->rem0 != pb->rem0)
			return false;
	}
	return true;
}
