/*
 * KVM's clock side, after arch/x86/kvm/x86.c: TSC offset and scaling
 * (kvm_scale_tsc, kvm_set_tsc_khz, kvm_synchronize_tsc), the master clock
 * (pvclock_update_vm_gtod_copy), the per-vCPU pvclock page
 * (kvm_guest_time_update), the requests serviced at VM entry, the periodic
 * kvmclock sync work, and KVM_GET_CLOCK / KVM_SET_CLOCK.
 *
 * Simplifications: a vCPU "enters" only to service requests (one event per
 * burst of requests, after a seeded latency); the host TSC is "unstable" (in
 * KVM's kvm_check_tsc_unstable() sense) exactly when !host->tsc_synchronized;
 * vCPUs count as matched when their offsets and ratios are equal rather than
 * through KVM's generation counter; no TSC catch-up.  The guest-stopped bit
 * and the APIC timer are in vcpu_state.c.
 *
 * Versions (kvm_version.h) differ only in kvm_track_tsc_matching(); the
 * first-load global clock update is the same in 6.1 and 6.12 (and in kvm/queue
 * as of 6.16-rc5).  docs/architecture.md, "KVM versions", has the list.
 */
#include "sim/kvm/kvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/kvm/vcpu_state.h"

#define VMX_TSC_FRAC_BITS 48u
#define SVM_TSC_FRAC_BITS 32u
#define VMX_TSC_RATIO_MAX UINT64_MAX             /* KVM_VMX_TSC_MULTIPLIER_MAX */
#define SVM_TSC_RATIO_MAX 0x000000ffffffffffULL  /* SVM_TSC_RATIO_MAX */
#define PPM 1000000ULL
#define HZ_PER_KHZ 1000ULL

/* What differs between the modelled KVM versions: one row per version. */
struct kvm_behaviour {
	/*
	 * kvm_track_tsc_matching() asks for a master clock update on every TSC
	 * write while the master clock is on or could be, even one that joins
	 * the current generation; 6.7 stopped that (c52ffadc65e2, "KVM: x86:
	 * Don't unnecessarily force masterclock update on vCPU hotplug").
	 */
	bool matched_write_updates_masterclock;
};

static const struct kvm_behaviour behaviours[] = {
	[KVM_VERSION_6_1] = { .matched_write_updates_masterclock = true },
	[KVM_VERSION_6_12] = { .matched_write_updates_masterclock = false },
};
_Static_assert(sizeof(behaviours) / sizeof(behaviours[0]) == KVM_VERSION_COUNT,
	       "one behaviour row per KVM version");

static unsigned frac_bits(const struct kvm_vm *vm)
{
	return vm->vendor == KVM_VENDOR_SVM ? SVM_TSC_FRAC_BITS : VMX_TSC_FRAC_BITS;
}

static uint64_t max_ratio(const struct kvm_vm *vm)
{
	return vm->vendor == KVM_VENDOR_SVM ? SVM_TSC_RATIO_MAX : VMX_TSC_RATIO_MAX;
}

uint64_t kvm_default_tsc_scaling_ratio(const struct kvm_vm *vm)
{
	return 1ULL << frac_bits(vm);
}

uint64_t kvm_scale_tsc(const struct kvm_vm *vm, uint64_t tsc, uint64_t ratio)
{
	if (ratio == kvm_default_tsc_scaling_ratio(vm))
		return tsc;
	/* mul_u64_u64_shr(): the low 64 bits of the shifted 128-bit product */
	return (uint64_t)(((sim_u128)tsc * ratio) >> frac_bits(vm));
}

uint64_t kvm_read_l1_tsc(const struct kvm_vcpu *v, uint64_t host_tsc)
{
	return kvm_scale_tsc(v->vm, host_tsc, v->tsc_scaling_ratio) + (uint64_t)v->tsc_offset;
}

uint64_t kvm_vcpu_guest_tsc(const struct kvm_vcpu *v, sim_ps now)
{
	return kvm_read_l1_tsc(v, host_rdtsc(v->vm->host, v->pcpu, now));
}

