/*
 * rdtsc: raw TSC cycles, no clocksource logic: a program that reads RDTSC
 * and divides by the TSC kHz it believes.  In a VM that is the vCPU's
 * virtual TSC kHz; on bare metal the host kernel's (see tsc.c).  A scenario's
 * tsc_khz overrides both.
 */
#include "sim/guest/kinds/kind.h"

static bool rdtsc_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	(void)now;
	if (r->p.host)
		return guest_reader_host_tsc_khz(r, err);
	r->tsc_khz = r->p.tsc_khz ? r->p.tsc_khz : guest_reader_vcpu(r)->virtual_tsc_khz;
	return true;
}

static bool rdtsc_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	*value_ns = sim_mul_div(guest_reader_rdtsc(r, now), 1000000, r->tsc_khz);
	return true;
}

const struct reader_kind_ops reader_kind_rdtsc = {
	.init = rdtsc_kind_init,
	.finish = rdtsc_kind_finish,
};
