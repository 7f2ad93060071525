/*
 * The scenario loader: JSON text to a checked struct scenario.  This is the
 * only file that includes cJSON.  Each value is read through a node that
 * knows its JSON pointer, so every error names the file, the line:column
 * (found again in the text by json_locate), the pointer and what was expected.
 * Quantities are strings with units, parsed exactly by units.c; the few plain
 * numbers are integers, checked against their source text.  Cross references
 * (host names, vCPU and CPU indices, migration order) are checked as soon as
 * what they refer to has been read.  The scenario keeps the source text, so
 * that an error found later (by the machine, with only a JSON pointer) can
 * still be given a line:column by scenario_locate().  Format:
 * docs/scenario-format.md.
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

#define EXPECT_DURATION "a duration string such as \"300ms\""
#define EXPECT_SIGNED "a duration string such as \"-20us\""
#define EXPECT_FREQ "a frequency string such as \"3GHz\""
#define EXPECT_PPB "a string such as \"+20ppm\" or \"-50ppb\""
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
	"migrations", "vcpu_moves", "readers", "scripts", NULL,
};
static const char *const platform_keys[] = { "hpet", "pmtimer", "rtc", "access_cost", NULL };
static const char *const hpet_keys[] = { "frequency", "timers", "counter_bits", NULL };
static const char *const pmtimer_keys[] = { "port", "bits", NULL };
static const char *const rtc_keys[] = { "base", NULL };
/* "access_cost" keys, in the order of enum scn_device. */
static const char *const device_names[] = { "pit", "rtc", "hpet", "pmtimer", NULL };
static const char *const script_keys[] = { "name", "at", "expect", "commands", NULL };
static const char *const command_keys[] = { "do", "expect", "irqs", NULL };
static const char *const host_keys[] = {
	"name", "tsc", "uptime", "realtime_error", "tsc_khz", "clocksource", "hpet",
	"hpet_crystal", "vendor", "sockets", NULL,
};
static const char *const socket_keys[] = {
	"cpus", "crystal", "tsc_offset", "cpu_tsc_offsets", NULL,
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
	NULL,
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
static const char *const reader_kind_names[] = {
	"pvclock", "pvclock-raw", "tsc", "hpet", "pmtimer", NULL,
};
static const char *const wrap_names[] = { "none", "extend", NULL };
static const char *const expect_names[] = { "pass", "fail", NULL };
static const char *const pause_names[] = { "include", "exclude", NULL };

/* Default cost of one read, by reader kind. */
static const sim_ps reader_cost_ps[] = {
	[SCN_READER_PVCLOCK] = 40 * SIM_PS_PER_NS,
	[SCN_READER_PVCLOCK_RAW] = 30 * SIM_PS_PER_NS,
	[SCN_READER_TSC] = 20 * SIM_PS_PER_NS,
	[SCN_READER_HPET] = 0,                /* the device's access cost, resolved by the machine */
	[SCN_READER_PMTIMER] = 0,
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

/* s in double quotes for a message: at most 48 bytes, quotes and control bytes escaped. */
static const char *quote(char *dst, size_t len, const char *s)
{
	size_t n = 0;
	size_t i;

	dst[n++] = '"';
	for (i = 0; s[i] && i < 48 && n + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(dst + n, len - n, "\\x%02x", c);
		} else {
			if (c == '"' || c == '\\')
				dst[n++] = '\\';
			dst[n++] = (char)c;
		}
	}
	if (s[i]) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n++] = '"';
	dst[n] = '\0';
	return dst;
}

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
		snprintf(dst, len, "the string %s", quote(q, sizeof(q), j->valuestring));
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
				       quote(q, sizeof(q), c->string));
		if (in_list(keys, c->string))
			continue;
		if (elsewhere && in_list(elsewhere, c->string))
			return fail_at(ld, path, AT_KEY, 0,
				       "key %s is not allowed in %s; expected one of: %s",
				       quote(q, sizeof(q), c->string), context,
				       list(names, sizeof(names), keys, false));
		return fail_at(ld, path, AT_KEY, 0, "unknown key %s; expected one of: %s",
			       quote(q, sizeof(q), c->string), list(names, sizeof(names), keys, false));
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
 * An integer in [min, max], checked on its source text: digits only, at most
 * 2^53 (cJSON keeps numbers as double, which is exact only up to there).
 * what names the value in range errors ("a vCPU index").
 */
