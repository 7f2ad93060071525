/*
 * What the scenario loader's tests share: the documents they edit (as macros,
 * so each file declares only those it uses) and the helpers that edit a
 * document and check the error it gets.
 */
#ifndef TESTS_SCENARIO_TEST_H
#define TESTS_SCENARIO_TEST_H

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scenario.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A complete scenario that sets every key (line numbers matter to the tests). */
#define FULL_TEXT \
	"{\n" \
	"  \"name\": \"migrate_slow\",\n" \
	"  \"description\": \"3 GHz to 2 GHz and back\",\n" \
	"  \"seed\": 42,\n" \
	"  \"duration\": \"10s\",\n" \
	"  \"utc_start\": \"2026-03-01T12:00:00.5Z\",\n" \
	"  \"hosts\": [\n" \
	"    {\n" \
	"      \"name\": \"src\",\n" \
	"      \"tsc\": \"3GHz\",\n" \
	"      \"uptime\": \"10d\",\n" \
	"      \"realtime_error\": \"-2ms\",\n" \
	"      \"tsc_khz\": 2999999,\n" \
	"      \"clocksource\": \"tsc\",\n" \
	"      \"hpet\": \"24MHz\",\n" \
	"      \"hpet_crystal\": \"+5ppm\",\n" \
	"      \"vendor\": \"amd\",\n" \
	"      \"sockets\": [\n" \
	"        { \"cpus\": 4, \"crystal\": \"+20ppm\", \"tsc_offset\": \"20us\",\n" \
	"          \"cpu_tsc_offsets\": [\"0ns\", \"1ns\", \"-1ns\", \"2.5ns\"] },\n" \
	"        { \"cpus\": 2 }\n" \
	"      ]\n" \
	"    },\n" \
	"    {\n" \
	"      \"name\": \"dst\",\n" \
	"      \"tsc\": \"2GHz\",\n" \
	"      \"uptime\": \"1h\",\n" \
	"      \"sockets\": [ { \"cpus\": 8 } ]\n" \
	"    }\n" \
	"  ],\n" \
	"  \"vm\": {\n" \
	"    \"host\": \"src\",\n" \
	"    \"vcpus\": 4,\n" \
	"    \"pins\": [0, 1, 2, 5],\n" \
	"    \"uptime\": \"1h\",\n" \
	"    \"stable_bit_cpuid\": false,\n" \
	"    \"entry_latency\": \"10us\",\n" \
	"    \"kvmclock_sync_period\": \"60s\"\n" \
	"  },\n" \
	"  \"migrations\": [\n" \
	"    { \"at\": \"2s\", \"downtime\": \"300ms\", \"to\": \"dst\", \"pins\": [7, 6, 5, 4],\n" \
	"      \"set_clock\": \"clock\", \"tsc_scaling\": true, \"tsc_carry\": \"advance\" },\n" \
	"    { \"at\": \"5s\", \"downtime\": \"100ms\", \"to\": \"src\" }\n" \
	"  ],\n" \
	"  \"vcpu_moves\": [\n" \
	"    { \"at\": \"1s\", \"vcpu\": 3, \"pcpu\": 4 },\n" \
	"    { \"at\": \"3s\", \"vcpu\": 0, \"pcpu\": 7 }\n" \
	"  ],\n" \
	"  \"readers\": [\n" \
	"    { \"name\": \"mono\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n" \
	"      \"checks\": {\n" \
	"        \"mono_vcpu\": { \"expect\": \"pass\" },\n" \
	"        \"mono_causal\": { \"expect\": \"pass\", \"worst\": { \"max\": \"0ps\" } },\n" \
	"        \"step_back\": { \"expect\": \"pass\", \"threshold\": \"0ns\" },\n" \
	"        \"step_fwd\": { \"expect\": \"fail\", \"threshold\": \"310ms\",\n" \
	"                      \"worst\": { \"min\": \"300ms\", \"max\": \"1s\" } },\n" \
	"        \"max_error\": { \"expect\": \"fail\", \"threshold\": \"1ms\", \"pause\": \"exclude\" },\n" \
	"        \"rate\": { \"expect\": \"fail\", \"threshold\": \"500ppm\", \"window\": \"2s\",\n" \
	"                  \"worst\": { \"min\": \"-333334ppm\", \"max\": \"-333333ppm\" } }\n" \
	"      } },\n" \
	"    { \"name\": \"raw\", \"kind\": \"tsc\", \"vcpus\": [2, 0], \"period\": \"100us\",\n" \
	"      \"jitter\": \"10us\", \"cost\": \"25ns\", \"tsc_khz\": 3000000 },\n" \
	"    { \"name\": \"pv-raw\", \"kind\": \"pvclock-raw\", \"vcpus\": [1], \"period\": \"10ms\" }\n" \
	"  ]\n" \
	"}\n"

