/*
 * The trace stream: a typed record of what happened in a run, published to
 * subscribers as it happens (libuv-style callbacks, no buffering).
 *
 * Publishers hold a `struct sim_trace *` (NULL when the run has no stream)
 * and test sim_trace_wants() before they build a record, so a stream nobody
 * subscribed to costs one load and one branch per would-be record.  Nothing is
 * kept per record: subscribers (the JSON report's event log, later VCD,
 * Perfetto, the visualizer, `sim judge`) stream or aggregate as they go, so
 * memory stays flat however long the run.
 *
 * Records borrow their strings (reader, device, action names): they stay
 * valid for the whole run, never only for the callback.  Times are true time
 * in ps.  Records arrive in the order events fire, so `t_ps` never decreases.
 */
#ifndef SIM_CORE_TRACE_H
#define SIM_CORE_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/* One row per record kind: the name is what exporters print (sim_trace_kind_name). */
#define SIM_TRACE_KINDS(X)                                                          \
	X(SIM_TRACE_READ, "read")                     /* a guest reader's completed read */ \
	X(SIM_TRACE_PVCLOCK_WRITE, "pvclock_write")   /* KVM wrote a vCPU's pvclock page */ \
	X(SIM_TRACE_TSC_WRITE, "tsc_write")           /* KVM set a vCPU's TSC offset/ratio */ \
	X(SIM_TRACE_MASTER_CLOCK, "master_clock")     /* KVM's master clock was (re)taken */ \
	X(SIM_TRACE_IRQ_EDGE, "irq_edge")             /* an interrupt line changed level */ \
	X(SIM_TRACE_DEVICE_ACCESS, "device_access")   /* a register read or write on a bus */ \
	X(SIM_TRACE_VMM_PHASE, "vmm_phase")           /* a VMM action entered a phase */ \
	X(SIM_TRACE_VIOLATION, "violation")           /* an oracle check's first violation */ \
	X(SIM_TRACE_GUEST_TIMER, "guest_timer")       /* a guest armed its APIC timer, or took its interrupt */ \
	X(SIM_TRACE_GUEST_RUN, "guest_run")           /* the VMM stopped every vCPU, or let them run again */

enum sim_trace_kind {
#define SIM_TRACE_ENUM(id, name) id,
	SIM_TRACE_KINDS(SIM_TRACE_ENUM)
#undef SIM_TRACE_ENUM
	SIM_TRACE_KIND_COUNT
};

#define SIM_TRACE_ALL ((UINT32_C(1) << SIM_TRACE_KIND_COUNT) - 1)
#define SIM_TRACE_BIT(kind) (UINT32_C(1) << (kind))

struct sim_trace_read {
	const char *reader;       /* the scenario's reader name */
	unsigned group;           /* oracle group (scenario reader index) */
	unsigned vcpu;            /* vCPU (or host CPU for bare-metal readers) */
	sim_ps start_ps;          /* true time the read began; the record's t_ps is its end */
	uint64_t value_ns;        /* what the reader returned */
};

/* The full 32-byte page, field by field (sim/kvm/pvclock.h has the ABI struct). */
struct sim_trace_pvclock_write {
	unsigned vm;
	unsigned vcpu;
	uint32_t version;
	uint64_t tsc_timestamp;
	uint64_t system_time_ns;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
};

struct sim_trace_tsc_write {
	unsigned vm;
	unsigned vcpu;
	int64_t offset;           /* guest TSC = scaled host TSC + offset (two's complement) */
	uint64_t ratio;           /* scaling ratio, fixed point */
	unsigned ratio_frac_bits; /* 48 on VMX, 32 on SVM; ratio == 1 << frac_bits: unscaled */
};

struct sim_trace_master_clock {
	unsigned vm;
	bool use_master_clock;    /* false: per-vCPU updates (unstable host TSC) */
	uint64_t host_tsc;        /* master_cycle_now */
	uint64_t host_ns;         /* master_kernel_ns */
};

struct sim_trace_irq_edge {
	const char *line;         /* "irq0", "rtc", "hpet.timer2", "apic.cpu1", ... */
	unsigned pin;
	bool level;               /* the new level */
};

enum sim_trace_bus {
	SIM_TRACE_BUS_PORT,
	SIM_TRACE_BUS_MMIO,
};

struct sim_trace_device_access {
	const char *device;       /* device_ops kind: "pit", "rtc", "hpet", "pmtimer" */
	enum sim_trace_bus bus;
	uint64_t addr;
	unsigned size;            /* bytes */
	bool write;
	uint64_t value;           /* written, or read back */
};

struct sim_trace_vmm_phase {
	const char *action;       /* "migration", "vcpu_move", "pause", "snapshot" */
	const char *phase;        /* "stop", "pause", "capture", "restore", "resume", ... */
	unsigned vm;
	unsigned index;           /* the action's index in the scenario */
};

