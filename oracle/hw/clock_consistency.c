/*
 * clock_consistency: across each stop and resume of the VM, do the guest's
 * MONOTONIC, REALTIME (and BOOTTIME) move as the declared policy says?
 *
 * Each clock is a reader group (the scenario's monotonic / realtime /
 * boottime readers).  An outage opens when the VMM stops the VM and closes
 * when it runs again (SIM_TRACE_GUEST_RUN records with vm_clock: a pause,
 * a snapshot from its pause to its resume, a migration's downtime, the
 * host's sleep; not a stall, which stops the VMM process, not the VM).  For each clock, its jump
 * over the outage is what it advanced between its last read before the stop
 * and its first read after the resume, minus the true time the VM ran
 * between those reads:
 *     jump = (v_after - v_before) - ((t_after - t_before) - outage).
 * The policy says what each jump should be:
 *     freeze    0 for all: the guest's clocks stand still while it is stopped
 *               (KVM_SET_CLOCK with the saved clock, or a TSC guest);
 *     advance   the outage for all: kvmclock advanced by the host realtime
 *               elapsed (KVM_CLOCK_REALTIME), so MONOTONIC, BOOTTIME and
 *               REALTIME step forward together;
 *     realtime  the outage for REALTIME only: the wall clock catches up with
 *               UTC (a guest agent, Firecracker after PR #5809), MONOTONIC and
 *               BOOTTIME do not jump.
 * A clock off its expected jump by more than the tolerance is a violation
 * that names the clock IDs and the disagreement.  worst: the signed
 * deviation of largest magnitude over every outage and clock (ps).  An
 * outage whose clocks were not all read again by the end is not judged.
 */
#include "oracle/hw/host_check.h"

#include <stdio.h>

enum { CC_MONO, CC_REAL, CC_BOOT, CC_NCLOCKS };

static const char *const clock_names[CC_NCLOCKS] = { "MONOTONIC", "REALTIME", "BOOTTIME" };
static const char *const policy_names[] = {
	[HOST_CHECK_CC_FREEZE] = "freeze",
	[HOST_CHECK_CC_ADVANCE] = "advance",
	[HOST_CHECK_CC_REALTIME] = "realtime",
};

struct cc_clock {
	bool used;
	unsigned group;
	bool has_last;            /* a read seen (the last one, before the outage) */
	sim_ps last_ps;
	uint64_t last_ns;
	bool have_before;         /* frozen at the stop */
	sim_ps before_ps;
	uint64_t before_ns;
	bool have_jump;           /* the first read after the resume came */
	int64_t jump_ps;
};

struct cc_state {
	struct cc_clock clocks[CC_NCLOCKS];
	bool stopped;             /* between a stop and its resume */
	bool open;                /* resumed; waiting for each clock's first read */
	sim_ps stop_ps, resume_ps;
	const char *action;
	unsigned index;
};

/* hc_dur, or seconds from 1 s up: "+3600.000000 s" reads better than 3600000 ms. */
static const char *dur(char *buf, int64_t ps)
{
	uint64_t a = ps < 0 ? -(uint64_t)ps : (uint64_t)ps;

	if (a < SIM_PS_PER_S)
		return hc_dur(buf, ps);
	snprintf(buf, 40, "%s%llu.%06llu s", ps < 0 ? "-" : "", (unsigned long long)(a / SIM_PS_PER_S),
		 (unsigned long long)(a % SIM_PS_PER_S / SIM_PS_PER_US));
	return buf;
}

const char *host_check_cc_policy_name(enum host_check_cc_policy p)
{
	return (unsigned)p < sizeof(policy_names) / sizeof(policy_names[0]) ? policy_names[p] : "?";
}

static bool cc_setup(struct host_check *k, struct sim_diag *err)
{
	const struct host_check_clock_consistency_config *c = &k->cfg.clock_consistency;
	struct cc_state *s = k->state;
	const unsigned groups[CC_NCLOCKS] = { c->monotonic_group, c->realtime_group,
					      c->boottime_group };

	if ((unsigned)c->policy > HOST_CHECK_CC_REALTIME)
		return sim_diag_fail(err, "host check \"%s\": unknown policy %d", k->cfg.name,
				     (int)c->policy);
	for (unsigned i = 0; i < CC_NCLOCKS; i++) {
		s->clocks[i].used = groups[i] != HOST_CHECK_NO_GROUP;
		s->clocks[i].group = groups[i];
	}
	if (!s->clocks[CC_MONO].used || !s->clocks[CC_REAL].used)
		return sim_diag_fail(err, "host check \"%s\": needs a MONOTONIC and a REALTIME reader",
				     k->cfg.name);
	return true;
}

static int64_t expected_ps(const struct host_check *k, unsigned clock, sim_ps outage)
{
	switch (k->cfg.clock_consistency.policy) {
	case HOST_CHECK_CC_FREEZE:
		return 0;
	case HOST_CHECK_CC_ADVANCE:
		return (int64_t)outage;
	case HOST_CHECK_CC_REALTIME:
		return clock == CC_REAL ? (int64_t)outage : 0;
	}
	return 0;
}

