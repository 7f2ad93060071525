/*
 * Pause and snapshot/restore through the machine (sim/vmm/pause.c,
 * snapshot.c), the guest's timers on them (sim/guest/timers.h) and the
 * timer_live and disc_signal checks, with times worked out by hand on an
 * exact 2 GHz host (2 guest TSC cycles per ns, no crystal error).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/kvm/pvclock.h"
#include "tests/machine_rig.h"

#define MS(x) ((sim_ps)(x) * SIM_PS_PER_MS)

struct watch {
	char phases[16][16];
	unsigned nphases;
	sim_ps resume_ps;
	bool resumed;
	/* per vCPU: the first interrupt after the resume, and the last one before the stop */
	sim_ps first_after[2];
	sim_ps second_after[2];
	uint8_t flags_after[2];
	uint64_t kvmclock_after[2];
	uint64_t kvmclock_before[2];
	sim_ps last_before[2];
	unsigned fires[2];
};

static void on_rec(void *ctx, const struct sim_trace_record *rec)
{
	struct watch *w = ctx;

	if (rec->kind == SIM_TRACE_VMM_PHASE) {
		if (w->nphases < 16)
			snprintf(w->phases[w->nphases++], 16, "%s", rec->u.vmm.phase);
		if (strcmp(rec->u.vmm.phase, "resume") == 0) {
			w->resumed = true;
			w->resume_ps = rec->t_ps;
		}
		return;
	}
	if (rec->kind != SIM_TRACE_GUEST_TIMER || !rec->u.timer.fire || rec->u.timer.vcpu > 1)
		return;
	w->fires[rec->u.timer.vcpu]++;
	if (!w->resumed) {
		w->last_before[rec->u.timer.vcpu] = rec->t_ps;
		w->kvmclock_before[rec->u.timer.vcpu] = rec->u.timer.kvmclock_ns;
	} else if (w->first_after[rec->u.timer.vcpu] == 0) {
		w->first_after[rec->u.timer.vcpu] = rec->t_ps;
		w->flags_after[rec->u.timer.vcpu] = rec->u.timer.page_flags;
		w->kvmclock_after[rec->u.timer.vcpu] = rec->u.timer.kvmclock_ns;
	} else if (w->second_after[rec->u.timer.vcpu] == 0) {
		w->second_after[rec->u.timer.vcpu] = rec->t_ps;
	}
}

/* A 2-vCPU VM on an exact 2 GHz host, 100 ms deadline timers from t = 0, and `action`. */
static struct scenario *lifecycle(const char *action, const char *checks)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"name\": \"l\", \"duration\": \"12s\",\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
		 " \"guest_timers\": [{\"vcpus\": \"all\", \"mode\": \"deadline\", \"period\": \"100ms\"}],\n"
		 " %s,\n"
		 " \"host_checks\": [%s]}\n", action,
		 checks ? checks : "{\"check\": \"timer_live\", \"expect\": \"pass\"}");
	return parse(buf);
}

static void run_watched(struct scenario *s, struct watch *w, struct machine **out)
{
	struct sim_diag err;
	struct machine *m;

	memset(w, 0, sizeof(*w));
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) |
				      SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER), on_rec, w));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	*out = m;
}

/*
 * Snapshot at 1.04 s: the last interrupt was at 1.0 s, the deadline is
 * 1.1 s, 60 ms remain.  Restore 1 s after the capture, at R = 2.04 s:
 *   TSC before the deadline: fires at R + 60 ms = 2.1 s;
 *   the deadline before the TSC, new TSC 5 s behind: R + 5.06 s = 7.1 s;
 *   the deadline before the LVT mode: KVM drops it, the vCPU stays silent.
 */
static sim_ps first_fire_with_order(const char *order, const char *shift, const char *expect)
{
	char action[256], checks[128];
	struct scenario *s;
	struct machine *m;
	struct watch w;
	sim_ps t;

	snprintf(action, sizeof(action), "\"snapshots\": [{\"at\": \"1.04s\", \"gap\": \"1s\", "
		 "\"order\": %s%s}]", order, shift);
	snprintf(checks, sizeof(checks), "{\"check\": \"timer_live\", \"expect\": \"%s\"}", expect);
	s = lifecycle(action, checks);
	run_watched(s, &w, &m);
	cr_expect_eq(w.resume_ps, MS(2040));
	cr_expect_eq(w.last_before[0], MS(1000));
	cr_expect(machine_host_check_result(m, 0)->expectation_met, "%s: %s", order,
		  machine_host_check_result(m, 0)->first);
	t = w.first_after[0] ? w.first_after[0] : SIM_NEVER;
	cr_expect_eq(w.first_after[1] ? w.first_after[1] : SIM_NEVER, t, "both vCPUs alike");
	machine_destroy(m);
	scenario_destroy(s);
	return t;
}

