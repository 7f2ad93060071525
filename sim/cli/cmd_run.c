/* `sim run`: load, simulate and judge scenario files; reports and trace outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/json_out.h"
#include "sim/cli/perfetto_out.h"
#include "sim/cli/progress.h"
#include "sim/cli/sweep_cli.h"
#include "sim/cli/report.h"
#include "sim/cli/trace_out.h"
#include "sim/cli/vcd_out.h"
#include "sim/core/units.h"
#include "sim/machine/budget.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"
#include "sim/sweep/job.h"

static const char run_help[] =
	"usage: sim run [--json FILE|-] [--trace FILE] [--vcd FILE] [--perfetto FILE]\n"
	"               [--seed N] [--max-events N] [--plugin PATH[:PART]]... FILE...\n"
	"       sim run FILE --vary PATH=V1,V2,... [--seeds A..B] [--progress]\n"
	"                    [--max-events N] [--max-total-events N]\n"
	"\n"
	"Simulates each scenario file and checks what its guest clock readers saw\n"
	"against the expectations the file states.  A summary goes to stdout.\n"
	"\n"
	"  --json FILE   also write a machine-readable report to FILE ('-': stdout,\n"
	"                which then carries only the JSON)\n"
	"  --trace FILE  write what happened (reads, pvclock writes, ...) to FILE as\n"
	"                sim-trace v1 JSON Lines (docs/trace-format.md), which\n"
	"                `sim judge FILE` judges again\n"
	"  --vcd FILE    write interrupt lines, pvclock flags and versions and device\n"
	"                registers to FILE as a Value Change Dump (GTKWave, Surfer)\n"
	"  --perfetto FILE  write clock error, pvclock pages, VMM phases and\n"
	"                violations to FILE as a Perfetto trace (ui.perfetto.dev)\n"
	"                (--vcd and --perfetto take one scenario FILE; docs/exports.md)\n"
	"  --seed N      use seed N instead of the scenario's \"seed\"\n"
	"  --max-events N  the event budget (default 1000000000): refuse a scenario\n"
	"                  whose estimated events exceed N, and stop a run that fires more\n"
	"  --plugin PATH[:PART]  let the shared object PATH (built against sim/plugin.h)\n"
	"                  stand in for PART of sim: pvclock_writer, pvclock_reader,\n"
	"                  pmtimer, or all (the default: every part it implements);\n"
	"                  after the scenario's own \"plugins\" (docs/plugins.md)\n"
	"  --progress    show simulated time / duration on stderr as the run goes\n"
	"                (without it: only on a terminal, for a run longer than about\n"
	"                2 s, and not with --json -)\n"
	"\n"
	"  --vary PATH=V1,V2,...  run one FILE once per value at the JSON pointer PATH\n"
	"                (repeatable: every combination), as `sim sweep` does; each V is\n"
	"                JSON when it parses as JSON, else a string (\"1ms\"); a V that\n"
	"                starts with {, [ or \" is one JSON value, commas inside it too\n"
	"  --seeds A..B  run every variant with seeds A to B; prints the sweep's summary\n"
	"                (docs/sweeps.md; result rows: `sim sweep --out`)\n"
	"  --max-total-events N  the event budget of every variant's run together\n"
	"                (default 200000000000, about an hour of CPU)\n"
	"\n"
	"exit status: 0 every expectation holds, 1 one does not, 2 invalid input or usage.\n";

struct run_opts {
	const char *json_path;    /* --json; "-" is stdout */
	const char *trace_path;   /* --trace */
	const char *vcd_path;     /* --vcd */
	const char *perfetto_path; /* --perfetto */
	bool have_seed;
	uint64_t seed;
	uint64_t max_events;      /* --max-events: the event budget (budget.h) */
	const char *files[256];
	unsigned nfiles;
	const char *plugins[SCN_MAX_PLUGINS];   /* --plugin PATH[:PART], in order */
	unsigned nplugins;
	bool progress;            /* --progress */
	const char *vary[SWEEP_MAX_AXES];  /* --vary PATH=V1,V2,... */
	unsigned nvary;
	const char *seeds;        /* --seeds A..B */
	uint64_t max_total_events; /* --max-total-events: a --vary run's whole budget */
	bool have_max_total;
};

