/*
 * The inside of oracle/hw: what a host check kind implements, and what the
 * set (host_checks.c) gives every kind.  The machine uses host_checks.h;
 * outside oracle/hw only the registry's test includes this.
 *
 * A kind is one file (flag_truth.c, tsc_sync.c, watchdog.c, timer.c) that
 * defines `const struct host_check_ops host_check_<stem>_ops` (the stem in
 * host_check_kind.h).  The set allocates ops->state_size zeroed bytes per
 * check, calls setup once in config order, forwards the machine's hooks to
 * the checks of the hook's host, and calls finish, then judges.
 */
#ifndef ORACLE_HW_HOST_CHECK_H
#define ORACLE_HW_HOST_CHECK_H

#include <stdarg.h>
#include <stddef.h>

#include "oracle/hw/host_checks.h"

struct host_check;

struct host_check_ops {
	enum host_check_kind kind;
	size_t state_size;                /* the kind's state, k->state, zeroed by the set */
	/*
	 * Validates the config against the host and queues the kind's events.
	 * It initialises its events before it can fail: destroy runs after a
	 * setup that ran, even one that failed.
	 */
	bool (*setup)(struct host_check *k, struct sim_diag *err);
	/* Hooks on a CPU of k's host, after the change (NULL: not interested). */
	void (*cstate_enter)(struct host_check *k, unsigned cpu, unsigned cstate, sim_ps now);
	void (*cstate_exit)(struct host_check *k, unsigned cpu, sim_ps now);
	void (*tsc_changed)(struct host_check *k, unsigned cpu, sim_ps now);
	/*
	 * Trace records of the kinds in trace_mask (SIM_TRACE_BIT()s), in the
	 * order they happen; the set subscribes once for all its checks.  0 /
	 * NULL: not interested.
	 */
	uint32_t trace_mask;
	void (*record)(struct host_check *k, const struct sim_trace_record *rec);
	/* Fills k->r at the end of the run, except expectation_met. */
	void (*finish)(struct host_check *k, sim_ps end);
	/* Cancels the kind's events and frees what setup allocated (NULL: nothing). */
	void (*destroy)(struct host_check *k);
};

/* The registry: one row per kind, indexed by enum host_check_kind. */
const struct host_check_ops *host_check_ops_of(enum host_check_kind kind);

struct host_check {
	const struct host_check_ops *ops;
	struct host_checks *set;
	struct host_check_config cfg;     /* a copy */
	struct host *h;                   /* cfg.host's hardware */
	struct host_checks_env env;       /* the set's, with this check's VM (host_check_env) */
	struct sim_eventq *q;
	uint64_t seed;
	struct host_check_result r;
	bool kind_unmet;                  /* an expectation of the kind's own failed (finish) */
	bool set_up;                      /* setup ran: destroy must run */
	bool reported;                    /* the first violation went to the trace */
	void *state;                      /* ops->state_size bytes */
};

/* The first check of `kind` on `host` in config order (k itself, or one set up before). */
struct host_check *host_checks_first_of(struct host_checks *hc, enum host_check_kind kind,
					unsigned host);

/* What the set runs on: the VM and the board for the VM kinds (host_checks.h). */
const struct host_checks_env *host_check_env(const struct host_check *k);

/* The first violation: to the trace stream if one is set (once per check). */
void host_check_violation(struct host_check *k, sim_ps now, unsigned cpu, int64_t amount);

/* ---- shared by the kinds' texts and models ---- */

/* snprintf that may truncate (texts are bounded; the cut is harmless). */
void hc_put(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends to a NUL-terminated buffer; silently truncates. */
void hc_append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A signed duration with its unit: "5.000000 ms", "-20.000 us", "750 ps"; buf holds 40 bytes. */
const char *hc_dur(char *buf, int64_t ps);

/* As hc_dur(), but from one second up in seconds: "3600.000000 s"; buf holds 40 bytes. */
const char *hc_dur_s(char *buf, int64_t ps);

int64_t hc_abs64(int64_t v);

bool hc_same_freq(struct sim_freq a, struct sim_freq b);

/*
 * The flags as Linux sees them on the boot CPU (CPU 0): CPUID.80000007H:EDX[8]
 * sets both CONSTANT_TSC and NONSTOP_TSC (init_intel(), init_amd()).
 */
struct tsc_features hc_linux_features(const struct host *h);

#endif
