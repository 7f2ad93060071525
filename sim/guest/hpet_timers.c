/*
 * Guest timers on HPET comparators (hpet_timers.h).  Linux 6.12,
 * arch/x86/kernel/hpet.c: hpet_clkevt_set_next_event() (read, write, re-read,
 * `(s32)(cnt - counter) < HPET_MIN_CYCLES` is -ETIME),
 * hpet_clkevt_set_state_periodic() and _oneshot(), hpet_enable_legacy_int();
 * kernel/time/clockevents.c: clockevents_program_event() with force falls
 * back to clockevents_program_min_delta().
 *
 * A one-shot arming is a small program of bus accesses, each an event at the
 * time the previous one's exit returns: READ the counter, WRITE the
 * comparator (after the preemption, on a preempted arming), CHECK the
 * counter.  The guest runs it with interrupts off, so an interrupt that
 * comes meanwhile waits for its end; a stop of the VM or of the vCPU
 * freezes it where it is.
 */
#include "sim/guest/hpet_timers.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/kvm/pvclock.h"

#define HPET_REG(off) (PLATFORM_HPET_BASE + (off))
#define NO_LINE UINT32_MAX
#define FSB_ADDR UINT32_C(0xfee00000)   /* the local APIC's MSI window */
#define FSB_VALUE(n) (0x40u + (n))       /* the vector: one per comparator */

/*
 * The program's steps.  An access that starts or stops the counter, reads
 * it or writes a comparator it runs against is a step of its own, at the
 * time the previous exit returned; accesses in between that depend on no
 * time (Tn_CONF, the FSB route, anything while the counter is halted) run in
 * the same step, their costs added.
 */
enum step {
	STEP_IDLE,
	STEP_INIT, STEP_INIT_GEN,                     /* read GEN_CONF; enable, route */
	STEP_READ, STEP_WRITE, STEP_CHECK,            /* hpet_clkevt_set_next_event() */
	STEP_PERIODIC, STEP_HALT, STEP_START, STEP_ENABLE, /* hpet_clkevt_set_state_periodic() */
};

struct hpet_gtimer {
	struct hpet_timers *g;
	struct kvm_vcpu *v;
	struct hpet_timer_params p;
	unsigned line;                 /* intercept line of its route; NO_LINE for FSB */
	bool fsb;                      /* FSB delivery: messages with value FSB_VALUE(n) */
	struct sim_event ev;           /* the program's next step */
	char ev_name[40];
	char mode[48];                 /* "HPET timer N one-shot", for the records */
	enum step next;                /* what ev does */
	bool blocked;                  /* the step came while stopped: run it on resume */
	bool pending;                  /* an interrupt waits for the vCPU or the program */
	bool armed;                    /* target is meaningful */
	struct sim_event deliver;
	char deliver_name[40];
	uint64_t armings;              /* one-shot armings so far */
	uint32_t delta;                /* ticks of this arming (the min delta on a retry) */
	uint32_t cnt;                  /* the guest's 32-bit target being programmed */
	uint32_t reg;                  /* a register read in one step, written in the next */
	uint64_t target;               /* unwrapped: the count the guest meant the match at */
	sim_ps armed_ps;
	unsigned tries;
	uint64_t fires, retries;
};

struct hpet_timers {
	struct kvm_vm *vm;
	struct platform *pf;
	struct hpet *hpet;
	struct sim_trace *trace;
	bool vm_stopped;
	bool *vcpu_stopped;            /* per vCPU */
	uint32_t period_fs;            /* read from GCAP_ID by the guest */
	unsigned n;
	struct hpet_gtimer t[HPET_MAX_TIMERS];
};

/* The main counter unwrapped, as the model knows it (the guest sees the low 32 bits). */
static uint64_t count_now(const struct hpet_timers *g, sim_ps now)
{
	const struct hpet *h = g->hpet;
	sim_ps b = platform_time(g->pf, now);

	if (!(h->gen_conf & HPET_ENABLE_CNF) || b <= h->enable_ps)
		return h->counter_base;
	return h->counter_base + sim_ticks_in(b - h->enable_ps, h->params.freq);
}

static bool stopped(const struct hpet_gtimer *t)
{
	return t->g->vm_stopped || t->g->vcpu_stopped[t->v->id];
}

