/* "vm" and its lists of VMM actions (vm_lists): "migrations", "vcpu_moves", "tsc_writes",
 * "stalls", "time_syncs", "clock_updates"; load_lifecycle.c has "pauses", "snapshots" and
 * "guest_timers". */
#include "sim/scenario/loader_internal.h"
#include "sim/core/units.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>


#define VM(m) offsetof(struct scn_vm, m)
#define MG(m) offsetof(struct scn_migration, m)

static const char *const kvm_version_names[] = KVM_VERSION_NAMES_INIT;
static const char *const board_owner_names[] = { "host", "vm", NULL };
static const char *const set_clock_names[] = { "none", "clock", "realtime", NULL };
_Static_assert(sizeof(set_clock_names) / sizeof(set_clock_names[0]) == SCN_SET_CLOCK_COUNT + 1,
	       "one name per enumerator");
static const char *const tsc_carry_names[] = { "frozen", "advance", NULL };
_Static_assert(sizeof(tsc_carry_names) / sizeof(tsc_carry_names[0]) == SCN_TSC_CARRY_COUNT + 1,
	       "one name per enumerator");
static const char *const kvmclock_base_names[] = { "raw", "mono", NULL };
_Static_assert(sizeof(kvmclock_base_names) / sizeof(kvmclock_base_names[0]) ==
	       SCN_KVMCLOCK_BASE_COUNT + 1, "one name per enumerator");
static const char *const anchor_names[] = { "host", "guest_tsc", NULL };
_Static_assert(sizeof(anchor_names) / sizeof(anchor_names[0]) == SCN_ANCHOR_COUNT + 1,
	       "one name per enumerator");
static const char *const clock_request_names[] = { "masterclock", "global", "vcpu", NULL };
_Static_assert(sizeof(clock_request_names) / sizeof(clock_request_names[0]) == SCN_REQ_COUNT + 1,
	       "one name per enumerator");

static const char *const stable_bit_names[] = { "master_clock", "always", NULL };
_Static_assert(sizeof(stable_bit_names) / sizeof(stable_bit_names[0]) == SCN_STABLE_BIT_COUNT + 1,
	       "one name per enumerator");
static const char *const tsc_via_names[] = { "msr", "offset", NULL };
_Static_assert(sizeof(tsc_via_names) / sizeof(tsc_via_names[0]) == SCN_TSC_VIA_COUNT + 1,
	       "one name per enumerator");

/* The keys of a VM, in "vm" and in each element of "vms" (one list, two tables). */
#define VM_ROWS \
	{ ROW("host", F_CUSTOM, 0), .required = true, .like = F_NAME }, \
	{ ROW("vcpus", F_UINT, VM(nvcpus)), .required = true, .min = 1, .max = SCN_MAX_VCPUS, \
	  .what = "a vCPU count" }, \
	{ ROW("pins", F_CUSTOM, 0), .like = F_UINT, .list = true, .min = 1, .max = SCN_MAX_VCPUS }, \
	{ ROW("uptime", F_DURATION_NS, VM(uptime_ns)), .dflt = "0s" }, \
	{ ROW("stable_bit_cpuid", F_BOOL, VM(stable_bit_cpuid)), .dflt = "true" }, \
	{ ROW("entry_latency", F_DURATION_PS, VM(entry_latency_ps)), .dflt = "20us" }, \
	/* KVM's KVMCLOCK_SYNC_PERIOD (arch/x86/kvm/x86.c): 300 s */ \
	{ ROW("kvmclock_sync_period", F_DURATION_PS, VM(sync_period_ps)), .dflt = "300s", \
	  .min = 1, .what = "period" }, \
	{ ROW("kvm_version", F_ENUM, VM(kvm_version)), .dflt = KVM_VERSION_DEFAULT_NAME, \
	  .names = kvm_version_names }, \
	/* hypervisor bug knobs: docs/failures.md, "TSC writes, synchronisation and the stable bit" */ \
	{ ROW("stable_bit", F_ENUM, VM(stable_bit)), .dflt = "master_clock", \
	  .names = stable_bit_names }, \
	{ ROW("stale_page_vcpu", F_CUSTOM, 0), .like = F_UINT, .max = SCN_MAX_VCPUS - 1 }, \
	{ ROW("stale_page_behind", F_DURATION_PS, VM(stale_page_behind_ps)), .dflt = "0s" }, \
	{ ROW("host_tsc_scaling", F_BOOL, VM(host_tsc_scaling)), .dflt = "true" }, \
	/* KVM_SET_TSC_KHZ on every vCPU before its first TSC write; 0: the host's tsc_khz */ \
	{ ROW("tsc_khz", F_U64, VM(tsc_khz)), .dflt = "0", .max = UINT32_MAX, \
	  .what = "a TSC rate in kHz" }, \
	{ ROW("kvmclock_base", F_ENUM, VM(kvmclock_base)), .dflt = "raw", \
	  .names = kvmclock_base_names }, \
	{ ROW("masterclock_anchor", F_ENUM, VM(masterclock_anchor)), .dflt = "host", \
	  .names = anchor_names }, \
	/* KVMCLOCK_UPDATE_DELAY (7e44e4495a, "x86: kvm: rate-limit global clock updates") */ \
	{ ROW("clock_update_delay", F_DURATION_PS, VM(clock_update_delay_ps)), .dflt = "100ms" }, \
	/* whose time base the board runs on: "vm" stops it with the VM (QEMU_CLOCK_VIRTUAL) */ \
	{ ROW("board", F_ENUM_BOOL, VM(board_vm)), .dflt = "host", .names = board_owner_names },

