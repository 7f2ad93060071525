/*
 * flag_truth: an advertised TSC property must hold while advertised
 * (docs/clocks.md "flag_truth").  The check follows every CPU of its host
 * through the hooks (C-state entry and exit, any TSC change) and records the
 * first C-state stop and the first spell off the nominal rate; whether the
 * TSCs are in sync is looked at once all changes of an instant are done (an
 * event at SIM_PRIO_OBSERVE).  Judged at the end.
 *
 * What it learns of a host does not depend on the flags asked about, so the
 * first flag_truth check of a host follows it and the others of that host
 * read the same record (one sync event per host, whatever the check count).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/hw/host_check.h"

/* What flag_truth knows about one CPU, from the hooks. */
struct cpu_track {
	bool seen;                /* online at some point of the run */
	sim_ps since_ps;          /* judged from here: 0, or its hot-add */
	uint64_t counted_since;   /* tsc_cycles_counted() at since_ps */
	sim_u128 count_since;     /* its crystal's count at since_ps */
	bool powered_off;         /* off at some point since (suspend): stops are not all C-states */
	uint64_t stops_known;     /* the TSC's completed stops accounted for */
	bool in_stop;             /* stopped with power on (a C-state) since stop_from_ps */
	sim_ps stop_from_ps;
	unsigned stop_cstate;
	bool stopped;             /* the first such stop of positive length: */
	sim_ps stop_first_ps;
	sim_ps stop_first_end_ps; /* SIM_NEVER: still stopped at the end */
	unsigned stop_first_cstate;
	bool in_scaled;           /* running off its nominal rate since scaled_from_ps */
	sim_ps scaled_from_ps;
	char scaled_why_now[96];
	bool scaled;              /* the first such spell of positive length: */
	sim_ps scaled_first_ps;
	char scaled_why[96];
};

/* One host as followed by its first flag_truth check. */
struct host_track {
	const struct host *h;
	struct sim_eventq *q;
	struct cpu_track *cpus;   /* one per host CPU */
	struct sim_event sync_ev; /* after a host event: are the TSCs still in sync? */
	char sync_name[HOST_NAME_MAX + 24];
	bool desync;
	sim_ps desync_ps;
	char desync_why[160];
	bool finished;
};

struct flag_truth {
	struct host_track *track; /* the host's; owned by the host's first flag_truth check */
	bool owner;
};

/* The crystal count behind a TSC (true time for an ideal crystal). */
static sim_u128 tsc_count_at(const struct cpu_tsc *tsc, sim_ps t)
{
	return tsc->xtal ? crystal_count(tsc->xtal, t) : (sim_u128)t * CRYSTAL_UNITS_PER_PS;
}

/* ------------------------------------------------------------------------ */
/* following the CPUs                                                        */

static void track_start(struct cpu_track *ct, const struct cpu_tsc *tsc, sim_ps now)
{
	memset(ct, 0, sizeof(*ct));
	ct->seen = true;
	ct->since_ps = now;
	ct->counted_since = tsc_cycles_counted(tsc, now);
	ct->count_since = tsc_count_at(tsc, now);
	ct->stops_known = tsc->stops;
}

/* Why a running TSC is off its nominal rate (see tsc.h, effective_rate). */
static void describe_scaling(const struct cpu_tsc *tsc, char *buf, size_t n)
{
	const struct tsc_props *p = &tsc->props;

	if (p->cls == TSC_VARIABLE && tsc->pstate_num != tsc->pstate_den)
		hc_put(buf, n, "followed the core's P-state (%" PRIu32 "/%" PRIu32 " of nominal)",
		       tsc->pstate_num, tsc->pstate_den);
	else if (tsc->cstate >= 1 && p->halt_num && p->halt_den && p->halt_num != p->halt_den)
		hc_put(buf, n, "ran at %" PRIu32 "/%" PRIu32 " of its rate halted in C%u "
		       "(halted-P-state erratum)", p->halt_num, p->halt_den, tsc->cstate);
	else if (p->cls != TSC_INVARIANT && tsc->duty_ppm < TSC_DUTY_FULL_PPM)
		hc_put(buf, n, "slowed to %" PRIu32 ".%04" PRIu32 " %% under STPCLK throttling",
		       tsc->duty_ppm / 10000, tsc->duty_ppm % 10000);
	else
		hc_put(buf, n, "ran off its nominal rate");
}

