/* Human and JSON reports of a run: see report.h. */
#include "sim/cli/report.h"

#include <inttypes.h>
#include <string.h>

/* A ps magnitude with a sign prefix, in a readable unit, exactly: "+300.000 ms". */
static char *fmt_mag_ps(char *buf, size_t len, uint64_t mag, const char *s)
{
	if (mag < SIM_PS_PER_US)
		snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ns", s, mag / 1000, mag % 1000);
	else if (mag < SIM_PS_PER_MS)
		snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " us", s, mag / SIM_PS_PER_US,
			 mag % SIM_PS_PER_US / SIM_PS_PER_NS);
	else if (mag < SIM_PS_PER_S)
		snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ms", s, mag / SIM_PS_PER_MS,
			 mag % SIM_PS_PER_MS / SIM_PS_PER_US);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%06" PRIu64 " s", s, mag / SIM_PS_PER_S,
			 mag % SIM_PS_PER_S / SIM_PS_PER_US);
	return buf;
}

/* A signed ps quantity: "+300.000 ms", "-860400.000000 s". */
static char *fmt_ps(char *buf, size_t len, int64_t ps, bool sign)
{
	uint64_t mag = ps < 0 ? (uint64_t)0 - (uint64_t)ps : (uint64_t)ps;

	return fmt_mag_ps(buf, len, mag, ps < 0 ? "-" : (sign && ps > 0 ? "+" : ""));
}

/* An unsigned duration in ps, any size. */
static char *fmt_dur(char *buf, size_t len, sim_ps ps)
{
	return fmt_mag_ps(buf, len, ps, "");
}

/* The signed difference b - a of two ns readings, shown in a readable unit. */
static char *fmt_ns_delta(char *buf, size_t len, uint64_t a, uint64_t b)
{
	uint64_t mag = b >= a ? b - a : a - b;
	sim_u128 ps = (sim_u128)mag * SIM_PS_PER_NS;

	if (ps > UINT64_MAX) {
		snprintf(buf, len, "%s%" PRIu64 " s", b >= a ? "+" : "-", mag / SIM_NS_PER_S);
		return buf;
	}
	return fmt_mag_ps(buf, len, (uint64_t)ps, b >= a ? (b > a ? "+" : "") : "-");
}

/* ppb as ppm with 3 decimals. */
static char *fmt_ppb(char *buf, size_t len, int64_t ppb, bool sign)
{
	uint64_t mag = ppb < 0 ? (uint64_t)0 - (uint64_t)ppb : (uint64_t)ppb;
	const char *s = ppb < 0 ? "-" : (sign && ppb > 0 ? "+" : "");

	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ppm", s, mag / 1000, mag % 1000);
	return buf;
}

static char *fmt_value(char *buf, size_t len, enum oracle_check_id id, int64_t v, bool sign)
{
	return oracle_check_is_rate(id) ? fmt_ppb(buf, len, v, sign) : fmt_ps(buf, len, v, sign);
}

/* A clock reading in ns as seconds with 9 decimals. */
static char *fmt_ns(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64 " s", ns / SIM_NS_PER_S, ns % SIM_NS_PER_S);
	return buf;
}

static char *fmt_t(char *buf, size_t len, sim_ps t)
{
	char s[32];

	snprintf(buf, len, "%s s", sim_format_seconds(s, t));
	return buf;
}

static void flag_names(char *buf, size_t len, uint32_t flags)
{
	buf[0] = '\0';
	if (flags & KVM_CLOCK_TSC_STABLE)
		strncat(buf, "TSC_STABLE|", len - strlen(buf) - 1);
	if (flags & KVM_CLOCK_REALTIME)
		strncat(buf, "REALTIME|", len - strlen(buf) - 1);
	if (flags & KVM_CLOCK_HOST_TSC)
		strncat(buf, "HOST_TSC|", len - strlen(buf) - 1);
	if (buf[0])
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, len, "none");
}