static uint32_t readl(struct hpet_timers *g, uint64_t off, sim_ps *cost)
{
	return (uint32_t)platform_mmio_read(g->pf, HPET_REG(off), 4, cost);
}

static sim_ps writel(struct hpet_timers *g, uint64_t off, uint32_t val)
{
	sim_ps cost = 0;

	platform_mmio_write(g->pf, HPET_REG(off), val, 4, &cost);
	return cost;
}

static void publish(struct hpet_gtimer *t, bool fire, sim_ps now)
{
	const struct kvm_vcpu *v = t->v;
	struct sim_trace_record rec;
	uint64_t tsc;

	if (!sim_trace_wants(t->g->trace, SIM_TRACE_GUEST_TIMER))
		return;
	tsc = kvm_vcpu_guest_tsc(v, now);
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_TIMER, .t_ps = now };
	rec.u.timer = (struct sim_trace_guest_timer){
		.vcpu = v->id,
		.mode = t->mode,
		.fire = fire,
		.armed_ps = t->armed_ps,
		.period_ps = t->p.period_ps,
		.guest_tsc = tsc,
		.tsc_khz = v->virtual_tsc_khz,
		.kvmclock_ns = pvclock_read_cycles(&v->pvti, tsc),
		.page_flags = v->pvti.flags,
		.hpet_timer = t->p.timer + 1,
		.hpet_target = t->target,
		.hpet_count = count_now(t->g, now),
		.hpet_comparator = hpet_comparator(t->g->hpet, t->p.timer,
						   platform_time(t->g->pf, now)),
		.hpet_period_fs = t->g->period_fs,
	};
	sim_trace_publish(t->g->trace, &rec);
}

static void step_at(struct hpet_gtimer *t, enum step s, sim_ps when)
{
	t->next = s;
	sim_schedule(t->g->vm->q, &t->ev, when);
}

/* Delay in ticks: Linux's clockevent converts ns with mult/shift; exact here: floor(fs / period). */
static uint32_t ticks_of(const struct hpet_timers *g, sim_ps d)
{
	sim_u128 t = (sim_u128)d * 1000u / g->period_fs;

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

/* The arming (or the program) is over: an interrupt that waited meanwhile goes in. */
static void program_done(struct hpet_gtimer *t, sim_ps now)
{
	t->next = STEP_IDLE;
	if (t->pending && !stopped(t))
		sim_schedule(t->g->vm->q, &t->deliver, now);
}

static void init_timer(struct hpet_gtimer *t, sim_ps now);

static void run_step(struct hpet_gtimer *t, sim_ps now)
{
	struct hpet_timers *g = t->g;
	unsigned n = t->p.timer;
	sim_ps cost = 0, extra = 0;
	uint32_t c;

	switch (t->next) {
	case STEP_READ:
		c = readl(g, HPET_MAIN_CNT, &cost);
		t->cnt = c + t->delta;
		if (t->tries == 0) {       /* the first try says what the guest meant */
			t->armed_ps = now;
			t->target = count_now(g, now) + t->delta;
			t->armed = true;
			publish(t, false, now);
		}
		if (t->tries == 0 && t->p.preempt_every && t->armings % t->p.preempt_every == 0)
			extra = t->p.preempt_ps;
		step_at(t, STEP_WRITE, now + cost + extra);
		return;
	case STEP_WRITE:
		cost = writel(g, HPET_TIMN_COMP(n), t->cnt);
		if (t->p.check) {
			step_at(t, STEP_CHECK, now + cost);
			return;
		}
		program_done(t, now + cost);
		return;
	case STEP_CHECK:
		c = readl(g, HPET_MAIN_CNT, &cost);
		if ((int32_t)(t->cnt - c) < (int32_t)HPET_TIMERS_MIN_CYCLES &&
		    t->tries < HPET_TIMERS_MAX_RETRIES) {
			/* -ETIME: clockevents_program_min_delta() tries again with the minimum */
			t->tries++;
			t->retries++;
			t->delta = HPET_TIMERS_MIN_PROG_DELTA;
			step_at(t, STEP_READ, now + cost);
			return;
		}
		program_done(t, now + cost);
		return;
	case STEP_PERIODIC:
		t->reg = readl(g, HPET_GEN_CONF, &cost);
		step_at(t, STEP_HALT, now + cost);
		return;
	case STEP_HALT: {
		/* hpet_stop_counter(); with the counter halted nothing below depends on time */
		sim_ps at = now + writel(g, HPET_GEN_CONF, t->reg & ~(uint32_t)HPET_ENABLE_CNF);
		uint32_t conf;

		c = readl(g, HPET_MAIN_CNT, &cost);
		at += cost;
		conf = readl(g, HPET_TIMN_CONF(n), &cost);
		at += cost;
		conf |= (uint32_t)(HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
				   HPET_TN_32MODE_CNF);
		at += writel(g, HPET_TIMN_CONF(n), conf);
		at += writel(g, HPET_TIMN_COMP(n), c + t->delta);
		at += SIM_PS_PER_US;                 /* udelay(1) */
		at += writel(g, HPET_TIMN_COMP(n), t->delta);
		t->cnt = c + t->delta;
		/* a comparator equal to the counter matches a whole wrap on (1.0a 2.3.9.1) */
		t->target = count_now(g, now) + (t->delta ? t->delta : UINT64_C(1) << 32);
		t->armed_ps = now;
		t->armed = true;
		publish(t, false, now);
		step_at(t, STEP_START, at);
		return;
	}
	case STEP_START:
		/* hpet_start_counter() */
		t->reg = readl(g, HPET_GEN_CONF, &cost);
		step_at(t, STEP_ENABLE, now + cost);
		return;
	case STEP_ENABLE:
		cost = writel(g, HPET_GEN_CONF, t->reg | (uint32_t)HPET_ENABLE_CNF);
		program_done(t, now + cost);
		return;
	case STEP_INIT:
		t->reg = readl(g, HPET_GEN_CONF, &cost);
		step_at(t, STEP_INIT_GEN, now + cost);
		return;
	case STEP_INIT_GEN:
		init_timer(t, now);
		return;
	case STEP_IDLE:
		return;
	}
}

static void step_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct hpet_gtimer *t = sim_container_of(ev, struct hpet_gtimer, ev);

	(void)q;
	if (stopped(t)) {
		t->blocked = true;    /* guest code does not run while stopped */
		return;
	}
	run_step(t, now);
}

