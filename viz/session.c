/* A visualizer session (session.h). */
#include "viz/session.h"

#include <stdlib.h>
#include <string.h>

#include "sim/machine/machine.h"

bool viz_session_open(struct viz_session *ss, const struct scenario *s, uint64_t max_events,
		      viz_explain_fn *fn, void *ctx, struct sim_diag *err)
{
	struct machine *m = NULL;

	memset(ss, 0, sizeof(*ss));
	ss->s = s;
	ss->max_events = max_events;
	ss->overview = calloc(1, sizeof(*ss->overview));
	if (!ss->overview)
		return sim_diag_fail(err, "out of memory");
	if (!viz_model_build(ss->overview, s, 0, s->duration_ps, true, NULL, &m, err)) {
		viz_session_close(ss);
		return false;
	}
	if (fn)
		fn(ctx, m, ss->overview);
	viz_model_name_vms(ss->overview);
	machine_destroy(m);
	return true;
}

void viz_session_close(struct viz_session *ss)
{
	if (ss->overview)
		viz_model_free(ss->overview);
	if (ss->detail)
		viz_model_free(ss->detail);
	free(ss->overview);
	free(ss->detail);
	ss->overview = ss->detail = NULL;
}

/* The model's columns are fine enough for [t0, t1] on plot_w pixels: one column per 2 pixels. */
static bool fits(const struct viz_model *vm, sim_ps t0, sim_ps t1, int plot_w)
{
	sim_ps col = (vm->t1_ps - vm->t0_ps) / VIZ_COLS;
	sim_ps px = (t1 - t0) / (sim_ps)(plot_w > 0 ? plot_w : 1);

	return t0 >= vm->t0_ps && (t1 <= vm->t1_ps || vm->t1_ps >= vm->duration_ps) &&
	       col <= 2 * px + 1;
}

bool viz_session_needs_detail(const struct viz_session *ss, sim_ps t0, sim_ps t1, int plot_w)
{
	return !fits(ss->overview, t0, t1, plot_w) &&
	       !(ss->detail && fits(ss->detail, t0, t1, plot_w));
}

void viz_session_detail_window(sim_ps t0, sim_ps t1, sim_ps *w0, sim_ps *w1)
{
	sim_ps span = t1 - t0;

	/* three views wide, so that panning stays inside it */
	*w0 = t0 > span ? t0 - span : 0;
	*w1 = t1 + span < t1 ? UINT64_MAX : t1 + span;
}

void viz_session_install(struct viz_session *ss, struct viz_model *d)
{
	/* the overview knows every violation and band of the run, with the report's words */
	memcpy(d->violations, ss->overview->violations, sizeof(d->violations));
	d->nviolations = ss->overview->nviolations;
	memcpy(d->bands, ss->overview->bands, sizeof(d->bands));
	d->nbands = ss->overview->nbands;
	d->reads = ss->overview->reads;
	if (ss->detail) {
		viz_model_free(ss->detail);
		free(ss->detail);
	}
	ss->detail = d;
	ss->rebuilds++;
}

const struct viz_model *viz_session_model(struct viz_session *ss, sim_ps t0, sim_ps t1,
					  int plot_w, bool refine, struct sim_diag *err)
{
	sim_ps w0, w1;
	struct viz_model *d;

	if (fits(ss->overview, t0, t1, plot_w))
		return ss->overview;
	if (ss->detail && fits(ss->detail, t0, t1, plot_w))
		return ss->detail;
	if (!refine || !(d = calloc(1, sizeof(*d))))
		return ss->overview;
	viz_session_detail_window(t0, t1, &w0, &w1);
	if (!viz_model_build(d, ss->s, w0, w1, false, ss->overview, NULL, err)) {
		viz_model_free(d);
		free(d);
		return ss->overview;
	}
	viz_session_install(ss, d);
	return d;
}
