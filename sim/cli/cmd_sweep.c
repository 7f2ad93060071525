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
#include "sim/cli/sweep_done.h"
#include "sim/cli/sweep_cli.h"
#include "sim/core/units.h"
#include "sim/machine/budget.h"
#include "sim/scenario/variant.h"
#include "sim/sweep/job.h"
#include "sim/sweep/plan.h"

static const char sweep_help[] =
	"usage: sim sweep SWEEP.json [--list] [--shard K/N] [--skip-done FILE]\n"
	"                 [--out FILE] [--progress] [--max-events N]\n"
	"                 [--max-total-events N]\n"
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
	"                   (resume; FILE may be the --out file; \"error\" rows run again)\n"
	"  --out FILE       write the rows to FILE ('-': stdout, the summary then goes\n"
	"                   to stderr)\n"
	"  --progress       show jobs done / total and an ETA on stderr even when it is\n"
	"                   not a terminal\n"
	"  --max-events N   the event budget of each job (default 1000000000)\n"
	"  --max-total-events N  the event budget of all the jobs this process runs\n"
	"                   (its shard; default 200000000000, about an hour of CPU)\n"
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

static void print_diag_for(const char *cmd, const struct sweep_job *j, const struct sim_diag *err)
{
	fprintf(stderr, "sim %s: job %016" PRIx64 " (index %" PRIu64 "):\n", cmd, j->id, j->index);
	cli_print_diag(err);
}

