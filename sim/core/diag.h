/*
 * Errors as values.  Code below main never prints and never exits: it fills a
 * struct sim_diag and returns false.  main formats it as
 *   file:line:col: error: /json/path: message
 * leaving out the parts that are unknown.
 */
#ifndef SIM_CORE_DIAG_H
#define SIM_CORE_DIAG_H

#include <stdbool.h>
#include <stddef.h>

struct sim_diag {
	char file[256];
	unsigned line, col;       /* 1-based; 0 when unknown */
	char path[192];           /* JSON pointer of the offending value, e.g. "/hosts/1/tsc" */
	char msg[384];
};

void sim_diag_clear(struct sim_diag *d);

/*
 * Several errors, for code that can find more than one (the scenario
 * loader).  A struct sim_diag still holds one error, so callers that want
 * only the first are unchanged; a caller that wants all of them passes a
 * list as well.
 */
#define SIM_DIAG_LIST_MAX 20            /* kept; more are counted as suppressed */

struct sim_diag_list {
	unsigned n;                     /* errors kept, in the order found */
	bool suppressed;                /* more errors were found than kept */
	struct sim_diag items[SIM_DIAG_LIST_MAX];
};

void sim_diag_list_clear(struct sim_diag_list *l);

/* Appends e; false when l was already full (then e is counted as suppressed). */
bool sim_diag_list_add(struct sim_diag_list *l, const struct sim_diag *e);

/* Sets the message (printf format); returns false so callers can `return sim_diag_fail(...)`. */
bool sim_diag_fail(struct sim_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void sim_diag_set_file(struct sim_diag *d, const char *file);
void sim_diag_set_path(struct sim_diag *d, const char *path);
void sim_diag_set_pos(struct sim_diag *d, unsigned line, unsigned col);

/* "file:line:col: error: path: msg" into buf (always NUL-terminated). */
void sim_diag_format(const struct sim_diag *d, char *buf, size_t len);

#endif
