/*
 * The VM's lifecycle lists (rows of vm_lists in load_vm.c): "pauses",
 * "snapshots" (sim/vmm/pause.c, snapshot.c) and the guest's APIC timers,
 * "guest_timers" (sim/guest/timers.h).
 */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"

#define PA(m) offsetof(struct scn_pause, m)
#define SN(m) offsetof(struct scn_snapshot, m)
#define GT(m) offsetof(struct scn_guest_timer, m)

static const char *const kvmclock_ctrl_names[] = { "never", "after_pause", "before_resume", NULL };
_Static_assert(sizeof(kvmclock_ctrl_names) / sizeof(kvmclock_ctrl_names[0]) ==
	       SCN_KVMCLOCK_CTRL_COUNT + 1, "one name per enumerator");
static const char *const pause_clock_names[] = { "run", "freeze", NULL };
_Static_assert(sizeof(pause_clock_names) / sizeof(pause_clock_names[0]) ==
	       SCN_PAUSE_CLOCK_COUNT + 1, "one name per enumerator");
/* enum scn_set_clock order: a snapshot's "freeze" is KVM_SET_CLOCK with the saved clock */
static const char *const restore_clock_names[] = { "none", "freeze", "realtime", NULL };
_Static_assert(sizeof(restore_clock_names) / sizeof(restore_clock_names[0]) ==
	       SCN_SET_CLOCK_COUNT + 1, "one name per enumerator");
static const char *const carry_names[] = { "frozen", "advance", NULL };
_Static_assert(sizeof(carry_names) / sizeof(carry_names[0]) == SCN_TSC_CARRY_COUNT + 1,
	       "one name per enumerator");
static const char *const zero_deadline_names[] = { "keep", "tsc", NULL };
_Static_assert(sizeof(zero_deadline_names) / sizeof(zero_deadline_names[0]) ==
	       SCN_ZERO_DEADLINE_COUNT + 1, "one name per enumerator");
static const char *const step_names[] = {
#define STEP_NAME(id, name, what) name,
	SCN_RESTORE_STEPS(STEP_NAME)
#undef STEP_NAME
	NULL
};
_Static_assert(sizeof(step_names) / sizeof(step_names[0]) == SCN_RESTORE_STEP_COUNT + 1,
	       "one name per restore step");
static const char *const guest_timer_mode_names[] = { "oneshot", "periodic", "deadline", NULL };
_Static_assert(sizeof(guest_timer_mode_names) / sizeof(guest_timer_mode_names[0]) ==
	       SCN_TIMER_MODE_COUNT + 1, "one name per enumerator");

static const struct field pause_rows[] = {
	{ ROW("at", F_DURATION_PS, PA(at_ps)), .required = true },
	{ ROW("duration", F_DURATION_PS, PA(duration_ps)), .required = true, .min = 1,
	  .what = "duration" },
	{ ROW("kvmclock_ctrl", F_ENUM, PA(kvmclock_ctrl)), .dflt = "after_pause",
	  .names = kvmclock_ctrl_names },
	{ ROW("clock", F_ENUM, PA(clock)), .dflt = "run", .names = pause_clock_names },
};

