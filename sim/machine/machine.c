/*
 * Machine assembly: builds the hosts, the board, the VM, the VMM's actions
 * (sim/vmm), the guest's readers, scripts and checks from a scenario, wires
 * them together (pauses, page writes, the trace stream) and runs the queue.
 */
#include "sim/machine/machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/event.h"
#include "sim/cpu-tsc/host.h"
#include "sim/devices/platform.h"
#include "sim/guest/reader.h"
#include "sim/kvm/host_notify.h"
#include "sim/guest/timers.h"
#include "sim/guest/hpet_timers.h"
#include "sim/kvm/pvclock.h"
#include "sim/machine/budget.h"
#include "sim/machine/build_host.h"
#include "sim/machine/host_check_setup.h"
#include "sim/machine/host_events.h"
#include "sim/machine/script.h"
#include "sim/machine/tick_setup.h"
#include "sim/plugin/plugin_set.h"
#include "sim/vmm/vmm.h"

struct machine {
	const struct scenario *s;
	struct sim_eventq q;
	unsigned nhosts;
	struct host hosts[SCN_MAX_HOSTS];
	unsigned cur_host;
	struct kvm_vm vm;
	bool vm_ready;
	struct guest_kernel kernel;
	unsigned nreaders;                /* over all groups */
	struct guest_reader *readers;
	struct oracle *oracle;
	struct vmm *vmm;
	struct sim_trace trace;           /* subscribers come before machine_run */
	struct platform platform;
	bool platform_ready;
	unsigned nscripts;
	struct script_runner scripts[SCN_MAX_SCRIPTS];
	struct host_checks *host_checks;
	struct host_events *host_events;
	bool vm_slept;                    /* the VM was running when its host suspended */
	struct guest_timers *guest_timers;  /* the guest's APIC timers; NULL: none */
	struct hpet_timers *hpet_timers;    /* the guest's HPET comparator timers; NULL: none */
	/* the physical causes named next to each check's first violation */
	char (*causes)[ORACLE_CHECK_COUNT][MACHINE_CAUSE_MAX];   /* per reader group */
	unsigned *firsts;                 /* per group: checks with a first violation so far */
	const struct oracle_check_result **results;   /* per group; valid until oracle_destroy */
	struct tick_clock_config *ticks;  /* per group: what its tick-counting readers share */
	uint64_t max_events;              /* the runtime guard (budget.h); 0: none */
	struct plugin_set *plugins;       /* the parts plugins replace (sim/plugin) */
	machine_progress_fn *progress;    /* machine_set_progress; NULL: none */
	void *progress_ctx;
};

/*
 * A check just saw its first violation: record what last happened to the
 * CPUs involved, while it is still what happened last.
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

static void on_read(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	struct machine *m = ctx;
	unsigned g = r->p.group;

	if (sim_trace_wants(&m->trace, SIM_TRACE_READ)) {
		struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = rd->end_ps };

		rec.u.read = (struct sim_trace_read){
			.reader = m->s->readers[g].name,
			.group = g,
			.vcpu = rd->vcpu,
			.start_ps = rd->start_ps,
			.value_ns = rd->value_ns,
		};
		sim_trace_publish(&m->trace, &rec);
	}
	/* a check's first violation: what happened to its CPUs is still what happened last */
	if (oracle_feed(m->oracle, g, rd->index, rd->vcpu, rd->start_ps, rd->end_ps, rd->value_ns))
		capture_causes(m, g);
}

/*
 * The reader groups whose clock stops with the VM (host < 0) or with host
 * `host` asleep; the oracle pauses just those.
 */
static void pause_groups(struct machine *m, int host, bool paused, sim_ps now)
{
	for (unsigned g = 0; g < m->s->nreaders; g++) {
		const struct scn_reader *sr = &m->s->readers[g];
		bool mine = host < 0 ? !sr->on_host : sr->on_host && sr->host == (unsigned)host;

		if (!mine)
			continue;
		if (paused)
			oracle_group_paused(m->oracle, g, now);
		else
			oracle_group_resumed(m->oracle, g, now);
	}
}

static void on_guest_running(void *ctx, bool running, sim_ps now);
static void on_vm_clock_running(void *ctx, bool running, sim_ps now);

