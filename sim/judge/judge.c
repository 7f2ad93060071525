/* `sim judge`'s driver: see judge.h and docs/trace-format.md. */
#include "sim/judge/judge.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct judge {
	const struct judge_policy *pol;
	bool have_header;
	struct judge_header h;
	bool listed;              /* the header listed the clocks: no others */
	bool guest_listed;        /* ... and which of them are the guest's */
	unsigned nclocks, cap;
	struct judge_clock *clocks;   /* grows by doubling, to JUDGE_MAX_CLOCKS */
	unsigned last_clock;      /* consecutive reads are often of one clock */
	char ignore[JUDGE_MAX_IGNORED][32];
	unsigned nignore;
	char (*vm_names)[JUDGE_VM_NAME_MAX];  /* the header's "vms" */
	/*
	 * Per (VM, vCPU): h.cpus counters for each VM, then h.cpus for the
	 * reads that name no VM.  0: none yet (seq counts from any value).
	 */
	uint64_t *last_seq;
	bool *have_seq;
	bool have_order;
	uint64_t last_order;
	bool *paused;             /* per VM: its guest stopped (guest_run) */
	sim_ps *pause_ps;
	struct judge_replay *replay;
	uint64_t lines;
	uint64_t type_lines[JT_TYPE_COUNT + 1];
};

static enum judge_status bad(struct sim_diag *d, unsigned lineno, unsigned col, const char *key,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Bad input at line lineno, column col (0: the line as a whole), key: the field. */
static enum judge_status bad(struct sim_diag *d, unsigned lineno, unsigned col, const char *key,
			     const char *fmt, ...)
{
	va_list ap;
	char path[64];

	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
	sim_diag_set_pos(d, lineno, col ? col : 1);
	if (key) {
		snprintf(path, sizeof(path), "/%s", key);
		sim_diag_set_path(d, path);
	}
	return JUDGE_ERROR;
}

/* The column of field f in the line at hand (`l`), for an error about it. */
#define COL(f) (l->have & JT_BIT(f) ? l->col[f] : 0u)

struct judge *judge_create(const struct judge_policy *p)
{
	struct judge *j = calloc(1, sizeof(*j));

	if (j)
		j->pol = p;
	return j;
}

void judge_destroy(struct judge *j)
{
	if (!j)
		return;
	for (unsigned i = 0; i < j->nclocks; i++) {
		oracle_destroy(j->clocks[i].time_o);
		oracle_destroy(j->clocks[i].causal_o);
		free(j->clocks[i].vcpus_seen);
	}
	free(j->clocks);
	free(j->vm_names);
	free(j->paused);
	free(j->pause_ps);
	free(j->last_seq);
	free(j->have_seq);
	judge_replay_destroy(j->replay);
	free(j);
}

static struct judge_clock *add_clock(struct judge *j, const char *name)
{
	struct judge_clock *c;
	size_t n;

	if (j->nclocks == JUDGE_MAX_CLOCKS)
		return NULL;
	if (j->nclocks == j->cap) {
		unsigned cap = j->cap ? j->cap * 2 : 16;
		struct judge_clock *a = realloc(j->clocks, cap * sizeof(*a));

		if (!a)
			return NULL;
		j->clocks = a;
		j->cap = cap;
	}
	c = &j->clocks[j->nclocks];
	memset(c, 0, sizeof(*c));
	/* the callers refused longer names (each_string's cap, read_line's check) */
	n = strnlen(name, sizeof(c->name) - 1);
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	c->guest = !j->guest_listed;
	c->vm = JUDGE_NO_VM;
	c->vcpus_seen = calloc((j->h.cpus + 63) / 64, sizeof(uint64_t));
	if (!c->vcpus_seen)
		return NULL;
	j->nclocks++;
	return c;
}

static struct judge_clock *find_clock(struct judge *j, const char *name)
{
	for (unsigned i = 0; i < j->nclocks; i++)
		if (strcmp(j->clocks[i].name, name) == 0)
			return &j->clocks[i];
	return NULL;
}

/* Each string of an array value through fn; false with why on a non-string or a long one. */
static bool each_string(const struct jl_value *arr, char *buf, size_t cap,
			bool (*fn)(struct judge *j, const char *s, char *why), struct judge *j,
			char *why)
{
	struct jl_iter it;
	struct jl_value k, v;
	struct jl_error e;
	int r;

	if (!jl_begin(&it, arr->p, arr->n, true, &e))
		return false;
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		if (v.type != JL_STRING || !jl_string(&v, buf, cap) || buf[0] == '\0') {
			snprintf(why, 160, "expected names: non-empty strings of at most %zu bytes",
				 cap - 1);
			return false;
		}
		if (!fn(j, buf, why))
			return false;
	}
	return r == 0;
}

