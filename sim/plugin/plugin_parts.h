/*
 * The parts of sim a plugin may replace (include/sim/plugin.h, docs/plugins.md):
 * one list, read by the loader ("replaces" names), the plugin room (one
 * adapter per part) and the reports.  Header-only, so that the plain-data
 * scenario model can name a part without linking plugin code.
 *
 * X(ID, "name", "what"): the name is the scenario's "replaces" value and
 * the PART of `sim run --plugin PATH:PART`.
 */
#ifndef SIM_PLUGIN_PLUGIN_PARTS_H
#define SIM_PLUGIN_PLUGIN_PARTS_H

#define PLUGIN_PARTS(X)                                                                           \
	X(PLUGIN_PART_PVCLOCK_WRITER, "pvclock_writer", "KVM's pvclock page writer")              \
	X(PLUGIN_PART_PVCLOCK_READER, "pvclock_reader", "the guest's pvclock reader")             \
	X(PLUGIN_PART_PMTIMER, "pmtimer", "the board's ACPI PM timer")

enum plugin_part {
#define PLUGIN_PART_ENUM(id, name, what) id,
	PLUGIN_PARTS(PLUGIN_PART_ENUM)
#undef PLUGIN_PART_ENUM
	PLUGIN_PART_COUNT
};

/* "replaces" without a part: every part the plugin implements. */
#define PLUGIN_PART_ALL PLUGIN_PART_COUNT

/* The names in enum order, then "all" (PLUGIN_PART_ALL), NULL-terminated. */
#define PLUGIN_PART_NAME_ITEM(id, name, what) name,
#define PLUGIN_PART_NAMES_INIT { PLUGIN_PARTS(PLUGIN_PART_NAME_ITEM) "all", NULL }

static inline const char *plugin_part_name(enum plugin_part p)
{
	static const char *const names[] = PLUGIN_PART_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == PLUGIN_PART_COUNT + 2,
		       "one name per plugin part, then \"all\"");
	return (unsigned)p <= PLUGIN_PART_COUNT ? names[p] : "?";
}

static inline const char *plugin_part_what(enum plugin_part p)
{
#define PLUGIN_PART_WHAT_ITEM(id, name, what) what,
	static const char *const whats[] = { PLUGIN_PARTS(PLUGIN_PART_WHAT_ITEM) };
#undef PLUGIN_PART_WHAT_ITEM

	_Static_assert(sizeof(whats) / sizeof(whats[0]) == PLUGIN_PART_COUNT,
		       "one description per plugin part");
	return (unsigned)p < PLUGIN_PART_COUNT ? whats[p] : "every part it implements";
}

#endif
