/* The trace stream as a Perfetto protobuf trace: see perfetto_out.h. */
#include "sim/cli/perfetto_out.h"

#include <stdlib.h>
#include <string.h>

#include "sim/export/decimate.h"
#include "sim/export/pb.h"
#include "oracle/oracle.h"
#include "sim/vmm/vmm.h"

/*
 * Field numbers, from google/perfetto protos/perfetto/trace/: trace.proto
 * (Trace), trace_packet.proto (TracePacket), track_event/track_event.proto,
 * track_descriptor.proto, counter_descriptor.proto, debug_annotation.proto.
 * tests/perfetto/trace_subset.proto declares the same subset for protoc.
 */
enum {
	TRACE_PACKET = 1,
	TP_TIMESTAMP = 8,
	TP_SEQUENCE_ID = 10,          /* trusted_packet_sequence_id */
	TP_TRACK_EVENT = 11,
	TP_SEQUENCE_FLAGS = 13,
	TP_TRACK_DESCRIPTOR = 60,
	TE_DEBUG_ANNOTATIONS = 4,
	TE_TYPE = 9,
	TE_TRACK_UUID = 11,
	TE_CATEGORIES = 22,
	TE_NAME = 23,
	TE_COUNTER_VALUE = 30,
	TE_FLOW_IDS = 47,
	TE_TERMINATING_FLOW_IDS = 48,
	TD_UUID = 1,
	TD_NAME = 2,
	TD_PROCESS = 3,
	TD_PARENT_UUID = 5,
	TD_COUNTER = 8,
	PD_PID = 1,                   /* process_descriptor.proto: ProcessDescriptor */
	PD_PROCESS_NAME = 6,
	CD_UNIT = 3,
	DA_UINT = 3,
	DA_INT = 4,
	DA_STRING = 6,
	DA_NAME = 10,
};

enum te_type { TE_SLICE_BEGIN = 1, TE_SLICE_END = 2, TE_INSTANT = 3, TE_COUNTER = 4 };
enum cd_unit { UNIT_NONE = 0, UNIT_TIME_NS = 1, UNIT_COUNT = 2 };

#define SEQUENCE_ID 1
#define SEQ_INCREMENTAL_STATE_CLEARED 1

/* Track uuids: fixed numbers per role, so that reruns write the same bytes. */
#define UUID_ROOT UINT64_C(1)
#define UUID_VMM(k) (UINT64_C(0x10) + (k))
#define UUID_GUEST_RUN UINT64_C(0x40)
#define UUID_HOST_CHECKS UINT64_C(0x41)
#define UUID_MASTER_CLOCK UINT64_C(0x42)
#define UUID_VCPU(v, field) (UINT64_C(0x1000) + (uint64_t)(v) * 8u + (field))
#define UUID_HOST_CPU(c) (UINT64_C(0x10000) + (c))
#define UUID_SERIES(i, field) (UINT64_C(0x100000) + (uint64_t)(i) * 2u + (field))
/* Several VMs: each VM's block, and each (VM, vCPU) row's tracks, far above the series. */
#define UUID_VM(vm, role) (UINT64_C(0x100000000000) + (uint64_t)(vm) * 0x100u + (role))
#define UUID_VM_ROW(row, field) (UINT64_C(0x200000000000) + (uint64_t)(row) * 8u + (field))

/* The roles in a VM's block (several VMs); one VM keeps the fixed uuids above. */
enum vm_role { VR_PROCESS, VR_GUEST_RUN, VR_MASTER_CLOCK, VR_VMM };

/* (reader, CPU) pairs: vCPU numbers reach SCN_MAX_VCPUS, host CPUs SCN_MAX_HOST_CPUS. */
#define MAP_CPUS (SCN_MAX_VCPUS > SCN_MAX_HOST_CPUS ? SCN_MAX_VCPUS : SCN_MAX_HOST_CPUS)

/* The vCPU's tracks: a group and, under it, one per page field, and its page writes. */
enum vcpu_track {
	VT_GROUP, VT_VERSION, VT_SYSTEM_TIME, VT_TSC_TIMESTAMP, VT_FLAGS, VT_WRITES, VT_TSC_WRITES
};

/* One reader on one (v)CPU: its clock error counter and its instants. */
struct series {
	struct perfetto_out *p;
	unsigned group, cpu;
	bool guest;
	bool has_origin;
	sim_ps t0_ps;
	uint64_t v0_ns;
	struct decimator dec;
};

