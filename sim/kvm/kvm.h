/*
 * A KVM-like hypervisor's clock side, as Linux/KVM (arch/x86/kvm/x86.c) does it:
 * per-vCPU TSC offset and scaling, the kvmclock offset, the master clock, the
 * pvclock page each vCPU gets, the requests that make KVM rewrite those pages
 * on the next VM entry, the periodic sync, and KVM_GET_CLOCK / KVM_SET_CLOCK.
 *
 * The behaviour is a given Linux version's (kvm_params.version, listed in
 * kvm_version.h; docs/architecture.md says where versions differ).  With a
 * trace stream (kvm_params.trace or kvm_vm_set_trace) every TSC offset or
 * ratio write is a SIM_TRACE_TSC_WRITE record and every master clock
 * (re)take a SIM_TRACE_MASTER_CLOCK record.
 *
 * TSC writes and their generations (kvm_synchronize_tsc) and TSC catch-up are
 * in tsc_sync.c.  What is not modelled: nested TSC, Hyper-V pages.
 */
#ifndef SIM_KVM_KVM_H
#define SIM_KVM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/core/trace.h"
#include "sim/cpu-tsc/host.h"
#include "sim/kvm/kvm_version.h"
#include "sim/kvm/pvclock.h"

enum kvm_vendor {
	KVM_VENDOR_VMX,           /* TSC multiplier: 16.48 fixed point */
	KVM_VENDOR_SVM,           /* TSC ratio: 8.32 fixed point */
};

/* Requests, serviced at the vCPU's next entry (kvm_check_request order). */
#define KVM_REQ_MASTERCLOCK_UPDATE (1u << 0)
#define KVM_REQ_GLOBAL_CLOCK_UPDATE (1u << 1)
#define KVM_REQ_CLOCK_UPDATE (1u << 2)

/* struct kvm_clock_data flags (include/uapi/linux/kvm.h). */
#define KVM_CLOCK_TSC_STABLE 2u
#define KVM_CLOCK_REALTIME (1u << 2)
#define KVM_CLOCK_HOST_TSC (1u << 3)
#define KVM_CLOCK_VALID_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

struct kvm_clock_data {
	uint64_t clock;           /* kvmclock ns */
	uint32_t flags;
	uint64_t realtime;        /* host CLOCK_REALTIME ns, valid with KVM_CLOCK_REALTIME */
	uint64_t host_tsc;        /* host TSC the clock was computed from, with KVM_CLOCK_HOST_TSC */
};

/* KVM constants (arch/x86/kvm/x86.c). */
#define KVM_TSC_TOLERANCE_PPM 250u
#define KVM_CLOCK_SYNC_PERIOD_PS (300ULL * SIM_PS_PER_S)   /* KVMCLOCK_SYNC_PERIOD */
#define KVM_CLOCK_UPDATE_DELAY_PS (100ULL * SIM_PS_PER_MS) /* KVMCLOCK_UPDATE_DELAY */

/*
 * The host clock KVM anchors kvmclock to (sim/kvm/masterclock.c).  Since
 * Linux 5.5 (53fafdbb8b21, 2019, "KVM: x86: switch KVMCLOCK base to monotonic raw
 * clock") it is the raw clock: 6.1 and 6.12 read it through
 * kvm_get_time_and_clockread() (master clock) and get_kvmclock_base_ns()
 * (per-vCPU updates).  Before, the NTP-adjusted CLOCK_MONOTONIC.
 */
enum kvm_clock_base {
	KVM_CLOCK_BASE_RAW,       /* CLOCK_MONOTONIC_RAW: KVM 5.5 on, both modelled versions */
	KVM_CLOCK_BASE_MONO,      /* CLOCK_MONOTONIC, NTP slewed: KVM before 5.5 */
};

/* What a master clock update does with kvmclock_offset (sim/kvm/masterclock.c). */
enum kvm_masterclock_anchor {
	KVM_ANCHOR_HOST,          /* keep it: the new pair re-anchors kvmclock to the host clock
				     (pvclock_update_vm_gtod_copy() in 6.1 and 6.12) */
	KVM_ANCHOR_GUEST_TSC,     /* move it so that vCPU 0's new page gives what its old page
				     gave at the pair's guest TSC (KVM_SET_CLOCK_GUEST, Woodhouse) */
};

