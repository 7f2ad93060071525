/* The event budget's estimate, one closed form per event source (budget.h). */
#include "sim/machine/budget.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/platform_clocks.h"
#include "sim/devices/hpet.h"
#include "sim/devices/platform.h"
#include "sim/devices/rtc.h"
#include "sim/kvm/kvm.h"
#include "sim/qtest/protocol.h"
#include "sim/vmm/vmm.h"

struct budget_ctx {
	const struct scenario *s;
	struct budget_estimate *e;
	enum budget_source src;
	const struct scn_vm *vm;          /* the VM whose actions are estimated */
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	sim_u128 p = (sim_u128)a * b;

	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

/* Occurrences of something every period_ps over span_ps, counting both ends. */
static uint64_t every(sim_ps span_ps, sim_ps period_ps)
{
	return add_sat(span_ps / (period_ps ? period_ps : 1), 1);
}

/* Occurrences at hz_num / hz_den Hz over span_ps, plus one. */
static uint64_t at_rate(sim_ps span_ps, uint64_t hz_num, uint64_t hz_den)
{
	sim_u128 d = (sim_u128)(hz_den ? hz_den : 1) * SIM_PS_PER_S;
	sim_u128 n = (sim_u128)span_ps * hz_num / d;

	return n >= UINT64_MAX ? UINT64_MAX : (uint64_t)n + 1;
}

static sim_ps span_from(const struct scenario *s, sim_ps at_ps)
{
	return at_ps < s->duration_ps ? s->duration_ps - at_ps : 0;
}

/* One item of the current source: n events, caused by the value at path (+ key). */
static void add(struct budget_ctx *c, const char *path, const char *key, uint64_t n)
{
	struct budget_estimate *e = c->e;

	e->total = add_sat(e->total, n);
	e->by_source[c->src] = add_sat(e->by_source[c->src], n);
	if (n > e->top_events) {
		e->top_events = n;
		e->top_source = c->src;
		char full[4 * SCN_PATH_MAX];
		size_t len;

		/* through a roomy buffer, cut to top_path: gcc -O3 flags a direct snprintf */
		snprintf(full, sizeof(full), "%s%s%s", path, key ? "/" : "", key ? key : "");
		len = strnlen(full, sizeof(e->top_path) - 1);
		memcpy(e->top_path, full, len);
		e->top_path[len] = '\0';
	}
}

/* ---- readers ---- */

/*
 * Events per read, by kind: its start and its end (sim/guest/reader.c); a
 * retry adds one more, which the runtime guard sees.  A new kind without a
 * row here leaves the table short of READER_KIND_COUNT.
 */
static const unsigned read_events[] = {
	[READER_PVCLOCK] = 2, [READER_PVCLOCK_RAW] = 2, [READER_TSC] = 2, [READER_HPET] = 2,
	[READER_PMTIMER] = 2, [READER_RDTSC] = 2, [READER_TICKS] = 2, [READER_MONOTONIC] = 2,
	[READER_MONOTONIC_RAW] = 2, [READER_REALTIME] = 2, [READER_BOOTTIME] = 2,
};
_Static_assert(sizeof(read_events) / sizeof(read_events[0]) == READER_KIND_COUNT,
	       "every reader kind declares its events per read");

static unsigned reader_instances(const struct scn_reader *r)
{
	if (r->on_host)
		return r->migrate_every_ps ? 1 : r->ncpus;
	return r->nvcpus;
}

/* Period k starts in [k x period, k x period + jitter]: at most one read per period. */
static void est_readers(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nreaders; i++) {
		const struct scn_reader *r = &s->readers[i];
		uint64_t reads = every(s->duration_ps, r->period_ps);

		add(c, r->path, "period",
		    mul_sat(mul_sat(reads, read_events[r->kind]), reader_instances(r)));
	}
}

/*
 * A tick-counting reader's ticks are counted in closed form when it reads
 * (sim/kvm/tick_delivery.h): no event per tick, so hz costs nothing here;
 * its reads are the readers row's.  A PIT or RTC a script programs is the
 * script devices row's.
 */
static void est_ticks(struct budget_ctx *c)
{
	(void)c;
}

/* ---- KVM ---- */

