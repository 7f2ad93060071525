/*
 * A streaming Value Change Dump writer (IEEE 1364-2001 section 18): declare
 * the variables, close the header, then write value changes in time order.
 * Times are ps ($timescale 1ps), written as 64-bit decimal integers.
 * Variables are 1-bit wires or n-bit regs (n <= 64); a value is unknown ('x')
 * until its first change.  A change to the value a variable already holds is
 * not written.  Memory is the variable table, fixed before the first change.
 *
 * A 1-bit variable that changes twice at one instant (an edge-triggered
 * interrupt's pulse: raised and lowered at once) would be invisible: viewers
 * keep the last value of an instant.  Its second change is written 1 ps
 * later, so the pulse shows 1 ps wide.
 *
 * Identifier codes are base-94 strings of the printable characters '!'..'~'
 * in declaration order.  Names must not contain whitespace; scopes nest one
 * level under the top scope given to vcd_begin().
 */
#ifndef SIM_EXPORT_VCD_H
#define SIM_EXPORT_VCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/simtime.h"

#define VCD_MAX_VARS 640
#define VCD_NAME_MAX 40
#define VCD_ID_MAX 4              /* 94^3 > VCD_MAX_VARS */

struct vcd_var {
	char scope[VCD_NAME_MAX];
	char name[VCD_NAME_MAX];
	char id[VCD_ID_MAX];
	unsigned width;               /* 1: wire; else reg */
	bool known;                   /* a value was written */
	uint64_t value;
	sim_ps changed_ps;            /* when it was written */
	bool deferred;                /* a 1-bit pulse's second change, due 1 ps later */
	uint64_t deferred_value;
};

struct vcd {
	FILE *f;
	unsigned nvars;
	bool header_done;
	bool overflow;                /* more than VCD_MAX_VARS declared: the rest are dropped */
	sim_ps now;                   /* the last time written */
	bool time_written;
	uint64_t changes;             /* value changes written after the header */
	unsigned ndeferred;           /* variables with a deferred change */
	struct vcd_var vars[VCD_MAX_VARS];
};

/* Writes the preamble: $comment, $timescale 1ps; top is the outer scope's name. */
void vcd_begin(struct vcd *v, FILE *f, const char *comment);

/*
 * Declares a variable in scope (consecutive calls with the same scope share
 * one $scope block); returns its index, or -1 when the table is full or the
 * header is closed.
 */
int vcd_add(struct vcd *v, const char *scope, const char *name, unsigned width);

/* Writes the $scope/$var blocks, $enddefinitions and #0 $dumpvars (every variable x). */
void vcd_end_header(struct vcd *v, const char *top);

/* var takes value at t (t never less than the previous change's); var < 0 is ignored. */
void vcd_change(struct vcd *v, sim_ps t, int var, uint64_t value);

/* The last timestamp: the end of the run, so viewers show the whole span. */
void vcd_finish(struct vcd *v, sim_ps end);

#endif
