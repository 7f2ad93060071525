/*
 * The scenario loader: JSON text to a checked struct scenario.  This is the
 * only file that includes cJSON.  Each value is read through a node that
 * knows its JSON pointer, so every error names the file, the line:column
 * (found again in the text by json_locate), the pointer and what was expected.
 * Quantities are strings with units, parsed exactly by units.c; the few plain
 * numbers are integers, checked against their source text.  Cross references
 * (host and reader names, vCPU and CPU indices, migration and event order)
 * are checked as soon as what they refer to has been read: the document is
 * read top to bottom (hosts, vm, migrations, vcpu_moves, readers, scripts,
 * events, host_checks), and events are replayed in order, so that a CPU is
 * known to be online, idle or suspended at each event's time.  The scenario
 * keeps the source text, so that an error found later (by the machine, with
 * only a JSON pointer) can still be given a line:column by scenario_locate().
 * Format: docs/scenario-format.md.
 */
#include "sim/scenario/scenario.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/json_locate.h"

#define PATH_LEN sizeof(((struct sim_diag *)0)->path)
#define MSG_LEN sizeof(((struct sim_diag *)0)->msg)
#define MAX_U53 (1ULL << 53)
#define MAX_FILE_BYTES (16u << 20)
#define UTC_START_DEFAULT_S 1767225600ULL     /* 2026-01-01T00:00:00Z */
#define UTC_START_LIMIT_S 16725225600ULL      /* 2500-01-01T00:00:00Z, excluded */
#define CRYSTAL_LIMIT_PPB 100000000LL         /* +-10 % */
#define HPET_FREQ_DEFAULT_HZ 14318180
#define PMTIMER_PORT_DEFAULT 0x608
#define PORT_MAX 0xfffc                       /* the PM timer takes 4 ports from here */
#define PPB_PER_PERCENT 10000000LL
#define SSC_SPREAD_MAX_PPB (2 * PPB_PER_PERCENT) /* 2 % */
#define WANDER_LIMIT_PPB 1000000LL              /* 1000ppm per sqrt(s) */
#define PS_PER_DAY (86400 * SIM_PS_PER_S)

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
	struct sim_diag *err;
	struct scenario *sc;
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

static const char *const top_keys[] = {
	"name", "description", "seed", "duration", "utc_start", "platform", "hosts", "vm",
	"migrations", "vcpu_moves", "readers", "scripts", "events", "host_checks", NULL,
};
static const char *const platform_keys[] = { "hpet", "pmtimer", "rtc", "access_cost", NULL };
static const char *const hpet_keys[] = { "frequency", "timers", "counter_bits", NULL };
static const char *const pmtimer_keys[] = { "port", "bits", NULL };
static const char *const rtc_keys[] = { "base", NULL };
/* "access_cost" keys, in the order of enum scn_device. */
static const char *const device_names[] = { "pit", "rtc", "hpet", "pmtimer", NULL };
_Static_assert(sizeof(device_names) / sizeof(device_names[0]) == SCN_DEV_COUNT + 1,
	       "one access_cost key per board device");
static const char *const script_keys[] = { "name", "at", "expect", "commands", NULL };
static const char *const command_keys[] = { "do", "expect", "irqs", NULL };
static const char *const host_keys[] = {
	"name", "tsc", "uptime", "realtime_error", "tsc_khz", "clocksource", "hpet",
	"hpet_crystal", "vendor", "sockets", "tsc_features", NULL,
};
static const char *const socket_keys[] = {
	"cpus", "crystal", "tsc_offset", "cpu_tsc_offsets", "crystal_wander", "wander_bound",
	"wander_step", "crystal_aging", "ssc", "hotplug_cpus", NULL,
};
static const char *const ssc_keys[] = { "mode", "spread", "modulation", NULL };
static const char *const tsc_features_keys[] = {
	"constant", "nonstop", "tsc_adjust", "arat", "rdtsc_window", "bios_sync_residual",
	"halted_pstate_erratum", "nonstop_s3", "apic_timer", "advertise", NULL,
};
/* "advertise" keys and flag_truth "flags", in the order of enum scn_tsc_flag. */
static const char *const tsc_flag_names[] = {
	"constant_tsc", "nonstop_tsc", "tsc_known_freq", "tsc_reliable", "invariant_tsc", NULL,
};
static const char *const vm_keys[] = {
	"host", "vcpus", "pins", "uptime", "stable_bit_cpuid", "entry_latency",
	"kvmclock_sync_period", NULL,
};
static const char *const migration_keys[] = {
	"at", "downtime", "to", "pins", "set_clock", "tsc_scaling", "tsc_carry", NULL,
};
static const char *const move_keys[] = { "at", "vcpu", "pcpu", NULL };
static const char *const reader_keys[] = {
	"name", "kind", "vcpus", "period", "jitter", "cost", "tsc_khz", "width", "wrap", "checks",
	"host", "cpus", "migrate_every", "rdtsc", NULL,
};
static const char *const check_names[] = {
	[ORACLE_MONO_VCPU] = "mono_vcpu",
	[ORACLE_MONO_CAUSAL] = "mono_causal",
	[ORACLE_STEP_BACK] = "step_back",
	[ORACLE_STEP_FWD] = "step_fwd",
	[ORACLE_MAX_ERROR] = "max_error",
	[ORACLE_RATE] = "rate",
	[ORACLE_CHECK_COUNT] = NULL,
};
static const char *const check_keys_all[] = {
	"expect", "threshold", "window", "pause", "worst", NULL,
};
static const char *const check_keys_mono[] = { "expect", "worst", NULL };
static const char *const check_keys_step[] = { "expect", "threshold", "worst", NULL };
static const char *const check_keys_max_error[] = {
	"expect", "threshold", "pause", "worst", NULL,
};
static const char *const check_keys_rate[] = {
	"expect", "threshold", "window", "worst", NULL,
};
static const char *const worst_keys[] = { "min", "max", NULL };

/* Enumerations, in the order of their C enums. */
static const char *const clocksource_names[] = { "auto", "tsc", "hpet", NULL };
static const char *const vendor_names[] = { "intel", "amd", NULL };
static const char *const set_clock_names[] = { "none", "clock", "realtime", NULL };
static const char *const tsc_carry_names[] = { "frozen", "advance", NULL };
static const char *const reader_kind_names[] = READER_KIND_NAMES_INIT;
static const char *const rdtsc_names[] = { "rdtscp", "lfence", "rdtsc", NULL };
static const char *const ssc_mode_names[] = { "down", "center", NULL };

/* Events: the types, in the order of enum scn_event_type, and the keys of each. */
static const char *const event_type_names[] = {
	"cstate", "cstate_pattern", "pstate", "throttle", "temperature", "hotplug", "tsc_write",
	"tsc_adjust_write", "suspend", "reader_migrate", NULL,
};
static const char *const event_keys_all[] = {
	"type", "at", "host", "cpus", "state", "duration", "until", "residency", "busy",
	"frequency", "duty", "socket", "step", "cpu", "tsc", "value", "low32", "kind",
	"firmware_tsc_adjust", "reader", NULL,
};
static const char *const ev_keys_cstate[] = {
	"type", "at", "host", "cpus", "state", "duration", NULL,
};
static const char *const ev_keys_pattern[] = {
	"type", "at", "host", "cpus", "state", "until", "residency", "busy", NULL,
};
static const char *const ev_keys_pstate[] = { "type", "at", "host", "cpus", "frequency", NULL };
static const char *const ev_keys_throttle[] = {
	"type", "at", "host", "cpus", "duty", "duration", NULL,
};
static const char *const ev_keys_temperature[] = { "type", "at", "host", "socket", "step", NULL };
static const char *const ev_keys_hotplug[] = { "type", "at", "host", "cpu", "tsc", NULL };
static const char *const ev_keys_tsc_write[] = {
	"type", "at", "host", "cpu", "value", "low32", NULL,
};
static const char *const ev_keys_adjust_write[] = { "type", "at", "host", "cpu", "value", NULL };
static const char *const ev_keys_suspend[] = {
	"type", "at", "host", "kind", "duration", "firmware_tsc_adjust", NULL,
};
static const char *const ev_keys_reader_migrate[] = {
	"type", "at", "host", "reader", "cpu", NULL,
};
static const char *const *const event_keys[] = {
	[SCN_EV_CSTATE] = ev_keys_cstate,
	[SCN_EV_CSTATE_PATTERN] = ev_keys_pattern,
	[SCN_EV_PSTATE] = ev_keys_pstate,
	[SCN_EV_THROTTLE] = ev_keys_throttle,
	[SCN_EV_TEMPERATURE] = ev_keys_temperature,
	[SCN_EV_HOTPLUG] = ev_keys_hotplug,
	[SCN_EV_TSC_WRITE] = ev_keys_tsc_write,
	[SCN_EV_TSC_ADJUST_WRITE] = ev_keys_adjust_write,
	[SCN_EV_SUSPEND] = ev_keys_suspend,
	[SCN_EV_READER_MIGRATE] = ev_keys_reader_migrate,
};
static const char *const suspend_names[] = { "S3", "S4", NULL };

/* Host checks: the kinds, in the order of enum scn_host_check_kind, and the keys of each. */
static const char *const host_check_names[] = {
	"flag_truth", "tsc_sync", "watchdog", "timer", NULL,
};
static const char *const hc_keys_all[] = {
	"check", "name", "host", "expect", "worst", "threshold", "flags", "cpus", "at",
	"clocksource", "delay_every", "delay", "false_positive", "cpu", "mode", "arm_at", "count",
	"slack", NULL,
};
static const char *const hc_keys_flag_truth[] = {
	"check", "name", "host", "expect", "worst", "threshold", "flags", NULL,
};
static const char *const hc_keys_tsc_sync[] = {
	"check", "name", "host", "expect", "worst", "cpus", "at", NULL,
};
static const char *const hc_keys_watchdog[] = {
	"check", "name", "host", "expect", "worst", "clocksource", "delay_every", "delay",
	"false_positive", NULL,
};
static const char *const hc_keys_timer[] = {
	"check", "name", "host", "expect", "worst", "cpu", "mode", "arm_at", "delay", "count",
	"slack", NULL,
};
static const char *const *const host_check_keys[] = {
	[SCN_HC_FLAG_TRUTH] = hc_keys_flag_truth,
	[SCN_HC_TSC_SYNC] = hc_keys_tsc_sync,
	[SCN_HC_WATCHDOG] = hc_keys_watchdog,
	[SCN_HC_TIMER] = hc_keys_timer,
};
static const char *const watchdog_cs_names[] = { "hpet", "acpi_pm", NULL };
static const char *const timer_mode_names[] = { "oneshot", "periodic", "deadline", NULL };
static const char *const wrap_names[] = { "none", "extend", NULL };
static const char *const expect_names[] = { "pass", "fail", NULL };
static const char *const pause_names[] = { "include", "exclude", NULL };

/* Default cost of one read, by reader kind. */
static const sim_ps reader_cost_ps[] = {
	[READER_PVCLOCK] = 40 * SIM_PS_PER_NS,
	[READER_PVCLOCK_RAW] = 30 * SIM_PS_PER_NS,
	[READER_TSC] = 20 * SIM_PS_PER_NS,
	[READER_HPET] = 0,                /* the device's access cost, resolved by the machine */
	[READER_PMTIMER] = 0,
	[READER_RDTSC] = 10 * SIM_PS_PER_NS,
};

/* Ports of the other devices, which the PM timer's 4 ports must not overlap. */
static const struct {
	unsigned first, last;
	const char *what;
} fixed_ports[] = {
	{ 0x40, 0x43, "the PIT's ports 0x40-0x43" },
	{ 0x61, 0x61, "the PIT's port 0x61" },
	{ 0x70, 0x71, "the RTC's ports 0x70-0x71" },
};

/* ---- messages ---- */

/* "a, b, c" (or "\"a\", \"b\"" when quoted) from a NULL-terminated list. */
static const char *list(char *dst, size_t len, const char *const names[], bool quoted)
{
	size_t n = 0;

	dst[0] = '\0';
	for (size_t i = 0; names[i] && n < len; i++) {
		int w = snprintf(dst + n, len - n, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "",
				 names[i]);

		n += w > 0 ? (size_t)w : 0;
	}
	return dst;
}

/* Exact, readable duration: the largest unit among s, ms, us, ns, ps, with a decimal fraction. */
static const char *fmt_ps(char *dst, size_t len, int64_t sign, sim_ps v)
{
	static const struct {
		const char *name;
		sim_ps scale;
		unsigned digits;
	} units[] = {
		{ "s", SIM_PS_PER_S, 12 }, { "ms", SIM_PS_PER_MS, 9 }, { "us", SIM_PS_PER_US, 6 },
		{ "ns", SIM_PS_PER_NS, 3 }, { "ps", 1, 0 },
	};
	size_t u = 0;
	char frac[16] = "";

	while (v && u + 1 < sizeof(units) / sizeof(units[0]) && v < units[u].scale)
		u++;
	if (v % units[u].scale) {
		size_t k;

		snprintf(frac, sizeof(frac), ".%0*" PRIu64, (int)units[u].digits, v % units[u].scale);
		for (k = strlen(frac); k > 1 && frac[k - 1] == '0'; k--)
			frac[k - 1] = '\0';
	}
	snprintf(dst, len, "%s%" PRIu64 "%s%s", sign < 0 && v ? "-" : "", v / units[u].scale,
		 frac, units[u].name);
	return dst;
}

static const char *fmt_sps(char *dst, size_t len, int64_t v)
{
	return fmt_ps(dst, len, v, v < 0 ? (sim_ps)0 - (sim_ps)v : (sim_ps)v);
}

static const char *fmt_ppb(char *dst, size_t len, int64_t v)
{
	if (v % 1000 == 0)
		snprintf(dst, len, "%" PRId64 "ppm", v / 1000);
	else
		snprintf(dst, len, "%" PRId64 "ppb", v);
	return dst;
}

/* Sets err: file, pointer, line:column of the anchor (or of the nearest enclosing value found). */
static void report(struct loader *ld, const char *path, enum anchor a, unsigned nth,
		   const char *msg)
{
	char p[PATH_LEN];
	size_t off = 0;
	bool found = false;
	unsigned line, col;

	snprintf(p, sizeof(p), "%s", path);
	if (a == AT_KEY)
		found = json_locate_key(ld->buf, ld->len, p, nth, &off);
	if (a == AT_PARENT && strrchr(p, '/'))
		*strrchr(p, '/') = '\0';
	while (!found) {
		found = json_locate(ld->buf, ld->len, p, &off);
		if (found || !strrchr(p, '/'))
			break;
		*strrchr(p, '/') = '\0';
	}
	sim_diag_set_file(ld->err, ld->file);
	sim_diag_set_path(ld->err, path);
	if (found) {
		json_line_col(ld->buf, ld->len, off, &line, &col);
		sim_diag_set_pos(ld->err, line, col);
	}
	sim_diag_fail(ld->err, "%s", msg);
}

