/*
 * What any input may cost: the loader's work grows linearly with the file
 * (big files of every shape load in bounded CPU time), the documented limits
 * (file size, nesting, values) hold at their edges, and strings follow one
 * rule everywhere (no NUL, no control character, valid UTF-8), each error at
 * the offending string's position.  Big files are generated here, never
 * committed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scenario_test.h"

#define MIB (1024u * 1024u)

/* A growable text. */
struct buf {
	char *b;
	size_t n, cap;
};

static void put(struct buf *t, const char *s, size_t n)
{
	if (t->n + n + 1 > t->cap) {
		t->cap = (t->n + n + 1) * 2;
		t->b = realloc(t->b, t->cap);
		cr_assert(t->b);
	}
	memcpy(t->b + t->n, s, n);
	t->n += n;
	t->b[t->n] = '\0';
}

static void puts_(struct buf *t, const char *s)
{
	put(t, s, strlen(s));
}

static void pad(struct buf *t, size_t n)
{
	while (n--)
		put(t, " ", 1);
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define HOSTS "\"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", " \
	      "\"sockets\": [{\"cpus\": 2}]}]"

/* Scripts: nscripts of ncmd commands, each an object with an integer (located for its literal). */
static void scripts(struct buf *t, unsigned nscripts, unsigned ncmd, size_t cmd_pad)
{
	char s[64];

	puts_(t, "\"scripts\": [");
	for (unsigned i = 0; i < nscripts; i++) {
		snprintf(s, sizeof(s), "%s{\"name\": \"s%u\", \"expect\": \"pass\", \"commands\": [",
			 i ? ", " : "", i);
		puts_(t, s);
		for (unsigned k = 0; k < ncmd; k++) {
			puts_(t, k ? ", {\"do\": \"inb 0x61\"," : "{\"do\": \"inb 0x61\",");
			pad(t, cmd_pad);
			puts_(t, "\"expect\": 0}");
		}
		puts_(t, "]}");
	}
	puts_(t, "]");
}

enum shape { PADDING, COMMANDS, EVENTS, STRING, KEYS, SHAPES };

/* A document of about bytes in the given shape. */
static void make(struct buf *t, enum shape shape, size_t bytes)
{
	t->n = 0;
	puts_(t, "{");
	switch (shape) {
	case PADDING:            /* whitespace before every value the loader locates */
		pad(t, bytes);
		puts_(t, "\"name\": \"p\", \"duration\": \"1s\", " HOSTS ", ");
		scripts(t, 16, 64, 0);
		break;
	case COMMANDS:           /* the most commands allowed, padded to the size */
		puts_(t, "\"name\": \"c\", \"duration\": \"1s\", " HOSTS ", ");
		scripts(t, 16, 1024, bytes / (16 * 1024));
		break;
	case EVENTS:             /* far more events than allowed */
		puts_(t, "\"name\": \"e\", \"duration\": \"1s\", " HOSTS ", ");
		scripts(t, 1, 1, 0);
		puts_(t, ", \"events\": [");
		for (size_t k = 0; t->n < bytes; k++)
			puts_(t, k ? ", {\"at\": \"1ms\", \"type\": \"cpu_offline\", \"note\": "
				     "\"an event the size of a line of text, to stay below the value limit\"}"
				   : "{\"at\": \"1ms\", \"type\": \"cpu_offline\"}");
		puts_(t, "]");
		break;
	case STRING:             /* one huge string */
		puts_(t, "\"name\": \"t\", \"duration\": \"1s\", \"description\": \"");
		while (t->n < bytes)
			puts_(t, "abcdefghijklmnop");
		puts_(t, "\", " HOSTS ", ");
		scripts(t, 1, 1, 0);
		break;
	case KEYS:               /* one object with very many keys */
		puts_(t, "\"name\": \"k\", \"duration\": \"1s\", " HOSTS ", ");
		scripts(t, 1, 1, 0);
		for (size_t k = 0; t->n < bytes; k++) {
			char s[32];

			snprintf(s, sizeof(s), ", \"k%zu_a_longer_key\": 1", k);
			puts_(t, s);
		}
		break;
	case SHAPES:
		break;
	}
	puts_(t, "}");
}

/* What each shape gives: NULL for a valid scenario, else a part of the first error. */
static const char *const shape_error[SHAPES] = {
	[PADDING] = NULL,
	[COMMANDS] = NULL,
	[EVENTS] = "expected 0 to 256 events",
	[STRING] = "string too long",
	[KEYS] = "unknown key \"k0_a_longer_key\"",
};

static double load_cpu_s(enum shape shape, size_t bytes, struct buf *t)
{
	struct sim_diag err;
	struct scenario *sc;
	double t0;

	make(t, shape, bytes);
	t0 = cpu_s();
	sc = scenario_parse("big.json", t->b, t->n, &err);
	t0 = cpu_s() - t0;
	if (shape_error[shape]) {
		cr_expect_null(sc, "shape %d parsed", shape);
		cr_expect(strstr(err.msg, shape_error[shape]), "shape %d: %s", shape, err.msg);
	} else {
		cr_expect(sc, "shape %d: %s: %s", shape, err.path, err.msg);
	}
	scenario_destroy(sc);
	return t0;
}

/*
 * 15 MB of each shape loads in well under a second on a normal build; the
 * bound is loose enough for sanitizers and a loaded machine, and tight
 * enough to catch work quadratic in the size (minutes at 15 MB).
 */
Test(scenario_limits, fifteen_megabytes_of_any_shape_load_in_bounded_time, .timeout = 120)
{
	struct buf t = { 0 };

	for (enum shape s = 0; s < SHAPES; s++) {
		double small = load_cpu_s(s, 4 * 1000 * 1000, &t);
		double big = load_cpu_s(s, 15 * 1000 * 1000, &t);

		cr_expect(big < 10.0, "shape %d: 15 MB took %.2f s of CPU", s, big);
		/*
		 * linear: 3.75 times the input is not 14 times the work (quadratic);
		 * below half a second, CPU time on a busy machine is too noisy to compare
		 */
		cr_expect(big < 0.5 + 8 * small, "shape %d: 4 MB %.3f s, 15 MB %.3f s", s, small,
			  big);
	}
	free(t.b);
}

/* A valid scenario padded with spaces to exactly bytes, written to a file. */
static void padded_file(const char *path, size_t bytes)
{
	static const char doc[] = "{\"name\": \"x\", \"duration\": \"1s\", \"scripts\": [{\"name\": "
				  "\"s\", \"expect\": \"pass\", \"commands\": [\"inb 0x61\"]}]}";
	FILE *f = fopen(path, "wb");

	cr_assert(f);
	fwrite(doc, 1, sizeof(doc) - 1, f);
	for (size_t n = sizeof(doc) - 1; n < bytes; n++)
		fputc(' ', f);
	cr_assert_eq(fclose(f), 0);
}

Test(scenario_limits, a_file_of_16_mib_loads_and_one_byte_more_does_not)
{
	static const struct {
		size_t bytes;
		bool loads;
	} cases[] = { { 16 * MIB - 1, true }, { 16 * MIB, true }, { 16 * MIB + 1, false } };
	char path[] = "/tmp/sim_limits_XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_diag err;
		struct scenario *sc;

		padded_file(path, cases[i].bytes);
		sc = scenario_load(path, &err);
		if (cases[i].loads) {
			cr_expect(sc, "%zu bytes: %s", cases[i].bytes, err.msg);
		} else {
			cr_expect_null(sc, "%zu bytes loaded", cases[i].bytes);
			cr_expect_str_eq(err.msg, "cannot read: file larger than 16 MiB");
		}
		scenario_destroy(sc);
	}
	unlink(path);
}

