/*
 * Writes PVCLK-DES v1 (shared/docs/perf-workload.md) as a sim scenario, as
 * closely as the scenario format allows; docs/performance.md ("Equal work")
 * lists what differs per event.  The same config stream as the roofline
 * (pvclk.h) sets the host's calibration error and the sockets' drift.
 *
 *   scenario H C P_ns S_ms [SEED [GROUPS]]   > pvclk.json
 *
 * GROUPS (default 1) readers of the same clock on every vCPU: more readers
 * and pending events with the vCPU count fixed (the scale sweep).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvclk.h"

/* sim's limits this writer stays within (docs/scenario-format.md, "Limits"). */
#define HOST_SOCKETS_MAX 8u
#define SOCKET_CPUS_MAX 64u

int main(int argc, char **argv)
{
	uint64_t H, C, P, S_ms, seed = 42, groups = 1, N, ncpus, nsock, err_ns;
	int64_t *cal_ppm, *ppm;
	uint64_t *skew;

	if (argc < 5 || argc > 7 || !pvclk_parse_u64(argv[1], &H) ||
	    !pvclk_parse_u64(argv[2], &C) || !pvclk_parse_u64(argv[3], &P) ||
	    !pvclk_parse_u64(argv[4], &S_ms) || (argc >= 6 && !pvclk_parse_u64(argv[5], &seed)) ||
	    (argc == 7 && !pvclk_parse_u64(argv[6], &groups)) || H == 0 || C == 0 || P < 4 ||
	    H * C > 1000000 || S_ms == 0 || S_ms > 1000000000 || groups == 0 || groups > 1000) {
		fprintf(stderr, "usage: scenario H C P_ns S_ms [SEED [GROUPS]]  (H*C <= 10^6, "
				"P >= 4 ns, 1 <= S_ms <= 10^9, 1 <= GROUPS <= 1000)\n");
		return 2;
	}
	N = H * C;
	cal_ppm = calloc(H, sizeof(*cal_ppm));
	ppm = calloc(N, sizeof(*ppm));
	skew = calloc(N, sizeof(*skew));
	if (!cal_ppm || !ppm || !skew) {
		fprintf(stderr, "scenario: out of memory\n");
		return 1;
	}
	pvclk_config(seed, H, N, cal_ppm, ppm, skew);

	/* one CPU per vCPU up to the host's 512; then vCPU i on CPU i mod 512 (the default pins) */
	ncpus = N < HOST_SOCKETS_MAX * SOCKET_CPUS_MAX ? N : HOST_SOCKETS_MAX * SOCKET_CPUS_MAX;
	nsock = (ncpus + SOCKET_CPUS_MAX - 1) / SOCKET_CPUS_MAX;

	printf("{\n  \"name\": \"pvclk_des_%" PRIu64 "x%" PRIu64 "\",\n", H, C);
	printf("  \"description\": \"PVCLK-DES v1 (shared/docs/perf-workload.md) H=%" PRIu64
	       " C=%" PRIu64 " P=%" PRIu64 "ns S_ms=%" PRIu64 " seed=%" PRIu64
	       ", written by tools/bench/scenario: one VM of H*C vCPUs, a pvclock reader on each, "
	       "a staggered master clock update of every page each 1 ms, the PIT at reload 1193. "
	       "docs/performance.md lists what differs from the spec.\",\n",
	       H, C, P, S_ms, seed);
	printf("  \"seed\": %" PRIu64 ",\n  \"duration\": \"%" PRIu64 "ms\",\n", seed, S_ms);
	/* the host's calibration error: KVM scales pages with the calibrated rate, tsc_khz */
	printf("  \"hosts\": [ { \"name\": \"h0\", \"tsc\": \"2.5GHz\", \"uptime\": \"1h\", "
	       "\"tsc_khz\": %" PRIu64 ",\n    \"sockets\": [",
	       (PVCLK_F0_HZ + (uint64_t)(2500 * cal_ppm[0]) + 500) / 1000);
	for (uint64_t s = 0; s < nsock; s++) {
		uint64_t first = s * SOCKET_CPUS_MAX;
		uint64_t cpus = ncpus - first < SOCKET_CPUS_MAX ? ncpus - first : SOCKET_CPUS_MAX;

		/* the drift of the socket's first vCPU for all its CPUs: the crystal is per socket */
		printf("%s\n      { \"cpus\": %" PRIu64 ", \"crystal\": \"%+" PRId64 "ppm\" }",
		       s ? "," : "", cpus, ppm[first]);
	}
	printf(" ] } ],\n");
	printf("  \"vm\": { \"host\": \"h0\", \"vcpus\": %" PRIu64 ", \"uptime\": \"0s\", "
	       "\"entry_latency\": \"0s\" },\n", N);
	/* BEGIN(v) at 500 us + v*U/N: the k-th vCPU's page k*stagger after the new pair */
	printf("  \"clock_updates\": [ { \"at\": \"500us\", \"request\": \"masterclock\", "
	       "\"every\": \"1ms\", \"stagger\": \"%" PRIu64 "ps\" } ],\n",
	       PVCLK_U_NS * 1000u / N);
	/*
	 * The spec sets system_time to true time at each update; KVM takes it from
	 * the host's CLOCK_MONOTONIC_RAW, which runs at the calibrated rate, so
	 * kvmclock drifts from true time by the calibration error (up to 20 ppm):
	 * the bound is 50 ns plus 100 ppm of the run.
	 */
	err_ns = PVCLK_ERR_BOUND_NS + S_ms * 100u;
	printf("  \"readers\": [");
	for (uint64_t g = 0; g < groups; g++)
		printf("%s\n    { \"name\": \"pvclock%" PRIu64 "\", \"kind\": \"pvclock\", "
		       "\"vcpus\": \"all\", \"period\": \"%" PRIu64 "ns\", \"jitter\": \"%" PRIu64
		       "ns\", \"phase\": \"100ns\",\n      \"checks\": {\n"
		       "        \"mono_vcpu\": { \"expect\": \"pass\" },\n"
		       "        \"mono_causal\": { \"expect\": \"pass\" },\n"
		       "        \"max_error\": { \"threshold\": \"%" PRIu64 "ns\", \"expect\": \"pass\" },\n"
		       "        \"consumer_abort\": { \"expect\": \"pass\" } } }",
		       g ? "," : "", g, P, P / 4, err_ns);
	printf(" ],\n");
	/* PIT channel 0, mode 2 (rate generator), reload 1193 = 0x04a9 */
	printf("  \"scripts\": [ { \"name\": \"pit\", \"expect\": \"pass\", \"commands\": "
	       "[ \"outb 0x43 0x34\", \"outb 0x40 0xa9\", \"outb 0x40 0x04\" ] } ]\n}\n");
	free(skew);
	free(ppm);
	free(cal_ppm);
	return 0;
}
