/*
 * `sim qtest`: the qtest protocol (protocol.h) served over stdin/stdout or,
 * as a drop-in for the QEMU binary libqtest launches, over the unix sockets
 * given by -qtest and -chardev/-mon, with a minimal QMP monitor.  See
 * docs/qtest.md for the options accepted and ignored.
 *
 * This is the one place that reads the host's wall clock: once, at start-up,
 * for `-rtc base=utc` (the default) or `base=localtime`.
 */
#ifndef SIM_QTEST_SERVER_H
#define SIM_QTEST_SERVER_H

#include "sim/core/diag.h"
#include "sim/core/event.h"
#include "sim/devices/platform.h"

/*
 * Runs the server; argv holds the options after "sim qtest".  Returns the
 * process exit status: 0 on end of input, QMP quit or SIGTERM; 1 when a
 * socket cannot be used; 2 on invalid usage (e.g. -machine other than pc).
 * Prints nothing itself: on a non-zero status err says why, and for --help,
 * -version and -machine help *text is what the caller prints on stdout.
 */
int qtest_main(int argc, char **argv, const char **text, struct sim_diag *err);

/*
 * Changes the board before it is built: called once, after the options are
 * read and platform_params_default(pp) filled in, before platform_init, with
 * the queue q the board will run on (e.g. to stand a plugin's chip in for a
 * part, `sim qtest --plugin`).  Returns an exit status: non-zero (with err
 * set) ends the server before it serves anything.
 */
typedef int qtest_board_hook(void *ctx, struct sim_eventq *q, struct platform_params *pp,
			     struct sim_diag *err);

/* qtest_main with a board hook (hook NULL: none, as qtest_main). */
int qtest_main_hooked(int argc, char **argv, qtest_board_hook *hook, void *ctx,
		      const char **text, struct sim_diag *err);

#endif
