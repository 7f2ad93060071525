/*
 * A scenario as plain data: what scenario_load() makes of a JSON file, and
 * what the machine is built from.  Nothing past the loader sees JSON.  The
 * format is documented key by key in docs/scenario-format.md.
 *
 * Each value that came from the file keeps its JSON pointer (the *_path
 * fields) so that later stages can still name it in an error.
 *
 * Defaults and limits are not repeated here: each key's row in the loader's
 * field tables (sim/scenario/load_*.c) holds them, in the file's own syntax,
 * and docs/scenario-format.md shows the same (tests/test_scenario_schema.c).
 */
#ifndef SIM_SCENARIO_SCENARIO_H
#define SIM_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oracle/hw/host_check_kind.h"
#include "oracle/oracle.h"
#include "sim/guest/reader_kind.h"
#include "sim/kvm/kvm_version.h"
#include "sim/core/diag.h"
#include "sim/core/simtime.h"

#define SCN_NAME_MAX 32
#define SCN_PATH_MAX 96
#define SCN_MAX_HOSTS 8
#define SCN_MAX_SOCKETS 8
#define SCN_MAX_CPUS_PER_SOCKET 64     /* online + hotplug CPUs of one socket */
#define SCN_MAX_HOST_CPUS (SCN_MAX_SOCKETS * SCN_MAX_CPUS_PER_SOCKET)
#define SCN_MAX_VCPUS 64
#define SCN_MAX_MIGRATIONS 16
#define SCN_MAX_READERS 16
#define SCN_MAX_MOVES 64
#define SCN_MAX_SCRIPTS 16
#define SCN_MAX_COMMANDS 1024             /* per script */
#define SCN_COMMAND_MAX 96                /* a qtest line: at most 95 characters + NUL */
#define SCN_MAX_IRQ_EVENTS 8              /* per command */
#define SCN_IRQ_EVENT_MAX 24              /* "IRQ lower 23" + NUL fits with room */
#define SCN_MAX_EVENTS 256
#define SCN_MAX_EVENT_CPUS SCN_MAX_HOST_CPUS  /* "all" on the largest host */
#define SCN_MAX_HOST_CHECKS 32
#define SCN_MAX_CSTATE 10                 /* C1 .. C10 */

/* The board's timer devices, as indices of the per-device tables: the board's own list. */
#include "sim/devices/board_devices.h"

enum scn_device {
#define SCN_DEVICE_ENUM(id, stem) SCN_DEV_##id = BOARD_DEV_##id,
	BOARD_DEVICES(SCN_DEVICE_ENUM)
#undef SCN_DEVICE_ENUM
	SCN_DEV_COUNT = BOARD_DEV_COUNT
};

struct scn_hpet {
	struct sim_freq frequency;        /* "frequency": 1MHz..1GHz */
	unsigned timers;                  /* "timers": 3..32 */
	unsigned counter_bits;            /* "counter_bits": 32 or 64 */
};

struct scn_pmtimer {
	unsigned port;                    /* "port": 0..0xfffc */
	unsigned bits;                    /* "bits": 24 or 32 */
};

struct scn_rtc {
	uint64_t base_ns;                 /* "base": UTC in ns since 1970; default utc_start_ns */
};

/* "platform": the board's timer devices.  Every field holds its default when absent. */
struct scn_platform {
	struct scn_hpet hpet;             /* "hpet" */
	struct scn_pmtimer pmtimer;       /* "pmtimer" */
	struct scn_rtc rtc;               /* "rtc" */
	/* "access_cost": simulated duration of one guest access (a VM exit), by device */
	bool has_cost[SCN_DEV_COUNT];     /* false: the board's default, decided by the machine */
	sim_ps cost_ps[SCN_DEV_COUNT];    /* 0 when !has_cost */
	bool present[SCN_DEV_COUNT];      /* "devices": {"pit": false, ...}; default every device */
	unsigned float_byte;              /* "floating": what an absent device's address reads */
};

enum scn_ssc_mode {
	SCN_SSC_DOWN,                     /* "down": the clock swings from nominal down to -spread */
	SCN_SSC_CENTER,                   /* "center": from -spread/2 to +spread/2 */
	SCN_SSC_MODE_COUNT
};

