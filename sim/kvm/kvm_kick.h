/*
 * A kick as a handler's last step (sim/kvm/kvm.c), as the VMM's clock
 * updates post their requests: with the entry latency 0 the vCPU's entry is
 * at the same instant, right after that handler, so the handler may service
 * it itself and spare it a turn through the queue's "now" lane and run loop.
 */
#ifndef SIM_KVM_KVM_KICK_H
#define SIM_KVM_KVM_KICK_H

#include <stdbool.h>

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

/*
 * True when a KVM_REQ_CLOCK_UPDATE kick of v, serviced at once, writes v's
 * page and nothing else: no other request pending, no page hook, no plugin
 * page writer, no catch-up.  Such an entry queues, cancels and publishes
 * nothing (it may only fail the run, as any entry may), so a handler may kick
 * before its own re-arm without changing any order.
 */
bool kvm_vcpu_clock_kick_is_quiet(const struct kvm_vcpu *v);

#endif
