/*
 * KVM's clock side, after arch/x86/kvm/x86.c: TSC offset and scaling
 * (kvm_scale_tsc, kvm_set_tsc_khz, kvm_synchronize_tsc), the master clock
 * (pvclock_update_vm_gtod_copy), the per-vCPU pvclock page
 * (kvm_guest_time_update), the requests serviced at VM entry, the periodic
 * kvmclock sync work, and KVM_GET_CLOCK / KVM_SET_CLOCK.
 *
 * Simplifications: a vCPU "enters" only to service requests (one event per
 * burst of requests, after a seeded latency); the host TSC is "unstable" (in
 * KVM's kvm_check_tsc_unstable() sense) exactly when !host->tsc_synchronized
 * or Linux marked it so (host->tsc_unstable, sim/kvm/host_notify.c).  The
 * guest-stopped bit and the APIC timer are in vcpu_state.c.
 *
 * Versions (kvm_version.h) differ in kvm_track_tsc_matching() and in the
 * one-second slop on user space's first TSC write (struct kvm_behaviour); the
 * first-load global clock update is the same in 6.1 and 6.12 (and in kvm/queue
 * as of 6.16-rc5).  docs/architecture.md, "KVM versions", has the list.
 */
#include "sim/kvm/kvm_internal.h"
#include "sim/kvm/host_notify.h"
#include "sim/kvm/kvm_kick.h"
#include "sim/core/alloc.h"
#include "sim/core/event_now.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kvm/vcpu_state.h"

#define PPM KVM_PPM
#define HZ_PER_KHZ KVM_HZ_PER_KHZ
#define CATCHUP_EXIT_PERIOD_PS SIM_PS_PER_MS     /* a 1000 Hz guest tick exits */

/* What differs between the modelled KVM versions (struct kvm_behaviour). */
static const struct kvm_behaviour behaviours[] = {
	[KVM_VERSION_6_1] = { .matched_write_updates_masterclock = true,
			      .slop_needs_user_set_tsc = false },
	[KVM_VERSION_6_12] = { .matched_write_updates_masterclock = false,
			       .slop_needs_user_set_tsc = true },
};
_Static_assert(sizeof(behaviours) / sizeof(behaviours[0]) == KVM_VERSION_COUNT,
	       "one behaviour row per KVM version");

const struct kvm_behaviour *kvm_behaviour_of(const struct kvm_vm *vm)
{
	return &behaviours[vm->version];
}

static unsigned frac_bits(const struct kvm_vm *vm)
{
	return kvm_tsc_frac_bits(vm);
}

uint64_t kvm_default_tsc_scaling_ratio(const struct kvm_vm *vm)
{
	return 1ULL << frac_bits(vm);
}

/* kvm_scale_tsc(), inlined where a guest read or a page write calls it */
static inline uint64_t scale_tsc(const struct kvm_vm *vm, uint64_t tsc, uint64_t ratio)
{
	unsigned bits = frac_bits(vm);

	if (ratio == UINT64_C(1) << bits)
		return tsc;
	/* mul_u64_u64_shr(): the low 64 bits of the shifted 128-bit product */
	return (uint64_t)(((sim_u128)tsc * ratio) >> bits);
}

uint64_t kvm_scale_tsc(const struct kvm_vm *vm, uint64_t tsc, uint64_t ratio)
{
	return scale_tsc(vm, tsc, ratio);
}

static inline uint64_t read_l1_tsc(const struct kvm_vcpu *v, uint64_t host_tsc)
{
	return scale_tsc(v->vm, host_tsc, v->tsc_scaling_ratio) + (uint64_t)v->tsc_offset;
}

uint64_t kvm_read_l1_tsc(const struct kvm_vcpu *v, uint64_t host_tsc)
{
	return read_l1_tsc(v, host_tsc);
}

uint64_t kvm_vcpu_guest_tsc_slow(const struct kvm_vcpu *v, sim_ps now)
{
	return read_l1_tsc(v, host_rdtsc_cached(v->vm->host, v->pcpu, now));
}