static bool read_int(struct loader *ld, const struct node *v, uint64_t min, uint64_t max,
		     const char *what, uint64_t *out)
{
	char lit[32] = "";
	uint64_t x = 0;
	size_t off;

	if (!v->json)
		return true;
	if (!cJSON_IsNumber(v->json))
		return type_error(ld, v, what);
	if (json_locate(ld->buf, ld->len, v->path, &off)) {
		const char *p = ld->buf + off;
		const char *end = ld->buf + ld->len;
		bool neg = false, big = false;
		size_t n = 0;

		while (p + n < end && n + 1 < sizeof(lit) && strchr("+-.eE0123456789", p[n]))
			n++;
		memcpy(lit, p, n);
		lit[n] = '\0';
		if (p < end && *p == '-') {
			neg = true;
			p++;
		}
		if (p + 1 < end && p[0] == '0' && p[1] >= '0' && p[1] <= '9')
			return fail(ld, v->path, "expected %s without leading zeros, got %s", what, lit);
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (x > MAX_U53)
				big = true;
			else
				x = x * 10 + (uint64_t)(*p - '0');
		}
		if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
			return fail(ld, v->path,
				    "expected %s (digits only, no fraction or exponent), got %s",
				    what, lit);
		if (!neg && (big || x > MAX_U53))
			return fail(ld, v->path,
				    "integer too large: %s (at most 2^53 = 9007199254740992)", lit);
		if (neg && (big || x)) {
			return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s",
				    what, min, max, lit);
		}
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
	return fail(ld, v->path, "expected %s, got %s", expected, quote(q, sizeof(q), s));
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
		return fail(ld, v->path, "expected %s, got %s", expected, quote(q, sizeof(q), s));
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

static bool read_duration_ps(struct loader *ld, const struct node *v, sim_ps *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_DURATION, &s))
		return false;
	if (!sim_parse_duration_ps(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

static bool read_duration_ns(struct loader *ld, const struct node *v, uint64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_DURATION, &s))
		return false;
	if (!sim_parse_duration_ns(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

static bool read_signed_ps(struct loader *ld, const struct node *v, int64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_SIGNED, &s))
		return false;
	if (!sim_parse_signed_duration_ps(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
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
			    quote(q, sizeof(q), v->json->valuestring));
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
			    quote(q, sizeof(q), s));
	*out = f;
	return true;
}

/* A fractional offset in ppb, in [-limit, limit]. */
static bool read_ppb(struct loader *ld, const struct node *v, int64_t limit, int64_t *out)
{
	char why[256], q[80], lo[32], hi[32];
	const char *s = "";
	int64_t x;

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_PPB, &s))
		return false;
	if (!sim_parse_ppb(s, &x, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	if (x < -limit || x > limit)
		return fail(ld, v->path, "expected an offset from %s to +%s, got %s",
			    fmt_ppb(lo, sizeof(lo), -limit), fmt_ppb(hi, sizeof(hi), limit),
			    quote(q, sizeof(q), s));
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
			    quote(q, sizeof(q), s));
	*out = x;
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
			    quote(q, sizeof(q), v->json->valuestring), why);
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

static unsigned host_cpus(const struct scn_host *h)
{
	unsigned n = 0;

	for (unsigned i = 0; i < h->nsockets; i++)
		n += h->sockets[i].ncpus;
	return n;
}

