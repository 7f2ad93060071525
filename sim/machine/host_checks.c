/*
 * Host checks: see host_checks.h, and docs/clocks.md "Host checks" for the
 * exact definitions.  Each check owns its events on the machine's queue:
 *
 *   flag_truth  follows every CPU through the machine's hooks (C-state entry
 *               and exit, any TSC change) and records the first C-state stop
 *               and the first spell off the nominal rate; whether the TSCs
 *               are in sync is looked at once all changes of an instant are
 *               done (an event at SIM_PRIO_OBSERVE).  Judged at the end.
 *   tsc_sync    one event at `at` runs Linux's check synchronously; its reads
 *               of the future TSCs see its own IA32_TSC_ADJUST writes, which
 *               are then applied to the hardware by events at their instants.
 *   watchdog    the watchdog timer as events at its expiries.
 *   timer       an APIC timer of its own on the CPU, armed by an event.
 *
 * Assumptions of the model (not Linux's): a lock hand-off between CPUs of
 * 20 ns plus up to 5 ns (a cross-CPU cache-line transfer), a watchdog
 * counter read of 1 us and an RDTSC of 20 ns.  Nothing here prints.
 */
#include "sim/machine/host_checks.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/cpu-tsc/lapic_timer.h"
#include "sim/linux/clocksource_watchdog.h"
#include "sim/linux/tsc_sync.h"

/* tsc_sync timing (an assumption: the lock's cache line moving between CPUs). */
#define SYNC_HANDOFF_PS (20 * SIM_PS_PER_NS)
#define SYNC_HANDOFF_JITTER_PS (5 * SIM_PS_PER_NS)
#define SYNC_SOLO_ITER_PS (10 * SIM_PS_PER_NS)  /* the lock retaken by the same CPU */
#define SYNC_START_SKEW_PS SIM_PS_PER_US        /* the SMP function call reaching the source */
#define SYNC_RERUN_GAP_PS (2 * SIM_PS_PER_US)   /* rendezvous and WRMSR between runs */
#define SYNC_MAX_WRITES (TSC_SYNC_MAX_RUNS + 1)

/* Watchdog reads (assumptions). */
#define WD_COUNTER_ACCESS_PS SIM_PS_PER_US      /* HPET MMIO or ACPI PM port read */
#define WD_TSC_ACCESS_PS (20 * SIM_PS_PER_NS)
#define WD_PM_TIMER_HZ 3579545u                 /* ACPI PM timer (PMTMR_TICKS_PER_SEC) */
#define WD_PM_MASK ((UINT64_C(1) << 24) - 1)
#define WD_HPET_MASK ((UINT64_C(1) << 32) - 1)

#define TIMER_VECTOR 0xecu                      /* Linux's LOCAL_TIMER_VECTOR */
#define TIMER_MAX_DIVIDE 128u

static const char *const flag_names[SCN_TSC_FLAG_COUNT] = {
	[SCN_FLAG_CONSTANT_TSC] = "constant_tsc",
	[SCN_FLAG_NONSTOP_TSC] = "nonstop_tsc",
	[SCN_FLAG_TSC_KNOWN_FREQ] = "tsc_known_freq",
	[SCN_FLAG_TSC_RELIABLE] = "tsc_reliable",
	[SCN_FLAG_INVARIANT_TSC] = "invariant_tsc",
};

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

struct host_track {
	struct host_checks *hc;
	unsigned host;
	bool flags;               /* a flag_truth check looks at this host */
	struct cpu_track *cpus;   /* with flags: one per host CPU */
	struct sim_event sync_ev; /* after a host event: are the TSCs still in sync? */
	char sync_name[HOST_NAME_MAX + 24];
	bool desync;
	sim_ps desync_ps;
	char desync_why[160];
	uint64_t suspend_mono_seen; /* host->suspend_mono_ns last seen awake: a change is a resume */
};

struct sync_write {
	unsigned cpu;
	int64_t delta;
	sim_ps at_ps;
};

struct check {
	struct host_checks *hc;
	const struct scn_host_check *c;
	unsigned host;
	struct host *h;
	struct host_check_result r;
	struct sim_event ev;      /* tsc_sync: the check; watchdog: its timer; timer: the arming */
	char ev_name[SCN_NAME_MAX + 24];

	/* tsc_sync */
	struct sim_rng rng;
	struct tsc_sync_result sync;
	struct sync_write writes[SYNC_MAX_WRITES];
	unsigned nwrites;
	unsigned applied;
	struct sim_event write_ev;
	char write_name[SCN_NAME_MAX + 24];

	/* watchdog */
	struct cs_watchdog wd;
	struct sim_freq wd_freq;
	unsigned wd_cpus[SCN_MAX_HOST_CPUS]; /* Linux's online CPU n -> host CPU */
	bool wd_asleep;           /* a tick fell in a host suspend: tick again on resume */
	bool wd_compared;
	int64_t wd_worst_ns;      /* the compared skew of largest magnitude */
	struct cs_watchdog_tick wd_demoting;