int64_t kvm_l1_tsc_offset_for(const struct kvm_vcpu *v, sim_ps now, uint64_t target)
{
	uint64_t scaled = kvm_scale_tsc(v->vm, host_rdtsc(v->vm->host, v->pcpu, now),
					v->tsc_scaling_ratio);

	return (int64_t)(target - scaled);
}

uint64_t kvm_ns_to_guest_cycles(const struct kvm_vcpu *v, uint64_t ns)
{
	return sim_mul_div(ns, v->virtual_tsc_khz, PPM);
}

void kvm_trace_tsc_write(const struct kvm_vcpu *v, sim_ps now)
{
	struct sim_trace_record rec;

	if (!sim_trace_wants(v->vm->trace, SIM_TRACE_TSC_WRITE))
		return;
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_TSC_WRITE, .t_ps = now };
	rec.u.tsc = (struct sim_trace_tsc_write){
		.vm = v->vm->index,
		.vcpu = v->id,
		.offset = v->tsc_offset,
		.ratio = v->tsc_scaling_ratio,
		.ratio_frac_bits = frac_bits(v->vm),
	};
	sim_trace_publish(v->vm->trace, &rec);
}

/* A latency not known to be 0: the owed draws first (entry_latency()). */
static sim_ps entry_latency_draw(struct kvm_vcpu *v, sim_ps max)
{
	for (; v->owed_zero_draws; v->owed_zero_draws--)
		(void)sim_rng_below(&v->rng, 1);
	if (max == UINT64_MAX)
		return sim_rng_next(&v->rng);
	return sim_rng_below(&v->rng, max + 1);
}

static inline sim_ps entry_latency(struct kvm_vcpu *v)
{
	sim_ps max = v->vm->entry_latency_max_ps;

	/*
	 * sim_rng_below(rng, 1) makes its draws for a latency of 0: the stream
	 * is read by nothing else, so they are owed and made before the next
	 * draw that gives a latency (the same draws, in the same order).
	 */
	if (max == 0) {
		v->owed_zero_draws++;
		return 0;
	}
	return entry_latency_draw(v, max);
}

void kvm_vcpu_request(struct kvm_vcpu *v, uint32_t reqs, sim_ps now)
{
	struct kvm_vm *vm = v->vm;

	v->requests |= reqs;
	/* kvm_vcpu_kick(): a running vCPU exits and re-enters soon; a paused one waits. */
	if (vm->running && !sim_event_pending(&v->entry))
		sim_schedule(vm->q, &v->entry, sim_add_sat(now, entry_latency(v)));
}

/* kvm_make_request() on every vCPU but `self`, whose entry is servicing it now. */
static void request_all(struct kvm_vm *vm, uint32_t reqs, sim_ps now, struct kvm_vcpu *self)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		if (v == self)
			v->requests |= reqs;
		else
			kvm_vcpu_request(v, reqs, now);
	}
}

void kvm_update_masterclock(struct kvm_vm *vm, sim_ps now)
{
	bool matched = kvm_vcpus_matched(vm);
	bool was_master = vm->use_master_clock;
	uint64_t ns, tsc;
	bool host_tsc_clocksource = kvm_host_clock_and_tsc(vm, vm->vcpus[0].pcpu, now, &ns, &tsc);

	if (host_tsc_clocksource) {
		vm->master_kernel_ns = ns;
		vm->master_cycle_now = tsc;
	}
	vm->use_master_clock = host_tsc_clocksource && matched && !vm->backwards_tsc_observed;
	vm->masterclock_updates++;
	kvm_masterclock_reanchor(vm, was_master, now);
	if (sim_trace_wants(vm->trace, SIM_TRACE_MASTER_CLOCK)) {
		struct sim_trace_record rec = { .kind = SIM_TRACE_MASTER_CLOCK, .t_ps = now };

		rec.u.master = (struct sim_trace_master_clock){
			.vm = vm->index,
			.use_master_clock = vm->use_master_clock,
			.host_tsc = vm->master_cycle_now,
			.host_ns = vm->master_kernel_ns,
		};
		sim_trace_publish(vm->trace, &rec);
	}
}

