/*
 * The oracle against a brute-force model of docs/oracle.md, over random reads.
 *
 * The model keeps every read and recomputes each check from its definition
 * for each new read (O(reads^2)): the previous read of the same reader, the
 * reader's first read, and for mono_causal and consumer_abort every read that
 * ended before the new one started.  Their memory bounds are modelled as the
 * doc states them: B is compared only when the newest read that ended before
 * it started is among the newest W reads fed before B, W being mono_causal's
 * ring (K x nreaders + 1 up to a power of two) and consumer_abort's 16 reads
 * and its floor (17).  The random reads overlap, tie, step back, and
 * sometimes stay in flight while more than W others end, so that the oracle's
 * shortcut for a read above everything before it, its snapshot search and
 * both bounds are all exercised.  A third of the groups enable only fusable
 * checks (the bench's set, or a subset), whose reads the oracle may take in
 * a fused pass (oracle/check.c, feed_fused) instead of each check's row; the
 * model knows no such pass.  Rate and pauses are left to test_oracle.c.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"

#define MAX_READS 3000
#define MAX_READERS 5

struct mread {
	unsigned reader, vcpu;
	sim_ps start_ps, end_ps;
	uint64_t value_ns;
};

struct model {
	struct oracle_group_config cfg;
	struct oracle_check_result res[ORACLE_CHECK_COUNT];
	struct mread reads[MAX_READS];
	unsigned n;
};

/* splitmix64: the test's own deterministic generator */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

static int64_t sat(sim_i128 x)
{
	return x > INT64_MAX ? INT64_MAX : x < -INT64_MAX ? -INT64_MAX : (int64_t)x;
}

static int64_t mag(int64_t x)
{
	return x < 0 ? -x : x;
}

/* The first violation and the count; true when it was the first of an enabled check. */
static bool violate(struct model *m, enum oracle_check_id id, const struct mread *b,
		    sim_ps other_t, unsigned other_vcpu, uint64_t other_value)
{
	struct oracle_check_result *r = &m->res[id];

	if (r->violations++)
		return false;
	r->has_first = true;
	r->first = (struct oracle_violation){
		.t_ps = b->end_ps, .vcpu = b->vcpu, .value_ns = b->value_ns,
		.other_t_ps = other_t, .other_vcpu = other_vcpu, .other_value_ns = other_value,
	};
	return m->cfg.checks[id].enabled;
}

/* The causal maximum before b: its holder's index, or -1 (not compared). */
static int causal_holder(const struct model *m, const struct mread *b, unsigned window,
			 bool other_readers_only)
{
	int p = -1, best = -1;

	for (unsigned a = 0; a < m->n; a++)
		if (m->reads[a].end_ps < b->start_ps)
			p = (int)a;
	if (p < 0 || m->n - (unsigned)p > window)
		return -1;
	for (int a = 0; a <= p; a++) {
		const struct mread *x = &m->reads[a];

		if (other_readers_only && x->reader == b->reader)
			continue;
		if (best < 0 || x->value_ns > m->reads[best].value_ns)
			best = a;
		else if (other_readers_only && x->value_ns == m->reads[best].value_ns &&
			 x->reader < m->reads[best].reader)
			best = a;    /* the lowest reader among equals; its earliest read */
	}
	return best;
}

static unsigned causal_window(unsigned nreaders)
{
	unsigned cap = 1;

	while (cap < 8 * nreaders + 1)
		cap *= 2;
	return cap;
}

