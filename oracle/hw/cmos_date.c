/*
 * cmos_date: the date a guest boots with, against true UTC.  At `at` the
 * guest reads the CMOS RTC through ports 0x70/0x71 as Linux's
 * mach_get_cmos_time() does (sim/guest/cmos_date.h), or takes the wall
 * clock KVM gives it: MSR_KVM_WALL_CLOCK_NEW holds the host's
 * CLOCK_REALTIME at kvmclock 0 and the guest adds kvmclock
 * (kvm_get_wallclock(), arch/x86/kernel/kvmclock.c; KVM's
 * kvm_write_wall_clock()), which comes to the host's CLOCK_REALTIME at the
 * read.  worst = the error in ps, saturated at +-2^63 ps (106 days; the text
 * has the whole error, in years when it is that large); a violation is
 * |error| above the threshold.  docs/clocks.md "cmos_date".
 */
#include <inttypes.h>

#include "oracle/hw/host_check.h"
#include "sim/core/civil.h"
#include "sim/devices/platform.h"
#include "sim/guest/cmos_date.h"

#define S_PER_YEAR_X100 3155760000LL  /* 365.25 days, in s times 100 */

struct date {
	struct host_check *k;
	struct sim_event ev;
	char ev_name[HOST_CHECK_NAME_MAX + 16];
};

static uint64_t no_tsc(const void *ctx, sim_ps t)
{
	(void)ctx;
	(void)t;
	return 0;
}

/* "1999-11-30T00:00:00Z" */
static const char *iso(char *buf, size_t n, int64_t unix_s)
{
	int64_t days = unix_s >= 0 ? unix_s / 86400 : -((-unix_s + 86399) / 86400);
	int64_t sod = unix_s - days * 86400, year;
	unsigned month, day;

	sim_civil_from_days(days, &year, &month, &day);
	hc_put(buf, n, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", year, month, day,
	       (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
	return buf;
}

/* The error as a duration, or in years beyond a day. */
static const char *err_text(char *buf, size_t n, sim_i128 err_ps)
{
	char d[40];
	int64_t s = (int64_t)(err_ps / SIM_PS_PER_S);

	if (s > 86400 || s < -86400) {
		int64_t y100 = s * 100 / (S_PER_YEAR_X100 / 100);

		hc_put(buf, n, "%s%" PRId64 ".%02" PRId64 " years (%+" PRId64 " s)", y100 < 0 ? "-" : "+",
		       hc_abs64(y100) / 100, hc_abs64(y100) % 100, s);
	} else {
		hc_put(buf, n, "%s", hc_dur(d, (int64_t)err_ps));
	}
	return buf;
}

static void date_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct date *s = sim_container_of(ev, struct date, ev);
	struct host_check *k = s->k;
	const struct host_check_cmos_date_config *c = &k->cfg.cmos_date;
	struct host_check_result *r = &k->r;
	sim_i128 got_ps, true_ps, err_ps;
	sim_ps read_at = now;
	char a[40], b[40], e[64];

	(void)q;
	r->evaluated = true;
	r->samples = 1;
	if (c->source == HOST_CHECK_DATE_CMOS) {
		struct guest_pio g;
		struct cmos_date d;
		char stream[HOST_CHECK_NAME_MAX + 16];

		hc_put(stream, sizeof(stream), "hc/%s", k->cfg.name);
		guest_pio_init(&g, host_check_env(k)->board, now, no_tsc, NULL, 0, 0, k->seed, stream);
		cmos_read_date(&g, &d);
		read_at = g.t;
		got_ps = (sim_i128)d.unix_s * SIM_PS_PER_S;
		if (d.gave_up)
			hc_put(r->note, sizeof(r->note), "CMOS register A reads 0x%02x: UIP never clears; "
			       "after %u tries Linux gives up (\"Unable to read current time from "
			       "RTC\") and starts at the epoch", d.raw[0], d.tries);
		else
			hc_put(r->note, sizeof(r->note), "CMOS bytes sec %02x min %02x hour %02x day "
			       "%02x month %02x year %02x, register B %02x (mach_get_cmos_time)",
			       d.raw[0], d.raw[1], d.raw[2], d.raw[3], d.raw[4], d.raw[5], d.raw[6]);
	} else {
		got_ps = (sim_i128)host_realtime_ns(k->h, now) * SIM_PS_PER_NS;
		hc_put(r->note, sizeof(r->note), "MSR_KVM_WALL_CLOCK_NEW + kvmclock "
		       "(kvm_get_wallclock): the host's CLOCK_REALTIME");
	}
	true_ps = (sim_i128)c->utc_start_ns * SIM_PS_PER_NS + read_at;
	err_ps = got_ps - true_ps;
	r->worst = err_ps > INT64_MAX ? INT64_MAX : err_ps < INT64_MIN ? INT64_MIN : (int64_t)err_ps;
	r->passed = err_ps <= c->threshold_ps && -err_ps <= c->threshold_ps;
	hc_append(r->note, sizeof(r->note), "; read %s, true %s",
		  iso(a, sizeof(a), (int64_t)(got_ps / SIM_PS_PER_S)),
		  iso(b, sizeof(b), (int64_t)(true_ps / SIM_PS_PER_S)));
	if (r->passed)
		return;
	r->violations = 1;
	r->first_ps = now;
	hc_put(r->first, sizeof(r->first), "the guest boots believing it is %s, off by %s",
	       iso(a, sizeof(a), (int64_t)(got_ps / SIM_PS_PER_S)), err_text(e, sizeof(e), err_ps));
	host_check_violation(k, now, 0, r->worst);
}

static bool date_setup(struct host_check *k, struct sim_diag *err)
{
	struct date *s = k->state;
	const struct host_check_cmos_date_config *c = &k->cfg.cmos_date;

	s->k = k;
	sim_event_setup(&s->ev, s->ev_name, sizeof(s->ev_name), SIM_PRIO_GUEST, date_fire,
			"hc/%s", k->cfg.name);
	if (c->source == HOST_CHECK_DATE_CMOS && !host_check_env(k)->board)
		return sim_diag_fail(err, "cmos_date: the CMOS needs the board");
	return sim_schedule(k->q, &s->ev, c->at_ps) ||
	       sim_diag_fail(err, "cmos_date: cannot run at %" PRIu64 " ps", c->at_ps);
}

static void date_finish(struct host_check *k, sim_ps end)
{
	(void)k;
	(void)end;
}

static void date_destroy(struct host_check *k)
{
	struct date *s = k->state;

	if (s->k)
		sim_cancel(k->q, &s->ev);
}

const struct host_check_ops host_check_cmos_date_ops = {
	.kind = HOST_CHECK_CMOS_DATE,
	.state_size = sizeof(struct date),
	.setup = date_setup,
	.finish = date_finish,
	.destroy = date_destroy,
};
