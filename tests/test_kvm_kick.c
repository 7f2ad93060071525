/*
 * kvm_vcpu_request_last(): a kick as a handler's last step, the entry
 * serviced at once when the queue would fire it next.  A periodic "kicker"
 * (as the VMM's clock updates are) runs twice, once kicking with
 * kvm_vcpu_request() and once with kvm_vcpu_request_last(); both runs must
 * write the same pages at the same instants, fire as many events, draw the
 * same entry latencies, and an event queued before the entry at the same
 * instant must still see the page unwritten.
 */
#include "kvm_rig.h"

#include "sim/kvm/kvm_kick.h"

#define KICKS 400u
#define STEP_PS ((sim_ps)10 * SIM_PS_PER_US)

struct kicker {
	struct sim_event ev;
	struct sim_event early;   /* at the kick's instant, before the entry (lower priority) */
	struct rig *r;
	bool last;                /* kvm_vcpu_request_last() */
	unsigned n;
	unsigned at_once;         /* pages written before the kicker returned */
	uint64_t early_seen[KICKS];
	sim_ps entry_at[KICKS];
};

static void early_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kicker *k = sim_container_of(ev, struct kicker, early);
	struct kvm_vcpu *v = &k->r->vm.vcpus[(k->n - 1) % NVCPUS];

	(void)q;
	/* the entry at `now` comes after this event: its page is still the old one */
	k->early_seen[k->n - 1] = v->last_update_ps == now ? 1 : 2;
}

static void kicker_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kicker *k = sim_container_of(ev, struct kicker, ev);
	struct kvm_vcpu *v = &k->r->vm.vcpus[k->n % NVCPUS];
	unsigned i = k->n++;

	/* every third kick has an event queued before its entry at the same instant */
	if (i % 3 == 0)
		sim_schedule(q, &k->early, now);
	if (k->n < KICKS)
		sim_schedule_firing(q, ev, now + STEP_PS);
	if (k->last) {
		kvm_vcpu_request_last(v, KVM_REQ_CLOCK_UPDATE, now);
		k->at_once += v->last_update_ps == now;
	} else {
		kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, now);
	}
	k->entry_at[i] = sim_event_pending(&v->entry) ? v->entry.when : now;
}

struct outcome {
	struct pvclock_vcpu_time_info pvti[NVCPUS];
	uint64_t clock_updates[NVCPUS];
	sim_ps last_update_ps[NVCPUS];
	uint64_t fired;
};

static struct outcome run_kicker(struct kicker *k, bool last, sim_ps latency_max_ps)
{
	static struct rig r;
	struct kvm_params p = default_params();
	struct outcome o;

	p.entry_latency_max_ps = latency_max_ps;
	rig_init(&r, HOST_TSC, &p);
	*k = (struct kicker){ .r = &r, .last = last };
	sim_event_init(&k->ev, "kicker", SIM_PRIO_SCENARIO, kicker_fire);
	sim_event_init(&k->early, "early", SIM_PRIO_SCENARIO, early_fire);
	sim_schedule(&r.q, &k->ev, MS(1));
	run(&r, MS(1) + KICKS * STEP_PS + MS(2));
	cr_assert_eq(k->n, KICKS);
	for (unsigned i = 0; i < NVCPUS; i++) {
		o.pvti[i] = r.vm.vcpus[i].pvti;
		o.clock_updates[i] = r.vm.vcpus[i].clock_updates;
		o.last_update_ps[i] = r.vm.vcpus[i].last_update_ps;
	}
	o.fired = r.q.fired;
	rig_finish(&r);
	return o;
}

static void compare(sim_ps latency_max_ps, unsigned *at_once)
{
	static struct kicker a, b;
	struct outcome oa = run_kicker(&a, false, latency_max_ps);
	struct outcome ob = run_kicker(&b, true, latency_max_ps);

	cr_assert_eq(oa.fired, ob.fired, "%" PRIu64 " events fired, %" PRIu64 " with the kick last",
		     oa.fired, ob.fired);
	for (unsigned i = 0; i < NVCPUS; i++) {
		cr_assert_eq(memcmp(&oa.pvti[i], &ob.pvti[i], sizeof(oa.pvti[i])), 0,
			     "vCPU %u's page differs", i);
		cr_assert_eq(oa.clock_updates[i], ob.clock_updates[i]);
		cr_assert_eq(oa.last_update_ps[i], ob.last_update_ps[i]);
	}
	for (unsigned i = 0; i < KICKS; i++) {
		cr_assert_eq(a.entry_at[i], b.entry_at[i], "kick %u: entry at %" PRIu64 " and %" PRIu64,
			     i, a.entry_at[i], b.entry_at[i]);
		cr_assert_eq(a.early_seen[i], b.early_seen[i], "kick %u", i);
		if (i % 3 == 0)
			cr_assert_eq(b.early_seen[i], 2, "kick %u: the earlier event saw the new page", i);
	}
	cr_assert_eq(a.at_once, 0);
	*at_once = b.at_once;
}

