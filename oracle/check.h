/*
 * One descriptor per oracle check: the single place that says what a check
 * is called, which unit its numbers are in, which scenario keys it accepts
 * and how reports word it.  The loader, the oracle and both reports read
 * these rows; none of them switches on a check id.
 *
 * Adding a check: its row X(ID, stem) in ORACLE_CHECK_IDS (oracle/oracle.h),
 * its row and feed_<stem>() in oracle/check.c, its tests in
 * tests/test_oracle.c (docs/HACKING.md).
 */
#ifndef ORACLE_CHECK_H
#define ORACLE_CHECK_H

#include <stdbool.h>

#include "oracle/oracle.h"

enum oracle_unit {
	ORACLE_UNIT_PS,           /* times: thresholds, worst values, bounds in ps */
	ORACLE_UNIT_PPB,          /* rates: parts per 10^9 */
	ORACLE_UNIT_COUNT
};

/* "ps", "ppb": the suffix of the JSON report's keys for values in this unit. */
const char *oracle_unit_name(enum oracle_unit unit);

/* Scenario keys a check accepts besides "expect" and "worst" (bits). */
enum oracle_param {
	ORACLE_PARAM_THRESHOLD = 1u << 0,   /* "threshold" (required when accepted) */
	ORACLE_PARAM_WINDOW = 1u << 1,      /* "window" */
	ORACLE_PARAM_PAUSE = 1u << 2,       /* "pause": include / exclude */
};

/* What the "first:" line of a report compares the offending read with. */
enum oracle_compared_with {
	ORACLE_VS_PREVIOUS,       /* the same reader's previous read */
	ORACLE_VS_OTHER_READER,   /* a read on another vCPU that completed first */
	ORACLE_VS_REFERENCE,      /* true time: the reference clock */
	ORACLE_VS_COUNT
};

struct oracle_compared_with_desc {
	const char *name;         /* the JSON report's "compared_with": "previous_read" */
	/*
	 * The human report's words after "at T vCPU N read V", with placeholders
	 * for the other read: {other_t} (its true end time), {other_value} (its
	 * value, or the reference), {cpu} ("vCPU" or "CPU"), {other_vcpu}.
	 */
	const char *wording;
};

const struct oracle_compared_with_desc *oracle_compared_with_desc(enum oracle_compared_with w);

struct oracle_check_desc {
	const char *name;                 /* the scenario key: "max_error" */
	enum oracle_unit unit;            /* of threshold, worst and the expected range */
	unsigned params;                  /* enum oracle_param bits */
	const char *window_default;       /* "1s" when ORACLE_PARAM_WINDOW, in the file's syntax */
	bool signed_worst;                /* the worst value is printed with a sign */
	const char *sample_noun;          /* "samples", "windows" */
	enum oracle_compared_with compared_with;
	const char *summary;              /* one line for reports and docs */
};

/* The row of a check; NULL outside the enum. */
const struct oracle_check_desc *oracle_check_desc(enum oracle_check_id id);

/* The check called name, or ORACLE_CHECK_COUNT. */
enum oracle_check_id oracle_check_by_name(const char *name);

/* "include", "exclude" (the scenario's "pause" values). */
const char *oracle_pause_name(enum oracle_pause_policy p);

/* "pass", "fail" (the scenario's "expect" values). */
const char *oracle_expect_name(enum oracle_expect e);

#endif
