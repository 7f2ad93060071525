/* The trace stream as sim-trace v1 lines: see trace_out.h and docs/trace-format.md. */
#include "sim/cli/trace_out.h"

#include <stdlib.h>
#include <string.h>

/* With several VMs, a VM-scoped line's "vm": its index in the header's "vms". */
static void w_vm(struct trace_out *t, unsigned vm)
{
	if (t->several && vm != TRACE_OUT_NONE)
		json_out_key_u64(&t->j, "vm", vm);
}

/* The counter of a read on (v)CPU cpu of vm (TRACE_OUT_NONE: a host's); NULL beyond them. */
static uint64_t *seq_of(struct trace_out *t, unsigned vm, unsigned cpu)
{
	size_t i;

	if (cpu >= t->cpus)
		return NULL;
	/* several VMs: the host's counters first, then each VM's */
	i = t->several ? (size_t)(vm == TRACE_OUT_NONE ? 0 : vm + 1) * t->cpus + cpu : cpu;
	return i < t->nseq ? &t->seq[i] : NULL;
}

/* The judge reads a read's bracket as its ref_before / ref_after (true time, ps). */
static void w_read(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_read *r = &rec->u.read;
	struct json_out *j = &t->j;
	unsigned vm = r->group < t->nclocks ? t->clock_vm[r->group] : TRACE_OUT_NONE;
	unsigned home = r->group < t->nclocks ? t->clock_home[r->group] : TRACE_OUT_NONE;
	uint64_t *seq = seq_of(t, vm, r->vcpu);

	w_vm(t, vm);
	json_out_key_u64(j, "vcpu", r->vcpu);
	json_out_key_u64(j, "seq", seq ? ++*seq : 0);
	json_out_key_str(j, "clock", r->reader);
	json_out_key_u64(j, "value_ns", r->value_ns);
	json_out_key_u64(j, "ref_before", r->start_ps);
	json_out_key_u64(j, "ref_after", rec->t_ps);
	/* a process reader_migrate moved: still the one that began on its home CPU */
	if (home != TRACE_OUT_NONE && r->vcpu != home)
		json_out_key_u64(j, "thread", home);
}

/* kvm:kvm_pvclock_update's fields, under sim-trace's names. */
static void w_pvclock(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_pvclock_write *p = &rec->u.pvclock;
	struct json_out *j = &t->j;

	w_vm(t, p->vm);
	json_out_key_u64(j, "vcpu", p->vcpu);
	json_out_key_u64(j, "ref", rec->t_ps);
	json_out_key_u64(j, "version", p->version);
	json_out_key_u64(j, "tsc_timestamp", p->tsc_timestamp);
	json_out_key_u64(j, "system_time", p->system_time_ns);
	json_out_key_u64(j, "tsc_to_system_mul", p->tsc_to_system_mul);
	json_out_key_i64(j, "tsc_shift", p->tsc_shift);
	json_out_key_u64(j, "flags", p->flags);
}

/* kvm:kvm_write_tsc_offset's "next": the offset as KVM's u64 (two's complement). */
static void w_tsc(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_tsc_write *w = &rec->u.tsc;
	struct json_out *j = &t->j;

	w_vm(t, w->vm);
	json_out_key_u64(j, "vcpu", w->vcpu);
	json_out_key_u64(j, "ref", rec->t_ps);
	json_out_key_u64(j, "next", (uint64_t)w->offset);
	json_out_key_u64(j, "ratio", w->ratio);
	json_out_key_u64(j, "ratio_frac_bits", w->ratio_frac_bits);
}

static void w_master(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_master_clock *m = &rec->u.master;
	struct json_out *j = &t->j;

	w_vm(t, m->vm);
	json_out_key_u64(j, "ref", rec->t_ps);
	json_out_key_bool(j, "use_master_clock", m->use_master_clock);
	json_out_key_u64(j, "host_tsc", m->host_tsc);
	json_out_key_u64(j, "host_ns", m->host_ns);
}

static void w_irq(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_irq_edge *e = &rec->u.irq;

	json_out_key_str(j, "line", e->line);
	json_out_key_u64(j, "pin", e->pin);
	json_out_key_bool(j, "level", e->level);
}

static const char *const bus_names[] = {
	[SIM_TRACE_BUS_PORT] = "port",
	[SIM_TRACE_BUS_MMIO] = "mmio",
};

_Static_assert(sizeof(bus_names) / sizeof(bus_names[0]) == SIM_TRACE_BUS_MMIO + 1,
	       "one name per bus");

