/* The draw list (draw.h). */
#include "viz/draw.h"

#include <stdarg.h>
#include <string.h>

static const struct {
	const char *name;
	uint32_t rgb;
} colours[] = {
#define VIZ_COLOUR_ROW(id, name, rgb) [id] = { name, rgb },
	VIZ_COLOURS(VIZ_COLOUR_ROW)
#undef VIZ_COLOUR_ROW
};
_Static_assert(sizeof(colours) / sizeof(colours[0]) == VIZ_COLOUR_COUNT, "one row per colour");

const char *viz_colour_name(enum viz_colour c)
{
	return c < VIZ_COLOUR_COUNT ? colours[c].name : "?";
}

uint32_t viz_colour_rgb(enum viz_colour c)
{
	return c < VIZ_COLOUR_COUNT ? colours[c].rgb : 0;
}

void viz_draw_clear(struct viz_draw *d)
{
	d->n = 0;
	d->dropped = 0;
	d->pool_used = 0;
}

static struct viz_cmd *push(struct viz_draw *d)
{
	if (d->n == VIZ_DRAW_MAX_CMDS) {
		d->dropped++;
		return NULL;
	}
	return &d->cmds[d->n++];
}

void viz_draw_rect(struct viz_draw *d, enum viz_colour c, int x, int y, int w, int h)
{
	struct viz_cmd *cmd;

	if (w <= 0 || h <= 0 || !(cmd = push(d)))
		return;
	*cmd = (struct viz_cmd){ .kind = VIZ_RECT, .colour = c, .x0 = x, .y0 = y, .x1 = w, .y1 = h };
}

void viz_draw_line(struct viz_draw *d, enum viz_colour c, int x0, int y0, int x1, int y1)
{
	struct viz_cmd *cmd = push(d);

	if (cmd)
		*cmd = (struct viz_cmd){ .kind = VIZ_LINE, .colour = c,
					 .x0 = x0, .y0 = y0, .x1 = x1, .y1 = y1 };
}

void viz_draw_text(struct viz_draw *d, enum viz_colour c, enum viz_text_size size, int x, int y,
		   const char *fmt, ...)
{
	size_t room = VIZ_DRAW_TEXT_POOL - d->pool_used;
	struct viz_cmd *cmd;
	va_list ap;
	int n;

	if (room < 2) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(d->pool + d->pool_used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room || !(cmd = push(d))) {
		if (n < 0 || (size_t)n >= room)
			d->dropped++;
		return;
	}
	*cmd = (struct viz_cmd){ .kind = VIZ_TEXT, .colour = c, .x0 = x, .y0 = y, .size = size,
				 .text = (uint32_t)d->pool_used };
	d->pool_used += (size_t)n + 1;
}

const char *viz_draw_text_of(const struct viz_draw *d, const struct viz_cmd *c)
{
	return d->pool + c->text;
}

void viz_draw_dump(const struct viz_draw *d, FILE *f)
{
	for (unsigned i = 0; i < d->n; i++) {
		const struct viz_cmd *c = &d->cmds[i];
		const char *col = viz_colour_name(c->colour);

		switch (c->kind) {
		case VIZ_RECT:
			fprintf(f, "rect %s %d %d %d %d\n", col, c->x0, c->y0, c->x1, c->y1);
			break;
		case VIZ_LINE:
			fprintf(f, "line %s %d %d %d %d\n", col, c->x0, c->y0, c->x1, c->y1);
			break;
		case VIZ_TEXT:
			fprintf(f, "text %s %d %d %s '%s'\n", col, c->x0, c->y0,
				c->size == VIZ_SMALL ? "small" : "normal", viz_draw_text_of(d, c));
			break;
		}
	}
	if (d->dropped)
		fprintf(f, "dropped %u\n", d->dropped);
}
