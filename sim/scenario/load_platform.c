/* "platform": the board's timer devices. */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>

#define P(m) offsetof(struct scn_platform, m)

static const struct field platform_rows[] = {
	{ ROW("hpet", F_CUSTOM, 0), .sub = &hpet_table },
	{ ROW("pmtimer", F_CUSTOM, 0), .sub = &pmtimer_table },
	{ ROW("rtc", F_CUSTOM, 0), .sub = &rtc_table },
	{ ROW("access_cost", F_CUSTOM, 0), .sub = &access_cost_table },
	{ ROW("devices", F_CUSTOM, 0), .sub = &devices_table },
	/* 0xff: the ISA bus floats high (QEMU); 0x00: Firecracker zeroes unhandled port reads */
	{ ROW("floating", F_UINT_HEX, P(float_byte)), .dflt = "0xff", .max = 0xff,
	  .what = "a byte (what an address no device decodes reads)" },
};

/* "14.31818MHz" is SIM_HPET_FREQ_HZ (tests/test_scenario.c checks that they agree). */
static const struct field hpet_rows[] = {
	{ ROW("frequency", F_FREQ, P(hpet.frequency)), .dflt = "14.31818MHz", .min = 1000000,
	  .max = 1000000000 },
	{ ROW("timers", F_UINT, P(hpet.timers)), .dflt = "3", .min = 3, .max = 32,
	  .what = "a number of comparators" },
	{ ROW("counter_bits", F_EITHER, P(hpet.counter_bits)), .dflt = "64", .min = 32, .max = 64,
	  .what = "a counter width in bits" },
};

static const struct field pmtimer_rows[] = {
	/* ACPI's PM1a_EVT/PM_TMR block as QEMU's PIIX4 places it */
	{ ROW("port", F_UINT_HEX, P(pmtimer.port)), .dflt = "0x608", .max = PORT_MAX,
	  .what = "a port (the first of the PM timer's 4)" },
	{ ROW("bits", F_EITHER, P(pmtimer.bits)), .dflt = "24", .min = 24, .max = 32,
	  .what = "a counter width in bits" },
};

static const struct field rtc_rows[] = {
	{ ROW("base", F_UTC, P(rtc.base_ns)) },        /* default: utc_start, set by code */
};

/* One key per board device (its stem), in the order of enum scn_device. */
static const struct field access_cost_rows[] = {
#define ACCESS_COST_ROW(id, stem) { ROW(#stem, F_DURATION_PS, P(cost_ps[SCN_DEV_##id])) },
	BOARD_DEVICES(ACCESS_COST_ROW)
#undef ACCESS_COST_ROW
};
_Static_assert(sizeof(access_cost_rows) / sizeof(access_cost_rows[0]) == SCN_DEV_COUNT,
	       "one access_cost key per board device");

/* One key per board device (its stem): false leaves it off the board. */
static const struct field devices_rows[] = {
#define DEVICES_ROW(id, stem) { ROW(#stem, F_BOOL, P(present[SCN_DEV_##id])), .dflt = "true" },
	BOARD_DEVICES(DEVICES_ROW)
#undef DEVICES_ROW
};
_Static_assert(sizeof(devices_rows) / sizeof(devices_rows[0]) == SCN_DEV_COUNT,
	       "one devices key per board device");

const struct field_table platform_table = FIELDS("platform", platform_rows);
const struct field_table hpet_table = FIELDS("platform.hpet", hpet_rows);
const struct field_table pmtimer_table = FIELDS("platform.pmtimer", pmtimer_rows);
const struct field_table rtc_table = FIELDS("platform.rtc", rtc_rows);
const struct field_table access_cost_table = FIELDS("platform.access_cost", access_cost_rows);
const struct field_table devices_table = FIELDS("platform.devices", devices_rows);

const char *device_key(enum scn_device d)
{
	return access_cost_rows[d].key;
}

/* Ports of the other devices, which the PM timer's 4 ports must not overlap. */
static const struct {
	unsigned first, last;
	const char *what;
} fixed_ports[] = {
	{ 0x40, 0x43, "the PIT's ports 0x40-0x43" },
	{ 0x61, 0x61, "the PIT's port 0x61" },
	{ 0x70, 0x71, "the RTC's ports 0x70-0x71" },
};

static bool check_pmtimer_port(struct loader *ld, const struct node *o, unsigned port)
{
	char path[PATH_LEN];

	for (size_t i = 0; i < sizeof(fixed_ports) / sizeof(fixed_ports[0]); i++)
		if (port <= fixed_ports[i].last && port + 3 >= fixed_ports[i].first) {
			join_key(path, o->path, "port");
			return fail(ld, path, "the PM timer's ports 0x%x-0x%x overlap %s", port,
				    port + 3, fixed_ports[i].what);
		}
	return true;
}

bool load_platform(struct loader *ld, const struct node *o)
{
	struct scn_platform *p = &ld->sc->platform;
	struct node hpet = { NULL, "" }, pm = { NULL, "" }, rtc = { NULL, "" }, cost = { NULL, "" };
	struct node devs = { NULL, "" };
	uint64_t seen = 0;

	p->rtc.base_ns = ld->sc->utc_start_ns;
	if (!load_fields(ld, o, &platform_table, 0, NULL, p, NULL))
		return false;
	if (o->json && (!node_get(ld, o, "hpet", false, &hpet) ||
			!node_get(ld, o, "pmtimer", false, &pm) ||
			!node_get(ld, o, "rtc", false, &rtc) ||
			!node_get(ld, o, "access_cost", false, &cost) ||
			!node_get(ld, o, "devices", false, &devs)))
		return false;
	if (!load_fields(ld, &hpet, &hpet_table, 0, NULL, p, NULL) ||
	    !load_fields(ld, &pm, &pmtimer_table, 0, NULL, p, NULL) ||
	    !check_pmtimer_port(ld, &pm, p->pmtimer.port) ||
	    !load_fields(ld, &rtc, &rtc_table, 0, NULL, p, NULL) ||
	    !load_fields(ld, &cost, &access_cost_table, 0, NULL, p, &seen) ||
	    !load_fields(ld, &devs, &devices_table, 0, NULL, p, NULL))
		return false;
	for (unsigned d = 0; d < SCN_DEV_COUNT; d++)
		p->has_cost[d] = seen >> d & 1;
	return true;
}
