/*
 * The layout (layout.h).  Lanes are stacked top to bottom in kind order;
 * every lane has its label in the gutter.  Analogue lanes (TSC error,
 * reader error) draw a min/max envelope per pixel column joined by lines;
 * level lanes (pvclock flags and writes, interrupt lines, host markers)
 * draw runs of equal columns as rectangles.
 */
#include "viz/layout.h"

#include <inttypes.h>
#include <string.h>

#include "viz/axis.h"

/* Lane colours, in turn; vermillion is kept for violations. */
static const enum viz_colour lane_colours[] = {
	VIZ_BLUE, VIZ_ORANGE, VIZ_GREEN, VIZ_PURPLE, VIZ_SKY, VIZ_INK,
};
#define NCOLOURS (sizeof(lane_colours) / sizeof(lane_colours[0]))

/* Relative lane heights by kind. */
static const unsigned lane_weight[VIZ_LANE_KIND_COUNT] = {
	[VIZ_LANE_TSC] = 3, [VIZ_LANE_READER] = 3, [VIZ_LANE_PVCLOCK] = 2,
	[VIZ_LANE_IRQ] = 1, [VIZ_LANE_HOST] = 1,
};

static const char *const lane_labels[] = {
#define VIZ_LANE_LABEL(id, name, label) [id] = label,
	VIZ_LANE_KINDS(VIZ_LANE_LABEL)
#undef VIZ_LANE_LABEL
};
_Static_assert(sizeof(lane_labels) / sizeof(lane_labels[0]) == VIZ_LANE_KIND_COUNT, "one per kind");

static int plot_x0(void) { return VIZ_GUTTER; }
static int plot_w(const struct viz_view *v)
{
	int w = v->width - VIZ_GUTTER - VIZ_MARGIN;

	return w < 16 ? 16 : w > VIZ_MAX_WIDTH ? VIZ_MAX_WIDTH : w;
}

int viz_view_x(const struct viz_view *v, sim_ps t)
{
	sim_ps span = v->t1_ps > v->t0_ps ? v->t1_ps - v->t0_ps : 1;
	sim_i128 dx = ((sim_i128)t - (sim_i128)v->t0_ps) * plot_w(v) / (sim_i128)span;

	if (dx < -100000)
		dx = -100000;
	if (dx > 100000)
		dx = 100000;
	return plot_x0() + (int)dx;
}

sim_ps viz_view_t(const struct viz_view *v, int x)
{
	int dx = x - plot_x0();

	if (dx < 0)
		dx = 0;
	if (dx > plot_w(v))
		dx = plot_w(v);
	return v->t0_ps + (sim_ps)((sim_u128)(v->t1_ps - v->t0_ps) * (unsigned)dx /
				   (unsigned)plot_w(v));
}

struct lane_box {
	int y, h;
};

/* Where each shown lane goes; returns the bottom of the lanes. */
static int place_lanes(const struct viz_model *m, const struct viz_view *v,
		       struct lane_box *box)
{
	int top = VIZ_TITLE_PX + 4, bottom = v->height - VIZ_AXIS_PX - VIZ_STATUS_PX - 4;
	unsigned total = 0;
	int unit, y = top;

	for (unsigned i = 0; i < m->nlanes; i++)
		if (v->lanes & (1u << m->lanes[i].kind))
			total += lane_weight[m->lanes[i].kind];
	if (!total)
		return top;
	unit = (bottom - top) / (int)total;
	if (unit > 40)
		unit = 40;
	if (unit < 6)
		unit = 6;
	for (unsigned k = 0; k < VIZ_LANE_KIND_COUNT; k++) {
		for (unsigned i = 0; i < m->nlanes; i++) {
			const struct viz_lane *l = &m->lanes[i];

			if (l->kind != k || !(v->lanes & (1u << k)))
				continue;
			box[i].y = y;
			box[i].h = unit * (int)lane_weight[k] - 4;
			y += unit * (int)lane_weight[k];
		}
	}
	return y;
}