static const struct field snapshot_rows[] = {
	{ ROW("at", F_DURATION_PS, SN(at_ps)), .required = true },
	{ ROW("capture_after", F_DURATION_PS, SN(capture_ps)), .dflt = "0s" },
	{ ROW("gap", F_DURATION_PS, SN(gap_ps)), .required = true, .min = 1, .what = "gap" },
	{ ROW("to", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("order", F_CUSTOM, 0), .like = F_ENUM, .names = step_names, .list = true,
	  .min = SCN_RESTORE_STEP_COUNT, .max = SCN_RESTORE_STEP_COUNT },
	{ ROW("clock", F_ENUM, SN(clock)), .dflt = "freeze", .names = restore_clock_names },
	{ ROW("tsc", F_ENUM, SN(tsc)), .dflt = "frozen", .names = carry_names },
	{ ROW("tsc_shift", F_CUSTOM, 0), .like = F_SIGNED_PS },
	{ ROW("kvmclock_ctrl", F_ENUM, SN(kvmclock_ctrl)), .dflt = "after_pause",
	  .names = kvmclock_ctrl_names },
	{ ROW("zero_deadline", F_ENUM, SN(zero_deadline)), .dflt = "keep",
	  .names = zero_deadline_names },
};

static const char *const guest_timer_device_names[] = { "apic", "hpet", NULL };
static const char *const hpet_route_names[] = { "ioapic", "legacy", "fsb", "fsb_or_ioapic", NULL };
_Static_assert(sizeof(hpet_route_names) / sizeof(hpet_route_names[0]) == SCN_HPET_ROUTE_COUNT + 1,
	       "one name per HPET route");
static const char *const hpet_check_names[] = { "none", "linux", NULL };

static const struct field guest_timer_rows[] = {
	{ ROW("vcpus", F_CUSTOM, 0), .required = true, .shape = "vcpus" },
	{ ROW("mode", F_ENUM, GT(mode)), .required = true, .names = guest_timer_mode_names },
	{ ROW("period", F_DURATION_PS, GT(period_ps)), .required = true, .min = SIM_PS_PER_NS,
	  .what = "period of at least 1ns" },
	{ ROW("start", F_DURATION_PS, GT(start_ps)), .dflt = "0s" },
	{ ROW("device", F_ENUM_BOOL, GT(hpet)), .dflt = "apic", .names = guest_timer_device_names },
	{ ROW("timer", F_UINT, GT(hpet_timer)), .dflt = "0", .max = 31,
	  .what = "an HPET comparator index" },
	{ ROW("route", F_ENUM, GT(hpet_route)), .dflt = "ioapic", .names = hpet_route_names },
	{ ROW("check", F_ENUM_BOOL, GT(hpet_check)), .dflt = "linux", .names = hpet_check_names },
	{ ROW("preempt", F_DURATION_PS, GT(hpet_preempt_ps)), .dflt = "0s" },
	{ ROW("preempt_every", F_UINT, GT(hpet_preempt_every)), .dflt = "1", .min = 1,
	  .max = 1000000000, .what = "a count of armings" },
};

const struct field_table pause_table = FIELDS("pauses", pause_rows);
const struct field_table snapshot_table = FIELDS("snapshots", snapshot_rows);
const struct field_table guest_timer_table = FIELDS("guest_timers", guest_timer_rows);

/*
 * [from, to] must not meet a migration's, a pause's or a snapshot's stop
 * window (for a pause or a snapshot k: the earlier ones of its own list).
 */
static bool check_window(struct loader *ld, const char *path, sim_ps from, sim_ps to,
			 const char *self, unsigned k)
{
	const struct scenario *sc = ld->sc;
	char a[32], b[32];

	if (from >= sc->duration_ps || to >= sc->duration_ps)
		return fail(ld, path, "the VM would be stopped from %s to %s, not ending before the "
			    "end of the run (%s)", fmt_ps(a, sizeof(a), 1, from),
			    fmt_ps(b, sizeof(b), 1, to), fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	for (unsigned i = 0; i < ld->vm->nmigrations; i++) {
		const struct scn_migration *m = &ld->vm->migrations[i];

		if (from <= m->at_ps + m->downtime_ps && m->at_ps <= to)
			return fail(ld, path, "the VM is already stopped then, by /migrations/%u "
				    "(%s to %s)", i, fmt_ps(a, sizeof(a), 1, m->at_ps),
				    fmt_ps(b, sizeof(b), 1, m->at_ps + m->downtime_ps));
	}
	for (unsigned i = 0; i < ld->vm->npauses && !(strcmp(self, "pauses") == 0 && i >= k); i++) {
		const struct scn_pause *p = &ld->vm->pauses[i];

		if (from <= p->at_ps + p->duration_ps && p->at_ps <= to)
			return fail(ld, path, "the VM is already stopped then, by /pauses/%u (%s to %s)",
				    i, fmt_ps(a, sizeof(a), 1, p->at_ps),
				    fmt_ps(b, sizeof(b), 1, p->at_ps + p->duration_ps));
	}
	for (unsigned i = 0; i < (strcmp(self, "snapshots") == 0 ? k : ld->vm->nsnapshots); i++) {
		const struct scn_snapshot *s = &ld->vm->snapshots[i];
		sim_ps end = s->at_ps + s->capture_ps + s->gap_ps;

		if (from <= end && s->at_ps <= to)
			return fail(ld, path, "the VM is already stopped then, by /snapshots/%u "
				    "(%s to %s)", i, fmt_ps(a, sizeof(a), 1, s->at_ps),
				    fmt_ps(b, sizeof(b), 1, end));
	}
	return true;
}

bool load_pause(struct loader *ld, const struct node *o, unsigned k)
{
	struct scn_pause *p = &ld->vm->pauses[k];
	struct node at;

	if (!load_fields(ld, o, &pause_table, 0, NULL, p, NULL))
		return false;
	keep_path(p->path, o->path);
	if (!node_get(ld, o, "at", true, &at))
		return false;
	return check_window(ld, at.path, p->at_ps, sim_add_sat(p->at_ps, p->duration_ps), "pauses",
			    k);
}

/* "order": every restore step exactly once; default tsc, lapic, tsc_deadline, clock. */
static bool read_order(struct loader *ld, const struct node *v, struct scn_snapshot *s)
{
	static const enum scn_restore_step dflt[] = {
		SCN_RESTORE_TSC, SCN_RESTORE_LAPIC, SCN_RESTORE_TSC_DEADLINE, SCN_RESTORE_CLOCK,
	};
	char names[96];
	unsigned seen = 0;

	_Static_assert(sizeof(dflt) / sizeof(dflt[0]) == SCN_RESTORE_STEP_COUNT,
		       "the default order has every step");
	s->norder = SCN_RESTORE_STEP_COUNT;
	memcpy(s->order, dflt, sizeof(dflt));
	if (!v->json)
		return true;
	if (!read_array(ld, v, SCN_RESTORE_STEP_COUNT, SCN_RESTORE_STEP_COUNT,
			"restore steps (each step once)", &s->norder))
		return false;
	for (unsigned i = 0; i < s->norder; i++) {
		struct node el;
		unsigned step = 0;

		node_element(v, i, &el);
		if (!read_enum(ld, &el, step_names, &step))
			return false;
		if (seen >> step & 1)
			return fail(ld, el.path, "duplicate restore step \"%s\"; expected each of %s "
				    "once", step_names[step],
				    name_list(names, sizeof(names), step_names, true));
		seen |= 1u << step;
		s->order[i] = (enum scn_restore_step)step;
	}
	return true;
}

bool load_snapshot(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_snapshot *s = &ld->vm->snapshots[k];
	const struct scn_host *h;
	unsigned host = ld->vm->host;
	struct node at, v;

	if (!load_fields(ld, o, &snapshot_table, 0, NULL, s, NULL))
		return false;
	keep_path(s->path, o->path);
	if (!node_get(ld, o, "at", true, &at) ||
	    !check_window(ld, at.path, s->at_ps,
			  sim_add_sat(sim_add_sat(s->at_ps, s->capture_ps), s->gap_ps), "snapshots", k))
		return false;
	for (unsigned i = 0; i < k; i++)
		if (ld->vm->snapshots[i].has_to)
			host = ld->vm->snapshots[i].to_host;
	if (!node_get(ld, o, "to", false, &v))
		return false;
	if (v.json) {
		if (ld->vm->nmigrations || ld->vm->nmoves)
			return fail(ld, v.path, "a restore on another host (\"to\") cannot be combined "
				    "with migrations or vCPU moves yet; remove \"to\" or them");
		if (!read_host_ref(ld, &v, &s->to_host))
			return false;
		s->has_to = true;
		host = s->to_host;
	}
	/* the new VM's vCPUs: as vm's default pins, on the restore's host */
	h = &sc->hosts[host];
	for (unsigned i = 0; i < ld->vm->nvcpus; i++)
		s->pins[i] = host != ld->vm->host ? nth_online_cpu(h, i % h->ncpus_online) :
			     ld->vm->pins[i];
	if (!node_get(ld, o, "order", false, &v) || !read_order(ld, &v, s))
		return false;
	if (!node_get(ld, o, "tsc_shift", false, &v))
		return false;
	if (v.json) {
		if (!read_signed_ps(ld, &v, &s->tsc_shift_ps))
			return false;
		s->has_tsc_shift = true;
	}
	return true;
}

static bool load_timer_vcpus(struct loader *ld, const struct node *v, struct scn_guest_timer *t)
{
	unsigned nvcpus = ld->vm->nvcpus;
	char q[80];

	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path, "expected \"all\" or an array of vCPU indices, got %s",
				    sim_quote(q, sizeof(q), v->json->valuestring));
		t->nvcpus = nvcpus;
		for (unsigned i = 0; i < nvcpus; i++)
			t->vcpus[i] = i;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, "\"all\" or an array of vCPU indices");
	if (!read_array(ld, v, 1, nvcpus, "vCPU indices", &t->nvcpus))
		return false;
	for (unsigned i = 0; i < t->nvcpus; i++) {
		struct node el;

		node_element(v, i, &el);
		if (!read_uint(ld, &el, 0, nvcpus - 1, "a vCPU index", &t->vcpus[i]))
			return false;
	}
	return true;
}

