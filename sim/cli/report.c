/*
 * The human report of a run, and what both reports share (the tally); the
 * JSON report is in report_json.c.  Per-check wording and units come from the
 * check's row (oracle/check.h): nothing here knows a check by its id.
 */
#include "sim/cli/report.h"

#include <inttypes.h>
#include <string.h>

#include "oracle/check.h"

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

/* How the human report shows a value in each oracle unit. */
static char *(*const unit_fmt[])(char *buf, size_t len, int64_t v, bool sign) = {
	[ORACLE_UNIT_PS] = fmt_ps,
	[ORACLE_UNIT_PPB] = fmt_ppb,
};

_Static_assert(sizeof(unit_fmt) / sizeof(unit_fmt[0]) == ORACLE_UNIT_COUNT,
	       "one formatter per oracle unit");

/* A check's value (threshold, worst, bound) in the check's unit. */
static char *fmt_value(char *buf, size_t len, enum oracle_check_id id, int64_t v, bool sign)
{
	return unit_fmt[oracle_check_desc(id)->unit](buf, len, v, sign);
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

/* The length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;

	if (s[0] >= 0xf5 || len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong three- and four-byte forms, surrogates, past U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/*
 * n bytes of file-provided text (a name, a description, a path, an error
 * line quoting the file), with control characters written as escapes (\x1b,
 * \u009b) and bytes that are not UTF-8 as \xNN, so that nothing a file holds
 * can drive the terminal (a lone 0x9b is CSI on an 8-bit terminal).  The
 * loader refuses such strings; a file name and a syntax error's quote of
 * the file can still hold them.
 */
void report_put_text(FILE *f, const char *text, size_t n)
{
	const unsigned char *s = (const unsigned char *)text;

	for (size_t i = 0; i < n; i++) {
		size_t len = s[i] >= 0x80 ? utf8_len(s + i, n - i) : 1;

		if (s[i] < 0x20 || s[i] == 0x7f || len == 0) {
			fprintf(f, "\\x%02x", s[i]);
		} else if (s[i] == 0xc2 && s[i + 1] <= 0x9f) {
			fprintf(f, "\\u%04x", s[i + 1]);
			i++;
		} else {
			fwrite(s + i, 1, len, f);
			i += len - 1;
		}
	}
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
			report_put_text(f, text, len);
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

static unsigned count_master_clocks(const struct scenario *s, const struct machine *m)
{
	unsigned n = 0;

	for (unsigned v = 0; v < s->nvms; v++)
		n += machine_master_clock(m, v);
	return n;
}

static void human_migration(FILE *f, const struct scenario *s, const struct machine *m,
			    unsigned vm, unsigned i)
{
	const struct vmm_migration_log *log = machine_migration_log(m, vm, i);
	const struct scn_migration *sm = &s->vms[vm].migrations[i];
	char a[48], b[48], c[48], fl[64];

	if (!log || !log->done)
		return;
	if (s->nvms > 1)
		fprintf(f, "  VM %s:", s->vms[vm].name);
	fprintf(f, "%smigration %u: host %s -> host %s, stopped at %s, resumed at %s\n",
		s->nvms > 1 ? " " : "  ", i + 1,
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

static bool is_name(const char *s, size_t len, const char *name)
{
	return strlen(name) == len && strncmp(s, name, len) == 0;
}

/* One {placeholder} of a comparison's wording (oracle/check.h); an unknown one is kept. */
static void put_placeholder(FILE *f, const char *name, size_t len,
			    const struct oracle_violation *v, const char *cpu)
{
	char a[48];

	if (is_name(name, len, "other_t"))
		fputs(fmt_t(a, sizeof(a), v->other_t_ps), f);
	else if (is_name(name, len, "other_value"))
		fputs(fmt_ns(a, sizeof(a), v->other_value_ns), f);
	else if (is_name(name, len, "other_vcpu"))
		fprintf(f, "%u", v->other_vcpu);
	else if (is_name(name, len, "cpu"))
		fputs(cpu, f);
	else
		fprintf(f, "{%.*s}", (int)len, name);
}

/*
 * The "first:" line: the offending read, then what it was compared with, in
 * the words of the check's comparison (oracle/check.c).
 */
static void human_violation(FILE *f, enum oracle_check_id id, const struct oracle_violation *v,
			    const char *cpu)
{
	const char *w = oracle_compared_with_desc(oracle_check_desc(id)->compared_with)->wording;
	char a[48], b[48];

	fprintf(f, "      first: at %s %s %u read %s", fmt_t(a, sizeof(a), v->t_ps), cpu, v->vcpu,
		fmt_ns(b, sizeof(b), v->value_ns));
	while (*w) {
		const char *open = strchr(w, '{');
		const char *close = open ? strchr(open, '}') : NULL;

		if (!close) {
			fputs(w, f);
			break;
		}
		fwrite(w, 1, (size_t)(open - w), f);
		put_placeholder(f, open + 1, (size_t)(close - open - 1), v, cpu);
		w = close + 1;
	}
	fputc('\n', f);
}

static void human_expectation(FILE *f, enum oracle_check_id id,
			      const struct oracle_check_config *cc, const struct oracle_check_result *r)
{
	char a[48], b[48];

	fprintf(f, "      expected %s", oracle_expect_name(cc->expect));
	if (cc->has_worst_min || cc->has_worst_max) {
		fprintf(f, " with worst in [%s, %s]",
			cc->has_worst_min ? fmt_value(a, sizeof(a), id, cc->worst_min, true) : "-inf",
			cc->has_worst_max ? fmt_value(b, sizeof(b), id, cc->worst_max, true) : "+inf");
	}
	fprintf(f, ": %s\n", r->expectation_met ? "holds" : "DOES NOT HOLD");
}

void report_human_check(FILE *f, enum oracle_check_id c, const struct oracle_check_config *cc,
			const struct oracle_check_result *r, const char *cpu, const char *cause)
{
	const struct oracle_check_desc *d = oracle_check_desc(c);
	char a[48], b[48];

	fprintf(f, "    %-12s %s  worst %s", d->name, r->passed ? "pass" : "FAIL",
		fmt_value(a, sizeof(a), c, r->worst, d->signed_worst));
	if (d->params & ORACLE_PARAM_THRESHOLD)
		fprintf(f, " (threshold %s)", fmt_value(b, sizeof(b), c, cc->threshold, false));
	fprintf(f, ", %" PRIu64 " violations in %" PRIu64 " %s\n", r->violations, r->samples,
		d->sample_noun);
	if (r->has_first) {
		human_violation(f, c, &r->first, cpu);
		if (cause)
			fprintf(f, "      cause: %s\n", cause);
	}
	human_expectation(f, c, cc, r);
}

char *report_fmt_ps(char *buf, size_t len, int64_t ps, bool sign)
{
	return fmt_ps(buf, len, ps, sign);
}

char *report_fmt_t(char *buf, size_t len, sim_ps t)
{
	return fmt_t(buf, len, t);
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

	/* a check on KVM or the guest names the VM: it follows the VM across hosts */
	if (host_check_kind_needs_vm((enum host_check_kind)hc->kind))
		fprintf(f, "  host check %s (%s on the VM): ", hc->name, host_check_kind(hc->kind));
	else
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
	fprintf(f, "      expected %s", oracle_expect_name(hc->expect));
	if (hc->has_worst_min || hc->has_worst_max)
		fprintf(f, " with worst in [%s, %s]",
			hc->has_worst_min ? fmt_host_value(a, sizeof(a), hc->kind, hc->worst_min) : "-inf",
			hc->has_worst_max ? fmt_host_value(b, sizeof(b), hc->kind, hc->worst_max) : "+inf");
	/* only a watchdog's field table sets it (.only); other kinds leave it unset */
	if (hc->watchdog.false_positive != SCN_UNSET)
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
	fprintf(f, "      expected %s: %s\n", oracle_expect_name(sc->expect),
		machine_script_expectation_met(m, i) ? "holds" : "DOES NOT HOLD");
}

/* The parts plugins stand in for (docs/plugins.md): one line each, none without plugins. */
static void human_foreign_parts(FILE *f, const struct machine *m)
{
	for (unsigned p = 0; p < PLUGIN_PART_COUNT; p++) {
		const struct plugin_foreign *w = machine_foreign_part(m, p);

		if (!w)
			continue;
		fprintf(f, "  foreign part: %s (%s) is plugin \"", plugin_part_name(p),
			plugin_part_what(p));
		report_put_text(f, w->name, strlen(w->name));
		fputs("\" from ", f);
		report_put_text(f, w->path, strlen(w->path));
		fputs("\n", f);
	}
}

void report_human(FILE *f, const struct scenario *s, const struct machine *m)
{
	struct report_tally t = report_tally(s, m);
	char a[48], b[48];

	report_put_text(f, s->name, strlen(s->name));
	fputs(" (", f);
	report_put_text(f, s->file, strlen(s->file));
	fprintf(f, "), seed %" PRIu64 "\n", s->seed);
	if (s->description[0])
		print_wrapped(f, "  ", s->description, 80);
	if (s->nvms == 1)
		fprintf(f, "  simulated %s in %" PRIu64 " events; %" PRIu64 " pvclock page writes; "
			"master clock %s at the end\n",
			fmt_t(a, sizeof(a), s->duration_ps), machine_events(m), machine_page_updates(m),
			machine_master_clock(m, 0) ? "on" : "off");
	else if (s->nvms)
		fprintf(f, "  simulated %s in %" PRIu64 " events; %u VMs; %" PRIu64 " pvclock page "
			"writes; master clock on in %u of them at the end\n",
			fmt_t(a, sizeof(a), s->duration_ps), machine_events(m), s->nvms,
			machine_page_updates(m), count_master_clocks(s, m));
	else
		fprintf(f, "  simulated %s in %" PRIu64 " events (%s, no VM)\n",
			fmt_t(a, sizeof(a), s->duration_ps), machine_events(m),
			s->has_hosts ? "bare metal" : "devices only");
	human_foreign_parts(f, m);
	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned i = 0; i < s->vms[v].nmigrations; i++)
			human_migration(f, s, m, v, i);
	for (unsigned g = 0; g < s->nreaders; g++) {
		const struct scn_reader *sr = &s->readers[g];
		const struct oracle_check_result *res = machine_check_results(m, g);
		struct machine_group_stats st = machine_group_stats(m, g);

		fprintf(f, "  reader %s (%s on %s%s%s", sr->name, reader_kind_name(sr->kind),
			!sr->on_host && s->nvms > 1 ? "VM " : "",
			!sr->on_host && s->nvms > 1 ? s->vms[sr->vm].name : "",
			sr->on_host ? "CPU" : s->nvms > 1 ? " vCPU" : "vCPU");
		for (unsigned i = 0; i < (sr->on_host ? sr->ncpus : sr->nvcpus); i++)
			fprintf(f, "%s%u", i ? "," : " ", sr->on_host ? sr->cpus[i] : sr->vcpus[i]);
		if (sr->on_host)
			fprintf(f, " of host %s", s->hosts[sr->host].name);
		if (sr->migrate_every_ps)
			fprintf(f, ", one process migrating every %s",
				fmt_dur(b, sizeof(b), sr->migrate_every_ps));
		fprintf(f, "): %" PRIu64 " reads, %" PRIu64 " version retries, %" PRIu64
			" raised by the guard\n", st.reads, st.retries, st.guarded);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
			if (sr->checks[c].enabled)
				report_human_check(f, c, &sr->checks[c], &res[c],
						   sr->on_host ? "CPU" : "vCPU",
						   res[c].has_first ? machine_violation_cause(m, g, c) : NULL);
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

/* For the JSON renderer (report_json.c): a host check kind's name. */
const char *report_host_check_name(enum scn_host_check_kind k)
{
	return host_check_kind(k);
}

/*
 * The human report's words for reader group g's check c's first violation
 * (its "first:" and "cause:" lines), for the visualizer's explanations.
 */
void report_violation_words(FILE *f, const struct scenario *s, const struct machine *m,
			    unsigned g, enum oracle_check_id c)
{
	const struct oracle_check_result *r = &machine_check_results(m, g)[c];
	const char *cause = machine_violation_cause(m, g, c);

	if (!r->has_first)
		return;
	human_violation(f, c, &r->first, s->readers[g].on_host ? "CPU" : "vCPU");
	if (cause)
		fprintf(f, "      cause: %s\n", cause);
}