/* "ssc": spread-spectrum clocking of the socket's reference clock. */
struct scn_ssc {
	bool enabled;                     /* "ssc" given; the other fields are 0 when not */
	enum scn_ssc_mode mode;           /* "mode", required */
	uint32_t spread_ppm;              /* "spread": "0.5%" or "5000ppm", whole ppm, required;
					     0 < spread <= 2% (20000) */
	struct sim_freq modulation;       /* "modulation": 10kHz..100kHz */
};

struct scn_socket {
	int64_t crystal_ppb;              /* "crystal": "+20ppm" */
	unsigned ncpus;                   /* "cpus": 1..64, required: online at t = 0 */
	int64_t tsc_offset_ps;            /* "tsc_offset": "20us" (signed) */
	bool has_cpu_tsc_offsets;         /* "cpu_tsc_offsets": [...], exactly ncpus entries */
	int64_t cpu_tsc_offset_ps[SCN_MAX_CPUS_PER_SOCKET];
	int64_t wander_ppb;               /* "crystal_wander": ppb per sqrt(s), >= 0 */
	int64_t wander_bound_ppb;         /* "wander_bound": > 0 */
	sim_ps wander_step_ps;            /* "wander_step": >= 1ms */
	int64_t aging_ppb_per_day;        /* "crystal_aging": signed */
	struct scn_ssc ssc;               /* "ssc" */
	unsigned hotplug_cpus;            /* "hotplug_cpus": 0..64, ncpus + hotplug_cpus <= 64;
					     present but offline at t = 0 */
	unsigned first_cpu;               /* host CPU index of this socket's CPU 0 (derived) */
};

/* A boolean key that may be absent: SCN_UNSET leaves the choice to the model. */
enum scn_tristate {
	SCN_UNSET,                        /* absent (0, so a zeroed struct is unset) */
	SCN_FALSE,
	SCN_TRUE,
};

/* The TSC properties that firmware or a hypervisor may advertise (CPUID flags). */
enum scn_tsc_flag {
	SCN_FLAG_CONSTANT_TSC,            /* "constant_tsc" */
	SCN_FLAG_NONSTOP_TSC,             /* "nonstop_tsc" */
	SCN_FLAG_TSC_KNOWN_FREQ,          /* "tsc_known_freq" */
	SCN_FLAG_TSC_RELIABLE,            /* "tsc_reliable" */
	SCN_FLAG_INVARIANT_TSC,           /* "invariant_tsc" */
	SCN_TSC_FLAG_COUNT
};

/* A host's "tsc_features": how its TSC and APIC timer really behave. */
struct scn_tsc_features {
	bool constant;                    /* "constant": rate independent of P-states */
	bool nonstop;                     /* "nonstop": keeps counting in deep C-states */
	bool tsc_adjust;                  /* "tsc_adjust": IA32_TSC_ADJUST exists */
	bool arat;                        /* "arat": APIC timer runs in deep C-states */
	uint32_t rdtsc_window_cycles;     /* "rdtsc_window": 0..1000000 */
	uint32_t bios_sync_residual_cycles; /* "bios_sync_residual": 0..1000000000 */
	bool halted_pstate_erratum;       /* "halted_pstate_erratum" */
	bool nonstop_s3;                  /* "nonstop_s3": the TSCs keep counting in S3
					     (X86_FEATURE_NONSTOP_TSC_S3); else reset */
	struct sim_freq apic_timer;       /* "apic_timer": 1MHz..10GHz */
	enum scn_tristate cpuid_15h;      /* "cpuid_15h": TSC frequency in CPUID 15H/16H; unset:
					     the machine decides by vendor (intel yes, amd no) */
	enum scn_tristate advertise[SCN_TSC_FLAG_COUNT]; /* "advertise": unset = derived from the
					     model, else advertised clear or set */
};

enum scn_clocksource {
	SCN_CS_AUTO,                      /* TSC if the TSCs are synchronised, else HPET */
	SCN_CS_TSC,
	SCN_CS_HPET,
	SCN_CLOCKSOURCE_COUNT
};

