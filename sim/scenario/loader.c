/*
 * The scenario loader: JSON text to a checked struct scenario.  Only
 * sim/scenario includes cJSON.  Each value is read through a node that
 * knows its JSON pointer, so every error names the file, the line:column
 * (found again in the text by json_locate), the pointer and what was expected.
 * Quantities are strings with units, parsed exactly by units.c; the few plain
 * numbers are integers, checked against their source text.  Cross references
 * (host and reader names, vCPU and CPU indices, migration and event order)
 * are checked as soon as what they refer to has been read: the document is
 * read top to bottom (hosts, vm, the VM's lists of VMM actions from vm_lists:
 * migrations, vcpu_moves; then readers, scripts, events, host_checks), and
 * events are replayed in order, so that a CPU is known to be online, idle or
 * suspended at each event's time.  The scenario
 * keeps the source text, so that an error found later (by the machine, with
 * only a JSON pointer) can still be given a line:column by scenario_locate().
 * Each section's plain keys are rows of a field table read by load_fields()
 * (fields.c); its cross-field rules follow as code in load_<section>.c.
 * Every error is recorded (up to SIM_DIAG_LIST_MAX), and loading goes on
 * where what follows does not depend on the bad part.
 * Format: docs/scenario-format.md.
 */
#include "sim/scenario/loader_internal.h"
#include "sim/scenario/variant.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "sim/core/units.h"
#include "sim/scenario/json_locate.h"

#define S(m) offsetof(struct scenario, m)

/* rows below; the VM's lists' keys (vm_lists) follow TOP_VM */
enum { TOP_NAME, TOP_DESCRIPTION, TOP_SEED, TOP_DURATION, TOP_UTC_START, TOP_PLATFORM, TOP_HOSTS,
       TOP_VM, TOP_VMS };

static const struct field top_rows[] = {
	{ ROW("name", F_TEXT, S(name)), .required = true, .min = 1,     /* non-empty: by code below */
	  .max = sizeof(((struct scenario *)0)->name) },
	{ ROW("description", F_TEXT, S(description)), .dflt = "",
	  .max = sizeof(((struct scenario *)0)->description) },
	{ ROW("seed", F_U64, S(seed)), .dflt = "1", .max = MAX_U53, .what = "a seed" },
	{ ROW("duration", F_DURATION_PS, S(duration_ps)), .required = true },
	{ ROW("utc_start", F_UTC, S(utc_start_ns)), .dflt = "2026-01-01T00:00:00Z" },
	{ ROW("platform", F_CUSTOM, 0), .sub = &platform_table },
	{ ROW("hosts", F_CUSTOM, 0), .sub = &host_table, .nest = NEST_ARRAY, .min = 1,
	  .max = SCN_MAX_HOSTS },
	{ ROW("vm", F_CUSTOM, 0), .sub = &vm_table },
	{ ROW("vms", F_CUSTOM, 0), .sub = &vms_table, .nest = NEST_ARRAY, .min = 1,
	  .max = SCN_MAX_VMS },
	{ ROW("readers", F_CUSTOM, 0), .sub = &reader_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_READERS },
	{ ROW("scripts", F_CUSTOM, 0), .sub = &script_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_SCRIPTS },
	{ ROW("events", F_CUSTOM, 0), .sub = &event_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_EVENTS },
	{ ROW("host_checks", F_CUSTOM, 0), .sub = &host_check_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_HOST_CHECKS },
	{ ROW("plugins", F_CUSTOM, 0), .sub = &plugin_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_PLUGINS },
	{ ROW("lesson", F_CUSTOM, 0), .sub = &lesson_table, .nest = NEST_ARRAY,
	  .max = SCN_MAX_LESSON_STEPS },
};

_Static_assert(sizeof(top_rows) / sizeof(top_rows[0]) + VM_LISTS_MAX <= TOP_ROWS_MAX,
	       "raise TOP_ROWS_MAX");