static bool list_clock(struct judge *j, const char *s, char *why)
{
	if (find_clock(j, s))
		return true;
	if (!add_clock(j, s)) {
		snprintf(why, 160, "more than %d clocks", JUDGE_MAX_CLOCKS);
		return false;
	}
	return true;
}

static bool mark_guest(struct judge *j, const char *s, char *why)
{
	struct judge_clock *c = find_clock(j, s);

	if (!c) {
		snprintf(why, 160, "\"%s\" is not in \"clocks\"", s);
		return false;
	}
	c->guest = true;
	return true;
}

static bool add_vm(struct judge *j, const char *s, char *why)
{
	char (*a)[JUDGE_VM_NAME_MAX];

	if (j->h.nvms == JUDGE_MAX_VMS) {
		snprintf(why, 160, "more than %d VMs", JUDGE_MAX_VMS);
		return false;
	}
	a = realloc(j->vm_names, (j->h.nvms + 1) * sizeof(*a));
	if (!a) {
		snprintf(why, 160, "out of memory");
		return false;
	}
	j->vm_names = a;
	snprintf(a[j->h.nvms++], JUDGE_VM_NAME_MAX, "%s", s);
	return true;
}

static bool add_ignored(struct judge *j, const char *s, char *why)
{
	size_t n = strnlen(s, sizeof(j->ignore[0]) - 1);  /* each_string refused longer names */
	char *row;

	if (j->nignore == JUDGE_MAX_IGNORED) {
		snprintf(why, 160, "more than %d types", JUDGE_MAX_IGNORED);
		return false;
	}
	row = j->ignore[j->nignore++];
	memcpy(row, s, n);
	row[n] = '\0';
	return true;
}

static enum judge_status header(struct judge *j, const struct jt_line *l, unsigned lineno,
				struct sim_diag *d)
{
	struct judge_header *h = &j->h;
	char buf[ORACLE_NAME_MAX + 32], why[160];

