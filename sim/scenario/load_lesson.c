/*
 * The scenario's "lesson": teaching steps for `sim viz --lesson`
 * (docs/visualizer.md).  Only the visualizer reads them; a run is the same
 * with or without a lesson.
 */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>

#define LS(m) offsetof(struct scn_lesson_step, m)

static const struct field lesson_rows[] = {
	{ ROW("at", F_DURATION_PS, LS(at_ps)), .required = true },
	{ ROW("say", F_TEXT, LS(say)), .required = true, .min = 1, .max = SCN_LESSON_TEXT_MAX },
	{ ROW("ask", F_TEXT, LS(ask)), .dflt = "", .max = SCN_LESSON_TEXT_MAX },
	{ ROW("reveal", F_TEXT, LS(reveal)), .dflt = "", .max = SCN_LESSON_TEXT_MAX },
};

const struct field_table lesson_table = FIELDS("lesson", lesson_rows);

bool load_lesson_step(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_lesson_step *st = &sc->lesson[k];
	struct node at, say;
	char a[32], b[32];

	if (!load_fields(ld, o, &lesson_table, 0, NULL, st, NULL))
		return false;
	keep_path(st->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !node_get(ld, o, "say", true, &say))
		return false;
	if (!st->say[0])
		return fail(ld, say.path, "expected a non-empty text, got \"\"");
	if (!check_before_end(ld, at.path, st->at_ps))
		return false;
	if (k && st->at_ps < sc->lesson[k - 1].at_ps)
		return fail(ld, at.path, "expected lesson steps sorted by \"at\": got %s, before the "
			    "previous step's %s", fmt_ps(a, sizeof(a), 1, st->at_ps),
			    fmt_ps(b, sizeof(b), 1, sc->lesson[k - 1].at_ps));
	return true;
}
