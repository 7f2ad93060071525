/*
 * The allocation-free JSON reader (sim/scenario/jline.h) and the sim-trace
 * line parser built on it (sim/judge/trace_line.h).  Expected values are
 * read off RFC 8259's grammar and docs/trace-format.md by hand.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/judge/trace_line.h"
#include "sim/scenario/jline.h"

static int members(const char *text, struct jl_error *e)
{
	struct jl_iter it;
	struct jl_value k, v;
	int n = 0, r;

	if (!jl_begin(&it, text, strlen(text), false, e))
		return -1;
	while ((r = jl_next(&it, &k, &v, e)) == 1)
		n++;
	return r < 0 ? -1 : n;
}

Test(jline, walks_members_and_skips_nested_values)
{
	struct jl_error e;

	cr_expect_eq(members("{}", &e), 0);
	cr_expect_eq(members(" {\"a\":1, \"b\":[1,{\"c\":null}], \"d\":\"x\\u00e9\"} ", &e), 3);
	cr_expect_eq(members("{\"a\":-0.5e+3,\"b\":true,\"c\":false}", &e), 3);
}

Test(jline, refuses_what_the_grammar_refuses)
{
	static const char *const bad[] = {
		"{\"a\":1,}", "{\"a\" 1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}",
		"{\"a\":\"\x01\"}", "{\"a\":\"\\q\"}", "{\"a\":[1,]}", "{\"a\":1} x", "[1]",
		"{\"a\":1", "{\"a\":\"\\u12\"}",
	};
	struct jl_error e;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(members(bad[i], &e), -1, "%s", bad[i]);
}

Test(jline, the_error_offset_points_at_the_fault)
{
	struct jl_error e;

	cr_assert_eq(members("{\"a\":1 \"b\":2}", &e), -1);
	cr_expect_eq(e.off, 7);   /* the second key's quote, where ',' was expected */
}

Test(jline, integers_in_three_forms)
{
	struct jl_value v = { .type = JL_NUMBER, .p = "18446744073709551615", .n = 20 };
	uint64_t u;
	int64_t i;
	char why[128];

	cr_expect(jl_u64(&v, &u, why, sizeof(why)));
	cr_expect_eq(u, UINT64_MAX);
	v = (struct jl_value){ .type = JL_STRING, .p = "0x2c4a1b20", .n = 10 };
	cr_expect(jl_u64(&v, &u, why, sizeof(why)));
	cr_expect_eq(u, 0x2c4a1b20u);
	v = (struct jl_value){ .type = JL_STRING, .p = "-9223372036854775808", .n = 20 };
	cr_expect(jl_i64(&v, &i, why, sizeof(why)));
	cr_expect_eq(i, INT64_MIN);
	v = (struct jl_value){ .type = JL_STRING, .p = "18446744073709551616", .n = 20 };
	cr_expect_not(jl_u64(&v, &u, why, sizeof(why)));
	v = (struct jl_value){ .type = JL_NUMBER, .p = "1.5", .n = 3 };
	cr_expect_not(jl_u64(&v, &u, why, sizeof(why)));
	v = (struct jl_value){ .type = JL_NUMBER, .p = "-1", .n = 2 };
	cr_expect_not(jl_u64(&v, &u, why, sizeof(why)));
}

Test(jline, unescapes_strings)
{
	/* "a\"\u00e9\ud83d\ude00": a, quote, e-acute (2 bytes), U+1F600 (4 bytes) */
	static const char raw[] = "a\\\"\\u00e9\\ud83d\\ude00";
	struct jl_value v = { .type = JL_STRING, .p = raw, .n = sizeof(raw) - 1, .escaped = true };
	char out[16];

	cr_assert(jl_string(&v, out, sizeof(out)));
	cr_expect_str_eq(out, "a\"\xc3\xa9\xf0\x9f\x98\x80");
	cr_expect_not(jl_string(&v, out, 4));
}

Test(trace_line, a_read_line_becomes_a_record)
{
	static const char line[] = "{\"type\":\"read\",\"vcpu\":1,\"seq\":\"1042\",\"clock\":\"kvmclock\","
				   "\"value_ns\":81234567890,\"ref_before\":1,\"ref_after\":\"0x2\","
				   "\"mine\":[1,2]}";
	struct jt_line l;
	struct sim_diag d;

	sim_diag_clear(&d);
	cr_assert(jt_parse(line, strlen(line), 1, &l, &d), "%s", d.msg);
	cr_expect_eq(l.type, JT_READ);
	cr_expect_eq(l.u[F_SEQ], 1042);
	cr_expect_eq(l.u[F_VALUE_NS], 81234567890u);
	cr_expect_eq(l.u[F_REF_AFTER], 2);
	cr_expect(jl_is(&l.s[F_CLOCK], "kvmclock"));
	cr_expect_not(l.have & JT_BIT(F_ORDER));
	cr_expect_eq(l.col[F_SEQ], 31);   /* 1-based: the quote of "1042" */
}

Test(trace_line, the_type_may_come_anywhere_and_unknown_types_are_told)
{
	static const char moved[] = "{\"use_master_clock\":false,\"type\":\"masterclock\"}";
	static const char other[] = "{\"type\":\"kvm_exit\",\"vcpu\":0}";
	struct jt_line l;
	struct sim_diag d;

	sim_diag_clear(&d);
	cr_assert(jt_parse(moved, strlen(moved), 1, &l, &d));
	cr_expect_eq(l.type, JT_MASTERCLOCK);
	cr_expect_eq(l.u[F_USE_MASTER], 0);
	cr_assert(jt_parse(other, strlen(other), 2, &l, &d));
	cr_expect_eq(l.type, JT_UNKNOWN);
}

Test(trace_line, a_missing_or_wrong_field_is_named)
{
	static const char missing[] = "{\"type\":\"pvclock\",\"vcpu\":0,\"version\":2}";
	static const char wrong[] = "{\"type\":\"guest_run\",\"ref\":5,\"running\":1}";
	struct jt_line l;
	struct sim_diag d;

	sim_diag_clear(&d);
	cr_expect_not(jt_parse(missing, strlen(missing), 3, &l, &d));
	cr_expect_str_eq(d.msg, "a \"pvclock\" line needs \"tsc_timestamp\"");
	sim_diag_clear(&d);
	cr_expect_not(jt_parse(wrong, strlen(wrong), 4, &l, &d));
	cr_expect_str_eq(d.path, "/running");
	cr_expect_eq(d.line, 4);
	cr_expect_eq(d.col, 39);
}