static bool load_socket(struct loader *ld, const struct scn_host *h, const struct node *o,
			struct scn_socket *sk)
{
	struct node v;
	struct sim_freq f;
	char q[80];

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
			    quote(q, sizeof(q), v.json->valuestring));
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
				    quote(q, sizeof(q), h->name), i);
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
			    quote(q, sizeof(q), v.json->valuestring));
	u = h->svm;
	if (!get(ld, o, "vendor", false, &v) || !read_enum(ld, &v, vendor_names, &u))
		return false;
	h->svm = u == 1;
	if (!get(ld, o, "sockets", true, &arr) ||
	    !read_array(ld, &arr, 1, SCN_MAX_SOCKETS, "sockets", &h->nsockets))
		return false;
	for (unsigned i = 0; i < h->nsockets; i++) {
		struct node el;

		element(&arr, i, &el);
		if (!load_socket(ld, h, &el, &h->sockets[i]))
			return false;
	}
	return true;
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
	return fail(ld, v->path, "unknown host %s; expected one of: %s", quote(q, sizeof(q), s),
		    names);
}

/* "pins": exactly nvcpus CPU indices of host h; default vCPU i -> CPU i mod ncpus. */
static bool read_pins(struct loader *ld, const struct node *v, const struct scn_host *h,
		      bool *has, unsigned pins[])
{
	unsigned ncpus = host_cpus(h), nvcpus = ld->sc->vm.nvcpus;
	char what[80];

	for (unsigned i = 0; i < nvcpus; i++)
		pins[i] = i % ncpus;
	if (!read_array(ld, v, nvcpus, nvcpus, "CPU indices (one per vCPU)", &(unsigned){ 0 }))
		return false;
	if (!v->json)
		return true;
	*has = true;
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	for (unsigned i = 0; i < nvcpus; i++) {
		struct node el;

		element(v, i, &el);
		if (!read_uint(ld, &el, 0, ncpus - 1, what, &pins[i]))
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
	return true;
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
				    quote(q, sizeof(q), v->json->valuestring));
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

static bool load_reader(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_reader *r = &sc->readers[idx];
	struct node v, period, checks;
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
				    quote(q, sizeof(q), r->name), i);
	if (!get(ld, o, "kind", true, &v) || !read_enum(ld, &v, reader_kind_names, &u))
		return false;
	r->kind = (enum scn_reader_kind)u;
	counter = r->kind == SCN_READER_HPET || r->kind == SCN_READER_PMTIMER;
	dev = r->kind == SCN_READER_HPET ? SCN_DEV_HPET : SCN_DEV_PMTIMER;
	if (!get(ld, o, "vcpus", true, &v) || !load_reader_vcpus(ld, &v, r))
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
	if (v.json && r->kind != SCN_READER_TSC)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"tsc_khz\" is only allowed when \"kind\" is \"tsc\"");
	if (!read_int(ld, &v, 1, UINT32_MAX, "a TSC frequency in kHz", &r->tsc_khz))
		return false;
	if (!get(ld, o, "width", false, &v))
		return false;
	if (v.json && r->kind == SCN_READER_PMTIMER)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is not allowed when \"kind\" is \"pmtimer\": the "
			       "PM timer's width is /platform/pmtimer/bits (%u)",
			       sc->platform.pmtimer.bits);
	if (v.json && r->kind != SCN_READER_HPET)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is only allowed when \"kind\" is \"hpet\"");
	if (r->kind == SCN_READER_HPET) {
		r->width_bits = 32;
		if (!read_either(ld, &v, 32, 64, "an access width in bits", &r->width_bits))
			return false;
	} else if (r->kind == SCN_READER_PMTIMER) {
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
				    "of %s", EXPECT_COMMAND, c, i, quote(q, sizeof(q), s));
	}
	if (strspn(s, " ") == n)
		return fail(ld, v->path, "expected %s, got %s", EXPECT_COMMAND,
			    quote(q, sizeof(q), s));
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
		return fail(ld, v->path, "expected %s, got %s", EXPECT_IRQ, quote(q, sizeof(q), s));
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
				    quote(q, sizeof(q), sp->name), i);
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

