/*
 * `sim judge`: judge sim-trace v1 files (docs/trace-format.md), taken on a
 * real machine, in a VM, or by `sim run --trace`, with the oracle `sim run`
 * uses; reports in the same words and JSON shapes (report.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/check.h"
#include "sim/cli/cli.h"
#include "sim/cli/json_out.h"
#include "sim/cli/report.h"
#include "sim/judge/judge.h"

static const char judge_help[] =
	"usage: sim judge [--policy FILE.json] [--check NAME]... [--threshold CHECK=VALUE]...\n"
	"                 [--tsc-ns] [--json FILE|-] TRACE...\n"
	"\n"
	"Judges clock reads recorded in sim-trace v1 files (JSON Lines, docs/trace-format.md)\n"
	"with the oracle of `sim run`: one group per clock (and VM), one reader per vCPU (or\n"
	"\"thread\"), each read's interval from its reference bracket (ref_before, ref_after)\n"
	"or its global \"order\".  With several VMs (the header's \"vms\") each VM's clocks,\n"
	"pauses and pvclock pages are judged on their own.\n"
	"Host lines (pvclock, tsc_offset, masterclock, track_tsc) are replayed into Linux's\n"
	"pvclock reader, watchdog lines into Linux's clocksource watchdog.  A file may hold\n"
	"several runs, each from its header line; '-' reads stdin.\n"
	"\n"
	"  --policy FILE      checks, thresholds and expectations per clock (JSON; keys in\n"
	"                     docs/trace-format.md, \"Policy\")\n"
	"  --check NAME       judge NAME on every clock: mono_vcpu, mono_causal, step_back,\n"
	"                     step_fwd, max_error, rate, consumer_abort\n"
	"  --threshold CHECK=VALUE  judge CHECK with this threshold: step_back, step_fwd,\n"
	"                     max_error (durations: 1us), rate (100ppm); the host replay's\n"
	"                     page_step and cross_vcpu (durations)\n"
	"  --tsc-ns           convert \"value\" reads (TSC cycles) to ns with the header's tsc_khz\n"
	"  --json FILE        also write a machine-readable report ('-': stdout only)\n"
	"\n"
	"Without --policy, --check or --threshold every clock is judged for mono_vcpu and\n"
	"mono_causal.\n"
	"\n"
	"exit status: 0 every expectation holds, 1 one does not, 2 invalid input or usage.\n";

#define JUDGE_MAX_FILES 256
#define JUDGE_READ_CHUNK (64 * 1024)

struct judge_opts {
	struct judge_policy pol;
	const char *policy_path;
	const char *json_path;
	const char *files[JUDGE_MAX_FILES];
	unsigned nfiles;
};

struct judge_out {
	FILE *human;
	FILE *json_file;
	struct json_out j;
};

static int parse_judge(int argc, char **argv, struct judge_opts *o, bool *help)
{
	const char *checks[64], *thresholds[64];
	unsigned nchecks = 0, nthresholds = 0;
	struct sim_diag d;

	judge_policy_init(&o->pol);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			*help = true;
			return EXIT_OK;
		} else if (strcmp(a, "--policy") == 0 || strcmp(a, "--json") == 0 ||
			   strcmp(a, "--check") == 0 || strcmp(a, "--threshold") == 0) {
			if (++i >= argc)
				return cli_usage_error("judge", "%s needs a value", a);
			if (a[2] == 'p')
				o->policy_path = argv[i];
			else if (a[2] == 'j')
				o->json_path = argv[i];
			else if (a[2] == 'c' && nchecks < 64)
				checks[nchecks++] = argv[i];
			else if (a[2] == 't' && nthresholds < 64)
				thresholds[nthresholds++] = argv[i];
			else
				return cli_usage_error("judge", "%s", "at most 64 --check and 64 --threshold");
		} else if (strcmp(a, "--tsc-ns") == 0) {
			o->pol.tsc_ns = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("judge", "unknown option %s", a);
		} else if (o->nfiles < JUDGE_MAX_FILES) {
			o->files[o->nfiles++] = a;
		} else {
			return cli_usage_error("judge", "%s", "too many files (at most 256)");
		}
	}
	if (o->nfiles == 0)
		return cli_usage_error("judge", "%s", "no trace file given");
	sim_diag_clear(&d);
	/* the file first: the command line adds to it */
	if (o->policy_path && !judge_policy_load(&o->pol, o->policy_path, &d)) {
		cli_print_diag(&d);
		return EXIT_USAGE;
	}
	for (unsigned k = 0; k < nchecks; k++)
		if (!judge_policy_check(&o->pol, checks[k], &d))
			return cli_usage_error("judge", "%s", d.msg);
	for (unsigned k = 0; k < nthresholds; k++)
		if (!judge_policy_threshold(&o->pol, thresholds[k], &d))
			return cli_usage_error("judge", "%s", d.msg);
	return EXIT_OK;
}

