/*
 * timer_live: the guest's APIC timers on the VM's vCPUs (sim/guest/timers.h)
 * and its HPET comparators' timers (sim/guest/hpet_timers.h, judged by the
 * main count the guest meant against the count at the interrupt) stay alive (docs/clocks.md "timer_live").  From the stream's guest_timer
 * records: each interrupt comes no earlier than its deadline in guest terms
 * (the guest TSC reached the deadline the guest wrote; a count-down's delay
 * passed) and no later than `slack` after it, counting from the resume when
 * the VM was stopped at the due time; and no vCPU whose timer is armed goes
 * longer than `silent_max` of running time without an interrupt.  Worst: the
 * largest lateness or silence, in ps.  The VMM's guest_run records say when
 * the guest was stopped, and its phases in which order a snapshot's restore
 * wrote IA32_TSC and IA32_TSC_DEADLINE, to name the cause.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/hw/host_check.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/vcpu_state.h"
#include "sim/devices/platform.h"

struct vcpu_live {
	unsigned vcpu;
	unsigned hpet;            /* an HPET comparator's timer: its index + 1; 0: the APIC's */
	bool armed;
	bool deadline_mode;
	const char *mode;
	sim_ps silent_from_ps;    /* the last interrupt, or the arming */
	uint64_t deadline;        /* the last deadline the guest wrote */
	uint64_t fires;
};

struct timer_live {
	unsigned nvcpus;
	struct vcpu_live *v;
	struct vcpu_live hpet[HPET_MAX_TIMERS];   /* by comparator (sim/guest/hpet_timers.h) */
	bool stopped;
	sim_ps stop_ps, resume_ps;
	const char *stop_action;  /* "snapshot", "pause", ... of the last stop */
	unsigned stop_index;
	bool tsc_written, deadline_before_tsc;    /* within the last restore */
	int64_t worst_late_ps, worst_silent_ps;
	unsigned worst_silent_vcpu;
	uint64_t fires;
};

static int64_t cycles_to_ps(uint64_t cycles, uint64_t khz)
{
	sim_u128 ps;

	if (khz == 0)
		return INT64_MAX;
	ps = (sim_u128)cycles * SIM_PS_PER_MS / khz;
	return ps > INT64_MAX ? INT64_MAX : (int64_t)ps;
}

static void check_silence(struct host_check *k, struct timer_live *t, struct vcpu_live *vl,
			  bool at_fire, sim_ps now);

/* The restore's steps, by phase name: their order names a deadline restored before IA32_TSC. */
static void on_phase(struct timer_live *t, const struct sim_trace_vmm_phase *p)
{
	if (strcmp(p->phase, "restore") == 0) {
		t->tsc_written = false;
		t->deadline_before_tsc = false;
	} else if (strcmp(p->phase, "tsc") == 0) {
		t->tsc_written = true;
	} else if (strcmp(p->phase, "tsc_deadline") == 0) {
		t->deadline_before_tsc = !t->tsc_written;
	}
}

/* The VMM stopped every vCPU or let them run again (SIM_TRACE_GUEST_RUN). */
static void on_run(struct host_check *k, struct timer_live *t, const struct sim_trace_guest_run *p,
		   sim_ps now)
{
	if (!p->running) {
		/* a silence up to the stop is judged now; after the resume a new one starts */
		for (unsigned i = 0; i < t->nvcpus; i++)
			check_silence(k, t, &t->v[i], false, now);
		for (unsigned i = 0; i < HPET_MAX_TIMERS; i++)
			check_silence(k, t, &t->hpet[i], false, now);
		t->stopped = true;
		t->stop_ps = now;
		t->stop_action = p->action;
		t->stop_index = p->index;
	} else {
		t->stopped = false;
		t->resume_ps = now;
	}
}

