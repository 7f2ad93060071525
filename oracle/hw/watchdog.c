/*
 * watchdog: Linux's clocksource watchdog against the HPET or the ACPI PM
 * timer (sim/linux/clocksource_watchdog.h; docs/clocks.md "watchdog"):
 * would Linux demote the TSC, and rightly?  The watchdog timer is an event
 * at its expiries.  It stands still while the host sleeps; the first hook
 * after a resume resets it, as clocksource_resume_watchdog() does.
 *
 * With "kvm-clock" the Linux watched is the VM's guest: its CPUs are the
 * vCPUs, its TSC the guest TSC, its watchdog kvm-clock (the best-rated
 * clocksource without MUST_VERIFY in a KVM guest), read through the vCPU's
 * page as kvm_clock_read() does, clamped to the last value while the page
 * lacks PVCLOCK_TSC_STABLE_BIT.
 *
 * Assumptions of the model (not Linux's): a watchdog counter read of 1 us
 * (kvm-clock: 50 ns) and an RDTSC of 20 ns.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "oracle/hw/host_check.h"
#include "sim/core/platform_clocks.h"
#include "sim/kvm/kvm.h"
#include "sim/linux/clocksource_watchdog.h"

#define WD_COUNTER_ACCESS_PS SIM_PS_PER_US      /* HPET MMIO or ACPI PM port read */
#define WD_TSC_ACCESS_PS (20 * SIM_PS_PER_NS)
#define WD_PM_MASK ((UINT64_C(1) << 24) - 1)    /* the PM timer counts 24 bits */
#define WD_HPET_MASK ((UINT64_C(1) << 32) - 1)  /* Linux reads the HPET's low 32 bits */
#define WD_KVMCLOCK_ACCESS_PS (50 * SIM_PS_PER_NS) /* a pvclock read */
#define WD_KVMCLOCK_HZ 1000000000u              /* kvm-clock registers in ns */

struct watchdog {
	struct host_check *k;
	struct sim_event ev;      /* the watchdog timer */
	char ev_name[HOST_CHECK_NAME_MAX + 24];
	struct cs_watchdog wd;
	struct sim_freq wd_freq;
	unsigned *cpus;           /* Linux's online CPU n -> host CPU */
	bool asleep;              /* a tick fell in a host suspend: tick again on resume */
	uint64_t suspend_mono_seen; /* host->suspend_mono_ns last seen awake: a change is a resume */
	bool compared;
	int64_t worst_ns;         /* the compared skew of largest magnitude */
	struct cs_watchdog_tick demoting;
	struct kvm_vm *vm;        /* kvm-clock: the guest's VM; NULL on the host */
	uint64_t kvmclock_last;   /* kvm-clock: pvclock's last_value */
};

/* kvm-clock on the vCPU the watchdog timer runs on (pvclock_clocksource_read()). */
static uint64_t kvmclock_read(struct watchdog *w, sim_ps t)
{
	const struct kvm_vcpu *v = &w->vm->vcpus[w->wd.cpu];
	uint64_t ns = pvclock_read_cycles(&v->pvti, kvm_vcpu_guest_tsc(v, t));

	if (w->vm->stable_bit_cpuid && (v->pvti.flags & PVCLOCK_TSC_STABLE_BIT))
		return ns;
	if (ns < w->kvmclock_last)
		return w->kvmclock_last;
	w->kvmclock_last = ns;
	return ns;
}

static uint64_t wd_counter(void *ctx, sim_ps t)
{
	struct watchdog *w = ctx;

	if (w->vm)
		return kvmclock_read(w, t);
	return crystal_ticks(&w->k->h->platform, t, w->wd_freq);
}

static uint64_t wd_tsc(void *ctx, unsigned cpu, sim_ps t)
{
	const struct watchdog *w = ctx;

	if (w->vm)
		return kvm_vcpu_guest_tsc(&w->vm->vcpus[cpu], t);
	return tsc_rdtsc(&w->k->h->cpus[w->cpus[cpu]].tsc, t, TSC_LFENCE_RDTSC, NULL, NULL);
}

/*
 * Watchdog reads 1, 1 + n, 1 + 2n, ... of the watchdog's life (index 0, n,
 * 2n, ...) return delay_ps late: the counter is sampled on time, the value
 * comes back late (a slow emulated access, an SMI).  With n = 3 that is the
 * first read (wdnow) of every attempt: the wd-tsc-wd window stretches by the
 * delay.  TSC reads are never delayed.
 */
