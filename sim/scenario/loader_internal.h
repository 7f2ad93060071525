/*
 * What the loader's files share (not part of the scenario API): the loader's
 * state, JSON nodes that know their pointer, the typed readers, the shared
 * name tables and the helpers that one section needs from another.  Only
 * sim/scenario includes this.
 */
#ifndef SIM_SCENARIO_LOADER_INTERNAL_H
#define SIM_SCENARIO_LOADER_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/core/civil.h"
#include "sim/scenario/json_locate.h"
#include "sim/scenario/name_index.h"
#include "sim/scenario/scenario.h"

#define PATH_LEN sizeof(((struct sim_diag *)0)->path)
#define MSG_LEN sizeof(((struct sim_diag *)0)->msg)
#define MAX_U53 (1ULL << 53)
#define MAX_FILE_BYTES (16u << 20)
#define MAX_JSON_DEPTH 32                     /* arrays and objects, the document's own included */
#define MAX_JSON_VALUES 1000000               /* far above what the count limits allow */
#define UTC_START_LIMIT_S 16725225600ULL      /* 2500-01-01T00:00:00Z, excluded */
#define CRYSTAL_LIMIT_PPB 100000000LL         /* +-10 % */
#define PORT_MAX 0xfffc                       /* the PM timer takes 4 ports from here */
#define PPB_PER_PERCENT 10000000LL
#define SSC_SPREAD_MAX_PPB (2 * PPB_PER_PERCENT) /* 2 % */
#define WANDER_LIMIT_PPB 1000000LL              /* 1000ppm per sqrt(s) */
#define PS_PER_DAY ((uint64_t)SIM_SEC_PER_DAY * SIM_PS_PER_S)

#define EXPECT_DURATION "a duration string such as \"300ms\""
#define EXPECT_SIGNED "a duration string such as \"-20us\""
#define EXPECT_FREQ "a frequency string such as \"3GHz\""
#define EXPECT_PPB "a string such as \"+20ppm\" or \"-50ppb\""
#define EXPECT_FRACTION "a string such as \"0.5%\" or \"5000ppm\""
#define EXPECT_CPUS "\"all\" or an array of CPU indices"
#define EXPECT_CSTATE "a C-state: an integer from 1 to 10, or a string from \"C1\" to \"C10\""
#define EXPECT_UTC "seconds since 1970 (an integer) or a UTC time such as \"2026-01-01T00:00:00Z\""
#define EXPECT_COMMAND "a qtest command such as \"outb 0x43 0x34\""
#define EXPECT_IRQ "\"raise N\" or \"lower N\" with N from 0 to 23"

struct loader {
	const char *file;
	const char *buf;
	size_t len;
	struct sim_diag *err;               /* the first error */
	struct sim_diag_list *list;         /* every error (up to its capacity), or NULL */
	unsigned nerrors;                   /* errors found so far */
	bool stop;                          /* the list is full: stop looking for more */
	uint64_t bad_rows;                  /* the rows the last load_fields() failed on */
	struct scenario *sc;
	struct scn_vm *vm;                  /* the VM being read (its keys and lists); NULL outside */
	struct name_index reader_names;     /* the readers' names read so far */
	const cJSON *root;                  /* the parsed document */
	struct json_index ix;               /* where each of its values sits in buf */
	struct json_line_cache lines;       /* the last error's line:column, to count on from */
};

/* A JSON value and its pointer; json is NULL for an absent optional key. */
struct node {
	const cJSON *json;
	char path[PATH_LEN];
};

/* Where an error points: the value, the key naming it, or the enclosing object. */
enum anchor {
	AT_VALUE,
	AT_KEY,
	AT_PARENT,
};

/* A set of host CPUs. */
struct cpu_set {
	uint64_t w[SCN_MAX_HOST_CPUS / 64];
};


/*
 * A field table: one row per key of an object.  load_fields() checks the
 * object's keys against the rows, reads each present value by its type into
 * base + offset, and writes the default (in the file's own syntax, read by the
 * same reader) when the key is absent.  F_CUSTOM rows are read by code after
 * load_fields(); the table still names them, so that the allowed keys and the
 * docs come from one place.  Cross-field rules stay as code.
 */
