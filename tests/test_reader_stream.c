/*
 * reader_stream: the order in which a host reader draws from its one PRNG
 * stream.  A bare-metal "rdtsc" reader with a period jitter, on a host whose
 * plain RDTSC lands up to `rdtsc_window` cycles off, draws from the stream
 * named by its id (docs/scenario-format.md, "readers"): the phase below the
 * period, then the first period's jitter below jitter + 1, then per read
 * the plain RDTSC's offset below 2 x window + 1 and after it the next period's
 * jitter.  A twin of the stream, drawn in that order, gives every read's
 * start; drawing the jitter before the read's RDTSC, or twice, or not at
 * all, moves them.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/rng.h"
#include "tests/machine_rig.h"

#define US_PS SIM_PS_PER_US
#define MS_PS SIM_PS_PER_MS
#define NREADS 40u

Test(reader_stream, rdtsc_window_and_jitter_draw_in_turn)
{
	/* a 40.5 ms run: periods 0 to 39 start in it, each at most 300 us late */
	struct scenario *s = parse(
		"{ \"name\": \"stream\", \"duration\": \"40500us\", \"seed\": 7,\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\",\n"
		"    \"tsc_features\": { \"rdtsc_window\": 40 },\n"
		"    \"sockets\": [ { \"cpus\": 1 } ] } ],\n"
		"  \"readers\": [ { \"name\": \"rd\", \"kind\": \"rdtsc\", \"host\": \"h\", \"cpus\": [0],\n"
		"    \"rdtsc\": \"rdtsc\", \"period\": \"1ms\", \"jitter\": \"300us\" } ] }\n");
	struct read_starts got = { 0 };
	struct sim_rng twin;
	struct sim_diag err;
	struct machine *m;
	sim_ps phase;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_READ), keep_read_starts,
				      &got));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(got.n, NREADS);

	sim_rng_init(&twin, 7, "reader/rd/cpu0");
	phase = sim_rng_below(&twin, MS_PS);
	for (unsigned k = 0; k < NREADS; k++) {
		sim_ps want = phase + k * MS_PS + sim_rng_below(&twin, 300 * US_PS + 1);

		cr_expect_eq(got.start_ps[k], want, "read %u starts at %" PRIu64 " ps, the twin says %"
			     PRIu64, k, got.start_ps[k], want);
		/* the read's plain RDTSC: an instant up to 40 cycles either way */
		(void)sim_rng_below(&twin, 2 * 40 + 1);
	}
	machine_destroy(m);
	scenario_destroy(s);
}
