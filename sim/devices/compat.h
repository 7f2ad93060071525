/*
 * Compatibility profiles: where the board follows another implementation's
 * observable behaviour instead of the datasheets.  A profile is data, one
 * table per profile (compat.c), read by the devices and the qtest protocol
 * at the few places the behaviour differs; nothing else names a profile.
 *
 * The default, "datasheet", is sim's own model (docs/devices.md).
 * "qemu-7.2" reproduces QEMU 7.2's RTC and qtest protocol where QEMU's own
 * tests/qtest/rtc-test depends on them (docs/qtest.md, "Compatibility
 * profiles"); the measurements behind each entry are the ids of
 * sim/devices/known/qemu-7.2.json (R1..R14, Q1..Q7).
 */
#ifndef SIM_DEVICES_COMPAT_H
#define SIM_DEVICES_COMPAT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/* X(ID, name, table): the profiles, in the order `--compat help` lists them. */
#define COMPAT_PROFILES(X)                                \
	X(COMPAT_DATASHEET, "datasheet", compat_datasheet) \
	X(COMPAT_QEMU_7_2, "qemu-7.2", compat_qemu_7_2)

enum compat_id {
#define COMPAT_ENUM(id, name, table) id,
	COMPAT_PROFILES(COMPAT_ENUM)
#undef COMPAT_ENUM
	COMPAT_COUNT
};

/* How the RTC's periodic interrupt is phased (R3, R4). */
enum compat_rtc_periodic {
	/* PF on the rising edges of the divider tap RS selects, PIE or not (MC146818A Table 5). */
	COMPAT_PERIODIC_DIVIDER_TAP,
	/*
	 * QEMU 7.2 (hw/rtc/mc146818rtc.c, periodic_timer_update()): a timer
	 * that runs only while PIE = 1, first PF one whole period after PIE
	 * is set, a rate change counted from the last PF (at most one period
	 * back), on a 32768 Hz count of the clock since 0 and 1 ns late.
	 */
	COMPAT_PERIODIC_FROM_PROGRAMMING,
};

struct compat_profile {
	const char *name;
	/* RTC (MC146818A) */
	uint8_t rtc_dv_stages[8];        /* divider stages by DV2-0; 0: chain held (R5, R6) */
	sim_ps rtc_uip_lead_ps;          /* UIP rises this long before an update (R1) */
	sim_ps rtc_update_cycle_ps;      /* t_UC: UIP high and UF/AF late by this after it (R2) */
	bool rtc_format_change_keeps_time; /* DM or 24/12 changed while running: re-render (R7) */
	enum compat_rtc_periodic rtc_periodic;   /* R3, R4 */
	/* qtest protocol (docs/qtest.md) */
	bool qtest_step_zero_ok;         /* `clock_step 0` answers OK <now> (Q1) */
	bool qtest_idle_step_ok;         /* a bare clock_step with nothing pending: OK <now> (Q2) */
	bool qtest_set_past_ok;          /* `clock_set` into the past: OK <now> (Q3) */
	bool qtest_ioapic_absolute_fails; /* `/machine/ioapic`: FAIL Unknown device (Q4) */
};

#define COMPAT_DECLARE(id, name, table) extern const struct compat_profile table;
COMPAT_PROFILES(COMPAT_DECLARE)
#undef COMPAT_DECLARE

/* The default profile: the datasheets. */
const struct compat_profile *compat_default(void);

/* The profile called name, or NULL. */
const struct compat_profile *compat_find(const char *name);

/* "datasheet, qemu-7.2": every profile's name, for help and error texts. */
const char *compat_names(void);

#endif
