/*
 * One CPU's time-stamp counter as a chain of linear pieces of its crystal's
 * count (the pvclock idea): a piece is (t0, tsc0, c0, rate) and, while the
 * counter runs, it reads tsc0 + floor((C(now) - c0) * rate), C the socket
 * crystal's count (crystal.h; true time when the TSC has no crystal) and
 * rate the cycles per second of the crystal's nominal time.  Every change of
 * rate closes the current piece at `now`, so reads stay continuous by
 * construction (the fraction of a cycle in progress is dropped).
 *
 * What sets the rate (Linux Documentation/virt/kvm/x86/timekeeping.rst,
 * 3.4-3.6; Linux commit 40fb17152c, the three Intel TSC classes):
 * - invariant (constant_tsc + nonstop_tsc; Intel SDM vol. 3, 17.17.1): the
 *   nominal rate in every P-, C- and T-state;
 * - constant: the nominal rate, but it stops in C2 and deeper and while
 *   STPCLK throttles the core;
 * - variable: it also follows the core clock (P-states), like AMD K8.
 * Optional per CPU: a rate factor while halted (3.5: the erratum where a
 * halted core's P-state is raised, its TSC runs faster; or K8's C1 clock
 * ramping, slower).  T-state throttling is modelled by its average: a
 * non-nonstop TSC runs at duty * rate, the mean over STPCLK's duty cycle
 * (the on/off pattern itself, some microseconds long, is not modelled).
 *
 * MSRs (SDM vol. 3, 17.17): IA32_TIME_STAMP_COUNTER (10H; old CPUs write
 * only bits 31:0 and clear 63:32, timekeeping.rst 3), IA32_TSC_ADJUST (3BH,
 * 17.17.3: 0 at reset; a WRMSR to the TSC that adds X also adds X to it, a
 * WRMSR to it that adds X also adds X to the TSC), IA32_TSC_AUX
 * (C000_0103H, returned by RDTSCP; Linux writes (node << 12) | cpu there).
 * RDTSC is not serialising (SDM, RDTSC; timekeeping.rst 4.2): a plain
 * RDTSC may return the value of a nearby instant, up to a window of cycles
 * either way; RDTSCP and LFENCE;RDTSC return the exact instant.
 */
#ifndef SIM_CPU_TSC_TSC_H
#define SIM_CPU_TSC_TSC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/crystal.h"

#define IA32_TIME_STAMP_COUNTER 0x10u
#define IA32_TSC_ADJUST 0x3bu
#define IA32_TSC_AUX 0xc0000103u

#define TSC_DUTY_FULL_PPM 1000000u

enum tsc_class {
	TSC_INVARIANT,            /* constant rate, counts in every C-state */
	TSC_CONSTANT,             /* constant rate, stops in C2+ and under STPCLK */
	TSC_VARIABLE,             /* follows the P-state; stops in C2+ and under STPCLK */
};

/* A CPU's TSC hardware.  All zero: invariant with TSC_ADJUST, exact RDTSC. */
struct tsc_props {
	enum tsc_class cls;
	bool no_adjust;           /* no IA32_TSC_ADJUST (before it existed) */
	bool write_low32;         /* WRMSR to the TSC writes bits 31:0 and clears 63:32 */
	bool known_freq;          /* the CPU enumerates its TSC frequency (CPUID 15H with the
				     crystal, or the MSRs Linux's tsc_msr.c reads) */
	bool reliable;            /* the platform guarantees synchronised TSCs */
	uint32_t halt_num;        /* rate factor halt_num / halt_den while halted (C1+) */
	uint32_t halt_den;        /* ... 0: off (the erratum of timekeeping.rst 3.5 when > 1) */
	uint64_t rdtsc_window_cycles; /* a plain RDTSC is off by up to this many cycles */
};

