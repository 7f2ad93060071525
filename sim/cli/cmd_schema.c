/* `sim schema`: the scenario format as a JSON Schema, from the loader's tables. */
#include <stdio.h>
#include <stdlib.h>

#include "sim/cli/cli.h"
#include "sim/scenario/schema.h"

static const char schema_help[] =
	"usage: sim schema\n"
	"\n"
	"Prints the scenario format as a JSON Schema (draft 2020-12), written from the\n"
	"loader's own tables: docs/scenario.schema.json is this output, for editors.\n";

int cmd_schema(int argc, char **argv)
{
	char err[200];
	char *text;

	if (argc > 0 && cli_is_help(argv[0])) {
		fputs(schema_help, stdout);
		return EXIT_OK;
	}
	if (argc > 0)
		return cli_usage_error("schema", "unexpected argument %s", argv[0]);
	text = scenario_schema_json(err, sizeof(err));
	if (!text) {
		fprintf(stderr, "sim schema: %s\n", err);
		return EXIT_USAGE;
	}
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}

