/*
 * bus: region tables reject overlaps, lookups find the region by binary
 * search, and accesses behave as on a PC: wider than the device decodes is
 * split into little-endian pieces, narrower is refused (all ones / dropped),
 * nothing mapped reads all ones; every access reports its cost.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/devices/bus.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A register file: bytes readable and writable at any offset, every access logged. */
struct fake {
	struct device base;
	struct device_ops ops;
	uint8_t mem[64];
	struct {
		uint64_t off;
		unsigned size;
		bool write;
		sim_ps now;
	} log[64];
	size_t nlog;
};

static uint64_t fake_read(struct device *dev, uint64_t off, unsigned size, sim_ps now)
{
	struct fake *f = sim_container_of(dev, struct fake, base);
	uint64_t v = 0;

	cr_assert_lt(f->nlog, ARRAY_LEN(f->log));
	f->log[f->nlog].off = off;
	f->log[f->nlog].size = size;
	f->log[f->nlog].write = false;
	f->log[f->nlog++].now = now;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)f->mem[off + i] << (8 * i);
	if (size < 8)
		v |= ~UINT64_C(0) << (8 * size);   /* junk above the access: the bus must mask it */
	return v;
}

static void fake_write(struct device *dev, uint64_t off, uint64_t val, unsigned size, sim_ps now)
{
	struct fake *f = sim_container_of(dev, struct fake, base);

	cr_assert_lt(f->nlog, ARRAY_LEN(f->log));
	f->log[f->nlog].off = off;
	f->log[f->nlog].size = size;
	f->log[f->nlog].write = true;
	f->log[f->nlog++].now = now;
	for (unsigned i = 0; i < size; i++)
		f->mem[off + i] = (uint8_t)(val >> (8 * i));
}

static void fake_init(struct fake *f, unsigned min, unsigned max)
{
	memset(f, 0, sizeof(*f));
	f->ops = (struct device_ops){
		.kind = "fake", .min_size = min, .max_size = max,
		.read = fake_read, .write = fake_write,
	};
	f->base.ops = &f->ops;
	f->base.name = "fake";
	for (unsigned i = 0; i < sizeof(f->mem); i++)
		f->mem[i] = (uint8_t)(0x10 + i);
}

Test(bus, map_rejects_overlaps_and_bad_ranges)
{
	static const struct {
		uint64_t base, len;
		bool ok;
	} cases[] = {
		{ 0x40, 4, true },      /* 0x40-0x43 */
		{ 0x40, 4, false },     /* the same */
		{ 0x3e, 3, false },     /* reaches into it */
		{ 0x43, 2, false },     /* starts inside it */
		{ 0x3c, 16, false },    /* contains it */
		{ 0x44, 1, true },      /* adjacent after */
		{ 0x3f, 1, true },      /* adjacent before */
		{ 0x50, 0, false },     /* empty */
		{ 0xfffe, 4, false },   /* leaves the 16-bit space */
		{ 0xfffc, 4, true },    /* ends exactly at 0xffff */
	};
	struct bus b;
	struct fake f;

	fake_init(&f, 1, 1);
	bus_init(&b, "io", 16, 0);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_diag err;

		sim_diag_clear(&err);
		cr_expect_eq(bus_map(&b, cases[i].base, cases[i].len, &f.base, 0, "dev", &err),
			     cases[i].ok, "case %zu: 0x%" PRIx64 "+%" PRIu64, i, cases[i].base,
			     cases[i].len);
		if (!cases[i].ok)
			cr_expect_neq(err.msg[0], '\0', "case %zu has no message", i);
	}
	cr_expect_eq(b.nregions, 4);
	for (size_t i = 1; i < b.nregions; i++)
		cr_expect_lt(b.regions[i - 1].base, b.regions[i].base, "table not sorted");
}

