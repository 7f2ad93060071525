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
#define SCN_MAX_HOSTS 1024                /* about 5 KB of scenario and 1 KB of machine each,
					     plus 100 bytes per CPU */
#define SCN_MAX_VMS 4096                  /* "vms": about 5 KB of scenario each, plus its vCPUs */
#define SCN_MAX_TOTAL_VCPUS 65536         /* over all VMs: about 2 KB of machine each */
#define SCN_MAX_SOCKETS 8
#define SCN_MAX_CPUS_PER_SOCKET 64     /* online + hotplug CPUs of one socket */
#define SCN_MAX_HOST_CPUS (SCN_MAX_SOCKETS * SCN_MAX_CPUS_PER_SOCKET)
#define SCN_MAX_VCPUS KVM_MAX_VCPUS_MODELLED  /* per VM: KVM_MAX_VCPUS (kvm_version.h) */
#define SCN_MAX_MIGRATIONS 16
/*
 * Reader groups: each loaded one is a struct scn_reader of about 600 bytes
 * plus its vCPU or CPU list; every reader process (one per vCPU or CPU of
 * a group) costs the machine about 1 KB, so their total is bounded too.
 */
#define SCN_MAX_READERS 65536
#define SCN_MAX_READER_PROCESSES 262144   /* over all groups: about 250 MB of machine */
#define SCN_MAX_MOVES 64
#define SCN_MAX_TSC_WRITES 64
#define SCN_MAX_CLOCK_UPDATES 64
#define SCN_MAX_SCRIPTS 16
#define SCN_MAX_COMMANDS 1024             /* per script */
#define SCN_COMMAND_MAX 96                /* a qtest line: at most 95 characters + NUL */
#define SCN_MAX_IRQ_EVENTS 8              /* per command */
#define SCN_IRQ_EVENT_MAX 24              /* "IRQ lower 23" + NUL fits with room */
#define SCN_MAX_EVENTS 256
#define SCN_MAX_EVENT_CPUS SCN_MAX_HOST_CPUS  /* "all" on the largest host */
#define SCN_MAX_HOST_CHECKS 32
#define SCN_MAX_LESSON_STEPS 16
#define SCN_LESSON_TEXT_MAX 480
#define SCN_MAX_CSTATE 10                 /* C1 .. C10 */
#define SCN_MAX_STALLS 16                 /* with the VM stops, <= TICK_MAX_OUTAGES (tick_delivery.h) */
#define SCN_MAX_TIME_SYNCS 8
#define SCN_MAX_PAUSES 16
#define SCN_MAX_SNAPSHOTS 8
#define SCN_MAX_GUEST_TIMERS 64           /* entries; one timer per vCPU in all */
#define SCN_MAX_PLUGINS 8
#define SCN_PLUGIN_PATH_MAX 1024

/* The parts a plugin may replace (sim/plugin/plugin_parts.h): enum plugin_part. */
#include "sim/plugin/plugin_parts.h"

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

/* When KVM puts PVCLOCK_TSC_STABLE_BIT in the pages. */
enum scn_stable_bit {
	SCN_STABLE_MASTER_CLOCK,          /* "master_clock": KVM's rule, only with the master clock */
	SCN_STABLE_ALWAYS,                /* "always": a hypervisor bug: on every page, regardless */
	SCN_STABLE_BIT_COUNT
};

/* The host clock KVM anchors kvmclock to (sim/kvm/kvm.h enum kvm_clock_base). */
enum scn_kvmclock_base {
	SCN_KVMCLOCK_RAW,                 /* "raw": CLOCK_MONOTONIC_RAW (KVM 5.5 on) */
	SCN_KVMCLOCK_MONO,                /* "mono": NTP-adjusted CLOCK_MONOTONIC (before 5.5) */
	SCN_KVMCLOCK_BASE_COUNT
};