static bool fail_at(struct loader *ld, const char *path, enum anchor a, unsigned nth,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool fail_at(struct loader *ld, const char *path, enum anchor a, unsigned nth,
		    const char *fmt, ...)
{
	char msg[MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(ld, path, a, nth, msg);
	return false;
}

/* An error about the value at path. */
#define fail(ld, path, ...) fail_at((ld), (path), AT_VALUE, 0, __VA_ARGS__)

/* ---- nodes ---- */

static void join_key(char *dst, const char *parent, const char *key)
{
	int w = snprintf(dst, PATH_LEN, "%s/", parent);
	size_t n = w > 0 ? (size_t)w : 0;

	for (; *key && n + 3 < PATH_LEN; key++) {
		if (*key == '~' || *key == '/') {
			dst[n++] = '~';
			dst[n++] = *key == '~' ? '0' : '1';
		} else {
			dst[n++] = *key;
		}
	}
	dst[n < PATH_LEN ? n : PATH_LEN - 1] = '\0';
}

/* Stores a pointer (always short here: "/readers/15") in a SCN_PATH_MAX field. */
static void keep_path(char dst[SCN_PATH_MAX], const char *path)
{
	size_t n = strlen(path);

	if (n >= SCN_PATH_MAX)
		n = SCN_PATH_MAX - 1;
	memcpy(dst, path, n);
	dst[n] = '\0';
}

static void element(const struct node *arr, unsigned i, struct node *el)
{
	char idx[16];

	el->json = cJSON_GetArrayItem(arr->json, (int)i);
	snprintf(idx, sizeof(idx), "%u", i);
	join_key(el->path, arr->path, idx);
}

/* What v is, for "got ..." in a type error: "the number 300", "an array", ... */
static const char *describe(struct loader *ld, const struct node *v, char *dst, size_t len)
{
	const cJSON *j = v->json;
	char q[80];
	size_t off = 0;

	if (cJSON_IsString(j)) {
		snprintf(dst, len, "the string %s", sim_quote(q, sizeof(q), j->valuestring));
	} else if (cJSON_IsNumber(j)) {
		size_t n = 0;

		if (json_locate(ld->buf, ld->len, v->path, &off))
			while (off + n < ld->len && n < 24 && strchr("+-.eE0123456789", ld->buf[off + n]))
				n++;
		snprintf(dst, len, n ? "the number %.*s" : "a number", (int)n, ld->buf + off);
	} else if (cJSON_IsBool(j)) {
		snprintf(dst, len, "%s", cJSON_IsTrue(j) ? "true" : "false");
	} else if (cJSON_IsNull(j)) {
		snprintf(dst, len, "null");
	} else if (cJSON_IsArray(j)) {
		snprintf(dst, len, "an array");
	} else {
		snprintf(dst, len, "an object");
	}
	return dst;
}

static bool type_error(struct loader *ld, const struct node *v, const char *expected)
{
	char got[96];

	return fail(ld, v->path, "expected %s, got %s", expected, describe(ld, v, got, sizeof(got)));
}

static bool in_list(const char *const names[], const char *s)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return true;
	return false;
}

/*
 * v must be an object whose keys are all in keys, each once.  A key in
 * elsewhere (valid in a sibling context) is reported as not allowed in
 * context rather than as unknown.
 */
static bool read_object_in(struct loader *ld, const struct node *v, const char *const keys[],
			   const char *const elsewhere[], const char *context)
{
	char path[PATH_LEN], q[80], names[256];

	if (!cJSON_IsObject(v->json))
		return type_error(ld, v, "an object");
	for (const cJSON *c = v->json->child; c; c = c->next) {
		unsigned nth = 0;

		for (const cJSON *p = v->json->child; p != c; p = p->next)
			nth += strcmp(p->string, c->string) == 0;
		join_key(path, v->path, c->string);
		if (nth)
			return fail_at(ld, path, AT_KEY, nth, "duplicate key %s",
				       sim_quote(q, sizeof(q), c->string));
		if (in_list(keys, c->string))
			continue;
		if (elsewhere && in_list(elsewhere, c->string))
			return fail_at(ld, path, AT_KEY, 0,
				       "key %s is not allowed in %s; expected one of: %s",
				       sim_quote(q, sizeof(q), c->string), context,
				       list(names, sizeof(names), keys, false));
		return fail_at(ld, path, AT_KEY, 0, "unknown key %s; expected one of: %s",
			       sim_quote(q, sizeof(q), c->string),
			       list(names, sizeof(names), keys, false));
	}
	return true;
}

static bool read_object(struct loader *ld, const struct node *v, const char *const keys[])
{
	return read_object_in(ld, v, keys, NULL, NULL);
}

/* The member key of o (json NULL when absent); an error when absent and required. */
static bool get(struct loader *ld, const struct node *o, const char *key, bool required,
		struct node *v)
{
	join_key(v->path, o->path, key);
	v->json = cJSON_GetObjectItemCaseSensitive(o->json, key);
	if (!v->json && required)
		return fail_at(ld, v->path, AT_PARENT, 0, "missing required key \"%s\"", key);
	return true;
}

/*
 * The read_* functions leave *out alone (the default) when v is absent.
 */

static bool read_array(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		       const char *what, unsigned *n)
{
	char expected[96];
	int size;

	snprintf(expected, sizeof(expected), "an array of %s", what);
	if (!v->json)
		return true;
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, expected);
	size = cJSON_GetArraySize(v->json);
	if (min == max && (unsigned)size != min)
		return fail(ld, v->path, "expected exactly %u %s, got %d", min, what, size);
	if ((unsigned)size < min || (unsigned)size > max)
		return fail(ld, v->path, "expected %u to %u %s, got %d", min, max, what, size);
	*n = (unsigned)size;
	return true;
}

/*
 * The source text of the JSON number v, when it can be found: the literal
 * (for messages), its sign and its magnitude, which is exact up to 2^53 (big
 * when above).  Fails on leading zeros, a fraction or an exponent; what names
 * the value in those errors.  False with *found false when v is not in the
 * text (then the caller falls back to cJSON's double).
 */
static bool int_literal(struct loader *ld, const struct node *v, const char *what,
			char lit[32], bool *neg, bool *big, uint64_t *mag, bool *found)
{
	const char *p, *end = ld->buf + ld->len;
	size_t off, n = 0;

	*neg = *big = false;
	*mag = 0;
	*found = json_locate(ld->buf, ld->len, v->path, &off);
	if (!*found)
		return false;
	p = ld->buf + off;
	while (p + n < end && n + 1 < 32 && strchr("+-.eE0123456789", p[n]))
		n++;
	memcpy(lit, p, n);
	lit[n] = '\0';
	if (p < end && *p == '-') {
		*neg = true;
		p++;
	}
	if (p + 1 < end && p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return fail(ld, v->path, "expected %s without leading zeros, got %s", what, lit);
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (*mag > MAX_U53)
			*big = true;
		else
			*mag = *mag * 10 + (uint64_t)(*p - '0');
	}
	if (*mag > MAX_U53)
		*big = true;
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail(ld, v->path, "expected %s (digits only, no fraction or exponent), got %s",
			    what, lit);
	return true;
}

/*
 * An integer in [min, max], checked on its source text: digits only, at most
 * 2^53 (cJSON keeps numbers as double, which is exact only up to there).
 * what names the value in range errors ("a vCPU index").
 */
static bool read_int(struct loader *ld, const struct node *v, uint64_t min, uint64_t max,
		     const char *what, uint64_t *out)
{
	char lit[32] = "";
	uint64_t x = 0;
	bool neg, big, found;

	if (!v->json)
		return true;
	if (!cJSON_IsNumber(v->json))
		return type_error(ld, v, what);
	if (int_literal(ld, v, what, lit, &neg, &big, &x, &found)) {
		if (!neg && big)
			return fail(ld, v->path,
				    "integer too large: %s (at most 2^53 = 9007199254740992)", lit);
		if (neg && (big || x)) {
			return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s",
				    what, min, max, lit);
		}
	} else if (found) {
		return false;
	} else {
		double d = v->json->valuedouble;

		if (!(d >= 0 && d <= (double)MAX_U53) || d != (double)(uint64_t)d)
			return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "]",
				    what, min, max);
		x = (uint64_t)d;
		snprintf(lit, sizeof(lit), "%" PRIu64, x);
	}
	if (x < min || x > max)
		return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s",
			    what, min, max, lit);
	*out = x;
	return true;
}

static bool read_uint(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		      const char *what, unsigned *out)
{
	uint64_t x = *out;

	if (!read_int(ld, v, min, max, what, &x))
		return false;
	*out = (unsigned)x;
	return true;
}

static bool read_str(struct loader *ld, const struct node *v, const char *expected,
		     const char **s)
{
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, expected);
	*s = v->json->valuestring;
	return true;
}

static bool read_bool(struct loader *ld, const struct node *v, bool *out)
{
	if (!v->json)
		return true;
	if (!cJSON_IsBool(v->json))
		return type_error(ld, v, "true or false");
	*out = cJSON_IsTrue(v->json);
	return true;
}

static bool read_enum(struct loader *ld, const struct node *v, const char *const names[],
		      unsigned *out)
{
	char expected[128], names_list[112], q[80];
	const char *s = "";

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "one of %s",
		 list(names_list, sizeof(names_list), names, true));
	if (!read_str(ld, v, expected, &s))
		return false;
	for (unsigned i = 0; names[i]; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	}
	return fail(ld, v->path, "expected %s, got %s", expected, sim_quote(q, sizeof(q), s));
}

/* A name: 1 to cap-1 letters, digits, '_', '-' or '.'. */
static bool read_name(struct loader *ld, const struct node *v, char *dst, size_t cap)
{
	char expected[96], q[80];
	const char *s = "";
	size_t n;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected),
		 "a name of 1 to %zu characters (letters, digits, '_', '-', '.')", cap - 1);
	if (!read_str(ld, v, expected, &s))
		return false;
	n = strlen(s);
	if (n == 0 || n >= cap || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789_-.") != n)
		return fail(ld, v->path, "expected %s, got %s", expected,
			    sim_quote(q, sizeof(q), s));
	memcpy(dst, s, n + 1);
	return true;
}

/* Free text of at most cap-1 bytes. */
static bool read_text(struct loader *ld, const struct node *v, char *dst, size_t cap)
{
	const char *s = "";
	size_t n;

	if (!v->json)
		return true;
	if (!read_str(ld, v, "a string", &s))
		return false;
	n = strlen(s);
	if (n >= cap)
		return fail(ld, v->path, "string too long: %zu bytes (at most %zu)", n, cap - 1);
	memcpy(dst, s, n + 1);
	return true;
}