/* Words of text, indented, in lines of at most `width` columns (longer words stand alone). */
static void print_wrapped(FILE *f, const char *indent, const char *text, size_t width)
{
	size_t col = 0, ind = strlen(indent);

	while (*text) {
		size_t len = strcspn(text, " ");

		if (len > 0) {
			if (col > 0 && col + 1 + len > width) {
				fputc('\n', f);
				col = 0;
			}
			if (col == 0) {
				fputs(indent, f);
				col = ind;
			} else {
				fputc(' ', f);
				col++;
			}
			fwrite(text, 1, len, f);
			col += len;
		}
		text += len;
		while (*text == ' ')
			text++;
	}
	if (col > 0)
		fputc('\n', f);
}

struct report_tally report_tally(const struct scenario *s, const struct machine *m)
{
	struct report_tally t = { 0 };

	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct oracle_check_result *res = machine_check_results(m, g);

		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
			if (!s->readers[g].checks[c].enabled)
				continue;
			t.expectations++;
			t.met += res[c].expectation_met;
		}
	}
	for (unsigned i = 0; i < s->nscripts; i++) {
		t.expectations++;
		t.met += machine_script_expectation_met(m, i);
	}
	for (unsigned i = 0; i < s->nhost_checks; i++) {
		const struct host_check_result *r = machine_host_check_result(m, i);

		t.expectations++;
		t.met += r && r->expectation_met;
	}
	return t;
}

static void human_migration(FILE *f, const struct scenario *s, const struct machine *m,
			    unsigned i)
{
	const struct vmm_migration_log *log = machine_migration_log(m, i);
	const struct scn_migration *sm = &s->migrations[i];
	char a[48], b[48], c[48], fl[64];

	if (!log || !log->done)
		return;
	fprintf(f, "  migration %u: host %s -> host %s, stopped at %s, resumed at %s\n", i + 1,
		s->hosts[log->from_host].name, s->hosts[log->to_host].name,
		fmt_t(a, sizeof(a), log->stop_ps), fmt_t(b, sizeof(b), log->resume_ps));
	flag_names(fl, sizeof(fl), log->get.flags);
	fprintf(f, "    KVM_GET_CLOCK at the source: clock %s, flags %s\n",
		fmt_ns(a, sizeof(a), log->get.clock), fl);
	if (log->set_clock) {
		flag_names(fl, sizeof(fl), log->set_flags);
		fprintf(f, "    KVM_SET_CLOCK at the destination with flags %s\n", fl);
	} else {
		fprintf(f, "    no KVM_SET_CLOCK: the destination keeps the source's kvmclock offset\n");
	}
	if (!log->page_after)
		fprintf(f, "    kvmclock on vCPU 0: %s before; no page was written at the destination "
			"before the end of the run\n", fmt_ns(a, sizeof(a), log->kvmclock_before_ns));
	else
		fprintf(f, "    kvmclock on vCPU 0: %s before, %s after (%s over %s of downtime)\n",
			fmt_ns(a, sizeof(a), log->kvmclock_before_ns),
			fmt_ns(b, sizeof(b), log->kvmclock_after_ns),
			fmt_ns_delta(c, sizeof(c), log->kvmclock_before_ns, log->kvmclock_after_ns),
			fmt_dur(fl, sizeof(fl), sm->downtime_ps));
	fprintf(f, "    guest TSC: %" PRIu64 " kHz -> %" PRIu64 " kHz (%s), %s during the downtime\n",
		log->tsc_khz_before, log->tsc_khz_after,
		log->scaled ? "TSC scaling" : "no TSC scaling",
		sm->tsc_carry == SCN_TSC_FROZEN ? "frozen" : "advanced");
	fprintf(f, "    master clock: %s before, %s after\n",
		log->master_clock_before ? "on" : "off", log->master_clock_after ? "on" : "off");
}

