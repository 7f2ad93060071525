/*
 * Hosts as the machine builds them: what a host advertises, and the one
 * tsc_khz its kernel uses, seen through every reader of its TSC (the
 * bare-metal tsc clocksource, a raw rdtsc user, the guest's kvmclock).
 *
 * Expectations in closed form.  A 3 GHz TSC on a crystal off by e ppb counts
 * hz = 3e9 (1 + e / 10^9) cycles a second (a whole number for the e used,
 * so a calibrating kernel finds exactly hz / 1000 kHz).  Converted at K kHz:
 * - by kvmclock (KVM's kvm_get_time_scale(), exact to 2^-32) and by the raw
 *   rdtsc user (cycles * 10^6 / K): hz / K / 1000 - 1;
 * - by the kernel's tsc clocksource, Linux's mult/shift: shift 24 for these
 *   rates (test_host.c derives it), mult = round(2^24 10^6 / K), so
 *   hz * mult / 2^24 / 10^9 - 1.  At K = 3000000, mult 5592405 is 59.6 ppb
 *   below 2^24 / 3: the host's own clock runs 59.6 ppb slower than kvmclock.
 * The slack of +-10 ppb covers the oracle's rate estimate (1 ns per read over
 * 5 s windows) and kvm_get_time_scale()'s rounding.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"
#include "tests/machine_rig.h"

#define SLACK_PPB 10

/* A clock that turns hz cycles a second into ns through mult / 2^shift. */
static int64_t conv_rate_ppb(uint64_t hz, uint64_t mult, unsigned shift)
{
	return (int64_t)((((sim_u128)hz * mult) >> shift) - 1000000000u);
}

/* kvmclock and rdtsc: exact conversion at k_khz. */
static int64_t exact_rate_ppb(uint64_t hz, uint64_t k_khz)
{
	return (int64_t)(((sim_u128)hz * 1000000u + k_khz / 2) / k_khz) - 1000000000;
}

/* Linux's tsc clocksource at k_khz (clocks_calc_mult_shift() rounds to nearest). */
static int64_t clocksource_rate_ppb(uint64_t hz, uint64_t k_khz)
{
	uint64_t mult = (((uint64_t)1 << 24) * 1000000u + k_khz / 2) / k_khz;

	return conv_rate_ppb(hz, mult, 24);
}

static int64_t rate_ppb(const struct machine *m, unsigned group)
{
	return machine_check_results(m, group)[ORACLE_RATE].worst;
}

static void expect_near(int64_t got, int64_t want, const char *what)
{
	cr_expect(got >= want - SLACK_PPB && got <= want + SLACK_PPB,
		  "%s: %" PRId64 " ppb, expected %" PRId64 " +- %d", what, got, want, SLACK_PPB);
}

/*
 * One host "h" (3 GHz, socket crystal `crystal`, extra host keys `extra`)
 * running a 1-vCPU VM, with three reader groups: 0 the guest's kvmclock,
 * 1 the host's tsc clocksource, 2 a raw rdtsc user on the host.
 */
static struct scenario *three_readers(const char *crystal, const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{ \"name\": \"t\", \"duration\": \"20s\",\n"
		 "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\"%s,\n"
		 "    \"sockets\": [ { \"cpus\": 2, \"crystal\": \"%s\" } ] } ],\n"
		 "  \"vm\": { \"host\": \"h\", \"vcpus\": 1, \"uptime\": \"1h\" },\n"
		 "  \"readers\": [\n"
		 "    { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"100ms\",\n"
		 "      \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"window\": \"5s\", \"expect\": \"pass\" } } },\n"
		 "    { \"name\": \"cs\", \"kind\": \"tsc\", \"host\": \"h\", \"cpus\": [0], \"period\": \"100ms\",\n"
		 "      \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"window\": \"5s\", \"expect\": \"pass\" } } },\n"
		 "    { \"name\": \"raw\", \"kind\": \"rdtsc\", \"host\": \"h\", \"cpus\": [0], \"period\": \"100ms\",\n"
		 "      \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"window\": \"5s\", \"expect\": \"pass\" } } } ] }\n",
		 extra, crystal);
	return parse(buf);
}

/*
 * Issue example: an Intel host (CPUID 15H by default) with a -43 ppm crystal.
 * Linux takes tsc_khz = 3000000 from CPUID, so its tsc clocksource and the
 * guest's kvmclock (KVM converts with the same tsc_khz) both run -43 ppm
 * (the clocksource 59.6 ppb more, its mult/shift); before, kvmclock ran at a
 * calibrated rate (+0.2 ppm) while the tsc reader used the nominal one.
 */
