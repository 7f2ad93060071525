/*
 * A visualizer session: the overview model of the whole run (built once,
 * with the report's explanations of its violations) and a detail model of
 * the window being looked at, rebuilt when the view zooms past what the
 * overview's columns resolve.  Memory: two models, whatever the run's
 * length.
 */
#ifndef VIZ_SESSION_H
#define VIZ_SESSION_H

#include "viz/model.h"

/* Fills each violation's explain text from the finished machine m (the report's words). */
typedef void viz_explain_fn(void *ctx, const struct machine *m, struct viz_model *vm);

struct viz_session {
	const struct scenario *s;
	struct viz_model *overview;
	struct viz_model *detail;     /* NULL until a zoom needs one */
	uint64_t max_events;
	unsigned rebuilds;
	uint64_t open_us;             /* wall time of viz_session_open (app.c measures it) */
};

bool viz_session_open(struct viz_session *ss, const struct scenario *s, uint64_t max_events,
		      viz_explain_fn *fn, void *ctx, struct sim_diag *err);
void viz_session_close(struct viz_session *ss);

/*
 * The model to draw [t0, t1] on plot_w pixels from: the overview when its
 * columns are fine enough, else the detail (rebuilt first when refine is
 * set and the current one does not fit; else the overview, coarse).
 */
const struct viz_model *viz_session_model(struct viz_session *ss, sim_ps t0, sim_ps t1,
					  int plot_w, bool refine, struct sim_diag *err);

/* True when viz_session_model(refine = true) would run the scenario again. */
bool viz_session_needs_detail(const struct viz_session *ss, sim_ps t0, sim_ps t1, int plot_w);

/*
 * The two halves of a refine, for a caller that builds the detail on another
 * thread: the window a detail for [t0, t1] covers (three views wide), and
 * installing a model built for it with viz_model_build(whole = false, like =
 * ss->overview), which the session then owns.  Building reads only the
 * scenario and the overview, so it may run beside viz_session_model(refine
 * = false) and the layout.
 */
void viz_session_detail_window(sim_ps t0, sim_ps t1, sim_ps *w0, sim_ps *w1);
void viz_session_install(struct viz_session *ss, struct viz_model *d);

#endif