struct kvm_vm;
struct kvm_vcpu;

/* The LVT timer modes of KVM's in-kernel APIC (arch/x86/kvm/lapic.c). */
enum kvm_lapic_timer_mode {
	KVM_LAPIC_ONESHOT,        /* the reset mode (LVT masked one-shot) */
	KVM_LAPIC_PERIODIC,
	KVM_LAPIC_TSC_DEADLINE,
	KVM_LAPIC_MODE_COUNT
};

/* The guest takes a timer interrupt on v (sim/kvm/lapic.h); NULL: dropped after counting. */
typedef void kvm_timer_irq_fn(void *ctx, struct kvm_vcpu *v, sim_ps now);

/*
 * A vCPU's APIC timer as KVM emulates it with a host hrtimer (struct
 * kvm_timer in arch/x86/kvm/lapic.h); sim/kvm/lapic.h has the operations.
 */
struct kvm_lapic_timer {
	enum kvm_lapic_timer_mode mode;
	uint64_t tscdeadline;             /* IA32_TSC_DEADLINE as KVM holds it; 0: disarmed */
	uint64_t period_ns;               /* count-down modes: TMICT x divide x bus cycle */
	sim_ps target_ps;                 /* the hrtimer's expiry; SIM_NEVER: not armed */
	uint64_t armed_guest_tsc;         /* the guest TSC KVM compared the deadline with */
	sim_ps armed_ps;                  /* when the deadline (or count) was written */
	bool pending;                     /* expired, not yet injected (kvm_timer.pending) */
	uint64_t expirations;             /* hrtimer expiries */
	uint64_t injected;                /* interrupts the guest took */
	struct sim_event hrtimer;
	struct sim_event inject;          /* injection at the vCPU's next run */
	char hrtimer_name[32];
	char inject_name[32];
	kvm_timer_irq_fn *irq;
	void *irq_ctx;
};

/*
 * The fields a guest read and a clock update's kick and page write touch
 * come first, in the vCPU's first three cache lines (the array is 64-byte
 * aligned, and so is every vCPU): a guest read touches lines 0 and 1, a
 * quiet kick and its page write lines 0 to 2 (docs/performance-rounds.md,
 * "Ninth round").  The rest is read at set-up, on TSC writes, migration and
 * catch-up.
 */
struct kvm_vcpu {
	/* line 0 */
	_Alignas(64) struct kvm_vm *vm;
	unsigned id;
	unsigned pcpu;                    /* host CPU it runs on (kvm_vcpu_set_pcpu) */
	const struct cpu_tsc *host_tsc;   /* that CPU's TSC: &vm->host->cpus[pcpu].tsc */
	int64_t tsc_offset;               /* guest TSC = scale(host TSC) + tsc_offset (mod 2^64) */
	uint64_t tsc_scaling_ratio;       /* fixed point with the vendor's fraction bits */
	bool tsc_unscaled;                /* that ratio is 1.0 (kvm_vcpu_set_tsc_ratio) */
	/*
	 * TSC catch-up (kvm_set_tsc_khz without TSC scaling, above the host
	 * rate): each clock update advances the offset to where the requested
	 * rate says the guest TSC should be, and every exit asks for one.
	 */
	bool tsc_always_catchup;
	/* KVM_KVMCLOCK_CTRL was called: the next page write ORs in PVCLOCK_GUEST_STOPPED */
	bool pvclock_set_guest_stopped_request;
	int8_t hv_shift;
	uint32_t hv_mul;
	uint32_t requests;                /* KVM_REQ_* pending */
	uint64_t hw_tsc_khz;              /* rate the cached mul/shift were computed for */
	/* line 1 */
	struct pvclock_vcpu_time_info pvti;   /* the guest's page */
	uint64_t owed_zero_draws;         /* draws of latencies of 0 not made yet (kvm.c) */
	uint64_t clock_updates;           /* pages written */
	sim_ps last_update_ps;            /* when the page was last written; SIM_NEVER before */
	uint64_t virtual_tsc_khz;         /* the guest's TSC rate */
	/* line 2 */
	struct sim_event entry;           /* next VM entry, while requests are pending */
	struct sim_rng rng;               /* entry latency jitter */
	uint64_t last_guest_tsc;          /* guest TSC when it last left its pCPU */
	uint64_t last_host_tsc;           /* host TSC at its last kvm_arch_vcpu_put(); 0: none */
	char entry_name[32];              /* "kvm.vcpu<N>.entry": the entry event's stable name */
	/* kvm_synchronize_tsc(): the generation this vCPU last synchronised to */
	uint64_t this_tsc_generation;
	uint64_t this_tsc_nsec;           /* host ns of that generation's first write */
	uint64_t this_tsc_write;          /* the value that write set */
	struct sim_event exit_ev;         /* the next guest exit while catching up */
	char exit_name[32];
	uint64_t catchup_cycles;          /* cycles added by catch-up so far */
	/* The last host-initiated write (KVM_SET_MSRS or KVM_VCPU_TSC_OFFSET), for checks. */
	uint64_t user_tsc_writes;         /* how many */
	uint64_t user_tsc_write_value;    /* the TSC it asked for */
	uint64_t user_tsc_write_result;   /* what the guest TSC read right after it */
	bool user_tsc_write_matched;      /* KVM treated it as synchronising */
	struct kvm_lapic_timer lapic;     /* sim/kvm/lapic.h */
};

