/*
 * `sim sweep`: one scenario, many variants (docs/sweeps.md).  The plan and
 * the rows are sim/sweep's; this file reads the options, runs the jobs of
 * one shard, writes the rows and prints the summary.  `sim run --vary`
 * comes here too (sweep_cli_run).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/cli/sweep_cli.h"
#include "sim/core/units.h"
#include "sim/machine/budget.h"
#include "sim/sweep/job.h"
#include "sim/sweep/plan.h"

static const char sweep_help[] =
	"usage: sim sweep SWEEP.json [--list] [--shard K/N] [--skip-done FILE]\n"
	"                 [--out FILE] [--progress] [--max-events N]\n"
	"\n"
	"Runs every variant of a scenario that a sweep file describes (its base\n"
	"scenario, the axes to vary, the seeds and the expectations) and writes one\n"
	"result row per job (JSON Lines, sorted by job id).  A summary goes to stdout.\n"
	"\n"
	"  --list           print the jobs (of the shard) instead: id, index, seed and\n"
	"                   the varied values, one per line\n"
	"  --shard K/N      only the jobs i with i mod N = K (K from 0); without it,\n"
	"                   SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or\n"
	"                   TEST_SHARD_INDEX/TEST_TOTAL_SHARDS when set\n"
	"  --skip-done FILE  take the rows of jobs already in FILE instead of running them\n"
	"                   (resume; FILE may be the --out file)\n"
	"  --out FILE       write the rows to FILE ('-': stdout, the summary then goes\n"
	"                   to stderr)\n"
	"  --progress       show jobs done / total and an ETA on stderr even when it is\n"
	"                   not a terminal\n"
	"  --max-events N   the event budget of each job (default 1000000000)\n"
	"\n"
	"exit status: 0 every job's expectations hold, 1 one does not, 2 invalid input\n"
	"or usage (also when a variant is not a valid scenario).  Format: docs/sweeps.md.\n";

static const char *env_get(const char *name)
{
	return getenv(name);
}

static bool choose_shard(const struct sweep_cli_opts *o, struct sweep_shard *sh)
{
	char why[256];
	bool found;

	*sh = (struct sweep_shard){ 0, 1 };
	if (o->have_shard) {
		if (!sweep_shard_parse(o->shard, sh, why, sizeof(why))) {
			cli_usage_error(o->cmd, "--shard: %s", why);
			return false;
		}
		return true;
	}
	if (!sweep_shard_from_env(env_get, sh, &found, why, sizeof(why))) {
		cli_usage_error(o->cmd, "%s", why);
		return false;
	}
	/* Bazel asks a sharded test to touch this file to show it shards */
	if (found && getenv("TEST_SHARD_STATUS_FILE")) {
		FILE *f = fopen(getenv("TEST_SHARD_STATUS_FILE"), "a");

		if (f)
			fclose(f);
	}
	return true;
}

static void print_diag_for(const struct sweep_job *j, const struct sim_diag *err)
{
	fprintf(stderr, "sim sweep: job %016" PRIx64 " (index %" PRIu64 "):\n", j->id, j->index);
	cli_print_diag(err);
}

static int list_jobs(const struct sweep_plan *p, const struct sweep_shard *sh)
{
	const struct sweep_spec *sp = p->spec;
	struct sim_diag err;

	for (uint64_t i = sh->k; i < sp->njobs; i += sh->n) {
		struct sweep_job j;

		if (!sweep_plan_job(p, i, &j, &err)) {
			fprintf(stderr, "sim sweep: job index %" PRIu64 ":\n", i);
			cli_print_diag(&err);
			return EXIT_USAGE;
		}
		printf("%016" PRIx64 " %" PRIu64, j.id, i);
		if (j.has_seed)
			printf(" seed=%" PRIu64, j.seed);
		for (unsigned a = 0; a < sp->naxes; a++)
			printf(" %s=%s", sp->axes[a].path, sp->axes[a].values[j.coord[a]]);
		putchar('\n');
		sweep_job_free(&j);
	}
	return EXIT_OK;
}

/* Where the rows go while the jobs run, and at the end. */
struct row_out {
	const char *path;                 /* NULL: nowhere; "-": stdout */
	char tmp[SWEEP_PATH_MAX + 8];
	FILE *live;                       /* rows as they come, for a resume after a stop */
	bool appending;                   /* live is the --skip-done file: its rows are there */
};

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

/*
 * The --out file, for rows as they come.  When it is the --skip-done file,
 * its rows stay (up to valid bytes: a row cut short by a stop goes) and new
 * ones are appended, so that a run stopped again loses nothing.
 */
static bool out_open(struct row_out *w, const char *path, const char *skip_done, off_t valid,
		     const char *cmd)
{
	w->path = path;
	if (!path || strcmp(path, "-") == 0)
		return true;
	w->appending = same_file(path, skip_done);
	if (w->appending && truncate(path, valid) != 0)
		w->appending = false;
	w->live = fopen(path, w->appending ? "a" : "w");
	if (!w->live)
		fprintf(stderr, "sim %s: cannot write %s\n", cmd, path);
	return w->live != NULL;
}

