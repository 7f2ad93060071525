/* Guest clock readers: see reader.h. */
#include "sim/guest/reader.h"

#include <stdio.h>

void guest_kernel_init(struct guest_kernel *k, bool stable_bit_cpuid)
{
	k->pvclock_last_value = 0;
	k->pvclock_stable_valid = stable_bit_cpuid;
}

static struct kvm_vcpu *reader_vcpu(const struct guest_reader *r)
{
	return &r->vm->vcpus[r->p.vcpu];
}

unsigned guest_reader_cpu(const struct guest_reader *r, sim_ps now, unsigned *index)
{
	unsigned i = r->p.index;

	if (!r->p.host) {
		if (index)
			*index = i;
		return r->p.vcpu;
	}
	if (r->p.migrate_every_ps)
		i = (unsigned)((now / r->p.migrate_every_ps) % r->p.ncpus);
	if (index)
		*index = i;
	/* moved by the scheduler: still the same process, so the same oracle reader */
	return r->moved ? r->moved_cpu : r->p.cpus[i];
}

/* RDTSC as the reader's CPU sees it: the guest TSC in a VM, the CPU's own on bare metal. */
static uint64_t reader_rdtsc(struct guest_reader *r, sim_ps now)
{
	if (r->p.host)
		return tsc_rdtsc(&r->p.host->cpus[r->cur_cpu].tsc, now, r->p.rdtsc, &r->rng, NULL);
	return kvm_vcpu_guest_tsc(reader_vcpu(r), now);
}

/* Start of period k: phase + k * period + this period's jitter. */
static sim_ps period_start(struct guest_reader *r, uint64_t k)
{
	sim_u128 t = (sim_u128)k * r->p.period_ps + r->phase_ps;
	sim_ps jitter = r->p.jitter_ps ? sim_rng_below(&r->rng, r->p.jitter_ps + 1) : 0;

	t += jitter;
	return t >= SIM_NEVER ? SIM_NEVER : (sim_ps)t;
}

/* Schedules the first period that starts at or after `now`. */
static void schedule_next_read(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	sim_ps t;

	if (now > r->phase_ps) {
		uint64_t k = (now - r->phase_ps) / r->p.period_ps;

		if (k > r->next_period)
			r->next_period = k;
	}
	do {
		t = period_start(r, r->next_period++);
	} while (t < now);
	if (t != SIM_NEVER)
		sim_schedule(q, &r->ev, t);
}

static void begin_attempt(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	r->in_read = true;
	r->read_start_ps = now;
	/* The scheduler places the process when the read begins; it stays for the read. */
	r->cur_cpu = guest_reader_cpu(r, now, &r->cur_index);
	/* pvclock_read_begin(): the version, then the fields, as they are now. */
	if (r->vm)
		r->snapshot = reader_vcpu(r)->pvti;
	sim_schedule(q, &r->ev, sim_add_sat(now, r->p.cost_ps));
}

static uint64_t tsc_clocksource_ns(const struct guest_reader *r, uint64_t tsc)
{
	/* A TSC below the anchor gives no time, as Linux's clocksource_delta() does for negative deltas. */
	if (tsc < r->boot_tsc)
		return r->boot_ns;
	return r->boot_ns + clocksource_cyc2ns(&r->tsc_cs, tsc - r->boot_tsc);
}

/* One guest access to the platform counter: HPET main counter or PM timer. */
static uint64_t read_platform_counter(const struct guest_reader *r)
{
	if (r->p.kind == READER_HPET)
		return platform_mmio_read(r->p.platform, PLATFORM_HPET_BASE + HPET_MAIN_CNT,
					  r->p.width_bits / 8, NULL) & r->tsc_cs.mask;
	return platform_io_read(r->p.platform, r->p.platform->params.pmtimer_port, 4, NULL) &
	       r->tsc_cs.mask;
}

/*
 * Linux's timekeeping reads `delta = (now - last) & mask`, so a counter that
 * wraps keeps counting forward; the naive reader converts the raw counter.
 */
static uint64_t platform_counter_ns(struct guest_reader *r)
{
	uint64_t c = read_platform_counter(r);

	if (!r->p.wrap_extend)
		return clocksource_cyc2ns(&r->tsc_cs, c);
	r->counter_total += (c - r->counter_last) & r->tsc_cs.mask;
	r->counter_last = c;
	return clocksource_cyc2ns(&r->tsc_cs, r->counter_total);
}

