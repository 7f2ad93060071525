/*
 * The "pc" board: one slot per board device (board_devices.h).  Each row's
 * chip (struct board_chip, defined in the chip's own file) builds the chip,
 * wires its outputs through the interrupt router and maps it on the port or
 * MMIO bus; the board allocates, orders and finishes them.
 */
#include "sim/devices/platform.h"

#include <stdlib.h>
#include <string.h>

/* One row per board device, in the order of enum board_device. */
static const struct board_chip *const slots[] = {
#define BOARD_SLOT(id, stem) [BOARD_DEV_##id] = &stem##_chip,
	BOARD_DEVICES(BOARD_SLOT)
#undef BOARD_SLOT
};
_Static_assert(sizeof(slots) / sizeof(slots[0]) == BOARD_DEV_COUNT, "one slot per board device");

void platform_params_default(struct platform_params *p)
{
	memset(p, 0, sizeof(*p));
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		p->cost_ps[d] = slots[d]->cost_ps;
		if (slots[d]->defaults)
			slots[d]->defaults(p);
	}
	p->io_unmapped_cost_ps = PLATFORM_PIO_COST_PS_DEFAULT;
	p->mmio_unmapped_cost_ps = PLATFORM_MMIO_COST_PS_DEFAULT;
}

/* Allocates slot d's chip and attaches it; false (err filled) on failure. */
static bool attach(struct platform *pf, unsigned d, struct sim_diag *err)
{
	struct platform_slot *s = &pf->slot[d];

	s->chip = calloc(1, slots[d]->size);
	if (!s->chip)
		return sim_diag_fail(err, "pc board: out of memory");
	return slots[d]->attach(pf, s, err);
}

bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err)
{
	memset(pf, 0, sizeof(*pf));
	pf->q = q;
	pf->params = *p;
	irq_router_init(&pf->irq);
	irq_router_set_trace(&pf->irq, p->trace);
	bus_init(&pf->io, "io", 16, p->io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, p->mmio_unmapped_cost_ps);
	bus_set_trace(&pf->io, p->trace, SIM_TRACE_BUS_PORT);
	bus_set_trace(&pf->mmio, p->trace, SIM_TRACE_BUS_MMIO);
	pf->live = true;
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		if (!attach(pf, d, err)) {
			platform_finish(pf);
			return false;
		}
	}
	return true;
}

void platform_finish(struct platform *pf)
{
	if (!pf || !pf->live)
		return;
	for (unsigned d = BOARD_DEV_COUNT; d-- > 0;) {
		struct platform_slot *s = &pf->slot[d];

		if (s->dev && s->dev->ops->finish)
			s->dev->ops->finish(s->dev);
		free(s->chip);
		*s = (struct platform_slot){ 0 };
	}
	/* The regions pointed into the chips: a later access reads as unmapped. */
	bus_init(&pf->io, "io", 16, pf->params.io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, pf->params.mmio_unmapped_cost_ps);
	irq_router_set_listener(&pf->irq, NULL, NULL);
	pf->live = false;
}

sim_ps platform_next_deadline(const struct platform *pf)
{
	sim_ps t = SIM_NEVER;

	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		const struct device *dev = pf->slot[d].dev;
		sim_ps n;

		if (!dev || !dev->ops->next_deadline)
			continue;
		n = dev->ops->next_deadline(dev);
		if (n < t)
			t = n;
	}
	return t;
}

struct device *platform_device(const struct platform *pf, enum board_device d)
{
	return (unsigned)d < BOARD_DEV_COUNT ? pf->slot[d].dev : NULL;
}

static sim_ps now_of(const struct platform *pf)
{
	return pf->q->now;
}

uint64_t platform_io_read(struct platform *pf, uint16_t port, unsigned size, sim_ps *cost_ps)
{
	uint64_t val;

	bus_read(&pf->io, port, size, now_of(pf), &val, cost_ps);
	return val;
}

void platform_io_write(struct platform *pf, uint16_t port, uint32_t val, unsigned size,
		       sim_ps *cost_ps)
{
	bus_write(&pf->io, port, val, size, now_of(pf), cost_ps);
}

uint64_t platform_mmio_read(struct platform *pf, uint64_t addr, unsigned size, sim_ps *cost_ps)
{
	uint64_t val;

	bus_read(&pf->mmio, addr, size, now_of(pf), &val, cost_ps);
	return val;
}

void platform_mmio_write(struct platform *pf, uint64_t addr, uint64_t val, unsigned size,
			 sim_ps *cost_ps)
{
	bus_write(&pf->mmio, addr, val, size, now_of(pf), cost_ps);
}