/*
 * The page's system_time is kernel_ns + kvmclock_offset in u64 (and the
 * stale-page knob's lag): below 0 it wraps to ~2^64 ns, a kvmclock 584
 * years ahead (a "set_clock": "none" onto a host up for less time than the
 * source's offset takes away).  The model has no meaning for it: the run
 * stops, naming the vCPU, the instant and the quantities.
 */
static bool system_time_fits_slow(const struct kvm_vcpu *v, uint64_t kernel_ns, sim_ps now);

/* The usual case inline, in 64 bits: no lag, and the sum neither below 0 nor past 2^64 - 1. */
static inline bool system_time_fits(const struct kvm_vcpu *v, uint64_t kernel_ns, sim_ps now)
{
	const struct kvm_vm *vm = v->vm;

	if (!vm->stale_page_behind_ns &&
	    (vm->kvmclock_offset >= 0 ? kernel_ns <= UINT64_MAX - (uint64_t)vm->kvmclock_offset :
	     kernel_ns >= 0 - (uint64_t)vm->kvmclock_offset))
		return true;
	return system_time_fits_slow(v, kernel_ns, now);
}

static bool system_time_fits_slow(const struct kvm_vcpu *v, uint64_t kernel_ns, sim_ps now)
{
	const struct kvm_vm *vm = v->vm;
	sim_i128 ns = (sim_i128)kernel_ns + vm->kvmclock_offset;
	struct sim_diag err;
	char t[32];

	if (vm->stale_page_behind_ns && v->id == vm->stale_page_vcpu)
		ns -= vm->stale_page_behind_ns;
	if (ns >= 0 && ns <= (sim_i128)UINT64_MAX)
		return true;
	sim_diag_clear(&err);
	sim_diag_fail(&err, "vCPU %u's pvclock page at %s s on host \"%s\": system_time = host "
		      "clock %" PRIu64 " ns + kvmclock_offset %" PRId64 " ns%s is %s: kvmclock would "
		      "wrap (u64 in kvm_guest_time_update())", v->id, sim_format_seconds(t, now),
		      vm->host->name, kernel_ns, vm->kvmclock_offset,
		      vm->stale_page_behind_ns && v->id == vm->stale_page_vcpu ?
		      " - the stale page's lag" : "", ns < 0 ? "below 0" : "above 2^64 - 1");
	sim_eventq_fail(vm->q, &err);
	return false;
}

/* The page written by vm->page_writer (a plugin) from the pair KVM chose. */
static void foreign_time_update(struct kvm_vcpu *v, uint64_t host_tsc, uint64_t kernel_ns,
				sim_ps now)
{
	struct kvm_vm *vm = v->vm;

	/* the catch-up step moves the TSC offset: KVM's, before the arithmetic */
	(void)kvm_catchup(v, kernel_ns, kvm_read_l1_tsc(v, host_tsc), now);
	if (!vm->page_writer(vm->page_writer_ctx, v, host_tsc, kernel_ns, now))
		return;
	v->pvclock_set_guest_stopped_request = false;
	v->last_update_ps = now;
	v->clock_updates++;
	if (vm->page_hook)
		vm->page_hook(vm->page_hook_ctx, v, now);
}

/*
 * kvm_guest_time_update() and kvm_setup_guest_pvclock(): write the vCPU's
 * page (inline in both entries, the queued one and kvm_vcpu_request_last()).
 */
