/*
 * Motorola MC146818A RTC (rtc.h has the reference and the shape of the
 * model): the chip's state at each access (the flags and the clock settled
 * at `now`), IRQ8 and the one event, the bus device and the board's RTC.
 * The rest is in small parts: the date and time counting (rtc_calendar.c),
 * the register formats (rtc_format.c), the divider chain, update cycle and
 * UIP window (rtc_update.c), the register file and CMOS RAM (rtc_regs.c),
 * the alarm compare (rtc_alarm.c) and the profiles' periodic timer
 * (rtc_periodic.c).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/devices/rtc.h"

#include "sim/core/civil.h"
#include "sim/devices/platform.h"
#include "sim/devices/rtc_calendar.h"
#include "sim/devices/rtc_format.h"
#include "sim/devices/rtc_internal.h"
#include "sim/devices/rtc_update.h"

#define ENABLE_MASK (RTC_REG_B_PIE | RTC_REG_B_AIE | RTC_REG_B_UIE) /* = PF|AF|UF bits */

/* ---- the state, settled at each access ---- */

/*
 * Moves the anchor to `now`: latches the flags whose events happened in
 * (settled_ps, now] and advances the clock.  Returns whether a flag changed
 * or the event is left before now (either way: rtc_commit()).
 */
bool rtc_settle(struct rtc *rtc, sim_ps now)
{
	uint8_t old = rtc->flags;

	assert(now >= rtc->settled_ps);
	/*
	 * A profile's periodic timer may be due at settled_ps itself (a rate
	 * change that falls due at once, rtc_periodic.h): it is taken below even
	 * when no time has passed.  The chain's events are all after settled_ps.
	 */
	if (now > rtc->settled_ps && rtc_running(rtc)) {
		struct rtc_clock c;

		if (!(rtc->flags & RTC_REG_C_UF) && rtc_next_uf_ps(rtc) <= now)
			rtc->flags |= RTC_REG_C_UF;
		if (!(rtc->flags & RTC_REG_C_AF) && rtc_next_af_ps(rtc) <= now)
			rtc->flags |= RTC_REG_C_AF;
		c = rtc_clock_at(rtc, now);
		rtc->cs = c.cs;
		rtc->dst_done_cs = c.dst_done;
	}
	if (!(rtc->flags & RTC_REG_C_PF) && rtc_next_pf_ps(rtc) <= now)
		rtc->flags |= RTC_REG_C_PF;
	rtc_periodic_pass(&rtc->periodic, now);
	rtc->settled_ps = now;
	/*
	 * A guest running ahead of the queue (platform_io_read_at()) can settle
	 * the chip past its queued event with no flag changing (the flag was
	 * already set): the event must move too, or it would fire before the
	 * chip's time.
	 */
	return rtc->flags != old ||
	       (rtc->q && sim_event_pending(&rtc->irq_ev) && rtc->irq_ev.when < now);
}

/* While running: the time bytes at settled_ps into tregs. */
void rtc_materialize(struct rtc *rtc)
{
	if (rtc_running(rtc))
		rtc_format_encode(rtc->reg_b, rtc->cs, rtc->wday_off, rtc->tregs);
}

/*
 * Starts the clock from the time bytes, at settled_ps.  It also forgets the
 * DSE fall-back already taken; the data sheet does not say how the chip
 * remembers it across writes.
 */
void rtc_load_clock(struct rtc *rtc)
{
	rtc_format_decode(rtc->reg_b, rtc->tregs, &rtc->cs, &rtc->wday_off);
	rtc->dst_done_cs = -1;
}

/* ---- IRQ8 and the one event ---- */

bool rtc_irqf(const struct rtc *rtc)
{
	return (rtc->flags & rtc->reg_b & ENABLE_MASK) != 0;
}

static sim_ps min_ps(sim_ps a, sim_ps b)
{
	return a < b ? a : b;
}

