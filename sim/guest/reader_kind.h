/*
 * The guest reader kinds: one list, read by the loader (names, per-kind
 * keys), the guest (one ops row per kind, sim/guest/kinds/) and the reports.
 * Header-only, so that the plain-data scenario model can name a kind without
 * linking guest code.
 *
 * X(ID, "name", ops): the name is the scenario's "kind" value; `ops` names
 * the kind's behaviour, `const struct reader_kind_ops reader_kind_<ops>`
 * (sim/guest/kinds/kind.h), defined in the kind's own file.
 */
#ifndef SIM_GUEST_READER_KIND_H
#define SIM_GUEST_READER_KIND_H

#define READER_KINDS(X)                                                                              \
	X(READER_PVCLOCK, "pvclock", pvclock)         /* Linux's pvclock reader, with the global guard */ \
	X(READER_PVCLOCK_RAW, "pvclock-raw", pvclock_raw) /* the same without the guard */               \
	X(READER_TSC, "tsc", tsc)                     /* the tsc clocksource (guest or bare metal) */     \
	X(READER_HPET, "hpet", hpet)                  /* the HPET main counter, read through MMIO */      \
	X(READER_PMTIMER, "pmtimer", pmtimer)         /* the ACPI PM timer, read through port I/O */      \
	X(READER_RDTSC, "rdtsc", rdtsc)               /* raw TSC cycles, no clocksource logic */

enum reader_kind {
#define READER_KIND_ENUM(id, name, ops) id,
	READER_KINDS(READER_KIND_ENUM)
#undef READER_KIND_ENUM
	READER_KIND_COUNT
};

/* A NULL-terminated initializer of the names in enum order, for enum parsers. */
#define READER_KIND_NAME_ITEM(id, name, ops) name,
#define READER_KIND_NAMES_INIT { READER_KINDS(READER_KIND_NAME_ITEM) NULL }

static inline const char *reader_kind_name(enum reader_kind k)
{
	static const char *const names[] = READER_KIND_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == READER_KIND_COUNT + 1,
		       "one name per reader kind");
	return (unsigned)k < READER_KIND_COUNT ? names[k] : "?";
}

#endif
