/*
 * `sim viz`: the teaching visualizer (viz/, docs/visualizer.md).  Built
 * with SDL2 (meson -Dviz); without it the command says so and exits 2.
 * The window and the renderer are the module sim-viz.so (viz/module.h),
 * loaded here, so that no other command pays for SDL2's libraries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/report.h"
#include "sim/core/units.h"
#include "sim/machine/budget.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

#ifdef SIM_HAVE_VIZ
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include "viz/module.h"
#endif

static const char viz_help[] =
	"usage: sim viz [OPTIONS] FILE\n"
	"\n"
	"Runs the scenario and shows it on one true-time axis: each CPU's or vCPU's\n"
	"TSC error against an ideal clock, each reader's value minus true time with\n"
	"its violations, each vCPU's pvclock page, the interrupt lines, the VMM's\n"
	"phases and the host's events (docs/visualizer.md).  Press ? for the keys.\n"
	"\n"
	"  --png OUT.png   render one frame without a display and exit\n"
	"  --from T        the first instant shown (default 0), e.g. 4.9s\n"
	"  --to T          the last instant shown (default: the end of the run)\n"
	"  --size WxH      the frame in pixels (default 1280x720)\n"
	"  --lanes LIST    lane kinds to show, comma-separated: tsc,reader,pvclock,\n"
	"                  irq,host (default: all)\n"
	"  --lesson        teaching mode: the scenario's \"lesson\" steps, one by one\n"
	"  --shot OUT.png  when the window closes, write its last frame here\n"
	"  --stats         print the run's time, frame times and peak memory to stderr\n"
	"                  (with --png: at once; in the window: when it closes)\n"
	"  --draw-list F   with --png: also write the frame's draw list to F as text\n"
	"  --violation N   open violation N's explanation (0: the first in time)\n"
	"  --max-events N  the event budget (as for sim run)\n"
	"\n"
	"exit status: 0 done, 2 invalid input or usage, or no display.\n";

struct viz_opts {
	const char *file, *png, *shot, *draw_list;
	sim_ps from_ps, to_ps;
	bool have_to, lesson, stats;
	int width, height;
	unsigned lanes;
	uint64_t max_events;
	bool have_violation;
	uint64_t violation;
};

static int parse_time(const char *opt, const char *arg, sim_ps *out)
{
	char why[160];

	if (!sim_parse_duration_ps(arg, out, why, sizeof(why)))
		return cli_usage_error("viz", "%s: %s", opt, why);
	return EXIT_OK;
}

static int parse_index(const char *arg, uint64_t *out)
{
	char why[160];

	if (!sim_parse_u64(arg, out, why, sizeof(why)))
		return cli_usage_error("viz", "--violation: %s", why);
	return EXIT_OK;
}

static int parse_size(const char *arg, int *w, int *h)
{
	unsigned a, b;
	char tail;

	if (sscanf(arg, "%ux%u%c", &a, &b, &tail) != 2 || a < 320 || b < 200 || a > 4096 ||
	    b > 4096)
		return cli_usage_error("viz", "--size: expected WxH from 320x200 to 4096x4096, got "
				       "\"%.40s\"", arg);
	*w = (int)a;
	*h = (int)b;
	return EXIT_OK;
}

static int parse_viz(int argc, char **argv, struct viz_opts *o, bool *help)
{
	o->width = 1280;
	o->height = 720;
	o->max_events = BUDGET_DEFAULT_MAX_EVENTS;
#ifdef SIM_HAVE_VIZ
	o->lanes = VIZ_LANES_ALL;
#endif
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int st = EXIT_OK;

		if (cli_parse_max_events("viz", argc, argv, &i, &o->max_events, &st)) {
			if (st != EXIT_OK)
				return st;
			continue;
		}
		if (cli_is_help(a)) {
			*help = true;
			return EXIT_OK;
		}
		if (strcmp(a, "--lesson") == 0) {
			o->lesson = true;
		} else if (strcmp(a, "--stats") == 0) {
			o->stats = true;
		} else if (strcmp(a, "--png") == 0 || strcmp(a, "--shot") == 0 ||
			   strcmp(a, "--draw-list") == 0 || strcmp(a, "--violation") == 0 ||
			   strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0 ||
			   strcmp(a, "--size") == 0 || strcmp(a, "--lanes") == 0) {
			const char *arg = i + 1 < argc ? argv[++i] : NULL;

			if (!arg)
				return cli_usage_error("viz", "%s needs a value (see sim viz --help)", a);
			if (strcmp(a, "--png") == 0)
				o->png = arg;
			else if (strcmp(a, "--shot") == 0)
				o->shot = arg;
			else if (strcmp(a, "--draw-list") == 0)
				o->draw_list = arg;
			else if (strcmp(a, "--violation") == 0)
				st = parse_index(arg, &o->violation), o->have_violation = true;
			else if (strcmp(a, "--from") == 0)
				st = parse_time(a, arg, &o->from_ps);
			else if (strcmp(a, "--to") == 0)
				st = parse_time(a, arg, &o->to_ps), o->have_to = true;
			else if (strcmp(a, "--size") == 0)
				st = parse_size(arg, &o->width, &o->height);
#ifdef SIM_HAVE_VIZ
			else {
				char why[160];

				if (!viz_parse_lanes(arg, &o->lanes, why, sizeof(why)))
					return cli_usage_error("viz", "--lanes: %s", why);
			}
#endif
			if (st != EXIT_OK)
				return st;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cli_usage_error("viz", "unknown option %s", a);
		} else if (o->file) {
			return cli_usage_error("viz", "one scenario file at a time (got %s and %s)",
					       o->file, a);
		} else {
			o->file = a;
		}
	}
	if (!o->file)
		return cli_usage_error("viz", "%s", "no scenario file given");
	if (o->draw_list && !o->png)
		return cli_usage_error("viz", "--draw-list goes with --png");
	if (o->have_to && o->to_ps <= o->from_ps)
		return cli_usage_error("viz", "--to must come after --from");
	return EXIT_OK;
}

#ifdef SIM_HAVE_VIZ
/* dlopen path: false with why when it cannot be loaded or is from another build. */
static bool try_module(const char *path, const struct viz_module_ops **ops, char *why,
		       size_t len)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const struct viz_module_ops *o;

	if (!h) {
		snprintf(why, len, "%s", dlerror());
		return false;
	}
	o = dlsym(h, VIZ_MODULE_SYMBOL);
	if (!o || o->abi != VIZ_MODULE_ABI || o->session_size != sizeof(struct viz_session) ||
	    o->scenario_size != sizeof(struct scenario)) {
		snprintf(why, len, "%s is not this sim's visualizer (another build?)", path);
		dlclose(h);
		return false;
	}
	*ops = o;                         /* kept loaded until the process ends */
	return true;
}

