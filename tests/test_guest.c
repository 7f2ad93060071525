/*
 * Guest readers: Linux's pvclock reader (version retry, stable bit, the
 * last_value guard), the raw reader, the tsc clocksource, and pauses.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/cpu-tsc/host.h"
#include "sim/devices/platform.h"
#include "sim/guest/reader.h"
#include "sim/guest/kinds/kind.h"
#include "sim/kvm/kvm.h"

#define US_PS (1000ULL * 1000)
#define MS_PS (1000ULL * 1000 * 1000)
#define GUEST_UPTIME_NS (3600ULL * 1000000000)
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct world {
	struct sim_eventq q;
	struct host host;
	struct kvm_vm vm;
	struct guest_kernel kernel;
	struct guest_reader r;
	struct guest_read reads[64];
	unsigned nreads;
};

static void collect(void *ctx, const struct guest_reader *r, const struct guest_read *rd)
{
	struct world *w = ctx;

	(void)r;
	if (w->nreads < 64)
		w->reads[w->nreads++] = *rd;
}

static void world_init(struct world *w, uint64_t tsc_hz, bool tsc_clocksource, bool stable_cpuid)
{
	struct host_socket_params sock = { .ncpus = 2 };
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(tsc_hz),
		.uptime_ns = 86400ULL * 1000000000,
		.clocksource_auto = false,
		.clocksource = tsc_clocksource ? HOST_CS_TSC : HOST_CS_HPET,
		.platform_nominal = sim_freq_hz(14318180),
		.nsockets = 1,
		.sockets = &sock,
	};
	unsigned pins[2] = { 0, 1 };
	struct kvm_params kp = {
		.vendor = KVM_VENDOR_VMX,
		.nvcpus = 2,
		.pins = pins,
		.guest_uptime_ns = GUEST_UPTIME_NS,
		.stable_bit_cpuid = stable_cpuid,
		.entry_latency_max_ps = 0,
		.seed = 1,
	};
	struct sim_diag err;

	memset(w, 0, sizeof(*w));
	sim_diag_clear(&err);
	sim_eventq_init(&w->q);
	cr_assert(host_init(&w->host, &hp, &err), "%s", err.msg);
	cr_assert(kvm_vm_init(&w->vm, &kp, &w->host, &w->q, 0, &err), "%s", err.msg);
	cr_assert(sim_eventq_run_until(&w->q, 0, &err), "%s", err.msg);
	cr_assert(w->vm.vcpus[0].clock_updates >= 1, "pages written at t = 0");
	guest_kernel_init(&w->kernel, stable_cpuid);
}

static void reader_init(struct world *w, enum reader_kind kind, sim_ps period, sim_ps cost)
{
	struct guest_reader_params p = {
		.kind = kind,
		.vcpu = 0,
		.period_ps = period,
		.cost_ps = cost,
		.seed = 7,
		.stream_id = "reader/test/vcpu0",
	};
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(guest_reader_init(&w->r, &p, &w->vm, &w->kernel, &w->q, 0, collect, w, &err),
		  "%s", err.msg);
}

static void world_finish(struct world *w)
{
	kvm_vm_finish(&w->vm);
	host_finish(&w->host);
	sim_eventq_finish(&w->q);
}

/* An event that makes KVM rewrite vCPU 0's page at its time. */
struct kick {
	struct sim_event ev;
	struct kvm_vm *vm;
};

static void kick_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kick *k = sim_container_of(ev, struct kick, ev);

	(void)q;
	kvm_vcpu_request(&k->vm->vcpus[0], KVM_REQ_CLOCK_UPDATE, now);
}

Test(guest, page_update_during_a_read_forces_one_retry)
{
	struct world w;
	struct kick k = { .vm = NULL };
	struct sim_diag err;
	sim_ps phase;
	uint64_t updates;

	world_init(&w, 3000000000ULL, true, true);
	reader_init(&w, READER_PVCLOCK, MS_PS, 500 * US_PS);
	phase = w.r.phase_ps;          /* no jitter: read 0 starts exactly here */
	k.vm = &w.vm;
	sim_event_init(&k.ev, "kick", SIM_PRIO_SCENARIO, kick_fire);
	cr_assert(sim_schedule(&w.q, &k.ev, phase + 100 * US_PS));
	updates = w.vm.vcpus[0].clock_updates;
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, phase + 1500 * US_PS, &err), "%s", err.msg);

	cr_assert_eq(w.vm.vcpus[0].clock_updates, updates + 1, "the kick rewrote the page");
	cr_assert_geq(w.nreads, 1);
	/* The first attempt [phase, phase+500us] saw the version change: one retry. */
	cr_expect_eq(w.reads[0].retries, 1);
	cr_expect_eq(w.reads[0].start_ps, phase + 500 * US_PS);
	cr_expect_eq(w.reads[0].end_ps, phase + 1000 * US_PS);
	/* And it returns kvmclock at its end: the guest's uptime plus elapsed time. */
	{
		uint64_t expect = GUEST_UPTIME_NS + (phase + 1000 * US_PS) / 1000;
		int64_t d = (int64_t)(w.reads[0].value_ns - expect);

		cr_expect(d >= -5 && d <= 5, "value off by %" PRId64 " ns", d);
	}
	cr_expect_eq(w.r.retries, 1);
	world_finish(&w);
}