Test(scenario_limits, text_given_in_memory_has_the_file_size_limit_too)
{
	size_t n = 16 * MIB + 1;
	char *text = malloc(n);
	struct sim_diag err;

	cr_assert(text);
	memset(text, ' ', n);
	memcpy(text, "{}", 2);
	cr_expect_null(scenario_parse("m.json", text, n, &err));
	cr_expect_str_eq(err.msg, "cannot read: file larger than 16 MiB");
	free(text);
}

/*
 * Parses text (n bytes), expecting an error with path and a message
 * containing msg, at the first occurrence of anchor.
 */
static void expect_at(const char *text, size_t n, const char *anchor, const char *path,
		      const char *msg)
{
	struct sim_diag err;
	struct scenario *sc = scenario_parse("t.json", text, n, &err);
	const char *at = strstr(text, anchor);
	unsigned line, col;

	cr_assert(at, "test bug: %s not in %s", anchor, text);
	line_col(text, at, &line, &col);
	cr_expect_null(sc, "%s: parsed", text);
	scenario_destroy(sc);
	cr_expect_str_eq(err.path, path, "%s", text);
	cr_expect(err.line == line && err.col == col, "%s: at %u:%u, expected %u:%u (%s)", path,
		  err.line, err.col, line, col, err.msg);
	cr_expect(strstr(err.msg, msg), "%s: message '%s'", path, err.msg);
}

