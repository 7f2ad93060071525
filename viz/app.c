/*
 * The interactive window (app.h).  Floating point appears nowhere; the wall
 * clock (SDL_GetTicks) only paces playback and measures frame times, which
 * are presentation: nothing here feeds back into the simulation, which has
 * already run (session.h).
 */
#include "viz/app.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "viz/axis.h"
#include "viz/render.h"

/* Wait this long after the last zoom or pan before running the scenario again for detail. */
#define REFINE_AFTER_MS 150

static uint64_t now_us(void)
{
	return SDL_GetPerformanceCounter() * 1000000 / SDL_GetPerformanceFrequency();
}

/* The process's peak resident set (Linux VmHWM), in kB; 0 when unknown. */
static unsigned long peak_rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

bool viz_app_open(struct viz_session *ss, const struct scenario *s, uint64_t max_events,
		  viz_explain_fn *fn, void *ctx, struct sim_diag *err)
{
	uint64_t t0 = now_us();
	bool ok = viz_session_open(ss, s, max_events, fn, ctx, err);

	ss->open_us = now_us() - t0;
	return ok;
}

/* A detail model being built on its own thread, so that frames go on meanwhile. */
struct detail_job {
	SDL_Thread *thread;
	SDL_atomic_t done;
	const struct viz_session *ss;
	sim_ps w0, w1;
	struct viz_model *m;
	bool ok;
	struct sim_diag err;
};

static int build_detail(void *p)
{
	struct detail_job *j = p;

	j->ok = viz_model_build(j->m, j->ss->s, j->w0, j->w1, false, j->ss->overview, NULL,
				&j->err);
	SDL_AtomicSet(&j->done, 1);
	return 0;
}

/* Starts a detail build for [t0, t1]; false when no thread could be had. */
static bool start_detail(struct detail_job *j, const struct viz_session *ss, sim_ps t0, sim_ps t1)
{
	memset(j, 0, sizeof(*j));
	j->ss = ss;
	viz_session_detail_window(t0, t1, &j->w0, &j->w1);
	j->m = calloc(1, sizeof(*j->m));
	sim_diag_clear(&j->err);
	if (j->m)
		j->thread = SDL_CreateThread(build_detail, "viz-detail", j);
	if (!j->thread) {
		free(j->m);
		j->m = NULL;
		return false;
	}
	return true;
}

/* Installs a finished build (wait: block until it is); true when none is left running. */
static bool finish_detail(struct detail_job *j, struct viz_session *ss, bool wait)
{
	if (!j->thread)
		return true;
	if (!wait && !SDL_AtomicGet(&j->done))
		return false;
	SDL_WaitThread(j->thread, NULL);
	j->thread = NULL;
	if (j->ok) {
		viz_session_install(ss, j->m);
	} else {
		viz_model_free(j->m);
		free(j->m);
	}
	j->m = NULL;
	return true;
}

struct app {
	struct viz_session *ss;
	const struct viz_app_opts *o;
	struct viz_view v;
	struct viz_draw d;
	bool quit, dragging;
	uint32_t changed_ms;      /* when the view last changed; 0: settled */
	unsigned step;            /* lesson: the next step to stop at */
	int lesson_state;         /* 0 playing to the step, 1 asked, 2 revealed */
	char panel[1600];
	uint64_t frames, frame_us_total, frame_us_max;
};

static sim_ps duration(const struct app *a)
{
	return a->ss->s->duration_ps;
}

static void set_window(struct app *a, sim_ps t0, sim_ps t1, uint32_t now)
{
	sim_ps d = duration(a);

	if (t1 <= t0 + 1000)      /* never below 1 ns across the view */
		t1 = t0 + 1000;
	if (t1 - t0 > d) {
		t0 = 0;
		t1 = d;
	}
	if (t1 > d) {
		t0 -= t1 - d;
		t1 = d;
	}
	a->v.t0_ps = t0;
	a->v.t1_ps = t1;
	a->changed_ms = now ? now : 1;
}

