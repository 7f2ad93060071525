/* The guest TSCs across a stop (carry.h). */
#include "sim/vmm/carry.h"

#include "sim/kvm/vcpu_state.h"

#define PPM 1000000ULL

void vmm_save_tscs(const struct kvm_vm *vm, sim_ps now, uint64_t saved[])
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		saved[i] = kvm_vcpu_guest_tsc(&vm->vcpus[i], now);
}

uint64_t vmm_realtime_elapsed_ns(const struct host *dst, sim_ps now, uint64_t saved_realtime_ns)
{
	uint64_t real = host_realtime_ns(dst, now);

	return real > saved_realtime_ns ? real - saved_realtime_ns : 0;
}

void vmm_restore_tscs(struct kvm_vm *vm, sim_ps now, const uint64_t saved[], uint64_t elapsed_ns,
		      const int64_t *shift_cycles)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];
		/* The guest TSC advances at the guest's own rate for the elapsed time. */
		uint64_t advance = sim_mul_div(elapsed_ns, v->virtual_tsc_khz, PPM);
		uint64_t value = saved[i] + advance;

		if (shift_cycles)
			value += (uint64_t)shift_cycles[i];
		kvm_vcpu_write_tsc(v, now, value);
	}
}

int64_t vmm_cycles_of_ns(int64_t ns, uint64_t tsc_khz)
{
	uint64_t mag = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;
	uint64_t c = sim_mul_div(mag, tsc_khz, PPM);

	return ns < 0 ? -(int64_t)c : (int64_t)c;
}

void vmm_save_timers(const struct kvm_vm *vm, struct vmm_timer_image img[])
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		const struct kvm_vcpu *v = &vm->vcpus[i];

		img[i] = (struct vmm_timer_image){
			.mode = v->lapic.mode,
			.period_ns = v->lapic.period_ns,
			.tsc_deadline = kvm_lapic_read_tscdeadline(v),
		};
	}
}

void vmm_restore_lapics(struct kvm_vm *vm, const struct vmm_timer_image img[], sim_ps now)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct kvm_vcpu *v = &vm->vcpus[i];

		kvm_lapic_set_mode(v, img[i].mode, now);
		if (img[i].mode != KVM_LAPIC_TSC_DEADLINE && img[i].period_ns)
			kvm_lapic_start_count(v, img[i].period_ns, now);
	}
}

void vmm_restore_deadlines(struct kvm_vm *vm, const struct vmm_timer_image img[], sim_ps now)
{
	for (unsigned i = 0; i < vm->nvcpus; i++)
		kvm_lapic_write_tscdeadline(&vm->vcpus[i], img[i].tsc_deadline, now);
}
