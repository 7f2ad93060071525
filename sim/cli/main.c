/*
 * sim: the command line.  The only place that prints and chooses exit codes:
 *   0  every expectation holds (run), every file is valid (validate)
 *   1  an expectation does not hold
 *   2  invalid input or usage
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/json_out.h"
#include "sim/cli/report.h"
#include "sim/cli/trace_out.h"
#include "sim/core/units.h"
#include "sim/kvm/pvclock.h"
#include "sim/machine/budget.h"
#include "sim/machine/machine.h"
#include "sim/qtest/server.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/schema.h"

/* SIM_VERSION comes from meson.project_version() (meson.build). */
#ifndef SIM_VERSION
#error "build with meson: SIM_VERSION is defined there"
#endif

enum { EXIT_OK = 0, EXIT_EXPECTATION = 1, EXIT_USAGE = 2 };

static const char main_help[] =
	"usage: sim COMMAND [ARGS]\n"
	"\n"
	"A deterministic x86 timer-hardware simulator and test oracle.\n"
	"\n"
	"commands:\n"
	"  run FILE...          simulate scenarios and check their expectations\n"
	"  validate FILE...     check scenario files without running them\n"
	"  schema               print the scenario format as a JSON Schema\n"
	"  pvclock scale HZ     the tsc_shift and tsc_to_system_mul KVM writes for a TSC of HZ\n"
	"  qtest [QEMU OPTIONS] serve QEMU's qtest protocol on the pc board (docs/qtest.md)\n"
	"\n"
	"options:\n"
	"  -h, --help           this help; `sim COMMAND --help` for a command's own\n"
	"  --version            print the version\n"
	"\n"
	"exit status: 0 all expectations hold, 1 an expectation does not hold,\n"
	"2 invalid input or usage.  Documentation: docs/ in the source tree.\n";

static const char run_help[] =
	"usage: sim run [--json FILE|-] [--trace FILE] [--seed N] [--max-events N] FILE...\n"
	"\n"
	"Simulates each scenario file and checks what its guest clock readers saw\n"
	"against the expectations the file states.  A summary goes to stdout.\n"
	"\n"
	"  --json FILE   also write a machine-readable report to FILE ('-': stdout,\n"
	"                which then carries only the JSON)\n"
	"  --trace FILE  write what happened (reads, pvclock writes, ...) to FILE as\n"
	"                JSON Lines, one record per line\n"
	"  --seed N      use seed N instead of the scenario's \"seed\"\n"
	"  --max-events N  the event budget (default 1000000000): refuse a scenario\n"
	"                  whose estimated events exceed N, and stop a run that fires more\n"
	"\n"
	"exit status: 0 every expectation holds, 1 one does not, 2 invalid input or usage.\n";

static const char validate_help[] =
	"usage: sim validate [--max-events N] FILE...\n"
	"\n"
	"Checks that each scenario file is valid without running it; prints one line\n"
	"per file.  Exit status: 0 all valid, 2 otherwise.\n"
	"\n"
	"  --max-events N  the event budget, as for sim run (default 1000000000)\n";

static const char schema_help[] =
	"usage: sim schema\n"
	"\n"
	"Prints the scenario format as a JSON Schema (draft 2020-12), written from the\n"
	"loader's own tables: docs/scenario.schema.json is this output, for editors.\n";

static const char pvclock_help[] =
	"usage: sim pvclock scale [--json] HZ\n"
	"\n"
	"Prints the tsc_shift and tsc_to_system_mul KVM writes into a pvclock page for a\n"
	"TSC of HZ hertz (an integer, or a frequency such as 2.1GHz).  KVM works from the\n"
	"rate in kHz (tsc_khz), so HZ is first floored to whole kHz.\n"
	"\n"
	"  --json   print {\"tsc_hz\", \"tsc_khz\", \"shift\", \"mul\"} as a JSON object\n";

static bool is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sim%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/*
 * Errors raised past the loader (the machine checks script commands, for
 * one) carry a JSON pointer but no position: find it in the source.
 */
static void locate(struct sim_diag *d, const struct scenario *s)
{
	unsigned line, col;

	if (s && d->path[0] && d->line == 0 && scenario_locate(s, d->path, &line, &col))
		sim_diag_set_pos(d, line, col);
}

static void print_diag(const struct sim_diag *d)
{
	char msg[1024];

	sim_diag_format(d, msg, sizeof(msg));
	/* line by line: the file's name and a quote of its text are the file's bytes */
	for (const char *line = msg; *line;) {
		size_t len = strcspn(line, "\n");

		report_put_text(stderr, line, len);
		fputc('\n', stderr);
		line += len + (line[len] == '\n');
	}
}

/* Every error the loader found (s NULL), or the one error d of a later stage. */
static void print_diags(const struct sim_diag *d, const struct sim_diag_list *l,
			const struct scenario *s)
{
	if (s || l->n == 0) {
		print_diag(d);
		return;
	}
	for (unsigned i = 0; i < l->n; i++)
		print_diag(&l->items[i]);
	if (l->suppressed)
		fprintf(stderr, "%s: error: more errors were suppressed (only the first %u are "
			"shown)\n", d->file, SIM_DIAG_LIST_MAX);
}

