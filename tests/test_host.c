/*
 * host: sockets of CPUs whose TSCs count from the host's boot at their
 * crystal's rate, and the host kernel's monotonic and realtime clocks;
 * crystal updates, BIOS synchronisation, hot-add, S3/S4 suspend and resume.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/simtime.h"
#include "sim/cpu-tsc/host.h"

#define GHZ3 3000000000u
#define UPTIME_NS (864000ULL * SIM_NS_PER_S)         /* 10 days */
#define UTC_NS (1700000000ULL * SIM_NS_PER_S)        /* 2023-11-14T22:13:20Z */

static struct host_params params(const struct host_socket_params *sockets, unsigned n)
{
	return (struct host_params){
		.name = "h0",
		.tsc_nominal = sim_freq_hz(GHZ3),
		.uptime_ns = UPTIME_NS,
		.utc_at_t0_ns = UTC_NS,
		.realtime_error_ns = -250000,
		.clocksource_auto = true,
		.platform_nominal = sim_freq_hz(14318180),
		.nsockets = n,
		.sockets = sockets,
	};
}

static void init_ok(struct host *h, const struct host_params *p)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(host_init(h, p, &err), "host_init: %s", err.msg);
}

/*
 * The TSC clocksource converts cycles since t = 0 with mult 5592405, shift 24
 * (3000000 kHz; derived in test_clocksource.c).  mult is within 1/2 of
 * 2^24 / 3, so c cycles give ns within c / 2^25 of exact, minus up to 1 for
 * the floor.
 */
static void expect_mono_near(const struct host *h, sim_ps t, uint64_t cycles, uint64_t exact_ns)
{
	uint64_t ns = host_mono_ns(h, t);
	double bound = (double)cycles / (double)(1u << 25);
	double err = (double)(int64_t)(ns - exact_ns);

	cr_expect(err <= bound && err > -bound - 1, "at %" PRIu64 " ps: %" PRIu64 " ns, want %" PRIu64
		  " +- %.1f", t, ns, exact_ns, bound);
}

Test(host, tsc_counts_from_boot)
{
	static const struct host_socket_params sock[] = { { .ncpus = 4 } };
	struct host_params p = params(sock, 1);
	struct host h;

	init_ok(&h, &p);
	cr_expect_eq(h.ncpus, 4);
	/* 3e9 Hz * 864000 s = 2592000000000000 cycles since boot, on every CPU. */
	for (unsigned c = 0; c < h.ncpus; c++) {
		cr_expect_eq(h.cpus[c].id, c);
		cr_expect_eq(h.cpus[c].socket, 0);
		cr_expect_eq(host_rdtsc(&h, c, 0), 2592000000000000u, "cpu %u", c);
		cr_expect_eq(host_rdtsc(&h, c, SIM_PS_PER_S), 2592000000000000u + GHZ3, "cpu %u", c);
	}
	cr_expect_eq(h.tsc0_at_t0, 2592000000000000u);
	host_finish(&h);
	cr_expect_null(h.cpus);
}

Test(host, mono_starts_at_uptime_and_follows_the_tsc)
{
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t last = 0;

	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.clocksource, HOST_CS_TSC);
	cr_expect_eq(h.tsc_khz, 3000000);
	cr_expect_eq(host_mono_ns(&h, 0), UPTIME_NS);
	/* 5 s = 1.5e10 cycles: bound 1.5e10 / 2^25 = 447 ns. */
	expect_mono_near(&h, 5 * SIM_PS_PER_S, 15000000000u, UPTIME_NS + 5 * SIM_NS_PER_S);
	/* 1 h: 1.08e13 cycles, bound 321865 ns. */
	expect_mono_near(&h, 3600 * SIM_PS_PER_S, 10800000000000u, UPTIME_NS + 3600 * SIM_NS_PER_S);
	/* Monotonic: never steps back over a fine sweep. */
	for (sim_ps t = 0; t < 20 * SIM_PS_PER_US; t += 97) {
		uint64_t ns = host_mono_ns(&h, t);

		cr_assert_geq(ns, last, "mono steps back at %" PRIu64 " ps", t);
		last = ns;
	}
	host_finish(&h);
}