struct scn_host {
	char name[SCN_NAME_MAX];          /* "name", required, unique */
	struct sim_freq tsc;              /* "tsc": "3GHz", required */
	uint64_t uptime_ns;               /* "uptime": "10d", required */
	int64_t realtime_error_ns;        /* "realtime_error": "-2ms" */
	uint64_t tsc_khz;                 /* "tsc_khz": integer; 0 = calibrated from the TSC */
	enum scn_clocksource clocksource; /* "clocksource": "auto"|"tsc"|"hpet" */
	struct sim_freq hpet;             /* "hpet" */
	int64_t hpet_crystal_ppb;         /* "hpet_crystal" */
	bool svm;                         /* "vendor": "intel"|"amd" */
	unsigned nsockets;                /* "sockets": [...], 1..8 */
	struct scn_socket sockets[SCN_MAX_SOCKETS];
	struct scn_tsc_features features; /* "tsc_features": defaults filled in */
	unsigned ncpus;                   /* derived: all CPUs, online and hotplug */
	unsigned ncpus_online;            /* derived: CPUs online at t = 0 */
	char path[SCN_PATH_MAX];          /* JSON pointer of this host, e.g. "/hosts/1" */
};

struct scn_vm {
	unsigned nvcpus;                  /* "vcpus": 1..64, required */
	unsigned host;                    /* "host": name, index into hosts; required */
	bool has_pins;                    /* "pins": [pCPU per vCPU]; default vCPU i -> the
					     (i mod ncpus_online)-th CPU online at t = 0 */
	unsigned pins[SCN_MAX_VCPUS];
	uint64_t uptime_ns;               /* "uptime": guest kvmclock at t = 0 */
	bool stable_bit_cpuid;            /* "stable_bit_cpuid" */
	sim_ps entry_latency_ps;          /* "entry_latency" */
	sim_ps sync_period_ps;            /* "kvmclock_sync_period" */
	enum kvm_version kvm_version;     /* "kvm_version": whose behaviour KVM models */
	bool board_vm;                    /* "board": "vm" (the board stops with the VM) or "host" */
};

enum scn_set_clock {
	SCN_SET_CLOCK_NONE,               /* the destination keeps the source's kvmclock offset */
	SCN_SET_CLOCK_CLOCK,              /* KVM_SET_CLOCK with the clock only */
	SCN_SET_CLOCK_REALTIME,           /* KVM_SET_CLOCK passing KVM_CLOCK_REALTIME when GET gave it */
	SCN_SET_CLOCK_COUNT
};

enum scn_tsc_carry {
	SCN_TSC_FROZEN,                   /* write the TSC saved at stop (QEMU): stands still in downtime */
	SCN_TSC_ADVANCE,                  /* advance it by the realtime elapsed (KVM_VCPU_TSC_OFFSET recipe) */
	SCN_TSC_CARRY_COUNT
};

struct scn_migration {
	sim_ps at_ps;                     /* "at", required */
	sim_ps downtime_ps;               /* "downtime", required */
	unsigned to_host;                 /* "to": host name, required, not the current host */
	bool has_pins;                    /* "pins": as in vm */
	unsigned pins[SCN_MAX_VCPUS];
	enum scn_set_clock set_clock;     /* "set_clock": "realtime"|"clock"|"none" */
	bool tsc_scaling;                 /* "tsc_scaling": keep the guest's TSC rate */
	enum scn_tsc_carry tsc_carry;     /* "tsc_carry": "frozen"|"advance" */
	char path[SCN_PATH_MAX];
};

/* A vCPU rescheduled onto another pCPU of its current host. */
struct scn_vcpu_move {
	sim_ps at_ps;                     /* "at" */
	unsigned vcpu;                    /* "vcpu" */
	unsigned pcpu;                    /* "pcpu" */
	char path[SCN_PATH_MAX];
};

/* Which instruction a tsc or rdtsc reader reads the TSC with. */
enum scn_rdtsc_kind {
	SCN_RDTSC_RDTSCP,                 /* "rdtscp" (default): ordered after earlier instructions */
	SCN_RDTSC_LFENCE,                 /* "lfence": LFENCE; RDTSC, ordered likewise */
	SCN_RDTSC_PLAIN,                  /* "rdtsc": not serialised: may sample a nearby instant */
	SCN_RDTSC_KIND_COUNT
};