void top_level_table(struct field rows[TOP_ROWS_MAX], struct field_table *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(top_rows) / sizeof(top_rows[0]); i++) {
		rows[n++] = top_rows[i];
		for (unsigned k = 0; i == TOP_VMS && k < vm_list_count; k++)
			rows[n++] = (struct field){ ROW(vm_lists[k].key, F_CUSTOM, 0),
						    .sub = vm_lists[k].fields,
						    .nest = NEST_ARRAY, .max = vm_lists[k].max };
	}
	*t = (struct field_table){ .doc = "top level", .rows = rows, .nrows = n };
}

/* ---- the document ---- */

static bool nonempty_array(const struct node *v)
{
	return cJSON_IsArray(v->json) && cJSON_GetArraySize(v->json) > 0;
}

/*
 * The array arr (min to max elements, what names them in errors) into *n, and
 * each element through load_one with its index.  Elements are independent:
 * after a bad one, the next ones are still checked.
 */
static bool load_each(struct loader *ld, const struct node *arr, unsigned min, unsigned max,
		      const char *what, unsigned *n,
		      bool (*load_one)(struct loader *, const struct node *, unsigned))
{
	struct node el;
	bool ok;

	if (!read_array(ld, arr, min, max, what, n))
		return false;
	ok = true;
	el.json = NULL;
	for (unsigned i = 0; i < *n && !ld->stop; i++) {
		node_next(arr, i, &el);
		ok &= load_one(ld, &el, i);
	}
	return ok;
}

/* Reader processes over all groups (one per vCPU or CPU): the machine's memory for them. */
static bool within_reader_processes(struct loader *ld, const struct node *arr)
{
	const struct scenario *sc = ld->sc;
	uint64_t total = 0;
	char path[PATH_LEN + 32];

	for (unsigned i = 0; i < sc->nreaders; i++) {
		const struct scn_reader *r = &sc->readers[i];

		total += r->on_host ? r->ncpus : r->nvcpus;
		if (total <= SCN_MAX_READER_PROCESSES)
			continue;
		snprintf(path, sizeof(path), "%s/%u/%s", arr->path, i, r->on_host ? "cpus" : "vcpus");
		return fail(ld, path, "the readers up to this one run on %llu vCPUs and CPUs in all, "
			    "more than %u (about 1 KB of simulated reader each)",
			    (unsigned long long)total, SCN_MAX_READER_PROCESSES);
	}
	return true;
}

/* "readers": as many as the array holds, up to SCN_MAX_READERS, each through load_reader. */
static bool load_readers(struct loader *ld, const struct node *arr)
{
	struct scenario *sc = ld->sc;
	unsigned n = 0;
	bool ok;

	if (!read_array(ld, arr, 0, SCN_MAX_READERS, "readers", &n))
		return false;
	if (n == 0)
		return true;
	sc->readers = calloc(n, sizeof(*sc->readers));
	if (!sc->readers || !name_index_init(&ld->reader_names, n))
		return fail(ld, arr->path, "out of memory");
	ok = load_each(ld, arr, 0, n, "readers", &sc->nreaders, load_reader);
	name_index_free(&ld->reader_names);
	return ok && within_reader_processes(ld, arr);
}

/* Each (ordered) element through load_one until the first bad one: later ones depend on it. */
static bool load_in_order(struct loader *ld, const struct node *arr, unsigned max,
			  const char *what, unsigned *n,
			  bool (*load_one)(struct loader *, const struct node *, unsigned))
{
	struct node el;

	if (!read_array(ld, arr, 0, max, what, n))
		return false;
	el.json = NULL;
	for (unsigned i = 0; i < *n; i++) {
		node_next(arr, i, &el);
		if (!load_one(ld, &el, i))
			return false;
	}
	return true;
}

/* The key of top, and whether it is absent or a non-empty array that needs has. */
static bool section(struct loader *ld, const struct node *top, const char *key, bool has,
		    const char *msg, struct node *arr)
{
	if (!node_get(ld, top, key, false, arr))
		return false;
	if (!has && nonempty_array(arr))
		return fail(ld, arr->path, "%s", msg);
	return true;
}