/* Feeds b to the model; true when a check saw its first violation. */
static bool model_feed(struct model *m, const struct mread *b)
{
	const struct oracle_check_config *c = m->cfg.checks;
	struct oracle_check_result *r = m->res;
	int prev = -1, first = -1;
	bool any_first = false;

	for (unsigned a = 0; a < m->n; a++)
		if (m->reads[a].reader == b->reader) {
			prev = (int)a;
			if (first < 0)
				first = (int)a;
		}
	if (prev >= 0) {
		const struct mread *p = &m->reads[prev], *f = &m->reads[first];
		int64_t back = b->value_ns < p->value_ns
			? sat(((sim_i128)p->value_ns - b->value_ns) * 1000) : 0;
		sim_i128 excess = ((sim_i128)b->value_ns - p->value_ns) * 1000 -
				  (sim_i128)(b->end_ps - p->end_ps);
		sim_i128 ref = (sim_i128)(b->end_ps - f->end_ps);
		sim_i128 err = ((sim_i128)b->value_ns - f->value_ns) * 1000 - ref;

		r[ORACLE_MONO_VCPU].samples++;
		if (back > r[ORACLE_MONO_VCPU].worst)
			r[ORACLE_MONO_VCPU].worst = back;
		if (b->value_ns < p->value_ns)
			any_first |= violate(m, ORACLE_MONO_VCPU, b, p->end_ps, p->vcpu, p->value_ns);
		r[ORACLE_STEP_BACK].samples++;
		if (back > r[ORACLE_STEP_BACK].worst)
			r[ORACLE_STEP_BACK].worst = back;
		if (back > c[ORACLE_STEP_BACK].threshold)
			any_first |= violate(m, ORACLE_STEP_BACK, b, p->end_ps, p->vcpu, p->value_ns);
		r[ORACLE_STEP_FWD].samples++;
		if (sat(excess) > r[ORACLE_STEP_FWD].worst)
			r[ORACLE_STEP_FWD].worst = sat(excess);
		if (excess > c[ORACLE_STEP_FWD].threshold)
			any_first |= violate(m, ORACLE_STEP_FWD, b, p->end_ps, p->vcpu, p->value_ns);
		r[ORACLE_MAX_ERROR].samples++;
		if (mag(sat(err)) > mag(r[ORACLE_MAX_ERROR].worst))
			r[ORACLE_MAX_ERROR].worst = sat(err);
		if ((err < 0 ? -err : err) > c[ORACLE_MAX_ERROR].threshold)
			any_first |= violate(m, ORACLE_MAX_ERROR, b, f->end_ps, f->vcpu,
					     f->value_ns + (uint64_t)(ref / 1000));
	}
	for (unsigned k = 0; k < 2; k++) {
		enum oracle_check_id id = k ? ORACLE_CONSUMER_ABORT : ORACLE_MONO_CAUSAL;
		int h = causal_holder(m, b, k ? 17 : causal_window(m->cfg.nreaders), !k);
		const struct mread *x = h >= 0 ? &m->reads[h] : NULL;

		if (!x)
			continue;
		r[id].samples++;
		if (b->value_ns >= x->value_ns)
			continue;
		if (sat(((sim_i128)x->value_ns - b->value_ns) * 1000) > r[id].worst)
			r[id].worst = sat(((sim_i128)x->value_ns - b->value_ns) * 1000);
		any_first |= violate(m, id, b, x->end_ps, x->vcpu, x->value_ns);
	}
	m->reads[m->n++] = *b;
	return any_first;
}

/* The verdicts, and a disabled check's zeros (docs/oracle.md, "Results"). */
static void model_finish(struct model *m)
{
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++) {
		struct oracle_check_result *r = &m->res[i];
		const struct oracle_check_config *c = &m->cfg.checks[i];
		bool outcome;

		r->id = (enum oracle_check_id)i;
		r->enabled = c->enabled;
		if (!c->enabled) {
			*r = (struct oracle_check_result){ .id = r->id, .passed = true,
							   .expectation_met = true };
			continue;
		}
		r->passed = r->violations == 0;
		outcome = c->expect == ORACLE_EXPECT_PASS ? r->passed : !r->passed;
		r->expectation_met = outcome &&
			(!c->has_worst_min || r->worst >= c->worst_min) &&
			(!c->has_worst_max || r->worst <= c->worst_max);
	}
}

/*
 * The fusable checks (mono_vcpu, mono_causal, step_back, max_error,
 * consumer_abort; the bench enables all but step_back), whose reads the
 * oracle may take in one fused pass: half the groups enable all five, the
 * others a random subset (with neither mono_causal nor consumer_abort there
 * is no fused pass).  With thresholds up to 50 us most reads need nothing but
 * counts; some groups give max_error an expected range, which keeps them
 * off that pass.
 */
