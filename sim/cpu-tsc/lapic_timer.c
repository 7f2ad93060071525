/*
 * Local APIC timer after Intel SDM vol. 3A, 11.5.4 and 11.5.4.1 (10.5.4 in
 * older editions).  Section numbers below are the 11.x ones.
 *
 * Clock-edge convention: a load (initial count write) starts the divided
 * clock at the write instant, so after k cycles of the timer clock the
 * current count is initial - floor(k / divide), and a one-shot expires
 * exactly initial * divide cycles after the write.  The SDM only says "the
 * initial count value is then copied into the current-count register and
 * count-down begins"; it fixes no phase between the divider and the write.
 * Real hardware may be up to one divided period early or late.
 *
 * Expiry numbering: counting from the anchor, the count has gone down
 * floor(E / divide) times after E timer-clock cycles.  An expiry is the
 * decrement on which the count reaches 0: decrement count0 first, then (in
 * periodic mode) every `icr` decrements after it.  `delivered` is the last
 * expiry already handed to the fire callback, so that a stop and resume at
 * the very picosecond of an expiry neither repeats nor loses it.
 */
#include "sim/cpu-tsc/lapic_timer.h"

#include <stddef.h>
#include <string.h>

static uint32_t timer_mode(uint32_t lvt)
{
	return lvt & LAPIC_LVT_TIMER_MODE_MASK;
}

static bool deadline_mode(const struct lapic_timer *t)
{
	return timer_mode(t->lvt) == LAPIC_LVT_TIMER_TSC_DEADLINE;
}

/* Periodic (01); one-shot (00) and the reserved 11 count down once. */
static bool periodic(const struct lapic_timer *t)
{
	return timer_mode(t->lvt) == LAPIC_LVT_TIMER_PERIODIC;
}

static bool masked(const struct lapic_timer *t)
{
	return (t->lvt & LAPIC_LVT_MASKED) != 0;
}

/*
 * Figure 11-10: bits 3, 1, 0 form a 3-bit code; 000 = 2, 001 = 4, ...,
 * 110 = 128 and 111 = 1.
 */
static unsigned divide_of(uint32_t dcr)
{
	unsigned code = (dcr & 3u) | ((dcr >> 1) & 4u);

	return code == 7u ? 1u : 2u << code;
}

unsigned lapic_timer_divide(const struct lapic_timer *t)
{
	return divide_of(t->dcr);
}

/* Timer-clock cycles used since the anchor, as of end (frozen while stopped). */
static uint64_t cycles_at(const struct lapic_timer *t, sim_ps end)
{
	uint64_t k;

	if (t->stopped && end > t->stop_ps)
		end = t->stop_ps;
	k = end > t->anchor_ps ? sim_ticks_in(end - t->anchor_ps, t->clk) : 0;
	return k > UINT64_MAX - t->e0 ? UINT64_MAX : k + t->e0;
}

/* Decrements done by now. */
static uint64_t decrements_at(const struct lapic_timer *t, sim_ps now)
{
	return cycles_at(t, now) / divide_of(t->dcr);
}

/* Decrements done strictly before now (at now - 1 ps); those at now are still to come. */
static uint64_t decrements_before(const struct lapic_timer *t, sim_ps now)
{
	if (now <= t->anchor_ps)
		return t->e0 / divide_of(t->dcr);
	return decrements_at(t, now - 1);
}

uint32_t lapic_timer_current_count(const struct lapic_timer *t, sim_ps now)
{
	uint64_t d;

	if (!t->counting || deadline_mode(t))
		return 0;
	d = decrements_at(t, now);
	if (d < t->count0)
		return (uint32_t)(t->count0 - d);
	if (!periodic(t))
		return 0;                 /* one-shot: stays at 0 until reprogrammed */
	/* Reloaded from the initial count each time it reaches 0. */
	return (uint32_t)(t->icr - (d - t->count0) % t->icr);
}

/* The first expiry after decrement d, or 0 when there is none (one-shot done). */
static uint64_t next_expiry(const struct lapic_timer *t, uint64_t d)
{
	sim_u128 n;

	if (d < t->count0)
		return t->count0;
	if (!periodic(t))
		return 0;
	n = (sim_u128)t->count0 + ((sim_u128)(d - t->count0) / t->icr + 1) * t->icr;
	return n > UINT64_MAX ? 0 : (uint64_t)n;
}

/* When decrement n happens, or SIM_NEVER. */
static sim_ps time_of_decrement(const struct lapic_timer *t, uint64_t n)
{
	sim_u128 cycles = (sim_u128)n * divide_of(t->dcr) - t->e0;

	if (cycles > UINT64_MAX)
		return SIM_NEVER;
	return sim_add_sat(t->anchor_ps, sim_tick_time((uint64_t)cycles, t->clk));
}

/*
 * Puts the expiry event where the state says: the deadline crossing (held
 * back while stopped; queued even while masked, because expiry disarms the
 * MSR), or the next undelivered count-down expiry (not while masked or
 * stopped: nothing would be delivered, and the count is a function of time).
 */
