/* `sim qtest -rtc`: see server_rtc.h. */
#include "sim/qtest/server_rtc.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "sim/core/civil.h"
#include "sim/qtest/server_options.h"

/* 1 to maxd decimal digits at *p into *v; advances *p.  No sign, no overflow. */
static bool digits(const char **p, unsigned maxd, unsigned *v)
{
	unsigned n = 0;

	*v = 0;
	while (n < maxd && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (unsigned)(**p - '0');
		(*p)++;
		n++;
	}
	return n > 0 && !(**p >= '0' && **p <= '9');
}

static bool expect_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

bool qtest_parse_date(const char *v, int64_t *out)
{
	const char *p = v;
	unsigned y, mo, d, h = 0, mi = 0, s = 0;

	if (!digits(&p, 4, &y) || !expect_char(&p, '-') || !digits(&p, 2, &mo) ||
	    !expect_char(&p, '-') || !digits(&p, 2, &d))
		return false;
	if (*p == 'T') {
		p++;
		if (!digits(&p, 2, &h) || !expect_char(&p, ':') || !digits(&p, 2, &mi) ||
		    !expect_char(&p, ':') || !digits(&p, 2, &s))
			return false;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || s > 59)
		return false;
	*out = sim_epoch_seconds(y, mo, d, h, mi, s);
	return true;
}

int qtest_rtc_base(const char *rtc, int64_t *base_s, struct sim_diag *err)
{
	char base[64] = "utc", v[64];
	const char *p;
	time_t now;
	struct tm tm;

	if (rtc) {
		for (p = rtc; *p;) {
			size_t n = strcspn(p, ",");
			size_t k = strcspn(p, "=");

			if (k > n || (!(k == 4 && strncmp(p, "base", 4) == 0) &&
				      !(k == 5 && strncmp(p, "clock", 5) == 0) &&
				      !(k == 8 && strncmp(p, "driftfix", 8) == 0))) {
				sim_diag_fail(err, "-rtc %s: unknown parameter '%.*s'", rtc, (int)n, p);
				return QTEST_EXIT_USAGE;
			}
			p += n;
			if (*p == ',')
				p++;
		}
		qtest_opt_get(rtc, "base", base, sizeof(base));
		if (qtest_opt_get(rtc, "clock", v, sizeof(v)) && strcmp(v, "host") != 0 &&
		    strcmp(v, "rt") != 0 && strcmp(v, "vm") != 0) {
			sim_diag_fail(err, "-rtc %s: clock must be host, rt or vm", rtc);
			return QTEST_EXIT_USAGE;
		}
	}
	if (strcmp(base, "utc") != 0 && strcmp(base, "localtime") != 0) {
		if (qtest_parse_date(base, base_s))
			return QTEST_EXIT_OK;
		sim_diag_fail(err, "-rtc base=%s: invalid datetime format; valid formats: "
			      "'2006-06-17T16:01:21' or '2006-06-17'", base);
		return QTEST_EXIT_USAGE;
	}
	now = time(NULL);   /* the one wall-clock read of sim */
	*base_s = (int64_t)now;
	if (strcmp(base, "localtime") == 0) {
		if (!localtime_r(&now, &tm)) {
			sim_diag_fail(err, "-rtc base=localtime: cannot read the local time zone");
			return QTEST_EXIT_USAGE;
		}
		/* localtime's fields read as a UTC date: UTC plus the zone's offset. */
		*base_s = sim_epoch_seconds((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
					    (unsigned)tm.tm_mday, (unsigned)tm.tm_hour,
					    (unsigned)tm.tm_min, (unsigned)(tm.tm_sec > 59 ? 59 : tm.tm_sec));
	}
	return QTEST_EXIT_OK;
}