static const struct field vm_rows[] = { VM_ROWS };

static const struct field migration_rows[] = {
	{ ROW("at", F_DURATION_PS, MG(at_ps)), .required = true },
	{ ROW("downtime", F_DURATION_PS, MG(downtime_ps)), .required = true, .min = 1,
	  .what = "downtime" },
	{ ROW("to", F_CUSTOM, 0), .required = true, .like = F_NAME },
	{ ROW("pins", F_CUSTOM, 0), .like = F_UINT, .list = true, .min = 1, .max = SCN_MAX_VCPUS },
	{ ROW("set_clock", F_ENUM, MG(set_clock)), .dflt = "realtime", .names = set_clock_names },
	{ ROW("tsc_scaling", F_BOOL, MG(tsc_scaling)), .dflt = "false" },
	{ ROW("tsc_carry", F_ENUM, MG(tsc_carry)), .dflt = "frozen", .names = tsc_carry_names },
};

#define TW(m) offsetof(struct scn_tsc_write, m)

static const struct field tsc_write_rows[] = {
	{ ROW("at", F_DURATION_PS, TW(at_ps)), .required = true },
	{ ROW("vcpu", F_CUSTOM, 0), .required = true, .like = F_UINT, .max = SCN_MAX_VCPUS - 1 },
	{ ROW("value", F_CUSTOM, 0), .like = F_U64_HEX, .max = UINT64_MAX },
	{ ROW("saved_at", F_CUSTOM, 0), .like = F_DURATION_PS },
	{ ROW("delta", F_SIGNED_PS, TW(delta_ps)), .dflt = "0s" },
	{ ROW("via", F_ENUM, TW(via)), .dflt = "msr", .names = tsc_via_names },
};

static const struct field move_rows[] = {
	{ ROW("at", F_DURATION_PS, offsetof(struct scn_vcpu_move, at_ps)), .required = true },
	{ ROW("vcpu", F_CUSTOM, 0), .required = true, .like = F_UINT, .max = SCN_MAX_VCPUS - 1 },
	{ ROW("pcpu", F_CUSTOM, 0), .required = true, .like = F_UINT,
	  .max = SCN_MAX_HOST_CPUS - 1 },
};

#define CU(m) offsetof(struct scn_clock_update, m)

static const struct field clock_update_rows[] = {
	{ ROW("at", F_DURATION_PS, CU(at_ps)), .required = true },
	{ ROW("request", F_ENUM, CU(request)), .required = true, .names = clock_request_names },
	{ ROW("vcpu", F_CUSTOM, 0), .like = F_UINT, .max = SCN_MAX_VCPUS - 1 },
	{ ROW("every", F_DURATION_PS, CU(every_ps)), .dflt = "0s" },
	{ ROW("count", F_U64, CU(count)), .dflt = "0", .max = MAX_U53, .what = "a number of updates" },
	{ ROW("stagger", F_DURATION_PS, CU(stagger_ps)), .dflt = "0s" },
};

