/* The oracle's check descriptors: see check.h.  Meaning of each: docs/oracle.md. */
#include "oracle/check.h"

#include <string.h>

static const struct oracle_check_desc descs[] = {
	[ORACLE_MONO_VCPU] = {
		.name = "mono_vcpu", .unit = ORACLE_UNIT_PS, .params = 0,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "each reader's successive reads never decrease",
	},
	[ORACLE_MONO_CAUSAL] = {
		.name = "mono_causal", .unit = ORACLE_UNIT_PS, .params = 0,
		.sample_noun = "samples", .compared_with = ORACLE_VS_OTHER_READER,
		.summary = "a read that starts after another completed never returns less",
	},
	[ORACLE_STEP_BACK] = {
		.name = "step_back", .unit = ORACLE_UNIT_PS, .params = ORACLE_PARAM_THRESHOLD,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "no backward step between successive reads exceeds the threshold",
	},
	[ORACLE_STEP_FWD] = {
		.name = "step_fwd", .unit = ORACLE_UNIT_PS, .params = ORACLE_PARAM_THRESHOLD,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "no forward step beyond the true time elapsed exceeds the threshold",
	},
	[ORACLE_MAX_ERROR] = {
		.name = "max_error", .unit = ORACLE_UNIT_PS,
		.params = ORACLE_PARAM_THRESHOLD | ORACLE_PARAM_PAUSE,
		.signed_worst = true, .sample_noun = "samples", .compared_with = ORACLE_VS_REFERENCE,
		.summary = "elapsed guest time stays within the threshold of the reference",
	},
	[ORACLE_RATE] = {
		.name = "rate", .unit = ORACLE_UNIT_PPB,
		.params = ORACLE_PARAM_THRESHOLD | ORACLE_PARAM_WINDOW, .window_default = "1s",
		.signed_worst = true, .sample_noun = "windows", .compared_with = ORACLE_VS_REFERENCE,
		.summary = "the clock's rate over each window stays within the threshold of true time",
	},
};

_Static_assert(sizeof(descs) / sizeof(descs[0]) == ORACLE_CHECK_COUNT, "one row per check");

const struct oracle_check_desc *oracle_check_desc(enum oracle_check_id id)
{
	return (unsigned)id < ORACLE_CHECK_COUNT ? &descs[id] : NULL;
}

enum oracle_check_id oracle_check_by_name(const char *name)
{
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++)
		if (strcmp(descs[i].name, name) == 0)
			return (enum oracle_check_id)i;
	return ORACLE_CHECK_COUNT;
}
