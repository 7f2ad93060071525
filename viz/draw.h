/*
 * The draw list: what a frame shows, as plain commands (filled rectangles,
 * lines, text), produced by the pure layout (layout.h) and executed by SDL
 * (render.h).  Tests read it as text (viz_draw_dump), so a frame's content
 * is checked without pixels.  Coordinates are integer pixels; the list has
 * a fixed capacity and counts what it had to drop.
 */
#ifndef VIZ_DRAW_H
#define VIZ_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The palette: Okabe & Ito's eight colours, which stay distinguishable for
 * the common colour-vision deficiencies, plus greys for the frame.
 * X(id, name, 0xRRGGBB).
 */
#define VIZ_COLOURS(X)                         \
	X(VIZ_BG, "bg", 0xffffff)              \
	X(VIZ_INK, "ink", 0x000000)            \
	X(VIZ_GRID, "grid", 0xe4e4e4)          \
	X(VIZ_MUTED, "muted", 0x767676)        \
	X(VIZ_BAND, "band", 0xeeeeee)          \
	X(VIZ_PANEL, "panel", 0xf7f7f7)        \
	X(VIZ_ORANGE, "orange", 0xe69f00)      \
	X(VIZ_SKY, "sky", 0x56b4e9)            \
	X(VIZ_GREEN, "green", 0x009e73)        \
	X(VIZ_YELLOW, "yellow", 0xf0e442)      \
	X(VIZ_BLUE, "blue", 0x0072b2)          \
	X(VIZ_VERMILLION, "vermillion", 0xd55e00) \
	X(VIZ_PURPLE, "purple", 0xcc79a7)

enum viz_colour {
#define VIZ_COLOUR_ENUM(id, name, rgb) id,
	VIZ_COLOURS(VIZ_COLOUR_ENUM)
#undef VIZ_COLOUR_ENUM
	VIZ_COLOUR_COUNT
};

const char *viz_colour_name(enum viz_colour c);
uint32_t viz_colour_rgb(enum viz_colour c);

enum viz_cmd_kind {
	VIZ_RECT,                 /* filled: x, y, w, h */
	VIZ_LINE,                 /* x0, y0 to x1, y1 */
	VIZ_TEXT,                 /* top-left at x, y */
};

enum viz_text_size { VIZ_SMALL, VIZ_NORMAL };

struct viz_cmd {
	enum viz_cmd_kind kind;
	enum viz_colour colour;
	int x0, y0, x1, y1;       /* RECT: x1, y1 are width and height */
	enum viz_text_size size;  /* TEXT */
	uint32_t text;            /* TEXT: offset into the pool */
};

#define VIZ_DRAW_MAX_CMDS 40000
#define VIZ_DRAW_TEXT_POOL (256 * 1024)

struct viz_draw {
	unsigned n;
	unsigned dropped;         /* commands that did not fit */
	size_t pool_used;
	struct viz_cmd cmds[VIZ_DRAW_MAX_CMDS];
	char pool[VIZ_DRAW_TEXT_POOL];
};

void viz_draw_clear(struct viz_draw *d);
void viz_draw_rect(struct viz_draw *d, enum viz_colour c, int x, int y, int w, int h);
void viz_draw_line(struct viz_draw *d, enum viz_colour c, int x0, int y0, int x1, int y1);
void viz_draw_text(struct viz_draw *d, enum viz_colour c, enum viz_text_size size, int x, int y,
		   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
const char *viz_draw_text_of(const struct viz_draw *d, const struct viz_cmd *c);

/* One line per command: "rect blue 10 20 5 5", "text ink 0 3 12 'label'"... */
void viz_draw_dump(const struct viz_draw *d, FILE *f);

#endif