/*
 * An HPET comparator's timer: on one vCPU, one entry per comparator, one-shot
 * or periodic, on a board with an HPET with that many comparators.
 */
static bool load_hpet_timer(struct loader *ld, const struct node *o, const struct node *vcpus,
			    unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_guest_timer *t = &ld->vm->guest_timers[k];
	struct node v;

	if (ld->vm != &sc->vms[0]) {
		join_key(v.path, o->path, "device");
		return fail(ld, v.path, "an HPET timer is the board's, and the board is the first "
			    "VM's (\"%s\"), not \"%s\"'s", sc->vms[0].name, ld->vm->name);
	}
	if (t->nvcpus != 1)
		return fail(ld, vcpus->path, "an HPET timer interrupts one vCPU: expected [index]");
	join_key(v.path, o->path, "mode");
	if (t->mode == SCN_TIMER_DEADLINE)
		return fail(ld, v.path, "an HPET comparator is \"oneshot\" or \"periodic\"; "
			    "\"deadline\" is the APIC's TSC-deadline mode");
	join_key(v.path, o->path, "timer");
	if (!sc->platform.present[SCN_DEV_HPET])
		return fail(ld, v.path, "the board has no HPET (platform.devices)");
	if (t->hpet_timer >= sc->platform.hpet.timers)
		return fail(ld, v.path, "expected a comparator below the HPET's %u timers, got %u",
			    sc->platform.hpet.timers, t->hpet_timer);
	for (unsigned j = 0; j < k; j++)
		if (ld->vm->guest_timers[j].hpet && ld->vm->guest_timers[j].hpet_timer == t->hpet_timer)
			return fail(ld, v.path, "HPET timer %u already has a guest timer (%s)",
				    t->hpet_timer, ld->vm->guest_timers[j].path);
	if (t->hpet_route == SCN_HPET_ROUTE_LEGACY && t->hpet_timer > 1) {
		join_key(v.path, o->path, "route");
		return fail(ld, v.path, "the legacy route carries HPET timers 0 and 1 only, got "
			    "timer %u", t->hpet_timer);
	}
	join_key(v.path, o->path, "start");
	if (!check_before_end(ld, v.path, t->start_ps))
		return false;
	return check_window(ld, v.path, t->start_ps, t->start_ps, "guest_timers", 0);
}