/* Running time without an interrupt on a vCPU up to now. */
static sim_ps silence(const struct timer_live *t, const struct vcpu_live *vl, sim_ps now)
{
	sim_ps from = vl->silent_from_ps > t->resume_ps ? vl->silent_from_ps : t->resume_ps;
	sim_ps to = t->stopped && t->stop_ps > from ? t->stop_ps : now;

	return to > from ? to - from : 0;
}

/* HPET counter ticks in ps, from COUNTER_CLK_PERIOD in fs. */
static int64_t hpet_ticks_ps(uint64_t ticks, uint32_t period_fs)
{
	sim_u128 ps = (sim_u128)ticks * period_fs / 1000u;

	return ps > INT64_MAX ? INT64_MAX : (int64_t)ps;
}

/* Why an HPET timer came late: its comparator matched only after a 32-bit wrap. */
static void hpet_late_cause(char *buf, size_t n, const struct sim_trace_guest_timer *g)
{
	uint64_t late = g->hpet_count - g->hpet_target;
	char a[40];

	hc_append(buf, n, ": meant for count 0x%08" PRIx64 ", the comparator holds 0x%08" PRIx64,
		  g->hpet_target & 0xffffffffu, g->hpet_comparator & 0xffffffffu);
	if (late >= UINT64_C(1) << 31)
		hc_append(buf, n, "; the write landed behind the counter and matched only after the "
			  "32-bit wrap (2^32 ticks = %s)",
			  hc_dur_s(a, hpet_ticks_ps(UINT64_C(1) << 32, g->hpet_period_fs)));
}

static void late_violation(struct host_check *k, struct timer_live *t, unsigned vcpu,
			   const struct sim_trace_guest_timer *g, int64_t late, sim_ps now)
{
	struct host_check_result *r = &k->r;
	char a[32], b[40], c[40];

	if (r->violations++)
		return;
	r->first_ps = now;
	hc_put(r->first, sizeof(r->first), "vCPU %u: %s%s fired %s late at %s s (slack %s)",
	       vcpu, g->mode, g->hpet_timer ? "" : " timer", hc_dur_s(b, late),
	       sim_format_seconds(a, now), hc_dur_s(c, (int64_t)k->cfg.timer_live.slack_ps));
	if (g->hpet_timer)
		hpet_late_cause(r->first, sizeof(r->first), g);
	if (g->deadline_tsc && g->deadline_skew > 0)
		hc_append(r->first, sizeof(r->first), ": TSC_DEADLINE 0x%" PRIx64 " %sarmed against a "
			  "TSC %s behind", g->deadline_tsc, t->deadline_before_tsc ?
			  "restored before IA32_TSC: " : "", hc_dur_s(b, cycles_to_ps(
			  (uint64_t)g->deadline_skew, g->tsc_khz)));
	host_check_violation(k, now, vcpu, late);
}

static void early_violation(struct host_check *k, unsigned vcpu,
			    const struct sim_trace_guest_timer *g, int64_t early, sim_ps now)
{
	struct host_check_result *r = &k->r;
	char a[32], b[40];

	if (r->violations++)
		return;
	r->first_ps = now;
	hc_put(r->first, sizeof(r->first), "vCPU %u: %s%s fired %s before its deadline at %s s",
	       vcpu, g->mode, g->hpet_timer ? "" : " timer", hc_dur_s(b, early),
	       sim_format_seconds(a, now));
	if (g->deadline_tsc && g->deadline_skew < 0)
		hc_append(r->first, sizeof(r->first), ": TSC_DEADLINE 0x%" PRIx64 " armed against a "
			  "TSC %s ahead", g->deadline_tsc,
			  hc_dur_s(b, cycles_to_ps((uint64_t)-g->deadline_skew, g->tsc_khz)));
	host_check_violation(k, now, vcpu, -early);
}

