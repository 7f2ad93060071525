/* The scenario loader on bare metal: sockets, TSC features, readers on a host, defaults. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/core/platform_clocks.h"
#include "tests/scenario_test.h"

static const char minimal[] = MINIMAL_TEXT;
static const char board[] = BOARD_TEXT;
static const char metal[] = METAL_TEXT;
static const char metal_min[] = METAL_MIN_TEXT;

/* ---- bare metal: sockets, TSC features, host readers, events and host checks ---- */

Test(scenario, bare_metal_document_sets_every_field)
{
	static const unsigned all0[] = { 0, 1, 4, 5, 6 };
	struct scenario *sc = parse_ok(metal);
	const struct scn_host *h = &sc->hosts[0];
	const struct scn_socket *sk = h->sockets;
	const struct scn_tsc_features *tf = &h->features;
	const struct scn_reader *r = sc->readers;
	const struct scn_event *e = sc->events;
	const struct scn_host_check *c = sc->host_checks;

	cr_expect(sc->has_hosts);
	cr_expect_not((sc->nvms > 0));
	cr_expect_eq(sc->nvms, 0);
	cr_expect_null(sc->vms);
	cr_assert_eq(sc->nhosts, 2);
	cr_expect(h->ncpus == 7 && h->ncpus_online == 5, "%u %u", h->ncpus, h->ncpus_online);
	cr_expect(sk[0].first_cpu == 0 && sk[1].first_cpu == 4);
	cr_expect(sk[0].ncpus == 2 && sk[0].hotplug_cpus == 2 && sk[1].hotplug_cpus == 0);
	cr_expect_eq(sk[0].crystal_ppb, 10000);
	cr_expect_eq(sk[0].wander_ppb, 2);
	cr_expect_eq(sk[0].wander_bound_ppb, 500);
	cr_expect_eq(sk[0].wander_step_ps, 100 * SIM_PS_PER_MS);
	cr_expect_eq(sk[0].aging_ppb_per_day, -5);
	cr_expect(sk[0].ssc.enabled && sk[0].ssc.mode == SCN_SSC_DOWN);
	cr_expect_eq(sk[0].ssc.spread_ppm, 5000);
	cr_expect(sk[0].ssc.modulation.num == 33000 && sk[0].ssc.modulation.den == 1);
	cr_expect(sk[1].ssc.enabled && sk[1].ssc.mode == SCN_SSC_CENTER);
	cr_expect_eq(sk[1].ssc.spread_ppm, 5000);
	cr_expect(sk[1].ssc.modulation.num == 31500 && sk[1].ssc.modulation.den == 1);
	cr_expect(sk[1].wander_ppb == 0 && sk[1].wander_bound_ppb == 1000 &&
		  sk[1].wander_step_ps == SIM_PS_PER_S && sk[1].aging_ppb_per_day == 0);

	cr_expect(!tf->constant && !tf->nonstop && tf->tsc_adjust && !tf->arat);
	cr_expect_eq(tf->rdtsc_window_cycles, 40);
	cr_expect_eq(tf->bios_sync_residual_cycles, 1000);
	cr_expect(tf->halted_pstate_erratum);
	cr_expect(tf->apic_timer.num == 25000000 && tf->apic_timer.den == 1);
	cr_expect_eq(tf->advertise[SCN_FLAG_CONSTANT_TSC], SCN_TRUE);
	cr_expect_eq(tf->advertise[SCN_FLAG_NONSTOP_TSC], SCN_FALSE);
	cr_expect_eq(tf->advertise[SCN_FLAG_TSC_KNOWN_FREQ], SCN_UNSET);
	cr_expect_eq(tf->advertise[SCN_FLAG_TSC_RELIABLE], SCN_UNSET);
	cr_expect_eq(tf->advertise[SCN_FLAG_INVARIANT_TSC], SCN_TRUE);
	cr_expect(sc->hosts[1].ncpus == 4 && sc->hosts[1].ncpus_online == 4);

	cr_assert_eq(sc->nreaders, 3);
	cr_expect(r[0].on_host && r[0].host == 0 && r[0].nvcpus == 0);
	cr_expect_eq(r[0].kind, READER_RDTSC);
	expect_cpus(r[0].cpus, r[0].ncpus, all0, 5, "naive: \"all\", online at t = 0");
	cr_expect_eq(r[0].migrate_every_ps, 10 * SIM_PS_PER_MS);
	cr_expect_eq(r[0].rdtsc, SCN_RDTSC_PLAIN);
	cr_expect_eq(r[0].cost_ps, 10 * SIM_PS_PER_NS);
	cr_expect(r[0].checks[ORACLE_MONO_VCPU].enabled);
	cr_expect(r[1].on_host && r[1].kind == READER_TSC && r[1].ncpus == 1 && r[1].cpus[0] == 4);
	cr_expect_eq(r[1].rdtsc, SCN_RDTSC_LFENCE);
	cr_expect_eq(r[1].migrate_every_ps, 0);
	cr_expect_eq(r[1].cost_ps, 20 * SIM_PS_PER_NS);
	cr_expect(r[2].on_host && r[2].host == 1 && r[2].ncpus == 2 && r[2].cpus[1] == 3);
	cr_expect_eq(r[2].rdtsc, SCN_RDTSC_RDTSCP);

	cr_assert_eq(sc->nevents, 11);
	cr_assert(e);
	cr_expect(e[0].type == SCN_EV_CSTATE && e[0].at_ps == SIM_PS_PER_S && e[0].host == 0);
	expect_cpus(e[0].cpus, e[0].ncpus, (const unsigned[]){ 0, 1 }, 2, "events/0");
	cr_expect(e[0].cstate == 6 && e[0].duration_ps == 10 * SIM_PS_PER_MS);
	cr_expect(e[1].type == SCN_EV_CSTATE_PATTERN && e[1].cstate == 3);
	cr_expect(e[1].until_ps == 5 * SIM_PS_PER_S && e[1].residency_ps == 200 * SIM_PS_PER_US &&
		  e[1].busy_ps == 50 * SIM_PS_PER_US);
	cr_expect_eq(e[2].type, SCN_EV_PSTATE);
	expect_cpus(e[2].cpus, e[2].ncpus, all0, 5, "events/2: \"all\" at 1.5s");
	cr_expect(e[2].frequency.num == 800000000 && e[2].frequency.den == 1);
	cr_expect(e[3].type == SCN_EV_THROTTLE && e[3].host == 1 && e[3].duty_ppm == 125000 &&
		  e[3].duration_ps == SIM_PS_PER_S);
	cr_expect(e[4].type == SCN_EV_TEMPERATURE && e[4].socket == 1 && e[4].step_ppb == -1500);
	cr_expect(e[5].type == SCN_EV_HOTPLUG && e[5].cpu == 2 && e[5].has_value &&
		  e[5].value == 0x1000);
	cr_expect(e[6].type == SCN_EV_HOTPLUG && e[6].cpu == 3 && !e[6].has_value &&
		  e[6].value == 0, "no \"tsc\": 0, just out of reset");
	cr_expect(e[7].type == SCN_EV_TSC_WRITE && e[7].cpu == 2 && e[7].has_value &&
		  e[7].value == UINT64_MAX && e[7].low32);
	cr_expect(e[8].type == SCN_EV_TSC_ADJUST_WRITE && e[8].cpu == 0 && e[8].has_adjust &&
		  e[8].adjust == -INT64_MAX);
	cr_expect(e[9].type == SCN_EV_READER_MIGRATE && e[9].reader == 1 && e[9].host == 0 &&
		  e[9].cpu == 2, "host: the reader's");
	cr_expect(e[10].type == SCN_EV_SUSPEND && e[10].host == 1 && e[10].s4 &&
		  e[10].duration_ps == SIM_PS_PER_S && e[10].has_adjust && e[10].adjust == -12);
	cr_expect_str_eq(e[10].path, "/events/10");

	cr_assert_eq(sc->nhost_checks, 4);
	cr_expect_str_eq(c[0].name, "flag_truth-0");
	cr_expect(c[0].kind == SCN_HC_FLAG_TRUTH && c[0].host == 0 && c[0].expect == ORACLE_EXPECT_FAIL);
	cr_expect_eq(c[0].flag_truth.threshold_ppb, 50000);
	cr_expect_eq(c[0].flag_truth.flags, 1u << SCN_FLAG_INVARIANT_TSC | 1u << SCN_FLAG_CONSTANT_TSC);
	cr_expect(c[0].has_worst_min && c[0].worst_min == 1000 && c[0].has_worst_max &&
		  c[0].worst_max == 20000000);
	cr_expect_str_eq(c[1].name, "sync-hotplug");
	cr_expect(c[1].kind == SCN_HC_TSC_SYNC && c[1].tsc_sync.source == 0 &&
		  c[1].tsc_sync.target == 2 && c[1].tsc_sync.at_ps == 3 * SIM_PS_PER_S);
	cr_expect(c[1].has_worst_min && c[1].worst_min == 1000 && !c[1].has_worst_max);
	cr_expect_str_eq(c[2].name, "watchdog-2");
	cr_expect(c[2].kind == SCN_HC_WATCHDOG && c[2].host == 1);
	cr_expect(c[2].watchdog.clocksource == SCN_WD_ACPI_PM && c[2].watchdog.delay_every == 3 &&
		  c[2].watchdog.delay_ps == 50 * SIM_PS_PER_MS && c[2].watchdog.false_positive == SCN_TRUE);
	cr_expect(c[2].worst_min == -(int64_t)SIM_PS_PER_MS && c[2].worst_max == (int64_t)SIM_PS_PER_MS);
	cr_expect_str_eq(c[3].name, "timer-3");
	cr_expect(c[3].kind == SCN_HC_TIMER && c[3].timer.cpu == 4 &&
		  c[3].timer.mode == SCN_TIMER_PERIODIC && c[3].timer.arm_at_ps == SIM_PS_PER_S &&
		  c[3].timer.delay_ps == SIM_PS_PER_MS && c[3].timer.count == 100 &&
		  c[3].timer.slack_ps == 50 * SIM_PS_PER_US);
	cr_expect_str_eq(c[3].path, "/host_checks/3");
	scenario_destroy(sc);
}

