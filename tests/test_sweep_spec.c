/*
 * How a sweep spec is read (docs/sweeps.md): axes that would override each
 * other or an "expect" setting, RFC 6901 escapes in every pointer, the
 * grammar of `sim run --vary` values, and a description of any length.
 * Each refusal is the loader returning NULL (sim exits 2) with the file, the
 * line:column, the pointer and what was expected; the positions and offsets
 * below are counted by hand from the texts.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/temp_files.h"
#include "sim/scenario/sweep_file.h"

TestSuite(sweep_spec, .fini = temp_files_remove);

/* text as s.json in a fresh temporary directory. */
static const char *write_spec(const char *text)
{
	return temp_file_write(0, "s.json", text);
}

/* text is refused: its first error at line:col and pointer, its message holding each of msgs. */
static void expect_refused(const char *text, unsigned line, unsigned col, const char *ptr,
			   const char *const msgs[])
{
	const char *f = write_spec(text);
	struct sim_diag err;
	struct sweep_spec *sp = sweep_spec_load(f, &err, NULL);

	cr_assert_null(sp, "loaded: %s", text);
	cr_expect_str_eq(err.file, f);
	cr_expect_eq(err.line, line, "line %u, expected %u: %s", err.line, line, err.msg);
	cr_expect_eq(err.col, col, "col %u, expected %u: %s", err.col, col, err.msg);
	cr_expect_str_eq(err.path, ptr);
	for (unsigned i = 0; msgs[i]; i++)
		cr_expect(strstr(err.msg, msgs[i]), "message: %s\nexpected in it: %s", err.msg,
			  msgs[i]);
}

/* text loads, with njobs jobs (the values of its axes multiplied: one seed). */
static void expect_loaded(const char *text, uint64_t njobs)
{
	struct sim_diag err;
	struct sweep_spec *sp = sweep_spec_load(write_spec(text), &err, NULL);

	cr_assert(sp, "refused: %s\n%s", text, err.msg);
	cr_expect_eq(sp->njobs, njobs, "%s", text);
	sweep_spec_free(sp);
}

/* The value of the second axis sits at line 3, column 23: 12 blanks, '{', ' "path": '. */
#define TWO_AXES(a, b) \
	"{ \"scenario\": \"b.json\",\n" \
	"  \"axes\": [ { \"path\": \"" a "\", \"values\": [1] },\n" \
	"            { \"path\": \"" b "\", \"values\": [2] } ] }\n"

Test(sweep_spec, two_axes_with_one_path_are_refused)
{
	expect_refused(TWO_AXES("/hosts/0/name", "/hosts/0/name"), 3, 23, "/axes/1/path",
		       (const char *const[]){ "/hosts/0/name is also the path of /axes/0/path",
					      "one axis would override the other", NULL });
}

Test(sweep_spec, an_axis_inside_another_is_refused_either_way)
{
	expect_refused(TWO_AXES("/readers/0", "/readers/0/period"), 3, 23, "/axes/1/path",
		       (const char *const[]){ "/readers/0/period is inside the path of "
					      "/axes/0/path (/readers/0)", NULL });
	expect_refused(TWO_AXES("/readers/0/period", "/readers/0"), 3, 23, "/axes/1/path",
		       (const char *const[]){ "/readers/0 contains the path of /axes/0/path "
					      "(/readers/0/period)", NULL });
}

Test(sweep_spec, paths_overlap_only_by_whole_tokens)
{
	/* key "10" is not inside key "1"; "a~1b" is the key "a/b", not "a" then "b" */
	expect_loaded(TWO_AXES("/readers/1", "/readers/10"), 1);
	expect_loaded(TWO_AXES("/a~1b", "/a/b"), 1);
	expect_loaded(TWO_AXES("/a/b", "/a/bc"), 1);
}

/* One axis at line 2 (value at column 23) and one "expect" entry. */
#define AXIS_AND_EXPECT(a, e) \
	"{ \"scenario\": \"b.json\",\n" \
	"  \"axes\": [ { \"path\": \"" a "\", \"values\": [\"pass\", \"fail\"] } ],\n" \
	"  \"expect\": { \"" e "\": \"pass\" } }\n"