	if (!jl_is(&l->s[F_FORMAT], "sim-trace"))
		return bad(d, lineno, COL(F_FORMAT), "format", "expected \"sim-trace\"");
	if (l->u[F_VERSION] > JUDGE_FORMAT_VERSION)
		return bad(d, lineno, COL(F_VERSION), "version", "version %" PRIu64 " is newer than this sim reads "
			   "(%d)", l->u[F_VERSION], JUDGE_FORMAT_VERSION);
	if (l->u[F_VERSION] == 0)
		return bad(d, lineno, COL(F_VERSION), "version", "expected a version >= 1");
	if (!jl_string(&l->s[F_PRODUCER], h->producer, sizeof(h->producer)))
		return bad(d, lineno, COL(F_PRODUCER), "producer", "expected a name of at most 63 bytes");
	if ((l->have & JT_BIT(F_REF_NAME)) && !jl_string(&l->s[F_REF_NAME], h->ref, sizeof(h->ref)))
		return bad(d, lineno, COL(F_REF), "ref", "expected a name of at most 47 bytes");
	if ((l->have & JT_BIT(F_SCENARIO)) &&
	    !jl_string(&l->s[F_SCENARIO], h->scenario, sizeof(h->scenario)))
		return bad(d, lineno, COL(F_SCENARIO), "scenario", "expected a name of at most 63 bytes");
	h->has_seed = l->have & JT_BIT(F_SEED);
	h->seed = h->has_seed ? l->u[F_SEED] : 0;
	if (l->have & JT_BIT(F_REF_UNIT)) {
		if (!jl_is(&l->s[F_REF_UNIT], "ns") && !jl_is(&l->s[F_REF_UNIT], "ps"))
			return bad(d, lineno, COL(F_REF_UNIT), "ref_unit", "expected \"ns\" or \"ps\"");
		h->ref_ps = jl_is(&l->s[F_REF_UNIT], "ps");
	}
	h->cpus = JUDGE_DEFAULT_CPUS;
	if (l->have & JT_BIT(F_CPUS)) {
		if (l->u[F_CPUS] < 1 || l->u[F_CPUS] > JUDGE_MAX_CPUS)
			return bad(d, lineno, COL(F_CPUS), "cpus", "expected 1..%d", JUDGE_MAX_CPUS);
		h->cpus = (unsigned)l->u[F_CPUS];
	}
	h->tsc_khz = l->have & JT_BIT(F_TSC_KHZ) ? l->u[F_TSC_KHZ] : 0;
	j->guest_listed = l->have & JT_BIT(F_GUEST_CLOCKS);
	if (l->have & JT_BIT(F_CLOCKS)) {
		j->listed = true;
		if (!each_string(&l->s[F_CLOCKS], buf, ORACLE_NAME_MAX, list_clock, j, why))
			return bad(d, lineno, COL(F_CLOCKS), "clocks", "%s", why);
	}
	if (j->guest_listed && !each_string(&l->s[F_GUEST_CLOCKS], buf, ORACLE_NAME_MAX, mark_guest,
					    j, why))
		return bad(d, lineno, COL(F_GUEST_CLOCKS), "guest_clocks", "%s", why);
	if ((l->have & JT_BIT(F_IGNORE_TYPES)) &&
	    !each_string(&l->s[F_IGNORE_TYPES], buf, sizeof(j->ignore[0]), add_ignored, j, why))
		return bad(d, lineno, COL(F_IGNORE_TYPES), "ignore_types", "%s", why);
	if ((l->have & JT_BIT(F_VMS)) &&
	    !each_string(&l->s[F_VMS], buf, JUDGE_VM_NAME_MAX, add_vm, j, why))
		return bad(d, lineno, COL(F_VMS), "vms", "%s", why);
	if ((l->have & JT_BIT(F_VMS)) && h->nvms == 0)
		return bad(d, lineno, COL(F_VMS), "vms", "expected at least one VM's name");
	if (h->nvms == 0)
		h->nvms = 1;      /* one VM, unnamed: lines may say "vm":0 */
	j->last_seq = calloc((size_t)h->cpus * (h->nvms + 1), sizeof(*j->last_seq));
	j->have_seq = calloc((size_t)h->cpus * (h->nvms + 1), sizeof(*j->have_seq));
	j->paused = calloc(h->nvms, sizeof(*j->paused));
	j->pause_ps = calloc(h->nvms, sizeof(*j->pause_ps));
	j->replay = judge_replay_create(j->pol, h->cpus, h->nvms,
						(const char (*)[JUDGE_VM_NAME_MAX])j->vm_names,
						h->tsc_khz);
	if (!j->last_seq || !j->have_seq || !j->paused || !j->pause_ps || !j->replay)
		return bad(d, lineno, 0, NULL, "out of memory");
	j->have_header = true;
	return JUDGE_OK;
}

/* A time in the header's ref_unit as ps. */
static bool to_ps(const struct judge *j, uint64_t v, sim_ps *out)
{
	if (j->h.ref_ps) {
		*out = v;
		return true;
	}
	if (v > UINT64_MAX / SIM_PS_PER_NS)
		return false;
	*out = v * SIM_PS_PER_NS;
	return true;
}

static bool needs_ref(enum oracle_check_id c)
{
	return c == ORACLE_STEP_FWD || c == ORACLE_MAX_ERROR || c == ORACLE_RATE;
}

static bool is_causal(enum oracle_check_id c)
{
	return c == ORACLE_MONO_CAUSAL || c == ORACLE_CONSUMER_ABORT;
}