Test(scenario, new_keys_default_to_todays_behaviour)
{
	struct scenario *sc = parse_ok(minimal);
	const struct scn_host *h = &sc->hosts[0];
	const struct scn_socket *sk = &h->sockets[0];

	/* A VM scenario: hosts and VM, nothing new. */
	cr_expect(sc->has_hosts && (sc->nvms > 0));
	cr_expect(h->ncpus == 3 && h->ncpus_online == 3);
	cr_expect(sk->wander_ppb == 0 && sk->wander_bound_ppb == 1000 &&
		  sk->wander_step_ps == SIM_PS_PER_S && sk->aging_ppb_per_day == 0);
	cr_expect(!sk->ssc.enabled && sk->ssc.spread_ppm == 0 && sk->hotplug_cpus == 0);
	cr_expect(h->features.constant && h->features.nonstop && h->features.tsc_adjust &&
		  h->features.arat && !h->features.halted_pstate_erratum);
	cr_expect(h->features.rdtsc_window_cycles == 0 && h->features.bios_sync_residual_cycles == 0);
	cr_expect(h->features.apic_timer.num == 100000000 && h->features.apic_timer.den == 1);
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++)
		cr_expect_eq(h->features.advertise[i], SCN_UNSET, "flag %u", i);
	cr_expect(!sc->readers[0].on_host && sc->readers[0].ncpus == 0 &&
		  sc->readers[0].migrate_every_ps == 0 && sc->readers[0].rdtsc == SCN_RDTSC_RDTSCP);
	cr_expect(sc->nevents == 0 && sc->events == NULL && sc->nhost_checks == 0);
	scenario_destroy(sc);

	/* Bare metal: one host, "host" defaults to it. */
	sc = parse_ok(metal_min);
	cr_expect(sc->has_hosts && !(sc->nvms > 0));
	cr_expect(sc->readers[0].on_host && sc->readers[0].host == 0);
	expect_cpus(sc->readers[0].cpus, sc->readers[0].ncpus, (const unsigned[]){ 0, 1 }, 2, "all");
	cr_expect_eq(sc->readers[0].cost_ps, 20 * SIM_PS_PER_NS);
	scenario_destroy(sc);

	/* A board: neither. */
	sc = parse_ok(board);
	cr_expect(!sc->has_hosts && !(sc->nvms > 0) && sc->nevents == 0 && sc->nhost_checks == 0);
	scenario_destroy(sc);
}