/* The VM stopped or runs again with its host asleep: the guest_run record a VMM stop has too. */
static void publish_host_sleep(struct machine *m, unsigned host, bool running, sim_ps now)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_GUEST_RUN, .t_ps = now };

	if (!sim_trace_wants(&m->trace, SIM_TRACE_GUEST_RUN))
		return;
	rec.u.run = (struct sim_trace_guest_run){
		.action = "host_sleep", .vm = 0, .index = host, .running = running, .vm_clock = true,
	};
	sim_trace_publish(&m->trace, &rec);
}

/*
 * S3/S4: the host's bare-metal readers stop with it, and so does the VM on
 * it: KVM puts its vCPUs, and on resume compensates a TSC that went back
 * (sim/kvm/host_notify.h) before the guest runs again.
 */
static void on_host_sleep(void *ctx, unsigned host, bool asleep, sim_ps now)
{
	struct machine *m = ctx;

	if (m->vm_ready && m->vm.host == &m->hosts[host]) {
		if (asleep) {
			m->vm_slept = kvm_host_suspend(&m->vm, now);
			if (m->vm_slept) {
				publish_host_sleep(m, host, false, now);
				on_guest_running(m, false, now);
				on_vm_clock_running(m, false, now);
			}
		} else {
			kvm_host_resume(&m->vm, now, m->vm_slept);
			if (m->vm_slept) {
				on_guest_running(m, true, now);
				on_vm_clock_running(m, true, now);
				publish_host_sleep(m, host, true, now);
			}
			m->vm_slept = false;
		}
	}

	for (unsigned i = 0; i < m->nreaders; i++) {
		const struct guest_reader *r = &m->readers[i];

		if (r->p.host != &m->hosts[host])
			continue;
		if (asleep)
			guest_reader_pause(&m->readers[i], &m->q, now);
		else
			guest_reader_resume(&m->readers[i], &m->q, now);
	}
	pause_groups(m, (int)host, asleep, now);
}

/* reader_migrate: the group's process is rescheduled onto `cpu`. */
static void on_reader_move(void *ctx, unsigned group, unsigned cpu, sim_ps now)
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

/* A host's timekeeping switched clocksource: KVM's pvclock_gtod notifier, if the VM is there. */
static void on_host_clocksource(void *ctx, struct host *h, sim_ps now)
{
	struct machine *m = ctx;

	if (m->vm_ready && m->vm.host == h)
		kvm_pvclock_gtod_notify(&m->vm, now);
}

/* KVM wrote a page: the trace stream gets its full contents; the VMM's actions may wait for it. */
static void on_page_write(void *ctx, const struct kvm_vcpu *v, sim_ps now)
{
	struct machine *m = ctx;

	if (sim_trace_wants(&m->trace, SIM_TRACE_PVCLOCK_WRITE)) {
		struct sim_trace_record rec = { .kind = SIM_TRACE_PVCLOCK_WRITE, .t_ps = now };

		rec.u.pvclock = (struct sim_trace_pvclock_write){
			.vm = 0,
			.vcpu = v->id,
			.version = v->pvti.version,
			.tsc_timestamp = v->pvti.tsc_timestamp,
			.system_time_ns = v->pvti.system_time,
			.tsc_to_system_mul = v->pvti.tsc_to_system_mul,
			.tsc_shift = v->pvti.tsc_shift,
			.flags = v->pvti.flags,
		};
		sim_trace_publish(&m->trace, &rec);
	}
	vmm_page_written(m->vmm, v, now);
}

/* The VMM stopped the guest or let it run again: only the guest's readers stop with it. */
static void on_guest_running(void *ctx, bool running, sim_ps now)
{
	struct machine *m = ctx;

	/* Bare-metal readers run on, whatever the VM does. */
	for (unsigned i = 0; i < m->nreaders; i++) {
		if (m->readers[i].p.host)
			continue;
		if (running)
			guest_reader_resume(&m->readers[i], &m->q, now);
		else
			guest_reader_pause(&m->readers[i], &m->q, now);
	}
	pause_groups(m, -1, !running, now);
}