/* What the board's HPET holds for a silent comparator: where its next match is. */
static void hpet_silent_cause(struct host_check *k, char *buf, size_t n, unsigned timer,
			      const char *mode, sim_ps now)
{
	struct platform *pf = host_check_env(k)->board;
	const struct hpet *h = pf ? pf->slot[BOARD_DEV_HPET].chip : NULL;
	const struct hpet_timer *ht;
	sim_ps next;
	char a[32];

	if (!h || timer >= h->params.ntimers)
		return;
	ht = &h->timer[timer];
	next = hpet_next_match(h, timer);
	/* where the device sends it (1.0a 2.3.8, 2.4.2.1) */
	if ((h->gen_conf & HPET_LEG_RT_CNF) && timer < 2)
		hc_append(buf, n, ": the HPET drives legacy IRQ%u", timer == 0 ? 0 : 8);
	else if (ht->conf & HPET_TN_FSB_EN_CNF)
		hc_append(buf, n, ": the HPET sends FSB messages");
	else
		hc_append(buf, n, ": the HPET drives I/O APIC pin %u",
			  (unsigned)((ht->conf & HPET_TN_INT_ROUTE_CNF) >> HPET_TN_INT_ROUTE_SHIFT));
	if (strstr(mode, "(FSB)") && !(ht->conf & HPET_TN_FSB_EN_CNF))
		hc_append(buf, n, ", not FSB: Tn_FSB_INT_DEL_CAP is 0, so FSB_EN was ignored");
	hc_append(buf, n, "; the comparator holds 0x%08" PRIx64 ", the counter 0x%08" PRIx64,
		  hpet_comparator(h, timer, platform_time(pf, now)) & 0xffffffffu,
		  hpet_main_counter(h, platform_time(pf, now)) & 0xffffffffu);
	if (next != SIM_NEVER && !platform_stopped(pf) && next >= platform_time(pf, now))
		hc_append(buf, n, ", next match at %s s (board time)", sim_format_seconds(a, next));
}

/* What KVM holds for a silent vCPU, to explain it. */
static void silent_violation(struct host_check *k, struct timer_live *t,
			     const struct vcpu_live *vl, sim_ps silent, bool at_fire, sim_ps now)
{
	struct host_check_result *r = &k->r;
	const struct kvm_vm *vm = host_check_env(k)->vm;
	unsigned vcpu = vl->vcpu;
	char a[32], b[40], c[40];

	if (r->violations++)
		return;
	r->first_ps = now;
	hc_put(r->first, sizeof(r->first), "vCPU %u: silent %s with its %s%s armed (limit %s; "
	       "last interrupt or arming %s s)%s", vcpu, hc_dur_s(b, (int64_t)silent), vl->mode,
	       vl->hpet ? "" : " timer", hc_dur_s(c, (int64_t)k->cfg.timer_live.silent_max_ps),
	       sim_format_seconds(a, vl->silent_from_ps), at_fire ? ", until an interrupt now" : "");
	if (vl->hpet && !at_fire)
		hpet_silent_cause(k, r->first, sizeof(r->first), vl->hpet - 1, vl->mode, now);
	if (vm && vcpu < vm->nvcpus && !at_fire && !vl->hpet) {
		const struct kvm_lapic_timer *lt = &vm->vcpus[vcpu].lapic;

		if (vl->deadline_mode && lt->tscdeadline == 0 && !lt->pending &&
		    lt->target_ps == SIM_NEVER) {
			hc_append(r->first, sizeof(r->first), ": KVM holds TSC_DEADLINE 0, no interrupt "
				  "pending; the guest waits for 0x%" PRIx64, vl->deadline);
			if (t->stop_action && vl->silent_from_ps <= t->stop_ps)
				hc_append(r->first, sizeof(r->first), ", armed before %s %u (%s s): "
					  "deadline and interrupt lost", t->stop_action, t->stop_index,
					  sim_format_seconds(a, t->stop_ps));
		} else if (lt->target_ps != SIM_NEVER) {
			int64_t skew = vl->deadline_mode ?
				       kvm_lapic_deadline_skew(&vm->vcpus[vcpu], now) : 0;

			hc_append(r->first, sizeof(r->first), ": KVM's timer is due at %s s",
				  sim_format_seconds(a, lt->target_ps));
			if (skew > 0)
				hc_append(r->first, sizeof(r->first), ", its deadline armed against a "
					  "TSC %s behind", hc_dur_s(b, cycles_to_ps((uint64_t)skew,
					  vm->vcpus[vcpu].virtual_tsc_khz)));
		}
	}
	host_check_violation(k, now, vcpu, (int64_t)silent);
}

