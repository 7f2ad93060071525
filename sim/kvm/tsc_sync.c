/*
 * KVM's TSC writes and rates, after arch/x86/kvm/x86.c (Linux 6.1 and 6.12):
 * kvm_synchronize_tsc() and __kvm_synchronize_tsc() (the one-second rule, the
 * write of 0, generations of matched vCPUs), kvm_track_tsc_matching(), the
 * KVM_VCPU_TSC_OFFSET attribute (kvm_arch_tsc_set_attr), kvm_set_tsc_khz()
 * and TSC catch-up (set_tsc_khz without TSC scaling, compute_guest_tsc() and
 * the catch-up step of kvm_guest_time_update()).
 *
 * Simplification: nsec_to_cycles() and compute_guest_tsc() use an exact
 * product where KVM uses a mult/shift pair (off by under a cycle per second).
 */
#include "sim/kvm/kvm_internal.h"

#define VMX_TSC_RATIO_MAX UINT64_MAX             /* KVM_VMX_TSC_MULTIPLIER_MAX */
#define SVM_TSC_RATIO_MAX 0x000000ffffffffffULL  /* SVM_TSC_RATIO_MAX */

static unsigned frac_bits(const struct kvm_vm *vm)
{
	return vm->vendor == KVM_VENDOR_SVM ? 32u : 48u;
}

static uint64_t max_ratio(const struct kvm_vm *vm)
{
	return vm->vendor == KVM_VENDOR_SVM ? SVM_TSC_RATIO_MAX : VMX_TSC_RATIO_MAX;
}

bool kvm_vcpus_matched(const struct kvm_vm *vm)
{
	return vm->nr_vcpus_matched_tsc + 1 == vm->nvcpus;
}

/*
 * kvm_track_tsc_matching(): ask for a master clock update when the master
 * clock must be switched on or off, or when a new TSC generation starts while
 * it is on (the snapshot must be taken after the new offset); before 6.7 also
 * on a write that joins the generation (struct kvm_behaviour).
 */
void kvm_track_tsc_matching(struct kvm_vcpu *v, bool new_generation, sim_ps now)
{
	struct kvm_vm *vm = v->vm;
	bool want = kvm_vcpus_matched(vm) && vm->host->clocksource == HOST_CS_TSC;
	bool ask;

	if (kvm_behaviour_of(vm)->matched_write_updates_masterclock)
		ask = vm->use_master_clock || want;
	else
		ask = (vm->use_master_clock && new_generation) || vm->use_master_clock != want;
	if (ask)
		kvm_vcpu_request(v, KVM_REQ_MASTERCLOCK_UPDATE, now);
}

/* __kvm_synchronize_tsc(): set the offset and keep the generation's books. */
static void set_synced_offset(struct kvm_vcpu *v, sim_ps now, int64_t offset, uint64_t value,
			      uint64_t ns, bool matched, bool user)
{
	struct kvm_vm *vm = v->vm;

	if (user)
		vm->user_set_tsc = true;
	vm->last_tsc_write = value;
	vm->last_tsc_nsec = ns;
	vm->last_tsc_khz = v->virtual_tsc_khz;
	vm->last_tsc_offset = offset;
	vm->tsc_write_seen = true;
	v->last_guest_tsc = value;
	v->tsc_offset = offset;
	if (!matched) {
		/* a new generation: its first write is what compute_guest_tsc() follows */
		vm->cur_tsc_generation++;
		vm->cur_tsc_nsec = ns;
		vm->cur_tsc_write = value;
		vm->cur_tsc_offset = offset;
		vm->nr_vcpus_matched_tsc = 0;
	} else if (v->this_tsc_generation != vm->cur_tsc_generation) {
		vm->nr_vcpus_matched_tsc++;
	}
	v->this_tsc_generation = vm->cur_tsc_generation;
	v->this_tsc_nsec = vm->cur_tsc_nsec;
	v->this_tsc_write = vm->cur_tsc_write;
	if (user) {
		v->user_tsc_writes++;
		v->user_tsc_write_result = kvm_vcpu_guest_tsc(v, now);
		v->user_tsc_write_matched = matched;
	}
	kvm_track_tsc_matching(v, !matched, now);
	/* after the request: a subscriber sees the update KVM has asked for */
	kvm_trace_tsc_write(v, now);
}

