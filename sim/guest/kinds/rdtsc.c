/*
 * rdtsc: raw TSC cycles, no clocksource logic: a program that reads RDTSC
 * and divides by the TSC kHz it believes.  In a VM that is the vCPU's
 * virtual TSC kHz; on bare metal the nominal rate (the brand string's, or
 * CPUID's), whatever the kernel calibrated.
 */
#include "sim/guest/kinds/kind.h"

static bool rdtsc_kind_init(struct guest_reader *r, sim_ps now, struct sim_diag *err)
{
	(void)now;
	if (r->p.tsc_khz)
		r->tsc_khz = r->p.tsc_khz;
	else if (r->p.host)
		r->tsc_khz = sim_freq_floor_khz(r->p.host->cpus[0].tsc.nominal);
	else
		r->tsc_khz = guest_reader_vcpu(r)->virtual_tsc_khz;
	return guest_reader_check_tsc_khz(r, err);
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
