/*
 * `sim merge`: the result rows of a sweep's shards into one file, sorted by
 * job id, byte-identical to what one process running every job writes
 * (docs/sweeps.md).  Files sorted by id, as sim writes them, are merged a
 * row at a time in two passes (ids and summary, then the rows), holding 8
 * bytes per row; anything else is read whole.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_cli.h"
#include "sim/core/alloc.h"
#include "sim/sweep/merge.h"
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

/* What the rows gave: their ids in order, and the summary. */
struct merged {
	uint64_t *ids;
	size_t nids, cap;
	struct sweep_summary *sum;
};

static bool ids_add(struct merged *mg, uint64_t id)
{
	uint64_t *v = sim_grow(mg->ids, &mg->cap, mg->nids, sizeof(*v), 1024);

	if (!v)
		return false;
	mg->ids = v;
	mg->ids[mg->nids++] = id;
	return true;
}

static bool ids_has(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] == id)
			return true;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Lists the plan's jobs that no row has (ids: the rows', sorted); EXIT_USAGE
 * when a row is not a job of the plan.
 */
static int check_plan(const char *file, const struct merged *mg, uint64_t *missing,
		      uint64_t *planned)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct sweep_spec *sp = sweep_spec_load(file, &err, &errs);
	struct sweep_plan p;
	uint64_t *jobs = NULL;
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
	jobs = malloc((sp->njobs ? sp->njobs : 1) * sizeof(*jobs));
	if (!jobs) {
		fprintf(stderr, "sim merge: out of memory for the plan's %" PRIu64 " jobs\n",
			sp->njobs);
		goto out;
	}
	for (uint64_t i = 0; i < sp->njobs; i++) {
		struct sweep_job j;

		if (!sweep_plan_job(&p, i, &j, &err)) {
			cli_print_diag(&err);
			goto out;
		}
		jobs[i] = j.id;
		if (!ids_has(mg->ids, mg->nids, j.id) && ++*missing <= 100) {
			fprintf(stderr, "sim merge: missing job %016" PRIx64 " (index %" PRIu64, j.id, i);
			if (j.has_seed)
				fprintf(stderr, ", seed %" PRIu64, j.seed);
			for (unsigned a = 0; a < sp->naxes; a++)
				fprintf(stderr, ", %s=%s", sp->axes[a].path,
					sp->axes[a].values[j.coord[a]]);
			fputs(")\n", stderr);
		}
		sweep_job_free(&j);
	}
	if (*missing > 100)
		fprintf(stderr, "sim merge: ... %" PRIu64 " jobs missing in all\n", *missing);
	qsort(jobs, sp->njobs, sizeof(*jobs), by_value);
	for (size_t i = 0; i < mg->nids; i++)
		if (!ids_has(jobs, sp->njobs, mg->ids[i])) {
			fprintf(stderr, "sim merge: row %016" PRIx64 " is not a job of %s (another "
				"sweep, or the sweep or its scenario changed)\n", mg->ids[i], file);
			goto out;
		}
	status = EXIT_OK;
out:
	free(jobs);
	sweep_plan_close(&p);
	sweep_spec_free(sp);
	return status;
}

/*
 * The rows may be merged a row at a time (sim/sweep/merge.h): every file is
 * a regular file, which can be read twice (not stdin or a pipe), and none is
 * the output, which the writing pass would cut while it is read.  Lets the
 * process open them all.
 */
static bool can_stream(const char *files[], unsigned nfiles, const char *out)
{
	struct stat o, st;
	struct rlimit rl;
	bool have_out = out && stat(out, &o) == 0;

	for (unsigned i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0 || stat(files[i], &st) != 0 || !S_ISREG(st.st_mode))
			return false;
		if (have_out && st.st_dev == o.st_dev && st.st_ino == o.st_ino)
			return false;
	}
	/* a Slurm array's thousands of shards: up to the hard limit (a failed open reads whole) */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)nfiles + 16 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)nfiles + 16 ?
				      (rlim_t)nfiles + 16 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return true;
}

/*
 * The first pass of a merge a row at a time: every row's id and the summary.
 * false when the files are not for it (a file cannot be opened, a line is not
 * a row, a file is not sorted, a conflict): mg is left empty, and the merge
 * reads the rows whole, which finds and reports the same errors in its order.
 */
static bool stream_ids(const char *files[], unsigned nfiles, struct merged *mg)
{
	struct sweep_merge m;
	enum sweep_merge_step step;
	const struct sweep_row_view *view;
	const char *line;
	size_t len;
	uint64_t id;
	int open_errno;
	char why[512];

	if (!sweep_merge_open(&m, files, nfiles, false, &open_errno, why, sizeof(why)))
		return false;
	while ((step = sweep_merge_next(&m, &line, &len, &id, &view, why, sizeof(why))) ==
	       SWEEP_MERGE_ROW) {
		if (!ids_add(mg, id)) {
			step = SWEEP_MERGE_BAD;
			break;
		}
		sweep_summary_add_view(mg->sum, view);
	}
	sweep_merge_close(&m);
	if (step == SWEEP_MERGE_END)
		return true;
	mg->nids = 0;
	sweep_summary_init(mg->sum);
	return false;
}

