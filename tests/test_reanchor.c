/*
 * Master clock re-anchoring (sim/kvm/masterclock.c) and the host's
 * NTP-adjusted CLOCK_MONOTONIC (host_ntp_adjust), checked against closed
 * forms computed here from the formulas, not through the model's helpers:
 *
 * - On an exact 2 GHz host (tsc_khz 2000000, crystal 0 ppb) the raw clock is
 *   uptime + floor(t_ps / 1000) ns (Linux's mult/shift is exactly 1/2 ns per
 *   cycle), so an NTP frequency f adds floor(raw_delta * f) after the adjust.
 * - F06: on a host whose tsc_khz is 2999999, Linux's TSC clocksource gets
 *   shift 24 and mult = floor((10^6 << 24 + 2999999 / 2) / 2999999) =
 *   5592407 (clocks_calc_mult_shift() with maxsec 600: 23 bits of mult), so
 *   the raw clock gains floor(c * 5592407 >> 24) ns for c host cycles.  A
 *   guest scaled to 1499999 kHz gets the VMX ratio r = floor(2^48 * 1499999 /
 *   2999999) and KVM converts its page at kvm_scale_tsc(2999999, r) =
 *   floor(2999999 * r >> 48) = 1499998 kHz (one short: r is floored), for
 *   which kvm_get_time_scale() gives shift 0 and mul = floor(2^32 * 10^9 /
 *   1499998000) = 2863315348.  A page anchored at host cycle c0 and
 *   re-anchored at c1 steps by
 *     (raw(c1) - raw(c0)) - ((g(c1) - g(c0)) * mul >> 32),  g(c) = c * r >> 48,
 *   which for c1 - c0 = 5 s of a 3 GHz TSC is -3509 ns: the number Jack
 *   Allister's selftest printed (delta_uncorrected=3509).
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/kvm/kvm.h"

#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)
#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)

static const unsigned pins[2] = { 0, 1 };

struct rig {
	struct host host;
	struct sim_eventq q;
	struct kvm_vm vm;
};

static void rig_init(struct rig *r, uint64_t hz, uint64_t tsc_khz, const struct kvm_params *kp)
{
	static const struct host_socket_params one[1] = { { .ncpus = 2 } };
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(hz),
		.uptime_ns = 3600ULL * SIM_NS_PER_S,
		.tsc_khz = tsc_khz,
		.clocksource_auto = true,
		.platform_nominal = sim_freq_hz(24000000),
		.nsockets = 1,
		.sockets = one,
	};
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(host_init(&r->host, &hp, &err), "host_init: %s", err.msg);
	sim_eventq_init(&r->q);
	if (kp)
		cr_assert(kvm_vm_init(&r->vm, kp, &r->host, &r->q, 0, &err), "kvm_vm_init: %s",
			  err.msg);
}

static void rig_finish(struct rig *r, bool vm)
{
	if (vm)
		kvm_vm_finish(&r->vm);
	sim_eventq_finish(&r->q);
	host_finish(&r->host);
}

static void run(struct rig *r, sim_ps end)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&r->q, end, &err), "run: %s", err.msg);
}

static struct kvm_params params(unsigned nvcpus)
{
	return (struct kvm_params){
		.version = KVM_VERSION_DEFAULT,
		.vendor = KVM_VENDOR_VMX,
		.nvcpus = nvcpus,
		.pins = pins,
		.stable_bit_cpuid = true,
		.update_delay_ps = KVM_CLOCK_UPDATE_DELAY_PS,
		.entry_latency_max_ps = 0,
		.seed = 1,
	};
}

/* A master clock update at `at`, serviced at once (entry latency 0); the step it makes. */
static int64_t update_step_ns(struct rig *r, sim_ps at)
{
	struct kvm_vcpu *v = &r->vm.vcpus[0];
	struct pvclock_vcpu_time_info old;
	uint64_t tsc;

	run(r, at - 1);
	old = v->pvti;
	kvm_vcpu_request(v, KVM_REQ_MASTERCLOCK_UPDATE, at);
	run(r, at);
	cr_assert_eq(v->last_update_ps, at, "the page was rewritten at the update");
	tsc = kvm_vcpu_guest_tsc(v, at);
	return (int64_t)(pvclock_read_cycles(&v->pvti, tsc) - pvclock_read_cycles(&old, tsc));
}

Test(reanchor, ntp_adjust_changes_the_monotonic_slope_not_the_raw_one)
{
	struct rig r;
	uint64_t raw1, mono1, raw2, mono2;

	rig_init(&r, 2000000000ULL, 0, NULL);
	/* before any adjust the two clocks are one */
	cr_expect_eq(host_ntp_mono_ns(&r.host, S(1)), host_mono_ns(&r.host, S(1)));
	host_ntp_adjust(&r.host, S(1), 500000);
	raw1 = host_mono_ns(&r.host, S(1));
	mono1 = host_ntp_mono_ns(&r.host, S(1));
	cr_expect_eq(mono1, raw1, "continuous at the adjust");
	/* 100 ms of raw at +500 ppm: 100000000 * 500e-6 = 50000 ns more */
	cr_expect_eq(host_mono_ns(&r.host, MS(1100)), raw1 + 100000000ULL, "raw keeps its rate");
	cr_expect_eq(host_ntp_mono_ns(&r.host, MS(1100)), mono1 + 100000000ULL + 50000ULL);
	/* the frequency is absolute: -500 ppm from 2 s replaces +500 ppm */
	host_ntp_adjust(&r.host, S(2), -500000);
	raw2 = host_mono_ns(&r.host, S(2));
	mono2 = host_ntp_mono_ns(&r.host, S(2));
	cr_expect_eq(mono2, raw2 + 500000ULL, "1 s at +500 ppm");
	cr_expect_eq(host_ntp_mono_ns(&r.host, MS(2100)), mono2 + 100000000ULL - 50000ULL);
	/* 1 ns of raw at -500 ppm: floor(-0.0005) = -1, so monotonic stands still */
	cr_expect_eq(host_ntp_mono_ns(&r.host, S(2) + 1000), mono2);
	rig_finish(&r, false);
}

