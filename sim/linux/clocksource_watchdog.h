/*
 * Linux's clocksource watchdog (kernel/time/clocksource.c, Linux 6.12) run on
 * simulated hardware: every WATCHDOG_INTERVAL (0.5 s) clocksource_watchdog()
 * reads the watchdog clocksource (HPET or ACPI PM timer) around a TSC read in
 * cs_watchdog_read(), converts both intervals to ns with each clocksource's
 * mult/shift, and marks the TSC unstable when they disagree by more than the
 * two uncertainty margins, or when the reads cannot be made tight.
 *
 * Only the TSC is watched (one clocksource on the watchdog list), and only
 * when Linux leaves CLOCK_SOURCE_MUST_VERIFY set on it (see
 * cs_watchdog_tsc_watched()).  Each read is an access of fixed cost plus the
 * stalls a callback asks for; the counter is sampled after the stall before
 * it and halfway through the access.  Not modelled: clocksource_verify_percpu()
 * (it only prints which CPUs are ahead or behind), the TSC re-rating and the
 * switch to another clocksource after the demotion, the jiffies granularity
 * of the timer, and mainline's 2026 rewrite of the watchdog.
 *
 * Besides what Linux decides, the model knows the truth: the true times of
 * every sample, so it can say whether the TSC really was off (a true
 * positive) or the watchdog or its reads were (a false positive).
 */
#ifndef SIM_LINUX_CLOCKSOURCE_WATCHDOG_H
#define SIM_LINUX_CLOCKSOURCE_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/clocksource.h"

/* CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US default (Kconfig range 50..1000). */
#define CS_WD_MAX_SKEW_US_DEFAULT 125u
/* WATCHDOG_THRESHOLD: the margin of a clocksource registered without a rate. */
#define CS_WD_THRESHOLD_NS (SIM_NS_PER_S >> 5)
/* After WD_READ_SKIP the next check waits HZ * 300 more: 5 minutes. */
#define CS_WD_SKIP_WAIT_PS (300 * SIM_PS_PER_S)
/* tsc-early's fixed margin (arch/x86/kernel/tsc.c clocksource_tsc_early). */
#define CS_WD_TSC_EARLY_MARGIN_NS (32 * UINT64_C(1000000))

/* The three results of cs_watchdog_read(). */
enum cs_wd_read_status {
	CS_WD_READ_SUCCESS,
	CS_WD_READ_UNSTABLE,      /* every attempt's wd-cs-wd window too wide */
	CS_WD_READ_SKIP,          /* wd-wd too wide as well: system busy */
};

/* What one tick did with the TSC. */
enum cs_wd_outcome {
	CS_WD_NOT_WATCHED,        /* no MUST_VERIFY: the timer never runs */
	CS_WD_ALREADY_UNSTABLE,   /* demoted earlier: the timer has stopped */
	CS_WD_PRIMED,             /* first sample (or after a reset): nothing compared */
	CS_WD_OK,                 /* compared, within the margin */
	CS_WD_SKIP_READ,          /* WD_READ_SKIP: counters reset, next check 300 s later */
	CS_WD_SKIP_LONG,          /* interval above WATCHDOG_INTERVAL_MAX_NS: not compared */
	CS_WD_UNSTABLE_READ,      /* WD_READ_UNSTABLE: "excessive read-back delay" */
	CS_WD_UNSTABLE_SKEW,      /* "the skew is too large" */
};

enum cs_wd_verdict {
	CS_WD_NO_VERDICT,         /* not demoted */
	CS_WD_TRUE_POSITIVE,      /* the TSC's own error over the interval exceeded the margin */
	CS_WD_FALSE_POSITIVE,     /* the TSC was within the margin: the watchdog or its reads were off */
};

enum cs_wd_read_kind {
	CS_WD_READ_WATCHDOG,
	CS_WD_READ_TSC,
};

/* Place of a read within one cs_watchdog_read() attempt. */
enum cs_wd_slot {
	CS_WD_SLOT_WDNOW,         /* watchdog, before the TSC */
	CS_WD_SLOT_CSNOW,         /* the TSC */
	CS_WD_SLOT_WD_END,        /* watchdog, after the TSC */
	CS_WD_SLOT_WD_END2,       /* watchdog, right after that */
};

/* Stalls around one read: the counter is sampled after `before_ps`. */
struct cs_wd_stall {
	sim_ps before_ps;
	sim_ps after_ps;
};

