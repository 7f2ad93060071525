/*
 * The guest's clock IDs (sim/guest/kinds/clock_id.c) and KVM's wall-clock
 * MSR (sim/kvm/wall_clock.c), on a 3 GHz host whose TSC is the clocksource
 * (master clock on) and a VM created an hour before t = 0.  Expected values
 * are derived by hand in the comments.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/cpu-tsc/host.h"
#include "sim/guest/reader.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/wall_clock.h"

#define S_PS SIM_PS_PER_S
#define NS_S SIM_NS_PER_S
#define UTC0_NS (UINT64_C(1767225600) * NS_S)   /* 2026-01-01T00:00:00Z at t = 0 */
#define GUEST_UPTIME_NS (3600 * NS_S)
#define COST_PS (50 * SIM_PS_PER_NS)
#define NREADERS 3

struct world {
	struct sim_eventq q;
	struct host host;
	struct kvm_vm vm;
	struct guest_kernel kernel;
	struct guest_reader r[NREADERS];
	uint64_t last_ns[NREADERS];
	sim_ps last_end[NREADERS];
	unsigned nreads[NREADERS];
};

static void collect(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	struct world *w = ctx;
	unsigned i = (unsigned)(r - w->r);

	w->last_ns[i] = rd->value_ns;
	w->last_end[i] = rd->end_ps;
	w->nreads[i]++;
}

static void world_init(struct world *w)
{
	struct host_socket_params sock = { .ncpus = 2 };
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(3000000000u),
		.uptime_ns = 86400 * NS_S,
		.utc_at_t0_ns = UTC0_NS,
		.tsc_khz = 3000000,
		.clocksource_auto = false,
		.clocksource = HOST_CS_TSC,
		.platform_nominal = sim_freq_hz(14318180),
		.nsockets = 1,
		.sockets = &sock,
	};
	unsigned pins[2] = { 0, 1 };
	struct kvm_params kp = {
		.vendor = KVM_VENDOR_VMX, .nvcpus = 2, .pins = pins,
		.guest_uptime_ns = GUEST_UPTIME_NS, .stable_bit_cpuid = true, .seed = 1,
	};
	struct sim_diag err;

	memset(w, 0, sizeof(*w));
	sim_diag_clear(&err);
	sim_eventq_init(&w->q);
	cr_assert(host_init(&w->host, &hp, &err), "%s", err.msg);
	cr_assert(kvm_vm_init(&w->vm, &kp, &w->host, &w->q, 0, &err), "%s", err.msg);
	cr_assert(sim_eventq_run_until(&w->q, 0, &err), "%s", err.msg);
	guest_kernel_init(&w->kernel, true);
}

/* Reader i: one read a second, the first starting at t = 0, each 50 ns long. */
static void add_reader(struct world *w, unsigned i, enum reader_kind kind, bool tsc_cs,
		       sim_ps wall_every, int64_t ntp_ppb)
{
	static const char *const ids[NREADERS] = { "reader/a/vcpu0", "reader/b/vcpu0",
						   "reader/c/vcpu0" };
	struct guest_reader_params p = {
		.kind = kind, .vcpu = 0, .period_ps = S_PS, .cost_ps = COST_PS,
		.has_phase = true, .phase_ps = 0,
		.clocksource_tsc = tsc_cs, .wall_clock_every_ps = wall_every, .ntp_freq_ppb = ntp_ppb,
		.seed = 7, .stream_id = ids[i],
	};
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(guest_reader_init(&w->r[i], &p, &w->vm, &w->kernel, &w->q, 0, collect, w, &err),
		  "%s", err.msg);
}

static void run_to(struct world *w, sim_ps t)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w->q, t, &err), "%s", err.msg);
}

static void world_finish(struct world *w)
{
	kvm_vm_finish(&w->vm);
	host_finish(&w->host);
	sim_eventq_finish(&w->q);
}

/* |a - b| <= tol */
static bool near(uint64_t a, uint64_t b, uint64_t tol)
{
	return a > b ? a - b <= tol : b - a <= tol;
}

/*
 * KVM's page: version 0 -> 1 (writing) -> 2; an odd version (junk) is made
 * even first: 1 -> 2 -> 3 -> 4.  At t = 0 kvmclock reads the guest's uptime,
 * 3600 s, and host realtime is UTC0, so the page holds UTC0 - 3600 s (kvmclock
 * through the master pair may be a few ns off the exact uptime).
 */
Test(clock_id, wall_clock_page_is_realtime_minus_kvmclock)
{
	struct world w;
	struct pvclock_wall_clock wc = { 0 };
	struct kvm_clock_data d;

	world_init(&w);
	kvm_write_wall_clock(&w.vm, 0, &wc);
	cr_expect_eq(wc.version, 2);
	kvm_get_clock(&w.vm, 0, &d);
	cr_expect(near(d.clock, GUEST_UPTIME_NS, 2), "kvmclock %" PRIu64, d.clock);
	cr_expect_eq(pvclock_wall_clock_ns(&wc), UTC0_NS - d.clock);
	cr_expect_eq(wc.sec, (uint32_t)((UTC0_NS - d.clock) / NS_S));
	cr_expect_eq(wc.nsec, (uint32_t)((UTC0_NS - d.clock) % NS_S));
	wc.version = 1;
	kvm_write_wall_clock(&w.vm, 0, &wc);
	cr_expect_eq(wc.version, 4);
	world_finish(&w);
}

