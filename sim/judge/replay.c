/*
 * Host-side replay: see replay.h.  PAGE_STEP's arithmetic and words are the
 * page_step host check's (oracle/hw/page_step.h, sim/kvm/pvclock.h), the
 * watchdog's decision is the model's (cs_watchdog_decide(), Linux 6.12).
 */
#include "sim/judge/replay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/hw/host_check.h"
#include "oracle/hw/page_step.h"
#include "sim/kvm/pvclock.h"
#include "sim/linux/clocksource_watchdog.h"

struct judge_replay {
	struct judge_host_config host[JUDGE_HOST_CHECK_COUNT];
	unsigned hz, max_skew_us;
	unsigned n;               /* vCPUs per VM */
	unsigned nvms;
	const char (*vm_names)[JUDGE_VM_NAME_MAX];  /* NULL: words without the VM */
	unsigned vm;              /* the line at hand's VM */
	unsigned base;            /* ... its first slot (vm * n) */
	uint64_t tsc_khz;
	struct pvclock_vcpu_time_info *pages;
	bool *have_page;
	uint64_t *offset;         /* guest TSC = host TSC + offset (u64 wrap), per vCPU */
	bool *have_offset;
	uint64_t lines[JT_TYPE_COUNT];
	struct judge_host_result res[JUDGE_HOST_CHECK_COUNT];
	uint64_t odd_pages, back_steps, unguarded_pairs;
	bool *master_known, *master_on;   /* per VM: each VM's kvm has its own master clock */
	uint64_t *master_changes;
	uint64_t wd_agree, wd_disagree, wd_unknown, wd_unstable, wd_skipped, wd_no_rate, wd_negative;
};

struct judge_replay *judge_replay_create(const struct judge_policy *p, unsigned ncpus,
					 unsigned nvms, const char (*vm_names)[JUDGE_VM_NAME_MAX],
					 uint64_t tsc_khz)
{
	struct judge_replay *r = calloc(1, sizeof(*r));
	const size_t slots = (size_t)ncpus * (nvms ? nvms : 1);

	if (!r)
		return NULL;
	memcpy(r->host, p->host, sizeof(r->host));
	r->hz = p->watchdog_hz;
	r->max_skew_us = p->watchdog_max_skew_us;
	r->n = ncpus;
	r->nvms = nvms ? nvms : 1;
	r->vm_names = r->nvms > 1 ? vm_names : NULL;
	r->tsc_khz = tsc_khz;
	r->pages = calloc(slots, sizeof(*r->pages));
	r->have_page = calloc(slots, sizeof(*r->have_page));
	r->offset = calloc(slots, sizeof(*r->offset));
	r->have_offset = calloc(slots, sizeof(*r->have_offset));
	r->master_known = calloc(r->nvms, sizeof(*r->master_known));
	r->master_on = calloc(r->nvms, sizeof(*r->master_on));
	r->master_changes = calloc(r->nvms, sizeof(*r->master_changes));
	if (!r->pages || !r->have_page || !r->offset || !r->have_offset || !r->master_known ||
	    !r->master_on || !r->master_changes) {
		judge_replay_destroy(r);
		return NULL;
	}
	return r;
}

void judge_replay_destroy(struct judge_replay *r)
{
	if (!r)
		return;
	free(r->pages);
	free(r->have_page);
	free(r->offset);
	free(r->have_offset);
	free(r->master_known);
	free(r->master_on);
	free(r->master_changes);
	free(r);
}

static int64_t abs_i64(int64_t x)
{
	return x < 0 ? -x : x;
}

/* ns to ps, saturating. */
static int64_t ps_of_ns(int64_t ns)
{
	if (ns > INT64_MAX / 1000)
		return INT64_MAX;
	if (ns < -(INT64_MAX / 1000))
		return -INT64_MAX;
	return ns * 1000;
}

