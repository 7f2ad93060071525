/*
 * Sweeps (docs/sweeps.md): variants spliced into a scenario's text, the
 * canonical JSON and FNV-1a ids, the plan's order, shards, result rows and
 * the sweep file's errors.  Expected ids are FNV-1a 64 of canonical texts
 * written out by hand here; the hash is checked against the published test
 * vectors first.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/temp_files.h"
#include "sim/scenario/sweep_file.h"
#include "sim/scenario/sweep_row.h"
#include "sim/scenario/variant.h"
#include "sim/sweep/merge.h"
#include "sim/sweep/plan.h"
#include "sim/sweep/results.h"

TestSuite(sweep, .fini = temp_files_remove);

Test(sweep, fnv1a64_matches_the_published_vectors)
{
	cr_expect_eq(sweep_fnv1a64("", 0), 0xcbf29ce484222325ULL);
	cr_expect_eq(sweep_fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
	cr_expect_eq(sweep_fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
}

Test(sweep, canonical_json_sorts_keys_and_drops_layout)
{
	static const char doc[] = "{ \"b\": 1,\n \"a\": {\"d\": [1, {\"z\": 0, \"y\": 1}],"
				  " \"c\": \"s\"} }";
	char *c = scenario_canonical_json(doc, strlen(doc));

	cr_assert(c);
	cr_expect_str_eq(c, "{\"a\":{\"c\":\"s\",\"d\":[1,{\"y\":1,\"z\":0}]},\"b\":1}");
	free(c);
	cr_expect_null(scenario_canonical_json("{\"a\":", 5));
}

Test(sweep, variant_replaces_and_adds_values_keeping_line_numbers)
{
	static const char base[] = "{\n  \"x\": {\n    \"a\": [1, 2],\n    \"b\": \"u\"\n  },\n"
				   "  \"e\": {}\n}\n";
	struct scn_override ov[] = {
		{ "/x/a", "7" }, { "/x/c", "\"new\"" }, { "/e/k", "true" }, { "/x/b", "{\"p\":1}" },
	};
	struct sim_diag err;
	size_t len;
	char *t = scenario_variant_text("b.json", base, strlen(base), ov, 4, &len, &err);

	cr_assert(t, "%s", err.msg);
	cr_expect_str_eq(t, "{\n  \"x\": {\"c\":\"new\",\n    \"a\": 7,\n    \"b\": {\"p\":1}\n  },\n"
			    "  \"e\": {\"k\":true}\n}\n");
	cr_expect_eq(len, strlen(t));
	free(t);
}

Test(sweep, variant_refuses_a_pointer_without_a_parent)
{
	static const char base[] = "{\"x\": [1, 2], \"y\": 3}";
	struct scn_override missing = { "/z/a", "1" }, past = { "/x/2", "1" }, scalar = { "/y/q", "1" };
	struct sim_diag err;
	size_t len;

	cr_expect_null(scenario_variant_text("b.json", base, strlen(base), &missing, 1, &len, &err));
	cr_expect_str_eq(err.path, "/z/a");
	cr_expect_str_eq(err.file, "b.json");
	cr_expect(strstr(err.msg, "no value at its parent"), "%s", err.msg);
	cr_expect_null(scenario_variant_text("b.json", base, strlen(base), &past, 1, &len, &err));
	cr_expect(strstr(err.msg, "past the end of an array"), "%s", err.msg);
	cr_expect_null(scenario_variant_text("b.json", base, strlen(base), &scalar, 1, &len, &err));
}

static struct sweep_spec *spec_of(const char *base_file, const char *vary_a, const char *seeds)
{
	struct sweep_spec *sp = sweep_spec_new(base_file);
	char why[256];

	cr_assert(sp);
	cr_assert(sweep_spec_add_vary(sp, vary_a, why, sizeof(why)), "%s", why);
	cr_assert(sweep_spec_add_vary(sp, "/x/b=p,q", why, sizeof(why)), "%s", why);
	cr_assert(sweep_spec_set_seeds(sp, seeds, why, sizeof(why)), "%s", why);
	cr_assert(sweep_spec_count(sp, why, sizeof(why)), "%s", why);
	return sp;
}

static uint64_t fnv(const char *s)
{
	return sweep_fnv1a64(s, strlen(s));
}

Test(sweep, plan_order_is_axes_then_seeds_and_ids_hash_the_variant)
{
	const char *base = temp_file_write(0, "base.json", "{ \"x\": { \"b\": \"u\", \"a\": 0 },\n"
				      "  \"seed\": 1 }\n");
	struct sweep_spec *sp = spec_of(base, "/x/a=1,2,3", "2..3");
	struct sweep_plan p;
	struct sweep_job j;
	struct sim_diag err;

	cr_assert(sweep_plan_open(&p, sp, &err), "%s", err.msg);
	cr_expect_eq(sp->njobs, 12);
	/* index 7 = ((a 1) * 2 + (b 1)) * 2 + (seed index 1): a=2, b="q", seed 3 */
	cr_assert(sweep_plan_job(&p, 7, &j, &err), "%s", err.msg);
	cr_expect_eq(j.coord[0], 1);
	cr_expect_eq(j.coord[1], 1);
	cr_expect_eq(j.seed, 3);
	cr_expect_eq(j.id, fnv("{\"seed\":3,\"x\":{\"a\":2,\"b\":\"q\"}}"));
	sweep_job_free(&j);
	/* index 0: the first value of every axis and the first seed */
	cr_assert(sweep_plan_job(&p, 0, &j, &err));
	cr_expect_eq(j.id, fnv("{\"seed\":2,\"x\":{\"a\":1,\"b\":\"p\"}}"));
	sweep_job_free(&j);
	sweep_plan_close(&p);
	sweep_spec_free(sp);
}