Test(bus, map_names_both_regions_of_an_overlap)
{
	struct bus b;
	struct fake f, g;
	struct sim_diag err;

	fake_init(&f, 1, 1);
	fake_init(&g, 1, 1);
	bus_init(&b, "io", 16, 0);
	sim_diag_clear(&err);
	cr_assert(bus_map(&b, 0x70, 2, &f.base, 0, "rtc", &err));
	cr_assert_not(bus_map(&b, 0x71, 4, &g.base, 0, "pmtimer", &err));
	cr_expect(strstr(err.msg, "pmtimer") && strstr(err.msg, "rtc"), "message: %s", err.msg);
}

Test(bus, map_rejects_unusable_access_sizes)
{
	struct bus b;
	struct fake f;
	struct sim_diag err;

	fake_init(&f, 4, 2);
	bus_init(&b, "mmio", 64, 0);
	cr_expect_not(bus_map(&b, 0x1000, 16, &f.base, 0, "bad", &err));
	fake_init(&f, 3, 4);
	cr_expect_not(bus_map(&b, 0x1000, 16, &f.base, 0, "bad", &err));
	cr_expect_not(bus_map(&b, 0x1000, 16, NULL, 0, "none", &err));
}

Test(bus, lookup_finds_every_byte_and_no_gap)
{
	struct fake f[8];
	struct bus b;
	struct sim_diag err;

	bus_init(&b, "mmio", 64, 0);
	/* Mapped out of order: 0x1000*i + [0, 0x10*(i+1)). */
	for (unsigned k = 0; k < 8; k++) {
		unsigned i = (k * 5) % 8;

		fake_init(&f[i], 1, 8);
		cr_assert(bus_map(&b, 0x1000u * i, 0x10u * (i + 1), &f[i].base, i, "r", &err));
	}
	for (uint64_t a = 0; a < 0x8000; a += 4) {
		const struct bus_region *r = bus_lookup(&b, a);
		uint64_t i = a / 0x1000, off = a % 0x1000;

		if (off < 0x10 * (i + 1)) {
			cr_assert_not_null(r, "0x%" PRIx64 " not found", a);
			cr_assert_eq(r->dev, &f[i].base, "0x%" PRIx64 " in the wrong region", a);
		} else {
			cr_assert_null(r, "0x%" PRIx64 " is a gap", a);
		}
	}
	cr_expect_null(bus_lookup(&b, UINT64_MAX));
}

Test(bus, unmapped_reads_all_ones_and_writes_are_dropped)
{
	struct bus b;
	uint64_t v;
	sim_ps cost = 0;

	bus_init(&b, "io", 16, 777);
	cr_expect_not(bus_read(&b, 0x80, 1, 0, &v, &cost));
	cr_expect_eq(v, 0xff);
	cr_expect_eq(cost, 777);
	cr_expect_not(bus_read(&b, 0x80, 2, 0, &v, NULL));
	cr_expect_eq(v, 0xffff);
	cr_expect_not(bus_read(&b, 0x80, 4, 0, &v, NULL));
	cr_expect_eq(v, 0xffffffffu);
	cr_expect_not(bus_write(&b, 0x80, 0x12, 1, 0, &cost));
	cr_expect_eq(cost, 777);
}

Test(bus, wide_access_splits_into_little_endian_pieces)
{
	struct bus b;
	struct fake f;
	struct sim_diag err;
	uint64_t v;

	fake_init(&f, 1, 1);
	bus_init(&b, "io", 16, 0);
	cr_assert(bus_map(&b, 0x40, 4, &f.base, 0, "pit", &err));
	cr_expect(bus_read(&b, 0x40, 4, 5, &v, NULL));
	cr_expect_eq(v, 0x13121110u);
	cr_expect_eq(f.nlog, 4);
	for (unsigned i = 0; i < 4; i++) {
		cr_expect_eq(f.log[i].off, i, "piece %u offset", i);
		cr_expect_eq(f.log[i].size, 1);
		cr_expect_eq(f.log[i].now, 5, "`now` is passed through");
	}
	f.nlog = 0;
	cr_expect(bus_write(&b, 0x41, 0xbeef, 2, 0, NULL));
	cr_expect_eq(f.nlog, 2);
	cr_expect_eq(f.mem[1], 0xef);
	cr_expect_eq(f.mem[2], 0xbe);
}