Test(lifecycle, restore_orders_move_the_first_interrupt_by_hand)
{
	cr_expect_eq(first_fire_with_order("[\"tsc\", \"lapic\", \"tsc_deadline\", \"clock\"]",
					   ", \"tsc_shift\": \"-5s\"", "pass"), MS(2100));
	cr_expect_eq(first_fire_with_order("[\"lapic\", \"tsc_deadline\", \"tsc\", \"clock\"]",
					   ", \"tsc_shift\": \"-5s\"", "fail"), MS(7100));
	cr_expect_eq(first_fire_with_order("[\"tsc_deadline\", \"lapic\", \"tsc\", \"clock\"]",
					   ", \"tsc_shift\": \"-5s\"", "fail"), SIM_NEVER);
}

Test(lifecycle, snapshot_phases_follow_the_order)
{
	static const char *const want[] = {
		"pause", "capture", "restore", "clock", "tsc_deadline", "lapic", "tsc", "resume",
	};
	struct scenario *s = lifecycle("\"snapshots\": [{\"at\": \"1.04s\", \"capture_after\": "
				       "\"10ms\", \"gap\": \"1s\", \"order\": [\"clock\", "
				       "\"tsc_deadline\", \"lapic\", \"tsc\"]}]",
				       "{\"check\": \"timer_live\", \"expect\": \"fail\"}");
	struct machine *m;
	struct watch w;

	run_watched(s, &w, &m);
	cr_assert_eq(w.nphases, 8);
	for (unsigned i = 0; i < 8; i++)
		cr_expect_str_eq(w.phases[i], want[i], "phase %u", i);
	cr_expect_eq(w.resume_ps, MS(2050));
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * A 3 s pause from 1.04 s (kvmclock runs on): with KVM_KVMCLOCK_CTRL after
 * the pause or before the resume the first interrupt after the resume finds
 * the flag (the deadline, due at 1.1 s, fires at the resume, 4.04 s); never
 * called, no flag.
 */
static uint8_t flags_after_pause(const char *ctrl, sim_ps *first, int64_t *jump_ns)
{
	char action[160];
	struct scenario *s;
	struct machine *m;
	struct watch w;
	uint8_t f;

	snprintf(action, sizeof(action), "\"pauses\": [{\"at\": \"1.04s\", \"duration\": \"3s\", "
		 "\"kvmclock_ctrl\": \"%s\"}]", ctrl);
	s = lifecycle(action, NULL);
	run_watched(s, &w, &m);
	cr_expect(machine_host_check_result(m, 0)->expectation_met, "%s",
		  machine_host_check_result(m, 0)->first);
	*first = w.first_after[0];
	*jump_ns = (int64_t)(w.kvmclock_after[0] - w.kvmclock_before[0]);
	f = w.flags_after[0];
	machine_destroy(m);
	scenario_destroy(s);
	return f;
}

Test(lifecycle, pause_signals_the_stop_as_the_vmm_asks)
{
	sim_ps first;
	int64_t jump;

	cr_expect_neq(flags_after_pause("after_pause", &first, &jump) & PVCLOCK_GUEST_STOPPED, 0);
	cr_expect_eq(first, MS(4040), "due during the pause: injected at the resume");
	/* kvmclock ran on: from the 1.0 s interrupt to the 4.04 s one */
	cr_expect_eq(jump, 3040000000LL);
	cr_expect_neq(flags_after_pause("before_resume", &first, &jump) & PVCLOCK_GUEST_STOPPED, 0);
	cr_expect_eq(flags_after_pause("never", &first, &jump) & PVCLOCK_GUEST_STOPPED, 0);
}

/* QEMU's pause: KVM_GET_CLOCK at the stop, SET_CLOCK at the continue: no jump for the guest. */
Test(lifecycle, frozen_pause_hides_the_stop_from_kvmclock)
{
	struct scenario *s = lifecycle("\"pauses\": [{\"at\": \"1.04s\", \"duration\": \"3s\", "
				       "\"clock\": \"freeze\", \"kvmclock_ctrl\": \"never\"}]",
				       "{\"check\": \"disc_signal\", \"expect\": \"pass\"}");
	struct machine *m;
	struct watch w;

	run_watched(s, &w, &m);
	/* 1.0 s to the stop is 40 ms of kvmclock, the resume to the interrupt 0 */
	cr_expect_eq(w.kvmclock_after[0] - w.kvmclock_before[0], 40000000u);
	cr_expect(machine_host_check_result(m, 0)->expectation_met);
	machine_destroy(m);
	scenario_destroy(s);
}

/* disc_signal: a 30 s pause with kvmclock running and no ioctl is a soft-lockup risk. */
Test(lifecycle, disc_signal_names_the_unsignalled_jump)
{
	struct scenario *s;
	struct machine *m;
	const struct host_check_result *r;

	s = lifecycle("\"pauses\": [{\"at\": \"1.04s\", \"duration\": \"10s\", "
		      "\"kvmclock_ctrl\": \"never\"}]",
		      "{\"check\": \"disc_signal\", \"expect\": \"fail\", \"soft_lockup\": \"5s\"}");
	m = run(s);
	r = machine_host_check_result(m, 0);
	cr_expect(r->expectation_met);
	/* stop at 1.04 s, first interrupt at the resume (11.04 s): the jump is the 10 s pause */
	cr_expect_eq(r->worst, (int64_t)(10 * SIM_PS_PER_S));
	cr_expect_eq(r->violations, 2);
	cr_expect(strstr(r->first, "soft-lockup risk"), "%s", r->first);
	machine_destroy(m);
	scenario_destroy(s);
}

static void expect_load_error(const char *action, const char *msg)
{
	char text[2048];
	struct sim_diag err;

	snprintf(text, sizeof(text),
		 "{\"name\": \"l\", \"duration\": \"12s\",\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 2},\n %s,\n"
		 " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\"}]}\n", action);
	sim_diag_clear(&err);
	cr_expect_null(scenario_parse("l.json", text, strlen(text), &err), "%s", action);
	cr_expect(strstr(err.msg, msg), "%s: got \"%s\"", action, err.msg);
}

Test(lifecycle, loader_refuses_what_cannot_be)
{
	expect_load_error("\"snapshots\": [{\"at\": \"1s\", \"gap\": \"1s\", \"order\": [\"tsc\", "
			  "\"tsc\", \"lapic\", \"clock\"]}]", "duplicate restore step \"tsc\"");
	expect_load_error("\"snapshots\": [{\"at\": \"1s\", \"gap\": \"1s\", \"order\": [\"tsc\"]}]",
			  "expected exactly 4 restore steps");
	expect_load_error("\"guest_timers\": [{\"vcpus\": [0], \"mode\": \"deadline\", \"period\": "
			  "\"1ms\"}, {\"vcpus\": [1, 0], \"mode\": \"oneshot\", \"period\": \"1ms\"}]",
			  "vCPU 0 already has a guest timer");
	expect_load_error("\"pauses\": [{\"at\": \"1s\", \"duration\": \"2s\"}],\n \"snapshots\": "
			  "[{\"at\": \"2s\", \"gap\": \"1s\"}]", "already stopped then, by /pauses/0");
	expect_load_error("\"pauses\": [{\"at\": \"10s\", \"duration\": \"2s\"}]",
			  "not ending before the end of the run");
	expect_load_error("\"snapshots\": [{\"at\": \"1s\", \"gap\": \"1s\"}],\n \"guest_timers\": "
			  "[{\"vcpus\": \"all\", \"mode\": \"deadline\", \"period\": \"1ms\", "
			  "\"start\": \"1.5s\"}]", "already stopped then, by /snapshots/0");
}

/*
 * Count-down timers across a 3 s pause from 1.04 s: KVM's hrtimer runs on,
 * the expiry due at 1.1 s waits and is injected at the resume (4.04 s);
 * timer_live counts it from the resume, so lateness 0.  One-shot: re-armed
 * from there, next at 4.14 s.  Periodic: KVM's period keeps its phase
 * (4.1 s), the expiries during the pause coalesced into one interrupt.
 */
static void countdown_across_pause(const char *mode, sim_ps second)
{
	char text[1024];
	struct scenario *s;
	struct machine *m;
	struct watch w;
	const struct host_check_result *r;

	snprintf(text, sizeof(text),
		 "{\"name\": \"l\", \"duration\": \"6s\",\n"
		 " \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [{\"cpus\": 2}]}],\n"
		 " \"vm\": {\"host\": \"h\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
		 " \"guest_timers\": [{\"vcpus\": [0], \"mode\": \"%s\", \"period\": \"100ms\"}],\n"
		 " \"pauses\": [{\"at\": \"1.04s\", \"duration\": \"3s\"}],\n"
		 " \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\", "
		 "\"slack\": \"0s\"}]}\n", mode);
	s = parse(text);
	run_watched(s, &w, &m);
	r = machine_host_check_result(m, 0);
	cr_expect(r->expectation_met, "%s: %s", mode, r->first);
	cr_expect_eq(w.first_after[0], MS(4040), "%s", mode);
	cr_expect_eq(w.fires[1], 0, "no timer on vCPU 1");
	cr_expect_eq(r->worst, (int64_t)MS(100), "%s: one period of silence at most", mode);
	cr_expect_eq(w.second_after[0], second, "%s", mode);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(lifecycle, countdown_timers_wait_out_a_pause)
{
	countdown_across_pause("oneshot", MS(4140));
	countdown_across_pause("periodic", MS(4100));
}

/*
 * A restore on another host (3 GHz, the guest's TSC unscaled there) with the
 * TSC advanced by the 2 s gap: the deadline armed at 1.0 s for 1.1 s is 1.94 s
 * in the past for the advanced TSC, so it fires at the resume (3.04 s);
 * timer_live counts from the resume: lateness 0, and the guest's deadline
 * re-armed in its calibrated 2 GHz cycles keeps 100 ms of its own time.
 */
Test(lifecycle, restore_on_another_host_with_the_tsc_advanced)
{
	struct scenario *s = parse(
		"{\"name\": \"l\", \"duration\": \"6s\",\n"
		" \"hosts\": [{\"name\": \"a\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		"\"sockets\": [{\"cpus\": 2}]},\n"
		"  {\"name\": \"b\", \"tsc\": \"3GHz\", \"uptime\": \"2h\", \"sockets\": [{\"cpus\": 4}]}],\n"
		" \"vm\": {\"host\": \"a\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
		" \"guest_timers\": [{\"vcpus\": \"all\", \"mode\": \"deadline\", \"period\": \"100ms\"}],\n"
		" \"snapshots\": [{\"at\": \"1.04s\", \"gap\": \"2s\", \"to\": \"b\", \"tsc\": \"advance\","
		" \"clock\": \"realtime\", \"kvmclock_ctrl\": \"before_resume\"}],\n"
		" \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\", \"slack\": \"0s\"},\n"
		"  {\"check\": \"disc_signal\", \"expect\": \"pass\"}]}\n");
	struct machine *m;
	struct watch w;

	run_watched(s, &w, &m);
	cr_expect(machine_host_check_result(m, 0)->expectation_met, "%s",
		  machine_host_check_result(m, 0)->first);
	cr_expect(machine_host_check_result(m, 1)->expectation_met, "%s",
		  machine_host_check_result(m, 1)->first);
	cr_expect_eq(w.first_after[0], MS(3040));
	/*
	 * 100 ms of the guest's 2 GHz cycles on an unscaled 3 GHz TSC: KVM arms
	 * floor(2e8 / 3 GHz) = 66666666 ns later, 2 cycles short of the deadline
	 * (timer_live lets KVM's whole-ns rounding pass).
	 */
	cr_expect_eq(w.second_after[0], MS(3040) + 66666666000ULL);
	cr_expect_neq(w.flags_after[0] & PVCLOCK_GUEST_STOPPED, 0, "the 2 s step is signalled");
	/* kvmclock across the stop: 40 ms before it, 2 s of gap (realtime), 0 after */
	cr_expect_eq(w.kvmclock_after[0] - w.kvmclock_before[0], 2040000000u);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * A live migration carries the APIC timers the same way: stop at 1.04 s (the
 * deadline due at 1.1 s has 60 ms left), 300 ms of downtime, the TSC frozen
 * and written before the deadline at the destination: the interrupt comes
 * 60 ms after the resume, at 1.4 s, on time in guest terms.
 */
Test(lifecycle, migration_carries_the_deadline_after_the_tsc)
{
	struct scenario *s = parse(
		"{\"name\": \"l\", \"duration\": \"3s\",\n"
		" \"hosts\": [{\"name\": \"a\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", "
		"\"sockets\": [{\"cpus\": 2}]},\n"
		"  {\"name\": \"b\", \"tsc\": \"2GHz\", \"uptime\": \"2h\", \"sockets\": [{\"cpus\": 2}]}],\n"
		" \"vm\": {\"host\": \"a\", \"vcpus\": 2, \"uptime\": \"1h\"},\n"
		" \"guest_timers\": [{\"vcpus\": \"all\", \"mode\": \"deadline\", \"period\": \"100ms\"}],\n"
		" \"migrations\": [{\"at\": \"1.04s\", \"downtime\": \"300ms\", \"to\": \"b\"}],\n"
		" \"host_checks\": [{\"check\": \"timer_live\", \"expect\": \"pass\", \"slack\": \"0s\"}]}\n");
	struct machine *m;
	struct watch w;

	run_watched(s, &w, &m);
	cr_expect(machine_host_check_result(m, 0)->expectation_met, "%s",
		  machine_host_check_result(m, 0)->first);
	cr_expect_eq(w.resume_ps, MS(1340));
	cr_expect_eq(w.first_after[0], MS(1400));
	cr_expect_eq(w.first_after[1], MS(1400));
	cr_expect_eq(w.second_after[0], MS(1500));
	machine_destroy(m);
	scenario_destroy(s);
}