/* kvmclock_sync_fn() every sync period: the sync, the update work, one entry per vCPU. */
static void est_kvmclock_sync(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned v = 0; v < s->nvms; v++) {
		const struct scn_vm *vm = &s->vms[v];
		sim_ps period = vm->sync_period_ps ? vm->sync_period_ps : KVM_CLOCK_SYNC_PERIOD_PS;

		add(c, vm->path, "kvmclock_sync_period",
		    mul_sat(every(s->duration_ps, period), 2 + (uint64_t)vm->nvcpus));
	}
}

static uint64_t host_khz(const struct scn_host *h)
{
	return h->tsc_khz ? h->tsc_khz : sim_freq_floor_khz(h->tsc);
}

/* Faster than the host by more than KVM's 250 ppm, and no TSC scaling: always catch up. */
static bool catches_up(const struct scenario *s, const struct scn_vm *vm, uint64_t guest_khz,
		       unsigned host)
{
	uint64_t hk = host_khz(&s->hosts[host]);

	return !vm->host_tsc_scaling && (sim_u128)guest_khz * 1000000 > (sim_u128)hk * 1000250;
}

/*
 * A vCPU whose guest TSC runs faster than its host's exits every 1 ms
 * (CATCHUP_EXIT_PERIOD_PS, kvm.c) from then on: an exit and an entry.  It
 * starts when KVM_SET_TSC_KHZ runs on a running VM (kvm_catchup_start()):
 * a migration that keeps the rate, or a restore on another host; the VM's
 * own "tsc_khz" is set before it first runs and starts none.
 */
static void est_catchup_vm(struct budget_ctx *c, const struct scn_vm *vm)
{
	const struct scenario *s = c->s;
	uint64_t guest_khz, per_run;
	const char *path = NULL, *key = NULL;
	sim_ps from = 0;

	guest_khz = vm->tsc_khz ? vm->tsc_khz : host_khz(&s->hosts[vm->host]);
	for (unsigned i = 0; !path && i < vm->nmigrations; i++)
		if (vm->migrations[i].tsc_scaling &&
		    catches_up(s, vm, guest_khz, vm->migrations[i].to_host))
			path = vm->migrations[i].path, key = "tsc_scaling", from = vm->migrations[i].at_ps;
	for (unsigned i = 0; !path && i < vm->nsnapshots; i++)
		if (vm->snapshots[i].has_to && catches_up(s, vm, guest_khz, vm->snapshots[i].to_host))
			path = vm->snapshots[i].path, key = "to", from = vm->snapshots[i].at_ps;
	if (!path)
		return;
	per_run = every(span_from(s, from), SIM_PS_PER_MS);
	add(c, path, key, mul_sat(per_run, 2 * (uint64_t)vm->nvcpus));
}

static void est_catchup(struct budget_ctx *c)
{
	for (unsigned v = 0; v < c->s->nvms; v++)
		est_catchup_vm(c, &c->s->vms[v]);
}

/* ---- guest timers ---- */

#define APIC_TIMER_EVENTS 4u  /* expiry, KVM's hrtimer, the injection, the guest's re-arm */
#define HPET_TIMER_EVENTS 6u  /* the match, the delivery, the guest's program steps */

static void est_guest_timers(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned i = 0; i < s->vms[v].nguest_timers; i++) {
			const struct scn_guest_timer *t = &s->vms[v].guest_timers[i];

			if (t->hpet)
				continue;
			add(c, t->path, "period",
			    mul_sat(mul_sat(every(span_from(s, t->start_ps), t->period_ps),
					    APIC_TIMER_EVENTS), t->nvcpus));
		}
}

/* The comparator counts whole ticks, at least one (period truncated to ticks). */
static void est_hpet_timers(struct budget_ctx *c)
{
	const struct scenario *s = c->s;
	sim_ps tick = sim_tick_time(1, s->platform.hpet.frequency);

	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned i = 0; i < s->vms[v].nguest_timers; i++) {
			const struct scn_guest_timer *t = &s->vms[v].guest_timers[i];
			sim_ps period;

			if (!t->hpet)
				continue;
			period = t->period_ps > tick ? t->period_ps : tick;
			add(c, t->path, "period",
			    mul_sat(every(span_from(s, t->start_ps), period), HPET_TIMER_EVENTS));
		}
}

/* ---- host events ---- */