/* Model columns [c0, c1) that cover the view, clamped to the model. */
static void col_range(const struct viz_model *m, const struct viz_view *v, int64_t *c0, int64_t *c1)
{
	*c0 = viz_model_col(m, v->t0_ps);
	*c1 = viz_model_col(m, v->t1_ps) + 1;
	/* teaching mode: nothing after the question, not even in a lane's range */
	if (v->hide_after_ps && v->hide_after_ps < v->t1_ps)
		*c1 = viz_model_col(m, v->hide_after_ps) + 1;
	if (*c0 < 0)
		*c0 = 0;
	if (*c1 > VIZ_COLS)
		*c1 = VIZ_COLS;
}

static int col_x(const struct viz_model *m, const struct viz_view *v, int64_t c)
{
	return viz_view_x(v, viz_model_col_time(m, c));
}

static int clampi(int x, int lo, int hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* One pixel column of an analogue lane. */
struct px {
	int x;
	int64_t min, max, first, last;
};

static int y_of(int64_t val, int64_t lo, int64_t hi, const struct lane_box *b)
{
	sim_i128 span = (sim_i128)hi - lo;

	if (span <= 0)
		return b->y + b->h / 2;
	return b->y + b->h - 2 - (int)(((sim_i128)val - lo) * (b->h - 4) / span);
}

/* The envelope of lane l's visible columns, widened to include 0 (the ideal clock). */
static void lane_range(const struct viz_model *m, const struct viz_view *v,
		       const struct viz_lane *l, int64_t *lo, int64_t *hi)
{
	int64_t c0, c1;

	col_range(m, v, &c0, &c1);
	for (int64_t c = c0; c < c1; c++) {
		if (!l->u.b[c].n)
			continue;
		*lo = l->u.b[c].min < *lo ? l->u.b[c].min : *lo;
		*hi = l->u.b[c].max > *hi ? l->u.b[c].max : *hi;
	}
}

/*
 * TSC lanes share one scale, so that an offset between CPUs reads as a
 * distance; each reader lane has its own (readers of different clocks
 * differ by orders of magnitude).
 */
static void analogue(const struct viz_model *m, const struct viz_view *v, const struct viz_lane *l,
		     const struct lane_box *b, enum viz_colour col, struct viz_draw *d)
{
	static struct px px[VIZ_COLS];
	int64_t c0, c1, lo = 0, hi = 0;
	unsigned n = 0;
	char a[32], z[32];
	int xl = plot_x0(), xr = plot_x0() + plot_w(v);

	col_range(m, v, &c0, &c1);
	for (int64_t c = c0; c < c1; c++) {
		const struct viz_bucket *bk = &l->u.b[c];
		int x = clampi((col_x(m, v, c) + col_x(m, v, c + 1)) / 2, xl, xr - 1);

		if (!bk->n)
			continue;
		if (n && px[n - 1].x == x) {
			struct px *p = &px[n - 1];

			p->min = bk->min < p->min ? bk->min : p->min;
			p->max = bk->max > p->max ? bk->max : p->max;
			p->last = bk->last;
		} else {
			px[n++] = (struct px){ x, bk->min, bk->max, bk->first, bk->last };
		}
	}
	if (l->kind == VIZ_LANE_TSC) {
		for (unsigned i = 0; i < m->nlanes; i++)
			if (m->lanes[i].kind == VIZ_LANE_TSC)
				lane_range(m, v, &m->lanes[i], &lo, &hi);
	} else {
		lane_range(m, v, l, &lo, &hi);
	}
	if (lo == hi) {
		lo -= 1000;
		hi += 1000;
	}
	viz_draw_line(d, VIZ_GRID, xl, y_of(0, lo, hi, b), xr, y_of(0, lo, hi, b));
	viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, VIZ_GUTTER - 64, b->y, "%s",
		      viz_fmt_ps(a, sizeof(a), hi));
	viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, VIZ_GUTTER - 64, b->y + b->h - 12, "%s",
		      viz_fmt_ps(z, sizeof(z), lo));
	for (unsigned i = 0; i < n; i++) {
		const struct px *p = &px[i];

		if (i)
			viz_draw_line(d, col, px[i - 1].x, y_of(px[i - 1].last, lo, hi, b), p->x,
				      y_of(p->first, lo, hi, b));
		viz_draw_line(d, col, p->x, y_of(p->max, lo, hi, b), p->x, y_of(p->min, lo, hi, b));
	}
}

