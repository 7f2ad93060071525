/*
 * A scenario as plain data: what scenario_load() makes of a JSON file, and
 * what the machine is built from.  Nothing past the loader sees JSON.  The
 * format is documented key by key in docs/scenario-format.md.
 *
 * Each value that came from the file keeps its JSON pointer (the *_path
 * fields) so that later stages can still name it in an error.
 */
#ifndef SIM_SCENARIO_SCENARIO_H
#define SIM_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oracle/oracle.h"
#include "sim/core/diag.h"
#include "sim/core/simtime.h"

#define SCN_NAME_MAX 32
#define SCN_PATH_MAX 96
#define SCN_MAX_HOSTS 8
#define SCN_MAX_SOCKETS 8
#define SCN_MAX_CPUS_PER_SOCKET 64
#define SCN_MAX_VCPUS 64
#define SCN_MAX_MIGRATIONS 16
#define SCN_MAX_READERS 16
#define SCN_MAX_MOVES 64
#define SCN_MAX_SCRIPTS 16
#define SCN_MAX_COMMANDS 1024             /* per script */
#define SCN_COMMAND_MAX 96                /* a qtest line: at most 95 characters + NUL */
#define SCN_MAX_IRQ_EVENTS 8              /* per command */
#define SCN_IRQ_EVENT_MAX 24              /* "IRQ lower 23" + NUL fits with room */
#define SCN_DEV_COUNT 4

/* The board's timer devices, as indices of the per-device tables. */
enum scn_device {
	SCN_DEV_PIT,                      /* i8254, ports 0x40-0x43 (and 0x61) */
	SCN_DEV_RTC,                      /* MC146818, ports 0x70-0x71 */
	SCN_DEV_HPET,
	SCN_DEV_PMTIMER,                  /* ACPI PM timer */
};

struct scn_hpet {
	struct sim_freq frequency;        /* "frequency": default "14.31818MHz", 1MHz..1GHz */
	unsigned timers;                  /* "timers": 3..32, default 3 */
	unsigned counter_bits;            /* "counter_bits": 32 or 64, default 64 */
};

struct scn_pmtimer {
	unsigned port;                    /* "port": 0..0xfffc, default 0x608; 4 ports from here */
	unsigned bits;                    /* "bits": 24 or 32, default 24 */
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
};

struct scn_socket {
	int64_t crystal_ppb;              /* "crystal": "+20ppm"; default 0 */
	unsigned ncpus;                   /* "cpus": 1..64, required */
	int64_t tsc_offset_ps;            /* "tsc_offset": "20us" (signed); default 0 */
	bool has_cpu_tsc_offsets;         /* "cpu_tsc_offsets": [...], exactly ncpus entries */
	int64_t cpu_tsc_offset_ps[SCN_MAX_CPUS_PER_SOCKET];
};

enum scn_clocksource {
	SCN_CS_AUTO,                      /* TSC if the TSCs are synchronised, else HPET */
	SCN_CS_TSC,
	SCN_CS_HPET,
};

struct scn_host {
	char name[SCN_NAME_MAX];          /* "name", required, unique */
	struct sim_freq tsc;              /* "tsc": "3GHz", required */
	uint64_t uptime_ns;               /* "uptime": "10d", required */
	int64_t realtime_error_ns;        /* "realtime_error": "-2ms"; default 0 */
	uint64_t tsc_khz;                 /* "tsc_khz": integer; default 0 = calibrated from the TSC */
	enum scn_clocksource clocksource; /* "clocksource": "auto"|"tsc"|"hpet"; default auto */
	struct sim_freq hpet;             /* "hpet": default "14.31818MHz" */
	int64_t hpet_crystal_ppb;         /* "hpet_crystal": default 0 */
	bool svm;                         /* "vendor": "intel"|"amd"; default intel (VMX) */
	unsigned nsockets;                /* "sockets": [...], 1..8 */
	struct scn_socket sockets[SCN_MAX_SOCKETS];
	char path[SCN_PATH_MAX];          /* JSON pointer of this host, e.g. "/hosts/1" */
};

struct scn_vm {
	unsigned nvcpus;                  /* "vcpus": 1..64, required */
	unsigned host;                    /* "host": name, index into hosts; required */
	bool has_pins;                    /* "pins": [pCPU per vCPU]; default vCPU i -> CPU i mod ncpus */
	unsigned pins[SCN_MAX_VCPUS];
	uint64_t uptime_ns;               /* "uptime": guest kvmclock at t = 0; default "0s" */
	bool stable_bit_cpuid;            /* "stable_bit_cpuid": default true */
	sim_ps entry_latency_ps;          /* "entry_latency": default "20us" */
	sim_ps sync_period_ps;            /* "kvmclock_sync_period": default "300s" */
};

enum scn_set_clock {
	SCN_SET_CLOCK_NONE,               /* the destination keeps the source's kvmclock offset */
	SCN_SET_CLOCK_CLOCK,              /* KVM_SET_CLOCK with the clock only */
	SCN_SET_CLOCK_REALTIME,           /* KVM_SET_CLOCK passing KVM_CLOCK_REALTIME when GET gave it */
};

