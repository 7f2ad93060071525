/* The trace stream as sim-trace v1 lines: see trace_out.h and docs/trace-format.md. */
#include "sim/cli/trace_out.h"

#include <string.h>

/* The judge reads a read's bracket as its ref_before / ref_after (true time, ps). */
static void w_read(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_read *r = &rec->u.read;
	struct json_out *j = &t->j;

	json_out_key_u64(j, "vcpu", r->vcpu);
	json_out_key_u64(j, "seq", r->vcpu < TRACE_OUT_MAX_CPUS ? ++t->seq[r->vcpu] : 0);
	json_out_key_str(j, "clock", r->reader);
	json_out_key_u64(j, "value_ns", r->value_ns);
	json_out_key_u64(j, "ref_before", r->start_ps);
	json_out_key_u64(j, "ref_after", rec->t_ps);
}

/* kvm:kvm_pvclock_update's fields, under sim-trace's names. */
static void w_pvclock(struct trace_out *t, const struct sim_trace_record *rec)
{
	const struct sim_trace_pvclock_write *p = &rec->u.pvclock;
	struct json_out *j = &t->j;

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

static void w_violation(struct trace_out *t, const struct sim_trace_record *rec)
{
	struct json_out *j = &t->j;
	const struct sim_trace_violation *v = &rec->u.violation;

	json_out_key_str(j, "reader", v->reader);
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
	json_out_init_compact(&t->j, f);
	t->records = 0;
	memset(t->seq, 0, sizeof(t->seq));
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

void trace_out_begin_run(struct trace_out *t, const struct trace_out_header *h)
{
	struct json_out *j = &t->j;

	memset(t->seq, 0, sizeof(t->seq));
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
	json_out_key_str(j, "scenario", h->scenario);
	json_out_key_u64(j, "seed", h->seed);
	json_out_key_str(j, "src", h->file);
	json_out_end_object(j);
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
