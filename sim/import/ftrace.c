/*
 * Event lines of trace-cmd report, perf script and the ftrace `trace` file:
 *
 *   trace-cmd  qemu-system-x86-4122  [002]  5012.301877: kvm_write_tsc_offset: vcpu=1 ...
 *   ftrace     qemu-system-x86-4122  [002] d..1. 5012.301877: kvm_write_tsc_offset: ...
 *   perf       CPU 1/KVM  4125 [002]  5012.301877: kvm:kvm_write_tsc_offset: vcpu=1 ...
 *
 * Whatever precedes it (task names may hold blanks), the line's anchor is
 * the first "SECONDS.FRACTION:" token followed by an "[SYSTEM:]EVENT:"
 * token; the event's fields follow.  The timestamp becomes the record's
 * "ref" in ns.
 */
#include <stdio.h>
#include <string.h>

#include "sim/import/import_internal.h"

/*
 * The kvm tracepoints read: name, record, fields and their format as
 * TP_printk prints them (Linux arch/x86/kvm/trace.h, TRACE_EVENT
 * kvm_pvclock_update, kvm_write_tsc_offset, kvm_update_master_clock and
 * kvm_track_tsc, as of v6.x; the last two exist on x86_64 only), and the
 * function that writes the record from the values.
 */
typedef bool build_fn(struct rec *r, const struct fmt_value *v, char *why, size_t why_len);

static build_fn build_pvclock, build_tsc_offset, build_masterclock, build_track_tsc;

struct kvm_event {
	const char *name;
	enum import_record record;
	const char *fmt;
	build_fn *build;
};

static const struct kvm_event kvm_events[] = {
	{ "kvm_pvclock_update", IMPORT_REC_PVCLOCK,
	  "vcpu_id %u, pvclock { version %u, tsc_timestamp 0x%X, system_time 0x%X, "
	  "tsc_to_system_mul 0x%x, tsc_shift %d, flags 0x%x }", build_pvclock },
	{ "kvm_write_tsc_offset", IMPORT_REC_TSC_OFFSET,
	  "vcpu=%u prev=%U next=%U", build_tsc_offset },
	/* hostclock: __print_symbolic over VDSO_CLOCKMODE_* ("none", "tsc"; "0x2" when unnamed) */
	{ "kvm_update_master_clock", IMPORT_REC_MASTERCLOCK,
	  "masterclock %d hostclock %s offsetmatched %u", build_masterclock },
	/* "offsetmatched" prints nr_vcpus_matched_tsc here, a count, not a flag */
	{ "kvm_track_tsc", IMPORT_REC_TRACK_TSC,
	  "vcpu_id %u masterclock %u offsetmatched %u nr_online %u hostclock %s", build_track_tsc },
};

static bool flag_value(uint64_t v, const char *field, bool *out, char *why, size_t why_len)
{
	if (v > 1) {
		snprintf(why, why_len, "%s is %llu, expected 0 or 1", field, (unsigned long long)v);
		return false;
	}
	*out = v == 1;
	return true;
}

static bool build_pvclock(struct rec *r, const struct fmt_value *v, char *why, size_t why_len)
{
	if (v[5].i < -128 || v[5].i > 127) {
		snprintf(why, why_len, "tsc_shift %lld does not fit its s8 field", (long long)v[5].i);
		return false;
	}
	if (v[6].u > 0xff) {
		snprintf(why, why_len, "flags 0x%llx does not fit its u8 field",
			 (unsigned long long)v[6].u);
		return false;
	}
	rec_u64(r, "version", v[1].u);
	rec_hex(r, "tsc_timestamp", v[2].u);
	rec_hex(r, "system_time", v[3].u);
	rec_hex(r, "tsc_to_system_mul", v[4].u);
	rec_i64(r, "tsc_shift", v[5].i);
	rec_hex(r, "flags", v[6].u);
	return true;
}

static bool build_tsc_offset(struct rec *r, const struct fmt_value *v, char *why, size_t why_len)
{
	(void)why;
	(void)why_len;
	rec_u64(r, "prev", v[1].u);
	rec_u64(r, "next", v[2].u);
	return true;
}

static bool build_masterclock(struct rec *r, const struct fmt_value *v, char *why, size_t why_len)
{
	bool matched;

	if (v[0].i != 0 && v[0].i != 1) {
		snprintf(why, why_len, "masterclock is %lld, expected 0 or 1", (long long)v[0].i);
		return false;
	}
	if (!flag_value(v[2].u, "offsetmatched", &matched, why, why_len))
		return false;
	rec_bool(r, "use_master_clock", v[0].i == 1);
	rec_str(r, "host_clock", v[1].s, v[1].n);
	rec_bool(r, "offset_matched", matched);
	return true;
}

