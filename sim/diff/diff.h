/*
 * `sim diff`'s judgement: whether two answers to one qtest request differ
 * beyond the timing tolerance, and which known deviation explains a
 * difference (docs/qtest.md, "sim diff" and "Known-deviation files").
 *
 * A known deviation matches a difference when all its patterns (POSIX
 * extended regexes, unanchored unless they anchor themselves) match:
 * `command` the request, `previous` the request before it, `after` some
 * earlier request written with its predecessor as "PREV; REQUEST" (so that
 * `outb 0x70 0x0b; outb 0x71 0x06` names a register B write), `sim` the
 * answer of the side that is sim's datasheet model and `peer` the other
 * side's.  Answers are the IRQ lines and the reply joined by "; ".  Both
 * orientations are tried (a as sim, then b as sim); the first entry in file
 * order that matches wins.
 */
#ifndef SIM_DIFF_DIFF_H
#define SIM_DIFF_DIFF_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/diff/peer.h"
#include "sim/scenario/known.h"

struct diff_known {
	const struct known_entry *e;
	regex_t re[KNOWN_MATCH_COUNT];
	bool has[KNOWN_MATCH_COUNT];
	bool after_seen;              /* an earlier request matched `after` (or it has none) */
};

struct diff_known_set {
	struct known_file file;
	struct diff_known *k;
	unsigned n;
};

/* Loads and compiles path; false with err at the file, line and column of a bad pattern. */
bool diff_known_load(const char *path, struct diff_known_set *ks, struct sim_diag *err);
void diff_known_free(struct diff_known_set *ks);

/* After request cmd (prev before it; "" for none) was compared: `after` entries it matches apply. */
void diff_known_note(struct diff_known_set *ks, const char *prev, const char *cmd);

/* The entry explaining this difference, or NULL; *b_is_sim says the orientation that matched. */
const struct known_entry *diff_explain(const struct diff_known_set *ks, const char *prev,
				       const char *cmd, const char *a, const char *b,
				       bool *b_is_sim);

/* Whether cmd is clock_step or clock_set (its reply is a clock). */
bool diff_is_clock_command(const char *cmd);

/*
 * True when the answers differ: different IRQ lines, or different replies
 * unless both are "OK N" clocks of a clock command within tolerance_ns.
 */
bool diff_answers_differ(const char *cmd, const struct peer_answer *a,
			 const struct peer_answer *b, uint64_t tolerance_ns);

/* The clock in an "OK N" reply of a clock command; false otherwise. */
bool diff_reply_clock(const char *cmd, const char *reply, uint64_t *ns);

#endif