Test(scenario_limits, nesting_deeper_than_32_is_refused_before_parsing)
{
	char text[256];
	size_t n;

	/* the document's object is level 1: 31 arrays inside it reach 32 */
	n = (size_t)snprintf(text, sizeof(text), "{\"name\": \"x\",\n\"duration\": ");
	memset(text + n, '[', 31);
	memset(text + n + 31, ']', 31);
	strcpy(text + n + 62, "}");
	expect_at(text, strlen(text), "[", "/duration", "expected a duration string");

	/* the 32nd array is one too deep */
	memset(text + n, '[', 32);
	memset(text + n + 32, ']', 32);
	strcpy(text + n + 64, "}");
	expect_at(text, strlen(text), "[]", "",
		  "arrays and objects nested more than 32 deep (at most 32)");
}

Test(scenario_limits, more_than_a_million_values_are_refused_before_parsing)
{
	struct buf t = { 0 };
	struct sim_diag err;
	const char *head = "{\"name\": \"x\", \"duration\": \"1s\", \"seeds\": [0";

	puts_(&t, head);
	for (unsigned i = 0; i < 999995; i++)
		puts_(&t, ",0");
	/* the document, "name", "duration", "seeds" and its 999996 elements */
	puts_(&t, "]}");
	cr_expect_null(scenario_parse("v.json", t.b, t.n, &err));
	cr_expect(strstr(err.msg, "unknown key \"seeds\""), "%s", err.msg);

	t.n -= 2;
	puts_(&t, ",0]}");
	cr_expect_null(scenario_parse("v.json", t.b, t.n, &err));
	cr_expect_str_eq(err.msg, "more than 1000000 JSON values (at most 1000000)");
	cr_expect(err.line == 1 && err.col == t.n - 2, "at %u:%u", err.line, err.col);
	free(t.b);
}

#define SCRIPT(cmd) "\"scripts\": [{\"name\": \"s\", \"expect\": \"pass\", \"commands\": [" cmd "]}]"

/*
 * cJSON ends a string at an escaped NUL: "h\u0000x" read as "h" was accepted
 * before.  Each case puts one bad string where the loader reads a string;
 * the error is at that string (anchor: its first occurrence in the text).
 */