/*
 * sim-viz.so: $SIM_VIZ_MODULE, else beside the executable as the build tree
 * has it (build/sim/sim, build/viz/sim-viz.so), else where meson installs it.
 */
static const struct viz_module_ops *load_module(char *why, size_t len)
{
	const struct viz_module_ops *ops = NULL;
	const char *env = getenv("SIM_VIZ_MODULE");
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;

	if (env && *env)
		return try_module(env, &ops, why, len) ? ops : NULL;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(path, sizeof(path), "%s/../viz/%s", exe, VIZ_MODULE_FILE);
		if (access(path, F_OK) == 0)
			return try_module(path, &ops, why, len) ? ops : NULL;
	}
	return try_module(SIM_VIZ_MODULE_INSTALLED, &ops, why, len) ? ops : NULL;
}

/* The report's words for each violation of a reader group, by reader and check name. */
static void explain(void *ctx, const struct machine *m, struct viz_model *vm)
{
	const struct scenario *s = ctx;

	for (unsigned i = 0; i < vm->nviolations; i++) {
		struct viz_violation *v = &vm->violations[i];
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		for (unsigned g = 0; g < s->nreaders; g++) {
			if (strcmp(s->readers[g].name, v->reader) != 0)
				continue;
			for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
				if (strcmp(oracle_check_name(c), v->check) != 0 ||
				    !(f = open_memstream(&buf, &len)))
					continue;
				report_violation_words(f, s, m, g, c);
				fclose(f);
			}
		}
		if (buf) {
			/* one line each, without the report's indentation */
			const char *p = buf;
			size_t n = 0;
			bool line_start = true;

			while (*p && n + 1 < sizeof(v->explain)) {
				if (*p == ' ' && line_start) {
					p++;
					continue;
				}
				line_start = *p == '\n';
				v->explain[n++] = *p++;
			}
			v->explain[n] = '\0';
		} else {
			char check[sizeof(v->check)];

			memcpy(check, v->check, sizeof(check));
			snprintf(v->explain, sizeof(v->explain), "%s: its first violation; the "
				 "report's host check section gives its numbers", check);
		}
		free(buf);
	}
}
#endif