Test(kvm_kick, latency_zero_enters_at_once_as_the_queue_would)
{
	unsigned at_once;

	compare(0, &at_once);
	/* the kicks with no event before their entry: two in three */
	cr_assert_eq(at_once, KICKS - (KICKS + 2) / 3, "%u pages written at once", at_once);
}

Test(kvm_kick, a_drawn_latency_is_queued_as_before)
{
	unsigned at_once;

	compare(2 * STEP_PS, &at_once);
	/* a draw of 0 (about one in 2 * STEP_PS ps) may enter at once; the rest wait */
	cr_assert_lt(at_once, 5u);
}

struct quiet_probe {
	struct sim_event ev;
	struct rig *r;
	unsigned vcpu;
	bool kicked;
	uint64_t updates_before, updates_after;
	uint32_t requests_after;
	bool pending_after;
};

static void quiet_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct quiet_probe *p = sim_container_of(ev, struct quiet_probe, ev);
	struct kvm_vcpu *v = &p->r->vm.vcpus[p->vcpu];

	(void)q;
	p->updates_before = v->clock_updates;
	p->kicked = kvm_vcpu_clock_kick_if_quiet(v, now);
	p->updates_after = v->clock_updates;
	p->requests_after = v->requests;
	p->pending_after = sim_event_pending(&v->entry);
}

static void count_page(void *ctx, const struct kvm_vcpu *v, sim_ps now)
{
	(void)v;
	(void)now;
	++*(unsigned *)ctx;
}

/* One probe at 2 ms on vCPU 1, after `setup` at 1 ms. */
static struct quiet_probe probe_quiet(struct rig *r, void (*setup)(struct rig *r))
{
	struct kvm_params p = default_params();
	struct quiet_probe q = { .r = r, .vcpu = 1 };

	p.entry_latency_max_ps = 0;
	rig_init(r, HOST_TSC, &p);
	run(r, MS(1));
	if (setup)
		setup(r);
	sim_event_init(&q.ev, "probe", SIM_PRIO_SCENARIO, quiet_fire);
	sim_schedule(&r->q, &q.ev, MS(2));
	run(r, MS(2));
	return q;
}

static unsigned hooked_pages;

static void hook_pages(struct rig *r)
{
	r->vm.page_hook = count_page;
	r->vm.page_hook_ctx = &hooked_pages;
}

static void post_global(struct rig *r)
{
	/* a request the vCPU's entry would also service (queued until then: VM paused) */
	r->vm.running = false;
	kvm_vcpu_request(&r->vm.vcpus[1], KVM_REQ_GLOBAL_CLOCK_UPDATE, MS(1));
	r->vm.running = true;
}

Test(kvm_kick, a_quiet_clock_kick_writes_the_page_at_once)
{
	static struct rig r;
	struct quiet_probe q = probe_quiet(&r, NULL);

	cr_assert(q.kicked);
	cr_expect_eq(q.updates_after, q.updates_before + 1, "the page was written in the kick");
	cr_expect_eq(q.requests_after, 0u);
	cr_expect_not(q.pending_after);
	cr_expect_eq(r.vm.vcpus[1].last_update_ps, MS(2));
	rig_finish(&r);
}

Test(kvm_kick, a_page_hook_or_another_request_is_not_quiet)
{
	static struct rig r;
	struct quiet_probe q;

	q = probe_quiet(&r, hook_pages);
	cr_expect_not(q.kicked);
	cr_expect_eq(q.updates_after, q.updates_before, "nothing done");
	cr_expect_eq(q.requests_after, 0u);
	cr_expect_not(q.pending_after);
	rig_finish(&r);

	q = probe_quiet(&r, post_global);
	cr_expect_not(q.kicked);
	cr_expect_eq(q.updates_after, q.updates_before);
	cr_expect_eq(q.requests_after, KVM_REQ_GLOBAL_CLOCK_UPDATE, "the pending request stays");
	rig_finish(&r);
}