struct cs_watchdog_params {
	/* The watchdog's raw counter at true time t (masked with wd_mask here). */
	uint64_t (*wd_read)(void *ctx, sim_ps t);
	/* RDTSC on `cpu` at true time t. */
	uint64_t (*tsc_read)(void *ctx, unsigned cpu, sim_ps t);
	/*
	 * Stalls for one read; may be NULL (no stalls).  `index` counts this
	 * kind's reads from 0 over the watchdog's life; slot is its place in
	 * the attempt; t is when the read is issued.
	 */
	struct cs_wd_stall (*stall)(void *ctx, enum cs_wd_read_kind kind, uint64_t index,
				    enum cs_wd_slot slot, sim_ps t);
	void *ctx;
	uint64_t wd_mask;         /* HPET: 2^32 - 1; ACPI PM: 2^24 - 1 */
	uint32_t wd_freq_hz;      /* the rate Linux registered (clocksource_register_hz) */
	uint32_t tsc_khz;         /* the rate Linux registered for "tsc" (register_khz) */
	uint64_t wd_margin_ns;    /* preset uncertainty_margin; 0: computed as Linux does */
	uint64_t tsc_margin_ns;   /* 0: computed; CS_WD_TSC_EARLY_MARGIN_NS for tsc-early */
	unsigned max_skew_us;     /* CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US; 0: 125 */
	unsigned hz;              /* CONFIG_HZ; 0: 1000 */
	unsigned ncpus;           /* online CPUs: retry count, and the timer visits each */
	unsigned first_cpu;       /* the timer starts on cpumask_first(cpu_online_mask) */
	sim_ps wd_access_ps;      /* one watchdog read without stalls (HPET ~0.5-1 us) */
	sim_ps tsc_access_ps;     /* one RDTSC */
	bool tsc_watched;         /* MUST_VERIFY still set on the TSC */
	/*
	 * T. Gleixner, "clocksource: Reduce watchdog readout delay limit to
	 * prevent false positives" (LKML, 17 Dec 2025): the wd-cs-wd readout
	 * may take no longer than the skew limit md, so that an accepted
	 * readout delay can no longer show up as skew.  false: 6.12's
	 * 2 * wd margin + cs margin.
	 */
	bool readout_limit_md;
};

/* One tick, for traces and tests. */
struct cs_watchdog_tick {
	enum cs_wd_outcome outcome;
	unsigned cpu;             /* the CPU the timer ran on */
	unsigned attempts;        /* cs_watchdog_read() passes */
	int64_t wd_delay_ns;      /* last attempt: wd-cs-wd read-back delay */
	int64_t wd_seq_delay_ns;  /* last attempt: wd-wd read-back delay */
	int64_t cs_nsec;          /* TSC interval as Linux converts it */
	int64_t wd_nsec;          /* watchdog interval as Linux converts it */
	int64_t skew_ns;          /* cs_nsec - wd_nsec */
	int64_t tsc_true_error_ns; /* cs_nsec minus the true time between the TSC samples */
	int64_t wd_true_error_ns; /* wd_nsec minus the true time between the watchdog samples */
	bool compared;            /* cs_nsec..tsc_true_error_ns are valid */
	sim_ps end_ps;            /* when the tick's reads were done */
};

struct cs_watchdog_result {
	bool marked_unstable;
	sim_ps unstable_ps;       /* SIM_NEVER while stable */
	enum cs_wd_outcome reason;          /* CS_WD_UNSTABLE_READ or _SKEW */
	enum cs_wd_verdict verdict;
	int64_t skew_ns;          /* the skew Linux saw when it demoted (0 for _READ) */
	int64_t wd_delay_ns;      /* the read-back delay when it demoted */
	int64_t tsc_true_error_ns; /* the TSC's own error over that interval */
	uint64_t ticks;
	uint64_t compared;        /* intervals actually checked against md */
	uint64_t read_retries;    /* cs_watchdog_read() attempts beyond the first */
	uint64_t read_skips;      /* WD_READ_SKIP */
	uint64_t long_skips;      /* interval too long */
	uint64_t missed;          /* intervals with |TSC error| > md that Linux let pass */
	int64_t max_abs_skew_ns;
};

