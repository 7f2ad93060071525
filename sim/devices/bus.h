/*
 * Address spaces of the board: port I/O (16-bit addresses) and MMIO (64-bit),
 * each a table of non-overlapping regions sorted by base address.
 *
 * What a PC does with odd accesses, and so what the bus does:
 *  - an access wider than the device's max_size is split into consecutive
 *    little-endian pieces of max_size;
 *  - an access narrower than the device's min_size is refused: a read returns
 *    all ones, a write is dropped;
 *  - an access to no device (or one straddling a region's end) is split in
 *    halves until each piece lies inside one region or is a single byte;
 *    unmapped bytes read as 0xff and writes to them are dropped (the ISA/LPC
 *    bus floats high, and the chipset's master abort returns all ones); a
 *    VMM that answers unhandled port reads with zeroed data (Firecracker)
 *    sets float_byte to 0.
 *
 * Every access reports what it costs in simulated time: on a virtual machine
 * each one is a VM exit.  The cost is that of the region holding the first
 * byte (set per region when it is mapped, changeable later), or the bus's
 * unmapped cost.  The bus itself never advances a clock: callers decide.
 */
#ifndef SIM_DEVICES_BUS_H
#define SIM_DEVICES_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/simtime.h"
#include "sim/core/trace.h"
#include "sim/devices/device.h"

#define BUS_MAX_REGIONS 32

struct bus_region {
	uint64_t base;            /* first address */
	uint64_t len;             /* bytes, >= 1 */
	struct device *dev;
	sim_ps cost_ps;           /* simulated cost of one access (a VM exit) */
	const char *name;         /* e.g. "pit", "hpet" */
};

struct bus {
	const char *name;         /* "io", "mmio" */
	uint64_t addr_max;        /* highest valid address: 0xffff or UINT64_MAX */
	sim_ps unmapped_cost_ps;  /* cost of an access no region decodes */
	size_t nregions;
	struct bus_region regions[BUS_MAX_REGIONS];  /* sorted by base */
	struct sim_trace *trace;  /* every access is published here; NULL: nowhere */
	enum sim_trace_bus trace_bus;
	uint8_t float_byte;       /* what an undecoded byte reads: 0xff (bus_init) */
	sim_ps trace_shift_ps;    /* added to the device time to stamp trace records (0) */
};

/* An empty address space of addr_bits bits (16 for port I/O, 64 for MMIO). */
void bus_init(struct bus *bus, const char *name, unsigned addr_bits, sim_ps unmapped_cost_ps);

/*
 * Publishes every access from now on as SIM_TRACE_DEVICE_ACCESS on trace
 * (NULL: none), tagged with the bus kind.  The record names the device that
 * decodes the first byte ("unmapped" when none) and carries the value
 * written or read back, as the access's caller sees it.
 */
void bus_set_trace(struct bus *bus, struct sim_trace *trace, enum sim_trace_bus kind);

/*
 * Maps dev at [base, base + len).  Fails (filling err) when len is 0, the
 * range leaves the address space or overlaps a mapped region, the device has
 * no ops or unusable access sizes, or the table is full.
 */
bool bus_map(struct bus *bus, uint64_t base, uint64_t len, struct device *dev,
	     sim_ps cost_ps, const char *name, struct sim_diag *err);

/* The region holding addr, or NULL.  O(log n). */
const struct bus_region *bus_lookup(const struct bus *bus, uint64_t addr);

/* Changes the access cost of the region holding addr; false when unmapped. */
bool bus_set_cost(struct bus *bus, uint64_t addr, sim_ps cost_ps);

/*
 * Reads size (1, 2, 4 or 8) bytes at addr at time now.  *val gets the value
 * (all ones where nothing decodes), *cost_ps (if not NULL) the access cost.
 * Returns true when every byte was decoded by a device, false otherwise
 * (including an invalid size, which reads as all ones and costs nothing).
 */
bool bus_read(struct bus *bus, uint64_t addr, unsigned size, sim_ps now,
	      uint64_t *val, sim_ps *cost_ps);

/* Writes the low size bytes of val; same rules and result as bus_read. */
bool bus_write(struct bus *bus, uint64_t addr, uint64_t val, unsigned size, sim_ps now,
	       sim_ps *cost_ps);

#endif