struct sim_trace_violation {
	const char *reader;       /* reader or host-check name */
	const char *check;        /* oracle check name */
	unsigned vcpu;
	uint64_t value_ns;
	int64_t amount;           /* the offending quantity, in the check's unit */
};

/* A guest's APIC timer on a vCPU (sim/guest/timers.h): armed, or its interrupt taken. */
struct sim_trace_guest_timer {
	unsigned vm;
	unsigned vcpu;
	const char *mode;         /* "oneshot", "periodic", "deadline" */
	bool fire;                /* true: the interrupt reached the guest; false: the guest armed it */
	sim_ps armed_ps;          /* when the guest armed what fires (count-down modes: from here) */
	sim_ps period_ps;         /* the guest's delay or period */
	uint64_t deadline_tsc;    /* deadline mode: the IA32_TSC_DEADLINE the guest wrote */
	uint64_t guest_tsc;       /* the vCPU's guest TSC at the record */
	uint64_t tsc_khz;         /* its rate as the guest calibrated it */
	int64_t deadline_skew;    /* fire: KVM armed the deadline against a TSC this many cycles behind */
	uint64_t kvmclock_ns;     /* the vCPU's kvmclock at the record, from its page */
	uint8_t page_flags;       /* the page's flags as the guest's handler finds them */
	/* An HPET comparator's timer (sim/guest/hpet_timers.h); all 0 for the APIC timer. */
	unsigned hpet_timer;      /* the comparator + 1 */
	uint64_t hpet_target;     /* the main count the guest meant it to match at (unwrapped) */
	uint64_t hpet_count;      /* the main counter at the record (unwrapped) */
	uint64_t hpet_comparator; /* what the comparator register holds */
	uint32_t hpet_period_fs;  /* COUNTER_CLK_PERIOD */
};

/*
 * The VMM stopped the guest (no vCPU runs) or let it run again: published
 * where it happens (vmm_pause_guest / vmm_resume_guest), so consumers need
 * not know which action phases stop the guest.  vm_clock says whether the
 * VM's own time base stops too: a VM stop (QEMU's vm_stop(): pause,
 * snapshot, migration downtime), which stops a board on the VM's time base
 * (QEMU_CLOCK_VIRTUAL) and is where the VMM's kvmclock policy applies; not
 * a stopped VMM process (a stall: SIGSTOP leaves the run state alone).
 */
struct sim_trace_guest_run {
	const char *action;       /* "pause", "snapshot", "migration", "stall"; "host_sleep":
				     the VM's host suspended (S3/S4) and resumed */
	unsigned vm;
	unsigned index;           /* the action's index in the scenario (host_sleep: the host's) */
	bool running;             /* false: the guest stopped; true: it runs again */
	bool vm_clock;            /* the VM's time base stops and resumes with it */
};

struct sim_trace_record {
	enum sim_trace_kind kind;
	sim_ps t_ps;
	union {
		struct sim_trace_read read;
		struct sim_trace_pvclock_write pvclock;
		struct sim_trace_tsc_write tsc;
		struct sim_trace_master_clock master;
		struct sim_trace_irq_edge irq;
		struct sim_trace_device_access access;
		struct sim_trace_vmm_phase vmm;
		struct sim_trace_violation violation;
		struct sim_trace_guest_timer timer;
		struct sim_trace_guest_run run;
	} u;
};

/* Whether rec is about one VM (a page, a TSC write, a VMM phase, ...): its index into *vm. */
bool sim_trace_record_vm(const struct sim_trace_record *rec, unsigned *vm);

typedef void sim_trace_fn(void *ctx, const struct sim_trace_record *rec);

#define SIM_TRACE_MAX_SUBSCRIBERS 8

struct sim_trace {
	uint32_t wanted;          /* union of the subscribers' masks */
	unsigned nsubs;
	struct {
		sim_trace_fn *fn;
		void *ctx;
		uint32_t mask;
	} subs[SIM_TRACE_MAX_SUBSCRIBERS];
};

void sim_trace_init(struct sim_trace *t);

/* Adds a subscriber for the kinds in mask (SIM_TRACE_BIT()s).  False when full. */
bool sim_trace_subscribe(struct sim_trace *t, uint32_t mask, sim_trace_fn *fn, void *ctx);

/* True when someone wants records of this kind: test it before building one. */
static inline bool sim_trace_wants(const struct sim_trace *t, enum sim_trace_kind kind)
{
	return t && (t->wanted & SIM_TRACE_BIT(kind));
}

/* Hands rec to every subscriber of its kind, in subscription order. */
void sim_trace_publish(const struct sim_trace *t, const struct sim_trace_record *rec);

/* "read", "pvclock_write", ...; NULL outside the enum. */
const char *sim_trace_kind_name(enum sim_trace_kind kind);

#endif