_Static_assert(offsetof(struct kvm_vcpu, pvti) == 64 && offsetof(struct kvm_vcpu, entry) == 128,
	       "a vCPU's hot fields in its first three cache lines");

struct kvm_params {
	enum kvm_version version;         /* whose behaviour (kvm_version.h); 0 is the oldest */
	enum kvm_vendor vendor;
	unsigned nvcpus;
	const unsigned *pins;             /* pCPU of each vCPU */
	uint64_t guest_uptime_ns;         /* kvmclock and guest TSC age at t = 0 */
	bool stable_bit_cpuid;            /* guest sees KVM_FEATURE_CLOCKSOURCE_STABLE_BIT */
	sim_ps sync_period_ps;            /* 0: KVM_CLOCK_SYNC_PERIOD_PS */
	sim_ps update_delay_ps;           /* KVMCLOCK_UPDATE_DELAY */
	sim_ps entry_latency_max_ps;      /* a kicked vCPU enters within [0, this] */
	bool no_tsc_scaling;              /* the CPU cannot scale the TSC (!kvm_caps.has_tsc_control) */
	/*
	 * Hypervisor bug knobs, not KVM behaviour (docs/failures.md): every page
	 * carries PVCLOCK_TSC_STABLE_BIT whether or not the master clock is on;
	 * vCPU stale_page_vcpu's page is written stale_page_behind_ns behind the
	 * others' (system_time lower at the same TSC), as a lagging update would.
	 */
	bool stable_bit_always;
	unsigned stale_page_vcpu;
	uint64_t stale_page_behind_ns;    /* 0: no stale page */
	sim_ps exit_period_ps;            /* catch-up: a vCPU exits this often; 0: 1 ms */
	uint64_t seed;
	unsigned index;                   /* the VM's index in the scenario (trace records) */
	struct sim_trace *trace;          /* TSC writes and master clock records go here; NULL: none */
	/* all below: zero means as before */
	uint64_t guest_tsc_khz;           /* KVM_SET_TSC_KHZ on every vCPU before its first TSC
					     write; 0: the host's tsc_khz */
	enum kvm_clock_base clock_base;
	enum kvm_masterclock_anchor anchor;
};

/* Called after each page write (for traces and tests); may be NULL. */
typedef void kvm_page_hook(void *ctx, const struct kvm_vcpu *v, sim_ps now);

/*
 * A page writer that stands in for kvm_guest_time_update()'s arithmetic (a
 * plugin, sim/plugin): KVM has chosen host_tsc and kernel_ns (the master
 * pair or now), checked that system_time fits and made any catch-up step;
 * the writer fills v->pvti from them and v's and v->vm's state.  False
 * when it failed: it has stopped the run (sim_eventq_fail) and the page
 * is left as it was.
 */
typedef bool kvm_page_writer(void *ctx, struct kvm_vcpu *v, uint64_t host_tsc,
			     uint64_t kernel_ns, sim_ps now);

