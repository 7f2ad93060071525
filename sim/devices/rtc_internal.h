/*
 * The steps of the RTC's state machine (rtc.c) that its register file
 * (rtc_regs.c) takes around each access; private to the RTC's files.
 */
#ifndef SIM_DEVICES_RTC_INTERNAL_H
#define SIM_DEVICES_RTC_INTERNAL_H

#include <stdbool.h>

#include "sim/core/simtime.h"
#include "sim/devices/rtc.h"

/* Moves the anchor to `now` (flags and clock); returns whether to rtc_commit(). */
bool rtc_settle(struct rtc *rtc, sim_ps now);

/* Ends every state change: drives IRQ8 = IRQF and re-arms the event. */
void rtc_commit(struct rtc *rtc, sim_ps now);

/* Register C's IRQF: a flag is set whose interrupt is enabled. */
bool rtc_irqf(const struct rtc *rtc);

/* While running: the time bytes at settled_ps into tregs. */
void rtc_materialize(struct rtc *rtc);

/* Starts the clock from the time bytes, at settled_ps. */
void rtc_load_clock(struct rtc *rtc);

#endif
