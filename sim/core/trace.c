#include "sim/core/trace.h"

#include <string.h>

static const char *const kind_names[] = {
#define SIM_TRACE_NAME(id, name) [id] = name,
	SIM_TRACE_KINDS(SIM_TRACE_NAME)
#undef SIM_TRACE_NAME
};

_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == SIM_TRACE_KIND_COUNT,
	       "one name per trace record kind");
_Static_assert(SIM_TRACE_KIND_COUNT <= 32, "kinds are bits of a uint32_t mask");

void sim_trace_init(struct sim_trace *t)
{
	memset(t, 0, sizeof(*t));
}

bool sim_trace_subscribe(struct sim_trace *t, uint32_t mask, sim_trace_fn *fn, void *ctx)
{
	if (t->nsubs == SIM_TRACE_MAX_SUBSCRIBERS || !fn)
		return false;
	t->subs[t->nsubs].fn = fn;
	t->subs[t->nsubs].ctx = ctx;
	t->subs[t->nsubs].mask = mask & SIM_TRACE_ALL;
	t->nsubs++;
	t->wanted |= mask & SIM_TRACE_ALL;
	return true;
}

void sim_trace_publish(const struct sim_trace *t, const struct sim_trace_record *rec)
{
	uint32_t bit;

	if (!t || (unsigned)rec->kind >= SIM_TRACE_KIND_COUNT)
		return;
	bit = SIM_TRACE_BIT(rec->kind);
	for (unsigned i = 0; i < t->nsubs; i++)
		if (t->subs[i].mask & bit)
			t->subs[i].fn(t->subs[i].ctx, rec);
}

const char *sim_trace_kind_name(enum sim_trace_kind kind)
{
	return (unsigned)kind < SIM_TRACE_KIND_COUNT ? kind_names[kind] : NULL;
}

bool sim_trace_record_vm(const struct sim_trace_record *rec, unsigned *vm)
{
	switch (rec->kind) {
	case SIM_TRACE_PVCLOCK_WRITE: *vm = rec->u.pvclock.vm; return true;
	case SIM_TRACE_TSC_WRITE: *vm = rec->u.tsc.vm; return true;
	case SIM_TRACE_MASTER_CLOCK: *vm = rec->u.master.vm; return true;
	case SIM_TRACE_VMM_PHASE: *vm = rec->u.vmm.vm; return true;
	case SIM_TRACE_GUEST_TIMER: *vm = rec->u.timer.vm; return true;
	case SIM_TRACE_GUEST_RUN: *vm = rec->u.run.vm; return true;
	default: return false;
	}
}
