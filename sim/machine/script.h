/*
 * Device scripts: a scenario's timed register accesses in qtest's command
 * language, run on the board while the simulation runs, each checked against
 * the value and the interrupt lines the scenario expects.
 *
 * A script starts at its "at" time.  Commands run through the one qtest
 * executor (sim/qtest/exec.h), as in a `sim qtest` session.  Each access
 * takes the device's access cost of simulated time (a VM exit) before the
 * next command runs; `clock_step N` waits N ns, `clock_step` waits until the
 * first whole ns at or after the board's next device deadline (not another
 * script's, an APIC timer's or a guest reader's), `clock_set NS` waits until
 * NS.  A command's interrupt lines are those that changed level from its
 * start until the next command starts.  Steps run at SIM_PRIO_SCRIPT, so
 * they see every device event at their instant, as qtest sees the timers
 * that expired during a clock_step.
 *
 * Every mismatch counts; the first SCRIPT_MAX_LISTED are kept in full, each
 * with the times its command started and ended and the values in the radix
 * the qtest language answers in (clock commands in decimal ns, reads in hex).
 */
#ifndef SIM_MACHINE_SCRIPT_H
#define SIM_MACHINE_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/devices/platform.h"
#include "sim/qtest/protocol.h"
#include "sim/scenario/scenario.h"

#define SCRIPT_TEXT_MAX 128
#define SCRIPT_MAX_LISTED 16              /* mismatches kept in full; the count goes on */

struct script_mismatch {
	sim_ps t_ps;                      /* when the command started */
	sim_ps end_ps;                    /* when it ended: its clock target, or start + cost */
	unsigned command;                 /* index in the script */
	char expected[SCRIPT_TEXT_MAX];
	char got[SCRIPT_TEXT_MAX];
};

struct script_result {
	uint64_t commands_run;
	uint64_t checks;                  /* expectations evaluated (values, interrupt lists) */
	uint64_t mismatches;
	bool has_first;                   /* = nlisted > 0; first = listed[0] */
	struct script_mismatch first;
	unsigned nlisted;                 /* min(mismatches, SCRIPT_MAX_LISTED) */
	struct script_mismatch listed[SCRIPT_MAX_LISTED];
	bool completed;                   /* every command ran before the run ended */
};

struct script_runner {
	const struct scn_script *sc;
	struct platform *pf;
	struct sim_eventq *q;
	struct qtest_command *cmds;       /* parsed once, at init */
	struct sim_event ev;
	char name[48];
	unsigned next;                    /* next command to run */
	bool window_open;                 /* collecting the interrupts of command `window_cmd` */
	unsigned window_cmd;
	sim_ps window_start_ps;
	unsigned nirqs;
	bool irq_overflow;
	char irqs[SCN_MAX_IRQ_EVENTS][SCN_IRQ_EVENT_MAX];
	struct script_result res;
};

/* Parses every command (errors name the command's JSON pointer) and arms the first step. */
bool script_runner_init(struct script_runner *r, const struct scn_script *sc, struct platform *pf,
			struct sim_eventq *q, struct sim_diag *err);
void script_runner_finish(struct script_runner *r);

/* An intercepted interrupt line (ISA numbering) changed level. */
void script_runner_irq(struct script_runner *r, unsigned line, bool level);

/* Whether the script's "expect" holds: pass = completed without mismatch. */
bool script_expectation_met(const struct script_runner *r);

#endif