/* Where a run's output goes. */
struct run_out {
	FILE *human;              /* NULL when --json - owns stdout */
	FILE *json_file;
	struct json_out j;
	FILE *trace_file;
	struct trace_out trace;
	FILE *vcd_file;
	FILE *perfetto_file;
};

static int parse_run(int argc, char **argv, struct run_opts *o, bool *help)
{
	struct sweep_cli_opts total = { .max_total_events = SWEEP_DEFAULT_MAX_TOTAL_EVENTS };
	/* an option given twice is refused, never "the last one wins" */
	bool seen_max = false, seen_json = false, seen_trace = false, seen_vcd = false;
	bool seen_perfetto = false, seen_seeds = false;

	o->max_events = BUDGET_DEFAULT_MAX_EVENTS;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char why[160];
		int st = EXIT_OK;
		bool *seen = strcmp(a, "--max-events") == 0 ? &seen_max :
			     strcmp(a, "--json") == 0      ? &seen_json :
			     strcmp(a, "--trace") == 0     ? &seen_trace :
			     strcmp(a, "--vcd") == 0       ? &seen_vcd :
			     strcmp(a, "--perfetto") == 0  ? &seen_perfetto :
			     strcmp(a, "--seed") == 0      ? &o->have_seed :
			     strcmp(a, "--seeds") == 0     ? &seen_seeds : NULL;

		if (seen && !sweep_cli_once("run", a, seen)) {
			return EXIT_USAGE;
		} else if (strcmp(a, "--max-total-events") == 0) {
			st = sweep_cli_max_total(&total, "run", argc, argv, &i, &o->have_max_total);
			if (st != EXIT_OK)
				return st;
			o->max_total_events = total.max_total_events;
		} else if (cli_parse_max_events("run", argc, argv, &i, &o->max_events, &st)) {
			if (st != EXIT_OK)
				return st;
		} else if (cli_is_help(a)) {
			*help = true;
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a file name or '-'", a);
			o->json_path = argv[i];
		} else if (strcmp(a, "--trace") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a file name", a);
			o->trace_path = argv[i];
		} else if (strcmp(a, "--plugin") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs PATH or PATH:PART", a);
			if (o->nplugins >= SCN_MAX_PLUGINS)
				return cli_usage_error("run", "at most %u --plugin options", SCN_MAX_PLUGINS);
			o->plugins[o->nplugins++] = argv[i];
		} else if (strcmp(a, "--vcd") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a file name", a);
			o->vcd_path = argv[i];
		} else if (strcmp(a, "--perfetto") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a file name", a);
			o->perfetto_path = argv[i];
		} else if (strcmp(a, "--seed") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a number", a);
			if (!sim_parse_u64(argv[i], &o->seed, why, sizeof(why)))
				return cli_usage_error("run", "--seed: %s", why);
		} else if (strcmp(a, "--progress") == 0) {
			o->progress = true;
		} else if (strcmp(a, "--vary") == 0 || strcmp(a, "--seeds") == 0) {
			if (++i >= argc)
				return cli_usage_error("run", "%s needs a value", a);
			if (strcmp(a, "--seeds") == 0)
				o->seeds = argv[i];
			else if (o->nvary < SWEEP_MAX_AXES)
				o->vary[o->nvary++] = argv[i];
			else
				return cli_usage_error("run", "at most %d --vary", SWEEP_MAX_AXES);
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("run", "unknown option %s", a);
		} else if (o->nfiles < sizeof(o->files) / sizeof(o->files[0])) {
			o->files[o->nfiles++] = a;
		} else {
			return cli_usage_error("run", "%s", "too many files (at most 256)");
		}
	}
	if (o->nfiles == 0)
		return cli_usage_error("run", "%s", "no scenario file given");
	if (o->have_max_total && !o->nvary && !o->seeds)
		return cli_usage_error("run", "%s", "--max-total-events is for --vary and --seeds "
				       "(one run has --max-events)");
	/* a VCD's signals and a Perfetto trace's tracks are one scenario's */
	if (o->nfiles > 1 && (o->vcd_path || o->perfetto_path))
		return cli_usage_error("run", "%s takes one scenario file, not %u: run them one at a time",
				       o->vcd_path ? "--vcd" : "--perfetto", o->nfiles);
	return EXIT_OK;
}