/* Counts a comparison of check c, keeping the signed value of largest magnitude. */
static void sample(struct judge_host_result *r, int64_t v)
{
	r->evaluated = true;
	if (r->samples++ == 0 || abs_i64(v) > abs_i64(r->worst))
		r->worst = v;
}

/* A violation of r; the first one keeps its words. */
static bool violation(struct judge_host_result *r, sim_ps at, unsigned lineno)
{
	if (r->violations++ > 0)
		return false;
	r->has_first = true;
	r->first_ps = at;
	r->first_line = lineno;
	return true;
}

/* vCPU v of the line's VM in a report's words: "VM x vCPU v" with several VMs (report.c's). */
static const char *vcpu_words(const struct judge_replay *r, unsigned v, char *buf, size_t len)
{
	if (r->vm_names)
		snprintf(buf, len, "VM %s vCPU %u", r->vm_names[r->vm], v);
	else
		snprintf(buf, len, "vCPU %u", v);
	return buf;
}

/* With several VMs, "VM x " before the first "vCPU " of the oracle's words in buf. */
static void name_vm(const struct judge_replay *r, char *buf, size_t len)
{
	char *at = r->vm_names ? strstr(buf, "vCPU ") : NULL;
	char tail[JUDGE_FIRST_MAX];

	if (!at)
		return;
	snprintf(tail, sizeof(tail), "%s", at);
	snprintf(at, len - (size_t)(at - buf), "VM %s %s", r->vm_names[r->vm], tail);
}

/* A process reading on one vCPU then on the other, both pages trusted stable. */
static void cross_vcpu(struct judge_replay *r, unsigned v, const struct pvclock_vcpu_time_info *p,
		       sim_ps at, unsigned lineno)
{
	struct judge_host_result *res = &r->res[JUDGE_CROSS_VCPU];
	const uint64_t tsc = p->tsc_timestamp, mine = p->system_time;
	/* the line's VM's pages and offsets only: another VM's vCPUs are another guest */
	const struct pvclock_vcpu_time_info *pages = r->pages + r->base;
	const bool *have_page = r->have_page + r->base, *have_offset = r->have_offset + r->base;
	const uint64_t *offset = r->offset + r->base;

	for (unsigned w = 0; w < r->n; w++) {
		uint64_t tsc_w = tsc, theirs;
		int64_t diff_ps;

		if (w == v || !have_page[w])
			continue;
		if (!(pages[w].flags & PVCLOCK_TSC_STABLE_BIT)) {
			r->unguarded_pairs++;
			continue;
		}
		/* the same host instant on w: its own offset (scaling alike on both) */
		if (have_offset[v] && have_offset[w])
			tsc_w = tsc - offset[v] + offset[w];
		theirs = pvclock_read_cycles(&pages[w], tsc_w);
		diff_ps = ps_of_ns((int64_t)(mine - theirs));
		sample(res, diff_ps);
		if (abs_i64(diff_ps) <= r->host[JUDGE_CROSS_VCPU].threshold_ps)
			continue;
		if (violation(res, at, lineno)) {
			char a[JUDGE_VM_NAME_MAX + 24], b[JUDGE_VM_NAME_MAX + 24];

			vcpu_words(r, v, a, sizeof(a));
			vcpu_words(r, w, b, sizeof(b));
			/* hc_put: a long VM name may cut the words short, never overflow */
			hc_put(res->first, sizeof(res->first), "%s's new page gives %" PRIu64
				 " ns at guest TSC %" PRIu64 " where %s's page (both TSC_STABLE) "
				 "gives %" PRIu64 " ns at guest TSC %" PRIu64 ": a process moving from "
				 "%s to %s reads kvmclock back by %" PRIu64 " ns", a, mine, tsc,
				 b, theirs, tsc_w, mine > theirs ? a : b, mine > theirs ? b : a,
				 mine > theirs ? mine - theirs : theirs - mine);
		}
	}
}