/*
 * Two rewrites, each inside an attempt whose end is queued (an event, the
 * kick, falls within it): the read's retries are carried from one queued
 * end to the next, and the third attempt, with no event inside, ends
 * inline.  [phase, +500us] and [+500us, +1000us] each see a version change;
 * [+1000us, +1500us] reads.
 */
Test(guest, retries_carry_across_queued_attempts)
{
	struct world w;
	struct kick k1 = { .vm = NULL }, k2 = { .vm = NULL };
	struct sim_diag err;
	sim_ps phase;

	world_init(&w, 3000000000ULL, true, true);
	reader_init(&w, READER_PVCLOCK, 2 * MS_PS, 500 * US_PS);
	phase = w.r.phase_ps;
	k1.vm = k2.vm = &w.vm;
	sim_event_init(&k1.ev, "kick1", SIM_PRIO_SCENARIO, kick_fire);
	sim_event_init(&k2.ev, "kick2", SIM_PRIO_SCENARIO, kick_fire);
	cr_assert(sim_schedule(&w.q, &k1.ev, phase + 100 * US_PS));
	cr_assert(sim_schedule(&w.q, &k2.ev, phase + 600 * US_PS));
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, phase + 1900 * US_PS, &err), "%s", err.msg);

	cr_assert_eq(w.nreads, 1);
	cr_expect_eq(w.reads[0].retries, 2);
	cr_expect_eq(w.reads[0].start_ps, phase + 1000 * US_PS);
	cr_expect_eq(w.reads[0].end_ps, phase + 1500 * US_PS);
	cr_expect_eq(w.r.retries, 2);
	cr_expect_eq(w.r.reads, 1);
	cr_expect_not(w.r.in_read, "no attempt in flight after the read");
	world_finish(&w);
}

/* A reader given no sink reads all the same (the end calls a no-op sink). */
Test(guest, a_reader_without_a_sink_reads)
{
	struct world w;
	struct guest_reader_params p = {
		.kind = READER_PVCLOCK,
		.period_ps = MS_PS,
		.cost_ps = 500 * US_PS,
		.seed = 7,
		.stream_id = "reader/test/nosink",
	};
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	sim_diag_clear(&err);
	cr_assert(guest_reader_init(&w.r, &p, &w.vm, &w.kernel, &w.q, 0, NULL, NULL, &err), "%s",
		  err.msg);
	cr_assert(sim_eventq_run_until(&w.q, 10 * MS_PS + w.r.phase_ps, &err), "%s", err.msg);
	cr_expect_eq(w.r.reads, 10);
	world_finish(&w);
}

Test(guest, reads_without_updates_do_not_retry)
{
	struct world w;
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	reader_init(&w, READER_PVCLOCK, MS_PS, 500 * US_PS);
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, 20 * MS_PS, &err));
	cr_expect_geq(w.nreads, 18);
	cr_expect_eq(w.r.retries, 0);
	for (unsigned i = 1; i < w.nreads; i++) {
		cr_expect_eq(w.reads[i].end_ps - w.reads[i - 1].end_ps, MS_PS, "period kept");
		cr_expect_gt(w.reads[i].value_ns, w.reads[i - 1].value_ns);
	}
	world_finish(&w);
}

static uint64_t first_value_with_last(enum reader_kind kind, bool tsc_cs, bool cpuid,
				      uint64_t last, uint64_t *guarded)
{
	struct world w;
	struct sim_diag err;
	uint64_t v;

	world_init(&w, 3000000000ULL, tsc_cs, cpuid);
	w.kernel.pvclock_last_value = last;
	reader_init(&w, kind, MS_PS, 100 * US_PS);
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, 2 * MS_PS, &err));
	cr_assert_geq(w.nreads, 1);
	v = w.reads[0].value_ns;
	*guarded = w.r.guarded;
	world_finish(&w);
	return v;
}

