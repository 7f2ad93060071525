/*
 * The qtest command language on the "pc" board.  Response texts follow
 * QEMU's system/qtest.c (read for facts, not copied): "OK 0x%04x" for in*,
 * "OK 0x%016" PRIx64 for read*, "OK <ns>" for the clock commands, "FAIL
 * Unknown command '<word>'", and the intercept replies.  Where QEMU asserts
 * (bad number, missing argument, port above 0xffff) this answers FAIL.
 *
 * Words are separated by runs of spaces or tabs and a trailing "\r" is
 * dropped (QEMU splits on single spaces); extra words are ignored, as QEMU
 * ignores them.
 */
#include "sim/qtest/protocol.h"

#include "sim/qtest/exec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 8
#define MAX_LINE QTEST_LINE_MAX

static void emitf(struct qtest_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emitf(struct qtest_session *s, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		n = sizeof(buf) - 1;
		buf[n - 1] = '\n';
	}
	if (s->write)
		s->write(s->ctx, buf, (size_t)n);
}

static void on_irq(void *ctx, unsigned line, bool level, sim_ps now)
{
	struct qtest_session *s = ctx;

	(void)now;
	if (!s->intercept_in || line >= IRQ_ROUTER_IOAPIC_PINS || s->reported[line] == level)
		return;
	s->reported[line] = level;
	emitf(s, "IRQ %s %u\n", level ? "raise" : "lower", line);
}

void qtest_session_init(struct qtest_session *s, struct platform *pf, struct sim_eventq *q,
			qtest_write_fn *write, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->pf = pf;
	s->q = q;
	s->write = write;
	s->ctx = ctx;
	s->max_events = QTEST_MAX_EVENTS_DEFAULT;
}

void qtest_session_set_max_events(struct qtest_session *s, uint64_t max_events)
{
	s->max_events = max_events ? max_events : QTEST_MAX_EVENTS_DEFAULT;
}

void qtest_session_set_stop(struct qtest_session *s, qtest_stop_fn *fn, void *ctx)
{
	s->stop = fn;
	s->stop_ctx = fn ? ctx : NULL;
}

void qtest_session_finish(struct qtest_session *s)
{
	if (!s || !s->pf)
		return;
	if (s->pf->irq.listener_ctx == s)
		irq_router_set_listener(&s->pf->irq, NULL, NULL);
	s->pf = NULL;
}

uint64_t qtest_session_clock_ns(const struct qtest_session *s)
{
	return sim_to_ns(s->q->now);
}

/* strtoull with base 0 that must consume the whole word. */
static bool parse_u64(const char *w, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!w || !*w)
		return false;
	errno = 0;
	v = strtoull(w, &end, 0);
	if (*end || errno)
		return false;
	*out = v;
	return true;
}

static bool parse_i64(const char *w, int64_t *out)
{
	char *end;
	long long v;

	if (!w || !*w)
		return false;
	errno = 0;
	v = strtoll(w, &end, 0);
	if (*end || errno)
		return false;
	*out = v;
	return true;
}

static unsigned access_size(char c)
{
	switch (c) {
	case 'b': return 1;
	case 'w': return 2;
	case 'l': return 4;
	case 'q': return 8;
	default: return 0;
	}
}

