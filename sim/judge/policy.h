/*
 * What `sim judge` checks and with which thresholds: from the command line
 * (--check NAME, --threshold CHECK=VALUE) and from a small JSON policy file
 * (docs/trace-format.md, "Policy").  The oracle checks take the keys a
 * scenario reader's "checks" take; the host-side replay has its own three.
 */
#ifndef SIM_JUDGE_POLICY_H
#define SIM_JUDGE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle/oracle.h"
#include "sim/core/diag.h"

#define JUDGE_POLICY_CLOCKS 32

/* The host-side replay's checks (judge/replay.h): X(ID, "name"). */
#define JUDGE_HOST_CHECKS(X)                                                           \
	X(JUDGE_PAGE_STEP, "page_step")     /* a rewrite steps a vCPU's kvmclock */          \
	X(JUDGE_CROSS_VCPU, "cross_vcpu")   /* a stable page disagrees with another vCPU's */ \
	X(JUDGE_WATCHDOG, "watchdog")       /* Linux's clocksource watchdog decision */

enum judge_host_check {
#define JUDGE_HOST_ENUM(id, name) id,
	JUDGE_HOST_CHECKS(JUDGE_HOST_ENUM)
#undef JUDGE_HOST_ENUM
	JUDGE_HOST_CHECK_COUNT
};

const char *judge_host_check_name(enum judge_host_check c);

struct judge_host_config {
	int64_t threshold_ps;     /* page_step: forward steps above it (back: any); cross_vcpu */
	enum oracle_expect expect;
};

struct judge_checks {
	bool named;               /* the policy or the command line named at least one check */
	struct oracle_check_config c[ORACLE_CHECK_COUNT];
};

struct judge_policy {
	struct judge_checks all;  /* every clock's, unless it has its own */
	unsigned nclocks;
	struct {
		char name[ORACLE_NAME_MAX];
		struct judge_checks checks;
	} clocks[JUDGE_POLICY_CLOCKS];
	struct judge_host_config host[JUDGE_HOST_CHECK_COUNT];
	unsigned watchdog_hz;            /* CONFIG_HZ of the guest whose dmesg it was (1000) */
	unsigned watchdog_max_skew_us;   /* CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US (125) */
	bool tsc_ns;              /* "value" reads of clock "tsc" in ns through the header's tsc_khz */
};

/* No check named, host thresholds at their defaults (docs/trace-format.md). */
void judge_policy_init(struct judge_policy *p);

/*
 * The checks of a clock called name: its own section, else the policy's
 * "checks", else mono_vcpu and mono_causal (nothing named anywhere).
 */
void judge_policy_checks(const struct judge_policy *p, const char *name,
			 struct oracle_check_config out[ORACLE_CHECK_COUNT]);

/* --check NAME: turns the check on for every clock (diag on an unknown name). */
bool judge_policy_check(struct judge_policy *p, const char *name, struct sim_diag *d);

/* --threshold CHECK=VALUE: an oracle check's (turned on) or a host check's threshold. */
bool judge_policy_threshold(struct judge_policy *p, const char *arg, struct sim_diag *d);

/* Reads the policy file `path` (at most 64 KiB); d names the file, line, column and key. */
bool judge_policy_load(struct judge_policy *p, const char *path, struct sim_diag *d);

#endif