struct scn_reader {
	char name[SCN_NAME_MAX];          /* "name", required, unique */
	enum reader_kind kind;        /* "kind", required */
	unsigned nvcpus;                  /* "vcpus": [..] or "all"; 0 on a host (on_host) */
	unsigned vcpus[SCN_MAX_VCPUS];
	bool on_host;                     /* "cpus" given: a bare-metal reader on host `host` */
	unsigned host;                    /* "host": name; default the only host; 0 in a guest */
	unsigned ncpus;                   /* "cpus": [..] or "all" (online at t = 0); 0 in a guest */
	unsigned cpus[SCN_MAX_HOST_CPUS];
	sim_ps migrate_every_ps;          /* "migrate_every" (on a host): 0 = one reader per CPU;
					     else ONE reader hopping along cpus[] */
	enum scn_rdtsc_kind rdtsc;        /* "rdtsc" (tsc and rdtsc kinds) */
	sim_ps period_ps;                 /* "period", required, > 0 */
	sim_ps jitter_ps;                 /* "jitter": < period */
	bool has_phase;                   /* "phase" given: the first period starts at phase_ps */
	sim_ps phase_ps;                  /* "phase": < period; absent: drawn from the reader's
					     own PRNG stream (seeded by the scenario's seed) */
	sim_ps cost_ps;                   /* "cost": one read's duration; default by kind;
					     hpet/pmtimer: 0 = the device's access cost */
	uint64_t tsc_khz;                 /* "tsc_khz" (tsc kind): default from the pvclock page at boot */
	unsigned width_bits;              /* hpet: "width" 32 (readl, default) or 64 (readq);
					     pmtimer: platform.pmtimer.bits; other kinds: 0 */
	bool wrap_extend;                 /* hpet/pmtimer: "wrap": "extend" (default, true) or "none";
					     other kinds: false */
	struct oracle_check_config checks[ORACLE_CHECK_COUNT]; /* "checks": {...} */
	char path[SCN_PATH_MAX];
};

/* One qtest command of a device script, and what it must produce. */
struct scn_command {
	char line[SCN_COMMAND_MAX];       /* the string, or "do": 1..95 printable ASCII characters */
	bool has_expect;                  /* "expect": the value the command must return */
	uint64_t expect;
	bool expect_hex;                  /* "expect" was written "0x...": reports use that radix */
	unsigned nirqs;                   /* "irqs": the exact interrupt events, in order */
	char irqs[SCN_MAX_IRQ_EVENTS][SCN_IRQ_EVENT_MAX]; /* "IRQ raise 0", "IRQ lower 8" */
	bool has_irqs;                    /* "irqs" given (possibly empty: no interrupt at all) */
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/scripts/0/commands/3" */
};

/* A device script in qtest's command language, run on the board. */
struct scn_script {
	char name[SCN_NAME_MAX];          /* "name", required, unique among scripts */
	sim_ps at_ps;                     /* "at": < duration */
	enum oracle_expect expect;        /* "expect", required: whether every expectation holds */
	unsigned ncommands;               /* "commands": 1..1024 */
	struct scn_command *commands;     /* heap-allocated; freed by scenario_destroy() */
	char path[SCN_PATH_MAX];
};

enum scn_event_type {
	SCN_EV_CSTATE,                    /* "cstate" */
	SCN_EV_CSTATE_PATTERN,            /* "cstate_pattern" */
	SCN_EV_PSTATE,                    /* "pstate" */
	SCN_EV_THROTTLE,                  /* "throttle" */
	SCN_EV_TEMPERATURE,               /* "temperature" */
	SCN_EV_HOTPLUG,                   /* "hotplug" */
	SCN_EV_TSC_WRITE,                 /* "tsc_write" */
	SCN_EV_TSC_ADJUST_WRITE,          /* "tsc_adjust_write" */
	SCN_EV_SUSPEND,                   /* "suspend" */
	SCN_EV_READER_MIGRATE,            /* "reader_migrate" */
	SCN_EV_COUNT
};

/*
 * A host event.  Only the fields of its type are set; the others are 0.
 * CPU indices are host CPU indices (see docs/scenario-format.md, CPU numbering).
 */