/* The vCPUs a clock's reads came from: "0,1,3". */
static void vcpu_list(FILE *f, const struct judge_clock *c, unsigned n)
{
	bool first = true;

	for (unsigned v = 0; v < n; v++) {
		if (!(c->vcpus_seen[v / 64] >> (v % 64) & 1))
			continue;
		fprintf(f, "%s%u", first ? "" : ",", v);
		first = false;
	}
	if (first)
		fputs("none", f);
}

static const char *judged_by(const struct judge_clock *c)
{
	if (c->has_ref && c->has_order)
		return "reference bracket; causality by order";
	return c->has_ref ? "reference bracket" : c->has_order ? "order" : "reads in file order";
}

/* Host checks count when they compared something. */
static bool host_counted(const struct judge_host_result *r)
{
	return r->evaluated;
}

static void tally(const struct judge *jd, unsigned *expectations, unsigned *met)
{
	const struct judge_host_result *hr = judge_replay_results(judge_get_replay(jd));

	*expectations = *met = 0;
	for (unsigned i = 0; i < judge_nclocks(jd); i++) {
		const struct judge_clock *c = judge_get_clock(jd, i);

		for (unsigned k = 0; k < ORACLE_CHECK_COUNT; k++) {
			if (!c->checks[k].enabled)
				continue;
			(*expectations)++;
			*met += judge_clock_result(c, k)->expectation_met;
		}
	}
	for (unsigned h = 0; h < JUDGE_HOST_CHECK_COUNT; h++) {
		if (!host_counted(&hr[h]))
			continue;
		(*expectations)++;
		*met += hr[h].expectation_met;
	}
}

static const enum jt_type replay_types[JUDGE_HOST_CHECK_COUNT] = {
	[JUDGE_PAGE_STEP] = JT_PVCLOCK, [JUDGE_CROSS_VCPU] = JT_PVCLOCK,
	[JUDGE_WATCHDOG] = JT_WATCHDOG,
};

