/*
 * The MC146818A's divider chain and what is timed by it (private to the
 * RTC's files): update cycles, their UIP window, and when PF, UF and AF are
 * next set after rtc->settled_ps.  Data sheet, register A (DV2-0, RS3-0,
 * UIP), Tables 4 (divider), 5 (periodic rates) and 6 (update cycle times).
 *
 * Update cycles start on the rising edges of the divider's last stage (bit
 * stages - 1 of the cycle count; first one half a second after the chain
 * leaves reset, data sheet, register A, DV2-0) and end tUC later.  The time
 * registers show the new second from the start of the cycle; UF and AF are
 * set at its end (register C, "UF ... set after each update cycle").
 */
#ifndef SIM_DEVICES_RTC_UPDATE_H
#define SIM_DEVICES_RTC_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"
#include "sim/devices/rtc.h"
#include "sim/devices/rtc_calendar.h"

/* Stages by DV2-0, from the profile: 000 22, 001 20, 010 15; test modes and 11x: held (0). */
unsigned rtc_dv_stages(const struct rtc *rtc, uint8_t reg_a);

/* Whether the clock runs: SET = 0 and the divider counts. */
bool rtc_running(const struct rtc *rtc);

/* The clock at now >= settled_ps (running). */
struct rtc_clock rtc_clock_at(const struct rtc *rtc, sim_ps now);

/*
 * When PF is next set after settled_ps: the tap's next rising edge, or the
 * profile's timer, which may be due already (at or before settled_ps).
 */
sim_ps rtc_next_pf_ps(const struct rtc *rtc);

/* When UF is next set after settled_ps: the end of the next update cycle. */
sim_ps rtc_next_uf_ps(const struct rtc *rtc);

/* When AF is next set after settled_ps: the end of a cycle whose result matches. */
sim_ps rtc_next_af_ps(const struct rtc *rtc);

#endif
