/*
 * Hosts from the scenario: see build_host.h.
 *
 * What a host advertises follows Linux (arch/x86/kernel/tsc.c and
 * tsc_msr.c, v6.12): X86_FEATURE_TSC_KNOWN_FREQ is set only when the CPU
 * reports its TSC frequency itself, through CPUID 15H with a non-zero
 * crystal (native_calibrate_tsc(); Intel only, and not when the crystal must
 * be derived from CPUID 16H) or through the MSRs of some Atom SoCs
 * (cpu_khz_from_msr()).  An invariant TSC alone says nothing of its rate.
 * tsc_features.advertise overrides the result, as a lying firmware or
 * hypervisor would.
 */
#include "sim/machine/build_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/rng.h"

/* The per-CPU arrays host_init reads, for one socket: online CPUs first, then hot-pluggable ones. */
struct socket_cpus {
	int64_t tsc_offset_ps[SCN_MAX_CPUS_PER_SOCKET];
	struct tsc_props props[SCN_MAX_CPUS_PER_SOCKET];
	struct tsc_features advertised[SCN_MAX_CPUS_PER_SOCKET];
	int64_t bios_residual[SCN_MAX_CPUS_PER_SOCKET];
	bool offline[SCN_MAX_CPUS_PER_SOCKET];
};

static enum tsc_class tsc_class_of(const struct scn_tsc_features *f)
{
	if (f->constant && f->nonstop)
		return TSC_INVARIANT;
	/* "nonstop but not constant" has no class of its own: it follows P-states and stops */
	return f->constant ? TSC_CONSTANT : TSC_VARIABLE;
}

static void crystal_params_of(struct crystal_params *cp, const struct scn_socket *ss)
{
	*cp = (struct crystal_params){
		.aging_ppb_per_day = ss->aging_ppb_per_day,
		.wander_sigma_ppb = (uint64_t)ss->wander_ppb,
		.wander_bound_ppb = ss->wander_ppb ? (uint64_t)ss->wander_bound_ppb : 0,
		.wander_step_ps = ss->wander_step_ps,
	};
	if (ss->ssc.enabled) {
		cp->ssc = ss->ssc.mode == SCN_SSC_CENTER ? CRYSTAL_SSC_CENTER : CRYSTAL_SSC_DOWN;
		cp->ssc_spread_ppm = ss->ssc.spread_ppm;
		cp->ssc_mod = ss->ssc.modulation;
	}
}

/*
 * What firmware advertises for a CPU with these props: the model's own flags,
 * with the scenario's overrides; false when nothing is overridden.
 */
static bool apply_advertised(struct tsc_features *adv, const struct tsc_props *props,
			     const struct scn_tsc_features *f)
{
	bool any = false;

	*adv = tsc_props_features(props);
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++) {
		bool v = f->advertise[i] == SCN_TRUE;

		if (f->advertise[i] == SCN_UNSET)
			continue;
		any = true;
		switch ((enum scn_tsc_flag)i) {
		case SCN_FLAG_CONSTANT_TSC: adv->constant_tsc = v; break;
		case SCN_FLAG_NONSTOP_TSC: adv->nonstop_tsc = v; break;
		case SCN_FLAG_TSC_KNOWN_FREQ: adv->tsc_known_freq = v; break;
		case SCN_FLAG_TSC_RELIABLE: adv->tsc_reliable = v; break;
		case SCN_FLAG_INVARIANT_TSC: adv->invariant_cpuid = v; break;
		case SCN_TSC_FLAG_COUNT: break;
		}
	}
	return any;
}

bool machine_host_cpuid_15h(const struct scn_host *sh)
{
	/*
	 * The scenario's tsc_features.cpuid_15h wins when set or clear.  Unset:
	 * AMD CPUs never take the CPUID 15H path in native_calibrate_tsc(); on
	 * Intel, leaf 15H with the crystal came with Skylake and Goldmont, whose
	 * TSCs are all invariant, so a constant or variable TSC is an older CPU
	 * without it.
	 */
	if (sh->features.cpuid_15h != SCN_UNSET)
		return sh->features.cpuid_15h == SCN_TRUE;
	return !sh->svm && sh->features.constant && sh->features.nonstop;
}