static struct oracle *make_oracle(const struct judge *j, const struct judge_clock *c,
				  bool causal_only, bool no_causal)
{
	struct oracle_group_config g = { .nreaders = j->h.cpus };

	snprintf(g.name, sizeof(g.name), "%s", c->name);
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++) {
		g.checks[i] = c->checks[i];
		if ((causal_only && !is_causal(i)) || (no_causal && is_causal(i)))
			g.checks[i].enabled = false;
	}
	return oracle_create(&g, 1);
}

/* The VM whose guest_run lines pause clock c: its own, or the first when its reads name none. */
static unsigned pause_vm(const struct judge_clock *c)
{
	return c->vm == JUDGE_NO_VM ? 0 : c->vm;
}

/* The clock's first read says how all its reads are judged. */
static enum judge_status start_clock(struct judge *j, struct judge_clock *c, bool ref, bool order,
				     bool cycles, unsigned lineno, struct sim_diag *d)
{
	bool split = ref && order;

	judge_policy_checks(j->pol, c->name, c->checks);
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++) {
		const char *name = oracle_check_name(i);

		if (!c->checks[i].enabled)
			continue;
		if (needs_ref(i) && !ref)
			return bad(d, lineno, 0, "ref_after", "%s needs the reference bracket "
				   "(ref_before and ref_after) on every read of clock \"%s\", and "
				   "its first read has none", name, c->name);
		if (needs_ref(i) && cycles)
			return bad(d, lineno, 0, "value", "%s compares ns with the reference, and clock "
				   "\"%s\" gives TSC cycles (\"value\"): judge it with --tsc-ns and "
				   "the header's tsc_khz", name, c->name);
		if (is_causal(i) && !ref && !order)
			return bad(d, lineno, 0, "order", "%s needs \"order\" or the reference bracket "
				   "on every read of clock \"%s\", and its first read has neither "
				   "(--check mono_vcpu judges it alone)", name, c->name);
	}
	c->started = true;
	c->has_ref = ref;
	c->has_order = order;
	c->cycles = cycles;
	c->time_o = make_oracle(j, c, false, split);
	if (split)
		c->causal_o = make_oracle(j, c, true, false);
	if (!c->time_o || (split && !c->causal_o))
		return bad(d, lineno, 0, NULL, "out of memory");
	if (j->paused[pause_vm(c)] && c->guest && ref)
		oracle_group_paused(c->time_o, 0, j->pause_ps[pause_vm(c)]);
	return JUDGE_OK;
}

/* The clock of this name and VM; a header's clock not yet bound takes the VM. */
static struct judge_clock *find_vm_clock(struct judge *j, const char *p, size_t n, unsigned vm,
					 bool *listed)
{
	struct judge_clock *unbound = NULL;

	for (unsigned i = 0; i < j->nclocks; i++) {
		struct judge_clock *c = &j->clocks[i];

		if (c->name[n] != '\0' || memcmp(c->name, p, n) != 0)
			continue;
		*listed = true;
		if (c->bound && c->vm == vm) {
			j->last_clock = i;
			return c;
		}
		if (!c->bound && !unbound)
			unbound = c;
	}
	if (unbound) {
		unbound->bound = true;
		unbound->vm = vm;
		j->last_clock = (unsigned)(unbound - j->clocks);
	}
	return unbound;
}

static struct judge_clock *read_clock(struct judge *j, const struct jl_value *v, unsigned vm,
				      unsigned lineno, struct sim_diag *d)
{
	char name[ORACLE_NAME_MAX + 1];
	struct judge_clock *c = j->nclocks ? &j->clocks[j->last_clock] : NULL;
	bool listed = false, guest;

	if (!v->escaped && v->n < ORACLE_NAME_MAX && v->n) {
		/* the raw name against the clocks', the last one first (reads come in runs) */
		if (c && c->bound && c->vm == vm && c->name[v->n] == '\0' &&
		    memcmp(c->name, v->p, v->n) == 0)
			return c;
	}
	if (!jl_string(v, name, sizeof(name)) || strlen(name) >= ORACLE_NAME_MAX || !name[0]) {
		bad(d, lineno, 0, "clock", "expected a clock name of 1 to %d bytes", ORACLE_NAME_MAX - 1);
		return NULL;
	}
	if ((c = find_vm_clock(j, name, strlen(name), vm, &listed)))
		return c;
	if (!listed && j->listed) {
		bad(d, lineno, 0, "clock", "\"%s\" is not one of the header's \"clocks\"", name);
		return NULL;
	}
	/* a listed clock read in a second VM: the same kind of clock, judged apart */
	guest = listed ? find_clock(j, name)->guest : !j->guest_listed;
	if (!(c = add_clock(j, name))) {
		bad(d, lineno, 0, "clock", "more than %d clocks", JUDGE_MAX_CLOCKS);
		return NULL;
	}
	c->guest = guest;
	c->bound = true;
	c->vm = vm;
	j->last_clock = (unsigned)(c - j->clocks);
	return c;
}