Test(scenario, event_and_host_check_defaults)
{
	static const char text[] =
		"{\"name\": \"d\", \"duration\": \"10s\",\n"
		" \"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"   \"sockets\": [{\"cpus\": 2, \"hotplug_cpus\": 1}]}],\n"
		" \"events\": [\n"
		"  {\"type\": \"hotplug\", \"at\": \"1s\", \"cpu\": 2},\n"
		"  {\"type\": \"tsc_write\", \"at\": \"1s\", \"cpu\": 2, \"value\": 7},\n"
		"  {\"type\": \"cstate\", \"at\": \"2s\", \"cpus\": \"all\", \"state\": \"C10\", \"duration\": \"1s\"},\n"
		"  {\"type\": \"suspend\", \"at\": \"3s\", \"kind\": \"S3\", \"duration\": \"1s\"},\n"
		"  {\"type\": \"tsc_adjust_write\", \"at\": \"5s\", \"cpu\": 1, \"value\": -5}\n"
		" ],\n"
		" \"host_checks\": [\n"
		"  {\"check\": \"flag_truth\", \"expect\": \"pass\"},\n"
		"  {\"check\": \"tsc_sync\", \"expect\": \"pass\", \"cpus\": [1, 0]},\n"
		"  {\"check\": \"watchdog\", \"expect\": \"pass\"},\n"
		"  {\"check\": \"timer\", \"expect\": \"pass\", \"cpu\": 2, \"mode\": \"deadline\", \"arm_at\": \"1s\",\n"
		"   \"delay\": \"8s\"},\n"
		"  {\"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0, \"mode\": \"periodic\", \"delay\": \"1ms\"}\n"
		" ]}\n";
	struct scenario *sc = parse_ok(text);
	const struct scn_event *e = sc->events;
	const struct scn_host_check *c = sc->host_checks;

	cr_assert_eq(sc->nevents, 5);
	cr_expect(e[0].host == 0 && !e[0].has_value && e[0].value == 0);
	cr_expect(e[1].has_value && e[1].value == 7 && !e[1].low32);
	expect_cpus(e[2].cpus, e[2].ncpus, (const unsigned[]){ 0, 1, 2 }, 3,
		    "\"all\" counts a CPU brought online earlier");
	cr_expect_eq(e[2].cstate, 10);
	cr_expect(!e[3].s4 && !e[3].has_adjust && e[3].adjust == 0);
	cr_expect(e[4].has_adjust && e[4].adjust == -5);

	cr_assert_eq(sc->nhost_checks, 5);
	cr_expect(c[0].host == 0 && c[0].flag_truth.threshold_ppb == 100000 &&
		  c[0].flag_truth.flags == (1u << SCN_TSC_FLAG_COUNT) - 1);
	cr_expect(!c[0].has_worst_min && !c[0].has_worst_max);
	cr_expect(c[1].tsc_sync.source == 1 && c[1].tsc_sync.target == 0 && c[1].tsc_sync.at_ps == 0);
	cr_expect(c[2].watchdog.clocksource == SCN_WD_HPET && c[2].watchdog.delay_every == 0 &&
		  c[2].watchdog.delay_ps == 0 && c[2].watchdog.false_positive == SCN_UNSET);
	cr_expect(c[3].timer.mode == SCN_TIMER_DEADLINE && c[3].timer.cpu == 2 &&
		  c[3].timer.count == 0 && c[3].timer.slack_ps == 10 * SIM_PS_PER_US);
	cr_expect(c[4].timer.arm_at_ps == 0 && c[4].timer.count == 0, "0: every fire in the run");
	cr_expect_str_eq(c[4].name, "timer-4");
	scenario_destroy(sc);
}

