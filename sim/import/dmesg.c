/*
 * A guest's kernel log: the clocksource watchdog's reports (Linux
 * kernel/time/clocksource.c, clocksource_watchdog()).  One report is several
 * printk lines, put together here into one "watchdog" record:
 *
 *   [ 38.990462] clocksource: timekeeping watchdog on CPU0: Marking clocksource 'tsc' as unstable because the skew is too large:
 *   [ 38.992698] clocksource:                       'hpet' wd_nsec: 479996388 wd_now: ... mask: ffffffff
 *   [ 38.994924] clocksource:                       'tsc' cs_nsec: 679996638 cs_now: ... mask: ffffffffffffffff
 *   [ 38.997374] clocksource:                       Clocksource 'tsc' skewed 200000250 ns (200 ms) over ...
 *   [ 38.999919] clocksource:                       'hpet' (not 'tsc') is current clocksource.
 *
 * Kernels before the wd_nsec/cs_nsec form (Linux commit 22a223833716,
 * "clocksource: Print deviation in nanoseconds when a clocksource becomes
 * unstable", 2021) print only the raw counter values; the "skewed" line
 * came later still.  "Long readout
 * interval" lines are a decision of their own: the check was skipped.
 */
#include <stdio.h>
#include <string.h>

#include "sim/core/simtime.h"
#include "sim/import/import_internal.h"

enum wd_kind {
	WD_HEAD, WD_WD_NSEC, WD_WD_RAW, WD_CS_NSEC, WD_CS_RAW, WD_SKEW,
	WD_CURRENT, WD_CURRENT_NOT, WD_NO_CURRENT, WD_LONG_READOUT,
	WD_TSC_REFINED, WD_TSC_DETECTED,
};

/*
 * The watchdog's lines: a line is of a kind when its message starts with
 * `start` and holds `has` (when set); its fields are then `fmt` exactly,
 * or the line is malformed.  Earlier rows win (the nsec forms also hold
 * " wd_now: ").
 */
struct wd_line {
	enum wd_kind kind;
	const char *start, *has, *fmt;
};

static const struct wd_line wd_lines[] = {
	{ WD_HEAD, "timekeeping watchdog on CPU", "Marking clocksource",
	  "timekeeping watchdog on CPU%u: Marking clocksource %q as unstable because the skew "
	  "is too large:" },
	{ WD_WD_NSEC, "'", " wd_nsec: ", "%q wd_nsec: %D wd_now: %X wd_last: %X mask: %X" },
	{ WD_WD_RAW, "'", " wd_now: ", "%q wd_now: %X wd_last: %X mask: %X" },
	{ WD_CS_NSEC, "'", " cs_nsec: ", "%q cs_nsec: %D cs_now: %X cs_last: %X mask: %X" },
	{ WD_CS_RAW, "'", " cs_now: ", "%q cs_now: %X cs_last: %X mask: %X" },
	{ WD_SKEW, "Clocksource '", " skewed ",
	  "Clocksource %q skewed %D ns (%D ms) over watchdog %q interval of %D ns (%D ms)" },
	{ WD_CURRENT_NOT, "'", ") is current clocksource.", "%q (not %q) is current clocksource." },
	{ WD_CURRENT, "'", " is current clocksource.", "%q is current clocksource." },
	{ WD_NO_CURRENT, "No current clocksource.", NULL, "No current clocksource." },
	{ WD_LONG_READOUT, "Long readout interval", NULL,
	  "Long readout interval, skipping watchdog check: cs_nsec: %D wd_nsec: %D" },
	/*
	 * The TSC's rate (arch/x86/kernel/tsc.c: "%lu.%03lu MHz", so the
	 * fraction is kHz), for the older reports' counters: the refined rate
	 * when there is one, else what boot detected.
	 */
	{ WD_TSC_REFINED, "tsc: Refined TSC clocksource calibration: ", NULL,
	  "tsc: Refined TSC clocksource calibration: %u.%s MHz" },
	{ WD_TSC_DETECTED, "tsc: Detected ", " MHz TSC", "tsc: Detected %u.%s MHz TSC" },
	{ WD_TSC_DETECTED, "tsc: Detected ", " MHz processor", "tsc: Detected %u.%s MHz processor" },
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return true;
	return false;
}

