/* A "ticks" reader's clock from the scenario (tick_setup.h). */
#include "sim/machine/tick_setup.h"

#include "sim/core/platform_clocks.h"

_Static_assert((int)SCN_TICK_DISCARD == (int)TICK_POLICY_DISCARD &&
	       (int)SCN_TICK_DELAY == (int)TICK_POLICY_DELAY &&
	       (int)SCN_TICK_MERGE == (int)TICK_POLICY_MERGE &&
	       (int)SCN_TICK_SLEW == (int)TICK_POLICY_SLEW &&
	       (int)SCN_TICK_POLICY_COUNT == (int)TICK_POLICY_COUNT, "one list of lost-tick policies");
_Static_assert(SCN_MAX_STALLS + SCN_MAX_PAUSES + SCN_MAX_SNAPSHOTS + SCN_MAX_MIGRATIONS <=
	       TICK_MAX_OUTAGES, "every stall and every stop of the VM is an outage");
_Static_assert(SCN_MAX_TIME_SYNCS <= TICK_MAX_SYNCS, "every sync steps the clock");

/*
 * Adds [from, to) to a sorted list of disjoint spans, merging what it
 * overlaps or touches; what[] (may be NULL) names each span's first cause.
 */
static void add_span(struct tick_outage *spans, const char **what, unsigned *n, sim_ps from,
		     sim_ps to, const char *cause)
{
	unsigned i = 0, j;

	if (to <= from)
		return;
	while (i < *n && spans[i].to_ps < from)
		i++;
	for (j = i; j < *n && spans[j].from_ps <= to; j++) {
		cause = what && spans[j].from_ps <= from ? what[j] : cause;
		from = spans[j].from_ps < from ? spans[j].from_ps : from;
		to = spans[j].to_ps > to ? spans[j].to_ps : to;
	}
	/* spans[i..j) merge into one at i */
	if (j == i) {
		for (unsigned k = *n; k > i; k--) {
			spans[k] = spans[k - 1];
			if (what)
				what[k] = what[k - 1];
		}
		(*n)++;
	} else {
		for (unsigned k = j; k < *n; k++) {
			spans[i + 1 + k - j] = spans[k];
			if (what)
				what[i + 1 + k - j] = what[k];
		}
		*n -= j - i - 1;
	}
	spans[i] = (struct tick_outage){ from, to };
	if (what)
		what[i] = cause;
}

/*
 * The VM's stops, in true time: a pause from `at` for its duration, a
 * snapshot from its pause to its restore (capture_after + gap), a
 * migration's downtime.  vCPU 0 takes no interrupt in any of them.
 */
static void vm_stops(const struct scn_vm *s, struct tick_outage *spans, const char **what,
		     unsigned *n)
{
	for (unsigned i = 0; i < s->npauses; i++)
		add_span(spans, what, n, s->pauses[i].at_ps,
			 s->pauses[i].at_ps + s->pauses[i].duration_ps, "pause");
	for (unsigned i = 0; i < s->nsnapshots; i++) {
		const struct scn_snapshot *sn = &s->snapshots[i];

		add_span(spans, what, n, sn->at_ps, sn->at_ps + sn->capture_ps + sn->gap_ps, "snapshot");
	}
	for (unsigned i = 0; i < s->nmigrations; i++)
		add_span(spans, what, n, s->migrations[i].at_ps,
			 s->migrations[i].at_ps + s->migrations[i].downtime_ps, "migration");
}

static struct sim_freq tick_rate(const struct scn_reader *sr)
{
	struct sim_freq f = { sr->tick_hz, 1 };

	/*
	 * Linux programs channel 0 in mode 2 with LATCH = (PIT_TICK_RATE + HZ/2)
	 * / HZ (include/linux/i8253.h, PIT_LATCH); the board's PIT counts at
	 * 105/88 MHz (sim/devices/pit.c), so a tick is LATCH of those cycles.
	 */
	if (sr->tick_source == SCN_TICK_PIT)
		sim_freq_make(SIM_PIT_FREQ_NUM,
			      (uint64_t)SIM_PIT_FREQ_DEN * ((SIM_PIT_FREQ_HZ + sr->tick_hz / 2) / sr->tick_hz),
			      &f);
	return f;
}

struct tick_clock_config machine_tick_config(const struct scenario *s, const struct scn_reader *sr)
{
	struct tick_clock_config c = { 0 };
	struct tick_delivery *d = &c.delivery;
	struct tick_outage spans[TICK_MAX_OUTAGES];
	const char *what[TICK_MAX_OUTAGES];
	unsigned nspans = 0;
	const struct scn_vm *vm;

	if (sr->kind != READER_TICKS)
		return c;
	vm = &s->vms[sr->vm];           /* a ticks reader runs in a VM (the board's: the first) */
	d->rate = tick_rate(sr);
	d->policy = (enum tick_policy)sr->tick_policy;
	d->nohz = sr->nohz;
	c.compensate = sr->compensate;
	d->inject_interval_ps = sr->inject_interval_ps;
	d->slew_rate = sr->slew_rate;
	/*
	 * The ticks go to vCPU 0 (the IOAPIC's destination, the BSP).  Its
	 * stalls are outages: the VMM process stops, the VM's run state and so
	 * its time base do not (SIGSTOP), and the devices raise ticks on.  The
	 * VM's stops (vm_stop(): pause, snapshot, migration) are outages on a
	 * board on host time, whose PIT and RTC raise ticks nobody takes; on a
	 * board on the VM's time base the devices stop with the VM (QEMU's
	 * devices run on QEMU_CLOCK_VIRTUAL, and kvm-pit saves its state at the
	 * stop and reloads it against that clock at the continue,
	 * hw/i386/kvm/i8254.c kvm_pit_vm_state_change()): no tick falls due
	 * and none is missed.  The APIC timer is KVM's, not the board's: its
	 * hrtimer runs on host time whoever owns the board.
	 */
	if (vm->board_vm && sr->tick_source != SCN_TICK_APIC)
		vm_stops(vm, d->stops, NULL, &d->nstops);
	else
		vm_stops(vm, spans, what, &nspans);
	for (unsigned i = 0; i < vm->nstalls; i++) {
		const struct scn_stall *st = &vm->stalls[i];
		bool vcpu0 = st->all;

		for (unsigned k = 0; k < st->nvcpus && !vcpu0; k++)
			vcpu0 = st->vcpus[k] == 0;
		if (vcpu0)
			add_span(spans, what, &nspans, st->at_ps, st->at_ps + st->duration_ps,
				 "stall");
	}
	/* outages on the device's time: a stall while the board stood still misses nothing */
	for (unsigned i = 0; i < nspans; i++)
		add_span(d->outages, d->outage_what, &d->noutages,
			 tick_device_time(d, spans[i].from_ps), tick_device_time(d, spans[i].to_ps),
			 what[i]);
	c.nsyncs = vm->ntime_syncs;
	for (unsigned i = 0; i < vm->ntime_syncs; i++)
		c.sync_ps[i] = vm->time_syncs[i].at_ps;
	return c;
}