Test(scenario, socket_and_tsc_feature_errors)
{
	static const struct error_case cases[] = {
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": \"-2ppb\"",
		  "/hosts/0/sockets/0/crystal_wander", "\"-2ppb\"",
		  "expected a wander of at least 0ppb (per sqrt(s)), got \"-2ppb\"" },
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": 2",
		  "/hosts/0/sockets/0/crystal_wander", "2,\n          \"wander_bound\"",
		  "expected a string such as \"+20ppm\" or \"-50ppb\", got the number 2" },
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": \"2000ppm\"",
		  "/hosts/0/sockets/0/crystal_wander", "\"2000ppm\"",
		  "expected an offset from -1000ppm to +1000ppm, got \"2000ppm\"" },
		{ "\"wander_bound\": \"0.5ppm\"", "\"wander_bound\": \"0ppb\"",
		  "/hosts/0/sockets/0/wander_bound", "\"0ppb\"", "expected a bound above 0ppb, got \"0ppb\"" },
		{ "\"wander_step\": \"100ms\"", "\"wander_step\": \"999us\"",
		  "/hosts/0/sockets/0/wander_step", "\"999us\"", "expected a step of at least 1ms, got 999us" },
		{ "\"crystal_aging\": \"-5ppb\"", "\"crystal_aging\": \"-5ppb/d\"",
		  "/hosts/0/sockets/0/crystal_aging", "\"-5ppb/d\"", "unknown unit \"ppb/d\"" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"2.5%\"", "/hosts/0/sockets/0/ssc/spread",
		  "\"2.5%\"", "expected a spread above 0% and at most 2%, got \"2.5%\"" },
		{ "\"spread\": \"5000ppm\"", "\"spread\": \"0ppm\"", "/hosts/0/sockets/1/ssc/spread",
		  "\"0ppm\"", "expected a spread above 0% and at most 2%, got \"0ppm\"" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"0.5\"", "/hosts/0/sockets/0/ssc/spread", "\"0.5\"",
		  "expected a fraction such as \"0.5%\" (units: %, ppm, ppb), got \"0.5\" (missing unit)" },
		{ "\"spread\": \"0.5%\"", "\"spread\": 0.5", "/hosts/0/sockets/0/ssc/spread", "0.5,",
		  "expected a string such as \"0.5%\" or \"5000ppm\", got the number 0.5" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"0.00001%\"", "/hosts/0/sockets/0/ssc/spread",
		  "\"0.00001%\"", "spread \"0.00001%\" is not a whole number of ppm" },
		{ "\"modulation\": \"33kHz\"", "\"modulation\": \"200kHz\"",
		  "/hosts/0/sockets/0/ssc/modulation", "\"200kHz\"",
		  "expected a frequency from 10kHz to 100kHz, got \"200kHz\"" },
		{ "{ \"mode\": \"center\", \"spread\": \"5000ppm\" }", "{ \"spread\": \"5000ppm\" }",
		  "/hosts/0/sockets/1/ssc/mode", "{ \"spread\": \"5000ppm\" }",
		  "missing required key \"mode\"" },
		{ "\"mode\": \"down\"", "\"mode\": \"up\"", "/hosts/0/sockets/0/ssc/mode", "\"up\"",
		  "expected one of \"down\", \"center\", got \"up\"" },
		{ "\"modulation\": \"33kHz\"", "\"modulation\": \"33kHz\", \"depth\": 1",
		  "/hosts/0/sockets/0/ssc/depth", "\"depth\"",
		  "unknown key \"depth\"; expected one of: mode, spread, modulation" },
		{ "\"ssc\": { \"mode\": \"center\", \"spread\": \"5000ppm\" }", "\"ssc\": true",
		  "/hosts/0/sockets/1/ssc", "true }\n      ]", "expected an object, got true" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": 63", "/hosts/0/sockets/0/hotplug_cpus", "63",
		  "expected at most 62 hotplug CPUs (\"cpus\" is 2, and a socket has at most 64 CPUs), "
		  "got 63" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": 65", "/hosts/0/sockets/0/hotplug_cpus", "65",
		  "expected a CPU count in [0, 64], got 65" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": -1", "/hosts/0/sockets/0/hotplug_cpus", "-1, \"crystal\"",
		  "expected a CPU count in [0, 64], got -1" },
		/* crystal + wander bound + aging + down spread, together past +-10%. */
		{ "\"crystal\": \"+10ppm\"", "\"crystal\": \"+99999.6ppm\"", "/hosts/0/sockets/0/crystal",
		  "\"+99999.6ppm\"", "crystal, wander bound, aging over the run and "
		  "spread together: the crystal's offset could reach 94999099ppb to 100000100ppb; "
		  "expected it to stay within +-100000ppm" },
		{ "\"rdtsc_window\": 40", "\"rdtsc_window\": 1000001", "/hosts/0/tsc_features/rdtsc_window",
		  "1000001", "expected a number of TSC cycles in [0, 1000000], got 1000001" },
		{ "\"bios_sync_residual\": 1000", "\"bios_sync_residual\": \"1000\"",
		  "/hosts/0/tsc_features/bios_sync_residual", "\"1000\"",
		  "expected a number of TSC cycles, got the string \"1000\"" },
		{ "\"bios_sync_residual\": 1000", "\"bios_sync_residual\": 1000000001",
		  "/hosts/0/tsc_features/bios_sync_residual", "1000000001",
		  "expected a number of TSC cycles in [0, 1000000000], got 1000000001" },
		{ "\"apic_timer\": \"25MHz\"", "\"apic_timer\": \"20GHz\"", "/hosts/0/tsc_features/apic_timer",
		  "\"20GHz\"", "expected a frequency from 1MHz to 10GHz, got \"20GHz\"" },
		{ "\"invariant_tsc\": true", "\"invariant\": true", "/hosts/0/tsc_features/advertise/invariant",
		  "\"invariant\"", "unknown key \"invariant\"; expected one of: constant_tsc, nonstop_tsc, "
		  "tsc_known_freq, tsc_reliable, invariant_tsc" },
		{ "\"nonstop_tsc\": false", "\"nonstop_tsc\": 0", "/hosts/0/tsc_features/advertise/nonstop_tsc",
		  "0, \"invariant_tsc\"", "expected true or false, got the number 0" },
		{ "\"arat\": false", "\"art\": false", "/hosts/0/tsc_features/art", "\"art\"",
		  "unknown key \"art\"; expected one of: constant, nonstop, tsc_adjust, arat, rdtsc_window, "
		  "bios_sync_residual, halted_pstate_erratum, nonstop_s3, apic_timer, cpuid_15h, advertise" },
		{ "\"constant\": false", "\"constant\": \"no\"", "/hosts/0/tsc_features/constant", "\"no\"",
		  "expected true or false, got the string \"no\"" },
		{ "\"uptime\": \"1d\", \"sockets\"", "\"uptime\": \"1d\", \"tsc_features\": [], \"sockets\"",
		  "/hosts/1/tsc_features", "[],", "expected an object, got an array" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(metal, &cases[i]);

	/* Aging counts over the whole run: -30000ppm a day for 2 days from -50000ppm. */
	{
		char *longer = edit(metal_min, "\"duration\": \"1s\"", "\"duration\": \"2d\"");
		static const struct error_case c = {
			"\"sockets\": [{\"cpus\": 2}]",
			"\"sockets\": [{\"cpus\": 2, \"crystal\": \"-50000ppm\", \"crystal_aging\": \"-30000ppm\"}]",
			"/hosts/0/sockets/0/crystal_aging", "\"-30000ppm\"", "crystal, wander bound, aging over the "
			"run and spread together: the crystal's offset could reach -110000ppm to -50000ppm",
		};

		expect_error(longer, &c);
		free(longer);
	}
}