/* Finishes an attempt; false when the version check says retry. */
static bool finish_attempt(struct guest_reader *r, sim_ps now, uint64_t *value)
{
	const struct kvm_vcpu *v;
	uint64_t tsc, ret, last;

	if (r->p.kind == READER_HPET || r->p.kind == READER_PMTIMER) {
		*value = platform_counter_ns(r);
		return true;
	}
	tsc = reader_rdtsc(r, now);
	if (r->p.kind == READER_TSC) {
		*value = tsc_clocksource_ns(r, tsc);
		return true;
	}
	if (r->p.kind == READER_RDTSC) {
		/* cycles at the nominal rate the software believes: tsc_khz */
		*value = sim_mul_div(tsc, 1000000, r->tsc_khz);
		return true;
	}
	v = reader_vcpu(r);
	/* pvclock_read_retry(): odd (being written) or changed since we began. */
	if ((r->snapshot.version & 1) || r->snapshot.version != v->pvti.version)
		return false;
	ret = pvclock_read_cycles(&r->snapshot, tsc);
	if (r->p.kind == READER_PVCLOCK_RAW ||
	    (r->kernel->pvclock_stable_valid && (r->snapshot.flags & PVCLOCK_TSC_STABLE_BIT))) {
		*value = ret;
		return true;
	}
	/* The guard: never return less than any CPU has returned before. */
	last = r->kernel->pvclock_last_value;
	if (ret <= last) {
		if (ret < last)
			r->guarded++;
		*value = last;
		return true;
	}
	r->kernel->pvclock_last_value = ret;
	*value = ret;
	return true;
}

static void reader_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct guest_reader *r = sim_container_of(ev, struct guest_reader, ev);
	struct guest_read rd;
	uint64_t value;

	if (!r->in_read) {
		begin_attempt(r, q, now);
		return;
	}
	if (!finish_attempt(r, now, &value)) {
		r->retries++;
		r->attempt_retries++;
		begin_attempt(r, q, now);
		return;
	}
	rd = (struct guest_read){
		.vcpu = r->cur_cpu,
		.index = r->cur_index,
		.start_ps = r->read_start_ps,
		.end_ps = now,
		.value_ns = value,
		.retries = r->attempt_retries,
	};
	r->in_read = false;
	r->attempt_retries = 0;
	r->reads++;
	if (r->sink)
		r->sink(r->sink_ctx, r, &rd);
	schedule_next_read(r, q, now + 1);
}

/*
 * The clocksource Linux registers for the counter: the HPET at the rate its
 * COUNTER_CLK_PERIOD gives (1e15 / period fs, hpet_clocksource_register()),
 * the PM timer at PMTMR_TICKS_PER_SEC; the mask is the counter's width.
 */
static bool init_platform_clocksource(struct guest_reader *r, struct sim_diag *err)
{
	struct platform *pf = r->p.platform;
	uint64_t hz, mask;

	if (!pf)
		return sim_diag_fail(err, "reader %s: no platform to read", r->name);
	if (r->p.kind == READER_HPET) {
		uint64_t period_fs = platform_mmio_read(pf, PLATFORM_HPET_BASE + HPET_GCAP_ID + 4,
							4, NULL);

		if (r->p.width_bits != 32 && r->p.width_bits != 64)
			return sim_diag_fail(err, "reader %s: HPET reads are 32 or 64 bits wide", r->name);
		if (period_fs == 0)
			return sim_diag_fail(err, "reader %s: the HPET reports a zero period", r->name);
		hz = UINT64_C(1000000000000000) / period_fs;
		mask = r->p.width_bits == 64 && pf->params.hpet_counter_64bit ? UINT64_MAX : UINT32_MAX;
	} else {
		hz = 3579545;   /* PMTMR_TICKS_PER_SEC */
		mask = pf->params.pmtimer_bits == 32 ? UINT32_MAX : (UINT64_C(1) << 24) - 1;
	}
	if (hz == 0 || hz > UINT32_MAX)
		return sim_diag_fail(err, "reader %s: counter rate %llu Hz out of range", r->name,
				     (unsigned long long)hz);
	clocksource_init_freq(&r->tsc_cs, mask, 1, (uint32_t)hz);
	r->counter_last = read_platform_counter(r);
	r->counter_total = r->counter_last;
	return true;
}

