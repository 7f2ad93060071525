/*
 * Cross-checks between the VM's actions and between them and the host
 * events, run once every list and event has been read (load_events()).
 *
 * Each action is a span [from, to] of true time (an instant: from == to):
 * a migration's downtime, a pause, a snapshot from its pause to its
 * restore, a stall, and the instants of vCPU moves, TSC writes, time syncs
 * and guest timers' first arming.  Two tables say what the model cannot
 * represent:
 * - overlap_rules: two kinds whose spans must not meet (closed intervals:
 *   at a shared instant the order of the two is the queue's, not the
 *   scenario's);
 * - the sleeping host: a VMM action is the VMM process (or KVM) doing
 *   something on a host, and a suspended host runs nothing, so the
 *   instants an action acts at (span_kinds' "ends": its start and end; for
 *   a stall or a migration the whole span) must not meet a "suspend" event
 *   of the host it acts on.  A pause or a snapshot around a whole suspend
 *   is allowed: the VM is stopped before and resumed after (KVM's PM
 *   notifier and resume, sim/kvm/host_notify.h, still run).
 * Rules already checked while a list is read (a pause inside a migration's
 * downtime, ...) are rows too, so that the table is the whole rule; they
 * fire here only when the list's own check did not.
 */
#include "sim/scenario/loader_internal.h"

#include <stdio.h>

/* X(ID, noun, key, whole): whole = the action acts over its whole span, not only at its ends */
#define SPAN_KINDS(X)                                       \
	X(MIGRATION, "migration", "at", true)               \
	X(PAUSE, "pause", "at", false)                      \
	X(SNAPSHOT, "snapshot", "at", false)                \
	X(STALL, "stall", "at", true)                       \
	X(VCPU_MOVE, "vCPU move", "at", true)               \
	X(TSC_WRITE, "TSC write", "at", true)               \
	X(TIME_SYNC, "time sync", "at", true)               \
	X(GUEST_TIMER, "guest timer's first arming", "start", true)

enum span_kind {
#define SPAN_ENUM(id, noun, key, whole) SPAN_##id,
	SPAN_KINDS(SPAN_ENUM)
#undef SPAN_ENUM
	SPAN_KIND_COUNT
};

static const struct {
	const char *noun;
	const char *key;          /* the key errors point at */
	bool whole;
} span_kinds[] = {
#define SPAN_ROW(id, noun, key, whole) { noun, key, whole },
	SPAN_KINDS(SPAN_ROW)
#undef SPAN_ROW
};
_Static_assert(sizeof(span_kinds) / sizeof(span_kinds[0]) == SPAN_KIND_COUNT,
	       "one row per span kind");

/* The pairs of kinds that must not meet; the error points at `a`'s key and names `b`. */
static const struct {
	enum span_kind a, b;
	const char *why;
} overlap_rules[] = {
	{ SPAN_MIGRATION, SPAN_MIGRATION, "one VM migrates once at a time" },
	{ SPAN_PAUSE, SPAN_MIGRATION, "the VM is already stopped by the migration" },
	{ SPAN_PAUSE, SPAN_PAUSE, "the VM is already paused" },
	{ SPAN_SNAPSHOT, SPAN_MIGRATION, "the VM is already stopped by the migration" },
	{ SPAN_SNAPSHOT, SPAN_PAUSE, "the VM is already paused" },
	{ SPAN_SNAPSHOT, SPAN_SNAPSHOT, "the VM is already stopped by the snapshot" },
	{ SPAN_STALL, SPAN_STALL, "the VMM process is already stopped" },
	{ SPAN_STALL, SPAN_MIGRATION, "the migration's VMM would be stopped in its downtime" },
	{ SPAN_STALL, SPAN_PAUSE, "a stall and a pause both stop and resume the vCPUs; the "
	  "model has no meaning for one inside the other" },
	{ SPAN_STALL, SPAN_SNAPSHOT, "a stall and a snapshot both stop and resume the vCPUs; "
	  "the model has no meaning for one inside the other" },
	{ SPAN_VCPU_MOVE, SPAN_MIGRATION, "the VM is between hosts" },
	{ SPAN_VCPU_MOVE, SPAN_SNAPSHOT, "the VM is saved, not running on any CPU" },
	{ SPAN_TSC_WRITE, SPAN_MIGRATION, "the VM is between hosts" },
	{ SPAN_TSC_WRITE, SPAN_SNAPSHOT, "the VM is saved: the restore writes its TSC" },
	{ SPAN_TIME_SYNC, SPAN_STALL, "the guest agent cannot run" },
	{ SPAN_TIME_SYNC, SPAN_MIGRATION, "the guest agent cannot run while the VM is stopped" },
	{ SPAN_TIME_SYNC, SPAN_PAUSE, "the guest agent cannot run while the VM is stopped" },
	{ SPAN_TIME_SYNC, SPAN_SNAPSHOT, "the guest agent cannot run while the VM is stopped" },
	{ SPAN_GUEST_TIMER, SPAN_MIGRATION, "the guest arms its timer by running" },
	{ SPAN_GUEST_TIMER, SPAN_PAUSE, "the guest arms its timer by running" },
	{ SPAN_GUEST_TIMER, SPAN_SNAPSHOT, "the guest arms its timer by running" },
	{ SPAN_GUEST_TIMER, SPAN_STALL, "the guest arms its timer by running" },
};

