/*
 * The one executor of the qtest command language on the "pc" board, shared
 * by `sim qtest` sessions (protocol.c) and scenario device scripts
 * (sim/machine/script.c).  It performs an access or decides where a clock
 * command takes the clock; it never runs the event queue: a session runs it
 * to `until_ps` at once, a script schedules its next step there.
 *
 * Clock rule (QEMU's system/qtest.c): clock commands answer QEMU_CLOCK_VIRTUAL
 * in whole ns, and a bare `clock_step` advances by the deadline of the
 * earliest pending timer.  QEMU timers expire when the clock reaches their ns
 * deadline, so the step lands on the first whole ns at which the device has
 * changed.  sim's device events are in ps, so a bare `clock_step` goes to the
 * first whole ns at or after the board's next deadline (platform_next_deadline:
 * the board's devices only, never an APIC timer, a reader or a script), the
 * ceiling.  docs/qtest.md ("Time") has the rule and QEMU's own rounding.
 */
#ifndef SIM_QTEST_EXEC_H
#define SIM_QTEST_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/simtime.h"
#include "sim/devices/platform.h"
#include "sim/qtest/protocol.h"

/* The clock's last whole ns (sim_ps is 64-bit ps; SIM_NEVER is not a time). */
#define QTEST_CLOCK_MAX_NS ((SIM_NEVER - 1) / SIM_PS_PER_NS)

/* How the reply is worded (QEMU's formats). */
enum qtest_reply {
	QTEST_REPLY_OK,               /* "OK" */
	QTEST_REPLY_PORT,             /* "OK 0x%04x": in* */
	QTEST_REPLY_MEM,              /* "OK 0x%016x": read* */
	QTEST_REPLY_CLOCK,            /* "OK <ns>": clock commands */
	QTEST_REPLY_LITTLE,           /* "OK little": endianness */
	QTEST_REPLY_FAIL,             /* "FAIL <why>" */
	QTEST_REPLY_FAIL_CLOCK,       /* "FAIL <ns>": clock_set into the past */
};

struct qtest_result {
	enum qtest_reply reply;
	bool ok;                      /* the reply starts with OK */
	bool has_value;               /* value holds a read value or a clock */
	uint64_t value;               /* in*, read*: the value; clock commands: the clock in ns */
	sim_ps cost_ps;               /* accesses: simulated cost (a VM exit); else 0 */
	sim_ps until_ps;              /* the time the command ends: clock target, else now */
	char why[96];                 /* QTEST_REPLY_FAIL: the reason */
};

/*
 * Runs command c on pf at `now` (the board's queue time).  Accesses happen
 * at once; clock commands only compute until_ps (never before now).  The
 * answer of a clock command is until_ps in whole ns (rounded down: a
 * script's own time may lie between two ns; a session's never does).
 */
void qtest_exec(struct platform *pf, const struct qtest_command *c, sim_ps now,
		struct qtest_result *r);

/* The reply line for r, with its "\n"; returns its length (snprintf's rules). */
int qtest_format_reply(const struct qtest_result *r, char *buf, size_t len);

#endif
