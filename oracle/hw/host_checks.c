/*
 * The set of host checks: creates each from its config through the kind's
 * ops, forwards the machine's hooks to the checks of the hook's host, judges
 * at the end.  The kinds live in flag_truth.c, tsc_sync.c, watchdog.c and
 * timer.c; nothing here knows one from another.  Nothing here prints.
 */
#include "oracle/hw/host_check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST_CHECK_OPS_DECL(id, name, unit, scope, stem) extern const struct host_check_ops host_check_##stem##_ops;
HOST_CHECK_KINDS(HOST_CHECK_OPS_DECL)
#undef HOST_CHECK_OPS_DECL

static const struct host_check_ops *const registry[] = {
#define HOST_CHECK_OPS_ROW(id, name, unit, scope, stem) [HOST_CHECK_##id] = &host_check_##stem##_ops,
	HOST_CHECK_KINDS(HOST_CHECK_OPS_ROW)
#undef HOST_CHECK_OPS_ROW
};
_Static_assert(sizeof(registry) / sizeof(registry[0]) == HOST_CHECK_KIND_COUNT,
	       "one ops row per host check kind");

struct host_checks {
	struct host_checks_env env;
	const struct sim_trace *trace;
	unsigned n;
	struct host_check *checks;
	bool finished;
};

const struct host_check_ops *host_check_ops_of(enum host_check_kind kind)
{
	return (unsigned)kind < HOST_CHECK_KIND_COUNT ? registry[kind] : NULL;
}

/* ---- shared helpers ---- */