	/* timer */
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

struct host_checks {
	const struct scenario *s;
	struct host *hosts;
	struct sim_eventq *q;
	unsigned n;
	struct check *checks;
	struct host_track tracks[SCN_MAX_HOSTS];
	bool finished;
};

/* Appends to a NUL-terminated buffer; silently truncates. */
static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

/* snprintf that may truncate (texts are bounded; the cut is harmless). */
static void put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void put(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* "1.500000000" (seconds); buf holds 32 bytes. */
static const char *secs(char *buf, sim_ps t)
{
	return sim_format_seconds(buf, t);
}

/* A signed duration with its unit: "5.000000 ms", "-20.000 us", "750 ps"; buf holds 40 bytes. */
static const char *dur(char *buf, int64_t ps)
{
	uint64_t a = ps < 0 ? -(uint64_t)ps : (uint64_t)ps;
	const char *sign = ps < 0 ? "-" : "";

	if (a >= SIM_PS_PER_MS)
		snprintf(buf, 40, "%s%" PRIu64 ".%06" PRIu64 " ms", sign, a / SIM_PS_PER_MS,
			 a % SIM_PS_PER_MS / SIM_PS_PER_NS);
	else if (a >= SIM_PS_PER_US)
		snprintf(buf, 40, "%s%" PRIu64 ".%03" PRIu64 " us", sign, a / SIM_PS_PER_US,
			 a % SIM_PS_PER_US / SIM_PS_PER_NS);
	else
		snprintf(buf, 40, "%s%" PRIu64 " ps", sign, a);
	return buf;
}

static int64_t signed_diff_ps(sim_ps a, sim_ps b)
{
	return a >= b ? (int64_t)(a - b) : -(int64_t)(b - a);
}

static int64_t abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

static bool same_freq(struct sim_freq a, struct sim_freq b)
{
	return (sim_u128)a.num * b.den == (sim_u128)b.num * a.den;
}

/* The crystal count behind a TSC (true time for an ideal crystal). */
static sim_u128 tsc_count_at(const struct cpu_tsc *tsc, sim_ps t)
{
	return tsc->xtal ? crystal_count(tsc->xtal, t) : (sim_u128)t * CRYSTAL_UNITS_PER_PS;
}

/*
 * The flags as Linux sees them on the boot CPU (CPU 0): CPUID.80000007H:EDX[8]
 * sets both CONSTANT_TSC and NONSTOP_TSC (init_intel(), init_amd()).
 */
static struct tsc_features linux_features(const struct host *h)
{
	struct tsc_features f = tsc_advertised_features(&h->cpus[0].tsc);

	if (f.invariant_cpuid) {
		f.constant_tsc = true;
		f.nonstop_tsc = true;
	}
	return f;
}

/* ------------------------------------------------------------------------ */
/* flag_truth: following the CPUs                                            */

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
		put(buf, n, "followed the core's P-state (%" PRIu32 "/%" PRIu32 " of nominal)",
		    tsc->pstate_num, tsc->pstate_den);
	else if (tsc->cstate >= 1 && p->halt_num && p->halt_den && p->halt_num != p->halt_den)
		put(buf, n, "ran at %" PRIu32 "/%" PRIu32 " of its rate halted in C%u "
		    "(halted-P-state erratum)", p->halt_num, p->halt_den, tsc->cstate);
	else if (p->cls != TSC_INVARIANT && tsc->duty_ppm < TSC_DUTY_FULL_PPM)
		put(buf, n, "slowed to %" PRIu32 ".%04" PRIu32 " %% under STPCLK throttling",
		    tsc->duty_ppm / 10000, tsc->duty_ppm % 10000);
	else
		put(buf, n, "ran off its nominal rate");
}

/* Looks at one CPU after a hook (the machine has applied the change). */
static void track_cpu(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	struct host_track *ht = &hc->tracks[host];
	const struct host_cpu *hcpu = &hc->hosts[host].cpus[cpu];
	const struct cpu_tsc *tsc = &hcpu->tsc;
	struct cpu_track *ct;
	uint64_t explained;
	bool running = tsc_running(tsc);
	bool off_rate;

	if (!ht->cpus)
		return;
	ct = &ht->cpus[cpu];
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

	off_rate = running && !same_freq(tsc->seg.rate, tsc->nominal);
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
	const struct host *h = &ht->hc->hosts[ht->host];
	const struct host_cpu *ref = NULL;

	if (ht->desync || host_tscs_synchronized(h, now))
		return;
	ht->desync = true;
	ht->desync_ps = now;
	put(ht->desync_why, sizeof(ht->desync_why), "the TSCs disagreed");
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
			put(ht->desync_why, sizeof(ht->desync_why),
			    "CPU %u read %+" PRId64 " cycles from CPU %u", c, (int64_t)(b - a),
			    ref->id);
			return;
		}
		if (!same_freq(ref->tsc.seg.rate, hc->tsc.seg.rate)) {
			put(ht->desync_why, sizeof(ht->desync_why),
			    "CPU %u's TSC ran at another rate than CPU %u's (stopped, P-state or "
			    "throttling)", c, ref->id);
			return;
		}
		if (!crystal_equivalent(ref->tsc.xtal, hc->tsc.xtal)) {
			put(ht->desync_why, sizeof(ht->desync_why),
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
/* flag_truth: the verdict                                                   */

static bool advertised(const struct tsc_features *f, enum scn_tsc_flag flag)
{
	switch (flag) {
	case SCN_FLAG_CONSTANT_TSC: return f->constant_tsc;
	case SCN_FLAG_NONSTOP_TSC: return f->nonstop_tsc;
	case SCN_FLAG_TSC_KNOWN_FREQ: return f->tsc_known_freq;
	case SCN_FLAG_TSC_RELIABLE: return f->tsc_reliable;
	case SCN_FLAG_INVARIANT_TSC: return f->invariant_cpuid;
	case SCN_TSC_FLAG_COUNT: break;
	}
	return false;
}

/*
 * Closes what is still open at the end (a spell running at the end counts
 * when it lasted), and catches what the hooks did not report: a stop or a
 * rate change the TSC's own history shows, with no power-off to explain it.
 */
static void track_finish(struct host_checks *hc, struct host_track *ht, sim_ps end)
{
	const struct host *h = &hc->hosts[ht->host];

	for (unsigned c = 0; c < h->ncpus; c++) {
		struct cpu_track *ct = &ht->cpus[c];
		const struct cpu_tsc *tsc = &h->cpus[c].tsc;

		if (!ct->seen)
			continue;
		track_cpu(hc, ht->host, c, end);
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
			put(ct->scaled_why, sizeof(ct->scaled_why), "ran off its nominal rate");
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

/* "socket 0's crystal: -2500000 ppb mean: offset +0 ppb, spread spectrum down 5000 ppm" */
static void describe_crystal(const struct scenario *s, unsigned host, unsigned socket, char *buf,
			     size_t n)
{
	const struct scn_socket *ss = &s->hosts[host].sockets[socket];
	int64_t mean = ss->crystal_ppb;
	bool steps = false;

	if (ss->ssc.enabled && ss->ssc.mode == SCN_SSC_DOWN)
		mean -= (int64_t)ss->ssc.spread_ppm * 500;
	for (unsigned i = 0; i < s->nevents; i++)
		if (s->events[i].type == SCN_EV_TEMPERATURE && s->events[i].host == host &&
		    s->events[i].socket == socket)
			steps = true;
	put(buf, n, "socket %u's crystal: offset %+" PRId64 " ppb", socket, ss->crystal_ppb);
	if (ss->ssc.enabled)
		append(buf, n, ", spread spectrum %s %" PRIu32 " ppm (mean %+" PRId64 " ppb)",
		       ss->ssc.mode == SCN_SSC_DOWN ? "down" : "center", ss->ssc.spread_ppm, mean);
	if (ss->aging_ppb_per_day)
		append(buf, n, ", aging %+" PRId64 " ppb a day", ss->aging_ppb_per_day);
	if (ss->wander_ppb)
		append(buf, n, ", wander");
	if (steps)
		append(buf, n, ", temperature steps");
}

static void stop_text(const struct cpu_track *ct, char *buf, size_t n)
{
	char a[32], b[32];

	if (ct->stop_first_cstate >= 2)
		put(buf, n, "its TSC stopped in C%u from %s s", ct->stop_first_cstate,
		    secs(a, ct->stop_first_ps));
	else if (ct->stop_first_ps == ct->stop_first_end_ps)
		put(buf, n, "its TSC stopped during the run (no C-state was reported to the check)");
	else
		put(buf, n, "its TSC stopped (STPCLK) from %s s", secs(a, ct->stop_first_ps));
	if (ct->stop_first_ps == ct->stop_first_end_ps)
		return;
	if (ct->stop_first_end_ps == SIM_NEVER)
		append(buf, n, " to the end of the run");
	else
		append(buf, n, " to %s s", secs(b, ct->stop_first_end_ps));
}

static void scaled_text(const struct cpu_track *ct, char *buf, size_t n)
{
	char a[32];

	put(buf, n, "its TSC %s from %s s", ct->scaled_why, secs(a, ct->scaled_first_ps));
}

static void finish_flag_truth(struct check *k, sim_ps end)
{
	struct host_checks *hc = k->hc;
	const struct scenario *s = hc->s;
	struct host_track *ht = &hc->tracks[k->host];
	const struct host *h = k->h;
	uint32_t mask = k->c->flag_truth.flags;
	struct sim_freq known = s->hosts[k->host].tsc;
	struct host_check_result *r = &k->r;
	sim_ps first_ps = SIM_NEVER;
	bool have_rate = false;
	int64_t worst = 0;

	r->evaluated = true;
	for (unsigned c = 0; c < h->ncpus; c++) {
		const struct cpu_track *ct = &ht->cpus[c];
		const struct cpu_tsc *tsc = &h->cpus[c].tsc;
		struct tsc_features adv = tsc_advertised_features(tsc);

		if (!ct->seen)
			continue;
		for (unsigned f = 0; f < SCN_TSC_FLAG_COUNT; f++) {
			char why[256] = "";
			sim_ps at = SIM_NEVER;

			if (!(mask & (1u << f)))
				continue;
			r->samples++;
			if (!advertised(&adv, (enum scn_tsc_flag)f))
				continue;
			switch ((enum scn_tsc_flag)f) {
			case SCN_FLAG_TSC_KNOWN_FREQ: {
				int64_t err, thr = k->c->flag_truth.threshold_ppb;
				char xtal[160], a[32], b[32];

				if (end <= ct->since_ps)
					break;
				err = known_freq_error_ppb(ct, tsc, end, known);
				if (!have_rate || abs64(err) > abs64(worst))
					worst = err;
				have_rate = true;
				if (abs64(err) <= thr)
					break;
				at = end;
				describe_crystal(s, k->host, h->cpus[c].socket, xtal, sizeof(xtal));
				put(why, sizeof(why), "its TSC ran %+" PRId64 " ppb off the known "
				    "%" PRIu64 " kHz from %s to %s s (threshold %" PRId64 " ppb); %s",
				    err, sim_freq_floor_khz(known), secs(a, ct->since_ps),
				    secs(b, end), thr, xtal);
				break;
			}
			case SCN_FLAG_CONSTANT_TSC:
				if (ct->scaled) {
					at = ct->scaled_first_ps;
					scaled_text(ct, why, sizeof(why));
				}
				break;
			case SCN_FLAG_NONSTOP_TSC:
				if (ct->stopped) {
					at = ct->stop_first_ps;
					stop_text(ct, why, sizeof(why));
				}
				break;
			case SCN_FLAG_TSC_RELIABLE:
			case SCN_FLAG_INVARIANT_TSC:
				/* both mean constant and nonstop; reliable also in sync */
				if (ct->stopped) {
					at = ct->stop_first_ps;
					stop_text(ct, why, sizeof(why));
				}
				if (ct->scaled && ct->scaled_first_ps < at) {
					at = ct->scaled_first_ps;
					scaled_text(ct, why, sizeof(why));
				}
				if (f == SCN_FLAG_TSC_RELIABLE && ht->desync && ht->desync_ps < at) {
					char a[32];

					at = ht->desync_ps;
					put(why, sizeof(why), "the TSCs were out of sync at %s s: %s",
					    secs(a, ht->desync_ps), ht->desync_why);
				}
				break;
			case SCN_TSC_FLAG_COUNT:
				break;
			}
			if (at == SIM_NEVER)
				continue;
			r->violations++;
			if (at < first_ps) {
				first_ps = at;
				put(r->first, sizeof(r->first), "CPU %u advertised %s but %s", c,
				    flag_names[f], why);
			}
		}
	}
	r->passed = r->violations == 0;
	r->worst = worst;
	r->first_ps = first_ps == SIM_NEVER ? 0 : first_ps;
	if (!have_rate && (mask & (1u << SCN_FLAG_TSC_KNOWN_FREQ)))
		put(r->note, sizeof(r->note), "no CPU advertised tsc_known_freq: worst is 0");
}

/* ------------------------------------------------------------------------ */
/* tsc_sync                                                                  */

/* rdtsc_ordered() on `cpu` at t, with the check's own ADJUST writes up to t. */
static uint64_t sync_rdtsc(void *ctx, unsigned cpu, sim_ps t)
{
	const struct check *k = ctx;
	uint64_t v = tsc_rdtsc(&k->h->cpus[cpu].tsc, t, TSC_LFENCE_RDTSC, NULL, NULL);

	for (unsigned i = 0; i < k->nwrites; i++)
		if (k->writes[i].cpu == cpu && k->writes[i].at_ps <= t)
			v += (uint64_t)k->writes[i].delta;
	return v;
}

/* The target's WRMSR to IA32_TSC_ADJUST: applied to the hardware by write_fire at t. */
static void sync_adjust(void *ctx, unsigned cpu, int64_t delta, sim_ps t)
{
	struct check *k = ctx;

	if (k->nwrites < SYNC_MAX_WRITES)
		k->writes[k->nwrites++] = (struct sync_write){ cpu, delta, t };
}

static void notify_tsc_changed(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now);

static void write_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct check *k = sim_container_of(ev, struct check, write_ev);

	while (k->applied < k->nwrites && k->writes[k->applied].at_ps <= now) {
		const struct sync_write *w = &k->writes[k->applied++];
		struct cpu_tsc *tsc = &k->h->cpus[w->cpu].tsc;
		uint64_t adj = 0;

		if (tsc_rdmsr(tsc, now, IA32_TSC_ADJUST, &adj) &&
		    tsc_wrmsr(tsc, now, IA32_TSC_ADJUST, adj + (uint64_t)w->delta))
			notify_tsc_changed(k->hc, k->host, w->cpu, now);
	}
	if (k->applied < k->nwrites)
		sim_schedule(q, ev, k->writes[k->applied].at_ps);
}

/* Another online CPU of the target's package (the lowest), if any. */
static bool package_online_cpu(const struct host *h, unsigned target, unsigned *ref)
{
	for (unsigned c = 0; c < h->ncpus; c++) {
		if (c != target && h->cpus[c].online && h->cpus[c].socket == h->cpus[target].socket) {
			*ref = c;
			return true;
		}
	}
	return false;
}

/*
 * unsynchronized_tsc(): not with CONSTANT_TSC or a reliable TSC; otherwise a
 * non-Intel system with more than one possible CPU is taken to be unsynchronised.
 */
static bool linux_tsc_unsynchronized(const struct scn_host *sh, const struct host *h,
				     const struct tsc_features *boot)
{
	if (boot->constant_tsc || boot->tsc_reliable)
		return false;
	return sh->svm && h->ncpus > 1;
}

static void sync_texts(struct check *k, const struct tsc_sync_params *p)
{
	const struct tsc_sync_result *res = &k->sync;
	struct host_check_result *r = &k->r;
	unsigned warp_run = 0;
	char a[32], b[32];

	switch (res->skip) {
	case TSC_SYNC_SKIP_UNSTABLE:
		put(r->note, sizeof(r->note), "Linux skipped the check: the TSC is already "
		    "unsynchronized (no CONSTANT_TSC on a non-Intel system with several CPUs)");
		return;
	case TSC_SYNC_SKIP_RELIABLE:
		put(r->note, sizeof(r->note), "Linux skipped the check: tsc_reliable is advertised");
		return;
	case TSC_SYNC_SKIP_PACKAGE:
		put(r->note, sizeof(r->note), "Linux skipped the check: with TSC_ADJUST a CPU "
		    "of the target's package is online; %s",
		    res->adjust_writes ? "it copied that CPU's IA32_TSC_ADJUST" :
		    "both IA32_TSC_ADJUST values agreed");
		return;
	case TSC_SYNC_RAN:
		break;
	}
	if (!res->warp) {
		put(r->note, sizeof(r->note), "no warp in %u run of %u ms; offsets below the "
		    "%" PRIu64 "-cycle lock hand-off are invisible to it", res->runs,
		    tsc_sync_timeout_ms(p->package_has_online_cpu),
		    sim_mul_div(SYNC_HANDOFF_PS, p->tsc_khz, SIM_PS_PER_MS));
		return;
	}
	for (unsigned i = 0; i < res->runs; i++) {
		if (res->run[i].nr_warps) {
			warp_run = i + 1;
			break;
		}
	}
	put(r->first, sizeof(r->first), "Linux's boot-time sync check measured a warp of "
	    "%" PRIu64 " cycles between CPU %u and CPU %u (run %u of %u); TSC_ADJUST "
	    "compensation: ", res->run[warp_run - 1].max_warp_cycles, p->source_cpu,
	    p->target_cpu, warp_run, res->runs);
	if (!p->have_tsc_adjust)
		append(r->first, sizeof(r->first), "none (no IA32_TSC_ADJUST)");
	else if (!res->adjust_writes)
		append(r->first, sizeof(r->first), "none");
	else
		append(r->first, sizeof(r->first), "CPU %u's IA32_TSC_ADJUST moved by %+" PRId64
		       " cycles in %u write%s, %s", p->target_cpu,
		       res->adjust_written - p->target_boot_adjust, res->adjust_writes,
		       res->adjust_writes == 1 ? "" : "s",
		       res->compensated ? "then a clean run" : "warps remained");
	if (res->marks_unstable)
		append(r->first, sizeof(r->first), "; marked unstable: yes, at %s s (\"Measured %"
		       PRIu64 " cycles TSC warp between CPUs\")", secs(a, res->unstable_ps),
		       res->reported_warp_cycles);
	else
		append(r->first, sizeof(r->first), "; marked unstable: no");
	if (res->random_warps)
		append(r->first, sizeof(r->first), "; random warps (both CPUs saw time go back)");
	put(r->note, sizeof(r->note), "%u run%s from %s to %s s; lock hand-off 20 ns plus up "
	    "to 5 ns (assumed)", res->runs, res->runs == 1 ? "" : "s",
	    secs(a, k->c->tsc_sync.at_ps), secs(b, res->end_ps));
}

static void sync_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct check *k = sim_container_of(ev, struct check, ev);
	const struct scn_host_check *c = k->c;
	const struct scn_host *sh = &k->hc->s->hosts[k->host];
	struct host *h = k->h;
	struct tsc_features boot = linux_features(h);
	struct tsc_features tf = tsc_advertised_features(&h->cpus[c->tsc_sync.target].tsc);
	struct host_check_result *r = &k->r;
	struct tsc_sync_params p = {
		.rdtsc = sync_rdtsc,
		.adjust = sync_adjust,
		.ctx = k,
		.source_cpu = c->tsc_sync.source,
		.target_cpu = c->tsc_sync.target,
		.tsc_khz = h->tsc_khz,
		.have_tsc_adjust = tf.tsc_adjust,
		.tsc_reliable = boot.tsc_reliable,
		.tsc_unstable = linux_tsc_unsynchronized(sh, h, &boot),
		.handoff_ps = SYNC_HANDOFF_PS,
		.handoff_jitter_ps = SYNC_HANDOFF_JITTER_PS,
		.solo_iter_ps = SYNC_SOLO_ITER_PS,
		.start_skew_max_ps = SYNC_START_SKEW_PS,
		.rerun_gap_ps = SYNC_RERUN_GAP_PS,
		.rng = &k->rng,
	};
	struct sim_diag d;
	unsigned ref = 0;
	uint64_t v;

	p.package_has_online_cpu = package_online_cpu(h, p.target_cpu, &ref);
	if (p.have_tsc_adjust) {
		if (tsc_rdmsr(&h->cpus[p.target_cpu].tsc, now, IA32_TSC_ADJUST, &v))
			p.target_boot_adjust = (int64_t)v;
		if (p.package_has_online_cpu && tsc_rdmsr(&h->cpus[ref].tsc, now, IA32_TSC_ADJUST, &v))
			p.package_ref_adjust = (int64_t)v;
	}
	k->nwrites = 0;
	k->applied = 0;
	sim_diag_clear(&d);
	if (!tsc_sync_check(&p, now, &k->sync, &d)) {
		put(r->note, sizeof(r->note), "the check could not run: %s", d.msg);
		return;
	}
	r->evaluated = true;
	r->passed = !k->sync.warp;
	r->worst = (int64_t)k->sync.max_warp_cycles;
	r->samples = k->sync.runs;
	for (unsigned i = 0; i < k->sync.runs; i++)
		if (k->sync.run[i].nr_warps)
			r->violations++;
	r->first_ps = k->sync.warp ? k->sync.first_warp_ps : 0;
	sync_texts(k, &p);
	if (k->nwrites)
		sim_schedule(q, &k->write_ev, k->writes[0].at_ps);
}

/* ------------------------------------------------------------------------ */
/* watchdog                                                                  */

static uint64_t wd_counter(void *ctx, sim_ps t)
{
	const struct check *k = ctx;

	return crystal_ticks(&k->h->platform, t, k->wd_freq);
}

static uint64_t wd_tsc(void *ctx, unsigned cpu, sim_ps t)
{
	const struct check *k = ctx;

	return tsc_rdtsc(&k->h->cpus[k->wd_cpus[cpu]].tsc, t, TSC_LFENCE_RDTSC, NULL, NULL);
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
	const struct check *k = ctx;
	struct cs_wd_stall st = { 0, 0 };
	unsigned n = k->c->watchdog.delay_every;

	(void)slot;
	(void)t;
	if (kind == CS_WD_READ_WATCHDOG && n && index % n == 0)
		st.after_ps = k->c->watchdog.delay_ps;
	return st;
}

static void wd_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct check *k = sim_container_of(ev, struct check, ev);
	struct cs_watchdog_tick tk;
	sim_ps next;

	if (k->h->suspended) {
		/* timers do not run in S3/S4: the tick comes on resume (notify_host) */
		k->wd_asleep = true;
		return;
	}
	cs_watchdog_tick(&k->wd, now, &tk);
	if (tk.compared && (tk.outcome == CS_WD_OK || tk.outcome == CS_WD_UNSTABLE_SKEW)) {
		if (!k->wd_compared || abs64(tk.skew_ns) > abs64(k->wd_worst_ns))
			k->wd_worst_ns = tk.skew_ns;
		k->wd_compared = true;
	}
	if (tk.outcome == CS_WD_UNSTABLE_READ || tk.outcome == CS_WD_UNSTABLE_SKEW)
		k->wd_demoting = tk;
	next = cs_watchdog_next_tick_ps(&k->wd);
	if (next != SIM_NEVER)
		sim_schedule(q, ev, next > now ? next : now);
}

static const char *wd_name(const struct scn_host_check *c)
{
	return c->watchdog.clocksource == SCN_WD_ACPI_PM ? "acpi_pm" : "hpet";
}

static void finish_watchdog(struct check *k)
{
	const struct cs_watchdog *w = &k->wd;
	const struct cs_watchdog_result *res = &w->res;
	const struct cs_watchdog_tick *tk = &k->wd_demoting;
	const struct scn_host_check *c = k->c;
	struct host_check_result *r = &k->r;
	char a[32], b[40];

	r->evaluated = true;
	r->passed = !res->marked_unstable;
	r->worst = k->wd_worst_ns * (int64_t)SIM_PS_PER_NS;
	r->samples = res->ticks;
	r->violations = res->marked_unstable ? 1 : 0;
	r->first_ps = res->marked_unstable ? res->unstable_ps : 0;
	r->has_verdict = res->verdict != CS_WD_NO_VERDICT;
	r->false_positive = res->verdict == CS_WD_FALSE_POSITIVE;
	if (!w->p.tsc_watched) {
		struct tsc_features f = linux_features(k->h);

		put(r->note, sizeof(r->note), "Linux does not watch this TSC: %s",
		    f.tsc_reliable ? "tsc_reliable is advertised" :
		    "CONSTANT_TSC, NONSTOP_TSC and TSC_ADJUST on at most 4 packages "
		    "(check_system_tsc_reliable())");
		return;
	}
	put(r->note, sizeof(r->note), "%" PRIu64 " checks against %s, %" PRIu64 " compared "
	    "(skew limit %" PRId64 " ns), %" PRIu64 " read retries, %" PRIu64 " busy skips, "
	    "%" PRIu64 " long intervals, %" PRIu64 " missed TSC errors", res->ticks, wd_name(c),
	    res->compared, w->md_ns, res->read_retries, res->read_skips, res->long_skips,
	    res->missed);
	if (!res->marked_unstable)
		return;
	if (res->reason == CS_WD_UNSTABLE_READ) {
		put(r->first, sizeof(r->first), "Linux would mark the TSC unstable at %s s: the "
		    "%s reads around CPU %u's TSC read took %" PRId64 " ns (limit %" PRId64
		    " ns) in all %u attempts (\"excessive read-back delay\")",
		    secs(a, res->unstable_ps), wd_name(c), k->wd_cpus[tk->cpu], tk->wd_delay_ns,
		    w->read_limit_ns, tk->attempts);
		if (c->watchdog.delay_every)
			append(r->first, sizeof(r->first), ", as every %u%s watchdog read from the "
			       "first returned %s late", c->watchdog.delay_every,
			       c->watchdog.delay_every == 1 ? "st" :
			       c->watchdog.delay_every == 2 ? "nd" :
			       c->watchdog.delay_every == 3 ? "rd" : "th",
			       dur(b, (int64_t)c->watchdog.delay_ps));
	} else {
		put(r->first, sizeof(r->first), "Linux would mark the TSC unstable at %s s: over "
		    "one interval CPU %u's TSC measured %" PRId64 " ns and the %s %" PRId64
		    " ns, a skew of %+" PRId64 " ns beyond %" PRId64 " ns (\"the skew is too "
		    "large\")", secs(a, res->unstable_ps), k->wd_cpus[tk->cpu], tk->cs_nsec,
		    wd_name(c), tk->wd_nsec, tk->skew_ns, w->md_ns);
	}
	if (res->verdict == CS_WD_TRUE_POSITIVE)
		append(r->first, sizeof(r->first), "; a true positive: the TSC itself was off by "
		       "%+" PRId64 " ns", res->tsc_true_error_ns);
	else if (tk->compared)
		append(r->first, sizeof(r->first), "; a false positive: the TSC was off by only "
		       "%+" PRId64 " ns, the %s by %+" PRId64 " ns", res->tsc_true_error_ns,
		       wd_name(c), tk->wd_true_error_ns);
	else
		append(r->first, sizeof(r->first), "; a false positive: nothing was compared yet, "
		       "the TSC was not at fault");
}

/* ------------------------------------------------------------------------ */
/* timer                                                                     */

static const struct cpu_tsc *timer_tsc(const struct check *k)
{
	return &k->h->cpus[k->c->timer.cpu].tsc;
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
static sim_ps timer_due_ps(const struct check *k, uint64_t n)
{
	sim_u128 cycles;

	if (k->c->timer.mode == SCN_TIMER_DEADLINE)
		return k->deadline_due_ps;
	cycles = (sim_u128)n * k->icr * k->divide;
	if (cycles > UINT64_MAX)
		return SIM_NEVER;
	return sim_add_sat(k->arm_ps, sim_tick_time((uint64_t)cycles, k->timer.clk));
}

static const char *timer_mode_name(const struct scn_host_check *c)
{
	switch (c->timer.mode) {
	case SCN_TIMER_ONESHOT: return "one-shot";
	case SCN_TIMER_PERIODIC: return "periodic timer";
	case SCN_TIMER_DEADLINE: return "TSC-deadline timer";
	}
	return "timer";
}

/* What held the timer back between window_from_ps and now. */
static void timer_cause(const struct check *k, sim_ps now, char *buf, size_t n)
{
	const struct cpu_tsc *tsc = timer_tsc(k);
	bool deadline = k->c->timer.mode == SCN_TIMER_DEADLINE;
	bool tsc_stops = tsc->props.cls != TSC_INVARIANT;
	unsigned count = k->nspells + (k->in_spell ? 1u : 0u);
	sim_ps total = k->spell_total_ps + (k->in_spell ? now - k->spell_from_ps : 0);
	unsigned cs = k->in_spell ? k->spell_cstate : k->last_cstate;
	sim_ps from = k->in_spell ? k->spell_from_ps : k->last_from_ps;
	char a[32], b[32], d[40];

	if (count == 0) {
		if (tsc_written_within(tsc, k->window_from_ps, now))
			put(buf, n, "the CPU's TSC was written at %s s", secs(a, tsc->last_write_ps));
		else
			put(buf, n, "no deep C-state of the CPU explains it");
		return;
	}
	if (count == 1)
		put(buf, n, "the CPU was in C%u from %s s", cs, secs(a, from));
	else
		put(buf, n, "the CPU was in deep C-states %u times (%s in all), the last in "
		    "C%u from %s s", count, dur(d, (int64_t)total), cs, secs(a, from));
	if (k->in_spell)
		append(buf, n, " on (still there at %s s)", secs(b, now));
	else
		append(buf, n, " to %s s", secs(b, k->last_to_ps));
	if (!k->timer.arat)
		append(buf, n, deadline ? " without ARAT (the deadline was held back)" :
		       " without ARAT (the timer stopped)");
	else if (deadline && tsc_stops)
		append(buf, n, " and its TSC stopped there (no nonstop TSC), so it reached the "
		       "deadline late");
	else
		append(buf, n, " (with ARAT the timer runs on there)");
}

static void timer_late(struct check *k, uint64_t fire, sim_ps due, sim_ps at, bool fired)
{
	struct host_check_result *r = &k->r;
	int64_t late = signed_diff_ps(at, due);
	char a[32], b[32], d[40], cause[200], what[48];

	if (!k->any_fire || late > k->worst_late_ps)
		k->worst_late_ps = late;
	k->any_fire = true;
	if (fired && late <= (int64_t)k->c->timer.slack_ps)
		return;
	r->violations++;
	if (r->violations > 1)
		return;
	r->first_ps = at;
	timer_cause(k, at, cause, sizeof(cause));
	if (k->c->timer.mode == SCN_TIMER_PERIODIC)
		put(what, sizeof(what), "periodic timer's fire %" PRIu64, fire);
	else
		put(what, sizeof(what), "%s", timer_mode_name(k->c));
	if (fired)
		put(r->first, sizeof(r->first), "the %s on CPU %u due at %s s fired at %s s: %s "
		    "late; %s", what, k->c->timer.cpu, secs(a, due), secs(b, at),
		    dur(d, late), cause);
	else
		put(r->first, sizeof(r->first), "the %s on CPU %u due at %s s had not fired by "
		    "the end of the run at %s s (%s late); %s", what, k->c->timer.cpu,
		    secs(a, due), secs(b, at), dur(d, late), cause);
}

static void spells_reset(struct check *k, sim_ps now)
{
	k->nspells = 0;
	k->spell_total_ps = 0;
	k->window_from_ps = now;
}

static void timer_fire(void *ctx, const struct lapic_timer *t, uint8_t vector, sim_ps now)
{
	struct check *k = ctx;
	const struct scn_host_check *c = k->c;
	uint64_t n;

	(void)t;
	(void)vector;
	if (!k->armed || k->done)
		return;
	n = ++k->fires;
	k->r.samples++;
	timer_late(k, n, timer_due_ps(k, n), now, true);
	if (c->timer.mode != SCN_TIMER_PERIODIC || (c->timer.count && n >= c->timer.count)) {
		k->done = true;
		if (c->timer.mode == SCN_TIMER_PERIODIC)
			lapic_timer_write(&k->timer, LAPIC_TIMER_ICR, 0, now);
	}
	spells_reset(k, now);
}

static void timer_arm(struct check *k, sim_ps now)
{
	struct lapic_timer *t = &k->timer;
	const struct scn_host_check *c = k->c;
	unsigned cs = t->cstate;

	/* Code running on the CPU arms it: before a C-state entered at this very instant. */
	if (cs)
		lapic_timer_cstate_exit(t, now);
	k->armed = true;
	k->arm_deferred = false;
	k->arm_ps = now;
	if (k->in_spell)
		k->spell_from_ps = now;
	spells_reset(k, now);
	switch (c->timer.mode) {
	case SCN_TIMER_ONESHOT:
	case SCN_TIMER_PERIODIC:
		lapic_timer_write(t, LAPIC_TIMER_DCR, k->dcr, now);
		lapic_timer_write(t, LAPIC_TIMER_LVT, TIMER_VECTOR |
				  (c->timer.mode == SCN_TIMER_PERIODIC ? LAPIC_LVT_TIMER_PERIODIC :
				   LAPIC_LVT_TIMER_ONESHOT), now);
		lapic_timer_write(t, LAPIC_TIMER_ICR, k->icr, now);
		break;
	case SCN_TIMER_DEADLINE: {
		const struct cpu_tsc *tsc = timer_tsc(k);
		uint64_t value = tsc_read(tsc, now) + k->deadline_cycles;
		sim_ps due = timer_tsc_time_of(k, value, now);

		/* due: when the TSC, as it runs now, reaches the deadline */
		k->deadline_due_ps = due != SIM_NEVER ? due :
			sim_add_sat(now, sim_tick_time(k->deadline_cycles, tsc->nominal));
		lapic_timer_write(t, LAPIC_TIMER_LVT, TIMER_VECTOR | LAPIC_LVT_TIMER_TSC_DEADLINE, now);
		lapic_timer_wrmsr_deadline(t, value, now);
		break;
	}
	}
	if (cs) {
		lapic_timer_cstate_enter(t, cs, now);
		lapic_timer_tsc_changed(t, now);
	}
}

static void arm_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct check *k = sim_container_of(ev, struct check, ev);

	(void)q;
	if (!k->h->cpus[k->c->timer.cpu].online) {
		k->arm_deferred = true;          /* hot-added at this instant, after us */
		return;
	}
	timer_arm(k, now);
}

static void finish_timer(struct check *k, sim_ps end)
{
	const struct scn_host_check *c = k->c;
	struct host_check_result *r = &k->r;
	uint64_t n = k->fires + 1;
	char a[32], b[32];

	if (!k->armed)
		return;
	r->evaluated = true;
	if (!k->done && (c->timer.mode != SCN_TIMER_PERIODIC || !c->timer.count ||
			 n <= c->timer.count)) {
		sim_ps due = timer_due_ps(k, n);

		if (due <= end) {
			/* due and not fired: late by at least end - due */
			r->samples++;
			timer_late(k, n, due, end, false);
		} else if (c->timer.mode != SCN_TIMER_PERIODIC) {
			r->violations++;
			if (r->violations == 1) {
				r->first_ps = end;
				put(r->first, sizeof(r->first), "the %s on CPU %u was due at %s s, "
				    "after the end of the run at %s s", timer_mode_name(c), c->timer.cpu,
				    secs(a, due), secs(b, end));
			}
		}
	}
	r->passed = r->violations == 0;
	r->worst = k->any_fire ? k->worst_late_ps : 0;
	put(r->note, sizeof(r->note), "armed at %s s; %" PRIu64 " fire%s checked, slack %s; "
	    "ARAT %s", secs(a, k->arm_ps), r->samples, r->samples == 1 ? "" : "s",
	    dur(b, (int64_t)c->timer.slack_ps), k->timer.arat ? "yes" : "no");
}

/* Initial count and divide for the delay: the smallest divide whose count fits 32 bits. */
static bool timer_setup(struct check *k, const struct scn_tsc_features *f, struct sim_diag *err)
{
	const struct scn_host_check *c = k->c;
	uint64_t ticks = sim_ticks_in(c->timer.delay_ps, f->apic_timer);
	struct lapic_tsc_ops ops = { timer_tsc_read, timer_tsc_time_of, k };
	unsigned code;

	k->divide = 1;
	while (ticks / k->divide > UINT32_MAX && k->divide < TIMER_MAX_DIVIDE)
		k->divide *= 2;
	if (ticks / k->divide > UINT32_MAX)
		return sim_diag_fail(err, "a %s timer delay of %" PRIu64 " APIC timer cycles does "
				     "not fit its 32-bit initial count even divided by 128",
				     timer_mode_name(c), ticks);
	k->icr = (uint32_t)(ticks / k->divide);
	if (k->icr == 0)
		k->icr = 1;                      /* a delay below one timer cycle: one cycle */
	/* DCR: 1 -> 111b, 2 -> 000b, 4 -> 001b, ..., 128 -> 110b (bits 3, 1, 0). */
	code = 7;
	for (unsigned d = 2, i = 0; d <= k->divide; d *= 2, i++)
		if (d == k->divide)
			code = i;
	k->dcr = (code & 3u) | ((code & 4u) << 1);
	k->deadline_cycles = sim_ticks_in(c->timer.delay_ps, k->hc->s->hosts[k->host].tsc);
	lapic_timer_init(&k->timer, k->ev_name, k->hc->q, f->apic_timer, &ops, f->arat, timer_fire,
			 k);
	k->timer_ready = true;
	return true;
}

/* ------------------------------------------------------------------------ */
/* hooks                                                                     */

static void spell_enter(struct check *k, unsigned cstate, sim_ps now)
{
	if (cstate >= 2 && !k->in_spell) {
		k->in_spell = true;
		k->spell_cstate = cstate;
		k->spell_from_ps = now;
	} else if (cstate < 2 && k->in_spell) {
		k->in_spell = false;
		k->nspells++;
		k->spell_total_ps += now - k->spell_from_ps;
		k->last_cstate = k->spell_cstate;
		k->last_from_ps = k->spell_from_ps;
		k->last_to_ps = now;
	}
}

/*
 * After any change on a host: look at the TSCs' agreement once the instant
 * settles (flag_truth), and notice a resume (the watchdog resets on resume;
 * a tick that fell in the sleep happens now).
 */
static void notify_host(struct host_checks *hc, unsigned host, sim_ps now)
{
	struct host_track *ht = &hc->tracks[host];
	const struct host *h = &hc->hosts[host];

	if (ht->flags && !ht->desync && !sim_event_pending(&ht->sync_ev))
		sim_schedule(hc->q, &ht->sync_ev, now);
	if (h->suspended || h->suspend_mono_ns == ht->suspend_mono_seen)
		return;
	ht->suspend_mono_seen = h->suspend_mono_ns;
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (k->c->kind != SCN_HC_WATCHDOG || k->host != host)
			continue;
		cs_watchdog_touch(&k->wd);
		if (k->wd_asleep) {
			k->wd_asleep = false;
			sim_schedule(hc->q, &k->ev, now);
		}
	}
}

static bool timer_on(const struct check *k, unsigned host, unsigned cpu)
{
	return k->c->kind == SCN_HC_TIMER && k->timer_ready && k->host == host &&
	       k->c->timer.cpu == cpu;
}

static bool valid(const struct host_checks *hc, unsigned host, unsigned cpu)
{
	return hc && host < hc->s->nhosts && cpu < hc->hosts[host].ncpus;
}

void host_checks_cstate_enter(struct host_checks *hc, unsigned host, unsigned cpu, unsigned cstate,
			      sim_ps now)
{
	if (!valid(hc, host, cpu))
		return;
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (!timer_on(k, host, cpu))
			continue;
		spell_enter(k, cstate, now);
		lapic_timer_cstate_enter(&k->timer, cstate, now);
		/* the TSC may have stopped (a TSC-deadline timer waits for it) */
		lapic_timer_tsc_changed(&k->timer, now);
	}
	track_cpu(hc, host, cpu, now);
	notify_host(hc, host, now);
}

