/*
 * The KVM tests' rig: a host of one of three kinds, an event queue and a VM
 * with 4 vCPUs, and the closed forms they are checked against.
 *
 * Most tests run on an exact 2 GHz host (0 ppb crystal, tsc_khz 2000000):
 * there the host TSC is tsc0 + floor(t_ps / 500), Linux's mult/shift for the
 * TSC is exactly 1/2 ns per cycle, so host mono = uptime + floor(t_ps / 1000)
 * exactly, and kvm_get_time_scale() gives mul 2^31, shift 0 (exact).
 * Header-only: each test file includes it once.
 */
#ifndef TESTS_KVM_RIG_H
#define TESTS_KVM_RIG_H

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>

#include "sim/kvm/kvm.h"

#define HOST_UPTIME_NS (1000ULL * SIM_NS_PER_S)
#define GUEST_UPTIME_NS (50ULL * SIM_NS_PER_S)
#define UTC_T0_NS 1700000000000000000ULL
#define NVCPUS 4u
#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)
#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)

enum host_kind {
	HOST_TSC,                 /* synchronised TSCs, TSC clocksource */
	HOST_HPET,                /* synchronised TSCs, but the kernel uses the HPET */
	HOST_SKEWED,              /* socket 1 runs 1 us ahead: unsynchronised, HPET */
};

struct rig {
	struct host host;
	struct sim_eventq q;
	struct kvm_vm vm;
};

static const unsigned pins_identity[NVCPUS] = { 0, 1, 2, 3 };

static inline void make_host(struct host *h, uint64_t hz, uint64_t uptime_ns,
			     enum host_kind kind)
{
	static const struct host_socket_params one[1] = { { .ncpus = 4 } };
	static const struct host_socket_params two[2] = {
		{ .ncpus = 2 },
		{ .ncpus = 2, .tsc_offset_ps = 1000000 },
	};
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(hz),
		.uptime_ns = uptime_ns,
		.utc_at_t0_ns = UTC_T0_NS,
		.clocksource_auto = kind != HOST_HPET,
		.clocksource = HOST_CS_HPET,
		.platform_nominal = sim_freq_hz(24000000),
		.nsockets = kind == HOST_SKEWED ? 2 : 1,
		.sockets = kind == HOST_SKEWED ? two : one,
	};
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(host_init(h, &hp, &err), "host_init: %s", err.msg);
}

static inline struct kvm_params default_params(void)
{
	return (struct kvm_params){
		.version = KVM_VERSION_DEFAULT,
		.vendor = KVM_VENDOR_VMX,
		.nvcpus = NVCPUS,
		.pins = pins_identity,
		.guest_uptime_ns = GUEST_UPTIME_NS,
		.stable_bit_cpuid = true,
		.update_delay_ps = KVM_CLOCK_UPDATE_DELAY_PS,
		.entry_latency_max_ps = MS(1),
		.seed = 42,
	};
}

static inline void rig_init_at(struct rig *r, enum host_kind kind,
			       const struct kvm_params *p, sim_ps now)
{
	struct sim_diag err;

	make_host(&r->host, 2000000000ULL, HOST_UPTIME_NS, kind);
	sim_eventq_init(&r->q);
	if (now) {
		cr_assert(sim_eventq_run_until(&r->q, now, NULL));
	}
	sim_diag_clear(&err);
	cr_assert(kvm_vm_init(&r->vm, p, &r->host, &r->q, now, &err), "kvm_vm_init: %s", err.msg);
}

static inline void rig_init(struct rig *r, enum host_kind kind, const struct kvm_params *p)
{
	rig_init_at(r, kind, p, 0);
}

static inline void rig_finish(struct rig *r)
{
	kvm_vm_finish(&r->vm);
	sim_eventq_finish(&r->q);
	host_finish(&r->host);
}

static inline void run(struct rig *r, sim_ps end)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&r->q, end, &err), "run: %s", err.msg);
}

/* The guest's kvmclock on vCPU v at t, read through its page and its TSC. */
static inline uint64_t page_clock(const struct kvm_vcpu *v, sim_ps t)
{
	return pvclock_read_cycles(&v->pvti, kvm_vcpu_guest_tsc(v, t));
}

#endif
