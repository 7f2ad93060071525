/*
 * The scenario loader on a byte buffer, then machine assembly, as `sim
 * validate` does it (sim/cli/main.c cmd_validate): load with every error
 * listed, build the machine (it checks what the loader cannot: script
 * commands, wiring), locate a late error in the source, format every message,
 * free everything.  No run.
 */
#include <string.h>

#include "fuzz.h"
#include "sim/core/diag.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

/* A message is one bounded, NUL-terminated line. */
static void check_message(const struct sim_diag *d)
{
	char msg[1024];

	sim_diag_format(d, msg, sizeof(msg));
	FUZZ_ASSERT(memchr(msg, '\0', sizeof(msg)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_diag err;
	struct sim_diag_list errs;
	struct scenario *s;

	sim_diag_clear(&err);
	sim_diag_list_clear(&errs);
	s = scenario_parse_all("fuzz.json", (const char *)data, size, &err, &errs);
	if (!s) {
		/* refused: at least one reason, and the first one is err */
		FUZZ_ASSERT(err.msg[0] != '\0');
		FUZZ_ASSERT(errs.n <= SIM_DIAG_LIST_MAX);
		for (unsigned i = 0; i < errs.n; i++)
			check_message(&errs.items[i]);
		check_message(&err);
		return 0;
	}
	/* never dlopen a path the fuzzer wrote (the "plugins" key: docs/plugins.md) */
	s->nplugins = 0;
	struct machine *m = machine_create(s, &err);

	if (m) {
		machine_destroy(m);
	} else {
		unsigned line, col;

		FUZZ_ASSERT(err.msg[0] != '\0');
		if (err.path[0] && err.line == 0 && scenario_locate(s, err.path, &line, &col))
			sim_diag_set_pos(&err, line, col);
		check_message(&err);
	}
	scenario_destroy(s);
	return 0;
}