void host_checks_cstate_exit(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	if (!valid(hc, host, cpu))
		return;
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (!timer_on(k, host, cpu))
			continue;
		spell_enter(k, 0, now);
		lapic_timer_cstate_exit(&k->timer, now);
		lapic_timer_tsc_changed(&k->timer, now);
	}
	track_cpu(hc, host, cpu, now);
	notify_host(hc, host, now);
}

static void notify_tsc_changed(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (!timer_on(k, host, cpu))
			continue;
		if (k->arm_deferred && hc->hosts[host].cpus[cpu].online)
			timer_arm(k, now);
		else
			lapic_timer_tsc_changed(&k->timer, now);
	}
	track_cpu(hc, host, cpu, now);
	notify_host(hc, host, now);
}

void host_checks_tsc_changed(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	if (!valid(hc, host, cpu))
		return;
	notify_tsc_changed(hc, host, cpu, now);
}

/* ------------------------------------------------------------------------ */
/* life cycle                                                                */

static bool setup_check(struct host_checks *hc, struct check *k, struct sim_diag *err)
{
	const struct scn_host_check *c = k->c;
	const struct scn_host *sh = &hc->s->hosts[k->host];
	struct host *h = k->h;
	char stream[SCN_NAME_MAX + 16];

	switch (c->kind) {
	case SCN_HC_FLAG_TRUTH:
		return true;
	case SCN_HC_TSC_SYNC:
		if (c->tsc_sync.source >= h->ncpus || c->tsc_sync.target >= h->ncpus)
			return sim_diag_fail(err, "tsc_sync: CPU out of range (host %s has %u CPUs)",
					     h->name, h->ncpus);
		if (h->tsc_khz == 0)
			return sim_diag_fail(err, "tsc_sync: host %s has no tsc_khz", h->name);
		put(stream, sizeof(stream), "host_check/%s", c->name);
		sim_rng_init(&k->rng, hc->s->seed, stream);
		sim_event_init(&k->ev, k->ev_name, SIM_PRIO_OBSERVE, sync_fire);
		put(k->write_name, sizeof(k->write_name), "%s.tsc_adjust", c->name);
		sim_event_init(&k->write_ev, k->write_name, SIM_PRIO_DEVICE, write_fire);
		return sim_schedule(hc->q, &k->ev, c->tsc_sync.at_ps) ||
		       sim_diag_fail(err, "tsc_sync: cannot schedule the check at %" PRIu64 " ps",
				     c->tsc_sync.at_ps);
	case SCN_HC_WATCHDOG: {
		struct tsc_features f = linux_features(h);
		struct cs_watchdog_params p = {
			.wd_read = wd_counter,
			.tsc_read = wd_tsc,
			.stall = wd_stall,
			.ctx = k,
			.wd_mask = c->watchdog.clocksource == SCN_WD_ACPI_PM ? WD_PM_MASK : WD_HPET_MASK,
			.wd_access_ps = WD_COUNTER_ACCESS_PS,
			.tsc_access_ps = WD_TSC_ACCESS_PS,
		};
		unsigned n = 0;
		sim_ps next;

		k->wd_freq = c->watchdog.clocksource == SCN_WD_ACPI_PM ? sim_freq_hz(WD_PM_TIMER_HZ) :
			     h->platform_nominal;
		if (h->tsc_khz == 0 || h->tsc_khz > UINT32_MAX ||
		    sim_freq_floor_hz(k->wd_freq) == 0 || sim_freq_floor_hz(k->wd_freq) > UINT32_MAX)
			return sim_diag_fail(err, "watchdog: host %s: tsc_khz %" PRIu64 " or the "
					     "watchdog's rate is out of range", h->name, h->tsc_khz);
		for (unsigned cpu = 0; cpu < h->ncpus; cpu++)
			if (h->cpus[cpu].online)
				k->wd_cpus[n++] = cpu;
		p.wd_freq_hz = (uint32_t)sim_freq_floor_hz(k->wd_freq);
		p.tsc_khz = (uint32_t)h->tsc_khz;
		p.ncpus = n;
		p.tsc_watched = cs_watchdog_tsc_watched(f.constant_tsc, f.nonstop_tsc, f.tsc_adjust,
							sh->nsockets, f.tsc_reliable, false);
		if (!cs_watchdog_init(&k->wd, &p, hc->q->now, err))
			return false;
		sim_event_init(&k->ev, k->ev_name, SIM_PRIO_OBSERVE, wd_fire);
		next = cs_watchdog_next_tick_ps(&k->wd);
		if (next != SIM_NEVER)
			sim_schedule(hc->q, &k->ev, next);
		return true;
	}
	case SCN_HC_TIMER:
		if (c->timer.cpu >= h->ncpus)
			return sim_diag_fail(err, "timer: CPU %u out of range (host %s has %u CPUs)",
					     c->timer.cpu, h->name, h->ncpus);
		if (!timer_setup(k, &sh->features, err))
			return false;
		/* before the host events of that instant (they are scheduled after us) */
		sim_event_init(&k->ev, k->ev_name, SIM_PRIO_SCENARIO, arm_fire);
		return sim_schedule(hc->q, &k->ev, c->timer.arm_at_ps) ||
		       sim_diag_fail(err, "timer: cannot arm at %" PRIu64 " ps", c->timer.arm_at_ps);
	case SCN_HC_COUNT:
		break;
	}
	return sim_diag_fail(err, "unknown host check kind %d", (int)c->kind);
}

