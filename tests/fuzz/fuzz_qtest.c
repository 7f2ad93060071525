/*
 * The qtest protocol in-process on the pc board, as `sim qtest` runs it
 * (sim/qtest/server.c qtest_main): a fresh board and queue per input, one
 * qtest_session_input() per input line (the server's own entry), then finish and free.  Every output
 * must be one whole line per write (sim/qtest/protocol.h).
 */
#include <string.h>

#include "fuzz.h"
#include "sim/core/event.h"
#include "sim/devices/compat.h"
#include "sim/devices/platform.h"
#include "sim/qtest/protocol.h"

/*
 * The session's own per-command event ceiling bounds a clock command (issue
 * 12 section 2): `clock_set 10019830002000000` after a PIT mode 2 count of 2
 * with IRQ0 intercepted answers "FAIL event limit: ..." instead of running
 * for hours.  The fuzzer's is smaller than `sim qtest`'s default so that an
 * input of many clock commands still runs in a millisecond or so (at 10^5
 * the campaign ran ten times slower).
 */
#define FUZZ_QTEST_MAX_EVENTS UINT64_C(2000)

static void check_write(void *ctx, const char *buf, size_t len)
{
	unsigned long *lines = ctx;

	/* one whole line per call: non-empty, ends in its only newline */
	FUZZ_ASSERT(len > 0 && buf[len - 1] == '\n');
	FUZZ_ASSERT(memchr(buf, '\n', len - 1) == NULL);
	++*lines;
}

/*
 * An input whose first line is "#compat NAME" runs under that profile
 * (`sim qtest --compat NAME`; an unknown name: the default), so that the
 * profiles' own device paths (the qemu-7.2 RTC's periodic timer) are
 * fuzzed too.  Returns the bytes the line takes, 0 without one.
 */
static size_t profile_line(const uint8_t *data, size_t size, const struct compat_profile **c)
{
	static const char tag[] = "#compat ";
	const size_t taglen = sizeof(tag) - 1;
	const uint8_t *nl;
	char name[32];

	if (size < taglen || memcmp(data, tag, taglen) != 0)
		return 0;
	nl = memchr(data, '\n', size);
	if (!nl)
		return size;
	if ((size_t)(nl - data) - taglen < sizeof(name)) {
		memcpy(name, data + taglen, (size_t)(nl - data) - taglen);
		name[(size_t)(nl - data) - taglen] = '\0';
		if (compat_find(name))
			*c = compat_find(name);
	}
	return (size_t)(nl - data) + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_eventq q;
	struct platform pf;
	struct platform_params pp;
	struct qtest_session qs;
	struct sim_diag err;
	unsigned long lines = 0;
	size_t skip;
	sim_diag_clear(&err);
	sim_eventq_init(&q);
	platform_params_default(&pp);
	skip = profile_line(data, size, &pp.compat);
	FUZZ_ASSERT(platform_init(&pf, &q, &pp, &err));
	qtest_session_init(&qs, &pf, &q, check_write, &lines);
	qtest_session_set_max_events(&qs, FUZZ_QTEST_MAX_EVENTS);
	/* one request per line, as the server hands them over (NUL bytes and all) */
	for (size_t at = skip; at < size;) {
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t end = nl ? (size_t)(nl - data) + 1 : size;
		uint64_t before_ns = qtest_session_clock_ns(&qs);
		bool ok = qtest_session_input(&qs, (const char *)data + at, end - at);

		at = end;
		/* the protocol clock never goes backwards */
		FUZZ_ASSERT(qtest_session_clock_ns(&qs) >= before_ns);
		/*
		 * Only a failed event queue ends a session here (no stop check),
		 * and no input may fail it: a device that schedules into the past
		 * or storms is a model bug (the qemu-7.2 RTC's rate change did).
		 */
		FUZZ_ASSERT(ok && !qs.failed);
	}
	qtest_session_finish(&qs);
	platform_finish(&pf);
	sim_eventq_finish(&q);
	return 0;
}
