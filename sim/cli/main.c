/*
 * sim: the command line's entry point.  It finds the command in the table
 * (CLI_COMMANDS, cli.h) and hands it the rest of argv; commands are the only
 * code that prints and choose exit codes:
 *   0  every expectation holds (run), every file is valid (validate)
 *   1  an expectation does not hold
 *   2  invalid input or usage
 */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

struct cli_command {
	const char *name;
	const char *synopsis;
	const char *summary;
	int (*fn)(int argc, char **argv);
};

static const struct cli_command commands[] = {
#define CLI_COMMAND_ROW(name, synopsis, summary) { #name, synopsis, summary, cmd_##name },
	CLI_COMMANDS(CLI_COMMAND_ROW)
#undef CLI_COMMAND_ROW
};

static void print_help(FILE *f)
{
	fputs("usage: sim COMMAND [ARGS]\n"
	      "\n"
	      "A deterministic x86 timer-hardware simulator and test oracle.\n"
	      "\n"
	      "commands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_command *c = &commands[i];
		int pad = 21 - (int)strlen(c->synopsis);

		fprintf(f, "  %s%*s%s\n", c->synopsis, pad > 1 ? pad : 1, "", c->summary);
	}
	fputs("\n"
	      "options:\n"
	      "  -h, --help           this help; `sim COMMAND --help` for a command's own\n"
	      "  --version            print the version\n"
	      "\n"
	      "exit status: 0 all expectations hold, 1 an expectation does not hold,\n"
	      "2 invalid input or usage.  Documentation: docs/ in the source tree.\n", f);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (cli_is_help(cmd)) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("sim " SIM_VERSION "\n");
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].fn(argc - 2, argv + 2);
	return cli_usage_error(NULL, "unknown command '%s'", cmd);
}