struct host_checks *host_checks_create(const struct scenario *s, struct host *hosts,
				       struct sim_eventq *q, struct sim_diag *err)
{
	struct host_checks *hc = calloc(1, sizeof(*hc));

	if (!hc || (s->nhost_checks && !(hc->checks = calloc(s->nhost_checks, sizeof(*hc->checks))))) {
		free(hc);
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	hc->s = s;
	hc->hosts = hosts;
	hc->q = q;
	hc->n = s->nhost_checks;
	/* every event idle first, so that a failure part-way can cancel them all */
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		k->hc = hc;
		k->c = &s->host_checks[i];
		k->host = k->c->host < s->nhosts ? k->c->host : 0;
		k->h = &hosts[k->host];
		put(k->ev_name, sizeof(k->ev_name), "host_check.%s", k->c->name);
		sim_event_init(&k->ev, k->ev_name, SIM_PRIO_OBSERVE, NULL);
		sim_event_init(&k->write_ev, k->ev_name, SIM_PRIO_DEVICE, NULL);
	}
	for (unsigned i = 0; i < SCN_MAX_HOSTS; i++)
		sim_event_init(&hc->tracks[i].sync_ev, "host_checks.sync", SIM_PRIO_OBSERVE, NULL);
	for (unsigned i = 0; i < s->nhosts; i++) {
		struct host_track *ht = &hc->tracks[i];

		ht->hc = hc;
		ht->host = i;
		ht->suspend_mono_seen = hosts[i].suspend_mono_ns;
		put(ht->sync_name, sizeof(ht->sync_name), "host_checks.%s.sync", hosts[i].name);
		sim_event_init(&ht->sync_ev, ht->sync_name, SIM_PRIO_OBSERVE, sync_observe_fire);
	}
	for (unsigned i = 0; i < hc->n; i++) {
		const struct scn_host_check *c = &s->host_checks[i];
		struct host_track *ht;

		if (c->host >= s->nhosts) {
			sim_diag_set_path(err, c->path);
			sim_diag_fail(err, "host check \"%s\": no host %u", c->name, c->host);
			goto fail;
		}
		ht = &hc->tracks[c->host];
		if (c->kind != SCN_HC_FLAG_TRUTH || ht->cpus)
			continue;
		ht->flags = true;
		ht->cpus = calloc(hosts[c->host].ncpus, sizeof(*ht->cpus));
		if (!ht->cpus) {
			sim_diag_fail(err, "out of memory");
			goto fail;
		}
		for (unsigned cpu = 0; cpu < hosts[c->host].ncpus; cpu++) {
			if (!hosts[c->host].cpus[cpu].online)
				continue;
			track_start(&ht->cpus[cpu], &hosts[c->host].cpus[cpu].tsc, q->now);
			track_cpu(hc, c->host, cpu, q->now);
		}
		sim_schedule(q, &ht->sync_ev, q->now);
	}
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (!setup_check(hc, k, err)) {
			sim_diag_set_path(err, k->c->path);
			goto fail;
		}
	}
	return hc;