static void common_config(struct oracle_group_config *g, uint64_t *s)
{
	static const int64_t thresholds_ps[] = { 0, 1000000, 50000000, 50000000 };
	bool all = below(s, 2) == 0;

	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++) {
		struct oracle_check_config *c = &g->checks[i];
		bool fusable = i == ORACLE_MONO_VCPU || i == ORACLE_MONO_CAUSAL ||
			       i == ORACLE_STEP_BACK || i == ORACLE_MAX_ERROR ||
			       i == ORACLE_CONSUMER_ABORT;

		c->enabled = fusable && (all || below(s, 2) == 0);
		if (i == ORACLE_STEP_BACK)
			c->threshold = (int64_t)below(s, 2) * 500000;
		if (i != ORACLE_MAX_ERROR)
			continue;
		c->threshold = thresholds_ps[below(s, 4)];
		c->has_worst_min = c->has_worst_max = below(s, 4) == 0;
	}
}

static void random_config(struct oracle_group_config *g, uint64_t *s)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->name, "model");
	g->nreaders = 1 + (unsigned)below(s, MAX_READERS);
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++) {
		struct oracle_check_config *c = &g->checks[i];

		c->enabled = i != ORACLE_RATE && below(s, 4) != 0;
		c->threshold = (int64_t)below(s, 3) * 500000;        /* 0, 0.5 or 1 us */
		c->expect = below(s, 2) ? ORACLE_EXPECT_PASS : ORACLE_EXPECT_FAIL;
		c->has_worst_min = below(s, 4) == 0;
		c->worst_min = (int64_t)below(s, 2000000) - 1000000;
		c->has_worst_max = below(s, 4) == 0;
		c->worst_max = (int64_t)below(s, 4000000);
	}
}

/*
 * Reads in end order (ends may repeat).  Values follow the true start time
 * in coarse steps (so that values tie), with jitter around it and now and then
 * a step back or a jump; a read is sometimes long, so that up to about 40
 * others end while it is in flight.  Sparse reads are the bench's kind: most
 * start after the last one ended, and values follow the start finely, so
 * that most reads are above every read before them.
 */
static void random_read(uint64_t *s, const struct oracle_group_config *g, bool sparse,
			sim_ps *t, struct mread *b)
{
	sim_ps cost;
	int64_t v;

	if (sparse && below(s, 8) != 0)
		*t += 400000 + below(s, 2000000);   /* mostly after the last read ended */
	else
		*t += below(s, 4) ? below(s, 300000) : 0;
	cost = below(s, 10) ? below(s, 400000) : below(s, 12000000);
	b->reader = (unsigned)below(s, g->nreaders);
	b->vcpu = b->reader + 10 * (unsigned)below(s, 2);
	b->end_ps = *t;
	b->start_ps = cost > *t ? 0 : *t - cost;
	if (sparse)   /* the clock runs with the start, so that most reads are above the last */
		v = (int64_t)(b->start_ps / 1000) + (int64_t)below(s, 40);
	else
		v = (int64_t)(b->start_ps / 1000) / 200 * 200 + 100 * (int64_t)below(s, 4);
	switch (below(s, 20)) {
	case 0:
		v -= (int64_t)below(s, 3000);     /* a step back */
		break;
	case 1:
		v += (int64_t)below(s, 5000);     /* a jump ahead */
		break;
	default:
		break;
	}
	b->value_ns = v < 0 ? 0 : (uint64_t)v;
}

