/*
 * The TSC properties firmware or a hypervisor may advertise (CPUID flags, as
 * Linux names them): one list, for flag_truth's "flags" bits and names.
 * Header-only.  The scenario's enum scn_tsc_flag has the same order (the
 * adapter in sim/machine/host_check_setup.c asserts it).
 *
 * X(ID, "name").
 */
#ifndef ORACLE_HW_TSC_FLAG_H
#define ORACLE_HW_TSC_FLAG_H

#define HOST_TSC_FLAGS(X)                                                                 \
	X(HOST_TSC_CONSTANT, "constant_tsc")       /* X86_FEATURE_CONSTANT_TSC */           \
	X(HOST_TSC_NONSTOP, "nonstop_tsc")         /* X86_FEATURE_NONSTOP_TSC */            \
	X(HOST_TSC_KNOWN_FREQ, "tsc_known_freq")   /* X86_FEATURE_TSC_KNOWN_FREQ */         \
	X(HOST_TSC_RELIABLE, "tsc_reliable")       /* X86_FEATURE_TSC_RELIABLE */           \
	X(HOST_TSC_INVARIANT, "invariant_tsc")     /* CPUID.80000007H:EDX[8] */

enum host_tsc_flag {
#define HOST_TSC_FLAG_ENUM(id, name) id,
	HOST_TSC_FLAGS(HOST_TSC_FLAG_ENUM)
#undef HOST_TSC_FLAG_ENUM
	HOST_TSC_FLAG_COUNT
};

#define HOST_TSC_FLAGS_ALL ((1u << HOST_TSC_FLAG_COUNT) - 1)

/* "constant_tsc", ...; "?" outside the enum. */
static inline const char *host_tsc_flag_name(enum host_tsc_flag f)
{
#define HOST_TSC_FLAG_NAME_ITEM(id, name) name,
	static const char *const names[] = { HOST_TSC_FLAGS(HOST_TSC_FLAG_NAME_ITEM) };
#undef HOST_TSC_FLAG_NAME_ITEM

	_Static_assert(sizeof(names) / sizeof(names[0]) == HOST_TSC_FLAG_COUNT,
		       "one name per TSC flag");
	return (unsigned)f < HOST_TSC_FLAG_COUNT ? names[f] : "?";
}

#endif
