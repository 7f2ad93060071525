/*
 * tsc_calibration: the tsc_khz a guest derives at boot, against the true
 * rate of its TSC.  At `at` the guest (vCPU `vcpu`; a host CPU without a
 * VM) runs the method: Linux's PIT calibration as real port accesses on the
 * board (sim/guest/tsc_calibrate.h: their cost and jitter move the result),
 * CPUID 0x15/0x16 (the VMM fills them with the vCPU's TSC frequency, or
 * leaves them 0 as Firecracker does), or kvmclock's mul/shift
 * (kvm_get_tsc_khz() -> pvclock_tsc_khz(), arch/x86/kernel/kvmclock.c).
 * worst = the error in ppb against the TSC's true mean rate over the
 * calibration (over the next second for CPUID and pvclock); a violation is
 * |error| above the threshold, a calibration that gives up, or one that
 * would never finish.  docs/clocks.md "tsc_calibration".
 */
#include <inttypes.h>

#include "oracle/hw/host_check.h"
#include "sim/devices/platform.h"
#include "sim/guest/tsc_calibrate.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/pvclock.h"

#define RDTSC_PS (10 * SIM_PS_PER_NS)   /* one RDTSC in a guest: no exit (reader kind "rdtsc") */

struct cal {
	struct host_check *k;
	struct sim_event ev;
	char ev_name[HOST_CHECK_NAME_MAX + 16];
};

static const char *method_name(enum host_check_cal_method m)
{
	static const char *const names[] = {
		[HOST_CHECK_CAL_PIT_QUICK] = "pit_quick", [HOST_CHECK_CAL_PIT_SLOW] = "pit_slow",
		[HOST_CHECK_CAL_CPUID] = "cpuid", [HOST_CHECK_CAL_PVCLOCK] = "pvclock",
		[HOST_CHECK_CAL_PIT_REFINED] = "pit_refined",
	};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

static bool uses_pit(enum host_check_cal_method m)
{
	return m == HOST_CHECK_CAL_PIT_QUICK || m == HOST_CHECK_CAL_PIT_SLOW ||
	       m == HOST_CHECK_CAL_PIT_REFINED;
}

static uint64_t guest_tsc(const void *ctx, sim_ps t)
{
	const struct host_check *k = ctx;
	const struct host_checks_env *env = host_check_env(k);

	if (env->vm)
		return kvm_vcpu_guest_tsc(&env->vm->vcpus[k->cfg.tsc_calibration.vcpu], t);
	return tsc_read(&k->h->cpus[k->cfg.tsc_calibration.vcpu].tsc, t);
}

/* (khz * 1000 - true Hz) / true Hz in ppb, the true rate being cycles over dt. */
static int64_t error_ppb(uint64_t khz, uint64_t cycles, sim_ps dt)
{
	sim_i128 got = (sim_i128)khz * 1000 * dt, want = (sim_i128)cycles * SIM_PS_PER_S;

	return want ? (int64_t)((got - want) * 1000000000 / want) : 0;
}

static enum tsc_cal_ref reference(const struct platform *pf)
{
	if (platform_device(pf, BOARD_DEV_HPET))
		return TSC_CAL_REF_HPET;
	return platform_device(pf, BOARD_DEV_PMTIMER) ? TSC_CAL_REF_PMTIMER : TSC_CAL_REF_NONE;
}

/* What the PIT calibration did, for the note. */
static void describe_pit(struct host_check *k, const struct tsc_cal_result *c, uint64_t acc)
{
	struct host_check_result *r = &k->r;
	char d[40];
	static const char *const ref_names[] = { "no reference", "HPET", "PM timer" };

	if (c->hang) {
		hc_append(r->note, sizeof(r->note), "%spit_calibrate_tsc polled port 0x61 %" PRIu64
			  " times in %s of guest time and would go on",
			  k->cfg.tsc_calibration.method != HOST_CHECK_CAL_PIT_SLOW ?
			  "quick_pit_calibrate failed; " : "", acc,
			  hc_dur(d, (int64_t)(c->end_ps - c->start_ps)));
		return;
	}
	if (c->quick)
		hc_append(r->note, sizeof(r->note), "quick_pit_calibrate, %u MSB steps", c->quick_steps);
	else
		hc_append(r->note, sizeof(r->note), "%spit_calibrate_tsc, %u runs, PIT %" PRIu64
			  " kHz, %s%s",
			  k->cfg.tsc_calibration.method != HOST_CHECK_CAL_PIT_SLOW ?
			  "quick_pit_calibrate failed; " : "", c->slow_runs, c->slow_pit_khz,
			  ref_names[c->ref], c->ref_used ? " used" : "");
	if (k->cfg.tsc_calibration.method == HOST_CHECK_CAL_PIT_REFINED)
		hc_append(r->note, sizeof(r->note), c->refined ?
			  "; refined against the %s over 1 s" : "; not refined (%s)",
			  c->refined ? ref_names[c->ref] :
			  c->ref == TSC_CAL_REF_NONE ? "no reference" : "reference outside 1%");
	hc_append(r->note, sizeof(r->note), "; %" PRIu64 " accesses in %s", acc,
		  hc_dur(d, (int64_t)(c->end_ps - c->start_ps)));
}

static void run_pit(struct host_check *k, sim_ps now, uint64_t *khz, uint64_t *cycles, sim_ps *dt)
{
	const struct host_check_tsc_calibration_config *c = &k->cfg.tsc_calibration;
	struct platform *pf = host_check_env(k)->board;
	struct host_check_result *r = &k->r;
	struct tsc_cal_result res;
	struct guest_pio g;
	char stream[HOST_CHECK_NAME_MAX + 16];

	hc_put(stream, sizeof(stream), "hc/%s", k->cfg.name);
	guest_pio_init(&g, pf, now, guest_tsc, k, RDTSC_PS, c->jitter_ps, k->seed, stream);
	tsc_calibrate_pit(&g, c->method == HOST_CHECK_CAL_PIT_SLOW, reference(pf), &res);
	if (c->method == HOST_CHECK_CAL_PIT_REFINED && !res.hang)
		tsc_calibrate_refine(&g, reference(pf), &res);
	*khz = res.khz;
	*dt = res.end_ps - res.start_ps;
	*cycles = guest_tsc(k, res.end_ps) - guest_tsc(k, res.start_ps);
	r->samples = g.accesses;
	if (res.hang)
		hc_put(r->first, sizeof(r->first), "would hang: port 0x61 bit 5 (PIT channel 2 "
		       "OUT) never rises, the port reads 0x%02x: no PIT on this board "
		       "(pit_calibrate_tsc polls it without a bound)", pf->params.float_byte);
	else if (!res.khz)
		hc_put(r->first, sizeof(r->first), "Linux gives up: tsc_khz 0 (\"Unable to calibrate "
		       "against PIT\", no usable reference)");
	describe_pit(k, &res, g.accesses);
}

static void cal_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct cal *s = sim_container_of(ev, struct cal, ev);
	struct host_check *k = s->k;
	const struct host_check_tsc_calibration_config *c = &k->cfg.tsc_calibration;
	const struct host_checks_env *env = host_check_env(k);
	struct host_check_result *r = &k->r;
	uint64_t khz = 0, cycles;
	sim_ps dt = SIM_PS_PER_S;
	char note[HOST_CHECK_TEXT_MAX];

	(void)q;
	r->evaluated = true;
	r->samples = 1;
	if (uses_pit(c->method)) {
		run_pit(k, now, &khz, &cycles, &dt);
	} else {
		cycles = guest_tsc(k, now + dt) - guest_tsc(k, now);
		if (c->method == HOST_CHECK_CAL_PVCLOCK && env->vm)
			khz = pvclock_tsc_khz(&env->vm->vcpus[c->vcpu].pvti);
		else if (c->method == HOST_CHECK_CAL_CPUID && c->cpuid_freq)
			khz = env->vm ? env->vm->vcpus[c->vcpu].virtual_tsc_khz : k->h->tsc_khz;
		if (!khz)
			hc_put(r->first, sizeof(r->first), "%s", c->method == HOST_CHECK_CAL_PVCLOCK ?
			       "no kvmclock page: pvclock needs a VM" :
			       "CPUID 0x15/0x16 are 0: no frequency (Linux falls back to the PIT)");
		else
			hc_put(r->note, sizeof(r->note), "%s", c->method == HOST_CHECK_CAL_CPUID ?
		       "CPUID 0x15/0x16 (native_calibrate_tsc), tsc_known_freq" :
		       "kvm_get_tsc_khz: pvclock_tsc_khz of the kvmclock page");
	}
	if (!khz || r->first[0]) {
		r->passed = false;
		r->violations = 1;
		r->first_ps = now;
		host_check_violation(k, now, c->vcpu, 0);
		return;
	}
	r->worst = error_ppb(khz, cycles, dt);
	hc_put(note, sizeof(note), "calibrated %" PRIu64 " kHz, %+" PRId64 " ppm (%s)", khz,
	       r->worst / 1000, r->note);
	hc_put(r->note, sizeof(r->note), "%s", note);
	r->passed = hc_abs64(r->worst) <= c->threshold_ppb;
	if (!r->passed) {
		r->violations = 1;
		r->first_ps = now;
		hc_put(r->first, sizeof(r->first), "%s: tsc_khz %" PRIu64 " is %+" PRId64 ".%03" PRId64
		       " ppm off the TSC's true rate (a bound of %" PRId64 " ppm)",
		       method_name(c->method), khz, r->worst / 1000, hc_abs64(r->worst) % 1000,
		       c->threshold_ppb / 1000);
		host_check_violation(k, now, c->vcpu, r->worst);
	}
}

