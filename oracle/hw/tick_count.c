/*
 * tick_count: a tick-counting guest clock (a "ticks" reader,
 * sim/guest/tick_clock.h) against true time after outages, as the guest saw
 * it: each of the reader's reads (from the trace stream) gives its error,
 * value - true time, taken relative to its first read's.  At the end of the
 * run the clock must be within the tolerance of true time (it fell behind if
 * ticks were dropped or are still owed), and must never have run ahead by
 * more than the tolerance (a time sync while a backlog was still being
 * reinjected counts those ticks twice: the "double correction" of QEMU's
 * slew plus a guest agent's resync, FAILURES.md F13).
 *
 * The numbers a VMM engineer wants come from the delivery model the reader
 * runs on (sim/kvm/tick_delivery.h): per outage (a stall; on a board on
 * host time also a pause, a snapshot or a migration), the ticks missed,
 * dropped and owed, the highest injection rate and when the guest was level
 * again.  "True time" is the device's: on a board on the VM's time base it
 * stands still while the VM is stopped, and a clock that took every tick
 * the device raised is level however long the VM stood (its lag behind UTC
 * is clock_consistency's "freeze").
 * Definitions: docs/clocks.md "tick_count".
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "oracle/hw/host_check.h"

struct tick_count {
	bool seen;
	int64_t e0_ps;            /* the first read's value - true time */
	int64_t last_err_ps;      /* the last read's error, relative to e0 */
	sim_ps last_ps;
	int64_t over_ps;          /* the largest error ahead of true time */
	sim_ps over_at_ps;
};

/* "-4.998484 s", "+12.500000 ms": a signed error with its unit. */
static const char *err_text(char *buf, int64_t ps)
{
	uint64_t a = ps < 0 ? -(uint64_t)ps : (uint64_t)ps;
	const char *sign = ps < 0 ? "-" : "+";
	char d[40];

	if (a >= SIM_PS_PER_S)
		snprintf(buf, 40, "%s%" PRIu64 ".%06" PRIu64 " s", sign, a / SIM_PS_PER_S,
			 a % SIM_PS_PER_S / SIM_PS_PER_US);
	else
		snprintf(buf, 40, "%s%s", ps < 0 ? "" : "+", hc_dur(d, ps));
	return buf;
}

/*
 * What the clock should read at t: the device's time (a board stopped with
 * the VM owes nothing for the stop), plus the time it stood still before the
 * latest sync, which set the clock to true time.
 */
static sim_ps truth_ps(const struct host_check_tick_count_config *c, sim_ps t)
{
	sim_ps truth = tick_device_time(&c->delivery, t);

	for (unsigned i = c->nsyncs; i-- > 0;) {
		if (c->sync_ps[i] <= t) {
			truth += c->sync_ps[i] - tick_device_time(&c->delivery, c->sync_ps[i]);
			break;
		}
	}
	return truth;
}

static void tick_count_record(struct host_check *k, const struct sim_trace_record *rec)
{
	struct tick_count *t = k->state;
	sim_i128 err;

	if (rec->kind != SIM_TRACE_READ || rec->u.read.group != k->cfg.tick_count.group)
		return;
	err = (sim_i128)rec->u.read.value_ns * SIM_PS_PER_NS -
	      (sim_i128)truth_ps(&k->cfg.tick_count, rec->t_ps);
	k->r.samples++;
	if (!t->seen) {
		t->seen = true;
		t->e0_ps = (int64_t)err;
		return;
	}
	t->last_err_ps = (int64_t)(err - t->e0_ps);
	t->last_ps = rec->t_ps;
	if (t->last_err_ps > t->over_ps) {
		t->over_ps = t->last_err_ps;
		t->over_at_ps = rec->t_ps;
	}
}

/* A duration: "5 s" when whole seconds, else "50.500000 ms". */
static const char *dur_text(char *buf, sim_ps ps)
{
	if (ps % SIM_PS_PER_S == 0)
		snprintf(buf, 40, "%" PRIu64 " s", ps / SIM_PS_PER_S);
	else if (ps >= SIM_PS_PER_S)
		snprintf(buf, 40, "%" PRIu64 ".%06" PRIu64 " s", ps / SIM_PS_PER_S,
			 ps % SIM_PS_PER_S / SIM_PS_PER_US);
	else
		hc_dur(buf, (int64_t)ps);
	return buf;
}

