/*
 * Progress lines: progress.h.  The wall clock is read here only, and only
 * for what a person watching a terminal sees; no result depends on it.
 */
#include "sim/cli/progress.h"

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_EVERY_MS 250

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, bool forced, bool never, int64_t delay_ms,
		   const char *what)
{
	p->on = !never && (forced || isatty(fileno(stderr)));
	p->f = stderr;
	p->start_ms = p->on ? now_ms() : 0;
	p->last_ms = p->start_ms - PROGRESS_EVERY_MS;
	p->delay_ms = delay_ms;
	p->shown = false;
	p->what = what;
}

/* Whether to draw now: past the delay and the last line's age. */
static bool due(struct progress *p, int64_t *elapsed, bool last)
{
	int64_t t;

	if (!p->on)
		return false;
	t = now_ms();
	*elapsed = t - p->start_ms;
	if (*elapsed < p->delay_ms || (!last && t - p->last_ms < PROGRESS_EVERY_MS))
		return false;
	p->last_ms = t;
	return true;
}

static void put_duration(FILE *f, int64_t ms)
{
	int64_t s = (ms + 500) / 1000;

	if (s >= 3600)
		fprintf(f, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
	else if (s >= 60)
		fprintf(f, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else
		fprintf(f, "%" PRId64 "s", s);
}

void progress_jobs(struct progress *p, uint64_t done, uint64_t total)
{
	int64_t el;

	if (!due(p, &el, done == total))
		return;
	fprintf(p->f, "\r%s: %" PRIu64 "/%" PRIu64 " jobs", p->what, done, total);
	if (done && done < total) {
		/* integer ETA: elapsed times the jobs left over the jobs done */
		fputs(", ETA ", p->f);
		put_duration(p->f, (int64_t)((uint64_t)el * (total - done) / done));
	}
	fputs("   ", p->f);
	fflush(p->f);
	p->shown = true;
}

void progress_sim(struct progress *p, sim_ps now, sim_ps end)
{
	char a[32], b[32];
	int64_t el;

	if (!due(p, &el, now >= end))
		return;
	fprintf(p->f, "\r%s: simulated %s s of %s s (", p->what, sim_format_seconds(a, now),
		sim_format_seconds(b, end));
	put_duration(p->f, el);
	fputs(")   ", p->f);
	fflush(p->f);
	p->shown = true;
}

void progress_end(struct progress *p)
{
	if (p->shown)
		fputc('\n', p->f);
	p->shown = false;
}
