/* The canonical job list, ids and shards: plan.h. */
#include "sim/sweep/plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/variant.h"

uint64_t sweep_fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

bool sweep_plan_open(struct sweep_plan *p, const struct sweep_spec *sp, struct sim_diag *err)
{
	const char *slash = strrchr(sp->scenario, '/');
	char *canon;

	memset(p, 0, sizeof(*p));
	p->spec = sp;
	p->base = scenario_read_text(sp->scenario, &p->base_len, err);
	if (!p->base)
		return false;
	canon = scenario_canonical_json(p->base, p->base_len);
	if (!canon) {
		sim_diag_set_file(err, sp->scenario);
		sim_diag_fail(err, "not JSON (`sim validate %s` says where)", sp->scenario);
		sweep_plan_close(p);
		return false;
	}
	free(canon);
	p->base_hash = sweep_fnv1a64(p->base, p->base_len);
	snprintf(p->base_name, sizeof(p->base_name), "%.255s", slash ? slash + 1 : sp->scenario);
	return true;
}

void sweep_plan_close(struct sweep_plan *p)
{
	free(p->base);
	p->base = NULL;
	free(p->ids);
	p->ids = NULL;
	p->nids = 0;
}

bool sweep_plan_job(const struct sweep_plan *p, uint64_t index, struct sweep_job *j,
		    struct sim_diag *err)
{
	const struct sweep_spec *sp = p->spec;
	struct scn_override ov[SWEEP_MAX_AXES + SWEEP_MAX_SETS + 1];
	char seed[24], *canon;
	uint64_t rest = index;
	unsigned n = 0;

	memset(j, 0, sizeof(*j));
	j->index = index;
	j->has_seed = sp->seeds_given;
	j->seed = sweep_spec_seed(sp, rest % sp->nseeds);
	rest /= sp->nseeds;
	for (unsigned a = sp->naxes; a-- > 0;) {
		j->coord[a] = (unsigned)(rest % sp->axes[a].nvalues);
		rest /= sp->axes[a].nvalues;
	}
	for (unsigned a = 0; a < sp->naxes; a++)
		ov[n++] = (struct scn_override){ sp->axes[a].path, sp->axes[a].values[j->coord[a]] };
	for (unsigned s = 0; s < sp->nsets; s++)
		ov[n++] = sp->sets[s];
	if (j->has_seed) {
		snprintf(seed, sizeof(seed), "%" PRIu64, j->seed);
		ov[n++] = (struct scn_override){ "/seed", seed };
	}
	j->text = scenario_variant_text(sp->scenario, p->base, p->base_len, ov, n, &j->len, err);
	if (!j->text)
		return false;
	canon = scenario_canonical_json(j->text, j->len);
	if (!canon) {
		sim_diag_set_file(err, sp->scenario);
		sim_diag_fail(err, "out of memory");
		sweep_job_free(j);
		return false;
	}
	j->id = sweep_fnv1a64(canon, strlen(canon));
	free(canon);
	return true;
}

void sweep_job_free(struct sweep_job *j)
{
	free(j->text);
	j->text = NULL;
}

