/* Civil dates: expectations from published calendars (dates checked by hand). */
#include <criterion/criterion.h>

#include "sim/core/civil.h"

Test(civil, known_dates_round_trip)
{
	static const struct { int64_t y; unsigned m, d; int64_t days; } cases[] = {
		{ 1970, 1, 1, 0 },
		{ 1969, 12, 31, -1 },
		{ 2000, 2, 29, 11016 },       /* 30 years incl. 7 leap days + 59 */
		{ 2000, 3, 1, 11017 },
		{ 2038, 1, 19, 24855 },       /* 2^31 s / 86400 = 24855.13 */
		{ 1900, 3, 1, -25508 },       /* 1900 is not leap */
		{ 1600, 1, 1, -135140 },
		{ 2100, 3, 1, 47541 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t y;
		unsigned m, d;

		cr_expect_eq(sim_days_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].days,
			     "%lld-%u-%u", (long long)cases[i].y, cases[i].m, cases[i].d);
		sim_civil_from_days(cases[i].days, &y, &m, &d);
		cr_expect(y == cases[i].y && m == cases[i].m && d == cases[i].d, "day %lld",
			  (long long)cases[i].days);
	}
}

Test(civil, day_past_month_end_rolls_over)
{
	cr_expect_eq(sim_days_from_civil(2023, 2, 29), sim_days_from_civil(2023, 3, 1));
	cr_expect_eq(sim_days_from_civil(2024, 12, 32), sim_days_from_civil(2025, 1, 1));
}

Test(civil, every_day_of_four_centuries_round_trips)
{
	int64_t start = sim_days_from_civil(1800, 1, 1);

	for (int64_t day = start; day < start + 146097; day++) {
		int64_t y;
		unsigned m, d;

		sim_civil_from_days(day, &y, &m, &d);
		cr_assert_eq(sim_days_from_civil(y, m, d), day);
		cr_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
	}
}

Test(civil, epoch_seconds)
{
	cr_expect_eq(sim_epoch_seconds(2006, 6, 17, 16, 1, 21), INT64_C(1150560081));
	cr_expect_eq(sim_epoch_seconds(2038, 1, 19, 3, 14, 7), INT64_C(2147483647));
}
