/*
 * Intel 8254 PIT: three channels as pure functions of the CLK edge count,
 * plus port 0x61.  Datasheet: Intel 8254 (231164); section names are cited
 * where the rule is applied.  Deviations and choices where the datasheet is
 * silent are marked "Model:".
 *
 * A channel keeps the state of its counting element just after the CLK edge
 * of its last input (the anchor) and derives every later state in O(1):
 * advance() is the closed form of k CLK edges, next_change() the distance to
 * the next OUT edge.  The GATE level is constant between anchors, because a
 * gate change is an input.
 */
#include "sim/devices/pit.h"

#include "sim/core/platform_clocks.h"
#include "sim/devices/platform.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const struct device_ops pit_ops;
static const struct device_ops port61_ops;

/* Number of CLK edges at or before t: edge n happens at sim_tick_time(n). */
static uint64_t edge_at(const struct pit *pit, sim_ps t)
{
	return sim_ticks_in(t, pit->clk);
}

/*
 * The CE's modulus: a count of 0 is 2^16 binary, 10^4 BCD ("Operation Common
 * to All Modes", Counter).
 */
static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000u : 65536u;
}

/*
 * N, the initial count the CR holds: 1..M.  Model: a BCD digit above 9
 * (undefined on the chip) counts at its binary weight, reduced mod 10^4.
 */
static uint32_t cr_count(const struct pit_channel *c)
{
	uint32_t m = modulus(c);
	uint32_t v = c->cr;

	if (c->bcd)
		v = (v >> 12 & 0xfu) * 1000u + (v >> 8 & 0xfu) * 100u + (v >> 4 & 0xfu) * 10u +
		    (v & 0xfu);
	v %= m;
	return v ? v : m;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000u % 10u) << 12 | (v / 100u % 10u) << 8 | (v / 10u % 10u) << 4 |
			  v % 10u);
}

/* The CE after k decrements from c, wrapping through 0 to M - 1. */
static uint32_t sub_mod(uint32_t c, uint64_t k, uint32_t m)
{
	if (k == 0)
		return c;
	return (uint32_t)(((uint64_t)(c % m) + m - k % m) % m);
}

/* Decrements until the CE reaches 0 (a CE of 0 needs a full turn). */
static uint64_t to_zero(uint32_t c, uint32_t m)
{
	return c ? c : m;
}

/* GATE enables counting in modes 0, 2, 3, 4; modes 1, 5 count regardless ("Gate"). */
static bool gate_enables(const struct pit_channel *c)
{
	return c->mode == 1 || c->mode == 5 || c->gate;
}

/*
 * The CR -> CE transfer on a CLK edge ("Counter Loading"); that edge does not
 * decrement.  Mode 3 loads N rounded down to even: odd counts load N - 1 and
 * spend one extra CLK in the high half ("Mode 3", odd counts).  A count of 1
 * is illegal in modes 2 and 3 (table "Minimum and Maximum Initial Counts");
 * Model: the CE loads 1 and stops, OUT stays high.
 */
static struct pit_ce load(const struct pit_channel *c, struct pit_ce s)
{
	uint32_t n = cr_count(c);

	s.load = false;
	s.null_count = false;
	s.counting = true;
	switch (c->mode) {
	case 0:
	case 1:
		s.ce = n;
		s.out = false;
		break;
	case 2:
	case 3:
		s.out = true;
		s.odd = (n & 1u) != 0;
		if (n == 1) {
			s.ce = 1;
			s.counting = false;
		} else {
			s.ce = c->mode == 3 ? n & ~1u : n;
		}
		break;
	default:
		s.ce = n;
		s.out = true;
		s.armed = true;
		break;
	}
	return s;
}

/*
 * The reload edge of modes 2 and 3 takes N from the CR and clears NULL COUNT;
 * returns N.  Model, as in load(): an illegal N of 1 stops the CE at 1 with
 * OUT high.
 */
static uint32_t reload(const struct pit_channel *c, struct pit_ce *s)
{
	uint32_t n = cr_count(c);

	s->null_count = false;
	if (n == 1) {
		s->ce = 1;
		s->out = true;
		s->counting = false;
	}
	return n;
}

/*
 * Mode 2, k edges with GATE high: OUT goes low when the CE reaches 1 and the
 * next edge reloads N and raises OUT ("Mode 2: Rate Generator").  From any
 * CE c the reload is c edges away (the low state has c = 1).
 */