/* Looks at one CPU after a hook (the machine has applied the change). */
static void track_cpu(struct host_track *ht, unsigned cpu, sim_ps now)
{
	const struct host_cpu *hcpu = &ht->h->cpus[cpu];
	const struct cpu_tsc *tsc = &hcpu->tsc;
	struct cpu_track *ct = &ht->cpus[cpu];
	uint64_t explained;
	bool running = tsc_running(tsc);
	bool off_rate;

	if (!ct->seen) {
		if (!hcpu->online)
			return;
		track_start(ct, tsc, now);          /* hot-added: judged from now */
	}
	explained = ct->stops_known;
	if (ct->in_stop && (running || tsc->powered_off)) {
		if (now > ct->stop_from_ps) {
			explained++;
			if (!ct->stopped) {
				ct->stopped = true;
				ct->stop_first_ps = ct->stop_from_ps;
				ct->stop_first_end_ps = now;
				ct->stop_first_cstate = ct->stop_cstate;
			}
		}
		ct->in_stop = false;
	}
	/* Stops that did not start with the power on: suspend, or offline. */
	if (tsc->stops > explained || tsc->powered_off)
		ct->powered_off = true;
	ct->stops_known = tsc->stops;
	if (!running && !tsc->powered_off && !ct->in_stop) {
		ct->in_stop = true;
		ct->stop_from_ps = now;
		ct->stop_cstate = tsc->cstate;
	}

	off_rate = running && !hc_same_freq(tsc->seg.rate, tsc->nominal);
	if (ct->in_scaled && !off_rate) {
		if (now > ct->scaled_from_ps && !ct->scaled) {
			ct->scaled = true;
			ct->scaled_first_ps = ct->scaled_from_ps;
			memcpy(ct->scaled_why, ct->scaled_why_now, sizeof(ct->scaled_why));
		}
		ct->in_scaled = false;
	}
	if (off_rate && !ct->in_scaled) {
		ct->in_scaled = true;
		ct->scaled_from_ps = now;
		describe_scaling(tsc, ct->scaled_why_now, sizeof(ct->scaled_why_now));
	}
}

/* Whether the online TSCs agree; records the first time they do not, and why. */
static void observe_sync(struct host_track *ht, sim_ps now)
{
	const struct host *h = ht->h;
	const struct host_cpu *ref = NULL;

	if (ht->desync || host_tscs_synchronized(h, now))
		return;
	ht->desync = true;
	ht->desync_ps = now;
	hc_put(ht->desync_why, sizeof(ht->desync_why), "the TSCs disagreed");
	for (unsigned c = 0; c < h->ncpus; c++) {
		const struct host_cpu *hc = &h->cpus[c];
		uint64_t a, b;

		if (!hc->online)
			continue;
		if (!ref) {
			ref = hc;
			continue;
		}
		a = tsc_read(&ref->tsc, now);
		b = tsc_read(&hc->tsc, now);
		if (a != b) {
			hc_put(ht->desync_why, sizeof(ht->desync_why),
			       "CPU %u read %+" PRId64 " cycles from CPU %u", c, (int64_t)(b - a),
			       ref->id);
			return;
		}
		if (!hc_same_freq(ref->tsc.seg.rate, hc->tsc.seg.rate)) {
			hc_put(ht->desync_why, sizeof(ht->desync_why),
			       "CPU %u's TSC ran at another rate than CPU %u's (stopped, P-state or "
			       "throttling)", c, ref->id);
			return;
		}
		if (!crystal_equivalent(ref->tsc.xtal, hc->tsc.xtal)) {
			hc_put(ht->desync_why, sizeof(ht->desync_why),
			       "CPU %u (socket %u) and CPU %u (socket %u) run from crystals that "
			       "drift apart", ref->id, ref->socket, c, hc->socket);
			return;
		}
	}
}

static void sync_observe_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct host_track *ht = sim_container_of(ev, struct host_track, sync_ev);

	(void)q;
	observe_sync(ht, now);
}

/* ------------------------------------------------------------------------ */
/* the verdict                                                               */

static bool advertised(const struct tsc_features *f, enum host_tsc_flag flag)
{
	switch (flag) {
	case HOST_TSC_CONSTANT: return f->constant_tsc;
	case HOST_TSC_NONSTOP: return f->nonstop_tsc;
	case HOST_TSC_KNOWN_FREQ: return f->tsc_known_freq;
	case HOST_TSC_RELIABLE: return f->tsc_reliable;
	case HOST_TSC_INVARIANT: return f->invariant_cpuid;
	case HOST_TSC_FLAG_COUNT: break;
	}
	return false;
}

