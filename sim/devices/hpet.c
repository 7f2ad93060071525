/*
 * HPET timer block after IA-PC HPET Specification 1.0a, section 2.3 (register
 * definitions) and 2.4.2.1 (LegacyReplacement routing).  Section numbers
 * below are the 1.0a ones.
 *
 * A match is the main counter stepping onto the comparator value (on the low
 * 32 bits for a 32-bit timer).  A comparator written equal to the counter,
 * or behind it, matches only after the counter wraps round to it: 2^32 ticks
 * for a 32-bit timer, 2^64 (never, in practice) for a 64-bit one.
 */
#include "sim/devices/hpet.h"

#include "sim/core/platform_clocks.h"
#include "sim/devices/platform.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define FS_PER_S UINT64_C(1000000000000000)

/* Destinations of the interrupt lines in hpet.line_level. */
#define DEST_LEGACY_IRQ0 32
#define DEST_LEGACY_IRQ8 33
#define DEST_NLINES 34
#define DEST_NONE (-1)
#define DEST_FSB (-2)

static const struct device_ops hpet_ops;

static struct hpet *hpet_from_device(struct device *dev)
{
	assert(dev->ops == &hpet_ops);
	return sim_container_of(dev, struct hpet, base);
}

static bool running(const struct hpet *h)
{
	return (h->gen_conf & HPET_ENABLE_CNF) != 0;
}

static uint64_t counter_mask(const struct hpet *h)
{
	return h->params.counter_64bit ? UINT64_MAX : UINT64_C(0xffffffff);
}

/* Ticks of the counter clock between enable_ps and now (0 while halted). */
static uint64_t ticks_since_enable(const struct hpet *h, sim_ps now)
{
	if (!running(h) || now <= h->enable_ps)
		return 0;
	return sim_ticks_in(now - h->enable_ps, h->params.freq);
}

/* The main counter, unwrapped (mod 2^64). */
static uint64_t counter_at(const struct hpet *h, sim_ps now)
{
	return h->counter_base + ticks_since_enable(h, now);
}

/*
 * Comparator width in bits: 64 for a 64-bit timer (Tn_SIZE_CAP) unless
 * Tn_32MODE_CNF forces it to behave as a 32-bit timer (section 2.3.8).
 */
static unsigned timer_width(const struct hpet_timer *t)
{
	return (t->caps & HPET_TN_SIZE_CAP) && !(t->conf & HPET_TN_32MODE_CNF) ? 64 : 32;
}

static uint64_t width_mask(unsigned width)
{
	return width == 64 ? UINT64_MAX : UINT64_C(0xffffffff);
}

static bool periodic(const struct hpet_timer *t)
{
	return (t->conf & HPET_TN_TYPE_CNF) != 0;
}

static bool level_triggered(const struct hpet_timer *t)
{
	return (t->conf & HPET_TN_INT_TYPE_CNF) != 0;
}

/*
 * Counter steps from the anchor to the first match: the least d >= 1 with
 * anchor_count + d == anchor_cmp on the compared bits, so 2^width when the
 * comparator equals the anchor count.
 */
static sim_u128 first_match_distance(const struct hpet_timer *t)
{
	uint64_t mask = width_mask(timer_width(t));

	return (sim_u128)((t->anchor_cmp - t->anchor_count - 1) & mask) + 1;
}

/*
 * Counter steps between consecutive matches.  Periodic (section 2.3.9): each
 * match adds the last written value to the comparator, so the next match is
 * that many steps on, or a whole wrap for an increment of 0 mod 2^width.
 * Non-periodic: the comparator stays, and matches again after a wrap.
 */
static sim_u128 match_step(const struct hpet_timer *t)
{
	unsigned width = timer_width(t);
	uint64_t inc = t->period & width_mask(width);

	if (periodic(t) && inc != 0)
		return inc;
	return (sim_u128)1 << width;
}

/* Matches in the counter steps (anchor_count, count]. */
static sim_u128 matches_by(const struct hpet_timer *t, uint64_t count)
{
	sim_u128 done = count - t->anchor_count;
	sim_u128 d1 = first_match_distance(t);

	if (done < d1)
		return 0;
	return 1 + (done - d1) / match_step(t);
}