/* A new one-shot arming from the handler: the clockevent's delta for this timer. */
static void arm_oneshot(struct hpet_gtimer *t, sim_ps now)
{
	t->delta = ticks_of(t->g, t->p.period_ps);
	t->tries = 0;
	t->armings++;
	t->next = STEP_READ;
	run_step(t, now);
}

/* The first programming: enable the counter, route the interrupt, set the mode. */
static void init_timer(struct hpet_gtimer *t, sim_ps now)
{
	struct hpet_timers *g = t->g;
	unsigned n = t->p.timer;
	uint32_t gen = t->reg | (uint32_t)HPET_ENABLE_CNF, conf;
	sim_ps cost = 0, at = now;

	if (t->p.route == HPET_ROUTE_LEGACY)
		gen |= (uint32_t)HPET_LEG_RT_CNF;   /* hpet_enable_legacy_int() */
	at += writel(g, HPET_GEN_CONF, gen);
	conf = readl(g, HPET_TIMN_CONF(n), &cost);
	at += cost;
	conf &= ~(uint32_t)(HPET_TN_TYPE_CNF | HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ROUTE_CNF |
			    HPET_TN_FSB_EN_CNF);
	if (t->fsb) {
		at += writel(g, HPET_TIMN_FSB_ROUTE(n), FSB_VALUE(n));
		at += writel(g, HPET_TIMN_FSB_ROUTE(n) + 4, FSB_ADDR);
		conf |= (uint32_t)HPET_TN_FSB_EN_CNF;     /* ignored without the capability */
	} else if (t->line != NO_LINE && t->p.route != HPET_ROUTE_LEGACY) {
		conf |= (uint32_t)((uint64_t)t->line << HPET_TN_INT_ROUTE_SHIFT);
	}
	conf |= (uint32_t)(HPET_TN_INT_ENB_CNF | HPET_TN_32MODE_CNF);
	at += writel(g, HPET_TIMN_CONF(n), conf);
	t->delta = ticks_of(g, t->p.period_ps);
	if (t->p.periodic) {
		step_at(t, STEP_PERIODIC, at);
	} else {
		t->tries = 0;
		t->armings++;
		step_at(t, STEP_READ, at);
	}
}