Test(guest, guard_clamps_to_the_last_value_without_the_stable_bit)
{
	const uint64_t huge = 1ULL << 60;
	uint64_t guarded;

	/* HPET host clocksource: no master clock, no PVCLOCK_TSC_STABLE_BIT: the guard applies. */
	cr_expect_eq(first_value_with_last(READER_PVCLOCK, false, true, huge, &guarded), huge);
	cr_expect_geq(guarded, 1);
	/* The raw reader has no guard. */
	cr_expect_lt(first_value_with_last(READER_PVCLOCK_RAW, false, true, huge, &guarded),
		     GUEST_UPTIME_NS + 1000000000ULL);
}

Test(guest, stable_bit_is_trusted_only_with_the_cpuid_bit)
{
	const uint64_t huge = 1ULL << 60;
	uint64_t guarded;

	/* TSC clocksource: master clock, the page carries the stable bit. */
	cr_expect_lt(first_value_with_last(READER_PVCLOCK, true, true, huge, &guarded),
		     GUEST_UPTIME_NS + 1000000000ULL, "stable bit + cpuid: guard bypassed");
	cr_expect_eq(first_value_with_last(READER_PVCLOCK, true, false, huge, &guarded), huge,
		     "stable bit without cpuid: guard applies");
}

Test(guest, guarded_reader_advances_the_global_last_value)
{
	struct world w;
	struct sim_diag err;

	world_init(&w, 3000000000ULL, false, true);
	reader_init(&w, READER_PVCLOCK, MS_PS, 100 * US_PS);
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, 5 * MS_PS, &err));
	cr_assert_geq(w.nreads, 3);
	cr_expect_eq(w.kernel.pvclock_last_value, w.reads[w.nreads - 1].value_ns);
	world_finish(&w);
}

Test(guest, paused_vcpu_does_not_read_and_interrupted_read_finishes_after_resume)
{
	struct world w;
	struct sim_diag err;
	sim_ps pause_at, resume_at = 40 * MS_PS;

	world_init(&w, 3000000000ULL, true, true);
	reader_init(&w, READER_PVCLOCK, MS_PS, 500 * US_PS);
	/* Pause in the middle of read 5. */
	pause_at = w.r.phase_ps + 5 * MS_PS + 200 * US_PS;
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, pause_at, &err));
	kvm_vm_pause(&w.vm, pause_at);
	guest_reader_pause(&w.r, &w.q, pause_at);
	cr_assert(sim_eventq_run_until(&w.q, resume_at, &err));
	cr_expect_eq(w.nreads, 5, "no read completes while paused");
	kvm_vm_resume(&w.vm, resume_at);
	guest_reader_resume(&w.r, &w.q, resume_at);
	cr_assert(sim_eventq_run_until(&w.q, resume_at + 3 * MS_PS, &err));
	cr_assert_geq(w.nreads, 6);
	/* The interrupted read ends its remaining 300 us after the resume. */
	cr_expect_eq(w.reads[5].end_ps, resume_at + 300 * US_PS);
	cr_expect_eq(w.reads[5].start_ps, pause_at - 200 * US_PS);
	for (unsigned i = 6; i < w.nreads; i++)
		cr_expect_gt(w.reads[i].start_ps, resume_at, "later reads start after the resume");
	world_finish(&w);
}

Test(guest, tsc_reader_takes_its_khz_from_kvmclock)
{
	struct world w;
	struct sim_diag err;
	uint64_t d_ns;

	/*
	 * For a 3392143 kHz TSC KVM writes shift -1 (3392143000 > 2e9 once) and
	 * mul = floor(2^32 * 1e9 / 1696071500) = 0x96efe165 = 2532303205.  The
	 * guest inverts it: floor(1e6 * 2^32 / 2532303205) = 1696071, doubled
	 * for shift -1: 3392142 kHz, one kHz low.
	 */
	world_init(&w, 3392143000ULL, true, true);
	reader_init(&w, READER_TSC, SIM_PS_PER_S, 20 * SIM_PS_PER_NS);
	cr_expect_eq(w.r.tsc_khz, 3392142);
	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&w.q, 3 * SIM_PS_PER_S, &err));
	cr_assert_geq(w.nreads, 2);
	/*
	 * One true second is 3392143000 cycles.  Linux's clocks_calc_mult_shift()
	 * for 3392142 kHz over 600 s gives shift 24, mult round(2^24 * 1e6 /
	 * 3392142) = 4945906, so the guest reads (3392143000 * 4945906) >> 24 =
	 * 1000000263 ns: 263 ppb fast, 295 from the lost kHz, -32 from mult.
	 */
	d_ns = w.reads[1].value_ns - w.reads[0].value_ns;
	cr_expect(d_ns >= 1000000263 - 1 && d_ns <= 1000000263 + 1, "one second read as %" PRIu64,
		  d_ns);
	world_finish(&w);
}