Test(sweep, an_id_does_not_depend_on_the_jobs_position)
{
	const char *base = temp_file_write(0, "base.json", "{\"x\": {\"a\": 0, \"b\": \"u\"}}");
	struct sweep_spec *three = spec_of(base, "/x/a=1,2,3", "5..6");
	struct sweep_spec *two = spec_of(base, "/x/a=1,3", "5..6");
	struct sweep_plan p3, p2;
	struct sweep_job a, b;
	struct sim_diag err;

	cr_assert(sweep_plan_open(&p3, three, &err) && sweep_plan_open(&p2, two, &err));
	/* a=3, b="q", seed 6: index 11 of 12 in one plan, 7 of 8 in the other */
	cr_assert(sweep_plan_job(&p3, 11, &a, &err) && sweep_plan_job(&p2, 7, &b, &err));
	cr_expect_eq(a.id, b.id);
	cr_expect_eq(a.id, fnv("{\"seed\":6,\"x\":{\"a\":3,\"b\":\"q\"}}"));
	sweep_job_free(&a);
	sweep_job_free(&b);
	sweep_plan_close(&p3);
	sweep_plan_close(&p2);
	sweep_spec_free(three);
	sweep_spec_free(two);
}

Test(sweep, vary_values_are_json_or_strings)
{
	struct sweep_spec *sp = sweep_spec_new("x.json");
	char why[256];

	cr_assert(sweep_spec_add_vary(sp, "/a=1ms,7,true,\"q\"", why, sizeof(why)), "%s", why);
	cr_expect_str_eq(sp->axes[0].values[0], "\"1ms\"");
	cr_expect_str_eq(sp->axes[0].values[1], "7");
	cr_expect_str_eq(sp->axes[0].values[2], "true");
	cr_expect_str_eq(sp->axes[0].values[3], "\"q\"");
	cr_expect_not(sweep_spec_add_vary(sp, "/b=1,1", why, sizeof(why)));
	cr_expect(strstr(why, "given twice"), "%s", why);
	cr_expect_not(sweep_spec_add_vary(sp, "readers=1", why, sizeof(why)));
	cr_expect_not(sweep_spec_add_vary(sp, "/seed=1,2", why, sizeof(why)));
	cr_expect_not(sweep_spec_set_seeds(sp, "5..4", why, sizeof(why)));
	sweep_spec_free(sp);
}

