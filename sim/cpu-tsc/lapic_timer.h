/*
 * Local APIC timer (Intel SDM vol. 3A, 11.5.4 "APIC Timer" and 11.5.4.1
 * "TSC-Deadline Mode"; 10.5.4 in older editions): one-shot, periodic and
 * TSC-deadline modes behind the LVT timer, initial count, current count and
 * divide configuration registers, plus IA32_TSC_DEADLINE (MSR 0x6E0).
 *
 * Nothing ticks.  The current count is a function of `now` anchored at the
 * last load; one event stands for the next expiry that delivers an interrupt.
 * The TSC is seen only through callbacks (in a VM: the guest TSC).  Without
 * ARAT (CPUID.06H:EAX[2]) a C-state deeper than C1 freezes the count-down and
 * holds back the deadline timer until exit.  Simplified: delivery status
 * always reads idle; the interrupt goes to a callback, not through the APIC's
 * IRR/ISR.  See docs/clocks.md, "Local APIC timer".
 */
#ifndef SIM_CPU_TSC_LAPIC_TIMER_H
#define SIM_CPU_TSC_LAPIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/event.h"
#include "sim/core/simtime.h"

/* xAPIC MMIO offsets (SDM vol. 3A, table 11-1); x2APIC MSR = 0x800 + (offset >> 4). */
#define LAPIC_TIMER_LVT 0x320u           /* LVT Timer Register */
#define LAPIC_TIMER_ICR 0x380u           /* Initial Count Register */
#define LAPIC_TIMER_CCR 0x390u           /* Current Count Register (RO) */
#define LAPIC_TIMER_DCR 0x3e0u           /* Divide Configuration Register */

#define LAPIC_MSR_TSC_DEADLINE 0x6e0u    /* IA32_TSC_DEADLINE */

/* LVT timer fields (SDM vol. 3A, figure 11-8 "Local Vector Table"). */
#define LAPIC_LVT_VECTOR_MASK 0xffu      /* bits 7:0 */
#define LAPIC_LVT_DELIVERY_STATUS (1u << 12)  /* RO: 1 = send pending */
#define LAPIC_LVT_MASKED (1u << 16)
#define LAPIC_LVT_TIMER_MODE_SHIFT 17    /* bits 18:17 */
#define LAPIC_LVT_TIMER_MODE_MASK (3u << LAPIC_LVT_TIMER_MODE_SHIFT)
#define LAPIC_LVT_TIMER_ONESHOT (0u << LAPIC_LVT_TIMER_MODE_SHIFT)
#define LAPIC_LVT_TIMER_PERIODIC (1u << LAPIC_LVT_TIMER_MODE_SHIFT)
#define LAPIC_LVT_TIMER_TSC_DEADLINE (2u << LAPIC_LVT_TIMER_MODE_SHIFT)
#define LAPIC_LVT_TIMER_WRITABLE \
	(LAPIC_LVT_VECTOR_MASK | LAPIC_LVT_MASKED | LAPIC_LVT_TIMER_MODE_MASK)
#define LAPIC_LVT_RESET LAPIC_LVT_MASKED /* value after reset: 0001 0000H */

/* Divide configuration: bits 0, 1 and 3 (bit 2 reserved); SDM figure 11-10. */
#define LAPIC_DCR_WRITABLE 0xbu

/* How the timer sees the CPU's TSC: in a VM the guest TSC (offset and scaling applied). */
struct lapic_tsc_ops {
	/* The TSC value at now. */
	uint64_t (*read)(void *ctx, sim_ps now);
	/* Earliest time >= now at which the TSC reads at least value; SIM_NEVER if never. */
	sim_ps (*time_of)(void *ctx, uint64_t value, sim_ps now);
	void *ctx;
};

/* Timing of delivered interrupts, for the oracle. */
struct lapic_timer_stats {
	uint64_t fires;            /* interrupts delivered to the fire callback */
	uint64_t late_fires;       /* of which after their due time */
	sim_ps last_due_ps;        /* when the last delivered expiry was due */
	sim_ps last_fire_ps;       /* when it was delivered */
	sim_ps max_late_ps;        /* max of fire - due over all deliveries */
};

struct lapic_timer;

/*
 * Receives one timer interrupt.  Called from the timer's event at the exact
 * picosecond of the expiry, after the timer's state is updated, so it may
 * reprogram the timer.
 */
typedef void lapic_timer_fire_fn(void *ctx, const struct lapic_timer *t, uint8_t vector,
				 sim_ps now);

