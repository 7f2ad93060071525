/*
 * The scenario's "host_checks" as oracle/hw configs: the one place that
 * knows both struct scn_host_check and struct host_check_config.
 */
#ifndef SIM_MACHINE_HOST_CHECK_SETUP_H
#define SIM_MACHINE_HOST_CHECK_SETUP_H

#include "oracle/hw/host_checks.h"
#include "sim/scenario/scenario.h"

/* The config of s->host_checks[i] (s->hosts[c->host] gives the host's facts). */
void host_check_config_from_scenario(const struct scenario *s, unsigned i,
				     struct host_check_config *out);

/*
 * Every host check of s on the machine's hosts, VM, board, queue and stream
 * (env; its seed and nhosts are taken from s); env->hosts[i] is s->hosts[i]
 * built.  NULL with err filled (path: the check's JSON pointer).
 */
struct host_checks *host_checks_from_scenario(const struct scenario *s,
					      const struct host_checks_env *env,
					      struct sim_diag *err);

#endif
