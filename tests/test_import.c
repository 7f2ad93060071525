/*
 * The importers' parts: the format matcher at its limits, timestamps to ns,
 * the 2^53 rule for numbers, and the watchdog report state machine.  Whole
 * sample files go through tests/import.sh.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/import/import_internal.h"

static bool match(const char *fmt, const char *text, struct fmt_value *v, char *why)
{
	size_t col;

	return fmt_match(fmt, text, strlen(text), v, &col, why, 160);
}

Test(import, matcher_reads_each_conversion_at_its_limits)
{
	struct fmt_value v[FMT_MAX_VALUES];
	char why[160];

	cr_assert(match("a=%u b=%U c=%d d=%D e=%x f=%X g=%s h=%q",
			"a=4294967295 b=18446744073709551615 c=-2147483648 "
			"d=-9223372036854775808 e=ffffffff f=FFFFFFFFFFFFFFFF g=tsc h='kvm-clock'",
			v, why), "%s", why);
	cr_expect_eq(v[0].u, UINT32_MAX);
	cr_expect_eq(v[1].u, UINT64_MAX);
	cr_expect_eq(v[2].i, INT32_MIN);
	cr_expect_eq(v[3].i, INT64_MIN);
	cr_expect_eq(v[4].u, 0xffffffffu);
	cr_expect_eq(v[5].u, UINT64_MAX);
	cr_expect(v[6].n == 3 && memcmp(v[6].s, "tsc", 3) == 0);
	cr_expect(v[7].n == 9 && memcmp(v[7].s, "kvm-clock", 9) == 0);
}

Test(import, matcher_refuses_values_beyond_their_width)
{
	struct fmt_value v[FMT_MAX_VALUES];
	char why[160];

	cr_expect(!match("a=%u", "a=4294967296", v, why));
	cr_expect(!match("a=%U", "a=18446744073709551616", v, why));
	cr_expect(!match("a=%d", "a=2147483648", v, why));
	cr_expect(!match("a=%D", "a=-9223372036854775809", v, why));
	cr_expect(!match("a=%x", "a=100000000", v, why));
	cr_expect(!match("a=%q", "a=''", v, why));
}

Test(import, blanks_stretch_but_other_text_must_match)
{
	struct fmt_value v[FMT_MAX_VALUES];
	char why[160];
	size_t col = 0;

	cr_expect(match("x %u y", "x \t  7   y  ", v, why));
	cr_expect_eq(v[0].u, 7);
	cr_expect(!fmt_match("x %u y", "x 7 z", 5, v, &col, why, sizeof(why)));
	cr_expect_eq(col, 4);
	cr_expect_str_eq(why, "expected 'y'");
	cr_expect(!fmt_match("x %u", "x 7 more", 8, v, &col, why, sizeof(why)));
	cr_expect_eq(col, 4);
	cr_expect_str_eq(why, "unexpected text after the last field");
}

Test(import, seconds_become_exact_ns)
{
	uint64_t ns;

	cr_expect(parse_seconds_ns("5012.301877", 11, &ns) && ns == 5012301877000u);
	cr_expect(parse_seconds_ns("0.000000001", 11, &ns) && ns == 1);
	cr_expect(parse_seconds_ns("18446744072.1", 13, &ns) && ns == 18446744072100000000u);
	cr_expect(!parse_seconds_ns("12345", 5, &ns));            /* a counter, not seconds */
	cr_expect(!parse_seconds_ns("1.0000000001", 12, &ns));    /* below 1 ns */
	cr_expect(!parse_seconds_ns("18446744074.0", 13, &ns));   /* beyond 2^64 ns */
	cr_expect(!parse_seconds_ns("1.", 2, &ns));
}

struct collect {
	unsigned n;
	char lines[4][1100];
};

static void collect(void *ctx, const char *json, size_t len)
{
	struct collect *c = ctx;

	if (c->n < 4)
		snprintf(c->lines[c->n], sizeof(c->lines[0]), "%.*s", (int)len, json);
	c->n++;
}

