/*
 * ACPI PM timer (ACPI 6.0 section 4.8.3.3, Table 4-19): TMR_VAL in bits 23:0,
 * E_TMR_VAL in bits 31:24 for a 32-bit timer and zeros for a 24-bit one.
 * The spec says the register "is accessed as 32 bits"; narrower reads are
 * answered byte-wise, as the bus presents them.
 */
#include "sim/devices/pmtimer.h"

#include <assert.h>

#include "sim/core/event.h"
#include "sim/core/platform_clocks.h"
#include "sim/devices/platform.h"

static const struct device_ops pmtimer_ops;

static struct pmtimer *pmtimer_from_device(struct device *dev)
{
	assert(dev->ops == &pmtimer_ops);
	return sim_container_of(dev, struct pmtimer, base);
}

static uint64_t count_mask(const struct pmtimer *pm)
{
	return (UINT64_C(1) << pm->bits) - 1;
}

static uint64_t pmtimer_port_read(struct device *dev, uint64_t offset, unsigned size,
				  sim_ps now)
{
	const struct pmtimer *pm = pmtimer_from_device(dev);
	uint64_t reg = pmtimer_read(pm, now);
	uint64_t val = 0;

	/* Assemble little-endian, byte by byte; bytes past the register read 0xff. */
	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t off = offset + i;
		uint64_t byte = off < PMTIMER_SIZE ? (reg >> (8 * off)) & 0xff : 0xff;

		val |= byte << (8 * i);
	}
	return val;
}

static void pmtimer_port_write(struct device *dev, uint64_t offset, uint64_t val,
			       unsigned size, sim_ps now)
{
	/* PM_TMR is read-only. */
	(void)pmtimer_from_device(dev);
}

static const struct device_ops pmtimer_ops = {
	.kind = "pmtimer",
	.min_size = 1,
	.max_size = 4,
	.read = pmtimer_port_read,
	.write = pmtimer_port_write,
};

void pmtimer_init(struct pmtimer *pm, const char *name, struct sim_freq freq, unsigned bits)
{
	assert(bits == 24 || bits == 32);
	assert(freq.num != 0 && freq.den != 0);
	*pm = (struct pmtimer){
		.base = { .ops = &pmtimer_ops, .name = name ? name : "pmtimer" },
		.freq = freq,
		.bits = bits,
	};
}

struct device *pmtimer_device(struct pmtimer *pm)
{
	return &pm->base;
}

uint32_t pmtimer_read(const struct pmtimer *pm, sim_ps now)
{
	return (uint32_t)(sim_ticks_in(now, pm->freq) & count_mask(pm));
}

sim_ps pmtimer_next_tmr_sts(const struct pmtimer *pm, sim_ps now)
{
	uint64_t half = UINT64_C(1) << (pm->bits - 1);
	uint64_t k = sim_ticks_in(now, pm->freq);

	/* The MSB changes on every multiple of 2^(bits-1) ticks. */
	return sim_tick_time((k / half + 1) * half, pm->freq);
}

static void board_defaults(struct platform_params *p)
{
	p->pmtimer_port = PLATFORM_PMTIMER_PORT_DEFAULT;
	p->pmtimer_bits = 24;
}

/* The board's PM timer: 4 ports at pmtimer_port; its SCI is not modelled. */
static bool board_attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const struct platform_params *p = &pf->params;

	if (p->pmtimer_bits != 24 && p->pmtimer_bits != 32)
		return sim_diag_fail(err, "pc board: PM timer width %u: expected 24 or 32 bits",
				     p->pmtimer_bits);
	pmtimer_init(s->chip, "pmtimer0", sim_freq_hz(SIM_PMTIMER_FREQ_HZ), p->pmtimer_bits);
	s->dev = pmtimer_device(s->chip);
	return bus_map(&pf->io, p->pmtimer_port, PLATFORM_PMTIMER_LEN, s->dev,
		       p->cost_ps[BOARD_DEV_PMTIMER], "pmtimer", err);
}

const struct board_chip pmtimer_chip = {
	.size = sizeof(struct pmtimer),
	.cost_ps = PLATFORM_PIO_COST_PS_DEFAULT,
	.defaults = board_defaults,
	.attach = board_attach,
};