/* The Comparator Value register when the main counter reads `count`. */
static uint64_t comparator_at(const struct hpet_timer *t, uint64_t count)
{
	if (!periodic(t))
		return t->anchor_cmp;
	/* Each match has added `period`; the register wraps through 0. */
	return (uint64_t)(t->anchor_cmp + matches_by(t, count) * t->period) &
	       width_mask(timer_width(t));
}

/* Restarts the match sequence at `count` with the comparator holding cmp. */
static void anchor(struct hpet_timer *t, uint64_t count, uint64_t cmp)
{
	t->anchor_count = count;
	t->anchor_cmp = cmp & width_mask(timer_width(t));
}

/*
 * Where timer n's interrupt goes (sections 2.3.5, 2.3.8, 2.4.2.1): timers 0
 * and 1 to IRQ0 and IRQ8 under LegacyReplacement routing, then FSB when
 * enabled, then the I/O APIC pin in Tn_INT_ROUTE_CNF.
 */
static int timer_dest(const struct hpet *h, const struct hpet_timer *t)
{
	unsigned pin;

	if ((h->gen_conf & HPET_LEG_RT_CNF) && t->index < 2)
		return t->index == 0 ? DEST_LEGACY_IRQ0 : DEST_LEGACY_IRQ8;
	if (t->conf & HPET_TN_FSB_EN_CNF)
		return DEST_FSB;
	pin = (unsigned)((t->conf & HPET_TN_INT_ROUTE_CNF) >> HPET_TN_INT_ROUTE_SHIFT);
	return pin < h->nioapic_pins ? (int)pin : DEST_NONE;
}

static const struct irq_line *dest_line(const struct hpet *h, int dest)
{
	if (dest == DEST_LEGACY_IRQ0)
		return h->legacy_irq0;
	if (dest == DEST_LEGACY_IRQ8)
		return h->legacy_irq8;
	if (dest >= 0 && (unsigned)dest < h->nioapic_pins && h->ioapic)
		return &h->ioapic[dest];
	return NULL;
}

/*
 * Drives every line to its level: legacy_route follows LEG_RT_CNF; an
 * interrupt line is high while some level-triggered timer routed to it has
 * its status bit set and its interrupt enabled, and ENABLE_CNF is set
 * (section 2.3.5: no interrupts while it is clear).  Timers sharing a pin
 * are wired-OR.  Lines change in a fixed order: legacy_route, then pins
 * ascending, then IRQ0, IRQ8.
 */
static void sync_lines(struct hpet *h, sim_ps now)
{
	bool route = (h->gen_conf & HPET_LEG_RT_CNF) != 0;
	uint64_t want = 0, changed;

	if (route != h->legacy_route_level) {
		h->legacy_route_level = route;
		irq_set(h->legacy_route, route, now);
	}
	for (unsigned n = 0; running(h) && n < h->params.ntimers; n++) {
		const struct hpet_timer *t = &h->timer[n];
		int dest;

		if (!level_triggered(t) || !(t->conf & HPET_TN_INT_ENB_CNF) ||
		    !(h->int_sts & (UINT64_C(1) << n)))
			continue;
		dest = timer_dest(h, t);
		if (dest >= 0)
			want |= UINT64_C(1) << dest;
	}
	changed = want ^ h->line_level;
	for (int d = 0; d < DEST_NLINES; d++) {
		uint64_t bit = UINT64_C(1) << d;

		if (!(changed & bit))
			continue;
		h->line_level ^= bit;
		irq_set(dest_line(h, d), (want & bit) != 0, now);
	}
}

/*
 * An edge: raise and lower at one instant.  A line held high by a level
 * source sharing it shows no edge, so nothing is driven then.
 */
static void pulse(struct hpet *h, int dest, sim_ps now)
{
	const struct irq_line *l = dest_line(h, dest);

	if (!l || (h->line_level >> dest) & 1)
		return;
	irq_set(l, true, now);
	irq_set(l, false, now);
}

