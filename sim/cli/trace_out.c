/* The trace stream as JSON Lines: see trace_out.h. */
#include "sim/cli/trace_out.h"

static void key_u64(struct json_out *j, const char *key, uint64_t v)
{
	json_out_key(j, key);
	json_out_u64(j, v);
}

static void key_i64(struct json_out *j, const char *key, int64_t v)
{
	json_out_key(j, key);
	json_out_i64(j, v);
}

static void key_str(struct json_out *j, const char *key, const char *v)
{
	json_out_key(j, key);
	json_out_str(j, v);
}

static void key_bool(struct json_out *j, const char *key, bool v)
{
	json_out_key(j, key);
	json_out_bool(j, v);
}

static void w_read(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_read *r = &rec->u.read;

	key_str(j, "reader", r->reader);
	key_u64(j, "group", r->group);
	key_u64(j, "vcpu", r->vcpu);
	key_u64(j, "start_ps", r->start_ps);
	key_u64(j, "value_ns", r->value_ns);
}

static void w_pvclock(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_pvclock_write *p = &rec->u.pvclock;

	key_u64(j, "vm", p->vm);
	key_u64(j, "vcpu", p->vcpu);
	key_u64(j, "version", p->version);
	key_u64(j, "tsc_timestamp", p->tsc_timestamp);
	key_u64(j, "system_time_ns", p->system_time_ns);
	key_u64(j, "tsc_to_system_mul", p->tsc_to_system_mul);
	key_i64(j, "tsc_shift", p->tsc_shift);
	key_u64(j, "flags", p->flags);
}

static void w_tsc(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_tsc_write *t = &rec->u.tsc;

	key_u64(j, "vm", t->vm);
	key_u64(j, "vcpu", t->vcpu);
	key_i64(j, "offset", t->offset);
	key_u64(j, "ratio", t->ratio);
	key_u64(j, "ratio_frac_bits", t->ratio_frac_bits);
}

static void w_master(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_master_clock *m = &rec->u.master;

	key_u64(j, "vm", m->vm);
	key_bool(j, "use_master_clock", m->use_master_clock);
	key_u64(j, "host_tsc", m->host_tsc);
	key_u64(j, "host_ns", m->host_ns);
}

static void w_irq(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_irq_edge *e = &rec->u.irq;

	key_str(j, "line", e->line);
	key_u64(j, "pin", e->pin);
	key_bool(j, "level", e->level);
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

	key_str(j, "device", a->device);
	key_str(j, "bus", (unsigned)a->bus <= SIM_TRACE_BUS_MMIO ? bus_names[a->bus] : "?");
	key_u64(j, "addr", a->addr);
	key_u64(j, "size", a->size);
	key_bool(j, "write", a->write);
	key_u64(j, "value", a->value);
}

static void w_vmm(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_vmm_phase *v = &rec->u.vmm;

	key_str(j, "action", v->action);
	key_str(j, "phase", v->phase);
	key_u64(j, "vm", v->vm);
	key_u64(j, "index", v->index);
}

static void w_violation(struct json_out *j, const struct sim_trace_record *rec)
{
	const struct sim_trace_violation *v = &rec->u.violation;

	key_str(j, "reader", v->reader);
	key_str(j, "check", v->check);
	key_u64(j, "vcpu", v->vcpu);
	key_u64(j, "value_ns", v->value_ns);
	key_i64(j, "amount", v->amount);
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
	key_str(&t->j, "kind", "run");
	key_str(&t->j, "file", file);
	key_str(&t->j, "name", name);
	key_u64(&t->j, "seed", seed);
	json_out_end_object(&t->j);
}

void trace_out_record(void *ctx, const struct sim_trace_record *rec)
{
	struct trace_out *t = ctx;
	const char *kind = sim_trace_kind_name(rec->kind);

	if (!kind)
		return;
	json_out_begin_object(&t->j);
	key_str(&t->j, "kind", kind);
	key_u64(&t->j, "t_ps", rec->t_ps);
	writers[rec->kind](&t->j, rec);
	json_out_end_object(&t->j);
	t->records++;
}

bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr)
{
	return sim_trace_subscribe(tr, SIM_TRACE_ALL, trace_out_record, t);
}