static struct pit_ce run_mode2(const struct pit_channel *c, struct pit_ce s, uint64_t k)
{
	uint64_t to_reload = to_zero(s.ce, modulus(c));
	uint32_t n;

	if (k < to_reload) {
		s.ce -= (uint32_t)k;
		s.out = s.ce != 1;
		return s;
	}
	k -= to_reload;           /* edges after the reload edge */
	n = reload(c, &s);
	if (n == 1)
		return s;
	s.ce = n - (uint32_t)(k % n);
	s.out = s.ce != 1;
	return s;
}

/*
 * Mode 3, k edges with GATE high: the CE drops by 2 per edge; a half-cycle
 * ends ("the count expires") on the edge after the CE reaches 2, or for an
 * odd count in the high half one edge after it reaches 0.  That edge toggles
 * OUT and reloads the even part of N ("Mode 3: Square Wave Mode"): OUT is high
 * for (N + 1) / 2 and low for (N - 1) / 2 CLKs of each N.
 */
static struct pit_ce run_mode3(const struct pit_channel *c, struct pit_ce s, uint64_t k)
{
	uint64_t half = s.ce / 2u + (s.out && s.odd);
	uint32_t n, first_len;
	uint64_t p;
	bool first;

	if (half == 0)
		half = 1;
	if (k < half) {
		s.ce -= 2u * (uint32_t)k;
		return s;
	}
	k -= half;                /* edges after the toggle edge */
	n = reload(c, &s);
	if (n == 1)
		return s;
	first = !s.out;           /* level of the half-cycle the toggle starts */
	first_len = first ? (n + 1u) / 2u : n / 2u;
	p = k % n;
	s.odd = (n & 1u) != 0;
	if (p < first_len) {
		s.out = first;
		s.ce = (n & ~1u) - 2u * (uint32_t)p;
	} else {
		s.out = !first;
		s.ce = (n & ~1u) - 2u * (uint32_t)(p - first_len);
	}
	return s;
}

/* The state after k more CLK edges with the channel's current GATE, CR and mode. */
static struct pit_ce advance(const struct pit_channel *c, struct pit_ce s, uint64_t k)
{
	uint32_t m = modulus(c);

	if (k == 0)
		return s;
	if (s.load) {
		s = load(c, s);
		k--;
	}
	if (k == 0 || !s.counting)
		return s;
	switch (c->mode) {
	case 0:
	case 1:
		/* OUT rises when the CE reaches 0 and stays high; the CE wraps on. */
		if (!gate_enables(c))
			return s;
		if (!s.out && k >= to_zero(s.ce, m))
			s.out = true;
		s.ce = sub_mod(s.ce, k, m);
		return s;
	case 4:
	case 5:
		/* Model: the one-CLK strobe ends on the next edge even if GATE fell. */
		s.out = true;
		if (!gate_enables(c))
			return s;
		if (s.armed && k >= to_zero(s.ce, m)) {
			s.armed = false;
			s.out = k != to_zero(s.ce, m);
		}
		s.ce = sub_mod(s.ce, k, m);
		return s;
	case 2:
		return c->gate ? run_mode2(c, s, k) : s;
	default:
		return c->gate ? run_mode3(c, s, k) : s;
	}
}

/* Edges from s to the next OUT change, or 0 when OUT holds until the next input. */
static uint64_t next_change(const struct pit_channel *c, struct pit_ce s)
{
	uint32_t m = modulus(c);
	uint64_t d;

	if (s.load) {
		struct pit_ce s1 = advance(c, s, 1);

		if (s1.out != s.out)
			return 1;
		d = next_change(c, s1);
		return d ? d + 1 : 0;
	}
	if (!s.counting)
		return 0;
	switch (c->mode) {
	case 0:
	case 1:
		return !s.out && gate_enables(c) ? to_zero(s.ce, m) : 0;
	case 4:
	case 5:
		if (!s.out)
			return 1;
		return s.armed && gate_enables(c) ? to_zero(s.ce, m) : 0;
	case 2:
		if (!c->gate)
			return 0;
		d = s.out ? to_zero(s.ce, m) - 1 : 1;
		break;
	default:
		if (!c->gate)
			return 0;
		d = s.ce / 2u + (s.out && s.odd);
		if (d == 0)
			d = 1;
		break;
	}
	/* A reload to an illegal count of 1 may leave OUT high: no edge then. */
	return d && advance(c, s, d).out != s.out ? d : 0;
}