static enum judge_status read_line(struct judge *j, const struct jt_line *l, unsigned lineno,
				   struct sim_diag *d)
{
	const uint64_t have = l->have;
	const bool ref = have & JT_BIT(F_REF_AFTER), order = have & JT_BIT(F_ORDER);
	const bool cycles = (have & JT_BIT(F_VALUE)) && !j->pol->tsc_ns;
	const unsigned v = (unsigned)l->u[F_VCPU];
	const unsigned vm = have & JT_BIT(F_VM) ? (unsigned)l->u[F_VM] : JUDGE_NO_VM;
	const uint64_t thread = have & JT_BIT(F_THREAD) ? l->u[F_THREAD] : v;
	size_t sq;
	struct judge_clock *c;
	uint64_t value;
	sim_ps start, end;

	if (l->u[F_VCPU] >= j->h.cpus)
		return bad(d, lineno, COL(F_VCPU), "vcpu", "vCPU %" PRIu64 " is not below the header's \"cpus\" "
			   "(%u)", l->u[F_VCPU], j->h.cpus);
	if ((have & JT_BIT(F_VM)) && l->u[F_VM] >= j->h.nvms)
		return bad(d, lineno, COL(F_VM), "vm", "VM %" PRIu64 " is not below the number of the "
			   "header's \"vms\" (%u)", l->u[F_VM], j->h.nvms);
	if (thread >= j->h.cpus)
		return bad(d, lineno, COL(F_THREAD), "thread", "thread %" PRIu64 " is not below the "
			   "header's \"cpus\" (%u)", thread, j->h.cpus);
	/* each VM's vCPUs count on their own; reads without "vm" after them */
	sq = (size_t)(vm == JUDGE_NO_VM ? j->h.nvms : vm) * j->h.cpus + v;
	if (j->have_seq[sq] && l->u[F_SEQ] <= j->last_seq[sq])
		return bad(d, lineno, COL(F_SEQ), "seq", "%" PRIu64 " does not follow vCPU %u's previous seq %"
			   PRIu64 ": each vCPU's reads count up", l->u[F_SEQ], v, j->last_seq[sq]);
	j->have_seq[sq] = true;
	j->last_seq[sq] = l->u[F_SEQ];
	if (!(have & JT_BIT(F_REF_BEFORE)) != !ref)
		return bad(d, lineno, 0, ref ? "ref_after" : "ref_before", "ref_before and ref_after "
			   "come together");
	if (!(have & JT_BIT(F_VALUE_NS)) == !(have & JT_BIT(F_VALUE)))
		return bad(d, lineno, COL(F_VALUE_NS), "value_ns", "a read has \"value_ns\" (ns) or \"value\" (TSC "
			   "cycles), one of them");
	value = have & JT_BIT(F_VALUE_NS) ? l->u[F_VALUE_NS] : l->u[F_VALUE];
	if ((have & JT_BIT(F_VALUE)) && j->pol->tsc_ns) {
		if (!j->h.tsc_khz)
			return bad(d, lineno, COL(F_VALUE), "value", "--tsc-ns needs the header's \"tsc_khz\"");
		value = (uint64_t)((sim_u128)value * 1000000u / j->h.tsc_khz);
	}
	if (!(c = read_clock(j, &l->s[F_CLOCK], vm, lineno, d)))
		return JUDGE_ERROR;
	if (!c->started) {
		if (start_clock(j, c, ref, order, cycles, lineno, d) != JUDGE_OK)
			return JUDGE_ERROR;
	} else if (c->has_ref != ref || c->has_order != order || c->cycles != cycles) {
		return bad(d, lineno, 0, ref != c->has_ref ? "ref_after" : order != c->has_order ?
			   "order" : "value", "the reads of clock \"%s\" %s; this one does not",
			   c->name, ref != c->has_ref ? (c->has_ref ? "have a reference bracket" :
			   "have no reference bracket") : order != c->has_order ? (c->has_order ?
			   "have \"order\"" : "have no \"order\"") : "give their value in one unit");
	}
	if (order) {
		if (j->have_order && l->u[F_ORDER] <= j->last_order)
			return bad(d, lineno, COL(F_ORDER), "order", "%" PRIu64 " does not follow the previous read's "
				   "order %" PRIu64 ": the global order rises strictly", l->u[F_ORDER],
				   j->last_order);
		j->have_order = true;
		j->last_order = l->u[F_ORDER];
	}
	if (ref) {
		if (!to_ps(j, l->u[F_REF_BEFORE], &start) || !to_ps(j, l->u[F_REF_AFTER], &end))
			return bad(d, lineno, COL(F_REF_AFTER), "ref_after", "a reference time beyond 2^64 ps");
		if (start > end)
			return bad(d, lineno, COL(F_REF_BEFORE), "ref_before", "ref_before is after ref_after");
		if (c->reads && end < c->last_end_ps)
			return bad(d, lineno, COL(F_REF_AFTER), "ref_after", "the reads of clock \"%s\" must come in the "
				   "order of their ref_after, and this one ends before the previous one",
				   c->name);
		c->last_end_ps = end;
		oracle_feed(c->time_o, 0, (unsigned)thread, v, start, end, value);
		if (c->causal_o)   /* the order's steps: only their succession counts */
			oracle_feed(c->causal_o, 0, (unsigned)thread, v, l->u[F_ORDER], l->u[F_ORDER],
				    value);
	} else {
		/*
		 * The order as the time axis, one ns per step, so that a report shows
		 * order numbers: a larger order started after a smaller one ended.
		 */
		start = order ? l->u[F_ORDER] : c->reads;
		if (start > UINT64_MAX / SIM_PS_PER_NS)
			return bad(d, lineno, COL(F_ORDER), "order", "an order above 2^64 / 1000");
		start = end = start * SIM_PS_PER_NS;
		oracle_feed(c->time_o, 0, (unsigned)thread, v, start, end, value);
	}
	c->reads++;
	c->vcpus_seen[v / 64] |= UINT64_C(1) << (v % 64);
	return JUDGE_OK;
}

