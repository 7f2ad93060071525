/*
 * Reports of a scenario run: the human summary for a terminal (report.c) and
 * the machine-readable JSON report for CI (report_json.c, format in
 * docs/report-format.md).  Both are byte-identical for the same scenario and
 * seed.
 */
#ifndef SIM_CLI_REPORT_H
#define SIM_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/cli/json_out.h"
#include "sim/core/diag.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

struct report_tally {
	unsigned expectations;
	unsigned met;
};

/* Counts the scenario's expectations and how many hold. */
struct report_tally report_tally(const struct scenario *s, const struct machine *m);

/*
 * Writes n bytes of file-provided text with control characters and bytes
 * that are not UTF-8 escaped (\x1b, \u009b, \xff): a file can never drive
 * the terminal through the report or an error line.
 */
void report_put_text(FILE *f, const char *text, size_t n);

void report_human(FILE *f, const struct scenario *s, const struct machine *m);

/* The JSON report's format name and version, its "format" key. */
#define REPORT_FORMAT "sim-report/2"

/* One element of the report's "scenarios" array; m NULL and err set when it did not run. */
void report_json_scenario(struct json_out *j, const char *file, const struct scenario *s,
			  const struct machine *m, const struct sim_diag *err);

/*
 * One oracle check of a reader (or of a clock `sim judge` judged): its
 * verdict line, its first violation in the check's words (and its cause, when
 * not NULL), and whether its expectation holds.  cpu: "vCPU" or "CPU".
 */
void report_human_check(FILE *f, enum oracle_check_id c, const struct oracle_check_config *cc,
			const struct oracle_check_result *r, const char *cpu, const char *cause);

/* The same check as one object of the JSON report's "checks" array. */
void report_json_check(struct json_out *j, enum oracle_check_id id,
		       const struct oracle_check_config *cc, const struct oracle_check_result *r,
		       const char *cause);

/* The human report's units: a signed duration ("+1.500 us"), a true time ("12.000000 s"). */
char *report_fmt_ps(char *buf, size_t len, int64_t ps, bool sign);
char *report_fmt_t(char *buf, size_t len, sim_ps t);

/* "flag_truth", "tsc_sync", ...: a host check kind as both reports name it. */
const char *report_host_check_name(enum scn_host_check_kind k);

#endif
