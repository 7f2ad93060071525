/*
 * Decimating one series of samples (a reader's clock error, say) for a
 * viewer, in fixed memory: every marked sample (a violation) is kept with a
 * window of the `window` samples before and after it, and every other sample
 * only as its time bucket's minimum or maximum (buckets of bucket_ps true
 * time, 1 ms for the Perfetto export).  Plain C with no output format of its
 * own: kept samples go to a callback, so the Perfetto writer and a viewer
 * can share it.
 *
 * Samples arrive in time order.  A sample may be marked just after it was
 * pushed (dec_mark), which is when the oracle's verdict on a read arrives.
 * Output per series is in time order: a bucket's min and max (the earlier
 * first, once when they are the same sample) are emitted when a later sample
 * leaves the window ring for a later bucket, or at a mark, or at dec_flush.
 *
 * Bound: a series of S samples over D of true time, with V marks, emits at
 * most 2 * (ceil(D / bucket_ps) + 1) + V * (2 * window + 3) samples, whatever S
 * (a mark may split a bucket in two: its part before and after the window).
 */
#ifndef SIM_EXPORT_DECIMATE_H
#define SIM_EXPORT_DECIMATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

#define DEC_WINDOW_MAX 64

struct dec_sample {
	sim_ps t_ps;
	int64_t value;                /* what min/max compare */
	uint64_t aux;                 /* carried along (a read's value_ns) */
};

enum dec_why {
	DEC_MIN,                      /* its bucket's minimum */
	DEC_MAX,                      /* its bucket's maximum (or both: DEC_MINMAX) */
	DEC_MINMAX,                   /* the bucket's only extreme: min and max at once */
	DEC_WINDOW,                   /* within `window` samples of a mark */
	DEC_MARK,                     /* the marked sample itself */
};

typedef void dec_emit_fn(void *ctx, const struct dec_sample *s, enum dec_why why);

struct decimator {
	unsigned window;              /* samples kept each side of a mark, <= DEC_WINDOW_MAX */
	sim_ps bucket_ps;             /* > 0 */
	dec_emit_fn *emit;
	void *ctx;
	struct dec_sample ring[DEC_WINDOW_MAX];   /* the last `window` unemitted samples */
	unsigned head, count;
	bool has_pending;             /* the newest sample, which a mark may still claim */
	struct dec_sample pending;
	unsigned after;               /* samples still to pass through after a mark */
	bool has_bucket;
	uint64_t bucket;              /* t_ps / bucket_ps */
	struct dec_sample min, max;
	uint64_t pushed, emitted;
};

void dec_init(struct decimator *d, unsigned window, sim_ps bucket_ps, dec_emit_fn *emit,
	      void *ctx);

void dec_push(struct decimator *d, const struct dec_sample *s);

/* Marks the sample pushed last (again: a no-op but for restarting the window after it). */
void dec_mark(struct decimator *d);

/* The run ended: emits what is still held, in time order. */
void dec_flush(struct decimator *d);

#endif