static const char *env_table[8][2];

static const char *fake_env(const char *name)
{
	for (unsigned i = 0; i < 8 && env_table[i][0]; i++)
		if (strcmp(env_table[i][0], name) == 0)
			return env_table[i][1];
	return NULL;
}

Test(sweep, shards_come_from_the_option_or_the_environment)
{
	struct sweep_shard s;
	char why[256];
	bool found;

	cr_expect(sweep_shard_parse("3/4", &s, why, sizeof(why)) && s.k == 3 && s.n == 4);
	cr_expect_not(sweep_shard_parse("4/4", &s, why, sizeof(why)));
	cr_expect(strstr(why, "{%}"), "%s", why);
	cr_expect_not(sweep_shard_parse("1/0", &s, why, sizeof(why)));
	cr_expect_not(sweep_shard_parse("x/2", &s, why, sizeof(why)));
	cr_expect_not(sweep_shard_parse("2", &s, why, sizeof(why)));

	memset(env_table, 0, sizeof(env_table));
	cr_expect(sweep_shard_from_env(fake_env, &s, &found, why, sizeof(why)) && !found);
	env_table[0][0] = "TEST_SHARD_INDEX", env_table[0][1] = "1";
	env_table[1][0] = "TEST_TOTAL_SHARDS", env_table[1][1] = "3";
	cr_expect(sweep_shard_from_env(fake_env, &s, &found, why, sizeof(why)) && found &&
		  s.k == 1 && s.n == 3);
	/* Slurm's pair comes first */
	env_table[2][0] = "SLURM_ARRAY_TASK_ID", env_table[2][1] = "5";
	env_table[3][0] = "SLURM_ARRAY_TASK_COUNT", env_table[3][1] = "8";
	env_table[4][0] = "SLURM_ARRAY_TASK_MIN", env_table[4][1] = "0";
	cr_expect(sweep_shard_from_env(fake_env, &s, &found, why, sizeof(why)) && s.k == 5 &&
		  s.n == 8);
	/* --array=1-8: ids are not shard indices */
	env_table[4][1] = "1";
	cr_expect_not(sweep_shard_from_env(fake_env, &s, &found, why, sizeof(why)));
	cr_expect(strstr(why, "--array=0-(N-1)"), "%s", why);
}

Test(sweep, rows_sort_by_id_keep_identical_duplicates_and_refuse_conflicts)
{
	struct sweep_rows r = { 0 };
	uint64_t conflict = 0;

	cr_assert(sweep_rows_add(&r, 3, "c\n", 2) && sweep_rows_add(&r, 1, "a\n", 2) &&
		  sweep_rows_add(&r, 3, "c\n", 2));
	cr_assert(sweep_rows_sort(&r, &conflict));
	cr_assert_eq(r.n, 2);
	cr_expect_eq(r.v[0].id, 1);
	cr_expect_eq(r.v[1].id, 3);
	cr_expect_not_null(sweep_rows_find(&r, 3));
	cr_expect_null(sweep_rows_find(&r, 2));
	cr_assert(sweep_rows_add(&r, 1, "b\n", 2));
	cr_expect_not(sweep_rows_sort(&r, &conflict));
	cr_expect_eq(conflict, 1);
	sweep_rows_free(&r);
}

Test(sweep, a_row_reads_back)
{
	static const char row[] =
		"{\"id\":\"00000000000000ff\",\"scenario\":\"0123456789abcdef\",\"sim\":\"0.1.0\","
		"\"seed\":9,\"vary\":{\"/a\":\"1ms\"},\"verdict\":\"fail\",\"events\":5,\"checks\":["
		"{\"of\":\"r\",\"check\":\"rate\",\"met\":false,\"worst\":-200060,\"unit\":\"ppb\"}]}";
	struct sweep_row_view v = { 0 };
	char why[160];

	cr_assert(sweep_row_parse(row, strlen(row), &v, why, sizeof(why)), "%s", why);
	cr_expect_eq(v.id, 255);
	cr_expect_eq(v.seed, 9);
	cr_expect_str_eq(v.verdict, "fail");
	cr_expect(v.vary_len == 12 && memcmp(v.vary, "{\"/a\":\"1ms\"}", 12) == 0);
	cr_assert_eq(v.nchecks, 1);
	cr_expect_eq(v.checks[0].worst, -200060);
	cr_expect_not(v.checks[0].met);
	cr_expect_not(sweep_row_parse("{\"id\":\"FF\"}", 11, &v, why, sizeof(why)));
	sweep_row_view_free(&v);
}

