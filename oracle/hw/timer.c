/*
 * timer: an APIC timer of the check's own on a host CPU (one-shot,
 * periodic, TSC-deadline) fires no later than its due time plus a slack
 * (sim/cpu-tsc/lapic_timer.h; docs/clocks.md "timer").  An event arms it at
 * `arm_at`; the hooks on its CPU forward C-state entry, exit and TSC changes
 * to it and record the deep C-state spells that explain a late fire.
 */
#include <inttypes.h>

#include "oracle/hw/host_check.h"
#include "sim/cpu-tsc/lapic_timer.h"

#define TIMER_VECTOR 0xecu                      /* Linux's LOCAL_TIMER_VECTOR */
#define TIMER_MAX_DIVIDE 128u

struct timer {
	struct host_check *k;
	struct sim_event ev;      /* the arming */
	char ev_name[HOST_CHECK_NAME_MAX + 24];
	struct lapic_timer timer;
	bool timer_ready;
	uint32_t icr;
	uint32_t dcr;
	unsigned divide;
	uint64_t deadline_cycles;
	bool armed;
	bool arm_deferred;        /* the CPU was offline at arm_at: arm when it comes up */
	bool done;                /* every fire to check has fired */
	sim_ps arm_ps;
	sim_ps deadline_due_ps;
	uint64_t fires;
	bool any_fire;
	int64_t worst_late_ps;
	/* deep C-state spells (C2+) of the CPU since the arming or the last fire */
	bool in_spell;
	unsigned spell_cstate;
	sim_ps spell_from_ps;
	unsigned nspells;
	sim_ps spell_total_ps;
	unsigned last_cstate;
	sim_ps last_from_ps, last_to_ps;
	sim_ps window_from_ps;
};

static const struct cpu_tsc *timer_tsc(const struct timer *t)
{
	return &t->k->h->cpus[t->k->cfg.timer.cpu].tsc;
}

static uint64_t timer_tsc_read(void *ctx, sim_ps now)
{
	return tsc_read(timer_tsc(ctx), now);
}

static sim_ps timer_tsc_time_of(void *ctx, uint64_t value, sim_ps now)
{
	const struct cpu_tsc *tsc = timer_tsc(ctx);
	sim_ps t;

	if (tsc_read(tsc, now) >= value)
		return now;
	t = tsc_time_of(tsc, value);         /* SIM_NEVER while the TSC is stopped */
	if (t == SIM_NEVER)
		return SIM_NEVER;
	return t < now ? now : t;
}

/* When fire n (from 1) is due: from the arming, with the timer's own rounding. */
static sim_ps timer_due_ps(const struct timer *t, uint64_t n)
{
	sim_u128 cycles;

	if (t->k->cfg.timer.mode == HOST_CHECK_TIMER_DEADLINE)
		return t->deadline_due_ps;
	cycles = (sim_u128)n * t->icr * t->divide;
	if (cycles > UINT64_MAX)
		return SIM_NEVER;
	return sim_add_sat(t->arm_ps, sim_tick_time((uint64_t)cycles, t->timer.clk));
}

static const char *timer_mode_name(enum host_check_timer_mode mode)
{
	switch (mode) {
	case HOST_CHECK_TIMER_ONESHOT: return "one-shot";
	case HOST_CHECK_TIMER_PERIODIC: return "periodic timer";
	case HOST_CHECK_TIMER_DEADLINE: return "TSC-deadline timer";
	}
	return "timer";
}

