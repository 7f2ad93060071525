/*
 * tsc_write: a TSC write by user space (the VMM's KVM_SET_MSRS on IA32_TSC,
 * host-initiated, or KVM_VCPU_TSC_OFFSET) must take effect: right after it,
 * the vCPU's guest TSC reads the value written, within `threshold` cycles.
 * KVM's kvm_synchronize_tsc() breaks that on purpose in two cases: a value
 * within one second of what the previous write predicts joins the current
 * TSC generation (the "UAPI baggage" of the one-second slop), and a value of
 * 0 always does ("a vCPU being created or reset"), so a reset's write of 0
 * leaves the TSC running (openvmm PR #4253).  Worst: the largest |read -
 * written|, in cycles.
 */
#include <inttypes.h>

#include "oracle/hw/host_check.h"
#include "sim/kvm/kvm.h"

#define TSC_WRITE_MAX_VCPUS KVM_MAX_VCPUS_MODELLED

struct tsc_write {
	uint64_t seen[TSC_WRITE_MAX_VCPUS];   /* each vCPU's writes already judged */
};

static void tsc_write_record(struct host_check *k, const struct sim_trace_record *rec)
{
	struct tsc_write *tw = k->state;
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	const struct kvm_vcpu *v;
	int64_t miss;

	if (rec->u.tsc.vcpu >= vm->nvcpus || rec->u.tsc.vcpu >= TSC_WRITE_MAX_VCPUS)
		return;
	v = &vm->vcpus[rec->u.tsc.vcpu];
	if (v->user_tsc_writes == tw->seen[v->id])
		return;
	tw->seen[v->id] = v->user_tsc_writes;
	r->samples++;
	miss = (int64_t)(v->user_tsc_write_result - v->user_tsc_write_value);
	if (hc_abs64(miss) > r->worst)
		r->worst = hc_abs64(miss);
	if ((uint64_t)hc_abs64(miss) <= k->cfg.tsc_write.threshold_cycles || r->violations++)
		return;
	r->first_ps = rec->t_ps;
	hc_put(r->first, sizeof(r->first),
	       "the VMM wrote %" PRIu64 " to vCPU %u's TSC, which reads %" PRIu64
	       " right after (%+" PRId64 " cycles): KVM %s and kept the offset of TSC generation %"
	       PRIu64, v->user_tsc_write_value, v->id,
	       v->user_tsc_write_result, miss,
	       v->user_tsc_write_value == 0 ?
	       "took the write of 0 as a vCPU reset to synchronise (kvm_synchronize_tsc)" :
	       "took the write as a synchronisation (within 1 s of what the last write predicts)",
	       v->this_tsc_generation);
	host_check_violation(k, rec->t_ps, v->id, miss);
}

static bool tsc_write_setup(struct host_check *k, struct sim_diag *err)
{
	return true;
}

static void tsc_write_finish(struct host_check *k, sim_ps end)
{
	const struct kvm_vm *vm = host_check_env(k)->vm;
	struct host_check_result *r = &k->r;
	uint64_t matched = 0;

	(void)end;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		matched += vm->vcpus[i].user_tsc_writes && vm->vcpus[i].user_tsc_write_matched;
	r->evaluated = true;
	r->passed = r->violations == 0;
	hc_put(r->note, sizeof(r->note),
	       "%" PRIu64 " TSC writes by the VMM; %" PRIu64 " vCPUs' last write synchronised; "
	       "TSC generation %" PRIu64 ", master clock %s", r->samples, matched,
	       vm->cur_tsc_generation, vm->use_master_clock ? "on" : "off");
}

const struct host_check_ops host_check_tsc_write_ops = {
	.kind = HOST_CHECK_TSC_WRITE,
	.state_size = sizeof(struct tsc_write),
	.setup = tsc_write_setup,
	.trace_mask = SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE),
	.record = tsc_write_record,
	.finish = tsc_write_finish,
};
