/*
 * Linux's clocksource mult/shift selection (kernel/time/clocksource.c,
 * clocks_calc_mult_shift() and __clocksource_update_freq_scale()), rewritten
 * from its documented behaviour: pick the largest shift whose multiplier
 * still converts maxsec seconds of cycles without overflowing 64 bits, then
 * make room for the NTP adjustment of 11 % (clocksource_max_adjustment()).
 */
#include "sim/cpu-tsc/clocksource.h"

#include "sim/core/simtime.h"

void clocks_calc_mult_shift(uint32_t *mult, uint32_t *shift, uint32_t from, uint32_t to,
			    uint32_t maxsec)
{
	uint64_t tmp;
	uint32_t sft, sftacc = 32;

	/* Bits of headroom the product cycles * mult needs for maxsec seconds. */
	tmp = ((uint64_t)maxsec * from) >> 32;
	while (tmp) {
		tmp >>= 1;
		sftacc--;
	}
	/* Largest shift whose (rounded) multiplier fits in sftacc bits. */
	for (sft = 32; sft > 0; sft--) {
		tmp = (uint64_t)to << sft;
		tmp += from / 2;
		tmp /= from;
		if ((tmp >> sftacc) == 0)
			break;
	}
	*mult = (uint32_t)tmp;
	*shift = sft;
}

void clocksource_init_freq(struct linux_clocksource *cs, uint64_t mask, uint32_t scale,
			   uint32_t freq)
{
	uint64_t sec = mask / freq / scale;
	uint32_t maxadj;

	/* Convert at most 10 minutes' worth of a wide counter in one step. */
	if (!sec)
		sec = 1;
	else if (sec > 600 && mask > UINT32_MAX)
		sec = 600;
	cs->mask = mask;
	clocks_calc_mult_shift(&cs->mult, &cs->shift, freq, (uint32_t)(SIM_NS_PER_S / scale),
			       (uint32_t)(sec * scale));
	/* Leave room for NTP to move mult by 11 % without overflowing 32 bits. */
	maxadj = (uint32_t)((uint64_t)cs->mult * 11 / 100);
	while (freq && ((uint64_t)cs->mult + maxadj > UINT32_MAX || cs->mult < maxadj)) {
		cs->mult >>= 1;
		cs->shift--;
		maxadj = (uint32_t)((uint64_t)cs->mult * 11 / 100);
	}
}

uint64_t clocksource_cyc2ns(const struct linux_clocksource *cs, uint64_t cycles)
{
	return (uint64_t)(((sim_u128)cycles * cs->mult) >> cs->shift);
}