/* The rows sorted by id replace what was written as they came (a rename: never half a file). */
static bool out_close(struct row_out *w, const struct sweep_rows *rows, const char *cmd)
{
	FILE *f;
	bool ok;

	if (w->live && fclose(w->live) != 0) {
		fprintf(stderr, "sim %s: error writing %s\n", cmd, w->path);
		return false;
	}
	if (!w->path)
		return true;
	if (strcmp(w->path, "-") == 0)
		return sweep_rows_write(rows, stdout);
	snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", w->path);
	f = fopen(w->tmp, "w");
	ok = f && sweep_rows_write(rows, f);
	ok = f && fclose(f) == 0 && ok;
	if (!ok || rename(w->tmp, w->path) != 0) {
		fprintf(stderr, "sim %s: error writing %s\n", cmd, w->path);
		return false;
	}
	return true;
}

static bool keep_row(struct sweep_rows *rows, struct row_out *w, uint64_t id, const char *line,
		     size_t len, bool from_file)
{
	if (w->live && !(from_file && w->appending) && (fwrite(line, 1, len, w->live) != len || fflush(w->live) != 0))
		return false;
	return sweep_rows_add(rows, id, line, len);
}

struct sweep_run {
	const struct sweep_plan *p;
	const struct sweep_cli_opts *o;
	struct sweep_rows *done, *rows;
	struct row_out *w;
	bool bad;                         /* a variant that is not a valid scenario */
};

/*
 * One job: its row from --skip-done, or run.  EXIT_USAGE when a value cannot
 * be set in the scenario (the plan cannot be made: nothing more runs), -1 on
 * an output error.
 */
static int one_job(struct sweep_run *r, uint64_t i)
{
	struct sweep_buf row = { 0 };
	struct sim_diag err;
	struct sweep_job j;
	const struct sweep_row *had;
	bool ok;

	if (!sweep_plan_job(r->p, i, &j, &err)) {
		fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", r->o->cmd, i);
		cli_print_diag(&err);
		return EXIT_USAGE;
	}
	had = sweep_rows_find(r->done, j.id);
	if (had) {
		ok = keep_row(r->rows, r->w, j.id, had->line, had->len, true);
	} else {
		if (sweep_run_job(r->p, &j, r->o->max_events, &row, &err) == SWEEP_ERROR) {
			print_diag_for(&j, &err);
			r->bad = true;
		}
		ok = !row.oom && keep_row(r->rows, r->w, j.id, row.p, row.len, false);
	}
	sweep_buf_free(&row);
	sweep_job_free(&j);
	return ok ? EXIT_OK : -1;
}

static int run_jobs(const struct sweep_plan *p, const struct sweep_shard *sh,
		    const struct sweep_cli_opts *o)
{
	struct sweep_rows done = { 0 }, rows = { 0 };
	struct row_out w = { 0 };
	struct sweep_run r = { p, o, &done, &rows, &w, false };
	struct progress pr = { 0 };
	struct sweep_summary *sum;
	uint64_t conflict, total = sh->k < p->spec->njobs ?
		(p->spec->njobs - sh->k + sh->n - 1) / sh->n : 0, n = 0;
	char why[512], what[64];
	off_t valid = 0;                  /* bytes of whole rows in the --skip-done file */
	int status = EXIT_USAGE;

	if (o->skip_done && !sweep_rows_read(&done, o->skip_done, true, why, sizeof(why))) {
		fprintf(stderr, "sim %s: --skip-done %s\n", o->cmd, why);
		goto out;
	}
	for (size_t i = 0; i < done.n; i++)
		valid += (off_t)done.v[i].len;
	if (!sweep_rows_sort(&done, &conflict)) {
		fprintf(stderr, "sim %s: --skip-done %s: two different rows for job %016" PRIx64 "\n",
			o->cmd, o->skip_done, conflict);
		goto out;
	}
	if (!out_open(&w, o->out, o->skip_done, valid, o->cmd))
		goto out;
	progress_init(&pr, o->progress, false, 0, o->cmd);
	for (uint64_t i = sh->k; i < p->spec->njobs; i += sh->n) {
		int st = one_job(&r, i);

		if (st == EXIT_USAGE)
			goto out;
		if (st != EXIT_OK) {
			fprintf(stderr, "sim %s: cannot keep a result row (out of memory, or writing "
				"%s failed)\n", o->cmd, o->out ? o->out : "rows");
			goto out;
		}
		progress_jobs(&pr, ++n, total);
	}
	if (!sweep_rows_sort(&rows, &conflict)) {
		fprintf(stderr, "sim %s: two jobs of the plan are the same scenario (id %016" PRIx64
			"): make the axes' values differ\n", o->cmd, conflict);
		goto out;
	}
	if (!out_close(&w, &rows, o->cmd))
		goto out;
	w.live = NULL;
	if (sh->n > 1)
		snprintf(what, sizeof(what), "shard %" PRIu64 "/%" PRIu64, sh->k, sh->n);
	sweep_cli_summary(o->out && strcmp(o->out, "-") == 0 ? stderr : stdout, &rows, total,
			  sh->n > 1 ? what : NULL);
	sum = malloc(sizeof(*sum));
	if (sum) {
		sweep_summarize(&rows, sum);
		status = r.bad ? EXIT_USAGE : sweep_cli_status(sum);
	}
	free(sum);
out:
	progress_end(&pr);
	if (w.live)
		fclose(w.live);
	sweep_rows_free(&done);
	sweep_rows_free(&rows);
	return status;
}