/* Calls fn for each run of columns with equal (bits & mask), clipped to the plot. */
static void runs(const struct viz_model *m, const struct viz_view *v, const uint8_t *bits,
		 uint8_t mask, void (*fn)(void *ctx, uint8_t bits, int x0, int x1), void *ctx)
{
	int64_t c0, c1, start;
	int xl = plot_x0(), xr = plot_x0() + plot_w(v);

	col_range(m, v, &c0, &c1);
	start = c0;
	for (int64_t c = c0; c <= c1; c++) {
		if (c < c1 && (bits[c] & mask) == (bits[start] & mask))
			continue;
		if (c > start && (bits[start] & mask)) {
			int x0 = clampi(col_x(m, v, start), xl, xr);
			int x1 = clampi(col_x(m, v, c), xl, xr);

			fn(ctx, bits[start] & mask, x0, x1 > x0 ? x1 : x0 + 1);
		}
		start = c;
	}
}

struct run_ctx {
	struct viz_draw *d;
	const struct lane_box *b;
	enum viz_colour col;
	int y, h;
};

static void bar(void *ctx, uint8_t bits, int x0, int x1)
{
	struct run_ctx *r = ctx;

	(void)bits;
	viz_draw_rect(r->d, r->col, x0, r->y, x1 - x0, r->h);
}

static void pvclock(const struct viz_model *m, const struct viz_view *v, const struct viz_lane *l,
		    const struct lane_box *b, struct viz_draw *d)
{
	int row = b->h / 3;
	struct run_ctx r = { d, b, VIZ_GREEN, b->y, row - 1 };

	runs(m, v, l->u.bits, VIZ_PAGE_STABLE, bar, &r);
	r = (struct run_ctx){ d, b, VIZ_ORANGE, b->y + row, row - 1 };
	runs(m, v, l->u.bits, VIZ_PAGE_STOPPED, bar, &r);
	/* writes: an even version (update done) is a full tick, an odd one a short one */
	r = (struct run_ctx){ d, b, VIZ_BLUE, b->y + 2 * row, b->h - 2 * row };
	runs(m, v, l->u.bits, VIZ_PAGE_EVEN, bar, &r);
	r = (struct run_ctx){ d, b, VIZ_PURPLE, b->y + 2 * row, (b->h - 2 * row) / 2 };
	runs(m, v, l->u.bits, VIZ_PAGE_ODD, bar, &r);
	viz_draw_text(d, VIZ_GREEN, VIZ_SMALL, VIZ_GUTTER - 64, b->y, "STABLE");
	viz_draw_text(d, VIZ_ORANGE, VIZ_SMALL, VIZ_GUTTER - 64, b->y + row, "STOPPED");
	viz_draw_text(d, VIZ_BLUE, VIZ_SMALL, VIZ_GUTTER - 64, b->y + 2 * row, "writes");
}

static void irq_run(void *ctx, uint8_t bits, int x0, int x1)
{
	struct run_ctx *r = ctx;
	int hi = r->y, lo = r->y + r->h;

	if ((bits & VIZ_EDGE) || (bits & (VIZ_HIGH | VIZ_LOW)) == (VIZ_HIGH | VIZ_LOW)) {
		if (x1 - x0 <= 1)
			viz_draw_line(r->d, r->col, x0, hi, x0, lo);
		else
			viz_draw_rect(r->d, r->col, x0, hi, x1 - x0, lo - hi + 1);
	} else {
		int y = (bits & VIZ_HIGH) ? hi : lo;

		viz_draw_line(r->d, r->col, x0, y, x1 - 1, y);
	}
}

