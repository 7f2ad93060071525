/* What every command shares: see cli.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/report.h"
#include "sim/core/units.h"

bool cli_is_help(const char *a)
{
	return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sim%s%s --help'.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

/*
 * Errors raised past the loader (the machine checks script commands, for
 * one) carry a JSON pointer but no position: find it in the source.
 */
void cli_locate(struct sim_diag *d, const struct scenario *s)
{
	unsigned line, col;

	if (s && d->path[0] && d->line == 0 && scenario_locate(s, d->path, &line, &col))
		sim_diag_set_pos(d, line, col);
}

void cli_print_diag(const struct sim_diag *d)
{
	char msg[1024];

	sim_diag_format(d, msg, sizeof(msg));
	/* line by line: the file's name and a quote of its text are the file's bytes */
	for (const char *line = msg; *line;) {
		size_t len = strcspn(line, "\n");

		report_put_text(stderr, line, len);
		fputc('\n', stderr);
		line += len + (line[len] == '\n');
	}
}

/* Every error the loader found (s NULL), or the one error d of a later stage. */
void cli_print_diags(const struct sim_diag *d, const struct sim_diag_list *l,
		     const struct scenario *s)
{
	if (s || l->n == 0) {
		cli_print_diag(d);
		return;
	}
	for (unsigned i = 0; i < l->n; i++)
		cli_print_diag(&l->items[i]);
	if (l->suppressed)
		fprintf(stderr, "%s: error: more errors were suppressed (only the first %u are "
			"shown)\n", d->file, SIM_DIAG_LIST_MAX);
}

/* --max-events N at argv[*i]: true when consumed, *status EXIT_USAGE after printing why. */
bool cli_parse_max_events(const char *cmd, int argc, char **argv, int *i, uint64_t *max,
			  int *status)
{
	char why[160];

	if (strcmp(argv[*i], "--max-events") != 0)
		return false;
	if (++*i >= argc)
		*status = cli_usage_error(cmd, "%s", "--max-events needs a number");
	else if (!sim_parse_u64(argv[*i], max, why, sizeof(why)))
		*status = cli_usage_error(cmd, "--max-events: %s", why);
	else if (*max == 0)
		*status = cli_usage_error(cmd, "%s", "--max-events must be at least 1");
	return true;
}