/*
 * Closes what is still open at the end (a spell running at the end counts
 * when it lasted), and catches what the hooks did not report: a stop or a
 * rate change the TSC's own history shows, with no power-off to explain it.
 */
static void track_finish(struct host_track *ht, sim_ps end)
{
	const struct host *h = ht->h;

	for (unsigned c = 0; c < h->ncpus; c++) {
		struct cpu_track *ct = &ht->cpus[c];
		const struct cpu_tsc *tsc = &h->cpus[c].tsc;

		if (!ct->seen)
			continue;
		track_cpu(ht, c, end);
		if (ct->in_stop && end > ct->stop_from_ps && !ct->stopped) {
			ct->stopped = true;
			ct->stop_first_ps = ct->stop_from_ps;
			ct->stop_first_end_ps = SIM_NEVER;
			ct->stop_first_cstate = ct->stop_cstate;
		}
		if (ct->in_scaled && end > ct->scaled_from_ps && !ct->scaled) {
			ct->scaled = true;
			ct->scaled_first_ps = ct->scaled_from_ps;
			memcpy(ct->scaled_why, ct->scaled_why_now, sizeof(ct->scaled_why));
		}
		if (!ct->stopped && !ct->powered_off && end > ct->since_ps &&
		    tsc_stopped_within(tsc, ct->since_ps, end)) {
			ct->stopped = true;
			ct->stop_first_ps = end;
			ct->stop_first_end_ps = end;
			ct->stop_first_cstate = 0;
		}
		if (!ct->scaled && end > ct->since_ps && tsc_scaled_within(tsc, ct->since_ps, end)) {
			ct->scaled = true;
			ct->scaled_first_ps = end;
			hc_put(ct->scaled_why, sizeof(ct->scaled_why), "ran off its nominal rate");
		}
	}
	observe_sync(ht, end);
}

/*
 * Mean rate of the CPU's TSC against the known frequency over [since, end]
 * in ppb.  A TSC that only ran, at its nominal rate, is judged on the cycles
 * it counted; one that also stopped, changed rate or lost power (the
 * business of the other flags) on the rate its crystal gives it while it
 * runs at its nominal rate.
 */
static int64_t known_freq_error_ppb(const struct cpu_track *ct, const struct cpu_tsc *tsc,
				    sim_ps end, struct sim_freq known)
{
	sim_ps dt = end - ct->since_ps;
	sim_u128 cycles;

	if (!ct->stopped && !ct->scaled && !ct->powered_off)
		return tsc_rate_error_ppb(tsc_cycles_counted(tsc, end) - ct->counted_since, dt, known);
	cycles = crystal_count_to_cycles(tsc_count_at(tsc, end) - ct->count_since, tsc->nominal);
	return tsc_rate_error_ppb(cycles > UINT64_MAX ? UINT64_MAX : (uint64_t)cycles, dt, known);
}

/* "socket 0's crystal: offset +0 ppb, spread spectrum down 5000 ppm (mean -2500000 ppb)" */
static void describe_crystal(const struct host_check_flag_truth_config *c, unsigned socket,
			     char *buf, size_t n)
{
	static const struct host_check_crystal_desc ideal;
	const struct host_check_crystal_desc *x = socket < HOST_CHECK_MAX_SOCKETS ?
						  &c->crystals[socket] : &ideal;
	int64_t mean = x->offset_ppb;

	if (x->ssc == CRYSTAL_SSC_DOWN)
		mean -= (int64_t)x->ssc_spread_ppm * 500;   /* a down-spread triangle's mean: -s/2 */
	hc_put(buf, n, "socket %u's crystal: offset %+" PRId64 " ppb", socket, x->offset_ppb);
	if (x->ssc != CRYSTAL_SSC_NONE)
		hc_append(buf, n, ", spread spectrum %s %" PRIu32 " ppm (mean %+" PRId64 " ppb)",
			  x->ssc == CRYSTAL_SSC_DOWN ? "down" : "center", x->ssc_spread_ppm, mean);
	if (x->aging_ppb_per_day)
		hc_append(buf, n, ", aging %+" PRId64 " ppb a day", x->aging_ppb_per_day);
	if (x->wander)
		hc_append(buf, n, ", wander");
	if (x->temperature_steps)
		hc_append(buf, n, ", temperature steps");
}

