/*
 * The PC's fixed timer rates, each derived from the 14.31818 MHz NTSC-era
 * reference (4 x 3.579545 MHz colour burst).  One place for the numbers that
 * devices, readers, host checks and the loader all need.
 */
#ifndef SIM_CORE_PLATFORM_CLOCKS_H
#define SIM_CORE_PLATFORM_CLOCKS_H

/* ACPI PM timer: ACPI 6.5 section 4.8.3.3; Linux PMTMR_TICKS_PER_SEC. */
#define SIM_PMTIMER_FREQ_HZ 3579545u
/* HPET main counter on PC chipsets (ICH/PCH datasheets: 69.841279 ns period). */
#define SIM_HPET_FREQ_HZ 14318180u
/* 8254 PIT input: 14.31818 MHz / 12, rounded as Linux's PIT_TICK_RATE. */
#define SIM_PIT_FREQ_HZ 1193182u
/* The exact PIT input, 105/88 MHz = 13125000/11 Hz (1193181.8 Hz). */
#define SIM_PIT_FREQ_NUM 13125000u
#define SIM_PIT_FREQ_DEN 11u

#endif
