/* `sim validate`: load each scenario and build its machine without running it. */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/machine/budget.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

static const char validate_help[] =
	"usage: sim validate [--max-events N] FILE...\n"
	"\n"
	"Checks that each scenario file is valid without running it; prints one line\n"
	"per file.  Exit status: 0 all valid, 2 otherwise.\n"
	"\n"
	"  --max-events N  the event budget, as for sim run (default 1000000000)\n";

int cmd_validate(int argc, char **argv)
{
	int status = EXIT_OK;
	unsigned nfiles = 0;
	uint64_t max_events = BUDGET_DEFAULT_MAX_EVENTS;

	for (int i = 0; i < argc; i++) {
		int st = EXIT_OK;

		if (cli_parse_max_events("validate", argc, argv, &i, &max_events, &st)) {
			if (st != EXIT_OK)
				return st;
			continue;
		}
		if (cli_is_help(argv[i])) {
			fputs(validate_help, stdout);
			return EXIT_OK;
		}
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error("validate", "unknown option %s", argv[i]);
	}
	for (int i = 0; i < argc; i++) {
		struct sim_diag err;
		struct sim_diag_list errs;
		struct scenario *s;

		if (strcmp(argv[i], "--max-events") == 0) {
			i++;
			continue;
		}
		sim_diag_clear(&err);
		s = scenario_load_all(argv[i], &err, &errs);
		nfiles++;
		/* Building the machine checks what the loader cannot (script commands, wiring). */
		if (s) {
			struct machine *m = budget_check(s, max_events, NULL, &err) ?
					    machine_create(s, &err) : NULL;

			if (m)
				machine_destroy(m);
			else
				cli_locate(&err, s);
			if (!m) {
				scenario_destroy(s);
				s = NULL;
			}
		}
		if (!s) {
			cli_print_diags(&err, &errs, NULL);
			status = EXIT_USAGE;
			continue;
		}
		printf("%s: valid (%s)\n", argv[i], s->name);
		scenario_destroy(s);
	}
	if (nfiles == 0)
		return cli_usage_error("validate", "%s", "no scenario file given");
	return status;
}
