/*
 * Guest clock readers: code a guest runs on one vCPU (or a process on a
 * host's CPUs), periodically, to read a clock, modelled on what Linux does.
 * What a read does depends on its kind (sim/guest/reader_kind.h), each in
 * its own file under sim/guest/kinds/: pvclock and pvclock-raw (pvclock.c),
 * tsc (tsc.c), rdtsc (rdtsc.c), hpet and pmtimer (counter.c), and the
 * guest's clock IDs monotonic, monotonic_raw, realtime, boottime (clock_id.c).
 *
 * This file is what all kinds share: reads start at a seeded random phase
 * within the period (or a pinned one), each period up to `jitter` late.  A
 * read takes `cost` of true time: the kind's begin runs when it starts, its
 * finish when it ends (and may ask for a retry, which starts a new attempt
 * at once).  A read that the VM's pause interrupts finishes after the VM
 * resumes.  A vCPU that is not running does not start reads: the periods it
 * misses are skipped.  When no event fires during an attempt, a kind whose
 * read depends only on the state at its edges finishes it at once, as of its
 * end, without queueing an event for the end (sim_eventq_take_inline).
 */
#ifndef SIM_GUEST_READER_H
#define SIM_GUEST_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/event.h"
#include "sim/core/rng.h"
#include "sim/cpu-tsc/clocksource.h"
#include "sim/guest/reader_kind.h"
#include "sim/guest/tick_clock.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/pvclock.h"

/* Kernel state shared by all of one guest's readers. */
struct guest_kernel {
	uint64_t pvclock_last_value;      /* pvclock.c's global last_value guard */
	bool pvclock_stable_valid;        /* pvclock_set_flags(PVCLOCK_TSC_STABLE_BIT) was called */
};

struct guest_reader;
struct platform;                  /* sim/devices/platform.h: the hpet and pmtimer kinds read it */

/* One completed read, handed to the sink in order of end time. */
struct guest_read {
	unsigned vcpu;            /* the vCPU, or on bare metal the physical CPU */
	unsigned index;           /* position of that CPU in the reader's list (oracle reader) */
	sim_ps start_ps;          /* when the (last, successful) attempt began */
	sim_ps end_ps;
	uint64_t value_ns;
	unsigned retries;         /* version-check retries of this read */
};

/* rd is the reader's own record: valid during the call, the next read's after it. */
typedef void guest_read_sink(void *ctx, const struct guest_reader *r, const struct guest_read *rd);

/*
 * A foreign pvclock read (a plugin, sim/plugin) in place of Linux's, for the
 * "pvclock" kind: `seen` is the page as the attempt read it (kinds/pvclock.c
 * says how a rewrite during the attempt shows); the value in *value_ns, or
 * false to retry.  On a failure it stops the run (sim_eventq_fail).
 */
typedef bool guest_foreign_read(void *ctx, struct guest_reader *r,
				const struct pvclock_vcpu_time_info *seen, sim_ps now,
				uint64_t *value_ns);

struct guest_reader_params {
	enum reader_kind kind;
	unsigned vcpu;
	sim_ps period_ps;
	sim_ps jitter_ps;         /* each read starts up to this late in its period */
	sim_ps cost_ps;           /* duration of one read attempt; 0: the kind's default (reader_kind.h) */
	bool has_phase;           /* pin the first read's offset in the period ... */
	sim_ps phase_ps;          /* ... to this (< period); otherwise it is drawn from the PRNG */
	uint64_t tsc_khz;         /* tsc kind: 0 = taken from kvmclock at boot */
	struct platform *platform;/* hpet and pmtimer kinds: the board to read */
	/*
	 * Bare metal (host != NULL, no VM): the reader runs on physical CPUs.
	 * With migrate_every_ps it is one process that hops to the next CPU of
	 * `cpus` every migrate_every_ps (index = position in the list);
	 * otherwise it stays on cpus[index].
	 */
	struct host *host;
	const unsigned *cpus;
	unsigned ncpus;
	sim_ps migrate_every_ps;
	enum tsc_read_kind rdtsc; /* bare metal: RDTSC (may sample a nearby instant), LFENCE;RDTSC or RDTSCP */
	unsigned width_bits;      /* hpet: 32 (readl of the low half) or 64 (readq) */
	bool wrap_extend;         /* hpet, pmtimer: accumulate masked deltas (Linux) or not */
	/*
	 * ticks: the tick source, policy, outages and syncs; the caller's, which
	 * outlives the reader (one per group: 2.7 KB each, not copied per vCPU).
	 * NULL for the other kinds.
	 */
	const struct tick_clock_config *ticks;
	/* monotonic, monotonic_raw, realtime, boottime (kinds/clock_id.c) */
	bool clocksource_tsc;     /* the guest's timekeeping runs on the tsc clocksource, not kvm-clock */
	sim_ps wall_clock_every_ps; /* realtime: re-write and re-read the wall-clock MSR this often;
				       0: read once at boot (Linux) */
	int64_t ntp_freq_ppb;     /* the guest NTP daemon's frequency correction (not in _RAW) */
	uint64_t seed;
	const char *stream_id;    /* PRNG stream and event name, e.g. "reader/kvmclock/vcpu2" */
	guest_foreign_read *foreign_read;  /* pvclock: a plugin's read; NULL: Linux's */
	void *foreign_ctx;
	unsigned group;           /* opaque to the reader: the oracle group ... */
	unsigned index;           /* ... and reader index in it */
};