/*
 * kvm-clock: at the read ending at 10 s + 50 ns, kvmclock is 3610 s + 50 ns
 * (within the pvclock scaling's few ns).  MONOTONIC_RAW is that; MONOTONIC
 * with NTP at +100 ppm is 3600 s + (10 s + 50 ns) * 1.0001 = 3610.001 s +
 * 50 ns; REALTIME is UTC0 + 10 s + 50 ns.
 */
Test(clock_id, kvm_clock_ids_in_closed_form)
{
	struct world w;
	const sim_ps end = 10 * S_PS + COST_PS;

	world_init(&w);
	add_reader(&w, 0, READER_MONOTONIC_RAW, false, 0, 100000);
	add_reader(&w, 1, READER_MONOTONIC, false, 0, 100000);
	add_reader(&w, 2, READER_REALTIME, false, 0, 0);
	run_to(&w, end);
	for (unsigned i = 0; i < NREADERS; i++)
		cr_expect_eq(w.last_end[i], end, "reader %u", i);
	cr_expect(near(w.last_ns[0], 3610 * NS_S + 50, 4), "raw %" PRIu64, w.last_ns[0]);
	cr_expect(near(w.last_ns[1], 3610 * NS_S + 1000000 + 50, 4), "mono %" PRIu64, w.last_ns[1]);
	cr_expect(near(w.last_ns[2], UTC0_NS + 10 * NS_S + 50, 4), "real %" PRIu64, w.last_ns[2]);
	world_finish(&w);
}

/* BOOTTIME is MONOTONIC: the guest never suspended itself. */
Test(clock_id, boottime_reads_as_monotonic)
{
	struct world w;

	world_init(&w);
	add_reader(&w, 0, READER_MONOTONIC, false, 0, 0);
	add_reader(&w, 1, READER_BOOTTIME, false, 0, 0);
	run_to(&w, 3 * S_PS + COST_PS);
	cr_expect_eq(w.nreads[0], 4);
	cr_expect_eq(w.last_ns[0], w.last_ns[1]);
	world_finish(&w);
}

/*
 * The tsc clocksource, anchored at t = 0 on vCPU 0's TSC and kvmclock
 * (3600 s): the guest's tsc_khz is 3000000 (KVM's mul for 3 GHz inverts
 * exactly).  Linux's mult/shift for 3000000 kHz over 600 s is shift 24,
 * mult round(2^24 / 3) = 5592405, 60 ppb slow.  The read ending at 5 s +
 * 50 ns saw 15000000150 cycles: (15000000150 * 5592405) >> 24 = 4999999751
 * ns, so 3604.999999751 s.
 */
Test(clock_id, tsc_clocksource_counts_from_the_boot_anchor)
{
	struct world w;

	world_init(&w);
	add_reader(&w, 0, READER_MONOTONIC, true, 0, 0);
	cr_expect_eq(w.r[0].tsc_khz, 3000000);
	run_to(&w, 5 * S_PS + COST_PS);
	cr_expect(near(w.last_ns[0], 3604999999751, 2), "mono %" PRIu64, w.last_ns[0]);
	world_finish(&w);
}

/* An event that sets kvmclock back by 2 s (a stale KVM_SET_CLOCK). */
struct setback {
	struct sim_event ev;
	struct kvm_vm *vm;
};

static void setback_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct setback *s = sim_container_of(ev, struct setback, ev);
	struct kvm_clock_data d;
	struct sim_diag err;

	(void)q;
	kvm_get_clock(s->vm, now, &d);
	d.clock -= 2 * NS_S;
	d.flags = 0;
	sim_diag_clear(&err);
	cr_assert(kvm_set_clock(s->vm, now, &d, &err), "%s", err.msg);
}

/*
 * kvmclock steps back 2 s at 5.5 s.  A guest that read the wall clock only
 * at boot reads REALTIME = UTC0 + t - 2 s from then on; one that rewrites and
 * rereads the MSR every second is right again at its first read at or after
 * 6 s: UTC0 + 6 s + 50 ns.  Both read UTC0 + 5 s + 50 ns before the step.
 */
Test(clock_id, wall_clock_read_once_stays_stale_and_every_second_recovers)
{
	struct world w;
	struct setback sb;

	world_init(&w);
	add_reader(&w, 0, READER_REALTIME, false, 0, 0);
	add_reader(&w, 1, READER_REALTIME, false, S_PS, 0);
	run_to(&w, 5 * S_PS + COST_PS);
	cr_expect(near(w.last_ns[0], UTC0_NS + 5 * NS_S + 50, 4));
	cr_expect(near(w.last_ns[1], UTC0_NS + 5 * NS_S + 50, 4));
	sb.vm = &w.vm;
	sim_event_init(&sb.ev, "setback", SIM_PRIO_SCENARIO, setback_fire);
	sim_schedule(&w.q, &sb.ev, 5 * S_PS + 500 * SIM_PS_PER_MS);
	run_to(&w, 6 * S_PS + COST_PS);
	cr_expect(near(w.last_ns[0], UTC0_NS + 4 * NS_S + 50, 4), "boot %" PRIu64, w.last_ns[0]);
	cr_expect(near(w.last_ns[1], UTC0_NS + 6 * NS_S + 50, 4), "every %" PRIu64, w.last_ns[1]);
	cr_expect_eq(w.r[0].wall_reads, 1);
	cr_expect_eq(w.r[1].wall_reads, 7);     /* boot, then at 1 s .. 6 s */
	world_finish(&w);
}
