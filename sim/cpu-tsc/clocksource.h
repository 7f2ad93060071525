/*
 * Linux's clocksource arithmetic (kernel/time/clocksource.c): the mult/shift
 * pair that turns counter cycles into ns, as clocks_calc_mult_shift() and
 * __clocksource_update_freq_scale() compute it for a clocksource registered
 * with clocksource_register_khz() (the TSC) or _hz() (HPET, ACPI PM).
 * Used for the host's own clock and for a guest's tsc clocksource.
 */
#ifndef SIM_CPU_TSC_CLOCKSOURCE_H
#define SIM_CPU_TSC_CLOCKSOURCE_H

#include <stdint.h>

struct linux_clocksource {
	uint32_t mult;
	uint32_t shift;
	uint64_t mask;            /* counter width: UINT64_MAX for the TSC */
};

/* clocks_calc_mult_shift(): convert `from` Hz to `to` Hz, accurate over maxsec seconds. */
void clocks_calc_mult_shift(uint32_t *mult, uint32_t *shift, uint32_t from, uint32_t to,
			    uint32_t maxsec);

/* The mult/shift Linux picks for a clocksource registered at freq * scale Hz (scale 1 or 1000). */
void clocksource_init_freq(struct linux_clocksource *cs, uint64_t mask, uint32_t scale,
			   uint32_t freq);

/* ns for `cycles` cycles: (cycles * mult) >> shift, with a 128-bit product. */
uint64_t clocksource_cyc2ns(const struct linux_clocksource *cs, uint64_t cycles);

#endif