const struct field_table vm_table = FIELDS("vm", vm_rows);
static const struct field_table clock_update_table = FIELDS("clock_updates", clock_update_rows);
static const struct field_table migration_table = FIELDS("migrations", migration_rows);
static const struct field_table move_table = FIELDS("vcpu_moves", move_rows);
static const struct field_table tsc_write_table = FIELDS("tsc_writes", tsc_write_rows);

/*
 * "pins": exactly nvcpus CPU indices of host h, online at t = 0; default
 * vCPU i -> the (i mod ncpus_online)-th CPU online at t = 0 (CPU i mod ncpus
 * without hotplug CPUs).
 */
static bool read_pins(struct loader *ld, const struct node *v, const struct scn_host *h,
		      bool *has, unsigned pins[])
{
	unsigned ncpus = host_cpus(h), nvcpus = ld->vm->nvcpus;
	char what[80];

	for (unsigned i = 0; i < nvcpus; i++)
		pins[i] = nth_online_cpu(h, i % h->ncpus_online);
	if (!read_array(ld, v, nvcpus, nvcpus, "CPU indices (one per vCPU)", &(unsigned){ 0 }))
		return false;
	if (!v->json)
		return true;
	*has = true;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	for (unsigned i = 0; i < nvcpus; i++) {
		struct node el;

		node_element(v, i, &el);
		if (!read_uint(ld, &el, 0, ncpus - 1, what, &pins[i]) ||
		    !check_vcpu_cpu(ld, el.path, h, pins[i]))
			return false;
	}
	return true;
}

bool load_vm(struct loader *ld, const struct node *o, bool in_vms)
{
	struct scn_vm *vm = ld->vm;
	struct node v, pins;

	if (!load_fields(ld, o, in_vms ? &vms_table : &vm_table, 0, NULL, vm, NULL))
		return false;
	keep_path(vm->path, o->path);
	if (!in_vms)
		snprintf(vm->name, sizeof(vm->name), "vm");
	if (!node_get(ld, o, "host", true, &v) || !read_host_ref(ld, &v, &vm->host))
		return false;
	if (!node_get(ld, o, "stale_page_vcpu", false, &v) ||
	    (v.json && !read_uint(ld, &v, 0, vm->nvcpus - 1, "a vCPU index", &vm->stale_page_vcpu)))
		return false;
	/* the lagging page's system_time is kvmclock minus the lag: below 0 it would wrap */
	if (vm->stale_page_behind_ps / SIM_PS_PER_NS > vm->uptime_ns) {
		char a[32], b[32];

		join_key(v.path, o->path, "stale_page_behind");
		return fail(ld, v.path, "expected a lag not above the VM's \"uptime\" (%s), its "
			    "kvmclock at t = 0, got %s: the lagging page would start below 0",
			    fmt_ps(a, sizeof(a), 1, vm->uptime_ns * SIM_PS_PER_NS),
			    fmt_ps(b, sizeof(b), 1, vm->stale_page_behind_ps));
	}
	return node_get(ld, o, "pins", false, &pins) &&
	       read_pins(ld, &pins, &ld->sc->hosts[vm->host], &vm->has_pins, vm->pins);
}

/* ---- migrations and vCPU moves ---- */

