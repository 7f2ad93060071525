/*
 * The qtest command language of QEMU (system/qtest.c, "QTest Protocol"),
 * executed against the "pc" board: one request per line, one response line
 * per request, with asynchronous "IRQ raise N" / "IRQ lower N" lines before
 * the response once interception is on.  Used by `sim qtest` and by scenario
 * device scripts.
 *
 * Requests and responses (numbers in requests: C strtoull/strtoll, base 0):
 *   outb|outw|outl ADDR VALUE          OK
 *   inb|inw|inl ADDR                   OK 0x%04x        (value as uint32)
 *   writeb|writew|writel|writeq ADDR VALUE   OK
 *   readb|readw|readl|readq ADDR       OK 0x%016x       (value as uint64)
 *   clock_step [NS]                    OK <new clock ns>
 *   clock_set NS                       OK <NS>, or FAIL <clock ns> when NS is in the past,
 *                                      FAIL time out of range: ... past the clock's end
 *   irq_intercept_in ioapic            OK
 *   irq_intercept_out QOM-PATH         as QEMU does for the I/O APIC (see protocol.c)
 *   endianness                         OK little
 * Anything else: "FAIL <reason>".  QEMU aborts on a malformed number or a
 * missing argument; here they answer FAIL and the session goes on.  A
 * command that would fire more events than the ceiling answers "FAIL event
 * limit: ..." (qtest_session_set_max_events).
 *
 * Commands run through the one executor (exec.h), shared with scenario
 * scripts; it also holds the rule for a bare clock_step.
 *
 * Time.  The protocol clock is the event queue's time; clock commands run the
 * queue (sim_eventq_run_until) and answer in whole nanoseconds.  Accesses
 * happen at the current time and never move it: QEMU's qtest clock moves only
 * by clock commands.  Each access's simulated cost is kept in last_cost_ps.
 * After every command the queue is run up to the current time, so events an
 * access scheduled for "now" fire (and their IRQ lines print) before the
 * response.
 */
#ifndef SIM_QTEST_PROTOCOL_H
#define SIM_QTEST_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/devices/irq_router.h"
#include "sim/devices/platform.h"

/* The commands scripts can run (irq_intercept_out is session-only). */
enum qtest_op {
	QTEST_OP_OUT,                 /* outb|outw|outl ADDR VALUE */
	QTEST_OP_IN,                  /* inb|inw|inl ADDR */
	QTEST_OP_WRITE,               /* writeb|writew|writel|writeq ADDR VALUE */
	QTEST_OP_READ,                /* readb|readw|readl|readq ADDR */
	QTEST_OP_CLOCK_STEP,          /* clock_step [NS] */
	QTEST_OP_CLOCK_SET,           /* clock_set NS */
	QTEST_OP_IRQ_INTERCEPT_IN,    /* irq_intercept_in ioapic */
	QTEST_OP_ENDIANNESS,          /* endianness */
};

/* One parsed request. */
struct qtest_command {
	enum qtest_op op;
	unsigned size;                /* accesses: 1, 2, 4 or 8 bytes */
	uint64_t addr;                /* accesses: port (<= 0xffff) or physical address */
	uint64_t value;               /* out/write: value, truncated to size as QEMU does;
					 clock_step: NS (> 0); clock_set: NS (>= 0) */
	bool has_arg;                 /* clock_step: NS given */
};

/*
 * Parses one request line (a trailing "\n" or "\r\n" is allowed).  On error
 * returns false with a reason in why, worded as the session's FAIL reply:
 * "Unknown command 'foo'", "missing argument", "bad number 'x'", "port
 * 0x10000 out of range", "could not advance time" (clock_step 0 or less),
 * "Unknown device" (an intercept target other than the I/O APIC), ...
 */
bool qtest_parse(const char *line, struct qtest_command *cmd, char *why, size_t whylen);

