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
	p->float_byte = 0xff;
	p->compat = compat_default();
}

/* ---- board time: the chips' own queue, run by a relay on the machine's ---- */

sim_ps platform_time(const struct platform *pf, sim_ps t)
{
	if (!pf->params.vm_time_base)
		return t;
	return (pf->stopped ? pf->stop_at_ps : t) - pf->stopped_ps;
}

bool platform_stopped(const struct platform *pf)
{
	return pf->stopped;
}

/* Queues the relay at the chips' next event in true time (none while stopped). */
static void rearm(struct platform *pf)
{
	sim_ps next = sim_eventq_next(&pf->own);

	if (pf->stopped || next == SIM_NEVER)
		sim_cancel(pf->host_q, &pf->relay);
	else
		sim_schedule(pf->host_q, &pf->relay, next + pf->stopped_ps);
}

/* Runs the chips' events due by board time at true time now; a failure stops the run. */
static void catch_up(struct platform *pf, sim_ps now)
{
	struct sim_diag err;

	if (!pf->params.vm_time_base)
		return;
	if (!sim_eventq_run_until(&pf->own, platform_time(pf, now), &err))
		sim_eventq_fail(pf->host_q, &err);
	rearm(pf);
}

static void relay_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	(void)q;
	catch_up(sim_container_of(ev, struct platform, relay), now);
}

/* Stamps the records of the buses and the interrupt wiring in true time. */
static void set_shift(struct platform *pf)
{
	pf->io.trace_shift_ps = pf->stopped_ps;
	pf->mmio.trace_shift_ps = pf->stopped_ps;
	pf->irq.time_shift_ps = pf->stopped_ps;
}

void platform_stop(struct platform *pf, sim_ps now)
{
	if (!pf->live || !pf->params.vm_time_base || pf->stopped)
		return;
	catch_up(pf, now);
	pf->stopped = true;
	pf->stop_at_ps = now;
	rearm(pf);
}

void platform_resume(struct platform *pf, sim_ps now)
{
	if (!pf->live || !pf->stopped)
		return;
	pf->stopped_ps += now - pf->stop_at_ps;
	pf->stopped = false;
	set_shift(pf);
	rearm(pf);
}

/* Allocates slot d's chip and attaches it; false (err filled) on failure. */
static bool attach(struct platform *pf, unsigned d, struct sim_diag *err)
{
	struct platform_slot *s = &pf->slot[d];
	/* a stand-in chip (a plugin's model) replaces the row's own */
	const struct board_chip *chip = pf->params.chip[d] ? pf->params.chip[d] : slots[d];

	s->chip = calloc(1, chip->size);
	if (!s->chip)
		return sim_diag_fail(err, "pc board: out of memory");
	return chip->attach(pf, s, err);
}

bool platform_init(struct platform *pf, struct sim_eventq *q, const struct platform_params *p,
		   struct sim_diag *err)
{
	memset(pf, 0, sizeof(*pf));
	pf->q = q;
	pf->host_q = q;
	pf->params = *p;
	if (!pf->params.compat)       /* params built without platform_params_default() */
		pf->params.compat = compat_default();
	if (p->vm_time_base) {
		/* The chips' queue starts at board time 0 = the board's creation. */
		sim_eventq_init(&pf->own);
		pf->own.now = q->now;
		pf->q = &pf->own;
		sim_event_init(&pf->relay, "board.relay", SIM_PRIO_DEVICE, relay_fire);
	}
	irq_router_init(&pf->irq);
	irq_router_set_trace(&pf->irq, p->trace);
	bus_init(&pf->io, "io", 16, p->io_unmapped_cost_ps);
	bus_init(&pf->mmio, "mmio", 64, p->mmio_unmapped_cost_ps);
	bus_set_trace(&pf->io, p->trace, SIM_TRACE_BUS_PORT);
	bus_set_trace(&pf->mmio, p->trace, SIM_TRACE_BUS_MMIO);
	pf->io.float_byte = p->float_byte;
	pf->mmio.float_byte = p->float_byte;
	pf->live = true;
	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		if (p->absent[d])
			continue;
		if (!attach(pf, d, err)) {
			platform_finish(pf);
			return false;
		}
	}
	if (p->vm_time_base)
		rearm(pf);
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
	if (pf->params.vm_time_base) {
		sim_cancel(pf->host_q, &pf->relay);
		sim_eventq_finish(&pf->own);
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
		if (n != SIM_NEVER && pf->params.vm_time_base)
			n += pf->stopped_ps;     /* board time to true time, while running */
		if (n < t)
			t = n;
	}
	return t;
}

struct device *platform_device(const struct platform *pf, enum board_device d)
{
	return (unsigned)d < BOARD_DEV_COUNT ? pf->slot[d].dev : NULL;
}

/* Board time now, every chip event due by then run (on a VM time base). */
static sim_ps now_of(struct platform *pf)
{
	catch_up(pf, pf->host_q->now);
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
	if (pf->params.vm_time_base)
		rearm(pf);
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
	if (pf->params.vm_time_base)
		rearm(pf);
}

/*
 * An access ahead of the queue stays off the trace stream, whose records
 * come in time order (a calibration makes 10^4..10^6 of them).
 */
static bool ahead_read(struct platform *pf, struct bus *bus, uint64_t addr, unsigned size,
		       sim_ps t, uint64_t *val, sim_ps *cost_ps)
{
	struct sim_trace *trace = bus->trace;
	bool ok;

	bus->trace = NULL;
	ok = bus_read(bus, addr, size, platform_time(pf, t), val, cost_ps);
	bus->trace = trace;
	return ok;
}

static void ahead_write(struct platform *pf, struct bus *bus, uint64_t addr, uint64_t val,
			unsigned size, sim_ps t, sim_ps *cost_ps)
{
	struct sim_trace *trace = bus->trace;

	bus->trace = NULL;
	bus_write(bus, addr, val, size, platform_time(pf, t), cost_ps);
	bus->trace = trace;
	if (pf->params.vm_time_base)
		rearm(pf);
}

uint64_t platform_io_read_at(struct platform *pf, uint16_t port, unsigned size, sim_ps t,
			     sim_ps *cost_ps)
{
	uint64_t val;

	ahead_read(pf, &pf->io, port, size, t, &val, cost_ps);
	return val;
}

void platform_io_write_at(struct platform *pf, uint16_t port, uint32_t val, unsigned size,
			  sim_ps t, sim_ps *cost_ps)
{
	ahead_write(pf, &pf->io, port, val, size, t, cost_ps);
}

uint64_t platform_mmio_read_at(struct platform *pf, uint64_t addr, unsigned size, sim_ps t,
			       sim_ps *cost_ps)
{
	uint64_t val;

	ahead_read(pf, &pf->mmio, addr, size, t, &val, cost_ps);
	return val;
}

void platform_mmio_write_at(struct platform *pf, uint64_t addr, uint64_t val, unsigned size,
			    sim_ps t, sim_ps *cost_ps)
{
	ahead_write(pf, &pf->mmio, addr, val, size, t, cost_ps);
}
