/*
 * Intel 8254 programmable interval timer (PIT) and the PC's port 0x61.
 *
 * Reference: Intel 8254 datasheet (order no. 231164), sections "Control Word
 * Register", "Write Operations", "Read Operations" (counter latch command,
 * read-back command, status byte), "Mode Definitions" and "Operation Common
 * to All Modes".  All six modes, binary and BCD counting, the read/write
 * flip-flops, both latches and NULL COUNT are modelled; nothing ticks.  Each
 * channel stores what software wrote and the CLK edge of the last input, and
 * its counting element (CE) and OUT are pure functions of `now`.  Only
 * channel 0's OUT edges are events, and only while OUT0 is wired and someone
 * observes it (pit_set_observer): an edge nobody sees is not an event, and
 * OUT0 is computed when read, like OUT1 and OUT2.
 *
 * Time convention.  CLK edge n (n >= 1) happens at sim_tick_time(n, clk)
 * after t = 0: the crystal runs free and every channel shares it.  An input
 * (a port write, a gate change) at time t acts after every edge at or before
 * t, that is after edge E(t) = sim_ticks_in(t, clk); the first CLK edge after
 * the input is E(t) + 1.  "Loaded on the next CLK pulse" (datasheet, mode
 * definitions) means loaded at edge E(t) + 1, and that edge does not
 * decrement.  A read at t sees every edge up to E(t).
 */
#ifndef SIM_DEVICES_PIT_H
#define SIM_DEVICES_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/event.h"
#include "sim/core/irq.h"
#include "sim/core/platform_clocks.h"
#include "sim/core/simtime.h"
#include "sim/devices/device.h"

/* The PC's PIT input, 105/88 MHz (sim/core/platform_clocks.h). */
#define PIT_CLOCK_NUM SIM_PIT_FREQ_NUM
#define PIT_CLOCK_DEN SIM_PIT_FREQ_DEN

#define PIT_CHANNELS 3u

/* Port offsets inside the 4-byte region at 0x40. */
#define PIT_PORT_CH0 0u
#define PIT_PORT_CH1 1u
#define PIT_PORT_CH2 2u
#define PIT_PORT_CONTROL 3u

/* Control word (port 0x43), datasheet "Control Word Format". */
#define PIT_CW_SC_SHIFT 6           /* D7..D6: counter select; 3 = read-back */
#define PIT_CW_RW_SHIFT 4           /* D5..D4: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */
#define PIT_CW_M_SHIFT 1            /* D3..D1: mode; M2 is a don't-care for 2, 3 */
#define PIT_CW_BCD 0x01u            /* D0 */
#define PIT_RW_LATCH 0u
#define PIT_RW_LSB 1u
#define PIT_RW_MSB 2u
#define PIT_RW_LSB_MSB 3u

/* Read-back command, datasheet "Read-Back Command Format" (SC = 11). */
#define PIT_RB_NOT_COUNT 0x20u      /* D5 = 0 latches the count */
#define PIT_RB_NOT_STATUS 0x10u     /* D4 = 0 latches the status */
#define PIT_RB_CNT(ch) (0x02u << (ch))  /* D1 counter 0, D2 counter 1, D3 counter 2 */

/* Status byte, datasheet "Status Byte". */
#define PIT_STATUS_OUT 0x80u
#define PIT_STATUS_NULL_COUNT 0x40u  /* D5..D0 echo the control word's D5..D0 */

/* Port 0x61 ("port B" on the AT, NMI status and control on later chipsets). */
#define PIT_P61_GATE2 0x01u         /* rw: channel 2 GATE */
#define PIT_P61_SPEAKER 0x02u       /* rw: speaker data enable; stored, no sound */
#define PIT_P61_RW_MASK 0x0fu       /* bits 0..3 read back as written */
#define PIT_P61_REFRESH 0x10u       /* ro: refresh toggle, every 18 CLKs (15.0857 us) */
#define PIT_P61_OUT2 0x20u          /* ro: channel 2 OUT */
#define PIT_REFRESH_CLKS 18u        /* 216 / 14.31818 MHz: the AT BIOS's channel 1 count */

/*
 * The counting element and OUT just after the anchor edge of a channel.  Every
 * input re-anchors; between inputs the state follows from the mode, the
 * count register and the (constant) gate.
 */
struct pit_ce {
	uint32_t ce;              /* CE 0..M; M (65536 or 10000) is a full count just loaded */
	bool out;                 /* OUT pin */
	bool counting;            /* the CE decrements (once loaded after a control word) */
	bool load;                /* the next CLK edge transfers CR to CE */
	bool armed;               /* modes 4, 5: the next terminal count strobes OUT */
	bool odd;                 /* mode 3: the count in the CE came from an odd N */
	bool null_count;          /* CR written and not yet transferred to the CE */
};