/* What a master clock update does with kvmclock (enum kvm_masterclock_anchor). */
enum scn_masterclock_anchor {
	SCN_ANCHOR_HOST,                  /* "host": re-anchor to the host clock (6.1, 6.12) */
	SCN_ANCHOR_GUEST_TSC,             /* "guest_tsc": keep kvmclock a function of the guest TSC */
	SCN_ANCHOR_COUNT
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

/* Whether and when the VMM calls KVM_KVMCLOCK_CTRL around a pause or a snapshot. */
enum scn_kvmclock_ctrl {
	SCN_KVMCLOCK_CTRL_NEVER,          /* "never" */
	SCN_KVMCLOCK_CTRL_AFTER_PAUSE,    /* "after_pause": once the vCPUs stopped (FC PR #4460) */
	SCN_KVMCLOCK_CTRL_BEFORE_RESUME,  /* "before_resume": just before they run (FC PR #5494, QEMU) */
	SCN_KVMCLOCK_CTRL_COUNT
};

/* What kvmclock does while a paused VM is stopped. */
enum scn_pause_clock {
	SCN_PAUSE_CLOCK_RUN,              /* "run": it runs on (Firecracker: no GET/SET_CLOCK) */
	SCN_PAUSE_CLOCK_FREEZE,           /* "freeze": KVM_GET_CLOCK at stop, SET_CLOCK at resume (QEMU) */
	SCN_PAUSE_CLOCK_COUNT
};

/* The VMM pauses the VM and resumes it on the same host. */
struct scn_pause {
	sim_ps at_ps;                     /* "at", required */
	sim_ps duration_ps;               /* "duration", required, > 0 */
	enum scn_kvmclock_ctrl kvmclock_ctrl; /* "kvmclock_ctrl" */
	enum scn_pause_clock clock;       /* "clock" */
	char path[SCN_PATH_MAX];
};

/*
 * The restore steps a VMM performs on the new VM before it runs, in the
 * order a snapshot's "order" gives: X(ID, "name", what it does).
 */
#define SCN_RESTORE_STEPS(X)                                                                  \
	X(CLOCK, "clock", "KVM_SET_CLOCK")                                                   \
	X(TSC, "tsc", "KVM_SET_MSRS IA32_TSC on every vCPU")                                  \
	X(LAPIC, "lapic", "KVM_SET_LAPIC: the LVT timer mode; a count-down timer restarts") \
	X(TSC_DEADLINE, "tsc_deadline", "KVM_SET_MSRS IA32_TSC_DEADLINE on every vCPU")

enum scn_restore_step {
#define SCN_RESTORE_STEP_ENUM(id, name, what) SCN_RESTORE_##id,
	SCN_RESTORE_STEPS(SCN_RESTORE_STEP_ENUM)
#undef SCN_RESTORE_STEP_ENUM
	SCN_RESTORE_STEP_COUNT
};

/* A deadline that reads 0 at the capture (its interrupt pending, unsaved). */
enum scn_zero_deadline {
	SCN_ZERO_DEADLINE_KEEP,           /* "keep": saved as 0, the interrupt lost (F03) */
	SCN_ZERO_DEADLINE_TSC,            /* "tsc": replaced by the vCPU's TSC (Firecracker PR #4618) */
	SCN_ZERO_DEADLINE_COUNT
};

/* Pause, capture the VM's state and memory, and restore it into a new VM later. */
struct scn_snapshot {
	sim_ps at_ps;                     /* "at", required: the VM pauses */
	sim_ps capture_ps;                /* "capture_after": pause to capture */
	sim_ps gap_ps;                    /* "gap", required, > 0: capture to restore */
	bool has_to;                      /* "to": the host the new VM runs on; default the same */
	unsigned to_host;
	unsigned pins[SCN_MAX_VCPUS];     /* as in vm, on the restore's host (its defaults) */
	unsigned norder;                  /* "order": every step exactly once */
	enum scn_restore_step order[SCN_RESTORE_STEP_COUNT];
	enum scn_set_clock clock;         /* "clock": "none"|"freeze"|"realtime" */
	enum scn_tsc_carry tsc;           /* "tsc": "frozen"|"advance" */
	bool has_tsc_shift;               /* "tsc_shift": the new vCPU's TSC before the "tsc" step, */
	int64_t tsc_shift_ps;             /*   relative to what that step writes; default a fresh VM's */
	enum scn_kvmclock_ctrl kvmclock_ctrl; /* "kvmclock_ctrl" */
	enum scn_zero_deadline zero_deadline; /* "zero_deadline" */
	char path[SCN_PATH_MAX];
};

/* A vCPU rescheduled onto another pCPU of its current host. */
struct scn_vcpu_move {
	sim_ps at_ps;                     /* "at" */
	unsigned vcpu;                    /* "vcpu" */
	unsigned pcpu;                    /* "pcpu" */
	char path[SCN_PATH_MAX];
};

/* How the VMM writes a vCPU's TSC. */
enum scn_tsc_write_via {
	SCN_TSC_VIA_MSR,                  /* "msr": KVM_SET_MSRS IA32_TSC (host-initiated) */
	SCN_TSC_VIA_OFFSET,               /* "offset": KVM_SET_DEVICE_ATTR KVM_VCPU_TSC_OFFSET */
	SCN_TSC_VIA_COUNT
};

/*
 * A host-initiated TSC write by the VMM on one vCPU: value = base + delta at
 * the vCPU's TSC rate, where base is "value", or the TSC the vCPU read at
 * "saved_at", or else the TSC it reads at "at".
 */
struct scn_tsc_write {
	sim_ps at_ps;                     /* "at", required */
	unsigned vcpu;                    /* "vcpu", required */
	bool has_value;                   /* "value" given */
	uint64_t value;                   /* "value": cycles */
	bool has_saved_at;                /* "saved_at" given (not with "value") */
	sim_ps saved_at_ps;               /* "saved_at": <= at */
	int64_t delta_ps;                 /* "delta": signed duration */
	enum scn_tsc_write_via via;       /* "via" */
	char path[SCN_PATH_MAX];
};

/* A stall: the VMM process, or some vCPU threads, cannot run; time, devices and kvmclock go on. */
struct scn_stall {
	sim_ps at_ps;                     /* "at", required */
	sim_ps duration_ps;               /* "duration", required, > 0 */
	bool all;                         /* "vcpus": "all" (default): the whole VMM process */
	unsigned nvcpus;                  /* else the vCPUs descheduled, distinct; all: every vCPU */
	unsigned vcpus[SCN_MAX_VCPUS];
	char path[SCN_PATH_MAX];
};

/* A guest agent's time sync (guest-set-time): the guest's tick clock is set to true time. */
struct scn_time_sync {
	sim_ps at_ps;                     /* "at", required; not inside a stall */
	char path[SCN_PATH_MAX];
};

/* A "ticks" reader's tick source: the device whose periodic interrupt the guest counts. */
enum scn_tick_source {
	SCN_TICK_PIT,                     /* "pit": channel 0, mode 2, count LATCH for hz */
	SCN_TICK_RTC,                     /* "rtc": the periodic interrupt, rate from register A */
	SCN_TICK_APIC,                    /* "apic": the local APIC timer, periodic at hz */
	SCN_TICK_SOURCE_COUNT
};

/* What the VMM does with ticks due while the vCPU cannot run (QEMU's LostTickPolicy). */
enum scn_tick_policy {
	SCN_TICK_DISCARD,                 /* "discard" */
	SCN_TICK_DELAY,                   /* "delay" */
	SCN_TICK_MERGE,                   /* "merge" */
	SCN_TICK_SLEW,                    /* "slew" */
	SCN_TICK_POLICY_COUNT
};

/* Which KVM request a clock update posts (arch/x86/kvm/x86.c). */
enum scn_clock_request {
	SCN_REQ_MASTERCLOCK,              /* "masterclock": KVM_REQ_MASTERCLOCK_UPDATE */
	SCN_REQ_GLOBAL,                   /* "global": KVM_REQ_GLOBAL_CLOCK_UPDATE */
	SCN_REQ_VCPU,                     /* "vcpu": KVM_REQ_CLOCK_UPDATE on that vCPU only */
	SCN_REQ_COUNT
};

/* A clock update request posted on a vCPU, once or periodically. */
struct scn_clock_update {
	sim_ps at_ps;                     /* "at", required */
	enum scn_clock_request request;   /* "request", required */
	unsigned vcpu;                    /* "vcpu": default 0 */
	sim_ps every_ps;                  /* "every": 0 = once */
	uint64_t count;                   /* "count" (with every): 0 = until the end of the run */
	sim_ps stagger_ps;                /* "stagger" (masterclock): the k-th vCPU from `vcpu`
					     gets its page from the new pair k x stagger later */
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
	unsigned vm;                      /* "vm": name, index into vms; default the only VM */
	unsigned nvcpus;                  /* "vcpus": [..] or "all"; 0 on a host (on_host) */
	unsigned *vcpus;                  /* nvcpus entries, heap-allocated; NULL on a host */
	bool on_host;                     /* "cpus" given: a bare-metal reader on host `host` */
	unsigned host;                    /* "host": name; default the only host; 0 in a guest */
	unsigned ncpus;                   /* "cpus": [..] or "all" (online at t = 0); 0 in a guest */
	unsigned *cpus;                   /* ncpus entries, heap-allocated; NULL in a guest */
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
	/* kind "ticks" only (other kinds: all 0) */
	enum scn_tick_source tick_source; /* "source": default "pit" */
	unsigned tick_hz;                 /* "hz": default pit and apic 1000, rtc 64 */
	enum scn_tick_policy tick_policy; /* "policy": default pit "delay", rtc and apic "discard" */
	sim_ps inject_interval_ps;        /* "inject_interval": delay's reinjection interval */
	unsigned slew_rate;               /* "slew_rate": slew's catch-up rate, x the tick rate */
	bool nohz;                        /* "timekeeping": "nohz" (true) or "ticks" */
	bool compensate;                  /* "compensate": the guest's own lost-tick compensation */
	bool clocksource_tsc;             /* clock IDs: "clocksource": "kvm-clock" (default) or "tsc" */
	sim_ps wall_clock_every_ps;       /* realtime: "wall_clock": "boot" (0) or "every <duration>" */
	int64_t ntp_freq_ppb;             /* clock IDs: "ntp_freq": the guest NTP's correction, ppb */
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
	SCN_EV_CLOCKSOURCE,               /* "clocksource" */
	SCN_EV_NTP_ADJUST,                /* "ntp_adjust" */
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
	bool to_hpet;                     /* clocksource "to": "hpet" (true) or "tsc" */
	int64_t freq_ppb;                 /* ntp_adjust "freq": the NTP frequency from now on */
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/events/3" */
};

/* The kinds are oracle/hw/host_check_kind.h's list: SCN_HC_FLAG_TRUTH, _TSC_SYNC, _WATCHDOG, _TIMER, ... */
enum scn_host_check_kind {
#define SCN_HC_KIND_ENUM(id, name, unit, scope, stem) SCN_HC_##id,
	HOST_CHECK_KINDS(SCN_HC_KIND_ENUM)
#undef SCN_HC_KIND_ENUM
	SCN_HC_COUNT
};

enum scn_watchdog_cs {
	SCN_WD_HPET,                      /* "hpet" (default) */
	SCN_WD_ACPI_PM,                   /* "acpi_pm" */
	SCN_WD_KVM_CLOCK,                 /* "kvm-clock": the VM's guest watches its TSC */
	SCN_WD_CS_COUNT
};

/* The watchdog's wd-tsc-wd readout limit: whose rule. */
enum scn_wd_readout {
	SCN_WD_READOUT_6_12,              /* "6.12": 2 x watchdog margin + TSC margin (750 us) */
	SCN_WD_READOUT_2025_12,           /* "2025-12": Gleixner's fix, the skew limit (500 us) */
	SCN_WD_READOUT_COUNT
};

enum scn_page_step_measure {
	SCN_PAGE_STEP_STEP,               /* "step": a vCPU's new page against its old one */
	SCN_PAGE_STEP_SPREAD,             /* "spread": the vCPUs' pages against each other */
	SCN_PAGE_STEP_MEASURE_COUNT
};

enum scn_timer_mode {
	SCN_TIMER_ONESHOT,                /* "oneshot" */
	SCN_TIMER_PERIODIC,               /* "periodic" */
	SCN_TIMER_DEADLINE,               /* "deadline": TSC-deadline mode */
	SCN_TIMER_MODE_COUNT
};

/* clock_consistency "policy": oracle/hw's enum host_check_cc_policy, in its order. */
enum scn_cc_policy {
	SCN_CC_FREEZE,                    /* "freeze" */
	SCN_CC_ADVANCE,                   /* "advance" */
	SCN_CC_REALTIME,                  /* "realtime" */
	SCN_CC_POLICY_COUNT
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
	unsigned host;                    /* "host": name; default the only host (or where
					     the check's VM starts) */
	unsigned vm;                      /* "vm": name; default the only VM */
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
		bool demote;              /* "demote": the host acts on a demotion (tsc -> hpet) */
		enum scn_wd_readout readout_limit; /* "readout_limit" */
	} watchdog;
	struct {
		unsigned reader;          /* "reader": index of a reader of kind "ticks", required */
		sim_ps tolerance_ps;      /* "tolerance": 0 = one tick period of the reader's source */
	} tick_count;
	struct {
		unsigned cpu;             /* "cpu", required, online at arm_at_ps */
		enum scn_timer_mode mode; /* "mode", required */
		sim_ps arm_at_ps;         /* "arm_at" */
		sim_ps delay_ps;          /* "delay", required, > 0: until due; periodic: the period */
		uint64_t count;           /* "count" (periodic): fires to check; 0 = all in the run */
		sim_ps slack_ps;          /* "slack" */
	} timer;
	struct {
		int64_t threshold_ps;     /* "threshold": >= 0 */
	} stable_bit;
	struct {
		uint64_t threshold_cycles; /* "threshold": cycles */
	} tsc_write;
	struct {
		unsigned monotonic, realtime; /* "monotonic", "realtime": reader names, required */
		bool has_boottime;        /* "boottime": a reader name, optional */
		unsigned boottime;
		enum scn_cc_policy policy; /* "policy", required */
		sim_ps tolerance_ps;      /* "tolerance" */
	} clock_consistency;
	struct {
		enum scn_page_step_measure measure; /* "measure" */
		sim_ps threshold_ps;      /* "threshold": largest |step| (or spread) that holds */
	} page_step;
	struct {
		sim_ps slack_ps;          /* "slack" */
		sim_ps silent_max_ps;     /* "silent_max", > 0 */
	} timer_live;
	struct {
		sim_ps threshold_ps;      /* "threshold", > 0 */
		sim_ps soft_lockup_ps;    /* "soft_lockup", > 0 */
	} disc_signal;
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

/* An HPET timer's "route": sim/guest/hpet_timers.h's enum hpet_timer_route, in its order. */
enum scn_hpet_route {
	SCN_HPET_ROUTE_IOAPIC,            /* "ioapic" */
	SCN_HPET_ROUTE_LEGACY,            /* "legacy" */
	SCN_HPET_ROUTE_FSB,               /* "fsb" */
	SCN_HPET_ROUTE_FSB_OR_IOAPIC,     /* "fsb_or_ioapic" */
	SCN_HPET_ROUTE_COUNT
};

/* A guest's APIC timer on some vCPUs (sim/guest/timers.h). */
struct scn_guest_timer {
	unsigned nvcpus;                  /* "vcpus": [..] or "all", required */
	unsigned vcpus[SCN_MAX_VCPUS];
	enum scn_timer_mode mode;         /* "mode", required */
	sim_ps period_ps;                 /* "period", required, > 0: delay or period */
	sim_ps start_ps;                  /* "start": first armed */
	/* "device": "hpet": an HPET comparator (sim/guest/hpet_timers.h) instead of the APIC's */
	bool hpet;
	unsigned hpet_timer;              /* "timer": the comparator; default 0 */
	enum scn_hpet_route hpet_route;   /* "route": default "ioapic" */
	bool hpet_check;                  /* "check": "linux" (default, true) or "none" */
	sim_ps hpet_preempt_ps;           /* "preempt": read-to-write preemption; default 0 */
	unsigned hpet_preempt_every;      /* "preempt_every": of the armings; default 1 */
	char path[SCN_PATH_MAX];
};

struct scn_vm {
	char name[SCN_NAME_MAX];          /* "name": required in "vms"; "vm" for the one "vm" */
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
	/* Hypervisor bug knobs (docs/failures.md, "TSC writes, synchronisation and the stable bit"). */
	enum scn_stable_bit stable_bit;   /* "stable_bit": when pages carry PVCLOCK_TSC_STABLE_BIT */
	unsigned stale_page_vcpu;         /* "stale_page_vcpu": the vCPU whose page lags */
	sim_ps stale_page_behind_ps;      /* "stale_page_behind": by how much; 0: no lag */
	bool host_tsc_scaling;            /* "host_tsc_scaling": the CPUs can scale the TSC */
	uint64_t tsc_khz;                 /* "tsc_khz": KVM_SET_TSC_KHZ at creation; 0 = host's */
	enum scn_kvmclock_base kvmclock_base;         /* "kvmclock_base" */
	enum scn_masterclock_anchor masterclock_anchor; /* "masterclock_anchor" */
	sim_ps clock_update_delay_ps;     /* "clock_update_delay": KVMCLOCK_UPDATE_DELAY */
	bool board_vm;                    /* "board": "vm" (the board stops with the VM) or "host" */
	/*
	 * The VM's lists of VMM actions (vm_lists in load_vm.c): heap arrays of
	 * exactly n entries, NULL when empty; freed by scenario_destroy().
	 */
	unsigned nmigrations;             /* sorted by at, non-overlapping */
	struct scn_migration *migrations;
	unsigned nmoves;
	struct scn_vcpu_move *moves;
	unsigned ntsc_writes;             /* sorted by at */
	struct scn_tsc_write *tsc_writes;
	unsigned nstalls;                 /* sorted by at, disjoint, outside migrations' downtime */
	struct scn_stall *stalls;
	unsigned ntime_syncs;             /* sorted by at */
	struct scn_time_sync *time_syncs;
	unsigned nclock_updates;
	struct scn_clock_update *clock_updates;
	unsigned npauses;                 /* sorted by at, non-overlapping */
	struct scn_pause *pauses;
	unsigned nsnapshots;              /* sorted by at, non-overlapping */
	struct scn_snapshot *snapshots;
	unsigned nguest_timers;
	struct scn_guest_timer *guest_timers;
	char path[SCN_PATH_MAX];          /* JSON pointer of this VM: "/vm" or "/vms/2" */
};


/* "plugins": one shared object whose parts stand in for sim's (docs/plugins.md). */
struct scn_plugin {
	char given[SCN_PLUGIN_PATH_MAX];  /* "path" as written */
	char path[SCN_PLUGIN_PATH_MAX];   /* resolved against the scenario file's folder */
	unsigned part;                    /* "replaces": enum plugin_part, or PLUGIN_PART_ALL */
	char json_path[SCN_PATH_MAX];     /* "/plugins/0", or "--plugin" from the command line */
};

/*
 * A step of the scenario's lesson (`sim viz --lesson`, docs/visualizer.md):
 * playback stops at at_ps, shows say and asks ask; reveal comes after the
 * student's answer.  Only the visualizer reads it: a run is the same with or
 * without a lesson.
 */
struct scn_lesson_step {
	sim_ps at_ps;                     /* "at", required; sorted, before the end of the run */
	char say[SCN_LESSON_TEXT_MAX];    /* "say", required: what to look at */
	char ask[SCN_LESSON_TEXT_MAX];    /* "ask": a question, before revealing */
	char reveal[SCN_LESSON_TEXT_MAX]; /* "reveal": the answer */
	char path[SCN_PATH_MAX];          /* JSON pointer, e.g. "/lesson/2" */
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
	unsigned nhosts;                  /* 0 without hosts */
	struct scn_host *hosts;           /* nhosts entries, heap-allocated (NULL without hosts) */
	unsigned nvms;                    /* "vm" (1) or "vms"; 0 without a VM */
	struct scn_vm *vms;               /* nvms entries, heap-allocated (NULL when none) */
	unsigned nreaders;                /* 0..16; 0 without hosts */
	struct scn_reader *readers;       /* nreaders entries, heap-allocated (NULL when none) */
	unsigned nscripts;                /* 0..16 */
	struct scn_script scripts[SCN_MAX_SCRIPTS];
	unsigned nevents;                 /* 0..256; 0 without hosts */
	struct scn_event *events;         /* heap-allocated (NULL when none); sorted by at_ps */
	unsigned nhost_checks;            /* 0..32; 0 without hosts;
					     nreaders + nscripts + nhost_checks >= 1 */
	struct scn_host_check host_checks[SCN_MAX_HOST_CHECKS];
	unsigned nplugins;                /* 0..8: "plugins", then `sim run --plugin` */
	struct scn_plugin plugins[SCN_MAX_PLUGINS];
	unsigned nlesson;                 /* "lesson": teaching steps for `sim viz --lesson` */
	struct scn_lesson_step lesson[SCN_MAX_LESSON_STEPS];
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

/*
 * `sim run --plugin PATH[:PART]`: one more entry of s->plugins, PATH as given
 * (relative to the working folder), PART a name of plugin_parts.h or "all"
 * (the default).  False with err (no file, no position) when the spec, the
 * count or the part does not fit the scenario.
 */
bool scenario_add_plugin(struct scenario *s, const char *spec, struct sim_diag *err);

/*
 * The parsing and the error words scenario_add_plugin and `sim qtest
 * --plugin` share: spec PATH[:PART] into *p (PATH resolved against the
 * working folder, json_path "--plugin").  no_vm names what has no VM ("the
 * scenario", "sim qtest"), NULL when there is one: without one, a part that
 * needs a VM is refused.  False with err when spec does not fit.
 */
bool scn_plugin_from_spec(struct scn_plugin *p, const char *spec, const char *no_vm,
			  struct sim_diag *err);

/* Whether part (enum plugin_part) stands in for something of the VM: a pvclock part. */
bool scn_plugin_part_needs_vm(unsigned part);

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