static void human_violation(FILE *f, enum oracle_check_id id, const struct oracle_violation *v,
			    const char *cpu)
{
	char a[48], b[48], c[48], d[48];

	switch (id) {
	case ORACLE_MONO_VCPU:
	case ORACLE_STEP_BACK:
	case ORACLE_STEP_FWD:
		fprintf(f, "      first: at %s %s %u read %s; its previous read at %s gave %s\n",
			fmt_t(a, sizeof(a), v->t_ps), cpu, v->vcpu, fmt_ns(b, sizeof(b), v->value_ns),
			fmt_t(c, sizeof(c), v->other_t_ps), fmt_ns(d, sizeof(d), v->other_value_ns));
		break;
	case ORACLE_MONO_CAUSAL:
		fprintf(f, "      first: at %s %s %u read %s, less than the %s %s %u had read "
			"by %s\n",
			fmt_t(a, sizeof(a), v->t_ps), cpu, v->vcpu, fmt_ns(b, sizeof(b), v->value_ns),
			fmt_ns(d, sizeof(d), v->other_value_ns), cpu, v->other_vcpu,
			fmt_t(c, sizeof(c), v->other_t_ps));
		break;
	case ORACLE_MAX_ERROR:
	case ORACLE_RATE:
		fprintf(f, "      first: at %s %s %u read %s where the reference was %s\n",
			fmt_t(a, sizeof(a), v->t_ps), cpu, v->vcpu, fmt_ns(b, sizeof(b), v->value_ns),
			fmt_ns(c, sizeof(c), v->other_value_ns));
		break;
	case ORACLE_CHECK_COUNT:
		break;
	}
}