/* Linux's view (timekeeping.rst 3.9) plus the CPUID bits it comes from. */
struct tsc_features {
	bool constant_tsc;        /* X86_FEATURE_CONSTANT_TSC */
	bool nonstop_tsc;         /* X86_FEATURE_NONSTOP_TSC */
	bool tsc_reliable;        /* X86_FEATURE_TSC_RELIABLE: no sync check needed */
	bool tsc_known_freq;      /* X86_FEATURE_TSC_KNOWN_FREQ: no calibration */
	bool invariant_cpuid;     /* CPUID.80000007H:EDX[8] = constant && nonstop */
	bool tsc_adjust;          /* CPUID.(EAX=07H,ECX=0):EBX[1] */
};

enum tsc_read_kind {
	TSC_RDTSC,                /* not serialised: within +-rdtsc_window_cycles */
	TSC_LFENCE_RDTSC,         /* exact */
	TSC_RDTSCP,               /* exact, and TSC_AUX */
};

struct tsc_segment {
	sim_ps t0;                /* start of this piece */
	uint64_t tsc0;            /* counter value at t0 */
	struct sim_freq rate;     /* cycles per nominal crystal second; {0, 0} while stopped */
	sim_u128 c0;              /* crystal count at t0 */
	uint64_t counted0;        /* cycles counted before t0 since init, writes ignored */
	struct sim_recip recip;   /* crystal_cycles_recip(rate); den 0: divide instead */
};

/*
 * The current piece on the crystal's current piece as one exact line, from
 * a base instant T (tsc.c, tsc_fast_build(), has the proof):
 *   cycles(T + dt) = cycles_base + floor((u + kr dt) / dr),
 * kr = (10^9 + e) num and dr = den 10^21 (the cycles per ps, kr / dr < 1),
 * u the remainder at T over 10^9; g = floor(2^64 kr / dr) and
 * uf = floor(2^64 u / dr) make an estimate at most 1 below the quotient.  Valid while xtal_gen is the
 * crystal's generation (0: none) and the piece is unchanged (every change
 * of the piece clears it).
 */
struct tsc_fast {
	/* what every read takes, first (struct cpu_tsc) */
	uint64_t xtal_gen;
	sim_ps t_base;
	uint64_t cycles_base;     /* cycles counted on the piece by t_base */
	uint64_t g;
	uint64_t uf;
	/* the rare correction step's */
	uint64_t kr;
	sim_u128 dr;
	sim_u128 u;
};

struct cpu_tsc {
	/*
	 * A guest read's fields together, the crystal, the fast line's and then
	 * seg's tsc0, so that with 1024 CPUs, whose lines are mostly out of
	 * L1 and L2, a read touches two cache lines of its CPU, not four
	 * (docs/performance-rounds.md, "Eighth round").
	 */
	const struct crystal *xtal; /* NULL: an ideal crystal, C(t) = t */
	struct tsc_fast fast;     /* a cache of seg: reads at or after its base */
	struct tsc_segment seg;
	struct tsc_props props;
	struct sim_freq nominal;  /* the rate at P0, C0, unthrottled (tsc_set_rate) */
	uint32_t pstate_num;      /* core clock / nominal, for a variable TSC */
	uint32_t pstate_den;
	unsigned cstate;          /* 0 running, 1 halted (HLT), 2+ deeper */
	uint32_t duty_ppm;        /* STPCLK duty: share of time the clock runs */
	bool powered_off;         /* package without power (S3, S4, not yet hot-added) */
	int64_t adjust;           /* IA32_TSC_ADJUST */
	uint32_t aux;             /* IA32_TSC_AUX */
	/* history for truth queries */
	uint64_t stops;           /* completed stops of positive length */
	sim_ps stop_start_ps;     /* start of the current stop */
	sim_ps last_stop_end_ps;
	uint64_t scalings;        /* completed spells off the nominal rate */
	sim_ps scaled_start_ps;   /* start of the current spell */
	sim_ps last_scaled_end_ps;
	uint64_t writes;          /* WRMSRs to the TSC or TSC_ADJUST, resets */
	sim_ps last_write_ps;
	bool advertised_set;
	struct tsc_features advertised;
};

/* An invariant TSC on an ideal clock at `rate` Hz, reading tsc0 at t0. */
void tsc_init(struct cpu_tsc *tsc, sim_ps t0, uint64_t tsc0, struct sim_freq rate);

