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
#define SOCKET_CPUS_MAX 64u       /* a VM's vCPUs beyond it share the socket's CPUs */
#define HOSTS_MAX 1024u

int main(int argc, char **argv)
{
	uint64_t H, C, P, S_ms, seed = 42, groups = 1, N, err_ns;
	int64_t *cal_ppm, *ppm;
	uint64_t *skew;

	if (argc < 5 || argc > 7 || !pvclk_parse_u64(argv[1], &H) ||
	    !pvclk_parse_u64(argv[2], &C) || !pvclk_parse_u64(argv[3], &P) ||
	    !pvclk_parse_u64(argv[4], &S_ms) || (argc >= 6 && !pvclk_parse_u64(argv[5], &seed)) ||
	    (argc == 7 && !pvclk_parse_u64(argv[6], &groups)) || H == 0 || C == 0 || P < 4 ||
	    H > HOSTS_MAX || C > 1024 || H * C > 65536 || S_ms == 0 || S_ms > 1000000000 || groups == 0 || groups > 1000) {
		fprintf(stderr, "usage: scenario H C P_ns S_ms [SEED [GROUPS]]  (H <= 1024, C <= 1024, H*C <= 65536, "
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

	/*
	 * Host h runs VM h (C vCPUs, one CPU each): its socket's crystal is the
	 * drift of the VM's first vCPU (the crystal is per socket, not per CPU),
	 * its tsc_khz the host's calibration error (KVM scales pages with it).
	 */
	printf("{\n  \"name\": \"pvclk_des_%" PRIu64 "x%" PRIu64 "\",\n", H, C);
	printf("  \"description\": \"PVCLK-DES v1 (shared/docs/perf-workload.md) H=%" PRIu64
	       " C=%" PRIu64 " P=%" PRIu64 "ns S_ms=%" PRIu64 " seed=%" PRIu64
	       ", written by tools/bench/scenario: H hosts, one VM of C vCPUs on each, a pvclock "
	       "reader group per VM, a staggered master clock update of every page each 1 ms, the "
	       "PIT at reload 1193. docs/performance.md lists what differs from the spec.\",\n",
	       H, C, P, S_ms, seed);
	printf("  \"seed\": %" PRIu64 ",\n  \"duration\": \"%" PRIu64 "ms\",\n", seed, S_ms);
	printf("  \"hosts\": [");
	for (uint64_t h = 0; h < H; h++) {
		uint64_t first = h * C, cpus = C < SOCKET_CPUS_MAX ? C : SOCKET_CPUS_MAX;

		printf("%s\n    { \"name\": \"h%" PRIu64 "\", \"tsc\": \"2.5GHz\", \"uptime\": \"1h\", "
		       "\"tsc_khz\": %" PRIu64 ", \"sockets\": [ { \"cpus\": %" PRIu64 ", "
		       "\"crystal\": \"%+" PRId64 "ppm\" } ] }",
		       h ? "," : "", h, (PVCLK_F0_HZ + (uint64_t)(2500 * cal_ppm[h]) + 500) / 1000,
		       cpus, ppm[first]);
	}
	printf(" ],\n  \"vms\": [");
	/*
	 * BEGIN(v) at 500 us + v*U/N over all N vCPUs: VM h's first page at
	 * 500 us + h*C*U/N, its k-th vCPU's k*stagger after the new pair.
	 */
	for (uint64_t h = 0; h < H; h++)
		printf("%s\n    { \"name\": \"vm%" PRIu64 "\", \"host\": \"h%" PRIu64 "\", "
		       "\"vcpus\": %" PRIu64 ", \"uptime\": \"0s\", \"entry_latency\": \"0s\",\n"
		       "      \"clock_updates\": [ { \"at\": \"%" PRIu64 "ps\", \"request\": "
		       "\"masterclock\", \"every\": \"1ms\", \"stagger\": \"%" PRIu64 "ps\" } ] }",
		       h ? "," : "", h, h, C,
		       PVCLK_FIRST_UPDATE_NS * 1000u + h * C * PVCLK_U_NS * 1000u / N,
		       PVCLK_U_NS * 1000u / N);
	printf(" ],\n");
	/*
	 * The spec sets system_time to true time at each update; KVM takes it from
	 * the host's CLOCK_MONOTONIC_RAW, which runs at the calibrated rate, so
	 * kvmclock drifts from true time by the calibration error (up to 20 ppm):
	 * the bound is 50 ns plus 100 ppm of the run.
	 */
	err_ns = PVCLK_ERR_BOUND_NS + S_ms * 100u;
	printf("  \"readers\": [");
	for (uint64_t h = 0; h < H; h++)
		for (uint64_t g = 0; g < groups; g++)
			printf("%s\n    { \"name\": \"vm%" PRIu64 "_pvclock%" PRIu64 "\", \"vm\": \"vm%"
			       PRIu64 "\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"%"
			       PRIu64 "ns\", \"jitter\": \"%" PRIu64 "ns\", \"phase\": \"100ns\",\n"
			       "      \"checks\": {\n"
			       "        \"mono_vcpu\": { \"expect\": \"pass\" },\n"
			       "        \"mono_causal\": { \"expect\": \"pass\" },\n"
			       "        \"max_error\": { \"threshold\": \"%" PRIu64 "ns\", \"expect\": "
			       "\"pass\" },\n"
			       "        \"consumer_abort\": { \"expect\": \"pass\" } } }",
			       h || g ? "," : "", h, g, h, P, P / 4, err_ns);
	printf(" ],\n");
	/* PIT channel 0, mode 2 (rate generator), reload 1193 = 0x04a9: the first VM's board */
	printf("  \"scripts\": [ { \"name\": \"pit\", \"expect\": \"pass\", \"commands\": "
	       "[ \"outb 0x43 0x34\", \"outb 0x40 0xa9\", \"outb 0x40 0x04\" ] } ]\n}\n");
	free(skew);
	free(ppm);
	free(cal_ppm);
	return 0;
}
