/*
 * The host check kinds: one list, read by the scenario model (its enum
 * scn_host_check_kind is generated from it), the loader (names), the reports
 * (names, units) and oracle/hw (the ops registry).  Header-only, so that the
 * plain-data scenario and the reports can name a kind without linking the
 * checks.
 *
 * X(ID, "name", unit, stem): the name is the scenario's "check" value; the
 * unit is that of the kind's worst value and "worst" bounds; the stem names
 * the kind's ops table, host_check_<stem>_ops in oracle/hw/<stem>.c.
 */
#ifndef ORACLE_HW_HOST_CHECK_KIND_H
#define ORACLE_HW_HOST_CHECK_KIND_H

#include <stddef.h>

enum host_check_unit {
	HOST_CHECK_UNIT_PPB,      /* a rate error, parts per 10^9 */
	HOST_CHECK_UNIT_CYCLES,   /* TSC cycles */
	HOST_CHECK_UNIT_PS,       /* a duration or skew, signed ps */
	HOST_CHECK_UNIT_COUNT
};

#define HOST_CHECK_KINDS(X)                                                                  \
	X(FLAG_TRUTH, "flag_truth", HOST_CHECK_UNIT_PPB, flag_truth) /* advertised TSC flags hold */ \
	X(TSC_SYNC, "tsc_sync", HOST_CHECK_UNIT_CYCLES, tsc_sync)    /* Linux's boot sync check */  \
	X(WATCHDOG, "watchdog", HOST_CHECK_UNIT_PS, watchdog)        /* Linux's clocksource watchdog */ \
	X(TIMER, "timer", HOST_CHECK_UNIT_PS, timer)                 /* an APIC timer fires on time */ \
	X(STABLE_BIT, "stable_bit", HOST_CHECK_UNIT_PS, stable_bit)  /* PVCLOCK_TSC_STABLE_BIT holds */ \
	X(TSC_WRITE, "tsc_write", HOST_CHECK_UNIT_CYCLES, tsc_write) /* a VMM's TSC write takes effect */ \
	X(TICK_COUNT, "tick_count", HOST_CHECK_UNIT_PS, tick_count)  /* a tick clock after outages */ \
	X(CLOCK_CONSISTENCY, "clock_consistency", HOST_CHECK_UNIT_PS, clock_consistency) /* clocks across a stop */ \
	X(PAGE_STEP, "page_step", HOST_CHECK_UNIT_PS, page_step)     /* pvclock page rewrites */ \
	X(TIMER_LIVE, "timer_live", HOST_CHECK_UNIT_PS, timer_live)  /* guest timers fire, on time */ \
	X(DISC_SIGNAL, "disc_signal", HOST_CHECK_UNIT_PS, disc_signal) /* clock jumps are signalled */ \
	X(TSC_CALIBRATION, "tsc_calibration", HOST_CHECK_UNIT_PPB, tsc_calibration) /* guest tsc_khz */ \
	X(CMOS_DATE, "cmos_date", HOST_CHECK_UNIT_PS, cmos_date)     /* the date a guest boots with */

enum host_check_kind {
#define HOST_CHECK_KIND_ENUM(id, name, unit, stem) HOST_CHECK_##id,
	HOST_CHECK_KINDS(HOST_CHECK_KIND_ENUM)
#undef HOST_CHECK_KIND_ENUM
	HOST_CHECK_KIND_COUNT
};

/* A NULL-terminated initializer of the names in enum order, for enum parsers. */
#define HOST_CHECK_KIND_NAME_ITEM(id, name, unit, stem) name,
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
#define HOST_CHECK_KIND_UNIT_ITEM(id, name, unit, stem) unit,
	static const enum host_check_unit units[] = { HOST_CHECK_KINDS(HOST_CHECK_KIND_UNIT_ITEM) };
#undef HOST_CHECK_KIND_UNIT_ITEM

	_Static_assert(sizeof(units) / sizeof(units[0]) == HOST_CHECK_KIND_COUNT,
		       "one unit per host check kind");
	return (unsigned)k < HOST_CHECK_KIND_COUNT ? units[k] : HOST_CHECK_UNIT_PS;
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