Test(sweep_spec, an_axis_that_expect_sets_too_is_refused)
{
	expect_refused(AXIS_AND_EXPECT("/readers/0/checks/rate/expect",
				       "/readers/0/checks/rate/expect"),
		       2, 23, "/axes/0/path",
		       (const char *const[]){ "/readers/0/checks/rate/expect is also a pointer "
					      "that \"expect\" sets",
					      "at /expect/~1readers~10~1checks~1rate~1expect",
					      "one would override the other", NULL });
	expect_refused(AXIS_AND_EXPECT("/readers/0/checks/rate/threshold",
				       "/readers/0/checks/rate"),
		       2, 23, "/axes/0/path",
		       (const char *const[]){ "/readers/0/checks/rate/threshold is inside a "
					      "pointer that \"expect\" sets (/readers/0/checks/rate,",
					      NULL });
	expect_refused(AXIS_AND_EXPECT("/readers/0", "/readers/0/checks/rate/expect"),
		       2, 23, "/axes/0/path",
		       (const char *const[]){ "/readers/0 contains a pointer that \"expect\" sets "
					      "(/readers/0/checks/rate/expect,", NULL });
	/* a sibling is not an overlap */
	expect_loaded(AXIS_AND_EXPECT("/readers/0/checks/rate/expect",
				      "/readers/0/checks/rate/threshold"), 2);
}

Test(sweep_spec, a_repeated_expect_key_is_refused_at_the_second)
{
	/* line 3: two blanks, then the key */
	expect_refused("{ \"scenario\": \"b.json\", \"expect\": {\n"
		       "  \"/a/b\": 1,\n"
		       "  \"/a/b\": 2 } }\n",
		       3, 3, "/expect/~1a~1b",
		       (const char *const[]){ "duplicate key \"/a/b\"", "expected each pointer once",
					      NULL });
}

Test(sweep_spec, a_tilde_must_be_an_rfc6901_escape)
{
	/* "/hosts/0/na~2me": the '~' is byte 11; in "/hosts/0/name~" byte 13 */
	expect_refused("{ \"scenario\": \"b.json\",\n"
		       "  \"axes\": [ { \"path\": \"/hosts/0/na~2me\", \"values\": [1] } ] }\n",
		       2, 23, "/axes/0/path",
		       (const char *const[]){ "/hosts/0/na~2me: \"~2\" at offset 11 is not an escape",
					      "expected \"~0\" (a '~' in a key) or \"~1\" (a '/' in "
					      "a key)", NULL });
	expect_refused("{ \"scenario\": \"b.json\",\n"
		       "  \"axes\": [ { \"path\": \"/hosts/0/name~\", \"values\": [1] } ] }\n",
		       2, 23, "/axes/0/path",
		       (const char *const[]){ "a '~' ends the pointer (offset 13)",
					      "expected \"~0\"", NULL });
	/* an "expect" key: its pointer in the file spells the '~' as "~0"; the value at 1:45 */
	expect_refused("{ \"scenario\": \"b.json\", \"expect\": { \"/a~x\": 1 } }\n",
		       1, 45, "/expect/~1a~0x",
		       (const char *const[]){ "/a~x: \"~x\" at offset 2 is not an escape",
					      "expected \"~0\"", NULL });
	expect_loaded(TWO_AXES("/a~0b~1c", "/d~01"), 1);
}

Test(sweep_spec, vary_refuses_a_bad_escape_with_its_offset)
{
	struct sweep_spec *sp = sweep_spec_new("b.json");
	char why[256];

	cr_assert(sp);
	cr_expect_not(sweep_spec_add_vary(sp, "/hosts/0/na~2me=X", why, sizeof(why)));
	cr_expect(strstr(why, "/hosts/0/na~2me: \"~2\" at offset 11"), "%s", why);
	cr_expect(strstr(why, "expected \"~0\""), "%s", why);
	cr_expect_not(sweep_spec_add_vary(sp, "/a~=X", why, sizeof(why)));
	cr_expect(strstr(why, "a '~' ends the pointer (offset 2)"), "%s", why);
	cr_expect(sweep_spec_add_vary(sp, "/a~0~1=X", why, sizeof(why)), "%s", why);
	sweep_spec_free(sp);
}

