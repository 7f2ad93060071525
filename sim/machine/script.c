/* Device scripts: see script.h. */
#include "sim/machine/script.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void record_mismatch(struct script_runner *r, unsigned cmd, sim_ps t, const char *expected,
			    const char *got)
{
	r->res.mismatches++;
	if (r->res.has_first)
		return;
	r->res.has_first = true;
	r->res.first.t_ps = t;
	r->res.first.command = cmd;
	snprintf(r->res.first.expected, sizeof(r->res.first.expected), "%s", expected);
	snprintf(r->res.first.got, sizeof(r->res.first.got), "%s", got);
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
	record_mismatch(r, r->window_cmd, r->window_start_ps, want, got);
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
 * Runs command i at `now`: performs the access or computes the clock
 * target.  Returns the time the next command starts, or SIM_NEVER after a
 * command that failed (the rest of the script cannot keep its timing).
 */
static sim_ps run_command(struct script_runner *r, unsigned i, sim_ps now)
{
	const struct qtest_command *c = &r->cmds[i];
	const struct scn_command *sc = &r->sc->commands[i];
	sim_ps cost = 0, next = now;
	uint64_t value = 0;
	bool has_value = false;
	char want[SCRIPT_TEXT_MAX], got[SCRIPT_TEXT_MAX];

	switch (c->op) {
	case QTEST_OP_OUT:
		platform_io_write(r->pf, (uint16_t)c->addr, (uint32_t)c->value, c->size, &cost);
		next = now + cost;
		break;
	case QTEST_OP_IN:
		value = platform_io_read(r->pf, (uint16_t)c->addr, c->size, &cost);
		has_value = true;
		next = now + cost;
		break;
	case QTEST_OP_WRITE:
		platform_mmio_write(r->pf, c->addr, c->value, c->size, &cost);
		next = now + cost;
		break;
	case QTEST_OP_READ:
		value = platform_mmio_read(r->pf, c->addr, c->size, &cost);
		has_value = true;
		next = now + cost;
		break;
	case QTEST_OP_CLOCK_STEP:
		if (c->has_arg) {
			next = sim_add_sat(now, c->value > SIM_NEVER / SIM_PS_PER_NS ?
					   SIM_NEVER : c->value * SIM_PS_PER_NS);
		} else {
			/* the next device deadline: not another script's or a reader's step */
			next = sim_eventq_next_of_prio(r->q, SIM_PRIO_DEVICE);
		}
		if (next == SIM_NEVER) {
			record_mismatch(r, i, now, "a pending device deadline to step to", "FAIL: none");
			return SIM_NEVER;
		}
		value = sim_to_ns(next);
		has_value = true;
		break;
	case QTEST_OP_CLOCK_SET:
		if (c->value > SIM_NEVER / SIM_PS_PER_NS || c->value * SIM_PS_PER_NS < now) {
			snprintf(want, sizeof(want), "a time at or after %" PRIu64 " ns", sim_to_ns(now));
			snprintf(got, sizeof(got), "FAIL: clock_set %" PRIu64, c->value);
			record_mismatch(r, i, now, want, got);
			return SIM_NEVER;
		}
		next = c->value * SIM_PS_PER_NS;
		value = c->value;
		has_value = true;
		break;
	case QTEST_OP_IRQ_INTERCEPT_IN:
	case QTEST_OP_ENDIANNESS:
		break;   /* scripts always see interrupts; the board is little-endian */
	}
	if (sc->has_expect) {
		r->res.checks++;
		if (!has_value || value != sc->expect) {
			snprintf(want, sizeof(want), "0x%" PRIx64, sc->expect);
			if (has_value)
				snprintf(got, sizeof(got), "0x%" PRIx64, value);
			else
				snprintf(got, sizeof(got), "no value");
			record_mismatch(r, i, now, want, got);
		}
	}
	return next;
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
			sim_diag_set_path(err, c->path);
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
