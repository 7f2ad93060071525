/* Result files merged a row at a time: merge.h. */
#include "sim/sweep/merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File a's row sorts before file b's: by id, then by file, so that the order is fixed. */
static bool before(const struct sweep_merge *m, unsigned a, unsigned b)
{
	return m->cur[a].id != m->cur[b].id ? m->cur[a].id < m->cur[b].id : a < b;
}

/* A binary min-heap of file indices: the file at slot `at` moved down to its place. */
static void sift_down(struct sweep_merge *m, unsigned at)
{
	unsigned f = m->heap[at];

	for (;;) {
		unsigned child = 2 * at + 1;

		if (child >= m->nheap)
			break;
		if (child + 1 < m->nheap && before(m, m->heap[child + 1], m->heap[child]))
			child++;
		if (!before(m, m->heap[child], f))
			break;
		m->heap[at] = m->heap[child];
		at = child;
	}
	m->heap[at] = f;
}

bool sweep_merge_open(struct sweep_merge *m, const char *const *files, unsigned nfiles,
		      bool ids_only, int *open_errno, char *why, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->ids_only = ids_only;
	*open_errno = 0;
	m->cur = calloc(nfiles ? nfiles : 1, sizeof(*m->cur));
	m->heap = calloc(nfiles ? nfiles : 1, sizeof(*m->heap));
	if (!m->cur || !m->heap) {
		snprintf(why, len, "out of memory");
		*open_errno = ENOMEM;
		sweep_merge_close(m);
		return false;
	}
	for (unsigned i = 0; i < nfiles; i++) {
		int got;

		if (!sweep_row_cursor_open(&m->cur[i], files[i], why, len)) {
			*open_errno = m->cur[i].open_errno;
			sweep_merge_close(m);
			return false;
		}
		m->nfiles = i + 1;
		m->cur[i].ids_only = ids_only;
		got = sweep_row_cursor_next(&m->cur[i], false, why, len);
		if (got < 0) {
			sweep_merge_close(m);
			return false;
		}
		if (got > 0)
			m->heap[m->nheap++] = i;
	}
	for (unsigned at = m->nheap / 2; at-- > 0;)
		sift_down(m, at);
	return true;
}

/* Keeps file f's row as the last one given. */
static bool keep_last(struct sweep_merge *m, const struct sweep_row_cursor *c)
{
	if (c->len > m->last_cap) {
		size_t cap = c->len * 2;
		char *p = realloc(m->last, cap);

		if (!p)
			return false;
		m->last = p;
		m->last_cap = cap;
	}
	memcpy(m->last, c->line, c->len);
	m->last_len = c->len;
	m->last_id = c->id;
	m->last_file = c->file;
	m->last_lineno = c->lineno;
	m->have_last = true;
	return true;
}

/* The root's file moves on to its next row (or leaves the heap at its end). */
static enum sweep_merge_step advance(struct sweep_merge *m, char *why, size_t len)
{
	struct sweep_row_cursor *c = &m->cur[m->heap[0]];
	uint64_t prev = c->id;
	int got = sweep_row_cursor_next(c, false, why, len);

	if (got < 0)
		return SWEEP_MERGE_BAD;
	if (got == 0) {
		m->heap[0] = m->heap[--m->nheap];
	} else if (c->id < prev) {
		snprintf(why, len, "%s:%lu: job %016" PRIx64 " after %016" PRIx64 ": the rows are "
			 "not sorted by id", c->file, c->lineno, c->id, prev);
		return SWEEP_MERGE_UNSORTED;
	}
	if (m->nheap)
		sift_down(m, 0);
	return SWEEP_MERGE_ROW;
}

enum sweep_merge_step sweep_merge_next(struct sweep_merge *m, const char **line, size_t *line_len,
				       uint64_t *id, const struct sweep_row_view **view,
				       char *why, size_t len)
{
	enum sweep_merge_step step;

	/* the row given last is read past only now: its bytes and parse were the caller's till here */
	if (m->given) {
		m->given = false;
		step = advance(m, why, len);
		if (step != SWEEP_MERGE_ROW)
			return step;
	}
	while (m->nheap) {
		const struct sweep_row_cursor *c = &m->cur[m->heap[0]];

		if (m->have_last && c->id == m->last_id) {
			if (c->len != m->last_len || memcmp(c->line, m->last, c->len) != 0) {
				snprintf(why, len, "two different rows for job %016" PRIx64 ", %s:%lu and "
					 "%s:%lu", c->id, m->last_file, m->last_lineno, c->file,
					 c->lineno);
				return SWEEP_MERGE_CONFLICT;
			}
			/* the same row again */
			step = advance(m, why, len);
			if (step != SWEEP_MERGE_ROW)
				return step;
			continue;
		}
		if (!keep_last(m, c)) {
			snprintf(why, len, "out of memory");
			return SWEEP_MERGE_BAD;
		}
		m->given = true;
		*line = c->line;
		*line_len = c->len;
		*id = c->id;
		*view = m->ids_only ? NULL : &c->view;
		return SWEEP_MERGE_ROW;
	}
	return SWEEP_MERGE_END;
}

void sweep_merge_close(struct sweep_merge *m)
{
	for (unsigned i = 0; m->cur && i < m->nfiles; i++)
		sweep_row_cursor_close(&m->cur[i]);
	free(m->cur);
	free(m->heap);
	free(m->last);
	memset(m, 0, sizeof(*m));
}