/* Only what is required. */
#define MINIMAL_TEXT \
	"{\"name\": \"m\", \"duration\": \"1s\",\n" \
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"2.5GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 3}]}],\n" \
	" \"vm\": {\"host\": \"h\", \"vcpus\": 5},\n" \
	" \"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"vcpus\": [4], \"period\": \"1ms\"}]}\n"

/* A board without a VM: every platform key, and device scripts (line numbers matter). */
#define BOARD_TEXT \
	"{\n" \
	"  \"name\": \"pit_board\",\n" \
	"  \"duration\": \"2s\",\n" \
	"  \"utc_start\": 1767225600,\n" \
	"  \"platform\": {\n" \
	"    \"hpet\": { \"frequency\": \"100MHz\", \"timers\": 8, \"counter_bits\": 32 },\n" \
	"    \"pmtimer\": { \"port\": \"0xb008\", \"bits\": 32 },\n" \
	"    \"rtc\": { \"base\": \"2000-01-01T00:00:00Z\" },\n" \
	"    \"access_cost\": { \"pit\": \"2us\", \"rtc\": \"1.5us\", \"hpet\": \"500ns\", \"pmtimer\": \"0s\" }\n" \
	"  },\n" \
	"  \"scripts\": [\n" \
	"    { \"name\": \"pit-mode2\", \"at\": \"1ms\", \"expect\": \"pass\",\n" \
	"      \"commands\": [\n" \
	"        \"outb 0x43 0x34\",\n" \
	"        { \"do\": \"outb 0x40 0x00\" },\n" \
	"        { \"do\": \"clock_step 838095\", \"irqs\": [\"raise 0\", \"lower 0\"] },\n" \
	"        { \"do\": \"inb 0x40\", \"expect\": 255, \"irqs\": [] },\n" \
	"        { \"do\": \"readq 0xfed000f0\", \"expect\": \"0xffffffffffffffff\" },\n" \
	"        { \"do\": \"inl 0xb008\", \"expect\": \"18446744073709551615\",\n" \
	"          \"irqs\": [\"lower 23\", \"raise 8\", \"raise 8\"] }\n" \
	"      ] },\n" \
	"    { \"name\": \"rtc\", \"expect\": \"fail\", \"commands\": [\"outb 0x70 0x00\", \"inb 0x71\"] }\n" \
	"  ]\n" \
	"}\n"

/* A VM with hpet and pmtimer readers. */
#define COUNTERS_TEXT \
	"{\"name\": \"c\", \"duration\": \"1s\",\n" \
	" \"platform\": {\"pmtimer\": {\"bits\": 32}, \"access_cost\": {\"hpet\": \"2us\"}},\n" \
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 2}]}],\n" \
	" \"vm\": {\"host\": \"h\", \"vcpus\": 2},\n" \
	" \"readers\": [\n" \
	"  {\"name\": \"hpet32\", \"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\"},\n" \
	"  {\"name\": \"hpet64\", \"kind\": \"hpet\", \"vcpus\": [0], \"period\": \"10ms\",\n" \
	"   \"width\": 64, \"wrap\": \"none\", \"cost\": \"3us\"},\n" \
	"  {\"name\": \"acpi\", \"kind\": \"pmtimer\", \"vcpus\": [1], \"period\": \"5ms\", \"wrap\": \"none\"},\n" \
	"  {\"name\": \"acpi2\", \"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\"},\n" \
	"  {\"name\": \"pv\", \"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\"}\n" \
	" ]}\n"

/*
 * Two hosts and no VM, with every new key.  Host h0's CPUs: socket 0 has 0-1
 * online and 2-3 hotplug, socket 1 has 4-6; h1 has 0-3.
 */
