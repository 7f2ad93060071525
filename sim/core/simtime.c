/* Exact clock arithmetic on integer picoseconds and rational frequencies. */
#include "sim/core/simtime.h"

#include <stdio.h>

uint64_t sim_gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

bool sim_freq_make(uint64_t num, uint64_t den, struct sim_freq *out)
{
	uint64_t g;

	if (num == 0 || den == 0)
		return false;
	g = sim_gcd_u64(num, den);
	num /= g;
	den /= g;
	if (num >= (1ULL << 63))
		return false;
	out->num = num;
	out->den = den;
	return true;
}

struct sim_freq sim_freq_hz(uint64_t hz)
{
	struct sim_freq f = { hz, 1 };

	return f;
}

bool sim_freq_scale_ppb(struct sim_freq nominal, int64_t ppb, struct sim_freq *out)
{
	sim_i128 factor = (sim_i128)SIM_NS_PER_S + ppb;   /* (1e9 + ppb) / 1e9 */
	sim_u128 num, den;
	uint64_t g;

	if (factor <= 0 || nominal.num == 0 || nominal.den == 0)
		return false;
	num = (sim_u128)nominal.num * (sim_u128)factor;
	den = (sim_u128)nominal.den * SIM_NS_PER_S;
	/* Reduce in 128 bits before narrowing: den's factors are 2 and 5 and nominal.den's. */
	while (num > UINT64_MAX || den > UINT64_MAX) {
		if (num % 2 == 0 && den % 2 == 0) {
			num /= 2;
			den /= 2;
		} else if (num % 5 == 0 && den % 5 == 0) {
			num /= 5;
			den /= 5;
		} else {
			return false;
		}
	}
	g = sim_gcd_u64((uint64_t)num, (uint64_t)den);
	return sim_freq_make((uint64_t)num / g, (uint64_t)den / g, out);
}

uint64_t sim_freq_floor_hz(struct sim_freq f)
{
	return f.num / f.den;
}

uint64_t sim_freq_floor_khz(struct sim_freq f)
{
	return (uint64_t)((sim_u128)f.num / ((sim_u128)f.den * 1000u));
}

uint64_t sim_ticks_in(sim_ps dt, struct sim_freq f)
{
	sim_u128 q = (sim_u128)dt * f.num / ((sim_u128)f.den * SIM_PS_PER_S);

	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

sim_ps sim_tick_time(uint64_t n, struct sim_freq f)
{
	sim_u128 scale = (sim_u128)f.den * SIM_PS_PER_S;   /* (ps per tick) * num */
	sim_u128 x, t;

	/*
	 * n * scale is the exact time times num.  When it overflows 128 bits the
	 * time exceeds 2^128 / 2^63 ps, far beyond 2^64: no such instant.
	 */
	if (n != 0 && scale > ~(sim_u128)0 / n)
		return SIM_NEVER;
	x = (sim_u128)n * scale;
	t = x / f.num + (x % f.num != 0);
	return t >= SIM_NEVER ? SIM_NEVER : (sim_ps)t;
}

uint64_t sim_mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	sim_u128 q = (sim_u128)a * b / c;

	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

char *sim_format_seconds(char *buf, sim_ps t)
{
	snprintf(buf, 32, "%llu.%09llu", (unsigned long long)(t / SIM_PS_PER_S),
		 (unsigned long long)(t % SIM_PS_PER_S / SIM_PS_PER_NS));
	return buf;
}