enum field_type {
	F_CUSTOM,           /* read by the section's code; only "required" is checked here */
	F_TEXT,             /* char[max]: free text */
	F_NAME,             /* char[SCN_NAME_MAX]: letters, digits, '_', '-', '.' */
	F_DURATION_PS,      /* sim_ps; min (ps): 1 = "above 0" */
	F_DURATION_NS,      /* uint64_t ns */
	F_SIGNED_PS,        /* int64_t ps */
	F_SIGNED_NS,        /* int64_t ns, whole ns */
	F_FREQ,             /* struct sim_freq in [min, max] Hz */
	F_PPB,              /* int64_t ppb in [-max, +max] */
	F_UINT,             /* unsigned in [min, max] */
	F_U32,              /* uint32_t in [min, max] */
	F_U64,              /* uint64_t in [min, max], max <= 2^53: a JSON integer */
	F_UINT_HEX,         /* unsigned in [0, max]: an integer or a string such as "0x608" */
	F_U64_HEX,          /* uint64_t in [0, max]: an integer or a string (up to 2^64-1) */
	F_EITHER,           /* unsigned: min or max ("32 or 64") */
	F_BOOL,             /* bool */
	F_TRISTATE,         /* enum scn_tristate: SCN_UNSET when absent */
	F_ENUM,             /* an enum (int-sized), by names[] */
	F_ENUM_BOOL,        /* bool: names[1] is true ("vendor": "amd" is SVM) */
	F_UTC,              /* uint64_t ns since 1970: seconds or "2026-01-01T00:00:00Z" */
	F_TYPE_COUNT
};

struct field {
	const char *key;
	enum field_type type;
	size_t offset;              /* offsetof(base struct, member) */
	bool required;
	const char *dflt;           /* written when absent, in the file's syntax; NULL: none */
	uint64_t min, max;          /* by type, see enum field_type */
	const char *const *names;   /* F_ENUM, F_ENUM_BOOL: NULL-terminated */
	const char *what;           /* a noun for messages: "a vCPU count", "period" */
	unsigned only;              /* 0: always allowed; else only in a context with one of
				       these bits (a check's params, an event type, ...) */
	/*
	 * How `sim schema` describes an F_CUSTOM value (schema_json.c); the
	 * loader ignores these, its code reads the value.  Either sub: an object
	 * through that table (nest), or like: a value read as that type would be
	 * (with .min, .max, .names as for that type; with .list, an array of
	 * .min to .max such values), or shape: a shape named in schema_json.c.
	 */
	const struct field_table *sub;
	enum field_nest { NEST_OBJECT, NEST_ARRAY, NEST_MAP, NEST_KEYS } nest;
	enum field_type like;
	bool list;
	const char *shape;          /* with sub: what an array element may also be */
};

/* A table of rows, for the schema walk: the docs section it belongs to. */
struct field_table {
	const char *doc;            /* "vm", "sockets", ... */
	const struct field *rows;
	unsigned nrows;
	/*
	 * For the schema, a table with .only rows: context(i, &only) names the
	 * i-th context and its bits (NULL after the last).  With tag, the value
	 * of that key selects the context; else (NEST_MAP) the key holding the
	 * object does.
	 */
	const char *(*context)(unsigned i, unsigned *only);
	const char *tag;
};

/* A row: key, type, place; then designated extras (.required, .dflt, .min, ...). */
#define ROW(k, t, off) .key = (k), .type = (t), .offset = (off)

#define FIELDS(doc_, rows_) \
	{ .doc = (doc_), .rows = (rows_), .nrows = sizeof(rows_) / sizeof((rows_)[0]) }
/* A table whose .only contexts are named by context(), selected by the key tag (or NULL). */
#define FIELDS_BY(doc_, rows_, ctx, tag_key) \
	{ .doc = (doc_), .rows = (rows_), .nrows = sizeof(rows_) / sizeof((rows_)[0]), \
	  .context = (ctx), .tag = (tag_key) }

