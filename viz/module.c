/* The table `sim viz` looks up in sim-viz.so (viz/module.h). */
#include "viz/module.h"

extern const struct viz_module_ops sim_viz_module;

const struct viz_module_ops sim_viz_module = {
	.abi = VIZ_MODULE_ABI,
	.session_size = sizeof(struct viz_session),
	.scenario_size = sizeof(struct scenario),
	.open = viz_app_open,
	.run = viz_app_run,
	.png = viz_app_png,
	.close = viz_session_close,
};