/* What outage i was: "stall" (the VMM stopped), "pause", "snapshot", "migration". */
static const char *outage_what(const struct tick_delivery *d, unsigned i)
{
	return d->outage_what[i] ? d->outage_what[i] : "stall";
}

static bool all_stalls(const struct tick_delivery *d)
{
	for (unsigned i = 0; i < d->noutages; i++)
		if (strcmp(outage_what(d, i), "stall") != 0)
			return false;
	return true;
}

/* The true time the device stood still (a board on the VM's time base). */
static sim_ps stopped_ps(const struct tick_delivery *d)
{
	sim_ps ps = 0;

	for (unsigned i = 0; i < d->nstops; i++)
		ps += d->stops[i].to_ps - d->stops[i].from_ps;
	return ps;
}

/* The note: the tick, the policy and what the first outage did. */
static void tick_note(struct host_check *k, const struct tick_delivery *d, sim_ps tick)
{
	struct host_check_result *r = &k->r;
	struct tick_outage_summary s;
	const struct tick_outage *o = &d->outages[0];
	uint64_t mhz = (uint64_t)((sim_u128)d->rate.num * 1000 / d->rate.den);
	char a[40], b[40], c[40];

	hc_put(r->note, sizeof(r->note), "%" PRIu64 ".%03" PRIu64 " Hz (%s a tick), %s",
	       mhz / 1000, mhz % 1000, hc_dur(a, (int64_t)tick),
	       d->nohz ? "NO_HZ" : tick_policy_name(d->policy));
	if (k->cfg.tick_count.compensate && !d->nohz)
		hc_append(r->note, sizeof(r->note), ", a guest that compensates lost ticks");
	if (d->nstops)
		hc_append(r->note, sizeof(r->note), "; the board stood still with the VM %s for %s "
			  "(its time base): no tick due", d->nstops > 1 ? "in its stops" : "once",
			  dur_text(a, stopped_ps(d)));
	if (!tick_outage_summary(d, 0, &s)) {
		hc_append(r->note, sizeof(r->note), "; no stall");
		return;
	}
	hc_append(r->note, sizeof(r->note), "; %s at %s for %s: %" PRIu64 " ticks missed",
		  outage_what(d, 0), dur_text(a, o->from_ps), dur_text(b, o->to_ps - o->from_ps),
		  s.missed);
	if (d->nohz)
		hc_append(r->note, sizeof(r->note), ", jiffies brought up to date at the resume");
	else if (s.lost)
		hc_append(r->note, sizeof(r->note), ", 1 taken at the resume, %" PRIu64 " dropped",
			  s.lost);
	else if (s.backlog && s.caught_up_ps != SIM_NEVER)
		hc_append(r->note, sizeof(r->note), ", %" PRIu64 " reinjected at up to %" PRIu64
			  ".%03" PRIu64 " ticks/s, level %s after the resume", s.backlog,
			  s.max_rate_mhz / 1000, s.max_rate_mhz % 1000,
			  dur_text(c, s.caught_up_ps - o->to_ps));
	else if (s.backlog)
		hc_append(r->note, sizeof(r->note), ", %" PRIu64 " owed, reinjected at up to %" PRIu64
			  ".%03" PRIu64 " ticks/s", s.backlog, s.max_rate_mhz / 1000,
			  s.max_rate_mhz % 1000);
	if (d->noutages > 1)
		hc_append(r->note, sizeof(r->note), "; %u more %s", d->noutages - 1,
			  all_stalls(d) ? "stalls" : "outages");
}

/* Why the clock ran ahead: the first sync that found ticks still owed. */
static void ahead_text(struct host_check *k, struct tick_count *t)
{
	const struct host_check_tick_count_config *c = &k->cfg.tick_count;
	char b[40], e[40];

	for (unsigned i = 0; i < c->nsyncs; i++) {
		uint64_t owed = tick_owed(&c->delivery, tick_device_time(&c->delivery, c->sync_ps[i]));

		if (!owed)
			continue;
		hc_put(k->r.first, sizeof(k->r.first), "the clock ran %s ahead of true time: the "
		       "time sync at %s set it while %" PRIu64 " ticks were still owed (%s), and they "
		       "came after it: counted twice", dur_text(e, (sim_ps)t->over_ps),
		       dur_text(b, c->sync_ps[i]), owed, tick_policy_name(c->delivery.policy));
		return;
	}
	if (c->compensate && c->delivery.noutages && !c->delivery.nohz &&
	    (c->delivery.policy == TICK_POLICY_DELAY || c->delivery.policy == TICK_POLICY_SLEW)) {
		struct tick_outage_summary s;

		tick_outage_summary(&c->delivery, 0, &s);
		hc_put(k->r.first, sizeof(k->r.first), "the clock ran %s ahead of true time: the guest "
		       "made up the %" PRIu64 " ticks lost in the %s itself (lost-tick "
		       "compensation) and the VMM reinjected them too (%s): counted twice",
		       dur_text(e, (sim_ps)t->over_ps), s.backlog, outage_what(&c->delivery, 0),
		       tick_policy_name(c->delivery.policy));
		return;
	}
	hc_put(k->r.first, sizeof(k->r.first), "the clock ran %s ahead of true time",
	       dur_text(e, (sim_ps)t->over_ps));
}