static inline __attribute__((always_inline)) void guest_time_update(struct kvm_vcpu *v,
								    sim_ps now)
{
	struct kvm_vm *vm = v->vm;
	struct pvclock_vcpu_time_info *p = &v->pvti;
	uint64_t host_tsc, kernel_ns, tgt_khz, guest_tsc;

	if (vm->use_master_clock) {
		host_tsc = vm->master_cycle_now;
		kernel_ns = vm->master_kernel_ns;
	} else {
		host_tsc = host_rdtsc(vm->host, v->pcpu, now);
		kernel_ns = kvm_host_clock_ns(vm, now);
	}

	/* the guest's TSC rate as KVM sees it: the host's tsc_khz through the ratio */
	tgt_khz = scale_tsc(vm, vm->host->tsc_khz, v->tsc_scaling_ratio);
	if (v->hw_tsc_khz != tgt_khz) {
		kvm_get_time_scale(SIM_NS_PER_S, tgt_khz * HZ_PER_KHZ, &v->hv_shift, &v->hv_mul);
		v->hw_tsc_khz = tgt_khz;
	}

	if (!system_time_fits(v, kernel_ns, now))
		return;
	if (vm->page_writer) {
		foreign_time_update(v, host_tsc, kernel_ns, now);
		return;
	}
	/* odd while writing, even once consistent */
	p->version = (p->version + 1) | 1;
	/* catch-up: the guest TSC jumps to where the requested rate puts it */
	guest_tsc = read_l1_tsc(v, host_tsc);
	p->tsc_timestamp = v->tsc_always_catchup ? kvm_catchup(v, kernel_ns, guest_tsc, now) :
			   guest_tsc;
	p->system_time = kernel_ns + (uint64_t)vm->kvmclock_offset;
	if (vm->stale_page_behind_ns && v->id == vm->stale_page_vcpu)
		p->system_time -= vm->stale_page_behind_ns;    /* bug knob: a lagging page */
	p->tsc_to_system_mul = v->hv_mul;
	p->tsc_shift = v->hv_shift;
	/*
	 * The stable bit only with the master clock (bug knob: always);
	 * kvm_setup_guest_pvclock(): PVCLOCK_GUEST_STOPPED stays until the guest
	 * clears it, and a KVM_KVMCLOCK_CTRL request adds it (then is done).
	 */
	p->flags = (uint8_t)((vm->use_master_clock || vm->stable_bit_always ?
			      PVCLOCK_TSC_STABLE_BIT : 0) |
			     (p->flags & PVCLOCK_GUEST_STOPPED) |
			     (v->pvclock_set_guest_stopped_request ? PVCLOCK_GUEST_STOPPED : 0));
	v->pvclock_set_guest_stopped_request = false;
	p->version++;

	v->last_update_ps = now;
	v->clock_updates++;
	if (vm->page_hook)
		vm->page_hook(vm->page_hook_ctx, v, now);
}

static bool take_request(struct kvm_vcpu *v, uint32_t req)
{
	bool set = (v->requests & req) != 0;

	v->requests &= ~req;
	return set;
}

/*
 * vcpu_enter_guest(): service requests in kvm_check_request() order (inline
 * in the entry's event and in kvm_vcpu_request_last()).
 */
static inline __attribute__((always_inline)) void enter(struct kvm_vcpu *v, sim_ps now)
{
	struct kvm_vm *vm = v->vm;

	if (!vm->running)
		return;
	/* a clock update alone (every clock update's kick): straight to the page */
	if (v->requests != KVM_REQ_CLOCK_UPDATE) {
		if (take_request(v, KVM_REQ_MASTERCLOCK_UPDATE)) {
			/* kvm_update_masterclock(): new pair, then every page follows it */
			kvm_update_masterclock(vm, now);
			request_all(vm, KVM_REQ_CLOCK_UPDATE, now, v);
		}
		if (take_request(v, KVM_REQ_GLOBAL_CLOCK_UPDATE)) {
			/* kvm_gen_kvmclock_update(): this vCPU now, the others after a delay */
			if (!sim_event_pending(&vm->update_work))
				sim_schedule(vm->q, &vm->update_work,
					     sim_add_sat(now, vm->update_delay_ps));
			v->requests |= KVM_REQ_CLOCK_UPDATE;
		}
	}
	if (take_request(v, KVM_REQ_CLOCK_UPDATE))
		guest_time_update(v, now);
}

