/* A guest program's port I/O on its own clock: see pio.h. */
#include "sim/guest/pio.h"

void guest_pio_init(struct guest_pio *g, struct platform *pf, sim_ps t, guest_tsc_fn *tsc,
		    const void *tsc_ctx, sim_ps rdtsc_ps, sim_ps jitter_ps, uint64_t seed,
		    const char *stream)
{
	*g = (struct guest_pio){
		.pf = pf, .t = t, .tsc = tsc, .tsc_ctx = tsc_ctx, .rdtsc_ps = rdtsc_ps,
		.jitter_ps = jitter_ps,
	};
	sim_rng_init(&g->rng, seed, stream);
}

/* The vCPU continues after the exit: the port's cost plus the jitter draw. */
static void exit_done(struct guest_pio *g, sim_ps cost_ps)
{
	g->t += cost_ps;
	if (g->jitter_ps)
		g->t += sim_rng_below(&g->rng, g->jitter_ps + 1);
	g->accesses++;
}

uint8_t guest_inb(struct guest_pio *g, uint16_t port)
{
	sim_ps cost = 0;
	uint8_t v = (uint8_t)platform_io_read_at(g->pf, port, 1, g->t, &cost);

	exit_done(g, cost);
	return v;
}

uint32_t guest_inl(struct guest_pio *g, uint16_t port)
{
	sim_ps cost = 0;
	uint32_t v = (uint32_t)platform_io_read_at(g->pf, port, 4, g->t, &cost);

	exit_done(g, cost);
	return v;
}

uint32_t guest_readl(struct guest_pio *g, uint64_t addr)
{
	sim_ps cost = 0;
	uint32_t v = (uint32_t)platform_mmio_read_at(g->pf, addr, 4, g->t, &cost);

	exit_done(g, cost);
	return v;
}

void guest_writel(struct guest_pio *g, uint64_t addr, uint32_t val)
{
	sim_ps cost = 0;

	platform_mmio_write_at(g->pf, addr, val, 4, g->t, &cost);
	exit_done(g, cost);
}

void guest_outb(struct guest_pio *g, uint16_t port, uint8_t val)
{
	sim_ps cost = 0;

	platform_io_write_at(g->pf, port, val, 1, g->t, &cost);
	exit_done(g, cost);
}

uint64_t guest_rdtsc(struct guest_pio *g)
{
	uint64_t v = g->tsc(g->tsc_ctx, g->t);

	g->t += g->rdtsc_ps;
	return v;
}

void guest_delay(struct guest_pio *g, sim_ps d)
{
	g->t += d;
}