/*
 * Reads object o (NULL json: every default) through table t into base.
 * only: the context's bits (0 when the table has no context-bound rows);
 * context names it in "key ... is not allowed in <context>".  seen, when not
 * NULL, gets bit i set when row i's key is present.
 */
bool load_fields(struct loader *ld, const struct node *o, const struct field_table *t,
		 unsigned only, const char *context, void *base, uint64_t *seen);

/* How the schema (schema_json.c) writes a value of a field type. */
enum schema_form {
	FORM_CUSTOM,        /* F_CUSTOM: the row's .sub, .like or .shape says */
	FORM_REF,           /* the $defs entry *def */
	FORM_TEXT,          /* a string of .min (for the schema only) to .max - 1 bytes */
	FORM_INT,           /* an integer in [.min, .max] */
	FORM_INT_OR_STRING, /* an integer in [0, .max], or an integer literal in a string */
	FORM_EITHER,        /* .min or .max */
	FORM_BOOL,
	FORM_ENUM,          /* one of .names */
};

/*
 * fields.c: the form of type t for a row with .min = min (its $defs entry in
 * *def); whether a default is a JSON string.
 */
enum schema_form field_schema_form(enum field_type t, uint64_t min, const char **def,
				   bool *string_default);

/* Writes the default text dflt of row f (of the object o) into base, read as the file's would be. */
bool load_field_default(struct loader *ld, const struct node *o, const struct field *f,
			const char *dflt, void *base);

/* The row of t for key (allowed in context only), or NULL. */
const struct field *field_row(const struct field_table *t, const char *key, unsigned only);

/* load_hosts.c: the "advertise" key of a flag (= its flag_truth name). */
const char *tsc_flag_key(enum scn_tsc_flag f);

/* load_platform.c: the "access_cost" key of a device (enum scn_device order). */
const char *device_key(enum scn_device d);

/*
 * The tables of every section, for scenario_schema_visit() (the top level's
 * come from top_level_table(), the VM's lists' from vm_lists[]).
 */
extern const struct field_table platform_table, hpet_table, pmtimer_table, rtc_table,
	access_cost_table, host_table, socket_table, ssc_table, tsc_features_table,
	advertise_table, vm_table, reader_table, check_table, script_table, command_table,
	event_table, host_check_table;
extern const struct field_table devices_table;

/* load_stalls.c: the VM's "stalls" and "time_syncs" lists (rows of vm_lists). */
extern const struct field_table stall_table, time_sync_table;
bool load_stall(struct loader *ld, const struct node *o, unsigned k);
bool load_time_sync(struct loader *ld, const struct node *o, unsigned k);

/*
 * One top-level array of VMM actions (sim/vmm) that needs the VM: its key, its
 * elements' table, and how it is loaded.  The lists are read in this order,
 * after "vm"; a list is skipped after an error in an earlier one, which it
 * may depend on (a vCPU move looks up where the migrations took the VM).
 */
struct vm_list {
	const char *key;                    /* the top-level key: "migrations" */
	const struct field_table *fields;   /* one element's keys */
	unsigned max;                       /* elements; the least is 0 */
	const char *noun;                   /* "vCPU moves": "expected 0 to 64 vCPU moves" */
	bool in_order;                      /* stop at the first bad element: later ones
					       are checked against it */
	size_t count_offset;                /* offsetof(struct scn_vm, n...): the count */
	size_t list_offset;                 /* offsetof(struct scn_vm, ...): the heap array */
	size_t elem_size;                   /* one element's size */
	bool (*load)(struct loader *ld, const struct node *o, unsigned k);  /* element k */
};

#define VM_LISTS_MAX 16

/* load_vm.c: the VM's lists, in the document's reading order. */
extern const struct vm_list vm_lists[];
extern const unsigned vm_list_count;

/* loader.c: the top-level keys, the VM's lists after "vm", into rows (the table t). */
#define TOP_ROWS_MAX (16 + VM_LISTS_MAX)
void top_level_table(struct field rows[TOP_ROWS_MAX], struct field_table *t);

/* Shared name tables (names.c), NULL-terminated, in the order of their C enums. */
extern const char *const worst_keys[];
extern const char *const expect_names[];