/* A pinned phase: read 0 starts exactly there, each later one a period after. */
Test(guest, pinned_phase_starts_the_first_read_there)
{
	struct world w;
	struct guest_reader_params p = {
		.kind = READER_PVCLOCK, .vcpu = 0, .period_ps = MS_PS, .cost_ps = 10 * US_PS,
		.has_phase = true, .phase_ps = 250 * US_PS, .seed = 7, .stream_id = "reader/p/vcpu0",
	};
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	sim_diag_clear(&err);
	cr_assert(guest_reader_init(&w.r, &p, &w.vm, &w.kernel, &w.q, 0, collect, &w, &err), "%s",
		  err.msg);
	cr_assert(sim_eventq_run_until(&w.q, 3 * MS_PS, &err), "%s", err.msg);
	cr_assert_eq(w.nreads, 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_expect_eq(w.reads[i].start_ps, 250 * US_PS + i * MS_PS, "read %u", i);
		cr_expect_eq(w.reads[i].end_ps, 260 * US_PS + i * MS_PS, "read %u", i);
	}
	world_finish(&w);
}

Test(guest, phase_not_below_the_period_is_an_error)
{
	struct world w;
	struct guest_reader_params p = {
		.kind = READER_PVCLOCK, .vcpu = 0, .period_ps = MS_PS, .cost_ps = 10 * US_PS,
		.has_phase = true, .phase_ps = MS_PS, .seed = 7, .stream_id = "reader/p/vcpu0",
	};
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	sim_diag_clear(&err);
	cr_expect_not(guest_reader_init(&w.r, &p, &w.vm, &w.kernel, &w.q, 0, collect, &w, &err));
	cr_expect(strstr(err.msg, "phase < period") != NULL, "%s", err.msg);
	world_finish(&w);
}

/*
 * A PM-timer reader given no cost takes one port access: the board's PM
 * timer cost (set here to 1234 ps).  Its value is the 3.579545 MHz counter
 * since t = 0 in ns, to within one tick (279 ns) of the read's end.
 */
Test(guest, counter_reader_without_a_cost_takes_the_device_access_cost)
{
	struct world w;
	struct platform pf;
	struct platform_params pp;
	struct guest_reader_params p = {
		.kind = READER_PMTIMER, .vcpu = 0, .period_ps = MS_PS, .cost_ps = 0,
		.wrap_extend = true, .seed = 7, .stream_id = "reader/pm/vcpu0",
	};
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	sim_diag_clear(&err);
	platform_params_default(&pp);
	pp.cost_ps[BOARD_DEV_PMTIMER] = 1234;
	cr_assert(platform_init(&pf, &w.q, &pp, &err), "%s", err.msg);
	p.platform = &pf;
	cr_assert(guest_reader_init(&w.r, &p, &w.vm, &w.kernel, &w.q, 0, collect, &w, &err), "%s",
		  err.msg);
	cr_expect_eq(w.r.p.cost_ps, 1234);
	cr_assert(sim_eventq_run_until(&w.q, 5 * MS_PS, &err), "%s", err.msg);
	cr_assert_geq(w.nreads, 4);
	for (unsigned i = 0; i < w.nreads; i++) {
		int64_t d = (int64_t)(w.reads[i].end_ps / 1000) - (int64_t)w.reads[i].value_ns;

		cr_expect_eq(w.reads[i].end_ps - w.reads[i].start_ps, 1234, "read %u", i);
		cr_expect(d >= 0 && d <= 280, "read %u: %" PRId64 " ns behind the counter", i, d);
	}
	sim_eventq_finish(&w.q);
	platform_finish(&pf);
	world_finish(&w);
}

/*
 * Every kind has a cost when the scenario gives none: a default in its list
 * row, or (a read that is one device access) the board's access cost through
 * its ops row.  A kind with neither would fail every reader with "cost 0".
 */