Test(host, mono_and_tsc_read_together)
{
	static const struct host_socket_params sock[] = { { .ncpus = 2 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t ns = 0, tsc = 0;
	const sim_ps t = 5 * SIM_PS_PER_S + 777;

	init_ok(&h, &p);
	cr_assert(host_mono_and_tsc(&h, 1, t, &ns, &tsc));
	cr_expect_eq(tsc, host_rdtsc(&h, 1, t));
	/* 5 s + 777 ps at 3 GHz: 1.5e10 + floor(2.331) cycles since t = 0. */
	cr_expect_eq(tsc - 2592000000000000u, 15000000002u);
	cr_expect_eq(ns, host_mono_ns(&h, t), "synchronised CPUs give the same ns");
	host_finish(&h);
}

Test(host, mono_and_tsc_uses_the_requested_cpu)
{
	/* TSC forced as clocksource although CPU 1 runs 20 us (60000 cycles) ahead. */
	static const int64_t cpu_skew[] = { 0, 20000000 };
	static const struct host_socket_params sock[] = { { .ncpus = 2, .cpu_tsc_offset_ps = cpu_skew } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t ns = 0, tsc = 0;

	p.clocksource_auto = false;
	p.clocksource = HOST_CS_TSC;
	init_ok(&h, &p);
	cr_expect_not(h.tsc_synchronized);
	cr_assert(host_mono_and_tsc(&h, 1, 0, &ns, &tsc));
	cr_expect_eq(tsc, 2592000000000000u + 60000);
	/* ns from CPU 1's own TSC: 60000 * mult >> 24 = 20000 * (1 - 2^-24) = 19999.9988 -> 19999. */
	cr_expect_eq(ns, UPTIME_NS + 19999);
	cr_assert(host_mono_and_tsc(&h, 0, 0, &ns, &tsc));
	cr_expect_eq(tsc, 2592000000000000u);
	cr_expect_eq(ns, UPTIME_NS);
	host_finish(&h);
}

Test(host, realtime_is_utc_plus_t_plus_error)
{
	static const struct {
		int64_t error_ns;
		sim_ps t;
		uint64_t want;
	} cases[] = {
		{ -250000, 0, UTC_NS - 250000 },
		/* 5.3 s + 999 ps: the ps below 1 ns are dropped. */
		{ -250000, 5300000000999u, 1700000005299750000u },
		{ 1000000, 2 * SIM_PS_PER_S, UTC_NS + 2000000000u + 1000000u },
		{ 0, 1, UTC_NS },
	};
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_params p = params(sock, 1);
		struct host h;

		p.realtime_error_ns = cases[i].error_ns;
		init_ok(&h, &p);
		cr_expect_eq(host_realtime_ns(&h, cases[i].t), cases[i].want, "case %zu: %" PRIu64, i,
			     host_realtime_ns(&h, cases[i].t));
		host_finish(&h);
	}
}

Test(host, different_crystals_are_unsynchronised_and_use_hpet)
{
	static const struct host_socket_params sock[] = {
		{ .ncpus = 2, .crystal_ppb = 0 },
		{ .ncpus = 2, .crystal_ppb = 50 },
	};
	struct host_params p = params(sock, 2);
	struct host h;
	uint64_t ns = 12345, tsc = 67890;

	init_ok(&h, &p);
	cr_expect_eq(h.ncpus, 4);
	cr_expect_eq(h.cpus[2].socket, 1);
	cr_expect_not(h.tsc_synchronized);
	cr_expect_eq(h.clocksource, HOST_CS_HPET);
	cr_expect_not(host_mono_and_tsc(&h, 0, SIM_PS_PER_S, &ns, &tsc));
	cr_expect(ns == 12345 && tsc == 67890, "outputs touched");

	/* Socket 1 runs at 3e9 * (1 + 50e-9) = 3000000150 Hz: 864000 s of it at t = 0. */
	cr_expect_eq(host_rdtsc(&h, 2, 0), 2592000129600000u);
	cr_expect_eq(host_rdtsc(&h, 3, SIM_PS_PER_S), 2592000129600000u + 3000000150u);
	cr_expect_eq(host_rdtsc(&h, 1, SIM_PS_PER_S), 2592000000000000u + GHZ3);

	/*
	 * HPET mono: 14318180 Hz through mult 2343484437, shift 25 (test_clocksource.c).
	 * 5 s = 71590900 HPET cycles; bound 71590900 / 2^26 = 1.07 ns, plus the floor.
	 */
	cr_expect_eq(host_mono_ns(&h, 0), UPTIME_NS);
	{
		uint64_t mono = host_mono_ns(&h, 5 * SIM_PS_PER_S);

		cr_expect(mono >= UPTIME_NS + 5 * SIM_NS_PER_S - 2 && mono <= UPTIME_NS + 5 * SIM_NS_PER_S + 1,
			  "HPET mono after 5 s: %" PRIu64, mono);
	}
	host_finish(&h);
}

Test(host, hpet_crystal_error_shows_in_mono)
{
	/*
	 * The kernel converts HPET cycles at the nominal rate its period register
	 * advertises (14318180 Hz: mult 2343484437, shift 25), so a +100 ppm HPET
	 * crystal makes CLOCK_MONOTONIC_RAW run 100 ppm fast.  In 1000 s the HPET
	 * counts 1000 * 14318180 * 1.0001 = 14319611818 cycles, which at the nominal
	 * rate are exactly 1000.1 s; bound 14319611818 / 2^26 = 213.4 ns, plus the floor.
	 */
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t mono;
	double err;

	p.clocksource_auto = false;
	p.clocksource = HOST_CS_HPET;
	p.platform_ppb = 100000;
	init_ok(&h, &p);
	mono = host_mono_ns(&h, 1000 * SIM_PS_PER_S);
	err = (double)(int64_t)(mono - (UPTIME_NS + 1000100000000u));
	cr_expect(err <= 213.4 && err > -214.4, "HPET mono after 1000 s: %" PRIu64 " (off by %.0f ns)",
		  (uint64_t)(mono - UPTIME_NS), err);
	host_finish(&h);
}

Test(host, same_crystals_and_no_offsets_are_synchronised)
{
	static const struct host_socket_params sock[] = {
		{ .ncpus = 2, .crystal_ppb = -3000 },
		{ .ncpus = 3, .crystal_ppb = -3000 },
	};
	struct host_params p = params(sock, 2);
	struct host h;
	uint64_t ns, tsc;

	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.clocksource, HOST_CS_TSC);
	cr_expect(host_mono_and_tsc(&h, 4, SIM_PS_PER_S, &ns, &tsc));
	for (unsigned c = 1; c < h.ncpus; c++)
		cr_expect_eq(host_rdtsc(&h, c, 12345678), host_rdtsc(&h, 0, 12345678), "cpu %u", c);
	host_finish(&h);
}

Test(host, forced_hpet_clocksource_refuses_mono_and_tsc)
{
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t ns, tsc;

	p.clocksource_auto = false;
	p.clocksource = HOST_CS_HPET;
	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.clocksource, HOST_CS_HPET);
	cr_expect_not(host_mono_and_tsc(&h, 0, 0, &ns, &tsc));
	host_finish(&h);
}

