/*
 * A physical host: sockets of CPUs, each socket clocked by its own crystal
 * (crystal.h: offset, aging, wander, spread spectrum), and the host kernel's
 * own clocks.
 *
 * The host's monotonic raw clock (what KVM reads as its kvmclock base) counts
 * from the host's boot.  With the TSC as clocksource it is CPU 0's TSC turned
 * into ns through the calibrated tsc_khz and Linux's mult/shift, so it
 * inherits everything CPU 0's TSC does (crystal error, spread spectrum,
 * stops); with the HPET it is the platform crystal's count at the HPET's
 * nominal rate.  Realtime is NTP-disciplined UTC: true UTC plus a fixed
 * error per host.  CLOCK_MONOTONIC is the raw clock with the NTP frequency
 * correction applied from each adjtimex() on (host_ntp_adjust()).
 *
 * Before t = 0 every crystal is taken to have run at its mean rate (static
 * offset and spread-spectrum mean).
 * Suspend (ACPI S3, S4) and resume: see host_suspend().
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
	/* first, at a cache line (host_init aligns the array): a read's fields in two lines */
	_Alignas(64) struct cpu_tsc tsc;
	unsigned id;
	unsigned socket;
	bool online;              /* false: not yet hot-added (its TSC is off) */
	uint64_t reset_stagger;   /* cycles it reads ahead of the last CPU out of RESET */
	int64_t bios_residual;    /* cycles off CPU 0 after the BIOS synchronised it */
};

enum host_sleep {
	HOST_S3,                  /* suspend to RAM */
	HOST_S4,                  /* suspend to disk: the platform is powered off */
};

/* What the TSCs do in S3. */
enum host_s3_tsc {
	HOST_S3_TSC_RESET,        /* the CPUs lose power: RESET on resume */
	HOST_S3_TSC_NONSTOP,      /* they keep counting (Linux X86_FEATURE_NONSTOP_TSC_S3) */
};

#define HOST_NAME_MAX 32

struct host_socket_params {
	int64_t crystal_ppb;      /* this socket's crystal error */
	unsigned ncpus;
	int64_t tsc_offset_ps;    /* boot skew: this socket's TSCs run ahead by this much true time */
	const int64_t *cpu_tsc_offset_ps; /* NULL, or ncpus extra per-CPU skews */
	/* all below: zero or NULL means as before (an invariant TSC on a static crystal) */
	struct crystal_params crystal;    /* its offset_ppb adds to crystal_ppb */
	const struct tsc_props *cpu_props;      /* NULL, or ncpus TSC properties */
	const struct tsc_features *cpu_advertised; /* NULL (derived), or ncpus advertised sets */
	const int64_t *cpu_bios_residual; /* with bios_sync: NULL (0) or ncpus residuals, cycles */
	const bool *cpu_offline;          /* NULL, or ncpus: true for a CPU hot-added later */
};

struct host_params {
	const char *name;
	struct sim_freq tsc_nominal;      /* the TSC's nominal rate */
	uint64_t uptime_ns;               /* host uptime at t = 0 */
	uint64_t utc_at_t0_ns;            /* true UTC at t = 0 */
	int64_t realtime_error_ns;        /* host CLOCK_REALTIME minus true UTC */
	uint64_t tsc_khz;                 /* the kernel's tsc_khz as configured; 0: as Linux decides
					     (see struct host) */
	bool clocksource_auto;            /* pick TSC when the TSCs are synchronised, else HPET */
	enum host_clocksource clocksource;/* used when !clocksource_auto */
	struct sim_freq platform_nominal; /* HPET rate when it is the clocksource */
	int64_t platform_ppb;
	unsigned nsockets;
	const struct host_socket_params *sockets;
	/* all below: zero means as before */
	struct crystal_params platform_crystal; /* its offset_ppb adds to platform_ppb */
	uint64_t seed;                    /* wander streams "host/<name>/socket<i>/crystal" */
	bool bios_sync;                   /* the BIOS wrote every TSC to CPU 0's value at boot */
	enum host_s3_tsc s3_tsc;
	uint64_t resume_tsc_cycles;       /* TSC of the last CPU out of RESET when the OS resumes */
};

