/*
 * A file with several mistakes gets all of them reported, each with its own
 * line:column and pointer, in file order; up to SIM_DIAG_LIST_MAX, then a
 * mark that more were suppressed.  The positions below are counted by hand
 * in the texts (1-based line, byte column of the value or key).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scenario.h"

static const char several[] =
	"{\n"                                                           /* 1 */
	"  \"name\": \"several\",\n"                                    /* 2 */
	"  \"duration\": \"1s\",\n"                                     /* 3 */
	"  \"colour\": \"blue\",\n"                                     /* 4: unknown key */
	"  \"hosts\": [\n"                                              /* 5 */
	"    { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n"   /* 6 */
	"      \"sockets\": [ { \"cpus\": 2, \"crystal\": \"5\" } ],\n"   /* 7: no unit */
	"      \"tsc_features\": { \"arat\": \"yes\" } },\n"             /* 8: not a boolean */
	"    { \"name\": \"g\", \"tsc\": \"200GHz\", \"uptime\": \"1d\",\n" /* 9: out of range */
	"      \"sockets\": [ { \"cpus\": 2 } ] }\n"                    /* 10 */
	"  ],\n"                                                        /* 11 */
	"  \"scripts\": [\n"                                            /* 12 */
	"    { \"name\": \"s\", \"expect\": \"maybe\", \"commands\": [\"outb 0x43 0x34\"] },\n" /* 13 */
	"    { \"name\": \"t\", \"at\": \"2s\", \"expect\": \"pass\", \"commands\": [\"outb 0x43 0x34\"] }\n"
	"  ]\n"                                                         /* 15 */
	"}\n";

struct want {
	const char *path;
	unsigned line, col;
	const char *msg_part;
};

Test(scenario_errors, every_error_in_a_file_is_reported_with_its_position)
{
	static const struct want want[] = {
		{ "/colour", 4, 3, "unknown key \"colour\"" },
		{ "/hosts/0/sockets/0/crystal", 7, 44, "\"5\"" },
		{ "/hosts/0/tsc_features/arat", 8, 33, "expected true or false, got the string \"yes\"" },
		{ "/hosts/1/tsc", 9, 27, "expected a frequency from 1MHz to 100GHz, got \"200GHz\"" },
		{ "/scripts/0/expect", 13, 30, "expected one of \"pass\", \"fail\", got \"maybe\"" },
		{ "/scripts/1/at", 14, 26, "expected a time before the end of the run (1s), got 2s" },
	};
	static struct sim_diag_list list;
	struct sim_diag err;

	cr_assert_null(scenario_parse_all("s.json", several, strlen(several), &err, &list));
	cr_assert_eq(list.n, sizeof(want) / sizeof(want[0]), "%u errors", list.n);
	cr_expect(!list.suppressed);
	for (unsigned i = 0; i < list.n; i++) {
		const struct sim_diag *d = &list.items[i];

		cr_expect_str_eq(d->file, "s.json");
		cr_expect_str_eq(d->path, want[i].path, "error %u", i);
		cr_expect_eq(d->line, want[i].line, "error %u (%s): line %u", i, d->path, d->line);
		cr_expect_eq(d->col, want[i].col, "error %u (%s): col %u", i, d->path, d->col);
		cr_expect(strstr(d->msg, want[i].msg_part), "error %u: %s", i, d->msg);
	}
	/* the single-diag API still gets the first */
	cr_expect_str_eq(err.path, "/colour");
	cr_assert_null(scenario_parse("s.json", several, strlen(several), &err));
	cr_expect_str_eq(err.path, "/colour");
	cr_expect_eq(err.line, 4);
}

Test(scenario_errors, a_section_that_depends_on_a_bad_one_is_not_checked)
{
	/* the host is bad, so the VM (which names it) and its reader are not judged */
	static const char text[] =
		"{ \"name\": \"x\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n"
		"               \"sockets\": [ { \"cpus\": 0 } ] } ],\n"
		"  \"vm\": { \"host\": \"nope\", \"vcpus\": 1 },\n"
		"  \"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": [5],\n"
		"                 \"period\": \"1ms\" } ] }\n";
	static struct sim_diag_list list;
	struct sim_diag err;

	cr_assert_null(scenario_parse_all("d.json", text, strlen(text), &err, &list));
	cr_assert_eq(list.n, 1, "%u errors; the first: %s", list.n, list.items[0].msg);
	cr_expect_str_eq(list.items[0].path, "/hosts/0/sockets/0/cpus");
}

