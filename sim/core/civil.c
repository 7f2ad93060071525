#include "sim/core/civil.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days from March 1 to the first of month m in a March-based year. */
static int64_t march_month_start(unsigned month)
{
	unsigned mp = month > 2 ? month - 3 : month + 9;

	return (153 * (int64_t)mp + 2) / 5;
}

int64_t sim_days_from_civil(int64_t year, unsigned month, int64_t day)
{
	int64_t y = year - (month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                                         /* 0..399 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + march_month_start(month) + day - 1;

	return era * 146097 + doe - 719468;                                  /* 719468: 0000-03-01 to 1970-01-01 */
}

void sim_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                      /* 0..146096 */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* 0..365 */
	unsigned mp = (unsigned)((5 * doy + 2) / 153);                       /* 0..11, March = 0 */

	*day = (unsigned)(doy - (153 * (int64_t)mp + 2) / 5 + 1);
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

int64_t sim_epoch_seconds(int64_t year, unsigned month, unsigned day, unsigned hour,
			  unsigned minute, unsigned second)
{
	return sim_days_from_civil(year, month, day) * SIM_SEC_PER_DAY + (int64_t)hour * 3600 +
	       (int64_t)minute * 60 + (int64_t)second;
}
