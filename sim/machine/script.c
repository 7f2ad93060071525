/* Device scripts: see script.h. */
#include "sim/machine/script.h"

#include "sim/qtest/exec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void record_mismatch(struct script_runner *r, unsigned cmd, sim_ps t, sim_ps end,
			    const char *expected, const char *got)
{
	struct script_mismatch *m;

	r->res.mismatches++;
	if (r->res.nlisted == SCRIPT_MAX_LISTED)
		return;
	m = &r->res.listed[r->res.nlisted++];
	m->t_ps = t;
	m->end_ps = end;
	m->command = cmd;
	snprintf(m->expected, sizeof(m->expected), "%s", expected);
	snprintf(m->got, sizeof(m->got), "%s", got);
	if (!r->res.has_first) {
		r->res.has_first = true;
		r->res.first = *m;
	}
}

/* "IRQ raise 0, IRQ lower 0" or "no interrupt". */
static void join_irqs(char *buf, size_t len, char list[][SCN_IRQ_EVENT_MAX], unsigned n,
		      bool overflow)
{
	size_t used = 0;

	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "no interrupt");
		return;
	}
	for (unsigned i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i]);
	if (overflow && used < len)
		snprintf(buf + used, len - used, ", ...");
}

/* The command in `window_cmd` is over: compare its interrupt lines. */
static void close_window(struct script_runner *r)
{
	const struct scn_command *c = &r->sc->commands[r->window_cmd];
	char want[SCRIPT_TEXT_MAX], got[SCRIPT_TEXT_MAX];
	bool same;

	r->window_open = false;
	if (!c->has_irqs)
		return;
	r->res.checks++;
	same = !r->irq_overflow && r->nirqs == c->nirqs;
	for (unsigned i = 0; same && i < c->nirqs; i++)
		same = strcmp(r->irqs[i], c->irqs[i]) == 0;
	if (same)
		return;
	join_irqs(want, sizeof(want), (char (*)[SCN_IRQ_EVENT_MAX])c->irqs, c->nirqs, false);
	join_irqs(got, sizeof(got), r->irqs, r->nirqs, r->irq_overflow);
	record_mismatch(r, r->window_cmd, r->window_start_ps, r->q->now, want, got);
}

void script_runner_irq(struct script_runner *r, unsigned line, bool level)
{
	if (!r->window_open)
		return;
	if (r->nirqs == SCN_MAX_IRQ_EVENTS) {
		r->irq_overflow = true;
		return;
	}
	snprintf(r->irqs[r->nirqs++], SCN_IRQ_EVENT_MAX, "IRQ %s %u", level ? "raise" : "lower",
		 line);
}

/*
 * A value in the radix the script wrote its "expect" in ("0x..." is hex,
 * a JSON number or a decimal string is decimal), so that a mismatch reads
 * like the line the user wrote.
 */
static void fmt_value(char *buf, size_t len, bool hex, uint64_t v)
{
	if (hex)
		snprintf(buf, len, "0x%" PRIx64, v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/*
 * Runs command i at `now` through the shared executor.  Returns the time the
 * next command starts, or SIM_NEVER after a command that failed (the rest of
 * the script cannot keep its timing).
 */
static sim_ps run_command(struct script_runner *r, unsigned i, sim_ps now)
{
	const struct qtest_command *c = &r->cmds[i];
	const struct scn_command *sc = &r->sc->commands[i];
	struct qtest_result res;
	sim_ps end;
	char want[SCRIPT_TEXT_MAX], got[SCRIPT_TEXT_MAX];

	qtest_exec(r->pf, c, now, &res);
	end = sim_add_sat(res.until_ps, res.cost_ps);
	if (!res.ok) {
		qtest_format_reply(&res, got, sizeof(got));
		got[strcspn(got, "\n")] = '\0';
		if (c->op == QTEST_OP_CLOCK_SET)
			snprintf(want, sizeof(want), "a time at or after %" PRIu64 " ns",
				 sim_to_ns(now));
		else
			snprintf(want, sizeof(want), "a pending device deadline to step to");
		record_mismatch(r, i, now, now, want, got);
		return SIM_NEVER;
	}
	if (sc->has_expect) {
		r->res.checks++;
		if (!res.has_value || res.value != sc->expect) {
			fmt_value(want, sizeof(want), sc->expect_hex, sc->expect);
			if (res.has_value)
				fmt_value(got, sizeof(got), sc->expect_hex, res.value);
			else
				snprintf(got, sizeof(got), "no value");
			record_mismatch(r, i, now, end, want, got);
		}
	}
	return end;
}

static void script_step(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct script_runner *r = sim_container_of(ev, struct script_runner, ev);
	sim_ps next;

	if (r->window_open)
		close_window(r);
	if (r->next >= r->sc->ncommands) {
		r->res.completed = true;
		return;
	}
	r->window_open = true;
	r->window_cmd = r->next;
	r->window_start_ps = now;
	r->nirqs = 0;
	r->irq_overflow = false;
	next = run_command(r, r->next++, now);
	r->res.commands_run++;
	if (next == SIM_NEVER) {
		r->window_open = false;
		return;
	}
	sim_schedule(q, &r->ev, next);
}

bool script_runner_init(struct script_runner *r, const struct scn_script *sc, struct platform *pf,
			struct sim_eventq *q, struct sim_diag *err)
{
	*r = (struct script_runner){ .sc = sc, .pf = pf, .q = q };
	/* Idle from the start: script_runner_finish cancels it even when parsing failed. */
	snprintf(r->name, sizeof(r->name), "script/%s", sc->name);
	sim_event_init(&r->ev, r->name, SIM_PRIO_SCRIPT, script_step);
	r->cmds = calloc(sc->ncommands ? sc->ncommands : 1, sizeof(*r->cmds));
	if (!r->cmds)
		return sim_diag_fail(err, "out of memory");
	for (unsigned i = 0; i < sc->ncommands; i++) {
		const struct scn_command *c = &sc->commands[i];
		char why[160];

		if (!qtest_parse(c->line, &r->cmds[i], why, sizeof(why))) {
			sim_diag_set_path(err, c->path);
			return sim_diag_fail(err, "\"%s\": %s", c->line, why);
		}
		if (c->has_expect && (r->cmds[i].op == QTEST_OP_OUT || r->cmds[i].op == QTEST_OP_WRITE ||
				      r->cmds[i].op == QTEST_OP_IRQ_INTERCEPT_IN ||
				      r->cmds[i].op == QTEST_OP_ENDIANNESS)) {
			char path[sizeof(err->path)];

			/* at the "expect" key (only the object form has one), not the command */
			snprintf(path, sizeof(path), "%s/expect", c->path);
			sim_diag_set_path(err, path);
			return sim_diag_fail(err, "\"%s\" returns no value, so it cannot have \"expect\"",
					     c->line);
		}
	}
	if (!sim_schedule(q, &r->ev, sc->at_ps))
		return sim_diag_fail(err, "script %s cannot start at a time already past", sc->name);
	return true;
}

void script_runner_finish(struct script_runner *r)
{
	if (!r)
		return;
	if (r->q)
		sim_cancel(r->q, &r->ev);
	free(r->cmds);
	r->cmds = NULL;
}

bool script_expectation_met(const struct script_runner *r)
{
	bool clean = r->res.completed && r->res.mismatches == 0;

	return r->sc->expect == ORACLE_EXPECT_PASS ? clean : !clean;
}