/* A row of one check of worst value `worst` (its text), or n_checks checks of worst 1. */
static char *row_text(const char *worst, unsigned n_checks)
{
	size_t cap = 256 + (size_t)n_checks * 96;
	char *t = malloc(cap);
	size_t n;

	cr_assert(t);
	n = (size_t)snprintf(t, cap, "{\"id\":\"0000000000000001\",\"scenario\":\"0123456789abcdef\","
			     "\"sim\":\"0.1.0\",\"seed\":1,\"vary\":{},\"verdict\":\"fail\","
			     "\"checks\":[");
	for (unsigned i = 0; i < n_checks; i++)
		n += (size_t)snprintf(t + n, cap - n, "%s{\"of\":\"r%u\",\"check\":\"rate\","
				      "\"met\":false,\"worst\":%s,\"unit\":\"ps\"}", i ? "," : "",
				      i, worst);
	snprintf(t + n, cap - n, "]}");
	return t;
}

/*
 * A worst value beyond 2^53 reads back exact (a double would round
 * 860399699113576001 to ...6000), and so do the int64 limits; one past them
 * is refused, not saturated.
 */
Test(sweep, a_rows_worst_reads_back_exact_to_64_bits)
{
	static const struct {
		const char *text;
		int64_t value;
	} ok[] = {
		{ "860399699113576001", INT64_C(860399699113576001) },
		{ "9223372036854775807", INT64_MAX },
		{ "-9223372036854775808", INT64_MIN },
	};
	struct sweep_row_view v = { 0 };
	char why[160];

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *t = row_text(ok[i].text, 1);

		cr_assert(sweep_row_parse(t, strlen(t), &v, why, sizeof(why)), "%s: %s", t, why);
		cr_expect_eq(v.checks[0].worst, ok[i].value, "%s", ok[i].text);
		free(t);
	}
	for (unsigned i = 0; i < 3; i++) {
		static const char *const bad[] = { "9223372036854775808", "1.5", "\"7\"" };
		char *t = row_text(bad[i], 1);

		cr_expect_not(sweep_row_parse(t, strlen(t), &v, why, sizeof(why)), "%s", bad[i]);
		cr_expect(strstr(why, "64-bit integer"), "%s", why);
		free(t);
	}
	sweep_row_view_free(&v);
}

/* A scenario may have any number of readers: a row of 1000 checks reads back whole. */
Test(sweep, a_row_of_a_thousand_checks_reads_back)
{
	struct sweep_row_view v = { 0 };
	char why[160], *t = row_text("1", 1000);

	cr_assert(sweep_row_parse(t, strlen(t), &v, why, sizeof(why)), "%s", why);
	cr_assert_eq(v.nchecks, 1000);
	cr_expect_str_eq(v.checks[999].of, "r999");
	free(t);
	sweep_row_view_free(&v);
}

/*
 * The summary counts every row: a failed job whose worst is beyond 2^53 and
 * which has more than 256 checks is a fail (exit 1), not left out (the bug:
 * "0 jobs of 1", exit 0).
 */