Test(scenario_limits, a_nul_in_any_string_is_refused_at_that_string)
{
	static const struct {
		const char *text, *anchor, *path;
	} cases[] = {
		{ "{\"name\": \"a\\u0000b\",\n \"duration\": \"1s\", " SCRIPT("\"inb 0x61\"") "}",
		  "\"a\\u", "/name" },
		{ "{\"name\": \"a\",\n \"duration\": \"1s\", " SCRIPT("\"inb 0x61\\u0000 junk\"") "}",
		  "\"inb", "/scripts/0/commands/0" },
		{ "{\"name\": \"a\", \"duration\": \"1s\", " SCRIPT("\"inb 0x61\"") ",\n"
		  "\"hosts\": [{\"name\": \"h\\u0000\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", "
		  "\"sockets\": [{\"cpus\": 2}]}]}", "\"h\\u", "/hosts/0/name" },
		/* a key: "duration\u0000x" was read as "duration" */
		{ "{\"name\": \"a\",\n \"duration\\u0000x\": \"1s\", " SCRIPT("\"inb 0x61\"") "}",
		  "\"duration", "/duration" },
		/* a value read as a keyword: "all\u0000x" was read as "all" */
		{ "{\"name\": \"a\", \"duration\": \"1s\", " SCRIPT("\"inb 0x61\"") ",\n"
		  "\"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", "
		  "\"sockets\": [{\"cpus\": 2}]}],\n \"events\": [{\"at\": \"1ms\", \"type\": "
		  "\"cstate\", \"cpus\": \"all\\u0000x\", \"state\": 1}]}", "\"all", "/events/0/cpus" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_at(cases[i].text, strlen(cases[i].text), cases[i].anchor, cases[i].path,
			  "contains a NUL character (\\u0000)");
}

Test(scenario_limits, a_raw_nul_byte_in_a_string_is_refused)
{
	static const char text[] = "{\"name\": \"a\", \"duration\": \"1s\", \"description\": \"x\0y\", "
				   SCRIPT("\"inb 0x61\"") "}";

	expect_at(text, sizeof(text) - 1, "\"x", "/description", "contains a NUL character");
}

Test(scenario_limits, control_characters_and_bad_utf8_are_refused_in_every_string)
{
	static const struct {
		const char *text, *anchor, *path, *msg;
	} cases[] = {
		/* a terminal escape in the description (printed by the report) */
		{ "{\"name\": \"a\", \"description\": \"\\u001b[2J\", \"duration\": \"1s\", "
		  SCRIPT("\"inb 0x61\"") "}", "\"\\u001b", "/description",
		  "string contains the control character U+001B at byte 0" },
		/* C1 controls: U+009B is CSI on some terminals */
		{ "{\"name\": \"a\\u009b\", \"duration\": \"1s\", " SCRIPT("\"inb 0x61\"") "}",
		  "\"a\\u", "/name", "string contains the control character U+009B at byte 1" },
		{ "{\"name\": \"a\", \"dura\\ttion\": \"1s\", " SCRIPT("\"inb 0x61\"") "}",
		  "\"dura", "/dura\ttion", "key contains the control character U+0009 at byte 4" },
		{ "{\"name\": \"a\", \"description\": \"\xff\", \"duration\": \"1s\", "
		  SCRIPT("\"inb 0x61\"") "}", "\"\xff", "/description",
		  "string is not valid UTF-8: byte 0xff at byte 0" },
		/* an overlong encoding of '/' */
		{ "{\"name\": \"a\", \"description\": \"x\xc0\xaf\", \"duration\": \"1s\", "
		  SCRIPT("\"inb 0x61\"") "}", "\"x", "/description",
		  "string is not valid UTF-8: byte 0xc0 at byte 1" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_at(cases[i].text, strlen(cases[i].text), cases[i].anchor, cases[i].path,
			  cases[i].msg);
}

Test(scenario_limits, text_beyond_ascii_is_fine_where_free_text_is)
{
	static const char text[] = "{\"name\": \"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00\", "
				   "\"description\": \"\xe2\x86\x92 50 \xc2\xb5s\", \"duration\": \"1s\", "
				   SCRIPT("\"inb 0x61\"") "}";
	struct sim_diag err;
	struct scenario *sc = scenario_parse("t.json", text, strlen(text), &err);

	cr_expect(sc, "%s: %s", err.path, err.msg);
	if (sc)
		cr_expect_str_eq(sc->name, "caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80");
	scenario_destroy(sc);
}

/* A VM of nvcpus vCPUs and nreaders pvclock readers on all of them. */
static void many_readers(struct buf *t, unsigned nvcpus, unsigned nreaders)
{
	char s[256];

	snprintf(s, sizeof(s), "{\"name\": \"x\", \"duration\": \"1s\", " HOSTS ", "
		 "\"vm\": {\"host\": \"h\", \"vcpus\": %u}, \"readers\": [", nvcpus);
	puts_(t, s);
	for (unsigned i = 0; i < nreaders; i++) {
		snprintf(s, sizeof(s), "%s{\"name\": \"r%u\", \"kind\": \"pvclock\", "
			 "\"vcpus\": \"all\", \"period\": \"1ms\"}", i ? ", " : "", i);
		puts_(t, s);
	}
	puts_(t, "]}");
}

/*
 * Reader groups are bounded by memory, not by a small table: 65536 groups
 * load, and so do 256 groups on all of 1024 vCPUs (KVM_MAX_VCPUS); both
 * reach the 262144 reader processes (about 1 KB of machine each) a
 * scenario may have.  The 65537th group, the 257th group on 1024 vCPUs and
 * the 1025th vCPU are refused with the limit named.
 */
Test(scenario_limits, reader_groups_are_bounded_by_memory)
{
	struct buf t = { 0 };
	struct sim_diag err;
	struct scenario *sc;

	many_readers(&t, 1024, 256);
	sc = scenario_parse("r.json", t.b, t.n, &err);
	cr_assert_not_null(sc, "%s", err.msg);
	cr_expect_eq(sc->nreaders, 256);
	cr_expect_eq(sc->readers[255].nvcpus, 1024);
	cr_expect_eq(sc->readers[255].vcpus[1023], 1023);
	cr_expect_str_eq(sc->readers[255].name, "r255");
	scenario_destroy(sc);

	t.n = 0;
	many_readers(&t, 1024, 257);
	cr_expect_null(scenario_parse("r.json", t.b, t.n, &err));
	cr_expect_str_eq(err.msg, "the readers up to this one run on 263168 vCPUs and CPUs in all, "
			 "more than 262144 (about 1 KB of simulated reader each)");
	cr_expect_str_eq(err.path, "/readers/256/vcpus");

	t.n = 0;
	many_readers(&t, 4, 65536);
	sc = scenario_parse("r.json", t.b, t.n, &err);
	cr_assert_not_null(sc, "%s", err.msg);
	cr_expect_eq(sc->nreaders, 65536);
	cr_expect_str_eq(sc->readers[65535].name, "r65535");
	scenario_destroy(sc);

	t.n = 0;
	many_readers(&t, 4, 65537);
	cr_expect_null(scenario_parse("r.json", t.b, t.n, &err));
	cr_expect_str_eq(err.msg, "expected 0 to 65536 readers, got 65537");
	cr_expect_str_eq(err.path, "/readers");

	t.n = 0;
	many_readers(&t, 1025, 1);
	cr_expect_null(scenario_parse("r.json", t.b, t.n, &err));
	cr_expect_str_eq(err.msg, "expected a vCPU count in [1, 1024], got 1025");
	free(t.b);
}