enum scn_tsc_carry {
	SCN_TSC_FROZEN,                   /* write the TSC saved at stop (QEMU): stands still in downtime */
	SCN_TSC_ADVANCE,                  /* advance it by the realtime elapsed (KVM_VCPU_TSC_OFFSET recipe) */
};

struct scn_migration {
	sim_ps at_ps;                     /* "at", required */
	sim_ps downtime_ps;               /* "downtime", required */
	unsigned to_host;                 /* "to": host name, required, not the current host */
	bool has_pins;                    /* "pins": as in vm */
	unsigned pins[SCN_MAX_VCPUS];
	enum scn_set_clock set_clock;     /* "set_clock": "realtime"|"clock"|"none"; default realtime */
	bool tsc_scaling;                 /* "tsc_scaling": keep the guest's TSC rate; default false */
	enum scn_tsc_carry tsc_carry;     /* "tsc_carry": "frozen"|"advance"; default frozen */
	char path[SCN_PATH_MAX];
};

/* A vCPU rescheduled onto another pCPU of its current host. */
struct scn_vcpu_move {
	sim_ps at_ps;                     /* "at" */
	unsigned vcpu;                    /* "vcpu" */
	unsigned pcpu;                    /* "pcpu" */
	char path[SCN_PATH_MAX];
};

enum scn_reader_kind {
	SCN_READER_PVCLOCK,               /* "pvclock": Linux's reader, with the global guard */
	SCN_READER_PVCLOCK_RAW,           /* "pvclock-raw": no guard */
	SCN_READER_TSC,                   /* "tsc": the guest's tsc clocksource */
	SCN_READER_HPET,                  /* "hpet": the HPET main counter, read through MMIO */
	SCN_READER_PMTIMER,               /* "pmtimer": the ACPI PM timer, read through port I/O */
};

struct scn_reader {
	char name[SCN_NAME_MAX];          /* "name", required, unique */
	enum scn_reader_kind kind;        /* "kind", required */
	unsigned nvcpus;                  /* "vcpus": [..] or "all"; required */
	unsigned vcpus[SCN_MAX_VCPUS];
	sim_ps period_ps;                 /* "period", required, > 0 */
	sim_ps jitter_ps;                 /* "jitter": default 0, < period */
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
	unsigned nirqs;                   /* "irqs": the exact interrupt events, in order */
	char irqs[SCN_MAX_IRQ_EVENTS][SCN_IRQ_EVENT_MAX]; /* "IRQ raise 0", "IRQ lower 8" */
	bool has_irqs;                    /* "irqs" given (possibly empty: no interrupt at all) */
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/scripts/0/commands/3" */
};

/* A device script in qtest's command language, run on the board. */
struct scn_script {
	char name[SCN_NAME_MAX];          /* "name", required, unique among scripts */
	sim_ps at_ps;                     /* "at": default 0, < duration */
	enum oracle_expect expect;        /* "expect", required: whether every expectation holds */
	unsigned ncommands;               /* "commands": 1..1024 */
	struct scn_command *commands;     /* heap-allocated; freed by scenario_destroy() */
	char path[SCN_PATH_MAX];
};

struct scenario {
	char file[256];                   /* as given on the command line */
	char name[64];                    /* "name", required */
	char description[1024];           /* "description": default "" */
	uint64_t seed;                    /* "seed": default 1; --seed overrides */
	sim_ps duration_ps;               /* "duration", required, > 0 */
	uint64_t utc_start_ns;            /* "utc_start": ns since 1970; default 1767225600e9 (2026-01-01) */
	struct scn_platform platform;     /* "platform": defaults filled in */
	bool has_vm;                      /* "hosts" and "vm" given (both or neither) */
	unsigned nhosts;                  /* 0 without a VM */
	struct scn_host hosts[SCN_MAX_HOSTS];
	struct scn_vm vm;                 /* all zero without a VM */
	unsigned nmigrations;             /* sorted by at, non-overlapping */
	struct scn_migration migrations[SCN_MAX_MIGRATIONS];
	unsigned nmoves;
	struct scn_vcpu_move moves[SCN_MAX_MOVES];
	unsigned nreaders;                /* 0..16; 0 without a VM */
	struct scn_reader readers[SCN_MAX_READERS];
	unsigned nscripts;                /* 0..16; nreaders + nscripts >= 1 */
	struct scn_script scripts[SCN_MAX_SCRIPTS];
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

/* Frees s, its scripts' commands and its source; accepts NULL. */
void scenario_destroy(struct scenario *s);

/*
 * The 1-based line and byte column in s->source of the value at the JSON
 * pointer path (e.g. a *_path field), so that an error raised after loading
 * can still say file:line:col.  False when there is no such value (an absent
 * key that took its default): then line and col are left alone.
 */
bool scenario_locate(const struct scenario *s, const char *path, unsigned *line, unsigned *col);

#endif
