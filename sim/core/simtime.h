/*
 * Simulated time and exact clock arithmetic.
 *
 * True (simulated) time is an unsigned count of picoseconds since t = 0, as in
 * gem5 (1 tick = 1 ps): 2^64 ps is about 213 days.  A frequency is an exact
 * ratio num/den Hz, reduced by its gcd, with num < 2^63 so that every 128-bit
 * intermediate below fits whenever the result fits in 64 bits.
 */
#ifndef SIM_CORE_SIMTIME_H
#define SIM_CORE_SIMTIME_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t sim_ps;                 /* simulated true time, ps since t = 0 */

#define SIM_NEVER UINT64_MAX             /* "no deadline" */
#define SIM_PS_PER_NS UINT64_C(1000)
#define SIM_PS_PER_US UINT64_C(1000000)
#define SIM_PS_PER_MS UINT64_C(1000000000)
#define SIM_PS_PER_S UINT64_C(1000000000000)
#define SIM_NS_PER_S UINT64_C(1000000000)

__extension__ typedef unsigned __int128 sim_u128;
__extension__ typedef __int128 sim_i128;

/* A clock frequency as an exact ratio: hz = num / den. */
struct sim_freq {
	uint64_t num;
	uint64_t den;
};

/*
 * Builds num/den Hz reduced by the gcd.  False when den is 0, num is 0 or the
 * reduced num does not fit below 2^63.
 */
bool sim_freq_make(uint64_t num, uint64_t den, struct sim_freq *out);

/* hz Hz exactly (hz > 0, hz < 2^63). */
struct sim_freq sim_freq_hz(uint64_t hz);

/*
 * nominal * (1 + ppb / 1e9), exactly.  False when the result is not
 * representable (ppb <= -1e9, or num would reach 2^63).
 */
bool sim_freq_scale_ppb(struct sim_freq nominal, int64_t ppb, struct sim_freq *out);

/* floor(f) in Hz and floor(f / 1000) in kHz. */
uint64_t sim_freq_floor_hz(struct sim_freq f);
uint64_t sim_freq_floor_khz(struct sim_freq f);

/* Ticks of clock f that have occurred within dt: floor(dt * f).  Saturates at UINT64_MAX. */
uint64_t sim_ticks_in(sim_ps dt, struct sim_freq f);

/*
 * Earliest instant (ps after the clock's origin) at which tick n of clock f has
 * occurred: ceil(n / f).  Round-trips: sim_ticks_in(sim_tick_time(n, f), f) == n.
 * Returns SIM_NEVER when the time does not fit in 64 bits.
 */
sim_ps sim_tick_time(uint64_t n, struct sim_freq f);

/* floor(a * b / c) with a 128-bit intermediate; saturates at UINT64_MAX; c > 0. */
uint64_t sim_mul_div(uint64_t a, uint64_t b, uint64_t c);

/* Greatest common divisor (Euclid); gcd(a, 0) = a. */
uint64_t sim_gcd_u64(uint64_t a, uint64_t b);

/* a + b, saturating at SIM_NEVER. */
static inline sim_ps sim_add_sat(sim_ps a, sim_ps b)
{
	return a > SIM_NEVER - b ? SIM_NEVER : a + b;
}

static inline sim_ps sim_from_ns(uint64_t ns) { return ns * SIM_PS_PER_NS; }
static inline uint64_t sim_to_ns(sim_ps t) { return t / SIM_PS_PER_NS; }

/*
 * Formats t as seconds with 9 decimals ("5.300000000"), integer-only so the
 * output is identical on every platform.  buf must hold 32 bytes.
 */
char *sim_format_seconds(char *buf, sim_ps t);

#endif