/* The state just after CLK edge e (the anchor's state for e at or before the anchor). */
static struct pit_ce state_at_edge(const struct pit_channel *c, uint64_t e)
{
	return advance(c, c->st, e > c->anchor_edge ? e - c->anchor_edge : 0);
}

static struct pit_ce state_at(const struct pit *pit, const struct pit_channel *c, sim_ps now)
{
	return state_at_edge(c, edge_at(pit, now));
}

/* The time of the next OUT edge after CLK edge e, or SIM_NEVER. */
static sim_ps next_out_edge_at(const struct pit *pit, const struct pit_channel *c, uint64_t e)
{
	uint64_t d = next_change(c, state_at_edge(c, e));

	if (e < c->anchor_edge)
		e = c->anchor_edge;
	return d ? sim_tick_time(e + d, pit->clk) : SIM_NEVER;
}

/* Re-anchors the channel at now, before an input changes it. */
static void reanchor(struct pit *pit, struct pit_channel *c, sim_ps now)
{
	uint64_t e = edge_at(pit, now);

	if (e > c->anchor_edge) {
		c->st = advance(c, c->st, e - c->anchor_edge);
		c->anchor_edge = e;
	}
}

static uint16_t ce_value(const struct pit_channel *c, const struct pit_ce *s)
{
	return (uint16_t)(s->ce % modulus(c));
}

static uint8_t status_of(const struct pit_channel *c, const struct pit_ce *s)
{
	return (uint8_t)((s->out ? PIT_STATUS_OUT : 0u) |
			 (s->null_count ? PIT_STATUS_NULL_COUNT : 0u) | c->ctrl);
}

static bool out0_wired(const struct pit *pit)
{
	return pit->q && pit->out0 && pit->out0->set;
}

/*
 * Drives IRQ0 to OUT0 if it changed and, while someone observes OUT0, keeps
 * exactly one event at its next edge.  Unobserved, the line is driven only
 * at inputs and resyncs (as the HPET queues a match only when it has an
 * effect): a count of 2 would otherwise be an event every 838 ns.
 */
static void update_out0(struct pit *pit, sim_ps now)
{
	sim_ps next;
	uint64_t e;
	bool level;

	if (!out0_wired(pit))
		return;
	/* now's CLK edge once; the state again after IRQ0's listeners ran */
	e = edge_at(pit, now);
	level = state_at_edge(&pit->ch[0], e).out;
	if (level != pit->out0_level) {
		pit->out0_level = level;
		irq_set(pit->out0, level, now);
	}
	next = pit->observed && !pit->observed(pit->observed_ctx) ? SIM_NEVER :
	       next_out_edge_at(pit, &pit->ch[0], e);
	if (next == SIM_NEVER)
		sim_cancel(pit->q, &pit->out0_edge);
	else
		sim_schedule_firing(pit->q, &pit->out0_edge, next);
}

void pit_set_observer(struct pit *pit, pit_observed_fn *fn, const void *ctx)
{
	pit->observed = fn;
	pit->observed_ctx = fn ? ctx : NULL;
}

void pit_resync(struct pit *pit, sim_ps now)
{
	update_out0(pit, now);
}

static void out0_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	update_out0(sim_container_of(ev, struct pit, out0_edge), now);
}

static void channel_changed(struct pit *pit, unsigned ch, sim_ps now)
{
	if (ch == 0)
		update_out0(pit, now);
}

/* Counter latch command: the first latch holds until read; later ones are ignored. */
static void latch_count(struct pit *pit, struct pit_channel *c, sim_ps now)
{
	struct pit_ce s;

	if (c->count_latched)
		return;
	s = state_at(pit, c, now);
	c->latched_count = ce_value(c, &s);
	c->count_latched = true;
}

static void latch_status(struct pit *pit, struct pit_channel *c, sim_ps now)
{
	struct pit_ce s;

	if (c->status_latched)
		return;
	s = state_at(pit, c, now);
	c->status = status_of(c, &s);
	c->status_latched = true;
}

/* Read-back command ("Read-Back Command"): D5 = 0 latches counts, D4 = 0 statuses. */
static void read_back(struct pit *pit, uint8_t val, sim_ps now)
{
	for (unsigned ch = 0; ch < PIT_CHANNELS; ch++) {
		if (!(val & PIT_RB_CNT(ch)))
			continue;
		if (!(val & PIT_RB_NOT_COUNT))
			latch_count(pit, &pit->ch[ch], now);
		if (!(val & PIT_RB_NOT_STATUS))
			latch_status(pit, &pit->ch[ch], now);
	}
}