static void human_run(FILE *f, const char *file, unsigned run, const struct judge *jd,
		      const struct judge_policy *pol)
{
	const struct judge_header *h = judge_get_header(jd);
	const struct judge_replay *rp = judge_get_replay(jd);
	const struct judge_host_result *hr = judge_replay_results(rp);
	unsigned expectations, met;
	uint64_t reads = 0;
	bool other = false;
	char a[48], b[48];

	for (unsigned i = 0; i < judge_nclocks(jd); i++)
		reads += judge_get_clock(jd, i)->reads;
	report_put_text(f, file, strlen(file));
	if (run > 1)
		fprintf(f, " run %u", run);
	fputs(" (sim-trace from ", f);
	report_put_text(f, h->producer, strlen(h->producer));
	if (h->scenario[0]) {
		fputs(", scenario ", f);
		report_put_text(f, h->scenario, strlen(h->scenario));
	}
	if (h->has_seed)
		fprintf(f, " seed %" PRIu64, h->seed);
	fprintf(f, "): %" PRIu64 " lines, %" PRIu64 " reads on %u clocks\n", judge_lines(jd), reads,
		judge_nclocks(jd));
	for (unsigned i = 0; i < judge_nclocks(jd); i++) {
		const struct judge_clock *c = judge_get_clock(jd, i);

		fputs("  clock ", f);
		report_put_text(f, c->name, strlen(c->name));
		/* a header that names the guest's clocks makes the others bare metal: CPUs */
		fputs(" (on ", f);
		if (c->vm != JUDGE_NO_VM && judge_vm_name(jd, c->vm)[0]) {
			fputs("VM ", f);
			report_put_text(f, judge_vm_name(jd, c->vm), strlen(judge_vm_name(jd, c->vm)));
			fputc(' ', f);
		}
		fprintf(f, "%s ", c->guest ? "vCPU" : "CPU");
		vcpu_list(f, c, h->cpus);
		fprintf(f, "; judged by %s): %" PRIu64 " reads\n", judged_by(c), c->reads);
		for (unsigned k = 0; k < ORACLE_CHECK_COUNT; k++)
			if (c->checks[k].enabled)
				report_human_check(f, k, &c->checks[k], judge_clock_result(c, k),
						   c->guest ? "vCPU" : "CPU", NULL);
	}
	for (unsigned k = 0; k < JUDGE_HOST_CHECK_COUNT; k++) {
		const struct judge_host_result *r = &hr[k];

		if (!host_counted(r) && !judge_replay_lines(rp, replay_types[k]))
			continue;
		if (!host_counted(r)) {   /* lines it could not compare: say so, count nothing */
			fprintf(f, "  host check %s (replayed from %" PRIu64 " %s lines): nothing "
				"compared\n      note: %s\n", judge_host_check_name(k),
				judge_replay_lines(rp, replay_types[k]), jt_type_name(replay_types[k]),
				r->note);
			continue;
		}
		fprintf(f, "  host check %s (replayed from %" PRIu64 " %s lines): %s  worst %s, %"
			PRIu64 " violations in %" PRIu64 " samples\n", judge_host_check_name(k),
			judge_replay_lines(rp, replay_types[k]), jt_type_name(replay_types[k]),
			r->passed ? "pass" : "FAIL", report_fmt_ps(a, sizeof(a), r->worst, true),
			r->violations, r->samples);
		if (r->has_first)
			fprintf(f, "      first: at %s (line %u) %s\n",
				report_fmt_t(b, sizeof(b), r->first_ps), r->first_line, r->first);
		fprintf(f, "      note: %s\n", r->note);
		fprintf(f, "      expected %s: %s\n", oracle_expect_name(pol->host[k].expect),
			r->expectation_met ? "holds" : "DOES NOT HOLD");
	}
	for (unsigned t = 0; t <= JT_TYPE_COUNT; t++) {
		uint64_t n = judge_type_lines(jd, t);

		if (!n || (t < JT_TYPE_COUNT && jt_type_use(t) != JT_IGNORED))
			continue;
		fprintf(f, "%s%" PRIu64 " %s", other ? ", " : "  not judged: ", n,
			t < JT_TYPE_COUNT ? jt_type_name(t) : "of the header's ignore_types");
		other = true;
	}
	if (other)
		fputc('\n', f);
	tally(jd, &expectations, &met);
	if (met == expectations)
		fprintf(f, "  result: all %u expectations hold\n", expectations);
	else
		fprintf(f, "  result: %u of %u expectations DO NOT HOLD\n", expectations - met,
			expectations);
}