/* Subscribes the JSON Lines writer to the machine's trace stream before it runs. */
static bool trace_attach(struct machine *m, struct trace_out *t)
{
	return trace_out_subscribe(t, machine_trace(m));
}

/*
 * The run's sim-trace header: its readers are its clocks, and those on a VM
 * stop when the guest does (the guest_run lines), as the oracle pauses them.
 * With several VMs it names them, and which VM each clock and host check is on.
 */
static bool trace_header(struct trace_out *t, const char *file, const struct scenario *s)
{
	const unsigned nr = s->nreaders ? s->nreaders : 1, nc = s->nhost_checks ? s->nhost_checks : 1;
	const char **clocks = calloc(nr, sizeof(*clocks));
	bool *guest = calloc(nr, sizeof(*guest));
	unsigned *clock_vm = calloc(nr, sizeof(*clock_vm)), *home = calloc(nr, sizeof(*home));
	const char **vms = calloc(s->nvms ? s->nvms : 1, sizeof(*vms));
	const char **checks = calloc(nc, sizeof(*checks));
	unsigned *check_vm = calloc(nc, sizeof(*check_vm));
	unsigned cpus = 0;
	bool ok = clocks && guest && clock_vm && home && vms && checks && check_vm;

	for (unsigned i = 0; i < s->nvms; i++)
		if (s->vms[i].nvcpus > cpus)
			cpus = s->vms[i].nvcpus;
	for (unsigned i = 0; i < s->nhosts; i++)
		if (s->hosts[i].ncpus > cpus)
			cpus = s->hosts[i].ncpus;
	for (unsigned i = 0; ok && i < s->nreaders; i++) {
		const struct scn_reader *r = &s->readers[i];

		clocks[i] = r->name;
		guest[i] = !r->on_host;
		clock_vm[i] = r->on_host ? TRACE_OUT_NONE : r->vm;
		/* one process on one CPU: reader_migrate may move it (docs/trace-format.md "thread") */
		home[i] = r->on_host && r->ncpus == 1 && !r->migrate_every_ps ? r->cpus[0]
									      : TRACE_OUT_NONE;
	}
	for (unsigned i = 0; ok && i < s->nvms; i++)
		vms[i] = s->vms[i].name;
	for (unsigned i = 0; ok && i < s->nhost_checks; i++) {
		checks[i] = s->host_checks[i].name;
		check_vm[i] = s->nvms ? s->host_checks[i].vm : TRACE_OUT_NONE;
	}
	/* written out at once; trace_out keeps the names, which are the scenario's */
	ok = ok && trace_out_begin_run(t, &(struct trace_out_header){
		.file = file, .scenario = s->name, .seed = s->seed, .cpus = cpus ? cpus : 1,
		.nclocks = s->nreaders, .clocks = clocks, .guest = guest,
		.nvms = s->nvms, .vms = vms, .clock_vm = clock_vm, .clock_home = home,
		.nchecks = s->nhost_checks, .checks = checks, .check_vm = check_vm,
	});
	free(clocks);
	free(guest);
	free(clock_vm);
	free(home);
	free(vms);
	free(checks);
	free(check_vm);
	return ok;
}

static FILE *open_output(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fprintf(stderr, "sim run: cannot write %s\n", path);
	return f;
}

static bool open_outputs(const struct run_opts *o, struct run_out *out)
{
	out->human = stdout;
	if (o->json_path && strcmp(o->json_path, "-") == 0) {
		out->json_file = stdout;
		out->human = NULL;
	} else if (o->json_path && !(out->json_file = open_output(o->json_path))) {
		return false;
	}
	if (o->trace_path && !(out->trace_file = open_output(o->trace_path)))
		return false;
	if (o->vcd_path && !(out->vcd_file = open_output(o->vcd_path)))
		return false;
	if (o->perfetto_path && !(out->perfetto_file = open_output(o->perfetto_path)))
		return false;
	if (out->json_file) {
		json_out_init(&out->j, out->json_file);
		json_out_begin_object(&out->j);
		json_out_key(&out->j, "format");
		json_out_str(&out->j, REPORT_FORMAT);
		json_out_key(&out->j, "sim_version");
		json_out_str(&out->j, SIM_VERSION);
		json_out_key(&out->j, "scenarios");
		json_out_begin_array(&out->j);
	}
	if (out->trace_file)
		trace_out_init(&out->trace, out->trace_file);
	return true;
}

