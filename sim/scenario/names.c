/* Name tables that several sections of the loader share. */
#include "sim/scenario/loader_internal.h"

const char *const worst_keys[] = { "min", "max", NULL };

const char *const expect_names[] = { "pass", "fail", NULL };