static void vcpu_entry(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	enter(sim_container_of(ev, struct kvm_vcpu, entry), now);
}

/* kvm_vcpu_request_last() (inline in it and in kvm_vcpu_clock_kick_if_quiet()) */
static inline __attribute__((always_inline)) void request_last(struct kvm_vcpu *v, uint32_t reqs,
							       sim_ps now)
{
	struct kvm_vm *vm = v->vm;
	sim_ps latency_ps;

	v->requests |= reqs;
	if (!vm->running || sim_event_pending(&v->entry))
		return;
	/* kvm_vcpu_request()'s kick: the same draw */
	latency_ps = entry_latency(v);
	if (latency_ps)
		sim_schedule(vm->q, &v->entry, sim_add_sat(now, latency_ps));
	else if (sim_eventq_fire_now(vm->q, &v->entry))
		enter(v, now);
}

void kvm_vcpu_request_last(struct kvm_vcpu *v, uint32_t reqs, sim_ps now)
{
	request_last(v, reqs, now);
}

/*
 * Quiet: the entry, serviced at once, runs guest_time_update() alone with
 * no page hook, no foreign writer and no catch-up: it touches no queue.
 */
bool kvm_vcpu_clock_kick_if_quiet(struct kvm_vcpu *v, sim_ps now)
{
	const struct kvm_vm *vm = v->vm;

	if ((v->requests & ~KVM_REQ_CLOCK_UPDATE) || vm->page_hook || vm->page_writer ||
	    v->tsc_always_catchup)
		return false;
	request_last(v, KVM_REQ_CLOCK_UPDATE, now);
	return true;
}

/* kvmclock_update_fn(): every vCPU rewrites its page. */
static void update_work_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_vm *vm = sim_container_of(ev, struct kvm_vm, update_work);

	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_vcpu_request(&vm->vcpus[i], KVM_REQ_CLOCK_UPDATE, now);
}

/*
 * kvmclock_sync_fn(): queue the update work now (schedule_delayed_work() leaves
 * an already pending one where it is) and come back after the sync period.
 */
static void sync_work_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_vm *vm = sim_container_of(ev, struct kvm_vm, sync_work);
	sim_ps next = sim_add_sat(now, vm->sync_period_ps);

	if (!sim_event_pending(&vm->update_work))
		sim_schedule(q, &vm->update_work, now);
	if (next != SIM_NEVER)
		sim_schedule(q, &vm->sync_work, next);
}

void kvm_vcpu_write_tsc_offset(struct kvm_vcpu *v, sim_ps now, int64_t offset)
{
	v->tsc_offset = offset;
	kvm_trace_tsc_write(v, now);
}

void kvm_vcpu_move(struct kvm_vcpu *v, sim_ps now, unsigned pcpu)
{
	struct kvm_vm *vm = v->vm;
	uint32_t reqs = 0;
	bool adjusted = false;

	/* kvm_arch_vcpu_put() on the old pCPU */
	v->last_guest_tsc = kvm_vcpu_guest_tsc(v, now);

	/* kvm_arch_vcpu_load(): nothing to do on the same pCPU with a stable TSC */
	if (pcpu == v->pcpu && !kvm_host_tsc_unstable(vm))
		return;
	kvm_vcpu_set_pcpu(v, pcpu);
	if (kvm_host_tsc_unstable(vm)) {
		/* continue from where the guest TSC was on the old pCPU */
		int64_t offset = kvm_l1_tsc_offset_for(v, now, v->last_guest_tsc);

		if (offset != v->tsc_offset) {
			v->tsc_offset = offset;
			adjusted = true;
			kvm_trace_tsc_write(v, now);
		}
	}
	/*
	 * With the master clock the pages stay valid across pCPUs.  (A vCPU's
	 * first load, vcpu->cpu == -1, asks regardless: kvm_vm_init and
	 * kvm_vm_attach_host model it.)
	 */
	if (!vm->use_master_clock)
		reqs |= KVM_REQ_GLOBAL_CLOCK_UPDATE;
	if (adjusted)
		reqs |= KVM_REQ_CLOCK_UPDATE;
	if (reqs)
		kvm_vcpu_request(v, reqs, now);
	if (adjusted)
		kvm_track_tsc_matching(v, false, now);
}