/* Zoom by num/den around time c (at the cursor, or the middle). */
static void zoom(struct app *a, sim_ps c, uint64_t num, uint64_t den, uint32_t now)
{
	sim_ps span = a->v.t1_ps - a->v.t0_ps;
	sim_ps nspan = (sim_ps)((sim_u128)span * num / den);
	sim_ps left = (sim_ps)((sim_u128)(c - a->v.t0_ps) * num / den);

	if (nspan < 1000)
		nspan = 1000;
	set_window(a, c > left ? c - left : 0, (c > left ? c - left : 0) + nspan, now);
}

static void pan(struct app *a, int64_t dir, uint32_t now)
{
	sim_ps step = (a->v.t1_ps - a->v.t0_ps) / 5;

	if (dir < 0)
		set_window(a, a->v.t0_ps > step ? a->v.t0_ps - step : 0,
			   a->v.t0_ps > step ? a->v.t1_ps - step : a->v.t1_ps - a->v.t0_ps, now);
	else
		set_window(a, a->v.t0_ps + step, a->v.t1_ps + step, now);
}

/* Centre the view on violation i (keeping the span) and open its explanation. */
static void go_violation(struct app *a, int dir, uint32_t now)
{
	const struct viz_model *m = a->ss->overview;
	sim_ps here = a->v.selected >= 0 ? m->violations[a->v.selected].t_ps :
		      (a->v.t0_ps + a->v.t1_ps) / 2;
	int best = -1;

	for (unsigned i = 0; i < m->nviolations; i++) {
		sim_ps t = m->violations[i].t_ps;
		bool after = t > here || (t == here && (int)i > a->v.selected);
		bool before = t < here || (t == here && (int)i < a->v.selected);

		if (dir > 0 && after && (best < 0 || t < m->violations[best].t_ps))
			best = (int)i;
		if (dir < 0 && before && (best < 0 || t >= m->violations[best].t_ps))
			best = (int)i;
	}
	if (best < 0)
		return;
	{
		sim_ps t = m->violations[best].t_ps, half = (a->v.t1_ps - a->v.t0_ps) / 2;

		a->v.selected = best;
		set_window(a, t > half ? t - half : 0, (t > half ? t - half : 0) + 2 * half, now);
	}
}

static void lesson_text(struct app *a)
{
	const struct scenario *s = a->ss->s;
	const struct scn_lesson_step *st;

	if (a->step >= s->nlesson) {
		snprintf(a->panel, sizeof(a->panel), "End of the lesson.  Explore freely; ? for the keys.");
		return;
	}
	st = &s->lesson[a->step];
	snprintf(a->panel, sizeof(a->panel), "Step %u of %u: %s%s%s%s%s", a->step + 1, s->nlesson,
		 st->say, st->ask[0] ? "\n\nQuestion: " : "", st->ask,
		 a->lesson_state == 2 && st->reveal[0] ? "\n\nAnswer: " : "",
		 a->lesson_state == 2 ? st->reveal : "");
	if (a->lesson_state == 1)
		strncat(a->panel, "\n\n(l: reveal)", sizeof(a->panel) - strlen(a->panel) - 1);
	else
		strncat(a->panel, "\n\n(l: go on)", sizeof(a->panel) - strlen(a->panel) - 1);
}

/* 'l': reveal the answer, then go on to the next step. */
static void lesson_next(struct app *a)
{
	const struct scenario *s = a->ss->s;

	if (!a->o->lesson || a->step >= s->nlesson)
		return;
	if (a->lesson_state == 1 && s->lesson[a->step].reveal[0]) {
		a->lesson_state = 2;
	} else {
		a->step++;
		a->lesson_state = 0;
		a->v.playing = true;
		a->panel[0] = '\0';
	}
	if (a->lesson_state)
		lesson_text(a);
}

