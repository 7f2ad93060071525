/*
 * What the visualizer knows about a run, in bounded memory: the scenario is
 * run by the machine (sim/machine) and the trace stream (sim/core/trace.h)
 * is folded as it arrives into VIZ_COLS columns over a time window, one
 * min/max envelope (or level set) per lane and column.  Nothing grows with
 * the run's length: a 10-minute run and a 10-second run take the same
 * memory.  Violations (first violations of the oracle's checks, at most one
 * per check and reader) are all kept, up to VIZ_MAX_VIOLATIONS.
 *
 * Two models make the multi-resolution summary (app.c): an overview of the
 * whole run, built once, and a detail of the window on screen, rebuilt by
 * running the scenario again up to the window's end (runs are deterministic,
 * so the detail agrees with the overview).
 */
#ifndef VIZ_MODEL_H
#define VIZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/simtime.h"
#include "sim/scenario/scenario.h"

struct machine;

/* The lane kinds, in screen order: X(id, name for --lanes, label). */
#define VIZ_LANE_KINDS(X)                                             \
	X(VIZ_LANE_TSC, "tsc", "TSC error vs ideal")                  \
	X(VIZ_LANE_READER, "reader", "reader value - true time")      \
	X(VIZ_LANE_PVCLOCK, "pvclock", "pvclock page")                \
	X(VIZ_LANE_IRQ, "irq", "interrupt line")                      \
	X(VIZ_LANE_HOST, "host", "host events")

enum viz_lane_kind {
#define VIZ_LANE_ENUM(id, name, label) id,
	VIZ_LANE_KINDS(VIZ_LANE_ENUM)
#undef VIZ_LANE_ENUM
	VIZ_LANE_KIND_COUNT
};

#define VIZ_LANES_ALL ((1u << VIZ_LANE_KIND_COUNT) - 1)

const char *viz_lane_kind_name(enum viz_lane_kind k);

/* "tsc,reader" -> mask; false with why for an unknown name. */
bool viz_parse_lanes(const char *list, unsigned *mask, char *why, size_t len);

#define VIZ_COLS 1024
#define VIZ_MAX_LANES 40
#define VIZ_MAX_VIOLATIONS 256
#define VIZ_MAX_BANDS 128
#define VIZ_NAME_MAX 40
#define VIZ_EXPLAIN_MAX 640
#define VIZ_CAUSE_SLOTS 65        /* vCPUs 0..63 and "any" */

/* A candidate cause of a later violation: the last page or TSC write, VMM step, ... */
struct viz_cause {
	sim_ps t_ps;
	uint64_t seq;             /* the record's number: the later of two slots */
	bool set;
	char what[VIZ_NAME_MAX * 2];
};

/* An analogue column: the envelope of the values that fell in it (n == 0: none). */
struct viz_bucket {
	int64_t min, max, first, last;
	uint32_t n;
};

/* Level-set bits of a digital or marker column. */
enum {
	VIZ_LOW = 1,              /* irq: the line was low in the column */
	VIZ_HIGH = 2,             /* irq: high */
	VIZ_EDGE = 4,             /* irq: it changed level */
	VIZ_PAGE_EVEN = 1,        /* pvclock: a write left the version even (update done) */
	VIZ_PAGE_ODD = 2,         /* pvclock: a write left it odd (update in progress) */
	VIZ_PAGE_STABLE = 4,      /* pvclock: PVCLOCK_TSC_STABLE_BIT set at some point */
	VIZ_PAGE_STOPPED = 8,     /* pvclock: PVCLOCK_GUEST_STOPPED set at some point */
	VIZ_MARK_CSTATE = 1,      /* host: a C-state entry (or pattern) */
	VIZ_MARK_PSTATE = 2,      /* host: P-state, throttle or temperature step */
	VIZ_MARK_TSC_WRITE = 4,   /* host: a TSC or TSC_ADJUST write (host or KVM) */
	VIZ_MARK_HOTPLUG = 8,     /* host: CPU hot-add */
	VIZ_MARK_SUSPEND = 16,    /* host: suspend/resume */
	VIZ_MARK_KERNEL = 32,     /* host: clocksource switch, NTP adjust, master clock */
};