struct kvm_vm {
	unsigned index;                   /* the scenario's VM index: trace records name it */
	enum kvm_version version;
	struct sim_trace *trace;
	struct host *host;
	struct sim_eventq *q;
	enum kvm_vendor vendor;
	unsigned nvcpus;
	struct kvm_vcpu *vcpus;
	bool running;
	bool stable_bit_cpuid;
	int64_t kvmclock_offset;          /* kvmclock = host mono ns + this */
	bool use_master_clock;
	uint64_t master_cycle_now;        /* host TSC of the master pair */
	uint64_t master_kernel_ns;        /* host ns of the master pair */
	/* kvm_synchronize_tsc() matching state (kvm->arch) */
	bool tsc_write_seen;
	uint64_t last_tsc_write;
	uint64_t last_tsc_nsec;
	uint64_t last_tsc_khz;
	int64_t last_tsc_offset;
	int64_t cur_tsc_offset;
	uint64_t cur_tsc_generation;      /* bumped by every write that does not synchronise */
	uint64_t cur_tsc_nsec;            /* the generation's first write: host ns ... */
	uint64_t cur_tsc_write;           /* ... and value */
	unsigned nr_vcpus_matched_tsc;    /* vCPUs that joined the generation after its first */
	bool user_set_tsc;                /* user space has written a TSC (6.7+ gates the slop) */
	bool has_tsc_control;             /* TSC scaling exists; else rates above the host catch up */
	bool stable_bit_always;           /* bug knobs: kvm_params */
	unsigned stale_page_vcpu;
	uint64_t stale_page_behind_ns;
	sim_ps exit_period_ps;
	sim_ps sync_period_ps;
	sim_ps update_delay_ps;
	sim_ps entry_latency_max_ps;
	struct sim_event sync_work;       /* kvmclock_sync_fn, every sync period */
	struct sim_event update_work;     /* kvmclock_update_fn */
	kvm_page_hook *page_hook;
	void *page_hook_ctx;
	uint64_t masterclock_updates;
	/* the host TSC went backwards under this VM (host suspend): no master clock from then on */
	bool backwards_tsc_observed;
	enum kvm_clock_base clock_base;
	enum kvm_masterclock_anchor anchor;
	int64_t last_reanchor_ns;         /* KVM_ANCHOR_GUEST_TSC: how far the last update moved
					     kvmclock_offset */
	kvm_page_writer *page_writer;     /* NULL: KVM's own arithmetic writes the pages */
	void *page_writer_ctx;
};

/*
 * Creates the VM on `host` at `now`, running: every vCPU's TSC reads
 * (guest_uptime + now) * tsc_khz / 10^6 at `now` (one generation of every vCPU,
 * written by KVM itself: user_set_tsc stays clear), kvmclock reads
 * guest_uptime + now, the master clock is
 * decided, every vCPU has a pending clock update (entry within
 * entry_latency_max_ps), and the periodic sync is armed.
 *
 * The VM was created guest_uptime before `now`, and each vCPU's first load
 * then (vcpu->cpu == -1 in kvm_arch_vcpu_load) asked for a global clock
 * update, whose work rewrites every page update_delay after the first entry:
 * with guest_uptime 0 the vCPUs carry KVM_REQ_GLOBAL_CLOCK_UPDATE into their
 * first entry; with a guest_uptime below update_delay the work is still
 * pending, at now + update_delay - guest_uptime; otherwise it ran long ago.  Fails (err filled,
 * nothing allocated) on a bad vendor, no vCPUs, a pin outside the host, or
 * `now` before the queue's time.  Finish the VM before its host.
 */
bool kvm_vm_init(struct kvm_vm *vm, const struct kvm_params *p, struct host *host,
		 struct sim_eventq *q, sim_ps now, struct sim_diag *err);
void kvm_vm_finish(struct kvm_vm *vm);

/* The L1 guest TSC for a host TSC value: kvm_scale_tsc() + offset. */
uint64_t kvm_read_l1_tsc(const struct kvm_vcpu *v, uint64_t host_tsc);

/* The fraction bits of the vendor's TSC ratio (VMX 16.48, SVM 8.32). */
static inline unsigned kvm_tsc_frac_bits(const struct kvm_vm *vm)
{
	return vm->vendor == KVM_VENDOR_SVM ? 32u : 48u;
}

/*
 * Puts v on host CPU pcpu of its VM's host (set vm->host first).  The vCPU
 * keeps that CPU's TSC at hand: a guest RDTSC then loads two pointers fewer
 * before the counter (docs/performance-rounds.md, "Eighth round").
 */