/*
 * Whether the next match has a visible effect: an interrupt, or setting a
 * level-triggered status bit that is clear (section 2.3.8, Tn_INT_ENB_CNF:
 * "the timer will still operate and generate appropriate status bits").  A
 * periodic comparator advances either way, but reads compute it.
 */
static bool match_matters(const struct hpet *h, const struct hpet_timer *t)
{
	if (t->conf & HPET_TN_INT_ENB_CNF)
		return true;
	return level_triggered(t) && !(h->int_sts & (UINT64_C(1) << t->index));
}

/* Queues the one event that stands for timer t's next match, if it matters. */
static void timer_schedule(struct hpet *h, struct hpet_timer *t, sim_ps now)
{
	sim_ps when = SIM_NEVER;

	if (running(h) && match_matters(h, t)) {
		uint64_t k_now = ticks_since_enable(h, now);
		uint64_t count = h->counter_base + k_now;
		sim_u128 done = count - t->anchor_count;
		/* The next match is step number d1 + m * step from the anchor. */
		sim_u128 next = first_match_distance(t) + matches_by(t, count) * match_step(t);
		sim_u128 k = (sim_u128)k_now + (next - done);

		if (k <= UINT64_MAX) {
			sim_ps dt = sim_tick_time((uint64_t)k, h->params.freq);

			if (dt != SIM_NEVER)
				when = sim_add_sat(h->enable_ps, dt);
		}
	}
	if (when == SIM_NEVER)
		sim_cancel(h->q, &t->match);
	else
		sim_schedule(h->q, &t->match, when);
}

static void schedule_all(struct hpet *h, sim_ps now)
{
	for (unsigned n = 0; n < h->params.ntimers; n++)
		timer_schedule(h, &h->timer[n], now);
}

/*
 * The counter has just stepped onto the comparator.  The comparator itself
 * needs no update: reads derive it from the count.
 */
static void timer_match(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct hpet_timer *t = sim_container_of(ev, struct hpet_timer, match);
	struct hpet *h = t->hpet;

	/* Section 2.3.6: level-triggered timers set their status bit. */
	if (level_triggered(t))
		h->int_sts |= UINT64_C(1) << t->index;
	if (t->conf & HPET_TN_INT_ENB_CNF) {
		int dest = timer_dest(h, t);

		if (dest == DEST_FSB) {
			if (h->fsb.write)
				h->fsb.write(h->fsb.sink, (uint32_t)(t->fsb_route >> 32),
					     (uint32_t)t->fsb_route, now);
		} else if (!level_triggered(t)) {
			pulse(h, dest, now);
		}
	}
	sync_lines(h, now);
	timer_schedule(h, t, now);
}

/* Replaces the bits of `old` that a write of `len` bits at bit `shift` covers. */
static uint64_t deposit(uint64_t old, unsigned shift, unsigned len, uint64_t val)
{
	uint64_t mask = len == 64 ? UINT64_MAX : UINT64_C(0xffffffff) << shift;

	return (old & ~mask) | ((val << shift) & mask);
}

static void write_gen_conf(struct hpet *h, unsigned shift, unsigned len, uint64_t val,
			   sim_ps now)
{
	uint64_t writable = HPET_ENABLE_CNF | (h->params.legacy_route_cap ? HPET_LEG_RT_CNF : 0);
	uint64_t old = h->gen_conf;
	uint64_t conf = deposit(old, shift, len, val) & writable;

	if ((old & HPET_ENABLE_CNF) && !(conf & HPET_ENABLE_CNF)) {
		/* Section 2.3.5: halting keeps the count and stops all matches. */
		h->counter_base = counter_at(h, now);
		h->gen_conf = conf;
		for (unsigned n = 0; n < h->params.ntimers; n++)
			sim_cancel(h->q, &h->timer[n].match);
	} else if (!(old & HPET_ENABLE_CNF) && (conf & HPET_ENABLE_CNF)) {
		/* The counter runs on from its held value. */
		h->enable_ps = now;
		h->gen_conf = conf;
		schedule_all(h, now);
	} else {
		h->gen_conf = conf;
	}
	sync_lines(h, now);
}