/*
 * The lists of VMM actions of ld->vm, read from holder (the top level for
 * "vm", the VM's own object in "vms"); without a VM (ld->vm NULL) each must
 * be absent or empty, and need names what to add.
 */
static bool load_vm_lists(struct loader *ld, const struct node *holder, const char *need)
{
	struct node arr;
	char msg[160];
	bool ok = true;

	for (unsigned i = 0; i < vm_list_count && ok && !ld->stop; i++) {
		const struct vm_list *l = &vm_lists[i];
		unsigned *n, count = 0;
		void **list;

		snprintf(msg, sizeof(msg), "%s need a VM: add %s, or remove \"%s\"", l->noun, need,
			 l->key);
		if (!section(ld, holder, l->key, ld->vm != NULL, msg, &arr))
			return false;
		if (!ld->vm)
			continue;
		n = (unsigned *)(void *)((char *)ld->vm + l->count_offset);
		list = (void **)(void *)((char *)ld->vm + l->list_offset);
		if (!read_array(ld, &arr, 0, l->max, l->noun, &count))
			return false;
		if (count && !(*list = calloc(count, l->elem_size)))
			return fail(ld, arr.path, "out of memory");
		ok = l->in_order ? load_in_order(ld, &arr, l->max, l->noun, n, l->load)
				 : load_each(ld, &arr, 0, l->max, l->noun, n, l->load);
	}
	return ok;
}

/* "vms" element k: a VM with its own lists; names are unique, vCPUs within the total. */
static bool load_vms_element(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct node v;
	char q[80];
	unsigned total = 0;

	ld->vm = &sc->vms[k];
	if (!load_vm(ld, o, true))
		return false;
	for (unsigned i = 0; i < k; i++) {
		if (strcmp(sc->vms[i].name, ld->vm->name) == 0) {
			join_key(v.path, o->path, "name");
			return fail(ld, v.path, "duplicate VM name %s (also /vms/%u/name)",
				    sim_quote(q, sizeof(q), ld->vm->name), i);
		}
		total += sc->vms[i].nvcpus;
	}
	if (total + ld->vm->nvcpus > SCN_MAX_TOTAL_VCPUS) {
		join_key(v.path, o->path, "vcpus");
		return fail(ld, v.path, "the VMs up to this one have %u vCPUs in all, more than %u "
			    "(about 2 KB of simulated KVM and guest state each)",
			    total + ld->vm->nvcpus, SCN_MAX_TOTAL_VCPUS);
	}
	return load_vm_lists(ld, o, "");
}

/*
 * "vm" (one VM: its lists are top-level keys) or "vms" (each VM holds its
 * own lists; top-level lists are refused).  *lists_ok: the lists loaded.
 */
static bool load_vms(struct loader *ld, const struct node *top, const struct node *vm,
		     const struct node *vms, bool *lists_ok)
{
	struct scenario *sc = ld->sc;
	unsigned n = 0;
	bool ok;

	if (vms->json) {
		if (!read_array(ld, vms, 1, SCN_MAX_VMS, "VMs", &n))
			return false;
		if (!(sc->vms = calloc(n, sizeof(*sc->vms))))
			return fail(ld, vms->path, "out of memory");
		ok = load_in_order(ld, vms, SCN_MAX_VMS, "VMs", &sc->nvms, load_vms_element);
		ld->vm = NULL;
		/* each VM's lists live in it: a top-level one would belong to no VM */
		*lists_ok = load_vm_lists(ld, top, "it to the VM it belongs to in \"vms\"");
		return ok;
	}
	if (!vm->json) {
		*lists_ok = load_vm_lists(ld, top, "\"vm\"");
		return true;
	}
	if (!(sc->vms = calloc(1, sizeof(*sc->vms))))
		return fail(ld, vm->path, "out of memory");
	sc->nvms = 1;
	ld->vm = &sc->vms[0];
	ok = load_vm(ld, vm, false);
	*lists_ok = ok && load_vm_lists(ld, top, "\"vm\"");
	return ok;
}

/*
 * Every section is read even after an error in another one, unless it
 * depends on it (a reader on the hosts and the VM, an event on the readers):
 * then it is skipped, so that one mistake is reported once.
 */
