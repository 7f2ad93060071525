/*
 * clock_update_walk: a staggered master clock update's walk over the vCPUs,
 * from a vCPU other than 0 so that it wraps, over two rounds.  By the
 * scenario format (docs/scenario-format.md, "clock_updates"), the k-th vCPU
 * counted from `vcpu` writes its page k x stagger after the round's
 * request; with entry latency 0 the page is written at that very instant,
 * and every page write and request counts as an event as it did when the
 * entry was its own queued event.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

#define MS_PS SIM_PS_PER_MS
#define NV 5u

struct pages {
	unsigned n;
	unsigned vcpu[64];
	sim_ps t_ps[64];
};

static void on_page(void *ctx, const struct sim_trace_record *rec)
{
	struct pages *p = ctx;

	/* the VM's own first entries at 0 s are not the update's */
	if (rec->t_ps < 500 * MS_PS)
		return;
	cr_assert_lt(p->n, 64u);
	p->vcpu[p->n] = rec->u.pvclock.vcpu;
	p->t_ps[p->n++] = rec->t_ps;
}

/* A run of text; the machine reads its scenario until destroyed: free both with done(). */
struct ran {
	struct scenario *s;
	struct machine *m;
};

static void done(struct ran r)
{
	machine_destroy(r.m);
	scenario_destroy(r.s);
}

/* Runs text; with p, every page write is recorded there (a trace subscriber takes pages). */
static struct ran run(const char *text, struct pages *p)
{
	struct sim_diag err;
	struct scenario *s;
	struct machine *m;

	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	if (p)
		cr_assert(sim_trace_subscribe(machine_trace(m),
					      SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE), on_page, p));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	return (struct ran){ s, m };
}

/* something to check: a read each second, at 0.3 s and 1.3 s, away from the updates */
#define READER \
	"  \"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"1s\",\n" \
	"    \"phase\": \"300ms\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"

#define SCENARIO(vcpu) \
	"{ \"name\": \"t\", \"duration\": \"1500ms\",\n" \
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n" \
	"    \"sockets\": [ { \"cpus\": 5 } ] } ],\n" \
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 5, \"entry_latency\": \"0s\" },\n" READER \
	"  \"clock_updates\": [ { \"at\": \"1s\", \"request\": \"masterclock\", \"vcpu\": " vcpu ",\n" \
	"    \"stagger\": \"10ms\", \"every\": \"100ms\", \"count\": 2 } ] }\n"

Test(clock_update_walk, wraps_from_its_vcpu_each_round)
{
	struct pages p = { 0 };
	struct ran w = run(SCENARIO("3"), &p);

	cr_assert_eq(p.n, 2 * NV, "%u page writes", p.n);
	for (unsigned r = 0; r < 2; r++)
		for (unsigned k = 0; k < NV; k++) {
			unsigned i = r * NV + k;

			cr_expect_eq(p.vcpu[i], (3 + k) % NV, "round %u, step %u: vCPU %u", r, k,
				     p.vcpu[i]);
			cr_expect_eq(p.t_ps[i], (1000 + 100 * r + 10 * k) * MS_PS,
				     "round %u, step %u at %" PRIu64 " ps", r, k, p.t_ps[i]);
		}
	done(w);
}

/* A reader that reads between the steps (every 3 ms from 1 ms), or one away from them. */
#define BUSY_READER \
	"  \"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"3ms\",\n" \
	"    \"phase\": \"1ms\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"

#define HOST_VM \
	"{ \"name\": \"t\", \"duration\": \"1500ms\",\n" \
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n" \
	"    \"sockets\": [ { \"cpus\": 5 } ] } ],\n" \
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 5, \"entry_latency\": \"0s\" },\n"

#define UPDATES \
	"  \"clock_updates\": [ { \"at\": \"1s\", \"request\": \"masterclock\", \"vcpu\": 3,\n" \
	"    \"stagger\": \"10ms\", \"every\": \"100ms\", \"count\": 2 } ] }\n"

/*
 * With nobody taking page writes (no trace: each step's entry only writes
 * its page), steps with nothing between them run from the round's first
 * event; each vCPU's last page is still its step of the second round, each
 * page write counts once, and each step adds two events (the update's and
 * the entry's) to the same VM without the update: 2 rounds of 5 steps add
 * 20 events, with a reader between the steps or not.
 */
static void walk_untraced(const char *reader)
{
	char with[2048], bare[2048];
	struct ran r, rb;
	const struct kvm_vm *vm, *vmb;

	snprintf(with, sizeof(with), HOST_VM "%s" UPDATES, reader);
	snprintf(bare, sizeof(bare), HOST_VM "%s  \"host_checks\": [] }\n", reader);
	r = run(with, NULL);
	rb = run(bare, NULL);
	vm = machine_vm(r.m, 0);
	vmb = machine_vm(rb.m, 0);
	for (unsigned k = 0; k < NV; k++) {
		unsigned i = (3 + k) % NV;

		cr_expect_eq(vm->vcpus[i].last_update_ps, (1100 + 10 * k) * MS_PS,
			     "vCPU %u's last page at %" PRIu64 " ps", i, vm->vcpus[i].last_update_ps);
		cr_expect_eq(vm->vcpus[i].clock_updates, vmb->vcpus[i].clock_updates + 2, "vCPU %u", i);
	}
	cr_expect_eq(machine_events(r.m), machine_events(rb.m) + 4 * NV, "%" PRIu64 " and %" PRIu64,
		     machine_events(r.m), machine_events(rb.m));
	done(r);
	done(rb);
}

Test(clock_update_walk, untraced_steps_alone)
{
	walk_untraced(READER);
}

Test(clock_update_walk, untraced_steps_between_reads)
{
	walk_untraced(BUSY_READER);
}
