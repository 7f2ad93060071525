/* "vm", "migrations" and "vcpu_moves". */
#include "sim/scenario/loader_internal.h"

#include <stdio.h>

static const char *const vm_keys[] = {
	"host", "vcpus", "pins", "uptime", "stable_bit_cpuid", "entry_latency",
	"kvmclock_sync_period", NULL,
};

static const char *const migration_keys[] = {
	"at", "downtime", "to", "pins", "set_clock", "tsc_scaling", "tsc_carry", NULL,
};

static const char *const move_keys[] = { "at", "vcpu", "pcpu", NULL };

static const char *const set_clock_names[] = { "none", "clock", "realtime", NULL };

static const char *const tsc_carry_names[] = { "frozen", "advance", NULL };

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

	if (!read_object(ld, o, vm_keys))
		return false;
	if (!node_get(ld, o, "host", true, &v) || !read_host_ref(ld, &v, &vm->host))
		return false;
	if (!node_get(ld, o, "vcpus", true, &v) ||
	    !read_uint(ld, &v, 1, SCN_MAX_VCPUS, "a vCPU count", &vm->nvcpus))
		return false;
	if (!node_get(ld, o, "pins", false, &pins) ||
	    !read_pins(ld, &pins, &ld->sc->hosts[vm->host], &vm->has_pins, vm->pins))
		return false;
	if (!node_get(ld, o, "uptime", false, &v) || !read_duration_ns(ld, &v, &vm->uptime_ns))
		return false;
	vm->stable_bit_cpuid = true;
	if (!node_get(ld, o, "stable_bit_cpuid", false, &v) || !read_bool(ld, &v, &vm->stable_bit_cpuid))
		return false;
	vm->entry_latency_ps = 20 * SIM_PS_PER_US;
	if (!node_get(ld, o, "entry_latency", false, &v) ||
	    !read_duration_ps(ld, &v, &vm->entry_latency_ps))
		return false;
	vm->sync_period_ps = 300 * SIM_PS_PER_S;
	if (!node_get(ld, o, "kvmclock_sync_period", false, &v) ||
	    !read_duration_ps(ld, &v, &vm->sync_period_ps))
		return false;
	if (vm->sync_period_ps == 0)
		return fail(ld, v.path, "expected a period above 0, got \"%s\"",
			    v.json->valuestring);
	return true;
}

/* ---- migrations and vCPU moves ---- */

bool load_migration(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_migration *m = &sc->migrations[k];
	struct node at, v;
	unsigned from = k ? sc->migrations[k - 1].to_host : sc->vm.host, u;
	char a[32], b[32];

	if (!read_object(ld, o, migration_keys))
		return false;
	keep_path(m->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &m->at_ps))
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
	if (!node_get(ld, o, "downtime", true, &v) || !read_duration_ps(ld, &v, &m->downtime_ps))
		return false;
	if (m->downtime_ps == 0)
		return fail(ld, v.path, "expected a downtime above 0, got \"%s\"",
			    v.json->valuestring);
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
	u = SCN_SET_CLOCK_REALTIME;
	if (!node_get(ld, o, "set_clock", false, &v) || !read_enum(ld, &v, set_clock_names, &u))
		return false;
	m->set_clock = (enum scn_set_clock)u;
	if (!node_get(ld, o, "tsc_scaling", false, &v) || !read_bool(ld, &v, &m->tsc_scaling))
		return false;
	u = SCN_TSC_FROZEN;
	if (!node_get(ld, o, "tsc_carry", false, &v) || !read_enum(ld, &v, tsc_carry_names, &u))
		return false;
	m->tsc_carry = (enum scn_tsc_carry)u;
	return true;
}

bool load_move(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_vcpu_move *mv = &sc->moves[k];
	unsigned host = sc->vm.host;
	struct node at, v;
	char a[32], b[32], what[96];

	if (!read_object(ld, o, move_keys))
		return false;
	keep_path(mv->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &mv->at_ps))
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
