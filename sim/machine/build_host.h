/*
 * A host's hardware and kernel model from its scenario description: sockets,
 * crystals, TSC classes, hot-pluggable CPUs, BIOS residuals, and what the
 * firmware advertises, which decides the host kernel's tsc_khz (host.h).
 */
#ifndef SIM_MACHINE_BUILD_HOST_H
#define SIM_MACHINE_BUILD_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/cpu-tsc/host.h"
#include "sim/scenario/scenario.h"

/* Builds host sh of scenario s into h; false with err (path of the host) on bad parameters. */
bool machine_build_host(struct host *h, const struct scn_host *sh, const struct scenario *s,
			struct sim_diag *err);

/*
 * Whether the host's CPUs enumerate their TSC frequency (CPUID 15H with the
 * crystal): the scenario's tsc_features.cpuid_15h, by default true on Intel
 * with an invariant TSC and false otherwise (AMD, or an older Intel CPU).
 */
bool machine_host_cpuid_15h(const struct scn_host *sh);

#endif