/* v's string parsed by parse, a sim_parse_* for a uint64_t; expected names it in type errors. */
static bool read_parsed_u64(struct loader *ld, const struct node *v, const char *expected,
			    bool (*parse)(const char *, uint64_t *, char *, size_t), uint64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!parse(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

/* The same for a sim_parse_* into an int64_t. */
static bool read_parsed_s64(struct loader *ld, const struct node *v, const char *expected,
			    bool (*parse)(const char *, int64_t *, char *, size_t), int64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!parse(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

static bool read_duration_ps(struct loader *ld, const struct node *v, sim_ps *out)
{
	return read_parsed_u64(ld, v, EXPECT_DURATION, sim_parse_duration_ps, out);
}

static bool read_duration_ns(struct loader *ld, const struct node *v, uint64_t *out)
{
	return read_parsed_u64(ld, v, EXPECT_DURATION, sim_parse_duration_ns, out);
}

static bool read_signed_ps(struct loader *ld, const struct node *v, int64_t *out)
{
	return read_parsed_s64(ld, v, EXPECT_SIGNED, sim_parse_signed_duration_ps, out);
}

static bool read_signed_ns(struct loader *ld, const struct node *v, int64_t *out)
{
	char q[80];
	int64_t ps = 0;

	if (!v->json)
		return true;
	if (!read_signed_ps(ld, v, &ps))
		return false;
	if (ps % (int64_t)SIM_PS_PER_NS)
		return fail(ld, v->path, "duration %s is not a whole number of ns",
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = ps / (int64_t)SIM_PS_PER_NS;
	return true;
}

/* A frequency in [min_hz, max_hz]. */
static bool read_freq(struct loader *ld, const struct node *v, uint64_t min_hz, uint64_t max_hz,
		      const char *range, struct sim_freq *out)
{
	char why[256], q[80];
	struct sim_freq f;
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_FREQ, &s))
		return false;
	if (!sim_parse_freq(s, &f, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	if ((sim_u128)f.num < (sim_u128)min_hz * f.den || (sim_u128)f.num > (sim_u128)max_hz * f.den)
		return fail(ld, v->path, "expected a frequency from %s, got %s", range,
			    sim_quote(q, sizeof(q), s));
	*out = f;
	return true;
}

/* A fractional offset in ppb, in [-limit, limit]. */
static bool read_ppb(struct loader *ld, const struct node *v, int64_t limit, int64_t *out)
{
	char q[80], lo[32], hi[32];
	int64_t x;

	if (!v->json)
		return true;
	if (!read_parsed_s64(ld, v, EXPECT_PPB, sim_parse_ppb, &x))
		return false;
	if (x < -limit || x > limit)
		return fail(ld, v->path, "expected an offset from %s to +%s, got %s",
			    fmt_ppb(lo, sizeof(lo), -limit), fmt_ppb(hi, sizeof(hi), limit),
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = x;
	return true;
}

/* A fraction in ppb, also as a percentage ("0.5%"), in [min, max]; range names the limits. */
static bool read_fraction(struct loader *ld, const struct node *v, int64_t min, int64_t max,
			  const char *range, int64_t *out)
{
	char q[80];
	int64_t x;

	if (!v->json)
		return true;
	if (!read_parsed_s64(ld, v, EXPECT_FRACTION, sim_parse_fraction_ppb, &x))
		return false;
	if (x < min || x > max)
		return fail(ld, v->path, "expected %s, got %s", range,
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = x;
	return true;
}

/* An integer that must be a or b ("32 or 64"); what names it in type errors. */
static bool read_either(struct loader *ld, const struct node *v, unsigned a, unsigned b,
			const char *what, unsigned *out)
{
	uint64_t x = 0;

	if (!v->json)
		return true;
	if (!read_int(ld, v, 0, MAX_U53, what, &x))
		return false;
	if (x != a && x != b)
		return fail(ld, v->path, "expected %s: %u or %u, got %" PRIu64, what, a, b, x);
	*out = (unsigned)x;
	return true;
}

/*
 * An unsigned integer in [0, max]: a JSON integer (at most 2^53) or a string
 * holding a decimal or 0x-hex literal (up to 2^64-1).  what names it in
 * errors; a range error is in hex when the value was written as a string.
 */
static bool read_u64(struct loader *ld, const struct node *v, const char *what, uint64_t max,
		     uint64_t *out)
{
	char expected[160], why[256], q[80];
	const char *s = "";
	uint64_t x;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "%s: an integer or a string such as \"0x1f\"", what);
	if (cJSON_IsNumber(v->json)) {
		size_t n;

		if (read_int(ld, v, 0, max < MAX_U53 ? max : MAX_U53, what, out))
			return true;
		n = strlen(ld->err->msg);
		if (max > MAX_U53 && strncmp(ld->err->msg, "integer too large", 17) == 0 &&
		    n + 1 < MSG_LEN)
			snprintf(ld->err->msg + n, MSG_LEN - n,
				 "; write larger values as a string such as \"0xffffffffffffffff\"");
		return false;
	}
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!sim_parse_u64(s, &x, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	if (x > max)
		return fail(ld, v->path, "expected %s in [0x0, 0x%" PRIx64 "], got %s", what, max,
			    sim_quote(q, sizeof(q), s));
	*out = x;
	return true;
}

/*
 * A signed integer with |x| < 2^63: a JSON integer (|x| at most 2^53, checked
 * on its digits) or a string holding an optionally signed decimal integer.
 */
static bool read_s64(struct loader *ld, const struct node *v, const char *what, int64_t *out)
{
	char expected[160], why[256], lit[32] = "", q[80];
	const char *s = "", *digits;
	bool neg, big, found;
	uint64_t x = 0;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "%s: an integer or a string such as \"-4096\"", what);
	if (cJSON_IsNumber(v->json)) {
		if (int_literal(ld, v, what, lit, &neg, &big, &x, &found)) {
			if (big)
				return fail(ld, v->path,
					    "integer too large: %s (at most 2^53 = 9007199254740992 "
					    "either way); write larger values as a string such as "
					    "\"-9223372036854775807\"", lit);
			*out = neg ? -(int64_t)x : (int64_t)x;
			return true;
		}
		if (found)
			return false;
		return fail(ld, v->path, "expected %s", expected);
	}
	if (!read_str(ld, v, expected, &s))
		return false;
	digits = s + (s[0] == '-' || s[0] == '+');
	if (!*digits || strspn(digits, "0123456789") != strlen(digits))
		return fail(ld, v->path, "expected %s (decimal digits with an optional sign), got %s",
			    what, sim_quote(q, sizeof(q), s));
	if (!sim_parse_u64(digits, &x, why, sizeof(why)) || x > (uint64_t)INT64_MAX)
		return fail(ld, v->path, "integer too large: %s (|x| at most 2^63-1 = "
			    "9223372036854775807)", sim_quote(q, sizeof(q), s));
	*out = s[0] == '-' ? -(int64_t)x : (int64_t)x;
	return true;
}

/* ---- utc_start ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; y >= 1970). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
	unsigned yy = y - (m <= 2);
	unsigned era = yy / 400;
	unsigned yoe = yy - era * 400;
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (uint64_t)era * 146097 + doe - 719468;
}

static bool digits(const char *s, unsigned n, unsigned *out)
{
	*out = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" to ns since 1970; why gets the reason on failure. */
static bool parse_utc(const char *s, uint64_t *ns, const char **why)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, frac = 0, nfrac = 0;
	const char *p = s + 19;
	bool leap;

	*why = "";
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 9; p++, nfrac++)
			frac = frac * 10 + (unsigned)(*p - '0');
		if (nfrac == 0 || (*p >= '0' && *p <= '9')) {
			*why = " (1 to 9 digits after the seconds' '.')";
			return false;
		}
		for (unsigned k = nfrac; k < 9; k++)
			frac *= 10;
	}
	if ((*p != 'Z' && *p != 'z') || p[1]) {
		*why = " (only UTC times, ending in Z, are accepted)";
		return false;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || sec > 59) {
		*why = " (no such date or time)";
		return false;
	}
	if (y < 1970 || y >= 2500) {
		*why = " (from 1970-01-01T00:00:00Z to before 2500-01-01T00:00:00Z)";
		return false;
	}
	*ns = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * SIM_NS_PER_S) +
	      frac;
	return true;
}

static bool read_utc_start(struct loader *ld, const struct node *v, uint64_t *ns)
{
	const char *why;
	char q[80];
	uint64_t s;

	if (!v->json)
		return true;
	if (cJSON_IsNumber(v->json)) {
		if (!read_int(ld, v, 0, UTC_START_LIMIT_S - 1, "seconds since 1970", &s))
			return false;
		*ns = s * SIM_NS_PER_S;
		return true;
	}
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, EXPECT_UTC);
	if (!parse_utc(v->json->valuestring, ns, &why))
		return fail(ld, v->path,
			    "expected a UTC time such as \"2026-01-01T00:00:00Z\", got %s%s",
			    sim_quote(q, sizeof(q), v->json->valuestring), why);
	return true;
}

/* ---- platform ---- */

/* "port": an integer or a string such as "0x608", in [0, 0xfffc], clear of the other devices. */
static bool read_pmtimer_port(struct loader *ld, const struct node *v, unsigned *out)
{
	uint64_t x = 0;

	if (!v->json)
		return true;
	if (!read_u64(ld, v, "a port (the first of the PM timer's 4)", PORT_MAX, &x))
		return false;
	for (size_t i = 0; i < sizeof(fixed_ports) / sizeof(fixed_ports[0]); i++)
		if (x <= fixed_ports[i].last && x + 3 >= fixed_ports[i].first)
			return fail(ld, v->path,
				    "the PM timer's ports 0x%" PRIx64 "-0x%" PRIx64 " overlap %s",
				    x, x + 3, fixed_ports[i].what);
	*out = (unsigned)x;
	return true;
}

static bool load_hpet(struct loader *ld, const struct node *o, struct scn_hpet *h)
{
	struct node v;

	if (!read_object(ld, o, hpet_keys))
		return false;
	if (!get(ld, o, "frequency", false, &v) ||
	    !read_freq(ld, &v, 1000000, 1000000000, "1MHz to 1GHz", &h->frequency))
		return false;
	if (!get(ld, o, "timers", false, &v) ||
	    !read_uint(ld, &v, 3, 32, "a number of comparators", &h->timers))
		return false;
	if (!get(ld, o, "counter_bits", false, &v) ||
	    !read_either(ld, &v, 32, 64, "a counter width in bits", &h->counter_bits))
		return false;
	return true;
}

static bool load_platform(struct loader *ld, const struct node *o)
{
	struct scn_platform *p = &ld->sc->platform;
	struct node v, dev;

	p->hpet.frequency = sim_freq_hz(HPET_FREQ_DEFAULT_HZ);
	p->hpet.timers = 3;
	p->hpet.counter_bits = 64;
	p->pmtimer.port = PMTIMER_PORT_DEFAULT;
	p->pmtimer.bits = 24;
	p->rtc.base_ns = ld->sc->utc_start_ns;
	if (!o->json)
		return true;
	if (!read_object(ld, o, platform_keys))
		return false;

	if (!get(ld, o, "hpet", false, &dev))
		return false;
	if (dev.json && !load_hpet(ld, &dev, &p->hpet))
		return false;

	if (!get(ld, o, "pmtimer", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, pmtimer_keys))
			return false;
		if (!get(ld, &dev, "port", false, &v) || !read_pmtimer_port(ld, &v, &p->pmtimer.port))
			return false;
		if (!get(ld, &dev, "bits", false, &v) ||
		    !read_either(ld, &v, 24, 32, "a counter width in bits", &p->pmtimer.bits))
			return false;
	}

	if (!get(ld, o, "rtc", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, rtc_keys))
			return false;
		if (!get(ld, &dev, "base", false, &v) || !read_utc_start(ld, &v, &p->rtc.base_ns))
			return false;
	}

	if (!get(ld, o, "access_cost", false, &dev))
		return false;
	if (dev.json) {
		if (!read_object(ld, &dev, device_names))
			return false;
		for (unsigned d = 0; d < SCN_DEV_COUNT; d++) {
			if (!get(ld, &dev, device_names[d], false, &v) ||
			    !read_duration_ps(ld, &v, &p->cost_ps[d]))
				return false;
			p->has_cost[d] = v.json != NULL;
		}
	}
	return true;
}

/* ---- hosts ---- */

/* A set of host CPUs. */
struct cpu_set {
	uint64_t w[SCN_MAX_HOST_CPUS / 64];
};

static void cpu_set_add(struct cpu_set *set, unsigned cpu)
{
	set->w[cpu / 64] |= 1ULL << (cpu % 64);
}

static bool cpu_set_has(const struct cpu_set *set, unsigned cpu)
{
	return set->w[cpu / 64] >> (cpu % 64) & 1;
}

/* The lowest CPU in both a and b, or SCN_MAX_HOST_CPUS when none. */
static unsigned cpu_set_common(const struct cpu_set *a, const struct cpu_set *b)
{
	for (unsigned i = 0; i < SCN_MAX_HOST_CPUS / 64; i++) {
		uint64_t w = a->w[i] & b->w[i];

		for (unsigned bit = 0; w; bit++, w >>= 1)
			if (w & 1)
				return i * 64 + bit;
	}
	return SCN_MAX_HOST_CPUS;
}

static unsigned host_cpus(const struct scn_host *h)
{
	return h->ncpus;
}

/* The socket of CPU cpu (< h->ncpus), and whether it is one of the socket's hotplug CPUs. */
static unsigned cpu_socket(const struct scn_host *h, unsigned cpu, bool *hotplug)
{
	unsigned j = h->nsockets - 1;

	while (j > 0 && cpu < h->sockets[j].first_cpu)
		j--;
	*hotplug = cpu - h->sockets[j].first_cpu >= h->sockets[j].ncpus;
	return j;
}

/* The n-th CPU (from 0) among those online at t = 0. */
static unsigned nth_online_cpu(const struct scn_host *h, unsigned n)
{
	for (unsigned j = 0; j < h->nsockets; j++) {
		if (n < h->sockets[j].ncpus)
			return h->sockets[j].first_cpu + n;
		n -= h->sockets[j].ncpus;
	}
	return 0;
}

/* "4-5, 12" : the hotplug CPUs of h, or "none". */
static const char *hotplug_list(const struct scn_host *h, char *dst, size_t len)
{
	size_t n = 0;

	snprintf(dst, len, "none");
	for (unsigned j = 0; j < h->nsockets; j++) {
		const struct scn_socket *sk = &h->sockets[j];
		unsigned a = sk->first_cpu + sk->ncpus, b = a + sk->hotplug_cpus - 1;
		int w;

		if (!sk->hotplug_cpus || n >= len)
			continue;
		w = a == b ? snprintf(dst + n, len - n, "%s%u", n ? ", " : "", a)
			   : snprintf(dst + n, len - n, "%s%u-%u", n ? ", " : "", a, b);
		n += w > 0 ? (size_t)w : 0;
	}
	return dst;
}

/* The socket's crystal offset: nominal plus steps, widened by wander, aging over the run, SSC. */
static void crystal_envelope(const struct scenario *sc, const struct scn_socket *sk,
			     int64_t steps, int64_t *lo, int64_t *hi)
{
	sim_i128 aging = (sim_i128)sk->aging_ppb_per_day * (sim_i128)sc->duration_ps;
	sim_i128 l, u;

	/* aging over the whole run, rounded away from 0 */
	aging = aging < 0 ? -((-aging + PS_PER_DAY - 1) / PS_PER_DAY)
			  : (aging + PS_PER_DAY - 1) / PS_PER_DAY;
	l = u = (sim_i128)sk->crystal_ppb + steps;
	if (sk->wander_ppb) {
		l -= sk->wander_bound_ppb;
		u += sk->wander_bound_ppb;
	}
	if (aging < 0)
		l += aging;
	else
		u += aging;
	if (sk->ssc.enabled && sk->ssc.mode == SCN_SSC_DOWN) {
		l -= (int64_t)sk->ssc.spread_ppm * 1000;
	} else if (sk->ssc.enabled) {
		l -= (int64_t)sk->ssc.spread_ppm * 500;
		u += (int64_t)sk->ssc.spread_ppm * 500;
	}
	*lo = l < -(sim_i128)INT64_MAX ? -INT64_MAX : (int64_t)l;
	*hi = u > (sim_i128)INT64_MAX ? INT64_MAX : (int64_t)u;
}

/*
 * The offsets a socket's crystal can reach (lo, hi, from crystal_envelope)
 * stay within +-10% and give representable TSC rates; the error is at path.
 */
static bool check_envelope(struct loader *ld, const char *path, const struct scn_host *h,
			   int64_t lo, int64_t hi, const char *what)
{
	char a[32], b[32], c[32];
	struct sim_freq f;

	if (lo < -CRYSTAL_LIMIT_PPB || hi > CRYSTAL_LIMIT_PPB)
		return fail(ld, path, "%s: the crystal's offset could reach %s to %s; expected it to "
			    "stay within +-%s", what, fmt_ppb(a, sizeof(a), lo),
			    fmt_ppb(b, sizeof(b), hi), fmt_ppb(c, sizeof(c), CRYSTAL_LIMIT_PPB));
	if (!sim_freq_scale_ppb(h->tsc, lo, &f) || !sim_freq_scale_ppb(h->tsc, hi, &f))
		return fail(ld, path, "%s: the TSC frequency with a crystal offset of %s to %s is not "
			    "representable", what, fmt_ppb(a, sizeof(a), lo), fmt_ppb(b, sizeof(b), hi));
	return true;
}

static bool load_ssc(struct loader *ld, const struct node *o, struct scn_ssc *ssc)
{
	struct node v;
	int64_t spread = 0;
	unsigned u = 0;

	if (!read_object(ld, o, ssc_keys))
		return false;
	ssc->enabled = true;
	if (!get(ld, o, "mode", true, &v) || !read_enum(ld, &v, ssc_mode_names, &u))
		return false;
	ssc->mode = (enum scn_ssc_mode)u;
	if (!get(ld, o, "spread", true, &v))
		return false;
	if (!read_fraction(ld, &v, 1, SSC_SPREAD_MAX_PPB, "a spread above 0% and at most 2%",
			   &spread))
		return false;
	if (spread % 1000)
		return fail(ld, v.path, "spread \"%s\" is not a whole number of ppm",
			    v.json->valuestring);
	ssc->spread_ppm = (uint32_t)(spread / 1000);
	ssc->modulation = sim_freq_hz(31500);
	return get(ld, o, "modulation", false, &v) &&
	       read_freq(ld, &v, 10000, 100000, "10kHz to 100kHz", &ssc->modulation);
}

static bool load_socket(struct loader *ld, const struct scn_host *h, const struct node *o,
			struct scn_socket *sk)
{
	struct node v;
	struct sim_freq f;
	char q[80], a[32];
	int64_t lo, hi;

