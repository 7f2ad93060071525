/*
 * The machine's readers: each reader group's processes (one per vCPU or
 * CPU, or one migrating process), the oracle that judges their reads, and
 * the physical causes named beside a first violation.
 */
#include "sim/machine/machine_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/plugin/plugin_set.h"

/*
 * A check just saw its first violation: record what last happened to the
 * CPUs involved, while it is still what happened last (the oracle calls
 * on_first right after the read).
 */
static void capture_causes(struct machine *m, unsigned group)
{
	const struct scn_reader *sr = &m->s->readers[group];
	const struct oracle_check_result *res = oracle_results(m->oracle, group);

	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		const struct oracle_violation *v = &res[c].first;
		char *out = m->causes[group][c];

		if (!res[c].has_first || out[0])
			continue;
		if (!sr->on_host) {
			snprintf(out, MACHINE_CAUSE_MAX, "-");
			continue;
		}
		/* two CPUs: another reader's (mono_causal), or the process ran on another one before */
		if (v->other_vcpu != v->vcpu)
			snprintf(out, MACHINE_CAUSE_MAX, "CPU %u: %s; CPU %u: %s", v->vcpu,
				 host_events_cause(m->host_events, sr->host, v->vcpu), v->other_vcpu,
				 host_events_cause(m->host_events, sr->host, v->other_vcpu));
		else
			snprintf(out, MACHINE_CAUSE_MAX, "CPU %u: %s", v->vcpu,
				 host_events_cause(m->host_events, sr->host, v->vcpu));
	}
}

/* The read to the oracle, which calls on_first after a first violation. */
static inline void feed_oracle(struct machine *m, unsigned g, const struct guest_read *rd)
{
	oracle_group_feed(m->oracle_groups[g], rd->index, rd->vcpu, rd->start_ps, rd->end_ps,
			  rd->value_ns);
}

/* The read on the trace stream, then to the oracle: out of line, as most runs have nobody listening. */
static __attribute__((noinline)) void publish_read(struct machine *m, unsigned g,
						   const struct guest_read *rd)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = rd->end_ps };

	rec.u.read = (struct sim_trace_read){
		.reader = m->s->readers[g].name,
		.group = g,
		.vcpu = rd->vcpu,
		.start_ps = rd->start_ps,
		.value_ns = rd->value_ns,
	};
	sim_trace_publish(&m->trace, &rec);
	feed_oracle(m, g, rd);
}

/* The oracle's hook: a check of `group` just saw its first violation. */
static void on_first(void *ctx, unsigned group)
{
	capture_causes(ctx, group);
}

/* Every read: both paths end in a tail call, so that this one saves no registers. */
static void on_read(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	struct machine *m = ctx;

	if (sim_trace_wants(&m->trace, SIM_TRACE_READ))
		publish_read(m, r->p.group, rd);
	else
		feed_oracle(m, r->p.group, rd);
}

/* A read when no one traces reads: straight to its group's oracle (ctx: the group's handle). */
static void feed_read(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	(void)r;
	oracle_group_feed(ctx, rd->index, rd->vcpu, rd->start_ps, rd->end_ps, rd->value_ns);
}

void machine_readers_sinks(struct machine *m)
{
	bool traced = sim_trace_wants(&m->trace, SIM_TRACE_READ);

	for (unsigned i = 0; i < m->nreaders; i++) {
		struct guest_reader *r = &m->readers[i];

		if (traced)
			guest_reader_set_sink(r, on_read, m);
		else
			guest_reader_set_sink(r, feed_read, m->oracle_groups[r->p.group]);
	}
}

/*
 * The reader groups whose clock stops with VM `vm` (vm >= 0) or with host
 * `host` asleep (vm < 0); the oracle pauses just those.
 */
static void pause_groups(struct machine *m, int vm, int host, bool paused, sim_ps now)
{
	for (unsigned g = 0; g < m->s->nreaders; g++) {
		const struct scn_reader *sr = &m->s->readers[g];
		bool mine = vm >= 0 ? !sr->on_host && sr->vm == (unsigned)vm
				    : sr->on_host && sr->host == (unsigned)host;

		if (!mine)
			continue;
		if (paused)
			oracle_group_paused(m->oracle, g, now);
		else
			oracle_group_resumed(m->oracle, g, now);
	}
}

void machine_readers_running(struct machine *m, int vm, int host, int vcpu, bool running,
			     sim_ps now)
{
	for (unsigned i = 0; i < m->nreaders; i++) {
		struct guest_reader *r = &m->readers[i];

		if (vm >= 0 ? r->p.host || r->vm != &m->vms[vm].kvm ||
			      (vcpu >= 0 && r->p.vcpu != (unsigned)vcpu)
			    : r->p.host != &m->hosts[host])
			continue;
		if (running)
			guest_reader_resume(r, &m->q, now);
		else
			guest_reader_pause(r, &m->q, now);
	}
	if (vcpu < 0)
		pause_groups(m, vm, host, !running, now);
}