static struct cs_wd_stall wd_stall(void *ctx, enum cs_wd_read_kind kind, uint64_t index,
				   enum cs_wd_slot slot, sim_ps t)
{
	const struct watchdog *w = ctx;
	struct cs_wd_stall st = { 0, 0 };
	unsigned n = w->k->cfg.watchdog.delay_every;

	(void)slot;
	(void)t;
	if (kind == CS_WD_READ_WATCHDOG && n && index % n == 0)
		st.after_ps = w->k->cfg.watchdog.delay_ps;
	return st;
}

static void wd_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct watchdog *w = sim_container_of(ev, struct watchdog, ev);
	struct host_check *k = w->k;
	struct cs_watchdog_tick tk;
	sim_ps next;

	if (k->h->suspended) {
		/* timers do not run in S3/S4: the tick comes on resume (wd_changed) */
		w->asleep = true;
		return;
	}
	cs_watchdog_tick(&w->wd, now, &tk);
	if (tk.compared && (tk.outcome == CS_WD_OK || tk.outcome == CS_WD_UNSTABLE_SKEW)) {
		if (!w->compared || hc_abs64(tk.skew_ns) > hc_abs64(w->worst_ns))
			w->worst_ns = tk.skew_ns;
		w->compared = true;
	}
	if (tk.outcome == CS_WD_UNSTABLE_READ || tk.outcome == CS_WD_UNSTABLE_SKEW) {
		w->demoting = tk;
		host_check_violation(k, now, w->cpus[tk.cpu], (tk.outcome == CS_WD_UNSTABLE_SKEW ?
				     tk.skew_ns : tk.wd_delay_ns) * (int64_t)SIM_PS_PER_NS);
		/* "demote": Linux acts on it (tsc_unstable; the kthread selects the HPET), here at once */
		if (k->cfg.watchdog.demote)
			host_mark_tsc_unstable(k->h, now);
	}
	next = cs_watchdog_next_tick_ps(&w->wd);
	if (next != SIM_NEVER)
		sim_schedule(q, ev, next > now ? next : now);
}

/* Any change on the host: notice a resume (the watchdog resets; a tick that fell in the sleep runs). */
static void wd_changed(struct host_check *k, unsigned cpu, sim_ps now)
{
	struct watchdog *w = k->state;
	const struct host *h = k->h;

	(void)cpu;
	if (h->suspended || h->suspend_mono_ns == w->suspend_mono_seen)
		return;
	w->suspend_mono_seen = h->suspend_mono_ns;
	cs_watchdog_touch(&w->wd);
	if (w->asleep) {
		w->asleep = false;
		sim_schedule(k->q, &w->ev, now);
	}
}

static void wd_cstate_enter(struct host_check *k, unsigned cpu, unsigned cstate, sim_ps now)
{
	(void)cstate;
	wd_changed(k, cpu, now);
}

static const char *wd_name(const struct host_check *k)
{
	switch (k->cfg.watchdog.clocksource) {
	case HOST_CHECK_WD_ACPI_PM: return "acpi_pm";
	case HOST_CHECK_WD_KVM_CLOCK: return "kvm-clock";
	default: return "hpet";
	}
}

static const char *ordinal_suffix(unsigned n)
{
	return n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th";
}

