/* The trace stream as a Value Change Dump: see vcd_out.h. */
#include "sim/cli/vcd_out.h"

#include <stdlib.h>
#include <string.h>

#include "sim/export/vcd.h"
#include "sim/kvm/pvclock.h"

#define MAX_LINES IRQ_ROUTER_IOAPIC_PINS
#define MAX_HPET_TIMERS 32

/* What each board device shows: its last access, and its counters (-1: none). */
struct dev_vars {
	int read_addr, read_value, write_addr, write_value;
};

struct vcd_out {
	struct vcd v;
	int line[MAX_LINES];
	unsigned nvms;
	unsigned *vcpu_base;      /* per VM: its vCPU 0's row in the tables below */
	unsigned *nvcpus;         /* per VM */
	int *stable, *stopped, *version;   /* per (VM, vCPU) row: the signals */
	struct dev_vars dev[BOARD_DEV_COUNT];
	int hpet_counter;
	unsigned hpet_bits;
	unsigned hpet_timers;
	int hpet_comparator[MAX_HPET_TIMERS];
	int pm_count;
	uint64_t pm_port;
	uint64_t unknown;
};

struct vcd_out *vcd_out_create(FILE *f)
{
	struct vcd_out *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->v.f = f;
	return w;
}

void vcd_out_destroy(struct vcd_out *w)
{
	if (!w)
		return;
	vcd_free(&w->v);
	free(w->vcpu_base);
	free(w->nvcpus);
	free(w->stable);
	free(w->stopped);
	free(w->version);
	free(w);
}

uint64_t vcd_out_changes(const struct vcd_out *w)
{
	return w->v.changes;
}

uint64_t vcd_out_unknown(const struct vcd_out *w)
{
	return w->unknown;
}

static bool present(const struct platform *pf, enum board_device d)
{
	return pf->slot[d].chip != NULL;
}

/*
 * The lines the board can drive (irq_router.c names them "irqN" after the
 * intercept line): the PIT's IRQ0, the RTC's IRQ8, the HPET's legacy
 * replacement (0 and 8) and every I/O APIC pin its timers may route to.
 */
static uint32_t board_lines(const struct platform *pf)
{
	uint32_t m = 0;

	if (present(pf, BOARD_DEV_PIT))
		m |= 1u << 0;
	if (present(pf, BOARD_DEV_RTC))
		m |= 1u << 8;
	if (present(pf, BOARD_DEV_HPET)) {
		m |= 1u << 0 | 1u << 8;
		m |= pf->params.hpet_int_route_cap;
	}
	return m & ((UINT32_C(1) << MAX_LINES) - 1u);
}

static void declare_devices(struct vcd_out *w, const struct platform *pf)
{
	char name[VCD_NAME_MAX];

	for (unsigned d = 0; d < BOARD_DEV_COUNT; d++) {
		const char *stem = board_device_name((enum board_device)d);
		struct dev_vars *x = &w->dev[d];

		*x = (struct dev_vars){ -1, -1, -1, -1 };
		if (!present(pf, (enum board_device)d))
			continue;
		x->read_addr = vcd_add(&w->v, stem, "read_addr", 64);
		x->read_value = vcd_add(&w->v, stem, "read_value", 64);
		x->write_addr = vcd_add(&w->v, stem, "write_addr", 64);
		x->write_value = vcd_add(&w->v, stem, "write_value", 64);
		if (d == BOARD_DEV_HPET) {
			w->hpet_bits = pf->params.hpet_counter_64bit ? 64 : 32;
			w->hpet_counter = vcd_add(&w->v, stem, "main_counter", w->hpet_bits);
			w->hpet_timers = pf->params.hpet_timers < MAX_HPET_TIMERS ?
					 pf->params.hpet_timers : MAX_HPET_TIMERS;
			for (unsigned t = 0; t < w->hpet_timers; t++) {
				snprintf(name, sizeof(name), "timer%u_comparator", t);
				w->hpet_comparator[t] = vcd_add(&w->v, stem, name, 64);
			}
		} else if (d == BOARD_DEV_PMTIMER) {
			w->pm_port = pf->params.pmtimer_port;
			w->pm_count = vcd_add(&w->v, stem, "count", pf->params.pmtimer_bits);
		}
	}
}

/* Each VM's vCPU rows; false when out of memory. */
static bool vcpu_tables(struct vcd_out *w, const struct scenario *s)
{
	unsigned rows = 0;

	w->nvms = s->nvms;
	w->vcpu_base = calloc(s->nvms ? s->nvms : 1, sizeof(*w->vcpu_base));
	w->nvcpus = calloc(s->nvms ? s->nvms : 1, sizeof(*w->nvcpus));
	if (!w->vcpu_base || !w->nvcpus)
		return false;
	for (unsigned i = 0; i < s->nvms; i++) {
		w->vcpu_base[i] = rows;
		w->nvcpus[i] = s->vms[i].nvcpus;
		rows += s->vms[i].nvcpus;
	}
	w->stable = calloc(rows ? rows : 1, sizeof(int));
	w->stopped = calloc(rows ? rows : 1, sizeof(int));
	w->version = calloc(rows ? rows : 1, sizeof(int));
	return w->stable && w->stopped && w->version;
}

/*
 * One scope per vCPU: "vcpuN" with one VM (as before VMs were several),
 * "vm_NAME/vcpuN" with several, so that every signal's full name is unique
 * and no VM's scope can meet a device's.
 */
