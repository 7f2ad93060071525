/* The time axis (axis.h). */
#include "viz/axis.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const struct {
	sim_ps ps;
	const char *name;
} units[] = {
	{ 1000000000000ull, "s" }, { 1000000000ull, "ms" }, { 1000000ull, "µs" },
	{ 1000ull, "ns" }, { 1ull, "ps" },
};

sim_ps viz_tick_step(sim_ps span_ps, unsigned max_ticks)
{
	static const unsigned mult[] = { 1, 2, 5 };
	sim_ps decade = 1;

	if (max_ticks == 0)
		max_ticks = 1;
	for (;;) {
		for (unsigned i = 0; i < 3; i++) {
			sim_ps step = decade * mult[i];

			if (span_ps / step <= max_ticks)
				return step;
		}
		if (decade > UINT64_MAX / 100)
			return decade * 10;
		decade *= 10;
	}
}

/* The unit for a step: the largest one no bigger than ten steps, so 200 ms ticks read "5.2 s". */
static unsigned unit_for(sim_ps step)
{
	for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].ps <= step * 10 || i + 1 == sizeof(units) / sizeof(units[0]))
			return i;
	return 4;
}

/* value / unit with the decimals step needs, e.g. 5200000000000 ps in s at a 0.2 s step. */
static char *fmt_fixed(char *buf, size_t len, uint64_t v, uint64_t unit, sim_ps step,
		       const char *name)
{
	unsigned dec = 0;
	uint64_t scale = unit;

	while (step % scale != 0 && scale > 1) {
		scale /= 10;
		dec++;
	}
	if (dec == 0)
		snprintf(buf, len, "%" PRIu64 " %s", v / unit, name);
	else
		snprintf(buf, len, "%" PRIu64 ".%0*" PRIu64 " %s", v / unit, (int)dec,
			 (v % unit) / scale, name);
	return buf;
}

char *viz_fmt_tick(char *buf, size_t len, sim_ps t, sim_ps step_ps)
{
	unsigned u = unit_for(step_ps);

	return fmt_fixed(buf, len, t, units[u].ps, step_ps, units[u].name);
}

sim_ps viz_axis_base(sim_ps t0, sim_ps t1, sim_ps step_ps)
{
	char probe[48];
	sim_ps block;

	viz_fmt_tick(probe, sizeof(probe), t1, step_ps);
	if (strlen(probe) <= 12 || step_ps > UINT64_MAX / 1000)
		return 0;
	block = step_ps * 1000;
	return t0 - t0 % block;
}

char *viz_fmt_ps(char *buf, size_t len, int64_t ps)
{
	uint64_t mag = ps < 0 ? (uint64_t)0 - (uint64_t)ps : (uint64_t)ps;
	const char *sign = ps < 0 ? "-" : "+";
	unsigned i;

	if (mag == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	for (i = 0; i + 1 < sizeof(units) / sizeof(units[0]) && mag < units[i].ps; i++)
		;
	{
		uint64_t u = units[i].ps, whole = mag / u, rem = mag % u;

		/* three significant digits */
		if (whole >= 100 || u == 1)
			snprintf(buf, len, "%s%" PRIu64 " %s", sign, whole, units[i].name);
		else if (whole >= 10)
			snprintf(buf, len, "%s%" PRIu64 ".%" PRIu64 " %s", sign, whole, rem * 10 / u,
				 units[i].name);
		else
			snprintf(buf, len, "%s%" PRIu64 ".%02" PRIu64 " %s", sign, whole, rem * 100 / u,
				 units[i].name);
	}
	return buf;
}

char *viz_fmt_time(char *buf, size_t len, sim_ps t)
{
	uint64_t s = t / 1000000000000ull, ns = t % 1000000000000ull / 1000, ps = t % 1000;

	if (ps)
		snprintf(buf, len, "%" PRIu64 ".%09" PRIu64 " s +%" PRIu64 " ps", s, ns, ps);
	else
		snprintf(buf, len, "%" PRIu64 ".%09" PRIu64 " s", s, ns);
	return buf;
}