/*
 * Arms the event at the next time an enabled source sets its flag, whether
 * or not IRQ8 is already high: the chip's periodic, update and alarm events
 * go on while an interrupt is pending (the flag is set again, IRQ8 stays
 * high), and they are the board's deadlines for a bare qtest clock_step, as
 * QEMU's RTC timers stay armed.  An event that changes nothing re-arms.
 */
static void reschedule(struct rtc *rtc, sim_ps now)
{
	sim_ps t = SIM_NEVER;

	if (!rtc->q)
		return;
	if (rtc->reg_b & RTC_REG_B_PIE)
		t = min_ps(t, rtc_next_pf_ps(rtc));
	if (rtc->reg_b & RTC_REG_B_UIE)
		t = min_ps(t, rtc_next_uf_ps(rtc));
	if (rtc->reg_b & RTC_REG_B_AIE)
		t = min_ps(t, rtc_next_af_ps(rtc));
	if (t == SIM_NEVER)
		sim_cancel(rtc->q, &rtc->irq_ev);
	else    /* a flag already due (a profile's late periodic timer) is set at now */
		sim_schedule(rtc->q, &rtc->irq_ev, t < now ? now : t);
}

/*
 * Ends every state change: drives IRQ8 = IRQF if it changed and re-arms the
 * event.  irq_set() comes last, so a sink may read register C at once.
 */
void rtc_commit(struct rtc *rtc, sim_ps now)
{
	bool level = rtc_irqf(rtc);
	bool changed = level != rtc->irq_level;

	rtc->irq_level = level;
	reschedule(rtc, now);
	if (changed)
		irq_set(rtc->irq8, level, now);
}

static void irq_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct rtc *rtc = sim_container_of(ev, struct rtc, irq_ev);

	(void)q;
	rtc_settle(rtc, now);
	rtc_commit(rtc, now);
}

/* ---- the device ---- */

static uint64_t port_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now);
static void port_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
		       sim_ps now);

static sim_ps rtc_dev_next_deadline(const struct device *dev)
{
	const struct rtc *rtc = sim_container_of(dev, const struct rtc, base);

	return sim_event_pending(&rtc->irq_ev) ? rtc->irq_ev.when : SIM_NEVER;
}

static void rtc_dev_finish(struct device *dev)
{
	rtc_finish(sim_container_of(dev, struct rtc, base));
}

static const struct device_ops rtc_ops = {
	.kind = "rtc",
	.min_size = 1,
	.max_size = 1,
	.read = port_read,
	.write = port_write,
	.next_deadline = rtc_dev_next_deadline,
	.finish = rtc_dev_finish,
};

static struct rtc *rtc_from_device(struct device *dev)
{
	assert(dev->ops == &rtc_ops);
	return sim_container_of(dev, struct rtc, base);
}

static uint64_t port_read(struct device *dev, uint64_t offset, unsigned size, sim_ps now)
{
	struct rtc *rtc = rtc_from_device(dev);

	(void)size;
	if (offset == 0)
		return 0xff;             /* the index port is write-only */
	return rtc_read_reg(rtc, rtc->index, now);
}

static void port_write(struct device *dev, uint64_t offset, uint64_t val, unsigned size,
		       sim_ps now)
{
	struct rtc *rtc = rtc_from_device(dev);

	(void)size;
	if (offset == 0) {
		rtc->index = (uint8_t)(val & (RTC_CMOS_SIZE - 1));
		rtc->nmi_masked = val & 0x80;
		return;
	}
	rtc_write_reg(rtc, rtc->index, (uint8_t)val, now);
}

struct device *rtc_device(struct rtc *rtc)
{
	return &rtc->base;
}

bool rtc_nmi_masked(const struct rtc *rtc)
{
	return rtc->nmi_masked;
}