struct lapic_timer {
	const char *name;          /* e.g. "cpu0.lapic-timer"; also the event's name */
	struct sim_eventq *q;
	struct sim_freq clk;       /* core crystal or bus clock, before the divider */
	struct lapic_tsc_ops tsc;
	bool arat;                 /* CPUID.06H:EAX[2]: runs on in deep C-states */
	lapic_timer_fire_fn *fire;
	void *fire_ctx;

	uint32_t lvt;              /* LVT timer, writable bits only */
	uint32_t dcr;              /* divide configuration, bits 0, 1, 3 */
	uint32_t icr;              /* initial count as written */

	/*
	 * Count-down (one-shot and periodic).  While `counting`, the timer has
	 * used e0 + ticks_in(now - anchor_ps) cycles of clk since it held
	 * count0 (e0 < divide), and one count goes per `divide` cycles.  While
	 * stopped in a C-state, `now` is replaced by stop_ps.
	 */
	bool counting;             /* false: current count reads 0 */
	uint32_t count0;           /* count at the anchor, 1..2^32-1 */
	uint64_t e0;               /* clk cycles already used at anchor_ps */
	sim_ps anchor_ps;
	sim_ps lost_ps;            /* time frozen in C-states since the last load */
	uint64_t delivered;        /* last expiry (decrement number) delivered; 0: none */
	uint64_t ev_target;        /* expiry the queued event stands for */

	/* TSC-deadline mode. */
	uint64_t deadline;         /* IA32_TSC_DEADLINE while armed, else 0 */
	sim_ps deadline_due_ps;    /* when the TSC reaches it, as of arming */

	/* C-state residency. */
	unsigned cstate;           /* 0 = C0 (running) */
	bool stopped;              /* in a C-state > C1 without ARAT */
	sim_ps stop_ps;            /* when stopped began (or a load while stopped) */

	sim_ps due_ps;             /* due time of the queued expiry */
	struct sim_event expiry;   /* the next expiry that delivers, or a masked deadline's disarm */
	struct lapic_timer_stats stats;
};

/*
 * Builds a timer in its reset state (LVT masked one-shot, divide by 2,
 * counts 0, deadline 0) whose events go on q.  timer_clk is the clock before
 * the divider.  tsc, name and the callbacks' contexts must outlive the timer;
 * fire may be NULL (interrupts are counted, then dropped).
 */
void lapic_timer_init(struct lapic_timer *t, const char *name, struct sim_eventq *q,
		      struct sim_freq timer_clk, const struct lapic_tsc_ops *tsc, bool arat,
		      lapic_timer_fire_fn *fire, void *fire_ctx);

/* Cancels the pending expiry.  Accepts NULL or a zeroed timer. */
void lapic_timer_finish(struct lapic_timer *t);

/*
 * Register access at an xAPIC MMIO offset (LAPIC_TIMER_LVT, _ICR, _CCR, _DCR);
 * 32-bit.  Other offsets read 0 and ignore writes (they belong to the rest of
 * the APIC).  `now` must not be before the queue's time.
 */
uint32_t lapic_timer_read(const struct lapic_timer *t, uint32_t offset, sim_ps now);
void lapic_timer_write(struct lapic_timer *t, uint32_t offset, uint32_t value, sim_ps now);

/* RDMSR/WRMSR IA32_TSC_DEADLINE.  Reads 0 and ignores writes outside TSC-deadline mode. */
uint64_t lapic_timer_rdmsr_deadline(const struct lapic_timer *t);
void lapic_timer_wrmsr_deadline(struct lapic_timer *t, uint64_t value, sim_ps now);

/*
 * C-state residency: the CPU enters C<cstate> at now, and leaves it (back to
 * C0) at exit.  Without ARAT, a state deeper than C1 stops the count-down
 * until exit (one-shot and periodic expiries move later by the residency),
 * and holds back a TSC-deadline expiry until exit (it fires at exit if the
 * deadline passed meanwhile).  With ARAT these only record the state: the
 * timer fires on time and the machine wakes the CPU for it.
 */
void lapic_timer_cstate_enter(struct lapic_timer *t, unsigned cstate, sim_ps now);
void lapic_timer_cstate_exit(struct lapic_timer *t, sim_ps now);

/* The TSC's value or rate changed at now (TSC write, offset or scaling change). */
void lapic_timer_tsc_changed(struct lapic_timer *t, sim_ps now);

/* Divide value of the DCR: 1, 2, 4, ..., 128. */
unsigned lapic_timer_divide(const struct lapic_timer *t);

/* The current count register at now: 0 in TSC-deadline mode and with no count-down. */
uint32_t lapic_timer_current_count(const struct lapic_timer *t, sim_ps now);

/*
 * When the next interrupt will be delivered, or SIM_NEVER: none armed,
 * masked, or held in a C-state.
 */
sim_ps lapic_timer_next_fire(const struct lapic_timer *t);

#endif