static void json_run(struct json_out *j, const char *file, unsigned run, const struct judge *jd,
		     const struct judge_policy *pol)
{
	const struct judge_header *h = judge_get_header(jd);
	const struct judge_replay *rp = judge_get_replay(jd);
	const struct judge_host_result *hr = judge_replay_results(rp);
	unsigned expectations, met;

	tally(jd, &expectations, &met);
	json_out_begin_object(j);
	json_out_key_str(j, "file", file);
	json_out_key_u64(j, "run", run);
	json_out_key_str(j, "status", met == expectations ? "expectations_hold" : "expectations_fail");
	json_out_key_str(j, "producer", h->producer);
	if (h->scenario[0])
		json_out_key_str(j, "scenario", h->scenario);
	if (h->has_seed)
		json_out_key_u64(j, "seed", h->seed);
	json_out_key_u64(j, "lines", judge_lines(jd));
	json_out_key_u64(j, "expectations", expectations);
	json_out_key_u64(j, "expectations_met", met);
	json_out_key(j, "clocks");
	json_out_begin_array(j);
	for (unsigned i = 0; i < judge_nclocks(jd); i++) {
		const struct judge_clock *c = judge_get_clock(jd, i);

		json_out_begin_object(j);
		json_out_key_str(j, "name", c->name);
		if (c->vm != JUDGE_NO_VM && judge_vm_name(jd, c->vm)[0])
			json_out_key_str(j, "vm", judge_vm_name(jd, c->vm));
		json_out_key(j, "vcpus");
		json_out_begin_array(j);
		for (unsigned v = 0; v < h->cpus; v++)
			if (c->vcpus_seen[v / 64] >> (v % 64) & 1)
				json_out_u64(j, v);
		json_out_end_array(j);
		json_out_key_u64(j, "reads", c->reads);
		json_out_key_bool(j, "reference", c->has_ref);
		json_out_key_bool(j, "order", c->has_order);
		json_out_key(j, "checks");
		json_out_begin_array(j);
		for (unsigned k = 0; k < ORACLE_CHECK_COUNT; k++)
			if (c->checks[k].enabled)
				report_json_check(j, k, &c->checks[k], judge_clock_result(c, k), NULL);
		json_out_end_array(j);
		json_out_end_object(j);
	}
	json_out_end_array(j);
	json_out_key(j, "host_checks");
	json_out_begin_array(j);
	for (unsigned k = 0; k < JUDGE_HOST_CHECK_COUNT; k++) {
		const struct judge_host_result *r = &hr[k];

		if (!host_counted(r) && !judge_replay_lines(rp, replay_types[k]))
			continue;
		json_out_begin_object(j);
		json_out_key_str(j, "check", judge_host_check_name(k));
		json_out_key_bool(j, "evaluated", host_counted(r));
		if (!host_counted(r)) {
			json_out_key_str(j, "note", r->note);
			json_out_end_object(j);
			continue;
		}
		json_out_key_bool(j, "passed", r->passed);
		json_out_key_i64(j, "worst_ps", r->worst);
		json_out_key_u64(j, "violations", r->violations);
		json_out_key_u64(j, "samples", r->samples);
		json_out_key(j, "first_violation");
		if (r->has_first) {
			json_out_begin_object(j);
			json_out_key_u64(j, "t_ps", r->first_ps);
			json_out_key_u64(j, "line", r->first_line);
			json_out_key_str(j, "what", r->first);
			json_out_end_object(j);
		} else {
			json_out_null(j);
		}
		json_out_key_str(j, "note", r->note);
		json_out_key_str(j, "expect", oracle_expect_name(pol->host[k].expect));
		json_out_key_bool(j, "expectation_met", r->expectation_met);
		json_out_end_object(j);
	}
	json_out_end_array(j);
	json_out_key(j, "not_judged");
	json_out_begin_object(j);
	for (unsigned t = 0; t <= JT_TYPE_COUNT; t++) {
		uint64_t n = judge_type_lines(jd, t);

		if (n && (t == JT_TYPE_COUNT || jt_type_use(t) == JT_IGNORED))
			json_out_key_u64(j, t < JT_TYPE_COUNT ? jt_type_name(t) : "ignore_types", n);
	}
	json_out_end_object(j);
	json_out_end_object(j);
}

static void json_invalid(struct json_out *j, const char *file, unsigned run,
			 const struct sim_diag *d)
{
	char msg[1024];

	sim_diag_format(d, msg, sizeof(msg));
	json_out_begin_object(j);
	json_out_key_str(j, "file", file);
	json_out_key_u64(j, "run", run);
	json_out_key_str(j, "status", "invalid");
	json_out_key_str(j, "error", msg);
	json_out_end_object(j);
}

/* Reports a finished run; returns its status. */
static int report_run(struct judge_out *out, const char *file, unsigned run, struct judge *jd,
		      const struct judge_policy *pol)
{
	unsigned expectations, met;

	tally(jd, &expectations, &met);
	if (out->human)
		human_run(out->human, file, run, jd, pol);
	if (out->json_file)
		json_run(&out->j, file, run, jd, pol);
	return met == expectations ? EXIT_OK : EXIT_EXPECTATION;
}

