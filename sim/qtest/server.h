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

/*
 * Runs the server; argv holds the options after "sim qtest".  Returns the
 * process exit status: 0 on end of input, QMP quit or SIGTERM; 1 when a
 * socket cannot be used; 2 on invalid usage (e.g. -machine other than pc).
 * Prints nothing itself: on a non-zero status err says why, and for --help,
 * -version and -machine help *text is what the caller prints on stdout.
 */
int qtest_main(int argc, char **argv, const char **text, struct sim_diag *err);

#endif