	if (!read_object(ld, o, socket_keys))
		return false;
	if (!get(ld, o, "cpus", true, &v) ||
	    !read_uint(ld, &v, 1, SCN_MAX_CPUS_PER_SOCKET, "a CPU count", &sk->ncpus))
		return false;
	if (!get(ld, o, "crystal", false, &v) || !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB,
							   &sk->crystal_ppb))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->tsc, sk->crystal_ppb, &f))
		return fail(ld, v.path, "the TSC frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	if (!get(ld, o, "tsc_offset", false, &v) || !read_signed_ps(ld, &v, &sk->tsc_offset_ps))
		return false;
	if (!get(ld, o, "cpu_tsc_offsets", false, &v) ||
	    !read_array(ld, &v, sk->ncpus, sk->ncpus, "signed durations (one per CPU)",
			&(unsigned){ 0 }))
		return false;
	if (v.json) {
		sk->has_cpu_tsc_offsets = true;
		for (unsigned i = 0; i < sk->ncpus; i++) {
			struct node el;

			element(&v, i, &el);
			if (!read_signed_ps(ld, &el, &sk->cpu_tsc_offset_ps[i]))
				return false;
		}
	}
	if (!get(ld, o, "crystal_wander", false, &v) ||
	    !read_ppb(ld, &v, WANDER_LIMIT_PPB, &sk->wander_ppb))
		return false;
	if (sk->wander_ppb < 0)
		return fail(ld, v.path, "expected a wander of at least 0ppb (per sqrt(s)), got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	sk->wander_bound_ppb = 1000;
	if (!get(ld, o, "wander_bound", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &sk->wander_bound_ppb))
		return false;
	if (sk->wander_bound_ppb <= 0)
		return fail(ld, v.path, "expected a bound above 0ppb, got %s",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	sk->wander_step_ps = SIM_PS_PER_S;
	if (!get(ld, o, "wander_step", false, &v) || !read_duration_ps(ld, &v, &sk->wander_step_ps))
		return false;
	if (sk->wander_step_ps < SIM_PS_PER_MS)
		return fail(ld, v.path, "expected a step of at least 1ms, got %s",
			    fmt_ps(a, sizeof(a), 1, sk->wander_step_ps));
	if (!get(ld, o, "crystal_aging", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &sk->aging_ppb_per_day))
		return false;
	if (!get(ld, o, "ssc", false, &v) || (v.json && !load_ssc(ld, &v, &sk->ssc)))
		return false;
	if (!get(ld, o, "hotplug_cpus", false, &v) ||
	    !read_uint(ld, &v, 0, SCN_MAX_CPUS_PER_SOCKET, "a CPU count", &sk->hotplug_cpus))
		return false;
	if (sk->ncpus + sk->hotplug_cpus > SCN_MAX_CPUS_PER_SOCKET)
		return fail(ld, v.path, "expected at most %u hotplug CPUs (\"cpus\" is %u, and a "
			    "socket has at most %u CPUs), got %u", SCN_MAX_CPUS_PER_SOCKET - sk->ncpus,
			    sk->ncpus, SCN_MAX_CPUS_PER_SOCKET, sk->hotplug_cpus);
	crystal_envelope(ld->sc, sk, 0, &lo, &hi);
	return check_envelope(ld, o->path, h, lo, hi, "crystal, wander bound, aging over the run "
			      "and spread together");
}

static bool load_tsc_features(struct loader *ld, const struct node *o,
			      struct scn_tsc_features *tf)
{
	struct node v, adv;
	uint64_t x;

	tf->constant = tf->nonstop = tf->tsc_adjust = tf->arat = true;
	tf->apic_timer = sim_freq_hz(100000000);
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++)
		tf->advertise[i] = -1;
	if (!o->json)
		return true;
	if (!read_object(ld, o, tsc_features_keys))
		return false;
	if (!get(ld, o, "constant", false, &v) || !read_bool(ld, &v, &tf->constant) ||
	    !get(ld, o, "nonstop", false, &v) || !read_bool(ld, &v, &tf->nonstop) ||
	    !get(ld, o, "tsc_adjust", false, &v) || !read_bool(ld, &v, &tf->tsc_adjust) ||
	    !get(ld, o, "arat", false, &v) || !read_bool(ld, &v, &tf->arat))
		return false;
	x = 0;
	if (!get(ld, o, "rdtsc_window", false, &v) ||
	    !read_int(ld, &v, 0, 1000000, "a number of TSC cycles", &x))
		return false;
	tf->rdtsc_window_cycles = (uint32_t)x;
	x = 0;
	if (!get(ld, o, "bios_sync_residual", false, &v) ||
	    !read_int(ld, &v, 0, 1000000000, "a number of TSC cycles", &x))
		return false;
	tf->bios_sync_residual_cycles = (uint32_t)x;
	if (!get(ld, o, "nonstop_s3", false, &v) || !read_bool(ld, &v, &tf->nonstop_s3))
		return false;
	if (!get(ld, o, "halted_pstate_erratum", false, &v) ||
	    !read_bool(ld, &v, &tf->halted_pstate_erratum))
		return false;
	if (!get(ld, o, "apic_timer", false, &v) ||
	    !read_freq(ld, &v, 1000000, 10000000000ULL, "1MHz to 10GHz", &tf->apic_timer))
		return false;
	if (!get(ld, o, "advertise", false, &adv))
		return false;
	if (!adv.json)
		return true;
	if (!read_object(ld, &adv, tsc_flag_names))
		return false;
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++) {
		bool b = false;

		if (!get(ld, &adv, tsc_flag_names[i], false, &v) || !read_bool(ld, &v, &b))
			return false;
		if (v.json)
			tf->advertise[i] = b;
	}
	return true;
}

static bool load_host(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_host *h = &sc->hosts[idx];
	struct node v, arr;
	struct sim_freq f;
	char q[80];
	unsigned u;

	if (!read_object(ld, o, host_keys))
		return false;
	keep_path(h->path, o->path);
	if (!get(ld, o, "name", true, &v) || !read_name(ld, &v, h->name, sizeof(h->name)))
		return false;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->hosts[i].name, h->name) == 0)
			return fail(ld, v.path, "duplicate host name %s (also /hosts/%u/name)",
				    sim_quote(q, sizeof(q), h->name), i);
	if (!get(ld, o, "tsc", true, &v) ||
	    !read_freq(ld, &v, 1000000, 100000000000ULL, "1MHz to 100GHz", &h->tsc))
		return false;
	if (!get(ld, o, "uptime", true, &v) || !read_duration_ns(ld, &v, &h->uptime_ns))
		return false;
	if (!get(ld, o, "realtime_error", false, &v) ||
	    !read_signed_ns(ld, &v, &h->realtime_error_ns))
		return false;
	if (h->realtime_error_ns < 0 &&
	    (uint64_t)-h->realtime_error_ns > sc->utc_start_ns)
		return fail(ld, v.path, "the host's clock would start before 1970");
	if (!get(ld, o, "tsc_khz", false, &v) ||
	    !read_int(ld, &v, 0, UINT32_MAX, "a TSC frequency in kHz", &h->tsc_khz))
		return false;
	u = h->clocksource;
	if (!get(ld, o, "clocksource", false, &v) || !read_enum(ld, &v, clocksource_names, &u))
		return false;
	h->clocksource = (enum scn_clocksource)u;
	h->hpet = sim_freq_hz(14318180);
	if (!get(ld, o, "hpet", false, &v) ||
	    !read_freq(ld, &v, 1000000, 1000000000, "1MHz to 1GHz", &h->hpet))
		return false;
	if (!get(ld, o, "hpet_crystal", false, &v) ||
	    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &h->hpet_crystal_ppb))
		return false;
	if (v.json && !sim_freq_scale_ppb(h->hpet, h->hpet_crystal_ppb, &f))
		return fail(ld, v.path, "the HPET frequency with crystal %s is not representable",
			    sim_quote(q, sizeof(q), v.json->valuestring));
	u = h->svm;
	if (!get(ld, o, "vendor", false, &v) || !read_enum(ld, &v, vendor_names, &u))
		return false;
	h->svm = u == 1;
	if (!get(ld, o, "sockets", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_SOCKETS, "sockets", &h->nsockets))
		return false;
	for (unsigned i = 0; i < h->nsockets; i++) {
		struct scn_socket *sk = &h->sockets[i];
		struct node el;

		element(&arr, i, &el);
		if (!load_socket(ld, h, &el, sk))
			return false;
		sk->first_cpu = h->ncpus;
		h->ncpus += sk->ncpus + sk->hotplug_cpus;
		h->ncpus_online += sk->ncpus;
	}
	return get(ld, o, "tsc_features", false, &v) && load_tsc_features(ld, &v, &h->features);
}

/* Index of the host named by v (a string), listing the names on error. */
static bool read_host_ref(struct loader *ld, const struct node *v, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[SCN_MAX_HOSTS * (SCN_NAME_MAX + 2)];
	const char *s = "";
	size_t n = 0;

	if (!read_str(ld, v, "a host name", &s))
		return false;
	for (unsigned i = 0; i < sc->nhosts; i++) {
		if (strcmp(sc->hosts[i].name, s) == 0) {
			*out = i;
			return true;
		}
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      sc->hosts[i].name);
	}
	return fail(ld, v->path, "unknown host %s; expected one of: %s", sim_quote(q, sizeof(q), s),
		    names);
}

/* The "host" key of o: a host name; absent, the only host (an error when there are several). */
static bool read_host_or_only(struct loader *ld, const struct node *o, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char names[SCN_MAX_HOSTS * (SCN_NAME_MAX + 2)];
	struct node v;
	size_t n = 0;

	if (!get(ld, o, "host", false, &v))
		return false;
	if (v.json)
		return read_host_ref(ld, &v, out);
	if (sc->nhosts == 1) {
		*out = 0;
		return true;
	}
	for (unsigned i = 0; i < sc->nhosts; i++)
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      sc->hosts[i].name);
	return fail_at(ld, v.path, AT_PARENT, 0,
		       "missing required key \"host\": there are %u hosts (%s)", sc->nhosts, names);
}

/* A CPU a vCPU runs on must be online at t = 0: not one of the hotplug CPUs. */
static bool check_vcpu_cpu(struct loader *ld, const char *path, const struct scn_host *h,
			   unsigned cpu)
{
	bool hotplug;
	unsigned sk = cpu_socket(h, cpu, &hotplug);

	if (hotplug)
		return fail(ld, path, "CPU %u of host \"%s\" is one of socket %u's \"hotplug_cpus\", "
			    "offline at t = 0; vCPUs run on CPUs online at t = 0", cpu, h->name, sk);
	return true;
}

/*
 * "pins": exactly nvcpus CPU indices of host h, online at t = 0; default
 * vCPU i -> the (i mod ncpus_online)-th CPU online at t = 0 (CPU i mod ncpus
 * without hotplug CPUs).
 */
static bool read_pins(struct loader *ld, const struct node *v, const struct scn_host *h,
		      bool *has, unsigned pins[])
{
	unsigned ncpus = host_cpus(h), nvcpus = ld->sc->vm.nvcpus;
	char what[80];

	for (unsigned i = 0; i < nvcpus; i++)
		pins[i] = nth_online_cpu(h, i % h->ncpus_online);
	if (!read_array(ld, v, nvcpus, nvcpus, "CPU indices (one per vCPU)", &(unsigned){ 0 }))
		return false;
	if (!v->json)
		return true;
	*has = true;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	for (unsigned i = 0; i < nvcpus; i++) {
		struct node el;

		element(v, i, &el);
		if (!read_uint(ld, &el, 0, ncpus - 1, what, &pins[i]) ||
		    !check_vcpu_cpu(ld, el.path, h, pins[i]))
			return false;
	}
	return true;
}

static bool load_vm(struct loader *ld, const struct node *o)
{
	struct scn_vm *vm = &ld->sc->vm;
	struct node v, pins;

	if (!read_object(ld, o, vm_keys))
		return false;
	if (!get(ld, o, "host", true, &v) || !read_host_ref(ld, &v, &vm->host))
		return false;
	if (!get(ld, o, "vcpus", true, &v) ||
	    !read_uint(ld, &v, 1, SCN_MAX_VCPUS, "a vCPU count", &vm->nvcpus))
		return false;
	if (!get(ld, o, "pins", false, &pins) ||
	    !read_pins(ld, &pins, &ld->sc->hosts[vm->host], &vm->has_pins, vm->pins))
		return false;
	if (!get(ld, o, "uptime", false, &v) || !read_duration_ns(ld, &v, &vm->uptime_ns))
		return false;
	vm->stable_bit_cpuid = true;
	if (!get(ld, o, "stable_bit_cpuid", false, &v) || !read_bool(ld, &v, &vm->stable_bit_cpuid))
		return false;
	vm->entry_latency_ps = 20 * SIM_PS_PER_US;
	if (!get(ld, o, "entry_latency", false, &v) ||
	    !read_duration_ps(ld, &v, &vm->entry_latency_ps))
		return false;
	vm->sync_period_ps = 300 * SIM_PS_PER_S;
	if (!get(ld, o, "kvmclock_sync_period", false, &v) ||
	    !read_duration_ps(ld, &v, &vm->sync_period_ps))
		return false;
	if (vm->sync_period_ps == 0)
		return fail(ld, v.path, "expected a period above 0, got \"%s\"",
			    v.json->valuestring);
	return true;
}

/* ---- migrations and vCPU moves ---- */

static bool load_migration(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_migration *m = &sc->migrations[k];
	struct node at, v;
	unsigned from = k ? sc->migrations[k - 1].to_host : sc->vm.host, u;
	char a[32], b[32];

	if (!read_object(ld, o, migration_keys))
		return false;
	keep_path(m->path, o->path);
	if (!get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &m->at_ps))
		return false;
	if (k && m->at_ps <= sim_add_sat(sc->migrations[k - 1].at_ps,
					 sc->migrations[k - 1].downtime_ps))
		return fail(ld, at.path,
			    "expected a time after the previous migration (/migrations/%u) ends at %s "
			    "(at + downtime), got %s", k - 1,
			    fmt_ps(a, sizeof(a), 1, sc->migrations[k - 1].at_ps +
				   sc->migrations[k - 1].downtime_ps),
			    fmt_ps(b, sizeof(b), 1, m->at_ps));
	if (m->at_ps >= sc->duration_ps)
		return fail(ld, at.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, m->at_ps));
	if (!get(ld, o, "downtime", true, &v) || !read_duration_ps(ld, &v, &m->downtime_ps))
		return false;
	if (m->downtime_ps == 0)
		return fail(ld, v.path, "expected a downtime above 0, got \"%s\"",
			    v.json->valuestring);
	if (sim_add_sat(m->at_ps, m->downtime_ps) >= sc->duration_ps)
		return fail(ld, v.path,
			    "the migration would end at %s (at + downtime), not before the end of "
			    "the run (%s)", fmt_ps(a, sizeof(a), 1, sim_add_sat(m->at_ps, m->downtime_ps)),
			    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	if (!get(ld, o, "to", true, &v) || !read_host_ref(ld, &v, &m->to_host))
		return false;
	if (m->to_host == from)
		return fail(ld, v.path,
			    "the VM is already on host \"%s\" at %s; expected a different host",
			    sc->hosts[from].name, fmt_ps(a, sizeof(a), 1, m->at_ps));
	if (!get(ld, o, "pins", false, &v) ||
	    !read_pins(ld, &v, &sc->hosts[m->to_host], &m->has_pins, m->pins))
		return false;
	u = SCN_SET_CLOCK_REALTIME;
	if (!get(ld, o, "set_clock", false, &v) || !read_enum(ld, &v, set_clock_names, &u))
		return false;
	m->set_clock = (enum scn_set_clock)u;
	if (!get(ld, o, "tsc_scaling", false, &v) || !read_bool(ld, &v, &m->tsc_scaling))
		return false;
	u = SCN_TSC_FROZEN;
	if (!get(ld, o, "tsc_carry", false, &v) || !read_enum(ld, &v, tsc_carry_names, &u))
		return false;
	m->tsc_carry = (enum scn_tsc_carry)u;
	return true;
}