/* What held the timer back between window_from_ps and now. */
static void timer_cause(const struct timer *t, sim_ps now, char *buf, size_t n)
{
	const struct cpu_tsc *tsc = timer_tsc(t);
	bool deadline = t->k->cfg.timer.mode == HOST_CHECK_TIMER_DEADLINE;
	bool tsc_stops = tsc->props.cls != TSC_INVARIANT;
	unsigned count = t->nspells + (t->in_spell ? 1u : 0u);
	sim_ps total = t->spell_total_ps + (t->in_spell ? now - t->spell_from_ps : 0);
	unsigned cs = t->in_spell ? t->spell_cstate : t->last_cstate;
	sim_ps from = t->in_spell ? t->spell_from_ps : t->last_from_ps;
	char a[32], b[32], d[40];

	if (count == 0) {
		if (tsc_written_within(tsc, t->window_from_ps, now))
			hc_put(buf, n, "the CPU's TSC was written at %s s",
			       sim_format_seconds(a, tsc->last_write_ps));
		else
			hc_put(buf, n, "no deep C-state of the CPU explains it");
		return;
	}
	if (count == 1)
		hc_put(buf, n, "the CPU was in C%u from %s s", cs, sim_format_seconds(a, from));
	else
		hc_put(buf, n, "the CPU was in deep C-states %u times (%s in all), the last in "
		       "C%u from %s s", count, hc_dur(d, (int64_t)total), cs,
		       sim_format_seconds(a, from));
	if (t->in_spell)
		hc_append(buf, n, " on (still there at %s s)", sim_format_seconds(b, now));
	else
		hc_append(buf, n, " to %s s", sim_format_seconds(b, t->last_to_ps));
	if (!t->timer.arat)
		hc_append(buf, n, deadline ? " without ARAT (the deadline was held back)" :
			  " without ARAT (the timer stopped)");
	else if (deadline && tsc_stops)
		hc_append(buf, n, " and its TSC stopped there (no nonstop TSC), so it reached the "
			  "deadline late");
	else
		hc_append(buf, n, " (with ARAT the timer runs on there)");
}

static void timer_late(struct timer *t, uint64_t fire, sim_ps due, sim_ps at, bool fired)
{
	const struct host_check_timer_config *c = &t->k->cfg.timer;
	struct host_check_result *r = &t->k->r;
	int64_t late = at >= due ? (int64_t)(at - due) : -(int64_t)(due - at);
	char a[32], b[32], d[40], cause[200], what[48];

	if (!t->any_fire || late > t->worst_late_ps)
		t->worst_late_ps = late;
	t->any_fire = true;
	if (fired && late <= (int64_t)c->slack_ps)
		return;
	r->violations++;
	if (r->violations > 1)
		return;
	r->first_ps = at;
	timer_cause(t, at, cause, sizeof(cause));
	if (c->mode == HOST_CHECK_TIMER_PERIODIC)
		hc_put(what, sizeof(what), "periodic timer's fire %" PRIu64, fire);
	else
		hc_put(what, sizeof(what), "%s", timer_mode_name(c->mode));
	if (fired)
		hc_put(r->first, sizeof(r->first), "the %s on CPU %u due at %s s fired at %s s: %s "
		       "late; %s", what, c->cpu, sim_format_seconds(a, due),
		       sim_format_seconds(b, at), hc_dur(d, late), cause);
	else
		hc_put(r->first, sizeof(r->first), "the %s on CPU %u due at %s s had not fired by "
		       "the end of the run at %s s (%s late); %s", what, c->cpu,
		       sim_format_seconds(a, due), sim_format_seconds(b, at), hc_dur(d, late), cause);
	host_check_violation(t->k, at, c->cpu, late);
}

static void spells_reset(struct timer *t, sim_ps now)
{
	t->nspells = 0;
	t->spell_total_ps = 0;
	t->window_from_ps = now;
}

static void timer_fire(void *ctx, const struct lapic_timer *lt, uint8_t vector, sim_ps now)
{
	struct timer *t = ctx;
	const struct host_check_timer_config *c = &t->k->cfg.timer;
	uint64_t n;

	(void)lt;
	(void)vector;
	if (!t->armed || t->done)
		return;
	n = ++t->fires;
	t->k->r.samples++;
	timer_late(t, n, timer_due_ps(t, n), now, true);
	if (c->mode != HOST_CHECK_TIMER_PERIODIC || (c->count && n >= c->count)) {
		t->done = true;
		if (c->mode == HOST_CHECK_TIMER_PERIODIC)
			lapic_timer_write(&t->timer, LAPIC_TIMER_ICR, 0, now);
	}
	spells_reset(t, now);
}