static bool load_scenario(struct loader *ld, const struct node *top)
{
	struct scenario *sc = ld->sc;
	struct node v, arr;
	char a[32];
	struct node vms;
	bool top_ok, hosts_ok = true, vm_ok = true, lists_ok = true, readers_ok = true,
	     events_ok = true, ok;
	struct field top_rows_all[TOP_ROWS_MAX];
	struct field_table top_table;

	top_level_table(top_rows_all, &top_table);
	ok = load_fields(ld, top, &top_table, 0, NULL, sc, NULL);
	/* every section needs the run's duration and start: stop when they are bad */
	top_ok = !(ld->bad_rows & (1u << TOP_DURATION | 1u << TOP_UTC_START));
	if (!(ld->bad_rows & 1u << TOP_NAME) && !sc->name[0])
		ok = fail(ld, "/name", "expected a non-empty name, got \"\"");
	if (top_ok && sc->duration_ps == 0)
		top_ok = fail(ld, "/duration", "expected a duration above 0, got %s",
			      fmt_ps(a, sizeof(a), 1, 0));
	if (!top_ok || !cJSON_IsObject(top->json))
		return false;
	ok &= node_get(ld, top, "platform", false, &v) && load_platform(ld, &v);

	/*
	 * "vm" or "vms" needs "hosts"; "hosts" alone is a bare-metal scenario,
	 * and neither is a bare board.
	 */
	if (!node_get(ld, top, "hosts", false, &arr) || !node_get(ld, top, "vm", false, &v) ||
	    !node_get(ld, top, "vms", false, &vms))
		return false;
	if (v.json && vms.json)
		return fail_at(ld, vms.path, AT_KEY, 0,
			       "expected \"vm\" (one VM) or \"vms\" (a list of VMs), not both");
	if (!arr.json && (v.json || vms.json))
		return fail_at(ld, arr.path, AT_PARENT, 0,
			       "missing key \"hosts\": \"%s\" is given, and a VM needs the hosts it "
			       "runs on", v.json ? "vm" : "vms");
	sc->has_hosts = arr.json != NULL;
	if (sc->has_hosts) {
		unsigned n = 0;

		hosts_ok = read_array(ld, &arr, 1, SCN_MAX_HOSTS, "hosts", &n);
		if (hosts_ok && !(sc->hosts = calloc(n, sizeof(*sc->hosts))))
			return fail(ld, arr.path, "out of memory");
		hosts_ok = hosts_ok &&
			   load_each(ld, &arr, 1, SCN_MAX_HOSTS, "hosts", &sc->nhosts, load_host);
		vm_ok = hosts_ok && load_vms(ld, top, &v, &vms, &lists_ok);
	} else {
		lists_ok = load_vm_lists(ld, top, "\"hosts\" and \"vm\"");
	}
	ok &= hosts_ok && vm_ok && lists_ok;
	if (ok && !ld->stop)
		readers_ok = section(ld, top, "readers", sc->has_hosts, "readers run in a guest and "
				     "need a VM: add \"hosts\" and \"vm\", or drive the devices with "
				     "\"scripts\" (readers on bare metal need \"hosts\")", &arr) &&
			     load_readers(ld, &arr);
	if (!ld->stop)
		ok &= node_get(ld, top, "scripts", false, &arr) &&
		      load_each(ld, &arr, 0, SCN_MAX_SCRIPTS, "scripts", &sc->nscripts, load_script);
	ok &= readers_ok;
	if (hosts_ok && readers_ok && !ld->stop)
		events_ok = section(ld, top, "events", sc->has_hosts, "events happen on hosts: add "
				    "\"hosts\", or remove \"events\"", &arr) && load_events(ld, &arr);
	ok &= events_ok;
	if (hosts_ok && events_ok && !ld->stop)
		ok &= section(ld, top, "host_checks", sc->has_hosts, "host checks need hosts: add "
			      "\"hosts\", or remove \"host_checks\"", &arr) &&
		      load_each(ld, &arr, 0, SCN_MAX_HOST_CHECKS, "host checks", &sc->nhost_checks,
				load_host_check);
	if (ok && !ld->stop)
		ok &= node_get(ld, top, "plugins", false, &arr) &&
		      load_each(ld, &arr, 0, SCN_MAX_PLUGINS, "plugins", &sc->nplugins, load_plugin);
	if (ok && !ld->stop)
		ok &= node_get(ld, top, "lesson", false, &arr) &&
		      load_in_order(ld, &arr, SCN_MAX_LESSON_STEPS, "lesson steps", &sc->nlesson,
				    load_lesson_step);
	if (!ok || ld->nerrors)
		return false;
	if (sc->nreaders == 0 && sc->nscripts == 0 && sc->nhost_checks == 0)
		return fail(ld, top->path, sc->has_hosts
			    ? "nothing to check: add \"readers\", \"scripts\" or \"host_checks\""
			    : "nothing to check: add \"readers\" or \"scripts\"");
	return true;
}

