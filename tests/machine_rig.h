/* What the machine-level tests share: a scenario from inline JSON, and a machine run to its end. */
#ifndef TESTS_MACHINE_RIG_H
#define TESTS_MACHINE_RIG_H

#include <criterion/criterion.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

static inline struct scenario *parse(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	return s;
}

static inline struct machine *run(const struct scenario *s)
{
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	return m;
}

/* The starts of the reads on vCPU or CPU 0, from the trace (SIM_TRACE_READ), in order. */
struct read_starts {
	unsigned n;
	sim_ps start_ps[64];
};

static inline void keep_read_starts(void *ctx, const struct sim_trace_record *rec)
{
	struct read_starts *r = ctx;

	if (rec->u.read.vcpu != 0)
		return;
	cr_assert_lt(r->n, 64u, "more reads than the test keeps");
	r->start_ps[r->n++] = rec->u.read.start_ps;
}

#endif