/* Playback: the playhead moves speed ps per wall ms; a lesson step stops it. */
static void advance(struct app *a, uint32_t dt_ms, uint32_t now)
{
	const struct scenario *s = a->ss->s;
	sim_ps next = a->v.play_ps + (sim_ps)a->v.speed * dt_ms;

	if (!a->v.playing)
		return;
	if (a->o->lesson && a->step < s->nlesson && next >= s->lesson[a->step].at_ps) {
		next = s->lesson[a->step].at_ps;
		a->v.playing = false;
		a->lesson_state = 1;
		lesson_text(a);
	}
	if (next >= duration(a)) {
		next = duration(a);
		a->v.playing = false;
	}
	a->v.play_ps = next;
	if (next > a->v.t1_ps || next < a->v.t0_ps) {
		sim_ps span = a->v.t1_ps - a->v.t0_ps;

		set_window(a, next > span / 10 ? next - span / 10 : 0,
			   (next > span / 10 ? next - span / 10 : 0) + span, now);
	}
}

static void key(struct app *a, SDL_Keycode k, uint32_t now)
{
	sim_ps c = a->v.cursor_x >= 0 ? viz_view_t(&a->v, a->v.cursor_x) :
		   (a->v.t0_ps + a->v.t1_ps) / 2;

	switch (k) {
	case SDLK_q:
	case SDLK_ESCAPE:
		a->quit = true;
		break;
	case SDLK_SPACE:
		a->v.playing = !a->v.playing;
		if (a->v.play_ps >= duration(a))
			a->v.play_ps = 0;
		break;
	case SDLK_PLUS: case SDLK_EQUALS: case SDLK_KP_PLUS:
		if (a->v.speed < UINT32_MAX / 2)
			a->v.speed *= 2;
		break;
	case SDLK_MINUS: case SDLK_KP_MINUS:
		if (a->v.speed > 1)
			a->v.speed /= 2;
		break;
	case SDLK_z:
		zoom(a, c, 1, 2, now);
		break;
	case SDLK_x:
		zoom(a, c, 2, 1, now);
		break;
	case SDLK_LEFT:
		pan(a, -1, now);
		break;
	case SDLK_RIGHT:
		pan(a, 1, now);
		break;
	case SDLK_HOME:
		set_window(a, 0, duration(a), now);
		break;
	case SDLK_n:
		go_violation(a, 1, now);
		break;
	case SDLK_p:
		go_violation(a, -1, now);
		break;
	case SDLK_l:
		lesson_next(a);
		break;
	case SDLK_SLASH: case SDLK_QUESTION: case SDLK_h:
		a->v.help = !a->v.help;
		break;
	default:
		break;
	}
}

static void event(struct app *a, const SDL_Event *e, uint32_t now)
{
	switch (e->type) {
	case SDL_QUIT:
		a->quit = true;
		break;
	case SDL_KEYDOWN:
		key(a, e->key.keysym.sym, now);
		break;
	case SDL_MOUSEMOTION:
		a->v.cursor_x = e->motion.x;
		a->v.cursor_y = e->motion.y;
		if (a->dragging)
			a->v.play_ps = viz_view_t(&a->v, e->motion.x);
		break;
	case SDL_MOUSEBUTTONDOWN:
		if (e->button.button == SDL_BUTTON_LEFT) {
			int hit = viz_hit_violation(a->ss->overview, &a->v, e->button.x);

			if (hit >= 0) {
				a->v.selected = hit == a->v.selected ? -1 : hit;
			} else {
				a->dragging = true;
				a->v.play_ps = viz_view_t(&a->v, e->button.x);
			}
		}
		break;
	case SDL_MOUSEBUTTONUP:
		a->dragging = false;
		break;
	case SDL_MOUSEWHEEL:
		if (e->wheel.y > 0)
			zoom(a, viz_view_t(&a->v, a->v.cursor_x), 2, 3, now);
		else if (e->wheel.y < 0)
			zoom(a, viz_view_t(&a->v, a->v.cursor_x), 3, 2, now);
		break;
	case SDL_WINDOWEVENT:
		if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
			a->v.width = e->window.data1;
			a->v.height = e->window.data2;
		}
		break;
	default:
		break;
	}
}

static int plot_width(const struct viz_view *v)
{
	return v->width - VIZ_GUTTER - VIZ_MARGIN;
}