/* The VM's time base stopped or runs again: a board on it stops with it (no-ops on a host's). */
static void on_vm_clock_running(void *ctx, bool running, sim_ps now)
{
	struct machine *m = ctx;

	if (running)
		platform_resume(&m->platform, now);
	else
		platform_stop(&m->platform, now);
	hpet_timers_running(m->hpet_timers, -1, running, now);
}

/* A stall of some vCPUs: the readers on vCPU `vcpu` stop with it; the VM and the oracle run on. */
static void on_vcpu_running(void *ctx, unsigned vcpu, bool running, sim_ps now)
{
	struct machine *m = ctx;

	for (unsigned i = 0; i < m->nreaders; i++) {
		if (m->readers[i].p.host || m->readers[i].p.vcpu != vcpu)
			continue;
		if (running)
			guest_reader_resume(&m->readers[i], &m->q, now);
		else
			guest_reader_pause(&m->readers[i], &m->q, now);
	}
	hpet_timers_running(m->hpet_timers, (int)vcpu, running, now);
}

/*
 * Write every vCPU's page as it stood at t = 0: the guest booted long before
 * the scenario starts, so it never sees an unwritten page.
 */
static bool settle_initial_pages(struct machine *m, struct sim_diag *err)
{
	if (!sim_eventq_run_until(&m->q, 0, err))
		return false;
	for (unsigned i = 0; i < m->vm.nvcpus; i++)
		if (m->vm.vcpus[i].pvti.version == 0 || m->vm.vcpus[i].requests)
			return sim_diag_fail(err, "vCPU %u's pvclock page was not written at t = 0", i);
	return true;
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

static bool build_readers(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;
	struct oracle_group_config *groups;
	unsigned n = 0;
	const size_t ngroups = s->nreaders ? s->nreaders : 1;

	groups = calloc(ngroups, sizeof(*groups));
	m->causes = calloc(ngroups, sizeof(*m->causes));
	m->firsts = calloc(ngroups, sizeof(*m->firsts));
	m->results = calloc(ngroups, sizeof(*m->results));
	m->ticks = calloc(ngroups, sizeof(*m->ticks));
	if (!groups || !m->causes || !m->firsts || !m->results || !m->ticks) {
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
	for (unsigned g = 0; g < s->nreaders; g++)
		m->results[g] = oracle_results(m->oracle, g);
	m->nreaders = n;

	n = 0;
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];

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
				.platform = &m->platform,
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
			if (!guest_reader_init(&m->readers[n], &p, m->vm_ready ? &m->vm : NULL, &m->kernel,
					       &m->q, 0, on_read, m, err)) {
				sim_diag_set_path(err, sr->path);
				return false;
			}
		}
	}
	return true;
}

/*
 * The board's intercept listener: every script sees every interrupt change,
 * and the guest's HPET timers see their comparators fire.  It is installed
 * only when one of them exists: a listener makes the PIT queue every OUT0
 * edge, and nobody else looks at them (issue 12: unobserved edges are not
 * events).
 */
static void on_irq(void *ctx, unsigned line, bool level, sim_ps now)
{
	struct machine *m = ctx;

	for (unsigned i = 0; i < m->nscripts; i++)
		script_runner_irq(&m->scripts[i], line, level);
	hpet_timers_irq(m->hpet_timers, line, level, now);
}

static bool build_platform(struct machine *m, struct sim_diag *err)
{
	const struct scn_platform *sp = &m->s->platform;
	struct platform_params pp;

	platform_params_default(&pp);
	pp.hpet_freq = sp->hpet.frequency;
	pp.hpet_timers = sp->hpet.timers;
	pp.hpet_counter_64bit = sp->hpet.counter_bits == 64;
	pp.pmtimer_port = (uint16_t)sp->pmtimer.port;
	pp.pmtimer_bits = sp->pmtimer.bits;
	/* The RTC counts whole seconds: it holds the base time's second at t = 0. */
	pp.rtc_base_utc_s = (int64_t)(sp->rtc.base_ns / SIM_NS_PER_S);
	pp.trace = &m->trace;
	/* enum scn_device is the board's list (board_devices.h): the same indices. */
	for (unsigned d = 0; d < SCN_DEV_COUNT; d++) {
		if (sp->has_cost[d])
			pp.cost_ps[d] = sp->cost_ps[d];
		pp.absent[d] = !sp->present[d];
	}
	pp.float_byte = (uint8_t)sp->float_byte;
	pp.vm_time_base = m->s->has_vm && m->s->vm.board_vm;
	plugin_set_board(m->plugins, &pp);
	if (!platform_init(&m->platform, &m->q, &pp, err)) {
		sim_diag_set_path(err, "/platform");
		return false;
	}
	m->platform_ready = true;
	return true;
}

