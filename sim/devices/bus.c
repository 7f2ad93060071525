/*
 * Region tables for the port I/O and MMIO address spaces: insertion keeps
 * the table sorted, lookup is a binary search, and accesses are split the
 * way a PC chipset splits them (see bus.h).
 */
#include "sim/devices/bus.h"

#include <string.h>

static bool valid_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static uint64_t size_mask(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* Does [addr, addr + size) lie inside r?  (addr is known to be inside r.) */
static bool fits(const struct bus_region *r, uint64_t addr, unsigned size)
{
	return r->len >= size && addr - r->base <= r->len - size;
}

void bus_init(struct bus *bus, const char *name, unsigned addr_bits, sim_ps unmapped_cost_ps)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	bus->addr_max = addr_bits >= 64 ? UINT64_MAX : (UINT64_C(1) << addr_bits) - 1;
	bus->unmapped_cost_ps = unmapped_cost_ps;
	bus->float_byte = 0xff;
}

/* Index of the first region whose base is above addr (0..nregions). */
static size_t upper_bound(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nregions;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (bus->regions[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct bus_region *bus_lookup(const struct bus *bus, uint64_t addr)
{
	size_t i;
	const struct bus_region *r;

	if (addr > bus->addr_max)
		return NULL;
	i = upper_bound(bus, addr);
	if (i == 0)
		return NULL;
	r = &bus->regions[i - 1];
	return addr - r->base < r->len ? r : NULL;
}

bool bus_map(struct bus *bus, uint64_t base, uint64_t len, struct device *dev,
	     sim_ps cost_ps, const char *name, struct sim_diag *err)
{
	const char *what = name ? name : "device";
	uint64_t last;
	size_t i;

	if (!dev || !dev->ops || !dev->ops->read || !dev->ops->write)
		return sim_diag_fail(err, "%s bus: %s has no device operations", bus->name, what);
	if (!valid_size(dev->ops->min_size) || !valid_size(dev->ops->max_size) ||
	    dev->ops->min_size > dev->ops->max_size)
		return sim_diag_fail(err, "%s bus: %s: access sizes %u..%u are not 1, 2, 4 or 8 bytes",
				     bus->name, what, dev->ops->min_size, dev->ops->max_size);
	if (len == 0)
		return sim_diag_fail(err, "%s bus: %s: empty region", bus->name, what);
	if (base > bus->addr_max || len - 1 > bus->addr_max - base)
		return sim_diag_fail(err, "%s bus: %s: region 0x%llx+0x%llx leaves the address space",
				     bus->name, what, (unsigned long long)base,
				     (unsigned long long)len);
	if (bus->nregions == BUS_MAX_REGIONS)
		return sim_diag_fail(err, "%s bus: %s: more than %d regions", bus->name, what,
				     BUS_MAX_REGIONS);
	last = base + (len - 1);
	i = upper_bound(bus, base);
	/* The region before may reach into ours; the one after may start inside it. */
	if (i > 0) {
		const struct bus_region *p = &bus->regions[i - 1];

		if (base - p->base < p->len)
			return sim_diag_fail(err, "%s bus: %s at 0x%llx overlaps %s at 0x%llx",
					     bus->name, what, (unsigned long long)base,
					     p->name ? p->name : "a device",
					     (unsigned long long)p->base);
	}
	if (i < bus->nregions && bus->regions[i].base <= last)
		return sim_diag_fail(err, "%s bus: %s at 0x%llx overlaps %s at 0x%llx",
				     bus->name, what, (unsigned long long)base,
				     bus->regions[i].name ? bus->regions[i].name : "a device",
				     (unsigned long long)bus->regions[i].base);
	memmove(&bus->regions[i + 1], &bus->regions[i],
		(bus->nregions - i) * sizeof(bus->regions[0]));
	bus->regions[i] = (struct bus_region){
		.base = base, .len = len, .dev = dev, .cost_ps = cost_ps, .name = what,
	};
	bus->nregions++;
	return true;
}

bool bus_set_cost(struct bus *bus, uint64_t addr, sim_ps cost_ps)
{
	struct bus_region *r = (struct bus_region *)bus_lookup(bus, addr);

	if (!r)
		return false;
	r->cost_ps = cost_ps;
	return true;
}

static sim_ps access_cost(const struct bus *bus, uint64_t addr)
{
	const struct bus_region *r = bus_lookup(bus, addr);

	return r ? r->cost_ps : bus->unmapped_cost_ps;
}

/* The address of the upper half, or false when it leaves the address space. */
static bool upper_half(const struct bus *bus, uint64_t addr, unsigned half, uint64_t *out)
{
	if (addr > bus->addr_max - half)
		return false;
	*out = addr + half;
	return true;
}

static bool read_piece(struct bus *bus, uint64_t addr, unsigned size, sim_ps now, uint64_t *val)
{
	const struct bus_region *r = bus_lookup(bus, addr);
	unsigned half = size / 2;
	uint64_t lo, hi = size_mask(half), hi_addr;
	bool ok;

	if (r && fits(r, addr, size)) {
		struct device *dev = r->dev;
		const struct device_ops *ops = dev->ops;
		uint64_t off = addr - r->base, v = 0;

		if (size < ops->min_size) {
			*val = size_mask(size);
			return false;
		}
		if (size <= ops->max_size) {
			*val = ops->read(dev, off, size, now) & size_mask(size);
			return true;
		}
		for (unsigned i = 0; i < size / ops->max_size; i++) {
			uint64_t piece = ops->read(dev, off + i * ops->max_size, ops->max_size, now);

			v |= (piece & size_mask(ops->max_size)) << (8 * ops->max_size * i);
		}
		*val = v;
		return true;
	}
	if (size == 1) {
		*val = bus->float_byte;
		return false;
	}
	ok = read_piece(bus, addr, half, now, &lo);
	if (upper_half(bus, addr, half, &hi_addr))
		ok = read_piece(bus, hi_addr, half, now, &hi) && ok;
	else
		ok = false;
	*val = lo | hi << (8 * half);
	return ok;
}

static bool write_piece(struct bus *bus, uint64_t addr, uint64_t val, unsigned size, sim_ps now)
{
	const struct bus_region *r = bus_lookup(bus, addr);
	unsigned half = size / 2;
	uint64_t hi_addr;
	bool ok;

	if (r && fits(r, addr, size)) {
		struct device *dev = r->dev;
		const struct device_ops *ops = dev->ops;
		uint64_t off = addr - r->base;

		if (size < ops->min_size)
			return false;
		if (size <= ops->max_size) {
			ops->write(dev, off, val & size_mask(size), size, now);
			return true;
		}
		for (unsigned i = 0; i < size / ops->max_size; i++)
			ops->write(dev, off + i * ops->max_size,
				   (val >> (8 * ops->max_size * i)) & size_mask(ops->max_size),
				   ops->max_size, now);
		return true;
	}
	if (size == 1)
		return false;
	ok = write_piece(bus, addr, val & size_mask(half), half, now);
	if (upper_half(bus, addr, half, &hi_addr))
		ok = write_piece(bus, hi_addr, val >> (8 * half), half, now) && ok;
	else
		ok = false;
	return ok;
}

void bus_set_trace(struct bus *bus, struct sim_trace *trace, enum sim_trace_bus kind)
{
	bus->trace = trace;
	bus->trace_bus = kind;
}

static void publish(const struct bus *bus, uint64_t addr, unsigned size, bool write,
		    uint64_t val, sim_ps now)
{
	const struct bus_region *r;
	struct sim_trace_record rec;

	if (!sim_trace_wants(bus->trace, SIM_TRACE_DEVICE_ACCESS))
		return;
	r = bus_lookup(bus, addr);
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_DEVICE_ACCESS,
					  .t_ps = now + bus->trace_shift_ps };
	rec.u.access = (struct sim_trace_device_access){
		.device = r ? r->dev->ops->kind : "unmapped", .bus = bus->trace_bus,
		.addr = addr, .size = size, .write = write, .value = val,
	};
	sim_trace_publish(bus->trace, &rec);
}

bool bus_read(struct bus *bus, uint64_t addr, unsigned size, sim_ps now,
	      uint64_t *val, sim_ps *cost_ps)
{
	bool ok;

	if (!valid_size(size)) {
		*val = UINT64_MAX;
		if (cost_ps)
			*cost_ps = 0;
		return false;
	}
	if (cost_ps)
		*cost_ps = access_cost(bus, addr);
	ok = read_piece(bus, addr, size, now, val);
	publish(bus, addr, size, false, *val, now);
	return ok;
}

bool bus_write(struct bus *bus, uint64_t addr, uint64_t val, unsigned size, sim_ps now,
	       sim_ps *cost_ps)
{
	if (!valid_size(size)) {
		if (cost_ps)
			*cost_ps = 0;
		return false;
	}
	if (cost_ps)
		*cost_ps = access_cost(bus, addr);
	publish(bus, addr, size, true, val & size_mask(size), now);
	return write_piece(bus, addr, val & size_mask(size), size, now);
}
