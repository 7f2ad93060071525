/* The interactive window (SDL2): keys, mouse, playback, lessons.  app.c. */
#ifndef VIZ_APP_H
#define VIZ_APP_H

#include <stdbool.h>

#include "viz/layout.h"
#include "viz/session.h"

struct viz_app_opts {
	sim_ps from_ps, to_ps;    /* the first view */
	int width, height;
	unsigned lanes;
	const char *title;
	bool lesson;              /* teaching mode: the scenario's lesson steps */
	const char *shot;         /* write the last frame here as PNG on quit; NULL: no */
	bool stats;               /* print frame times and the session's numbers on quit */
	const char *draw_list;    /* --png: also write the frame's draw list here as text */
	int selected;             /* the violation whose explanation is open first; -1: none */
};

/* viz_session_open, timed (ss->open_us) for --stats. */
bool viz_app_open(struct viz_session *ss, const struct scenario *s, uint64_t max_events,
		  viz_explain_fn *fn, void *ctx, struct sim_diag *err);

/* Opens the window and runs until quit; false with why (no display, SDL failure). */
bool viz_app_run(struct viz_session *ss, const struct viz_app_opts *o, char *why, size_t len);

/* Renders one frame of [o->from_ps, o->to_ps] headless into a PNG at path. */
bool viz_app_png(struct viz_session *ss, const struct viz_app_opts *o, const char *path,
		 char *why, size_t len);

#endif