static inline void kvm_vcpu_set_pcpu(struct kvm_vcpu *v, unsigned pcpu)
{
	v->pcpu = pcpu;
	v->host_tsc = &v->vm->host->cpus[pcpu].tsc;
}

/*
 * Sets v's TSC scaling ratio (the vendor's fixed point), and whether it is
 * 1.0: a guest RDTSC then reads no VM field to tell.
 */
static inline void kvm_vcpu_set_tsc_ratio(struct kvm_vcpu *v, uint64_t ratio)
{
	v->tsc_scaling_ratio = ratio;
	v->tsc_unscaled = ratio == UINT64_C(1) << kvm_tsc_frac_bits(v->vm);
}

/* kvm_vcpu_guest_tsc() for the cases its inline part does not take. */
uint64_t kvm_vcpu_guest_tsc_slow(const struct kvm_vcpu *v, sim_ps now);

/*
 * Guest RDTSC on vCPU v at `now`.  Inline for the common read, an unscaled
 * vCPU on a host TSC whose cache holds (tsc_fast_cycles()): every guest
 * read makes one.
 */
static inline uint64_t kvm_vcpu_guest_tsc(const struct kvm_vcpu *v, sim_ps now)
{
	const struct cpu_tsc *tsc = v->host_tsc;
	uint64_t cycles;

	if (v->tsc_unscaled && tsc_fast_cycles(tsc, now, &cycles))
		return tsc->seg.tsc0 + cycles + (uint64_t)v->tsc_offset;
	return kvm_vcpu_guest_tsc_slow(v, now);
}

/* kvm_scale_tsc(): (tsc * ratio) >> fraction bits, or tsc when the ratio is 1.0. */
uint64_t kvm_scale_tsc(const struct kvm_vm *vm, uint64_t tsc, uint64_t ratio);

/* 1.0 in the vendor's fixed point. */
uint64_t kvm_default_tsc_scaling_ratio(const struct kvm_vm *vm);

/*
 * KVM_SET_TSC_KHZ (kvm_set_tsc_khz): no scaling within KVM_TSC_TOLERANCE_PPM
 * of the host's tsc_khz (the guest then runs at the host rate but believes
 * user_khz), otherwise ratio = user_khz / host_khz.  Without TSC scaling
 * (no_tsc_scaling) a rate out of tolerance above the host's turns on TSC
 * catch-up (tsc_always_catchup: the guest TSC runs at the host rate and KVM
 * advances the offset at every entry) and one below it is refused.  0 means
 * the host rate.  Refused (vCPU unchanged) at or above KVM's max guest rate,
 * min(2^32 - 1, host_khz * max ratio), or when the ratio is 0 or reaches the
 * vendor's maximum (VMX 2^64 - 1, SVM 2^40 - 1).  Nothing is requested: the
 * page follows the new rate at its next update.
 */
bool kvm_vcpu_set_tsc_khz(struct kvm_vcpu *v, uint64_t user_tsc_khz, struct sim_diag *err);

/*
 * Host-initiated write of IA32_TSC (KVM_SET_MSRS; kvm_synchronize_tsc(),
 * tsc_sync.c).  The write synchronises (joins the current generation: the
 * vCPU gets the generation's offset, or on a host whose TSCs are not
 * synchronised the value plus the elapsed cycles) when the rate equals the
 * previous write's and either the value is 0 (KVM reads 0 as "a vCPU being
 * created or reset": the write is dropped) or it lies strictly within one
 * second of cycles of what the previous write predicts now.  From 6.7
 * (bf328e22e472) that one-second slop applies only once user space has
 * written a TSC before.  Otherwise it starts a new generation at exactly the
 * value.  The master clock needs every vCPU in the current generation; as
 * kvm_track_tsc_matching() does, a write requests a master clock update on
 * v: from 6.7 (c52ffadc65e2) when the master clock must be switched on or
 * off, or when a new generation starts while it is on; before
 * (KVM_VERSION_6_1) whenever the master clock is on or could be.
 */
void kvm_vcpu_write_tsc(struct kvm_vcpu *v, sim_ps now, uint64_t value);

/*
 * KVM_SET_DEVICE_ATTR KVM_VCPU_TSC_OFFSET (5.16+): sets the offset itself.
 * It joins the current generation only when the offset equals the last one
 * written at the same rate; there is no slop and no special value.
 */
void kvm_vcpu_set_tsc_offset(struct kvm_vcpu *v, sim_ps now, int64_t offset);