struct host {
	char name[HOST_NAME_MAX];
	unsigned ncpus;
	struct host_cpu *cpus;
	unsigned nsockets;
	struct crystal *crystals;         /* one per socket; TSCs point into it */
	struct crystal platform;          /* clocks the HPET */
	struct sim_freq platform_nominal;
	/*
	 * Linux's tsc_khz (and every CPU's cpu_tsc_khz), the one rate every
	 * reader of this host's TSC converts with: the host's tsc clocksource,
	 * KVM's pvclock pages and master clock.  host_params.tsc_khz when given;
	 * else, when the boot CPU advertises X86_FEATURE_TSC_KNOWN_FREQ, the
	 * frequency the CPU enumerates (its nominal rate, floored to kHz) and no
	 * calibration; else the calibrated rate (CPU 0's mean true rate, floored).
	 */
	uint64_t tsc_khz;
	bool tsc_known_freq;              /* CPU 0 advertised X86_FEATURE_TSC_KNOWN_FREQ at boot */
	bool tsc_synchronized;            /* every online TSC has the same rate and reads the same
					     (set at init, hotplug and resume) */
	enum host_clocksource clocksource;
	struct linux_clocksource tsc_cs;  /* mult/shift for tsc_khz */
	struct sim_freq platform_rate;    /* HPET counter rate, static crystal error included */
	struct linux_clocksource platform_cs;
	uint64_t mono_at_t0_ns;           /* = uptime */
	uint64_t tsc0_at_t0;              /* CPU 0's TSC at t = 0 (TSC clocksource anchor) */
	uint64_t utc_at_t0_ns;
	int64_t realtime_error_ns;
	/* CLOCK_MONOTONIC_RAW = base_ns + ns(clocksource - base): re-anchored on resume */
	uint64_t mono_base_ns;
	uint64_t mono_base_tsc;           /* CPU 0's TSC at the anchor */
	uint64_t mono_base_platform;      /* platform (HPET) cycles at the anchor */
	bool bios_sync;
	enum host_s3_tsc s3_tsc;
	uint64_t resume_tsc_cycles;
	bool suspended;
	enum host_sleep sleep;
	uint64_t suspend_mono_ns;
	uint64_t suspend_realtime_ns;
	uint64_t suspend_tsc;             /* CPU 0's TSC at suspend */
	/*
	 * Linux's tsc_unstable (arch/x86/kernel/tsc.c): set by mark_tsc_unstable(),
	 * e.g. when the clocksource watchdog demotes the TSC; never cleared.
	 */
	bool tsc_unstable;
	/*
	 * The timekeeping notifier (Linux's pvclock_gtod_notify chain, which KVM
	 * joins): called after every clocksource switch.  NULL: nobody listens.
	 */
	void (*cs_notify)(void *ctx, struct host *h, sim_ps now);
	void *cs_notify_ctx;
	/*
	 * CLOCK_MONOTONIC = ntp_base_mono_ns + (raw - ntp_base_raw_ns) scaled by
	 * (1 + ntp_freq_ppb / 10^9): the timekeeper's tkr_mono.mult carries the
	 * NTP frequency, tkr_raw.mult does not (kernel/time/timekeeping.c,
	 * timekeeping_adjust()).  All zero: monotonic equals raw.
	 */
	int64_t ntp_freq_ppb;
	uint64_t ntp_base_raw_ns;
	uint64_t ntp_base_mono_ns;
};

/* Builds the host; false with err filled on bad parameters (e.g. a rate overflow). */
bool host_init(struct host *h, const struct host_params *p, struct sim_diag *err);
void host_finish(struct host *h);

/* RDTSC on CPU `cpu` at `now` (inline: every guest read makes one). */
static inline uint64_t host_rdtsc(const struct host *h, unsigned cpu, sim_ps now)
{
	return tsc_read(&h->cpus[cpu].tsc, now);
}

/* host_rdtsc() that keeps the CPU's TSC cache (tsc_read_cached()). */
static inline uint64_t host_rdtsc_cached(struct host *h, unsigned cpu, sim_ps now)
{
	return tsc_read_cached(&h->cpus[cpu].tsc, now);
}

/* The host's monotonic raw ns (since its boot) at `now`. */
uint64_t host_mono_ns(const struct host *h, sim_ps now);

/*
 * Monotonic ns and the TSC read it was computed from, together, as KVM's
 * kvm_get_time_and_clockread() does; false (outputs untouched) when the
 * clocksource is not the TSC.
 */
bool host_mono_and_tsc(const struct host *h, unsigned cpu, sim_ps now, uint64_t *ns,
		       uint64_t *tsc);

