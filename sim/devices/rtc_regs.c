/*
 * The RTC's register file (data sheet, "Address map"): the time bytes,
 * registers A-D, and the alarm bytes and CMOS RAM, by index.  Each access
 * settles the chip at `now` first and commits it last (rtc_internal.h).
 */
#include "sim/devices/rtc.h"

#include "sim/devices/rtc_format.h"
#include "sim/devices/rtc_internal.h"
#include "sim/devices/rtc_periodic.h"
#include "sim/devices/rtc_update.h"

/*
 * DV2-0 and RS3-0.  Leaving reset (or a test mode) restarts the chain from
 * 0 exactly at the write (the crystal's own phase is not modelled), so the
 * first update begins half a second later; switching between time bases
 * keeps the count.  The clock restarts from its bytes either way.
 */
static void write_reg_a(struct rtc *rtc, uint8_t val, sim_ps now)
{
	bool was = rtc_running(rtc);
	unsigned stages = rtc_dv_stages(rtc, val);
	bool changed = stages != rtc->div_stages;
	int pie = rtc->reg_b & RTC_REG_B_PIE;

	rtc_materialize(rtc);
	if (changed) {
		if (rtc->div_stages == 0) {
			rtc->div_ps = now;
			rtc->div_cyc = 0;
			rtc->div_lead_ps = 0;
		}
		rtc->div_stages = stages;
	}
	if ((rtc->reg_a ^ val) & RTC_REG_A_RS)
		rtc_periodic_program(&rtc->periodic, rtc_periodic_cycles(rtc->reg_a, pie),
				     rtc_periodic_cycles(val, pie), now);
	rtc->reg_a = val & (uint8_t)~RTC_REG_A_UIP;
	if (rtc_running(rtc) && (!was || changed)) {
		rtc_load_clock(rtc);
		rtc->run_ps = now;
	}
}

/*
 * SET = 1 aborts an update cycle in progress and freezes the bytes; SET
 * going high clears UIE (data sheet, register B, UIE).  SET = 0 resumes from
 * the bytes; the next update starts at the chain's next 1 Hz edge.  A change
 * of DM or 24/12 while running reinterprets the bytes in the new format
 * (a profile may keep the time instead and render it in the new format).
 */
static void write_reg_b(struct rtc *rtc, uint8_t val, sim_ps now)
{
	bool was = rtc_running(rtc);
	uint8_t old = rtc->reg_b;

	rtc_materialize(rtc);
	if ((val & RTC_REG_B_SET) && !(old & RTC_REG_B_SET))
		val &= (uint8_t)~RTC_REG_B_UIE;
	if ((old ^ val) & RTC_REG_B_PIE)
		rtc_periodic_program(&rtc->periodic, rtc_periodic_cycles(rtc->reg_a, old & RTC_REG_B_PIE),
				     rtc_periodic_cycles(rtc->reg_a, val & RTC_REG_B_PIE), now);
	rtc->reg_b = val;
	if (!rtc_running(rtc))
		return;
	if (!was) {
		rtc_load_clock(rtc);
		rtc->run_ps = now;
	} else if (((old ^ val) & (RTC_REG_B_DM | RTC_REG_B_24H)) &&
		   !rtc->compat->rtc_format_change_keeps_time) {
		rtc_load_clock(rtc);
	}
}

void rtc_write_reg(struct rtc *rtc, uint8_t index, uint8_t val, sim_ps now)
{
	int slot;

	index &= RTC_CMOS_SIZE - 1;
	rtc_settle(rtc, now);
	slot = rtc_format_slot(index);
	if (slot >= 0) {
		bool run = rtc_running(rtc);

		rtc_materialize(rtc);
		/* "The high-order bit of the seconds byte is read only." */
		rtc->tregs[slot] = slot == RTC_T_SEC ? val & 0x7f : val;
		if (run)
			rtc_load_clock(rtc);
	} else if (index == RTC_REG_A) {
		write_reg_a(rtc, val, now);
	} else if (index == RTC_REG_B) {
		write_reg_b(rtc, val, now);
	} else if (index != RTC_REG_C && index != RTC_REG_D) {
		rtc->cmos[index] = val;          /* alarm bytes and RAM */
	}
	rtc_commit(rtc, now);
}

uint8_t rtc_read_reg(struct rtc *rtc, uint8_t index, sim_ps now)
{
	uint8_t val;
	int slot;

	index &= RTC_CMOS_SIZE - 1;
	slot = rtc_format_slot(index);
	if (slot >= 0) {
		if (rtc_settle(rtc, now))
			rtc_commit(rtc, now);
		if (rtc_running(rtc)) {
			uint8_t bytes[RTC_NTIME];

			rtc_format_encode(rtc->reg_b, rtc->cs, rtc->wday_off, bytes);
			return bytes[slot];
		}
		return rtc->tregs[slot];
	}
	switch (index) {
	case RTC_REG_A:
		return (uint8_t)(rtc->reg_a | (rtc_update_in_progress(rtc, now) ? RTC_REG_A_UIP : 0));
	case RTC_REG_B:
		return rtc->reg_b;       /* SQWE is stored only: there is no SQW pin */
	case RTC_REG_C:
		/* Reading C returns the flags and IRQF, then clears them all. */
		rtc_settle(rtc, now);
		val = (uint8_t)(rtc->flags | (rtc_irqf(rtc) ? RTC_REG_C_IRQF : 0));
		rtc->flags = 0;
		rtc_commit(rtc, now);
		return val;
	case RTC_REG_D:
		return RTC_REG_D_VRT;    /* the PS pin and power loss are not modelled */
	default:
		return rtc->cmos[index];
	}
}