/* kvm_compute_l1_tsc_offset(): the offset that makes the guest TSC read `target` now. */
static int64_t l1_tsc_offset_for(const struct kvm_vcpu *v, sim_ps now, uint64_t target)
{
	uint64_t scaled = kvm_scale_tsc(v->vm, host_rdtsc(v->vm->host, v->pcpu, now),
					v->tsc_scaling_ratio);

	return (int64_t)(target - scaled);
}

/* nsec_to_cycles() at the vCPU's rate (KVM uses a mult/shift pair for the same). */
static uint64_t ns_to_guest_cycles(const struct kvm_vcpu *v, uint64_t ns)
{
	return sim_mul_div(ns, v->virtual_tsc_khz, PPM);
}

/* A SIM_TRACE_TSC_WRITE record of v's offset and ratio, if anyone listens. */
static void trace_tsc_write(const struct kvm_vcpu *v, sim_ps now)
{
	struct sim_trace_record rec;

	if (!sim_trace_wants(v->vm->trace, SIM_TRACE_TSC_WRITE))
		return;
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_TSC_WRITE, .t_ps = now };
	rec.u.tsc = (struct sim_trace_tsc_write){
		.vm = 0,
		.vcpu = v->id,
		.offset = v->tsc_offset,
		.ratio = v->tsc_scaling_ratio,
		.ratio_frac_bits = frac_bits(v->vm),
	};
	sim_trace_publish(v->vm->trace, &rec);
}

static bool host_tsc_unstable(const struct kvm_vm *vm)
{
	return !vm->host->tsc_synchronized;
}

/* Every vCPU's guest TSC is the same function of the host TSC. */
static bool vcpus_matched(const struct kvm_vm *vm)
{
	for (unsigned i = 1; i < vm->nvcpus; i++) {
		if (vm->vcpus[i].tsc_offset != vm->vcpus[0].tsc_offset ||
		    vm->vcpus[i].tsc_scaling_ratio != vm->vcpus[0].tsc_scaling_ratio)
			return false;
	}
	return true;
}

static sim_ps entry_latency(struct kvm_vcpu *v)
{
	sim_ps max = v->vm->entry_latency_max_ps;

	if (max == UINT64_MAX)
		return sim_rng_next(&v->rng);
	return sim_rng_below(&v->rng, max + 1);
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
	bool matched = vcpus_matched(vm);
	uint64_t ns, tsc;
	bool host_tsc_clocksource = host_mono_and_tsc(vm->host, vm->vcpus[0].pcpu, now, &ns, &tsc);

	if (host_tsc_clocksource) {
		vm->master_kernel_ns = ns;
		vm->master_cycle_now = tsc;
	}
	vm->use_master_clock = host_tsc_clocksource && matched;
	vm->masterclock_updates++;
	if (sim_trace_wants(vm->trace, SIM_TRACE_MASTER_CLOCK)) {
		struct sim_trace_record rec = { .kind = SIM_TRACE_MASTER_CLOCK, .t_ps = now };

		rec.u.master = (struct sim_trace_master_clock){
			.vm = 0,
			.use_master_clock = vm->use_master_clock,
			.host_tsc = vm->master_cycle_now,
			.host_ns = vm->master_kernel_ns,
		};
		sim_trace_publish(vm->trace, &rec);
	}
}

/*
 * kvm_track_tsc_matching(): ask for a master clock update when the master
 * clock must be switched on or off, or when a new TSC generation starts while
 * it is on (the snapshot must be taken after the new offset); before 6.7 also
 * on a write that joins the generation (struct kvm_behaviour).
 */
static void track_tsc_matching(struct kvm_vcpu *v, bool new_generation, sim_ps now)
{
	struct kvm_vm *vm = v->vm;
	bool want = vcpus_matched(vm) && vm->host->clocksource == HOST_CS_TSC;
	bool ask;

	if (behaviours[vm->version].matched_write_updates_masterclock)
		ask = vm->use_master_clock || want;
	else
		ask = (vm->use_master_clock && new_generation) || vm->use_master_clock != want;
	if (ask)
		kvm_vcpu_request(v, KVM_REQ_MASTERCLOCK_UPDATE, now);
}