/* A syntax error at buf[off]: show what is there, or say the text ended. */
static void syntax_error(struct loader *ld, size_t off, const char *what)
{
	unsigned line, col;
	size_t n = 0, rest = off;

	while (rest < ld->len && strchr(" \t\r\n", ld->buf[rest]))
		rest++;
	sim_diag_set_file(ld->err, ld->file);
	if (rest >= ld->len) {
		json_line_col(ld->buf, ld->len, ld->len, &line, &col);
		sim_diag_set_pos(ld->err, line, col);
		sim_diag_fail(ld->err, "invalid JSON: unexpected end of file");
		return;
	}
	json_line_col(ld->buf, ld->len, off, &line, &col);
	sim_diag_set_pos(ld->err, line, col);
	while (off + n < ld->len && n < 16 && ld->buf[off + n] != '\n' && ld->buf[off + n] != '\r')
		n++;
	{
		char snippet[24], q[80];

		memcpy(snippet, ld->buf + off, n);
		snippet[n] = '\0';
		sim_diag_fail(ld->err, "invalid JSON: %s at %s", what,
			      sim_quote(q, sizeof(q), snippet));
	}
}

/* The file size limit, for text that did not come from scenario_load(). */
static bool within_size(struct loader *ld)
{
	if (ld->len <= MAX_FILE_BYTES)
		return true;
	sim_diag_set_file(ld->err, ld->file);
	return sim_diag_fail(ld->err, "cannot read: file larger than %u MiB", MAX_FILE_BYTES >> 20);
}

/* Nesting and size limits, checked before the parser allocates or recurses. */
static bool within_limits(struct loader *ld)
{
	enum json_scan r;
	unsigned line, col;
	size_t off = 0;

	r = json_scan_limits(ld->buf, ld->len, MAX_JSON_DEPTH, MAX_JSON_VALUES, &off);
	if (r == JSON_SCAN_OK)
		return true;
	json_line_col(ld->buf, ld->len, off, &line, &col);
	sim_diag_set_file(ld->err, ld->file);
	sim_diag_set_pos(ld->err, line, col);
	if (r == JSON_SCAN_TOO_DEEP)
		return sim_diag_fail(ld->err,
				     "arrays and objects nested more than %d deep (at most %d)",
				     MAX_JSON_DEPTH, MAX_JSON_DEPTH);
	return sim_diag_fail(ld->err, "more than %d JSON values (at most %d)", MAX_JSON_VALUES,
			     MAX_JSON_VALUES);
}

/*
 * Parses src[0..len) (malloc'd, with src[len] == '\0'), which it owns: the
 * scenario keeps it as its source, or it is freed on failure.
 */
static struct scenario *parse_owned(const char *file, char *src, size_t len,
				    struct sim_diag *err, struct sim_diag_list *list)
{
	struct loader ld = { .file = file, .buf = src, .len = len, .err = err, .list = list };
	struct node top = { NULL, "" };
	const char *end = NULL;
	cJSON *root;
	size_t off;
	bool ok;