/* The interrupt reaches the guest's handler on its vCPU. */
static void deliver_fn(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct hpet_gtimer *t = sim_container_of(ev, struct hpet_gtimer, deliver);

	(void)q;
	if (!t->pending || stopped(t) || t->next != STEP_IDLE)
		return;
	t->pending = false;
	/*
	 * hrtimer_interrupt() runs what expired: a match before the target (a
	 * retry's comparator, say) finds nothing and is no fire of this timer.
	 */
	if (!t->armed || count_now(t->g, now) < t->target)
		return;
	t->fires++;
	publish(t, true, now);
	/* kvm_check_and_clear_guest_paused(), as for the APIC timers (timers.c) */
	t->v->pvti.flags = (uint8_t)(t->v->pvti.flags & ~PVCLOCK_GUEST_STOPPED);
	if (t->p.periodic) {
		/* the next period's match: the device adds the increment (0: a whole wrap) */
		uint64_t step = t->delta ? t->delta : UINT64_C(1) << 32;
		uint64_t c = count_now(t->g, now);

		if (c >= t->target)
			t->target += ((c - t->target) / step + 1) * step;
		t->armed_ps = now;
		return;
	}
	t->armed = false;
	arm_oneshot(t, now);
}

static void take(struct hpet_gtimer *t, sim_ps now)
{
	t->pending = true;
	if (!stopped(t) && t->next == STEP_IDLE)
		sim_schedule(t->g->vm->q, &t->deliver, now);
}

void hpet_timers_irq(struct hpet_timers *g, unsigned line, bool level, sim_ps now)
{
	if (!g || !level)
		return;
	for (unsigned i = 0; i < g->n; i++)
		if (g->t[i].line == line)
			take(&g->t[i], now);
}

/* An FSB message from the HPET, at the chips' time: the board's shift makes it true time. */
static void fsb_write(void *sink, uint32_t addr, uint32_t value, sim_ps now)
{
	struct hpet_timers *g = sink;

	(void)addr;
	for (unsigned i = 0; i < g->n; i++)
		if (g->t[i].fsb && FSB_VALUE(g->t[i].p.timer) == value)
			take(&g->t[i], now + g->pf->irq.time_shift_ps);
}

void hpet_timers_running(struct hpet_timers *g, int vcpu, bool running, sim_ps now)
{
	if (!g)
		return;
	if (vcpu < 0)
		g->vm_stopped = !running;
	else if ((unsigned)vcpu < g->vm->nvcpus)
		g->vcpu_stopped[vcpu] = !running;
	if (!running)
		return;
	for (unsigned i = 0; i < g->n; i++) {
		struct hpet_gtimer *t = &g->t[i];

		if (stopped(t))
			continue;
		if (t->blocked) {
			t->blocked = false;
			sim_schedule(g->vm->q, &t->ev, now);
		} else if (t->pending && t->next == STEP_IDLE) {
			sim_schedule(g->vm->q, &t->deliver, now);
		}
	}
}

/* The intercept line of t's route; false when the device cannot route it so. */
static bool pick_line(struct hpet_timers *g, struct hpet_gtimer *t, uint32_t *used,
		      struct sim_diag *err)
{
	const struct hpet *h = g->hpet;
	bool fsb_cap = (h->timer[t->p.timer].caps & HPET_TN_FSB_INT_DEL_CAP) != 0;
	uint32_t cap;

	/* the guest reads Tn_FSB_INT_DEL_CAP only on the checked route */
	if (t->p.route == HPET_ROUTE_FSB || (t->p.route == HPET_ROUTE_FSB_OR_IOAPIC && fsb_cap)) {
		t->fsb = true;
		t->line = NO_LINE;
		return true;
	}
	if (t->p.route == HPET_ROUTE_LEGACY) {
		if (!h->params.legacy_route_cap || t->p.timer > 1)
			return sim_diag_fail(err, "HPET timer %u: the legacy route needs LEG_RT_CAP and "
					     "timer 0 or 1", t->p.timer);
		t->line = t->p.timer == 0 ? 0 : 8;
		return true;
	}
	cap = (uint32_t)(h->timer[t->p.timer].caps >> HPET_TN_INT_ROUTE_CAP_SHIFT) & ~*used &
	      ((UINT32_C(1) << IRQ_ROUTER_IOAPIC_PINS) - 1);
	if (!cap)
		return sim_diag_fail(err, "HPET timer %u: no free I/O APIC pin in its "
				     "Tn_INT_ROUTE_CAP", t->p.timer);
	for (t->line = 0; !(cap & (UINT32_C(1) << t->line)); t->line++)
		;
	*used |= UINT32_C(1) << t->line;
	return true;
}

