/*
 * The model (model.h): runs the scenario and folds its trace into columns.
 * Integer arithmetic only: the columns are presentation, but they must be
 * the same on every compiler so that rendered frames are reproducible.
 */
#include "viz/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu-tsc/host.h"
#include "sim/kvm/kvm.h"
#include "sim/kvm/pvclock.h"
#include "sim/machine/machine.h"

/* Lanes of one kind beyond these are not shown (a 64-vCPU guest is summarised by 8). */
#define MAX_PER_KIND 8
#define MAX_IRQ_LANES 12
#define ANY_VCPU (VIZ_CAUSE_SLOTS - 1)

static const char *const lane_names[] = {
#define VIZ_LANE_NAME(id, name, label) [id] = name,
	VIZ_LANE_KINDS(VIZ_LANE_NAME)
#undef VIZ_LANE_NAME
};
_Static_assert(sizeof(lane_names) / sizeof(lane_names[0]) == VIZ_LANE_KIND_COUNT, "one per kind");

const char *viz_lane_kind_name(enum viz_lane_kind k)
{
	return k < VIZ_LANE_KIND_COUNT ? lane_names[k] : "?";
}

bool viz_parse_lanes(const char *list, unsigned *mask, char *why, size_t len)
{
	*mask = 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		unsigned k;

		for (k = 0; k < VIZ_LANE_KIND_COUNT; k++)
			if (strlen(lane_names[k]) == n && strncmp(list, lane_names[k], n) == 0)
				break;
		if (k == VIZ_LANE_KIND_COUNT) {
			snprintf(why, len, "unknown lane \"%.*s\" (expected a comma-separated list of "
				 "tsc, reader, pvclock, irq, host)", (int)(n > 40 ? 40 : n), list);
			return false;
		}
		*mask |= 1u << k;
		list += n;
		if (*list == ',')
			list++;
	}
	if (!*mask) {
		snprintf(why, len, "no lane named (expected e.g. tsc,reader)");
		return false;
	}
	return true;
}

int64_t viz_model_col(const struct viz_model *vm, sim_ps t)
{
	sim_ps span = vm->t1_ps - vm->t0_ps;

	if (t < vm->t0_ps)
		return -1 - (int64_t)((vm->t0_ps - t) / (span / VIZ_COLS + 1));
	return (int64_t)((sim_u128)(t - vm->t0_ps) * VIZ_COLS / span);
}

sim_ps viz_model_col_time(const struct viz_model *vm, int64_t col)
{
	sim_ps span = vm->t1_ps - vm->t0_ps;

	/* the first t with viz_model_col(t) == col: ceil(col * span / COLS) */
	return vm->t0_ps + (sim_ps)(((sim_u128)col * span + VIZ_COLS - 1) / VIZ_COLS);
}

static struct viz_lane *add_lane(struct viz_model *vm, enum viz_lane_kind kind, const char *name)
{
	struct viz_lane *l;
	size_t n;

	if (vm->nlanes == VIZ_MAX_LANES)
		return NULL;
	l = &vm->lanes[vm->nlanes];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	n = strnlen(name, sizeof(l->name) - 1);  /* a label: a longer name is cut */
	memcpy(l->name, name, n);
	l->name[n] = '\0';
	if (kind == VIZ_LANE_TSC || kind == VIZ_LANE_READER)
		l->u.b = calloc(VIZ_COLS, sizeof(*l->u.b));
	else
		l->u.bits = calloc(VIZ_COLS, 1);
	if (kind == VIZ_LANE_PVCLOCK)
		l->pages = calloc(VIZ_COLS, sizeof(*l->pages));
	if (!l->u.b || (kind == VIZ_LANE_PVCLOCK && !l->pages)) {
		free(l->u.b);
		free(l->pages);
		return NULL;
	}
	vm->nlanes++;
	return l;
}

static void bucket_add(struct viz_bucket *b, int64_t v)
{
	if (!b->n) {
		b->min = b->max = b->first = v;
	} else {
		if (v < b->min)
			b->min = v;
		if (v > b->max)
			b->max = v;
	}
	b->last = v;
	b->n++;
}