static void human_expectation(FILE *f, enum oracle_check_id id,
			      const struct oracle_check_config *cc, const struct oracle_check_result *r)
{
	char a[48], b[48];

	fprintf(f, "      expected %s", cc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail");
	if (cc->has_worst_min || cc->has_worst_max) {
		fprintf(f, " with worst in [%s, %s]",
			cc->has_worst_min ? fmt_value(a, sizeof(a), id, cc->worst_min, true) : "-inf",
			cc->has_worst_max ? fmt_value(b, sizeof(b), id, cc->worst_max, true) : "+inf");
	}
	fprintf(f, ": %s\n", r->expectation_met ? "holds" : "DOES NOT HOLD");
}

static const char *host_check_kind(enum scn_host_check_kind k)
{
	return host_check_kind_name((enum host_check_kind)k);
}

/* A host check's value in its unit: ppb shown as ppm, cycles, or a duration. */
static char *fmt_host_value(char *buf, size_t len, enum scn_host_check_kind k, int64_t v)
{
	switch (host_check_kind_unit((enum host_check_kind)k)) {
	case HOST_CHECK_UNIT_PPB:
		return fmt_ppb(buf, len, v, true);
	case HOST_CHECK_UNIT_CYCLES:
		snprintf(buf, len, "%" PRId64 " cycles", v);
		return buf;
	case HOST_CHECK_UNIT_PS:
	case HOST_CHECK_UNIT_COUNT:
		break;
	}
	return fmt_ps(buf, len, v, true);
}

static void human_host_check(FILE *f, const struct scenario *s, const struct machine *m,
			     unsigned i)
{
	const struct scn_host_check *hc = &s->host_checks[i];
	const struct host_check_result *r = machine_host_check_result(m, i);
	char a[48], b[48];

	fprintf(f, "  host check %s (%s on host %s): ", hc->name, host_check_kind(hc->kind),
		s->hosts[hc->host].name);
	if (!r || !r->evaluated) {
		fprintf(f, "did not run before the end of the run\n");
	} else {
		fprintf(f, "%s  worst %s, %" PRIu64 " violations in %" PRIu64 " samples\n",
			r->passed ? "pass" : "FAIL", fmt_host_value(a, sizeof(a), hc->kind, r->worst),
			r->violations, r->samples);
		if (r->first[0])
			fprintf(f, "      first: at %s %s\n", fmt_t(b, sizeof(b), r->first_ps), r->first);
		if (r->has_verdict)
			fprintf(f, "      verdict: a %s positive\n", r->false_positive ? "FALSE" : "true");
		if (r->note[0])
			fprintf(f, "      note: %s\n", r->note);
	}
	fprintf(f, "      expected %s", hc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail");
	if (hc->has_worst_min || hc->has_worst_max)
		fprintf(f, " with worst in [%s, %s]",
			hc->has_worst_min ? fmt_host_value(a, sizeof(a), hc->kind, hc->worst_min) : "-inf",
			hc->has_worst_max ? fmt_host_value(b, sizeof(b), hc->kind, hc->worst_max) : "+inf");
	if (hc->kind == SCN_HC_WATCHDOG && hc->watchdog.false_positive != SCN_UNSET)
		fprintf(f, ", a %s positive",
			hc->watchdog.false_positive == SCN_TRUE ? "false" : "true");
	fprintf(f, ": %s\n", r && r->expectation_met ? "holds" : "DOES NOT HOLD");
}

static void human_script(FILE *f, const struct scenario *s, const struct machine *m, unsigned i)
{
	const struct scn_script *sc = &s->scripts[i];
	const struct script_result *r = machine_script_result(m, i);
	char a[48];

	fprintf(f, "  script %s: %" PRIu64 " of %u commands run, %" PRIu64 " checks, %" PRIu64
		" mismatches%s\n", sc->name, r->commands_run, sc->ncommands, r->checks,
		r->mismatches, r->completed ? "" : " (did not complete)");
	for (unsigned k = 0; k < r->nlisted; k++) {
		const struct script_mismatch *mm = &r->listed[k];
		const struct scn_command *c = &sc->commands[mm->command];
		char b[48];

		fprintf(f, "      mismatch: command %u \"%s\" (%s), %s to %s: expected %s, got %s\n",
			mm->command + 1, c->line, c->path, fmt_t(a, sizeof(a), mm->t_ps),
			fmt_t(b, sizeof(b), mm->end_ps), mm->expected, mm->got);
	}
	if (r->mismatches > r->nlisted)
		fprintf(f, "      ... and %" PRIu64 " more\n", r->mismatches - r->nlisted);
	fprintf(f, "      expected %s: %s\n", sc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail",
		machine_script_expectation_met(m, i) ? "holds" : "DOES NOT HOLD");
}

void report_human(FILE *f, const struct scenario *s, const struct machine *m)
{
	struct report_tally t = report_tally(s, m);
	char a[48], b[48];

	fprintf(f, "%s (%s), seed %" PRIu64 "\n", s->name, s->file, s->seed);
	if (s->description[0])
		print_wrapped(f, "  ", s->description, 80);
	if (s->has_vm)
		fprintf(f, "  simulated %s in %" PRIu64 " events; %" PRIu64 " pvclock page writes; "
			"master clock %s at the end\n",
			fmt_t(a, sizeof(a), s->duration_ps), machine_events(m), machine_page_updates(m),
			machine_master_clock(m) ? "on" : "off");
	else
		fprintf(f, "  simulated %s in %" PRIu64 " events (%s, no VM)\n",
			fmt_t(a, sizeof(a), s->duration_ps), machine_events(m),
			s->has_hosts ? "bare metal" : "devices only");
	for (unsigned i = 0; i < s->nmigrations; i++)
		human_migration(f, s, m, i);
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];
		const struct oracle_check_result *res = machine_check_results(m, g);
		struct machine_group_stats st = machine_group_stats(m, g);

		fprintf(f, "  reader %s (%s on %s", sr->name, reader_kind_name(sr->kind),
			sr->on_host ? "CPU" : "vCPU");
		for (unsigned i = 0; i < (sr->on_host ? sr->ncpus : sr->nvcpus); i++)
			fprintf(f, "%s%u", i ? "," : " ", sr->on_host ? sr->cpus[i] : sr->vcpus[i]);
		if (sr->on_host)
			fprintf(f, " of host %s", s->hosts[sr->host].name);
		if (sr->migrate_every_ps)
			fprintf(f, ", one process migrating every %s",
				fmt_dur(b, sizeof(b), sr->migrate_every_ps));
		fprintf(f, "): %" PRIu64 " reads, %" PRIu64 " version retries, %" PRIu64
			" raised by the guard\n", st.reads, st.retries, st.guarded);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
			const struct oracle_check_config *cc = &sr->checks[c];
			const struct oracle_check_result *r = &res[c];

			if (!cc->enabled)
				continue;
			fprintf(f, "    %-12s %s  worst %s", oracle_check_name(c),
				r->passed ? "pass" : "FAIL",
				fmt_value(a, sizeof(a), c, r->worst, c == ORACLE_MAX_ERROR || c == ORACLE_RATE));
			if (c != ORACLE_MONO_VCPU && c != ORACLE_MONO_CAUSAL)
				fprintf(f, " (threshold %s)", fmt_value(b, sizeof(b), c, cc->threshold, false));
			fprintf(f, ", %" PRIu64 " violations in %" PRIu64 " %s\n", r->violations,
				r->samples, c == ORACLE_RATE ? "windows" : "samples");
			if (r->has_first) {
				const char *cause = machine_violation_cause(m, g, c);

				human_violation(f, c, &r->first, sr->on_host ? "CPU" : "vCPU");
				if (cause)
					fprintf(f, "      cause: %s\n", cause);
			}
			human_expectation(f, c, cc, r);
		}
	}
	for (unsigned i = 0; i < s->nscripts; i++)
		human_script(f, s, m, i);
	for (unsigned i = 0; i < s->nhost_checks; i++)
		human_host_check(f, s, m, i);
	if (t.met == t.expectations)
		fprintf(f, "  result: all %u expectations hold\n", t.expectations);
	else
		fprintf(f, "  result: %u of %u expectations DO NOT HOLD\n", t.expectations - t.met,
			t.expectations);
}

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