struct guest_reader {
	struct guest_reader_params p;
	char name[64];
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;    /* a VM reader's vCPU, vm->vcpus[p.vcpu]; NULL on bare metal */
	struct guest_kernel *kernel;
	struct sim_rng rng;
	struct sim_event ev;
	sim_ps phase_ps;          /* offset of period 0 */
	sim_ps next_base_ps;      /* start of the next period to read in, before its jitter */
	struct sim_rng_bound jitter;  /* draws in [0, p.jitter_ps], set up once */
	bool one_event;           /* the kind's one_event, with Linux's read (not a plugin's) */
	bool in_read;             /* an attempt's end is queued (fire.h) */
	bool paused;
	unsigned cur_cpu;         /* CPU of the read in flight (bare metal: may change between reads) */
	bool moved;               /* bare metal: rescheduled onto moved_cpu (reader_migrate) */
	unsigned moved_cpu;
	struct guest_read rec;    /* the read in flight, for the sink: CPU and start, then the rest */
	sim_ps remaining_ps;      /* of an attempt interrupted by a pause */
	unsigned attempt_retries; /* retries before the attempt whose end is queued */
	/* the kind's state (sim/guest/kinds/) */
	struct pvclock_vcpu_time_info snapshot;   /* pvclock: the page as the attempt began */
	struct linux_clocksource cs;              /* tsc, hpet, pmtimer: the clocksource */
	uint64_t counter_last;    /* hpet, pmtimer: last raw counter read */
	uint64_t counter_total;   /* hpet, pmtimer: cycles accumulated since t = 0 */
	uint64_t tsc_khz;         /* tsc, rdtsc: the kHz the code converts with */
	uint64_t boot_tsc;        /* tsc: the clocksource's anchor ... */
	uint64_t boot_ns;         /* ... and its time */
	/* clock IDs (kinds/clock_id.c): value = raw clocksource ns mapped through these */
	uint64_t cs_anchor_ns;    /* the clocksource's ns when the guest's timekeeping began */
	int64_t realtime_off_ns;  /* REALTIME - MONOTONIC, set from the wall-clock MSR */
	sim_ps wall_next_ps;      /* realtime: when the guest next re-reads the wall clock */
	uint64_t wall_reads;      /* realtime: wall-clock MSR writes and reads, boot included */
	/* totals */
	uint64_t reads;
	uint64_t retries;
	uint64_t guarded;         /* pvclock: reads the last_value guard raised */
	guest_read_sink *sink;    /* never NULL: a reader without one gets a no-op */
	void *sink_ctx;
};

/* The CPU (or vCPU) a read at `now` runs on, and its index in the reader's list. */
unsigned guest_reader_cpu(const struct guest_reader *r, sim_ps now, unsigned *index);

/*
 * Binds the reader to vCPU p->vcpu of vm (or, with p->host, to physical
 * CPUs) and schedules its first read at `now` + phase.  Must be called after
 * kvm_vm_init at `now` = 0.  The reader owns no memory: finish the queue
 * before the reader goes away (sim/core/event.h).
 */
bool guest_reader_init(struct guest_reader *r, const struct guest_reader_params *p,
		       struct kvm_vm *vm, struct guest_kernel *kernel, struct sim_eventq *q,
		       sim_ps now, guest_read_sink *sink, void *sink_ctx, struct sim_diag *err);

/* Hands the reader's next reads to sink (NULL: nowhere) with ctx, from the next read on. */
void guest_reader_set_sink(struct guest_reader *r, guest_read_sink *sink, void *sink_ctx);

/* The VM stops / runs again at `now`. */
void guest_reader_pause(struct guest_reader *r, struct sim_eventq *q, sim_ps now);
void guest_reader_resume(struct guest_reader *r, struct sim_eventq *q, sim_ps now);

void guest_kernel_init(struct guest_kernel *k, bool stable_bit_cpuid);

/* Bare metal, not migrating: the scheduler moves the process onto `cpu`. */
void guest_reader_move(struct guest_reader *r, unsigned cpu);

#endif
