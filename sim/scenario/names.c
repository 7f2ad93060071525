/* Name tables that several sections of the loader share. */
#include "sim/scenario/loader_internal.h"

/* "access_cost" keys, in the order of enum scn_device. */
const char *const device_names[] = { "pit", "rtc", "hpet", "pmtimer", NULL };

_Static_assert(sizeof(device_names) / sizeof(device_names[0]) == SCN_DEV_COUNT + 1,
	       "one access_cost key per board device");

/* "advertise" keys and flag_truth "flags", in the order of enum scn_tsc_flag. */
const char *const tsc_flag_names[] = {
	"constant_tsc", "nonstop_tsc", "tsc_known_freq", "tsc_reliable", "invariant_tsc", NULL,
};

const char *const worst_keys[] = { "min", "max", NULL };

const char *const expect_names[] = { "pass", "fail", NULL };
