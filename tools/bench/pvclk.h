/*
 * PVCLK-DES v1 (shared/docs/perf-workload.md), the parts both of its
 * programs need: the constants, the two PRNGs, Linux's kvm_get_time_scale()
 * and the config stream.  roofline.c runs the workload; scenario.c writes it
 * as a sim scenario.  Header-only: tools/bench is two small programs.
 */
#ifndef TOOLS_BENCH_PVCLK_H
#define TOOLS_BENCH_PVCLK_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#define PVCLK_F0_HZ UINT64_C(2500000000)
#define PVCLK_U_NS UINT64_C(1000000)       /* host pvclock update period per vCPU */
#define PVCLK_FIRST_UPDATE_NS UINT64_C(500000) /* BEGIN(0): the first page update */
#define PVCLK_W_NS UINT64_C(300)           /* write window, version odd */
#define PVCLK_RETRY_NS UINT64_C(37)
#define PVCLK_IRQ_LAT_NS UINT64_C(1500)
#define PVCLK_ERR_BOUND_NS UINT64_C(50)
#define PVCLK_PIT_HZ UINT64_C(1193182)
#define PVCLK_PIT_RELOAD UINT64_C(1193)
#define PVCLK_FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define PVCLK_FNV_PRIME UINT64_C(0x100000001b3)

static inline uint64_t pvclk_splitmix64(uint64_t x)
{
	uint64_t z = x + 0x9E3779B97F4A7C15ull;

	z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ z >> 27) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return z ? z : 1;
}

/* Marsaglia's 13/7/17. */
static inline uint64_t pvclk_xorshift64(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* Linux's kvm_get_time_scale(scaled_hz, base_hz) (arch/x86/kvm/x86.c), as the spec states it. */
static inline void pvclk_time_scale(uint64_t scaled_hz, uint64_t base_hz, int32_t *shift,
				    uint32_t *mul)
{
	uint64_t tps64 = base_hz, scaled64 = scaled_hz;
	uint32_t tps32;
	int32_t s = 0;

	while (tps64 > 2 * scaled64 || (tps64 & 0xffffffff00000000ull)) {
		tps64 >>= 1;
		s--;
	}
	tps32 = (uint32_t)tps64;
	while (tps32 <= scaled64 || (scaled64 & 0xffffffff00000000ull)) {
		if ((scaled64 & 0xffffffff00000000ull) || (tps32 & 0x80000000u))
			scaled64 >>= 1;
		else
			tps32 <<= 1;
		s++;
	}
	*shift = s;
	*mul = (uint32_t)((scaled64 << 32) / tps32);
}

/*
 * The config stream, consumed in the spec's order: every host's calibration
 * error (cal_ppm, -20..20), then every vCPU's drift (ppm, -50..50) and TSC
 * skew (cycles, 0..4999).  Arrays of H and N entries.
 */
static inline void pvclk_config(uint64_t seed, uint64_t H, uint64_t N, int64_t *cal_ppm,
				int64_t *ppm, uint64_t *skew)
{
	uint64_t cfg = pvclk_splitmix64(seed ^ 0xC0FFEE);

	for (uint64_t h = 0; h < H; h++) {
		cfg = pvclk_xorshift64(cfg);
		cal_ppm[h] = (int64_t)(cfg % 41) - 20;
	}
	for (uint64_t v = 0; v < N; v++) {
		cfg = pvclk_xorshift64(cfg);
		ppm[v] = (int64_t)(cfg % 101) - 50;
		cfg = pvclk_xorshift64(cfg);
		skew[v] = cfg % 5000;
	}
}

/* A decimal u64 with nothing else; false on anything else. */
static inline int pvclk_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s < '0' || *s > '9')
		return 0;
	*out = strtoull(s, &end, 10);
	return !errno && !*end;
}

#endif
