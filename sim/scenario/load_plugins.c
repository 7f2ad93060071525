/*
 * "plugins": shared objects whose parts stand in for sim's own (docs/plugins.md,
 * include/sim/plugin.h), and the same from `sim run --plugin PATH[:PART]`
 * (scenario_add_plugin) and `sim qtest --plugin` (scn_plugin_from_spec, the
 * parsing both share).  The loader checks names and paths only; the plugin
 * room (sim/plugin) opens the files when the machine is built.
 */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"

#define PL(m) offsetof(struct scn_plugin, m)

static const char *const part_names[] = PLUGIN_PART_NAMES_INIT;

static const struct field plugin_rows[] = {
	{ ROW("path", F_TEXT, PL(given)), .required = true, .min = 1, .max = SCN_PLUGIN_PATH_MAX,
	  .what = "a shared object's path" },
	{ ROW("replaces", F_ENUM, PL(part)), .dflt = "all", .names = part_names },
};

const struct field_table plugin_table = FIELDS("plugins", plugin_rows);

/* A pvclock part needs the VM whose pages or guest it stands in for. */
bool scn_plugin_part_needs_vm(unsigned part)
{
	return part == PLUGIN_PART_PVCLOCK_WRITER || part == PLUGIN_PART_PVCLOCK_READER;
}

/* path, relative to the folder of file unless absolute, into dst; false when too long. */
static bool resolve(char dst[SCN_PLUGIN_PATH_MAX], const char *file, const char *path)
{
	const char *slash = strrchr(file, '/');
	char out[SCN_PLUGIN_PATH_MAX];
	int n;

	/* "./" where no '/' would remain: dlopen() searches the library path for a bare name */
	if (path[0] == '/')
		n = snprintf(out, sizeof(out), "%s", path);
	else if (!slash)
		n = snprintf(out, sizeof(out), "%s%s", strchr(path, '/') ? "" : "./", path);
	else
		n = snprintf(out, sizeof(out), "%.*s/%s", (int)(slash - file), file, path);
	if (n < 0 || n >= SCN_PLUGIN_PATH_MAX)
		return false;
	memcpy(dst, out, (size_t)n + 1);
	return true;
}

/* Two entries may not name the same part (each "all" is checked once the files are open). */
static bool check_twice(const struct scenario *sc, unsigned k, char *why, size_t len)
{
	const struct scn_plugin *p = &sc->plugins[k];

	for (unsigned i = 0; i < k && p->part != PLUGIN_PART_ALL; i++)
		if (sc->plugins[i].part == p->part) {
			snprintf(why, len, "part \"%s\" is already replaced by %s", plugin_part_name(p->part),
				 sc->plugins[i].json_path);
			return false;
		}
	return true;
}

bool load_plugin(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_plugin *p = &sc->plugins[k];
	char path[PATH_LEN], why[160];

	if (!load_fields(ld, o, &plugin_table, 0, NULL, p, NULL))
		return false;
	keep_path(p->json_path, o->path);
	join_key(path, o->path, "path");
	if (!resolve(p->path, ld->file, p->given))
		return fail(ld, path, "the path, joined to the scenario file's folder, is longer than "
			    "%u bytes", SCN_PLUGIN_PATH_MAX - 1);
	join_key(path, o->path, "replaces");
	if (scn_plugin_part_needs_vm(p->part) && !sc->nvms)
		return fail(ld, path, "part \"%s\" (%s) needs a VM: add \"vm\", or replace another "
			    "part", plugin_part_name(p->part), plugin_part_what(p->part));
	if (!check_twice(sc, k, why, sizeof(why)))
		return fail(ld, path, "%s", why);
	return true;
}

bool scn_plugin_from_spec(struct scn_plugin *p, const char *spec, const char *no_vm,
			  struct sim_diag *err)
{
	const char *colon = strrchr(spec, ':');
	static const char *const names[] = PLUGIN_PART_NAMES_INIT;
	unsigned part = PLUGIN_PART_ALL;
	size_t n = strlen(spec);
	char why[160], q[80];

	if (colon) {
		unsigned i;

		for (i = 0; names[i] && strcmp(names[i], colon + 1) != 0; i++)
			;
		if (!names[i])
			return sim_diag_fail(err, "--plugin %s: expected PATH or PATH:PART with PART "
					     "one of %s, got %s", spec,
					     name_list(why, sizeof(why), names, true),
					     sim_quote(q, sizeof(q), colon + 1));
		part = i;
		n = (size_t)(colon - spec);
	}
	if (n == 0 || n >= SCN_PLUGIN_PATH_MAX)
		return sim_diag_fail(err, "--plugin %s: expected a path of 1 to %u bytes", spec,
				     SCN_PLUGIN_PATH_MAX - 1);
	if (scn_plugin_part_needs_vm(part) && no_vm)
		return sim_diag_fail(err, "--plugin %s: part \"%s\" (%s) needs a VM, and %s has "
				     "none", spec, plugin_part_name(part), plugin_part_what(part),
				     no_vm);
	*p = (struct scn_plugin){ .part = part };
	memcpy(p->given, spec, n);
	if (!resolve(p->path, "", p->given))
		return sim_diag_fail(err, "--plugin %s: expected a path of 1 to %u bytes", spec,
				     SCN_PLUGIN_PATH_MAX - 3);
	snprintf(p->json_path, sizeof(p->json_path), "--plugin");
	return true;
}

bool scenario_add_plugin(struct scenario *sc, const char *spec, struct sim_diag *err)
{
	char why[160];

	if (sc->nplugins >= SCN_MAX_PLUGINS)
		return sim_diag_fail(err, "--plugin %s: at most %u plugins per scenario (the file "
				     "has %u)", spec, SCN_MAX_PLUGINS, sc->nplugins);
	if (!scn_plugin_from_spec(&sc->plugins[sc->nplugins], spec,
				  sc->nvms ? NULL : "the scenario", err))
		return false;
	if (!check_twice(sc, sc->nplugins, why, sizeof(why)))
		return sim_diag_fail(err, "--plugin %s: %s", spec, why);
	sc->nplugins++;
	return true;
}