void kvm_synchronize_tsc(struct kvm_vcpu *v, sim_ps now, uint64_t value, bool user)
{
	struct kvm_vm *vm = v->vm;
	uint64_t ns = host_mono_ns(vm->host, now);
	uint64_t elapsed = ns - vm->last_tsc_nsec;
	uint64_t khz = v->virtual_tsc_khz;
	bool synchronizing = false, matched = false;
	int64_t offset = kvm_l1_tsc_offset_for(v, now, value);

	if (user)
		v->user_tsc_write_value = value;
	if (value == 0 || !user) {
		/*
		 * "A vCPU being created or reset": always an attempt to synchronise.
		 * KVM's own write at creation (kvm_arch_vcpu_postcreate) is 0; sim's
		 * VM may be created aged, so that write carries the age instead.
		 */
		synchronizing = true;
	} else if (vm->tsc_write_seen &&
		   (vm->user_set_tsc || !kvm_behaviour_of(vm)->slop_needs_user_set_tsc)) {
		/* within one second of cycles of what the previous write predicts now */
		uint64_t expected = vm->last_tsc_write + kvm_ns_to_guest_cycles(v, elapsed);
		uint64_t hz = khz * KVM_HZ_PER_KHZ;

		synchronizing = value < expected + hz && value + hz > expected;
	}

	if (synchronizing && vm->tsc_write_seen && khz == vm->last_tsc_khz) {
		if (!kvm_host_tsc_unstable(vm)) {
			/* a reliable TSC: reuse the generation's offset exactly */
			offset = vm->cur_tsc_offset;
		} else {
			/* an unstable TSC: add the elapsed time instead */
			value += kvm_ns_to_guest_cycles(v, elapsed);
			offset = kvm_l1_tsc_offset_for(v, now, value);
		}
		matched = true;
	}
	set_synced_offset(v, now, offset, value, ns, matched, user);
}

void kvm_vcpu_write_tsc(struct kvm_vcpu *v, sim_ps now, uint64_t value)
{
	kvm_synchronize_tsc(v, now, value, true);
}

void kvm_vcpu_set_tsc_offset(struct kvm_vcpu *v, sim_ps now, int64_t offset)
{
	struct kvm_vm *vm = v->vm;
	/* kvm_arch_tsc_set_attr(): matched only by an identical offset at the same rate */
	bool matched = vm->tsc_write_seen && v->virtual_tsc_khz == vm->last_tsc_khz &&
		       offset == vm->last_tsc_offset;
	uint64_t value = kvm_scale_tsc(vm, host_rdtsc(vm->host, v->pcpu, now),
				       v->tsc_scaling_ratio) + (uint64_t)offset;

	v->user_tsc_write_value = value;
	set_synced_offset(v, now, offset, value, host_mono_ns(vm->host, now), matched, true);
}

/* ---- rates and catch-up ---- */

/* The guest exits (a timer tick, an I/O): with catch-up, the next entry updates the clock. */
void kvm_catchup_exit(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct kvm_vcpu *v = sim_container_of(ev, struct kvm_vcpu, exit_ev);

	if (!v->vm->running || !v->tsc_always_catchup)
		return;
	kvm_vcpu_request(v, KVM_REQ_CLOCK_UPDATE, now);
	sim_schedule(q, &v->exit_ev, sim_add_sat(now, v->vm->exit_period_ps));
}

void kvm_catchup_start(struct kvm_vcpu *v, sim_ps now)
{
	struct kvm_vm *vm = v->vm;

	if (!v->tsc_always_catchup || !vm->running || sim_event_pending(&v->exit_ev))
		return;
	sim_schedule(vm->q, &v->exit_ev, sim_add_sat(now, vm->exit_period_ps));
}

