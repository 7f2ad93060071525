/*
 * Opening plugins (dlopen, the entry point, the ABI range, the descriptor),
 * deciding who replaces which part, the crash guard's handlers and the
 * error every adapter reports through.
 */
#include "sim/plugin/internal.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sigjmp_buf plugin_guard_jb;
volatile sig_atomic_t plugin_guard_on;
volatile sig_atomic_t plugin_guard_sig;

static const int guarded_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NSIGNALS (sizeof(guarded_signals) / sizeof(guarded_signals[0]))
static struct sigaction saved[NSIGNALS];

static void on_fault(int sig)
{
	if (!plugin_guard_on) {
		/* not plugin code: hand the signal back; the instruction faults again */
		for (unsigned i = 0; i < NSIGNALS; i++)
			if (guarded_signals[i] == sig)
				sigaction(sig, &saved[i], NULL);
		return;
	}
	plugin_guard_on = 0;
	plugin_guard_sig = sig;
	siglongjmp(plugin_guard_jb, 1);
}

static void install_handlers(struct plugin_set *ps)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < NSIGNALS; i++)
		sigaction(guarded_signals[i], &sa, &saved[i]);
	ps->handlers = true;
}

static void remove_handlers(struct plugin_set *ps)
{
	if (!ps->handlers)
		return;
	for (unsigned i = 0; i < NSIGNALS; i++)
		sigaction(guarded_signals[i], &saved[i], NULL);
	ps->handlers = false;
}

const char *plugin_signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV (invalid memory access)";
	case SIGBUS: return "SIGBUS (bus error)";
	case SIGFPE: return "SIGFPE (arithmetic fault, such as a division by zero)";
	case SIGILL: return "SIGILL (illegal instruction)";
	default: return "a signal";
	}
}

void plugin_fail(struct plugin_set *ps, const struct plugin *pl, enum plugin_part part,
		 sim_ps now, int vcpu, const char *fmt, ...)
{
	struct sim_diag err;
	char what[200], t[32], on[24] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (vcpu >= 0)
		snprintf(on, sizeof(on), " on vCPU %d", vcpu);
	sim_diag_clear(&err);
	if (pl->who.json_path[0] == '/')
		sim_diag_set_path(&err, pl->who.json_path);    /* the file's entry: a line:column */
	sim_diag_fail(&err, "plugin \"%s\" (%s, %s), part %s, at %s s%s: %s", pl->who.name,
		      pl->who.path, pl->who.json_path, plugin_part_name(part),
		      sim_format_seconds(t, now), on, what);
	sim_eventq_fail(ps->q, &err);
}

/* The error of opening spec (its path and JSON pointer set). */
static bool open_fail(struct sim_diag *err, const struct scn_plugin *spec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool open_fail(struct sim_diag *err, const struct scn_plugin *spec, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(spec->json_path, "--plugin") != 0)
		sim_diag_set_path(err, spec->json_path);
	return sim_diag_fail(err, "plugin %s: %s", spec->path, msg);
}

/* Whether the descriptor's part p is there. */
static bool has_part(const struct sim_plugin_descriptor *d, enum plugin_part p)
{
	switch (p) {
	case PLUGIN_PART_PVCLOCK_WRITER: return d->pvclock_writer != NULL;
	case PLUGIN_PART_PVCLOCK_READER: return d->guest_reader != NULL;
	case PLUGIN_PART_PMTIMER: return d->device && d->device->replaces &&
					 strcmp(d->device->replaces, "pmtimer") == 0;
	case PLUGIN_PART_COUNT: break;
	}
	return false;
}

/* Garbage in the descriptor: a part whose callbacks are NULL, a device for nothing we know. */
static bool check_descriptor(const struct sim_plugin_descriptor *d, const struct scn_plugin *spec,
			     struct sim_diag *err)
{
	if (!d->name || !d->name[0])
		return open_fail(err, spec, "the descriptor has no name");
	if (strnlen(d->name, 64) == 64)
		return open_fail(err, spec, "the descriptor's name is longer than 63 bytes");
	if (d->pvclock_writer && !d->pvclock_writer->write)
		return open_fail(err, spec, "part pvclock_writer: write is NULL");
	if (d->guest_reader && !d->guest_reader->read)
		return open_fail(err, spec, "part pvclock_reader: read is NULL");
	if (d->device && (!d->device->read || !d->device->write))
		return open_fail(err, spec, "its device part: read or write is NULL");
	if (d->device && !has_part(d, PLUGIN_PART_PMTIMER))
		return open_fail(err, spec, "its device part replaces \"%s\": expected \"pmtimer\" "
				 "(the only board device a plugin may replace yet)",
				 d->device->replaces ? d->device->replaces : "(NULL)");
	if (!!d->create != !!d->destroy)
		return open_fail(err, spec, "create and destroy go together: one of them is NULL");
	return true;
}

static bool open_one(struct plugin_set *ps, struct plugin *pl, const struct scn_plugin *spec,
		     struct sim_diag *err)
{
	sim_plugin_entry_fn *entry;
	const struct sim_plugin_descriptor *d = NULL;
	bool ok;
	void *sym;