struct span {
	enum span_kind kind;
	sim_ps from, to;
	sim_ps ends[3];           /* the instants it acts at (a snapshot: pause, capture, restore) */
	unsigned nends;
	unsigned host, to_host;   /* the host it acts on (and a migration's destination) */
	const char *path;
};

#define MAX_SPANS (SCN_MAX_MIGRATIONS + SCN_MAX_PAUSES + SCN_MAX_SNAPSHOTS + SCN_MAX_STALLS + \
		   SCN_MAX_MOVES + SCN_MAX_TSC_WRITES + SCN_MAX_TIME_SYNCS + SCN_MAX_GUEST_TIMERS)

/* The host the VM runs on at t, after migrations and restores elsewhere ending before t. */
static unsigned vm_host_at(const struct scn_vm *vm, sim_ps t)
{
	unsigned host = vm->host;

	for (unsigned i = 0; i < vm->nmigrations; i++)
		if (vm->migrations[i].at_ps < t)
			host = vm->migrations[i].to_host;
	for (unsigned i = 0; i < vm->nsnapshots; i++) {
		const struct scn_snapshot *s = &vm->snapshots[i];

		if (s->has_to && sim_add_sat(sim_add_sat(s->at_ps, s->capture_ps), s->gap_ps) <= t)
			host = s->to_host;
	}
	return host;
}

static void add(struct span *sp, unsigned *n, const struct scn_vm *vm, enum span_kind kind,
		sim_ps from, sim_ps to, const char *path)
{
	struct span *s = &sp[(*n)++];

	*s = (struct span){ .kind = kind, .from = from, .to = to, .path = path, .nends = 2 };
	s->ends[0] = from;
	s->ends[1] = to;
	s->host = s->to_host = vm_host_at(vm, from);
}

static unsigned collect(const struct scn_vm *vm, struct span *sp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vm->nmigrations; i++) {
		const struct scn_migration *m = &vm->migrations[i];

		add(sp, &n, vm, SPAN_MIGRATION, m->at_ps, sim_add_sat(m->at_ps, m->downtime_ps),
		    m->path);
		sp[n - 1].to_host = m->to_host;
	}
	for (unsigned i = 0; i < vm->npauses; i++)
		add(sp, &n, vm, SPAN_PAUSE, vm->pauses[i].at_ps,
		    sim_add_sat(vm->pauses[i].at_ps, vm->pauses[i].duration_ps), vm->pauses[i].path);
	for (unsigned i = 0; i < vm->nsnapshots; i++) {
		const struct scn_snapshot *s = &vm->snapshots[i];
		sim_ps capture = sim_add_sat(s->at_ps, s->capture_ps);

		add(sp, &n, vm, SPAN_SNAPSHOT, s->at_ps, sim_add_sat(capture, s->gap_ps), s->path);
		sp[n - 1].ends[2] = capture;
		sp[n - 1].nends = 3;
		if (s->has_to)
			sp[n - 1].to_host = s->to_host;
	}
	for (unsigned i = 0; i < vm->nstalls; i++)
		add(sp, &n, vm, SPAN_STALL, vm->stalls[i].at_ps,
		    sim_add_sat(vm->stalls[i].at_ps, vm->stalls[i].duration_ps), vm->stalls[i].path);
	for (unsigned i = 0; i < vm->nmoves; i++)
		add(sp, &n, vm, SPAN_VCPU_MOVE, vm->moves[i].at_ps, vm->moves[i].at_ps,
		    vm->moves[i].path);
	for (unsigned i = 0; i < vm->ntsc_writes; i++)
		add(sp, &n, vm, SPAN_TSC_WRITE, vm->tsc_writes[i].at_ps, vm->tsc_writes[i].at_ps,
		    vm->tsc_writes[i].path);
	for (unsigned i = 0; i < vm->ntime_syncs; i++)
		add(sp, &n, vm, SPAN_TIME_SYNC, vm->time_syncs[i].at_ps, vm->time_syncs[i].at_ps,
		    vm->time_syncs[i].path);
	for (unsigned i = 0; i < vm->nguest_timers; i++)
		add(sp, &n, vm, SPAN_GUEST_TIMER, vm->guest_timers[i].start_ps,
		    vm->guest_timers[i].start_ps, vm->guest_timers[i].path);
	return n;
}

static bool meet(sim_ps a0, sim_ps a1, sim_ps b0, sim_ps b1)
{
	return a0 <= b1 && b0 <= a1;
}