struct hpet_timers *hpet_timers_create(struct kvm_vm *vm, struct platform *pf,
				       const struct hpet_timer_params *p, unsigned n,
				       struct sim_trace *trace, struct sim_diag *err)
{
	struct hpet_timers *g = calloc(1, sizeof(*g));
	uint32_t used = 0;

	if (g)
		g->vcpu_stopped = calloc(vm->nvcpus, sizeof(*g->vcpu_stopped));
	if (!g || !g->vcpu_stopped) {
		free(g);
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	g->vm = vm;
	g->pf = pf;
	g->trace = trace;
	g->hpet = pf->slot[BOARD_DEV_HPET].chip;
	if (!g->hpet || n > HPET_MAX_TIMERS) {
		sim_diag_fail(err, "HPET timers need a board with an HPET");
		hpet_timers_destroy(g);
		return NULL;
	}
	g->period_fs = hpet_period_fs(g->hpet);
	for (unsigned i = 0; i < n; i++) {
		struct hpet_gtimer *t = &g->t[i];

		for (unsigned j = 0; j < i; j++)
			if (p[j].timer == p[i].timer) {
				sim_diag_fail(err, "HPET timer %u programmed twice", p[i].timer);
				hpet_timers_destroy(g);
				return NULL;
			}
		*t = (struct hpet_gtimer){ .g = g, .p = p[i] };
		g->n = i + 1;
		if (p[i].vcpu >= vm->nvcpus || p[i].timer >= g->hpet->params.ntimers ||
		    (!p[i].periodic && ticks_of(g, p[i].period_ps) == 0) ||
		    (unsigned)p[i].route >= HPET_ROUTE_COUNT) {
			sim_diag_fail(err, "HPET timer %u: bad vCPU, comparator (the board has %u) or "
				      "one-shot delay (under one tick)", p[i].timer,
				      g->hpet->params.ntimers);
			hpet_timers_destroy(g);
			return NULL;
		}
		if (!pick_line(g, t, &used, err)) {
			hpet_timers_destroy(g);
			return NULL;
		}
		t->v = &vm->vcpus[p[i].vcpu];
		snprintf(t->mode, sizeof(t->mode), "HPET timer %u %s%s", p[i].timer,
			 p[i].periodic ? "periodic" : "one-shot", t->fsb ? " (FSB)" : "");
		snprintf(t->ev_name, sizeof(t->ev_name), "guest.hpet%u.program", p[i].timer);
		snprintf(t->deliver_name, sizeof(t->deliver_name), "guest.hpet%u.irq", p[i].timer);
		t->next = STEP_INIT;
		sim_event_init(&t->ev, t->ev_name, SIM_PRIO_GUEST, step_fn);
		sim_event_init(&t->deliver, t->deliver_name, SIM_PRIO_GUEST, deliver_fn);
	}
	for (unsigned i = 0; i < g->n; i++) {
		if (g->t[i].fsb)
			hpet_set_fsb_sink(g->hpet, &(struct hpet_fsb_sink){ fsb_write, g });
		sim_schedule(vm->q, &g->t[i].ev, g->t[i].p.start_ps);
	}
	return g;
}

void hpet_timers_destroy(struct hpet_timers *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < g->n; i++) {
		sim_cancel(g->vm->q, &g->t[i].ev);
		sim_cancel(g->vm->q, &g->t[i].deliver);
		if (g->t[i].fsb)
			hpet_set_fsb_sink(g->hpet, NULL);
	}
	free(g->vcpu_stopped);
	free(g);
}

static const struct hpet_gtimer *find(const struct hpet_timers *g, unsigned timer)
{
	for (unsigned i = 0; g && i < g->n; i++)
		if (g->t[i].p.timer == timer)
			return &g->t[i];
	return NULL;
}

uint64_t hpet_timers_fires(const struct hpet_timers *g, unsigned timer)
{
	const struct hpet_gtimer *t = find(g, timer);

	return t ? t->fires : 0;
}

uint64_t hpet_timers_retries(const struct hpet_timers *g, unsigned timer)
{
	const struct hpet_gtimer *t = find(g, timer);

	return t ? t->retries : 0;
}