static int by_id(const void *a, const void *b)
{
	const struct sweep_plan_id *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

bool sweep_plan_index(struct sweep_plan *p, uint64_t *bad, struct sim_diag *err)
{
	const uint64_t n = p->spec->njobs;

	free(p->ids);
	p->nids = 0;
	/* njobs <= SWEEP_MAX_JOBS: the size cannot overflow */
	p->ids = malloc((n ? n : 1) * sizeof(*p->ids));
	if (!p->ids) {
		*bad = 0;
		sim_diag_set_file(err, p->spec->scenario);
		sim_diag_fail(err, "out of memory for the ids of %" PRIu64 " jobs", n);
		return false;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct sweep_job j;

		if (!sweep_plan_job(p, i, &j, err)) {
			*bad = i;
			free(p->ids);
			p->ids = NULL;
			return false;
		}
		p->ids[i] = (struct sweep_plan_id){ j.id, i };
		sweep_job_free(&j);
	}
	qsort(p->ids, n, sizeof(*p->ids), by_id);
	p->nids = n;
	return true;
}

bool sweep_plan_unique(const struct sweep_plan *p, uint64_t *a, uint64_t *b, uint64_t *id)
{
	/* sorted by id, then index: a duplicate is two neighbours, the smaller index first */
	for (uint64_t i = 1; i < p->nids; i++)
		if (p->ids[i - 1].id == p->ids[i].id) {
			*a = p->ids[i - 1].index;
			*b = p->ids[i].index;
			*id = p->ids[i].id;
			return false;
		}
	return true;
}

bool sweep_plan_find(const struct sweep_plan *p, uint64_t id, uint64_t *index)
{
	uint64_t lo = 0, hi = p->nids;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (p->ids[mid].id == id) {
			*index = p->ids[mid].index;
			return true;
		}
		if (p->ids[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

uint64_t sweep_shard_below(const struct sweep_shard *s, uint64_t x)
{
	/* x / n full rounds of n jobs, each with one of the shard, and the rest */
	return x / s->n + (x % s->n > s->k);
}

bool sweep_shard_parse(const char *arg, struct sweep_shard *s, char *why, size_t len)
{
	const char *slash = strchr(arg, '/');
	char k[24], w[160];

	if (!slash || (size_t)(slash - arg) >= sizeof(k)) {
		snprintf(why, len, "expected K/N (shard K of N, 0-based), got '%.40s'", arg);
		return false;
	}
	snprintf(k, sizeof(k), "%.*s", (int)(slash - arg), arg);
	if (!sim_parse_u64(k, &s->k, w, sizeof(w)) || !sim_parse_u64(slash + 1, &s->n, w, sizeof(w))) {
		snprintf(why, len, "K/N: %s", w);
		return false;
	}
	if (s->n == 0 || s->k >= s->n) {
		snprintf(why, len, "shard %" PRIu64 "/%" PRIu64 ": K counts from 0 and must be "
			 "below N (GNU parallel's {%%} counts from 1: pass $(({%%}-1))/N)", s->k,
			 s->n);
		return false;
	}
	return true;
}

/* One pair of variables: index and count. */
static bool env_pair(const char *(*get)(const char *), const char *ki, const char *kn,
		     struct sweep_shard *s, bool *found, char *why, size_t len)
{
	const char *i = get(ki), *n = get(kn);
	char arg[64], w[200];

	if (!i || !n)
		return true;
	*found = true;
	snprintf(arg, sizeof(arg), "%.24s/%.24s", i, n);
	if (!sweep_shard_parse(arg, s, w, sizeof(w))) {
		snprintf(why, len, "%s=%.24s, %s=%.24s: %s", ki, i, kn, n, w);
		return false;
	}
	return true;
}

bool sweep_shard_from_env(const char *(*get)(const char *), struct sweep_shard *s, bool *found,
			  char *why, size_t len)
{
	const char *min, *step;

	*found = false;
	if (!env_pair(get, "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", s, found, why, len))
		return false;
	if (*found) {
		/* a sparse or stepped array's task ids are not shard indices */
		min = get("SLURM_ARRAY_TASK_MIN");
		step = get("SLURM_ARRAY_TASK_STEP");
		if ((min && strcmp(min, "0") != 0) || (step && strcmp(step, "1") != 0)) {
			snprintf(why, len, "a Slurm array must be --array=0-(N-1) for sharding (this "
				 "one has SLURM_ARRAY_TASK_MIN=%.20s, SLURM_ARRAY_TASK_STEP=%.20s)",
				 min ? min : "?", step ? step : "?");
			return false;
		}
		return true;
	}
	return env_pair(get, "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", s, found, why, len);
}