Test(sweep_spec, vary_refuses_paths_that_override_each_other)
{
	static const struct {
		const char *first, *second, *why;
	} cases[] = {
		{ "/hosts/0/name=X", "/hosts/0/name=Y",
		  "/hosts/0/name (--vary 2) is also the path of --vary 1 (/hosts/0/name)" },
		{ "/readers/0=1", "/readers/0/period=1ms",
		  "/readers/0/period (--vary 2) is inside the path of --vary 1 (/readers/0)" },
		{ "/readers/0/period=1ms", "/readers/0=1",
		  "/readers/0 (--vary 2) contains the path of --vary 1 (/readers/0/period)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sweep_spec *sp = sweep_spec_new("b.json");
		char why[256];

		cr_assert(sp);
		cr_assert(sweep_spec_add_vary(sp, cases[i].first, why, sizeof(why)), "%s", why);
		cr_expect_not(sweep_spec_add_vary(sp, cases[i].second, why, sizeof(why)),
			      "accepted %s after %s", cases[i].second, cases[i].first);
		cr_expect(strstr(why, cases[i].why), "%s", why);
		cr_expect(strstr(why, "one axis would override the other"), "%s", why);
		sweep_spec_free(sp);
	}
}

Test(sweep_spec, vary_json_values_keep_their_commas)
{
	struct sweep_spec *sp = sweep_spec_new("b.json");
	char why[256];

	cr_assert(sp);
	cr_assert(sweep_spec_add_vary(sp, "/vm={\"host\":\"A\",\"vcpus\":2},[1, 2],\"a,b\",{}",
				      why, sizeof(why)), "%s", why);
	cr_assert_eq(sp->axes[0].nvalues, 4);
	cr_expect_str_eq(sp->axes[0].values[0], "{\"host\":\"A\",\"vcpus\":2}");
	cr_expect_str_eq(sp->axes[0].values[1], "[1,2]");
	cr_expect_str_eq(sp->axes[0].values[2], "\"a,b\"");
	cr_expect_str_eq(sp->axes[0].values[3], "{}");
	/* one JSON value alone: the whole argument */
	cr_assert(sweep_spec_add_vary(sp, "/x=[1,2,3]", why, sizeof(why)), "%s", why);
	cr_assert_eq(sp->axes[1].nvalues, 1);
	cr_expect_str_eq(sp->axes[1].values[0], "[1,2,3]");
	sweep_spec_free(sp);
}

Test(sweep_spec, vary_plain_values_mean_what_they_did)
{
	struct sweep_spec *sp = sweep_spec_new("b.json");
	static const char *const want[] = {
		"\"1ms\"", "7", "true", "\"q\"", "1000", "null", "\"-\"", "\"x y\"", "\"2999.4MHz\"",
		"\"a]\"", "\"b}\"",
	};
	char why[256];

	cr_assert(sp);
	cr_assert(sweep_spec_add_vary(sp, "/a=1ms,7,true,\"q\",1e3,null,-,x y,2999.4MHz,a],b}",
				      why, sizeof(why)), "%s", why);
	cr_assert_eq(sp->axes[0].nvalues, sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < sp->axes[0].nvalues; i++)
		cr_expect_str_eq(sp->axes[0].values[i], want[i], "value %u", i);
	sweep_spec_free(sp);
}

Test(sweep_spec, vary_refuses_an_unclosed_or_trailing_json_value)
{
	static const struct {
		const char *arg;
		const char *why[3];
	} cases[] = {
		/* "/vm=" is 4 bytes; the object is 21 bytes, unclosed at the end (25) */
		{ "/vm={\"host\":\"A\",\"vcpus\":2",
		  { "'/vm={\"host\":\"A\",\"vcpus\":2'", "offset 4: the value there starts with '{'",
		    "at offset 25): expected a whole JSON value" } },
		{ "/a=1,[2,3", { "'/a=1,[2,3'", "offset 5: the value there starts with '['",
				 "not valid or not closed" } },
		{ "/a=\"abc", { "offset 3: the value there starts with '\"'", "not closed", NULL } },
		/* {"a":1} is 7 bytes: 'x' at 4 + 7 */
		{ "/vm={\"a\":1}x", { "offset 11: expected ',' or the end after the JSON value at "
				      "offset 4", NULL, NULL } },
		{ "/a=1,,2", { "'/a=1,,2': offset 5: expected a value, found ','", NULL, NULL } },
		{ "/a=1,", { "offset 5: expected a value, found the end", NULL, NULL } },
		/* the same value after compaction */
		{ "/a={\"k\": 1},{\"k\":1}", { "value 2 ({\"k\":1}) is given twice", NULL, NULL } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sweep_spec *sp = sweep_spec_new("b.json");
		char why[256];

		cr_assert(sp);
		cr_expect_not(sweep_spec_add_vary(sp, cases[i].arg, why, sizeof(why)),
			      "accepted %s", cases[i].arg);
		for (unsigned k = 0; k < 3 && cases[i].why[k]; k++)
			cr_expect(strstr(why, cases[i].why[k]), "%s\nexpected in it: %s", why,
				  cases[i].why[k]);
		sweep_spec_free(sp);
	}
}

Test(sweep_spec, a_description_has_no_length_limit)
{
	static const char head[] = "{ \"scenario\": \"b.json\", \"description\": \"";
	size_t n = 5000;
	char *text = malloc(sizeof(head) + n + 8);

	cr_assert(text);
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'd', n);
	strcpy(text + sizeof(head) - 1 + n, "\" }\n");
	expect_loaded(text, 1);
	free(text);
	/* the value at 1:40 */
	expect_refused("{ \"scenario\": \"b.json\", \"description\": 7 }\n", 1, 40,
		       "/description",
		       (const char *const[]){ "expected a string (free text)", NULL });
}
