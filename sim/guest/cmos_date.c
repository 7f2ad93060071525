/* The CMOS date as Linux reads it at boot: see cmos_date.h. */
#include "sim/guest/cmos_date.h"

#define RTC_PORT_INDEX 0x70
#define RTC_PORT_DATA 0x71
#define REG_A_UIP 0x80
#define REG_B_DM_BINARY 0x04
#define UIP_RECHECK_DELAY_PS (100 * SIM_PS_PER_US)
#define UIP_TIMEOUT_MS 1000u          /* mach_get_cmos_time(): mc146818_get_time(&tm, 1000) */

static uint8_t cmos_read(struct guest_pio *g, uint8_t reg)
{
	guest_outb(g, RTC_PORT_INDEX, reg);
	return guest_inb(g, RTC_PORT_DATA);
}

static unsigned bcd2bin(uint8_t v)
{
	return (v & 0x0fu) + (v >> 4) * 10u;
}

int64_t cmos_mktime64(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min,
		      unsigned sec)
{
	/* 1..12 -> 11, 12, 1..10: February last, for its leap day (unsigned, as Linux's) */
	if (0 >= (int)(mon -= 2)) {
		mon += 12;
		year -= 1;
	}
	return ((((int64_t)(year / 4 - year / 100 + year / 400 + 367 * mon / 12 + day) +
		  (int64_t)year * 365 - 719499) * 24 + hour) * 60 + min) * 60 + sec;
}

void cmos_read_date(struct guest_pio *g, struct cmos_date *out)
{
	uint8_t *r = out->raw;
	unsigned year, mon, v[6];

	*out = (struct cmos_date){ 0 };
	/* UIP_RECHECK_LOOPS_MS(i) = i / 10 with 100 us waits */
	for (unsigned i = 0; i / 10 < UIP_TIMEOUT_MS; i++) {
		uint8_t seconds = cmos_read(g, 0x00);

		out->tries = i + 1;
		if (cmos_read(g, 0x0a) & REG_A_UIP) {
			guest_delay(g, UIP_RECHECK_DELAY_PS);
			continue;
		}
		if (seconds != cmos_read(g, 0x00))
			continue;
		r[0] = seconds;
		r[1] = cmos_read(g, 0x02);
		r[2] = cmos_read(g, 0x04);
		r[3] = cmos_read(g, 0x07);
		r[4] = cmos_read(g, 0x08);
		r[5] = cmos_read(g, 0x09);
		r[6] = cmos_read(g, 0x0b);
		if (cmos_read(g, 0x0a) & REG_A_UIP) {
			guest_delay(g, UIP_RECHECK_DELAY_PS);
			continue;
		}
		if (seconds != cmos_read(g, 0x00))
			continue;
		goto got;
	}
	out->gave_up = true;          /* "Unable to read current time from RTC" */
	return;
got:
	for (unsigned k = 0; k < 6; k++)
		v[k] = r[6] & REG_B_DM_BINARY ? r[k] : bcd2bin(r[k]);
	year = v[5] < 70 ? v[5] + 100u : v[5];        /* tm_year: years since 1900 */
	mon = v[4];                                   /* tm_mon + 1 = the register, as read */
	out->unix_s = cmos_mktime64(year + 1900, mon, v[3], v[2], v[1], v[0]);
}