struct pit_channel {
	uint8_t ctrl;             /* D5..D0 of the last control word, echoed in the status byte */
	uint8_t mode;             /* 0..5 (control word modes 6, 7 are 2, 3) */
	uint8_t rw;               /* PIT_RW_LSB, PIT_RW_MSB or PIT_RW_LSB_MSB */
	bool bcd;                 /* four-decade BCD counting */
	uint16_t cr;              /* count register as written (BCD digits when bcd) */
	bool cr_valid;            /* a whole count was written since the control word */
	uint8_t cr_lsb;           /* first byte of a two-byte write, until the second */
	bool write_msb;           /* write flip-flop: the next byte written is the MSB */
	bool read_msb;            /* read flip-flop: the next byte read is the MSB */
	bool count_latched;       /* output latch holds `latched_count` until read */
	uint16_t latched_count;   /* CE value at the latch, before BCD formatting */
	bool status_latched;
	uint8_t status;           /* status byte at the latch */
	bool gate;                /* GATE input level */
	uint64_t anchor_edge;     /* CLK edge index E(t) of the last input */
	struct pit_ce st;         /* state just after anchor_edge */
};

/* Whether anything observes OUT0's edges (the board asks its interrupt router). */
typedef bool pit_observed_fn(const void *ctx);

struct pit {
	struct device base;       /* ports 0x40-0x43 as offsets 0..3 */
	struct device port61;     /* port 0x61 as offset 0 */
	struct sim_eventq *q;     /* not owned */
	struct sim_freq clk;      /* CLK input of all three channels */
	const struct irq_line *out0;    /* OUT0 wire (IRQ0), or NULL */
	struct sim_event out0_edge;     /* next OUT0 edge; the only event of the PIT */
	bool out0_level;          /* level last driven on out0 */
	pit_observed_fn *observed;      /* NULL: always observed */
	const void *observed_ctx;
	uint8_t port61_bits;      /* port 0x61 bits 1..3 as written (bit 0 is gate 2) */
	struct pit_channel ch[PIT_CHANNELS];
	char port61_name[48];
	char event_name[48];
};

/*
 * Power-on state (undefined on the real chip): every channel as if the
 * control word "LSB then MSB, mode 0, binary" had been written and no count:
 * OUT low, NULL COUNT set, CE 0 and stopped.  Gates 0 and 1 are tied high;
 * gate 2 comes from port 0x61 bit 0, low at reset.  OUT0 starts low and the
 * line is assumed low: nothing is driven until OUT0 changes.  clk is the CLK
 * input (normally PIT_CLOCK_NUM / PIT_CLOCK_DEN); out0 may be NULL, and must
 * outlive the PIT otherwise; q must outlive it.
 */
void pit_init(struct pit *pit, const char *name, struct sim_eventq *q, struct sim_freq clk,
	      const struct irq_line *out0);

/*
 * OUT0's edges are events only while fn(ctx) says someone observes them
 * (default: always).  Whenever the answer may have changed, call
 * pit_resync() at that time: it drives OUT0's exact level and queues or
 * drops the next edge.
 */
void pit_set_observer(struct pit *pit, pit_observed_fn *fn, const void *ctx);
void pit_resync(struct pit *pit, sim_ps now);

/* Cancels the PIT's event; accepts a zeroed struct. */
void pit_finish(struct pit *pit);

/* Ports 0x40-0x43 as offsets 0..3; 1-byte accesses (min = max = 1). */
struct device *pit_device(struct pit *pit);

/* Port 0x61 as offset 0; 1-byte accesses.  Bits: see PIT_P61_*. */
struct device *pit_port61_device(struct pit *pit);

/* OUT of channel ch at now (now no earlier than the channel's last input). */
bool pit_out(const struct pit *pit, unsigned ch, sim_ps now);

/* Drives GATE of channel ch; a rising edge is a trigger (modes 1, 2, 3, 5). */
void pit_set_gate(struct pit *pit, unsigned ch, bool level, sim_ps now);

/*
 * The counting element of channel ch at now, as the datasheet defines it and
 * before BCD formatting: 0..65535 binary, 0..9999 BCD (a full count reads 0).
 */
uint16_t pit_count(const struct pit *pit, unsigned ch, sim_ps now);

/* GATE level of channel ch. */
bool pit_gate(const struct pit *pit, unsigned ch);

/* The status byte a read-back command would latch at now. */
uint8_t pit_status(const struct pit *pit, unsigned ch, sim_ps now);

/* Time of the next OUT change of channel ch after now, or SIM_NEVER. */
sim_ps pit_next_out_edge(const struct pit *pit, unsigned ch, sim_ps now);

/* Port accesses without the device indirection (offsets as pit_device). */
uint8_t pit_io_read(struct pit *pit, unsigned offset, sim_ps now);
void pit_io_write(struct pit *pit, unsigned offset, uint8_t val, sim_ps now);
uint8_t pit_port61_read(struct pit *pit, sim_ps now);
void pit_port61_write(struct pit *pit, uint8_t val, sim_ps now);

#endif