/*
 * A control word resets the channel's control logic and sets OUT at once
 * ("Programming"): low in mode 0, high otherwise.  NULL COUNT is set, both
 * flip-flops go to the LSB, and latches are dropped.  Model: the CE keeps its
 * value and stops until the next count is loaded.
 */
static void write_control(struct pit *pit, uint8_t val, sim_ps now)
{
	unsigned sc = val >> PIT_CW_SC_SHIFT;
	unsigned rw = (val >> PIT_CW_RW_SHIFT) & 3u;
	struct pit_channel *c;

	if (sc == 3) {
		read_back(pit, val, now);
		return;
	}
	c = &pit->ch[sc];
	if (rw == PIT_RW_LATCH) {
		latch_count(pit, c, now);
		return;
	}
	reanchor(pit, c, now);
	c->ctrl = val & 0x3fu;
	c->rw = (uint8_t)rw;
	c->mode = (val >> PIT_CW_M_SHIFT) & 7u;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = (val & PIT_CW_BCD) != 0;
	c->cr_valid = false;
	c->write_msb = false;
	c->read_msb = false;
	c->count_latched = false;
	c->status_latched = false;
	c->st.counting = false;
	c->st.load = false;
	c->st.armed = false;
	c->st.null_count = true;
	c->st.out = c->mode != 0;
	channel_changed(pit, sc, now);
}

/*
 * A count write ("Write Operations", "Mode Definitions").  Modes 0 and 4 load
 * on the next CLK; modes 2 and 3 too when not yet counting, otherwise at the
 * end of the current period or half-cycle; modes 1 and 5 wait for a trigger.
 * In mode 0 the first byte of a two-byte count stops counting and drives
 * OUT low at once; in the other modes it has no effect.
 */
static void write_count(struct pit *pit, unsigned ch, uint8_t val, sim_ps now)
{
	struct pit_channel *c = &pit->ch[ch];

	reanchor(pit, c, now);
	switch (c->rw) {
	case PIT_RW_LSB:
		c->cr = val;
		break;
	case PIT_RW_MSB:
		c->cr = (uint16_t)(val << 8);
		break;
	default:
		if (!c->write_msb) {
			c->cr_lsb = val;
			c->write_msb = true;
			if (c->mode == 0) {
				c->st.out = false;
				c->st.counting = false;
				c->st.load = false;
				channel_changed(pit, ch, now);
			}
			return;
		}
		c->cr = (uint16_t)(c->cr_lsb | val << 8);
		c->write_msb = false;
		break;
	}
	c->cr_valid = true;
	c->st.null_count = true;
	switch (c->mode) {
	case 0:
		c->st.out = false;
		c->st.load = true;
		break;
	case 4:
		c->st.load = true;
		break;
	case 2:
	case 3:
		if (!c->st.counting)
			c->st.load = true;
		break;
	default:
		break;
	}
	channel_changed(pit, ch, now);
}

/*
 * A counter read ("Read Operations"): a latched status first, then the latched
 * count, else the CE as it is at now.  Model: an unlatched read is exact at
 * now (the chip needs CLK inhibited); each byte samples the CE separately,
 * so an unlatched two-byte read can tear as on the chip.
 */
static uint8_t read_counter(struct pit *pit, unsigned ch, sim_ps now)
{
	struct pit_channel *c = &pit->ch[ch];
	uint32_t v;
	uint8_t byte;
	bool last;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		v = c->latched_count;
	} else {
		struct pit_ce s = state_at(pit, c, now);

		v = ce_value(c, &s);
	}
	if (c->bcd)
		v = to_bcd(v);
	switch (c->rw) {
	case PIT_RW_LSB:
		byte = (uint8_t)v;
		last = true;
		break;
	case PIT_RW_MSB:
		byte = (uint8_t)(v >> 8);
		last = true;
		break;
	default:
		byte = (uint8_t)(c->read_msb ? v >> 8 : v);
		last = c->read_msb;
		c->read_msb = !c->read_msb;
		break;
	}
	if (last)
		c->count_latched = false;
	return byte;
}

uint8_t pit_io_read(struct pit *pit, unsigned offset, sim_ps now)
{
	/* Port 0x43 is write-only ("No-Operation (3-State)"): the bus floats high. */
	if (offset >= PIT_PORT_CONTROL)
		return 0xff;
	return read_counter(pit, offset, now);
}