static bool load_move(struct loader *ld, const struct node *o, unsigned k)
{
	struct scenario *sc = ld->sc;
	struct scn_vcpu_move *mv = &sc->moves[k];
	unsigned host = sc->vm.host;
	struct node at, v;
	char a[32], b[32], what[96];

	if (!read_object(ld, o, move_keys))
		return false;
	keep_path(mv->path, o->path);
	if (!get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &mv->at_ps))
		return false;
	if (mv->at_ps >= sc->duration_ps)
		return fail(ld, at.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, mv->at_ps));
	if (k && mv->at_ps < sc->moves[k - 1].at_ps)
		return fail(ld, at.path,
			    "expected moves sorted by \"at\": got %s, before the previous move's %s",
			    fmt_ps(a, sizeof(a), 1, mv->at_ps),
			    fmt_ps(b, sizeof(b), 1, sc->moves[k - 1].at_ps));
	for (unsigned i = 0; i < sc->nmigrations; i++) {
		const struct scn_migration *m = &sc->migrations[i];

		if (mv->at_ps < m->at_ps)
			break;
		if (mv->at_ps < m->at_ps + m->downtime_ps)
			return fail(ld, at.path,
				    "the VM is not running at %s: it is inside the downtime of "
				    "/migrations/%u (%s to %s)", fmt_ps(a, sizeof(a), 1, mv->at_ps), i,
				    fmt_ps(b, sizeof(b), 1, m->at_ps),
				    fmt_ps(what, sizeof(what), 1, m->at_ps + m->downtime_ps));
		host = m->to_host;
	}
	if (!get(ld, o, "vcpu", true, &v) ||
	    !read_uint(ld, &v, 0, sc->vm.nvcpus - 1, "a vCPU index", &mv->vcpu))
		return false;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\" (where the VM is at %s)",
		 sc->hosts[host].name, fmt_ps(a, sizeof(a), 1, mv->at_ps));
	if (!get(ld, o, "pcpu", true, &v) ||
	    !read_uint(ld, &v, 0, host_cpus(&sc->hosts[host]) - 1, what, &mv->pcpu))
		return false;
	return check_vcpu_cpu(ld, v.path, &sc->hosts[host], mv->pcpu);
}

/* ---- readers and checks ---- */

static bool load_worst(struct loader *ld, const struct node *o, bool rate,
		       struct oracle_check_config *c)
{
	struct node lo, hi;
	char a[32], b[32];

	if (!read_object(ld, o, worst_keys))
		return false;
	if (!get(ld, o, "min", false, &lo) || !get(ld, o, "max", false, &hi))
		return false;
	if (rate) {
		if (!read_ppb(ld, &lo, INT64_MAX, &c->worst_min) ||
		    !read_ppb(ld, &hi, INT64_MAX, &c->worst_max))
			return false;
	} else {
		if (!read_signed_ps(ld, &lo, &c->worst_min) || !read_signed_ps(ld, &hi, &c->worst_max))
			return false;
	}
	c->has_worst_min = lo.json != NULL;
	c->has_worst_max = hi.json != NULL;
	if (lo.json && hi.json && c->worst_max < c->worst_min)
		return fail(ld, hi.path, "expected at least \"min\" (%s), got %s",
			    rate ? fmt_ppb(a, sizeof(a), c->worst_min) : fmt_sps(a, sizeof(a), c->worst_min),
			    rate ? fmt_ppb(b, sizeof(b), c->worst_max) : fmt_sps(b, sizeof(b), c->worst_max));
	return true;
}

static bool load_check(struct loader *ld, const struct node *o, enum oracle_check_id id,
		       struct oracle_check_config *c)
{
	static const char *const *const keys[] = {
		[ORACLE_MONO_VCPU] = check_keys_mono,
		[ORACLE_MONO_CAUSAL] = check_keys_mono,
		[ORACLE_STEP_BACK] = check_keys_step,
		[ORACLE_STEP_FWD] = check_keys_step,
		[ORACLE_MAX_ERROR] = check_keys_max_error,
		[ORACLE_RATE] = check_keys_rate,
	};
	bool rate = id == ORACLE_RATE;
	char context[48], a[32];
	struct node v;
	unsigned u;

	snprintf(context, sizeof(context), "check \"%s\"", check_names[id]);
	if (!read_object_in(ld, o, keys[id], check_keys_all, context))
		return false;
	c->enabled = true;
	u = ORACLE_EXPECT_PASS;
	if (!get(ld, o, "expect", true, &v) || !read_enum(ld, &v, expect_names, &u))
		return false;
	c->expect = (enum oracle_expect)u;
	if (in_list(keys[id], "threshold")) {
		if (!get(ld, o, "threshold", true, &v))
			return false;
		if (rate) {
			if (!read_ppb(ld, &v, INT64_MAX, &c->threshold))
				return false;
			if (c->threshold < 0)
				return fail(ld, v.path, "expected a threshold of at least 0ppm, got %s",
					    fmt_ppb(a, sizeof(a), c->threshold));
		} else {
			sim_ps t = 0;

			if (!read_duration_ps(ld, &v, &t))
				return false;
			if (t > INT64_MAX)
				return fail(ld, v.path, "threshold too long: %s (at most 106 days)",
					    fmt_ps(a, sizeof(a), 1, t));
			c->threshold = (int64_t)t;
		}
	}
	if (rate) {
		c->window_ps = SIM_PS_PER_S;
		if (!get(ld, o, "window", false, &v) || !read_duration_ps(ld, &v, &c->window_ps))
			return false;
		if (c->window_ps == 0)
			return fail(ld, v.path, "expected a window above 0, got \"%s\"",
				    v.json->valuestring);
	}
	u = ORACLE_PAUSE_INCLUDE;
	if (!get(ld, o, "pause", false, &v) || !read_enum(ld, &v, pause_names, &u))
		return false;
	c->pause = (enum oracle_pause_policy)u;
	if (!get(ld, o, "worst", false, &v))
		return false;
	return !v.json || load_worst(ld, &v, rate, c);
}

static bool load_reader_vcpus(struct loader *ld, const struct node *v, struct scn_reader *r)
{
	unsigned nvcpus = ld->sc->vm.nvcpus;
	char q[80];

	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path,
				    "expected \"all\" or an array of vCPU indices, got %s",
				    sim_quote(q, sizeof(q), v->json->valuestring));
		r->nvcpus = nvcpus;
		for (unsigned i = 0; i < nvcpus; i++)
			r->vcpus[i] = i;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, "\"all\" or an array of vCPU indices");
	if (!read_array(ld, v, 1, nvcpus, "vCPU indices", &r->nvcpus))
		return false;
	for (unsigned i = 0; i < r->nvcpus; i++) {
		struct node el;

		element(v, i, &el);
		if (!read_uint(ld, &el, 0, nvcpus - 1, "a vCPU index", &r->vcpus[i]))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (r->vcpus[j] == r->vcpus[i])
				return fail(ld, el.path, "duplicate vCPU %u (also %s/%u)",
					    r->vcpus[i], v->path, j);
	}
	return true;
}

/*
 * A list of CPUs of host h: "all" (every CPU in online, in index order) or an
 * array of distinct indices, each in online.  when says when online holds in
 * errors ("at t = 0"); by_events, that earlier events could have changed it.
 */
static bool read_cpu_list(struct loader *ld, const struct node *v, const struct scn_host *h,
			  const struct cpu_set *online, const char *when, bool by_events,
			  unsigned *n, unsigned cpus[])
{
	char q[80], what[80];
	unsigned count = 0;

	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path, "expected %s, got %s", EXPECT_CPUS,
				    sim_quote(q, sizeof(q), v->json->valuestring));
		for (unsigned c = 0; c < h->ncpus; c++)
			if (cpu_set_has(online, c))
				cpus[count++] = c;
		*n = count;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, EXPECT_CPUS);
	if (!read_array(ld, v, 1, h->ncpus, "CPU indices", n))
		return false;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	for (unsigned i = 0; i < *n; i++) {
		struct node el;
		bool hotplug;

		element(v, i, &el);
		if (!read_uint(ld, &el, 0, h->ncpus - 1, what, &cpus[i]))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (cpus[j] == cpus[i])
				return fail(ld, el.path, "duplicate CPU %u (also %s/%u)", cpus[i],
					    v->path, j);
		if (!cpu_set_has(online, cpus[i]))
			return fail(ld, el.path, "CPU %u of host \"%s\" is offline %s: it is one of "
				    "socket %u's \"hotplug_cpus\"%s", cpus[i], h->name, when,
				    cpu_socket(h, cpus[i], &hotplug),
				    by_events ? ", not brought online by an earlier \"hotplug\" event"
				    : "");
	}
	return true;
}

/* The CPUs of h online at t = 0. */
static void initial_online(const struct scn_host *h, struct cpu_set *set)
{
	memset(set, 0, sizeof(*set));
	for (unsigned c = 0; c < h->ncpus_online; c++)
		cpu_set_add(set, nth_online_cpu(h, c));
}

/*
 * Where a reader runs: "vcpus" (in the VM), or "host" and "cpus" (on bare
 * metal), exactly one of "vcpus" and "cpus".
 */
static bool load_reader_binding(struct loader *ld, const struct node *o,
				const struct node *kind, struct scn_reader *r)
{
	const struct scenario *sc = ld->sc;
	struct node vcpus, cpus, host;
	struct cpu_set online;
	const struct scn_host *h;

	if (!get(ld, o, "vcpus", false, &vcpus) || !get(ld, o, "cpus", false, &cpus) ||
	    !get(ld, o, "host", false, &host))
		return false;
	if (vcpus.json && cpus.json)
		return fail_at(ld, cpus.path, AT_KEY, 0,
			       "keys \"vcpus\" and \"cpus\" exclude each other: a reader runs in the "
			       "VM (\"vcpus\") or on a host (\"host\" and \"cpus\")");
	if (!vcpus.json && !cpus.json) {
		if (sc->has_vm)
			return fail_at(ld, vcpus.path, AT_PARENT, 0,
				       "missing required key \"vcpus\" (or \"cpus\" for a reader on "
				       "a host)");
		return fail_at(ld, cpus.path, AT_PARENT, 0,
			       "missing required key \"cpus\": the host CPUs the reader runs on");
	}
	if (vcpus.json) {
		if (!sc->has_vm)
			return fail_at(ld, vcpus.path, AT_KEY, 0,
				       "key \"vcpus\" needs a VM: add \"vm\", or run the reader on a "
				       "host with \"cpus\"");
		if (host.json)
			return fail_at(ld, host.path, AT_KEY, 0,
				       "key \"host\" is only allowed with \"cpus\": a reader with "
				       "\"vcpus\" runs in the VM");
		if (r->kind == READER_RDTSC)
			return fail(ld, kind->path, "a reader of kind \"rdtsc\" runs on a host: give "
				    "\"cpus\" (and \"host\") instead of \"vcpus\"");
		return load_reader_vcpus(ld, &vcpus, r);
	}
	if (r->kind != READER_TSC && r->kind != READER_RDTSC)
		return fail(ld, kind->path, "a reader on a host (with \"cpus\") is of kind \"tsc\" "
			    "or \"rdtsc\", got \"%s\"", reader_kind_names[r->kind]);
	r->on_host = true;
	if (!read_host_or_only(ld, o, &r->host))
		return false;
	h = &sc->hosts[r->host];
	initial_online(h, &online);
	return read_cpu_list(ld, &cpus, h, &online, "at t = 0", false, &r->ncpus, r->cpus);
}

static bool load_reader(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_reader *r = &sc->readers[idx];
	struct node v, kind, period, checks;
	char q[80], a[32], b[32];
	unsigned u = 0;
	enum scn_device dev;
	bool counter;

	if (!read_object(ld, o, reader_keys))
		return false;
	keep_path(r->path, o->path);
	if (!get(ld, o, "name", true, &v) || !read_name(ld, &v, r->name, sizeof(r->name)))
		return false;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->readers[i].name, r->name) == 0)
			return fail(ld, v.path, "duplicate reader name %s (also /readers/%u/name)",
				    sim_quote(q, sizeof(q), r->name), i);
	if (!get(ld, o, "kind", true, &kind) || !read_enum(ld, &kind, reader_kind_names, &u))
		return false;
	r->kind = (enum reader_kind)u;
	counter = r->kind == READER_HPET || r->kind == READER_PMTIMER;
	dev = r->kind == READER_HPET ? SCN_DEV_HPET : SCN_DEV_PMTIMER;
	if (!load_reader_binding(ld, o, &kind, r))
		return false;
	if (!get(ld, o, "period", true, &period) || !read_duration_ps(ld, &period, &r->period_ps))
		return false;
	if (r->period_ps == 0)
		return fail(ld, period.path, "expected a period above 0, got \"%s\"",
			    period.json->valuestring);
	if (!get(ld, o, "jitter", false, &v) || !read_duration_ps(ld, &v, &r->jitter_ps))
		return false;
	if (r->jitter_ps >= r->period_ps)
		return fail(ld, v.path, "expected a jitter below the period (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, r->period_ps), fmt_ps(b, sizeof(b), 1, r->jitter_ps));
	r->cost_ps = reader_cost_ps[r->kind];
	if (!get(ld, o, "cost", false, &v) || !read_duration_ps(ld, &v, &r->cost_ps))
		return false;
	if (r->cost_ps >= r->period_ps)
		return fail(ld, v.json ? v.path : period.path,
			    "expected a cost below the period (%s), got %s%s",
			    fmt_ps(a, sizeof(a), 1, r->period_ps), fmt_ps(b, sizeof(b), 1, r->cost_ps),
			    v.json ? "" : " (the default cost for this kind)");
	/* A device reader's cost of 0 stands for the device's access cost. */
	if (counter && r->cost_ps == 0 && sc->platform.has_cost[dev] &&
	    sc->platform.cost_ps[dev] >= r->period_ps)
		return fail(ld, period.path,
			    "expected a period above the cost of one read (%s, from "
			    "/platform/access_cost/%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->platform.cost_ps[dev]), device_names[dev],
			    fmt_ps(b, sizeof(b), 1, r->period_ps));
	if (!get(ld, o, "tsc_khz", false, &v))
		return false;
	if (v.json && r->kind != READER_TSC)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"tsc_khz\" is only allowed when \"kind\" is \"tsc\"");
	if (v.json && r->on_host)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"tsc_khz\" is not allowed on a host: a \"tsc\" reader there "
			       "uses the host kernel's tsc_khz (%s/tsc_khz)", sc->hosts[r->host].path);
	if (!read_int(ld, &v, 1, UINT32_MAX, "a TSC frequency in kHz", &r->tsc_khz))
		return false;
	if (!get(ld, o, "width", false, &v))
		return false;
	if (v.json && r->kind == READER_PMTIMER)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is not allowed when \"kind\" is \"pmtimer\": the "
			       "PM timer's width is /platform/pmtimer/bits (%u)",
			       sc->platform.pmtimer.bits);
	if (v.json && r->kind != READER_HPET)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is only allowed when \"kind\" is \"hpet\"");
	if (r->kind == READER_HPET) {
		r->width_bits = 32;
		if (!read_either(ld, &v, 32, 64, "an access width in bits", &r->width_bits))
			return false;
	} else if (r->kind == READER_PMTIMER) {
		r->width_bits = sc->platform.pmtimer.bits;
	}
	if (!get(ld, o, "wrap", false, &v))
		return false;
	if (v.json && !counter)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"wrap\" is only allowed when \"kind\" is \"hpet\" or \"pmtimer\"");
	if (counter) {
		u = 1;
		if (!read_enum(ld, &v, wrap_names, &u))
			return false;
		r->wrap_extend = u == 1;
	}
	if (!get(ld, o, "migrate_every", false, &v))
		return false;
	if (v.json && !r->on_host)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"migrate_every\" is only allowed on a "
			       "reader on a host (with \"cpus\")");
	if (!read_duration_ps(ld, &v, &r->migrate_every_ps))
		return false;
	if (v.json && r->migrate_every_ps == 0)
		return fail(ld, v.path, "expected a duration above 0, got \"%s\"",
			    v.json->valuestring);
	if (v.json && r->ncpus < 2)
		return fail(ld, v.path, "a reader that migrates needs at least 2 CPUs in \"cpus\", "
			    "got %u", r->ncpus);
	if (!get(ld, o, "rdtsc", false, &v))
		return false;
	if (v.json && r->kind != READER_TSC && r->kind != READER_RDTSC)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"rdtsc\" is only allowed when \"kind\" "
			       "is \"tsc\" or \"rdtsc\"");
	u = SCN_RDTSC_RDTSCP;
	if (!read_enum(ld, &v, rdtsc_names, &u))
		return false;
	r->rdtsc = (enum scn_rdtsc_kind)u;
	if (!get(ld, o, "checks", false, &checks))
		return false;
	if (checks.json && !read_object(ld, &checks, check_names))
		return false;
	for (unsigned id = 0; checks.json && id < ORACLE_CHECK_COUNT; id++) {
		if (!get(ld, &checks, check_names[id], false, &v))
			return false;
		if (v.json && !load_check(ld, &v, (enum oracle_check_id)id, &r->checks[id]))
			return false;
	}
	return true;
}