fail:
	host_checks_destroy(hc);
	return NULL;
}

void host_checks_destroy(struct host_checks *hc)
{
	if (!hc)
		return;
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		if (k->timer_ready)
			lapic_timer_finish(&k->timer);
		sim_cancel(hc->q, &k->ev);
		sim_cancel(hc->q, &k->write_ev);
	}
	for (unsigned i = 0; i < SCN_MAX_HOSTS; i++) {
		sim_cancel(hc->q, &hc->tracks[i].sync_ev);
		free(hc->tracks[i].cpus);
	}
	free(hc->checks);
	free(hc);
}

/* expect, the worst range, and the watchdog's verdict when there is one. */
static void judge(struct check *k)
{
	const struct scn_host_check *c = k->c;
	struct host_check_result *r = &k->r;
	bool ok = r->evaluated && (c->expect == ORACLE_EXPECT_PASS ? r->passed : !r->passed);

	if (c->has_worst_min && r->worst < c->worst_min)
		ok = false;
	if (c->has_worst_max && r->worst > c->worst_max)
		ok = false;
	if (c->kind == SCN_HC_WATCHDOG && c->watchdog.false_positive != SCN_UNSET &&
	    r->has_verdict && r->false_positive != (c->watchdog.false_positive == SCN_TRUE))
		ok = false;
	r->expectation_met = ok;
}

