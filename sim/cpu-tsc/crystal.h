/*
 * A crystal oscillator as a function of true time: C(t), the integral of
 * f(t) / f_nominal from t = 0, that is the crystal's own idea of elapsed
 * time.  Any clock it drives at a nominal rate r counts floor(C(t) * r)
 * cycles, so one crystal can clock a 3 GHz TSC and a 14.318 MHz HPET alike.
 *
 * f(t) = f_nominal * (1 + e(t)) * ssc(t), with
 * - e(t) in ppb: a static offset, temperature steps (crystal_add_step_ppb),
 *   aging (ppb per day) and temperature wander (a bounded random walk), all
 *   piecewise constant between wander steps, so every integral is exact;
 * - ssc(t): spread-spectrum clocking, a deliberate slow frequency sweep
 *   that lowers EMI (Linux Documentation/virt/kvm/x86/timekeeping.rst, 3.3;
 *   PCIe reference clocks sweep at 30-33 kHz, down by up to 0.5 %; kernel
 *   bugzilla 197299: Skylake-X with SSC on ran 0.25 % slow against a
 *   nominal 25 MHz crystal): a triangle between 1 - s and 1 (down-spread,
 *   mean 1 - s/2) or 1 - s/2 and 1 + s/2 (center-spread, mean 1).
 *
 * Fixed point: C is an unsigned 128-bit count of 10^-18 nominal ps
 * (10^-30 s).  A piece with constant e advances by (1e9 + e) * g(t) units
 * per ps, g the spread-spectrum level in ppb of nominal, so static offsets
 * and whole modulation periods are integer products: exact, no rounding.
 * Within a modulation period the triangle integrates to a quadratic with
 * denominator 2P (P the period in ps); the count keeps that remainder, so
 * C(t) is floor of the exact integral at every t, continuous and strictly
 * increasing (by about 1e18 units per ps).  2^64 ps of C fit in 2^125.
 *
 * The wander needs one update per step interval: the owner calls
 * crystal_update() at crystal_next_update() (or later: missed steps are
 * applied at their own instants).  Values at times up to the next update
 * are final; beyond it they are provisional (the current piece extended),
 * so anything derived from a future count must be recomputed after each
 * update.  The last CRYSTAL_HISTORY pieces are kept for reads in the past.
 */
#ifndef SIM_CPU_TSC_CRYSTAL_H
#define SIM_CPU_TSC_CRYSTAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/recip.h"
#include "sim/core/rng.h"
#include "sim/core/simtime.h"

/* Units of C per ps of nominal time. */
#define CRYSTAL_UNITS_PER_PS ((sim_u128)1000000000000000000ULL)

/* Limits that keep every 128-bit product in range (checked by crystal_init). */
#define CRYSTAL_MAX_PPB INT64_C(100000000)        /* |e(t)| <= 10 %, clamped */
#define CRYSTAL_MAX_SPREAD_PPM 50000u             /* s <= 5 % */
#define CRYSTAL_MIN_SSC_PERIOD_PS UINT64_C(1000)  /* modulation <= 1 GHz */
#define CRYSTAL_MAX_SSC_PERIOD_PS UINT64_C(1000000000) /* modulation >= 1 kHz */

#define CRYSTAL_HISTORY 8

enum crystal_ssc {
	CRYSTAL_SSC_NONE,
	CRYSTAL_SSC_DOWN,         /* f in [nom (1 - s), nom], mean nom (1 - s/2) */
	CRYSTAL_SSC_CENTER,       /* f in [nom (1 - s/2), nom (1 + s/2)], mean nom */
};

/* All zero: an ideal crystal, C(t) = t exactly. */
struct crystal_params {
	int64_t offset_ppb;            /* static frequency error */
	int64_t aging_ppb_per_day;     /* frequency drift, applied at each wander step */
	uint64_t wander_sigma_ppb;     /* random-walk sigma per sqrt(second); 0: no wander */
	uint64_t wander_bound_ppb;     /* reflecting bound on |wander|; 0: CRYSTAL_MAX_PPB */
	sim_ps wander_step_ps;         /* update interval; 0: 1 s */
	enum crystal_ssc ssc;
	uint32_t ssc_spread_ppm;       /* s: 5000 = 0.5 % */
	struct sim_freq ssc_mod;       /* modulation frequency; {0, 0}: 32 kHz */
	sim_ps ssc_phase_ps;           /* the triangle's phase at t = 0 (0: at nominal, falling) */
};

/* A piece of constant e: C(t0) = count0 + rem0 / (2 P) exactly (rem0 = 0 without SSC). */
struct crystal_piece {
	sim_ps t0;
	sim_u128 count0;
	uint64_t rem0;
	int64_t ppb;                   /* e on this piece */
};