void kvm_get_clock(struct kvm_vm *vm, sim_ps now, struct kvm_clock_data *out)
{
	*out = (struct kvm_clock_data){ 0 };
	if (vm->use_master_clock) {
		/* the master pair extrapolated with the host's TSC rate (__get_kvmclock) */
		struct pvclock_vcpu_time_info hv = { 0 };

		out->host_tsc = host_rdtsc(vm->host, vm->vcpus[0].pcpu, now);
		out->realtime = host_realtime_ns(vm->host, now);
		hv.tsc_timestamp = vm->master_cycle_now;
		hv.system_time = vm->master_kernel_ns + (uint64_t)vm->kvmclock_offset;
		kvm_get_time_scale(SIM_NS_PER_S, vm->host->tsc_khz * HZ_PER_KHZ, &hv.tsc_shift,
				   &hv.tsc_to_system_mul);
		out->clock = pvclock_read_cycles(&hv, out->host_tsc);
		out->flags = KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
	} else {
		out->clock = kvm_host_clock_ns(vm, now) + (uint64_t)vm->kvmclock_offset;
	}
}

bool kvm_set_clock(struct kvm_vm *vm, sim_ps now, const struct kvm_clock_data *data,
		   struct sim_diag *err)
{
	uint64_t clock = data->clock;
	uint64_t now_raw;

	if (data->flags & ~KVM_CLOCK_VALID_FLAGS)
		return sim_diag_fail(err, "KVM_SET_CLOCK: unsupported flags 0x%x",
				     (unsigned)(data->flags & ~KVM_CLOCK_VALID_FLAGS));

	kvm_update_masterclock(vm, now);
	if (data->flags & KVM_CLOCK_REALTIME) {
		/* add the realtime that passed since the source read the clock; never go back */
		uint64_t now_real = host_realtime_ns(vm->host, now);

		if (now_real > data->realtime)
			clock += now_real - data->realtime;
	}
	now_raw = vm->use_master_clock ? vm->master_kernel_ns : kvm_host_clock_ns(vm, now);
	vm->kvmclock_offset = (int64_t)(clock - now_raw);
	request_all(vm, KVM_REQ_CLOCK_UPDATE, now, NULL);
	return true;
}

void kvm_vm_pause(struct kvm_vm *vm, sim_ps now)
{
	vm->running = false;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		sim_cancel(vm->q, &vm->vcpus[i].entry);
		sim_cancel(vm->q, &vm->vcpus[i].exit_ev);
	}
}

void kvm_vm_resume(struct kvm_vm *vm, sim_ps now)
{
	vm->running = true;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		kvm_catchup_start(v, now);
		/* pending requests are serviced before any guest code at `now` */
		if (v->requests)
			sim_schedule(vm->q, &v->entry, now);
	}
	/* timer interrupts that expired meanwhile are injected at that first entry */
	kvm_lapic_vm_resumed(vm, now);
}