/*
 * A TSC clocked by `xtal` (NULL: ideal) at `nominal` cycles per nominal
 * second of the crystal, reading tsc0 at t0; props NULL: all zero.
 */
void tsc_init_crystal(struct cpu_tsc *tsc, const struct crystal *xtal,
		      const struct tsc_props *props, sim_ps t0, uint64_t tsc0,
		      struct sim_freq nominal);

/* Cycles counted on the current piece by `now` (tsc.c). */
uint64_t tsc_piece_cycles(const struct cpu_tsc *tsc, sim_ps now);

/*
 * tsc->fast's cycles at `now`: false when it does not hold there (none, the
 * crystal moved to another piece, or now before its base).  One 64 x 64-bit
 * multiply, and on the rare instants the estimate cannot settle alone
 * (odds about dt / 2^64) one more 64 x 64 and one 64 x 128 and at most one
 * correction step.
 */
static inline bool tsc_fast_cycles(const struct cpu_tsc *tsc, sim_ps now, uint64_t *cycles)
{
	const struct tsc_fast *f = &tsc->fast;
	sim_ps dt;
	uint64_t q;
	sim_u128 e, r;

	if (f->xtal_gen == 0 || f->xtal_gen != tsc->xtal->gen || now < f->t_base)
		return false;
	dt = now - f->t_base;
	e = (sim_u128)dt * f->g + f->uf;
	q = (uint64_t)(e >> 64);
	/*
	 * 2^64 (u + kr dt) / dr lies in [e, e + dt + 1) (tsc.c, the proof):
	 * with e's low half at most 2^64 - 1 - dt no multiple of 2^64 lies
	 * in between, and q is the quotient.
	 */
	if ((uint64_t)e <= ~dt) {
		*cycles = f->cycles_base + q;
		return true;
	}
	/* u + kr dt - q dr, in [0, 2 dr): exact modulo 2^128 (tsc.c, the proof) */
	r = f->u + (sim_u128)f->kr * dt - f->dr * q;
	*cycles = f->cycles_base + q + (r >= f->dr);
	return true;
}

/*
 * Builds tsc->fast at `now` and returns the cycles counted on the piece by
 * then; false (fast left empty) where it cannot hold: no crystal, SSC, a
 * stopped counter, now not inside the piece, or a rate out of its range.
 */
bool tsc_fast_build(struct cpu_tsc *tsc, sim_ps now, uint64_t *cycles);

/*
 * The counter at `now` (now >= seg.t0); wraps modulo 2^64 as the hardware
 * does.  Inline for the common read (running, a crystal on its current
 * piece without SSC, the rate's reciprocal): a guest read's TSC chain
 * without its calls; tsc_piece_cycles() does the rest, the same way.
 * tsc->fast, when it holds at `now`, gives the same value cheaper.
 */
static inline uint64_t tsc_read(const struct cpu_tsc *tsc, sim_ps now)
{
	const struct tsc_segment *s = &tsc->seg;
	sim_u128 c;
	uint64_t cycles;

	if (tsc_fast_cycles(tsc, now, &cycles))
		return s->tsc0 + cycles;
	if (tsc->xtal && s->rate.num != 0 && now > s->t0 && s->recip.den &&
	    crystal_count_flat(tsc->xtal, now, &c) && c > s->c0)
		return s->tsc0 + sim_recip_apply(&s->recip, c - s->c0);
	return s->tsc0 + tsc_piece_cycles(tsc, now);
}

/*
 * tsc_read() that also builds tsc->fast when it does not hold (the first
 * read after a change of the piece or of the crystal's piece), so that the
 * reads after it take the cheap line: a guest read's RDTSC.
 */
static inline uint64_t tsc_read_cached(struct cpu_tsc *tsc, sim_ps now)
{
	uint64_t cycles;

	if (tsc_fast_cycles(tsc, now, &cycles) ||
	    (tsc->xtal && tsc->fast.xtal_gen != tsc->xtal->gen &&
	     tsc_fast_build(tsc, now, &cycles)))
		return tsc->seg.tsc0 + cycles;
	return tsc_read(tsc, now);
}