/* The closed form of the header comment, in 128-bit integers. */
static int64_t f06_step_ns(uint64_t c0, uint64_t c1, bool scaled)
{
	const uint64_t mult = 5592407, ratio = (uint64_t)(((sim_u128)1 << 48) * 1499999 / 2999999);
	uint64_t raw = (uint64_t)(((sim_u128)c1 * mult) >> 24) - (uint64_t)(((sim_u128)c0 * mult) >> 24);
	uint64_t g, page;

	if (scaled) {
		g = (uint64_t)(((sim_u128)c1 * ratio) >> 48) - (uint64_t)(((sim_u128)c0 * ratio) >> 48);
		page = (uint64_t)(((sim_u128)g * 2863315348u) >> 32);
	} else {
		/* 2999999 kHz unscaled: shift -1, mul = floor(2^32 * 10^9 / 1499999500) */
		g = (c1 - c0) >> 1;
		page = (uint64_t)(((sim_u128)g * 2863312485u) >> 32);
	}
	return (int64_t)(raw - page);
}

Test(reanchor, scaled_master_clock_update_steps_back_3509_ns)
{
	struct kvm_params kp = params(1);
	struct rig r;
	uint64_t c0, c1;
	int64_t step;

	kp.guest_tsc_khz = 1499999;
	rig_init(&r, 3000000000ULL, 2999999, &kp);
	run(&r, 0);
	cr_assert(r.vm.use_master_clock);
	cr_expect_eq(r.vm.vcpus[0].hw_tsc_khz, 1499998u, "kvm_scale_tsc() floors the kHz");
	cr_expect_eq(r.vm.vcpus[0].pvti.tsc_to_system_mul, 2863315348u);
	cr_expect_eq(r.vm.vcpus[0].pvti.tsc_shift, 0);
	cr_expect_eq(r.host.tsc_cs.mult, 5592407u);
	cr_expect_eq(r.host.tsc_cs.shift, 24u);
	c0 = r.vm.master_cycle_now;
	step = update_step_ns(&r, S(5));
	c1 = r.vm.master_cycle_now;
	cr_expect_eq(c1 - c0, 15000000000ULL, "5 s of a 3 GHz TSC");
	cr_expect_eq(step, f06_step_ns(c0, c1, true));
	cr_expect_eq(step, -3509, "the selftest's delta_uncorrected");
	rig_finish(&r, true);
}

Test(reanchor, unscaled_master_clock_update_steps_back_176_ns)
{
	struct kvm_params kp = params(1);
	struct rig r;
	uint64_t c0;
	int64_t step;

	rig_init(&r, 3000000000ULL, 2999999, &kp);
	run(&r, 0);
	c0 = r.vm.master_cycle_now;
	step = update_step_ns(&r, S(5));
	/* the raw clock's mult is 35 ppb slow: 5 s * 35.3 ppb (the selftest: "~180ns") */
	cr_expect_eq(step, f06_step_ns(c0, r.vm.master_cycle_now, false));
	cr_expect_eq(step, -176);
	rig_finish(&r, true);
}

Test(reanchor, guest_tsc_anchor_carries_kvmclock_across_the_update)
{
	struct kvm_params kp = params(1);
	struct rig r;

	kp.guest_tsc_khz = 1499999;
	kp.anchor = KVM_ANCHOR_GUEST_TSC;
	rig_init(&r, 3000000000ULL, 2999999, &kp);
	run(&r, 0);
	cr_expect_eq(update_step_ns(&r, S(5)), 0);
	/* the offset moved by what the uncorrected update would have stepped back */
	cr_expect_eq(r.vm.last_reanchor_ns, 3509);
	rig_finish(&r, true);
}

/*
 * Exact 2 GHz host: the page runs exactly at the raw clock's rate, so a
 * master pair taken from CLOCK_MONOTONIC 100 ms into a +500 ppm correction
 * is 50000 ns ahead of the old page; from the raw clock it is not.
 */
static int64_t ntp_update_step(enum kvm_clock_base base)
{
	struct kvm_params kp = params(2);
	struct rig r;
	int64_t step;

	kp.clock_base = base;
	rig_init(&r, 2000000000ULL, 0, &kp);
	run(&r, S(1));
	host_ntp_adjust(&r.host, S(1), 500000);
	step = update_step_ns(&r, MS(1100));
	rig_finish(&r, true);
	return step;
}

Test(reanchor, mono_base_carries_ntp_into_the_master_pair)
{
	cr_expect_eq(ntp_update_step(KVM_CLOCK_BASE_MONO), 50000);
	cr_expect_eq(ntp_update_step(KVM_CLOCK_BASE_RAW), 0);
}