void kvm_vm_attach_host(struct kvm_vm *vm, struct host *host, const unsigned *pins)
{
	vm->host = host;
	/* the source's delayed update belongs to the source's KVM */
	sim_cancel(vm->q, &vm->update_work);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		sim_cancel(vm->q, &v->entry);
		sim_cancel(vm->q, &v->exit_ev);
		kvm_vcpu_set_pcpu(v, pins[i]);
		kvm_vcpu_set_tsc_ratio(v, kvm_default_tsc_scaling_ratio(vm));
		v->virtual_tsc_khz = host->tsc_khz;
		v->tsc_always_catchup = false;
		v->hw_tsc_khz = 0;
		/*
		 * Like a freshly created vCPU: its first entry rewrites the page,
		 * and its first load (vcpu->cpu == -1) asked for a global update.
		 */
		v->requests |= KVM_REQ_CLOCK_UPDATE | KVM_REQ_GLOBAL_CLOCK_UPDATE;
		kvm_trace_tsc_write(v, vm->q->now);
	}
	/* the master pair was the old host's: re-decide at the first entry */
	vm->use_master_clock = false;
	vm->vcpus[0].requests |= KVM_REQ_MASTERCLOCK_UPDATE;
	/* the destination's KVM has seen no TSC write from user space yet */
	vm->tsc_write_seen = false;
	vm->user_set_tsc = false;
}

/*
 * A new vCPU's first entry writes its page; a VM created just now also
 * carries its vCPUs' first-load request into those entries.
 */
static uint32_t first_load_requests(const struct kvm_params *p)
{
	return p->guest_uptime_ns == 0 ? KVM_REQ_CLOCK_UPDATE | KVM_REQ_GLOBAL_CLOCK_UPDATE :
	       KVM_REQ_CLOCK_UPDATE;
}

/* Created guest_uptime ago: its first loads' update work may still be pending. */
static void first_load_work(struct kvm_vm *vm, const struct kvm_params *p, sim_ps now)
{
	sim_ps age_ps;

	if (p->guest_uptime_ns == 0 || p->guest_uptime_ns >= SIM_NEVER / SIM_PS_PER_NS)
		return;
	age_ps = p->guest_uptime_ns * SIM_PS_PER_NS;
	if (age_ps < vm->update_delay_ps)
		sim_schedule(vm->q, &vm->update_work, now + (vm->update_delay_ps - age_ps));
}

void kvm_vm_set_trace(struct kvm_vm *vm, struct sim_trace *trace)
{
	vm->trace = trace;
}

static bool check_params(const struct kvm_params *p, const struct host *host,
			 const struct sim_eventq *q, sim_ps now, struct sim_diag *err)
{
	if ((unsigned)p->version >= KVM_VERSION_COUNT)
		return sim_diag_fail(err, "kvm: unknown KVM version %d", (int)p->version);
	if (p->vendor != KVM_VENDOR_VMX && p->vendor != KVM_VENDOR_SVM)
		return sim_diag_fail(err, "kvm: unknown vendor %d", (int)p->vendor);
	if (p->nvcpus == 0)
		return sim_diag_fail(err, "kvm: a VM needs at least one vCPU");
	if (!p->pins)
		return sim_diag_fail(err, "kvm: no pCPU pins given");
	for (unsigned i = 0; i < p->nvcpus; i++) {
		if (p->pins[i] >= host->ncpus)
			return sim_diag_fail(err, "kvm: vCPU %u pinned to CPU %u, but host %s has %u CPUs",
					     i, p->pins[i], host->name, host->ncpus);
	}
	if (now < q->now)
		return sim_diag_fail(err, "kvm: VM created in the past");
	return true;
}

bool kvm_vm_init(struct kvm_vm *vm, const struct kvm_params *p, struct host *host,
		 struct sim_eventq *q, sim_ps now, struct sim_diag *err)
{
	uint64_t age_ns, guest_tsc;

	*vm = (struct kvm_vm){ 0 };
	if (!check_params(p, host, q, now, err))
		return false;
	/* every vCPU starts a cache line (its layout, kvm.h) */
	vm->vcpus = sim_calloc_aligned(p->nvcpus, sizeof(*vm->vcpus), _Alignof(struct kvm_vcpu));
	if (!vm->vcpus)
		return sim_diag_fail(err, "kvm: out of memory");

