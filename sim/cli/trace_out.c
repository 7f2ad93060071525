/* The trace stream as JSON Lines: see trace_out.h. */
#include "sim/cli/trace_out.h"

static void w_read(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_read *r = &rec->u.read;

	json_out_key_str(j, "reader", r->reader);
	json_out_key_u64(j, "group", r->group);
	json_out_key_u64(j, "vcpu", r->vcpu);
	json_out_key_u64(j, "start_ps", r->start_ps);
	json_out_key_u64(j, "value_ns", r->value_ns);
}

static void w_pvclock(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_pvclock_write *p = &rec->u.pvclock;

	json_out_key_u64(j, "vm", p->vm);
	json_out_key_u64(j, "vcpu", p->vcpu);
	json_out_key_u64(j, "version", p->version);
	json_out_key_u64(j, "tsc_timestamp", p->tsc_timestamp);
	json_out_key_u64(j, "system_time_ns", p->system_time_ns);
	json_out_key_u64(j, "tsc_to_system_mul", p->tsc_to_system_mul);
	json_out_key_i64(j, "tsc_shift", p->tsc_shift);
	json_out_key_u64(j, "flags", p->flags);
}

static void w_tsc(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_tsc_write *t = &rec->u.tsc;

	json_out_key_u64(j, "vm", t->vm);
	json_out_key_u64(j, "vcpu", t->vcpu);
	json_out_key_i64(j, "offset", t->offset);
	json_out_key_u64(j, "ratio", t->ratio);
	json_out_key_u64(j, "ratio_frac_bits", t->ratio_frac_bits);
}

static void w_master(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_master_clock *m = &rec->u.master;

	json_out_key_u64(j, "vm", m->vm);
	json_out_key_bool(j, "use_master_clock", m->use_master_clock);
	json_out_key_u64(j, "host_tsc", m->host_tsc);
	json_out_key_u64(j, "host_ns", m->host_ns);
}

static void w_irq(struct json_out *j, const struct sim_trace_record *rec)
{
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

static void w_access(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_device_access *a = &rec->u.access;

	json_out_key_str(j, "device", a->device);
	json_out_key_str(j, "bus", (unsigned)a->bus <= SIM_TRACE_BUS_MMIO ? bus_names[a->bus] : "?");
	json_out_key_u64(j, "addr", a->addr);
	json_out_key_u64(j, "size", a->size);
	json_out_key_bool(j, "write", a->write);
	json_out_key_u64(j, "value", a->value);
}

static void w_vmm(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_vmm_phase *v = &rec->u.vmm;

	json_out_key_str(j, "action", v->action);
	json_out_key_str(j, "phase", v->phase);
	json_out_key_u64(j, "vm", v->vm);
	json_out_key_u64(j, "index", v->index);
}

static void w_violation(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_violation *v = &rec->u.violation;

	json_out_key_str(j, "reader", v->reader);
	json_out_key_str(j, "check", v->check);
	json_out_key_u64(j, "vcpu", v->vcpu);
	json_out_key_u64(j, "value_ns", v->value_ns);
	json_out_key_i64(j, "amount", v->amount);
}

static void w_timer(struct json_out *j, const struct sim_trace_record *rec)
{
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

static void w_run(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_guest_run *g = &rec->u.run;

	json_out_key_str(j, "action", g->action);
	json_out_key_u64(j, "vm", g->vm);
	json_out_key_u64(j, "index", g->index);
	json_out_key_bool(j, "running", g->running);
	json_out_key_bool(j, "vm_clock", g->vm_clock);
}

/* The fields of each record kind, in the order of its struct. */
static void (*const writers[])(struct json_out *j, const struct sim_trace_record *rec) = {
	[SIM_TRACE_READ] = w_read,
	[SIM_TRACE_PVCLOCK_WRITE] = w_pvclock,
	[SIM_TRACE_TSC_WRITE] = w_tsc,
	[SIM_TRACE_MASTER_CLOCK] = w_master,
	[SIM_TRACE_IRQ_EDGE] = w_irq,
	[SIM_TRACE_DEVICE_ACCESS] = w_access,
	[SIM_TRACE_VMM_PHASE] = w_vmm,
	[SIM_TRACE_VIOLATION] = w_violation,
	[SIM_TRACE_GUEST_TIMER] = w_timer,
	[SIM_TRACE_GUEST_RUN] = w_run,
};

_Static_assert(sizeof(writers) / sizeof(writers[0]) == SIM_TRACE_KIND_COUNT,
	       "one writer per trace record kind");

void trace_out_init(struct trace_out *t, FILE *f)
{
	json_out_init_compact(&t->j, f);
	t->records = 0;
}

void trace_out_begin_run(struct trace_out *t, const char *file, const char *name, uint64_t seed)
{
	json_out_begin_object(&t->j);
	json_out_key_str(&t->j, "kind", "run");
	json_out_key_str(&t->j, "file", file);
	json_out_key_str(&t->j, "name", name);
	json_out_key_u64(&t->j, "seed", seed);
	json_out_end_object(&t->j);
}

void trace_out_record(void *ctx, const struct sim_trace_record *rec)
{
	struct trace_out *t = ctx;
	const char *kind = sim_trace_kind_name(rec->kind);

	if (!kind)
		return;
	json_out_begin_object(&t->j);
	json_out_key_str(&t->j, "kind", kind);
	json_out_key_u64(&t->j, "t_ps", rec->t_ps);
	writers[rec->kind](&t->j, rec);
	json_out_end_object(&t->j);
	t->records++;
}

bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr)
{
	return sim_trace_subscribe(tr, SIM_TRACE_ALL, trace_out_record, t);
}