void host_checks_finish_run(struct host_checks *hc, sim_ps end)
{
	if (!hc || hc->finished)
		return;
	hc->finished = true;
	for (unsigned i = 0; i < hc->s->nhosts; i++)
		if (hc->tracks[i].cpus)
			track_finish(hc, &hc->tracks[i], end);
	for (unsigned i = 0; i < hc->n; i++) {
		struct check *k = &hc->checks[i];

		switch (k->c->kind) {
		case SCN_HC_FLAG_TRUTH:
			finish_flag_truth(k, end);
			break;
		case SCN_HC_TSC_SYNC:
			if (!k->r.evaluated && !k->r.note[0])
				put(k->r.note, sizeof(k->r.note), "the run ended before the check");
			break;
		case SCN_HC_WATCHDOG:
			finish_watchdog(k);
			break;
		case SCN_HC_TIMER:
			if (!k->armed)
				put(k->r.note, sizeof(k->r.note), "the run ended before the timer "
				    "was armed");
			else
				finish_timer(k, end);
			break;
		case SCN_HC_COUNT:
			break;
		}
		judge(k);
	}
}

const struct host_check_result *host_checks_result(const struct host_checks *hc, unsigned i)
{
	if (!hc || i >= hc->n)
		return NULL;
	return &hc->checks[i].r;
}