/* Every clock has its jump: judge the outage. */
static void judge_outage(struct host_check *k, sim_ps now)
{
	struct cc_state *s = k->state;
	struct host_check_result *r = &k->r;
	const sim_ps outage = s->resume_ps - s->stop_ps;
	char a[40], b[40], c[40], text[HOST_CHECK_TEXT_MAX] = "";
	int64_t worst = 0;
	bool bad = false;

	s->open = false;
	r->samples++;
	for (unsigned i = 0; i < CC_NCLOCKS; i++) {
		const struct cc_clock *cl = &s->clocks[i];
		int64_t dev;

		if (!cl->used)
			continue;
		dev = cl->jump_ps - expected_ps(k, i, outage);
		if (hc_abs64(dev) > hc_abs64(worst))
			worst = dev;
		if (hc_abs64(dev) > k->cfg.clock_consistency.tolerance_ps)
			bad = true;
		hc_append(text, sizeof(text), "%s%s jumped %s%s (wants %s%s)", text[0] ? ", " : "",
			  clock_names[i], cl->jump_ps >= 0 ? "+" : "", dur(a, cl->jump_ps),
			  expected_ps(k, i, outage) > 0 ? "+" : "", dur(b, expected_ps(k, i, outage)));
	}
	if (hc_abs64(worst) > hc_abs64(r->worst))
		r->worst = worst;
	hc_put(r->note, sizeof(r->note), "%s%u stop at %s, resume at %s (outage %s): %s; policy %s",
	       s->action, s->index, dur(a, (int64_t)s->stop_ps),
	       dur(b, (int64_t)s->resume_ps), dur(c, (int64_t)outage), text,
	       host_check_cc_policy_name(k->cfg.clock_consistency.policy));
	if (!bad)
		return;
	if (r->violations++ == 0) {
		r->passed = false;
		r->first_ps = now;
		hc_put(r->first, sizeof(r->first), "across %s%u (outage %s) the clocks disagree "
		       "with policy %s: %s", s->action, s->index, dur(a, (int64_t)outage),
		       host_check_cc_policy_name(k->cfg.clock_consistency.policy), text);
		host_check_violation(k, now, 0, worst);
	}
}

static void on_read(struct host_check *k, const struct sim_trace_record *rec)
{
	struct cc_state *s = k->state;
	bool all = true;

	for (unsigned i = 0; i < CC_NCLOCKS; i++) {
		struct cc_clock *cl = &s->clocks[i];

		if (!cl->used || cl->group != rec->u.read.group)
			continue;
		if (s->open && cl->have_before && !cl->have_jump && rec->t_ps > s->resume_ps) {
			sim_ps ran = rec->t_ps - cl->before_ps - (s->resume_ps - s->stop_ps);
			sim_i128 j = ((sim_i128)rec->u.read.value_ns - (sim_i128)cl->before_ns) *
				     (sim_i128)SIM_PS_PER_NS - (sim_i128)ran;

			cl->have_jump = true;
			cl->jump_ps = j > INT64_MAX ? INT64_MAX : j < -INT64_MAX ? -INT64_MAX : (int64_t)j;
		}
		cl->has_last = true;
		cl->last_ps = rec->t_ps;
		cl->last_ns = rec->u.read.value_ns;
	}
	if (!s->open)
		return;
	for (unsigned i = 0; i < CC_NCLOCKS; i++)
		if (s->clocks[i].used && s->clocks[i].have_before && !s->clocks[i].have_jump)
			all = false;
	if (all)
		judge_outage(k, rec->t_ps);
}

/* The VMM stopped the VM or let it run again (SIM_TRACE_GUEST_RUN). */
static void on_run(struct host_check *k, const struct sim_trace_record *rec)
{
	struct cc_state *s = k->state;
	const struct sim_trace_guest_run *g = &rec->u.run;

	/* a stopped VMM process (a stall) is no VM stop: no clock policy applies */
	if (!g->vm_clock)
		return;
	if (!s->stopped && !g->running) {
		s->stopped = true;
		s->open = false;          /* an outage still unjudged is dropped */
		s->stop_ps = rec->t_ps;
		s->action = g->action;
		s->index = g->index;
		for (unsigned i = 0; i < CC_NCLOCKS; i++) {
			struct cc_clock *cl = &s->clocks[i];

			cl->have_before = cl->has_last;
			cl->before_ps = cl->last_ps;
			cl->before_ns = cl->last_ns;
			cl->have_jump = false;
		}
	} else if (s->stopped && g->running) {
		s->stopped = false;
		s->open = true;
		s->resume_ps = rec->t_ps;
	}
}

static void cc_record(struct host_check *k, const struct sim_trace_record *rec)
{
	k->r.evaluated = true;
	if (rec->kind == SIM_TRACE_READ)
		on_read(k, rec);
	else if (rec->kind == SIM_TRACE_GUEST_RUN)
		on_run(k, rec);
}

static void cc_finish(struct host_check *k, sim_ps end)
{
	struct host_check_result *r = &k->r;

	(void)end;
	r->evaluated = true;
	if (r->violations == 0)
		r->passed = true;
	if (r->samples == 0)
		hc_put(r->note, sizeof(r->note), "no stop and resume with reads of every clock on "
		       "both sides: nothing to judge (policy %s)",
		       host_check_cc_policy_name(k->cfg.clock_consistency.policy));
}

const struct host_check_ops host_check_clock_consistency_ops = {
	.kind = HOST_CHECK_CLOCK_CONSISTENCY,
	.state_size = sizeof(struct cc_state),
	.setup = cc_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_READ) | SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN),
	.record = cc_record,
	.finish = cc_finish,
};