static void pvclock_line(struct judge_replay *r, const struct jt_line *l, sim_ps at,
			 unsigned lineno)
{
	const unsigned v = (unsigned)l->u[F_VCPU], slot = r->base + v;
	struct judge_host_result *res = &r->res[JUDGE_PAGE_STEP];
	struct pvclock_vcpu_time_info p = {
		.version = (uint32_t)l->u[F_VERSION],
		.tsc_timestamp = l->u[F_TSC_TIMESTAMP],
		.system_time = l->u[F_SYSTEM_TIME],
		.tsc_to_system_mul = (uint32_t)l->u[F_MUL],
		.tsc_shift = (int8_t)(int64_t)l->u[F_SHIFT],
		.flags = (uint8_t)l->u[F_FLAGS],
	};

	if (p.version & 1) {
		r->odd_pages++;   /* a write in progress: no guest takes it */
		return;
	}
	if (r->have_page[slot]) {
		uint64_t old_ns, new_ns;
		int64_t step_ps = ps_of_ns(pvclock_page_step_ns(&r->pages[slot], &p, p.tsc_timestamp,
								&old_ns, &new_ns));

		sample(res, step_ps);
		r->back_steps += step_ps < 0;
		if ((step_ps < 0 || step_ps > r->host[JUDGE_PAGE_STEP].threshold_ps) &&
		    violation(res, at, lineno)) {
			page_step_describe(res->first, sizeof(res->first), v, step_ps,
					   p.tsc_timestamp, old_ns, new_ns);
			name_vm(r, res->first, sizeof(res->first));
		}
	}
	if (p.flags & PVCLOCK_TSC_STABLE_BIT)
		cross_vcpu(r, v, &p, at, lineno);
	r->pages[slot] = p;
	r->have_page[slot] = true;
}

/* Clocksources whose rate Linux registers (kernel 6.12): their watchdog margin follows. */
static const struct {
	const char *name;
	uint32_t scale, freq;     /* freq 0 with scale 1000: the trace's tsc_khz */
	uint64_t preset_ns;
} cs_rates[] = {
	{ "tsc", 1000, 0, 0 },                        /* arch/x86/kernel/tsc.c: register_khz */
	{ "tsc-early", 1000, 0, CS_WD_TSC_EARLY_MARGIN_NS },
	{ "hpet", 1, 14318180, 0 },                   /* the HPET's usual 14.31818 MHz */
	{ "acpi_pm", 1, 3579545, 0 },                 /* drivers/clocksource/acpi_pm.c */
	{ "kvm-clock", 1, 1000000000, 0 },            /* kvmclock.c: NSEC_PER_SEC */
};

static bool cs_margin(const struct judge_replay *r, const char *name, uint64_t *ns)
{
	for (unsigned i = 0; i < sizeof(cs_rates) / sizeof(cs_rates[0]); i++) {
		uint32_t freq = cs_rates[i].freq;

		if (strcmp(name, cs_rates[i].name) != 0)
			continue;
		if (!freq)        /* any rate above 4 MHz gives the 2 * max-skew floor */
			freq = r->tsc_khz ? (uint32_t)r->tsc_khz : 1000000u;
		*ns = cs_watchdog_uncertainty_margin_ns(cs_rates[i].scale, freq, cs_rates[i].preset_ns,
							r->max_skew_us);
		return true;
	}
	return false;
}

static const char *decision_word(enum cs_wd_outcome o)
{
	return o == CS_WD_UNSTABLE_SKEW ? "unstable" :
		o == CS_WD_SKIP_LONG ? "skip_long_readout" : "stable";
}

