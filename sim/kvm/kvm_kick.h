/*
 * A kick as a handler's last step (sim/kvm/kvm.c), as the VMM's clock
 * updates post their requests: with the entry latency 0 the vCPU's entry is
 * at the same instant, right after that handler, so the handler may service
 * it itself and spare it a turn through the queue's "now" lane and run loop.
 */
#ifndef SIM_KVM_KVM_KICK_H
#define SIM_KVM_KVM_KICK_H

#include "sim/kvm/kvm.h"

/*
 * kvm_vcpu_request() called by an event's handler as its last step (after
 * its own re-arm, if any: it reads nothing the request changes).  An entry
 * at `now` (latency 0) that the queue would fire next
 * (sim_eventq_fire_now) is serviced at once, counted as fired at `now`;
 * any other entry is queued, as kvm_vcpu_request() does.  The same draws,
 * effects and order of firing as kvm_vcpu_request() followed by the return.
 */
void kvm_vcpu_request_last(struct kvm_vcpu *v, uint32_t reqs, sim_ps now);

#endif