/* Spans are drawn in [1, 2 x mean]: a cycle of residency + busy lasts about their sum. */
static void est_cstate_patterns(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nevents; i++) {
		const struct scn_event *e = &s->events[i];
		sim_ps cycle;

		if (e->type != SCN_EV_CSTATE_PATTERN)
			continue;
		cycle = sim_add_sat(e->residency_ps, e->busy_ps);
		add(c, e->path, e->residency_ps <= e->busy_ps ? "residency" : "busy",
		    mul_sat(mul_sat(every(e->until_ps - e->at_ps, cycle), 2), e->ncpus));
	}
}

/* Events per host event: its start and its end (cstate_pattern: the row above). */
static const unsigned host_event_events[] = {
	[SCN_EV_CSTATE] = 2, [SCN_EV_CSTATE_PATTERN] = 0, [SCN_EV_PSTATE] = 1,
	[SCN_EV_THROTTLE] = 2, [SCN_EV_TEMPERATURE] = 1, [SCN_EV_HOTPLUG] = 1,
	[SCN_EV_TSC_WRITE] = 1, [SCN_EV_TSC_ADJUST_WRITE] = 1, [SCN_EV_SUSPEND] = 2,
	[SCN_EV_READER_MIGRATE] = 1, [SCN_EV_CLOCKSOURCE] = 1, [SCN_EV_NTP_ADJUST] = 1,
};
_Static_assert(sizeof(host_event_events) / sizeof(host_event_events[0]) == SCN_EV_COUNT,
	       "every host event type declares its events");

static void est_host_events(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nevents; i++)
		add(c, s->events[i].path, NULL, host_event_events[s->events[i].type]);
}

/* host/<name>/crystal_update: one event per wander_step of every socket that wanders or ages. */
static void est_crystal_steps(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned h = 0; h < s->nhosts; h++) {
		for (unsigned k = 0; k < s->hosts[h].nsockets; k++) {
			const struct scn_socket *sk = &s->hosts[h].sockets[k];
			char path[SCN_PATH_MAX + 32];

			if (!sk->wander_ppb && !sk->aging_ppb_per_day)
				continue;
			snprintf(path, sizeof(path), "%s/sockets/%u", s->hosts[h].path, k);
			add(c, path, "wander_step", every(s->duration_ps, sk->wander_step_ps));
		}
	}
}

/* ---- device scripts ---- */

static void est_scripts(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nscripts; i++)
		add(c, s->scripts[i].path, "commands", s->scripts[i].ncommands);
}

/*
 * What a script's own commands leave running: the fastest periodic rate it
 * programs into each device, from that command to the end of the run (the
 * script's clock commands cannot be timed statically).  A device's state as
 * the script writes it, one struct per board device.
 */
struct script_dev {
	unsigned pit_rw, pit_mode, pit_lo;        /* channel 0 control word; pit_lo: low byte next */
	uint64_t pit_count;
	unsigned rtc_index, rtc_rate;             /* rtc_rate: RS | RTC_RATE_SET once written */
	uint64_t rtc_reg_b;                       /* PIE, AIE, UIE as written */
	uint64_t hpet_cfg[HPET_MAX_TIMERS];
	uint64_t best_n;                           /* this device's largest estimate so far */
	const char *best_path;
};

#define RTC_RATE_SET 0x100u

typedef void script_dev_fn(struct script_dev *d, const struct qtest_command *cmd, sim_ps span,
			   const struct scenario *s, const char *path);

static void rate_seen(struct script_dev *d, uint64_t n, const char *path)
{
	if (n > d->best_n) {
		d->best_n = n;
		d->best_path = path;
	}
}

/* i8254 channel 0: modes 2 and 3 (and their aliases 6, 7) are periodic, two OUT0 edges each. */
static void script_pit(struct script_dev *d, const struct qtest_command *cmd, sim_ps span,
		       const struct scenario *s, const char *path)
{
	(void)s;
	if (cmd->op != QTEST_OP_OUT)
		return;
	if (cmd->addr == 0x43 && (cmd->value >> 6) == 0 && ((cmd->value >> 4) & 3) != 0) {
		d->pit_rw = (cmd->value >> 4) & 3;
		d->pit_mode = (cmd->value >> 1) & 7;
		d->pit_lo = 1;
		d->pit_count = 0;
		return;
	}
	if (cmd->addr != 0x40 || d->pit_rw == 0)
		return;
	if (d->pit_rw == 1 || (d->pit_rw == 3 && d->pit_lo)) {
		d->pit_count = (d->pit_count & 0xff00) | (cmd->value & 0xff);
		if (d->pit_rw == 3) {
			d->pit_lo = 0;
			return;
		}
	} else {
		d->pit_count = (d->pit_count & 0xff) | ((cmd->value & 0xff) << 8);
		d->pit_lo = 1;
	}
	if ((d->pit_mode & 3) == 2 || (d->pit_mode & 3) == 3) {
		uint64_t count = d->pit_count ? d->pit_count : 65536;

		rate_seen(d, mul_sat(at_rate(span, SIM_PIT_FREQ_HZ, count), 2), path);
	}
}