/* The second pass: the rows to f, which must be the first pass's. */
static bool stream_write(const char *files[], unsigned nfiles, const struct merged *mg, FILE *f,
			 const char *name)
{
	struct sweep_merge m;
	enum sweep_merge_step step;
	const struct sweep_row_view *view;
	const char *line;
	size_t len, k = 0;
	uint64_t id;
	int open_errno;
	char why[512];
	bool ok = true;

	if (!sweep_merge_open(&m, files, nfiles, true, &open_errno, why, sizeof(why))) {
		fprintf(stderr, "sim merge: %s\n", why);
		return false;
	}
	while (ok && (step = sweep_merge_next(&m, &line, &len, &id, &view, why, sizeof(why))) ==
			     SWEEP_MERGE_ROW) {
		if (k == mg->nids || mg->ids[k++] != id) {
			fprintf(stderr, "sim merge: the files changed while they were merged "
				"(job %016" PRIx64 ")\n", id);
			ok = false;
		} else if (fwrite(line, 1, len, f) != len) {
			fprintf(stderr, "sim merge: error writing %s\n", name);
			ok = false;
		}
	}
	if (ok && step != SWEEP_MERGE_END) {
		fprintf(stderr, "sim merge: the files changed while they were merged: %s\n", why);
		ok = false;
	}
	if (ok && k != mg->nids) {
		fprintf(stderr, "sim merge: the files changed while they were merged (%zu rows of "
			"%zu)\n", k, mg->nids);
		ok = false;
	}
	sweep_merge_close(&m);
	return ok;
}

/* All the rows in memory, sorted: for stdin, unsorted files, and errors. */
static bool read_whole(const char *files[], unsigned nfiles, struct sweep_rows *rows,
		       struct merged *mg)
{
	uint64_t conflict;
	char why[512];

	for (unsigned i = 0; i < nfiles; i++)
		if (!sweep_rows_read(rows, files[i], false, why, sizeof(why))) {
			fprintf(stderr, "sim merge: %s\n", why);
			return false;
		}
	if (!sweep_rows_sort(rows, &conflict)) {
		fprintf(stderr, "sim merge: two different rows for job %016" PRIx64 ", %s:%lu and "
			"%s:%lu (the same variant gave different results: different sim builds?)\n",
			conflict, rows->conflict[0].file, rows->conflict[0].lineno,
			rows->conflict[1].file, rows->conflict[1].lineno);
		return false;
	}
	for (size_t i = 0; i < rows->n; i++)
		if (!ids_add(mg, rows->v[i].id)) {
			fputs("sim merge: out of memory\n", stderr);
			return false;
		}
	sweep_summarize(rows, mg->sum);
	return true;
}

static int merge(const char *files[], unsigned nfiles, const char *plan, const char *out,
		 bool allow_mixed)
{
	struct sweep_rows rows = { 0 };
	struct merged mg = { .sum = malloc(sizeof(*mg.sum)) };
	uint64_t missing = 0, planned = 0;
	bool streamed = false;
	FILE *f = NULL;
	int status = EXIT_USAGE;

	if (!mg.sum)
		return EXIT_USAGE;
	sweep_summary_init(mg.sum);
	if (can_stream(files, nfiles, out))
		streamed = stream_ids(files, nfiles, &mg);
	if (!streamed && !read_whole(files, nfiles, &rows, &mg))
		goto out;
	if (mg.sum->mixed && !allow_mixed) {
		fprintf(stderr, "sim merge: the rows come from more than one base scenario or sim "
			"version (\"scenario\", \"sim\"); --allow-mixed merges them anyway\n");
		goto out;
	}
	planned = mg.nids;
	if (plan && check_plan(plan, &mg, &missing, &planned) != EXIT_OK)
		goto out;
	f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "sim merge: error writing %s\n", out);
		goto out;
	}
	if (streamed ? !stream_write(files, nfiles, &mg, f, out ? out : "stdout")
		     : !sweep_rows_write(&rows, f)) {
		if (!streamed)
			fprintf(stderr, "sim merge: error writing %s\n", out ? out : "stdout");
		goto out;
	}
	if (fflush(f) != 0 || (out && fclose(f) != 0)) {
		f = NULL;
		fprintf(stderr, "sim merge: error writing %s\n", out ? out : "stdout");
		goto out;
	}
	f = NULL;
	sweep_cli_summary(out ? stdout : stderr, mg.sum, planned, NULL);
	status = sweep_cli_status(mg.sum);
	if (status == EXIT_OK && missing)
		status = EXIT_EXPECTATION;
out:
	if (f && f != stdout)
		fclose(f);
	free(mg.ids);
	free(mg.sum);
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