static void write_int_sts(struct hpet *h, unsigned shift, unsigned len, uint64_t val,
			  sim_ps now)
{
	uint64_t implemented = (UINT64_C(1) << h->params.ntimers) - 1;
	/* Section 2.3.6: writing 1 clears a bit; writing 0 has no effect. */
	uint64_t clear = deposit(0, shift, len, val) & implemented & h->int_sts;

	if (!clear)
		return;
	h->int_sts &= ~clear;
	sync_lines(h, now);
	for (unsigned n = 0; n < h->params.ntimers; n++)
		if (clear & (UINT64_C(1) << n))
			timer_schedule(h, &h->timer[n], now);
}

static void write_main_cnt(struct hpet *h, unsigned shift, unsigned len, uint64_t val)
{
	uint64_t old, count;

	/*
	 * Section 2.3.7: "Writes to this register should only be done while
	 * the counter is halted."  Writes while it runs are ignored.
	 */
	if (running(h))
		return;
	old = h->counter_base;
	count = deposit(old & counter_mask(h), shift, len, val) & counter_mask(h);
	for (unsigned n = 0; n < h->params.ntimers; n++) {
		struct hpet_timer *t = &h->timer[n];

		anchor(t, count, comparator_at(t, old));
	}
	h->counter_base = count;
}

static uint64_t writable_conf(const struct hpet_timer *t)
{
	uint64_t w = HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF | HPET_TN_VAL_SET_CNF |
		     HPET_TN_INT_ROUTE_CNF;

	if (t->caps & HPET_TN_PER_INT_CAP)
		w |= HPET_TN_TYPE_CNF;
	if (t->caps & HPET_TN_SIZE_CAP)
		w |= HPET_TN_32MODE_CNF;
	if (t->caps & HPET_TN_FSB_INT_DEL_CAP)
		w |= HPET_TN_FSB_EN_CNF;
	return w;
}

static void write_timer_conf(struct hpet *h, struct hpet_timer *t, unsigned shift,
			     unsigned len, uint64_t val, sim_ps now)
{
	uint64_t count = counter_at(h, now);
	uint64_t cmp = comparator_at(t, count);
	uint64_t old = t->conf;
	uint64_t conf;
	unsigned pin;

	/* Bits 63:32 (Tn_INT_ROUTE_CAP) are read-only. */
	if (shift == 32)
		return;
	conf = (val & 0xffffffffu) & writable_conf(t);
	/*
	 * Section 2.3.8, Tn_INT_ROUTE_CNF: "If the value is not supported by
	 * this particular timer, then the value read back will not match what
	 * is written."  An unsupported pin leaves the field unchanged.
	 */
	pin = (unsigned)((conf & HPET_TN_INT_ROUTE_CNF) >> HPET_TN_INT_ROUTE_SHIFT);
	if (!((t->caps >> HPET_TN_INT_ROUTE_CAP_SHIFT) >> pin & 1))
		conf = (conf & ~HPET_TN_INT_ROUTE_CNF) | (old & HPET_TN_INT_ROUTE_CNF);
	/* Forcing 32-bit mode leaves a 32-bit comparator and increment. */
	if ((conf & HPET_TN_32MODE_CNF) && !(old & HPET_TN_32MODE_CNF)) {
		cmp &= UINT64_C(0xffffffff);
		t->period &= UINT64_C(0xffffffff);
	}
	/* Status bits belong to level-triggered timers (section 2.3.6). */
	if ((old & HPET_TN_INT_TYPE_CNF) && !(conf & HPET_TN_INT_TYPE_CNF))
		h->int_sts &= ~(UINT64_C(1) << t->index);
	t->conf = conf;
	/* Re-anchoring at the current count keeps the next match where it was. */
	anchor(t, count, cmp);
	sync_lines(h, now);
	timer_schedule(h, t, now);
}