/*
 * MC146818A: PIE at rate select RS of register A, 32768 >> (RS - 1) Hz (RS 1,
 * 2: 256, 128 Hz; RS 6, 1024 Hz, after reset, as rtc.c starts); UIE and AIE
 * at most once a second.  Two events a period: IRQF's rise and its clear.
 */
static void script_rtc(struct script_dev *d, const struct qtest_command *cmd, sim_ps span,
		       const struct scenario *s, const char *path)
{
	unsigned rs, hz = 0;

	(void)s;
	if (cmd->op != QTEST_OP_OUT)
		return;
	if (cmd->addr == 0x70) {
		d->rtc_index = cmd->value & 0x7f;
		return;
	}
	if (cmd->addr != 0x71)
		return;
	if (d->rtc_index == RTC_REG_A)
		d->rtc_rate = (cmd->value & 0xf) | RTC_RATE_SET;
	else if (d->rtc_index == RTC_REG_B)
		d->rtc_reg_b = cmd->value & (RTC_REG_B_PIE | RTC_REG_B_AIE | RTC_REG_B_UIE);
	else
		return;
	rs = d->rtc_rate ? d->rtc_rate & 0xf : 6;
	if ((d->rtc_reg_b & RTC_REG_B_PIE) && rs)
		hz = rs <= 2 ? 256u >> (rs - 1) : 32768u >> (rs - 1);
	hz += ((d->rtc_reg_b & RTC_REG_B_AIE) != 0) + ((d->rtc_reg_b & RTC_REG_B_UIE) != 0);
	if (hz)
		rate_seen(d, mul_sat(at_rate(span, hz, 1), 2), path);
}

/* HPET: a periodic comparator (Tn_TYPE_CNF, bit 3) matches every value written, >= 1 tick. */
static void script_hpet(struct script_dev *d, const struct qtest_command *cmd, sim_ps span,
			const struct scenario *s, const char *path)
{
	uint64_t off, n;
	unsigned t;

	if (cmd->op != QTEST_OP_WRITE || cmd->addr < PLATFORM_HPET_BASE + HPET_TIMN_CONF(0) ||
	    cmd->addr >= PLATFORM_HPET_BASE + HPET_TIMN_CONF(HPET_MAX_TIMERS))
		return;
	off = cmd->addr - PLATFORM_HPET_BASE;
	t = (unsigned)((off - HPET_TIMN_CONF(0)) / (HPET_TIMN_CONF(1) - HPET_TIMN_CONF(0)));
	if (off == HPET_TIMN_CONF(t)) {
		d->hpet_cfg[t] = cmd->value;
		return;
	}
	if (off != HPET_TIMN_COMP(t) || !(d->hpet_cfg[t] & HPET_TN_TYPE_CNF))
		return;
	n = cmd->value ? cmd->value : 1;
	rate_seen(d, mul_sat(at_rate(span, s->platform.hpet.frequency.num,
				     mul_sat(s->platform.hpet.frequency.den, n)), 2), path);
}

static script_dev_fn *const script_devs[] = {
	[BOARD_DEV_PIT] = script_pit, [BOARD_DEV_RTC] = script_rtc,
	[BOARD_DEV_HPET] = script_hpet, [BOARD_DEV_PMTIMER] = NULL,  /* no events: read on demand */
};
_Static_assert(sizeof(script_devs) / sizeof(script_devs[0]) == BOARD_DEV_COUNT,
	       "every board device declares what a script can start on it");