Test(host, socket_tsc_offset_shifts_its_cpus)
{
	/*
	 * 20 us at 3 GHz = 20e-6 * 3e9 = 60000 cycles.  CPU 3 is another 1 us + 1 ps
	 * behind: -3000.003 cycles, and the counter floors, so it reads 56999 ahead.
	 */
	static const int64_t cpu_skew[] = { 0, -1000001 };
	static const struct host_socket_params sock[] = {
		{ .ncpus = 2 },
		{ .ncpus = 2, .tsc_offset_ps = 20000000, .cpu_tsc_offset_ps = cpu_skew },
	};
	/* Instants where t * 3 GHz is a whole number of cycles, so no sub-cycle phase matters. */
	static const sim_ps times[] = { 0, 1000, 3700000000000u, 86400 * SIM_PS_PER_S };
	struct host_params p = params(sock, 2);
	struct host h;

	init_ok(&h, &p);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		uint64_t base = host_rdtsc(&h, 0, times[i]);

		cr_expect_eq(host_rdtsc(&h, 1, times[i]), base);
		cr_expect_eq(host_rdtsc(&h, 2, times[i]) - base, 60000, "t %" PRIu64, times[i]);
		cr_expect_eq(host_rdtsc(&h, 3, times[i]) - base, 56999, "t %" PRIu64, times[i]);
	}
	cr_expect_not(h.tsc_synchronized, "equal rates but different readings");
	cr_expect_eq(h.clocksource, HOST_CS_HPET);
	host_finish(&h);
}

