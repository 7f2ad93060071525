/* The --skip-done rows, indexed in their file: sweep_done.h. */
#include "sim/cli/sweep_done.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/core/alloc.h"
#include "sim/sweep/job.h"

/*
 * The row (at `line`, `lineno`) starts as a fresh run of job `index` would
 * write it (id, base, sim, seed, "vary"): two sweeps whose variants give one
 * scenario text share its id but not their "vary".  false when not (said).
 */
static bool same_head(const struct sweep_plan *p, uint64_t index, const char *line, size_t len,
		      unsigned long lineno, const struct sweep_cli_opts *o)
{
	struct sweep_buf head = { 0 };
	struct sweep_job j;
	struct sim_diag err;
	bool same;

	if (!sweep_plan_job(p, index, &j, &err)) {
		fprintf(stderr, "sim %s: job index %" PRIu64 ":\n", o->cmd, index);
		cli_print_diag(&err);
		return false;
	}
	sweep_job_row_head(p, &j, &head);
	same = !head.oom && head.len <= len && memcmp(head.p, line, head.len) == 0;
	if (!same)
		fprintf(stderr, "sim %s: --skip-done %s:%lu: job %016" PRIx64 " (index %" PRIu64
			") would start its row with %.*s%s: this row has another seed or \"vary\" "
			"(a row of another sweep whose variant is the same scenario): not reused\n",
			o->cmd, o->skip_done, lineno, j.id, index,
			(int)(head.len < 300 ? head.len : 300), head.p ? head.p : "",
			head.len > 300 ? "..." : "");
	sweep_buf_free(&head);
	sweep_job_free(&j);
	return same;
}

/* The cursor's row is one of p's jobs (else said, and false); *keep: not an "error" row. */
static bool check_row(const struct sweep_plan *p, const struct sweep_cli_opts *o,
		      const char *base, const struct sweep_row_cursor *c, bool *keep)
{
	const struct sweep_row_view *v = &c->view;
	uint64_t index;

	if (strcmp(v->scenario, base) != 0) {
		fprintf(stderr, "sim %s: --skip-done %s:%lu: job %016" PRIx64 " ran base scenario "
			"%s, this sweep's is %s (another sweep, or the base file changed): not "
			"reused\n", o->cmd, o->skip_done, c->lineno, v->id, v->scenario, base);
		return false;
	}
	if (strcmp(v->sim, SIM_VERSION) != 0) {
		fprintf(stderr, "sim %s: --skip-done %s:%lu: job %016" PRIx64 " ran with sim %s, "
			"this is sim %s: not reused\n", o->cmd, o->skip_done, c->lineno, v->id,
			v->sim, SIM_VERSION);
		return false;
	}
	if (!sweep_plan_find(p, v->id, &index)) {
		fprintf(stderr, "sim %s: --skip-done %s:%lu: job %016" PRIx64 " is not a job of "
			"this sweep (a row of another sweep, or the sweep file changed): not "
			"reused\n", o->cmd, o->skip_done, c->lineno, v->id);
		return false;
	}
	if (!same_head(p, index, c->line, c->len, c->lineno, o))
		return false;
	*keep = strcmp(v->verdict, "error") != 0;
	return true;
}

static bool add(struct sweep_done *d, uint64_t id, uint64_t offset)
{
	struct sweep_done_row *v = sim_grow(d->v, &d->cap, d->n, sizeof(*v), 1024);

	if (!v)
		return false;
	d->v = v;
	d->v[d->n++] = (struct sweep_done_row){ .id = id, .offset = offset };
	return true;
}

/* The row at offset, read back into d->line: its length, or 0 when it cannot be read. */
static size_t read_back(struct sweep_done *d, uint64_t offset)
{
	ssize_t n;

	if (fseeko(d->src, (off_t)offset, SEEK_SET) != 0)
		return 0;
	n = getline(&d->line, &d->line_cap, d->src);
	return n > 0 && d->line[n - 1] == '\n' ? (size_t)n : 0;
}