static void irq(const struct viz_model *m, const struct viz_view *v, const struct viz_lane *l,
		const struct lane_box *b, enum viz_colour col, struct viz_draw *d)
{
	struct run_ctx r = { d, b, col, b->y + 2, b->h - 4 };

	runs(m, v, l->u.bits, VIZ_HIGH | VIZ_LOW | VIZ_EDGE, irq_run, &r);
}

static const struct {
	uint8_t bit;
	enum viz_colour col;
	const char *name;
} marks[] = {
	{ VIZ_MARK_CSTATE, VIZ_BLUE, "C" }, { VIZ_MARK_PSTATE, VIZ_ORANGE, "P" },
	{ VIZ_MARK_TSC_WRITE, VIZ_PURPLE, "W" }, { VIZ_MARK_HOTPLUG, VIZ_GREEN, "H" },
	{ VIZ_MARK_SUSPEND, VIZ_INK, "S" }, { VIZ_MARK_KERNEL, VIZ_SKY, "K" },
};

static void host(const struct viz_model *m, const struct viz_view *v, const struct viz_lane *l,
		 const struct lane_box *b, struct viz_draw *d)
{
	int x = VIZ_GUTTER - 64;

	for (unsigned k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		struct run_ctx r = { d, b, marks[k].col, b->y + 2, b->h - 4 };

		runs(m, v, l->u.bits, marks[k].bit, bar, &r);
		viz_draw_text(d, marks[k].col, VIZ_SMALL, x, b->y + b->h - 12, "%s", marks[k].name);
		x += 10;
	}
}

static void axis(const struct viz_view *v, int lanes_top, int lanes_bottom, struct viz_draw *d)
{
	int y = v->height - VIZ_AXIS_PX - VIZ_STATUS_PX;
	sim_ps step = viz_tick_step(v->t1_ps - v->t0_ps, (unsigned)plot_w(v) / 110 + 1);
	sim_ps base = viz_axis_base(v->t0_ps, v->t1_ps, step);
	sim_ps t = v->t0_ps - v->t0_ps % step;
	char a[48];

	if (t < v->t0_ps)
		t += step;
	viz_draw_line(d, VIZ_INK, plot_x0(), y, plot_x0() + plot_w(v), y);
	if (base)
		viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, 4, y + 4, "from %s",
			      viz_fmt_time(a, sizeof(a), base));
	for (; t <= v->t1_ps; t += step) {
		int x = viz_view_x(v, t);

		viz_draw_line(d, VIZ_GRID, x, lanes_top, x, lanes_bottom);
		viz_draw_line(d, VIZ_INK, x, y, x, y + 5);
		/* a label that would leave the frame (about 7 px a character) goes left of its tick */
		viz_fmt_tick(a, sizeof(a), t - base, step);
		{
			int w = 7 * ((int)strlen(a) + (base ? 1 : 0));

			viz_draw_text(d, VIZ_INK, VIZ_SMALL, x + 2 + w > v->width ? x - 2 - w : x + 2,
				      y + 6, "%s%s", base ? "+" : "", a);
		}
		if (t > UINT64_MAX - step)
			break;
	}
}

static void arrow(struct viz_draw *d, enum viz_colour c, int x0, int y0, int x1, int y1)
{
	int dir = x1 >= x0 ? -1 : 1;

	viz_draw_line(d, c, x0, y0, x1, y1);
	viz_draw_line(d, c, x1, y1, x1 + dir * 7, y1 - 5);
	viz_draw_line(d, c, x1, y1, x1 + dir * 7, y1 + 5);
}

