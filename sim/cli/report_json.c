/*
 * The JSON report of a run, format "sim-report/2" (docs/report-format.md):
 * every number an exact integer whose key ends in its unit (_ps true time,
 * _ns clock values, _ppb rates, _cycles TSC counts, _khz rates of a clock);
 * counts are named by what they count.  Per-check keys and units come from the
 * check's row (oracle/check.h).
 */
#include <stdio.h>

#include "oracle/check.h"
#include "sim/cli/report.h"

static void json_flags(struct json_out *j, uint32_t flags)
{
	json_out_begin_array(j);
	if (flags & KVM_CLOCK_TSC_STABLE)
		json_out_str(j, "TSC_STABLE");
	if (flags & KVM_CLOCK_REALTIME)
		json_out_str(j, "REALTIME");
	if (flags & KVM_CLOCK_HOST_TSC)
		json_out_str(j, "HOST_TSC");
	json_out_end_array(j);
}

/* A check's value under base + "_" + its unit: "worst_ps", "threshold_ppb". */
static void key_value(struct json_out *j, const char *base, enum oracle_check_id id, int64_t v)
{
	char key[48];

	snprintf(key, sizeof(key), "%s_%s", base, oracle_unit_name(oracle_check_desc(id)->unit));
	json_out_key(j, key);
	json_out_i64(j, v);
}

static void json_migration(struct json_out *j, const struct scenario *s, unsigned vm,
			   const struct vmm_migration_log *log)
{
	json_out_begin_object(j);
	if (s->nvms > 1)
		json_out_key_str(j, "vm", s->vms[vm].name);    /* with "vms": whose migration */
	json_out_key_str(j, "from", s->hosts[log->from_host].name);
	json_out_key_str(j, "to", s->hosts[log->to_host].name);
	json_out_key_u64(j, "stop_ps", log->stop_ps);
	json_out_key_u64(j, "resume_ps", log->resume_ps);
	json_out_key(j, "get_clock");
	json_out_begin_object(j);
	json_out_key_u64(j, "clock_ns", log->get.clock);
	json_out_key(j, "flags");
	json_flags(j, log->get.flags);
	json_out_key_u64(j, "realtime_ns", log->get.realtime);
	json_out_key_u64(j, "host_tsc_cycles", log->get.host_tsc);
	json_out_end_object(j);
	json_out_key(j, "set_clock");
	if (log->set_clock)
		json_flags(j, log->set_flags);
	else
		json_out_null(j);
	json_out_key_u64(j, "kvmclock_before_ns", log->kvmclock_before_ns);
	json_out_key(j, "kvmclock_after_ns");
	if (log->page_after)
		json_out_u64(j, log->kvmclock_after_ns);
	else
		json_out_null(j);
	json_out_key_u64(j, "guest_tsc_before_cycles", log->guest_tsc_before);
	json_out_key_u64(j, "guest_tsc_after_cycles", log->guest_tsc_after);
	json_out_key_u64(j, "guest_tsc_rate_before_khz", log->tsc_khz_before);
	json_out_key_u64(j, "guest_tsc_rate_after_khz", log->tsc_khz_after);
	json_out_key_bool(j, "tsc_scaling", log->scaled);
	json_out_key_bool(j, "master_clock_before", log->master_clock_before);
	json_out_key_bool(j, "master_clock_after", log->master_clock_after);
	json_out_end_object(j);
}

static void json_first_violation(struct json_out *j, enum oracle_check_id id,
				 const struct oracle_violation *v, const char *cause)
{
	enum oracle_compared_with w = oracle_check_desc(id)->compared_with;

	json_out_begin_object(j);
	json_out_key_u64(j, "t_ps", v->t_ps);
	json_out_key_u64(j, "vcpu", v->vcpu);
	json_out_key_u64(j, "value_ns", v->value_ns);
	json_out_key_str(j, "compared_with", oracle_compared_with_desc(w)->name);
	json_out_key_u64(j, "other_t_ps", v->other_t_ps);
	json_out_key_u64(j, "other_vcpu", v->other_vcpu);
	json_out_key_u64(j, "other_value_ns", v->other_value_ns);
	if (cause)
		json_out_key_str(j, "cause", cause);
	json_out_end_object(j);
}