static bool close_output(FILE *f, const char *path)
{
	if (!f || f == stdout || fclose(f) == 0)
		return true;
	fprintf(stderr, "sim run: error writing %s\n", path);
	return false;
}

static bool close_outputs(const struct run_opts *o, struct run_out *out)
{
	bool ok;

	if (out->json_file) {
		json_out_end_array(&out->j);
		json_out_end_object(&out->j);
	}
	if (out->trace_file)
		trace_out_free(&out->trace);
	ok = close_output(out->json_file, o->json_path);
	ok = close_output(out->vcd_file, o->vcd_path) && ok;
	ok = close_output(out->perfetto_file, o->perfetto_path) && ok;
	return close_output(out->trace_file, o->trace_path) && ok;
}

/* The --vcd and --perfetto writers of one run. */
struct exports {
	struct vcd_out *vcd;
	struct perfetto_out *perfetto;
};

/* Creates the writers asked for and subscribes them before the run. */
static bool exports_attach(struct exports *ex, struct run_out *out, const struct scenario *s,
			   struct machine *m, struct sim_diag *err)
{
	if (out->vcd_file) {
		ex->vcd = vcd_out_create(out->vcd_file);
		if (!ex->vcd || !vcd_out_begin(ex->vcd, s, machine_board(m), machine_trace(m))) {
			sim_diag_fail(err, "--vcd: %s", ex->vcd ? "the scenario has more signals than "
				      "a VCD holds, or the trace stream has no room" : "out of memory");
			sim_diag_set_file(err, s->file);
			return false;
		}
	}
	if (out->perfetto_file) {
		ex->perfetto = perfetto_out_create(out->perfetto_file, s);
		if (!ex->perfetto || !perfetto_out_begin(ex->perfetto, machine_trace(m))) {
			sim_diag_fail(err, "--perfetto: %s", ex->perfetto ?
				      "the trace stream has no room" : "out of memory");
			sim_diag_set_file(err, s->file);
			return false;
		}
	}
	return true;
}

/* The run ended (or stopped on an error) at end_ps: flush what the writers hold. */
static void exports_finish(struct exports *ex, sim_ps end_ps)
{
	if (ex->vcd) {
		vcd_out_finish(ex->vcd, end_ps);
		if (vcd_out_unknown(ex->vcd))
			fprintf(stderr, "sim run: --vcd: %llu records named a line or vCPU "
				"with no signal (not written)\n",
				(unsigned long long)vcd_out_unknown(ex->vcd));
	}
	if (ex->perfetto)
		perfetto_out_finish(ex->perfetto, end_ps);
}

static void exports_destroy(struct exports *ex)
{
	vcd_out_destroy(ex->vcd);
	perfetto_out_destroy(ex->perfetto);
}

static void run_progress(void *ctx, sim_ps now, sim_ps end)
{
	progress_sim(ctx, now, end);
}

/* --vary and --seeds: the variants of one file, as `sim sweep` runs them (sweep_cli.h). */
static int run_variants(const struct run_opts *o)
{
	/* every variant: a Slurm or Bazel shard in the environment is for sim sweep */
	struct sweep_cli_opts so = { .cmd = "run", .progress = o->progress,
				     .max_events = o->max_events, .have_shard = true,
				     .shard = "0/1", .max_total_events = o->have_max_total ?
				     o->max_total_events : SWEEP_DEFAULT_MAX_TOTAL_EVENTS };
	struct sweep_spec *sp;
	char why[256];
	int status = EXIT_USAGE;

	if (o->nfiles != 1 || o->json_path || o->trace_path || o->have_seed || o->vcd_path ||
	    o->perfetto_path || o->nplugins)
		return cli_usage_error("run", "%s", "--vary and --seeds take one FILE, without "
				       "--json, --trace, --vcd, --perfetto, --plugin or --seed (result "
				       "rows: sim sweep --out)");
	sp = sweep_spec_new(o->files[0]);
	if (!sp)
		return cli_usage_error("run", "%s", "out of memory");
	for (unsigned i = 0; i < o->nvary; i++)
		if (!sweep_spec_add_vary(sp, o->vary[i], why, sizeof(why))) {
			status = cli_usage_error("run", "--vary: %s", why);
			goto out;
		}
	if (o->seeds && !sweep_spec_set_seeds(sp, o->seeds, why, sizeof(why))) {
		status = cli_usage_error("run", "--seeds: %s", why);
		goto out;
	}
	if (!sweep_spec_count(sp, why, sizeof(why))) {
		status = cli_usage_error("run", "%s", why);
		goto out;
	}
	status = sweep_cli_run(sp, &so);
out:
	sweep_spec_free(sp);
	return status;
}