static void wd_first_text(struct host_check *k)
{
	const struct watchdog *w = k->state;
	const struct cs_watchdog_result *res = &w->wd.res;
	const struct cs_watchdog_tick *tk = &w->demoting;
	const struct host_check_watchdog_config *c = &k->cfg.watchdog;
	struct host_check_result *r = &k->r;
	char a[32], b[40];

	if (res->reason == CS_WD_UNSTABLE_READ) {
		hc_put(r->first, sizeof(r->first), "Linux would mark the TSC unstable at %s s: the "
		       "%s reads around CPU %u's TSC read took %" PRId64 " ns (limit %" PRId64
		       " ns) in all %u attempts (\"excessive read-back delay\")",
		       sim_format_seconds(a, res->unstable_ps), wd_name(k), w->cpus[tk->cpu],
		       tk->wd_delay_ns, w->wd.read_limit_ns, tk->attempts);
		if (c->delay_every)
			hc_append(r->first, sizeof(r->first), ", as every %u%s watchdog read from the "
				  "first returned %s late", c->delay_every,
				  ordinal_suffix(c->delay_every), hc_dur(b, (int64_t)c->delay_ps));
	} else {
		hc_put(r->first, sizeof(r->first), "Linux would mark the TSC unstable at %s s: over "
		       "one interval CPU %u's TSC measured %" PRId64 " ns and the %s %" PRId64
		       " ns, a skew of %+" PRId64 " ns beyond %" PRId64 " ns (\"the skew is too "
		       "large\")", sim_format_seconds(a, res->unstable_ps), w->cpus[tk->cpu],
		       tk->cs_nsec, wd_name(k), tk->wd_nsec, tk->skew_ns, w->wd.md_ns);
	}
	if (res->verdict == CS_WD_TRUE_POSITIVE)
		hc_append(r->first, sizeof(r->first), "; a true positive: the TSC itself was off by "
			  "%+" PRId64 " ns", res->tsc_true_error_ns);
	else if (tk->compared)
		hc_append(r->first, sizeof(r->first), "; a false positive: the TSC was off by only "
			  "%+" PRId64 " ns, the %s by %+" PRId64 " ns", res->tsc_true_error_ns,
			  wd_name(k), tk->wd_true_error_ns);
	else
		hc_append(r->first, sizeof(r->first), "; a false positive: nothing was compared yet, "
			  "the TSC was not at fault");
}

static void wd_finish(struct host_check *k, sim_ps end)
{
	const struct watchdog *w = k->state;
	const struct cs_watchdog_result *res = &w->wd.res;
	int8_t want_fp = k->cfg.watchdog.false_positive;
	struct host_check_result *r = &k->r;

	(void)end;
	r->evaluated = true;
	r->passed = !res->marked_unstable;
	r->worst = w->worst_ns * (int64_t)SIM_PS_PER_NS;
	r->samples = res->ticks;
	r->violations = res->marked_unstable ? 1 : 0;
	r->first_ps = res->marked_unstable ? res->unstable_ps : 0;
	r->has_verdict = res->verdict != CS_WD_NO_VERDICT;
	r->false_positive = res->verdict == CS_WD_FALSE_POSITIVE;
	/* a verdict was asked for: a demotion must have it (none: "expect" decides) */
	if (want_fp >= 0 && r->has_verdict && r->false_positive != (want_fp == 1))
		k->kind_unmet = true;
	if (!w->wd.p.tsc_watched) {
		struct tsc_features f = hc_linux_features(k->h);

		hc_put(r->note, sizeof(r->note), "Linux does not watch this TSC: %s",
		       f.tsc_reliable && !w->vm ? "tsc_reliable is advertised" :
		       "CONSTANT_TSC, NONSTOP_TSC and TSC_ADJUST on at most 4 packages "
		       "(check_system_tsc_reliable())");
		return;
	}
	hc_put(r->note, sizeof(r->note), "%" PRIu64 " checks against %s, %" PRIu64 " compared "
	       "(skew limit %" PRId64 " ns), %" PRIu64 " read retries, %" PRIu64 " busy skips, "
	       "%" PRIu64 " long intervals, %" PRIu64 " missed TSC errors", res->ticks, wd_name(k),
	       res->compared, w->wd.md_ns, res->read_retries, res->read_skips, res->long_skips,
	       res->missed);
	if (res->marked_unstable)
		wd_first_text(k);
	if (res->marked_unstable && k->cfg.watchdog.demote)
		hc_append(r->note, sizeof(r->note), "; the host switched its clocksource to hpet at "
			  "the demotion");
}

/*
 * The guest's watchdog: Linux's CPUs are the vCPUs, the TSC rate the one
 * kvmclock gave it, kvm-clock registered at 1 GHz with a 64-bit mask.  The
 * guest sees the host's TSC flags through CPUID, but not its tsc=reliable.
 */