/* Records e as one more error (the first also goes to ld->err). */
void record_error(struct loader *ld, const struct sim_diag *e);

/* The message of the error recorded last ("" when unknown). */
const char *last_error_msg(const struct loader *ld);

/* Appends text to the message of the error recorded last. */
void amend_last_error(struct loader *ld, const char *text);

/* An error about the value at path. */
#define fail(ld, path, ...) fail_at((ld), (path), AT_VALUE, 0, __VA_ARGS__)

/* jread.c: messages, nodes and the typed readers of plain JSON values */
const char *name_list(char *dst, size_t len, const char *const names[], bool quoted);
const char *fmt_ps(char *dst, size_t len, int64_t sign, sim_ps v);
/* Appends name to the list in dst ("a, b"), clamped: a full dst stays NUL-terminated. */
void append_name(char *dst, size_t cap, size_t *n, const char *name);
const char *fmt_sps(char *dst, size_t len, int64_t v);
const char *fmt_ppb(char *dst, size_t len, int64_t v);
bool fail_at(struct loader *ld, const char *path, enum anchor a, unsigned nth, const char *fmt,
		...)
	__attribute__((format(printf, 5, 6)));
void join_key(char *dst, const char *parent, const char *key);
void keep_path(char dst[SCN_PATH_MAX], const char *path);
void node_element(const struct node *arr, unsigned i, struct node *el);
/* The same for i = 0, 1, 2, ... in turn, el holding element i - 1: O(1) a step. */
void node_next(const struct node *arr, unsigned i, struct node *el);
bool type_error(struct loader *ld, const struct node *v, const char *expected);
bool in_list(const char *const names[], const char *s);
bool read_object_in(struct loader *ld, const struct node *v, const char *const keys[],
		const char *const elsewhere[], const char *context);
bool read_object(struct loader *ld, const struct node *v, const char *const keys[]);
bool node_get(struct loader *ld, const struct node *o, const char *key, bool required,
	      struct node *v);
bool read_array(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		const char *what, unsigned *n);
bool int_literal(struct loader *ld, const struct node *v, const char *what, char lit[32],
		bool *neg, bool *big, uint64_t *mag, bool *found);
bool read_int(struct loader *ld, const struct node *v, uint64_t min, uint64_t max,
		const char *what, uint64_t *out);
bool read_uint(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		const char *what, unsigned *out);
bool read_str(struct loader *ld, const struct node *v, const char *expected, const char **s);
bool read_bool(struct loader *ld, const struct node *v, bool *out);
bool read_enum(struct loader *ld, const struct node *v, const char *const names[], unsigned *out);
bool read_name(struct loader *ld, const struct node *v, char *dst, size_t cap);
bool read_text(struct loader *ld, const struct node *v, char *dst, size_t cap);

/*
 * Every string of the document, values and keys: valid UTF-8 without a
 * control character (U+0000 to U+001F, U+007F to U+009F); each bad one is an
 * error at its position.  cJSON cuts a string at an escaped NUL (\u0000), so
 * that one is found in the source text.
 */
bool check_strings(struct loader *ld, const cJSON *root);

/* jread_units.c: quantities with units, large integers, UTC times */
bool read_duration_ps(struct loader *ld, const struct node *v, sim_ps *out);

/* A time t (at the JSON pointer path) must fall before the end of the run. */
bool check_before_end(struct loader *ld, const char *path, sim_ps t);
bool read_duration_ns(struct loader *ld, const struct node *v, uint64_t *out);
bool read_signed_ps(struct loader *ld, const struct node *v, int64_t *out);
bool read_signed_ns(struct loader *ld, const struct node *v, int64_t *out);
bool read_freq(struct loader *ld, const struct node *v, uint64_t min_hz, uint64_t max_hz,
		const char *range, struct sim_freq *out);
bool read_ppb(struct loader *ld, const struct node *v, int64_t limit, int64_t *out);
bool read_fraction(struct loader *ld, const struct node *v, int64_t min, int64_t max,
		const char *range, int64_t *out);
bool read_either(struct loader *ld, const struct node *v, unsigned a, unsigned b,
		const char *what, unsigned *out);