uint64_t kvm_catchup(struct kvm_vcpu *v, uint64_t kernel_ns, uint64_t tsc_timestamp, sim_ps now)
{
	uint64_t tsc;

	/* without catch-up the page's timestamp is the TSC read: no division */
	if (!v->tsc_always_catchup)
		return tsc_timestamp;
	/* compute_guest_tsc(): the generation's write plus the requested rate since */
	tsc = v->this_tsc_write + kvm_ns_to_guest_cycles(v, kernel_ns - v->this_tsc_nsec);
	if ((int64_t)(tsc - tsc_timestamp) <= 0)
		return tsc_timestamp;
	/* adjust_tsc_offset_guest(): the guest TSC jumps forward to where it should be */
	v->tsc_offset += (int64_t)(tsc - tsc_timestamp);
	v->catchup_cycles += tsc - tsc_timestamp;
	kvm_trace_tsc_write(v, now);
	return tsc;
}

bool kvm_vcpu_set_tsc_khz(struct kvm_vcpu *v, uint64_t user_tsc_khz, struct sim_diag *err)
{
	struct kvm_vm *vm = v->vm;
	uint64_t host_khz = vm->host->tsc_khz;
	uint64_t max_guest_khz, thresh_lo, thresh_hi, ratio = kvm_default_tsc_scaling_ratio(vm);
	bool catchup = false;

	/* KVM_SET_TSC_KHZ with 0 means the host's rate */
	if (user_tsc_khz == 0)
		user_tsc_khz = host_khz;

	/* kvm_caps.max_guest_tsc_khz: the ioctl refuses anything at or above it */
	max_guest_khz = vm->has_tsc_control ? kvm_scale_tsc(vm, host_khz, max_ratio(vm)) :
			UINT32_MAX;
	if (max_guest_khz > UINT32_MAX)
		max_guest_khz = UINT32_MAX;
	if (user_tsc_khz >= max_guest_khz)
		return sim_diag_fail(err, "KVM_SET_TSC_KHZ: %llu kHz is not below the maximum "
				     "guest rate %llu kHz", (unsigned long long)user_tsc_khz,
				     (unsigned long long)max_guest_khz);

	/* adjust_tsc_khz(): within 250 ppm of the host the guest runs unscaled */
	thresh_lo = host_khz * (KVM_PPM - KVM_TSC_TOLERANCE_PPM) / KVM_PPM;
	thresh_hi = host_khz * (KVM_PPM + KVM_TSC_TOLERANCE_PPM) / KVM_PPM;
	if ((user_tsc_khz < thresh_lo || user_tsc_khz > thresh_hi) && !vm->has_tsc_control) {
		/* set_tsc_khz() without TSC scaling: catch up if faster, else refuse */
		if (user_tsc_khz < host_khz)
			return sim_diag_fail(err, "KVM_SET_TSC_KHZ: %llu kHz is below the host's "
					     "%llu kHz and the CPU cannot scale the TSC",
					     (unsigned long long)user_tsc_khz,
					     (unsigned long long)host_khz);
		catchup = true;
	} else if (user_tsc_khz < thresh_lo || user_tsc_khz > thresh_hi) {
		sim_u128 r = ((sim_u128)1 << frac_bits(vm)) * user_tsc_khz / host_khz;

		if (r == 0 || r >= max_ratio(vm))
			return sim_diag_fail(err, "KVM_SET_TSC_KHZ: invalid TSC scaling ratio for "
					     "%llu kHz on a %llu kHz host",
					     (unsigned long long)user_tsc_khz,
					     (unsigned long long)host_khz);
		ratio = (uint64_t)r;
	}
	kvm_vcpu_set_tsc_ratio(v, ratio);
	v->virtual_tsc_khz = user_tsc_khz;
	v->tsc_always_catchup = catchup;
	kvm_trace_tsc_write(v, vm->q->now);
	kvm_catchup_start(v, vm->q->now);
	return true;
}
