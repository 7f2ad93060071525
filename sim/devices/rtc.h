/*
 * Motorola MC146818A real-time clock plus RAM, as a PC wires it: index port
 * 0x70 (bit 7 masks NMI), data port 0x71, IRQ8, 128 bytes of CMOS.
 * Reference: the MC146818A data sheet (Motorola, "CMOS Real-Time Clock Plus
 * RAM"), sections "Registers" (A-D), "Update cycle" (Table 6), "Interrupts",
 * Table 4 (divider) and Table 5 (periodic rates).
 *
 * Nothing ticks.  The divider chain is a count of 32.768 kHz crystal cycles,
 * a function of `now`; the clock is a count of chip seconds anchored at the
 * last register access; flags are derived lazily from both.  The only event
 * is the next setting of an enabled interrupt source's flag (PF, UF or AF),
 * armed whenever one is enabled, even while IRQ8 is already high.
 * docs/devices.md (section "RTC") lists the conventions and deviations.
 */
#ifndef SIM_DEVICES_RTC_H
#define SIM_DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/event.h"
#include "sim/core/irq.h"
#include "sim/core/simtime.h"
#include "sim/devices/compat.h"
#include "sim/devices/device.h"
#include "sim/devices/rtc_periodic.h"

/* Register indices (data sheet, "Address map"), plus the PC's century byte. */
#define RTC_SECONDS 0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES 0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS 0x04
#define RTC_HOURS_ALARM 0x05
#define RTC_DAY_OF_WEEK 0x06          /* 1 = Sunday */
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09                 /* 00-99 */
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c
#define RTC_REG_D 0x0d
#define RTC_CENTURY 0x32              /* PC convention (ACPI FADT CENTURY), not the chip's */
#define RTC_CMOS_SIZE 128             /* indices 0x00-0x7f; the index register has 7 bits */

#define RTC_REG_A_UIP 0x80            /* read-only: update in progress */
#define RTC_REG_A_DV 0x70             /* DV2-0: divider control */
#define RTC_REG_A_RS 0x0f             /* RS3-0: periodic rate select */
#define RTC_DV_4MHZ 0x00              /* 4.194304 MHz time base, 22 stages */
#define RTC_DV_1MHZ 0x10              /* 1.048576 MHz time base, 20 stages */
#define RTC_DV_32KHZ 0x20             /* 32.768 kHz time base, 15 stages (the PC's) */
#define RTC_DV_RESET 0x60             /* 11x: divider chain held in reset */

#define RTC_REG_B_SET 0x80
#define RTC_REG_B_PIE 0x40
#define RTC_REG_B_AIE 0x20
#define RTC_REG_B_UIE 0x10
#define RTC_REG_B_SQWE 0x08
#define RTC_REG_B_DM 0x04             /* 1 = binary, 0 = BCD */
#define RTC_REG_B_24H 0x02            /* 1 = 24-hour, 0 = 12-hour with PM in hours bit 7 */
#define RTC_REG_B_DSE 0x01

#define RTC_REG_C_IRQF 0x80
#define RTC_REG_C_PF 0x40
#define RTC_REG_C_AF 0x20
#define RTC_REG_C_UF 0x10

#define RTC_REG_D_VRT 0x80

#define RTC_HOURS_PM 0x80             /* 12-hour mode */
#define RTC_ALARM_DONT_CARE 0xc0      /* alarm bytes 0xc0-0xff match any value */

#define RTC_CRYSTAL_HZ 32768u         /* the PC board's time base */

/*
 * Data sheet, register A (UIP) and Table 6, "Update cycle times": UIP is 1
 * from at least t_BUC = 244 us before an update cycle until the cycle ends,
 * t_UC = 1984 us after it begins (32.768 kHz time base); UF is set "after
 * each update cycle" (register C), i.e. when UIP falls.  The chip raises UIP
 * from its divider chain: 8 cycles of the 32.768 kHz time base, 244.140625 us
 * (the table's 244 us rounded), which is also QEMU's UIP_HOLD_LENGTH.
 */
#define RTC_TBUC_CYCLES 8u
#define RTC_TBUC_PS (RTC_TBUC_CYCLES * SIM_PS_PER_S / RTC_CRYSTAL_HZ)  /* 244140625 ps */
#define RTC_TUC_PS (1984 * SIM_PS_PER_US)   /* duration of the update cycle */

/* The eight bytes the update cycle maintains (0x00, 0x02, 0x04, 0x06-0x09, 0x32): rtc_format.h. */
#define RTC_NTIME 8