Test(host, offset_before_boot_fails)
{
	/* Uptime 1 s; an offset of -2 s would start the TSC 1 s before the host booted. */
	static const struct host_socket_params bad[] = {
		{ .ncpus = 1, .tsc_offset_ps = -2000000000000 },
	};
	/* Exactly -uptime is the boot instant itself: the counter is 0 at t = 0. */
	static const struct host_socket_params edge[] = {
		{ .ncpus = 1, .tsc_offset_ps = -1000000000000 },
	};
	struct host_params p = params(bad, 1);
	struct host h;
	struct sim_diag err;

	p.uptime_ns = SIM_NS_PER_S;
	sim_diag_clear(&err);
	cr_expect_not(host_init(&h, &p, &err));
	cr_expect_neq(err.msg[0], '\0', "no message");
	cr_expect_not_null(strstr(err.msg, "h0"), "message does not name the host: %s", err.msg);
	cr_expect_null(h.cpus);

	p.sockets = edge;
	init_ok(&h, &p);
	cr_expect_eq(host_rdtsc(&h, 0, 0), 0);
	cr_expect_eq(host_rdtsc(&h, 0, SIM_PS_PER_S), GHZ3);
	host_finish(&h);
}

Test(host, no_cpus_or_unset_platform_clock_fail)
{
	static const struct host_socket_params none[] = { { .ncpus = 0 } };
	static const struct host_socket_params one[] = { { .ncpus = 1 } };
	struct host_params p = params(none, 1);
	struct host h;
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_expect_not(host_init(&h, &p, &err));
	cr_expect_neq(err.msg[0], '\0');

	/* A zero (unset) HPET rate is a parameter error, not a crash. */
	p = params(one, 1);
	p.platform_nominal = (struct sim_freq){ 0, 0 };
	sim_diag_clear(&err);
	cr_expect_not(host_init(&h, &p, &err));
	cr_expect_neq(err.msg[0], '\0');
	cr_expect_null(h.cpus);
}

Test(host, tsc_khz_defaults_to_floor_of_cpu0_rate)
{
	static const struct host_socket_params sock[] = { { .ncpus = 1, .crystal_ppb = 12500 } };
	struct host_params p = params(sock, 1);
	struct host h;

	/* 3e9 * (1 + 12.5e-6) = 3000037500 Hz = 3000037.5 kHz, floored to 3000037. */
	init_ok(&h, &p);
	cr_expect_eq(h.tsc_khz, 3000037);
	/*
	 * Linux's mult/shift for 3000037 kHz: (600000 * 3000037) >> 32 = 419, sftacc 23;
	 * sft 24: round(2^24 * 1e6 / 3000037) = round(5592336.36) = 5592336 < 2^23.
	 */
	cr_expect_eq(h.tsc_cs.mult, 5592336);
	cr_expect_eq(h.tsc_cs.shift, 24);
	/* The TSC itself runs at the true rate: one hour = 10800135000000 cycles. */
	cr_expect_eq(host_rdtsc(&h, 0, 3600 * SIM_PS_PER_S) - host_rdtsc(&h, 0, 0), 10800135000000u);
	host_finish(&h);

	/* An explicit calibration wins. */
	p.tsc_khz = 2999999;
	init_ok(&h, &p);
	cr_expect_eq(h.tsc_khz, 2999999);
	host_finish(&h);
}

/*
 * With X86_FEATURE_TSC_KNOWN_FREQ on the boot CPU (CPUID 15H) Linux takes the
 * enumerated 3000000 kHz and does not calibrate, whatever the crystal does
 * (+12.5 ppm here); the advertised flag, not the hardware's, decides; a
 * configured tsc_khz still wins.
 */