/* The last page write in a pvclock column. */
struct viz_page {
	uint32_t version;
	uint8_t flags;
	uint64_t tsc_timestamp;
	uint64_t system_time_ns;
};

struct viz_lane {
	enum viz_lane_kind kind;
	char name[VIZ_NAME_MAX];  /* "CPU 1", "vCPU 0", "kvmclock", "irq0", ... */
	unsigned index;           /* CPU, vCPU or reader group it shows */
	unsigned vmi;             /* TSC and PVCLOCK lanes of vCPUs: the VM (scenario index) */
	unsigned host;            /* TSC lanes of host CPUs */
	bool vcpu;                /* TSC lanes: a vCPU's guest TSC */
	union {
		struct viz_bucket *b;     /* TSC, READER: VIZ_COLS, in ps */
		uint8_t *bits;            /* IRQ, PVCLOCK, HOST: VIZ_COLS */
	} u;
	struct viz_page *pages;   /* PVCLOCK: VIZ_COLS */
	/* folding state */
	bool have_ref;
	int64_t ref;              /* READER: the first value read (ns); TSC: the anchor count */
	sim_ps ref_t_ps;          /* READER: when it was read */
	uint64_t ref_khz;         /* TSC: the rate of the ideal clock */
	uint8_t level;            /* IRQ, PVCLOCK: carried level / flags */
	int filled_to;            /* IRQ, PVCLOCK: columns before this hold their level */
};

struct viz_violation {
	sim_ps t_ps;
	char reader[VIZ_NAME_MAX];
	char check[VIZ_NAME_MAX];
	unsigned vcpu;
	bool in_vm;               /* a guest reader's: its VM is vmi */
	unsigned vmi;
	uint64_t value_ns;
	int64_t amount;
	bool has_cause;
	sim_ps cause_ps;          /* the page update or hardware event before it */
	char cause[VIZ_NAME_MAX * 2];
	char explain[VIZ_EXPLAIN_MAX]; /* the report's words (filled by the caller) */
};

/* A shaded band: the guest stopped (pause, snapshot, migration downtime, stall). */
struct viz_band {
	sim_ps t0_ps, t1_ps;      /* t1_ps == 0 while open */
	char label[VIZ_NAME_MAX];
};

struct viz_model {
	const struct scenario *s;
	sim_ps t0_ps, t1_ps;      /* the window the columns cover */
	sim_ps duration_ps;
	unsigned nlanes;
	struct viz_lane lanes[VIZ_MAX_LANES];
	unsigned nviolations, violations_dropped;
	struct viz_violation violations[VIZ_MAX_VIOLATIONS];
	unsigned nbands, bands_dropped;
	struct viz_band bands[VIZ_MAX_BANDS];
	/*
	 * The last candidate causes, VIZ_CAUSE_SLOTS per VM (per vCPU, the last
	 * slot: on any vCPU): a guest reader's violation takes its own VM's, a
	 * host reader's the latest of any VM's.  Held while building only.
	 */
	struct viz_cause *causes;
	unsigned ncause_vms;
	uint64_t records;         /* trace records folded */
	uint64_t reads;
};

/*
 * Builds the model of scenario s over [t0, t1) (t1 clamped to its
 * duration): creates a machine, runs it up to t1 (whole: to the end, so
 * the oracle's results are final) and folds the trace.  m_out (may be NULL)
 * gets the machine, which the caller destroys: the report's words for the
 * violations come from it.  like (may be NULL): a model of the same
 * scenario whose interrupt lanes come first, in its order.  False with err.
 */
bool viz_model_build(struct viz_model *vm, const struct scenario *s, sim_ps t0, sim_ps t1,
		     bool whole, const struct viz_model *like, struct machine **m_out,
		     struct sim_diag *err);
void viz_model_free(struct viz_model *vm);

/*
 * With several VMs, each guest reader's violation names its VM with its
 * vCPUs, as `sim run`'s report does ("VM b vCPU 1"): "VM b " goes before
 * every "vCPU " of its explanation.  Called once the explanations are filled.
 */
void viz_model_name_vms(struct viz_model *vm);

/* The column of time t (may be out of [0, VIZ_COLS)) and a column's first instant. */
int64_t viz_model_col(const struct viz_model *vm, sim_ps t);
sim_ps viz_model_col_time(const struct viz_model *vm, int64_t col);

#endif