/* ---- device scripts ---- */

/*
 * A qtest line: 1 to SCN_COMMAND_MAX-1 printable ASCII characters, not only
 * spaces.  Its syntax is the machine's business (it knows the language).
 */
static bool read_command_line(struct loader *ld, const struct node *v, char dst[SCN_COMMAND_MAX])
{
	const char *s = "";
	char q[80];
	size_t n;

	if (!read_str(ld, v, EXPECT_COMMAND, &s))
		return false;
	n = strlen(s);
	if (n >= SCN_COMMAND_MAX)
		return fail(ld, v->path, "qtest command too long: %zu characters (at most %d)", n,
			    SCN_COMMAND_MAX - 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e)
			return fail(ld, v->path,
				    "expected %s (printable ASCII only), got byte 0x%02x at offset %zu "
				    "of %s", EXPECT_COMMAND, c, i, sim_quote(q, sizeof(q), s));
	}
	if (strspn(s, " ") == n)
		return fail(ld, v->path, "expected %s, got %s", EXPECT_COMMAND,
			    sim_quote(q, sizeof(q), s));
	memcpy(dst, s, n + 1);
	return true;
}

/* "raise N" or "lower N" (N 0..23, no leading zeros), stored as "IRQ raise N". */
static bool read_irq_event(struct loader *ld, const struct node *v,
			   char dst[SCN_IRQ_EVENT_MAX])
{
	const char *s = "", *p;
	char q[80];
	unsigned n = 0;

	if (!read_str(ld, v, "an interrupt event: " EXPECT_IRQ, &s))
		return false;
	p = s + 6;
	if ((strncmp(s, "raise ", 6) != 0 && strncmp(s, "lower ", 6) != 0) ||
	    !(p[0] >= '0' && p[0] <= '9') || (p[0] == '0' && p[1]) ||
	    strspn(p, "0123456789") != strlen(p) || strlen(p) > 2 || (n = (unsigned)atoi(p)) > 23)
		return fail(ld, v->path, "expected %s, got %s", EXPECT_IRQ,
			    sim_quote(q, sizeof(q), s));
	snprintf(dst, SCN_IRQ_EVENT_MAX, "IRQ %.5s %u", s, n);
	return true;
}

/* A string, or {"do": string, "expect": value, "irqs": [events]}. */
static bool load_command(struct loader *ld, const struct node *v, struct scn_command *c)
{
	struct node d, e, irqs;

	keep_path(c->path, v->path);
	if (cJSON_IsString(v->json))
		return read_command_line(ld, v, c->line);
	if (!cJSON_IsObject(v->json))
		return type_error(ld, v, EXPECT_COMMAND " or an object with \"do\"");
	if (!read_object(ld, v, command_keys))
		return false;
	if (!get(ld, v, "do", true, &d) || !read_command_line(ld, &d, c->line))
		return false;
	if (!get(ld, v, "expect", false, &e) ||
	    !read_u64(ld, &e, "the value the command returns", UINT64_MAX, &c->expect))
		return false;
	c->has_expect = e.json != NULL;
	if (!get(ld, v, "irqs", false, &irqs) ||
	    !read_array(ld, &irqs, 0, SCN_MAX_IRQ_EVENTS, "interrupt events", &c->nirqs))
		return false;
	c->has_irqs = irqs.json != NULL;
	for (unsigned i = 0; i < c->nirqs; i++) {
		struct node el;

		element(&irqs, i, &el);
		if (!read_irq_event(ld, &el, c->irqs[i]))
			return false;
	}
	return true;
}

static bool load_script(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_script *sp = &sc->scripts[idx];
	struct node v, arr;
	char q[80], a[32], b[32];
	unsigned u = 0, n = 0;

	if (!read_object(ld, o, script_keys))
		return false;
	keep_path(sp->path, o->path);
	if (!get(ld, o, "name", true, &v) || !read_name(ld, &v, sp->name, sizeof(sp->name)))
		return false;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->scripts[i].name, sp->name) == 0)
			return fail(ld, v.path, "duplicate script name %s (also /scripts/%u/name)",
				    sim_quote(q, sizeof(q), sp->name), i);
	if (!get(ld, o, "at", false, &v) || !read_duration_ps(ld, &v, &sp->at_ps))
		return false;
	if (sp->at_ps >= sc->duration_ps)
		return fail(ld, v.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, sp->at_ps));
	if (!get(ld, o, "expect", true, &v) || !read_enum(ld, &v, expect_names, &u))
		return false;
	sp->expect = (enum oracle_expect)u;
	if (!get(ld, o, "commands", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_COMMANDS, "commands", &n))
		return false;
	sp->commands = calloc(n, sizeof(*sp->commands));
	if (!sp->commands)
		return fail(ld, arr.path, "out of memory");
	sp->ncommands = n;
	for (unsigned i = 0; i < n; i++) {
		element(&arr, i, &v);
		if (!load_command(ld, &v, &sp->commands[i]))
			return false;
	}
	return true;
}

/* ---- host events ---- */

/* What load_events keeps while it reads the events in order. */
struct event_state {
	struct cpu_set sets[SCN_MAX_EVENTS];  /* the CPUs of each event ("cpus" or "cpu") */
	int64_t steps[SCN_MAX_HOSTS][SCN_MAX_SOCKETS]; /* temperature steps so far */
	unsigned reader_cpu[SCN_MAX_READERS]; /* where each one-CPU reader on a host is */
};

/* The CPUs of host `host` online at t, after the hotplug events among events[0, k). */
static void online_at(const struct scenario *sc, unsigned host, sim_ps t, unsigned k,
		      struct cpu_set *set)
{
	initial_online(&sc->hosts[host], set);
	for (unsigned j = 0; j < k; j++) {
		const struct scn_event *e = &sc->events[j];

		if (e->type == SCN_EV_HOTPLUG && e->host == host && e->at_ps <= t)
			cpu_set_add(set, e->cpu);
	}
}

/* When an event that keeps its CPUs busy (cstate, cstate_pattern, throttle) ends; else 0. */
static sim_ps busy_end(const struct scn_event *e)
{
	switch (e->type) {
	case SCN_EV_CSTATE:
	case SCN_EV_THROTTLE:
		return sim_add_sat(e->at_ps, e->duration_ps);
	case SCN_EV_CSTATE_PATTERN:
		return e->until_ps;
	default:
		return 0;
	}
}

/*
 * The first of events[0, k) on host that keeps a CPU of set busy after t (only
 * "cstate" events when cstate_only), with that CPU in *cpu; -1 when none.
 */
static int busy_conflict(const struct scenario *sc, const struct event_state *st, unsigned k,
			 unsigned host, sim_ps t, const struct cpu_set *set, bool cstate_only,
			 unsigned *cpu)
{
	for (unsigned j = 0; j < k; j++) {
		const struct scn_event *e = &sc->events[j];
		unsigned c;

		if (e->host != host || busy_end(e) <= t || (cstate_only && e->type != SCN_EV_CSTATE))
			continue;
		c = cpu_set_common(&st->sets[j], set);
		if (c < SCN_MAX_HOST_CPUS) {
			*cpu = c;
			return (int)j;
		}
	}
	return -1;
}

/* "state": 1..10 or "C1".."C10". */
static bool read_cstate(struct loader *ld, const struct node *v, unsigned *out)
{
	const char *s;
	char q[80];

	if (cJSON_IsNumber(v->json))
		return read_uint(ld, v, 1, SCN_MAX_CSTATE, "a C-state (1 to 10, or \"C1\" to \"C10\")",
				 out);
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, EXPECT_CSTATE);
	s = v->json->valuestring;
	if (s[0] != 'C' || s[1] < '1' || s[1] > '9' || (s[2] && strcmp(s + 1, "10") != 0))
		return fail(ld, v->path, "expected %s, got %s", EXPECT_CSTATE,
			    sim_quote(q, sizeof(q), s));
	*out = (unsigned)atoi(s + 1);
	return true;
}

/* Index of the reader named by v (a string), listing the names on error. */
static bool read_reader_ref(struct loader *ld, const struct node *v, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[SCN_MAX_READERS * (SCN_NAME_MAX + 2)] = "none";
	const char *s = "";
	size_t n = 0;

	if (!read_str(ld, v, "a reader name", &s))
		return false;
	for (unsigned i = 0; i < sc->nreaders; i++) {
		if (strcmp(sc->readers[i].name, s) == 0) {
			*out = i;
			return true;
		}
		n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", i ? ", " : "",
				      sc->readers[i].name);
	}
	return fail(ld, v->path, "unknown reader %s; expected one of: %s",
		    sim_quote(q, sizeof(q), s), names);
}

/* An error: CPU cpu of h is not in the online set that holds `when`. */
static bool offline_error(struct loader *ld, const char *path, const struct scn_host *h,
			  unsigned cpu, const char *when)
{
	bool hotplug;

	return fail(ld, path, "CPU %u of host \"%s\" is offline %s: it is one of socket %u's "
		    "\"hotplug_cpus\", not brought online by an earlier \"hotplug\" event", cpu,
		    h->name, when, cpu_socket(h, cpu, &hotplug));
}

/* The required "cpu" of o: a CPU of host h online at t (after events[0, k)). */
static bool read_online_cpu(struct loader *ld, const struct node *o, const char *key,
			    unsigned host, sim_ps t, unsigned k, unsigned *cpu, struct node *v)
{
	const struct scn_host *h = &ld->sc->hosts[host];
	char what[80], when[48], a[32];
	struct cpu_set online;

	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	if (!get(ld, o, key, true, v) || !read_uint(ld, v, 0, h->ncpus - 1, what, cpu))
		return false;
	online_at(ld->sc, host, t, k, &online);
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, t));
	return cpu_set_has(&online, *cpu) || offline_error(ld, v->path, h, *cpu, when);
}

/* A required duration above 0 at key of o. */
static bool read_positive(struct loader *ld, const struct node *o, const char *key, sim_ps *out,
			  struct node *v)
{
	if (!get(ld, o, key, true, v) || !read_duration_ps(ld, v, out))
		return false;
	if (*out == 0)
		return fail(ld, v->path, "expected a duration above 0, got \"%s\"",
			    v->json->valuestring);
	return true;
}

/* "reader" of a reader_migrate event: a reader on a host, on one CPU; its host. */
static bool load_migrate_reader(struct loader *ld, const struct node *o, struct scn_event *e)
{
	const struct scenario *sc = ld->sc;
	const struct scn_reader *r;
	struct node v;
	unsigned host;
	char a[32];

	if (!get(ld, o, "reader", true, &v) || !read_reader_ref(ld, &v, &e->reader))
		return false;
	r = &sc->readers[e->reader];
	if (!r->on_host)
		return fail(ld, v.path, "reader \"%s\" runs in the VM; \"reader_migrate\" moves a reader "
			    "on a host (one with \"cpus\")", r->name);
	if (r->migrate_every_ps)
		return fail(ld, v.path, "reader \"%s\" already migrates (every %s); \"reader_migrate\" "
			    "moves a reader on one CPU (no \"migrate_every\")", r->name,
			    fmt_ps(a, sizeof(a), 1, r->migrate_every_ps));
	if (r->ncpus != 1)
		return fail(ld, v.path, "reader \"%s\" is one reader per CPU on %u CPUs; "
			    "\"reader_migrate\" moves a reader on one CPU (\"cpus\" with one entry)",
			    r->name, r->ncpus);
	e->host = r->host;
	if (!get(ld, o, "host", false, &v))
		return false;
	if (v.json && !read_host_ref(ld, &v, &host))
		return false;
	if (v.json && host != e->host)
		return fail(ld, v.path, "reader \"%s\" runs on host \"%s\"; expected that host, or no "
			    "\"host\"", r->name, sc->hosts[e->host].name);
	return true;
}

static bool load_event(struct loader *ld, const struct node *o, unsigned k,
		       struct event_state *st)
{
	struct scenario *sc = ld->sc;
	struct scn_event *e = &sc->events[k];
	const struct scn_host *h;
	struct node v, at, type, cpus = { NULL, "" };
	struct cpu_set online;
	char context[48], when[48], a[32], b[32], c[32];
	unsigned u = 0, cpu;
	int64_t lo, hi;
	int j;