static void check_silence(struct host_check *k, struct timer_live *t, struct vcpu_live *vl,
			  bool at_fire, sim_ps now)
{
	sim_ps s;

	if (!vl->armed)
		return;
	s = silence(t, vl, now);
	if ((int64_t)s > t->worst_silent_ps) {
		t->worst_silent_ps = (int64_t)s;
		t->worst_silent_vcpu = vl->vcpu;
	}
	if (s > k->cfg.timer_live.silent_max_ps)
		silent_violation(k, t, vl, s, at_fire, now);
}

/* Early or late: against the deadline in guest terms, from the resume if stopped when due. */
static void judge_fire(struct host_check *k, struct timer_live *t,
		       const struct sim_trace_guest_timer *g, sim_ps now)
{
	int64_t late;

	if (g->hpet_timer) {
		/* the count the guest meant against the board's counter at the interrupt */
		sim_ps since_resume = now > t->resume_ps ? now - t->resume_ps : 0;

		if (g->hpet_count < g->hpet_target) {
			early_violation(k, g->vcpu, g, hpet_ticks_ps(g->hpet_target - g->hpet_count,
				       g->hpet_period_fs), now);
			return;
		}
		late = hpet_ticks_ps(g->hpet_count - g->hpet_target, g->hpet_period_fs);
		if (g->armed_ps < t->resume_ps && late > (int64_t)since_resume)
			late = (int64_t)since_resume;
	} else if (g->deadline_tsc) {
		sim_ps since_resume = now > t->resume_ps ? now - t->resume_ps : 0;

		if (g->guest_tsc < g->deadline_tsc) {
			int64_t early = cycles_to_ps(g->deadline_tsc - g->guest_tsc, g->tsc_khz);

			/* KVM arms its hrtimer in whole ns, truncated: up to 1 ns early is on time */
			if (early > (int64_t)SIM_PS_PER_NS) {
				early_violation(k, g->vcpu, g, early, now);
				return;
			}
		}
		late = g->guest_tsc > g->deadline_tsc ?
		       cycles_to_ps(g->guest_tsc - g->deadline_tsc, g->tsc_khz) : 0;
		if (g->armed_ps < t->resume_ps && late > (int64_t)since_resume)
			late = (int64_t)since_resume;
	} else {
		sim_ps due = g->armed_ps + g->period_ps;

		if (g->period_ps && now > g->armed_ps && strcmp(g->mode, "periodic") == 0)
			due = g->armed_ps + (now - g->armed_ps) / g->period_ps * g->period_ps;
		if (t->stop_ps <= due && due < t->resume_ps)
			due = t->resume_ps;      /* due while the VM was stopped */
		if (now < due) {
			early_violation(k, g->vcpu, g, (int64_t)(due - now), now);
			return;
		}
		late = (int64_t)(now - due);
	}
	if (late > t->worst_late_ps)
		t->worst_late_ps = late;
	if (late > (int64_t)k->cfg.timer_live.slack_ps)
		late_violation(k, t, g->vcpu, g, late, now);
}