static void init_view(struct app *a, struct viz_session *ss, const struct viz_app_opts *o)
{
	memset(&a->v, 0, sizeof(a->v));
	a->ss = ss;
	a->o = o;
	a->v.t0_ps = o->from_ps;
	a->v.t1_ps = o->to_ps ? o->to_ps : ss->s->duration_ps;
	a->v.width = o->width;
	a->v.height = o->height;
	a->v.lanes = o->lanes;
	a->v.cursor_x = a->v.cursor_y = -1;
	a->v.selected = o->selected;
	a->v.title = o->title;
	/* the whole run in 20 s of wall time by default */
	a->v.speed = (unsigned)(ss->s->duration_ps / 20000 > 0 ? ss->s->duration_ps / 20000 : 1);
	if (ss->s->duration_ps / 20000 > UINT32_MAX)
		a->v.speed = UINT32_MAX;
}

bool viz_app_png(struct viz_session *ss, const struct viz_app_opts *o, const char *path,
		 char *why, size_t len)
{
	static struct app a;
	const struct viz_model *m;
	struct sim_diag err;
	uint64_t t0;

	sim_diag_clear(&err);
	init_view(&a, ss, o);
	/* teaching mode: the frame at the first step, its question asked */
	if (o->lesson && ss->s->nlesson) {
		a.lesson_state = 1;
		a.v.play_ps = ss->s->lesson[0].at_ps;
		lesson_text(&a);
		a.v.panel = a.panel;
		a.v.hide_after_ps = a.v.play_ps;
	}
	m = viz_session_model(ss, a.v.t0_ps, a.v.t1_ps, plot_width(&a.v), true, &err);
	if (err.msg[0]) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	viz_layout(m, &a.v, &a.d);
	t0 = now_us();
	if (o->draw_list) {
		FILE *f = fopen(o->draw_list, "w");

		if (!f) {
			snprintf(why, len, "cannot write %s", o->draw_list);
			return false;
		}
		viz_draw_dump(&a.d, f);
		if (fclose(f) != 0) {
			snprintf(why, len, "error writing %s", o->draw_list);
			return false;
		}
	}
	if (!viz_render_png(&a.d, a.v.width, a.v.height, path, why, len))
		return false;
	if (o->stats)
		fprintf(stderr, "sim viz: run and model %" PRIu64 " ms, frame (render, PNG) %" PRIu64
			" ms, %u detail runs, peak RSS %lu kB\n", ss->open_us / 1000,
			(now_us() - t0) / 1000, ss->rebuilds, peak_rss_kb());
	return true;
}

static bool save_shot(SDL_Renderer *r, int w, int h, const char *path, char *why, size_t len)
{
	SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
	bool ok;

	if (!s || SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) != 0) {
		snprintf(why, len, "cannot read the window's pixels: %s", SDL_GetError());
		SDL_FreeSurface(s);
		return false;
	}
	ok = viz_write_png(path, s->pixels, w, h, s->pitch / 4, why, len);
	SDL_FreeSurface(s);
	return ok;
}

