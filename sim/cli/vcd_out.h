/*
 * `sim run --vcd FILE`: the trace stream as a Value Change Dump for GTKWave
 * and Surfer (sim/export/vcd.h), at 1 ps.  The signals are fixed before the
 * run from the scenario and the board (vcd_out_begin): the interrupt lines
 * the board's devices can drive, each vCPU's pvclock STABLE and
 * GUEST_STOPPED flags and version, and per board device its last read and
 * write (address and value) and its counter registers, dumped at each guest
 * access and at each HPET comparator event, never per tick.  Nothing is kept
 * per record.  docs/exports.md lists the signals.
 */
#ifndef SIM_CLI_VCD_OUT_H
#define SIM_CLI_VCD_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/trace.h"
#include "sim/devices/platform.h"
#include "sim/scenario/scenario.h"

struct vcd_out;

/* A writer on f; NULL when out of memory. */
struct vcd_out *vcd_out_create(FILE *f);

/*
 * Declares the signals of scenario s on board pf, writes the header and
 * subscribes to tr; false when tr has no room or the signals do not fit.
 */
bool vcd_out_begin(struct vcd_out *w, const struct scenario *s, const struct platform *pf,
		   struct sim_trace *tr);

/* The run ended at end_ps: the last timestamp. */
void vcd_out_finish(struct vcd_out *w, sim_ps end_ps);

/* Value changes written, and records that named a line or vCPU with no signal. */
uint64_t vcd_out_changes(const struct vcd_out *w);
uint64_t vcd_out_unknown(const struct vcd_out *w);

void vcd_out_destroy(struct vcd_out *w);

#endif
