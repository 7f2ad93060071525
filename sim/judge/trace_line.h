/*
 * One line of a sim-trace v1 file (docs/trace-format.md) as a typed record:
 * its type, and each field it defines as an integer or a span of the line.
 * The line types and the fields are the two lists below; what `sim judge`
 * does with each type is the third column of JT_LINE_TYPES.
 */
#ifndef SIM_JUDGE_TRACE_LINE_H
#define SIM_JUDGE_TRACE_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/scenario/jline.h"

/* What the judge does with a line type. */
enum jt_use {
	JT_META,                  /* the header: how to read the rest */
	JT_JUDGED,                /* fed to the oracle (reads; guest_run pauses guest clocks) */
	JT_REPLAYED,              /* host side: replayed into Linux's models (judge/replay.h) */
	JT_IGNORED,               /* sim's own records the judge has no check for: counted */
};

/* X(ID, "type", use) */
#define JT_LINE_TYPES(X)                                                       \
	X(JT_HEADER, "header", JT_META)                                        \
	X(JT_READ, "read", JT_JUDGED)                                          \
	X(JT_PVCLOCK, "pvclock", JT_REPLAYED)                                  \
	X(JT_TSC_OFFSET, "tsc_offset", JT_REPLAYED)                            \
	X(JT_MASTERCLOCK, "masterclock", JT_REPLAYED)                          \
	X(JT_TRACK_TSC, "track_tsc", JT_REPLAYED)                              \
	X(JT_WATCHDOG, "watchdog", JT_REPLAYED)                                \
	X(JT_GUEST_RUN, "guest_run", JT_JUDGED)                                \
	X(JT_IRQ_EDGE, "irq_edge", JT_IGNORED)                                 \
	X(JT_DEVICE_ACCESS, "device_access", JT_IGNORED)                       \
	X(JT_VMM_PHASE, "vmm_phase", JT_IGNORED)                               \
	X(JT_GUEST_TIMER, "guest_timer", JT_IGNORED)                           \
	X(JT_VIOLATION, "violation", JT_IGNORED)

enum jt_type {
#define JT_ENUM(id, name, use) id,
	JT_LINE_TYPES(JT_ENUM)
#undef JT_ENUM
	JT_TYPE_COUNT,
	JT_UNKNOWN = JT_TYPE_COUNT,   /* a type this reader does not know (header's ignore_types) */
};

enum jt_kind { JF_U64, JF_I64, JF_BOOL, JF_STR, JF_ARRAY };

