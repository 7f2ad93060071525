/*
 * A guest reading the date from the CMOS RTC through ports 0x70/0x71, as
 * Linux 6.12 does at boot: mach_get_cmos_time() -> mc146818_get_time()
 * (drivers/rtc/rtc-mc146818-lib.c).  mc146818_avoid_UIP() reads the
 * seconds, then register A; while UIP is set it waits 100 us and retries,
 * for at most 1 s (the timeout mach_get_cmos_time passes), then reads
 * minutes, hours, day, month, year and register B, re-checks UIP and the
 * seconds, and converts BCD unless register B says binary.  A year below
 * 70 is 20xx; the month is stored minus one; rtc_tm_to_time64() ->
 * mktime64() makes the seconds since 1970 without validating the fields.
 * When UIP never clears Linux gives up ("Unable to read current time from
 * RTC") and starts at 0, 1970-01-01.  No century register (a microVM has no
 * ACPI FADT century), 24-hour mode assumed.
 *
 * What a board without an RTC gives: ports floating at 0xff keep UIP set
 * (Linux: 1970-01-01 after 1 s); ports reading 0x00 (Firecracker) give
 * year 2000, month 0, day 0, which mktime64() turns into 943920000,
 * 1999-11-30T00:00:00Z (Hermit reported exactly this, hermit-os/kernel
 * #2548; its reader does the same arithmetic).
 */
#ifndef SIM_GUEST_CMOS_DATE_H
#define SIM_GUEST_CMOS_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/guest/pio.h"

struct cmos_date {
	int64_t unix_s;               /* what the guest takes as the time, s since 1970 */
	bool gave_up;                 /* UIP never cleared: Linux's fallback, 0 */
	unsigned tries;               /* mc146818_avoid_UIP() loops */
	uint8_t raw[7];               /* sec, min, hour, mday, mon, year, register B as read */
};

/* Reads the date at g->t; g->t moves past the accesses and waits. */
void cmos_read_date(struct guest_pio *g, struct cmos_date *out);

/* Linux's mktime64(): fields as given, no validation (month 1..12 expected). */
int64_t cmos_mktime64(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min,
		      unsigned sec);

#endif