void pit_io_write(struct pit *pit, unsigned offset, uint8_t val, sim_ps now)
{
	if (offset == PIT_PORT_CONTROL)
		write_control(pit, val, now);
	else if (offset < PIT_PORT_CONTROL)
		write_count(pit, offset, val, now);
}

/*
 * Port 0x61.  Bit 4: on the AT a T flip-flop clocked by channel 1's OUT, which
 * the BIOS programs to mode 2, count 18, so it toggles every 18 CLKs =
 * 15.0857 us.  Model: it toggles every PIT_REFRESH_CLKS edges of CLK whatever
 * channel 1 does.  Bits 6, 7 (NMI sources) read 0; bits 1..3 read as written.
 */
uint8_t pit_port61_read(struct pit *pit, sim_ps now)
{
	uint8_t v = pit->port61_bits;

	if (pit->ch[2].gate)
		v |= PIT_P61_GATE2;
	if ((edge_at(pit, now) / PIT_REFRESH_CLKS) & 1u)
		v |= PIT_P61_REFRESH;
	if (pit_out(pit, 2, now))
		v |= PIT_P61_OUT2;
	return v;
}

void pit_port61_write(struct pit *pit, uint8_t val, sim_ps now)
{
	pit->port61_bits = val & PIT_P61_RW_MASK & ~PIT_P61_GATE2;
	pit_set_gate(pit, 2, (val & PIT_P61_GATE2) != 0, now);
}

static struct pit *pit_from_device(struct device *dev)
{
	assert(dev->ops == &pit_ops);
	return sim_container_of(dev, struct pit, base);
}

static struct pit *pit_from_port61(struct device *dev)
{
	assert(dev->ops == &port61_ops);
	return sim_container_of(dev, struct pit, port61);
}

static uint64_t pit_dev_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	if (offset > PIT_PORT_CONTROL)
		return 0xff;
	return pit_io_read(pit_from_device(dev), (unsigned)offset, now);
}

static void pit_dev_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
			  sim_ps now)
{
	if (offset <= PIT_PORT_CONTROL)
		pit_io_write(pit_from_device(dev), (unsigned)offset, (uint8_t)val, now);
}

static uint64_t port61_dev_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	return offset ? 0xff : pit_port61_read(pit_from_port61(dev), now);
}

static void port61_dev_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
			     sim_ps now)
{
	if (!offset)
		pit_port61_write(pit_from_port61(dev), (uint8_t)val, now);
}

/*
 * The next OUT0 edge, queued or not: a bare clock_step goes there whether or
 * not anybody observes IRQ0, as QEMU's i8254 always arms its timer.
 */
static sim_ps pit_dev_next_deadline(const struct device *dev)
{
	const struct pit *pit = sim_container_of(dev, const struct pit, base);

	if (sim_event_pending(&pit->out0_edge))
		return pit->out0_edge.when;
	return out0_wired(pit) ? pit_next_out_edge(pit, 0, pit->q->now) : SIM_NEVER;
}

static void pit_dev_finish(struct device *dev)
{
	pit_finish(sim_container_of(dev, struct pit, base));
}

/* The PIT answers for its port 0x61 device too: that one has no events of its own. */
static const struct device_ops pit_ops = {
	.kind = "pit",
	.min_size = 1,
	.max_size = 1,
	.read = pit_dev_read,
	.write = pit_dev_write,
	.next_deadline = pit_dev_next_deadline,
	.finish = pit_dev_finish,
};

static const struct device_ops port61_ops = {
	.kind = "pit-port61",
	.min_size = 1,
	.max_size = 1,
	.read = port61_dev_read,
	.write = port61_dev_write,
};

void pit_init(struct pit *pit, const char *name, struct sim_eventq *q, struct sim_freq clk,
	      const struct irq_line *out0)
{
	if (!name)
		name = "pit";
	memset(pit, 0, sizeof(*pit));
	snprintf(pit->port61_name, sizeof(pit->port61_name), "%s.port61", name);
	snprintf(pit->event_name, sizeof(pit->event_name), "%s.out0", name);
	pit->base = (struct device){ .ops = &pit_ops, .name = name };
	pit->port61 = (struct device){ .ops = &port61_ops, .name = pit->port61_name };
	pit->q = q;
	pit->clk = clk;
	pit->out0 = out0;
	sim_event_init(&pit->out0_edge, pit->event_name, SIM_PRIO_DEVICE, out0_fire);
	for (unsigned ch = 0; ch < PIT_CHANNELS; ch++) {
		struct pit_channel *c = &pit->ch[ch];

		c->ctrl = PIT_RW_LSB_MSB << PIT_CW_RW_SHIFT;
		c->rw = PIT_RW_LSB_MSB;
		c->gate = ch != 2;
		c->st.null_count = true;
	}
}