Test(host, known_freq_takes_the_enumerated_rate)
{
	static const struct tsc_props known[1] = { { .known_freq = true } };
	static const struct tsc_features hidden[1] = { { .tsc_known_freq = false } };
	struct host_socket_params sock[] = {
		{ .ncpus = 1, .crystal_ppb = 12500, .cpu_props = known },
	};
	struct host_params p = params(sock, 1);
	struct host h;

	init_ok(&h, &p);
	cr_expect(h.tsc_known_freq);
	cr_expect_eq(h.tsc_khz, 3000000);
	/* the same mult/shift as an exact 3 GHz: 5592405 >> 24 */
	cr_expect_eq(h.tsc_cs.mult, 5592405);
	host_finish(&h);

	sock[0].cpu_advertised = hidden;
	init_ok(&h, &p);
	cr_expect_not(h.tsc_known_freq);
	cr_expect_eq(h.tsc_khz, 3000037);
	host_finish(&h);

	sock[0].cpu_advertised = NULL;
	p.tsc_khz = 2999999;
	init_ok(&h, &p);
	cr_expect(h.tsc_known_freq);
	cr_expect_eq(h.tsc_khz, 2999999);
	host_finish(&h);
}

#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)
#define UPTIME_CYCLES 2592000000000000ull            /* 864000 s at 3 GHz */

Test(host, default_crystals_need_no_updates)
{
	static const struct host_socket_params sock[] = { { .ncpus = 2 }, { .ncpus = 2, .crystal_ppb = 9 } };
	struct host_params p = params(sock, 2);
	struct host h;

	init_ok(&h, &p);
	cr_expect_eq(host_next_update(&h), SIM_NEVER);
	cr_expect_eq(h.nsockets, 2);
	cr_expect_eq(h.cpus[3].tsc.xtal, &h.crystals[1]);
	/* TSC_AUX as Linux writes it: (node << 12) | cpu */
	cr_expect_eq(h.cpus[1].tsc.aux, 1);
	cr_expect_eq(h.cpus[3].tsc.aux, (1u << 12) | 3);
	host_finish(&h);
}

Test(host, wandering_crystals_are_updated_by_the_owner)
{
	static const struct host_socket_params sock[] = {
		{ .ncpus = 1, .crystal = { .wander_sigma_ppb = 30, .wander_bound_ppb = 200 } },
		{ .ncpus = 1, .crystal = { .wander_sigma_ppb = 30, .wander_bound_ppb = 200 } },
	};
	struct host_params p = params(sock, 2);
	struct host h, again;

	p.seed = 77;
	init_ok(&h, &p);
	init_ok(&again, &p);
	cr_expect_not(h.tsc_synchronized, "two wandering crystals drift apart");
	cr_expect_eq(h.clocksource, HOST_CS_HPET);
	cr_expect_eq(host_next_update(&h), S(1));
	for (unsigned i = 1; i <= 100; i++) {
		sim_ps t = host_next_update(&h);
		uint64_t before = host_rdtsc(&h, 0, t);

		cr_assert_eq(t, S(i));
		host_update(&h, t);
		host_update(&again, t);
		cr_assert_eq(host_rdtsc(&h, 0, t), before, "an update does not move the TSC");
		cr_assert_eq(host_rdtsc(&h, 1, t + 777), host_rdtsc(&again, 1, t + 777), "reproducible");
	}
	/* within +-200 ppb of 3 GHz over the 100 s */
	{
		uint64_t d = host_rdtsc(&h, 1, S(100)) - host_rdtsc(&h, 1, 0);

		cr_expect(d >= 300000000000ull - 60000 && d <= 300000000000ull + 60000, "%" PRIu64, d);
	}
	host_finish(&h);
	host_finish(&again);
}