/* Receives output bytes: one whole line ("...\n") per call. */
typedef void qtest_write_fn(void *ctx, const char *buf, size_t len);

/*
 * Asked every QTEST_STOP_CHECK_EVENTS events inside one command: true stops
 * the session (a signal, a client that hung up).  Only whether the session
 * stops may depend on it, never what is simulated before.
 */
typedef bool qtest_stop_fn(void *ctx);

/*
 * The per-command event ceiling (`sim qtest --max-events N`): a command that
 * would fire more events than this stops with "FAIL event limit: ...".
 * 10^7 events take about 2 s of CPU (0.15 to 0.25 us each, measured; more
 * when each prints an IRQ line); QEMU's qtest suites need far fewer per step.
 */
#define QTEST_MAX_EVENTS_DEFAULT UINT64_C(10000000)
#define QTEST_STOP_CHECK_EVENTS 65536u

struct qtest_session {
	struct platform *pf;          /* not owned */
	struct sim_eventq *q;         /* not owned; the platform's queue */
	qtest_write_fn *write;
	void *ctx;
	bool intercept_set;           /* an irq_intercept_* command succeeded */
	bool intercept_in;            /* ... and it was _in: IRQ lines are reported */
	bool reported[IRQ_ROUTER_IOAPIC_PINS];  /* last level reported per line */
	/* Results of the last command, for scripts. */
	bool last_ok;                 /* the response was OK */
	uint64_t last_value;          /* value read (in*, read*) or clock in ns */
	sim_ps last_cost_ps;          /* simulated cost of the access, 0 otherwise */
	bool failed;                  /* the event queue failed; see error */
	struct sim_diag error;
	uint64_t max_events;          /* events one command may fire (> 0) */
	qtest_stop_fn *stop;          /* NULL: never asked */
	void *stop_ctx;
	bool stopped;                 /* stop() said so: the session is over */
};

/*
 * Starts a session on pf, whose queue is q.  Output goes to write(ctx, ...).
 * `irq_intercept_in` installs the session as the interrupt router's
 * listener: until then nobody observes the lines, and the PIT queues no
 * edges (docs/devices.md).
 */
void qtest_session_init(struct qtest_session *s, struct platform *pf, struct sim_eventq *q,
			qtest_write_fn *write, void *ctx);

/*
 * Sets the per-command event ceiling (0: QTEST_MAX_EVENTS_DEFAULT).  A clock
 * command that would fire more events stops once it has fired max_events,
 * at the first whole ns at or after the last one (events due there fire
 * too); the events due later stay pending, and the reply is "FAIL event
 * limit: ...".  The session goes on from there.
 */
void qtest_session_set_max_events(struct qtest_session *s, uint64_t max_events);

/* Installs the stop check (fn NULL: none). */
void qtest_session_set_stop(struct qtest_session *s, qtest_stop_fn *fn, void *ctx);

/* Removes the listener; accepts a zeroed session. */
void qtest_session_finish(struct qtest_session *s);

/*
 * Executes one request (without or with its trailing "\n" or "\r\n") and
 * writes its output.  Blank lines are ignored.  Returns false only when the
 * event queue failed (an event storm or a schedule error): the session
 * answered "FAIL ..." and cannot go on; or when the stop check ended it
 * (`stopped`; nothing is answered).
 */
bool qtest_session_line(struct qtest_session *s, const char *line);

/*
 * qtest_session_line() for a request of len bytes that may hold anything (a
 * socket's bytes): a NUL byte answers "FAIL NUL byte in request" and a
 * request of QTEST_LINE_MAX bytes or more "FAIL line too long", instead of
 * running what comes before them.
 */
#define QTEST_LINE_MAX 4096
bool qtest_session_input(struct qtest_session *s, const char *buf, size_t len);

/* The protocol clock: the queue's time in whole nanoseconds (rounded down). */
uint64_t qtest_session_clock_ns(const struct qtest_session *s);

#endif