/* A ps quantity as ns with 3 decimals. */
static void json_ps_as_ns(struct json_out *j, const char *key, int64_t ps)
{
	json_out_key(j, key);
	json_out_fixed(j, ps, 3);
}

/* A time or duration in ps (unsigned: up to 2^64 - 1) as ns with 3 decimals. */
static void json_time_as_ns(struct json_out *j, const char *key, sim_ps ps)
{
	json_out_key(j, key);
	json_out_ufixed(j, ps, 3);
}

static void json_value(struct json_out *j, const char *base, enum oracle_check_id id, int64_t v)
{
	char key[48];

	if (oracle_check_is_rate(id)) {
		snprintf(key, sizeof(key), "%s_ppm", base);
		json_out_key(j, key);
		json_out_fixed(j, v, 3);
	} else {
		snprintf(key, sizeof(key), "%s_ns", base);
		json_ps_as_ns(j, key, v);
	}
}

static void json_migration(struct json_out *j, const struct scenario *s,
			   const struct vmm_migration_log *log)
{
	json_out_begin_object(j);
	json_out_key(j, "from");
	json_out_str(j, s->hosts[log->from_host].name);
	json_out_key(j, "to");
	json_out_str(j, s->hosts[log->to_host].name);
	json_time_as_ns(j, "stop_ns", log->stop_ps);
	json_time_as_ns(j, "resume_ns", log->resume_ps);
	json_out_key(j, "get_clock");
	json_out_begin_object(j);
	json_out_key(j, "clock_ns");
	json_out_u64(j, log->get.clock);
	json_out_key(j, "flags");
	json_flags(j, log->get.flags);
	json_out_key(j, "realtime_ns");
	json_out_u64(j, log->get.realtime);
	json_out_key(j, "host_tsc");
	json_out_u64(j, log->get.host_tsc);
	json_out_end_object(j);
	json_out_key(j, "set_clock");
	if (log->set_clock)
		json_flags(j, log->set_flags);
	else
		json_out_null(j);
	json_out_key(j, "kvmclock_before_ns");
	json_out_u64(j, log->kvmclock_before_ns);
	json_out_key(j, "kvmclock_after_ns");
	if (log->page_after)
		json_out_u64(j, log->kvmclock_after_ns);
	else
		json_out_null(j);
	json_out_key(j, "guest_tsc_before");
	json_out_u64(j, log->guest_tsc_before);
	json_out_key(j, "guest_tsc_after");
	json_out_u64(j, log->guest_tsc_after);
	json_out_key(j, "tsc_khz_before");
	json_out_u64(j, log->tsc_khz_before);
	json_out_key(j, "tsc_khz_after");
	json_out_u64(j, log->tsc_khz_after);
	json_out_key(j, "tsc_scaling");
	json_out_bool(j, log->scaled);
	json_out_key(j, "master_clock_before");
	json_out_bool(j, log->master_clock_before);
	json_out_key(j, "master_clock_after");
	json_out_bool(j, log->master_clock_after);
	json_out_end_object(j);
}