#define METAL_TEXT \
	"{\n" \
	"  \"name\": \"metal\",\n" \
	"  \"duration\": \"10s\",\n" \
	"  \"hosts\": [\n" \
	"    { \"name\": \"h0\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n" \
	"      \"sockets\": [\n" \
	"        { \"cpus\": 2, \"hotplug_cpus\": 2, \"crystal\": \"+10ppm\", \"crystal_wander\": \"2ppb\",\n" \
	"          \"wander_bound\": \"0.5ppm\", \"wander_step\": \"100ms\", \"crystal_aging\": \"-5ppb\",\n" \
	"          \"ssc\": { \"mode\": \"down\", \"spread\": \"0.5%\", \"modulation\": \"33kHz\" } },\n" \
	"        { \"cpus\": 3, \"ssc\": { \"mode\": \"center\", \"spread\": \"5000ppm\" } }\n" \
	"      ],\n" \
	"      \"tsc_features\": { \"constant\": false, \"nonstop\": false, \"tsc_adjust\": true,\n" \
	"        \"arat\": false, \"rdtsc_window\": 40, \"bios_sync_residual\": 1000,\n" \
	"        \"halted_pstate_erratum\": true, \"apic_timer\": \"25MHz\",\n" \
	"        \"advertise\": { \"constant_tsc\": true, \"nonstop_tsc\": false, \"invariant_tsc\": true } } },\n" \
	"    { \"name\": \"h1\", \"tsc\": \"2GHz\", \"uptime\": \"1d\", \"sockets\": [ { \"cpus\": 4 } ] }\n" \
	"  ],\n" \
	"  \"readers\": [\n" \
	"    { \"name\": \"naive\", \"kind\": \"rdtsc\", \"host\": \"h0\", \"cpus\": \"all\", \"period\": \"1ms\",\n" \
	"      \"migrate_every\": \"10ms\", \"rdtsc\": \"rdtsc\",\n" \
	"      \"checks\": { \"mono_vcpu\": { \"expect\": \"fail\" } } },\n" \
	"    { \"name\": \"cs\", \"kind\": \"tsc\", \"host\": \"h0\", \"cpus\": [4], \"period\": \"500us\",\n" \
	"      \"rdtsc\": \"lfence\" },\n" \
	"    { \"name\": \"pc\", \"kind\": \"tsc\", \"host\": \"h1\", \"cpus\": [0, 3], \"period\": \"2ms\" }\n" \
	"  ],\n" \
	"  \"events\": [\n" \
	"    { \"type\": \"cstate\", \"at\": \"1s\", \"host\": \"h0\", \"cpus\": [0, 1], \"state\": \"C6\",\n" \
	"      \"duration\": \"10ms\" },\n" \
	"    { \"type\": \"cstate_pattern\", \"at\": \"1s\", \"host\": \"h0\", \"cpus\": [4, 5], \"state\": 3,\n" \
	"      \"until\": \"5s\", \"residency\": \"200us\", \"busy\": \"50us\" },\n" \
	"    { \"type\": \"pstate\", \"at\": \"1.5s\", \"host\": \"h0\", \"cpus\": \"all\", \"frequency\": \"800MHz\" },\n" \
	"    { \"type\": \"throttle\", \"at\": \"2s\", \"host\": \"h1\", \"cpus\": [1], \"duty\": \"12.5%\",\n" \
	"      \"duration\": \"1s\" },\n" \
	"    { \"type\": \"temperature\", \"at\": \"2s\", \"host\": \"h0\", \"socket\": 1, \"step\": \"-1.5ppm\" },\n" \
	"    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 2, \"tsc\": \"0x1000\" },\n" \
	"    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 3 },\n" \
	"    { \"type\": \"tsc_write\", \"at\": \"3.5s\", \"host\": \"h0\", \"cpu\": 2,\n" \
	"      \"value\": \"0xffffffffffffffff\", \"low32\": true },\n" \
	"    { \"type\": \"tsc_adjust_write\", \"at\": \"4s\", \"host\": \"h0\", \"cpu\": 0,\n" \
	"      \"value\": \"-9223372036854775807\" },\n" \
	"    { \"type\": \"reader_migrate\", \"at\": \"4.5s\", \"reader\": \"cs\", \"cpu\": 2 },\n" \
	"    { \"type\": \"suspend\", \"at\": \"6s\", \"host\": \"h1\", \"kind\": \"S4\", \"duration\": \"1s\",\n" \
	"      \"firmware_tsc_adjust\": -12 }\n" \
	"  ],\n" \
	"  \"host_checks\": [\n" \
	"    { \"check\": \"flag_truth\", \"host\": \"h0\", \"expect\": \"fail\", \"threshold\": \"50ppm\",\n" \
	"      \"flags\": [\"invariant_tsc\", \"constant_tsc\"], \"worst\": { \"min\": \"1ppm\", \"max\": \"20000ppm\" } },\n" \
	"    { \"check\": \"tsc_sync\", \"name\": \"sync-hotplug\", \"host\": \"h0\", \"expect\": \"fail\",\n" \
	"      \"cpus\": [0, 2], \"at\": \"3s\", \"worst\": { \"min\": 1000 } },\n" \
	"    { \"check\": \"watchdog\", \"host\": \"h1\", \"expect\": \"pass\", \"clocksource\": \"acpi_pm\",\n" \
	"      \"delay_every\": 3, \"delay\": \"50ms\", \"false_positive\": true,\n" \
	"      \"worst\": { \"min\": \"-1ms\", \"max\": \"1ms\" } },\n" \
	"    { \"check\": \"timer\", \"host\": \"h0\", \"expect\": \"pass\", \"cpu\": 4, \"mode\": \"periodic\",\n" \
	"      \"arm_at\": \"1s\", \"delay\": \"1ms\", \"count\": 100, \"slack\": \"50us\" }\n" \
	"  ]\n" \
	"}\n"