/* kvm_guest_time_update() and kvm_setup_guest_pvclock(): write the vCPU's page. */
static void guest_time_update(struct kvm_vcpu *v, sim_ps now)
{
	struct kvm_vm *vm = v->vm;
	struct pvclock_vcpu_time_info *p = &v->pvti;
	uint64_t host_tsc, kernel_ns, tgt_khz;

	if (vm->use_master_clock) {
		host_tsc = vm->master_cycle_now;
		kernel_ns = vm->master_kernel_ns;
	} else {
		host_tsc = host_rdtsc(vm->host, v->pcpu, now);
		kernel_ns = host_mono_ns(vm->host, now);
	}

	/* the guest's TSC rate as KVM sees it: the host's tsc_khz through the ratio */
	tgt_khz = kvm_scale_tsc(vm, vm->host->tsc_khz, v->tsc_scaling_ratio);
	if (v->hw_tsc_khz != tgt_khz) {
		kvm_get_time_scale(SIM_NS_PER_S, tgt_khz * HZ_PER_KHZ, &v->hv_shift, &v->hv_mul);
		v->hw_tsc_khz = tgt_khz;
	}

	/* odd while writing, even once consistent */
	p->version = (p->version + 1) | 1;
	p->tsc_timestamp = kvm_read_l1_tsc(v, host_tsc);
	p->system_time = kernel_ns + (uint64_t)vm->kvmclock_offset;
	p->tsc_to_system_mul = v->hv_mul;
	p->tsc_shift = v->hv_shift;
	/*
	 * kvm_setup_guest_pvclock(): PVCLOCK_GUEST_STOPPED stays until the guest
	 * clears it, and a KVM_KVMCLOCK_CTRL request adds it (then is done).
	 */
	p->flags = (uint8_t)((vm->use_master_clock ? PVCLOCK_TSC_STABLE_BIT : 0) |
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

/* vcpu_enter_guest(): service requests in kvm_check_request() order. */
static void vcpu_entry(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_vcpu *v = sim_container_of(ev, struct kvm_vcpu, entry);
	struct kvm_vm *vm = v->vm;

	if (!vm->running)
		return;
	if (take_request(v, KVM_REQ_MASTERCLOCK_UPDATE)) {
		/* kvm_update_masterclock(): new pair, then every page follows it */
		kvm_update_masterclock(vm, now);
		request_all(vm, KVM_REQ_CLOCK_UPDATE, now, v);
	}
	if (take_request(v, KVM_REQ_GLOBAL_CLOCK_UPDATE)) {
		/* kvm_gen_kvmclock_update(): this vCPU now, the others after a delay */
		if (!sim_event_pending(&vm->update_work))
			sim_schedule(q, &vm->update_work, sim_add_sat(now, vm->update_delay_ps));
		v->requests |= KVM_REQ_CLOCK_UPDATE;
	}
	if (take_request(v, KVM_REQ_CLOCK_UPDATE))
		guest_time_update(v, now);
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

bool kvm_vcpu_set_tsc_khz(struct kvm_vcpu *v, uint64_t user_tsc_khz, struct sim_diag *err)
{
	struct kvm_vm *vm = v->vm;
	uint64_t host_khz = vm->host->tsc_khz;
	uint64_t max_guest_khz, thresh_lo, thresh_hi, ratio;

	/* KVM_SET_TSC_KHZ with 0 means the host's rate */
	if (user_tsc_khz == 0)
		user_tsc_khz = host_khz;

	/* kvm_caps.max_guest_tsc_khz: the ioctl refuses anything at or above it */
	max_guest_khz = kvm_scale_tsc(vm, host_khz, max_ratio(vm));
	if (max_guest_khz > UINT32_MAX)
		max_guest_khz = UINT32_MAX;
	if (user_tsc_khz >= max_guest_khz)
		return sim_diag_fail(err, "KVM_SET_TSC_KHZ: %llu kHz is not below the maximum "
				     "guest rate %llu kHz", (unsigned long long)user_tsc_khz,
				     (unsigned long long)max_guest_khz);

	/* adjust_tsc_khz(): within 250 ppm of the host the guest runs unscaled */
	thresh_lo = host_khz * (PPM - KVM_TSC_TOLERANCE_PPM) / PPM;
	thresh_hi = host_khz * (PPM + KVM_TSC_TOLERANCE_PPM) / PPM;
	if (user_tsc_khz < thresh_lo || user_tsc_khz > thresh_hi) {
		sim_u128 r = ((sim_u128)1 << frac_bits(vm)) * user_tsc_khz / host_khz;

		if (r == 0 || r >= max_ratio(vm))
			return sim_diag_fail(err, "KVM_SET_TSC_KHZ: invalid TSC scaling ratio for "
					     "%llu kHz on a %llu kHz host",
					     (unsigned long long)user_tsc_khz,
					     (unsigned long long)host_khz);
		ratio = (uint64_t)r;
	} else {
		ratio = kvm_default_tsc_scaling_ratio(vm);
	}
	v->tsc_scaling_ratio = ratio;
	v->virtual_tsc_khz = user_tsc_khz;
	trace_tsc_write(v, vm->q->now);
	return true;
}

void kvm_vcpu_write_tsc(struct kvm_vcpu *v, sim_ps now, uint64_t value)
{
	struct kvm_vm *vm = v->vm;
	uint64_t ns = host_mono_ns(vm->host, now);
	uint64_t elapsed = ns - vm->last_tsc_nsec;
	uint64_t khz = v->virtual_tsc_khz;
	bool matched = false;
	int64_t offset;

	if (vm->tsc_write_seen && khz == vm->last_tsc_khz && elapsed < SIM_NS_PER_S) {
		/* what the previous write predicts now, and one second of slop */
		uint64_t expected = vm->last_tsc_write + ns_to_guest_cycles(v, elapsed);
		int64_t diff = (int64_t)(value - expected);
		uint64_t dist = diff < 0 ? 0 - (uint64_t)diff : (uint64_t)diff;

		matched = dist < khz * HZ_PER_KHZ;
	}

	if (matched && !host_tsc_unstable(vm)) {
		/* a reliable TSC: reuse the generation's offset exactly */
		offset = vm->cur_tsc_offset;
	} else if (matched) {
		/* an unstable TSC: add the elapsed time instead (KVM does the same) */
		value += ns_to_guest_cycles(v, elapsed);
		offset = l1_tsc_offset_for(v, now, value);
	} else {
		offset = l1_tsc_offset_for(v, now, value);
		vm->cur_tsc_offset = offset;
	}

	/* __kvm_synchronize_tsc() */
	vm->last_tsc_write = value;
	vm->last_tsc_nsec = ns;
	vm->last_tsc_khz = khz;
	vm->tsc_write_seen = true;
	v->last_guest_tsc = value;
	v->tsc_offset = offset;
	trace_tsc_write(v, now);
	track_tsc_matching(v, !matched, now);
}

void kvm_vcpu_move(struct kvm_vcpu *v, sim_ps now, unsigned pcpu)
{
	struct kvm_vm *vm = v->vm;
	uint32_t reqs = 0;
	bool adjusted = false;

	/* kvm_arch_vcpu_put() on the old pCPU */
	v->last_guest_tsc = kvm_vcpu_guest_tsc(v, now);

	/* kvm_arch_vcpu_load(): nothing to do on the same pCPU with a stable TSC */
	if (pcpu == v->pcpu && !host_tsc_unstable(vm))
		return;
	v->pcpu = pcpu;
	if (host_tsc_unstable(vm)) {
		/* continue from where the guest TSC was on the old pCPU */
		int64_t offset = l1_tsc_offset_for(v, now, v->last_guest_tsc);

		if (offset != v->tsc_offset) {
			v->tsc_offset = offset;
			adjusted = true;
			trace_tsc_write(v, now);
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
		track_tsc_matching(v, false, now);
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
		out->clock = host_mono_ns(vm->host, now) + (uint64_t)vm->kvmclock_offset;
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
	now_raw = vm->use_master_clock ? vm->master_kernel_ns : host_mono_ns(vm->host, now);
	vm->kvmclock_offset = (int64_t)(clock - now_raw);
	request_all(vm, KVM_REQ_CLOCK_UPDATE, now, NULL);
	return true;
}

void kvm_vm_pause(struct kvm_vm *vm, sim_ps now)
{
	vm->running = false;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		sim_cancel(vm->q, &vm->vcpus[i].entry);
}

void kvm_vm_resume(struct kvm_vm *vm, sim_ps now)
{
	vm->running = true;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

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
		v->pcpu = pins[i];
		v->tsc_scaling_ratio = kvm_default_tsc_scaling_ratio(vm);
		v->virtual_tsc_khz = host->tsc_khz;
		v->hw_tsc_khz = 0;
		/*
		 * Like a freshly created vCPU: its first entry rewrites the page,
		 * and its first load (vcpu->cpu == -1) asked for a global update.
		 */
		v->requests |= KVM_REQ_CLOCK_UPDATE | KVM_REQ_GLOBAL_CLOCK_UPDATE;
		trace_tsc_write(v, vm->q->now);
	}
	/* the master pair was the old host's: re-decide at the first entry */
	vm->use_master_clock = false;
	vm->vcpus[0].requests |= KVM_REQ_MASTERCLOCK_UPDATE;
	vm->tsc_write_seen = false;
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
	vm->vcpus = calloc(p->nvcpus, sizeof(*vm->vcpus));
	if (!vm->vcpus)
		return sim_diag_fail(err, "kvm: out of memory");

	vm->version = p->version;
	vm->trace = p->trace;
	vm->host = host;
	vm->q = q;
	vm->vendor = p->vendor;
	vm->nvcpus = p->nvcpus;
	vm->stable_bit_cpuid = p->stable_bit_cpuid;
	vm->sync_period_ps = p->sync_period_ps ? p->sync_period_ps : KVM_CLOCK_SYNC_PERIOD_PS;
	vm->update_delay_ps = p->update_delay_ps;
	vm->entry_latency_max_ps = p->entry_latency_max_ps;
	sim_event_init(&vm->sync_work, "kvm.sync_work", SIM_PRIO_HYPERVISOR, sync_work_fn);
	sim_event_init(&vm->update_work, "kvm.update_work", SIM_PRIO_HYPERVISOR, update_work_fn);

	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];
		char stream[32];

		v->vm = vm;
		v->id = i;
		v->pcpu = p->pins[i];
		v->tsc_scaling_ratio = kvm_default_tsc_scaling_ratio(vm);
		v->virtual_tsc_khz = host->tsc_khz;
		v->last_update_ps = SIM_NEVER;
		snprintf(v->entry_name, sizeof(v->entry_name), "kvm.vcpu%u.entry", i);
		sim_event_init(&v->entry, v->entry_name, SIM_PRIO_HYPERVISOR, vcpu_entry);
		snprintf(stream, sizeof(stream), "kvm/vcpu%u", i);
		sim_rng_init(&v->rng, p->seed, stream);
		kvm_lapic_init(v);
	}

	/*
	 * The guest has been up for guest_uptime_ns at t = 0: its TSC (one
	 * matched offset, written while no vCPU runs) and kvmclock both say so.
	 */
	age_ns = p->guest_uptime_ns + sim_to_ns(now);
	guest_tsc = sim_mul_div(age_ns, host->tsc_khz, PPM);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_vcpu_write_tsc(&vm->vcpus[i], now, guest_tsc);
	vm->kvmclock_offset = (int64_t)(age_ns - host_mono_ns(host, now));
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
			kvm_lapic_finish(&vm->vcpus[i]);
		}
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nvcpus = 0;
	vm->running = false;
	vm->q = NULL;
}