static void timer_arm(struct timer *t, sim_ps now)
{
	struct lapic_timer *lt = &t->timer;
	const struct host_check_timer_config *c = &t->k->cfg.timer;
	unsigned cs = lt->cstate;

	/* Code running on the CPU arms it: before a C-state entered at this very instant. */
	if (cs)
		lapic_timer_cstate_exit(lt, now);
	t->armed = true;
	t->arm_deferred = false;
	t->arm_ps = now;
	if (t->in_spell)
		t->spell_from_ps = now;
	spells_reset(t, now);
	switch (c->mode) {
	case HOST_CHECK_TIMER_ONESHOT:
	case HOST_CHECK_TIMER_PERIODIC:
		lapic_timer_write(lt, LAPIC_TIMER_DCR, t->dcr, now);
		lapic_timer_write(lt, LAPIC_TIMER_LVT, TIMER_VECTOR |
				  (c->mode == HOST_CHECK_TIMER_PERIODIC ? LAPIC_LVT_TIMER_PERIODIC :
				   LAPIC_LVT_TIMER_ONESHOT), now);
		lapic_timer_write(lt, LAPIC_TIMER_ICR, t->icr, now);
		break;
	case HOST_CHECK_TIMER_DEADLINE: {
		const struct cpu_tsc *tsc = timer_tsc(t);
		uint64_t value = tsc_read(tsc, now) + t->deadline_cycles;
		sim_ps due = timer_tsc_time_of(t, value, now);

		/* due: when the TSC, as it runs now, reaches the deadline */
		t->deadline_due_ps = due != SIM_NEVER ? due :
			sim_add_sat(now, sim_tick_time(t->deadline_cycles, tsc->nominal));
		lapic_timer_write(lt, LAPIC_TIMER_LVT, TIMER_VECTOR | LAPIC_LVT_TIMER_TSC_DEADLINE, now);
		lapic_timer_wrmsr_deadline(lt, value, now);
		break;
	}
	}
	if (cs) {
		lapic_timer_cstate_enter(lt, cs, now);
		lapic_timer_tsc_changed(lt, now);
	}
}

static void arm_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct timer *t = sim_container_of(ev, struct timer, ev);

	(void)q;
	if (!t->k->h->cpus[t->k->cfg.timer.cpu].online) {
		t->arm_deferred = true;          /* hot-added at this instant, after us */
		return;
	}
	timer_arm(t, now);
}

static void timer_finish(struct host_check *k, sim_ps end)
{
	struct timer *t = k->state;
	const struct host_check_timer_config *c = &k->cfg.timer;
	struct host_check_result *r = &k->r;
	uint64_t n = t->fires + 1;
	char a[32], b[32];

	if (!t->armed) {
		hc_put(r->note, sizeof(r->note), "the run ended before the timer was armed");
		return;
	}
	r->evaluated = true;
	if (!t->done && (c->mode != HOST_CHECK_TIMER_PERIODIC || !c->count || n <= c->count)) {
		sim_ps due = timer_due_ps(t, n);

		if (due <= end) {
			/* due and not fired: late by at least end - due */
			r->samples++;
			timer_late(t, n, due, end, false);
		} else if (c->mode != HOST_CHECK_TIMER_PERIODIC) {
			r->violations++;
			if (r->violations == 1) {
				r->first_ps = end;
				hc_put(r->first, sizeof(r->first), "the %s on CPU %u was due at %s s, "
				       "after the end of the run at %s s", timer_mode_name(c->mode),
				       c->cpu, sim_format_seconds(a, due), sim_format_seconds(b, end));
				host_check_violation(k, end, c->cpu, 0);
			}
		}
	}
	r->passed = r->violations == 0;
	r->worst = t->any_fire ? t->worst_late_ps : 0;
	hc_put(r->note, sizeof(r->note), "armed at %s s; %" PRIu64 " fire%s checked, slack %s; "
	       "ARAT %s", sim_format_seconds(a, t->arm_ps), r->samples, r->samples == 1 ? "" : "s",
	       hc_dur(b, (int64_t)c->slack_ps), t->timer.arat ? "yes" : "no");
}