struct run_opts {
	const char *json_path;    /* --json; "-" is stdout */
	const char *trace_path;   /* --trace */
	bool have_seed;
	uint64_t seed;
	uint64_t max_events;      /* --max-events: the event budget (budget.h) */
	const char *files[256];
	unsigned nfiles;
};

/* Where a run's output goes. */
struct run_out {
	FILE *human;              /* NULL when --json - owns stdout */
	FILE *json_file;
	struct json_out j;
	FILE *trace_file;
	struct trace_out trace;
};

/* --max-events N at argv[*i]: true when consumed, *status EXIT_USAGE after printing why. */
static bool parse_max_events(const char *cmd, int argc, char **argv, int *i, uint64_t *max,
			     int *status)
{
	char why[160];

	if (strcmp(argv[*i], "--max-events") != 0)
		return false;
	if (++*i >= argc)
		*status = usage_error(cmd, "%s", "--max-events needs a number");
	else if (!sim_parse_u64(argv[*i], max, why, sizeof(why)))
		*status = usage_error(cmd, "--max-events: %s", why);
	else if (*max == 0)
		*status = usage_error(cmd, "%s", "--max-events must be at least 1");
	return true;
}

/* EXIT_OK with *help set for --help, EXIT_USAGE after printing why. */
static int parse_run(int argc, char **argv, struct run_opts *o, bool *help)
{
	o->max_events = BUDGET_DEFAULT_MAX_EVENTS;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		char why[160];
		int st = EXIT_OK;

		if (parse_max_events("run", argc, argv, &i, &o->max_events, &st)) {
			if (st != EXIT_OK)
				return st;
		} else if (is_help(a)) {
			*help = true;
			return EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			if (++i >= argc)
				return usage_error("run", "%s needs a file name or '-'", a);
			o->json_path = argv[i];
		} else if (strcmp(a, "--trace") == 0) {
			if (++i >= argc)
				return usage_error("run", "%s needs a file name", a);
			o->trace_path = argv[i];
		} else if (strcmp(a, "--seed") == 0) {
			if (++i >= argc)
				return usage_error("run", "%s needs a number", a);
			if (!sim_parse_u64(argv[i], &o->seed, why, sizeof(why)))
				return usage_error("run", "--seed: %s", why);
			o->have_seed = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("run", "unknown option %s", a);
		} else if (o->nfiles < sizeof(o->files) / sizeof(o->files[0])) {
			o->files[o->nfiles++] = a;
		} else {
			return usage_error("run", "%s", "too many files (at most 256)");
		}
	}
	if (o->nfiles == 0)
		return usage_error("run", "%s", "no scenario file given");
	return EXIT_OK;
}

/* Subscribes the JSON Lines writer to the machine's trace stream before it runs. */
static bool trace_attach(struct machine *m, struct trace_out *t)
{
	return trace_out_subscribe(t, machine_trace(m));
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
	ok = close_output(out->json_file, o->json_path);
	return close_output(out->trace_file, o->trace_path) && ok;
}