struct scn_event {
	enum scn_event_type type;         /* "type", required */
	sim_ps at_ps;                     /* "at", required; < duration; sorted non-decreasing */
	unsigned host;                    /* "host": name; default the only host (reader_migrate:
					     the reader's host) */
	unsigned ncpus;                   /* "cpus" (cstate, cstate_pattern, pstate, throttle):
					     distinct CPUs online at at_ps, in file order */
	unsigned cpus[SCN_MAX_EVENT_CPUS];
	unsigned cstate;                  /* "state": 1..10 for C1..C10 (cstate, cstate_pattern) */
	sim_ps duration_ps;               /* "duration" > 0 (cstate, throttle, suspend) */
	sim_ps until_ps;                  /* cstate_pattern "until": at < until <= run duration */
	sim_ps residency_ps;              /* cstate_pattern "residency": mean time in the C-state */
	sim_ps busy_ps;                   /* cstate_pattern "busy": mean busy time between */
	struct sim_freq frequency;        /* pstate "frequency": the core clock from now on */
	uint32_t duty_ppm;                /* throttle "duty": running fraction, 10000..1000000 */
	unsigned socket;                  /* temperature "socket": socket index of the host */
	int64_t step_ppb;                 /* temperature "step": crystal frequency step, signed */
	unsigned cpu;                     /* "cpu" (hotplug, tsc_write, tsc_adjust_write,
					     reader_migrate) */
	uint64_t value;                   /* hotplug "tsc" (default 0), tsc_write "value" */
	bool has_value;                   /* hotplug: "tsc" given; tsc_write: always */
	bool low32;                       /* tsc_write "low32": write low 32 bits, clear the upper */
	int64_t adjust;                   /* tsc_adjust_write "value", suspend "firmware_tsc_adjust" */
	bool has_adjust;                  /* tsc_adjust_write: always; suspend: key given */
	bool s4;                          /* suspend "kind": "S4" (true) or "S3" (false) */
	unsigned reader;                  /* reader_migrate "reader": index into readers */
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/events/3" */
};

/* The kinds are oracle/hw/host_check_kind.h's list: SCN_HC_FLAG_TRUTH, _TSC_SYNC, _WATCHDOG, _TIMER. */
enum scn_host_check_kind {
#define SCN_HC_KIND_ENUM(id, name, unit, stem) SCN_HC_##id,
	HOST_CHECK_KINDS(SCN_HC_KIND_ENUM)
#undef SCN_HC_KIND_ENUM
	SCN_HC_COUNT
};

enum scn_watchdog_cs {
	SCN_WD_HPET,                      /* "hpet" (default) */
	SCN_WD_ACPI_PM,                   /* "acpi_pm" */
	SCN_WD_CS_COUNT
};

enum scn_timer_mode {
	SCN_TIMER_ONESHOT,                /* "oneshot" */
	SCN_TIMER_PERIODIC,               /* "periodic" */
	SCN_TIMER_DEADLINE,               /* "deadline": TSC-deadline mode */
	SCN_TIMER_MODE_COUNT
};

enum scn_cal_method {
	SCN_CAL_PIT_QUICK,                /* "pit_quick" */
	SCN_CAL_PIT_SLOW,                 /* "pit_slow" */
	SCN_CAL_CPUID,                    /* "cpuid" */
	SCN_CAL_PVCLOCK,                  /* "pvclock" */
	SCN_CAL_PIT_REFINED,              /* "pit_refined" */
	SCN_CAL_METHOD_COUNT
};

enum scn_date_source {
	SCN_DATE_CMOS,                    /* "cmos" */
	SCN_DATE_KVM_WALL_CLOCK,          /* "kvm_wall_clock" */
	SCN_DATE_SOURCE_COUNT
};

/* A check on the hardware model of one host.  Only the sub-struct of its kind is set. */
struct scn_host_check {
	char name[SCN_NAME_MAX];          /* "name": unique; default "<check>-<index>" */
	enum scn_host_check_kind kind;    /* "check", required */
	unsigned host;                    /* "host": name; default the only host */
	enum oracle_expect expect;        /* "expect", required */
	bool has_worst_min, has_worst_max; /* "worst": {"min", "max"} */
	int64_t worst_min, worst_max;     /* ppb (flag_truth), cycles (tsc_sync), ps (watchdog, timer) */
	struct {
		int64_t threshold_ppb;    /* "threshold": >= 0 */
		uint32_t flags;           /* "flags": bit (1 << enum scn_tsc_flag); default all */
	} flag_truth;
	struct {
		unsigned source, target;  /* "cpus": [source, target], distinct, online at at_ps */
		sim_ps at_ps;             /* "at": < duration */
	} tsc_sync;
	struct {
		enum scn_watchdog_cs clocksource; /* "clocksource" */
		unsigned delay_every;     /* "delay_every": n >= 1; 0 = no delayed reads */
		sim_ps delay_ps;          /* "delay": given with delay_every; > 0 */
		enum scn_tristate false_positive; /* "false_positive": unset = not checked */
	} watchdog;
	struct {
		unsigned cpu;             /* "cpu", required, online at arm_at_ps */
		enum scn_timer_mode mode; /* "mode", required */
		sim_ps arm_at_ps;         /* "arm_at" */
		sim_ps delay_ps;          /* "delay", required, > 0: until due; periodic: the period */
		uint64_t count;           /* "count" (periodic): fires to check; 0 = all in the run */
		sim_ps slack_ps;          /* "slack" */
	} timer;
	struct {
		enum scn_cal_method method; /* "method", required */
		sim_ps at_ps;             /* "at": < duration */
		unsigned vcpu;            /* "vcpu": a vCPU of the VM (a CPU of the host without one) */
		sim_ps jitter_ps;         /* "jitter": extra cost of each port access, uniform */
		int64_t threshold_ppb;    /* "threshold": >= 0 */
	} tsc_calibration;
	struct {
		enum scn_date_source source; /* "source" */
		sim_ps at_ps;             /* "at": < duration */
		sim_ps threshold_ps;      /* "threshold" */
	} cmos_date;
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/host_checks/0" */
};

