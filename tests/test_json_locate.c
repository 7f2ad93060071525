/* Locating JSON pointers in source text, for error positions. */
#include <criterion/criterion.h>
#include <string.h>

#include "sim/scenario/json_locate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Offset of the first occurrence of needle in doc (the tests' expected positions). */
static size_t at(const char *doc, const char *needle)
{
	const char *p = strstr(doc, needle);

	cr_assert(p, "test bug: %s not in document", needle);
	return (size_t)(p - doc);
}

static const char doc[] =
	"{\n"
	"  \"name\": \"a \\\"quoted\\\" {brace} [bracket], comma\",\n"
	"  \"hosts\": [\n"
	"    { \"name\": \"src\", \"tsc\": \"3GHz\", \"sockets\": [ { \"cpus\": 4 } ] },\n"
	"    { \"name\": \"dst\", \"tsc\": \"2GHz\",\n"
	"      \"sockets\": [ { \"cpus\": 2 }, { \"cpus\": 8, \"crystal\": \"+20ppm\" } ] }\n"
	"  ],\n"
	"  \"a/b\": 1, \"m~n\": 2, \"esc\\u0041\": 3, \"x\\\"y\": 4, \"\": 5,\n"
	"  \"empty\": {}, \"none\": [], \"nested\": [[1, [2, 3]], {\"k\": [true, null]}]\n"
	"}\n";