static void stop_text(const struct cpu_track *ct, char *buf, size_t n)
{
	char a[32], b[32];

	if (ct->stop_first_cstate >= 2)
		hc_put(buf, n, "its TSC stopped in C%u from %s s", ct->stop_first_cstate,
		       sim_format_seconds(a, ct->stop_first_ps));
	else if (ct->stop_first_ps == ct->stop_first_end_ps)
		hc_put(buf, n, "its TSC stopped during the run (no C-state was reported to the check)");
	else
		hc_put(buf, n, "its TSC stopped (STPCLK) from %s s",
		       sim_format_seconds(a, ct->stop_first_ps));
	if (ct->stop_first_ps == ct->stop_first_end_ps)
		return;
	if (ct->stop_first_end_ps == SIM_NEVER)
		hc_append(buf, n, " to the end of the run");
	else
		hc_append(buf, n, " to %s s", sim_format_seconds(b, ct->stop_first_end_ps));
}

static void scaled_text(const struct cpu_track *ct, char *buf, size_t n)
{
	char a[32];

	hc_put(buf, n, "its TSC %s from %s s", ct->scaled_why,
	       sim_format_seconds(a, ct->scaled_first_ps));
}

/* When and why (CPU ct, flag f) was violated; SIM_NEVER if it held. *err_ppb for known_freq. */
static sim_ps flag_violation(const struct host_check *k, const struct host_track *ht, unsigned c,
			     enum host_tsc_flag f, sim_ps end, char *why, size_t n, int64_t *err_ppb)
{
	const struct host_check_flag_truth_config *cfg = &k->cfg.flag_truth;
	const struct cpu_track *ct = &ht->cpus[c];
	sim_ps at = SIM_NEVER;

	switch (f) {
	case HOST_TSC_KNOWN_FREQ: {
		int64_t thr = cfg->threshold_ppb;
		char xtal[160], a[32], b[32];

		if (hc_abs64(*err_ppb) <= thr)
			break;
		at = end;
		describe_crystal(cfg, k->h->cpus[c].socket, xtal, sizeof(xtal));
		hc_put(why, n, "its TSC ran %+" PRId64 " ppb off the known %" PRIu64 " kHz from %s to "
		       "%s s (threshold %" PRId64 " ppb); %s", *err_ppb,
		       sim_freq_floor_khz(cfg->known_freq), sim_format_seconds(a, ct->since_ps),
		       sim_format_seconds(b, end), thr, xtal);
		break;
	}
	case HOST_TSC_CONSTANT:
		if (ct->scaled) {
			at = ct->scaled_first_ps;
			scaled_text(ct, why, n);
		}
		break;
	case HOST_TSC_NONSTOP:
		if (ct->stopped) {
			at = ct->stop_first_ps;
			stop_text(ct, why, n);
		}
		break;
	case HOST_TSC_RELIABLE:
	case HOST_TSC_INVARIANT:
		/* both mean constant and nonstop; reliable also in sync */
		if (ct->stopped) {
			at = ct->stop_first_ps;
			stop_text(ct, why, n);
		}
		if (ct->scaled && ct->scaled_first_ps < at) {
			at = ct->scaled_first_ps;
			scaled_text(ct, why, n);
		}
		if (f == HOST_TSC_RELIABLE && ht->desync && ht->desync_ps < at) {
			char a[32];

			at = ht->desync_ps;
			hc_put(why, n, "the TSCs were out of sync at %s s: %s",
			       sim_format_seconds(a, ht->desync_ps), ht->desync_why);
		}
		break;
	case HOST_TSC_FLAG_COUNT:
		break;
	}
	return at;
}