	if (!within_size(&ld) || !within_limits(&ld)) {
		free(src);
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(ld.buf, ld.len, &end, false);
	if (!root) {
		off = end && end >= ld.buf && end <= ld.buf + ld.len ? (size_t)(end - ld.buf) : 0;
		syntax_error(&ld, off, "unexpected text");
		free(src);
		return NULL;
	}
	off = (size_t)(end - ld.buf);
	while (off < ld.len && strchr(" \t\r\n", ld.buf[off]))
		off++;
	if (off < ld.len) {
		cJSON_Delete(root);
		syntax_error(&ld, off, "text after the end of the top-level value");
		free(src);
		return NULL;
	}
	ld.sc = calloc(1, sizeof(*ld.sc));
	if (!ld.sc || !json_index_build(&ld.ix, ld.buf, ld.len, root)) {
		free(ld.sc);
		cJSON_Delete(root);
		free(src);
		sim_diag_set_file(ld.err, ld.file);
		sim_diag_fail(ld.err, "out of memory");
		return NULL;
	}
	snprintf(ld.sc->file, sizeof(ld.sc->file), "%s", ld.file);
	ld.sc->source = src;
	ld.sc->source_len = len;
	ld.root = root;
	top.json = root;
	ok = check_strings(&ld, root) && load_scenario(&ld, &top);
	json_index_free(&ld.ix);
	cJSON_Delete(root);
	if (!ok) {
		scenario_destroy(ld.sc);
		return NULL;
	}
	return ld.sc;
}

/* A list that got no error from the loader gets the one in err (I/O, syntax). */
static struct scenario *done(struct scenario *s, const struct sim_diag *err,
			     struct sim_diag_list *list)
{
	if (!s && list && list->n == 0)
		sim_diag_list_add(list, err);
	return s;
}

struct scenario *scenario_parse_all(const char *file, const char *buf, size_t len,
				    struct sim_diag *err, struct sim_diag_list *list)
{
	struct sim_diag ignored;
	char *src;

	if (!err)
		err = &ignored;
	sim_diag_clear(err);
	if (list)
		sim_diag_list_clear(list);
	if (!file)
		file = "";
	if (!buf)
		len = 0;
	src = malloc(len + 1);
	if (!src) {
		sim_diag_set_file(err, file);
		sim_diag_fail(err, "out of memory");
		return done(NULL, err, list);
	}
	if (len)
		memcpy(src, buf, len);
	src[len] = '\0';
	return done(parse_owned(file, src, len, err, list), err, list);
}

struct scenario *scenario_parse(const char *file, const char *buf, size_t len,
				struct sim_diag *err)
{
	return scenario_parse_all(file, buf, len, err, NULL);
}

struct scenario *scenario_load(const char *file, struct sim_diag *err)
{
	return scenario_load_all(file, err, NULL);
}

struct scenario *scenario_load_all(const char *file, struct sim_diag *err,
				   struct sim_diag_list *list)
{
	struct sim_diag ignored;
	size_t len = 0;
	char *buf;

	if (!err)
		err = &ignored;
	if (list)
		sim_diag_list_clear(list);
	buf = scenario_read_text(file, &len, err);  /* the size limit, and the file's name on err */
	if (!buf)
		return done(NULL, err, list);
	return done(parse_owned(file, buf, len, err, list), err, list);
}

void scenario_destroy(struct scenario *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nscripts && i < SCN_MAX_SCRIPTS; i++)
		free(s->scripts[i].commands);
	for (unsigned i = 0; i < s->nreaders && s->readers; i++) {
		free(s->readers[i].vcpus);
		free(s->readers[i].cpus);
	}
	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned l = 0; l < vm_list_count; l++)
			free(*(void **)(void *)((char *)&s->vms[v] + vm_lists[l].list_offset));
	free(s->vms);
	free(s->hosts);
	free(s->events);
	free(s->readers);
	free(s->source);
	free(s);
}

bool scenario_locate(const struct scenario *s, const char *path, unsigned *line, unsigned *col)
{
	size_t off;

	if (!s || !s->source || !path || !json_locate(s->source, s->source_len, path, &off))
		return false;
	json_line_col(s->source, s->source_len, off, line, col);
	return true;
}