struct perfetto_out {
	FILE *f;
	const struct scenario *s;
	struct pb_buf pb;
	uint64_t packets;
	unsigned nvms;
	bool several;                     /* nvms > 1: a process track per VM */
	unsigned *vcpu_base;              /* per VM: its vCPU 0's row */
	unsigned *nvcpus;                 /* per VM */
	unsigned nseries;
	struct series *series;
	int32_t (*map)[MAP_CPUS];         /* (group, cpu) -> series, -1; a row per group */
	uint64_t next_flow;
	uint64_t *flow;                   /* per row: a page write's flow waiting for its read */
	sim_ps *flow_ps;
	bool (*vmm_open)[VMM_ACTION_COUNT];  /* per VM: a phase slice is open on the action's track */
	bool *stopped_open;               /* per VM: the guest-stopped slice is open */
};

/* A VM's track of a role: under its process track with several VMs, the run's with one. */
static uint64_t vm_track(const struct perfetto_out *p, unsigned vm, enum vm_role role,
			 unsigned k)
{
	if (!p->several)
		return role == VR_GUEST_RUN ? UUID_GUEST_RUN : role == VR_MASTER_CLOCK ?
		       UUID_MASTER_CLOCK : role == VR_VMM ? UUID_VMM(k) : UUID_ROOT;
	return UUID_VM(vm, role + (role == VR_VMM ? k : 0));
}

/* A vCPU's track (vcpu_track field) of VM vm. */
static uint64_t vcpu_track(const struct perfetto_out *p, unsigned vm, unsigned vcpu,
			   unsigned field)
{
	return p->several ? UUID_VM_ROW(p->vcpu_base[vm] + vcpu, field) : UUID_VCPU(vcpu, field);
}

static uint64_t ns_of(sim_ps t)
{
	return t / SIM_PS_PER_NS;
}

/* Trace.packet (field 1, length-delimited) around the packet built in p->pb. */
static void emit_packet(struct perfetto_out *p)
{
	uint8_t hdr[11];
	size_t k;

	if (!pb_complete(&p->pb))
		return;
	hdr[0] = TRACE_PACKET << 3 | PB_LEN;
	k = 1 + pb_varint(hdr + 1, p->pb.n);
	fwrite(hdr, 1, k, p->f);
	fwrite(p->pb.b, 1, p->pb.n, p->f);
	p->packets++;
}

