/*
 * `sim qtest`: QEMU's qtest protocol on the pc board (sim/qtest/server.h).
 * `--plugin PATH[:PART]` is sim's, handled here so that the qtest room needs
 * no plugin code: the options are taken out of argv, and the server's board
 * hook stands the plugins' chips in for the board's parts (docs/plugins.md).
 * QEMU's own single-dash `-plugin` (TCG plugins) stays a QEMU option the
 * server accepts and ignores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/plugin/plugin_set.h"
#include "sim/qtest/server.h"
#include "sim/scenario/scenario.h"

struct qtest_plugins {
	struct scn_plugin specs[SCN_MAX_PLUGINS];
	unsigned n;
	struct plugin_set *ps;
};

/*
 * Opens the plugins on the server's queue and hooks their board parts in.
 * A part that needs a VM was refused by name; one that comes with "all"
 * (PATH without :PART) is refused here, since sim qtest would silently not
 * use it.
 */
static int board_hook(void *ctx, struct sim_eventq *q, struct platform_params *pp,
		      struct sim_diag *err)
{
	struct qtest_plugins *qp = ctx;

	qp->ps = plugin_set_open(qp->specs, qp->n, q, err);
	if (!qp->ps)
		return EXIT_USAGE;
	for (unsigned p = 0; p < PLUGIN_PART_COUNT; p++) {
		const struct plugin_foreign *w = plugin_set_part(qp->ps, p);
		char board[80] = "";
		size_t n = 0;

		if (!w || !scn_plugin_part_needs_vm(p))
			continue;
		for (unsigned b = 0; b < PLUGIN_PART_COUNT; b++)
			if (!scn_plugin_part_needs_vm(b) && n < sizeof(board))
				n += (size_t)snprintf(board + n, sizeof(board) - n, "%s%s",
						      n ? ", " : "", plugin_part_name(b));
		sim_diag_fail(err, "--plugin %s: plugin \"%s\" implements part \"%s\" (%s), which "
			      "needs a VM, and sim qtest has none: give PATH:PART with a board part "
			      "(%s)", w->path, w->name, plugin_part_name(p), plugin_part_what(p),
			      board);
		plugin_set_close(qp->ps);
		qp->ps = NULL;
		return EXIT_USAGE;
	}
	plugin_set_board(qp->ps, pp);
	return EXIT_OK;
}

/*
 * Moves each `--plugin SPEC` out of argv (keeping the rest in order) into
 * qp->specs; *argc becomes the count left.  EXIT_OK or EXIT_USAGE (printed).
 */
static int take_plugins(int *argc, char **argv, struct qtest_plugins *qp)
{
	struct sim_diag err;
	int n = 0;

	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--plugin") != 0) {
			argv[n++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc)
			return cli_usage_error("qtest", "--plugin needs an argument: PATH[:PART]");
		if (qp->n >= SCN_MAX_PLUGINS)
			return cli_usage_error("qtest", "at most %u --plugin options", SCN_MAX_PLUGINS);
		sim_diag_clear(&err);
		if (!scn_plugin_from_spec(&qp->specs[qp->n], argv[++i], "sim qtest", &err))
			return cli_usage_error("qtest", "%s", err.msg);
		qp->n++;
	}
	*argc = n;
	return EXIT_OK;
}

/* `sim qtest`: the server prints nothing itself; its texts and errors are printed here. */
int cmd_qtest(int argc, char **argv)
{
	struct qtest_plugins *qp = calloc(1, sizeof(*qp));
	const char *text = NULL;
	struct sim_diag err;
	int st;

	if (!qp) {
		fprintf(stderr, "sim qtest: out of memory\n");
		return EXIT_EXPECTATION;
	}
	st = take_plugins(&argc, argv, qp);
	if (st != EXIT_OK) {
		free(qp);
		return st;
	}
	sim_diag_clear(&err);
	st = qtest_main_hooked(argc, argv, qp->n ? board_hook : NULL, qp, &text, &err);
	if (st != 0)
		plugin_set_amend(qp->ps, &err);
	/* last: the board's chips called into the plugins until the server returned */
	plugin_set_close(qp->ps);
	free(qp);
	if (text)
		fputs(text, stdout);
	if (st != 0 && err.msg[0])
		fprintf(stderr, "sim qtest: %s\n", err.msg);
	return st;
}