bool viz_app_run(struct viz_session *ss, const struct viz_app_opts *o, char *why, size_t len)
{
	static struct app a;
	static struct detail_job job;
	SDL_Window *win;
	SDL_Renderer *r;
	struct viz_renderer *vr;
	uint32_t last, first;
	bool ok = true;

	memset(&a, 0, sizeof(a));
	init_view(&a, ss, o);
	if (SDL_Init(SDL_INIT_VIDEO) != 0) {
		snprintf(why, len, "cannot open a display (SDL: %s); use --png for a frame without one",
			 SDL_GetError());
		return false;
	}
	win = SDL_CreateWindow(o->title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width,
			       o->height, SDL_WINDOW_RESIZABLE);
	r = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_PRESENTVSYNC) : NULL;
	if (win && !r)
		r = SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
	vr = r ? viz_renderer_create(r, why, len) : NULL;
	if (!win || !r || !vr) {
		if (!win || !r)
			snprintf(why, len, "cannot open a window: %s", SDL_GetError());
		viz_renderer_destroy(vr);
		if (r)
			SDL_DestroyRenderer(r);
		if (win)
			SDL_DestroyWindow(win);
		SDL_Quit();
		return false;
	}
	if (o->lesson) {
		a.v.playing = ss->s->nlesson > 0;
		if (!ss->s->nlesson)
			snprintf(a.panel, sizeof(a.panel), "This scenario has no lesson.");
	}
	last = first = SDL_GetTicks();
	while (!a.quit) {
		SDL_Event e;
		uint32_t now;
		uint64_t t0_us;
		const struct viz_model *m;
		struct sim_diag err;
		uint64_t us;

		while (SDL_PollEvent(&e))
			event(&a, &e, SDL_GetTicks());
		now = SDL_GetTicks();
		advance(&a, now - last, now);
		last = now;
		sim_diag_clear(&err);
		t0_us = now_us();
		/* a settled view that the models do not resolve: build a detail beside the frames */
		if (finish_detail(&job, ss, false) && a.changed_ms &&
		    now - a.changed_ms >= REFINE_AFTER_MS) {
			a.changed_ms = 0;
			if (viz_session_needs_detail(ss, a.v.t0_ps, a.v.t1_ps, plot_width(&a.v)) &&
			    !start_detail(&job, ss, a.v.t0_ps, a.v.t1_ps))
				viz_session_model(ss, a.v.t0_ps, a.v.t1_ps, plot_width(&a.v), true, &err);
		}
		m = viz_session_model(ss, a.v.t0_ps, a.v.t1_ps, plot_width(&a.v), false, &err);
		a.v.panel = a.panel[0] ? a.panel : NULL;
		a.v.hide_after_ps = o->lesson && a.step < ss->s->nlesson && a.lesson_state != 2 ?
				    (a.v.play_ps ? a.v.play_ps : 1) : 0;
		viz_layout(m, &a.v, &a.d);
		SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
		SDL_RenderClear(r);
		viz_render(vr, &a.d);
		us = now_us() - t0_us;
		a.frames++;
		a.frame_us_total += us;
		if (us > a.frame_us_max)
			a.frame_us_max = us;
		if (a.quit && o->shot)
			ok = save_shot(r, a.v.width, a.v.height, o->shot, why, len);
		SDL_RenderPresent(r);
		if (a.frames == 1 && o->stats) {
			/* scripted drivers (tests/viz_window.sh) wait for this line */
			fprintf(stderr, "sim viz: window ready\n");
			fflush(stderr);
		}
		/* about 60 frames a second where the renderer does not wait for vsync */
		if (SDL_GetTicks() - now < 16)
			SDL_Delay(16 - (SDL_GetTicks() - now));
	}
	finish_detail(&job, ss, true);
	if (o->stats && a.frames)
		fprintf(stderr, "sim viz: run and model %" PRIu64 " ms; %" PRIu64 " frames in %" PRIu32
			" ms, layout and render mean %" PRIu64 " us, max %" PRIu64 " us (with %u detail "
			"runs); peak RSS %lu kB\n", ss->open_us / 1000, a.frames, SDL_GetTicks() - first,
			a.frame_us_total / a.frames, a.frame_us_max, ss->rebuilds, peak_rss_kb());
	if (o->stats) {
		char t0[48], t1[48], p[48];

		fprintf(stderr, "sim viz: last view %s .. %s, playhead %s, violation %d open, "
			"lesson step %u %s\n",
			viz_fmt_time(t0, sizeof(t0), a.v.t0_ps), viz_fmt_time(t1, sizeof(t1), a.v.t1_ps),
			viz_fmt_time(p, sizeof(p), a.v.play_ps), a.v.selected, a.step,
			a.lesson_state == 2 ? "revealed" : a.lesson_state == 1 ? "asked" : "playing");
	}
	viz_renderer_destroy(vr);
	SDL_DestroyRenderer(r);
	SDL_DestroyWindow(win);
	SDL_Quit();
	return ok;
}