	if (!cJSON_IsObject(o->json))
		return type_error(ld, o, "an object");
	if (!get(ld, o, "type", true, &type) || !read_enum(ld, &type, event_type_names, &u))
		return false;
	e->type = (enum scn_event_type)u;
	snprintf(context, sizeof(context), "an event of type \"%s\"", event_type_names[u]);
	if (!read_object_in(ld, o, event_keys[u], event_keys_all, context))
		return false;
	keep_path(e->path, o->path);
	if (!get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &e->at_ps))
		return false;
	if (e->at_ps >= sc->duration_ps)
		return fail(ld, at.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps), fmt_ps(b, sizeof(b), 1, e->at_ps));
	if (k && e->at_ps < sc->events[k - 1].at_ps)
		return fail(ld, at.path, "expected events sorted by \"at\": got %s, before the "
			    "previous event's %s", fmt_ps(a, sizeof(a), 1, e->at_ps),
			    fmt_ps(b, sizeof(b), 1, sc->events[k - 1].at_ps));
	if (e->type == SCN_EV_READER_MIGRATE ? !load_migrate_reader(ld, o, e)
					      : !read_host_or_only(ld, o, &e->host))
		return false;
	h = &sc->hosts[e->host];
	for (unsigned i = 0; i < k; i++) {
		const struct scn_event *s = &sc->events[i];

		if (s->type == SCN_EV_SUSPEND && s->host == e->host &&
		    e->at_ps < s->at_ps + s->duration_ps)
			return fail(ld, at.path, "host \"%s\" is suspended at %s by /events/%u (from %s "
				    "to %s)", h->name, fmt_ps(a, sizeof(a), 1, e->at_ps), i,
				    fmt_ps(b, sizeof(b), 1, s->at_ps),
				    fmt_ps(c, sizeof(c), 1, s->at_ps + s->duration_ps));
	}
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, e->at_ps));

	switch (e->type) {
	case SCN_EV_CSTATE:
	case SCN_EV_CSTATE_PATTERN:
	case SCN_EV_PSTATE:
	case SCN_EV_THROTTLE:
		online_at(sc, e->host, e->at_ps, k, &online);
		if (!get(ld, o, "cpus", true, &cpus) ||
		    !read_cpu_list(ld, &cpus, h, &online, when, true, &e->ncpus, e->cpus))
			return false;
		for (unsigned i = 0; i < e->ncpus; i++)
			cpu_set_add(&st->sets[k], e->cpus[i]);
		break;
	default:
		break;
	}

	switch (e->type) {
	case SCN_EV_CSTATE:
		if (!get(ld, o, "state", true, &v) || !read_cstate(ld, &v, &e->cstate) ||
		    !read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		break;
	case SCN_EV_CSTATE_PATTERN:
		if (!get(ld, o, "state", true, &v) || !read_cstate(ld, &v, &e->cstate))
			return false;
		if (!get(ld, o, "until", true, &v) || !read_duration_ps(ld, &v, &e->until_ps))
			return false;
		if (e->until_ps <= e->at_ps || e->until_ps > sc->duration_ps)
			return fail(ld, v.path, "expected a time after \"at\" (%s) and not after the end "
				    "of the run (%s), got %s", fmt_ps(a, sizeof(a), 1, e->at_ps),
				    fmt_ps(b, sizeof(b), 1, sc->duration_ps),
				    fmt_ps(c, sizeof(c), 1, e->until_ps));
		if (!read_positive(ld, o, "residency", &e->residency_ps, &v) ||
		    !read_positive(ld, o, "busy", &e->busy_ps, &v))
			return false;
		break;
	case SCN_EV_PSTATE:
		if (!get(ld, o, "frequency", true, &v) ||
		    !read_freq(ld, &v, 1000000, 100000000000ULL, "1MHz to 100GHz", &e->frequency))
			return false;
		break;
	case SCN_EV_THROTTLE: {
		int64_t duty = 0;

		if (!get(ld, o, "duty", true, &v) ||
		    !read_fraction(ld, &v, PPB_PER_PERCENT, 100 * PPB_PER_PERCENT,
				   "a duty from 1% to 100%", &duty))
			return false;
		if (duty % 1000)
			return fail(ld, v.path, "duty \"%s\" is not a whole number of ppm",
				    v.json->valuestring);
		e->duty_ppm = (uint32_t)(duty / 1000);
		if (!read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		break;
	}
	case SCN_EV_TEMPERATURE: {
		char what[80];

		snprintf(what, sizeof(what), "a socket index of host \"%s\"", h->name);
		if (!get(ld, o, "socket", true, &v) ||
		    !read_uint(ld, &v, 0, h->nsockets - 1, what, &e->socket))
			return false;
		if (!get(ld, o, "step", true, &v) ||
		    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &e->step_ppb))
			return false;
		st->steps[e->host][e->socket] += e->step_ppb;
		crystal_envelope(sc, &h->sockets[e->socket], st->steps[e->host][e->socket], &lo, &hi);
		if (!check_envelope(ld, v.path, h, lo, hi, "with the temperature steps so far"))
			return false;
		break;
	}
	case SCN_EV_HOTPLUG: {
		char what[80], list_buf[96];
		bool hotplug;

		snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
		if (!get(ld, o, "cpu", true, &v) || !read_uint(ld, &v, 0, h->ncpus - 1, what, &e->cpu))
			return false;
		cpu_socket(h, e->cpu, &hotplug);
		if (!hotplug)
			return fail(ld, v.path, "CPU %u of host \"%s\" is online at t = 0; expected one "
				    "of its \"hotplug_cpus\" (%s)", e->cpu, h->name,
				    hotplug_list(h, list_buf, sizeof(list_buf)));
		for (unsigned i = 0; i < k; i++)
			if (sc->events[i].type == SCN_EV_HOTPLUG && sc->events[i].host == e->host &&
			    sc->events[i].cpu == e->cpu)
				return fail(ld, v.path, "CPU %u of host \"%s\" is already online %s "
					    "(/events/%u brought it online)", e->cpu, h->name, when, i);
		cpu_set_add(&st->sets[k], e->cpu);
		if (!get(ld, o, "tsc", false, &v) ||
		    !read_u64(ld, &v, "the new CPU's TSC", UINT64_MAX, &e->value))
			return false;
		e->has_value = v.json != NULL;
		break;
	}
	case SCN_EV_TSC_WRITE:
	case SCN_EV_TSC_ADJUST_WRITE:
		if (e->type == SCN_EV_TSC_ADJUST_WRITE && !h->features.tsc_adjust)
			return fail(ld, type.path, "host \"%s\" has no IA32_TSC_ADJUST "
				    "(%s/tsc_features/tsc_adjust is false)", h->name, h->path);
		if (!read_online_cpu(ld, o, "cpu", e->host, e->at_ps, k, &e->cpu, &v))
			return false;
		cpu_set_add(&st->sets[k], e->cpu);
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &st->sets[k], true, &cpu);
		if (j >= 0)
			return fail(ld, v.path, "CPU %u of host \"%s\" is in C%u %s (/events/%d, until "
				    "%s): it cannot execute the write", cpu, h->name,
				    sc->events[j].cstate, when, j,
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
		if (!get(ld, o, "value", true, &v))
			return false;
		if (e->type == SCN_EV_TSC_WRITE) {
			e->has_value = true;
			if (!read_u64(ld, &v, "a TSC value", UINT64_MAX, &e->value) ||
			    !get(ld, o, "low32", false, &v) || !read_bool(ld, &v, &e->low32))
				return false;
		} else {
			e->has_adjust = true;
			if (!read_s64(ld, &v, "a TSC_ADJUST value", &e->adjust))
				return false;
		}
		break;
	case SCN_EV_SUSPEND: {
		struct cpu_set all;

		if (!get(ld, o, "kind", true, &v) || !read_enum(ld, &v, suspend_names, &u))
			return false;
		e->s4 = u == 1;
		if (!read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		if (sim_add_sat(e->at_ps, e->duration_ps) >= sc->duration_ps)
			return fail(ld, v.path, "the host would resume at %s (at + duration), not before "
				    "the end of the run (%s)",
				    fmt_ps(a, sizeof(a), 1, sim_add_sat(e->at_ps, e->duration_ps)),
				    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
		if (!get(ld, o, "firmware_tsc_adjust", false, &v))
			return false;
		if (v.json && !h->features.tsc_adjust)
			return fail_at(ld, v.path, AT_KEY, 0, "host \"%s\" has no IA32_TSC_ADJUST "
				       "(%s/tsc_features/tsc_adjust is false)", h->name, h->path);
		if (!read_s64(ld, &v, "a TSC_ADJUST value", &e->adjust))
			return false;
		e->has_adjust = v.json != NULL;
		memset(&all, 0xff, sizeof(all));
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &all, false, &cpu);
		if (j >= 0)
			return fail(ld, at.path, "host \"%s\" cannot suspend %s: CPU %u is busy with "
				    "/events/%d (a \"%s\" event until %s)", h->name, when, cpu, j,
				    event_type_names[sc->events[j].type],
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
		break;
	}
	case SCN_EV_READER_MIGRATE:
		if (!read_online_cpu(ld, o, "cpu", e->host, e->at_ps, k, &e->cpu, &v))
			return false;
		if (e->cpu == st->reader_cpu[e->reader])
			return fail(ld, v.path, "reader \"%s\" is already on CPU %u %s; expected another "
				    "CPU", sc->readers[e->reader].name, e->cpu, when);
		st->reader_cpu[e->reader] = e->cpu;
		cpu_set_add(&st->sets[k], e->cpu);
		break;
	case SCN_EV_COUNT:
		break;
	}

	if (busy_end(e)) {
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &st->sets[k], false, &cpu);
		if (j >= 0)
			return fail(ld, cpus.path, "CPU %u of host \"%s\" is still busy %s with /events/%d "
				    "(a \"%s\" event until %s); C-state, C-state pattern and throttle "
				    "events on one CPU must not overlap", cpu, h->name, when, j,
				    event_type_names[sc->events[j].type],
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
	}
	return true;
}

static bool load_events(struct loader *ld, const struct node *arr)
{
	struct scenario *sc = ld->sc;
	struct event_state *st;
	unsigned n = 0;
	bool ok = true;

	if (!read_array(ld, arr, 0, SCN_MAX_EVENTS, "events", &n))
		return false;
	if (n == 0)
		return true;
	sc->events = calloc(n, sizeof(*sc->events));
	st = calloc(1, sizeof(*st));
	if (!sc->events || !st) {
		free(st);
		return fail(ld, arr->path, "out of memory");
	}
	for (unsigned r = 0; r < sc->nreaders; r++)
		if (sc->readers[r].on_host)
			st->reader_cpu[r] = sc->readers[r].cpus[0];
	for (unsigned k = 0; ok && k < n; k++) {
		struct node el;

		element(arr, k, &el);
		ok = load_event(ld, &el, k, st);
	}
	free(st);
	if (ok)
		sc->nevents = n;
	return ok;
}

/* ---- host checks ---- */

static const char *fmt_worst(char *dst, size_t len, enum scn_host_check_kind kind, int64_t v)
{
	if (kind == SCN_HC_FLAG_TRUTH)
		return fmt_ppb(dst, len, v);
	if (kind == SCN_HC_TSC_SYNC) {
		snprintf(dst, len, "%" PRId64 " cycles", v);
		return dst;
	}
	return fmt_sps(dst, len, v);
}

/* "worst": {"min", "max"}: ppb (flag_truth), cycles (tsc_sync), signed durations (others). */
static bool load_host_worst(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	struct node bound[2];
	int64_t *out[2] = { &c->worst_min, &c->worst_max };
	char a[32], b[32];

	if (!read_object(ld, o, worst_keys))
		return false;
	for (unsigned i = 0; i < 2; i++) {
		struct node *v = &bound[i];

		if (!get(ld, o, worst_keys[i], false, v))
			return false;
		if (c->kind == SCN_HC_FLAG_TRUTH) {
			if (!read_ppb(ld, v, INT64_MAX, out[i]))
				return false;
		} else if (c->kind == SCN_HC_TSC_SYNC) {
			uint64_t x = 0;

			if (!read_int(ld, v, 0, MAX_U53, "a number of TSC cycles", &x))
				return false;
			*out[i] = (int64_t)x;
		} else if (!read_signed_ps(ld, v, out[i])) {
			return false;
		}
	}
	c->has_worst_min = bound[0].json != NULL;
	c->has_worst_max = bound[1].json != NULL;
	if (c->has_worst_min && c->has_worst_max && c->worst_max < c->worst_min)
		return fail(ld, bound[1].path, "expected at least \"min\" (%s), got %s",
			    fmt_worst(a, sizeof(a), c->kind, c->worst_min),
			    fmt_worst(b, sizeof(b), c->kind, c->worst_max));
	return true;
}

/* flag_truth "flags": distinct flag names; default every flag. */
static bool read_flags(struct loader *ld, const struct node *v, uint32_t *flags)
{
	char expected[160], names[112], q[80];
	unsigned n = 0;

	*flags = (1u << SCN_TSC_FLAG_COUNT) - 1;
	if (!v->json)
		return true;
	if (!read_array(ld, v, 1, SCN_TSC_FLAG_COUNT, "TSC flag names", &n))
		return false;
	*flags = 0;
	snprintf(expected, sizeof(expected), "a TSC flag: one of %s",
		 list(names, sizeof(names), tsc_flag_names, true));
	for (unsigned i = 0; i < n; i++) {
		struct node el;
		const char *s = "";
		unsigned f = 0;

		element(v, i, &el);
		if (!read_str(ld, &el, expected, &s))
			return false;
		while (tsc_flag_names[f] && strcmp(tsc_flag_names[f], s) != 0)
			f++;
		if (!tsc_flag_names[f])
			return fail(ld, el.path, "expected %s, got %s", expected,
				    sim_quote(q, sizeof(q), s));
		if (*flags >> f & 1)
			return fail(ld, el.path, "duplicate flag %s", sim_quote(q, sizeof(q), s));
		*flags |= 1u << f;
	}
	return true;
}

static bool load_tsc_sync(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	const struct scn_host *h = &sc->hosts[c->host];
	unsigned *cpu[2] = { &c->tsc_sync.source, &c->tsc_sync.target };
	struct node v, arr;
	struct cpu_set online;
	char a[32], b[32], what[80], when[48];

	if (!get(ld, o, "at", false, &v) || !read_duration_ps(ld, &v, &c->tsc_sync.at_ps))
		return false;
	if (c->tsc_sync.at_ps >= sc->duration_ps)
		return fail(ld, v.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps),
			    fmt_ps(b, sizeof(b), 1, c->tsc_sync.at_ps));
	if (!get(ld, o, "cpus", true, &arr) ||
	    !read_array(ld, &arr, 2, 2, "CPU indices ([source, target])", &(unsigned){ 0 }))
		return false;
	online_at(sc, c->host, c->tsc_sync.at_ps, sc->nevents, &online);
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, c->tsc_sync.at_ps));
	for (unsigned i = 0; i < 2; i++) {
		element(&arr, i, &v);
		if (!read_uint(ld, &v, 0, h->ncpus - 1, what, cpu[i]))
			return false;
		if (!cpu_set_has(&online, *cpu[i]))
			return offline_error(ld, v.path, h, *cpu[i], when);
	}
	if (c->tsc_sync.source == c->tsc_sync.target)
		return fail(ld, v.path, "expected a target CPU other than the source (%u)",
			    c->tsc_sync.source);
	return true;
}

static bool load_watchdog(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	struct node every, delay, v;
	unsigned u = SCN_WD_HPET;
	bool b = false;

	if (!get(ld, o, "clocksource", false, &v) || !read_enum(ld, &v, watchdog_cs_names, &u))
		return false;
	c->watchdog.clocksource = (enum scn_watchdog_cs)u;
	if (!get(ld, o, "delay_every", false, &every) || !get(ld, o, "delay", false, &delay))
		return false;
	if (every.json && !delay.json)
		return fail_at(ld, delay.path, AT_PARENT, 0, "missing key \"delay\": \"delay_every\" is "
			       "given, and the two go together");
	if (delay.json && !every.json)
		return fail_at(ld, every.path, AT_PARENT, 0, "missing key \"delay_every\": \"delay\" "
			       "is given, and the two go together");
	if (!read_uint(ld, &every, 1, UINT32_MAX, "a count of watchdog reads",
		       &c->watchdog.delay_every))
		return false;
	if (delay.json && !read_positive(ld, o, "delay", &c->watchdog.delay_ps, &delay))
		return false;
	c->watchdog.false_positive = -1;
	if (!get(ld, o, "false_positive", false, &v) || !read_bool(ld, &v, &b))
		return false;
	if (v.json)
		c->watchdog.false_positive = b;
	return true;
}