static void declare_vcpus(struct vcd_out *w, const struct scenario *s)
{
	char scope[VCD_SCOPE_MAX];

	for (unsigned vm = 0; vm < w->nvms; vm++) {
		for (unsigned c = 0; c < w->nvcpus[vm]; c++) {
			unsigned row = w->vcpu_base[vm] + c;

			if (w->nvms > 1)
				snprintf(scope, sizeof(scope), "vm_%s/vcpu%u", s->vms[vm].name, c);
			else
				snprintf(scope, sizeof(scope), "vcpu%u", c);
			w->stable[row] = vcd_add(&w->v, scope, "stable", 1);
			w->stopped[row] = vcd_add(&w->v, scope, "guest_stopped", 1);
			w->version[row] = vcd_add(&w->v, scope, "pvclock_version", 32);
		}
	}
}

static void declare(struct vcd_out *w, const struct scenario *s, const struct platform *pf)
{
	uint32_t lines = board_lines(pf);
	char name[VCD_NAME_MAX];

	w->hpet_counter = w->pm_count = -1;
	for (unsigned i = 0; i < MAX_LINES; i++) {
		w->line[i] = -1;
		if (lines & (UINT32_C(1) << i)) {
			snprintf(name, sizeof(name), "irq%u", i);
			w->line[i] = vcd_add(&w->v, "irq", name, 1);
		}
	}
	declare_vcpus(w, s);
	declare_devices(w, pf);
}

static void on_access(struct vcd_out *w, const struct sim_trace_record *rec)
{
	const struct sim_trace_device_access *a = &rec->u.access;
	const struct dev_vars *x = NULL;
	unsigned d;

	for (d = 0; d < BOARD_DEV_COUNT; d++) {
		if (strcmp(board_device_name((enum board_device)d), a->device) == 0) {
			x = &w->dev[d];
			break;
		}
	}
	if (!x)
		return;           /* an address no device decodes */
	vcd_change(&w->v, rec->t_ps, a->write ? x->write_addr : x->read_addr, a->addr);
	vcd_change(&w->v, rec->t_ps, a->write ? x->write_value : x->read_value, a->value);
	if (d == BOARD_DEV_HPET && a->addr == PLATFORM_HPET_BASE + HPET_MAIN_CNT) {
		vcd_change(&w->v, rec->t_ps, w->hpet_counter, a->value);
	} else if (d == BOARD_DEV_HPET) {
		for (unsigned t = 0; t < w->hpet_timers; t++)
			if (a->addr == PLATFORM_HPET_BASE + HPET_TIMN_COMP(t))
				vcd_change(&w->v, rec->t_ps, w->hpet_comparator[t], a->value);
	} else if (d == BOARD_DEV_PMTIMER && a->addr == w->pm_port && !a->write) {
		vcd_change(&w->v, rec->t_ps, w->pm_count, a->value);
	}
}

/* An HPET comparator's timer was armed or fired: the counter and comparator then. */
static void on_timer(struct vcd_out *w, const struct sim_trace_record *rec)
{
	const struct sim_trace_guest_timer *g = &rec->u.timer;

	if (!g->hpet_timer || g->hpet_timer > w->hpet_timers)
		return;           /* an APIC timer */
	vcd_change(&w->v, rec->t_ps, w->hpet_counter, g->hpet_count);
	vcd_change(&w->v, rec->t_ps, w->hpet_comparator[g->hpet_timer - 1], g->hpet_comparator);
}

static void record(void *ctx, const struct sim_trace_record *rec)
{
	struct vcd_out *w = ctx;

	switch (rec->kind) {
	case SIM_TRACE_IRQ_EDGE:
		if (rec->u.irq.pin < MAX_LINES && w->line[rec->u.irq.pin] >= 0)
			vcd_change(&w->v, rec->t_ps, w->line[rec->u.irq.pin], rec->u.irq.level);
		else
			w->unknown++;
		break;
	case SIM_TRACE_PVCLOCK_WRITE: {
		const struct sim_trace_pvclock_write *p = &rec->u.pvclock;
		unsigned row;

		if (p->vm >= w->nvms || p->vcpu >= w->nvcpus[p->vm]) {
			w->unknown++;
			break;
		}
		row = w->vcpu_base[p->vm] + p->vcpu;
		vcd_change(&w->v, rec->t_ps, w->stable[row],
			   (p->flags & PVCLOCK_TSC_STABLE_BIT) != 0);
		vcd_change(&w->v, rec->t_ps, w->stopped[row],
			   (p->flags & PVCLOCK_GUEST_STOPPED) != 0);
		vcd_change(&w->v, rec->t_ps, w->version[row], p->version);
		break;
	}
	case SIM_TRACE_DEVICE_ACCESS:
		on_access(w, rec);
		break;
	case SIM_TRACE_GUEST_TIMER:
		on_timer(w, rec);
		break;
	default:
		break;
	}
}

bool vcd_out_begin(struct vcd_out *w, const struct scenario *s, const struct platform *pf,
		   struct sim_trace *tr)
{
	char comment[128 + sizeof(s->name)];

	snprintf(comment, sizeof(comment), "sim %s, scenario %s, seed %llu", SIM_VERSION, s->name,
		 (unsigned long long)s->seed);
	vcd_begin(&w->v, w->v.f, comment);
	if (!vcpu_tables(w, s))
		return false;
	declare(w, s, pf);
	if (w->v.overflow)
		return false;
	vcd_end_header(&w->v, "sim");
	return sim_trace_subscribe(tr, SIM_TRACE_BIT(SIM_TRACE_IRQ_EDGE) |
				   SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) |
				   SIM_TRACE_BIT(SIM_TRACE_DEVICE_ACCESS) |
				   SIM_TRACE_BIT(SIM_TRACE_GUEST_TIMER), record, w);
}

void vcd_out_finish(struct vcd_out *w, sim_ps end_ps)
{
	vcd_finish(&w->v, end_ps);
}
