/*
 * The guest reader kinds: one list, read by the loader (names, per-kind
 * keys), the guest (one ops row per kind, sim/guest/kinds/) and the reports.
 * Header-only, so that the plain-data scenario model can name a kind without
 * linking guest code.
 *
 * X(ID, "name", ops, cost_ns): the name is the scenario's "kind" value;
 * `ops` names the kind's behaviour, `const struct reader_kind_ops
 * reader_kind_<ops>` (sim/guest/kinds/kind.h), defined in the kind's own
 * file; cost_ns is the default duration of one read when the scenario gives
 * no "cost", 0 for a read that is one access to a board device (it then
 * costs that device's access cost, resolved by the kind's ops row).
 */
#ifndef SIM_GUEST_READER_KIND_H
#define SIM_GUEST_READER_KIND_H

#include "sim/core/simtime.h"

#define READER_KINDS(X)                                                                             \
	X(READER_PVCLOCK, "pvclock", pvclock, 40)      /* Linux's pvclock reader, with the global guard */ \
	X(READER_PVCLOCK_RAW, "pvclock-raw", pvclock_raw, 30) /* the same without the guard */          \
	X(READER_TSC, "tsc", tsc, 20)                  /* the tsc clocksource (guest or bare metal) */     \
	X(READER_HPET, "hpet", hpet, 0)                /* the HPET main counter, read through MMIO */      \
	X(READER_PMTIMER, "pmtimer", pmtimer, 0)       /* the ACPI PM timer, read through port I/O */      \
	X(READER_RDTSC, "rdtsc", rdtsc, 10)            /* raw TSC cycles, no clocksource logic */  \
	X(READER_TICKS, "ticks", ticks, 10)            /* a tick-counting clock (jiffies, Windows) */ \
	X(READER_MONOTONIC, "monotonic", monotonic, 50) /* the guest's CLOCK_MONOTONIC */         \
	X(READER_MONOTONIC_RAW, "monotonic_raw", monotonic_raw, 50) /* CLOCK_MONOTONIC_RAW */      \
	X(READER_REALTIME, "realtime", realtime, 50)   /* CLOCK_REALTIME: the wall clock */        \
	X(READER_BOOTTIME, "boottime", boottime, 50)   /* CLOCK_BOOTTIME */

enum reader_kind {
#define READER_KIND_ENUM(id, name, ops, cost_ns) id,
	READER_KINDS(READER_KIND_ENUM)
#undef READER_KIND_ENUM
	READER_KIND_COUNT
};

/* A NULL-terminated initializer of the names in enum order, for enum parsers. */
#define READER_KIND_NAME_ITEM(id, name, ops, cost_ns) name,
#define READER_KIND_NAMES_INIT { READER_KINDS(READER_KIND_NAME_ITEM) NULL }

static inline const char *reader_kind_name(enum reader_kind k)
{
	static const char *const names[] = READER_KIND_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == READER_KIND_COUNT + 1,
		       "one name per reader kind");
	return (unsigned)k < READER_KIND_COUNT ? names[k] : "?";
}

/* The default cost of one read of kind k; 0: one access to the board device it reads. */
static inline sim_ps reader_kind_default_cost_ps(enum reader_kind k)
{
#define READER_KIND_COST_ITEM(id, name, ops, cost_ns) (sim_ps)(cost_ns) * SIM_PS_PER_NS,
	static const sim_ps cost_ps[] = { READER_KINDS(READER_KIND_COST_ITEM) };
#undef READER_KIND_COST_ITEM

	_Static_assert(sizeof(cost_ps) / sizeof(cost_ps[0]) == READER_KIND_COUNT,
		       "one default cost per reader kind");
	return (unsigned)k < READER_KIND_COUNT ? cost_ps[k] : 0;
}

#endif
