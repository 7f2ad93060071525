/* The trace stream: routing by kind, order, and the "nobody listens" fast path. */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/core/trace.h"

struct seen {
	unsigned n;
	enum sim_trace_kind kinds[8];
	sim_ps t[8];
};

static void record(void *ctx, const struct sim_trace_record *rec)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->kinds[s->n] = rec->kind;
		s->t[s->n] = rec->t_ps;
	}
	s->n++;
}

Test(trace, nobody_subscribed_wants_nothing)
{
	struct sim_trace t;

	sim_trace_init(&t);
	for (int k = 0; k < SIM_TRACE_KIND_COUNT; k++)
		cr_expect(!sim_trace_wants(&t, (enum sim_trace_kind)k));
	cr_expect(!sim_trace_wants(NULL, SIM_TRACE_READ));
}

Test(trace, records_reach_only_subscribers_of_their_kind_in_order)
{
	struct sim_trace t;
	struct seen reads = { 0 }, all = { 0 };
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = 5 };

	sim_trace_init(&t);
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_BIT(SIM_TRACE_READ), record, &reads));
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_ALL, record, &all));
	cr_expect(sim_trace_wants(&t, SIM_TRACE_READ));
	cr_expect(sim_trace_wants(&t, SIM_TRACE_IRQ_EDGE));
	sim_trace_publish(&t, &rec);
	rec.kind = SIM_TRACE_IRQ_EDGE;
	rec.t_ps = 7;
	sim_trace_publish(&t, &rec);
	cr_expect_eq(reads.n, 1);
	cr_expect_eq(all.n, 2);
	cr_expect_eq(all.kinds[0], SIM_TRACE_READ);
	cr_expect_eq(all.kinds[1], SIM_TRACE_IRQ_EDGE);
	cr_expect_eq(all.t[1], 7);
}

Test(trace, subscriber_table_is_bounded)
{
	struct sim_trace t;
	struct seen s = { 0 };

	sim_trace_init(&t);
	for (int i = 0; i < SIM_TRACE_MAX_SUBSCRIBERS; i++)
		cr_assert(sim_trace_subscribe(&t, SIM_TRACE_ALL, record, &s));
	cr_expect(!sim_trace_subscribe(&t, SIM_TRACE_ALL, record, &s));
}

Test(trace, every_kind_has_a_distinct_name)
{
	for (int a = 0; a < SIM_TRACE_KIND_COUNT; a++) {
		cr_assert_not_null(sim_trace_kind_name((enum sim_trace_kind)a));
		for (int b = 0; b < a; b++)
			cr_expect_str_neq(sim_trace_kind_name((enum sim_trace_kind)a),
					  sim_trace_kind_name((enum sim_trace_kind)b));
	}
	cr_expect_null(sim_trace_kind_name(SIM_TRACE_KIND_COUNT));
}