static void w_access(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_device_access *a = &rec->u.access;

	json_out_key_str(j, "device", a->device);
	json_out_key_str(j, "bus", (unsigned)a->bus <= SIM_TRACE_BUS_MMIO ? bus_names[a->bus] : "?");
	json_out_key_u64(j, "addr", a->addr);
	json_out_key_u64(j, "size", a->size);
	json_out_key_bool(j, "write", a->write);
	json_out_key_u64(j, "value", a->value);
}

static void w_vmm(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_vmm_phase *v = &rec->u.vmm;

	json_out_key_str(j, "action", v->action);
	json_out_key_str(j, "phase", v->phase);
	json_out_key_u64(j, "vm", v->vm);
	json_out_key_u64(j, "index", v->index);
}

static unsigned violation_vm(const struct trace_out *t, const char *name)
{
	for (unsigned i = 0; i < t->nclocks; i++)
		if (strcmp(t->clocks[i], name) == 0)
			return t->clock_vm[i];
	for (unsigned i = 0; i < t->nchecks; i++)
		if (strcmp(t->checks[i], name) == 0)
			return t->check_vm[i];
	return TRACE_OUT_NONE;
}

static void w_violation(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_violation *v = &rec->u.violation;

	json_out_key_str(j, "reader", v->reader);
	if (t->several)   /* rare lines: the VM of the reader or host check by its name */
		w_vm(t, violation_vm(t, v->reader));
	json_out_key_str(j, "check", v->check);
	json_out_key_u64(j, "vcpu", v->vcpu);
	json_out_key_u64(j, "value_ns", v->value_ns);
	json_out_key_i64(j, "amount", v->amount);
}

static void w_timer(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_guest_timer *g = &rec->u.timer;

	json_out_key_u64(j, "vm", g->vm);
	json_out_key_u64(j, "vcpu", g->vcpu);
	json_out_key_str(j, "mode", g->mode);
	json_out_key_bool(j, "fire", g->fire);
	json_out_key_u64(j, "armed_ps", g->armed_ps);
	json_out_key_u64(j, "period_ps", g->period_ps);
	json_out_key_u64(j, "deadline_tsc", g->deadline_tsc);
	json_out_key_u64(j, "guest_tsc", g->guest_tsc);
	json_out_key_u64(j, "tsc_khz", g->tsc_khz);
	json_out_key_i64(j, "deadline_skew", g->deadline_skew);
	json_out_key_u64(j, "kvmclock_ns", g->kvmclock_ns);
	json_out_key_u64(j, "page_flags", g->page_flags);
	if (!g->hpet_timer)
		return;           /* an APIC timer's record ends here */
	json_out_key_u64(j, "hpet_timer", g->hpet_timer);
	json_out_key_u64(j, "hpet_target", g->hpet_target);
	json_out_key_u64(j, "hpet_count", g->hpet_count);
	json_out_key_u64(j, "hpet_comparator", g->hpet_comparator);
	json_out_key_u64(j, "hpet_period_fs", g->hpet_period_fs);
}

static void w_run(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_guest_run *g = &rec->u.run;

	json_out_key_str(j, "action", g->action);
	json_out_key_u64(j, "vm", g->vm);
	json_out_key_u64(j, "index", g->index);
	json_out_key_bool(j, "running", g->running);
	json_out_key_bool(j, "vm_clock", g->vm_clock);
}

/*
 * Each record kind's line: its sim-trace type and its fields.  KVM's three
 * take the names of the tracepoints' lines (trace_v1); sim's own kinds keep
 * their names and put their time in "ref".
 */
static const struct {
	const char *type;
	void (*write)(struct trace_out *t, const struct sim_trace_record *rec);
	bool ref;                 /* "ref" (true time, ps) leads the fields */
} writers[] = {
	[SIM_TRACE_READ] = { "read", w_read, false },
	[SIM_TRACE_PVCLOCK_WRITE] = { "pvclock", w_pvclock, false },
	[SIM_TRACE_TSC_WRITE] = { "tsc_offset", w_tsc, false },
	[SIM_TRACE_MASTER_CLOCK] = { "masterclock", w_master, false },
	[SIM_TRACE_IRQ_EDGE] = { "irq_edge", w_irq, true },
	[SIM_TRACE_DEVICE_ACCESS] = { "device_access", w_access, true },
	[SIM_TRACE_VMM_PHASE] = { "vmm_phase", w_vmm, true },
	[SIM_TRACE_VIOLATION] = { "violation", w_violation, true },
	[SIM_TRACE_GUEST_TIMER] = { "guest_timer", w_timer, true },
	[SIM_TRACE_GUEST_RUN] = { "guest_run", w_run, true },
};

_Static_assert(sizeof(writers) / sizeof(writers[0]) == SIM_TRACE_KIND_COUNT,
	       "one writer per trace record kind");