static const char *find(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(s + i, needle, n) == 0)
			return s + i;
	return NULL;
}

/*
 * Past "<4>" (dmesg -r), "[  123.456789]" (its time, *ref_ns) and "[  T233]"
 * (the caller, CONFIG_PRINTK_CALLER), then past "clocksource:" when the
 * line has it.  Returns the message's offset.
 */
static size_t message(const char *l, size_t len, bool *have_ref, uint64_t *ref_ns)
{
	size_t i = 0;
	const char *cs;

	*have_ref = false;
	while (i < len && is_blank(l[i]))
		i++;
	if (i < len && l[i] == '<') {
		const char *gt = memchr(l + i, '>', len - i < 5 ? len - i : 5);

		if (gt)
			i = (size_t)(gt - l) + 1;
	}
	for (int group = 0; group < 2; group++) {
		const char *close;
		size_t a, b;

		while (i < len && is_blank(l[i]))
			i++;
		if (i >= len || l[i] != '[' || !(close = memchr(l + i, ']', len - i)))
			break;
		a = i + 1;
		b = (size_t)(close - l);
		while (a < b && is_blank(l[a]))
			a++;
		if (!*have_ref && parse_seconds_ns(l + a, b - a, ref_ns))
			*have_ref = true;
		i = b + 1;
	}
	cs = find(l + i, len - i, "clocksource:");
	if (cs)
		i = (size_t)(cs - l) + strlen("clocksource:");
	while (i < len && is_blank(l[i]))
		i++;
	return i;
}

static void copy_name(char *dst, size_t cap, const struct fmt_value *v)
{
	size_t n = v->n < cap - 1 ? v->n : cap - 1;

	memcpy(dst, v->s, n);
	dst[n] = '\0';
}

static bool same_name(const char *name, const struct fmt_value *v)
{
	return strlen(name) == v->n && memcmp(name, v->s, v->n) == 0;
}

/*
 * A clocksource's counter rate in Hz where it is fixed or the log said it:
 * kvm-clock counts ns (arch/x86/kernel/kvmclock.c registers it at
 * NSEC_PER_SEC), the ACPI PM timer 3579545 Hz (drivers/clocksource/
 * acpi_pm.c, PMTMR_TICKS_PER_SEC), the TSC at the log's rate.  The HPET's
 * rate is the chip's (14.31818 MHz on older boards, 24 MHz on newer ones)
 * and the log does not print it.
 */
static uint64_t counter_hz(const struct importer *im, const char *name)
{
	if (strcmp(name, "kvm-clock") == 0)
		return 1000000000u;
	if (strcmp(name, "acpi_pm") == 0)
		return 3579545u;
	if (strcmp(name, "tsc") == 0 || strcmp(name, "tsc-early") == 0)
		return im->tsc_khz * 1000u;
	return 0;
}