static void est_script_devices(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nscripts; i++) {
		const struct scn_script *sc = &s->scripts[i];
		sim_ps span = span_from(s, sc->at_ps);
		struct script_dev devs[BOARD_DEV_COUNT];

		memset(devs, 0, sizeof(devs));
		for (unsigned k = 0; k < sc->ncommands; k++) {
			struct qtest_command cmd;
			char why[128];

			if (!qtest_parse(sc->commands[k].line, &cmd, why, sizeof(why)))
				continue;   /* the machine refuses it with its path */
			for (unsigned dv = 0; dv < BOARD_DEV_COUNT; dv++)
				if (script_devs[dv] && s->platform.present[dv])
					script_devs[dv](&devs[dv], &cmd, span, s,
							sc->commands[k].path);
		}
		for (unsigned dv = 0; dv < BOARD_DEV_COUNT; dv++)
			if (devs[dv].best_path)
				add(c, devs[dv].best_path, NULL, devs[dv].best_n);
	}
}

/* A board on the VM's time base relays each of its events through the host queue once more. */
static void est_board_relay(struct budget_ctx *c)
{
	const struct budget_estimate *e = c->e;
	uint64_t n;

	if (!c->s->nvms || !c->s->vms[0].board_vm)   /* the board is the first VM's */
		return;
	n = add_sat(add_sat(e->by_source[BUDGET_TICKS], e->by_source[BUDGET_SCRIPT_DEVICES]),
		    e->by_source[BUDGET_HPET_TIMERS]);
	add(c, c->s->vms[0].path, "board", n);
}

/* ---- host checks ---- */

typedef uint64_t host_check_fn(const struct scenario *s, const struct scn_host_check *k,
			       const char **key);

static uint64_t hc_none(const struct scenario *s, const struct scn_host_check *k, const char **key)
{
	(void)s, (void)k, (void)key;
	return 0;
}

static uint64_t hc_few(const struct scenario *s, const struct scn_host_check *k, const char **key)
{
	(void)s, (void)k, (void)key;
	return 2;
}

/* clocksource_watchdog() every WATCHDOG_INTERVAL (HZ >> 1 jiffies: 0.5 s). */
static uint64_t hc_watchdog(const struct scenario *s, const struct scn_host_check *k,
			    const char **key)
{
	(void)k, (void)key;
	return every(s->duration_ps, SIM_PS_PER_S / 2);
}

/* A periodic APIC timer: each period an expiry and its check; else one arming. */
static uint64_t hc_timer(const struct scenario *s, const struct scn_host_check *k,
			 const char **key)
{
	*key = "delay";
	if (k->timer.mode != SCN_TIMER_PERIODIC)
		return 2;
	return mul_sat(every(span_from(s, k->timer.arm_at_ps), k->timer.delay_ps), 2);
}

/* Observers of the trace stream fire no events of their own (hc_none). */
static host_check_fn *const host_check_est[] = {
	[SCN_HC_FLAG_TRUTH] = hc_few, [SCN_HC_TSC_SYNC] = hc_few,
	[SCN_HC_WATCHDOG] = hc_watchdog, [SCN_HC_TIMER] = hc_timer,
	[SCN_HC_STABLE_BIT] = hc_none, [SCN_HC_TSC_WRITE] = hc_none,
	[SCN_HC_TICK_COUNT] = hc_none, [SCN_HC_CLOCK_CONSISTENCY] = hc_none,
	[SCN_HC_PAGE_STEP] = hc_none, [SCN_HC_TIMER_LIVE] = hc_none,
	[SCN_HC_DISC_SIGNAL] = hc_none, [SCN_HC_TSC_CALIBRATION] = hc_few,
	[SCN_HC_CMOS_DATE] = hc_few,
};
_Static_assert(sizeof(host_check_est) / sizeof(host_check_est[0]) == SCN_HC_COUNT,
	       "every host check kind declares its estimate");

static void est_host_checks(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < s->nhost_checks; i++) {
		const struct scn_host_check *k = &s->host_checks[i];
		const char *key = NULL;
		uint64_t n = host_check_est[k->kind](s, k, &key);

		add(c, k->path, key, n);
	}
}

/* ---- VMM actions ---- */

typedef void vmm_est_fn(struct budget_ctx *c);

/* Each action's own events, plus one entry per vCPU where it resumes or requests. */
#define VMM_FIXED(arr, n, events)                                                  \
	for (unsigned i = 0; i < c->vm->n; i++)                                    \
		add(c, c->vm->arr[i].path, NULL, (events) + (uint64_t)c->vm->nvcpus)