void hc_put(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (n == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

void hc_append(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= n)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

const char *hc_dur(char *buf, int64_t ps)
{
	uint64_t a = ps < 0 ? -(uint64_t)ps : (uint64_t)ps;
	const char *sign = ps < 0 ? "-" : "";

	if (a >= SIM_PS_PER_MS)
		snprintf(buf, 40, "%s%" PRIu64 ".%06" PRIu64 " ms", sign, a / SIM_PS_PER_MS,
			 a % SIM_PS_PER_MS / SIM_PS_PER_NS);
	else if (a >= SIM_PS_PER_US)
		snprintf(buf, 40, "%s%" PRIu64 ".%03" PRIu64 " us", sign, a / SIM_PS_PER_US,
			 a % SIM_PS_PER_US / SIM_PS_PER_NS);
	else
		snprintf(buf, 40, "%s%" PRIu64 " ps", sign, a);
	return buf;
}

const char *hc_dur_s(char *buf, int64_t ps)
{
	uint64_t a = ps < 0 ? -(uint64_t)ps : (uint64_t)ps;

	if (a < SIM_PS_PER_S)
		return hc_dur(buf, ps);
	snprintf(buf, 40, "%s%" PRIu64 ".%06" PRIu64 " s", ps < 0 ? "-" : "", a / SIM_PS_PER_S,
		 a % SIM_PS_PER_S / SIM_PS_PER_US);
	return buf;
}

int64_t hc_abs64(int64_t v)
{
	return v < 0 ? -v : v;
}

bool hc_same_freq(struct sim_freq a, struct sim_freq b)
{
	return (sim_u128)a.num * b.den == (sim_u128)b.num * a.den;
}

struct tsc_features hc_linux_features(const struct host *h)
{
	struct tsc_features f = tsc_advertised_features(&h->cpus[0].tsc);

	if (f.invariant_cpuid) {
		f.constant_tsc = true;
		f.nonstop_tsc = true;
	}
	return f;
}

/* ---- the set ---- */

struct host_check *host_checks_first_of(struct host_checks *hc, enum host_check_kind kind,
					unsigned host)
{
	for (unsigned i = 0; i < hc->n; i++)
		if (hc->checks[i].cfg.kind == kind && hc->checks[i].cfg.host == host)
			return &hc->checks[i];
	return NULL;
}

void host_check_violation(struct host_check *k, sim_ps now, unsigned cpu, int64_t amount)
{
	struct sim_trace_record rec;

	if (k->reported || !sim_trace_wants(k->set->trace, SIM_TRACE_VIOLATION))
		return;
	k->reported = true;
	rec.kind = SIM_TRACE_VIOLATION;
	rec.t_ps = now;
	rec.u.violation = (struct sim_trace_violation){
		.reader = k->cfg.name,
		.check = host_check_kind_name(k->cfg.kind),
		.vcpu = cpu,
		.value_ns = 0,
		.amount = amount,
	};
	sim_trace_publish(k->set->trace, &rec);
}

const struct host_checks_env *host_check_env(const struct host_check *k)
{
	return &k->env;
}

/* A record of some VM's guest or pages: only the checks of that VM see it. */
static bool other_vm(const struct host_check *k, const struct sim_trace_record *rec)
{
	unsigned vm;

	return sim_trace_record_vm(rec, &vm) && vm != k->env.vm_index;
}

/* The stream's records, to every check whose kind asked for their kind. */
static void on_record(void *ctx, const struct sim_trace_record *rec)
{
	struct host_checks *hc = ctx;

	for (unsigned i = 0; i < hc->n; i++) {
		struct host_check *k = &hc->checks[i];

		if (k->ops->record && (k->ops->trace_mask & SIM_TRACE_BIT(rec->kind)) &&
		    !other_vm(k, rec))
			k->ops->record(k, rec);
	}
}

void host_checks_set_trace(struct host_checks *hc, const struct sim_trace *trace)
{
	if (hc)
		hc->trace = trace;
}

static bool setup_one(struct host_checks *hc, struct host_check *k,
		      const struct host_check_config *c, struct sim_diag *err)
{
	k->ops = host_check_ops_of(c->kind);
	k->set = hc;
	k->cfg = *c;
	k->cfg.name[sizeof(k->cfg.name) - 1] = '\0';
	k->cfg.path = NULL;                  /* borrowed: valid only while creating */
	k->q = hc->env.q;
	k->seed = hc->env.seed;
	if (!k->ops)
		return sim_diag_fail(err, "host check \"%s\": unknown kind %d", c->name, (int)c->kind);
	if (c->host >= hc->env.nhosts)
		return sim_diag_fail(err, "host check \"%s\": no host %u", c->name, c->host);
	k->h = &hc->env.hosts[c->host];
	/* the check's own VM: one of env.vms, or env.vm (a set built for one VM) */
	k->env = hc->env;
	k->env.vm_index = c->vm;
	if (hc->env.vms)
		k->env.vm = c->vm < hc->env.nvms ? hc->env.vms[c->vm] : NULL;
	else if (c->vm)
		k->env.vm = NULL;
	if (host_check_kind_needs_vm(c->kind) && !k->env.vm)
		return sim_diag_fail(err, "host check \"%s\": %s judges KVM or the VM's guest: it "
				     "needs a \"vm\"", c->name, host_check_kind_name(c->kind));
	if (k->ops->state_size && !(k->state = calloc(1, k->ops->state_size)))
		return sim_diag_fail(err, "out of memory");
	k->set_up = true;
	return k->ops->setup(k, err);
}

struct host_checks *host_checks_create(const struct host_checks_env *env,
				       const struct host_check_config *cfgs, unsigned n,
				       struct sim_diag *err)
{
	struct host_checks *hc = calloc(1, sizeof(*hc));

	if (!hc || (n && !(hc->checks = calloc(n, sizeof(*hc->checks))))) {
		free(hc);
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	hc->env = *env;
	for (unsigned i = 0; i < n; i++) {
		hc->n = i + 1;
		if (!setup_one(hc, &hc->checks[i], &cfgs[i], err)) {
			if (cfgs[i].path)
				sim_diag_set_path(err, cfgs[i].path);
			host_checks_destroy(hc);
			return NULL;
		}
	}
	if (env->trace) {
		uint32_t mask = 0;

		for (unsigned i = 0; i < n; i++)
			mask |= hc->checks[i].ops->record ? hc->checks[i].ops->trace_mask : 0;
		if (mask && !sim_trace_subscribe(env->trace, mask, on_record, hc)) {
			sim_diag_fail(err, "host checks: the trace stream has no room for a subscriber");
			host_checks_destroy(hc);
			return NULL;
		}
	}
	return hc;
}

void host_checks_destroy(struct host_checks *hc)
{
	if (!hc)
		return;
	/* in reverse: a kind's later checks may share what its first one owns */
	for (unsigned i = hc->n; i-- > 0;) {
		struct host_check *k = &hc->checks[i];

		if (k->set_up && k->ops->destroy)
			k->ops->destroy(k);
		free(k->state);
	}
	free(hc->checks);
	free(hc);
}

/* ---- hooks ---- */

enum hook {
	HOOK_CSTATE_ENTER,
	HOOK_CSTATE_EXIT,
	HOOK_TSC_CHANGED,
};

/* Every check of the host, in config order, gets the hook its kind asked for. */
static void fan_out(struct host_checks *hc, enum hook hook, unsigned host, unsigned cpu,
		    unsigned cstate, sim_ps now)
{
	if (!hc || host >= hc->env.nhosts || cpu >= hc->env.hosts[host].ncpus)
		return;
	for (unsigned i = 0; i < hc->n; i++) {
		struct host_check *k = &hc->checks[i];
		const struct host_check_ops *ops = k->ops;

		if (k->cfg.host != host)
			continue;
		if (hook == HOOK_CSTATE_ENTER && ops->cstate_enter)
			ops->cstate_enter(k, cpu, cstate, now);
		else if (hook == HOOK_CSTATE_EXIT && ops->cstate_exit)
			ops->cstate_exit(k, cpu, now);
		else if (hook == HOOK_TSC_CHANGED && ops->tsc_changed)
			ops->tsc_changed(k, cpu, now);
	}
}

void host_checks_cstate_enter(struct host_checks *hc, unsigned host, unsigned cpu, unsigned cstate,
			      sim_ps now)
{
	fan_out(hc, HOOK_CSTATE_ENTER, host, cpu, cstate, now);
}

void host_checks_cstate_exit(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	fan_out(hc, HOOK_CSTATE_EXIT, host, cpu, 0, now);
}

void host_checks_tsc_changed(struct host_checks *hc, unsigned host, unsigned cpu, sim_ps now)
{
	fan_out(hc, HOOK_TSC_CHANGED, host, cpu, 0, now);
}

/* ---- the end ---- */

/* expect and the worst range; a kind's own expectation (the watchdog's verdict) in kind_unmet. */
static void judge(struct host_check *k)
{
	const struct host_check_config *c = &k->cfg;
	struct host_check_result *r = &k->r;
	bool ok = r->evaluated && (c->expect == ORACLE_EXPECT_PASS ? r->passed : !r->passed);

	if (c->has_worst_min && r->worst < c->worst_min)
		ok = false;
	if (c->has_worst_max && r->worst > c->worst_max)
		ok = false;
	r->expectation_met = ok && !k->kind_unmet;
}

void host_checks_finish_run(struct host_checks *hc, sim_ps end)
{
	if (!hc || hc->finished)
		return;
	hc->finished = true;
	for (unsigned i = 0; i < hc->n; i++) {
		struct host_check *k = &hc->checks[i];

		k->ops->finish(k, end);
		judge(k);
	}
}

const struct host_check_result *host_checks_result(const struct host_checks *hc, unsigned i)
{
	if (!hc || i >= hc->n)
		return NULL;
	return &hc->checks[i].r;
}
