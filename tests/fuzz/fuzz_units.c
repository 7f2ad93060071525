/*
 * The unit and duration parsers (sim/core/units.h) on one string, with the
 * invariants their contracts promise:
 *   - a parsed frequency has a positive numerator and denominator;
 *   - the signed and unsigned duration parsers agree where both accept, and
 *     so do the ps and ns parsers (ps = 1000 ns) and the ppb and fraction
 *     parsers;
 *   - a duration formatted by sim_format_seconds() (whole ns) parses back to
 *     itself, as does any value written in ps;
 *   - a refusal says why, in a bounded line; sim_quote() stays in its buffer.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "sim/core/simtime.h"
#include "sim/core/units.h"

#define FUZZ_UNITS_MAX 256

/*
 * What `why` holds before each parse: a parser that accepts leaves it alone
 * (sim/core/units.h: only a refusal writes a reason), and one that refuses
 * replaces it.  Without it, an accepted string left the buffer as the stack
 * had it, which the check below then read (a crash that came and went with
 * the stack's contents).
 */
#define WHY_UNTOUCHED "(untouched)"

static char *fresh_why(char *why)
{
	strcpy(why, WHY_UNTOUCHED);
	return why;
}

/* A reason is one NUL-terminated line that fits the buffer, written only on a refusal. */
static void check_why(bool ok, const char *why, size_t len)
{
	FUZZ_ASSERT(memchr(why, '\0', len) != NULL);
	if (ok) {
		FUZZ_ASSERT(strcmp(why, WHY_UNTOUCHED) == 0);
		return;
	}
	FUZZ_ASSERT(why[0] != '\0' && strcmp(why, WHY_UNTOUCHED) != 0);
	FUZZ_ASSERT(strchr(why, '\n') == NULL);
}

static void check_round_trip(sim_ps t)
{
	char buf[64], why[160];
	sim_ps back = 0;

	snprintf(buf, sizeof(buf), "%" PRIu64 "ps", t);
	FUZZ_ASSERT(sim_parse_duration_ps(buf, &back, why, sizeof(why)));
	FUZZ_ASSERT(back == t);
	if (t % SIM_PS_PER_NS)
		return;
	sim_format_seconds(buf, t);
	strcat(buf, "s");
	FUZZ_ASSERT(sim_parse_duration_ps(buf, &back, why, sizeof(why)));
	FUZZ_ASSERT(back == t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[FUZZ_UNITS_MAX + 1];
	char why[160], q[64];
	sim_ps ups = 0;
	int64_t sps = 0, ppb = 0, frac = 0;
	uint64_t uns = 0, u64 = 0;
	struct sim_freq f = { 0, 0 };
	bool ok_ups, ok_sps, ok_uns, ok_f, ok_ppb, ok_frac, ok_u64;

	if (size > FUZZ_UNITS_MAX)
		size = FUZZ_UNITS_MAX;
	memcpy(s, data, size);
	s[size] = '\0';               /* an embedded NUL ends the string, as from C */

	ok_ups = sim_parse_duration_ps(s, &ups, fresh_why(why), sizeof(why));
	check_why(ok_ups, why, sizeof(why));
	ok_sps = sim_parse_signed_duration_ps(s, &sps, fresh_why(why), sizeof(why));
	check_why(ok_sps, why, sizeof(why));
	ok_uns = sim_parse_duration_ns(s, &uns, fresh_why(why), sizeof(why));
	check_why(ok_uns, why, sizeof(why));
	ok_f = sim_parse_freq(s, &f, fresh_why(why), sizeof(why));
	check_why(ok_f, why, sizeof(why));
	ok_ppb = sim_parse_ppb(s, &ppb, fresh_why(why), sizeof(why));
	check_why(ok_ppb, why, sizeof(why));
	ok_frac = sim_parse_fraction_ppb(s, &frac, fresh_why(why), sizeof(why));
	check_why(ok_frac, why, sizeof(why));
	ok_u64 = sim_parse_u64(s, &u64, fresh_why(why), sizeof(why));
	check_why(ok_u64, why, sizeof(why));

	if (ok_f)
		FUZZ_ASSERT(f.num > 0 && f.den > 0);
	if (ok_ups && ok_sps)
		FUZZ_ASSERT(sps >= 0 && (sim_ps)sps == ups);
	if (ok_ups && ok_uns)
		FUZZ_ASSERT(uns <= UINT64_MAX / SIM_PS_PER_NS && uns * SIM_PS_PER_NS == ups);
	if (ok_ppb && ok_frac)
		FUZZ_ASSERT(ppb == frac);
	if (ok_u64) {
		bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

		/* the whole string is digits of its base: libc reads the same number */
		FUZZ_ASSERT(strtoull(s, NULL, hex ? 16 : 10) == u64);
	}
	if (ok_ups)
		check_round_trip(ups);

	/* a tiny buffer, so that a write past its end is caught */
	char *small = malloc(16);

	if (small) {
		sim_quote(small, 16, s);
		FUZZ_ASSERT(memchr(small, '\0', 16) != NULL);
		free(small);
	}
	sim_quote(q, sizeof(q), s);
	FUZZ_ASSERT(memchr(q, '\0', sizeof(q)) != NULL);
	for (const char *p = q; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
	return 0;
}