/* Closes the current piece at `now` and continues at nominal rate `rate`. */
void tsc_set_rate(struct cpu_tsc *tsc, sim_ps now, struct sim_freq rate);

/*
 * A full 64-bit WRMSR to IA32_TSC: the counter holds `value` at `now` and
 * keeps its rate; TSC_ADJUST moves by the same delta.
 */
void tsc_write(struct cpu_tsc *tsc, sim_ps now, uint64_t value);

/*
 * Earliest true time >= seg.t0 at which the counter reads at least `value`
 * (seg.t0 if it already does); SIM_NEVER if that is beyond 2^64 ps or the
 * counter is stopped.  Valid until the piece or the crystal changes.
 */
sim_ps tsc_time_of(const struct cpu_tsc *tsc, uint64_t value);

/* Power states.  Each closes the current piece at `now`. */
void tsc_set_pstate(struct cpu_tsc *tsc, sim_ps now, uint32_t core_num, uint32_t core_den);
void tsc_cstate_enter(struct cpu_tsc *tsc, sim_ps now, unsigned cstate);
void tsc_cstate_exit(struct cpu_tsc *tsc, sim_ps now);
void tsc_set_throttle(struct cpu_tsc *tsc, sim_ps now, uint32_t duty_ppm);
void tsc_power_off(struct cpu_tsc *tsc, sim_ps now);

/*
 * RESET (power-on, hot-add): the counter reads `value` at `now` and counts
 * on; TSC_ADJUST 0; C0, P0, unthrottled, powered.
 */
void tsc_reset(struct cpu_tsc *tsc, sim_ps now, uint64_t value);

/*
 * WRMSR/RDMSR of IA32_TIME_STAMP_COUNTER, IA32_TSC_ADJUST and IA32_TSC_AUX;
 * false where the CPU would raise #GP (and for any other MSR).
 */
bool tsc_wrmsr(struct cpu_tsc *tsc, sim_ps now, uint32_t msr, uint64_t value);
bool tsc_rdmsr(const struct cpu_tsc *tsc, sim_ps now, uint32_t msr, uint64_t *value);

/*
 * An instruction read at `now`.  TSC_RDTSC with a window draws its jitter
 * from `rng` (uniform in [-window, +window] cycles; none while stopped or
 * without rng).  TSC_RDTSCP stores TSC_AUX in *aux (if aux is not NULL).
 */
uint64_t tsc_rdtsc(const struct cpu_tsc *tsc, sim_ps now, enum tsc_read_kind kind,
		   struct sim_rng *rng, uint32_t *aux);

/* Cycles counted since init, unaffected by writes: the oracle's view of the rate. */
uint64_t tsc_cycles_counted(const struct cpu_tsc *tsc, sim_ps now);

/* Mean rate of `cycles` counted over `dt_ps` relative to `ref`, in ppb (floor). */
int64_t tsc_rate_error_ppb(uint64_t cycles, sim_ps dt_ps, struct sim_freq ref);

/* Instantaneous rate at `now` relative to `ref` (crystal, SSC and power state), in ppb. */
int64_t tsc_rate_ppb(const struct cpu_tsc *tsc, sim_ps now, struct sim_freq ref);

/*
 * Truth over [since, now], now not before the last state change: whether the
 * counter stood still for a positive time, ran off its nominal rate
 * (P-state, halt factor, throttling), or was written.
 */
bool tsc_stopped_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now);
bool tsc_scaled_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now);
bool tsc_written_within(const struct cpu_tsc *tsc, sim_ps since, sim_ps now);

/* Whether the counter runs at `now`'s piece. */
bool tsc_running(const struct cpu_tsc *tsc);

/* Features the hardware really has, and the ones advertised (default: the same). */
struct tsc_features tsc_props_features(const struct tsc_props *props);
struct tsc_features tsc_derived_features(const struct cpu_tsc *tsc);
struct tsc_features tsc_advertised_features(const struct cpu_tsc *tsc);
/* Overrides the advertised set (firmware or hypervisor lies); NULL: back to derived. */
void tsc_advertise(struct cpu_tsc *tsc, const struct tsc_features *f);

#endif