static bool build_scripts(struct machine *m, struct sim_diag *err)
{
	for (unsigned i = 0; i < m->s->nscripts; i++) {
		if (!script_runner_init(&m->scripts[i], &m->s->scripts[i], &m->platform, &m->q, err)) {
			m->nscripts = i + 1;
			if (!err->path[0])
				sim_diag_set_path(err, m->s->scripts[i].path);
			return false;
		}
		m->nscripts = i + 1;
	}
	return true;
}

static bool build_hosts(struct machine *m, struct sim_diag *err)
{
	for (unsigned i = 0; i < m->s->nhosts; i++) {
		if (!machine_build_host(&m->hosts[i], &m->s->hosts[i], m->s, err))
			return false;
		m->nhosts++;
		m->hosts[i].cs_notify = on_host_clocksource;
		m->hosts[i].cs_notify_ctx = m;
	}
	return true;
}

_Static_assert((int)SCN_KVMCLOCK_RAW == (int)KVM_CLOCK_BASE_RAW &&
	       (int)SCN_KVMCLOCK_MONO == (int)KVM_CLOCK_BASE_MONO, "kvmclock bases in one order");
_Static_assert((int)SCN_ANCHOR_HOST == (int)KVM_ANCHOR_HOST &&
	       (int)SCN_ANCHOR_GUEST_TSC == (int)KVM_ANCHOR_GUEST_TSC, "anchors in one order");

/* The VM on its hosts, its pages current at t = 0. */
static bool build_vm(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;
	unsigned pins[SCN_MAX_VCPUS];
	struct kvm_params kp;

	m->cur_host = s->vm.host;
	for (unsigned i = 0; i < s->vm.nvcpus; i++)
		pins[i] = s->vm.pins[i];
	kp = (struct kvm_params){
		/* the scenario's "vm.kvm_version" once the loader has it */
		.version = s->vm.kvm_version,
		.vendor = s->hosts[m->cur_host].svm ? KVM_VENDOR_SVM : KVM_VENDOR_VMX,
		.nvcpus = s->vm.nvcpus,
		.pins = pins,
		.guest_uptime_ns = s->vm.uptime_ns,
		.stable_bit_cpuid = s->vm.stable_bit_cpuid,
		.sync_period_ps = s->vm.sync_period_ps,
		.no_tsc_scaling = !s->vm.host_tsc_scaling,
		.stable_bit_always = s->vm.stable_bit == SCN_STABLE_ALWAYS,
		.stale_page_vcpu = s->vm.stale_page_vcpu,
		.stale_page_behind_ns = sim_to_ns(s->vm.stale_page_behind_ps),
		.update_delay_ps = s->vm.clock_update_delay_ps,
		.entry_latency_max_ps = 0,
		.seed = s->seed,
		.trace = &m->trace,
		.guest_tsc_khz = s->vm.tsc_khz,
		.clock_base = (enum kvm_clock_base)s->vm.kvmclock_base,
		.anchor = (enum kvm_masterclock_anchor)s->vm.masterclock_anchor,
	};
	if (!kvm_vm_init(&m->vm, &kp, &m->hosts[m->cur_host], &m->q, 0, err)) {
		sim_diag_set_path(err, "/vm");
		return false;
	}
	m->vm_ready = true;
	m->vm.page_hook = on_page_write;
	m->vm.page_hook_ctx = m;
	plugin_set_kvm(m->plugins, &m->vm);
	/*
	 * The guest booted vm.uptime before t = 0, so its pages are current when
	 * the scenario starts: kvm_vm_init's entries were asked to happen at once
	 * (latency 0) and run now; later entries get the scenario's latency.
	 */
	if (!settle_initial_pages(m, err))
		return false;
	m->vm.entry_latency_max_ps = s->vm.entry_latency_ps;
	guest_kernel_init(&m->kernel, s->vm.stable_bit_cpuid);
	return true;
}

