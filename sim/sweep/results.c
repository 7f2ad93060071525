/* Result rows as a set, and their summary: results.h. */
#include "sim/sweep/results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/alloc.h"

bool sweep_rows_add(struct sweep_rows *r, uint64_t id, const char *line, size_t len)
{
	struct sweep_row *v = sim_grow(r->v, &r->cap, r->n, sizeof(*v), 256);
	char *copy;

	if (!v)
		return false;
	r->v = v;
	copy = malloc(len + 1);
	if (!copy)
		return false;
	memcpy(copy, line, len);
	copy[len] = '\0';
	r->v[r->n++] = (struct sweep_row){ .id = id, .line = copy, .len = len };
	r->sorted = false;
	return true;
}

static int by_id(const void *a, const void *b)
{
	const struct sweep_row *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	/* equal ids: by bytes, so that the order never depends on the input's */
	c = memcmp(x->line, y->line, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

bool sweep_rows_sort(struct sweep_rows *r, uint64_t *conflict)
{
	size_t out = 0;

	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), by_id);
	/* equal rows are next to each other: a conflict is an id followed by other bytes */
	for (size_t i = 1; i < r->n; i++)
		if (r->v[i - 1].id == r->v[i].id && by_id(&r->v[i - 1], &r->v[i]) != 0) {
			*conflict = r->v[i].id;
			r->conflict[0] = r->v[i - 1];
			r->conflict[1] = r->v[i];
			return false;
		}
	for (size_t i = 0; i < r->n; i++) {
		if (out && r->v[out - 1].id == r->v[i].id) {
			free(r->v[i].line);
			continue;
		}
		r->v[out++] = r->v[i];
	}
	r->n = out;
	r->sorted = true;
	return true;
}

const struct sweep_row *sweep_rows_find(const struct sweep_rows *r, uint64_t id)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].id == id)
			return &r->v[mid];
		if (r->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool sweep_rows_write(const struct sweep_rows *r, FILE *f)
{
	for (size_t i = 0; i < r->n; i++)
		if (fwrite(r->v[i].line, 1, r->v[i].len, f) != r->v[i].len)
			return false;
	return fflush(f) == 0;
}

void sweep_rows_free(struct sweep_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].line);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

bool sweep_row_cursor_open(struct sweep_row_cursor *c, const char *file, char *why, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
	if (!c->f) {
		c->open_errno = errno;
		snprintf(why, len, "%s: cannot read: %s", file, strerror(errno));
		return false;
	}
	return true;
}

void sweep_row_cursor_over(struct sweep_row_cursor *c, const char *file, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->file = file;
	c->f = f;
	c->borrowed = true;
}

int sweep_row_cursor_next(struct sweep_row_cursor *c, bool partial_ok, char *why, size_t len)
{
	ssize_t n = getline(&c->line, &c->cap, c->f);
	char w[160];

	if (n <= 0) {
		if (ferror(c->f)) {
			snprintf(why, len, "%s: cannot read: %s", c->file, strerror(errno));
			return -1;
		}
		return 0;
	}
	c->lineno++;
	if (c->line[n - 1] != '\n') {
		if (partial_ok)
			return 0;
		snprintf(why, len, "%s:%lu: the last row has no newline (a run stopped while "
			 "writing it?)", c->file, c->lineno);
		return -1;
	}
	if (n >= 2 && c->line[n - 2] == '\r') {
		snprintf(why, len, "%s:%lu: the row ends in CR LF, where sim writes LF alone "
			 "(a merge would not give sim's bytes: convert the file, e.g. with "
			 "dos2unix)", c->file, c->lineno);
		return -1;
	}
	/* sim writes {"id":"<16 hex digits>", first */
	if (c->ids_only && n > 25 && memcmp(c->line, "{\"id\":\"", 7) == 0 && c->line[23] == '"') {
		char hex[17];

		memcpy(hex, c->line + 7, 16);
		hex[16] = '\0';
		if (sweep_parse_id(hex, &c->id)) {
			c->len = (size_t)n;
			return 1;
		}
	}
	if (!sweep_row_parse(c->line, (size_t)n - 1, &c->view, w, sizeof(w))) {
		snprintf(why, len, "%s:%lu: not a sweep result row: %s", c->file, c->lineno, w);
		return -1;
	}
	c->len = (size_t)n;
	c->id = c->view.id;
	return 1;
}

void sweep_row_cursor_close(struct sweep_row_cursor *c)
{
	if (c->f && c->f != stdin && !c->borrowed)
		fclose(c->f);
	free(c->line);
	sweep_row_view_free(&c->view);
	memset(c, 0, sizeof(*c));
}

