/*
 * A kick as a handler's last step (sim/kvm/kvm.c), as the VMM's clock
 * updates post their requests: with the entry latency 0 the vCPU's entry is
 * at the same instant, right after that handler, so the handler may service
 * it itself and spare it a turn through the queue's "now" lane and run loop.
 * KVM's behaviour is the one modelled in kvm.c (kvm_vcpu_kick(), then
 * vcpu_enter_guest() servicing the requests in kvm_check_request() order;
 * arch/x86/kvm/x86.c, 6.1 and 6.12): only the way the simulator fires the
 * entry's event changes, not what it does or when.
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
 * When a KVM_REQ_CLOCK_UPDATE kick of v, serviced at once, would write v's
 * page and nothing else (no other request pending, no page hook, no plugin
 * page writer, no catch-up): kvm_vcpu_request_last(v, KVM_REQ_CLOCK_UPDATE,
 * now), and true.  Such an entry queues, cancels and publishes nothing (it
 * may only fail the run, as any entry may), so a handler may kick so before
 * its own re-arm without changing any order.  Else nothing, and false.
 */
bool kvm_vcpu_clock_kick_if_quiet(struct kvm_vcpu *v, sim_ps now);

#endif
