/*
 * The plugins of one run (docs/plugins.md): shared objects opened with
 * dlopen, their descriptors checked against the ABI (include/sim/plugin.h),
 * and the adapters that put each part behind sim's own interfaces:
 *   pvclock_writer  KVM's page writer hook (kvm_vm.page_writer, writer.c)
 *   pvclock_reader  the "pvclock" reader kind's read (guest_reader_params, reader.c)
 *   pmtimer         a stand-in chip for the board's PM timer (platform_params, device.c)
 * A part nobody replaces stays sim's own.  Every call into a plugin is
 * guarded (guard.h): a crash or garbage stops the run with an error naming
 * the plugin, the part and the event.
 */
#ifndef SIM_PLUGIN_PLUGIN_SET_H
#define SIM_PLUGIN_PLUGIN_SET_H

#include <stdbool.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/devices/platform.h"
#include "sim/guest/reader.h"
#include "sim/kvm/kvm.h"
#include "sim/plugin/plugin_parts.h"
#include "sim/scenario/scenario.h"

struct plugin_set;

/* Who stands in for one part. */
struct plugin_foreign {
	const char *name;         /* the descriptor's name */
	const char *path;         /* the file opened */
	const char *json_path;    /* "/plugins/0" or "--plugin" */
};

/*
 * Opens specs[0..n) (struct scn_plugin: the scenario's "plugins" and the
 * command line's), checks each descriptor and decides who replaces which
 * part; failures are queued on q (sim_eventq_fail) when a call fails during
 * the run.  NULL with err (path and JSON pointer set) when a file cannot be
 * opened, has no entry point, an ABI out of range, garbage in its
 * descriptor, no part that was asked for, or a part another entry takes.
 * n == 0 gives an empty set.
 */
struct plugin_set *plugin_set_open(const struct scn_plugin *specs, unsigned n,
				   struct sim_eventq *q, struct sim_diag *err);

/* Destroys the plugins' states and closes the files; accepts NULL. */
void plugin_set_close(struct plugin_set *ps);

/* Who replaces part p, or NULL (sim's own). */
const struct plugin_foreign *plugin_set_part(const struct plugin_set *ps, enum plugin_part p);

/*
 * A run that failed with err while parts were foreign: unless err is a
 * plugin's own (it names the plugin), add which parts were, since sim's
 * models may have failed on what a plugin gave them.
 */
void plugin_set_amend(const struct plugin_set *ps, struct sim_diag *err);

/* Hooks the replaced parts in: before platform_init, after kvm_vm_init, per reader. */
void plugin_set_board(struct plugin_set *ps, struct platform_params *pp);
void plugin_set_kvm(struct plugin_set *ps, struct kvm_vm *vm);
void plugin_set_reader(struct plugin_set *ps, struct guest_reader_params *p);

#endif