static void flag_truth_finish(struct host_check *k, sim_ps end)
{
	struct flag_truth *ft = k->state;
	struct host_track *ht = ft->track;
	const struct host *h = k->h;
	uint32_t mask = k->cfg.flag_truth.flags;
	struct host_check_result *r = &k->r;
	sim_ps first_ps = SIM_NEVER;
	unsigned first_cpu = 0;
	int64_t first_amount = 0;
	bool have_rate = false;
	int64_t worst = 0;

	if (!ht->finished) {
		ht->finished = true;
		track_finish(ht, end);
	}
	r->evaluated = true;
	for (unsigned c = 0; c < h->ncpus; c++) {
		const struct cpu_track *ct = &ht->cpus[c];
		const struct cpu_tsc *tsc = &h->cpus[c].tsc;
		struct tsc_features adv = tsc_advertised_features(tsc);

		if (!ct->seen)
			continue;
		for (unsigned f = 0; f < HOST_TSC_FLAG_COUNT; f++) {
			char why[256] = "";
			int64_t err = 0;
			sim_ps at;

			if (!(mask & (1u << f)))
				continue;
			r->samples++;
			if (!advertised(&adv, (enum host_tsc_flag)f))
				continue;
			if (f == HOST_TSC_KNOWN_FREQ) {
				if (end <= ct->since_ps)
					continue;
				err = known_freq_error_ppb(ct, tsc, end, k->cfg.flag_truth.known_freq);
				if (!have_rate || hc_abs64(err) > hc_abs64(worst))
					worst = err;
				have_rate = true;
			}
			at = flag_violation(k, ht, c, (enum host_tsc_flag)f, end, why, sizeof(why), &err);
			if (at == SIM_NEVER)
				continue;
			r->violations++;
			if (at < first_ps) {
				first_ps = at;
				first_cpu = c;
				first_amount = err;
				hc_put(r->first, sizeof(r->first), "CPU %u advertised %s but %s", c,
				       host_tsc_flag_name((enum host_tsc_flag)f), why);
			}
		}
	}
	r->passed = r->violations == 0;
	r->worst = worst;
	r->first_ps = first_ps == SIM_NEVER ? 0 : first_ps;
	if (!have_rate && (mask & (1u << HOST_TSC_KNOWN_FREQ)))
		hc_put(r->note, sizeof(r->note), "no CPU advertised tsc_known_freq: worst is 0");
	if (r->violations)
		host_check_violation(k, end, first_cpu, first_amount);
}

/* ------------------------------------------------------------------------ */
/* life cycle and hooks                                                      */

static bool flag_truth_setup(struct host_check *k, struct sim_diag *err)
{
	struct flag_truth *ft = k->state;
	struct host_check *first = host_checks_first_of(k->set, HOST_CHECK_FLAG_TRUTH, k->cfg.host);
	struct host_track *ht;
	const struct host *h = k->h;

	if (first != k) {
		ft->track = ((struct flag_truth *)first->state)->track;
		return true;
	}
	ht = calloc(1, sizeof(*ht));
	if (ht && !(ht->cpus = calloc(h->ncpus ? h->ncpus : 1, sizeof(*ht->cpus)))) {
		free(ht);
		ht = NULL;
	}
	if (!ht)
		return sim_diag_fail(err, "out of memory");
	ft->track = ht;
	ft->owner = true;
	ht->h = h;
	ht->q = k->q;
	hc_put(ht->sync_name, sizeof(ht->sync_name), "host_checks.%s.sync", h->name);
	sim_event_init(&ht->sync_ev, ht->sync_name, SIM_PRIO_OBSERVE, sync_observe_fire);
	for (unsigned cpu = 0; cpu < h->ncpus; cpu++) {
		if (!h->cpus[cpu].online)
			continue;
		track_start(&ht->cpus[cpu], &h->cpus[cpu].tsc, k->q->now);
		track_cpu(ht, cpu, k->q->now);
	}
	sim_schedule(k->q, &ht->sync_ev, k->q->now);
	return true;
}

/* Any change on the host: follow the CPU, and look at the TSCs' agreement once the instant settles. */
static void flag_truth_changed(struct host_check *k, unsigned cpu, sim_ps now)
{
	struct flag_truth *ft = k->state;
	struct host_track *ht = ft->track;

	if (!ft->owner)
		return;
	track_cpu(ht, cpu, now);
	if (!ht->desync && !sim_event_pending(&ht->sync_ev))
		sim_schedule(ht->q, &ht->sync_ev, now);
}

static void flag_truth_cstate_enter(struct host_check *k, unsigned cpu, unsigned cstate, sim_ps now)
{
	(void)cstate;
	flag_truth_changed(k, cpu, now);
}

static void flag_truth_destroy(struct host_check *k)
{
	struct flag_truth *ft = k->state;

	if (!ft->owner)
		return;
	sim_cancel(ft->track->q, &ft->track->sync_ev);
	free(ft->track->cpus);
	free(ft->track);
}

const struct host_check_ops host_check_flag_truth_ops = {
	.kind = HOST_CHECK_FLAG_TRUTH,
	.state_size = sizeof(struct flag_truth),
	.setup = flag_truth_setup,
	.cstate_enter = flag_truth_cstate_enter,
	.cstate_exit = flag_truth_changed,
	.tsc_changed = flag_truth_changed,
	.finish = flag_truth_finish,
	.destroy = flag_truth_destroy,
};