static void on_timer(struct host_check *k, struct timer_live *t, const struct sim_trace_guest_timer *g,
		     sim_ps now)
{
	struct vcpu_live *vl;

	if (g->vcpu >= t->nvcpus || g->hpet_timer > HPET_MAX_TIMERS)
		return;
	vl = g->hpet_timer ? &t->hpet[g->hpet_timer - 1] : &t->v[g->vcpu];
	vl->vcpu = g->vcpu;
	vl->hpet = g->hpet_timer;
	vl->mode = g->mode;
	vl->deadline_mode = g->deadline_tsc != 0;
	if (!g->fire) {
		if (!vl->armed)
			vl->silent_from_ps = now;
		vl->armed = true;
		vl->deadline = g->deadline_tsc;
		return;
	}
	t->fires++;
	vl->fires++;
	k->r.samples++;
	judge_fire(k, t, g, now);
	check_silence(k, t, vl, true, now);
	vl->silent_from_ps = now;
}

static void tl_record(struct host_check *k, const struct sim_trace_record *rec)
{
	struct timer_live *t = k->state;

	if (rec->kind == SIM_TRACE_VMM_PHASE)
		on_phase(t, &rec->u.vmm);
	else if (rec->kind == SIM_TRACE_GUEST_RUN)
		on_run(k, t, &rec->u.run, rec->t_ps);
	else if (rec->kind == SIM_TRACE_GUEST_TIMER)
		on_timer(k, t, &rec->u.timer, rec->t_ps);
}

static bool tl_setup(struct host_check *k, struct sim_diag *err)
{
	struct timer_live *t = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;

	if (!vm)
		return sim_diag_fail(err, "timer_live: judges a VM's guest timers, and there is no VM");
	t->nvcpus = vm->nvcpus;
	t->v = calloc(t->nvcpus, sizeof(*t->v));
	if (!t->v)
		return sim_diag_fail(err, "out of memory");
	for (unsigned i = 0; i < t->nvcpus; i++)
		t->v[i].vcpu = i;
	return true;
}

static void tl_finish(struct host_check *k, sim_ps end)
{
	struct timer_live *t = k->state;
	struct host_check_result *r = &k->r;
	unsigned armed = 0, hpet = 0;
	char a[40], b[40], c[40], d[40];

	for (unsigned i = 0; i < t->nvcpus; i++) {
		armed += t->v[i].armed;
		check_silence(k, t, &t->v[i], false, end);
	}
	for (unsigned i = 0; i < HPET_MAX_TIMERS; i++) {
		hpet += t->hpet[i].armed;
		check_silence(k, t, &t->hpet[i], false, end);
	}
	r->evaluated = true;
	r->passed = r->violations == 0;
	r->worst = t->worst_late_ps > t->worst_silent_ps ? t->worst_late_ps : t->worst_silent_ps;
	if (hpet)
		hc_put(r->note, sizeof(r->note), "%u HPET timer%s, ", hpet, hpet == 1 ? "" : "s");
	else
		r->note[0] = '\0';
	hc_append(r->note, sizeof(r->note), "%u vCPU%s with a%s guest timer, %" PRIu64 " interrupt%s; "
	       "latest %s (slack %s), longest silence %s on vCPU %u (limit %s)", armed,
	       armed == 1 ? "" : "s", hpet ? "n APIC" : "", t->fires, t->fires == 1 ? "" : "s",
	       hc_dur_s(a, t->worst_late_ps), hc_dur_s(c, (int64_t)k->cfg.timer_live.slack_ps),
	       hc_dur_s(b, t->worst_silent_ps), t->worst_silent_vcpu,
	       hc_dur_s(d, (int64_t)k->cfg.timer_live.silent_max_ps));
}

static void tl_destroy(struct host_check *k)
{
	struct timer_live *t = k->state;

	free(t->v);
	t->v = NULL;
}

const struct host_check_ops host_check_timer_live_ops = {
	.kind = HOST_CHECK_TIMER_LIVE,
	.state_size = sizeof(struct timer_live),
	.setup = tl_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) | SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN) |
		      SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER),
	.record = tl_record,
	.finish = tl_finish,
	.destroy = tl_destroy,
};