int cmd_viz(int argc, char **argv)
{
	struct viz_opts o = { 0 };
	bool help = false;
	int status = parse_viz(argc, argv, &o, &help);

	if (help) {
		fputs(viz_help, stdout);
		return EXIT_OK;
	}
	if (status != EXIT_OK)
		return status;
#ifndef SIM_HAVE_VIZ
	fprintf(stderr, "sim viz: this sim was built without the visualizer (SDL2 was not found "
		"at build time; install libsdl2-dev, libsdl2-ttf-dev and libpng-dev, then "
		"meson setup --reconfigure -Dviz=enabled)\n");
	return EXIT_USAGE;
#else
	{
		struct sim_diag err;
		struct sim_diag_list errs;
		struct scenario *s;
		struct viz_session ss;
		struct viz_app_opts ao = { 0 };
		char title[200], why[PATH_MAX + 400];
		const struct viz_module_ops *viz = load_module(why, sizeof(why));
		bool ok;

		if (!viz) {
			fprintf(stderr, "sim viz: cannot load the visualizer module: %s (set "
				"SIM_VIZ_MODULE to the path of %s)\n", why, VIZ_MODULE_FILE);
			return EXIT_USAGE;
		}
		sim_diag_clear(&err);
		s = scenario_load_all(o.file, &err, &errs);
		if (!s || !budget_check(s, o.max_events, NULL, &err) ||
		    !viz->open(&ss, s, o.max_events, explain, s, &err)) {
			cli_locate(&err, s);
			cli_print_diags(&err, &errs, s);
			scenario_destroy(s);
			return EXIT_USAGE;
		}
		if (o.from_ps >= s->duration_ps || (o.have_to && o.to_ps > s->duration_ps)) {
			char d[32];

			sim_format_seconds(d, s->duration_ps);
			viz->close(&ss);
			scenario_destroy(s);
			return cli_usage_error("viz", "--from and --to must lie within the run "
					       "(0 to %s s)", d);
		}
		if (o.have_violation && o.violation >= ss.overview->nviolations) {
			unsigned n = ss.overview->nviolations;

			viz->close(&ss);
			scenario_destroy(s);
			return cli_usage_error("viz", "--violation %llu: the run has %u violation%s",
					       (unsigned long long)o.violation, n, n == 1 ? "" : "s");
		}
		snprintf(title, sizeof(title), "%s  (%s)", s->name, o.file);
		ao = (struct viz_app_opts){ .from_ps = o.from_ps,
					    .to_ps = o.have_to ? o.to_ps : s->duration_ps,
					    .width = o.width, .height = o.height, .lanes = o.lanes,
					    .title = title, .lesson = o.lesson, .shot = o.shot,
					    .stats = o.stats, .draw_list = o.draw_list,
					    .selected = o.have_violation ? (int)o.violation : -1 };
		if (o.png)
			ok = viz->png(&ss, &ao, o.png, why, sizeof(why));
		else
			ok = viz->run(&ss, &ao, why, sizeof(why));
		if (!ok)
			fprintf(stderr, "sim viz: %s\n", why);
		viz->close(&ss);
		scenario_destroy(s);
		return ok ? EXIT_OK : EXIT_USAGE;
	}
#endif
}