/* One APIC timer per vCPU: a vCPU named by two entries (or twice) is an error. */
bool load_guest_timer(struct loader *ld, const struct node *o, unsigned k)
{
	struct scn_guest_timer *t = &ld->vm->guest_timers[k];
	struct node v, el;

	if (!load_fields(ld, o, &guest_timer_table, 0, NULL, t, NULL))
		return false;
	keep_path(t->path, o->path);
	if (!node_get(ld, o, "vcpus", true, &v) || !load_timer_vcpus(ld, &v, t))
		return false;
	if (t->hpet)
		return load_hpet_timer(ld, o, &v, k);
	for (unsigned i = 0; i < t->nvcpus; i++) {
		for (unsigned j = 0; j <= k; j++) {
			const struct scn_guest_timer *u = &ld->vm->guest_timers[j];
			unsigned n = j == k ? i : u->nvcpus;

			for (unsigned m = 0; m < n && !u->hpet; m++) {
				if (u->vcpus[m] != t->vcpus[i])
					continue;
				if (cJSON_IsArray(v.json))
					node_element(&v, i, &el);
				else
					el = v;
				return fail(ld, el.path, "vCPU %u already has a guest timer (%s): a "
					    "vCPU's APIC has one timer", t->vcpus[i], u->path);
			}
		}
	}
	join_key(v.path, o->path, "start");
	if (!check_before_end(ld, v.path, t->start_ps))
		return false;
	/* the guest arms its timer by running: not while the VM is stopped */
	return check_window(ld, v.path, t->start_ps, t->start_ps, "guest_timers", 0);
}