static void watchdog_line(struct judge_replay *r, const struct jt_line *l, sim_ps at,
			  unsigned lineno)
{
	struct judge_host_result *res = &r->res[JUDGE_WATCHDOG];
	char cs[32], wd[32], said[32];
	uint64_t cs_m, wd_m;
	const int64_t cs_nsec = (int64_t)l->u[F_CS_NSEC], wd_nsec = (int64_t)l->u[F_WD_NSEC];
	int64_t md;
	enum cs_wd_outcome o;
	bool has_said = l->have & JT_BIT(F_VERDICT), agrees;

	if (!jl_string(&l->s[F_CS], cs, sizeof(cs)) || !jl_string(&l->s[F_WD], wd, sizeof(wd)) ||
	    !cs_margin(r, cs, &cs_m) || !cs_margin(r, wd, &wd_m)) {
		r->wd_no_rate++;  /* Linux's margin needs the rate it registered */
		return;
	}
	if (cs_nsec < 0 || wd_nsec < 0) {
		r->wd_negative++;  /* Linux counts a delta past the mask's top bit as 0: never < 0 */
		return;
	}
	if (!has_said || !jl_string(&l->s[F_VERDICT], said, sizeof(said)))
		snprintf(said, sizeof(said), "?");
	md = (int64_t)(cs_m + wd_m);
	o = cs_watchdog_decide(cs_nsec, wd_nsec, md, cs_watchdog_interval_max_ns(r->hz));
	sample(res, ps_of_ns(cs_nsec - wd_nsec));
	agrees = !has_said || strcmp(said, decision_word(o)) == 0 ||
		(o == CS_WD_OK && strcmp(said, "unstable") != 0 &&
		 strcmp(said, "skip_long_readout") != 0);
	if (!has_said)
		r->wd_unknown++;
	else if (agrees)
		r->wd_agree++;
	else
		r->wd_disagree++;
	r->wd_unstable += o == CS_WD_UNSTABLE_SKEW;
	r->wd_skipped += o == CS_WD_SKIP_LONG;
	if ((o == CS_WD_UNSTABLE_SKEW || !agrees) && violation(res, at, lineno))
		snprintf(res->first, sizeof(res->first), "Linux 6.12's watchdog decides %s: '%s' over "
			 "'%s' cs_nsec %" PRId64 " wd_nsec %" PRId64 ", skew %" PRId64 " ns against "
			 "md %" PRId64 " ns (margins %" PRIu64 " + %" PRIu64 " ns), interval limit %"
			 PRId64 " ns; the line says %s: %s", decision_word(o), cs, wd, cs_nsec,
			 wd_nsec, cs_nsec - wd_nsec, md, cs_m, wd_m,
			 cs_watchdog_interval_max_ns(r->hz), has_said ? said : "nothing",
			 !has_said ? "no decision to compare" : agrees ? "agrees" : "DISAGREES");
}

bool judge_replay_line(struct judge_replay *r, const struct jt_line *l, unsigned vm,
		       sim_ps ref_ps, unsigned lineno, struct sim_diag *d)
{
	if ((l->have & JT_BIT(F_VCPU)) && l->u[F_VCPU] >= r->n)
		return sim_diag_fail(d, "vCPU %" PRIu64 " is not below the header's \"cpus\" (%u)",
				     l->u[F_VCPU], r->n);
	if (vm >= r->nvms)
		return sim_diag_fail(d, "VM %u is not below the number of the header's \"vms\" (%u)",
				     vm, r->nvms);
	r->vm = vm;
	r->base = vm * r->n;
	r->lines[l->type]++;
	switch (l->type) {
	case JT_PVCLOCK:
		pvclock_line(r, l, ref_ps, lineno);
		break;
	case JT_TSC_OFFSET:
		r->offset[r->base + l->u[F_VCPU]] = l->u[F_NEXT];
		r->have_offset[r->base + l->u[F_VCPU]] = true;
		break;
	case JT_MASTERCLOCK:
	case JT_TRACK_TSC:
		if (r->master_known[vm] && r->master_on[vm] != (bool)l->u[F_USE_MASTER])
			r->master_changes[vm]++;
		r->master_known[vm] = true;
		r->master_on[vm] = l->u[F_USE_MASTER];
		break;
	case JT_WATCHDOG:
		watchdog_line(r, l, ref_ps, lineno);
		break;
	default:
		break;
	}
	return true;
}