static void behind_text(struct host_check *k, struct tick_count *t, sim_ps end)
{
	const struct tick_delivery *d = &k->cfg.tick_count.delivery;
	struct tick_outage_summary s;
	uint64_t lost = 0, missed = 0;
	uint64_t owed = tick_owed(d, tick_device_time(d, end));
	char e[40], a[40];

	for (unsigned i = 0; tick_outage_summary(d, i, &s); i++) {
		lost += s.lost;
		missed += s.missed;
	}
	dur_text(e, (sim_ps)hc_abs64(t->last_err_ps));
	if (t->last_err_ps > 0)
		hc_put(k->r.first, sizeof(k->r.first), "the clock ends %s ahead of true time", e);
	else if (lost)
		hc_put(k->r.first, sizeof(k->r.first), "the clock ends %s behind true time: %" PRIu64
		       " of the %" PRIu64 " ticks missed in %s%s were dropped (%s)", e, lost, missed,
		       all_stalls(d) ? "stalls" : d->noutages == 1 ? "the " : "outages",
		       !all_stalls(d) && d->noutages == 1 ? outage_what(d, 0) : "",
		       tick_policy_name(d->policy));
	else if (owed)
		hc_put(k->r.first, sizeof(k->r.first), "the clock ends %s behind true time: %" PRIu64
		       " ticks were still owed at %s s (%s)", e, owed, sim_format_seconds(a, end),
		       tick_policy_name(d->policy));
	else
		hc_put(k->r.first, sizeof(k->r.first), "the clock ends %s behind true time", e);
}

static void tick_count_finish(struct host_check *k, sim_ps end)
{
	struct tick_count *t = k->state;
	const struct host_check_tick_count_config *c = &k->cfg.tick_count;
	struct host_check_result *r = &k->r;
	sim_ps tick = tick_due_time(&c->delivery, 1);
	int64_t tol = (int64_t)(c->tolerance_ps ? c->tolerance_ps : tick);
	bool ahead, off;
	char e[40];

	tick_note(k, &c->delivery, tick);
	if (r->samples < 2) {
		hc_append(r->note, sizeof(r->note), "; the reader read fewer than twice");
		return;
	}
	r->evaluated = true;
	ahead = t->over_ps > tol;
	off = hc_abs64(t->last_err_ps) > tol;
	r->worst = ahead && t->over_ps >= hc_abs64(t->last_err_ps) ? t->over_ps : t->last_err_ps;
	r->passed = !ahead && !off;
	hc_append(r->note, sizeof(r->note), "; error at the end %s", err_text(e, t->last_err_ps));
	if (r->passed)
		return;
	r->violations = 1;
	r->first_ps = r->worst == t->over_ps && ahead ? t->over_at_ps : t->last_ps;
	if (r->worst == t->over_ps && ahead)
		ahead_text(k, t);
	else
		behind_text(k, t, t->last_ps);
	host_check_violation(k, r->first_ps, 0, r->worst);
}

static bool tick_count_setup(struct host_check *k, struct sim_diag *err)
{
	const struct tick_delivery *d = &k->cfg.tick_count.delivery;

	if (d->rate.num == 0 || d->rate.den == 0)
		return sim_diag_fail(err, "host check \"%s\": the reader has no tick rate", k->cfg.name);
	if (!host_check_env(k)->trace)
		return sim_diag_fail(err, "host check \"%s\": needs the trace stream (the reads)",
				     k->cfg.name);
	return true;
}

const struct host_check_ops host_check_tick_count_ops = {
	.kind = HOST_CHECK_TICK_COUNT,
	.state_size = sizeof(struct tick_count),
	.setup = tick_count_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_READ),
	.record = tick_count_record,
	.finish = tick_count_finish,
};
