/*
 * host: sockets of CPUs whose TSCs count from the host's boot at their
 * crystal's rate, and the host kernel's monotonic and realtime clocks.
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
		  mono - UPTIME_NS, err);
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
