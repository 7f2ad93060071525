/* `sim qtest`: QEMU's qtest protocol on the pc board (sim/qtest/server.h). */
#include <stdio.h>

#include "sim/cli/cli.h"
#include "sim/qtest/server.h"

/* `sim qtest`: the server prints nothing itself; its texts and errors are printed here. */
int cmd_qtest(int argc, char **argv)
{
	const char *text = NULL;
	struct sim_diag err;
	int st;

	sim_diag_clear(&err);
	st = qtest_main(argc, argv, &text, &err);
	if (text)
		fputs(text, stdout);
	if (st != 0 && err.msg[0])
		fprintf(stderr, "sim qtest: %s\n", err.msg);
	return st;
}