/* Text lines of at most cols characters (breaks at spaces and newlines). */
static int panel(struct viz_draw *d, const struct viz_view *v, int y, const char *text,
		 enum viz_colour ink)
{
	int cols = (plot_w(v) - 20) / 8, lines = 0, x = plot_x0() + 8;
	const char *p = text;
	int start = d->n;

	viz_draw_rect(d, VIZ_PANEL, plot_x0(), y, plot_w(v), 4);  /* resized below */
	while (*p && lines < 24) {
		int n = (int)strcspn(p, "\n");

		if (n > cols) {
			int k = cols;

			while (k > 0 && p[k] != ' ')
				k--;
			n = k > 0 ? k : cols;
		}
		viz_draw_text(d, ink, VIZ_NORMAL, x, y + 6 + lines * 17, "%.*s", n, p);
		lines++;
		p += n;
		if (*p == '\n' || *p == ' ')
			p++;
	}
	if ((unsigned)start < d->n)
		d->cmds[start].y1 = lines * 17 + 12;
	return lines * 17 + 12;
}

static void violations(const struct viz_model *m, const struct viz_view *v,
		       const struct lane_box *box, int lanes_top, int lanes_bottom,
		       struct viz_draw *d)
{
	for (unsigned i = 0; i < m->nviolations; i++) {
		const struct viz_violation *w = &m->violations[i];
		int x = viz_view_x(v, w->t_ps), y0 = lanes_top, y1 = lanes_bottom;

		if (w->t_ps < v->t0_ps || w->t_ps > v->t1_ps)
			continue;
		for (unsigned k = 0; k < m->nlanes; k++) {
			if (m->lanes[k].kind == VIZ_LANE_READER &&
			    (v->lanes & (1u << VIZ_LANE_READER)) &&
			    strcmp(m->lanes[k].name, w->reader) == 0) {
				y0 = box[k].y;
				y1 = box[k].y + box[k].h;
			}
		}
		viz_draw_line(d, VIZ_VERMILLION, x, y0, x, y1);
		viz_draw_rect(d, VIZ_VERMILLION, x - 3, y0, 7, 7);
		/* the check's name, left of the marker near the right edge (about 7 px a byte) */
		{
			int tw = 7 * (int)strlen(w->check);

			viz_draw_text(d, VIZ_VERMILLION, VIZ_SMALL,
				      x + 5 + tw > v->width ? x - 5 - tw : x + 5, y0, "%s", w->check);
		}
		if ((int)i == v->selected && w->has_cause) {
			int cx = viz_view_x(v, w->cause_ps);

			viz_draw_line(d, VIZ_VERMILLION, cx, lanes_top, cx, lanes_bottom);
			arrow(d, VIZ_VERMILLION, cx, (y0 + y1) / 2 - 8, x, (y0 + y1) / 2);
		}
	}
}

/*
 * What the lane under the cursor holds at its column: a pvclock page's
 * fields (its last write at or before the cursor), or an analogue lane's
 * envelope.
 */