Test(host, spread_spectrum_skews_the_host_clock_by_its_mean)
{
	/*
	 * F11: 0.5 % down-spread at 32 kHz.  A calibrated tsc_khz sees the mean,
	 * 3e9 * 0.9975 = 2992500 kHz; the TSC counts 2992500000 per second.  A
	 * kernel that trusts the nominal 3 GHz ("known frequency") loses 0.25 %:
	 * 9 s in an hour.
	 */
	static const struct host_socket_params sock[] = {
		{ .ncpus = 1, .crystal = { .ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = 5000 } },
	};
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t mono;

	init_ok(&h, &p);
	cr_expect_eq(h.tsc_khz, 2992500);
	/* before t = 0 the crystal ran at its mean, too */
	cr_expect_eq(host_rdtsc(&h, 0, 0), 864000ull * 2992500000ull);
	cr_expect_eq(host_rdtsc(&h, 0, S(1)) - host_rdtsc(&h, 0, 0), 2992500000ull);
	cr_expect_eq(crystal_mean_rate_ppb(&h.crystals[0], 0, S(1)), -2500000);
	host_finish(&h);

	p.tsc_khz = 3000000;
	init_ok(&h, &p);
	mono = host_mono_ns(&h, S(3600)) - UPTIME_NS;
	/* 3600 s * 0.9975 = 3591 s, to within the mult rounding (< 1 us here) */
	cr_expect(mono > 3591000000000ull - 1000000 && mono < 3591000000000ull + 1000000,
		  "mono after 1 h: %" PRIu64, mono);
	host_finish(&h);
}

Test(host, per_cpu_tsc_properties)
{
	static const struct tsc_props props[] = { { .cls = TSC_INVARIANT }, { .cls = TSC_VARIABLE } };
	static const struct tsc_features lie[] = { { 0 }, { .constant_tsc = true, .nonstop_tsc = true,
							    .invariant_cpuid = true } };
	static const struct host_socket_params sock[] = {
		{ .ncpus = 2, .cpu_props = props, .cpu_advertised = lie },
	};
	struct host_params p = params(sock, 1);
	struct host h;

	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized, "the same readings and rates at t = 0");
	cr_expect_not(tsc_derived_features(&h.cpus[1].tsc).constant_tsc);
	cr_expect(tsc_advertised_features(&h.cpus[1].tsc).invariant_cpuid);
	cr_expect_not(tsc_advertised_features(&h.cpus[0].tsc).invariant_cpuid, "CPU 0 advertises nothing");
	/* CPU 1 slows to half speed for 1 s: 1.5e9 cycles behind CPU 0 */
	tsc_set_pstate(&h.cpus[1].tsc, S(1), 1, 2);
	tsc_set_pstate(&h.cpus[1].tsc, S(2), 1, 1);
	cr_expect_eq(host_rdtsc(&h, 0, S(3)) - host_rdtsc(&h, 1, S(3)), 1500000000ull);
	cr_expect_eq(host_tsc_spread_cycles(&h, S(3)), 1500000000ull);
	cr_expect_not(host_tscs_synchronized(&h, S(3)));
	host_finish(&h);
}

Test(host, bios_sync_leaves_residuals_and_tsc_adjust)
{
	/*
	 * CPU 1 came out of reset 1 us (3000 cycles) ahead, CPU 2 2 us behind;
	 * the BIOS wrote all three to CPU 0's value, off by 0, +5 and -3 cycles.
	 * SDM 17.17.3: TSC_ADJUST holds what each write added.
	 */
	static const int64_t skew[] = { 0, 1000000, -2000000 };
	static const int64_t residual[] = { 0, 5, -3 };
	static const int64_t zero[] = { 0, 0, 0 };
	struct host_socket_params sock[] = {
		{ .ncpus = 3, .cpu_tsc_offset_ps = skew, .cpu_bios_residual = residual },
	};
	struct host_params p = params(sock, 1);
	struct host h;

	p.bios_sync = true;
	init_ok(&h, &p);
	cr_expect_eq(host_rdtsc(&h, 0, 0), UPTIME_CYCLES);
	cr_expect_eq(host_rdtsc(&h, 1, 0), UPTIME_CYCLES + 5);
	cr_expect_eq(host_rdtsc(&h, 2, S(10)), UPTIME_CYCLES + 30000000000ull - 3);
	cr_expect_eq(h.cpus[0].tsc.adjust, 0);
	cr_expect_eq(h.cpus[1].tsc.adjust, 5 - 3000);
	cr_expect_eq(h.cpus[2].tsc.adjust, -3 + 6000);
	cr_expect_eq(host_tsc_spread_cycles(&h, S(10)), 8);
	cr_expect_not(h.tsc_synchronized);
	host_finish(&h);

	/* a perfect BIOS: synchronised despite the skews */
	sock[0].cpu_bios_residual = zero;
	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.clocksource, HOST_CS_TSC);
	host_finish(&h);
}