struct crystal {
	struct crystal_params p;       /* as given, defaults filled in */
	sim_ps period_ps;              /* SSC modulation period P; 0 without SSC */
	int64_t s_ppb;                 /* SSC spread s in ppb (even) */
	int64_t l_ppb;                 /* SSC level at the top: 0 (down) or s/2 (center) */
	sim_ps step_ps;
	struct sim_rng rng;
	uint64_t sigma_step_ppt;       /* wander sigma per step, in 1e-12 */
	int64_t bound_ppt;
	int64_t wander_ppt;            /* random-walk state, in 1e-12 */
	int64_t steps_ppb;             /* sum of crystal_add_step_ppb() */
	sim_ps next_update_ps;         /* SIM_NEVER without wander or aging */
	struct crystal_piece hist[CRYSTAL_HISTORY]; /* ring; hist[cur] is the current piece */
	unsigned cur;
	unsigned npieces;
	uint64_t gen;                  /* 1 at init, +1 at each change of hist[cur]: caches
					  built on the current piece (tsc.h) check it */
};

/*
 * Builds the crystal at t = 0 with C(0) = 0.  The wander draws from the
 * stream (seed, stream_id), e.g. "host/h0/socket1/crystal".  False (c
 * untouched) when a parameter is out of the ranges above.
 */
bool crystal_init(struct crystal *c, const struct crystal_params *p, uint64_t seed,
		  const char *stream_id);

/* C(now) in units of 10^-18 nominal ps (floor of the exact integral). */
sim_u128 crystal_count(const struct crystal *c, sim_ps now);

/* C on piece p at t >= p->t0 without SSC: (1e9 + e) 1e9 units a ps. */
static inline sim_u128 crystal_flat_units(const struct crystal_piece *p, sim_ps t)
{
	return (sim_u128)(uint64_t)((INT64_C(1000000000) + p->ppb) * INT64_C(1000000000)) *
	       (t - p->t0);
}

/*
 * crystal_count() for the common read, inline in a TSC read: `now` on the
 * current piece, no SSC.  False otherwise (call crystal_count()).
 */
static inline bool crystal_count_flat(const struct crystal *c, sim_ps now, sim_u128 *count)
{
	const struct crystal_piece *p = &c->hist[c->cur];

	if (c->period_ps != 0 || now < p->t0)
		return false;
	*count = p->count0 + crystal_flat_units(p, now);
	return true;
}

/*
 * Earliest time at which C reaches `count`: crystal_count(c, t) >= count >
 * crystal_count(c, t - 1).  SIM_NEVER if beyond 2^64 ps; the start of the
 * oldest kept piece if the count precedes it.  Exact (bisection on C).
 */
sim_ps crystal_time_of_count(const struct crystal *c, sim_u128 count);

/* Cycles of a clock of nominal rate f driven by this crystal since t = 0: floor(C(now) * f). */
uint64_t crystal_ticks(const struct crystal *c, sim_ps now, struct sim_freq f);

/* Instantaneous offset from nominal at `now`, SSC included, in ppb (floor). */
int64_t crystal_rate_ppb(const struct crystal *c, sim_ps now);

/* Mean offset over [t1, t2] in ppb, (C(t2) - C(t1)) / (t2 - t1) - 1 (floor); t1 < t2. */
int64_t crystal_mean_rate_ppb(const struct crystal *c, sim_ps t1, sim_ps t2);

/* Long-run mean offset of the current piece in ppb: e, and the SSC mean (floor). */
int64_t crystal_piece_mean_ppb(const struct crystal *c);

/* When the owner must call crystal_update() next; SIM_NEVER if never. */
sim_ps crystal_next_update(const struct crystal *c);

/* Applies every wander/aging step due at or before `now`, each at its own instant. */
void crystal_update(struct crystal *c, sim_ps now);

/* A temperature step: from `now` on, e changes by `ppb` (after any due update). */
void crystal_add_step_ppb(struct crystal *c, sim_ps now, int64_t ppb);

/* Whether the crystal has no random or time-varying part (no wander, no aging). */
bool crystal_is_deterministic(const struct crystal *c);

/*
 * Whether two crystals give the same C(t) for every t: both deterministic,
 * with the same parameters and the same history of steps.
 */
bool crystal_equivalent(const struct crystal *a, const struct crystal *b);

/*
 * floor(d * f) for a count difference d and a rate f: the cycles a clock of
 * nominal rate f counts while its crystal advances by d.  Exact; the result
 * fits 128 bits for any d a crystal produces.
 */
sim_u128 crystal_count_to_cycles(sim_u128 d, struct sim_freq f);

/*
 * A reciprocal for crystal_count_to_cycles(d, f), floor(d num / (den 1e30)):
 * sim_recip_apply(r, d) gives the same for every d, without a division.
 * False (a stopped rate {0, 0}, den >= 1.7e8, or f >= 54 GHz): callers then
 * use crystal_count_to_cycles().
 */
bool crystal_cycles_recip(struct sim_freq f, struct sim_recip *r);

/*
 * The least d with crystal_count_to_cycles(d, f) >= k; false when it does
 * not fit 128 bits.
 */
bool crystal_cycles_to_count(uint64_t k, struct sim_freq f, sim_u128 *d);

#endif
