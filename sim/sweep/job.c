/* One job and its row: job.h. */
#include "sim/sweep/job.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/check.h"
#include "sim/machine/budget.h"
#include "sim/machine/machine.h"
#include "sim/scenario/variant.h"

void sweep_buf_add(struct sweep_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sweep_buf_printf(struct sweep_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sweep_buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void sweep_buf_json_str(struct sweep_buf *b, const char *s)
{
	SWEEP_BUF_LIT(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			sweep_buf_add(b, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			sweep_buf_printf(b, "\\u%04x", c);
		} else {
			sweep_buf_add(b, s, 1);
		}
	}
	SWEEP_BUF_LIT(b, "\"");
}

void sweep_buf_free(struct sweep_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The row's leading keys: id, base scenario, sim version, seed, the varied values. */
static void row_head(const struct sweep_plan *p, const struct sweep_job *j, uint64_t seed,
		     struct sweep_buf *row)
{
	const struct sweep_spec *sp = p->spec;

	sweep_buf_printf(row, "{\"id\":\"%016" PRIx64 "\",\"scenario\":\"%016" PRIx64
			 "\",\"sim\":\"%s\",\"seed\":%" PRIu64 ",\"vary\":{", j->id, p->base_hash,
			 SIM_VERSION, seed);
	for (unsigned a = 0; a < sp->naxes; a++) {
		const char *v = sp->axes[a].values[j->coord[a]];

		if (a)
			SWEEP_BUF_LIT(row, ",");
		sweep_buf_json_str(row, sp->axes[a].path);
		SWEEP_BUF_LIT(row, ":");
		sweep_buf_add(row, v, strlen(v));
	}
	SWEEP_BUF_LIT(row, "}");
}

/* The seed the job runs with: its own, or the base scenario's ("seed", default 1). */
static uint64_t job_seed(const struct sweep_plan *p, const struct sweep_job *j)
{
	uint64_t seed = 1;

	if (j->has_seed)
		return j->seed;
	scenario_text_u64(p->base, p->base_len, "/seed", &seed);
	return seed;
}

void sweep_job_row_head(const struct sweep_plan *p, const struct sweep_job *j,
			struct sweep_buf *row)
{
	row_head(p, j, job_seed(p, j), row);
}

void sweep_error_row(const struct sweep_plan *p, const struct sweep_job *j,
		     const struct sim_diag *err, struct sweep_buf *row)
{
	struct sim_diag e = *err;
	char msg[1024];

	/* the file's base name: the same row whoever runs it, from whatever directory */
	sim_diag_set_file(&e, p->base_name);
	sim_diag_format(&e, msg, sizeof(msg));
	row_head(p, j, job_seed(p, j), row);
	SWEEP_BUF_LIT(row, ",\"verdict\":\"error\",\"error\":");
	sweep_buf_json_str(row, msg);
	SWEEP_BUF_LIT(row, ",\"checks\":[]}\n");
}

static void check_row(struct sweep_buf *row, bool *first, const char *of, const char *check,
		      bool met, int64_t worst, const char *unit)
{
	sweep_buf_add(row, *first ? "" : ",", *first ? 0 : 1);
	*first = false;
	SWEEP_BUF_LIT(row, "{\"of\":");
	sweep_buf_json_str(row, of);
	SWEEP_BUF_LIT(row, ",\"check\":");
	sweep_buf_json_str(row, check);
	sweep_buf_printf(row, ",\"met\":%s,\"worst\":%" PRId64 ",\"unit\":\"%s\"}",
			 met ? "true" : "false", worst, unit);
}

/* Every expectation of the run, as in the JSON report; whether all hold. */
static bool checks(const struct scenario *s, const struct machine *m, struct sweep_buf *row)
{
	bool first = true, all = true;

	SWEEP_BUF_LIT(row, ",\"checks\":[");
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct oracle_check_result *res = machine_check_results(m, g);

		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
			const struct oracle_check_desc *d = oracle_check_desc(c);

			if (!s->readers[g].checks[c].enabled)
				continue;
			all &= res[c].expectation_met;
			check_row(row, &first, s->readers[g].name, d->name, res[c].expectation_met,
				  res[c].worst, oracle_unit_name(d->unit));
		}
	}
	for (unsigned i = 0; i < s->nscripts; i++) {
		const struct script_result *r = machine_script_result(m, i);
		bool met = machine_script_expectation_met(m, i);

		all &= met;
		check_row(row, &first, s->scripts[i].name, "script", met, (int64_t)r->mismatches,
			  "count");
	}
	for (unsigned i = 0; i < s->nhost_checks; i++) {
		const struct scn_host_check *hc = &s->host_checks[i];
		const struct host_check_result *r = machine_host_check_result(m, i);
		enum host_check_kind k = (enum host_check_kind)hc->kind;
		bool met = r && r->expectation_met;

		all &= met;
		check_row(row, &first, hc->name, host_check_kind_name(k), met,
			  r && r->evaluated ? r->worst : 0,
			  host_check_unit_name(host_check_kind_unit(k)));
	}
	SWEEP_BUF_LIT(row, "]}\n");
	return all;
}

enum sweep_verdict sweep_run_job(const struct sweep_plan *p, const struct sweep_job *j,
				 uint64_t max_events, struct sweep_buf *row,
				 struct sim_diag *err)
{
	struct scenario *s;
	struct machine *m = NULL;
	struct sweep_buf c = { 0 };
	enum sweep_verdict v;

	sim_diag_clear(err);
	s = scenario_parse(p->spec->scenario, j->text, j->len, err);
	if (s && budget_check(s, max_events, NULL, err))
		m = machine_create(s, err);
	if (m)
		machine_set_max_events(m, max_events);
	if (m && !machine_run(m, err)) {
		machine_destroy(m);
		m = NULL;
	}
	if (!m) {
		unsigned line, col;

		if (s && err->path[0] && err->line == 0 && scenario_locate(s, err->path, &line, &col))
			sim_diag_set_pos(err, line, col);
		sweep_error_row(p, j, err, row);
		scenario_destroy(s);
		return SWEEP_ERROR;
	}
	/* the verdict comes before the checks in the row, and from them */
	v = checks(s, m, &c) ? SWEEP_PASS : SWEEP_FAIL;
	row_head(p, j, s->seed, row);
	sweep_buf_printf(row, ",\"verdict\":\"%s\",\"events\":%" PRIu64,
			 v == SWEEP_PASS ? "pass" : "fail", machine_events(m));
	sweep_buf_add(row, c.p ? c.p : "", c.len);
	row->oom |= c.oom;
	sweep_buf_free(&c);
	machine_destroy(m);
	scenario_destroy(s);
	return v;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

bool sweep_plan_work(const struct sweep_plan *p, const struct sweep_shard *sh,
		     uint64_t max_events, struct sweep_work *w, uint64_t *bad,
		     struct sim_diag *err)
{
	const struct sweep_spec *sp = p->spec;
	const uint64_t seeds = sp->nseeds, variants = sp->njobs / sp->nseeds;

	memset(w, 0, sizeof(*w));
	/* the seed varies fastest: variant v is jobs v*seeds .. (v+1)*seeds - 1 */
	for (uint64_t v = 0; v < variants; v++) {
		const uint64_t from = v * seeds;
		uint64_t n = sweep_shard_below(sh, from + seeds) - sweep_shard_below(sh, from);
		const uint64_t r = from % sh->n;
		uint64_t first, events = 0;
		struct budget_estimate e = { 0 };
		struct scenario *s;
		struct sweep_job j;

		if (n == 0)
			continue;
		/* the shard's first job of the variant (it exists: below njobs, no wrap) */
		first = from + (sh->k >= r ? sh->k - r : sh->n - r + sh->k);
		if (!sweep_plan_job(p, first, &j, err)) {
			*bad = first;
			return false;
		}
		s = scenario_parse(sp->scenario, j.text, j.len, err);
		sweep_job_free(&j);
		if (s) {
			budget_estimate(s, &e);
			events = e.total <= max_events ? sat_mul(e.total, n) : 0;
			scenario_destroy(s);
		}
		w->jobs += n;
		w->events = sat_add(w->events, events);
		if (events > w->top_events || !w->top_jobs) {
			w->top_index = first;
			w->top_jobs = n;
			w->top_events = events;
			w->top = e;
		}
	}
	sim_diag_clear(err);
	return true;
}