/*
 * The master clock at the end, appended to note: one VM as before; several
 * VMs each with its state and changes, as many as the note holds.
 */
static void master_note(const struct judge_replay *r, char *note, size_t len)
{
	size_t n = strlen(note);
	unsigned listed = 0, known = 0;

	if (!r->vm_names) {
		if (r->master_known[0])
			snprintf(note + n, len - n, "; master clock %s at the end",
				 r->master_on[0] ? "on" : "off");
		return;
	}
	for (unsigned vm = 0; vm < r->nvms; vm++)
		known += r->master_known[vm];
	for (unsigned vm = 0; vm < r->nvms && n < len; vm++) {
		int w;

		if (!r->master_known[vm])
			continue;
		/* room for this VM's words (a u64 of changes) and for the count left out */
		if (len - n < strlen(r->vm_names[vm]) + 64) {
			snprintf(note + n, len - n, "%s%u more VM%s", listed ? ", " :
				 "; master clock at the end known in ", known - listed,
				 known - listed == 1 ? "" : "s");
			return;
		}
		w = snprintf(note + n, len - n, "%sVM %s %s (%" PRIu64 " change%s)",
			     listed ? ", " : "; master clock at the end: ", r->vm_names[vm],
			     r->master_on[vm] ? "on" : "off", r->master_changes[vm],
			     r->master_changes[vm] == 1 ? "" : "s");
		n += w > 0 ? (size_t)w : 0;
		listed++;
	}
}

void judge_replay_finish(struct judge_replay *r)
{
	struct judge_host_result *res = r->res;

	for (unsigned c = 0; c < JUDGE_HOST_CHECK_COUNT; c++) {
		res[c].passed = res[c].violations == 0;
		res[c].expectation_met = r->host[c].expect == ORACLE_EXPECT_PASS ? res[c].passed :
			!res[c].passed;
	}
	snprintf(res[JUDGE_PAGE_STEP].note, JUDGE_FIRST_MAX, "%" PRIu64 " pages replayed (%" PRIu64
		 " in progress, odd version, skipped), %" PRIu64 " rewrites compared at the new "
		 "page's tsc_timestamp, %" PRIu64 " stepped back", r->lines[JT_PVCLOCK],
		 r->odd_pages, res[JUDGE_PAGE_STEP].samples, r->back_steps);
	snprintf(res[JUDGE_CROSS_VCPU].note, JUDGE_FIRST_MAX, "%" PRIu64 " pairs of TSC_STABLE "
		 "pages compared at one host instant; %" PRIu64 " pairs skipped: a page without "
		 "TSC_STABLE, which Linux's guest guards with its global last value",
		 res[JUDGE_CROSS_VCPU].samples, r->unguarded_pairs);
	master_note(r, res[JUDGE_CROSS_VCPU].note, JUDGE_FIRST_MAX);
	snprintf(res[JUDGE_WATCHDOG].note, JUDGE_FIRST_MAX, "%" PRIu64 " watchdog lines: %" PRIu64
		 " replayed as unstable, %" PRIu64 " as skipped (long readout); the lines' own "
		 "decisions: %" PRIu64 " agree, %" PRIu64 " disagree, %" PRIu64 " give none; %"
		 PRIu64 " name a clocksource whose rate is unknown%s", r->lines[JT_WATCHDOG],
		 r->wd_unstable, r->wd_skipped, r->wd_agree, r->wd_disagree, r->wd_unknown,
		 r->wd_no_rate, r->wd_negative ? "; some give a negative interval, not replayed" : "");
}

const struct judge_host_result *judge_replay_results(const struct judge_replay *r)
{
	return r->res;
}

uint64_t judge_replay_lines(const struct judge_replay *r, enum jt_type t)
{
	return (unsigned)t < JT_TYPE_COUNT ? r->lines[t] : 0;
}