static void write_timer_comp(struct hpet *h, struct hpet_timer *t, unsigned shift,
			     unsigned len, uint64_t val, sim_ps now)
{
	unsigned width = timer_width(t);
	uint64_t count = counter_at(h, now);
	uint64_t cmp = comparator_at(t, count);

	if (width == 32) {
		/* A 32-bit comparator has no upper half to write. */
		if (shift == 32)
			return;
		val &= UINT64_C(0xffffffff);
		len = 64;
	}
	/*
	 * Section 2.3.9: a periodic comparator is increased on each match "by
	 * the value last written to the register", so every write sets the
	 * increment.  The comparator itself takes the value in non-periodic
	 * mode, or in periodic mode when Tn_VAL_SET_CNF allows software to set
	 * the accumulator (section 2.3.8); the bit then clears itself.
	 * Without it, a periodic write only changes the increment, which
	 * takes effect at the next match (section 2.3.9.2.2).
	 */
	t->period = deposit(t->period, shift, len, val) & width_mask(width);
	if (!periodic(t) || (t->conf & HPET_TN_VAL_SET_CNF))
		cmp = deposit(cmp, shift, len, val);
	t->conf &= ~HPET_TN_VAL_SET_CNF;
	anchor(t, count, cmp);
	timer_schedule(h, t, now);
}

/* The 64-bit register at the 8-aligned offset `off`. */
static uint64_t reg_read(const struct hpet *h, uint64_t off, sim_ps now)
{
	const struct hpet_timer *t;
	uint64_t n;

	switch (off) {
	case HPET_GCAP_ID:
		return h->gcap;
	case HPET_GEN_CONF:
		return h->gen_conf;
	case HPET_GINTR_STA:
		return h->int_sts;
	case HPET_MAIN_CNT:
		return hpet_main_counter(h, now);
	default:
		break;
	}
	if (off < HPET_TIMN_CONF(0))
		return 0;                 /* reserved */
	n = (off - HPET_TIMN_CONF(0)) / 0x20;
	if (n >= h->params.ntimers)
		return 0;                 /* unimplemented timer */
	t = &h->timer[n];
	switch ((off - HPET_TIMN_CONF(0)) % 0x20) {
	case 0x00:
		return t->caps | t->conf;
	case 0x08:
		return hpet_comparator(h, (unsigned)n, now);
	case 0x10:
		return t->fsb_route;
	default:
		return 0;
	}
}

static void reg_write(struct hpet *h, uint64_t off, unsigned shift, unsigned len,
		      uint64_t val, sim_ps now)
{
	struct hpet_timer *t;
	uint64_t n;

	switch (off) {
	case HPET_GEN_CONF:
		write_gen_conf(h, shift, len, val, now);
		return;
	case HPET_GINTR_STA:
		write_int_sts(h, shift, len, val, now);
		return;
	case HPET_MAIN_CNT:
		write_main_cnt(h, shift, len, val);
		return;
	default:
		break;
	}
	if (off < HPET_TIMN_CONF(0))
		return;                   /* GCAP_ID is read-only; the rest is reserved */
	n = (off - HPET_TIMN_CONF(0)) / 0x20;
	if (n >= h->params.ntimers)
		return;
	t = &h->timer[n];
	switch ((off - HPET_TIMN_CONF(0)) % 0x20) {
	case 0x00:
		write_timer_conf(h, t, shift, len, val, now);
		break;
	case 0x08:
		write_timer_comp(h, t, shift, len, val, now);
		break;
	case 0x10:
		t->fsb_route = deposit(t->fsb_route, shift, len, val);
		break;
	default:
		break;
	}
}

static bool access_ok(uint64_t offset, unsigned size)
{
	return (size == 4 || size == 8) && offset % size == 0 && offset < HPET_MMIO_SIZE;
}

static uint64_t hpet_mmio_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	struct hpet *h = hpet_from_device(dev);
	uint64_t reg;

	if (!access_ok(offset, size))
		return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
	reg = reg_read(h, offset & ~UINT64_C(7), now);
	if (size == 8)
		return reg;
	return (reg >> (8 * (offset & 4))) & UINT64_C(0xffffffff);
}

static void hpet_mmio_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
			    sim_ps now)
{
	struct hpet *h = hpet_from_device(dev);

	if (!access_ok(offset, size))
		return;
	if (size == 8)
		reg_write(h, offset, 0, 64, val, now);
	else
		reg_write(h, offset & ~UINT64_C(7), (unsigned)(8 * (offset & 4)), 32,
			  val & UINT64_C(0xffffffff), now);
}

