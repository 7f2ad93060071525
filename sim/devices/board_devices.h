/*
 * The "pc" board's devices: one list, read by the board (sim/devices/
 * platform.c: one slot per row), the scenario model (enum scn_device,
 * "access_cost" keys), the machine and the build.  Header-only, so that the
 * plain-data scenario model can name a device without linking device code.
 *
 * X(ID, stem): the stem is the device's "access_cost" key, its chip's file
 * sim/devices/<stem>.c (which defines `const struct board_chip <stem>_chip`,
 * platform.h: how the board builds, maps and wires it) and its test
 * tests/test_<stem>.c.  sim/devices/meson.build and tests/meson.build read
 * the rows from this file: keep one row per line, starting with "X(".
 */
#ifndef SIM_DEVICES_BOARD_DEVICES_H
#define SIM_DEVICES_BOARD_DEVICES_H

#define BOARD_DEVICES(X)                                                           \
	X(PIT, pit)            /* i8254, ports 0x40-0x43 and 0x61, IRQ0 */          \
	X(RTC, rtc)            /* MC146818A, ports 0x70-0x71, IRQ8 */               \
	X(HPET, hpet)          /* MMIO 0xfed00000, 1 KiB */                         \
	X(PMTIMER, pmtimer)    /* ACPI PM timer, 4 ports (default 0x608) */

enum board_device {
#define BOARD_DEVICE_ENUM(id, stem) BOARD_DEV_##id,
	BOARD_DEVICES(BOARD_DEVICE_ENUM)
#undef BOARD_DEVICE_ENUM
	BOARD_DEV_COUNT
};

/* A NULL-terminated initializer of the names in enum order, for enum parsers. */
#define BOARD_DEVICE_NAME_ITEM(id, stem) #stem,
#define BOARD_DEVICE_NAMES_INIT { BOARD_DEVICES(BOARD_DEVICE_NAME_ITEM) NULL }

static inline const char *board_device_name(enum board_device d)
{
	static const char *const names[] = BOARD_DEVICE_NAMES_INIT;

	_Static_assert(sizeof(names) / sizeof(names[0]) == BOARD_DEV_COUNT + 1,
		       "one name per board device");
	return (unsigned)d < BOARD_DEV_COUNT ? names[d] : "?";
}

#endif