/* X(ID, "key", kind): every field any line type defines; each type's own set is in trace_line.c. */
#define JT_FIELDS(X)                                                           \
	X(F_TYPE, "type", JF_STR)                                              \
	X(F_FORMAT, "format", JF_STR)                                          \
	X(F_VERSION, "version", JF_U64)                                        \
	X(F_PRODUCER, "producer", JF_STR)                                      \
	X(F_REF_NAME, "ref", JF_STR)        /* header: the reference clock's name */ \
	X(F_REF_UNIT, "ref_unit", JF_STR)                                      \
	X(F_CLOCKS, "clocks", JF_ARRAY)                                        \
	X(F_GUEST_CLOCKS, "guest_clocks", JF_ARRAY)                            \
	X(F_IGNORE_TYPES, "ignore_types", JF_ARRAY)                            \
	X(F_CPUS, "cpus", JF_U64)                                              \
	X(F_TSC_KHZ, "tsc_khz", JF_U64)                                        \
	X(F_SCENARIO, "scenario", JF_STR)                                      \
	X(F_SEED, "seed", JF_U64)                                              \
	X(F_SRC, "src", JF_STR)                                                \
	X(F_VCPU, "vcpu", JF_U64)                                              \
	X(F_SEQ, "seq", JF_U64)                                                \
	X(F_CLOCK, "clock", JF_STR)                                            \
	X(F_VALUE_NS, "value_ns", JF_U64)                                      \
	X(F_VALUE, "value", JF_U64)                                            \
	X(F_REF_BEFORE, "ref_before", JF_U64)                                  \
	X(F_REF_AFTER, "ref_after", JF_U64)                                    \
	X(F_ORDER, "order", JF_U64)                                            \
	X(F_REF, "ref", JF_U64)             /* events: when, in the header's ref_unit */ \
	X(F_TSC_TIMESTAMP, "tsc_timestamp", JF_U64)                            \
	X(F_SYSTEM_TIME, "system_time", JF_U64)                                \
	X(F_MUL, "tsc_to_system_mul", JF_U64)                                  \
	X(F_SHIFT, "tsc_shift", JF_I64)                                        \
	X(F_FLAGS, "flags", JF_U64)                                            \
	X(F_PREV, "prev", JF_U64)                                              \
	X(F_NEXT, "next", JF_U64)                                              \
	X(F_RATIO, "ratio", JF_U64)                                            \
	X(F_RATIO_BITS, "ratio_frac_bits", JF_U64)                             \
	X(F_USE_MASTER, "use_master_clock", JF_BOOL)                           \
	X(F_HOST_CLOCK, "host_clock", JF_STR)                                  \
	X(F_OFFSET_MATCHED, "offset_matched", JF_BOOL)                         \
	X(F_HOST_TSC, "host_tsc", JF_U64)                                      \
	X(F_HOST_NS, "host_ns", JF_U64)                                        \
	X(F_NR_MATCHED, "nr_matched", JF_U64)                                  \
	X(F_ONLINE_VCPUS, "online_vcpus", JF_U64)                              \
	X(F_CS, "cs", JF_STR)                                                  \
	X(F_WD, "wd", JF_STR)                                                  \
	X(F_CS_NSEC, "cs_nsec", JF_I64)                                        \
	X(F_WD_NSEC, "wd_nsec", JF_I64)                                        \
	X(F_CS_NOW, "cs_now", JF_U64)                                          \
	X(F_CS_LAST, "cs_last", JF_U64)                                        \
	X(F_WD_NOW, "wd_now", JF_U64)                                          \
	X(F_WD_LAST, "wd_last", JF_U64)                                        \
	X(F_MASK, "mask", JF_U64)                                              \
	X(F_VERDICT, "verdict", JF_STR)                                        \
	X(F_ACTION, "action", JF_STR)                                          \
	X(F_RUNNING, "running", JF_BOOL)                                       \
	X(F_VM_CLOCK, "vm_clock", JF_BOOL)                                     \
	X(F_VMS, "vms", JF_ARRAY)           /* header: the VMs' names, when several */ \
	X(F_VM, "vm", JF_U64)               /* a VM-scoped line: its index in "vms" */ \
	X(F_THREAD, "thread", JF_U64)       /* read: the process, when not the vCPU */

enum jt_field {
#define JT_FIELD_ENUM(id, key, kind) id,
	JT_FIELDS(JT_FIELD_ENUM)
#undef JT_FIELD_ENUM
	JT_FIELD_COUNT
};

_Static_assert(JT_FIELD_COUNT <= 64, "field masks are 64 bits");

#define JT_BIT(f) (UINT64_C(1) << (f))

/* The longest line read; longer ones are refused (memory stays flat). */
#define JT_LINE_MAX 4096

struct jt_line {
	enum jt_type type;
	uint64_t have;                       /* JT_BIT(f) for each field present */
	uint64_t u[JT_FIELD_COUNT];          /* integers (JF_I64 as two's complement), booleans */
	struct jl_value s[JT_FIELD_COUNT];   /* JF_STR and JF_ARRAY: spans of the line */
	uint16_t col[JT_FIELD_COUNT];        /* 1-based column of each value, for errors */
};

/* "read", ...; NULL outside the list. */
const char *jt_type_name(enum jt_type t);
enum jt_use jt_type_use(enum jt_type t);
enum jt_type jt_type_by_name(const struct jl_value *v);

/*
 * Parses one line (without its "\n") into out.  False with d filled (line
 * number as given, column, the key as a JSON pointer, what was expected): a
 * line that is not one JSON object, a field of the wrong kind, or a field
 * the type requires missing.  A type this reader does not know parses as
 * JT_UNKNOWN (its "type" in out->s[F_TYPE]): the caller decides.  Keys a
 * type does not define are skipped.
 */
bool jt_parse(const char *line, size_t n, unsigned lineno, struct jt_line *out,
	      struct sim_diag *d);

#endif