_Static_assert((int)SCN_TIMER_ONESHOT == (int)GUEST_TIMER_ONESHOT &&
	       (int)SCN_TIMER_PERIODIC == (int)GUEST_TIMER_PERIODIC &&
	       (int)SCN_TIMER_DEADLINE == (int)GUEST_TIMER_DEADLINE, "guest timer modes in one order");

_Static_assert((int)SCN_HPET_ROUTE_IOAPIC == (int)HPET_ROUTE_IOAPIC &&
	       (int)SCN_HPET_ROUTE_LEGACY == (int)HPET_ROUTE_LEGACY &&
	       (int)SCN_HPET_ROUTE_FSB == (int)HPET_ROUTE_FSB &&
	       (int)SCN_HPET_ROUTE_FSB_OR_IOAPIC == (int)HPET_ROUTE_FSB_OR_IOAPIC &&
	       (int)SCN_HPET_ROUTE_COUNT == (int)HPET_ROUTE_COUNT, "HPET routes in one order");

/* The guest's HPET comparator timers: the "guest_timers" entries with "device": "hpet". */
static bool build_hpet_timers(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;
	struct hpet_timer_params p[HPET_MAX_TIMERS];
	unsigned n = 0;

	for (unsigned i = 0; i < s->nguest_timers && n < HPET_MAX_TIMERS; i++) {
		const struct scn_guest_timer *t = &s->guest_timers[i];

		if (!t->hpet)
			continue;
		p[n++] = (struct hpet_timer_params){
			.vcpu = t->vcpus[0],
			.timer = t->hpet_timer,
			.periodic = t->mode == SCN_TIMER_PERIODIC,
			.period_ps = t->period_ps,
			.start_ps = t->start_ps,
			.route = (enum hpet_timer_route)t->hpet_route,
			.check = t->hpet_check,
			.preempt_ps = t->hpet_preempt_ps,
			.preempt_every = t->hpet_preempt_every,
		};
	}
	if (!n)
		return true;
	m->hpet_timers = hpet_timers_create(&m->vm, &m->platform, p, n, &m->trace, err);
	if (!m->hpet_timers)
		sim_diag_set_path(err, "/guest_timers");
	return m->hpet_timers != NULL;
}

/* The guest's APIC timers (scenario "guest_timers"), one per vCPU named. */
static bool build_guest_timers(struct machine *m, struct sim_diag *err)
{
	const struct scenario *s = m->s;
	struct guest_timer_params p[SCN_MAX_VCPUS];
	unsigned n = 0;

	if (!s->nguest_timers || !m->vm_ready)
		return true;
	for (unsigned i = 0; i < s->nguest_timers; i++) {
		const struct scn_guest_timer *t = &s->guest_timers[i];

		if (t->hpet)
			continue;
		for (unsigned k = 0; k < t->nvcpus && n < SCN_MAX_VCPUS; k++)
			p[n++] = (struct guest_timer_params){
				.vcpu = t->vcpus[k],
				.mode = (enum guest_timer_mode)t->mode,
				.period_ps = t->period_ps,
				.start_ps = t->start_ps,
			};
	}
	m->guest_timers = guest_timers_create(&m->vm, p, n, &m->trace, err);
	if (!m->guest_timers)
		sim_diag_set_path(err, "/guest_timers");
	return m->guest_timers != NULL && build_hpet_timers(m, err);
}

/* The VMM's actions, queued after the readers and scripts (ties at t = 0 keep that order). */
static bool build_vmm(struct machine *m, struct sim_diag *err)
{
	struct vmm_env env = {
		.s = m->s,
		.q = &m->q,
		.hosts = m->hosts,
		.nhosts = m->nhosts,
		.vm = m->vm_ready ? &m->vm : NULL,
		.trace = &m->trace,
		.board_owner = m->platform.params.vm_time_base ? VMM_BOARD_VM : VMM_BOARD_HOST,
		.guest_running = on_guest_running,
		.vm_clock_running = on_vm_clock_running,
		.vcpu_running = on_vcpu_running,
		.ctx = m,
	};

	m->vmm = vmm_create(&env, err);
	return m->vmm != NULL;
}