static uint64_t mask_of(unsigned size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* The board's one interrupt-controller object: "ioapic" or any QOM path ending in it. */
/* Where QEMU 7.2's pc machine puts its I/O APIC (hw/i386/pc_piix.c, ioapic_init_gsi()). */
#define QEMU72_IOAPIC_PATH "/machine/i440fx/ioapic"

static bool is_ioapic(const char *path)
{
	size_t n = strlen(path);

	return strcmp(path, "ioapic") == 0 || (n > 7 && strcmp(path + n - 7, "/ioapic") == 0);
}

struct words {
	char buf[MAX_LINE];
	char *w[MAX_WORDS + 1];
	size_t n;
};

/* Splits a line into words; false when it is too long. */
static bool split(const char *line, struct words *ws)
{
	size_t len = strcspn(line, "\n");
	char *p;

	ws->n = 0;
	ws->w[0] = NULL;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(ws->buf))
		return false;
	memcpy(ws->buf, line, len);
	ws->buf[len] = '\0';
	for (p = ws->buf; ws->n < MAX_WORDS;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		ws->w[ws->n++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	ws->w[ws->n] = NULL;
	return true;
}

static bool why_fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool why_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ADDR [VALUE] of an access command. */
static bool parse_access(char **w, bool has_value, uint64_t addr_max, struct qtest_command *cmd,
			 char *why, size_t whylen)
{
	if (!w[1] || (has_value && !w[2]))
		return why_fail(why, whylen, "missing argument");
	if (!parse_u64(w[1], &cmd->addr))
		return why_fail(why, whylen, "bad number '%.40s'", w[1]);
	if (cmd->addr > addr_max)
		return why_fail(why, whylen, "port 0x%" PRIx64 " out of range", cmd->addr);
	if (has_value) {
		if (!parse_u64(w[2], &cmd->value))
			return why_fail(why, whylen, "bad number '%.40s'", w[2]);
		cmd->value &= mask_of(cmd->size);
	}
	return true;
}

static bool parse_words(char **w, struct qtest_command *cmd, char *why, size_t whylen)
{
	const char *c = w[0];
	size_t n = strlen(c);
	int64_t ns;

	memset(cmd, 0, sizeof(*cmd));
	if (n == 4 && strncmp(c, "out", 3) == 0 && access_size(c[3]) && c[3] != 'q') {
		cmd->op = QTEST_OP_OUT;
		cmd->size = access_size(c[3]);
		return parse_access(w, true, 0xffff, cmd, why, whylen);
	}
	if (n == 3 && strncmp(c, "in", 2) == 0 && access_size(c[2]) && c[2] != 'q') {
		cmd->op = QTEST_OP_IN;
		cmd->size = access_size(c[2]);
		return parse_access(w, false, 0xffff, cmd, why, whylen);
	}
	if (n == 6 && strncmp(c, "write", 5) == 0 && access_size(c[5])) {
		cmd->op = QTEST_OP_WRITE;
		cmd->size = access_size(c[5]);
		return parse_access(w, true, UINT64_MAX, cmd, why, whylen);
	}
	if (n == 5 && strncmp(c, "read", 4) == 0 && access_size(c[4])) {
		cmd->op = QTEST_OP_READ;
		cmd->size = access_size(c[4]);
		return parse_access(w, false, UINT64_MAX, cmd, why, whylen);
	}
	if (strcmp(c, "clock_step") == 0) {
		cmd->op = QTEST_OP_CLOCK_STEP;
		if (!w[1])
			return true;
		if (!parse_i64(w[1], &ns))
			return why_fail(why, whylen, "bad number '%.40s'", w[1]);
		if (ns <= 0)
			return why_fail(why, whylen, "could not advance time");
		cmd->has_arg = true;
		cmd->value = (uint64_t)ns;
		return true;
	}
	if (strcmp(c, "clock_set") == 0) {
		cmd->op = QTEST_OP_CLOCK_SET;
		if (!w[1])
			return why_fail(why, whylen, "missing argument");
		if (!parse_i64(w[1], &ns))
			return why_fail(why, whylen, "bad number '%.40s'", w[1]);
		if (ns < 0)
			return why_fail(why, whylen, "clock_set to a negative time");
		cmd->has_arg = true;
		cmd->value = (uint64_t)ns;
		return true;
	}
	if (strcmp(c, "irq_intercept_in") == 0) {
		cmd->op = QTEST_OP_IRQ_INTERCEPT_IN;
		if (!w[1])
			return why_fail(why, whylen, "missing argument");
		if (!is_ioapic(w[1]))
			return why_fail(why, whylen, "Unknown device");
		if (w[2])
			return why_fail(why, whylen, "Interception of named in-GPIOs not yet supported");
		return true;
	}
	if (strcmp(c, "irq_intercept_out") == 0)
		return why_fail(why, whylen, "irq_intercept_out: the I/O APIC has no output lines");
	if (strcmp(c, "endianness") == 0) {
		cmd->op = QTEST_OP_ENDIANNESS;
		return true;
	}
	return why_fail(why, whylen, "Unknown command '%.60s'", c);
}

bool qtest_parse(const char *line, struct qtest_command *cmd, char *why, size_t whylen)
{
	struct words local;

	if (!split(line, &local))
		return why_fail(why, whylen, "line too long");
	if (local.n == 0)
		return why_fail(why, whylen, "empty line");
	return parse_words(local.w, cmd, why, whylen);
}

enum run_status { RUN_DONE, RUN_LIMIT, RUN_FAILED, RUN_STOPPED };

/* The first whole ns at or after t (t is never near SIM_NEVER here). */
static sim_ps ceil_to_ns(sim_ps t)
{
	return (t + SIM_PS_PER_NS - 1) / SIM_PS_PER_NS * SIM_PS_PER_NS;
}

/*
 * Runs the queue to `end` one instant at a time (the order of events is the
 * same as one sim_eventq_run_until), so that the event ceiling and the stop
 * check are looked at between instants.  At the ceiling the clock settles
 * on the first whole ns at or after the last instant run.  On a queue
 * failure answers FAIL and marks the session.
 */
static enum run_status run_to(struct qtest_session *s, sim_ps end)
{
	const uint64_t start = s->q->fired;
	uint64_t next_check = start + QTEST_STOP_CHECK_EVENTS;
	sim_ps next;

	while ((next = sim_eventq_next(s->q)) <= end) {
		if (s->q->fired - start >= s->max_events) {
			sim_ps stop = ceil_to_ns(s->q->now);

			if (!sim_eventq_run_until(s->q, stop, &s->error))
				break;
			/* Reaching the target within that last ns is no failure. */
			return stop == end ? RUN_DONE : RUN_LIMIT;
		}
		if (!sim_eventq_run_until(s->q, next, &s->error))
			break;
		if (s->q->fired >= next_check) {
			next_check = s->q->fired + QTEST_STOP_CHECK_EVENTS;
			if (s->stop && s->stop(s->stop_ctx)) {
				s->stopped = true;
				return RUN_STOPPED;
			}
		}
	}
	if (!s->q->failed && sim_eventq_run_until(s->q, end, &s->error))
		return RUN_DONE;
	if (s->q->failed)
		s->error = s->q->error;
	s->failed = true;
	s->last_ok = false;
	emitf(s, "FAIL event queue: %s\n", s->error.msg);
	return RUN_FAILED;
}

/* Answer OK; true: the session goes on. */
static bool ok(struct qtest_session *s)
{
	s->last_ok = true;
	emitf(s, "OK\n");
	return true;
}

/* Answer FAIL with a reason; true: the session goes on. */
static bool fail(struct qtest_session *s, const char *reason)
{
	s->last_ok = false;
	emitf(s, "FAIL %s\n", reason);
	return true;
}

static bool clock_fail_at(struct qtest_session *s)
{
	s->last_value = qtest_session_clock_ns(s);
	s->last_ok = s->pf->params.compat->qtest_set_past_ok;
	emitf(s, "%s %" PRIu64 "\n", s->last_ok ? "OK" : "FAIL", s->last_value);
	return true;
}

static bool clock_ok_now(struct qtest_session *s)
{
	s->last_value = qtest_session_clock_ns(s);
	s->last_ok = true;
	emitf(s, "OK %" PRIu64 "\n", s->last_value);
	return true;
}

/*
 * QEMU's rules (system/qtest.c): an unknown path answers "FAIL Unknown
 * device"; a named in-GPIO list is refused; once a device is intercepted the
 * same device answers OK again without change.  The I/O APIC has in-GPIOs
 * only, so irq_intercept_out on it intercepts nothing yet answers OK (with a
 * list name: no such list, "FAIL No intercepts installed").
 */
static bool exec_intercept(struct qtest_session *s, char **w, bool out)
{
	bool named;

	if (!w[1])
		return fail(s, "missing argument");
	named = w[2] != NULL;
	if (!is_ioapic(w[1]) || (s->pf->params.compat->qtest_ioapic_absolute_fails &&
				 w[1][0] == '/' && strcmp(w[1], QEMU72_IOAPIC_PATH) != 0))
		return fail(s, "Unknown device");
	if (named && !out)
		return fail(s, "Interception of named in-GPIOs not yet supported");
	if (s->intercept_set)
		return ok(s);
	if (out && named)
		return fail(s, "No intercepts installed");
	s->intercept_set = true;
	if (!out) {
		/*
		 * Only now does anybody observe the lines: lazy sources (the
		 * PIT) drive their exact levels, unreported, and queue edges.
		 */
		irq_router_set_listener(&s->pf->irq, on_irq, s);
		irq_router_observers_changed(&s->pf->irq, s->q->now);
	}
	s->intercept_in = !out;
	return ok(s);
}

/*
 * The shared executor does the work; the session runs the queue to where the
 * command ends (for an access: now, so that events it scheduled for now fire
 * and print their IRQ lines before the reply).
 */
static bool execute(struct qtest_session *s, const struct qtest_command *c)
{
	struct qtest_result r;
	char buf[160];
	int n;

	qtest_exec(s->pf, c, s->q->now, &r);
	s->last_cost_ps = r.cost_ps;
	switch (r.ok ? run_to(s, r.until_ps) : RUN_DONE) {
	case RUN_DONE:
		break;
	case RUN_LIMIT:
		s->last_ok = false;
		s->last_value = qtest_session_clock_ns(s);
		emitf(s, "FAIL event limit: the command would fire more than %" PRIu64
		      " events (--max-events); the clock stopped at %" PRIu64 " ns\n",
		      s->max_events, s->last_value);
		return true;
	case RUN_FAILED:
	case RUN_STOPPED:
		return false;
	}
	s->last_ok = r.ok;
	s->last_value = r.has_value ? r.value : 0;
	n = qtest_format_reply(&r, buf, sizeof(buf));
	if (n > 0 && (size_t)n < sizeof(buf) && s->write)
		s->write(s->ctx, buf, (size_t)n);
	return true;
}

bool qtest_session_line(struct qtest_session *s, const char *line)
{
	struct words ws;
	struct qtest_command cmd;
	char why[128];
	int64_t ns;

	s->last_ok = false;
	s->last_value = 0;
	s->last_cost_ps = 0;
	if (!split(line, &ws))
		return fail(s, "line too long");
	if (ws.n == 0)
		return true;
	if (s->stopped)
		return false;        /* the stop check ended the session */
	if (s->failed || s->q->failed) {
		s->failed = true;
		emitf(s, "FAIL event queue: %s\n", s->q->error.msg);
		return false;
	}
	/* The two replies the script parser words differently from QEMU. */
	if (strcmp(ws.w[0], "irq_intercept_in") == 0 || strcmp(ws.w[0], "irq_intercept_out") == 0)
		return exec_intercept(s, ws.w, ws.w[0][14] == 'o');
	if (strcmp(ws.w[0], "clock_set") == 0 && parse_i64(ws.w[1], &ns) && ns < 0)
		return clock_fail_at(s);
	/* QEMU 7.2 warps to now + NS, which for NS <= 0 is no move (compat.h, Q1). */
	if (strcmp(ws.w[0], "clock_step") == 0 && parse_i64(ws.w[1], &ns) && ns <= 0 &&
	    s->pf->params.compat->qtest_step_zero_ok)
		return clock_ok_now(s);
	if (!parse_words(ws.w, &cmd, why, sizeof(why)))
		return fail(s, why);
	return execute(s, &cmd);
}

bool qtest_session_input(struct qtest_session *s, const char *buf, size_t len)
{
	if (len >= MAX_LINE || memchr(buf, '\0', len)) {
		s->last_ok = false;
		s->last_value = 0;
		s->last_cost_ps = 0;
		return fail(s, len >= MAX_LINE ? "line too long" : "NUL byte in request");
	}
	/* buf need not be a C string: the request is its len bytes, nothing after them */
	char line[MAX_LINE];

	memcpy(line, buf, len);
	line[len] = '\0';
	return qtest_session_line(s, line);
}