static int64_t clamp64(sim_i128 v)
{
	return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : (int64_t)v;
}

/* Marks columns [filled_to, upto) with the lane's carried level. */
static void fill(struct viz_lane *l, int64_t upto)
{
	if (upto > VIZ_COLS)
		upto = VIZ_COLS;
	for (int64_t c = l->filled_to < 0 ? 0 : l->filled_to; c < upto; c++)
		l->u.bits[c] |= l->level;
	if (upto > l->filled_to)
		l->filled_to = (int)upto;
}

static struct viz_lane *find_lane(struct viz_model *vm, enum viz_lane_kind kind, unsigned index)
{
	for (unsigned i = 0; i < vm->nlanes; i++)
		if (vm->lanes[i].kind == kind && vm->lanes[i].index == index)
			return &vm->lanes[i];
	return NULL;
}

static struct viz_lane *irq_lane(struct viz_model *vm, const char *line)
{
	unsigned n = 0;
	struct viz_lane *l;

	for (unsigned i = 0; i < vm->nlanes; i++) {
		if (vm->lanes[i].kind != VIZ_LANE_IRQ)
			continue;
		if (strcmp(vm->lanes[i].name, line) == 0)
			return &vm->lanes[i];
		n++;
	}
	if (n == MAX_IRQ_LANES || !(l = add_lane(vm, VIZ_LANE_IRQ, line)))
		return NULL;
	l->index = n;
	l->level = VIZ_LOW;
	return l;
}

/* The latest candidate cause of a violation on vcpu of VM vmi (ANY_VCPU: on any). */
static struct viz_cause *set_cause(struct viz_model *vm, unsigned vmi, unsigned vcpu, sim_ps t,
				   const char *what, const char *detail)
{
	unsigned i = vcpu < ANY_VCPU ? vcpu : ANY_VCPU;
	struct viz_cause *c = &vm->causes[(size_t)(vmi < vm->ncause_vms ? vmi : 0) *
					  VIZ_CAUSE_SLOTS + i];

	c->t_ps = t;
	c->seq = vm->records;
	c->set = true;
	if (i < ANY_VCPU && vm->s->nvms > 1 && vmi < vm->s->nvms)
		snprintf(c->what, sizeof(c->what), "%s on VM %.*s vCPU %u", what,
			 VIZ_NAME_MAX - 20, vm->s->vms[vmi].name, vcpu);
	else if (i < ANY_VCPU)
		snprintf(c->what, sizeof(c->what), "%s on vCPU %u", what, vcpu);
	else
		snprintf(c->what, sizeof(c->what), "%s%s", what, detail);
	return c;
}

static void on_read(struct viz_model *vm, sim_ps t, const struct sim_trace_read *r)
{
	struct viz_lane *l = find_lane(vm, VIZ_LANE_READER, r->group);
	int64_t c;

	vm->reads++;
	if (!l)
		return;
	if (!l->have_ref) {
		l->have_ref = true;
		l->ref = (int64_t)r->value_ns;
		l->ref_t_ps = t;
	}
	c = viz_model_col(vm, t);
	if (c >= 0 && c < VIZ_COLS)
		bucket_add(&l->u.b[c], clamp64(((sim_i128)r->value_ns - l->ref) * 1000 -
					       ((sim_i128)t - (sim_i128)l->ref_t_ps)));
}

/* The page lane of vCPU vcpu of VM vmi; NULL without one. */
static struct viz_lane *page_lane(struct viz_model *vm, unsigned vmi, unsigned vcpu)
{
	for (unsigned i = 0; i < vm->nlanes; i++)
		if (vm->lanes[i].kind == VIZ_LANE_PVCLOCK && vm->lanes[i].vmi == vmi &&
		    vm->lanes[i].index == vcpu)
			return &vm->lanes[i];
	return NULL;
}

