/*
 * Guest timers on HPET comparators: a guest kernel's HPET clockevent, as
 * Linux's arch/x86/kernel/hpet.c (6.12) programs it through the board's MMIO
 * bus, each access at the bus's cost:
 * - one-shot (hpet_clkevt_set_state_oneshot, hpet_clkevt_set_next_event):
 *   Tn_CONF gets INT_ENB and 32MODE; each arming reads the main counter,
 *   writes counter + delta to the comparator and, with the "linux" check,
 *   reads the counter again: fewer than HPET_MIN_CYCLES (128) ticks ahead
 *   means -ETIME, and the clockevents core re-programs with the minimum
 *   delta (clockevents_program_min_delta(), kernel/time/clockevents.c;
 *   HPET_MIN_PROG_DELTA = 192 ticks), up to 10 times.  With the "none"
 *   check (a guest without that rule) a write that lands past its target
 *   matches only after the 32-bit comparator wraps: 2^32 ticks later.
 *   Re-armed from each interrupt, like a `sleep` loop;
 * - periodic (hpet_clkevt_set_state_periodic): the main counter is halted,
 *   Tn_CONF gets INT_ENB, TYPE (periodic), VAL_SET and 32MODE, the
 *   comparator counter + delta, 1 us later the period delta (the second
 *   write, Tn_VAL_SET_CNF now clear, sets the increment), and the counter
 *   restarts.  A delta of 0 is written as it comes: the device's period is
 *   then a whole 32-bit wrap (IA-PC HPET 1.0a 2.3.9.1), never a livelock.
 * The guest enables the counter (ENABLE_CNF) if it was halted.  Routes:
 * LegacyReplacement (timers 0 and 1: IRQ0 and IRQ8; Linux's boot
 * clockevent) or an I/O APIC pin from Tn_INT_ROUTE_CAP (the lowest one no
 * other comparator here took), or FSB delivery (Tn_FSB_EN_CNF, the message's
 * value naming the comparator), with or without first checking
 * Tn_FSB_INT_DEL_CAP (nanovms/nanos PR #1224: a guest that sets FSB_EN
 * without the capability, as on ESXi or QEMU without hpet.msi=true, gets no
 * interrupt: the device ignores the bit and drives Tn_INT_ROUTE_CNF's pin
 * 0; the fix falls back to an I/O APIC pin).  The interrupt reaches the guest on its vCPU
 * while that vCPU runs; one taken while the VM or the vCPU is stopped, or
 * while the guest is in the middle of programming it (interrupts off), is
 * pending until then.  Records are SIM_TRACE_GUEST_TIMER with hpet_timer =
 * comparator + 1 and the counts timer_live judges lateness by.
 */
#ifndef SIM_GUEST_HPET_TIMERS_H
#define SIM_GUEST_HPET_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/trace.h"
#include "sim/devices/platform.h"
#include "sim/kvm/kvm.h"

#define HPET_TIMERS_MIN_CYCLES 128u       /* Linux HPET_MIN_CYCLES */
#define HPET_TIMERS_MIN_PROG_DELTA 192u   /* Linux HPET_MIN_PROG_DELTA: 1.5 x HPET_MIN_CYCLES */
#define HPET_TIMERS_MAX_RETRIES 10u       /* clockevents_program_min_delta()'s loop */

enum hpet_timer_route {
	HPET_ROUTE_IOAPIC,                /* "ioapic": Tn_INT_ROUTE_CNF to a pin */
	HPET_ROUTE_LEGACY,                /* "legacy": LEG_RT_CNF, timers 0 and 1 only */
	HPET_ROUTE_FSB,                   /* "fsb": Tn_FSB_EN_CNF, capability unchecked */
	HPET_ROUTE_FSB_OR_IOAPIC,         /* "fsb_or_ioapic": FSB if Tn_FSB_INT_DEL_CAP, else a pin */
	HPET_ROUTE_COUNT
};

struct hpet_timer_params {
	unsigned vcpu;                    /* whose handler takes the interrupt */
	unsigned timer;                   /* the comparator, below the board's timer count */
	bool periodic;
	sim_ps period_ps;                 /* one-shot: the delay; periodic: the period (0 allowed) */
	sim_ps start_ps;                  /* when the guest first programs it */
	enum hpet_timer_route route;
	bool check;                       /* Linux's re-read and -ETIME rule */
	/*
	 * One-shot: every preempt_every-th arming (1st, 2nd, ...; 0: none) the
	 * vCPU loses preempt_ps between the counter read and the comparator
	 * write (the host deschedules it at the read's exit).  Retries are not
	 * armings.
	 */
	sim_ps preempt_ps;
	unsigned preempt_every;
};

struct hpet_timers;

/*
 * The comparators in p (each at most once) on vm's vCPUs, through the HPET
 * of pf; first programmed at their start_ps on vm->q.  NULL with err on bad
 * parameters (no HPET, a comparator twice or out of range, a route the
 * device lacks, a vCPU out of range, a one-shot delay of 0).
 */
struct hpet_timers *hpet_timers_create(struct kvm_vm *vm, struct platform *pf,
				       const struct hpet_timer_params *p, unsigned n,
				       struct sim_trace *trace, struct sim_diag *err);
void hpet_timers_destroy(struct hpet_timers *g);

/* An edge on the board's intercept line (the machine's IRQ router listener). */
void hpet_timers_irq(struct hpet_timers *g, unsigned line, bool level, sim_ps now);

/* The VM (vcpu < 0) or one vCPU stops or runs again: pending interrupts go in when it runs. */
void hpet_timers_running(struct hpet_timers *g, int vcpu, bool running, sim_ps now);

/* Interrupts the guest took from comparator n so far. */
uint64_t hpet_timers_fires(const struct hpet_timers *g, unsigned timer);

/* -ETIME retries so far on comparator n (the "linux" check only). */
uint64_t hpet_timers_retries(const struct hpet_timers *g, unsigned timer);

#endif