/* The line's "vm", or the first VM; d set when it is not one of the header's. */
static bool line_vm(const struct judge *j, const struct jt_line *l, unsigned lineno, unsigned *vm,
		    struct sim_diag *d)
{
	*vm = l->have & JT_BIT(F_VM) ? (unsigned)l->u[F_VM] : 0;
	if (!(l->have & JT_BIT(F_VM)) || l->u[F_VM] < j->h.nvms)
		return true;
	bad(d, lineno, COL(F_VM), "vm", "VM %" PRIu64 " is not below the number of the header's "
	    "\"vms\" (%u)", l->u[F_VM], j->h.nvms);
	return false;
}

/* A VM's guest stopped or runs again: its clocks pause and resume, the other VMs' run on. */
static enum judge_status guest_run(struct judge *j, const struct jt_line *l, sim_ps at,
				   unsigned lineno, struct sim_diag *d)
{
	const bool running = l->u[F_RUNNING];
	unsigned vm;

	if (!line_vm(j, l, lineno, &vm, d))
		return JUDGE_ERROR;
	if (running == !j->paused[vm])
		return JUDGE_OK;
	j->paused[vm] = !running;
	j->pause_ps[vm] = at;
	for (unsigned i = 0; i < j->nclocks; i++) {
		struct judge_clock *c = &j->clocks[i];

		if (!c->guest || !c->started || !c->has_ref || pause_vm(c) != vm)
			continue;
		if (running)
			oracle_group_resumed(c->time_o, 0, at);
		else
			oracle_group_paused(c->time_o, 0, at);
	}
	return JUDGE_OK;
}

