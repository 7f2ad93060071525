/*
 * A streaming Value Change Dump writer (IEEE 1364-2001 section 18): declare
 * the variables, close the header, then write value changes in time order.
 * Times are ps ($timescale 1ps), written as 64-bit decimal integers.
 * Variables are 1-bit wires or n-bit regs (n <= 64); a value is unknown ('x')
 * until its first change.  A change to the value a variable already holds is
 * not written.  Memory is the variable table (and its scopes), grown while
 * declaring and fixed before the first change.
 *
 * A 1-bit variable that changes twice at one instant (an edge-triggered
 * interrupt's pulse: raised and lowered at once) would be invisible: viewers
 * keep the last value of an instant.  Its second change is written 1 ps
 * later, so the pulse shows 1 ps wide.
 *
 * Identifier codes are base-94 strings of the printable characters '!'..'~'
 * in declaration order.  Names must not contain whitespace.  A scope is a
 * path under the top scope given to vcd_end_header(): "irq", or "vm_a/vcpu0"
 * for a scope vcpu0 inside a scope vm_a.
 */
#ifndef SIM_EXPORT_VCD_H
#define SIM_EXPORT_VCD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/simtime.h"

/* 3 signals for each of 65536 vCPUs (scenario-format.md's limit) and the board's */
#define VCD_MAX_VARS (3 * 65536 + 1024)
#define VCD_NAME_MAX 40
#define VCD_SCOPE_MAX 80          /* a scope path: "vm_" + a VM's name + "/vcpu1023" */
#define VCD_ID_MAX 5              /* 94^4 > VCD_MAX_VARS */

struct vcd_var {
	unsigned scope;               /* index into the scope paths */
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
	struct vcd_var *vars;         /* nvars of cap, heap */
	unsigned cap;
	char (*scopes)[VCD_SCOPE_MAX];   /* each run of consecutive declarations' scope path */
	unsigned nscopes, scope_cap;
};

/* Writes the preamble: $comment, $timescale 1ps.  v must be zeroed or vcd_free()d. */
void vcd_begin(struct vcd *v, FILE *f, const char *comment);

/* Frees the variable table (the file stays open). */
void vcd_free(struct vcd *v);

/*
 * Declares a variable in scope (consecutive calls with the same scope share
 * one $scope block); returns its index, or -1 when the table is full (or
 * memory is), the scope path too long, or the header closed.
 */
int vcd_add(struct vcd *v, const char *scope, const char *name, unsigned width);

/* Writes the $scope/$var blocks, $enddefinitions and #0 $dumpvars (every variable x). */
void vcd_end_header(struct vcd *v, const char *top);

/* var takes value at t (t never less than the previous change's); var < 0 is ignored. */
void vcd_change(struct vcd *v, sim_ps t, int var, uint64_t value);

/* The last timestamp: the end of the run, so viewers show the whole span. */
void vcd_finish(struct vcd *v, sim_ps end);

#endif