	pl->who = (struct plugin_foreign){ .name = spec->given, .path = spec->path,
					   .json_path = spec->json_path };
	pl->dl = dlopen(spec->path, RTLD_NOW | RTLD_LOCAL);
	if (!pl->dl)
		return open_fail(err, spec, "cannot load: %s", dlerror());
	sym = dlsym(pl->dl, SIM_PLUGIN_ENTRY);
	if (!sym)
		return open_fail(err, spec, "no entry point: it exports no symbol \"%s\"",
				 SIM_PLUGIN_ENTRY);
	/* POSIX: a data pointer from dlsym converts to a function pointer */
	memcpy(&entry, &sym, sizeof(entry));
	GUARDED(d = entry(), ok);
	if (!ok)
		return open_fail(err, spec, "%s() crashed: %s", SIM_PLUGIN_ENTRY,
				 plugin_signal_name(plugin_guard_sig));
	if (!d)
		return open_fail(err, spec, "%s() returned NULL", SIM_PLUGIN_ENTRY);
	if (d->min_abi_version > SIM_PLUGIN_ABI_VERSION || d->abi_version < SIM_PLUGIN_ABI_MIN_VERSION ||
	    d->min_abi_version > d->abi_version)
		return open_fail(err, spec, "ABI mismatch: the plugin was built for ABI %" PRIu32
				 " and needs at least ABI %" PRIu32 "; this sim has ABI %u and "
				 "accepts plugins built for ABI %u or later", d->abi_version,
				 d->min_abi_version, SIM_PLUGIN_ABI_VERSION,
				 SIM_PLUGIN_ABI_MIN_VERSION);
	if (!check_descriptor(d, spec, err))
		return false;
	pl->d = d;
	pl->who.name = d->name;
	if (d->create) {
		GUARDED(pl->state = d->create(), ok);
		if (!ok)
			return open_fail(err, spec, "create() crashed: %s",
					 plugin_signal_name(plugin_guard_sig));
		if (!pl->state)
			return open_fail(err, spec, "create() returned NULL");
	}
	(void)ps;
	return true;
}

/* Gives spec's parts to pl; false when one is missing or taken. */
static bool claim(struct plugin_set *ps, struct plugin *pl, const struct scn_plugin *spec,
		  struct sim_diag *err)
{
	bool any = false;

	for (unsigned p = 0; p < PLUGIN_PART_COUNT; p++) {
		if ((spec->part != PLUGIN_PART_ALL && spec->part != p) || !has_part(pl->d, p))
			continue;
		if (ps->part[p])
			return open_fail(err, spec, "part %s is already replaced by plugin \"%s\" (%s)",
					 plugin_part_name(p), ps->part[p]->who.name,
					 ps->part[p]->who.json_path);
		ps->part[p] = pl;
		any = true;
	}
	if (any)
		return true;
	if (spec->part == PLUGIN_PART_ALL)
		return open_fail(err, spec, "plugin \"%s\" implements no part", pl->d->name);
	return open_fail(err, spec, "plugin \"%s\" does not implement part %s (%s)", pl->d->name,
			 plugin_part_name(spec->part), plugin_part_what(spec->part));
}

struct plugin_set *plugin_set_open(const struct scn_plugin *specs, unsigned n,
				   struct sim_eventq *q, struct sim_diag *err)
{
	struct plugin_set *ps = calloc(1, sizeof(*ps));

	if (!ps) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	ps->q = q;
	if (n)
		install_handlers(ps);
	for (unsigned i = 0; i < n && i < SCN_MAX_PLUGINS; i++) {
		struct plugin *pl = &ps->plugins[ps->n++];

		if (!open_one(ps, pl, &specs[i], err) || !claim(ps, pl, &specs[i], err)) {
			plugin_set_close(ps);
			return NULL;
		}
	}
	return ps;
}

void plugin_set_close(struct plugin_set *ps)
{
	if (!ps)
		return;
	for (unsigned i = ps->n; i-- > 0;) {
		struct plugin *pl = &ps->plugins[i];
		bool ok;

		if (pl->state && pl->d && pl->d->destroy)
			GUARDED(pl->d->destroy(pl->state), ok);
		(void)ok;
		if (pl->dl)
			dlclose(pl->dl);
	}
	remove_handlers(ps);
	free(ps);
}

void plugin_set_amend(const struct plugin_set *ps, struct sim_diag *err)
{
	size_t n = strlen(err->msg);
	const char *sep = " (foreign parts: ";

	if (!ps || strncmp(err->msg, "plugin ", 7) == 0)
		return;
	for (unsigned p = 0; p < PLUGIN_PART_COUNT; p++) {
		if (!ps->part[p] || n >= sizeof(err->msg) - 1)
			continue;
		n += (size_t)snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s from plugin \"%s\"", sep,
				      plugin_part_name(p), ps->part[p]->who.name);
		sep = ", ";
	}
	if (strcmp(sep, ", ") == 0 && n < sizeof(err->msg) - 1)
		snprintf(err->msg + n, sizeof(err->msg) - n, ")");
}

const struct plugin_foreign *plugin_set_part(const struct plugin_set *ps, enum plugin_part p)
{
	return ps && (unsigned)p < PLUGIN_PART_COUNT && ps->part[p] ? &ps->part[p]->who : NULL;
}

void plugin_set_board(struct plugin_set *ps, struct platform_params *pp)
{
	if (ps && ps->part[PLUGIN_PART_PMTIMER]) {
		pp->chip[BOARD_DEV_PMTIMER] = &plugin_pmtimer_chip;
		pp->chip_ctx[BOARD_DEV_PMTIMER] = ps;
	}
}

void plugin_set_kvm(struct plugin_set *ps, struct kvm_vm *vm)
{
	if (ps && ps->part[PLUGIN_PART_PVCLOCK_WRITER]) {
		vm->page_writer = plugin_writer_hook;
		vm->page_writer_ctx = ps;
	}
}

void plugin_set_reader(struct plugin_set *ps, struct guest_reader_params *p)
{
	if (ps && ps->part[PLUGIN_PART_PVCLOCK_READER] && p->kind == READER_PVCLOCK) {
		p->foreign_read = plugin_reader_hook;
		p->foreign_ctx = ps;
	}
}
