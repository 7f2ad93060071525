/*
 * pvclock and pvclock-raw: Linux's pvclock_clocksource_read()
 * (arch/x86/kernel/pvclock.c).  The attempt samples the vCPU's page when it
 * begins (pvclock_read_begin) and RDTSC and the version when it ends; it
 * retries while the version is odd or changed (pvclock_read_retry).  The
 * result is trusted as is only when the guest saw
 * KVM_FEATURE_CLOCKSOURCE_STABLE_BIT and the page carries
 * PVCLOCK_TSC_STABLE_BIT; otherwise it is clamped to the guest-wide
 * last_value so it never goes below any earlier one.  pvclock-raw is the same
 * read without that guard (kvm-unit-tests' raw mode).
 */
#include "sim/guest/kinds/fire.h"

#include <inttypes.h>

void guest_pvclock_begin(struct guest_reader *r, sim_ps now)
{
	(void)now;
	r->snapshot = guest_reader_vcpu(r)->pvti;
}

/*
 * Linux's u64 arithmetic would wrap here (sim/kvm/pvclock.h,
 * pvclock_read_checked()): the TSC under the vCPU went back below the page's
 * timestamp since KVM wrote it (a host TSC write or reset KVM did not see),
 * or the sum passed 2^64.  The model has no meaning for the ~2^64-cycle leap
 * it would report: the run stops, naming the vCPU, the instant and the values.
 */
static void wrap_error(const struct guest_reader *r, const struct kvm_vcpu *v,
		       const struct pvclock_vcpu_time_info *page, uint64_t tsc, sim_ps now)
{
	struct sim_diag err;
	char t[32];

	sim_diag_clear(&err);
	sim_diag_fail(&err, "reader \"%s\" on vCPU %u at %s s: guest TSC %" PRIu64 " against its "
		      "pvclock page (tsc_timestamp %" PRIu64 ", system_time %" PRIu64 " ns): %s, "
		      "which the guest's u64 arithmetic would wrap", r->name, v->id,
		      sim_format_seconds(t, now), tsc, page->tsc_timestamp,
		      page->system_time, (int64_t)(tsc - page->tsc_timestamp) < 0 ?
		      "the TSC is below the timestamp (it went back under the vCPU since KVM wrote "
		      "the page)" : "system_time plus the scaled delta passes 2^64 - 1");
	sim_eventq_fail(v->vm->q, &err);
}

/*
 * The time of `page` (as the attempt began) at the TSC read at `now` on
 * vCPU v, the reader's; false when the version says retry.
 */
static inline bool page_cycles(struct guest_reader *r, const struct kvm_vcpu *v,
			       const struct pvclock_vcpu_time_info *page, sim_ps now, uint64_t *ns)
{
	uint64_t tsc = r->p.host ? guest_reader_rdtsc(r, now) : kvm_vcpu_guest_tsc(v, now);

	if ((page->version & 1) || page->version != v->pvti.version)
		return false;
	if (!pvclock_read_checked(page, tsc, ns))
		wrap_error(r, v, page, tsc, now);
	return true;
}

uint64_t guest_kvmclock_now(struct guest_reader *r, sim_ps now)
{
	const struct kvm_vcpu *v = guest_reader_vcpu(r);
	uint64_t tsc = guest_reader_rdtsc(r, now), ns;

	if (!pvclock_read_checked(&v->pvti, tsc, &ns))
		wrap_error(r, v, &v->pvti, tsc, now);
	return ns;
}

/* pvclock_clocksource_read() on `page`, the page as the attempt began. */
static inline bool pvclock_finish_page(struct guest_reader *r, const struct kvm_vcpu *v,
				       const struct pvclock_vcpu_time_info *page, sim_ps now,
				       uint64_t *value_ns)
{
	uint64_t ret, last;

	if (!page_cycles(r, v, page, now, &ret))
		return false;
	if (r->kernel->pvclock_stable_valid && (page->flags & PVCLOCK_TSC_STABLE_BIT)) {
		*value_ns = ret;
		return true;
	}
	/* The guard: never return less than any CPU has returned before. */
	last = r->kernel->pvclock_last_value;
	if (ret <= last) {
		if (ret < last)
			r->guarded++;
		*value_ns = last;
		return true;
	}
	r->kernel->pvclock_last_value = ret;
	*value_ns = ret;
	return true;
}

bool guest_pvclock_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	return pvclock_finish_page(r, guest_reader_vcpu(r), &r->snapshot, now, value_ns);
}

static bool pvclock_raw_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	return page_cycles(r, guest_reader_vcpu(r), &r->snapshot, now, value_ns);
}

/*
 * An attempt with no event in it (one_event): the page it began with is the
 * vCPU's page now, so it is read in place rather than copied, and its
 * version is the vCPU's by construction.
 */
static bool pvclock_kind_read_at_once(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	const struct kvm_vcpu *v = guest_reader_vcpu(r);

	return pvclock_finish_page(r, v, &v->pvti, now, value_ns);
}

static bool pvclock_raw_kind_read_at_once(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	const struct kvm_vcpu *v = guest_reader_vcpu(r);

	return page_cycles(r, v, &v->pvti, now, value_ns);
}

/*
 * The page as a guest reads it field by field over one attempt: the version
 * and tsc_timestamp when the attempt begins, the rest when it ends.  A
 * rewrite in between is seen torn: the old version and timestamp with the
 * new system_time, mul, shift and flags; only reading the version again
 * tells.  (Linux's reader retries on it, so for it the difference is moot.)
 */
static struct pvclock_vcpu_time_info page_as_read(struct guest_reader *r)
{
	struct pvclock_vcpu_time_info seen = guest_reader_vcpu(r)->pvti;

	if (seen.version == r->snapshot.version)
		return r->snapshot;
	seen.version = r->snapshot.version;
	seen.tsc_timestamp = r->snapshot.tsc_timestamp;
	return seen;
}

/* Linux's read, or a plugin's (p.foreign_read) given the page as the attempt saw it. */
static bool pvclock_kind_finish(struct guest_reader *r, sim_ps now, uint64_t *value_ns)
{
	struct pvclock_vcpu_time_info seen;

	if (!r->p.foreign_read)
		return guest_pvclock_finish(r, now, value_ns);
	seen = page_as_read(r);
	return r->p.foreign_read(r->p.foreign_ctx, r, &seen, now, value_ns);
}

static sim_event_fn fire_pvclock, fire_pvclock_raw;

const struct reader_kind_ops reader_kind_pvclock = {
	.begin = guest_pvclock_begin,
	.finish = pvclock_kind_finish,
	.one_event = true,
	.read_at_once = pvclock_kind_read_at_once,
	.fire = fire_pvclock,
};

const struct reader_kind_ops reader_kind_pvclock_raw = {
	.begin = guest_pvclock_begin,
	.finish = pvclock_raw_kind_finish,
	.one_event = true,
	.read_at_once = pvclock_raw_kind_read_at_once,
	.fire = fire_pvclock_raw,
};

/* The reader's callback with the rows above: the read inlines into it (fire.h). */
static void fire_pvclock(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	guest_reader_fire(&reader_kind_pvclock, fire_pvclock, q, ev, now);
}

static void fire_pvclock_raw(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	guest_reader_fire(&reader_kind_pvclock_raw, fire_pvclock_raw, q, ev, now);
}
