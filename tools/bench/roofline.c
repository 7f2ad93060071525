/*
 * The roofline for PVCLK-DES v1 (shared/docs/perf-workload.md): a plain-C
 * program for that one workload and nothing else, the speed a discrete-event
 * engine could reach on it.  A 4-ary min-heap of events with inline keys
 * (t, seq), no oracle, no names, no allocation after start.  It prints the
 * spec's checksum line; tools/bench/bench times it against sim.
 *
 *   roofline H C P_ns S_ms [SEED]        e.g. roofline 8 8 100000 1000
 *
 * Written from the spec text alone; every value is an unsigned 64-bit
 * integer, wrapping, with 128-bit intermediates where the spec says u128.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvclk.h"

__extension__ typedef unsigned __int128 u128;

enum kind { EV_READ, EV_IRQ, EV_BEGIN, EV_COMMIT, EV_PIT };

/* One pending event, its key inline: no pointer chase while sifting. */
struct ev {
	uint64_t t, seq;
	uint32_t kind;
	uint32_t id;              /* the vCPU (PIT: unused, its tick number is pit_k) */
};

struct vcpu {
	uint64_t f_fp, tsc_off, rng;      /* TSC rate in cycles/ns, Q32.32; offset; jitter stream */
	uint64_t tsc_timestamp, system_time, vcpu_last;
	uint32_t version, mul;
	int32_t shift;
	uint32_t host;
};

static struct ev *heap;
static size_t heap_len, heap_cap;
static uint64_t next_seq, t_end;