struct cs_watchdog {
	struct cs_watchdog_params p;
	struct linux_clocksource wd;
	struct linux_clocksource tsc;
	uint64_t wd_margin_ns;    /* watchdog->uncertainty_margin */
	uint64_t tsc_margin_ns;   /* cs->uncertainty_margin */
	int64_t md_ns;            /* skew limit: tsc + watchdog margins */
	int64_t read_limit_ns;    /* wd-cs-wd limit: 2 * watchdog margin + tsc margin */
	int64_t seq_limit_ns;     /* wd-wd limit: 2 * watchdog margin */
	unsigned max_retries;
	sim_ps interval_ps;       /* WATCHDOG_INTERVAL */
	int64_t interval_max_ns;  /* WATCHDOG_INTERVAL_MAX_NS */
	bool primed;              /* CLOCK_SOURCE_WATCHDOG set on the TSC */
	uint64_t tsc_last;        /* cs->cs_last */
	uint64_t wd_last;         /* cs->wd_last */
	sim_ps tsc_last_ps;       /* true time of those samples */
	sim_ps wd_last_ps;
	unsigned cpu;             /* where the timer runs next */
	sim_ps next_ps;           /* watchdog_timer.expires; SIM_NEVER when stopped */
	uint64_t wd_reads;
	uint64_t tsc_reads;
	struct cs_watchdog_result res;
};

/* WATCHDOG_MAX_SKEW in ns for a CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US (0: 125). */
uint64_t cs_watchdog_max_skew_ns(unsigned max_skew_us);

/*
 * The uncertainty_margin __clocksource_update_freq_scale() gives a
 * clocksource registered at freq * scale Hz without a preset margin: its
 * period in ns, at least 2 * WATCHDOG_MAX_SKEW; WATCHDOG_THRESHOLD without a
 * rate.  A preset margin is kept as it is.
 */
uint64_t cs_watchdog_uncertainty_margin_ns(uint32_t scale, uint32_t freq, uint64_t preset_ns,
					   unsigned max_skew_us);

/* WATCHDOG_INTERVAL_MAX_NS for CONFIG_HZ hz (0: 1000): twice WATCHDOG_INTERVAL, 1 s. */
int64_t cs_watchdog_interval_max_ns(unsigned hz);

/*
 * What clocksource_watchdog() decides from one interval as Linux converted
 * it: CS_WD_SKIP_LONG when either interval passes interval_max_ns ("Long
 * readout interval, skipping watchdog check"), CS_WD_UNSTABLE_SKEW when
 * |cs_nsec - wd_nsec| > md_ns (the two uncertainty margins), else CS_WD_OK.
 * The model's ticks and `sim judge`'s replay of dmesg lines both use it.
 */
enum cs_wd_outcome cs_watchdog_decide(int64_t cs_nsec, int64_t wd_nsec, int64_t md_ns,
				      int64_t interval_max_ns);

/* clocksource_get_max_watchdog_retry(): ilog2(ncpus) / 2 + 1. */
unsigned cs_watchdog_max_retries(unsigned ncpus);

/*
 * Whether Linux keeps watching the TSC (arch/x86/kernel/tsc.c): not with
 * tsc=reliable or tsc=nowatchdog, nor on a platform with CONSTANT_TSC,
 * NONSTOP_TSC and TSC_ADJUST and at most four packages
 * (check_system_tsc_reliable()).
 */
bool cs_watchdog_tsc_watched(bool constant_tsc, bool nonstop_tsc, bool tsc_adjust,
			     unsigned packages, bool tsc_reliable, bool tsc_nowatchdog);

/*
 * clocksource_start_watchdog() at `start`: first tick at start + 0.5 s.
 * False (diag filled) on a missing callback, a zero rate, an empty mask or
 * no CPUs.
 */
bool cs_watchdog_init(struct cs_watchdog *w, const struct cs_watchdog_params *p, sim_ps start,
		      struct sim_diag *diag);

/* When the machine should call cs_watchdog_tick() next; SIM_NEVER when stopped. */
sim_ps cs_watchdog_next_tick_ps(const struct cs_watchdog *w);

/*
 * clocksource_watchdog() running at `now` (normally cs_watchdog_next_tick_ps()):
 * reads, decides, re-arms.  Calls the callbacks in time order from `now`.
 * out may be NULL.
 */
void cs_watchdog_tick(struct cs_watchdog *w, sim_ps now, struct cs_watchdog_tick *out);

/* Ticks at every due time up to and including `end`. */
void cs_watchdog_run(struct cs_watchdog *w, sim_ps end);

/* clocksource_touch_watchdog() / resume: the next tick only takes new samples. */
void cs_watchdog_touch(struct cs_watchdog *w);

const char *cs_watchdog_outcome_name(enum cs_wd_outcome o);
const char *cs_watchdog_verdict_name(enum cs_wd_verdict v);

#endif