bool machine_build_host(struct host *h, const struct scn_host *sh, const struct scenario *s,
			struct sim_diag *err)
{
	const struct scn_tsc_features *f = &sh->features;
	struct socket_cpus *cpus = calloc(SCN_MAX_SOCKETS, sizeof(*cpus));
	struct host_socket_params sockets[SCN_MAX_SOCKETS];
	struct host_params p = {
		.name = sh->name,
		.tsc_nominal = sh->tsc,
		.uptime_ns = sh->uptime_ns,
		.utc_at_t0_ns = s->utc_start_ns,
		.realtime_error_ns = sh->realtime_error_ns,
		.tsc_khz = sh->tsc_khz,
		.clocksource_auto = sh->clocksource == SCN_CS_AUTO,
		.clocksource = sh->clocksource == SCN_CS_HPET ? HOST_CS_HPET : HOST_CS_TSC,
		.platform_nominal = sh->hpet,
		.platform_ppb = sh->hpet_crystal_ppb,
		.nsockets = sh->nsockets,
		.sockets = sockets,
		.seed = s->seed,
		.bios_sync = f->bios_sync_residual_cycles > 0,
		.s3_tsc = f->nonstop_s3 ? HOST_S3_TSC_NONSTOP : HOST_S3_TSC_RESET,
	};
	bool cpuid_15h = machine_host_cpuid_15h(sh);
	struct sim_rng rng;
	char stream[64];
	bool ok;

	if (!cpus)
		return sim_diag_fail(err, "out of memory");
	snprintf(stream, sizeof(stream), "host/%s/bios_sync", sh->name);
	sim_rng_init(&rng, s->seed, stream);
	for (unsigned i = 0; i < sh->nsockets; i++) {
		const struct scn_socket *ss = &sh->sockets[i];
		struct socket_cpus *sc = &cpus[i];
		unsigned n = ss->ncpus + ss->hotplug_cpus;
		bool overridden = false;

		for (unsigned c = 0; c < n; c++) {
			uint64_t r = f->bios_sync_residual_cycles;

			sc->tsc_offset_ps[c] = c < ss->ncpus && ss->has_cpu_tsc_offsets ?
					       ss->cpu_tsc_offset_ps[c] : 0;
			sc->offline[c] = c >= ss->ncpus;
			/* a residual uniform in [-r, r] cycles after the BIOS wrote the TSCs */
			sc->bios_residual[c] = r ? (int64_t)sim_rng_below(&rng, 2 * r + 1) - (int64_t)r : 0;
			sc->props[c] = (struct tsc_props){
				.cls = tsc_class_of(f),
				.no_adjust = !f->tsc_adjust,
				.known_freq = cpuid_15h,
				.halt_num = f->halted_pstate_erratum ? 2 : 0,
				.halt_den = f->halted_pstate_erratum ? 1 : 0,
				.rdtsc_window_cycles = f->rdtsc_window_cycles,
			};
			overridden = apply_advertised(&sc->advertised[c], &sc->props[c], f);
		}
		sockets[i] = (struct host_socket_params){
			.crystal_ppb = ss->crystal_ppb,
			.ncpus = n,
			.tsc_offset_ps = ss->tsc_offset_ps,
			.cpu_tsc_offset_ps = sc->tsc_offset_ps,
			.cpu_props = sc->props,
			/* host_init reads the boot CPU's flags to choose tsc_khz */
			.cpu_advertised = overridden ? sc->advertised : NULL,
			.cpu_bios_residual = f->bios_sync_residual_cycles ? sc->bios_residual : NULL,
			.cpu_offline = ss->hotplug_cpus ? sc->offline : NULL,
		};
		crystal_params_of(&sockets[i].crystal, ss);
	}
	ok = host_init(h, &p, err);
	free(cpus);
	if (!ok)
		sim_diag_set_path(err, sh->path);
	return ok;
}