static bool guest_setup(struct watchdog *w, struct cs_watchdog_params *p, struct sim_diag *err)
{
	struct host_check *k = w->k;
	struct kvm_vm *vm = host_check_env(k)->vm;
	struct tsc_features f = hc_linux_features(k->h);

	if (!vm || vm->host != k->h)
		return sim_diag_fail(err, "watchdog: a kvm-clock watchdog runs in the VM's guest, on "
				     "host %s: no VM there", k->h->name);
	if (!(w->cpus = calloc(vm->nvcpus, sizeof(*w->cpus))))
		return sim_diag_fail(err, "out of memory");
	w->vm = vm;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		w->cpus[i] = i;
	w->wd_freq = sim_freq_hz(WD_KVMCLOCK_HZ);
	p->wd_mask = UINT64_MAX;
	p->wd_access_ps = WD_KVMCLOCK_ACCESS_PS;
	p->wd_freq_hz = WD_KVMCLOCK_HZ;
	p->tsc_khz = (uint32_t)vm->vcpus[0].virtual_tsc_khz;
	p->ncpus = vm->nvcpus;
	p->tsc_watched = cs_watchdog_tsc_watched(f.constant_tsc, f.nonstop_tsc, f.tsc_adjust,
						 k->h->nsockets, false, false);
	return true;
}

static bool wd_setup(struct host_check *k, struct sim_diag *err)
{
	struct watchdog *w = k->state;
	const struct host_check_watchdog_config *c = &k->cfg.watchdog;
	const struct host *h = k->h;
	struct tsc_features f = hc_linux_features(h);
	struct cs_watchdog_params p = {
		.wd_read = wd_counter,
		.tsc_read = wd_tsc,
		.stall = wd_stall,
		.ctx = w,
		.wd_mask = c->clocksource == HOST_CHECK_WD_ACPI_PM ? WD_PM_MASK : WD_HPET_MASK,
		.wd_access_ps = WD_COUNTER_ACCESS_PS,
		.tsc_access_ps = WD_TSC_ACCESS_PS,
		.readout_limit_md = c->readout_fix,
	};
	unsigned n = 0;
	sim_ps next;

	w->k = k;
	hc_put(w->ev_name, sizeof(w->ev_name), "host_check.%s", k->cfg.name);
	sim_event_init(&w->ev, w->ev_name, SIM_PRIO_OBSERVE, wd_fire);
	w->suspend_mono_seen = h->suspend_mono_ns;
	if (c->clocksource == HOST_CHECK_WD_KVM_CLOCK) {
		if (!guest_setup(w, &p, err))
			return false;
		goto init;
	}
	w->wd_freq = c->clocksource == HOST_CHECK_WD_ACPI_PM ? sim_freq_hz(SIM_PMTIMER_FREQ_HZ) :
		     h->platform_nominal;
	if (h->tsc_khz == 0 || h->tsc_khz > UINT32_MAX ||
	    sim_freq_floor_hz(w->wd_freq) == 0 || sim_freq_floor_hz(w->wd_freq) > UINT32_MAX)
		return sim_diag_fail(err, "watchdog: host %s: tsc_khz %" PRIu64 " or the "
				     "watchdog's rate is out of range", h->name, h->tsc_khz);
	if (!(w->cpus = calloc(h->ncpus ? h->ncpus : 1, sizeof(*w->cpus))))
		return sim_diag_fail(err, "out of memory");
	for (unsigned cpu = 0; cpu < h->ncpus; cpu++)
		if (h->cpus[cpu].online)
			w->cpus[n++] = cpu;
	p.wd_freq_hz = (uint32_t)sim_freq_floor_hz(w->wd_freq);
	p.tsc_khz = (uint32_t)h->tsc_khz;
	p.ncpus = n;
	p.tsc_watched = cs_watchdog_tsc_watched(f.constant_tsc, f.nonstop_tsc, f.tsc_adjust,
						h->nsockets, f.tsc_reliable, false);
init:
	if (!cs_watchdog_init(&w->wd, &p, k->q->now, err))
		return false;
	next = cs_watchdog_next_tick_ps(&w->wd);
	if (next != SIM_NEVER)
		sim_schedule(k->q, &w->ev, next);
	return true;
}

static void wd_destroy(struct host_check *k)
{
	struct watchdog *w = k->state;

	sim_cancel(k->q, &w->ev);
	free(w->cpus);
}

const struct host_check_ops host_check_watchdog_ops = {
	.kind = HOST_CHECK_WATCHDOG,
	.state_size = sizeof(struct watchdog),
	.setup = wd_setup,
	.cstate_enter = wd_cstate_enter,
	.cstate_exit = wd_changed,
	.tsc_changed = wd_changed,
	.finish = wd_finish,
	.destroy = wd_destroy,
};