static void reschedule(struct lapic_timer *t, sim_ps now)
{
	sim_ps when = SIM_NEVER;

	sim_cancel(t->q, &t->expiry);
	if (t->stopped)
		return;
	if (deadline_mode(t)) {
		if (t->deadline == 0)
			return;
		when = t->tsc.time_of(t->tsc.ctx, t->deadline, now);
		t->due_ps = t->deadline_due_ps;
	} else if (t->counting && !masked(t)) {
		uint64_t d = decrements_before(t, now);

		t->ev_target = next_expiry(t, d > t->delivered ? d : t->delivered);
		if (t->ev_target == 0)
			return;
		when = time_of_decrement(t, t->ev_target);
		/* The schedule software asked for: the same expiry without C-state stops. */
		t->due_ps = when - (t->lost_ps < when ? t->lost_ps : when);
	}
	if (when != SIM_NEVER)
		sim_schedule(t->q, &t->expiry, when < now ? now : when);
}

static void deliver(struct lapic_timer *t, sim_ps due, sim_ps now)
{
	sim_ps late = now > due ? now - due : 0;

	t->stats.fires++;
	if (late > 0)
		t->stats.late_fires++;
	t->stats.last_due_ps = due;
	t->stats.last_fire_ps = now;
	if (late > t->stats.max_late_ps)
		t->stats.max_late_ps = late;
	if (t->fire)
		t->fire(t->fire_ctx, t, (uint8_t)(t->lvt & LAPIC_LVT_VECTOR_MASK), now);
}

static void expiry_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct lapic_timer *t = sim_container_of(ev, struct lapic_timer, expiry);
	sim_ps due = t->due_ps;

	(void)q;
	if (deadline_mode(t)) {
		/*
		 * 11.5.4.1: the interrupt comes when the TSC equals or exceeds
		 * the deadline; the timer then disarms and clears the MSR.  If
		 * the TSC moved without lapic_timer_tsc_changed(), re-arm.
		 */
		if (t->tsc.read(t->tsc.ctx, now) < t->deadline) {
			sim_ps when = t->tsc.time_of(t->tsc.ctx, t->deadline, now);

			if (when > now) {
				if (when != SIM_NEVER)
					sim_schedule(t->q, &t->expiry, when);
				return;
			}
		}
		t->deadline = 0;
		if (!masked(t))
			deliver(t, due, now);
		return;
	}
	/* One-shot: the count stays at 0 (11.5.4); periodic: it reloads. */
	t->delivered = t->ev_target;
	if (periodic(t))
		reschedule(t, now);
	else
		t->counting = false;
	deliver(t, due, now);
}

/* Starts counting down from count (> 0) at now: an initial count write. */
static void load(struct lapic_timer *t, uint32_t count, sim_ps now)
{
	t->counting = true;
	t->count0 = count;
	t->e0 = 0;
	t->anchor_ps = now;
	t->delivered = 0;
	t->lost_ps = 0;
	if (t->stopped)
		t->stop_ps = now;         /* the count-down starts frozen */
	reschedule(t, now);
}

static void disarm(struct lapic_timer *t)
{
	sim_cancel(t->q, &t->expiry);
	t->counting = false;
	t->icr = 0;
	t->deadline = 0;
}

/*
 * A divide change while counting (not specified by the SDM): the current
 * count is kept and counting goes on at the new rate from now; the timer
 * cycles already spent on the current count carry over, capped below the new
 * divide so the count cannot jump.  An expiry due at this very picosecond
 * and not yet delivered stays queued at now.
 */
static void write_dcr(struct lapic_timer *t, uint32_t value, sim_ps now)
{
	unsigned old_div = divide_of(t->dcr), new_div = divide_of(value);
	bool due_now = sim_event_pending(&t->expiry) && t->expiry.when == now &&
		       !deadline_mode(t);
	uint64_t cycles, d;
	uint32_t c;

	if (!t->counting || deadline_mode(t) || old_div == new_div) {
		t->dcr = value & LAPIC_DCR_WRITABLE;
		return;
	}
	cycles = cycles_at(t, now);
	d = cycles / old_div;
	c = lapic_timer_current_count(t, now);
	t->dcr = value & LAPIC_DCR_WRITABLE;
	if (c == 0) {                     /* one-shot already expired (or expiring now) */
		t->counting = false;
		return;
	}
	t->count0 = c;
	t->e0 = cycles - d * old_div;
	if (t->e0 >= new_div)
		t->e0 = new_div - 1;
	t->anchor_ps = now;
	t->delivered = 0;
	if (t->stopped) {
		t->lost_ps += now - t->stop_ps;
		t->stop_ps = now;
	}
	if (due_now) {
		/* Decrement 0 of the new anchor stands for the expiry at now. */
		t->ev_target = 0;
		return;
	}
	reschedule(t, now);
}

static void write_lvt(struct lapic_timer *t, uint32_t value, sim_ps now)
{
	uint32_t old = t->lvt;

	t->lvt = value & LAPIC_LVT_TIMER_WRITABLE;
	/*
	 * 11.5.4.1: "A write to the LVT Timer Register that changes the timer
	 * mode disarms the local APIC timer."  Applied to every mode change.
	 */
	if (timer_mode(old) != timer_mode(t->lvt)) {
		disarm(t);
		return;
	}
	if ((old ^ t->lvt) & LAPIC_LVT_MASKED)
		reschedule(t, now);
}