Test(build_host, known_freq_host_readers_share_the_enumerated_rate)
{
	struct scenario *s = three_readers("-43ppm", "");
	struct machine *m = run(s);

	const uint64_t hz = 2999871000u;

	expect_near(rate_ppb(m, 0), exact_rate_ppb(hz, 3000000), "kvmclock");
	expect_near(rate_ppb(m, 1), clocksource_rate_ppb(hz, 3000000), "tsc clocksource");
	expect_near(rate_ppb(m, 2), exact_rate_ppb(hz, 3000000), "rdtsc");
	cr_expect_eq(exact_rate_ppb(hz, 3000000), -43000);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * Without X86_FEATURE_TSC_KNOWN_FREQ (an AMD host) Linux calibrates: tsc_khz
 * = 3000450 for a +150 ppm crystal, so kvmclock is exact (and the host's
 * clock off only by its mult/shift), while the raw rdtsc user, who divides
 * by the nominal 3 GHz, runs +150 ppm.
 */
Test(build_host, calibrating_host_readers_share_the_calibrated_rate)
{
	struct scenario *s = three_readers("+150ppm", ", \"vendor\": \"amd\"");
	struct machine *m = run(s);

	const uint64_t hz = 3000450000u;

	expect_near(rate_ppb(m, 0), exact_rate_ppb(hz, 3000450), "kvmclock");
	expect_near(rate_ppb(m, 1), clocksource_rate_ppb(hz, 3000450), "tsc clocksource");
	expect_near(rate_ppb(m, 2), exact_rate_ppb(hz, 3000000), "rdtsc");
	cr_expect_eq(exact_rate_ppb(hz, 3000450), 0);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The rdtsc reader converts at the nominal rate even when the firmware hides
 * the known frequency and the kernel calibrates (+150 ppm crystal: the
 * kernel's clock exact but for its mult/shift, the raw user +150 ppm).
 * Before, it took the kernel's tsc_khz.
 */
Test(build_host, rdtsc_reader_converts_at_the_nominal_rate)
{
	struct scenario *s = three_readers(
		"+150ppm", ", \"tsc_features\": { \"advertise\": { \"tsc_known_freq\": false } }");
	struct machine *m = run(s);

	const uint64_t hz = 3000450000u;

	expect_near(rate_ppb(m, 1), clocksource_rate_ppb(hz, 3000450), "tsc clocksource");
	expect_near(rate_ppb(m, 2), exact_rate_ppb(hz, 3000000), "rdtsc");
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * A configured tsc_khz of 3000300 on an exact crystal: every kernel clock
 * converts with it, so the tsc clocksource and kvmclock both run about
 * 3000000 / 3000300 - 1 = -99.99 ppm; before, the tsc reader of a
 * known-frequency host ignored it and ran exact.
 */
Test(build_host, configured_tsc_khz_is_the_kernels_for_every_reader)
{
	struct scenario *s = three_readers("0ppm", ", \"tsc_khz\": 3000300");
	struct machine *m = run(s);

	const uint64_t hz = 3000000000u;

	expect_near(rate_ppb(m, 0), exact_rate_ppb(hz, 3000300), "kvmclock");
	expect_near(rate_ppb(m, 1), clocksource_rate_ppb(hz, 3000300), "tsc clocksource");
	expect_near(rate_ppb(m, 2), exact_rate_ppb(hz, 3000000), "rdtsc");
	machine_destroy(m);
	scenario_destroy(s);
}

/* flag_truth on tsc_known_freq for a host with a +150 ppm crystal ("vendor" given or not). */
static const struct host_check_result *known_freq_truth(struct machine **m, struct scenario **s,
							 const char *vendor)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{ \"name\": \"t\", \"duration\": \"10s\",\n"
		 "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\"%s,\n"
		 "    \"sockets\": [ { \"cpus\": 2, \"crystal\": \"+150ppm\" } ] } ],\n"
		 "  \"host_checks\": [ { \"check\": \"flag_truth\", \"host\": \"h\",\n"
		 "    \"flags\": [ \"tsc_known_freq\" ], \"expect\": \"pass\" } ] }\n",
		 vendor);
	*s = parse(buf);
	*m = run(*s);
	return machine_host_check_result(*m, 0);
}

/*
 * Issue example: a host that advertises nothing must not fail flag_truth on
 * tsc_known_freq.  An AMD host has no CPUID 15H path in Linux, so the flag is
 * clear and there is nothing to judge.
 */
Test(build_host, amd_host_does_not_advertise_a_known_frequency)
{
	struct scenario *s;
	struct machine *m;
	const struct host_check_result *r = known_freq_truth(&m, &s, ", \"vendor\": \"amd\"");

	cr_assert(r && r->evaluated);
	cr_expect(r->passed, "first: %s", r->first);
	cr_expect_eq(r->worst, 0);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * An Intel host with CPUID 15H does advertise it, and CPUID reports the
 * nominal crystal: a +150 ppm crystal is then 150000 ppb off the known
 * frequency, beyond the default 100 ppm threshold.  That failure is real.
 */
Test(build_host, intel_host_enumerates_the_nominal_frequency)
{
	struct scenario *s;
	struct machine *m;
	const struct host_check_result *r = known_freq_truth(&m, &s, "");

	cr_assert(r && r->evaluated);
	cr_expect_not(r->passed);
	cr_expect(r->worst >= 150000 - SLACK_PPB && r->worst <= 150000 + SLACK_PPB,
		  "worst %" PRId64 " ppb", r->worst);
	machine_destroy(m);
	scenario_destroy(s);
}