/* "the pause (10 s to 20 s)" or "the vCPU move at 12 s" */
static const char *describe(char *dst, size_t len, const struct span *s)
{
	char a[32], b[32];

	if (s->from == s->to)
		snprintf(dst, len, "the %s at %s", span_kinds[s->kind].noun,
			 fmt_ps(a, sizeof(a), 1, s->from));
	else
		snprintf(dst, len, "the %s (%s to %s)", span_kinds[s->kind].noun,
			 fmt_ps(a, sizeof(a), 1, s->from), fmt_ps(b, sizeof(b), 1, s->to));
	return dst;
}

static bool check_pairs(struct loader *ld, const struct span *sp, unsigned n)
{
	char path[SCN_PATH_MAX + 16], self[96], other[96];

	for (unsigned r = 0; r < sizeof(overlap_rules) / sizeof(overlap_rules[0]); r++) {
		for (unsigned i = 0; i < n; i++) {
			const struct span *a = &sp[i];

			if (a->kind != overlap_rules[r].a)
				continue;
			for (unsigned j = 0; j < n; j++) {
				const struct span *b = &sp[j];

				if (j == i || b->kind != overlap_rules[r].b ||
				    !meet(a->from, a->to, b->from, b->to))
					continue;
				/* one list's own pairs: report the later one */
				if (a->kind == b->kind && j > i)
					continue;
				join_key(path, a->path, span_kinds[a->kind].key);
				return fail(ld, path, "%s meets %s of %s: %s",
					    describe(self, sizeof(self), a),
					    describe(other, sizeof(other), b), b->path,
					    overlap_rules[r].why);
			}
		}
	}
	return true;
}

/* The first suspend of `host` whose [at, at + duration] holds t, or -1. */
static int asleep_at(const struct scenario *sc, unsigned host, sim_ps t0, sim_ps t1)
{
	for (unsigned k = 0; k < sc->nevents; k++) {
		const struct scn_event *e = &sc->events[k];

		if (e->type == SCN_EV_SUSPEND && e->host == host &&
		    meet(t0, t1, e->at_ps, sim_add_sat(e->at_ps, e->duration_ps)))
			return (int)k;
	}
	return -1;
}

/* What the action does to `host`: a migration leaves one host for another. */
static const char *verb(const struct span *s, unsigned host)
{
	if (s->kind == SPAN_MIGRATION)
		return host == s->to_host ? "moves the VM onto" : "moves the VM off";
	if (s->kind == SPAN_SNAPSHOT && host == s->to_host && s->to_host != s->host)
		return "restores the VM on";
	return "acts on";
}

static bool sleep_error(struct loader *ld, const struct span *s, unsigned host, int k)
{
	const struct scenario *sc = ld->sc;
	const struct scn_event *e = &sc->events[k];
	char path[SCN_PATH_MAX + 16], self[96], a[32], b[32];

	join_key(path, s->path, span_kinds[s->kind].key);
	return fail(ld, path, "%s %s host \"%s\", which is suspended then by %s (%s %s to "
		    "%s): a suspended host runs neither the VMM, KVM nor the guest; move the action "
		    "or the suspend", describe(self, sizeof(self), s), verb(s, host),
		    sc->hosts[host].name, e->path,
		    e->s4 ? "S4" : "S3", fmt_ps(a, sizeof(a), 1, e->at_ps),
		    fmt_ps(b, sizeof(b), 1, sim_add_sat(e->at_ps, e->duration_ps)));
}

static bool check_sleep(struct loader *ld, const struct span *s)
{
	const struct scenario *sc = ld->sc;
	int k;

	if (span_kinds[s->kind].whole) {
		k = asleep_at(sc, s->host, s->from, s->to);
		if (k < 0 && s->to_host != s->host)
			return (k = asleep_at(sc, s->to_host, s->from, s->to)) < 0 ||
			       sleep_error(ld, s, s->to_host, k);
		return k < 0 || sleep_error(ld, s, s->host, k);
	}
	/* a pause or a snapshot: its host at each instant it acts; the restore on its own host */
	for (unsigned i = 0; i < s->nends; i++) {
		unsigned host = i == 1 ? s->to_host : s->host;

		k = asleep_at(sc, host, s->ends[i], s->ends[i]);
		if (k >= 0)
			return sleep_error(ld, s, host, k);
	}
	return true;
}

bool check_action_overlaps(struct loader *ld)
{
	const struct scenario *sc = ld->sc;
	struct span sp[MAX_SPANS];
	unsigned n;

	if (ld->nerrors)
		return true;
	for (unsigned v = 0; v < sc->nvms; v++) {
		n = collect(&sc->vms[v], sp);
		if (!check_pairs(ld, sp, n))
			return false;
		for (unsigned i = 0; i < n; i++)
			if (!check_sleep(ld, &sp[i]))
				return false;
	}
	return true;
}
