/* "vm" and its lists of VMM actions (vm_lists): "migrations", "vcpu_moves". */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>


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

static const struct field vm_rows[] = {
	{ ROW("host", F_CUSTOM, 0), .required = true },
	{ ROW("vcpus", F_UINT, VM(nvcpus)), .required = true, .min = 1, .max = SCN_MAX_VCPUS,
	  .what = "a vCPU count" },
	{ ROW("pins", F_CUSTOM, 0) },
	{ ROW("uptime", F_DURATION_NS, VM(uptime_ns)), .dflt = "0s" },
	{ ROW("stable_bit_cpuid", F_BOOL, VM(stable_bit_cpuid)), .dflt = "true" },
	{ ROW("entry_latency", F_DURATION_PS, VM(entry_latency_ps)), .dflt = "20us" },
	/* KVM's KVMCLOCK_SYNC_PERIOD (arch/x86/kvm/x86.c): 300 s */
	{ ROW("kvmclock_sync_period", F_DURATION_PS, VM(sync_period_ps)), .dflt = "300s",
	  .min = 1, .what = "period" },
	{ ROW("kvm_version", F_ENUM, VM(kvm_version)), .dflt = KVM_VERSION_DEFAULT_NAME,
	  .names = kvm_version_names },
	/* whose time base the board runs on: "vm" stops it with the VM (QEMU_CLOCK_VIRTUAL) */
	{ ROW("board", F_ENUM_BOOL, VM(board_vm)), .dflt = "host", .names = board_owner_names },
};

static const struct field migration_rows[] = {
	{ ROW("at", F_DURATION_PS, MG(at_ps)), .required = true },
	{ ROW("downtime", F_DURATION_PS, MG(downtime_ps)), .required = true, .min = 1,
	  .what = "downtime" },
	{ ROW("to", F_CUSTOM, 0), .required = true },
	{ ROW("pins", F_CUSTOM, 0) },
	{ ROW("set_clock", F_ENUM, MG(set_clock)), .dflt = "realtime", .names = set_clock_names },
	{ ROW("tsc_scaling", F_BOOL, MG(tsc_scaling)), .dflt = "false" },
	{ ROW("tsc_carry", F_ENUM, MG(tsc_carry)), .dflt = "frozen", .names = tsc_carry_names },
};

static const struct field move_rows[] = {
	{ ROW("at", F_DURATION_PS, offsetof(struct scn_vcpu_move, at_ps)), .required = true },
	{ ROW("vcpu", F_CUSTOM, 0), .required = true },
	{ ROW("pcpu", F_CUSTOM, 0), .required = true },
};

const struct field_table vm_table = FIELDS("vm", vm_rows);
static const struct field_table migration_table = FIELDS("migrations", migration_rows);
static const struct field_table move_table = FIELDS("vcpu_moves", move_rows);

/*
 * "pins": exactly nvcpus CPU indices of host h, online at t = 0; default
 * vCPU i -> the (i mod ncpus_online)-th CPU online at t = 0 (CPU i mod ncpus
 * without hotplug CPUs).
 */
static bool read_pins(struct loader *ld, const struct node *v, const struct scn_host *h,
		      bool *has, unsigned pins[])
{
	unsigned ncpus = host_cpus(h), nvcpus = ld->sc->vm.nvcpus;
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

bool load_vm(struct loader *ld, const struct node *o)
{
	struct scn_vm *vm = &ld->sc->vm;
	struct node v, pins;

	if (!load_fields(ld, o, &vm_table, 0, NULL, vm, NULL))
		return false;
	if (!node_get(ld, o, "host", true, &v) || !read_host_ref(ld, &v, &vm->host))
		return false;
	return node_get(ld, o, "pins", false, &pins) &&
	       read_pins(ld, &pins, &ld->sc->hosts[vm->host], &vm->has_pins, vm->pins);
}

/* ---- migrations and vCPU moves ---- */

static bool load_migration(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_migration *m = &sc->migrations[k];
	struct node at, v;
	unsigned from = k ? sc->migrations[k - 1].to_host : sc->vm.host;
	char a[32], b[32];

	if (!load_fields(ld, o, &migration_table, 0, NULL, m, NULL))
		return false;
	keep_path(m->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !node_get(ld, o, "downtime", true, &v))
		return false;
	if (k && m->at_ps <= sim_add_sat(sc->migrations[k - 1].at_ps,
					 sc->migrations[k - 1].downtime_ps))
		return fail(ld, at.path,
			    "expected a time after the previous migration (/migrations/%u) ends at %s "
			    "(at + downtime), got %s", k - 1,
			    fmt_ps(a, sizeof(a), 1, sc->migrations[k - 1].at_ps +
				   sc->migrations[k - 1].downtime_ps),
			    fmt_ps(b, sizeof(b), 1, m->at_ps));
	if (m->at_ps >= sc->duration_ps)
		return fail(ld, at.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, m->at_ps));
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
	struct scn_vcpu_move *mv = &sc->moves[k];
	unsigned host = sc->vm.host;
	struct node at, v;
	char a[32], b[32], what[96];

	if (!load_fields(ld, o, &move_table, 0, NULL, mv, NULL))
		return false;
	keep_path(mv->path, o->path);
	if (!node_get(ld, o, "at", true, &at))
		return false;
	if (mv->at_ps >= sc->duration_ps)
		return fail(ld, at.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, mv->at_ps));
	if (k && mv->at_ps < sc->moves[k - 1].at_ps)
		return fail(ld, at.path,
			    "expected moves sorted by \"at\": got %s, before the previous move's %s",
			    fmt_ps(a, sizeof(a), 1, mv->at_ps),
			    fmt_ps(b, sizeof(b), 1, sc->moves[k - 1].at_ps));
	for (unsigned i = 0; i < sc->nmigrations; i++) {
		const struct scn_migration *m = &sc->migrations[i];

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
	    !read_uint(ld, &v, 0, sc->vm.nvcpus - 1, "a vCPU index", &mv->vcpu))
		return false;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\" (where the VM is at %s)",
		 sc->hosts[host].name, fmt_ps(a, sizeof(a), 1, mv->at_ps));
	if (!node_get(ld, o, "pcpu", true, &v) ||
	    !read_uint(ld, &v, 0, host_cpus(&sc->hosts[host]) - 1, what, &mv->pcpu))
		return false;
	return check_vcpu_cpu(ld, v.path, &sc->hosts[host], mv->pcpu);
}

/* ---- the VM's lists: one row per VMM action's array (sim/vmm/vmm.h) ---- */

#define SC(m) offsetof(struct scenario, m)

const struct vm_list vm_lists[] = {
	{ "migrations", &migration_table, SCN_MAX_MIGRATIONS, "migrations",
	  "migrations need a VM", true, SC(nmigrations), load_migration },
	{ "vcpu_moves", &move_table, SCN_MAX_MOVES, "vCPU moves",
	  "vCPU moves need a VM", false, SC(nmoves), load_move },
};
const unsigned vm_list_count = sizeof(vm_lists) / sizeof(vm_lists[0]);
_Static_assert(sizeof(vm_lists) / sizeof(vm_lists[0]) <= VM_LISTS_MAX, "raise VM_LISTS_MAX");