Test(scenario_errors, at_most_twenty_then_suppressed)
{
	char text[4096];
	size_t n = 0;
	static struct sim_diag_list list;
	struct sim_diag err;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "{\n  \"name\": \"x\",\n  \"duration\": \"1s\",\n");
	for (unsigned i = 0; i < 25; i++)       /* line 4 + i: unknown key "k<i>" */
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  \"k%u\": 1,\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "  \"scripts\": []\n}\n");
	cr_assert_null(scenario_parse_all("m.json", text, n, &err, &list));
	cr_assert_eq(list.n, SIM_DIAG_LIST_MAX);
	cr_expect(list.suppressed);
	for (unsigned i = 0; i < list.n; i++) {
		char path[16];

		snprintf(path, sizeof(path), "/k%u", i);
		cr_expect_str_eq(list.items[i].path, path);
		cr_expect_eq(list.items[i].line, 4 + i);
		cr_expect_eq(list.items[i].col, 3);
	}
}

Test(scenario_errors, a_syntax_error_is_the_one_error)
{
	static struct sim_diag_list list;
	struct sim_diag err;

	cr_assert_null(scenario_parse_all("j.json", "{\n  \"name\": \"x\",,\n}", 19, &err, &list));
	cr_assert_eq(list.n, 1);
	cr_expect_eq(list.items[0].line, 2);
	cr_expect(strstr(list.items[0].msg, "invalid JSON"), "%s", list.items[0].msg);
}

/*
 * A script command that `sim qtest` would refuse is refused when the file is
 * loaded, by the same parser, at the command's own line:column (the string,
 * or the "do" of the object form); each bad command is its own error.
 */
Test(scenario_errors, a_bad_script_command_is_refused_at_load_time)
{
	static const char text[] =
		"{ \"name\": \"x\", \"duration\": \"1s\",\n"                                  /* 1 */
		"  \"scripts\": [ { \"name\": \"s\", \"expect\": \"pass\", \"commands\": [\n"  /* 2 */
		"    \"outb 0x43 0x34\",\n"                                                   /* 3 */
		"    \"frobnicate 1\",\n"                                                     /* 4 */
		"    { \"do\": \"outb 0x40\" },\n"                                            /* 5 */
		"    \"clock_step 0\" ] },\n"                                                 /* 6 */
		"    { \"name\": \"t\", \"expect\": \"pass\", \"commands\": [ \"inb 0x1g\" ] } ] }\n";
	static const struct want want[] = {
		{ "/scripts/0/commands/1", 4, 5, "\"frobnicate 1\": Unknown command 'frobnicate'" },
		{ "/scripts/1/commands/0", 7, 52, "\"inb 0x1g\": bad number '0x1g'" },
	};
	static struct sim_diag_list list;
	struct sim_diag err;

	/* a script stops at its first bad command; the next script is still read */
	cr_assert_null(scenario_parse_all("c.json", text, strlen(text), &err, &list));
	cr_assert_eq(list.n, 2, "%u errors; the first: %s", list.n, list.items[0].msg);
	for (unsigned i = 0; i < list.n; i++) {
		const struct sim_diag *d = &list.items[i];

		cr_expect_str_eq(d->path, want[i].path, "error %u", i);
		cr_expect(d->line == want[i].line && d->col == want[i].col, "error %u at %u:%u", i,
			  d->line, d->col);
		cr_expect(strstr(d->msg, want[i].msg_part), "error %u: %s", i, d->msg);
	}
	{
		static const char obj[] =
			"{ \"name\": \"x\", \"duration\": \"1s\", \"scripts\": [ { \"name\": \"s\", "
			"\"expect\": \"pass\", \"commands\": [ { \"do\": \"outb 0x40\" } ] } ] }";

		cr_assert_null(scenario_parse("o.json", obj, strlen(obj), &err));
		cr_expect_str_eq(err.path, "/scripts/0/commands/0/do");
		cr_expect_eq(err.col, (unsigned)(strstr(obj, "\"outb") - obj) + 1);
		cr_expect(strstr(err.msg, "missing argument"), "%s", err.msg);
	}
	{
		static const char step[] =
			"{ \"name\": \"x\", \"duration\": \"1s\", \"scripts\": [ { \"name\": \"s\", "
			"\"expect\": \"pass\", \"commands\": [ \"clock_step 0\" ] } ] }";

		cr_assert_null(scenario_parse("z.json", step, strlen(step), &err));
		cr_expect_str_eq(err.path, "/scripts/0/commands/0");
		cr_expect(strstr(err.msg, "could not advance time"), "%s", err.msg);
	}
}

