/*
 * Importers: text that Linux already produces, turned into sim-trace v1
 * records (docs/importers.md, docs/trace-format.md) that `sim judge` reads.
 *
 *   trace-cmd  `trace-cmd report` text (also the ftrace `trace` file)
 *   perf       `perf script` text
 *   dmesg      a guest's kernel log: the clocksource watchdog's reports
 *
 * Streaming: the caller hands over one line at a time; records go out
 * through a callback as soon as they are complete.  Memory is the struct
 * importer, whatever the input's length.  Nothing here prints: errors are a
 * struct sim_diag naming the line, the column and what was expected.
 */
#ifndef SIM_IMPORT_IMPORT_H
#define SIM_IMPORT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"

/*
 * The input formats: X(ID, "name" on the command line, what its timestamps
 * are (the header's "ref"), line shape).  A shape is a pair of functions
 * <shape>_line() and <shape>_finish() (import_internal.h): trace-cmd and perf
 * both print ftrace-like event lines.
 */
#define IMPORT_FORMATS(X)                                                                \
	X(IMPORT_TRACE_CMD, "trace-cmd", "trace-cmd report timestamps (the trace clock)", \
	  ftrace)                                                                          \
	X(IMPORT_PERF, "perf", "perf script timestamps (perf's clock)", ftrace)             \
	X(IMPORT_DMESG, "dmesg", "dmesg timestamps (the printk clock)", dmesg)

enum import_format {
#define IMPORT_FORMAT_ENUM(id, name, ref, shape) id,
	IMPORT_FORMATS(IMPORT_FORMAT_ENUM)
#undef IMPORT_FORMAT_ENUM
	IMPORT_FORMAT_COUNT
};

/* The sim-trace record types importers write: X(ID, "type"). */
#define IMPORT_RECORDS(X)                       \
	X(IMPORT_REC_PVCLOCK, "pvclock")        \
	X(IMPORT_REC_TSC_OFFSET, "tsc_offset")  \
	X(IMPORT_REC_MASTERCLOCK, "masterclock") \
	X(IMPORT_REC_TRACK_TSC, "track_tsc")    \
	X(IMPORT_REC_WATCHDOG, "watchdog")

enum import_record {
#define IMPORT_RECORD_ENUM(id, type) id,
	IMPORT_RECORDS(IMPORT_RECORD_ENUM)
#undef IMPORT_RECORD_ENUM
	IMPORT_RECORD_COUNT
};

/* Longest input line read whole; a longer line is cut here (import_line's `cut`). */
#define IMPORT_LINE_MAX 4096

/* Where finished lines go: one JSON object, no newline, len bytes. */
typedef void import_emit_fn(void *ctx, const char *json, size_t len);

struct import_stats {
	uint64_t lines;                          /* lines read */
	uint64_t records[IMPORT_RECORD_COUNT];   /* records written, by type */
	uint64_t other_events;                   /* lines of events no importer reads */
	uint64_t other_lines;                    /* lines that are not events at all */
	uint64_t lost_lines;                     /* "[LOST n EVENTS]" lines of trace-cmd */
	uint64_t first_lost_line;                /* the first of them, 0 when none */
	uint64_t unconverted;                    /* older watchdog reports left out (dmesg.c) */
	uint64_t first_unconverted;              /* the first of them, 0 when none */
};

/* A watchdog report of dmesg being put together from its lines. */
struct import_watchdog {
	bool open;                  /* the "Marking clocksource" line was seen */
	bool have_wd;
	uint64_t line;              /* where it started */
	bool have_ref;
	uint64_t ref_ns;
	uint32_t cpu;
	char cs[64], wd[64];
	bool nsec;                  /* the wd_nsec/cs_nsec form (dmesg.c) */
	int64_t wd_nsec;
	uint64_t wd_now, wd_last, wd_mask;
	/* After the cs line: the report is written; the summary lines that follow are checked. */
	bool done;
	int64_t cs_nsec;
};

struct importer {
	enum import_format format;
	char file[256];              /* the input's name, for "src" and errors */
	import_emit_fn *emit;
	void *ctx;
	struct import_stats stats;
	struct import_watchdog wd;
	uint64_t tsc_khz;            /* dmesg: the TSC rate the log printed, 0 before it does */
	bool tsc_refined;            /* ... and it was the refined one */
};

/* The format named `name` ("trace-cmd", "perf", "dmesg"); false when there is none. */
bool import_format_parse(const char *name, enum import_format *f);
const char *import_format_name(enum import_format f);
const char *import_record_type(enum import_record r);

void import_init(struct importer *im, enum import_format f, const char *file,
		 import_emit_fn *emit, void *ctx);

/* The sim-trace header line for this input, NUL-terminated in buf; its length. */
size_t import_header(const struct importer *im, const char *producer, char *buf, size_t cap);

/*
 * One input line (len bytes, no newline; NULs are taken as text).  `cut`
 * says the line was longer than IMPORT_LINE_MAX and this is its start: an
 * event the importer reads is then an error, anything else is skipped.
 * False on malformed input, with err naming file:line:column.
 */
bool import_line(struct importer *im, const char *line, size_t len, bool cut,
		 struct sim_diag *err);

/* End of input: false when a multi-line report was left unfinished. */
bool import_finish(struct importer *im, struct sim_diag *err);

#endif