static void on_page(struct viz_model *vm, sim_ps t, const struct sim_trace_pvclock_write *p)
{
	struct viz_lane *l = page_lane(vm, p->vm, p->vcpu);
	int64_t c = viz_model_col(vm, t);

	set_cause(vm, p->vm, p->vcpu, t, "pvclock page write", "");
	if (!l)
		return;
	fill(l, c + 1);
	l->level = (uint8_t)(((p->flags & PVCLOCK_TSC_STABLE_BIT) ? VIZ_PAGE_STABLE : 0) |
			     ((p->flags & PVCLOCK_GUEST_STOPPED) ? VIZ_PAGE_STOPPED : 0));
	if (c >= 0 && c < VIZ_COLS) {
		l->u.bits[c] |= (uint8_t)(l->level | ((p->version & 1) ? VIZ_PAGE_ODD : VIZ_PAGE_EVEN));
		l->pages[c] = (struct viz_page){ p->version, p->flags, p->tsc_timestamp,
						 p->system_time_ns };
	}
}

static void on_irq(struct viz_model *vm, sim_ps t, const struct sim_trace_irq_edge *e)
{
	struct viz_lane *l = irq_lane(vm, e->line);
	int64_t c = viz_model_col(vm, t);

	if (!l)
		return;
	fill(l, c + 1);
	l->level = e->level ? VIZ_HIGH : VIZ_LOW;
	if (c >= 0 && c < VIZ_COLS)
		l->u.bits[c] |= (uint8_t)(l->level | VIZ_EDGE);
}

/* A guest timer's interrupt (APIC timer, HPET comparator) as a pulse on its own line. */
static void on_timer(struct viz_model *vm, sim_ps t, const struct sim_trace_guest_timer *g)
{
	char name[VIZ_NAME_MAX];
	struct viz_lane *l;
	int64_t c = viz_model_col(vm, t);

	if (!g->fire)
		return;
	if (g->hpet_timer)
		snprintf(name, sizeof(name), "hpet.timer%u", g->hpet_timer - 1);
	else
		snprintf(name, sizeof(name), "apic timer vCPU %u", g->vcpu);
	if (!(l = irq_lane(vm, name)))
		return;
	fill(l, c + 1);
	if (c >= 0 && c < VIZ_COLS)
		l->u.bits[c] |= VIZ_LOW | VIZ_HIGH | VIZ_EDGE;
}

static void mark(struct viz_model *vm, sim_ps t, uint8_t bits)
{
	struct viz_lane *l = find_lane(vm, VIZ_LANE_HOST, 0);
	int64_t c = viz_model_col(vm, t);

	if (l && c >= 0 && c < VIZ_COLS)
		l->u.bits[c] |= bits;
}

static void on_run(struct viz_model *vm, sim_ps t, const struct sim_trace_guest_run *r)
{
	if (!r->running) {
		struct viz_band *b;

		if (vm->nbands == VIZ_MAX_BANDS) {
			vm->bands_dropped++;
			return;
		}
		b = &vm->bands[vm->nbands++];
		*b = (struct viz_band){ .t0_ps = t };
		if (vm->s->nvms > 1 && r->vm < vm->s->nvms)   /* whose stop: the band spans every lane */
			snprintf(b->label, sizeof(b->label), "%s: %s", vm->s->vms[r->vm].name, r->action);
		else
			snprintf(b->label, sizeof(b->label), "%s", r->action);
		set_cause(vm, r->vm, ANY_VCPU, t, r->action, ": guest stopped");
	} else {
		for (unsigned i = vm->nbands; i-- > 0;) {
			if (!vm->bands[i].t1_ps) {
				vm->bands[i].t1_ps = t > vm->bands[i].t0_ps ? t : t + 1;
				break;
			}
		}
		set_cause(vm, r->vm, ANY_VCPU, t, r->action, ": guest resumed");
	}
}

/* The latest scenario host event at or before t (events are sorted by at_ps). */
static const struct scn_event *event_before(const struct scenario *s, sim_ps t)
{
	const struct scn_event *e = NULL;

	for (unsigned i = 0; i < s->nevents && s->events[i].at_ps <= t; i++)
		e = &s->events[i];
	return e;
}