struct machine *machine_create(const struct scenario *s, struct sim_diag *err)
{
	struct machine *m = calloc(1, sizeof(*m));

	if (!m) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	m->s = s;
	sim_eventq_init(&m->q);
	sim_trace_init(&m->trace);
	m->plugins = plugin_set_open(s->plugins, s->nplugins, &m->q, err);
	if (!m->plugins || !build_platform(m, err))
		goto fail;
	if (!build_hosts(m, err) || (s->has_vm && !build_vm(m, err)))
		goto fail;
	if (s->nhost_checks) {
		struct host_checks_env env = {
			.hosts = m->hosts, .q = &m->q, .vm = m->vm_ready ? &m->vm : NULL,
			.board = &m->platform, .trace = &m->trace,
		};

		m->host_checks = host_checks_from_scenario(s, &env, err);
		if (!m->host_checks)
			goto fail;
		host_checks_set_trace(m->host_checks, &m->trace);
	}
	if (s->has_hosts) {
		struct host_events_env env = {
			.s = s, .hosts = m->hosts, .q = &m->q, .hc = m->host_checks,
			.host_sleep = on_host_sleep, .reader_move = on_reader_move, .ctx = m,
		};

		m->host_events = host_events_create(&env, err);
		if (!m->host_events)
			goto fail;
	}
	if (!build_readers(m, err) || !build_scripts(m, err) || !build_guest_timers(m, err) ||
	    !build_vmm(m, err))
		goto fail;
	if (m->nscripts || m->hpet_timers) {
		irq_router_set_listener(&m->platform.irq, on_irq, m);
		irq_router_observers_changed(&m->platform.irq, 0);
	}
	/* a schedule error in any builder */
	if (m->q.failed) {
		*err = m->q.error;
		goto fail;
	}
	return m;
fail:
	if (!err->file[0])
		sim_diag_set_file(err, s->file);
	machine_destroy(m);
	return NULL;
}

void machine_destroy(struct machine *m)
{
	if (!m)
		return;
	/*
	 * Empty the queue first, while every owner is alive: it marks each queued
	 * event idle, so the owners' own cancels below touch nothing freed.
	 */
	sim_eventq_finish(&m->q);
	vmm_destroy(m->vmm);
	guest_timers_destroy(m->guest_timers);
	hpet_timers_destroy(m->hpet_timers);
	host_events_destroy(m->host_events);
	host_checks_destroy(m->host_checks);
	for (unsigned i = 0; i < m->nscripts; i++)
		script_runner_finish(&m->scripts[i]);
	if (m->vm_ready)
		kvm_vm_finish(&m->vm);
	if (m->platform_ready)
		platform_finish(&m->platform);
	for (unsigned i = 0; i < m->nhosts; i++)
		host_finish(&m->hosts[i]);
	oracle_destroy(m->oracle);
	free(m->readers);
	free(m->causes);
	free(m->firsts);
	free(m->results);
	free(m->ticks);
	plugin_set_close(m->plugins);      /* last: the board's chips called into it */
	free(m);
}

void machine_set_max_events(struct machine *m, uint64_t max_events)
{
	m->max_events = max_events;
}

/* The queue stopped at its fire_limit: name the budget, the estimate and the way out. */
static bool budget_exceeded(struct machine *m, struct sim_diag *err)
{
	struct budget_estimate e;
	char now[32], last[sizeof(err->msg)];

	memcpy(last, err->msg, sizeof(last));
	budget_estimate(m->s, &e);
	sim_diag_set_path(err, e.top_path);
	return sim_diag_fail(err, "event budget exceeded: %s by t = %s s (the estimate before "
			     "the run was %llu, its largest source %s); raise it with --max-events "
			     "N", last, sim_format_seconds(now, m->q.now),
			     (unsigned long long)e.total, budget_source_name(e.top_source));
}

/* A run stopped with err: the budget's words, the foreign parts, the file. */
static bool run_failed(struct machine *m, struct sim_diag *err)
{
	/* the queue's own words for its fire_limit (sim_eventq_run_until) */
	if (m->max_events && m->q.fired == m->max_events && strstr(err->msg, "events fired"))
		budget_exceeded(m, err);
	plugin_set_amend(m->plugins, err);
	if (!err->file[0])
		sim_diag_set_file(err, m->s->file);
	return false;
}

