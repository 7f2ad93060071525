/*
 * The visualizer's window and PNG renderer as a shared module (sim-viz.so):
 * `sim viz` loads it with dlopen, so that the `sim` executable links no
 * SDL2 and starts in a few milliseconds (SDL2 and its ~60 libraries cost
 * every `sim run` about 30 ms of loading).  The module exports one table;
 * the sizes guard against a module from another build.
 */
#ifndef VIZ_MODULE_H
#define VIZ_MODULE_H

#include <stddef.h>

#include "viz/app.h"

#define VIZ_MODULE_ABI 1
#define VIZ_MODULE_SYMBOL "sim_viz_module"
#define VIZ_MODULE_FILE "sim-viz.so"

struct viz_module_ops {
	unsigned abi;                     /* VIZ_MODULE_ABI */
	size_t session_size;              /* sizeof(struct viz_session) where it was built */
	size_t scenario_size;             /* sizeof(struct scenario) */
	bool (*open)(struct viz_session *ss, const struct scenario *s, uint64_t max_events,
		     viz_explain_fn *fn, void *ctx, struct sim_diag *err);
	bool (*run)(struct viz_session *ss, const struct viz_app_opts *o, char *why, size_t len);
	bool (*png)(struct viz_session *ss, const struct viz_app_opts *o, const char *path,
		    char *why, size_t len);
	void (*close)(struct viz_session *ss);
};

#endif