static const char *const event_names[SCN_EV_COUNT] = {
	[SCN_EV_CSTATE] = "C-state", [SCN_EV_CSTATE_PATTERN] = "C-state pattern",
	[SCN_EV_PSTATE] = "P-state", [SCN_EV_THROTTLE] = "throttle",
	[SCN_EV_TEMPERATURE] = "temperature step", [SCN_EV_HOTPLUG] = "CPU hot-add",
	[SCN_EV_TSC_WRITE] = "TSC write", [SCN_EV_TSC_ADJUST_WRITE] = "TSC_ADJUST write",
	[SCN_EV_SUSPEND] = "suspend", [SCN_EV_READER_MIGRATE] = "reader migration",
	[SCN_EV_CLOCKSOURCE] = "clocksource switch", [SCN_EV_NTP_ADJUST] = "NTP adjust",
};

static const uint8_t event_marks[SCN_EV_COUNT] = {
	[SCN_EV_CSTATE] = VIZ_MARK_CSTATE, [SCN_EV_CSTATE_PATTERN] = VIZ_MARK_CSTATE,
	[SCN_EV_PSTATE] = VIZ_MARK_PSTATE, [SCN_EV_THROTTLE] = VIZ_MARK_PSTATE,
	[SCN_EV_TEMPERATURE] = VIZ_MARK_PSTATE, [SCN_EV_HOTPLUG] = VIZ_MARK_HOTPLUG,
	[SCN_EV_TSC_WRITE] = VIZ_MARK_TSC_WRITE, [SCN_EV_TSC_ADJUST_WRITE] = VIZ_MARK_TSC_WRITE,
	[SCN_EV_SUSPEND] = VIZ_MARK_SUSPEND, [SCN_EV_READER_MIGRATE] = VIZ_MARK_KERNEL,
	[SCN_EV_CLOCKSOURCE] = VIZ_MARK_KERNEL, [SCN_EV_NTP_ADJUST] = VIZ_MARK_KERNEL,
};

/*
 * The latest cause in slot i of violation v's VM (another VM's guest is
 * apart), or of any VM for a host reader's; NULL when none is set.
 */
static const struct viz_cause *latest_cause(const struct viz_model *vm,
					    const struct viz_violation *v, unsigned i)
{
	const struct viz_cause *best = NULL;
	unsigned from = v->in_vm && v->vmi < vm->ncause_vms ? v->vmi : 0;
	unsigned to = v->in_vm && v->vmi < vm->ncause_vms ? v->vmi + 1 : vm->ncause_vms;

	for (unsigned k = from; k < to; k++) {
		const struct viz_cause *c = &vm->causes[(size_t)k * VIZ_CAUSE_SLOTS + i];

		if (c->set && (!best || c->seq >= best->seq))
			best = c;
	}
	return best;
}

static void on_violation(struct viz_model *vm, sim_ps t, const struct sim_trace_violation *v)
{
	const struct scn_event *e = event_before(vm->s, t);
	unsigned vc = v->vcpu < ANY_VCPU ? v->vcpu : ANY_VCPU;
	struct viz_violation *out;
	const struct viz_cause *mine, *any, *best;

	if (vm->nviolations == VIZ_MAX_VIOLATIONS) {
		vm->violations_dropped++;
		return;
	}
	out = &vm->violations[vm->nviolations++];
	memset(out, 0, sizeof(*out));
	out->t_ps = t;
	snprintf(out->reader, sizeof(out->reader), "%s", v->reader);
	snprintf(out->check, sizeof(out->check), "%s", v->check);
	out->vcpu = v->vcpu;
	out->value_ns = v->value_ns;
	out->amount = v->amount;
	for (unsigned g = 0; g < vm->s->nreaders; g++)
		if (!vm->s->readers[g].on_host && strcmp(vm->s->readers[g].name, v->reader) == 0) {
			out->in_vm = true;
			out->vmi = vm->s->readers[g].vm;
		}
	/* the latest of: this vCPU's page or TSC write, a VMM step, a host event */
	mine = latest_cause(vm, out, vc);
	any = latest_cause(vm, out, ANY_VCPU);
	best = any && (!mine || any->t_ps > mine->t_ps) ? any : mine;
	if (best) {
		out->has_cause = true;
		out->cause_ps = best->t_ps;
		memcpy(out->cause, best->what, sizeof(out->cause));
	}
	if (e && (!out->has_cause || e->at_ps >= out->cause_ps)) {
		out->has_cause = true;
		out->cause_ps = e->at_ps;
		snprintf(out->cause, sizeof(out->cause), "host event: %s", event_names[e->type]);
	}
}