void rtc_init_at(struct rtc *rtc, const char *name, struct sim_eventq *q,
		 const struct irq_line *irq8, int64_t base_utc_s, sim_ps subsec_ps)
{
	int64_t days = rtc_floor_div(base_utc_s, RTC_SEC_PER_DAY);
	int64_t tod = base_utc_s - days * RTC_SEC_PER_DAY;
	int64_t y, cday;
	unsigned m, d;

	assert(subsec_ps < SIM_PS_PER_S);
	memset(rtc, 0, sizeof(*rtc));
	rtc->base.ops = &rtc_ops;
	rtc->base.name = name;
	rtc->q = q;
	rtc->irq8 = irq8;
	snprintf(rtc->ev_name, sizeof(rtc->ev_name), "%s.irq", name ? name : "rtc");
	sim_event_init(&rtc->irq_ev, rtc->ev_name, SIM_PRIO_DEVICE, irq_fire);
	rtc->compat = compat_default();
	rtc->reg_a = RTC_DV_32KHZ | 0x06;
	rtc->reg_b = RTC_REG_B_24H;

	/* The chain is subsec_ps past a 1 Hz edge (count 2^14) at now = 0. */
	rtc->div_stages = 15;
	rtc->div_ps = 0;
	rtc->div_cyc = UINT64_C(1) << 14;
	rtc->div_lead_ps = subsec_ps;
	rtc->run_ps = 0;
	rtc->settled_ps = 0;

	sim_civil_from_days(days, &y, &m, &d);
	cday = rtc_calendar_days(y, (int)m, d);
	rtc->cs = cday * RTC_SEC_PER_DAY + tod;
	rtc->dst_done_cs = -1;
	/* 1970-01-01 was a Thursday: day of week 5 with Sunday = 1. */
	rtc->wday_off = (unsigned)rtc_floor_mod(rtc_floor_mod(days + 4, 7) - cday, 7);
	rtc_format_encode(rtc->reg_b, rtc->cs, rtc->wday_off, rtc->tregs);
}

void rtc_set_compat(struct rtc *rtc, const struct compat_profile *c)
{
	rtc->compat = c ? c : compat_default();
	rtc->div_stages = rtc_dv_stages(rtc, rtc->reg_a);
}

void rtc_init(struct rtc *rtc, const char *name, struct sim_eventq *q,
	      const struct irq_line *irq8, int64_t base_utc_s)
{
	rtc_init_at(rtc, name, q, irq8, base_utc_s, 0);
}

void rtc_finish(struct rtc *rtc)
{
	if (rtc && rtc->q)
		sim_cancel(rtc->q, &rtc->irq_ev);
}

int64_t rtc_time_utc_s(const struct rtc *rtc, sim_ps now)
{
	int64_t cs, day, y;
	unsigned wday_off;
	int m, d;

	if (rtc_running(rtc))
		cs = rtc_clock_at(rtc, now).cs;
	else
		rtc_format_decode(rtc->reg_b, rtc->tregs, &cs, &wday_off);
	day = rtc_floor_div(cs, RTC_SEC_PER_DAY);
	rtc_calendar_date(day, &y, &m, &d);
	return sim_days_from_civil(y, (unsigned)m, d) * RTC_SEC_PER_DAY + (cs - day * RTC_SEC_PER_DAY);
}

static void board_defaults(struct platform_params *p)
{
	p->rtc_base_utc_s = PLATFORM_RTC_BASE_UTC_S_DEFAULT;
}

/* The board's RTC: IRQ8, ports 0x70-0x71. */
static bool board_attach(struct platform *pf, struct platform_slot *s, struct sim_diag *err)
{
	rtc_init(s->chip, "rtc0", pf->q, irq_router_rtc_line(&pf->irq), pf->params.rtc_base_utc_s);
	rtc_set_compat(s->chip, pf->params.compat);
	s->dev = rtc_device(s->chip);
	return bus_map(&pf->io, PLATFORM_RTC_PORT, 2, s->dev, pf->params.cost_ps[BOARD_DEV_RTC],
		       "rtc", err);
}

const struct board_chip rtc_chip = {
	.size = sizeof(struct rtc),
	.cost_ps = PLATFORM_PIO_COST_PS_DEFAULT,
	.defaults = board_defaults,
	.attach = board_attach,
};
