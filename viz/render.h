/*
 * Executes a draw list (draw.h) with SDL2 and SDL2_ttf, on a window's
 * renderer or on a memory surface (headless frames, written as PNG with
 * libpng).  Nothing here decides what to draw.
 */
#ifndef VIZ_RENDER_H
#define VIZ_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#include "viz/draw.h"

/* Debian's fonts-dejavu-core. */
#define VIZ_FONT_PATH "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

struct viz_renderer;

/* Opens the fonts for r; NULL with why (no font file, TTF failure). */
struct viz_renderer *viz_renderer_create(SDL_Renderer *r, char *why, size_t len);
void viz_renderer_destroy(struct viz_renderer *vr);
void viz_render(struct viz_renderer *vr, const struct viz_draw *d);

/* Renders d on a w x h memory surface with the software renderer and writes a PNG. */
bool viz_render_png(const struct viz_draw *d, int w, int h, const char *path, char *why,
		    size_t len);

/* Writes 32-bit ARGB pixels as an 8-bit RGB PNG; false with why. */
bool viz_write_png(const char *path, const uint32_t *argb, int w, int h, int pitch_px, char *why,
		   size_t len);

#endif
