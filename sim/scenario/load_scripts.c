/* "scripts": device scripts in qtest's command language. */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/qtest/protocol.h"

#define SP(m) offsetof(struct scn_script, m)

static const struct field script_rows[] = {
	{ ROW("name", F_NAME, SP(name)), .required = true },
	{ ROW("at", F_DURATION_PS, SP(at_ps)), .dflt = "0s" },
	{ ROW("expect", F_ENUM, SP(expect)), .required = true, .names = expect_names },
	{ ROW("commands", F_CUSTOM, 0), .required = true, .sub = &command_table,
	  .nest = NEST_ARRAY, .min = 1, .max = SCN_MAX_COMMANDS, .shape = "command" },
};

/* A command as an object (a command can also be the bare string). */
static const struct field command_rows[] = {
	{ ROW("do", F_CUSTOM, 0), .required = true, .shape = "command" },
	{ ROW("expect", F_U64_HEX, offsetof(struct scn_command, expect)), .max = UINT64_MAX,
	  .what = "the value the command returns" },
	{ ROW("irqs", F_CUSTOM, 0), .shape = "irqs" },
};

const struct field_table script_table = FIELDS("scripts", script_rows);
const struct field_table command_table = FIELDS("scripts", command_rows);

/* ---- device scripts ---- */

/*
 * A qtest line: 1 to SCN_COMMAND_MAX-1 printable ASCII characters, not only
 * spaces, that `sim qtest` would accept: the same parser (qtest_parse) reads
 * it here, so that a bad command is an error at load time, at its path.
 */
static bool read_command_line(struct loader *ld, const struct node *v, char dst[SCN_COMMAND_MAX])
{
	struct qtest_command cmd;
	const char *s = "";
	char q[80], why[160];
	size_t n;

	if (!read_str(ld, v, EXPECT_COMMAND, &s))
		return false;
	n = strlen(s);
	if (n >= SCN_COMMAND_MAX)
		return fail(ld, v->path, "qtest command too long: %zu characters (at most %d)", n,
			    SCN_COMMAND_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return fail(ld, v->path,
				    "expected %s (printable ASCII only), got byte 0x%02x at offset %zu "
				    "of %s", EXPECT_COMMAND, c, i, sim_quote(q, sizeof(q), s));
	}
	if (strspn(s, " ") == n)
		return fail(ld, v->path, "expected %s, got %s", EXPECT_COMMAND,
			    sim_quote(q, sizeof(q), s));
	if (!qtest_parse(s, &cmd, why, sizeof(why)))
		return fail(ld, v->path, "%s: %s", sim_quote(q, sizeof(q), s), why);
	memcpy(dst, s, n + 1);
	return true;
}

/* "raise N" or "lower N" (N 0..23, no leading zeros), stored as "IRQ raise N". */
static bool read_irq_event(struct loader *ld, const struct node *v,
			   char dst[SCN_IRQ_EVENT_MAX])
{
	const char *s = "", *p;
	char q[80];
	unsigned n = 0;

	if (!read_str(ld, v, "an interrupt event: " EXPECT_IRQ, &s))
		return false;
	p = s + 6;
	if ((strncmp(s, "raise ", 6) != 0 && strncmp(s, "lower ", 6) != 0) ||
	    !(p[0] >= '0' && p[0] <= '9') || (p[0] == '0' && p[1]) ||
	    strspn(p, "0123456789") != strlen(p) || strlen(p) > 2 || (n = (unsigned)atoi(p)) > 23)
		return fail(ld, v->path, "expected %s, got %s", EXPECT_IRQ,
			    sim_quote(q, sizeof(q), s));
	snprintf(dst, SCN_IRQ_EVENT_MAX, "IRQ %.5s %u", s, n);
	return true;
}

/* A string, or {"do": string, "expect": value, "irqs": [events]}. */
static bool load_command(struct loader *ld, const struct node *v, struct scn_command *c)
{
	struct node d, irqs;
	uint64_t seen = 0;

	keep_path(c->path, v->path);
	if (cJSON_IsString(v->json))
		return read_command_line(ld, v, c->line);
	if (!cJSON_IsObject(v->json))
		return type_error(ld, v, EXPECT_COMMAND " or an object with \"do\"");
	if (!load_fields(ld, v, &command_table, 0, NULL, c, &seen))
		return false;
	if (!node_get(ld, v, "do", true, &d) || !read_command_line(ld, &d, c->line))
		return false;
	c->has_expect = seen >> 1 & 1;
	if (c->has_expect) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(v->json, "expect");

		c->expect_hex = cJSON_IsString(e) && (strncmp(e->valuestring, "0x", 2) == 0 ||
						      strncmp(e->valuestring, "0X", 2) == 0);
	}
	if (!node_get(ld, v, "irqs", false, &irqs) ||
	    !read_array(ld, &irqs, 0, SCN_MAX_IRQ_EVENTS, "interrupt events", &c->nirqs))
		return false;
	c->has_irqs = irqs.json != NULL;
	for (unsigned i = 0; i < c->nirqs; i++) {
		struct node el;

		node_element(&irqs, i, &el);
		if (!read_irq_event(ld, &el, c->irqs[i]))
			return false;
	}
	return true;
}

bool load_script(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_script *sp = &sc->scripts[idx];
	struct node v, arr;
	char q[80];
	unsigned n = 0;

	if (!load_fields(ld, o, &script_table, 0, NULL, sp, NULL))
		return false;
	keep_path(sp->path, o->path);
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->scripts[i].name, sp->name) == 0) {
			join_key(v.path, o->path, "name");
			return fail(ld, v.path, "duplicate script name %s (also /scripts/%u/name)",
				    sim_quote(q, sizeof(q), sp->name), i);
		}
	join_key(v.path, o->path, "at");
	if (!check_before_end(ld, v.path, sp->at_ps))
		return false;
	if (!node_get(ld, o, "commands", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_COMMANDS, "commands", &n))
		return false;
	sp->commands = calloc(n, sizeof(*sp->commands));
	if (!sp->commands)
		return fail(ld, arr.path, "out of memory");
	sp->ncommands = n;
	for (unsigned i = 0; i < n; i++) {
		node_element(&arr, i, &v);
		if (!load_command(ld, &v, &sp->commands[i]))
			return false;
	}
	return true;
}
