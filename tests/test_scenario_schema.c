/*
 * The loader's field tables against docs/scenario-format.md: every key in a
 * table is documented in the key table of its section, every documented key
 * is in a table, and a default that a table holds is the one the docs show.
 * The docs are parsed as written: headings name sections, and a markdown
 * table whose first column is "key" lists keys as `"key"`.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oracle/check.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/schema.h"

#define MAX_ROWS 512

struct doc_row {
	char section[48];
	char key[48];
	char dflt[256];             /* the "default" cell, when the table has one */
	bool matched;
};

struct doc {
	struct doc_row rows[MAX_ROWS];
	unsigned n;
};

static char *read_doc(void)
{
	/* The test runs from the build tree; __FILE__ is relative to it, or absolute. */
	static const char *const tries[] = {
		"../docs/scenario-format.md", "docs/scenario-format.md",
		"../../docs/scenario-format.md",
	};
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f = NULL;
	char *buf;
	long len;

	if (slash) {
		snprintf(path, sizeof(path), "%.*s/../docs/scenario-format.md",
			 (int)(slash - __FILE__), __FILE__);
		f = fopen(path, "rb");
	}
	for (size_t i = 0; !f && i < sizeof(tries) / sizeof(tries[0]); i++)
		f = fopen(tries[i], "rb");
	cr_assert(f, "cannot find docs/scenario-format.md");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	cr_assert(buf);
	cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* The cells of a table line "| a | b |" (at most max), trimmed, in place. */
static unsigned cells(char *line, char *out[], unsigned max)
{
	unsigned n = 0;
	char *p = line + 1;

	while (n < max) {
		char *bar = strchr(p, '|'), *e;

		while (bar && bar > p && bar[-1] == '\\')
			bar = strchr(bar + 1, '|');
		if (!bar)
			break;
		*bar = '\0';
		while (isspace((unsigned char)*p))
			p++;
		for (e = bar; e > p && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		out[n++] = p;
		p = bar + 1;
	}
	return n;
}

static void parse_doc(struct doc *d)
{
	char *text = read_doc(), *save = NULL, section[48] = "";
	int key_col = -1, dflt_col = -1;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c[8];
		unsigned n;

		if (line[0] == '#') {
			snprintf(section, sizeof(section), "%s", line + strspn(line, "# "));
			key_col = -1;
			continue;
		}
		if (line[0] != '|') {
			key_col = -1;
			continue;
		}
		n = cells(line, c, 8);
		if (n && strcmp(c[0], "key") == 0) {    /* a header: a key table starts */
			key_col = 0;
			dflt_col = -1;
			for (unsigned i = 0; i < n; i++)
				if (strcmp(c[i], "default") == 0)
					dflt_col = (int)i;
			continue;
		}
		if (key_col < 0 || n == 0 || c[0][0] != '`')
			continue;
		cr_assert_lt(d->n, MAX_ROWS);
		{
			struct doc_row *r = &d->rows[d->n++];
			const char *k = c[0] + strspn(c[0], "`\"");

			snprintf(r->section, sizeof(r->section), "%s", section);
			snprintf(r->key, sizeof(r->key), "%.*s", (int)strcspn(k, "\"`"), k);
			snprintf(r->dflt, sizeof(r->dflt), "%s",
				 dflt_col >= 0 && (unsigned)dflt_col < n ? c[dflt_col] : "");
		}
	}
	free(text);
}

struct walk {
	struct doc *doc;
	unsigned keys, missing, wrong_default, defaults_checked;
};

static void visit(const struct scn_schema_key *k, void *ctx)
{
	struct walk *w = ctx;
	bool found = false, dflt_ok = k->dflt == NULL, required_ok = !k->required;
	char want[128];

	w->keys++;
	if (k->dflt)
		snprintf(want, sizeof(want), k->is_string ? "`\"%s\"`" : "`%s`", k->dflt);
	for (unsigned i = 0; i < w->doc->n; i++) {
		struct doc_row *r = &w->doc->rows[i];

		if (strcasecmp(r->section, k->table) != 0 || strcmp(r->key, k->key) != 0)
			continue;
		found = true;
		r->matched = true;
		if (k->dflt && strstr(r->dflt, want))
			dflt_ok = true;
		if (strstr(r->dflt, "required"))
			required_ok = true;
	}
	cr_expect(!found || required_ok, "%s.%s is required; no row of the docs says so", k->table,
		  k->key);
	if (!found) {
		w->missing++;
		cr_expect(found, "key \"%s\" of table %s is not documented in its section \"%s\"",
			  k->key, k->table, k->table);
	}
	if (k->dflt) {
		w->defaults_checked++;
		if (found && !dflt_ok)
			w->wrong_default++;
		cr_expect(!found || dflt_ok, "%s.%s: the table's default is %s; the docs say %s",
			  k->table, k->key, want, found ? "something else" : "nothing");
	}
}

Test(scenario_schema, every_table_key_is_documented_with_its_default)
{
	static struct doc d;
	struct walk w = { &d, 0, 0, 0, 0 };

	parse_doc(&d);
	cr_assert_gt(d.n, 100, "the docs' key tables were not found (%u rows)", d.n);
	scenario_schema_visit(visit, &w);
	cr_assert_gt(w.keys, 100);
	cr_assert_gt(w.defaults_checked, 40);
	cr_expect_eq(w.missing, 0);
	cr_expect_eq(w.wrong_default, 0);
}

static void mark(const struct scn_schema_key *k, void *ctx)
{
	struct doc *d = ctx;

	for (unsigned i = 0; i < d->n; i++)
		if (strcasecmp(d->rows[i].section, k->table) == 0 &&
		    strcmp(d->rows[i].key, k->key) == 0)
			d->rows[i].matched = true;
}

Test(scenario_schema, every_documented_key_is_in_a_table)
{
	static struct doc d;

	parse_doc(&d);
	scenario_schema_visit(mark, &d);
	for (unsigned i = 0; i < d.n; i++)
		cr_expect(d.rows[i].matched, "docs section \"%s\" documents key \"%s\", which no "
			  "field table of that section has", d.rows[i].section, d.rows[i].key);
}

/*
 * The reader checks come from oracle/check.h alone: every descriptor's name is
 * a key of "checks", with exactly the keys its .params name, in its .unit.
 */
Test(scenario_schema, reader_checks_follow_the_oracle_descriptors)
{
	for (unsigned id = 0; id < ORACLE_CHECK_COUNT; id++) {
		const struct oracle_check_desc *d = oracle_check_desc((enum oracle_check_id)id);
		const char *thr = d->unit == ORACLE_UNIT_PPB ? "\"5ppm\"" : "\"1ms\"";
		char text[1024], check[256];
		struct sim_diag err;
		struct scenario *sc;

		snprintf(check, sizeof(check), "\"%s\": {\"expect\": \"pass\"%s%s%s%s}", d->name,
			 d->params & ORACLE_PARAM_THRESHOLD ? ", \"threshold\": " : "",
			 d->params & ORACLE_PARAM_THRESHOLD ? thr : "",
			 d->params & ORACLE_PARAM_PAUSE ? ", \"pause\": \"exclude\"" : "",
			 d->params & ORACLE_PARAM_WINDOW ? ", \"window\": \"2s\"" : "");
		snprintf(text, sizeof(text),
			 "{\"name\": \"c\", \"duration\": \"1s\",\n"
			 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
			 "\"sockets\": [{\"cpus\": 2}]}],\n"
			 " \"vm\": {\"host\": \"h\", \"vcpus\": 2},\n"
			 " \"readers\": [{\"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": \"all\", "
			 "\"period\": \"1ms\", \"checks\": {%s}}]}\n", check);
		sc = scenario_parse("c.json", text, strlen(text), &err);
		cr_assert(sc, "%s: %s: %s", d->name, err.path, err.msg);
		cr_expect(sc->readers[0].checks[id].enabled, "%s", d->name);
		if (d->params & ORACLE_PARAM_THRESHOLD)
			cr_expect_eq(sc->readers[0].checks[id].threshold,
				     d->unit == ORACLE_UNIT_PPB ? 5000 : (int64_t)SIM_PS_PER_MS,
				     "%s", d->name);
		if (d->params & ORACLE_PARAM_WINDOW)
			cr_expect_eq(sc->readers[0].checks[id].window_ps, 2 * SIM_PS_PER_S);
		scenario_destroy(sc);

		/* a key the check does not take is refused, naming the check */
		if (!(d->params & ORACLE_PARAM_PAUSE)) {
			char *at = strstr(text, "{\"expect\": \"pass\"");

			cr_assert(at);
			memmove(at + 17 + 20, at + 17, strlen(at + 17) + 1);
			memcpy(at + 17, ", \"pause\": \"include\"", 20);
			cr_expect_null(scenario_parse("c.json", text, strlen(text), &err));
			cr_expect(strstr(err.msg, "is not allowed in check"), "%s: %s", d->name,
				  err.msg);
		}
	}
}