static void on_record(void *ctx, const struct sim_trace_record *rec)
{
	struct viz_model *vm = ctx;
	sim_ps t = rec->t_ps;

	vm->records++;
	switch (rec->kind) {
	case SIM_TRACE_READ:
		on_read(vm, t, &rec->u.read);
		break;
	case SIM_TRACE_PVCLOCK_WRITE:
		on_page(vm, t, &rec->u.pvclock);
		break;
	case SIM_TRACE_TSC_WRITE:
		mark(vm, t, VIZ_MARK_TSC_WRITE);
		set_cause(vm, rec->u.tsc.vm, rec->u.tsc.vcpu, t, "KVM TSC write", "");
		break;
	case SIM_TRACE_MASTER_CLOCK:
		mark(vm, t, VIZ_MARK_KERNEL);
		set_cause(vm, rec->u.master.vm, ANY_VCPU, t, "KVM master clock update", "");
		break;
	case SIM_TRACE_IRQ_EDGE:
		on_irq(vm, t, &rec->u.irq);
		break;
	case SIM_TRACE_VMM_PHASE: {
		struct viz_cause *c = set_cause(vm, rec->u.vmm.vm, ANY_VCPU, t, rec->u.vmm.action,
						": ");

		snprintf(c->what + strlen(c->what), sizeof(c->what) - strlen(c->what), "%s",
			 rec->u.vmm.phase);
		break;
	}
	case SIM_TRACE_VIOLATION:
		on_violation(vm, t, &rec->u.violation);
		break;
	case SIM_TRACE_GUEST_RUN:
		on_run(vm, t, &rec->u.run);
		break;
	case SIM_TRACE_GUEST_TIMER:
		on_timer(vm, t, &rec->u.timer);
		break;
	default:
		break;
	}
}

/*
 * A vCPU lane's name: "vCPU 1 TSC" with one VM, "VM b vCPU 1 TSC" with
 * several (the name truncated to the lane's room, the vCPU kept).
 */
static void vcpu_lane_name(char *out, size_t n, const struct scenario *s, unsigned vmi,
			   unsigned vcpu, const char *what)
{
	if (s->nvms > 1)
		snprintf(out, n, "VM %.*s vCPU %u %s", VIZ_NAME_MAX - 20, s->vms[vmi].name, vcpu,
			 what);
	else
		snprintf(out, n, "vCPU %u %s", vcpu, what);
}