void pit_finish(struct pit *pit)
{
	if (!pit || !pit->q)
		return;
	sim_cancel(pit->q, &pit->out0_edge);
	pit->q = NULL;
}

struct device *pit_device(struct pit *pit)
{
	return &pit->base;
}

struct device *pit_port61_device(struct pit *pit)
{
	return &pit->port61;
}

bool pit_out(const struct pit *pit, unsigned ch, sim_ps now)
{
	assert(ch < PIT_CHANNELS);
	return state_at(pit, &pit->ch[ch], now).out;
}

uint16_t pit_count(const struct pit *pit, unsigned ch, sim_ps now)
{
	struct pit_ce s;

	assert(ch < PIT_CHANNELS);
	s = state_at(pit, &pit->ch[ch], now);
	return ce_value(&pit->ch[ch], &s);
}

bool pit_gate(const struct pit *pit, unsigned ch)
{
	assert(ch < PIT_CHANNELS);
	return pit->ch[ch].gate;
}

uint8_t pit_status(const struct pit *pit, unsigned ch, sim_ps now)
{
	struct pit_ce s;

	assert(ch < PIT_CHANNELS);
	s = state_at(pit, &pit->ch[ch], now);
	return status_of(&pit->ch[ch], &s);
}

sim_ps pit_next_out_edge(const struct pit *pit, unsigned ch, sim_ps now)
{
	assert(ch < PIT_CHANNELS);
	return next_out_edge_at(pit, &pit->ch[ch], edge_at(pit, now));
}

/*
 * GATE ("Gate", table "Gate Pin Operations Summary"): the level enables
 * counting in modes 0, 2, 3, 4; low forces OUT high at once in modes 2, 3;
 * a rising edge (trigger) loads the CR on the next CLK in modes 1, 2, 3, 5.
 * Model: a trigger before any count was written is ignored.
 */
void pit_set_gate(struct pit *pit, unsigned ch, bool level, sim_ps now)
{
	struct pit_channel *c;

	assert(ch < PIT_CHANNELS);
	c = &pit->ch[ch];
	if (level == c->gate)
		return;
	reanchor(pit, c, now);
	c->gate = level;
	if (level) {
		if (c->mode != 0 && c->mode != 4 && c->cr_valid)
			c->st.load = true;
	} else if (c->mode == 2 || c->mode == 3) {
		c->st.out = true;
	}
	channel_changed(pit, ch, now);
}

static bool board_observed(const void *ctx)
{
	return irq_router_observed(ctx, IRQ_ROUTER_SRC_PIT);
}

static void board_resync(void *ctx, sim_ps now)
{
	pit_resync(ctx, now);
}

/*
 * The board's PIT: channel 0's OUT on IRQ0, ports 0x40-0x43 and the gate
 * port 0x61.  OUT0's edges are events only while the router says someone
 * observes IRQ0 (a listener or a trace subscriber, legacy replacement off).
 */
static bool board_attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	const sim_ps cost = pf->params.cost_ps[BOARD_DEV_PIT];
	struct pit *pit = s->chip;

	pit_init(pit, "pit0", pf->q, (struct sim_freq){ SIM_PIT_FREQ_NUM, SIM_PIT_FREQ_DEN },
		 irq_router_pit_line(&pf->irq));
	pit_set_observer(pit, board_observed, &pf->irq);
	irq_router_set_sync(&pf->irq, IRQ_ROUTER_SRC_PIT, board_resync, pit);
	s->dev = pit_device(pit);
	return bus_map(&pf->io, PLATFORM_PIT_PORT, 4, pit_device(pit), cost, "pit", err) &&
	       bus_map(&pf->io, PLATFORM_PIT_PORT61, 1, pit_port61_device(pit), cost, "port61",
		       err);
}

const struct board_chip pit_chip = {
	.size = sizeof(struct pit),
	.cost_ps = PLATFORM_PIO_COST_PS_DEFAULT,
	.attach = board_attach,
};