bool read_u64(struct loader *ld, const struct node *v, const char *what, uint64_t max,
		uint64_t *out);
bool read_s64(struct loader *ld, const struct node *v, const char *what, int64_t *out);
bool read_utc_start(struct loader *ld, const struct node *v, uint64_t *ns);

/* load_platform.c */
bool load_platform(struct loader *ld, const struct node *o);

/* load_hosts.c: hosts, sockets, CPU sets */
void cpu_set_add(struct cpu_set *set, unsigned cpu);
bool cpu_set_has(const struct cpu_set *set, unsigned cpu);
unsigned cpu_set_common(const struct cpu_set *a, const struct cpu_set *b);
unsigned host_cpus(const struct scn_host *h);
unsigned cpu_socket(const struct scn_host *h, unsigned cpu, bool *hotplug);
unsigned nth_online_cpu(const struct scn_host *h, unsigned n);
const char *hotplug_list(const struct scn_host *h, char *dst, size_t len);
void crystal_envelope(const struct scenario *sc, const struct scn_socket *sk, int64_t steps,
		int64_t *lo, int64_t *hi);
bool check_envelope(struct loader *ld, const char *path, const struct scn_host *h, int64_t lo,
		int64_t hi, const char *what);
bool load_host(struct loader *ld, const struct node *o, unsigned idx);
bool read_host_ref(struct loader *ld, const struct node *v, unsigned *out);
bool read_host_or_only(struct loader *ld, const struct node *o, unsigned *out);
bool check_vcpu_cpu(struct loader *ld, const char *path, const struct scn_host *h, unsigned cpu);
bool read_cpu_list(struct loader *ld, const struct node *v, const struct scn_host *h,
		const struct cpu_set *online, const char *when, bool by_events, unsigned *n, unsigned cpus[]);
void initial_online(const struct scn_host *h, struct cpu_set *set);

/* load_vm.c: the VM (its lists: vm_lists above) */
bool load_vm(struct loader *ld, const struct node *o, bool in_vms);
/* An element of "vms": "name", the keys of "vm" and the VM's lists. */
extern const struct field_table vms_table;
/* The "vm" key of o: a VM name, or the only VM; sets ld->vm (NULL without a VM). */
bool read_vm_or_only(struct loader *ld, const struct node *o, unsigned *out);

/* load_lifecycle.c: the VM's lists "pauses", "snapshots" and "guest_timers" (rows of vm_lists) */
extern const struct field_table pause_table, snapshot_table, guest_timer_table;
bool load_pause(struct loader *ld, const struct node *o, unsigned k);
bool load_snapshot(struct loader *ld, const struct node *o, unsigned k);
bool load_guest_timer(struct loader *ld, const struct node *o, unsigned k);
/* load_readers.c */
bool load_reader(struct loader *ld, const struct node *o, unsigned idx);

/* load_scripts.c */
bool load_script(struct loader *ld, const struct node *o, unsigned idx);

/* load_events.c: the host-event timeline */
void online_at(const struct scenario *sc, unsigned host, sim_ps t, unsigned k,
		struct cpu_set *set);
bool offline_error(struct loader *ld, const char *path, const struct scn_host *h, unsigned cpu,
		const char *when);
bool read_online_cpu(struct loader *ld, const struct node *o, const char *key, unsigned host,
		sim_ps t, unsigned k, unsigned *cpu, struct node *v);
bool read_positive(struct loader *ld, const struct node *o, const char *key, sim_ps *out,
		struct node *v);
bool load_events(struct loader *ld, const struct node *arr);

/* load_overlaps.c: the VM's actions against each other and the hosts' suspends */
bool check_action_overlaps(struct loader *ld);

/* load_plugins.c: "plugins" */
extern const struct field_table plugin_table;
bool load_plugin(struct loader *ld, const struct node *o, unsigned k);

/* load_host_checks.c */
bool load_host_check(struct loader *ld, const struct node *o, unsigned idx);

/* load_lesson.c: the "lesson" steps (`sim viz --lesson`) */
extern const struct field_table lesson_table;
bool load_lesson_step(struct loader *ld, const struct node *o, unsigned k);

#endif