static void under_cursor(const struct viz_model *m, const struct viz_view *v,
			 const struct lane_box *box, char *out, size_t len)
{
	out[0] = '\0';
	if (v->cursor_x < plot_x0() || v->cursor_y < 0 ||
	    (v->hide_after_ps && viz_view_t(v, v->cursor_x) > v->hide_after_ps))
		return;
	for (unsigned i = 0; i < m->nlanes; i++) {
		const struct viz_lane *l = &m->lanes[i];
		int64_t c = viz_model_col(m, viz_view_t(v, v->cursor_x));
		char a[32], b[32];

		if (!(v->lanes & (1u << l->kind)) || v->cursor_y < box[i].y ||
		    v->cursor_y >= box[i].y + box[i].h || c < 0 || c >= VIZ_COLS)
			continue;
		if (l->kind == VIZ_LANE_PVCLOCK) {
			while (c > 0 && !(l->u.bits[c] & (VIZ_PAGE_EVEN | VIZ_PAGE_ODD)))
				c--;
			if (l->u.bits[c] & (VIZ_PAGE_EVEN | VIZ_PAGE_ODD)) {
				const struct viz_page *p = &l->pages[c];

				snprintf(out, len, "%s: version %" PRIu32 ", tsc_timestamp %" PRIu64
					 ", system_time %" PRIu64 " ns, flags%s%s%s", l->name, p->version,
					 p->tsc_timestamp, p->system_time_ns, (p->flags & 1) ? " STABLE" : "",
					 (p->flags & 2) ? " GUEST_STOPPED" : "", (p->flags & 3) ? "" : " 0");
			}
		} else if ((l->kind == VIZ_LANE_TSC || l->kind == VIZ_LANE_READER) && l->u.b[c].n) {
			snprintf(out, len, "%s: %s .. %s", l->name, viz_fmt_ps(a, sizeof(a), l->u.b[c].min),
				 viz_fmt_ps(b, sizeof(b), l->u.b[c].max));
		}
		return;
	}
}

static const char help_text[] =
	"keys\n"
	"space      play / pause             + / -   speed up / slow down\n"
	"z / x      zoom in / out (at the cursor; mouse wheel too)\n"
	"left/right pan                      home    whole run\n"
	"n / p      next / previous violation (opens its explanation)\n"
	"drag       scrub the playhead        click   a violation's explanation\n"
	"l          next lesson step          ?       this help          q  quit";