Test(sweep, the_summary_counts_a_row_with_huge_values_and_many_checks)
{
	struct sweep_rows r = { 0 };
	static struct sweep_summary s;
	char *t = row_text("860399699113576001", 300);
	uint64_t conflict;
	size_t n = strlen(t);

	t = realloc(t, n + 2);
	cr_assert(t);
	memcpy(t + n, "\n", 2);
	cr_assert(sweep_rows_add(&r, 1, t, n + 1));
	cr_assert(sweep_rows_sort(&r, &conflict));
	sweep_summarize(&r, &s);
	cr_expect_eq(s.rows, 1);
	cr_expect_eq(s.fail, 1);
	cr_expect_eq(s.error, 0);
	cr_expect_eq(s.nchecks, SWEEP_SUMMARY_MAX);
	cr_expect(s.truncated);
	cr_expect_eq(s.checks[0].worst[0].worst, INT64_C(860399699113576001));
	free(t);
	sweep_rows_free(&r);
}

/* A row in CR LF is refused with its file and line; a conflict names both rows' places. */
Test(sweep, reading_rows_refuses_cr_lf_and_a_conflict_names_both_lines)
{
	static const char row[] =
		"{\"id\":\"0000000000000001\",\"scenario\":\"0123456789abcdef\",\"sim\":\"0.1.0\","
		"\"seed\":1,\"vary\":{},\"verdict\":\"pass\",\"checks\":[]}";
	char text[512], why[512];
	struct sweep_rows r = { 0 };
	uint64_t conflict = 0;
	const char *a, *b;

	snprintf(text, sizeof(text), "%s\n%s\r\n", row, row);
	a = temp_file_write(0, "crlf.jsonl", text);
	cr_expect_not(sweep_rows_read(&r, a, false, why, sizeof(why)));
	cr_expect(strstr(why, "crlf.jsonl:2: the row ends in CR LF"), "%s", why);
	sweep_rows_free(&r);

	snprintf(text, sizeof(text), "%s\n", row);
	a = temp_file_write(0, "a.jsonl", text);
	snprintf(text, sizeof(text), "\n%s\n", row);
	*strstr(text, "pass") = 'P';
	memcpy(strstr(text, "Pass"), "fail", 4);
	b = temp_file_write(2, "b.jsonl", text + 1);
	cr_assert(sweep_rows_read(&r, a, false, why, sizeof(why)), "%s", why);
	cr_assert(sweep_rows_read(&r, b, false, why, sizeof(why)), "%s", why);
	cr_expect_not(sweep_rows_sort(&r, &conflict));
	cr_expect_eq(conflict, 1);
	cr_expect(r.conflict[0].file && r.conflict[1].file);
	cr_expect(strcmp(r.conflict[0].file, r.conflict[1].file) != 0);
	cr_expect_eq(r.conflict[0].lineno, 1);
	cr_expect_eq(r.conflict[1].lineno, 1);
	sweep_rows_free(&r);
}

/* The first error of a sweep file: line, column, pointer and a piece of its message. */
static void expect_error(const char *text, unsigned line, unsigned col, const char *path,
			 const char *msg)
{
	const char *f = temp_file_write(1, "s.json", text);
	struct sim_diag err;
	struct sweep_spec *sp = sweep_spec_load(f, &err, NULL);

	cr_assert_null(sp, "loaded: %s", text);
	cr_expect_eq(err.line, line, "line %u, expected %u: %s", err.line, line, err.msg);
	cr_expect_eq(err.col, col, "col %u, expected %u: %s", err.col, col, err.msg);
	cr_expect_str_eq(err.path, path);
	cr_expect(strstr(err.msg, msg), "message: %s", err.msg);
}

