/* Compatibility profiles: one table each (compat.h). */
#include "sim/devices/compat.h"

#include <string.h>

/* MC146818A register A, DV2-0: 22, 20 or 15 stages; test modes and reset hold the chain. */
const struct compat_profile compat_datasheet = {
	.name = "datasheet",
	.rtc_dv_stages = { 22, 20, 15, 0, 0, 0, 0, 0 },
	.rtc_uip_lead_ps = 8 * SIM_PS_PER_S / 32768,     /* t_BUC: 8 cycles, 244.140625 us */
	.rtc_update_cycle_ps = 1984 * SIM_PS_PER_US,     /* Table 6: t_UC */
	.rtc_format_change_keeps_time = false,
	.rtc_periodic = COMPAT_PERIODIC_DIVIDER_TAP,
};

/*
 * QEMU 7.2 (Debian 1:7.2+dfsg-7+deb12u18), measured: see
 * /work/shared/docs/qemu-7.2-deviations.md and sim/devices/known/qemu-7.2.json.
 * hw/rtc/mc146818rtc.c: rtc_running() takes DV <= 010 as the 32.768 kHz base;
 * UIP_HOLD_LENGTH is 244140 ns; UF and AF are set when the update timer fires
 * at the second boundary, UIP clearing there; cmos_ioport_read() renders the
 * time bytes from the running time in the current format.  system/qtest.c
 * (7.2) warps the clock to any target, the current time included.
 */
const struct compat_profile compat_qemu_7_2 = {
	.name = "qemu-7.2",
	.rtc_dv_stages = { 15, 15, 15, 0, 0, 0, 0, 0 },
	.rtc_uip_lead_ps = 244140 * SIM_PS_PER_NS,
	.rtc_update_cycle_ps = 0,
	.rtc_format_change_keeps_time = true,
	.rtc_periodic = COMPAT_PERIODIC_FROM_PROGRAMMING,
	.qtest_step_zero_ok = true,
	.qtest_idle_step_ok = true,
	.qtest_set_past_ok = true,
	.qtest_ioapic_absolute_fails = true,
};

static const struct compat_profile *const profiles[] = {
#define COMPAT_ROW(id, name, table) [id] = &table,
	COMPAT_PROFILES(COMPAT_ROW)
#undef COMPAT_ROW
};
_Static_assert(sizeof(profiles) / sizeof(profiles[0]) == COMPAT_COUNT, "one table per profile");

const struct compat_profile *compat_default(void)
{
	return &compat_datasheet;
}

const struct compat_profile *compat_find(const char *name)
{
	for (unsigned i = 0; i < COMPAT_COUNT; i++)
		if (strcmp(profiles[i]->name, name) == 0)
			return profiles[i];
	return NULL;
}

const char *compat_names(void)
{
#define COMPAT_NAME(id, name, table) ", " name
	static const char all[] = COMPAT_PROFILES(COMPAT_NAME);
#undef COMPAT_NAME
	return all + 2;
}