static int ev_before(const struct ev *a, const struct ev *b)
{
	return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void push(uint64_t t, uint32_t kind, uint32_t id)
{
	struct ev e = { t, next_seq++, kind, id };
	size_t i;

	if (t >= t_end)      /* the horizon rule: the schedule call is skipped */
		return;
	if (heap_len == heap_cap) {
		fprintf(stderr, "roofline: more pending events than the workload can have\n");
		exit(1);
	}
	i = heap_len++;
	while (i > 0) {
		size_t parent = (i - 1) / 4;

		if (!ev_before(&e, &heap[parent]))
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = e;
}

static struct ev pop(void)
{
	struct ev top = heap[0], last = heap[--heap_len];
	size_t i = 0;

	for (;;) {
		size_t c = 4 * i + 1, best, end;

		if (c >= heap_len)
			break;
		best = c;
		end = c + 4 < heap_len ? c + 4 : heap_len;
		for (size_t k = c + 1; k < end; k++)
			if (ev_before(&heap[k], &heap[best]))
				best = k;
		if (!ev_before(&heap[best], &last))
			break;
		heap[i] = heap[best];
		i = best;
	}
	heap[i] = last;
	return top;
}

static uint64_t tsc_at(const struct vcpu *c, uint64_t t)
{
	return c->tsc_off + (uint64_t)(((u128)t * c->f_fp) >> 32);
}

/* PIT tick k, from k (never accumulated). */
static uint64_t pit_tick_ns(uint64_t k)
{
	return (uint64_t)((u128)k * PVCLK_PIT_RELOAD * 1000000000u / PVCLK_PIT_HZ);
}

static struct {
	uint64_t events, reads, irq_reads, retries, vcpu_viol, vm_viol, err_viol;
	uint64_t max_backstep, max_abs_err, sum, hash;
} st;

static struct vcpu *cpu;
static uint64_t *vm_last;

/* The pvclock reader with its checks; false: the version was odd, retry. */
static int guest_read(struct vcpu *c, uint64_t t)
{
	uint64_t delta, raw, e;
	int64_t d;

	if (c->version & 1) {
		st.retries++;
		return 0;
	}
	delta = tsc_at(c, t) - c->tsc_timestamp;
	delta = c->shift < 0 ? delta >> -c->shift : delta << c->shift;
	raw = c->system_time + (uint64_t)(((u128)delta * c->mul) >> 32);
	d = (int64_t)(raw - t);
	e = d < 0 ? -(uint64_t)d : (uint64_t)d;
	if (e > PVCLK_ERR_BOUND_NS)
		st.err_viol++;
	if (e > st.max_abs_err)
		st.max_abs_err = e;
	if (raw < c->vcpu_last)
		st.vcpu_viol++;
	c->vcpu_last = raw;
	if (raw < vm_last[c->host]) {
		st.vm_viol++;
		if (vm_last[c->host] - raw > st.max_backstep)
			st.max_backstep = vm_last[c->host] - raw;
	} else {
		vm_last[c->host] = raw;
	}
	st.sum += raw;
	st.hash = (st.hash ^ raw) * PVCLK_FNV_PRIME;
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t H, C, P, S_ms, seed = 42, N, J, JH, pit_k = 1, *skew;
	int64_t *cal_ppm, *ppm;
	uint32_t *host_mul;
	int32_t *host_shift;

	if ((argc != 5 && argc != 6) || !pvclk_parse_u64(argv[1], &H) ||
	    !pvclk_parse_u64(argv[2], &C) || !pvclk_parse_u64(argv[3], &P) ||
	    !pvclk_parse_u64(argv[4], &S_ms) || (argc == 6 && !pvclk_parse_u64(argv[5], &seed)) ||
	    H == 0 || C == 0 || P < 4 || H > 1000000 || C > 1000000 || H * C > 10000000 ||
	    S_ms > 1000000000) {
		fprintf(stderr, "usage: roofline H C P_ns S_ms [SEED]  (H, C >= 1; H*C <= 10^7; "
				"P >= 4 ns; S_ms <= 10^9)\n");
		return 2;
	}
	N = H * C;
	J = P / 4;
	JH = J / 2;
	t_end = S_ms * 1000000u;
	cpu = calloc(N, sizeof(*cpu));
	vm_last = calloc(H, sizeof(*vm_last));
	host_mul = calloc(H, sizeof(*host_mul));
	host_shift = calloc(H, sizeof(*host_shift));
	cal_ppm = calloc(H, sizeof(*cal_ppm));
	ppm = calloc(N, sizeof(*ppm));
	skew = calloc(N, sizeof(*skew));
	/* READ and BEGIN or COMMIT per vCPU, the PIT, and the IRQs in flight */
	heap_cap = 2 * N + 64;
	heap = calloc(heap_cap, sizeof(*heap));
	if (!cpu || !vm_last || !host_mul || !host_shift || !cal_ppm || !ppm || !skew || !heap) {
		fprintf(stderr, "roofline: out of memory\n");
		return 1;
	}

	pvclk_config(seed, H, N, cal_ppm, ppm, skew);
	for (uint64_t h = 0; h < H; h++)
		pvclk_time_scale(1000000000u, PVCLK_F0_HZ + (uint64_t)(2500 * cal_ppm[h]),
				 &host_shift[h], &host_mul[h]);
	for (uint64_t v = 0; v < N; v++) {
		struct vcpu *c = &cpu[v];

		c->host = (uint32_t)(v / C);
		c->f_fp = (uint64_t)(((u128)(PVCLK_F0_HZ + (uint64_t)(2500 * ppm[v])) << 32) /
				     1000000000u);
		c->tsc_off = (c->host + 1) * 1000000000000ull + skew[v];
		c->rng = pvclk_splitmix64(seed + v);
		c->tsc_timestamp = c->tsc_off;
		c->mul = host_mul[c->host];
		c->shift = host_shift[c->host];
	}
	st.hash = PVCLK_FNV_OFFSET;

	push(pit_tick_ns(1), EV_PIT, 0);
	for (uint64_t v = 0; v < N; v++) {
		push(500000 + v * PVCLK_U_NS / N, EV_BEGIN, (uint32_t)v);
		push(100 + v * P / N, EV_READ, (uint32_t)v);
	}
	while (heap_len) {
		struct ev e = pop();
		struct vcpu *c = &cpu[e.id];

		st.events++;
		switch (e.kind) {
		case EV_READ:
			if (!guest_read(c, e.t)) {
				push(e.t + PVCLK_RETRY_NS, EV_READ, e.id);
			} else {
				st.reads++;
				c->rng = pvclk_xorshift64(c->rng);
				push(e.t + P - JH + c->rng % (J + 1), EV_READ, e.id);
			}
			break;
		case EV_IRQ:
			if (!guest_read(c, e.t))
				push(e.t + PVCLK_RETRY_NS, EV_IRQ, e.id);
			else
				st.irq_reads++;
			break;
		case EV_BEGIN:
			c->version++;
			push(e.t + PVCLK_W_NS, EV_COMMIT, e.id);
			break;
		case EV_COMMIT:
			c->tsc_timestamp = tsc_at(c, e.t);
			c->system_time = e.t;
			c->mul = host_mul[c->host];
			c->shift = host_shift[c->host];
			c->version++;
			push(e.t - PVCLK_W_NS + PVCLK_U_NS, EV_BEGIN, e.id);
			break;
		case EV_PIT:
			push(e.t + PVCLK_IRQ_LAT_NS, EV_IRQ, (uint32_t)((pit_k - 1) % N));
			pit_k++;
			push(pit_tick_ns(pit_k), EV_PIT, 0);
			break;
		}
	}
	printf("PVCLK1 H=%" PRIu64 " C=%" PRIu64 " P=%" PRIu64 " S_ms=%" PRIu64 " seed=%" PRIu64
	       " events=%" PRIu64 " reads=%" PRIu64 " irq_reads=%" PRIu64 " retries=%" PRIu64
	       " vcpu_viol=%" PRIu64 " vm_viol=%" PRIu64 " err_viol=%" PRIu64
	       " max_backstep=%" PRIu64 " max_abs_err=%" PRIu64 " sum=%016" PRIx64
	       " hash=%016" PRIx64 " vmlast0=%" PRIu64 " vlastN=%" PRIu64 "\n",
	       H, C, P, S_ms, seed, st.events, st.reads, st.irq_reads, st.retries, st.vcpu_viol,
	       st.vm_viol, st.err_viol, st.max_backstep, st.max_abs_err, st.sum, st.hash,
	       vm_last[0], cpu[N - 1].vcpu_last);
	free(heap);
	free(skew);
	free(ppm);
	free(cal_ppm);
	free(host_shift);
	free(host_mul);
	free(vm_last);
	free(cpu);
	return 0;
}