static void vmm_migration(struct budget_ctx *c) { VMM_FIXED(migrations, nmigrations, 2); }
static void vmm_vcpu_move(struct budget_ctx *c) { VMM_FIXED(moves, nmoves, 1); }
static void vmm_tsc_write(struct budget_ctx *c) { VMM_FIXED(tsc_writes, ntsc_writes, 2); }
static void vmm_stall(struct budget_ctx *c) { VMM_FIXED(stalls, nstalls, 2); }
static void vmm_time_sync(struct budget_ctx *c) { VMM_FIXED(time_syncs, ntime_syncs, 1); }
static void vmm_pause(struct budget_ctx *c) { VMM_FIXED(pauses, npauses, 2); }
static void vmm_snapshot(struct budget_ctx *c) { VMM_FIXED(snapshots, nsnapshots, 3); }

/* "every" rounds until "count" or the end; a staggered round is one event per vCPU. */
static void vmm_clock_update(struct budget_ctx *c)
{
	const struct scenario *s = c->s;

	for (unsigned i = 0; i < c->vm->nclock_updates; i++) {
		const struct scn_clock_update *u = &c->vm->clock_updates[i];
		uint64_t rounds = u->every_ps ? every(span_from(s, u->at_ps), u->every_ps) : 1;

		if (u->count && u->count < rounds)
			rounds = u->count;
		add(c, u->path, u->every_ps ? "every" : NULL,
		    mul_sat(rounds, 2 * (uint64_t)c->vm->nvcpus + 1));
	}
}

static vmm_est_fn *const vmm_est[] = {
	[VMM_MIGRATION] = vmm_migration, [VMM_VCPU_MOVE] = vmm_vcpu_move,
	[VMM_TSC_WRITE] = vmm_tsc_write, [VMM_STALL] = vmm_stall,
	[VMM_TIME_SYNC] = vmm_time_sync, [VMM_CLOCK_UPDATE] = vmm_clock_update,
	[VMM_PAUSE] = vmm_pause, [VMM_SNAPSHOT] = vmm_snapshot,
};
_Static_assert(sizeof(vmm_est) / sizeof(vmm_est[0]) == VMM_ACTION_COUNT,
	       "every VMM action declares its estimate");

static void est_vmm_actions(struct budget_ctx *c)
{
	for (unsigned v = 0; v < c->s->nvms; v++) {
		c->vm = &c->s->vms[v];
		for (unsigned a = 0; a < VMM_ACTION_COUNT; a++)
			vmm_est[a](c);
	}
	c->vm = NULL;
}

/* ---- the table ---- */

struct budget_row {
	const char *name;
	void (*estimate)(struct budget_ctx *c);
};

static const struct budget_row rows[] = {
#define BUDGET_ROW(id, name, fn, covers) [BUDGET_##id] = { name, fn },
	BUDGET_SOURCES(BUDGET_ROW)
#undef BUDGET_ROW
};
_Static_assert(sizeof(rows) / sizeof(rows[0]) == BUDGET_SOURCE_COUNT, "one row per source");

const char *budget_source_name(enum budget_source src)
{
	return src < BUDGET_SOURCE_COUNT ? rows[src].name : "?";
}

void budget_estimate(const struct scenario *s, struct budget_estimate *e)
{
	struct budget_ctx c = { .s = s, .e = e };

	memset(e, 0, sizeof(*e));
	for (unsigned i = 0; i < BUDGET_SOURCE_COUNT; i++) {
		c.src = (enum budget_source)i;
		rows[i].estimate(&c);
	}
}

bool budget_check(const struct scenario *s, uint64_t max_events, struct budget_estimate *e,
		  struct sim_diag *err)
{
	struct budget_estimate local;

	if (!e)
		e = &local;
	budget_estimate(s, e);
	if (e->total <= max_events)
		return true;
	sim_diag_set_file(err, s->file);
	sim_diag_set_path(err, e->top_path);
	return sim_diag_fail(err, "the run would fire about %s%" PRIu64 " events (the largest "
			     "source, %s, about %s%" PRIu64 " here), beyond the event budget of %"
			     PRIu64 "; raise it with --max-events N if the run is meant to be "
			     "that long", e->total == UINT64_MAX ? "more than " : "", e->total,
			     budget_source_name(e->top_source),
			     e->top_events == UINT64_MAX ? "more than " : "", e->top_events,
			     max_events);
}