static void json_check(struct json_out *j, enum oracle_check_id id,
		       const struct oracle_check_config *cc, const struct oracle_check_result *r,
		       const char *cause)
{
	json_out_begin_object(j);
	json_out_key(j, "check");
	json_out_str(j, oracle_check_name(id));
	json_out_key(j, "passed");
	json_out_bool(j, r->passed);
	json_value(j, "worst", id, r->worst);
	if (id != ORACLE_MONO_VCPU && id != ORACLE_MONO_CAUSAL)
		json_value(j, "threshold", id, cc->threshold);
	if (id == ORACLE_RATE)
		json_time_as_ns(j, "window_ns", cc->window_ps);
	if (id == ORACLE_MAX_ERROR) {
		json_out_key(j, "pause");
		json_out_str(j, cc->pause == ORACLE_PAUSE_INCLUDE ? "include" : "exclude");
	}
	json_out_key(j, "violations");
	json_out_u64(j, r->violations);
	json_out_key(j, "samples");
	json_out_u64(j, r->samples);
	json_out_key(j, "first_violation");
	if (r->has_first) {
		json_out_begin_object(j);
		json_time_as_ns(j, "t_ns", r->first.t_ps);
		json_out_key(j, "vcpu");
		json_out_u64(j, r->first.vcpu);
		json_out_key(j, "value_ns");
		json_out_u64(j, r->first.value_ns);
		json_time_as_ns(j, "other_t_ns", r->first.other_t_ps);
		json_out_key(j, "other_vcpu");
		json_out_u64(j, r->first.other_vcpu);
		json_out_key(j, "other_value_ns");
		json_out_u64(j, r->first.other_value_ns);
		if (cause) {
			json_out_key(j, "cause");
			json_out_str(j, cause);
		}
		json_out_end_object(j);
	} else {
		json_out_null(j);
	}
	json_out_key(j, "expect");
	json_out_str(j, cc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail");
	if (cc->has_worst_min)
		json_value(j, "expect_worst_min", id, cc->worst_min);
	if (cc->has_worst_max)
		json_value(j, "expect_worst_max", id, cc->worst_max);
	json_out_key(j, "expectation_met");
	json_out_bool(j, r->expectation_met);
	json_out_end_object(j);
}

static void json_script(struct json_out *j, const struct scenario *s, const struct machine *m,
			unsigned i)
{
	const struct scn_script *sc = &s->scripts[i];
	const struct script_result *r = machine_script_result(m, i);

	json_out_begin_object(j);
	json_out_key(j, "name");
	json_out_str(j, sc->name);
	json_out_key(j, "commands");
	json_out_u64(j, sc->ncommands);
	json_out_key(j, "commands_run");
	json_out_u64(j, r->commands_run);
	json_out_key(j, "completed");
	json_out_bool(j, r->completed);
	json_out_key(j, "checks");
	json_out_u64(j, r->checks);
	json_out_key(j, "mismatches");
	json_out_u64(j, r->mismatches);
	json_out_key(j, "first_mismatch");
	if (r->has_first) {
		const struct scn_command *c = &sc->commands[r->first.command];

		json_out_begin_object(j);
		json_time_as_ns(j, "t_ns", r->first.t_ps);
		json_time_as_ns(j, "end_t_ns", r->first.end_ps);
		json_out_key(j, "command");
		json_out_str(j, c->line);
		json_out_key(j, "path");
		json_out_str(j, c->path);
		json_out_key(j, "expected");
		json_out_str(j, r->first.expected);
		json_out_key(j, "got");
		json_out_str(j, r->first.got);
		json_out_end_object(j);
	} else {
		json_out_null(j);
	}
	json_out_key(j, "expect");
	json_out_str(j, sc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail");
	json_out_key(j, "expectation_met");
	json_out_bool(j, machine_script_expectation_met(m, i));
	json_out_end_object(j);
}

static void json_host_check(struct json_out *j, const struct scenario *s, const struct machine *m,
			    unsigned i)
{
	const struct scn_host_check *hc = &s->host_checks[i];
	const struct host_check_result *r = machine_host_check_result(m, i);
	const char *unit = hc->kind == SCN_HC_FLAG_TRUTH ? "worst_ppb" :
			   hc->kind == SCN_HC_TSC_SYNC ? "worst_cycles" : "worst_ps";

	json_out_begin_object(j);
	json_out_key(j, "name");
	json_out_str(j, hc->name);
	json_out_key(j, "check");
	json_out_str(j, host_check_kind(hc->kind));
	json_out_key(j, "host");
	json_out_str(j, s->hosts[hc->host].name);
	json_out_key(j, "evaluated");
	json_out_bool(j, r && r->evaluated);
	if (r && r->evaluated) {
		json_out_key(j, "passed");
		json_out_bool(j, r->passed);
		json_out_key(j, unit);
		json_out_i64(j, r->worst);
		json_out_key(j, "violations");
		json_out_u64(j, r->violations);
		json_out_key(j, "samples");
		json_out_u64(j, r->samples);
		json_out_key(j, "first_violation");
		if (r->first[0]) {
			json_out_begin_object(j);
			json_time_as_ns(j, "t_ns", r->first_ps);
			json_out_key(j, "what");
			json_out_str(j, r->first);
			json_out_end_object(j);
		} else {
			json_out_null(j);
		}
		if (r->has_verdict) {
			json_out_key(j, "false_positive");
			json_out_bool(j, r->false_positive);
		}
		if (r->note[0]) {
			json_out_key(j, "note");
			json_out_str(j, r->note);
		}
	}
	json_out_key(j, "expect");
	json_out_str(j, hc->expect == ORACLE_EXPECT_PASS ? "pass" : "fail");
	json_out_key(j, "expectation_met");
	json_out_bool(j, r && r->expectation_met);
	json_out_end_object(j);
}

void report_json_scenario(struct json_out *j, const char *file, const struct scenario *s,
			  const struct machine *m, const struct sim_diag *err)
{
	json_out_begin_object(j);
	json_out_key(j, "file");
	json_out_str(j, file);
	if (!m) {
		char msg[1024];

		sim_diag_format(err, msg, sizeof(msg));
		json_out_key(j, "status");
		json_out_str(j, "invalid");
		json_out_key(j, "error");
		json_out_str(j, msg);
		json_out_end_object(j);
		return;
	}
	struct report_tally t = report_tally(s, m);

	json_out_key(j, "status");
	json_out_str(j, t.met == t.expectations ? "expectations_hold" : "expectations_fail");
	json_out_key(j, "name");
	json_out_str(j, s->name);
	json_out_key(j, "seed");
	json_out_u64(j, s->seed);
	json_time_as_ns(j, "duration_ns", s->duration_ps);
	json_out_key(j, "events");
	json_out_u64(j, machine_events(m));
	json_out_key(j, "pvclock_page_writes");
	json_out_u64(j, machine_page_updates(m));
	json_out_key(j, "expectations");
	json_out_u64(j, t.expectations);
	json_out_key(j, "expectations_met");
	json_out_u64(j, t.met);
	json_out_key(j, "migrations");
	json_out_begin_array(j);
	for (unsigned i = 0; i < s->nmigrations; i++) {
		const struct vmm_migration_log *log = machine_migration_log(m, i);

		if (log && log->done)
			json_migration(j, s, log);
	}
	json_out_end_array(j);
	json_out_key(j, "readers");
	json_out_begin_array(j);
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];
		const struct oracle_check_result *res = machine_check_results(m, g);
		struct machine_group_stats st = machine_group_stats(m, g);

		json_out_begin_object(j);
		json_out_key(j, "name");
		json_out_str(j, sr->name);
		json_out_key(j, "kind");
		json_out_str(j, reader_kind_name(sr->kind));
		if (sr->on_host) {
			json_out_key(j, "host");
			json_out_str(j, s->hosts[sr->host].name);
			json_out_key(j, "cpus");
			json_out_begin_array(j);
			for (unsigned i = 0; i < sr->ncpus; i++)
				json_out_u64(j, sr->cpus[i]);
			json_out_end_array(j);
			json_time_as_ns(j, "migrate_every_ns", sr->migrate_every_ps);
		} else {
			json_out_key(j, "vcpus");
			json_out_begin_array(j);
			for (unsigned i = 0; i < sr->nvcpus; i++)
				json_out_u64(j, sr->vcpus[i]);
			json_out_end_array(j);
		}
		json_out_key(j, "reads");
		json_out_u64(j, st.reads);
		json_out_key(j, "version_retries");
		json_out_u64(j, st.retries);
		json_out_key(j, "guarded");
		json_out_u64(j, st.guarded);
		json_out_key(j, "checks");
		json_out_begin_array(j);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
			if (sr->checks[c].enabled)
				json_check(j, c, &sr->checks[c], &res[c], machine_violation_cause(m, g, c));
		json_out_end_array(j);
		json_out_end_object(j);
	}
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