/* Line by line through runs; a line longer than JT_LINE_MAX is refused, so memory stays flat. */
static int judge_file(const char *file, const struct judge_opts *o, struct judge_out *out)
{
	FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	static char buf[JUDGE_READ_CHUNK + JT_LINE_MAX];
	size_t have = 0, pos = 0;
	unsigned lineno = 0, run = 1;
	int status = EXIT_OK;
	bool eof = false, failed = false;
	struct judge *jd;
	struct sim_diag d;

	sim_diag_clear(&d);
	sim_diag_set_file(&d, file);
	if (!f) {
		sim_diag_fail(&d, "cannot read the trace");
		cli_print_diag(&d);
		if (out->json_file)
			json_invalid(&out->j, file, run, &d);
		return EXIT_USAGE;
	}
	if (!(jd = judge_create(&o->pol)))
		failed = !sim_diag_fail(&d, "out of memory");
	while (!failed) {
		char *nl = memchr(buf + pos, '\n', have - pos);
		size_t len;
		enum judge_status st;

		if (!nl && !eof) {
			if (have - pos > JT_LINE_MAX) {
				sim_diag_fail(&d, "a line longer than %d bytes", JT_LINE_MAX);
				sim_diag_set_pos(&d, lineno + 1, 1);
				failed = true;
				break;
			}
			memmove(buf, buf + pos, have - pos);
			have -= pos;
			pos = 0;
			len = fread(buf + have, 1, sizeof(buf) - have, f);
			have += len;
			eof = len == 0;
			continue;
		}
		if (!nl && pos == have)
			break;
		len = nl ? (size_t)(nl - (buf + pos)) : have - pos;
		lineno++;
		if (len > JT_LINE_MAX) {
			sim_diag_fail(&d, "a line longer than %d bytes", JT_LINE_MAX);
			sim_diag_set_pos(&d, lineno, 1);
			failed = true;
			break;
		}
		st = judge_line(jd, buf + pos, len, lineno, &d);
		if (st == JUDGE_NEXT_RUN) {
			if (!judge_finish(jd, &d)) {
				failed = true;
				break;
			}
			if (report_run(out, file, run++, jd, &o->pol) != EXIT_OK)
				status = EXIT_EXPECTATION;
			judge_destroy(jd);
			if (!(jd = judge_create(&o->pol))) {
				failed = !sim_diag_fail(&d, "out of memory");
				break;
			}
			if (out->human)
				fputc('\n', out->human);
			st = judge_line(jd, buf + pos, len, lineno, &d);
		}
		if (st == JUDGE_ERROR) {
			failed = true;
			break;
		}
		pos += len + (nl != NULL);
	}
	if (ferror(f)) {
		sim_diag_fail(&d, "a read error");
		failed = true;
	}
	if (f != stdin)
		fclose(f);
	if (!failed && !judge_finish(jd, &d))
		failed = true;
	if (failed) {
		sim_diag_set_file(&d, file);
		cli_print_diag(&d);
		if (out->json_file)
			json_invalid(&out->j, file, run, &d);
		judge_destroy(jd);
		return EXIT_USAGE;
	}
	{
		int st = report_run(out, file, run, jd, &o->pol);

		if (st != EXIT_OK)
			status = st;
	}
	judge_destroy(jd);
	return status;
}

int cmd_judge(int argc, char **argv)
{
	static struct judge_opts o;
	struct judge_out out = { .human = stdout };
	bool help = false;
	int status;

	memset(&o, 0, sizeof(o));
	status = parse_judge(argc, argv, &o, &help);
	if (help) {
		fputs(judge_help, stdout);
		return EXIT_OK;
	}
	if (status != EXIT_OK)
		return status;
	if (o.json_path && strcmp(o.json_path, "-") == 0) {
		out.json_file = stdout;
		out.human = NULL;
	} else if (o.json_path && !(out.json_file = fopen(o.json_path, "w"))) {
		fprintf(stderr, "sim judge: cannot write %s\n", o.json_path);
		return EXIT_USAGE;
	}
	if (out.json_file) {
		json_out_init(&out.j, out.json_file);
		json_out_begin_object(&out.j);
		json_out_key_str(&out.j, "format", "sim-judge/1");
		json_out_key_str(&out.j, "sim_version", SIM_VERSION);
		json_out_key(&out.j, "traces");
		json_out_begin_array(&out.j);
	}
	for (unsigned i = 0; i < o.nfiles; i++) {
		int st;

		if (out.human && i > 0)
			fputc('\n', out.human);
		st = judge_file(o.files[i], &o, &out);
		/* the first failure decides, except that invalid input outranks it */
		if (st == EXIT_USAGE || (st != EXIT_OK && status == EXIT_OK))
			status = st;
	}
	if (out.json_file) {
		json_out_end_array(&out.j);
		json_out_end_object(&out.j);
		if (out.json_file != stdout && fclose(out.json_file) != 0) {
			fprintf(stderr, "sim judge: error writing %s\n", o.json_path);
			return EXIT_USAGE;
		}
	}
	return status;
}