struct scenario {
	char file[256];                   /* as given on the command line */
	char name[64];                    /* "name", required */
	char description[1024];           /* "description" */
	uint64_t seed;                    /* "seed": --seed overrides */
	sim_ps duration_ps;               /* "duration", required, > 0 */
	uint64_t utc_start_ns;            /* "utc_start": ns since 1970 */
	struct scn_platform platform;     /* "platform": defaults filled in */
	bool has_hosts;                   /* "hosts" given (with or without a VM) */
	bool has_vm;                      /* "vm" given (it needs "hosts") */
	unsigned nhosts;                  /* 0 without hosts */
	struct scn_host hosts[SCN_MAX_HOSTS];
	struct scn_vm vm;                 /* all zero without a VM */
	unsigned nmigrations;             /* sorted by at, non-overlapping */
	struct scn_migration migrations[SCN_MAX_MIGRATIONS];
	unsigned nmoves;
	struct scn_vcpu_move moves[SCN_MAX_MOVES];
	unsigned nreaders;                /* 0..16; 0 without hosts */
	struct scn_reader readers[SCN_MAX_READERS];
	unsigned nscripts;                /* 0..16 */
	struct scn_script scripts[SCN_MAX_SCRIPTS];
	unsigned nevents;                 /* 0..256; 0 without hosts */
	struct scn_event *events;         /* heap-allocated (NULL when none); sorted by at_ps */
	unsigned nhost_checks;            /* 0..32; 0 without hosts;
					     nreaders + nscripts + nhost_checks >= 1 */
	struct scn_host_check host_checks[SCN_MAX_HOST_CHECKS];
	char *source;                     /* the JSON text, NUL-terminated; owned */
	size_t source_len;                /* without the NUL */
};

/*
 * Reads and validates a scenario file.  Returns a heap-allocated scenario, or
 * NULL with err naming the file, the line:column or JSON pointer, and what
 * was expected.  Nothing is partially applied.
 */
struct scenario *scenario_load(const char *file, struct sim_diag *err);

/* The same, from a buffer (file is the name used in errors). */
struct scenario *scenario_parse(const char *file, const char *buf, size_t len,
				struct sim_diag *err);

/*
 * The same, reporting every error in the file (up to SIM_DIAG_LIST_MAX, then
 * list->suppressed) into list, each with its position; err still gets the
 * first.  A section that depends on a bad one is not checked (an event on a
 * bad reader), so that one mistake is reported once.
 */
struct scenario *scenario_load_all(const char *file, struct sim_diag *err,
				   struct sim_diag_list *list);
struct scenario *scenario_parse_all(const char *file, const char *buf, size_t len,
				    struct sim_diag *err, struct sim_diag_list *list);

/* Frees s, its scripts' commands, its events and its source; accepts NULL. */
void scenario_destroy(struct scenario *s);

/*
 * The 1-based line and byte column in s->source of the value at the JSON
 * pointer path (e.g. a *_path field), so that an error raised after loading
 * can still say file:line:col.  False when there is no such value (an absent
 * key that took its default): then line and col are left alone.
 */
bool scenario_locate(const struct scenario *s, const char *path, unsigned *line, unsigned *col);

#endif
