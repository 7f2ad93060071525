/*
 * The layout: a pure function from (model, view) to a draw list.  No SDL, no
 * state, no clock: the same inputs give the same list, which tests read as
 * text.  Pixel positions are integer arithmetic on times, so frames are the
 * same on every compiler.
 */
#ifndef VIZ_LAYOUT_H
#define VIZ_LAYOUT_H

#include <stdbool.h>

#include "viz/draw.h"
#include "viz/model.h"

/* The frame's fixed geometry (pixels). */
enum {
	VIZ_GUTTER = 180,         /* lane labels, left of the plot */
	VIZ_MARGIN = 12,          /* right of the plot */
	VIZ_TITLE_PX = 24,
	VIZ_AXIS_PX = 30,
	VIZ_STATUS_PX = 22,
	VIZ_MAX_WIDTH = 4096,
};

struct viz_view {
	sim_ps t0_ps, t1_ps;      /* the visible time window */
	int width, height;        /* the frame */
	unsigned lanes;           /* lane kinds shown (bits of enum viz_lane_kind) */
	int cursor_x, cursor_y;   /* -1: no cursor */
	int selected;             /* violation index whose explanation is open; -1: none */
	bool help;                /* the key overlay */
	bool playing;
	sim_ps play_ps;           /* the playhead; 0: none */
	sim_ps hide_after_ps;     /* teaching mode: the future is covered from here; 0: none */
	unsigned speed;           /* simulated ps per wall ms while playing (status line) */
	const char *title;        /* top line */
	const char *panel;        /* a text panel (lesson step, notice); NULL: none */
};

void viz_layout(const struct viz_model *m, const struct viz_view *v, struct viz_draw *d);

/* x of time t in the view's plot (may lie outside it). */
int viz_view_x(const struct viz_view *v, sim_ps t);

/* Time under pixel column x (clamped to the view). */
sim_ps viz_view_t(const struct viz_view *v, int x);

/* The violation whose marker is within 6 px of x (nearest), or -1. */
int viz_hit_violation(const struct viz_model *m, const struct viz_view *v, int x);

#endif