void viz_layout(const struct viz_model *m, const struct viz_view *v, struct viz_draw *d)
{
	static struct lane_box box[VIZ_MAX_LANES];
	int top = VIZ_TITLE_PX + 4, bottom;
	unsigned colour = 0;
	char a[48], b[48];

	viz_draw_clear(d);
	memset(box, 0, sizeof(box));
	viz_draw_rect(d, VIZ_BG, 0, 0, v->width, v->height);
	bottom = place_lanes(m, v, box);
	/* VMM bands behind everything */
	for (unsigned i = 0; i < m->nbands; i++) {
		const struct viz_band *bd = &m->bands[i];
		sim_ps e = bd->t1_ps ? bd->t1_ps : m->duration_ps;
		int x0, x1;

		if (e < v->t0_ps || bd->t0_ps > v->t1_ps)
			continue;
		x0 = clampi(viz_view_x(v, bd->t0_ps), plot_x0(), plot_x0() + plot_w(v));
		x1 = clampi(viz_view_x(v, e), plot_x0(), plot_x0() + plot_w(v));
		viz_draw_rect(d, VIZ_BAND, x0, top, x1 > x0 ? x1 - x0 : 1, bottom - top);
		viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, x0 + 2, top, "%s", bd->label);
	}
	axis(v, top, bottom, d);
	viz_draw_text(d, VIZ_INK, VIZ_NORMAL, 6, 3, "%s", v->title ? v->title : "");
	viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, v->width - 260, 5, "%s .. %s",
		      viz_fmt_time(a, sizeof(a), v->t0_ps), viz_fmt_time(b, sizeof(b), v->t1_ps));
	for (unsigned k = 0; k < VIZ_LANE_KIND_COUNT; k++) {
		for (unsigned i = 0; i < m->nlanes; i++) {
			const struct viz_lane *l = &m->lanes[i];
			enum viz_colour col = lane_colours[colour % NCOLOURS];

			if (l->kind != k || !(v->lanes & (1u << k)))
				continue;
			colour++;
			viz_draw_line(d, VIZ_GRID, 4, box[i].y + box[i].h + 2, v->width - 4,
				      box[i].y + box[i].h + 2);
			viz_draw_text(d, k == VIZ_LANE_PVCLOCK || k == VIZ_LANE_HOST ? VIZ_INK : col,
				      VIZ_NORMAL, 6, box[i].y, "%s", l->name);
			if (box[i].h >= 30)
				viz_draw_text(d, VIZ_MUTED, VIZ_SMALL, 6, box[i].y + 16, "%s",
					      lane_labels[k]);
			if (k == VIZ_LANE_TSC || k == VIZ_LANE_READER)
				analogue(m, v, l, &box[i], col, d);
			else if (k == VIZ_LANE_PVCLOCK)
				pvclock(m, v, l, &box[i], d);
			else if (k == VIZ_LANE_IRQ)
				irq(m, v, l, &box[i], col, d);
			else
				host(m, v, l, &box[i], d);
		}
	}
	violations(m, v, box, top, bottom, d);
	/* teaching mode: what has not happened yet stays covered until the answer */
	if (v->hide_after_ps && v->hide_after_ps < v->t1_ps) {
		int x = clampi(viz_view_x(v, v->hide_after_ps), plot_x0(), plot_x0() + plot_w(v));

		viz_draw_rect(d, VIZ_PANEL, x + 1, top, plot_x0() + plot_w(v) - x, bottom - top);
		viz_draw_text(d, VIZ_MUTED, VIZ_NORMAL, x + 8, bottom - 20, "(not yet)");
	}
	if (v->play_ps >= v->t0_ps && v->play_ps <= v->t1_ps && v->play_ps)
		viz_draw_line(d, VIZ_INK, viz_view_x(v, v->play_ps), top - 4, viz_view_x(v, v->play_ps),
			      bottom);
	if (v->cursor_x >= plot_x0() && v->cursor_x <= plot_x0() + plot_w(v))
		viz_draw_line(d, VIZ_MUTED, v->cursor_x, top, v->cursor_x, bottom);
	/* the status line */
	{
		int y = v->height - VIZ_STATUS_PX + 3;
		char what[200];

		under_cursor(m, v, box, what, sizeof(what));
		if (v->cursor_x >= 0)
			viz_draw_text(d, VIZ_INK, VIZ_SMALL, 6, y, "t = %s   %s%s   %s   ? help",
				      viz_fmt_time(a, sizeof(a), viz_view_t(v, v->cursor_x)),
				      v->playing ? "playing " : "paused",
				      v->playing ? viz_fmt_ps(b, sizeof(b), (int64_t)v->speed * 1000) : "",
				      what);
		else if (!v->hide_after_ps)
			viz_draw_text(d, VIZ_INK, VIZ_SMALL, 6, y, "%u violations, %" PRIu64 " reads",
				      m->nviolations, m->reads);
	}
	if (v->selected >= 0 && (unsigned)v->selected < m->nviolations) {
		const struct viz_violation *w = &m->violations[v->selected];
		char text[VIZ_EXPLAIN_MAX + 200];

		snprintf(text, sizeof(text), "%s %s at %s\n%s%s%s", w->reader, w->check,
			 viz_fmt_time(a, sizeof(a), w->t_ps), w->explain,
			 w->has_cause ? "\narrow: " : "", w->has_cause ? w->cause : "");
		/* below the lanes when there is room, else over the last ones */
		int room = v->height - VIZ_AXIS_PX - VIZ_STATUS_PX - bottom;

		panel(d, v, room >= 130 ? bottom + 2 : bottom - 140 > top ? bottom - 140 : top, text,
		      VIZ_INK);
	}
	if (v->panel)
		panel(d, v, top + 4, v->panel, VIZ_INK);
	if (v->help)
		panel(d, v, top + 40, help_text, VIZ_INK);
}

int viz_hit_violation(const struct viz_model *m, const struct viz_view *v, int x)
{
	int best = -1, bestd = 7;

	for (unsigned i = 0; i < m->nviolations; i++) {
		int dx = viz_view_x(v, m->violations[i].t_ps) - x;

		if (dx < 0)
			dx = -dx;
		if (dx < bestd) {
			bestd = dx;
			best = (int)i;
		}
	}
	return best;
}