Test(json_locate, finds_values_along_nested_objects_and_arrays)
{
	static const struct {
		const char *pointer;
		const char *expect;       /* text the value starts with, first occurrence */
	} cases[] = {
		{ "", "{\n" },
		{ "/name", "\"a \\\"quoted" },
		{ "/hosts", "[\n" },
		{ "/hosts/0", "{ \"name\": \"src\"" },
		{ "/hosts/0/tsc", "\"3GHz\"" },
		{ "/hosts/1/name", "\"dst\"" },
		{ "/hosts/1/sockets/1", "{ \"cpus\": 8" },
		{ "/hosts/1/sockets/1/cpus", "8, \"crystal\"" },
		{ "/hosts/1/sockets/1/crystal", "\"+20ppm\"" },
		{ "/a~1b", "1, \"m~n\"" },
		{ "/m~0n", "2, \"esc" },
		{ "/escA", "3, \"x" },
		{ "/x\"y", "4, \"\"" },
		{ "/", "5,\n" },
		{ "/empty", "{}" },
		{ "/none", "[]" },
		{ "/nested/0/1/1", "3]]" },
		{ "/nested/1/k/1", "null" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		size_t off = 12345;

		cr_expect(json_locate(doc, strlen(doc), cases[i].pointer, &off), "%s not found",
			  cases[i].pointer);
		cr_expect_eq(off, at(doc, cases[i].expect), "%s: got offset %zu", cases[i].pointer,
			     off);
	}
}

Test(json_locate, misses_are_reported)
{
	static const char *const missing[] = {
		"/nope", "/hosts/2", "/hosts/-", "/hosts/01", "/hosts/x", "/hosts/0/tsc/0",
		"/name/0", "/empty/a", "/none/0", "/a/b", "/m~2n", "hosts", "/nested/0/1/2",
	};

	for (size_t i = 0; i < N(missing); i++) {
		size_t off = 12345;

		cr_expect_not(json_locate(doc, strlen(doc), missing[i], &off), "%s found at %zu",
			      missing[i], off);
	}
}

Test(json_locate, finds_keys_and_their_repeats)
{
	static const char dup[] = "{\"a\": 1, \"b\": {\"c\": 2}, \"a\": 3}";
	size_t off;

	cr_expect(json_locate_key(doc, strlen(doc), "/hosts/1/sockets/1/crystal", 0, &off));
	cr_expect_eq(off, at(doc, "\"crystal\""));
	cr_expect(json_locate_key(doc, strlen(doc), "/a~1b", 0, &off));
	cr_expect_eq(off, at(doc, "\"a/b\""));
	cr_expect_not(json_locate_key(doc, strlen(doc), "/hosts/0", 0, &off),
		      "an array element has no key");
	cr_expect_not(json_locate_key(doc, strlen(doc), "", 0, &off));

	cr_expect(json_locate_key(dup, strlen(dup), "/a", 0, &off));
	cr_expect_eq(off, 1);
	cr_expect(json_locate_key(dup, strlen(dup), "/a", 1, &off));
	cr_expect_eq(off, at(dup, "\"a\": 3"));
	cr_expect_not(json_locate_key(dup, strlen(dup), "/a", 2, &off));
	cr_expect(json_locate(dup, strlen(dup), "/a", &off), "the first duplicate, as cJSON");
	cr_expect_eq(off, at(dup, "1,"));
	cr_expect(json_locate(dup, strlen(dup), "/b/c", &off));
	cr_expect_eq(off, at(dup, "2}"));
}

Test(json_locate, survives_truncated_and_odd_text)
{
	static const char *const texts[] = {
		"", "{", "{\"a\"", "{\"a\":", "{\"a\": \"unterminated", "[1, 2", "{\"a\" 1}",
		"{\"a\": [1, {\"b", "{\"a\": [1 2, {\"b\": 3}]}", "\"\\",
	};
	size_t off;

	for (size_t i = 0; i < N(texts); i++) {
		cr_expect_not(json_locate(texts[i], strlen(texts[i]), "/a/1/b", &off), "%s",
			      texts[i]);
		cr_expect_not(json_locate(texts[i], strlen(texts[i]), "/b", &off), "%s", texts[i]);
	}
	/* Only len bytes are looked at: the value past len is not found. */
	cr_expect_not(json_locate("{\"a\": 1, \"b\": 2}", 10, "/b", &off));
	/* A UTF-8 byte order mark is skipped. */
	cr_expect(json_locate("\xef\xbb\xbf{\"a\": 7}", 11, "/a", &off));
	cr_expect_eq(off, 9);
	/* Surrogate pairs in keys decode to UTF-8. */
	cr_expect(json_locate("{\"\\ud83d\\ude00\": 1}", 19, "/\xf0\x9f\x98\x80", &off));
	cr_expect_eq(off, 17);
}

Test(json_locate, line_and_column)
{
	static const char text[] = "{\n  \"a\": 1,\n\t\"b\": 2\n}";
	unsigned line, col;
	size_t off;

	json_line_col(text, strlen(text), 0, &line, &col);
	cr_expect(line == 1 && col == 1);
	cr_expect(json_locate(text, strlen(text), "/a", &off));
	json_line_col(text, strlen(text), off, &line, &col);
	cr_expect(line == 2 && col == 8, "got %u:%u", line, col);
	cr_expect(json_locate_key(text, strlen(text), "/b", 0, &off));
	json_line_col(text, strlen(text), off, &line, &col);
	cr_expect(line == 3 && col == 2, "got %u:%u", line, col);
	json_line_col(text, strlen(text), strlen(text), &line, &col);
	cr_expect(line == 4 && col == 2, "end of text: got %u:%u", line, col);
}

/*
 * The loader's index (one pass over the text in step with cJSON's tree)
 * finds the same places as the scanner: every value and key of the test
 * document, duplicates by occurrence, and nothing for what is not there.
 */
static void expect_index_agrees(const char *text, const char *const pointers[], size_t n)
{
	cJSON *root = cJSON_ParseWithLength(text, strlen(text));
	struct json_index ix;

	cr_assert(root);
	cr_assert(json_index_build(&ix, text, strlen(text), root));
	for (size_t i = 0; i < n; i++) {
		const cJSON *node = json_pointer_node(root, pointers[i], 0);
		size_t want = 0, got = 12345;
		bool found = json_locate(text, strlen(text), pointers[i], &want);

		cr_expect_eq(node != NULL, found, "%s", pointers[i]);
		if (!node)
			continue;
		cr_expect(json_index_value(&ix, node, &got), "%s not indexed", pointers[i]);
		cr_expect_eq(got, want, "%s: value at %zu, the scanner says %zu", pointers[i], got,
			     want);
		found = json_locate_key(text, strlen(text), pointers[i], 0, &want);
		cr_expect_eq(json_index_key(&ix, node, &got), found, "%s: key", pointers[i]);
		if (found)
			cr_expect_eq(got, want, "%s: key at %zu, the scanner says %zu", pointers[i],
				     got, want);
	}
	json_index_free(&ix);
	cJSON_Delete(root);
}

Test(json_locate, the_index_agrees_with_the_scanner)
{
	static const char *const pointers[] = {
		"", "/name", "/hosts", "/hosts/0", "/hosts/0/tsc", "/hosts/1/name",
		"/hosts/1/sockets/1", "/hosts/1/sockets/1/cpus", "/hosts/1/sockets/1/crystal",
		"/a~1b", "/m~0n", "/escA", "/x\"y", "/", "/empty", "/none", "/nested/0/1/1",
		"/nested/1/k/1", "/nope", "/hosts/2", "/hosts/01", "/name/0", "/none/0",
	};
	static const char padded[] = "\xef\xbb\xbf \n\t{ \"a\" :\n [ 1 ,\t\"two\" , { \"b\" : null } ] }";
	static const char *const in_padded[] = { "", "/a", "/a/0", "/a/1", "/a/2", "/a/2/b" };
	static const char dup[] = "{\"a\": 1, \"b\": {\"c\": 2}, \"a\": 3}";
	cJSON *root = cJSON_Parse(dup);
	struct json_index ix;
	size_t off;

	expect_index_agrees(doc, pointers, N(pointers));
	expect_index_agrees(padded, in_padded, N(in_padded));
	cr_assert(json_index_build(&ix, dup, strlen(dup), root));
	cr_expect(json_index_key(&ix, json_pointer_node(root, "/a", 1), &off));
	cr_expect_eq(off, at(dup, "\"a\": 3"));
	cr_expect(json_index_value(&ix, json_pointer_node(root, "/a", 1), &off));
	cr_expect_eq(off, at(dup, "3}"));
	cr_expect_null(json_pointer_node(root, "/a", 2));
	json_index_free(&ix);
	cJSON_Delete(root);
}

Test(json_locate, limits_before_parsing)
{
	size_t off = 0;

	cr_expect_eq(json_scan_limits("[[1]]", 5, 2, 10, &off), JSON_SCAN_OK);
	cr_expect_eq(json_scan_limits("[[[1]]]", 7, 2, 10, &off), JSON_SCAN_TOO_DEEP);
	cr_expect_eq(off, 2);
	/* brackets and commas inside strings are text */
	cr_expect_eq(json_scan_limits("[\"[[,,\\\"[\"]", 11, 1, 2, &off), JSON_SCAN_OK);
	/* values: the array, its 2 elements and the member value; keys and {} [] add none */
	cr_expect_eq(json_scan_limits("[1, {\"k\": []}]", 14, 8, 4, &off), JSON_SCAN_OK);
	cr_expect_eq(json_scan_limits("[1, {\"k\": []}]", 14, 8, 3, &off),
		     JSON_SCAN_TOO_MANY_VALUES);
	cr_expect_eq(off, 10);
}

Test(json_locate, line_and_column_counted_on_from_the_last_one)
{
	static const size_t offs[] = { 0, 5, 5, 40, 120, 30, 200, 1000, 3 };
	struct json_line_cache c = { 0 };
	size_t len = strlen(doc);

	for (size_t i = 0; i < N(offs); i++) {
		unsigned l1, c1, l2, c2;

		json_line_col(doc, len, offs[i], &l1, &c1);
		json_line_col_cached(doc, len, &c, offs[i], &l2, &c2);
		cr_expect(l1 == l2 && c1 == c2, "offset %zu: %u:%u, cached %u:%u", offs[i], l1, c1, l2,
			  c2);
	}
}
