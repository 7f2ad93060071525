/* The SDL executor and PNG writer (render.h). */
#include "viz/render.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_ttf.h>

/* Text textures are cached: a frame redraws the same labels 60 times a second. */
#define CACHE_SLOTS 1024
#define CACHE_TEXT_MAX 160

struct cached {
	bool used;
	uint8_t size;
	uint8_t colour;
	char text[CACHE_TEXT_MAX];
	SDL_Texture *tex;
	int w, h;
};

struct viz_renderer {
	SDL_Renderer *r;
	TTF_Font *font[2];
	struct cached cache[CACHE_SLOTS];
	unsigned evict;           /* next slot to reuse when the cache is full */
};

static const int font_px[2] = { [VIZ_SMALL] = 11, [VIZ_NORMAL] = 13 };

struct viz_renderer *viz_renderer_create(SDL_Renderer *r, char *why, size_t len)
{
	struct viz_renderer *vr;

	/* TTF_Init and TTF_Quit count: each renderer holds one reference */
	if (TTF_Init() != 0) {
		snprintf(why, len, "SDL_ttf: %s", TTF_GetError());
		return NULL;
	}
	vr = calloc(1, sizeof(*vr));
	if (!vr) {
		snprintf(why, len, "out of memory");
		TTF_Quit();
		return NULL;
	}
	vr->r = r;
	for (int i = 0; i < 2; i++) {
		vr->font[i] = TTF_OpenFont(VIZ_FONT_PATH, font_px[i]);
		if (!vr->font[i]) {
			snprintf(why, len, "cannot open the font %s (Debian package fonts-dejavu-core): %s",
				 VIZ_FONT_PATH, TTF_GetError());
			viz_renderer_destroy(vr);
			return NULL;
		}
	}
	return vr;
}

void viz_renderer_destroy(struct viz_renderer *vr)
{
	if (!vr)
		return;
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (vr->cache[i].tex)
			SDL_DestroyTexture(vr->cache[i].tex);
	for (int i = 0; i < 2; i++)
		if (vr->font[i])
			TTF_CloseFont(vr->font[i]);
	free(vr);
	TTF_Quit();
}

static SDL_Color sdl_colour(enum viz_colour c)
{
	uint32_t rgb = viz_colour_rgb(c);

	return (SDL_Color){ (uint8_t)(rgb >> 16), (uint8_t)(rgb >> 8), (uint8_t)rgb, 255 };
}

static unsigned hash(const char *s, unsigned size, unsigned colour)
{
	uint32_t h = 2166136261u ^ size ^ (colour << 8);

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h % CACHE_SLOTS;
}

static struct cached *text_texture(struct viz_renderer *vr, const char *text,
				   enum viz_text_size size, enum viz_colour colour)
{
	unsigned h = hash(text, size, colour);
	struct cached *c = NULL;
	SDL_Surface *s;

	for (unsigned i = 0; i < 8; i++) {
		struct cached *e = &vr->cache[(h + i) % CACHE_SLOTS];

		if (e->used && e->size == size && e->colour == colour && strcmp(e->text, text) == 0)
			return e;
		if (!e->used && !c)
			c = e;
	}
	if (!c) {
		c = &vr->cache[(h + vr->evict++ % 8) % CACHE_SLOTS];
		SDL_DestroyTexture(c->tex);
		memset(c, 0, sizeof(*c));
	}
	s = TTF_RenderUTF8_Blended(vr->font[size], text, sdl_colour(colour));
	if (!s)
		return NULL;
	c->tex = SDL_CreateTextureFromSurface(vr->r, s);
	c->w = s->w;
	c->h = s->h;
	SDL_FreeSurface(s);
	if (!c->tex)
		return NULL;
	c->used = strlen(text) < CACHE_TEXT_MAX;
	c->size = (uint8_t)size;
	c->colour = (uint8_t)colour;
	snprintf(c->text, sizeof(c->text), "%s", text);
	return c;
}

void viz_render(struct viz_renderer *vr, const struct viz_draw *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		const struct viz_cmd *c = &d->cmds[i];
		SDL_Color col = sdl_colour(c->colour);

		SDL_SetRenderDrawColor(vr->r, col.r, col.g, col.b, 255);
		if (c->kind == VIZ_RECT) {
			SDL_Rect rc = { c->x0, c->y0, c->x1, c->y1 };

			SDL_RenderFillRect(vr->r, &rc);
		} else if (c->kind == VIZ_LINE) {
			SDL_RenderDrawLine(vr->r, c->x0, c->y0, c->x1, c->y1);
		} else {
			const char *text = viz_draw_text_of(d, c);
			struct cached *t = text[0] ? text_texture(vr, text, c->size, c->colour) : NULL;

			if (t) {
				SDL_Rect dst = { c->x0, c->y0, t->w, t->h };

				SDL_RenderCopy(vr->r, t->tex, NULL, &dst);
				if (!t->used) {   /* too long to cache */
					SDL_DestroyTexture(t->tex);
					memset(t, 0, sizeof(*t));
				}
			}
		}
	}
}

bool viz_write_png(const char *path, const uint32_t *argb, int w, int h, int pitch_px, char *why,
		   size_t len)
{
	FILE *f = fopen(path, "wb");
	png_structp png;
	png_infop info;
	uint8_t *row;

	if (!f) {
		snprintf(why, len, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	row = malloc((size_t)w * 3);
	if (!png || !info || !row || setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		fclose(f);
		snprintf(why, len, "libpng could not write %s", path);
		return false;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < h; y++) {
		const uint32_t *p = argb + (size_t)y * (size_t)pitch_px;

		for (int x = 0; x < w; x++) {
			row[3 * x] = (uint8_t)(p[x] >> 16);
			row[3 * x + 1] = (uint8_t)(p[x] >> 8);
			row[3 * x + 2] = (uint8_t)p[x];
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) != 0) {
		snprintf(why, len, "error writing %s", path);
		return false;
	}
	return true;
}

bool viz_render_png(const struct viz_draw *d, int w, int h, const char *path, char *why,
		    size_t len)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
	struct viz_renderer *vr = r ? viz_renderer_create(r, why, len) : NULL;
	bool ok = false;

	if (!s || !r) {
		snprintf(why, len, "SDL software renderer: %s", SDL_GetError());
	} else if (vr) {
		viz_render(vr, d);
		SDL_RenderPresent(r);
		ok = viz_write_png(path, s->pixels, w, h, s->pitch / 4, why, len);
	}
	viz_renderer_destroy(vr);
	if (r)
		SDL_DestroyRenderer(r);
	if (s)
		SDL_FreeSurface(s);
	return ok;
}