static void build_lanes(struct viz_model *vm, struct machine *m, const struct viz_model *like)
{
	const struct scenario *s = vm->s;
	const struct kvm_vm *kv = machine_vm(m, 0);
	char name[VIZ_NAME_MAX + HOST_NAME_MAX];
	struct viz_lane *l;
	unsigned n = 0;

	/* each VM's vCPUs in scenario order, MAX_PER_KIND lanes in all */
	for (unsigned vi = 0; kv && vi < s->nvms; vi++) {
		const struct kvm_vm *k = machine_vm(m, vi);

		for (unsigned i = 0; k && i < k->nvcpus && n < MAX_PER_KIND; i++, n++) {
			vcpu_lane_name(name, sizeof(name), s, vi, i, "TSC");
			if ((l = add_lane(vm, VIZ_LANE_TSC, name))) {
				l->index = i;
				l->vmi = vi;
				l->vcpu = true;
				l->ref = (int64_t)kvm_vcpu_guest_tsc(&k->vcpus[0], 0);
				l->ref_khz = k->vcpus[0].virtual_tsc_khz;
			}
		}
	}
	if (!kv) {
		for (unsigned h = 0; h < s->nhosts; h++) {
			const struct host *hs = machine_host(m, h);

			for (unsigned c = 0; hs && c < hs->ncpus && n < MAX_PER_KIND; c++, n++) {
				if (s->nhosts > 1)
					snprintf(name, sizeof(name), "%s CPU %u TSC", hs->name, c);
				else
					snprintf(name, sizeof(name), "CPU %u TSC", c);
				if ((l = add_lane(vm, VIZ_LANE_TSC, name))) {
					l->index = c;
					l->host = h;
					l->ref = (int64_t)host_rdtsc(hs, 0, 0);
					l->ref_khz = hs->tsc_khz;
				}
			}
		}
	}
	for (unsigned g = 0; g < s->nreaders; g++)
		if ((l = add_lane(vm, VIZ_LANE_READER, s->readers[g].name)))
			l->index = g;
	n = 0;
	for (unsigned vi = 0; kv && vi < s->nvms; vi++) {
		const struct kvm_vm *k = machine_vm(m, vi);

		for (unsigned i = 0; k && i < k->nvcpus && n < MAX_PER_KIND; i++, n++) {
			vcpu_lane_name(name, sizeof(name), s, vi, i, "page");
			if ((l = add_lane(vm, VIZ_LANE_PVCLOCK, name))) {
				l->index = i;
				l->vmi = vi;
				l->level = (uint8_t)(((k->vcpus[i].pvti.flags & PVCLOCK_TSC_STABLE_BIT) ?
						      VIZ_PAGE_STABLE : 0));
			}
		}
	}
	if (s->has_hosts && (l = add_lane(vm, VIZ_LANE_HOST, "host events"))) {
		for (unsigned i = 0; i < s->nevents; i++)
			mark(vm, s->events[i].at_ps, event_marks[s->events[i].type]);
	}
	/* the overview's interrupt lines, in its order, so a detail keeps the layout */
	for (unsigned i = 0; like && i < like->nlanes; i++)
		if (like->lanes[i].kind == VIZ_LANE_IRQ)
			irq_lane(vm, like->lanes[i].name);
}

static void sample_tsc(struct viz_model *vm, struct machine *m, sim_ps t, int64_t col)
{
	for (unsigned i = 0; i < vm->nlanes; i++) {
		struct viz_lane *l = &vm->lanes[i];
		uint64_t count;
		sim_i128 err;

		if (l->kind != VIZ_LANE_TSC || !l->ref_khz)
			continue;
		if (l->vcpu) {
			count = kvm_vcpu_guest_tsc(&machine_vm(m, l->vmi)->vcpus[l->index], t);
		} else {
			const struct host *h = machine_host(m, l->host);

			if (!h->cpus[l->index].online)
				continue;
			count = host_rdtsc(h, l->index, t);
		}
		/* error of the count against an ideal clock at ref_khz that read ref at t = 0 */
		err = (sim_i128)(int64_t)(count - (uint64_t)l->ref) * 1000000000 /
			(sim_i128)l->ref_khz - (sim_i128)t;
		if (col > 0 && col <= VIZ_COLS)
			bucket_add(&l->u.b[col - 1], clamp64(err));
		if (col >= 0 && col < VIZ_COLS)
			bucket_add(&l->u.b[col], clamp64(err));
	}
}

/* What the model folds: everything but bus accesses. */
#define FOLDED (SIM_TRACE_BIT(SIM_TRACE_READ) | SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) |     \
		SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE) | SIM_TRACE_BIT(SIM_TRACE_MASTER_CLOCK) |   \
		SIM_TRACE_BIT(SIM_TRACE_IRQ_EDGE) | SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) |       \
		SIM_TRACE_BIT(SIM_TRACE_VIOLATION) | SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN) |      \
		SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER))

bool viz_model_build(struct viz_model *vm, const struct scenario *s, sim_ps t0, sim_ps t1,
		     bool whole, const struct viz_model *like, struct machine **m_out,
		     struct sim_diag *err)
{
	struct machine *m;
	sim_ps end;