Test(guest, every_kind_has_a_default_cost_and_a_finish)
{
	for (unsigned k = 0; k < READER_KIND_COUNT; k++) {
		const struct reader_kind_ops *ops = reader_kind_ops((enum reader_kind)k);

		cr_expect(reader_kind_default_cost_ps((enum reader_kind)k) > 0 || ops->default_cost_ps,
			  "kind %s has no default cost", reader_kind_name((enum reader_kind)k));
		cr_expect(ops->finish, "kind %s has no finish", reader_kind_name((enum reader_kind)k));
	}
	/* the device kinds take the device's cost, not a fixed one */
	cr_expect_eq(reader_kind_default_cost_ps(READER_HPET), 0);
	cr_expect_eq(reader_kind_default_cost_ps(READER_PMTIMER), 0);
}

/*
 * The periods' start times, modelled on a twin of the reader's stream: the
 * phase is the stream's first draw below the period; when a read is
 * scheduled at `now` the next period is at least the one `now` falls in
 * ((now - phase) / period), and each period tried draws its jitter below
 * jitter + 1, until one starts at or after `now`.
 */
struct period_model {
	struct sim_rng rng;
	sim_ps phase, period, jitter;
	uint64_t next;            /* index of the next period to try */
};

static sim_ps model_next_start(struct period_model *m, sim_ps now)
{
	sim_ps t;

	if (now > m->phase && (now - m->phase) / m->period > m->next)
		m->next = (now - m->phase) / m->period;
	do {
		t = m->phase + m->next++ * m->period + sim_rng_below(&m->rng, m->jitter + 1);
	} while (t < now);
	return t;
}

Test(guest, jittered_periods_and_skipped_ones_start_where_the_model_says)
{
	struct world w;
	struct guest_reader_params p = {
		.kind = READER_PVCLOCK, .vcpu = 0, .period_ps = MS_PS, .cost_ps = 100 * US_PS,
		.jitter_ps = 300 * US_PS, .seed = 7, .stream_id = "reader/jitter/vcpu0",
	};
	struct period_model m = { .period = MS_PS, .jitter = 300 * US_PS };
	/*
	 * (pause, resume) after the phase, each pause just before period k
	 * starts, whose jitter is drawn and whose read is cancelled: the resume
	 * tries period k + 1 or, a whole period later, the one it falls in.
	 */
	static const struct { sim_ps pause, resume; } gaps[] = {
		{ 3 * MS_PS - 1, 12 * MS_PS + 500 * US_PS },   /* 4 to 11 skipped; 12 too early, 13 */
		{ 15 * MS_PS - 1, 16 * MS_PS + 350 * US_PS },  /* 16 too early, 17 */
		{ 20 * MS_PS - 1, 21 * MS_PS },                /* 21: at or after the resume */
	};
	sim_ps sched_at = 0, starts[64];
	unsigned nstarts = 0;
	struct sim_diag err;

	world_init(&w, 3000000000ULL, true, true);
	sim_diag_clear(&err);
	cr_assert(guest_reader_init(&w.r, &p, &w.vm, &w.kernel, &w.q, 0, collect, &w, &err), "%s",
		  err.msg);
	sim_rng_init(&m.rng, 7, "reader/jitter/vcpu0");
	m.phase = sim_rng_below(&m.rng, MS_PS);
	cr_assert_eq(w.r.phase_ps, m.phase);
	for (size_t g = 0; g <= ARRAY_LEN(gaps); g++) {
		sim_ps stop = g < ARRAY_LEN(gaps) ? m.phase + gaps[g].pause : m.phase + 30 * MS_PS;

		/* reads up to the pause: each scheduled at the previous one's end + 1 */
		while (nstarts < 64) {
			sim_ps t = model_next_start(&m, sched_at);

			if (t > stop)
				break;    /* drawn before the pause, then cancelled with the read */
			starts[nstarts++] = t;
			sched_at = t + 100 * US_PS + 1;
		}
		cr_assert(sim_eventq_run_until(&w.q, stop, &err), "%s", err.msg);
		cr_assert(!w.r.in_read, "the gaps fall between reads");
		if (g == ARRAY_LEN(gaps))
			break;
		guest_reader_pause(&w.r, &w.q, stop);
		cr_assert(sim_eventq_run_until(&w.q, m.phase + gaps[g].resume, &err), "%s", err.msg);
		guest_reader_resume(&w.r, &w.q, m.phase + gaps[g].resume);
		sched_at = m.phase + gaps[g].resume;
	}
	cr_assert_eq(w.nreads, nstarts, "%u reads, the model has %u", w.nreads, nstarts);
	for (unsigned i = 0; i < nstarts; i++)
		cr_expect_eq(w.reads[i].start_ps, starts[i], "read %u starts at %" PRIu64
			     " ps, the model says %" PRIu64, i, w.reads[i].start_ps, starts[i]);
	world_finish(&w);
}
