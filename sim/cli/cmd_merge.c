/*
 * `sim merge`: the result rows of a sweep's shards into one file, sorted by
 * job id, byte-identical to what one process running every job writes
 * (docs/sweeps.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_cli.h"
#include "sim/sweep/plan.h"

static const char merge_help[] =
	"usage: sim merge [--plan SWEEP.json] [--out FILE] [--allow-mixed] FILE...\n"
	"\n"
	"Joins result rows of `sim sweep` (JSON Lines; '-' reads stdin), sorted by job\n"
	"id: the same id twice with the same bytes is kept once, with different bytes\n"
	"it is an error.  The rows go to stdout (or FILE), the summary to stderr (or\n"
	"stdout with --out).\n"
	"\n"
	"  --plan SWEEP.json  list the plan's jobs that no row has, and refuse rows that\n"
	"                     are not jobs of the plan\n"
	"  --out FILE         write the rows to FILE\n"
	"  --allow-mixed      accept rows of different base scenarios or sim versions\n"
	"\n"
	"exit status: 0 every job passed, 1 a job failed or a planned job has no row,\n"
	"2 invalid input, conflicting rows, or a job whose variant was invalid.\n";

/* Lists the plan's missing jobs; false when a row is not a job of the plan. */
static int check_plan(const char *file, const struct sweep_rows *rows, uint64_t *missing,
		      uint64_t *planned)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct sweep_spec *sp = sweep_spec_load(file, &err, &errs);
	struct sweep_plan p;
	struct sweep_rows ids = { 0 };
	uint64_t conflict;
	int status = EXIT_USAGE;

	if (!sp) {
		cli_print_diags(&err, &errs, NULL);
		return EXIT_USAGE;
	}
	if (!sweep_plan_open(&p, sp, &err)) {
		cli_print_diag(&err);
		sweep_spec_free(sp);
		return EXIT_USAGE;
	}
	*planned = sp->njobs;
	for (uint64_t i = 0; i < sp->njobs; i++) {
		struct sweep_job j;

		if (!sweep_plan_job(&p, i, &j, &err)) {
			cli_print_diag(&err);
			goto out;
		}
		if (!sweep_rows_add(&ids, j.id, "", 0)) {
			sweep_job_free(&j);
			goto out;
		}
		if (!sweep_rows_find(rows, j.id)) {
			if (++*missing <= 100) {
				fprintf(stderr, "sim merge: missing job %016" PRIx64 " (index %" PRIu64,
					j.id, i);
				if (j.has_seed)
					fprintf(stderr, ", seed %" PRIu64, j.seed);
				for (unsigned a = 0; a < sp->naxes; a++)
					fprintf(stderr, ", %s=%s", sp->axes[a].path,
						sp->axes[a].values[j.coord[a]]);
				fputs(")\n", stderr);
			}
		}
		sweep_job_free(&j);
	}
	if (*missing > 100)
		fprintf(stderr, "sim merge: ... %" PRIu64 " jobs missing in all\n", *missing);
	sweep_rows_sort(&ids, &conflict);
	for (size_t i = 0; i < rows->n; i++)
		if (!sweep_rows_find(&ids, rows->v[i].id)) {
			fprintf(stderr, "sim merge: row %016" PRIx64 " is not a job of %s (another "
				"sweep, or the sweep or its scenario changed)\n", rows->v[i].id, file);
			goto out;
		}
	status = EXIT_OK;
out:
	sweep_rows_free(&ids);
	sweep_plan_close(&p);
	sweep_spec_free(sp);
	return status;
}

static int merge(const char *files[], unsigned nfiles, const char *plan, const char *out,
		 bool allow_mixed)
{
	struct sweep_rows rows = { 0 };
	struct sweep_summary *sum = malloc(sizeof(*sum));
	uint64_t conflict, missing = 0, planned = 0;
	FILE *f = NULL;
	char why[512];
	int status = EXIT_USAGE;

	if (!sum)
		return EXIT_USAGE;
	for (unsigned i = 0; i < nfiles; i++)
		if (!sweep_rows_read(&rows, files[i], false, why, sizeof(why))) {
			fprintf(stderr, "sim merge: %s\n", why);
			goto out;
		}
	if (!sweep_rows_sort(&rows, &conflict)) {
		fprintf(stderr, "sim merge: two different rows for job %016" PRIx64 ", %s:%lu and "
			"%s:%lu (the same variant gave different results: different sim builds?)\n",
			conflict, rows.conflict[0].file, rows.conflict[0].lineno,
			rows.conflict[1].file, rows.conflict[1].lineno);
		goto out;
	}
	sweep_summarize(&rows, sum);
	if (sum->mixed && !allow_mixed) {
		fprintf(stderr, "sim merge: the rows come from more than one base scenario or sim "
			"version (\"scenario\", \"sim\"); --allow-mixed merges them anyway\n");
		goto out;
	}
	planned = rows.n;
	if (plan && check_plan(plan, &rows, &missing, &planned) != EXIT_OK)
		goto out;
	f = out ? fopen(out, "w") : stdout;
	if (!f || !sweep_rows_write(&rows, f) || (out && fclose(f) != 0)) {
		fprintf(stderr, "sim merge: error writing %s\n", out ? out : "stdout");
		f = NULL;
		goto out;
	}
	f = NULL;
	sweep_cli_summary(out ? stdout : stderr, sum, planned, NULL);
	status = sweep_cli_status(sum);
	if (status == EXIT_OK && missing)
		status = EXIT_EXPECTATION;
out:
	if (f && f != stdout)
		fclose(f);
	free(sum);
	sweep_rows_free(&rows);
	return status;
}

/* The options and files; -1 to go on, else the exit status. */
static int merge_args(int argc, char **argv, const char **files, unsigned *nfiles_out,
		      const char **plan_out, const char **out_out, bool *allow_mixed_out)
{
	const char *plan = NULL, *out = NULL;
	unsigned nfiles = 0;
	bool allow_mixed = false;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a)) {
			fputs(merge_help, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--plan") == 0 || strcmp(a, "--out") == 0) {
			if (++i >= argc)
				return cli_usage_error("merge", "%s needs a file name", a);
			if (strcmp(a, "--plan") == 0)
				plan = argv[i];
			else
				out = argv[i];
		} else if (strcmp(a, "--allow-mixed") == 0) {
			allow_mixed = true;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("merge", "unknown option %s", a);
		} else {
			files[nfiles++] = a;
		}
	}
	if (nfiles == 0)
		return cli_usage_error("merge", "%s", "no result file given");
	*nfiles_out = nfiles;
	*plan_out = plan;
	*out_out = out;
	*allow_mixed_out = allow_mixed;
	return -1;
}

int cmd_merge(int argc, char **argv)
{
	/* as many files as arguments: a Slurm array's shards can be thousands */
	const char **files = calloc((size_t)argc + 1, sizeof(*files));
	const char *plan = NULL, *out = NULL;
	unsigned nfiles = 0;
	bool allow_mixed = false;
	int status;

	if (!files)
		return cli_usage_error("merge", "%s", "out of memory");
	status = merge_args(argc, argv, files, &nfiles, &plan, &out, &allow_mixed);
	if (status == -1)
		status = merge(files, nfiles, plan, out, allow_mixed);
	free(files);
	return status;
}