static int list_jobs(const struct sweep_plan *p, const struct sweep_shard *sh, const char *cmd)
{
	const struct sweep_spec *sp = p->spec;
	const uint64_t total = sweep_shard_below(sh, sp->njobs);
	struct sim_diag err;

	for (uint64_t t = 0; t < total; t++) {
		const uint64_t i = sweep_shard_job(sh, t);
		struct sweep_job j;

		if (!sweep_plan_job(p, i, &j, &err)) {
			fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", cmd, i);
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

/*
 * Where the rows go.  The jobs run in id order, so each row is written when
 * its job is done, already where it belongs, and none is kept in memory.
 * When --out is the --skip-done file, its rows stay and new ones are
 * appended to it as they come (the journal: a run stopped again, or one
 * that stops on bad input, loses none), while every row of the run goes to
 * FILE.tmp in id order, which replaces it at the end (a rename: never half a
 * file).
 */
struct row_out {
	const char *path;                 /* NULL: nowhere; "-": stdout */
	char tmp[SWEEP_PATH_MAX + 8];     /* FILE.tmp, when there is a journal */
	FILE *rows;                       /* the run's rows in id order */
	FILE *journal;                    /* the --skip-done file that is --out, or NULL */
};

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return a && b && stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

/* valid: the bytes of whole rows in the --skip-done file (a row cut short by a stop goes). */
static bool out_open(struct row_out *w, const char *path, const char *skip_done, off_t valid,
		     const char *cmd)
{
	w->path = path;
	if (!path)
		return true;
	if (strcmp(path, "-") == 0) {
		w->rows = stdout;
		return true;
	}
	if (same_file(path, skip_done)) {
		/* without the cut, a new row would be glued to the piece of one */
		if (truncate(path, valid) == 0)
			w->journal = fopen(path, "a");
		snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", path);
		w->rows = fopen(w->tmp, "w");
	} else {
		w->rows = fopen(path, "w");
	}
	if (!w->rows)
		fprintf(stderr, "sim %s: cannot write %s\n", cmd, w->tmp[0] ? w->tmp : path);
	return w->rows != NULL;
}

/* One row of the run, flushed: new (not from --skip-done) rows go to the journal too. */
static bool out_row(struct row_out *w, const char *line, size_t len, bool from_file)
{
	if (w->journal && !from_file &&
	    (fwrite(line, 1, len, w->journal) != len || fflush(w->journal) != 0))
		return false;
	return !w->rows || (fwrite(line, 1, len, w->rows) == len && fflush(w->rows) == 0);
}

/* Closes the files (ok: every row was written), and renames FILE.tmp over FILE. */
static bool out_close(struct row_out *w, bool ok, const char *cmd)
{
	bool closed = true;

	if (w->journal)
		closed = fclose(w->journal) == 0;
	if (w->rows && w->rows != stdout)
		closed = fclose(w->rows) == 0 && closed;
	w->journal = w->rows = NULL;
	if (!ok && w->tmp[0])
		remove(w->tmp);           /* the journal keeps the new rows */
	if (ok && (!closed || (w->tmp[0] && rename(w->tmp, w->path) != 0))) {
		fprintf(stderr, "sim %s: error writing %s\n", cmd, w->path);
		return false;
	}
	w->tmp[0] = '\0';
	return ok && closed;
}

struct sweep_run {
	const struct sweep_plan *p;
	const struct sweep_cli_opts *o;
	struct sweep_done *done;
	struct row_out *w;
	struct sweep_summary *sum;
	bool bad;                         /* a variant that is not a valid scenario */
};

/* The row of a job, written and added to the summary. */
static bool keep_row(struct sweep_run *r, const char *line, size_t len, bool from_file)
{
	if (!out_row(r->w, line, len, from_file))
		return false;
	sweep_summary_add(r->sum, line, len - 1);
	return true;
}

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
	const char *had;
	size_t had_len;
	int found;
	bool ok;

	if (!sweep_plan_job(r->p, i, &j, &err)) {
		fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", r->o->cmd, i);
		cli_print_diag(&err);
		return EXIT_USAGE;
	}
	found = sweep_done_row(r->done, j.id, &had, &had_len);
	if (found < 0) {
		fprintf(stderr, "sim %s: --skip-done %s: the row of job %016" PRIx64 " cannot be read "
			"back (the file changed?)\n", r->o->cmd, r->o->skip_done, j.id);
		sweep_job_free(&j);
		return EXIT_USAGE;
	}
	if (found) {
		ok = keep_row(r, had, had_len, true);
	} else {
		if (sweep_run_job(r->p, &j, r->o->max_events, &row, &err) == SWEEP_ERROR) {
			print_diag_for(r->o->cmd, &j, &err);
			r->bad = true;
		}
		ok = !row.oom && keep_row(r, row.p, row.len, false);
	}
	sweep_buf_free(&row);
	sweep_job_free(&j);
	return ok ? EXIT_OK : -1;
}

/*
 * The shard's jobs in id order (the plan's sorted ids), so that their rows
 * are written as they come, sorted, and merge as they are.
 */
static int run_jobs(const struct sweep_plan *p, const struct sweep_shard *sh,
		    const struct sweep_cli_opts *o)
{
	struct sweep_done done = { 0 };
	struct row_out w = { 0 };
	struct sweep_summary *sum = malloc(sizeof(*sum));
	struct sweep_run r = { p, o, &done, &w, sum, false };
	struct progress pr = { 0 };
	uint64_t total = sweep_shard_below(sh, p->spec->njobs), n = 0;
	char what[64];
	int status = EXIT_USAGE;

	if (!sum) {
		fprintf(stderr, "sim %s: out of memory\n", o->cmd);
		return EXIT_USAGE;
	}
	sweep_summary_init(sum);
	if (!sweep_done_load(&done, p, o))
		goto out;
	if (!out_open(&w, o->out, o->skip_done, done.valid, o->cmd))
		goto out;
	progress_init(&pr, o->progress, false, 0, o->cmd);
	for (uint64_t x = 0; x < p->nids; x++) {
		int st;

		if (p->ids[x].index % sh->n != sh->k)
			continue;
		st = one_job(&r, p->ids[x].index);
		if (st == EXIT_USAGE)
			goto out;
		if (st != EXIT_OK) {
			fprintf(stderr, "sim %s: cannot write a result row (%s failed, or out of "
				"memory)\n", o->cmd, o->out ? o->out : "stdout");
			goto out;
		}
		progress_jobs(&pr, ++n, total);
	}
	if (!out_close(&w, true, o->cmd))
		goto out;
	if (sh->n > 1)
		snprintf(what, sizeof(what), "shard %" PRIu64 "/%" PRIu64, sh->k, sh->n);
	sweep_cli_summary(o->out && strcmp(o->out, "-") == 0 ? stderr : stdout, sum, total,
			  sh->n > 1 ? what : NULL);
	status = r.bad ? EXIT_USAGE : sweep_cli_status(sum);
out:
	progress_end(&pr);
	out_close(&w, false, o->cmd);     /* a run that stopped: its files as they are */
	sweep_done_free(&done);
	free(sum);
	return status;
}

/* "seed=S PATH=VALUE ..." of job j (with_seed), or only its varied values, into buf. */
static void describe(const struct sweep_plan *p, const struct sweep_job *j, bool with_seed,
		     char *buf, size_t len)
{
	const struct sweep_spec *sp = p->spec;
	size_t at = 0;

	buf[0] = '\0';
	if (with_seed && j->has_seed)
		at += (size_t)snprintf(buf, len, "seed=%" PRIu64, j->seed);
	for (unsigned a = 0; a < sp->naxes && at < len; a++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s=%s", at ? " " : "",
				       sp->axes[a].path, sp->axes[a].values[j->coord[a]]);
	if (!buf[0])
		snprintf(buf, len, "%s", "the base scenario as it is");
}

/* The two jobs' scenarios are one: their canonical JSON, which the ids hash, is equal. */
static bool same_canonical(const struct sweep_job *a, const struct sweep_job *b)
{
	char *ca = scenario_canonical_json(a->text, a->len);
	char *cb = scenario_canonical_json(b->text, b->len);
	bool same = ca && cb && strcmp(ca, cb) == 0;

	free(ca);
	free(cb);
	return same;
}

/*
 * Every job's id, before anything runs (and for --list): a job that cannot be
 * made, or two jobs with the same id, stop the sweep with exit 2.
 */
static bool plan_index(struct sweep_plan *p, const char *cmd)
{
	struct sweep_job ja, jb;
	struct sim_diag err;
	uint64_t a, b, id;
	char da[512], db[512];
	bool same;

	if (!sweep_plan_index(p, &a, &err)) {
		fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", cmd, a);
		cli_print_diag(&err);
		return false;
	}
	if (sweep_plan_unique(p, &a, &b, &id))
		return true;
	if (!sweep_plan_job(p, a, &ja, &err)) {
		cli_print_diag(&err);
		return false;
	}
	if (!sweep_plan_job(p, b, &jb, &err)) {
		sweep_job_free(&ja);
		cli_print_diag(&err);
		return false;
	}
	describe(p, &ja, true, da, sizeof(da));
	describe(p, &jb, true, db, sizeof(db));
	same = same_canonical(&ja, &jb);
	fprintf(stderr, "sim %s: %s: jobs %" PRIu64 " (%s) and %" PRIu64 " (%s) %s (id %016" PRIx64
		"): %s\n", cmd, p->spec->file[0] ? p->spec->file : p->spec->scenario, a, da, b, db,
		same ? "are the same scenario" : "have the same id for different scenarios", id,
		same ? "make the axes' values differ (objects that differ only in their keys' "
		"order are the same value)" : "an FNV-1a collision: change a value");
	sweep_job_free(&ja);
	sweep_job_free(&jb);
	return false;
}

/* The events this process's jobs would fire against --max-total-events (job.h). */
static bool plan_work(const struct sweep_plan *p, const struct sweep_shard *sh,
		      const struct sweep_cli_opts *o)
{
	struct sweep_work w;
	struct sweep_job j;
	struct sim_diag err;
	uint64_t bad;
	char vary[512];

	if (!sweep_plan_work(p, sh, o->max_events, &w, &bad, &err)) {
		fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", o->cmd, bad);
		cli_print_diag(&err);
		return false;
	}
	if (w.events <= o->max_total_events)
		return true;
	if (!sweep_plan_job(p, w.top_index, &j, &err)) {
		cli_print_diag(&err);
		return false;
	}
	describe(p, &j, false, vary, sizeof(vary));
	sweep_job_free(&j);
	fprintf(stderr, "sim %s: %s: the %" PRIu64 " jobs of this %s would fire about %" PRIu64
		" events, beyond the budget of %" PRIu64 " for one process (--max-total-events; "
		"the default is about an hour of CPU)\n", o->cmd,
		p->spec->file[0] ? p->spec->file : p->spec->scenario, w.jobs,
		sh->n > 1 ? "shard" : "run", w.events, o->max_total_events);
	fprintf(stderr, "  the most from the variant %s: %" PRIu64 " jobs (seeds) of about %" PRIu64
		" events each, about %" PRIu64 " in all; its largest source: %s, %s\n", vary,
		w.top_jobs, w.top.total, w.top_events, budget_source_name(w.top.top_source),
		w.top.top_path[0] ? w.top.top_path : "(no single item)");
	if (strcmp(o->cmd, "sweep") == 0)
		fprintf(stderr, "  split it over processes with --shard K/N (N of about %" PRIu64
			" or more), or raise the budget with --max-total-events N\n",
			w.events / o->max_total_events + 1);
	else
		fprintf(stderr, "  raise the budget with --max-total-events N, or write a sweep file "
			"and split it with sim sweep --shard K/N\n");
	return false;
}

/* --out must not overwrite an input: the sweep file or its base scenario. */
static bool out_allowed(const struct sweep_spec *sp, const struct sweep_cli_opts *o)
{
	const char *in = NULL;

	if (!o->out || strcmp(o->out, "-") == 0)
		return true;
	if (sp->file[0] && same_file(o->out, sp->file))
		in = "the sweep file";
	else if (same_file(o->out, sp->scenario))
		in = "the sweep's base scenario";
	if (!in)
		return true;
	cli_usage_error(o->cmd, "--out %s is %s: name another file for the rows", o->out, in);
	return false;
}

bool sweep_cli_once(const char *cmd, const char *opt, bool *seen)
{
	if (*seen) {
		cli_usage_error(cmd, "%s given twice", opt);
		return false;
	}
	*seen = true;
	return true;
}

int sweep_cli_run(const struct sweep_spec *sp, const struct sweep_cli_opts *o)
{
	struct sweep_plan p;
	struct sweep_shard sh;
	struct sim_diag err;
	int status;

	if (!choose_shard(o, &sh) || !out_allowed(sp, o))
		return EXIT_USAGE;
	if (!sweep_plan_open(&p, sp, &err)) {
		cli_print_diag(&err);
		return EXIT_USAGE;
	}
	/* the budget first: it makes one job per variant, the ids every job */
	if ((!o->list && !plan_work(&p, &sh, o)) || !plan_index(&p, o->cmd))
		status = EXIT_USAGE;
	else
		status = o->list ? list_jobs(&p, &sh, o->cmd) : run_jobs(&p, &sh, o);
	sweep_plan_close(&p);
	return status;
}

int sweep_cli_status(const struct sweep_summary *s)
{
	return s->error ? EXIT_USAGE : s->fail ? EXIT_EXPECTATION : EXIT_OK;
}

void sweep_cli_summary(FILE *f, const struct sweep_summary *s, uint64_t planned,
		       const char *what)
{
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
}

int sweep_cli_max_total(struct sweep_cli_opts *o, const char *cmd, int argc, char **argv,
			int *i, bool *seen)
{
	char why[160];

	if (!sweep_cli_once(cmd, argv[*i], seen))
		return EXIT_USAGE;
	if (++*i >= argc)
		return cli_usage_error(cmd, "%s", "--max-total-events needs a number");
	if (!sim_parse_u64(argv[*i], &o->max_total_events, why, sizeof(why)))
		return cli_usage_error(cmd, "--max-total-events: %s", why);
	if (o->max_total_events == 0)
		return cli_usage_error(cmd, "%s", "--max-total-events must be at least 1");
	return EXIT_OK;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_cli_opts o = { .cmd = "sweep", .max_events = BUDGET_DEFAULT_MAX_EVENTS,
				    .max_total_events = SWEEP_DEFAULT_MAX_TOTAL_EVENTS };
	/* an option given twice is refused, never "the last one wins" */
	bool seen_max = false, seen_total = false, seen_skip = false, seen_out = false;
	struct sim_diag err;
	struct sim_diag_list errs;
	struct sweep_spec *sp;
	const char *file = NULL;
	int status = EXIT_OK;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--max-events") == 0 && !sweep_cli_once("sweep", a, &seen_max)) {
			return EXIT_USAGE;
		} else if (cli_parse_max_events("sweep", argc, argv, &i, &o.max_events, &status)) {
			if (status != EXIT_OK)
				return status;
		} else if (strcmp(a, "--max-total-events") == 0) {
			status = sweep_cli_max_total(&o, "sweep", argc, argv, &i, &seen_total);
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
				if (!sweep_cli_once("sweep", a, &o.have_shard))
					return EXIT_USAGE;
				o.shard = argv[i];
			} else if (strcmp(a, "--skip-done") == 0) {
				if (!sweep_cli_once("sweep", a, &seen_skip))
					return EXIT_USAGE;
				o.skip_done = argv[i];
			} else {
				if (!sweep_cli_once("sweep", a, &seen_out))
					return EXIT_USAGE;
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
