/*
 * What the plugin room's files share: one opened plugin, the set, and the
 * crash guard around every call into plugin code.
 *
 * The guard: while a call runs, SIGSEGV, SIGBUS, SIGFPE and SIGILL jump back
 * to the caller (sigsetjmp/siglongjmp), which reports the fault and stops
 * the run.  A run-time check alone cannot catch a wild pointer in code sim
 * did not compile; a child process per call would cost a context switch per
 * read.  The handlers are installed while a set with plugins is open and
 * pass a fault outside a plugin call on to whoever had the signal before
 * (the default action, or a sanitizer).  Single-threaded, like the run.
 */
#ifndef SIM_PLUGIN_INTERNAL_H
#define SIM_PLUGIN_INTERNAL_H

#include <setjmp.h>
#include <signal.h>

#include "include/sim/plugin.h"
#include "sim/plugin/plugin_set.h"

struct plugin {
	void *dl;
	const struct sim_plugin_descriptor *d;
	void *state;
	struct plugin_foreign who;
};

/* One read's retries before a foreign reader is judged stuck. */
#define PLUGIN_READER_MAX_ATTEMPTS 1000u

struct plugin_set {
	struct sim_eventq *q;
	unsigned n;
	struct plugin plugins[SCN_MAX_PLUGINS];
	struct plugin *part[PLUGIN_PART_COUNT];   /* NULL: sim's own */
	bool handlers;                            /* the guard's handlers are installed */
	uint64_t guest_last_value;                /* the foreign reader's guest-wide word */
};

extern sigjmp_buf plugin_guard_jb;
extern volatile sig_atomic_t plugin_guard_on;
extern volatile sig_atomic_t plugin_guard_sig;

/*
 * GUARDED(call, ok): runs call with the guard on; ok is false when it
 * faulted (the signal is plugin_guard_sig).  sigsetjmp must be the whole
 * controlling expression, hence a macro; savemask 0 (no system call per
 * call) works because the handlers run with SA_NODEFER.
 */
#define GUARDED(call, ok)                                                         \
	do {                                                                      \
		if (sigsetjmp(plugin_guard_jb, 0) == 0) {                         \
			plugin_guard_on = 1;                                      \
			call;                                                     \
			plugin_guard_on = 0;                                      \
			(ok) = true;                                              \
		} else {                                                          \
			(ok) = false;                                             \
		}                                                                 \
	} while (0)

/* "SIGSEGV (invalid memory access)" for plugin_guard_sig. */
const char *plugin_signal_name(int sig);

/*
 * Stops the run at `now` with "plugin NAME (PATH, JSONPATH), part P, at T s
 * [on vCPU V]: what" (vcpu < 0: none).
 */
void plugin_fail(struct plugin_set *ps, const struct plugin *pl, enum plugin_part part,
		 sim_ps now, int vcpu, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The part's hooks (writer.c, reader.c, device.c). */
bool plugin_writer_hook(void *ctx, struct kvm_vcpu *v, uint64_t host_tsc, uint64_t kernel_ns,
			sim_ps now);
bool plugin_reader_hook(void *ctx, struct guest_reader *r,
			const struct pvclock_vcpu_time_info *seen, sim_ps now, uint64_t *value_ns);
extern const struct board_chip plugin_pmtimer_chip;

#endif