int sweep_cli_run(const struct sweep_spec *sp, const struct sweep_cli_opts *o)
{
	struct sweep_plan p;
	struct sweep_shard sh;
	struct sim_diag err;
	int status;

	if (!choose_shard(o, &sh))
		return EXIT_USAGE;
	if (!sweep_plan_open(&p, sp, &err)) {
		cli_print_diag(&err);
		return EXIT_USAGE;
	}
	status = o->list ? list_jobs(&p, &sh) : run_jobs(&p, &sh, o);
	sweep_plan_close(&p);
	return status;
}

int sweep_cli_status(const struct sweep_summary *s)
{
	return s->error ? EXIT_USAGE : s->fail ? EXIT_EXPECTATION : EXIT_OK;
}

void sweep_cli_summary(FILE *f, const struct sweep_rows *rows, uint64_t planned,
		       const char *what)
{
	struct sweep_summary *s = malloc(sizeof(*s));

	if (!s)
		return;
	sweep_summarize(rows, s);
	fprintf(f, "sweep%s%s: %" PRIu64 " jobs of %" PRIu64 ": %" PRIu64 " pass, %" PRIu64
		" fail, %" PRIu64 " error\n", what ? " " : "", what ? what : "", s->rows, planned,
		s->pass, s->fail, s->error);
	if (s->rows)
		fprintf(f, "  base scenario %s, sim %s%s\n", s->scenario, s->sim,
			s->mixed ? " (and others: the rows are mixed)" : "");
	if (s->nchecks)
		fputs("  each check: jobs that failed it; its worst values (largest |worst| first)\n", f);
	for (unsigned i = 0; i < s->nchecks; i++) {
		const struct sweep_summary_check *c = &s->checks[i];

		fprintf(f, "    %s/%s: %" PRIu64 " of %" PRIu64 " failed\n", c->of, c->check,
			c->failed, c->jobs);
		for (unsigned w = 0; w < c->nworst; w++)
			fprintf(f, "      %" PRId64 " %s  job %016" PRIx64 "  seed %" PRIu64 "  %s\n",
				c->worst[w].worst, c->unit, c->worst[w].id, c->worst[w].seed,
				c->worst[w].vary);
	}
	if (s->truncated)
		fprintf(f, "  (more than %u checks: the others are not listed)\n", SWEEP_SUMMARY_MAX);
	free(s);
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_cli_opts o = { .cmd = "sweep", .max_events = BUDGET_DEFAULT_MAX_EVENTS };
	struct sim_diag err;
	struct sim_diag_list errs;
	struct sweep_spec *sp;
	const char *file = NULL;
	int status = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (cli_parse_max_events("sweep", argc, argv, &i, &o.max_events, &status)) {
			if (status != EXIT_OK)
				return status;
		} else if (cli_is_help(a)) {
			fputs(sweep_help, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--list") == 0) {
			o.list = true;
		} else if (strcmp(a, "--progress") == 0) {
			o.progress = true;
		} else if (strcmp(a, "--shard") == 0 || strcmp(a, "--skip-done") == 0 ||
			   strcmp(a, "--out") == 0) {
			if (++i >= argc)
				return cli_usage_error("sweep", "%s needs a value", a);
			if (strcmp(a, "--shard") == 0) {
				o.have_shard = true;
				o.shard = argv[i];
			} else if (strcmp(a, "--skip-done") == 0) {
				o.skip_done = argv[i];
			} else {
				o.out = argv[i];
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("sweep", "unknown option %s", a);
		} else if (file) {
			return cli_usage_error("sweep", "one sweep file at a time (got %s and %s)",
					       file, a);
		} else {
			file = a;
		}
	}
	if (!file)
		return cli_usage_error("sweep", "%s", "no sweep file given");
	sp = sweep_spec_load(file, &err, &errs);
	if (!sp) {
		cli_print_diags(&err, &errs, NULL);
		return EXIT_USAGE;
	}
	status = sweep_cli_run(sp, &o);
	sweep_spec_free(sp);
	return status;
}