static bool load_migration(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_migration *m = &ld->vm->migrations[k];
	struct node at, v;
	unsigned from = k ? ld->vm->migrations[k - 1].to_host : ld->vm->host;
	char a[32], b[32];

	if (!load_fields(ld, o, &migration_table, 0, NULL, m, NULL))
		return false;
	keep_path(m->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !node_get(ld, o, "downtime", true, &v))
		return false;
	if (k && m->at_ps <= sim_add_sat(ld->vm->migrations[k - 1].at_ps,
					 ld->vm->migrations[k - 1].downtime_ps))
		return fail(ld, at.path,
			    "expected a time after the previous migration (/migrations/%u) ends at %s "
			    "(at + downtime), got %s", k - 1,
			    fmt_ps(a, sizeof(a), 1, ld->vm->migrations[k - 1].at_ps +
				   ld->vm->migrations[k - 1].downtime_ps),
			    fmt_ps(b, sizeof(b), 1, m->at_ps));
	if (!check_before_end(ld, at.path, m->at_ps))
		return false;
	if (sim_add_sat(m->at_ps, m->downtime_ps) >= sc->duration_ps)
		return fail(ld, v.path,
			    "the migration would end at %s (at + downtime), not before the end of "
			    "the run (%s)", fmt_ps(a, sizeof(a), 1, sim_add_sat(m->at_ps, m->downtime_ps)),
			    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	if (!node_get(ld, o, "to", true, &v) || !read_host_ref(ld, &v, &m->to_host))
		return false;
	if (m->to_host == from)
		return fail(ld, v.path,
			    "the VM is already on host \"%s\" at %s; expected a different host",
			    sc->hosts[from].name, fmt_ps(a, sizeof(a), 1, m->at_ps));
	if (!node_get(ld, o, "pins", false, &v) ||
	    !read_pins(ld, &v, &sc->hosts[m->to_host], &m->has_pins, m->pins))
		return false;
	return true;
}

static bool load_move(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_vcpu_move *mv = &ld->vm->moves[k];
	unsigned host = ld->vm->host;
	struct node at, v;
	char a[32], b[32], what[96];

	if (!load_fields(ld, o, &move_table, 0, NULL, mv, NULL))
		return false;
	keep_path(mv->path, o->path);
	if (!node_get(ld, o, "at", true, &at))
		return false;
	if (!check_before_end(ld, at.path, mv->at_ps))
		return false;
	if (k && mv->at_ps < ld->vm->moves[k - 1].at_ps)
		return fail(ld, at.path,
			    "expected moves sorted by \"at\": got %s, before the previous move's %s",
			    fmt_ps(a, sizeof(a), 1, mv->at_ps),
			    fmt_ps(b, sizeof(b), 1, ld->vm->moves[k - 1].at_ps));
	for (unsigned i = 0; i < ld->vm->nmigrations; i++) {
		const struct scn_migration *m = &ld->vm->migrations[i];

		if (mv->at_ps < m->at_ps)
			break;
		if (mv->at_ps < m->at_ps + m->downtime_ps)
			return fail(ld, at.path,
				    "the VM is not running at %s: it is inside the downtime of "
				    "/migrations/%u (%s to %s)", fmt_ps(a, sizeof(a), 1, mv->at_ps), i,
				    fmt_ps(b, sizeof(b), 1, m->at_ps),
				    fmt_ps(what, sizeof(what), 1, m->at_ps + m->downtime_ps));
		host = m->to_host;
	}
	if (!node_get(ld, o, "vcpu", true, &v) ||
	    !read_uint(ld, &v, 0, ld->vm->nvcpus - 1, "a vCPU index", &mv->vcpu))
		return false;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\" (where the VM is at %s)",
		 sc->hosts[host].name, fmt_ps(a, sizeof(a), 1, mv->at_ps));
	if (!node_get(ld, o, "pcpu", true, &v) ||
	    !read_uint(ld, &v, 0, host_cpus(&sc->hosts[host]) - 1, what, &mv->pcpu))
		return false;
	return check_vcpu_cpu(ld, v.path, &sc->hosts[host], mv->pcpu);
}

/* Not inside a migration's stop window; the index of the host the VM is on at `at`. */
static bool vm_running_at(struct loader *ld, const struct node *at, sim_ps t, unsigned *host)
{
	char a[32], b[32], c[32];

	*host = ld->vm->host;
	for (unsigned i = 0; i < ld->vm->nmigrations; i++) {
		const struct scn_migration *m = &ld->vm->migrations[i];

		if (t < m->at_ps)
			break;
		if (t < m->at_ps + m->downtime_ps)
			return fail(ld, at->path,
				    "the VM is not running at %s: it is inside the downtime of "
				    "/migrations/%u (%s to %s)", fmt_ps(a, sizeof(a), 1, t), i,
				    fmt_ps(b, sizeof(b), 1, m->at_ps),
				    fmt_ps(c, sizeof(c), 1, m->at_ps + m->downtime_ps));
		*host = m->to_host;
	}
	return true;
}