struct rtc {
	struct device base;
	struct sim_eventq *q;
	const struct irq_line *irq8;
	struct sim_event irq_ev;        /* the next rise of IRQF */
	char ev_name[64];               /* "<name>.irq" */

	uint8_t index;                  /* port 0x70 bits 6:0 */
	bool nmi_masked;                /* port 0x70 bit 7 */
	uint8_t reg_a;                  /* DV2-0 and RS3-0; UIP is derived from `now` */
	uint8_t reg_b;
	uint8_t flags;                  /* register C's PF/AF/UF, as of settled_ps */
	bool irq_level;                 /* the level last driven on IRQ8 (= IRQF) */
	uint8_t cmos[RTC_CMOS_SIZE];    /* alarm bytes and RAM; time and A-D are kept apart */
	uint8_t tregs[RTC_NTIME];       /* the time bytes, authoritative while stopped */

	/*
	 * The divider chain: a count of crystal cycles since it left reset,
	 * count(t) = div_cyc + floor((t - div_ps + div_lead_ps) * 32768 Hz).
	 */
	unsigned div_stages;            /* 22, 20 or 15 by DV; 0 while held */
	sim_ps div_ps;
	uint64_t div_cyc;
	sim_ps div_lead_ps;             /* < 1 s: sub-second phase given at init */

	/* The clock, meaningful while running (SET = 0 and the divider counts). */
	sim_ps run_ps;                  /* running since; only update edges after it count */
	sim_ps settled_ps;              /* flags and the anchor below are valid at this time */
	int64_t cs;                     /* chip seconds at settled_ps (rtc_calendar.h) */
	int64_t dst_done_cs;            /* the DSE fall-back already taken, or -1 */
	unsigned wday_off;              /* day of week = (day + wday_off) % 7 + 1 */

	const struct compat_profile *compat;  /* never NULL: rtc_init sets the datasheet's */
	struct rtc_periodic periodic;   /* PF as a programmed timer (compat profiles only) */
};

/*
 * The RTC holds base_utc_s (seconds since 1970, UTC, proleptic Gregorian) at
 * now = 0, on a 1 Hz edge of its divider: update cycles start at k s (k >= 1),
 * when the seconds register advances, with UIP high from k s - 244.140625 us
 * to k s + 1984 us and UF set at its end.  Register A = 0x26 (32.768 kHz,
 * 1024 Hz), B = 0x02 (24-hour, BCD), as a PC BIOS leaves them; C = 0; D =
 * VRT; CMOS RAM zeroed; century byte (0x32) set.  irq8 may be NULL (not
 * connected); q may be NULL for a chip that never interrupts (tests).
 */
void rtc_init(struct rtc *rtc, const char *name, struct sim_eventq *q,
	      const struct irq_line *irq8, int64_t base_utc_s);

/*
 * As rtc_init, but the chip is subsec_ps (< 1 s) into second base_utc_s at
 * now = 0, so the first update ends at 1 s - subsec_ps (for a base given in
 * ns: base_utc_s = ns / 1e9, subsec_ps = ns % 1e9 * 1000).
 */
void rtc_init_at(struct rtc *rtc, const char *name, struct sim_eventq *q,
		 const struct irq_line *irq8, int64_t base_utc_s, sim_ps subsec_ps);

/* Cancels the pending event; accepts a zeroed rtc. */
void rtc_finish(struct rtc *rtc);

/* Ports 0x70 (offset 0, index; write-only, reads 0xff) and 0x71 (offset 1, data); 1-byte. */
struct device *rtc_device(struct rtc *rtc);

/* Bit 7 of the last byte written to port 0x70: NMI masked. */
bool rtc_nmi_masked(const struct rtc *rtc);

/*
 * The time the chip holds at `now`, as seconds since 1970: its date and
 * time registers (the century byte included) read as a UTC date.  While SET
 * is 1 or the divider is held, the registers as written.  `now` must not be
 * earlier than the last access.
 */
int64_t rtc_time_utc_s(const struct rtc *rtc, sim_ps now);

/* Register reads and writes without the index port (tests, the qtest server). */
uint8_t rtc_read_reg(struct rtc *rtc, uint8_t index, sim_ps now);
void rtc_write_reg(struct rtc *rtc, uint8_t index, uint8_t val, sim_ps now);

/* Follow profile c's table from now on (rtc_init: the datasheet's). */
void rtc_set_compat(struct rtc *rtc, const struct compat_profile *c);

/* Register A's UIP bit at `now`. */
bool rtc_update_in_progress(const struct rtc *rtc, sim_ps now);

#endif