void trace_out_init(struct trace_out *t, FILE *f)
{
	memset(t, 0, sizeof(*t));
	json_out_init_compact(&t->j, f);
	t->seq = t->seq0;
	t->nseq = t->cpus = TRACE_OUT_MAX_CPUS;
}

void trace_out_free(struct trace_out *t)
{
	if (t->seq != t->seq0)
		free(t->seq);
	free(t->clock_vm);
	free(t->clock_home);
	free(t->check_vm);
	free(t->clocks);
	free(t->checks);
	t->seq = NULL;
	t->clock_vm = t->clock_home = t->check_vm = NULL;
	t->clocks = t->checks = NULL;
	t->nseq = t->nclocks = t->nchecks = 0;
}

/* n entries of src, or of TRACE_OUT_NONE without it; NULL when out of memory. */
static unsigned *copy_table(const unsigned *src, unsigned n)
{
	unsigned *a = malloc((n ? n : 1) * sizeof(*a));

	for (unsigned i = 0; a && i < n; i++)
		a[i] = src ? src[i] : TRACE_OUT_NONE;
	return a;
}

static const char **copy_names(const char *const *src, unsigned n)
{
	const char **a = malloc((n ? n : 1) * sizeof(*a));

	for (unsigned i = 0; a && i < n; i++)
		a[i] = src[i];
	return a;
}

/* The run's tables: which VM each clock and host check is on, each read counter. */
static bool take_tables(struct trace_out *t, const struct trace_out_header *h)
{
	size_t nseq;

	trace_out_free(t);
	t->several = h->nvms > 1;
	t->cpus = h->cpus ? h->cpus : 1;
	nseq = (size_t)t->cpus * (t->several ? h->nvms + 1 : 1);
	t->seq = calloc(nseq, sizeof(*t->seq));
	t->clock_vm = copy_table(h->clock_vm, h->nclocks);
	t->clock_home = copy_table(h->clock_home, h->nclocks);
	t->check_vm = copy_table(h->check_vm, h->nchecks);
	t->clocks = copy_names(h->clocks, h->nclocks);
	t->checks = copy_names(h->checks, h->nchecks);
	if (!t->seq || !t->clock_vm || !t->clock_home || !t->check_vm || !t->clocks || !t->checks) {
		trace_out_free(t);
		return false;
	}
	t->nseq = nseq;
	t->nclocks = h->nclocks;
	t->nchecks = h->nchecks;
	return true;
}

static void str_array(struct json_out *j, const char *key, const struct trace_out_header *h,
		      bool only_guest)
{
	json_out_key(j, key);
	json_out_begin_array(j);
	for (unsigned i = 0; i < h->nclocks; i++)
		if (!only_guest || h->guest[i])
			json_out_str(j, h->clocks[i]);
	json_out_end_array(j);
}

bool trace_out_begin_run(struct trace_out *t, const struct trace_out_header *h)
{
	struct json_out *j = &t->j;

	if (!take_tables(t, h))
		return false;
	json_out_begin_object(j);
	json_out_key_str(j, "type", "header");
	json_out_key_str(j, "format", "sim-trace");
	json_out_key_u64(j, "version", 1);
	json_out_key_str(j, "producer", "sim " SIM_VERSION);
	json_out_key_str(j, "ref", "true_time");
	json_out_key_str(j, "ref_unit", "ps");
	str_array(j, "clocks", h, false);
	str_array(j, "guest_clocks", h, true);
	json_out_key_u64(j, "cpus", h->cpus);
	if (t->several) {
		json_out_key(j, "vms");
		json_out_begin_array(j);
		for (unsigned i = 0; i < h->nvms; i++)
			json_out_str(j, h->vms[i]);
		json_out_end_array(j);
	}
	json_out_key_str(j, "scenario", h->scenario);
	json_out_key_u64(j, "seed", h->seed);
	json_out_key_str(j, "src", h->file);
	json_out_end_object(j);
	return true;
}

void trace_out_record(void *ctx, const struct sim_trace_record *rec)
{
	struct trace_out *t = ctx;

	if ((unsigned)rec->kind >= SIM_TRACE_KIND_COUNT)
		return;
	json_out_begin_object(&t->j);
	json_out_key_str(&t->j, "type", writers[rec->kind].type);
	if (writers[rec->kind].ref)
		json_out_key_u64(&t->j, "ref", rec->t_ps);
	writers[rec->kind].write(t, rec);
	json_out_end_object(&t->j);
	t->records++;
}

bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr)
{
	return sim_trace_subscribe(tr, SIM_TRACE_ALL, trace_out_record, t);
}
