/*
 * The device interface the buses use (STYLE.md P9): a small ops table plus an
 * embedded base.  Device-specific API (pit_read_count, hpet_main_counter, ...)
 * stays as plain functions for tests and the oracle.
 *
 * Accesses carry the offset inside the device's region, the access size in
 * bytes (1, 2, 4 or 8) and `now`.  The bus splits an access wider than the
 * device's max_size into consecutive little-endian accesses of max_size, and
 * refuses one narrower than min_size (reads of it return all ones).  No
 * device reads a global clock: `now` is always passed in.
 *
 * next_deadline and finish are what the board asks of every chip: when its
 * next own event fires (a bare qtest `clock_step` goes there) and to cancel
 * its events.  Either may be NULL: a chip without events (the PM timer, a
 * second port of a chip whose first device answers for it).
 */
#ifndef SIM_DEVICES_DEVICE_H
#define SIM_DEVICES_DEVICE_H

#include <stdint.h>

#include "sim/core/simtime.h"

struct device;

struct device_ops {
	const char *kind;         /* "pit", "pit-port61", "rtc", "hpet", "pmtimer" */
	unsigned min_size;        /* smallest access in bytes the device decodes */
	unsigned max_size;        /* widest access in bytes the device decodes */
	uint64_t (*read)(struct device *dev, uint64_t offset, unsigned size, sim_ps now);
	void (*write)(struct device *dev, uint64_t offset, uint64_t val, unsigned size, sim_ps now);
	/* When the chip's next event fires, SIM_NEVER when it has none queued. */
	sim_ps (*next_deadline)(const struct device *dev);
	/* Cancels the chip's events; the device is not used again. */
	void (*finish)(struct device *dev);
};

struct device {
	const struct device_ops *ops;
	const char *name;         /* e.g. "pit0" */
};

#endif