Test(sweep, sweep_file_errors_name_line_column_and_pointer)
{
	expect_error("{\n  \"scenario\": \"b.json\",\n  \"axes\": [\n"
		     "    { \"path\": \"readers\", \"values\": [1] }\n  ]\n}\n",
		     4, 15, "/axes/0/path", "expected a JSON pointer");
	expect_error("{\n  \"scenario\": \"b.json\",\n  \"axes\": [\n"
		     "    { \"path\": \"/a\", \"from\": 0, \"to\": 2000000 }\n  ]\n}\n",
		     4, 5, "/axes/0", "2000001 values (at most 100000 per axis)");
	expect_error("{\n  \"scenario\": \"b.json\",\n  \"axes\": [\n"
		     "    { \"path\": \"/a\", \"values\": [1, 2, 1] }\n  ]\n}\n",
		     4, 31, "/axes/0/values", "value 2 repeats value 0");
	expect_error("{\n  \"scenario\": \"b.json\",\n  \"seeds\": { \"from\": 5, \"to\": 4 }\n}\n",
		     3, 12, "/seeds", "\"to\" is before \"from\"");
	expect_error("{\n  \"scenario\": \"b.json\",\n  \"axes\": [],\n  \"colour\": 1\n}\n",
		     4, 3, "/colour", "");
	expect_error("{ \"scenario\": \"b.json\", \"expect\": { \"readers/0\": 1 } }",
		     1, 50, "/expect/readers~10", "expected a JSON pointer");
	expect_error("{ \"scenario\": \"b.json\", \"seeds\": [1, 3, 1] }", 1, 34, "/seeds",
		     "seed 1 is given twice");
	/* cJSON stops at the last character it read: the blank after the value */
	expect_error("{ \"scenario\": \"b.json\" ", 1, 23, "", "invalid JSON");
}

Test(sweep, sweep_file_loads_axes_ranges_seeds_and_settings)
{
	const char *f = temp_file_write(2, "s.json",
		"{ \"scenario\": \"base.json\",\n"
		"  \"axes\": [ { \"path\": \"/a\", \"values\": [\"1ms\", {\"k\": 2}] },\n"
		"            { \"path\": \"/b\", \"from\": -10, \"to\": 10, \"step\": 7, "
		"\"unit\": \"ppm\" } ],\n"
		"  \"seeds\": [4, 8],\n"
		"  \"expect\": { \"/readers/0/checks/rate/expect\": \"pass\" } }\n");
	struct sim_diag err;
	struct sweep_spec *sp = sweep_spec_load(f, &err, NULL);
	char want[160];

	cr_assert(sp, "%s", err.msg);
	snprintf(want, sizeof(want), "%.*s/base.json", (int)(strrchr(f, '/') - f), f);
	cr_expect_str_eq(sp->scenario, want);
	cr_assert_eq(sp->naxes, 2);
	cr_expect_str_eq(sp->axes[0].values[1], "{\"k\":2}");
	/* -10, -3, 4 (11 would pass 10) */
	cr_assert_eq(sp->axes[1].nvalues, 3);
	cr_expect_str_eq(sp->axes[1].values[0], "\"-10ppm\"");
	cr_expect_str_eq(sp->axes[1].values[2], "\"4ppm\"");
	cr_expect_eq(sp->nseeds, 2);
	cr_expect_eq(sweep_spec_seed(sp, 1), 8);
	cr_expect_eq(sp->njobs, 2 * 3 * 2);
	cr_assert_eq(sp->nsets, 1);
	cr_expect_str_eq(sp->sets[0].json, "\"pass\"");
	sweep_spec_free(sp);
}

/* A row of check "c" of "r" with a worst value, for the summary. */
static void add_row(struct sweep_rows *r, uint64_t id, int64_t worst)
{
	char line[400];
	int n = snprintf(line, sizeof(line),
			 "{\"id\":\"%016llx\",\"scenario\":\"0123456789abcdef\",\"sim\":\"0.1.0\","
			 "\"seed\":%llu,\"vary\":{},\"verdict\":\"%s\",\"checks\":[{\"of\":\"r\","
			 "\"check\":\"c\",\"met\":%s,\"worst\":%lld,\"unit\":\"ps\"}]}\n",
			 (unsigned long long)id, (unsigned long long)id, worst > 8 ? "fail" : "pass",
			 worst > 8 ? "false" : "true", (long long)worst);

	cr_assert(sweep_rows_add(r, id, line, (size_t)n));
}

