/*
 * One side of `sim diff`: a qtest-speaking child process fed on its stdin,
 * answering on its stdout (QEMU's `-qtest stdio`, or `sim qtest`).  The
 * child is started from a SPEC, asked one request at a time with a
 * deadline, and always reaped.  A peer that exits, closes its output, hangs
 * past the deadline or floods is an error (the caller exits 2).
 *
 * SPECs: "sim" or "sim:OPTIONS" runs this sim binary's `qtest OPTIONS`
 * (OPTIONS split at blanks); "cmd:COMMAND" runs `/bin/sh -c COMMAND`.
 */
#ifndef SIM_DIFF_PEER_H
#define SIM_DIFF_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sim/core/diag.h"

#define PEER_MAX_ANSWER (4u << 20)   /* bytes of IRQ lines and reply to one request */

/* What a peer said to one request: its IRQ lines and its reply line, without "\n". */
struct peer_answer {
	char *text;                   /* "IRQ raise 8; OK 1000": lines joined by "; " */
	size_t len;
	size_t cap;                   /* text's allocation, grown geometrically */
	const char *reply;            /* the reply line, inside text */
	unsigned irq_lines;
};

struct peer {
	char name[8];                 /* "a" or "b" */
	char spec[256];
	pid_t pid;                    /* 0: not running */
	int to_child, from_child;     /* -1: closed */
	char *buf;                    /* bytes read past the last answer: [start, have) */
	size_t start;                 /* consumed lines are skipped, moved out only before a read */
	size_t have;
	size_t cap;
};

/* Starts spec as side `name`; self_exe is the sim binary for "sim" specs. */
bool peer_start(struct peer *p, const char *name, const char *spec, const char *self_exe,
		struct sim_diag *err);

/* Whether spec is well-formed (the usage check before anything starts). */
bool peer_spec_ok(const char *spec, char *why, size_t whylen);

/*
 * Sends line (no "\n") and reads lines up to the first that does not start
 * with "IRQ ": false with err naming the side, the request number and what
 * happened (exit status, closed output, timeout, flood).
 */
bool peer_ask(struct peer *p, const char *line, unsigned request_no, unsigned timeout_ms,
	      struct peer_answer *ans, struct sim_diag *err);

void peer_answer_free(struct peer_answer *a);

/* Closes its input, waits up to timeout_ms for it to exit, then kills it; always reaps. */
void peer_stop(struct peer *p, unsigned timeout_ms);

#endif