static bool feed(struct importer *im, const char *line, struct sim_diag *err)
{
	return import_line(im, line, strlen(line), false, err);
}

Test(import, numbers_above_2_53_become_strings)
{
	struct importer im;
	struct collect c = { 0 };
	struct sim_diag err;

	import_init(&im, IMPORT_TRACE_CMD, "t", collect, &c);
	/* 2^53 - 1 stays a number, 2^53 is a string */
	cr_assert(feed(&im, " q-1 [000] 1.5: kvm_write_tsc_offset: vcpu=3 prev=9007199254740991 "
		       "next=9007199254740992", &err), "%s", err.msg);
	cr_assert_eq(c.n, 1);
	cr_expect_str_eq(c.lines[0], "{\"type\":\"tsc_offset\",\"vcpu\":3,\"ref\":1500000000,"
			 "\"prev\":9007199254740991,\"next\":\"9007199254740992\",\"src\":\"t:1\"}");
}

Test(import, a_watchdog_report_is_written_at_its_cs_line)
{
	struct importer im;
	struct collect c = { 0 };
	struct sim_diag err;

	import_init(&im, IMPORT_DMESG, "g", collect, &c);
	cr_assert(feed(&im, "[ 2.000000] clocksource: timekeeping watchdog on CPU5: Marking "
		       "clocksource 'tsc' as unstable because the skew is too large:", &err));
	cr_assert(feed(&im, "[ 2.000001] unrelated", &err));
	cr_assert(feed(&im, "[ 2.000002] clocksource:   'acpi_pm' wd_nsec: -5 wd_now: 1 "
		       "wd_last: 2 mask: ffffff", &err));
	cr_expect_eq(c.n, 0);
	cr_assert(feed(&im, "[ 2.000003] clocksource:   'tsc' cs_nsec: 7 cs_now: a cs_last: b "
		       "mask: ffffffffffffffff", &err), "%s", err.msg);
	cr_assert_eq(c.n, 1);
	cr_expect_str_eq(c.lines[0], "{\"type\":\"watchdog\",\"vcpu\":5,\"ref\":2000000000,"
			 "\"cs\":\"tsc\",\"wd\":\"acpi_pm\",\"cs_nsec\":7,\"wd_nsec\":-5,"
			 "\"cs_now\":\"0xa\",\"cs_last\":\"0xb\",\"cs_mask\":\"0xffffffffffffffff\","
			 "\"wd_now\":\"0x1\",\"wd_last\":\"0x2\",\"wd_mask\":\"0xffffff\","
			 "\"verdict\":\"unstable\",\"src\":\"g:1\"}");
	cr_expect_eq(im.stats.other_lines, 1);
	/* the skew line must agree: 7 - (-5) = 12 over an interval of -5 */
	cr_expect(feed(&im, "clocksource: Clocksource 'tsc' skewed 12 ns (0 ms) over watchdog "
		       "'acpi_pm' interval of -5 ns (0 ms)", &err), "%s", err.msg);
	cr_expect(!feed(&im, "clocksource: Clocksource 'tsc' skewed 13 ns (0 ms) over watchdog "
			"'acpi_pm' interval of -5 ns (0 ms)", &err));
}

Test(import, an_unfinished_report_fails_at_the_end_naming_its_start)
{
	struct importer im;
	struct collect c = { 0 };
	struct sim_diag err;

	import_init(&im, IMPORT_DMESG, "g", collect, &c);
	cr_assert(feed(&im, "boot", &err));
	cr_assert(feed(&im, "timekeeping watchdog on CPU0: Marking clocksource 'tsc' as unstable "
		       "because the skew is too large:", &err));
	cr_assert(feed(&im, "later", &err));
	cr_expect(!import_finish(&im, &err));
	cr_expect_eq(err.line, 2);
	cr_expect_eq(c.n, 0);
}
