/*
 * A minimal QMP monitor for libqtest: the greeting, capabilities
 * negotiation, query-version, query-status and quit, with QEMU's error
 * classes and wording.  JSON is scanned by hand (cJSON stays in the loader).
 */
#ifndef SIM_QTEST_SERVER_QMP_H
#define SIM_QTEST_SERVER_QMP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"
#include "sim/qtest/server_conn.h"

struct qmp {
	struct conn c;
	bool negotiated;
};

/* Sends the greeting on a new monitor connection. */
void qmp_greet(struct qmp *m);

/*
 * Handles what arrived on m at simulated time now (the SHUTDOWN event is
 * stamped rtc_base_s + now).  Returns true when a client asked to quit.
 * Closes m at end of input (QEMU runs on when a monitor goes away).
 */
bool qmp_input(struct qmp *m, sim_ps now, int64_t rtc_base_s);

#endif