Test(host, hot_added_cpu_starts_unsynchronised)
{
	static const bool offline[] = { false, false, true };
	static const struct host_socket_params sock[] = { { .ncpus = 3, .cpu_offline = offline } };
	struct host_params p = params(sock, 1);
	struct host h;

	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized, "only online CPUs count");
	cr_expect_not(h.cpus[2].online);
	cr_expect_not(tsc_running(&h.cpus[2].tsc));
	/* timekeeping.rst 3.2: it arrives at 5 s out of RESET, its TSC at 1000 */
	cr_expect(host_cpu_hotplug(&h, S(5), 2, 1000));
	cr_expect_not(host_cpu_hotplug(&h, S(5), 2, 1000), "already online");
	cr_expect_not(host_cpu_hotplug(&h, S(5), 9, 1000), "no such CPU");
	cr_expect_eq(host_rdtsc(&h, 2, S(5)), 1000);
	cr_expect_eq(host_rdtsc(&h, 2, S(6)), 1000 + 3000000000ull);
	cr_expect_eq(h.cpus[2].tsc.adjust, 0);
	cr_expect_not(h.tsc_synchronized);
	/* the OS synchronises it through TSC_ADJUST: the delta to CPU 0 */
	cr_assert(tsc_wrmsr(&h.cpus[2].tsc, S(6), IA32_TSC_ADJUST,
			    host_rdtsc(&h, 0, S(6)) - host_rdtsc(&h, 2, S(6))));
	cr_expect(host_tscs_synchronized(&h, S(7)));
	host_finish(&h);
}