/* Loads, runs and reports one scenario file; returns its exit status. */
static int run_file(const char *file, const struct run_opts *o, struct run_out *out, bool last)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct scenario *s;
	struct machine *m = NULL;
	struct exports ex = { 0 };
	struct progress pr;
	int status = EXIT_OK;

	sim_diag_clear(&err);
	s = scenario_load_all(file, &err, &errs);
	if (s && o->have_seed)
		s->seed = o->seed;
	for (unsigned i = 0; s && i < o->nplugins; i++)
		if (!scenario_add_plugin(s, o->plugins[i], &err)) {
			sim_diag_set_file(&err, file);
			scenario_destroy(s);
			s = NULL;
		}
	/* the budget before the machine, as in validate: refused before anything runs */
	if (s && budget_check(s, o->max_events, NULL, &err))
		m = machine_create(s, &err);
	if (m)
		machine_set_max_events(m, o->max_events);
	/* a run longer than about 2 s shows how far it got (progress.h) */
	progress_init(&pr, o->progress, !o->progress && !out->human, o->progress ? 0 : 2000, file);
	if (m && pr.on)
		machine_set_progress(m, run_progress, &pr);
	if (m && out->trace_file) {
		if (!trace_header(&out->trace, file, s) || !trace_attach(m, &out->trace)) {
			sim_diag_fail(&err, "--trace: this build cannot reach the run's trace stream");
			sim_diag_set_file(&err, file);
			machine_destroy(m);
			m = NULL;
		}
	}
	if (m && !exports_attach(&ex, out, s, m, &err)) {
		machine_destroy(m);
		m = NULL;
	}
	if (m && !machine_run(m, &err)) {
		machine_destroy(m);
		m = NULL;
	}
	/* what the writers hold, even from a run an error stopped */
	exports_finish(&ex, s ? s->duration_ps : 0);
	exports_destroy(&ex);
	progress_end(&pr);
	if (!m) {
		cli_locate(&err, s);
		cli_print_diags(&err, &errs, s);
		status = EXIT_USAGE;
	} else {
		struct report_tally t = report_tally(s, m);

		if (out->human) {
			report_human(out->human, s, m);
			if (!last)
				fputc('\n', out->human);
		}
		if (t.met != t.expectations)
			status = EXIT_EXPECTATION;
	}
	if (out->json_file)
		report_json_scenario(&out->j, file, s, m, &err);
	machine_destroy(m);
	scenario_destroy(s);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct run_out out = { 0 };
	bool help = false;
	int status = parse_run(argc, argv, &o, &help);

	if (help) {
		fputs(run_help, stdout);
		return EXIT_OK;
	}
	if (status != EXIT_OK)
		return status;
	if (o.nvary || o.seeds)
		return run_variants(&o);
	if (!open_outputs(&o, &out)) {
		close_outputs(&o, &out);
		return EXIT_USAGE;
	}
	for (unsigned i = 0; i < o.nfiles; i++) {
		int st = run_file(o.files[i], &o, &out, i + 1 == o.nfiles);

		/* the first failure decides, except that invalid input outranks it */
		if (st == EXIT_USAGE || (st != EXIT_OK && status == EXIT_OK))
			status = st;
	}
	if (!close_outputs(&o, &out))
		return EXIT_USAGE;
	return status;
}

