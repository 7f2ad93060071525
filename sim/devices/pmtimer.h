/*
 * ACPI power management timer (ACPI 6.0 sections 4.8.2.1 and 4.8.3.3,
 * PM_TMR): a free-running 24- or 32-bit up-counter at 3.579545 MHz, read
 * through a 4-byte read-only port register.
 *
 * Modelled: the count as a pure function of `now`, starting at 0 at t = 0
 * (the spec leaves the start value undefined), and the time at which TMR_STS
 * would next be set.  Not modelled: the PM1 status and enable registers and
 * the SCI; the board owns those.  See docs/devices.md, "ACPI PM timer".
 */
#ifndef SIM_DEVICES_PMTIMER_H
#define SIM_DEVICES_PMTIMER_H

#include <stdint.h>

#include "sim/core/platform_clocks.h"
#include "sim/core/simtime.h"
#include "sim/devices/device.h"

#define PMTIMER_FREQ_HZ SIM_PMTIMER_FREQ_HZ    /* ACPI 4.8.3.3: 3.579545 MHz */
#define PMTIMER_SIZE 4u                  /* PM_TMR_LEN */

struct pmtimer {
	struct device base;
	struct sim_freq freq;      /* counter rate (nominally 3579545 Hz) */
	unsigned bits;             /* 24 (TMR_VAL) or 32 (TMR_VAL_EXT set in the FADT) */
};

/*
 * bits must be 24 or 32 and freq a valid frequency (asserted).  name must
 * outlive the device.
 */
void pmtimer_init(struct pmtimer *pm, const char *name, struct sim_freq freq, unsigned bits);

/*
 * The port region, offsets 0..3: reads of 1..4 bytes return those bytes of
 * PM_TMR (little-endian); bytes past offset 3 read as 0xff.  Writes are
 * ignored (the register is read-only).
 */
struct device *pmtimer_device(struct pmtimer *pm);

/* PM_TMR at `now`: floor(now * freq) mod 2^bits. */
uint32_t pmtimer_read(const struct pmtimer *pm, sim_ps now);

/*
 * The earliest time after `now` at which the counter's most significant bit
 * (bit 23, or bit 31) changes, which is when ACPI sets TMR_STS: every
 * 2^(bits-1) ticks.
 */
sim_ps pmtimer_next_tmr_sts(const struct pmtimer *pm, sim_ps now);

#endif