/* Initial count and divide for the delay: the smallest divide whose count fits 32 bits. */
static bool timer_setup(struct host_check *k, struct sim_diag *err)
{
	struct timer *t = k->state;
	const struct host_check_timer_config *c = &k->cfg.timer;
	const struct host *h = k->h;
	struct lapic_tsc_ops ops = { timer_tsc_read, timer_tsc_time_of, t };
	uint64_t ticks;
	unsigned code;

	t->k = k;
	hc_put(t->ev_name, sizeof(t->ev_name), "host_check.%s", k->cfg.name);
	/* before the host events of that instant (they are scheduled after us) */
	sim_event_init(&t->ev, t->ev_name, SIM_PRIO_SCENARIO, arm_fire);
	if (c->cpu >= h->ncpus)
		return sim_diag_fail(err, "timer: CPU %u out of range (host %s has %u CPUs)",
				     c->cpu, h->name, h->ncpus);
	if (c->apic_timer.num == 0 || c->apic_timer.den == 0)
		return sim_diag_fail(err, "timer: no APIC timer clock");
	ticks = sim_ticks_in(c->delay_ps, c->apic_timer);
	t->divide = 1;
	while (ticks / t->divide > UINT32_MAX && t->divide < TIMER_MAX_DIVIDE)
		t->divide *= 2;
	if (ticks / t->divide > UINT32_MAX)
		return sim_diag_fail(err, "a %s timer delay of %" PRIu64 " APIC timer cycles does "
				     "not fit its 32-bit initial count even divided by 128",
				     timer_mode_name(c->mode), ticks);
	t->icr = (uint32_t)(ticks / t->divide);
	if (t->icr == 0)
		t->icr = 1;                      /* a delay below one timer cycle: one cycle */
	/* DCR: 1 -> 111b, 2 -> 000b, 4 -> 001b, ..., 128 -> 110b (bits 3, 1, 0). */
	code = 7;
	for (unsigned d = 2, i = 0; d <= t->divide; d *= 2, i++)
		if (d == t->divide)
			code = i;
	t->dcr = (code & 3u) | ((code & 4u) << 1);
	t->deadline_cycles = sim_ticks_in(c->delay_ps, c->tsc_nominal);
	lapic_timer_init(&t->timer, t->ev_name, k->q, c->apic_timer, &ops, c->arat, timer_fire, t);
	t->timer_ready = true;
	return sim_schedule(k->q, &t->ev, c->arm_at_ps) ||
	       sim_diag_fail(err, "timer: cannot arm at %" PRIu64 " ps", c->arm_at_ps);
}

/* Entering C2 or deeper opens a spell; back to C0/C1 closes it. */
static void spell_enter(struct timer *t, unsigned cstate, sim_ps now)
{
	if (cstate >= 2 && !t->in_spell) {
		t->in_spell = true;
		t->spell_cstate = cstate;
		t->spell_from_ps = now;
	} else if (cstate < 2 && t->in_spell) {
		t->in_spell = false;
		t->nspells++;
		t->spell_total_ps += now - t->spell_from_ps;
		t->last_cstate = t->spell_cstate;
		t->last_from_ps = t->spell_from_ps;
		t->last_to_ps = now;
	}
}

static struct timer *timer_on(struct host_check *k, unsigned cpu)
{
	struct timer *t = k->state;

	return t->timer_ready && k->cfg.timer.cpu == cpu ? t : NULL;
}

static void timer_cstate_enter(struct host_check *k, unsigned cpu, unsigned cstate, sim_ps now)
{
	struct timer *t = timer_on(k, cpu);

	if (!t)
		return;
	spell_enter(t, cstate, now);
	lapic_timer_cstate_enter(&t->timer, cstate, now);
	/* the TSC may have stopped (a TSC-deadline timer waits for it) */
	lapic_timer_tsc_changed(&t->timer, now);
}

static void timer_cstate_exit(struct host_check *k, unsigned cpu, sim_ps now)
{
	struct timer *t = timer_on(k, cpu);

	if (!t)
		return;
	spell_enter(t, 0, now);
	lapic_timer_cstate_exit(&t->timer, now);
	lapic_timer_tsc_changed(&t->timer, now);
}

static void timer_tsc_changed(struct host_check *k, unsigned cpu, sim_ps now)
{
	struct timer *t = timer_on(k, cpu);

	if (!t)
		return;
	if (t->arm_deferred && k->h->cpus[cpu].online)
		timer_arm(t, now);
	else
		lapic_timer_tsc_changed(&t->timer, now);
}

static void timer_destroy(struct host_check *k)
{
	struct timer *t = k->state;

	if (t->timer_ready)
		lapic_timer_finish(&t->timer);
	sim_cancel(k->q, &t->ev);
}

const struct host_check_ops host_check_timer_ops = {
	.kind = HOST_CHECK_TIMER,
	.state_size = sizeof(struct timer),
	.setup = timer_setup,
	.cstate_enter = timer_cstate_enter,
	.cstate_exit = timer_cstate_exit,
	.tsc_changed = timer_tsc_changed,
	.finish = timer_finish,
	.destroy = timer_destroy,
};