/* ---- the document ---- */

static bool nonempty_array(const struct node *v)
{
	return cJSON_IsArray(v->json) && cJSON_GetArraySize(v->json) > 0;
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

	/* "hosts" and "vm" go together: a scenario without them is a bare board. */
	if (!get(ld, top, "hosts", false, &arr) || !get(ld, top, "vm", false, &v))
		return false;
	if (arr.json && !v.json)
		return fail_at(ld, v.path, AT_PARENT, 0,
			       "missing key \"vm\": \"hosts\" is given, and \"hosts\" and \"vm\" "
			       "go together (both, or neither for a board without a VM)");
	if (!arr.json && v.json)
		return fail_at(ld, arr.path, AT_PARENT, 0,
			       "missing key \"hosts\": \"vm\" is given, and \"hosts\" and \"vm\" "
			       "go together (both, or neither for a board without a VM)");
	sc->has_vm = arr.json != NULL;
	if (sc->has_vm) {
		struct node vm = v;

		if (!read_array(ld, &arr, 1, SCN_MAX_HOSTS, "hosts", &sc->nhosts))
			return false;
		for (unsigned i = 0; i < sc->nhosts; i++) {
			element(&arr, i, &v);
			if (!load_host(ld, &v, i))
				return false;
		}
		if (!load_vm(ld, &vm))
			return false;
	}

	if (!get(ld, top, "migrations", false, &arr))
		return false;
	if (!sc->has_vm && nonempty_array(&arr))
		return fail(ld, arr.path, "migrations need a VM: add \"hosts\" and \"vm\", or "
			    "remove \"migrations\"");
	if (!read_array(ld, &arr, 0, SCN_MAX_MIGRATIONS, "migrations", &sc->nmigrations))
		return false;
	for (unsigned i = 0; i < sc->nmigrations; i++) {
		element(&arr, i, &v);
		if (!load_migration(ld, &v, i))
			return false;
	}
	if (!get(ld, top, "vcpu_moves", false, &arr))
		return false;
	if (!sc->has_vm && nonempty_array(&arr))
		return fail(ld, arr.path, "vCPU moves need a VM: add \"hosts\" and \"vm\", or "
			    "remove \"vcpu_moves\"");
	if (!read_array(ld, &arr, 0, SCN_MAX_MOVES, "vCPU moves", &sc->nmoves))
		return false;
	for (unsigned i = 0; i < sc->nmoves; i++) {
		element(&arr, i, &v);
		if (!load_move(ld, &v, i))
			return false;
	}
	if (!get(ld, top, "readers", false, &arr))
		return false;
	if (!sc->has_vm && nonempty_array(&arr))
		return fail(ld, arr.path, "readers run in a guest and need a VM: add \"hosts\" and "
			    "\"vm\", or drive the devices with \"scripts\"");
	if (!read_array(ld, &arr, 0, SCN_MAX_READERS, "readers", &sc->nreaders))
		return false;
	for (unsigned i = 0; i < sc->nreaders; i++) {
		element(&arr, i, &v);
		if (!load_reader(ld, &v, i))
			return false;
	}
	if (!get(ld, top, "scripts", false, &arr) ||
	    !read_array(ld, &arr, 0, SCN_MAX_SCRIPTS, "scripts", &sc->nscripts))
		return false;
	for (unsigned i = 0; i < sc->nscripts; i++) {
		element(&arr, i, &v);
		if (!load_script(ld, &v, i))
			return false;
	}
	if (sc->nreaders == 0 && sc->nscripts == 0)
		return fail(ld, top->path, "nothing to check: add \"readers\" or \"scripts\"");
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
		sim_diag_fail(ld->err, "invalid JSON: %s at %s", what, quote(q, sizeof(q), snippet));
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