static void expect_same(const struct oracle_check_result *o, const struct oracle_check_result *m,
			uint64_t seed, unsigned read)
{
	const char *n = oracle_check_name(m->id);

	cr_expect_eq(o->enabled, m->enabled, "seed %" PRIu64 " %s", seed, n);
	cr_expect_eq(o->samples, m->samples, "seed %" PRIu64 " read %u %s samples %" PRIu64
		     " vs %" PRIu64, seed, read, n, o->samples, m->samples);
	cr_expect_eq(o->violations, m->violations, "seed %" PRIu64 " read %u %s violations",
		     seed, read, n);
	cr_expect_eq(o->worst, m->worst, "seed %" PRIu64 " read %u %s worst %" PRId64 " vs %"
		     PRId64, seed, read, n, o->worst, m->worst);
	cr_expect_eq(o->passed, m->passed, "seed %" PRIu64 " %s passed", seed, n);
	cr_expect_eq(o->expectation_met, m->expectation_met, "seed %" PRIu64 " read %u %s met",
		     seed, read, n);
	cr_expect_eq(o->has_first, m->has_first, "seed %" PRIu64 " %s has_first", seed, n);
	if (!o->has_first || !m->has_first)
		return;
	cr_expect_eq(o->first.t_ps, m->first.t_ps, "seed %" PRIu64 " %s first.t", seed, n);
	cr_expect_eq(o->first.vcpu, m->first.vcpu, "seed %" PRIu64 " %s first.vcpu", seed, n);
	cr_expect_eq(o->first.value_ns, m->first.value_ns, "seed %" PRIu64 " %s", seed, n);
	cr_expect_eq(o->first.other_t_ps, m->first.other_t_ps,
		     "seed %" PRIu64 " %s first.other_t %" PRIu64 " vs %" PRIu64, seed, n,
		     o->first.other_t_ps, m->first.other_t_ps);
	cr_expect_eq(o->first.other_vcpu, m->first.other_vcpu, "seed %" PRIu64 " %s", seed, n);
	cr_expect_eq(o->first.other_value_ns, m->first.other_value_ns,
		     "seed %" PRIu64 " %s first.other_value", seed, n);
}

/* The oracle's first-violation hook: counts its calls, and checks the group. */
static void count_first(void *ctx, unsigned group)
{
	cr_expect_eq(group, 0);
	(*(unsigned *)ctx)++;
}

Test(oracle_model, random_reads_match_the_definitions)
{
	static struct model m;

	for (uint64_t seed = 1; seed <= 400; seed++) {
		uint64_t s = seed;
		unsigned nreads = 30 + (unsigned)below(&s, seed % 8 ? 800 : MAX_READS - 30);
		const struct oracle_check_result *res;
		struct oracle *o;
		sim_ps t = 1000000;

		memset(&m, 0, sizeof(m));
		unsigned firsts = 0, hook_calls = 0;

		random_config(&m.cfg, &s);
		if (seed % 3 == 0)
			common_config(&m.cfg, &s);
		o = oracle_create(&m.cfg, 1);
		cr_assert_not_null(o);
		oracle_set_on_first(o, count_first, &hook_calls);
		for (unsigned i = 0; i < nreads; i++) {
			struct mread b;
			bool got, want;

			random_read(&s, &m.cfg, seed % 3 == 0, &t, &b);
			/* both entries: by group number, and by the handle a sink keeps */
			got = seed % 2 ? oracle_feed(o, 0, b.reader, b.vcpu, b.start_ps, b.end_ps,
						     b.value_ns)
				       : oracle_group_feed(oracle_group_handle(o, 0), b.reader, b.vcpu,
							   b.start_ps, b.end_ps, b.value_ns);
			want = model_feed(&m, &b);
			cr_expect_eq(got, want, "seed %" PRIu64 " read %u: first violation", seed, i);
			firsts += got;
			/*
			 * Mid-run now and then: the fused pass only counts its reads,
			 * which oracle_results adds up; the counts are the rows' then.
			 */
			if (seed % 5 == 0 && i % 23 == 22) {
				res = oracle_results(o, 0);
				for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
					if (m.cfg.checks[c].enabled)
						cr_expect_eq(res[c].samples, m.res[c].samples,
							     "seed %" PRIu64 " read %u check %u: samples"
							     " %" PRIu64 " vs %" PRIu64, seed, i, c,
							     res[c].samples, m.res[c].samples);
				cr_expect_eq(oracle_reads(o, 0), i + 1, "seed %" PRIu64 " read %u",
					     seed, i);
			}
		}
		cr_expect_eq(hook_calls, firsts, "seed %" PRIu64 ": on_first once per first", seed);
		model_finish(&m);
		res = oracle_results(o, 0);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
			expect_same(&res[c], &m.res[c], seed, nreads);
		cr_expect_eq(oracle_reads(o, 0), nreads);
		oracle_destroy(o);
	}
}