Test(bus, narrow_access_is_refused)
{
	struct bus b;
	struct fake f;
	struct sim_diag err;
	uint64_t v;

	fake_init(&f, 4, 8);
	bus_init(&b, "mmio", 64, 0);
	cr_assert(bus_map(&b, 0xfed00000, 0x400, &f.base, 0, "hpet", &err));
	cr_expect_not(bus_read(&b, 0xfed00000, 1, 0, &v, NULL));
	cr_expect_eq(v, 0xff);
	cr_expect_not(bus_read(&b, 0xfed00000, 2, 0, &v, NULL));
	cr_expect_eq(v, 0xffff);
	cr_expect_not(bus_write(&b, 0xfed00000, 0, 1, 0, NULL));
	cr_expect_eq(f.nlog, 0, "a refused access reaches the device");
	cr_expect(bus_read(&b, 0xfed00000, 8, 0, &v, NULL));
	cr_expect_eq(v, 0x1716151413121110u);
	cr_expect_eq(f.nlog, 1, "an 8-byte access to an 8-byte device is one access");
}

Test(bus, access_straddling_a_region_end_is_split)
{
	struct bus b;
	struct fake f;
	struct sim_diag err;
	uint64_t v;

	fake_init(&f, 1, 4);
	bus_init(&b, "io", 16, 0);
	cr_assert(bus_map(&b, 0x608, 4, &f.base, 0, "pm", &err));
	/* 0x609..0x60b decode, 0x60c does not. */
	cr_expect_not(bus_read(&b, 0x609, 4, 0, &v, NULL));
	cr_expect_eq(v, 0xff131211u);
	/* The first byte unmapped, the rest mapped. */
	cr_expect_not(bus_read(&b, 0x606, 4, 0, &v, NULL));
	cr_expect_eq(v, 0x1110ffffu);
	/* The end of the port space. */
	cr_expect_not(bus_read(&b, 0xffff, 2, 0, &v, NULL));
	cr_expect_eq(v, 0xffff);
}

Test(bus, each_access_reports_its_region_cost)
{
	struct bus b;
	struct fake f, g;
	struct sim_diag err;
	uint64_t v;
	sim_ps cost;

	fake_init(&f, 1, 1);
	fake_init(&g, 1, 4);
	bus_init(&b, "io", 16, 3);
	cr_assert(bus_map(&b, 0x70, 2, &f.base, 1500000, "rtc", &err));
	cr_assert(bus_map(&b, 0x608, 4, &g.base, 2500000, "pm", &err));
	bus_read(&b, 0x71, 1, 0, &v, &cost);
	cr_expect_eq(cost, 1500000);
	bus_write(&b, 0x70, 0x0102, 2, 0, &cost);
	cr_expect_eq(cost, 1500000, "a split access is one exit");
	bus_read(&b, 0x608, 4, 0, &v, &cost);
	cr_expect_eq(cost, 2500000);
	cr_expect(bus_set_cost(&b, 0x60a, 42));
	bus_read(&b, 0x608, 4, 0, &v, &cost);
	cr_expect_eq(cost, 42);
	cr_expect_not(bus_set_cost(&b, 0x80, 42));
}

Test(bus, invalid_size_is_refused)
{
	struct bus b;
	struct fake f;
	struct sim_diag err;
	uint64_t v = 0;
	sim_ps cost = 99;

	fake_init(&f, 1, 8);
	bus_init(&b, "mmio", 64, 5);
	cr_assert(bus_map(&b, 0, 64, &f.base, 7, "ram", &err));
	cr_expect_not(bus_read(&b, 0, 3, 0, &v, &cost));
	cr_expect_eq(v, UINT64_MAX);
	cr_expect_eq(cost, 0);
	cr_expect_not(bus_write(&b, 0, 0, 16, 0, NULL));
	cr_expect_eq(f.nlog, 0);
}
