/*
 * The time axis: tick spacing in 1-2-5 steps and labels in sensible units
 * (ps, ns, µs, ms, s), integer-only so that labels are the same everywhere.
 */
#ifndef VIZ_AXIS_H
#define VIZ_AXIS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/* The 1-2-5 step (ps) that puts about max_ticks ticks on span_ps; at least 1 ps. */
sim_ps viz_tick_step(sim_ps span_ps, unsigned max_ticks);

/*
 * The label of a tick at t on an axis of ticks every step_ps: "5 s", "5.2 s",
 * "120 ms", "3.5 ns".  Returns buf.
 */
char *viz_fmt_tick(char *buf, size_t len, sim_ps t, sim_ps step_ps);

/*
 * When the ticks are too fine to label from 0 ("300.000000005 s"), labels
 * count from a base: the largest multiple of 1000 steps at or below t0.
 * 0 when labels from 0 fit in 12 characters.
 */
sim_ps viz_axis_base(sim_ps t0, sim_ps t1, sim_ps step_ps);

/* A signed quantity in ps with 3 significant digits: "+1.50 ms", "-320 ns", "0". */
char *viz_fmt_ps(char *buf, size_t len, int64_t ps);

/* A time with ns precision in s: "5.300123456 s" (sub-ns: "… s +123 ps"). */
char *viz_fmt_time(char *buf, size_t len, sim_ps t);

#endif