	memset(vm, 0, sizeof(*vm));
	vm->s = s;
	vm->duration_ps = s->duration_ps;
	if (t1 > s->duration_ps)
		t1 = s->duration_ps;
	if (t1 <= t0 || t1 - t0 < VIZ_COLS) {
		if (t0 + VIZ_COLS > s->duration_ps)
			t0 = s->duration_ps > VIZ_COLS ? s->duration_ps - VIZ_COLS : 0;
		t1 = t0 + VIZ_COLS;
	}
	vm->t0_ps = t0;
	vm->t1_ps = t1;
	vm->ncause_vms = s->nvms ? s->nvms : 1;
	vm->causes = calloc((size_t)vm->ncause_vms * VIZ_CAUSE_SLOTS, sizeof(*vm->causes));
	if (!vm->causes)
		return sim_diag_fail(err, "out of memory");
	m = machine_create(s, err);
	if (!m)
		goto fail;
	build_lanes(vm, m, like);
	if (!sim_trace_subscribe(machine_trace(m), FOLDED, on_record, vm)) {
		sim_diag_fail(err, "the visualizer cannot reach the run's trace stream");
		machine_destroy(m);
		return false;
	}
	machine_trace_subscribed(m);
	end = t1 < s->duration_ps ? t1 : s->duration_ps;
	if (!machine_run_until(m, t0, err))
		goto fail;
	for (int64_t c = 0; c <= VIZ_COLS; c++) {
		sim_ps t = viz_model_col_time(vm, c);

		if (t > end)
			break;
		if (!machine_run_until(m, t, err))
			goto fail;
		sample_tsc(vm, m, t, c);
	}
	if (whole && !machine_run(m, err))
		goto fail;
	for (unsigned i = 0; i < vm->nlanes; i++)
		if (vm->lanes[i].kind == VIZ_LANE_IRQ || vm->lanes[i].kind == VIZ_LANE_PVCLOCK)
			fill(&vm->lanes[i], viz_model_col(vm, end) + (end < t1 ? 1 : 0));
	if (m_out)
		*m_out = m;
	else
		machine_destroy(m);
	free(vm->causes);         /* only the folding needs them */
	vm->causes = NULL;
	return true;
fail:
	machine_destroy(m);
	free(vm->causes);
	vm->causes = NULL;
	return false;
}

/* Appends len bytes of p to buf (n bytes so far, cap in all), cut at cap - 1; the new length. */
static size_t put(char *buf, size_t cap, size_t n, const char *p, size_t len)
{
	if (n + len > cap - 1)
		len = cap - 1 - n;
	memcpy(buf + n, p, len);
	buf[n + len] = '\0';
	return n + len;
}

void viz_model_name_vms(struct viz_model *vm)
{
	if (vm->s->nvms < 2)
		return;
	for (unsigned i = 0; i < vm->nviolations; i++) {
		struct viz_violation *v = &vm->violations[i];
		const size_t cap = sizeof(v->explain);
		char old[VIZ_EXPLAIN_MAX];
		const char *p = old, *at, *name;
		size_t n = 0;

		if (!v->in_vm || v->vmi >= vm->s->nvms)
			continue;
		name = vm->s->vms[v->vmi].name;
		memcpy(old, v->explain, sizeof(old));
		old[sizeof(old) - 1] = '\0';
		/* the reader's words are all of its VM: each "vCPU " gets the VM before it */
		while ((at = strstr(p, "vCPU "))) {
			n = put(v->explain, cap, n, p, (size_t)(at - p));
			n = put(v->explain, cap, n, "VM ", 3);
			n = put(v->explain, cap, n, name, strlen(name));
			n = put(v->explain, cap, n, " vCPU ", 6);
			p = at + 5;
		}
		put(v->explain, cap, n, p, strlen(p));
	}
}

void viz_model_free(struct viz_model *vm)
{
	for (unsigned i = 0; i < vm->nlanes; i++) {
		free(vm->lanes[i].u.b);
		free(vm->lanes[i].pages);
	}
	vm->nlanes = 0;
}