/*
 * The host's CLOCK_MONOTONIC ns at `now`: the raw clock (host_mono_ns) with
 * the NTP frequency correction in force since the last host_ntp_adjust().
 */
uint64_t host_ntp_mono_ns(const struct host *h, sim_ps now);

/*
 * adjtimex(ADJ_FREQUENCY) at `now`: from now on CLOCK_MONOTONIC runs at the
 * raw clock's rate times (1 + freq_ppb / 10^9); the value is continuous.  The
 * frequency is absolute (it replaces the previous one), as NTP's is; Linux
 * bounds it to +-MAXFREQ (500 ppm, include/linux/timex.h), the caller too.
 * The raw clock and CLOCK_REALTIME (modelled as disciplined UTC) are unchanged.
 */
void host_ntp_adjust(struct host *h, sim_ps now, int64_t freq_ppb);

/* The host's CLOCK_REALTIME ns since the epoch at `now`. */
uint64_t host_realtime_ns(const struct host *h, sim_ps now);

/*
 * Crystal wander and aging: the owner calls host_update(h, t) at
 * t = host_next_update(h) (SIM_NEVER: never, the default).  A temperature
 * step is crystal_add_step_ppb(&h->crystals[socket] or &h->platform, now, ppb).
 */
sim_ps host_next_update(const struct host *h);
void host_update(struct host *h, sim_ps now);

/*
 * CPU `cpu` (offline so far) comes online at `now` out of RESET with its TSC
 * at tsc_value (timekeeping.rst 3.2: nothing synchronises it) and TSC_ADJUST
 * 0.  Updates tsc_synchronized.  False if the CPU is unknown or online.
 */
bool host_cpu_hotplug(struct host *h, sim_ps now, unsigned cpu, uint64_t tsc_value);

/*
 * ACPI sleep.  While suspended the host's clocks stand still and its TSCs
 * are off, except in S3 with HOST_S3_TSC_NONSTOP.  On resume from S4, or
 * from S3 with HOST_S3_TSC_RESET, every online CPU comes out of RESET
 * (SDM vol. 3, 17.17: TSC and TSC_ADJUST are 0 at RESET; ACRN #3697: "TSC
 * would be reset to 0 when enter suspend state on some platform"): CPU i
 * reads resume_tsc_cycles plus its boot stagger (the same skews as at the
 * original power-on), then the firmware acts:
 * - fw_tsc_adjust (ncpus values, NULL: none) are WRMSRs to IA32_TSC_ADJUST,
 *   which add to the TSCs (F16: Zhaoxin's firmware rewriting package 1's
 *   TSC_ADJUST on S4 resume);
 * - otherwise, with bios_sync, the BIOS writes every TSC to CPU 0's value
 *   plus its residual, as at boot.
 * The monotonic clock resumes from its value at suspend plus the sleep
 * time, as Linux's timekeeping_resume() measures it: through the TSC when
 * it kept counting (a nonstop suspend clocksource), else the CMOS RTC
 * (read_persistent_clock64(): whole seconds of UTC).  false if the host is
 * (or is not) suspended already.
 */
bool host_suspend(struct host *h, sim_ps now, enum host_sleep kind);
bool host_resume(struct host *h, sim_ps now, const int64_t *fw_tsc_adjust);

/*
 * Switches the host's clocksource at `now`, keeping the monotonic clock
 * continuous (timekeeping_notify() -> change_clocksource()), then calls the
 * notifier.
 */
void host_set_clocksource(struct host *h, sim_ps now, enum host_clocksource cs);

/*
 * mark_tsc_unstable() at `now` (the watchdog's verdict, or KVM's "backwards
 * TSC"): tsc_unstable is set and, if the TSC is the clocksource, Linux
 * selects the HPET instead (clocksource_select() after the watchdog kthread
 * drops the TSC's rating).
 */
void host_mark_tsc_unstable(struct host *h, sim_ps now);

/*
 * Whether every online TSC reads the same at `now`, runs at the same rate
 * and from equivalent crystals (what tsc_synchronized caches).
 */
bool host_tscs_synchronized(const struct host *h, sim_ps now);

/* Largest minus smallest TSC over the online CPUs at `now` (signed differences to CPU 0). */
uint64_t host_tsc_spread_cycles(const struct host *h, sim_ps now);

#endif