/* Only what a bare-metal scenario requires. */
#define METAL_MIN_TEXT \
	"{\"name\": \"mm\", \"duration\": \"1s\",\n" \
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 2}]}],\n" \
	" \"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", \"period\": \"1ms\"}]}\n"

/* full with the single occurrence of from replaced by to; the caller frees it. */
static inline char *edit(const char *base, const char *from, const char *to)
{
	const char *p = strstr(base, from);
	size_t head, n;
	char *s;

	cr_assert(p, "test bug: \"%s\" not in the base document", from);
	cr_assert(!strstr(p + 1, from), "test bug: \"%s\" is not unique", from);
	head = (size_t)(p - base);
	n = strlen(base) - strlen(from) + strlen(to);
	s = malloc(n + 1);
	cr_assert(s);
	memcpy(s, base, head);
	strcpy(s + head, to);
	strcat(s, p + strlen(from));
	return s;
}

static inline void line_col(const char *text, const char *at, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * An error case: full with from replaced by to must fail at path, with the
 * position of the first occurrence of anchor in the edited text, and a
 * message containing msg.
 */
struct error_case {
	const char *from, *to;
	const char *path;
	const char *anchor;
	const char *msg;
};

static inline void expect_error(const char *base, const struct error_case *c)
{
	char *text = edit(base, c->from, c->to);
	const char *at = strstr(text, c->anchor);
	struct sim_diag err;
	struct scenario *sc;
	unsigned line, col;

	cr_assert(at, "test bug: anchor %s not in the edited text", c->anchor);
	cr_assert(!strstr(at + 1, c->anchor), "test bug: anchor %s is not unique", c->anchor);
	line_col(text, at, &line, &col);
	sc = scenario_parse("t.json", text, strlen(text), &err);
	cr_expect_null(sc, "%s -> %s: parsed", c->from, c->to);
	scenario_destroy(sc);
	cr_expect_str_eq(err.file, "t.json");
	cr_expect_str_eq(err.path, c->path, "%s -> %s: path %s", c->from, c->to, err.path);
	cr_expect(err.line == line && err.col == col, "%s -> %s: at %u:%u, expected %u:%u (%s)",
		  c->from, c->to, err.line, err.col, line, col, err.msg);
	cr_expect(strstr(err.msg, c->msg), "%s -> %s: message '%s'", c->from, c->to, err.msg);
	free(text);
}

static inline struct scenario *parse_ok(const char *text)
{
	struct sim_diag err;
	struct scenario *sc = scenario_parse("t.json", text, strlen(text), &err);

	cr_assert(sc, "%s:%u:%u: %s: %s", err.file, err.line, err.col, err.path, err.msg);
	return sc;
}

static inline void expect_cpus(const unsigned *got, unsigned n, const unsigned *want, unsigned nwant,
			const char *what)
{
	cr_expect_eq(n, nwant, "%s: %u CPUs, expected %u", what, n, nwant);
	for (unsigned i = 0; i < n && i < nwant; i++)
		cr_expect_eq(got[i], want[i], "%s[%u]: %u, expected %u", what, i, got[i], want[i]);
}

#endif