/* KVM_GET_CLOCK at `now`. */
void kvm_get_clock(struct kvm_vm *vm, sim_ps now, struct kvm_clock_data *out);

/*
 * KVM_SET_CLOCK at `now`: with KVM_CLOCK_REALTIME the clock is advanced by the
 * host realtime elapsed since data->realtime (never moved back); unknown flags
 * are rejected.  Every vCPU gets a clock update request.
 */
bool kvm_set_clock(struct kvm_vm *vm, sim_ps now, const struct kvm_clock_data *data,
		   struct sim_diag *err);

/* pvclock_update_vm_gtod_copy(): re-decide the master clock and snapshot its pair. */
void kvm_update_masterclock(struct kvm_vm *vm, sim_ps now);

/* Post request bits on a vCPU and kick it: it enters (and services them) soon. */
void kvm_vcpu_request(struct kvm_vcpu *v, uint32_t reqs, sim_ps now);

/*
 * The vCPU is scheduled on pCPU `pcpu` (< host->ncpus) at `now`
 * (kvm_arch_vcpu_put + kvm_arch_vcpu_load): last_guest_tsc is recorded on the
 * old pCPU; on a host whose TSCs are not synchronised the offset is redone so
 * the guest TSC continues from it (KVM_REQ_CLOCK_UPDATE, and a master clock
 * update if matching changes); without the master clock,
 * KVM_REQ_GLOBAL_CLOCK_UPDATE.  With the master clock on a synchronised host
 * nothing is requested.  Same pCPU on a synchronised host: no-op.
 */
void kvm_vcpu_move(struct kvm_vcpu *v, sim_ps now, unsigned pcpu);

/* kvm_vcpu_write_tsc_offset(): v's TSC offset is `offset` from `now` (traced). */
void kvm_vcpu_write_tsc_offset(struct kvm_vcpu *v, sim_ps now, int64_t offset);
/* ---- sim/kvm/masterclock.c: the host clock behind kvmclock, and re-anchoring ---- */

/* The host clock ns KVM anchors pages to at `now` (vm->clock_base). */
uint64_t kvm_host_clock_ns(const struct kvm_vm *vm, sim_ps now);

/*
 * kvm_get_time_and_clockread(): that clock and the host TSC (of `cpu`) it was
 * computed from; false when the host clocksource is not the TSC.
 */
bool kvm_host_clock_and_tsc(const struct kvm_vm *vm, unsigned cpu, sim_ps now, uint64_t *ns,
			    uint64_t *tsc);

/*
 * Called by kvm_update_masterclock() once the new pair is taken: with
 * KVM_ANCHOR_GUEST_TSC, when the master clock was and stays on and vCPU 0 has a
 * page, kvmclock_offset moves so that vCPU 0's next page (tsc_timestamp = the
 * pair's guest TSC) gives exactly what its current page gives at that TSC.
 */
void kvm_masterclock_reanchor(struct kvm_vm *vm, bool was_master, sim_ps now);

/* Where TSC writes and master clock records go from now on (NULL: nowhere). */
void kvm_vm_set_trace(struct kvm_vm *vm, struct sim_trace *trace);

/* Stop all vCPUs (pending requests stay pending); resume them (entries happen at `now`). */
void kvm_vm_pause(struct kvm_vm *vm, sim_ps now);
void kvm_vm_resume(struct kvm_vm *vm, sim_ps now);

/*
 * Move the paused VM to another host (the destination of a migration): vCPU i
 * runs on pins[i] there.  As for a freshly created VM there: ratios back to
 * 1.0, virtual_tsc_khz = the new host's tsc_khz, cached mul/shift dropped,
 * TSC write matching forgotten, master clock off until vCPU 0's first entry
 * re-decides it (KVM_REQ_MASTERCLOCK_UPDATE on vCPU 0, KVM_REQ_CLOCK_UPDATE on
 * all).  The destination created its vCPUs before the resume, so each first
 * load left KVM_REQ_GLOBAL_CLOCK_UPDATE pending: the first entry after the
 * resume arms the update work, which rewrites every page update_delay later.
 * TSC offsets and kvmclock_offset stay until the VMM writes them.
 */
void kvm_vm_attach_host(struct kvm_vm *vm, struct host *host, const unsigned *pins);

#endif
