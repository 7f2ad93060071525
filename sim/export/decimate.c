/* Fixed-memory decimation of a series: see decimate.h. */
#include "sim/export/decimate.h"

#include <string.h>

void dec_init(struct decimator *d, unsigned window, sim_ps bucket_ps, dec_emit_fn *emit,
	      void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->window = window > DEC_WINDOW_MAX ? DEC_WINDOW_MAX : window;
	d->bucket_ps = bucket_ps ? bucket_ps : 1;
	d->emit = emit;
	d->ctx = ctx;
}

static void out(struct decimator *d, const struct dec_sample *s, enum dec_why why)
{
	d->emitted++;
	d->emit(d->ctx, s, why);
}

static void flush_bucket(struct decimator *d)
{
	if (!d->has_bucket)
		return;
	d->has_bucket = false;
	if (d->min.t_ps == d->max.t_ps && d->min.value == d->max.value) {
		out(d, &d->min, DEC_MINMAX);
	} else if (d->min.t_ps <= d->max.t_ps) {
		out(d, &d->min, DEC_MIN);
		out(d, &d->max, DEC_MAX);
	} else {
		out(d, &d->max, DEC_MAX);
		out(d, &d->min, DEC_MIN);
	}
}

/* A sample no mark can reach any more: into its bucket. Ties keep the earliest. */
static void to_bucket(struct decimator *d, const struct dec_sample *s)
{
	uint64_t b = s->t_ps / d->bucket_ps;

	if (d->has_bucket && b != d->bucket)
		flush_bucket(d);
	if (!d->has_bucket) {
		d->has_bucket = true;
		d->bucket = b;
		d->min = d->max = *s;
		return;
	}
	if (s->value < d->min.value)
		d->min = *s;
	if (s->value > d->max.value)
		d->max = *s;
}

/* The pending sample is settled: passed through after a mark, or held in the ring. */
static void settle(struct decimator *d)
{
	if (!d->has_pending)
		return;
	d->has_pending = false;
	if (d->after) {
		d->after--;
		out(d, &d->pending, DEC_WINDOW);
		return;
	}
	if (d->window == 0) {
		to_bucket(d, &d->pending);
		return;
	}
	if (d->count == d->window) {
		to_bucket(d, &d->ring[d->head]);
		d->head = (d->head + 1) % d->window;
		d->count--;
	}
	d->ring[(d->head + d->count) % d->window] = d->pending;
	d->count++;
}

void dec_push(struct decimator *d, const struct dec_sample *s)
{
	settle(d);
	d->pending = *s;
	d->has_pending = true;
	d->pushed++;
}

void dec_mark(struct decimator *d)
{
	d->after = d->window;
	if (!d->has_pending)
		return;
	flush_bucket(d);
	for (unsigned i = 0; i < d->count; i++)
		out(d, &d->ring[(d->head + i) % d->window], DEC_WINDOW);
	d->head = d->count = 0;
	d->has_pending = false;
	out(d, &d->pending, DEC_MARK);
}

void dec_flush(struct decimator *d)
{
	settle(d);
	for (unsigned i = 0; i < d->count; i++)
		to_bucket(d, &d->ring[(d->head + i) % d->window]);
	d->head = d->count = 0;
	flush_bucket(d);
}