/* The interval a counter measured, as the older report's kernel computed it (to within 1 ppm). */
static int64_t counter_ns(uint64_t now, uint64_t last, uint64_t mask, uint64_t hz)
{
	sim_u128 ns = (sim_u128)((now - last) & mask) * 1000000000u / hz;

	return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

static void write_report(struct importer *im, const struct fmt_value *v, bool nsec)
{
	struct import_watchdog *w = &im->wd;
	uint64_t cs_hz = counter_hz(im, w->cs), wd_hz = counter_hz(im, w->wd);
	char from[256];
	struct rec r;

	if (!nsec && (!cs_hz || !wd_hz)) {
		/* no ns to judge by: left out, and said so (the summary's warning) */
		if (im->stats.unconverted++ == 0)
			im->stats.first_unconverted = w->line;
		return;
	}
	rec_begin(&r, IMPORT_REC_WATCHDOG);
	rec_u64(&r, "vcpu", w->cpu);
	if (w->have_ref)
		rec_u64(&r, "ref", w->ref_ns);
	rec_str(&r, "cs", w->cs, strlen(w->cs));
	rec_str(&r, "wd", w->wd, strlen(w->wd));
	if (nsec) {
		rec_i64(&r, "cs_nsec", v[1].i);
		rec_i64(&r, "wd_nsec", w->wd_nsec);
	} else {
		rec_i64(&r, "cs_nsec", counter_ns(v[1].u, v[2].u, v[3].u, cs_hz));
		rec_i64(&r, "wd_nsec", counter_ns(w->wd_now, w->wd_last, w->wd_mask, wd_hz));
	}
	rec_hex(&r, "cs_now", v[nsec + 1].u);
	rec_hex(&r, "cs_last", v[nsec + 2].u);
	rec_hex(&r, "cs_mask", v[nsec + 3].u);
	rec_hex(&r, "wd_now", w->wd_now);
	rec_hex(&r, "wd_last", w->wd_last);
	rec_hex(&r, "wd_mask", w->wd_mask);
	if (!nsec) {
		int n = snprintf(from, sizeof(from), "the counters: '%s' at %llu Hz, '%s' at %llu Hz",
				 w->cs, (unsigned long long)cs_hz, w->wd, (unsigned long long)wd_hz);

		rec_str(&r, "nsec_from", from, (size_t)n < sizeof(from) ? (size_t)n : sizeof(from) - 1);
	}
	rec_str(&r, "verdict", "unstable", 8);
	rec_src(&r, im, w->line);
	rec_end(im, &r);
	im->stats.records[IMPORT_REC_WATCHDOG]++;
}

#define ORPHAN "; the 'timekeeping watchdog on CPU<n>: Marking clocksource' line must come first " \
	"(was the log cut at its start?)"

static bool take(struct importer *im, enum wd_kind kind, const struct fmt_value *v,
		 bool have_ref, uint64_t ref_ns, size_t col, struct sim_diag *err)
{
	struct import_watchdog *w = &im->wd;
	bool nsec = kind == WD_WD_NSEC || kind == WD_CS_NSEC;
	struct rec r;

	switch (kind) {
	case WD_HEAD:
		if (w->open && !w->done)
			return import_fail(im, err, col, "a new watchdog report, but the one at "
					   "line %llu has no cs line", (unsigned long long)w->line);
		memset(w, 0, sizeof(*w));
		w->open = true;
		w->line = im->stats.lines;
		w->have_ref = have_ref;
		w->ref_ns = ref_ns;
		w->cpu = (uint32_t)v[0].u;
		copy_name(w->cs, sizeof(w->cs), &v[1]);
		return true;
	case WD_WD_NSEC:
	case WD_WD_RAW:
		if (!w->open || w->done || w->have_wd)
			return import_fail(im, err, col, "a watchdog (wd) line outside a report%s",
					   ORPHAN);
		w->have_wd = true;
		w->nsec = nsec;
		copy_name(w->wd, sizeof(w->wd), &v[0]);
		w->wd_nsec = nsec ? v[1].i : 0;
		w->wd_now = v[nsec + 1].u;
		w->wd_last = v[nsec + 2].u;
		w->wd_mask = v[nsec + 3].u;
		return true;
	case WD_CS_NSEC:
	case WD_CS_RAW:
		if (!w->open || w->done || !w->have_wd)
			return import_fail(im, err, col, "a clocksource (cs) line outside a report, "
					   "or before its wd line%s", ORPHAN);
		if (!same_name(w->cs, &v[0]))
			return import_fail(im, err, col, "the cs line names '%.*s', the report at "
					   "line %llu '%s'", (int)v[0].n, v[0].s,
					   (unsigned long long)w->line, w->cs);
		if (nsec != w->nsec)
			return import_fail(im, err, col, "the cs line is in the %s form, the wd line "
					   "in the %s form", nsec ? "cs_nsec" : "cs_now",
					   w->nsec ? "wd_nsec" : "wd_now");
		w->cs_nsec = nsec ? v[1].i : 0;
		write_report(im, v, nsec);
		w->done = true;
		return true;
	case WD_SKEW:
		if (!w->open || !w->done || !w->nsec)
			return import_fail(im, err, col, "a 'skewed' line outside a report%s", ORPHAN);
		if (!same_name(w->cs, &v[0]) || !same_name(w->wd, &v[3]) ||
		    v[1].i != w->cs_nsec - w->wd_nsec || v[4].i != w->wd_nsec)
			return import_fail(im, err, col, "the 'skewed' line disagrees with the report "
					   "at line %llu (expected '%s' skewed %lld ns over '%s' "
					   "interval of %lld ns)", (unsigned long long)w->line, w->cs,
					   (long long)(w->cs_nsec - w->wd_nsec), w->wd,
					   (long long)w->wd_nsec);
		return true;
	case WD_CURRENT:
	case WD_CURRENT_NOT:
	case WD_NO_CURRENT:
		if (!w->open || !w->done)
			return import_fail(im, err, col, "a 'current clocksource' line outside a "
					   "report%s", ORPHAN);
		w->open = false;
		return true;
	case WD_TSC_REFINED:
	case WD_TSC_DETECTED:
		if (v[1].n != 3 || v[1].s[0] < '0' || v[1].s[0] > '9' || v[1].s[1] < '0' ||
		    v[1].s[1] > '9' || v[1].s[2] < '0' || v[1].s[2] > '9')
			return import_fail(im, err, col, "expected the TSC rate as MHz with 3 "
					   "decimals (\"%%lu.%%03lu MHz\")");
		/* a refined rate stands; a detected one only until then */
		if (!im->tsc_refined || kind == WD_TSC_REFINED)
			im->tsc_khz = v[0].u * 1000 + (uint64_t)((v[1].s[0] - '0') * 100 +
								 (v[1].s[1] - '0') * 10 +
								 (v[1].s[2] - '0'));
		im->tsc_refined |= kind == WD_TSC_REFINED;
		return true;
	case WD_LONG_READOUT:
		/* the line names neither clocksource: "unknown" (sim judge then has no rate for them) */
		rec_begin(&r, IMPORT_REC_WATCHDOG);
		if (have_ref)
			rec_u64(&r, "ref", ref_ns);
		rec_str(&r, "cs", "unknown", 7);
		rec_str(&r, "wd", "unknown", 7);
		rec_i64(&r, "cs_nsec", v[0].i);
		rec_i64(&r, "wd_nsec", v[1].i);
		rec_str(&r, "verdict", "skip_long_readout", 17);
		rec_src(&r, im, im->stats.lines);
		rec_end(im, &r);
		im->stats.records[IMPORT_REC_WATCHDOG]++;
		return true;
	}
	return true;
}

bool dmesg_line(struct importer *im, const char *line, size_t len, bool cut,
		struct sim_diag *err)
{
	struct fmt_value v[FMT_MAX_VALUES];
	uint64_t ref_ns = 0;
	bool have_ref;
	size_t at = message(line, len, &have_ref, &ref_ns), col;
	const char *msg = line + at;
	size_t n = len - at;
	char why[160];

	for (size_t k = 0; k < sizeof(wd_lines) / sizeof(wd_lines[0]); k++) {
		const struct wd_line *row = &wd_lines[k];
		size_t sl = strlen(row->start);

		if (n < sl || memcmp(msg, row->start, sl) != 0 || (row->has && !has(msg, n, row->has)))
			continue;
		if (cut)
			return import_fail(im, err, 0, "clocksource watchdog line longer than %d bytes",
					   IMPORT_LINE_MAX);
		if (!fmt_match(row->fmt, msg, n, v, &col, why, sizeof(why)))
			return import_fail(im, err, at + col, "clocksource watchdog line: %s", why);
		return take(im, row->kind, v, have_ref, ref_ns, at, err);
	}
	/* Its other lines ("retried", "read-back delay") are decisions this importer does not read. */
	if (n >= 27 && memcmp(msg, "timekeeping watchdog on CPU", 27) == 0)
		im->stats.other_events++;
	else
		im->stats.other_lines++;
	return true;
}

bool dmesg_finish(struct importer *im, struct sim_diag *err)
{
	if (im->wd.open && !im->wd.done) {
		import_fail(im, err, 0, "the watchdog report that starts here has no cs line "
			    "(the log ends)");
		err->line = (unsigned)im->wd.line;
		return false;
	}
	return true;
}