static void write_icr(struct lapic_timer *t, uint32_t value, sim_ps now)
{
	/* 11.5.4.1: in TSC-deadline mode writes to the initial count are ignored. */
	if (deadline_mode(t))
		return;
	t->icr = value;
	if (value == 0) {
		/* 11.5.4: a write of 0 stops the timer in one-shot and periodic mode. */
		t->counting = false;
		sim_cancel(t->q, &t->expiry);
		return;
	}
	/* Counting (re)starts from the new value, also during a count-down. */
	load(t, value, now);
}

void lapic_timer_init(struct lapic_timer *t, const char *name, struct sim_eventq *q,
		      struct sim_freq timer_clk, const struct lapic_tsc_ops *tsc, bool arat,
		      lapic_timer_fire_fn *fire, void *fire_ctx)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->q = q;
	t->clk = timer_clk;
	t->tsc = *tsc;
	t->arat = arat;
	t->fire = fire;
	t->fire_ctx = fire_ctx;
	t->lvt = LAPIC_LVT_RESET;
	sim_event_init(&t->expiry, name, SIM_PRIO_DEVICE, expiry_fire);
}

void lapic_timer_finish(struct lapic_timer *t)
{
	if (!t || !t->q)
		return;
	sim_cancel(t->q, &t->expiry);
}

uint32_t lapic_timer_read(const struct lapic_timer *t, uint32_t offset, sim_ps now)
{
	switch (offset) {
	case LAPIC_TIMER_LVT:
		return t->lvt;            /* delivery status (bit 12) reads idle */
	case LAPIC_TIMER_ICR:
		return t->icr;
	case LAPIC_TIMER_CCR:
		return lapic_timer_current_count(t, now);
	case LAPIC_TIMER_DCR:
		return t->dcr;
	default:
		return 0;
	}
}

void lapic_timer_write(struct lapic_timer *t, uint32_t offset, uint32_t value, sim_ps now)
{
	switch (offset) {
	case LAPIC_TIMER_LVT:
		write_lvt(t, value, now);
		break;
	case LAPIC_TIMER_ICR:
		write_icr(t, value, now);
		break;
	case LAPIC_TIMER_DCR:
		write_dcr(t, value, now);
		break;
	default:
		break;                    /* the current count is read-only */
	}
}

uint64_t lapic_timer_rdmsr_deadline(const struct lapic_timer *t)
{
	return deadline_mode(t) ? t->deadline : 0;
}

/*
 * 11.5.4.1: a non-zero write arms the timer (or moves an armed deadline,
 * forward or back); 0 disarms.  A deadline the TSC has already reached
 * expires at once: the expiry event is queued at now.
 */
void lapic_timer_wrmsr_deadline(struct lapic_timer *t, uint64_t value, sim_ps now)
{
	if (!deadline_mode(t))
		return;
	t->deadline = value;
	if (value == 0) {
		sim_cancel(t->q, &t->expiry);
		return;
	}
	t->deadline_due_ps = t->tsc.time_of(t->tsc.ctx, value, now);
	reschedule(t, now);
}

/* Leaves a stop: the count-down's schedule moves later by the residency. */
static void resume(struct lapic_timer *t, sim_ps now)
{
	sim_ps residency = now > t->stop_ps ? now - t->stop_ps : 0;

	if (t->counting) {
		t->anchor_ps += residency;
		t->lost_ps += residency;
	}
	t->stopped = false;
	reschedule(t, now);
}

/*
 * 11.5.4: with ARAT the timer "continues to run at the same rate in deep
 * C-states"; without it, it "may temporarily stop while the processor is in
 * deep C-states".  The model stops it in every state deeper than C1.
 */
void lapic_timer_cstate_enter(struct lapic_timer *t, unsigned cstate, sim_ps now)
{
	bool stop = !t->arat && cstate > 1;

	t->cstate = cstate;
	if (stop && !t->stopped) {
		t->stopped = true;
		t->stop_ps = now;
		sim_cancel(t->q, &t->expiry);
	} else if (!stop && t->stopped) {
		resume(t, now);
	}
}

void lapic_timer_cstate_exit(struct lapic_timer *t, sim_ps now)
{
	lapic_timer_cstate_enter(t, 0, now);
}

void lapic_timer_tsc_changed(struct lapic_timer *t, sim_ps now)
{
	if (!deadline_mode(t) || t->deadline == 0)
		return;
	/* A deadline already reached keeps its due time; otherwise it moves with the TSC. */
	if (t->tsc.read(t->tsc.ctx, now) < t->deadline)
		t->deadline_due_ps = t->tsc.time_of(t->tsc.ctx, t->deadline, now);
	reschedule(t, now);
}

sim_ps lapic_timer_next_fire(const struct lapic_timer *t)
{
	if (masked(t) || !sim_event_pending(&t->expiry))
		return SIM_NEVER;
	return t->expiry.when;
}