Test(sweep, the_summary_names_the_three_largest_magnitudes_smaller_ids_first)
{
	struct sweep_rows r = { 0 };
	static struct sweep_summary s;
	uint64_t conflict;

	add_row(&r, 5, 5);
	add_row(&r, 4, 9);
	add_row(&r, 2, -9);
	add_row(&r, 3, 7);
	add_row(&r, 1, 1);
	cr_assert(sweep_rows_sort(&r, &conflict));
	sweep_summarize(&r, &s);
	cr_expect_eq(s.rows, 5);
	cr_expect_eq(s.pass, 4);
	cr_expect_eq(s.fail, 1);
	cr_assert_eq(s.nchecks, 1);
	cr_expect_eq(s.checks[0].failed, 1);
	cr_assert_eq(s.checks[0].nworst, 3);
	/* |-9| = |9|: id 2 before id 4; then 7 */
	cr_expect_eq(s.checks[0].worst[0].id, 2);
	cr_expect_eq(s.checks[0].worst[0].worst, -9);
	cr_expect_eq(s.checks[0].worst[1].id, 4);
	cr_expect_eq(s.checks[0].worst[2].worst, 7);
	cr_expect_not(s.mixed);
	sweep_rows_free(&r);
}

/* True when s is well-formed UTF-8 (RFC 3629: no cut sequence). */
static bool utf8_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 :
			     (*p & 0xf8) == 0xf0 ? 3 : 9;

		if (n == 9)
			return false;
		for (p++; n; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/*
 * A long "vary" is cut in the summary at a character's start, with "...": the
 * value "ab" and then 200 two-byte "é" would be cut inside one at byte 252
 * (the é's start at odd offsets, after the 9 bytes {"/d":"ab).
 */
Test(sweep, the_summary_cuts_a_long_vary_at_a_character_and_says_so)
{
	struct sweep_rows r = { 0 };
	static struct sweep_summary s;
	char row[1024];
	uint64_t conflict;
	int n = snprintf(row, sizeof(row), "{\"id\":\"0000000000000001\",\"scenario\":"
			 "\"0123456789abcdef\",\"sim\":\"0.1.0\",\"seed\":1,\"vary\":{\"/d\":\"ab");

	for (unsigned i = 0; i < 200; i++)
		n += snprintf(row + n, sizeof(row) - (size_t)n, "\xc3\xa9");
	n += snprintf(row + n, sizeof(row) - (size_t)n, "\"},\"verdict\":\"pass\",\"checks\":["
		      "{\"of\":\"r\",\"check\":\"rate\",\"met\":true,\"worst\":1,\"unit\":\"ps\"}]}\n");
	cr_assert(sweep_rows_add(&r, 1, row, (size_t)n));
	cr_assert(sweep_rows_sort(&r, &conflict));
	sweep_summarize(&r, &s);
	cr_assert_eq(s.checks[0].nworst, 1);
	const char *shown = s.checks[0].worst[0].vary;
	size_t len = strlen(shown);

	cr_expect(len < SWEEP_SUMMARY_VARY_MAX && len > SWEEP_SUMMARY_VARY_MAX - 8, "%zu", len);
	cr_expect_str_eq(shown + len - 3, "...");
	cr_expect(utf8_ok(shown), "%s", shown);
	cr_expect(strncmp(shown, "{\"/d\":\"ab\xc3\xa9", 11) == 0, "%s", shown);
	sweep_rows_free(&r);
}

/* Row `id` with verdict v, as sim writes it (with its newline). */
static void merge_row(char *dst, size_t cap, unsigned id, const char *v)
{
	snprintf(dst, cap,
		 "{\"id\":\"%016x\",\"scenario\":\"0123456789abcdef\",\"sim\":\"0.1.0\","
		 "\"seed\":%u,\"vary\":{},\"verdict\":\"%s\",\"checks\":[]}\n", id, id, v);
}

/* Files of rows with these ids (0 ends a file), verdict "pass" unless id is `failing`. */
static const char *merge_file(unsigned slot, const char *name, const unsigned *ids,
			      unsigned failing)
{
	static char text[2048];
	size_t at = 0;

	for (; *ids; ids++)
		merge_row(text + at, sizeof(text) - at, *ids, *ids == failing ? "fail" : "pass"),
			at += strlen(text + at);
	text[at] = '\0';
	return temp_file_write(slot, name, text);
}

/*
 * Sorted files merge in id order, a row given twice once; a file whose ids
 * go down, or an id with two different rows, stops the merge and says where.
 */
Test(sweep, merge_gives_rows_in_id_order_once_and_finds_disorder_and_conflicts)
{
	static const unsigned a_ids[] = { 1, 4, 4, 9, 0 }, b_ids[] = { 2, 4, 7, 0 },
			      c_ids[] = { 0 }, want[] = { 1, 2, 4, 7, 9 };
	const char *files[3];
	struct sweep_merge m;
	const struct sweep_row_view *view;
	const char *line;
	size_t len, n = 0;
	uint64_t id;
	int open_errno;
	char why[512], expect[256];
	enum sweep_merge_step step;

	files[0] = merge_file(0, "a.jsonl", a_ids, 0);
	files[1] = merge_file(1, "b.jsonl", b_ids, 0);
	files[2] = merge_file(2, "c.jsonl", c_ids, 0);
	/* parsed, and again for the ids alone (sim's layout, no parse) */
	for (int ids_only = 0; ids_only < 2; ids_only++) {
		n = 0;
		cr_assert(sweep_merge_open(&m, files, 3, ids_only, &open_errno, why, sizeof(why)),
			  "%s", why);
		while ((step = sweep_merge_next(&m, &line, &len, &id, &view, why, sizeof(why))) ==
		       SWEEP_MERGE_ROW) {
			cr_assert_lt(n, 5, "more rows than the five distinct ones");
			cr_expect_eq(id, want[n]);
			cr_expect(ids_only ? !view : view && view->id == id && view->seed == id);
			merge_row(expect, sizeof(expect), want[n], "pass");
			cr_expect(len == strlen(expect) && memcmp(line, expect, len) == 0, "row %zu", n);
			n++;
		}
		cr_expect_eq(step, SWEEP_MERGE_END, "%s", why);
		cr_expect_eq(n, 5);
		sweep_merge_close(&m);
	}

	/* b's 4 fails: two different rows for job 4 */
	files[1] = merge_file(1, "b.jsonl", b_ids, 4);
	cr_assert(sweep_merge_open(&m, files, 2, false, &open_errno, why, sizeof(why)), "%s", why);
	while ((step = sweep_merge_next(&m, &line, &len, &id, &view, why, sizeof(why))) == SWEEP_MERGE_ROW)
		cr_expect_leq(id, 4);   /* the first row of job 4 is given before the second shows */
	cr_expect_eq(step, SWEEP_MERGE_CONFLICT);
	cr_expect(strstr(why, "job 0000000000000004") && strstr(why, "a.jsonl:2") &&
		  strstr(why, "b.jsonl:2"), "%s", why);
	sweep_merge_close(&m);

	/* ids that go down in one file */
	files[1] = merge_file(1, "b.jsonl", (const unsigned[]){ 2, 7, 3, 0 }, 0);
	cr_assert(sweep_merge_open(&m, files, 2, false, &open_errno, why, sizeof(why)), "%s", why);
	while ((step = sweep_merge_next(&m, &line, &len, &id, &view, why, sizeof(why))) == SWEEP_MERGE_ROW)
		;
	cr_expect_eq(step, SWEEP_MERGE_UNSORTED);
	cr_expect(strstr(why, "b.jsonl:3: job 0000000000000003 after 0000000000000007"), "%s", why);
	sweep_merge_close(&m);

	/* a file that is not there, and a line that is not a row */
	files[1] = "/nonexistent/b.jsonl";
	cr_expect_not(sweep_merge_open(&m, files, 2, false, &open_errno, why, sizeof(why)));
	cr_expect_eq(open_errno, ENOENT);
	cr_expect(strstr(why, "/nonexistent/b.jsonl: cannot read"), "%s", why);
	files[1] = temp_file_write(1, "b.jsonl", "not a row\n");
	cr_expect_not(sweep_merge_open(&m, files, 2, false, &open_errno, why, sizeof(why)));
	cr_expect_eq(open_errno, 0);
	cr_expect(strstr(why, "b.jsonl:1: not a sweep result row"), "%s", why);
}