void report_json_check(struct json_out *j, enum oracle_check_id id,
		       const struct oracle_check_config *cc, const struct oracle_check_result *r,
		       const char *cause)
{
	const struct oracle_check_desc *d = oracle_check_desc(id);

	json_out_begin_object(j);
	json_out_key_str(j, "check", d->name);
	json_out_key_bool(j, "passed", r->passed);
	key_value(j, "worst", id, r->worst);
	if (d->params & ORACLE_PARAM_THRESHOLD)
		key_value(j, "threshold", id, cc->threshold);
	if (d->params & ORACLE_PARAM_WINDOW)
		json_out_key_u64(j, "window_ps", cc->window_ps);
	if (d->params & ORACLE_PARAM_PAUSE)
		json_out_key_str(j, "pause", oracle_pause_name(cc->pause));
	json_out_key_u64(j, "violations", r->violations);
	json_out_key_u64(j, "samples", r->samples);
	json_out_key(j, "first_violation");
	if (r->has_first)
		json_first_violation(j, id, &r->first, cause);
	else
		json_out_null(j);
	json_out_key_str(j, "expect", oracle_expect_name(cc->expect));
	if (cc->has_worst_min)
		key_value(j, "expect_worst_min", id, cc->worst_min);
	if (cc->has_worst_max)
		key_value(j, "expect_worst_max", id, cc->worst_max);
	json_out_key_bool(j, "expectation_met", r->expectation_met);
	json_out_end_object(j);
}

static void json_reader(struct json_out *j, const struct scenario *s, const struct machine *m,
			unsigned g)
{
	const struct scn_reader *sr = &s->readers[g];
	const struct oracle_check_result *res = machine_check_results(m, g);
	struct machine_group_stats st = machine_group_stats(m, g);

	json_out_begin_object(j);
	json_out_key_str(j, "name", sr->name);
	json_out_key_str(j, "kind", reader_kind_name(sr->kind));
	if (!sr->on_host && s->nvms > 1)
		json_out_key_str(j, "vm", s->vms[sr->vm].name);   /* with "vms": where it runs */
	if (sr->on_host) {
		json_out_key_str(j, "host", s->hosts[sr->host].name);
		json_out_key(j, "cpus");
		json_out_begin_array(j);
		for (unsigned i = 0; i < sr->ncpus; i++)
			json_out_u64(j, sr->cpus[i]);
		json_out_end_array(j);
		json_out_key_u64(j, "migrate_every_ps", sr->migrate_every_ps);
	} else {
		json_out_key(j, "vcpus");
		json_out_begin_array(j);
		for (unsigned i = 0; i < sr->nvcpus; i++)
			json_out_u64(j, sr->vcpus[i]);
		json_out_end_array(j);
	}
	json_out_key_u64(j, "reads", st.reads);
	json_out_key_u64(j, "version_retries", st.retries);
	json_out_key_u64(j, "guarded", st.guarded);
	json_out_key(j, "checks");
	json_out_begin_array(j);
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
		if (sr->checks[c].enabled)
			report_json_check(j, c, &sr->checks[c], &res[c],
					  machine_violation_cause(m, g, c));
	json_out_end_array(j);
	json_out_end_object(j);
}

static void json_script(struct json_out *j, const struct scenario *s, const struct machine *m,
			unsigned i)
{
	const struct scn_script *sc = &s->scripts[i];
	const struct script_result *r = machine_script_result(m, i);

	json_out_begin_object(j);
	json_out_key_str(j, "name", sc->name);
	json_out_key_u64(j, "commands", sc->ncommands);
	json_out_key_u64(j, "commands_run", r->commands_run);
	json_out_key_bool(j, "completed", r->completed);
	json_out_key_u64(j, "checks", r->checks);
	json_out_key_u64(j, "mismatches", r->mismatches);
	json_out_key(j, "first_mismatch");
	if (r->has_first) {
		const struct scn_command *c = &sc->commands[r->first.command];

		json_out_begin_object(j);
		json_out_key_u64(j, "t_ps", r->first.t_ps);
		json_out_key_u64(j, "end_t_ps", r->first.end_ps);
		json_out_key_str(j, "command", c->line);
		json_out_key_str(j, "path", c->path);
		json_out_key_str(j, "expected", r->first.expected);
		json_out_key_str(j, "got", r->first.got);
		json_out_end_object(j);
	} else {
		json_out_null(j);
	}
	/* Every kept mismatch (the first SCRIPT_MAX_LISTED); "mismatches" counts them all. */
	json_out_key(j, "listed_mismatches");
	json_out_begin_array(j);
	for (unsigned k = 0; k < r->nlisted; k++) {
		const struct script_mismatch *mm = &r->listed[k];

		json_out_begin_object(j);
		json_out_key_u64(j, "command_index", mm->command);
		json_out_key_u64(j, "t_ps", mm->t_ps);
		json_out_key_u64(j, "end_t_ps", mm->end_ps);
		json_out_key_str(j, "expected", mm->expected);
		json_out_key_str(j, "got", mm->got);
		json_out_end_object(j);
	}
	json_out_end_array(j);
	json_out_key_str(j, "expect", oracle_expect_name(sc->expect));
	json_out_key_bool(j, "expectation_met", machine_script_expectation_met(m, i));
	json_out_end_object(j);
}