bool guest_reader_init(struct guest_reader *r, const struct guest_reader_params *p,
		       struct kvm_vm *vm, struct guest_kernel *kernel, struct sim_eventq *q,
		       sim_ps now, guest_read_sink *sink, void *sink_ctx, struct sim_diag *err)
{

	*r = (struct guest_reader){ .p = *p, .vm = vm, .kernel = kernel, .sink = sink,
				    .sink_ctx = sink_ctx };
	if (p->host) {
		if (p->ncpus == 0 || !p->cpus || p->index >= p->ncpus)
			return sim_diag_fail(err, "reader %s: no CPU to run on", p->stream_id);
		for (unsigned i = 0; i < p->ncpus; i++)
			if (p->cpus[i] >= p->host->ncpus)
				return sim_diag_fail(err, "reader %s: CPU %u does not exist", p->stream_id,
						     p->cpus[i]);
		r->vm = NULL;
	} else if (!vm || p->vcpu >= vm->nvcpus) {
		return sim_diag_fail(err, "reader %s: vCPU %u does not exist", p->stream_id, p->vcpu);
	}
	if (p->period_ps == 0 || p->cost_ps >= p->period_ps || p->jitter_ps >= p->period_ps)
		return sim_diag_fail(err, "reader %s: needs 0 < cost < period and jitter < period",
				     p->stream_id);
	snprintf(r->name, sizeof(r->name), "%s", p->stream_id);
	r->p.stream_id = r->name;
	sim_rng_init(&r->rng, p->seed, r->name);
	sim_event_init(&r->ev, r->name, SIM_PRIO_GUEST, reader_fire);
	r->phase_ps = now + sim_rng_below(&r->rng, p->period_ps);
	r->cur_cpu = guest_reader_cpu(r, now, &r->cur_index);

	if (p->host && (p->kind == READER_TSC || p->kind == READER_RDTSC)) {
		/*
		 * The host kernel's own tsc clocksource, anchored on the boot CPU's
		 * TSC at t = 0.  Its rate: with X86_FEATURE_TSC_KNOWN_FREQ Linux
		 * takes the frequency the CPU enumerates (the nominal one) and skips
		 * calibration; otherwise it calibrates (the host's tsc_khz).
		 */
		const struct cpu_tsc *boot = &p->host->cpus[0].tsc;

		r->tsc_khz = p->tsc_khz;
		if (!r->tsc_khz)
			r->tsc_khz = tsc_advertised_features(boot).tsc_known_freq ?
				     sim_freq_floor_khz(boot->nominal) : p->host->tsc_khz;
		if (r->tsc_khz == 0 || r->tsc_khz > UINT32_MAX)
			return sim_diag_fail(err, "reader %s: TSC kHz %llu out of range", r->name,
					     (unsigned long long)r->tsc_khz);
		clocksource_init_freq(&r->tsc_cs, UINT64_MAX, 1000, (uint32_t)r->tsc_khz);
		r->boot_tsc = host_rdtsc(p->host, 0, now);
		r->boot_ns = host_mono_ns(p->host, now);
	} else if (p->kind == READER_TSC) {
		const struct kvm_vcpu *v = reader_vcpu(r);

		/*
		 * At boot a KVM guest takes tsc_khz from kvmclock (kvm_get_tsc_khz() ->
		 * pvclock_tsc_khz()), i.e. from the mul/shift KVM writes for the vCPU's
		 * TSC rate; then registers its tsc clocksource at that rate.
		 */
		r->tsc_khz = p->tsc_khz;
		if (!r->tsc_khz) {
			struct pvclock_vcpu_time_info page = { 0 };

			kvm_get_time_scale(SIM_NS_PER_S, v->virtual_tsc_khz * 1000, &page.tsc_shift,
					   &page.tsc_to_system_mul);
			r->tsc_khz = pvclock_tsc_khz(&page);
		}
		if (r->tsc_khz == 0 || r->tsc_khz > UINT32_MAX)
			return sim_diag_fail(err, "reader %s: TSC kHz %llu out of range", r->name,
					     (unsigned long long)r->tsc_khz);
		clocksource_init_freq(&r->tsc_cs, UINT64_MAX, 1000, (uint32_t)r->tsc_khz);
		r->boot_tsc = kvm_vcpu_guest_tsc(v, now);
		/* Anchor the guest's tsc clock to kvmclock's reading at `now`. */
		r->boot_ns = (uint64_t)((int64_t)host_mono_ns(vm->host, now) + vm->kvmclock_offset);
	} else if (p->kind == READER_RDTSC) {
		r->tsc_khz = p->tsc_khz ? p->tsc_khz : reader_vcpu(r)->virtual_tsc_khz;
	}
	if (p->kind == READER_HPET || p->kind == READER_PMTIMER) {
		if (!init_platform_clocksource(r, err))
			return false;
	}
	schedule_next_read(r, q, now);
	return true;
}

void guest_reader_pause(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	if (r->paused)
		return;
	r->paused = true;
	r->remaining_ps = 0;
	if (r->in_read && sim_event_pending(&r->ev))
		r->remaining_ps = r->ev.when - now;
	sim_cancel(q, &r->ev);
}

void guest_reader_resume(struct guest_reader *r, struct sim_eventq *q, sim_ps now)
{
	if (!r->paused)
		return;
	r->paused = false;
	if (r->in_read)
		sim_schedule(q, &r->ev, now + r->remaining_ps);
	else
		schedule_next_read(r, q, now);
}

void guest_reader_move(struct guest_reader *r, unsigned cpu)
{
	r->moved = true;
	r->moved_cpu = cpu;
}