bool machine_run_until(struct machine *m, sim_ps t, struct sim_diag *err)
{
	sim_ps end = t < m->s->duration_ps ? t : m->s->duration_ps;

	m->q.fire_limit = m->max_events;
	return sim_eventq_run_until(&m->q, end, err) || run_failed(m, err);
}

void machine_trace_subscribed(struct machine *m)
{
	if (m->platform_ready)
		irq_router_observers_changed(&m->platform.irq, m->q.now);
}

const struct kvm_vm *machine_vm(const struct machine *m)
{
	return m->vm_ready ? &m->vm : NULL;
}

void machine_set_progress(struct machine *m, machine_progress_fn *fn, void *ctx)
{
	m->progress = fn;
	m->progress_ctx = ctx;
}

/*
 * The queue up to end, in slices when someone watches: the queue fires the
 * same events in the same order whether it stops between them or not.
 */
static bool run_watched(struct machine *m, sim_ps end, struct sim_diag *err)
{
	sim_ps slice = end / MACHINE_PROGRESS_SLICES + 1;

	if (!m->progress)
		return sim_eventq_run_until(&m->q, end, err);
	while (m->q.now < end) {
		sim_ps to = end - m->q.now > slice ? m->q.now + slice : end;

		if (!sim_eventq_run_until(&m->q, to, err))
			return false;
		m->progress(m->progress_ctx, m->q.now, end);
	}
	return sim_eventq_run_until(&m->q, end, err);
}

bool machine_run(struct machine *m, struct sim_diag *err)
{
	sim_ps end = m->s->duration_ps;

	m->q.fire_limit = m->max_events;
	if (!run_watched(m, end, err))
		return run_failed(m, err);
	if (m->host_checks)
		host_checks_finish_run(m->host_checks, end);
	return true;
}

const struct host_check_result *machine_host_check_result(const struct machine *m, unsigned i)
{
	return m->host_checks ? host_checks_result(m->host_checks, i) : NULL;
}

const char *machine_violation_cause(const struct machine *m, unsigned group,
				    enum oracle_check_id check)
{
	const char *c = m->causes[group][check];

	return c[0] && strcmp(c, "-") != 0 ? c : NULL;
}

const struct oracle_check_result *machine_check_results(const struct machine *m,
							  unsigned reader_group)
{
	return oracle_results(m->oracle, reader_group);
}

struct machine_group_stats machine_group_stats(const struct machine *m, unsigned reader_group)
{
	struct machine_group_stats st = { 0 };

	for (unsigned i = 0; i < m->nreaders; i++) {
		const struct guest_reader *r = &m->readers[i];

		if (r->p.group != reader_group)
			continue;
		st.reads += r->reads;
		st.retries += r->retries;
		st.guarded += r->guarded;
	}
	return st;
}

const struct vmm_migration_log *machine_migration_log(const struct machine *m, unsigned i)
{
	return vmm_migration_log(m->vmm, i);
}

const struct plugin_foreign *machine_foreign_part(const struct machine *m, enum plugin_part p)
{
	return plugin_set_part(m->plugins, p);
}

struct sim_trace *machine_trace(struct machine *m)
{
	return &m->trace;
}

const struct host *machine_host(const struct machine *m, unsigned i)
{
	return i < m->nhosts ? &m->hosts[i] : NULL;
}

const struct platform *machine_board(const struct machine *m)
{
	return &m->platform;
}

uint64_t machine_events(const struct machine *m)
{
	return m->q.fired;
}

bool machine_master_clock(const struct machine *m)
{
	return m->vm_ready && m->vm.use_master_clock;
}

const struct script_result *machine_script_result(const struct machine *m, unsigned i)
{
	return i < m->nscripts ? &m->scripts[i].res : NULL;
}

bool machine_script_expectation_met(const struct machine *m, unsigned i)
{
	return i < m->nscripts && script_expectation_met(&m->scripts[i]);
}

uint64_t machine_page_updates(const struct machine *m)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < m->vm.nvcpus; i++)
		n += m->vm.vcpus[i].clock_updates;
	return n;
}