bool sweep_rows_read(struct sweep_rows *r, const char *file, bool partial_ok, char *why,
		     size_t len)
{
	struct sweep_row_cursor c;
	int got;

	if (!sweep_row_cursor_open(&c, file, why, len))
		return false;
	while ((got = sweep_row_cursor_next(&c, partial_ok, why, len)) > 0) {
		if (!sweep_rows_add(r, c.id, c.line, c.len)) {
			snprintf(why, len, "%s:%lu: out of memory", file, c.lineno);
			got = -1;
			break;
		}
		r->v[r->n - 1].file = file;
		r->v[r->n - 1].lineno = c.lineno;
	}
	sweep_row_cursor_close(&c);
	return got == 0;
}

static int64_t magnitude(int64_t v)
{
	return v < 0 ? (v == INT64_MIN ? INT64_MAX : -v) : v;
}

static struct sweep_summary_check *summary_check(struct sweep_summary *s,
						 const struct sweep_row_check *c)
{
	for (unsigned i = 0; i < s->nchecks; i++)
		if (!strcmp(s->checks[i].of, c->of) && !strcmp(s->checks[i].check, c->check))
			return &s->checks[i];
	if (s->nchecks == SWEEP_SUMMARY_MAX) {
		s->truncated = true;
		return NULL;
	}
	s->checks[s->nchecks] = (struct sweep_summary_check){ 0 };
	memcpy(s->checks[s->nchecks].of, c->of, sizeof(c->of));
	memcpy(s->checks[s->nchecks].check, c->check, sizeof(c->check));
	memcpy(s->checks[s->nchecks].unit, c->unit, sizeof(c->unit));
	return &s->checks[s->nchecks++];
}

/*
 * The first bytes of a row's "vary" that fit in dst, cut before a UTF-8
 * character that would not fit whole, with "..." when cut.
 */
static void vary_shown(char *dst, size_t cap, const char *vary, size_t len)
{
	static const char more[] = "...";
	size_t n = len;

	if (len >= cap) {
		n = cap - sizeof(more);
		/* back to a character's first byte: continuation bytes are 10xxxxxx */
		while (n > 0 && ((unsigned char)vary[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, vary, n);
	if (len >= cap)
		memcpy(dst + n, more, sizeof(more));
	else
		dst[n] = '\0';
}

/*
 * Keeps the row among the check's worst when its magnitude is larger than one
 * kept: rows come sorted by id, so of equal magnitudes the smaller ids stay.
 */
static void rank(struct sweep_summary_check *c, const struct sweep_row_view *v, int64_t worst)
{
	unsigned at = c->nworst;

	while (at > 0 && magnitude(worst) > magnitude(c->worst[at - 1].worst))
		at--;
	if (at == SWEEP_SUMMARY_WORST)
		return;
	if (c->nworst < SWEEP_SUMMARY_WORST)
		c->nworst++;
	memmove(&c->worst[at + 1], &c->worst[at], (c->nworst - 1 - at) * sizeof(c->worst[0]));
	c->worst[at].worst = worst;
	c->worst[at].id = v->id;
	c->worst[at].seed = v->seed;
	vary_shown(c->worst[at].vary, sizeof(c->worst[at].vary), v->vary, v->vary_len);
}

void sweep_summary_init(struct sweep_summary *s)
{
	memset(s, 0, sizeof(*s));
}

void sweep_summary_add(struct sweep_summary *s, const char *line, size_t len)
{
	struct sweep_row_view v = { 0 };
	char why[160];

	/*
	 * Rows here were written by this sim or read by sweep_rows_read(), so
	 * only memory can fail: never a silent pass.
	 */
	if (!sweep_row_parse(line, len, &v, why, sizeof(why))) {
		s->rows++;
		s->error++;
	} else {
		sweep_summary_add_view(s, &v);
	}
	sweep_row_view_free(&v);
}

void sweep_summary_add_view(struct sweep_summary *s, const struct sweep_row_view *v)
{
	if (s->rows++ == 0) {
		memcpy(s->scenario, v->scenario, sizeof(s->scenario));
		memcpy(s->sim, v->sim, sizeof(s->sim));
	} else if (strcmp(s->scenario, v->scenario) || strcmp(s->sim, v->sim)) {
		s->mixed = true;
	}
	s->pass += v->verdict[0] == 'p';
	s->fail += v->verdict[0] == 'f';
	s->error += v->verdict[0] == 'e';
	for (unsigned k = 0; k < v->nchecks; k++) {
		struct sweep_summary_check *c = summary_check(s, &v->checks[k]);

		if (!c)
			continue;
		c->jobs++;
		c->failed += !v->checks[k].met;
		rank(c, v, v->checks[k].worst);
	}
}

void sweep_summarize(const struct sweep_rows *r, struct sweep_summary *s)
{
	sweep_summary_init(s);
	for (size_t i = 0; i < r->n; i++)
		sweep_summary_add(s, r->v[i].line, r->v[i].len - 1);
}