/* reader_migrate: the group's process is rescheduled onto `cpu`. */
void machine_reader_move(void *ctx, unsigned group, unsigned cpu, sim_ps now)
{
	struct machine *m = ctx;

	(void)now;
	for (unsigned i = 0; i < m->nreaders; i++) {
		struct guest_reader *r = &m->readers[i];

		if (r->p.group == group) {
			guest_reader_move(r, cpu);
			return;
		}
	}
}

/* Oracle readers of a group: one per vCPU or CPU (a migrating process has one per CPU it visits). */
static unsigned group_width(const struct scn_reader *sr)
{
	return sr->on_host ? sr->ncpus : sr->nvcpus;
}

/* Reader processes of a group: a migrating process is one, however many CPUs it visits. */
static unsigned group_processes(const struct scn_reader *sr)
{
	return sr->on_host && sr->migrate_every_ps ? 1 : group_width(sr);
}

bool machine_build_readers(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;
	struct oracle_group_config *groups;
	unsigned n = 0;
	const size_t ngroups = s->nreaders ? s->nreaders : 1;

	groups = calloc(ngroups, sizeof(*groups));
	m->causes = calloc(ngroups, sizeof(*m->causes));
	m->ticks = calloc(ngroups, sizeof(*m->ticks));
	m->oracle_groups = calloc(ngroups, sizeof(*m->oracle_groups));
	if (!groups || !m->causes || !m->ticks || !m->oracle_groups) {
		free(groups);
		return sim_diag_fail(err, "out of memory");
	}
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];

		groups[g] = (struct oracle_group_config){ .nreaders = group_width(sr) };
		snprintf(groups[g].name, sizeof(groups[g].name), "%s", sr->name);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
			groups[g].checks[c] = sr->checks[c];
		n += group_processes(sr);
	}
	m->oracle = oracle_create(groups, s->nreaders);
	free(groups);
	m->readers = calloc(n ? n : 1, sizeof(*m->readers));
	if (!m->oracle || !m->readers)
		return sim_diag_fail(err, "out of memory");
	oracle_set_trace(m->oracle, &m->trace);
	oracle_set_on_first(m->oracle, on_first, m);
	for (unsigned g = 0; g < s->nreaders; g++)
		m->oracle_groups[g] = oracle_group_handle(m->oracle, g);
	m->nreaders = n;

	n = 0;
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];
		struct machine_vm *vm = !sr->on_host && m->nvms ? &m->vms[sr->vm] : NULL;

		m->ticks[g] = machine_tick_config(s, sr);
		for (unsigned i = 0; i < group_processes(sr); i++, n++) {
			char id[64];
			struct guest_reader_params p = {
				.kind = sr->kind,
				.vcpu = sr->on_host ? 0 : sr->vcpus[i],
				.period_ps = sr->period_ps,
				.jitter_ps = sr->jitter_ps,
				.has_phase = sr->has_phase,
				.phase_ps = sr->phase_ps,
				.cost_ps = sr->cost_ps,   /* 0: the kind's default, e.g. a device access */
				.tsc_khz = sr->tsc_khz,   /* 0: the kind's (sim/guest/kinds/) */
				.platform = &m->platform,   /* the first VM's: the loader keeps
							       board readers there */
				.width_bits = sr->width_bits,
				.wrap_extend = sr->wrap_extend,
				.ticks = &m->ticks[g],
				.clocksource_tsc = sr->clocksource_tsc,
				.wall_clock_every_ps = sr->wall_clock_every_ps,
				.ntp_freq_ppb = sr->ntp_freq_ppb,
				.host = sr->on_host ? &m->hosts[sr->host] : NULL,
				.cpus = sr->cpus,
				.ncpus = sr->ncpus,
				.migrate_every_ps = sr->migrate_every_ps,
				.rdtsc = sr->rdtsc == SCN_RDTSC_PLAIN ? TSC_RDTSC :
					 sr->rdtsc == SCN_RDTSC_LFENCE ? TSC_LFENCE_RDTSC : TSC_RDTSCP,
				.seed = s->seed,
				.stream_id = id,
				.group = g,
				.index = i,
			};

			if (!sr->on_host)
				snprintf(id, sizeof(id), "reader/%s/vcpu%u", sr->name, sr->vcpus[i]);
			else if (sr->migrate_every_ps)
				snprintf(id, sizeof(id), "reader/%s/migrating", sr->name);
			else
				snprintf(id, sizeof(id), "reader/%s/cpu%u", sr->name, sr->cpus[i]);
			plugin_set_reader(m->plugins, &p);
			if (!guest_reader_init(&m->readers[n], &p, vm ? &vm->kvm : NULL,
					       vm ? &vm->kernel : NULL, &m->q, 0, on_read, m, err)) {
				sim_diag_set_path(err, sr->path);
				return false;
			}
		}
	}
	return true;
}

