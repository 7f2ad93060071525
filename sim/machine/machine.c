/*
 * Machine assembly: builds the hosts, the board, the VM, the VMM's actions
 * (sim/vmm), the guest's readers, scripts and checks from a scenario, wires
 * them together (pauses, page writes, the trace stream) and runs the queue.
 */
#include "sim/machine/machine_internal.h"

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

/* S3/S4 on a host: its VMs and its bare-metal readers stop with it. */
static void on_host_sleep(void *ctx, unsigned host, bool asleep, sim_ps now)
{
	machine_vms_host_sleep(ctx, host, asleep, now);
}

static void on_host_clocksource(void *ctx, struct host *h, sim_ps now)
{
	machine_vms_host_clocksource(ctx, h, now);
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
	if (m->nvms)
		hpet_timers_irq(m->vms[0].hpet_timers, line, level, now);
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
	pp.vm_time_base = m->s->nvms && m->s->vms[0].board_vm;   /* the board is the first VM's */
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
	if (m->s->nscripts && !(m->scripts = calloc(m->s->nscripts, sizeof(*m->scripts))))
		return sim_diag_fail(err, "out of memory");
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
	if (m->s->nhosts && !(m->hosts = calloc(m->s->nhosts, sizeof(*m->hosts))))
		return sim_diag_fail(err, "out of memory");
	for (unsigned i = 0; i < m->s->nhosts; i++) {
		if (!machine_build_host(&m->hosts[i], &m->s->hosts[i], m->s, err))
			return false;
		m->nhosts++;
		m->hosts[i].cs_notify = on_host_clocksource;
		m->hosts[i].cs_notify_ctx = m;
	}
	return true;
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
	if (!build_hosts(m, err) || !machine_build_vms(m, err))
		goto fail;
	if (s->nhost_checks) {
		struct host_checks_env env = {
			.hosts = m->hosts, .q = &m->q, .vm = m->nvms ? m->kvms[0] : NULL,
			.vms = m->kvms, .nvms = m->nvms,
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
			.host_sleep = on_host_sleep, .reader_move = machine_reader_move, .ctx = m,
		};

		m->host_events = host_events_create(&env, err);
		if (!m->host_events)
			goto fail;
	}
	if (!machine_build_readers(m, err) || !build_scripts(m, err) ||
	    !machine_build_vm_actions(m, err))
		goto fail;
	if (m->nscripts || (m->nvms && m->vms[0].hpet_timers)) {
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
	machine_finish_vms(m);
	host_events_destroy(m->host_events);
	host_checks_destroy(m->host_checks);
	for (unsigned i = 0; i < m->nscripts; i++)
		script_runner_finish(&m->scripts[i]);
	free(m->scripts);
	for (unsigned i = 0; i < m->nvms; i++)
		if (m->vms[i].ready)
			kvm_vm_finish(&m->vms[i].kvm);
	if (m->platform_ready)
		platform_finish(&m->platform);
	for (unsigned i = 0; i < m->nhosts; i++)
		host_finish(&m->hosts[i]);
	oracle_destroy(m->oracle);
	free(m->readers);
	free(m->causes);
	free(m->oracle_groups);
	free(m->ticks);
	free(m->vms);
	free(m->kvms);
	free(m->hosts);
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
	machine_vms_page_hooks(m);
	machine_readers_sinks(m);
	return sim_eventq_run_until(&m->q, end, err) || run_failed(m, err);
}

void machine_trace_subscribed(struct machine *m)
{
	if (m->platform_ready)
		irq_router_observers_changed(&m->platform.irq, m->q.now);
}

const struct kvm_vm *machine_vm(const struct machine *m, unsigned i)
{
	return i < m->nvms && m->vms[i].ready ? &m->vms[i].kvm : NULL;
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
	machine_vms_page_hooks(m);
	machine_readers_sinks(m);
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

const struct vmm_migration_log *machine_migration_log(const struct machine *m, unsigned vm,
							unsigned i)
{
	return vm < m->nvms ? vmm_migration_log(m->vms[vm].vmm, i) : NULL;
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

bool machine_master_clock(const struct machine *m, unsigned vm)
{
	return vm < m->nvms && m->vms[vm].kvm.use_master_clock;
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

	for (unsigned v = 0; v < m->nvms; v++)
		for (unsigned i = 0; i < m->vms[v].kvm.nvcpus; i++)
			n += m->vms[v].kvm.vcpus[i].clock_updates;
	return n;
}
