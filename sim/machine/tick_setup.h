/*
 * A "ticks" reader's clock from the scenario: the device's true tick rate
 * (docs/devices.md facts: the PIT's 105/88 MHz input divided by Linux's
 * LATCH, the RTC's 32768 Hz divided by register A's rate, the APIC timer at
 * hz), its lost-tick policy, its outages (the stalls; on a board on host
 * time the VM's pauses, snapshots and migrations too, which on a board on
 * the VM's time base stop the device instead) and the guest agent's syncs.
 */
#ifndef SIM_MACHINE_TICK_SETUP_H
#define SIM_MACHINE_TICK_SETUP_H

#include "sim/guest/tick_clock.h"
#include "sim/scenario/scenario.h"

/* All zero for a reader of another kind. */
struct tick_clock_config machine_tick_config(const struct scenario *s, const struct scn_reader *sr);

#endif