static bool build_track_tsc(struct rec *r, const struct fmt_value *v, char *why, size_t why_len)
{
	bool use;

	if (!flag_value(v[1].u, "masterclock", &use, why, why_len))
		return false;
	rec_u64(r, "nr_matched", v[2].u);
	rec_u64(r, "online_vcpus", v[3].u);
	rec_bool(r, "use_master_clock", use);
	rec_str(r, "host_clock", v[4].s, v[4].n);
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "123.456789:" or "123456789:": digits and dots ending in a colon. */
static bool timestamp_like(const char *t, size_t n)
{
	bool digit = false;

	if (n < 2 || t[n - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < n; i++) {
		if (t[i] >= '0' && t[i] <= '9')
			digit = true;
		else if (t[i] != '.')
			return false;
	}
	return digit;
}

/* The anchor: a timestamp token and the event token after it. */
struct anchor {
	size_t ts, ts_len;           /* without the colon */
	size_t ev, ev_len;           /* without the colon */
	size_t fields;
};

static bool find_anchor(const char *line, size_t len, struct anchor *a)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end, ev, ev_end;

		while (i < len && is_blank(line[i]))
			i++;
		start = i;
		while (i < len && !is_blank(line[i]))
			i++;
		end = i;
		if (!timestamp_like(line + start, end - start))
			continue;
		ev = end;
		while (ev < len && is_blank(line[ev]))
			ev++;
		ev_end = ev;
		while (ev_end < len && !is_blank(line[ev_end]))
			ev_end++;
		if (ev_end - ev < 2 || line[ev_end - 1] != ':')
			continue;
		a->ts = start;
		a->ts_len = end - start - 1;
		a->ev = ev;
		a->ev_len = ev_end - ev - 1;
		a->fields = ev_end;
		while (a->fields < len && is_blank(line[a->fields]))
			a->fields++;
		return true;
	}
	return false;
}

static const struct kvm_event *lookup(const char *name, size_t n)
{
	const char *colon = memchr(name, ':', n);

	if (colon) {
		/* perf's "kvm:kvm_write_tsc_offset": only the kvm system is read */
		if ((size_t)(colon - name) != 3 || memcmp(name, "kvm", 3) != 0)
			return NULL;
		n -= (size_t)(colon - name) + 1;
		name = colon + 1;
	}
	for (size_t i = 0; i < sizeof(kvm_events) / sizeof(kvm_events[0]); i++)
		if (strlen(kvm_events[i].name) == n && memcmp(kvm_events[i].name, name, n) == 0)
			return &kvm_events[i];
	return NULL;
}

static bool contains(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return true;
	return false;
}

bool ftrace_line(struct importer *im, const char *line, size_t len, bool cut,
		 struct sim_diag *err)
{
	const struct kvm_event *e;
	struct fmt_value v[FMT_MAX_VALUES];
	struct anchor a;
	char why[160];
	size_t col;
	uint64_t ref_ns;
	struct rec r;

	if (contains(line, len, "[LOST ") && contains(line, len, " EVENTS]")) {
		/* the ring buffer overflowed: events are missing from here on */
		if (im->stats.lost_lines++ == 0)
			im->stats.first_lost_line = im->stats.lines;
		return true;
	}
	if (!find_anchor(line, len, &a)) {
		im->stats.other_lines++;
		return true;
	}
	e = lookup(line + a.ev, a.ev_len);
	if (!e) {
		im->stats.other_events++;
		return true;
	}
	if (cut)
		return import_fail(im, err, 0, "%s: line longer than %d bytes", e->name,
				   IMPORT_LINE_MAX);
	if (!parse_seconds_ns(line + a.ts, a.ts_len, &ref_ns))
		return import_fail(im, err, a.ts,
				   "%s: expected a timestamp SECONDS.FRACTION (at most 9 fraction "
				   "digits) before the event name; record with a clock in ns "
				   "(trace-cmd -C mono_raw, perf -k mono), not a cycle counter",
				   e->name);
	if (!fmt_match(e->fmt, line + a.fields, len - a.fields, v, &col, why, sizeof(why)))
		return import_fail(im, err, a.fields + col, "%s: %s", e->name, why);
	rec_begin(&r, e->record);
	if (e->record != IMPORT_REC_MASTERCLOCK)
		rec_u64(&r, "vcpu", v[0].u);
	rec_u64(&r, "ref", ref_ns);
	if (!e->build(&r, v, why, sizeof(why)))
		return import_fail(im, err, a.fields, "%s: %s", e->name, why);
	rec_src(&r, im, im->stats.lines);
	rec_end(im, &r);
	im->stats.records[e->record]++;
	return true;
}

bool ftrace_finish(struct importer *im, struct sim_diag *err)
{
	(void)im;
	(void)err;
	return true;
}