	vm->version = p->version;
	vm->index = p->index;
	vm->trace = p->trace;
	vm->host = host;
	vm->q = q;
	vm->vendor = p->vendor;
	vm->nvcpus = p->nvcpus;
	vm->stable_bit_cpuid = p->stable_bit_cpuid;
	vm->sync_period_ps = p->sync_period_ps ? p->sync_period_ps : KVM_CLOCK_SYNC_PERIOD_PS;
	vm->update_delay_ps = p->update_delay_ps;
	vm->entry_latency_max_ps = p->entry_latency_max_ps;
	vm->has_tsc_control = !p->no_tsc_scaling;
	vm->stable_bit_always = p->stable_bit_always;
	vm->stale_page_vcpu = p->stale_page_vcpu;
	vm->stale_page_behind_ns = p->stale_page_behind_ns;
	vm->exit_period_ps = p->exit_period_ps ? p->exit_period_ps : CATCHUP_EXIT_PERIOD_PS;
	vm->clock_base = p->clock_base;
	vm->anchor = p->anchor;
	sim_event_init(&vm->sync_work, "kvm.sync_work", SIM_PRIO_HYPERVISOR, sync_work_fn);
	sim_event_init(&vm->update_work, "kvm.update_work", SIM_PRIO_HYPERVISOR, update_work_fn);

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];
		char stream[32];

		v->vm = vm;
		v->id = i;
		kvm_vcpu_set_pcpu(v, p->pins[i]);
		kvm_vcpu_set_tsc_ratio(v, kvm_default_tsc_scaling_ratio(vm));
		v->virtual_tsc_khz = host->tsc_khz;
		v->last_update_ps = SIM_NEVER;
		snprintf(v->entry_name, sizeof(v->entry_name), "kvm.vcpu%u.entry", i);
		sim_event_init(&v->entry, v->entry_name, SIM_PRIO_HYPERVISOR, vcpu_entry);
		snprintf(v->exit_name, sizeof(v->exit_name), "kvm.vcpu%u.exit", i);
		sim_event_init(&v->exit_ev, v->exit_name, SIM_PRIO_HYPERVISOR, kvm_catchup_exit);
		snprintf(stream, sizeof(stream), "kvm/vcpu%u", i);
		sim_rng_init(&v->rng, p->seed, stream);
		kvm_lapic_init(v);
	}

	/*
	 * The guest has been up for guest_uptime_ns at t = 0: its TSC (one
	 * matched offset, written while no vCPU runs) and kvmclock both say so.
	 * KVM wrote these (creation), not user space: user_set_tsc stays clear.
	 */
	age_ns = p->guest_uptime_ns + sim_to_ns(now);
	for (unsigned i = 0; p->guest_tsc_khz && i < vm->nvcpus; i++) {
		if (!kvm_vcpu_set_tsc_khz(&vm->vcpus[i], p->guest_tsc_khz, err)) {
			kvm_vm_finish(vm);
			return false;
		}
	}
	guest_tsc = sim_mul_div(age_ns, vm->vcpus[0].virtual_tsc_khz, PPM);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_synchronize_tsc(&vm->vcpus[i], now, guest_tsc, false);
	vm->kvmclock_offset = (int64_t)(age_ns - kvm_host_clock_ns(vm, now));
	kvm_update_masterclock(vm, now);

	vm->running = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_vcpu_request(&vm->vcpus[i], first_load_requests(p), now);
	first_load_work(vm, p, now);
	if (sim_add_sat(now, vm->sync_period_ps) != SIM_NEVER)
		sim_schedule(q, &vm->sync_work, now + vm->sync_period_ps);
	return true;
}

void kvm_vm_finish(struct kvm_vm *vm)
{
	if (!vm)
		return;
	if (vm->q) {
		sim_cancel(vm->q, &vm->sync_work);
		sim_cancel(vm->q, &vm->update_work);
		for (unsigned i = 0; i < vm->nvcpus; i++) {
			sim_cancel(vm->q, &vm->vcpus[i].entry);
			sim_cancel(vm->q, &vm->vcpus[i].exit_ev);
			kvm_lapic_finish(&vm->vcpus[i]);
		}
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nvcpus = 0;
	vm->running = false;
	vm->q = NULL;
}