static bool load_tsc_write(struct loader *ld, const struct node *o, unsigned k)
{
	struct scn_tsc_write *w = &ld->vm->tsc_writes[k];
	struct node at, v, saved;
	unsigned host;
	char a[32], b[32];

	if (!load_fields(ld, o, &tsc_write_table, 0, NULL, w, NULL))
		return false;
	keep_path(w->path, o->path);
	if (!node_get(ld, o, "at", true, &at))
		return false;
	if (!check_before_end(ld, at.path, w->at_ps))
		return false;
	if (k && w->at_ps < ld->vm->tsc_writes[k - 1].at_ps)
		return fail(ld, at.path,
			    "expected TSC writes sorted by \"at\": got %s, before the previous write's %s",
			    fmt_ps(a, sizeof(a), 1, w->at_ps),
			    fmt_ps(b, sizeof(b), 1, ld->vm->tsc_writes[k - 1].at_ps));
	if (!vm_running_at(ld, &at, w->at_ps, &host))
		return false;
	if (!node_get(ld, o, "vcpu", true, &v) ||
	    !read_uint(ld, &v, 0, ld->vm->nvcpus - 1, "a vCPU index", &w->vcpu))
		return false;
	if (!node_get(ld, o, "value", false, &v) || !node_get(ld, o, "saved_at", false, &saved))
		return false;
	if (v.json && saved.json)
		return fail(ld, saved.path, "expected \"value\" or \"saved_at\", not both");
	if (v.json) {
		w->has_value = true;
		if (!read_u64(ld, &v, "a TSC value", UINT64_MAX, &w->value))
			return false;
	}
	if (saved.json) {
		w->has_saved_at = true;
		if (!read_duration_ps(ld, &saved, &w->saved_at_ps))
			return false;
		if (w->saved_at_ps > w->at_ps)
			return fail(ld, saved.path, "expected a time not after \"at\" (%s), got %s",
				    fmt_ps(a, sizeof(a), 1, w->at_ps),
				    fmt_ps(b, sizeof(b), 1, w->saved_at_ps));
		if (!vm_running_at(ld, &saved, w->saved_at_ps, &host))
			return false;
	}
	return true;
}

/* A clock update: a KVM request on one vCPU at `at`, then every `every` (count times). */
static bool load_clock_update(struct loader *ld, const struct node *o, unsigned k)
{
	struct scn_clock_update *cu = &ld->vm->clock_updates[k];
	struct node v;
	char a[32], b[32];

	if (!load_fields(ld, o, &clock_update_table, 0, NULL, cu, NULL))
		return false;
	keep_path(cu->path, o->path);
	join_key(v.path, o->path, "at");
	if (!check_before_end(ld, v.path, cu->at_ps))
		return false;
	if (!node_get(ld, o, "vcpu", false, &v) ||
	    !read_uint(ld, &v, 0, ld->vm->nvcpus - 1, "a vCPU index", &cu->vcpu))
		return false;
	if (!node_get(ld, o, "count", false, &v))
		return false;
	if (v.json && !cu->every_ps)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"count\" needs \"every\" (a period above 0s)");
	if (!node_get(ld, o, "stagger", false, &v) || !v.json)
		return true;
	if (cu->request != SCN_REQ_MASTERCLOCK && cu->stagger_ps)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"stagger\" needs \"request\": "
			       "\"masterclock\"");
	if (cu->every_ps && (sim_u128)cu->stagger_ps * (ld->vm->nvcpus - 1) >= cu->every_ps)
		return fail(ld, v.path, "the last vCPU would get its page %s after the request, not "
			    "before the next one (\"every\": %s)",
			    fmt_ps(a, sizeof(a), 1, cu->stagger_ps * (ld->vm->nvcpus - 1)),
			    fmt_ps(b, sizeof(b), 1, cu->every_ps));
	return true;
}

/* ---- the VM's lists: one row per VMM action's array (sim/vmm/vmm.h) ---- */