/*
 * Rules between keys are reported at the key that breaks them, not at the
 * object holding it (each pointed at the object before).
 */
Test(scenario_errors, a_rule_between_keys_points_at_the_offending_key)
{
	static const struct {
		const char *text, *path, *anchor, *msg;
	} cases[] = {
		/* the socket's crystal envelope: at the key that moves it most */
		{ "{ \"name\": \"x\", \"duration\": \"10d\",\n"
		  "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [\n"
		  "    { \"cpus\": 2, \"crystal\": \"+50000ppm\", \"crystal_aging\": \"+10000ppm\" } ] } ],\n"
		  "  \"scripts\": [ { \"name\": \"s\", \"expect\": \"pass\", \"commands\": [ \"inb 0x61\" ] } ] }",
		  "/hosts/0/sockets/0/crystal_aging", "\"+10000ppm\"",
		  "the crystal's offset could reach 50000ppm to 150000ppm" },
		{ "{ \"name\": \"x\", \"duration\": \"10s\",\n"
		  "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", "
		  "\"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		  "  \"vm\": { \"host\": \"h\", \"vcpus\": 1 },\n"
		  "  \"host_checks\": [ { \"check\": \"watchdog\", \"clocksource\": \"kvm-clock\", "
		  "\"demote\": true, \"expect\": \"pass\" } ] }",
		  "/host_checks/0/demote", "true", "\"demote\" acts on the host" },
		{ "{ \"name\": \"x\", \"duration\": \"10s\",\n"
		  "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", "
		  "\"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		  "  \"host_checks\": [ { \"check\": \"watchdog\", \"clocksource\": \"kvm-clock\", "
		  "\"expect\": \"pass\" } ] }",
		  "/host_checks/0/clocksource", "\"kvm-clock\"", "runs in the VM's guest" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *text = cases[i].text, *at = strstr(text, cases[i].anchor);
		struct sim_diag err;
		unsigned line = 1, col = 1;

		cr_assert(at, "test bug: no %s", cases[i].anchor);
		for (const char *p = text; p < at; p++) {
			col = *p == '\n' ? 1 : col + 1;
			line += *p == '\n';
		}
		cr_expect_null(scenario_parse("k.json", text, strlen(text), &err));
		cr_expect_str_eq(err.path, cases[i].path, "case %zu", i);
		cr_expect(err.line == line && err.col == col, "case %zu: at %u:%u, expected %u:%u", i,
			  err.line, err.col, line, col);
		cr_expect(strstr(err.msg, cases[i].msg), "case %zu: %s", i, err.msg);
	}
}

/*
 * A key longer than a JSON pointer can hold (its pointer is cut short) is
 * still reported at the key, not at the object around it.
 */
Test(scenario_errors, a_long_unknown_key_is_reported_at_the_key)
{
	char text[1024], key[301];
	struct sim_diag err;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(text, sizeof(text), "{ \"name\": \"x\", \"duration\": \"1s\",\n  \"%s\": 1,\n"
		 "  \"scripts\": [ { \"name\": \"s\", \"expect\": \"pass\", \"commands\": [\"inb 0x61\"] } ] }",
		 key);
	cr_assert_null(scenario_parse("l.json", text, strlen(text), &err));
	cr_expect(err.line == 2 && err.col == 3, "at %u:%u", err.line, err.col);
	cr_expect(strstr(err.msg, "unknown key \"kkkk"), "%s", err.msg);
}
