/* The VM's "stalls" and "time_syncs" (sim/vmm/stall.c, sim/vmm/time_sync.c). */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <string.h>

#include "sim/core/units.h"

#define ST(m) offsetof(struct scn_stall, m)

static const struct field stall_rows[] = {
	{ ROW("at", F_DURATION_PS, ST(at_ps)), .required = true },
	{ ROW("duration", F_DURATION_PS, ST(duration_ps)), .required = true, .min = 1,
	  .what = "duration" },
	{ ROW("vcpus", F_CUSTOM, 0), .shape = "vcpus" },
};

static const struct field time_sync_rows[] = {
	{ ROW("at", F_DURATION_PS, offsetof(struct scn_time_sync, at_ps)), .required = true },
};

const struct field_table stall_table = FIELDS("stalls", stall_rows);
const struct field_table time_sync_table = FIELDS("time_syncs", time_sync_rows);

/* "vcpus": "all" (the default), or distinct vCPU indices. */
static bool load_stall_vcpus(struct loader *ld, const struct node *v, struct scn_stall *st)
{
	unsigned nvcpus = ld->vm->nvcpus;
	char q[80];

	st->all = !v->json;
	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path, "expected \"all\" or an array of vCPU indices, got %s",
				    sim_quote(q, sizeof(q), v->json->valuestring));
		st->all = true;
	} else if (v->json) {
		if (!cJSON_IsArray(v->json))
			return type_error(ld, v, "\"all\" or an array of vCPU indices");
		if (!read_array(ld, v, 1, nvcpus, "vCPU indices", &st->nvcpus))
			return false;
		for (unsigned i = 0; i < st->nvcpus; i++) {
			struct node el;

			node_element(v, i, &el);
			if (!read_uint(ld, &el, 0, nvcpus - 1, "a vCPU index", &st->vcpus[i]))
				return false;
			for (unsigned j = 0; j < i; j++)
				if (st->vcpus[j] == st->vcpus[i])
					return fail(ld, el.path, "duplicate vCPU %u (also %s/%u)",
						    st->vcpus[i], v->path, j);
		}
		/* every vCPU listed is the whole process, as far as the guest can tell */
		st->all = st->nvcpus == nvcpus;
	}
	if (st->all) {
		st->nvcpus = nvcpus;
		for (unsigned i = 0; i < nvcpus; i++)
			st->vcpus[i] = i;
	}
	return true;
}

bool load_stall(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_stall *st = &ld->vm->stalls[k];
	sim_ps end;
	struct node at, v;
	char a[32], b[32], c[32], q[80];

	if (!load_fields(ld, o, &stall_table, 0, NULL, st, NULL))
		return false;
	keep_path(st->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !node_get(ld, o, "vcpus", false, &v))
		return false;
	if (!load_stall_vcpus(ld, &v, st))
		return false;
	end = sim_add_sat(st->at_ps, st->duration_ps);
	if (end >= sc->duration_ps)
		return fail(ld, at.path, "the stall would end at %s (at + duration), not before the end "
			    "of the run (%s)", fmt_ps(a, sizeof(a), 1, end),
			    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	if (k && st->at_ps <= ld->vm->stalls[k - 1].at_ps + ld->vm->stalls[k - 1].duration_ps)
		return fail(ld, at.path, "expected a time after the previous stall (/stalls/%u) ends "
			    "at %s (at + duration), got %s", k - 1,
			    fmt_ps(a, sizeof(a), 1, ld->vm->stalls[k - 1].at_ps + ld->vm->stalls[k - 1].duration_ps),
			    fmt_ps(b, sizeof(b), 1, st->at_ps));
	for (unsigned i = 0; i < ld->vm->nmigrations; i++) {
		const struct scn_migration *m = &ld->vm->migrations[i];

		if (st->at_ps <= m->at_ps + m->downtime_ps && m->at_ps <= end)
			return fail(ld, at.path, "the stall (%s to %s) overlaps the downtime of "
				    "/migrations/%u (%s to %s)", fmt_ps(a, sizeof(a), 1, st->at_ps),
				    fmt_ps(b, sizeof(b), 1, end), i, fmt_ps(c, sizeof(c), 1, m->at_ps),
				    fmt_ps(q, sizeof(q), 1, m->at_ps + m->downtime_ps));
	}
	return true;
}

bool load_time_sync(struct loader *ld, const struct node *o, unsigned k)
{
	struct scn_time_sync *ts = &ld->vm->time_syncs[k];
	struct node at;
	char a[32], b[32], c[32];

	if (!load_fields(ld, o, &time_sync_table, 0, NULL, ts, NULL))
		return false;
	keep_path(ts->path, o->path);
	if (!node_get(ld, o, "at", true, &at))
		return false;
	if (!check_before_end(ld, at.path, ts->at_ps))
		return false;
	if (k && ts->at_ps <= ld->vm->time_syncs[k - 1].at_ps)
		return fail(ld, at.path, "expected syncs sorted by \"at\": got %s, not after the "
			    "previous sync's %s", fmt_ps(a, sizeof(a), 1, ts->at_ps),
			    fmt_ps(b, sizeof(b), 1, ld->vm->time_syncs[k - 1].at_ps));
	for (unsigned i = 0; i < ld->vm->nstalls; i++) {
		const struct scn_stall *st = &ld->vm->stalls[i];

		if (ts->at_ps >= st->at_ps && ts->at_ps < st->at_ps + st->duration_ps)
			return fail(ld, at.path, "the guest agent cannot run at %s: it is inside "
				    "/stalls/%u (%s to %s)", fmt_ps(a, sizeof(a), 1, ts->at_ps), i,
				    fmt_ps(b, sizeof(b), 1, st->at_ps),
				    fmt_ps(c, sizeof(c), 1, st->at_ps + st->duration_ps));
	}
	return true;
}