static sim_ps hpet_dev_next_deadline(const struct device *dev)
{
	const struct hpet *h = sim_container_of(dev, const struct hpet, base);
	sim_ps t = SIM_NEVER;

	for (unsigned n = 0; n < h->params.ntimers; n++) {
		sim_ps m = hpet_next_match(h, n);

		if (m < t)
			t = m;
	}
	return t;
}

static void hpet_dev_finish(struct device *dev)
{
	hpet_finish(hpet_from_device(dev));
}

static const struct device_ops hpet_ops = {
	.kind = "hpet",
	.min_size = 4,
	.max_size = 8,
	.read = hpet_mmio_read,
	.write = hpet_mmio_write,
	.next_deadline = hpet_dev_next_deadline,
	.finish = hpet_dev_finish,
};

void hpet_params_default(struct hpet_params *p)
{
	*p = (struct hpet_params){
		.freq = sim_freq_hz(SIM_HPET_FREQ_HZ),
		.ntimers = HPET_MIN_TIMERS,
		.vendor_id = HPET_VENDOR_ID_DEFAULT,
		.counter_64bit = true,
		.legacy_route_cap = true,
		.int_route_cap = UINT32_C(0x00f00000),
	};
}

/*
 * COUNTER_CLK_PERIOD = round(1e15 fs / f), half up; 0 when it overflows.
 * With f = num/den Hz: floor((2e15 * den + num) / (2 * num)).
 */
static uint64_t period_fs_of(struct sim_freq f)
{
	sim_u128 q = ((sim_u128)2 * FS_PER_S * f.den + f.num) / ((sim_u128)2 * f.num);

	return q > UINT64_MAX ? 0 : (uint64_t)q;
}

bool hpet_init(struct hpet *h, const char *name, struct sim_eventq *q,
	       const struct hpet_params *p, const struct irq_line *ioapic,
	       unsigned nioapic_pins, const struct irq_line *legacy_irq0,
	       const struct irq_line *legacy_irq8, const struct irq_line *legacy_route,
	       struct sim_diag *err)
{
	uint64_t period;

	memset(h, 0, sizeof(*h));
	if (!name)
		name = "hpet";
	if (!q || !p)
		return sim_diag_fail(err, "%s: no event queue or parameters", name);
	if (p->ntimers < HPET_MIN_TIMERS || p->ntimers > HPET_MAX_TIMERS)
		return sim_diag_fail(err, "%s: %u timers; an HPET block has 3 to 32", name,
				     p->ntimers);
	if (p->freq.num == 0 || p->freq.den == 0 || p->freq.num >= (UINT64_C(1) << 63))
		return sim_diag_fail(err, "%s: invalid counter frequency", name);
	period = period_fs_of(p->freq);
	if (period == 0 || period > HPET_PERIOD_MAX_FS)
		return sim_diag_fail(err,
				     "%s: COUNTER_CLK_PERIOD would be %llu fs; the HPET "
				     "specification requires 1..100000000 fs (at least 10 MHz)",
				     name, (unsigned long long)period);

	h->base.ops = &hpet_ops;
	h->base.name = name;
	h->q = q;
	h->params = *p;
	if (h->params.vendor_id == 0)
		h->params.vendor_id = HPET_VENDOR_ID_DEFAULT;
	h->ioapic = ioapic;
	h->nioapic_pins = ioapic ? (nioapic_pins < 32 ? nioapic_pins : 32) : 0;
	h->legacy_irq0 = legacy_irq0;
	h->legacy_irq8 = legacy_irq8;
	h->legacy_route = legacy_route;

	/* Section 2.3.4. */
	h->gcap = period << HPET_GCAP_PERIOD_SHIFT |
		  (uint64_t)h->params.vendor_id << HPET_GCAP_VENDOR_ID_SHIFT |
		  (p->legacy_route_cap ? HPET_GCAP_LEG_RT_CAP : 0) |
		  (p->counter_64bit ? HPET_GCAP_COUNT_SIZE_CAP : 0) |
		  (uint64_t)(p->ntimers - 1) << HPET_GCAP_NUM_TIM_SHIFT | HPET_REV_ID;

