/*
 * A physical host: sockets of CPUs, each socket clocked by its own crystal,
 * and the host kernel's own clocks.
 *
 * The host's monotonic raw clock (what KVM reads as its kvmclock base) counts
 * from the host's boot.  With the TSC as clocksource it is CPU 0's TSC turned
 * into ns through the calibrated tsc_khz and Linux's mult/shift; with the HPET
 * it is the platform clock (true time times the platform crystal's error).
 * Realtime is NTP-disciplined UTC: true UTC plus a fixed error per host.
 */
#ifndef SIM_CPU_TSC_HOST_H
#define SIM_CPU_TSC_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/clocksource.h"
#include "sim/cpu-tsc/tsc.h"

enum host_clocksource {
	HOST_CS_TSC,
	HOST_CS_HPET,
};

struct host_cpu {
	unsigned id;
	unsigned socket;
	struct cpu_tsc tsc;
};

#define HOST_NAME_MAX 32

struct host_socket_params {
	int64_t crystal_ppb;      /* this socket's crystal error */
	unsigned ncpus;
	int64_t tsc_offset_ps;    /* boot skew: this socket's TSCs run ahead by this much true time */
	const int64_t *cpu_tsc_offset_ps; /* NULL, or ncpus extra per-CPU skews */
};

struct host_params {
	const char *name;
	struct sim_freq tsc_nominal;      /* the TSC's nominal rate */
	uint64_t uptime_ns;               /* host uptime at t = 0 */
	uint64_t utc_at_t0_ns;            /* true UTC at t = 0 */
	int64_t realtime_error_ns;        /* host CLOCK_REALTIME minus true UTC */
	uint64_t tsc_khz;                 /* calibrated kHz; 0: CPU 0's true rate, floored */
	bool clocksource_auto;            /* pick TSC when the TSCs are synchronised, else HPET */
	enum host_clocksource clocksource;/* used when !clocksource_auto */
	struct sim_freq platform_nominal; /* HPET rate when it is the clocksource */
	int64_t platform_ppb;
	unsigned nsockets;
	const struct host_socket_params *sockets;
};

struct host {
	char name[HOST_NAME_MAX];
	unsigned ncpus;
	struct host_cpu *cpus;
	uint64_t tsc_khz;                 /* Linux's tsc_khz (and every CPU's cpu_tsc_khz) */
	bool tsc_synchronized;            /* every TSC has the same rate and reads the same */
	enum host_clocksource clocksource;
	struct linux_clocksource tsc_cs;  /* mult/shift for tsc_khz */
	struct sim_freq platform_rate;    /* HPET counter rate, crystal error included */
	struct linux_clocksource platform_cs;
	uint64_t mono_at_t0_ns;           /* = uptime */
	uint64_t tsc0_at_t0;              /* CPU 0's TSC at t = 0 (TSC clocksource anchor) */
	uint64_t utc_at_t0_ns;
	int64_t realtime_error_ns;
};

/* Builds the host; false with err filled on bad parameters (e.g. a rate overflow). */
bool host_init(struct host *h, const struct host_params *p, struct sim_diag *err);
void host_finish(struct host *h);

/* RDTSC on CPU `cpu` at `now`. */
uint64_t host_rdtsc(const struct host *h, unsigned cpu, sim_ps now);

/* The host's monotonic raw ns (since its boot) at `now`. */
uint64_t host_mono_ns(const struct host *h, sim_ps now);

/*
 * Monotonic ns and the TSC read it was computed from, together, as KVM's
 * kvm_get_time_and_clockread() does; false (outputs untouched) when the
 * clocksource is not the TSC.
 */
bool host_mono_and_tsc(const struct host *h, unsigned cpu, sim_ps now, uint64_t *ns,
		       uint64_t *tsc);

/* The host's CLOCK_REALTIME ns since the epoch at `now`. */
uint64_t host_realtime_ns(const struct host *h, sim_ps now);

#endif
