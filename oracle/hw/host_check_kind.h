/*
 * The host check kinds: one list, read by the scenario model (its enum
 * scn_host_check_kind is generated from it), the loader (names, units, the
 * VM rule), the setup (translate functions), the reports (names, units) and
 * oracle/hw (the ops registry, the VM rule).  Header-only, so that the
 * plain-data scenario and the reports can name a kind without linking the
 * checks.
 *
 * X(ID, "name", unit, scope, stem): the name is the scenario's "check"
 * value; the unit is that of the kind's worst value and "worst" bounds; the
 * scope says whether it needs the VM (the loader and the set refuse it
 * without one); the stem names the kind's ops table, host_check_<stem>_ops in
 * oracle/hw/<stem>.c, and its translation, translate_<stem>() in
 * sim/machine/host_check_setup.c.
 */
#ifndef ORACLE_HW_HOST_CHECK_KIND_H
#define ORACLE_HW_HOST_CHECK_KIND_H

#include <stdbool.h>
#include <stddef.h>

enum host_check_unit {
	HOST_CHECK_UNIT_PPB,      /* a rate error, parts per 10^9 */
	HOST_CHECK_UNIT_CYCLES,   /* TSC cycles */
	HOST_CHECK_UNIT_PS,       /* a duration or skew, signed ps */
	HOST_CHECK_UNIT_COUNT
};

/* What a kind judges, and so what the scenario must have. */
enum host_check_scope {
	HOST_CHECK_ON_HOST,       /* a host's hardware (a VM may run on it, or not) */
	HOST_CHECK_ON_VM,         /* KVM or the guest: needs the scenario's "vm" */
};

#define HOST_CHECK_KINDS(X)                                                                 \
	/* advertised TSC flags hold */                                                     \
	X(FLAG_TRUTH, "flag_truth", HOST_CHECK_UNIT_PPB, HOST_CHECK_ON_HOST, flag_truth)    \
	/* Linux's boot-time TSC sync check */                                              \
	X(TSC_SYNC, "tsc_sync", HOST_CHECK_UNIT_CYCLES, HOST_CHECK_ON_HOST, tsc_sync)       \
	/* Linux's clocksource watchdog (the host's, or with "kvm-clock" the guest's) */    \
	X(WATCHDOG, "watchdog", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_HOST, watchdog)           \
	/* an APIC timer fires on time */                                                   \
	X(TIMER, "timer", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_HOST, timer)                    \
	/* PVCLOCK_TSC_STABLE_BIT holds */                                                  \
	X(STABLE_BIT, "stable_bit", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_VM, stable_bit)       \
	/* a VMM's TSC write takes effect */                                                \
	X(TSC_WRITE, "tsc_write", HOST_CHECK_UNIT_CYCLES, HOST_CHECK_ON_VM, tsc_write)      \
	/* a tick-counting clock after outages */                                           \
	X(TICK_COUNT, "tick_count", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_HOST, tick_count)     \
	/* the guest's clock IDs across a stop (judged from reads: the loader wants a VM) */ \
	X(CLOCK_CONSISTENCY, "clock_consistency", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_HOST,   \
	  clock_consistency)                                                                \
	/* pvclock page rewrites */                                                         \
	X(PAGE_STEP, "page_step", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_VM, page_step)          \
	/* guest timers fire, on time */                                                    \
	X(TIMER_LIVE, "timer_live", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_VM, timer_live)       \
	/* clock jumps are signalled */                                                     \
	X(DISC_SIGNAL, "disc_signal", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_VM, disc_signal)    \
	/* the guest's (or a host's) tsc_khz */                                             \
	X(TSC_CALIBRATION, "tsc_calibration", HOST_CHECK_UNIT_PPB, HOST_CHECK_ON_HOST,      \
	  tsc_calibration)                                                                  \
	/* the date a guest boots with */                                                   \
	X(CMOS_DATE, "cmos_date", HOST_CHECK_UNIT_PS, HOST_CHECK_ON_HOST, cmos_date)

enum host_check_kind {
#define HOST_CHECK_KIND_ENUM(id, name, unit, scope, stem) HOST_CHECK_##id,
	HOST_CHECK_KINDS(HOST_CHECK_KIND_ENUM)
#undef HOST_CHECK_KIND_ENUM
	HOST_CHECK_KIND_COUNT
};

/* A NULL-terminated initializer of the names in enum order, for enum parsers. */
#define HOST_CHECK_KIND_NAME_ITEM(id, name, unit, scope, stem) name,
#define HOST_CHECK_KIND_NAMES_INIT { HOST_CHECK_KINDS(HOST_CHECK_KIND_NAME_ITEM) NULL }

/* "flag_truth", "tsc_sync", ...; "?" outside the enum. */
static inline const char *host_check_kind_name(enum host_check_kind k)
{
	static const char *const names[] = HOST_CHECK_KIND_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == HOST_CHECK_KIND_COUNT + 1,
		       "one name per host check kind");
	return (unsigned)k < HOST_CHECK_KIND_COUNT ? names[k] : "?";
}

/* The unit of a kind's worst value and bounds. */
static inline enum host_check_unit host_check_kind_unit(enum host_check_kind k)
{
#define HOST_CHECK_KIND_UNIT_ITEM(id, name, unit, scope, stem) unit,
	static const enum host_check_unit units[] = { HOST_CHECK_KINDS(HOST_CHECK_KIND_UNIT_ITEM) };
#undef HOST_CHECK_KIND_UNIT_ITEM

	_Static_assert(sizeof(units) / sizeof(units[0]) == HOST_CHECK_KIND_COUNT,
		       "one unit per host check kind");
	return (unsigned)k < HOST_CHECK_KIND_COUNT ? units[k] : HOST_CHECK_UNIT_PS;
}

/* The kind judges KVM or the guest: the scenario needs a "vm". */
static inline bool host_check_kind_needs_vm(enum host_check_kind k)
{
#define HOST_CHECK_KIND_SCOPE_ITEM(id, name, unit, scope, stem) scope,
	static const enum host_check_scope scopes[] = { HOST_CHECK_KINDS(HOST_CHECK_KIND_SCOPE_ITEM) };
#undef HOST_CHECK_KIND_SCOPE_ITEM

	_Static_assert(sizeof(scopes) / sizeof(scopes[0]) == HOST_CHECK_KIND_COUNT,
		       "one scope per host check kind");
	return (unsigned)k < HOST_CHECK_KIND_COUNT && scopes[k] == HOST_CHECK_ON_VM;
}

/* "ppb", "cycles", "ps": the suffix of report keys such as "worst_ppb". */
static inline const char *host_check_unit_name(enum host_check_unit u)
{
	static const char *const names[] = {
		[HOST_CHECK_UNIT_PPB] = "ppb",
		[HOST_CHECK_UNIT_CYCLES] = "cycles",
		[HOST_CHECK_UNIT_PS] = "ps",
	};

	_Static_assert(sizeof(names) / sizeof(names[0]) == HOST_CHECK_UNIT_COUNT,
		       "one name per host check unit");
	return (unsigned)u < HOST_CHECK_UNIT_COUNT ? names[u] : "?";
}

#endif