	for (unsigned n = 0; n < p->ntimers; n++) {
		struct hpet_timer *t = &h->timer[n];
		uint32_t bit = UINT32_C(1) << n;

		t->hpet = h;
		t->index = n;
		t->caps = (uint64_t)p->int_route_cap << HPET_TN_INT_ROUTE_CAP_SHIFT |
			  (p->fsb_cap & bit ? HPET_TN_FSB_INT_DEL_CAP : 0) |
			  (p->counter_64bit ? HPET_TN_SIZE_CAP : 0) |
			  (p->oneshot_only & bit ? 0 : HPET_TN_PER_INT_CAP);
		/* Section 2.3.9: comparators reset to all ones in their implemented bits. */
		anchor(t, 0, UINT64_MAX);
		snprintf(t->event_name, sizeof(t->event_name), "%s.t%u", name, n);
		sim_event_init(&t->match, t->event_name, SIM_PRIO_DEVICE, timer_match);
	}
	return true;
}

void hpet_finish(struct hpet *h)
{
	if (!h || !h->q)
		return;
	for (unsigned n = 0; n < h->params.ntimers; n++)
		sim_cancel(h->q, &h->timer[n].match);
}

void hpet_set_fsb_sink(struct hpet *h, const struct hpet_fsb_sink *fsb)
{
	h->fsb = fsb ? *fsb : (struct hpet_fsb_sink){ 0 };
}

struct device *hpet_device(struct hpet *h)
{
	return &h->base;
}

uint64_t hpet_main_counter(const struct hpet *h, sim_ps now)
{
	return counter_at(h, now) & counter_mask(h);
}

uint64_t hpet_comparator(const struct hpet *h, unsigned n, sim_ps now)
{
	if (n >= h->params.ntimers)
		return 0;
	return comparator_at(&h->timer[n], counter_at(h, now));
}

sim_ps hpet_next_match(const struct hpet *h, unsigned n)
{
	if (n >= h->params.ntimers || !sim_event_pending(&h->timer[n].match))
		return SIM_NEVER;
	return h->timer[n].match.when;
}

uint32_t hpet_period_fs(const struct hpet *h)
{
	return (uint32_t)(h->gcap >> HPET_GCAP_PERIOD_SHIFT);
}

static void board_defaults(struct platform_params *p)
{
	struct hpet_params hp;

	hpet_params_default(&hp);
	p->hpet_freq = hp.freq;
	p->hpet_timers = hp.ntimers;
	p->hpet_vendor_id = hp.vendor_id;
	p->hpet_counter_64bit = hp.counter_64bit;
	p->hpet_legacy_route_cap = hp.legacy_route_cap;
	p->hpet_int_route_cap = hp.int_route_cap;
}

/* The board's HPET: MMIO at 0xfed00000, the router's I/O APIC and legacy lines. */
static bool board_attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const struct platform_params *p = &pf->params;
	const struct irq_line *legacy = irq_router_hpet_legacy_lines(&pf->irq);
	struct hpet *h = s->chip;
	struct hpet_params hp;

	hpet_params_default(&hp);
	hp.freq = p->hpet_freq;
	hp.ntimers = p->hpet_timers;
	hp.vendor_id = p->hpet_vendor_id;
	hp.counter_64bit = p->hpet_counter_64bit;
	hp.legacy_route_cap = p->hpet_legacy_route_cap;
	hp.int_route_cap = p->hpet_int_route_cap;
	if (!hpet_init(h, "hpet0", pf->q, &hp, irq_router_hpet_ioapic_lines(&pf->irq),
		       IRQ_ROUTER_IOAPIC_PINS, &legacy[0], &legacy[1],
		       irq_router_hpet_route_line(&pf->irq), err))
		return false;
	s->dev = hpet_device(h);
	return bus_map(&pf->mmio, PLATFORM_HPET_BASE, PLATFORM_HPET_LEN, s->dev,
		       p->cost_ps[BOARD_DEV_HPET], "hpet", err);
}

const struct board_chip hpet_chip = {
	.size = sizeof(struct hpet),
	.cost_ps = PLATFORM_MMIO_COST_PS_DEFAULT,
	.defaults = board_defaults,
	.attach = board_attach,
};