/* The key of a host check's worst value: "worst_" and the kind's unit (oracle/hw's list). */
static const char *host_check_worst_key(enum scn_host_check_kind k, char *buf, size_t len)
{
	snprintf(buf, len, "worst_%s",
		 host_check_unit_name(host_check_kind_unit((enum host_check_kind)k)));
	return buf;
}

static void json_host_check(struct json_out *j, const struct scenario *s, const struct machine *m,
			    unsigned i)
{
	const struct scn_host_check *hc = &s->host_checks[i];
	const struct host_check_result *r = machine_host_check_result(m, i);
	char key[32];

	json_out_begin_object(j);
	json_out_key_str(j, "name", hc->name);
	json_out_key_str(j, "check", report_host_check_name(hc->kind));
	json_out_key_str(j, "host", s->hosts[hc->host].name);
	json_out_key_bool(j, "evaluated", r && r->evaluated);
	if (r && r->evaluated) {
		json_out_key_bool(j, "passed", r->passed);
		json_out_key(j, host_check_worst_key(hc->kind, key, sizeof(key)));
		json_out_i64(j, r->worst);
		json_out_key_u64(j, "violations", r->violations);
		json_out_key_u64(j, "samples", r->samples);
		json_out_key(j, "first_violation");
		if (r->first[0]) {
			json_out_begin_object(j);
			json_out_key_u64(j, "t_ps", r->first_ps);
			json_out_key_str(j, "what", r->first);
			json_out_end_object(j);
		} else {
			json_out_null(j);
		}
		if (r->has_verdict)
			json_out_key_bool(j, "false_positive", r->false_positive);
		if (r->note[0])
			json_out_key_str(j, "note", r->note);
	}
	json_out_key_str(j, "expect", oracle_expect_name(hc->expect));
	json_out_key_bool(j, "expectation_met", r && r->expectation_met);
	json_out_end_object(j);
}

static void json_invalid(struct json_out *j, const struct sim_diag *err)
{
	char msg[1024];

	sim_diag_format(err, msg, sizeof(msg));
	json_out_key_str(j, "status", "invalid");
	json_out_key_str(j, "error", msg);
}

/* "foreign_parts": the parts plugins stand in for; absent without plugins. */
static void json_foreign_parts(struct json_out *j, const struct machine *m)
{
	bool any = false;

	for (unsigned p = 0; p < PLUGIN_PART_COUNT; p++) {
		const struct plugin_foreign *w = machine_foreign_part(m, p);

		if (!w)
			continue;
		if (!any) {
			json_out_key(j, "foreign_parts");
			json_out_begin_array(j);
			any = true;
		}
		json_out_begin_object(j);
		json_out_key_str(j, "part", plugin_part_name(p));
		json_out_key_str(j, "plugin", w->name);
		json_out_key_str(j, "path", w->path);
		json_out_key_str(j, "from", w->json_path);
		json_out_end_object(j);
	}
	if (any)
		json_out_end_array(j);
}

void report_json_scenario(struct json_out *j, const char *file, const struct scenario *s,
			  const struct machine *m, const struct sim_diag *err)
{
	struct report_tally t;

	json_out_begin_object(j);
	json_out_key_str(j, "file", file);
	if (!m) {
		json_invalid(j, err);
		json_out_end_object(j);
		return;
	}
	t = report_tally(s, m);
	json_out_key_str(j, "status", t.met == t.expectations ? "expectations_hold" : "expectations_fail");
	json_out_key_str(j, "name", s->name);
	json_out_key_u64(j, "seed", s->seed);
	json_out_key_u64(j, "duration_ps", s->duration_ps);
	json_out_key_u64(j, "events", machine_events(m));
	json_out_key_u64(j, "pvclock_page_writes", machine_page_updates(m));
	json_out_key_u64(j, "expectations", t.expectations);
	json_out_key_u64(j, "expectations_met", t.met);
	json_foreign_parts(j, m);
	json_out_key(j, "migrations");
	json_out_begin_array(j);
	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned i = 0; i < s->vms[v].nmigrations; i++) {
			const struct vmm_migration_log *log = machine_migration_log(m, v, i);

			if (log && log->done)
				json_migration(j, s, v, log);
		}
	json_out_end_array(j);
	json_out_key(j, "readers");
	json_out_begin_array(j);
	for (unsigned g = 0; g < s->nreaders; g++)
		json_reader(j, s, m, g);
	json_out_end_array(j);
	json_out_key(j, "scripts");
	json_out_begin_array(j);
	for (unsigned i = 0; i < s->nscripts; i++)
		json_script(j, s, m, i);
	json_out_end_array(j);
	if (s->nhost_checks) {
		json_out_key(j, "host_checks");
		json_out_begin_array(j);
		for (unsigned i = 0; i < s->nhost_checks; i++)
			json_host_check(j, s, m, i);
		json_out_end_array(j);
	}
	json_out_end_object(j);
}
