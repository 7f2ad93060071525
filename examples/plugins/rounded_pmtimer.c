/*
 * Example 4: a deliberately wrong ACPI PM timer.  The chip counts at
 * 3.579545 MHz (ACPI 6.0 section 4.8.3.3, PM_TMR); this model uses the
 * rounded constant 3.58 MHz, 127 ppm fast, a mistake that reads plausibly in
 * code review and that a guest's pmtimer clocksource turns into 11 ms a
 * day.  Otherwise it is a correct 24-bit counter: TMR_VAL in bits 23:0, the
 * upper byte zero, little-endian bytes for narrower reads, writes ignored.
 */
#include <sim/plugin.h>

__extension__ typedef unsigned __int128 u128;

#define WRONG_HZ 3580000u         /* should be 3579545 */
#define PS_PER_S 1000000000000u

static uint64_t read_reg(void *state, uint64_t offset, unsigned size, uint64_t now_ps)
{
	uint64_t ticks = (uint64_t)(((u128)now_ps * WRONG_HZ) / PS_PER_S);
	uint32_t reg = (uint32_t)(ticks & 0xffffffu);
	uint64_t val = 0;

	(void)state;
	for (unsigned i = 0; i < size; i++) {
		uint64_t off = offset + i;

		val |= (uint64_t)(off < 4 ? (reg >> (8 * off)) & 0xff : 0xff) << (8 * i);
	}
	return val;
}

static void write_reg(void *state, uint64_t offset, uint64_t value, unsigned size, uint64_t now_ps)
{
	(void)state;
	(void)offset;
	(void)value;
	(void)size;
	(void)now_ps;                 /* PM_TMR is read-only */
}

static const struct sim_plugin_device device = {
	.replaces = "pmtimer",
	.read = read_reg,
	.write = write_reg,
};

static const struct sim_plugin_descriptor descriptor = {
	.abi_version = SIM_PLUGIN_ABI_VERSION,
	.min_abi_version = 1,
	.name = "rounded-pmtimer",
	.device = &device,
};

const struct sim_plugin_descriptor *sim_plugin_entry(void);

const struct sim_plugin_descriptor *sim_plugin_entry(void)
{
	return &descriptor;
}