/* Loads, runs and reports one scenario file; returns its exit status. */
static int run_file(const char *file, const struct run_opts *o, struct run_out *out, bool last)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct scenario *s;
	struct machine *m = NULL;
	int status = EXIT_OK;

	sim_diag_clear(&err);
	s = scenario_load_all(file, &err, &errs);
	if (s && o->have_seed)
		s->seed = o->seed;
	/* the budget before the machine, as in validate: refused before anything runs */
	if (s && budget_check(s, o->max_events, NULL, &err))
		m = machine_create(s, &err);
	if (m)
		machine_set_max_events(m, o->max_events);
	if (m && out->trace_file) {
		trace_out_begin_run(&out->trace, file, s->name, s->seed);
		if (!trace_attach(m, &out->trace)) {
			sim_diag_fail(&err, "--trace: this build cannot reach the run's trace stream");
			sim_diag_set_file(&err, file);
			machine_destroy(m);
			m = NULL;
		}
	}
	if (m && !machine_run(m, &err)) {
		machine_destroy(m);
		m = NULL;
	}
	if (!m) {
		locate(&err, s);
		print_diags(&err, &errs, s);
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

static int cmd_run(int argc, char **argv)
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

static int cmd_validate(int argc, char **argv)
{
	int status = EXIT_OK;
	unsigned nfiles = 0;
	uint64_t max_events = BUDGET_DEFAULT_MAX_EVENTS;

	for (int i = 0; i < argc; i++) {
		int st = EXIT_OK;

		if (parse_max_events("validate", argc, argv, &i, &max_events, &st)) {
			if (st != EXIT_OK)
				return st;
			continue;
		}
		if (is_help(argv[i])) {
			fputs(validate_help, stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("validate", "unknown option %s", argv[i]);
	}
	for (int i = 0; i < argc; i++) {
		struct sim_diag err;
		struct sim_diag_list errs;
		struct scenario *s;

		if (strcmp(argv[i], "--max-events") == 0) {
			i++;
			continue;
		}
		sim_diag_clear(&err);
		s = scenario_load_all(argv[i], &err, &errs);
		nfiles++;
		/* Building the machine checks what the loader cannot (script commands, wiring). */
		if (s) {
			struct machine *m = budget_check(s, max_events, NULL, &err) ?
					    machine_create(s, &err) : NULL;

			if (m)
				machine_destroy(m);
			else
				locate(&err, s);
			if (!m) {
				scenario_destroy(s);
				s = NULL;
			}
		}
		if (!s) {
			print_diags(&err, &errs, NULL);
			status = EXIT_USAGE;
			continue;
		}
		printf("%s: valid (%s)\n", argv[i], s->name);
		scenario_destroy(s);
	}
	if (nfiles == 0)
		return usage_error("validate", "%s", "no scenario file given");
	return status;
}

static int cmd_pvclock(int argc, char **argv)
{
	bool json = false;
	const char *hz_arg = NULL;
	uint64_t hz, khz;
	struct sim_freq f;
	char why[160];
	int8_t shift;
	uint32_t mul;

	if (argc >= 1 && is_help(argv[0])) {
		fputs(pvclock_help, stdout);
		return EXIT_OK;
	}
	if (argc < 1 || strcmp(argv[0], "scale") != 0)
		return usage_error("pvclock", "%s", "expected the subcommand 'scale'");
	for (int i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			fputs(pvclock_help, stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage_error("pvclock", "unknown option %s", argv[i]);
		} else if (hz_arg) {
			return usage_error("pvclock", "unexpected argument %s", argv[i]);
		} else {
			hz_arg = argv[i];
		}
	}
	if (!hz_arg)
		return usage_error("pvclock", "%s", "scale needs a TSC rate in Hz");
	if (sim_parse_u64(hz_arg, &hz, why, sizeof(why))) {
		if (hz == 0)
			return usage_error("pvclock", "%s", "HZ must be positive");
	} else if (sim_parse_freq(hz_arg, &f, why, sizeof(why))) {
		hz = sim_freq_floor_hz(f);
	} else {
		return usage_error("pvclock", "HZ: %s", why);
	}
	khz = hz / 1000;
	if (khz == 0 || khz > UINT32_MAX)
		return usage_error("pvclock", "%s", "HZ must be between 1 kHz and 4.29 THz");
	kvm_get_time_scale(1000000000ULL, khz * 1000, &shift, &mul);
	if (json) {
		struct json_out j;

		json_out_init(&j, stdout);
		json_out_begin_object(&j);
		json_out_key(&j, "tsc_hz");
		json_out_u64(&j, hz);
		json_out_key(&j, "tsc_khz");
		json_out_u64(&j, khz);
		json_out_key(&j, "shift");
		json_out_i64(&j, shift);
		json_out_key(&j, "mul");
		json_out_u64(&j, mul);
		json_out_end_object(&j);
	} else {
		printf("tsc_hz   %" PRIu64 "\n", hz);
		printf("tsc_khz  %" PRIu64 "\n", khz);
		printf("shift    %d\n", shift);
		printf("mul      0x%08" PRIx32 " (%" PRIu32 ")\n", mul, mul);
	}
	return EXIT_OK;
}

static int cmd_schema(int argc, char **argv)
{
	char err[200];
	char *text;

	if (argc > 0 && is_help(argv[0])) {
		fputs(schema_help, stdout);
		return EXIT_OK;
	}
	if (argc > 0)
		return usage_error("schema", "unexpected argument %s", argv[0]);
	text = scenario_schema_json(err, sizeof(err));
	if (!text) {
		fprintf(stderr, "sim schema: %s\n", err);
		return EXIT_USAGE;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

/* `sim qtest`: the server prints nothing itself; its texts and errors are printed here. */
static int cmd_qtest(int argc, char **argv)
{
	const char *text = NULL;
	struct sim_diag err;
	int st;

	sim_diag_clear(&err);
	st = qtest_main(argc, argv, &text, &err);
	if (text)
		fputs(text, stdout);
	if (st != 0 && err.msg[0])
		fprintf(stderr, "sim qtest: %s\n", err.msg);
	return st;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(main_help, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (is_help(cmd)) {
		fputs(main_help, stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("sim " SIM_VERSION "\n");
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(cmd, "validate") == 0)
		return cmd_validate(argc - 2, argv + 2);
	if (strcmp(cmd, "qtest") == 0)
		return cmd_qtest(argc - 2, argv + 2);
	if (strcmp(cmd, "schema") == 0)
		return cmd_schema(argc - 2, argv + 2);
	if (strcmp(cmd, "pvclock") == 0)
		return cmd_pvclock(argc - 2, argv + 2);
	return usage_error(NULL, "unknown command '%s'", cmd);
}
