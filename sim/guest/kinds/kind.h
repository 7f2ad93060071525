/*
 * What a reader kind does, as one ops row: sim/guest/reader.c schedules
 * reads, pauses, periods and retries and calls these at the read's edges; a
 * kind's own file (sim/guest/kinds/<kind>.c) holds everything about how the
 * value is obtained.  The rows are listed once, in sim/guest/reader_kind.h.
 *
 * Private to sim/guest: the machine and tests use sim/guest/reader.h.
 */
#ifndef SIM_GUEST_KINDS_KIND_H
#define SIM_GUEST_KINDS_KIND_H

#include "sim/guest/reader.h"

struct reader_kind_ops {
	/*
	 * At guest_reader_init, after the common fields (CPU, phase, PRNG) are
	 * set: set up the kind's state (clocksource, TSC kHz).  NULL: nothing.
	 */
	bool (*init)(struct guest_reader *r, sim_ps now, struct sim_diag *err);
	/* An attempt begins at `now` (pvclock_read_begin samples the page).  NULL: nothing. */
	void (*begin)(struct guest_reader *r, sim_ps now);
	/* The attempt ends at `now`: the value in ns, or false to retry. */
	bool (*finish)(struct guest_reader *r, sim_ps now, uint64_t *value_ns);
	/*
	 * The cost of one read when neither the scenario nor the kind's list row
	 * (reader_kind.h) gives one: a read that is one device access costs that
	 * access.  NULL for kinds with a default cost.
	 */
	sim_ps (*default_cost_ps)(const struct guest_reader_params *p);
	/*
	 * begin and finish depend only on the simulation's state at the instants
	 * they run at (and on the reader's own PRNG, in the same order): when no
	 * event fires during an attempt, its end may run straight after its begin,
	 * as of the end's instant, without an event of its own (reader.c).
	 */
	bool one_event;
	/*
	 * Such an attempt's begin and finish at once, as of its end `now`: the
	 * work of begin that finish would only check again is skipped.  NULL:
	 * begin (at the attempt's start), then finish.
	 */
	bool (*read_at_once)(struct guest_reader *r, sim_ps now, uint64_t *value_ns);
	/*
	 * The reader's event callback, guest_reader_fire() (fire.h) with this
	 * row, instantiated in the kind's file so the row's functions inline
	 * into it.  NULL: reader.c's instance for the kind (the same code, the
	 * row's functions called through it).
	 */
	sim_event_fn *fire;
};

#define READER_KIND_DECLARE(id, name, ops, cost_ns) extern const struct reader_kind_ops reader_kind_##ops;
READER_KINDS(READER_KIND_DECLARE)
#undef READER_KIND_DECLARE

/* The ops row of kind k (k < READER_KIND_COUNT). */
const struct reader_kind_ops *reader_kind_ops(enum reader_kind k);

/* The vCPU a VM reader runs on. */
static inline struct kvm_vcpu *guest_reader_vcpu(const struct guest_reader *r)
{
	return r->vcpu;
}

/* RDTSC on the reader's CPU: the guest TSC in a VM, the CPU's own on bare metal. */
static inline uint64_t guest_reader_rdtsc(struct guest_reader *r, sim_ps now)
{
	if (r->p.host)
		return tsc_rdtsc(&r->p.host->cpus[r->cur_cpu].tsc, now, r->p.rdtsc, &r->rng, NULL);
	return kvm_vcpu_guest_tsc(guest_reader_vcpu(r), now);
}

/* r->tsc_khz is one a clocksource can take (1 to 2^32 - 1 kHz); err names the reader. */
static inline bool guest_reader_check_tsc_khz(const struct guest_reader *r, struct sim_diag *err)
{
	if (r->tsc_khz == 0 || r->tsc_khz > UINT32_MAX)
		return sim_diag_fail(err, "reader %s: TSC kHz %llu out of range", r->name,
				     (unsigned long long)r->tsc_khz);
	return true;
}

/*
 * Shared by the kinds that read kvmclock or the guest TSC the way Linux does
 * (pvclock.c, tsc.c; the clock IDs in clock_id.c run on either).
 */
/* pvclock: sample the vCPU's page as the attempt begins. */
void guest_pvclock_begin(struct guest_reader *r, sim_ps now);
/* pvclock_clocksource_read(): false to retry; clamped to last_value unless the stable bit holds. */
bool guest_pvclock_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns);
/* The vCPU's kvmclock from its current page at now; a wrap stops the run, naming r. */
uint64_t guest_kvmclock_now(struct guest_reader *r, sim_ps now);
/* r->tsc_khz: the scenario's, or what pvclock_tsc_khz() derives from the vCPU's rate. */
bool guest_tsc_khz(struct guest_reader *r, struct sim_diag *err);

#endif