static int by_id(const void *a, const void *b)
{
	const struct sweep_done_row *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Sorts by id; a job's row twice is kept once, two different rows of one job are refused. */
static bool sort_rows(struct sweep_done *d, const struct sweep_cli_opts *o)
{
	size_t kept = 0;
	char *first = NULL;
	size_t first_len = 0;
	bool ok = true;

	if (d->n)
		qsort(d->v, d->n, sizeof(*d->v), by_id);
	for (size_t i = 0; ok && i < d->n; i++) {
		size_t len;

		if (kept == 0 || d->v[kept - 1].id != d->v[i].id) {
			d->v[kept++] = d->v[i];
			continue;
		}
		/* the same id again (rare): compare with the first of its rows */
		len = read_back(d, d->v[kept - 1].offset);
		free(first);
		first = len ? malloc(len) : NULL;
		first_len = len;
		if (first)
			memcpy(first, d->line, len);
		len = first ? read_back(d, d->v[i].offset) : 0;
		if (!len) {
			fprintf(stderr, "sim %s: --skip-done %s: cannot read its rows back\n", o->cmd,
				o->skip_done);
			ok = false;
		} else if (len != first_len || memcmp(first, d->line, len) != 0) {
			fprintf(stderr, "sim %s: --skip-done %s: two different rows for job %016" PRIx64
				"\n", o->cmd, o->skip_done, d->v[i].id);
			ok = false;
		}
	}
	free(first);
	d->n = kept;
	return ok;
}

/*
 * The first pass: every line a row (a last one cut short by a stop goes),
 * their bytes counted.  A source that cannot be read twice (stdin, a pipe)
 * is copied to a temporary file, to be read back from there.
 */
static bool check_lines(struct sweep_done *d, const struct sweep_cli_opts *o)
{
	struct sweep_row_cursor c;
	FILE *in = strcmp(o->skip_done, "-") == 0 ? stdin : fopen(o->skip_done, "rb");
	bool copy;
	char why[512];
	int got;

	if (!in) {
		fprintf(stderr, "sim %s: --skip-done %s: cannot read: %s\n", o->cmd, o->skip_done,
			strerror(errno));
		return false;
	}
	/* stdin always: its rows are counted from where it stands, not from its file's start */
	copy = in == stdin || fseeko(in, 0, SEEK_CUR) != 0;
	d->src = copy ? tmpfile() : in;
	if (!d->src) {
		fprintf(stderr, "sim %s: --skip-done %s: no temporary file to copy it to: %s\n",
			o->cmd, o->skip_done, strerror(errno));
		if (in != stdin)
			fclose(in);
		return false;
	}
	sweep_row_cursor_over(&c, o->skip_done, in);
	while ((got = sweep_row_cursor_next(&c, true, why, sizeof(why))) > 0) {
		d->valid += (off_t)c.len;
		if (copy && fwrite(c.line, 1, c.len, d->src) != c.len) {
			snprintf(why, sizeof(why), "%s: cannot copy it to a temporary file",
				 o->skip_done);
			got = -1;
			break;
		}
	}
	sweep_row_cursor_close(&c);
	if (copy && in != stdin)
		fclose(in);
	if (got < 0)
		fprintf(stderr, "sim %s: --skip-done %s\n", o->cmd, why);
	return got == 0 && fflush(d->src) == 0 && fseeko(d->src, 0, SEEK_SET) == 0;
}

bool sweep_done_load(struct sweep_done *d, const struct sweep_plan *p,
		     const struct sweep_cli_opts *o)
{
	struct sweep_row_cursor c;
	uint64_t offset = 0;
	char base[17], why[512];
	bool ok = true, keep;
	int got = 0;

	memset(d, 0, sizeof(*d));
	if (!o->skip_done)
		return true;
	if (!check_lines(d, o))
		return false;
	/* the second pass: each row checked against the plan, in the file's order */
	snprintf(base, sizeof(base), "%016" PRIx64, p->base_hash);
	sweep_row_cursor_over(&c, o->skip_done, d->src);
	while (ok && (got = sweep_row_cursor_next(&c, true, why, sizeof(why))) > 0) {
		ok = check_row(p, o, base, &c, &keep);
		if (ok && keep && !add(d, c.id, offset)) {
			fprintf(stderr, "sim %s: --skip-done %s: out of memory\n", o->cmd, o->skip_done);
			ok = false;
		}
		offset += c.len;
	}
	sweep_row_cursor_close(&c);
	if (ok && got < 0) {
		fprintf(stderr, "sim %s: --skip-done %s (it changed while it was read)\n", o->cmd,
			why);
		ok = false;
	}
	return ok && sort_rows(d, o);
}

int sweep_done_row(struct sweep_done *d, uint64_t id, const char **line, size_t *len)
{
	size_t lo = 0, hi = d->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->v[mid].id == id) {
			*len = read_back(d, d->v[mid].offset);
			*line = d->line;
			return *len ? 1 : -1;
		}
		if (d->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

void sweep_done_free(struct sweep_done *d)
{
	if (d->src)
		fclose(d->src);
	free(d->v);
	free(d->line);
	memset(d, 0, sizeof(*d));
}