static bool load_timer(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	struct node v, count, delay;
	char a[32], b[32];
	unsigned u = 0;
	sim_u128 due;

	if (!get(ld, o, "mode", true, &v) || !read_enum(ld, &v, timer_mode_names, &u))
		return false;
	c->timer.mode = (enum scn_timer_mode)u;
	if (!get(ld, o, "arm_at", false, &v) || !read_duration_ps(ld, &v, &c->timer.arm_at_ps))
		return false;
	if (c->timer.arm_at_ps >= sc->duration_ps)
		return fail(ld, v.path, "expected a time before the end of the run (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->duration_ps),
			    fmt_ps(b, sizeof(b), 1, c->timer.arm_at_ps));
	if (!read_online_cpu(ld, o, "cpu", c->host, c->timer.arm_at_ps, sc->nevents,
			     &c->timer.cpu, &v))
		return false;
	if (!read_positive(ld, o, "delay", &c->timer.delay_ps, &delay))
		return false;
	if (!get(ld, o, "count", false, &count))
		return false;
	if (count.json && c->timer.mode != SCN_TIMER_PERIODIC)
		return fail_at(ld, count.path, AT_KEY, 0,
			       "key \"count\" is only allowed when \"mode\" is \"periodic\"");
	if (!read_int(ld, &count, 1, MAX_U53, "a number of fires", &c->timer.count))
		return false;
	due = (sim_u128)c->timer.arm_at_ps +
	      (sim_u128)c->timer.delay_ps * (c->timer.count ? c->timer.count : 1);
	if (due >= sc->duration_ps)
		return fail(ld, count.json ? count.path : delay.path,
			    "the timer's %s would be due at %s, not before the end of the run (%s)",
			    count.json ? "last fire" : "first fire",
			    due > SIM_NEVER ? "more than 213 days" : fmt_ps(a, sizeof(a), 1, (sim_ps)due),
			    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	c->timer.slack_ps = 10 * SIM_PS_PER_US;
	return get(ld, o, "slack", false, &v) && read_duration_ps(ld, &v, &c->timer.slack_ps);
}

static bool load_host_check(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_host_check *c = &sc->host_checks[idx];
	struct node v, kind, name;
	char context[48], q[80];
	unsigned u = 0;

	if (!cJSON_IsObject(o->json))
		return type_error(ld, o, "an object");
	if (!get(ld, o, "check", true, &kind) || !read_enum(ld, &kind, host_check_names, &u))
		return false;
	c->kind = (enum scn_host_check_kind)u;
	snprintf(context, sizeof(context), "check \"%s\"", host_check_names[u]);
	if (!read_object_in(ld, o, host_check_keys[u], hc_keys_all, context))
		return false;
	keep_path(c->path, o->path);
	if (!get(ld, o, "name", false, &name) || !read_name(ld, &name, c->name, sizeof(c->name)))
		return false;
	if (!name.json)
		snprintf(c->name, sizeof(c->name), "%s-%u", host_check_names[u], idx);
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->host_checks[i].name, c->name) == 0)
			return fail(ld, name.json ? name.path : kind.path,
				    "duplicate host check name %s%s (also /host_checks/%u)",
				    sim_quote(q, sizeof(q), c->name),
				    name.json ? "" : ", this check's default name", i);
	if (!read_host_or_only(ld, o, &c->host))
		return false;
	u = ORACLE_EXPECT_PASS;
	if (!get(ld, o, "expect", true, &v) || !read_enum(ld, &v, expect_names, &u))
		return false;
	c->expect = (enum oracle_expect)u;
	switch (c->kind) {
	case SCN_HC_FLAG_TRUTH:
		c->flag_truth.threshold_ppb = 100000;
		if (!get(ld, o, "threshold", false, &v) ||
		    !read_ppb(ld, &v, INT64_MAX, &c->flag_truth.threshold_ppb))
			return false;
		if (c->flag_truth.threshold_ppb < 0)
			return fail(ld, v.path, "expected a threshold of at least 0ppm, got \"%s\"",
				    v.json->valuestring);
		if (!get(ld, o, "flags", false, &v) || !read_flags(ld, &v, &c->flag_truth.flags))
			return false;
		break;
	case SCN_HC_TSC_SYNC:
		if (!load_tsc_sync(ld, o, c))
			return false;
		break;
	case SCN_HC_WATCHDOG:
		if (!load_watchdog(ld, o, c))
			return false;
		break;
	case SCN_HC_TIMER:
		if (!load_timer(ld, o, c))
			return false;
		break;
	case SCN_HC_COUNT:
		break;
	}
	return get(ld, o, "worst", false, &v) && (!v.json || load_host_worst(ld, &v, c));
}

/* ---- the document ---- */

static bool nonempty_array(const struct node *v)
{
	return cJSON_IsArray(v->json) && cJSON_GetArraySize(v->json) > 0;
}

/*
 * The array arr (min to max elements, what names them in errors) into *n, and
 * each element through load_one with its index.
 */
static bool load_each(struct loader *ld, const struct node *arr, unsigned min, unsigned max,
		      const char *what, unsigned *n,
		      bool (*load_one)(struct loader *, const struct node *, unsigned))
{
	struct node el;

	if (!read_array(ld, arr, min, max, what, n))
		return false;
	for (unsigned i = 0; i < *n; i++) {
		element(arr, i, &el);
		if (!load_one(ld, &el, i))
			return false;
	}
	return true;
}

static bool load_scenario(struct loader *ld, const struct node *top)
{
	struct scenario *sc = ld->sc;
	struct node v, arr;
	char a[32];

	if (!read_object(ld, top, top_keys))
		return false;
	if (!get(ld, top, "name", true, &v) || !read_text(ld, &v, sc->name, sizeof(sc->name)))
		return false;
	if (!sc->name[0])
		return fail(ld, v.path, "expected a non-empty name, got \"\"");
	if (!get(ld, top, "description", false, &v) ||
	    !read_text(ld, &v, sc->description, sizeof(sc->description)))
		return false;
	sc->seed = 1;
	if (!get(ld, top, "seed", false, &v) || !read_int(ld, &v, 0, MAX_U53, "a seed", &sc->seed))
		return false;
	if (!get(ld, top, "duration", true, &v) || !read_duration_ps(ld, &v, &sc->duration_ps))
		return false;
	if (sc->duration_ps == 0)
		return fail(ld, v.path, "expected a duration above 0, got %s",
			    fmt_ps(a, sizeof(a), 1, 0));
	sc->utc_start_ns = UTC_START_DEFAULT_S * SIM_NS_PER_S;
	if (!get(ld, top, "utc_start", false, &v) || !read_utc_start(ld, &v, &sc->utc_start_ns))
		return false;

	if (!get(ld, top, "platform", false, &v) || !load_platform(ld, &v))
		return false;

	/*
	 * "vm" needs "hosts"; "hosts" alone is a bare-metal scenario, and neither
	 * is a bare board.
	 */
	if (!get(ld, top, "hosts", false, &arr) || !get(ld, top, "vm", false, &v))
		return false;
	if (!arr.json && v.json)
		return fail_at(ld, arr.path, AT_PARENT, 0,
			       "missing key \"hosts\": \"vm\" is given, and a VM needs the hosts it "
			       "runs on");
	sc->has_hosts = arr.json != NULL;
	sc->has_vm = v.json != NULL;
	if (sc->has_hosts) {
		struct node vm = v;

		if (!load_each(ld, &arr, 1, SCN_MAX_HOSTS, "hosts", &sc->nhosts, load_host))
			return false;
		if (sc->has_vm && !load_vm(ld, &vm))
			return false;
	}

	if (!get(ld, top, "migrations", false, &arr))
		return false;
	if (!sc->has_vm && nonempty_array(&arr))
		return fail(ld, arr.path, "migrations need a VM: add %s, or remove \"migrations\"",
			    sc->has_hosts ? "\"vm\"" : "\"hosts\" and \"vm\"");
	if (!load_each(ld, &arr, 0, SCN_MAX_MIGRATIONS, "migrations", &sc->nmigrations,
		       load_migration))
		return false;
	if (!get(ld, top, "vcpu_moves", false, &arr))
		return false;
	if (!sc->has_vm && nonempty_array(&arr))
		return fail(ld, arr.path, "vCPU moves need a VM: add %s, or remove \"vcpu_moves\"",
			    sc->has_hosts ? "\"vm\"" : "\"hosts\" and \"vm\"");
	if (!load_each(ld, &arr, 0, SCN_MAX_MOVES, "vCPU moves", &sc->nmoves, load_move))
		return false;
	if (!get(ld, top, "readers", false, &arr))
		return false;
	if (!sc->has_hosts && nonempty_array(&arr))
		return fail(ld, arr.path, "readers run in a guest and need a VM: add \"hosts\" and "
			    "\"vm\", or drive the devices with \"scripts\" (readers on bare metal "
			    "need \"hosts\")");
	if (!load_each(ld, &arr, 0, SCN_MAX_READERS, "readers", &sc->nreaders, load_reader))
		return false;
	if (!get(ld, top, "scripts", false, &arr) ||
	    !load_each(ld, &arr, 0, SCN_MAX_SCRIPTS, "scripts", &sc->nscripts, load_script))
		return false;
	if (!get(ld, top, "events", false, &arr))
		return false;
	if (!sc->has_hosts && nonempty_array(&arr))
		return fail(ld, arr.path, "events happen on hosts: add \"hosts\", or remove "
			    "\"events\"");
	if (!load_events(ld, &arr))
		return false;
	if (!get(ld, top, "host_checks", false, &arr))
		return false;
	if (!sc->has_hosts && nonempty_array(&arr))
		return fail(ld, arr.path, "host checks need hosts: add \"hosts\", or remove "
			    "\"host_checks\"");
	if (!load_each(ld, &arr, 0, SCN_MAX_HOST_CHECKS, "host checks", &sc->nhost_checks,
		       load_host_check))
		return false;
	if (sc->nreaders == 0 && sc->nscripts == 0 && sc->nhost_checks == 0)
		return fail(ld, top->path, sc->has_hosts
			    ? "nothing to check: add \"readers\", \"scripts\" or \"host_checks\""
			    : "nothing to check: add \"readers\" or \"scripts\"");
	return true;
}

/* A syntax error at buf[off]: show what is there, or say the text ended. */
static void syntax_error(struct loader *ld, size_t off, const char *what)
{
	unsigned line, col;
	size_t n = 0, rest = off;

	while (rest < ld->len && strchr(" \t\r\n", ld->buf[rest]))
		rest++;
	sim_diag_set_file(ld->err, ld->file);
	if (rest >= ld->len) {
		json_line_col(ld->buf, ld->len, ld->len, &line, &col);
		sim_diag_set_pos(ld->err, line, col);
		sim_diag_fail(ld->err, "invalid JSON: unexpected end of file");
		return;
	}
	json_line_col(ld->buf, ld->len, off, &line, &col);
	sim_diag_set_pos(ld->err, line, col);
	while (off + n < ld->len && n < 16 && ld->buf[off + n] != '\n' && ld->buf[off + n] != '\r')
		n++;
	{
		char snippet[24], q[80];

		memcpy(snippet, ld->buf + off, n);
		snippet[n] = '\0';
		sim_diag_fail(ld->err, "invalid JSON: %s at %s", what,
			      sim_quote(q, sizeof(q), snippet));
	}
}

/*
 * Parses src[0..len) (malloc'd, with src[len] == '\0'), which it owns: the
 * scenario keeps it as its source, or it is freed on failure.
 */
static struct scenario *parse_owned(const char *file, char *src, size_t len,
				    struct sim_diag *err)
{
	struct loader ld = { file, src, len, err, NULL };
	struct node top = { NULL, "" };
	const char *end = NULL;
	cJSON *root;
	size_t off;
	bool ok;

	root = cJSON_ParseWithLengthOpts(ld.buf, ld.len, &end, false);
	if (!root) {
		off = end && end >= ld.buf && end <= ld.buf + ld.len ? (size_t)(end - ld.buf) : 0;
		syntax_error(&ld, off, "unexpected text");
		free(src);
		return NULL;
	}
	off = (size_t)(end - ld.buf);
	while (off < ld.len && strchr(" \t\r\n", ld.buf[off]))
		off++;
	if (off < ld.len) {
		cJSON_Delete(root);
		syntax_error(&ld, off, "text after the end of the top-level value");
		free(src);
		return NULL;
	}
	ld.sc = calloc(1, sizeof(*ld.sc));
	if (!ld.sc) {
		cJSON_Delete(root);
		free(src);
		sim_diag_set_file(ld.err, ld.file);
		sim_diag_fail(ld.err, "out of memory");
		return NULL;
	}
	snprintf(ld.sc->file, sizeof(ld.sc->file), "%s", ld.file);
	ld.sc->source = src;
	ld.sc->source_len = len;
	top.json = root;
	ok = load_scenario(&ld, &top);
	cJSON_Delete(root);
	if (!ok) {
		scenario_destroy(ld.sc);
		return NULL;
	}
	return ld.sc;
}

struct scenario *scenario_parse(const char *file, const char *buf, size_t len,
				struct sim_diag *err)
{
	struct sim_diag ignored;
	char *src;

	if (!err)
		err = &ignored;
	sim_diag_clear(err);
	if (!file)
		file = "";
	if (!buf)
		len = 0;
	src = malloc(len + 1);
	if (!src) {
		sim_diag_set_file(err, file);
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	if (len)
		memcpy(src, buf, len);
	src[len] = '\0';
	return parse_owned(file, src, len, err);
}

struct scenario *scenario_load(const char *file, struct sim_diag *err)
{
	struct sim_diag ignored;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if (!err)
		err = &ignored;
	sim_diag_clear(err);
	sim_diag_set_file(err, file);
	f = fopen(file, "rb");
	if (!f) {
		sim_diag_fail(err, "cannot read: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *grown;

			if (cap >= MAX_FILE_BYTES) {
				sim_diag_fail(err, "cannot read: file larger than %u MiB",
					      MAX_FILE_BYTES >> 20);
				goto fail;
			}
			cap = cap ? cap * 2 : 64 * 1024;
			grown = realloc(buf, cap + 1);   /* + the NUL */
			if (!grown) {
				sim_diag_fail(err, "cannot read: out of memory");
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		sim_diag_fail(err, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	sim_diag_clear(err);
	return parse_owned(file, buf, len, err);
fail:
	fclose(f);
	free(buf);
	return NULL;
}

void scenario_destroy(struct scenario *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nscripts && i < SCN_MAX_SCRIPTS; i++)
		free(s->scripts[i].commands);
	free(s->events);
	free(s->source);
	free(s);
}

bool scenario_locate(const struct scenario *s, const char *path, unsigned *line, unsigned *col)
{
	size_t off;

	if (!s || !s->source || !path || !json_locate(s->source, s->source_len, path, &off))
		return false;
	json_line_col(s->source, s->source_len, off, line, col);
	return true;
}