Test(host, s3_resets_the_tscs_and_mono_adds_the_rtc_sleep)
{
	/*
	 * Suspend at 10 s, resume at 1210.5 s.  The TSCs come out of RESET at 0.
	 * Linux injects the sleep measured by the CMOS RTC in whole seconds of
	 * UTC: realtime is UTC - 250 us, so 1700000009 at suspend and 1700001210
	 * at resume: 1201 s.
	 */
	static const struct host_socket_params sock[] = { { .ncpus = 2 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t at_suspend, at_resume;

	init_ok(&h, &p);
	at_suspend = host_mono_ns(&h, S(10));
	expect_mono_near(&h, S(10), 30000000000ull, UPTIME_NS + 10 * SIM_NS_PER_S);
	cr_assert(host_suspend(&h, S(10), HOST_S3));
	cr_expect_not(host_suspend(&h, S(11), HOST_S3));
	cr_expect_eq(host_mono_ns(&h, S(500)), at_suspend, "the clock stands still");
	cr_expect_eq(host_rdtsc(&h, 1, S(500)), UPTIME_CYCLES + 30000000000ull, "TSC off");
	cr_assert(host_resume(&h, S(1210) + S(1) / 2, NULL));
	cr_expect_not(host_resume(&h, S(1211), NULL));
	at_resume = host_mono_ns(&h, S(1210) + S(1) / 2);
	cr_expect_eq(at_resume, at_suspend + 1201 * SIM_NS_PER_S);
	cr_expect_eq(host_rdtsc(&h, 0, S(1210) + S(1) / 2), 0);
	cr_expect_eq(host_rdtsc(&h, 1, S(1211) + S(1) / 2), 3000000000ull);
	cr_expect_eq(h.cpus[1].tsc.adjust, 0);
	cr_expect(h.tsc_synchronized);
	/* one second later: 3e9 cycles * mult 5592405 >> 24 = 999999940 ns */
	cr_expect_eq(host_mono_ns(&h, S(1211) + S(1) / 2) - at_resume, 999999940u);
	host_finish(&h);
}

Test(host, s3_with_nonstop_tsc_keeps_counting)
{
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t before;

	p.s3_tsc = HOST_S3_TSC_NONSTOP;
	init_ok(&h, &p);
	before = host_mono_ns(&h, S(10));
	cr_assert(host_suspend(&h, S(10), HOST_S3));
	cr_assert(host_resume(&h, S(70), NULL));
	cr_expect_eq(host_rdtsc(&h, 0, S(70)), UPTIME_CYCLES + 210000000000ull);
	/* the sleep measured through the TSC: 1.8e11 cycles at mult 5592405 >> 24 */
	cr_expect_eq(host_mono_ns(&h, S(70)), before + (uint64_t)(((sim_u128)180000000000ull * 5592405) >> 24));
	host_finish(&h);
}

Test(host, s4_resume_firmware_tsc_adjust_desynchronises_packages)
{
	/*
	 * F16 (Zhaoxin, deepin-community/kernel #265): package 1 came out of
	 * reset 45960750 cycles after package 0 and the BIOS synchronised it
	 * through TSC_ADJUST = 45960750.  On S4 resume the same stagger recurs
	 * and the firmware writes 78394770: package 1 runs 32434020 cycles
	 * ahead until the OS restores the saved value.
	 */
	static const struct host_socket_params sock[] = {
		{ .ncpus = 2 },
		{ .ncpus = 2, .tsc_offset_ps = -15320250000 },
	};
	static const int64_t fw[] = { 0, 0, 78394770, 78394770 };
	struct host_params p = params(sock, 2);
	struct host h;

	p.bios_sync = true;
	init_ok(&h, &p);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.cpus[2].tsc.adjust, 45960750);
	cr_expect_eq(h.cpus[2].reset_stagger, 0);
	cr_expect_eq(h.cpus[0].reset_stagger, 45960750);
	cr_assert(host_suspend(&h, S(5), HOST_S4));
	cr_assert(host_resume(&h, S(65), fw));
	cr_expect_eq(host_rdtsc(&h, 0, S(65)), 45960750);
	cr_expect_eq(host_rdtsc(&h, 3, S(65)), 78394770);
	cr_expect_eq(host_rdtsc(&h, 3, S(66)) - host_rdtsc(&h, 1, S(66)), 32434020);
	cr_expect_eq(host_tsc_spread_cycles(&h, S(66)), 32434020);
	cr_expect_not(h.tsc_synchronized);
	/* "TSC ADJUST differs ... Restoring" */
	for (unsigned c = 2; c < 4; c++)
		cr_assert(tsc_wrmsr(&h.cpus[c].tsc, S(66), IA32_TSC_ADJUST, 45960750));
	cr_expect_eq(host_tsc_spread_cycles(&h, S(67)), 0);
	cr_expect(host_tscs_synchronized(&h, S(67)));
	host_finish(&h);

	/* without firmware writes the BIOS re-synchronises as at boot */
	init_ok(&h, &p);
	cr_assert(host_suspend(&h, S(5), HOST_S4));
	cr_assert(host_resume(&h, S(65), NULL));
	cr_expect_eq(host_tsc_spread_cycles(&h, S(66)), 0);
	cr_expect(h.tsc_synchronized);
	cr_expect_eq(h.cpus[3].tsc.adjust, 45960750);
	host_finish(&h);
}

Test(host, clocksource_switch_keeps_mono_continuous)
{
	static const struct host_socket_params sock[] = { { .ncpus = 1 } };
	struct host_params p = params(sock, 1);
	struct host h;
	uint64_t before;

	init_ok(&h, &p);
	before = host_mono_ns(&h, S(100));
	host_set_clocksource(&h, S(100), HOST_CS_HPET);
	cr_expect_eq(h.clocksource, HOST_CS_HPET);
	cr_expect_eq(host_mono_ns(&h, S(100)), before);
	cr_expect_geq(host_mono_ns(&h, S(100) + 1000000), before);
	host_finish(&h);
}

Test(host, cpu0_must_be_online)
{
	static const bool offline[] = { true, false };
	static const struct host_socket_params sock[] = { { .ncpus = 2, .cpu_offline = offline } };
	struct host_params p = params(sock, 1);
	struct host h;
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_expect_not(host_init(&h, &p, &err));
	cr_expect_not_null(strstr(err.msg, "CPU 0"), "%s", err.msg);
	cr_expect_null(h.cpus);
}