static bool ignored(const struct judge *j, const struct jl_value *type)
{
	for (unsigned i = 0; i < j->nignore; i++)
		if (jl_is(type, j->ignore[i]))
			return true;
	return false;
}

enum judge_status judge_line(struct judge *j, const char *line, size_t n, unsigned lineno,
			     struct sim_diag *d)
{
	struct jt_line l;
	sim_ps at = 0;
	char name[40];

	if (!jt_parse(line, n, lineno, &l, d))
		return JUDGE_ERROR;
	if (!j->have_header) {
		if (l.type != JT_HEADER)
			return bad(d, lineno, 0, "type", "a trace starts with its header line "
				   "{\"type\":\"header\",\"format\":\"sim-trace\",\"version\":1,...}");
		j->lines++;
		j->type_lines[JT_HEADER]++;
		return header(j, &l, lineno, d);
	}
	if (l.type == JT_HEADER)
		return JUDGE_NEXT_RUN;
	j->lines++;
	if (l.type == JT_UNKNOWN) {
		if (!ignored(j, &l.s[F_TYPE])) {
			if (!jl_string(&l.s[F_TYPE], name, sizeof(name)))
				snprintf(name, sizeof(name), "(long)");
			return bad(d, lineno, 0, "type", "unknown line type \"%s\" (a header's "
				   "\"ignore_types\" may list it to skip it)", name);
		}
		j->type_lines[JT_TYPE_COUNT]++;
		return JUDGE_OK;
	}
	j->type_lines[l.type]++;
	if ((l.have & JT_BIT(F_REF)) && !to_ps(j, l.u[F_REF], &at))
		return bad(d, lineno, 0, "ref", "a reference time beyond 2^64 ps");
	switch (jt_type_use(l.type)) {
	case JT_JUDGED:
		return l.type == JT_READ ? read_line(j, &l, lineno, d) :
					     guest_run(j, &l, at, lineno, d);
	case JT_REPLAYED: {
		unsigned vm;

		if (!line_vm(j, &l, lineno, &vm, d))
			return JUDGE_ERROR;
		if (!judge_replay_line(j->replay, &l, vm, at, lineno, d)) {
			char msg[sizeof(d->msg)];

			snprintf(msg, sizeof(msg), "%s", d->msg);
			return bad(d, lineno, 0, "vcpu", "%s", msg);
		}
		return JUDGE_OK;
	}
	case JT_META:
	case JT_IGNORED:
		break;
	}
	return JUDGE_OK;
}

bool judge_finish(struct judge *j, struct sim_diag *d)
{
	if (!j->have_header) {
		bad(d, 0, 0, NULL, "no header line: an empty trace");
		return false;
	}
	for (unsigned i = 0; i < j->nclocks; i++)
		if (!j->clocks[i].started &&
		    start_clock(j, &j->clocks[i], true, false, false, 0, d) != JUDGE_OK)
			return false;
	judge_replay_finish(j->replay);
	return true;
}

const struct judge_header *judge_get_header(const struct judge *j)
{
	return &j->h;
}

const char *judge_vm_name(const struct judge *j, unsigned vm)
{
	return j->vm_names && vm < j->h.nvms ? j->vm_names[vm] : "";
}

unsigned judge_nclocks(const struct judge *j)
{
	return j->nclocks;
}

const struct judge_clock *judge_get_clock(const struct judge *j, unsigned i)
{
	return i < j->nclocks ? &j->clocks[i] : NULL;
}

const struct oracle_check_result *judge_clock_result(const struct judge_clock *k,
						    enum oracle_check_id c)
{
	const struct oracle *o = k->causal_o && is_causal(c) ? k->causal_o : k->time_o;

	return &oracle_results(o, 0)[c];
}

const struct judge_replay *judge_get_replay(const struct judge *j)
{
	return j->replay;
}

uint64_t judge_type_lines(const struct judge *j, enum jt_type t)
{
	return (unsigned)t <= JT_TYPE_COUNT ? j->type_lines[t] : 0;
}

uint64_t judge_lines(const struct judge *j)
{
	return j->lines;
}