static void packet_begin(struct perfetto_out *p, bool timed, sim_ps t)
{
	pb_reset(&p->pb);
	if (timed)
		pb_uint(&p->pb, TP_TIMESTAMP, ns_of(t));
	pb_uint(&p->pb, TP_SEQUENCE_ID, SEQUENCE_ID);
	if (p->packets == 0)
		pb_uint(&p->pb, TP_SEQUENCE_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
}

/* A track; pid > 0: a process track (a VM, named by name) with no parent. */
static void describe_track(struct perfetto_out *p, uint64_t uuid, uint64_t parent,
			   const char *name, bool counter, enum cd_unit unit, unsigned pid)
{
	packet_begin(p, false, 0);
	pb_begin(&p->pb, TP_TRACK_DESCRIPTOR);
	pb_uint(&p->pb, TD_UUID, uuid);
	if (parent)
		pb_uint(&p->pb, TD_PARENT_UUID, parent);
	pb_string(&p->pb, TD_NAME, name);
	if (pid) {
		pb_begin(&p->pb, TD_PROCESS);
		pb_uint(&p->pb, PD_PID, pid);
		pb_string(&p->pb, PD_PROCESS_NAME, name);
		pb_end(&p->pb);
	}
	if (counter) {
		pb_begin(&p->pb, TD_COUNTER);
		if (unit != UNIT_NONE)
			pb_uint(&p->pb, CD_UNIT, unit);
		pb_end(&p->pb);
	}
	pb_end(&p->pb);
	emit_packet(p);
}

static void describe(struct perfetto_out *p, uint64_t uuid, uint64_t parent, const char *name,
		     bool counter, enum cd_unit unit)
{
	describe_track(p, uuid, parent, name, counter, unit, 0);
}

/* A TrackEvent packet is opened; the caller adds fields and calls event_end(). */
static void event_begin(struct perfetto_out *p, sim_ps t, uint64_t track, enum te_type type,
			const char *name)
{
	packet_begin(p, true, t);
	pb_begin(&p->pb, TP_TRACK_EVENT);
	pb_uint(&p->pb, TE_TYPE, type);
	pb_uint(&p->pb, TE_TRACK_UUID, track);
	if (name) {
		pb_string(&p->pb, TE_CATEGORIES, "sim");
		pb_string(&p->pb, TE_NAME, name);
	}
}

static void event_end(struct perfetto_out *p)
{
	pb_end(&p->pb);
	emit_packet(p);
}

static void counter(struct perfetto_out *p, sim_ps t, uint64_t track, int64_t value)
{
	event_begin(p, t, track, TE_COUNTER, NULL);
	pb_int(&p->pb, TE_COUNTER_VALUE, value);
	event_end(p);
}

static void arg_str(struct perfetto_out *p, const char *name, const char *v)
{
	pb_begin(&p->pb, TE_DEBUG_ANNOTATIONS);
	pb_string(&p->pb, DA_NAME, name);
	pb_string(&p->pb, DA_STRING, v);
	pb_end(&p->pb);
}

static void arg_uint(struct perfetto_out *p, const char *name, uint64_t v)
{
	pb_begin(&p->pb, TE_DEBUG_ANNOTATIONS);
	pb_string(&p->pb, DA_NAME, name);
	pb_uint(&p->pb, DA_UINT, v);
	pb_end(&p->pb);
}

static void arg_int(struct perfetto_out *p, const char *name, int64_t v)
{
	pb_begin(&p->pb, TE_DEBUG_ANNOTATIONS);
	pb_string(&p->pb, DA_NAME, name);
	pb_int(&p->pb, DA_INT, v);
	pb_end(&p->pb);
}

/* The decimator kept a read: its clock error on the series' counter track. */
static void on_kept(void *ctx, const struct dec_sample *smp, enum dec_why why)
{
	struct series *sr = ctx;
	uint64_t idx = (uint64_t)(sr - sr->p->series);

	(void)why;
	counter(sr->p, smp->t_ps, UUID_SERIES(idx, 0), smp->value);
}

/* The (v)CPUs a reader runs on, as the scenario lists them. */
static unsigned reader_cpus(const struct scn_reader *r, const unsigned **cpus)
{
	if (r->on_host) {
		*cpus = r->cpus;
		return r->ncpus;
	}
	*cpus = r->vcpus;
	return r->nvcpus;
}

/* Each VM's vCPU rows and its open slices; false when out of memory. */
static bool vm_tables(struct perfetto_out *p, const struct scenario *s)
{
	const unsigned n = s->nvms ? s->nvms : 1;
	unsigned rows = 0;

	p->nvms = s->nvms;
	p->several = s->nvms > 1;
	p->vcpu_base = calloc(n, sizeof(*p->vcpu_base));
	p->nvcpus = calloc(n, sizeof(*p->nvcpus));
	p->vmm_open = calloc(n, sizeof(*p->vmm_open));
	p->stopped_open = calloc(n, sizeof(*p->stopped_open));
	if (!p->vcpu_base || !p->nvcpus || !p->vmm_open || !p->stopped_open)
		return false;
	for (unsigned i = 0; i < s->nvms; i++) {
		p->vcpu_base[i] = rows;
		p->nvcpus[i] = s->vms[i].nvcpus;
		rows += s->vms[i].nvcpus;
	}
	p->flow = calloc(rows ? rows : 1, sizeof(*p->flow));
	p->flow_ps = calloc(rows ? rows : 1, sizeof(*p->flow_ps));
	return p->flow && p->flow_ps;
}

struct perfetto_out *perfetto_out_create(FILE *f, const struct scenario *s)
{
	struct perfetto_out *p = calloc(1, sizeof(*p));
	unsigned n = 0;

	if (!p)
		return NULL;
	p->f = f;
	p->s = s;
	if (!vm_tables(p, s)) {
		perfetto_out_destroy(p);
		return NULL;
	}
	p->map = calloc(s->nreaders ? s->nreaders : 1, sizeof(*p->map));
	if (!p->map) {
		perfetto_out_destroy(p);
		return NULL;
	}
	memset(p->map, 0xff, (s->nreaders ? s->nreaders : 1) * sizeof(*p->map));
	for (unsigned g = 0; g < s->nreaders; g++) {
		const unsigned *cpus;

		n += reader_cpus(&s->readers[g], &cpus);
	}
	p->series = calloc(n ? n : 1, sizeof(*p->series));
	if (!p->series) {
		perfetto_out_destroy(p);
		return NULL;
	}
	for (unsigned g = 0; g < s->nreaders; g++) {
		const unsigned *cpus;
		unsigned nc = reader_cpus(&s->readers[g], &cpus);

		for (unsigned i = 0; i < nc; i++) {
			struct series *sr;

			if (cpus[i] >= MAP_CPUS || p->map[g][cpus[i]] >= 0)
				continue;
			sr = &p->series[p->nseries];
			*sr = (struct series){ .p = p, .group = g, .cpu = cpus[i],
					       .guest = !s->readers[g].on_host };
			dec_init(&sr->dec, PERFETTO_WINDOW, PERFETTO_BUCKET_PS, on_kept, sr);
			p->map[g][cpus[i]] = (int32_t)p->nseries++;
		}
	}
	return p;
}

void perfetto_out_destroy(struct perfetto_out *p)
{
	if (!p)
		return;
	free(p->series);
	free(p->map);
	free(p->vcpu_base);
	free(p->nvcpus);
	free(p->vmm_open);
	free(p->stopped_open);
	free(p->flow);
	free(p->flow_ps);
	free(p);
}

uint64_t perfetto_out_packets(const struct perfetto_out *p)
{
	return p->packets;
}

static const char *const vcpu_fields[] = {
	[VT_VERSION] = "pvclock version", [VT_SYSTEM_TIME] = "pvclock system_time",
	[VT_TSC_TIMESTAMP] = "pvclock tsc_timestamp", [VT_FLAGS] = "pvclock flags",
	[VT_WRITES] = "pvclock writes", [VT_TSC_WRITES] = "TSC writes",
};

_Static_assert(sizeof(vcpu_fields) / sizeof(vcpu_fields[0]) == VT_TSC_WRITES + 1,
	       "one name per vCPU track");

/* A VM's VMM action tracks and its guest-stopped track, under parent. */
static void describe_vm_actions(struct perfetto_out *p, unsigned vm, uint64_t parent)
{
	char name[SCN_NAME_MAX + 64];

	for (unsigned k = 0; k < VMM_ACTION_COUNT; k++) {
		snprintf(name, sizeof(name), "VMM %s", vmm_action_name((enum vmm_action_kind)k));
		describe(p, vm_track(p, vm, VR_VMM, k), parent, name, false, UNIT_NONE);
	}
	describe(p, vm_track(p, vm, VR_GUEST_RUN, 0), parent, "guest stopped", false, UNIT_NONE);
}

/* A VM's master clock track and its vCPUs' groups and page tracks, under parent. */
static void describe_vm_vcpus(struct perfetto_out *p, unsigned vm, uint64_t parent)
{
	static const enum cd_unit units[] = {
		[VT_VERSION] = UNIT_COUNT, [VT_SYSTEM_TIME] = UNIT_TIME_NS,
		[VT_TSC_TIMESTAMP] = UNIT_COUNT, [VT_FLAGS] = UNIT_COUNT,
	};
	const unsigned n = vm < p->nvms ? p->nvcpus[vm] : 0;
	char name[SCN_NAME_MAX + 64];

	if (n)
		describe(p, vm_track(p, vm, VR_MASTER_CLOCK, 0), parent, "KVM master clock", false,
			 UNIT_NONE);
	for (unsigned v = 0; v < n; v++) {
		snprintf(name, sizeof(name), "vCPU %u", v);
		describe(p, vcpu_track(p, vm, v, VT_GROUP), parent, name, false, UNIT_NONE);
		for (unsigned f = VT_VERSION; f <= VT_TSC_WRITES; f++) {
			snprintf(name, sizeof(name), "vCPU %u %s", v, vcpu_fields[f]);
			describe(p, vcpu_track(p, vm, v, f), vcpu_track(p, vm, v, VT_GROUP), name,
				 f < VT_WRITES, f < VT_WRITES ? units[f] : UNIT_NONE);
		}
	}
}

/*
 * One VM: its tracks under the run's (as before VMs were several).  Several:
 * a process track per VM, named by the VM (pid: its index + 1), with its
 * VMM, guest-stopped, master clock and vCPU tracks under it.
 */
static void describe_tracks(struct perfetto_out *p)
{
	bool host_cpu_done[SCN_MAX_HOST_CPUS] = { false };
	char name[SCN_NAME_MAX + 64];

	snprintf(name, sizeof(name), "sim: %s", p->s->name);
	describe(p, UUID_ROOT, 0, name, false, UNIT_NONE);
	if (!p->several) {
		describe_vm_actions(p, 0, UUID_ROOT);
		describe(p, UUID_HOST_CHECKS, UUID_ROOT, "host check violations", false, UNIT_NONE);
		describe_vm_vcpus(p, 0, UUID_ROOT);
	} else {
		describe(p, UUID_HOST_CHECKS, UUID_ROOT, "host check violations", false, UNIT_NONE);
		for (unsigned vm = 0; vm < p->nvms; vm++) {
			uint64_t proc = vm_track(p, vm, VR_PROCESS, 0);

			describe_track(p, proc, 0, p->s->vms[vm].name, false, UNIT_NONE, vm + 1);
			describe_vm_actions(p, vm, proc);
			describe_vm_vcpus(p, vm, proc);
		}
	}
	for (unsigned i = 0; i < p->nseries; i++) {
		const struct series *sr = &p->series[i];
		const char *rname = p->s->readers[sr->group].name;
		uint64_t parent = vcpu_track(p, p->s->readers[sr->group].vm, sr->cpu, VT_GROUP);

		if (!sr->guest) {
			parent = UUID_HOST_CPU(sr->cpu);
			if (sr->cpu < SCN_MAX_HOST_CPUS && !host_cpu_done[sr->cpu]) {
				host_cpu_done[sr->cpu] = true;
				snprintf(name, sizeof(name), "host CPU %u", sr->cpu);
				describe(p, parent, UUID_ROOT, name, false, UNIT_NONE);
			}
		}
		snprintf(name, sizeof(name), "%s error (ns)", rname);
		describe(p, UUID_SERIES(i, 0), parent, name, true, UNIT_TIME_NS);
		snprintf(name, sizeof(name), "%s reads", rname);
		describe(p, UUID_SERIES(i, 1), parent, name, false, UNIT_NONE);
	}
}

static struct series *series_of(struct perfetto_out *p, unsigned group, unsigned cpu)
{
	if (group >= p->s->nreaders || cpu >= MAP_CPUS || p->map[group][cpu] < 0)
		return NULL;
	return &p->series[p->map[group][cpu]];
}

/* Clock error: elapsed on the reader minus true time elapsed, from its first read (ns). */
static int64_t clock_error_ns(const struct series *sr, sim_ps t, uint64_t value_ns)
{
	sim_i128 e = ((sim_i128)(int64_t)(value_ns - sr->v0_ns) * 1000 -
		      (sim_i128)(t - sr->t0_ps)) / 1000;

	return e > INT64_MAX ? INT64_MAX : e < INT64_MIN ? INT64_MIN : (int64_t)e;
}

static void on_read(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_read *r = &rec->u.read;
	struct series *sr = series_of(p, r->group, r->vcpu);
	struct dec_sample smp;
	unsigned vm, row = 0;

	if (!sr)
		return;
	vm = p->s->readers[r->group].vm;
	/* a guest's read may end the flow of its vCPU's page write ((VM, vCPU) row) */
	if (sr->guest) {
		if (vm >= p->nvms || r->vcpu >= p->nvcpus[vm])
			return;
		row = p->vcpu_base[vm] + r->vcpu;
	}
	if (!sr->has_origin) {
		sr->has_origin = true;
		sr->t0_ps = rec->t_ps;
		sr->v0_ns = r->value_ns;
	}
	if (sr->guest && p->flow[row] && r->start_ps >= p->flow_ps[row]) {
		event_begin(p, rec->t_ps, UUID_SERIES(sr - p->series, 1), TE_INSTANT,
			    "first read after the page write");
		pb_fixed64(&p->pb, TE_TERMINATING_FLOW_IDS, p->flow[row]);
		arg_uint(p, "value_ns", r->value_ns);
		arg_uint(p, "start_ns", ns_of(r->start_ps));
		event_end(p);
		p->flow[row] = 0;
	}
	smp = (struct dec_sample){ .t_ps = rec->t_ps, .value = clock_error_ns(sr, rec->t_ps,
									      r->value_ns),
				   .aux = r->value_ns };
	dec_push(&sr->dec, &smp);
}

/* A reader's violation names an oracle check; a host check's names its kind. */
static bool is_reader_check(const char *check)
{
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
		if (strcmp(oracle_check_name((enum oracle_check_id)c), check) == 0)
			return true;
	return false;
}

static void on_violation(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_violation *v = &rec->u.violation;
	struct series *sr = NULL;
	uint64_t track = UUID_HOST_CHECKS;
	char name[SCN_NAME_MAX + 48];

	for (unsigned g = 0; g < p->s->nreaders && !sr && is_reader_check(v->check); g++)
		if (strcmp(p->s->readers[g].name, v->reader) == 0)
			sr = series_of(p, g, v->vcpu);
	if (sr) {
		dec_mark(&sr->dec);
		track = UUID_SERIES(sr - p->series, 1);
		snprintf(name, sizeof(name), "violation: %s", v->check);
	} else {
		snprintf(name, sizeof(name), "violation: %s %s", v->reader, v->check);
	}
	event_begin(p, rec->t_ps, track, TE_INSTANT, name);
	arg_str(p, "reader", v->reader);
	arg_str(p, "check", v->check);
	arg_uint(p, "vcpu", v->vcpu);
	arg_uint(p, "value_ns", v->value_ns);
	arg_int(p, "amount", v->amount);
	arg_uint(p, "t_ps", rec->t_ps);
	event_end(p);
}

static void on_pvclock(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_pvclock_write *w = &rec->u.pvclock;
	const unsigned v = w->vcpu, vm = w->vm;
	unsigned row;

	if (vm >= p->nvms || v >= p->nvcpus[vm])
		return;
	row = p->vcpu_base[vm] + v;
	counter(p, rec->t_ps, vcpu_track(p, vm, v, VT_VERSION), w->version);
	counter(p, rec->t_ps, vcpu_track(p, vm, v, VT_SYSTEM_TIME), (int64_t)w->system_time_ns);
	counter(p, rec->t_ps, vcpu_track(p, vm, v, VT_TSC_TIMESTAMP), (int64_t)w->tsc_timestamp);
	counter(p, rec->t_ps, vcpu_track(p, vm, v, VT_FLAGS), w->flags);
	p->flow[row] = ++p->next_flow;
	p->flow_ps[row] = rec->t_ps;
	event_begin(p, rec->t_ps, vcpu_track(p, vm, v, VT_WRITES), TE_INSTANT, "page write");
	pb_fixed64(&p->pb, TE_FLOW_IDS, p->flow[row]);
	arg_uint(p, "version", w->version);
	arg_uint(p, "system_time_ns", w->system_time_ns);
	arg_uint(p, "tsc_timestamp", w->tsc_timestamp);
	arg_uint(p, "tsc_to_system_mul", w->tsc_to_system_mul);
	arg_int(p, "tsc_shift", w->tsc_shift);
	arg_uint(p, "flags", w->flags);
	event_end(p);
}

/* KVM set a vCPU's TSC offset or scaling: an instant with both. */
static void on_tsc_write(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_tsc_write *w = &rec->u.tsc;

	if (w->vm >= p->nvms || w->vcpu >= p->nvcpus[w->vm])
		return;
	event_begin(p, rec->t_ps, vcpu_track(p, w->vm, w->vcpu, VT_TSC_WRITES), TE_INSTANT,
		    "TSC write");
	arg_int(p, "offset", w->offset);
	arg_uint(p, "ratio", w->ratio);
	arg_uint(p, "ratio_frac_bits", w->ratio_frac_bits);
	event_end(p);
}

/* KVM took (or dropped) its master clock: an instant with the pair it took. */
static void on_master_clock(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_master_clock *m = &rec->u.master;

	if (m->vm >= p->nvms || !p->nvcpus[m->vm])
		return;
	event_begin(p, rec->t_ps, vm_track(p, m->vm, VR_MASTER_CLOCK, 0), TE_INSTANT,
		    m->use_master_clock ? "master clock taken" : "no master clock");
	arg_uint(p, "host_tsc", m->host_tsc);
	arg_uint(p, "host_ns", m->host_ns);
	event_end(p);
}

static int action_kind(const char *name)
{
	for (unsigned k = 0; k < VMM_ACTION_COUNT; k++)
		if (strcmp(vmm_action_name((enum vmm_action_kind)k), name) == 0)
			return (int)k;
	return -1;
}

/*
 * A phase runs until the action's next phase: a slice, except the action's
 * last phase (vmm_action_phases), which is an instant.
 */
static void on_vmm(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_vmm_phase *v = &rec->u.vmm;
	int k = action_kind(v->action);
	const char *const *phases;
	bool last = true, *open;
	uint64_t track;
	char name[96];

	if (k < 0 || (v->vm >= p->nvms && p->nvms))
		return;
	open = &p->vmm_open[p->nvms ? v->vm : 0][k];
	track = vm_track(p, v->vm, VR_VMM, (unsigned)k);
	phases = vmm_action_phases((enum vmm_action_kind)k);
	for (unsigned i = 0; phases[i]; i++)
		if (strcmp(phases[i], v->phase) == 0)
			last = phases[i + 1] == NULL;
	if (*open) {
		event_begin(p, rec->t_ps, track, TE_SLICE_END, NULL);
		event_end(p);
		*open = false;
	}
	snprintf(name, sizeof(name), "%s%u: %s", v->action, v->index, v->phase);
	event_begin(p, rec->t_ps, track, last ? TE_INSTANT : TE_SLICE_BEGIN, name);
	event_end(p);
	*open = !last;
}

static void on_guest_run(struct perfetto_out *p, const struct sim_trace_record *rec)
{
	const struct sim_trace_guest_run *g = &rec->u.run;
	bool *open;
	uint64_t track;
	char name[96];

	if (g->vm >= p->nvms && p->nvms)
		return;
	open = &p->stopped_open[p->nvms ? g->vm : 0];
	track = vm_track(p, g->vm, VR_GUEST_RUN, 0);
	if (!g->running && !*open) {
		snprintf(name, sizeof(name), "stopped: %s%u%s", g->action, g->index,
			 g->vm_clock ? " (VM clock stopped)" : "");
		event_begin(p, rec->t_ps, track, TE_SLICE_BEGIN, name);
		event_end(p);
		*open = true;
	} else if (g->running && *open) {
		event_begin(p, rec->t_ps, track, TE_SLICE_END, NULL);
		event_end(p);
		*open = false;
	}
}

static void record(void *ctx, const struct sim_trace_record *rec)
{
	struct perfetto_out *p = ctx;

	switch (rec->kind) {
	case SIM_TRACE_READ:
		on_read(p, rec);
		break;
	case SIM_TRACE_VIOLATION:
		on_violation(p, rec);
		break;
	case SIM_TRACE_PVCLOCK_WRITE:
		on_pvclock(p, rec);
		break;
	case SIM_TRACE_VMM_PHASE:
		on_vmm(p, rec);
		break;
	case SIM_TRACE_GUEST_RUN:
		on_guest_run(p, rec);
		break;
	case SIM_TRACE_TSC_WRITE:
		on_tsc_write(p, rec);
		break;
	case SIM_TRACE_MASTER_CLOCK:
		on_master_clock(p, rec);
		break;
	default:
		break;
	}
}

bool perfetto_out_begin(struct perfetto_out *p, struct sim_trace *tr)
{
	describe_tracks(p);
	return sim_trace_subscribe(tr, SIM_TRACE_BIT(SIM_TRACE_READ) |
				   SIM_TRACE_BIT(SIM_TRACE_VIOLATION) |
				   SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) |
				   SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE) |
				   SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN) |
				   SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE) |
				   SIM_TRACE_BIT(SIM_TRACE_MASTER_CLOCK), record, p);
}

void perfetto_out_finish(struct perfetto_out *p, sim_ps end_ps)
{
	for (unsigned i = 0; i < p->nseries; i++)
		dec_flush(&p->series[i].dec);
	for (unsigned vm = 0; vm < (p->nvms ? p->nvms : 1); vm++) {
		for (unsigned k = 0; k < VMM_ACTION_COUNT; k++) {
			if (!p->vmm_open[vm][k])
				continue;
			event_begin(p, end_ps, vm_track(p, vm, VR_VMM, k), TE_SLICE_END, NULL);
			event_end(p);
			p->vmm_open[vm][k] = false;
		}
		if (p->stopped_open[vm]) {
			event_begin(p, end_ps, vm_track(p, vm, VR_GUEST_RUN, 0), TE_SLICE_END, NULL);
			event_end(p);
			p->stopped_open[vm] = false;
		}
	}
}