static bool cal_setup(struct host_check *k, struct sim_diag *err)
{
	struct cal *s = k->state;
	const struct host_check_tsc_calibration_config *c = &k->cfg.tsc_calibration;
	const struct host_checks_env *env = host_check_env(k);

	s->k = k;
	sim_event_setup(&s->ev, s->ev_name, sizeof(s->ev_name), SIM_PRIO_GUEST, cal_fire,
			"hc/%s", k->cfg.name);
	if (env->vm ? c->vcpu >= env->vm->nvcpus : c->vcpu >= k->h->ncpus)
		return sim_diag_fail(err, "tsc_calibration: no %s %u", env->vm ? "vCPU" : "CPU",
				     c->vcpu);
	if (uses_pit(c->method) && !env->board)
		return sim_diag_fail(err, "tsc_calibration: %s needs the board",
				     method_name(c->method));
	return sim_schedule(k->q, &s->ev, c->at_ps) ||
	       sim_diag_fail(err, "tsc_calibration: cannot run at %" PRIu64 " ps", c->at_ps);
}

static void cal_finish(struct host_check *k, sim_ps end)
{
	(void)k;
	(void)end;
}

static void cal_destroy(struct host_check *k)
{
	struct cal *s = k->state;

	if (s->k)
		sim_cancel(k->q, &s->ev);
}

const struct host_check_ops host_check_tsc_calibration_ops = {
	.kind = HOST_CHECK_TSC_CALIBRATION,
	.state_size = sizeof(struct cal),
	.setup = cal_setup,
	.finish = cal_finish,
	.destroy = cal_destroy,
};