/* X(key, table, max, noun, in_order, member, load): in the order they are read. */
#define VM_LISTS(X)                                                                          \
	X("migrations", migration_table, SCN_MAX_MIGRATIONS, "migrations", true, migrations,  \
	  load_migration)                                                                    \
	X("vcpu_moves", move_table, SCN_MAX_MOVES, "vCPU moves", false, moves, load_move)     \
	X("tsc_writes", tsc_write_table, SCN_MAX_TSC_WRITES, "TSC writes", true, tsc_writes,  \
	  load_tsc_write)                                                                    \
	X("stalls", stall_table, SCN_MAX_STALLS, "stalls", true, stalls, load_stall)          \
	X("time_syncs", time_sync_table, SCN_MAX_TIME_SYNCS, "time syncs", true, time_syncs,  \
	  load_time_sync)                                                                    \
	X("clock_updates", clock_update_table, SCN_MAX_CLOCK_UPDATES, "clock updates", false, \
	  clock_updates, load_clock_update)                                                  \
	X("pauses", pause_table, SCN_MAX_PAUSES, "pauses", true, pauses, load_pause)          \
	X("snapshots", snapshot_table, SCN_MAX_SNAPSHOTS, "snapshots", true, snapshots,       \
	  load_snapshot)                                                                     \
	X("guest_timers", guest_timer_table, SCN_MAX_GUEST_TIMERS, "guest timers", true,      \
	  guest_timers, load_guest_timer)

#define VM_LIST_ENTRY(key, table, max, noun, in_order, member, load)                          \
	{ key, &table, max, noun, in_order, offsetof(struct scn_vm, n##member),                 \
	  offsetof(struct scn_vm, member), sizeof(*((struct scn_vm *)0)->member), load },
const struct vm_list vm_lists[] = { VM_LISTS(VM_LIST_ENTRY) };
const unsigned vm_list_count = sizeof(vm_lists) / sizeof(vm_lists[0]);
_Static_assert(sizeof(vm_lists) / sizeof(vm_lists[0]) <= VM_LISTS_MAX, "raise VM_LISTS_MAX");

/* An element of "vms": a name, the keys of "vm", and the VM's own lists. */
#define VM_LIST_ROW(key, table, max_, noun, in_order, member, load)                           \
	{ ROW(key, F_CUSTOM, 0), .sub = &table, .nest = NEST_ARRAY, .max = max_ },
static const struct field vms_rows[] = {
	{ ROW("name", F_NAME, VM(name)), .required = true },
	VM_ROWS
	VM_LISTS(VM_LIST_ROW)
};
const struct field_table vms_table = FIELDS("vms", vms_rows);

/*
 * The "vm" key of o (a reader, a host check): a VM's name; absent, the only
 * VM (an error when there are several).  Sets ld->vm to it; without any VM,
 * *out = 0 and ld->vm = NULL (the caller decides whether it needs one).
 */
bool read_vm_or_only(struct loader *ld, const struct node *o, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[8 * (SCN_NAME_MAX + 2)];
	const char *s = "";
	struct node v;
	size_t n = 0;

	names[0] = '\0';
	*out = 0;
	ld->vm = NULL;
	if (!node_get(ld, o, "vm", false, &v))
		return false;
	if (!v.json) {
		if (sc->nvms <= 1) {
			ld->vm = sc->nvms ? &sc->vms[0] : NULL;
			return true;
		}
		for (unsigned i = 0; i < sc->nvms; i++)
			append_name(names, sizeof(names), &n, sc->vms[i].name);
		return fail_at(ld, v.path, AT_PARENT, 0, "missing required key \"vm\": there are "
			       "%u VMs (%s)", sc->nvms, names);
	}
	if (!sc->nvms)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"vm\" names a VM, and the scenario has "
			       "none: add \"vm\" or \"vms\" at the top level, or remove this key");
	if (!read_str(ld, &v, "a VM name", &s))
		return false;
	for (unsigned i = 0; i < sc->nvms; i++) {
		if (strcmp(sc->vms[i].name, s) == 0) {
			*out = i;
			ld->vm = &sc->vms[i];
			return true;
		}
		append_name(names, sizeof(names), &n, sc->vms[i].name);
	}
	return fail(ld, v.path, "unknown VM %s; expected one of: %s", sim_quote(q, sizeof(q), s),
		    names);
}
